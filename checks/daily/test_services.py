"""Every service answers its health checks (the worker its deep one too)."""

from __future__ import annotations

import pytest

from opscheck.reports.evidence import Evidence
from opscheck.views.services import Services

pytestmark = pytest.mark.daily


def test_service_healthy(services: Services, service_name: str, evidence: Evidence) -> None:
    probes = [services.health(service_name, path) for path in services.health_paths(service_name)]
    evidence.table(f"{service_name} health", [p.summary() for p in probes])
    failing = [p for p in probes if not p.healthy]
    if failing and all(p.denied for p in failing):
        pytest.fail(f"{service_name}: health unknown: " + "; ".join(f"{p.path} {p.problem}" for p in failing),
                    pytrace=False)
    assert not failing, (
        f"{service_name}: " + "; ".join(f"{p.path} {p.problem}" for p in failing)
        + f"; next: gcloud run services logs read {service_name}, then redeploy if it stays down"
    )
