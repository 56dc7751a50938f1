"""The verdict rules on synthetic timelines: calls, waits and every rule passing and failing."""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pytest

from pytest_llmerrors._faults import Attempt, Fault
from pytest_llmerrors._policy import Policy
from pytest_llmerrors._verdict import (
    Sleep,
    View,
    assert_attempts,
    assert_backed_off,
    assert_gave_up,
    assert_honoured_retry_after,
    assert_request_id_logged,
    assert_resilient,
    assert_retried,
    format_timeline,
)
from pytest_llmerrors._verdict._calls import group_calls

URL = "https://api.openai.com/v1/chat/completions"
OK = "ok"

#: (status, error, classification) of the answers the tests script.
ANSWERS: dict[str, tuple[int | None, str | None, Any]] = {
    OK: (200, None, None),
    "500": (500, "server_error", "retry"),
    "429": (429, "rate_limit", "retry"),
    "529": (529, "overloaded", "retry"),
    "401": (401, "invalid_api_key", "give_up"),
    "402": (402, "spend_ceiling", "give_up"),
    "window": (429, "rate_limit", "retry_after_window"),
    "timeout": (None, "read_timeout", "retry"),
}


class Script:
    """Builds a timeline on one global fake clock, as the plugin records it."""

    def __init__(self) -> None:
        self.clock = 0.0
        self.attempts: list[Attempt] = []
        self.sleeps: list[Sleep] = []
        self.records: list[logging.LogRecord] = []

    def send(
        self,
        answer: str = "500",
        *,
        task: str = "t1",
        body: bytes = b'{"q": "ping"}',
        retry_after: float | None = None,
        request_id: str | None = "auto",
        latency: float = 0.0,
        headers: dict[str, str] | None = None,
    ) -> Attempt:
        """Record one attempt answered with `answer`, sent by `task`."""
        status, error, classification = ANSWERS[answer]
        index = len(self.attempts) + 1
        if request_id == "auto":
            request_id = None if status is None else f"req_{index}"
        attempt = Attempt(
            index=index,
            at=self.clock,
            method="POST",
            url=URL,
            path="/v1/chat/completions",
            model="gpt-4o",
            stream=False,
            headers=headers or {},
            status=status,
            error=error,
            request_id=request_id,
            retry_after=retry_after,
            ended_at=self.clock + latency,
            body=body,
            provider="openai",
            classification=classification,
            task=task,
        )
        self.clock += latency
        self.attempts.append(attempt)
        return attempt

    def sleep(self, seconds: float, *, task: str = "t1") -> None:
        """Record a sleep of `task`; it moves the global clock, as the fake clock does."""
        self.sleeps.append(Sleep(self.clock, seconds, task))
        self.clock += seconds

    def call(self, answers: Sequence[str], waits: Iterable[float], **options: Any) -> None:
        """Record one call: `answers` in order, sleeping each of `waits` in between."""
        waits = list(waits)
        for position, answer in enumerate(answers):
            self.send(answer, **options)
            if position < len(answers) - 1:
                self.sleep(waits[position], task=options.get("task", "t1"))

    def log(
        self, message: str, *args: object, level: int = logging.ERROR, name: str = "app"
    ) -> None:
        """Record an application log record."""
        self.records.append(logging.LogRecord(name, level, __file__, 1, message, args, None))

    def view(self, policy: Policy | None = None) -> View:
        """Return the view the rules judge."""
        return View(list(self.attempts), list(self.sleeps), list(self.records), policy or Policy())


def retrying(waits: Sequence[float], answer: str = "500") -> View:
    """Return the view of one call that met len(waits) errors, waited `waits`, then succeeded."""
    script = Script()
    script.call([answer] * len(waits) + [OK], waits)
    return script.view()


def fails(check: Callable[[], None], *fragments: str) -> str:
    """Assert that `check` raises AssertionError whose message holds every fragment."""
    with pytest.raises(AssertionError) as info:
        check()
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    return message


def openai_waits(count: int, rng: random.Random) -> list[float]:
    """Waits of the openai/anthropic SDKs: min(0.5 * 2**n, 8) less up to 25 % jitter."""
    return [min(0.5 * 2.0**n, 8.0) * (1 - 0.25 * rng.random()) for n in range(count)]


# -- calls and waits --------------------------------------------------------------------------


