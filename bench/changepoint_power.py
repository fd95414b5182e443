"""The hit-rate change-point test against the old rolling rule: false alarms and days to detection, simulated.

Daily graded volumes are the seeded season's, read from a private local
platform (every graded pick of the production system per date, in order);
the baseline is the production model's registry hit rate. Each of N seeded
seasons replays those volumes with picks drawn at the true rate of the case:
healthy (at the baseline), a crash of 20, 10 or 5 points from a random day,
or a drift of one point a day from a random day. Both rules judge each
morning on the days graded so far, as the daily check does:

- old: the 7-day rolling rate below max(baseline - hit_rate_max_drop, floor);
- change point: views.changepoint's GLR statistic at or above its line, calibrated for the
  configured false alarms per season on the same volumes.

Printed per rule: false alarms per healthy season (alarm episodes: a rising
edge), and per case the median and 90th percentile of days from change to
detection (bad days graded when the alarm first stands; a season where it
never does counts as never). Targets: change-point false alarms at most the old
rule's and at most 0.1; median at most 1 day for 20 points, 3 for 10.

Then the bound no rule can beat: an oracle that knows the change day and the
drop tests exactly the bad days graded so far, at the per-day false-alarm
probability a season of 0.1 false alarms allows (0.1 / days); printed is the
share of change days on which it detects a 20-point crash on the first day
and a 10-point crash within three. Below one half, a median of 1 (or 3) days
is out of reach of any rule at that false-alarm rate on these volumes.
Run: `.venv/bin/python bench/changepoint_power.py [seasons]`.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable

import numpy as np
from _live import local_platform

from opscheck.config import Config
from opscheck.sandbox import models, schema
from opscheck.views import changepoint

WARMUP = 14  # a change starts after the first two weeks and two weeks before the end
Rule = Callable[[np.ndarray, np.ndarray], np.ndarray]


def season_volumes() -> tuple[np.ndarray, float]:
    """The seeded season's graded picks per date (production system), and the production model's registry rate."""
    with local_platform() as platform:
        bq = platform.bigquery()
        rows = bq.query(f"SELECT game_date, COUNTIF(is_correct IS NOT NULL) AS graded FROM {schema.ACCURACY} "
                        f"WHERE game_date BETWEEN '2025-10-01' AND '2026-06-30' AND system_id = '{models.SYSTEM_ID}' "
                        "GROUP BY game_date ORDER BY game_date").result(timeout=60)
        volumes = np.array([int(r["graded"]) for r in rows if r["graded"]])
        rate = next(iter(bq.query(f"SELECT hit_rate FROM {schema.REGISTRY} WHERE status = 'production'")
                         .result(timeout=60)))["hit_rate"]
    return volumes, float(rate)


def old_rule(config: Config, baseline: float) -> Rule:
    thresholds = config.thresholds
    bound = max(baseline - thresholds.hit_rate_max_drop, thresholds.hit_rate_floor)
    window = thresholds.hit_rate_window_days

    def rolled(counts: np.ndarray) -> np.ndarray:
        """Each day's sum over the window ending on it (fewer days at the season's start)."""
        total = np.cumsum(counts, axis=1)
        summed: np.ndarray = total - np.pad(total, ((0, 0), (window, 0)))[:, : counts.shape[1]]
        return summed

    def alarms(hits: np.ndarray, graded: np.ndarray) -> np.ndarray:
        return rolled(hits) < bound * rolled(graded)

    return alarms


def changepoint_rule(config: Config, baseline: float, volumes: np.ndarray) -> tuple[Rule, float]:
    thresholds = config.thresholds
    drop, rate = thresholds.hit_rate_min_drop, thresholds.hit_rate_false_alarms_per_season
    window = thresholds.lookback_days
    line = changepoint.line_for(volumes.tolist(), baseline, drop, window, rate, volumes.size).at

    def alarms(hits: np.ndarray, graded: np.ndarray) -> np.ndarray:
        return changepoint.statistic(hits, graded, baseline, drop, window)[0] >= line

    return alarms, line


def delays(alarms: np.ndarray, change: np.ndarray) -> np.ndarray:
    """Bad days graded when the alarm first stands on or after each season's change day (inf: never)."""
    days = np.arange(alarms.shape[1])
    after = alarms & (days[None, :] >= change[:, None])
    first = np.where(after.any(axis=1), after.argmax(axis=1), np.iinfo(np.int64).max)
    return np.where(first == np.iinfo(np.int64).max, np.inf, first - change + 1)


