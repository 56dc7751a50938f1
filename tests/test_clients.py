"""aiohttp and requests served in-process: faults as each library's exceptions, and verdicts.

Each client is driven as an app would drive it, through pytester; the verdicts are shown
passing on a client that backs off and honours Retry-After, and failing on one that does not.
"""

from __future__ import annotations

import pytest

pytest.importorskip("aiohttp")
pytest.importorskip("responses")

URL = "https://api.openai.com/v1/chat/completions"

AIOHTTP_CLIENT = """
import asyncio, logging, aiohttp

URL = "https://api.openai.com/v1/chat/completions"
BODY = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
log = logging.getLogger("app")

async def ask(session, *, honour=True, attempts=6):
    for attempt in range(attempts):
        try:
            async with session.post(URL, json=BODY) as response:
                if response.status < 400:
                    return (await response.json())["choices"][0]["message"]["content"]
                request_id = response.headers.get("x-request-id")
                if response.status not in (408, 409, 429, 500, 502, 503, 504, 529):
                    log.error("HTTP %s, request id %s", response.status, request_id)
                    response.raise_for_status()
                wait = float(response.headers.get("retry-after", 0)) if honour else 0
                log.warning("HTTP %s, request id %s", response.status, request_id)
        except (aiohttp.ServerTimeoutError, aiohttp.ClientConnectionError):
            wait = 0
        if honour:
            await asyncio.sleep(max(wait, 2 ** attempt))
    raise RuntimeError("gave up")

def run(**kw):
    async def main():
        timeout = aiohttp.ClientTimeout(total=120, sock_read=30)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            return await ask(session, **kw)
    return asyncio.run(main())
"""

REQUESTS_CLIENT = """
import logging, requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

URL = "https://api.openai.com/v1/chat/completions"
BODY = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
log = logging.getLogger("app")

def session():
    retry = Retry(total=5, backoff_factor=1, status_forcelist=[429, 500, 502, 503, 504, 529],
                  allowed_methods=None, respect_retry_after_header=True, raise_on_status=False)
    s = requests.Session()
    s.mount("https://", HTTPAdapter(max_retries=retry))
    return s

def ask(s=None):
    response = (s or session()).post(URL, json=BODY, timeout=(5, 30))
    if not response.ok:
        log.error("HTTP %s, request id %s", response.status_code,
                  response.headers.get("x-request-id"))
        response.raise_for_status()
    return response.json()["choices"][0]["message"]["content"]

def naive():
    for _ in range(4):
        response = requests.post(URL, json=BODY, timeout=30)
        if response.ok:
            return response.json()["choices"][0]["message"]["content"]
    response.raise_for_status()
"""


