"""The Cloud Run services: what is deployed, and whether it answers."""

from __future__ import annotations

import dataclasses
import functools

from opscheck.errors import UnreachableError
from opscheck.platform import Platform
from opscheck.platform.cloudrun import ServiceInfo
from opscheck.resources import Warmer


@dataclasses.dataclass(frozen=True)
class Probe:
    """One health probe: its HTTP status (None: no answer), latency and why it failed."""

    path: str
    status: int | None
    latency_ms: float | None
    problem: str | None

    @property
    def healthy(self) -> bool:
        return self.status == 200


class Services:
    """Descriptions and health probes of the platform's services, once each per session."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform
        self.names = platform.config.services.all

    def warmers(self) -> list[Warmer]:
        return [functools.partial(self._warm, name) for name in self.names]

    def _warm(self, name: str) -> None:
        for path in self.health_paths(name):
            self.probe(name, path)

    @functools.cache  # noqa: B019 - one description per service per session is the point
    def describe(self, name: str) -> ServiceInfo:
        return self._platform.run.service(name)

    @functools.cache  # noqa: B019 - one probe per path per session, shared with the prefetch
    def probe(self, name: str, path: str) -> Probe:
        """GET `path` on the service's URL; a port that does not answer is a failed probe."""
        try:
            result = self._platform.http.get(self.describe(name)["uri"], path)
        except UnreachableError as exc:
            return Probe(path, None, None, str(exc))
        problem = None if result["status"] == 200 else f"HTTP {result['status']}: {result['body'][:120]}"
        return Probe(path, result["status"], result["latency_ms"], problem)

    def health_paths(self, name: str) -> tuple[str, ...]:
        """`/health` everywhere; the worker also `/health/deep` (model loaded, BigQuery up)."""
        return ("/health", "/health/deep") if name == self._platform.config.services.worker else ("/health",)
