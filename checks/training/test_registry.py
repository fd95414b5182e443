"""The registry table says what the manifest says, and names one production model (incident 4)."""

from __future__ import annotations

import pytest

from opscheck import governance
from opscheck.reports.evidence import Evidence
from opscheck.views.manifest import Manifest
from opscheck.views.model_registry import ModelRegistry

pytestmark = [pytest.mark.training, pytest.mark.deploy]
FIX = "next: opscheck registry sync --apply (dry-run without --apply shows the same diff)"


def test_manifest_valid(manifest: Manifest, evidence: Evidence) -> None:
    problems = [p for p in manifest.problems if p.kind == "entry"]
    evidence.table("manifest problems", [{"model": p.model, "field": p.field, "problem": p.message}
                                         for p in problems])
    assert not problems, (
        f"{manifest.path} is invalid {governance.problem_list(problems, limit=6)}; "
        "next: fix the manifest (it is the source of truth; nothing syncs from an invalid one)"
    )


def test_registry_matches_manifest(manifest: Manifest, registry: ModelRegistry, evidence: Evidence) -> None:
    try:
        wanted = manifest.registry_rows()
    except (KeyError, ValueError) as exc:  # an entry without a field, or with a date that does not parse
        pytest.skip(f"{manifest.path} cannot describe its registry rows ({type(exc).__name__}: {exc}), so there is "
                    "nothing to compare with (test_manifest_valid says what is wrong)")
    if not wanted:
        pytest.skip(f"{manifest.path} lists no model, so no registry row to compare (test_manifest_valid fails on it)")
    diff = governance.diff_registry(wanted, registry.rows)
    evidence.table("registry vs manifest", diff.table())
    assert diff.empty, (
        "model_registry differs from the manifest: " + "; ".join(
            [f"{c.model_file}: {c.field} is {c.registry!r} in the registry, {c.manifest!r} in the manifest"
             for c in diff.changed[:5]]
            + [f"{r['model_file']}: in the manifest, not in the registry" for r in diff.added]
            + [f"{r.get('model_file')}: in the registry, not in the manifest" for r in diff.missing]
        ) + f"; {FIX}"
    )


def test_registry_has_one_production_model(registry: ModelRegistry, evidence: Evidence) -> None:
    production = registry.production()
    evidence.table("production rows of model_registry", production)
    assert len(production) == 1, (
        f"model_registry has {len(production)} production rows "
        f"({', '.join(str(r['model_file']) for r in production) or 'none'}), exactly one expected; {FIX}"
    )
