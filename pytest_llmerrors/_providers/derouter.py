"""The DeRouter profile (seed 002_94f7469c4c588b6f.txt, "API Error Guide").

DeRouter answers in the shape of the API called: Claude's on ``/v1/messages``, OpenAI's on
``/v1/chat/completions`` and ``/v1/responses``. Every response carries a ``request-id``
header like ``req_a1b2c3...``.

Common names: ``invalid_api_key`` is the invalid-key 401, ``spend_ceiling`` the spent USDC
balance, ``rate_limit`` the requests-per-minute 429, ``bad_request`` the missing model,
``not_found`` the unavailable model (a 400 here), ``service_unavailable`` the no-provider
503, ``bad_gateway`` the provider-auth 502, ``gateway_timeout`` the provider timeout,
``overloaded`` the 529. The guide lists no 403 and no 500, so ``permission_denied`` and
``server_error`` are not scenarios here: asking for one names the reason (a bare
``inject_error(403)`` still answers a generic 403 in the called shape).

"Other request errors (prompt too long, invalid tool format, etc.) are passed through from
the upstream API with the original message": ``prompt_too_long`` and
``invalid_tool_format`` are 400s that read as Anthropic's on ``/v1/messages`` and as
OpenAI's on ``/v1/chat/completions`` and ``/v1/responses``. ``GET /v1/models`` ("to see
what's online right now") lists the models, in Anthropic's list shape for the anthropic SDK
and OpenAI's otherwise.

Limits: the guide documents a key's defaults, 60 requests per minute and 5 concurrent
(``limits="documented"``); a request over them gets ``rpm_limit`` or ``concurrency_limit``.
"""

from __future__ import annotations

from typing import Any

from .._faults import Fault
from ._anthropic_shape import RouterAnthropicShape
from ._build import build_profile
from ._ids import hex_request_id
from ._openai_shape import OpenAIShape
from ._profile import Endpoint, Provider
from ._rows import refusal

#: What ``GET /v1/models`` lists: the models the guide names, and what its upstreams serve.
MODELS = ("claude-sonnet-4-6", "claude-opus-4-1", "claude-haiku-4-5", "gpt-5", "gpt-4o-mini")
#: Why DeRouter has no row for these common names.
UNDOCUMENTED = {
    "permission_denied": "DeRouter's error guide lists no 403 (it names 400, 401, 402, 429, "
    "502, 503, 504 and 529); use inject_error(403) for a bare 403, or a 401 such as "
    "'invalid_api_key'.",
    "server_error": "DeRouter's error guide lists no 500 (its upstream failures are 502 "
    "'provider_auth_failed', 504 'provider_timeout' and 529 'upstream_overloaded'); use "
    "inject_error(500) for a bare 500.",
}
#: The upstream request errors DeRouter passes through with their original message, as each
#: upstream API words them: Anthropic's on /v1/messages (the rows' own message), OpenAI's on
#: /v1/chat/completions and /v1/responses.
PASSED_THROUGH_OPENAI: dict[tuple[str, str], dict[str, Any]] = {
    ("prompt_too_long", "openai"): {
        "message": "This model's maximum context length is 128000 tokens. However, your "
        "messages resulted in 204118 tokens. Please reduce the length of the messages.",
        "code": "context_length_exceeded",
        "extra": {"param": "messages"},
    },
    ("invalid_tool_format", "openai"): {
        "message": "Missing required parameter: 'tools[0].function'.",
        "code": "missing_required_parameter",
        "extra": {"param": "tools[0].function"},
    },
}


