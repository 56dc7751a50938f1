"""Rules by name and skip=, one violation per behaviour, zero waits, pools, quiet loggers.

Also: grouping by thread and the SDK's retry counter, and request ids of wrapped errors. Each
behaviour is shown on real clients through pytester (failing on a client that breaks it,
passing on one that does not), and the grouping and log capture on synthetic timelines.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
from typing import Any

import pytest

from pytest_llmerrors._faults import Attempt
from pytest_llmerrors._policy import RULES, Policy
from pytest_llmerrors._verdict import LogCapture, View, assert_resilient
from pytest_llmerrors._verdict._calls import group_calls
from pytest_llmerrors._verdict._logs import record_text

#: Inner conftest: the application's logger and the violation lines of a verdict.
APP = '''
import logging

log = logging.getLogger("app")


def rule_lines(injector, **options):
    """Return the violation lines of assert_resilient's failure, [] when it passes."""
    try:
        injector.assert_resilient(**options)
    except AssertionError as error:
        return [line for line in str(error).splitlines() if line.startswith("- ")]
    return []
'''

INI = "[pytest]\nasyncio_default_fixture_loop_scope = function\n"


def run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    """Run `source` as the inner test file, with the shared conftest."""
    pytester.makeconftest(APP)
    pytester.makeini(INI)
    pytester.makepyfile(test_inner=source)
    return pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider", *args)


# -- pooled threads: the SDK's retry counter and the thread tell calls apart -------------------

POOLED = """
import concurrent.futures

import openai
import pytest
from conftest import log, rule_lines
from pytest_llmerrors._verdict._calls import group_calls, retry_count

MESSAGES = [{"role": "user", "content": "ping"}]  # identical requests from every worker
POOL = concurrent.futures.ThreadPoolExecutor(8)  # pooled workers: each sends call after call


class RetriesAtOnce(openai.OpenAI):
    def _calculate_retry_timeout(self, *args, **kwargs):
        return 0.0


CLIENT = openai.OpenAI(api_key="sk-test")  # one client shared by every worker
AT_ONCE = RetriesAtOnce(api_key="sk-test")


def ask(client):
    try:
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    except openai.APIStatusError as error:
        log.error("LLM call failed (request id %s)", error.request_id)


def twelve_calls(client, inject_error):
    inject_error(429, times=2)
    inject_error(401)
    inject_error(500)
    inject_error(403)
    list(POOL.map(lambda _: ask(client), range(12)))
    calls = group_calls(inject_error.attempts, []).calls
    # Each call is one SDK call: one thread, retry counters 0, 1, 2, ... in order.
    assert len(calls) == 12, calls
    for call in calls:
        assert len({a.task for a in call.attempts}) == 1, call
        assert [retry_count(a) for a in call.attempts] == list(range(len(call.attempts))), call
    return calls


@pytest.mark.parametrize("run", range(200))
@pytest.mark.llm_errors(provider="openai")
def test_resilient_pool(inject_error, run):
    twelve_calls(CLIENT, inject_error)
    inject_error.assert_resilient()


@pytest.mark.parametrize("run", range(10))
@pytest.mark.llm_errors(provider="openai")
def test_pool_retrying_at_once(inject_error, run):
    calls = twelve_calls(AT_ONCE, inject_error)
    retried = [call for call in calls if len(call.attempts) > 1]
    lines = rule_lines(inject_error)
    assert len(lines) == len(retried) > 0, lines
    assert all(" retried without waiting: " in line for line in lines), lines
    assert all(line.startswith("- [backoff] Call ") for line in lines), lines
"""


def test_pooled_threads_sharing_an_openai_client_are_judged_per_call(
    pytester: pytest.Pytester,
) -> None:
    """8 pooled workers sharing one OpenAI client, 200 runs: every verdict and call is right.

    Each run is resilient and groups into its 12 SDK calls; the same pool retrying at once
    fails backoff once per call that retried.
    """
    result = run(pytester, POOLED, "-q")
    result.assert_outcomes(passed=210)


# -- the zero-wait rule and one violation per behaviour ---------------------------------------

ZERO_WAITS = """
import openai
import pytest
import tenacity
from conftest import log, rule_lines

try:
    import httpx2
except ImportError:  # the httpx generation: the same API under its old name
    import httpx as httpx2

URL = "https://api.openai.com/v1/chat/completions"
CLIENT = openai.OpenAI(api_key="sk-test", max_retries=0)


def tenacity_around_the_sdk(wait):
    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception_type(openai.InternalServerError),
        wait=wait,
        stop=tenacity.stop_after_attempt(3),
        reraise=True,
    )
    return retrying(CLIENT.chat.completions.create, model="gpt-4o-mini", messages=[])


@pytest.mark.llm_errors(provider="openai")
def test_single_retry_at_once(inject_error):
    inject_error(500)
    tenacity_around_the_sdk(tenacity.wait_none())
    lines = rule_lines(inject_error)
    assert len(lines) == 1, lines
    assert lines[0].startswith(
        "- [backoff] Call 1 retried without waiting: attempt #2 followed attempt #1 (500 "
    ), lines
    assert lines[0].endswith("after 0 s; expected a backoff wait before every retry."), lines
    with pytest.raises(AssertionError, match="Call 1 retried without waiting"):
        inject_error.assert_backed_off()  # one wait of 0 s is judged, not "nothing to judge"


@pytest.mark.llm_errors(provider="openai")
def test_single_retry_after_a_wait(inject_error):
    inject_error(500)
    tenacity_around_the_sdk(tenacity.wait_exponential(multiplier=0.5))
    inject_error.assert_resilient()
    with pytest.raises(AssertionError, match="saw nothing to judge"):
        inject_error.assert_backed_off()  # one wait, not zero: growth needs two


def resend(statuses):
    def post():
        with httpx2.Client() as http:
            response = http.post(URL, json={"model": "m", "messages": []})
            response.raise_for_status()
            return response

    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception(
            lambda e: isinstance(e, httpx2.HTTPStatusError)
            and e.response.status_code in statuses
        ),
        stop=tenacity.stop_after_attempt(5),
        reraise=True,
    )
    try:
        return retrying(post)
    except httpx2.HTTPStatusError as error:
        log.error("gave up (request id %s)", error.response.headers["x-request-id"])


@pytest.mark.llm_errors(provider="openai")
def test_401_resent_at_once_is_one_give_up_violation(inject_error):
    inject_error(401, times=3)
    resend({401, 429, 500})
    inject_error.assert_attempts(4)
    lines = rule_lines(inject_error)
    assert len(lines) == 1, lines
    assert lines[0].startswith("- [give_up] Call 1 retried attempt #1 (401 "), lines
    assert "attempt #2 followed after 0 s, and #3, #4 followed further give-up errors" in lines[0]


@pytest.mark.llm_errors(provider="openai")
def test_401_not_resent(inject_error):
    inject_error(401, times=3)
    resend({429, 500})
    inject_error.assert_attempts(1)
    inject_error.assert_resilient()
"""


def test_zero_waits_and_resent_give_up_errors(pytester: pytest.Pytester) -> None:
    """A retry after 0 s breaks backoff; a 401 resent three times at 0 s is one give_up line.

    Waiting before the retry, or not resending the 401, passes.
    """
    run(pytester, ZERO_WAITS).assert_outcomes(passed=4)


# -- a give-up error resent around an SDK whose counter says 0 every time ---------------------

#: The application, in its own module: a retry loop around the SDK, and a pool of workers.
RESENDING_APP = """
import concurrent.futures

import openai
import tenacity

MESSAGES = [{"role": "user", "content": "ping"}]
POOL = concurrent.futures.ThreadPoolExecutor(8)


def tenacity_around(client, retry_on):
    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception_type(retry_on),
        wait=tenacity.wait_exponential(multiplier=0.5),
        stop=tenacity.stop_after_attempt(3),
        reraise=True,
    )
    return retrying(client.chat.completions.create, model="gpt-4o-mini", messages=MESSAGES)


def ask_twice(client):
    # A fallback that sends the same request again once the first raised.
    try:
        return client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    except openai.APIStatusError:
        return client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)


def pooled(client, n):
    def ask(_):
        try:
            return client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
        except openai.AuthenticationError:
            return "gave up"

    return list(POOL.map(ask, range(n)))
"""

RESENT_GIVE_UPS = """
import openai
import pytest
from app import ask_twice, pooled, tenacity_around
from conftest import rule_lines

BARE = openai.OpenAI(api_key="sk-test", max_retries=0)  # counter 0 on every attempt
SDK_RETRIES = openai.OpenAI(api_key="sk-test")  # retries 429s itself; not a 401


@pytest.mark.llm_errors(provider="openai")
def test_tenacity_resending_a_401(inject_error):
    inject_error(401, always=True)
    with pytest.raises(openai.AuthenticationError):
        tenacity_around(BARE, openai.APIStatusError)
    inject_error.assert_attempts(3)
    lines = rule_lines(inject_error, skip="request_id")
    assert len(lines) == 1, lines
    assert lines[0].startswith("- [give_up] Call 1 retried attempt #1 (401 "), lines
    assert "attempt #2 followed after " in lines[0], lines


@pytest.mark.llm_errors(provider="openai")
def test_tenacity_retrying_only_what_is_worth_it(inject_error):
    inject_error(401, always=True)
    with pytest.raises(openai.AuthenticationError):
        tenacity_around(BARE, openai.RateLimitError)
    inject_error.assert_attempts(1)
    assert rule_lines(inject_error, skip="request_id") == []


@pytest.mark.llm_errors(provider="openai")
def test_a_fallback_resending_a_401(inject_error):
    inject_error(401, always=True)
    with pytest.raises(openai.AuthenticationError):
        ask_twice(SDK_RETRIES)
    lines = rule_lines(inject_error, skip="request_id")
    assert [line[:47] for line in lines] == ["- [give_up] Call 1 retried attempt #1 (401 http"]


@pytest.mark.llm_errors(provider="openai")
def test_pooled_workers_each_giving_up(inject_error):
    inject_error(401, always=True)
    assert pooled(BARE, 40) == ["gave up"] * 40
    inject_error.assert_attempts(40)
    assert rule_lines(inject_error, skip="request_id") == []


@pytest.mark.llm_errors(provider="openai")
def test_the_test_calling_again(inject_error):
    inject_error(401, always=True)
    for _ in range(3):
        with pytest.raises(openai.AuthenticationError):
            BARE.chat.completions.create(model="gpt-4o-mini", messages=[])
    assert rule_lines(inject_error, skip="request_id") == []
    assert [a.resent for a in inject_error.attempts] == [False] * 3
"""


def test_a_give_up_error_resent_around_an_sdk_is_one_give_up_violation(
    pytester: pytest.Pytester,
) -> None:
    """A 401 resent by tenacity or a fallback around the SDK fails give_up once per call.

    The SDK's counter is 0 on each resend; the frame it was sent from tells it from a pooled
    worker's next call (40 workers each giving up pass) and from the test calling again.
    """
    pytester.makepyfile(app=RESENDING_APP)
    run(pytester, RESENT_GIVE_UPS).assert_outcomes(passed=5)


# -- request ids: quiet loggers and wrapped errors --------------------------------------------

QUIET_LOGGERS = """
import logging

import openai
import pytest
from conftest import rule_lines

BEFORE = logging.Logger.callHandlers
QUIET = logging.getLogger("app.quiet")  # its own handler, never the root's
QUIET.propagate = False
QUIET.addHandler(logging.NullHandler())


def ask(logger, with_id=True):
    try:
        openai.OpenAI(api_key="sk-test").chat.completions.create(model="m", messages=[])
    except openai.AuthenticationError as error:
        logger.error("bad key (request id %s)", error.request_id if with_id else "?")


@pytest.mark.llm_errors("invalid_api_key", provider="openai", verify=True)
def test_quiet_logger_counts():
    ask(QUIET)


@pytest.mark.llm_errors("invalid_api_key", provider="openai", verify=True)
def test_logger_made_during_the_test_counts():
    late = logging.getLogger("app.late")
    late.propagate = False
    ask(late)


@pytest.mark.llm_errors("invalid_api_key", provider="openai")
def test_quiet_logger_without_the_id_fails(inject_error):
    ask(QUIET, with_id=False)
    lines = rule_lines(inject_error)
    assert len(lines) == 1 and lines[0].startswith("- [request_id] The request id req_"), lines


def test_capture_is_undone():
    assert logging.Logger.callHandlers is BEFORE
    assert QUIET.propagate is False and QUIET.level == logging.NOTSET
"""


def test_records_of_loggers_that_do_not_propagate_count(pytester: pytest.Pytester) -> None:
    """Records of an application logger with propagate=False count like any other.

    One made during the test too; without the id it fails; the capture is undone after.
    """
    run(pytester, QUIET_LOGGERS).assert_outcomes(passed=4)


SDK_LOGGERS_KEEP_THEIR_LEVEL = """
import logging

import openai
import pytest
from conftest import log

RETRYING = "Retrying request"


def ask():
    openai.OpenAI(api_key="sk-test", max_retries=2).chat.completions.create(
        model="m", messages=[]
    )
    log.info("answered")


@pytest.mark.llm_errors(429, provider="openai")
def test_sdk_lines_stay_out(caplog, inject_error):
    ask()
    assert [r.getMessage() for r in caplog.records] == ["answered"]


@pytest.mark.llm_errors(429, provider="openai")
def test_a_level_the_test_sets_stands(caplog, inject_error):
    caplog.set_level(logging.INFO, logger="openai")
    ask()
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith(RETRYING) for m in messages), messages


def test_levels_are_given_back():
    assert logging.getLogger("openai").level == logging.NOTSET
    assert logging.getLogger().level == logging.WARNING
"""


def test_sdk_loggers_keep_the_level_they_had(pytester: pytest.Pytester) -> None:
    """The root opens to INFO for the application's records; the SDK's stay as quiet as they
    were (its "Retrying request" INFO lines never count), unless the test sets theirs."""
    run(pytester, SDK_LOGGERS_KEEP_THEIR_LEVEL).assert_outcomes(passed=3)


WRAPPED = """
import anthropic
import openai
import pytest
from conftest import log, rule_lines


class LLMError(Exception):
    '''A library's wrapper of the SDK's error, like aisuite's LLMError.'''


