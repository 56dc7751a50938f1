"""The Anthropic profile: the Messages API."""

from __future__ import annotations

import random

from .._faults import Fault
from ._common import front_door_faults
from ._profile import AnthropicShape, Endpoint, Provider, transport_faults
from ._shapes import token

_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _request_id(rng: random.Random) -> str:
    return "req_011C" + token(rng, 20, _BASE58)


def scenarios() -> list[Fault]:
    """Return Anthropic's documented errors as scenarios."""
    return [
        Fault(
            "bad_request",
            400,
            "give_up",
            error_type="invalid_request_error",
            message="messages: at least one message is required",
            advice="The request is malformed; fix it.",
        ),
        Fault(
            "invalid_api_key",
            401,
            "give_up",
            error_type="authentication_error",
            message="invalid x-api-key",
            advice="The key is wrong or revoked; retrying cannot fix it.",
        ),
        Fault(
            "spend_ceiling",
            402,
            "give_up",
            error_type="billing_error",
            message="Your credit balance is too low to access the Anthropic API. Please go to "
            "Plans & Billing to upgrade or purchase credits.",
            advice="Billing blocks the call; give up and alert.",
        ),
        Fault(
            "permission_denied",
            403,
            "give_up",
            error_type="permission_error",
            message="Your API key does not have permission to use the specified resource.",
            advice="The key lacks access; no retry helps.",
        ),
        Fault(
            "not_found",
            404,
            "give_up",
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
        Fault(
            "server_error",
            500,
            "retry",
            error_type="api_error",
            message="Internal server error",
            advice="An unexpected error inside Anthropic's systems; retry with backoff.",
        ),
        Fault(
            "bad_gateway",
            502,
            "retry",
            error_type="api_error",
            message="Bad gateway",
            advice="A gateway between you and the model failed; retry with backoff.",
        ),
        Fault(
            "service_unavailable",
            503,
            "retry",
            error_type="api_error",
            message="Service unavailable",
            advice="Retry with backoff.",
        ),
        Fault(
            "gateway_timeout",
            504,
            "retry",
            error_type="timeout_error",
            message="Request timed out while processing.",
            advice="The request timed out on Anthropic's side; retry, or stream long requests.",
        ),
        Fault(
            "overloaded",
            529,
            "retry",
            error_type="overloaded_error",
            message="Overloaded",
            advice="Anthropic is temporarily overloaded; back off and retry.",
        ),
        *front_door_faults("cloudflare"),
        *(
            f.replace(error_type="overloaded_error", message="Overloaded")
            if f.name == "stream_error"
            else f
            for f in transport_faults("anthropic")
        ),
    ]


def profile() -> Provider:
    """Build the Anthropic profile."""
    provider = Provider(
        name="anthropic",
        endpoints=(Endpoint(AnthropicShape()),),
        request_id_header="request-id",
        new_request_id=_request_id,
        hosts=("api.anthropic.com",),
        description="Anthropic Messages API",
        statuses={
            400: "bad_request",
            401: "invalid_api_key",
            402: "spend_ceiling",
            403: "permission_denied",
            404: "not_found",
            413: "request_too_large",
            429: "rate_limit",
            500: "server_error",
            502: "bad_gateway",
            503: "service_unavailable",
            504: "gateway_timeout",
            529: "overloaded",
        },
    )
    provider.add(scenarios())
    return provider
