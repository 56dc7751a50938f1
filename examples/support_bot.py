"""A support bot on the openai SDK: answers questions, streams answers, logs request ids."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import openai

log = logging.getLogger("support_bot")


class SupportBotError(Exception):
    """The bot could not answer; the provider's request id is in the log."""


class SupportBot:
    """Answers customer questions with a chat model, relying on the SDK's own retries."""

    def __init__(self, client: openai.OpenAI, model: str = "gpt-4o-mini") -> None:
        self.client = client
        self.model = model

    def answer(self, question: str) -> str:
        """Return the model's answer to `question`."""
        try:
            reply = self.client.chat.completions.create(
                model=self.model, messages=[{"role": "user", "content": question}]
            )
        except openai.APIStatusError as error:
            log.error("chat completion failed: HTTP %s, request id %s", error.status_code, error.request_id)
            raise SupportBotError(str(error)) from error
        except openai.APIConnectionError as error:
            log.error("chat completion failed: %s", type(error).__name__)
            raise SupportBotError(str(error)) from error
        return reply.choices[0].message.content or ""

    def stream_answer(self, question: str) -> Iterator[str]:
        """Yield the answer to `question` piece by piece, as the model streams it."""
        stream = self.client.chat.completions.create(
            model=self.model, messages=[{"role": "user", "content": question}], stream=True
        )
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                yield chunk.choices[0].delta.content
