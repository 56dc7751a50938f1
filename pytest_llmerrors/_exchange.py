"""What crosses the transport: a request as the plugin sees it, and the answer it plans.

Both are independent of respx and of the httpx generation, so the same answers can be
served by another front end (a loopback server) later.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from . import _redact

#: The client library a request came through.
Generation = Literal["httpx", "httpx2", "aiohttp", "requests"]
#: How a streamed answer ends (see `Answer.stream_end`).
StreamEnd = Literal["complete", "truncated", "stall"]


@dataclass(frozen=True)
class Request:
    """One HTTP request from the code under test."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes = b""
    generation: Generation = "httpx"
    #: The client's timeouts, as httpcore passes them (``connect``, ``read``, ...).
    timeouts: Mapping[str, float | None] = field(default_factory=dict)

    def __repr__(self) -> str:
        # Secrets masked: a request shows up in tracebacks with locals (``pytest -l``).
        return (
            f"Request(method={self.method!r}, url={_redact.url(self.url)!r}, "
            f"headers={_redact.headers(self.headers)!r}, body=<{len(self.body)} bytes>, "
            f"generation={self.generation!r})"
        )

    @functools.cached_property
    def host(self) -> str:
        """The host name the request was sent to."""
        return urlsplit(self.url).hostname or ""

    @functools.cached_property
    def path(self) -> str:
        """The URL path, without the query (read a few times per request: kept)."""
        return urlsplit(self.url).path

    @functools.cached_property
    def json(self) -> Any:
        """The body parsed as JSON, or ``None`` when it is not JSON (parsed once)."""
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return None


@dataclass
class Answer:
    """What the transport sends back (or raises) for one request."""

    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    #: For a streamed answer: the body as whole SSE events, sent one by one.
    events: list[bytes] | None = None
    #: A network fault the client library raises instead of a response.
    network: str | None = None
    #: How a streamed answer ends: ``"complete"`` after its last chunk, ``"truncated"`` by
    #: dropping the connection, ``"stall"`` by sending nothing more until the client's read
    #: timeout fires.
    stream_end: StreamEnd = "complete"
    #: For a ``"stall"``: seconds until the client gives up (its read timeout); ``None`` when
    #: the client has no read timeout and would wait forever.
    stall: float | None = None
    #: Fake seconds of latency before the answer.
    delay: float = 0.0
    #: Which `events` carry content (the rest is framing): stream faults count
    #: ``after_chunks`` content chunks from `content_start`; ``None`` means up to the end.
    content_start: int = 0
    content_end: int | None = None
    #: Content chunks delivered before a stream fault, ``None`` when nothing broke (what
    #: `Attempt.chunks` records).
    chunks: int | None = None

    @property
    def stall_seconds(self) -> float:
        """Return the seconds a stalled stream holds the client (0 when it does not stall)."""
        return (self.stall or 0.0) if self.stream_end == "stall" else 0.0

    def header(self, name: str) -> str | None:
        """Return the first value of header `name` (case-insensitive), or ``None``."""
        return header(self.headers, name)


class LowerHeaders(dict[str, str]):
    """Request headers whose names are all lower-case (the httpx adapter's): a miss is a miss.

    `header` looks a name up once in these, where another mapping's names are compared one
    by one when the lower-case name is not among them.
    """

    __slots__ = ()


def header(headers: Mapping[str, str] | Iterable[tuple[str, str]], name: str) -> str | None:
    """Return the first value of header `name` in `headers`, case-insensitively, or ``None``."""
    lowered = name.lower()
    if type(headers) is LowerHeaders:
        return headers.get(lowered)
    if type(headers) is dict or isinstance(headers, Mapping):  # a dict: no ABC check
        value = headers.get(lowered)  # the clients' names are mostly lower-case already
        if value is not None:
            return value
        pairs: Iterable[tuple[str, str]] = headers.items()
    else:
        pairs = headers
    size = len(lowered)
    for key, value in pairs:
        # Most names differ in length: no lower-case copy of each (a miss scans them all).
        if len(key) == size and key.lower() == lowered:
            return value
    return None


def retry_count(headers: Mapping[str, str]) -> int | None:
    """Return the SDK's retry counter in `headers` (``x-stainless-retry-count``), if sent.

    The openai and anthropic SDKs send it on every attempt: 0 on a new call, n on its n-th
    retry.
    """
    value = header(headers, "x-stainless-retry-count")
    return int(value) if value is not None and value.strip().isdigit() else None
