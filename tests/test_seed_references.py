"""The seed audit's findings, each through the real SDK a user would call.

FluxRouter's unserved paths and its Anthropic-path 401, DeRouter's passed-through upstream
errors and its missing 403/500 rows, the model lists of DeRouter and ToRouter, Requesty's
mid-stream error body (on chat and on the Responses API). One pytester run holds them all.
"""

from __future__ import annotations

import pytest

INNER = r"""
import anthropic
import openai
import pytest

FLUX = "https://api.fluxrouter.ai"
DE = "https://api.derouter.test"
TO = "https://api.torouter.test"
REQUESTY = "https://router.requesty.ai/v1"


def oai(base_url):
    return openai.OpenAI(api_key="sk-test", base_url=base_url, max_retries=0)


def claude(base_url, api_key="sk-test"):
    return anthropic.Anthropic(api_key=api_key, base_url=base_url, max_retries=0)


@pytest.mark.llm_errors(provider="fluxrouter")
def test_fluxrouter_answers_403_on_embeddings(inject_error):
    with pytest.raises(openai.PermissionDeniedError) as caught:
        oai(FLUX + "/v1").embeddings.create(model="flux-auto", input="hi")
    error = caught.value
    assert error.body["message"].startswith("This endpoint is not served. Supported: ")
    assert error.body["type"] == "invalid_request_error"
    attempt = inject_error.attempts[0]
    assert attempt.status == 403 and attempt.error == "endpoint_not_served"
    assert attempt.classification == "give_up" and attempt.path == "/v1/embeddings"
    # The id travels in FluxRouter's own header (the SDK's .request_id reads x-request-id).
    assert error.response.headers["x-flux-request-id"] == attempt.request_id


@pytest.mark.llm_errors(provider="fluxrouter")
def test_fluxrouter_answers_403_on_any_host_base_url(inject_error):
    # The same answer when base_url points at a proxy in front of FluxRouter.
    with pytest.raises(openai.PermissionDeniedError):
        oai("https://llm.internal.test/v1").embeddings.create(model="flux-auto", input="hi")
    assert inject_error.attempts[0].error == "endpoint_not_served"


@pytest.mark.llm_errors(provider="fluxrouter")
def test_fluxrouter_anthropic_path_serves_only_messages(inject_error):
    # OpenAI's chat under /anthropic is not served: 403 in Anthropic's shape.
    with pytest.raises(openai.PermissionDeniedError) as caught:
        oai(FLUX + "/anthropic/v1").chat.completions.create(model="flux-auto", messages=[])
    assert caught.value.response.json()["type"] == "error"
    assert caught.value.response.json()["error"]["type"] == "permission_error"
    assert inject_error.attempts[0].path == "/anthropic/v1/chat/completions"
    reply = claude(FLUX + "/anthropic").messages.create(
        model="flux-auto", max_tokens=5, messages=[{"role": "user", "content": "hi"}]
    )
    assert reply.content[0].text
    count = claude(FLUX + "/anthropic").messages.count_tokens(
        model="flux-auto", messages=[{"role": "user", "content": "hi"}]
    )
    assert count.input_tokens == 5


@pytest.mark.llm_errors(provider="fluxrouter")
def test_fluxrouter_unserved_path_leaves_queued_faults(inject_error):
    inject_error("rate_limit")
    client = oai(FLUX + "/v1")
    with pytest.raises(openai.PermissionDeniedError):
        client.models.list()
    with pytest.raises(openai.RateLimitError):
        client.chat.completions.create(model="flux-auto", messages=[])
    assert [a.error for a in inject_error.attempts] == ["endpoint_not_served", "rate_limit"]


@pytest.mark.llm_errors("invalid_api_key", provider="fluxrouter")
def test_fluxrouter_401_on_anthropic_path_is_authentication_error(inject_error):
    with pytest.raises(anthropic.AuthenticationError) as caught:
        claude(FLUX + "/anthropic", api_key="bad").messages.create(
            model="flux-auto", max_tokens=5, messages=[]
        )
    assert caught.value.body["type"] == "error"
    assert caught.value.body["error"]["type"] == "authentication_error"
    assert caught.value.body["error"]["message"] == "Incorrect API key provided."
    inject_error("invalid_api_key")
    with pytest.raises(openai.AuthenticationError) as caught_openai:
        oai(FLUX + "/v1").chat.completions.create(model="flux-auto", messages=[])
    body = caught_openai.value.body
    assert (body["type"], body["code"]) == ("invalid_request_error", "invalid_api_key")


@pytest.mark.llm_errors(provider="derouter")
def test_derouter_passes_upstream_errors_through_in_each_shape(inject_error):
    inject_error("prompt_too_long")
    with pytest.raises(anthropic.BadRequestError) as caught:
        claude(DE).messages.create(model="claude-sonnet-4-6", max_tokens=5, messages=[])
    assert caught.value.body["error"] == {
        "type": "invalid_request_error",
        "message": "prompt is too long: 204118 tokens > 200000 maximum",
    }
    inject_error("prompt_too_long")
    with pytest.raises(openai.BadRequestError) as caught_openai:
        oai(DE + "/v1").chat.completions.create(model="gpt-5", messages=[])
    body = caught_openai.value.body
    assert body["code"] == "context_length_exceeded" and body["param"] == "messages"
    assert body["message"].startswith("This model's maximum context length is 128000 tokens.")
    inject_error("invalid_tool_format")
    with pytest.raises(anthropic.BadRequestError) as caught:
        claude(DE).messages.create(model="claude-sonnet-4-6", max_tokens=5, messages=[])
    assert caught.value.body["error"]["message"] == "tools.0.custom.input_schema: Field required"
    inject_error("invalid_tool_format")
    with pytest.raises(openai.BadRequestError) as caught_openai:
        oai(DE + "/v1").chat.completions.create(model="gpt-5", messages=[])
    assert caught_openai.value.code == "missing_required_parameter"
    assert caught_openai.value.param == "tools[0].function"
    # A message the test sets stands in every shape.
    inject_error("prompt_too_long", message="too long, as the test says")
    with pytest.raises(openai.BadRequestError) as caught_openai:
        oai(DE + "/v1").chat.completions.create(model="gpt-5", messages=[])
    assert caught_openai.value.body["message"] == "too long, as the test says"
    assert all(a.classification == "give_up" for a in inject_error.attempts)


@pytest.mark.llm_errors(provider="derouter")
def test_derouter_has_no_invented_403_or_500(inject_error):
    for name in ("permission_denied", "server_error"):
        with pytest.raises(ValueError, match="DeRouter's error guide lists no"):
            inject_error(name)
    inject_error(403)  # a bare status is still what the test asked for
    with pytest.raises(openai.PermissionDeniedError):
        oai(DE + "/v1").chat.completions.create(model="gpt-5", messages=[])


@pytest.mark.llm_errors(provider="derouter")
def test_derouter_lists_models(inject_error):
    ids = [m.id for m in oai(DE + "/v1").models.list()]
    assert "claude-sonnet-4-6" in ids and "gpt-5" in ids
    page = claude(DE).models.list()
    assert [m.id for m in page.data] == ids and page.data[0].type == "model"
    assert [a.path for a in inject_error.attempts] == ["/v1/models", "/v1/models"]
    assert all(a.status == 200 and a.error is None for a in inject_error.attempts)


@pytest.mark.llm_errors(provider="torouter")
def test_torouter_lists_models(inject_error):
    ids = [m.id for m in oai(TO + "/v1").models.list()]
    assert "gpt-4o-mini" in ids and "gemini-2.5-flash" in ids
    assert [m.id for m in claude(TO).models.list().data] == ids
    inject_error("rate_limit")
    with pytest.raises(openai.RateLimitError):
        oai(TO + "/v1").models.list()


@pytest.mark.llm_errors(provider="requesty")
def test_requesty_stream_error_body_is_origin_and_message(inject_error):
    inject_error("stream_error", after_chunks=1)
    stream = oai(REQUESTY).chat.completions.create(
        model="openai/gpt-4o", messages=[{"role": "user", "content": "hi"}], stream=True
    )
    with pytest.raises(openai.APIError) as caught:
        for _ in stream:
            pass
    assert caught.value.body == {
        "origin": "router",
        "message": "There was a problem with the provider stream",
    }


@pytest.mark.llm_errors(provider="requesty")
def test_requesty_responses_stream_error_raises_the_sdk_error(inject_error):
    inject_error("stream_error", after_chunks=1)
    stream = oai(REQUESTY).responses.create(model="openai/gpt-4o", input="hi", stream=True)
    with pytest.raises(openai.APIError) as caught:
        for _ in stream:
            pass
    assert caught.value.body == {
        "origin": "router",
        "message": "There was a problem with the provider stream",
    }
    assert inject_error.attempts[0].chunks == 1
"""


def test_seed_findings_through_the_sdks(pytester: pytest.Pytester) -> None:
    """Every audited seed finding is fixed as each SDK sees it."""
    pytester.makepyfile(test_inner=INNER)
    result = pytester.runpytest("-p", "no:randomly", "-q")
    result.assert_outcomes(passed=11)
