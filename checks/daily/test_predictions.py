"""Did today's predictions land? (incident 1: the morning run did not complete)."""

from __future__ import annotations

import datetime as dt

import pytest

from opscheck.config import Config
from opscheck.evidence import Evidence
from opscheck.resources.predictions import Predictions

pytestmark = pytest.mark.daily


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
