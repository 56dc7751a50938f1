"""A tenacity-driven client, judged on backoff, Retry-After and giving up."""

from __future__ import annotations

import datetime

import pytest
from raw_client import ChatClient, httpx_lib


@pytest.mark.llm_errors(verify=True)
def test_backs_off_exponentially_through_an_outage(inject_error):
    inject_error(503, times=4)
    assert ChatClient().ask("ping") == "pong"
    inject_error.assert_backed_off()


@pytest.mark.llm_errors(verify=True, start="2030-01-01T09:00:00Z")
def test_honours_an_http_date_retry_after(inject_error):
    now = datetime.datetime.now(datetime.timezone.utc)  # fake time, frozen at start=
    inject_error(429, retry_after=now + datetime.timedelta(seconds=20))
    assert ChatClient().ask("ping") == "pong"
    assert inject_error.attempts[0].retry_after == 20
    assert inject_error.sleeps[0] >= 20


@pytest.mark.llm_errors("read_timeout", "connect_error", verify=True)
def test_rides_out_network_faults():
    assert ChatClient().ask("ping") == "pong"


@pytest.mark.llm_errors(401, verify=True)
def test_gives_up_on_a_bad_key():
    with pytest.raises(httpx_lib.HTTPStatusError):
        ChatClient().ask("ping")
