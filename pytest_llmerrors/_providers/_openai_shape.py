"""OpenAI's API shape: chat completions, the Responses API and embeddings.

Streams follow what the live API sends and the openai SDK parses (1.x to 3.x): chat chunks
ending in ``data: [DONE]``, with the usage chunk (``"choices": []``) before it when the
request set ``stream_options.include_usage``; the Responses API's numbered events from
``response.created`` to ``response.completed``.

A chat stream that fails mid-flight sends ``data: {"error": {...}}``; a Responses stream sends
``event: error`` with the error nested under ``"error"``, as the live API does (its reference
documents the fields flat, but the SDKs raise only on the nested form). Either way the SDK
raises ``openai.APIError`` with the error object as ``body``.
"""

from __future__ import annotations

import random
from typing import Any

from .._exchange import Answer, Request
from .._faults import Fault
from ._ids import ALNUM_LOWER_FIRST, token
from ._shape_base import ApiShape, json_answer, pieces, sse, stream_answer, usage_words


class OpenAIShape(ApiShape):
    """OpenAI's API: chat completions, responses and embeddings."""

    name = "openai"
    operations = (
        ("/chat/completions", "chat"),
        ("/responses", "responses"),
        ("/embeddings", "embeddings"),
    )

    def error_object(self, fault: Fault, status: int, request_id: str) -> Any:
        """Return ``{"error": {...}}``: the `error_fields`, then the fault's `extra` fields."""
        error = self.error_fields(fault, status)
        error.update(fault.extra)
        return {"error": error}

    def error_fields(self, fault: Fault, status: int) -> dict[str, Any]:
        """Return OpenAI's ``message``, ``type``, ``param`` and ``code``.

        OpenAI-compatible gateways that spell their errors otherwise override this.
        """
        kind = "server_error" if status >= 500 else "invalid_request_error"
        return {
            "message": fault.message,
            "type": fault.error_type or kind,
            "param": None,
            "code": fault.code,
        }

    def stream_error_event(
        self, fault: Fault, request_id: str, *, operation: str, sequence: int
    ) -> bytes:
        """Return ``data: {"error": ...}`` (chat), or the Responses API's ``event: error``."""
        if operation != "responses":
            return super().stream_error_event(
                fault, request_id, operation=operation, sequence=sequence
            )
        nested = self.error_object(fault, 500, request_id)["error"]
        nested["code"] = nested["code"] or nested["type"]
        event = {"type": "error", "error": nested, "sequence_number": sequence}
        return sse(event, "error")

    def success(self, request: Request, operation: str, text: str, rng: random.Random) -> Answer:
        """Return a chat completion, a response or an embedding list the SDK parses."""
        model = self.model(request) or "gpt-4o-mini"
        if operation == "embeddings":
            return _embeddings(request, model)
        usage = {"prompt_tokens": 5, "completion_tokens": usage_words(text)}
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        if operation == "responses":
            return _response(self.wants_stream(request), model, text, rng, usage)
        completion_id = "chatcmpl-" + token(rng, 24)
        if self.wants_stream(request):
            return _chat_stream(request, completion_id, model, text, rng, usage)
        return json_answer(
            {
                "id": completion_id,
                "object": "chat.completion",
                "created": 0,
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text, "refusal": None},
                        "logprobs": None,
                        "finish_reason": "stop",
                    }
                ],
                "usage": usage,
            }
        )


def _embeddings(request: Request, model: str) -> Answer:
    body = request.json if isinstance(request.json, dict) else {}
    inputs = body.get("input", "")
    count = len(inputs) if isinstance(inputs, list) else 1
    data = [{"object": "embedding", "index": i, "embedding": [0.0, 0.5, 1.0]} for i in range(count)]
    usage = {"prompt_tokens": 5, "total_tokens": 5}
    return json_answer({"object": "list", "data": data, "model": model, "usage": usage})


def _stream_options(request: Request) -> dict[str, Any]:
    body = request.json
    options = body.get("stream_options") if isinstance(body, dict) else None
    return options if isinstance(options, dict) else {}


def _chat_stream(
    request: Request,
    completion_id: str,
    model: str,
    text: str,
    rng: random.Random,
    usage: dict[str, int],
) -> Answer:
    """Return chat completion chunks: role, one per piece of text, finish, [usage], [DONE]."""
    options = _stream_options(request)
    include_usage = options.get("include_usage") is True
    obfuscate = options.get("include_obfuscation") is not False
    base = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": 0,
        "model": model,
        "service_tier": "default",
        "system_fingerprint": "fp_" + token(rng, 10),
    }

    def chunk(delta: dict[str, Any] | None, finish: str | None = None, **extra: Any) -> bytes:
        choices = (
            []
            if delta is None
            else [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]
        )
        data: dict[str, Any] = {**base, "choices": choices}
        if include_usage:
            data["usage"] = None
        data.update(extra)
        if obfuscate:
            data["obfuscation"] = token(rng, rng.randint(1, 12), ALNUM_LOWER_FIRST)
        return sse(data)

    parts = pieces(text)
    events = [
        chunk({"role": "assistant", "content": "", "refusal": None}),
        *(chunk({"content": piece}) for piece in parts),
        chunk({}, "stop"),
    ]
    if include_usage:
        details = {
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }
        events.append(chunk(None, usage={**usage, **details}))
    events.append(sse("[DONE]"))
    return stream_answer(events, 1, 1 + len(parts))


def _response(
    stream: bool, model: str, text: str, rng: random.Random, usage: dict[str, int]
) -> Answer:
    """Return a Responses API response, or its stream of numbered events."""
    item_id = "msg_" + token(rng, 48)
    part = {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
    message = {
        "type": "message",
        "id": item_id,
        "status": "completed",
        "role": "assistant",
        "content": [part],
    }
    response: dict[str, Any] = {
        "id": "resp_" + token(rng, 48),
        "object": "response",
        "created_at": 0,
        "status": "completed",
        "error": None,
        "incomplete_details": None,
        "model": model,
        "output": [message],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": {
            "input_tokens": usage["prompt_tokens"],
            "output_tokens": usage["completion_tokens"],
            "total_tokens": usage["total_tokens"],
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens_details": {"reasoning_tokens": 0},
        },
    }
    if not stream:
        return json_answer(response)
    started = {**response, "status": "in_progress", "output": [], "usage": None}
    at = {"item_id": item_id, "output_index": 0, "content_index": 0}
    parts = pieces(text)
    bodies: list[dict[str, Any]] = [
        {"type": "response.created", "response": started},
        {"type": "response.in_progress", "response": started},
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {**message, "status": "in_progress", "content": []},
        },
        {"type": "response.content_part.added", **at, "part": {**part, "text": ""}},
        *(
            {
                "type": "response.output_text.delta",
                **at,
                "delta": piece,
                "logprobs": [],
                "obfuscation": token(rng, rng.randint(1, 12), ALNUM_LOWER_FIRST),
            }
            for piece in parts
        ),
        {"type": "response.output_text.done", **at, "text": text, "logprobs": []},
        {"type": "response.content_part.done", **at, "part": part},
        {"type": "response.output_item.done", "output_index": 0, "item": message},
        {"type": "response.completed", "response": response},
    ]
    events = [
        sse({**body, "sequence_number": number}, body["type"]) for number, body in enumerate(bodies)
    ]
    return stream_answer(events, 4, 4 + len(parts))
