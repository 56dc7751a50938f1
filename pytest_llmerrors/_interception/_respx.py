"""The respx adapter: httpx and httpx2 requests answered by the test's `Dispatcher`.

Patching the httpcore (or httpcore2) connection pools catches every client, including
those created before the test started. Network faults are raised as httpcore exceptions so
the client's own transport maps them to its library's exception types, as in production.

respx's public API (routes with side effects) cannot serve here: a side effect cannot
await fake latency on an async client, nor hand httpcore2 a response of its own classes.
So this module is the one place that leans on respx internals, and names them:

* `respx.mocks.HTTPCoreMocker` and its ``targets`` (subclassed per httpx generation, the
  httpcore2 one with its targets renamed, registered by name through ``Mocker.registry``);
* the classmethods ``_send_sync_request`` / ``_send_async_request`` (overridden: they
  receive the request and the pass-through target, and return the core's response).

Checked against respx 0.22.0 and 0.23.x (`RESPX_CHECKED`); CI runs the suite on both ends
of that range. Another version is refused at first use with a message naming it.
"""

from __future__ import annotations

import importlib
import time
from abc import ABC
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeGuard

import httpx
import pytest
import respx
from respx.mocks import HTTPCoreMocker, Mocker

from .._exchange import Answer, Generation, Request, StreamEnd

if TYPE_CHECKING:
    from ._dispatch import Dispatcher


class Waits(Protocol):
    """How latency and stalls wait on virtual time (the test's clock)."""

    def wait(self, seconds: float) -> None:
        """Block the calling thread for `seconds` virtual seconds."""

    async def wait_async(self, seconds: float) -> None:
        """Let `seconds` virtual seconds pass for the calling task."""


#: The respx releases whose internals this adapter was checked against.
RESPX_CHECKED = ("0.22", "0.23")
#: The respx mocker name for each httpx generation, and the core package it patches.
_CORE = {"httpx": "httpcore", "httpx2": "httpcore2"}


def _check_respx() -> None:
    version = getattr(respx, "__version__", "unknown")
    hooks = ("_send_sync_request", "_send_async_request", "from_sync_httpx_response")
    if not version.startswith(RESPX_CHECKED) or not all(hasattr(HTTPCoreMocker, h) for h in hooks):
        raise RuntimeError(
            f"pytest-llmerrors works with respx {' and '.join(RESPX_CHECKED)}, found respx "
            f"{version}. Install a checked release: pip install 'respx>=0.22,<0.24'."
        )


