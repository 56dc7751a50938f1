"""Fake time as a user meets it: instant, recorded waits that every clock agrees on."""

from __future__ import annotations

import pytest


def test_long_retry_after_costs_no_wall_time(pytester: pytest.Pytester) -> None:
    """Two 30 s Retry-Afters through the anthropic SDK take well under a second of wall time."""
    pytester.makepyfile(
        """
        import anthropic, freezegun.api, pytest

        def real_monotonic():  # the module attribute: a bound name would be frozen too
            return freezegun.api.real_monotonic()

        @pytest.mark.llm_errors(provider="anthropic")
        def test_it(inject_error):
            inject_error(429, retry_after=30, times=2)
            wall = real_monotonic()
            client = anthropic.Anthropic(api_key="k", max_retries=2)
            client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[])
            assert real_monotonic() - wall < 1.0
            assert inject_error.sleeps == [30.0, 30.0]
            assert [round(d, 6) for d in inject_error.delays] == [30.0, 30.0]
            assert inject_error.clock.now() == pytest.approx(60.0)
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_async_openai_with_retry_after_does_not_hang(pytester: pytest.Pytester) -> None:
    """AsyncOpenAI sleeping on a Retry-After finishes at once under pytest-asyncio and anyio."""
    pytester.makepyfile(
        """
        import openai, pytest

        async def ask(inject_error):
            inject_error(429, retry_after=5)
            client = openai.AsyncOpenAI(api_key="k")
            reply = await client.chat.completions.create(model="m", messages=[])
            assert reply.choices[0].message.content == "pong"
            assert inject_error.sleeps == [5.0]

        @pytest.mark.asyncio
        @pytest.mark.llm_errors
        async def test_asyncio(inject_error):
            await ask(inject_error)

        @pytest.mark.anyio
        @pytest.mark.llm_errors
        async def test_anyio(inject_error):
            await ask(inject_error)

        @pytest.fixture
        def anyio_backend():
            return "asyncio"
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_all_clocks_agree_after_a_sleep(pytester: pytest.Pytester) -> None:
    """time, monotonic, perf_counter and datetime.now all move by the slept seconds."""
    pytester.makepyfile(
        """
        import datetime, time, pytest

        @pytest.mark.llm_errors
        def test_it(inject_error):
            before = (time.time(), time.monotonic(), time.perf_counter(),
                      datetime.datetime.now(datetime.timezone.utc))
            time.sleep(12.5)
            after = (time.time(), time.monotonic(), time.perf_counter(),
                     datetime.datetime.now(datetime.timezone.utc))
            assert after[0] - before[0] == pytest.approx(12.5)
            assert after[1] - before[1] == pytest.approx(12.5)
            assert after[2] - before[2] == pytest.approx(12.5)
            assert (after[3] - before[3]).total_seconds() == pytest.approx(12.5)
            inject_error.clock.advance(2)
            assert time.monotonic() - after[1] == pytest.approx(2)
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_http_date_retry_after_is_the_right_delay(pytester: pytest.Pytester) -> None:
    """An HTTP-date Retry-After 40 s ahead on the fake clock makes the SDK wait 40 s."""
    pytester.makepyfile(
        """
        import datetime, anthropic, pytest

        @pytest.mark.llm_errors(provider="anthropic", start="2030-01-01T12:00:00Z")
        def test_it(inject_error):
            now = datetime.datetime.now(datetime.timezone.utc)
            assert now == datetime.datetime(2030, 1, 1, 12, tzinfo=datetime.timezone.utc)
            inject_error(529, retry_after=now + datetime.timedelta(seconds=40))
            anthropic.Anthropic(api_key="k").messages.create(
                model="claude-haiku-4-5", max_tokens=5, messages=[])
            assert inject_error.attempts[0].retry_after == pytest.approx(40)
            assert inject_error.sleeps == [pytest.approx(40)]
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_tenacity_stop_after_delay_stops_on_fake_time(pytester: pytest.Pytester) -> None:
    """tenacity's stop_after_delay(10) with wait_fixed(3) gives up after 12 fake seconds."""
    pytester.makepyfile(
        """
        import httpx, pytest, tenacity

        @tenacity.retry(stop=tenacity.stop_after_delay(10), wait=tenacity.wait_fixed(3),
                        reraise=True)
        def call():
            httpx.post("https://api.openai.com/v1/embeddings", json={}).raise_for_status()

        @pytest.mark.llm_errors
        def test_it(inject_error):
            inject_error(503, always=True)
            with pytest.raises(httpx.HTTPStatusError):
                call()
            assert inject_error.sleeps == [3.0] * 4
            assert len(inject_error.attempts) == 5
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_next_test_sees_real_time_again(pytester: pytest.Pytester) -> None:
    """After a marked test, an unmarked one sees the real clock and the real sleep."""
    pytester.makepyfile(
        """
        import asyncio, time, pytest

        REAL = (time.sleep, asyncio.sleep)

        @pytest.mark.llm_errors(start="2001-01-01T00:00:00Z")
        def test_marked():
            assert time.time() < 1e9
            time.sleep(1000)

        def test_unmarked():
            assert (time.sleep, asyncio.sleep) == REAL
            assert time.time() > 1.7e9
            start = time.monotonic()
            time.sleep(0.05)
            assert time.monotonic() - start >= 0.05
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_fake_time_false_uses_real_time(pytester: pytest.Pytester) -> None:
    """fake_time=False leaves time alone: sleeps are real and not recorded."""
    pytester.makepyfile(
        """
        import time, pytest

        @pytest.mark.llm_errors(fake_time=False)
        def test_it(inject_error):
            start = time.monotonic()
            time.sleep(0.05)
            assert time.monotonic() - start >= 0.05
            assert inject_error.sleeps == []
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_users_own_freezer_keeps_working(pytester: pytest.Pytester) -> None:
    """A test frozen with freezegun's decorator keeps its instant, and sleeps still move it."""
    pytester.makepyfile(
        """
        import datetime, time, pytest
        from freezegun import freeze_time

        @pytest.mark.llm_errors
        def test_it(inject_error):
            with freeze_time("2020-05-05 10:00:00") as frozen:
                assert datetime.datetime.now() == datetime.datetime(2020, 5, 5, 10)
                time.sleep(5)
                assert datetime.datetime.now() == datetime.datetime(2020, 5, 5, 10, 0, 5)
                frozen.tick(1)
                assert datetime.datetime.now() == datetime.datetime(2020, 5, 5, 10, 0, 6)
            assert inject_error.sleeps == [5.0]
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)
