"""Fake time against real time: six attempts with 63 s of exponential backoff.

A plain httpx client meets six 503s and backs off 1, 2, 4, 8, 16 and 32 s (63 s in all)
before its seventh attempt succeeds. Under the plugin the sleeps are instant and recorded;
the script prints the wall time, the fake seconds the code waited, and their ratio. Asserts nothing.

    python benchmarks/bench_fake_time.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

SUITE = """
import time, httpx, pytest

CLIENT = httpx.Client()  # one client: building one costs an SSL context (~20 ms) each time

def call():
    for attempt in range(7):
        response = CLIENT.post("https://api.openai.com/v1/chat/completions", json={"model": "m"})
        if response.status_code == 200:
            return response
        time.sleep(2 ** attempt)
    raise RuntimeError("gave up")

@pytest.mark.llm_errors
def test_backoff(inject_error):
    inject_error(503, times=6)
    start = __import__("freezegun").api.real_monotonic()
    call()
    wall = __import__("freezegun").api.real_monotonic() - start
    fake = sum(inject_error.sleeps)
    print(f"RESULT attempts={len(inject_error.attempts)} fake={fake} wall={wall}")
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "test_fake_time_bench.py"
        path.write_text(SUITE)
        (Path(tmp) / "pytest.ini").write_text("[pytest]\n")
        done = subprocess.run(
            [sys.executable, "-m", "pytest", str(path), "-q", "-s", "-p", "no:randomly"],
            capture_output=True,
            text=True,
            cwd=tmp,
            check=False,
        )
    match = re.search(r"RESULT attempts=(\d+) fake=([\d.]+) wall=([\d.e-]+)", done.stdout)
    if done.returncode != 0 or not match:
        raise SystemExit(done.stdout[-3000:] + done.stderr[-2000:])
    attempts, fake, wall = int(match.group(1)), float(match.group(2)), float(match.group(3))
    print(f"attempts:          {attempts} (six 503s, then success)")
    print(f"fake seconds:      {fake:.0f} s of exponential backoff (1+2+4+8+16+32)")
    print(f"wall time:         {wall * 1000:.2f} ms for the whole call")
    print(f"fake/wall ratio:   {fake / wall:,.0f}x")


if __name__ == "__main__":
    main()
