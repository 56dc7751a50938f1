"""The limiter: each request admitted or rejected against the limits on the virtual clock.

Requests and tokens count in a sliding window: a request admitted at ``t`` counts until
``t + window``. An admitted request is in flight until its answer, `Limits.latency` later.
`spend` counts the tokens of every admitted request for the whole test. A rejected request
counts against nothing. The dispatcher calls `admit` under its lock, in arrival order, so
the clock only moves forward here.
"""

from __future__ import annotations

import collections
import datetime as _dt
import heapq
import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import _headers
from ._spec import LIMIT_KINDS, Limits

#: Virtual instants closer than this are the same instant: a request sent exactly a window
#: after another (after sleeps that add up to it) must not lose to float rounding.
EPSILON = 1e-6


@dataclass(frozen=True)
class Decision:
    """What the limits made of one request."""

    admitted: bool
    #: The limit that rejected it (``rpm``, ``tpm``, ``concurrency``, ``spend``), if any.
    kind: str | None = None
    #: Whole seconds until the limits admit it; ``None`` when waiting cannot help (spend,
    #: or a request larger than ``tpm`` on its own).
    retry_after: int | None = None
    #: Virtual seconds before the answer (the latency of an admitted request).
    delay: float = 0.0
    #: The tokens the request counts (the documented estimate).
    tokens: int = 0
    #: For a rejection: the limit's value, and how much of it was used (requests in the
    #: window or in flight, tokens in the window or spent), for the provider's message.
    limit: int = 0
    used: int = 0

    @property
    def requested(self) -> int:
        """Return what the request asked of the limit that rejected it: tokens, or 1."""
        return self.tokens if self.kind in ("tpm", "spend") else 1


