"""API shapes: how an OpenAI- or Anthropic-style API spells its errors and successes.

A provider profile serves one or more shapes on its endpoints (FluxRouter serves both).
"""

from __future__ import annotations

import json
import random
from typing import Any

from .._exchange import Answer, Request
from .._faults import Fault

JSON = "application/json"
SSE = "text/event-stream"


def dump(data: Any) -> bytes:
    """Serialize `data` as compact JSON bytes."""
    return json.dumps(data, separators=(",", ":")).encode()


def sse(data: Any, event: str | None = None) -> bytes:
    """Encode one server-sent event."""
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    prefix = f"event: {event}\n" if event else ""
    return f"{prefix}data: {payload}\n\n".encode()


def token(rng: random.Random, length: int, alphabet: str = "0123456789abcdef") -> str:
    """Return `length` random characters of `alphabet`, drawn from the plugin's own `rng`."""
    return "".join(rng.choice(alphabet) for _ in range(length))


def _usage_words(text: str) -> int:
    return max(1, len(text.split()))


class ApiShape:
    """The wire format of one API family. Subclasses fill in the details."""

    name = "abstract"
    #: Path suffixes this shape serves, mapped to the operation name.
    operations: tuple[tuple[str, str], ...] = ()

    def operation(self, request: Request, prefix: str = "") -> str | None:
        """Return the operation `request` calls (``"chat"``, ``"messages"``...), or ``None``."""
        path = request.path.rstrip("/")
        for suffix, operation in self.operations:
            if path.endswith(suffix) and path[: len(path) - len(suffix)].startswith(prefix):
                return operation
        return None

    def model(self, request: Request) -> str | None:
        """Return the model the request names."""
        body = request.json
        model = body.get("model") if isinstance(body, dict) else None
        return model if isinstance(model, str) else None

    def wants_stream(self, request: Request) -> bool:
        """Whether the request asked for a streamed answer."""
        body = request.json
        return isinstance(body, dict) and body.get("stream") is True

    def error_object(self, fault: Fault, status: int, request_id: str) -> Any:
        """Return the JSON error body for `fault`."""
        raise NotImplementedError

    def success(self, request: Request, operation: str, text: str, rng: random.Random) -> Answer:
        """Return the provider's success answer for `operation`."""
        raise NotImplementedError

    def stream_error_event(self, fault: Fault, request_id: str) -> bytes:
        """Return the event a provider sends when a stream fails after it started."""
        return sse(self.error_object(fault, 500, request_id))


