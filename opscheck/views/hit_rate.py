"""The serving model's hit rate: daily hits and graded picks, judged by a change-point test (changepoint.py)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from opscheck.views.base import Context, View, Warmer, once

if TYPE_CHECKING:  # numpy and the change-point test load only when a hit rate is judged
    from opscheck.views import changepoint

ONE_DAY = dt.timedelta(days=1)


class HitRate(View):
    """Daily hit rates per model version, graded picks only (PASS and voids excluded)."""

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.window_days = self._platform.config.thresholds.hit_rate_window_days
        self._lines: dict[tuple[str, float], changepoint.Line] = {}

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

    def changepoint(self, day: dt.date, model_version: str, baseline: float) -> changepoint.Verdict:
        """The change-point test (changepoint.py) on the days before `day`; its line calibrated once per inputs."""
        from opscheck.views import changepoint

        thresholds = self._platform.config.thresholds
        key = (model_version, baseline)
        if key not in self._lines:
            volumes = [int(r["graded"]) for r in self._daily
                       if r["model_version"] == model_version and int(r["graded"])]
            self._lines[key] = changepoint.cached_line(volumes, baseline, thresholds.hit_rate_min_drop,
                                              thresholds.lookback_days, thresholds.hit_rate_false_alarms_per_season,
                                              thresholds.season_days)
        return changepoint.judge(self.series(day, model_version), baseline, thresholds.hit_rate_min_drop,
                           thresholds.lookback_days, self._lines[key])

    def rolling(self, day: dt.date, model_version: str) -> tuple[float | None, int]:
        """(hit rate, graded picks) over the window before `day`; None with no graded pick."""
        rows = self.daily(day, model_version)
        graded = sum(int(r["graded"]) for r in rows)
        hits = sum(int(r["hits"]) for r in rows)
        return (hits / graded if graded else None), graded
