"""A dead dependency costs the morning run its timeout once, not once per check, and never hangs it."""

from __future__ import annotations

import json
import os
import re
import signal
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from opscheck.sandbox.lifecycle import Sandbox
from opscheck.sandbox.processes import free_port
from tests.helpers import REPO, run_checks, summary_of

TIMEOUT = 3
GATEWAY = {"bigquery": "bigquery", "storage": "storage", "pubsub": "pubsub", "prediction-worker": "http"}
"""The gateway through which each stopped process is reached."""
COUNT_CALLS = '''
import collections, json, time
from opscheck.platform import channel

runs = collections.Counter()
failed = collections.defaultdict(list)
_call = channel.LiveChannel.call


def counting(self, gateway, operation, args, live, shape=None):
    runs[(gateway, operation, json.dumps(args, sort_keys=True, default=str))] += 1
    start = time.monotonic()
    try:
        return _call(self, gateway, operation, args, live, shape)
    except Exception:
        failed[gateway].append((start, time.monotonic()))
        raise


channel.LiveChannel.call = counting


def waited(spans):
    """Seconds during which at least one of the spans was open: calls waiting side by side count once."""
    total, reach = 0.0, float("-inf")
    for start, end in sorted(spans):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(f"MOST ATTEMPTS OF ONE CALL {max(runs.values(), default=0)}")
    for gateway, spans in sorted(failed.items()):
        terminalreporter.write_line(f"WAITED ON FAILING {gateway} {waited(spans):.3f}")
'''


@pytest.fixture
def short_timeout(tmp_path: Path) -> Path:
    """The user's own copy of opscheck.toml, timeout 3 s: it must win over the local platform's overlay."""
    config = tmp_path / "opscheck.toml"
    config.write_text((REPO / "opscheck.toml").read_text().replace("timeout_seconds = 30",
                                                                     f"timeout_seconds = {TIMEOUT}"))
    return config


@pytest.fixture
def stopped(healthy: Sandbox, request: pytest.FixtureRequest) -> Iterator[str]:
    """A dependency black-holed: its process stopped (it accepts connections, answers nothing)."""
    name = request.param
    pid = healthy.proc(name).pid
    os.kill(pid, signal.SIGSTOP)
    try:
        yield name
    finally:
        os.kill(pid, signal.SIGCONT)


@pytest.mark.parametrize("stopped", ["bigquery", "storage", "pubsub", "prediction-worker"], indirect=True)
def test_a_black_holed_dependency_costs_its_timeout_once(
    stopped: str, pytester: pytest.Pytester, tmp_path: Path, short_timeout: Path
) -> None:
    pytester.makepyfile(count_calls=COUNT_CALLS)
    pytester.syspathinsert()
    result = run_checks(pytester, str(REPO / "checks" / "daily"), "-p", "count_calls", "--target", "sandbox",
                        f"--opscheck-config={short_timeout}", f"--report-dir={tmp_path / 'out'}")
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()[-2000:]
    result.stdout.fnmatch_lines(["MOST ATTEMPTS OF ONE CALL 1"])  # a call that failed is not made again
    # Its timeout once, not once per check that needs it (a dozen): the calls that failed on it waited side by
    # side. Measured over those calls alone: on a busy machine the rest of the suite may take any time. Once is
    # up to two timeouts (a query's, then its cancel's); the bound doubles that for a busy machine.
    waits = dict(re.findall(r"^WAITED ON FAILING (\S+) ([\d.]+)$", result.stdout.str(), re.MULTILINE))
    assert GATEWAY[stopped] in waits, f"no call to {stopped} failed: {waits}"
    assert float(waits[GATEWAY[stopped]]) <= 4 * TIMEOUT, f"{stopped} cost the suite {waits[GATEWAY[stopped]]}s"


def test_a_refused_connection_fails_at_once(
    healthy: Sandbox, pytester: pytest.Pytester, tmp_path: Path
) -> None:
    """Nothing listens (a stand-in killed with -9): refused is not transient, so nothing is retried."""
    overlay = tomllib.loads(healthy.target_file.read_text())
    endpoints = {**overlay["endpoints"], "bigquery": f"http://127.0.0.1:{free_port()}",
                 "storage": f"http://127.0.0.1:{free_port()}"}
    lines = [f"{k} = {json.dumps(v)}" for k, v in endpoints.items() if k != "timeout_seconds"]
    config = tmp_path / "opscheck.toml"
    config.write_text("[run]\ntoday = 2026-02-09\n[endpoints]\n" + "\n".join(lines) + "\ntimeout_seconds = 20\n")
    result = run_checks(pytester, str(REPO / "checks" / "daily"), "--mode", "live", f"--opscheck-config={config}",
                        f"--report-dir={tmp_path / 'out'}")
    summary = summary_of(tmp_path / "out")
    failed = [c for c in summary["checks"] if c["outcome"] == "failed"]
    assert len(failed) == 15, [c["id"] for c in failed]  # every check that reads BigQuery or Storage
    assert all("connection refused (http://127.0.0.1:" in c["message"] for c in failed), failed
    assert summary["duration"] < 20, f"retried: the suite took {summary['duration']:.1f}s, a whole 20 s timeout"
    result.stdout.fnmatch_lines(["*connection refused (http://127.0.0.1:*"])