class OpenAIShape(ApiShape):
    """OpenAI's API: chat completions, responses and embeddings."""

    name = "openai"
    operations = (
        ("/chat/completions", "chat"),
        ("/responses", "responses"),
        ("/embeddings", "embeddings"),
    )

    def error_object(self, fault: Fault, status: int, request_id: str) -> Any:
        """Return ``{"error": {"message", "type", "param", "code", ...}}``."""
        error: dict[str, Any] = {
            "message": fault.message,
            "type": fault.error_type or ("server_error" if status >= 500 else "invalid_request_error"),
            "param": None,
            "code": fault.code,
        }
        error.update(fault.extra)
        return {"error": error}

    def success(self, request: Request, operation: str, text: str, rng: random.Random) -> Answer:
        """Return a chat completion, a response or an embedding list the SDK parses."""
        model = self.model(request) or "gpt-4o-mini"
        usage = {"prompt_tokens": 5, "completion_tokens": _usage_words(text)}
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        if operation == "embeddings":
            body = request.json if isinstance(request.json, dict) else {}
            inputs = body.get("input", "")
            count = len(inputs) if isinstance(inputs, list) else 1
            data = [
                {"object": "embedding", "index": i, "embedding": [0.0, 0.5, 1.0]}
                for i in range(count)
            ]
            return _json_answer(
                {
                    "object": "list",
                    "data": data,
                    "model": model,
                    "usage": {"prompt_tokens": 5, "total_tokens": 5},
                }
            )
        if operation == "responses":
            return self._response(request, model, text, rng, usage)
        completion_id = "chatcmpl-" + token(rng, 24)
        if self.wants_stream(request):
            base = {"id": completion_id, "object": "chat.completion.chunk", "created": 0, "model": model}
            chunks = [
                sse({**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}),
                *(
                    sse({**base, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
                    for piece in _pieces(text)
                ),
                sse({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}),
                sse("[DONE]"),
            ]
            return Answer(
                headers=[("content-type", SSE)],
                chunks=chunks,
                content_start=1,
                content_end=1 + len(_pieces(text)),
            )
        return _json_answer(
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

    def _response(
        self, request: Request, model: str, text: str, rng: random.Random, usage: dict[str, int]
    ) -> Answer:
        response_id = "resp_" + token(rng, 32)
        message = {
            "type": "message",
            "id": "msg_" + token(rng, 32),
            "status": "completed",
            "role": "assistant",
            "content": [{"type": "output_text", "text": text, "annotations": []}],
        }
        response = {
            "id": response_id,
            "object": "response",
            "created_at": 0,
            "status": "completed",
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
        if not self.wants_stream(request):
            return _json_answer(response)
        started = {**response, "status": "in_progress", "output": [], "usage": None}
        events = [
            sse({"type": "response.created", "sequence_number": 0, "response": started}, "response.created"),
            *(
                sse(
                    {
                        "type": "response.output_text.delta",
                        "sequence_number": i + 1,
                        "item_id": message["id"],
                        "output_index": 0,
                        "content_index": 0,
                        "delta": piece,
                        "logprobs": [],
                    },
                    "response.output_text.delta",
                )
                for i, piece in enumerate(_pieces(text))
            ),
            sse(
                {"type": "response.completed", "sequence_number": len(_pieces(text)) + 1, "response": response},
                "response.completed",
            ),
        ]
        return Answer(
            headers=[("content-type", SSE)],
            chunks=events,
            content_start=1,
            content_end=1 + len(_pieces(text)),
        )


class AnthropicShape(ApiShape):
    """Anthropic's Messages API."""

    name = "anthropic"
    operations = (
        ("/v1/messages/count_tokens", "count_tokens"),
        ("/v1/messages", "messages"),
    )

    def error_object(self, fault: Fault, status: int, request_id: str) -> Any:
        """Return ``{"type": "error", "error": {"type", "message"}, "request_id"}``."""
        error: dict[str, Any] = {
            "type": fault.error_type or ("api_error" if status >= 500 else "invalid_request_error"),
            "message": fault.message,
        }
        error.update(fault.extra)
        return {"type": "error", "error": error, "request_id": request_id}

    def success(self, request: Request, operation: str, text: str, rng: random.Random) -> Answer:
        """Return a message (or a token count) the anthropic SDK parses."""
        if operation == "count_tokens":
            return _json_answer({"input_tokens": 5})
        model = self.model(request) or "claude-haiku-4-5"
        message_id = "msg_01" + token(rng, 22, "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz123456789")
        usage = {"input_tokens": 5, "output_tokens": _usage_words(text)}
        if not self.wants_stream(request):
            return _json_answer(
                {
                    "id": message_id,
                    "type": "message",
                    "role": "assistant",
                    "model": model,
                    "content": [{"type": "text", "text": text}],
                    "stop_reason": "end_turn",
                    "stop_sequence": None,
                    "usage": usage,
                }
            )
        start = {
            "id": message_id,
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": 5, "output_tokens": 1},
        }
        events = [
            sse({"type": "message_start", "message": start}, "message_start"),
            sse(
                {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
                "content_block_start",
            ),
            *(
                sse(
                    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}},
                    "content_block_delta",
                )
                for piece in _pieces(text)
            ),
            sse({"type": "content_block_stop", "index": 0}, "content_block_stop"),
            sse(
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                    "usage": {"output_tokens": usage["output_tokens"]},
                },
                "message_delta",
            ),
            sse({"type": "message_stop"}, "message_stop"),
        ]
        return Answer(
            headers=[("content-type", SSE)],
            chunks=events,
            content_start=2,
            content_end=2 + len(_pieces(text)),
        )

    def stream_error_event(self, fault: Fault, request_id: str) -> bytes:
        """Return Anthropic's ``event: error`` with the error object."""
        return sse(self.error_object(fault, 529, request_id), "error")


def _pieces(text: str) -> list[str]:
    """Split `text` into the word-sized pieces a stream delivers."""
    words = text.split(" ")
    return [w if i == len(words) - 1 else w + " " for i, w in enumerate(words)] or [""]


def _json_answer(data: Any) -> Answer:
    return Answer(headers=[("content-type", JSON)], body=dump(data))
