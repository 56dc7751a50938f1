"""The fault queue: faults the test queued, taken in order by the requests they apply to."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from ._exchange import Request
from ._faults import Fault
from ._providers import Route
from ._providers._profile import Provider

#: Re-shapes a queued fault for the profile that serves the request.
Resolver = Callable[[Provider], Fault]


@dataclass
class Queued:
    """One `inject_error(...)` call: a fault, how many times it applies, and how it was asked."""

    fault: Fault
    #: Requests it still applies to; ``None`` with ``always=True``.
    remaining: int | None
    #: Shapes the fault for another profile; ``None`` when the provider was explicit.
    reshape: Resolver | None = None
    taken: int = 0

    @property
    def label(self) -> str:
        """Return a short description for reports: name and repetition."""
        times = "always" if self.remaining is None else f"x{self.taken + self.remaining}"
        return f"{self.fault.name} ({times})"


class FaultQueue:
    """Queued faults, in order; thread-safe, each consumed exactly once per repetition."""

    def __init__(self) -> None:
        self._entries: list[Queued] = []
        self._all: list[Queued] = []
        self._lock = threading.Lock()

    def put(self, entry: Queued) -> None:
        """Queue `entry` behind the others."""
        with self._lock:
            self._entries.append(entry)
            self._all.append(entry)

    def take(self, request: Request, route: Route) -> Fault | None:
        """Return the first queued fault that applies to `request`, consuming one use."""
        stream = route.endpoint.shape.wants_stream(request)
        with self._lock:
            for entry in self._entries:
                if entry.fault.stream and not stream:
                    continue
                entry.taken += 1
                if entry.remaining is not None:
                    entry.remaining -= 1
                    if entry.remaining == 0:
                        self._entries.remove(entry)
                fault = entry.fault
                if entry.reshape is not None and fault.provider != route.provider.name:
                    fault = entry.reshape(route.provider)
                return fault
        return None

    def pending(self) -> list[Queued]:
        """Return the entries that were never taken."""
        with self._lock:
            return [e for e in self._entries if e.taken == 0]

    def entries(self) -> list[Queued]:
        """Return every entry, taken or not, in the order they were queued."""
        with self._lock:
            return list(self._all)
