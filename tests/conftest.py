"""Shared helpers for the plugin's pytester-driven tests."""

from __future__ import annotations

import http.server
import importlib
import importlib.util
import os
import threading
from collections.abc import Iterator

import pytest

HAS_HTTPX2 = importlib.util.find_spec("httpx2") is not None

# Import the heavy SDKs once here: pytester's in-process runs drop modules first imported
# inside a run, so without this every inner run would import them again (seconds each).
# hypothesis too: its pytest plugin imports it in every run's terminal summary (2-3 s each).
_HEAVY = (
    "openai",
    "anthropic",
    "google.genai",
    "tenacity",
    "stamina",
    "backoff",
    "httpx2",
    "httpcore2",
    "hypothesis",
    "pydantic_ai",
    "langchain_openai",
    "langchain_anthropic",
    "aiohttp",
    "requests",
    "responses",
    "litellm",
    "pytest_llmerrors._session",  # the plugin loads its machinery at the first marked test
)
# litellm fetches its model price list from GitHub at import unless told to use its own copy.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
for _name in _HEAVY:
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
        filterwarnings =
            error
            ignore:Inheritance class .* from ClientSession is discouraged:DeprecationWarning
        asyncio_default_fixture_loop_scope = function
        """
    )
    return pytester


@pytest.fixture
def loopback() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 that answers every GET with 'real'."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-length", "4")
            self.end_headers()
            self.wfile.write(b"real")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