def test_retry_joins_its_call() -> None:
    """A repeated request after an error is a retry of the same call."""
    script = Script()
    script.call(["500", "500", OK], [1, 2])
    calls = group_calls(script.attempts, script.sleeps)
    assert [len(c.attempts) for c in calls.calls] == [3]
    assert calls.calls[0].waits == [1, 2]


def test_request_after_success_starts_a_new_call() -> None:
    """The same request after a success is a new call."""
    script = Script()
    script.call([OK], [])
    script.call(["500", OK], [1])
    assert [len(c.attempts) for c in group_calls(script.attempts, script.sleeps).calls] == [1, 2]


def test_different_body_starts_a_new_call() -> None:
    """A request with another body is another call, even right after an error."""
    script = Script()
    script.send("401", body=b"a")
    script.send("401", body=b"b")
    assert len(group_calls(script.attempts, script.sleeps).calls) == 2


def test_sdk_retry_count_zero_does_not_split_a_call() -> None:
    """A loop around an SDK with max_retries=0 sends retry-count 0 each time: still retries."""
    script = Script()
    script.send("500", headers={"x-stainless-retry-count": "0"})
    script.send(OK, headers={"X-Stainless-Retry-Count": "0"})
    assert len(group_calls(script.attempts, script.sleeps).calls) == 1


def test_other_idempotency_key_starts_a_new_call() -> None:
    """A different Idempotency-Key is a different call."""
    script = Script()
    script.send("500", headers={"Idempotency-Key": "a"})
    script.send("500", headers={"Idempotency-Key": "b"})
    script.send(OK, headers={"Idempotency-Key": "a"})
    calls = group_calls(script.attempts, script.sleeps).calls
    assert [[a.index for a in c.attempts] for c in calls] == [[1, 3], [2]]


def test_interleaved_tasks_group_by_task() -> None:
    """25 tasks sending the same request interleaved: each task's retries stay in its call."""
    script = Script()
    tasks = [f"task{i}" for i in range(25)]
    for task in tasks:
        script.send("429", task=task)
    for task in tasks:
        script.sleep(1, task=task)
    for task in reversed(tasks):
        script.send(OK, task=task)
    calls = group_calls(script.attempts, script.sleeps).calls
    assert len(calls) == 25
    assert all(len({a.task for a in c.attempts}) == 1 and len(c.attempts) == 2 for c in calls)
    assert all(c.waits == [1] for c in calls)


def test_wait_is_the_tasks_own_sleeps() -> None:
    """Concurrent sleepers add up on the global clock; a wait counts only the task's own."""
    script = Script()
    script.send("500", task="a")
    script.send("500", task="b")
    script.sleep(1, task="a")
    script.sleep(3, task="b")
    script.send(OK, task="a")
    script.send(OK, task="b")
    calls = group_calls(script.attempts, script.sleeps).calls
    assert [c.waits for c in calls] == [[1], [3]]


def test_zero_sleeps_are_yields() -> None:
    """Sleeps of 0 s are not waits: the clock difference stands in."""
    script = Script()
    script.send("500")
    script.sleep(0)
    script.send(OK)
    assert group_calls(script.attempts, script.sleeps).calls[0].waits == [0]


def test_wait_falls_back_to_the_clock() -> None:
    """Without recorded sleeps (fake_time=False), the wait is the clock difference."""
    script = Script()
    script.send("500")
    script.clock += 2.5
    script.send(OK)
    assert group_calls(script.attempts, script.sleeps).calls[0].waits == [2.5]


def test_wait_starts_after_latency() -> None:
    """The wait runs from the end of the answer, not from the request."""
    script = Script()
    script.send("timeout", latency=600)
    script.sleep(0.5)
    script.send(OK)
    assert group_calls(script.attempts, script.sleeps).calls[0].waits == [0.5]


# -- assert_attempts / assert_retried ---------------------------------------------------------


def test_attempts_counts_requests() -> None:
    """assert_attempts passes on the exact count and fails otherwise."""
    view = retrying([1, 2])
    assert_attempts(view, 3)
    fails(lambda: assert_attempts(view, 2), "Expected 2 attempts, saw 3.")


def test_no_request_says_the_client_never_reached_the_injector() -> None:
    """With no attempt, a rule fails saying the client never reached the injector."""
    view = Script().view()
    fails(lambda: assert_resilient(view), "No request reached the injector", "httpx2")
    fails(lambda: assert_retried(view, None), "probably never reached it")
    assert_attempts(view, 0)


