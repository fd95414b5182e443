"""Has a day's predictions' distribution moved from a reference? Two-sample tests on binned counts.

Why binned, and why these statistics: the warehouse bins the predictions (prediction_drift.sql) so opscheck
never pulls the rows, and on 20-75 predictions a day only coarse, robust statistics hold a false-alarm rate:

- a histogram (edge, calls, confidence) is judged by its largest gap: for ordered bins the largest gap
  between the cumulative shares (a Kolmogorov-Smirnov distance on bins), for categories the largest gap
  between two shares. Its alarm line is the 1 - alpha quantile of the same gap between two samples of
  these sizes drawn from the pooled counts (what "nothing moved" looks like at these volumes), simulated
  with a fixed seed so that a replay judges as the live run did;
- how edges follow the line is judged by the slope of edge on line (least squares, from the binned sums):
  a model whose predictions stopped reading the features regresses to its mean, so its edge falls by
  nearly a point for every point of line, while a sound one's hardly moves. The two slopes' difference is
  tested with its standard error (normal quantile at alpha).

Each also needs a gap of practical size (drift_min_gap, drift_min_slope): on volumes this small a test
that may alarm at any significant gap would fire at every harmless model switch.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from statistics import NormalDist

SIMULATIONS = 20_000
"""Simulated pairs of samples per alarm line: enough to place a 1 - alpha quantile for alpha ~ 2e-4."""

Bin = str | float
"""A bin: a category's name, or an ordered bin's lower bound."""


@dataclasses.dataclass(frozen=True)
class Moments:
    """Sums of one sample's edges e and lines l: what the slope of e on l needs."""

    n: int = 0
    e: float = 0.0
    ee: float = 0.0
    line: float = 0.0
    ll: float = 0.0
    el: float = 0.0

    def __add__(self, other: Moments) -> Moments:
        return Moments(*(a + b for a, b in zip(dataclasses.astuple(self), dataclasses.astuple(other), strict=True)))

    def slope(self) -> tuple[float, float] | None:
        """(slope of edge on line, its standard error); None with fewer than 3 rows or lines all equal."""
        if self.n < 3:
            return None
        sxx = self.ll - self.line ** 2 / self.n
        if sxx <= 1e-9:
            return None
        sxy = self.el - self.e * self.line / self.n
        syy = self.ee - self.e ** 2 / self.n
        slope = sxy / sxx
        residual = max(syy - slope * sxy, 0.0) / (self.n - 2)
        return slope, math.sqrt(residual / sxx)


@dataclasses.dataclass(frozen=True)
class Verdict:
    """One metric's judgement: its statistic, the line it alarms at, and what moved."""

    metric: str
    statistic: float
    line: float  # alarms when the statistic exceeds it
    moved: str  # what moved, in words
    today: int
    reference: int

    @property
    def alarm(self) -> bool:
        return self.statistic > self.line


def shares(counts: Mapping[Bin, int], bins: Sequence[Bin]) -> list[float]:
    total = sum(counts.values())
    return [counts.get(b, 0) / total if total else 0.0 for b in bins]


def histogram(metric: str, reference: Mapping[Bin, int], today: Mapping[Bin, int], ordered: bool, alpha: float,
              min_gap: float) -> Verdict:
    """The largest gap between today's and the reference's (cumulative) shares against its alarm line."""
    import numpy as np

    bins = sorted({*reference, *today}, key=lambda b: (isinstance(b, str), b))
    ref, now = np.array(shares(reference, bins)), np.array(shares(today, bins))
    gaps = np.abs(np.cumsum(now) - np.cumsum(ref)) if ordered else np.abs(now - ref)
    worst = int(np.argmax(gaps))
    m, n = sum(reference.values()), sum(today.values())
    pooled = np.array([reference.get(b, 0) + today.get(b, 0) for b in bins], dtype=float) / (m + n)
    rng = np.random.default_rng(0)
    a = rng.multinomial(m, pooled, size=SIMULATIONS) / m
    b = rng.multinomial(n, pooled, size=SIMULATIONS) / n
    null = np.abs(np.cumsum(a, axis=1) - np.cumsum(b, axis=1)) if ordered else np.abs(a - b)
    line = max(float(np.quantile(null.max(axis=1), 1 - alpha)), min_gap)
    if ordered:  # the gap at bin `worst` is of the shares below the next bin's lower bound
        where = f"the share below {_label(bins[worst + 1])}" if worst + 1 < len(bins) else "the whole"
        before, after = float(np.cumsum(ref)[worst]), float(np.cumsum(now)[worst])
    else:
        where = f"the {bins[worst]} share"
        before, after = float(ref[worst]), float(now[worst])
    return Verdict(metric, float(gaps[worst]), line, f"{where} moved from {before:.0%} to {after:.0%}", n, m)


def slope(reference: Moments, today: Moments, alpha: float, min_slope: float) -> Verdict | None:
    """How far today's slope of edge on line is from the reference's, in standard errors, against the line
    of alpha; None when either sample has too few rows or one line only."""
    ref, now = reference.slope(), today.slope()
    if ref is None or now is None:
        return None
    difference = now[0] - ref[0]
    # The z test |difference| / error > z(alpha), read in edge points per point of line: its line is z x error.
    line = max(NormalDist().inv_cdf(1 - alpha / 2) * math.hypot(ref[1], now[1]), min_slope)
    return Verdict("edge vs line", abs(difference), line,
                   f"edges moved {difference:+.2f} points per point of line (slope {ref[0]:+.2f} -> {now[0]:+.2f})",
                   today.n, reference.n)


def _label(low: Bin) -> str:
    return f"{low:g}" if isinstance(low, float) else str(low)