def library_call(call):
    try:
        return call()
    except Exception as error:
        raise LLMError("the LLM request failed") from error


def ask_openai():
    client = openai.OpenAI(api_key="sk-test")
    return library_call(lambda: client.chat.completions.create(model="m", messages=[]))


def ask_anthropic():
    client = anthropic.Anthropic(api_key="sk-ant")
    return library_call(
        lambda: client.messages.create(model="claude-opus-4-7", max_tokens=8, messages=[])
    )


@pytest.mark.llm_errors(401, provider="anthropic", verify=True)
def test_anthropic_error_text_holds_the_id():
    try:
        ask_anthropic()
    except LLMError:
        log.exception("the assistant is unavailable")


@pytest.mark.llm_errors("invalid_api_key", provider="openai")
def test_openai_error_text_does_not(inject_error):
    try:
        ask_openai()
    except LLMError:
        log.exception("the assistant is unavailable")
    lines = rule_lines(inject_error)
    assert len(lines) == 1 and lines[0].startswith("- [request_id] The request id req_"), lines
    assert "holds the SDK's error as __cause__ (err.__cause__.request_id)" in lines[0]


@pytest.mark.llm_errors("invalid_api_key", provider="openai", verify=True)
def test_openai_id_logged_through_the_cause():
    try:
        ask_openai()
    except LLMError as error:
        log.exception("the assistant is unavailable (request id %s)", error.__cause__.request_id)
