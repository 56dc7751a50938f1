"""Shared helpers for the plugin's pytester-driven tests."""

from __future__ import annotations

import importlib
import importlib.util

import pytest

HAS_HTTPX2 = importlib.util.find_spec("httpx2") is not None

# Import the heavy SDKs once here: pytester's in-process runs drop modules first imported
# inside a run, so without this every inner run would import them again (seconds each).
for _name in ("openai", "anthropic", "google.genai", "tenacity", "stamina", "backoff", "httpx2", "httpcore2"):
    try:
        importlib.import_module(_name)
    except ImportError:
        pass


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "httpx2: needs the httpx2 package")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    skip = pytest.mark.skip(reason="httpx2 is not installed in this environment")
    for item in items:
        if "httpx2" in item.keywords and not HAS_HTTPX2:
            item.add_marker(skip)


@pytest.fixture
def pytester(pytester: pytest.Pytester) -> pytest.Pytester:
    """A pytester whose runs see warnings as errors and use asyncio mode 'auto'."""
    pytester.makeini(
        """
        [pytest]
        filterwarnings = error
        asyncio_default_fixture_loop_scope = function
        """
    )
    return pytester
