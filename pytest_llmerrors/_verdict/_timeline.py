"""The timeline of one test: every attempt and every sleep, recorded thread-safely."""

from __future__ import annotations

import dataclasses
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from .._faults import Attempt, current_task


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
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, attempt: Attempt) -> None:
        """Record `attempt` (numbered by the dispatcher, which adds them in order)."""
        with self._lock:
            self.attempts.append(attempt)

    def add_sleep(self, at: float, seconds: float) -> Callable[[float], None]:
        """Record one sleep of `seconds` that started at clock time `at`, by this task.

        Returns how to correct its length, for a sleep that ended early (cancelled).
        """
        sleep = Sleep(at, seconds, current_task())
        with self._lock:
            self.sleeps.append(sleep)

        def amend(lasted: float) -> None:
            with self._lock:
                for i, recorded in enumerate(self.sleeps):
                    if recorded is sleep:
                        self.sleeps[i] = dataclasses.replace(sleep, seconds=lasted)
                        break

        return amend

    def snapshot(self) -> tuple[list[Attempt], list[Sleep]]:
        """Return copies of the attempts and sleeps so far, taken together."""
        with self._lock:
            return list(self.attempts), list(self.sleeps)

    @property
    def delays(self) -> list[float]:
        """Return the clock seconds between the end of each attempt and the start of the next."""
        attempts = list(self.attempts)
        return [
            max(0.0, later.at - earlier.ended_at) for earlier, later in itertools.pairwise(attempts)
        ]
