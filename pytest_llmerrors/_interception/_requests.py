"""The requests adapter: ``requests`` calls answered by the running test's dispatcher.

Built on ``responses``, the library made for mocking ``requests``: one ``RequestsMock`` is
started once per session (it patches ``HTTPAdapter.send``, so every ``Session`` and
``requests.post`` is caught) and switched per test through `_interceptor.active()`. Its one
callback matches only what the running test serves; anything else passes through to the
real adapter, where the network guard decides.

Network faults are raised as requests' own exceptions (``ConnectionError``,
``ConnectTimeout``, ``ReadTimeout``); a stream cut short raises urllib3's
``IncompleteRead``, which requests turns into ``ChunkedEncodingError``, and a stalled one a
socket timeout, which it turns into ``ConnectionError(ReadTimeoutError)``, as for a real
socket. ``responses`` replays urllib3's ``Retry`` (a ``max_retries`` adapter) without its
waits: the adapter waits as urllib3 would (its backoff, or the ``Retry-After`` it honours)
before each replayed retry, on the test's clock.
"""

from __future__ import annotations

import http.client
import io
import re
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import requests
import responses

from .._exchange import Answer, Request
from . import _interceptor

if TYPE_CHECKING:
    from ._interceptor import Interceptor

_NETWORK_EXCEPTIONS: dict[str, tuple[type[requests.RequestException], str]] = {
    "connect_error": (
        requests.exceptions.ConnectionError,
        "Failed to establish a new connection: [Errno 111] Connection refused",
    ),
    "connect_timeout": (requests.exceptions.ConnectTimeout, "Connection timed out"),
    "read_timeout": (requests.exceptions.ReadTimeout, "Read timed out"),
}
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
#: Headers the served body sets itself (its length), not copied from the planned answer.
_FRAMING = {"content-length", "transfer-encoding"}


class _Body(io.RawIOBase):
    """A streamed body read chunk by chunk, then ended the way the answer asks."""

    def __init__(self, answer: Answer, interceptor: Interceptor) -> None:
        super().__init__()
        self._chunks: Iterator[bytes] = iter(answer.events or [answer.body])
        self._answer = answer
        self._interceptor = interceptor
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self._pending:
            self._pending = next(self._chunks, b"")
            if not self._pending:
                self._end()
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def _end(self) -> None:
        if self._answer.stream_end == "truncated":
            # urllib3: "Connection broken: IncompleteRead", requests' ChunkedEncodingError.
            raise http.client.IncompleteRead(b"", 1)
        if self._answer.stream_end == "stall":
            self._interceptor.stall(self._answer.stall)
            raise TimeoutError("The read operation timed out (injected by pytest-llmerrors)")


def _answer(request: Any) -> Any:
    """The callback: the running test's answer to `request` (matched by `_served`)."""
    interceptor, answer = request._llmerrors
    interceptor.wait(answer.delay)
    if answer.network is not None:
        cls, message = _NETWORK_EXCEPTIONS[answer.network]
        return cls(f"{message} (injected by pytest-llmerrors)", request=request)
    headers = [(k, v) for k, v in answer.headers if k.lower() not in _FRAMING]
    if answer.events is None:
        return (answer.status, headers, answer.body)
    return (answer.status, headers, io.BufferedReader(_Body(answer, interceptor)))


def _served(request: Any) -> tuple[bool, str]:
    """The matcher: plan the running test's answer; no match (pass through) when it has none."""
    interceptor = _interceptor.active()
    if interceptor is None:
        return False, "no pytest-llmerrors test is running"
    answer = interceptor.answer(_request(request))
    if answer is None:
        return False, "not served by the test's providers"
    request._llmerrors = (interceptor, answer)
    return True, ""


def _request(request: Any) -> Request:
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    timeout = (getattr(request, "req_kwargs", None) or {}).get("timeout")
    if isinstance(timeout, tuple):
        connect, read = timeout
    elif timeout is None or isinstance(timeout, (int, float)):
        connect = read = timeout
    else:  # urllib3's Timeout, which requests also takes
        connect = getattr(timeout, "connect_timeout", None)
        read = getattr(timeout, "read_timeout", None)
    return Request(
        method=request.method or "GET",
        url=request.url or "",
        headers={k: v if isinstance(v, str) else v.decode() for k, v in request.headers.items()},
        body=body if isinstance(body, bytes) else b"",
        generation="requests",
        timeouts={"connect": _seconds(connect), "read": _seconds(read)},
    )


def _seconds(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


class _Mock(responses.RequestsMock):
    """``responses``, with urllib3's waits between the retries it replays."""

    def __init__(self) -> None:
        super().__init__(assert_all_requests_are_fired=False, response_callback=self._seen)
        self._last = threading.local()

    def _seen(self, response: Any) -> Any:
        self._last.raw = response.raw
        return response

    def _on_request(self, adapter: Any, request: Any, *, retries: Any = None, **kw: Any) -> Any:
        if retries is None:
            # Nobody reads this mock's call log: keep it from growing over the session.
            self.calls.reset()
            for response in self.registered():
                response.calls.reset()
        elif retries.history and _interceptor.active() is not None:
            # A replayed urllib3 retry: wait its backoff or the Retry-After it honours.
            retries.sleep(getattr(self._last, "raw", None))
        return super()._on_request(adapter, request, retries=retries, **kw)


_mock: _Mock | None = None


def install() -> None:
    """Start the session's ``RequestsMock`` once: one callback for every method and URL."""
    global _mock
    if _mock is not None:
        return
    mock = _Mock()
    anything = re.compile(r".*")
    for method in _METHODS:
        mock.add_callback(method, anything, callback=_answer, match=[_served])
    mock.add_passthru(anything)
    mock.start()
    _mock = mock


def uninstall() -> None:
    """Stop the session's ``RequestsMock``: ``HTTPAdapter.send`` is requests' own again."""
    global _mock
    if _mock is not None:
        _mock.stop(allow_assert=False)
        _mock.reset()
        _mock = None
