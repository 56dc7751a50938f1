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
from dataclasses import dataclass
from typing import Any

from .._exchange import Answer, Request
from .._faults import Fault
from ._ids import ALNUM, ALNUM_LOWER_FIRST, token
from ._shape_base import ApiShape, json_answer, pieces, sse, stream_answer, usage_words
from ._structured import json_pieces, json_text, tool_arguments, wanted


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
        if "code" in nested:  # a gateway's body without one (Requesty's) stays as it is
            nested["code"] = nested["code"] or nested.get("type")
        event = {"type": "error", "error": nested, "sequence_number": sequence}
        return sse(event, "error")

    def success(self, request: Request, operation: str, text: str, rng: random.Random) -> Answer:
        """Return a chat completion, a response or an embedding list the SDK parses.

        A request that forces a tool gets that tool's call; one that asks for JSON output
        gets JSON text (`._structured`).
        """
        model = self.model(request) or "gpt-4o-mini"
        if operation == "embeddings":
            return _embeddings(request, model)
        forced = wanted(self.name, request.json)
        call: _Call | None = None
        if forced is not None and forced.tool:
            arguments = tool_arguments(text, forced.schema)
            call = _Call(forced.name, arguments, "call_" + token(rng, 24, ALNUM), forced.named)
            text = arguments
        elif forced is not None:
            text = json_text(text, forced.schema)
        usage = {"prompt_tokens": 5, "completion_tokens": usage_words(text)}
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        if operation == "responses":
            return _response(
                self.wants_stream(request), model, text, rng, usage, call, forced is not None
            )
        completion_id = "chatcmpl-" + token(rng, 24)
        if self.wants_stream(request):
            return _chat_stream(
                request, completion_id, model, text, rng, usage, call, forced is not None
            )
        message: dict[str, Any] = {"role": "assistant", "content": text, "refusal": None}
        if call is not None:
            message = {
                "role": "assistant",
                "content": None,
                "refusal": None,
                "tool_calls": [call.chat()],
            }
        return json_answer(
            {
                "id": completion_id,
                "object": "chat.completion",
                "created": 0,
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": message,
                        "logprobs": None,
                        "finish_reason": _finish(call),
                    }
                ],
                "usage": usage,
            }
        )


@dataclass(frozen=True)
class _Call:
    """A forced tool call: the tool's `name`, its `arguments` (JSON text) and its call id."""

    name: str
    arguments: str
    call_id: str
    #: Forced by name: OpenAI then ends the choice with ``"stop"``, not ``"tool_calls"``.
    named: bool

    def chat(self) -> dict[str, Any]:
        function = {"name": self.name, "arguments": self.arguments}
        return {"id": self.call_id, "type": "function", "function": function}


def _finish(call: _Call | None) -> str:
    return "tool_calls" if call is not None and not call.named else "stop"


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
    call: _Call | None = None,
    structured: bool = False,
) -> Answer:
    """Return chat completion chunks: role, one per piece of text, finish, [usage], [DONE].

    A tool call streams as OpenAI sends it: the call (id, name, empty arguments) in the first
    chunk, then one argument piece per chunk; JSON output streams in small pieces.
    """
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

    parts = json_pieces(text) if structured else pieces(text)
    first: dict[str, Any] = {"role": "assistant", "content": "", "refusal": None}
    deltas: list[dict[str, Any]] = [{"content": piece} for piece in parts]
    if call is not None:
        opening = call.chat()
        opening["function"] = {"name": call.name, "arguments": ""}
        first = {"role": "assistant", "content": None, "tool_calls": [{"index": 0, **opening}]}
        first["refusal"] = None
        deltas = [{"tool_calls": [{"index": 0, "function": {"arguments": p}}]} for p in parts]
    events = [
        chunk(first),
        *(chunk(delta) for delta in deltas),
        chunk({}, _finish(call)),
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
    stream: bool,
    model: str,
    text: str,
    rng: random.Random,
    usage: dict[str, int],
    call: _Call | None = None,
    structured: bool = False,
) -> Answer:
    """Return a Responses API response, or its stream of numbered events."""
    if call is not None:
        return _function_call_response(stream, model, rng, usage, call)
    item_id = "msg_" + token(rng, 48)
    part = {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
    message = {
        "type": "message",
        "id": item_id,
        "status": "completed",
        "role": "assistant",
        "content": [part],
    }
    response = _response_object(model, rng, usage, message)
    if not stream:
        return json_answer(response)
    started = {**response, "status": "in_progress", "output": [], "usage": None}
    at = {"item_id": item_id, "output_index": 0, "content_index": 0}
    parts = json_pieces(text) if structured else pieces(text)
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
    return _numbered(bodies, 4, 4 + len(parts))


def _function_call_response(
    stream: bool, model: str, rng: random.Random, usage: dict[str, int], call: _Call
) -> Answer:
    """Return a Responses API function call, or its stream of argument deltas."""
    item = {
        "type": "function_call",
        "id": "fc_" + token(rng, 48),
        "call_id": call.call_id,
        "name": call.name,
        "arguments": call.arguments,
        "status": "completed",
    }
    response = _response_object(model, rng, usage, item)
    if not stream:
        return json_answer(response)
    started = {**response, "status": "in_progress", "output": [], "usage": None}
    at = {"item_id": item["id"], "output_index": 0}
    parts = json_pieces(call.arguments)
    bodies: list[dict[str, Any]] = [
        {"type": "response.created", "response": started},
        {"type": "response.in_progress", "response": started},
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {**item, "arguments": "", "status": "in_progress"},
        },
        *({"type": "response.function_call_arguments.delta", **at, "delta": p} for p in parts),
        {"type": "response.function_call_arguments.done", **at, "arguments": call.arguments},
        {"type": "response.output_item.done", "output_index": 0, "item": item},
        {"type": "response.completed", "response": response},
    ]
    return _numbered(bodies, 3, 3 + len(parts))


def _numbered(bodies: list[dict[str, Any]], start: int, end: int) -> Answer:
    events = [
        sse({**body, "sequence_number": number}, body["type"]) for number, body in enumerate(bodies)
    ]
    return stream_answer(events, start, end)


def _response_object(
    model: str, rng: random.Random, usage: dict[str, int], item: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": "resp_" + token(rng, 48),
        "object": "response",
        "created_at": 0,
        "status": "completed",
        "error": None,
        "incomplete_details": None,
        "model": model,
        "output": [item],
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
