"""The hooks: the session resolved in pytest_configure, markers, parametrisation, collection, reports.

Modelled on pytest-recording: the session (configuration, mode, scenario) is resolved in
`pytest_configure`, so a bad `opscheck.toml` stops the run with one line before collection; every
report leads with the mode that produced it.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from opscheck.errors import ConfigError, CredentialsError, OpscheckError
from opscheck.history import acks
from opscheck.platform.channel import READER
from opscheck.plugin.options import dates_of, refuse_unusable_values
from opscheck.replay import offline
from opscheck.reports import collector, trends
from opscheck.session import Options, Session, open_session, save_recording
from opscheck.views import Views
from opscheck.views.base import Days

MARKERS = {
    "daily": "morning checks (`pytest checks/daily`)",
    "deploy": "the gate before rollout (`pytest -m deploy`)",
    "training": "training-governance checks",
    "probe": "Pub/Sub delivery probes",
    "active": "probes that publish or call /start: never live on GCP unless --allow-active",
    "trend": f"trend(NAME): the chart that explains this check's failure on the page ({', '.join(trends.TRENDS)})",
}
SESSION_KEY = pytest.StashKey[Session]()
VIEWS_KEY = pytest.StashKey[Views]()


def pytest_configure(config: pytest.Config) -> None:
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    refuse_unusable_values(config)
    date, dates = config.getoption("opscheck_date"), config.getoption("opscheck_dates")
    if date is not None and dates is not None:
        raise pytest.UsageError(f"opscheck: --date {date} and --dates {dates}: give one of them")
    flags = (("--date", date) if date else ()) + (("--dates", dates) if dates else ()) + (
        ("--env", config.getoption("opscheck_env")) if config.getoption("opscheck_env") else ())
    options = Options(
        config_path=config.getoption("opscheck_config"),
        env=config.getoption("opscheck_env"),
        mode=config.getoption("mode"),
        target=config.getoption("target"),
        scenario=config.getoption("scenario"),
        recordings=config.getoption("recordings"),
        root=Path(str(config.rootpath)),
        hint_flags=flags,
    )
    overrides: dict[str, Any] = {}
    if config.getoption("platform_repo") is not None:
        overrides["repo"] = {"path": str(config.getoption("platform_repo").resolve())}
    kept = config.getoption("history")
    if kept is not None:  # one file, whatever the mode; "off": none
        chosen = "" if kept == "off" else str(Path(kept).resolve())
        overrides["history"] = {"path": chosen, "offline_path": chosen}
    try:
        session = open_session(options, overrides)
    except (ConfigError, CredentialsError) as exc:
        raise pytest.UsageError(f"opscheck: {exc}") from None
    config.stash[SESSION_KEY] = session
    _known_policies(config, session)
    if session.mode == "offline":  # from now until pytest_unconfigure: reports and notifications included
        offline.enable()
    validated = dates_of(dates, "--dates") or dates_of(date, "--date") or [session.today]
    if validated[-1] > session.today:  # nothing is due on a day to come: every check would pass or skip blind
        flag, value = ("--dates", dates) if dates else ("--date", date)
        raise pytest.UsageError(f"opscheck: {flag} {value}: {validated[-1]} is after today ({session.today} in "
                                f"{session.config.run.timezone}): nothing is due yet; give dates up to today")
    if len(validated) > session.config.run.max_dates:
        raise pytest.UsageError(f"opscheck: --dates {dates} spans {len(validated)} days, more than run.max_dates "
                                f"({session.config.run.max_dates}, a season): split the range, or raise the limit")
    views = Views(session.platform, Days.of(validated), config.getoption("expect_commit"),
                  config.getoption("candidate"))
    config.stash[VIEWS_KEY] = views
    _report_metadata(config, session)
    config.pluginmanager.register(collector.Reports(config, session, views), "opscheck-reports")
    if config.pluginmanager.hasplugin("xdist"):
        from opscheck.plugin.xdist import XdistHooks

        config.pluginmanager.register(XdistHooks(config), "opscheck-xdist")
    if config.pluginmanager.hasplugin("html"):
        from opscheck.plugin.html import HtmlHooks

        config.pluginmanager.register(HtmlHooks(session), "opscheck-html")


def _known_policies(config: pytest.Config, session: Session) -> None:
    """A [checks.NAME] that names no check would quietly never apply: refused, naming the closest check."""
    folder = Path(str(config.rootpath)) / "checks"
    if not session.config.checks or not folder.is_dir():
        return
    known = acks.known_checks(folder)
    for name in session.config.checks:
        try:
            acks.existing(name, known, "[checks]")
        except OpscheckError as exc:
            raise pytest.UsageError(f"opscheck: {session.config.source}: {exc}") from None


def _report_metadata(config: pytest.Config, session: Session) -> None:
    """Put the session's facts where pytest-html and allure show them."""
    try:
        from pytest_metadata.plugin import metadata_key
    except ImportError:  # pragma: no cover - pytest-html ships it
        return
    if metadata_key in config.stash:
        config.stash[metadata_key].update(session.facts())
    alluredir = getattr(config.option, "allure_report_dir", None)
    if alluredir:
        Path(alluredir).mkdir(parents=True, exist_ok=True)
        lines = [f"{k.replace(' ', '.')}={v}" for k, v in session.facts().items()]
        (Path(alluredir) / "environment.properties").write_text("\n".join(lines) + "\n")


