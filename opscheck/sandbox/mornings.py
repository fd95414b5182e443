"""The local platform lives another day: its clock a day on, the night's work done, the morning run made.

So a test can watch a week of mornings (opscheck/history: streaks, reminders, recoveries) on the real
path: every service restarts on the new clock (as a new day's revisions would stamp rows with it), the
scrapers fetch the day's prop lines and refresh the schedule, grading scores yesterday from its box
scores, and Cloud Scheduler's morning job fires /start, whose batch goes through Pub/Sub to the worker.
What a fault did stays done: a stopped service stays stopped, dead letters stay in their queue.
Faults written against season.TODAY's rows (most of faults/predictions.py) belong to the first day.
"""

from __future__ import annotations

import datetime as dt

from opscheck.sandbox import schema, season, seed
from opscheck.sandbox.lifecycle import Sandbox
from opscheck.sandbox.processes import SandboxError
from opscheck.sandbox.state import CLOUD_API, SERVICES


def next_morning(p: Sandbox) -> dt.date:
    """Move the platform to the next morning and run it; returns the new day."""
    yesterday = p.today
    if yesterday >= season.SCHEDULE_END:
        raise SandboxError(f"the seeded schedule ends on {season.SCHEDULE_END}: no morning after it")
    day = p.turn_day()
    alive = {name for name, info in p.status().items() if info["alive"]}
    p.restart_services([name for name in (CLOUD_API, *SERVICES) if name in alive])  # a stopped one stays down
    now = p.now().isoformat()
    lines, features = seed.day_rows(p.seed_number, day, now)
    p.load_rows(schema.PROP_LINES, lines)
    p.load_rows(schema.FEATURES, features)
    p.load_rows(schema.BOXSCORES, seed.boxscore_rows(p.seed_number, yesterday))
    job = p.bigquery().query(f"UPDATE {schema.SCHEDULE} SET updated_at = TIMESTAMP '{now}' "
                             f"WHERE game_date >= DATE '{season.SEASON_START}'")
    job.result(timeout=60)  # the scrapers' morning refresh of the schedule
    p.call("grading", "/grade", {"start_date": yesterday.isoformat(), "end_date": yesterday.isoformat()})
    p.morning_run(day)
    p.write_target()
    return day
