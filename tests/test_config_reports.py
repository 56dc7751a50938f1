"""Configuration, extension hooks and reports, including under pytest-xdist."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

RETRYING_APP = """
import httpx, pytest, time

def call():
    for attempt in range(5):
        response = httpx.post("https://api.openai.com/v1/chat/completions", json={"model": "m"})
        if response.status_code < 400:
            return response
        time.sleep(2 ** attempt)
    return response
"""


def test_header_names_provider_and_seed(pytester: pytest.Pytester) -> None:
    """The report header names the provider and the seed, so a run can be repeated."""
    pytester.makepyfile("def test_it(): pass")
    result = pytester.runpytest("--llm-errors-seed=7", "--llm-errors-provider=anthropic")
    result.stdout.fnmatch_lines(["llm-errors: provider=anthropic, seed=7"])


def test_seed_option_seeds_random_before_each_marked_test(pytester: pytest.Pytester) -> None:
    """--llm-errors-seed makes `random` repeat in marked tests, run after run."""
    pytester.makepyfile(
        """
        import random, pytest

        @pytest.mark.llm_errors
        def test_it():
            print("DRAW", random.random())
        """
    )
    first = pytester.runpytest("-s", "--llm-errors-seed=42")
    second = pytester.runpytest("-s", "--llm-errors-seed=42")
    draw = [line for line in first.outlines if line.startswith("DRAW") or " DRAW " in line]
    assert draw and draw == [line for line in second.outlines if "DRAW" in line]
    import random

    random.seed(42)
    assert str(random.random()) in draw[0]


def test_markers_and_help_document_the_plugin(pytester: pytest.Pytester) -> None:
    """pytest --markers and --help document the marker, the options and the ini settings."""
    pytester.runpytest("--markers").stdout.fnmatch_lines(
        ["@pytest.mark.llm_errors(*faults, provider=None, each=None, verify=False*"]
    )
    help_text = pytester.runpytest("--help")
    help_text.stdout.fnmatch_lines(
        [
            "*--llm-errors-provider=NAME*",
            "*--llm-errors-seed=N*",
            "*--llm-errors-report=PATH*",
        ]
    )
    for name in (
        "llm_errors_provider",
        "llm_errors_fake_time",
        "llm_errors_block_network",
        "llm_errors_verify",
        "llm_errors_max_attempts",
        "llm_errors_max_total_wait",
        "llm_errors_request_id_level",
        "llm_errors_give_up",
        "llm_errors_retryable",
    ):
        assert any(line.strip().startswith(name) for line in help_text.outlines), name


def test_ini_settings_reach_the_test(pytester: pytest.Pytester) -> None:
    """Every ini setting changes what a marked test gets."""
    pytester.makeini(
        """
        [pytest]
        asyncio_default_fixture_loop_scope = function
        llm_errors_provider = anthropic
        llm_errors_fake_time = false
        llm_errors_block_network = false
        llm_errors_max_attempts = 4
        llm_errors_max_total_wait = 60
        llm_errors_request_id_level = WARNING
        llm_errors_give_up = 400 401 402 403 404 413 422 409
        llm_errors_retryable = 429 500 502 503 504 529
        """
    )
    pytester.makepyfile(
        """
        import logging, pytest

        @pytest.mark.llm_errors
        def test_it(inject_error):
            assert inject_error.provider.name == "anthropic"
            policy = inject_error.policy
            assert (policy.max_attempts, policy.max_total_wait) == (4, 60.0)
            assert policy.request_id_level == logging.WARNING
            assert 409 in policy.give_up and 409 not in policy.retryable
            with pytest.raises(RuntimeError, match="fake_time"):
                inject_error.clock.advance(1)
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_ini_verify_judges_every_marked_test(pytester: pytest.Pytester) -> None:
    """llm_errors_verify = true fails a marked test whose client retried a 401."""
    pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\nllm_errors_verify = true\n"
    )
    pytester.makepyfile(
        RETRYING_APP
        + """
@pytest.mark.llm_errors(401)
def test_retries_401():
    call()
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*401*"])
    assert "error at teardown" not in result.stdout.str()


def test_summary_is_short_and_warns_about_unconsumed_faults(pytester: pytest.Pytester) -> None:
    """By default the summary is a line of totals, the tests that were not resilient, and a
    warning for each test whose faults no request took."""
    pytester.makepyfile(
        RETRYING_APP
        + """
@pytest.mark.llm_errors
def test_recovers(inject_error):
    inject_error(503, times=2)
    assert call().status_code == 200

@pytest.mark.llm_errors
def test_retries_a_bad_key(inject_error):
    inject_error(401, times=2)
    assert call().status_code == 200

@pytest.mark.llm_errors(429)
def test_never_calls():
    pass
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        [
            "*llm-errors summary*",
            "3 test(s) injected faults: 6 attempt(s), 6s fake wait; 1 not resilient "
            "(-v lists every test)",
            "*test_retries_a_bad_key: http_401 (x2); 3 attempt(s), 3s fake wait; not resilient",
            "*WARNING: *test_never_calls: queued http_429 (x1) but no request took it*",
        ]
    )
    assert "test_recovers:" not in result.stdout.str()


def test_summary_lists_every_injecting_test_with_v(pytester: pytest.Pytester) -> None:
    """With -v the summary also lists each test that injected faults, resilient or not."""
    pytester.makepyfile(
        RETRYING_APP
        + """
@pytest.mark.llm_errors
def test_recovers(inject_error):
    inject_error(503, times=2)
    assert call().status_code == 200

@pytest.mark.llm_errors
def test_no_faults():
    assert call().status_code == 200
"""
    )
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            "1 test(s) injected faults: 3 attempt(s), 3s fake wait; 0 not resilient",
            "*test_recovers: http_503 (x2); 3 attempt(s), 3s fake wait; resilient",
        ]
    )
    assert "test_no_faults:" not in result.stdout.str()


