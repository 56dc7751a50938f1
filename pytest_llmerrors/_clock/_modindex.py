"""Where loaded modules hold time functions and sleeps: an index kept incrementally.

Walking every loaded module (about 4,000 with the LLM SDKs) takes 20 ms; a test's clock must
switch in microseconds. The index scans a module once, remembers the names that hold a time
function, a date class or a sleep (real or already faked), and per refresh only looks at
what can have changed cheaply: the count of loaded modules (a new import), and the few
modules with a module-level ``__getattr__``, whose namespace grows as lazy names resolve.
Rebinding an existing name of an indexed module after its scan goes unnoticed (freezegun's
own cache has the same blind spot).
"""

from __future__ import annotations

import sys
from typing import Any, NamedTuple

import freezegun.api
import freezegun.config

from .._names import in_packages
from . import _sleeps

# Modules whose references are left alone. pytest's own timing stays real (honest durations);
# subprocess times real processes (its `_time` frozen, `Popen.wait(timeout)` would never expire);
# our module and freezegun hold the originals on purpose; anyio's backends use `asyncio.sleep`
# for checkpoints, which are not sleeps the code asked for; execnet/xdist sleep in their threads.
# hypothesis times its own examples and garbage collections (from a gc callback).
# trio's run loop keeps its own clock, which `._trio` makes virtual.
_KEEP = ("_pytest", "pytest", "pluggy", "freezegun", "pytest_llmerrors", "subprocess", "hypothesis")
_KEEP_TIME = (*_KEEP, "trio")
_KEEP_SLEEP = (*_KEEP, "anyio._backends", "execnet", "xdist")


class Entry(NamedTuple):
    """One module: its namespace, its size when scanned, and the names to switch."""

    module: Any
    namespace: dict[str, Any]
    size: int
    names: tuple[str, ...]


def _time_objects() -> list[Any]:
    api = freezegun.api
    objects: list[Any] = list(api.real_date_objects)
    names = ("time", "monotonic", "perf_counter", "localtime", "gmtime", "strftime")
    for name in (*names, "time_ns", "monotonic_ns", "perf_counter_ns"):
        fake = getattr(api, f"fake_{name}", None)
        if fake is not None:
            objects.append(fake)
    objects += [api.FakeDatetime, api.FakeDate]
    return objects


class Index:
    """An incrementally kept map of the module-level names a test's clock switches."""

    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}
        #: sys.modules when last refreshed (never mutated), and its `fingerprint`.
        self.snapshot: dict[str, Any] = {}
        self.fingerprint = (0, "", 0)
        #: Entries with at least one name to switch.
        self.bindings: list[Entry] = []
        self._lazy: list[Entry] = []
        self._time_ids = {id(obj) for obj in _time_objects()}
        self._sleep_ids: set[int] = set()
        self._all_ids: set[int] = set()
        self._find_sleeps()

    def refresh(self) -> None:
        """Bring the index up to date with sys.modules, scanning only what changed."""
        if self._find_sleeps() or fingerprint() != self.fingerprint:
            self._rebuild(dict(sys.modules))
            return
        grown = [entry for entry in self._lazy if len(entry.namespace) != entry.size]
        if grown:
            for entry in grown:
                name = getattr(entry.module, "__name__", "")
                self.entries[name] = self._scan(name, entry.module)
            self._derive()

    def changed_since(self, seen: tuple[int, str, int]) -> dict[str, Any]:
        """Return the modules loaded since the refresh whose `fingerprint` was `seen`, and the
        lazy ones that grew: names bound there while a clock ran may hold a fake."""
        changed: dict[str, Any] = {}
        modules = sys.modules
        if fingerprint() != seen:
            snapshot = self.snapshot
            changed = {n: m for n, m in list(modules.items()) if snapshot.get(n) is not m}
        for entry in self._lazy:
            if len(entry.namespace) != entry.size:
                changed[getattr(entry.module, "__name__", "")] = entry.module
        return changed

    def _find_sleeps(self) -> bool:
        """Learn the real anyio and trio sleeps once they are imported; True if new ones."""
        found = False
        for module_name, known, register in (
            ("anyio._core._eventloop", _sleeps.anyio_sleep_known, _sleeps.register_anyio_sleep),
            ("trio", _sleeps.trio_sleep_known, _sleeps.register_trio_sleep),
        ):
            module = sys.modules.get(module_name)
            sleep = getattr(module, "sleep", None)
            if sleep is not None and not known():
                register(sleep)
                found = found or known()
        ids = {id(obj) for pair in _sleeps.pairs() for obj in pair}
        if ids != self._sleep_ids:
            self._sleep_ids = ids
            self._all_ids = self._time_ids | ids
            found = True
        return found

    def _rebuild(self, modules: dict[str, Any]) -> None:
        old = self.entries
        entries: dict[str, Entry] = {}
        for name, module in modules.items():
            entry = old.get(name)
            if entry is None or entry.module is not module or len(entry.namespace) != entry.size:
                entry = self._scan(name, module)
            entries[name] = entry
        self.entries, self.snapshot = entries, modules
        self.fingerprint = fingerprint()
        self._derive()

    def _scan(self, name: str, module: Any) -> Entry:
        try:
            namespace: dict[str, Any] = vars(module)
        except TypeError:
            namespace = {}
        values = list(namespace.values())  # copies: another thread may be importing into it
        if self._all_ids.isdisjoint(map(id, values)):  # most modules: decided at C speed
            return Entry(module, namespace, len(values), ())
        items = list(namespace.items())
        ignored = tuple(freezegun.config.settings.default_ignore_list)
        keep_time = not in_packages(name, _KEEP_TIME) and not name.startswith(ignored)
        keep_sleep = not in_packages(name, _KEEP_SLEEP)
        names = tuple(
            k
            for k, v in items
            if (keep_time and id(v) in self._time_ids) or (keep_sleep and id(v) in self._sleep_ids)
        )
        return Entry(module, namespace, len(items), names)

    def _derive(self) -> None:
        entries = self.entries.values()
        self.bindings = [
            e for e in entries if e.names and getattr(e.module, "__name__", None) not in _OWN
        ]
        self._lazy = [e for e in entries if "__getattr__" in e.namespace]


def fingerprint() -> tuple[int, str, int]:
    """Tell, in O(1), whether modules were imported or dropped: the count and the newest.

    ``sys.modules`` keeps insertion order, so an import changes its last entry even when
    another module was dropped meanwhile.
    """
    modules = sys.modules
    last = next(reversed(modules), "")
    return len(modules), last, id(modules.get(last))


#: Modules whose names the clock switches on its own (`._bindings`): `time`, `datetime`.
_OWN = ("time", "datetime")

INDEX = Index()