"""


def test_wrapped_errors_logged_with_their_chain(pytester: pytest.Pytester) -> None:
    """log.exception of a library's wrapper counts where the chained SDK error prints the id.

    Anthropic's error text holds it, openai's does not; logging err.__cause__.request_id passes.
    """
    run(pytester, WRAPPED).assert_outcomes(passed=3)


# -- skip= and llm_errors_skip_rules ----------------------------------------------------------

SKIPPING = """
import openai
import pytest
from conftest import rule_lines


def ask(max_retries=2):
    try:
        openai.OpenAI(api_key="sk-test", max_retries=max_retries).chat.completions.create(
            model="m", messages=[]
        )
    except openai.APIStatusError:
        pass  # the request id is never logged


@pytest.mark.llm_errors("invalid_api_key", provider="openai")
def test_skip_leaves_the_rule_out(inject_error):
    ask()
    with pytest.raises(AssertionError) as failure:
        inject_error.assert_resilient()
    message = str(failure.value)
    assert message.startswith("- [request_id] The request id req_"), message
    assert message.endswith(
        'inject_error.assert_resilient(skip=("request_id",)), or for the whole suite the ini '
        "option llm_errors_skip_rules = request_id."
    ), message
    inject_error.assert_resilient(skip=("request_id",))
    inject_error.assert_resilient(skip=["request_id"])
    inject_error.assert_resilient(skip="request_id")


