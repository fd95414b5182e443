"""`opscheck doctor`: the preflight before a first live run.

For each Google API the checks use: the identity in use, whether a harmless
read succeeds, and for a failure the role or command that fixes it. For each
configured resource (tables, model store and manifest, the production
model the manifest names, topics, subscriptions, services): whether it
exists. One table; exit 0 when every row is ok.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable

from opscheck.errors import AccessDeniedError, CredentialsError, GatewayError, NotFoundError
from opscheck.platform import Platform, auth
from opscheck.platform.channel import ROLES
from opscheck.sql.queries import TABLE_KEYS
from opscheck.views import Manifest, Views


@dataclasses.dataclass(frozen=True)
class Row:
    """One line of the doctor's table."""

    kind: str
    name: str
    ok: bool
    detail: str

    def show(self) -> dict[str, str]:
        return {"what": self.kind, "name": self.name, "status": "ok" if self.ok else "FAIL", "detail": self.detail}


def _try(kind: str, name: str, read: Callable[[], object], fix: str) -> Row:
    try:
        read()
    except CredentialsError:
        raise
    except AccessDeniedError as exc:
        return Row(kind, name, False, str(exc))
    except NotFoundError as exc:
        return Row(kind, name, False, f"missing ({str(exc)[:160]}); {fix}")
    except GatewayError as exc:
        return Row(kind, name, False, str(exc)[:240])
    return Row(kind, name, True, "")


def examine(platform: Platform) -> list[Row]:
    """Every API and every configured resource, each read once."""
    config = platform.config
    who = auth.identity(config)
    rows = [Row("identity", who, True, "the credentials every call below uses")]
    apis: dict[str, Callable[[], object]] = {
        "bigquery": lambda: platform.bigquery.query("doctor_ping"),
        "storage": lambda: platform.storage.metadata(platform.storage.path(config.models.manifest)),
        "pubsub": lambda: platform.pubsub.topic_exists(config.pubsub.request_topic),
        "run": lambda: platform.run.service(config.services.worker),
        "monitoring": lambda: platform.monitoring.subscription_backlog(config.pubsub.dead_letter_subscription),
        "scheduler": lambda: platform.scheduler.job(config.services.morning_job),
        # A commit no build has: the list answers (empty), or says why it cannot.
        "build": lambda: platform.build.builds_of("0" * 40),
        "logging": lambda: platform.logging.errors([config.services.coordinator, config.services.worker],
                                                   config.now() - dt.timedelta(hours=1), config.now()),
    }
    for api, read in apis.items():
        row = _try("api", api, read, f"grant {ROLES[api]} to {who}")
        rows.append(row if row.ok or "missing" not in row.detail else dataclasses.replace(row, ok=True, detail=(
            "reachable (the resource it reads is missing: see below)")))
    for key in TABLE_KEYS:
        rows.append(_try("table", config.table(key), functools.partial(platform.bigquery.table, key),
                         f"create it or fix [tables] {key}"))
    manifest = platform.storage.path(config.models.manifest)
    rows.append(_try("object", manifest, lambda: platform.storage.metadata(manifest),
                     "fix [models] bucket / manifest"))
    if rows[-1].ok:
        rows.append(_production_model(platform))
    for topic in (config.pubsub.request_topic, config.pubsub.dead_letter_topic):
        rows.append(_topic(platform, topic))
    for name in (config.pubsub.push_subscription, config.pubsub.dead_letter_subscription):
        rows.append(_try("subscription", name, functools.partial(platform.pubsub.subscription, name),
                         f"create it (gcloud pubsub subscriptions create {name} ...) or fix [pubsub]"))
    for service in config.services.all:
        rows.append(_try("service", service, functools.partial(platform.run.service, service),
                         f"deploy it or fix [services] (region {config.gcp.region})"))
    job = config.services.morning_job
    rows.append(_try("job", job, functools.partial(platform.scheduler.job, job),
                     f"create it (gcloud scheduler jobs create http {job} --location {config.gcp.region} ...) "
                     "or fix [services] morning_job"))
    return rows


def _production_model(platform: Platform) -> Row:
    """The object the manifest names as production: a worker restarted now could not load a missing one."""
    manifest = Views.of(platform, platform.config.today()).get(Manifest)
    try:
        path = manifest.object_path(manifest.production)
    except GatewayError as exc:
        return Row("object", "production model", False, str(exc)[:240])
    return _try("object", path, lambda: platform.storage.metadata(path),
                "upload it again, or point the manifest's production_model at a model that exists")


def _topic(platform: Platform, topic: str) -> Row:
    try:
        exists = platform.pubsub.topic_exists(topic)
    except GatewayError as exc:
        return Row("topic", topic, False, str(exc)[:240])
    return Row("topic", topic, exists, "" if exists else f"missing; create it (gcloud pubsub topics create {topic})")
