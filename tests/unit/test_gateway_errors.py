"""What each gateway says when Google refuses or stalls: the official clients against loopback fakes.

REST APIs (BigQuery, Cloud Storage, Cloud Run, Scheduler, Build) answer a missing role with a
403 and Google's JSON error; gRPC APIs (Pub/Sub, Monitoring, Logging) with
PERMISSION_DENIED. The clients turn those into google.api_core exceptions,
and each gateway must name the role to grant and the identity in use.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pytest

from opscheck.config import Config, EndpointsConfig
from opscheck.errors import AccessDeniedError, QueryTimeoutError
from opscheck.platform import Platform
from tests.helpers import json_server

DENIED = {"error": {"code": 403, "status": "PERMISSION_DENIED",
                    "message": "Access Denied: the caller does not have permission",
                    "errors": [{"reason": "accessDenied", "message": "Access Denied"}]}}


ASKED: list[str] = []  # every request either fake answered, to count attempts (a refusal is not retried)


@pytest.fixture(scope="module")
def rest_403() -> Iterator[str]:
    def deny(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        ASKED.append(path)
        return 403, DENIED

    with json_server(deny) as url:
        yield url


@pytest.fixture(scope="module")
def grpc_denied() -> Iterator[str]:
    class Deny(grpc.GenericRpcHandler):  # type: ignore[misc]  # grpc ships no type hints
        def service(self, details: Any) -> Any:
            def abort(request: bytes, context: Any) -> None:
                ASKED.append(details.method)
                context.abort(grpc.StatusCode.PERMISSION_DENIED, f"User not authorized to perform {details.method}")

            return grpc.unary_unary_rpc_method_handler(abort)

    server = grpc.server(concurrent.futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers((Deny(),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop(0)


def platform(**endpoints: Any) -> Platform:
    return Platform(Config(endpoints=EndpointsConfig(anonymous=True, timeout_seconds=2, **endpoints)))


CALLS: dict[str, Callable[[Platform], object]] = {
    "bigquery": lambda p: p.bigquery.query("doctor_ping"),
    "storage": lambda p: p.storage.read(p.storage.path("catboost/v9/manifest.json")),
    "run": lambda p: p.run.service("prediction-worker"),
    "pubsub": lambda p: p.pubsub.subscription("prediction-request-dlq-sub"),
    "monitoring": lambda p: p.monitoring.subscription_backlog("prediction-request-dlq-sub"),
    "scheduler": lambda p: p.scheduler.job("morning-predictions"),
    "build": lambda p: p.build.builds_of("0" * 40),
    "logging": lambda p: p.logging.errors(["prediction-worker"], dt.datetime(2026, 2, 9, tzinfo=dt.UTC),
                                          dt.datetime(2026, 2, 10, tzinfo=dt.UTC)),
}
ROLES = {"bigquery": "roles/bigquery.jobUser", "storage": "roles/storage.objectViewer on the bucket",
         "run": "roles/run.viewer", "pubsub": "roles/pubsub.viewer", "monitoring": "roles/monitoring.viewer",
         "scheduler": "roles/cloudscheduler.viewer", "build": "roles/cloudbuild.builds.viewer",
         "logging": "roles/logging.viewer"}
WHAT = {"bigquery": "query doctor_ping.sql", "storage": "gs://nba-props-platform-models/catboost/v9/manifest.json",
        "run": "Cloud Run service prediction-worker", "pubsub": "subscription prediction-request-dlq-sub",
        "monitoring": "prediction-request-dlq-sub", "scheduler": "Cloud Scheduler job morning-predictions",
        "build": "Cloud Build builds of commit 000000000000", "logging": "Cloud Logging entries"}


@pytest.mark.parametrize("api", sorted(CALLS))
def test_a_403_names_the_resource_the_role_and_the_identity(api: str, rest_403: str, grpc_denied: str) -> None:
    endpoint = grpc_denied if api in ("pubsub", "monitoring", "logging") else rest_403
    ASKED.clear()
    with pytest.raises(AccessDeniedError) as caught:
        CALLS[api](platform(**{api: endpoint}))
    message = str(caught.value)
    assert WHAT[api] in message and f"grant {ROLES[api]}" in message
    assert "permission denied for anonymous (a stand-in)" in message
    # Each request made once: a refusal is not retried. (The storage client also fetches the bucket's metadata
    # on a thread of its own, a request of its own.)
    assert ASKED and max(ASKED.count(path) for path in ASKED) == 1, ASKED


def test_a_query_that_runs_too_long_says_so() -> None:
    with socket.socket() as listener:  # accepts the jobs.query call, never answers it
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        gateway = platform(bigquery=f"http://127.0.0.1:{listener.getsockname()[1]}")
        started = time.monotonic()
        with pytest.raises(QueryTimeoutError, match=r"query doctor_ping.sql: the query ran past 2s and was cancelled"):
            gateway.bigquery.query("doctor_ping")
        assert time.monotonic() - started < 5 * 2  # a generous multiple of the 2 s timeout: it did not hang