@pytest.mark.llm_errors(429, provider="openai")
def test_skip_leaves_the_other_rules_in(inject_error):
    ask(max_retries=0)
    lines = rule_lines(inject_error, skip=("request_id",))
    assert len(lines) == 1 and lines[0].startswith("- [retry] Call 1 gave up at once"), lines


@pytest.mark.llm_errors("invalid_api_key", provider="openai")
def test_unknown_rule_names(inject_error):
    ask()
    valid = "Valid rules: budget, give_up, retry, retry_after, backoff, request_id."
    with pytest.raises(ValueError, match=r"Unknown rule\\(s\\) 'request-id'\\. " + valid):
        inject_error.assert_resilient(skip=("request-id",))
    with pytest.raises(ValueError, match="like skip=.*not 3"):
        inject_error.assert_resilient(skip=3)


@pytest.mark.llm_errors("invalid_api_key", provider="openai", verify=True)
def test_verified():
    ask()
"""


def test_skip_leaves_named_rules_out(pytester: pytest.Pytester) -> None:
    """skip= leaves the named rules out, keeps the others and rejects unknown names.

    A tuple, a list or one str; every failure names its rules and ends with how to skip them.
    """
    report = pytester.path / "report.json"
    result = run(pytester, SKIPPING, "-k", "not test_verified", f"--llm-errors-report={report}")
    result.assert_outcomes(passed=3, deselected=1)
    verdicts = {t["nodeid"]: t for t in json.loads(report.read_text())["tests"]}
    skipped = verdicts["test_inner.py::test_skip_leaves_the_rule_out"]
    assert (skipped["verdict"], skipped["skipped_rules"]) == ("resilient", ["request_id"])


def test_ini_skip_rules_apply_to_verify_and_the_report(pytester: pytest.Pytester) -> None:
    """llm_errors_skip_rules leaves its rules out of verify=True and the report's verdict."""
    result = run(pytester, SKIPPING, "-k", "test_verified")
    result.assert_outcomes(failed=1, deselected=3)
    result.stdout.fnmatch_lines(
        ["*- [[]request_id[]] The request id req_*", "*1 test(s) injected faults*1 not resilient*"]
    )

    pytester.makeini(INI + "llm_errors_skip_rules = request_id\n")
    report = pytester.path / "report.json"
    result = pytester.runpytest(
        "-p", "no:randomly", "-k", "test_verified", f"--llm-errors-report={report}"
    )
    result.assert_outcomes(passed=1, deselected=3)
    result.stdout.fnmatch_lines(["*1 test(s) injected faults*0 not resilient*"])
    (verified,) = json.loads(report.read_text())["tests"]
    assert (verified["verdict"], verified["skipped_rules"]) == ("resilient", ["request_id"])


