"""Cloud Run gateway: what is deployed, read through the Admin API v2.

A stale deploy, a drifted env var and a push endpoint that no longer matches
the worker all show in the service description and its latest ready revision
(URL, env vars, scaling, the `commit-sha` label), so that is what this reads.
REST transport, because the endpoint must be overridable to a stand-in.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, TypedDict

from opscheck.config import Config
from opscheck.platform import auth
from opscheck.platform.channel import Channel, bounded_retry, translated

COMMIT_LABEL = "commit-sha"


class ServiceInfo(TypedDict):
    name: str
    uri: str
    env: dict[str, str]
    min_instances: int
    max_instances: int
    latest_ready_revision: str
    commit_sha: str | None
    revision_created: str | None


class CloudRun:
    """Describes the platform's Cloud Run services."""

    def __init__(self, config: Config, channel: Channel) -> None:
        self._config = config
        self._channel = channel

    def _options(self) -> dict[str, Any]:
        endpoint = self._config.endpoints.run
        return {
            "credentials": auth.credentials(self._config),
            "transport": "rest",
            "client_options": {"api_endpoint": endpoint} if endpoint else None,
        }

    @functools.cached_property
    def _services(self) -> Any:
        from google.cloud import run_v2

        return run_v2.ServicesClient(**self._options())

    @functools.cached_property
    def _revisions(self) -> Any:
        from google.cloud import run_v2

        return run_v2.RevisionsClient(**self._options())

    def service(self, name: str) -> ServiceInfo:
        """The service's URL, env vars, scaling and latest ready revision."""
        info: ServiceInfo = self._channel.call(
            "run", "service", {"service": name}, lambda: self._service(name)
        )
        return info

    def _service(self, name: str) -> ServiceInfo:
        path = f"projects/{self._config.gcp.project}/locations/{self._config.gcp.region}/services/{name}"
        timeout = self._config.endpoints.timeout_seconds
        with translated(f"Cloud Run service {name}"):
            service = self._services.get_service(name=path, timeout=timeout,
                                                 retry=bounded_retry(timeout))
            revision = (
                self._revisions.get_revision(name=service.latest_ready_revision, timeout=timeout,
                                             retry=bounded_retry(timeout))
                if service.latest_ready_revision
                else None
            )
        template = service.template
        container = template.containers[0] if template.containers else None
        labels = dict(revision.labels) if revision is not None else {}
        return {
            "name": name,
            "uri": service.uri,
            "env": {e.name: e.value for e in container.env} if container else {},
            "min_instances": int(template.scaling.min_instance_count),
            "max_instances": int(template.scaling.max_instance_count),
            "latest_ready_revision": service.latest_ready_revision.rsplit("/", 1)[-1],
            "commit_sha": labels.get(COMMIT_LABEL) or dict(template.labels).get(COMMIT_LABEL),
            "revision_created": _iso(revision.create_time) if revision is not None else None,
        }


def _iso(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    return None
