"""Has a day's predictions' distribution moved from a reference? Two-sample tests on binned counts.

Why binned, and why these statistics: the warehouse bins the predictions (prediction_drift.sql) so opscheck
never pulls the rows, and on 20-75 predictions a day only coarse, robust statistics hold a false-alarm rate:

- a histogram (edge, calls, confidence) is judged by its largest gap: for ordered bins the largest gap
  between the cumulative shares (a Kolmogorov-Smirnov distance on bins), for categories the largest gap
  between two shares. Its alarm line is where two samples of these sizes from one distribution reach with
  probability at most alpha (gap_line: a bound, so it holds whatever the distribution);
- how edges follow the line is judged by the slope of edge on line (least squares, from the binned sums):
  a model whose predictions stopped reading the features regresses to its mean, so its edge falls by
  nearly a point for every point of line, while a sound one's hardly moves. The two slopes' difference is
  tested with its standard error (normal quantile at alpha).

Each also needs a gap of practical size (drift_min_gap, drift_min_slope): on volumes this small a test
that may alarm at any significant gap would fire at every harmless model switch.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Mapping, Sequence
from statistics import NormalDist

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
    bins = sorted({*reference, *today}, key=lambda b: (isinstance(b, str), b))
    ref, now = shares(reference, bins), shares(today, bins)
    if ordered:
        ref, now = list(itertools.accumulate(ref)), list(itertools.accumulate(now))
    gaps = [abs(a - b) for a, b in zip(now, ref, strict=True)]
    worst = max(range(len(bins)), key=lambda i: gaps[i])
    m, n = sum(reference.values()), sum(today.values())
    line = max(gap_line(m, n, 1 if ordered else len(bins), alpha), min_gap)
    if ordered:  # the gap at bin `worst` is of the shares below the next bin's lower bound
        where = f"the share below {_label(bins[worst + 1])}" if worst + 1 < len(bins) else "the whole"
    else:
        where = f"the {bins[worst]} share"
    return Verdict(metric, gaps[worst], line, f"{where} moved from {ref[worst]:.0%} to {now[worst]:.0%}", n, m)


def gap_line(m: int, n: int, cells: int, alpha: float) -> float:
    """The gap two samples of m and n from one distribution exceed with probability at most alpha.

    Ordered bins (cells=1): the two-sample Dvoretzky-Kiefer-Wolfowitz bound on the largest gap between
    cumulative shares, P(D > d) <= 2 exp(-2 d^2 mn / (m + n)); on bins it only over-counts. Categories:
    Hoeffding's bound on each share's gap, shared among the cells. Either way the false-alarm rate is at
    most alpha whatever the distribution, which on a few dozen predictions matters more than the power a
    tighter, simulated line would add.
    """
    if not m or not n:
        return math.inf
    return math.sqrt(math.log(2 * cells / alpha) / 2 * (m + n) / (m * n))


def slope(reference: Moments, today: Moments, alpha: float, min_slope: float) -> Verdict | None:
    """How far today's slope of edge on line is from the reference's, in standard errors, against the line
    of alpha; None when either sample has too few rows or one line only."""
    ref, now = reference.slope(), today.slope()
    if ref is None or now is None:
        return None
    difference = now[0] - ref[0]
    # The z test |difference| / error > z(alpha / 2), read in edge points per point of line: its line is z x error.
    line = max(NormalDist().inv_cdf(1 - alpha / 2) * math.hypot(ref[1], now[1]), min_slope)
    return Verdict("edge vs line", abs(difference), line,
                   f"edges moved {difference:+.2f} points per point of line (slope {ref[0]:+.2f} -> {now[0]:+.2f})",
                   today.n, reference.n)


def _label(low: Bin) -> str:
    return f"{low:g}" if isinstance(low, float) else str(low)
