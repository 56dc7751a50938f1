"""The scheduler of virtual time: concurrent waits overlap, as they do in real time.

Every wait of the code under test (a sleep, an event loop with nothing ready before its next
timer, fake latency) is a *waiter* with a virtual deadline. The clock moves to the earliest
deadline, and wakes every waiter due, once the code under test has nothing else to do: each
*participant* thread is in a virtual wait, blocked in a known blocking call (``join``,
``Condition.wait``, a queue, a future), or has shown no sign of progress for `grace` real
seconds (a thread blocked on something else, like trio's ``MockClock(autojump_threshold)``).

Participants are the test's own thread and every thread from the moment it sent a request
the injector recorded (`join`): their sleeps are the code under test's, and are recorded.
Threads started while the test runs hold the clock too while they run (a pool's worker
setting up its first request must not see the clock jump), but their sleeps are not
recorded until they join, and until then move the clock freely only while the participants
wait virtually or for other threads (`_may_step`). Threads older than the test (a library's
trace exporter started at import, a metrics poller) wait on the same clock, but the clock
never moves for them; an older pooled worker (an executor's, trio's) holds it while it works
on an item.

An event loop's wait is idle only when no I/O is ready for it (a worker's result written
to its self-pipe), and, when it watches a real socket, after `IO_GRACE` real seconds.

Moving the clock happens in the thread whose wait made everyone idle, or, when the last
participant is blocked elsewhere, in one daemon thread that checks after `grace`. Nothing
busy-spins: waiters block on real locks; the daemon sleeps until there is a waiter.
"""

from __future__ import annotations

import gc
import heapq
import itertools
import math
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._sleeps import REAL_MONOTONIC

#: Real seconds without progress after which a running thread counts as blocked. Longer than
#: a few rounds of the GIL's switch interval (5 ms): a runnable thread is not a blocked one.
GRACE = 0.02
#: Real seconds an event loop watching real sockets must wait before its wait counts as
#: idle: a local server's or database's answer arrives well within it.
IO_GRACE = 0.1
#: Real seconds between the daemon's looks, while some thread holding the clock runs.
_POLL = 0.001
#: Innermost Python frames of a thread blocked in a known blocking call: (file end, function).
_BLOCKED_FRAMES = frozenset(
    {
        ("threading.py", "wait"),
        ("threading.py", "_wait_for_tstate_lock"),
        ("threading.py", "acquire"),
        ("queue.py", "get"),
        ("queue.py", "put"),
        ("selectors.py", "select"),
        # An idle ThreadPoolExecutor worker, in its queue's C-level get().
        ("thread.py", "_worker"),
        # An idle worker of trio's thread cache, in its lock's C-level acquire().
        ("_thread_cache.py", "_work"),
    }
)


@dataclass(order=True)
class Waiter:
    """One wait on the virtual clock: woken (`wake`) once the clock reaches `deadline`."""

    deadline: float
    sequence: int
    thread: int = field(compare=False)
    wake: Callable[[], None] = field(compare=False)
    woken: bool = field(default=False, compare=False)
    #: For an event loop's wait: whether I/O is ready for it (its self-pipe written by a
    #: worker thread that just finished, say): the loop has work, and the clock must wait.
    ready: Callable[[], bool] | None = field(default=None, compare=False)
    #: For an event loop's wait: whether it watches real sockets (a loopback server's reply
    #: may be on its way). Such a wait counts as idle only after `IO_GRACE` real seconds.
    io: Callable[[], bool] | None = field(default=None, compare=False)
    since: float = field(default=0.0, compare=False)


