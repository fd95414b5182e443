"""`--notify` from live runs against the local platform: news only, the URL kept out, a dead webhook harmless.

Live, because an offline replay never notifies (tests/plugin/test_offline.py): it describes a recording, and
a chat message about it would read as news about the platform now.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from opscheck.sandbox import faults
from opscheck.sandbox.lifecycle import Sandbox
from tests.helpers import REPO, json_server, run_checks, silent_listener

DAILY = str(REPO / "checks" / "daily")
TIMEOUT = 3


def config_with_timeout(tmp_path: Path, seconds: int) -> Path:
    """The user's own opscheck.toml with another timeout (it wins over the local platform's overlay)."""
    config = tmp_path / "opscheck.toml"
    config.write_text((REPO / "opscheck.toml").read_text().replace("timeout_seconds = 30",
                                                                     f"timeout_seconds = {seconds}"))
    return config


def test_notify_posts_what_started_failing_once_and_keeps_the_url_out_of_the_output(
    healthy: Sandbox, pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    posted: list[dict[str, Any]] = []

    def receive(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        posted.append({"path": path, "body": json.loads(body)})
        return 200, {"ok": True}

    with json_server(receive) as url:
        monkeypatch.setenv("OPSCHECK_NOTIFY_URL", f"{url}/services/T000/B000/secret-token")
        passing = run_checks(pytester, DAILY, "--target", "sandbox")
        assert passing.ret == pytest.ExitCode.OK and posted == [], passing.stdout.str()[-2000:]
        faults.inject(healthy, "partial-run")
        failing = run_checks(pytester, DAILY, "--target", "sandbox", f"--report-dir={tmp_path}")
        again = run_checks(pytester, DAILY, "--target", "sandbox")  # the same incident, minutes later: not news
    assert failing.ret == again.ret == pytest.ExitCode.TESTS_FAILED
    assert [p["path"] for p in posted] == ["/services/T000/B000/secret-token"]
    text = posted[0]["body"]["text"]
    assert "*opscheck daily: 1 started failing* · LOCAL PLATFORM (LIVE" in text
    assert ("• [FAIL] test_predictions_landed[2026-02-09]: 2026-02-09: 24 players have an active catboost_v9 "
            "prediction") in text
    assert posted[0]["body"]["opscheck"]["kind"] == "new"
    assert f"report: {tmp_path}" in text
    failing.stdout.fnmatch_lines(["opscheck: told 127.0.0.1: 1 started failing"])
    again.stdout.fnmatch_lines(["opscheck: nothing new to tell 127.0.0.1"])
    assert "secret-token" not in failing.stdout.str() + failing.stderr.str()


def test_a_hanging_webhook_is_tried_twice_and_leaves_the_exit_code(
    healthy: Sandbox, pytester: pytest.Pytester, tmp_path: Path
) -> None:
    faults.inject(healthy, "partial-run")
    with silent_listener() as (url, accepted):
        result = run_checks(pytester, DAILY, "--target", "sandbox", f"--notify={url}/hook",
                            f"--opscheck-config={config_with_timeout(tmp_path, TIMEOUT)}")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["opscheck: could not notify 127.0.0.1 (ReadTimeout, 2 attempts); the exit code is "
                                 "unchanged, and the next run tells it again"])
    assert len(accepted) == 2  # two attempts, each given up at the timeout, and no third


def test_a_dead_webhook_leaves_the_exit_code(
    healthy: Sandbox, pytester: pytest.Pytester, tmp_path: Path
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound, never listening: connections are refused
        faults.inject(healthy, "partial-run")
        result = run_checks(pytester, DAILY, "--target", "sandbox", f"--notify=http://127.0.0.1:{port}/hook",
                            f"--opscheck-config={config_with_timeout(tmp_path, TIMEOUT)}")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["opscheck: could not notify 127.0.0.1 (ConnectionError, 2 attempts); the exit "
                                 "code is unchanged, and the next run tells it again"])
