"""The Cloud Scheduler job that starts the morning run (`/start` on the coordinator at 07:00)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from opscheck.platform.scheduler import JobInfo
from opscheck.views.base import Context, View, Warmer, once


class MorningJob(View):
    """The morning job as the Scheduler API reports it: its state, its last attempt and what that got back."""

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.name = self._platform.config.services.morning_job

    @once
    def job(self) -> JobInfo:
        return self._platform.scheduler.job(self.name)

    @property
    def status_name(self) -> str:
        """The last attempt's google.rpc.Code by name (INTERNAL for a target that answered 500)."""
        from google.rpc import code_pb2

        code = self.job["status_code"]
        try:
            return str(code_pb2.Code.Name(code))
        except ValueError:
            return f"code {code}"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The job's own time zone: its schedule, and which day an attempt belongs to."""
        return zoneinfo.ZoneInfo(self.job["time_zone"])

    @property
    def last_attempt(self) -> dt.datetime | None:
        """When it last fired, in its own zone (Scheduler keeps only the last attempt); None: it never ran."""
        last = self.job["last_attempt_time"]
        return dt.datetime.fromisoformat(last).astimezone(self.zone) if last else None

    def fired_on(self, day: dt.date) -> bool:
        """Its last attempt was on `day` in its own zone (the check, the morning diagnosis and the error-log window
        all ask this one question)."""
        return self.last_attempt is not None and self.last_attempt.date() == day

    def warmers(self) -> list[Warmer]:
        return [lambda: self.job]
