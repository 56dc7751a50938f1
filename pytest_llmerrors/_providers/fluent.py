"""The Fluent profile (seed 001_b106e505f64bb126.txt, "Provider Errors").

Fluent is a desktop client for custom OpenAI-compatible providers; it passes the
provider's status through, so the profile speaks OpenAI's shape and sends ids in
``x-request-id`` (what OpenAI-compatible providers use; the seed names none). The ten
common status codes of the seed are the ten rows, under the common names; ``overloaded``
is the 503 (the 5xx section lists temporary overload among its causes).
"""

from __future__ import annotations

from .._faults import Fault
from ._build import build_profile
from ._ids import hex_request_id
from ._openai_shape import OpenAIShape
from ._profile import Endpoint, Provider
from ._rows import refusal, server_failure


def rows() -> list[Fault]:
    """Return one row per status code Fluent passes through."""
    return [
        refusal(
            "bad_request",
            message="Bad request: malformed input.",
            advice="A general request error; if it works on another model, toggle the "
            "model card's structured JSON, streaming or tools settings.",
        ),
        Fault(
            "unsupported_parameter",
            400,
            "give_up",
            message="Unsupported parameter: 'response_format' is not supported by this model.",
            advice="The custom endpoint rejects a feature the request uses; turn the "
            "feature off for that model.",
        ),
        refusal(
            "invalid_api_key",
            code="invalid_api_key",
            message="Invalid API key.",
            advice="The key is wrong or expired for this provider; recreate it for the "
            "right project or organization.",
        ),
        refusal(
            "spend_ceiling",
            message="Payment required.",
            advice="A billing problem at the provider (credits, failed payment, paused "
            "usage); fix it in the provider account.",
        ),
        refusal(
            "permission_denied",
            message="Access forbidden.",
            advice="The key exists but may not use this model or route; grant access.",
        ),
        refusal(
            "not_found",
            code="model_not_found",
            message="Model not found.",
            advice="The selected model is not on that provider or not open to the account; "
            "check its exact name.",
        ),
        Fault(
            "rate_limit",
            429,
            "retry",
            message="Rate limit exceeded.",
            advice="Wait a moment and retry; cut parallel requests or switch providers if "
            "it keeps happening.",
        ),
        server_failure(
            "server_error",
            "Server error.",
            "A temporary provider problem; retry later or switch models for now.",
        ),
        server_failure(
            "bad_gateway",
            "Bad gateway.",
            "The provider's gateway failed for a moment; retry with backoff.",
        ),
        server_failure(
            "service_unavailable",
            "Service unavailable.",
            "Maintenance or overload at the provider; retry with backoff.",
        ),
        server_failure(
            "gateway_timeout",
            "Gateway timeout.",
            "The provider timed out; retry, or pick a faster model.",
        ),
    ]


def profile() -> Provider:
    """Build the Fluent profile."""
    return build_profile(
        "fluent",
        description="Fluent (desktop client; custom OpenAI-compatible providers)",
        endpoints=(Endpoint(OpenAIShape()),),
        new_request_id=hex_request_id("req_", 32),
        rows=rows(),
        front_door="nginx",
        aliases={"overloaded": "service_unavailable"},
    )
