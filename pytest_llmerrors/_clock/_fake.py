"""The test's clock: virtual seconds that the code's waits move, with overlapping waits.

`FakeClock` ties the parts together for one test: the `Scheduler` (`._scheduler`) keeps the
virtual seconds and moves them when the code under test has nothing else to do; the
bindings (`._bindings`) put freezegun's fakes and the replacement sleeps (`._sleeps`)
where the code reads time; event loops wait on the scheduler (`._loop`), and so does trio
(`._trio`). The bindings are switched once and kept while tests use the clock
(``keep_installed=True``, as the plugin runs it), then released before a test on real time
and at the end of the session; a test's own start and stop only push our instant on
freezegun's stack and arm the scheduler, which costs microseconds.

Limits worth knowing:

* A thread blocked on something other than a virtual wait or a known blocking call (a real
  socket, a C extension) counts as idle after a few real milliseconds without progress, as
  with trio's ``MockClock(autojump_threshold)``: the clock may then move while it works.
* A loop that outlives the test sees its time step back to real time at the end; a timer
  still pending then fires late. uvloop keeps real time.
* Rebinding an *existing* module-level name to a time function after its module was indexed
  goes unnoticed. Names bound in function defaults or class bodies are never switched.
"""

from __future__ import annotations

import datetime
import math
import threading
from collections.abc import Callable
from typing import Any

import freezegun.api

from . import _bindings, _sleeps
from ._bindings import LIFECYCLE, Factory, check_freezegun, real_now, running_instant
from ._scheduler import SCHEDULER, Waiter
from ._sleeps import LOOP_CLASS, REAL_LOOP_TIME, REAL_MONOTONIC
from ._trio import trio_module, virtual_run

_UTC = datetime.timezone.utc

#: Called with (start, length) of every sleep of the code under test; may return how to
#: correct the length of a sleep that ended early.
OnSleep = Callable[[float, float], "Callable[[float], None] | None"]


