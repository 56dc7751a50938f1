"""Rows shared by several profiles: the common names, server failures, what every API has.

A router's catalog holds its documented rows under their own names (FluxRouter's
``hourly_safety_limit``); the common names (``rate_limit``, ``spend_ceiling``, ...) are
aliases of the row that answers that situation on that router, so a test written for one
profile runs on every other. Every profile also gets the front-door rows (proxies, load
balancers, broken upstreams) and the transport rows (network and stream faults) below.
"""

from __future__ import annotations

from typing import Any

from .._faults import Fault
from ._shape_base import JSON

#: The status each common name usually answers with: `server_failure` builds its row at it,
#: and `build_profile` makes that name a plain status's scenario where the profile agrees.
USUAL_STATUS: dict[str, int] = {
    "bad_request": 400,
    "invalid_api_key": 401,
    "spend_ceiling": 402,
    "permission_denied": 403,
    "not_found": 404,
    "rate_limit": 429,
    "server_error": 500,
    "bad_gateway": 502,
    "service_unavailable": 503,
    "gateway_timeout": 504,
    "overloaded": 529,
}
#: Names every built-in profile answers to, beside the transport scenarios.
COMMON_NAMES: tuple[str, ...] = tuple(sorted(USUAL_STATUS))
#: Failures of what sits in front of every API: proxies, load balancers, broken upstreams.
FRONT_DOOR_NAMES: tuple[str, ...] = (
    "empty_body",
    "proxy_502_html",
    "proxy_504_html",
    "unparseable_success",
)


def refusal(name: str, **fields: Any) -> Fault:
    """Return the give-up row of `name`, a common name of a 4xx refusal, at its usual status."""
    return Fault(name, USUAL_STATUS[name], "give_up", **fields)


def server_failure(name: str, message: str, advice: str, **fields: Any) -> Fault:
    """Return the retryable row of `name`, a common name of a 5xx failure, at its usual status."""
    return Fault(name, USUAL_STATUS[name], "retry", message=message, advice=advice, **fields)


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


def transport_faults(provider: str) -> list[Fault]:
    """Return the network and stream scenarios every provider has."""
    return [
        Fault(
            "connect_error",
            provider=provider,
            advice="The connection was refused or reset before a request was sent; retry with "
            "backoff.",
        ),
        Fault(
            "connect_timeout",
            provider=provider,
            advice="No connection within the client's connect timeout; retry with backoff.",
        ),
        Fault(
            "read_timeout",
            provider=provider,
            advice="The server accepted the request but sent nothing within the read timeout; "
            "retry with backoff, the request may have run.",
        ),
        Fault(
            "stream_error",
            provider=provider,
            message="An error occurred while streaming the response. Please retry.",
            error_type="server_error",
            after_chunks=1,
            advice="The provider sent its own error event in the middle of a 200 stream; "
            "surface it or retry from scratch without repeating output.",
        ),
        Fault(
            "stream_truncated",
            provider=provider,
            after_chunks=1,
            advice="The connection dropped mid-stream; the client library raises a protocol "
            "error. Surface it or retry from scratch without repeating output.",
        ),
        Fault(
            "stream_stall",
            provider=provider,
            after_chunks=1,
            advice="The stream went silent mid-answer: only a read timeout ends the wait, so "
            "set one; then surface the timeout or retry from scratch without repeating output.",
        ),
    ]
