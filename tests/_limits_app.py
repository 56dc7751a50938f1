"""The clients the limits tests run, and how they run them (tests/test_limits*.py)."""

from __future__ import annotations

import pytest

#: Clients the limits tests run: the openai SDK's async client fanned out three ways, and
#: sync clients in threads. Each call that fails for good returns the error, not raise.
APP = """
import asyncio, concurrent.futures, threading
import aiolimiter, anthropic, openai, pytest

def prompt(i):
    return [{"role": "user", "content": f"#{i}"}]

async def ask(client, i):
    try:
        await client.chat.completions.create(model="gpt-4o-mini", messages=prompt(i))
    except openai.APIStatusError as error:
        return error
    return None

async def ready(client, inject_error, preset, limits):
    # The SDK's first call looks its platform up in a worker thread; a batch whose tasks
    # all wait on that can see the virtual clock run ahead of some of them. One call before
    # the limits are set warms the client, so the batch's requests leave together.
    await client.chat.completions.create(model="gpt-4o-mini", messages=prompt("warm-up"))
    inject_error.limit(*preset, **limits)

async def burst(n, inject_error=None, *preset, **limits):
    async with openai.AsyncOpenAI(api_key="sk-test") as client:
        if inject_error is not None:
            await ready(client, inject_error, preset, limits)
        return [e for e in await asyncio.gather(*(ask(client, i) for i in range(n))) if e]

async def paced(n, limiter, inject_error, **limits):
    async with openai.AsyncOpenAI(api_key="sk-test") as client:
        await ready(client, inject_error, (), limits)
        async def one(i):
            async with limiter:
                return await ask(client, i)
        return [e for e in await asyncio.gather(*(one(i) for i in range(n))) if e]

async def sleepy(n, pause):
    async with openai.AsyncOpenAI(api_key="sk-test") as client:
        errors = []
        for i in range(n):
            errors.append(await ask(client, i))
            await asyncio.sleep(pause)
        return [e for e in errors if e]

def threads(n, make_client, call):
    # The barrier lets every thread send at once: none starts after another's answer.
    barrier = threading.Barrier(n)
    with make_client() as client, concurrent.futures.ThreadPoolExecutor(n) as pool:
        def one(i):
            barrier.wait()
            try:
                call(client, i)
            except (openai.APIStatusError, anthropic.APIStatusError) as error:
                return error
        return [e for e in pool.map(one, range(n)) if e]

def openai_call(client, i):
    return client.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=prompt(i)
    )

def anthropic_call(client, i):
    return client.messages.with_raw_response.create(
        model="claude-haiku-4-5", max_tokens=16, messages=prompt(i)
    )
"""


def run(pytester: pytest.Pytester, body: str, *args: str) -> pytest.RunResult:
    """Run `body` as a test module beside the app, asyncio in auto mode."""
    pytester.makeconftest(APP)
    pytester.makepyfile(body)
    return pytester.runpytest("-p", "no:randomly", "-o", "asyncio_mode=auto", *args)
