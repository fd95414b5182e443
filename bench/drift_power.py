"""Prediction drift and the deploy gate's backtest against good and bad models, beside the hit-rate guard.

Models are trained as the local platform trains them (models.train): good ones on the production model's
window and on later ones (what a sound retrain gives), and flawed ones of graded severity: a target shifted
by one or two rows (a misaligned join, the bad-model faults' flaw) or partly shuffled. Seasons are other
seeds of the seeded season (its volumes: 4 to 11 games a day, 8 prop lines a game), out of sample for
every model. Each morning is binned as prediction_drift.sql bins it and judged by views.drift.verdicts,
so the figures are the check's own:

- drift false alarms per healthy season: one good model all season, and seasons with a good model switch
  on a random day (its first mornings judged against the previous model's last days);
- the share of bad models caught on their first serving day, by how many points of hit rate they lose;
- the backtest (views.backtest.lower_bound on the last backtest_days before the switch): bad candidates
  blocked, good candidates blocked;
- the hit-rate guard (views.changepoint, calibrated on the same volumes) on the same bad models: the
  share caught by their first graded day, and the median days to detection.

Targets (issue 21): drift at most 0.1 false alarms a season and at least 90 % of 15-point losers caught on
their first day; the backtest blocks at least 95 % of them and at most 5 % of good candidates.
Run: `.venv/bin/python bench/drift_power.py [seasons]` (about a minute for 20 seasons).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import sys
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from opscheck.config import Config
from opscheck.sandbox import models, season
from opscheck.views import changepoint, distributions, drift
from opscheck.views.backtest import lower_bound

TRAINED = 1  # the seed the models learn from; the simulated seasons use others
SEASON_START = dt.date(2025, 11, 1)
WARMUP = 20  # a switch happens after the first weeks (a reference and a backtest window exist)
UTC = dt.UTC
GOOD = {
    "production window": models.PRODUCTION,
    "retrained to Jan 25": models.SHADOW,
    "retrained to Jan 31": dataclasses.replace(models.BAD, shift=0),
}
BAD = {
    "shifted 1 row": models.BAD,
    "shifted 2 rows": dataclasses.replace(models.BAD, shift=2),
    **{f"{share:.0%} shuffled": dataclasses.replace(models.BAD, shift=0, shuffled=share)
       for share in (1.0, 0.75, 0.5, 0.25)},
}


@dataclasses.dataclass(frozen=True)
class Day:
    """One simulated morning: each model's predicted points for the day's lines, and what happened."""

    lines: np.ndarray
    actual: np.ndarray
    predicted: dict[str, np.ndarray]


def simulate(trained: dict[str, models.TrainedModel], number: int, days: int) -> list[Day]:
    """A season of `days` game days of seed `number`, every model's predictions made in one call each."""
    dates = [d for d in season.days(SEASON_START, SEASON_START + dt.timedelta(days=3 * days))
             if season.is_game_day(d)][:days]
    rows = [season.player_days(number, d) for d in dates]
    flat = [r for day in rows for r in day]
    scores = {name: np.array(model.predict([r.features for r in flat])) for name, model in trained.items()}
    out, at = [], 0
    for day in rows:
        out.append(Day(np.array([r.line_value for r in day]), np.array([r.actual_points for r in day]),
                       {name: s[at:at + len(day)] for name, s in scores.items()}))
        at += len(day)
    return out


