"""Measure what switching the interception on and off costs per test.

Run: ``python benchmarks/bench_interception.py [--rounds N]``. The LLM SDKs are imported
first, as in a real suite, and aiohttp, requests and responses when installed (their
adapters are then switched too). The plugin installs its adapters (respx routers, the
aiohttp connector, the requests mock) once per session and switches them per test; a
router started and stopped per test (what respx users, and the plugin before, pay) patches
and unpatches every connection pool. Prints microseconds per test
start+stop, measured in this one run, and the ratio; asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import time
from collections.abc import Callable

import anthropic  # noqa: F401
import google.genai  # noqa: F401
import openai  # noqa: F401
import respx

from pytest_llmerrors._interception import Guard, Interceptor, _interceptor, guard, uninstall

for _name in ("aiohttp", "requests", "responses"):
    try:
        importlib.import_module(_name)
    except ImportError:
        pass


def _timings(cycle: Callable[[], None], rounds: int) -> list[float]:
    """Return the microseconds each of `rounds` runs of `cycle` took."""
    clock = time.perf_counter
    out = []
    for _ in range(rounds):
        began = clock()
        cycle()
        out.append((clock() - began) * 1e6)
    return out


def _per_test() -> None:
    interceptor = Interceptor(None, block_network=True, clock=None, keep_installed=True)  # type: ignore[arg-type]
    interceptor.start()
    guard.activate(Guard(("localhost", "127.0.0.1", "::1"), lambda message: None))
    guard.uninstall()  # as a test's session ends: the next one installs the guard again
    interceptor.stop()


def _respx_per_test() -> None:
    router = respx.MockRouter(assert_all_called=False)
    router.start()
    router.stop()


def main() -> None:
    """Print both costs and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2000)
    rounds = parser.parse_args().rounds
    began = time.perf_counter()
    _per_test()  # the first test installs the adapters: the one-time cost
    once = (time.perf_counter() - began) * 1e3
    adapters = [m.__name__.rsplit(".", 1)[-1] for m in _interceptor._installed]
    ours = statistics.median(_timings(_per_test, rounds))
    uninstall()
    theirs = statistics.median(_timings(_respx_per_test, max(rounds // 10, 20)))
    print(f"adapters: {', '.join(adapters)}; installed once in {once:.1f} ms")
    print(f"interception + guard switched per test: {ours:8.1f} us median (target 100 us)")
    print(f"a respx router started and stopped:     {theirs:8.1f} us median")
    print(f"respx per test / ours: {theirs / ours:.0f}x")


if __name__ == "__main__":
    main()
