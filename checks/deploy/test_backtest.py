"""A candidate model scores at least as well as the serving model on days already graded (incident 5).

Before rollout, the candidate (`--candidate FILE`, else the manifest's production model when the worker
does not serve it yet) is scored on the most recent graded days after its own training window and
compared with the serving model's calls on the same picks. A paired test, not two rates eyeballed: it
blocks only when the serving model is better by more than the margin with the configured confidence.
"""

from __future__ import annotations

import pytest

from opscheck.config import Config
from opscheck.reports.evidence import Evidence
from opscheck.views.backtest import Backtest

pytestmark = [pytest.mark.deploy, pytest.mark.training]


def test_candidate_backtest(backtest: Backtest, opscheck_config: Config, evidence: Evidence) -> None:
    result = backtest.result
    if isinstance(result, str):
        pytest.skip(result)
    candidate = result.candidate
    name = candidate.path.rsplit("/", 1)[-1]
    days = f"{result.days[0]}..{result.days[-1]} ({len(result.days)} graded days after its window)"
    evidence.json("backtest", {
        "candidate": candidate.path, "from": candidate.source, "trained through": str(candidate.training_end),
        "serving model": result.serving_version, "days": days, "picks": result.picks,
        "candidate hit rate": round(result.candidate_rate, 4), "serving hit rate": round(result.serving_rate, 4),
        f"serving - candidate, {result.confidence:.0%} lower bound": round(result.bound, 4),
        "margin": result.margin})
    evidence.table("per day, on the picks both made", result.per_day)
    assert not result.blocked, (
        f"{name} ({candidate.source}) hit {result.candidate_rate:.1%} of {result.picks} picks on {days}, the "
        f"serving model {result.serving_version} {result.serving_rate:.1%} of the same picks: worse by "
        f"{100 * (result.serving_rate - result.candidate_rate):.1f} points, at least {100 * result.bound:.1f} with "
        f"{result.confidence:.0%} confidence, more than the margin of {100 * result.margin:g}; next: do not "
        f"roll it out: keep {opscheck_config.models.model_path_env} on the "
        f"serving model, and put the previous production model back in the manifest (opscheck registry sync "
        f"after it) until the candidate is retrained and passes"
    )
