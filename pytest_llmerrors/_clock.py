"""Fake time for the code under test: freezegun's frozen clock, moved forward by instant sleeps.

How it fits together, and why:

* freezegun owns what the code under test reads (the user chose it): while a `FakeClock` runs,
  `time.time`, `time.monotonic`, `time.perf_counter`, `datetime.datetime`, `datetime.date` are
  freezegun's fakes, reading one frozen instant.
* `time.sleep`, `asyncio.sleep` and `anyio.sleep` (and names bound to them with ``from ... import
  sleep``) are replaced by functions that move that instant forward, record the sleep and return
  at once. anyio is covered at `anyio.sleep` itself, not at the `asyncio.sleep` its asyncio backend
  binds, so anyio's internal checkpoints (``sleep(0)``) stay unrecorded and the trio backend works.
* Event loops read `BaseEventLoop.time`, which calls `time.monotonic`: frozen, timers would never
  fire. We point it at the real monotonic clock *plus the fake seconds moved so far*, so loops keep
  running and `asyncio.wait_for` / `anyio.fail_after` deadlines expire as fake time passes.
* Speed: freezegun's `start()` walks every loaded module with `dir()` and `getattr` (25 ms
  with the LLM SDKs loaded). `._modindex.Index` keeps where modules hold the real time
  functions and sleeps, and only scans modules that are new, replaced, or whose set of names
  grew or shrank since the last start; freezegun is then handed just those modules.
  Trade-off: rebinding an *existing* module-level name to a time function after the module
  was indexed goes unnoticed (freezegun's own cache has the same blind spot). Names bound in
  function defaults or class bodies are never covered.

Limits worth knowing:

* One clock, moved by each sleep as it starts: concurrent sleeps (threads, `gather`) add up
  instead of overlapping.
* A loop that outlives `stop()` sees its time step back by the fake seconds moved; a timer still
  pending then fires that much later. uvloop, or a loop class with its own `time()`, keeps real
  time: sleeps are still instant, but wait_for-style deadlines do not see fake time.
* freezegun's ignore list applies as usual: code called within a few frames of `threading`
  (a `Thread` target) reads real time from `time.time()`; its sleeps are still fake.
"""

from __future__ import annotations

import datetime
import math
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import freezegun
import freezegun.api

from . import _sleeps
from ._modindex import INDEX, freezegun_sees, restore_fakes
from ._sleeps import LOOP_CLASS, REAL_MONOTONIC

__all__ = ["Clock", "FakeClock", "RealClock"]

_UTC = datetime.timezone.utc
_REAL_DATETIME: type[datetime.datetime] = freezegun.api.real_datetime

_lifecycle = threading.Lock()
# Patches freezegun made for a clock of ours whose entry had to leave freezegun's stack before it
# was empty (a freezer started inside ours outlived it); undone once no freezer runs.
_orphaned: list[tuple[Any, str, Any]] = []


class Clock(Protocol):
    """What the plugin needs from a clock, fake or real."""

    sleeps: list[float]

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def now(self) -> float: ...
    def advance(self, seconds: float) -> None: ...
    def utcnow(self) -> datetime.datetime: ...


def _undo_orphans() -> None:
    if not freezegun.api.freeze_factories:
        while _orphaned:
            target, name, original = _orphaned.pop()
            setattr(target, name, original)


