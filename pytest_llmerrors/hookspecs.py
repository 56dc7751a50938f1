"""The hooks pytest-llmerrors calls, for conftest files and plugins to implement."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ._faults import Attempt, Classification, Fault
    from ._providers import Provider


@pytest.hookspec
def pytest_llmerrors_providers(config: pytest.Config) -> list[Provider]:  # type: ignore[empty-body]
    """Return extra provider profiles, such as an in-house gateway.

    Build one in a line with ``pytest_llmerrors.openai_compatible_provider(...)``.
    """


@pytest.hookspec(firstresult=True)
def pytest_llmerrors_policy(
    config: pytest.Config, provider: str, scenario: Fault
) -> Classification | None:
    """Return how `scenario` of `provider` is classified, or ``None`` to keep its own."""


@pytest.hookspec
def pytest_llmerrors_attempt(item: pytest.Item, attempt: Attempt) -> None:
    """Observe every attempt the moment it is recorded."""
