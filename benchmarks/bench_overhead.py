"""Per-test overhead of the plugin against bare respx, with the big SDKs imported.

The same suite runs twice, in two pytest processes started one after the other: N tests,
each doing two 429s with Retry-After and then a success through the real openai SDK.

* plugin: ``@pytest.mark.llm_errors`` + ``inject_error(429, retry_after=2, times=2)``, on
  fake time (the sleeps are instant and recorded);
* bare:   respx by hand on the SDK's httpx generation, with ``time.sleep`` monkeypatched
  away: the cheapest thing a user could write, which records and judges nothing.

Both import openai, anthropic and google-genai first (about 4,000 modules), which is what
makes a naive fake clock's per-test module scan expensive. Each suite runs at two sizes,
and the cost per test is the slope between them (what one more test costs, without
start-up, collection of the imports, or the first test's one-time set-up); wall times are
pytest's own session time, the best of five alternating rounds. Prints both slopes and
their ratio, the ratio of the two slopes within each round (its four suites ran within
seconds of each other), and beside them the median in-process time of one test (setup, call and
teardown) of each suite, which a busy machine disturbs far less than session times, and
the ratio of the median and of the lower-quartile test within each pair of suites run back
to back (bare first in one round, the plugin first in the next). Both suites run once,
untimed, before the rounds, with bytecode caching on (see `ENV`). The goal: a marked test
costs at most what the same test costs on bare respx. Asserts nothing: run it, read it.

    python benchmarks/bench_overhead.py [SMALL LARGE]
"""

from __future__ import annotations

import os
import re
import statistics
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
from respx.mocks import HTTPCoreMocker

# respx ships no mocker for httpcore2 (openai >= 3): the few lines a user would write.
USING = "httpcore"
try:
    import httpcore2
    import httpx2
except ImportError:
    httpx2 = None
if httpx2 is not None and isinstance(CLIENT._client, httpx2.Client):

    class Httpcore2Mocker(HTTPCoreMocker):
        name = "bench_httpcore2"
        targets = [t.replace("httpcore.", "httpcore2.", 1) for t in HTTPCoreMocker.targets]

        @classmethod
        def from_sync_httpx_response(cls, httpx_response, target, **kwargs):
            return httpcore2.Response(
                status=httpx_response.status_code,
                headers=httpx_response.headers.raw,
                content=httpx_response.stream,
                extensions=httpx_response.extensions,
            )

    USING = "bench_httpcore2"

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


ROUNDS = 5

#: The suites run as in a user's checkout, where Python and pytest keep their bytecode caches:
#: with PYTHONDONTWRITEBYTECODE set, pytest parses and rewrites the plugin's modules anew at
#: every run's first marked test, and the tens of thousands of syntax-tree objects that
#: leaves to the garbage collector bring a full collection (about 150 ms with the SDKs
#: loaded) into the tests of the larger suite: a one-time cost that the slope would count
#: as a per-test one. A warm-up run of each suite fills the caches before anything is timed
#: (in the installed packages' ``__pycache__``, as any pytest run there would).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

#: Loaded by both suites: each test's own time (setup, call and teardown), in-process, so a
#: busy machine's spikes (interpreter start, imports, a neighbour's load) fall outside the
#: median and the lower quartile that this prints beside pytest's summary. The real
#: perf_counter is kept in a list: the fake clock switches module globals bound to it.
TIMER = """
import statistics, time
import pytest

_TIMES = []
_NOW = [time.perf_counter]

@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    began = _NOW[0]()
    try:
        return (yield)
    finally:
        _TIMES.append(_NOW[0]() - began)

def pytest_terminal_summary(terminalreporter):
    quartile = statistics.quantiles(_TIMES, n=4)[0]
    terminalreporter.write_line(
        f"MEDIAN_TEST_MS={statistics.median(_TIMES) * 1000:.4f} "
        f"QUARTILE_TEST_MS={quartile * 1000:.4f}"
    )
"""


