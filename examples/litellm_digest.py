"""A digest service on litellm's async API: summaries fanned out, and one answer streamed.

litellm's ``acompletion`` goes through aiohttp by default; the plugin serves it in-process,
so these tests need no API key and no network. litellm retries (``num_retries``) on its own.
"""

from __future__ import annotations

import asyncio
import logging

import litellm

log = logging.getLogger("digest")
MODEL = "gpt-4o-mini"


async def summarize(text: str) -> str | None:
    """Summarize `text`; ``None`` when the provider refuses it for good."""
    try:
        reply = await litellm.acompletion(
            model=MODEL,
            messages=[{"role": "user", "content": f"Summarize: {text}"}],
            num_retries=4,
            timeout=30,
        )
    except litellm.exceptions.APIError as error:  # what is left after litellm's retries
        log.error(
            "summary failed: HTTP %s, request id %s",
            getattr(error, "status_code", None),
            _request_id(error),
        )
        return None
    return reply.choices[0].message.content


async def digest(texts: list[str]) -> list[str | None]:
    """Summarize every text at once."""
    return list(await asyncio.gather(*(summarize(text) for text in texts)))


async def stream_answer(question: str) -> str:
    """Stream the answer to `question` and return it whole."""
    stream = await litellm.acompletion(
        model=MODEL, messages=[{"role": "user", "content": question}], stream=True, timeout=30
    )
    parts = [chunk.choices[0].delta.content or "" async for chunk in stream]
    return "".join(parts)


def _request_id(error: Exception) -> str | None:
    response = getattr(error, "response", None)
    headers = getattr(response, "headers", None) or {}
    return headers.get("x-request-id")
