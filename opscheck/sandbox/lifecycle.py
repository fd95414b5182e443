"""`Sandbox`: bring the miniature platform up, seed it, describe it, take it down.

State (PIDs, ports, the seed, active faults) lives in `state.json` in a state
folder under the repo (git-ignored), so `down` stops exactly the processes
`up` started and a second `up` can reuse a healthy platform. Gateways learn
the endpoints from `target.toml`, a configuration overlay written beside it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from opscheck.config import SANDBOX_DIR_ENV
from opscheck.sandbox import models, processes, season, seed, standins
from opscheck.sandbox.infrastructure import Infrastructure
from opscheck.sandbox.processes import SandboxError
from opscheck.sandbox.state import (
    CLOUD_API,
    PROJECT,
    RUN_TIMEOUT,
    SERVICES,
    START_TIMEOUT,
    clock_offset,
    index_folder,
)
from opscheck.signals import sigint_deferred

UNSEEDED_DOC = "# nba-props-platform\n\nAn unseeded local platform: no models, no rows.\n"
"""The team doc of a platform brought up unseeded (each of seed.COMMITS still commits it)."""


def known() -> list[Sandbox]:
    """Every platform noted in the index whose state folder still exists (stale notes are dropped)."""
    found = []
    for note in sorted(index_folder().glob("*")):
        folder = Path(note.read_text().strip())
        if (folder / "state.json").exists():
            found.append(Sandbox(folder))
        else:
            note.unlink(missing_ok=True)
    return found


class Sandbox(Infrastructure):
    """One local platform, owned by one state folder: brought up, seeded, taken down."""

    # ---- up / down ---------------------------------------------------------
    def up(self, seeded: bool = True) -> str:
        """Start everything and seed it; reuse a platform that is already fully up.

        One `up` at a time per state folder; interrupted (Ctrl-C, held down even),
        it stops everything it had started before giving up. `seeded=False` starts every process and
        seeds nothing (no models trained, no rows, no morning run): for tests whose subject is the
        processes' lifetime, not what they serve.
        """
        with processes.exclusive(self.state_dir, "up"):
            return self._up(seeded)

    def _up(self, seeded: bool) -> str:
        if self.is_up():
            return "already up"
        if self._state.get("processes"):
            self.down()
        standins.check_all()
        self._state = {"processes": {}, "faults": [], "ledger": [], "seed": self.seed_number,
                       "clock_offset": clock_offset()}
        self._clients.clear()
        # A new platform's Cloud Logging holds nothing: an earlier platform's entries carry the same seeded
        # clock's times, so left in place they would read as today's errors (test_error_logs_quiet).
        for old in self.log_folder().glob("*.log"):
            old.unlink()
        started = time.monotonic()
        training = self._start_training() if seeded else None
        try:
            self._start_emulators()
            self._create_infrastructure()
            if training is not None:
                self._seed_bulk(self._trained(training))
            else:
                self._state["commits"] = self._init_platform_repo([UNSEEDED_DOC] * len(seed.COMMITS))
            self._write_services_spec(self.model_path(models.PRODUCTION.file))
            self._write_scheduler()
            self._write_builds()
            self._start_services((*SERVICES, CLOUD_API))  # the Cloud API stand-in calls none of them
            if seeded:
                self._seed_through_services()
            self.write_target()
        except BaseException:
            with sigint_deferred():
                if training is not None:
                    processes.stop(training.pid)
                self.down()
            raise
        self._save_state()
        return f"up in {time.monotonic() - started:.1f}s"

    def down(self) -> str:
        """Stop exactly the processes this state folder started."""
        recorded = self._state.get("processes", {})
        stopped = [name for name, info in recorded.items() if processes.stop(info["pid"], info.get("started"))]
        self._state = {"processes": {}, "faults": [], "ledger": []}
        self._clients.clear()
        self.state_file.unlink(missing_ok=True)
        self.target_file.unlink(missing_ok=True)
        self._index_note.unlink(missing_ok=True)
        gone = len(recorded) - len(stopped)
        said = f"stopped {len(stopped)} process{'es' * (len(stopped) != 1)}" if stopped else "nothing was running"
        return said + (f" ({gone} recorded had already exited)" if gone else "")

    def _launch(self, name: str, argv: list[str], port: int, env: dict[str, str], ports: tuple[int, ...]) -> int:
        """Start a process and note it in the state file, with no Ctrl-C between the two (or it is orphaned)."""
        with sigint_deferred():
            pid = processes.start(name, argv, self._log(name), env, ports, self.tied)
            self._register(name, pid, port)
        return pid

    def _register(self, name: str, pid: int, port: int) -> None:
        self._state["processes"][name] = {"pid": pid, "port": port, "log": str(self._log(name)),
                                          "started": processes.identity(pid)}
        self._save_state()
        if not self._index_note.exists():
            self._index_note.parent.mkdir(parents=True, exist_ok=True)
            self._index_note.write_text(str(self.state_dir))

    @property
    def _index_note(self) -> Path:
        return index_folder() / hashlib.sha256(str(self.state_dir).encode()).hexdigest()[:16]

    def stop(self, name: str) -> None:
        """Stop one process of this platform (a no-op if it is gone already)."""
        proc = self.proc(name)
        processes.stop(proc.pid, proc.started)

    def _log(self, name: str) -> Path:
        return self.log_folder() / f"{name}.log"

    def log_folder(self) -> Path:
        """Where every process's output goes (the services' structured logs: what the Logging stand-in serves)."""
        return self.state_dir / "logs"

    def _start_emulators(self) -> None:
        bq_exe, bq_home = standins.bigquery_emulator()
        gcs_bin = standins.storage_emulator()
        java, jar = standins.pubsub_emulator()
        bq_port, bq_grpc, gcs_port, ps_port = (processes.free_port() for _ in range(4))
        data_dir = self.state_dir / "bigquery-data"
        shutil.rmtree(data_dir, ignore_errors=True)  # a fresh `up` seeds an empty warehouse
        data_dir.mkdir(parents=True)
        launches = {
            "bigquery": ([str(bq_exe), "serve", "--host", "127.0.0.1", "--port", str(bq_port),
                          "--grpc-port", str(bq_grpc), "--project", PROJECT,
                          "--data-dir", str(data_dir)], bq_port, {"HOME": str(bq_home)},
                         (bq_port, bq_grpc)),
            "storage": ([str(gcs_bin), "-scheme", "http", "-host", "127.0.0.1", "-port",
                         str(gcs_port), "-backend", "memory", "-external-url",
                         f"http://127.0.0.1:{gcs_port}"], gcs_port, {}, (gcs_port,)),
            "pubsub": ([java, "-Xmx384m", "-jar", str(jar), "--host=127.0.0.1",
                        f"--port={ps_port}"], ps_port, {}, (ps_port,)),
        }
        for name, (argv, port, env, ports) in launches.items():
            self._launch(name, argv, port, env, ports)
        probes = {
            "bigquery": processes.http_ok(f"http://127.0.0.1:{bq_port}/bigquery/v2/projects/{PROJECT}/datasets"),
            "storage": processes.http_ok(f"http://127.0.0.1:{gcs_port}/storage/v1/b"),
            "pubsub": processes.http_ok(f"http://127.0.0.1:{ps_port}/", "Ok"),
        }
        for name, probe in probes.items():
            p = self.proc(name)
            processes.wait_until(name, p.pid, Path(p.log), probe, START_TIMEOUT)

    def _start_training(self) -> subprocess.Popen[bytes]:
        """Train the models in a process of their own, alongside the emulators' start-up; it dies with `up`."""
        folder = self.state_dir / "trained"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        with sigint_deferred():
            return processes.spawn([sys.executable, "-m", "opscheck.sandbox.models", str(self.seed_number),
                                    str(folder)], self._log("training"), tied=True)

    def _trained(self, training: subprocess.Popen[bytes]) -> dict[str, models.TrainedModel]:
        try:
            code = training.wait(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise SandboxError(f"training the models took over {RUN_TIMEOUT:g}s "
                               f"(log {self._log('training')})") from None
        if code != 0:
            raise SandboxError(f"training the models failed (exit {code}): {processes.tail(self._log('training'))}")
        return models.read_history(self.state_dir / "trained")

    def _start_services(self, names: Sequence[str], extra_env: dict[str, str] | None = None) -> None:
        """Launch every one of `names`, then wait for each: their start-ups (imports, a model load) overlap."""
        launched = [(name, *self._launch_service(name, extra_env)) for name in names]
        for name, pid, port in launched:
            processes.wait_until(name, pid, self._log(name),
                                 processes.http_ok(f"http://127.0.0.1:{port}/health"), START_TIMEOUT)

    def _launch_service(self, name: str, extra_env: dict[str, str] | None) -> tuple[int, int]:
        """Start one service's process from the deployed spec; its pid and port."""
        if name == CLOUD_API:
            port = self._state.get("cloud_api_port") or processes.free_port()
            self._state["cloud_api_port"] = port
            self._state.setdefault("monitoring_port", processes.free_port())
            env = {**self.env(), "SANDBOX_SERVICES_FILE": str(self.services_file),
                   "SANDBOX_SCHEDULER_FILE": str(self.scheduler_file),
                   "SANDBOX_BUILDS_FILE": str(self.builds_file),
                   "SANDBOX_LOG_DIR": str(self.log_folder()),
                   "SANDBOX_MONITORING_PORT": str(self._state["monitoring_port"]),
                   "SANDBOX_WORKER_LOG": str(self._log("prediction-worker"))}
        else:
            port = self._state["service_ports"][name]
            env = {**self.env(), **self.deployed()[name]["env"]}
            if name == "prediction-worker":
                env["COORDINATOR_URL"] = self.deployed()["prediction-coordinator"]["uri"]
        env.update(extra_env or {})
        argv = [sys.executable, "-m", "opscheck.sandbox.services", name, str(port)]
        return self._launch(name, argv, port, env, (port,)), port

    def restart_service(self, name: str, extra_env: dict[str, str] | None = None) -> None:
        """Redeploy one service: stop its process, start it from the deployed spec."""
        self.restart_services((name,), extra_env)

    def restart_services(self, names: Sequence[str], extra_env: dict[str, str] | None = None) -> None:
        """Redeploy services at once (a new day's revisions): stop each, then start them all together."""
        for name in names:
            self.stop(name)  # already gone after `service-down`: a no-op
        self._start_services(names, extra_env)
        self._save_state()

    def _seed_through_services(self) -> None:
        before = season.TODAY - dt.timedelta(days=1)
        self.call("grading", "/grade", {"start_date": season.SEASON_START.isoformat(),
                                        "end_date": before.isoformat()})
        self.morning_run(season.TODAY)


@contextlib.contextmanager
def running(state_dir: Path, seeded: bool = True) -> Iterator[Sandbox]:
    """A local platform up for the block, with `--target sandbox` pointed at it, then down.

    For tests and benchmarks: the platform lives in its own state folder, so a
    developer's `.sandbox` is never touched, and its processes are tied to
    this one. A SIGTERM (a cancelled CI job) interrupts like Ctrl-C, so pytest
    stops the session and `down` runs; if this process is killed outright,
    the tie takes them down anyway.
    """
    platform = Sandbox(state_dir, tied=True)
    previous = os.environ.get(SANDBOX_DIR_ENV)
    os.environ[SANDBOX_DIR_ENV] = str(state_dir)
    handler = _terminate_as_interrupt() if threading.current_thread() is threading.main_thread() else None
    try:
        platform.up(seeded)
        yield platform
    finally:
        with sigint_deferred():
            platform.down()
        if handler is not None:
            signal.signal(signal.SIGTERM, handler)
        if previous is None:
            os.environ.pop(SANDBOX_DIR_ENV, None)
        else:
            os.environ[SANDBOX_DIR_ENV] = previous


def _terminate_as_interrupt() -> Any:
    """Make SIGTERM raise KeyboardInterrupt; returns the handler it replaced.

    Not SystemExit: pytest reports that as one failed test and runs the rest
    of the session; an interrupt stops it and tears its fixtures down.
    """

    def interrupt(number: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {number}")

    return signal.signal(signal.SIGTERM, interrupt)
