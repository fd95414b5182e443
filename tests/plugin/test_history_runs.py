"""Runs of the checks meet history, offline: severities and exit codes, a store that cannot be written,
two runs at once, the page's strip, warnings and ACKED cards (in Chromium), the `history` and `ack` commands.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO, run_checks

DAILY = str(REPO / "checks" / "daily")
WARN_LANDED = """
[checks.test_predictions_landed]
severity = "warn"
owner = "predictions-team"
runbook = "https://runbooks.example/predictions-landed"
"""


def config_with(tmp_path: Path, extra: str) -> Path:
    config = tmp_path / "opscheck.toml"
    config.write_text((REPO / "opscheck.toml").read_text() + extra)
    return config


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "opscheck.cli", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=120)


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "two-workers"])
def test_a_run_whose_failures_are_all_warnings_exits_0_and_says_so(
    pytester: pytest.Pytester, tmp_path: Path, workers: list[str]
) -> None:
    result = run_checks(pytester, DAILY, "--scenario", "partial-run", *workers, f"--report-dir={tmp_path}",
                        f"--opscheck-config={config_with(tmp_path, WARN_LANDED)}")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-2000:]
    result.stdout.fnmatch_lines(["opscheck: 1 warning(s) only (severity warn): exit 0"])
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert (summary["verdict"], summary["exit_code"]) == ("WARN", 0)
    assert summary["counts"]["warnings"] == 1 and summary["counts"]["failed"] == 0
    landed = next(c for c in summary["checks"] if c["name"] == "test_predictions_landed")
    assert (landed["severity"], landed["owner"], landed["runbook"]) == (
        "warn", "predictions-team", "https://runbooks.example/predictions-landed")
    other = next(c for c in summary["checks"] if c["name"] == "test_yesterday_graded")
    assert (other["severity"], other["owner"]) == ("fail", None)


def test_a_warning_beside_a_failure_still_fails_the_run(pytester: pytest.Pytester, tmp_path: Path) -> None:
    warn_fresh = '[checks.test_upstream_table_fresh]\nseverity = "warn"\n'
    result = run_checks(pytester, DAILY, "--scenario", "lines-missing", f"--report-dir={tmp_path}",
                        f"--opscheck-config={config_with(tmp_path, warn_fresh)}")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["verdict"] == "FAIL" and summary["counts"]["warnings"] == 2 and summary["counts"]["failed"] == 1


@pytest.mark.parametrize(("scenario", "code"), [("healthy", pytest.ExitCode.OK),
                                                ("partial-run", pytest.ExitCode.TESTS_FAILED)])
@pytest.mark.parametrize("store", ["unwritable", "corrupted"])
def test_a_store_that_cannot_be_written_costs_one_warning_and_keeps_the_exit_code(
    pytester: pytest.Pytester, tmp_path: Path, scenario: str, code: int, store: str
) -> None:
    if store == "unwritable":
        (tmp_path / "a-file").write_text("a file, not a folder")
        path = tmp_path / "a-file" / "history.sqlite"
    else:
        path = tmp_path / "history.sqlite"
        path.write_bytes(b"garbage" * 1000)
    result = run_checks(pytester, DAILY, "--scenario", scenario, f"--history={path}", f"--report-dir={tmp_path}")
    assert result.ret == code
    result.stdout.fnmatch_lines([f"opscheck: warning: this run is not remembered (history store {path} *); its "
                                 "verdict and exit code stand"])
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["history"]["written"] is False and summary["exit_code"] == code
    assert all(c["streak"] is None for c in summary["checks"])


def test_a_check_policy_that_names_no_check_is_refused_naming_the_closest(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    result = run_checks(pytester, DAILY, f"--opscheck-config={config_with(tmp_path, '[checks.test_predictions_land]')}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*[[]checks[]] test_predictions_land: no such check (did you mean "
                                 "test_predictions_landed?)*"])


def test_two_runs_at_once_leave_a_consistent_store(tmp_path: Path) -> None:
    """Two pipelines (one of them under -n 2) each run three times into one store, at the same time."""
    store = tmp_path / "history.sqlite"
    base = [sys.executable, "-m", "pytest", DAILY, "-p", "no:cacheprovider", "--rootdir", str(REPO), "-c",
            str(REPO / "pyproject.toml"), "--opscheck-config", str(REPO / "opscheck.toml"), "--scenario",
            "partial-run", f"--history={store}", "-q"]
    codes: list[int] = []

    def pipeline(extra: list[str]) -> None:
        for _ in range(3):
            codes.append(subprocess.run(base + extra, capture_output=True, timeout=300, cwd=tmp_path).returncode)

    threads = [threading.Thread(target=pipeline, args=(extra,)) for extra in ([], ["-n", "2"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [1] * 6
    with sqlite3.connect(store) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        runs = db.execute("SELECT run_id, checks FROM runs").fetchall()
        assert len(runs) == 6 and {checks for _, checks in runs} == {23}
        per_run = db.execute("SELECT COUNT(*) FROM results GROUP BY run_id").fetchall()
        assert [n for (n,) in per_run] == [23] * 6  # every run whole, none interleaved
        incidents = db.execute("SELECT check_key, state FROM incidents").fetchall()
        assert incidents == [("checks/daily/test_predictions.py::test_predictions_landed", "open")]
        streak = db.execute("SELECT COUNT(DISTINCT seq) FROM results WHERE outcome = 'failed'").fetchone()
        assert streak == (6,)


def test_history_and_ack_commands_and_the_page_in_chromium(
    chromium: Any, pytester: pytest.Pytester, tmp_path: Path
) -> None:
    """lines-missing fails three checks: the freshness two as warnings, the landed one acknowledged."""
    store = tmp_path / "history.sqlite"
    config = config_with(tmp_path, '[checks.test_upstream_table_fresh]\nseverity = "warn"\nowner = "scrapers-team"\n')
    flags = ("--scenario", "lines-missing", f"--history={store}", f"--opscheck-config={config}")
    run_checks(pytester, DAILY, "--scenario", "healthy", f"--history={store}")  # another scenario: not mixed in
    for _ in range(2):
        run_checks(pytester, DAILY, *flags)
    assert cli("ack", "test_predictions_landd", "--for", "24h", "--why", "x", *flags[:4]).stderr.strip().endswith(
        "ack test_predictions_landd: no such check (did you mean test_predictions_landed?)")
    bad = cli("ack", "test_predictions_landed", "--for", "a day", "--why", "x", *flags[:4])
    assert bad.returncode == 2 and "not a duration; write it like 24h, 90m, 2d or 1h30m" in bad.stderr
    acked = cli("ack", "test_predictions_landed", "--for", "24h", "--why", "rerunning the scrapers", "--by", "ana",
                *flags[:4])
    assert acked.returncode == 0 and "(bound to its current failure)" in acked.stdout, acked.stderr
    listed = cli("ack", "--list", *flags[:4])
    assert "test_predictions_landed" in listed.stdout and "rerunning the scrapers" in listed.stdout
    run_checks(pytester, DAILY, *flags, f"--report-dir={tmp_path}")
    shown = cli("history", *flags[:4])
    assert shown.returncode == 1  # something fails on its latest run
    rows = shown.stdout.splitlines()[2:]
    assert [r.split()[1] for r in rows[:3]] == ["failed"] * 3  # what fails now comes first
    landed = next(r for r in rows if r.startswith("test_predictions_landed "))
    assert "FFF" in landed and "PPP" in next(r for r in rows if r.startswith("test_yesterday_graded "))
    one = cli("history", "test_predictions_landed", *flags[:4])
    assert one.returncode == 1 and one.stdout.count("24 players") + one.stdout.count("players") >= 3

    page = chromium.new_page(viewport={"width": 390, "height": 900})
    page.goto(next(tmp_path.glob("daily-*.html")).as_uri())
    assert page.locator("#banner").inner_text().startswith("FAIL · 1 failed · 2 warnings")
    acked_card = page.locator("#failures ~ article.check.acked").first
    assert acked_card.locator("h3").inner_text() == "test_predictions_landed[2026-02-09]"
    assert "ACKED by ana until" in acked_card.inner_text() and "rerunning the scrapers" in acked_card.inner_text()
    assert acked_card.locator(".strip i.failed").count() == 3  # three runs of this scenario, all failing
    assert "Failing for 3 runs" in acked_card.inner_text()
    warnings = page.locator("#warnings")
    assert warnings.is_visible() and warnings.bounding_box()["y"] > acked_card.bounding_box()["y"]
    warned = page.locator("article.check.warn")
    assert warned.count() == 2 and "owner scrapers-team" in warned.first.inner_text()
    assert warned.first.locator(".badge.warn").inner_text() == "WARN"
    assert "bytes billed 0" in page.locator("#cost").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.close()
