"""Model files: conventional names, and a production object that is the model the manifest describes."""

from __future__ import annotations

import pytest

from opscheck import governance
from opscheck.reports.evidence import Evidence
from opscheck.views.manifest import Manifest
from opscheck.views.production_model import ProductionModel

pytestmark = [pytest.mark.training, pytest.mark.deploy]


def test_model_file_names(manifest: Manifest, evidence: Evidence) -> None:
    if not manifest.entries:
        pytest.skip(f"{manifest.path} lists no model, so no file name to judge (test_manifest_valid fails on it)")
    problems = [p for p in manifest.problems if p.kind == "name"]
    evidence.table("file names vs manifest entries", [
        {"model": p.model, "field": p.field, "problem": p.message} for p in problems])
    assert not problems, (
        "model file names disagree with the manifest: " + "; ".join(map(str, problems[:6]))
        + "; next: name files with `opscheck registry name --start D --end D --features N --created TS`"
    )


def test_production_model_integrity(production_model: ProductionModel, evidence: Evidence) -> None:
    entry = production_model.entry
    info, _ = production_model.download
    evidence.json("production object", {**info, "manifest_sha256": entry["sha256"]})
    assert governance.same_digest(info["sha256"], entry["sha256"]), (
        f"{production_model.path}: SHA-256 {info['sha256'][:12]}… ({info['size']} bytes, generation "
        f"{info['generation']}) differs from the manifest's {str(entry['sha256'])[:12]}…: the object is not "
        "the model the manifest describes; next: restore it from the training run's output (or its "
        "previous generation) before any worker reloads it"
    )
    expected = int(entry["feature_count"])
    assert production_model.feature_count() == expected, (
        f"{entry['file']}: CatBoost model has {production_model.feature_count()} features, its name and the "
        f"manifest say {expected}; next: the file was trained on another feature set: retrain or rename"
    )
    golden = production_model.golden()
    assert golden is not None, (
        f"no golden sample for {entry['file']} in {production_model.golden_dir}: cannot prove it re-scores; "
        "next: add the rows the training job scored (features and predictions) as "
        f"{production_model.golden_path.name}"
    )
    assert golden.rows, (
        f"{golden.path}: the golden sample has no rows: nothing to re-score, so nothing proves the object is the "
        "trained model; next: add the rows the training job scored (features and predictions)"
    )
    scored = production_model.rescore(golden)
    evidence.table(f"golden re-score ({golden.path.name})", scored)
    off = [r for r in scored if r["difference"] > production_model.tolerance]
    assert not off, (
        f"{entry['file']}: {len(off)} of {len(scored)} golden rows re-score more than "
        f"{production_model.tolerance:g} points from their stored prediction (worst "
        f"{max(r['difference'] for r in off):.3f}); next: the object is not the trained model"
    )
