"""Starting, watching and stopping the local platform's processes.

Each process gets its own session (process group) and a log file, so `down`
stops exactly what `up` started, by PID, children included, and a failed start
can show the last lines the process wrote.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import random
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import requests

from opscheck.errors import OpscheckError


class SandboxError(OpscheckError):
    """The local platform could not be brought up, changed or brought down."""


_HANDED_OUT: set[int] = set()
"""Ports free_port gave out in this process: `up` picks every service's port before it starts them, so two
picks that happened to fall on the same free port would collide when the second service binds it."""


def free_port() -> int:
    """A loopback port a server could listen on now, below the kernel's ephemeral range, never one given before.

    Not port 0's pick: that comes from the ephemeral range, where any outgoing
    connection (tests make thousands) may take it as its source port before
    the server binds it.
    """
    low, high = port_range()
    for _ in range(200):
        port = random.randrange(low, high)
        if port not in _HANDED_OUT and not port_in_use(port):
            _HANDED_OUT.add(port)
            return port
    raise SandboxError(f"no free loopback port between {low} and {high}: stop what holds them")


PORTS_ENV = "OPSCHECK_SANDBOX_PORTS"


def port_range() -> tuple[int, int]:
    """Where the platform's ports are picked: $OPSCHECK_SANDBOX_PORTS (LOW-HIGH), else 10000 up to the ephemeral range.

    Two platforms coming up at once (opscheck's own tests under pytest -n 2) could pick the same port
    before either binds it; each gets a range of its own.
    """
    try:
        ephemeral = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        ephemeral = 32768
    given = os.environ.get(PORTS_ENV, "")
    low, _, high = given.partition("-")
    if low.isdigit() and high.isdigit() and 1024 <= int(low) < int(high) <= 65535:
        return int(low), int(high)
    if given:
        raise SandboxError(f"${PORTS_ENV}={given!r}: expected LOW-HIGH, two ports 1024-65535, LOW below HIGH")
    return 10_000, max(ephemeral, 10_001)


def port_in_use(port: int) -> bool:
    """Whether a server could not listen on `port` now.

    A bind test, as the server itself would do it (SO_REUSEADDR, like
    http.server, Go and Java listeners): connections of a just-stopped server
    in TIME_WAIT do not count, and a connect test could "succeed" by TCP
    self-connect when the kernel picks the free port itself as the source.
    """
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
        return False


def start(
    name: str, argv: Sequence[str], log: Path, env: Mapping[str, str] | None = None,
    ports: Sequence[int] = (), tied: bool = False,
) -> int:
    """Start `argv` detached, output to `log`; refuses ports that are already taken.

    `tied`: the process dies with the one that started it (util-linux
    `setpriv --pdeathsig`), for platforms owned by a test or benchmark run: a
    cancelled CI job or a SIGTERM must leave nothing behind. `opscheck sandbox
    up` starts untied processes, meant to outlive the command. Linux ties the
    process to the starting *thread*: start tied processes from the thread
    that lives as long as they should (the main one).
    """
    for port in ports:
        if port_in_use(port):
            raise SandboxError(
                f"{name}: port {port} on 127.0.0.1 is already taken; free it or run `opscheck sandbox down`"
            )
    return spawn(argv, log, env, tied).pid


def spawn(argv: Sequence[str], log: Path, env: Mapping[str, str] | None = None, tied: bool = False,
          ) -> subprocess.Popen[bytes]:
    """`start` without the port checks, as a Popen: for a helper process whose exit is waited for."""
    log.parent.mkdir(parents=True, exist_ok=True)
    command = ["setpriv", "--pdeathsig", "KILL", "--", *argv] if tied else list(argv)
    with log.open("ab") as out:
        return subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})}, start_new_session=True,
        )


@contextlib.contextmanager
def exclusive(folder: Path, what: str) -> Iterator[None]:
    """Hold the state folder's lock for the block; another holder is a one-line error, not a DuckDB trace."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "lock"
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            raise SandboxError(f"another opscheck sandbox command (pid {holder}) is working on {folder}: wait "
                               f"for it, or run `opscheck sandbox down` once it is done ({what} refused)") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _stat(pid: int) -> tuple[str, int] | None:
    """The process's state letter and start time (clock ticks since boot), from /proc; None if there is none."""
    return _stat_file(Path(f"/proc/{pid}/stat"))


def _stat_file(path: Path) -> tuple[str, int] | None:
    try:
        fields = path.read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return fields[0], int(fields[19])


def identity(pid: int) -> int | None:
    """When the process started: a PID plus this names one process.

    PIDs are reused; a state file that outlived its platform (a reboot, a
    killed runner) must not make `down` signal whoever holds the PID now.
    """
    stat = _stat(pid)
    return None if stat is None else stat[1]


def alive(pid: int, started: int | None = None) -> bool:
    """The process runs (and, given `started`, is the one that started then).

    A child of ours counts until it is reaped. Someone else's process counts
    until every thread has exited: a multi-threaded process's leader shows as
    a zombie while its other threads still exit and hold its sockets (a
    restarted service then found its port taken); once all are zombies it has
    exited, and its parent just has not looked (or never will).
    """
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
        ours = True
    except ChildProcessError:
        reaped, ours = 0, False
    stat = _stat(pid)
    if reaped == pid or stat is None or (stat[0] == "Z" and not ours and not _threads_running(pid)):
        return False
    return started is None or stat[1] == started


def _threads_running(pid: int) -> bool:
    """Whether any thread of `pid` is not yet a zombie."""
    for task in Path(f"/proc/{pid}/task").glob("[0-9]*"):
        stat = _stat_file(task / "stat")
        if stat is not None and stat[0] != "Z":
            return True
    return False


def stop(pid: int, started: int | None = None, grace: float = 5.0) -> bool:
    """SIGTERM the process group, then SIGKILL what is left after `grace` seconds; not a PID's new owner.

    Returns whether there was anything of ours to stop, so `down` can say what it really did.
    """
    if not alive(pid, started):
        return False
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 2.0)):
        try:
            os.killpg(pid, sig)
        except (ProcessLookupError, PermissionError):
            return True
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not alive(pid):
                return True
            time.sleep(0.05)
    return True


def tail(log: Path, lines: int = 8) -> str:
    try:
        return " | ".join(log.read_text(errors="replace").strip().splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


def wait_until(name: str, pid: int, log: Path, ready: Callable[[], bool], timeout: float) -> None:
    """Poll `ready` until true; fail fast if the process died, with its log's tail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            raise SandboxError(f"{name} exited during start-up: {tail(log)}")
        with contextlib.suppress(Exception):
            if ready():
                return
        time.sleep(0.1)
    raise SandboxError(f"{name} not ready within {timeout:g}s (log {log}): {tail(log)}")


def http_ok(url: str, expect: str | None = None) -> Callable[[], bool]:
    """A readiness probe: GET `url` answers (and contains `expect`, if given)."""

    def probe() -> bool:
        response = requests.get(url, timeout=1)
        return expect is None or expect in response.text

    return probe
