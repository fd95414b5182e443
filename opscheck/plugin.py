"""The pytest plugin: one option group, markers, the session, fixtures, reports.

Modelled on pytest-recording: the session (configuration, mode, scenario) is
resolved in `pytest_configure`, so a bad `opscheck.toml` stops the run with
one line before collection; fixtures hand checks the platform and the domain
views; every report leads with the mode that produced it.
"""

from __future__ import annotations

import datetime as dt
import os
import queue
import re
import threading
from pathlib import Path
from typing import Any

import pytest

from opscheck import governance, notify, reporting
from opscheck.config import Config, commit_problem
from opscheck.errors import ConfigError, CredentialsError, UnresolvedHostError
from opscheck.evidence import Evidence
from opscheck.platform import Platform
from opscheck.platform.checkout import folder_problem
from opscheck.probes import Prober
from opscheck.replay import offline
from opscheck.resources import Days, View, Warmer, between
from opscheck.resources.delivery import Coordinator, Delivery
from opscheck.resources.models import Manifest, ModelUsage, ProductionModel, Registry, TeamDoc
from opscheck.resources.outcomes import HitRate, Subsets
from opscheck.resources.predictions import Predictions
from opscheck.resources.services import COMMIT_ENV, ExpectedCommit, Services
from opscheck.resources.upstream import DeadLetters, Tables
from opscheck.session import MODES, TARGETS, Options, Session, open_session, save_recording
from opscheck.views import Views

MARKERS = {
    "daily": "morning checks (`pytest checks/daily`)",
    "deploy": "the gate before rollout (`pytest -m deploy`)",
    "training": "training-governance checks",
    "probe": "Pub/Sub delivery probes",
    "active": "probes that publish or call /start: never live on GCP unless --allow-active",
}
SESSION_KEY = pytest.StashKey[Session]()
DAYS_KEY = pytest.StashKey[Days]()
LOADGROUP_INPUT = "opscheck_loadgroup"  # workerinput key: the controller switched `-n N` to loadgroup


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("opscheck", "opscheck: operational validation of the platform")
    group.addoption("--mode", choices=MODES, default=None,
                    help="live, offline (replay a scenario) or record (default: opscheck.toml, "
                         "or OPSCHECK_MODE)")
    group.addoption("--target", choices=TARGETS, default=None,
                    help="where live and record calls go: gcp or the local platform (sandbox)")
    group.addoption("--scenario", default=None, help="recorded scenario (fixtures/recordings/NAME)")
    group.addoption("--recordings", default=None,
                    help="folder holding the scenarios (default: fixtures/recordings)")
    group.addoption("--env", dest="opscheck_env", default=None,
                    help="named environment of opscheck.toml ([env.NAME]) to apply")
    group.addoption("--opscheck-config", default=None,
                    help="path of opscheck.toml (default: nearest one above the rootdir)")
    group.addoption("--date", dest="opscheck_date", default=None,
                    help="validate this date (YYYY-MM-DD) instead of today")
    group.addoption("--dates", dest="opscheck_dates", default=None,
                    help="validate a range A..B (inclusive), reported per date")
    group.addoption("--allow-active", action="store_true", default=False,
                    help="let [active] probes publish or call /start on a live GCP project")
    group.addoption("--expect-commit", default=None, metavar="SHA",
                    help="the commit every service must run (else OPSCHECK_COMMIT, services.expected_commit, "
                         "or the platform checkout's HEAD)")
    group.addoption("--report-dir", default=None,
                    help="write the on-call page (<suite>-<as-of date>.html) and summary.json there")
    group.addoption("--suite", default=None, help="the suite's name in reports (default: the marker or checks folder)")
    group.addoption("--notify", default=None, metavar="URL",
                    help=f"on failure, post a summary to this chat webhook (Slack-compatible); also ${notify.URL_ENV}")
    group.addoption("--platform-repo", default=None,
                    help="a checkout of the platform's repository (team doc; HEAD as the expected commit)")


def _dates(value: str | None, flag: str) -> list[dt.date]:
    if value is None:
        return []
    try:
        if flag == "--date":
            start = end = dt.date.fromisoformat(value)
            sep = ".."
        else:
            first, sep, last = value.partition("..")
            start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    except ValueError:
        shape = "YYYY-MM-DD" if flag == "--date" else "YYYY-MM-DD..YYYY-MM-DD"
        raise pytest.UsageError(f"opscheck: {flag} {value}: expected {shape}") from None
    if not sep or end < start:
        raise pytest.UsageError(f"opscheck: {flag} {value}: expected an ordered range A..B")
    problem = governance.date_problem(start) or governance.date_problem(end)
    if problem:
        raise pytest.UsageError(f"opscheck: {flag} {value}: {problem}")
    return between(start, end)