def test_retried_needs_a_call_with_two_attempts() -> None:
    """assert_retried passes when a call retried and fails when every call tried once."""
    assert_retried(retrying([1]), None)
    script = Script()
    script.call([OK], [])
    script.call(["401"], [], body=b"other")
    fails(lambda: assert_retried(script.view(), None), "each of its 2 calls made a single attempt")


def test_retried_times_sums_retries_over_calls() -> None:
    """assert_retried(times) counts the attempts after the first of each call, summed."""
    script = Script()
    script.call(["500", OK], [1], task="a", body=b"a")
    script.call(["500", "500", OK], [1, 2], task="b", body=b"b")
    assert_retried(script.view(), 3)
    fails(lambda: assert_retried(script.view(), 2), "Expected exactly 2 retries", "saw 3")


# -- assert_gave_up ---------------------------------------------------------------------------


def test_gave_up_passes_on_one_attempt() -> None:
    """A 401 answered once and not retried is given up."""
    script = Script()
    script.send("401")
    assert_gave_up(script.view())


def test_gave_up_fails_on_a_retried_401() -> None:
    """Retrying a 401 breaks the give-up rule, naming the call and attempts."""
    script = Script()
    script.call(["401", "401"], [0.5])
    fails(
        lambda: assert_gave_up(script.view()),
        "Call 1 retried attempt #1 (401 invalid_api_key)",
        "attempt #2 followed after 0.5 s",
    )


def test_gave_up_fails_on_a_wait_before_giving_up() -> None:
    """Sleeping after a give-up error before giving up breaks the rule."""
    script = Script()
    script.send("402")
    script.sleep(2)
    fails(lambda: assert_gave_up(script.view()), "waited 2 s after attempt #1 (402 spend_ceiling)")


def test_gave_up_ignores_yields_and_later_calls() -> None:
    """A 0 s yield, or sleeps after the task's next call, are not waits before giving up."""
    script = Script()
    script.send("401")
    script.sleep(0)
    script.call(["500", OK], [1], body=b"next")
    assert_gave_up(script.view())


def test_gave_up_judges_retry_after_window() -> None:
    """A Retry-After past the wait budget is a give-up error for assert_gave_up."""
    script = Script()
    script.call(["window", OK], [3600], retry_after=3600)
    fails(lambda: assert_gave_up(script.view()), "a Retry-After longer than the wait budget")


def test_gave_up_without_give_up_error_has_nothing_to_judge() -> None:
    """assert_gave_up fails when no give-up error was answered."""
    fails(lambda: assert_gave_up(retrying([1])), "saw nothing to judge")


# -- assert_honoured_retry_after --------------------------------------------------------------


def test_retry_after_honoured() -> None:
    """Waiting at least Retry-After (less the tolerance) passes."""
    script = Script()
    script.call(["429", "429", OK], [2, 1.97], retry_after=2)
    assert_honoured_retry_after(script.view(), 0.05)


def test_retry_after_ignored() -> None:
    """Waiting less than Retry-After fails, naming the attempts."""
    script = Script()
    script.call(["429", OK], [0.4], retry_after=2)
    fails(
        lambda: assert_honoured_retry_after(script.view(), 0.05),
        "attempt #1 (429 rate_limit) asked for 2 s, but the code waited 0.4 s before attempt #2",
    )


def test_retry_after_from_http_date() -> None:
    """An HTTP-date Retry-After (fractional seconds on the fake clock) is judged the same."""
    script = Script()
    script.send("429", retry_after=1.6)
    script.sleep(2)
    script.send("429", retry_after=1.6)
    script.sleep(1)
    script.send(OK)
    fails(
        lambda: assert_honoured_retry_after(script.view(), 0.05),
        "attempt #2 (429 rate_limit) asked for 1.6 s, but the code waited 1 s before attempt #3",
    )


def test_retry_after_then_give_up_is_no_violation() -> None:
    """A call that gave up after a Retry-After breaks nothing here."""
    script = Script()
    script.send("429", retry_after=30)
    assert_honoured_retry_after(script.view(), 0.05)


def test_retry_after_missing_has_nothing_to_judge() -> None:
    """assert_honoured_retry_after fails when no answer carried Retry-After."""
    fails(
        lambda: assert_honoured_retry_after(retrying([1]), 0.05), "no response carried Retry-After"
    )