# --- the clocks --------------------------------------------------------------------------------


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
        """Prepare a clock frozen at `start` (aware, or naive UTC); default: the real now."""
        #: Every sleep the code under test asked for, in order, in seconds.
        self.sleeps: list[float] = []
        self._origin = None if start is None else freezegun.api.convert_to_timezone_naive(start)
        self._on_sleep = on_sleep
        self._lock = threading.Lock()
        self._offset = 0.0
        self._local = threading.local()
        self._running = False
        self._freezer: Any = None
        self._factory: Any = None
        self._modules_at_start: dict[str, Any] = {}
        self._undo: list[tuple[Any, str, Any, Any]] = []
        self._saved_loop_time: Any = None

    def __repr__(self) -> str:
        state = "running" if self._running else "stopped"
        return f"<FakeClock {state} now={self._offset:g}s sleeps={len(self.sleeps)}>"

    def __enter__(self) -> FakeClock:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        """Freeze time and make sleeps instant; a restarted clock resumes where it stopped."""
        with _lifecycle:
            if self._running:
                raise RuntimeError("FakeClock.start() was called twice; call stop() first.")
            if _sleeps.active is not None:
                raise RuntimeError(
                    f"Another FakeClock is running ({_sleeps.active!r}); "
                    "stop it before starting one."
                )
            self._running = True
            try:
                _undo_orphans()
                INDEX.refresh()
                self._start_freezer()
                self._patch_sleeps()
                self._patch_loop()
            except BaseException:
                self._stop()
                raise
            _sleeps.active = self

    def stop(self) -> None:
        """Undo everything start() did; idempotent, and safe after a failed start."""
        with _lifecycle:
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
        stack = freezegun.api.freeze_factories
        if self._running and stack:
            current = stack[-1]()
        else:
            origin = self._origin or _REAL_DATETIME.now(_UTC).replace(tzinfo=None)
            current = origin + datetime.timedelta(seconds=self._offset)
        return current.replace(tzinfo=_UTC)

    def _slept(self, seconds: float) -> None:
        self._move(seconds, record=True)
        if self._on_sleep is not None:
            self._on_sleep(seconds)  # outside the lock: the callback may read or move the clock

    def _move(self, seconds: float, *, record: bool) -> None:
        with self._lock:  # sleeps from several threads: each move and its record stay paired
            offset = self._offset + seconds
            factory = self._factory
            if factory is not None:
                assert self._origin is not None
                # Computed from the total, not accumulated, so microsecond rounding never drifts;
                # raises OverflowError before anything changed if the sleep passes year 9999.
                factory.move_to(self._origin + datetime.timedelta(seconds=offset))
                stack = freezegun.api.freeze_factories
                if stack and stack[-1] is not factory:
                    stack[-1].tick(datetime.timedelta(seconds=seconds))
            if record:
                self.sleeps.append(seconds)
                # Read by this thread's on_sleep callback: other threads may move the clock
                # between this move and the callback, so now() - seconds could be wrong.
                self._local.started = self._offset
            self._offset = offset

    def _start_freezer(self) -> None:
        stack = freezegun.api.freeze_factories
        if self._origin is None:
            self._origin = (
                freezegun.api.convert_to_timezone_naive(stack[-1]())
                if stack  # a user's freezer is running: keep its instant
                else _REAL_DATETIME.now(_UTC).replace(tzinfo=None)
            )
        tz_offset = freezegun.api.tz_offsets[-1] if stack else datetime.timedelta()
        freezer = freezegun.freeze_time(
            self._origin + datetime.timedelta(seconds=self._offset), tz_offset=tz_offset
        )
        self._modules_at_start = INDEX.snapshot
        with freezegun_sees(dict(INDEX.time_modules)):
            self._factory = freezer.start()
        self._freezer = freezer

    def _patch_sleeps(self) -> None:
        for entry in INDEX.with_sleeps:
            for name in entry.sleep_names:
                current = entry.namespace.get(name)
                fake = _sleeps.fake_for(current)
                if fake is not None:  # still the original: nobody rebound it since the scan
                    self._undo.append((entry.module, name, current, fake))
                    setattr(entry.module, name, fake)

    def _patch_loop(self) -> None:
        self._saved_loop_time = LOOP_CLASS.__dict__["time"]
        LOOP_CLASS.time = _sleeps.loop_time  # type: ignore[method-assign,assignment]

    def _stop(self) -> None:
        if not self._running:
            return
        try:
            if self._saved_loop_time is not None:
                LOOP_CLASS.time = self._saved_loop_time  # type: ignore[method-assign]
                self._saved_loop_time = None
            changed = INDEX.changed_since(self._modules_at_start) if self._modules_at_start else {}
            self._unpatch_sleeps(changed)
            self._stop_freezer(changed)
        finally:
            self._running = False
            self._modules_at_start = {}
            if _sleeps.active is self:
                _sleeps.active = None

    def _unpatch_sleeps(self, changed: dict[str, Any]) -> None:
        while self._undo:
            target, name, original, fake = self._undo.pop()
            if getattr(target, name, None) is fake:  # leave a name someone else rebound alone
                setattr(target, name, original)
        # Modules imported while we ran bound our sleeps with `from time import sleep`; lazy
        # module attributes resolved while we ran cached them.
        for module in changed.values():
            try:
                items = list(vars(module).items())
            except TypeError:
                continue
            for name, value in items:
                real = _sleeps.real_for(value)
                if real is not None:
                    setattr(module, name, real)

    def _stop_freezer(self, changed: dict[str, Any]) -> None:
        freezer, factory = self._freezer, self._factory
        self._freezer = self._factory = None
        if factory is None:
            return
        api = freezegun.api
        stack = api.freeze_factories
        if stack and stack[-1] is factory:
            last = len(stack) == 1
            # freezegun would restore its fakes in the modules loaded since start with dir() and
            # getattr(), which resolves lazy module attributes: the openai SDK then imports its
            # resources (about 1.3 s, once). We restore those modules from vars() instead.
            with freezegun_sees(INDEX.time_modules):
                freezer.stop()
            if last:
                restore_fakes(changed, getattr(freezer, "reals", {}))
        else:
            # A freezer started inside ours is still running (or someone popped our entry):
            # take only our entry out, so that freezer keeps working and stops cleanly later.
            for i, other in enumerate(stack):
                if other is factory:
                    for parallel in (stack, api.tz_offsets, api.ignore_lists, api.tick_flags):
                        del parallel[i]
                    break
            _orphaned.extend(getattr(freezer, "undo_changes", ()))
            freezer.undo_changes = []
            # freezegun assumes freezers stop in reverse order: the one that will now empty the
            # stack never set what its stop() reads then, and would raise AttributeError.
            for name, default in (("fake_names", ()), ("reals", {})):
                if not hasattr(api._freeze_time, name):
                    setattr(api._freeze_time, name, default)
        _undo_orphans()


