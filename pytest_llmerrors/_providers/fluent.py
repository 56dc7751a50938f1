"""The Fluent profile (seed 001_b106e505f64bb126.txt, "Provider Errors").

Fluent is a desktop client for custom OpenAI-compatible providers; it passes the
provider's status through, so the profile speaks OpenAI's shape and sends ids in
``x-request-id`` (what OpenAI-compatible providers use; the seed names none). The ten
common status codes of the seed are the ten rows, under the common names; ``overloaded``
is the 503 (the 5xx section lists temporary overload among its causes).
"""

from __future__ import annotations

from .._faults import Fault
from ._common import add_aliases, front_door_faults
from ._profile import Endpoint, OpenAIShape, Provider, hex_request_id, transport_faults


def scenarios() -> list[Fault]:
    """Return one scenario per status code Fluent passes through."""
    return [
        Fault(
            "bad_request",
            400,
            "give_up",
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
        Fault(
            "invalid_api_key",
            401,
            "give_up",
            code="invalid_api_key",
            message="Invalid API key.",
            advice="The key is wrong or expired for this provider; recreate it for the "
            "right project or organization.",
        ),
        Fault(
            "spend_ceiling",
            402,
            "give_up",
            message="Payment required.",
            advice="A billing problem at the provider (credits, failed payment, paused "
            "usage); fix it in the provider account.",
        ),
        Fault(
            "permission_denied",
            403,
            "give_up",
            message="Access forbidden.",
            advice="The key exists but may not use this model or route; grant access.",
        ),
        Fault(
            "not_found",
            404,
            "give_up",
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
        Fault(
            "server_error",
            500,
            "retry",
            message="Server error.",
            advice="A temporary provider problem; retry later or switch models for now.",
        ),
        Fault(
            "bad_gateway",
            502,
            "retry",
            message="Bad gateway.",
            advice="The provider's gateway failed for a moment; retry with backoff.",
        ),
        Fault(
            "service_unavailable",
            503,
            "retry",
            message="Service unavailable.",
            advice="Maintenance or overload at the provider; retry with backoff.",
        ),
        Fault(
            "gateway_timeout",
            504,
            "retry",
            message="Gateway timeout.",
            advice="The provider timed out; retry, or pick a faster model.",
        ),
        *front_door_faults("nginx"),
        *transport_faults("fluent"),
    ]


def profile() -> Provider:
    """Build the Fluent profile."""
    provider = Provider(
        name="fluent",
        endpoints=(Endpoint(OpenAIShape()),),
        request_id_header="x-request-id",
        new_request_id=hex_request_id("req_", 32),
        description="Fluent (desktop client; custom OpenAI-compatible providers)",
        statuses={
            400: "bad_request",
            401: "invalid_api_key",
            402: "spend_ceiling",
            403: "permission_denied",
            404: "not_found",
            429: "rate_limit",
            500: "server_error",
            502: "bad_gateway",
            503: "service_unavailable",
            504: "gateway_timeout",
        },
    )
    provider.add(scenarios())
    add_aliases(provider, {"overloaded": "service_unavailable"})
    return provider
