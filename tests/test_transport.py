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
