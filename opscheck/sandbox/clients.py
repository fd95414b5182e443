"""Google clients pointed at the local platform's emulators.

The platform's own services (worker, coordinator, ...) and the sandbox's
seeding and fault injection use the official clients directly, as production
code would; this builds them from the environment the sandbox sets, the way
Cloud Run hands a service its configuration.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from typing import Any

import grpc
from google.auth.credentials import AnonymousCredentials

PROJECT_ENV = "SANDBOX_PROJECT"
BIGQUERY_ENV = "SANDBOX_BIGQUERY_ENDPOINT"
STORAGE_ENV = "STORAGE_EMULATOR_HOST"
PUBSUB_ENV = "PUBSUB_EMULATOR_HOST"
CLOCK_ENV = "SANDBOX_CLOCK_OFFSET"  # seconds the platform's clock runs ahead of the machine's


Env = Mapping[str, str]


def _env(name: str, env: Env) -> str:
    value = env.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: this process must be started by the local platform")
    return value


def project(env: Env = os.environ) -> str:
    return _env(PROJECT_ENV, env)


def now(env: Env = os.environ) -> dt.datetime:
    """The platform's clock (UTC): what its services stamp rows and batches with.

    The local platform lives on its own day (season.TODAY), so a recording made from it is
    self-consistent: its as-of, its rows and its revisions' ages all belong to that day. Message
    timing (Pub/Sub's publish times, the worker's request log) stays on the machine's clock.
    """
    return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=float(env.get(CLOCK_ENV) or 0))


def bigquery(env: Env = os.environ) -> Any:
    from google.cloud import bigquery as bq

    return bq.Client(
        project=project(env), credentials=AnonymousCredentials(),
        client_options={"api_endpoint": _env(BIGQUERY_ENV, env)},
    )


def storage(env: Env = os.environ) -> Any:
    from google.cloud import storage as gcs  # type: ignore[attr-defined]

    return gcs.Client(
        project=project(env), credentials=AnonymousCredentials(),
        client_options={"api_endpoint": _env(STORAGE_ENV, env)},
    )


def publisher(env: Env = os.environ) -> Any:
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]
    from google.pubsub_v1.services.publisher.transports import PublisherGrpcTransport

    channel = grpc.insecure_channel(_env(PUBSUB_ENV, env))
    return pubsub_v1.PublisherClient(transport=PublisherGrpcTransport(channel=channel))


def subscriber(env: Env = os.environ) -> Any:
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]
    from google.pubsub_v1.services.subscriber.transports import SubscriberGrpcTransport

    channel = grpc.insecure_channel(_env(PUBSUB_ENV, env))
    return pubsub_v1.SubscriberClient(transport=SubscriberGrpcTransport(channel=channel))
