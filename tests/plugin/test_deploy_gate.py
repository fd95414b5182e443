"""The deploy gate offline: where the expected commit comes from, and what it says without one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.helpers import RECORDINGS, REPO, outcomes, run_checks

COMMITS = str(REPO / "checks/deploy/test_commits.py") + "::test_services_run_expected_commit"
OTHER = "f" * 40


def test_gate_passes_on_healthy_and_names_each_stale_service(pytester: pytest.Pytester) -> None:
    assert run_checks(pytester, "-m", "deploy", str(REPO / "checks")).ret == pytest.ExitCode.OK
    result = run_checks(pytester, "-m", "deploy", str(REPO / "checks"), "--scenario", "stale-services")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*2 serving revision(s) behind * (HEAD of the platform checkout): grading serves "
                                 "* (revision grading-00031-*, 100% of traffic, * days old); scrapers serves *"])


@pytest.mark.parametrize(("flag", "env", "source"), [
    (OTHER, None, "--expect-commit"),
    (OTHER, "e" * 40, "--expect-commit"),
    (None, OTHER, "OPSCHECK_COMMIT"),
])
def test_expected_commit_precedence(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
                                    flag: str | None, env: str | None, source: str) -> None:
    if env:
        monkeypatch.setenv("OPSCHECK_COMMIT", env)
    result = run_checks(pytester, COMMITS, *(("--expect-commit", flag) if flag else ()))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"*5 serving revision(s) behind ffffffffffff ({source}): "
                                 "prediction-coordinator serves *"])


def test_configured_commit_comes_before_the_checkout(pytester: pytest.Pytester, tmp_path: Path) -> None:
    config = tmp_path / "opscheck.toml"
    config.write_text((REPO / "opscheck.toml").read_text().replace(
        'expected_commit = ""', f'expected_commit = "{OTHER[:12]}"'))
    result = run_checks(pytester, COMMITS, f"--opscheck-config={config}")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*behind ffffffffffff (services.expected_commit)*"])


def test_no_expected_commit_skips_saying_how_to_give_one(pytester: pytest.Pytester, tmp_path: Path) -> None:
    """Replays a live run with no checkout configured: the checkout gateway answered NotFound."""
    shutil.copytree(RECORDINGS / "healthy", tmp_path / "healthy")
    path = tmp_path / "healthy" / "checkout.json"
    data = json.loads(path.read_text())
    for call in data["calls"]:
        if call["operation"] == "head":
            call.pop("result")
            call["error"] = {"type": "NotFoundError", "message": "no platform checkout configured"}
    path.write_text(json.dumps(data))
    result = run_checks(pytester, COMMITS, "--recordings", str(tmp_path), "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*no expected commit: pass --expect-commit SHA, set OPSCHECK_COMMIT or "
                                 "services.expected_commit, or give --platform-repo PATH*"])
    assert set(outcomes(result).values()) == {"SKIPPED"}
