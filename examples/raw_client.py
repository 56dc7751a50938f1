"""A hand-written chat client on plain httpx2 (or httpx) with tenacity doing the retries."""

from __future__ import annotations

import email.utils
import logging
import time

import tenacity

try:
    import httpx2 as httpx_lib
except ImportError:  # the httpx generation
    import httpx as httpx_lib  # type: ignore[no-redef]

log = logging.getLogger("raw_client")
RETRYABLE = {408, 409, 429, 500, 502, 503, 504, 529}


class RetryableStatus(Exception):
    """A response worth retrying, with the wait the server asked for."""

    def __init__(self, response: httpx_lib.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def _server_wait(state: tenacity.RetryCallState) -> float:
    """Honour Retry-After (seconds or HTTP-date); otherwise back off exponentially with jitter."""
    backoff = tenacity.wait_exponential_jitter(initial=1, max=30)(state)
    error = state.outcome.exception() if state.outcome else None
    header = (
        error.response.headers.get("retry-after") if isinstance(error, RetryableStatus) else None
    )
    if header is None:
        return backoff
    try:
        return max(backoff, float(header))
    except ValueError:
        return max(backoff, email.utils.parsedate_to_datetime(header).timestamp() - time.time())


class ChatClient:
    """POSTs chat completions to an OpenAI-compatible endpoint."""

    def __init__(
        self, base_url: str = "https://api.openai.com/v1", key: str = "sk-example"
    ) -> None:
        self.http = httpx_lib.Client(base_url=base_url, headers={"authorization": f"Bearer {key}"})

    @tenacity.retry(
        retry=tenacity.retry_if_exception_type((RetryableStatus, httpx_lib.TransportError)),
        wait=_server_wait,
        stop=tenacity.stop_after_attempt(6),
        reraise=True,
    )
    def _post(self, payload: dict) -> httpx_lib.Response:
        response = self.http.post("/chat/completions", json=payload)
        if response.status_code in RETRYABLE:
            raise RetryableStatus(response)
        return response

    def ask(self, prompt: str) -> str:
        """Return the model's answer to `prompt`."""
        try:
            response = self._post(
                {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": prompt}]}
            )
        except RetryableStatus as error:
            log.error(
                "gave up after retries, request id %s", error.response.headers.get("x-request-id")
            )
            raise
        if response.is_error:
            log.error(
                "HTTP %s, request id %s", response.status_code, response.headers.get("x-request-id")
            )
            response.raise_for_status()
        return response.json()["choices"][0]["message"]["content"]
