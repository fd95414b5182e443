"""The seeded season and the model conventions the local platform is built on."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from opscheck.sandbox import models, season

NAME = re.compile(r"^catboost_v9_(\d+)f_train(\d{8})-(\d{8})_(\d{8}T\d{6})\.cbm$")


def test_same_seed_same_season_other_seed_other_season() -> None:
    day = dt.date(2026, 2, 3)
    assert season.player_days(7, day) == season.player_days(7, day)
    assert season.player_days(7, day) != season.player_days(8, day)


def test_season_shape() -> None:
    assert len(season.players(7)) == 360
    assert season.games(7, dt.date(2025, 11, 27)) == ()  # Thanksgiving
    assert all(season.games(7, season.ALL_STAR_BREAK[0] + dt.timedelta(days=i)) == () for i in range(6))
    for day in season.days(season.SEASON_START, season.TODAY):
        teams = [t for g in season.games(7, day) for t in (g.home, g.away)]
        assert len(teams) == len(set(teams)), f"a team plays twice on {day}"
    lines = season.player_days(7, season.TODAY)
    assert lines and all(pd.line_value % 1 == 0.5 for pd in lines)  # no pushes
    assert all(len(pd.features) == season.FEATURE_COUNT for pd in lines)


@pytest.mark.parametrize("spec", models.HISTORY, ids=lambda s: s.status)
def test_file_names_follow_the_convention(spec: models.ModelSpec) -> None:
    match = NAME.match(spec.file)
    assert match, spec.file
    features, start, end, created = match.groups()
    assert int(features) == season.FEATURE_COUNT
    assert (start, end) == (f"{spec.training_start:%Y%m%d}", f"{spec.training_end:%Y%m%d}")
    assert spec.version == f"v9_{created[:8]}_{created[9:]}"


def test_production_is_the_one_of_platform_md() -> None:
    assert models.PRODUCTION.file == "catboost_v9_33f_train20251102-20260108_20260201T011018.cbm"
    assert models.PRODUCTION.version == "v9_20260201_011018"


def test_no_model_serves_inside_its_training_window() -> None:
    for day in season.days(season.SEASON_START, season.TODAY):
        assert models.serving_model(day).training_end < day


@pytest.mark.parametrize(("predicted", "line", "call"), [
    (25.0, 20.5, "OVER"), (15.0, 20.5, "UNDER"), (21.0, 20.5, "PASS"), (19.6, 20.5, "PASS"),
])
def test_recommendation(predicted: float, line: float, call: str) -> None:
    got, confidence = models.recommend(predicted, line)
    assert got == call and 0.5 <= confidence <= 0.99


def test_hit_rate_ignores_pass() -> None:
    rows = season.player_days(7, season.TODAY)[:3]
    over = [r.line_value + 5 for r in rows]
    expected = sum(r.actual_points > r.line_value for r in rows) / 3
    assert models.hit_rate(over, rows) == round(expected, 3)
    assert models.hit_rate([r.line_value for r in rows], rows) == 0.0  # every call a PASS
