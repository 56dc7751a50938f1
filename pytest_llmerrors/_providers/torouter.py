"""The ToRouter profile (seed 003_7f9462e43c1d7de6.txt, "Common HTTP errors").

ToRouter mirrors the protocol called (OpenAI, Anthropic or Gemini) and puts its own codes
inside: ``{"error": {"message", "type": "API_KEY_EXPIRED", "code": "API_KEY_EXPIRED"}}`` in
OpenAI's shape, the ``type`` in Anthropic's, the ErrorInfo ``reason`` in Gemini's. Ids
travel in ``x-request-id`` (the seed gives no format: 32 hex digits here).

Each of the ten table rows maps to the scenario under its common name; the codes a row
lists (``API_KEY_DISABLED``, ``SUBSCRIPTION_NOT_FOUND``, ...) are scenarios of their own.
``overloaded`` is the no-eligible-channel 503.

``/models`` ("Open /models to see what your group exposes") lists the group's models, in
Anthropic's list shape for the anthropic SDK and OpenAI's otherwise. A path under its API
that no protocol serves gets ToRouter's own 404 ``unknown_endpoint``.
"""

from __future__ import annotations

from .._faults import Fault
from ._anthropic_shape import RouterAnthropicShape
from ._build import build_profile
from ._gemini_shape import GeminiShape
from ._ids import hex_request_id
from ._openai_shape import OpenAIShape
from ._profile import Endpoint, Provider
from ._rows import refusal, server_failure

#: What ``/models`` lists: a group's catalog across the three protocols ToRouter speaks.
MODELS = ("gpt-4o-mini", "gpt-4.1", "claude-sonnet-4-5", "claude-haiku-4-5", "gemini-2.5-flash")


def _coded(name: str, status: int, code: str, message: str, advice: str) -> Fault:
    """Return a give-up row whose ToRouter `code` is both the type and the code."""
    return Fault(
        name, status, "give_up", error_type=code, code=code, message=message, advice=advice
    )


def rows() -> list[Fault]:
    """Return ToRouter's rows, and the codes they list as rows of their own."""
    return [
        refusal(
            "bad_request",
            message="Malformed request body.",
            advice="Validate the JSON before sending; a retry repeats the same bytes.",
        ),
        Fault(
            "invalid_model",
            400,
            "give_up",
            message="Invalid model name.",
            advice="Check the model slug against /models.",
        ),
        Fault(
            "unsupported_parameter",
            400,
            "give_up",
            message="Unsupported parameter for the chosen model.",
            advice="Drop the fields this model does not take.",
        ),
        _coded(
            "api_key_required",
            401,
            "API_KEY_REQUIRED",
            "API key required.",
            "No key was sent; add Authorization: Bearer sk-...",
        ),
        _coded(
            "invalid_api_key",
            401,
            "INVALID_API_KEY",
            "Invalid API key.",
            "The key is malformed or unknown; re-check the bearer header.",
        ),
        _coded(
            "api_key_disabled",
            401,
            "API_KEY_DISABLED",
            "API key disabled.",
            "The key exists but is switched off; enable it in the dashboard.",
        ),
        _coded(
            "user_inactive",
            401,
            "USER_INACTIVE",
            "User inactive.",
            "The account behind the key is inactive; reactivate it.",
        ),
        refusal(
            "spend_ceiling",
            message="Account balance insufficient.",
            advice="The pay-as-you-go balance is spent; top up in Billing.",
        ),
        _coded(
            "access_denied",
            403,
            "ACCESS_DENIED",
            "Access denied: IP not in allowlist.",
            "The caller's IP is not on the key's allowlist; adjust the allowlist.",
        ),
        _coded(
            "api_key_expired",
            403,
            "API_KEY_EXPIRED",
            "API key \u5df2\u8fc7\u671f",
            "The key has expired; renew it, a retry cannot.",
        ),
        _coded(
            "subscription_not_found",
            403,
            "SUBSCRIPTION_NOT_FOUND",
            "Subscription not found.",
            "The key's group needs a subscription; subscribe to the group.",
        ),
        _coded(
            "subscription_balance_insufficient",
            403,
            "INSUFFICIENT_BALANCE",
            "Insufficient balance for this subscription.",
            "The subscription's balance is spent; renew or top up.",
        ),
        Fault(
            "model_not_whitelisted",
            403,
            "give_up",
            message="Model is not in this key's whitelist.",
            advice="Add the model to the key's whitelist or use a key that has it.",
        ),
        refusal(
            "not_found",
            message="Model not found in your subscribed group's catalog.",
            advice="Open /models to see what your group exposes.",
        ),
        Fault(
            "unknown_endpoint",
            404,
            "give_up",
            message="Unknown endpoint path.",
            advice="The path does not match the protocol (OpenAI, Anthropic, Gemini); fix "
            "the base URL or path.",
        ),
        Fault(
            "rate_limit",
            429,
            "retry",
            message="rate limit exceeded",
            advice="Too many requests right now; retry with exponential backoff.",
        ),
        _coded(
            "api_key_quota_exhausted",
            429,
            "API_KEY_QUOTA_EXHAUSTED",
            "API key quota exhausted.",
            "The key's quota is used up and does not refill within a retry budget; "
            "raise the quota.",
        ),
        Fault(
            "subscription_window_limit",
            429,
            "give_up",
            message="Subscription window limit reached (daily/weekly/monthly).",
            advice="The subscription's daily, weekly or monthly window is full; it resets "
            "far beyond a retry budget, so give up and alert.",
        ),
        server_failure(
            "server_error",
            "ToRouter internal error.",
            "Retry with backoff; report the x-request-id if it persists.",
        ),
        Fault(
            "upstream_failover_exhausted",
            502,
            "retry",
            message="All upstream candidates failed after failover.",
            advice="Every upstream failed over to the next and none answered; retry later.",
        ),
        Fault(
            "no_eligible_channel",
            503,
            "retry",
            message="Service temporarily unavailable: no eligible channel.",
            advice="No channel can take the request right now; retry and check channel "
            "health on the dashboard.",
        ),
        Fault(
            "upstream_timeout",
            504,
            "retry",
            message="Upstream timeout.",
            advice="The upstream did not answer in time; retry, perhaps with a smaller "
            "model or prompt.",
        ),
    ]


def profile() -> Provider:
    """Build the ToRouter profile."""
    return build_profile(
        "torouter",
        description="ToRouter (OpenAI, Anthropic and Gemini shapes, ToRouter codes inside)",
        endpoints=(
            Endpoint(OpenAIShape(), models=MODELS),
            Endpoint(RouterAnthropicShape(), models=MODELS),
            Endpoint(GeminiShape(domain="torouter")),
        ),
        unserved="unknown_endpoint",
        new_request_id=hex_request_id("", 32),
        rows=rows(),
        front_door="nginx",
        aliases={
            "permission_denied": "access_denied",
            "bad_gateway": "upstream_failover_exhausted",
            "service_unavailable": "no_eligible_channel",
            "overloaded": "no_eligible_channel",
            "gateway_timeout": "upstream_timeout",
        },
    )
