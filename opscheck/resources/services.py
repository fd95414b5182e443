"""The Cloud Run services: what is deployed, whether it answers, and which commit it runs."""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Mapping
from typing import Any

from opscheck.config import Config, commit_problem
from opscheck.errors import DataError, NotFoundError, UnreachableError, UnresolvedHostError
from opscheck.platform import Platform, auth
from opscheck.platform.cloudrun import ServiceInfo
from opscheck.resources import Warmer, calls_of, once

COMMIT_ENV = "OPSCHECK_COMMIT"


HEALTHY_WORDS = frozenset({"ok", "healthy", "up", "ready", "pass", "serving"})
SICK_WORDS = frozenset({"error", "unhealthy", "down", "unreachable", "fail", "failed", "failing", "degraded",
                        "unavailable", "timeout", "not ready", "not loaded"})


def body_problem(path: str, body: str) -> str | None:
    """What a 200 answer's own body says is wrong, or None (a deep check must say it is healthy)."""
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        return "its answer is not a JSON object saying it is healthy" if path.endswith("/deep") else None
    status = str(parsed.get("status", "")).strip().lower()
    sick = sorted(f"{k}: {v}" for k, v in parsed.items()
                  if isinstance(v, str) and v.strip().lower() in SICK_WORDS)
    if sick:
        return "HTTP 200, but it says " + ", ".join(sick)
    if path.endswith("/deep") and status not in HEALTHY_WORDS:
        return f"HTTP 200, but its status is {parsed.get('status')!r}, not ok"
    return None


@dataclasses.dataclass(frozen=True)
class Probe:
    """One health probe: its HTTP status (None: no answer), latency, why it failed, and its body.

    Healthy is a 200 whose body does not contradict it: `/health/deep` answering 200 with
    `{"status": "error", "bigquery": "unreachable"}` is a worker that cannot write a prediction.
    """

    path: str
    status: int | None
    latency_ms: float | None
    problem: str | None
    body: str = dataclasses.field(default="", repr=False)

    @property
    def healthy(self) -> bool:
        return self.status == 200 and self.problem is None

    @property
    def denied(self) -> bool:
        """401/403: opscheck may not call the service; that says nothing about its health."""
        return self.status in (401, 403)

    def summary(self) -> dict[str, Any]:
        """The probe as an evidence row, with the start of its answer (what said it was healthy, or not)."""
        shown = {k: v for k, v in dataclasses.asdict(self).items() if k != "body"}
        return {**shown, "answer": " ".join(self.body.split())[:160]}

    def json(self) -> dict[str, Any]:
        """The body parsed as a JSON object ({} when it is not one)."""
        try:
            parsed = json.loads(self.body)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}


def gcloud_update(config: Config, service: str, flags: str) -> str:
    """The `gcloud run services update` command that changes `service` as `flags` say."""
    return (f"gcloud run services update {service} --project {config.gcp.project} "
            f"--region {config.gcp.region} {flags}")


def nothing_serves(config: Config, service: str) -> str:
    """The failure of a check that finds no revision carrying `service`'s traffic: nothing to judge, nothing answers."""
    return (f"{service}: no revision serves traffic (Cloud Run lists none in traffic_statuses, and no ready "
            f"revision): there is nothing to check, and requests to it fail; next: gcloud run services "
            f"update-traffic {service} --to-latest --project {config.gcp.project} --region {config.gcp.region}")


class Services:
    """Descriptions and health probes of the platform's services, once each per session."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform
        self.names = platform.config.services.all

    def warmers(self) -> list[Warmer]:
        """One per probe: each describes its service first (once, shared), then calls it."""
        return [functools.partial(self.probe, name, path) for name in self.names for path in self.health_paths(name)]

    def describe(self, name: str) -> ServiceInfo:
        """The service as Cloud Run describes it (once a session)."""
        return calls_of(self).get(("describe", name), lambda: self._platform.run.service(name))

    def probe(self, name: str, path: str) -> Probe:
        """GET `path` on the service's URL (once a session); a port that does not answer is a failed probe."""
        return calls_of(self).get(("probe", name, path), lambda: self._probe(name, path))

    def _probe(self, name: str, path: str) -> Probe:
        try:
            result = self._platform.http.get(self.describe(name)["uri"], path)
        except UnresolvedHostError:
            raise  # no DNS is not one service's health: the run stops on it
        except UnreachableError as exc:
            return Probe(path, None, None, str(exc))
        status = result["status"]
        problem = body_problem(path, result["body"]) if status == 200 else f"HTTP {status}: {result['body'][:120]}"
        if status in (401, 403):
            problem = (f"HTTP {status}: opscheck may not call it: grant roles/run.invoker on {name} to "
                       f"{auth.identity(self._platform.config)}")
        return Probe(path, status, result["latency_ms"], problem, result["body"])

    def health_paths(self, name: str) -> tuple[str, ...]:
        """`/health` everywhere; the worker also `/health/deep` (model loaded, BigQuery up)."""
        return ("/health", "/health/deep") if name == self._platform.config.services.worker else ("/health",)


class ExpectedCommit:
    """The commit every service must run, and where that requirement came from.

    In order: `--expect-commit`, $OPSCHECK_COMMIT, `services.expected_commit`,
    else the HEAD of the platform checkout (`--platform-repo`, `[repo] path`),
    read through the checkout gateway so a recording replays it. None: nothing
    says which commit is expected.
    """

    def __init__(self, platform: Platform, flag: str | None, environ: Mapping[str, str]) -> None:
        self._platform = platform
        self._given = [(flag, "--expect-commit"), (environ.get(COMMIT_ENV), COMMIT_ENV),
                       (platform.config.services.expected_commit, "services.expected_commit")]

    @once
    def resolved(self) -> tuple[str, str] | None:
        """(commit, where it came from), or None."""
        for value, source in self._given:
            if value:
                return value.strip(), source
        try:
            head = self._platform.checkout.head().strip()
        except NotFoundError:
            return None
        problem = commit_problem(head) if head else "a commit, not nothing"
        if problem:
            raise DataError(f"the platform checkout's HEAD is {head!r}, not {problem}: the commit every service must "
                            "run cannot be known; next: give --expect-commit SHA, or a working checkout")
        return head, "HEAD of the platform checkout"

    def warmers(self) -> list[Warmer]:
        return [lambda: self.resolved]


def same_commit(a: str | None, b: str) -> bool:
    """Whether two commit ids name the same commit (either may be abbreviated, 7+ hex digits)."""
    if not a or min(len(a), len(b)) < 7:
        return False
    short = min(len(a), len(b))
    return a[:short].lower() == b[:short].lower()
