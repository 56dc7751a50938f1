"""Where a request was sent from: a resend of the last one, or the code's next call.

An application that resends a request after an error (tenacity around the SDK, litellm's
``num_retries``, a loop or an ``except`` branch of its own) sends it again from inside a
frame that is still running since it sent the last one: the retry loop's, or the function
whose handler caught the error. A pool's worker taking its next item sends from inside a
running frame too, but that frame is the pool's (``concurrent.futures``, ``asyncio``,
anyio's worker threads), and a test calling the application again and again does so from
its own module (or a conftest, or another test file's helper). Neither is a resend.

The SDKs' retry counter cannot tell these apart when the SDK was built with
``max_retries=0`` or gave up on its own: every attempt then carries 0. `Sites.resent` can,
per thread/task. It holds the frames of a thread/task's attempt answered with a give-up
error until its next attempt (or the end of the test), so a frame's identity is never
confused with a later frame at the same address.
"""

from __future__ import annotations

import os
import sys
import threading
from types import FrameType

from .._names import in_packages

#: Modules whose loops hand out work rather than resend it: when the frame two attempts share
#: is one of theirs, the second attempt is the next piece of work, not a retry. Our own and
#: the test runner's frames are never the application's retry loop either.
_WORK_LOOPS = (
    "concurrent.futures",
    "threading",
    "queue",
    "multiprocessing",
    "asyncio",
    "anyio",
    "trio",
    "selectors",
    "_pytest",
    "pluggy",
    "pytest_llmerrors",
)


class Sites:
    """The frames each thread/task sent its last give-up-answered SDK call from."""

    def __init__(self, test_file: str | None = None) -> None:
        #: The test module's file: its loops (in the test or its helpers) call the
        #: application again; they do not resend.
        self._test_file = test_file
        self._last: dict[str, dict[int, FrameType]] = {}
        self._lock = threading.Lock()

    def remember(self, task: str) -> None:
        """Note the frames `task` sends from now: its attempt is answered with a give-up error.

        Only then is a next attempt asked about (`resent`): walking and holding a stack costs
        microseconds per frame, which the common answers (retryable errors, successes) skip.
        """
        stack = _stack(sys._getframe(1))
        with self._lock:
            self._last[task] = {id(f): f for f in stack}

    def resent(self, task: str) -> bool:
        """Return whether `task` resends the request it sent when `remember` last noted it.

        It does when the deepest frame this request and that one were both sent from belongs
        to neither a work loop nor test code. The noted frames are let go either way.
        """
        with self._lock:
            previous = self._last.pop(task, None)
        if previous is None:
            return False
        for frame in _stack(sys._getframe(1)):  # innermost first: the deepest shared frame
            if previous.get(id(frame)) is not frame:
                continue
            if self._in_tests(frame.f_code.co_filename):
                return False
            return not in_packages(frame.f_globals.get("__name__") or "", _WORK_LOOPS)
        return False

    def _in_tests(self, filename: str) -> bool:
        """Whether `filename` is test code: the test's module, a conftest or a test file."""
        if filename == self._test_file:
            return True
        name = os.path.basename(filename)
        return name == "conftest.py" or (
            name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))
        )

    def clear(self) -> None:
        """Let go of the frames held (they hold their locals), at the end of the test."""
        with self._lock:
            self._last.clear()


def _stack(frame: FrameType | None) -> list[FrameType]:
    """Return `frame` and every frame below it, innermost first."""
    stack: list[FrameType] = []
    while frame is not None:
        stack.append(frame)
        frame = frame.f_back
    return stack
