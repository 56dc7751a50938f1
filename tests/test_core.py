"""Core: errors injected into the real SDKs and plain clients, and the recorded timeline."""

from __future__ import annotations

import pytest


def test_openai_rate_limit_then_success_records_the_timeline(pytester: pytest.Pytester) -> None:
    """Two 429s with Retry-After, then success: three attempts, ids, statuses and waits asked."""
    pytester.makepyfile(
        """
        import openai, pytest

        @pytest.mark.llm_errors(provider="openai")
        def test_it(inject_error):
            inject_error(429, retry_after=2, times=2)
            client = openai.OpenAI(api_key="sk-test", max_retries=2)
            reply = client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": "ping"}]
            )
            assert reply.choices[0].message.content == "pong"
            attempts = inject_error.attempts
            assert [a.index for a in attempts] == [1, 2, 3]
            assert [a.status for a in attempts] == [429, 429, 200]
            assert [a.error for a in attempts] == ["http_429", "http_429", None]
            assert [a.retry_after for a in attempts] == [2.0, 2.0, None]
            assert {a.path for a in attempts} == {"/v1/chat/completions"}
            assert {a.model for a in attempts} == {"gpt-4o-mini"}
            assert {a.method for a in attempts} == {"POST"}
            assert [a.stream for a in attempts] == [False] * 3
            ids = [a.request_id for a in attempts]
            assert len(set(ids)) == 3 and all(i.startswith("req_") for i in ids)
            assert attempts[0].headers["authorization"] == "Bearer sk-test"
            assert attempts[1].at >= attempts[0].at
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_openai_auth_error_carries_the_injected_request_id_and_body(
    pytester: pytest.Pytester,
) -> None:
    """A 401 reaches the SDK as AuthenticationError with the injected request id and body."""
    pytester.makepyfile(
        """
        import openai, pytest

        @pytest.mark.llm_errors
        def test_it(inject_error):
            inject_error(401, request_id="req_fixed123")
            client = openai.OpenAI(api_key="sk-test")
            with pytest.raises(openai.AuthenticationError) as caught:
                client.chat.completions.create(model="gpt-4o-mini", messages=[])
            assert caught.value.request_id == "req_fixed123"
            assert caught.value.body["code"] == "invalid_api_key"
            assert caught.value.status_code == 401
            assert len(inject_error.attempts) == 1
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_openai_read_timeout_always_ends_in_api_timeout_error(pytester: pytest.Pytester) -> None:
    """read_timeout with always=True: the SDK retries, then raises APITimeoutError."""
    pytester.makepyfile(
        """
        import openai, pytest

        @pytest.mark.llm_errors
        def test_it(inject_error):
            inject_error("read_timeout", always=True)
            client = openai.OpenAI(api_key="sk-test", max_retries=3)
            with pytest.raises(openai.APITimeoutError):
                client.chat.completions.create(model="gpt-4o-mini", messages=[])
            assert [a.status for a in inject_error.attempts] == [None] * 4
            assert {a.error for a in inject_error.attempts} == {"read_timeout"}
            assert {a.request_id for a in inject_error.attempts} != {None}
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_openai_connect_error_is_api_connection_error(pytester: pytest.Pytester) -> None:
    """connect_error surfaces as the SDK's APIConnectionError, not as a timeout."""
    pytester.makepyfile(
        """
        import openai, pytest

        @pytest.mark.llm_errors
        def test_it(inject_error):
            inject_error("connect_error", always=True)
            client = openai.OpenAI(api_key="sk-test", max_retries=0)
            with pytest.raises(openai.APIConnectionError) as caught:
                client.chat.completions.create(model="gpt-4o-mini", messages=[])
            assert not isinstance(caught.value, openai.APITimeoutError)
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_openai_responses_and_embeddings_parse(pytester: pytest.Pytester) -> None:
    """The Responses and Embeddings success bodies parse in the SDK."""
    pytester.makepyfile(
        """
        import openai, pytest

        @pytest.mark.llm_errors
        def test_it(inject_error):
            client = openai.OpenAI(api_key="sk-test")
            inject_error.reply = "hello there"
            response = client.responses.create(model="gpt-4o-mini", input="hi")
            assert response.output_text == "hello there"
            emb = client.embeddings.create(model="text-embedding-3-small", input=["a", "b"])
            assert len(emb.data) == 2 and len(emb.data[0].embedding) == 3
            assert [a.path for a in inject_error.attempts] == ["/v1/responses", "/v1/embeddings"]
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_anthropic_overloaded_then_success(pytester: pytest.Pytester) -> None:
    """An anthropic 529 then success: the SDK retries and the id header is request-id."""
    pytester.makepyfile(
        """
        import anthropic, pytest

        @pytest.mark.llm_errors(provider="anthropic")
        def test_it(inject_error):
            inject_error("overloaded")
            client = anthropic.Anthropic(api_key="sk-ant-test")
            message = client.messages.create(
                model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": "a"}]
            )
            assert message.content[0].text == "pong"
            assert [a.status for a in inject_error.attempts] == [529, 200]
            assert inject_error.attempts[0].request_id.startswith("req_011C")
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_anthropic_auth_error_carries_request_id_and_body(pytester: pytest.Pytester) -> None:
    """An anthropic 401 is AuthenticationError with the injected id and the Anthropic body."""
    pytester.makepyfile(
        """
        import anthropic, pytest

        @pytest.mark.llm_errors("invalid_api_key", provider="anthropic")
        def test_it(inject_error):
            client = anthropic.Anthropic(api_key="sk-ant-test")
            with pytest.raises(anthropic.AuthenticationError) as caught:
                client.messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[])
            assert caught.value.request_id == inject_error.attempts[0].request_id
            assert caught.value.body["error"]["type"] == "authentication_error"
            assert caught.value.body["type"] == "error"
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_host_picks_the_profile_when_the_test_provider_does_not_serve_it(
    pytester: pytest.Pytester,
) -> None:
    """An anthropic client in an openai-default test is served by the anthropic profile."""
    pytester.makepyfile(
        """
        import anthropic, pytest

        @pytest.mark.llm_errors(429)
        def test_it(inject_error):
            client = anthropic.Anthropic(api_key="sk-ant-test")
            client.messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[])
            first = inject_error.attempts[0]
            assert (first.status, first.provider) == (429, "anthropic")
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_router_base_url_is_served(pytester: pytest.Pytester) -> None:
    """An SDK pointed at a router's base_url, on any host, is served by path."""
    pytester.makepyfile(
        """
        import openai, pytest

        @pytest.mark.llm_errors(503)
        def test_it(inject_error):
            client = openai.OpenAI(api_key="sk", base_url="https://router.example.test/api/v1")
            reply = client.chat.completions.create(model="m", messages=[])
            assert reply.choices[0].message.content == "pong"
            assert [a.url for a in inject_error.attempts] == [
                "https://router.example.test/api/v1/chat/completions"] * 2
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_module_level_client_created_before_the_test_is_intercepted(
    pytester: pytest.Pytester,
) -> None:
    """A client built at import time, before the test started, is intercepted too."""
    pytester.makepyfile(
        """
        import openai, pytest

        CLIENT = openai.OpenAI(api_key="sk-test", max_retries=0)
        CLIENT.chat.completions  # touch the resource so the httpx client exists

        @pytest.mark.llm_errors(500)
        def test_it():
            with pytest.raises(openai.InternalServerError):
                CLIENT.chat.completions.create(model="gpt-4o-mini", messages=[])
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_async_openai_retries_and_succeeds(pytester: pytest.Pytester) -> None:
    """AsyncOpenAI under pytest-asyncio: a 429 with Retry-After, then success."""
    pytester.makepyfile(
        """
        import openai, pytest

        @pytest.mark.asyncio
        @pytest.mark.llm_errors
        async def test_it(inject_error):
            inject_error(429, retry_after=1)
            client = openai.AsyncOpenAI(api_key="sk-test")
            reply = await client.chat.completions.create(model="gpt-4o-mini", messages=[])
            assert reply.choices[0].message.content == "pong"
            assert [a.status for a in inject_error.attempts] == [429, 200]
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_async_anthropic_auth_error(pytester: pytest.Pytester) -> None:
    """AsyncAnthropic under anyio's plugin gets AuthenticationError at once."""
    pytester.makepyfile(
        """
        import anthropic, pytest

        @pytest.mark.anyio
        @pytest.mark.llm_errors(401, provider="anthropic")
        async def test_it(inject_error):
            client = anthropic.AsyncAnthropic(api_key="sk-ant-test")
            with pytest.raises(anthropic.AuthenticationError):
                await client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[])
            assert len(inject_error.attempts) == 1

        @pytest.fixture
        def anyio_backend():
            return "asyncio"
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)
