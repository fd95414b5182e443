"""Running the real checks in an inner pytest, as on-call would run them."""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from opscheck.delivery import PROBE_GROUP
from opscheck.replay import BLOBS
from opscheck.sandbox.faults import SUITES, expectations

REPO = Path(__file__).resolve().parents[1]
RECORDINGS = REPO / "fixtures" / "recordings"  # run.fixtures of the repository's opscheck.toml
# The delivery faults of issue 9 and the cause the diagnosis must rank first for each.
DELIVERY_CAUSES = {"push-endpoint-stale": "push-endpoint-stale", "cold-start-503": "cold-start-503",
                   "dead-letters": "dead-lettered", "dlq-unsubscribed": "dlq-unsubscribed",
                   "tracker-stuck": "tracker-stuck"}
MORNING_CAUSES = {"scheduler-paused": "job-paused", "start-500": "start-failed", "morning-run-missing": "tracker-lost",
                  "partial-run": "tracker-lost", "lines-missing": "no-prop-lines", "worker-errors": "errors-logged",
                  "worker-build-failed": "build-failed"}
"""The cause `opscheck diagnose morning` must rank first under each fault (live and offline)."""
MORNING_QUIET = ("healthy", "off-day")
"""Scenarios the morning diagnosis must find nothing in (exit 0): on an off day the job fires and /start has
nothing to do."""


def run_checks(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """`pytest <args>` in a subprocess rooted at the repo, with opscheck's shipped config.

    Its history is the test's own (a file in the test's folder, unless `args` name one): a test never reads
    another test's runs, nor writes into the project's `.opscheck/`.
    """
    kept = () if any(a.startswith("--history") for a in args) else (f"--history={pytester.path / 'history.sqlite'}",)
    return pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--rootdir", str(REPO), "-c", str(REPO / "pyproject.toml"),
        "--opscheck-config", str(REPO / "opscheck.toml"), *kept, *args,
    )


def edited_scenario(
    tmp_path: Path, gateway: str, edit: Callable[[dict[str, Any]], None], name: str = "healthy"
) -> Path:
    """A copy of a bundled scenario with `edit` applied to each call of one gateway; returns the recordings folder."""
    shutil.copytree(RECORDINGS / name, tmp_path / name)
    if not (tmp_path / BLOBS).exists():  # sidecars (model bytes) sit beside the scenarios
        (tmp_path / BLOBS).symlink_to(RECORDINGS / BLOBS)
    path = tmp_path / name / f"{gateway}.json"
    data = json.loads(path.read_text())
    for call in data["calls"]:
        edit(call)
    path.write_text(json.dumps(data))
    return tmp_path


_SIGINT_AS_A_SHELL_HANDS_IT = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT}); "
    "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])")


def interruptible(args: list[str]) -> list[str]:
    """`python <args>` as a child a test will Ctrl-C: SIGINT as a shell hands it over (default, unblocked), whatever
    the test process inherited (a child inherits an ignored or blocked SIGINT; a background job's is ignored).

    Reset in the child's own interpreter, which then execs the command: not in a `preexec_fn`, which Python's
    subprocess docs call "NOT SAFE to use in the presence of threads" (the test process has gRPC's) and which
    once left a child dead of SIGABRT before it ran (CI, test_ctrl_c_during_a_probe_leaves_nothing).
    """
    import sys

    return [sys.executable, "-c", _SIGINT_AS_A_SHELL_HANDS_IT, *args]


def daily_page(scenario: str, folder: Path) -> Path:
    """The on-call page of the morning suite replayed on `scenario`, written into `folder`."""
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(REPO / "checks" / "daily"),
                    "--scenario", scenario, f"--report-dir={folder}"], cwd=REPO, capture_output=True,
                   timeout=120, check=False)
    [page] = folder.glob("daily-*.html")
    return page


def summary_of(folder: Path) -> dict[str, Any]:
    """A run's reports/summary.json (written by --report-dir)."""
    data: dict[str, Any] = json.loads((folder / "summary.json").read_text())
    return data




def fault_table() -> dict[str, dict[str, set[str]]]:
    """Scenario -> suite -> the checks it must fail there, as each fault declares (and `healthy`: none)."""
    return expectations()


_MARKERS: dict[str, set[str]] = {}


def check_markers(pytester: pytest.Pytester) -> dict[str, set[str]]:
    """Each check (name, parameters dropped) -> its suite markers (and `active`), from one collection."""
    if _MARKERS:
        return _MARKERS
    recorder = pytester.inline_run("-p", "no:cacheprovider", "--rootdir", str(REPO), "-c",
                                   str(REPO / "pyproject.toml"), "--opscheck-config",
                                   str(REPO / "opscheck.toml"), "--collect-only", str(REPO / "checks"))
    items = [call.item for call in recorder.getcalls("pytest_itemcollected")]
    assert items, "no checks collected"
    _MARKERS.update({item.name.split("[")[0]: {m.name for m in item.iter_markers()} & {*SUITES, "active"}
                     for item in items})
    return _MARKERS


def failed_by_suite(result: pytest.RunResult, markers: dict[str, set[str]],
                    suites: tuple[str, ...] = SUITES) -> dict[str, set[str]]:
    """The failed checks of a run of every suite, under each suite they belong to."""
    failed = failed_checks(result)
    return {suite: {name for name in failed if suite in markers[name.split("[")[0]]} for suite in suites}


def failed_checks(result: pytest.RunResult) -> set[str]:
    """Names of the failed checks, without date parameters: test_x or test_x[service]."""
    names = set()
    for test_id, outcome in outcomes(result).items():
        if outcome in ("FAILED", "ERROR"):
            name = test_id.split("::")[-1]
            names.add(name.split("[")[0] if "[20" in name else name)
    return names


def outcomes(result: pytest.RunResult) -> dict[str, str]:
    """test id -> PASSED/FAILED/SKIPPED/ERROR, from `-rA` summary lines.

    pytest names no test on a skip line (`SKIPPED [2] path:line: reason`), so
    skips are keyed by how many, where and why: `[2] path:line: reason`.
    """
    found: dict[str, str] = {}
    for line in result.outlines:
        for word in ("PASSED", "FAILED", "SKIPPED", "ERROR"):
            if line.startswith(f"{word} ["):
                found[line.split(maxsplit=1)[1]] = word
            elif line.startswith(word + " "):
                found[line.split()[1].removesuffix(f"@{PROBE_GROUP}")] = word  # -n N groups the probes
    return found


Answer = Callable[[str, str, dict[str, str], bytes], tuple[int, Any]]


@contextlib.contextmanager
def json_server(answer: Answer) -> Iterator[str]:
    """A loopback HTTP server answering each request with `answer(method, path, headers, body)` as JSON.

    Header names reach `answer` lower-cased.
    """

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, payload = answer(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _handle  # noqa: N815 - http.server's naming

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@contextlib.contextmanager
def silent_listener() -> Iterator[tuple[str, list[int]]]:
    """A loopback server that accepts connections and never answers: its URL, and a count of connections.

    What a hanging webhook looks like, and the proof that nothing connected where nothing may.
    """
    accepted: list[int] = []
    held: list[socket.socket] = []
    stop = threading.Event()
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0.2)

        def accept() -> None:
            while not stop.is_set():
                try:
                    connection, _ = listener.accept()
                except TimeoutError:
                    continue
                held.append(connection)
                accepted.append(1)

        thread = threading.Thread(target=accept, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{listener.getsockname()[1]}", accepted
        finally:
            stop.set()
            thread.join()
            for connection in held:
                connection.close()