class RealClock:
    """The same interface as FakeClock for tests that run on real time (``fake_time=False``)."""

    def __init__(
        self,
        start: datetime.datetime | None = None,
        on_sleep: Callable[[float], None] | None = None,
    ) -> None:
        """Prepare a real clock; `start` and `on_sleep` are accepted and unused (time is real)."""
        #: Always empty: real sleeps are not observed.
        self.sleeps: list[float] = []
        self._t0 = REAL_MONOTONIC()

    def __enter__(self) -> RealClock:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start counting real seconds for now()."""
        self._t0 = REAL_MONOTONIC()

    def stop(self) -> None:
        """Do nothing: a real clock patches nothing."""

    def now(self) -> float:
        """Return the real seconds since start()."""
        return REAL_MONOTONIC() - self._t0

    def advance(self, seconds: float) -> None:
        """Refuse: real time cannot be moved."""
        raise RuntimeError(
            f"clock.advance({seconds!r}) needs fake time, but this test runs with "
            "fake_time=False. Drop fake_time=False from @pytest.mark.llm_errors (or set "
            "llm_errors_fake_time = true) to move the clock."
        )

    def utcnow(self) -> datetime.datetime:
        """Return the instant the code under test sees (a user's freezer, or the real now)."""
        return _REAL_DATETIME.fromtimestamp(time.time(), _UTC)
