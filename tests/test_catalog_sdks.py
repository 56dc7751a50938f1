"""Every catalog scenario of every profile, through the real SDK of the API shape it serves.

One pytester run holds every case (a run costs seconds; a case costs milliseconds). Set
``LLM_ERRORS_SDK_TABLE=path.md`` to write the scenario/exception table of the run.
"""

from __future__ import annotations

import importlib.util
import json
import os

import pytest

from pytest_llmerrors import catalog
from pytest_llmerrors._providers import DEFAULT_REGISTRY


def _has(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # the parent package ("google") is missing
        return False


HAS_GENAI = _has("google.genai")

INNER = r'''
import json
import pytest
import anthropic
import openai

PROVIDERS = ["openai", "anthropic", "gemini", "openrouter", "fluxrouter", "fluent",
             "derouter", "torouter", "requesty"]
#: The SDKs each profile is driven through, with the base URL each one is given.
SHAPES = {
    "openai": [("openai", None)],
    "anthropic": [("anthropic", None)],
    "gemini": [("gemini", None)],
    "openrouter": [("openai", "https://openrouter.ai/api/v1")],
    "fluxrouter": [("openai", "https://api.fluxrouter.ai/v1"),
                   ("anthropic", "https://api.fluxrouter.ai/anthropic")],
    "fluent": [("openai", "http://localhost:1234/v1")],
    "derouter": [("anthropic", "https://api.derouter.test"),
                 ("openai", "https://api.derouter.test/v1")],
    "torouter": [("openai", "https://api.torouter.test/v1"),
                 ("anthropic", "https://api.torouter.test"),
                 ("gemini", "https://api.torouter.test")],
    "requesty": [("openai", "https://router.requesty.ai/v1")],
}
#: The exception class each status is expected to raise, first name the SDK defines.
BY_STATUS = {
    400: ["BadRequestError"], 401: ["AuthenticationError"],
    402: ["PaymentRequiredError"], 403: ["PermissionDeniedError"], 404: ["NotFoundError"],
    408: ["RequestTimeoutError"], 409: ["ConflictError"],
    413: ["ContentTooLargeError", "RequestTooLargeError"],
    422: ["UnprocessableEntityError"], 429: ["RateLimitError"],
    503: ["ServiceUnavailableError"], 504: ["GatewayTimeoutError"], 529: ["OverloadedError"],
}
NETWORK = {"connect_error": "APIConnectionError", "connect_timeout": "APITimeoutError",
           "read_timeout": "APITimeoutError"}
GENAI_NETWORK = {"connect_error": "ConnectError", "connect_timeout": "ConnectTimeout",
                 "read_timeout": "ReadTimeout"}
SDK_ID_HEADER = {"openai": "x-request-id", "anthropic": "request-id"}


def expected(sdk, module, fault):
    if fault.network:
        return ((GENAI_NETWORK if sdk == "gemini" else NETWORK)[fault.name],)
    if fault.status == 200:
        # No SDK wraps a broken success body: the json module's error escapes as is.
        return ("JSONDecodeError",)
    if sdk == "gemini":
        return ("ClientError" if fault.status < 500 else "ServerError",)
    generic = "InternalServerError" if fault.status >= 500 else "APIStatusError"
    for name in BY_STATUS.get(fault.status, []):
        if hasattr(module, name):
            # Older SDKs define some classes before they map the status to them.
            return (name, generic)
    return (generic,)


CLIENTS = {}


def client(sdk, base_url):
    """Build each client once: an SSL context per client costs more than the whole case."""
    key = (sdk, base_url)
    if key not in CLIENTS:
        if sdk == "openai":
            CLIENTS[key] = openai.OpenAI(api_key="sk-test", base_url=base_url, max_retries=0)
        elif sdk == "anthropic":
            CLIENTS[key] = anthropic.Anthropic(
                api_key="sk-ant-test", base_url=base_url, max_retries=0)
        else:
            from google import genai  # retries are off unless HttpOptions.retry_options is set
            CLIENTS[key] = genai.Client(
                api_key="test-key", http_options={"base_url": base_url} if base_url else None)
    return CLIENTS[key]


def call(sdk, base_url):
    if sdk == "openai":
        return client(sdk, base_url).chat.completions.create(
            model="m", messages=[{"role": "user", "content": "ping"}])
    if sdk == "anthropic":
        return client(sdk, base_url).messages.create(
            model="claude-haiku-4-5", max_tokens=5, messages=[{"role": "user", "content": "ping"}])
    return client(sdk, base_url).models.generate_content(model="gemini-2.5-flash", contents="ping")


@pytest.mark.llm_errors(provider=PROVIDERS, each="all")
def test_scenario(request, inject_error):
    provider, scenario = request.node.callspec.id.split("-", 1)
    fault = inject_error.provider.scenario(scenario)
    header = inject_error.provider.request_id_header
    shapes = SHAPES[provider]
    for number, (sdk, base_url) in enumerate(shapes):
        if sdk == "gemini":
            try:
                from google.genai import errors as module
            except ImportError:
                if len(shapes) == 1:
                    pytest.skip("google-genai is not installed")
                continue
        else:
            module = openai if sdk == "openai" else anthropic
        if number:
            inject_error(scenario)
        with pytest.raises(Exception) as caught:
            call(sdk, base_url)
        attempt = inject_error.attempts[-1]
        error = caught.value
        response = getattr(error, "response", None)
        sent = response.headers.get(header) if response is not None else None
        sdk_id = getattr(error, "request_id", None)
        want = expected(sdk, module, fault)
        answered = not fault.network and fault.status != 200
        sdk_reads_it = header.lower() == SDK_ID_HEADER.get(sdk)
        row = {
            "provider": provider, "scenario": scenario, "sdk": sdk,
            "status": fault.status, "exception": type(error).__name__, "expected": list(want),
            "header": header, "request_id": attempt.request_id,
            "header_ok": sent == attempt.request_id if answered else None,
            "sdk_request_id": sdk_id,
            "sdk_id_ok": sdk_id == attempt.request_id if answered and sdk_reads_it else None,
        }
        with open("results.jsonl", "a") as out:
            out.write(json.dumps(row) + "\n")
        assert type(error).__name__ in want, row
        assert attempt.error == scenario
        assert attempt.status == (None if fault.network else fault.status)
        if answered:
            code = error.code if sdk == "gemini" else error.status_code
            assert code == fault.status, row
        assert row["header_ok"] in (True, None), row
        assert row["sdk_id_ok"] in (True, None), row
'''


def test_every_scenario_raises_the_sdk_exception_of_its_status(pytester: pytest.Pytester) -> None:
    """Each scenario reaches its SDK as the exception class of its status, with the request id."""
    pytester.makepyfile(test_inner=INNER)
    result = pytester.runpytest("-p", "no:randomly", "-q")
    providers = DEFAULT_REGISTRY.names()
    cases = sum(1 for p in providers for f in catalog(p) if not f.stream)
    skipped = 0 if HAS_GENAI else sum(1 for f in catalog("gemini") if not f.stream)
    result.assert_outcomes(passed=cases - skipped, skipped=skipped)
    rows = [json.loads(line) for line in (pytester.path / "results.jsonl").read_text().splitlines()]
    shapes = {"fluxrouter": 2, "derouter": 2, "torouter": 3 if HAS_GENAI else 2}
    want = sum(
        shapes.get(p, 1)
        for p in providers
        for f in catalog(p)
        if not f.stream and (HAS_GENAI or p != "gemini")
    )
    assert len(rows) == want
    table = os.environ.get("LLM_ERRORS_SDK_TABLE")
    if table:
        _write_table(rows, table)


def _write_table(rows: list[dict[str, object]], path: str) -> None:
    lines = [
        "| provider | scenario | status | SDK | exception | id header | `.request_id` |",
        "|---|---|---|---|---|---|---|",
    ]
    mark = {True: "ok", False: "WRONG", None: "n/a"}
    for row in rows:
        lines.append(
            f"| {row['provider']} | {row['scenario']} | {row['status'] or 'network'} | "
            f"{row['sdk']} | {row['exception']} | {mark[row['header_ok']]} "  # type: ignore[index]
            f"(`{row['header']}`) | {mark[row['sdk_id_ok']]} |"  # type: ignore[index]
        )
    with open(path, "w") as out:
        out.write("\n".join(lines) + "\n")


WIRE = r"""
import anthropic
import openai
import pytest

FLUX = "https://api.fluxrouter.ai"


def genai_client(base_url=None):
    genai = pytest.importorskip("google.genai")
    return genai.Client(api_key="k", http_options={"base_url": base_url} if base_url else None)


@pytest.mark.llm_errors(provider=["gemini", "torouter"])
def test_gemini_success_parses(inject_error):
    inject_error.reply = "hello from gemini"
    base = None if inject_error.provider.name == "gemini" else "https://api.torouter.test"
    client = genai_client(base)
    reply = client.models.generate_content(model="gemini-2.5-flash", contents="hi")
    assert reply.text == "hello from gemini" and reply.usage_metadata.total_token_count > 0
    header = inject_error.provider.request_id_header
    assert reply.sdk_http_response.headers[header] == inject_error.attempts[0].request_id
    pieces = [c.text for c in client.models.generate_content_stream(
        model="gemini-2.5-flash", contents="hi")]
    assert "".join(pieces) == "hello from gemini" and len(pieces) == 3
    stream = inject_error.attempts[1]
    assert stream.stream and stream.path.endswith(":streamGenerateContent")
    assert stream.model == "gemini-2.5-flash" and "alt=sse" in stream.url
    assert client.models.count_tokens(model="gemini-2.5-flash", contents="hi").total_tokens == 5


@pytest.mark.llm_errors(provider="gemini")
def test_gemini_error_bodies(inject_error):
    client = genai_client()
    from google.genai import errors
    inject_error("invalid_api_key")
    with pytest.raises(errors.ClientError) as caught:
        client.models.generate_content(model="gemini-2.5-flash", contents="hi")
    error = caught.value
    assert (error.code, error.status) == (400, "INVALID_ARGUMENT")
    assert error.details["error"]["details"][0]["reason"] == "API_KEY_INVALID"
    assert error.response.headers["x-goog-request-id"] == inject_error.attempts[0].request_id
    inject_error("stream_error", after_chunks=1)
    with pytest.raises(errors.ServerError):
        list(client.models.generate_content_stream(model="gemini-2.5-flash", contents="hi"))


@pytest.mark.llm_errors("api_key_expired", provider="torouter")
def test_torouter_codes_in_every_shape(inject_error):
    client = openai.OpenAI(api_key="sk", base_url="https://api.torouter.test/v1", max_retries=0)
    with pytest.raises(openai.PermissionDeniedError) as caught:
        client.chat.completions.create(model="m", messages=[])
    assert caught.value.body["type"] == caught.value.body["code"] == "API_KEY_EXPIRED"
    assert caught.value.request_id == inject_error.attempts[0].request_id
    inject_error("api_key_expired")
    claude = anthropic.Anthropic(api_key="sk", base_url="https://api.torouter.test", max_retries=0)
    with pytest.raises(anthropic.PermissionDeniedError) as caught:
        claude.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[])
    assert caught.value.body["error"]["type"] == "API_KEY_EXPIRED"


@pytest.mark.llm_errors("hourly_safety_limit", provider="fluxrouter")
def test_fluxrouter_window_in_header_and_body_on_both_paths(inject_error):
    client = openai.OpenAI(api_key="sk", base_url=FLUX + "/v1", max_retries=0)
    with pytest.raises(openai.APIStatusError) as caught:
        client.chat.completions.create(model="flux-auto", messages=[])
    first = inject_error.attempts[0]
    assert caught.value.status_code == 402 and caught.value.body["retry_after"] == 1800
    assert caught.value.response.headers["retry-after"] == "1800" and first.retry_after == 1800
    assert caught.value.response.headers["x-flux-request-id"] == first.request_id
    assert first.request_id.startswith("flux-") and len(first.request_id) == 41
    inject_error("hourly_safety_limit")
    claude = anthropic.Anthropic(api_key="sk", base_url=FLUX + "/anthropic", max_retries=0)
    with pytest.raises(anthropic.APIStatusError) as caught:
        claude.messages.create(model="flux-auto", max_tokens=5, messages=[])
    assert caught.value.body["error"]["type"] == "billing_error"
    assert caught.value.body["error"]["retry_after"] == 1800
    assert inject_error.attempts[1].path == "/anthropic/v1/messages"


@pytest.mark.llm_errors("rate_limit", provider="requesty")
def test_requesty_body_names_the_origin(inject_error):
    client = openai.OpenAI(api_key="sk", base_url="https://router.requesty.ai/v1", max_retries=0)
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="openai/gpt-4o", messages=[])
    assert caught.value.body == {"origin": "provider", "message": "Too many requests"}
    assert caught.value.response.headers["retry-after"] == "3"


@pytest.mark.llm_errors("spend_ceiling", provider="openrouter")
def test_openrouter_code_is_the_status_number(inject_error):
    client = openai.OpenAI(api_key="sk", base_url="https://openrouter.ai/api/v1", max_retries=0)
    with pytest.raises(openai.APIStatusError) as caught:
        client.chat.completions.create(model="openai/gpt-4o", messages=[])
    assert caught.value.body["code"] == 402  # the SDK's .code is the str "402"
    assert caught.value.request_id.startswith("gen-")


@pytest.mark.llm_errors("proxy_502_html", provider="derouter")
def test_proxy_page_is_html_with_the_request_id(inject_error):
    claude = anthropic.Anthropic(api_key="sk", base_url="https://api.derouter.test", max_retries=0)
    with pytest.raises(anthropic.InternalServerError) as caught:
        claude.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=[])
    assert caught.value.response.headers["content-type"].startswith("text/html")
    assert "<html>" in caught.value.response.text
    assert caught.value.request_id == inject_error.attempts[0].request_id
    assert caught.value.request_id.startswith("req_")


@pytest.mark.llm_errors("quota", provider="acme")
def test_openai_compatible_gateway_from_a_hook(inject_error):
    client = openai.OpenAI(api_key="sk", base_url="https://llm.acme.test/gw/v1", max_retries=0)
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="m", messages=[])
    assert caught.value.response.headers["x-acme-trace"].startswith("acme_")
    assert caught.value.request_id is None  # the SDK reads only x-request-id
    assert inject_error.attempts[0].provider == "acme"
"""

WIRE_CONFTEST = """
from pytest_llmerrors import Fault, openai_compatible_provider

def pytest_llmerrors_providers(config):
    quota = Fault("quota", 429, "give_up", message="Team quota spent.", advice="Ask for more.")
    return [openai_compatible_provider("acme", request_id_header="x-acme-trace",
                                       request_id_prefix="acme_", prefix="/gw",
                                       scenarios=[quota])]
"""


def test_error_bodies_and_successes_reach_the_sdks(pytester: pytest.Pytester) -> None:
    """Router bodies, id headers and Gemini successes are what each SDK reads."""
    pytester.makeconftest(WIRE_CONFTEST)
    pytester.makepyfile(test_wire=WIRE)
    gemini_tests = 3
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(
        passed=9 - (0 if HAS_GENAI else gemini_tests), skipped=0 if HAS_GENAI else gemini_tests
    )
