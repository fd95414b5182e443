"""`opscheck sandbox` takes bad input in one line and finds its platform from anywhere in the project."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from opscheck.sandbox import processes
from tests.helpers import REPO


def sandbox(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k != "OPSCHECK_SANDBOX_DIR"}
    return subprocess.run([sys.executable, "-m", "opscheck.cli", "sandbox", *args], cwd=cwd,
                          env={**clean, "PYTHONPATH": str(REPO), **env}, capture_output=True, text=True,
                          timeout=60, check=False)


@pytest.mark.parametrize("seed", ["-1", "seven"])
def test_a_bad_seed_is_one_line_and_starts_nothing(tmp_path: Path, seed: str) -> None:
    done = sandbox(tmp_path, "up", "--seed", seed)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"opscheck: argument --seed: {seed!r} is not a whole number 0 or more (see `opscheck sandbox --help`)"]
    assert list(tmp_path.iterdir()) == [], "nothing is written for a refused command"


@pytest.fixture
def project_with_platform(tmp_path: Path) -> tuple[Path, subprocess.Popen[bytes]]:
    """A project whose `.sandbox` records one running process (a stand-in that only sleeps)."""
    (tmp_path / "opscheck.toml").write_text("[run]\n")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    state = {"processes": {"storage": {"pid": sleeper.pid, "port": processes.free_port(), "log": "storage.log",
                                       "started": processes.identity(sleeper.pid)}},
             "faults": [], "ledger": []}
    (tmp_path / ".sandbox").mkdir()
    (tmp_path / ".sandbox" / "state.json").write_text(json.dumps(state))
    (tmp_path / "checks" / "daily").mkdir(parents=True)
    return tmp_path, sleeper


def test_status_and_down_find_the_platform_from_a_subdirectory(
    project_with_platform: tuple[Path, subprocess.Popen[bytes]]
) -> None:
    project, sleeper = project_with_platform
    below = project / "checks" / "daily"
    try:
        status = sandbox(below, "status")
        assert "storage" in status.stdout and "not running" not in status.stdout, status.stdout + status.stderr
        down = sandbox(below, "down", XDG_STATE_HOME=str(project / "xdg"))
        assert down.returncode == 0 and down.stdout.strip() == "stopped 1 process", down.stderr
        assert sleeper.wait(timeout=10) is not None
        assert not (project / ".sandbox" / "state.json").exists()
        assert not (below / ".sandbox").exists(), "nothing is written where the command was run"
    finally:
        sleeper.kill()
        sleeper.wait()


def test_down_leaves_alone_a_process_that_took_a_recorded_pid(
    project_with_platform: tuple[Path, subprocess.Popen[bytes]]
) -> None:
    """A state file that outlived its platform (a reboot): its PIDs may belong to someone else now."""
    project, sleeper = project_with_platform
    state_file = project / ".sandbox" / "state.json"
    state = json.loads(state_file.read_text())
    state["processes"]["storage"]["started"] -= 1  # the same PID, started at another time: not ours
    state_file.write_text(json.dumps(state))
    try:
        assert "DEAD" in sandbox(project, "status").stdout
        down = sandbox(project, "down", XDG_STATE_HOME=str(project / "xdg"))
        assert down.stdout.strip() == "nothing was running (1 recorded had already exited)", down.stdout
        assert sleeper.poll() is None, "down signalled a process it did not start"
    finally:
        sleeper.kill()
        sleeper.wait()


def test_ports_come_from_the_given_range(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two platforms up at once (pytest -n 2) could pick one port before either binds it: each gets a range; and
    one platform's picks never repeat (two services once drew the same free port, and the second could not bind)."""
    from opscheck.sandbox import processes

    monkeypatch.setattr(processes, "_HANDED_OUT", set())
    monkeypatch.setenv("OPSCHECK_SANDBOX_PORTS", "20000-20009")
    picked = [processes.free_port() for _ in range(9)]  # up picks every port before it binds any: never twice
    assert sorted(picked) == list(range(20000, 20009))  # HIGH itself is never picked
    with pytest.raises(processes.SandboxError, match="no free loopback port between 20000 and 20009"):
        processes.free_port()
    monkeypatch.setenv("OPSCHECK_SANDBOX_PORTS", "9-8")
    with pytest.raises(processes.SandboxError, match="OPSCHECK_SANDBOX_PORTS='9-8': expected LOW-HIGH"):
        processes.free_port()
