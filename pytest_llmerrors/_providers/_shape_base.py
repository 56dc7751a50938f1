"""What every API shape shares: the SSE encoding, JSON helpers and the `ApiShape` base.

A shape is the wire format of one API family. It renders error bodies and success answers;
for a streamed success it also says where the content chunks are (`Answer.content_start`,
`Answer.content_end`) and renders the error event the provider sends when a stream fails
after it started (`ApiShape.stream_error_event`). `Provider` does the rest: it cuts the stream
after ``after_chunks`` content chunks and ends it the way the stream fault asks (the shape's
error event, a dropped connection, or a stall), so a new shape gets every stream fault by
providing those three things.
"""

from __future__ import annotations

import json
import random
from typing import Any

from .._exchange import Answer, Request
from .._faults import Fault

JSON = "application/json"
SSE = "text/event-stream"


#: Compact JSON, as the APIs send it (``json.dumps`` with `separators` builds an encoder per
#: call: one is kept).
_COMPACT = json.JSONEncoder(separators=(",", ":"))


def dump(data: Any) -> bytes:
    """Serialize `data` as compact JSON bytes."""
    return _COMPACT.encode(data).encode()


def sse(data: Any, event: str | None = None) -> bytes:
    """Encode one server-sent event: a string as is, anything else as compact JSON."""
    payload = data if isinstance(data, str) else _COMPACT.encode(data)
    prefix = f"event: {event}\n" if event else ""
    return f"{prefix}data: {payload}\n\n".encode()


def usage_words(text: str) -> int:
    """Return a plausible output token count for `text`: its words, at least one."""
    return max(1, len(text.split()))


def pieces(text: str) -> list[str]:
    """Split `text` into the word-sized pieces a stream delivers, one per content chunk."""
    words = text.split(" ")
    return [w if i == len(words) - 1 else w + " " for i, w in enumerate(words)] or [""]


def json_answer(data: Any) -> Answer:
    """Return a 200 answer with `data` as its JSON body."""
    return Answer(headers=[("content-type", JSON)], body=dump(data))


def stream_answer(events: list[bytes], content_start: int, content_end: int) -> Answer:
    """Return a 200 SSE answer whose content chunks are ``events[content_start:content_end]``."""
    return Answer(
        headers=[("content-type", SSE)],
        events=events,
        content_start=content_start,
        content_end=content_end,
    )


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
        """Return the provider's success answer for `operation`.

        A streamed answer sets `Answer.events` (whole SSE events) and marks
        the content chunks with `Answer.content_start` / `Answer.content_end`: stream faults
        count ``after_chunks`` from `content_start` and keep the framing before it.
        """
        raise NotImplementedError

    def stream_error_event(
        self, fault: Fault, request_id: str, *, operation: str, sequence: int
    ) -> bytes:
        """Return the event a provider sends when a stream fails after it started.

        `operation` is what the request called; `sequence` counts the events sent before
        this one (for APIs that number their events). The default is the error object as
        one ``data:`` event, which is what OpenAI-style chat streams send.
        """
        status = fault.status if fault.status is not None and fault.status >= 400 else 500
        return sse(self.error_object(fault, status, request_id))
