"""What the tests' own small clients share: reading Retry-After as the SDKs do.

Written independently of the plugin's reader on purpose: a client under test must not borrow
the judge's code.
"""

from __future__ import annotations

import email.utils
import time
from typing import Any


def retry_after(headers: Any) -> float | None:
    """Read Retry-After as the SDKs do: retry-after-ms, then seconds, then an HTTP-date."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        return float(millis) / 1000
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
