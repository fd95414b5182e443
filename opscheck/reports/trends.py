"""The trends on-call would rather look at than read, from the views the checks already filled.

Active predictions per day against what was expected, and the serving
model's daily hit rate against its registry value and the floor, over the
look-back window ending at the last validated date.

A check names the trend that explains its failure (`@pytest.mark.trend("hit-rate")`); the page
draws the trends the run's checks named, from TRENDS (name -> charts). A new trend is one function
and one TRENDS line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from opscheck.config import Config
from opscheck.reports.charts import Chart, Series
from opscheck.views import Views
from opscheck.views.base import Days, between
from opscheck.views.hit_rate import HitRate
from opscheck.views.manifest import Manifest
from opscheck.views.model_registry import ModelRegistry
from opscheck.views.predictions import Predictions


def window(config: Config, days: Days) -> tuple[dt.date, dt.date]:
    """From the earlier of the first date and the look-back start, to the last validated date."""
    return min(days.first, days.last - dt.timedelta(days=config.thresholds.lookback_days - 1)), days.last


def predictions_chart(predictions: Predictions, config: Config, days: Days) -> Chart:
    first, last = window(config, days)
    dates = between(first, last)
    labels = [d.isoformat() for d in dates]
    expected = [predictions.expected(d) for d in dates]
    floor = config.thresholds.coverage_floor
    return Chart("predictions", f"active {predictions.system_id} predictions per day against expected "
                 f"(players with lines × {floor:g})", labels, [
                     Series("active", "#1f5fbf", [float(predictions.active_count(d)) for d in dates]),
                     Series("expected", "#d9822b", [float(predictions.floor(d)) for d in dates], dashed=True),
                     Series("players with lines", "#9a9a9a", [float(e.players_with_lines) for e in expected],
                            dashed=True),
                 ])


def serving(manifest: Manifest, registry: ModelRegistry, config: Config,
            days: Days) -> list[tuple[dt.date, str, float | None]]:
    """Each day of the window with the model serving on it and that model's registry hit rate."""
    first, last = window(config, days)
    baselines = {str(r["model_version"]): float(r["hit_rate"]) for r in registry.rows if r.get("hit_rate") is not None}
    dates = between(first, last)
    versions = [str(manifest.serving_on(day)["model_version"]) for day in dates]
    return [(day, version, baselines.get(version)) for day, version in zip(dates, versions, strict=True)]


def hit_rate_chart(hit_rate: HitRate, manifest: Manifest, registry: ModelRegistry, config: Config, days: Days) -> Chart:
    served = serving(manifest, registry, config, days)
    labels = [day.isoformat() for day, _, _ in served]
    rates: list[float | None] = []
    registered: list[float | None] = []
    bounds: list[float | None] = []
    for day, version, baseline in served:
        scored = hit_rate.on(day, version)
        rates.append(scored[0] / scored[1] if scored else None)
        registered.append(baseline)
        bounds.append(max(baseline - config.thresholds.hit_rate_max_drop, config.thresholds.hit_rate_floor)
                      if baseline is not None else None)
    thresholds = config.thresholds
    if thresholds.hit_rate_rule == "changepoint":  # the drop is judged by the change-point test (its own chart)
        bounds = [thresholds.hit_rate_floor if b is not None else None for b in bounds]
        bound = f"floor {thresholds.hit_rate_floor:.0%}; the drop itself is judged by the change-point test, below"
    else:
        bound = f"registry - {thresholds.hit_rate_max_drop:.0%}, floor {thresholds.hit_rate_floor:.0%}"
    return Chart("hit-rate", f"daily hit rate of the serving model against its registry value and the bound ({bound})",
                 labels, [Series("hit rate", "#1f5fbf", rates), Series("registry", "#1e7a34", registered, dashed=True),
                          Series("bound", "#b3261e", bounds, dashed=True)], percent=True)


def changepoint_chart(hit_rate: HitRate, manifest: Manifest, registry: ModelRegistry, config: Config,
                      days: Days) -> Chart:
    """The change-point statistic each morning against its line (views/changepoint.py), for the serving model."""
    served = serving(manifest, registry, config, days)
    labels = [day.isoformat() for day, _, _ in served]
    statistic: list[float | None] = []
    line: list[float | None] = []
    for day, version, baseline in served:
        verdict = hit_rate.changepoint(day, version, baseline) \
            if baseline is not None and hit_rate.series(day, version) else None
        statistic.append(verdict.g[-1] if verdict else None)
        line.append(verdict.line.at if verdict else None)
    return Chart("hit-rate-changepoint", "the hit-rate change-point test each morning: its statistic (evidence of a "
                 "drop since the likeliest change day) against its alarm line", labels,
                 [Series("statistic", "#1f5fbf", statistic), Series("alarm line", "#b3261e", line, dashed=True)])


def _predictions(views: Views) -> list[Chart]:
    return [predictions_chart(views.get(Predictions), views.context.platform.config, views.context.days)]


def _hit_rate(views: Views) -> list[Chart]:
    config, days = views.context.platform.config, views.context.days
    reads = (views.get(HitRate), views.get(Manifest), views.get(ModelRegistry), config, days)
    changepoint = [changepoint_chart(*reads)] if config.thresholds.hit_rate_rule == "changepoint" else []
    return [hit_rate_chart(*reads), *changepoint]


TRENDS: dict[str, Callable[[Views], list[Chart]]] = {"predictions": _predictions, "hit-rate": _hit_rate}