class Scheduler:
    """Virtual seconds since the test started, and the waits that move them."""

    def __init__(self, *, grace: float = GRACE) -> None:
        #: Called with the seconds of each move, under the lock (a user's freezer follows).
        self._on_move: Callable[[float], None] = _nothing
        self.grace = grace
        self.now = 0.0
        self._lock = threading.Lock()
        self._heap: list[Waiter] = []
        self._sequence = itertools.count()
        self._participants: dict[int, threading.Thread] = {}
        self._older: set[int] = set()  # threads alive when the test started
        self._waiting: dict[int, int] = {}  # thread -> number of virtual waits it is in
        self._progress: dict[int, float] = {}  # thread -> real time of its last sign of life
        self._cpu: dict[int, float] = {}  # thread -> CPU seconds it had used when last looked
        self._waking: set[int] = set()  # woken, and not yet back: runnable, however long it takes
        self._stepped = -math.inf  # real time of the last move made for a bystander's wait
        self._running = False
        self._wakeup = threading.Lock()  # released to wake the daemon when a waiter arrives
        self._wakeup.acquire()
        self._daemon: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self, now: float, on_move: Callable[[float], None]) -> None:
        """Start scheduling at virtual `now`; the calling thread is the first participant.

        `on_move` is called with the seconds of every move of the clock, under its lock.
        """
        with self._lock:
            self.now = now
            self._on_move = on_move
            self._running = True
            self._participants = {}
            self._waiting = {}
            self._progress = {}
            self._cpu = {}
            self._waking = set()
            self._stepped = -math.inf
            self._older = {thread.ident or 0 for thread in threading.enumerate()}
            self._add_participant(threading.current_thread())
        if self._daemon is None or not self._daemon.is_alive():
            self._daemon = threading.Thread(
                target=self._autojump, name="pytest-llmerrors-clock", daemon=True
            )
            self._daemon.start()

    def stop(self) -> None:
        """Stop scheduling, and release every thread still waiting, at once."""
        with self._lock:
            self._running = False
            waiters, self._heap = self._heap, []
            for waiter in waiters:
                waiter.woken = True
                waiter.wake()
            self._waiting.clear()
            self._participants.clear()
            self._on_move = _nothing

    @property
    def running(self) -> bool:
        """Whether a test's clock is running."""
        return self._running

    # -- who takes part ----------------------------------------------------------------------

    def join(self, thread: threading.Thread | None = None) -> None:
        """Make `thread` (default: the calling one) a participant: its waits hold the clock."""
        thread = thread or threading.current_thread()
        with self._lock:
            if self._running and thread.ident not in self._participants:
                self._add_participant(thread)
            self._progress[thread.ident or 0] = REAL_MONOTONIC()

    def is_participant(self, ident: int | None = None) -> bool:
        """Whether the thread `ident` (default: the calling one) takes part in the test."""
        return (ident or threading.get_ident()) in self._participants

    def progress(self) -> None:
        """Note that the calling thread made progress (it read the clock, sent a request)."""
        if self._running:
            self._progress[threading.get_ident()] = REAL_MONOTONIC()

    def _add_participant(self, thread: threading.Thread) -> None:
        ident = thread.ident or threading.get_ident()
        self._participants[ident] = thread
        self._progress[ident] = REAL_MONOTONIC()

    # -- waiting -----------------------------------------------------------------------------

    def add(
        self,
        deadline: float,
        wake: Callable[[], None],
        ready: Callable[[], bool] | None = None,
        io: Callable[[], bool] | None = None,
    ) -> Waiter | None:
        """Register a wait of the calling thread until `deadline`; ``None`` when not running.

        `wake` is called (under the scheduler's lock) when the clock reaches `deadline` or the
        test ends. `ready` tells whether the waiter has work already (an event loop's I/O),
        `io` whether it waits on real sockets too. The clock may move at once, in this call,
        if everyone is now idle.
        """
        ident = threading.get_ident()
        # Outside the lock (see `_survey`); with no thread but this one and the daemon, there
        # is nothing to read: this one is running, and the daemon holds nothing.
        survey = _NOBODY if self._alone() else _survey(self._older)
        with self._lock:
            if not self._running:
                return None
            waiter = Waiter(
                deadline,
                next(self._sequence),
                ident,
                wake,
                ready=ready,
                io=io,
                since=REAL_MONOTONIC(),
            )
            heapq.heappush(self._heap, waiter)
            self._waiting[ident] = self._waiting.get(ident, 0) + 1
            self._advance(survey, strict=True)
        if not waiter.woken:  # over already (everyone else idle): no need to wake the daemon
            self._poke()
        return waiter

    def _alone(self) -> bool:
        """Whether the calling thread and the daemon are the only threads alive."""
        count = threading.active_count()
        daemon = self._daemon
        return count == 1 or (
            count == 2
            and daemon is not None
            and daemon.is_alive()
            and daemon is not threading.current_thread()
        )

    def remove(self, waiter: Waiter) -> None:
        """End `waiter`'s wait (woken, or given up early); its thread runs again."""
        with self._lock:
            self._waking.discard(waiter.thread)
            if not waiter.woken:
                waiter.woken = True
                self._heap.remove(waiter)
                heapq.heapify(self._heap)
                self._done_waiting(waiter.thread)
            self._progress[waiter.thread] = REAL_MONOTONIC()

    def sleep(self, seconds: float) -> bool:
        """Block the calling thread for `seconds` virtual seconds; False when not running."""
        if not self._heap and self._alone():
            # The code under test runs in one thread and nothing else waits: the clock moves
            # to the deadline at once, as `add` would, without a waiter, a gate or the daemon.
            ident = threading.get_ident()
            with self._lock:
                if self._running and not self._heap and ident in self._participants:
                    self._move_to(self.now + seconds)
                    self._progress[ident] = REAL_MONOTONIC()
                    return True
        gate = threading.Lock()
        gate.acquire()
        waiter = self.add(self.now + seconds, gate.release)
        if waiter is None:
            return False
        gate.acquire()  # released by wake: the clock reached the deadline, or the test ended
        self.remove(waiter)
        return True

    def advance(self, seconds: float) -> None:
        """Move the clock forward by `seconds` at once, waking every wait that falls due."""
        with self._lock:
            self._move_to(self.now + seconds)

    # -- moving the clock --------------------------------------------------------------------

    def _done_waiting(self, ident: int) -> None:
        left = self._waiting.get(ident, 0) - 1
        if left > 0:
            self._waiting[ident] = left
        else:
            self._waiting.pop(ident, None)

    def _move_to(self, when: float) -> None:
        if when > self.now:
            step = when - self.now
            self.now = when
            self._on_move(step)
        while self._heap and self._heap[0].deadline <= self.now:
            waiter = heapq.heappop(self._heap)
            waiter.woken = True
            self._done_waiting(waiter.thread)
            self._waking.add(waiter.thread)
            waiter.wake()

    def _advance(self, survey: Survey, *, strict: bool) -> bool:
        """Move to the earliest deadline while everyone is idle; return whether it moved.

        Only while the code under test itself waits for a deadline: an older thread's sleep
        (a poller) never moves the clock on its own, say while the test's event loop waits
        for a worker thread.
        """
        moved = False
        while self._running and self._heap and self._heap[0].deadline < math.inf:
            holders = self._holders(survey.working)
            held = set(holders)
            if not any(w.thread in held and w.deadline < math.inf for w in self._heap):
                break
            if not self._idle(holders, survey.blocked, strict=strict):
                break
            loops = [w for w in self._heap if w.thread in held and w.ready is not None]
            if any(w.ready() for w in loops if w.ready is not None):
                break  # a loop has I/O to handle (a worker's result): it is not idle
            if any(w.io is not None and w.io() for w in loops) and (
                strict or REAL_MONOTONIC() - max(w.since for w in loops) < IO_GRACE
            ):
                break  # a loop waits on a real socket: give the answer time to arrive
            if not self._may_step(holders, survey):
                break
            self._move_to(self._heap[0].deadline)
            moved = True
        return moved

    def _may_step(self, holders: list[int], survey: Survey) -> bool:
        """Whether the clock may move now, when only *bystanders* wait on a deadline.

        A bystander is a thread started during the test that has sent no request yet (a
        worker pacing its first request, or a poller the code started). The code under test
        may be waiting for it: when all participants wait virtually or for other threads
        (``join()``, a queue, a wait without a timeout), its deadline moves the clock. When a
        participant waits on something that ends on its own (a real timeout, a child process,
        a C call), it moves the clock at most once per `grace` of real time: a poller cannot
        spin the clock away, and a worker's first request is only slowed, never hung.
        """
        drivers = self._participants.keys() | survey.working
        if any(w.thread in drivers and w.deadline < math.inf for w in self._heap):
            return True
        participants = [ident for ident in holders if ident in self._participants]
        if all(self._waiting.get(ident) or ident in survey.untimed for ident in participants):
            return True
        now = REAL_MONOTONIC()
        if now - self._stepped < self.grace:
            return False
        self._stepped = now
        return True

    def _idle(self, holders: list[int], blocked: frozenset[int], *, strict: bool) -> bool:
        """Whether every thread of `holders` is waiting, `blocked`, or silent a while.

        Silence counts only when not `strict` (the daemon's check, after `grace`).
        """
        now = REAL_MONOTONIC()
        for ident in holders:
            self._progress.setdefault(ident, now)  # first seen: as if it had just made progress
        busy = [ident for ident in holders if not self._waiting.get(ident)]
        if not busy:
            return True
        if self._waking.intersection(busy):
            return False  # woken threads wait their turn for the GIL: not silent, just late
        if not strict and not any(self._waiting.get(ident) for ident in holders):
            # Silence is a guess: make it only for the code under test's own waits, never
            # to wake an older thread (a poller) while the test's thread may be running.
            strict = True
        # A runnable thread may wait for the GIL a switch interval per other runnable thread:
        # silence counts only past that, so a busy pool is not mistaken for a blocked one.
        grace = max(self.grace, 2 * sys.getswitchinterval() * (len(busy) + 1))
        for ident in busy:
            if ident in blocked:
                continue
            if strict:
                return False
            # A thread that used CPU since we last looked is running, or waiting its turn
            # for the GIL (which wakes it every switch interval): not blocked, however long.
            cpu = _cpu_seconds(ident)
            if cpu is not None and cpu != self._cpu.get(ident):
                self._cpu[ident] = cpu
                self._progress[ident] = now
            if now - self._progress.get(ident, now) < grace:
                return False
        return True

    def _holders(self, working: frozenset[int] = frozenset()) -> list[int]:
        """Return the threads whose work holds the clock: participants, threads started
        while the test runs (alive ones only), and older pool workers busy with an item
        (`working`)."""
        holders = [
            ident
            for ident, thread in list(self._participants.items())
            if self._alive(ident, thread)
        ]
        daemon = self._daemon.ident if self._daemon is not None else None
        for thread in threading.enumerate():
            ident = thread.ident or 0
            if ident in self._participants or ident == daemon:
                continue
            if ident not in self._older or ident in working:
                holders.append(ident)
        return holders

    def _alive(self, ident: int, thread: threading.Thread) -> bool:
        if thread.is_alive():
            return True
        del self._participants[ident]
        return False

    def _poke(self) -> None:
        if self._wakeup.locked():
            try:
                self._wakeup.release()
            except RuntimeError:  # released by another thread meanwhile
                pass

    def _autojump(self) -> None:
        """Move the clock when the participants still running turn out to be blocked."""
        while True:
            if not self._running or not self._heap or self._heap[0].deadline == math.inf:
                self._wakeup.acquire()  # until a waiter arrives (its add() pokes us)
                continue
            self._wakeup.acquire(timeout=_POLL)
            survey = _survey(self._older)
            with self._lock:
                self._advance(survey, strict=False)


