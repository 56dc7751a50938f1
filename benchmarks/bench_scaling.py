"""How the plugin scales: suite wall time against the number of tests, serial and with -n 2.

Each test drives the real openai SDK through two 429s with Retry-After and a success.
Prints pytest's session time for N = 100, 400, 1600 tests, the time per test, and the
speed-up of ``-n 2`` (pytest-xdist) at the largest N, all measured in this one run.
Asserts nothing.

    python benchmarks/bench_scaling.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

SUITE = """
import openai, pytest
CLIENT = openai.OpenAI(api_key="sk-bench", max_retries=2)

@pytest.mark.parametrize("n", range({n}))
@pytest.mark.llm_errors
def test_case(n, inject_error):
    inject_error(429, retry_after=2, times=2)
    reply = CLIENT.chat.completions.create(model="m", messages=[])
    assert reply.choices[0].message.content == "pong"
"""


def session_time(n: int, workdir: Path, *extra: str) -> float:
    """Run the suite with `n` tests and return pytest's reported session time."""
    path = workdir / "test_scaling.py"
    path.write_text(SUITE.format(n=n))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(path), "-q", "-p", "no:randomly", *extra],
        capture_output=True,
        text=True,
        cwd=workdir,
        check=False,
    )
    match = re.search(r"(\d+) passed in ([\d.]+)s", done.stdout)
    if done.returncode != 0 or not match or int(match.group(1)) != n:
        raise SystemExit(done.stdout[-3000:] + done.stderr[-2000:])
    return float(match.group(2))


def main() -> None:
    sizes = [100, 400, 1600]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        (workdir / "pytest.ini").write_text("[pytest]\n")
        serial = {n: session_time(n, workdir) for n in sizes}
        try:
            import xdist  # noqa: F401
        except ImportError:
            parallel = None
        else:
            parallel = session_time(sizes[-1], workdir, "-n", "2")
    for n in sizes:
        print(f"{n:4d} tests, serial: {serial[n]:6.2f} s  ({serial[n] / n * 1000:5.1f} ms/test)")
    growth = (serial[sizes[-1]] - serial[sizes[0]]) / (sizes[-1] - sizes[0]) * 1000
    print(f"marginal cost per extra test: {growth:.1f} ms")
    if parallel is not None:
        print(
            f"{sizes[-1]:4d} tests, -n 2:   {parallel:6.2f} s  "
            f"(speed-up {serial[sizes[-1]] / parallel:.2f}x)"
        )
    else:
        print("pytest-xdist is not installed: no -n 2 run")


if __name__ == "__main__":
    main()
