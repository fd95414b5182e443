"""The trends on-call would rather look at than read, from the views the checks already filled.

Active predictions per day against what was expected, and the serving
model's daily hit rate against its registry value and the floor, over the
look-back window ending at the last validated date.
"""

from __future__ import annotations

import datetime as dt

from opscheck.config import Config
from opscheck.report import Chart, Series, day_labels
from opscheck.resources import Days
from opscheck.resources.models import Manifest, Registry
from opscheck.resources.outcomes import HitRate
from opscheck.resources.predictions import Predictions


def window(config: Config, days: Days) -> tuple[dt.date, dt.date]:
    """From the earlier of the first date and the look-back start, to the last validated date."""
    return min(days.first, days.last - dt.timedelta(days=config.thresholds.lookback_days - 1)), days.last


def predictions_chart(predictions: Predictions, config: Config, days: Days) -> Chart:
    first, last = window(config, days)
    labels = day_labels(first, last)
    dates = [dt.date.fromisoformat(d) for d in labels]
    expected = [predictions.expected(d) for d in dates]
    floor = config.thresholds.coverage_floor
    return Chart("predictions", f"active {predictions.system_id} predictions per day against expected "
                 f"(players with lines × {floor:g})", labels, [
                     Series("active", "#1f5fbf", [float(predictions.active_count(d)) for d in dates]),
                     Series("expected", "#d9822b", [float(int(e.players_with_lines * floor)) for e in expected],
                            dashed=True),
                     Series("players with lines", "#9a9a9a", [float(e.players_with_lines) for e in expected],
                            dashed=True),
                 ])


def hit_rate_chart(hit_rate: HitRate, manifest: Manifest, registry: Registry, config: Config, days: Days) -> Chart:
    first, last = window(config, days)
    labels = day_labels(first, last)
    baselines = {str(r["model_version"]): float(r["hit_rate"]) for r in registry.rows if r.get("hit_rate") is not None}
    rates: list[float | None] = []
    registered: list[float | None] = []
    bounds: list[float | None] = []
    for label in labels:
        version = str(manifest.serving_on(dt.date.fromisoformat(label))["model_version"])
        scored = hit_rate.on(dt.date.fromisoformat(label), version)
        rates.append(scored[0] / scored[1] if scored else None)
        baseline = baselines.get(version)
        registered.append(baseline)
        bounds.append(max(baseline - config.thresholds.hit_rate_max_drop, config.thresholds.hit_rate_floor)
                      if baseline is not None else None)
    thresholds = config.thresholds
    return Chart("hit-rate", "daily hit rate of the serving model against its registry value and the bound "
                 f"(registry - {thresholds.hit_rate_max_drop:.0%}, floor {thresholds.hit_rate_floor:.0%})", labels,
                 [Series("hit rate", "#1f5fbf", rates), Series("registry", "#1e7a34", registered, dashed=True),
                  Series("bound", "#b3261e", bounds, dashed=True)], percent=True)
