"""Calls and waits: how a timeline's attempts group into calls, and how long the code waited.

A *call* is one logical request and its retries. A retry repeats the same method, URL and
body, and is sent by the same thread or asyncio task: an attempt joins the most recent *open*
call (its last attempt was answered with an injected error) with that (method, URL, body) of
its own thread/task; otherwise it starts a new call. An attempt after a success starts a new
call, and so does a different ``Idempotency-Key``. Identical requests from different threads
or tasks are different calls, with one exception: a retry handed to a new asyncio task of the
same thread (a loop around ``asyncio.wait_for``, which runs each attempt in a task of its own
on Python 3.11) continues a call whose task sent nothing after it, unless that call ended on
a give-up error. Another thread's attempt never joins a call.

The SDKs' own retry counter (``x-stainless-retry-count``, sent by the openai and anthropic
SDKs) says more, where present:

* a counter of n > 0 is the SDK's n-th retry: it continues the call of its thread/task whose
  last attempt carried n - 1, and nothing else;
* a counter of 0 is a new SDK call. It still continues its thread/task's call whose last
  attempt carried 0 and was answered with an error worth retrying: that is an application
  retrying around an SDK built with ``max_retries=0`` (tenacity around the client, a common
  setup), which sends 0 on every attempt. After a counter above 0, or after a give-up error
  (no SDK resends those), a 0 is the thread's next call (a pooled worker's next request is
  not read as a retry of its last one), unless it was *resent*: sent from inside a frame
  still running since the thread/task's last attempt, the deepest such frame being the
  application's or a retry library's (tenacity, litellm), not a pool's or an event loop's,
  and not test code: the test's module, a conftest, a test file (``Attempt.resent``,
  `.._interception._sites`);
* an attempt without the counter never continues a call whose attempts carry it, and the
  other way round (a different client).

So a retry loop around an SDK that retries too is read as one call per SDK call, except that
a give-up error it resends joins the call it resends (one ``give_up`` violation). What
neither the counter nor the sending frame can tell apart: identical requests that one thread
sends one after another read as retries through a client that sends no counter (after any
error), and through an SDK built with ``max_retries=0`` (after an error worth retrying); an
application's own worker loop sending identical requests after a give-up error reads as
resending it (a loop in test code is the test calling again). To judge such calls
separately, give them different bodies or send them from different tests.

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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from .._exchange import header
from .._exchange import retry_count as _retry_count
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
    # What grouping compares, read once per attempt (header lookups are the cost).
    facts = {
        id(a): _Facts(_key(a), header(a.headers, "idempotency-key"), retry_count(a))
        for a in ordered
    }
    calls: list[Call] = []
    for attempt in ordered:
        call = _open_call_for(attempt, calls, last_of_task, facts)
        if call is None:
            call = Call(number=len(calls) + 1)
            calls.append(call)
        else:
            call.waits.append(wait_between(call.last, attempt, sleeps, senders))
        call.attempts.append(attempt)
    return Calls(calls, ordered, list(sleeps))


class _Facts(NamedTuple):
    """What tells an attempt's call: its request, idempotency key and SDK retry counter."""

    key: tuple[str, str, bytes]
    idempotency_key: str | None
    counter: int | None


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
    attempt: Attempt,
    calls: list[Call],
    last_of_task: dict[str, int],
    facts: Mapping[int, _Facts],
) -> Call | None:
    mine = facts[id(attempt)]
    key_id, count = mine.idempotency_key, mine.counter
    candidates = []
    for call in calls:
        if not call.open:
            continue
        theirs = facts[id(call.last)]
        if (
            theirs.key == mine.key
            and (key_id is None or theirs.idempotency_key in (None, key_id))
            and _continues(count, theirs.counter, call.last, attempt)
        ):
            candidates.append(call)
    same_task = [call for call in candidates if call.last.task == attempt.task]
    if same_task:
        return max(same_task, key=lambda call: call.last.index)
    if count not in (None, 0):
        return None  # the SDK retries in the task that sent the first attempt
    # A retry handed to a new task of the same event loop (asyncio.wait_for on Python 3.11)
    # comes once the previous task has stopped sending: never a concurrent first attempt,
    # never another thread's, and never after a give-up error (the previous call ended there).
    handed_over = [
        call
        for call in candidates
        if _thread(call.last.task) == _thread(attempt.task)
        and last_of_task[call.last.task] == call.last.index
        and call.last.classification != "give_up"
    ]
    return max(handed_over, key=lambda call: call.last.index) if handed_over else None


def _continues(count: int | None, before: int | None, last: Attempt, attempt: Attempt) -> bool:
    """Whether `attempt`, carrying retry counter `count`, may follow `last` (which carried
    `before`) in its call."""
    if count is None or before is None:
        return count is None and before is None
    if count > 0:
        return before == count - 1
    # 0 after 0: a loop around an SDK with max_retries=0. No SDK resends a give-up error, so
    # after one the 0 is the worker's next call, unless the application's own retry loop
    # sent it again from where it sent the last (`Attempt.resent`).
    return before == 0 and (last.classification != "give_up" or attempt.resent)


def retry_count(attempt: Attempt) -> int | None:
    """Return the SDK's retry counter of `attempt` (``x-stainless-retry-count``), if sent."""
    return _retry_count(attempt.headers)


def _thread(task: str) -> str:
    """Return the thread part of a `current_task` id (``thread`` or ``thread/task``)."""
    return task.partition("/")[0]


def _key(attempt: Attempt) -> tuple[str, str, bytes]:
    return attempt.method.upper(), attempt.url, attempt.body
