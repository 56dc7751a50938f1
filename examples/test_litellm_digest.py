"""litellm's async calls (over aiohttp) judged like any SDK's: retried, given up, streamed."""

from __future__ import annotations

import asyncio

import pytest

litellm = pytest.importorskip("litellm")
from litellm_digest import digest, stream_answer, summarize  # noqa: E402


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-example")


@pytest.mark.llm_errors(verify=True)
def test_digest_rides_out_rate_limits_and_overloads(inject_error):
    inject_error("rate_limit", times=2)
    inject_error("overloaded")
    assert asyncio.run(digest(["a", "b", "c"])) == ["pong"] * 3
    assert len(inject_error.attempts) == 6  # three summaries, three of them retried


RETRYABLE = [
    "rate_limit",
    "overloaded",
    "server_error",
    "bad_gateway",
    "service_unavailable",
    "gateway_timeout",
    "proxy_502_html",
    "read_timeout",
    "connect_error",
]


@pytest.mark.llm_errors(each=RETRYABLE, verify=True)
def test_summary_survives_retryable_errors():
    assert asyncio.run(summarize("the minutes")) == "pong"


# What the plugin finds in litellm's own retries (litellm 1.110): `num_retries` retries what
# it should give up on, and retries at once where it should back off.
caught = pytest.mark.xfail(strict=True, raises=AssertionError, reason="the plugin catches this")


@caught
@pytest.mark.llm_errors("invalid_api_key")
def test_litellm_retries_a_bad_key(inject_error):
    asyncio.run(summarize("the minutes"))
    # Sent twice: the key will not get better. litellm resends it with a fresh SDK call
    # (retry counter 0), from inside the call that got the 401: the plugin reads a resend.
    inject_error.assert_gave_up()


@caught
@pytest.mark.llm_errors("unparseable_success")
def test_litellm_retries_a_garbled_reply_without_waiting(inject_error):
    asyncio.run(summarize("the minutes"))
    inject_error.assert_backed_off()


@pytest.mark.llm_errors("stream_truncated")
def test_a_stream_cut_short_is_an_error_not_a_short_answer():
    with pytest.raises(litellm.exceptions.ServiceUnavailableError):
        asyncio.run(stream_answer("why?"))


@pytest.mark.llm_errors
def test_a_whole_stream_is_the_whole_answer():
    assert asyncio.run(stream_answer("why?")) == "pong"
