"""Measure what a test's clock costs to start and stop, against a naive freezegun freezer.

Run: ``python benchmarks/bench_clock_start.py [--rounds N]``. The LLM SDKs are imported first
(about 4,000 modules), as in a real suite; freezegun's start() walks all of them. Prints
milliseconds per start+stop, measured in this one run, and ratios; asserts nothing.

Three ways to run a test's clock are measured:

* per test, as the plugin runs it: the fakes are switched in once (the first marked test)
  and kept; each test pushes its instant on freezegun's stack and arms the scheduler;
* the first test after a test on real time, which switches every name in again;
* a standalone ``FakeClock`` (``injecting()``), which switches in and out each time.
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
import openai  # noqa: F401

from pytest_llmerrors._clock import FakeClock, release


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


def _per_test() -> None:
    clock = FakeClock(keep_installed=True)
    clock.start()
    clock.stop()


def _after_real_time() -> None:
    release()
    _per_test()


def _standalone() -> None:
    clock = FakeClock()
    clock.start()
    clock.stop()


def _report(name: str, ms: list[float]) -> float:
    steady = statistics.median(ms[1:])
    print(
        f"{name:<40} first {ms[0]:8.2f} ms   median {steady:7.3f} ms   "
        f"p90 {sorted(ms[1:])[int(0.9 * (len(ms) - 1))]:7.3f} ms"
    )
    return steady


def main() -> None:
    """Print the cost of each way, then the ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    rounds = parser.parse_args().rounds
    print(
        f"python {sys.version.split()[0]}, freezegun {freezegun.__version__}, "
        f"{len(sys.modules)} modules loaded"
    )
    naive = _report("freezegun start+stop (naive)", _timings(_naive, max(rounds // 5, 5)))
    per_test = _report("test clock start+stop, kept installed", _timings(_per_test, rounds * 5))
    release()
    switched = _report("first test after one on real time", _timings(_after_real_time, rounds))
    release()
    alone = _report("standalone FakeClock (injecting())", _timings(_standalone, rounds))
    print(
        f"\nper test: {per_test * 1000:.1f} us (target 100 us: {per_test / 0.1 * 100:.0f}% of it); "
        f"naive freezegun / per test: {naive / per_test:.0f}x; "
        f"switching every name in and out: {switched:.3f} ms, standalone {alone:.3f} ms"
    )


if __name__ == "__main__":
    main()
