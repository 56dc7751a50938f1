"""The resilience rules, judged per call, and their failure messages.

Attempts are grouped into calls and the waits between them measured as `._calls` explains.
Each rule below fails with one sentence per violation (what was expected, what happened,
which call and attempts), followed by the attempt timeline. A rule that saw nothing to judge
fails and says so. "Error" means an answer the plugin injected.

Give up (`assert_gave_up`)
    After an error classified ``give_up`` (400, 401, 402, ...) or ``retry_after_window``
    (Retry-After longer than the wait budget), or a stream that broke after content
    (``partial_stream``, `._streams`), the call makes no further attempt, and its task
    sleeps no positive time before its next attempt, or the end of the test (a sleep of 0 s is
    a yield, not a wait).
    `assert_resilient` applies it to ``give_up`` only: after a ``retry_after_window`` error
    or a partial stream, retrying is as right as giving up, as long as the budgets hold.

Retry-After (`assert_honoured_retry_after`)
    Every wait after an error with Retry-After (seconds, HTTP-date or ``retry-after-ms``, as
    ``Attempt.retry_after`` reads them) lasts at least that long, less `tolerance`. A call
    that gave up after a Retry-After breaks nothing here.

Backoff (`assert_backed_off`)
    Judged per call on the waits after errors *without* Retry-After, in order, w1 ... wk:

    * no wait is zero: a retry without waiting hammers a failing provider;
    * the waits grow, judged on their *upper envelope* (the longest wait so far), not
      neighbour by neighbour: some later wait is longer than the first
      (``max(w2..wk) > w1``), and over three or more waits the longest is at least `GROWTH`
      (1.5) times the first. Dips below the envelope pass: the SDKs' jitter, a cap reached
      after growing (openai's 8 s plateau, tenacity's ``max=``), full jitter. Equal waits
      and waits that never grow past the first (shrinking) fail, and so does a fixed wait
      with jitter once three waits show it never grows by half (a cap below 1.5 times the
      first wait is a fixed wait too).

    The rule needs a call with at least two such waits: one wait cannot show growth. Two
    waits cannot tell exponential from linear growth, or growth from luck; a third can.

    It passes on every draw: the openai and anthropic SDKs (``min(0.5 * 2**n, 8)`` less up to
    25 %: the second wait is at least 1.5 times the first, the third 3 times), tenacity's
    ``wait_exponential`` and ``wait_exponential_jitter`` (``2**n + U(0, 1)``: each wait is at
    least the one before), backoff's ``expo`` with ``jitter=None``.

    Full jitter (backoff's default ``full_jitter``, tenacity's ``wait_random_exponential``)
    draws each wait from ``U(0, base * 2**n)``, and stamina adds ``U(0, 1)`` to a 0.1 s start:
    by chance the draws fail the rule (full jitter passes 3 runs in 4 with two waits, 9 in 10
    with three, 98 in 100 with four; stamina about 6 in 10, 5 in 10, 8 in 10, and nearly always
    from five). That is the rule judging what this run's waits show, not a verdict on the
    library. Test such a client deterministically: ``@pytest.mark.llm_errors(seed=N)`` seeds
    ``random``, so the draws and the verdict repeat run to run; queue enough errors for the
    trend to show (``times=4`` or more).

Request id (`assert_request_id_logged`)
    The request id of every error the code gave up on (``which="final"``: the last attempt of
    each call that ended in an error; ``which="all"``: every error carrying a request id)
    appears in an application log record at `level` or above: in its message, its arguments,
    its exception text or its ``extra`` fields. Records of the SDK and HTTP-library loggers
    (`SDK_LOGGERS` and their children) do not count: the SDKs log request ids at DEBUG
    themselves, and counting that would pass every client. Network faults carry no request id
    and are skipped. With no such error (every call recovered) there is nothing to judge.

Counting (`assert_attempts`, `assert_retried`)
    ``assert_attempts(n)`` counts requests that reached the injector (``n=0`` passes on an
    empty timeline). ``assert_retried()`` passes when some call made more than one attempt;
    ``assert_retried(times)`` compares `times` with the retries summed over all calls (the
    attempts after the first of each call).

Resilient (`assert_resilient`)
    Every rule the timeline gives something to judge, plus per call: at most
    ``policy.max_attempts`` attempts and ``policy.max_total_wait`` seconds of waiting; a
    ``retry`` error is handled (its call retried at least once; a ``retry_after_window`` error
    may end its call); ``give_up`` errors are not retried; Retry-After is honoured; backoff
    holds once the timeline has two waits after errors without Retry-After (the "no wait"
    part on each, the growth part on calls with two or more); the request id of each error
    given up on is logged at ``policy.request_id_level``. Retry-After is judged with
    `RETRY_AFTER_TOLERANCE`, and a ``retry`` error whose Retry-After exceeds the wait budget
    counts as ``retry_after_window`` (`Policy.within_budget`). All violations are listed at
    once; with no attempt at all it fails saying the client never reached the injector.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from .._faults import Attempt
from .._policy import Policy
from ._calls import Call, Calls
from ._logs import counts, record_text
from ._messages import describe, seconds
from ._streams import Judged, classify_stream_fault, stream_fault_reason

#: What `assert_gave_up` judges: errors after which ending the call is right.
GIVE_UP_KINDS: tuple[Judged, ...] = ("give_up", "retry_after_window", "partial_stream")
#: Seconds a wait may fall short of Retry-After (clock rounding), in `assert_resilient` too.
RETRY_AFTER_TOLERANCE = 0.05
#: Relative slack under which two waits count as equal (float noise, not jitter).
_SAME = 1e-6
#: Waits within this fraction of the first are described as about the same (real-clock noise).
_STEADY = 0.1
#: Over three or more waits, the longest must be this many times the first: more than a fixed
#: wait with up to 25 % jitter reaches (1.25), less than real backoff's third wait (openai's 3,
#: tenacity's exponential jitter 2).
GROWTH = 1.5


def _name(attempt: Attempt) -> str:
    return f"attempt #{attempt.index} ({describe(attempt)})"


def plural(count: int, word: str) -> str:
    """Return ``1 call``, ``2 calls``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


