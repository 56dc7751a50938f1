"""The summarizer rides out Anthropic's overloads and falls back cleanly on the rest."""

from __future__ import annotations

import anthropic
import pytest
from summarizer import summarize

TEXT = "The plugin answers HTTP calls with provider errors. Time is fake."


@pytest.fixture
def client() -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key="sk-ant-example", max_retries=3)


@pytest.mark.llm_errors("overloaded", "overloaded", provider="anthropic", verify=True)
def test_two_overloads_then_a_summary(client, inject_error):
    inject_error.reply = "A plugin for provider errors."
    assert summarize(client, TEXT) == "A plugin for provider errors."
    assert [a.status for a in inject_error.attempts] == [529, 529, 200]


@pytest.mark.llm_errors(provider="anthropic", each="give_up", verify=True)
def test_falls_back_at_once_on_errors_no_retry_can_fix(client):
    assert summarize(client, TEXT) == "The plugin answers HTTP calls with provider errors"