def rows() -> list[Fault]:
    """Return the rows of DeRouter's error guide."""
    return [
        Fault(
            "missing_api_key",
            401,
            "give_up",
            message="Missing API key: send Authorization: Bearer or x-api-key.",
            advice="The request had no key; add the Authorization or x-api-key header.",
        ),
        refusal(
            "invalid_api_key",
            message="Invalid API key.",
            advice="The key was deleted, disabled or never existed; create a new one.",
        ),
        Fault(
            "session_expired",
            401,
            "give_up",
            message="Invalid or expired token.",
            advice="A dashboard session ends after 24 hours; log in again.",
        ),
        Fault(
            "insufficient_balance",
            402,
            "give_up",
            message="Insufficient balance.",
            advice="The USDC balance is spent; deposit more, nothing clears by waiting.",
        ),
        Fault(
            "key_budget_exceeded",
            402,
            "give_up",
            message="API key budget ($10) exceeded.",
            advice="This key hit its own spending cap; raise it or use a key without one.",
        ),
        Fault(
            "rpm_limit",
            429,
            "retry",
            message="Requests per minute limit (60) exceeded.",
            retry_after=5,
            advice="Over the key's per-minute limit (60 by default): wait a few seconds, "
            "honour Retry-After, ask support for more.",
        ),
        Fault(
            "concurrency_limit",
            429,
            "retry",
            message="Concurrent limit (5) exceeded.",
            advice="Too many requests in flight (5 by default); let some finish or queue "
            "them client-side, then retry.",
        ),
        Fault(
            "model_required",
            400,
            "give_up",
            message="model is required",
            advice="The body has no model field; add one.",
        ),
        Fault(
            "model_not_available",
            400,
            "give_up",
            message='Model "claude-9" is not available.',
            advice="The model does not exist or is offline; GET /v1/models lists what is online.",
        ),
        Fault(
            "no_providers_online",
            503,
            "retry",
            message="No providers are currently online for this model.",
            advice="No provider node is connected; it usually clears within a minute or "
            "two, retry with a short delay.",
        ),
        Fault(
            "providers_resting",
            503,
            "retry",
            message="All providers are in scheduled rest.",
            advice="Providers rotate through rest periods; capacity returns within minutes, retry.",
        ),
        Fault(
            "providers_at_capacity",
            503,
            "retry",
            message="All providers are at max concurrency.",
            advice="Every provider is busy; retry in a few seconds.",
        ),
        Fault(
            "provider_auth_failed",
            502,
            "retry",
            message="Provider authentication failed.",
            advice="An upstream credential expired; DeRouter already switched providers, "
            "retry and contact support if it repeats.",
        ),
        Fault(
            "provider_timeout",
            504,
            "retry",
            message="Provider timed out.",
            advice="No answer within five minutes; retry, and split very long tasks.",
        ),
        Fault(
            "upstream_overloaded",
            529,
            "retry",
            message="Upstream API is temporarily overloaded.",
            advice="Anthropic or OpenAI is under heavy load; wait 5-10 s and retry.",
        ),
        Fault(
            "prompt_too_long",
            400,
            "give_up",
            error_type="invalid_request_error",
            message="prompt is too long: 204118 tokens > 200000 maximum",
            advice="Passed through from the upstream API with its own message (Anthropic's "
            "on /v1/messages, OpenAI's context_length_exceeded on chat): trim the input, "
            "a retry sends the same tokens.",
        ),
        Fault(
            "invalid_tool_format",
            400,
            "give_up",
            error_type="invalid_request_error",
            message="tools.0.custom.input_schema: Field required",
            advice="Passed through from the upstream API with its own message: a tool "
            "definition is malformed; fix its schema, a retry cannot.",
        ),
    ]


def profile() -> Provider:
    """Build the DeRouter profile."""
    return build_profile(
        "derouter",
        description="DeRouter (Claude shape on /v1/messages, OpenAI shape on "
        "/v1/chat/completions and /v1/responses, a model list on GET /v1/models; no 403 or "
        "500 row, so no `permission_denied` or `server_error`)",
        endpoints=(
            Endpoint(RouterAnthropicShape(), models=MODELS),
            Endpoint(OpenAIShape(), models=MODELS),
        ),
        undocumented=UNDOCUMENTED,
        shaped=PASSED_THROUGH_OPENAI,
        request_id_header="request-id",
        new_request_id=hex_request_id("req_", 24),
        rows=rows(),
        # "default: 60/min" and "default limit: 5 concurrent" (section 03, Too Many Requests).
        documented_limits={"rpm": 60, "concurrency": 5},
        limit_scenarios={"rpm": "rpm_limit", "concurrency": "concurrency_limit"},
        limit_messages={
            "rpm": "Requests per minute limit ({limit}) exceeded.",
            "concurrency": "Concurrent limit ({limit}) exceeded.",
        },
        aliases={
            "spend_ceiling": "insufficient_balance",
            "rate_limit": "rpm_limit",
            "bad_request": "model_required",
            "not_found": "model_not_available",
            "service_unavailable": "no_providers_online",
            "bad_gateway": "provider_auth_failed",
            "gateway_timeout": "provider_timeout",
            "overloaded": "upstream_overloaded",
        },
    )
