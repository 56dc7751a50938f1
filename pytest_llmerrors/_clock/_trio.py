"""trio on virtual time: ``trio.run`` in a test gets a clock whose idle waits are the scheduler's.

trio keeps its own clock for its run loop. While a test's clock runs, ``trio.run`` (and
anyio's trio backend, which calls it) is given, unless the caller passed a clock, a clock
whose time is the test's virtual time. When no trio task can run, trio asks the clock how
long to sleep until its next deadline: that wait becomes a waiter of the scheduler (as an
asyncio loop's idle wait does, `._loop`), and trio blocks in its real I/O wait until I/O
arrives (a worker thread's result) or the scheduler, having moved the clock to the
deadline, wakes it. So ``trio.sleep(60)`` takes no real time, the rest of the code sees the
60 s pass, and a task waiting on ``trio.to_thread`` waits (without spinning) for a worker
whose own sleeps move the clock.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

from ._sleeps import running

_BASE = 1000.0  # trio clocks start anywhere; a positive base keeps deadlines readable
#: Real seconds trio's I/O wait may block while the scheduler holds its idle wait: it is
#: woken well before, by I/O or the scheduler; the bound only keeps a lost wake from hanging.
_REAL_WAIT = 60.0


#: The wrapped ``trio.run`` of each real one: built once, it reads the running clock per call.
_WRAPPED: dict[int, Callable[..., Any]] = {}


def virtual_run(real_run: Callable[..., Any]) -> Callable[..., Any]:
    """Return ``trio.run`` with a clock on virtual time when the caller gave none."""
    if real_run in _WRAPPED.values():  # left in place by a clock that did not stop
        return real_run
    wrapped = _WRAPPED.get(id(real_run))
    if wrapped is not None:
        return wrapped

    @functools.wraps(real_run)
    def run(*args: Any, **kwargs: Any) -> Any:
        clock = running()
        if clock is not None and kwargs.get("clock") is None:
            kwargs["clock"] = _virtual_clock(clock)
        return real_run(*args, **kwargs)

    _WRAPPED[id(real_run)] = run
    return run


def _virtual_clock(clock: Any) -> Any:
    """Return a trio clock reading the test's `clock` and waiting on its scheduler."""
    import trio

    class VirtualClock(trio.abc.Clock):
        """trio's clock on the test's virtual time."""

        def __init__(self) -> None:
            self._waiter: Any = None
            self._token: Any = None

        def start_clock(self) -> None:
            self._token = trio.lowlevel.current_trio_token()

        def current_time(self) -> float:
            # trio reads the time as soon as its I/O wait returns: the wait is over.
            if self._waiter is not None:
                self._end()
            return float(_BASE + clock.now())

        def deadline_to_sleep_time(self, deadline: float) -> float:
            # Asked when no task can run: the loop is idle until `deadline` (virtual).
            self._end()
            timeout = deadline - (_BASE + clock.now())
            if timeout <= 0:
                return 0.0
            self._waiter = clock.loop_wait(timeout, self._wake)
            if self._waiter is None:  # the test's clock stopped under us
                return float(timeout)
            return _REAL_WAIT  # until I/O, or the scheduler's wake at the deadline

        def _wake(self) -> None:
            try:
                self._token.run_sync_soon(_nothing)  # thread-safe: writes trio's wakeup fd
            except Exception:  # the run ended meanwhile
                pass

        def _end(self) -> None:
            waiter, self._waiter = self._waiter, None
            if waiter is not None:
                clock.end_wait(waiter)

    return VirtualClock()


def _nothing() -> None:
    return None


def trio_module() -> Any:
    """Return the trio module if the code under test imported it."""
    return sys.modules.get("trio")
