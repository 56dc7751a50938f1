"""The limiter on its own: sliding windows, in-flight slots, spend, the estimate, headers."""

from __future__ import annotations

import datetime as dt

import pytest

from pytest_llmerrors import Limits
from pytest_llmerrors._limits import Limiter, estimate_tokens
from pytest_llmerrors._limits._headers import duration


def limiter(**limits: float) -> Limiter:
    made = Limiter()
    made.configure(Limits(**limits))  # type: ignore[arg-type]
    return made


def test_rpm_is_a_sliding_window() -> None:
    """A request counts for exactly `window` seconds after it was admitted."""
    lim = limiter(rpm=2, latency=0)
    assert lim.admit(0, 0.0).admitted and lim.admit(0, 10.0).admitted
    rejected = lim.admit(0, 20.0)
    assert (rejected.admitted, rejected.kind, rejected.retry_after) == (False, "rpm", 40)
    assert lim.admit(0, 60.0).admitted  # the one at 0 left the window at 60
    assert lim.admit(0, 60.5).retry_after == 10  # the one at 10 leaves at 70: 9.5 s, rounded up
    assert lim.admit(0, 70.0).admitted


def test_a_window_of_summed_sleeps_is_not_lost_to_rounding() -> None:
    """Two hundred sleeps of 0.3 s are a window, though the floats sum to 59.99999999999979."""
    lim = limiter(rpm=1, latency=0)
    assert lim.admit(0, 0.0).admitted
    now = 0.0
    for _ in range(200):
        now += 0.3
    assert now < 60.0
    assert lim.admit(0, now).admitted


def test_concurrency_frees_slots_when_answers_arrive() -> None:
    """concurrency=2, latency 1.5: a third request waits for the earliest answer."""
    lim = limiter(concurrency=2, latency=1.5)
    first = lim.admit(0, 0.0)
    assert (first.admitted, first.delay) == (True, 1.5)
    assert lim.admit(0, 0.5).admitted
    rejected = lim.admit(0, 0.6)
    assert (rejected.kind, rejected.retry_after) == ("concurrency", 1)  # 0.9 s, rounded up
    assert lim.admit(0, 1.5).admitted
    assert not lim.admit(0, 1.5).admitted
    assert lim.load().peak_concurrency == 2


def test_tpm_waits_until_enough_tokens_leave_the_window() -> None:
    """Retry-After is when the oldest requests have freed enough tokens for this one."""
    lim = limiter(tpm=100, latency=0)
    assert lim.admit(30, 0.0).admitted
    assert lim.admit(30, 10.0).admitted
    assert lim.admit(30, 20.0).admitted
    rejected = lim.admit(50, 30.0)  # needs two of them gone: the one at 10 leaves at 70
    assert (rejected.kind, rejected.retry_after) == ("tpm", 40)
    assert lim.admit(10, 30.0).admitted  # a small one still fits
    never = lim.admit(101, 30.0)
    assert (never.kind, never.retry_after) == ("tpm", None)


def test_spend_never_comes_back() -> None:
    """Past spend every request is rejected for good, before any rate limit is looked at."""
    lim = limiter(spend=10, rpm=1, latency=0)
    assert lim.admit(10, 0.0).admitted
    for now in (1.0, 100.0, 10_000.0):
        rejected = lim.admit(1, now)
        assert (rejected.kind, rejected.retry_after) == ("spend", None)
    assert lim.admit(0, 10_001.0).admitted  # a request of no tokens spends nothing


def test_the_limit_that_admits_last_decides() -> None:
    """Over two limits at once, the rejection names the one with the longer wait."""
    lim = limiter(rpm=1, concurrency=1, latency=2)
    lim.admit(0, 0.0)
    rejected = lim.admit(0, 1.0)
    assert (rejected.kind, rejected.retry_after) == ("rpm", 59)
    assert lim.load().rejected_by == {"rpm": 1}


