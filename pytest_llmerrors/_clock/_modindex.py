"""Where loaded modules hold the real time functions and sleeps: an index kept incrementally.

freezegun's `start()` walks every loaded module with `dir()` and `getattr` (25 ms with the
LLM SDKs loaded). The index remembers where modules hold what freezegun and we patch, and
rescans only modules that are new, replaced, or whose set of names grew or shrank.
"""

from __future__ import annotations

import contextlib
import sys
import types
from collections.abc import Iterator
from typing import Any, NamedTuple

import freezegun
import freezegun.api

from . import _sleeps
from ._sleeps import REAL_ASYNCIO_SLEEP, REAL_TIME_SLEEP, in_packages

# Modules whose references are left alone. pytest's own timing stays real (honest durations);
# subprocess times real processes (its `_time` frozen, `Popen.wait(timeout)` would never expire);
# our module and freezegun hold the originals on purpose; anyio's backends use `asyncio.sleep`
# for checkpoints, which are not sleeps the code asked for; execnet/xdist sleep in their threads.
# hypothesis times its own examples and garbage collections (from a gc callback that can fire
# while freezegun is half-stopped, where a frozen perf_counter raises IndexError).
_KEEP_TIME = (
    "_pytest",
    "pytest",
    "pluggy",
    "freezegun",
    "pytest_llmerrors",
    "subprocess",
    "hypothesis",
)
_KEEP_SLEEP = (*_KEEP_TIME, "anyio._backends", "execnet", "xdist")


class Entry(NamedTuple):
    module: Any
    namespace: dict[str, Any]
    size: int  # len(namespace) when scanned: a changed size means a rescan
    time_names: tuple[str, ...]  # names holding a real time object freezegun patches
    sleep_names: tuple[str, ...]  # names holding a real sleep we replace


class Index:
    """An incrementally kept map of the module-level names freezegun and we must patch."""

    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}
        self.snapshot: dict[str, Any] = {}  # sys.modules when last refreshed (never mutated)
        self.time_modules: dict[str, Any] = {}
        self.by_id: dict[int, Entry] = {}
        self.with_sleeps: list[Entry] = []
        self._names: list[str] = []
        self._namespaces: list[dict[str, Any]] = []
        self._sizes: list[int] = []
        self._time_ids = {id(obj) for obj in freezegun.api.real_date_objects}
        self._sleep_ids = {id(REAL_TIME_SLEEP), id(REAL_ASYNCIO_SLEEP)}
        self._all_ids = self._time_ids | self._sleep_ids

    def refresh(self) -> None:
        """Bring the index up to date with sys.modules, scanning only what changed."""
        self._find_anyio()
        modules = sys.modules
        if modules != self.snapshot:  # C-level: identity of every module object
            self._rebuild(dict(modules))
        elif (sizes := list(map(len, self._namespaces))) != self._sizes:
            for i in [i for i, (a, b) in enumerate(zip(sizes, self._sizes, strict=True)) if a != b]:
                name = self._names[i]
                self.entries[name] = self._scan(name, self.entries[name].module)
            self._sizes = sizes
            self._derive()

    def changed_since(self, snapshot: dict[str, Any]) -> dict[str, Any]:
        """Return the modules loaded, replaced, or given new names since `snapshot` was taken.

        `snapshot` must be the one the last refresh took: names that appeared in a module since
        (a lazy `__getattr__` caching what it found, like anyio's) may hold a fake.
        """
        modules = sys.modules
        changed: dict[str, Any] = {}
        if modules != snapshot:
            changed = {n: m for n, m in list(modules.items()) if snapshot.get(n) is not m}
        sizes = list(map(len, self._namespaces))
        if sizes != self._sizes:
            for i, (a, b) in enumerate(zip(sizes, self._sizes, strict=True)):
                if a != b:
                    changed[self._names[i]] = self.entries[self._names[i]].module
        return changed

    def attributes(self, module: Any) -> list[tuple[str, Any]]:
        """Stand in for freezegun's per-module scan: current values of the indexed names."""
        entry = self.by_id.get(id(module))
        if entry is None:
            return []
        ns = entry.namespace
        return [(name, ns[name]) for name in entry.time_names if name in ns]

    def _find_anyio(self) -> None:
        if _sleeps.anyio_sleep_known():
            return
        loop_module = sys.modules.get("anyio._core._eventloop")
        sleep = getattr(loop_module, "sleep", None)
        if sleep is not None:
            _sleeps.register_anyio_sleep(sleep)
            if _sleeps.anyio_sleep_known():
                self._sleep_ids.add(id(sleep))
                self._all_ids.add(id(sleep))

    def _rebuild(self, modules: dict[str, Any]) -> None:
        old = self.entries
        entries: dict[str, Entry] = {}
        for name, module in modules.items():
            entry = old.get(name)
            if entry is None or entry.module is not module or len(entry.namespace) != entry.size:
                entry = self._scan(name, module)
            entries[name] = entry
        self.entries, self.snapshot = entries, modules
        self._names = list(entries)
        self._namespaces = [e.namespace for e in entries.values()]
        self._sizes = [e.size for e in entries.values()]
        self._derive()

    def _scan(self, name: str, module: Any) -> Entry:
        try:
            namespace: dict[str, Any] = vars(module)
        except TypeError:
            namespace = {}
        values = list(namespace.values())  # copies: another thread may be importing into it
        if self._all_ids.isdisjoint(map(id, values)):  # most modules: decided at C speed
            return Entry(module, namespace, len(values), (), ())
        items = list(namespace.items())
        keep_time = not in_packages(name, _KEEP_TIME)
        keep_sleep = not in_packages(name, _KEEP_SLEEP)
        times = tuple(k for k, v in items if keep_time and id(v) in self._time_ids)
        sleeps = tuple(k for k, v in items if keep_sleep and id(v) in self._sleep_ids)
        return Entry(module, namespace, len(items), times, sleeps)

    def _derive(self) -> None:
        self.time_modules = {n: e.module for n, e in self.entries.items() if e.time_names}
        self.by_id = {id(e.module): e for e in self.entries.values() if e.time_names}
        self.with_sleeps = [e for e in self.entries.values() if e.sleep_names]


INDEX = Index()
# Our stand-in needs freezegun to read `sys.modules` and `_get_cached_module_attributes` through
# its module globals, as 1.x does; if a release stops doing so we let it scan everything itself.
_CAN_NARROW = getattr(freezegun.api, "sys", None) is sys and callable(
    getattr(freezegun.api, "_get_cached_module_attributes", None)
)


@contextlib.contextmanager
def freezegun_sees(modules: dict[str, Any]) -> Iterator[None]:
    """Make freezegun's start/stop scan only `modules`, through our index."""
    if not _CAN_NARROW:
        yield
        return
    api = vars(freezegun.api)
    saved = api["sys"], api["_get_cached_module_attributes"]
    api.update(
        sys=types.SimpleNamespace(modules=modules), _get_cached_module_attributes=INDEX.attributes
    )
    try:
        yield
    finally:
        api["sys"], api["_get_cached_module_attributes"] = saved


def restore_fakes(modules: dict[str, Any], reals: dict[int, Any]) -> None:
    """Put the real objects back where `modules` bound freezegun's fakes while it ran."""
    for module in modules.values():
        try:
            items = list(vars(module).items())
        except TypeError:
            continue
        for name, value in items:
            real = reals.get(id(value))
            if real is not None:
                setattr(module, name, real)
