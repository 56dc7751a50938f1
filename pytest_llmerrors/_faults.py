"""The fault and attempt models: what the test asks for, and what the transport saw."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Classification = Literal["give_up", "retry", "retry_after_window"]
CLASSIFICATIONS: tuple[Classification, ...] = ("give_up", "retry", "retry_after_window")

#: Faults that never produce an HTTP response: the client's own library raises.
NETWORK_FAULTS: tuple[str, ...] = ("connect_error", "connect_timeout", "read_timeout")
#: Faults that arrive inside a 200 stream.
STREAM_FAULTS: tuple[str, ...] = ("stream_error", "stream_truncated", "stream_stall")

#: The keyword options `inject_error(...)` accepts besides times/always/provider.
FAULT_OPTIONS: tuple[str, ...] = (
    "after_chunks",
    "body",
    "delay",
    "headers",
    "message",
    "request_id",
    "retry_after",
    "retry_after_ms",
)


@dataclass(frozen=True)
class Fault:
    """One error a provider can answer with: an HTTP error, a network fault or a stream fault.

    Catalog scenarios are `Fault` objects; `inject_error(Fault(...))` queues one as is.
    The error body is rendered in the API shape of the endpoint that was called (OpenAI,
    Anthropic, ...) from `error_type`, `code`, `message` and `extra`, unless `body` is given.
    """

    name: str
    status: int | None = None
    classification: Classification = "retry"
    advice: str = ""
    message: str = ""
    error_type: str | None = None
    code: str | None = None
    #: Extra top-level fields of the rendered error object (Requesty's ``origin``, ...).
    extra: Mapping[str, Any] = field(default_factory=dict)
    #: A body used as is: ``dict``/``list`` become JSON, ``str``/``bytes`` are sent verbatim.
    body: Any = None
    content_type: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    retry_after: float | _dt.datetime | None = None
    retry_after_ms: float | None = None
    request_id: str | None = None
    delay: float = 0.0
    after_chunks: int | None = None
    #: The profile that owns this fault, ``None`` for a fault built by hand.
    provider: str | None = None

    @property
    def network(self) -> bool:
        """Whether the fault is raised by the client library instead of answered."""
        return self.name in NETWORK_FAULTS

    @property
    def stream(self) -> bool:
        """Whether the fault only applies to a request that asked for a stream."""
        return self.name in STREAM_FAULTS

    @property
    def malformed_success(self) -> bool:
        """Whether the fault is a 200 whose `body` the client cannot parse."""
        return self.status == 200 and not self.stream

    def replace(self, **changes: Any) -> Fault:
        """Return a copy with `changes` applied."""
        return dataclasses.replace(self, **changes)

    def __post_init__(self) -> None:
        if self.classification not in CLASSIFICATIONS:
            raise ValueError(
                f"Fault {self.name!r}: classification must be one of "
                f"{', '.join(CLASSIFICATIONS)}, not {self.classification!r}."
            )
        if self.status is None and not (self.network or self.stream):
            raise ValueError(
                f"Fault {self.name!r} has no status: give an HTTP status 400-599, or name "
                f"a network fault ({', '.join(NETWORK_FAULTS)}) or a stream fault "
                f"({', '.join(STREAM_FAULTS)})."
            )
        if self.malformed_success:
            if self.body is None:
                raise ValueError(
                    f"Fault {self.name!r}: a status 200 fault is a success the client cannot "
                    f"parse, so it needs the broken `body` to send."
                )
        elif self.status is not None and not 400 <= self.status <= 599 and not self.stream:
            raise ValueError(
                f"Fault {self.name!r}: status must be an HTTP error status 400-599 (or 200 "
                f"with a `body` the client cannot parse), not {self.status!r}."
            )
        for option in ("retry_after_ms", "delay"):
            value = getattr(self, option)
            if value is not None and value < 0:
                raise ValueError(f"{option} must be zero or positive, not {value!r}.")
        if (
            self.retry_after is not None
            and not isinstance(self.retry_after, _dt.datetime)
            and self.retry_after < 0
        ):
            raise ValueError(f"retry_after must be zero or positive, not {self.retry_after!r}.")
        if self.after_chunks is not None:
            if not self.stream:
                raise ValueError(
                    f"after_chunks applies only to stream faults "
                    f"({', '.join(STREAM_FAULTS)}), not to {self.name!r}."
                )
            if self.after_chunks < 0:
                raise ValueError(f"after_chunks must be zero or positive, not {self.after_chunks}.")


@dataclass(frozen=True)
class Attempt:
    """One request that reached the injector, and how it was answered."""

    index: int
    #: Fake-clock seconds since the test started, when the request arrived.
    at: float
    method: str
    url: str
    path: str
    model: str | None
    stream: bool
    headers: Mapping[str, str]
    #: HTTP status of the answer; ``None`` for a network fault.
    status: int | None
    #: Scenario or exception name of an injected error; ``None`` on success.
    error: str | None
    #: The request id the answer carried.
    request_id: str | None
    #: Seconds the answer asked the client to wait (any Retry-After form), or ``None``.
    retry_after: float | None
    #: Clock seconds when the answer was complete (after any fake latency).
    ended_at: float = 0.0
    #: The request body, as bytes; retries repeat it, which is how calls are grouped.
    body: bytes = b""
    #: The profile that served the request.
    provider: str | None = None
    #: How the plugin classifies the answer: ``give_up``, ``retry``,
    #: ``retry_after_window`` or ``None`` for a success.
    classification: Classification | None = None
    #: Content chunks delivered before a stream fault (``None`` when nothing broke).
    chunks: int | None = None
    #: The thread/task that sent the request: concurrent calls are told apart by it.
    task: str = ""

    @property
    def injected(self) -> bool:
        """Whether the answer was an injected error."""
        return self.error is not None

    def to_dict(self) -> dict[str, Any]:
        """Return the attempt as JSON-ready data."""
        # Shallow on purpose: every field is a scalar but headers and body (asdict deep-copies).
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data["headers"] = dict(self.headers)
        data["body"] = self.body.decode("utf-8", "replace")
        return data


def current_task() -> str:
    """Return an id of the running thread and asyncio task, to tell concurrent calls apart."""
    ident = threading.get_ident()
    asyncio = sys.modules.get("asyncio")  # not imported: no task can be running
    try:
        task = asyncio.current_task() if asyncio is not None else None
    except RuntimeError:
        task = None
    return str(ident) if task is None else f"{ident}/{id(task):x}"


def check_options(options: Mapping[str, Any]) -> None:
    """Reject unknown options and values of the wrong type, before they break an answer later."""
    __tracebackhide__ = True
    unknown = sorted(set(options) - set(FAULT_OPTIONS))
    if unknown:
        raise ValueError(
            f"Unknown option(s) {', '.join(map(repr, unknown))} for inject_error. "
            f"Valid options: times, always, provider, {', '.join(FAULT_OPTIONS)}."
        )
    if "retry_after" in options and not isinstance(options["retry_after"], _dt.datetime):
        _check_number(
            "retry_after",
            options["retry_after"],
            "seconds (a number) or a datetime for an HTTP-date",
        )
    if options.get("retry_after_ms") is not None:
        _check_number("retry_after_ms", options["retry_after_ms"], "milliseconds (a number)")
    if "delay" in options:
        _check_number("delay", options["delay"], "seconds (a number)")
    after = options.get("after_chunks")
    if after is not None and (isinstance(after, bool) or not isinstance(after, int)):
        raise ValueError(f"after_chunks must be a whole number of chunks, not {after!r}.")
    headers = options.get("headers")
    if headers is not None and not (
        isinstance(headers, Mapping)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items())
    ):
        raise ValueError(
            f"headers must be a mapping of header names to str values, like "
            f"{{'x-trace': 'abc'}}, not {headers!r}."
        )
    for name in ("request_id", "message"):
        value = options.get(name)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{name} must be a str, not {value!r}.")


def _check_number(name: str, value: Any, expected: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be {expected}, finite and zero or more, not {value!r}.")
