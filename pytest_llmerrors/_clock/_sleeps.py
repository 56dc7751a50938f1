"""The replacement sleeps, and what event loops read while a test's clock runs.

`time.sleep`, `asyncio.sleep`, `anyio.sleep` and `trio.sleep` are replaced (by `._bindings`,
where modules hold them) with functions that note the sleep on the running clock and wait
on virtual time: `time.sleep` blocks its thread until the clock reaches its deadline; the
async sleeps call the original, which waits on the event loop, whose clock is virtual
(`loop_time`) and whose idle waits the scheduler sees (`._loop`). Without a running clock
(`activate`), or for a value the original would reject, they call the original.
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

from .._names import in_packages

_T = TypeVar("_T")
_LOOKS = ("__name__", "__qualname__", "__doc__")


def REAL_MONOTONIC() -> float:
    """Return the real monotonic time.

    Read from freezegun's copy at each call: a name of ours bound to the real function would
    itself be replaced by a user's ``freeze_time``, which patches every module but its own.
    """
    return freezegun.api.real_monotonic()


REAL_TIME_SLEEP = time.sleep
REAL_ASYNCIO_SLEEP = asyncio.sleep
LOOP_CLASS = asyncio.base_events.BaseEventLoop
REAL_LOOP_TIME = LOOP_CLASS.__dict__["time"]

# A `time.sleep` called directly from these modules really sleeps: infrastructure threads, and
# subprocess's wait loop, which would otherwise burn through a timeout in fake seconds.
_REAL_SLEEP_CALLERS = ("_pytest", "execnet", "xdist", "subprocess")


class Sleeper(Protocol):
    """What the replacement sleeps need from the running clock."""

    def now(self) -> float:
        """Return the virtual seconds since the test started."""

    def loop_time(self) -> float:
        """Return what event loops read as their time."""

    def note_sleep(self, seconds: float) -> Callable[[float], None] | None:
        """Record a sleep of the calling thread or task (the code under test's only).

        Returns how to correct its length if it ends early (a cancelled async sleep).
        """

    def wait(self, seconds: float) -> None:
        """Block the calling thread for `seconds` virtual seconds."""


#: The running clock: set by `activate`, cleared by `deactivate`.
_active: Sleeper | None = None


def activate(clock: Sleeper) -> None:
    """Make `clock` the one the replacement sleeps use; only one runs at a time."""
    global _active
    if _active is not None:
        raise RuntimeError(
            f"Another FakeClock is running ({_active!r}); stop it before starting one."
        )
    _active = clock


def deactivate(clock: Sleeper) -> None:
    """Stop using `clock`, if it is the running one."""
    global _active
    if _active is clock:
        _active = None


def running() -> Sleeper | None:
    """Return the running clock, if any."""
    return _active


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
    clock.note_sleep(length)
    clock.wait(length)


def _async_length(delay: object) -> float | None:
    """Return the virtual seconds an async sleep lasts, or None when only the original will do."""
    if isinstance(delay, (int, float)) and math.isfinite(delay):
        # Both originals treat a negative delay as 0: a bare yield.
        return max(float(delay), 0.0)
    return None  # inf (sleep_forever), NaN or a wrong type: the original's behaviour


async def _noted(clock: Sleeper | None, length: float | None, sleep: Any) -> Any:
    """Await `sleep`, noted on `clock` as `length` seconds, or as what it lasted if cancelled."""
    if clock is None or length is None:
        return await sleep
    began = clock.now()
    amend = clock.note_sleep(length)
    try:
        return await sleep
    except BaseException:  # cancelled (wait_for's timeout): it lasted until now
        if amend is not None:
            amend(clock.now() - began)
        raise


async def fake_asyncio_sleep(delay: float, result: _T = None) -> _T:  # type: ignore[assignment]
    result_: _T = await _noted(_active, _async_length(delay), REAL_ASYNCIO_SLEEP(delay, result))
    return result_


def loop_time(loop: asyncio.AbstractEventLoop) -> float:
    """What event loops read as their time: virtual while a clock runs, never frozen."""
    clock = _active
    if clock is None:
        return REAL_MONOTONIC()
    from ._loop import watch

    watch(loop)
    return clock.loop_time()


_real_anyio_sleep: list[Callable[[float], Any]] = []  # filled when anyio is first seen
_real_trio_sleep: list[Callable[[float], Any]] = []  # likewise for trio


def register_anyio_sleep(sleep: Callable[[float], Any]) -> None:
    """Remember `anyio.sleep`, found once anyio is imported, so it can be replaced."""
    if not _real_anyio_sleep and sleep is not fake_anyio_sleep:
        _real_anyio_sleep.append(sleep)


def register_trio_sleep(sleep: Callable[[float], Any]) -> None:
    """Remember `trio.sleep`, found once trio is imported, so it can be replaced."""
    if not _real_trio_sleep and sleep is not fake_trio_sleep:
        _real_trio_sleep.append(sleep)


def anyio_sleep_known() -> bool:
    """Whether `anyio.sleep` has been found (`register_anyio_sleep`)."""
    return bool(_real_anyio_sleep)


def real_anyio_sleep() -> Callable[[float], Any]:
    """Return the original `anyio.sleep` (`anyio_sleep_known` must be true)."""
    return _real_anyio_sleep[0]


def trio_sleep_known() -> bool:
    """Whether `trio.sleep` has been found (`register_trio_sleep`)."""
    return bool(_real_trio_sleep)


async def fake_anyio_sleep(delay: float) -> None:
    # The original is known before this function is ever installed.
    await _noted(_active, _async_length(delay), _real_anyio_sleep[0](delay))


async def fake_trio_sleep(seconds: float) -> None:
    await _noted(_active, _async_length(seconds), _real_trio_sleep[0](seconds))


# Look like the originals to introspection (help(), inspect.unwrap, tracebacks' names).
functools.update_wrapper(fake_time_sleep, REAL_TIME_SLEEP, assigned=_LOOKS)
functools.update_wrapper(fake_asyncio_sleep, REAL_ASYNCIO_SLEEP, assigned=_LOOKS)
fake_anyio_sleep.__name__ = fake_anyio_sleep.__qualname__ = "sleep"
fake_trio_sleep.__name__ = fake_trio_sleep.__qualname__ = "sleep"


def pairs() -> list[tuple[Callable[..., Any], Callable[..., Any]]]:
    """Return (original, replacement) for each sleep found so far."""
    found: list[tuple[Callable[..., Any], Callable[..., Any]]] = [
        (REAL_TIME_SLEEP, fake_time_sleep),
        (REAL_ASYNCIO_SLEEP, fake_asyncio_sleep),
    ]
    if _real_anyio_sleep:
        found.append((_real_anyio_sleep[0], fake_anyio_sleep))
    if _real_trio_sleep:
        found.append((_real_trio_sleep[0], fake_trio_sleep))
    return found
