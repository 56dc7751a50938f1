"""Provider limits on virtual time: real SDK clients under rpm, tpm, concurrency and spend."""

from __future__ import annotations

import pytest
from _limits_app import run

# -- each limit kind, sync threads and async tasks -------------------------------------------


def test_concurrency_in_threads_rejects_with_retry_after(pytester: pytest.Pytester) -> None:
    """Threads on one OpenAI client, 2 in flight for 1 s each: a 429 until a slot frees."""
    result = run(
        pytester,
        """
        import openai, pytest
        from conftest import openai_call, threads

        @pytest.mark.llm_errors
        def test_threads(inject_error):
            inject_error.limit(concurrency=2, latency=1.0)
            failed = threads(3, lambda: openai.OpenAI(api_key="sk-test", max_retries=0),
                             openai_call)
            load = inject_error.load
            assert (load.requests, load.admitted, load.rejected) == (3, 2, 1)
            assert load.peak_concurrency == 2 and load.rejected_by == {"concurrency": 1}
            assert [e.status_code for e in failed] == [429]
            assert failed[0].response.headers["retry-after"] == "1"
            admitted = [a for a in inject_error.attempts if a.status == 200]
            assert [a.ended_at - a.at for a in admitted] == [1.0, 1.0]
            with pytest.raises(AssertionError, match=r"1 of 3 requests \\(33.3%\\)"):
                inject_error.assert_within_limits()

        @pytest.mark.llm_errors
        def test_threads_retrying(inject_error):
            inject_error.limit(concurrency=2, latency=1.0)
            failed = threads(6, lambda: openai.OpenAI(api_key="sk-test", max_retries=5),
                             openai_call)
            assert failed == []
            load = inject_error.load
            assert load.admitted == 6 and load.peak_concurrency <= 2
            assert set(load.rejected_by) <= {"concurrency"}
            rejected = [a for a in inject_error.attempts if a.limit]
            assert all(a.retry_after == 1 for a in rejected)
            inject_error.assert_resilient()
        """,
    )
    result.assert_outcomes(passed=2)


def test_concurrency_in_async_tasks_paced_by_a_semaphore(pytester: pytest.Pytester) -> None:
    """Tasks behind a semaphore of 3 never exceed concurrency=3; without it, 429s."""
    result = run(
        pytester,
        """
        import asyncio, pytest
        from conftest import burst, paced

        @pytest.mark.llm_errors
        async def test_semaphore(inject_error):
            limits = {"concurrency": 3, "latency": 2.0}
            assert await paced(120, asyncio.Semaphore(3), inject_error, **limits) == []
            load = inject_error.load
            assert (load.rejected, load.peak_concurrency) == (0, 3)
            assert load.duration == pytest.approx(80.0)  # 40 rounds of 2 s: 90 a minute
            inject_error.assert_within_limits(max_rejected=0)
            inject_error.assert_throughput(min_ratio=0.99)

        @pytest.mark.llm_errors
        async def test_unpaced(inject_error):
            await burst(30, inject_error, concurrency=3, latency=2.0)
            assert inject_error.load.rejected_by["concurrency"] >= 27
            assert inject_error.load.peak_concurrency == 3
            with pytest.raises(AssertionError, match="rejected by the provider's limits"):
                inject_error.assert_within_limits()
        """,
    )
    result.assert_outcomes(passed=2)