def _cpu_seconds(ident: int) -> float | None:
    """Return the CPU seconds thread `ident` has used, where the platform tells; else None."""
    try:
        return time.clock_gettime(time.pthread_getcpuclockid(ident))
    except (AttributeError, OSError, OverflowError):
        return None


def _nothing(seconds: float) -> None:
    return None


#: The one scheduler of the process, set up at the first test's clock: only one runs at a time.
SCHEDULER = Scheduler()

#: A ThreadPoolExecutor worker's loop (`concurrent.futures.thread._worker`).
_POOL_WORKER = ("thread.py", "_worker")
#: The loops of pooled worker threads that run items for an event loop or the test: the
#: executor's and trio's thread cache's (``trio.to_thread``). A worker older than the test
#: holds the clock while it runs an item.
_POOL_LOOPS = frozenset({_POOL_WORKER, ("_thread_cache.py", "_work")})
#: Callers whose blocking waits are over in a moment: starting a thread waits for it to run.
_TRANSIENT_FRAMES = frozenset({("threading.py", "start")})


def _where(frame: Any) -> tuple[str, str]:
    code = frame.f_code
    name: str = code.co_filename
    return name[name.rfind("/") + 1 :], code.co_name


#: The lock each blocking call waits on, by the name of its local variable.
_LOCKS = {"wait": "waiter", "_wait_for_tstate_lock": "lock"}


