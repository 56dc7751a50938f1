"""The resilience rules, judged per call, and their failure messages.

Attempts are grouped into calls and the waits between them measured as `._calls` explains.
Each rule has a name (`RULES`: ``budget``, ``give_up``, ``retry``, ``retry_after``,
``backoff``, ``request_id``), and every violation starts with it in brackets, as in
``[backoff] Call 2 retried without waiting: ...``, so a failure tells which rule to pass to
``assert_resilient(skip=...)``. A rule says what it saw once per call: one sentence per
broken rule and call (what was expected, what happened, which attempts), followed by the
attempt timeline. One behaviour is one violation: the wait before resending a give-up error
belongs to ``give_up`` alone, the wait after a Retry-After to ``retry_after`` alone, and
``backoff`` judges only the waits after errors worth retrying without Retry-After. A rule
that saw nothing to judge fails and says so. "Error" means an answer the plugin injected.

give_up (`assert_gave_up`)
    After an error classified ``give_up`` (400, 401, 402, ...) or ``retry_after_window``
    (Retry-After longer than the wait budget), or a stream that broke after content
    (``partial_stream``, `._streams`), the call makes no further attempt, and its task
    sleeps no positive time before its next attempt, or the end of the test (a sleep of 0 s is
    a yield, not a wait).
    `assert_resilient` applies it to ``give_up`` only: after a ``retry_after_window`` error
    or a partial stream, retrying is as right as giving up, as long as the budgets hold.

retry_after (`assert_honoured_retry_after`)
    Every wait after an error with Retry-After (seconds, HTTP-date or ``retry-after-ms``, as
    ``Attempt.retry_after`` reads them) lasts at least that long, less `tolerance`. A call
    that gave up after a Retry-After breaks nothing here, and neither does a give-up error
    carrying one (resending it at all breaks ``give_up``).

backoff (`assert_backed_off`)
    Judged per call on the waits after errors worth retrying (``retry``, a partial stream)
    *without* Retry-After, in order, w1 ... wk:

    * no wait is zero: a retry without waiting hammers a failing provider. One such wait is
      enough to judge: a single retry after 0 s breaks the rule;
    * the waits grow, judged on their *upper envelope* (the longest wait so far), not
      neighbour by neighbour: some later wait is longer than the first
      (``max(w2..wk) > w1``), and over three or more waits the longest is at least `GROWTH`
      (1.5) times the first. Dips below the envelope pass: the SDKs' jitter, a cap reached
      after growing (openai's 8 s plateau, tenacity's ``max=``), full jitter. Equal waits
      and waits that never grow past the first (shrinking) fail, and so does a fixed wait
      with jitter once three waits show it never grows by half (a cap below 1.5 times the
      first wait is a fixed wait too).

    Growth needs a call with at least two such waits: one wait cannot show it, and
    `assert_backed_off` says it saw nothing to judge. Two waits cannot tell exponential from
    linear growth, or growth from luck; a third can.

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

request_id (`assert_request_id_logged`)
    The request id of every error the code gave up on appears in an application log record
    (`._request_ids`).

budget and retry (`assert_resilient` only)
    ``budget``: each call makes at most ``policy.max_attempts`` attempts and waits at most
    ``policy.max_total_wait`` seconds between them. ``retry``: a call whose first attempt
    met an error worth retrying retried at least once (a ``retry`` error whose Retry-After
    exceeds the wait budget counts as ``retry_after_window``, `Policy.within_budget`, and may
    end its call).

Counting (`assert_attempts`, `assert_retried`)
    ``assert_attempts(n)`` counts requests that reached the injector (``n=0`` passes on an
    empty timeline). ``assert_retried()`` passes when some call made more than one attempt;
    ``assert_retried(times)`` compares `times` with the retries summed over all calls (the
    attempts after the first of each call).

Resilient (`assert_resilient`)
    Every rule the timeline gives something to judge, less those the policy
    (``llm_errors_skip_rules``) and ``skip=`` leave out: ``budget``, ``retry``, ``give_up``
    (on ``give_up`` errors), ``retry_after`` (with `RETRY_AFTER_TOLERANCE`), ``backoff`` (no
    zero wait on any call; growth on calls with two waits or more) and ``request_id`` (of
    each error given up on, at ``policy.request_id_level``). All violations are listed at
    once; with no attempt at all it fails saying the client never reached the injector.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from .._faults import Attempt
from .._policy import RULES, Policy
from ._calls import Call, Calls
from ._messages import attempt_name, indexes, said, seconds
from ._request_ids import request_id_problems, request_id_targets
from ._streams import Judged, classify_stream_fault, stream_fault_reason

#: What `assert_gave_up` judges: errors after which ending the call is right.
GIVE_UP_KINDS: tuple[Judged, ...] = ("give_up", "retry_after_window", "partial_stream")
#: What `backoff` judges the waits after: errors a client retries with backoff.
BACKOFF_KINDS: tuple[Judged, ...] = ("retry", "partial_stream")
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


# -- the rules: each returns one sentence per call that broke it -----------------------------


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


def _why(attempt: Attempt, kind: Judged) -> str:
    if kind == "retry_after_window":
        return "a Retry-After longer than the wait budget"
    if kind == "partial_stream":
        return stream_fault_reason(attempt) or "a stream that broke after content"
    return "an error no retry can fix"


def gave_up_problems(calls: Calls, policy: Policy, kinds: Iterable[Judged]) -> list[str]:
    """After each error judged as one of `kinds`: no further attempt, and no wait."""
    chosen = set(kinds)
    problems = []
    for call in calls.calls:
        retried: list[tuple[Attempt, Judged, Attempt, float]] = []
        waited: tuple[Attempt, Judged, float] | None = None
        for attempt in call.attempts:
            kind = judged(attempt, policy)
            if kind is None or kind not in chosen:
                continue
            following = call.after(attempt)
            if following is not None:
                retried.append((attempt, kind, *following))
            elif (slept := calls.slept_after(attempt)) > 0:
                waited = (attempt, kind, slept)
        if retried:
            first, kind, nxt, wait = retried[0]
            sentence = (
                f"Call {call.number} retried {attempt_name(first)}, {_why(first, kind)}: attempt "
                f"#{nxt.index} followed after {seconds(wait)} s"
            )
            if len(retried) > 1:
                more = indexes(later for _, _, later, _ in retried[1:])
                sentence += f", and {more} followed further give-up errors"
            if waited is not None:
                sentence += (
                    f"; then it waited {seconds(waited[2])} s after attempt "
                    f"#{waited[0].index} before giving up"
                )
            problems.append(said("give_up", f"{sentence}; expected it to give up at once."))
        elif waited is not None:
            attempt, kind, slept = waited
            problems.append(
                said(
                    "give_up",
                    f"Call {call.number} waited {seconds(slept)} s after {attempt_name(attempt)}, "
                    f"{_why(attempt, kind)}, before giving up; expected it to give up at once, "
                    f"without waiting.",
                )
            )
    return problems


def retry_after_problems(calls: Calls, tolerance: float, policy: Policy) -> list[str]:
    """Each wait after a Retry-After lasted at least that long, less `tolerance`."""
    problems = []
    for call in calls.calls:
        short = []
        for attempt in retry_after_errors(call.attempts, policy):
            following = call.after(attempt)
            if following is not None and following[1] < (attempt.retry_after or 0) - tolerance:
                short.append((attempt, *following))
        if not short:
            continue
        parts = "; ".join(
            f"{attempt_name(attempt)} asked for {seconds(attempt.retry_after or 0)} s, but the "
            f"code waited {seconds(wait)} s before attempt #{nxt.index}"
            for attempt, nxt, wait in short
        )
        if len(short) == 1:
            least = max(0.0, (short[0][0].retry_after or 0) - tolerance)
            expected = f"at least {seconds(least)} s"
        else:
            expected = "each wait to last at least its Retry-After"
        problems.append(
            said(
                "retry_after",
                f"Call {call.number} did not honour Retry-After: {parts}; expected {expected} "
                f"(Retry-After less the {seconds(tolerance)} s tolerance).",
            )
        )
    return problems


def retry_after_errors(attempts: Iterable[Attempt], policy: Policy) -> list[Attempt]:
    """Return the errors whose Retry-After the ``retry_after`` rule judges."""
    # Resending a give-up error is wrong however long the wait: that is give_up's to say.
    return [
        a
        for a in attempts
        if a.injected and a.retry_after is not None and judged(a, policy) != "give_up"
    ]


def backoff_waits(call: Call, policy: Policy) -> list[tuple[Attempt, Attempt, float]]:
    """Return (error, next attempt, wait) of each wait after a retryable error, no Retry-After."""
    return [
        (attempt, call.attempts[i + 1], call.waits[i])
        for i, attempt in enumerate(call.attempts[:-1])
        if attempt.retry_after is None and judged(attempt, policy) in BACKOFF_KINDS
    ]


def backoff_problems(calls: Calls, policy: Policy) -> list[str]:
    """The waits after retryable errors without Retry-After are never zero, and grow."""
    problems = []
    for call in calls.calls:
        waits = backoff_waits(call, policy)
        zero = [(error, nxt) for error, nxt, wait in waits if wait <= 0]
        if zero:
            error, nxt = zero[0]
            more = f", and so did {indexes(n for _, n in zero[1:])}" if len(zero) > 1 else ""
            problems.append(
                said(
                    "backoff",
                    f"Call {call.number} retried without waiting: attempt #{nxt.index} followed "
                    f"{attempt_name(error)} after 0 s{more}; expected a backoff wait before every "
                    f"retry.",
                )
            )
            continue
        growth = _growth_problem(call, waits) if len(waits) >= 2 else None
        if growth is not None:
            problems.append(said("backoff", growth))
    return problems


def _growth_problem(call: Call, waits: list[tuple[Attempt, Attempt, float]]) -> str | None:
    values = [wait for _, _, wait in waits]
    first = values[0]
    retried = ", ".join(f"#{nxt.index}" for _, nxt, _ in waits)
    listed = ", ".join(f"{seconds(v)} s" for v in values)
    rose = max(values[1:]) > first * (1 + _SAME)
    if rose and (len(values) < 3 or max(values) >= GROWTH * first):
        return None
    expected = "expected backoff waits that grow (exponential backoff, with jitter)"
    if max(values) - min(values) <= first * _STEADY:
        same = "the same" if max(values) - min(values) <= first * _SAME else "about the same"
        return (
            f"Call {call.number} waited {same} {seconds(first)} s before each of its "
            f"{len(values)} retries ({listed} before attempts {retried}); {expected}."
        )
    if not rose:
        return (
            f"Call {call.number}'s waits shrank: {listed} before attempts {retried}, none "
            f"longer than the first; {expected}."
        )
    return (
        f"Call {call.number}'s waits barely grew: {listed} before attempts {retried}, the "
        f"longest {max(values) / first:.2f} times the first; expected backoff waits that grow "
        f"(over three or more waits, the longest at least {GROWTH:g} times the first)."
    )


def budget_problems(calls: Calls, policy: Policy) -> list[str]:
    """Each call stays within the attempt and wait budgets."""
    problems = []
    for call in calls.calls:
        made = len(call.attempts)
        too_many = made > policy.max_attempts
        too_long = call.total_wait > policy.max_total_wait + 1e-9
        span = f"#{call.first.index} to #{call.last.index}"
        if too_many and too_long:
            sentence = (
                f"Call {call.number} made {made} attempts ({span}) and waited "
                f"{seconds(call.total_wait)} s between them; expected at most "
                f"{policy.max_attempts} attempts (llm_errors_max_attempts) and "
                f"{seconds(policy.max_total_wait)} s of waiting (llm_errors_max_total_wait) "
                f"per call: retries need a bound."
            )
        elif too_many:
            sentence = (
                f"Call {call.number} made {made} attempts ({span}); expected at most "
                f"{policy.max_attempts} per call (llm_errors_max_attempts): retries need a bound."
            )
        elif too_long:
            sentence = (
                f"Call {call.number} waited {seconds(call.total_wait)} s between its attempts; "
                f"expected at most {seconds(policy.max_total_wait)} s per call "
                f"(llm_errors_max_total_wait)."
            )
        else:
            continue
        problems.append(said("budget", sentence))
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
                said(
                    "retry",
                    f"Call {call.number} gave up at once on {attempt_name(attempt)}, a retryable "
                    f"error; expected at least one retry with backoff{hint}.",
                )
            )
    return problems


#: `assert_resilient`'s rules by name, each judging a whole timeline.
_CHECKS: dict[str, Callable[[Calls, Policy, list[logging.LogRecord]], list[str]]] = {
    "budget": lambda calls, policy, _: budget_problems(calls, policy),
    "give_up": lambda calls, policy, _: gave_up_problems(calls, policy, ("give_up",)),
    "retry": lambda calls, policy, _: handled_problems(calls, policy),
    "retry_after": lambda calls, policy, _: retry_after_problems(
        calls, RETRY_AFTER_TOLERANCE, policy
    ),
    "backoff": lambda calls, policy, _: backoff_problems(calls, policy),
    "request_id": lambda calls, policy, records: request_id_problems(
        calls, records, policy.request_id_level, request_id_targets(calls, "final")
    ),
}


def resilience_problems(
    calls: Calls,
    policy: Policy,
    records: list[logging.LogRecord],
    skip: frozenset[str] = frozenset(),
) -> list[str]:
    """Return every broken rule of `policy` over `calls`, one sentence each (empty: resilient).

    The rules in `skip` and in ``policy.skip_rules`` are left out.
    """
    left_out = policy.skip_rules | skip
    problems: list[str] = []
    for rule in RULES:
        if rule not in left_out:
            problems += _CHECKS[rule](calls, policy, records)
    return problems
