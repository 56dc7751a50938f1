"""The respx adapter: httpx and httpx2 requests answered by the running test's dispatcher.

Patching the httpcore (or httpcore2) connection pools catches every client, including
those created before the test started. Network faults are raised as httpcore exceptions so
the client's own transport maps them to its library's exception types, as in production.

The plugin answers through one respx router per httpx generation, `_PluginRouter`, started
once per session and switched per test (`Interceptor.start` points it at the test's
dispatcher): for httpx it is a router of respx's own ``httpcore`` mocker, the one
``respx.mock`` and the ``respx_mock`` fixture use, so a user's routes and the plugin's live
side by side in either order of starting. The plugin's router stays first and steps aside
(`AllMockedAssertionError`, respx's "not mine") for a request a user's route matches;
whatever nobody serves goes to the network (`PassThrough`) when no test is running or
``block_network`` is off. For httpx2 it is a mocker of its own for httpcore2.

What this leans on in respx, checked on 0.22.0 and 0.23.x (`RESPX_CHECKED`, enforced at
first use; CI runs both ends): ``MockRouter`` with its ``handler`` / ``async_handler``
overridden, ``Mocker.routers``, ``HTTPCoreMocker`` (its ``targets``, renamed for httpcore2,
and ``from_sync_httpx_response``), ``Route.pattern``, and respx's two exceptions.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol, TypeGuard

import httpx
import pytest
import respx
from respx.mocks import HTTPCoreMocker, Mocker
from respx.models import AllMockedAssertionError, PassThrough

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


def _from_httpx_response_httpcore2(
    cls: Any, /, httpx_response: Any, target: Any, **kwargs: Any
) -> Any:
    import httpcore2

    return httpcore2.Response(
        status=httpx_response.status_code,
        headers=httpx_response.headers.raw,
        content=httpx_response.stream,
        extensions=httpx_response.extensions,
    )


def _httpcore2_mocker() -> type[Mocker]:
    """Define respx's httpcore mocker pointed at httpcore2's connection pools.

    respx registers mockers by name for good, and a fresh import of this module (pytester
    runs in-process, then forgets the modules it loaded) must not reuse a name.
    """
    name, number = "llmerrors_httpcore2", 1
    while name in Mocker.registry:
        number += 1
        name = f"llmerrors_httpcore2_{number}"
    return type(
        "LLMErrorsHttpcore2Mocker",
        (HTTPCoreMocker,),
        {
            "name": name,
            "targets": [t.replace("httpcore.", "httpcore2.", 1) for t in HTTPCoreMocker.targets],
            "from_sync_httpx_response": classmethod(_from_httpx_response_httpcore2),
        },
    )


#: The interceptor of the running test, which every `_PluginRouter` answers for.
_active: Interceptor | None = None


class _PluginRouter(respx.MockRouter):
    """The plugin's router in a respx mocker: answers for the running test, or steps aside."""

    def __init__(self, mocker: type[Mocker], generation: Generation) -> None:
        super().__init__(using=mocker.name, assert_all_called=False)
        self.mocker = mocker
        self.generation: Generation = generation
        self.core_name = _CORE[generation]

    def core(self) -> Any:
        """Return the httpcore module, looked up now: a test run may have re-imported it."""
        return importlib.import_module(self.core_name)

    def handler(self, request: httpx.Request) -> httpx.Response:
        """Answer `request` for the running test (respx's sync entry point)."""
        interceptor, answer = self._plan(request)
        interceptor.wait(answer.delay)
        return self._respond(answer, interceptor)

    async def async_handler(self, request: httpx.Request) -> httpx.Response:
        """Answer `request` for the running test (respx's async entry point)."""
        interceptor, answer = self._plan(request)
        await interceptor.async_wait(answer.delay)
        return self._respond(answer, interceptor)

    def _plan(self, request: httpx.Request) -> tuple[Interceptor, Answer]:
        others = [router for router in self.mocker.routers if router is not self]
        if others and any(_matches(router, request) for router in others):
            raise AllMockedAssertionError("pytest-llmerrors: a user's route matches")
        interceptor = _active
        answer = interceptor.answer(self._request(request)) if interceptor is not None else None
        if interceptor is None or answer is None:
            if others:  # the user's routers decide, as respx alone would
                raise AllMockedAssertionError("pytest-llmerrors: not served")
            raise PassThrough("pytest-llmerrors: not served", request=request, origin=None)  # type: ignore[arg-type]
        return interceptor, answer

    def _request(self, request: httpx.Request) -> Request:
        timeout = request.extensions.get("timeout") or {}
        return Request(
            method=request.method,
            url=str(request.url),
            headers=dict(request.headers),
            body=request.content,
            generation=self.generation,
            timeouts=dict(timeout),
        )

    def _respond(self, answer: Answer, interceptor: Interceptor) -> httpx.Response:
        core = self.core()
        if answer.network is not None:
            name, message = _NETWORK_EXCEPTIONS[answer.network]
            raise getattr(core, name)(f"{message} (injected by pytest-llmerrors)")
        if answer.events is not None:
            stream = _Stream(answer.events, core, answer.stream_end, (interceptor, answer.stall))
        else:
            stream = _Stream([answer.body], core)
        return httpx.Response(status_code=answer.status, headers=answer.headers, stream=stream)


