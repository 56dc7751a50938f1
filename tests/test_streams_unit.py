"""The stream rule, and the mechanism a new API shape plugs into (no pytester, no SDK)."""

from __future__ import annotations

import datetime as _dt
import json
import random
from typing import Any

import pytest

import pytest_llmerrors
from pytest_llmerrors._exchange import Answer, Request
from pytest_llmerrors._faults import Attempt, Fault
from pytest_llmerrors._providers import (
    DEFAULT_REGISTRY,
    ApiShape,
    Endpoint,
    Provider,
    Route,
    hex_request_id,
    stream_answer,
)
from pytest_llmerrors._verdict._streams import (
    classify_stream_fault,
    is_partial_stream,
    stream_fault_reason,
)


def _attempt(error: str | None, chunks: int | None, classification: Any = "retry") -> Attempt:
    return Attempt(
        index=1,
        at=0.0,
        method="POST",
        url="https://api.example.test/v1/chat/completions",
        path="/v1/chat/completions",
        model="m",
        stream=True,
        headers={},
        status=200 if error is None or error.startswith("stream") else 429,
        error=error,
        request_id="req_1",
        retry_after=None,
        classification=None if error is None else classification,
        chunks=chunks,
    )


@pytest.mark.parametrize(
    ("error", "chunks", "classification", "expected"),
    [
        (None, None, None, None),
        ("http_429", None, "retry", None),
        ("read_timeout", None, "retry", None),
        ("stream_error", 0, "retry", "retry"),
        ("stream_truncated", 0, "retry", "retry"),
        ("stream_stall", 0, "retry", "retry"),
        ("stream_error", 1, "retry", "partial_stream"),
        ("stream_truncated", 3, "retry", "partial_stream"),
        ("stream_stall", 2, "retry", "partial_stream"),
        ("stream_error", 2, "give_up", "give_up"),
        ("stream_error", 0, "give_up", "give_up"),
    ],
)
def test_classify_stream_fault(
    error: str | None, chunks: int | None, classification: Any, expected: str | None
) -> None:
    """Before content a stream fault keeps its class; after content, ending or retrying passes."""
    attempt = _attempt(error, chunks, classification)
    assert classify_stream_fault(attempt) == expected
    partial = expected == "partial_stream"
    assert is_partial_stream(attempt) == (bool(chunks) and error is not None)
    reason = stream_fault_reason(attempt)
    assert (reason is not None) == partial
    if reason is not None:
        assert f"after {chunks} content chunk" in reason and "without repeating" in reason


class _PlainShape(ApiShape):
    """A minimal shape, as a new provider's would be: framing, three content chunks, a close."""

    name = "plain"
    operations = (("/generate", "generate"),)

    def error_object(self, fault: Fault, status: int, request_id: str) -> Any:
        return {"error": {"code": status, "message": fault.message}}

    def success(self, request: Request, operation: str, text: str, rng: random.Random) -> Answer:
        return stream_answer([b"open\n\n", b"a\n\n", b"b\n\n", b"c\n\n", b"close\n\n"], 1, 4)


def _plain_answer(fault: Fault | None, read: float | None = 5.0) -> Answer:
    shape = _PlainShape()
    provider = Provider("plain", (Endpoint(shape),), "x-request-id", hex_request_id())
    request = Request("POST", "https://p.test/generate", {}, b"{}", timeouts={"read": read})
    route = Route(provider, provider.endpoints[0], "generate")
    answer, _ = provider.answer(
        fault, request, route, text="x", rng=random.Random(0), now=_dt.datetime(2025, 1, 1)
    )
    return answer


def test_a_new_shape_gets_every_stream_fault_from_content_start_and_end() -> None:
    """A shape giving content_start/content_end gets the error event, truncation and stall."""
    error = _plain_answer(Fault("stream_error", message="boom", after_chunks=2))
    assert error.events == [
        b"open\n\n",
        b"a\n\n",
        b"b\n\n",
        b'data: {"error":{"code":500,"message":"boom"}}\n\n',
    ]
    assert (error.chunks, error.stream_end) == (2, "complete")
    cut = _plain_answer(Fault("stream_truncated", after_chunks=0))
    assert (cut.events, cut.chunks, cut.stream_end) == ([b"open\n\n"], 0, "truncated")
    stall = _plain_answer(Fault("stream_stall", after_chunks=5), read=5.0)
    assert stall.events == [b"open\n\n", b"a\n\n", b"b\n\n", b"c\n\n"]
    assert (stall.chunks, stall.stream_end, stall.stall_seconds) == (3, "stall", 5.0)
    forever = _plain_answer(Fault("stream_stall"), read=None)
    assert (forever.stall, forever.stall_seconds) == (None, 0.0)
    whole = _plain_answer(None)
    assert (whole.chunks, len(whole.events or [])) == (None, 5)


def test_responses_error_event_is_numbered_and_nested() -> None:
    """The Responses API error event follows the numbered events and nests the error."""
    shape = DEFAULT_REGISTRY.get("openai").endpoints[0].shape
    body = b'{"model": "gpt-4o-mini", "input": "hi", "stream": true}'
    request = Request("POST", "https://api.openai.com/v1/responses", {}, body)
    answer = shape.success(request, "responses", "a b c", random.Random(0))
    numbers = [json.loads(c.split(b"data: ", 1)[1])["sequence_number"] for c in answer.events or []]
    assert numbers == list(range(len(numbers)))
    event = shape.stream_error_event(
        Fault("stream_error", message="boom", error_type="server_error"),
        "req_1",
        operation="responses",
        sequence=6,
    )
    assert event.startswith(b"event: error\ndata: ")
    assert json.loads(event.split(b"data: ", 1)[1]) == {
        "type": "error",
        "error": {"message": "boom", "type": "server_error", "param": None, "code": "server_error"},
        "sequence_number": 6,
    }


def test_catalogs_carry_every_stream_scenario_with_advice() -> None:
    """openai and anthropic list stream_error, stream_truncated and stream_stall, with advice."""
    for provider in ("openai", "anthropic"):
        scenarios = {f.name: f for f in pytest_llmerrors.catalog(provider)}
        for name in ("stream_error", "stream_truncated", "stream_stall"):
            assert scenarios[name].stream and scenarios[name].advice
            assert scenarios[name].after_chunks == 1


class _ByMethodShape(_PlainShape):
    """A shape whose operation reads more than the path: its routes must not be kept."""

    def operation(self, request: Request, prefix: str = "") -> str | None:
        return "generate" if request.body == b'{"go": true}' else None


def _request(path: str, body: bytes = b"{}") -> Request:
    return Request("POST", f"https://p.test{path}", {}, body)


def test_routes_are_found_again_when_the_profile_or_its_shape_says_so() -> None:
    """A route is found once per path; new endpoints, or a shape reading more than the path
    (its own `operation`), are asked again."""
    provider = Provider("plain", (Endpoint(_PlainShape()),), "x-request-id", hex_request_id())
    first = provider.route(_request("/generate"))
    assert first is not None and first.operation == "generate"
    assert provider.route(_request("/generate")) is first
    assert provider.route(_request("/other")) is None
    provider.endpoints = (Endpoint(_PlainShape(), prefix="/v2"),)
    assert provider.route(_request("/generate")) is None
    moved = provider.route(_request("/v2/generate"))
    assert moved is not None and moved.endpoint.prefix == "/v2"
    reading = Provider("by-body", (Endpoint(_ByMethodShape()),), "x-id", hex_request_id())
    assert reading.route(_request("/generate")) is None
    routed = reading.route(_request("/generate", b'{"go": true}'))
    assert routed is not None and routed.operation == "generate"