def pytest_unconfigure(config: pytest.Config) -> None:
    offline.disable()


def session_of(config: pytest.Config) -> Session:
    return config.stash[SESSION_KEY]


def views_of(config: pytest.Config) -> Views:
    return config.stash[VIEWS_KEY]


def pytest_report_header(config: pytest.Config) -> list[str]:
    session = session_of(config)
    return [session.banner(), f"opscheck config: {session.config.source}"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`day` runs a check once per validated date; `service_name` once per configured service."""
    if "day" in metafunc.fixturenames:
        days = views_of(metafunc.config).context.days.dates
        metafunc.parametrize("day", days, ids=[d.isoformat() for d in days])
    if "service_name" in metafunc.fixturenames:
        names = session_of(metafunc.config).config.services.all
        metafunc.parametrize("service_name", names, ids=list(names))


def pytest_collection_finish(session: pytest.Session) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and session.items and any(_is_check(i) for i in session.items):
        reporter.write_sep("=", session_of(session.config).banner(), bold=True,
                           yellow=session_of(session.config).mode != "live")


def _is_check(item: pytest.Item) -> bool:
    return any(item.get_closest_marker(m) for m in MARKERS)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Active probes act on the platform: never replayed, never live on GCP unless the user allows it.

    A trend a check names must exist: a misspelt one would only go missing from the page.
    """
    for item in items:
        for mark in item.iter_markers("trend"):
            if len(mark.args) != 1 or mark.args[0] not in trends.TRENDS:
                raise pytest.UsageError(f"opscheck: {item.nodeid}: @pytest.mark.trend{mark.args!r}: name one trend "
                                        f"of {', '.join(trends.TRENDS)} (opscheck/reports/trends.py)")
    session = session_of(config)
    if session.mode != "live":
        reason = f"[active] probe: it acts on the platform, so it does not run {session.mode}"
    elif session.target == "gcp" and not config.getoption("allow_active"):
        reason = "[active] probe against live GCP: pass --allow-active to run it"
    else:
        return
    for item in items:
        if item.get_closest_marker("active"):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, None, None]:
    """While a check runs (setup to teardown), the gateways know which check is reading (its card's SQL)."""
    reading = READER.set(item.nodeid)
    try:
        yield
    finally:
        READER.reset(reading)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport | None:
    return collector.short_failure(item, call)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In record mode, write the scenario: only for a run that finished (a Ctrl-C's half would replay as whole)."""
    if SESSION_KEY in session.config.stash:
        finished = exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED)
        saved = save_recording(session_of(session.config), finished)
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if saved is not None and reporter is not None:
            reporter.write_line(saved)
