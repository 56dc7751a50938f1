"""Event loops on virtual time: a loop with nothing ready waits on the scheduler.

asyncio's ``_run_once`` asks its selector to wait until the next timer (``select(timeout)``).
While a test's clock runs, loops read virtual time (`._sleeps.loop_time`), and the selector
of each loop that does is wrapped (`watch`): an idle wait becomes a waiter of the scheduler
with the timer's virtual deadline, and the loop blocks in a real ``select`` until I/O
arrives or the scheduler wakes it through the loop's self-pipe, having moved the clock. So
``asyncio.sleep``, ``wait_for`` and anyio's deadlines all run on the same virtual clock,
and 25 tasks sleeping 2 s under ``gather`` take 2 virtual seconds, not 50.

A loop without a ``_selector`` (uvloop) or one whose class brings its own ``time()`` keeps
real time: its sleeps are still noted, but wait in real time.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any


class VirtualSelector:
    """A loop's selector whose idle waits are virtual while a test's clock runs."""

    def __init__(self, inner: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._inner = inner
        self._loop = loop

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def select(self, timeout: float | None = None) -> Any:
        """Wait for I/O, or for the virtual clock to reach the loop's next timer."""
        from . import _sleeps

        clock: Any = _sleeps.running()
        if clock is None or (timeout is not None and timeout <= 0):
            return self._inner.select(timeout)
        events = self._inner.select(0)
        if events:
            clock.progress()
            return events
        wake = getattr(self._loop, "_write_to_self", None)
        if wake is None:
            return self._inner.select(timeout)
        waiter = clock.loop_wait(
            math.inf if timeout is None else timeout, wake, self._ready, self._watches_sockets
        )
        if waiter is None:
            return self._inner.select(timeout)
        try:
            return self._inner.select(None)  # until I/O, or the wake from the scheduler
        finally:
            clock.end_wait(waiter)

    def _ready(self) -> bool:
        """Whether I/O is ready for the loop: asked by the scheduler before moving the clock.

        A worker thread that finishes between the loop's last look and its wait writes the
        loop's self-pipe; the clock must not jump past the loop's timers before it reads it.
        """
        try:
            return bool(self._inner.select(0))
        except (OSError, ValueError):  # closed meanwhile
            return False

    def _watches_sockets(self) -> bool:
        """Whether the loop watches a file besides its self-pipe (a real connection)."""
        own = getattr(self._loop, "_ssock", None)
        try:
            pipe = own.fileno() if own is not None else -1
            return any(key.fd != pipe for key in list(self._inner.get_map().values()))
        except (RuntimeError, ValueError, OSError):  # changed or closed meanwhile
            return True


def watch(loop: asyncio.AbstractEventLoop) -> None:
    """Wrap `loop`'s selector once, so its idle waits reach the scheduler."""
    namespace = vars(loop)
    selector = namespace.get("_selector")
    if selector is not None and type(selector) is not VirtualSelector:
        namespace["_selector"] = VirtualSelector(selector, loop)
