"""The Gemini profile: ``generateContent`` and ``streamGenerateContent?alt=sse``.

Gemini documents no response header that carries a request id. The profile sends one in
``x-goog-request-id`` (16 hex digits) so that logging code has an id to log; google-genai
does not surface it as an attribute: read ``error.response.headers`` on an ``APIError`` and
``response.sdk_http_response.headers`` on a success. Gemini answers a bad key with 400
``INVALID_ARGUMENT`` (reason ``API_KEY_INVALID``), not 401, and its 429 carries the wait
in a ``RetryInfo`` body detail, not in a Retry-After header.
"""

from __future__ import annotations

from .._faults import Fault
from ._build import build_profile
from ._gemini_shape import GeminiShape
from ._ids import hex_request_id
from ._profile import Endpoint, Provider
from ._rows import refusal, server_failure

_QUOTA = "type.googleapis.com/google.rpc.QuotaFailure"
_RETRY = "type.googleapis.com/google.rpc.RetryInfo"
_QUOTA_METRIC = "generativelanguage.googleapis.com/generate_content_requests"


def rows() -> list[Fault]:
    """Return Gemini's documented errors."""
    return [
        refusal(
            "bad_request",
            error_type="INVALID_ARGUMENT",
            message="Request contains an invalid argument.",
            advice="The body is malformed or names an unknown field; fix the request.",
        ),
        Fault(
            "invalid_api_key",
            400,
            "give_up",
            error_type="INVALID_ARGUMENT",
            code="API_KEY_INVALID",
            message="API key not valid. Please pass a valid API key.",
            advice="Gemini reports a bad key as a 400 with reason API_KEY_INVALID; replace "
            "the key, a retry sends the same one.",
        ),
        Fault(
            "failed_precondition",
            400,
            "give_up",
            error_type="FAILED_PRECONDITION",
            message="User location is not supported for the API use.",
            advice="The free tier is not offered where the call comes from; enable billing "
            "or call from a supported region.",
        ),
        refusal(
            "permission_denied",
            error_type="PERMISSION_DENIED",
            message="The caller does not have permission.",
            advice="The key may not use this model or tuned model; fix access, not timing.",
        ),
        refusal(
            "not_found",
            error_type="NOT_FOUND",
            message="models/gemini-9 is not found for API version v1beta, or is not "
            "supported for generateContent.",
            advice="Check the model name and API version; list the models to see what exists.",
        ),
        Fault(
            "rate_limit",
            429,
            "retry",
            error_type="RESOURCE_EXHAUSTED",
            message="Resource has been exhausted (e.g. check quota).",
            extra={
                "details": [
                    {
                        "@type": _QUOTA,
                        "violations": [
                            {
                                "quotaMetric": _QUOTA_METRIC,
                                "quotaId": "GenerateRequestsPerMinutePerProjectPerModel",
                            }
                        ],
                    },
                    {"@type": _RETRY, "retryDelay": "7s"},
                ]
            },
            advice="A per-minute quota ran out; back off with jitter, waiting at least the "
            "RetryInfo retryDelay from the body (Gemini sends no Retry-After).",
        ),
        Fault(
            "spend_ceiling",
            429,
            "give_up",
            error_type="RESOURCE_EXHAUSTED",
            message="You exceeded your current quota, please check your plan and billing details.",
            extra={
                "details": [
                    {
                        "@type": _QUOTA,
                        "violations": [
                            {
                                "quotaMetric": _QUOTA_METRIC,
                                "quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier",
                            }
                        ],
                    },
                ]
            },
            advice="The daily or billing quota is spent and resets long after any retry "
            "budget; give up and alert.",
        ),
        server_failure(
            "server_error",
            "An internal error has occurred. Please retry or report it.",
            "Something broke on Google's side (sometimes an over-long input); retry "
            "with backoff, shorten the input if it persists.",
            error_type="INTERNAL",
        ),
        server_failure(
            "service_unavailable",
            "The service is currently unavailable.",
            "The service is down for a moment; retry with backoff.",
            error_type="UNAVAILABLE",
        ),
        Fault(
            "overloaded",
            503,
            "retry",
            error_type="UNAVAILABLE",
            message="The model is overloaded. Please try again later.",
            advice="The model has no capacity right now; back off and retry, or fall back "
            "to another model.",
        ),
        server_failure(
            "gateway_timeout",
            "Deadline expired before operation could complete.",
            "The request ran past the deadline; retry with a longer client timeout "
            "or a shorter prompt.",
            error_type="DEADLINE_EXCEEDED",
        ),
    ]


def profile() -> Provider:
    """Build the Gemini profile."""
    return build_profile(
        "gemini",
        description="Google Gemini API (generateContent, streamGenerateContent)",
        endpoints=(Endpoint(GeminiShape()),),
        hosts=("generativelanguage.googleapis.com",),
        request_id_header="x-goog-request-id",
        new_request_id=hex_request_id("", 16),
        rows=rows(),
        front_door="google",
        aliases={"bad_gateway": "proxy_502_html"},
    )
