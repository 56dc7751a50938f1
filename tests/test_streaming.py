"""Streaming: realistic SSE streams the real SDKs assemble, and the ways they break mid-flight.

Each pytester run holds many inner tests (sync and async, every way of streaming), so the
real openai and anthropic SDKs are driven through every path in a few runs. The expected
exceptions are the SDKs' own production behaviour, for whichever generation is installed:
openai 3.x wraps transport errors met mid-stream (``APIConnectionError``,
``APITimeoutError``), openai 2.x and anthropic let the library's error through.
The stream rule and the shape mechanism are tested without pytester in
``test_streams_unit.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

#: Helpers of the inner tests: a client and a stream for each way of streaming, sync or async.
CLIENTS = Path(__file__).with_name("_stream_clients.py").read_text()


def _inner(pytester: pytest.Pytester, tests: str) -> None:
    pytester.makepyfile(clients=CLIENTS, test_inner=tests)
    pytester.syspathinsert()


def test_success_streams_are_assembled_by_the_sdks(pytester: pytest.Pytester) -> None:
    """Every way of streaming, sync and async, assembles the reply; usage arrives at the end."""
    _inner(
        pytester,
        """
        import pytest
        from clients import TEXT, WAYS, client, consume

        @pytest.mark.parametrize("mode", ["sync", "async"])
        @pytest.mark.parametrize("way", WAYS)
        @pytest.mark.llm_errors
        def test_stream(inject_error, way, mode):
            inject_error.reply = TEXT
            seen = []
            assert consume(mode, way, seen) == TEXT
            assert "".join(seen) == TEXT
            assert [p for p in seen if p] == ["hello ", "there ", "world"]
            (attempt,) = inject_error.attempts
            assert (attempt.stream, attempt.status, attempt.error, attempt.chunks) == (
                True, 200, None, None)

        @pytest.mark.llm_errors
        def test_chat_usage_in_the_final_chunk(inject_error):
            inject_error.reply = TEXT
            stream = client("chat", "sync").chat.completions.create(
                model="gpt-4o-mini", messages=[], stream=True,
                stream_options={"include_usage": True})
            chunks = list(stream)
            assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == 3
            assert chunks[-1].usage.total_tokens == 8
            assert all(c.usage is None for c in chunks[:-1])
            assert chunks[-2].choices[0].finish_reason == "stop"
            plain = list(client("chat", "sync").chat.completions.create(
                model="gpt-4o-mini", messages=[], stream=True))
            assert all(c.usage is None and c.choices for c in plain)

        @pytest.mark.anyio
        @pytest.mark.llm_errors
        async def test_async_helpers_report_usage(inject_error):
            inject_error.reply = TEXT
            async with client("chat_helper", "async").chat.completions.stream(
                model="gpt-4o-mini", messages=[], stream_options={"include_usage": True}
            ) as stream:
                completion = await stream.get_final_completion()
            assert completion.usage.completion_tokens == 3
            async with client("messages_helper", "async").messages.stream(
                model="claude-haiku-4-5", max_tokens=50, messages=[]
            ) as stream:
                message = await stream.get_final_message()
            assert (message.stop_reason, message.usage.output_tokens) == ("end_turn", 3)
            response = await client("responses", "async").responses.create(
                model="gpt-4o-mini", input="hi")
            assert response.output_text == TEXT

        @pytest.fixture
        def anyio_backend():
            return "asyncio"
        """,
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=14)


def test_stream_faults_raise_what_the_sdks_raise_in_production(
    pytester: pytest.Pytester,
) -> None:
    """stream_error, stream_truncated, stream_stall after 2 chunks: the SDK's own exception."""
    _inner(
        pytester,
        """
        import anthropic, openai, pytest
        from clients import ANTHROPIC_LIB, OPENAI_LIB, TEXT, WAYS, consume

        MESSAGE = "An error occurred while streaming the response. Please retry."

        def production_error(way, fault):
            # (exception class, class of its __cause__ or None) the SDK raises in production
            anthropic_sdk = way.startswith("messages")
            if fault == "stream_error":
                return (anthropic.APIStatusError if anthropic_sdk else openai.APIError), None
            name = "RemoteProtocolError" if fault == "stream_truncated" else "ReadTimeout"
            library_error = getattr(ANTHROPIC_LIB if anthropic_sdk else OPENAI_LIB, name)
            if anthropic_sdk or int(openai.__version__.split(".")[0]) < 3:
                return library_error, None
            if fault == "stream_truncated":
                return openai.APIConnectionError, library_error
            return openai.APITimeoutError, library_error

        @pytest.mark.parametrize("fault", ["stream_error", "stream_truncated", "stream_stall"])
        @pytest.mark.parametrize("mode", ["sync", "async"])
        @pytest.mark.parametrize("way", WAYS)
        @pytest.mark.llm_errors
        def test_fault(inject_error, way, mode, fault):
            inject_error.reply = TEXT
            inject_error(fault, after_chunks=2)
            seen = []
            with pytest.raises(Exception) as caught:
                consume(mode, way, seen, {"timeout": 7.0})
            error = caught.value
            expected, cause = production_error(way, fault)
            assert type(error) is expected, repr(error)
            if cause is not None:
                assert isinstance(error.__cause__, cause), repr(error.__cause__)
            assert "".join(seen) == "hello there "
            (attempt,) = inject_error.attempts
            assert (attempt.stream, attempt.status, attempt.error, attempt.chunks) == (
                True, 200, fault, 2)
            stalled = 7.0 if fault == "stream_stall" else 0.0
            assert inject_error.clock.now() == stalled
            assert attempt.ended_at == attempt.at + stalled
            if fault != "stream_error":
                return
            if way.startswith("messages"):
                assert (error.status_code, error.request_id) == (200, attempt.request_id)
                assert error.body == {
                    "type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
            else:
                code = "server_error" if way.startswith("responses") else None
                assert str(error) == MESSAGE
                assert error.body == {
                    "message": MESSAGE, "type": "server_error", "param": None, "code": code}
        """,
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=36)


