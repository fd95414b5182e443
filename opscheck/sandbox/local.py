"""`LocalPlatform`: bring the miniature platform up, seed it, describe it, take it down.

State (PIDs, ports, the seed, active faults) lives in `state.json` in a state
folder under the repo (git-ignored), so `down` stops exactly the processes
`up` started and a second `up` can reuse a healthy platform. Gateways learn
the endpoints from `target.toml`, a configuration overlay written beside it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import zoneinfo
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import requests

from opscheck.config import SANDBOX_DIR_ENV
from opscheck.sandbox import clients, models, processes, schema, season, seed, standins
from opscheck.sandbox.processes import SandboxError
from opscheck.signals import sigint_deferred

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


def known() -> list[LocalPlatform]:
    """Every platform noted in the index whose state folder still exists (stale notes are dropped)."""
    found = []
    for note in sorted(index_folder().glob("*")):
        folder = Path(note.read_text().strip())
        if (folder / "state.json").exists():
            found.append(LocalPlatform(folder))
        else:
            note.unlink(missing_ok=True)
    return found


class LocalPlatform:
    """One local platform, owned by one state folder."""

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

    # ---- up / down ---------------------------------------------------------
    def up(self) -> str:
        """Start everything and seed it; reuse a platform that is already fully up.

        One `up` at a time per state folder; interrupted (Ctrl-C, held down even),
        it stops everything it had started before giving up.
        """
        with processes.exclusive(self.state_dir, "up"):
            return self._up()

    def _up(self) -> str:
        if self.is_up():
            return "already up"
        if self._state.get("processes"):
            self.down()
        standins.check_all()
        self._state = {"processes": {}, "faults": [], "ledger": [], "seed": self.seed_number,
                       "clock_offset": clock_offset()}
        self._clients.clear()
        started = time.monotonic()
        training = self._start_training()
        try:
            self._start_emulators()
            trained = self._trained(training)
            self._create_infrastructure()
            self._seed_bulk(trained)
            self._write_services_spec(self.model_path(models.PRODUCTION.file))
            for name in SERVICES:
                self._start_service(name)
            self._start_service(CLOUD_API)
            self._seed_through_services()
            self._write_target()
        except BaseException:
            with sigint_deferred():
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
        return self.state_dir / "logs" / f"{name}.log"

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

    def push_subscription_spec(self, endpoint: str) -> dict[str, Any]:
        """The healthy push subscription (what `heal` puts back)."""
        return {
            "name": f"projects/{PROJECT}/subscriptions/{schema.PUSH_SUBSCRIPTION}",
            "topic": f"projects/{PROJECT}/topics/{schema.REQUEST_TOPIC}",
            "push_config": {"push_endpoint": endpoint, "oidc_token": {
                "service_account_email": f"pubsub-invoker@{PROJECT}.iam.gserviceaccount.com",
                "audience": endpoint.rsplit("/", 1)[0]}},
            "ack_deadline_seconds": 60,
            "dead_letter_policy": {
                "dead_letter_topic": f"projects/{PROJECT}/topics/{schema.DEAD_LETTER_TOPIC}",
                "max_delivery_attempts": 5},
            "retry_policy": {"minimum_backoff": {"seconds": 1}, "maximum_backoff": {"seconds": 10}},
        }

    def dead_letter_subscription_spec(self, expires_after: int = 0) -> dict[str, Any]:
        """The dead-letter subscription: healthy, it never expires (what `heal` puts back).

        Created without an expiration policy, Pub/Sub gives a subscription its
        default, expiry after 31 days idle; the emulator reports no policy at
        all. So the local platform states the policy either way, as Google
        would report it: none (0) for never, else the TTL in seconds.
        """
        spec: dict[str, Any] = {"name": f"projects/{PROJECT}/subscriptions/{schema.DEAD_LETTER_SUBSCRIPTION}",
                                "topic": f"projects/{PROJECT}/topics/{schema.DEAD_LETTER_TOPIC}",
                                "ack_deadline_seconds": 60, "expiration_policy": {}}
        if expires_after:
            spec["expiration_policy"] = {"ttl": {"seconds": expires_after}}
        return spec

    def worker_push_endpoint(self) -> str:
        return f"{self.url('prediction-worker')}/predict"

    def _create_infrastructure(self) -> None:
        bq = self.bigquery()
        for dataset in schema.DATASETS:
            bq.create_dataset(dataset, exists_ok=True, timeout=30)
        for table in schema.TABLES:
            bq.query(schema.ddl(table)).result(timeout=30)
        self.storage().create_bucket(schema.BUCKET, timeout=30)
        publisher = self.publisher()
        for topic in (schema.REQUEST_TOPIC, schema.DEAD_LETTER_TOPIC):
            publisher.create_topic(name=f"projects/{PROJECT}/topics/{topic}", timeout=30)
        subscriber = self.subscriber()
        subscriber.create_subscription(request=self.dead_letter_subscription_spec(), timeout=30)
        # The worker's port is chosen now so the push subscription can name it.
        self._state["worker_port"] = processes.free_port()
        endpoint = f"http://127.0.0.1:{self._state['worker_port']}/predict"
        subscriber.create_subscription(request=self.push_subscription_spec(endpoint), timeout=30)

    def load_rows(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Append rows to a table with one load job."""
        from google.cloud import bigquery

        if not rows:
            return
        job = self.bigquery().load_table_from_json(
            rows, table, job_config=bigquery.LoadJobConfig(write_disposition="WRITE_APPEND"))
        job.result(timeout=120)

    def _seed_bulk(self, trained: dict[str, models.TrainedModel]) -> None:
        bucket = self.storage().bucket(schema.BUCKET)
        for model in trained.values():
            bucket.blob(schema.MODEL_PREFIX + model.spec.file).upload_from_string(model.blob, timeout=60)
        manifest = seed.manifest(list(trained.values()))
        bucket.blob(schema.MANIFEST).upload_from_string(
            json.dumps(manifest, indent=2), content_type="application/json", timeout=30)
        clock = seed.Clock(self.now())
        for table, rows in seed.reference_rows(self.seed_number, clock).items():
            self.load_rows(table, rows)
        self.load_rows(schema.PREDICTIONS, seed.prediction_rows(self.seed_number, trained, clock))
        self.load_rows(schema.REGISTRY, seed.registry_rows(manifest))
        retired = next(m for m in manifest["models"] if m["status"] == "retired")
        self._state["commits"] = self._init_platform_repo([seed.team_doc(manifest, retired),
                                                           seed.team_doc(manifest)])

    def _init_platform_repo(self, docs: list[str]) -> dict[str, str]:
        """The platform's repository, a real git checkout: one commit per entry of seed.COMMITS.

        Author, committer and times are fixed (the SHAs still differ between
        `up`s: the doc holds model hashes); services carry them as their
        `commit-sha` label and the deploy gate compares them with this
        checkout's HEAD.
        """
        repo = self.doc_file.parent
        shutil.rmtree(repo, ignore_errors=True)
        repo.mkdir(parents=True)
        git = ["git", "-C", str(repo), "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null"]
        subprocess.run([*git, "init", "-q", "-b", "main"], check=True, timeout=30)
        commits = {}
        for (name, when), text in zip(seed.COMMITS, docs, strict=True):
            self.doc_file.write_text(text)
            who = {"GIT_AUTHOR_NAME": "Platform Team", "GIT_AUTHOR_EMAIL": "platform@example.com",
                   "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_NAME": "Platform Team",
                   "GIT_COMMITTER_EMAIL": "platform@example.com", "GIT_COMMITTER_DATE": when}
            subprocess.run([*git, "add", "CLAUDE.md"], check=True, timeout=30)
            subprocess.run([*git, "commit", "-q", "-m", f"{name}: team doc"], check=True, timeout=30,
                           env={**os.environ, **who})
            commits[name] = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True,
                                           text=True, timeout=30).stdout.strip()
        return commits

    @property
    def commits(self) -> dict[str, str]:
        """The platform repository's commits by name (`main`, `stale`)."""
        found: dict[str, str] = self._state["commits"]
        return found

    def _write_services_spec(self, model_path: str) -> None:
        """Every service's deployment as the Cloud Run stand-in will describe it."""
        ports = {name: self._state["worker_port"] if name == "prediction-worker"
                 else processes.free_port() for name in SERVICES}
        self._state["service_ports"] = ports
        spec = {}
        for index, name in enumerate(SERVICES):
            env = {"GCP_PROJECT": PROJECT}
            secrets = {}
            if name == "prediction-worker":
                env[schema.MODEL_PATH_ENV] = model_path
            if name == "scrapers":  # its odds API key comes from Secret Manager, as in production
                secrets["ODDS_API_KEY"] = ["odds-api-key", "latest"]
            spec[name] = {
                "uri": f"http://127.0.0.1:{ports[name]}",
                "env": env,
                "secrets": secrets,
                "min_instances": 1 if name in ("prediction-worker", "prediction-coordinator") else 0,
                "max_instances": 10,
                "revision": f"{name}-{40 + index:05d}-{self.commits['main'][:3]}",
                "commit_sha": self.commits["main"],
                "revision_created": seed.DEPLOYED_AT,
            }
        self.services_file.write_text(json.dumps(spec, indent=2, sort_keys=True))

    def deployed(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.services_file.read_text())
        return data

    def set_deployed(self, spec: dict[str, Any]) -> None:
        self.services_file.write_text(json.dumps(spec, indent=2, sort_keys=True))

    def _start_service(self, name: str, extra_env: dict[str, str] | None = None) -> None:
        if name == CLOUD_API:
            port = self._state.get("cloud_api_port") or processes.free_port()
            self._state["cloud_api_port"] = port
            self._state.setdefault("monitoring_port", processes.free_port())
            env = {**self.env(), "SANDBOX_SERVICES_FILE": str(self.services_file),
                   "SANDBOX_MONITORING_PORT": str(self._state["monitoring_port"]),
                   "SANDBOX_WORKER_LOG": str(self._log("prediction-worker"))}
        else:
            port = self._state["service_ports"][name]
            env = {**self.env(), **self.deployed()[name]["env"]}
            if name == "prediction-worker":
                env["COORDINATOR_URL"] = self.deployed()["prediction-coordinator"]["uri"]
        env.update(extra_env or {})
        argv = [sys.executable, "-m", "opscheck.sandbox.services", name, str(port)]
        pid = self._launch(name, argv, port, env, (port,))
        processes.wait_until(name, pid, self._log(name),
                             processes.http_ok(f"http://127.0.0.1:{port}/health"), START_TIMEOUT)

    def restart_service(self, name: str, extra_env: dict[str, str] | None = None) -> None:
        """Redeploy one service: stop its process, start it from the deployed spec."""
        self.stop(name)  # already gone after `service-down`: a no-op
        self._start_service(name, extra_env)
        self._save_state()

    def _seed_through_services(self) -> None:
        before = season.TODAY - dt.timedelta(days=1)
        self.call("grading", "/grade", {"start_date": season.SEASON_START.isoformat(),
                                        "end_date": before.isoformat()})
        self.morning_run(season.TODAY)

    def call(self, service: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """POST (or GET without body) to a platform service; raise on a non-2xx answer."""
        url = self.url(service) + path
        response = (requests.post(url, json=body, timeout=RUN_TIMEOUT) if body is not None
                    else requests.get(url, timeout=30))
        if response.status_code >= 300:
            raise SandboxError(f"{service} {path}: HTTP {response.status_code} {response.text[:200]}")
        return response.json() if response.content else None

    def morning_run(self, day: dt.date) -> dict[str, Any]:
        """What the scheduler does at 07:00: /start, wait for N/N, then materialise subsets."""
        batch = self.call("prediction-coordinator", "/start", {"game_date": day.isoformat()})
        self.wait_for_batch(batch["batch_id"], RUN_TIMEOUT)
        self.call("subset-materializer", "/materialize", {"start_date": season.SEASON_START.isoformat(),
                                                          "end_date": day.isoformat()})
        result: dict[str, Any] = batch
        return result

    def wait_for_batch(self, batch_id: str, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            batches = self.call("prediction-coordinator", "/status")["batches"]
            batch: dict[str, Any] = next(b for b in batches if b["batch_id"] == batch_id)
            if batch["completed"] >= batch["expected"]:
                return batch
            if time.monotonic() > deadline:
                raise SandboxError(f"batch {batch_id} stalled at {batch['progress']}")
            time.sleep(0.2)

    def _write_target(self) -> None:
        """The overlay that makes opscheck's live gateways talk to this platform."""
        lines = [
            "# Written by `opscheck sandbox up`: points opscheck's gateways at the local platform.",
            "[run]", f'today = {season.TODAY.isoformat()}',
            f"clock_offset_seconds = {self._state['clock_offset']:.0f}  # the platform's clock: {season.TODAY}", "",
            "[gcp]", f'project = "{PROJECT}"', f'region = "{REGION}"', "",
            "[repo]", f'path = "{self.doc_file.parent}"', "",
            "# A miniature platform: its worker keeps canary receipts, and a batch finishes in seconds.",
            "[probes]", 'canary_via = "worker"', "stall_zero_seconds = 15", "tracker_grace_seconds = 3",
            "canary_deadline_seconds = 8", "batch_deadline_seconds = 8", "",
            "[endpoints]",
            f'bigquery = "{self.url("bigquery")}"',
            f'storage = "{self.url("storage")}"',
            f'pubsub = "{self.url("pubsub")}"',
            f'run = "{self.url(CLOUD_API)}"',
            f'monitoring = "http://127.0.0.1:{self._state["monitoring_port"]}"',
            "anonymous = true", "id_tokens = false", "timeout_seconds = 20", "",
        ]
        self.target_file.write_text("\n".join(lines))

    def read_object(self, name: str) -> bytes:
        blob: bytes = self.storage().bucket(schema.BUCKET).blob(name).download_as_bytes(timeout=30)
        return blob

    def write_object(self, name: str, data: bytes) -> None:
        self.storage().bucket(schema.BUCKET).blob(name).upload_from_string(data, timeout=30)


@contextlib.contextmanager
def running(state_dir: Path) -> Iterator[LocalPlatform]:
    """A local platform up for the block, with `--target sandbox` pointed at it, then down.

    For tests and benchmarks: the platform lives in its own state folder, so a
    developer's `.sandbox` is never touched, and its processes are tied to
    this one. A SIGTERM (a cancelled CI job) interrupts like Ctrl-C, so pytest
    stops the session and `down` runs; if this process is killed outright,
    the tie takes them down anyway.
    """
    platform = LocalPlatform(state_dir, tied=True)
    previous = os.environ.get(SANDBOX_DIR_ENV)
    os.environ[SANDBOX_DIR_ENV] = str(state_dir)
    handler = _terminate_as_interrupt() if threading.current_thread() is threading.main_thread() else None
    try:
        platform.up()
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
