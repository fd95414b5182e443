"""The serving model's predictions of a day against a reference: has what they look like moved?

Why: a retrained model that lost its edge (incident 5) shows in the graded games only days after it
serves, but its predictions look different the first morning. The reference is the same model's own
previous days once it has served `drift_reference_days` of the lookback, else the previous model's last
days: a model switch is the moment that matters most. The warehouse bins both (prediction_drift.sql, one
grouped query over the lookback and the session's dates); distributions.py judges them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from typing import Any

from opscheck.config.schema import ThresholdsConfig
from opscheck.views import distributions
from opscheck.views.base import Context, View, Warmer, once

ORDERED = {"edge": True, "recommendation": False, "confidence": True}
"""The binned metrics of prediction_drift.sql, and whether their bins are ordered."""
TESTS = len(ORDERED) + 1  # and the slope of edge on line: the false-alarm rate is shared among them
Binned = dict[str, Any]
"""One sample's counts per bin of each metric (metric -> bin -> predictions), and its "moments"."""


@dataclasses.dataclass(frozen=True)
class Judgement:
    """A day's predictions of one model version against its reference, metric by metric."""

    day: dt.date
    version: str
    reference_version: str
    reference_days: list[dt.date]
    verdicts: list[distributions.Verdict]
    histograms: dict[str, list[dict[str, Any]]]  # metric -> rows of bin, reference share, today's share

    @property
    def alarms(self) -> list[distributions.Verdict]:
        return [v for v in self.verdicts if v.alarm]

    @property
    def switch(self) -> bool:
        """Judged against another model's days: today is a model switch."""
        return self.reference_version != self.version


class Drift(View):
    """Per date: the dominant model version's binned predictions, and its reference's."""

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self._thresholds = self._platform.config.thresholds
        self._span = self._days.span(before=self._thresholds.lookback_days)

    @once
    def _binned(self) -> list[dict[str, Any]]:
        return self._platform.bigquery.query("prediction_drift", system_id=self._platform.config.models.system_id,
                                             **self._span)

    def warmers(self) -> list[Warmer]:
        return [lambda: self._binned]

    def _volumes(self) -> dict[str, dict[str, int]]:
        """Active predictions per date and model version (summed over one metric's bins)."""
        volumes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for row in self._binned:
            if row["metric"] == "recommendation":
                volumes[row["game_date"]][row["model_version"]] += int(row["predictions"])
        return volumes

    def judge(self, day: dt.date) -> Judgement | str:
        """`day`'s judgement, or why there is nothing to judge it by."""
        volumes = self._volumes()
        today = volumes.get(day.isoformat())
        if not today:
            return f"{day}: no active prediction to judge (test_predictions_landed says whether any were due)"
        version = _dominant(today)
        earlier = sorted((d for d in volumes if d < day.isoformat()), reverse=True)
        own = [d for d in earlier if version in volumes[d]]
        wanted = self._thresholds.drift_reference_days
        if len(own) >= wanted:
            reference_version, days = version, own[:wanted]
        else:  # a model switch: the previous model's last days
            before = [d for d in earlier if d < (own[-1] if own else day.isoformat())]
            if not before:
                return (f"{day}: {version} has served {len(own)} of the {self._thresholds.lookback_days} days before, "
                        f"and no other model served before it in that window: no reference to hold it against")
            reference_version = _dominant(volumes[before[0]])
            days = [d for d in before if reference_version in volumes[d]][:wanted]
        reference = self._pick(reference_version, set(days))
        now = self._pick(version, {day.isoformat()})
        return Judgement(day, version, reference_version, sorted(dt.date.fromisoformat(d) for d in days),
                         verdicts(reference, now, self._thresholds),
                         {metric: _rows(metric, reference[metric], now[metric]) for metric in ORDERED})

    def _pick(self, version: str, days: set[str]) -> Binned:
        """The counts per bin of each metric, and the moments, of `version` on `days`."""
        picked: Binned = {metric: defaultdict(int) for metric in ORDERED}
        moments = distributions.Moments()
        for row in self._binned:
            if row["model_version"] != version or row["game_date"] not in days:
                continue
            key = row["bin"] if not ORDERED[row["metric"]] else float(row["low"])
            picked[row["metric"]][key] += int(row["predictions"])
            if row["metric"] == "recommendation":
                moments = moments + distributions.Moments(
                    int(row["predictions"]), row["edge_sum"], row["edge_squares"], row["line_sum"],
                    row["line_squares"], row["edge_line_sum"])
        picked["moments"] = moments
        return picked


def _dominant(versions: dict[str, int]) -> str:
    """The version that made most of a day's predictions (the serving one; ties to the later name)."""
    return max(versions, key=lambda v: (versions[v], v))


def verdicts(reference: Binned, today: Binned, thresholds: ThresholdsConfig) -> list[distributions.Verdict]:
    """Every metric of `today` against `reference`, sharing the configured false-alarm rate among the tests."""
    alpha = thresholds.drift_false_alarms_per_season / thresholds.season_days / TESTS
    gap = thresholds.drift_min_gap
    judged = [distributions.histogram(metric, reference[metric], today[metric], ordered, alpha, gap)
              for metric, ordered in ORDERED.items()]
    slope = distributions.slope(reference["moments"], today["moments"], alpha, thresholds.drift_min_slope)
    return judged if slope is None else [*judged, slope]


def _rows(metric: str, reference: dict[Any, int], today: dict[Any, int]) -> list[dict[str, Any]]:
    bins = sorted({*reference, *today}, key=lambda b: (isinstance(b, str), b))
    before, after = distributions.shares(reference, bins), distributions.shares(today, bins)
    return [{metric: b if isinstance(b, str) else f"from {b:g}", "reference": round(r, 3), "today": round(t, 3)}
            for b, r, t in zip(bins, before, after, strict=True)]