def oracle_power(volumes: np.ndarray, baseline: float, drop: float, days: int, alpha: float) -> float:
    """Mean over change days of P(the most powerful test on `days` bad days rejects at level `alpha`)."""
    powers = []
    for start in range(volumes.size - days):
        n = int(volumes[start:start + days].sum())
        cdf = np.cumsum([math.comb(n, k) * baseline**k * (1 - baseline) ** (n - k) for k in range(n + 1)])
        cut = int(np.searchsorted(cdf, alpha, side="right")) - 1  # the largest k with P(X <= k) <= alpha
        low = baseline - drop
        powers.append(sum(math.comb(n, k) * low**k * (1 - low) ** (n - k) for k in range(cut + 1)))
    return float(np.mean(powers))


def shown(values: np.ndarray, q: float) -> str:
    value = float(np.quantile(values, q, method="lower"))  # no interpolation: "never" stays never
    return "never" if np.isinf(value) or np.isnan(value) else f"{value:.0f}"


def main() -> None:
    seasons = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    config = Config()
    volumes, baseline = season_volumes()
    days = volumes.size
    rng = np.random.default_rng(14)
    graded = np.broadcast_to(volumes, (seasons, days))
    change = rng.integers(WARMUP, days - WARMUP, size=seasons)
    after = np.arange(days)[None, :] - change[:, None]  # days since the change (negative: before)
    cases: dict[str, np.ndarray] = {"healthy": np.full((seasons, days), baseline)}
    for points in (20, 10, 5):
        cases[f"crash {points} points"] = np.where(after >= 0, baseline - points / 100, baseline)
    cases["drift 1 point a day"] = np.where(after >= 0, baseline - (after + 1) / 100, baseline).clip(0.01)
    changepoint_alarms, line = changepoint_rule(config, baseline, volumes)
    rules = {"old 7-day rule": old_rule(config, baseline), "GLR change point": changepoint_alarms}
    thresholds = config.thresholds
    print(f"{seasons} seasons of {days} graded days ({volumes.min()}-{volumes.max()} picks a day); baseline "
          f"{baseline:.1%}; change point: min drop {thresholds.hit_rate_min_drop:.0%}, "
          f"{thresholds.hit_rate_false_alarms_per_season:g} false alarms a season, line {line:.2f}")
    print(f"{'case':24} {'rule':16} {'false alarms/season':>20} {'median days':>12} {'p90 days':>9}")
    for case, rate in cases.items():
        hits = rng.binomial(graded, rate)
        for name, rule in rules.items():
            alarms = rule(hits, graded)
            if case == "healthy":
                print(f"{case:24} {name:16} {changepoint.episodes(alarms).mean():20.3f}")
            else:
                waited = delays(alarms, change)
                print(f"{case:24} {name:16} {'':20} {shown(waited, 0.5):>12} {shown(waited, 0.9):>9}")
    alpha = config.thresholds.hit_rate_false_alarms_per_season / days
    print(f"oracle at {alpha:.1e} false alarms a day: detects a 20-point crash on day 1 with probability "
          f"{oracle_power(volumes, baseline, 0.20, 1, alpha):.2f}, a 10-point crash within 3 days with "
          f"{oracle_power(volumes, baseline, 0.10, 3, alpha):.2f}")


if __name__ == "__main__":
    main()
