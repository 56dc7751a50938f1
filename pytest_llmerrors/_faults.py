"""The fault and attempt models: what the test asks for, and what the transport saw."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import math
import re
import sys
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from . import _redact

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

#: The longest wait a fault may ask for or take (`delay`, `retry_after`, `retry_after_ms`):
#: ten 365-day years. Longer than any test means, short enough that the virtual clock can
#: always move that far (a `start` leaves it at least a thousand years).
MAX_SECONDS = 10 * 365 * 86_400
#: An HTTP header name is a token (RFC 9110, 5.6.2).
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


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
        """Return a copy with `changes` applied (checked as a new fault is)."""
        if type(self) is not Fault or not changes.keys() <= _FAULT_FIELDS:
            return dataclasses.replace(self, **changes)  # its TypeError names a wrong field
        # As dataclasses.replace, without a getattr and an argument per field (22 of them).
        copy = object.__new__(Fault)
        copy.__dict__.update(self.__dict__)
        copy.__dict__.update(changes)
        copy._check(changes.keys())  # the fields it kept were checked when it was made
        return copy

    def __post_init__(self) -> None:
        __tracebackhide__ = True
        self._check(None)

    def _check(self, changed: Collection[str] | None) -> None:
        """Refuse a bad field (only those `changed`, unless ``None``) or a bad combination."""
        __tracebackhide__ = True
        _check_types(self, changed)
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
        if self.after_chunks is not None:
            if not self.stream:
                raise ValueError(
                    f"after_chunks applies only to stream faults "
                    f"({', '.join(STREAM_FAULTS)}), not to {self.name!r}."
                )
            if self.after_chunks < 0:
                raise ValueError(f"after_chunks must be zero or positive, not {self.after_chunks}.")


_FAULT_FIELDS = frozenset(f.name for f in dataclasses.fields(Fault))


def _check_types(fault: Fault, changed: Collection[str] | None = None) -> None:
    """Refuse a field of the wrong type or out of range, naming the fault and the field.

    With `changed`, only those fields: a copy made by `Fault.replace` keeps the others from
    a fault that was checked already (a fault's body and headers are the costly ones).
    """
    __tracebackhide__ = True

    def due(field: str) -> bool:
        return changed is None or field in changed

    if due("name") and (not isinstance(fault.name, str) or not fault.name):
        raise ValueError(f"Fault name must be a non-empty str, not {fault.name!r}.")
    prefix = f"Fault {fault.name!r}: "
    try:
        status = fault.status
        if (
            due("status")
            and status is not None
            and (isinstance(status, bool) or not isinstance(status, int))
        ):
            raise ValueError(
                f"status must be an int HTTP status (400-599, or 200 with a broken `body`) or "
                f"None for a network or stream fault, not {status!r}."
            )
        if due("classification") and fault.classification not in CLASSIFICATIONS:
            raise ValueError(
                f"classification must be one of {', '.join(CLASSIFICATIONS)}, "
                f"not {fault.classification!r}."
            )
        for name in ("advice", "message"):
            if due(name) and not isinstance(getattr(fault, name), str):
                raise ValueError(f"{name} must be a str, not {getattr(fault, name)!r}.")
        for name in ("error_type", "code", "content_type", "request_id", "provider"):
            value = getattr(fault, name)
            if due(name) and value is not None and not isinstance(value, str):
                raise ValueError(f"{name} must be a str or None, not {value!r}.")
        if due("extra") and not isinstance(fault.extra, Mapping):
            raise ValueError(f"extra must be a mapping of error fields, not {fault.extra!r}.")
        if due("body"):
            check_body(fault.body)
        if due("headers"):
            check_headers(fault.headers)
        retry_after = fault.retry_after
        if (
            due("retry_after")
            and not isinstance(retry_after, _dt.datetime)
            and retry_after is not None
        ):
            check_seconds("retry_after", retry_after, "seconds (a number) or a datetime")
        if due("retry_after_ms") and fault.retry_after_ms is not None:
            check_seconds("retry_after_ms", fault.retry_after_ms, "milliseconds (a number)", 1000)
        if due("delay"):
            check_seconds("delay", fault.delay, "seconds (a number)")
        after = fault.after_chunks
        if (
            due("after_chunks")
            and after is not None
            and (isinstance(after, bool) or not isinstance(after, int))
        ):
            raise ValueError(f"after_chunks must be a whole number of chunks, not {after!r}.")
    except ValueError as error:
        raise ValueError(f"{prefix}{error}") from None


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
    #: The provider limit that rejected the request (``rpm``, ``tpm``, ``concurrency``,
    #: ``spend``), ``None`` when no limit did.
    limit: str | None = None
    #: A new SDK call (retry counter 0) sent from inside a frame still running since its
    #: thread/task's last such call was answered with a give-up error: the application
    #: resending it (tenacity, litellm, its own loop), not a pool's next item or the test
    #: calling again. Other attempts read ``False``.
    resent: bool = False

    @property
    def injected(self) -> bool:
        """Whether the answer was an injected error."""
        return self.error is not None

    def to_dict(self, *, redact: bool = True) -> dict[str, Any]:
        """Return the attempt as JSON-ready data, its secrets masked unless `redact` is false.

        Masked: the API keys in `url` and `headers`, as the reports show them (``****0001``).
        """
        # Shallow on purpose: every field is a scalar but headers and body (asdict deep-copies).
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data["headers"] = _redact.headers(self.headers) if redact else dict(self.headers)
        data["url"] = _redact.url(self.url) if redact else self.url
        data["body"] = self.body.decode("utf-8", "replace")
        return data

    def __repr__(self) -> str:
        # The dataclass's repr, with the secrets masked: a repr ends up in logs and reports.
        shown = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.repr}
        shown["url"] = _redact.url(self.url)
        shown["headers"] = _redact.headers(self.headers)
        return f"Attempt({', '.join(f'{k}={v!r}' for k, v in shown.items())})"


def current_task() -> str:
    """Return an id of the running thread and asyncio task, to tell concurrent calls apart."""
    ident = threading.get_ident()
    asyncio = sys.modules.get("asyncio")  # not imported: no task can be running
    # No running loop, no task: asked first, as current_task() would raise (slower).
    if asyncio is None or asyncio.events._get_running_loop() is None:
        return str(ident)
    task = asyncio.current_task()
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
        check_seconds(
            "retry_after",
            options["retry_after"],
            "seconds (a number) or a datetime for an HTTP-date",
        )
    if options.get("retry_after_ms") is not None:
        check_seconds("retry_after_ms", options["retry_after_ms"], "milliseconds (a number)", 1000)
    if "delay" in options:
        check_seconds("delay", options["delay"], "seconds (a number)")
    after = options.get("after_chunks")
    if after is not None and (isinstance(after, bool) or not isinstance(after, int)):
        raise ValueError(f"after_chunks must be a whole number of chunks, not {after!r}.")
    if options.get("headers") is not None:
        check_headers(options["headers"])
    check_body(options.get("body"))
    for name in ("request_id", "message"):
        value = options.get(name)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{name} must be a str, not {value!r}.")


def check_seconds(name: str, value: Any, expected: str, per_second: int = 1) -> None:
    """Refuse a wait that is not a finite number from zero to `MAX_SECONDS` (in its unit)."""
    __tracebackhide__ = True
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be {expected}, finite and zero or more, not {value!r}.")
    if value < 0:
        raise ValueError(f"{name} must be zero or positive, not {value!r}.")
    if value > MAX_SECONDS * per_second:
        unit = "seconds" if per_second == 1 else "milliseconds"
        raise ValueError(
            f"{name} must be at most {MAX_SECONDS * per_second} {unit} (10 years), not {value!r}."
        )


def check_headers(headers: Any) -> None:
    """Refuse headers that are not a mapping of valid names to str values a response can carry."""
    __tracebackhide__ = True
    if not isinstance(headers, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        raise ValueError(
            f"headers must be a mapping of header names to str values, like "
            f"{{'x-trace': 'abc'}}, not {headers!r}."
        )
    for name, value in headers.items():
        if not _HEADER_NAME.fullmatch(name):
            raise ValueError(
                f"headers: {name!r} is not a header name: a name is one or more letters, "
                f"digits or !#$%&'*+-.^_`|~ (no spaces, colons, CR or LF)."
            )
        if any(c in value for c in "\r\n\0"):
            raise ValueError(
                f"headers: the value of {name!r} must not contain CR, LF or NUL (a header "
                f"cannot span lines), not {value!r}."
            )


def check_body(body: Any) -> None:
    """Refuse a body that cannot be sent: not str, bytes, or data JSON can serialise."""
    __tracebackhide__ = True
    if body is None or isinstance(body, (str, bytes)):
        return
    try:
        json.dumps(body, allow_nan=False)  # NaN and Infinity are not JSON: no parser takes them
    except (TypeError, ValueError, RecursionError):
        raise ValueError(
            f"body must be a str or bytes (sent as is) or JSON data (a dict, list, str, "
            f"finite number, bool or None, nested), not {body!r}."
        ) from None