def test_unknown_rule_in_the_ini_is_a_usage_error(pytester: pytest.Pytester) -> None:
    """A name llm_errors_skip_rules does not know stops the run, naming the valid rules."""
    pytester.makeini(INI + "llm_errors_skip_rules = request_id backof\n")
    pytester.makepyfile("def test_it(): pass")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: llm_errors_skip_rules lists rule names separated by spaces: Unknown rule(s) "
            "'backof'. Valid rules: budget, give_up, retry, retry_after, backoff, request_id."
        ]
    )


def test_unknown_rule_in_a_policy_is_a_value_error() -> None:
    """Policy(skip_rules=...) checks the names where the policy is made."""
    assert Policy(skip_rules=("backoff",)).skip_rules == frozenset({"backoff"})
    with pytest.raises(ValueError, match="Unknown rule"):
        Policy(skip_rules=("bakoff",))
    assert RULES == ("budget", "give_up", "retry", "retry_after", "backoff", "request_id")


# -- grouping on synthetic timelines ----------------------------------------------------------


def attempt(index: int, status: int, task: str = "1", count: int | None = None) -> Attempt:
    """Return attempt `index` of an identical request, answered `status` at once, at 0 s."""
    kind: dict[int, Any] = {200: None, 401: "give_up", 429: "retry", 500: "retry"}
    headers = {} if count is None else {"x-stainless-retry-count": str(count)}
    return Attempt(
        index=index,
        at=0.0,
        ended_at=0.0,
        method="POST",
        url="https://api.openai.com/v1/chat/completions",
        path="/v1/chat/completions",
        model="gpt-4o",
        stream=False,
        headers=headers,
        status=status,
        error=None if status == 200 else f"http_{status}",
        request_id=f"req_{index}",
        retry_after=None,
        body=b"{}",
        classification=kind[status],
        task=task,
    )


