"""Pub/Sub pushes to the worker that serves now, authenticated (incident 9)."""

from __future__ import annotations

import pytest

from opscheck.config import Config
from opscheck.reports.evidence import Evidence
from opscheck.views.delivery import Delivery
from opscheck.views.services import Services

pytestmark = [pytest.mark.deploy, pytest.mark.probe]


def test_push_endpoint(delivery: Delivery, services: Services, opscheck_config: Config, evidence: Evidence) -> None:
    push = delivery.push
    worker = services.describe(opscheck_config.services.worker)
    wanted = worker["uri"].rstrip("/") + "/predict"
    evidence.json("push subscription", {"name": push["name"], "push_endpoint": push["push_endpoint"],
                                        "worker url + /predict": wanted,
                                        "oidc_service_account": push["oidc_service_account"]})
    update = f"gcloud pubsub subscriptions update {push['name']} --project {opscheck_config.gcp.project}"
    assert push["push_endpoint"] == wanted, (
        f"{push['name']} pushes to {push['push_endpoint']}, the worker serves at {wanted}: every request "
        f"goes to the old URL and the batch stays at 0/N; next: {update} --push-endpoint={wanted}"
    )
    assert push["oidc_service_account"], (
        f"{push['name']} pushes without OIDC authentication: the worker (behind IAM) refuses every push; "
        f"next: {update} --push-auth-service-account=SERVICE_ACCOUNT_WITH_run.invoker"
    )
