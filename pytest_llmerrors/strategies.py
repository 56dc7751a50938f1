"""Hypothesis strategies: random fault schedules, shrunk to the smallest one that breaks a client.

Needs hypothesis (``pip install "pytest-llmerrors[hypothesis]"``); nothing else in the package
imports this module. A drawn `Schedule` is a list of `Step` objects, each one
``inject_error(...)`` call; ``schedule.apply(inject_error)`` queues them all::

    from hypothesis import given, settings
    import pytest_llmerrors
    from pytest_llmerrors.strategies import fault_schedules

    @settings(deadline=None)
    @given(fault_schedules(provider="openai"))
    def test_client_survives_any_schedule(schedule):
        with pytest_llmerrors.injecting(provider="openai") as inject_error:
            schedule.apply(inject_error)
            my_app.ask_until_done(schedule.total)
        inject_error.assert_resilient()

Each example needs its own injector, so use `pytest_llmerrors.injecting` inside the test (the
``inject_error`` fixture is set up once per test, not once per example). When the client
breaks a rule, hypothesis shrinks the schedule: fewer steps, fewer repetitions, no
Retry-After, smaller waits, lower statuses first, so the report shows the smallest schedule
that still breaks it, such as ``Schedule(401)``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

try:
    from hypothesis import strategies as st
except ImportError as error:  # pragma: no cover - exercised only without hypothesis
    raise ImportError(
        'pytest_llmerrors.strategies needs hypothesis: pip install "pytest-llmerrors[hypothesis]"'
    ) from error

from ._faults import NETWORK_FAULTS
from ._policy import DEFAULT_GIVE_UP, DEFAULT_RETRYABLE
from ._providers import DEFAULT_REGISTRY

if TYPE_CHECKING:
    from ._injector import ErrorInjector

__all__ = ["RETRY_AFTER_FORMS", "Schedule", "Step", "fault_schedules"]

#: The forms of Retry-After a step can carry, as `fault_schedules(retry_after=...)` names them.
RETRY_AFTER_FORMS: tuple[str, ...] = ("seconds", "http_date", "ms")


@dataclass(frozen=True)
class Step:
    """One ``inject_error(...)`` call of a schedule: a fault, its repetitions, its Retry-After.

    At most one of the Retry-After fields is set. `retry_after_date` is an HTTP-date that
    many seconds (rounded up to a whole second, as HTTP-dates are) after the moment the
    schedule is applied, on the injector's clock: a date is absolute, so if the step is
    answered after other waits, less of it remains.
    """

    fault: int | str
    times: int = 1
    #: ``Retry-After: <seconds>``.
    retry_after: int | None = None
    #: ``retry-after-ms: <milliseconds>`` (the OpenAI-style SDKs read it first).
    retry_after_ms: int | None = None
    #: ``Retry-After: <HTTP-date>``, this many seconds after the schedule is applied.
    retry_after_date: int | None = None

    def apply(self, inject_error: ErrorInjector, now: _dt.datetime | None = None) -> None:
        """Queue this step on `inject_error`; `now` anchors an HTTP-date (default: its clock)."""
        __tracebackhide__ = True
        options: dict[str, Any] = {}
        if self.retry_after is not None:
            options["retry_after"] = self.retry_after
        if self.retry_after_ms is not None:
            options["retry_after_ms"] = self.retry_after_ms
        if self.retry_after_date is not None:
            start = now if now is not None else inject_error.clock.utcnow()
            when = start + _dt.timedelta(seconds=self.retry_after_date)
            options["retry_after"] = _ceil_to_second(when)
        inject_error(self.fault, times=self.times, **options)

    def __repr__(self) -> str:
        parts = [repr(self.fault)]
        if self.times != 1:
            parts.append(f"times={self.times}")
        for name in ("retry_after", "retry_after_ms", "retry_after_date"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}={value}")
        return f"Step({', '.join(parts)})"


def _ceil_to_second(when: _dt.datetime) -> _dt.datetime:
    whole = when.replace(microsecond=0)
    return whole if whole == when else whole + _dt.timedelta(seconds=1)


@dataclass(frozen=True)
class Schedule:
    """The faults one example queues, in order; drawn by `fault_schedules`."""

    steps: tuple[Step, ...]

    def apply(self, inject_error: ErrorInjector) -> ErrorInjector:
        """Queue every step on `inject_error`, in order; return it."""
        __tracebackhide__ = True
        now = inject_error.clock.utcnow()
        for step in self.steps:
            step.apply(inject_error, now)
        return inject_error

    @property
    def total(self) -> int:
        """The number of requests the schedule answers with a fault (the sum of ``times``)."""
        return sum(step.times for step in self.steps)

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)

    def __repr__(self) -> str:
        inner = ", ".join(
            repr(step.fault) if step == Step(step.fault) else repr(step) for step in self.steps
        )
        return f"Schedule({inner})"


def fault_schedules(
    provider: str = "openai",
    *,
    statuses: Iterable[int] | None = None,
    scenarios: Iterable[str] | None = None,
    network: bool = True,
    retry_after: Iterable[str] | bool = True,
    max_retry_after: int = 30,
    min_steps: int = 1,
    max_steps: int = 4,
    max_times: int = 3,
) -> st.SearchStrategy[Schedule]:
    """Return a strategy for fault schedules of `provider`, to feed to ``inject_error``.

    Each step is an HTTP status from `statuses` (default: every status the default policy
    names, give-up and retryable, lowest first), a catalog scenario from `scenarios` (names of
    `provider`'s catalog; stream faults need a streaming client), or, with `network`, a
    network fault (``connect_error``, ``connect_timeout``, ``read_timeout``). A status step
    may carry a Retry-After in the forms `retry_after` allows (``True``: all of
    `RETRY_AFTER_FORMS`; ``False``: none), up to `max_retry_after` seconds. A schedule has
    `min_steps` to `max_steps` steps, each repeated 1 to `max_times` times.

    Shrinking moves towards fewer and earlier steps, ``times=1``, no Retry-After and shorter
    waits, so a failing test reports the smallest schedule that still breaks the client.
    Raises ``ValueError`` naming the valid choices on a bad argument.
    """
    profile = DEFAULT_REGISTRY.get(provider)  # ValueError naming the valid providers
    if statuses is None:
        chosen = sorted(DEFAULT_GIVE_UP | DEFAULT_RETRYABLE)
    else:
        chosen = list(statuses)
        bad = [s for s in chosen if type(s) is not int or not 400 <= s <= 599]
        if bad:
            raise ValueError(f"statuses must be HTTP error statuses 400-599, not {bad!r}.")
    names = [] if scenarios is None else list(scenarios)
    for name in names:
        profile.scenario(name)  # ValueError naming the valid scenarios
    if network:
        names += [n for n in NETWORK_FAULTS if n not in names]
    forms = _forms(retry_after)
    for name, value, low in (
        ("max_retry_after", max_retry_after, 0),
        ("min_steps", min_steps, 0),
        ("max_steps", max_steps, 1),
        ("max_times", max_times, 1),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{name} must be a whole number of at least {low}, not {value!r}.")
    if min_steps > max_steps:
        raise ValueError(f"min_steps ({min_steps}) must not exceed max_steps ({max_steps}).")
    if not chosen and not names:
        raise ValueError("fault_schedules needs statuses, scenarios or network=True to draw from.")

    times = st.integers(1, max_times)
    kinds: list[st.SearchStrategy[Step]] = []
    if chosen:
        kinds.append(
            st.builds(
                _status_step, st.sampled_from(chosen), times, _retry_afters(forms, max_retry_after)
            )
        )
    if names:
        kinds.append(st.builds(Step, st.sampled_from(names), times))
    steps = st.lists(st.one_of(kinds), min_size=min_steps, max_size=max_steps)
    return steps.map(lambda drawn: Schedule(tuple(drawn)))


def _forms(retry_after: Iterable[str] | bool) -> tuple[str, ...]:
    if retry_after is True:
        return RETRY_AFTER_FORMS
    if retry_after is False:
        return ()
    if isinstance(retry_after, str):
        retry_after = [retry_after]
    forms = tuple(retry_after)
    unknown = [f for f in forms if f not in RETRY_AFTER_FORMS]
    if unknown:
        raise ValueError(
            f"Unknown Retry-After form(s) {unknown!r}. Valid forms: "
            f"{', '.join(RETRY_AFTER_FORMS)} (or True for all, False for none)."
        )
    return forms


def _retry_afters(forms: Sequence[str], ceiling: int) -> st.SearchStrategy[tuple[str, int] | None]:
    """Draw no Retry-After (shrinks here), or one of `forms` with a value up to `ceiling` s."""
    options: list[st.SearchStrategy[tuple[str, int] | None]] = [st.none()]
    for form in forms:
        top = ceiling * 1000 if form == "ms" else ceiling
        low = 1 if form == "http_date" else 0  # a date of "now" is past by the time it is read
        options.append(st.tuples(st.just(form), st.integers(low, max(low, top))))
    return st.one_of(options)


def _status_step(status: int, times: int, retry_after: tuple[str, int] | None) -> Step:
    if retry_after is None:
        return Step(status, times)
    form, value = retry_after
    if form == "seconds":
        return Step(status, times, retry_after=value)
    if form == "ms":
        return Step(status, times, retry_after_ms=value)
    return Step(status, times, retry_after_date=value)
