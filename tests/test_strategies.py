"""The public hypothesis strategy `pytest_llmerrors.strategies.fault_schedules`."""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

import httpx
import pytest

pytest.importorskip("hypothesis")

from _client_helpers import retry_after as read_retry_after
from hypothesis import HealthCheck, find, given, settings

import pytest_llmerrors
from pytest_llmerrors import ErrorInjector
from pytest_llmerrors._policy import DEFAULT_GIVE_UP
from pytest_llmerrors.strategies import Schedule, Step, fault_schedules

URL = "https://api.openai.com/v1/chat/completions"
QUICK = settings(
    max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
log = logging.getLogger("tests.strategies.client")


def _ask(http: httpx.Client, number: int, retry_401: bool) -> None:
    """A client that follows the rules; with `retry_401` it also retries bad keys (a bug)."""
    body = {"model": "m", "messages": [{"role": "user", "content": f"#{number}"}]}
    backoffs = 0
    for attempt in range(1, 6):
        request_id = retry_after = None
        try:
            response = http.post(URL, json=body)
        except httpx.TransportError:
            pass
        else:
            if response.is_success:
                return
            request_id = response.headers.get("x-request-id")
            retry_after = read_retry_after(response.headers)
            status = response.status_code
            if status in DEFAULT_GIVE_UP and not (retry_401 and status == 401):
                break
        if attempt == 5:
            break
        if retry_after is None:
            retry_after, backoffs = 0.5 * 2**backoffs, backoffs + 1
        time.sleep(retry_after)
    log.error("gave up (request id %s)", request_id)


def _judge(schedule: Schedule, retry_401: bool) -> bool:
    """Run `schedule` against the client; return whether assert_resilient passes."""
    with pytest_llmerrors.injecting("openai") as inject_error, httpx.Client() as http:
        schedule.apply(inject_error)
        for number in range(1, schedule.total + 2):
            if sum(a.injected for a in inject_error.attempts) >= schedule.total:
                break
            _ask(http, number, retry_401)
    try:
        inject_error.assert_resilient()
    except AssertionError:
        return False
    return True


@QUICK
@given(fault_schedules(provider="openai", retry_after=["ms"], network=False))
def test_schedule_steps_are_served_in_order_and_form(schedule: Schedule) -> None:
    """Applying a schedule queues its steps in order: statuses, repetitions and Retry-After."""
    with pytest_llmerrors.injecting("openai") as inject_error, httpx.Client() as http:
        schedule.apply(inject_error)
        for _ in range(schedule.total):
            http.post(URL, json={})
        assert http.post(URL, json={}).status_code == 200
    expected = [
        (step.fault, None if step.retry_after_ms is None else step.retry_after_ms / 1000)
        for step in schedule
        for _ in range(step.times)
    ]
    seen = [(a.status, a.retry_after) for a in inject_error.attempts[:-1]]
    assert seen == expected


def test_every_retry_after_form_reaches_the_client() -> None:
    """Seconds, retry-after-ms and HTTP-date steps carry the header in that form."""
    schedule = Schedule(
        (Step(429, retry_after=3), Step(503, retry_after_ms=1500), Step(429, retry_after_date=7))
    )
    with pytest_llmerrors.injecting("openai") as inject_error, httpx.Client() as http:
        schedule.apply(inject_error)
        responses = [http.post(URL, json={}) for _ in range(3)]
    assert responses[0].headers["retry-after"] == "3"
    assert responses[1].headers["retry-after-ms"] == "1500"
    date = responses[2].headers["retry-after"]
    assert date.endswith(" GMT")
    assert 7 <= inject_error.attempts[2].retry_after <= 8  # type: ignore[operator]


def test_shrinks_to_the_smallest_schedule_that_breaks_a_client() -> None:
    """A client that retries 401s is broken by a schedule hypothesis shrinks to one 401."""
    minimal = find(
        fault_schedules(provider="openai"),
        lambda schedule: not _judge(schedule, retry_401=True),
        settings=settings(database=None, deadline=None, max_examples=200),
    )
    assert minimal == Schedule((Step(401),))
    assert repr(minimal) == "Schedule(401)"


def test_a_failing_given_test_reports_the_minimal_schedule(pytester: pytest.Pytester) -> None:
    """A user's @given test against a broken client fails showing the shrunk schedule."""
    pytester.makepyfile(
        """
        import httpx, pytest_llmerrors
        from hypothesis import given, settings
        from pytest_llmerrors.strategies import fault_schedules

        def ask(http):
            for _ in range(3):  # retries everything, without waiting: two bugs
                if http.post("https://api.openai.com/v1/chat/completions", json={}).is_success:
                    return

        @settings(deadline=None, database=None)
        @given(fault_schedules(provider="openai", network=False))
        def test_client(schedule):
            with pytest_llmerrors.injecting("openai") as inject_error, httpx.Client() as http:
                schedule.apply(inject_error)
                ask(http)
            inject_error.assert_resilient()
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*Call 1 retried attempt #1 (400 http_400), an error no retry can fix*",
            "*schedule=Schedule(400)*",
        ]
    )


def test_schedule_repr_names_only_what_differs() -> None:
    """A schedule's repr is short: bare faults, then only the options a step sets."""
    schedule = Schedule((Step(500), Step("read_timeout", times=2), Step(429, retry_after=2)))
    assert (
        repr(schedule) == "Schedule(500, Step('read_timeout', times=2), Step(429, retry_after=2))"
    )
    assert schedule.total == 4
    assert len(schedule) == 3


def test_http_date_is_anchored_on_the_injector_clock() -> None:
    """retry_after_date counts from the injector's fake now, rounded up to a whole second."""
    start = dt.datetime(2030, 1, 1, 12, 0, 0, 250000, tzinfo=dt.timezone.utc)
    with pytest_llmerrors.injecting("openai", start=start) as inject_error:
        Schedule((Step(429, retry_after_date=5),)).apply(inject_error)
        queued = inject_error.pending()[0].fault
    assert queued.retry_after == dt.datetime(2030, 1, 1, 12, 0, 6, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"provider": "acme"}, "Unknown provider 'acme'. Valid providers: anthropic"),
        ({"statuses": [200]}, "statuses must be HTTP error statuses 400-599, not [200]"),
        ({"statuses": [True]}, "statuses must be HTTP error statuses 400-599, not [True]"),
        ({"scenarios": ["nope"]}, "Unknown scenario 'nope' for provider 'openai'. Valid"),
        ({"retry_after": ["soon"]}, "Unknown Retry-After form(s) ['soon']. Valid forms: seconds"),
        ({"max_steps": 0}, "max_steps must be a whole number of at least 1, not 0"),
        ({"max_times": 1.5}, "max_times must be a whole number of at least 1, not 1.5"),
        ({"max_retry_after": -1}, "max_retry_after must be a whole number of at least 0"),
        ({"min_steps": 3, "max_steps": 2}, "min_steps (3) must not exceed max_steps (2)"),
        ({"statuses": [], "network": False}, "needs statuses, scenarios or network=True"),
    ],
)
def test_bad_arguments_name_the_valid_choices(kwargs: dict[str, Any], message: str) -> None:
    """fault_schedules rejects bad arguments at once, naming what is valid."""
    with pytest.raises(ValueError) as caught:
        fault_schedules(**kwargs)
    assert message in str(caught.value)


@QUICK
@given(fault_schedules(provider="anthropic", scenarios=["overloaded", "rate_limit"]))
def test_catalog_scenarios_of_the_provider_can_be_drawn(schedule: Schedule) -> None:
    """Scenario steps name the provider's catalog and queue on its injector."""
    with pytest_llmerrors.injecting("anthropic") as inject_error:
        schedule.apply(inject_error)
        assert sum(q.remaining or 0 for q in inject_error.pending()) <= schedule.total


def test_injector_type_is_what_apply_returns() -> None:
    """Schedule.apply returns the injector it queued on, for chaining."""
    with pytest_llmerrors.injecting() as inject_error:
        assert isinstance(Schedule((Step(500),)).apply(inject_error), ErrorInjector)