class FakeClock:
    """A virtual clock for one test: instant sleeps that overlap as real ones do.

    While started, the freezer on top of freezegun's stack decides what the code reads: ours, or
    one the test starts inside ours (`with freeze_time(...)`), which then wins until it stops.
    Every move of our clock moves that one too. A freezer that was already running when ours
    starts keeps its instant: with no `start`, ours begins there; after `stop` that freezer is
    exactly as it was. Only one FakeClock runs at a time.
    """

    def __init__(
        self,
        start: datetime.datetime | None = None,
        on_sleep: OnSleep | None = None,
        *,
        keep_installed: bool = False,
    ) -> None:
        """Prepare a clock frozen at `start` (aware, or naive UTC); default: the real now.

        `on_sleep` is called with the start and length of every sleep of the code under test:
        the test's thread and the threads that joined (`join`). With `keep_installed`, `stop`
        leaves the fakes in place for the next clock; `release` puts the real names back.
        """
        self._keep = keep_installed
        self._origin = None if start is None else freezegun.api.convert_to_timezone_naive(start)
        self._on_sleep = on_sleep
        self._scheduler = SCHEDULER
        self._now = 0.0  # virtual seconds when stopped; the scheduler keeps them while running
        self._factory: Factory | None = None
        self._running = False
        self._loop_base = 0.0
        self._trio: tuple[Any, Any] | None = None

    def __repr__(self) -> str:
        state = "running" if self._running else "stopped"
        return f"<FakeClock {state} now={self.now():g}s>"

    def __enter__(self) -> FakeClock:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Make time virtual and sleeps instant; a restarted clock resumes where it stopped."""
        with LIFECYCLE:
            if self._running:
                raise RuntimeError("FakeClock.start() was called twice; call stop() first.")
            active = _sleeps.running()
            if active is not None:
                raise RuntimeError(
                    f"Another FakeClock is running ({active!r}); stop it before starting one."
                )
            check_freezegun()
            self._running = True
            try:
                if self._origin is None:  # a user's freezer is running: keep its instant
                    self._origin = running_instant() or real_now()
                factory = Factory(self._origin, self.now)
                factory.progress = self._scheduler.progress
                _bindings.install()
                _bindings.push(factory)
                self._factory = factory
                # A whole second, just after the real start (loop time never goes back):
                # on a whole base, timers whole seconds apart convert to virtual deadlines
                # without rounding (61, not 60.99999999999909).
                self._loop_base = float(math.ceil(REAL_MONOTONIC()))
                LOOP_CLASS.time = _sleeps.loop_time  # type: ignore[method-assign,assignment]
                self._patch_trio()
                self._scheduler.start(self._now, self._moved)
            except BaseException:
                self._stop()
                raise
            _sleeps.activate(self)

    def stop(self) -> None:
        """Release every waiter and undo everything start() did; idempotent."""
        with LIFECYCLE:
            self._stop()

    def _stop(self) -> None:
        if not self._running:
            return
        try:
            _sleeps.deactivate(self)
            self._now = self._scheduler.now
            self._scheduler.stop()
            LOOP_CLASS.time = REAL_LOOP_TIME  # type: ignore[method-assign]
            self._unpatch_trio()
            if self._factory is not None:
                _bindings.pop(self._factory)
                self._factory = None
            if not self._keep:
                _bindings.release()
        finally:
            self._running = False

    def _patch_trio(self) -> None:
        trio = trio_module()
        if trio is None:
            return
        real = vars(trio).get("run")
        if real is None:
            return
        fake = virtual_run(real)
        trio.run = fake
        self._trio = (real, fake)

    def _unpatch_trio(self) -> None:
        saved, self._trio = self._trio, None
        trio = trio_module()
        if saved is not None and trio is not None and vars(trio).get("run") is saved[1]:
            trio.run = saved[0]

    # -- reading and moving ------------------------------------------------------------------

    def now(self) -> float:
        """Return the virtual seconds this clock has moved since it was first started."""
        return self._scheduler.now if self._running else self._now

    def loop_time(self) -> float:
        """Return what event loops read: their real start plus the virtual seconds."""
        return self._loop_base + self._scheduler.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by `seconds` at once, waking every wait that falls due."""
        if not (0.0 <= seconds < math.inf):
            raise ValueError(
                f"FakeClock.advance() takes a finite number of seconds >= 0, got {seconds!r}: "
                "fake time only moves forward."
            )
        if self._running:
            self._scheduler.advance(float(seconds))
        else:
            self._now += float(seconds)

    def utcnow(self) -> datetime.datetime:
        """Return the instant the code under test sees, as an aware UTC datetime."""
        stack = freezegun.api.freeze_factories
        if self._running and stack:
            current: datetime.datetime = stack[-1]()
        else:
            origin = self._origin or real_now()
            current = origin + datetime.timedelta(seconds=self.now())
        return current.replace(tzinfo=_UTC)

    def _moved(self, seconds: float) -> None:
        # Called under the scheduler's lock for every move: a freezer the test started inside
        # ours (on top of freezegun's stack) moves with it.
        stack: list[Any] = freezegun.api.freeze_factories
        factory = self._factory
        if stack and factory is not None and stack[-1] is not factory:
            stack[-1].tick(datetime.timedelta(seconds=seconds))

    # -- who waits, and for how long ---------------------------------------------------------

    def join(self, thread: threading.Thread | None = None) -> None:
        """Make `thread` (default: the calling one) part of the code under test."""
        self._scheduler.join(thread)

    def progress(self) -> None:
        """Note that the calling thread made progress."""
        self._scheduler.progress()

    def note_sleep(self, seconds: float) -> Callable[[float], None] | None:
        """Report a sleep of the calling thread or task, if it belongs to the code under test."""
        if self._on_sleep is not None and self._scheduler.is_participant():
            return self._on_sleep(self._scheduler.now, seconds)
        return None

    async def wait_async(self, seconds: float) -> None:
        """Let `seconds` virtual seconds pass for the calling task, unrecorded (latency)."""
        if _sleeps.anyio_sleep_known():
            await _sleeps.real_anyio_sleep()(seconds)
        else:
            await _sleeps.REAL_ASYNCIO_SLEEP(seconds)

    def wait(self, seconds: float) -> None:
        """Block the calling thread for `seconds` virtual seconds (a sleep, or latency)."""
        if not self._scheduler.sleep(seconds):
            _sleeps.REAL_TIME_SLEEP(0)

    def loop_wait(
        self,
        timeout: float,
        wake: Callable[[], None],
        ready: Callable[[], bool] | None = None,
        io: Callable[[], bool] | None = None,
    ) -> Waiter | None:
        """Register an idle event loop of the calling thread until `timeout` virtual seconds.

        `ready` tells whether I/O arrived for the loop meanwhile (the clock then waits), `io`
        whether the loop watches real sockets (the clock then gives them a moment).
        """
        return self._scheduler.add(self._scheduler.now + timeout, wake, ready, io)

    def end_wait(self, waiter: Waiter) -> None:
        """End a wait `loop_wait` started."""
        self._scheduler.remove(waiter)
