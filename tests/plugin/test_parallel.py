"""`pytest -n 2` (pytest-xdist) gives what a serial run gives, check by check, in every suite, offline.

The same against the local platform is in tests/sandbox/test_parallel_live.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from opscheck.delivery import PROBE_GROUP
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


def test_delivery_probes_share_one_worker(pytester: pytest.Pytester) -> None:
    """Under `-n 2` every delivery probe runs on one worker, in file order.

    An active probe's messages in flight would read as backlog to a passive
    probe running beside it on another worker. Each worker parses `-n 2`
    itself and sees `--dist load`, so the group holds only if the switch to
    loadgroup reaches the workers too (it once did not).
    """
    result = run_checks(pytester, str(REPO / "checks/probe"), str(REPO / "checks/deploy"),
                        "--scenario", "healthy", "-v", "-n", "2")
    ran = [(m["worker"], m["test"]) for m in (
        re.search(r"^\[(?P<worker>gw\d+)\] .*?(?:PASSED|FAILED|SKIPPED|ERROR) (?P<test>\S+)", line)
        for line in result.outlines) if m]
    probes = [(worker, test) for worker, test in ran if "checks/probe/" in test]
    assert len(probes) == 6, result.stdout.str()[-2000:]
    assert all(test.endswith(f"@{PROBE_GROUP}") for _, test in probes), probes
    grouped = {worker for worker, test in ran if test.endswith(f"@{PROBE_GROUP}")}
    assert len(grouped) == 1, ran
    files = [test.split("::")[0] for _, test in probes]
    assert files == sorted(files), probes  # the active probes' file first, as serially
