"""The rule for streams that break: what a resilient client does when a stream fails.

A stream fault (``stream_error``, ``stream_truncated``, ``stream_stall``) answers 200 and
breaks after ``after_chunks`` content chunks; `Attempt.chunks` records how many arrived.

Before any content (``chunks == 0``)
    Nothing reached the application, so the stream failed like any request: it is judged by
    its own classification (``retry`` for the built-in scenarios), and a resilient client
    retries it with backoff, within the attempt and wait budgets.

After content arrived (``chunks > 0``)
    Part of the answer may already be on the user's screen, in a file or in a tool call.
    Surfacing the error is correct: the SDKs raise it (``openai.APIError``,
    ``anthropic.APIStatusError``, the library's ``RemoteProtocolError`` or ``ReadTimeout``,
    or the SDK's wrapper of them), and the application reports it. Retrying from scratch is
    acceptable too, but only if the output already shown is not shown again. So both
    endings pass: the call may end at this attempt, or retry; a retry is judged like any
    other (it waits with backoff, stays within the attempt and wait budgets). The verdict
    judges such an attempt as ``"partial_stream"`` (`PARTIAL_STREAM`); the reason to print
    is `stream_fault_reason`.

    What the plugin cannot see is the application's output: whether a retry repeated the
    text already shown is for the test to assert on the application, for example::

        inject_error("stream_error", after_chunks=2)
        shown = app.chat_and_render("hi")           # retries once after the error
        assert shown == "hello there world"          # not "hello there hello there world"

A scenario classified ``give_up`` (by a hook or a custom `Fault`) stays ``give_up`` either way.
"""

from __future__ import annotations

from typing import Literal

from .._faults import STREAM_FAULTS, Attempt, Classification

__all__ = [
    "PARTIAL_STREAM",
    "Judged",
    "classify_stream_fault",
    "is_partial_stream",
    "stream_fault_reason",
]

#: How the verdict judges a stream that broke after content: ending and retrying both pass.
PARTIAL_STREAM = "partial_stream"
#: What the rules judge an attempt as: its classification, or a partial stream.
Judged = Literal["give_up", "retry", "retry_after_window", "partial_stream"]


def is_partial_stream(attempt: Attempt) -> bool:
    """Whether `attempt` is a stream fault that broke after content had arrived."""
    return attempt.error in STREAM_FAULTS and (attempt.chunks or 0) > 0


def classify_stream_fault(attempt: Attempt) -> Judged | None:
    """Return how the verdict judges `attempt`'s stream fault, or ``None`` if it is none.

    ``None``: not a stream fault (a success, an HTTP error, a network fault, even on a
    streaming request): judge it by ``attempt.classification`` as usual. Otherwise:
    ``give_up`` when the scenario is ``give_up``; ``partial_stream`` (giving up and
    retrying both pass) when content had arrived; else the attempt's own classification
    (``retry`` for the built-in scenarios).
    """
    if attempt.error not in STREAM_FAULTS:
        return None
    own: Classification = attempt.classification or "retry"
    if own == "give_up" or not is_partial_stream(attempt):
        return own
    return "partial_stream"


def stream_fault_reason(attempt: Attempt) -> str | None:
    """Return why a partial stream may end its call, for verdict messages; else ``None``."""
    if not is_partial_stream(attempt) or classify_stream_fault(attempt) == "give_up":
        return None
    chunks = attempt.chunks or 0
    plural = "chunk" if chunks == 1 else "chunks"
    return (
        f"a stream that broke after {chunks} content {plural} ({attempt.error}): surfacing "
        f"the error is correct, and so is retrying from scratch without repeating the output "
        f"already shown"
    )
