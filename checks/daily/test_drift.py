"""The serving model's predictions look like they did (incident 5, seen the morning it starts, not days later).

A retrained model that lost its edge passes every governance check, and the graded games show it only
after it has cost days. Its predictions already look different the first morning: how far they sit
from the line, the OVER/UNDER/PASS shares, the confidence, how edges follow the line. Each is held
against the same model's last days, or, the morning a new model serves, its predecessor's.
"""

from __future__ import annotations

import datetime as dt

import pytest

from opscheck.config import Config
from opscheck.reports.evidence import Evidence
from opscheck.views.drift import Drift

pytestmark = pytest.mark.daily


def test_prediction_drift(drift: Drift, day: dt.date, opscheck_config: Config, evidence: Evidence) -> None:
    """No distribution of the day's predictions moved past its alarm line (a false-alarm rate of
    `thresholds.drift_false_alarms_per_season`)."""
    judged = drift.judge(day)
    if isinstance(judged, str):
        pytest.skip(judged)
    against = (f"{judged.reference_version} on {', '.join(map(str, judged.reference_days))}"
               + (" (the previous model: today is a model switch)" if judged.switch else ""))
    for metric, rows in judged.histograms.items():
        evidence.histogram(f"{metric}: {judged.version} on {day} against {against}", rows)
    evidence.table("each distribution against its alarm line", [
        {"metric": v.metric, "statistic": round(v.statistic, 3), "alarm line": round(v.line, 3),
         "alarm": v.alarm, "what moved": v.moved, "today": v.today, "reference": v.reference}
        for v in judged.verdicts])
    alarms = judged.alarms
    assert not alarms, (
        f"{day}: the predictions of {judged.version} moved against {against}: "
        + "; ".join(f"{v.metric}: {v.moved} (gap {v.statistic:.2f}, alarm line {v.line:.2f})" for v in alarms)
        + f"; a model whose predictions moved like this is likely broken before any game is graded; next: "
          f"backtest it (pytest -m deploy --candidate FILE), and roll back to {judged.reference_version} if it "
          f"fails: set {opscheck_config.models.model_path_env} to its file and rerun POST /start "
          f"{{\"game_date\": \"{day}\"}}"
    )
