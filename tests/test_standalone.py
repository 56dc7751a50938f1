"""`pytest_llmerrors.injecting()`: the plugin's machinery for one block, outside the fixture."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

import pytest_llmerrors
from pytest_llmerrors import Policy, openai_compatible_provider

URL = "https://api.openai.com/v1/chat/completions"


def test_each_block_gets_a_fresh_injector_and_fake_clock() -> None:
    """Two blocks in a row: each starts with an empty queue, timeline and clock."""
    for _ in range(2):
        with pytest_llmerrors.injecting("openai") as inject_error:
            assert inject_error.attempts == [] and inject_error.clock.now() == 0
            inject_error(429, retry_after=3)
            assert httpx.post(URL, json={}).status_code == 429
            time.sleep(3)
            assert httpx.post(URL, json={}).status_code == 200
        inject_error.assert_resilient()
        assert inject_error.sleeps == [3]


def test_everything_is_restored_when_the_block_raises() -> None:
    """An exception inside the block still restores time, sleeps and the transports."""
    originals = (time.sleep, time.time, asyncio.sleep)
    with pytest.raises(RuntimeError, match="half-way"), pytest_llmerrors.injecting():
        time.sleep(100)
        raise RuntimeError("half-way")
    assert (time.sleep, time.time, asyncio.sleep) == originals
    assert abs(time.time() - time.clock_gettime(time.CLOCK_REALTIME)) < 1.0


def test_policy_and_custom_provider_apply() -> None:
    """policy= sets the budgets judged; a Provider object serves its own gateway."""
    gateway = openai_compatible_provider("acme", request_id_header="x-acme-trace")
    with pytest_llmerrors.injecting(gateway, policy=Policy(max_attempts=2)) as inject_error:
        inject_error(500, times=2)
        for wait in (0.5, 1.0):
            httpx.post("https://llm.acme.test/v1/chat/completions", json={})
            time.sleep(wait)
        response = httpx.post("https://llm.acme.test/v1/chat/completions", json={})
    assert "x-acme-trace" in response.headers
    with pytest.raises(AssertionError, match="expected at most 2 per call"):
        inject_error.assert_resilient()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"provider": "acme"}, ValueError, "Unknown provider 'acme'. Valid providers: anthropic"),
        ({"provider": 5}, TypeError, "provider must be a profile name or a pytest_llmerrors"),
        ({"fake_time": "no"}, TypeError, "fake_time must be True or False, not 'no'"),
        ({"seed": "x"}, TypeError, "seed must be an int, not 'x'"),
        ({"policy": {}}, TypeError, "policy must be a pytest_llmerrors.Policy"),
    ],
)
def test_bad_arguments_name_the_valid_choices(
    kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    """Bad arguments raise before anything is patched, naming what is valid."""
    with pytest.raises(error) as caught, pytest_llmerrors.injecting(**kwargs):  # type: ignore[arg-type]
        pass
    assert message in str(caught.value)
    assert time.sleep.__module__ == "time"


def test_refused_inside_a_marked_test(pytester: pytest.Pytester) -> None:
    """Only one harness runs per process: injecting() inside a marked test says so."""
    pytester.makepyfile(
        """
        import pytest, pytest_llmerrors

        @pytest.mark.llm_errors
        def test_it():
            with pytest.raises(RuntimeError, match="Another FakeClock is running"):
                with pytest_llmerrors.injecting():
                    pass
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)
