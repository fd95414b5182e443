"""The on-call page, summary.json, Allure results and exit codes, from offline runs of the bundled scenarios."""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest

from opscheck.reports.page import SCHEMA
from tests.helpers import REPO, run_checks, summary_of

DAILY = str(REPO / "checks" / "daily")


@pytest.mark.parametrize(("scenario", "verdict", "failed"), [("healthy", "PASS", 0), ("partial-run", "FAIL", 1)])
def test_summary_json_validates_against_its_schema(
    pytester: pytest.Pytester, tmp_path: Path, scenario: str, verdict: str, failed: int
) -> None:
    run_checks(pytester, DAILY, "--scenario", scenario, f"--report-dir={tmp_path}")
    summary = summary_of(tmp_path)
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()),
                                                format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    validator.validate(summary)
    assert (summary["verdict"], summary["counts"]["failed"], summary["scenario"]) == (verdict, failed, scenario)
    assert summary["mode"] == "OFFLINE" and summary["exit_code"] == (1 if failed else 0)
    assert Path(summary["report"]).name == f"daily-{summary['as_of'][:10]}.html"
    failing = [c for c in summary["checks"] if c["outcome"] == "failed"]
    assert all(c["next_step"] for c in failing) and all("next:" not in c["message"] for c in failing)


def test_a_range_says_since_when_each_check_fails(pytester: pytest.Pytester, tmp_path: Path) -> None:
    """Replays the healthy backfill range with a hand-crafted failure on two of its dates."""
    import shutil

    from tests.helpers import RECORDINGS

    shutil.copytree(RECORDINGS / "healthy", tmp_path / "healthy")
    path = tmp_path / "healthy" / "bigquery.json"
    data = json.loads(path.read_text())
    for call in data["calls"]:
        if call["args"].get("query") == "predictions_by_version" and call["args"]["params"]["start"] < "2026-01-25":
            for row in call["result"]:
                if row["game_date"] in ("2026-02-04", "2026-02-06"):  # one player left, as the shape allows
                    row.update({k: min(row[k], 1) for k in ("active", "players", "calls", "graded", "decided")})
    path.write_text(json.dumps(data))
    result = run_checks(pytester, f"{DAILY}/test_predictions.py", "-k", "landed", "--recordings", str(tmp_path),
                        "--dates", "2026-02-01..2026-02-09", f"--report-dir={tmp_path / 'out'}")
    result.assert_outcomes(passed=7, failed=2)
    failed = [c for c in summary_of(tmp_path / "out")["checks"] if c["outcome"] == "failed"]
    assert [(c["params"]["day"], c["first_failed"]) for c in failed] == [("2026-02-04", "2026-02-04"),
                                                                         ("2026-02-06", "2026-02-04")]


@pytest.mark.parametrize(("argv", "code"), [
    ((DAILY,), pytest.ExitCode.OK),
    ((DAILY, "--scenario", "partial-run"), pytest.ExitCode.TESTS_FAILED),
    ((DAILY, "--scenario", "no-such-scenario"), pytest.ExitCode.USAGE_ERROR),
    ((DAILY, "--date", "2026-13-01"), pytest.ExitCode.USAGE_ERROR),
    ((str(REPO / "checks"), "-m", "daily and deploy"), pytest.ExitCode.NO_TESTS_COLLECTED),
])
def test_exit_codes_of_the_checks(pytester: pytest.Pytester, argv: tuple[str, ...], code: pytest.ExitCode) -> None:
    """0 all passed, 1 a check failed, 4 opscheck could not start, 5 nothing collected (README)."""
    assert run_checks(pytester, *argv).ret == code


@pytest.mark.usefixtures("google_credentials")
def test_exit_code_when_credentials_are_missing(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "gone.json"))
    result = run_checks(pytester, DAILY, "--mode", "live")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: opscheck: $GOOGLE_APPLICATION_CREDENTIALS names *gone.json, which does not "
                                 "exist*application-default login*"])


@pytest.mark.parametrize(("argv", "code"), [
    (("registry", "sync"), 0), (("registry", "sync", "--scenario", "registry-drift"), 1),
    (("registry", "guard", "--start", "2025-11-02", "--end", "2026-01-08"), 1),
    (("registry", "name", "--start", "x", "--end", "2026-01-08"), 2), (("doctor",), 2),
    (("diagnose", "stall", "--scenario", "nope"), 2),
])
def test_exit_codes_of_the_commands(argv: tuple[str, ...], code: int) -> None:
    """0 ok, 1 drift or a refusal, 2 opscheck could not run (README)."""
    done = subprocess.run([str(REPO / ".venv" / "bin" / "opscheck"), *argv], cwd=REPO, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == code, done.stdout + done.stderr


def test_allure_results_carry_evidence_as_tables_and_the_next_step(
    pytester: pytest.Pytester, tmp_path: Path, allure_cli: Path
) -> None:
    results, site = tmp_path / "allure-results", tmp_path / "allure-report"
    run_checks(pytester, DAILY, "--scenario", "subsets-missing", f"--alluredir={results}")
    done = subprocess.run([str(allure_cli), "generate", str(results), "-o", str(site), "--clean"],
                          capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0 and "ERROR" not in done.stdout + done.stderr, done.stdout + done.stderr
    attachments = [p.read_text(errors="replace") for p in (site / "data" / "attachments").iterdir()]
    assert any("<table>" in a and "subset_name" in a and "2026-02-01" in a for a in attachments)
    cases = [json.loads(p.read_text()) for p in (site / "data" / "test-cases").glob("*.json")]
    failed = next(c for c in cases if c["name"].startswith("test_subsets_materialized"))
    assert failed["status"] == "failed"
    assert "Next: opscheck backfill subsets --dates 2026-02-01..2026-02-08 --apply (POST /materialize" in \
        failed["description"]


def _card_sql(page: str, check: str) -> list[str]:
    """The named queries listed on `check`'s card of the on-call page."""
    card = re.search(rf'<article class="check [a-z ]+"><h3>{check}\[.*?</article>', page, re.DOTALL)
    assert card is not None, f"no card for {check}"
    return sorted(re.findall(r"-- (\w+)\.sql ", html.unescape(card.group(0))))


@pytest.mark.parametrize("jobs", [(), ("-n", "2")], ids=["serial", "two-workers"])
def test_a_failing_card_lists_exactly_the_queries_its_check_read(pytester: pytest.Pytester, tmp_path: Path,
                                                                 jobs: tuple[str, ...]) -> None:
    """Not every query of the views it was given: on-call reruns what the card lists (issue 19).

    The prefetch fills the predictions view before the check runs; the card still lists what the
    check's own calls reached, and not prediction_problems.sql, which only the row checks read.
    """
    result = run_checks(pytester, str(REPO / "checks" / "daily"), "--scenario", "partial-run",
                        f"--report-dir={tmp_path}", *jobs)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    page = next(tmp_path.glob("*.html")).read_text()
    assert _card_sql(page, "test_predictions_landed") == ["expected_predictions", "predictions_by_version"]
