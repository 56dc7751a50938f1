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
* Speed: freezegun's `start()` walks every loaded module with `dir()` and `getattr` (25 ms with the
  LLM SDKs loaded). `_Index` keeps where modules hold the real time functions and sleeps, and only
  scans modules that are new, replaced, or whose set of names grew or shrank since the last start;
  freezegun is then handed just those modules. Trade-off: rebinding an *existing* module-level
  name to a time function after the module was indexed goes unnoticed (freezegun's own cache has
  the same blind spot). Names bound in function defaults or class bodies are never covered.

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

import asyncio
import asyncio.base_events
import contextlib
import datetime
import functools
import math
import operator
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple, Protocol, TypeVar

import freezegun
import freezegun.api

__all__ = ["Clock", "FakeClock", "RealClock"]

_T = TypeVar("_T")
_LOOKS = ("__name__", "__qualname__", "__doc__")
_UTC = datetime.timezone.utc

# Captured at import, before any freezer of ours runs; freezegun's copies are immune to a user's
# freezer that was already running when this module was imported.
_REAL_MONOTONIC: Callable[[], float] = freezegun.api.real_monotonic
_REAL_DATETIME: type[datetime.datetime] = freezegun.api.real_datetime
_REAL_TIME_SLEEP = time.sleep
_REAL_ASYNCIO_SLEEP = asyncio.sleep
_LOOP_CLASS = asyncio.base_events.BaseEventLoop

# Modules whose references are left alone. pytest's own timing stays real (honest durations);
# subprocess times real processes (its `_time` frozen, `Popen.wait(timeout)` would never expire);
# our module and freezegun hold the originals on purpose; anyio's backends use `asyncio.sleep`
# for checkpoints, which are not sleeps the code asked for; execnet/xdist sleep in their threads.
# hypothesis times its own examples and garbage collections (from a gc callback that can fire
# while freezegun is half-stopped, where a frozen perf_counter raises IndexError).
_KEEP_TIME = (
    "_pytest",
    "pytest",
    "pluggy",
    "freezegun",
    "pytest_llmerrors",
    "subprocess",
    "hypothesis",
)
_KEEP_SLEEP = (*_KEEP_TIME, "anyio._backends", "execnet", "xdist")
# A `time.sleep` called directly from these modules really sleeps: infrastructure threads, and
# subprocess's wait loop, which would otherwise burn through a timeout in fake seconds.
_REAL_SLEEP_CALLERS = ("_pytest", "execnet", "xdist", "subprocess")

_active: FakeClock | None = None
_lifecycle = threading.Lock()
# Patches freezegun made for a clock of ours whose entry had to leave freezegun's stack before it
# was empty (a freezer started inside ours outlived it); undone once no freezer runs.
_orphaned: list[tuple[Any, str, Any]] = []


