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

_BASE = 1000.0  # trio clocks start anywhere; a positive base keeps deadlines readable


def virtual_run(
    real_run: Callable[..., Any], now: Callable[[], float], advance: Callable[[float], None]
) -> Callable[..., Any]:
    """Return ``trio.run`` with a virtual autojumping clock when the caller gave none."""
    from trio.testing import MockClock

    def jump(seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time can't go backwards")
        advance(seconds)

    def virtual_clock() -> Any:
        # MockClock is final: read and jump the test's clock through an instance of it.
        clock = MockClock(autojump_threshold=0)
        clock.current_time = lambda: _BASE + now()  # type: ignore[method-assign]
        clock.jump = jump  # type: ignore[method-assign]
        return clock

    @functools.wraps(real_run)
    def run(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("clock") is None:
            kwargs["clock"] = virtual_clock()
        return real_run(*args, **kwargs)

    return run


def trio_module() -> Any:
    """Return the trio module if the code under test imported it."""
    return sys.modules.get("trio")
