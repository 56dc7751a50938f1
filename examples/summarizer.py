"""A summarizer on the anthropic SDK that falls back to a truncated text when Claude is down."""

from __future__ import annotations

import logging

import anthropic

log = logging.getLogger("summarizer")


def summarize(client: anthropic.Anthropic, text: str) -> str:
    """Return Claude's summary of `text`, or its first sentence if Claude cannot answer."""
    try:
        message = client.messages.create(
            model="claude-haiku-4-5",
            max_tokens=200,
            messages=[{"role": "user", "content": f"Summarize:\n\n{text}"}],
        )
    except anthropic.APIStatusError as error:
        log.warning(
            "summary failed (HTTP %s, request-id %s); falling back",
            error.status_code,
            error.request_id,
        )
        return text.split(". ")[0]
    return "".join(block.text for block in message.content if block.type == "text")
