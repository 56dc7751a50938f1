"""The Requesty profile (seed 004_cfd08b1b0d5501a7.txt, router error codes).

Requesty's errors are ``{"error": {"origin": "router" | "provider", "message": ...}}``:
``origin`` says whether Requesty itself refused the request or an upstream provider
failed. Ids travel in ``x-request-id`` (the seed gives no format: a UUID here).

The error table's eight rows and the retryable table's rows (400, 401/403, 402, 500 are
rows of their own there) are scenarios; the 404 example body is ``model_not_supported``.
Common names: ``bad_gateway`` is the provider's 502, ``service_unavailable`` the
provider-timeout 503, ``gateway_timeout`` the provider's 504, ``not_found`` the example
404. Requesty's 424 "invalid provider response format" is its name for what
``unparseable_success`` is when no router sits in between.
"""

from __future__ import annotations

from typing import Any

from .._faults import Fault
from ._build import build_profile
from ._ids import uuid_request_id
from ._openai_shape import OpenAIShape
from ._profile import Endpoint, Provider
from ._rows import refusal, server_failure

_ROUTER = {"origin": "router"}
_PROVIDER = {"origin": "provider"}


class RequestyShape(OpenAIShape):
    """OpenAI's endpoints and successes with Requesty's ``origin``/``message`` error body."""

    def error_fields(self, fault: Fault, status: int) -> dict[str, Any]:
        """Return ``origin`` and ``message``, with ``type`` and ``code`` only when given."""
        error: dict[str, Any] = {"origin": "router", "message": fault.message}
        if fault.error_type is not None:
            error["type"] = fault.error_type
        if fault.code is not None:
            error["code"] = fault.code
        return error


def rows() -> list[Fault]:
    """Return the rows of Requesty's error tables."""
    return [
        Fault(
            "rate_limit",
            429,
            "retry",
            message="Too many requests",
            extra=_PROVIDER,
            retry_after=3,
            advice="The upstream provider rate-limited the call; honour Retry-After, back "
            "off, or let a routing policy fail over.",
        ),
        Fault(
            "provider_bad_gateway",
            502,
            "retry",
            message="Provider is down: Bad Gateway",
            extra=_PROVIDER,
            advice="The provider answered 502; retry after a short delay or fall back.",
        ),
        Fault(
            "provider_stream_error",
            502,
            "retry",
            message="There was a problem with the provider stream",
            extra=_ROUTER,
            advice="The provider's stream broke after it started; retry, and change "
            "provider or model if it keeps happening.",
        ),
        Fault(
            "provider_timeout",
            503,
            "retry",
            message="The provider timed out, please try again",
            extra=_ROUTER,
            advice="No answer within the timeout window; retry, or use a model with a "
            "longer timeout or a fallback policy.",
        ),
        Fault(
            "invalid_provider_response",
            424,
            "retry",
            message="Invalid provider response format",
            extra=_ROUTER,
            advice="The provider sent something Requesty could not parse; usually "
            "transient, retry and contact support if it persists.",
        ),
        Fault(
            "provider_response_missing_usage",
            424,
            "retry",
            message="Provider response missing usage",
            extra=_ROUTER,
            advice="The provider left out token usage; a transient fault, retry.",
        ),
        server_failure(
            "overloaded",
            "The provider is overloaded, please try again",
            "The provider is under heavy load (often Anthropic); back off and "
            "retry, or fall back to another provider.",
            extra=_PROVIDER,
        ),
        Fault(
            "provider_gateway_timeout",
            504,
            "retry",
            message="Provider is down: Gateway timeout",
            extra=_PROVIDER,
            advice="The provider answered 504; retry after a short delay or fail over.",
        ),
        refusal(
            "bad_request",
            message="Invalid request payload",
            extra=_ROUTER,
            advice="Not retryable: fix the request payload.",
        ),
        refusal(
            "invalid_api_key",
            message="Invalid API key",
            extra=_ROUTER,
            advice="Not retryable: fix the credentials.",
        ),
        refusal(
            "permission_denied",
            message="API key is not allowed to use this model",
            extra=_ROUTER,
            advice="Not retryable: fix the key's permissions.",
        ),
        refusal(
            "spend_ceiling",
            message="Insufficient balance",
            extra=_ROUTER,
            advice="Not retryable: top up the balance or raise the spend limit.",
        ),
        server_failure(
            "server_error",
            "Internal server error",
            "Maybe transient: retry once, then contact support with the x-request-id.",
            extra=_ROUTER,
        ),
        Fault(
            "model_not_supported",
            404,
            "give_up",
            message="Provider and/or model not supported",
            extra=_ROUTER,
            advice="Requesty does not route that provider/model pair; check the model library.",
        ),
    ]


def profile() -> Provider:
    """Build the Requesty profile."""
    return build_profile(
        "requesty",
        description="Requesty router (OpenAI shape, errors with origin router/provider)",
        endpoints=(Endpoint(RequestyShape()),),
        hosts=("router.requesty.ai",),
        new_request_id=uuid_request_id(),
        statuses={424: "invalid_provider_response"},
        rows=rows(),
        # A stream that breaks mid-answer is the router's provider-stream row, its body
        # exactly {"origin", "message"} as the seed shows every error (no type, no code).
        stream_error={
            "message": "There was a problem with the provider stream",
            "extra": _ROUTER,
            "error_type": None,
        },
        aliases={
            "bad_gateway": "provider_bad_gateway",
            "service_unavailable": "provider_timeout",
            "gateway_timeout": "provider_gateway_timeout",
            "not_found": "model_not_supported",
        },
    )
