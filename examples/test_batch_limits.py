"""The batch job under the provider's 60 requests a minute: which way of sending is right?

The limits make the provider stateful on the virtual clock: 200 prompts take minutes of
virtual time and a fraction of a second of real time.
"""

from __future__ import annotations

import openai
import pytest
from batch_limits import all_at_once, paced, with_pauses

PROMPTS = [f"q{i}" for i in range(200)]


@pytest.mark.asyncio
@pytest.mark.llm_errors(limits={"rpm": 60})
async def test_all_at_once_leans_on_429s(inject_error):
    async with openai.AsyncOpenAI(api_key="sk-example") as client:
        answers = await all_at_once(client, PROMPTS)
    assert None in answers  # some prompts were rejected three times: out of SDK retries
    # The bug this catches: most of its requests are 429s the client provoked itself.
    with pytest.raises(AssertionError, match="were rejected by the provider's limits"):
        inject_error.assert_within_limits()


@pytest.mark.asyncio
@pytest.mark.llm_errors(limits={"rpm": 60})
async def test_paced_batch_stays_within_and_uses_the_limit(inject_error):
    async with openai.AsyncOpenAI(api_key="sk-example") as client:
        answers = await paced(client, PROMPTS)
    assert answers == ["pong"] * 200
    inject_error.assert_within_limits()
    inject_error.assert_throughput()
    assert inject_error.load.duration > 180  # over three virtual minutes


@pytest.mark.asyncio
@pytest.mark.llm_errors(limits={"rpm": 60})
async def test_pauses_leave_the_limit_unused(inject_error):
    async with openai.AsyncOpenAI(api_key="sk-example") as client:
        answers = await with_pauses(client, PROMPTS[:70])
    assert answers == ["pong"] * 70
    inject_error.assert_within_limits()
    # The bug this catches: 10 s pauses use a tenth of what the provider admits.
    with pytest.raises(AssertionError, match=r"Throughput was 5\.793 admitted requests"):
        inject_error.assert_throughput()
