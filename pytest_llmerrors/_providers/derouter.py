"""The DeRouter profile (seed 002_94f7469c4c588b6f.txt, "API Error Guide").

DeRouter answers in the shape of the API called: Claude's on ``/v1/messages``, OpenAI's on
``/v1/chat/completions`` and ``/v1/responses``. Every response carries a ``request-id``
header like ``req_a1b2c3...``.

Common names: ``invalid_api_key`` is the invalid-key 401, ``spend_ceiling`` the spent USDC
balance, ``rate_limit`` the requests-per-minute 429, ``bad_request`` the missing model,
``not_found`` the unavailable model (a 400 here), ``service_unavailable`` the no-provider
503, ``bad_gateway`` the provider-auth 502, ``gateway_timeout`` the provider timeout,
``overloaded`` the 529. The seed has no 403 or 500 row: it says other upstream errors pass
through with their original message, so ``permission_denied`` and ``server_error`` are
those passed-through errors.
"""

from __future__ import annotations

from .._faults import Fault
from ._anthropic_shape import RouterAnthropicShape
from ._build import build_profile
from ._ids import hex_request_id
from ._openai_shape import OpenAIShape
from ._profile import Endpoint, Provider
from ._rows import server_failure


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
        Fault(
            "invalid_api_key",
            401,
            "give_up",
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
            "permission_denied",
            403,
            "give_up",
            message="Upstream: your account does not have access to this model.",
            advice="Passed through from the upstream API; fix access, do not retry.",
        ),
        server_failure(
            "server_error",
            "Upstream: internal server error.",
            "Passed through from the upstream API; retry with backoff.",
        ),
    ]


def profile() -> Provider:
    """Build the DeRouter profile."""
    return build_profile(
        "derouter",
        description="DeRouter (Claude shape on /v1/messages, OpenAI shape on /v1/chat/completions)",
        endpoints=(Endpoint(RouterAnthropicShape()), Endpoint(OpenAIShape())),
        request_id_header="request-id",
        new_request_id=hex_request_id("req_", 24),
        rows=rows(),
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
