"""The real clock, for tests that run on real time (``fake_time=False``)."""

from __future__ import annotations

import datetime
import time

import freezegun.api

from ._sleeps import REAL_MONOTONIC


class RealClock:
    """The same interface as `FakeClock`, on real time: nothing is patched or recorded."""

    def __init__(self) -> None:
        self._t0 = REAL_MONOTONIC()

    def __enter__(self) -> RealClock:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start counting real seconds for now()."""
        self._t0 = REAL_MONOTONIC()

    def stop(self) -> None:
        """Do nothing: a real clock patches nothing."""

    def now(self) -> float:
        """Return the real seconds since start()."""
        return REAL_MONOTONIC() - self._t0

    def advance(self, seconds: float) -> None:
        """Refuse: real time cannot be moved."""
        raise RuntimeError(
            f"clock.advance({seconds!r}) needs fake time, but this test runs with "
            "fake_time=False. Drop fake_time=False from @pytest.mark.llm_errors (or set "
            "llm_errors_fake_time = true) to move the clock."
        )

    def utcnow(self) -> datetime.datetime:
        """Return the instant the code under test sees (a user's freezer, or the real now)."""
        return freezegun.api.real_datetime.fromtimestamp(time.time(), datetime.timezone.utc)
