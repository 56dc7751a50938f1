"""The resilience policy: which errors to retry, which to give up on, and the budgets."""

from __future__ import annotations

import datetime as _dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # types only: the plugin imports this module at start-up, keep it light
    from typing import TypeAlias

    from ._faults import Classification, Fault

#: Statuses no retry can fix (from the seeds: bad request, auth, billing, permission, ...).
DEFAULT_GIVE_UP: frozenset[int] = frozenset({400, 401, 402, 403, 404, 413, 422})
#: Statuses worth retrying with backoff.
DEFAULT_RETRYABLE: frozenset[int] = frozenset({408, 409, 424, 429, 500, 502, 503, 504, 529})
DEFAULT_MAX_ATTEMPTS = 10
DEFAULT_MAX_TOTAL_WAIT = 300.0
#: The rules of `assert_resilient`, by the names ``skip=`` and ``llm_errors_skip_rules`` take.
RULES: tuple[str, ...] = ("budget", "give_up", "retry", "retry_after", "backoff", "request_id")

if TYPE_CHECKING:
    #: The ``pytest_llmerrors_policy`` hook as the policy calls it: (provider, scenario) to a
    #: classification, or ``None`` to keep the scenario's own.
    PolicyHook: TypeAlias = Callable[[str, Fault], Classification | None]


@dataclass(frozen=True)
class Policy:
    """What a resilient client does, and the budgets it must stay within (per call)."""

    give_up: frozenset[int] = DEFAULT_GIVE_UP
    retryable: frozenset[int] = DEFAULT_RETRYABLE
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    max_total_wait: float = DEFAULT_MAX_TOTAL_WAIT
    request_id_level: int = logging.INFO
    #: Rules `assert_resilient` leaves out (names from `RULES`), for every test.
    skip_rules: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        # Checked where the policy is made (also `injecting(policy=...)`), and kept as a
        # frozenset whatever iterable of names was given.
        object.__setattr__(self, "skip_rules", rule_names(self.skip_rules))

    def classify_status(self, status: int) -> Classification:
        """Return how a plain error with `status` is classified."""
        if status in self.give_up:
            return "give_up"
        if status in self.retryable or status >= 500:
            return "retry"
        return "give_up"

    def classify(
        self, provider: str, fault: Fault, hook: PolicyHook | None = None
    ) -> Classification:
        """Return how `fault` is classified: by `hook` if it answers, else by the scenario.

        A Retry-After longer than the wait budget turns a retry into a
        ``retry_after_window``: giving up at once is then as right as waiting. An HTTP-date
        is measured from now, which inside a test is the fake clock.
        """
        override = hook(provider, fault) if hook is not None else None
        if override is not None:
            return override
        return self.within_budget(fault.classification, fault_wait(fault))

    def within_budget(
        self, classification: Classification, retry_after: float | None
    ) -> Classification:
        """Return `classification`, made ``retry_after_window`` when the wait asked is too long."""
        if classification == "retry" and retry_after is not None:
            if retry_after > self.max_total_wait:
                return "retry_after_window"
        return classification


def rule_names(names: object) -> frozenset[str]:
    """Return `names` as a set of rule names, or raise ``ValueError`` naming the valid ones.

    `names` is an iterable of names from `RULES`; a single ``str`` is one name, not a list of
    its letters.
    """
    if isinstance(names, str):
        names = (names,)
    if not isinstance(names, Iterable):
        raise ValueError(
            f'Rules to skip are rule names, like skip=("request_id",), not {names!r}. '
            f"Valid rules: {', '.join(RULES)}."
        )
    chosen = list(names)
    unknown = [name for name in chosen if not isinstance(name, str) or name not in RULES]
    if unknown:
        raise ValueError(
            f"Unknown rule(s) {', '.join(map(repr, unknown))}. Valid rules: {', '.join(RULES)}."
        )
    return frozenset(name for name in chosen if isinstance(name, str))


def wait_asked(
    retry_after_ms: str | float | None,
    retry_after: str | float | _dt.datetime | None,
    now: _dt.datetime | None = None,
) -> float | None:
    """Return the seconds a response asks the client to wait, read as the SDKs read it.

    ``retry-after-ms`` first (the OpenAI-style SDKs prefer it), then Retry-After in seconds
    or as an HTTP-date (a string or a ``datetime``), measured from `now` (default: the
    current time, fake inside a test). An unreadable value counts as absent.
    """
    if retry_after_ms is not None:
        try:
            return float(retry_after_ms) / 1000
        except ValueError:
            pass
    if retry_after is None:
        return None
    when = retry_after
    if isinstance(when, str):
        try:
            return float(when)
        except ValueError:
            import email.utils  # an HTTP-date: rare, and email costs 8 ms to import

            try:
                when = email.utils.parsedate_to_datetime(when)
            except (TypeError, ValueError):
                return None
    if not isinstance(when, _dt.datetime):
        return float(when)
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    start = now or _dt.datetime.now(_dt.timezone.utc)
    return max(0.0, (when - start).total_seconds())


def fault_wait(fault: Fault, now: _dt.datetime | None = None) -> float | None:
    """Return the seconds `fault` asks the client to wait (see `wait_asked`)."""
    return wait_asked(fault.retry_after_ms, fault.retry_after, now)
