"""A chat client behind the Requesty router: the openai SDK pointed at the router's base_url.

The SDK retries 408, 409, 429 and 5xx itself. Requesty also documents 424 (the provider's
answer could not be used) as worth retrying, and a 200 whose body is cut off raises a bare
JSONDecodeError: the SDK retries neither, so this client retries them once itself. When a
model still fails on the provider's side, it falls back to the next model.
"""

from __future__ import annotations

import logging
import time

import openai

log = logging.getLogger("router_chat")

BASE_URL = "https://router.requesty.ai/v1"
MODELS = ("openai/gpt-4o-mini", "anthropic/claude-haiku-4-5")


class RouterChat:
    """Asks the router, with one extra retry and a fallback model for provider failures."""

    def __init__(self, key: str = "rqsty-example", models: tuple[str, ...] = MODELS) -> None:
        self.client = openai.OpenAI(api_key=key, base_url=BASE_URL, max_retries=2)
        self.models = models

    def ask(self, prompt: str) -> str | None:
        """Return the answer, or ``None`` when every model failed (the reason is logged)."""
        for model in self.models:
            for attempt in range(2):
                try:
                    reply = self.client.chat.completions.create(
                        model=model, messages=[{"role": "user", "content": prompt}]
                    )
                except openai.APIStatusError as error:
                    retryable = error.status_code >= 500 or error.status_code == 424
                    log.warning(
                        "%s failed: HTTP %s, request id %s",
                        model,
                        error.status_code,
                        error.request_id,
                    )
                    if not retryable:
                        return None  # a bad key or request: no other model fixes it
                    if error.status_code == 424 and attempt == 0:
                        time.sleep(1)  # the SDK does not retry 424: once more, then fall back
                        continue
                    break  # the SDK already retried: fall back to the next model
                except ValueError:  # a 200 the SDK could not parse (JSONDecodeError)
                    log.warning("%s sent an unparseable answer", model)
                    if attempt == 0:
                        time.sleep(1)
                        continue
                    break
                return reply.choices[0].message.content
        return None
