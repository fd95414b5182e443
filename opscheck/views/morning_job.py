"""The Cloud Scheduler job that starts the morning run (`/start` on the coordinator at 07:00)."""

from __future__ import annotations

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

    def warmers(self) -> list[Warmer]:
        return [lambda: self.job]
