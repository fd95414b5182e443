"""--date/--dates: validated, one check per date, and one grouped query per check."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import REPO, outcomes, run_checks

DAILY = str(REPO / "checks" / "daily")


@pytest.mark.parametrize(("args", "message"), [
    (("--date", "2026-13-01"), "ERROR: opscheck: --date 2026-13-01: expected YYYY-MM-DD"),
    (("--dates", "2026-02-09..2026-02-01"),
     "ERROR: opscheck: --dates 2026-02-09..2026-02-01: expected an ordered range A..B"),
    (("--dates", "2026-02-01"), "ERROR: opscheck: --dates 2026-02-01: expected YYYY-MM-DD..YYYY-MM-DD"),
    # Year 1 overflowed the look-back arithmetic: 491 lines of OverflowError and exit 1 (issue 18).
    (("--date", "0001-01-01"), "ERROR: opscheck: --date 0001-01-01: 0001-01-01 is outside 2000-2099: a typo in "
                               "the year?"),
    (("--dates", "0001-01-01..2026-02-01"), "ERROR: opscheck: --dates 0001-01-01..2026-02-01: 0001-01-01 is "
                                            "outside 2000-2099*"),
])
def test_bad_dates_stop_the_run(pytester: pytest.Pytester, args: tuple[str, ...], message: str) -> None:
    result = run_checks(pytester, DAILY, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_dates_run_each_dated_check_per_date_offline(pytester: pytest.Pytester) -> None:
    """The healthy scenario holds the range's grouped queries only (plus today's): a check
    that queried date by date would find no recording for Feb 1-8 and fail."""
    result = run_checks(pytester, DAILY, "--dates", "2026-02-01..2026-02-09", "-rA")
    got = outcomes(result)
    landed = sorted(k.split("::")[-1] for k in got if "test_predictions_landed" in k)
    assert landed == [f"test_predictions_landed[2026-02-0{d}]" for d in range(1, 10)]
    undated = [k for k in got if "test_service_healthy" in k]
    assert len(undated) == 5  # once per service, not per date
    assert "FAILED" not in got.values()


@pytest.mark.parametrize("flag", ["--scenario=", "--report-dir=", "--notify=", "--env=", "--recordings=",
                                  "--suite=", "--opscheck-config=", "--date="])
def test_an_empty_value_is_refused_not_defaulted(pytester: pytest.Pytester, flag: str) -> None:
    """`--scenario=` used to replay healthy, `--report-dir=` to write into the project root, `--notify=` to send
    nothing: an unset pipeline variable must stop the run, not change what it does."""
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--rootdir", str(REPO), "-c",
                                           str(REPO / "pyproject.toml"), DAILY, flag)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: opscheck: {flag.rstrip('=')} is empty: give a value, or leave the "
                                 "option out*"])


@pytest.mark.parametrize("suite", ["../../../../tmp/x", "a/b", "..", ".hidden"])
def test_a_suite_that_is_not_a_plain_name_is_refused(pytester: pytest.Pytester, tmp_path: Path, suite: str) -> None:
    """`--suite=../../tmp/x` wrote the page outside the report folder; `a/b` lost it at the end."""
    result = run_checks(pytester, DAILY, f"--suite={suite}", f"--report-dir={tmp_path / 'out'}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: opscheck: --suite {suite!r}: must be a plain name*"])
    assert not list(tmp_path.rglob("*.html"))
