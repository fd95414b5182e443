"""One model per training window, and no model used on dates it was trained on (incidents 6, 10)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from opscheck import governance
from opscheck.reports.evidence import Evidence
from opscheck.views.manifest import Manifest
from opscheck.views.model_registry import ModelRegistry
from opscheck.views.model_usage import ModelUsage
from opscheck.views.predictions import Predictions

pytestmark = pytest.mark.training


def test_no_shared_training_window(manifest: Manifest, registry: ModelRegistry, evidence: Evidence) -> None:
    if not manifest.entries:
        pytest.skip(f"{manifest.path} lists no model, so no window to compare (test_manifest_valid fails on it)")
    shared = governance.shared_windows(manifest.entries, "manifest")
    shared += governance.shared_windows(registry.rows, "registry")
    evidence.table("training windows (manifest)", [
        {"file": m.get("file"), "start": m.get("training_start_date"), "end": m.get("training_end_date"),
         "status": m.get("status")} for m in manifest.entries])
    assert not shared, (
        "; ".join(f"{p.message}: {p.model}" for p in shared)
        + "; one training window may only ever produce one model: retire the duplicate "
        "(opscheck registry guard refuses a repeated window before training)"
    )
    if not registry.rows:
        pytest.skip("no window is shared in the manifest; model_registry has no row of this system to compare "
                    "(test_registry_has_one_production_model fails on it)")


def test_no_leakage(manifest: Manifest, model_usage: ModelUsage, predictions: Predictions,
                    evidence: Evidence) -> None:
    models = manifest.by_version()
    rows: list[dict[str, Any]] = []
    made = predictions.active_between(model_usage.start, model_usage.end)
    counted = sum(int(u["rows"]) for u in model_usage.rows if u["source"] == "predictions")
    evidence.note("predictions", f"{made} active predictions on {model_usage.start}..{model_usage.end}")
    assert counted or not made, (
        f"rows_by_model.sql counts no prediction on {model_usage.start}..{model_usage.end}, while {made} active ones "
        "exist there: leakage cannot be judged on an answer that leaves them out; next: run the query by hand "
        "(the SQL is on the card) and compare"
    )
    if not model_usage.rows:
        pytest.skip(f"no predictions, subset picks or graded rows on {model_usage.start}..{model_usage.end}: "
                    "nothing to judge (no games then)")
    findings: list[str] = []
    unreadable: list[str] = []
    for used in model_usage.rows:
        entry = models.get(used["model_version"])
        rows.append({**used, "training_end_date": entry.get("training_end_date") if entry else None})
        span = (f"{used['rows']} {used['source']} rows of {used['model_version']} "
                f"{used['first_date']}..{used['last_date']}")
        if entry is None:
            findings.append(f"{span}: the manifest does not list this model, so leakage cannot be ruled out")
            continue
        try:
            _, end = governance.window(entry)
        except ValueError as exc:  # a date that does not parse is never leakage, and never a pass
            unreadable.append(f"{entry.get('file')}: {exc}")
            continue
        if dt.date.fromisoformat(used["first_date"]) <= end:
            findings.append(f"{span}: dated on or before {entry.get('file')}'s training_end_date {end}")
    findings += [f"{p.model}: {p.field} {p.message}" for p in manifest.problems if p.kind == "timeline"]
    evidence.table(f"rows per model version {model_usage.start}..{model_usage.end}", rows)
    assert not unreadable, (
        f"cannot tell whether rows fall inside their model's training window: {'; '.join(sorted(set(unreadable)))}; "
        "next: fix the manifest entry's date (YYYY-MM-DD)"
    )
    assert not findings, (
        "leakage: " + "; ".join(findings) + "; next: correct the manifest's dates if they are wrong, else re-run "
        "those dates with a model trained before them and re-grade (opscheck registry guard before training)"
    )
