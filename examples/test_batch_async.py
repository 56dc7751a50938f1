"""The async batch survives rate limits and keeps going past a prompt that cannot succeed."""

from __future__ import annotations

import openai
import pytest
from batch_async import run_batch


@pytest.mark.asyncio
@pytest.mark.llm_errors(verify=True)
async def test_batch_rides_out_rate_limits(inject_error):
    inject_error(429, retry_after=1, times=3)
    answers = await run_batch(openai.AsyncOpenAI(api_key="sk-example"), [f"q{i}" for i in range(5)])
    assert answers == ["pong"] * 5
    assert len(inject_error.attempts) == 8  # five calls, three of them retried once


@pytest.mark.asyncio
@pytest.mark.llm_errors(verify=True)
async def test_one_bad_request_does_not_sink_the_batch(inject_error):
    inject_error(400)
    answers = await run_batch(openai.AsyncOpenAI(api_key="sk-example"), ["a", "b", "c"])
    assert answers.count(None) == 1 and answers.count("pong") == 2