def test_tpm_counts_the_documented_estimate(pytester: pytest.Pytester) -> None:
    """Tokens are prompt characters / 4 rounded up plus max_tokens; tpm rejects past them."""
    result = run(
        pytester,
        """
        import openai, pytest

        @pytest.mark.llm_errors(limits={"tpm": 100, "latency": 0})
        def test_tokens(inject_error):
            client = openai.OpenAI(api_key="sk-test", max_retries=0)
            def ask(text, max_tokens):
                return client.chat.completions.with_raw_response.create(
                    model="gpt-4o-mini", max_tokens=max_tokens,
                    messages=[{"role": "system", "content": "x" * 5},
                              {"role": "user", "content": [{"type": "text", "text": text}]}],
                )
            first = ask("y" * 15, 40)  # ceil(20 / 4) + 40 = 45 tokens
            assert first.headers["x-ratelimit-limit-tokens"] == "100"
            assert first.headers["x-ratelimit-remaining-tokens"] == "55"
            assert first.headers["x-ratelimit-reset-tokens"] == "1m0s"
            assert "x-ratelimit-limit-requests" not in first.headers
            inject_error.clock.advance(30)
            ask("", 53)  # ceil(5 / 4) + 53 = 55 tokens: exactly the rest
            inject_error.clock.advance(10)
            with pytest.raises(openai.RateLimitError) as caught:
                ask("", 1)  # 3 tokens: over until the first 45 leave the window at 60 s
            headers = caught.value.response.headers
            assert headers["retry-after"] == "20"
            assert headers["x-ratelimit-remaining-tokens"] == "0"
            assert inject_error.attempts[-1].limit == "tpm"
            inject_error.clock.advance(20)
            ask("", 1)
            assert inject_error.load.tokens == 45 + 55 + 3
            with pytest.raises(openai.RateLimitError) as caught:
                ask("z" * 400, None)  # 100 tokens on its own, and 58 still in the window
            # One request larger than the whole limit can never be admitted: no Retry-After.
            with pytest.raises(openai.RateLimitError) as caught:
                ask("z" * 404, None)  # ceil((5 + 404) / 4) = 103 tokens
            assert "retry-after" not in caught.value.response.headers
            assert caught.value.body["message"] == (
                "Request too large for gpt-4o-mini in organization org-test on tokens per "
                "min (TPM): Limit 100, Requested 103. The input or output tokens must be "
                "reduced in order to run successfully."
            )
        """,
    )
    result.assert_outcomes(passed=1)


def test_spend_answers_the_spend_ceiling_and_gives_up(pytester: pytest.Pytester) -> None:
    """Past spend, OpenAI answers its 429 insufficient_quota, Anthropic its 402: give up."""
    result = run(
        pytester,
        """
        import anthropic, openai, pytest
        from conftest import anthropic_call, openai_call

        @pytest.mark.llm_errors(limits={"spend": 3})
        def test_openai(inject_error):
            client = openai.OpenAI(api_key="sk-test", max_retries=3)
            for i in range(3):
                openai_call(client, i)  # "#0" is 1 token
            with pytest.raises(openai.RateLimitError) as caught:
                openai_call(client, 3)
            assert caught.value.code == "insufficient_quota"
            assert "retry-after" not in caught.value.response.headers
            last = inject_error.attempts[-1]
            assert (last.limit, last.classification, last.error) == (
                "spend", "give_up", "spend_ceiling"
            )
            assert inject_error.load.rejected_by == {"spend": 4}  # the SDK retried 429 3 times
            # The openai SDK retries every 429, insufficient_quota too: the verdict says so.
            with pytest.raises(AssertionError, match="retried attempt #4 .429 spend_ceiling."):
                inject_error.assert_gave_up()

        @pytest.mark.llm_errors(provider="anthropic", limits={"spend": 40})
        def test_anthropic(inject_error):
            client = anthropic.Anthropic(api_key="sk-ant-test", max_retries=3)
            anthropic_call(client, 0)  # 1 + 16 max_tokens = 17
            anthropic_call(client, 1)
            with pytest.raises(anthropic.APIStatusError) as caught:
                anthropic_call(client, 2)
            assert caught.value.status_code == 402
            assert inject_error.load.rejected == 1  # a 402 is not retried
            inject_error.assert_gave_up()
        """,
    )
    result.assert_outcomes(passed=2)


# -- the headers of both families -------------------------------------------------------------


