"""Today's active predictions, row by row: one per player and game, plausible values, real games.

A prediction that landed can still be wrong in ways nobody sees until picks go
out: the morning run ran twice and both runs stayed active (every pick counted
twice), a broken feature made a value NaN or negative, or the run predicted
games the schedule no longer has (postponed, or the wrong date given to
`/start`). The counting is done in prediction_problems.sql.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from opscheck.config import Config
from opscheck.reports.evidence import Evidence
from opscheck.views.predictions import Predictions

pytestmark = pytest.mark.daily
VALUE_PROBLEMS = ("value not a number", "value negative", "line not a number", "value far from the line",
                  "confidence outside [0, 1]")


def _judged(predictions: Predictions, day: dt.date) -> None:
    """Skip, saying why, on a date without active predictions: no row is a row without problems."""
    __tracebackhide__ = True
    if not predictions.active_count(day):
        games = predictions.expected(day).games
        pytest.skip(f"{day}: no active predictions to look at" + (
            f" on a day with {games} games (test_predictions_landed fails for it)" if games else " (no games)"))


def _listed(rows: list[dict[str, Any]]) -> str:
    return "; ".join(f"{r['predictions']} {r['problem']} (e.g. {r['example_player']})" for r in rows)


def test_no_duplicate_active_predictions(predictions: Predictions, day: dt.date, evidence: Evidence) -> None:
    _judged(predictions, day)
    twice = predictions.problems(day, "duplicate")
    evidence.table(f"players with more than one active prediction for one game on {day}", twice)
    assert not twice, (
        f"{day}: {twice[0]['predictions']} players have more than one active {predictions.system_id} prediction "
        f"for the same game (e.g. {twice[0]['example_player']}): a rerun did not supersede the earlier run, "
        f"so every pick counts twice; next: keep only the newest row per player and game active "
        f"(is_active = FALSE on the older created_at) and check the coordinator's /status for two batches"
    )


def test_prediction_values_plausible(
    predictions: Predictions, day: dt.date, opscheck_config: Config, evidence: Evidence
) -> None:
    _judged(predictions, day)
    wrong = predictions.problems(day, *VALUE_PROBLEMS)
    evidence.table(f"active predictions on {day} with implausible values", wrong)
    assert not wrong, (
        f"{day}: implausible {predictions.system_id} predictions: {_listed(wrong)} (far = more than "
        f"{opscheck_config.thresholds.max_edge_points:g} points from the line); next: check the features of "
        f"those players for that date and the worker's logs, then rerun POST /start {{\"game_date\": \"{day}\"}}"
    )


def test_predictions_only_for_scheduled_games(
    predictions: Predictions, day: dt.date, opscheck_config: Config, evidence: Evidence
) -> None:
    _judged(predictions, day)
    unscheduled = predictions.problems(day, "no scheduled game")
    expected = predictions.expected(day)
    evidence.note("schedule", f"{expected.games} games scheduled on {day}")
    evidence.table(f"active predictions on {day} for games the schedule does not have", unscheduled)
    assert not unscheduled, (
        f"{day}: {unscheduled[0]['predictions']} active {predictions.system_id} predictions are for games "
        f"the schedule does not have on {day} ({expected.games} games scheduled; e.g. "
        f"{unscheduled[0]['example_player']}): postponed games or a backfill started for the wrong date; "
        f"next: compare {opscheck_config.table('schedule')} for {day} with the predictions' game_id and "
        "deactivate the orphans"
    )
