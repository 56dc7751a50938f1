"""Provider profiles and the scenario catalog.

`._profile` holds `Provider` (endpoints, error shapes, request ids, the catalog) and
`._build` puts a built-in one together from its module's data. The API shapes
(`._openai_shape`, `._anthropic_shape`, `._gemini_shape`, on `._shape_base`) render error
bodies and success answers on the wire; `._structured` fills the replies a request's JSON
schema or forced tool asks for; `._ids` draws ids as each provider spells them; `._rows`
holds the rows several profiles share. Each other module is one provider: its documented
rows and its `profile()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .._faults import Fault
from . import (
    anthropic,
    derouter,
    fluent,
    fluxrouter,
    gemini,
    openai,
    openrouter,
    requesty,
    torouter,
)
from ._build import alias_of
from ._ids import hex_request_id
from ._profile import Endpoint, Provider, Route, format_retry_after
from ._rows import COMMON_NAMES, FRONT_DOOR_NAMES, transport_faults
from ._shape_base import ApiShape, stream_answer
from ._structured import DEFAULT_REPLY, Reply

#: Built-in profiles, by name, each built on first use.
_BUILTIN: dict[str, Callable[[], Provider]] = {
    "anthropic": anthropic.profile,
    "derouter": derouter.profile,
    "fluent": fluent.profile,
    "fluxrouter": fluxrouter.profile,
    "gemini": gemini.profile,
    "openai": openai.profile,
    "openrouter": openrouter.profile,
    "requesty": requesty.profile,
    "torouter": torouter.profile,
}


class Registry:
    """The provider profiles one test run knows: built-ins plus those from hooks."""

    def __init__(self, extra: Iterable[Provider] = ()) -> None:
        self._profiles: dict[str, Provider] = {}
        self._extra = {p.name: p for p in extra}

    def names(self) -> list[str]:
        """Return every known provider name, sorted."""
        return sorted({*_BUILTIN, *self._extra})

    def get(self, name: str) -> Provider:
        """Return the profile `name`, or raise ``ValueError`` naming the valid ones."""
        if name in self._extra:
            return self._extra[name]
        if name not in _BUILTIN:
            raise ValueError(
                f"Unknown provider {name!r}. Valid providers: {', '.join(self.names())}."
            )
        if name not in self._profiles:
            self._profiles[name] = _BUILTIN[name]()
        return self._profiles[name]

    def by_host(self, host: str) -> Provider | None:
        """Return the profile whose public API lives on `host`, if any."""
        for name in self.names():
            profile = self.get(name)
            if host in profile.hosts:
                return profile
        return None


DEFAULT_REGISTRY = Registry()


def openai_compatible_provider(
    name: str,
    *,
    request_id_header: str = "x-request-id",
    request_id_prefix: str = "req_",
    hosts: Iterable[str] = (),
    prefix: str = "",
    scenarios: Iterable[Fault] = (),
) -> Provider:
    """Build the profile of an OpenAI-compatible gateway in one line.

    It serves OpenAI's endpoints (under `prefix`) with OpenAI's error shape and catalog,
    sends its request ids in `request_id_header`, and adds or replaces `scenarios`.
    """
    if not name or not name.replace("_", "").replace("-", "").isalnum():
        raise ValueError(f"A provider name is letters, digits, '-' and '_', not {name!r}.")
    base = openai.profile()
    profile = Provider(
        name=name,
        endpoints=(Endpoint(base.endpoints[0].shape, prefix),),
        request_id_header=request_id_header,
        new_request_id=hex_request_id(request_id_prefix, 32),
        statuses=dict(base.statuses),
        hosts=tuple(hosts),
        description=f"OpenAI-compatible gateway {name}",
        limit_messages=dict(base.limit_messages),
    )
    profile.add(base.scenarios.values())
    profile.add(scenarios)
    return profile


def catalog(provider: str) -> list[Fault]:
    """Return the scenarios of `provider`, sorted by name."""
    profile = DEFAULT_REGISTRY.get(provider)
    return [profile.scenarios[name] for name in sorted(profile.scenarios)]


__all__ = [
    "COMMON_NAMES",
    "DEFAULT_REGISTRY",
    "DEFAULT_REPLY",
    "FRONT_DOOR_NAMES",
    "ApiShape",
    "Endpoint",
    "Provider",
    "Registry",
    "Reply",
    "Route",
    "alias_of",
    "catalog",
    "format_retry_after",
    "hex_request_id",
    "openai_compatible_provider",
    "stream_answer",
    "transport_faults",
]
