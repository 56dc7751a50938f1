"""Isolation: a marked test that breaks half-way leaves real time, sleeps and HTTP behind it."""

from __future__ import annotations

import importlib.util

import pytest

HAS_HTTPX2 = importlib.util.find_spec("httpx2") is not None

#: The inner run's conftest: the originals captured before any marked test ran, and a check
#: that everything is real again.
CONFTEST = """
import asyncio, asyncio.base_events, time
import anyio, httpx, pytest

ORIGINALS = (time.sleep, time.time, time.monotonic, asyncio.sleep, anyio.sleep,
             asyncio.base_events.BaseEventLoop.time)
LOOPBACK = {loopback!r}

def assert_everything_is_real():
    assert (time.sleep, time.time, time.monotonic, asyncio.sleep, anyio.sleep,
            asyncio.base_events.BaseEventLoop.time) == ORIGINALS
    from time import sleep
    assert sleep is ORIGINALS[0]
    assert abs(time.time() - time.clock_gettime(time.CLOCK_REALTIME)) < 1.0
    start = time.clock_gettime(time.CLOCK_MONOTONIC)
    time.sleep(0.02)
    asyncio.run(asyncio.sleep(0.02))
    assert time.clock_gettime(time.CLOCK_MONOTONIC) - start >= 0.035
    assert httpx.get(LOOPBACK + "/x").text == "real"
    if {has_httpx2!r}:
        import httpx2
        assert httpx2.get(LOOPBACK + "/x").text == "real"

@pytest.fixture
def queued_then_broken(inject_error):
    inject_error(500)
    raise RuntimeError("fixture broke after inject_error")

@pytest.fixture
def broken_teardown(inject_error):
    yield inject_error
    raise RuntimeError("teardown broke")
"""

TESTS = """
import asyncio, time, httpx, pytest
from conftest import assert_everything_is_real

def post():
    return httpx.post("https://api.openai.com/v1/chat/completions", json={})

@pytest.mark.llm_errors(500)
def test_1_body_fails_half_way():
    post()
    time.sleep(30)
    raise RuntimeError("half-way")

def test_2_real_after_body_failure():
    assert_everything_is_real()

@pytest.mark.llm_errors
def test_3_fixture_setup_fails(queued_then_broken):
    pass

def test_4_real_after_setup_error():
    assert_everything_is_real()

@pytest.mark.llm_errors
def test_5_teardown_fails(broken_teardown):
    broken_teardown(429, retry_after=5)
    post()
    time.sleep(5)

def test_6_real_after_teardown_error():
    assert_everything_is_real()

@pytest.mark.llm_errors(500, verify=True)
def test_7_verdict_fails():
    post()

def test_8_real_after_verdict_failure():
    assert_everything_is_real()

@pytest.mark.llm_errors
def test_9_async_fails_in_loop():
    async def main():
        await asyncio.sleep(10)
        raise RuntimeError("in the loop")
    asyncio.run(main())

def test_10_real_after_async_failure():
    assert_everything_is_real()

@pytest.mark.llm_errors
def test_11_blocked_request():
    httpx.get("https://example.invalid/")

def test_12_real_after_blocked_request():
    assert_everything_is_real()
"""


def test_every_way_a_marked_test_breaks_leaves_real_time_sleeps_and_http(
    pytester: pytest.Pytester, loopback: str
) -> None:
    """After a failure in the body, a fixture's setup or teardown, the next test is real."""
    pytester.makeconftest(CONFTEST.format(loopback=loopback, has_httpx2=HAS_HTTPX2))
    pytester.makepyfile(TESTS)
    result = pytester.runpytest("-p", "no:randomly", "-v")
    result.assert_outcomes(passed=7, failed=4, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*test_1_body_fails_half_way FAILED*",
            "*test_2_real_after_body_failure PASSED*",
            "*test_3_fixture_setup_fails ERROR*",
            "*test_4_real_after_setup_error PASSED*",
            "*test_5_teardown_fails PASSED*",
            "*test_5_teardown_fails ERROR*",
            "*test_6_real_after_teardown_error PASSED*",
            "*test_7_verdict_fails FAILED*",
            "*test_8_real_after_verdict_failure PASSED*",
            "*test_9_async_fails_in_loop FAILED*",
            "*test_10_real_after_async_failure PASSED*",
            "*test_11_blocked_request FAILED*",
            "*test_12_real_after_blocked_request PASSED*",
        ]
    )


