"""Secrets are never shown in plain text, `seed=` leaves `random` as it found it, and bad
input is refused where it is given."""

from __future__ import annotations

import fnmatch
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from pytest_llmerrors import Fault

# The keys of the inner tests, built so that no source line pytest shows holds one whole.
KEYS = """
OPENAI_KEY = "sk-proj-" + "x" * 24 + "0001"
GOOGLE_KEY = "AIza" + "y" * 30 + "0002"
"""
SECRETS = ("sk-proj-" + "x" * 24 + "0001", "AIza" + "y" * 30 + "0002")


def _no_secret_in(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text
            assert secret[4:-4] not in text  # nor the middle of one


def test_blocked_request_masks_the_key_in_its_url(pytester: pytest.Pytester) -> None:
    """A blocked request's failure shows ``api_key=****0001``, not the key."""
    pytester.makepyfile(
        KEYS
        + """
import openai, pytest

@pytest.mark.llm_errors
def test_it():
    client = openai.OpenAI(
        api_key=OPENAI_KEY, default_query={"api_key": OPENAI_KEY}, max_retries=0
    )
    client.models.list()
"""
    )
    result = pytester.runpytest("-rf")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*pytest-llmerrors blocked GET https://api.openai.com/v1/models?api_key=****0001:*"]
    )
    _no_secret_in(result.stdout.str(), result.stderr.str())


def test_json_report_masks_headers_and_query_keys(pytester: pytest.Pytester) -> None:
    """The JSON report shows ``Bearer ****0001``, ``x-goog-api-key`` and ``?key=`` masked."""
    pytest.importorskip("google.genai")  # not in the httpx-generation environment
    pytester.makepyfile(
        KEYS
        + """
import httpx, openai, pytest
from google import genai

@pytest.mark.llm_errors(429)
def test_openai():
    client = openai.OpenAI(api_key=OPENAI_KEY, max_retries=1)
    client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])

@pytest.mark.llm_errors(500, provider="gemini")
def test_gemini():
    client = genai.Client(api_key=GOOGLE_KEY)
    with pytest.raises(Exception):
        client.models.generate_content(model="gemini-2.0-flash", contents="hi")
    url = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash"
    httpx.post(f"{url}:generateContent?alt=json&key={GOOGLE_KEY}", json={"contents": []})
"""
    )
    report = pytester.path / "out" / "llm.json"
    result = pytester.runpytest(f"--llm-errors-report={report}", "-v")
    result.assert_outcomes(passed=2)
    text = report.read_text()
    _no_secret_in(text, result.stdout.str())
    tests = {t["nodeid"].split("::")[1]: t for t in json.loads(text)["tests"]}
    openai_headers = tests["test_openai"]["attempts"][0]["headers"]
    assert openai_headers["authorization"] == "Bearer ****0001"
    gemini = tests["test_gemini"]["attempts"]
    assert gemini[0]["headers"]["x-goog-api-key"] == "****0002"
    assert gemini[-1]["url"].endswith(":generateContent?alt=json&key=****0002")


def test_junit_xml_holds_no_key(pytester: pytest.Pytester) -> None:
    """JUnit XML (properties and failure messages) holds no key in plain text."""
    pytester.makepyfile(
        KEYS
        + """
import httpx, openai, pytest

@pytest.mark.llm_errors(429, verify=True)
def test_gives_up_on_a_rate_limit():
    client = openai.OpenAI(api_key=OPENAI_KEY, max_retries=0)
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}])

@pytest.mark.llm_errors
def test_blocked():
    httpx.get("https://example.com/v1/search?token=" + OPENAI_KEY)
"""
    )
    xml = pytester.path / "junit.xml"
    result = pytester.runpytest(f"--junitxml={xml}")
    result.assert_outcomes(failed=2)
    text = xml.read_text()
    _no_secret_in(text, result.stdout.str())
    cases = {case.get("name"): case for case in ET.parse(xml).getroot().iter("testcase")}
    rate_limited = cases["test_gives_up_on_a_rate_limit"]
    properties = {p.get("name"): p.get("value") for p in rate_limited.iter("property")}
    assert properties["llm_errors_verdict"] == "not resilient"
    failure = cases["test_blocked"].find("failure")
    assert failure is not None
    assert "search?token=****0001" in failure.get("message", "")