def grouped(*attempts: Attempt) -> list[list[int]]:
    """Return the attempt indexes of each call."""
    return [[a.index for a in call.attempts] for call in group_calls(attempts, []).calls]


def test_counter_back_to_zero_starts_a_new_call() -> None:
    """A worker's next SDK call (counter back to 0) is not a retry of its last one."""
    assert grouped(
        attempt(1, 429, count=0), attempt(2, 429, count=1), attempt(3, 200, count=0)
    ) == [[1, 2], [3]]
    assert grouped(
        attempt(1, 429, count=0), attempt(2, 429, count=1), attempt(3, 429, count=0)
    ) == [[1, 2], [3]]


def test_zero_after_zero_is_a_retry_unless_after_a_give_up_error() -> None:
    """0 after 0 is a loop around an SDK with max_retries=0, but no SDK resends a 401."""
    assert grouped(attempt(1, 500, count=0), attempt(2, 200, count=0)) == [[1, 2]]
    assert grouped(attempt(1, 401, count=0), attempt(2, 200, count=0)) == [[1], [2]]


def test_zero_after_a_give_up_error_resent_continues_the_call() -> None:
    """A 0 after a 401 that was sent from the same running frame is that call's resend."""
    resend = dataclasses.replace(attempt(2, 401, count=0), resent=True)
    assert grouped(attempt(1, 401, count=0), resend) == [[1, 2]]
    assert grouped(attempt(1, 401, count=0), attempt(2, 401, count=0)) == [[1], [2]]


def test_counter_continues_its_own_threads_call() -> None:
    """Retry n continues the call of its thread whose last attempt carried n - 1."""
    calls = grouped(
        attempt(1, 429, task="a", count=0),
        attempt(2, 429, task="b", count=0),
        attempt(3, 429, task="b", count=1),
        attempt(4, 200, task="a", count=1),
        attempt(5, 200, task="b", count=2),
    )
    assert calls == [[1, 4], [2, 3, 5]]