def test_summary_is_silent_without_injected_faults(pytester: pytest.Pytester) -> None:
    """A run whose marked tests queued nothing prints no llm-errors summary."""
    pytester.makepyfile(
        RETRYING_APP
        + """
@pytest.mark.llm_errors
def test_no_faults():
    assert call().status_code == 200
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    assert "llm-errors summary" not in result.stdout.str()


def _write_suite(pytester: pytest.Pytester, count: int) -> None:
    tests = "\n".join(
        f"""
@pytest.mark.llm_errors
def test_case_{i}(inject_error):
    inject_error(500)
    assert call().status_code == 200
"""
        for i in range(count)
    )
    pytester.makepyfile(RETRYING_APP + tests)


def test_json_report_holds_every_timeline(pytester: pytest.Pytester) -> None:
    """--llm-errors-report writes each test's attempts, waits and verdict, with the seed."""
    _write_suite(pytester, 2)
    path = pytester.path / "out" / "report.json"
    pytester.runpytest(f"--llm-errors-report={path}", "--llm-errors-seed=3").assert_outcomes(
        passed=2
    )
    data = json.loads(path.read_text())
    assert (data["provider"], data["seed"]) == ("openai", 3)
    assert [t["nodeid"].split("::")[1] for t in data["tests"]] == ["test_case_0", "test_case_1"]
    first = data["tests"][0]
    assert [a["status"] for a in first["attempts"]] == [500, 200]
    assert first["sleeps"] == [1.0]
    assert first["faults"] == ["http_500 (x1)"]
    assert first["verdict"] in {"resilient", "not resilient"}


def test_json_report_under_xdist_holds_every_worker_test(pytester: pytest.Pytester) -> None:
    """Under -n 2 the JSON report and the summary hold the tests of both workers."""
    pytest.importorskip("xdist")
    _write_suite(pytester, 6)
    path = pytester.path / "report.json"
    result = pytester.runpytest_subprocess("-n", "2", "-v", f"--llm-errors-report={path}")
    result.assert_outcomes(passed=6)
    data = json.loads(path.read_text())
    assert len(data["tests"]) == 6
    assert all(len(t["attempts"]) == 2 for t in data["tests"])
    assert sum("::test_case_" in line and "fake wait" in line for line in result.outlines) == 6
    result.stdout.fnmatch_lines(["6 test(s) injected faults: 12 attempt(s), *"])


def test_junit_xml_gets_the_verdict_as_properties(pytester: pytest.Pytester) -> None:
    """JUnit XML carries llm_errors_verdict and llm_errors_attempts properties."""
    _write_suite(pytester, 1)
    xml = pytester.path / "junit.xml"
    pytester.runpytest(f"--junitxml={xml}").assert_outcomes(passed=1)
    properties = {p.get("name"): p.get("value") for p in ET.parse(xml).iter("property")}
    assert properties["llm_errors_attempts"] == "2"
    assert properties["llm_errors_verdict"] in {"resilient", "not resilient"}


def test_conftest_adds_a_gateway_profile_with_its_own_request_id_header(
    pytester: pytest.Pytester,
) -> None:
    """A conftest hook adds an OpenAI-compatible gateway that the SDK reaches by base_url."""
    pytester.makeconftest(
        """
        from pytest_llmerrors import openai_compatible_provider

        def pytest_llmerrors_providers(config):
            return [openai_compatible_provider("acme", request_id_header="x-acme-trace")]
        """
    )
    pytester.makepyfile(
        """
        import openai, pytest

        @pytest.mark.llm_errors(401, provider="acme")
        def test_it(inject_error):
            client = openai.OpenAI(api_key="k", base_url="https://llm.acme.internal/v1")
            with pytest.raises(openai.AuthenticationError) as caught:
                client.chat.completions.create(model="m", messages=[])
            raw = caught.value.response.headers
            assert raw["x-acme-trace"] == inject_error.attempts[0].request_id
            assert "x-request-id" not in raw
            assert inject_error.attempts[0].provider == "acme"
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_policy_hook_reclassifies_and_attempt_hook_observes(pytester: pytest.Pytester) -> None:
    """The policy hook changes a classification; the attempt hook sees each attempt."""
    pytester.makeconftest(
        """
        SEEN = []

        def pytest_llmerrors_policy(config, provider, scenario):
            if scenario.name == "http_409":
                return "give_up"

        def pytest_llmerrors_attempt(item, attempt):
            SEEN.append((item.name, attempt.index, attempt.status))
        """
    )
    pytester.makepyfile(
        """
        import httpx, pytest
        import conftest

        @pytest.mark.llm_errors(409)
        def test_it(inject_error):
            httpx.post("https://api.openai.com/v1/chat/completions", json={})
            assert inject_error.attempts[0].classification == "give_up"
            assert conftest.SEEN == [("test_it", 1, 409)]
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_json_report_names_the_broken_rules(pytester: pytest.Pytester) -> None:
    """A client that retries a 401 is 'not resilient' in the report, with the rule it broke."""
    pytester.makepyfile(
        RETRYING_APP
        + """
@pytest.mark.llm_errors
def test_retries_401(inject_error):
    inject_error(401, times=2)
    call()
"""
    )
    path = pytester.path / "report.json"
    pytester.runpytest(f"--llm-errors-report={path}").assert_outcomes(passed=1)
    (test,) = json.loads(path.read_text())["tests"]
    assert test["verdict"] == "not resilient"
    assert any("401" in p and "give up at once" in p for p in test["problems"]), test["problems"]
    assert not any(p.startswith("-") for p in test["problems"])
