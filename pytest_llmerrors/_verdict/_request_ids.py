"""The rule ``request_id``: the application logged the request id of the errors it gave up on.

Used by `assert_request_id_logged` and `assert_resilient`. The request id of every error the
code gave up on (``which="final"``: the last attempt of each call that ended in an error;
``which="all"``: every error carrying a request id) appears in an application log record at
`level` or above, as `._logs` captures and reads it: its message, arguments, ``extra``
fields, or its exception as logging prints it, the ``__cause__`` / ``__context__`` chain
included (a library's error wrapping the SDK's). An id held only in an exception attribute
(openai's ``.request_id``) is not in the log. Records of loggers that do not propagate to the
root count like any other; records of the SDK and HTTP-library loggers (`SDK_LOGGERS` and
their children) do not: the SDKs log request ids at DEBUG themselves, and counting that would
pass every client. Network faults carry no request id and are skipped. With no such error
(every call recovered) there is nothing to judge. One sentence per call lists its ids.
"""

from __future__ import annotations

import logging

from .._faults import Attempt
from ._calls import Calls
from ._logs import counts, record_text
from ._messages import attempt_name, indexes, said

#: How to reach a request id, said once per violation of ``request_id``.
REQUEST_ID_HINT = (
    "Log it where the error surfaces: the SDK's exception carries it as .request_id, and a "
    "library's wrapper (aisuite's LLMError, mirascope's errors, InstructorRetryException) "
    "holds the SDK's error as __cause__ (err.__cause__.request_id). A traceback logged with "
    "log.exception counts only where an error in its chain prints the id (anthropic's do, "
    "openai's do not). SDK and HTTP-library loggers do not count."
)


def request_id_targets(calls: Calls, which: str) -> list[Attempt]:
    """Return the errors whose request id must be logged (``final`` or ``all``)."""
    # A network fault never reached a response: whatever id it was given, the client saw none.
    if which == "final":
        ended = [call.last for call in calls.calls]
    else:
        ended = calls.attempts
    return [a for a in ended if a.injected and a.status is not None and a.request_id]


def request_id_problems(
    calls: Calls, records: list[logging.LogRecord], level: int, targets: list[Attempt]
) -> list[str]:
    """Each id of `targets` appears in an application record at `level` or above."""
    if not targets:
        return []
    texts = [(record, record_text(record)) for record in records]
    missing: dict[int, list[tuple[Attempt, list[str]]]] = {}
    for attempt in targets:
        request_id = attempt.request_id or ""
        if any(counts(r, level) and request_id in text for r, text in texts):
            continue
        elsewhere = sorted(
            {
                f"{logging.getLevelName(r.levelno)} records of {r.name}"
                for r, text in texts
                if request_id in text
            }
        )
        missing.setdefault(calls.of(attempt).number, []).append((attempt, elsewhere))
    problems = []
    at = f"at {logging.getLevelName(level)} or above"
    for number, unlogged in missing.items():
        if len(unlogged) == 1:
            attempt, elsewhere = unlogged[0]
            what = (
                f"The request id {attempt.request_id} of {attempt_name(attempt)} in call "
                f"{number} is"
            )
            found = f"; it appears only in {', '.join(elsewhere)}" if elsewhere else ""
        else:
            ids = ", ".join(a.request_id or "" for a, _ in unlogged)
            what = (
                f"The request ids {ids} of attempts {indexes(a for a, _ in unlogged)} in call "
                f"{number} are"
            )
            found = "".join(
                f"; {a.request_id} appears only in {', '.join(where)}"
                for a, where in unlogged
                if where
            )
        problems.append(
            said(
                "request_id", f"{what} in no application log record {at}{found}. {REQUEST_ID_HINT}"
            )
        )
    return problems
