"""The running test's interceptor, which every client adapter asks, and the adapters' switch.

Each adapter (`._respx` for httpx and httpx2, `._aiohttp`, `._requests`) patches its library
once per pytest session and then asks `active()` for every request: the interceptor of the
running test, or ``None`` between tests, when the adapter lets the request through. Switching
tests is one assignment.
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeGuard

import pytest

if TYPE_CHECKING:
    from .._exchange import Answer, Request
    from ._dispatch import Dispatcher


class Waits(Protocol):
    """How latency and stalls wait on virtual time (the test's clock)."""

    def wait(self, seconds: float) -> None:
        """Block the calling thread for `seconds` virtual seconds."""

    async def wait_async(self, seconds: float) -> None:
        """Let `seconds` virtual seconds pass for the calling task."""


#: The interceptor of the running test, which every adapter answers for.
_active: Interceptor | None = None

#: The adapters, each installed on first use when its library is installed: (module of this
#: package, the libraries it needs).
_ADAPTERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("._respx", ()),
    ("._aiohttp", ("aiohttp",)),
    ("._requests", ("requests", "responses")),
)
_installed: list[Any] = []
_checked = False


def active() -> Interceptor | None:
    """Return the running test's interceptor, ``None`` between tests."""
    return _active


def _install() -> None:
    """Install every adapter whose libraries are there (looked for once per session).

    Each adapter's ``install`` is idempotent and cheap once done; the respx one also keeps
    the plugin's router first among a user's routers, so it runs at every test's start.
    """
    global _checked
    if not _checked:
        for module, needs in _ADAPTERS:
            if all(importlib.util.find_spec(name) is not None for name in needs):
                _installed.append(importlib.import_module(module, __package__))
        _checked = True
    for adapter in _installed:
        adapter.install()


def uninstall() -> None:
    """Undo every adapter's patch (the end of the session)."""
    global _checked
    while _installed:
        _installed.pop().uninstall()
    _checked = False


class Interceptor:
    """Answers every request of a served client library while started, through `dispatcher`.

    A request no profile serves fails the test when `block_network` is on, unless its host is
    one the test may reach (`allows`: loopback and ``llm_errors_allow_hosts``, a local test
    server), and goes through to the network otherwise. Latency and stalls wait on `clock`
    (virtual time); without one latency is really slept and a stall times out at once.
    """

    def __init__(
        self,
        dispatcher: Dispatcher,
        *,
        block_network: bool,
        clock: Waits | None,
        keep_installed: bool = False,
        report: Callable[[str], None] | None = None,
        allows: Callable[[str], bool] | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self._allows = allows
        self._report = report
        self._thread = threading.current_thread()  # the test's own, where Failed is seen
        self.block_network = block_network
        self._clock = clock
        #: Leave the libraries patched at `stop` for the next test (the plugin's session does).
        self.keep_installed = keep_installed

    def answer(self, request: Request) -> Answer | None:
        """Return the answer to `request`, ``None`` to let it through, or fail the test."""
        answer = self.dispatcher.handle(request)
        if answer is None and self._allows is not None and self._allows(request.host):
            return None  # a local server the test may reach (the guard lets it connect)
        if answer is None and self.block_network:
            message = self.dispatcher.blocked(request)
            thread = threading.current_thread()
            if self._report is not None:
                # Caught by the code (``except BaseException``, ``gather(return_exceptions=
                # True)``), or raised in a thread the test does not see (a library's
                # exporter): the test fails at the end of its call all the same.
                where = "" if thread is self._thread else f"In thread {thread.name!r}: "
                self._report(where + message)
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
                "httpx.Client(timeout=httpx.Timeout(10.0, read=60.0)), "
                "aiohttp.ClientTimeout(sock_read=60), requests.post(..., timeout=(10, 60))); "
                "the stall then raises the library's read timeout after that many fake seconds.",
                pytrace=False,
            )
        return True

    def start(self) -> None:
        """Answer for this test from now on (the adapters are installed on first use)."""
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
        """Stop answering for this test; with `keep_installed` off, unpatch the libraries too."""
        global _active
        if _active is self:
            _active = None
        if not self.keep_installed:
            uninstall()
