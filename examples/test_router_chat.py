"""The router client, against every error Requesty documents."""

from __future__ import annotations

import pytest
from router_chat import MODELS, RouterChat


@pytest.mark.llm_errors(provider="requesty", each="retryable", verify=True)
def test_recovers_from_every_retryable_requesty_error():
    assert RouterChat().ask("ping") == "pong"


@pytest.mark.llm_errors(provider="requesty", each="give_up", verify=True)
def test_gives_up_at_once_on_errors_no_retry_fixes():
    assert RouterChat().ask("ping") is None


@pytest.mark.llm_errors(provider="requesty")
def test_falls_back_to_the_second_model_when_the_first_is_down(inject_error):
    inject_error("provider_bad_gateway", times=3)  # the first model's try and two retries
    assert RouterChat().ask("ping") == "pong"
    assert [a.model for a in inject_error.attempts] == [MODELS[0]] * 3 + [MODELS[1]]
    assert inject_error.attempts[0].headers["authorization"] == "Bearer rqsty-example"
    inject_error.assert_request_id_logged(level=30)  # WARNING: the id of the failed model
