"""`opscheck registry` live against the local platform: sync writes once, refuses bad manifests."""

from __future__ import annotations

import json
from typing import Any

import pytest

from opscheck import cli
from opscheck.sandbox import faults, schema
from opscheck.sandbox.lifecycle import Sandbox
from tests.helpers import REPO, run_checks

CONFIG = ("--opscheck-config", str(REPO / "opscheck.toml"), "--target", "sandbox")


def registry_table(p: Sandbox) -> list[dict[str, Any]]:
    """The registry as BigQuery holds it, read with the platform's own client."""
    rows = p.bigquery().query(f"SELECT * FROM {schema.REGISTRY} ORDER BY model_id").result(timeout=30)
    return [dict(row) for row in rows]


def sync(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = cli.main(["registry", "sync", *CONFIG, *extra])
    return code, capsys.readouterr().out


def test_sync_apply_repairs_drift_once_then_writes_nothing(
    healthy: Sandbox, capsys: pytest.CaptureFixture[str], pytester: pytest.Pytester
) -> None:
    faults.inject(healthy, "registry-drift")
    drifted = registry_table(healthy)
    assert sync(capsys)[0] == 1
    assert registry_table(healthy) == drifted  # a dry run writes nothing
    code, out = sync(capsys, "--apply")
    assert code == 0 and "wrote 1 row(s) in one MERGE (1 affected)" in out
    repaired = registry_table(healthy)
    production = next(r for r in repaired if r["status"] == "production")
    assert str(production["training_end_date"]) == "2026-01-08"
    code, out = sync(capsys, "--apply")
    assert code == 0 and "nothing to write" in out
    assert registry_table(healthy) == repaired  # updated_at included: the second apply wrote nothing
    result = run_checks(pytester, str(REPO / "checks/training/test_registry.py"), "--target", "sandbox")
    result.assert_outcomes(passed=3)


def test_invalid_manifest_is_refused_and_nothing_is_written(
    healthy: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    faults.inject(healthy, "registry-drift")
    faults.keep_object(healthy, schema.MANIFEST)  # heal puts the manifest back
    manifest = json.loads(healthy.read_object(schema.MANIFEST))
    manifest["models"][0]["training_end_date"] = None
    manifest["models"][1]["sha256"] = "xyz"
    healthy.write_object(schema.MANIFEST, json.dumps(manifest).encode())
    before = registry_table(healthy)
    code = cli.main(["registry", "sync", "--apply", *CONFIG])
    err = capsys.readouterr().err.splitlines()[-1]
    assert code == 1 and "is invalid, nothing written (" in err
    assert "training_end_date: is missing" in err and "sha256: 'xyz' is not 64 hex digits" in err
    assert registry_table(healthy) == before


def test_guard_reads_the_live_registry(healthy: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    faults.inject(healthy, "duplicate-training-window")
    code = cli.main(["registry", "guard", "--start", "2025-11-02", "--end", "2026-01-08", *CONFIG])
    err = capsys.readouterr().err
    assert code == 1
    assert "catboost_v9_33f_train20251102-20260108_20260201T011018.cbm (status production" in err
    assert "catboost_v9_33f_train20251102-20260108_20260208T030000.cbm (status shadow" in err
