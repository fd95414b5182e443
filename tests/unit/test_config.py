"""Configuration: defaults, environments, overlays, and one-line errors."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from opscheck import config
from opscheck.errors import ConfigError
from opscheck.sql.queries import TABLE_KEYS

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "opscheck.toml"
    path.write_text(text)
    return path


def test_shipped_file_is_the_platform_defaults() -> None:
    loaded = config.load(REPO / "opscheck.toml")
    assert dataclasses_equal(loaded, config.Config())
    assert loaded.table("predictions") == "nba-props-platform.nba_predictions.player_prop_predictions"


def dataclasses_equal(a: config.Config, b: config.Config) -> bool:
    return a == b  # `source` is excluded from comparison


def test_environment_overrides_any_value(tmp_path: Path) -> None:
    path = write(tmp_path, '[gcp]\nproject = "p"\n[env.staging.gcp]\nproject = "p-staging"\n'
                           '[env.staging.thresholds]\ncoverage_floor = 0.5\n')
    staging = config.load(path, env="staging")
    assert staging.gcp.project == "p-staging" and staging.thresholds.coverage_floor == 0.5
    assert config.load(path).gcp.project == "p"
    assert staging.table("predictions") == "p-staging.nba_predictions.player_prop_predictions"


def test_overlay_applies_after_environment(tmp_path: Path) -> None:
    path = write(tmp_path, '[run]\nmode = "offline"\n')
    overlay = tmp_path / "target.toml"
    overlay.write_text('[run]\ntoday = 2026-02-09\n[endpoints]\nbigquery = "http://127.0.0.1:9050"\n')
    loaded = config.load(path, overlays=(overlay,))
    assert loaded.today() == dt.date(2026, 2, 9)
    assert loaded.endpoints.bigquery == "http://127.0.0.1:9050"
    assert loaded.source == f"{path} + {overlay}"


def test_the_users_settings_win_over_an_overlay_except_where_the_platform_is(tmp_path: Path) -> None:
    """The local platform's overlay brings its own timeout and endpoints; a timeout the user wrote stays."""
    path = write(tmp_path, '[endpoints]\ntimeout_seconds = 3\nbigquery = "http://127.0.0.1:1"\n'
                           '[gcp]\nproject = "mine"\n')
    overlay = tmp_path / "target.toml"
    overlay.write_text('[gcp]\nproject = "sandbox-project"\n[thresholds]\nlookback_days = 3\n'
                       '[endpoints]\ntimeout_seconds = 20\nbigquery = "http://127.0.0.1:9050"\n')
    loaded = config.load(path, overlays=(overlay,))
    assert loaded.endpoints.timeout_seconds == 3
    assert loaded.thresholds.lookback_days == 3  # an overlay default the user left alone
    assert (loaded.endpoints.bigquery, loaded.gcp.project) == ("http://127.0.0.1:9050", "sandbox-project")


def test_frozen() -> None:
    with pytest.raises(AttributeError):
        config.Config().gcp.project = "x"  # type: ignore[misc]


