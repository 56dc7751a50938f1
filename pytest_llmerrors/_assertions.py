"""The resilience rules and their failure messages (the rules land with the verdict issue)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ._faults import Attempt
from ._policy import Policy
from ._timeline import Sleep


@dataclass(frozen=True)
class View:
    """What the rules judge: the timeline of one test and its policy."""

    attempts: list[Attempt]
    sleeps: list[Sleep]
    records: list[logging.LogRecord]
    policy: Policy


def _not_yet(view: View, *args: object) -> None:
    raise NotImplementedError("The resilience rules are not implemented yet.")


assert_attempts = assert_retried = assert_gave_up = _not_yet
assert_honoured_retry_after = assert_backed_off = _not_yet
assert_request_id_logged = assert_resilient = _not_yet