# -- the rules: each returns one sentence per violation ---------------------------------------


def judged(attempt: Attempt, policy: Policy) -> Judged | None:
    """Return how the rules judge `attempt`: its classification, made a window when its
    Retry-After is past the budget, or ``partial_stream`` (`._streams`); ``None`` on success.
    """
    stream = classify_stream_fault(attempt)
    if stream is not None:
        return stream
    if attempt.classification is None:
        return None
    return policy.within_budget(attempt.classification, attempt.retry_after)


def gave_up_problems(calls: Calls, policy: Policy, kinds: Iterable[Judged]) -> list[str]:
    """After each error judged as one of `kinds`: no further attempt, and no wait."""
    chosen = set(kinds)
    problems = []
    for call in calls.calls:
        for attempt in call.attempts:
            kind = judged(attempt, policy)
            if kind is None or kind not in chosen:
                continue
            if kind == "retry_after_window":
                why = "a Retry-After longer than the wait budget"
            elif kind == "partial_stream":
                why = stream_fault_reason(attempt) or "a stream that broke after content"
            else:
                why = "an error no retry can fix"
            following = call.after(attempt)
            if following is not None:
                nxt, wait = following
                problems.append(
                    f"Call {call.number} retried {_name(attempt)}, {why}: attempt #{nxt.index} "
                    f"followed after {seconds(wait)} s; expected it to give up at once."
                )
                continue
            slept = calls.slept_after(attempt)
            if slept > 0:
                problems.append(
                    f"Call {call.number} waited {seconds(slept)} s after {_name(attempt)}, "
                    f"{why}, before giving up; expected it to give up at once, without waiting."
                )
    return problems


def retry_after_problems(calls: Calls, tolerance: float) -> list[str]:
    """Each wait after a Retry-After lasted at least that long, less `tolerance`."""
    problems = []
    for call in calls.calls:
        for attempt in call.attempts:
            following = call.after(attempt)
            if attempt.retry_after is None or not attempt.injected or following is None:
                continue
            nxt, wait = following
            if wait < attempt.retry_after - tolerance:
                problems.append(
                    f"Call {call.number} did not honour Retry-After: {_name(attempt)} asked for "
                    f"{seconds(attempt.retry_after)} s, but the code waited {seconds(wait)} s "
                    f"before attempt #{nxt.index}; expected at least "
                    f"{seconds(max(0.0, attempt.retry_after - tolerance))} s (Retry-After less "
                    f"the {seconds(tolerance)} s tolerance)."
                )
    return problems


def backoff_waits(call: Call) -> list[tuple[Attempt, Attempt, float]]:
    """Return (error, next attempt, wait) for each wait after an error without Retry-After."""
    return [
        (attempt, call.attempts[i + 1], call.waits[i])
        for i, attempt in enumerate(call.attempts[:-1])
        if attempt.injected and attempt.retry_after is None
    ]


