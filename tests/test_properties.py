"""Property-based: a client that follows every rule is always judged resilient, and each
one-bug mutant of it is judged not resilient exactly when its bug fires.

The clients are small retry loops on plain httpx / httpx2, run once per hypothesis example
inside `pytest_llmerrors.injecting()` (a fresh injector, fake clock and interception each
time). Each mutant records when its bug changed what it did in a way the rules judge; that
is the oracle the verdict is checked against, in both directions.
"""

from __future__ import annotations

import importlib
import logging
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pytest

pytest.importorskip("hypothesis")

from _client_helpers import retry_after as read_retry_after
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import pytest_llmerrors
from pytest_llmerrors import ErrorInjector, Policy
from pytest_llmerrors.strategies import Schedule, fault_schedules

URL = "https://api.openai.com/v1/chat/completions"
MAX_ATTEMPTS = 5
POLICY = Policy(max_attempts=MAX_ATTEMPTS)
TOLERANCE = 0.05

GENERATIONS = [
    pytest.param("httpx", id="httpx"),
    pytest.param("httpx2", id="httpx2", marks=pytest.mark.httpx2),
]

#: Each mutant's bug, and a fragment of the violation the verdict must report for it.
BUGS = {
    "retries_give_up": "expected it to give up at once",
    "ignores_retry_after": "did not honour Retry-After",
    "constant_wait": "before each of its",
    "no_wait": "retried without waiting",
    "gives_up_on_retryable": "a retryable error; expected at least one retry",
    "unbounded_retries": "per call (llm_errors_max",
    "no_request_id_logging": "is in no application log record",
}

SCHEDULES = fault_schedules(provider="openai", max_steps=4, max_times=3)


def _settings(examples: int) -> settings:
    """Modest example counts, no database, the same examples every run.

    derandomize: a run draws the same schedules every time, so the "bug fired at least
    3 times" floors below cannot fail on an unlucky draw (they did, rarely, in CI).
    """
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )


log = logging.getLogger("tests.properties.client")


@dataclass
class Client:
    """A retry loop that follows every rule, unless `bug` names the one it breaks."""

    lib: ModuleType
    bug: str | None
    rng: random.Random
    #: Why the bug changed a decision the rules judge, once per time it did.
    fired: list[str] = field(default_factory=list)

    def backoff(self, k: int) -> float:
        """The k-th backoff wait of a call: exponential with up to 25 % jitter, as openai's."""
        if self.bug == "no_wait":
            return 0.0
        if self.bug == "constant_wait":
            return 1.0
        return min(0.5 * 2**k, 8.0) * (1 - 0.25 * self.rng.random())

    def call(self, http: Any, number: int) -> None:
        """Make one logical call (a distinct body per call), retrying as the rules say."""
        body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"#{number}"}]}
        attempts, waited, backoffs, plain_waits = 0, 0.0, 0, 0
        while True:
            attempts += 1
            try:
                response = http.post(URL, json=body)
            except self.lib.TransportError:
                status, request_id, retry_after = None, None, None
            else:
                if response.status_code < 400:
                    return
                status = response.status_code
                request_id = response.headers.get("x-request-id")
                retry_after = read_retry_after(response.headers)
            retryable = status is None or POLICY.classify_status(status) == "retry"
            if not retryable and self.bug != "retries_give_up":
                return self.give_up(status, request_id)
            if retryable and self.bug == "gives_up_on_retryable":
                self.fired.append(f"gave up at once on {status or 'a network fault'}")
                return self.give_up(status, request_id)
            if retry_after is not None and self.bug != "ignores_retry_after":
                wait = retry_after
            else:
                wait = self.backoff(backoffs)
                backoffs += 1
            if self.bug != "unbounded_retries" and (
                attempts >= MAX_ATTEMPTS or waited + wait > POLICY.max_total_wait
            ):
                return self.give_up(status, request_id)
            # From here on the call retries: record what the bug made it do.
            if not retryable:
                self.fired.append(f"retried a give-up {status}")
            if retry_after is not None and wait < retry_after - TOLERANCE:
                self.fired.append(f"waited {wait:.3f} s of a {retry_after:.3f} s Retry-After")
            if retry_after is None:
                plain_waits += 1
                if self.bug == "constant_wait" and plain_waits == 2:
                    self.fired.append("two equal backoff waits in one call")
                if self.bug == "no_wait" and plain_waits == 1:
                    self.fired.append("retried without waiting")
            if attempts >= MAX_ATTEMPTS or waited + wait > POLICY.max_total_wait:
                self.fired.append("went past the attempt or wait budget")
            time.sleep(wait)
            waited += wait

    def give_up(self, status: int | None, request_id: str | None) -> None:
        """Stop the call, logging the request id of the error (unless that is the bug)."""
        if self.bug == "no_request_id_logging":
            if status is not None:
                self.fired.append(f"gave up on {status} without logging its request id")
            log.error("gave up on %s", status)
        else:
            log.error("gave up on %s (request id %s)", status, request_id)


