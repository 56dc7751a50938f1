"""A batch job on AsyncOpenAI, three ways: all at once, paced to the limit, and too slow.

The provider admits 60 requests a minute. `all_at_once` fires every prompt together and
leans on the SDK's retries of the 429s; `paced` sends one a second through aiolimiter, the
most the limit admits; `with_pauses` sleeps 10 s after each answer, far below it.
"""

from __future__ import annotations

import asyncio
import logging

import aiolimiter
import openai

log = logging.getLogger("batch")


async def _ask(client: openai.AsyncOpenAI, prompt: str) -> str | None:
    try:
        reply = await client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}]
        )
    except openai.APIStatusError as error:
        log.warning(
            "prompt %r failed: HTTP %s, request id %s", prompt, error.status_code, error.request_id
        )
        return None
    return reply.choices[0].message.content


async def all_at_once(client: openai.AsyncOpenAI, prompts: list[str]) -> list[str | None]:
    """Send every prompt at once; the SDK retries what the provider rejects."""
    return list(await asyncio.gather(*(_ask(client, p) for p in prompts)))


async def paced(
    client: openai.AsyncOpenAI, prompts: list[str], per_minute: int = 60
) -> list[str | None]:
    """Send the prompts concurrently, started no faster than `per_minute` (evenly spread)."""
    limiter = aiolimiter.AsyncLimiter(1, 60 / per_minute)

    async def one(prompt: str) -> str | None:
        async with limiter:
            return await _ask(client, prompt)

    return list(await asyncio.gather(*(one(p) for p in prompts)))


async def with_pauses(
    client: openai.AsyncOpenAI, prompts: list[str], pause: float = 10.0
) -> list[str | None]:
    """Send the prompts one by one with a fixed `pause` after each answer."""
    answers = []
    for prompt in prompts:
        answers.append(await _ask(client, prompt))
        await asyncio.sleep(pause)
    return answers
