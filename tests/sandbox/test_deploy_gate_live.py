"""The deploy gate live against the local platform: the checkout's HEAD, one model download a run, the backtest."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from opscheck.sandbox import faults, models, schema
from opscheck.sandbox.lifecycle import Sandbox
from tests.helpers import REPO, failed_checks, outcomes, run_checks

COUNT_DOWNLOADS = '''
from opscheck.platform import storage

reads = []
_download = storage.Storage._download


def counting(self, path):
    reads.append(path)
    return _download(self, path)


storage.Storage._download = counting


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(f"OBJECT READS {len(reads)} {sorted(set(reads))}")
'''


def test_model_object_is_downloaded_once_per_run(healthy: Sandbox, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(count_downloads=COUNT_DOWNLOADS)
    pytester.syspathinsert()
    result = run_checks(pytester, "-p", "count_downloads", str(REPO / "checks"), "-m", "deploy or training",
                        "--target", "sandbox")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-2000:]
    reads = [line for line in result.outlines if line.startswith("OBJECT READS")]
    assert reads == ["OBJECT READS 1 ['gs://nba-props-platform-models/catboost/v9/"
                     "catboost_v9_33f_train20251102-20260108_20260201T011018.cbm']"]


def git_checkout(folder: Path) -> str:
    """A one-commit git repository; returns its HEAD."""
    folder.mkdir()
    (folder / "README.md").write_text("another platform build\n")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    for argv in (["init", "-q"], ["add", "README.md"], ["commit", "-q", "-m", "x"]):
        subprocess.run(["git", "-C", str(folder), *argv], check=True, env=env, timeout=30)
    return subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"], check=True, capture_output=True,
                          text=True, timeout=30).stdout.strip()


def test_platform_repo_head_is_the_expected_commit(
    healthy: Sandbox, pytester: pytest.Pytester, tmp_path: Path
) -> None:
    check = str(REPO / "checks/deploy/test_commits.py") + "::test_services_run_expected_commit"
    head = git_checkout(tmp_path / "platform")
    result = run_checks(pytester, check, "--target", "sandbox", f"--platform-repo={tmp_path / 'platform'}")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"*5 serving revision(s) behind {head[:12]} (HEAD of the platform checkout)*"])
    sandbox_repo = healthy.doc_file.parent
    result = run_checks(pytester, check, "--target", "sandbox", f"--platform-repo={sandbox_repo}")
    result.assert_outcomes(passed=1)


def test_a_platform_repo_that_is_not_a_checkout_fails_the_gate(
    healthy: Sandbox, pytester: pytest.Pytester, tmp_path: Path
) -> None:
    """Given but broken is not "no commit expected": a skip here would let the rollout through."""
    check = str(REPO / "checks/deploy/test_commits.py") + "::test_services_run_expected_commit"
    result = run_checks(pytester, check, "--target", "sandbox", f"--platform-repo={tmp_path}")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"*{tmp_path}: no HEAD commit (fatal: not a git repository*); "
                                 "next: give a git checkout of the platform's repository*"])


def test_the_backtest_blocks_a_bad_candidate_and_lets_a_good_one_through(
    healthy: Sandbox, pytester: pytest.Pytester
) -> None:
    """Issue 21: `pytest -m deploy --candidate FILE` scores the file on the graded days after its training
    window. The flawed retrain (its target shifted by one row), uploaded beside the others, fails the gate on
    the backtest alone, naming both hit rates; the good retrain (the shadow, trained to Jan 25) passes it."""
    name = schema.MODEL_PREFIX + models.BAD.file
    healthy.write_object(name, models.read_trained(healthy.state_dir / "trained", "bad", models.BAD).blob)
    try:
        bad = run_checks(pytester, str(REPO / "checks"), "-m", "deploy", "--target", "sandbox",
                         "--candidate", models.BAD.file, "-rA")
        good = run_checks(pytester, str(REPO / "checks"), "-m", "deploy", "--target", "sandbox",
                          "--candidate", models.SHADOW.file, "-rA")
    finally:
        healthy.storage().bucket(schema.BUCKET).blob(name).delete(timeout=30)
    assert failed_checks(bad) == {"test_candidate_backtest"}, bad.stdout.str()[-3000:]
    bad.stdout.fnmatch_lines([f"E * {models.BAD.file} (--candidate) hit 5*% of * picks on 2026-02-01..2026-02-08 "
                              f"(* graded days after its window), the serving model {models.PRODUCTION.version} "
                              "7*% of the same picks: worse by * points*"])
    assert good.ret == pytest.ExitCode.OK, good.stdout.str()[-3000:]
    assert [outcome for test_id, outcome in outcomes(good).items()
            if test_id.endswith("::test_candidate_backtest")] == ["PASSED"]


def test_a_promoted_candidate_is_the_integrity_checks_download(healthy: Sandbox, pytester: pytest.Pytester) -> None:
    """The manifest's production model not yet served is the candidate; its object is read once a run."""
    faults.inject(healthy, "bad-model-promoted")
    pytester.makepyfile(count_downloads=COUNT_DOWNLOADS)
    pytester.syspathinsert()
    result = run_checks(pytester, "-p", "count_downloads", str(REPO / "checks"), "-m", "deploy or training",
                        "--target", "sandbox")
    assert failed_checks(result) == {"test_candidate_backtest", "test_worker_model_path"}, result.stdout.str()[-2000:]
    reads = [line for line in result.outlines if line.startswith("OBJECT READS")]
    assert reads == [f"OBJECT READS 1 ['gs://nba-props-platform-models/catboost/v9/{models.BAD.file}']"]
