"""The worker serves the manifest's production model, and stays warm (incidents 2, 7, 9)."""

from __future__ import annotations

import pytest

from opscheck import governance
from opscheck.config import Config
from opscheck.reports.evidence import Evidence
from opscheck.views.manifest import Manifest
from opscheck.views.services import Services, gcloud_update, nothing_serves

pytestmark = pytest.mark.deploy


def _what(manifest: Manifest, path: str | None) -> str:
    """How the manifest knows a model path: its status, or that it does not know it."""
    if not path:
        return "unset"
    entry = manifest.entry_for_path(path)
    return f"the {entry['status']} model {entry['file']}" if entry else "a file the manifest does not list"


def test_worker_model_path(services: Services, manifest: Manifest, opscheck_config: Config,
                           evidence: Evidence) -> None:
    worker = opscheck_config.services.worker
    variable = opscheck_config.models.model_path_env
    serving = services.describe(worker)["serving"]
    wanted = manifest.object_path(manifest.production)
    assert serving, nothing_serves(opscheck_config, worker)
    evidence.table(f"{worker} {variable} of each serving revision (manifest production_model: {wanted})",
                   [{"revision": r["revision"], "percent": r["percent"], variable: r["env"].get(variable)}
                    for r in serving])
    wrong = [r for r in serving if r["env"].get(variable) != wanted]
    assert not wrong, (
        "; ".join(f"{worker} revision {r['revision']} ({r['percent']}% of traffic) has {variable}="
                  f"{r['env'].get(variable)} ({_what(manifest, r['env'].get(variable))})" for r in wrong)
        + f"; the manifest's production model is {wanted}; next: "
        + gcloud_update(opscheck_config, worker, f"--update-env-vars {variable}={wanted}")
    )


def test_worker_serves_configured_model(services: Services, manifest: Manifest, opscheck_config: Config,
                                        evidence: Evidence) -> None:
    """The running instances loaded what the revision names, byte for byte as the manifest records it.

    A revision whose env is right but whose instances never restarted still
    serves the old file: /health/deep says what is loaded.
    """
    worker = opscheck_config.services.worker
    described = services.describe(worker)
    assert described["serving"], nothing_serves(opscheck_config, worker)
    configured = described["env"].get(opscheck_config.models.model_path_env)
    deep = services.health(worker, "/health/deep")
    evidence.json(f"{worker} /health/deep", {**deep.summary(), "body": deep.json() or deep.body[:300]})
    assert deep.healthy, (
        f"{worker} /health/deep: {deep.problem}: cannot tell which model it serves; next: "
        f"gcloud run services logs read {worker} --project {opscheck_config.gcp.project}"
    )
    loaded, digest = deep.json().get("model"), deep.json().get("model_sha256")
    assert loaded and digest, (
        f"{worker} /health/deep does not say which model it loaded (fields model, model_sha256): "
        "cannot verify the deploy took effect; next: report them from the worker's deep health check"
    )
    restart = gcloud_update(opscheck_config, worker, "--update-labels opscheck-restart=$(date +%s)")
    assert loaded == configured, (
        f"{worker} serves {loaded}, but its revision is configured with {configured}: its instances "
        f"never restarted; next: {restart}"
    )
    entry = manifest.entry_for_path(loaded)
    assert entry is None or governance.same_digest(digest, entry["sha256"]), (
        f"{worker} serves {loaded} with SHA-256 {digest[:12]}…, the manifest records "
        f"{str(entry['sha256'])[:12]}… for {entry['file']}: it loaded other bytes than the manifest's; "
        f"next: check the object (pytest -m training), then {restart}"
    )


@pytest.mark.probe
def test_worker_min_instances(services: Services, opscheck_config: Config, evidence: Evidence) -> None:
    worker = opscheck_config.services.worker
    described = services.describe(worker)
    assert described["serving"], nothing_serves(opscheck_config, worker)
    floor = opscheck_config.services.worker_min_instances
    evidence.json(f"{worker} scaling", {"min_instances": described["min_instances"],
                                        "max_instances": described["max_instances"], "floor": floor})
    assert described["min_instances"] >= floor, (
        f"{worker} min instances {described['min_instances']}, below the floor {floor}: cold starts answer "
        "503 to push deliveries and Pub/Sub backs off, so batches stall at 0/N (incident 9); next: "
        f"{gcloud_update(opscheck_config, worker, f'--min-instances={floor}')}"
    )
