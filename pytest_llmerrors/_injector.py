"""`ErrorInjector`: the object behind the ``inject_error`` fixture."""

from __future__ import annotations

import datetime as _dt
import logging
import math
from collections.abc import Callable, Mapping
from typing import Any

from . import _assertions
from ._faults import FAULT_OPTIONS, Attempt, Fault
from ._logs import LogCapture
from ._policy import Policy
from ._providers import Registry
from ._providers._profile import Provider
from ._queue import FaultQueue, Queued
from ._timeline import Timeline


def build_fault(
    spec: int | str | Fault,
    provider: Provider,
    policy: Policy,
    options: Mapping[str, Any],
) -> Fault:
    """Turn what the test asked for into a `Fault` of `provider`, with `options` applied."""
    __tracebackhide__ = True
    unknown = sorted(set(options) - set(FAULT_OPTIONS))
    if unknown:
        raise ValueError(
            f"Unknown option(s) {', '.join(map(repr, unknown))} for inject_error. "
            f"Valid options: times, always, provider, {', '.join(FAULT_OPTIONS)}."
        )
    if isinstance(spec, Fault):
        fault = spec
    elif isinstance(spec, bool) or not isinstance(spec, (int, str)):
        raise ValueError(
            f"inject_error takes an HTTP status (int 400-599), a scenario name (str) or a "
            f"pytest_llmerrors.Fault, not {spec!r}."
        )
    elif isinstance(spec, int):
        fault = provider.for_status(spec, policy.classify_status(spec))
    else:
        fault = provider.scenario(spec)
    changes = dict(options)
    _check_options(changes)
    if "headers" in changes:
        changes["headers"] = {**fault.headers, **dict(changes["headers"])}
    return fault.replace(**changes) if changes else fault


def _check_options(options: Mapping[str, Any]) -> None:
    """Reject option values of the wrong type here, before they break a response later."""
    __tracebackhide__ = True
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
        timeline: Timeline,
        clock: Any,
        logs: LogCapture,
    ) -> None:
        self._registry = registry
        self._provider = provider
        self.policy = policy
        self._timeline = timeline
        self._queue = FaultQueue()
        self._logs = logs
        #: The fake clock (``now()``, ``advance(seconds)``).
        self.clock = clock
        #: The text of every success response.
        self.reply = "pong"

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
        built = build_fault(fault, profile, self.policy, options)
        reshape: Callable[[Provider], Fault] | None = None
        if provider is None and not isinstance(fault, Fault):
            policy = self.policy

            def reshape(other: Provider) -> Fault:
                try:
                    return build_fault(fault, other, policy, options)
                except ValueError:
                    return built

        self._queue.put(Queued(built, None if always else times, reshape))
        return self

    # -- what the transport reads ------------------------------------------------------

    @property
    def queue(self) -> FaultQueue:
        """The fault queue (a fault source of the dispatcher)."""
        return self._queue

    @property
    def provider(self) -> Provider:
        """The profile the test runs against."""
        return self._provider

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

    @property
    def timeline(self) -> Timeline:
        """The raw timeline: attempts and timed sleeps."""
        return self._timeline

    def pending(self) -> list[Queued]:
        """Queued faults that no request has taken."""
        return self._queue.pending()

    # -- assertions -------------------------------------------------------------------

    def view(self) -> _assertions.View:
        """Return what the rules judge: the timeline so far, the log records, the policy."""
        return self._view()

    def _view(self) -> _assertions.View:
        return _assertions.View(
            attempts=self.attempts,
            sleeps=list(self._timeline.sleeps),
            records=self._logs.records,
            policy=self.policy,
        )

    def assert_attempts(self, n: int) -> None:
        """Assert that exactly `n` requests reached the injector."""
        __tracebackhide__ = True
        _assertions.assert_attempts(self._view(), n)

    def assert_retried(self, times: int | None = None) -> None:
        """Assert that the code retried (exactly `times` retries if given)."""
        __tracebackhide__ = True
        _assertions.assert_retried(self._view(), times)

    def assert_gave_up(self) -> None:
        """Assert no further request and no wait after a give-up error."""
        __tracebackhide__ = True
        _assertions.assert_gave_up(self._view())

    def assert_honoured_retry_after(self, tolerance: float = 0.05) -> None:
        """Assert every wait after a Retry-After was at least that long, less `tolerance`."""
        __tracebackhide__ = True
        _assertions.assert_honoured_retry_after(self._view(), tolerance)

    def assert_backed_off(self) -> None:
        """Assert waits without Retry-After grow like exponential backoff."""
        __tracebackhide__ = True
        _assertions.assert_backed_off(self._view())

    def assert_request_id_logged(self, level: int = logging.INFO, which: str = "final") -> None:
        """Assert the application logged the request id of the errors it gave up on."""
        __tracebackhide__ = True
        _assertions.assert_request_id_logged(self._view(), level, which)

    def assert_resilient(self) -> None:
        """Assert every rule of the policy holds for the whole timeline."""
        __tracebackhide__ = True
        _assertions.assert_resilient(self._view())

    def __repr__(self) -> str:
        return (
            f"<ErrorInjector provider={self._provider.name!r} attempts={len(self.attempts)} "
            f"pending={len(self.pending())}>"
        )
