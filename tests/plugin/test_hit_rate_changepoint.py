"""The hit-rate check names the day a crash began; the old rolling rule stays available to compare."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import REPO, run_checks

GRADING = str(REPO / "checks" / "daily" / "test_grading.py")


def test_a_crash_is_named_with_its_first_day(pytester: pytest.Pytester) -> None:
    result = run_checks(pytester, GRADING, "--scenario", "hit-rate-crash", "-k", "hit_rate")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*hit rate dropped from 2026-02-02 on: * graded picks (5*%), * points below its registry 70.4%; "
        "how sure: the change-point statistic is *, over its line *"])


def test_the_rolling_rule_is_a_setting_away(pytester: pytest.Pytester, tmp_path: Path) -> None:
    config = tmp_path / "opscheck.toml"
    config.write_text((REPO / "opscheck.toml").read_text().replace('hit_rate_rule = "changepoint"',
                                                                   'hit_rate_rule = "rolling"'))
    result = run_checks(pytester, GRADING, "--scenario", "hit-rate-crash", "-k", "hit_rate",
                        "--opscheck-config", str(config))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*graded picks over 7 days, below 60.4% (registry 70.4% - 10%, floor 55%)*"])
