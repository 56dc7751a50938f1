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
        ("inject_error(429, retry_afterr=1)", "*Unknown option*retry_afterr*Valid options:*retry_after*"),
        ("inject_error(429, times=0)", "*times must be*at least 1*"),
        ("inject_error(429, retry_after=-1)", "*retry_after must be zero or positive*"),
        ("inject_error(429, retry_after_ms=-5)", "*retry_after_ms must be zero or positive*"),
        ("inject_error(429, delay=-1)", "*delay must be zero or positive*"),
        ("inject_error(429, after_chunks=2)", "*after_chunks applies only to stream faults*"),
        ("inject_error(429.5)", "*HTTP status*scenario name*"),
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


def test_bad_ini_value_is_a_usage_error(pytester: pytest.Pytester) -> None:
    """A bad ini value stops the run with the setting's name and what it expects."""
    pytester.makeini(
        """
        [pytest]
        asyncio_default_fixture_loop_scope = function
        llm_errors_max_attempts = many
        """
    )
    pytester.makepyfile("def test_it(): pass")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*llm_errors_max_attempts must be a number*"])


def test_plugin_can_be_switched_off(pytester: pytest.Pytester) -> None:
    """-p no:llmerrors removes the fixture."""
    pytester.makepyfile("def test_it(inject_error): pass")
    result = pytester.runpytest("-p", "no:llmerrors")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'inject_error' not found*"])
