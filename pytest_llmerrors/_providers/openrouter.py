"""The OpenRouter profile: OpenAI's endpoints under ``/api/v1``, OpenRouter's error body.

OpenRouter's errors are ``{"error": {"code": <HTTP status>, "message", "metadata"?}}``:
the code is the number, not a string. Moderation and provider errors explain themselves
in ``metadata``. OpenRouter documents no request-id header; the profile sends
``x-request-id`` with a generation-style id (``gen-<10 digits>-<20 letters>``).

Common names: ``not_found`` is the invalid-model 400 (OpenRouter has no 404 for models),
``gateway_timeout`` its 408, ``overloaded`` the model-down 502 (an overloaded upstream
reaches you that way), ``bad_gateway`` the same 502, ``service_unavailable`` the
no-provider 503.
"""

from __future__ import annotations

import random
from typing import Any

from .._faults import Fault
from ._common import add_aliases, front_door_faults
from ._profile import Endpoint, OpenAIShape, Provider, transport_faults
from ._shapes import token

_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


class OpenRouterShape(OpenAIShape):
    """OpenAI's endpoints and successes with OpenRouter's numeric-code error body."""

    def error_object(self, fault: Fault, status: int, request_id: str) -> Any:
        """Return ``{"error": {"code": status, "message", ...metadata}}``."""
        error: dict[str, Any] = {"code": status, "message": fault.message}
        error.update(fault.extra)
        return {"error": error}


def _generation_id(rng: random.Random) -> str:
    return f"gen-{token(rng, 10, '0123456789')}-{token(rng, 20, _ALNUM)}"


def scenarios() -> list[Fault]:
    """Return OpenRouter's documented errors as scenarios."""
    return [
        Fault(
            "bad_request",
            400,
            "give_up",
            message="Invalid request: 'messages' is required.",
            advice="Invalid or missing parameters (or CORS); fix the request.",
        ),
        Fault(
            "invalid_model",
            400,
            "give_up",
            message="openai/gpt-9 is not a valid model ID",
            advice="Use a model id from /api/v1/models, with its provider prefix.",
        ),
        Fault(
            "invalid_api_key",
            401,
            "give_up",
            message="No auth credentials found",
            advice="The key is invalid or disabled, or the OAuth session expired; fix the "
            "credentials.",
        ),
        Fault(
            "spend_ceiling",
            402,
            "give_up",
            message="This request requires more credits, or fewer max_tokens.",
            advice="The account or key is out of credits; add credits before retrying.",
        ),
        Fault(
            "permission_denied",
            403,
            "give_up",
            message="Your chosen model requires moderation and your input was flagged",
            extra={
                "metadata": {
                    "reasons": ["harassment"],
                    "flagged_input": "...",
                    "provider_name": "OpenAI",
                    "model_slug": "openai/gpt-4o",
                }
            },
            advice="Moderation or a guardrail refused the input; change it or the model, "
            "a retry is refused again.",
        ),
        Fault(
            "request_timeout",
            408,
            "retry",
            message="Your request timed out",
            advice="OpenRouter gave up waiting; retry with backoff.",
        ),
        Fault(
            "rate_limit",
            429,
            "retry",
            message="Rate limit exceeded: free-models-per-min.",
            retry_after=2,
            advice="Slow down: honour Retry-After and back off with jitter.",
        ),
        Fault(
            "server_error",
            500,
            "retry",
            message="Internal Server Error",
            advice="A transient OpenRouter fault; retry after a brief wait.",
        ),
        Fault(
            "model_down",
            502,
            "retry",
            message="Your chosen model is down or we received an invalid response from it",
            extra={
                "metadata": {
                    "provider_name": "Anthropic",
                    "raw": '{"type":"error","error":{"type":"overloaded_error"}}',
                }
            },
            advice="The upstream model failed or answered garbage; retry or choose another model.",
        ),
        Fault(
            "no_provider_available",
            503,
            "retry",
            message="No allowed providers are available for the selected model.",
            retry_after=5,
            advice="No provider meets the routing requirements right now; honour "
            "Retry-After, or relax the routing settings.",
        ),
        *front_door_faults("cloudflare"),
        *transport_faults("openrouter"),
    ]


def profile() -> Provider:
    """Build the OpenRouter profile."""
    provider = Provider(
        name="openrouter",
        endpoints=(Endpoint(OpenRouterShape()),),
        request_id_header="x-request-id",
        new_request_id=_generation_id,
        hosts=("openrouter.ai",),
        description="OpenRouter (OpenAI shape on /api/v1, numeric error codes)",
        statuses={
            400: "bad_request",
            401: "invalid_api_key",
            402: "spend_ceiling",
            403: "permission_denied",
            408: "request_timeout",
            429: "rate_limit",
            500: "server_error",
            502: "model_down",
            503: "no_provider_available",
        },
    )
    provider.add(scenarios())
    add_aliases(
        provider,
        {
            "not_found": "invalid_model",
            "gateway_timeout": "request_timeout",
            "bad_gateway": "model_down",
            "overloaded": "model_down",
            "service_unavailable": "no_provider_available",
        },
    )
    return provider
