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

from typing import Any

from .._faults import Fault
from ._build import build_profile
from ._ids import generation_request_id
from ._openai_shape import OpenAIShape
from ._profile import Endpoint, Provider
from ._rows import refusal, server_failure


class OpenRouterShape(OpenAIShape):
    """OpenAI's endpoints and successes with OpenRouter's numeric-code error body."""

    def error_fields(self, fault: Fault, status: int) -> dict[str, Any]:
        """Return ``code`` (the HTTP status) and ``message``; ``metadata`` comes in `extra`."""
        return {"code": status, "message": fault.message}


def rows() -> list[Fault]:
    """Return OpenRouter's documented errors."""
    return [
        refusal(
            "bad_request",
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
        refusal(
            "invalid_api_key",
            message="No auth credentials found",
            advice="The key is invalid or disabled, or the OAuth session expired; fix the "
            "credentials.",
        ),
        refusal(
            "spend_ceiling",
            message="This request requires more credits, or fewer max_tokens.",
            advice="The account or key is out of credits; add credits before retrying.",
        ),
        refusal(
            "permission_denied",
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
        server_failure(
            "server_error",
            "Internal Server Error",
            "A transient OpenRouter fault; retry after a brief wait.",
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
    ]


def profile() -> Provider:
    """Build the OpenRouter profile."""
    return build_profile(
        "openrouter",
        description="OpenRouter (OpenAI shape on /api/v1, numeric error codes)",
        endpoints=(Endpoint(OpenRouterShape()),),
        hosts=("openrouter.ai",),
        new_request_id=generation_request_id(),
        statuses={408: "request_timeout"},
        rows=rows(),
        aliases={
            "not_found": "invalid_model",
            "gateway_timeout": "request_timeout",
            "bad_gateway": "model_down",
            "overloaded": "model_down",
            "service_unavailable": "no_provider_available",
        },
    )
