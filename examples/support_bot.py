"""A support bot on the openai SDK: answers questions, streams answers, logs request ids."""

from __future__ import annotations

import logging
import time
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
        for attempt in range(2):
            try:
                reply = self.client.chat.completions.create(
                    model=self.model, messages=[{"role": "user", "content": question}]
                )
            except openai.APIStatusError as error:
                log.error(
                    "chat completion failed: HTTP %s, request id %s",
                    error.status_code,
                    error.request_id,
                )
                raise SupportBotError(str(error)) from error
            except openai.APIConnectionError as error:
                log.error("chat completion failed: %s", type(error).__name__)
                raise SupportBotError(str(error)) from error
            except ValueError as error:
                # A 200 whose JSON is cut off: the SDK raises a bare JSONDecodeError and does
                # not retry it (the plugin's `unparseable_success` found this), so we do, once.
                if attempt:
                    log.error("chat completion failed twice with an unparseable body")
                    raise SupportBotError("unparseable response") from error
                time.sleep(1)
                continue
            return reply.choices[0].message.content or ""
        raise AssertionError("unreachable")

    def stream_answer(self, question: str) -> Iterator[str]:
        """Yield the answer to `question` piece by piece, as the model streams it."""
        stream = self.client.chat.completions.create(
            model=self.model, messages=[{"role": "user", "content": question}], stream=True
        )
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                yield chunk.choices[0].delta.content