def _matches(router: Any, request: httpx.Request) -> bool:
    """Whether one of `router`'s routes matches `request` (without calling it)."""
    return any(route.pattern.match(request) for route in getattr(router, "routes", ()))


#: The plugin's router of each httpx generation installed, started on first use.
_ROUTERS: dict[Generation, _PluginRouter] = {}
_ABSENT: set[Generation] = set()


def _install() -> list[_PluginRouter]:
    """Start the plugin's routers once (respx patches the pools); return them."""
    if not _ROUTERS:
        _check_respx()
    generations: tuple[Generation, ...] = ("httpx", "httpx2")
    for generation in generations:
        if generation in _ROUTERS or generation in _ABSENT:
            continue
        try:
            importlib.import_module(_CORE[generation])
            importlib.import_module(generation)
        except ImportError:
            _ABSENT.add(generation)  # not installed: not looked for again this session
            continue
        mocker = HTTPCoreMocker if generation == "httpx" else _httpcore2_mocker()
        router = _PluginRouter(mocker, generation)
        router.start()
        _ROUTERS[generation] = router
    for router in _ROUTERS.values():
        # First in its mocker's list: it steps aside for what the user's routes match, while
        # a user's router first would answer everything (or auto-answer what it does not).
        routers = router.mocker.routers
        if routers and routers[0] is not router:
            routers.remove(router)
            routers.insert(0, router)
    return list(_ROUTERS.values())


def uninstall() -> None:
    """Stop the plugin's routers: respx unpatches the pools unless a user's router runs."""
    while _ROUTERS:
        _, router = _ROUTERS.popitem()
        router.stop(quiet=True)


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
        keep_installed: bool = False,
        report: Callable[[str], None] | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self._report = report
        self._thread = threading.current_thread()  # the test's own, where Failed is seen
        self.block_network = block_network
        self._clock = clock
        #: Leave the pools patched at `stop` for the next test (the plugin's session does).
        self.keep_installed = keep_installed

    def answer(self, request: Request) -> Answer | None:
        """Return the answer to `request`, ``None`` to let it through, or fail the test."""
        answer = self.dispatcher.handle(request)
        if answer is None and self.block_network:
            message = self.dispatcher.blocked(request)
            thread = threading.current_thread()
            if self._report is not None and thread is not self._thread:
                # Raised in a thread the test does not see (a library's exporter): the test
                # fails at the end of its call, whatever that thread did with it.
                self._report(f"In thread {thread.name!r}: {message}")
            pytest.fail(message, pytrace=False)
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
        """Answer for this test from now on (the routers are started on first use)."""
        global _active
        if _active is not None:
            raise RuntimeError(
                "Another pytest-llmerrors interceptor is active: one test at a time per "
                "process (pytest-xdist runs tests in separate processes)."
            )
        _install()
        self._thread = threading.current_thread()
        _active = self

    def stop(self) -> None:
        """Stop answering for this test; with `keep_installed` off, unpatch the pools too."""
        global _active
        if _active is self:
            _active = None
        if not self.keep_installed:
            uninstall()
