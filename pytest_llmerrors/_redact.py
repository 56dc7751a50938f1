"""Secrets as the plugin shows them: API keys and tokens masked to their last four characters.

Whatever the plugin prints or writes (failure messages, the terminal summary, the JSON
report, JUnit properties, ``repr(Attempt)``) goes through here; what the test reads
(`Attempt.headers`, `Attempt.url`) keeps the real values.

The rule, for one secret value: a value longer than `SHORT` characters is shown as ``****``
and its last four characters (``sk-proj-...0001`` -> ``****0001``); a shorter one, of which
four characters would be too much, as ``****`` alone; an empty one stays empty. Always four
stars, whatever the length, so the length is not shown either.

What counts as a secret:

* the values of the headers in `SECRET_HEADERS` (any case). An ``authorization`` or
  ``proxy-authorization`` value keeps its scheme word (``Bearer ****0001``); a ``cookie``
  keeps each cookie's name (``session=****f00d; theme=****dark``);
* the values of the query parameters in `SECRET_PARAMETERS` (any case): ``?key=****0001``;
* the password of a URL's ``user:password@``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote, unquote_plus, urlsplit, urlunsplit

__all__ = [
    "SECRET_HEADERS",
    "SECRET_PARAMETERS",
    "header",
    "headers",
    "mask",
    "url",
]

#: Request headers whose values are credentials (compared lower-case).
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "x-api-key", "api-key", "x-goog-api-key", "cookie"}
)
#: Query parameters whose values are credentials (compared lower-case).
SECRET_PARAMETERS = frozenset({"key", "api_key", "apikey", "token", "access_token"})
#: A value of at most this many characters is masked whole: showing four would show too much.
SHORT = 8
MASK = "****"
_KEEP = 4
_SCHEMES = frozenset({"authorization", "proxy-authorization"})
#: ``Bearer ...``, ``Basic ...``: an auth scheme is an HTTP token followed by spaces.
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*) +(.*)", re.DOTALL)


def mask(secret: str) -> str:
    """Return `secret` with all but its last four characters replaced: ``****0001``."""
    if not secret:
        return secret
    return MASK if len(secret) <= SHORT else MASK + secret[-_KEEP:]


def header(name: str, value: str) -> str:
    """Return header `name`'s `value` as shown: masked when the header carries a secret."""
    lowered = name.lower()
    if lowered not in SECRET_HEADERS:
        return value
    if lowered == "cookie":
        return "; ".join(_cookie(part) for part in value.split(";"))
    if lowered in _SCHEMES:
        scheme = _SCHEME.fullmatch(value.strip())
        if scheme is not None:
            return f"{scheme[1]} {mask(scheme[2].strip())}"
    return mask(value)


def headers(values: Mapping[str, str]) -> dict[str, str]:
    """Return a copy of `values` with every secret header's value masked."""
    return {name: header(name, value) for name, value in values.items()}


def url(text: str) -> str:
    """Return `text` with the values of secret query parameters and any password masked.

    Everything else is left exactly as written (order, encoding, fragment). A string that
    does not parse as a URL is returned unchanged.
    """
    try:
        parts = urlsplit(text)
        password = parts.password
    except ValueError:
        return text
    netloc = parts.netloc
    if password:
        userinfo, _, hostport = netloc.rpartition("@")
        user = userinfo.partition(":")[0]
        netloc = f"{user}:{quote(mask(unquote_plus(password)), safe='*')}@{hostport}"
    query = "&".join(_parameter(pair) for pair in parts.query.split("&"))
    if netloc == parts.netloc and query == parts.query:
        return text
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def _parameter(pair: str) -> str:
    name, equals, value = pair.partition("=")
    if not equals or unquote_plus(name).lower() not in SECRET_PARAMETERS:
        return pair
    return f"{name}={quote(mask(unquote_plus(value)), safe='*')}"


def _cookie(part: str) -> str:
    name, equals, value = part.strip().partition("=")
    return f"{name}={mask(value)}" if equals else mask(name)
