"""An async batch job: many prompts at once on AsyncOpenAI, each failure kept, not fatal."""

from __future__ import annotations

import asyncio
import logging

import openai

log = logging.getLogger("batch")


async def run_batch(client: openai.AsyncOpenAI, prompts: list[str]) -> list[str | None]:
    """Answer every prompt concurrently; a prompt that fails for good gives ``None``."""

    async def one(prompt: str) -> str | None:
        try:
            reply = await client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}]
            )
        except openai.APIStatusError as error:
            log.warning(
                "prompt %r failed: HTTP %s, request id %s",
                prompt,
                error.status_code,
                error.request_id,
            )
            return None
        return reply.choices[0].message.content

    return list(await asyncio.gather(*(one(p) for p in prompts)))
