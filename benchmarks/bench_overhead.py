"""Per-test overhead of the plugin against bare respx, with the big SDKs imported.

The same suite runs twice, in two pytest processes started one after the other: N tests,
each doing two 429s with Retry-After and then a success through the real openai SDK.

* plugin: ``@pytest.mark.llm_errors`` + ``inject_error(429, retry_after=2, times=2)``, on
  fake time (the sleeps are instant and recorded);
* bare:   respx by hand on the SDK's httpx generation, with ``time.sleep`` monkeypatched
  away: the cheapest thing a user could write, which records and judges nothing.

Both import openai, anthropic and google-genai first (about 4,000 modules), which is what
makes freezegun's per-test module scan expensive. Prints both wall times (pytest's own
session time, so interpreter start-up is left out; the best of three alternating rounds)
and the per-test overhead. Asserts nothing: run it, read it.

    python benchmarks/bench_overhead.py [N]
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

IMPORTS = """
import importlib
for name in ("openai", "anthropic", "google.genai"):
    try:
        importlib.import_module(name)
    except ImportError:
        pass
import openai, pytest, respx, httpx
CLIENT = openai.OpenAI(api_key="sk-bench", max_retries=2)
"""

PLUGIN = (
    IMPORTS
    + """
@pytest.mark.parametrize("n", range({n}))
@pytest.mark.llm_errors
def test_case(n, inject_error):
    inject_error(429, retry_after=2, times=2)
    reply = CLIENT.chat.completions.create(model="m", messages=[])
    assert reply.choices[0].message.content == "pong"
"""
)

BARE = (
    IMPORTS
    + """
import time
try:
    import pytest_httpx2  # registers respx's mocker for httpcore2
    USING = "httpcore2" if openai._base_client.httpx2 else "httpcore"
except (ImportError, AttributeError):
    USING = "httpcore"

ERROR = httpx.Response(429, headers={{"retry-after": "2", "x-request-id": "req_1"}},
                       json={{"error": {{"message": "slow down", "type": "requests"}}}})
OK = httpx.Response(200, json={{"id": "c", "object": "chat.completion", "created": 0, "model": "m",
    "choices": [{{"index": 0, "finish_reason": "stop",
                 "message": {{"role": "assistant", "content": "pong"}}}}]}})

@pytest.mark.parametrize("n", range({n}))
def test_case(n, monkeypatch):
    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    with respx.mock(using=USING, assert_all_called=False) as router:
        router.route().mock(side_effect=[ERROR, ERROR, OK])
        reply = CLIENT.chat.completions.create(model="m", messages=[])
    assert reply.choices[0].message.content == "pong"
"""
)


ROUNDS = 3


def run(source: str, n: int, workdir: Path, name: str) -> float:
    """Run one suite and return pytest's reported session time in seconds."""
    path = workdir / f"test_{name}.py"
    path.write_text(textwrap.dedent(source.format(n=n)))
    args = [
        sys.executable,
        "-m",
        "pytest",
        str(path),
        "-q",
        "-p",
        "no:randomly",
        "-p",
        "no:cacheprovider",
        "-W",
        "ignore::DeprecationWarning",
    ]
    if name == "bare":
        args += ["-p", "no:llmerrors"]
    done = subprocess.run(args, capture_output=True, text=True, cwd=workdir, check=False)
    match = re.search(r"(\d+) passed in ([\d.]+)s", done.stdout)
    if done.returncode != 0 or not match or int(match.group(1)) != n:
        raise SystemExit(f"{name} suite failed:\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}")
    return float(match.group(2))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        (workdir / "pytest.ini").write_text("[pytest]\n")
        # Alternate the two suites and keep each one's best time: a busy machine slows a
        # run at random, and the minimum is the run least disturbed.
        bares, plugins = [], []
        for _ in range(ROUNDS):
            bares.append(run(BARE, n, workdir, "bare"))
            plugins.append(run(PLUGIN, n, workdir, "plugin"))
        bare, plugin = min(bares), min(plugins)
    overhead_ms = (plugin - bare) / n * 1000
    print(f"tests per suite:           {n} (two 429s with Retry-After: 2, then success)")
    print(f"rounds:                    {ROUNDS} of each, alternating; best time of each kept")
    print(f"bare respx, sleep patched: {bare:.2f} s  ({bare / n * 1000:.2f} ms/test)")
    print(f"pytest-llmerrors:          {plugin:.2f} s  ({plugin / n * 1000:.2f} ms/test)")
    print(f"overhead per test:         {overhead_ms:+.2f} ms  (plugin/bare = {plugin / bare:.2f}x)")
    print("fake seconds waited per test: 4.0 (recorded and judged by the plugin, skipped by bare)")


if __name__ == "__main__":
    main()