def binned(lines: np.ndarray, predicted: np.ndarray) -> drift.Binned:
    """One sample as prediction_drift.sql bins it (edge in 1-point bins clipped to [-8, 8), calls, confidence in
    0.05 bins clipped to [0, 0.95]), with the moments of edge and line."""
    calls = [models.recommend(float(p), float(line)) for p, line in zip(predicted, lines, strict=True)]
    edge = predicted - lines
    out: drift.Binned = {metric: defaultdict(int) for metric in drift.ORDERED}
    for e, (call, confidence) in zip(edge, calls, strict=True):
        out["edge"][float(min(max(math.floor(e), -8), 7))] += 1
        out["recommendation"][call] += 1
        out["confidence"][float(min(max(math.floor(confidence * 20) / 20, 0), 0.95))] += 1
    out["moments"] = distributions.Moments(len(edge), float(edge.sum()), float((edge ** 2).sum()),
                                           float(lines.sum()), float((lines ** 2).sum()), float((edge * lines).sum()))
    return out


def merged(samples: Sequence[drift.Binned]) -> drift.Binned:
    out: drift.Binned = {metric: defaultdict(int) for metric in drift.ORDERED}
    out["moments"] = distributions.Moments()
    for sample in samples:
        for metric in drift.ORDERED:
            for key, count in sample[metric].items():
                out[metric][key] += count
        out["moments"] = out["moments"] + sample["moments"]
    return out


def alarms(days: list[Day], serving: list[str], config: Config) -> list[bool]:
    """Each morning's drift verdict, its reference chosen as views.drift chooses it."""
    wanted = config.thresholds.drift_reference_days
    out = []
    for index in range(len(days)):
        own = [i for i in range(index) if serving[i] == serving[index]][-wanted:]
        if len(own) < wanted:  # a switch: the previous model's last days
            before = [i for i in range(own[0] if own else index) if serving[i] != serving[index]]
            own = [i for i in before if serving[i] == serving[before[-1]]][-wanted:] if before else []
        if not own:
            out.append(False)
            continue
        reference = merged([binned(days[i].lines, days[i].predicted[serving[i]]) for i in own])
        today = binned(days[index].lines, days[index].predicted[serving[index]])
        out.append(any(v.alarm for v in drift.verdicts(reference, today, config.thresholds)))
    return out


