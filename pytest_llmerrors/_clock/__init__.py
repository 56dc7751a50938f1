"""Virtual time: a fake clock on freezegun whose sleeps take no real time.

`._fake` (`FakeClock`) keeps one test's virtual seconds and starts and stops it;
`._scheduler` moves them when the code under test has nothing else to do, so concurrent
waits overlap; `._bindings` switches freezegun's fakes and the replacement sleeps of
`._sleeps` in and out where `._modindex` found loaded modules holding the real ones;
`._loop` puts asyncio's idle waits on the scheduler and `._trio` gives ``trio.run`` a clock
that jumps with it. `._real` is the same interface on real time.
"""

from __future__ import annotations

import datetime
from typing import Protocol

from ._bindings import release
from ._fake import FakeClock
from ._real import RealClock


class Clock(Protocol):
    """What the plugin needs from a clock, fake or real."""

    def start(self) -> None:
        """Start the clock (a fake one freezes time and makes sleeps instant)."""

    def stop(self) -> None:
        """Undo what `start` did."""

    def now(self) -> float:
        """Return seconds since the test started."""

    def advance(self, seconds: float) -> None:
        """Move the clock forward (fake time only)."""

    def utcnow(self) -> datetime.datetime:
        """Return the current instant, aware UTC."""


__all__ = ["Clock", "FakeClock", "RealClock", "release"]
