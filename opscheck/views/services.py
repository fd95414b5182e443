"""The Cloud Run services: what is deployed, and whether it answers its health checks."""

from __future__ import annotations

import dataclasses
import functools
import json
from typing import Any

from opscheck.config import Config
from opscheck.errors import UnreachableError, UnresolvedHostError
from opscheck.platform.cloudrun import ServiceInfo
from opscheck.platform.http import DENIED, may_not_call
from opscheck.views.base import Context, View, Warmer, calls_of

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
class HealthAnswer:
    """One health check's answer: its HTTP status (None: no answer), latency, why it failed, and its body.

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
        """The health answer as an evidence row, with the start of its body (what said it was healthy, or not)."""
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


class Services(View):
    """Descriptions and health answers of the platform's services, once each per session."""

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.names = self._platform.config.services.all

    def warmers(self) -> list[Warmer]:
        """One per health check: each describes its service first (once, shared), then calls it."""
        return [functools.partial(self.health, name, path) for name in self.names for path in self.health_paths(name)]

    def describe(self, name: str) -> ServiceInfo:
        """The service as Cloud Run describes it (once a session)."""
        return calls_of(self).get(("describe", name), lambda: self._platform.run.service(name))

    def health(self, name: str, path: str) -> HealthAnswer:
        """GET `path` on the service's URL (once a session); a port that does not answer is a failed check."""
        return calls_of(self).get(("health", name, path), lambda: self._health(name, path))

    def _health(self, name: str, path: str) -> HealthAnswer:
        try:
            result = self._platform.http.get(self.describe(name)["uri"], path)
        except UnresolvedHostError:
            raise  # no DNS is not one service's health: the run stops on it
        except UnreachableError as exc:
            return HealthAnswer(path, None, None, str(exc))
        status = result["status"]
        problem = body_problem(path, result["body"]) if status == 200 else f"HTTP {status}: {result['body'][:120]}"
        if status in DENIED:
            problem = may_not_call(self._platform.config, name, status)
        return HealthAnswer(path, status, result["latency_ms"], problem, result["body"])

    def health_paths(self, name: str) -> tuple[str, ...]:
        """`/health` everywhere; the worker also `/health/deep` (model loaded, BigQuery up)."""
        return ("/health", "/health/deep") if name == self._platform.config.services.worker else ("/health",)