def backoff_problems(calls: Calls) -> list[str]:
    """The waits after errors without Retry-After grow; none is zero."""
    problems = []
    for call in calls.calls:
        waits = backoff_waits(call)
        zero = [(error, nxt) for error, nxt, wait in waits if wait <= 0]
        for error, nxt in zero:
            problems.append(
                f"Call {call.number} retried without waiting: attempt #{nxt.index} followed "
                f"{_name(error)} after 0 s; expected a backoff wait before every retry."
            )
        if zero or len(waits) < 2:
            continue
        values = [wait for _, _, wait in waits]
        first = values[0]
        retried = ", ".join(f"#{nxt.index}" for _, nxt, _ in waits)
        listed = ", ".join(f"{seconds(v)} s" for v in values)
        rose = max(values[1:]) > first * (1 + _SAME)
        if rose and (len(values) < 3 or max(values) >= GROWTH * first):
            continue
        expected = "expected backoff waits that grow (exponential backoff, with jitter)"
        if max(values) - min(values) <= first * _STEADY:
            same = "the same" if max(values) - min(values) <= first * _SAME else "about the same"
            problems.append(
                f"Call {call.number} waited {same} {seconds(first)} s before each of its "
                f"{len(values)} retries ({listed} before attempts {retried}); {expected}."
            )
        elif not rose:
            problems.append(
                f"Call {call.number}'s waits shrank: {listed} before attempts {retried}, none "
                f"longer than the first; {expected}."
            )
        else:
            problems.append(
                f"Call {call.number}'s waits barely grew: {listed} before attempts {retried}, "
                f"the longest {max(values) / first:.2f} times the first; expected backoff "
                f"waits that grow (over three or more waits, the longest at least {GROWTH:g} "
                f"times the first)."
            )
    return problems


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
    texts = [(record, record_text(record)) for record in records]
    problems = []
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
        found = f"; it appears only in {', '.join(elsewhere)}" if elsewhere else ""
        problems.append(
            f"The request id {request_id} of {_name(attempt)} in call "
            f"{calls.of(attempt).number} is in no application log record at "
            f"{logging.getLevelName(level)} or above{found}. Log it where the error surfaces "
            f"(the SDK exceptions carry it as .request_id); SDK and HTTP-library loggers do "
            f"not count."
        )
    return problems


def budget_problems(calls: Calls, policy: Policy) -> list[str]:
    """Each call stays within the attempt and wait budgets."""
    problems = []
    for call in calls.calls:
        if len(call.attempts) > policy.max_attempts:
            problems.append(
                f"Call {call.number} made {len(call.attempts)} attempts (#{call.first.index} to "
                f"#{call.last.index}); expected at most {policy.max_attempts} per call "
                f"(llm_errors_max_attempts): retries need a bound."
            )
        if call.total_wait > policy.max_total_wait + 1e-9:
            problems.append(
                f"Call {call.number} waited {seconds(call.total_wait)} s between its attempts; "
                f"expected at most {seconds(policy.max_total_wait)} s per call "
                f"(llm_errors_max_total_wait)."
            )
    return problems


def handled_problems(calls: Calls, policy: Policy) -> list[str]:
    """Each call that met a retryable error retried it."""
    problems = []
    for call in calls.calls:
        attempt = call.first
        if call.retries == 0 and judged(attempt, policy) == "retry":
            hint = (
                f" (honouring its Retry-After of {seconds(attempt.retry_after)} s)"
                if attempt.retry_after is not None
                else ""
            )
            problems.append(
                f"Call {call.number} gave up at once on {_name(attempt)}, a retryable error; "
                f"expected at least one retry with backoff{hint}."
            )
    return problems


def resilience_problems(
    calls: Calls, policy: Policy, records: list[logging.LogRecord]
) -> list[str]:
    """Return every broken rule of `policy` over `calls`, one sentence each (empty: resilient)."""
    problems = budget_problems(calls, policy)
    problems += handled_problems(calls, policy)
    problems += gave_up_problems(calls, policy, ("give_up",))
    problems += retry_after_problems(calls, RETRY_AFTER_TOLERANCE)
    if sum(len(backoff_waits(call)) for call in calls.calls) >= 2:
        problems += backoff_problems(calls)
    targets = request_id_targets(calls, "final")
    problems += request_id_problems(calls, records, policy.request_id_level, targets)
    return problems
