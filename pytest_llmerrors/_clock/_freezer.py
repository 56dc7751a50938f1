"""freezegun, driven for the fake clock: one freezer per clock run, living with a user's.

freezegun owns what the code under test reads (the user chose it): while a `Freezer` runs,
`time.time`, `time.monotonic`, `time.perf_counter`, `datetime.datetime`, `datetime.date`
are freezegun's fakes, reading one frozen instant that `move_to` sets.

A freezer the test starts inside ours (``with freeze_time(...)``) wins until it stops, and
every move is applied to it too. A freezer already running when ours starts keeps its
instant and is exactly as it was after ours stops.

Speed: freezegun's `start()` and `stop()` walk every loaded module with `dir()` and
`getattr` (25 ms with the LLM SDKs loaded); `freezegun_sees` hands them only the modules
the index (`._modindex`) says hold a time function.
"""

from __future__ import annotations

import datetime
import threading
from typing import Any

import freezegun
import freezegun.api

from ._modindex import INDEX, freezegun_sees, restore_fakes

REAL_DATETIME: type[datetime.datetime] = freezegun.api.real_datetime
_UTC = datetime.timezone.utc

#: Held while any freezer of ours starts or stops.
LIFECYCLE = threading.Lock()
# Patches freezegun made for a freezer of ours whose entry had to leave freezegun's stack
# before it was empty (a freezer started inside ours outlived it); undone once none runs.
_orphaned: list[tuple[Any, str, Any]] = []


def undo_orphans() -> None:
    """Undo the patches of freezers that stopped out of order, once no freezer runs."""
    if not freezegun.api.freeze_factories:
        while _orphaned:
            target, name, original = _orphaned.pop()
            setattr(target, name, original)


def orphans() -> int:
    """Return how many patches of out-of-order stops wait to be undone."""
    return len(_orphaned)


def running_instant() -> datetime.datetime | None:
    """Return the naive instant of the freezer on top of freezegun's stack, if one runs."""
    stack = freezegun.api.freeze_factories
    return freezegun.api.convert_to_timezone_naive(stack[-1]()) if stack else None


def real_now() -> datetime.datetime:
    """Return the real current instant, naive UTC."""
    return REAL_DATETIME.now(_UTC).replace(tzinfo=None)


class Freezer:
    """One freezegun freezer: started at an instant, moved, stopped without a trace."""

    def __init__(self) -> None:
        self._freezer: Any = None
        self._factory: Any = None
        self._modules_at_start: dict[str, Any] = {}

    @property
    def running(self) -> bool:
        """Whether the freezer is started."""
        return self._factory is not None

    def start(self, instant: datetime.datetime) -> None:
        """Freeze time at the naive UTC `instant` (index refreshed by the caller)."""
        stack = freezegun.api.freeze_factories
        tz_offset = freezegun.api.tz_offsets[-1] if stack else datetime.timedelta()
        freezer = freezegun.freeze_time(instant, tz_offset=tz_offset)
        self._modules_at_start = INDEX.snapshot
        with freezegun_sees(dict(INDEX.time_modules)):
            self._factory = freezer.start()
        self._freezer = freezer

    def move(self, instant: datetime.datetime, delta: float) -> None:
        """Set our instant to `instant`, and move a freezer started inside ours by `delta`.

        Raises OverflowError before anything changed if `instant` is past year 9999.
        """
        factory = self._factory
        if factory is None:
            return
        factory.move_to(instant)
        stack = freezegun.api.freeze_factories
        if stack and stack[-1] is not factory:
            stack[-1].tick(datetime.timedelta(seconds=delta))

    def now(self) -> datetime.datetime | None:
        """Return what the code under test reads now (the top freezer), naive; None if stopped."""
        stack = freezegun.api.freeze_factories
        if self._factory is None or not stack:
            return None
        current: datetime.datetime = stack[-1]()
        return current

    def changed(self) -> dict[str, Any]:
        """Return the modules loaded or grown since `start` (they may hold fakes)."""
        return INDEX.changed_since(self._modules_at_start) if self._modules_at_start else {}

    def stop(self, changed: dict[str, Any]) -> None:
        """Stop freezing; `changed` are the modules to clean as `changed` returned them."""
        freezer, factory = self._freezer, self._factory
        self._freezer = self._factory = None
        self._modules_at_start = {}
        if factory is None:
            return
        api = freezegun.api
        stack = api.freeze_factories
        if stack and stack[-1] is factory:
            last = len(stack) == 1
            # freezegun would restore its fakes in the modules loaded since start with dir() and
            # getattr(), which resolves lazy module attributes: the openai SDK then imports its
            # resources (about 1.3 s, once). We restore those modules from vars() instead.
            with freezegun_sees(INDEX.time_modules):
                freezer.stop()
            if last:
                restore_fakes(changed, getattr(freezer, "reals", {}))
        else:
            # A freezer started inside ours is still running (or someone popped our entry):
            # take only our entry out, so that freezer keeps working and stops cleanly later.
            for i, other in enumerate(stack):
                if other is factory:
                    for parallel in (stack, api.tz_offsets, api.ignore_lists, api.tick_flags):
                        del parallel[i]
                    break
            _orphaned.extend(getattr(freezer, "undo_changes", ()))
            freezer.undo_changes = []
            # freezegun assumes freezers stop in reverse order: the one that will now empty the
            # stack never set what its stop() reads then, and would raise AttributeError.
            for name, default in (("fake_names", ()), ("reals", {})):
                if not hasattr(api._freeze_time, name):
                    setattr(api._freeze_time, name, default)
        undo_orphans()
