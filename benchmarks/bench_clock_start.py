"""Measure what starting and stopping the fake clock costs, against a naive freezegun freezer.

Run: ``python benchmarks/bench_clock_start.py [--rounds N]``. The LLM SDKs are imported first
(about 4,000 modules), as in a real suite; freezegun's start() walks all of them. Prints
milliseconds per start+stop and ratios; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

import anthropic  # noqa: F401
import freezegun
import google.genai  # noqa: F401
import openai

from pytest_llmerrors._clock import FakeClock


def _timings(cycle: Callable[[], None], rounds: int) -> list[float]:
    """Return the milliseconds each of `rounds` runs of `cycle` took, first run first."""
    clock = time.perf_counter  # a local: the freezers patch module globals, never locals
    out = []
    for _ in range(rounds):
        began = clock()
        cycle()
        out.append((clock() - began) * 1e3)
    return out


def _naive() -> None:
    freezer = freezegun.freeze_time()
    freezer.start()
    freezer.stop()


def _ours() -> None:
    clock = FakeClock()
    clock.start()
    clock.stop()


def _report(name: str, ms: list[float]) -> float:
    steady = statistics.median(ms[1:])
    print(
        f"{name:<34} first {ms[0]:8.2f} ms   median {steady:7.3f} ms   "
        f"p90 {sorted(ms[1:])[int(0.9 * (len(ms) - 1))]:7.3f} ms"
    )
    return steady


def main() -> None:
    """Print the cost of both, then how much faster ours is."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=40)
    rounds = parser.parse_args().rounds
    print(
        f"python {sys.version.split()[0]}, freezegun {freezegun.__version__}, "
        f"{len(sys.modules)} modules loaded"
    )
    naive = _report("freezegun start+stop (naive)", _timings(_naive, rounds))
    ours = _report("FakeClock start+stop", _timings(_ours, rounds * 5))

    # A test that imports a module, or makes a lazy attribute appear, costs a partial rescan.
    def grow_then_cycle() -> None:
        openai.__dict__["_bench_marker"] = object()
        _ours()
        del openai.__dict__["_bench_marker"]

    grown = _report("FakeClock, one module changed", _timings(grow_then_cycle, rounds))
    print(
        f"\nnaive / ours: {naive / ours:.1f}x faster (steady state); "
        f"{naive / grown:.1f}x with one changed module"
    )
    print(f"target 2 ms per test: ours uses {ours / 2 * 100:.0f}% of it")


if __name__ == "__main__":
    main()
