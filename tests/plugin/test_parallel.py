"""`pytest -n 2` (pytest-xdist) gives what a serial run gives, check by check, in every suite, offline.

The same against the local platform is in tests/sandbox/test_parallel_live.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import REPO, outcomes, run_checks, summary_of

# healthy; one failing in the daily, training and deploy suites at once; one failing the probes.
SCENARIOS = ("healthy", "manifest-production-unlisted", "push-subscription-deleted")


def summary_outcomes(report_dir: Path) -> dict[str, str]:
    """summary.json's outcome per check id."""
    return {check["id"]: check["outcome"] for check in summary_of(report_dir)["checks"]}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_two_workers_agree_with_one(pytester: pytest.Pytester, tmp_path: Path, scenario: str) -> None:
    runs = {}
    for workers in ("0", "2"):
        report_dir = tmp_path / f"n{workers}"
        result = run_checks(pytester, str(REPO / "checks"), "--scenario", scenario, "-rA", "-n", workers,
                            "--report-dir", str(report_dir))
        runs[workers] = (result.ret, outcomes(result), summary_outcomes(report_dir))
    assert runs["2"] == runs["0"]
    assert runs["0"][1], "no outcomes parsed"
    assert "FAILED" in runs["0"][1].values() or scenario == "healthy"