@dataclass(frozen=True)
class Load:
    """The run summed up against its limits (``inject_error.load``)."""

    #: Requests judged against the limits (those no queued fault took).
    requests: int = 0
    admitted: int = 0
    rejected: int = 0
    #: Virtual seconds from the first request to the last answer.
    duration: float = 0.0
    #: Admitted requests per `window` (over the run, or over one window if it was shorter).
    throughput: float = 0.0
    #: The most requests in flight at once.
    peak_concurrency: int = 0
    window: float = 60.0
    #: Rejections by the limit that made them.
    rejected_by: Mapping[str, int] = field(default_factory=dict)
    #: Tokens of the admitted requests (the documented estimate).
    tokens: int = 0
    limits: Limits | None = None

    @property
    def rejected_fraction(self) -> float:
        """Return the fraction of requests a limit rejected (0 when none was sent)."""
        return self.rejected / self.requests if self.requests else 0.0

    def capacity(self) -> tuple[float, str] | None:
        """Return the tightest limit as admitted requests per window, and its description.

        ``rpm`` admits `rpm`; ``concurrency`` admits `concurrency` every `latency` seconds;
        ``tpm`` admits `tpm` over the mean tokens of an admitted request. ``None`` when
        no rate limit is set (``spend`` alone is no rate).
        """
        limits = self.limits
        if limits is None:
            return None
        found: list[tuple[float, str]] = []
        if limits.rpm is not None:
            found.append((float(limits.rpm), f"rpm={limits.rpm}"))
        if limits.concurrency is not None and limits.latency > 0:
            per_window = limits.concurrency * limits.window / limits.latency
            found.append(
                (
                    per_window,
                    f"concurrency={limits.concurrency} at latency {limits.latency:g}s "
                    f"({per_window:g} per window)",
                )
            )
        if limits.tpm is not None and self.tokens and self.admitted:
            mean = self.tokens / self.admitted
            found.append(
                (
                    limits.tpm / mean,
                    f"tpm={limits.tpm} at {mean:g} tokens a request "
                    f"({limits.tpm / mean:.4g} per window)",
                )
            )
        return min(found) if found else None

    def describe(self) -> str:
        """Return the load in one line, as the summary and the verdicts print it."""
        by = ", ".join(f"{k} {self.rejected_by[k]}" for k in LIMIT_KINDS if k in self.rejected_by)
        limits = f"; limits {self.limits.describe()}" if self.limits is not None else ""
        return (
            f"{self.requests} request(s), {self.admitted} admitted, {self.rejected} rejected"
            f"{f' ({by})' if by else ''}; {self.duration:.3f}s; throughput "
            f"{self.throughput:.4g} per {self.window:g}s; peak concurrency "
            f"{self.peak_concurrency}{limits}"
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the load as JSON-ready data."""
        return {
            "requests": self.requests,
            "admitted": self.admitted,
            "rejected": self.rejected,
            "rejected_by": dict(self.rejected_by),
            "duration": round(self.duration, 6),
            "throughput": round(self.throughput, 6),
            "peak_concurrency": self.peak_concurrency,
            "window": self.window,
            "tokens": self.tokens,
            "limits": self.limits.as_dict() if self.limits is not None else None,
        }


def _or_never(wait: float | None) -> float:
    return math.inf if wait is None else wait


class Limiter:
    """The provider's state for one test; inactive until `configure` is called."""

    def __init__(self) -> None:
        self.limits: Limits | None = None
        self._lock = threading.Lock()
        #: Admitted requests still in the window: (instant, tokens), oldest first.
        self._window: collections.deque[tuple[float, int]] = collections.deque()
        self._window_tokens = 0
        #: When each request in flight gets its answer (a heap).
        self._inflight: list[float] = []
        self._spent = 0
        self._requests = 0
        self._admitted = 0
        self._rejected_by: collections.Counter[str] = collections.Counter()
        self._first: float | None = None
        self._last = 0.0
        self._peak = 0

    @property
    def active(self) -> bool:
        """Whether limits are set."""
        return self.limits is not None

    def configure(self, limits: Limits) -> None:
        """Apply `limits` from now on; what was admitted before still counts."""
        with self._lock:
            self.limits = limits

    def _expire(self, now: float, window: float) -> None:
        while self._window and self._window[0][0] <= now - window + EPSILON:
            self._window_tokens -= self._window.popleft()[1]
        while self._inflight and self._inflight[0] <= now + EPSILON:
            heapq.heappop(self._inflight)

    def admit(self, tokens: int, now: float) -> Decision:
        """Admit or reject a request of `tokens` tokens arriving at virtual second `now`."""
        with self._lock:
            limits = self.limits
            assert limits is not None, "admit() before configure()"
            self._expire(now, limits.window)
            self._requests += 1
            if self._first is None:
                self._first = now
            waits = self._waits(limits, tokens, now)
            if waits:
                # The one that admits last decides; waiting cannot help when one never does.
                kind = max(waits, key=lambda k: _or_never(waits[k]))
                wait = waits[kind]
                self._rejected_by[kind] += 1
                self._last = max(self._last, now)
                retry = None if wait is None else max(1, math.ceil(wait - EPSILON))
                value, used = self._usage(limits, kind)
                return Decision(False, kind, retry, tokens=tokens, limit=value, used=used)
            self._admitted += 1
            self._window.append((now, tokens))
            self._window_tokens += tokens
            self._spent += tokens
            heapq.heappush(self._inflight, now + limits.latency)
            self._peak = max(self._peak, len(self._inflight))
            self._last = max(self._last, now + limits.latency)
            return Decision(True, delay=limits.latency, tokens=tokens)

    def _waits(self, limits: Limits, tokens: int, now: float) -> dict[str, float | None]:
        """Return, for each limit the request breaks, the seconds until it would admit it."""
        if limits.spend is not None and self._spent + tokens > limits.spend:
            return {"spend": None}  # the spend never comes back within the test
        waits: dict[str, float | None] = {}
        if limits.concurrency is not None and len(self._inflight) >= limits.concurrency:
            # The earliest answers free the slots: the one that leaves `concurrency - 1`.
            ends = heapq.nsmallest(len(self._inflight) - limits.concurrency + 1, self._inflight)
            waits["concurrency"] = ends[-1] - now
        if limits.rpm is not None and len(self._window) >= limits.rpm:
            oldest = self._window[len(self._window) - limits.rpm][0]
            waits["rpm"] = oldest + limits.window - now
        if limits.tpm is not None and self._window_tokens + tokens > limits.tpm:
            if tokens > limits.tpm:
                waits["tpm"] = None  # larger than the limit on its own: never admitted
            else:
                freed, wait = 0, 0.0
                for at, counted in self._window:
                    freed += counted
                    wait = at + limits.window - now
                    if self._window_tokens - freed + tokens <= limits.tpm:
                        break
                waits["tpm"] = wait
        return waits

    def _usage(self, limits: Limits, kind: str) -> tuple[int, int]:
        """Return the value of limit `kind` and how much of it is in use now."""
        used = {
            "rpm": len(self._window),
            "tpm": self._window_tokens,
            "concurrency": len(self._inflight),
            "spend": self._spent,
        }[kind]
        value: int | None = getattr(limits, kind)
        return value or 0, used

    def headers(self, shape: str, now: float, wall: _dt.datetime) -> list[tuple[str, str]]:
        """Return the rate-limit headers of the limits set, in `shape`'s family.

        `now` is the virtual second of the answer, `wall` the same instant as a datetime
        (Anthropic writes resets as instants). Gemini sends none.
        """
        with self._lock:
            limits = self.limits
            if limits is None or shape == "gemini":
                return []
            self._expire(now, limits.window)
            reset = self._window[-1][0] + limits.window - now if self._window else 0.0
            found: list[tuple[str, str]] = []
            if limits.rpm is not None:
                remaining = max(0, limits.rpm - len(self._window))
                found += _headers.family(shape, "requests", limits.rpm, remaining, reset, wall)
            if limits.tpm is not None:
                remaining = max(0, limits.tpm - self._window_tokens)
                found += _headers.family(shape, "tokens", limits.tpm, remaining, reset, wall)
            return found

    def load(self) -> Load:
        """Return the run so far, summed up."""
        with self._lock:
            window = self.limits.window if self.limits is not None else 60.0
            rejected = sum(self._rejected_by.values())
            duration = self._last - self._first if self._first is not None else 0.0
            return Load(
                requests=self._requests,
                admitted=self._admitted,
                rejected=rejected,
                duration=duration,
                throughput=self._admitted * window / max(duration, window),
                peak_concurrency=self._peak,
                window=window,
                rejected_by=dict(self._rejected_by),
                tokens=self._spent,
                limits=self.limits,
            )


__all__ = ["EPSILON", "Decision", "Limiter", "Load"]