def test_attempt_repr_masks_and_fields_keep_the_real_values(pytester: pytest.Pytester) -> None:
    """``repr(attempt)`` masks the key; ``attempt.headers`` and ``.url`` keep the real one."""
    pytester.makepyfile(
        KEYS
        + """
import httpx, openai, pytest

@pytest.mark.llm_errors
def test_it(inject_error):
    openai.OpenAI(api_key=OPENAI_KEY).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "x"}]
    )
    httpx.post(
        "https://api.openai.com/v1/chat/completions?key=" + GOOGLE_KEY,
        json={"model": "m", "messages": []},
        headers={"x-api-key": GOOGLE_KEY, "Cookie": "session=" + OPENAI_KEY + "; theme=dark"},
    )
    first, second = inject_error.attempts
    assert first.headers["authorization"] == "Bearer " + OPENAI_KEY
    assert second.url.endswith("?key=" + GOOGLE_KEY)
    assert second.headers["x-api-key"] == GOOGLE_KEY
    assert "'authorization': 'Bearer ****0001'" in repr(first)
    shown = repr(second)
    assert "?key=****0002'" in shown
    assert "'x-api-key': '****0002'" in shown
    assert "'cookie': 'session=****0001; theme=****'" in shown
    assert OPENAI_KEY not in shown + repr(first) and GOOGLE_KEY not in shown
    assert first.to_dict(redact=False)["headers"]["authorization"] == "Bearer " + OPENAI_KEY
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_failed_verdict_and_summary_hold_no_key(pytester: pytest.Pytester) -> None:
    """A failing assert_resilient(), its captured log and the summary hold no key."""
    pytester.makepyfile(
        KEYS
        + """
import httpx, pytest

@pytest.mark.llm_errors(429)
def test_it(inject_error):
    url = "https://api.openai.com/v1/chat/completions?api_key=" + OPENAI_KEY
    httpx.post(url, json={"model": "m", "messages": []}, headers={"api-key": OPENAI_KEY})
    inject_error.assert_resilient()
"""
    )
    result = pytester.runpytest("-v", "-rA")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*[[]retry[]]*",
            "*POST /v1/chat/completions (m)*429*",
            "*llm-errors summary*",
            "*test_it: http_429 (x1); 1 attempt(s), 0s fake wait; not resilient",
        ]
    )
    _no_secret_in(result.stdout.str())


def test_seed_restores_random_for_the_tests_that_follow(pytester: pytest.Pytester) -> None:
    """After a test with ``seed=1`` (passing or failing), `random` continues as before it."""
    pytester.makepyfile(
        """
import random, pytest

def test_0_seed_the_run():
    random.seed(99)

@pytest.mark.llm_errors(seed=1)
def test_1_seeded():
    assert random.random() == random.Random(1).random()

@pytest.mark.llm_errors(seed=1)
def test_2_seeded_and_failing():
    random.random()
    raise RuntimeError("boom")

def test_3_unmarked():
    # The run's own sequence, as if the seeded tests never ran: not the seeded one.
    assert random.random() == random.Random(99).random()
"""
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=3, failed=1)


def test_injecting_restores_random_after_the_block(pytester: pytest.Pytester) -> None:
    """``injecting(seed=...)`` seeds `random` inside the block and restores it after."""
    pytester.makepyfile(
        """
import random
from pytest_llmerrors import injecting

def test_it():
    random.seed(99)
    with injecting(seed=1):
        assert random.random() == random.Random(1).random()
    assert random.random() == random.Random(99).random()
"""
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ("'x', status='429'", "Fault 'x': status must be an int HTTP status*not '429'."),
        ("'x', status=True", "Fault 'x': status must be an int*not True."),
        ("'x', status=429, classification=3", "*classification must be one of*not 3."),
        ("'x', status=429, delay='1'", "Fault 'x': delay must be seconds*not '1'."),
        ("'x', status=429, delay=1e300", "Fault 'x': delay must be at most 315360000 seconds*"),
        ("'x', status=429, retry_after=1e300", "*retry_after must be at most 315360000 *"),
        ("'x', status=429, message=None", "Fault 'x': message must be a str, not None."),
        ("'x', status=429, code=5", "Fault 'x': code must be a str or None, not 5."),
        ("'x', status=429, extra=[]", "Fault 'x': extra must be a mapping*"),
        ("'x', status=429, body={1, 2}", "Fault 'x': body must be a str or bytes*JSON*"),
        ("'x', status=429, headers={'a\\nb': 'c'}", "*headers: 'a*b' is not a header name*"),
        ("'x', status=429, after_chunks=1.5", "*after_chunks must be a whole number*"),
        ("'', status=429", "Fault name must be a non-empty str, not ''."),
    ],
)
def test_bad_fault_fields_are_refused_when_built(
    pytester: pytest.Pytester, fields: str, message: str
) -> None:
    """``Fault(...)`` refuses a field of the wrong type, naming the fault and the field."""
    pytester.makepyfile(
        f"""
        import pytest
        from pytest_llmerrors import Fault

        def test_it():
            with pytest.raises(ValueError) as caught:
                Fault({fields})
            print("MESSAGE:", caught.value)
        """
    )
    result = pytester.runpytest("-s")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"*MESSAGE: {message}"])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": "429"}, "Fault 'x': status must be an int HTTP status*not '429'."),
        ({"classification": 3}, "*classification must be one of*not 3."),
        ({"delay": 1e300}, "Fault 'x': delay must be at most 315360000 seconds*"),
        ({"retry_after": "2"}, "*retry_after must be seconds*not '2'."),
        ({"retry_after_ms": -1}, "*retry_after_ms must be zero or positive*"),
        ({"message": None}, "Fault 'x': message must be a str, not None."),
        ({"body": {1, 2}}, "Fault 'x': body must be a str or bytes*JSON*"),
        ({"headers": {"a\nb": "c"}}, "*headers: 'a*b' is not a header name*"),
        ({"name": ""}, "Fault name must be a non-empty str, not ''."),
        ({"status": 200, "body": None}, "Fault 'x': a status 200 fault*needs the broken `body`*"),
    ],
)
def test_bad_fault_fields_are_refused_when_replaced(changes: dict[str, Any], message: str) -> None:
    """``Fault.replace`` checks the fields it changes (and the combination) as ``Fault()`` does."""
    base = Fault("x", status=429, headers={"x-trace": "abc"}, body={"error": "slow down"})
    with pytest.raises(ValueError) as caught:
        base.replace(**changes)
    assert fnmatch.fnmatchcase(str(caught.value), message), str(caught.value)


def test_bad_fault_in_the_marker_is_a_collection_error(pytester: pytest.Pytester) -> None:
    """A Fault with bad fields in the marker fails the module's collection, naming the field."""
    pytester.makepyfile(
        """
import pytest
from pytest_llmerrors import Fault

@pytest.mark.llm_errors(Fault("x", status="429"))
def test_it():
    pass
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*ValueError: Fault 'x': status must be an int*'429'*"])


def test_wide_but_sane_waits_still_work(pytester: pytest.Pytester) -> None:
    """A delay of a year and a Retry-After of ten years are accepted and run on virtual time."""
    pytester.makepyfile(
        """
import httpx, pytest

@pytest.mark.llm_errors
def test_it(inject_error):
    year = 365 * 86_400
    inject_error(429, delay=year, retry_after=10 * year)
    response = httpx.post("https://api.openai.com/v1/chat/completions", json={"model": "m"})
    assert response.headers["retry-after"] == str(10 * year)
    assert inject_error.clock.now() >= year
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_report_to_a_folder_is_refused_at_start_up(pytester: pytest.Pytester) -> None:
    """--llm-errors-report naming a folder stops the run before any test, saying so."""
    pytester.mkdir("reports")
    pytester.makepyfile("def test_it(): pass")
    result = pytester.runpytest("--llm-errors-report=reports")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: --llm-errors-report=reports: '*reports' is a folder; give the path of the JSON*"]
    )


def test_report_under_a_file_is_refused_at_start_up(pytester: pytest.Pytester) -> None:
    """--llm-errors-report under a regular file (no folder can be made there) is refused."""
    pytester.makefile(".txt", notes="x")
    pytester.makepyfile("def test_it(): pass")
    result = pytester.runpytest("--llm-errors-report=notes.txt/out/llm.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: --llm-errors-report=notes.txt/out/llm.json: cannot create "
            "*notes.txt' is not a folder; give a path under a writable folder."
        ]
    )


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write anywhere"
)
def test_report_in_a_read_only_folder_is_refused_at_start_up(pytester: pytest.Pytester) -> None:
    """--llm-errors-report in a folder this user cannot write is refused before the run."""
    locked = pytester.mkdir("locked")
    locked.chmod(0o500)
    try:
        pytester.makepyfile("def test_it(): pass")
        result = pytester.runpytest("--llm-errors-report=locked/new/llm.json")
    finally:
        locked.chmod(0o700)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*is a folder this user cannot write*"])


