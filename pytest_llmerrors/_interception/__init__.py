"""Interception: the test's HTTP requests answered in-process, as its providers would.

A request's path, in order: `._respx` (the adapter under httpx and httpx2) builds a
`Request` and asks the `Interceptor`; the `Dispatcher` (`._dispatch`) routes it to a
profile, takes the next queued fault from the `FaultQueue` (`._queue`), lets the profile
plan the `Answer` and records the `Attempt`; the adapter turns the answer into the client
library's response or exception.
"""

from __future__ import annotations

from ._dispatch import Dispatcher
from ._queue import FaultQueue, Queued
from ._respx import Interceptor

__all__ = ["Dispatcher", "FaultQueue", "Interceptor", "Queued"]
