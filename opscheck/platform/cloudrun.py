"""Cloud Run gateway: what serves, read through the Admin API v2.

A stale deploy, a drifted env var and a push endpoint that no longer matches
the worker all show in the service and the revisions that carry its traffic.
Not `service.template`: that is the latest *created* revision, which may have
failed and serve nothing; `traffic_statuses` names the revisions that do.
Their env (Secret Manager values reported as such), their scaling (the
service-level `scaling` can raise the floor), and the commit they were built
from (revision label, else service label, else the image tag). REST
transport, because the endpoint must be overridable to a stand-in.
"""

from __future__ import annotations

import functools
import re
from typing import Any, TypedDict

from opscheck.config import Config
from opscheck.platform import auth
from opscheck.platform.channel import Channel, ErrorTranslator, bounded_retry
from opscheck.platform.shapes import Count, Timestamp, utc_timestamp

COMMIT_LABEL = "commit-sha"
_HEX = re.compile(r"^[0-9a-f]{7,40}$")


class RevisionInfo(TypedDict):
    revision: str
    percent: Count
    env: dict[str, str]
    secrets: list[str]
    min_instances: Count
    max_instances: Count
    commit_sha: str | None
    commit_source: str | None
    image: str  # the container image it runs ("" when it names none)
    created: Timestamp | None


class ServiceInfo(TypedDict):
    name: str
    uri: str
    revision: str  # the revision carrying the most traffic; env, scaling and commit below are its
    env: dict[str, str]
    min_instances: Count
    max_instances: Count
    commit_sha: str | None
    revision_created: Timestamp | None
    serving: list[RevisionInfo]
    latest_created_revision: str
    latest_created_ready: bool
    latest_created_problem: str | None


class CloudRun:
    """Describes the platform's Cloud Run services as they serve."""

    def __init__(self, config: Config, channel: Channel) -> None:
        self._config = config
        self._channel = channel
        self._errors = ErrorTranslator("run", config)

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
        """The service's URL and the revisions that serve it."""
        info: ServiceInfo = self._channel.call(
            "run", "service", {"service": name}, lambda: self._service(name), shape=ServiceInfo
        )
        return info

    def _get_revision(self, name: str) -> Any:
        timeout = self._config.endpoints.timeout_seconds
        return self._revisions.get_revision(name=name, timeout=timeout, retry=bounded_retry(timeout))

    def _service(self, name: str) -> ServiceInfo:
        parent = f"projects/{self._config.gcp.project}/locations/{self._config.gcp.region}"
        timeout = self._config.endpoints.timeout_seconds
        with self._errors(f"Cloud Run service {name}"):
            service = self._services.get_service(name=f"{parent}/services/{name}", timeout=timeout,
                                                 retry=bounded_retry(timeout))
            shares = _traffic(service)
            revisions = {short: self._get_revision(f"{parent}/services/{name}/revisions/{short}") for short in shares}
            created = service.latest_created_revision.rsplit("/", 1)[-1]
            latest = revisions.get(created) or (self._get_revision(service.latest_created_revision)
                                                if service.latest_created_revision else None)
        service_labels = dict(service.labels)
        floor = int(service.scaling.min_instance_count) if service.scaling else 0
        serving = sorted((_revision(short, percent, revisions[short], service_labels, floor)
                          for short, percent in shares.items()), key=lambda r: -r["percent"])
        primary = serving[0] if serving else None
        ready, problem = _readiness(latest)
        return {
            "name": name,
            "uri": service.uri,
            "revision": primary["revision"] if primary else "",
            "env": primary["env"] if primary else {},
            "min_instances": primary["min_instances"] if primary else floor,
            "max_instances": primary["max_instances"] if primary else 0,
            "commit_sha": primary["commit_sha"] if primary else None,
            "revision_created": primary["created"] if primary else None,
            "serving": serving,
            "latest_created_revision": created,
            "latest_created_ready": ready,
            "latest_created_problem": problem,
        }


def _traffic(service: Any) -> dict[str, int]:
    """Revisions with a share of traffic, by short name (a LATEST target has its revision filled in)."""
    shares: dict[str, int] = {}
    for status in service.traffic_statuses:
        if status.percent > 0 and status.revision:
            short = status.revision.rsplit("/", 1)[-1]
            shares[short] = shares.get(short, 0) + int(status.percent)
    if not shares and service.latest_ready_revision:  # no traffic statuses reported: the ready revision serves
        shares[service.latest_ready_revision.rsplit("/", 1)[-1]] = 100
    return shares


def _revision(short: str, percent: int, revision: Any, service_labels: dict[str, str], floor: int) -> RevisionInfo:
    container = revision.containers[0] if revision.containers else None
    env: dict[str, str] = {}
    secrets = []
    for variable in container.env if container else []:
        reference = variable.value_source.secret_key_ref if variable.value_source else None
        if reference and reference.secret:
            env[variable.name] = f"secret:{reference.secret}:{reference.version or 'latest'}"
            secrets.append(variable.name)
        else:
            env[variable.name] = variable.value
    commit: str | None = dict(revision.labels).get(COMMIT_LABEL)
    source: str | None = "revision label"
    if not commit:
        commit, source = service_labels.get(COMMIT_LABEL), "service label"
    if not commit and container is not None:
        tag = container.image.rsplit(":", 1)[-1] if ":" in container.image.rsplit("/", 1)[-1] else ""
        commit, source = (tag, "image tag") if _HEX.match(tag) else (None, None)
    scaling = revision.scaling
    return {
        "revision": short,
        "percent": percent,
        "env": env,
        "secrets": secrets,
        # The service-level floor applies on top of the revision's own.
        "min_instances": max(int(scaling.min_instance_count) if scaling else 0, floor),
        "max_instances": int(scaling.max_instance_count) if scaling else 0,
        "commit_sha": commit or None,
        "commit_source": source if commit else None,
        "image": container.image if container is not None else "",
        "created": utc_timestamp(revision.create_time),
    }


def _readiness(revision: Any) -> tuple[bool, str | None]:
    """Whether the latest created revision became ready, and if not, why."""
    if revision is None:
        return True, None
    for condition in revision.conditions:
        if condition.type_ == "Ready":
            ready = condition.state.name == "CONDITION_SUCCEEDED"
            return ready, None if ready else (condition.message or condition.state.name)
    return True, None
