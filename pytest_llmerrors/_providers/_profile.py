"""A provider profile: endpoints, error shapes, request ids and the scenario catalog."""

from __future__ import annotations

import datetime as _dt
import email.utils
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._exchange import Answer, Request, header
from .._faults import Classification, Fault, check_options
from .._policy import Policy
from ._ids import NewId
from ._shape_base import JSON, ApiShape, dump, json_answer, sse

#: The operation of a ``GET .../models`` an endpoint with `Endpoint.models` serves.
MODELS = "models"
#: The operation of a path under a router's API that the router does not serve.
UNSERVED = "unserved"


@dataclass(frozen=True)
class Endpoint:
    """A family of paths a provider serves in one API shape, under an optional path prefix.

    A path under a longer prefix of another endpoint of the same profile belongs to that
    endpoint only (FluxRouter's ``/anthropic/v1/chat/completions`` is not its OpenAI chat).
    """

    shape: ApiShape
    #: A path prefix the endpoint lives under (FluxRouter's ``/anthropic``).
    prefix: str = ""
    #: The operations served, when not every one the shape knows (FluxRouter: no embeddings).
    only: frozenset[str] | None = None
    #: The model ids listed on ``GET .../models``; empty when the endpoint has no model list.
    models: tuple[str, ...] = ()

    def paths(self) -> list[str]:
        """Return the path suffixes served, under the prefix, for messages that name them."""
        served = [s for s, op in self.shape.operations if self.only is None or op in self.only]
        if self.models:
            served.append("/models")
        return [f"{self.prefix}{suffix}" for suffix in served]


