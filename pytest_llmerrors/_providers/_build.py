"""How a built-in profile is put together from its data, and how its aliases are found again.

A provider module holds what its reference documents (rows, plain statuses, which row each
common name stands for) and hands it to `build_profile`, which adds the rows every profile
shares. An alias is a copy of its target under another name, added after every row:
`alias_of` relies on that order to tell an alias from the row it copies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .._faults import Fault
from ._ids import NewId
from ._profile import Endpoint, Provider
from ._rows import USUAL_STATUS, front_door_faults, transport_faults


def build_profile(
    name: str,
    *,
    description: str,
    endpoints: tuple[Endpoint, ...],
    new_request_id: NewId,
    rows: Iterable[Fault],
    request_id_header: str = "x-request-id",
    hosts: tuple[str, ...] = (),
    statuses: Mapping[int, str] | None = None,
    front_door: str = "cloudflare",
    stream_error: Mapping[str, Any] | None = None,
    aliases: Mapping[str, str] | None = None,
    unserved: str | None = None,
    undocumented: Mapping[str, str] | None = None,
    shaped: Mapping[tuple[str, str], Mapping[str, Any]] | None = None,
    documented_limits: Mapping[str, int] | None = None,
    limit_scenarios: Mapping[str, str] | None = None,
    limit_messages: Mapping[str, str] | None = None,
) -> Provider:
    """Return the profile `name`: its documented `rows`, the shared rows, then `aliases`.

    `aliases` maps each common name the rows lack to the row that answers for it. A plain
    status answers with the common name usual for it (`USUAL_STATUS`) when the profile's
    scenario of that name has that status, under the name of the documented row behind it;
    `statuses` names the scenario of any other status (OpenAI's 409, Requesty's 424...).
    `request_id_header` defaults to the header OpenAI-compatible APIs use; `front_door`
    names the server whose error pages the proxy rows show (``cloudflare``, ``nginx``,
    ``google``); `stream_error` replaces fields of the shared ``stream_error`` row where
    the provider's mid-stream error reads otherwise. `unserved` names the row answered on
    a path under the router's API it does not serve; `undocumented` gives, for each common
    name the reference has no row for, why (the error a test asking for it gets); `shaped`
    holds the fields of a row that read otherwise in one shape, by (row, shape name).
    `documented_limits` are the limits the reference documents (``limits="documented"``);
    `limit_scenarios` names the row answering a request over each limit, where it is not
    the common ``rate_limit`` / ``spend_ceiling``; `limit_messages` words the answer over
    each limit with the live figures.
    """
    provider = Provider(
        name=name,
        endpoints=endpoints,
        request_id_header=request_id_header,
        new_request_id=new_request_id,
        hosts=hosts,
        description=description,
        unserved=unserved,
        undocumented=dict(undocumented or {}),
        shaped={key: dict(fields) for key, fields in (shaped or {}).items()},
        documented_limits=dict(documented_limits or {}),
        limit_scenarios=dict(limit_scenarios or {}),
        limit_messages=dict(limit_messages or {}),
    )
    documented = list(rows)
    provider.add(documented)
    provider.add(front_door_faults(front_door))
    provider.add(
        fault.replace(**stream_error) if stream_error and fault.name == "stream_error" else fault
        for fault in transport_faults(name)
    )
    aliases = aliases or {}
    for alias, target in aliases.items():
        provider.add([provider.scenarios[target].replace(name=alias)])
    provider.statuses = dict(
        sorted({**_usual_statuses(provider, documented, aliases), **(statuses or {})}.items())
    )
    return provider


def _usual_statuses(
    provider: Provider, documented: list[Fault], aliases: Mapping[str, str]
) -> dict[int, str]:
    """Return, by status, the scenario of each common name `provider` has at its usual status.

    An alias of a documented row is named by that row (DeRouter's 429 is ``rpm_limit``);
    an alias of a shared row keeps the common name (Gemini's 502 is ``bad_gateway``).
    """
    names = {row.name for row in documented}
    usual: dict[int, str] = {}
    for common, status in USUAL_STATUS.items():
        fault = provider.scenarios.get(common)
        if fault is not None and fault.status == status:
            target = aliases.get(common, common)
            usual[status] = target if target in names else common
    return usual


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