# -- assert_backed_off ------------------------------------------------------------------------


def test_openai_jittered_backoff_passes() -> None:
    """The openai/anthropic SDK waits pass for every seed, plateau at 8 s included."""
    for seed in range(300):
        rng = random.Random(seed)
        assert_backed_off(retrying(openai_waits(2, rng)))
        assert_backed_off(retrying(openai_waits(9, rng)))


def test_tenacity_and_backoff_expo_pass() -> None:
    """wait_exponential / backoff.expo (1, 2, 4, ...) and wait_exponential_jitter pass."""
    assert_backed_off(retrying([1, 2, 4, 8]))
    for seed in range(300):
        rng = random.Random(seed)
        assert_backed_off(retrying([2.0**n + rng.uniform(0, 1) for n in range(2)]))
        assert_backed_off(retrying([min(2.0**n + rng.uniform(0, 1), 10) for n in range(6)]))


def test_cap_plateau_after_growth_passes() -> None:
    """Waits that reached a cap after growing pass."""
    assert_backed_off(retrying([1, 2, 4, 10, 10, 10]))


def test_constant_wait_fails() -> None:
    """Equal waits fail, even a plateau from the first wait on."""
    fails(
        lambda: assert_backed_off(retrying([1, 1, 1])), "waited the same 1 s before each of its 3"
    )


def test_zero_wait_fails() -> None:
    """Retrying without waiting fails."""
    fails(
        lambda: assert_backed_off(retrying([0, 0])),
        "Call 1 retried without waiting: attempt #2 followed attempt #1 (500 server_error)",
    )


def test_shrinking_waits_fail() -> None:
    """Waits that never grow past the first fail."""
    fails(lambda: assert_backed_off(retrying([4, 2, 1])), "waits shrank: 4 s, 2 s, 1 s")


def test_fixed_wait_with_jitter_fails_over_three_waits() -> None:
    """A fixed wait with 25 % jitter never grows by half: three waits show it."""
    for seed in range(100):
        rng = random.Random(seed)
        waits = [1 + rng.uniform(0, 0.25) for _ in range(3)]
        if max(waits[1:]) > waits[0]:
            view = retrying(waits)
            fails(lambda: assert_backed_off(view), "Call 1")  # noqa: B023


def test_cap_below_growth_factor_is_a_fixed_wait() -> None:
    """A cap reached at once (1 s, then 1.2 s for ever) fails over three waits."""
    fails(lambda: assert_backed_off(retrying([1, 1.2, 1.2])), "the longest 1.20 times the first")
    fails(lambda: assert_backed_off(retrying([1, 1.05, 1.02])), "waited about the same 1 s")


def test_full_jitter_is_judged_on_the_envelope() -> None:
    """Full jitter passes when a later draw beats the first, however the draws dip in between."""
    assert_backed_off(retrying([0.6, 0.1, 3.2, 0.4]))
    fails(lambda: assert_backed_off(retrying([0.9, 0.3, 0.2])), "waits shrank")


def test_full_jitter_passes_most_draws() -> None:
    """Full jitter with four waits passes on the vast majority of seeds."""
    passed = 0
    for seed in range(1000):
        rng = random.Random(seed)
        try:
            assert_backed_off(retrying([rng.uniform(0, 2.0**n) for n in range(4)]))
        except AssertionError:
            continue
        passed += 1
    assert passed > 970


def test_waits_after_retry_after_are_not_backoff() -> None:
    """Waits after a Retry-After are left out of the backoff rule."""
    script = Script()
    for answer, wait in (("429", 2.0), ("429", 2.0), ("500", 1.0)):
        script.send(answer, retry_after=None if answer == "500" else 2)
        script.sleep(wait)
    script.send(OK)
    fails(lambda: assert_backed_off(script.view()), "saw nothing to judge", "saw 1 at most")


def test_retry_handed_to_a_new_task_joins_its_call() -> None:
    """A retry sent by a new task of its thread (wait_for per attempt) continues the call."""
    script = Script()
    script.send("500", task="7/attempt1")
    script.sleep(1, task="7/loop")
    script.send("500", task="7/attempt2")
    script.sleep(2, task="7/loop")
    script.send(OK, task="7/attempt3")
    calls = group_calls(script.attempts, script.sleeps).calls
    assert [c.waits for c in calls] == [[1, 2]]


