"""What the plugin catches in a naive client. Each test is expected to fail, strictly."""

from __future__ import annotations

import pytest
from naive_client import ask

caught = pytest.mark.xfail(strict=True, raises=AssertionError, reason="the plugin catches this bug")


@caught
@pytest.mark.llm_errors
def test_retries_a_bad_key(inject_error):
    inject_error(401, always=True)
    with pytest.raises(RuntimeError):
        ask("ping")
    inject_error.assert_gave_up()  # five attempts at a key that will never work


@caught
@pytest.mark.llm_errors
def test_ignores_retry_after(inject_error):
    inject_error(429, retry_after=10)
    assert ask("ping") == "pong"
    inject_error.assert_honoured_retry_after()  # waited 1 s where the provider asked for 10


@caught
@pytest.mark.llm_errors
def test_does_not_back_off(inject_error):
    inject_error(503, times=3)
    assert ask("ping") == "pong"
    inject_error.assert_backed_off()  # 1 s, 1 s, 1 s


@caught
@pytest.mark.llm_errors(503, verify=True)
def test_never_logs_the_request_id_of_an_outage(inject_error):
    inject_error(503, always=True)
    with pytest.raises(RuntimeError):
        ask("ping")  # verify=True: assert_resilient() lists every broken rule at once