#: Median and lower-quartile in-process time of one test, per suite and round (ms).
MEDIANS: dict[str, list[float]] = {"bare": [], "plugin": []}
QUARTILES: dict[str, list[float]] = {"bare": [], "plugin": []}


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
    done = subprocess.run(args, capture_output=True, text=True, cwd=workdir, env=ENV, check=False)
    match = re.search(r"(\d+) passed in ([\d.]+)s", done.stdout)
    if done.returncode != 0 or not match or int(match.group(1)) != n:
        raise SystemExit(f"{name} suite failed:\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}")
    median = re.search(r"MEDIAN_TEST_MS=([\d.]+) QUARTILE_TEST_MS=([\d.]+)", done.stdout)
    if median:
        MEDIANS[name].append(float(median.group(1)))
        QUARTILES[name].append(float(median.group(2)))
    return float(match.group(2))


Times = dict[tuple[str, int], float]


def _slope(times: Times, name: str, small: int, large: int) -> float:
    """Return what one more test costs in `times` (ms): the slope between the two sizes."""
    return (times[name, large] - times[name, small]) / (large - small) * 1000


def main() -> None:
    small, large = (int(a) for a in sys.argv[1:3]) if len(sys.argv) > 2 else (100, 400)
    times: Times = {}  # the best of each suite over all rounds
    rounds: list[Times] = []  # each round's own times
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        (workdir / "pytest.ini").write_text("[pytest]\n")
        (workdir / "conftest.py").write_text(TIMER)
        for source, name in ((BARE, "bare"), (PLUGIN, "plugin")):
            run(source, small, workdir, name)  # warm-up: bytecode caches, not timed
            MEDIANS[name].clear()
            QUARTILES[name].clear()
        # Alternate the suites and keep each one's best time: a busy machine slows a run at
        # random, and the minimum is the run least disturbed.
        # The two suites of a size run back to back, bare first in one round and the plugin
        # first in the next, so a machine that slows down or speeds up favours neither.
        for round_ in range(ROUNDS):
            rounds.append({})
            for n in (small, large):
                pair = [(BARE, "bare"), (PLUGIN, "plugin")]
                for source, name in pair if round_ % 2 == 0 else reversed(pair):
                    took = rounds[-1][name, n] = run(source, n, workdir, name)
                    times[name, n] = min(took, times.get((name, n), took))
    slope = {name: _slope(times, name, small, large) for name in ("bare", "plugin")}
    print(
        f"suite sizes:               {small} and {large} tests (two 429s, Retry-After: 2, success)"
    )
    print(f"rounds:                    {ROUNDS} of each, back to back; best time of each kept")
    for name, label in (("bare", "bare respx, sleep patched"), ("plugin", "pytest-llmerrors")):
        print(
            f"{label + ':':<27}{times[name, small]:.2f} s / {times[name, large]:.2f} s  "
            f"-> {slope[name]:.2f} ms per extra test"
        )
    print(f"per-test cost, plugin/bare: {slope['plugin'] / slope['bare']:.2f}x")
    # Each round's four suites ran within seconds of each other: its two slopes met the same
    # machine, where the best times above may come from different rounds.
    per_round = [
        _slope(times_, "plugin", small, large) / _slope(times_, "bare", small, large)
        for times_ in rounds
    ]
    print(
        "per-test cost within each round, plugin/bare: "
        + " ".join(f"{r:.2f}" for r in per_round)
        + f" -> median {statistics.median(per_round):.2f}x"
    )
    median = {name: statistics.median(values) for name, values in MEDIANS.items()}
    print(
        f"median time of one test, in-process, over {len(MEDIANS['bare'])} suites each: bare "
        f"{median['bare']:.2f} ms, plugin {median['plugin']:.2f} ms -> plugin/bare "
        f"{median['plugin'] / median['bare']:.2f}x"
    )
    # The two suites of a pair ran back to back: a neighbour's load that lasts seconds slows
    # both alike, so the ratio within a pair moves less than either time. The lower quartile
    # of a suite's tests is the machine at its quietest during it.
    for label, values in (("median", MEDIANS), ("lower quartile", QUARTILES)):
        pairs = [p / b for b, p in zip(values["bare"], values["plugin"], strict=True)]
        print(
            f"paired suites, plugin/bare {label} test: "
            + " ".join(f"{r:.2f}" for r in pairs)
            + f" -> median {statistics.median(pairs):.2f}x"
        )
    print("fake seconds waited per test: 4.0 (recorded and judged by the plugin, skipped by bare)")


if __name__ == "__main__":
    main()