# Options whose empty value would quietly mean something else: --scenario= replayed healthy,
# --report-dir= wrote into the project root, --notify= sent nothing.
VALUED = {"scenario": "--scenario", "recordings": "--recordings", "opscheck_env": "--env",
          "opscheck_config": "--opscheck-config", "opscheck_date": "--date", "opscheck_dates": "--dates",
          "report_dir": "--report-dir", "suite": "--suite", "notify": "--notify", "platform_repo": "--platform-repo"}
PATHS = ("recordings", "opscheck_config", "report_dir", "platform_repo")
SUITE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def _refuse_unusable_values(config: pytest.Config) -> None:
    """Values that would quietly turn a check into a skip, lose a report or a notification.

    `--expect-commit "$COMMIT_SHA"` in a build whose variable is unset gives an
    empty flag: the stale-services check would skip and the gate pass.
    """
    given = config.getoption("expect_commit")
    if given is not None and not given.strip():
        raise pytest.UsageError("opscheck: --expect-commit is empty: give the commit every service must run "
                                "(in a pipeline: is $COMMIT_SHA or $GITHUB_SHA set?)")
    for dest, flag in VALUED.items():
        value = config.getoption(dest)
        if value is not None and not str(value).strip():
            raise pytest.UsageError(f"opscheck: {flag} is empty: give a value, or leave the option out "
                                    "(in a pipeline: is its variable set?)")
    for dest in PATHS:
        if config.getoption(dest) is not None:
            setattr(config.option, dest, Path(config.getoption(dest)))
    suite = config.getoption("suite")
    if suite is not None and (not SUITE_NAME.match(suite) or ".." in suite):
        raise pytest.UsageError(f"opscheck: --suite {suite!r}: must be a plain name (letters, digits, . _ -; "
                                "no / or ..): it names the report page inside --report-dir")
    for value, source in ((given, "--expect-commit"), (os.environ.get(COMMIT_ENV), f"${COMMIT_ENV}")):
        problem = commit_problem((value or "").strip())
        if problem:
            raise pytest.UsageError(f"opscheck: {source} {value!r}: expected {problem}")
    repo = config.getoption("platform_repo")
    problem = folder_problem(repo) if repo is not None else None
    if problem:
        raise pytest.UsageError(f"opscheck: --platform-repo {repo}: {problem}")
    folder = config.getoption("report_dir")
    if folder is not None:  # made now: a report that cannot be written must not cost the run at its end
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise pytest.UsageError(f"opscheck: --report-dir {folder}: cannot make it a folder ({exc.strerror}); "
                                    "give a writable folder") from None
        if not os.access(folder, os.W_OK):
            raise pytest.UsageError(f"opscheck: --report-dir {folder}: not writable; give a writable folder")
    urls = ((config.getoption("notify"), "--notify"), (os.environ.get(notify.URL_ENV), f"${notify.URL_ENV}"))
    for url, source in urls:
        problem = notify.problem(url) if url else None
        if problem:
            raise pytest.UsageError(f"opscheck: {source}: {problem}")


def pytest_configure(config: pytest.Config) -> None:
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    _refuse_unusable_values(config)
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
    try:
        session = open_session(options, overrides)
    except (ConfigError, CredentialsError) as exc:
        raise pytest.UsageError(f"opscheck: {exc}") from None
    config.stash[SESSION_KEY] = session
    if session.mode == "offline":  # from now until pytest_unconfigure: reports and notifications included
        offline.enable()
    validated = _dates(dates, "--dates") or _dates(date, "--date") or [session.today]
    if validated[-1] > session.today:  # nothing is due on a day to come: every check would pass or skip blind
        flag, value = ("--dates", dates) if dates else ("--date", date)
        raise pytest.UsageError(f"opscheck: {flag} {value}: {validated[-1]} is after today ({session.today} in "
                                f"{session.config.run.timezone}): nothing is due yet; give dates up to today")
    if len(validated) > session.config.run.max_dates:
        raise pytest.UsageError(f"opscheck: --dates {dates} spans {len(validated)} days, more than run.max_dates "
                                f"({session.config.run.max_dates}, a season): split the range, or raise the limit")
    config.stash[DAYS_KEY] = Days.of(validated)
    _group_delivery_probes(config)
    _report_metadata(config, session)
    config.pluginmanager.register(reporting.Reports(config, session, config.stash[DAYS_KEY]), "opscheck-reports")


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