def test_backoff_needs_two_waits_in_one_call() -> None:
    """One wait per call cannot show growth: nothing to judge."""
    fails(lambda: assert_backed_off(retrying([1])), "needs a call with at least two waits")


# -- assert_request_id_logged -----------------------------------------------------------------


def _surfaced_500() -> Script:
    script = Script()
    script.call(["500", "500", "500"], [0.5, 1])
    return script


def test_request_id_logged_at_error_passes() -> None:
    """The final error's request id in an application ERROR record passes."""
    script = _surfaced_500()
    script.log("LLM call failed (request id %s)", "req_3")
    assert_request_id_logged(script.view(), logging.INFO, "final")


def test_request_id_in_extra_fields_counts() -> None:
    """A request id passed as an ``extra`` field counts."""
    script = _surfaced_500()
    record = logging.LogRecord("app", logging.WARNING, __file__, 1, "LLM call failed", (), None)
    record.request_id = "req_3"
    script.records.append(record)
    assert_request_id_logged(script.view(), logging.INFO, "final")


def test_request_id_not_logged_fails() -> None:
    """No record holding the request id fails, naming the attempt."""
    script = _surfaced_500()
    script.log("LLM call failed")
    fails(
        lambda: assert_request_id_logged(script.view(), logging.INFO, "final"),
        "The request id req_3 of attempt #3 (500 server_error) in call 1",
    )


def test_request_id_at_debug_only_fails() -> None:
    """An application record below the level does not count, and the message says where it was."""
    script = _surfaced_500()
    script.log("failed: %s", "req_3", level=logging.DEBUG)
    fails(
        lambda: assert_request_id_logged(script.view(), logging.INFO, "final"),
        "it appears only in DEBUG records of app",
    )


def test_request_id_by_sdk_logger_only_fails() -> None:
    """Records of the SDK and HTTP-library loggers never count."""
    script = _surfaced_500()
    script.log("request_id: %s", "req_3", level=logging.ERROR, name="openai._base_client")
    script.log("request_id: %s", "req_3", level=logging.ERROR, name="httpx2")
    fails(
        lambda: assert_request_id_logged(script.view(), logging.INFO, "final"),
        "openai._base_client",
    )


def test_request_id_which_all() -> None:
    """which="all" checks every error's request id, which="final" only the last."""
    script = _surfaced_500()
    script.log("failed: %s", "req_3")
    assert_request_id_logged(script.view(), logging.INFO, "final")
    fails(lambda: assert_request_id_logged(script.view(), logging.INFO, "all"), "req_1", "req_2")


def test_request_id_skips_network_faults() -> None:
    """Network faults carry no request id: nothing to judge when only they surfaced."""
    script = Script()
    script.call(["timeout", "timeout"], [0.5], request_id="req_never_seen")
    fails(
        lambda: assert_request_id_logged(script.view(), logging.INFO, "final"), "nothing to judge"
    )


def test_request_id_which_must_be_known() -> None:
    """An unknown ``which`` is a ValueError naming the choices."""
    with pytest.raises(ValueError, match='"final" or "all"'):
        assert_request_id_logged(_surfaced_500().view(), logging.INFO, "last")


# -- assert_resilient -------------------------------------------------------------------------


def test_resilient_sdk_like_client_passes() -> None:
    """Backoff, an honoured Retry-After and a logged request id pass."""
    script = Script()
    script.send("500")
    script.sleep(0.45)
    script.send("429", retry_after=2)
    script.sleep(2)
    script.send("500")
    script.sleep(0.9)
    script.send(OK)
    script.send("401", body=b"bad")
    script.log("gave up: %s", "req_5")
    assert_resilient(script.view())


def test_resilient_retry_after_window_give_up_is_fine() -> None:
    """Giving up at once on a Retry-After past the wait budget passes."""
    script = Script()
    script.send("window", retry_after=3600)
    script.log("rate limited for an hour, request %s", "req_1")
    assert_resilient(script.view())


def test_resilient_gives_up_on_429_fails() -> None:
    """A retryable error given up at once fails."""
    script = Script()
    script.send("429", retry_after=2)
    script.log("failed %s", "req_1")
    fails(
        lambda: assert_resilient(script.view()),
        "Call 1 gave up at once on attempt #1 (429 rate_limit), a retryable error",
        "Retry-After of 2 s",
    )