@pytest.mark.skipif(not os.path.isdir("/sys/kernel"), reason="needs Linux's sysfs")
def test_report_where_nothing_can_be_created_is_refused_even_for_root(
    pytester: pytest.Pytester,
) -> None:
    """The report folder is tried, not asked about: sysfs refuses root too, at start-up."""
    pytester.makepyfile("def test_it(): pass")
    result = pytester.runpytest("--llm-errors-report=/sys/kernel/llm-errors.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*'/sys/kernel' is a folder this user cannot write*"])


def test_report_that_cannot_be_written_at_the_end_is_a_clear_error(
    pytester: pytest.Pytester,
) -> None:
    """A report path that broke during the run (its folder became a file) is one red line."""
    pytester.makepyfile(
        """
        from pathlib import Path

        def test_it():
            Path("out").write_text("a file where the report's folder should be")
        """
    )
    result = pytester.runpytest("--llm-errors-report=out/llm.json")
    assert result.ret == pytest.ExitCode.INTERNAL_ERROR
    result.stdout.fnmatch_lines(["pytest-llmerrors: could not write the report to out/llm.json: *"])
    assert "Traceback" not in result.stdout.str() + result.stderr.str()


def test_report_in_a_folder_yet_to_be_made_is_accepted(pytester: pytest.Pytester) -> None:
    """A report path whose folders do not exist yet is fine: the writer creates them."""
    pytester.makepyfile("def test_it(): pass")
    result = pytester.runpytest("--llm-errors-report=a/b/llm.json")
    result.assert_outcomes(passed=1)
    assert Path(pytester.path / "a" / "b" / "llm.json").is_file()


def test_injecting_refuses_a_start_with_no_room_to_move() -> None:
    """injecting(start=...) refuses an instant the clock could not move on from, naming it."""
    import datetime

    import pytest_llmerrors

    with pytest.raises(TypeError, match="start must be before 9000-01-01"):
        with pytest_llmerrors.injecting(start=datetime.datetime(9999, 12, 31, 23, 59, 59)):
            pass
