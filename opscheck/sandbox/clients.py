"""Google clients pointed at the local platform's emulators.

The platform's own services (worker, coordinator, ...) and the sandbox's
seeding and fault injection use the official clients directly, as production
code would; this builds them from the environment the sandbox sets, the way
Cloud Run hands a service its configuration.
"""

from __future__ import annotations

import os
from typing import Any

import grpc
from google.auth.credentials import AnonymousCredentials

PROJECT_ENV = "SANDBOX_PROJECT"
BIGQUERY_ENV = "SANDBOX_BIGQUERY_ENDPOINT"
STORAGE_ENV = "STORAGE_EMULATOR_HOST"
PUBSUB_ENV = "PUBSUB_EMULATOR_HOST"


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: this process must be started by the local platform")
    return value


def project() -> str:
    return _env(PROJECT_ENV)


def bigquery() -> Any:
    from google.cloud import bigquery as bq

    return bq.Client(
        project=project(), credentials=AnonymousCredentials(),
        client_options={"api_endpoint": _env(BIGQUERY_ENV)},
    )


def storage() -> Any:
    from google.cloud import storage as gcs  # type: ignore[attr-defined]

    return gcs.Client(
        project=project(), credentials=AnonymousCredentials(),
        client_options={"api_endpoint": _env(STORAGE_ENV)},
    )


def publisher() -> Any:
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]
    from google.pubsub_v1.services.publisher.transports import PublisherGrpcTransport

    channel = grpc.insecure_channel(_env(PUBSUB_ENV))
    return pubsub_v1.PublisherClient(transport=PublisherGrpcTransport(channel=channel))


def subscriber() -> Any:
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]
    from google.pubsub_v1.services.subscriber.transports import SubscriberGrpcTransport

    channel = grpc.insecure_channel(_env(PUBSUB_ENV))
    return pubsub_v1.SubscriberClient(transport=SubscriberGrpcTransport(channel=channel))