def test_stream_timeline_errors_before_the_first_byte_and_stalls(
    pytester: pytest.Pytester,
) -> None:
    """Queue, pre-stream errors, chunk bounds, stall timing and the no-read-timeout failure."""
    _inner(
        pytester,
        """
        import time
        import anthropic, openai, pytest
        from clients import ANTHROPIC_LIB, MSG, OPENAI_LIB, TEXT, client, consume

        @pytest.mark.llm_errors("stream_error")
        def test_a_stream_fault_waits_for_a_streaming_request(inject_error):
            c = client("chat", "sync")
            reply = c.chat.completions.create(model="gpt-4o-mini", messages=MSG)
            assert reply.choices[0].message.content == "pong"
            with pytest.raises(openai.APIError):
                list(c.chat.completions.create(model="gpt-4o-mini", messages=MSG, stream=True))
            assert [(a.stream, a.error, a.chunks) for a in inject_error.attempts] == [
                (False, None, None), (True, "stream_error", 1)]

        @pytest.mark.parametrize("mode", ["sync", "async"])
        @pytest.mark.llm_errors
        def test_errors_before_the_first_byte_are_retried_by_the_sdk(inject_error, mode):
            inject_error.reply = TEXT
            options = {"max_retries": 2}
            inject_error(429, retry_after=1)
            assert consume(mode, "chat", [], options) == TEXT
            inject_error("overloaded", provider="anthropic")
            assert consume(mode, "messages_helper", [], options) == TEXT
            attempts = inject_error.attempts
            seen = [(a.provider, a.stream, a.status, a.error, a.chunks) for a in attempts]
            assert seen == [
                ("openai", True, 429, "http_429", None), ("openai", True, 200, None, None),
                ("anthropic", True, 529, "overloaded", None), ("anthropic", True, 200, None, None)]
            assert inject_error.delays[0] >= 1.0

        @pytest.mark.llm_errors(401, provider="anthropic")
        def test_a_give_up_error_on_a_stream_is_raised_before_any_event(inject_error):
            with pytest.raises(anthropic.AuthenticationError):
                consume("sync", "messages", [], {"max_retries": 3})
            assert [(a.stream, a.status) for a in inject_error.attempts] == [(True, 401)]

        @pytest.mark.parametrize("after, seen_text", [(0, ""), (99, TEXT)])
        @pytest.mark.parametrize("way", ["chat", "responses_helper", "messages"])
        @pytest.mark.llm_errors
        def test_after_chunks_counts_content_only(inject_error, way, after, seen_text):
            inject_error.reply = TEXT
            inject_error("stream_error", after_chunks=after)
            seen = []
            with pytest.raises((openai.APIError, anthropic.APIStatusError)):
                consume("sync", way, seen)
            assert "".join(seen) == seen_text
            assert inject_error.attempts[0].chunks == min(after, 3)

        @pytest.mark.llm_errors
        def test_a_retry_after_a_stall_is_timed_from_the_end_of_the_stall(inject_error):
            inject_error.reply = TEXT
            inject_error("stream_stall", after_chunks=1, times=2)
            errors = (openai.APITimeoutError, OPENAI_LIB.ReadTimeout)
            with pytest.raises(errors):
                consume("sync", "chat", [], {"timeout": 30.0})
            with pytest.raises(errors):
                consume("sync", "chat", [], {"timeout": 30.0})
            time.sleep(2)
            assert consume("sync", "chat", [], {"timeout": 30.0}) == TEXT
            assert inject_error.delays == [0.0, 2.0]
            assert [a.at for a in inject_error.attempts] == [0.0, 30.0, 62.0]

        @pytest.mark.llm_errors(fake_time=False)
        def test_a_stall_on_the_real_clock_raises_at_once(inject_error):
            inject_error("stream_stall", provider="anthropic")
            start = time.monotonic()
            with pytest.raises(ANTHROPIC_LIB.ReadTimeout):
                consume("async", "messages_helper", [], {"timeout": 600.0})
            assert time.monotonic() - start < 5

        @pytest.mark.llm_errors
        def test_stream_error_takes_body_and_headers(inject_error):
            error = {"message": "Rate limit reached", "type": "tokens",
                     "code": "rate_limit_exceeded", "param": None}
            inject_error("stream_error", after_chunks=0, body={"error": error},
                         headers={"x-ratelimit-remaining-tokens": "0"})
            stream = client("chat", "sync").chat.completions.create(
                model="gpt-4o-mini", messages=MSG, stream=True)
            assert stream.response.headers["x-ratelimit-remaining-tokens"] == "0"
            with pytest.raises(openai.APIError, match="Rate limit reached") as caught:
                list(stream)
            assert caught.value.body["code"] == "rate_limit_exceeded"

        @pytest.mark.llm_errors("stream_stall")
        def test_stall_without_read_timeout(inject_error):
            consume("sync", "messages", [], {"timeout": None})
        """,
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=13, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_stall_without_read_timeout*",
            "*stream_stall on a client with no read timeout*would hang*",
        ]
    )


def test_verdict_applies_the_stream_rule(pytester: pytest.Pytester) -> None:
    """Surfacing a stream that broke after content is resilient; before content it is not."""
    pytester.makepyfile(
        """
        import logging, openai, pytest

        log = logging.getLogger("chat_app")

        def chat(client):
            stream = client.chat.completions.create(model="m", messages=[], stream=True)
            try:
                return "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
            except openai.APIError:
                log.error("stream failed, request id %s", stream.response.headers["x-request-id"])
                return None

        @pytest.mark.llm_errors
        def test_after_content(inject_error):
            inject_error.reply = "hello there world"
            inject_error("stream_error", after_chunks=2)
            assert chat(openai.OpenAI(api_key="k")) is None
            inject_error.assert_resilient()

        @pytest.mark.llm_errors
        def test_before_content(inject_error):
            inject_error("stream_error", after_chunks=0)
            assert chat(openai.OpenAI(api_key="k")) is None
            with pytest.raises(AssertionError, match="retr"):
                inject_error.assert_resilient()
        """
    )
    pytester.runpytest().assert_outcomes(passed=2)
