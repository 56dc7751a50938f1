"""trio on virtual time: ``trio.run`` in a test gets a clock that jumps on the test's clock.

trio keeps its own clock for its run loop. While a test's clock runs, ``trio.run`` (and
anyio's trio backend, which calls it) is given, unless the caller passed a clock, a
`MockClock` with ``autojump_threshold=0`` whose time is the test's virtual time: when every
trio task is blocked, it jumps to the next deadline by moving the test's clock, so
``trio.sleep(60)`` takes no real time and the rest of the code sees the 60 s pass.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

from ._sleeps import running

_BASE = 1000.0  # trio clocks start anywhere; a positive base keeps deadlines readable


#: The wrapped ``trio.run`` of each real one: built once, it reads the running clock per call.
_WRAPPED: dict[int, Callable[..., Any]] = {}


def virtual_run(real_run: Callable[..., Any]) -> Callable[..., Any]:
    """Return ``trio.run`` with a virtual autojumping clock when the caller gave none."""
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
    """Return trio's MockClock reading and jumping the test's `clock`."""
    from trio.testing import MockClock

    def jump(seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time can't go backwards")
        clock.advance(seconds)

    # MockClock is final: read and jump the test's clock through an instance of it.
    mock = MockClock(autojump_threshold=0)
    mock.current_time = lambda: _BASE + clock.now()  # type: ignore[method-assign]
    mock.jump = jump  # type: ignore[method-assign]
    return mock


def trio_module() -> Any:
    """Return the trio module if the code under test imported it."""
    return sys.modules.get("trio")
