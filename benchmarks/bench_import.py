"""What loading the plugin costs a run that injects nothing: its import time over pytest's.

Every installed pytest plugin is imported by every run, so ``import pytest_llmerrors.plugin``
must stay light (the goal: at most 10 ms over pytest itself). Each round starts fresh
interpreters, with bytecode compiled and cached by one warm-up import, and times the
imports in-process with ``time.perf_counter()``: ``import pytest`` alone, and ``import
pytest`` then ``import pytest_llmerrors.plugin``. Prints the medians, the plugin's cost in
ms and as a share of pytest's own import, and the ``pytest_llmerrors`` modules the import
loaded (no ``_clock``, ``_interception``, ``_providers`` or ``_verdict`` module should be
among them). Then times a whole ``pytest -q`` run of one unmarked test, with the plugin on
and with ``-p no:llmerrors``, and prints the difference. Asserts nothing.

    python benchmarks/bench_import.py [--rounds N] [--runs M]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TypedDict

#: Run in a fresh interpreter: time each import, report the package's modules it loaded.
CHILD = """
import json, sys, time
began = time.perf_counter()
import pytest
pytest_ms = (time.perf_counter() - began) * 1e3
plugin_ms = None
if {plugin}:
    began = time.perf_counter()
    import pytest_llmerrors.plugin
    plugin_ms = (time.perf_counter() - began) * 1e3
loaded = sorted(m for m in sys.modules if m.startswith("pytest_llmerrors"))
print(json.dumps({{"pytest": pytest_ms, "plugin": plugin_ms, "loaded": loaded}}))
"""


class Imported(TypedDict):
    """What one child measured: milliseconds per import, and the package's modules loaded."""

    pytest: float
    plugin: float | None
    loaded: list[str]


#: The packages a run without marked tests must not pay for.
MACHINERY = ("_clock", "_interception", "_providers", "_verdict", "_session", "_injector")


def _env() -> dict[str, str]:
    """The environment of the children: bytecode is written and read, as in a user's run."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _child(plugin: bool, cwd: Path) -> Imported:
    done = subprocess.run(
        [sys.executable, "-c", CHILD.format(plugin=plugin)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=_env(),
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(done.stdout[-3000:] + done.stderr[-3000:])
    result: Imported = json.loads(done.stdout.splitlines()[-1])
    return result


def _pytest_run(workdir: Path, *extra: str) -> float:
    """Run ``pytest -q`` in `workdir` and return its wall time in ms, interpreter included."""
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra]
    began = time.perf_counter()
    done = subprocess.run(
        args, capture_output=True, text=True, cwd=workdir, env=_env(), check=False
    )
    wall = (time.perf_counter() - began) * 1e3
    if done.returncode != 0 or "1 passed" not in done.stdout:
        raise SystemExit(done.stdout[-3000:] + done.stderr[-2000:])
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20, help="import rounds (default 20)")
    parser.add_argument("--runs", type=int, default=7, help="whole pytest runs (default 7)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        loaded = _child(True, workdir)["loaded"]  # the warm-up: compiles, caches the bytecode
        alone: list[float] = []
        with_pytest: list[float] = []
        plugin: list[float] = []
        for _ in range(options.rounds):  # alternate, so a busy spell hits both alike
            alone.append(_child(False, workdir)["pytest"])
            both = _child(True, workdir)
            with_pytest.append(both["pytest"])
            plugin.append(both["plugin"] or 0.0)

        (workdir / "pytest.ini").write_text("[pytest]\n")
        (workdir / "test_plain.py").write_text("def test_plain():\n    assert True\n")
        on: list[float] = []
        off: list[float] = []
        for run in range(options.runs):  # alternate which goes first, too
            for plugin_on in (run % 2 == 0, run % 2 == 1):
                if plugin_on:
                    on.append(_pytest_run(workdir))
                else:
                    off.append(_pytest_run(workdir, "-p", "no:llmerrors"))

    pytest_ms, plugin_ms = statistics.median(alone), statistics.median(plugin)
    print(f"python {sys.version.split()[0]}, {options.rounds} rounds, medians, bytecode cached")
    print(f"import pytest:                   {pytest_ms:7.2f} ms")
    print(
        f"import pytest, then the plugin:  {statistics.median(with_pytest):7.2f} ms "
        f"+ {plugin_ms:.2f} ms"
    )
    print(
        f"plugin over pytest:              {plugin_ms:7.2f} ms "
        f"({plugin_ms / pytest_ms * 100:.0f}% of pytest's own import; goal: at most 10 ms)"
    )
    print("pytest_llmerrors modules loaded: " + ", ".join(loaded))
    heavy = [m for m in loaded if any(f".{part}" in m for part in MACHINERY)]
    print(
        "machinery loaded:                "
        + (", ".join(heavy) if heavy else "none (no _clock, _interception, _providers, _verdict)")
    )
    print(
        f"\npytest -q, one unmarked test, every installed plugin loaded: wall time, "
        f"interpreter start included, median of {options.runs} runs each (alternating):"
    )
    off_ms, on_ms = statistics.median(off), statistics.median(on)
    print(
        f"  -p no:llmerrors:               {off_ms:7.1f} ms  (runs {min(off):.0f}-{max(off):.0f})"
    )
    print(f"  plugin on:                     {on_ms:7.1f} ms  (runs {min(on):.0f}-{max(on):.0f})")
    print(
        f"  difference:                    {on_ms - off_ms:+7.1f} ms  ({on_ms / off_ms:.3f}x; "
        "noise when smaller than the runs' spread)"
    )


if __name__ == "__main__":
    main()
