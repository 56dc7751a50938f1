"""The timeline of one test: every attempt and every sleep, recorded thread-safely."""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from ._faults import Attempt


def current_task() -> str:
    """Return an id of the running thread and asyncio task, to tell concurrent calls apart."""
    ident = threading.get_ident()
    try:
        task = asyncio.current_task()
    except RuntimeError:
        task = None
    return str(ident) if task is None else f"{ident}/{id(task):x}"


@dataclass(frozen=True)
class Sleep:
    """One sleep the code under test asked for."""

    #: Clock seconds when the sleep started.
    at: float
    seconds: float
    #: The thread/task that slept (see `current_task`).
    task: str = ""


@dataclass
class Timeline:
    """What happened during one test, in order of arrival."""

    attempts: list[Attempt] = field(default_factory=list)
    sleeps: list[Sleep] = field(default_factory=list)
    #: Called with every attempt once it is recorded (the ``pytest_llmerrors_attempt`` hook).
    observers: list[Callable[[Attempt], None]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, build: Callable[[int], Attempt]) -> Attempt:
        """Record the attempt `build` makes from its index, atomically; return it."""
        with self._lock:
            attempt = build(len(self.attempts) + 1)
            self.attempts.append(attempt)
        for observer in list(self.observers):
            observer(attempt)
        return attempt

    def record_sleep(self, at: float, seconds: float) -> None:
        """Record one sleep of `seconds` that started at clock time `at`, by this task."""
        sleep = Sleep(at, seconds, current_task())
        with self._lock:
            self.sleeps.append(sleep)

    @property
    def delays(self) -> list[float]:
        """Return the clock seconds between the end of each attempt and the start of the next."""
        attempts = list(self.attempts)
        return [
            max(0.0, later.at - earlier.ended_at) for earlier, later in itertools.pairwise(attempts)
        ]
