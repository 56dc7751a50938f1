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
``block_network`` is off. For httpx2 it is a mocker of its own for httpcore2, whose patch
answers the plugin's requests straight from httpcore2's request while the plugin's router
is its only one (`_direct_mock`): respx's httpx request and response in between cost
about as much as the plugin's answer.

What this leans on in respx, checked on 0.22.0 and 0.23.x (`RESPX_CHECKED`, enforced at
first use; CI runs both ends): ``MockRouter`` with its ``handler`` / ``async_handler``
overridden, ``Mocker.routers``, ``HTTPCoreMocker`` (its ``targets``, renamed for httpcore2,
its ``mock`` patch factory, wrapped, and ``from_sync_httpx_response``), ``Route.pattern``,
``patterns.parse_url``'s reading of a raw URL (`_core_url`), and respx's two exceptions.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import httpx
import respx
from respx.mocks import HTTPCoreMocker, Mocker
from respx.models import AllMockedAssertionError, PassThrough

from .._exchange import Answer, Generation, LowerHeaders, Request, StreamEnd
from . import _interceptor

if TYPE_CHECKING:
    from ._interceptor import Interceptor


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


def _direct_mock(cls: type[HTTPCoreMocker], spec: Any) -> Any:
    """respx's patch of the pool method `spec`, answering the plugin's requests directly.

    While the plugin's router is the mocker's only one and a test runs, a request is read
    from httpcore2's own request and answered with httpcore2's own response, as respx would
    answer it through that router, without making an httpx request and response in between
    (respx's conversions cost about as much as the plugin's answer). Anything else (no test
    running, a request no profile serves, a user's router in this mocker) goes through
    respx's patch as before.
    """
    patched = HTTPCoreMocker.mock.__func__(cls, spec)  # type: ignore[attr-defined]
    if patched is spec:  # not a pool method, or already patched
        return spec

    if inspect.iscoroutinefunction(spec):

        async def amock(self: Any, *args: Any, **kwargs: Any) -> Any:
            router = _sole_router(cls)
            request = args[0] if args else kwargs.get("request")
            if router is not None and request is not None:
                body = b"".join([part async for part in request.stream])
                request.stream = httpx.ByteStream(body)  # read again if respx takes over
                planned = router.answer_core(request, body)
                if planned is not None:
                    interceptor, answer = planned
                    await interceptor.async_wait(answer.delay)
                    return router.core_response(answer, interceptor)
            return await patched(self, *args, **kwargs)

        return amock

    def mock(self: Any, *args: Any, **kwargs: Any) -> Any:
        router = _sole_router(cls)
        request = args[0] if args else kwargs.get("request")
        if router is not None and request is not None:
            body = b"".join(request.stream)
            request.stream = httpx.ByteStream(body)  # read again if respx takes over
            planned = router.answer_core(request, body)
            if planned is not None:
                interceptor, answer = planned
                interceptor.wait(answer.delay)
                return router.core_response(answer, interceptor)
        return patched(self, *args, **kwargs)

    return mock


def _sole_router(mocker: type[Mocker]) -> _PluginRouter | None:
    """The plugin's router, when it is `mocker`'s only one and a test is running."""
    routers = mocker.routers
    if len(routers) != 1 or _interceptor.active() is None:
        return None
    router = routers[0]
    return router if isinstance(router, _PluginRouter) else None


