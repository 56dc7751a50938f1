"""A provider profile: endpoints, error shapes, request ids and the scenario catalog."""

from __future__ import annotations

import datetime as _dt
import email.utils
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._exchange import Answer, Request
from .._faults import Classification, Fault, check_options
from .._policy import Policy
from ._ids import NewId
from ._shape_base import JSON, ApiShape, dump, sse


@dataclass(frozen=True)
class Endpoint:
    """A family of paths a provider serves in one API shape, under an optional path prefix."""

    shape: ApiShape
    #: A path prefix the endpoint lives under (FluxRouter's ``/anthropic``).
    prefix: str = ""


@dataclass(frozen=True)
class Route:
    """How one request is served: by which profile, in which shape, for which operation."""

    provider: Provider
    endpoint: Endpoint
    operation: str


@dataclass
class Provider:
    """A provider's profile: what its API looks like when things go wrong and right.

    `scenarios` is its catalog, by name; `statuses` names the canonical scenario of each
    status code (a plain ``inject_error(429)`` uses it).
    """

    name: str
    endpoints: tuple[Endpoint, ...]
    request_id_header: str
    new_request_id: NewId
    scenarios: dict[str, Fault] = field(default_factory=dict)
    statuses: dict[int, str] = field(default_factory=dict)
    #: Hosts of the provider's public API: a request to one is served by this profile even
    #: when the test's provider is another.
    hosts: tuple[str, ...] = ()
    description: str = ""

    def add(self, faults: Iterable[Fault]) -> None:
        """Add `faults` to the catalog, each owned by this profile."""
        for fault in faults:
            self.scenarios[fault.name] = fault.replace(provider=self.name)

    def route(self, request: Request) -> Route | None:
        """Return how this profile serves `request`, or ``None`` when it does not."""
        for endpoint in self.endpoints:
            operation = endpoint.shape.operation(request, endpoint.prefix)
            if operation is not None:
                return Route(self, endpoint, operation)
        return None

    def scenario(self, name: str) -> Fault:
        """Return the catalog scenario `name`, or raise ``ValueError`` naming the choices."""
        try:
            return self.scenarios[name]
        except KeyError:
            raise ValueError(
                f"Unknown scenario {name!r} for provider {self.name!r}. "
                f"Valid scenarios: {', '.join(sorted(self.scenarios))}."
            ) from None

    def fault(
        self, spec: int | str | Fault, policy: Policy, options: Mapping[str, Any] | None = None
    ) -> Fault:
        """Return what a test asked for as this profile's `Fault`, with `options` applied.

        `spec` is an HTTP status (the canonical error, classified by `policy`), a scenario
        name, or a `Fault` used as is. Raises ``ValueError`` naming what is valid.
        """
        __tracebackhide__ = True
        changes = dict(options or {})
        check_options(changes)
        if isinstance(spec, Fault):
            fault = spec
        elif isinstance(spec, bool) or not isinstance(spec, (int, str)):
            raise ValueError(
                f"inject_error takes an HTTP status (int 400-599), a scenario name (str) or a "
                f"pytest_llmerrors.Fault, not {spec!r}."
            )
        elif isinstance(spec, int):
            fault = self.for_status(spec, policy.classify_status(spec))
        else:
            fault = self.scenario(spec)
        if "headers" in changes:
            changes["headers"] = {**fault.headers, **dict(changes["headers"])}
        return fault.replace(**changes) if changes else fault

    def for_status(self, status: int, classification: Classification) -> Fault:
        """Return the provider's canonical error for `status`, without any Retry-After."""
        if not 400 <= status <= 599:
            raise ValueError(f"Status must be an HTTP error status 400-599, not {status!r}.")
        name = self.statuses.get(status)
        if name is not None:
            canonical = self.scenarios[name]
            return canonical.replace(
                name=f"http_{status}",
                classification=classification,
                retry_after=None,
                retry_after_ms=None,
                headers={k: v for k, v in canonical.headers.items() if k.lower() != "retry-after"},
            )
        return Fault(
            f"http_{status}",
            status=status,
            classification=classification,
            message=f"The provider answered with HTTP {status}.",
            provider=self.name,
        )

    def answer(
        self,
        fault: Fault | None,
        request: Request,
        route: Route,
        *,
        text: str,
        rng: random.Random,
        now: _dt.datetime,
    ) -> tuple[Answer, str]:
        """Plan the answer to `request`: `fault`, or success when it is ``None``.

        Returns the answer and the request id it carries.
        """
        request_id = (fault.request_id if fault else None) or self.new_request_id(rng)
        shape = route.endpoint.shape
        if fault is None or fault.stream:
            answer = shape.success(request, route.operation, text, rng)
            if fault is not None and answer.events is not None:
                _break_stream(answer, fault, request, route.operation, shape, request_id)
        elif fault.network:
            answer = Answer(network=fault.name)
        else:
            answer = self._error(fault, shape, request_id, now)
        answer.headers.append((self.request_id_header, request_id))
        if fault is not None:
            answer.delay = fault.delay
        return answer, request_id

    def _error(self, fault: Fault, shape: ApiShape, request_id: str, now: _dt.datetime) -> Answer:
        assert fault.status is not None
        if fault.body is None:
            body = dump(shape.error_object(fault, fault.status, request_id))
            content_type = JSON
        elif isinstance(fault.body, bytes):
            body, content_type = fault.body, "application/octet-stream"
        elif isinstance(fault.body, str):
            body, content_type = fault.body.encode(), "text/plain; charset=utf-8"
        else:
            body, content_type = dump(fault.body), JSON
        headers = [("content-type", fault.content_type or content_type)]
        if fault.retry_after is not None:
            headers.append(("retry-after", format_retry_after(fault.retry_after)))
        if fault.retry_after_ms is not None:
            headers.append(("retry-after-ms", _number(fault.retry_after_ms)))
        headers.extend(fault.headers.items())
        return Answer(status=fault.status, headers=headers, body=body)


