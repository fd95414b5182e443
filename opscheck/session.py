"""One opscheck session: configuration, mode, target, scenario, "today", channel.

Resolved once, before any check runs, so a bad configuration or a missing
scenario stops the run with one line. Nothing here opens a socket: clients are
built by the gateways on first live use.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from opscheck import config as configuration
from opscheck import replay
from opscheck.config import Config, Mode, Target
from opscheck.errors import ConfigError
from opscheck.platform import Platform, auth
from opscheck.platform.channel import Channel, LiveChannel

MODE_ENV = "OPSCHECK_MODE"
MODES: tuple[Mode, ...] = ("live", "offline", "record")
SCENARIO = re.compile(r"^[A-Za-z0-9_\-][A-Za-z0-9_.\-]*$")
TARGETS: tuple[Target, ...] = ("gcp", "sandbox")


def sandbox_overlay(root: Path) -> Path:
    """The overlay the local platform writes when up (its state folder's `target.toml`)."""
    return configuration.sandbox_dir(root) / "target.toml"


@dataclasses.dataclass(frozen=True)
class Options:
    """What the command line said (None: not said)."""

    config_path: Path | None = None
    env: str | None = None
    mode: str | None = None
    target: str | None = None
    scenario: str | None = None
    recordings: Path | None = None
    root: Path = Path.cwd()
    # Flags a record command must repeat to record what this run asks for (--date, --dates, --env).
    hint_flags: tuple[str, ...] = ()


@dataclasses.dataclass
class Session:
    config: Config
    mode: Mode
    target: Target
    scenario: replay.Scenario | None
    today: dt.date
    as_of: dt.datetime
    channel: Channel
    # On replay, where and when the scenario was recorded (its meta.json).
    recorded: dict[str, Any] | None = None
    # The [env.NAME] applied, if any.
    env: str | None = None

    @functools.cached_property
    def platform(self) -> Platform:
        """One Platform a session, so its gateways build their clients once."""
        return Platform(self.config, self.channel)

    def banner(self) -> str:
        """The loud line every report starts with: which mode produced it, from what."""
        where = f"scenario {self.scenario.name}" if self.mode == "offline" and self.scenario else (
            f"target {self.target}" + (f", recording {self.scenario.name}" if self.scenario else ""))
        return (f"opscheck {self.mode.upper()} · {where} · project {self.config.gcp.project} · "
                f"today {self.today.isoformat()} · as of {self.as_of.isoformat(timespec='seconds')}")

    def facts(self) -> dict[str, str]:
        """The banner's facts as key/value pairs (report metadata, allure environment)."""
        return {
            "opscheck mode": self.mode.upper(),
            "opscheck target": self.target if self.recorded is None else (
                f"none: replaying a recording made on {self.recorded.get('target', '?')} "
                f"at {self.recorded.get('recorded_at', '?')}"),
            "opscheck scenario": self.scenario.name if self.scenario else "",
            "opscheck project": self.config.gcp.project,
            "opscheck today": self.today.isoformat(),
            "opscheck as of": self.as_of.isoformat(timespec="seconds"),
            "opscheck config": self.config.source,
        }



def record_hint(scenario: str, flags: tuple[str, ...] = ()) -> str:
    """The command that records a scenario from the local platform, with the run's own date and env flags."""
    return " ".join(["pytest checks --mode record --target sandbox --scenario", scenario, *flags])


def _choice(value: str | None, allowed: tuple[str, ...], what: str) -> str | None:
    if value is not None and value not in allowed:
        raise ConfigError(f"{what} {value!r}: must be one of {', '.join(allowed)}")
    return value


def open_session(options: Options, overrides: Mapping[str, Any] | None = None) -> Session:
    """Resolve configuration, mode, target and scenario; build the channel."""
    path = options.config_path or configuration.find_config(options.root)
    target = _choice(options.target, TARGETS, "--target")
    mode = _choice(options.mode or os.environ.get(MODE_ENV) or None, MODES,
                   "--mode (or OPSCHECK_MODE)")
    base = configuration.load(path, options.env, overrides=overrides)
    target = cast(Target, target or base.run.target)
    overlays: tuple[Path, ...] = ()
    if target == "sandbox":
        overlay = sandbox_overlay(options.root)
        if not overlay.is_file():
            raise ConfigError(f"--target sandbox: the local platform is not up ({overlay} missing): "
                              "run `opscheck sandbox up`")
        overlays = (overlay,)
    config = configuration.load(path, options.env, overlays, overrides)
    # `--target sandbox` alone means live against the local platform.
    if mode is None:
        mode = "live" if options.target == "sandbox" else config.run.mode
    if options.scenario is not None and not options.scenario.strip():
        raise ConfigError("--scenario is empty: name a recorded scenario (or leave it out for run.scenario)")
    scenario_name = options.scenario if options.scenario is not None else config.run.scenario
    if not SCENARIO.match(scenario_name):
        raise ConfigError(f"--scenario {scenario_name!r}: must be a plain folder name (letters, digits, . _ -), "
                          "inside the recordings folder")
    # The configuration a check sees states what this session really does.
    fixtures = (options.root / Path(config.run.fixtures).expanduser()).resolve()
    home = path.parent if path is not None else options.root  # history paths: relative to opscheck.toml's folder
    config = dataclasses.replace(config, run=dataclasses.replace(
        config.run, mode=cast(Mode, mode), target=target, scenario=scenario_name, fixtures=str(fixtures)),
        history=dataclasses.replace(config.history, path=_under(home, config.history.path),
                                    offline_path=_under(home, config.history.offline_path)),
        backfill=dataclasses.replace(config.backfill, log=_under(home, config.backfill.log)))
    folder = (options.recordings or fixtures / replay.RECORDINGS) / scenario_name
    now = config.now()
    if mode == "offline":
        scenario = replay.Scenario(folder)
        meta = scenario.meta()
        if meta["project"] != config.gcp.project:
            raise ConfigError(
                f"scenario {scenario_name!r} was recorded from project {meta['project']}, the configuration "
                f"names {config.gcp.project} ({config.source}): replay it with that project's configuration")
        as_of = dt.datetime.fromisoformat(str(meta["as_of"]))
        config = dataclasses.replace(config, run=dataclasses.replace(
            config.run, today=replay.today_of(meta)))
        channel = replay.ReplayChannel(scenario, record_hint(scenario_name, options.hint_flags),
                                           replay.latency_from_env(os.environ))
        return Session(config, "offline", target, scenario, config.today(), as_of, channel, meta, options.env)
    if not config.endpoints.anonymous:
        # Live against Google: credentials are resolved now, so a missing or broken ADC is one
        # line before anything runs, not the same traceback in every check.
        auth.credentials(config)
    if mode == "record":
        scenario = replay.Scenario(folder)
        return Session(config, "record", target, scenario, config.today(), now,
                       replay.RecordChannel(scenario), env=options.env)
    return Session(config, "live", target, None, config.today(), now, LiveChannel(), env=options.env)


def _under(home: Path, value: str) -> str:
    """A configured path made absolute from the folder of opscheck.toml ("" stays "": none)."""
    return str((home / Path(value).expanduser()).resolve()) if value else ""


def save_recording(session: Session, finished: bool = True) -> str | None:
    """In record mode, write what was recorded (with the as-of facts replay needs); the line saying where.

    A run that did not finish (interrupted, stopped by an error) writes nothing: its scenario would hold
    only some of the calls, and replay would read the missing ones' checks as never asked.
    """
    if not isinstance(session.channel, replay.RecordChannel):
        return None
    if not finished:
        return f"opscheck: record mode did not finish: nothing written to {session.channel.scenario.folder}"
    folder = session.channel.save({
        "recorded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "as_of": session.as_of.isoformat(timespec="seconds"),
        "today": session.today.isoformat(),
        "project": session.config.gcp.project,
        "target": session.target,
    })
    return f"opscheck: recorded scenario written to {folder}"
