"""`ErrorInjector`: the object behind the ``inject_error`` fixture."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from . import _verdict
from ._faults import Attempt, Fault
from ._interception import FaultQueue, Queued
from ._limits import Limiter, Limits, Load, limits_from
from ._policy import Policy, rule_names
from ._providers import DEFAULT_REPLY, Provider, Registry, Reply
from ._verdict import Timeline, View

if TYPE_CHECKING:
    from ._clock import Clock


class ErrorInjector:
    """Queues provider errors for the code under test and judges how it handled them.

    Call it to queue a fault: ``inject_error(429, retry_after=2, times=2)``. Calls queue in
    order; once the queue is empty, requests get the provider's success response.
    """

    def __init__(
        self,
        *,
        registry: Registry,
        provider: Provider,
        policy: Policy,
        queue: FaultQueue,
        timeline: Timeline,
        clock: Clock,
        view: Callable[[], View],
        limiter: Limiter | None = None,
    ) -> None:
        self._registry = registry
        self._provider = provider
        self.policy = policy
        self._queue = queue
        self._timeline = timeline
        self._view = view
        self._limiter = limiter if limiter is not None else Limiter()
        #: The fake clock (``now()``, ``advance(seconds)``).
        self.clock = clock
        self._reply = Reply.of(DEFAULT_REPLY, chosen=False)
        #: Rules the test's `assert_resilient` calls left out (``skip=``), for the report.
        self.skipped_rules: frozenset[str] = frozenset()

    def __call__(
        self,
        fault: int | str | Fault,
        /,
        *,
        times: int = 1,
        always: bool = False,
        provider: str | None = None,
        **options: Any,
    ) -> ErrorInjector:
        """Queue `fault` for the next `times` matching requests (or all, with `always`)."""
        __tracebackhide__ = True
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ValueError(f"times must be a whole number of at least 1, not {times!r}.")
        if not isinstance(always, bool):
            raise ValueError(f"always must be True or False, not {always!r}.")
        if provider is not None and not isinstance(provider, str):
            raise ValueError(
                f"provider must be a profile name (a str), not {provider!r}. "
                f"Valid providers: {', '.join(self._registry.names())}."
            )
        profile = self._registry.get(provider) if provider is not None else self._provider
        built = profile.fault(fault, self.policy, options)
        remaining = None if always else times
        self._queue.put(Queued(fault, built, remaining, options, pinned=provider is not None))
        return self

    @property
    def reply(self) -> str | dict[str, Any] | list[Any]:
        """What every success response says: a ``str`` (the text, ``"pong"`` unless set).

        A ``dict`` or ``list`` is sent as JSON: the message text, or a tool call's arguments
        when the request forces a tool. Until a test sets it, a request that forces a tool or
        asks for JSON output gets a tool call or JSON valid against the schema it sent.
        """
        value: str | dict[str, Any] | list[Any] = self._reply.value
        return value

    @reply.setter
    def reply(self, value: str | dict[str, Any] | list[Any]) -> None:
        __tracebackhide__ = True
        self._reply = Reply.of(value)

    @property
    def reply_text(self) -> Reply:
        """`reply` as the provider shapes receive it (a dict or list as compact JSON text)."""
        return self._reply

    @property
    def provider(self) -> Provider:
        """The profile the test runs against."""
        return self._provider

    # -- provider limits --------------------------------------------------------------

    def limit(
        self,
        preset: str | None = None,
        /,
        *,
        rpm: int | None = None,
        tpm: int | None = None,
        concurrency: int | None = None,
        spend: int | None = None,
        latency: float = 0.5,
        window: float = 60.0,
    ) -> ErrorInjector:
        """Make the provider stateful: admit requests against limits on the virtual clock.

        `rpm` requests and `tpm` tokens in any `window` seconds (sliding), `concurrency`
        requests in flight (each admitted request is answered `latency` virtual seconds
        later), `spend` tokens for the whole test. A request's tokens are its prompt
        characters / 4, rounded up, plus its ``max_tokens`` (``max_output_tokens``) when
        given. A request over a limit gets the profile's own 429 (its ``spend_ceiling``
        past `spend`) with Retry-After = whole seconds until the limits admit it; every
        answer carries the rate-limit headers. Requests a queued fault takes do not count.

        ``limit("documented")`` takes the limits the provider's reference documents
        (DeRouter: 60 requests per minute, 5 concurrent); keywords given override them.
        Calling it again replaces the limits; what was admitted still counts.
        """
        __tracebackhide__ = True
        given: dict[str, Any] = {
            name: value
            for name, value in (
                ("rpm", rpm),
                ("tpm", tpm),
                ("concurrency", concurrency),
                ("spend", spend),
            )
            if value is not None
        }
        given.update(latency=latency, window=window)
        self._limiter.configure(self._limits(preset, given))
        return self

    def _limits(self, preset: str | None, given: dict[str, Any]) -> Limits:
        __tracebackhide__ = True
        documenting = []
        if preset is not None:
            registry = self._registry
            documenting = [n for n in registry.names() if registry.get(n).documented_limits]
        return limits_from(
            preset,
            given,
            provider=self._provider.name,
            documented=self._provider.documented_limits,
            documenting=documenting,
        )

    @property
    def limits(self) -> Limits | None:
        """The limits the test set, ``None`` before `limit` is called."""
        return self._limiter.limits

    @property
    def load(self) -> Load:
        """The run against the limits: requests, admitted, rejected, duration, throughput
        (admitted per window) and peak concurrency."""
        return self._limiter.load()

    def assert_within_limits(self, max_rejected: float = 0.1) -> None:
        """Assert that at most `max_rejected` (a fraction) of requests were rejected by a limit."""
        __tracebackhide__ = True
        _verdict.assert_within_limits(self._view(), self.load, max_rejected)

    def assert_throughput(self, min_ratio: float = 0.8) -> None:
        """Assert that admitted requests per window reached `min_ratio` of the tightest limit.

        Judged only when the run sent more than one window's worth of that limit.
        """
        __tracebackhide__ = True
        _verdict.assert_throughput(self._view(), self.load, min_ratio)

    # -- the timeline -----------------------------------------------------------------

    @property
    def attempts(self) -> list[Attempt]:
        """Every request that reached the injector, in order."""
        return list(self._timeline.attempts)

    @property
    def delays(self) -> list[float]:
        """Fake seconds between consecutive attempts."""
        return self._timeline.delays

    @property
    def sleeps(self) -> list[float]:
        """Every sleep the code under test asked for, in seconds."""
        return [s.seconds for s in self._timeline.sleeps]

    def pending(self) -> list[Queued]:
        """Queued faults that no request has taken."""
        return self._queue.pending()

    # -- assertions -------------------------------------------------------------------

    def assert_attempts(self, n: int) -> None:
        """Assert that exactly `n` requests reached the injector."""
        __tracebackhide__ = True
        _verdict.assert_attempts(self._view(), n)

    def assert_retried(self, times: int | None = None) -> None:
        """Assert that the code retried (exactly `times` retries if given)."""
        __tracebackhide__ = True
        _verdict.assert_retried(self._view(), times)

    def assert_gave_up(self) -> None:
        """Assert no further request and no wait after a give-up error."""
        __tracebackhide__ = True
        _verdict.assert_gave_up(self._view())

    def assert_honoured_retry_after(self, tolerance: float = 0.05) -> None:
        """Assert every wait after a Retry-After was at least that long, less `tolerance`."""
        __tracebackhide__ = True
        _verdict.assert_honoured_retry_after(self._view(), tolerance)

    def assert_backed_off(self) -> None:
        """Assert waits without Retry-After grow like exponential backoff."""
        __tracebackhide__ = True
        _verdict.assert_backed_off(self._view())

    def assert_request_id_logged(self, level: int = logging.INFO, which: str = "final") -> None:
        """Assert the application logged the request id of the errors it gave up on."""
        __tracebackhide__ = True
        _verdict.assert_request_id_logged(self._view(), level, which)

    def assert_resilient(self, skip: Iterable[str] = ()) -> None:
        """Assert every rule of the policy holds for the whole timeline.

        `skip` names rules to leave out (``"budget"``, ``"give_up"``, ``"retry"``,
        ``"retry_after"``, ``"backoff"``, ``"request_id"``; a single ``str`` is one name), on
        top of the ``llm_errors_skip_rules`` ini option. An unknown name raises ``ValueError``.
        """
        __tracebackhide__ = True
        left_out = rule_names(skip)
        self.skipped_rules |= left_out
        _verdict.assert_resilient(self._view(), left_out)

    def __repr__(self) -> str:
        return (
            f"<ErrorInjector provider={self._provider.name!r} attempts={len(self.attempts)} "
            f"pending={len(self.pending())}>"
        )
