"""The coordinator's and worker's ERROR-or-worse log entries since this morning's run started."""

from __future__ import annotations

import datetime as dt

from opscheck.platform.cloudlogging import ErrorSummary
from opscheck.views.base import Context, View, Warmer, once
from opscheck.views.morning_job import MorningJob


class ErrorLogs(View):
    """One bounded read of the morning's error entries, summarised by distinct message."""

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self._job = context.views.get(MorningJob)
        config = self._platform.config
        self.services = [config.services.coordinator, config.services.worker]

    @once
    def since_run(self) -> tuple[dt.datetime, ErrorSummary]:
        """(when the window starts, the summary of [start, the end of today)).

        The window starts when today's run was started: the morning job's last attempt when it fired
        today, else the start of today in the job's time zone (a run that never fired still leaves
        whatever the services logged today). It ends with today, not at "now": the same day asks the
        same question, so a recording answers it.
        """
        today, zone, last = self._days.last, self._job.zone, self._job.last_attempt
        start = last if last is not None and self._job.fired_on(today) else dt.datetime.combine(today, dt.time(0), zone)
        end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0), zone)
        return start, self._platform.logging.errors(self.services, start, end)

    @property
    def total(self) -> int:
        """Entries read since the run started (at least this many when the read was cut at its bound)."""
        return sum(m["count"] for m in self.since_run[1]["messages"])

    def warmers(self) -> list[Warmer]:
        return [lambda: self.since_run]
