"""A deliberately naive client: the kind of retry loop the plugin exists to catch.

It retries every error, waits a constant second, ignores Retry-After and never logs the
provider's request id. Its tests are marked xfail(strict=True): they show the failure
messages a user sees, and they would fail the run if the plugin ever passed this client.
"""

from __future__ import annotations

import time

try:
    import httpx2 as httpx_lib
except ImportError:
    import httpx as httpx_lib  # type: ignore[no-redef]


def ask(prompt: str, attempts: int = 5) -> str:
    """Ask for a completion, retrying anything up to `attempts` times."""
    response = None
    for _ in range(attempts):
        response = httpx_lib.post(
            "https://api.openai.com/v1/chat/completions",
            json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": prompt}]},
        )
        if response.status_code == 200:
            return response.json()["choices"][0]["message"]["content"]
        time.sleep(1)  # constant, and blind to Retry-After
    assert response is not None
    raise RuntimeError(f"gave up: HTTP {response.status_code}")