def _in_packages(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


class Clock(Protocol):
    """What the plugin needs from a clock, fake or real."""

    sleeps: list[float]

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def now(self) -> float: ...
    def advance(self, seconds: float) -> None: ...
    def utcnow(self) -> datetime.datetime: ...


# --- the replacement sleeps -------------------------------------------------------------------


def _sleep_length(secs: object) -> float | None:
    """Return `secs` as time.sleep would read it, or None when time.sleep would raise."""
    try:
        # float(): tenacity passes a float subclass (DoSleep) that must not leak into records.
        value = float(secs) if isinstance(secs, float) else float(operator.index(secs))  # type: ignore[arg-type]
    except TypeError:
        return None
    return value if value >= 0.0 and not math.isinf(value) else None


def _fake_time_sleep(secs: float, /) -> None:
    clock = _active
    caller = sys._getframe(1).f_globals.get("__name__", "")
    length = _sleep_length(secs)
    if clock is None or length is None or _in_packages(caller, _REAL_SLEEP_CALLERS):
        # Bad values reach the original so they raise exactly its TypeError/ValueError.
        _REAL_TIME_SLEEP(secs)
        return
    clock._slept(length)


def _async_length(delay: object) -> float | None:
    """Return the fake seconds an async sleep moves, or None when only the original will do."""
    if isinstance(delay, (int, float)) and math.isfinite(delay):
        # Both originals treat a negative delay as 0: a bare yield.
        return max(float(delay), 0.0)
    return None  # inf (sleep_forever), NaN or a wrong type: the original's behaviour


async def _fake_asyncio_sleep(delay: float, result: _T = None) -> _T:  # type: ignore[assignment]
    clock = _active
    length = _async_length(delay)
    if clock is None or length is None:
        return await _REAL_ASYNCIO_SLEEP(delay, result)
    return await _sleep_in_loop(clock, length, result)


def _loop_time(loop: asyncio.AbstractEventLoop) -> float:
    """Give event loops real monotonic time plus the fake seconds moved: never frozen."""
    clock = _active
    return _REAL_MONOTONIC() + (clock._offset if clock is not None else 0.0)


def _wake(future: asyncio.Future[_T], result: _T) -> None:
    if not future.done():  # cancelled meanwhile
        future.set_result(result)


async def _sleep_in_loop(clock: FakeClock, length: float, result: _T) -> _T:
    """Move `clock` by `length`, then wait on the loop as the original sleep does."""
    loop = asyncio.get_running_loop()
    if length == 0.0 or getattr(type(loop), "time", None) is not _loop_time:
        # A bare yield: what sleep(0) is, and all we can do on a loop whose time is not ours.
        clock._slept(length)
        await _REAL_ASYNCIO_SLEEP(0)
        return result
    deadline = loop.time() + length
    clock._slept(length)  # the loop's time jumps with the clock: the deadline is now due
    # Waking through the timer heap, not a bare yield, keeps the original's ordering: a timeout
    # due before this deadline (wait_for, anyio.fail_after) fires first, as in real time.
    future: asyncio.Future[_T] = loop.create_future()
    handle = loop.call_at(deadline, _wake, future, result)
    try:
        return await future
    finally:
        handle.cancel()


_real_anyio_sleep: list[Callable[[float], Any]] = []  # filled when anyio is first seen


async def _fake_anyio_sleep(delay: float) -> None:
    clock = _active
    length = _async_length(delay)
    if clock is None or length is None:
        await _real_anyio_sleep[0](delay)  # set before this function is ever installed
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # anyio on trio: record, move, and yield the trio way
        clock._slept(length)
        from anyio.lowlevel import checkpoint

        await checkpoint()
        return
    await _sleep_in_loop(clock, length, None)


# Look like the originals to introspection (help(), inspect.unwrap, tracebacks' names).
functools.update_wrapper(_fake_time_sleep, _REAL_TIME_SLEEP, assigned=_LOOKS)
functools.update_wrapper(_fake_asyncio_sleep, _REAL_ASYNCIO_SLEEP, assigned=_LOOKS)
_fake_anyio_sleep.__name__ = _fake_anyio_sleep.__qualname__ = "sleep"


def _fake_for(value: object) -> Callable[..., Any] | None:
    """Return our replacement for a real sleep function, or None."""
    if value is _REAL_TIME_SLEEP:
        return _fake_time_sleep
    if value is _REAL_ASYNCIO_SLEEP:
        return _fake_asyncio_sleep
    if _real_anyio_sleep and value is _real_anyio_sleep[0]:
        return _fake_anyio_sleep
    return None


def _real_for(value: object) -> Any:
    """Return the original behind one of our replacement sleeps, or None."""
    if value is _fake_time_sleep:
        return _REAL_TIME_SLEEP
    if value is _fake_asyncio_sleep:
        return _REAL_ASYNCIO_SLEEP
    if value is _fake_anyio_sleep and _real_anyio_sleep:
        return _real_anyio_sleep[0]
    return None


# --- where modules hold time functions and sleeps --------------------------------------------


class _Entry(NamedTuple):
    module: Any
    namespace: dict[str, Any]
    size: int  # len(namespace) when scanned: a changed size means a rescan
    time_names: tuple[str, ...]  # names holding a real time object freezegun patches
    sleep_names: tuple[str, ...]  # names holding a real sleep we replace


class _Index:
    """An incrementally kept map of the module-level names freezegun and we must patch."""

    def __init__(self) -> None:
        self.entries: dict[str, _Entry] = {}
        self.snapshot: dict[str, Any] = {}  # sys.modules when last refreshed (never mutated)
        self.time_modules: dict[str, Any] = {}
        self.by_id: dict[int, _Entry] = {}
        self.with_sleeps: list[_Entry] = []
        self._names: list[str] = []
        self._namespaces: list[dict[str, Any]] = []
        self._sizes: list[int] = []
        self._time_ids = {id(obj) for obj in freezegun.api.real_date_objects}
        self._sleep_ids = {id(_REAL_TIME_SLEEP), id(_REAL_ASYNCIO_SLEEP)}
        self._all_ids = self._time_ids | self._sleep_ids

    def refresh(self) -> None:
        """Bring the index up to date with sys.modules, scanning only what changed."""
        self._find_anyio()
        modules = sys.modules
        if modules != self.snapshot:  # C-level: identity of every module object
            self._rebuild(dict(modules))
        elif (sizes := list(map(len, self._namespaces))) != self._sizes:
            for i in [i for i, (a, b) in enumerate(zip(sizes, self._sizes, strict=True)) if a != b]:
                name = self._names[i]
                self.entries[name] = self._scan(name, self.entries[name].module)
            self._sizes = sizes
            self._derive()

    def changed_since(self, snapshot: dict[str, Any]) -> dict[str, Any]:
        """Return the modules loaded, replaced, or given new names since `snapshot` was taken.

        `snapshot` must be the one the last refresh took: names that appeared in a module since
        (a lazy `__getattr__` caching what it found, like anyio's) may hold a fake.
        """
        modules = sys.modules
        changed: dict[str, Any] = {}
        if modules != snapshot:
            changed = {n: m for n, m in list(modules.items()) if snapshot.get(n) is not m}
        sizes = list(map(len, self._namespaces))
        if sizes != self._sizes:
            for i, (a, b) in enumerate(zip(sizes, self._sizes, strict=True)):
                if a != b:
                    changed[self._names[i]] = self.entries[self._names[i]].module
        return changed

    def attributes(self, module: Any) -> list[tuple[str, Any]]:
        """Stand in for freezegun's per-module scan: current values of the indexed names."""
        entry = self.by_id.get(id(module))
        if entry is None:
            return []
        ns = entry.namespace
        return [(name, ns[name]) for name in entry.time_names if name in ns]

    def _find_anyio(self) -> None:
        if _real_anyio_sleep:
            return
        loop_module = sys.modules.get("anyio._core._eventloop")
        sleep = getattr(loop_module, "sleep", None)
        if sleep is not None and sleep is not _fake_anyio_sleep:
            _real_anyio_sleep.append(sleep)
            self._sleep_ids.add(id(sleep))
            self._all_ids.add(id(sleep))

    def _rebuild(self, modules: dict[str, Any]) -> None:
        old = self.entries
        entries: dict[str, _Entry] = {}
        for name, module in modules.items():
            entry = old.get(name)
            if entry is None or entry.module is not module or len(entry.namespace) != entry.size:
                entry = self._scan(name, module)
            entries[name] = entry
        self.entries, self.snapshot = entries, modules
        self._names = list(entries)
        self._namespaces = [e.namespace for e in entries.values()]
        self._sizes = [e.size for e in entries.values()]
        self._derive()

    def _scan(self, name: str, module: Any) -> _Entry:
        try:
            namespace: dict[str, Any] = vars(module)
        except TypeError:
            namespace = {}
        values = list(namespace.values())  # copies: another thread may be importing into it
        if self._all_ids.isdisjoint(map(id, values)):  # most modules: decided at C speed
            return _Entry(module, namespace, len(values), (), ())
        items = list(namespace.items())
        keep_time = not _in_packages(name, _KEEP_TIME)
        keep_sleep = not _in_packages(name, _KEEP_SLEEP)
        times = tuple(k for k, v in items if keep_time and id(v) in self._time_ids)
        sleeps = tuple(k for k, v in items if keep_sleep and id(v) in self._sleep_ids)
        return _Entry(module, namespace, len(items), times, sleeps)

    def _derive(self) -> None:
        self.time_modules = {n: e.module for n, e in self.entries.items() if e.time_names}
        self.by_id = {id(e.module): e for e in self.entries.values() if e.time_names}
        self.with_sleeps = [e for e in self.entries.values() if e.sleep_names]


_INDEX = _Index()
# Our stand-in needs freezegun to read `sys.modules` and `_get_cached_module_attributes` through
# its module globals, as 1.x does; if a release stops doing so we let it scan everything itself.
_CAN_NARROW = getattr(freezegun.api, "sys", None) is sys and callable(
    getattr(freezegun.api, "_get_cached_module_attributes", None)
)


@contextlib.contextmanager
def _freezegun_sees(modules: dict[str, Any]) -> Iterator[None]:
    """Make freezegun's start/stop scan only `modules`, through our index."""
    if not _CAN_NARROW:
        yield
        return
    api = vars(freezegun.api)
    saved = api["sys"], api["_get_cached_module_attributes"]
    api.update(
        sys=types.SimpleNamespace(modules=modules), _get_cached_module_attributes=_INDEX.attributes
    )
    try:
        yield
    finally:
        api["sys"], api["_get_cached_module_attributes"] = saved


def _restore_fakes(modules: dict[str, Any], reals: dict[int, Any]) -> None:
    """Put the real objects back where `modules` bound freezegun's fakes while it ran."""
    for module in modules.values():
        try:
            items = list(vars(module).items())
        except TypeError:
            continue
        for name, value in items:
            real = reals.get(id(value))
            if real is not None:
                setattr(module, name, real)


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
        global _active
        with _lifecycle:
            if self._running:
                raise RuntimeError("FakeClock.start() was called twice; call stop() first.")
            if _active is not None:
                raise RuntimeError(
                    f"Another FakeClock is running ({_active!r}); stop it before starting one."
                )
            self._running = True
            try:
                _undo_orphans()
                _INDEX.refresh()
                self._start_freezer()
                self._patch_sleeps()
                self._patch_loop()
            except BaseException:
                self._stop()
                raise
            _active = self

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
        self._modules_at_start = _INDEX.snapshot
        with _freezegun_sees(dict(_INDEX.time_modules)):
            self._factory = freezer.start()
        self._freezer = freezer

    def _patch_sleeps(self) -> None:
        for entry in _INDEX.with_sleeps:
            for name in entry.sleep_names:
                current = entry.namespace.get(name)
                fake = _fake_for(current)
                if fake is not None:  # still the original: nobody rebound it since the scan
                    self._undo.append((entry.module, name, current, fake))
                    setattr(entry.module, name, fake)

    def _patch_loop(self) -> None:
        self._saved_loop_time = _LOOP_CLASS.__dict__["time"]
        _LOOP_CLASS.time = _loop_time  # type: ignore[method-assign,assignment]

    def _stop(self) -> None:
        global _active
        if not self._running:
            return
        try:
            if self._saved_loop_time is not None:
                _LOOP_CLASS.time = self._saved_loop_time  # type: ignore[method-assign]
                self._saved_loop_time = None
            changed = _INDEX.changed_since(self._modules_at_start) if self._modules_at_start else {}
            self._unpatch_sleeps(changed)
            self._stop_freezer(changed)
        finally:
            self._running = False
            self._modules_at_start = {}
            if _active is self:
                _active = None

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
                real = _real_for(value)
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
            with _freezegun_sees(_INDEX.time_modules):
                freezer.stop()
            if last:
                _restore_fakes(changed, getattr(freezer, "reals", {}))
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
        self._t0 = _REAL_MONOTONIC()

    def __enter__(self) -> RealClock:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start counting real seconds for now()."""
        self._t0 = _REAL_MONOTONIC()

    def stop(self) -> None:
        """Do nothing: a real clock patches nothing."""

    def now(self) -> float:
        """Return the real seconds since start()."""
        return _REAL_MONOTONIC() - self._t0

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
