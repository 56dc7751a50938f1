"""pytest-llmerrors: prove that code built on LLM APIs survives the provider's errors.

Importing this package starts no pytest machinery and loads nothing heavy: the plugin lives
in `pytest_llmerrors.plugin` (registered through the ``pytest11`` entry point), and each
public name below is imported the first time it is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from ._faults import Attempt, Fault
    from ._injector import ErrorInjector
    from ._limits import Limits, Load
    from ._policy import Policy
    from ._providers import Provider, catalog, openai_compatible_provider
    from ._session import injecting

__all__ = [
    "Attempt",
    "ErrorInjector",
    "Fault",
    "Limits",
    "Load",
    "Policy",
    "Provider",
    "__version__",
    "catalog",
    "injecting",
    "openai_compatible_provider",
]

#: Where each public name lives, imported on first use (PEP 562).
_HOMES = {
    "Attempt": "._faults",
    "ErrorInjector": "._injector",
    "Fault": "._faults",
    "Limits": "._limits",
    "Load": "._limits",
    "Policy": "._policy",
    "Provider": "._providers",
    "catalog": "._providers",
    "injecting": "._session",
    "openai_compatible_provider": "._providers",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