def _break_stream(
    answer: Answer,
    fault: Fault,
    request: Request,
    operation: str,
    shape: ApiShape,
    request_id: str,
) -> None:
    """Cut `answer` after ``after_chunks`` content chunks and end it the way `fault` asks.

    The framing before the content (``message_start``, the role chunk, ...) is always sent;
    what follows the kept content (the finish chunk, ``[DONE]``, ``message_stop``...) never
    is. An ``after_chunks`` past the content breaks the stream after all of it, before the
    finish. ``stream_error`` sends the shape's error event (or `fault.body`: bytes verbatim,
    anything else as one ``data:`` event); ``stream_truncated`` drops the connection;
    ``stream_stall`` sends nothing more until the client's read timeout.
    """
    assert answer.events is not None
    after = fault.after_chunks if fault.after_chunks is not None else 1
    end = len(answer.events) if answer.content_end is None else answer.content_end
    content = answer.events[answer.content_start : end]
    kept = answer.events[: answer.content_start] + content[:after]
    answer.chunks = min(after, len(content))
    answer.headers.extend(fault.headers.items())
    if fault.name == "stream_truncated":
        answer.stream_end = "truncated"
    elif fault.name == "stream_stall":
        answer.stream_end = "stall"
        read = request.timeouts.get("read")
        answer.stall = None if read is None else float(read)
    elif isinstance(fault.body, bytes):
        kept.append(fault.body)
    elif fault.body is not None:
        kept.append(sse(fault.body))
    else:
        kept.append(
            shape.stream_error_event(fault, request_id, operation=operation, sequence=len(kept))
        )
    answer.events = kept


def format_retry_after(value: float | _dt.datetime) -> str:
    """Format a Retry-After value: delay-seconds, or an HTTP-date for a ``datetime``."""
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return email.utils.format_datetime(value.astimezone(_dt.timezone.utc), usegmt=True)
    return _number(value)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


__all__ = ["Endpoint", "Provider", "Route", "format_retry_after"]
