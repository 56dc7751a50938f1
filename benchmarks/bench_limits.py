"""Provider limits on virtual time: 1,000 requests through the openai SDK under rpm=60.

Measured in this one run, in-process:

- limits: 1,000 prompts on ``AsyncOpenAI``, paced by aiolimiter at one a second, under
  ``inject_error.limit(rpm=60)``: about 17 virtual minutes;
- burst: 300 prompts at once under rpm=60 with ``max_retries=10``: the SDK rides out the
  429s on Retry-After (five virtual minutes, three quarters of the attempts rejected);
- no limits: the same 1,000 SDK calls under the plugin without limits;
- SDK alone: the same 1,000 SDK calls on an ``httpx2.MockTransport``, no plugin at all:
  the SDK's own per-call cost.

It prints wall time, virtual time, and wall time per attempt beside the SDK's own per-call
cost, as ratios. Asserts nothing.

    python benchmarks/bench_limits.py
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Coroutine
from typing import Any

import aiolimiter
import httpx2
import openai

from pytest_llmerrors import injecting

#: Real time: read outside the plugin's blocks (inside them, time is virtual).
real = time.perf_counter
N = 1000
SUCCESS = {
    "id": "chatcmpl-bench",
    "object": "chat.completion",
    "created": 1759276800,
    "model": "gpt-4o-mini",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "pong"},
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}


async def ask(client: openai.AsyncOpenAI, i: int) -> None:
    await client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": f"#{i}"}]
    )


async def paced(client: openai.AsyncOpenAI, n: int) -> None:
    limiter = aiolimiter.AsyncLimiter(1, 1)

    async def one(i: int) -> None:
        async with limiter:
            await ask(client, i)

    await asyncio.gather(*(one(i) for i in range(n)))


async def burst(client: openai.AsyncOpenAI, n: int) -> None:
    await asyncio.gather(*(ask(client, i) for i in range(n)))


Batch = Callable[[openai.AsyncOpenAI, int], Coroutine[Any, Any, None]]


def under_plugin(batch: Batch, n: int, rpm: int | None, retries: int = 2) -> dict[str, float]:
    """Run `batch` under the plugin (with limits if `rpm`); return wall and virtual time.

    The wall time includes starting and stopping the plugin's session (well under a
    millisecond), read on real time before and after the block.
    """
    start = real()
    with injecting("openai") as inject_error:
        if rpm is not None:
            inject_error.limit(rpm=rpm)

        async def main() -> None:
            async with openai.AsyncOpenAI(api_key="sk-bench", max_retries=retries) as client:
                await batch(client, n)

        asyncio.run(main())
        load = inject_error.load
        found = {
            "attempts": len(inject_error.attempts),
            "virtual": load.duration if rpm is not None else inject_error.clock.now(),
            "rejected": load.rejected,
        }
    return {"wall": real() - start, **found}


def sdk_alone(n: int) -> dict[str, float]:
    """Run the same SDK calls on a mock transport, no plugin: the SDK's own cost."""
    body = json.dumps(SUCCESS).encode()

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, content=body, headers={"content-type": "application/json"})

    async def main() -> None:
        http = httpx2.AsyncClient(transport=httpx2.MockTransport(handler))
        async with openai.AsyncOpenAI(api_key="sk-bench", http_client=http) as client:
            await burst(client, n)

    start = real()
    asyncio.run(main())
    return {"wall": real() - start, "attempts": n, "virtual": 0.0, "rejected": 0}


def main() -> None:
    sdk_alone(50)  # warm up: imports, the SDK's first-call setup
    runs = {
        "SDK alone (mock transport, no plugin)": sdk_alone(N),
        "plugin, no limits": under_plugin(burst, N, None),
        "plugin, rpm=60, paced 1/s (aiolimiter)": under_plugin(paced, N, 60),
        "plugin, rpm=60, 300 at once, SDK retries": under_plugin(burst, 300, 60, retries=10),
    }
    base = runs["SDK alone (mock transport, no plugin)"]
    per_sdk = base["wall"] / base["attempts"]
    print(
        f"{'run':44} {'attempts':>8} {'rejected':>8} {'virtual':>9} {'wall':>8} "
        f"{'per attempt':>12} {'vs SDK':>7}"
    )
    for name, run in runs.items():
        per = run["wall"] / run["attempts"]
        print(
            f"{name:44} {run['attempts']:>8.0f} {run['rejected']:>8.0f} "
            f"{run['virtual']:>8.1f}s {run['wall']:>7.2f}s {per * 1000:>9.3f} ms "
            f"{per / per_sdk:>6.1f}x"
        )
    limited = runs["plugin, rpm=60, paced 1/s (aiolimiter)"]
    print(
        f"\n1,000 requests under rpm=60: {limited['virtual'] / 60:.1f} virtual minutes in "
        f"{limited['wall']:.2f} s of wall time ({limited['virtual'] / limited['wall']:,.0f}x "
        f"faster than real time)."
    )


if __name__ == "__main__":
    main()
