"""Interrupted runs leave nothing behind: a cancelled CI job, a killed runner, Ctrl-C (held down) during `up`.

Every check here looks for leftovers by process group (each stand-in leads
its own), so a child a stand-in started would be found too.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from opscheck.sandbox.lifecycle import Sandbox
from tests.conftest import require_standins
from tests.helpers import REPO, interruptible

SESSION_HOLDING_A_PLATFORM = '''
import os
import time
from pathlib import Path

import pytest

from opscheck.sandbox.lifecycle import running

STATE = Path(os.environ["OPSCHECK_TEST_STATE"])


@pytest.fixture(scope="session")
def platform():
    with running(STATE, seeded=False) as platform:  # its processes are the subject, not their data
        yield platform


def test_runs_long(platform):
    (STATE / "READY").write_text("")
    time.sleep(600)


def test_would_run_next(platform):  # a cancelled session stops: it does not go on to this
    time.sleep(600)
'''


def leftovers(groups: set[int]) -> list[str]:
    """Live (not zombie) processes in any of these process groups, as "pid command"."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) in groups:
            found.append(f"{stat.parent.name} {(stat.parent / 'comm').read_text().strip()}")
    return found


def wait_for(what: str, ready: Callable[[], bool], timeout: float, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None:
            pytest.fail(f"{what}: the process ended first: {proc.communicate()}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout}s")
        time.sleep(0.1)


def recorded_groups(state: Path) -> set[int]:
    return {info["pid"] for info in json.loads((state / "state.json").read_text())["processes"].values()}


def no_leftovers(groups: set[int], within: float) -> None:
    deadline = time.monotonic() + within
    while leftovers(groups) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not leftovers(groups), f"left running: {leftovers(groups)}"


def wait_for_emulators(state: Path, up: subprocess.Popen[str]) -> None:
    """Until `up` has recorded its first three process groups (the emulators) in its state file."""
    wait_for("the emulators", lambda: (state / "state.json").exists() and len(recorded_groups(state)) >= 3, 120, up)


def child_env(tmp_path: Path, state: Path) -> dict[str, str]:
    return {**os.environ, "OPSCHECK_SANDBOX_DIR": str(state), "OPSCHECK_TEST_STATE": str(state),
            "XDG_STATE_HOME": str(tmp_path / "xdg"), "PYTHONPATH": str(REPO)}


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["cancelled", "killed"])
def test_a_stopped_test_session_takes_its_platform_with_it(tmp_path: Path, sig: signal.Signals) -> None:
    """SIGTERM to the process group (a CI cancel) stops the session and runs `down`; SIGKILL leaves it to the tie."""
    require_standins()
    state = tmp_path / "state"
    (tmp_path / "test_holding.py").write_text(SESSION_HOLDING_A_PLATFORM)
    child = subprocess.Popen(interruptible(["-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
                              str(tmp_path / "test_holding.py")]), cwd=tmp_path, env=child_env(tmp_path, state),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        wait_for("the child session's platform", (state / "READY").exists, 180, child)
        groups = recorded_groups(state)
        assert len(groups) == 9 and len(leftovers(groups)) >= 9
        os.killpg(child.pid, sig)
        out = child.communicate(timeout=60)[0]
        assert sig == signal.SIGKILL or "KeyboardInterrupt" in out, out[-2000:]
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
    no_leftovers(groups, within=10)


@pytest.fixture
def sandbox_up(tmp_path: Path) -> Iterator[Callable[[Path], subprocess.Popen[str]]]:
    """Starts `opscheck sandbox up` (untied: it is meant to outlive its command); whatever a test leaves, goes."""
    started: list[tuple[subprocess.Popen[str], Path]] = []

    def start(state: Path) -> subprocess.Popen[str]:
        up = subprocess.Popen(interruptible(["-m", "opscheck.cli", "sandbox", "up"]), cwd=tmp_path,
                              env=child_env(tmp_path, state), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, start_new_session=True)
        started.append((up, state))
        return up

    yield start
    for up, state in started:
        if up.poll() is None:
            up.send_signal(signal.SIGINT)
            up.communicate(timeout=90)
        Sandbox(state).down()


def test_ctrl_c_again_and_again_during_up_stops_what_it_started(
    tmp_path: Path, sandbox_up: Callable[[Path], subprocess.Popen[str]]
) -> None:
    """Ctrl-C, then Ctrl-C held down: during the cleanup, and on into the interpreter's own shutdown.

    A press that lands after the interpreter has put SIGINT back to its
    default used to kill the process (-2, not 130) or print a traceback from
    an atexit hook; pressing until it exits finds that window every time.
    """
    require_standins()
    state = tmp_path / "state"
    up = sandbox_up(state)
    wait_for_emulators(state, up)
    groups = recorded_groups(state)
    up.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 90
    while up.poll() is None and time.monotonic() < deadline:
        up.send_signal(signal.SIGINT)
        time.sleep(0.005)
    out, err = up.communicate(timeout=5)
    assert up.returncode == 130, out + err
    assert [line for line in err.splitlines() if line.strip()] == [
        "opscheck: interrupted (anything it had started is stopped again)"], err
    no_leftovers(groups, within=5)
    assert not (state / "state.json").exists()
    assert not list((tmp_path / "xdg").rglob("platforms/*")), "the index still lists a platform that is gone"


def test_a_second_up_on_the_same_folder_is_refused_in_one_line(
    tmp_path: Path, sandbox_up: Callable[[Path], subprocess.Popen[str]]
) -> None:
    require_standins()
    state = tmp_path / "state"
    first = sandbox_up(state)
    wait_for("the first up", lambda: (state / "lock").exists() and bool((state / "lock").read_text()), 60, first)
    second = subprocess.run([sys.executable, "-m", "opscheck.cli", "sandbox", "up"], cwd=tmp_path,
                            env=child_env(tmp_path, state), capture_output=True, text=True, timeout=30)
    assert second.returncode == 2, second.stdout + second.stderr
    assert second.stderr.splitlines() == [
        f"opscheck: another opscheck sandbox command (pid {first.pid}) is working on {state}: wait for it, "
        "or run `opscheck sandbox down` once it is done (up refused)"]
    assert first.poll() is None, "the refused up disturbed the first one"


def test_down_all_finds_a_platform_whose_up_was_killed(
    tmp_path: Path, sandbox_up: Callable[[Path], subprocess.Popen[str]]
) -> None:
    """`kill -9` of `sandbox up` leaves its stand-ins (untied, meant to outlive it); `down --all` finds them."""
    require_standins()
    state = tmp_path / "somewhere" / "state"
    up = sandbox_up(state)
    wait_for_emulators(state, up)
    os.killpg(up.pid, signal.SIGKILL)
    up.communicate()
    groups = recorded_groups(state)
    assert leftovers(groups)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    down = subprocess.run([sys.executable, "-m", "opscheck.cli", "sandbox", "down", "--all"], cwd=elsewhere,
                          env=child_env(tmp_path, elsewhere / ".sandbox"), capture_output=True, text=True,
                          timeout=60)
    assert down.returncode == 0, down.stderr
    assert down.stdout.startswith(f"{state}: stopped "), down.stdout
    no_leftovers(groups, within=5)
