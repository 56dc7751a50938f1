"""Bad input gets a clear error that names the valid choices."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("inject_error(200)", "*400-599*"),
        ("inject_error(600)", "*400-599*"),
        ("inject_error('nope')", "*Unknown scenario 'nope'*Valid scenarios:*rate_limit*"),
        ("inject_error(429, provider='acme')", "*Unknown provider 'acme'*Valid providers:*openai*"),
        (
            "inject_error(429, retry_afterr=1)",
            "*Unknown option*retry_afterr*Valid options:*retry_after*",
        ),
        ("inject_error(429, times=0)", "*times must be*at least 1*"),
        ("inject_error(429, retry_after=-1)", "*retry_after must be zero or positive*"),
        ("inject_error(429, retry_after_ms=-5)", "*retry_after_ms must be zero or positive*"),
        ("inject_error(429, delay=-1)", "*delay must be zero or positive*"),
        ("inject_error(429, after_chunks=2)", "*after_chunks applies only to stream faults*"),
        ("inject_error(429.5)", "*HTTP status*scenario name*"),
        ("inject_error(None)", "*HTTP status (int 400-599)*not None*"),
        ("inject_error('nope', provider='anthropic')", "*for provider 'anthropic'*overloaded*"),
        ("inject_error(429, times=True)", "*times must be a whole number of at least 1, not True*"),
        ("inject_error(429, times=2.0)", "*times must be a whole number of at least 1, not 2.0*"),
        ("inject_error(429, always='yes')", "*always must be True or False, not 'yes'*"),
        ("inject_error(429, always=1)", "*always must be True or False, not 1*"),
        ("inject_error(429, retry_after='soon')", "*retry_after must be seconds*datetime*'soon'*"),
        ("inject_error(429, retry_after=float('inf'))", "*retry_after must be*finite*inf*"),
        ("inject_error(429, retry_after_ms='x')", "*retry_after_ms must be milliseconds*'x'*"),
        ("inject_error(429, delay='1s')", "*delay must be seconds (a number)*'1s'*"),
        ("inject_error(429, headers='x')", "*headers must be a mapping*str values*not 'x'*"),
        ("inject_error(429, headers={'x-a': 1})", "*headers must be a mapping*{'x-a': 1}*"),
        ("inject_error(429, request_id=5)", "*request_id must be a str, not 5*"),
        (
            "inject_error(429, provider=['openai'])",
            "*provider must be a profile name*Valid providers:*",
        ),
        (
            "inject_error('stream_error', after_chunks=-1)",
            "*after_chunks must be zero or positive*",
        ),
        (
            "inject_error('stream_error', after_chunks=True)",
            "*after_chunks must be a whole number*",
        ),
        ("inject_error(429, delay=1e300)", "*delay must be at most 315360000 seconds (10 *"),
        ("inject_error(429, retry_after=1e300)", "*retry_after must be at most 315360000 *"),
        (
            "inject_error(429, retry_after_ms=1e300)",
            "*retry_after_ms must be at most 315360000000 milliseconds (10 years)*",
        ),
        ("inject_error(429, body=object())", "*body must be a str or bytes*JSON data*<object*"),
        ("inject_error(429, body={1, 2})", "*body must be a str or bytes*not {1, 2}."),
        (
            "inject_error(429, body={'score': float('nan')})",
            "*body must be*finite number*not {'score': nan}.",
        ),
        ("inject_error(429, headers={'': 'v'})", "*headers: '' is not a header name*"),
        ("inject_error(429, headers={'x a': 'v'})", "*headers: 'x a' is not a header name*"),
        ("inject_error(429, headers={'x-a\\r\\nx-b': 'v'})", "*is not a header name*"),
        (
            "inject_error(429, headers={'x-a': 'v\\r\\nx-b: w'})",
            "*headers: the value of 'x-a' must not contain CR, LF or NUL*",
        ),
    ],
)
def test_inject_error_rejects_bad_input(pytester: pytest.Pytester, call: str, message: str) -> None:
    """Each bad inject_error call raises ValueError with the valid choices."""
    pytester.makepyfile(
        f"""
        import pytest

        def test_it(inject_error):
            with pytest.raises(ValueError) as caught:
                {call}
            print("MESSAGE:", caught.value)
        """
    )
    result = pytester.runpytest("-s")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"*MESSAGE:{message}"])


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ("provider='acme'", "*Unknown provider 'acme'*"),
        ("'nope'", "*Unknown scenario 'nope'*"),
        ("each='sometimes'", "*each must be one of*"),
        ("verify='yes'", "*verify must be True or False*"),
        ("colour='red'", "*unexpected keyword argument 'colour'*"),
        ("seed='x'", "*seed must be an int*"),
        ("provider=['openai', 'nope']", "*Unknown provider 'nope'. Valid providers:*openai*"),
        ("provider=5", "*provider must be a profile name or a non-empty list of names*"),
        ("provider=[]", "*provider must be a profile name or a non-empty list of names*"),
        ("each=['unknown']", "*Unknown scenario 'unknown'*Valid scenarios:*rate_limit*"),
        ("each=5", "*each must be 'retryable', 'give_up', 'all' or a list of scenarios*"),
        ("fake_time='x'", "*fake_time must be True or False*"),
        ("block_network=1", "*block_network must be True or False, not 1*"),
        ("600", "*400-599*"),
        ("None", "*faults must be HTTP statuses, scenario names or Fault objects, not None*"),
        ("start='9999-12-31T23:59:59'", "*start must be before 9000-01-01 (UTC)*'9999-12-31T23*"),
        ("start='9999-12-31T22:00:00-05:00'", "*start must be before 9000-01-01 (UTC)*"),
    ],
)
def test_bad_marker_arguments_are_a_collection_error(
    pytester: pytest.Pytester, marker: str, message: str
) -> None:
    """Wrong marker arguments fail at collection with a message naming llm_errors."""
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.llm_errors({marker})
        def test_it():
            pass
        """
    )
    result = pytester.runpytest()
    assert result.ret != 0
    result.stdout.fnmatch_lines([f"*llm_errors*{message}"])


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("llm_errors_max_attempts = many", "llm_errors_max_attempts must be a number, not 'many'."),
        ("llm_errors_max_attempts = 2.5", "llm_errors_max_attempts must be a whole number*'2.5'*"),
        ("llm_errors_max_attempts = 0", "llm_errors_max_attempts must be at least 1, not '0'."),
        ("llm_errors_max_total_wait = -1", "llm_errors_max_total_wait must be at least 0*"),
        ("llm_errors_fake_time = maybe", "llm_errors_fake_time must be true or false*'maybe'*"),
        ("llm_errors_block_network = 2", "llm_errors_block_network must be true or false*'2'*"),
        ("llm_errors_verify = perhaps", "llm_errors_verify must be true or false*'perhaps'*"),
        (
            "llm_errors_request_id_level = LOUD",
            "llm_errors_request_id_level must be a logging level (DEBUG, INFO*'LOUD'*",
        ),
        ("llm_errors_give_up = 429", "*give_up and llm_errors_retryable both list [[]429[]]*"),
        ("llm_errors_retryable = abc", "llm_errors_retryable lists HTTP error statuses*'abc'*"),
        ("llm_errors_give_up = 400 700", "llm_errors_give_up lists HTTP error statuses*'700'*"),
        ("llm_errors_max_total_wait = nan", "llm_errors_max_total_wait must be a finite number*"),
        ("llm_errors_max_total_wait = inf", "llm_errors_max_total_wait must be a finite*'inf'."),
        ("llm_errors_max_attempts = nan", "llm_errors_max_attempts must be a finite number*"),
        ("llm_errors_provider =", "llm_errors_provider needs a provider profile name*openai*"),
    ],
)
def test_bad_ini_value_is_a_usage_error(
    pytester: pytest.Pytester, setting: str, message: str
) -> None:
    """A bad ini value stops the run with the setting's name and what it expects."""
    pytester.makeini(
        f"""
        [pytest]
        asyncio_default_fixture_loop_scope = function
        {setting}
        """
    )
    pytester.makepyfile("def test_it(): pass")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: {message}"])


