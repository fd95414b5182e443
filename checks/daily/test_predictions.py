"""Today's predictions: landed, from the manifest's model, never inside its training window.

Incidents 1 (the morning run did not complete), 2 (`v9_current_season` after a
deploy) and 10 (a model used inside its own training window).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from opscheck import governance
from opscheck.config import Config
from opscheck.evidence import Evidence
from opscheck.resources.models import Manifest
from opscheck.resources.predictions import Predictions

pytestmark = pytest.mark.daily
DYNAMIC_VERSION = re.compile(r"^v9_\d{8}_\d{6}$")


def test_predictions_landed(
    predictions: Predictions, day: dt.date, opscheck_config: Config, evidence: Evidence
) -> None:
    expected = predictions.expected(day)
    evidence.table(f"predictions on {day} per model_version", predictions.by_version(day))
    if expected.games == 0:
        evidence.note("schedule", f"no games scheduled on {day}: no predictions are due")
        return
    floor = int(expected.players_with_lines * opscheck_config.thresholds.coverage_floor)
    active = predictions.active_count(day)
    assert active >= floor, (
        f"{day}: {active} active {predictions.system_id} predictions, expected at least {floor} "
        f"({expected.players_with_lines} players with lines in {expected.games} games x coverage "
        f"{opscheck_config.thresholds.coverage_floor:g}); next: check the coordinator's /status "
        f"for the day's batch and rerun POST /start {{\"game_date\": \"{day}\"}}"
    )


def test_model_version_matches_manifest(
    predictions: Predictions, manifest: Manifest, day: dt.date, evidence: Evidence
) -> None:
    versions = predictions.active_versions(day)
    serving = manifest.serving_on(day)
    wanted = serving["model_version"]
    evidence.table(f"predictions on {day} per model_version", predictions.by_version(day))
    evidence.note(f"manifest model serving on {day}", f"{serving['file']} ({serving['status']})")
    if not versions:
        games = predictions.expected(day).games
        pytest.skip(f"{day}: no games scheduled, no predictions due" if not games
                    else f"{day}: no active predictions to check (test_predictions_landed says why)")
    static = [v for v in versions if not DYNAMIC_VERSION.match(v)]
    assert not static, (
        f"{day}: predictions carry {', '.join(static)}: the deploy did not take effect: the worker "
        f"is not serving the manifest's model {wanted}; next: check the worker's "
        f"CATBOOST_V9_MODEL_PATH and latest revision (pytest -m deploy), redeploy, rerun /start"
    )
    assert versions == [wanted], (
        f"{day}: active predictions carry {versions}, expected exactly [{wanted!r}] "
        f"(the manifest's model for that date); next: pytest -m deploy to find which service drifted"
    )


def test_no_training_overlap(
    predictions: Predictions, manifest: Manifest, day: dt.date, evidence: Evidence
) -> None:
    models = manifest.by_version()
    rows, leaking, unreadable = [], [], []
    for version in predictions.active_versions(day):
        entry = models.get(version)
        rows.append({"model_version": version, "training_end_date": entry.get("training_end_date") if entry else None})
        if entry is None:
            continue  # a model the manifest does not list: test_model_version_matches_manifest says so
        try:
            _, end = governance.window(entry)
        except ValueError as exc:  # a date that does not parse is never a pass, and never leakage
            unreadable.append(f"{entry.get('file')}: {exc}")
            continue
        if end >= day:
            leaking.append(f"{entry.get('file')} (training through {end})")
    evidence.table(f"models of {day}'s predictions (manifest training windows)", rows)
    assert not unreadable, (
        f"{day}: cannot tell whether the serving model was trained on this date: {'; '.join(unreadable)}; "
        "next: fix the manifest entry's date (YYYY-MM-DD)"
    )
    assert not leaking, (
        f"{day}: predictions made by {', '.join(leaking)}, not trained before {day}: leakage; next: "
        f"serve a model trained before {day} and rerun /start; see opscheck registry guard"
    )
