"""The verdict: what the code under test did, judged by the policy's rules.

`._timeline` records attempts and sleeps; `._calls` groups attempts into calls (by thread or
task and the SDK's retry counter) and measures the waits; `._rules` holds the rules by name
(one sentence per broken rule and call), `._streams` the rule for broken streams,
`._request_ids` the request-id rule and `._logs` the log capture it reads; `._assertions`
turns rules into the injector's assertions, and `._messages` words the failures. `._load`
judges the load against the provider's limits (`.._limits`).
"""

from __future__ import annotations

from ._assertions import (
    View,
    assert_attempts,
    assert_backed_off,
    assert_gave_up,
    assert_honoured_retry_after,
    assert_request_id_logged,
    assert_resilient,
    assert_retried,
    format_timeline,
    problems,
)
from ._load import assert_throughput, assert_within_limits
from ._logs import LogCapture
from ._timeline import Sleep, Timeline

__all__ = [
    "LogCapture",
    "Sleep",
    "Timeline",
    "View",
    "assert_attempts",
    "assert_backed_off",
    "assert_gave_up",
    "assert_honoured_retry_after",
    "assert_request_id_logged",
    "assert_resilient",
    "assert_retried",
    "assert_throughput",
    "assert_within_limits",
    "format_timeline",
    "problems",
]
