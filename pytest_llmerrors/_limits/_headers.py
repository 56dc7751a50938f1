"""The rate-limit headers of both families, as the providers send them on every answer.

OpenAI-shaped APIs send ``x-ratelimit-limit-requests``, ``x-ratelimit-remaining-requests``
and ``x-ratelimit-reset-requests`` (a duration like ``1s``, ``6m0s`` or ``17ms``: the time
until the limit is back to its initial state), and the same three for ``-tokens``.
Anthropic sends ``anthropic-ratelimit-requests-limit``, ``-requests-remaining`` and
``-requests-reset`` (an RFC 3339 instant: when the limit is fully replenished), and the same
three for ``-tokens-``.
"""

from __future__ import annotations

import datetime as _dt


def duration(seconds: float) -> str:
    """Return `seconds` as OpenAI writes a reset: ``17ms``, ``1s``, ``59.5s``, ``6m0s``."""
    if seconds <= 0:
        return "0s"
    if seconds < 1:
        return f"{max(1, round(seconds * 1000))}ms"
    hours, rest = divmod(seconds, 3600)
    minutes, rest = divmod(rest, 60)
    text = f"{rest:.3f}".rstrip("0").rstrip(".") + "s"
    if hours:
        return f"{int(hours)}h{int(minutes)}m{text}"
    return f"{int(minutes)}m{text}" if minutes else text


def instant(now: _dt.datetime, seconds: float) -> str:
    """Return the RFC 3339 instant `seconds` after `now`, as Anthropic writes a reset."""
    at = now + _dt.timedelta(seconds=max(0.0, seconds))
    return at.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def family(
    shape: str, kind: str, limit: int, remaining: int, reset: float, now: _dt.datetime
) -> list[tuple[str, str]]:
    """Return the three headers of `kind` (``requests`` or ``tokens``) in `shape`'s family."""
    if shape == "anthropic":
        prefix = f"anthropic-ratelimit-{kind}"
        return [
            (f"{prefix}-limit", str(limit)),
            (f"{prefix}-remaining", str(remaining)),
            (f"{prefix}-reset", instant(now, reset)),
        ]
    return [
        (f"x-ratelimit-limit-{kind}", str(limit)),
        (f"x-ratelimit-remaining-{kind}", str(remaining)),
        (f"x-ratelimit-reset-{kind}", duration(reset)),
    ]
