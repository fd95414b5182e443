"""The local platform's lifecycle: reuse, taken ports, exact teardown, reseeding, CLI."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from opscheck.sandbox import faults, processes, schema
from opscheck.sandbox.lifecycle import Sandbox
from opscheck.sandbox.processes import SandboxError
from tests.conftest import require_standins


def test_second_up_reuses_a_healthy_platform(local_platform: Sandbox) -> None:
    pids = {name: info["pid"] for name, info in local_platform.status().items()}
    assert local_platform.up() == "already up"
    assert {name: info["pid"] for name, info in local_platform.status().items()} == pids


def test_a_taken_port_is_detected(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SandboxError, match=f"port {port} on 127.0.0.1 is already taken"):
            processes.start("probe", [sys.executable, "-c", "pass"], tmp_path / "probe.log", ports=(port,))


def _counts(platform: Sandbox) -> dict[str, int]:
    sql = " UNION ALL ".join(f"SELECT '{t}' AS t, COUNT(*) AS n FROM {t} WHERE TRUE" for t in schema.TABLES)
    return {row["t"]: row["n"] for row in platform.bigquery().query(sql).result()}


def test_down_stops_exactly_its_processes_and_up_reseeds_identically(tmp_path: Path) -> None:
    require_standins()
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    platform = Sandbox(tmp_path / "state")
    try:
        platform.up()
        first = _counts(platform)
        pids = [info["pid"] for info in platform.status().values()]
        platform.down()
        assert not any(processes.alive(pid) for pid in pids)
        assert bystander.poll() is None, "down stopped a process it did not start"
        assert not platform.target_file.exists()
        platform.up()
        assert _counts(platform) == first  # a fresh warehouse, not a second copy
    finally:
        platform.down()
        bystander.kill()
        bystander.wait()


def test_cli_status_and_fault_list(local_platform: Sandbox) -> None:
    env = {**os.environ, "OPSCHECK_SANDBOX_DIR": str(local_platform.state_dir)}
    status = subprocess.run([sys.executable, "-m", "opscheck.cli", "sandbox", "status"],
                            env=env, capture_output=True, text=True, check=False)
    assert status.returncode == 0, status.stdout + status.stderr
    assert "prediction-worker" in status.stdout and "faults: none" in status.stdout
    listing = subprocess.run([sys.executable, "-m", "opscheck.cli", "sandbox", "break", "--list"],
                             env=env, capture_output=True, text=True, check=True)
    names = [line.split()[0] for line in listing.stdout.strip().splitlines()]
    assert names == sorted(faults.FAULTS) and "cold-start-503" in names  # by name, as people look one up


def test_cli_status_of_nothing_is_not_running(tmp_path: Path) -> None:
    env = {**os.environ, "OPSCHECK_SANDBOX_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "opscheck.cli", "sandbox", "status"],
                          env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 1 and done.stdout.strip() == "not running"


@pytest.mark.parametrize(("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_missing_standin_fails_under_ci_and_skips_elsewhere(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ci: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setenv("CI", ci)
    monkeypatch.setenv("OPSCHECK_PUBSUB_EMULATOR_JAR", str(tmp_path / "missing.jar"))
    with pytest.raises(outcome, match="google-cloud-cli-pubsub-emulator"):
        require_standins()
