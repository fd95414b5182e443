"""Why there are no predictions this morning: the run's causes in order, most likely first.

The morning run is a chain (PLATFORM.md): Cloud Scheduler fires `/start` at 07:00, the coordinator
reads the day's prop lines and fans a batch out, workers write rows and report back. "No
predictions" looks the same at the end of the chain wherever it broke; this walks it from the
start, each link read once: the job (paused, never fired, fired into an error), the lines it needs,
then the coordinator's tracker (no batch for the day: it lost it; a batch that stopped: the stall
diagnosis takes over). Whether or not the rows landed, two upstream signs are read too: more errors
logged than usual (requests that failed and were retried), and a build of the expected commit that
failed (the fix everyone thinks is live is not). Likelihoods rank, as the stall diagnosis' do: a
paused job explains an empty day on its own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from opscheck.delivery import diagnosis
from opscheck.delivery.diagnosis import Finding
from opscheck.errors import GatewayError
from opscheck.platform import Platform
from opscheck.views import Coordinator, Predictions, Services, Views
from opscheck.views.builds import Builds, still_serves
from opscheck.views.error_logs import ErrorLogs
from opscheck.views.morning_job import MorningJob


@dataclasses.dataclass
class Morning:
    """The views the morning diagnosis reads (the session's own, so nothing is read twice)."""

    platform: Platform
    predictions: Predictions
    job: MorningJob
    coordinator: Coordinator
    error_logs: ErrorLogs
    builds: Builds
    services: Services
    now: dt.datetime = dataclasses.field(kw_only=True)  # the session's as-of: a replay judges as the recording did

    @classmethod
    def of(cls, platform: Platform, views: Views, now: dt.datetime) -> Morning:
        return cls(platform, views.get(Predictions), views.get(MorningJob), views.get(Coordinator),
                   views.get(ErrorLogs), views.get(Builds), views.get(Services), now=now)


def diagnose(m: Morning, day: dt.date) -> list[Finding]:
    """Every cause the evidence supports for `day`, most likely first; [] when all is well."""
    expected = m.predictions.expected(day)
    active = m.predictions.active_players(day)
    findings: list[Finding] = []
    if expected.games and (expected.games_with_lines < expected.games or active < m.predictions.floor(day)):
        findings.extend(_lines(m, day))
        fired = _read(findings, "morning job", "fix access to Cloud Scheduler", lambda: _job(m, day, findings))
        if fired is not False:
            _read(findings, "coordinator", "fix access to the coordinator", lambda: findings.extend(
                _tracker(m, day, active)))
    _read(findings, "error logs", "fix access to Cloud Logging", lambda: findings.extend(_logs(m)))
    _read(findings, "builds", "fix access to Cloud Build", lambda: findings.extend(_builds(m)))
    return sorted(findings, key=lambda f: -f.likelihood)


def _read(findings: list[Finding], what: str, fix: str, read: Callable[[], object]) -> object:
    """Run one link's reading; one it cannot read is a lead (a finding), never a crash."""
    try:
        return read()
    except GatewayError as exc:
        findings.append(Finding(f"unreadable: {what}", 0.2, f"could not read it: {exc}", f"{fix}, then diagnose again"))
        return None


def lead(findings: list[Finding]) -> str:
    """The morning diagnosis in one sentence: the most likely cause and its fix."""
    return diagnosis.lead(findings, "no cause found: the job fired and was answered OK, the lines arrived, and the "
                                    "coordinator's batches completed")


def _rerun(m: Morning, day: dt.date) -> str:
    return f"POST /start {{\"game_date\": \"{day}\"}} on {m.platform.config.services.coordinator}"


def _job_command(m: Morning, verb: str) -> str:
    config = m.platform.config
    return (f"gcloud scheduler jobs {verb} {m.job.name} --location {config.gcp.region} "
            f"--project {config.gcp.project}")


def _lines(m: Morning, day: dt.date) -> list[Finding]:
    expected = m.predictions.expected(day)
    if expected.games_with_lines == expected.games:
        return []
    table = m.platform.config.table("prop_lines")
    none = expected.games_with_lines == 0
    return [Finding("no-prop-lines", 0.96 if none else 0.7,
                    f"{expected.games - expected.games_with_lines} of {expected.games} games on {day} have no prop "
                    f"lines in {table}: the run has {'no one' if none else 'fewer players'} to predict",
                    f"check the scrapers (and their odds API key) for {day}, then {_rerun(m, day)}",
                    dataclasses.asdict(expected) | {"game_date": day.isoformat()})]


def _job(m: Morning, day: dt.date, findings: list[Finding]) -> bool:
    """The job's part; True when it fired on `day` and the coordinator took it (the run started)."""
    job, last = m.job.job, m.job.last_attempt
    evidence = dict(job)
    if last is not None and last.date() > day:
        return True  # Scheduler keeps only the last attempt: of an earlier day's it says nothing
    if job["state"] != "ENABLED":
        findings.append(Finding("job-paused", 0.98, f"the morning job {job['name']} is {job['state']}: nothing "
                                f"called /start on {day}", f"{_job_command(m, 'resume')}, then "
                                f"{_job_command(m, 'run')}", evidence))
        return False
    if last is None or not m.job.fired_on(day):
        seen = f"its last attempt was {last:%Y-%m-%d %H:%M}" if last else "it never ran"
        findings.append(Finding("job-never-fired", 0.95, f"the morning job {job['name']} ({job['schedule']!r} "
                                f"{job['time_zone']}) did not fire on {day}: {seen}", _job_command(m, "run"),
                                evidence))
        return False
    if job["status_code"] != 0:
        try:
            _, logs = m.error_logs.since_run
        except GatewayError:  # the logs are the evidence, not the finding: the job's answer stands alone
            logs = {"filter": "", "read": 0, "truncated": False, "messages": []}
        said = [f"{x['count']}x {x['message']!r}" for x in logs["messages"]
                if x["service"] == m.platform.config.services.coordinator][:3]
        findings.append(Finding("start-failed", 0.97, f"the morning job fired at {last:%H:%M} and "
                                f"/start answered {m.job.status_name} ({job['status_message'] or 'no message'})"
                                + (f"; the coordinator logged {'; '.join(said)}" if said else ""),
                                f"gcloud run services logs read {m.platform.config.services.coordinator} "
                                f"--region {m.platform.config.gcp.region}, fix, then {_job_command(m, 'run')}",
                                {**evidence, "coordinator errors": said}))
        return False
    return True


def _tracker(m: Morning, day: dt.date, active: int) -> list[Finding]:
    batches = [b for b in m.coordinator.status() if not b.probe and b.game_date == day.isoformat()]
    due = m.predictions.expected(day).players_with_lines
    if not batches:
        return [Finding("tracker-lost", 0.85, f"the job fired and /start was answered OK, but the coordinator knows "
                        f"no batch for {day} and {active}/{due} players have a prediction: the run stopped or the "
                        "coordinator restarted, and nothing will finish it", _rerun(m, day),
                        {"active": active, "due": due})]
    running = [b for b in batches if not b.done]
    if running:
        batch = max(running, key=lambda b: b.started_at)
        suspects = diagnosis.Suspects.of(m.platform, batch.batch_id, now=m.now)
        stall = diagnosis.diagnose(suspects)
        return [Finding("stalled-batch", 0.9, f"batch {batch.batch_id} is at {batch.completed}/{batch.expected}; "
                        f"the stall diagnosis: {diagnosis.lead(stall)}",
                        stall[0].fix if stall else f"opscheck diagnose stall --batch {batch.batch_id}",
                        batch.row(m.now))]
    return [Finding("rows-missing", 0.6, f"the coordinator's batches for {day} all completed "
                    f"({', '.join(f'{b.completed}/{b.expected}' for b in batches)}), yet {active}/{due} players "
                    "have an active prediction: rows were written and later removed or superseded",
                    f"compare the predictions table with the batches' players, then {_rerun(m, day)}",
                    {"batches": [b.row(m.now) for b in batches]})]


def _logs(m: Morning) -> list[Finding]:
    start, summary = m.error_logs.since_run
    total = m.error_logs.total
    allowed = m.platform.config.thresholds.max_error_logs
    if total <= allowed:
        return []
    top = "; ".join(f"{x['count']}x {x['service']} {x['message']!r}" for x in summary["messages"][:3])
    return [Finding("errors-logged", 0.55, f"{total}{'+' if summary['truncated'] else ''} ERROR entries from "
                    f"{' and '.join(m.error_logs.services)} since {start:%H:%M} (more than {allowed}): {top}",
                    f"gcloud logging read '{summary['filter']}' --project {m.platform.config.gcp.project} --limit 50",
                    {"messages": summary["messages"][:10]})]


def _builds(m: Morning) -> list[Finding]:
    if not m.builds.of_expected:
        return []  # no expected commit, or no build of it: the deploy gate says which
    found = []
    for name in m.platform.config.services.all:
        build = m.builds.latest_for(name)
        if build is None or build["status"] == "SUCCESS":
            continue
        still = still_serves(m.services.describe(name)["serving"])
        found.append(Finding("build-failed", 0.45, f"{name}'s build of {build['commit_sha'][:12]} ended "
                             f"{build['status']}: it deployed nothing, {still}",
                             f"read its log ({build['log_url']}), fix, run the trigger again", dict(build)))
    return found
