"""Gemini streams through the real google-genai SDK: assembled text, and each stream fault."""

from __future__ import annotations

import importlib.util

import pytest

pytest.importorskip("google.genai")


def test_gemini_streams_assemble_and_break(pytester: pytest.Pytester) -> None:
    """Streams assemble, sync and async; each fault raises what google-genai raises."""
    pytester.makepyfile(
        """
        import asyncio, pytest
        from google import genai

        TEXT = "hello there world"

        def client(timeout=30_000):  # milliseconds; google-genai has no read timeout by default
            return genai.Client(api_key="k", http_options={"timeout": timeout})

        def read_sync():
            gemini = client()  # kept alive: a collected Client closes its HTTP client
            stream = gemini.models.generate_content_stream(model="gemini-2.5-flash", contents="hi")
            return "".join(chunk.text or "" for chunk in stream)

        def read_async():
            async def main():
                gemini = client()
                stream = await gemini.aio.models.generate_content_stream(
                    model="gemini-2.5-flash", contents="hi")
                return "".join([chunk.text or "" async for chunk in stream])
            return asyncio.run(main())

        READ = {"sync": read_sync, "async": read_async}

        @pytest.mark.llm_errors(provider="gemini")
        def test_stall_without_a_read_timeout_is_reported(inject_error):
            inject_error("stream_stall")
            gemini = genai.Client(api_key="k")  # the SDK's default: no read timeout
            with pytest.raises(pytest.fail.Exception, match="no read timeout"):
                list(gemini.models.generate_content_stream(model="gemini-2.5-flash", contents="a"))

        @pytest.mark.parametrize("mode", ["sync", "async"])
        @pytest.mark.llm_errors(provider="gemini")
        def test_success(inject_error, mode):
            inject_error.reply = TEXT
            assert READ[mode]() == TEXT
            (attempt,) = inject_error.attempts
            assert (attempt.stream, attempt.status, attempt.error) == (True, 200, None)
            assert attempt.path.endswith(":streamGenerateContent")

        @pytest.mark.parametrize("mode", ["sync", "async"])
        @pytest.mark.parametrize("fault", ["stream_error", "stream_truncated", "stream_stall"])
        @pytest.mark.llm_errors(provider="gemini")
        def test_fault(inject_error, mode, fault):
            inject_error.reply = TEXT
            inject_error(fault, after_chunks=1)
            with pytest.raises(Exception) as caught:
                READ[mode]()
            print("RAISED", mode, fault, type(caught.value).__module__, type(caught.value).__name__)
            (attempt,) = inject_error.attempts
            assert (attempt.stream, attempt.error, attempt.chunks) == (True, fault, 1)
        """
    )
    result = pytester.runpytest("-s", "-p", "no:randomly")
    result.assert_outcomes(passed=9)
    raised = sorted(line.split("RAISED ", 1)[1] for line in result.outlines if "RAISED " in line)
    assert len(raised) == 6, raised
    # google-genai's async client goes through aiohttp when it is installed, httpx2 otherwise:
    # each break is that library's own error for it.
    aiohttp = importlib.util.find_spec("aiohttp") is not None
    for line in raised:
        mode, fault, module, name = line.split()
        if fault == "stream_error":
            assert (module, name) in {
                ("google.genai.errors", "ServerError"),
                ("google.genai.errors", "APIError"),
            }, line
        elif mode == "async" and aiohttp and fault == "stream_truncated":
            assert (module, name) == ("aiohttp.client_exceptions", "ClientPayloadError"), line
        elif mode == "async" and aiohttp:
            # google-genai gives aiohttp a total timeout only: aiohttp's own TimeoutError.
            assert (module, name) == ("builtins", "TimeoutError"), line
        elif fault == "stream_truncated":
            assert name == "RemoteProtocolError", line
        else:
            assert name == "ReadTimeout", line
