"""Interception: the test's HTTP requests answered in-process, as its providers would.

A request's path, in order: an adapter (`._respx` under httpx and httpx2, `._aiohttp`,
`._requests`) builds a `Request` and asks the running test's `Interceptor`
(`._interceptor`); the `Dispatcher` (`._dispatch`) routes it to a
profile, takes the next queued fault from the `FaultQueue` (`._queue`), lets the profile
plan the `Answer` and records the `Attempt`; the adapter turns the answer into the client
library's response or exception. Below every client, the `Guard` (`._guard`) refuses any
other connection while a test blocks the network.
"""

from __future__ import annotations

from . import _guard as guard
from ._dispatch import Dispatcher
from ._guard import Guard, NetworkBlocked
from ._interceptor import Interceptor
from ._interceptor import uninstall as _uninstall_adapters
from ._queue import FaultQueue, Queued
from ._sites import Sites


def uninstall() -> None:
    """Undo what the session installed: the client adapters and the network guard."""
    _uninstall_adapters()
    guard.uninstall()


__all__ = [
    "Dispatcher",
    "FaultQueue",
    "Guard",
    "Interceptor",
    "NetworkBlocked",
    "Queued",
    "Sites",
    "guard",
    "uninstall",
]
