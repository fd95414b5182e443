"""The local platform's resources: the Pub/Sub subscriptions, tables, the platform repo, the deployment.

What `up` creates and seeds, and what faults change and heal puts back: subscription specs as the
real platform declares them, rows loaded into the BigQuery stand-in, the services' deployment spec
(what Cloud Run would report), the coordinator's HTTP API, and the overlay that points opscheck here.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import time
import zoneinfo
from typing import Any

import requests

from opscheck.sandbox import models, processes, schema, season, seed
from opscheck.sandbox.processes import SandboxError
from opscheck.sandbox.state import CLOUD_API, PROJECT, REGION, RUN_TIMEOUT, SERVICES, SandboxState

MORNING_JOB = "morning-predictions"
MORNING_FIRES = dt.time(7, 0)  # the job's schedule, "0 7 * * *" in America/New_York
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def _zulu(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _next_morning(after: dt.datetime) -> str:
    """The job's next schedule time after `after` (Cloud Scheduler's scheduleTime)."""
    local = after.astimezone(NEW_YORK)
    fires = dt.datetime.combine(local.date(), MORNING_FIRES, NEW_YORK)
    return _zulu(fires if fires > local else dt.datetime.combine(local.date() + dt.timedelta(days=1),
                                                                  MORNING_FIRES, NEW_YORK))


class Infrastructure(SandboxState):
    """The resources of one local platform (see Sandbox for bringing it up)."""

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
        self.repo_git("init", "-q", "-b", "main")
        commits = {}
        for (name, when), text in zip(seed.COMMITS, docs, strict=True):
            self.doc_file.write_text(text)
            self.repo_git("add", "CLAUDE.md")
            commits[name] = self.repo_commit(f"{name}: team doc", when)
        return commits

    def repo_git(self, *args: str, when: str = "") -> str:
        """Run git in the platform checkout (as the platform team, at `when` for a commit); its output."""
        who = {"GIT_AUTHOR_NAME": "Platform Team", "GIT_AUTHOR_EMAIL": "platform@example.com",
               "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_NAME": "Platform Team",
               "GIT_COMMITTER_EMAIL": "platform@example.com", "GIT_COMMITTER_DATE": when} if when else {}
        git = ["git", "-C", str(self.doc_file.parent), "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null"]
        return subprocess.run([*git, *args], check=True, capture_output=True, text=True, timeout=30,
                              env={**os.environ, **who}).stdout.strip()

    def repo_commit(self, message: str, when: str) -> str:
        """Commit what is staged (or nothing) at a fixed time; the new HEAD."""
        self.repo_git("commit", "-q", "--allow-empty", "-m", message, when=when)
        return self.repo_git("rev-parse", "HEAD")

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

    def _write_builds(self) -> None:
        self.set_builds(seed.builds(PROJECT, SERVICES, self.commits))

    def builds(self) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = json.loads(self.builds_file.read_text())
        return data

    def set_builds(self, builds: list[dict[str, Any]]) -> None:
        self.builds_file.write_text(json.dumps(builds, indent=2, sort_keys=True))

    def scheduled_jobs(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.scheduler_file.read_text())
        return data

    def set_scheduled_jobs(self, jobs: dict[str, Any]) -> None:
        self.scheduler_file.write_text(json.dumps(jobs, indent=2, sort_keys=True))

    def _write_scheduler(self) -> None:
        """The morning job as Cloud Scheduler holds it: 07:00 New York, calling the coordinator's /start."""
        self.set_scheduled_jobs({MORNING_JOB: {
            "schedule": "0 7 * * *", "time_zone": "America/New_York", "state": "ENABLED",
            "target": self.deployed()["prediction-coordinator"]["uri"] + "/start",
            "last_attempt_time": None, "status": {}, "schedule_time": _next_morning(self.now()),
        }})

    def _attempted(self, day: dt.date, code: int, message: str = "") -> None:
        """The morning job's attempt for `day`: started at 07:00 there, with the target's answer as its status."""
        jobs = self.scheduled_jobs()
        started = dt.datetime.combine(day, MORNING_FIRES, NEW_YORK)
        jobs[MORNING_JOB].update(last_attempt_time=_zulu(started), status={"code": code, "message": message} if code
                                 else {}, schedule_time=_next_morning(started))
        self.set_scheduled_jobs(jobs)

    def fire_morning_job(self, day: dt.date) -> requests.Response:
        """The morning job firing for `day`: POST /start, and the answer kept as the job's last attempt.

        Cloud Scheduler keeps the target's answer as a google.rpc.Status: empty after a 2xx, else the code
        the HTTP status maps to (500 -> INTERNAL, 13; google/rpc/code.proto gives each code its HTTP status).
        """
        answer = requests.post(self.url("prediction-coordinator") + "/start", json={"game_date": day.isoformat()},
                               timeout=RUN_TIMEOUT)
        if answer.ok:
            self._attempted(day, 0)
        else:
            code = {400: 3, 401: 16, 403: 7, 404: 5, 429: 8, 503: 14, 504: 4}.get(answer.status_code, 13)
            self._attempted(day, code, f"URL_ERROR-ERROR_OTHER. Original HTTP response code number = "
                                       f"{answer.status_code}")
        return answer

    def morning_run(self, day: dt.date, players: list[str] | None = None) -> dict[str, Any]:
        """What the scheduler does at 07:00: /start, wait for N/N, then materialise subsets.

        With `players`, a rerun of only those (a backfill by hand), which the scheduler did not fire.
        """
        if players:
            batch = self.call("prediction-coordinator", "/start", {"game_date": day.isoformat(), "players": players})
        else:
            answer = self.fire_morning_job(day)
            if not answer.ok:
                raise SandboxError(f"prediction-coordinator /start: HTTP {answer.status_code} {answer.text[:200]}")
            batch = answer.json()
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

    def write_target(self) -> None:
        """The overlay that makes opscheck's live gateways talk to this platform."""
        lines = [
            "# Written by `opscheck sandbox up`: points opscheck's gateways at the local platform.",
            "[run]", f'today = {self.today.isoformat()}',
            f"clock_offset_seconds = {self._state['clock_offset']:.0f}  # the platform's clock: {self.today}", "",
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
            f'scheduler = "{self.url(CLOUD_API)}"',
            f'build = "{self.url(CLOUD_API)}"',
            f'logging = "http://127.0.0.1:{self._state["monitoring_port"]}"',
            "anonymous = true", "id_tokens = false", "timeout_seconds = 20", "",
        ]
        self.target_file.write_text("\n".join(lines))
