"""Today's predictions: landed, from the manifest's model, never inside its training window.

Incidents 1 (the morning run did not complete), 2 (`v9_current_season` after a
deploy) and 10 (a model used inside its own training window).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pytest

from opscheck import governance
from opscheck.config import Config
from opscheck.delivery import morning
from opscheck.delivery.morning import Morning
from opscheck.reports.evidence import Evidence
from opscheck.views.manifest import Manifest
from opscheck.views.predictions import Predictions

pytestmark = pytest.mark.daily
DYNAMIC_VERSION = re.compile(r"^v9_\d{8}_\d{6}$")


@pytest.mark.trend("predictions")
def test_predictions_landed(
    predictions: Predictions, day: dt.date, opscheck_config: Config, evidence: Evidence, morning_diagnosis: Morning
) -> None:
    """What is due comes from the schedule first: a game day whose lines never arrived is a failure, not 0 due.

    A failure carries the morning diagnosis (job, lines, tracker, stall), most likely cause first.
    """
    expected = predictions.expected(day)
    floor, active = predictions.floor(day), predictions.active_players(day)
    evidence.table(f"predictions on {day} per model_version", predictions.by_version(day))
    evidence.json(f"due on {day}", {"games": expected.games, "games_with_lines": expected.games_with_lines,
                                    "players_with_lines": expected.players_with_lines, "floor": floor,
                                    "players_predicted": active})
    if expected.games == 0:
        evidence.note("schedule", f"no games scheduled on {day}: no predictions are due")
        return
    lines = opscheck_config.table("prop_lines")
    without = expected.games - expected.games_with_lines
    why = ""
    if without or active < floor:
        findings = morning.diagnose(morning_diagnosis, day)
        evidence.table(f"the morning diagnosis of {day} (most likely first)", [f.row() for f in findings])
        why = f" The morning diagnosis: {morning.lead(findings)}"
    assert not without, (
        f"{day}: {without} of {expected.games} scheduled games have no prop lines"
        + (" at all" if without == expected.games else f" ({expected.players_with_lines} players have one)")
        + f": their players get no prediction, and none is counted as due; next: check the scrapers and "
        f"{lines} for {day}, then rerun POST /start {{\"game_date\": \"{day}\"}}." + why
    )
    assert active >= floor, (
        f"{day}: {active} players have an active {predictions.system_id} prediction, expected at least {floor} "
        f"({expected.players_with_lines} players with lines in {expected.games} games x coverage "
        f"{opscheck_config.thresholds.coverage_floor:g}); next: check the coordinator's /status "
        f"for the day's batch, then rerun it: opscheck backfill --date {day} --apply (POST /start "
        f"{{\"game_date\": \"{day}\"}}, then its subsets)." + why
    )
    assert active <= expected.players_with_lines, (
        f"{day}: {active} players have an active {predictions.system_id} prediction but only "
        f"{expected.players_with_lines} have a prop line: the run predicted players without a line (lines "
        f"removed after it ran, or it read another date's lines); next: compare {lines} for {day} with the "
        "predictions' players"
    )


@pytest.mark.trend("predictions")
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
                    else f"{day}: no active predictions on a day with {games} games, so no version to check "
                         "(test_predictions_landed fails for this day)")
    garbled = {v: hidden for v in versions if (hidden := _hidden(v))}
    assert not garbled, (
        f"{day}: predictions carry model_version " + "; ".join(
            f"{v!r}, which contains {hidden}" for v, hidden in garbled.items())
        + f" (the manifest's is {wanted!r}): whatever writes model_version adds characters nobody can see; it "
        "is not a stale deploy; next: fix the worker's version string, rerun /start"
    )
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


def _hidden(value: str) -> str:
    """The characters of `value` nobody sees in a terminal (spaces at its ends, zero-width, control), named."""
    seen = [c for c in value if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") or (c.isspace())]
    names = sorted({f"U+{ord(c):04X} {unicodedata.name(c, 'a control character')}" for c in seen})
    return ", ".join(names)


def test_no_training_overlap(
    predictions: Predictions, manifest: Manifest, day: dt.date, evidence: Evidence
) -> None:
    models = manifest.by_version()
    rows, leaking, unreadable = [], [], []
    if not predictions.active_versions(day):
        games = predictions.expected(day).games
        pytest.skip(f"{day}: no games scheduled, no predictions due" if not games
                    else f"{day}: no active predictions on a day with {games} games, so no model to check "
                         "(test_predictions_landed fails for this day)")
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