def test_resilient_attempt_budget_exceeded_fails() -> None:
    """More attempts in a call than max_attempts fails."""
    script = Script()
    script.call(["500"] * 4 + [OK], [1, 2, 4, 8])
    message = fails(
        lambda: assert_resilient(script.view(Policy(max_attempts=3))),
        "Call 1 made 5 attempts (#1 to #5); expected at most 3 per call",
    )
    assert "waited" not in message.split("Timeline")[0]


def test_resilient_wait_budget_exceeded_fails() -> None:
    """More waiting in a call than max_total_wait fails."""
    script = Script()
    script.call(["500", "500", "500", OK], [10, 20, 40])
    fails(
        lambda: assert_resilient(script.view(Policy(max_total_wait=60))),
        "Call 1 waited 70 s between its attempts; expected at most 60 s",
    )


def test_resilient_lists_every_violation() -> None:
    """All broken rules are listed at once, then the timeline."""
    script = Script()
    script.call(["401", "401"], [1], body=b"a")
    script.call(["429", OK], [0.1], retry_after=5, body=b"b")
    script.call(["500", "500", "500"], [1, 1], body=b"c")
    message = fails(
        lambda: assert_resilient(script.view()),
        "Call 1 retried attempt #1 (401 invalid_api_key)",
        "Call 2 did not honour Retry-After",
        "Call 3 waited the same 1 s",
        "The request id req_2 of attempt #2",
        "The request id req_7 of attempt #7",
        "Timeline",
    )
    assert message.count("\n- ") == 4


def test_resilient_single_zero_waits_are_judged_across_calls() -> None:
    """Two calls each retrying once without waiting fail the backoff rule."""
    script = Script()
    script.call(["500", OK], [0], task="a")
    script.call(["500", OK], [0], task="b")
    fails(lambda: assert_resilient(script.view()), "retried without waiting")


def test_resilient_single_waits_need_no_growth() -> None:
    """Concurrent calls each retrying once after the same wait pass: one wait shows no trend."""
    script = Script()
    for task in ("a", "b", "c"):
        script.send("500", task=task)
    for task in ("a", "b", "c"):
        script.sleep(1, task=task)
    for task in ("a", "b", "c"):
        script.send(OK, task=task)
    assert_resilient(script.view())


# -- messages ---------------------------------------------------------------------------------


def test_timeline_table_is_aligned() -> None:
    """The timeline shows index, call, time, request, answer, request id, Retry-After and wait."""
    script = Script()
    script.call(["429", "timeout", OK], [2, 0.75], retry_after=None)
    table = format_timeline(script.view()).splitlines()
    assert table[0].split() == [
        "#",
        "call",
        "at",
        "(s)",
        "request",
        "answer",
        "request",
        "id",
        "Retry-After",
        "wait",
        "(s)",
    ]
    assert table[1].split() == [
        "1",
        "1",
        "0.000",
        "POST",
        "/v1/chat/completions",
        "(gpt-4o)",
        "429",
        "rate_limit",
        "req_1",
        "-",
        "2",
    ]
    assert table[2].split()[6:] == ["read_timeout", "-", "-", "0.75"]
    assert table[3].split()[6:] == ["200", "req_3", "-", "-"]
    assert len({line.index("POST") for line in table[1:]}) == 1


def test_retry_after_past_the_budget_is_a_window_whatever_the_classification() -> None:
    """A retry error asking for more than max_total_wait may be given up at once."""
    script = Script()
    script.send("429", retry_after=600)
    script.log("rate limited, request %s", "req_1")
    assert_resilient(script.view())
    fails(lambda: assert_resilient(script.view(Policy(max_total_wait=900))), "gave up at once")


def test_policy_reads_every_retry_after_form_against_the_budget() -> None:
    """Seconds, retry-after-ms and an HTTP-date past the budget all make a window."""
    policy = Policy(max_total_wait=60)
    base = Fault("rate_limit", status=429)
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=120)
    assert policy.classify("openai", base.replace(retry_after=30)) == "retry"
    assert policy.classify("openai", base.replace(retry_after=61)) == "retry_after_window"
    assert policy.classify("openai", base.replace(retry_after_ms=90_000)) == "retry_after_window"
    assert policy.classify("openai", base.replace(retry_after=later)) == "retry_after_window"
    assert policy.classify("openai", base.replace(classification="give_up")) == "give_up"
