"""Ids as providers spell them: the alphabets they draw from and the request-id factories.

Every id is drawn from the plugin's own seeded `random.Random`, one draw per run of
characters (``rng.getrandbits`` for hex, ``rng.choices`` for other alphabets), so a seeded
test sees the same ids run to run. That is also why an alphabet's order matters as much as
its letters: ``rng.choices`` picks by index.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable

#: A request-id factory: draws one id from the plugin's `rng`.
NewId = Callable[[random.Random], str]

HEX = "0123456789abcdef"
DIGITS = string.digits
#: Bitcoin's base58 (no ``0``, ``O``, ``I``, ``l``): Anthropic's request and message ids.
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
#: Upper case first: Gemini's response ids, OpenRouter's generation ids.
ALNUM = string.ascii_uppercase + string.ascii_lowercase + string.digits
#: Lower case first: OpenAI's stream obfuscation padding. The letters of `ALNUM` in another
#: order, kept apart because a seeded id depends on the order.
ALNUM_LOWER_FIRST = string.ascii_letters + string.digits


def token(rng: random.Random, length: int, alphabet: str = HEX) -> str:
    """Return `length` random characters of `alphabet`, drawn from the plugin's own `rng`."""
    if alphabet == HEX:
        # One draw of 4 bits a character: rng.choices takes a Python step per character.
        return f"{rng.getrandbits(4 * length):0{length}x}" if length else ""
    return "".join(rng.choices(alphabet, k=length))


def prefixed_request_id(prefix: str, length: int, alphabet: str = HEX) -> NewId:
    """Return a request-id factory for `prefix` and `length` characters of `alphabet`."""

    def make(rng: random.Random) -> str:
        return prefix + token(rng, length, alphabet)

    return make


def hex_request_id(prefix: str = "req_", length: int = 32) -> NewId:
    """Return a request-id factory for ids like ``req_3f9c...``."""
    return prefixed_request_id(prefix, length)


def uuid_request_id(prefix: str = "") -> NewId:
    """Return a request-id factory for UUID-4-looking ids."""

    def make(rng: random.Random) -> str:
        raw = token(rng, 32)
        variant = "89ab"[int(raw[16], 16) % 4]
        return f"{prefix}{raw[:8]}-{raw[8:12]}-4{raw[13:16]}-{variant}{raw[17:20]}-{raw[20:32]}"

    return make


def generation_request_id(prefix: str = "gen-") -> NewId:
    """Return a request-id factory for OpenRouter-style ``gen-<10 digits>-<20 letters>`` ids."""

    def make(rng: random.Random) -> str:
        return f"{prefix}{token(rng, 10, DIGITS)}-{token(rng, 20, ALNUM)}"

    return make
