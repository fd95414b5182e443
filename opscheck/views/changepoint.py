"""A sequential change-point test on the serving model's daily (hits, graded) series: a binomial GLR test.

Why: the rolling 7-day rate against "registry minus 10 points" needs about
four days of coin-flip picks before it trips, never notices a slow drift, and
has a false-alarm rate nobody chose. Here each morning asks, for every day k
the drop could have started on, how much likelier the picks graded since k
are under the rate they actually show than under the registry's rate p0:

    LLR_k = X_k ln(p_k / p0) + (N_k - X_k) ln((1 - p_k) / (1 - p0)),
    p_k   = min(X_k / N_k, p0 - min_drop)        (X_k hits of N_k graded picks since day k)
    G     = max_k LLR_k over the last `window` days,  the change day = the k that attains it

This is the generalized likelihood ratio (GLR) form of Page's CUSUM, which
does not need the size of the drop fixed in advance: one test is quick on a
crash and still adds up a small drop or a drift (T. L. Lai, "Sequential
changepoint detection in quality control and dynamical systems", JRSS B 57,
1995; for proportions, M. R. Reynolds and Z. G. Stoumbos, Journal of Quality
Technology 31, 1999). It knows its sample sizes: a day with 80 graded picks
weighs twice a day with 40, a day with none weighs nothing. `min_drop` keeps a
drop too small to act on from ever counting.

The alarm line is set so that a healthy model (picks at p0) raises at most
the configured number of false alarms per season: simulated with a fixed
seed on the platform's own daily volumes in their order (tables for binomial
charts assume a constant sample size), counting alarm episodes as on-call
meets them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

SEED = 20260209  # the calibration is a fixed function of its inputs: the same data, the same line
CALIBRATION_SEASONS = 4000


def statistic(hits: np.ndarray, graded: np.ndarray, baseline: float, min_drop: float,
              window: int) -> tuple[np.ndarray, np.ndarray]:
    """G after each day, and the change day (index) it points at, for seasons x days arrays of counts.

    Candidate change days reach back `window` days (the window-limited GLR of Lai, 1995: its cost stays
    linear in the season, and a drop older than the window has long been flagged).
    """
    if not 0 < min_drop < baseline < 1:
        raise ValueError(f"the change-point test needs 0 < min_drop ({min_drop}) < baseline ({baseline}) < 1")
    seasons, days = hits.shape
    low = baseline - min_drop
    at_low = (np.log(low / baseline), np.log((1 - low) / (1 - baseline)))  # a hit's and a miss's evidence at p = low
    zero = np.zeros((seasons, 1), dtype=np.int64)
    total_hits = np.concatenate([zero, np.cumsum(hits, axis=1)], axis=1)
    total_graded = np.concatenate([zero, np.cumsum(graded, axis=1)], axis=1)
    g = np.zeros((seasons, days))
    start = np.tile(np.arange(days), (seasons, 1))
    for back in range(min(window, days)):  # the change began `back` days before day t
        x = total_hits[:, back + 1:] - total_hits[:, :days - back]
        n = total_graded[:, back + 1:] - total_graded[:, :days - back]
        llr = x * at_low[0] + (n - x) * at_low[1]  # where the rate shown is at least `low`, p is capped there
        below = x < low * n  # elsewhere p is the rate shown (logs only where needed: most days are not below)
        xb, nb = x[below], n[below]
        p = np.maximum(xb / nb, 1e-9)
        llr[below] = xb * np.log(p / baseline) + (nb - xb) * np.log((1 - p) / (1 - baseline))
        better = llr > g[:, back:]
        g[:, back:] = np.where(better, llr, g[:, back:])
        start[:, back:] = np.where(better, np.arange(days - back), start[:, back:])
    return g, start


def episodes(alarms: np.ndarray) -> np.ndarray:
    """Alarm episodes per season (a morning that alarms after one that did not)."""
    rising: np.ndarray = alarms[:, 0].astype(int) + (alarms[:, 1:] & ~alarms[:, :-1]).sum(axis=1)
    return rising


@dataclasses.dataclass(frozen=True)
class Line:
    """Where the test alarms, and each simulated healthy season's highest G (to say how rare a value is)."""

    at: float
    healthy_maxima: np.ndarray


