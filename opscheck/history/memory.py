"""What history says about one check: its current streak, the strip of its last outcomes, flapping, and
the fingerprint that makes two failures one incident.

Pure functions over rows of the store, so the page, summary.json, `opscheck history` and the notifier
read one judgement. A run's outcome for a check is the worst over the dates it validated; a skip (nothing
to judge) neither extends a failing streak nor ends it, and is not counted as a change of state.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable, Sequence
from typing import Any

FAILING = ("failed", "error")
_WORST = {"error": 3, "failed": 2, "passed": 1, "skipped": 0}
_VOLATILE = re.compile(r"\d{4}-\d{2}-\d{2}(T[\d:.+\-Z]+)?|\b[0-9a-f]{7,64}\b|\d+(\.\d+)?")


@dataclasses.dataclass(frozen=True)
class Result:
    """One check's result in one run, as history keeps it (plain data; made by the report collector)."""

    check_id: str
    check_key: str  # the check without its date: what a streak and an incident follow from run to run
    name: str
    title: str
    day: str | None
    outcome: str
    severity: str
    message: str = ""
    next_step: str | None = None
    duration: float = 0.0
    bytes_billed: int = 0
    owner: str = ""
    runbook: str = ""


def check_key(check_id: str, params: dict[str, str]) -> str:
    """The node id without its `day` parameter: `test_predictions_landed` today and tomorrow are one check."""
    base = check_id.split("[", 1)[0]
    kept = [v for k, v in params.items() if k != "day"]
    return f"{base}[{'-'.join(kept)}]" if kept else base


def worst(outcomes: Iterable[str]) -> str:
    """A run's outcome for a check over its dates: any failure fails it; all skipped is skipped."""
    return max(outcomes, key=lambda o: _WORST.get(o, 0), default="skipped")


def about(message: str) -> str:
    """What a failure is about: its first line with counts, dates and hashes taken out.

    "38 of 48 active" today and "40 of 48" tomorrow are the same failure; "prediction-worker not
    healthy" and "scrapers not healthy" are not.
    """
    return _VOLATILE.sub("#", message.split("\n", 1)[0].strip().lower())[:160]


def fingerprint(key: str, scope: str, messages: Sequence[str]) -> str:
    """An incident's identity: the check, the dates it is about ("today" on a morning run), and its cause."""
    text = "\x1f".join([key, scope, *sorted({about(m) for m in messages})])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclasses.dataclass(frozen=True)
class Streak:
    """One check's memory as of this run."""

    strip: list[dict[str, Any]]  # oldest first: {"seq", "as_of", "outcome"} of the last strip_runs runs
    since_run: str | None  # the first run of the current failing streak (its run id), None when not failing
    since: str | None  # ... and its as-of
    length: int  # failing runs in the streak (0 when not failing)
    changes: int  # changes between passing and failing in the strip
    flapping: bool

    def summary(self) -> dict[str, Any]:
        return {"since_run": self.since_run, "since": self.since, "length": self.length,
                "strip": [s["outcome"] for s in self.strip], "changes": self.changes, "flapping": self.flapping}


def streak(runs: Sequence[dict[str, Any]], strip_runs: int, flapping_changes: int) -> Streak:
    """`runs`: this check's per-run outcomes, oldest first ({"seq", "run_id", "as_of", "outcome"})."""
    judged = [r for r in runs if r["outcome"] != "skipped"]
    length, since = 0, None
    for run in reversed(judged):
        if run["outcome"] not in FAILING:
            break
        length, since = length + 1, run
    strip = [{"seq": r["seq"], "as_of": r["as_of"], "outcome": r["outcome"]} for r in runs[-strip_runs:]]
    states = [r["outcome"] in FAILING for r in strip if r["outcome"] != "skipped"]
    changes = sum(1 for a, b in zip(states, states[1:], strict=False) if a != b)
    return Streak(strip, since["run_id"] if since else None, since["as_of"] if since else None, length, changes,
                  changes >= flapping_changes)