def test_another_threads_first_attempt_never_joins_a_finished_call() -> None:
    """A call whose thread stopped sending is not continued by another thread."""
    assert grouped(attempt(1, 500, task="a"), attempt(2, 200, task="b")) == [[1], [2]]
    assert grouped(attempt(1, 500, task="a", count=2), attempt(2, 200, task="b", count=3)) == [
        [1],
        [2],
    ]


def test_counter_and_no_counter_are_different_clients() -> None:
    """An attempt without the counter does not continue one with it, and the other way round."""
    assert grouped(attempt(1, 500, count=1), attempt(2, 200)) == [[1], [2]]
    assert grouped(attempt(1, 500), attempt(2, 200, count=0)) == [[1], [2]]


def test_handover_stays_on_one_thread_and_stops_at_give_up_errors() -> None:
    """A retry handed to a new task of the same thread continues the call; not after a 401."""
    assert grouped(attempt(1, 500, task="7/a"), attempt(2, 200, task="7/b")) == [[1, 2]]
    assert grouped(attempt(1, 401, task="7/a"), attempt(2, 200, task="7/b")) == [[1], [2]]
    assert grouped(attempt(1, 500, task="7/a"), attempt(2, 200, task="8/b")) == [[1], [2]]


def view(*attempts: Attempt, records: list[logging.LogRecord] | None = None) -> View:
    """Return the view of `attempts`, which never slept."""
    return View(list(attempts), [], records or [], Policy())


def violations(judged: View, **options: Any) -> list[str]:
    """Return the violation lines of assert_resilient on `judged`."""
    with pytest.raises(AssertionError) as failure:
        assert_resilient(judged, **options)
    return [line for line in str(failure.value).splitlines() if line.startswith("- ")]


def test_401_resent_at_once_is_judged_by_give_up_alone() -> None:
    """Three resends of a 401 at 0 s are one give_up sentence, no backoff sentence."""
    lines = violations(view(*(attempt(i, 401) for i in (1, 2, 3)), attempt(4, 200)))
    assert lines == [
        "- [give_up] Call 1 retried attempt #1 (401 http_401), an error no retry can fix: "
        "attempt #2 followed after 0 s, and #3, #4 followed further give-up errors; "
        "expected it to give up at once."
    ]


def test_single_zero_wait_breaks_backoff() -> None:
    """One retry after 0 s is enough to judge: backoff breaks."""
    lines = violations(view(attempt(1, 500), attempt(2, 200)))
    assert lines == [
        "- [backoff] Call 1 retried without waiting: attempt #2 followed attempt #1 "
        "(500 http_500) after 0 s; expected a backoff wait before every retry."
    ]
    assert_resilient(view(attempt(1, 500), attempt(2, 200)), skip=("backoff",))


# -- the log capture --------------------------------------------------------------------------


def test_capture_keeps_quiet_and_late_loggers_and_is_undone() -> None:
    """Records of non-propagating loggers, one made after start included, are kept until stop."""
    before = logging.Logger.callHandlers
    quiet = logging.getLogger("test_verdict_rules.quiet")
    quiet.propagate = False
    outer, inner = LogCapture(logging.INFO), LogCapture(logging.INFO)
    outer.start()
    inner.start()
    try:
        quiet.warning("req_quiet")
        late = logging.getLogger("test_verdict_rules.late")
        late.propagate = False
        late.error("req_late")
    finally:
        inner.stop()
    quiet.warning("req_outer_only")
    outer.stop()
    quiet.warning("req_after")
    assert [r.getMessage() for r in inner.records] == ["req_quiet", "req_late"]
    assert [r.getMessage() for r in outer.records] == ["req_quiet", "req_late", "req_outer_only"]
    assert logging.Logger.callHandlers is before


def test_record_text_holds_the_chained_cause() -> None:
    """An exception logged with its chain shows the cause's text, not its attributes."""

    class SDKError(Exception):
        request_id = "req_attribute_only"

    try:
        try:
            raise SDKError("request id req_in_text")
        except SDKError as error:
            raise RuntimeError("wrapped") from error
    except RuntimeError:
        record = logging.LogRecord("app", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    text = record_text(record)
    assert "req_in_text" in text
    assert "req_attribute_only" not in text
