"""The resilience policy: which errors to retry, which to give up on, and the budgets."""

from __future__ import annotations

import datetime as _dt
import logging
from dataclasses import dataclass, field

from ._faults import Classification, Fault

#: Statuses no retry can fix (from the seeds: bad request, auth, billing, permission, ...).
DEFAULT_GIVE_UP: frozenset[int] = frozenset({400, 401, 402, 403, 404, 413, 422})
#: Statuses worth retrying with backoff.
DEFAULT_RETRYABLE: frozenset[int] = frozenset({408, 409, 424, 429, 500, 502, 503, 504, 529})
DEFAULT_MAX_ATTEMPTS = 10
DEFAULT_MAX_TOTAL_WAIT = 300.0


@dataclass(frozen=True)
class Policy:
    """What a resilient client does, and the budgets it must stay within (per call)."""

    give_up: frozenset[int] = DEFAULT_GIVE_UP
    retryable: frozenset[int] = DEFAULT_RETRYABLE
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    max_total_wait: float = DEFAULT_MAX_TOTAL_WAIT
    request_id_level: int = logging.INFO
    #: Per-scenario overrides from the ``pytest_llmerrors_policy`` hook, by (provider, name).
    overrides: dict[tuple[str, str], Classification] = field(default_factory=dict)

    def classify_status(self, status: int) -> Classification:
        """Return how a plain error with `status` is classified."""
        if status in self.give_up:
            return "give_up"
        if status in self.retryable or status >= 500:
            return "retry"
        return "give_up"

    def classify(self, provider: str, fault: Fault) -> Classification:
        """Return how `fault` is classified: an override, else the scenario's own.

        A Retry-After longer than the wait budget turns a retry into a
        ``retry_after_window``: giving up at once is then as right as waiting. An HTTP-date
        is measured from now, which inside a test is the fake clock.
        """
        override = self.overrides.get((provider, fault.name))
        if override is not None:
            return override
        return self.within_budget(fault.classification, retry_after_seconds(fault))

    def within_budget(
        self, classification: Classification, retry_after: float | None
    ) -> Classification:
        """Return `classification`, made ``retry_after_window`` when the wait asked is too long."""
        if classification == "retry" and retry_after is not None:
            if retry_after > self.max_total_wait:
                return "retry_after_window"
        return classification


def retry_after_seconds(fault: Fault, now: _dt.datetime | None = None) -> float | None:
    """Return the seconds `fault` asks the client to wait, read as the SDKs read it.

    ``retry-after-ms`` first (the OpenAI-style SDKs prefer it), then Retry-After in seconds
    or as a date, measured from `now` (default: the current time, fake inside a test).
    """
    if fault.retry_after_ms is not None:
        return fault.retry_after_ms / 1000
    if isinstance(fault.retry_after, _dt.datetime):
        when = fault.retry_after
        if when.tzinfo is None:
            when = when.replace(tzinfo=_dt.timezone.utc)
        start = now or _dt.datetime.now(_dt.timezone.utc)
        return max(0.0, (when - start).total_seconds())
    return None if fault.retry_after is None else float(fault.retry_after)
