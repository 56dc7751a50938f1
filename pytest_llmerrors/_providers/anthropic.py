"""The Anthropic profile: the Messages API."""

from __future__ import annotations

from .._faults import Fault
from ._anthropic_shape import AnthropicShape
from ._build import build_profile
from ._ids import BASE58, prefixed_request_id
from ._profile import Endpoint, Provider
from ._rows import refusal, server_failure


def rows() -> list[Fault]:
    """Return Anthropic's documented errors."""
    return [
        refusal(
            "bad_request",
            error_type="invalid_request_error",
            message="messages: at least one message is required",
            advice="The request is malformed; fix it.",
        ),
        refusal(
            "invalid_api_key",
            error_type="authentication_error",
            message="invalid x-api-key",
            advice="The key is wrong or revoked; retrying cannot fix it.",
        ),
        refusal(
            "spend_ceiling",
            error_type="billing_error",
            message="Your credit balance is too low to access the Anthropic API. Please go to "
            "Plans & Billing to upgrade or purchase credits.",
            advice="Billing blocks the call; give up and alert.",
        ),
        refusal(
            "permission_denied",
            error_type="permission_error",
            message="Your API key does not have permission to use the specified resource.",
            advice="The key lacks access; no retry helps.",
        ),
        refusal(
            "not_found",
            error_type="not_found_error",
            message="model: claude-9",
            advice="The model or resource does not exist.",
        ),
        Fault(
            "request_too_large",
            413,
            "give_up",
            error_type="request_too_large",
            message="Request exceeds the maximum allowed number of bytes.",
            advice="Send less; the limit is 32 MB.",
        ),
        Fault(
            "rate_limit",
            429,
            "retry",
            error_type="rate_limit_error",
            message="This request would exceed your organization's rate limit of 50 requests "
            "per minute. Please try again later.",
            retry_after=2,
            headers={
                "anthropic-ratelimit-requests-limit": "50",
                "anthropic-ratelimit-requests-remaining": "0",
            },
            advice="Honour retry-after; back off with jitter.",
        ),
        server_failure(
            "server_error",
            "Internal server error",
            "An unexpected error inside Anthropic's systems; retry with backoff.",
            error_type="api_error",
        ),
        server_failure(
            "bad_gateway",
            "Bad gateway",
            "A gateway between you and the model failed; retry with backoff.",
            error_type="api_error",
        ),
        server_failure(
            "service_unavailable",
            "Service unavailable",
            "Retry with backoff.",
            error_type="api_error",
        ),
        server_failure(
            "gateway_timeout",
            "Request timed out while processing.",
            "The request timed out on Anthropic's side; retry, or stream long requests.",
            error_type="timeout_error",
        ),
        server_failure(
            "overloaded",
            "Overloaded",
            "Anthropic is temporarily overloaded; back off and retry.",
            error_type="overloaded_error",
        ),
    ]


#: Anthropic's rate-limit messages, with the figures of the limit that was hit.
_EXCEED = "This request would exceed your organization's rate limit of {limit} "
LIMIT_MESSAGES = {
    "rpm": _EXCEED + "requests per minute. Please try again later.",
    "tpm": _EXCEED + "tokens per minute. Please reduce the prompt length or the maximum "
    "tokens requested, or try again later.",
    "tpm_too_large": _EXCEED + "tokens per minute: this request alone asks for {requested}. "
    "Please reduce the prompt length or the maximum tokens requested.",
    "concurrency": _EXCEED + "{limit} concurrent requests. Please try again later.",
}


def profile() -> Provider:
    """Build the Anthropic profile."""
    return build_profile(
        "anthropic",
        description="Anthropic Messages API",
        endpoints=(Endpoint(AnthropicShape()),),
        hosts=("api.anthropic.com",),
        request_id_header="request-id",
        new_request_id=prefixed_request_id("req_011C", 20, BASE58),
        statuses={413: "request_too_large"},
        rows=rows(),
        limit_messages=LIMIT_MESSAGES,
        # Anthropic's mid-stream error is the overloaded error its streaming docs show.
        stream_error={"error_type": "overloaded_error", "message": "Overloaded"},
    )
