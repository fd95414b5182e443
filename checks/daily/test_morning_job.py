"""The morning job fired today, after its time, and the coordinator took it (PLATFORM.md: Cloud Scheduler).

A run that never fired looks like "no predictions" downstream: this says whether the job was
paused, never fired, or fired into an error, before anyone reads the coordinator's tracker.
"""

from __future__ import annotations

import datetime as dt

import pytest

from opscheck.config import Config
from opscheck.reports.evidence import Evidence
from opscheck.views.morning_job import MorningJob

pytestmark = pytest.mark.daily


def test_morning_job_fired(morning_job: MorningJob, today: dt.date, as_of: dt.datetime, opscheck_config: Config,
                           evidence: Evidence) -> None:
    """Fired on the platform's today (in the job's own time zone), and the coordinator answered it OK."""
    job = morning_job.job
    evidence.json(f"Cloud Scheduler job {job['name']}", dict(job))
    where = f"--location {opscheck_config.gcp.region} --project {opscheck_config.gcp.project}"
    run_now = f"gcloud scheduler jobs run {job['name']} {where}"
    assert job["state"] == "ENABLED", (
        f"the morning job {job['name']} is {job['state']}: it will not start the run; "
        f"next: gcloud scheduler jobs resume {job['name']} {where}, then {run_now}"
    )
    zone, last = morning_job.zone, morning_job.last_attempt
    upcoming = dt.datetime.fromisoformat(job["schedule_time"]) if job["schedule_time"] else None
    if last is None or last.date() < today:
        if upcoming is not None and upcoming.astimezone(zone).date() == today and upcoming > as_of:
            pytest.skip(f"the morning job is not due yet: it fires at {upcoming.astimezone(zone):%H:%M} "
                        f"{job['time_zone']} today (schedule {job['schedule']!r})")
        seen = f"its last attempt was {last:%Y-%m-%d %H:%M}" if last else "it never ran"
        pytest.fail(f"the morning job {job['name']} ({job['schedule']!r} {job['time_zone']}) did not fire on {today}: "
                    f"{seen}; next: {run_now}", pytrace=False)
    code = job["status_code"]
    assert code == 0, (
        f"the morning job fired at {last:%H:%M} {job['time_zone']} and {job['target']} answered "
        f"{morning_job.status_name} ({job['status_message'] or 'no message'}): the run did not start; next: gcloud run "
        f"services logs read {opscheck_config.services.coordinator} {where.replace('--location', '--region')}, "
        f"then {run_now}"
    )