def test_a_marked_test_after_a_broken_one_starts_fresh(pytester: pytest.Pytester) -> None:
    """The next marked test gets an empty queue and timeline and a clock at zero."""
    pytester.makepyfile(
        """
        import httpx, pytest

        @pytest.mark.llm_errors
        def test_1_breaks(inject_error):
            inject_error(500, times=3)
            httpx.post("https://api.openai.com/v1/chat/completions", json={})
            raise RuntimeError("half-way")

        @pytest.mark.llm_errors
        def test_2_fresh(inject_error):
            assert inject_error.attempts == [] and inject_error.pending() == []
            assert inject_error.clock.now() == 0
            response = httpx.post("https://api.openai.com/v1/chat/completions", json={})
            assert response.status_code == 200
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1, failed=1)


def test_unmarked_tests_set_up_no_fixture_of_the_plugin(pytester: pytest.Pytester) -> None:
    """A suite's unmarked tests pay nothing per test: no autouse fixture, no case fixture."""
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("n", [1, 2])
        def test_unmarked(n, request):
            ours = [name for name in request.fixturenames if "llm" in name or "inject" in name]
            assert ours == []

        @pytest.mark.llm_errors
        def test_marked_without_the_fixture(request):
            assert "inject_error" in request.fixturenames

        @pytest.mark.llm_errors(provider=["openai", "anthropic"])
        def test_marked_over_providers(request):
            assert "inject_error" in request.fixturenames
            assert request.node.callspec.params["_llm_errors_case"].provider in (
                "openai", "anthropic")
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=5)


def test_the_injector_sets_up_before_the_tests_own_fixtures(pytester: pytest.Pytester) -> None:
    """As under an autouse fixture: a function-scoped fixture the test asks for first already
    runs on fake time and is served; a session-scoped one still runs on real time."""
    pytester.makepyfile(
        """
        import time
        import httpx, pytest

        def real_seconds():
            return time.clock_gettime(time.CLOCK_MONOTONIC)

        @pytest.fixture(scope="session")
        def session_setup():
            began = real_seconds()
            time.sleep(0.05)
            return real_seconds() - began

        @pytest.fixture
        def warmed_up():
            began = real_seconds()
            time.sleep(30)
            response = httpx.post("https://api.openai.com/v1/chat/completions", json={})
            return real_seconds() - began, response.status_code

        @pytest.mark.llm_errors
        def test_asks_for_its_fixture_first(warmed_up, session_setup, inject_error):
            took, status = warmed_up
            assert took < 5 and status == 200
            assert session_setup >= 0.04
            assert inject_error.sleeps == [30.0] and len(inject_error.attempts) == 1

        @pytest.mark.llm_errors
        def test_marker_alone(warmed_up):
            assert warmed_up[0] < 5

        @pytest.mark.parametrize("n", [1, 2])  # pytest prunes a parametrized test's list
        @pytest.mark.llm_errors
        def test_marker_alone_parametrized(n, warmed_up):
            assert warmed_up[0] < 5
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=4)


def test_a_marker_added_by_a_hook_injects(pytester: pytest.Pytester) -> None:
    """A conftest marking items after collection: the marked one gets the injector, its
    unmarked parametrized sibling (same fixture list at collection) does not."""
    pytester.makeconftest(
        """
        import pytest

        def pytest_collection_modifyitems(items):
            for item in items:
                if item.name.endswith("[marked]"):
                    item.add_marker(pytest.mark.llm_errors(401))
        """
    )
    pytester.makepyfile(
        """
        import httpx, pytest

        @pytest.mark.parametrize("kind", ["marked", "plain"])
        def test_it(kind, request):
            if kind == "marked":
                assert "inject_error" in request.fixturenames
                response = httpx.post("https://api.openai.com/v1/chat/completions", json={})
                assert response.status_code == 401
            else:
                assert "inject_error" not in request.fixturenames
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_a_finished_test_lets_its_machinery_go(pytester: pytest.Pytester) -> None:
    """pytest keeps every item to the end of the run: a marked test's session, attempts and
    log records must not stay reachable from it (memory, and garbage-collector time)."""
    pytester.makepyfile(
        """
        import gc, weakref
        import httpx, pytest

        REFS = []

        @pytest.mark.llm_errors
        def test_1_marked(inject_error):
            inject_error(429, retry_after=1)
            httpx.post("https://api.openai.com/v1/chat/completions", json={})
            REFS.append(weakref.ref(inject_error))

        def test_2_after():
            gc.collect()
            assert REFS and REFS[0]() is None
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)
