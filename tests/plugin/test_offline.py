"""Offline mode: no socket, exact replay, clear errors, no fallback either way."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from opscheck.replay import offline
from tests.helpers import RECORDINGS, REPO, interruptible, run_checks, silent_listener

PROBE = '''
import socket
import pytest
import requests

def test_socket_refused(platform):
    with pytest.raises(Exception, match="offline mode: refused network access") as caught:
        socket.create_connection(("127.0.0.1", {port}), timeout=1)
    assert type(caught.value).__name__ == "OfflineViolation"

def test_http_refused(platform):
    with pytest.raises(Exception, match="refused network access"):
        requests.get("http://127.0.0.1:{port}/", timeout=1)

def test_name_lookup_refused(platform):
    with pytest.raises(Exception, match="name lookup of 'bigquery.googleapis.com'"):
        socket.getaddrinfo("bigquery.googleapis.com", 443)
'''


def test_offline_run_cannot_open_a_socket(pytester: pytest.Pytester) -> None:
    with socket.socket() as listener:  # a real listener: a connect would succeed if allowed
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        pytester.makepyfile(test_probe=PROBE.replace("{port}", str(port)))
        result = pytester.runpytest_subprocess(
            "-p", "opscheck.plugin", "--opscheck-config", str(REPO / "opscheck.toml"),
            "--mode", "offline", "--scenario", "healthy")
    result.assert_outcomes(passed=3)


def test_socket_block_lets_unix_sockets_through_and_comes_off() -> None:
    offline.enable()
    try:
        left, right = socket.socketpair()
        left.close()
        right.close()
        with pytest.raises(offline.OfflineViolation):
            socket.create_connection(("127.0.0.1", 9), timeout=1)
    finally:
        offline.disable()
    assert not offline.active()


def test_missing_recording_names_the_call(pytester: pytest.Pytester) -> None:
    result = run_checks(pytester, str(REPO / "checks/daily/test_predictions.py"),
                        "--date", "2026-01-15", "-k", "landed")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*RecordingMissing: no recording of bigquery.query*\"end\":\"2026-01-15\"*"
        "in scenario 'healthy': record it with `pytest checks --mode record --target sandbox*"
    ])


LANDED = str(REPO / "checks/daily/test_predictions.py")


def _truncated(data: str) -> str:
    return data[: len(data) // 2]


def _without_results(data: str) -> str:
    parsed = json.loads(data)
    for call in parsed["calls"]:
        call.pop("result", None)
    return json.dumps(parsed)


def _lines_missing(data: str) -> str:
    parsed = json.loads(data)
    for call in parsed["calls"]:
        if call["args"].get("query") == "expected_predictions":
            call.pop("result")
            call["error"] = {"type": "NotFoundError", "message": "table nba_raw.player_prop_lines: not found"}
    return json.dumps(parsed)


@pytest.mark.parametrize(("damage", "expected"), [
    (_truncated, "*{path}: malformed recording, not valid JSON*"),
    (_without_results, "*{path}: call query *: malformed recording, it has neither result nor error*"),
    (_lines_missing, "*NotFoundError: table nba_raw.player_prop_lines: not found*"),
], ids=["not-json", "no-result", "recorded-error"])
def test_damaged_recording_fails_the_check_clearly(
    pytester: pytest.Pytester, tmp_path: Path, damage: Callable[[str], str], expected: str
) -> None:
    """A malformed file names its path; a recorded error is raised again, as it was live."""
    shutil.copytree(RECORDINGS / "healthy", tmp_path / "healthy")
    path = tmp_path / "healthy" / "bigquery.json"
    path.write_text(damage(path.read_text()))
    result = run_checks(pytester, LANDED, "--recordings", str(tmp_path), "-k", "landed")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([expected.format(path=path)])


def test_unknown_scenario_stops_the_run_listing_known_ones(pytester: pytest.Pytester) -> None:
    result = run_checks(pytester, str(REPO / "checks/daily"), "--scenario", "no-such-scenario")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: opscheck: scenario 'no-such-scenario' not found*healthy*"])


def test_live_never_falls_back_to_offline(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Live with nothing reachable fails the checks; it does not quietly replay."""
    (tmp_path / "target.toml").write_text(
        '[endpoints]\nbigquery = "http://127.0.0.1:9"\nanonymous = true\ntimeout_seconds = 1\n')
    monkeypatch.setenv("OPSCHECK_SANDBOX_DIR", str(tmp_path))
    result = run_checks(pytester, str(REPO / "checks/daily/test_predictions.py"), "--target", "sandbox",
                        "-k", "landed")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*opscheck LIVE*", "*UnreachableError*"])


def test_target_sandbox_without_platform_is_one_line(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPSCHECK_SANDBOX_DIR", str(tmp_path / "nothing"))
    result = run_checks(pytester, str(REPO / "checks/daily"), "--target", "sandbox")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: opscheck: --target sandbox: the local platform is not up*"
                                 "run `opscheck sandbox up`"])


@pytest.mark.parametrize("how", ["env", "flag", "flag and -x"])
def test_an_offline_run_never_notifies_and_opens_no_socket(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """With OPSCHECK_NOTIFY_URL set (as the README recommends) a failing replay POSTed its summary (issue 18)."""
    with silent_listener() as (url, accepted):
        flags = [f"--notify={url}/hook"] if how != "env" else []
        if how == "env":
            monkeypatch.setenv("OPSCHECK_NOTIFY_URL", f"{url}/hook")
        result = run_checks(pytester, str(REPO / "checks" / "daily"), "--scenario", "partial-run", *flags,
                            *(["-x"] if "-x" in how else []))
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["opscheck: offline replay: no notification sent to 127.0.0.1"])
    assert accepted == [] and "OfflineViolation" not in result.stdout.str() + result.stderr.str()


def test_ctrl_c_during_an_offline_run_is_exit_2_without_a_traceback(tmp_path: Path) -> None:
    """Ctrl-C ended in a 115-line OfflineViolation traceback and exit 1, which reads as "a check failed"."""
    with silent_listener() as (url, accepted):
        env = {**os.environ, "OPSCHECK_NOTIFY_URL": f"{url}/hook", "OPSCHECK_REPLAY_LATENCY_MS": "3000"}
        child = subprocess.Popen(interruptible(["-m", "pytest", "-p", "no:cacheprovider", "--rootdir", str(REPO),
                                  "-c", str(REPO / "pyproject.toml"), str(REPO / "checks" / "daily"),
                                  "--scenario", "partial-run", f"--report-dir={tmp_path}"]),
                                 cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert child.stdout is not None
        for line in child.stdout:  # the replay is under way (each answer takes 3 s): interrupt it
            if "opscheck OFFLINE" in line and "=" in line:
                break
        child.send_signal(signal.SIGINT)
        output = child.communicate(timeout=120)[0]
    assert child.returncode == pytest.ExitCode.INTERRUPTED, output
    assert "Traceback" not in output and "OfflineViolation" not in output and accepted == []
