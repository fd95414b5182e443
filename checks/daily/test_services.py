"""Every service answers its health checks (the worker its deep one too)."""

from __future__ import annotations

import pytest

from opscheck.evidence import Evidence
from opscheck.resources.services import Services

pytestmark = pytest.mark.daily


def test_service_healthy(services: Services, service_name: str, evidence: Evidence) -> None:
    results = {path: services.probe(service_name, path) for path in services.health_paths(service_name)}
    evidence.table(f"{service_name} health", [
        {"path": path, "status": r["status"], "latency_ms": r["latency_ms"]} if isinstance(r, dict)
        else {"path": path, "status": "no answer", "latency_ms": r}
        for path, r in results.items()
    ])
    failing = {path: (r if isinstance(r, str) else f"HTTP {r['status']}: {r['body'][:120]}")
               for path, r in results.items() if isinstance(r, str) or r["status"] != 200}
    assert not failing, (
        f"{service_name}: " + "; ".join(f"{path} {why}" for path, why in failing.items())
        + f"; next: gcloud run services logs read {service_name}, then redeploy if it stays down"
    )
