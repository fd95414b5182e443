"""How a session resolves mode, target, scenario and "today" (no socket is opened)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from opscheck.config import SANDBOX_DIR_ENV
from opscheck.errors import ConfigError
from opscheck.platform.channel import LiveChannel
from opscheck.replay import RecordChannel, ReplayChannel
from opscheck.session import MODE_ENV, Options, open_session

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "opscheck.toml"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.delenv(MODE_ENV, raising=False)
    monkeypatch.setenv(SANDBOX_DIR_ENV, str(tmp_path))
    (tmp_path / "target.toml").write_text('[run]\ntoday = 2026-02-09\n[endpoints]\nanonymous = true\n')
    return tmp_path


def test_shipped_default_is_offline_on_healthy() -> None:
    session = open_session(Options(config_path=CONFIG, root=REPO))
    assert session.mode == "offline" and session.scenario and session.scenario.name == "healthy"
    assert (session.config.run.mode, session.config.run.scenario) == ("offline", "healthy")
    assert isinstance(session.channel, ReplayChannel)
    assert session.today == dt.date(2026, 2, 9)  # the recording's today, not the clock's
    assert session.banner().startswith("opscheck OFFLINE · scenario healthy · project nba-props-platform")


@pytest.mark.usefixtures("google_credentials")
def test_env_variable_selects_live(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MODE_ENV, "live")
    session = open_session(Options(config_path=CONFIG, root=REPO))
    assert session.mode == "live" and isinstance(session.channel, LiveChannel)
    assert session.scenario is None


def test_command_line_beats_env_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MODE_ENV, "live")
    assert open_session(Options(config_path=CONFIG, root=REPO, mode="offline")).mode == "offline"


@pytest.mark.usefixtures("google_credentials")
def test_environment_section_sets_live() -> None:
    session = open_session(Options(config_path=CONFIG, root=REPO, env="staging"))
    assert session.mode == "live" and session.config.gcp.project == "nba-props-staging"


def test_target_sandbox_alone_means_live_there() -> None:
    session = open_session(Options(config_path=CONFIG, root=REPO, target="sandbox"))
    assert session.mode == "live" and session.target == "sandbox"
    assert (session.config.run.mode, session.config.run.target) == ("live", "sandbox")
    assert session.today == dt.date(2026, 2, 9) and session.config.endpoints.anonymous


def test_target_sandbox_can_still_replay() -> None:
    session = open_session(Options(config_path=CONFIG, root=REPO, target="sandbox", mode="offline"))
    assert session.mode == "offline"


def test_record_mode_records_into_the_scenario(tmp_path: Path) -> None:
    session = open_session(Options(config_path=CONFIG, root=REPO, mode="record", target="sandbox",
                                   scenario="new", recordings=tmp_path))
    assert isinstance(session.channel, RecordChannel)
    assert session.scenario is not None and session.scenario.folder == tmp_path / "new"
    assert session.banner().startswith("opscheck RECORD · target sandbox, recording new")


@pytest.mark.parametrize(("options", "message"), [
    ({"mode": "replay"}, "--mode (or OPSCHECK_MODE) 'replay': must be one of live, offline, record"),
    ({"target": "aws"}, "--target 'aws': must be one of gcp, sandbox"),
    ({"scenario": "nope"}, "scenario 'nope' not found"),
    ({"env": "prod"}, "no environment [env.prod]"),
])
def test_bad_choices_are_one_line(options: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        open_session(Options(config_path=CONFIG, root=REPO, **options))  # type: ignore[arg-type]
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_live_without_credentials_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from opscheck.errors import CredentialsError
    from opscheck.platform import auth

    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "gone.json"))
    auth._adc.cache_clear()
    with pytest.raises(CredentialsError, match=r"gone.json.*gcloud auth application-default login"):
        open_session(Options(config_path=CONFIG, root=REPO, mode="live"))
    auth._adc.cache_clear()


@pytest.mark.parametrize("where", ["relative", "absolute"])
def test_bundled_recordings_and_golden_samples_are_where_run_fixtures_says(tmp_path: Path, where: str) -> None:
    """Not a path derived from the package's own file, which an installed package does not have."""
    folder = tmp_path / "elsewhere"
    shutil.copytree(REPO / "fixtures" / "recordings" / "healthy", folder / "recordings" / "healthy")
    config = tmp_path / "opscheck.toml"
    setting = "elsewhere" if where == "relative" else str(folder)
    config.write_text(CONFIG.read_text().replace('fixtures = "fixtures"', f'fixtures = "{setting}"', 1))
    session = open_session(Options(config_path=config, root=tmp_path))
    assert session.scenario is not None and session.scenario.folder == folder / "recordings" / "healthy"
    assert session.config.run.fixtures == str(folder)
    with pytest.raises(ConfigError, match="scenario 'partial-run' not found"):
        open_session(Options(config_path=config, root=tmp_path, scenario="partial-run"))