def cached_line(volumes: Sequence[int], baseline: float, min_drop: float, window: int,
                false_alarms_per_season: float, season_days: int, cache: Path | None = None) -> Line:
    """line_for, kept on disk by its inputs: the same data give the same line, so a run need not simulate again.

    The key holds every input and this module's own source, so a changed calibration is never read back;
    a cache that cannot be read or written costs only the simulation.
    """
    inputs = json.dumps([list(map(int, volumes)), baseline, min_drop, window, false_alarms_per_season, season_days,
                         CALIBRATION_SEASONS, SEED, hashlib.sha256(Path(__file__).read_bytes()).hexdigest()])
    folder = cache or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "opscheck" / "changepoint"
    path = folder / f"{hashlib.sha256(inputs.encode()).hexdigest()[:32]}.npz"
    with contextlib.suppress(OSError, ValueError, KeyError), np.load(path) as kept:
        return Line(float(kept["at"]), kept["healthy_maxima"])
    line = line_for(volumes, baseline, min_drop, window, false_alarms_per_season, season_days)
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{path.stem}.{os.getpid()}.npz"
        np.savez(partial, at=line.at, healthy_maxima=line.healthy_maxima)
        partial.replace(path)
    return line


def line_for(volumes: Sequence[int], baseline: float, min_drop: float, window: int,
             false_alarms_per_season: float, season_days: int, seasons: int = CALIBRATION_SEASONS) -> Line:
    """The lowest line a healthy model crosses at most `false_alarms_per_season` times a season."""
    if not volumes:
        raise ValueError("the change-point test needs at least one day of graded picks to calibrate on")
    rng = np.random.default_rng(SEED)
    # The volumes in their own order (a weekly rhythm of busy and quiet slates), repeated over a season from a
    # random day of it: drawn independently, quiet days would never cluster and the line would sit too low.
    cycle = np.asarray(volumes, dtype=np.int64)
    offsets = rng.integers(0, cycle.size, size=(seasons, 1))
    graded = cycle[(offsets + np.arange(season_days)[None, :]) % cycle.size]
    g, _ = statistic(rng.binomial(graded, baseline), graded, baseline, min_drop, window)
    low, high = 0.0, float(g.max()) + 1.0
    for _ in range(40):  # fewer episodes the higher the line: bisect to the lowest that meets the rate
        middle = (low + high) / 2
        if episodes(g >= middle).mean() <= false_alarms_per_season:
            high = middle
        else:
            low = middle
    return Line(high, g.max(axis=1))


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The test's answer on a series, oldest day first."""

    dates: list[dt.date]
    hits: list[int]
    graded: list[int]
    g: list[float]
    start: list[int]
    line: Line

    @property
    def alarm(self) -> bool:
        return bool(self.g) and self.g[-1] >= self.line.at

    @property
    def since(self) -> dt.date:
        """The estimated first bad day (the start that makes the drop likeliest)."""
        return self.dates[self.start[-1]]

    @property
    def since_counts(self) -> tuple[int, int]:
        """(hits, graded) from the change day on."""
        k = self.start[-1]
        return sum(self.hits[k:]), sum(self.graded[k:])

    @property
    def healthy_share(self) -> float:
        """The share of healthy seasons in which G ever gets as high as it is now."""
        return float(np.mean(self.line.healthy_maxima >= self.g[-1])) if self.g else 1.0

    def rows(self) -> list[dict[str, object]]:
        return [{"game_date": d.isoformat(), "hits": h, "graded": n,
                 "hit_rate": f"{h / n:.1%}" if n else "-", "GLR": round(g, 2), "alarm line": round(self.line.at, 2)}
                for d, h, n, g in zip(self.dates, self.hits, self.graded, self.g, strict=True)]


def judge(series: Sequence[tuple[dt.date, int, int]], baseline: float, min_drop: float, window: int,
          line: Line) -> Verdict:
    """The test on (date, hits, graded) days, oldest first."""
    dates = [d for d, _, _ in series]
    hits, graded = [h for _, h, _ in series], [n for _, _, n in series]
    g, start = statistic(np.array([hits], dtype=np.int64), np.array([graded], dtype=np.int64), baseline, min_drop,
                         window)
    return Verdict(dates, hits, graded, g[0].tolist(), start[0].tolist(), line)
