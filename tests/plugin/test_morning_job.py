"""The morning job's check on hand-edited answers of `healthy`: each way the job can fail the run, and "not yet"."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO, edited_scenario, run_checks

CHECK = str(REPO / "checks" / "daily" / "test_morning_job.py")
YESTERDAY_07 = "2026-02-08T12:00:00+00:00"  # 07:00 New York; the scenario's as-of is 07:30 on 2026-02-09


def job(**values: Any) -> Callable[[dict[str, Any]], None]:
    def edit(call: dict[str, Any]) -> None:
        if call["operation"] == "job":
            call["result"].update(values)
    return edit


@pytest.mark.parametrize(("edit", "line"), [
    (job(status_code=13, status_message="HTTP 500"),
     "*the morning job fired at 07:00 America/New_York and http://127.0.0.1:*/start answered INTERNAL (HTTP 500)*"),
    (job(last_attempt_time=YESTERDAY_07, schedule_time="2026-02-09T12:00:00+00:00"),
     "*did not fire on 2026-02-09: its last attempt was 2026-02-08 07:00; next: gcloud scheduler jobs run*"),
    (job(last_attempt_time=None), "*did not fire on 2026-02-09: it never ran; next: gcloud scheduler jobs run*"),
    (job(state="PAUSED"), "*the morning job morning-predictions is PAUSED*next: gcloud scheduler jobs resume*"),
], ids=["fired-into-500", "missed-its-time", "never-ran", "paused"])
def test_each_way_the_job_fails_the_run_is_named(pytester: pytest.Pytester, tmp_path: Path,
                                                 edit: Callable[[dict[str, Any]], None], line: str) -> None:
    result = run_checks(pytester, CHECK, "--recordings", str(edited_scenario(tmp_path, "scheduler", edit)))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([line])


def test_before_its_time_the_job_is_not_judged(pytester: pytest.Pytester, tmp_path: Path) -> None:
    """At 07:30 a job scheduled for noon has not fired yet: nothing is due, which is a skip, never a pass."""
    edit = job(last_attempt_time=YESTERDAY_07, schedule_time="2026-02-09T17:00:00+00:00")
    result = run_checks(pytester, CHECK, "--recordings", str(edited_scenario(tmp_path, "scheduler", edit)), "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*the morning job is not due yet: it fires at 12:00 America/New_York today*"])
