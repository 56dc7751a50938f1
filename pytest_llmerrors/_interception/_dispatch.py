"""The dispatcher: route a request to a provider, take its fault, plan the answer, record it.

It knows nothing of respx or httpx: the adapter (`._respx`) feeds it `Request` objects and
turns the `Answer` into the client library's response or exception, so another front end (a
loopback server) can serve the same answers.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from .. import _redact
from .._exchange import Answer, LowerHeaders, Request, retry_count
from .._faults import Attempt, Classification, Fault, current_task
from .._limits import Limiter, estimate_tokens
from .._policy import wait_asked
from .._providers import Provider, Registry, Route
from ._queue import FaultQueue
from ._sites import Sites

if TYPE_CHECKING:
    from .._clock import Clock


#: The header dicts the adapters build for the plugin alone: an attempt keeps them, no copy.
_OWN_DICTS = (dict, LowerHeaders)


class Dispatcher:
    """Serve requests for one test: its profiles, its fault queue, and the attempt record."""

    def __init__(
        self,
        *,
        registry: Registry,
        providers: Sequence[Provider],
        queue: FaultQueue,
        record: Callable[[Attempt], None],
        clock: Clock,
        classify: Callable[[Provider, Fault], Classification],
        rng: random.Random,
        fake_time: bool,
        reply: Callable[[], str],
        limiter: Limiter | None = None,
        sites: Sites | None = None,
    ) -> None:
        self.registry = registry
        self.providers = list(providers)
        self.queue = queue
        self.record = record
        self.clock = clock
        self.classify = classify
        self.rng = rng
        self.fake_time = fake_time
        self.reply = reply
        #: The provider's limits (``inject_error.limit``); inactive until the test sets some.
        self.limiter = limiter if limiter is not None else Limiter()
        #: Where each thread/task sent from: tells a resend from the next call.
        self.sites = sites if sites is not None else Sites()
        self._count = 0
        self._lock = threading.Lock()

    def route(self, request: Request) -> Route | None:
        """Return how `request` is served: by the test's profiles, else by its host's.

        A path no profile serves gets a router's own answer for it (FluxRouter's 403), its
        host's router first.
        """
        for provider in self.providers:
            route = provider.route(request)
            if route is not None:
                return route
        by_host = self.registry.by_host(request.host)
        if by_host is not None:
            route = by_host.route(request) or by_host.unserved_route(request)
            if route is not None:
                return route
        for provider in self.providers:
            route = provider.unserved_route(request)
            if route is not None:
                return route
        return None

    def handle(self, request: Request) -> Answer | None:
        """Plan the answer to `request` and record the attempt; ``None`` if nothing serves it."""
        route = self.route(request)
        if route is None:
            return None
        shape = route.endpoint.shape
        stream = shape.wants_stream(request)
        task = current_task()
        # A new SDK call (retry counter 0) may resend one its task saw given up on.
        new_call = retry_count(request.headers) == 0
        resent = new_call and self.sites.resent(task)
        with self._lock:  # one request at a time: faults, ids and attempt numbers stay in order
            # A path the router does not serve gets its answer; queued faults wait.
            fault = route.fault
            if fault is None:
                fault = self.queue.take(route.provider, stream)
            at, now = self.clock.now(), self.clock.utcnow()
            limiter = self.limiter
            decision = None
            if fault is None and limiter.active:
                # What no queued fault takes meets the provider's limits.
                decision = limiter.admit(estimate_tokens(request.json), at)
                if not decision.admitted:
                    assert decision.kind is not None
                    figures = {
                        "model": shape.model(request) or "the model",
                        "limit": decision.limit,
                        "used": decision.used,
                        "requested": decision.requested,
                    }
                    fault = route.provider.limited(decision.kind, decision.retry_after, figures)
            answer, request_id = route.provider.answer(
                fault, request, route, text=self.reply(), rng=self.rng, now=now
            )
            if fault is not None and fault.network and not answer.delay and self.fake_time:
                # A timeout really takes the client's timeout: deadline arithmetic sees it.
                answer.delay = _timeout_for(fault.name, request)
            if decision is not None and decision.admitted:
                answer.delay = decision.delay  # in flight until its answer
            if limiter.active and answer.network is None:
                _live_headers(answer, limiter.headers(shape.name, at, now))
            classification = self.classify(route.provider, fault) if fault is not None else None
            self._count += 1
            self.record(
                Attempt(
                    index=self._count,
                    at=at,
                    method=request.method,
                    url=request.url,
                    path=request.path,
                    model=shape.model(request),
                    stream=stream,
                    # The adapters build the request's dict for the plugin alone: no copy.
                    headers=request.headers
                    if type(request.headers) in _OWN_DICTS
                    else dict(request.headers),
                    status=None if answer.network else answer.status,
                    error=fault.name if fault is not None else None,
                    request_id=request_id,
                    retry_after=wait_asked(
                        answer.header("retry-after-ms"), answer.header("retry-after"), now
                    ),
                    # A stalled stream holds the client for its read timeout (fake clock).
                    ended_at=at + answer.delay + (answer.stall_seconds if self.fake_time else 0),
                    body=request.body,
                    provider=route.provider.name,
                    classification=classification,
                    chunks=answer.chunks,
                    task=task,
                    limit=decision.kind if decision is not None else None,
                    resent=resent,
                )
            )
        if new_call and classification == "give_up":
            self.sites.remember(task)  # its next call may be this one sent again
        return answer

    def blocked(self, request: Request) -> str:
        """Return why `request` was blocked and how to serve it, for the test's failure."""
        served = sorted({path for provider in self.providers for path in provider.paths()})
        names = ", ".join(p.name for p in self.providers)
        url = _redact.url(request.url)  # the failure is printed: no API key in plain text
        return (
            f"pytest-llmerrors blocked {request.method} {url}: no provider profile "
            f"serves it, and block_network is on, so nothing reaches the real network.\n"
            f"The test's provider ({names}) serves paths ending in {', '.join(served)} on "
            f"any host. Point the client at one of them, pick the provider that serves it "
            f"with @pytest.mark.llm_errors(provider=...), add a profile with the "
            f"pytest_llmerrors_providers hook, or let the request through with "
            f"@pytest.mark.llm_errors(block_network=False)."
        )


def _live_headers(answer: Answer, headers: list[tuple[str, str]]) -> None:
    """Put the limiter's rate-limit headers on `answer`, replacing any static ones."""
    if not headers:
        return
    names = {name for name, _ in headers}
    answer.headers = [(k, v) for k, v in answer.headers if k.lower() not in names]
    answer.headers.extend(headers)


def _timeout_for(name: str, request: Request) -> float:
    key = "connect" if name == "connect_timeout" else "read"
    value = request.timeouts.get(key) if name != "connect_error" else None
    return float(value) if value else 0.0
