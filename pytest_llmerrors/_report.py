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
from typing import TYPE_CHECKING, Any

from ._verdict import problems

if TYPE_CHECKING:
    from ._session import Session


REPORT_VERSION = 1


#: The verdict of a test whose code broke a rule (listed in the short summary too).
NOT_RESILIENT = "not resilient"


def verdict_of(session: Session) -> tuple[str, list[str]]:
    """Judge `session`'s timeline without failing: the verdict and the broken rules."""
    view = session.view()
    if not view.attempts:
        return "nothing reached the injector", []
    # Leave out what the test's own assert_resilient(skip=...) did, as the ini option does.
    broken = problems(view, session.injector.skipped_rules)
    return (NOT_RESILIENT if broken else "resilient"), broken


def record_of(nodeid: str, session: Session, *, timeline: bool) -> dict[str, Any]:
    """Return the JSON-ready record of one test; with `timeline`, every attempt in full.

    The summary needs only the counts; the attempts, their headers redacted, are built
    for the JSON report alone.
    """
    verdict, broken = verdict_of(session)
    injector = session.injector
    entries = session.queue.entries()
    load = injector.load if injector.limits is not None else None
    attempts = injector.attempts  # each read copies the timeline's list: read once
    sleeps = [float(s) for s in injector.sleeps]
    return {
        "nodeid": nodeid,
        "provider": injector.provider.name,
        "faults": [entry.label for entry in entries],
        "unconsumed": [entry.label for entry in injector.pending()],
        "attempt_count": len(attempts),
        "attempts": [attempt.to_dict() for attempt in attempts] if timeline else [],
        "delays": [float(d) for d in injector.delays],
        "sleeps": sleeps,
        "fake_wait": round(sum(s for s in sleeps if s > 0), 6),
        "verdict": verdict,
        "problems": broken,
        "skipped_rules": sorted(session.settings.policy.skip_rules | injector.skipped_rules),
        "verified": session.options.verify,
        # The run against the provider's limits; None when the test set none.
        "load": load.to_dict() if load is not None else None,
        "load_line": load.describe() if load is not None else None,
    }


def summary_lines(
    records: Iterable[Mapping[str, Any]], *, verbose: bool
) -> tuple[list[str], list[str]]:
    """Return the summary's lines and its warnings.

    The lines are one line of totals, then each test that injected faults and was not
    resilient; with `verbose`, every test that injected faults or set limits, and under a
    test with limits its load line. The warnings name each test whose queued faults no
    request took.
    """
    lines: list[str] = []
    warnings: list[str] = []
    ordered = sorted(records, key=lambda r: str(r["nodeid"]))
    injecting = [r for r in ordered if r["faults"] or r.get("load")]
    if not injecting and not any(r["unconsumed"] for r in ordered):
        return lines, warnings
    broken = [r for r in injecting if r["verdict"] == NOT_RESILIENT]
    attempts = sum(r["attempt_count"] for r in injecting)
    wait = sum(r["fake_wait"] for r in injecting)
    lines.append(
        f"{len(injecting)} test(s) injected faults: {attempts} attempt(s), "
        f"{round(wait, 2):g}s fake wait; {len(broken)} not resilient"
        + ("" if verbose else " (-v lists every test)")
    )
    for record in ordered:
        if record["unconsumed"]:
            warnings.append(
                f"{record['nodeid']}: queued {', '.join(record['unconsumed'])} but no request "
                f"took it: the client never reached the injector, so the test proved nothing."
            )
        if not (record["faults"] or record.get("load")) or not (
            verbose or record["verdict"] == NOT_RESILIENT
        ):
            continue
        waits = f"{round(record['fake_wait'], 2):g}s"
        faults = ", ".join(record["faults"]) or "no faults queued"
        lines.append(
            f"{record['nodeid']}: {faults}; "
            f"{record['attempt_count']} attempt(s), {waits} fake wait; {record['verdict']}"
        )
        if verbose and record.get("load_line"):
            lines.append(f"    load: {record['load_line']}")
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
