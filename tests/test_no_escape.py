"""No escape: with block_network, no socket leaves the machine during a marked test."""

from __future__ import annotations

import importlib.util

import pytest

HAS_HTTPX2 = importlib.util.find_spec("httpx2") is not None

#: A guard on every way out of the process: records and refuses any non-loopback connection
#: or name lookup, and reports what it saw at the end of the run.
GUARD = """
import ipaddress, socket, pytest

ATTEMPTS = []
_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex
_create_connection, _getaddrinfo = socket.create_connection, socket.getaddrinfo

def _local(host):
    host = str(host)
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

def _check(what, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(address, (tuple, str, bytes)) and not _local(host):
        ATTEMPTS.append(f"{what} {address!r}")
        raise ConnectionRefusedError(f"socket guard refused {what} {address!r}")

def connect(self, address):
    _check("connect", address)
    return _connect(self, address)

def connect_ex(self, address):
    _check("connect_ex", address)
    return _connect_ex(self, address)

def create_connection(address, *args, **kwargs):
    _check("create_connection", address)
    return _create_connection(address, *args, **kwargs)

def getaddrinfo(host, *args, **kwargs):
    _check("getaddrinfo", (host,))
    return _getaddrinfo(host, *args, **kwargs)

def pytest_configure(config):
    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
    socket.create_connection, socket.getaddrinfo = create_connection, getaddrinfo

def pytest_unconfigure(config):
    socket.socket.connect, socket.socket.connect_ex = _connect, _connect_ex
    socket.create_connection, socket.getaddrinfo = _create_connection, _getaddrinfo

def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(f"GUARD ATTEMPTS: {ATTEMPTS!r}")
"""

SDK_CALLS = """
import asyncio, anthropic, httpx, openai, pytest

@pytest.mark.llm_errors(500, "read_timeout", "connect_error")
def test_openai_sync_with_faults():
    client = openai.OpenAI(api_key="sk-test", max_retries=3)
    client.chat.completions.create(model="gpt-4o-mini", messages=[])
    client.embeddings.create(model="text-embedding-3-small", input="x")

@pytest.mark.llm_errors(provider="anthropic")
def test_anthropic_async_stream(inject_error):
    inject_error("stream_error", after_chunks=1)
    inject_error(529)

    async def main():
        client = anthropic.AsyncAnthropic(api_key="sk-ant-test", max_retries=2)
        await client.messages.create(model="claude-x", max_tokens=5, messages=[])
        with pytest.raises(anthropic.APIStatusError):
            async with client.messages.stream(
                model="claude-x", max_tokens=5, messages=[]
            ) as stream:
                async for _ in stream:
                    pass
    asyncio.run(main())

@pytest.mark.llm_errors
def test_router_base_url_is_served():
    client = openai.OpenAI(api_key="k", base_url="https://gateway.internal.example/v1")
    client.chat.completions.create(model="m", messages=[])

@pytest.mark.llm_errors
def test_unserved_openai_endpoint_is_blocked():
    client = openai.OpenAI(api_key="sk-test", max_retries=0)
    client.get("/not-an-endpoint", cast_to=object)

@pytest.mark.llm_errors
def test_unserved_plain_urls_are_blocked():
    for url in ("https://example.com/", "http://93.184.216.34/", "https://[2606:2800:220:1::]/"):
        with pytest.raises(pytest.fail.Exception, match="blocked GET"):
            httpx.get(url)

@pytest.mark.llm_errors
def test_unserved_async_url_is_blocked():
    async def main():
        async with httpx.AsyncClient() as client:
            await client.get("https://example.org/async")
    asyncio.run(main())

def test_control_the_guard_catches_an_unmarked_request():
    with pytest.raises(httpx.ConnectError):
        httpx.get("http://192.0.2.1/control", timeout=1)
"""


def test_no_socket_leaves_the_machine_during_marked_tests(pytester: pytest.Pytester) -> None:
    """SDK calls, served and unserved, attempt no non-loopback connection or name lookup."""
    pytester.makeconftest(GUARD)
    tests = SDK_CALLS
    if HAS_HTTPX2:
        tests += """
import httpx2

@pytest.mark.llm_errors
def test_unserved_httpx2_url_is_blocked():
    httpx2.get("https://example.net/httpx2")
"""
    pytester.makepyfile(tests)
    result = pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider")
    # The plain URLs' test catches each refusal, and still fails at the end of its call.
    blocked = 3 + HAS_HTTPX2
    result.assert_outcomes(passed=4, failed=blocked)
    result.stdout.fnmatch_lines(
        [
            "*blocked GET https://api.openai.com/*not-an-endpoint*",
            "*refused what the test tried to reach*",
            "*blocked GET https://example.com/*",
            "*blocked GET https://example.org/async*",
            # Only the unmarked control test reached the guard.
            "GUARD ATTEMPTS: [\"create_connection ('192.0.2.1', 80)\"]",
        ]
    )
