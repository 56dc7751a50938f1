"""The words of a verdict: the attempt timeline as a table, and the failure message around it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .._faults import Attempt
from .._policy import RULES
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


def attempt_name(attempt: Attempt) -> str:
    """Return ``attempt #3 (429 rate_limit)``."""
    return f"attempt #{attempt.index} ({describe(attempt)})"


def indexes(attempts: Iterable[Attempt]) -> str:
    """Return ``#2, #3``."""
    return ", ".join(f"#{a.index}" for a in attempts)


def plural(count: int, word: str) -> str:
    """Return ``1 call``, ``2 calls``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def said(rule: str, sentence: str) -> str:
    """Return `sentence` as a violation of `rule`: ``[rule] sentence``."""
    return f"[{rule}] {sentence}"


def rule_of(problem: str) -> str | None:
    """Return the rule a violation from `said` names, ``None`` for any other sentence."""
    name = problem[1 : problem.find("]")] if problem.startswith("[") else ""
    return name if name in RULES else None


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


def failure(problems: Sequence[str], calls: Calls, hint: str = "") -> str:
    """Return the message of a failed verdict: the broken rules, the timeline, then `hint`."""
    if not calls.attempts:
        return "\n".join(problems)
    rules = "\n".join(f"- {problem}" for problem in problems)
    closing = f"\n\n{hint}" if hint else ""
    return (
        f"{rules}\n\nTimeline (fake-clock seconds since the test started; wait = seconds the "
        f"code waited before the next attempt of the same call):\n{format_table(calls)}"
        f"{closing}"
    )
