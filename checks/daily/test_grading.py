"""Yesterday was graded, and the production model still hits (incident 5)."""

from __future__ import annotations

import datetime as dt

import pytest

from opscheck.config import Config
from opscheck.evidence import Evidence
from opscheck.resources.models import Manifest, Registry
from opscheck.resources.outcomes import HitRate
from opscheck.resources.predictions import Predictions

pytestmark = pytest.mark.daily


def test_yesterday_graded(
    predictions: Predictions, day: dt.date, opscheck_config: Config, evidence: Evidence
) -> None:
    yesterday = day - dt.timedelta(days=1)
    status = predictions.grading(yesterday)
    evidence.json("grading", {"game_date": yesterday, "predictions": status.predictions,
                              "graded": status.graded})
    if predictions.expected(yesterday).games == 0:
        evidence.note("schedule", f"no games on {yesterday}: nothing to grade")
        return
    if status.predictions == 0:
        pytest.skip(f"{yesterday}: no active predictions to grade")
    floor = opscheck_config.thresholds.grading_coverage_floor
    assert status.coverage >= floor, (
        f"{yesterday}: {status.graded} of {status.predictions} active predictions graded "
        f"({status.coverage:.0%}), expected at least {floor:.0%}; next: check box scores landed "
        f"(scrapers) and rerun POST /grade {{\"start_date\": \"{yesterday}\"}} on grading"
    )


def test_hit_rate_within_bounds(
    hit_rate: HitRate, manifest: Manifest, registry: Registry, day: dt.date, opscheck_config: Config,
    evidence: Evidence,
) -> None:
    thresholds = opscheck_config.thresholds
    version = manifest.serving_on(day)["model_version"]
    rate, graded = hit_rate.rolling(day, version)
    evidence.table(f"daily hit rate of {version}", hit_rate.daily(day, version))
    if rate is None:
        pytest.skip(f"{day}: no graded picks of {version} in the last {hit_rate.window_days} days "
                    "(a model deployed less than a day ago)")
    rows = [r for r in registry.rows if r["model_version"] == version]
    assert rows, (f"registry has no row for the serving model {version}; "
                  "next: opscheck registry sync --apply")
    baseline = float(rows[0]["hit_rate"])
    bound = max(baseline - thresholds.hit_rate_max_drop, thresholds.hit_rate_floor)
    assert rate >= bound, (
        f"{day}: {version} hit {rate:.1%} of {graded} graded picks over "
        f"{hit_rate.window_days} days, below {bound:.1%} (registry {baseline:.1%} - "
        f"{thresholds.hit_rate_max_drop:.0%}, floor {thresholds.hit_rate_floor:.0%}); "
        "next: compare with the shadow model and consider rolling back the manifest"
    )
