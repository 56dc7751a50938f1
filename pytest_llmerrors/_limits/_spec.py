"""`Limits`: what a test sets with ``inject_error.limit(...)`` or the marker's ``limits=``.

Every value is checked where it is given, naming the argument: a limit is a whole number of
at least 1, `latency` a finite number of seconds from 0, `window` a finite number above 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

#: The limits, in the order reports name them.
LIMIT_KINDS = ("rpm", "tpm", "concurrency", "spend")
#: Every keyword ``inject_error.limit`` takes.
LIMIT_OPTIONS = (*LIMIT_KINDS, "latency", "window")
#: The preset that takes the limits the provider's reference documents.
DOCUMENTED = "documented"
#: The longest `latency` or `window`: a day (longer is no LLM call, and likely a typo).
_MAX_SECONDS = 86_400.0


def _whole(name: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number of at least 1, or None, not {value!r}.")
    if value < 1:
        raise ValueError(
            f"{name} must be at least 1, not {value!r}: a limit of 0 admits nothing. Leave "
            f"{name} out (None) for no {name} limit."
        )


def _seconds(name: str, value: Any, *, positive: bool) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number of seconds, not {value!r}.")
    if value < 0 or (positive and value == 0):
        bound = "above 0" if positive else "0 or more"
        raise ValueError(f"{name} must be {bound} seconds, not {value!r}.")
    if value > _MAX_SECONDS:
        raise ValueError(f"{name} must be at most {_MAX_SECONDS:g} seconds (a day), not {value!r}.")


@dataclass(frozen=True)
class Limits:
    """Provider limits on the virtual clock; ``None`` leaves that limit out.

    `rpm` requests and `tpm` tokens in any `window` seconds (sliding), `concurrency`
    requests in flight, `spend` tokens for the whole test; every admitted request is
    answered after `latency` virtual seconds (so it is in flight that long).
    """

    rpm: int | None = None
    tpm: int | None = None
    concurrency: int | None = None
    spend: int | None = None
    latency: float = 0.5
    window: float = 60.0

    def __post_init__(self) -> None:
        __tracebackhide__ = True
        for name in LIMIT_KINDS:
            _whole(name, getattr(self, name))
        _seconds("latency", self.latency, positive=False)
        _seconds("window", self.window, positive=True)
        if all(getattr(self, name) is None for name in LIMIT_KINDS):
            raise ValueError(
                f"limit() needs at least one limit: {', '.join(LIMIT_KINDS)} "
                f"(e.g. inject_error.limit(rpm=60)), or 'documented' for the limits the "
                f"provider documents."
            )

    def as_dict(self) -> dict[str, float]:
        """Return the limits that are set, then `latency` and `window` (JSON-ready)."""
        data: dict[str, float] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None:
                data[f.name] = value
        return data

    def describe(self) -> str:
        """Return the limits set, like ``rpm=60 concurrency=5 (window 60s, latency 0.5s)``."""
        set_ = " ".join(f"{k}={getattr(self, k)}" for k in LIMIT_KINDS if getattr(self, k))
        return f"{set_} (window {self.window:g}s, latency {self.latency:g}s)"


def check_marker_limits(value: Any) -> None:
    """Check the marker's ``limits=``: ``"documented"`` or a dict of `LIMIT_OPTIONS`.

    Raises ``TypeError`` (the marker's collection error) naming what was wrong.
    """
    if isinstance(value, str):
        if value != DOCUMENTED:
            raise TypeError(
                f"limits must be a dict like {{'rpm': 60}} or 'documented', not {value!r}"
            )
        return
    if not isinstance(value, Mapping):
        raise TypeError(f"limits must be a dict like {{'rpm': 60}} or 'documented', not {value!r}")
    unknown = sorted(str(k) for k in value if k not in LIMIT_OPTIONS)
    if unknown:
        raise TypeError(
            f"limits has unknown key(s) {', '.join(map(repr, unknown))}; valid keys: "
            f"{', '.join(LIMIT_OPTIONS)}"
        )
    try:
        Limits(**value)
    except ValueError as error:
        raise TypeError(f"limits: {str(error).rstrip('.')}") from None


def limits_from(
    preset: str | None,
    options: Mapping[str, Any],
    *,
    provider: str,
    documented: Mapping[str, float],
    documenting: Sequence[str],
) -> Limits:
    """Return the `Limits` a test asked for: `options`, over the documented ones if `preset`.

    `documented` is what `provider`'s reference documents; `documenting` names the
    profiles that document some, for the error when `provider` documents none.
    """
    __tracebackhide__ = True
    unknown = sorted(set(options) - set(LIMIT_OPTIONS))
    if unknown:
        raise TypeError(
            f"limit() got unknown argument(s) {', '.join(map(repr, unknown))}; valid: "
            f"{', '.join(LIMIT_OPTIONS)}."
        )
    if preset is None:
        return Limits(**options)
    if preset != DOCUMENTED:
        raise ValueError(
            f"limit() takes 'documented' or keyword limits (rpm=60, ...), not {preset!r}."
        )
    if not documented:
        raise ValueError(
            f"Provider {provider!r} documents no limits, so limits='documented' has nothing "
            f"to use. Profiles that document theirs: {', '.join(documenting) or 'none'}. "
            f"Give the limits instead, e.g. inject_error.limit(rpm=60, concurrency=5)."
        )
    return Limits(**{**documented, **options})
