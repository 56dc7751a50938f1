"""Provider limits on virtual time: requests and tokens per window, concurrency and spend.

`._spec` holds `Limits` (what ``inject_error.limit(...)`` and the marker's ``limits=`` set,
checked where they are given); `._tokens` estimates a request's tokens; `._limiter` admits
or rejects each request on the virtual clock and keeps the `Load` the verdict reads;
`._headers` writes the rate-limit headers of both families (OpenAI's ``x-ratelimit-*``,
Anthropic's ``anthropic-ratelimit-*``).

It reads only the request (`.._exchange`): the dispatcher asks it, upstream of the verdict.
"""

from __future__ import annotations

from ._limiter import Decision, Limiter, Load
from ._spec import LIMIT_KINDS, LIMIT_OPTIONS, Limits, check_marker_limits, limits_from
from ._tokens import estimate_tokens

__all__ = [
    "LIMIT_KINDS",
    "LIMIT_OPTIONS",
    "Decision",
    "Limiter",
    "Limits",
    "Load",
    "check_marker_limits",
    "estimate_tokens",
    "limits_from",
]
