"""What every profile shares: the common scenario names, front-door failures, id formats.

A router's catalog holds its documented rows under their own names (FluxRouter's
``hourly_safety_limit``); the common names (``rate_limit``, ``spend_ceiling``, ...) are
aliases of the row that answers that situation on that router, so a test written for one
profile runs on every other.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from typing import Any

from .._faults import Fault
from ._profile import Provider
from ._shapes import JSON, AnthropicShape, token

#: Names every built-in profile answers to, beside the transport scenarios.
COMMON_NAMES: tuple[str, ...] = (
    "bad_gateway",
    "bad_request",
    "gateway_timeout",
    "invalid_api_key",
    "not_found",
    "overloaded",
    "permission_denied",
    "rate_limit",
    "server_error",
    "service_unavailable",
    "spend_ceiling",
)
#: Failures of what sits in front of every API: proxies, load balancers, broken upstreams.
FRONT_DOOR_NAMES: tuple[str, ...] = (
    "empty_body",
    "proxy_502_html",
    "proxy_504_html",
    "unparseable_success",
)

_PAGES = {
    "cloudflare": (
        "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
        "<center><h1>{status} {reason}</h1></center>\r\n<hr><center>cloudflare</center>\r\n"
        "</body>\r\n</html>\r\n"
    ),
    "nginx": (
        "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
        "<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    ),
    "google": (
        "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n"
        "  <title>Error {status} ({reason})!!1</title>\n"
        "  <p><b>{status}.</b> <ins>That\u2019s an error.</ins>\n"
        "  <p>The server encountered a temporary error and could not complete your request."
        "<p>Please try again in 30 seconds.  <ins>That\u2019s all we know.</ins>\n"
    ),
}
_REASONS = {502: "Bad Gateway", 504: "Gateway Time-out"}
#: A success cut off mid-object: valid JSON to no parser.
_TRUNCATED = '{"id":"resp-0","object":"chat.completion","created":0,"choices":[{"index":0,"mess'


def front_door_faults(server: str = "cloudflare") -> list[Fault]:
    """Return the proxy pages, the empty error and the unparseable success of a profile."""
    html = "text/html; charset=utf-8" if server != "google" else "text/html; charset=UTF-8"
    pages = [
        Fault(
            f"proxy_{status}_html",
            status,
            "retry",
            body=_PAGES[server].format(status=status, reason=_REASONS[status]),
            content_type=html,
            headers={"server": server} if server != "google" else {},
            advice=f"A proxy in front of the API answered {status} with an HTML page; the "
            "body is not JSON, so parse defensively and retry with backoff.",
        )
        for status in (502, 504)
    ]
    return [
        *pages,
        Fault(
            "empty_body",
            502,
            "retry",
            body=b"",
            content_type="text/plain; charset=utf-8",
            advice="A 502 with no body at all: nothing to parse, nothing to show; retry with "
            "backoff and log the status.",
        ),
        Fault(
            "unparseable_success",
            200,
            "retry",
            body=_TRUNCATED,
            content_type=JSON,
            advice="A 200 whose JSON is cut off: the SDK cannot parse it; treat it as a "
            "transient failure and retry, never as an empty answer.",
        ),
    ]


def add_aliases(provider: Provider, aliases: Mapping[str, str]) -> None:
    """Add each common name of `aliases` as a copy of the row scenario it maps to."""
    provider.add(provider.scenarios[target].replace(name=name) for name, target in aliases.items())


def alias_of(provider: Provider, name: str) -> str | None:
    """Return the scenario that `name` copies on `provider`, if it is an alias.

    An alias is added after its target, so the target is the first scenario before it in
    the catalog's insertion order that differs from it only by name.
    """
    fault = provider.scenarios[name]
    for other, candidate in provider.scenarios.items():
        if other == name:
            return None
        if candidate.replace(name=name) == fault:
            return other
    return None


def uuid_request_id(prefix: str = "") -> Callable[[random.Random], str]:
    """Return a request-id factory for UUID-4-looking ids, drawn from the plugin's `rng`."""

    def make(rng: random.Random) -> str:
        raw = token(rng, 32)
        variant = "89ab"[int(raw[16], 16) % 4]
        return f"{prefix}{raw[:8]}-{raw[8:12]}-4{raw[13:16]}-{variant}{raw[17:20]}-{raw[20:32]}"

    return make


_ANTHROPIC_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    504: "timeout_error",
    529: "overloaded_error",
}


class RouterAnthropicShape(AnthropicShape):
    """Anthropic's error shape as a router serves it: the type follows the status.

    A router's row renders in OpenAI's shape on one path and Anthropic's on another, so a
    row leaves ``error_type`` unset and each shape spells the type its SDK users expect.
    """

    def error_object(self, fault: Fault, status: int, request_id: str) -> Any:
        """Return Anthropic's error body, its ``type`` derived from `status` when unset."""
        if fault.error_type is None:
            default = "api_error" if status >= 500 else "invalid_request_error"
            fault = fault.replace(error_type=_ANTHROPIC_TYPES.get(status, default))
        return super().error_object(fault, status, request_id)
