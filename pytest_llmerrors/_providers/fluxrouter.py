"""The FluxRouter profile (seed 000_fc4615c89775b363.txt, "Error reference").

FluxRouter serves OpenAI's shape on ``/v1/chat/completions`` and ``/v1/responses`` and
Anthropic's shape on ``/anthropic/v1/messages`` (+ ``count_tokens``); every row below
renders in whichever shape the called path speaks. Any other path under its API (embeddings,
``/anthropic/v1/chat/completions``, a model list...) gets the seed's "403 Endpoint not
served", in the shape of the path's prefix, whatever the test queued. Request ids travel in
``X-Flux-Request-Id`` (the seed names the header, not the format: the profile sends
``flux-`` and a UUID).

Common names: ``spend_ceiling`` is the monthly credit row (the 402 section calls it the
account's spend ceiling), ``not_found`` is the unknown-model 400 (FluxRouter has no 404),
``permission_denied`` is the endpoint-not-served 403, ``bad_gateway`` the upstream 502,
``overloaded`` the busy 503. ``server_error`` (500) and ``gateway_timeout`` (504) come from
the seed's 5xx section, which names 500-504 as transient.
"""

from __future__ import annotations

from .._faults import Fault
from ._anthropic_shape import RouterAnthropicShape
from ._build import build_profile
from ._ids import uuid_request_id
from ._openai_shape import OpenAIShape
from ._profile import Endpoint, Provider
from ._rows import refusal, server_failure

#: Seconds left in the hourly safety window: longer than the default 300 s wait budget.
HOURLY_WINDOW = 1800


def rows() -> list[Fault]:
    """Return the rows of FluxRouter's status reference."""
    return [
        refusal(
            "invalid_api_key",
            # No error_type: OpenAI's shape says invalid_request_error (the seed's example
            # body), Anthropic's authentication_error, as each shape does for a 401.
            code="invalid_api_key",
            message="Incorrect API key provided.",
            advice="The key is missing, malformed or not a Flux sk- key; send a valid one "
            "as a bearer token (x-api-key on the Anthropic path).",
        ),
        Fault(
            "credit_exhausted",
            402,
            "give_up",
            message="Monthly credit used up: your account has reached its spend ceiling.",
            advice="Credit returns only with the next billing cycle; top up or upgrade, "
            "then call again.",
        ),
        Fault(
            "hourly_safety_limit",
            402,
            "retry_after_window",
            message="Hourly safety limit reached; retry after the window resets.",
            retry_after=HOURLY_WINDOW,
            extra={"retry_after": HOURLY_WINDOW},
            advice="Wait out the retry_after window (header and body agree) or give up "
            "when it exceeds your budget; slowing down prevents it.",
        ),
        Fault(
            "model_not_in_plan",
            402,
            "give_up",
            message="Your plan does not include this model yet.",
            advice="Only a plan upgrade unlocks the model; pick another model or upgrade.",
        ),
        Fault(
            "payment_method_required",
            402,
            "give_up",
            message="Premium routing needs a payment method on file.",
            advice="Add a card in billing; no retry succeeds until then.",
        ),
        Fault(
            "premium_routing_unavailable",
            402,
            "retry",
            message="Premium routing is temporarily unavailable.",
            retry_after=5,
            advice="A short outage of premium routing: retry in about five seconds or use "
            "flux-fast / flux-standard meanwhile.",
        ),
        Fault(
            "free_allowance_exhausted",
            402,
            "give_up",
            message="Free allowance used up.",
            advice="The free tier resets with the next cycle; upgrade or bring your own "
            "provider key.",
        ),
        Fault(
            "account_on_hold",
            402,
            "give_up",
            message="Account on hold for payment review.",
            advice="A person must clear the hold (billing support); stop calling.",
        ),
        Fault(
            "endpoint_not_served",
            403,
            "give_up",
            message="This endpoint is not served. Supported: /v1/chat/completions, "
            "/v1/responses, /anthropic/v1/messages, /anthropic/v1/messages/count_tokens.",
            advice="Call one of the four supported paths; the path itself is wrong.",
        ),
        Fault(
            "rate_limit",
            429,
            "retry",
            message="Rate limit exceeded.",
            retry_after=2,
            advice="Requests came too fast: honour Retry-After, back off 1 s, 2 s, 4 s with "
            "jitter and lower concurrency.",
        ),
        Fault(
            "conversation_limit",
            429,
            "give_up",
            message="This conversation has hit its limit.",
            advice="Waiting does not reset it: start a new conversation instead of retrying.",
        ),
        refusal(
            "bad_request",
            message="Bad request body: 'stream' must be a boolean.",
            advice="Malformed JSON or a wrongly shaped field; fix the body.",
        ),
        Fault(
            "model_not_recognized",
            400,
            "give_up",
            message="Model not recognized. Use flux-auto, flux-fast, flux-standard, "
            "flux-reasoning or a valid pinned id.",
            advice="Name one of the flux-* models or a pinned model id.",
        ),
        Fault(
            "empty_prompt",
            400,
            "give_up",
            message="Empty prompt: add message content.",
            advice="The messages carry no content; send some.",
        ),
        Fault(
            "input_too_long",
            413,
            "give_up",
            message="Input too long for the models of your tier.",
            advice="Trim the conversation history or move to a tier with longer contexts.",
        ),
        Fault(
            "request_too_large",
            413,
            "give_up",
            message="Request payload too large (limit 32MB).",
            advice="The body is over 32 MB, usually images: compress or drop attachments.",
        ),
        Fault(
            "upstream_error",
            502,
            "retry",
            message="Upstream provider error.",
            advice="The model provider failed; retry with exponential backoff.",
        ),
        Fault(
            "post_processing_error",
            502,
            "retry",
            message="Post-call processing failed; the call may have succeeded.",
            advice="Retry, but the first call may have run (and cost); if it repeats, send "
            "support the X-Flux-Request-Id.",
        ),
        server_failure(
            "service_unavailable",
            "Service busy or in maintenance.",
            "Back off and retry; status.fluxrouter.ai shows maintenance.",
        ),
        server_failure(
            "server_error",
            "Internal server error.",
            "A transient gateway fault; retry with backoff and report the request "
            "id if it repeats.",
        ),
        server_failure(
            "gateway_timeout",
            "Gateway timeout.",
            "The upstream call took too long; retry with backoff.",
        ),
    ]


def profile() -> Provider:
    """Build the FluxRouter profile."""
    return build_profile(
        "fluxrouter",
        description="FluxRouter (OpenAI shape on /v1/chat/completions and /v1/responses, "
        "Anthropic shape on /anthropic/v1/messages and its count_tokens; any other path "
        "under its API answers 403 `endpoint_not_served`)",
        endpoints=(
            Endpoint(OpenAIShape(), only=frozenset({"chat", "responses"})),
            Endpoint(RouterAnthropicShape(), "/anthropic"),
        ),
        unserved="endpoint_not_served",
        hosts=("api.fluxrouter.ai",),
        request_id_header="X-Flux-Request-Id",
        new_request_id=uuid_request_id("flux-"),
        statuses={413: "request_too_large"},
        rows=rows(),
        aliases={
            "spend_ceiling": "credit_exhausted",
            "not_found": "model_not_recognized",
            "permission_denied": "endpoint_not_served",
            "bad_gateway": "upstream_error",
            "overloaded": "service_unavailable",
        },
    )
