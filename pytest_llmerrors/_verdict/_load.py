"""The verdicts on load: did the client stay within the provider's limits, and use them?

Both read the `Load` the limiter summed up (`.._limits`) and fail with that summary, then
the attempt timeline.
"""

from __future__ import annotations

import math

from .._limits import Load
from ._assertions import View, format_timeline
from ._messages import NO_REQUEST

NO_LIMITS = (
    "{name} saw nothing to judge: the test set no provider limits. Set them first, e.g. "
    "inject_error.limit(rpm=60) or @pytest.mark.llm_errors(limits={{'rpm': 60}})."
)


def _fraction(name: str, value: float) -> None:
    __tracebackhide__ = True
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or not 0 <= value <= 1
    ):
        raise ValueError(f"{name} must be a fraction from 0 to 1, like 0.1, not {value!r}.")


def _failure(sentence: str, load: Load, view: View) -> str:
    timeline = format_timeline(view) if view.attempts else ""
    return (
        f"- {sentence}\n\nLoad: {load.describe()}\n\nTimeline (fake-clock seconds since the "
        f"test started; wait = seconds the code waited before the next attempt of the same "
        f"call):\n{timeline}"
    )


def _judgeable(name: str, load: Load, view: View) -> None:
    __tracebackhide__ = True
    if load.limits is None:
        raise AssertionError(NO_LIMITS.format(name=name))
    if not load.requests:
        raise AssertionError(
            f"{name} saw nothing to judge: no request met the limits."
            + ("" if view.attempts else f" {NO_REQUEST}")
        )


def assert_within_limits(view: View, load: Load, max_rejected: float) -> None:
    """Assert that at most `max_rejected` of the requests were rejected by a limit."""
    __tracebackhide__ = True
    _fraction("max_rejected", max_rejected)
    _judgeable("assert_within_limits", load, view)
    if load.rejected_fraction > max_rejected:
        sentence = (
            f"{load.rejected} of {load.requests} requests ({load.rejected_fraction:.1%}) were "
            f"rejected by the provider's limits, more than max_rejected={max_rejected:g} "
            f"({max_rejected:.1%}). The client sends faster than the limits admit: pace it "
            f"(a rate limiter such as aiolimiter, or a semaphore) to the limits instead of "
            f"leaning on the provider's 429s."
        )
        raise AssertionError(_failure(sentence, load, view))


def assert_throughput(view: View, load: Load, min_ratio: float) -> None:
    """Assert that admitted requests per window reached `min_ratio` of the tightest limit."""
    __tracebackhide__ = True
    _fraction("min_ratio", min_ratio)
    _judgeable("assert_throughput", load, view)
    tightest = load.capacity()
    if tightest is None:
        raise AssertionError(
            "assert_throughput saw nothing to judge: no rate limit is set (spend alone is "
            "not a rate). Set rpm, tpm or concurrency."
        )
    capacity, which = tightest
    if load.requests <= capacity:
        raise AssertionError(
            f"assert_throughput saw nothing to judge: the run sent {load.requests} "
            f"request(s), not more than one window's worth of the tightest limit "
            f"({which}: {capacity:.4g} per {load.window:g}s), so the limit never bound it. "
            f"Send more requests than that.\n\nLoad: {load.describe()}"
        )
    if load.throughput < min_ratio * capacity:
        sentence = (
            f"Throughput was {load.throughput:.4g} admitted requests per {load.window:g}s, "
            f"{load.throughput / capacity:.1%} of the tightest limit ({which}), below "
            f"min_ratio={min_ratio:g}. The client leaves the limits unused: it waits longer "
            f"than they ask (fixed sleeps between requests, one request at a time)."
        )
        raise AssertionError(_failure(sentence, load, view))
