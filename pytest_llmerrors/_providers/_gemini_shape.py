"""Google's Gemini API shape: ``models/{model}:generateContent`` and its SSE stream.

Errors are Google's ``{"error": {"code", "message", "status", "details"}}``, where
``status`` is the gRPC status name and a reason code travels in a ``google.rpc.ErrorInfo``
detail. google-genai raises ``ClientError`` (4xx) or ``ServerError`` (5xx) with ``.code``.
"""

from __future__ import annotations

import json
import random
from typing import Any

from .._exchange import Answer, Request
from .._faults import Fault
from ._ids import ALNUM, token
from ._shape_base import ApiShape, json_answer, pieces, sse, stream_answer
from ._structured import json_pieces, json_text, tool_arguments, wanted

#: The gRPC status Google's front end pairs with each HTTP status.
_GRPC_BY_HTTP = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
GRPC_STATUSES = frozenset(
    {*_GRPC_BY_HTTP.values(), "FAILED_PRECONDITION", "OUT_OF_RANGE", "DATA_LOSS", "UNKNOWN"}
)
_ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"


def grpc_status(status: int) -> str:
    """Return the gRPC status name Google sends with HTTP `status`."""
    if status in _GRPC_BY_HTTP:
        return _GRPC_BY_HTTP[status]
    return "FAILED_PRECONDITION" if status < 500 else "UNAVAILABLE"


class GeminiShape(ApiShape):
    """The Gemini API (``generativelanguage.googleapis.com``, and routers that mirror it)."""

    name = "gemini"
    operations = (
        (":streamGenerateContent", "stream"),
        (":generateContent", "generate"),
        (":countTokens", "count_tokens"),
        (":embedContent", "embed"),
    )

    def __init__(self, domain: str = "googleapis.com") -> None:
        #: The ``domain`` of the ErrorInfo detail that carries a reason code.
        self.domain = domain

    def model(self, request: Request) -> str | None:
        """Return the model named in the path (``.../models/{model}:method``)."""
        _, found, tail = request.path.rpartition("/models/")
        return tail.split(":", 1)[0] if found else None

    def wants_stream(self, request: Request) -> bool:
        """Whether the request called ``:streamGenerateContent``."""
        return request.path.rstrip("/").endswith(":streamGenerateContent")

    def error_object(self, fault: Fault, status: int, request_id: str) -> Any:
        """Return ``{"error": {"code", "message", "status", "details"?}}``.

        A gRPC name in ``error_type`` is the ``status``; any other ``error_type`` or a
        ``code`` is the ErrorInfo ``reason`` (how Google says ``API_KEY_INVALID``).
        """
        named = fault.error_type if fault.error_type in GRPC_STATUSES else None
        error: dict[str, Any] = {
            "code": status,
            "message": fault.message,
            "status": named or grpc_status(status),
        }
        details = list(fault.extra.get("details", ()))
        reason = fault.code or (fault.error_type if named is None else None)
        if reason:
            info = {"@type": _ERROR_INFO, "reason": reason, "domain": self.domain}
            details.insert(0, info)
        if details:
            error["details"] = details
        error.update({k: v for k, v in fault.extra.items() if k != "details"})
        return {"error": error}

    def success(self, request: Request, operation: str, text: str, rng: random.Random) -> Answer:
        """Return a GenerateContentResponse (streamed as SSE chunks), a count or an embedding."""
        if operation == "count_tokens":
            return json_answer({"totalTokens": 5})
        if operation == "embed":
            return json_answer({"embedding": {"values": [0.0, 0.5, 1.0]}})
        model = self.model(request) or "gemini-2.5-flash"
        response_id = token(rng, 22, ALNUM)
        forced = wanted(self.name, request.json)
        call: dict[str, Any] | None = None
        if forced is not None and forced.tool:
            # Gemini sends a function call whole, in one part (and one chunk of a stream).
            arguments = json.loads(tool_arguments(text, forced.schema))
            call = {"functionCall": {"name": forced.name, "args": arguments}}
            text = ""
        elif forced is not None:
            text = json_text(text, forced.schema)
        parts = json_pieces(text) if forced is not None else pieces(text)
        usage = {"promptTokenCount": 5, "candidatesTokenCount": len(parts)}
        usage["totalTokenCount"] = usage["promptTokenCount"] + usage["candidatesTokenCount"]

        def chunk(piece: str, last: bool) -> dict[str, Any]:
            candidate: dict[str, Any] = {
                "content": {"parts": [call or {"text": piece}], "role": "model"},
                "index": 0,
            }
            if last:
                candidate["finishReason"] = "STOP"
            return {
                "candidates": [candidate],
                "usageMetadata": usage if last else {"promptTokenCount": 5},
                "modelVersion": model,
                "responseId": response_id,
            }

        if operation == "generate":
            return json_answer(chunk(text, True))
        chunks = [sse(chunk(p, i == len(parts) - 1)) for i, p in enumerate(parts)]
        return stream_answer(chunks, 0, len(chunks))
