"""Interception of plain httpx and httpx2 clients, sync and async; network blocking."""

from __future__ import annotations

import pytest

GENERATIONS = [
    pytest.param("httpx", id="httpx"),
    pytest.param("httpx2", id="httpx2", marks=pytest.mark.httpx2),
]


@pytest.mark.parametrize("lib", GENERATIONS)
def test_plain_sync_client_gets_error_then_success(pytester: pytest.Pytester, lib: str) -> None:
    """A plain sync client sees the injected 503 body and headers, then the success body."""
    pytester.makepyfile(
        f"""
        import {lib} as httpx_lib, pytest

        @pytest.mark.llm_errors
        def test_it(inject_error):
            inject_error(503, retry_after_ms=1500, request_id="req_abc", headers={{"x-extra": "1"}})
            url = "https://api.openai.com/v1/chat/completions"
            with httpx_lib.Client() as client:
                first = client.post(url, json={{"model": "m"}})
                second = client.post(url, json={{"model": "m"}})
            assert first.status_code == 503
            assert first.headers["retry-after-ms"] == "1500"
            assert first.headers["x-request-id"] == "req_abc"
            assert first.headers["x-extra"] == "1"
            assert first.json()["error"]["type"] == "server_error"
            assert second.status_code == 200
            assert second.json()["choices"][0]["message"]["content"] == "pong"
            assert inject_error.attempts[0].retry_after == 1.5
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


@pytest.mark.parametrize("lib", GENERATIONS)
def test_plain_async_client_gets_the_client_library_timeout(
    pytester: pytest.Pytester, lib: str
) -> None:
    """An async client gets its own library's ReadTimeout and ConnectError."""
    pytester.makepyfile(
        f"""
        import asyncio, {lib} as httpx_lib, pytest

        @pytest.mark.llm_errors
        def test_it(inject_error):
            inject_error("read_timeout")
            inject_error("connect_error")

            async def main():
                async with httpx_lib.AsyncClient() as client:
                    with pytest.raises(httpx_lib.ReadTimeout):
                        await client.post("https://api.openai.com/v1/embeddings", json={{}})
                    with pytest.raises(httpx_lib.ConnectError):
                        await client.post("https://api.openai.com/v1/embeddings", json={{}})
                    ok = await client.post("https://api.openai.com/v1/embeddings", json={{}})
                    assert ok.status_code == 200

            asyncio.run(main())
            errors = [a.error for a in inject_error.attempts]
            assert errors == ["read_timeout", "connect_error", None]
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


@pytest.mark.parametrize("lib", GENERATIONS)
def test_unserved_request_is_blocked_with_the_url(pytester: pytest.Pytester, lib: str) -> None:
    """With block_network, a request no profile serves fails the test and names the URL."""
    pytester.makepyfile(
        f"""
        import {lib} as httpx_lib, pytest

        @pytest.mark.llm_errors
        def test_it():
            httpx_lib.get("https://example.invalid/weather")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*blocked GET https://example.invalid/weather*",
            "*block_network=False*",
        ]
    )