def test_openai_headers_on_every_answer(pytester: pytest.Pytester) -> None:
    """x-ratelimit-*-requests (and -tokens) on successes and on the 429, counting down."""
    result = run(
        pytester,
        """
        import openai, pytest
        from conftest import openai_call

        @pytest.mark.llm_errors(limits={"rpm": 3, "tpm": 1000, "latency": 0})
        def test_headers(inject_error):
            client = openai.OpenAI(api_key="sk-test", max_retries=0)
            seen = []
            for i in range(3):
                seen.append(openai_call(client, i).headers)
                inject_error.clock.advance(0.5)  # answers take no time: latency 0
            assert [h["x-ratelimit-remaining-requests"] for h in seen] == ["2", "1", "0"]
            assert {h["x-ratelimit-limit-requests"] for h in seen} == {"3"}
            assert [h["x-ratelimit-remaining-tokens"] for h in seen] == ["999", "998", "997"]
            assert seen[0]["x-ratelimit-reset-requests"] == "1m0s"
            assert seen[2]["x-ratelimit-reset-requests"] == "1m0s"
            with pytest.raises(openai.RateLimitError) as caught:
                openai_call(client, 3)
            error = caught.value.response.headers
            assert error["retry-after"] == "59"  # at 1.5 s; the first leaves the window at 60 s
            assert error["x-ratelimit-remaining-requests"] == "0"
            assert error["x-ratelimit-reset-requests"] == "59.5s"  # the third leaves at 61 s
            assert caught.value.code == "rate_limit_exceeded"
            assert caught.value.body["message"] == (
                "Rate limit reached for gpt-4o-mini in organization org-test on requests per "
                "min (RPM): Limit 3, Used 3, Requested 1. Please try again in 59s."
            )
            # An injected fault's answer carries the live headers too.
            inject_error(500)
            with pytest.raises(openai.InternalServerError) as caught:
                openai_call(client, 4)
            assert caught.value.response.headers["x-ratelimit-limit-requests"] == "3"
        """,
    )
    result.assert_outcomes(passed=1)


def test_anthropic_headers_on_every_answer(pytester: pytest.Pytester) -> None:
    """anthropic-ratelimit-requests-* and -tokens-* with RFC 3339 resets; its own 429."""
    result = run(
        pytester,
        """
        import datetime as dt
        import anthropic, pytest
        from conftest import anthropic_call

        @pytest.mark.llm_errors(provider="anthropic", start="2026-01-01T00:00:00Z",
                                limits={"rpm": 2, "tpm": 500, "latency": 0})
        def test_headers(inject_error):
            client = anthropic.Anthropic(api_key="sk-ant-test", max_retries=0)
            first = anthropic_call(client, 0).headers
            assert first["anthropic-ratelimit-requests-limit"] == "2"
            assert first["anthropic-ratelimit-requests-remaining"] == "1"
            assert first["anthropic-ratelimit-requests-reset"] == "2026-01-01T00:01:00Z"
            assert first["anthropic-ratelimit-tokens-limit"] == "500"
            assert first["anthropic-ratelimit-tokens-remaining"] == "483"
            assert "x-ratelimit-limit-requests" not in first
            inject_error.clock.advance(10)
            anthropic_call(client, 1)
            with pytest.raises(anthropic.RateLimitError) as caught:
                anthropic_call(client, 2)
            headers = caught.value.response.headers
            assert headers["retry-after"] == "50"
            assert headers["anthropic-ratelimit-requests-remaining"] == "0"
            assert headers["anthropic-ratelimit-requests-reset"] == "2026-01-01T00:01:10Z"
            assert caught.value.body["error"]["type"] == "rate_limit_error"
            assert caught.value.body["error"]["message"] == (
                "This request would exceed your organization's rate limit of 2 requests per "
                "minute. Please try again later."
            )
        """,
    )
    result.assert_outcomes(passed=1)


# -- "documented" --------------------------------------------------------------------------


def test_documented_limits_on_derouter(pytester: pytest.Pytester) -> None:
    """DeRouter documents 60 rpm and 5 concurrent: its own rows answer each."""
    result = run(
        pytester,
        """
        import openai, pytest
        from conftest import burst, openai_call

        def client():
            return openai.OpenAI(api_key="sk-test", base_url="https://derouter.example/v1",
                                 max_retries=0)

        @pytest.mark.llm_errors(provider="derouter")
        async def test_concurrent(inject_error):
            # the SDK retries the two 429s after Retry-After: 1
            assert await burst(7, inject_error, "documented") == []
            limits = inject_error.limits
            assert (limits.rpm, limits.concurrency) == (60, 5)
            rejected = [a for a in inject_error.attempts if a.limit]
            assert [(a.error, a.retry_after) for a in rejected] == [("concurrency_limit", 1)] * 2
            assert inject_error.load.peak_concurrency == 5
            inject_error.assert_resilient()

        @pytest.mark.llm_errors(provider="derouter", limits="documented")
        def test_per_minute(inject_error):
            c = client()
            for i in range(60):
                openai_call(c, i)  # one after the other, 0.5 s each (the latency)
            with pytest.raises(openai.RateLimitError) as caught:
                openai_call(c, 60)  # at 30 s: the first leaves the window at 60 s
            assert "Requests per minute limit (60) exceeded." in caught.value.message
            assert caught.value.response.headers["retry-after"] == "30"
            assert inject_error.attempts[-1].error == "rpm_limit"
        """,
    )
    result.assert_outcomes(passed=2)


