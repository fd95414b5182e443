"""--date/--dates: validated, one check per date, and one grouped query per check."""

from __future__ import annotations

import pytest

from tests.helpers import REPO, outcomes, run_checks

DAILY = str(REPO / "checks" / "daily")


@pytest.mark.parametrize(("args", "message"), [
    (("--date", "2026-13-01"), "ERROR: --date 2026-13-01: expected YYYY-MM-DD"),
    (("--dates", "2026-02-09..2026-02-01"), "ERROR: --dates 2026-02-09..2026-02-01: expected an ordered range A..B"),
    (("--dates", "2026-02-01"), "ERROR: --dates 2026-02-01: expected YYYY-MM-DD..YYYY-MM-DD"),
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