@pytest.mark.parametrize("lib", GENERATIONS)
def test_block_network_false_lets_unserved_requests_through(
    pytester: pytest.Pytester, lib: str, loopback: str
) -> None:
    """With block_network=False an unserved request reaches the real (loopback) server."""
    pytester.makepyfile(
        f"""
        import {lib} as httpx_lib, pytest

        @pytest.mark.llm_errors(block_network=False)
        def test_it(inject_error):
            assert httpx_lib.get("{loopback}/anything").text == "real"
            assert inject_error.attempts == []
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_threads_share_the_queue_exactly_once(pytester: pytest.Pytester) -> None:
    """Ten threads on one client: every attempt recorded once, every fault taken once."""
    pytester.makepyfile(
        """
        import concurrent.futures, httpx, pytest

        @pytest.mark.llm_errors
        def test_it(inject_error):
            inject_error(500, times=7)
            client = httpx.Client()

            def call(_):
                url = "https://api.openai.com/v1/chat/completions"
                return client.post(url, json={}).status_code

            with concurrent.futures.ThreadPoolExecutor(10) as pool:
                statuses = list(pool.map(call, range(20)))
            assert sorted(statuses) == [200] * 13 + [500] * 7
            assert [a.index for a in inject_error.attempts] == list(range(1, 21))
            assert inject_error.pending() == []
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_patches_are_undone_after_the_test(pytester: pytest.Pytester, loopback: str) -> None:
    """After a marked test that fails half-way, the next test reaches the real network."""
    pytester.makepyfile(
        f"""
        import httpx, pytest

        @pytest.mark.llm_errors
        def test_marked_fails():
            httpx.post("https://api.openai.com/v1/chat/completions", json={{}})
            raise RuntimeError("half-way")

        def test_unmarked_is_real():
            assert httpx.get("{loopback}/x").text == "real"
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1, failed=1)


@pytest.mark.parametrize(
    "raw",
    [
        (b"https", b"api.openai.com", None, b"/v1/chat/completions"),
        (b"https", b"generativelanguage.googleapis.com", None, b"/v1beta/models/m:gen?key=AIza1"),
        (b"http", b"127.0.0.1", 8080, b"/v1/messages"),
        (b"https", b"api.example.test", 443, b"/v1/chat/completions?a=1&b=%20c"),
        (b"http", b"::1", 9000, b"/v1/models"),
        (b"HTTPS", b"API.Example.Test", None, b"/v1/Chat/Completions"),
    ],
)
def test_direct_answers_read_the_url_as_respx_does(raw: tuple[bytes, bytes, int | None, bytes]):
    """The plugin's direct path for httpcore2 names a request's URL as respx's httpx request
    of it prints it: default ports, IPv6 brackets and case as httpx normalizes them."""
    import httpcore
    from respx.patterns import parse_url

    from pytest_llmerrors._interception._respx import _core_url

    scheme, host, port, target = raw
    assert _core_url(httpcore.URL(scheme=scheme, host=host, port=port, target=target)) == str(
        parse_url(raw)
    )


@pytest.mark.parametrize(
    "pairs",
    [
        [(b"Authorization", b"Bearer sk-1"), (b"X-Stainless-Retry-Count", b"0")],
        [(b"Accept", b"a"), (b"accept", b"b"), (b"ACCEPT", b"c")],
        [(b"X-Name", "caf\u00e9".encode())],
        [(b"X-Name", b"\xe9t\xe9")],
    ],
    ids=["ascii", "repeated", "utf-8", "latin-1"],
)
def test_direct_answers_read_the_headers_as_respx_does(pairs: list[tuple[bytes, bytes]]):
    """...and its headers (and respx's request's) as httpx reads them: names lower-cased,
    repeats joined, values decoded as httpx decodes them (ascii, else utf-8, else latin-1)."""
    import httpx

    from pytest_llmerrors._interception._respx import _headers

    assert _headers(pairs) == dict(httpx.Headers(pairs))


@pytest.mark.httpx2
def test_a_users_router_in_the_httpcore2_mocker_answers_what_it_matches(
    pytester: pytest.Pytester,
) -> None:
    """With a user's respx router in the plugin's httpcore2 mocker, requests go through respx
    again: the user's route answers what it matches, the plugin the rest, sync and async."""
    pytester.makepyfile(
        """
        import asyncio

        import httpx2
        import pytest
        import respx

        from pytest_llmerrors._interception._respx import _ROUTERS

        CHAT = "https://api.openai.com/v1/chat/completions"

        @pytest.mark.llm_errors(429)
        def test_it(inject_error):
            mocker = _ROUTERS["httpx2"].mocker.name
            with respx.mock(using=mocker, assert_all_called=False) as router:
                router.get("https://own.example.test/ping").respond(200, json={"own": True})
                with httpx2.Client() as client:
                    assert client.get("https://own.example.test/ping").json() == {"own": True}
                    assert client.post(CHAT, json={"model": "m"}).status_code == 429

                async def both():
                    async with httpx2.AsyncClient() as client:
                        own = await client.get("https://own.example.test/ping")
                        chat = await client.post(CHAT, json={"model": "m"})
                    return own.json(), chat.status_code

                assert asyncio.run(both()) == ({"own": True}, 200)
            assert [a.status for a in inject_error.attempts] == [429, 200]
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)


@pytest.mark.httpx2
def test_the_plugins_httpx2_requests_skip_respxs_conversions(pytester: pytest.Pytester) -> None:
    """The plugin answers httpx2 requests from httpcore2's request, sync and async, without
    an httpx request and response made in between (respx's conversions cost about what the
    plugin's whole answer does); a request no profile serves still goes through respx."""
    pytester.makepyfile(
        """
        import asyncio

        import httpx2
        import pytest

        from pytest_llmerrors._interception._respx import _ROUTERS

        CHAT = "https://api.openai.com/v1/chat/completions"

        @pytest.mark.llm_errors(503, block_network=False)
        def test_it(inject_error, monkeypatch):
            mocker = _ROUTERS["httpx2"].mocker
            converted = []
            original = mocker.to_httpx_request.__func__
            monkeypatch.setattr(
                mocker,
                "to_httpx_request",
                classmethod(lambda cls, **kw: converted.append(1) or original(cls, **kw)),
            )
            with httpx2.Client() as client:
                assert client.post(CHAT, json={"model": "m"}).status_code == 503

            async def chat():
                async with httpx2.AsyncClient() as client:
                    return (await client.post(CHAT, json={"model": "m"})).status_code

            assert asyncio.run(chat()) == 200
            assert converted == []
            with httpx2.Client() as client:
                with pytest.raises(httpx2.ConnectError):
                    client.get("http://127.0.0.1:9/unserved")  # passed through: refused
            assert converted  # respx's pool and connection patches each read it
        """
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)
