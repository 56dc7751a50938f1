"""Calls and waits: how a timeline's attempts group into calls, and how long the code waited.

A *call* is one logical request and its retries. A retry repeats the same method, URL and
body, so an attempt joins the most recent *open* call with that (method, URL, body) — open
meaning its last attempt was answered with an injected error — of the same thread/task, else
of a task that sent nothing after it (a retry handed to a new task, as ``asyncio.wait_for``
does on Python 3.11; never a concurrent task's first attempt); otherwise it starts a new
call. An attempt after a success starts a new call.
A different ``Idempotency-Key`` marks a different call. The SDKs' ``x-stainless-retry-count``
is not believed: an application that retries around an SDK built with ``max_retries=0``
(tenacity around the client, a common setup) sends ``0`` on every attempt, and those are
retries all the same. So the same request sent again by the same task after an error is read
as a retry: to judge two separate calls with the same request, send them from different tests.

The *wait* before attempt k+1 of a call is the sum of the sleeps the task that sent it made
between the end of attempt k (``ended_at``, after any fake latency) and the start of attempt
k+1. Sleeps of 0 s are yields to the event loop, not waits. The fake clock is global, so with
threads or ``asyncio.gather`` every sleeper moves it and clock differences add up everybody's
sleeps: the task's own sleeps are the truth. When the task recorded no sleep in that window
(``fake_time=False``, or a retry loop that sleeps in another task than the one sending), the
wait is the clock difference, less the sleeps recorded in the window by the other tasks that
send requests (concurrent calls backing off on the shared clock).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .._exchange import header
from .._faults import Attempt
from ._timeline import Sleep

#: Slack for comparing clock readings that went through float arithmetic.
_EPSILON = 1e-9


@dataclass
class Call:
    """One logical request and its retries, in order."""

    #: 1-based, in order of the calls' first attempts.
    number: int
    attempts: list[Attempt] = field(default_factory=list)
    #: ``waits[i]``: seconds waited between ``attempts[i]`` and ``attempts[i + 1]``.
    waits: list[float] = field(default_factory=list)

    @property
    def first(self) -> Attempt:
        """The call's first attempt."""
        return self.attempts[0]

    @property
    def last(self) -> Attempt:
        """The call's last attempt."""
        return self.attempts[-1]

    @property
    def retries(self) -> int:
        """Attempts after the first."""
        return len(self.attempts) - 1

    @property
    def total_wait(self) -> float:
        """Seconds waited between the call's attempts, in all."""
        return sum(self.waits)

    @property
    def open(self) -> bool:
        """Whether a retry may still follow: the last attempt was answered with an error."""
        return self.last.injected

    def after(self, attempt: Attempt) -> tuple[Attempt, float] | None:
        """Return the attempt that followed `attempt` in this call and the wait before it."""
        position = self.attempts.index(attempt)
        if position + 1 >= len(self.attempts):
            return None
        return self.attempts[position + 1], self.waits[position]


@dataclass
class Calls:
    """The calls of one timeline, and the sleeps they were measured with."""

    calls: list[Call]
    attempts: list[Attempt]
    sleeps: list[Sleep]
    _by_index: dict[int, Call] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_index = {a.index: call for call in self.calls for a in call.attempts}

    def of(self, attempt: Attempt) -> Call:
        """Return the call `attempt` belongs to."""
        return self._by_index[attempt.index]

    def slept_after(self, attempt: Attempt) -> float:
        """Return what the task of `attempt` slept after it and before its next attempt.

        For the last attempt of a call: a wait the code made before giving up (or before
        moving on to other work, which a give-up error should not delay either).
        """
        later = [a.at for a in self.attempts if a.task == attempt.task and a.index > attempt.index]
        until = min(later) if later else float("inf")
        return sum(
            s.seconds
            for s in self.sleeps
            if s.task == attempt.task
            and s.seconds > 0
            and attempt.ended_at - _EPSILON <= s.at
            and s.at + s.seconds <= until + _EPSILON
        )


def group_calls(attempts: Iterable[Attempt], sleeps: Sequence[Sleep]) -> Calls:
    """Group `attempts` into calls and measure the waits between their attempts."""
    ordered = sorted(attempts, key=lambda a: a.index)
    last_of_task = {a.task: a.index for a in ordered}
    senders = set(last_of_task)
    calls: list[Call] = []
    for attempt in ordered:
        call = _open_call_for(attempt, calls, last_of_task)
        if call is None:
            call = Call(number=len(calls) + 1)
            calls.append(call)
        else:
            call.waits.append(wait_between(call.last, attempt, sleeps, senders))
        call.attempts.append(attempt)
    return Calls(calls, ordered, list(sleeps))


def wait_between(
    earlier: Attempt, later: Attempt, sleeps: Sequence[Sleep], senders: Iterable[str] = ()
) -> float:
    """Return the seconds the code waited between the end of `earlier` and `later`.

    `senders` are the tasks that sent attempts: when the retrying task recorded no sleep in
    the gap, their sleeps are taken off the clock difference (concurrent calls backing off),
    while sleeps of other tasks (a coordinator retrying around ``asyncio.wait_for``) count.
    """
    start, end = earlier.ended_at - _EPSILON, later.at + _EPSILON
    # A sleep belongs to the gap when it began after the answer and ended before the retry.
    window = [s for s in sleeps if s.seconds > 0 and start <= s.at and s.at + s.seconds <= end]
    tasks = {earlier.task, later.task}
    own = [s.seconds for s in window if s.task in tasks]
    if own:
        return sum(own)
    concurrent = set(senders) - tasks
    others = sum(s.seconds for s in window if s.task in concurrent)
    return max(0.0, later.at - earlier.ended_at - others)


def _open_call_for(
    attempt: Attempt, calls: list[Call], last_of_task: dict[str, int]
) -> Call | None:
    key = _key(attempt)
    key_id = header(attempt.headers, "idempotency-key")
    candidates = [
        call
        for call in calls
        if call.open
        and _key(call.last) == key
        and (key_id is None or header(call.last.headers, "idempotency-key") in (None, key_id))
    ]
    same_task = [call for call in candidates if call.last.task == attempt.task]
    # Another task's call is only continued once that task has stopped sending: a retry
    # handed to a new task (asyncio.wait_for on Python 3.11), not a concurrent first attempt.
    handed_over = [call for call in candidates if last_of_task[call.last.task] == call.last.index]
    pool = same_task or handed_over
    return max(pool, key=lambda call: call.last.index) if pool else None


def _key(attempt: Attempt) -> tuple[str, str, bytes]:
    return attempt.method.upper(), attempt.url, attempt.body
