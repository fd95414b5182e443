"""The hit-rate change-point statistic, pinned on small series computed by hand (opscheck/views/changepoint.py)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest

from opscheck.views import changepoint

P0, MIN_DROP = 0.7, 0.05
DAYS = [dt.date(2026, 2, day) for day in range(1, 6)]


def g_of(*days: tuple[int, int]) -> tuple[list[float], list[int]]:
    """G and the change-day index after each of these (hits, graded) days."""
    hits, graded = np.array([[h for h, _ in days]]), np.array([[n for _, n in days]])
    g, start = changepoint.statistic(hits, graded, P0, MIN_DROP, 14)
    return g[0].tolist(), start[0].tolist()


def test_a_single_bad_day_weighs_its_picks() -> None:
    # 5 of 20: p = 0.25; LLR = 5 ln(0.25/0.7) + 15 ln(0.75/0.3) = -5.148 + 13.744
    g, start = g_of((5, 20))
    assert g[0] == pytest.approx(5 * math.log(0.25 / 0.7) + 15 * math.log(0.75 / 0.3)) == pytest.approx(8.596, abs=1e-3)
    assert start == [0]


def test_a_day_without_graded_picks_changes_nothing() -> None:
    g, start = g_of((5, 20), (0, 0))
    assert g[1] == pytest.approx(g[0]) and start[1] == 0


def test_a_healthy_day_is_no_evidence() -> None:
    # 14 of 20 is the baseline itself and 20 of 20 above it: G stays 0
    assert g_of((14, 20), (20, 20))[0] == [0.0, 0.0]
    # 13 of 20 (65 %) is exactly the 5 points the change-point test acts on: counted, if barely
    assert 0.0 < g_of((13, 20))[0][0] < 0.2


def test_a_recovery_pulls_the_statistic_back() -> None:
    # after 5/20 then 20/20: from day 0, 25 of 40 (62.5 %): 25 ln(0.625/0.7) + 15 ln(0.375/0.3) = 0.514;
    # from day 1, 20 of 20 is no drop (p is capped at 0.65: LLR < 0, counted as 0)
    g, start = g_of((5, 20), (20, 20))
    expected = 25 * math.log(0.625 / 0.7) + 15 * math.log(0.375 / 0.3)
    assert g[1] == pytest.approx(expected) == pytest.approx(0.514, abs=1e-3)
    assert start[1] == 0 and g[1] < g[0]


def test_the_change_day_is_where_the_drop_began() -> None:
    line = changepoint.Line(5.0, np.array([1.0, 2.0, 6.0, 10.0]))
    days = list(zip(DAYS, (14, 15, 6, 5, 5), (20, 20, 20, 20, 20), strict=True))
    verdict = changepoint.judge(days, P0, MIN_DROP, 14, line)
    assert verdict.alarm and verdict.since == dt.date(2026, 2, 3)
    assert verdict.since_counts == (16, 60)
    assert verdict.healthy_share == pytest.approx(0.25 if verdict.g[-1] <= 10 else 0.0)


def test_the_line_meets_its_false_alarm_rate_and_is_the_same_every_time() -> None:
    volumes = [40, 55, 70, 25]
    line = changepoint.line_for(volumes, P0, MIN_DROP, 14, 0.1, 60, seasons=500)
    assert line.at == changepoint.line_for(volumes, P0, MIN_DROP, 14, 0.1, 60, seasons=500).at
    rng = np.random.default_rng(7)
    graded = rng.choice(volumes, size=(500, 60))
    g, _ = changepoint.statistic(rng.binomial(graded, P0), graded, P0, MIN_DROP, 14)
    assert changepoint.episodes(g >= line.at).mean() <= 0.2  # an independent sample: near the configured 0.1
    assert changepoint.episodes(g >= line.at / 2).mean() > 0.1  # and no higher than it needs to be


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="min_drop"):
        changepoint.statistic(np.zeros((1, 1)), np.zeros((1, 1)), 0.7, 0.8, 14)
    with pytest.raises(ValueError, match="at least one day"):
        changepoint.line_for([], 0.7, 0.05, 14, 0.1, 10)


def test_a_calibrated_line_is_kept_by_its_inputs(tmp_path: Path) -> None:
    """Every offline run paid the 0.28 s calibration (issue 18): the same inputs now read the line back."""
    volumes = [30, 44, 21, 60, 35]
    first = changepoint.cached_line(volumes, 0.7, 0.05, 14, 0.1, 110, cache=tmp_path)
    [kept] = list(tmp_path.glob("*.npz"))
    again = changepoint.cached_line(volumes, 0.7, 0.05, 14, 0.1, 110, cache=tmp_path)
    assert again.at == first.at and (again.healthy_maxima == first.healthy_maxima).all()
    assert again.at == changepoint.line_for(volumes, 0.7, 0.05, 14, 0.1, 110).at  # what the simulation says
    changepoint.cached_line(volumes, 0.71, 0.05, 14, 0.1, 110, cache=tmp_path)  # other inputs, another line
    assert len(list(tmp_path.glob("*.npz"))) == 2 and kept.is_file()
    kept.write_bytes(b"not an npz")  # a damaged cache costs the simulation, never a wrong line
    assert changepoint.cached_line(volumes, 0.7, 0.05, 14, 0.1, 110, cache=tmp_path).at == first.at