def correct(day: Day, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(made a call, was right) per row of the day for model `name`."""
    predicted = day.predicted[name]
    called = np.abs(predicted - day.lines) >= models.PASS_EDGE
    return called, (day.actual > day.lines) == (predicted > day.lines)


def hit_rate(days: Sequence[Day], name: str) -> float:
    hits = graded = 0
    for day in days:
        called, right = correct(day, name)
        hits, graded = hits + int((called & right).sum()), graded + int(called.sum())
    return hits / graded


def blocked(days: Sequence[Day], candidate: str, serving: str, config: Config) -> bool:
    thresholds = config.thresholds
    differences: list[int] = []
    for day in days:
        (c_called, c_right), (s_called, s_right) = correct(day, candidate), correct(day, serving)
        both = c_called & s_called
        differences.extend((s_right[both].astype(int) - c_right[both].astype(int)).tolist())
    if len(differences) < thresholds.backtest_min_picks:
        return False
    return lower_bound(differences, thresholds.backtest_confidence) > thresholds.backtest_margin


def guard_delay(days: list[Day], switch: int, bad: str, baseline: float, line: float, config: Config) -> float:
    """Graded days of the bad model until the hit-rate guard alarms (inf: never this season)."""
    thresholds = config.thresholds
    hits, graded = [], []
    for index, day in enumerate(days):
        called, right = correct(day, bad if index >= switch else "production window")
        hits.append(int((called & right).sum()))
        graded.append(int(called.sum()))
    g, _ = changepoint.statistic(np.array([hits]), np.array([graded]), baseline, thresholds.hit_rate_min_drop,
                                 thresholds.lookback_days)
    after = np.flatnonzero(g[0, switch:] >= line)
    return float(after[0] + 1) if after.size else math.inf


def main() -> None:
    seasons_wanted = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    config = Config()
    thresholds = config.thresholds
    length = thresholds.season_days
    trained = {name: models.train(TRAINED, spec) for name, spec in {**GOOD, **BAD}.items()}
    rng = np.random.default_rng(21)
    seasons = [simulate(trained, 1000 + i, length) for i in range(seasons_wanted)]
    switches = rng.integers(WARMUP, length - WARMUP, size=seasons_wanted)
    everything = [d for s in seasons for d in s]
    baseline = hit_rate(everything, "production window")
    loss = {name: 100 * (baseline - hit_rate(everything, name)) for name in trained}
    volumes = [int(correct(d, "production window")[0].sum()) for d in seasons[0]]
    line = changepoint.line_for(volumes, baseline, thresholds.hit_rate_min_drop, thresholds.lookback_days,
                                thresholds.hit_rate_false_alarms_per_season, length).at
    healthy = [changepoint.episodes(np.array([alarms(s, ["production window"] * length, config)]))[0]
               for s in seasons]
    switched = []
    for s, k in zip(seasons, switches, strict=True):
        serving = ["production window"] * int(k) + [list(GOOD)[1 + int(k) % 2]] * (length - int(k))
        switched.append(changepoint.episodes(np.array([alarms(s, serving, config)]))[0])
    print(f"{seasons_wanted} simulated seasons of {length} game days ({min(len(d.lines) for d in everything)}-"
          f"{max(len(d.lines) for d in everything)} predictions a day); serving model's hit rate {baseline:.1%}; "
          f"drift: {thresholds.drift_false_alarms_per_season:g} false alarms a season shared by {drift.TESTS} tests, "
          f"min gap {thresholds.drift_min_gap:g}, min slope {thresholds.drift_min_slope:g}; backtest: "
          f"{thresholds.backtest_days} days, margin {thresholds.backtest_margin:g}, "
          f"confidence {thresholds.backtest_confidence:g}")
    print(f"drift false alarms per healthy season: {np.mean(healthy):.3f} (one model); {np.mean(switched):.3f} "
          f"(a good model switch on a random day)  target <= 0.1 "
          f"{'OK' if max(np.mean(healthy), np.mean(switched)) <= 0.1 else 'OVER TARGET'}")
    print(f"{'model':22} {'loses':>7} {'drift day 1':>12} {'backtest blocks':>16} {'guard by day 1':>15} "
          f"{'guard median days':>18}")
    caught: dict[str, list[float]] = {"drift": [], "backtest": [], "good blocked": []}
    for name in trained:
        firsts, blocks, delays = [], [], []
        for s, k in zip(seasons, switches, strict=True):
            k = int(k)
            reference = merged([binned(s[i].lines, s[i].predicted["production window"]) for i in range(k - 3, k)])
            today = binned(s[k].lines, s[k].predicted[name])
            firsts.append(any(v.alarm for v in drift.verdicts(reference, today, thresholds)))
            blocks.append(blocked(s[k - thresholds.backtest_days:k], name, "production window", config))
            delays.append(guard_delay(s, k, name, baseline, line, config) if name in BAD else math.inf)
        if name in BAD and loss[name] >= 15:
            caught["drift"].extend(firsts)
            caught["backtest"].extend(blocks)
        if name in GOOD and name != "production window":
            caught["good blocked"].extend(blocks)
        median = float(np.median(delays))
        print(f"{name:22} {loss[name]:6.1f}p {np.mean(firsts):12.0%} {np.mean(blocks):16.0%} "
              f"{np.mean(np.array(delays) <= 1):15.0%} {'never' if math.isinf(median) else f'{median:.0f}':>18}")
    for label, shares, target, at_least in (("drift: 15-point losers caught on day 1", caught["drift"], 0.9, True),
                                            ("backtest: 15-point losers blocked", caught["backtest"], 0.95, True),
                                            ("backtest: good candidates blocked", caught["good blocked"], 0.05, False)):
        value = float(np.mean(shares)) if shares else math.nan
        ok = value >= target if at_least else value <= target
        print(f"{label}: {value:.0%} (target {'>=' if at_least else '<='} {target:.0%}) {'OK' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
