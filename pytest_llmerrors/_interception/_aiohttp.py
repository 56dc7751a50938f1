"""The aiohttp adapter: ``aiohttp.ClientSession`` requests answered by the running test.

aiohttp is caught below its client, where a connection is opened: the plugin's
``TCPConnector._create_connection`` hands the session a connection to an in-process peer
that speaks HTTP/1.1 back (the planned answer as bytes: status line, headers, the body or
its SSE events in chunks). Everything above that is aiohttp's own code, the response parser,
``raise_for_status``, its read timeouts and its errors, so what the client sees is what it
sees in production. Installed once per session, switched per test through
`_interceptor.active()`; between tests, or for what the test does not serve, the connector's
own method runs (where the network guard decides).

Why not ``aioresponses``: it builds ``ClientResponse`` objects itself and breaks whenever
their constructor changes (0.7.9 fails on aiohttp 3.14, which added ``stream_writer``).
This adapter relies on less: ``TCPConnector._create_connection`` (same signature since
aiohttp 3.0), ``ResponseHandler(loop)`` and the asyncio transport interface.

Network faults are aiohttp's own exceptions: ``ClientConnectorError`` (connection refused),
``ConnectionTimeoutError`` and ``SocketTimeoutError`` (both ``ServerTimeoutError``); a
stream cut short ends the connection mid-body, which aiohttp reports as
``ClientPayloadError``, and a stalled one times out as aiohttp's read timeout does (a
session with a ``total`` timeout only gets aiohttp's own ``TimeoutError`` from it).
"""

from __future__ import annotations

import asyncio
import http
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp.client_proto import ResponseHandler

from .._exchange import Answer, Request
from . import _interceptor

if TYPE_CHECKING:
    from ._interceptor import Interceptor

#: Headers the served body sets itself (its framing), not copied from the planned answer.
_FRAMING = {"content-length", "transfer-encoding", "connection"}

_original: Callable[..., Any] | None = None


async def _create_connection(self: Any, req: Any, traces: Any, timeout: Any) -> Any:
    """``TCPConnector._create_connection``: a served peer while a test serves `req`."""
    assert _original is not None
    interceptor = _interceptor.active()
    if interceptor is None:
        return await _original(self, req, traces, timeout)
    answer = interceptor.answer(await _request(req, timeout))
    if answer is None:
        return await _original(self, req, traces, timeout)
    if answer.network in ("connect_error", "connect_timeout"):
        await interceptor.async_wait(answer.delay)
        if answer.network == "connect_timeout":
            raise aiohttp.ConnectionTimeoutError(
                f"Connection timeout to host {req.url} (injected by pytest-llmerrors)"
            )
        error = ConnectionRefusedError(111, "Connect call failed (injected by pytest-llmerrors)")
        raise aiohttp.ClientConnectorError(req.connection_key, error)
    loop = asyncio.get_running_loop()
    protocol = ResponseHandler(loop)
    # With a total timeout only, aiohttp's own timer ends a silent answer (TimeoutError).
    total_only = timeout.sock_read is None and timeout.total is not None
    protocol.connection_made(_Peer(loop, protocol, answer, interceptor, total_only))
    return protocol


async def _request(req: Any, timeout: Any) -> Request:
    body = b""
    payload = req.body
    if isinstance(payload, aiohttp.payload.BytesPayload):  # json=, data=bytes/str
        as_bytes = getattr(payload, "as_bytes", None)  # aiohttp >= 3.12
        body = await as_bytes() if as_bytes is not None else bytes(payload._value)
    read = timeout.sock_read or timeout.total
    connect = timeout.sock_connect or timeout.connect or timeout.total
    return Request(
        method=req.method,
        url=str(req.url),
        headers=dict(req.headers),
        body=body,
        generation="aiohttp",
        timeouts={"connect": connect, "read": read},
    )


class _Peer(asyncio.Transport):
    """The served end of a connection: it answers once the request is written, then closes."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        protocol: ResponseHandler,
        answer: Answer,
        interceptor: Interceptor,
        total_only: bool = False,
    ) -> None:
        super().__init__()
        self._total_only = total_only
        self._loop = loop
        self._protocol = protocol
        self._answer = answer
        self._interceptor = interceptor
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    # What aiohttp's writer and reader ask of a transport.
    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._task is None and not self._closing:
            self._task = self._loop.create_task(self._serve())

    def writelines(self, list_of_data: Any) -> None:
        self.write(b"".join(list_of_data))

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        if self._closing:
            return
        self._closing = True
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._loop.call_soon(self._protocol.connection_lost, None)

    def abort(self) -> None:
        self.close()

    def can_write_eof(self) -> bool:
        return False

    def is_reading(self) -> bool:
        return not self._closing

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def get_write_buffer_size(self) -> int:
        return 0

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        pass

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default

    async def _serve(self) -> None:
        answer, interceptor = self._answer, self._interceptor
        await interceptor.async_wait(answer.delay)
        if answer.network is not None:  # read_timeout: the client's own read timeout fired
            self._time_out()
            return
        feed = self._protocol.data_received
        headers = [(k, v) for k, v in answer.headers if k.lower() not in _FRAMING]
        if answer.events is None:
            headers.append(("Content-Length", str(len(answer.body))))
            feed(_head(answer.status, headers) + answer.body)
            self.close()
            return
        headers.append(("Transfer-Encoding", "chunked"))
        feed(_head(answer.status, headers))
        for event in answer.events:
            if event:
                feed(b"%x\r\n%s\r\n" % (len(event), event))
            await asyncio.sleep(0)  # the reader sees the stream arrive in pieces
        if answer.stream_end == "truncated":  # the peer drops the connection mid-body
            self.close()
            return
        if answer.stream_end == "stall":
            await interceptor.stall_async(answer.stall)
            self._time_out()
            return
        feed(b"0\r\n\r\n")
        self.close()

    def _time_out(self) -> None:
        # What aiohttp does when its read timer fires (SocketTimeoutError on the response
        # and its body); the timer itself would fire at the same virtual moment. A client
        # with a total timeout only has no read timer: its total one fires now, in aiohttp.
        if self._total_only:
            return
        on_read_timeout = getattr(self._protocol, "_on_read_timeout", None)
        if on_read_timeout is not None:
            on_read_timeout()
        else:  # pragma: no cover - older aiohttp
            self._protocol.set_exception(aiohttp.ServerTimeoutError("Timeout on reading data"))


def _head(status: int, headers: list[tuple[str, str]]) -> bytes:
    try:
        reason = http.HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    lines = [f"HTTP/1.1 {status} {reason}"] + [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def install() -> None:
    """Patch ``TCPConnector._create_connection`` once for the session."""
    global _original
    if _original is None:
        _original = aiohttp.TCPConnector._create_connection
        aiohttp.TCPConnector._create_connection = _create_connection  # type: ignore[method-assign]


def uninstall() -> None:
    """Give ``TCPConnector`` its own ``_create_connection`` back."""
    global _original
    if _original is not None:
        aiohttp.TCPConnector._create_connection = _original  # type: ignore[method-assign]
        _original = None