def test_aiohttp_faults_are_aiohttp_exceptions(pytester: pytest.Pytester) -> None:
    """429 is a response; timeouts and refused connections are aiohttp's own errors."""
    pytester.makepyfile(
        """
        import asyncio, aiohttp, pytest

        URL = "https://api.openai.com/v1/chat/completions"
        BODY = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}

        @pytest.mark.llm_errors(
            "rate_limit", "read_timeout", "connect_error", "connect_timeout")
        def test_it(inject_error):
            async def main():
                timeout = aiohttp.ClientTimeout(sock_read=30, sock_connect=7)
                async with aiohttp.ClientSession(timeout=timeout) as session:
                    async with session.post(URL, json=BODY) as response:
                        assert response.status == 429
                        assert response.headers["retry-after"] == "1"
                        assert (await response.json())["error"]["code"] == "rate_limit_exceeded"
                    with pytest.raises(aiohttp.ServerTimeoutError):
                        async with session.post(URL, json=BODY) as response:
                            await response.read()
                    with pytest.raises(aiohttp.ClientConnectorError):
                        await session.post(URL, json=BODY)
                    with pytest.raises(aiohttp.ServerTimeoutError):
                        await session.post(URL, json=BODY)
                    async with session.post(URL, json=BODY) as response:
                        response.raise_for_status()
                        body = await response.json()
                        assert body["choices"][0]["message"]["content"] == "pong"
            asyncio.run(main())
            attempts = inject_error.attempts
            assert [a.error for a in attempts] == [
                "rate_limit", "read_timeout", "connect_error", "connect_timeout", None]
            # The read timeout took the client's sock_read, the connect timeout its
            # sock_connect, on the fake clock.
            assert attempts[1].ended_at - attempts[1].at == 30
            assert attempts[3].ended_at - attempts[3].at == 7
            assert "aiohttp" in attempts[0].headers["User-Agent"]
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_aiohttp_streams_break_as_aiohttp_reports_it(pytester: pytest.Pytester) -> None:
    """A stream cut short is ClientPayloadError; a stalled one times out after sock_read,
    or, with a total timeout only, as aiohttp's own total timeout."""
    pytester.makepyfile(
        """
        import asyncio, aiohttp, pytest

        URL = "https://api.openai.com/v1/chat/completions"
        BODY = {"model": "gpt-4o-mini", "stream": True,
                "messages": [{"role": "user", "content": "hi"}]}

        async def read(expected):
            timeout = aiohttp.ClientTimeout(sock_read=20)
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.post(URL, json=BODY) as response:
                    lines = []
                    with pytest.raises(expected):
                        async for line in response.content:
                            lines.append(line)
                    return lines

        @pytest.mark.llm_errors("stream_truncated")
        def test_truncated(inject_error):
            lines = asyncio.run(read(aiohttp.ClientPayloadError))
            assert lines[0].startswith(b"data: {")
            assert inject_error.attempts[0].chunks is not None

        @pytest.mark.llm_errors("stream_stall")
        def test_stalled(inject_error):
            lines = asyncio.run(read(aiohttp.ServerTimeoutError))
            assert lines[0].startswith(b"data: {")
            attempt = inject_error.attempts[0]
            assert attempt.ended_at - attempt.at == 20

        @pytest.mark.llm_errors("stream_stall")
        def test_stalled_with_a_total_timeout_only(inject_error):
            async def main():
                timeout = aiohttp.ClientTimeout(total=40)
                async with aiohttp.ClientSession(timeout=timeout) as session:
                    async with session.post(URL, json=BODY) as response:
                        async for line in response.content:
                            pass
            with pytest.raises(asyncio.TimeoutError) as caught:
                asyncio.run(main())
            # aiohttp's own total timeout, not a read timeout the client never set
            assert not isinstance(caught.value, aiohttp.ServerTimeoutError)
            attempt = inject_error.attempts[0]
            assert attempt.ended_at - attempt.at == 40

        @pytest.mark.llm_errors
        def test_complete(inject_error):
            async def main():
                async with aiohttp.ClientSession() as session:
                    async with session.post(URL, json=BODY) as response:
                        return [line async for line in response.content if line.strip()]
            lines = asyncio.run(main())
            assert lines[-1] == b"data: [DONE]\\n"
        """
    )
    pytester.runpytest().assert_outcomes(passed=4)


def test_aiohttp_verdicts_pass_a_careful_client_and_fail_a_hasty_one(
    pytester: pytest.Pytester,
) -> None:
    """The same outage judged twice: backing off passes, retrying at once fails."""
    pytester.makepyfile(client=AIOHTTP_CLIENT)
    pytester.makepyfile(
        """
        import pytest
        from client import run

        @pytest.mark.llm_errors(
            "rate_limit", "server_error", "read_timeout", "connect_error", verify=True)
        def test_careful(inject_error):
            assert run() == "pong"
            assert inject_error.sleeps[0] >= 1

        @pytest.mark.llm_errors("rate_limit", "server_error", "server_error", verify=True)
        def test_hasty(inject_error):
            assert run(honour=False) == "pong"

        @pytest.mark.llm_errors(401, verify=True)
        def test_gives_up_on_a_bad_key(inject_error):
            import aiohttp
            with pytest.raises(aiohttp.ClientResponseError):
                run()
            inject_error.assert_attempts(1)
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*test_hasty*", "*Retry-After*"])


def test_requests_faults_are_requests_exceptions(pytester: pytest.Pytester) -> None:
    """requests gets its own ConnectionError, ConnectTimeout and ReadTimeout, on fake time."""
    pytester.makepyfile(
        f"""
        import pytest, requests, urllib3

        URL = "{URL}"
        BODY = {{"model": "gpt-4o-mini", "messages": [{{"role": "user", "content": "hi"}}]}}

        @pytest.mark.llm_errors(
            "rate_limit", "read_timeout", "connect_error", "connect_timeout", "read_timeout")
        def test_it(inject_error):
            response = requests.post(URL, json=BODY, timeout=(4, 25))
            assert response.status_code == 429
            assert response.headers["retry-after"] == "1"
            assert response.json()["error"]["code"] == "rate_limit_exceeded"
            with pytest.raises(requests.exceptions.ReadTimeout):
                requests.post(URL, json=BODY, timeout=(4, 25))
            with pytest.raises(requests.exceptions.ConnectionError):
                requests.post(URL, json=BODY, timeout=(4, 25))
            with pytest.raises(requests.exceptions.ConnectTimeout):
                requests.post(URL, json=BODY, timeout=(4, 25))
            with pytest.raises(requests.exceptions.ReadTimeout):  # urllib3's Timeout too
                requests.post(URL, json=BODY, timeout=urllib3.Timeout(connect=4, read=12))
            ok = requests.Session().post(URL, json=BODY)
            assert ok.json()["choices"][0]["message"]["content"] == "pong"
            attempts = inject_error.attempts
            assert attempts[1].ended_at - attempts[1].at == 25
            assert attempts[3].ended_at - attempts[3].at == 4
            assert attempts[4].ended_at - attempts[4].at == 12
            assert attempts[0].headers["User-Agent"].startswith("python-requests/")
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_requests_streams_break_as_requests_reports_it(pytester: pytest.Pytester) -> None:
    """A stream cut short is ChunkedEncodingError; a stalled one a read timeout."""
    pytester.makepyfile(
        f"""
        import pytest, requests

        URL = "{URL}"
        BODY = {{"model": "gpt-4o-mini", "stream": True,
                 "messages": [{{"role": "user", "content": "hi"}}]}}

        def read(expected, timeout=30):
            response = requests.post(URL, json=BODY, stream=True, timeout=timeout)
            lines = []
            with pytest.raises(expected):
                for line in response.iter_lines():
                    lines.append(line)
            return lines

        @pytest.mark.llm_errors("stream_truncated")
        def test_truncated(inject_error):
            assert read(requests.exceptions.ChunkedEncodingError)[0].startswith(b"data: {{")

        @pytest.mark.llm_errors("stream_stall")
        def test_stalled(inject_error):
            assert read(requests.exceptions.ConnectionError, timeout=(3, 15))
            attempt = inject_error.attempts[0]
            assert attempt.ended_at - attempt.at == 15

        @pytest.mark.llm_errors("stream_stall")
        def test_stall_without_a_read_timeout_fails_the_test(inject_error):
            requests.post(URL, json=BODY, stream=True).content
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*stream_stall on a client with no read timeout*"])


def test_requests_verdicts_pass_urllib3_retry_and_fail_a_hasty_loop(
    pytester: pytest.Pytester,
) -> None:
    """urllib3's Retry (honouring Retry-After) passes; a loop that retries at once fails."""
    pytester.makepyfile(client=REQUESTS_CLIENT)
    pytester.makepyfile(
        """
        import pytest, requests
        from client import ask, naive

        @pytest.mark.llm_errors(verify=True)
        def test_urllib3_retry(inject_error):
            inject_error(429, retry_after=7)
            inject_error("overloaded", times=2)
            assert ask() == "pong"
            assert inject_error.sleeps[0] >= 7  # urllib3 waited as the 429 asked

        @pytest.mark.llm_errors(401, verify=True)
        def test_gives_up_on_a_bad_key(inject_error):
            with pytest.raises(requests.HTTPError):
                ask()
            inject_error.assert_attempts(1)

        @pytest.mark.llm_errors(verify=True)
        def test_hasty(inject_error):
            inject_error(429, retry_after=7)
            inject_error(503, times=2)
            assert naive() == "pong"
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*test_hasty*", "*Retry-After*"])


def test_unserved_and_unmarked_requests(pytester: pytest.Pytester, loopback: str) -> None:
    """A path nobody serves is refused naming the URL; unmarked tests reach the network."""
    pytester.makepyfile(
        f"""
        import asyncio, aiohttp, pytest, requests

        async def aiohttp_get(url):
            async with aiohttp.ClientSession() as session:
                async with session.get(url) as response:
                    return await response.text()

        @pytest.mark.llm_errors
        def test_requests_blocked():
            requests.get("https://api.openai.com/v1/weather")

        @pytest.mark.llm_errors
        def test_aiohttp_blocked():
            asyncio.run(aiohttp_get("https://api.openai.com/v1/weather"))

        def test_unmarked_requests():
            assert requests.get("{loopback}").text == "real"

        def test_unmarked_aiohttp():
            assert asyncio.run(aiohttp_get("{loopback}")) == "real"

        @pytest.mark.llm_errors(block_network=False)
        def test_block_network_off():
            assert requests.get("{loopback}").text == "real"
            assert asyncio.run(aiohttp_get("{loopback}")) == "real"
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=3, failed=2)
    result.stdout.fnmatch_lines(
        ["*blocked GET https://api.openai.com/v1/weather: no provider profile serves it*"]
    )


def test_litellm_acompletion_is_served_through_aiohttp(pytester: pytest.Pytester) -> None:
    """litellm's acompletion, plain and streamed, is answered: retried, then a reply."""
    pytest.importorskip("litellm")
    pytester.makepyfile(
        """
        import asyncio, aiohttp, pytest, litellm

        MESSAGES = [{"role": "user", "content": "hi"}]

        @pytest.fixture(autouse=True)
        def key(monkeypatch):
            monkeypatch.setenv("OPENAI_API_KEY", "sk-test-0001")

        @pytest.fixture
        def through_aiohttp(inject_error, monkeypatch):
            # Every connection aiohttp opens, whoever answers it (the plugin, once started).
            seen = []
            connect = aiohttp.TCPConnector._create_connection
            async def spy(self, req, *args):
                seen.append(req.url.path)
                return await connect(self, req, *args)
            monkeypatch.setattr(aiohttp.TCPConnector, "_create_connection", spy)
            return seen

        @pytest.mark.llm_errors("rate_limit", "overloaded", verify=True)
        def test_plain(inject_error, through_aiohttp):
            reply = asyncio.run(litellm.acompletion(
                model="gpt-4o-mini", messages=MESSAGES, num_retries=3))
            assert reply.choices[0].message.content == "pong"
            assert through_aiohttp == ["/v1/chat/completions"] * 3
            inject_error.assert_attempts(3)

        @pytest.mark.llm_errors
        def test_stream(inject_error, through_aiohttp):
            async def main():
                stream = await litellm.acompletion(
                    model="gpt-4o-mini", messages=MESSAGES, stream=True)
                return [chunk.choices[0].delta.content async for chunk in stream]
            assert "pong" in asyncio.run(main())
            assert through_aiohttp == ["/v1/chat/completions"]

        @pytest.mark.llm_errors("stream_truncated")
        def test_stream_cut_short(inject_error):
            async def main():
                stream = await litellm.acompletion(
                    model="gpt-4o-mini", messages=MESSAGES, stream=True)
                return [chunk async for chunk in stream]
            with pytest.raises(litellm.exceptions.ServiceUnavailableError):
                asyncio.run(main())
        """
    )
    # litellm's own import-time warnings (pydantic on its TypedDicts, deprecations) are not
    # what this test is about.
    result = pytester.runpytest(
        "-p", "no:randomly", "-W", "ignore::DeprecationWarning", "-W", "ignore::UserWarning"
    )
    result.assert_outcomes(passed=3)