@dataclass(frozen=True)
class Survey:
    """What the other threads were doing, read from their frames (`_survey`)."""

    #: Threads whose innermost Python frame is a known blocking call.
    blocked: frozenset[int] = frozenset()
    #: Pooled workers (an executor's, trio's) busy with an item: whoever submitted
    #: it waits for its result, so an older pool's worker holds the clock while it works.
    working: frozenset[int] = frozenset()
    #: Threads of `blocked` whose wait has no timeout: they wait for another thread.
    untimed: frozenset[int] = frozenset()


#: The survey of a process with no other thread to read.
_NOBODY = Survey()


def _survey(older: set[int]) -> Survey:
    """Return which threads are blocked, and which of the `older` ones work for a pool.

    Taken before the scheduler's lock, with the garbage collector off: reading other
    threads' frames allocates, and a collection there could run a finalizer that needs that
    lock, or the interpreter's own thread-list lock, which ``sys._current_frames`` holds.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        blocked, working, untimed = set(), set(), set()
        for ident, frame in sys._current_frames().items():
            if _blocked(frame):
                blocked.add(ident)
                if _untimed(frame):
                    untimed.add(ident)
            elif ident in older and _in_pool(frame):
                working.add(ident)
        return Survey(frozenset(blocked), frozenset(working), frozenset(untimed))
    finally:
        if enabled:
            gc.enable()


def _untimed(frame: Any) -> bool:
    """Whether a known blocking call (`_blocked`) waits without a timeout."""
    timeout = frame.f_locals.get("timeout", None)
    if _where(frame)[1] == "_wait_for_tstate_lock":
        return timeout is None or timeout < 0  # join(): -1
    if "block" in frame.f_locals and not frame.f_locals["block"]:
        return False
    return timeout is None


def _in_pool(frame: Any, depth: int = 64) -> bool:
    """Whether a frame below this one (within `depth`) is a pooled worker's loop."""
    while frame is not None and depth:
        if _where(frame) in _POOL_LOOPS:
            return True
        frame = frame.f_back
        depth -= 1
    return False


def _blocked(frame: Any) -> bool:
    """Whether a thread's innermost Python frame is a known blocking call, for a while."""
    if frame is None:
        return False
    where = _where(frame)
    if where not in _BLOCKED_FRAMES:
        return False
    if where == _POOL_WORKER:
        # Idle only with no work for it: between a submit and the item's first line the
        # worker is still in `_worker` (waking from its queue, or holding the item), and a
        # loop awaiting that future (asyncio.to_thread) must not see the clock jump.
        queue = frame.f_locals.get("work_queue")
        if "work_item" in frame.f_locals or (queue is not None and not queue.empty()):
            return False
    # Notified already (its lock released), the thread only waits for its turn to run.
    lock = frame.f_locals.get(_LOCKS.get(where[1], ""))
    if lock is not None and hasattr(lock, "locked") and not lock.locked():
        return False
    for _ in range(3):
        frame = frame.f_back
        if frame is None:
            break
        if _where(frame) in _TRANSIENT_FRAMES:
            return False
    return True