def test_load_sums_the_run_up() -> None:
    """Throughput is admitted per window, over one window at least."""
    lim = limiter(rpm=60, latency=0.5)
    assert lim.load().requests == 0
    for second in range(120):
        lim.admit(4, float(second))
    load = lim.load()
    assert (load.requests, load.admitted, load.rejected, load.tokens) == (120, 120, 0, 480)
    assert load.duration == 119.5
    assert load.throughput == pytest.approx(120 * 60 / 119.5)
    assert load.capacity() == (60.0, "rpm=60")
    short = limiter(rpm=60, latency=0.5)
    short.admit(0, 0.0)
    assert short.load().throughput == 1.0  # one request in a run shorter than a window


def test_capacity_is_the_tightest_rate() -> None:
    """concurrency admits slots * window / latency; tpm, tpm over the mean request."""
    lim = limiter(rpm=600, concurrency=2, tpm=1000, latency=1.0)
    lim.admit(50, 0.0)
    rate, which = lim.load().capacity() or (0.0, "")
    assert (rate, which) == (20.0, "tpm=1000 at 50 tokens a request (20 per window)")
    assert limiter(spend=5).load().capacity() is None


@pytest.mark.parametrize(
    ("body", "tokens"),
    [
        ({"messages": [{"role": "user", "content": "abcde"}]}, 2),
        (
            {
                "messages": [{"role": "user", "content": [{"type": "text", "text": "abcd"}]}],
                "max_completion_tokens": 10,
            },
            11,
        ),
        ({"system": [{"type": "text", "text": "x" * 8}], "messages": [], "max_tokens": 5}, 7),
        ({"input": "x" * 9, "instructions": "y" * 3, "max_output_tokens": 1}, 4),
        (
            {
                "contents": [{"role": "user", "parts": [{"text": "x" * 16}]}],
                "generationConfig": {"maxOutputTokens": 8},
            },
            12,
        ),
        ({"model": "gpt-4o", "temperature": 1}, 0),
        (None, 0),
        ([1, 2], 0),
    ],
)
def test_the_documented_token_estimate(body: object, tokens: int) -> None:
    """Prompt text / 4 rounded up, plus the output cap, in every API shape."""
    assert estimate_tokens(body) == tokens


def test_headers_of_both_families() -> None:
    """OpenAI writes resets as durations, Anthropic as instants; Gemini sends none."""
    lim = limiter(rpm=10, tpm=100, latency=0)
    lim.admit(30, 0.0)
    wall = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    openai = dict(lim.headers("openai", 15.0, wall))
    assert openai == {
        "x-ratelimit-limit-requests": "10",
        "x-ratelimit-remaining-requests": "9",
        "x-ratelimit-reset-requests": "45s",
        "x-ratelimit-limit-tokens": "100",
        "x-ratelimit-remaining-tokens": "70",
        "x-ratelimit-reset-tokens": "45s",
    }
    anthropic = dict(lim.headers("anthropic", 15.0, wall))
    assert anthropic["anthropic-ratelimit-requests-reset"] == "2026-01-01T00:00:45Z"
    assert anthropic["anthropic-ratelimit-tokens-remaining"] == "70"
    assert lim.headers("gemini", 15.0, wall) == []
    assert Limiter().headers("openai", 0.0, wall) == []


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (0.017, "17ms"), (1, "1s"), (59.5, "59.5s"), (360, "6m0s"), (3700, "1h1m40s")],
)
def test_openai_reset_durations(seconds: float, text: str) -> None:
    """Resets read as OpenAI writes them."""
    assert duration(seconds) == text


def test_limits_describe_and_serialise() -> None:
    """The load line and the JSON report name only the limits that are set."""
    limits = Limits(rpm=60, concurrency=5)
    assert limits.describe() == "rpm=60 concurrency=5 (window 60s, latency 0.5s)"
    assert limits.as_dict() == {"rpm": 60, "concurrency": 5, "latency": 0.5, "window": 60.0}
