"""The replacement sleeps: instant, recorded, and looking like the originals.

`time.sleep`, `asyncio.sleep` and `anyio.sleep` are replaced (by `SleepPatches`, where
modules hold them) with functions that move the running clock and return at once. Without
a running clock (`activate`), or for a value the original would reject, they call the
original. Event loops read `loop_time` while patched: real time plus the fake seconds moved.
"""

from __future__ import annotations

import asyncio
import asyncio.base_events
import functools
import math
import operator
import sys
import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import freezegun.api

_T = TypeVar("_T")
_LOOKS = ("__name__", "__qualname__", "__doc__")

# Captured at import, before any freezer of ours runs; freezegun's copies are immune to a user's
# freezer that was already running when this module was imported.
REAL_MONOTONIC: Callable[[], float] = freezegun.api.real_monotonic
REAL_TIME_SLEEP = time.sleep
REAL_ASYNCIO_SLEEP = asyncio.sleep
LOOP_CLASS = asyncio.base_events.BaseEventLoop

# A `time.sleep` called directly from these modules really sleeps: infrastructure threads, and
# subprocess's wait loop, which would otherwise burn through a timeout in fake seconds.
_REAL_SLEEP_CALLERS = ("_pytest", "execnet", "xdist", "subprocess")


class Sleeper(Protocol):
    """What the replacement sleeps need from the running clock."""

    def now(self) -> float:
        """Return the fake seconds the clock has moved."""

    def slept(self, seconds: float) -> None:
        """Move the clock by one sleep of `seconds` the code under test asked for."""


#: The running clock: set by `activate`, cleared by `deactivate`.
_active: Sleeper | None = None


def activate(clock: Sleeper) -> None:
    """Make `clock` the one the replacement sleeps move; only one runs at a time."""
    global _active
    if _active is not None:
        raise RuntimeError(
            f"Another FakeClock is running ({_active!r}); stop it before starting one."
        )
    _active = clock


def deactivate(clock: Sleeper) -> None:
    """Stop sending sleeps to `clock`, if it is the running one."""
    global _active
    if _active is clock:
        _active = None


def running() -> Sleeper | None:
    """Return the running clock, if any."""
    return _active


def in_packages(name: str, packages: tuple[str, ...]) -> bool:
    """Whether module `name` is one of `packages` or inside one."""
    return any(name == p or name.startswith(p + ".") for p in packages)


def _sleep_length(secs: object) -> float | None:
    """Return `secs` as time.sleep would read it, or None when time.sleep would raise."""
    try:
        # float(): tenacity passes a float subclass (DoSleep) that must not leak into records.
        value = float(secs) if isinstance(secs, float) else float(operator.index(secs))  # type: ignore[arg-type]
    except TypeError:
        return None
    return value if value >= 0.0 and not math.isinf(value) else None


def fake_time_sleep(secs: float, /) -> None:
    clock = _active
    caller = sys._getframe(1).f_globals.get("__name__", "")
    length = _sleep_length(secs)
    if clock is None or length is None or in_packages(caller, _REAL_SLEEP_CALLERS):
        # Bad values reach the original so they raise exactly its TypeError/ValueError.
        REAL_TIME_SLEEP(secs)
        return
    clock.slept(length)


def _async_length(delay: object) -> float | None:
    """Return the fake seconds an async sleep moves, or None when only the original will do."""
    if isinstance(delay, (int, float)) and math.isfinite(delay):
        # Both originals treat a negative delay as 0: a bare yield.
        return max(float(delay), 0.0)
    return None  # inf (sleep_forever), NaN or a wrong type: the original's behaviour


async def fake_asyncio_sleep(delay: float, result: _T = None) -> _T:  # type: ignore[assignment]
    clock = _active
    length = _async_length(delay)
    if clock is None or length is None:
        return await REAL_ASYNCIO_SLEEP(delay, result)
    return await _sleep_in_loop(clock, length, result)


def loop_time(loop: asyncio.AbstractEventLoop) -> float:
    """Give event loops real monotonic time plus the fake seconds moved: never frozen."""
    clock = _active
    return REAL_MONOTONIC() + (clock.now() if clock is not None else 0.0)


def _wake(future: asyncio.Future[_T], result: _T) -> None:
    if not future.done():  # cancelled meanwhile
        future.set_result(result)


async def _sleep_in_loop(clock: Sleeper, length: float, result: _T) -> _T:
    """Move `clock` by `length`, then wait on the loop as the original sleep does."""
    loop = asyncio.get_running_loop()
    if length == 0.0 or getattr(type(loop), "time", None) is not loop_time:
        # A bare yield: what sleep(0) is, and all we can do on a loop whose time is not ours.
        clock.slept(length)
        await REAL_ASYNCIO_SLEEP(0)
        return result
    deadline = loop.time() + length
    clock.slept(length)  # the loop's time jumps with the clock: the deadline is now due
    # Waking through the timer heap, not a bare yield, keeps the original's ordering: a timeout
    # due before this deadline (wait_for, anyio.fail_after) fires first, as in real time.
    future: asyncio.Future[_T] = loop.create_future()
    handle = loop.call_at(deadline, _wake, future, result)
    try:
        return await future
    finally:
        handle.cancel()


_real_anyio_sleep: list[Callable[[float], Any]] = []  # filled when anyio is first seen


def register_anyio_sleep(sleep: Callable[[float], Any]) -> None:
    """Remember `anyio.sleep`, found once anyio is imported, so it can be replaced."""
    if not _real_anyio_sleep and sleep is not fake_anyio_sleep:
        _real_anyio_sleep.append(sleep)


def anyio_sleep_known() -> bool:
    """Whether `anyio.sleep` has been found (`register_anyio_sleep`)."""
    return bool(_real_anyio_sleep)


async def fake_anyio_sleep(delay: float) -> None:
    clock = _active
    length = _async_length(delay)
    if clock is None or length is None:
        await _real_anyio_sleep[0](delay)  # set before this function is ever installed
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # anyio on trio: record, move, and yield the trio way
        clock.slept(length)
        from anyio.lowlevel import checkpoint

        await checkpoint()
        return
    await _sleep_in_loop(clock, length, None)


# Look like the originals to introspection (help(), inspect.unwrap, tracebacks' names).
functools.update_wrapper(fake_time_sleep, REAL_TIME_SLEEP, assigned=_LOOKS)
functools.update_wrapper(fake_asyncio_sleep, REAL_ASYNCIO_SLEEP, assigned=_LOOKS)
fake_anyio_sleep.__name__ = fake_anyio_sleep.__qualname__ = "sleep"


def fake_for(value: object) -> Callable[..., Any] | None:
    """Return our replacement for a real sleep function, or None."""
    if value is REAL_TIME_SLEEP:
        return fake_time_sleep
    if value is REAL_ASYNCIO_SLEEP:
        return fake_asyncio_sleep
    if _real_anyio_sleep and value is _real_anyio_sleep[0]:
        return fake_anyio_sleep
    return None


def real_for(value: object) -> Any:
    """Return the original behind one of our replacement sleeps, or None."""
    if value is fake_time_sleep:
        return REAL_TIME_SLEEP
    if value is fake_asyncio_sleep:
        return REAL_ASYNCIO_SLEEP
    if value is fake_anyio_sleep and _real_anyio_sleep:
        return _real_anyio_sleep[0]
    return None
