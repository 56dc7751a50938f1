"""The assertions of `ErrorInjector`: each judges the timeline by its rule (`._rules`).

A rule that saw nothing to judge fails and says so; a broken rule fails with one sentence
per violation, then the attempt timeline. `assert_resilient` ends its failure with how to
leave the broken rules out (`skip_hint`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from .._faults import Attempt
from .._policy import RULES, Policy, rule_names
from ._calls import Calls, group_calls
from ._messages import NO_REQUEST, failure, format_table, plural, rule_of
from ._request_ids import request_id_problems, request_id_targets
from ._rules import (
    GIVE_UP_KINDS,
    backoff_problems,
    backoff_waits,
    gave_up_problems,
    judged,
    resilience_problems,
    retry_after_errors,
    retry_after_problems,
)
from ._timeline import Sleep

__all__ = [
    "View",
    "assert_attempts",
    "assert_backed_off",
    "assert_gave_up",
    "assert_honoured_retry_after",
    "assert_request_id_logged",
    "assert_resilient",
    "assert_retried",
    "format_timeline",
    "problems",
]


@dataclass(frozen=True)
class View:
    """What the rules judge: the timeline of one test and its policy."""

    attempts: list[Attempt]
    sleeps: list[Sleep]
    records: list[logging.LogRecord]
    policy: Policy


def format_timeline(view: View) -> str:
    """Return the attempt timeline as an aligned table (index, time, request, answer, ...)."""
    return format_table(group_calls(view.attempts, view.sleeps))


def _fail(calls: Calls, problems: list[str], hint: str = "") -> None:
    __tracebackhide__ = True
    if problems:
        raise AssertionError(failure(problems, calls, hint))


def _calls(view: View) -> Calls:
    __tracebackhide__ = True
    if not view.attempts:
        raise AssertionError(NO_REQUEST)
    return group_calls(view.attempts, view.sleeps)


# -- the assertions ---------------------------------------------------------------------------


def assert_attempts(view: View, n: int) -> None:
    """Assert that exactly `n` requests reached the injector."""
    __tracebackhide__ = True
    if not view.attempts and n == 0:
        return
    calls = _calls(view)
    if len(calls.attempts) != n:
        _fail(calls, [f"Expected {plural(n, 'attempt')}, saw {len(calls.attempts)}."])


def assert_retried(view: View, times: int | None) -> None:
    """Assert that some call retried; with `times`, that all calls retried `times` in total."""
    __tracebackhide__ = True
    calls = _calls(view)
    total = sum(call.retries for call in calls.calls)
    if times is None:
        if total == 0:
            _fail(
                calls,
                [
                    f"Expected the code to retry, but each of its "
                    f"{plural(len(calls.calls), 'call')} made a single attempt."
                ],
            )
        return
    if total != times:
        per_call = "; ".join(
            f"call {call.number}: {call.retries}" for call in calls.calls if call.retries
        )
        detail = f" ({per_call})" if per_call else ""
        _fail(
            calls,
            [
                f"Expected exactly {times} {'retry' if times == 1 else 'retries'} "
                f"(attempts after the first of each call, summed over calls), saw "
                f"{total}{detail}."
            ],
        )


def assert_gave_up(view: View) -> None:
    """Assert no further attempt and no wait after every give-up error."""
    __tracebackhide__ = True
    calls = _calls(view)
    if not any(judged(a, view.policy) in GIVE_UP_KINDS for a in calls.attempts):
        _fail(
            calls,
            [
                "assert_gave_up saw nothing to judge: no attempt was answered with a give-up "
                "error (400, 401, 402, ... or a Retry-After longer than the wait budget). "
                "Queue one, e.g. inject_error(401)."
            ],
        )
    _fail(calls, gave_up_problems(calls, view.policy, GIVE_UP_KINDS))


def assert_honoured_retry_after(view: View, tolerance: float) -> None:
    """Assert every wait after a Retry-After lasted that long, less `tolerance` seconds."""
    __tracebackhide__ = True
    calls = _calls(view)
    if not retry_after_errors(calls.attempts, view.policy):
        _fail(
            calls,
            [
                "assert_honoured_retry_after saw nothing to judge: no response carried "
                "Retry-After (on an error worth retrying). Queue one, e.g. "
                "inject_error(429, retry_after=2)."
            ],
        )
    _fail(calls, retry_after_problems(calls, tolerance, view.policy))


def assert_backed_off(view: View) -> None:
    """Assert the waits after errors without Retry-After grow like backoff, none zero."""
    __tracebackhide__ = True
    calls = _calls(view)
    counts = [len(backoff_waits(call, view.policy)) for call in calls.calls]
    found = backoff_problems(calls, view.policy)
    if max(counts) < 2 and not found:  # a single wait of 0 s is judged: it is no backoff
        _fail(
            calls,
            [
                f"assert_backed_off saw nothing to judge: it needs a call with at least two "
                f"waits after retryable errors without Retry-After, and saw {max(counts)} at "
                f"most per call ({sum(counts)} in all). Queue more, e.g. "
                f"inject_error(500, times=3)."
            ],
        )
    _fail(calls, found)


def assert_request_id_logged(view: View, level: int, which: str) -> None:
    """Assert the application logged the request id of the errors it gave up on (or all)."""
    __tracebackhide__ = True
    if which not in ("final", "all"):
        raise ValueError(f'which must be "final" or "all", not {which!r}.')
    calls = _calls(view)
    targets = request_id_targets(calls, which)
    if not targets:
        what = (
            "no call ended in an error carrying a request id (every call recovered, or "
            'ended in a network fault, which carries none); which="all" also checks the '
            "errors the code retried"
            if which == "final"
            else "no injected error carried a request id"
        )
        _fail(calls, [f"assert_request_id_logged saw nothing to judge: {what}."])
    _fail(calls, request_id_problems(calls, view.records, level, targets))


def problems(view: View, skip: Iterable[str] = ()) -> list[str]:
    """Return every broken rule of the policy, one sentence each (empty: resilient).

    The timeline must have at least one attempt. The rules in `skip` and in the policy's
    ``skip_rules`` are left out.
    """
    calls = group_calls(view.attempts, view.sleeps)
    return resilience_problems(calls, view.policy, view.records, rule_names(skip))


def assert_resilient(view: View, skip: Iterable[str] = ()) -> None:
    """Assert every rule of the policy that the timeline gives something to judge.

    The rules in `skip` (names from `RULES`; one ``str`` is one name) and in the policy's
    ``skip_rules`` are left out; an unknown name raises ``ValueError`` naming the valid ones.
    """
    __tracebackhide__ = True
    left_out = rule_names(skip)
    calls = _calls(view)
    broken = resilience_problems(calls, view.policy, view.records, left_out)
    _fail(calls, broken, skip_hint(broken))


def skip_hint(problems: Iterable[str]) -> str:
    """Return how to leave out the rules `problems` broke, or ``""`` when they name none."""
    broken = {rule_of(problem) for problem in problems}
    names = [rule for rule in RULES if rule in broken]
    if not names:
        return ""
    listed = ", ".join(f'"{name}"' for name in names) + ("," if len(names) == 1 else "")
    return (
        f"Each line names its rule in brackets. To leave rules out: "
        f"inject_error.assert_resilient(skip=({listed})), or for the whole suite the ini "
        f"option llm_errors_skip_rules = {' '.join(names)}."
    )
