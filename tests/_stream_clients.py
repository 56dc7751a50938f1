"""Helpers of the streaming tests' inner runs, copied into each pytester directory.

A client and a stream for each way of streaming (chat, responses, messages, raw or through
the SDK's stream helper), sync or async; each piece of text is appended to `seen` as it
arrives, so a test sees what the application had shown before a fault.
"""

from __future__ import annotations

import asyncio
from typing import Any

import anthropic
import httpx
import openai

try:
    import httpx2
except ImportError:
    httpx2 = None

#: openai >= 3 and anthropic >= 1 run on httpx2, older ones on httpx.
OPENAI_LIB = httpx2 if int(openai.__version__.split(".")[0]) >= 3 else httpx
ANTHROPIC_LIB = httpx2 if int(anthropic.__version__.split(".")[0]) >= 1 else httpx
MSG = [{"role": "user", "content": "hi"}]
WAYS = ["chat", "chat_helper", "responses", "responses_helper", "messages", "messages_helper"]
TEXT = "hello there world"
FINAL = {
    "chat_helper": "get_final_completion",
    "responses_helper": "get_final_response",
    "messages_helper": "get_final_message",
}


def client(way: str, mode: str, **options: Any) -> Any:
    options.setdefault("max_retries", 0)
    if way.startswith("messages"):
        cls = anthropic.Anthropic if mode == "sync" else anthropic.AsyncAnthropic
        return cls(api_key="sk-ant-test", **options)
    cls = openai.OpenAI if mode == "sync" else openai.AsyncOpenAI
    return cls(api_key="sk-test", **options)


def opened(c: Any, way: str, **kw: Any) -> Any:
    if way == "chat":
        return c.chat.completions.create(model="gpt-4o-mini", messages=MSG, stream=True, **kw)
    if way == "chat_helper":
        return c.chat.completions.stream(model="gpt-4o-mini", messages=MSG, **kw)
    if way == "responses":
        return c.responses.create(model="gpt-4o-mini", input="hi", stream=True, **kw)
    if way == "responses_helper":
        return c.responses.stream(model="gpt-4o-mini", input="hi", **kw)
    request = dict(model="claude-haiku-4-5", max_tokens=50, messages=MSG, **kw)
    if way == "messages":
        return c.messages.create(stream=True, **request)
    return c.messages.stream(**request)


def piece(way: str, event: Any) -> str:
    if way == "chat":
        return (event.choices[0].delta.content or "") if event.choices else ""
    if way == "chat_helper":
        return event.delta if event.type == "content.delta" else ""
    if way.startswith("responses"):
        return event.delta if event.type == "response.output_text.delta" else ""
    if way == "messages":
        return event.delta.text if event.type == "content_block_delta" else ""
    return event.text if event.type == "text" else ""


def final_text(way: str, final: Any) -> str:
    if way == "chat_helper":
        return final.choices[0].message.content
    if way == "responses_helper":
        return final.output_text
    return final.content[0].text


def run(way: str, seen: list[str], client_options: dict[str, Any] | None = None, **kw: Any) -> str:
    c = client(way, "sync", **(client_options or {}))
    if way in FINAL:
        with opened(c, way, **kw) as stream:
            seen.extend(piece(way, event) for event in stream)
            return final_text(way, getattr(stream, FINAL[way])())
    seen.extend(piece(way, event) for event in opened(c, way, **kw))
    return "".join(seen)


async def arun(
    way: str, seen: list[str], client_options: dict[str, Any] | None = None, **kw: Any
) -> str:
    c = client(way, "async", **(client_options or {}))
    if way in FINAL:
        async with opened(c, way, **kw) as stream:
            async for event in stream:
                seen.append(piece(way, event))
            return final_text(way, await getattr(stream, FINAL[way])())
    async for event in await opened(c, way, **kw):
        seen.append(piece(way, event))
    return "".join(seen)


def consume(
    mode: str, way: str, seen: list[str], client_options: dict[str, Any] | None = None, **kw: Any
) -> str:
    """Stream `way` with the sync or the async client (in a fresh event loop); return the text."""
    if mode == "sync":
        return run(way, seen, client_options, **kw)
    return asyncio.run(arun(way, seen, client_options, **kw))
