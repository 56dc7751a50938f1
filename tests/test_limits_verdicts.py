"""The verdicts on load, and the reports: each verdict failing on a client that breaks it."""

from __future__ import annotations

import json

import pytest
from _limits_app import run

# -- the three batch clients, each verdict passing and failing ------------------------------


def test_a_burst_under_rpm_fails_within_limits(pytester: pytest.Pytester) -> None:
    """200 prompts at once on AsyncOpenAI under rpm=60 lean on 429s: within_limits fails."""
    result = run(
        pytester,
        """
        import pytest
        from conftest import burst

        @pytest.mark.llm_errors
        async def test_burst(inject_error):
            failed = await burst(200, inject_error, rpm=60)
            load = inject_error.load
            # 60 at t=0, the SDK's two retries after Retry-After: 60 at t=60 and t=120.
            assert (load.requests, load.admitted, load.rejected) == (420, 180, 240)
            assert load.rejected_by == {"rpm": 240}
            assert len(failed) == 20 and {e.status_code for e in failed} == {429}
            rejected = [a for a in inject_error.attempts if a.limit == "rpm"]
            assert {a.retry_after for a in rejected} == {60.0}
            assert {a.error for a in rejected} == {"rate_limit"}
            with pytest.raises(AssertionError) as caught:
                inject_error.assert_within_limits()
            message = str(caught.value)
            assert "240 of 420 requests (57.1%) were rejected" in message
            assert "Load: 420 request(s), 180 admitted, 240 rejected (rpm 240)" in message
            assert "Timeline" in message and "429 rate_limit" in message
            inject_error.assert_within_limits(max_rejected=0.6)
            inject_error.assert_throughput()
        """,
    )
    result.assert_outcomes(passed=1)


def test_a_batch_behind_a_limiter_passes_both(pytester: pytest.Pytester) -> None:
    """The same 200 prompts behind aiolimiter at one a second stay within and use the limit."""
    result = run(
        pytester,
        """
        import aiolimiter, pytest
        from conftest import paced

        @pytest.mark.llm_errors
        async def test_paced(inject_error):
            assert await paced(200, aiolimiter.AsyncLimiter(1, 1), inject_error, rpm=60) == []
            load = inject_error.load
            assert (load.requests, load.admitted, load.rejected) == (200, 200, 0)
            assert load.duration == pytest.approx(199.5, abs=0.01)
            assert load.throughput == pytest.approx(200 * 60 / 199.5, rel=1e-3)
            inject_error.assert_within_limits(max_rejected=0)
            inject_error.assert_throughput(min_ratio=0.99)
        """,
    )
    result.assert_outcomes(passed=1)


def test_a_semaphore_with_pacing_passes_both(pytester: pytest.Pytester) -> None:
    """A semaphore of 5 that holds each slot for 5 s paces 100 prompts to 60 a minute."""
    result = run(
        pytester,
        """
        import asyncio, pytest
        from conftest import paced

        class Paced:
            def __init__(self, slots, hold):
                self.semaphore, self.hold = asyncio.Semaphore(slots), hold
            async def __aenter__(self):
                await self.semaphore.acquire()
            async def __aexit__(self, *exc):
                await asyncio.sleep(self.hold)
                self.semaphore.release()

        @pytest.mark.llm_errors
        async def test_paced(inject_error):
            assert await paced(100, Paced(5, 5), inject_error, rpm=60) == []
            inject_error.assert_within_limits(max_rejected=0)
            inject_error.assert_throughput()
            assert inject_error.load.peak_concurrency == 5
        """,
    )
    result.assert_outcomes(passed=1)


def test_a_client_that_sleeps_between_requests_fails_throughput(
    pytester: pytest.Pytester,
) -> None:
    """Ten seconds between requests: never rejected, but a tenth of the limit is used."""
    result = run(
        pytester,
        """
        import pytest
        from conftest import sleepy

        @pytest.mark.llm_errors(limits={"rpm": 60})
        async def test_sleepy(inject_error):
            assert await sleepy(70, 10) == []  # 70 in 725 s: 5.79 a minute
            inject_error.assert_within_limits(max_rejected=0)
            with pytest.raises(AssertionError) as caught:
                inject_error.assert_throughput()
            message = str(caught.value)
            assert "Throughput was 5.793 admitted requests per 60s, 9.7% of the tightest " \\
                "limit (rpm=60), below min_ratio=0.8" in message
            assert "Load: 70 request(s), 70 admitted, 0 rejected" in message
            inject_error.assert_throughput(min_ratio=0.09)
        """,
    )
    result.assert_outcomes(passed=1)


def test_throughput_with_one_window_or_less_has_nothing_to_judge(
    pytester: pytest.Pytester,
) -> None:
    """Sixty requests under rpm=60 never meet the limit: assert_throughput says so."""
    result = run(
        pytester,
        """
        import pytest
        from conftest import burst

        @pytest.mark.llm_errors(limits={"rpm": 60})
        async def test_small(inject_error):
            assert await burst(60) == []
            with pytest.raises(AssertionError, match="saw nothing to judge: the run sent 60 "):
                inject_error.assert_throughput()
            inject_error.assert_within_limits(max_rejected=0)
        """,
    )
    result.assert_outcomes(passed=1)


def test_verdicts_without_limits_say_there_is_nothing_to_judge(
    pytester: pytest.Pytester,
) -> None:
    """Without limit(), both verdicts fail naming how to set limits; load is empty."""
    result = run(
        pytester,
        """
        import pytest
        from conftest import burst

        @pytest.mark.llm_errors
        async def test_unlimited(inject_error):
            assert await burst(3) == []
            assert inject_error.limits is None and inject_error.load.requests == 0
            for check in (inject_error.assert_within_limits, inject_error.assert_throughput):
                with pytest.raises(AssertionError, match="set no provider limits"):
                    check()
            assert all("x-ratelimit-limit-requests" not in a.headers for a in inject_error.attempts)
        """,
    )
    result.assert_outcomes(passed=1)


# -- reports -----------------------------------------------------------------------------------


def test_load_line_in_the_verbose_summary_and_the_json_report(
    pytester: pytest.Pytester,
) -> None:
    """-v prints the load of a test with limits; --llm-errors-report writes it as JSON."""
    result = run(
        pytester,
        """
        import pytest
        from conftest import burst

        @pytest.mark.llm_errors
        async def test_limited(inject_error):
            await burst(7, inject_error, rpm=5)
        """,
        "-v",
        "--llm-errors-report=report.json",
    )
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_limited: no faults queued; 10 attempt(s), 120s fake wait; resilient",
            "    load: 9 request(s), 7 admitted, 2 rejected (rpm 2); 60.500s; throughput "
            "6.942 per 60s; peak concurrency 5; limits rpm=5 (window 60s, latency 0.5s)",
        ]
    )
    report = json.loads((pytester.path / "report.json").read_text())
    load = report["tests"][0]["load"]
    assert load["requests"] == 9 and load["rejected_by"] == {"rpm": 2}
    assert load["limits"] == {"rpm": 5, "latency": 0.5, "window": 60.0}
    assert report["tests"][0]["attempts"][-1]["limit"] is None
