"""The OpenAI profile: chat completions, responses and embeddings on ``/v1``."""

from __future__ import annotations

from .._faults import Fault
from ._build import build_profile
from ._ids import hex_request_id
from ._openai_shape import OpenAIShape
from ._profile import Endpoint, Provider
from ._rows import refusal, server_failure

#: Headers OpenAI sends with a rate-limit error.
_RATE_LIMIT_HEADERS = {
    "x-ratelimit-limit-requests": "500",
    "x-ratelimit-remaining-requests": "0",
    "x-ratelimit-reset-requests": "1s",
}


def rows() -> list[Fault]:
    """Return OpenAI's documented errors."""
    return [
        refusal(
            "bad_request",
            error_type="invalid_request_error",
            message="Invalid value for 'messages': expected an array.",
            advice="The request itself is wrong; fix it, a retry sends the same bytes.",
        ),
        Fault(
            "context_length_exceeded",
            400,
            "give_up",
            error_type="invalid_request_error",
            code="context_length_exceeded",
            message="This model's maximum context length is 128000 tokens. "
            "However, your messages resulted in 131072 tokens.",
            advice="Shorten the input or pick a model with a longer context.",
        ),
        refusal(
            "invalid_api_key",
            error_type="invalid_request_error",
            code="invalid_api_key",
            message="Incorrect API key provided: sk-proj-****1234. You can find your API key "
            "at https://platform.openai.com/account/api-keys.",
            advice="The key is wrong or revoked; retrying cannot fix it.",
        ),
        refusal(
            "permission_denied",
            error_type="invalid_request_error",
            code="unsupported_country_region_territory",
            message="Country, region, or territory not supported.",
            advice="The key may not use this model or region; no retry helps.",
        ),
        refusal(
            "not_found",
            error_type="invalid_request_error",
            code="model_not_found",
            message="The model `gpt-9` does not exist or you do not have access to it.",
            advice="Check the model name and the key's access to it.",
        ),
        Fault(
            "conflict",
            409,
            "retry",
            error_type="invalid_request_error",
            message="The request conflicted with another request; please retry.",
            advice="A concurrent change collided with this one; retry with backoff.",
        ),
        Fault(
            "request_too_large",
            413,
            "give_up",
            error_type="invalid_request_error",
            message="Request too large: the body exceeds the maximum size.",
            advice="Send less: trim the history or the attachments.",
        ),
        Fault(
            "unprocessable",
            422,
            "give_up",
            error_type="invalid_request_error",
            message="The request was well-formed but could not be processed.",
            advice="The request is semantically invalid; fix it.",
        ),
        Fault(
            "rate_limit",
            429,
            "retry",
            error_type="requests",
            code="rate_limit_exceeded",
            message="Rate limit reached for gpt-4o-mini in organization org-test on requests "
            "per min (RPM): Limit 500, Used 500, Requested 1. Please try again in 1s.",
            retry_after=1,
            headers=_RATE_LIMIT_HEADERS,
            advice="Back off exponentially with jitter and honour Retry-After.",
        ),
        Fault(
            "spend_ceiling",
            429,
            "give_up",
            error_type="insufficient_quota",
            code="insufficient_quota",
            message="You exceeded your current quota, please check your plan and billing details.",
            advice="The quota is spent: OpenAI says so with a 429 that no retry can clear; "
            "give up and alert.",
        ),
        server_failure(
            "server_error",
            "The server had an error while processing your request. Sorry about that!",
            "A transient failure on OpenAI's side; retry with backoff.",
            error_type="server_error",
        ),
        server_failure(
            "bad_gateway",
            "Bad gateway.",
            "A proxy in front of the API failed; retry.",
            error_type="server_error",
        ),
        server_failure(
            "service_unavailable",
            "The server is overloaded or not ready yet.",
            "Capacity is short for a moment; retry with backoff.",
            error_type="server_error",
        ),
        Fault(
            "overloaded",
            503,
            "retry",
            error_type="server_error",
            code="engine_overloaded",
            message="That model is currently overloaded with other requests. You can retry "
            "your request.",
            advice="The model is overloaded; back off and retry.",
        ),
        server_failure(
            "gateway_timeout",
            "Gateway timeout.",
            "The request took too long upstream; retry.",
            error_type="server_error",
        ),
    ]


#: OpenAI's rate-limit messages, with the figures of the limit that was hit.
_REACHED = "Rate limit reached for {model} in organization org-test on "
LIMIT_MESSAGES = {
    "rpm": _REACHED + "requests per min (RPM): Limit {limit}, Used {used}, Requested "
    "{requested}. Please try again in {retry_after}s.",
    "tpm": _REACHED + "tokens per min (TPM): Limit {limit}, Used {used}, Requested "
    "{requested}. Please try again in {retry_after}s.",
    "concurrency": _REACHED + "concurrent requests: Limit {limit}, In flight {used}. "
    "Please try again in {retry_after}s.",
    "tpm_too_large": "Request too large for {model} in organization org-test on tokens per "
    "min (TPM): Limit {limit}, Requested {requested}. The input or output tokens must be "
    "reduced in order to run successfully.",
}


def profile() -> Provider:
    """Build the OpenAI profile."""
    return build_profile(
        "openai",
        description="OpenAI API (chat completions, responses, embeddings)",
        endpoints=(Endpoint(OpenAIShape()),),
        hosts=("api.openai.com",),
        new_request_id=hex_request_id("req_", 32),
        statuses={409: "conflict", 413: "request_too_large", 422: "unprocessable"},
        rows=rows(),
        limit_messages=LIMIT_MESSAGES,
    )
