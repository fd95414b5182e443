"""What happened downstream of predictions: subsets and hit rate."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from opscheck.platform import Platform
from opscheck.resources import Days, Warmer, between, complete, once

if TYPE_CHECKING:  # numpy and the guard load only when a hit rate is judged
    from opscheck import guard

ONE_DAY = dt.timedelta(days=1)


class Subsets:
    """Named subset picks for every date that has predictions, over a look-back window."""

    def __init__(self, platform: Platform, days: Days) -> None:
        self._platform = platform
        self._days = days
        self.names = platform.config.subsets.names
        self.lookback = platform.config.thresholds.lookback_days

    @once
    def _coverage(self) -> list[dict[str, Any]]:
        span = self._days.span(before=self.lookback - 1)
        rows = self._platform.bigquery.query(
            "subset_coverage", system_id=self._platform.config.models.system_id, subsets=list(self.names), **span)
        complete("subset_coverage", rows, ("game_date", "subset_name"),
                 {(day.isoformat(), name) for day in between(span["start"], span["end"]) for name in self.names})
        return rows

    def warmers(self) -> list[Warmer]:
        return [lambda: self._coverage]

    def window(self, day: dt.date) -> tuple[dt.date, dt.date]:
        return day - dt.timedelta(days=self.lookback - 1), day

    def coverage(self, day: dt.date) -> list[dict[str, Any]]:
        """(date, subset, predictions, picks) for every date and subset of `day`'s window."""
        start, end = self.window(day)
        return [r for r in self._coverage if start.isoformat() <= r["game_date"] <= end.isoformat()]

    def missing(self, day: dt.date) -> list[tuple[str, str]]:
        """(date, subset) pairs with predictions but no picks, in `day`'s window."""
        return [(r["game_date"], r["subset_name"]) for r in self.coverage(day) if r["predictions"] and not r["picks"]]

    def predicted_days(self, day: dt.date) -> int:
        """How many dates of `day`'s window have active predictions (what the check had to judge)."""
        return len({r["game_date"] for r in self.coverage(day) if r["predictions"]})


class HitRate:
    """Daily hit rates per model version, graded picks only (PASS and voids excluded)."""

    def __init__(self, platform: Platform, days: Days) -> None:
        self._platform = platform
        self._days = days
        self.window_days = platform.config.thresholds.hit_rate_window_days
        self._lines: dict[tuple[str, float], guard.Line] = {}

    @once
    def _daily(self) -> list[dict[str, Any]]:
        # The look-back window too, for the report's trend.
        before = max(self.window_days, self._platform.config.thresholds.lookback_days)
        return self._platform.bigquery.query(
            "hit_rate_daily", system_id=self._platform.config.models.system_id,
            **self._days.span(before=before, after=-1),
        )

    def warmers(self) -> list[Warmer]:
        return [lambda: self._daily]

    def daily(self, day: dt.date, model_version: str) -> list[dict[str, Any]]:
        """Per-date hits and graded picks of `model_version` over the window before `day`."""
        start = (day - dt.timedelta(days=self.window_days)).isoformat()
        end = (day - ONE_DAY).isoformat()
        return [r for r in self._daily
                if start <= r["game_date"] <= end and r["model_version"] == model_version]

    def graded_rows(self, day: dt.date, model_version: str) -> int:
        """Graded rows of `model_version` over the window before `day`, hit, miss or neither."""
        return sum(int(r["rows"]) for r in self.daily(day, model_version))

    def on(self, day: dt.date, model_version: str) -> tuple[int, int] | None:
        """(hits, graded picks) of `model_version` on `day` itself; None when none was graded."""
        rows = [r for r in self._daily if r["game_date"] == day.isoformat() and r["model_version"] == model_version]
        graded = sum(int(r["graded"]) for r in rows)
        return (sum(int(r["hits"]) for r in rows), graded) if graded else None

    def series(self, day: dt.date, model_version: str) -> list[tuple[dt.date, int, int]]:
        """(date, hits, graded) of `model_version` on each graded day fetched before `day`, oldest first."""
        return [(dt.date.fromisoformat(r["game_date"]), int(r["hits"]), int(r["graded"])) for r in self._daily
                if r["game_date"] < day.isoformat() and r["model_version"] == model_version and int(r["graded"])]

    def guard(self, day: dt.date, model_version: str, baseline: float) -> guard.Verdict:
        """The sequential guard (opscheck/guard.py) on the days before `day`; its line calibrated once per inputs."""
        from opscheck import guard

        thresholds = self._platform.config.thresholds
        key = (model_version, baseline)
        if key not in self._lines:
            volumes = [int(r["graded"]) for r in self._daily
                       if r["model_version"] == model_version and int(r["graded"])]
            self._lines[key] = guard.cached_line(volumes, baseline, thresholds.hit_rate_guard_min_drop,
                                              thresholds.lookback_days, thresholds.hit_rate_false_alarms_per_season,
                                              thresholds.season_days)
        return guard.judge(self.series(day, model_version), baseline, thresholds.hit_rate_guard_min_drop,
                           thresholds.lookback_days, self._lines[key])

    def rolling(self, day: dt.date, model_version: str) -> tuple[float | None, int]:
        """(hit rate, graded picks) over the window before `day`; None with no graded pick."""
        rows = self.daily(day, model_version)
        graded = sum(int(r["graded"]) for r in rows)
        hits = sum(int(r["hits"]) for r in rows)
        return (hits / graded if graded else None), graded
