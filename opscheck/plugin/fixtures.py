"""The fixtures a check asks for: the session's facts, and one fixture per view of opscheck.views.VIEWS.

Like pytest-testinfra's modules on `host`, a view is named once, in VIEWS; its fixture is made
here from that line (so a new view needs no fixture written by hand), the prefetch fills it, and
the reports attribute its SQL.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
from collections.abc import Callable
from typing import Any

import pytest

from opscheck.config import Config
from opscheck.delivery.morning import Morning
from opscheck.delivery.probes import Prober
from opscheck.errors import CredentialsError, UnresolvedHostError
from opscheck.platform import Platform
from opscheck.plugin.hooks import session_of, views_of
from opscheck.reports.collector import EVIDENCE_KEY
from opscheck.reports.evidence import Evidence
from opscheck.session import Session
from opscheck.views import VIEWS, Coordinator, Delivery, Services, View, Views
from opscheck.views.base import Days, Warmer

STOPPERS = (CredentialsError, UnresolvedHostError)  # errors every later call would meet too: the run stops
PREFETCH_THREADS = 64  # warmers wait on the network; one thread each, so none queues behind a stall


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


@pytest.fixture(scope="session")
def as_of(opscheck_session: Session) -> dt.datetime:
    """The moment the run describes: now when live, the recording's time on replay."""
    return opscheck_session.as_of


@pytest.fixture
def evidence(request: pytest.FixtureRequest) -> Evidence:
    """Freshness and notes shown with the check's result in every report."""
    collected = Evidence()
    request.node.stash[EVIDENCE_KEY] = collected
    return collected


@pytest.fixture(scope="session")
def views(pytestconfig: pytest.Config, opscheck_session: Session) -> Views:
    """The session's views: one instance each, shared with the prefetch and the reports."""
    return views_of(pytestconfig)


@pytest.fixture(scope="session")
def days(views: Views) -> Days:
    """Every date the run validates (--dates, else --date, else today), so views can
    query the whole range at once."""
    return views.context.days


def _view_fixture(name: str, kind: type[View]) -> Callable[[Views], View]:
    def fixture(views: Views) -> View:
        return views.get(kind)

    fixture.__name__ = fixture.__qualname__ = name
    fixture.__doc__ = kind.__doc__
    made: Callable[[Views], View] = pytest.fixture(scope="session", name=name)(fixture)
    return made


for _name, _kind in VIEWS.items():
    globals()[_name] = _view_fixture(_name, _kind)


@pytest.fixture(scope="session")
def prober(platform: Platform, views: Views) -> Prober:
    """The active probes (only [active] checks use it; it is never prefetched)."""
    return Prober(platform, views.get(Delivery), views.get(Services), views.get(Coordinator))


@pytest.fixture(scope="session")
def morning_diagnosis(platform: Platform, views: Views, opscheck_session: Session) -> Morning:
    """The morning diagnosis, on the session's views (read only when a check fails; never prefetched)."""
    return Morning.of(platform, views, now=opscheck_session.as_of)


@pytest.fixture(scope="session", autouse=True)
def _prefetch_views(request: pytest.FixtureRequest, views: Views) -> None:
    """Fill the caches of every view this run's checks use, all calls at once.

    Checks must not wait on each other: the whole suite should take about as
    long as its slowest call, not the sum of them. A call that fails here is
    remembered by its view, so the check that needs it fails with it at once.
    An error every call would meet (expired credentials, no DNS) stops the run
    at the first one: the other calls run on daemon threads, so nothing waits
    for them to give up too.
    """
    used = {name for item in request.session.items for name in getattr(item, "fixturenames", ())}
    warmers = [warm for name, kind in VIEWS.items() if name in used for warm in views.get(kind).warmers()]
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
