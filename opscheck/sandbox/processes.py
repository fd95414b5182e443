"""Starting, watching and stopping the local platform's processes.

Each process gets its own session (process group) and a log file, so `down`
stops exactly what `up` started, by PID, children included, and a failed start
can show the last lines the process wrote.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import requests

from opscheck.errors import OpscheckError


class SandboxError(OpscheckError):
    """The local platform could not be brought up, changed or brought down."""


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def start(
    name: str, argv: Sequence[str], log: Path, env: Mapping[str, str] | None = None,
    ports: Sequence[int] = (),
) -> int:
    """Start `argv` detached, output to `log`; refuses ports that are already taken."""
    for port in ports:
        if port_in_use(port):
            raise SandboxError(
                f"{name}: port {port} on 127.0.0.1 is already taken; free it or run `opscheck sandbox down`"
            )
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        proc = subprocess.Popen(
            list(argv), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})}, start_new_session=True,
        )
    return proc.pid


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    return True


def stop(pid: int, grace: float = 5.0) -> None:
    """SIGTERM the process group, then SIGKILL what is left after `grace` seconds."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 2.0)):
        try:
            os.killpg(pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not alive(pid):
                return
            time.sleep(0.05)


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
