"""The fake clock: freezegun's frozen instant, moved forward by instant sleeps.

`FakeClock` keeps the fake seconds moved and owns the parts that make them visible:
a `Freezer` (`._freezer`: what the code reads), the `SleepPatches` (`._patches`: where its
sleeps go) and the replacement sleeps themselves (`._sleeps`), which call `slept` on the
running clock. `._modindex` keeps where loaded modules hold what is patched, so starting a
clock costs little even with thousands of modules loaded.

Limits worth knowing:

* One clock, moved by each sleep as it starts: concurrent sleeps (threads, `gather`) add up
  instead of overlapping.
* A loop that outlives `stop()` sees its time step back by the fake seconds moved; a timer still
  pending then fires that much later. uvloop, or a loop class with its own `time()`, keeps real
  time: sleeps are still instant, but wait_for-style deadlines do not see fake time.
* freezegun's ignore list applies as usual: code called within a few frames of `threading`
  (a `Thread` target) reads real time from `time.time()`; its sleeps are still fake.
* Rebinding an *existing* module-level name to a time function after the module was indexed
  goes unnoticed (freezegun's own cache has the same blind spot). Names bound in function
  defaults or class bodies are never covered.
"""

from __future__ import annotations

import datetime
import math
import threading
from collections.abc import Callable

import freezegun.api

from . import _sleeps
from ._freezer import LIFECYCLE, Freezer, real_now, running_instant, undo_orphans
from ._modindex import INDEX
from ._patches import SleepPatches

_UTC = datetime.timezone.utc


class FakeClock:
    """A frozen clock that the code under test's sleeps move forward, instantly.

    While started, the freezer on top of freezegun's stack decides what the code reads: ours, or
    one the test starts inside ours (`with freeze_time(...)`), which then wins until it stops.
    Every sleep and `advance` moves our clock and, if another freezer is on top, that one too.
    A freezer that was already running when ours starts keeps its instant: with no `start`, ours
    begins there; after `stop` that freezer is exactly as it was. Only one FakeClock runs at a time.
    """

    def __init__(
        self,
        start: datetime.datetime | None = None,
        on_sleep: Callable[[float], None] | None = None,
    ) -> None:
        """Prepare a clock frozen at `start` (aware, or naive UTC); default: the real now.

        `on_sleep` is called with the length of every sleep of the code under test.
        """
        self._origin = None if start is None else freezegun.api.convert_to_timezone_naive(start)
        self._on_sleep = on_sleep
        self._lock = threading.Lock()
        self._offset = 0.0
        self._local = threading.local()
        self._running = False
        self._freezer = Freezer()
        self._patches = SleepPatches()

    def __repr__(self) -> str:
        state = "running" if self._running else "stopped"
        return f"<FakeClock {state} now={self._offset:g}s>"

    def __enter__(self) -> FakeClock:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        """Freeze time and make sleeps instant; a restarted clock resumes where it stopped."""
        with LIFECYCLE:
            if self._running:
                raise RuntimeError("FakeClock.start() was called twice; call stop() first.")
            active = _sleeps.running()
            if active is not None:
                raise RuntimeError(
                    f"Another FakeClock is running ({active!r}); stop it before starting one."
                )
            self._running = True
            try:
                undo_orphans()
                INDEX.refresh()
                if self._origin is None:  # a user's freezer is running: keep its instant
                    self._origin = running_instant() or real_now()
                self._freezer.start(self._origin + datetime.timedelta(seconds=self._offset))
                self._patches.apply()
            except BaseException:
                self._stop()
                raise
            _sleeps.activate(self)

    def stop(self) -> None:
        """Undo everything start() did; idempotent, and safe after a failed start."""
        with LIFECYCLE:
            self._stop()

    def sleep_started(self) -> float:
        """Return when the calling thread's latest sleep began, in `now()` seconds."""
        started: float = getattr(self._local, "started", self._offset)
        return started

    def now(self) -> float:
        """Return the fake seconds this clock has moved since it was first started."""
        return self._offset

    def advance(self, seconds: float) -> None:
        """Move every clock forward by `seconds` (fake latency) without recording a sleep."""
        if not (0.0 <= seconds < math.inf):
            raise ValueError(
                f"FakeClock.advance() takes a finite number of seconds >= 0, got {seconds!r}: "
                "fake time only moves forward."
            )
        self._move(float(seconds), record=False)

    def utcnow(self) -> datetime.datetime:
        """Return the fake instant the code under test sees, as an aware UTC datetime."""
        current = self._freezer.now() if self._running else None
        if current is None:
            origin = self._origin or real_now()
            current = origin + datetime.timedelta(seconds=self._offset)
        return current.replace(tzinfo=_UTC)

    def slept(self, seconds: float) -> None:
        """Move the clock by one sleep of the code under test, and report it to `on_sleep`."""
        self._move(seconds, record=True)
        if self._on_sleep is not None:
            self._on_sleep(seconds)  # outside the lock: the callback may read or move the clock

    def _move(self, seconds: float, *, record: bool) -> None:
        with self._lock:  # sleeps from several threads: each move and its record stay paired
            offset = self._offset + seconds
            if self._freezer.running:
                assert self._origin is not None
                # Computed from the total, not accumulated, so microsecond rounding never drifts;
                # raises OverflowError before anything changed if the sleep passes year 9999.
                self._freezer.move(self._origin + datetime.timedelta(seconds=offset), seconds)
            if record:
                # Read by this thread's on_sleep callback: other threads may move the clock
                # between this move and the callback, so now() - seconds could be wrong.
                self._local.started = self._offset
            self._offset = offset

    def _stop(self) -> None:
        if not self._running:
            return
        try:
            changed = self._freezer.changed()
            self._patches.undo(changed)
            self._freezer.stop(changed)
        finally:
            self._running = False
            _sleeps.deactivate(self)
