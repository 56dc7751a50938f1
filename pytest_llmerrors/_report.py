"""Reports: what each test injected, what its code did, and the verdict.

Per-test data rides on the call phase's `TestReport` as the JSON-ready attribute
``llm_errors``: pytest-xdist serializes a report's attributes, so the controller's terminal
summary and JSON file see every worker's tests.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ._assertions import resilience_problems
from ._injector import ErrorInjector

#: The attribute of a `TestReport` that carries a test's data.
ATTRIBUTE = "llm_errors"
REPORT_VERSION = 1


def verdict_of(injector: ErrorInjector) -> tuple[str, list[str]]:
    """Judge `injector`'s timeline without failing: the verdict and the broken rules."""
    if not injector.attempts:
        return "nothing reached the injector", []
    problems = resilience_problems(injector.view())
    return ("not resilient" if problems else "resilient"), problems


def record_of(nodeid: str, injector: ErrorInjector, verified: bool) -> dict[str, Any]:
    """Return the JSON-ready record of one test."""
    verdict, problems = verdict_of(injector)
    entries = injector.queue.entries()
    return {
        "nodeid": nodeid,
        "provider": injector.provider.name,
        "faults": [entry.label for entry in entries],
        "unconsumed": [entry.label for entry in injector.pending()],
        "attempts": [attempt.to_dict() for attempt in injector.attempts],
        "delays": [float(d) for d in injector.delays],
        "sleeps": [float(s) for s in injector.sleeps],
        "fake_wait": round(sum(s for s in injector.sleeps if s > 0), 6),
        "verdict": verdict,
        "problems": problems,
        "verified": verified,
    }


def summary_lines(records: Iterable[Mapping[str, Any]]) -> tuple[list[str], list[str]]:
    """Return the summary's lines (one per test that injected faults) and its warnings."""
    lines: list[str] = []
    warnings: list[str] = []
    for record in sorted(records, key=lambda r: str(r["nodeid"])):
        if record["unconsumed"]:
            warnings.append(
                f"{record['nodeid']}: queued {', '.join(record['unconsumed'])} but no request "
                f"took it: the client never reached the injector, so the test proved nothing."
            )
        if not record["faults"]:
            continue
        waits = f"{round(record['fake_wait'], 2):g}s"
        lines.append(
            f"{record['nodeid']}: {', '.join(record['faults'])}; "
            f"{len(record['attempts'])} attempt(s), {waits} fake wait; {record['verdict']}"
        )
    return lines, warnings


def write_json(
    path: Path, records: Iterable[Mapping[str, Any]], *, provider: str, seed: int | None
) -> None:
    """Write every test's timeline and verdict to `path` as JSON."""
    data = {
        "version": REPORT_VERSION,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(),
        "provider": provider,
        "seed": seed,
        "tests": sorted(records, key=lambda r: str(r["nodeid"])),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