def _httpcore2_mocker() -> type[Mocker]:
    """Define respx's httpcore mocker pointed at httpcore2's connection pools.

    respx registers mockers by name for good, and a fresh import of this module (pytester
    runs in-process, then forgets the modules it loaded) must not reuse a name. Its patch
    answers the plugin's own requests directly (`_direct_mock`).
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
            "mock": classmethod(_direct_mock),
        },
    )


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
        interceptor = _interceptor.active()
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
            headers=_headers(request.headers.raw),
            body=request.content,
            generation=self.generation,
            timeouts=dict(timeout),
        )

    def _respond(self, answer: Answer, interceptor: Interceptor) -> httpx.Response:
        stream = self._stream(answer, interceptor)
        return httpx.Response(status_code=answer.status, headers=answer.headers, stream=stream)

    def _stream(self, answer: Answer, interceptor: Interceptor) -> _Stream:
        """Return the answer's body as a stream, or raise its network fault."""
        core = self.core()
        if answer.network is not None:
            name, message = _NETWORK_EXCEPTIONS[answer.network]
            raise getattr(core, name)(f"{message} (injected by pytest-llmerrors)")
        if answer.events is not None:
            return _Stream(answer.events, core, answer.stream_end, (interceptor, answer.stall))
        return _Stream([answer.body], core)

    def answer_core(self, request: Any, body: bytes) -> tuple[Interceptor, Answer] | None:
        """Plan the answer to an httpcore request whose body is `body` (`_direct_mock`)."""
        interceptor = _interceptor.active()
        if interceptor is None:
            return None
        answer = interceptor.answer(
            Request(
                method=request.method.decode("ascii"),
                url=_core_url(request.url),
                headers=_headers(request.headers),
                body=body,
                generation=self.generation,
                timeouts=dict(request.extensions.get("timeout") or {}),
            )
        )
        return None if answer is None else (interceptor, answer)

    def core_response(self, answer: Answer, interceptor: Interceptor) -> Any:
        """Return `answer` as the core's response, as `_respond` and respx would make it."""
        stream = self._stream(answer, interceptor)
        return self.core().Response(
            status=answer.status, headers=answer.headers, content=stream, extensions={}
        )


def _matches(router: Any, request: httpx.Request) -> bool:
    """Whether one of `router`'s routes matches `request` (without calling it)."""
    return any(route.pattern.match(request) for route in getattr(router, "routes", ()))


#: The plugin's router of each httpx generation installed, started on first use.
_ROUTERS: dict[Generation, _PluginRouter] = {}
_ABSENT: set[Generation] = set()


def _core_url(url: Any) -> str:
    """Return an httpcore request's URL as respx's ``httpx.Request`` of it prints it."""
    scheme = url.scheme.decode("ascii")
    host = url.host.decode("ascii")
    if host and ":" in host and host[0] != "[":
        host = f"[{host}]"  # an IPv6 address
    port = "" if url.port is None else f":{url.port}"
    raw = f"{scheme}://{host}{port}{url.target.decode('ascii')}"
    if port or host != host.lower() or scheme != scheme.lower():
        return str(httpx.URL(raw))  # httpx normalizes these (a default port, case)
    return raw


def _headers(pairs: list[tuple[bytes, bytes]]) -> LowerHeaders:
    """Return raw header pairs (``httpx.Headers.raw``, an httpcore request's) as
    ``dict(httpx.Headers(pairs))`` reads them: names lower-cased, repeats joined, decoded as
    httpx decodes them (ascii, else utf-8, else iso-8859-1), in one pass, not n^2.

    ``multi_items()`` reads the encoding property twice per header (a third of the plugin's
    time per request went there).
    """
    for encoding in ("ascii", "utf-8", "iso-8859-1"):
        merged = LowerHeaders()
        try:
            for raw_key, raw_value in pairs:
                key = raw_key.lower().decode(encoding)
                value = raw_value.decode(encoding)
                merged[key] = f"{merged[key]}, {value}" if key in merged else value
        except UnicodeDecodeError:
            continue
        return merged
    raise AssertionError("iso-8859-1 decodes every byte")  # pragma: no cover


def install() -> None:
    """Start the plugin's routers once (respx patches the pools), and keep them first."""
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


def uninstall() -> None:
    """Stop the plugin's routers: respx unpatches the pools unless a user's router runs."""
    while _ROUTERS:
        _, router = _ROUTERS.popitem()
        router.stop(quiet=True)