def _group_delivery_probes(config: pytest.Config) -> None:
    """`-n N`: schedule by group, so the delivery probes share a worker (pytest_collection_modifyitems).

    On the controller, `--dist load` becomes `loadgroup`. A worker parses the
    command line again and decides on grouping before any plugin is configured
    (`setup_config` in xdist/remote.py): from `-n 2` alone it sees `--dist
    load`, so the switch reaches it through its `workerinput`
    (pytest_configure_node) and is applied here.
    """
    if getattr(config.option, "dist", "no") == "load":
        config.option.dist = "loadgroup"
    if getattr(config, "workerinput", {}).get(LOADGROUP_INPUT):
        config.option.loadgroup = True  # what makes a worker suffix node ids with their group


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook, called on the controller for each worker
def pytest_configure_node(node: Any) -> None:
    """Pass the controller's switch to `loadgroup` on to the worker (see _group_delivery_probes)."""
    node.workerinput[LOADGROUP_INPUT] = node.config.option.dist == "loadgroup"


def pytest_unconfigure(config: pytest.Config) -> None:
    offline.disable()


def session_of(config: pytest.Config) -> Session:
    return config.stash[SESSION_KEY]


def pytest_report_header(config: pytest.Config) -> list[str]:
    session = session_of(config)
    return [session.banner(), f"opscheck config: {session.config.source}"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`day` runs a check once per validated date; `service_name` once per configured service."""
    if "day" in metafunc.fixturenames:
        days = metafunc.config.stash[DAYS_KEY].dates
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


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Active probes act on the platform: never replayed, never live on GCP unless the user allows it.

    Under `pytest -n N` the delivery probes share one worker and run in file
    order, as they do serially: an active probe's messages in flight would
    otherwise show up as backlog in a passive probe running beside it.
    """
    for item in items:
        if item.get_closest_marker("probe"):
            item.add_marker(pytest.mark.xdist_group(reporting.PROBE_GROUP))
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


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport | None:
    return reporting.short_failure(item, call)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In record mode, write the scenario: only for a run that finished (a Ctrl-C's half would replay as whole)."""
    if SESSION_KEY in session.config.stash:
        finished = exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED)
        saved = save_recording(session_of(session.config), finished)
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if saved is not None and reporter is not None:
            reporter.write_line(saved)


# ---- fixtures ----------------------------------------------------------------
@pytest.fixture(scope="session")
def opscheck_session(pytestconfig: pytest.Config, record_testsuite_property: Any) -> Session:
    """The resolved session (in offline mode, network access is refused from configure to unconfigure).

    Its facts (mode, scenario, project, as-of) go into the JUnit XML as
    test-suite properties, so a pipeline's report says which mode produced it.
    """
    session = session_of(pytestconfig)
    for name, value in session.facts().items():
        record_testsuite_property(name, value)
    return session


@pytest.fixture(scope="session")
def platform(opscheck_session: Session) -> Platform:
    """Every gateway, live or replayed as the session says (the `host` of opscheck)."""
    return opscheck_session.platform


@pytest.fixture(scope="session")
def opscheck_config(opscheck_session: Session) -> Config:
    return opscheck_session.config


@pytest.fixture(scope="session")
def today(opscheck_session: Session) -> dt.date:
    """The platform's today (America/New_York; on replay, the scenario's)."""
    return opscheck_session.today


@pytest.fixture
def evidence(request: pytest.FixtureRequest) -> Evidence:
    """Tables and notes shown with the check's result in every report."""
    collected = Evidence()
    request.node.stash[reporting.EVIDENCE_KEY] = collected
    return collected


@pytest.fixture(scope="session")
def as_of(opscheck_session: Session) -> dt.datetime:
    """The moment the run describes: now when live, the recording's time on replay."""
    return opscheck_session.as_of


@pytest.fixture(scope="session")
def days(pytestconfig: pytest.Config) -> Days:
    """Every date the run validates (--dates, else --date, else today), so views can
    query the whole range at once."""
    return pytestconfig.stash[DAYS_KEY]


@pytest.fixture(scope="session")
def views(opscheck_session: Session) -> Views:
    """The session's views: one instance each, shared with the prefetch and the reports."""
    return opscheck_session.views


@pytest.fixture(scope="session")
def predictions(views: Views, days: Days) -> Predictions:
    return views.predictions(days)


@pytest.fixture(scope="session")
def manifest(views: Views) -> Manifest:
    return views.manifest()


@pytest.fixture(scope="session")
def registry(views: Views) -> Registry:
    return views.registry()


@pytest.fixture(scope="session")
def subsets(views: Views, days: Days) -> Subsets:
    return views.subsets(days)


@pytest.fixture(scope="session")
def hit_rate(views: Views, days: Days) -> HitRate:
    return views.hit_rate(days)


@pytest.fixture(scope="session")
def services(views: Views) -> Services:
    return views.services()


@pytest.fixture(scope="session")
def tables(views: Views) -> Tables:
    return views.tables()


@pytest.fixture(scope="session")
def dead_letters(views: Views) -> DeadLetters:
    return views.dead_letters()


@pytest.fixture(scope="session")
def model_usage(views: Views, days: Days) -> ModelUsage:
    return views.model_usage(days)


@pytest.fixture(scope="session")
def production_model(views: Views) -> ProductionModel:
    return views.production_model()


@pytest.fixture(scope="session")
def team_doc(views: Views) -> TeamDoc:
    return views.team_doc()


@pytest.fixture(scope="session")
def delivery(views: Views) -> Delivery:
    return views.delivery()


@pytest.fixture(scope="session")
def coordinator(views: Views) -> Coordinator:
    return views.coordinator()


@pytest.fixture(scope="session")
def expected_commit(platform: Platform, pytestconfig: pytest.Config) -> ExpectedCommit:
    return ExpectedCommit(platform, pytestconfig.getoption("expect_commit"), os.environ)


@pytest.fixture(scope="session")
def prober(platform: Platform, delivery: Delivery, services: Services, coordinator: Coordinator) -> Prober:
    """The active probes (only [active] checks use it; it is never prefetched)."""
    return Prober(platform, delivery, services, coordinator)


VIEWS = ("predictions", "manifest", "registry", "subsets", "hit_rate", "services",
         "tables", "dead_letters", "model_usage", "production_model", "team_doc", "delivery",
         "expected_commit", "coordinator")
STOPPERS = (CredentialsError, UnresolvedHostError)  # errors every later call would meet too: the run stops
PREFETCH_THREADS = 64  # warmers wait on the network; one thread each, so none queues behind a stall


@pytest.fixture(scope="session", autouse=True)
def _prefetch_views(request: pytest.FixtureRequest) -> None:
    """Fill the caches of every view this run's checks use, all calls at once.

    Checks must not wait on each other: the whole suite should take about as
    long as its slowest call, not the sum of them. A call that fails here is
    remembered by its view, so the check that needs it fails with it at once.
    An error every call would meet (expired credentials, no DNS) stops the run
    at the first one: the other calls run on daemon threads, so nothing waits
    for them to give up too.
    """
    used = {name for item in request.session.items for name in getattr(item, "fixturenames", ())}
    views: list[View] = [request.getfixturevalue(name) for name in VIEWS if name in used]
    warmers = [warm for view in views for warm in view.warmers()]
    done: queue.Queue[BaseException | None] = queue.Queue()
    slots = threading.BoundedSemaphore(PREFETCH_THREADS)

    def warm_one(warm: Warmer) -> None:
        with slots:
            try:
                warm()
            except BaseException as exc:  # handed to the main thread, which decides
                done.put(exc)
                return
        done.put(None)

    for warm in warmers:
        threading.Thread(target=warm_one, args=(warm,), name="opscheck-prefetch", daemon=True).start()
    for _ in warmers:
        failure = done.get()
        if isinstance(failure, STOPPERS):  # nothing else can work: stop now, with the one line that says why
            pytest.exit(f"opscheck: {failure}", returncode=pytest.ExitCode.USAGE_ERROR)


# ---- pytest-html ---------------------------------------------------------------
def pytest_html_report_title(report: Any) -> None:
    report.title = f"opscheck report · {os.environ.get('OPSCHECK_REPORT_TITLE', 'checks')}"


def pytest_html_results_summary(prefix: list[str], summary: list[str], postfix: list[str],
                                session: pytest.Session) -> None:
    banner = session_of(session.config).banner()
    prefix.append(f'<p style="font-size:1.4em;font-weight:bold;background:#fff3cd;padding:8px">{banner}</p>')
