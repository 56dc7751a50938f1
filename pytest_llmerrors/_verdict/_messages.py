"""The words of a verdict: the attempt timeline as a table, and the failure message around it."""

from __future__ import annotations

from collections.abc import Sequence

from .._faults import Attempt
from ._calls import Calls

NO_REQUEST = (
    "No request reached the injector: the client probably never reached it. Check its base "
    "URL, and that it sends through httpx or httpx2, the transports the plugin serves "
    "(requests, aiohttp and urllib are not intercepted)."
)

_HEADERS = ("#", "call", "at (s)", "request", "answer", "request id", "Retry-After", "wait (s)")


def seconds(value: float) -> str:
    """Return `value` seconds compactly: ``2``, ``0.375``, ``1.235``."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def describe(attempt: Attempt) -> str:
    """Return how `attempt` was answered, e.g. ``429 rate_limit`` or ``read_timeout``."""
    if attempt.status is None:
        return attempt.error or "no answer"
    return f"{attempt.status} {attempt.error}" if attempt.error else str(attempt.status)


def format_table(calls: Calls) -> str:
    """Return the attempts of `calls` as an aligned table, one row per attempt."""
    rows: list[tuple[str, ...]] = [_HEADERS]
    for attempt in calls.attempts:
        call = calls.of(attempt)
        following = call.after(attempt)
        if following is not None:
            wait = seconds(following[1])
        else:
            wait = "no retry" if attempt.injected else "-"
        request = f"{attempt.method} {attempt.path}"
        if attempt.model:
            request += f" ({attempt.model})"
        rows.append(
            (
                str(attempt.index),
                str(call.number),
                f"{attempt.at:.3f}",
                request,
                describe(attempt),
                attempt.request_id or "-",
                "-" if attempt.retry_after is None else seconds(attempt.retry_after),
                wait,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADERS))]
    lines = (
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    )
    return "\n".join(f"  {line}".rstrip() for line in lines)


def failure(problems: Sequence[str], calls: Calls) -> str:
    """Return the message of a failed verdict: the broken rules, then the timeline."""
    if not calls.attempts:
        return "\n".join(problems)
    rules = "\n".join(f"- {problem}" for problem in problems)
    return (
        f"{rules}\n\nTimeline (fake-clock seconds since the test started; wait = seconds the "
        f"code waited before the next attempt of the same call):\n{format_table(calls)}"
    )