def test_unknown_provider_on_the_command_line_names_the_option(
    pytester: pytest.Pytester,
) -> None:
    """--llm-errors-provider=nope fails a marked test's collection naming the option."""
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.llm_errors
        def test_it():
            pass
        """
    )
    result = pytester.runpytest("--llm-errors-provider=nope")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        ["*test_it: --llm-errors-provider / llm_errors_provider: Unknown provider 'nope'*"]
    )


def test_unknown_provider_fails_an_unmarked_fixture_user_naming_the_option(
    pytester: pytest.Pytester,
) -> None:
    """An unmarked test asking for inject_error gets an error naming the provider option."""
    pytester.makepyfile("def test_it(inject_error): pass")
    result = pytester.runpytest("--llm-errors-provider=nope")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*--llm-errors-provider / llm_errors_provider: Unknown provider 'nope'*"]
    )


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("--llm-errors-provider=", "--llm-errors-provider needs a provider profile name*"),
        ("--llm-errors-provider= ", "--llm-errors-provider needs a provider profile name*"),
        ("--llm-errors-report=", "--llm-errors-report needs the path of the JSON file*"),
    ],
)
def test_empty_command_line_option_is_a_usage_error(
    pytester: pytest.Pytester, option: str, message: str
) -> None:
    """An option given with an empty value stops the run at start-up, naming the option."""
    pytester.makepyfile("def test_it(): pass")
    result = pytester.runpytest(option)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: {message}"])


def test_seed_must_be_a_number(pytester: pytest.Pytester) -> None:
    """--llm-errors-seed=x is refused by the option parser, naming the option."""
    pytester.makepyfile("def test_it(): pass")
    result = pytester.runpytest("--llm-errors-seed=x")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*argument --llm-errors-seed: invalid int value: 'x'*"])


def test_plugin_can_be_switched_off(pytester: pytest.Pytester) -> None:
    """-p no:llmerrors removes the fixture."""
    pytester.makepyfile("def test_it(inject_error): pass")
    result = pytester.runpytest("-p", "no:llmerrors")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'inject_error' not found*"])
