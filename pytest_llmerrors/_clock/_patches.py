"""Where the replacement sleeps are installed: module names bound to the real sleeps, and
the event loop's clock.

`time.sleep`, `asyncio.sleep` and `anyio.sleep` (and names bound to them with ``from ...
import sleep``) are replaced where the index (`._modindex`) found them. anyio is covered at
`anyio.sleep` itself, not at the `asyncio.sleep` its asyncio backend binds, so anyio's
internal checkpoints (``sleep(0)``) stay unrecorded and the trio backend works.

Event loops read `BaseEventLoop.time`, which calls `time.monotonic`: frozen, timers would
never fire. It is pointed at `._sleeps.loop_time` (real monotonic time plus the fake seconds
moved so far), so loops keep running and `asyncio.wait_for` / `anyio.fail_after` deadlines
expire as fake time passes.
"""

from __future__ import annotations

from typing import Any

from . import _sleeps
from ._modindex import INDEX
from ._sleeps import LOOP_CLASS


class SleepPatches:
    """The sleeps of loaded modules and the event loop's clock, replaced and put back."""

    def __init__(self) -> None:
        self._undo: list[tuple[Any, str, Any, Any]] = []
        self._saved_loop_time: Any = None

    def apply(self) -> None:
        """Replace every indexed real sleep, and the event loop's clock."""
        for entry in INDEX.with_sleeps:
            for name in entry.sleep_names:
                current = entry.namespace.get(name)
                fake = _sleeps.fake_for(current)
                if fake is not None:  # still the original: nobody rebound it since the scan
                    self._undo.append((entry.module, name, current, fake))
                    setattr(entry.module, name, fake)
        self._saved_loop_time = LOOP_CLASS.__dict__["time"]
        LOOP_CLASS.time = _sleeps.loop_time  # type: ignore[method-assign,assignment]

    def undo(self, changed: dict[str, Any]) -> None:
        """Put the originals back, also in `changed` modules that bound a replacement."""
        if self._saved_loop_time is not None:
            LOOP_CLASS.time = self._saved_loop_time  # type: ignore[method-assign]
            self._saved_loop_time = None
        while self._undo:
            target, name, original, fake = self._undo.pop()
            if getattr(target, name, None) is fake:  # leave a name someone else rebound alone
                setattr(target, name, original)
        # Modules imported while we ran bound our sleeps with `from time import sleep`; lazy
        # module attributes resolved while we ran cached them.
        for module in changed.values():
            try:
                items = list(vars(module).items())
            except TypeError:
                continue
            for name, value in items:
                real = _sleeps.real_for(value)
                if real is not None:
                    setattr(module, name, real)
