"""The ``llm_errors`` marker: its signature, checked at collection time."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from ._faults import Fault

MARKER = "llm_errors"
MARKER_DOC = (
    f"{MARKER}(*faults, provider=None, each=None, verify=False, fake_time=True, "
    "block_network=True, seed=None, start=None): answer the test's httpx/httpx2 requests as an LLM "
    "provider would, with `faults` queued first; `provider` names a profile (a list "
    "parametrizes the test); `each` parametrizes over the catalog ('retryable', 'give_up', "
    "'all' or a list of scenario names); `verify` runs inject_error.assert_resilient() after "
    "the test body; `fake_time` freezes time and makes sleeps instant (at `start`, a datetime "
    "or ISO 8601 string; default: now); `block_network` fails requests no profile serves; "
    "`seed` seeds `random` before the test."
)
EACH_GROUPS = ("retryable", "give_up", "all")


@dataclass(frozen=True)
class MarkerArgs:
    """The marker's arguments, checked."""

    faults: tuple[int | str | Fault, ...] = ()
    provider: str | tuple[str, ...] | None = None
    each: str | tuple[str, ...] | None = None
    verify: bool | None = None
    fake_time: bool | None = None
    block_network: bool | None = None
    seed: int | None = None
    start: _dt.datetime | None = None


def _signature(
    *faults: int | str | Fault,
    provider: str | Sequence[str] | None = None,
    each: str | Sequence[str] | None = None,
    verify: bool | None = None,
    fake_time: bool | None = None,
    block_network: bool | None = None,
    seed: int | None = None,
    start: _dt.datetime | str | None = None,
) -> MarkerArgs:
    for fault in faults:
        if isinstance(fault, bool) or not isinstance(fault, (int, str, Fault)):
            raise TypeError(
                f"faults must be HTTP statuses, scenario names or Fault objects, not {fault!r}"
            )
    if provider is not None and not isinstance(provider, str):
        provider = tuple(provider) if isinstance(provider, (list, tuple)) else ()
        if not provider or not all(isinstance(p, str) for p in provider):
            raise TypeError("provider must be a profile name or a non-empty list of names")
    if each is not None and not isinstance(each, str):
        each = tuple(each) if isinstance(each, (list, tuple)) else ()
        if not each or not all(isinstance(e, str) for e in each):
            raise TypeError("each must be 'retryable', 'give_up', 'all' or a list of scenarios")
    if isinstance(each, str) and each not in EACH_GROUPS:
        raise TypeError(
            f"each must be one of {', '.join(map(repr, EACH_GROUPS))} or a list of scenario "
            f"names, not {each!r}"
        )
    for name, flag in (
        ("verify", verify),
        ("fake_time", fake_time),
        ("block_network", block_network),
    ):
        if flag is not None and not isinstance(flag, bool):
            raise TypeError(f"{name} must be True or False, not {flag!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise TypeError(f"seed must be an int, not {seed!r}")
    if isinstance(start, str):
        try:
            start = _dt.datetime.fromisoformat(start.replace("Z", "+00:00"))
        except ValueError:
            raise TypeError(
                f"start must be a datetime or an ISO 8601 string, not {start!r}"
            ) from None
    elif start is not None and not isinstance(start, _dt.datetime):
        raise TypeError(f"start must be a datetime or an ISO 8601 string, not {start!r}")
    return MarkerArgs(tuple(faults), provider, each, verify, fake_time, block_network, seed, start)


def parse(mark: pytest.Mark, where: str) -> MarkerArgs:
    """Check `mark`'s arguments, or raise a collection error that names the marker."""
    __tracebackhide__ = True
    try:
        return _signature(*mark.args, **mark.kwargs)
    except TypeError as error:
        message = str(error).replace("_signature()", f"@pytest.mark.{MARKER}()")
        raise pytest.Collector.CollectError(
            f"{where}: bad arguments to @pytest.mark.{MARKER}: {message}.\n"
            f"Signature: @pytest.mark.{MARKER_DOC.split(':', 1)[0]}"
        ) from None


def closest(item: pytest.Item) -> MarkerArgs | None:
    """Return the arguments of `item`'s closest ``llm_errors`` marker, if it has one."""
    mark = item.get_closest_marker(MARKER)
    return parse(mark, item.nodeid) if mark is not None else None