def run(
    lib_name: str, bug: str | None, schedule: Schedule, rng: random.Random
) -> tuple[ErrorInjector, list[str]]:
    """Run `schedule` against the client with `bug`: calls until every fault was taken."""
    lib = importlib.import_module(lib_name)
    client = Client(lib, bug, rng)
    with pytest_llmerrors.injecting("openai", policy=POLICY) as inject_error:
        schedule.apply(inject_error)
        with lib.Client(timeout=5.0) as http:
            for number in range(1, schedule.total + 2):
                if sum(a.injected for a in inject_error.attempts) >= schedule.total:
                    break
                client.call(http, number)
    note(f"fired: {client.fired}")
    return inject_error, client.fired


def verdict(inject_error: ErrorInjector) -> str | None:
    """Return the violations `assert_resilient` reports, or None when it passes."""
    try:
        inject_error.assert_resilient()
    except AssertionError as error:
        return str(error)
    return None


@pytest.mark.parametrize("lib", GENERATIONS)
def test_reference_client_is_always_resilient(lib: str) -> None:
    """A client that follows every rule passes assert_resilient on every random schedule."""
    seen: Counter[str] = Counter()

    @_settings(80)
    @given(schedule=SCHEDULES, rng=st.randoms(use_true_random=False))
    def check(schedule: Schedule, rng: random.Random) -> None:
        inject_error, fired = run(lib, None, schedule, rng)
        assert fired == []
        problems = verdict(inject_error)
        assert problems is None, problems
        seen["examples"] += 1
        seen["attempts"] += len(inject_error.attempts)

    check()
    assert seen["examples"] >= 50
    print(f"reference[{lib}]: {seen['examples']} schedules, {seen['attempts']} attempts")


@pytest.mark.parametrize("bug", list(BUGS))
def test_mutant_is_judged_not_resilient_exactly_when_its_bug_fires(bug: str) -> None:
    """Each one-bug mutant fails assert_resilient, naming its rule, whenever its bug fired."""
    seen: Counter[str] = Counter()

    @_settings(50)
    @given(schedule=SCHEDULES, rng=st.randoms(use_true_random=False))
    def check(schedule: Schedule, rng: random.Random) -> None:
        inject_error, fired = run("httpx", bug, schedule, rng)
        problems = verdict(inject_error)
        if fired:
            assert problems is not None, f"the bug fired ({fired}) but the verdict passed"
            assert BUGS[bug] in problems, problems
        else:
            assert problems is None, problems
        seen["fired" if fired else "silent"] += 1

    check()
    # The strategy must exercise the bug often enough for the property to mean something.
    assert seen["fired"] >= 3, seen
    print(f"mutant {bug}: fired in {seen['fired']}, silent in {seen['silent']}")