class _Stream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body served chunk by chunk, then ended the way the answer asks.

    ``"truncated"`` raises the core's ``RemoteProtocolError`` (the peer closed the connection
    mid-body); ``"stall"`` holds the reader for its read timeout (`Interceptor.stall`) and
    raises its ``ReadTimeout``. The client's transport maps both to its own library's
    exceptions, as it does for a real socket.
    """

    def __init__(
        self,
        chunks: list[bytes],
        core: Any,
        end: StreamEnd = "complete",
        stall: tuple[Interceptor, float | None] | None = None,
    ) -> None:
        self._chunks = chunks
        self._core = core
        self._end = end
        self._stall = stall

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks
        if self._end == "stall" and self._stall is not None:
            self._stall[0].stall(self._stall[1])
        self._finish()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk
        if self._end == "stall" and self._stall is not None:
            await self._stall[0].stall_async(self._stall[1])
        self._finish()

    def _finish(self) -> None:
        if self._end == "truncated":
            raise self._core.RemoteProtocolError(
                "peer closed connection without sending complete message body "
                "(injected by pytest-llmerrors: stream_truncated)"
            )
        if self._end == "stall":
            raise self._core.ReadTimeout(
                "The read operation timed out (injected by pytest-llmerrors: stream_stall)"
            )


_NETWORK_EXCEPTIONS = {
    "connect_error": ("ConnectError", "[Errno 111] Connection refused"),
    "connect_timeout": ("ConnectTimeout", "timed out while connecting"),
    "read_timeout": ("ReadTimeout", "The read operation timed out"),
}


class _LLMErrorsMocker(HTTPCoreMocker, ABC):
    """Base of the two mockers: answers from the active `Interceptor`, or passes through."""

    generation: ClassVar[Generation]
    core_name: ClassVar[str]
    interceptor: ClassVar[Interceptor | None] = None

    @classmethod
    def core(cls) -> Any:
        """Return the httpcore module, looked up now: a test run may have re-imported it."""
        return importlib.import_module(cls.core_name)

    @classmethod
    def from_sync_httpx_response(cls, httpx_response: Any, target: Any, **kwargs: Any) -> Any:
        return cls.core().Response(
            status=httpx_response.status_code,
            headers=httpx_response.headers.raw,
            content=httpx_response.stream,
            extensions=httpx_response.extensions,
        )

    @classmethod
    def _plan(cls, httpx_request: httpx.Request) -> Answer | None:
        interceptor = cls.interceptor
        if interceptor is None:
            return None
        timeout = httpx_request.extensions.get("timeout") or {}
        request = Request(
            method=httpx_request.method,
            url=str(httpx_request.url),
            headers=dict(httpx_request.headers),
            body=httpx_request.content,
            generation=cls.generation,
            timeouts=dict(timeout),
        )
        return interceptor.answer(request)

    @classmethod
    def _respond(cls, answer: Answer) -> Any:
        if answer.network is not None:
            name, message = _NETWORK_EXCEPTIONS[answer.network]
            raise getattr(cls.core(), name)(f"{message} (injected by pytest-llmerrors)")
        if answer.events is not None:
            stall = (cls.interceptor, answer.stall) if cls.interceptor is not None else None
            stream: Any = _Stream(answer.events, cls.core(), answer.stream_end, stall)
        else:
            stream = _Stream([answer.body], cls.core())
        return cls.core().Response(
            status=answer.status, headers=answer.headers, content=stream, extensions={}
        )

    @classmethod
    def _send_sync_request(
        cls, httpx_request: Any, *, target_spec: Any, instance: Any, **kwargs: Any
    ) -> Any:
        answer = cls._plan(httpx_request)
        if answer is None:
            return target_spec(instance, **kwargs)
        assert cls.interceptor is not None
        cls.interceptor.wait(answer.delay)
        return cls._respond(answer)

    @classmethod
    async def _send_async_request(
        cls, httpx_request: Any, *, target_spec: Any, instance: Any, **kwargs: Any
    ) -> Any:
        answer = cls._plan(httpx_request)
        if answer is None:
            return await target_spec(instance, **kwargs)
        assert cls.interceptor is not None
        await cls.interceptor.async_wait(answer.delay)
        return cls._respond(answer)


#: The mocker class of each generation, defined on first use.
_MOCKERS: dict[Generation, type[_LLMErrorsMocker]] = {}


def _mocker_for(generation: Generation) -> type[_LLMErrorsMocker] | None:
    """Return the mocker class of `generation`, defining it on first use; ``None`` if absent."""
    if generation in _MOCKERS:
        return _MOCKERS[generation]
    core_name = _CORE[generation]
    try:
        importlib.import_module(core_name)
        importlib.import_module(generation)
    except ImportError:
        return None
    # respx registers mockers by name for good. A fresh import of this module (pytester runs
    # in-process, then forgets the modules it loaded) must not reuse the class it defined.
    name, number = f"llmerrors_{core_name}", 1
    while name in Mocker.registry:
        number += 1
        name = f"llmerrors_{core_name}_{number}"
    targets = [t.replace("httpcore.", f"{core_name}.", 1) for t in HTTPCoreMocker.targets]
    _MOCKERS[generation] = type(
        f"LLMErrors{core_name.capitalize()}Mocker",
        (_LLMErrorsMocker,),
        {"name": name, "targets": targets, "generation": generation, "core_name": core_name},
    )
    return _MOCKERS[generation]


class Interceptor:
    """Answers every httpx and httpx2 request while started, through `dispatcher`.

    A request no profile serves fails the test when `block_network` is on, and goes through
    to the network otherwise. Latency and stalls wait on `clock` (virtual time); without one
    latency is really slept and a stall times out at once.
    """

    def __init__(
        self,
        dispatcher: Dispatcher,
        *,
        block_network: bool,
        clock: Waits | None,
    ) -> None:
        self.dispatcher = dispatcher
        self.block_network = block_network
        self._clock = clock
        self._routers: list[tuple[type[_LLMErrorsMocker], respx.MockRouter]] = []

    def answer(self, request: Request) -> Answer | None:
        """Return the answer to `request`, ``None`` to let it through, or fail the test."""
        answer = self.dispatcher.handle(request)
        if answer is None and self.block_network:
            pytest.fail(self.dispatcher.blocked(request), pytrace=False)
        return answer

    def wait(self, seconds: float) -> None:
        """Let `seconds` of latency pass for the calling thread, on virtual time if any."""
        if seconds <= 0:
            return
        if self._clock is not None:
            self._clock.wait(seconds)
        else:
            time.sleep(seconds)

    async def async_wait(self, seconds: float) -> None:
        """Let `seconds` of latency pass for the calling task, without blocking its loop."""
        if seconds <= 0:
            return
        if self._clock is not None:
            await self._clock.wait_async(seconds)
        else:
            import anyio

            await anyio.sleep(seconds)

    def stall(self, seconds: float | None) -> None:
        """Let a stalled stream hold its reader for `seconds`, its read timeout.

        On virtual time the reader waits that long, taking no real time; on real time
        nothing waits (as for ``read_timeout``): the timeout is raised straight away.
        ``None`` means the client has no read timeout and would wait forever: the test
        fails, naming the fix.
        """
        if self._has_timeout(seconds) and self._clock is not None:
            self._clock.wait(seconds)

    async def stall_async(self, seconds: float | None) -> None:
        """`stall`, for a stream read by a task."""
        if self._has_timeout(seconds) and self._clock is not None:
            await self._clock.wait_async(seconds)

    def _has_timeout(self, seconds: float | None) -> TypeGuard[float]:
        """Return True for a read timeout; fail the test for ``None`` (none: a hang)."""
        if seconds is None:
            pytest.fail(
                "pytest-llmerrors: stream_stall on a client with no read timeout. The stream "
                "went silent, and a client without a read timeout waits for the next chunk "
                "forever: in production this call would hang. Give the client a read timeout "
                "(openai.OpenAI(timeout=60.0), anthropic.Anthropic(timeout=60.0), "
                "httpx.Client(timeout=httpx.Timeout(10.0, read=60.0))); the stall then raises "
                "the library's ReadTimeout after that many fake seconds.",
                pytrace=False,
            )
        return True

    def start(self) -> None:
        """Patch the connection pools of every installed generation."""
        if self._routers:
            raise RuntimeError("This interceptor is already started.")
        _check_respx()
        generations: tuple[Generation, ...] = ("httpx", "httpx2")
        for generation in generations:
            mocker = _mocker_for(generation)
            if mocker is None:
                continue
            if mocker.interceptor is not None:
                raise RuntimeError(
                    "Another pytest-llmerrors interceptor is active: one test at a time per "
                    "process (pytest-xdist runs tests in separate processes)."
                )
            router = respx.MockRouter(using=mocker.name, assert_all_called=False)
            mocker.interceptor = self
            router.start()
            self._routers.append((mocker, router))

    def stop(self) -> None:
        """Undo every patch; safe to call twice."""
        while self._routers:
            mocker, router = self._routers.pop()
            try:
                router.stop(quiet=True)
            finally:
                mocker.interceptor = None
