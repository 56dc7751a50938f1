"""The support bot survives the provider's errors: one marker, one fixture, one assertion."""

from __future__ import annotations

import openai
import pytest
from support_bot import SupportBot, SupportBotError


@pytest.fixture
def bot() -> SupportBot:
    return SupportBot(openai.OpenAI(api_key="sk-example", max_retries=3))


@pytest.mark.llm_errors(provider="openai")
def test_survives_rate_limits(bot, inject_error):
    inject_error(429, retry_after=2, times=2)
    assert bot.answer("ping") == "pong"
    assert inject_error.sleeps == [2.0, 2.0]  # honoured, on fake time: no real wait
    inject_error.assert_resilient()


@pytest.mark.llm_errors("invalid_api_key", verify=True)
def test_bad_key_is_not_retried(bot):
    with pytest.raises(SupportBotError):
        bot.answer("ping")


@pytest.mark.llm_errors(provider="openai", each="retryable", verify=True)
def test_every_retryable_openai_error(bot):
    assert bot.answer("ping") == "pong"


@pytest.mark.llm_errors
def test_outage_ends_in_a_clear_error_with_the_request_id(bot, inject_error, caplog):
    inject_error(503, always=True)
    with pytest.raises(SupportBotError):
        bot.answer("ping")
    inject_error.assert_backed_off()
    inject_error.assert_request_id_logged()
    assert len(inject_error.attempts) == 4  # the first try and the SDK's three retries


@pytest.mark.llm_errors
def test_streams_the_answer(bot, inject_error):
    inject_error.reply = "Have you tried turning it off and on again?"
    assert "".join(bot.stream_answer("help")) == inject_error.reply
    assert inject_error.attempts[0].stream is True
