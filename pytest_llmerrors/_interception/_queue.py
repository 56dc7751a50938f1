"""The fault queue: faults the test queued, taken in order by the requests they apply to."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._faults import Fault
from .._policy import Policy
from .._providers import Provider


@dataclass
class Queued:
    """One ``inject_error(...)`` call: what was asked, the fault it made, how often it applies."""

    #: What the test passed: a status, a scenario name or a `Fault`.
    spec: int | str | Fault
    #: The fault as the test's provider (or the one named with ``provider=``) answers it.
    fault: Fault
    #: Requests it still applies to; ``None`` with ``always=True``.
    remaining: int | None
    #: The ``inject_error`` options, applied again when another profile answers the request.
    options: Mapping[str, Any] = field(default_factory=dict)
    #: Whether the test named the provider: then the fault keeps that profile's shape.
    pinned: bool = False
    taken: int = 0

    @property
    def label(self) -> str:
        """Return a short description for reports: name and repetition."""
        times = "always" if self.remaining is None else f"x{self.taken + self.remaining}"
        return f"{self.fault.name} ({times})"

    def fault_for(self, provider: Provider, policy: Policy) -> Fault:
        """Return this fault as `provider` answers it (a request routed to another profile)."""
        if self.pinned or isinstance(self.spec, Fault) or self.fault.provider == provider.name:
            return self.fault
        try:
            return provider.fault(self.spec, policy, self.options)
        except ValueError:  # a scenario name that profile lacks: keep the one asked for
            return self.fault


class FaultQueue:
    """Queued faults, in order; thread-safe, each consumed exactly once per repetition."""

    def __init__(self, policy: Policy) -> None:
        self._policy = policy
        self._entries: list[Queued] = []
        self._all: list[Queued] = []
        self._lock = threading.Lock()

    def put(self, entry: Queued) -> None:
        """Queue `entry` behind the others."""
        with self._lock:
            self._entries.append(entry)
            self._all.append(entry)

    def take(self, provider: Provider, stream: bool) -> Fault | None:
        """Return the first queued fault for a request `provider` serves, consuming one use.

        A stream fault applies only to a request that asked for a stream (`stream`).
        """
        with self._lock:
            for entry in self._entries:
                if entry.fault.stream and not stream:
                    continue
                entry.taken += 1
                if entry.remaining is not None:
                    entry.remaining -= 1
                    if entry.remaining == 0:
                        self._entries.remove(entry)
                return entry.fault_for(provider, self._policy)
        return None

    def pending(self) -> list[Queued]:
        """Return the entries that were never taken."""
        with self._lock:
            return [e for e in self._entries if e.taken == 0]

    def entries(self) -> list[Queued]:
        """Return every entry, taken or not, in the order they were queued."""
        with self._lock:
            return list(self._all)