@pytest.mark.parametrize(("text", "message"), [
    ('[gcp]\nprojet = "x"\n',
     "gcp.projet: unknown key (known here: build_location, max_bytes_billed, project, region)"),
    ('[thresholds]\ncoverage_floor = "high"\n', "thresholds.coverage_floor: must be a number, got 'high'"),
    ('[thresholds]\ncoverage_floor = 1.5\n', "thresholds.coverage_floor: must be a fraction above 0 and at most 1"),
    # Values that would switch a check off, or leave it nothing to judge (issue 18).
    ('[thresholds]\ncoverage_floor = 0\n', "thresholds.coverage_floor: must be a fraction above 0 and at most 1 "
                                           "(0 would switch the check off), got 0"),
    ('[thresholds]\nfreshness_hours = 1e300\n', "thresholds.freshness_hours: must be a positive number of hours, "
                                                "at most 168"),
    ('[thresholds]\nhit_rate_max_drop = 1\n', "thresholds.hit_rate_max_drop: must be a fraction between 0 and 1, "
                                              "both excluded"),
    ('[subsets]\nnames = []\n', "subsets.names: must be a list of at least one name (an empty list would judge "
                                "nothing)"),
    ('[subsets]\nnames = ["best_bets", "best_bets"]\n', "subsets.names: must be a list without repeats"),
    ('[services]\nothers = ["grading", "prediction-worker"]\n', "services: prediction-worker is named twice"),
    ('[probes]\nmin_delivery_attempts = 12\n', "probes.min_delivery_attempts (12) is above "
                                               "probes.max_delivery_attempts (10): no policy could pass"),
    ('[probes]\nmax_delivery_attempts = 200\n', "probes.max_delivery_attempts: must be between 5 and 100"),
    ('[env.staging.probes]\nmin_delivery_attempts = 12\n', "[env.staging]: probes.min_delivery_attempts (12)"),
    ('[thresholds]\nlookback_days = 2.5\n', "thresholds.lookback_days: must be a whole number"),
    ('[run]\ntoday = "2026-02-30"\n', "run.today: must be a date YYYY-MM-DD"),
    ('[run]\nmode = "replay"\n', "run.mode: must be one of live, offline, record"),
    ('[endpoints]\nbigquery = "localhost:9050"\n', "endpoints.bigquery: must be a URL like http://host:port"),
    ('[tables]\npredictions = "predictions"\n', "tables.predictions: must be a table name like dataset.table"),
    ('[subsets]\nnames = "best_bets"\n', "subsets.names: must be a list of strings"),
    ('[run]\ntimezone = "Mars/Olympus"\n', "run.timezone: must be an IANA time zone"),
    ('[endpoints]\nbigquery = "http://localhost:99999"\n', "endpoints.bigquery: must be a URL like http://host:port "
                                                          "(port 1-65535)"),
    ('[endpoints]\ntimeout_seconds = inf\n', "endpoints.timeout_seconds: must be a positive number of seconds, "
                                            "at most 600"),
    ('[endpoints]\ntimeout_seconds = 0\n', "endpoints.timeout_seconds: must be a positive number of seconds, "
                                          "at most 600"),
    ('[env.staging.gcp]\nprojet = "x"\n', "env.staging.gcp.projet: unknown key"),  # caught though not selected
    ('[services]\nexpected_commit = "main"\n', "services.expected_commit: must be a commit SHA (7-40 hex digits)"),
    ('bogus = 1\n', "bogus: unknown key"),
    ('[gcp\n', "not valid TOML"),
])
def test_bad_values_name_the_key_and_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unknown_environment_lists_the_known_ones(tmp_path: Path) -> None:
    path = write(tmp_path, '[env.staging.gcp]\nproject = "s"\n')
    with pytest.raises(ConfigError, match=r"no environment \[env.prod\] \(environments: staging\)"):
        config.load(path, env="prod")


def test_bad_value_in_environment_names_it(tmp_path: Path) -> None:
    path = write(tmp_path, '[env.staging.gcp]\nzone = "x"\n')
    with pytest.raises(ConfigError, match=r"env.staging.gcp.zone: unknown key"):
        config.load(path, env="staging")


def test_today_defaults_to_new_york_date() -> None:
    import zoneinfo

    assert config.Config().today() == dt.datetime.now(zoneinfo.ZoneInfo("America/New_York")).date()


def test_shipped_staging_points_every_name_elsewhere() -> None:
    production, staging = config.load(REPO / "opscheck.toml"), config.load(REPO / "opscheck.toml", env="staging")
    assert staging.run.mode == "live" and staging.gcp.project != production.gcp.project
    names = {"tables": (), "pubsub": (), "services": ("expected_commit", "worker_min_instances")}  # not names
    for key, settings in names.items():
        ours, theirs = getattr(production, key), getattr(staging, key)
        same = [f.name for f in dataclasses.fields(ours)
                if f.name not in settings and getattr(ours, f.name) == getattr(theirs, f.name)]
        assert same == [], f"[env.staging.{key}] leaves {same} pointing at production"
    assert staging.models.bucket != production.models.bucket
    assert {staging.table(k) for k in TABLE_KEYS}.isdisjoint({production.table(k) for k in TABLE_KEYS})


@pytest.mark.parametrize(("text", "message"), [
    ("[thresholds]\nhit_rate_guard_min_drop = 0.05\n",
     "thresholds.hit_rate_guard_min_drop: renamed: write thresholds.hit_rate_min_drop instead"),
    ('[thresholds]\nhit_rate_rule = "guard"\n',
     "thresholds.hit_rate_rule = 'guard': renamed: write thresholds.hit_rate_rule = 'changepoint' instead"),
])
def test_a_renamed_setting_is_refused_naming_the_new_one(tmp_path: Path, text: str, message: str) -> None:
    """"guard" now means the training-window guard only; an old file says what to write instead."""
    with pytest.raises(ConfigError) as raised:
        config.load(write(tmp_path, text))
    assert str(raised.value).endswith(message)
