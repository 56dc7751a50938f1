"""pytest-llmerrors: prove that code built on LLM APIs survives the provider's errors.

Importing this package starts no pytest machinery; the plugin lives in
`pytest_llmerrors.plugin` and is registered through the ``pytest11`` entry point.
"""

from __future__ import annotations

from ._faults import Attempt, Fault
from ._injector import ErrorInjector
from ._policy import Policy
from ._providers import Provider, catalog, openai_compatible_provider
from ._standalone import injecting
from ._version import __version__

__all__ = [
    "Attempt",
    "ErrorInjector",
    "Fault",
    "Policy",
    "Provider",
    "__version__",
    "catalog",
    "injecting",
    "openai_compatible_provider",
]