@dataclass(frozen=True)
class Route:
    """How one request is served: by which profile, in which shape, for which operation."""

    provider: Provider
    endpoint: Endpoint
    operation: str
    #: The answer every request on this route gets, whatever the test queued: a router's
    #: own error for a path it does not serve (FluxRouter's 403).
    fault: Fault | None = None


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
    #: The scenario answered on a path under the router's API that no endpoint serves
    #: (FluxRouter's 403 ``endpoint_not_served``); ``None`` leaves such a path unserved.
    unserved: str | None = None
    #: Common names the profile's reference documents no row for, with the reason the
    #: error gives when a test asks for one (DeRouter has no 403 or 500).
    undocumented: dict[str, str] = field(default_factory=dict)
    #: Fields of a scenario that differ in one API shape, by (scenario, shape name): an
    #: upstream error a router passes through with the upstream's own message.
    shaped: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    #: The limits the profile's reference documents (``limits="documented"``), like
    #: DeRouter's ``{"rpm": 60, "concurrency": 5}``; empty when it documents none.
    documented_limits: dict[str, int] = field(default_factory=dict)
    #: The scenario that answers a request over each limit, where it is not the common
    #: ``rate_limit`` (``spend_ceiling`` for ``spend``): DeRouter's ``concurrency_limit``.
    limit_scenarios: dict[str, str] = field(default_factory=dict)
    #: The message of the answer over each limit, as the provider words it with the live
    #: figures: ``{model}``, ``{limit}``, ``{used}``, ``{requested}``, ``{retry_after}``.
    #: ``tpm_too_large`` is a request larger than ``tpm`` on its own. Without one, the
    #: scenario's own message stands.
    limit_messages: dict[str, str] = field(default_factory=dict)
    #: `for_status` answers, with the scenario each was made from (a changed catalog misses).
    _for_status: dict[tuple[int, str], tuple[Fault, Fault]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    #: `route` answers by (method, path), for the `endpoints` they were found among; kept
    #: only while every endpoint's shape reads the path alone (`ApiShape.operation`).
    _routes: tuple[tuple[Endpoint, ...] | None, dict[tuple[str, str], Route | None]] = field(
        default_factory=lambda: (None, {}), init=False, repr=False, compare=False
    )

    def add(self, faults: Iterable[Fault]) -> None:
        """Add `faults` to the catalog, each owned by this profile."""
        for fault in faults:
            self.scenarios[fault.name] = fault.replace(provider=self.name)

    def route(self, request: Request) -> Route | None:
        """Return how this profile serves `request`, or ``None`` when it does not."""
        method, path = request.method.upper(), request.path
        if method == "GET" and path.rstrip("/").endswith("/models"):
            # Anthropic's list or OpenAI's, by the request's headers: not kept.
            return self._models_route(request, self._endpoints_for(path))
        known, routes = self._routes
        if known is not self.endpoints:
            cacheable = all(type(e.shape).operation is ApiShape.operation for e in self.endpoints)
            known, routes = self.endpoints, {}
            self._routes = (known, routes) if cacheable else (None, {})
        key = (method, path)
        if key in routes:
            return routes[key]
        route = self._route(request)
        if self._routes[0] is known:
            routes[key] = route
        return route

    def _route(self, request: Request) -> Route | None:
        for endpoint in self._endpoints_for(request.path):
            operation = endpoint.shape.operation(request, endpoint.prefix)
            if operation is not None and (endpoint.only is None or operation in endpoint.only):
                return Route(self, endpoint, operation)
        return None

    def unserved_route(self, request: Request) -> Route | None:
        """Return the route of the router's own error for a path under its API it does not serve.

        A path is under the router's API on one of its `hosts`, and on any other host when a
        client library calls it (a path one of its shapes knows, or a model list), so a
        ``base_url`` pointing at the router meets the same answer. ``None`` when the profile
        has no such answer (`unserved`) or the request is not for it.
        """
        if self.unserved is None or not self.endpoints:
            return None
        path = request.path.rstrip("/")
        known = path.endswith("/models") or any(
            e.shape.operation(request, "") is not None for e in self.endpoints
        )
        if request.host not in self.hosts and not known:
            return None
        endpoint = self._endpoints_for(request.path)[0]
        return Route(self, endpoint, UNSERVED, fault=self.scenarios[self.unserved])

    def paths(self) -> list[str]:
        """Return the path suffixes this profile serves, sorted."""
        return sorted({path for endpoint in self.endpoints for path in endpoint.paths()})

    def _endpoints_for(self, path: str) -> list[Endpoint]:
        """Return the endpoints that may serve `path`: those of the longest matching prefix."""
        prefixes = [e.prefix for e in self.endpoints if e.prefix and path.startswith(e.prefix)]
        longest = max(prefixes, key=len, default="")
        if not longest:
            return list(self.endpoints)
        return [e for e in self.endpoints if e.prefix == longest]

    def _models_route(self, request: Request, endpoints: list[Endpoint]) -> Route | None:
        """Return the model-list route: Anthropic's list for the anthropic SDK, else OpenAI's."""
        anthropic = header(request.headers, "anthropic-version") is not None
        listing = sorted(
            (e for e in endpoints if e.models),
            key=lambda e: (e.shape.name == "anthropic") != anthropic,
        )
        return Route(self, listing[0], MODELS) if listing else None

    def scenario(self, name: str) -> Fault:
        """Return the catalog scenario `name`, or raise ``ValueError`` naming the choices."""
        try:
            return self.scenarios[name]
        except KeyError:
            if name in self.undocumented:
                raise ValueError(
                    f"Provider {self.name!r} has no scenario {name!r}: "
                    f"{self.undocumented[name]} Valid scenarios: "
                    f"{', '.join(sorted(self.scenarios))}."
                ) from None
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

    def limited(
        self,
        kind: str,
        retry_after: int | None,
        figures: Mapping[str, object] | None = None,
    ) -> Fault:
        """Return this profile's answer to a request over the limit `kind`.

        Its own rate-limit scenario with `retry_after` as its only wait (``None``: no
        Retry-After), or for ``spend`` its ``spend_ceiling`` scenario, classified give up.
        Static rate-limit headers of the scenario give way to the live ones, and its
        message to the profile's `limit_messages` filled with `figures`.
        """
        spend = kind == "spend"
        name = self.limit_scenarios.get(kind, "spend_ceiling" if spend else "rate_limit")
        fault = self.scenarios.get(name) or Fault(name, 402 if spend else 429)
        headers = {
            k: v
            for k, v in fault.headers.items()
            if k.lower() not in ("retry-after", "retry-after-ms")
            and not k.lower().startswith(("x-ratelimit-", "anthropic-ratelimit-"))
        }
        key = "tpm_too_large" if kind == "tpm" and retry_after is None else kind
        template = self.limit_messages.get(key)
        message = fault.message
        if template is not None:
            message = template.format_map({"retry_after": retry_after, **(figures or {})})
        return fault.replace(
            retry_after=None if spend else retry_after,
            retry_after_ms=None,
            headers=headers,
            classification="give_up" if spend else fault.classification,
            message=message,
        )

    def for_status(self, status: int, classification: Classification) -> Fault:
        """Return the provider's canonical error for `status`, without any Retry-After."""
        if not 400 <= status <= 599:
            raise ValueError(f"Status must be an HTTP error status 400-599, not {status!r}.")
        name = self.statuses.get(status)
        if name is not None:
            canonical = self.scenarios[name]
            # Built once per scenario and classification (faults are immutable): a test's
            # inject_error(429) costs one validated copy, with its options, not two.
            key = (status, str(classification))
            cached = self._for_status.get(key)
            if cached is not None and cached[0] is canonical:
                return cached[1]
            fault = canonical.replace(
                name=f"http_{status}",
                classification=classification,
                retry_after=None,
                retry_after_ms=None,
                headers={k: v for k, v in canonical.headers.items() if k.lower() != "retry-after"},
            )
            self._for_status[key] = (canonical, fault)
            return fault
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
        if fault is not None:
            fault = self._in_shape(fault, shape)
        if (fault is None or fault.stream) and route.operation == MODELS:
            answer = _model_list(shape, route.endpoint.models)
        elif fault is None or fault.stream:
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

    def _in_shape(self, fault: Fault, shape: ApiShape) -> Fault:
        """Return `fault` as `shape` renders it: with its `shaped` fields, unless the test
        changed the message (then the test's message stands)."""
        changes = self.shaped.get((fault.name, shape.name))
        row = self.scenarios.get(fault.name)
        if not changes or row is None or fault.message != row.message:
            return fault
        return fault.replace(**changes)

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


def _model_list(shape: ApiShape, models: tuple[str, ...]) -> Answer:
    """Return the model list `shape`'s SDK parses (``client.models.list()``)."""
    if shape.name == "anthropic":
        data = [
            {
                "type": "model",
                "id": model,
                "display_name": model,
                "created_at": "2025-10-01T00:00:00Z",
            }
            for model in models
        ]
        first, last = (models[0], models[-1]) if models else (None, None)
        return json_answer({"data": data, "has_more": False, "first_id": first, "last_id": last})
    listed = [
        {"id": model, "object": "model", "created": 1759276800, "owned_by": "system"}
        for model in models
    ]
    return json_answer({"object": "list", "data": listed})


def format_retry_after(value: float | _dt.datetime) -> str:
    """Format a Retry-After value: delay-seconds, or an HTTP-date for a ``datetime``."""
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return email.utils.format_datetime(value.astimezone(_dt.timezone.utc), usegmt=True)
    return _number(value)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


__all__ = ["MODELS", "UNSERVED", "Endpoint", "Provider", "Route", "format_retry_after"]
