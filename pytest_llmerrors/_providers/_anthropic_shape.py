"""Anthropic's API shape: the Messages API and token counting.

A stream follows the documented event flow the anthropic SDK (0.x to 2.x) parses:
``message_start``, ``content_block_start``, ``ping``, one ``content_block_delta`` per piece of
text, ``content_block_stop``, ``message_delta`` (stop reason and usage), ``message_stop``.
A stream that fails mid-flight sends ``event: error`` with the error object, as Anthropic
documents for ``overloaded_error``; the SDK raises ``anthropic.APIStatusError`` (status 200,
the event as ``body``, the stream's ``request-id`` header as ``request_id``).

Routers that serve Anthropic's path render their rows with `RouterAnthropicShape`.
"""

from __future__ import annotations

import json
import random
from typing import Any

from .._exchange import Answer, Request
from .._faults import Fault
from ._ids import BASE58, token
from ._shape_base import ApiShape, json_answer, pieces, sse, stream_answer, usage_words
from ._structured import json_pieces, json_text, tool_arguments, wanted


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

    def stream_error_event(
        self, fault: Fault, request_id: str, *, operation: str, sequence: int
    ) -> bytes:
        """Return Anthropic's ``event: error``, shaped as its streaming docs show it."""
        event = self.error_object(fault, 529, request_id)
        del event["request_id"]  # the stream's request-id header carries it
        return sse(event, "error")

    def success(self, request: Request, operation: str, text: str, rng: random.Random) -> Answer:
        """Return a message (or a token count) the anthropic SDK parses."""
        if operation == "count_tokens":
            return json_answer({"input_tokens": 5})
        model = self.model(request) or "claude-haiku-4-5"
        message_id = "msg_01" + token(rng, 22, BASE58)
        forced = wanted(self.name, request.json)
        block: dict[str, Any] = {"type": "text", "text": text}
        if forced is not None and forced.tool:
            # A forced tool: a tool_use block whose input is the arguments.
            text = tool_arguments(text, forced.schema)
            tool_id = "toolu_01" + token(rng, 22, BASE58)
            block = {"type": "tool_use", "id": tool_id, "name": forced.name, "input": {}}
        elif forced is not None:
            text = json_text(text, forced.schema)
            block = {"type": "text", "text": text}
        usage = {"input_tokens": 5, "output_tokens": usage_words(text)}
        if not self.wants_stream(request):
            stop = "end_turn"
            if block["type"] == "tool_use":
                block = {**block, "input": json.loads(text)}
                stop = "tool_use"
            return json_answer(
                {
                    "id": message_id,
                    "type": "message",
                    "role": "assistant",
                    "model": model,
                    "content": [block],
                    "stop_reason": stop,
                    "stop_sequence": None,
                    "usage": usage,
                }
            )
        return _message_stream(message_id, model, text, usage, block, forced is not None)


#: The error type Anthropic pairs with each status, for rows that leave it unset (any other
#: status gets `AnthropicShape`'s default).
_TYPES_BY_STATUS = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    504: "timeout_error",
    529: "overloaded_error",
}


class RouterAnthropicShape(AnthropicShape):
    """Anthropic's error shape as a router serves it: the type follows the status.

    A router's row renders in OpenAI's shape on one path and Anthropic's on another, so a
    row leaves ``error_type`` unset and each shape spells the type its SDK users expect.
    """

    def error_object(self, fault: Fault, status: int, request_id: str) -> Any:
        """Return Anthropic's error body, its ``type`` derived from `status` when unset."""
        if fault.error_type is None and status in _TYPES_BY_STATUS:
            fault = fault.replace(error_type=_TYPES_BY_STATUS[status])
        return super().error_object(fault, status, request_id)


def _message_stream(
    message_id: str,
    model: str,
    text: str,
    usage: dict[str, int],
    block: dict[str, Any] | None = None,
    structured: bool = False,
) -> Answer:
    """Return the event flow; a tool_use block streams its input as ``input_json_delta``."""
    start: dict[str, Any] = {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {
            "input_tokens": usage["input_tokens"],
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": 1,
            "service_tier": "standard",
        },
    }
    parts = json_pieces(text) if structured else pieces(text)
    opening: dict[str, Any] = {"type": "text", "text": ""}
    deltas = [{"type": "text_delta", "text": p} for p in parts]
    stop = "end_turn"
    if block is not None and block["type"] == "tool_use":
        opening, stop = block, "tool_use"
        deltas = [{"type": "input_json_delta", "partial_json": p} for p in parts]
    bodies: list[dict[str, Any]] = [
        {"type": "message_start", "message": start},
        {"type": "content_block_start", "index": 0, "content_block": opening},
        {"type": "ping"},
        *({"type": "content_block_delta", "index": 0, "delta": d} for d in deltas),
        {"type": "content_block_stop", "index": 0},
        {
            "type": "message_delta",
            "delta": {"stop_reason": stop, "stop_sequence": None},
            "usage": {"output_tokens": usage["output_tokens"]},
        },
        {"type": "message_stop"},
    ]
    events = [sse(body, body["type"]) for body in bodies]
    return stream_answer(events, 3, 3 + len(parts))
