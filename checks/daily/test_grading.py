"""Yesterday was graded, and the production model still hits (incident 5)."""

from __future__ import annotations

import datetime as dt

import pytest

from opscheck.config import Config
from opscheck.reports.evidence import Evidence
from opscheck.views.hit_rate import HitRate
from opscheck.views.manifest import Manifest
from opscheck.views.model_registry import ModelRegistry
from opscheck.views.predictions import Predictions

pytestmark = pytest.mark.daily


@pytest.mark.trend("predictions")
def test_yesterday_graded(
    predictions: Predictions, day: dt.date, opscheck_config: Config, evidence: Evidence
) -> None:
    yesterday = day - dt.timedelta(days=1)
    status = predictions.grading(yesterday)
    games = predictions.expected(yesterday).games
    evidence.json("grading", {"game_date": yesterday, "games": games, "predictions": status.predictions,
                              "graded": status.graded, "calls (OVER/UNDER)": status.calls,
                              "graded as a hit or a miss": status.decided})
    if status.predictions == 0:  # what was predicted is graded, whatever the schedule says
        if games == 0:
            evidence.note("schedule", f"no games on {yesterday}: nothing to grade")
            return
        pytest.skip(f"{yesterday}: {games} games but no active predictions, so nothing to grade "
                    f"(test_predictions_landed --date {yesterday} fails for that day)")
    floor = opscheck_config.thresholds.grading_coverage_floor
    rerun = (f"next: check box scores landed (scrapers) and rerun POST /grade {{\"start_date\": \"{yesterday}\"}} "
             "on grading")
    assert status.coverage >= floor, (
        f"{yesterday}: {status.graded} of {status.predictions} active predictions graded "
        f"({status.coverage:.0%}), expected at least {floor:.0%}; {rerun}"
    )
    assert status.decided >= floor * status.calls, (
        f"{yesterday}: {status.graded} predictions graded, but only {status.decided} of the {status.calls} OVER/UNDER "
        f"calls as a hit or a miss (is_correct NULL on the rest): grading wrote rows without judging them, so "
        f"no hit rate can be measured; {rerun} after fixing it"
    )


@pytest.mark.trend("hit-rate")
def test_hit_rate_within_bounds(
    hit_rate: HitRate, predictions: Predictions, manifest: Manifest, registry: ModelRegistry, day: dt.date,
    opscheck_config: Config, evidence: Evidence,
) -> None:
    """The serving model still hits: the sequential change-point test (or the old rolling rule), and the floor."""
    thresholds = opscheck_config.thresholds
    version = manifest.serving_on(day)["model_version"]
    rate, graded = hit_rate.rolling(day, version)
    if rate is None:
        start, end = day - dt.timedelta(days=hit_rate.window_days), day - dt.timedelta(days=1)
        made = predictions.active_between(start, end, version)
        evidence.table(f"daily hit rate of {version}", hit_rate.daily(day, version))
        evidence.note("predictions", f"{made} active predictions of {version} on {start}..{end}")
        assert not made, (
            f"{day}: {version} made {made} active predictions on {start}..{end} and not one is graded as a hit or a "
            f"miss ({hit_rate.graded_rows(day, version)} graded rows): grading is broken, so the hit rate cannot be "
            f"judged; next: check grading's logs, then rerun POST /grade {{\"start_date\": \"{start}\", "
            f"\"end_date\": \"{end}\"}} on grading"
        )
        pytest.skip(f"{day}: {version} made no active prediction on {start}..{end}, so there is no hit rate to "
                    "judge (no games then, or the model began serving after)")
    rows = [r for r in registry.rows if r["model_version"] == version]
    assert rows, (f"registry has no row for the serving model {version}; "
                  "next: opscheck registry sync --apply")
    assert rows[0]["hit_rate"] is not None, (
        f"the registry's row for the serving model {version} has no hit_rate: nothing to judge the picks against; "
        "next: opscheck registry sync --apply (the manifest records it)")
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
    verdict = hit_rate.changepoint(day, version, baseline)
    evidence.table(f"daily hit rate of {version} and the change-point statistic (GLR against registry "
                   f"{baseline:.1%})", verdict.rows())
    hits, since_graded = verdict.since_counts
    dropped = verdict.alarm
    seasons = len(verdict.line.healthy_maxima)
    rare = (f"{verdict.healthy_share:.1%} of" if verdict.healthy_share else f"none of {seasons}")
    assert not dropped, (
        f"{day}: {version}'s hit rate dropped from {verdict.since} on: {hits} of {since_graded} graded picks "
        f"({hits / since_graded:.1%}), {100 * (baseline - hits / since_graded):.1f} points below its registry "
        f"{baseline:.1%}; how sure: the change-point statistic is {verdict.g[-1]:.1f}, over its line "
        f"{verdict.line.at:.1f}, which a healthy model reaches in {rare} simulated seasons (the line allows "
        f"{thresholds.hit_rate_false_alarms_per_season:g} false alarms a season); {rollback}"
    )
    assert rate >= thresholds.hit_rate_floor, (
        f"{day}: {version} hit {rate:.1%} of {graded} graded picks over {hit_rate.window_days} days, below the "
        f"floor {thresholds.hit_rate_floor:.0%}; {rollback}"
    )
