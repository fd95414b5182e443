"""A local platform's state: its folder, processes, ports, faults and ledger, and clients of its emulators.

State (PIDs, ports, the seed, active faults) lives in `state.json` in a state folder under the repo
(git-ignored), so `down` stops exactly the processes `up` started and a second `up` can reuse a
healthy platform. Everything here reads or writes that state; nothing starts a process.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import zoneinfo
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from opscheck.sandbox import clients, processes, schema, season
from opscheck.sandbox.processes import SandboxError

DEFAULT_SEED = 7
EMULATORS = ("bigquery", "storage", "pubsub")
SERVICES = ("prediction-coordinator", "prediction-worker", "grading", "scrapers",
            "subset-materializer")
CLOUD_API = "cloud-api"
REGION = "us-west2"
PROJECT = "nba-props-platform"
START_TIMEOUT = 60.0
RUN_TIMEOUT = 120.0


@dataclasses.dataclass
class Proc:
    pid: int
    port: int
    log: str
    started: int | None = None  # processes.identity(pid) when it was started


MORNING = dt.time(7, 30)  # the platform's clock reads this, on season.TODAY in New York, when it comes up


def clock_offset() -> float:
    """Seconds from this machine's clock to the platform's, which comes up at MORNING on season.TODAY.

    After the morning run (07:00 New York), so the day's predictions are due and landed; the day lasts
    16 hours of the machine's time before the platform's clock reaches midnight.
    """
    morning = dt.datetime.combine(season.TODAY, MORNING, zoneinfo.ZoneInfo("America/New_York"))
    return round((morning - dt.datetime.now(dt.UTC)).total_seconds())


def index_folder() -> Path:
    """Where every state folder with processes is noted ($XDG_STATE_HOME/opscheck/platforms).

    So `opscheck sandbox down --all` finds every platform opscheck started,
    wherever its state folder is (a test's temp folder included).
    """
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "opscheck" / "platforms"


class SandboxState:
    """One local platform's state folder, and what it says about the platform (see Sandbox)."""

    def __init__(self, state_dir: Path, seed_number: int = DEFAULT_SEED, tied: bool = False) -> None:
        if seed_number < 0:
            raise SandboxError(f"seed {seed_number}: must be a whole number 0 or more")
        self.state_dir = state_dir.resolve()
        self.seed_number = seed_number
        # Processes die with this one (tests, benchmarks); `opscheck sandbox up` leaves them running.
        self.tied = tied
        self._state: dict[str, Any] = self._load_state()
        # Clients of the emulators, built once per `up` (ports change between ups).
        self._clients: dict[str, Any] = {}

    # ---- state -------------------------------------------------------------
    @property
    def state_file(self) -> Path:
        return self.state_dir / "state.json"

    @property
    def target_file(self) -> Path:
        """The configuration overlay that points opscheck's gateways here."""
        return self.state_dir / "target.toml"

    @property
    def services_file(self) -> Path:
        return self.state_dir / "services.json"

    @property
    def scheduler_file(self) -> Path:
        """The Cloud Scheduler jobs as the stand-in describes them (the morning job's last attempt)."""
        return self.state_dir / "scheduler.json"

    @property
    def builds_file(self) -> Path:
        """The Cloud Build history as the stand-in lists it (the build behind each revision, and failures)."""
        return self.state_dir / "builds.json"

    @property
    def doc_file(self) -> Path:
        return self.state_dir / "platform-repo" / "CLAUDE.md"

    def _load_state(self) -> dict[str, Any]:
        try:
            state: dict[str, Any] = json.loads(self.state_file.read_text())
            return state
        except FileNotFoundError:
            return {"processes": {}, "faults": [], "ledger": []}

    def _save_state(self) -> None:
        """Written whole, then renamed: `status` from another shell never reads half a file."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        partial = self.state_file.with_suffix(".partial")
        partial.write_text(json.dumps(self._state, indent=2, sort_keys=True))
        partial.replace(self.state_file)

    def proc(self, name: str) -> Proc:
        try:
            return Proc(**self._state["processes"][name])
        except KeyError:
            raise SandboxError(f"{name} is not running: run `opscheck sandbox up`") from None

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.proc(name).port}"

    @property
    def faults(self) -> list[str]:
        """Injected faults, oldest first."""
        return list(self._state.get("faults", []))

    @property
    def ledger(self) -> list[dict[str, Any]]:
        """How to undo what the injected faults changed (kept in the state file)."""
        ledger: list[dict[str, Any]] = self._state.setdefault("ledger", [])
        return ledger

    def set_faults(self, names: list[str]) -> None:
        """Record which faults are injected, with the ledger as it stands."""
        self._state["faults"] = list(names)
        self._save_state()

    def save_state(self) -> None:
        self._save_state()

    def status(self) -> dict[str, dict[str, Any]]:
        """Every recorded process: PID, port, whether it is alive."""
        return {
            name: {**info, "alive": processes.alive(info["pid"], info.get("started"))}
            for name, info in sorted(self._state.get("processes", {}).items())
        }

    def emulators_up(self) -> bool:
        """The stand-ins run (services may be down on purpose: a fault)."""
        status = self.status()
        return all(name in status and status[name]["alive"] for name in (*EMULATORS, CLOUD_API))

    def is_up(self) -> bool:
        status = self.status()
        expected = {*EMULATORS, *SERVICES, CLOUD_API}
        return expected <= set(status) and all(s["alive"] for s in status.values())

    @property
    def today(self) -> dt.date:
        """The platform's day: season.TODAY when it came up, one more for each `mornings.next_morning`."""
        return dt.date.fromisoformat(self._state.get("today") or season.TODAY.isoformat())

    def turn_day(self) -> dt.date:
        """The platform's clock one day on (the processes read it when they start); returns the new day."""
        day = self.today + dt.timedelta(days=1)
        self._state["clock_offset"] = float(self._state.get("clock_offset", 0)) + 86400
        self._state["today"] = day.isoformat()
        self._save_state()
        return day

    def now(self) -> dt.datetime:
        """The platform's clock (see clients.now): on its own day, running at the machine's pace."""
        return clients.now({clients.CLOCK_ENV: str(self._state.get("clock_offset", 0))})

    def env(self) -> dict[str, str]:
        """What a process needs to use the emulators (as Cloud Run would inject it), and the platform's clock."""
        return {
            clients.CLOCK_ENV: str(self._state.get("clock_offset", 0)),
            clients.PROJECT_ENV: PROJECT,
            clients.BIGQUERY_ENV: self.url("bigquery"),
            clients.STORAGE_ENV: self.url("storage"),
            clients.PUBSUB_ENV: f"127.0.0.1:{self.proc('pubsub').port}",
        }

    # ---- infrastructure and data -------------------------------------------
    def _client(self, kind: str, build: Callable[[clients.Env], Any]) -> Any:
        if kind not in self._clients:
            self._clients[kind] = build(self.env())
        return self._clients[kind]

    def bigquery(self) -> Any:
        return self._client("bigquery", clients.bigquery)

    def storage(self) -> Any:
        return self._client("storage", clients.storage)

    def publisher(self) -> Any:
        return self._client("publisher", clients.publisher)

    def subscriber(self) -> Any:
        return self._client("subscriber", clients.subscriber)

    def model_path(self, file: str) -> str:
        return f"gs://{schema.BUCKET}/{schema.MODEL_PREFIX}{file}"

    def call(self, service: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """POST (or GET without body) to a platform service; raise on a non-2xx answer."""
        url = self.url(service) + path
        response = (requests.post(url, json=body, timeout=RUN_TIMEOUT) if body is not None
                    else requests.get(url, timeout=30))
        if response.status_code >= 300:
            raise SandboxError(f"{service} {path}: HTTP {response.status_code} {response.text[:200]}")
        return response.json() if response.content else None

    def read_object(self, name: str) -> bytes:
        blob: bytes = self.storage().bucket(schema.BUCKET).blob(name).download_as_bytes(timeout=30)
        return blob

    def write_object(self, name: str, data: bytes) -> None:
        self.storage().bucket(schema.BUCKET).blob(name).upload_from_string(data, timeout=30)
