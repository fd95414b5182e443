"""Shared fixtures of opscheck's own tests: the local platform, once per session.

Outside CI a missing stand-in skips the tests that need it, with a reason that
names what to install; under CI=true it fails them, so a CI machine without
the emulators can never pass by skipping.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from opscheck.sandbox import standins
from opscheck.sandbox.lifecycle import Sandbox, running
from opscheck.session import Options, Session, open_session

REPO = Path(__file__).resolve().parents[1]
pytest_plugins = ["pytester"]
# pytester puts sys.modules back after each test, but protobuf's descriptor pool is one per process: a client
# library first imported inside such a test (by an in-process `opscheck diagnose morning`, say) could never be
# imported again ("duplicate file name ... cloudbuild.proto"). Every client opscheck uses is imported here, once;
# catboost too, with the numpy and scipy it loads ("cannot load module more than once per process"): a test that
# brings up a platform of its own inside a pytester test would otherwise take them out again with it.
for _client in ("google.cloud.bigquery", "google.cloud.storage", "google.cloud.pubsub_v1", "google.cloud.run_v2",
                "google.cloud.monitoring_v3", "google.cloud.scheduler_v1", "google.cloud.devtools.cloudbuild_v1",
                "google.cloud.logging_v2", "catboost"):
    importlib.import_module(_client)


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest -n N each worker brings up its own local platform: its ports come from a range of its own."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker.startswith("gw") and worker[2:].isdigit():
        low = 10_000 + 5_000 * (int(worker[2:]) % 4)
        os.environ.setdefault("OPSCHECK_SANDBOX_PORTS", f"{low}-{low + 4_999}")


def missing(what: str) -> None:
    """Skip for a missing tool, saying how to install it; under CI=true, fail instead."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI=true and {what}")
    pytest.skip(what)


def require_standins() -> None:
    """Skip (or under CI=true, fail) when a stand-in of the local platform is missing."""
    try:
        standins.check_all()
    except standins.MissingStandIn as exc:
        missing(f"the local platform cannot start: {exc}")


@pytest.fixture(scope="session")
def local_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """The local platform, up and seeded for the whole test session, then taken down."""
    require_standins()
    with running(tmp_path_factory.mktemp("sandbox")) as platform:
        yield platform


@pytest.fixture
def healthy(local_platform: Sandbox) -> Iterator[Sandbox]:
    """The local platform, healed after the test whatever it broke."""
    from opscheck.sandbox import faults

    faults.heal(local_platform)
    yield local_platform
    faults.heal(local_platform)


@pytest.fixture(scope="session")
def live(local_platform: Sandbox) -> Session:
    """An opscheck session live against the local platform (as `--target sandbox`)."""
    return open_session(Options(target="sandbox", root=REPO, config_path=REPO / "opscheck.toml"))


@pytest.fixture(scope="session")
def service_account_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A service-account key file as Google issues them, with a key made here (it signs nothing real)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    path = tmp_path_factory.mktemp("adc") / "opscheck-sa.json"
    path.write_text(json.dumps({
        "type": "service_account", "project_id": "nba-props-platform", "private_key_id": "0" * 40,
        "private_key": pem, "client_email": "opscheck@nba-props-platform.iam.gserviceaccount.com",
        "client_id": "1", "token_uri": "https://oauth2.googleapis.com/token",
    }))
    return path


@pytest.fixture
def google_credentials(service_account_key: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Application Default Credentials present (a service account), for sessions that go live on GCP."""
    from opscheck.platform import auth

    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(service_account_key))
    auth._adc.cache_clear()
    yield service_account_key
    auth._adc.cache_clear()


# The fault matrix's two runs (docs/recordings.md): what they covered and what it cost, printed at the end.
MATRIX_RUNS = {"test_fault_fails_exactly_its_checks_live": "live, every fault injected into the local platform",
               "test_scenario_fails_exactly_its_checks": "offline, every bundled scenario"}
_matrix_seconds: dict[str, dict[str, float]] = {}
_matrix_checks: dict[str, dict[str, int]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Each matrix row's time and the checks it compared (a user property: it reaches xdist's controller)."""
    test, _, scenario = report.nodeid.rpartition("::")[2].partition("[")
    run = MATRIX_RUNS.get(test)
    if run and report.when == "call":
        row = scenario.rstrip("]")
        _matrix_seconds.setdefault(run, {})[row] = report.duration
        _matrix_checks.setdefault(run, {})[row] = int(str(dict(report.user_properties).get("checks", 0)))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for run, seconds in _matrix_seconds.items():
        faults = len(seconds.keys() - {"healthy"})
        checks = _matrix_checks[run]
        terminalreporter.write_line(
            f"fault matrix ({run}): {faults} faults{' + healthy' * ('healthy' in seconds)} x {max(checks.values())} "
            f"checks = {sum(checks.values())} outcomes compared in {sum(seconds.values()):.0f}s")


CHROMIUM = Path("/usr/bin/chromium")
ALLURE = REPO / ".node" / "node_modules" / ".bin" / "allure"


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (`make system-deps` installs it)."""
    if not CHROMIUM.exists():
        missing("Chromium is not installed: apt-get install chromium (make system-deps)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def allure_cli() -> Path:
    """Allure's command line from npm (`make system-deps` installs it under .node)."""
    if not ALLURE.exists():
        missing(f"the Allure command line is not installed ({ALLURE}): make system-deps")
    return ALLURE



def _sigint_state() -> tuple[bool, bool]:
    """(ignored, blocked): SIGINT as this process and its main thread hold it, what a child started now inherits."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/self/task/{os.getpid()}/status").read_text().splitlines()
                  if ":" in line)
    bit = 1 << (signal.SIGINT - 1)
    return bool(int(status["SigIgn"], 16) & bit), bool(int(status["SigBlk"], 16) & bit)


@pytest.fixture(autouse=True)
def _sigint_left_as_found(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test should leave Ctrl-C as it found it: a child process inherits an ignored or blocked SIGINT, so one
    test that left it so would make every later Ctrl-C test of that worker fail for no reason of its own. Put
    back, with a warning naming the test (the Ctrl-C tests also start their children interruptible)."""
    before = signal.getsignal(signal.SIGINT), _sigint_state()
    yield
    after = signal.getsignal(signal.SIGINT), _sigint_state()
    if after != before:
        signal.signal(signal.SIGINT, before[0] or signal.default_int_handler)
        if after[1][1]:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        request.node.warn(pytest.PytestWarning(f"left SIGINT as {after} (found {before}); put back"))
