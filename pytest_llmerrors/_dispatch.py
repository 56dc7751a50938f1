"""The dispatcher: route a request to a provider, take its fault, plan the answer, record it.

It knows nothing of respx or httpx: the transport feeds it `Request` objects and turns the
`Answer` into the client library's response or exception, so another front end (a loopback
server) can serve the same answers.
"""

from __future__ import annotations

import datetime as _dt
import email.utils
import random
import threading
from collections.abc import Callable, Sequence
from typing import Protocol

from ._exchange import Answer, Request
from ._faults import Attempt, Classification, Fault
from ._providers import Registry, Route
from ._providers._profile import Provider
from ._timeline import Timeline, current_task


class FaultSource(Protocol):
    """Something that decides which fault, if any, answers a request."""

    def take(self, request: Request, route: Route) -> Fault | None:
        """Return the fault for `request`, consuming it, or ``None`` to let it through."""


class Clock(Protocol):
    """The clock the dispatcher stamps attempts with."""

    def now(self) -> float:
        """Return seconds since the test started."""

    def utcnow(self) -> _dt.datetime:
        """Return the current instant, aware UTC."""


Classifier = Callable[[Provider, Fault], Classification]


class Dispatcher:
    """Serve requests for one test: the profiles, the fault sources and the timeline."""

    def __init__(
        self,
        *,
        registry: Registry,
        providers: Sequence[Provider],
        sources: Sequence[FaultSource],
        timeline: Timeline,
        clock: Clock,
        classify: Classifier,
        rng: random.Random,
        fake_time: bool,
        reply: Callable[[], str],
    ) -> None:
        self.registry = registry
        self.providers = list(providers)
        self.sources = list(sources)
        self.timeline = timeline
        self.clock = clock
        self.classify = classify
        self.rng = rng
        self.fake_time = fake_time
        self.reply = reply
        self._lock = threading.Lock()

    def route(self, request: Request) -> Route | None:
        """Return how `request` is served: by the test's profiles, else by its host's."""
        for provider in self.providers:
            route = provider.route(request)
            if route is not None:
                return route
        by_host = self.registry.by_host(request.host)
        return by_host.route(request) if by_host is not None else None

    def handle(self, request: Request) -> Answer | None:
        """Plan the answer to `request` and record the attempt; ``None`` if nothing serves it."""
        route = self.route(request)
        if route is None:
            return None
        task = current_task()
        with self._lock:
            fault = self._take(request, route)
            at, now = self.clock.now(), self.clock.utcnow()
            answer, request_id = route.provider.answer(
                fault, request, route, text=self.reply(), rng=self.rng, now=now
            )
            if fault is not None and fault.network and not answer.delay and self.fake_time:
                # A timeout really takes the client's timeout: deadline arithmetic sees it.
                answer.delay = _timeout_for(fault.name, request)
            shape = route.endpoint.shape
            self.timeline.record(
                lambda index: Attempt(
                    index=index,
                    at=at,
                    method=request.method,
                    url=request.url,
                    path=request.path,
                    model=shape.model(request),
                    stream=shape.wants_stream(request),
                    headers=dict(request.headers),
                    status=None if answer.network else answer.status,
                    error=fault.name if fault is not None else None,
                    request_id=request_id,
                    retry_after=_retry_after_seconds(answer, now),
                    # A stalled stream holds the client for its read timeout (fake clock).
                    ended_at=at + answer.delay + (answer.stall_seconds if self.fake_time else 0),
                    body=request.body,
                    provider=route.provider.name,
                    classification=(
                        self.classify(route.provider, fault) if fault is not None else None
                    ),
                    chunks=answer.delivered,
                    task=task,
                )
            )
        return answer

    def _take(self, request: Request, route: Route) -> Fault | None:
        for source in self.sources:
            fault = source.take(request, route)
            if fault is not None:
                return fault
        return None


def _timeout_for(name: str, request: Request) -> float:
    key = "connect" if name == "connect_timeout" else "read"
    value = request.timeouts.get(key) if name != "connect_error" else None
    return float(value) if value else 0.0


def _retry_after_seconds(answer: Answer, now: _dt.datetime) -> float | None:
    """Return the wait the answer asks for, read the way the SDKs read it."""
    millis = answer.header("retry-after-ms")
    if millis is not None:
        try:
            return float(millis) / 1000
        except ValueError:
            pass
    value = answer.header("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    return max(0.0, (when - now).total_seconds())
