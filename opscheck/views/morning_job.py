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

    @property
    def status_name(self) -> str:
        """The last attempt's google.rpc.Code by name (INTERNAL for a target that answered 500)."""
        from google.rpc import code_pb2

        code = self.job["status_code"]
        try:
            return str(code_pb2.Code.Name(code))
        except ValueError:
            return f"code {code}"

    def warmers(self) -> list[Warmer]:
        return [lambda: self.job]
