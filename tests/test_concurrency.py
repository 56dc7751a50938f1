"""Concurrency: threads and asyncio.gather on real SDK clients, recorded and judged per call."""

from __future__ import annotations

import pytest

#: The app both tests run: each call logs the request id of an error it gives up on.
APP = """
import collections, logging, pytest

log = logging.getLogger("app")

def counts(inject_error):
    return collections.Counter(a.status for a in inject_error.attempts)

def check_recorded_once(inject_error, queued):
    attempts = inject_error.attempts
    assert [a.index for a in attempts] == list(range(1, len(attempts) + 1))
    assert len({id(a) for a in attempts}) == len(attempts)
    assert inject_error.pending() == []
    seen = counts(inject_error)
    for status, times in queued.items():
        assert seen[status] == times, (status, seen)
"""


def test_threads_sharing_one_openai_client(pytester: pytest.Pytester) -> None:
    """Ten threads on one OpenAI client: each attempt once, each fault once, judged per call."""
    pytester.makeconftest(APP)
    pytester.makepyfile(
        """
        import concurrent.futures, openai, pytest
        from conftest import check_recorded_once, log

        QUEUED = {500: 6, 429: 6, 503: 6}

        def queue(inject_error):
            inject_error(500, times=6)
            inject_error(429, retry_after=1, times=6)
            inject_error(503, retry_after_ms=1500, times=6)

        def run(client, n):
            def ask(i):
                try:
                    client.chat.completions.create(
                        model="gpt-4o-mini", messages=[{"role": "user", "content": f"#{i}"}]
                    )
                except openai.APIStatusError as error:
                    log.error("gave up: request id %s", error.request_id)
                    return error
            with concurrent.futures.ThreadPoolExecutor(10) as pool:
                return [e for e in pool.map(ask, range(n)) if e is not None]

        @pytest.mark.llm_errors
        def test_resilient(inject_error):
            queue(inject_error)
            gave_up = run(openai.OpenAI(api_key="sk-test", max_retries=8), 20)
            check_recorded_once(inject_error, QUEUED)
            # Every call is accounted for: it succeeded, or gave up (and logged) after retries.
            assert sum(a.status == 200 for a in inject_error.attempts) + len(gave_up) == 20, gave_up
            inject_error.assert_resilient()

        @pytest.mark.llm_errors
        def test_no_retries_is_judged_per_call(inject_error):
            queue(inject_error)
            run(openai.OpenAI(api_key="sk-test", max_retries=0), 25)
            check_recorded_once(inject_error, QUEUED)
            with pytest.raises(AssertionError) as caught:
                inject_error.assert_resilient()
            assert str(caught.value).count("gave up at once on attempt") == 18
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_coroutines_under_gather_on_one_async_openai_client(pytester: pytest.Pytester) -> None:
    """25 coroutines on one AsyncOpenAI: each attempt once, each fault once, judged per call."""
    pytester.makeconftest(APP)
    pytester.makepyfile(
        """
        import asyncio, openai, pytest
        from conftest import check_recorded_once, log

        QUEUED = {500: 10, 429: 10, 529: 5}

        def queue(inject_error):
            inject_error(500, times=10)
            inject_error(429, retry_after=2, times=10)
            inject_error(529, times=5)

        def run(max_retries):
            async def main():
                client = openai.AsyncOpenAI(api_key="sk-test", max_retries=max_retries)

                async def ask(i):
                    try:
                        await client.chat.completions.create(
                            model="gpt-4o-mini", messages=[{"role": "user", "content": f"#{i}"}]
                        )
                    except openai.APIStatusError as error:
                        log.error("gave up: request id %s", error.request_id)

                await asyncio.gather(*(ask(i) for i in range(25)))
            asyncio.run(main())

        @pytest.mark.llm_errors
        def test_resilient(inject_error):
            queue(inject_error)
            run(max_retries=8)
            check_recorded_once(inject_error, QUEUED)
            assert sum(a.status == 200 for a in inject_error.attempts) == 25
            inject_error.assert_resilient()

        @pytest.mark.llm_errors
        def test_no_retries_is_judged_per_call(inject_error):
            queue(inject_error)
            run(max_retries=0)
            check_recorded_once(inject_error, QUEUED)
            with pytest.raises(AssertionError) as caught:
                inject_error.assert_resilient()
            assert str(caught.value).count("gave up at once on attempt") == 25
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)