def test_documented_on_a_profile_without_limits_names_those_with(
    pytester: pytest.Pytester,
) -> None:
    """limits='documented' on openai: a collection error naming derouter; limit() too."""
    result = run(
        pytester,
        """
        import pytest

        @pytest.mark.llm_errors(provider="openai", limits="documented")
        def test_marker():
            pass
        """,
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*limits='documented': provider 'openai' documents no limits*derouter*"]
    )
    result = run(
        pytester,
        """
        import pytest

        @pytest.mark.llm_errors(provider="fluxrouter")
        def test_call(inject_error):
            with pytest.raises(ValueError, match="'fluxrouter' documents no limits.*derouter"):
                inject_error.limit("documented")
        """,
    )
    result.assert_outcomes(passed=1)


# -- mistakes, named where they are made ----------------------------------------------------


def test_bad_limits_raise_naming_the_argument(pytester: pytest.Pytester) -> None:
    """rpm=0, negative values, a non-number and no limit at all: errors naming each."""
    result = run(
        pytester,
        """
        import pytest

        @pytest.mark.llm_errors
        def test_bad(inject_error):
            for kwargs, match in [
                ({"rpm": 0}, "rpm must be at least 1, not 0"),
                ({"tpm": -5}, "tpm must be at least 1, not -5"),
                ({"concurrency": 2.5}, "concurrency must be a whole number"),
                ({"spend": True}, "spend must be a whole number"),
                ({"rpm": 1, "latency": -1}, "latency must be 0 or more seconds"),
                ({"rpm": 1, "window": 0}, "window must be above 0 seconds"),
                ({"rpm": 1, "window": float("nan")}, "window must be a finite number"),
                ({}, "needs at least one limit"),
            ]:
                with pytest.raises(ValueError, match=match):
                    inject_error.limit(**kwargs)
            with pytest.raises(TypeError, match="rps"):
                inject_error.limit(rps=1)
            with pytest.raises(ValueError, match="takes 'documented'"):
                inject_error.limit("all")
            assert inject_error.limits is None
            with pytest.raises(ValueError, match="max_rejected must be a fraction"):
                inject_error.limit(rpm=1).assert_within_limits(max_rejected=2)
        """,
    )
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        ("{'rps': 60}", "limits has unknown key(s) 'rps'; valid keys: rpm, tpm, *"),
        ("{'rpm': 0}", "limits: rpm must be at least 1, not 0*"),
        ("'everything'", "limits must be a dict like {'rpm': 60} or 'documented', not*"),
        ("[60]", "limits must be a dict like*"),
    ],
)
def test_bad_marker_limits_are_a_collection_error(
    pytester: pytest.Pytester, limits: str, message: str
) -> None:
    """A wrong limits= on the marker fails collection, naming the marker and the key."""
    result = run(
        pytester,
        f"""
        import pytest

        @pytest.mark.llm_errors(limits={limits})
        def test_marked():
            pass
        """,
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*bad arguments to @pytest.mark.llm_errors: {message}"])


def test_injecting_takes_limits_too(pytester: pytest.Pytester) -> None:
    """injecting(limits=...) limits the block as the marker does; a bad value is refused."""
    result = run(
        pytester,
        """
        import openai, pytest
        from pytest_llmerrors import injecting

        def test_block():
            with injecting("derouter", limits="documented") as inject_error:
                client = openai.OpenAI(api_key="sk-test", max_retries=0)
                client.chat.completions.create(model="m", messages=[])
                assert inject_error.limits.rpm == 60
                assert inject_error.load.admitted == 1
            with pytest.raises(ValueError, match="limits: rpm must be at least 1"):
                with injecting(limits={"rpm": 0}):
                    pass
            with pytest.raises(ValueError, match="'openai' documents no limits"):
                with injecting("openai", limits="documented"):
                    pass
            # The failed start stopped what it started: another block can run.
            with injecting("openai") as inject_error:
                openai.OpenAI(api_key="sk-test").chat.completions.create(model="m", messages=[])
                assert len(inject_error.attempts) == 1
        """,
    )
    result.assert_outcomes(passed=1)


def test_queued_faults_and_streams_under_limits(pytester: pytest.Pytester) -> None:
    """A queued fault does not count against the limits; an admitted stream streams."""
    result = run(
        pytester,
        """
        import openai, pytest

        @pytest.mark.llm_errors(limits={"rpm": 1})
        def test_stream(inject_error):
            client = openai.OpenAI(api_key="sk-test", max_retries=0)
            inject_error(503)
            with pytest.raises(openai.InternalServerError):
                client.chat.completions.create(model="m", messages=[])
            assert inject_error.load.requests == 0
            chunks = client.chat.completions.create(model="m", messages=[], stream=True)
            assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "pong"
            with pytest.raises(openai.RateLimitError):
                client.chat.completions.create(model="m", messages=[], stream=True)
            assert (inject_error.load.admitted, inject_error.load.rejected) == (1, 1)
        """,
    )
    result.assert_outcomes(passed=1)


def test_every_limit_kind_in_threads_and_in_tasks(pytester: pytest.Pytester) -> None:
    """rpm, tpm, concurrency and spend each reject the same share from openai sync
    threads and from AsyncAnthropic tasks, with the wait each limit asks for."""
    result = run(
        pytester,
        """
        import asyncio
        import anthropic, openai, pytest
        from conftest import openai_call, threads

        # (limits in requests' worth, the status of a rejection, the Retry-After it carries)
        CASES = {
            "rpm": ({"rpm": 2}, 429, "60"),
            "tpm": ({"tpm": 2}, 429, "60"),
            "concurrency": ({"concurrency": 2, "latency": 3.0}, 429, "3"),
            "spend": ({"spend": 2}, None, None),  # 429 on OpenAI, 402 on Anthropic
        }

        @pytest.fixture(params=sorted(CASES))
        def case(request, inject_error):
            def apply(tokens):  # tpm and spend count tokens: two requests' worth
                limits = dict(CASES[request.param][0])
                for name in ("tpm", "spend"):
                    if name in limits:
                        limits[name] *= tokens
                inject_error.limit(**limits)
            return request.param, apply, *CASES[request.param][1:]

        def check(inject_error, failed, kind, retry_after, n):
            load = inject_error.load
            assert (load.requests, load.admitted, load.rejected) == (n, 2, n - 2)
            assert load.rejected_by == {kind: n - 2}
            assert {e.response.headers.get("retry-after") for e in failed} == {retry_after}
            with pytest.raises(AssertionError, match=f"{n - 2} of {n} requests"):
                inject_error.assert_within_limits()
            inject_error.assert_within_limits(max_rejected=(n - 2) / n)

        @pytest.mark.llm_errors
        def test_threads(inject_error, case):
            kind, apply, status, retry_after = case
            apply(1)  # "#0": 1 token
            failed = threads(3, lambda: openai.OpenAI(api_key="sk-test", max_retries=0),
                             openai_call)
            assert [e.status_code for e in failed] == [429]
            check(inject_error, failed, kind, retry_after, 3)

        @pytest.mark.llm_errors(provider="anthropic")
        async def test_tasks(inject_error, case):
            kind, apply, status, retry_after = case
            async with anthropic.AsyncAnthropic(api_key="sk-ant-test", max_retries=0) as client:
                # A first call before the limits warms the client (see conftest.ready).
                await client.messages.create(
                    model="claude-haiku-4-5", max_tokens=1,
                    messages=[{"role": "user", "content": "warm-up"}],
                )
                apply(2)  # "#0" and max_tokens=1: 2 tokens
                async def one(i):
                    try:
                        await client.messages.create(
                            model="claude-haiku-4-5", max_tokens=1,
                            messages=[{"role": "user", "content": f"#{i}"}],
                        )
                    except anthropic.APIStatusError as error:
                        return error
                failed = [e for e in await asyncio.gather(*(one(i) for i in range(5))) if e]
            assert {e.status_code for e in failed} == {status or 402}
            check(inject_error, failed, kind, retry_after, 5)
        """,
    )
    result.assert_outcomes(passed=8)
