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
    """The serving model still hits: the sequential guard (or the old rolling rule), and the floor as a backstop."""
    thresholds = opscheck_config.thresholds
    version = manifest.serving_on(day)["model_version"]
    rate, graded = hit_rate.rolling(day, version)
    if rate is None:
        evidence.table(f"daily hit rate of {version}", hit_rate.daily(day, version))
        pytest.skip(f"{day}: no graded picks of {version} in the last {hit_rate.window_days} days, nothing to "
                    "judge (no games in that window, or the model began serving within it)")
    rows = [r for r in registry.rows if r["model_version"] == version]
    assert rows, (f"registry has no row for the serving model {version}; "
                  "next: opscheck registry sync --apply")
    baseline = float(rows[0]["hit_rate"])
    rollback = "next: compare with the shadow model and consider rolling back the manifest"
    if thresholds.hit_rate_rule == "rolling":
        evidence.table(f"daily hit rate of {version}", hit_rate.daily(day, version))
        bound = max(baseline - thresholds.hit_rate_max_drop, thresholds.hit_rate_floor)
        assert rate >= bound, (
            f"{day}: {version} hit {rate:.1%} of {graded} graded picks over {hit_rate.window_days} days, below "
            f"{bound:.1%} (registry {baseline:.1%} - {thresholds.hit_rate_max_drop:.0%}, floor "
            f"{thresholds.hit_rate_floor:.0%}); {rollback}"
        )
        return
    verdict = hit_rate.guard(day, version, baseline)
    evidence.table(f"daily hit rate of {version} and the guard's statistic (GLR against registry "
                   f"{baseline:.1%})", verdict.rows())
    hits, since_graded = verdict.since_counts
    dropped = verdict.alarm
    seasons = len(verdict.line.healthy_maxima)
    rare = (f"{verdict.healthy_share:.1%} of" if verdict.healthy_share else f"none of {seasons}")
    assert not dropped, (
        f"{day}: {version}'s hit rate dropped from {verdict.since} on: {hits} of {since_graded} graded picks "
        f"({hits / since_graded:.1%}), {100 * (baseline - hits / since_graded):.1f} points below its registry "
        f"{baseline:.1%}; how sure: the guard's statistic is {verdict.g[-1]:.1f}, over its line "
        f"{verdict.line.at:.1f}, which a healthy model reaches in {rare} simulated seasons (the line allows "
        f"{thresholds.hit_rate_false_alarms_per_season:g} false alarms a season); {rollback}"
    )
    assert rate >= thresholds.hit_rate_floor, (
        f"{day}: {version} hit {rate:.1%} of {graded} graded picks over {hit_rate.window_days} days, below the "
        f"floor {thresholds.hit_rate_floor:.0%}; {rollback}"
    )
