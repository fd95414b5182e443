"""The coordinator and worker logged no more errors than usual since the morning run started.

"No error logs in the coordinator or worker" was the key fact of the backfill investigation, read by
hand; rows can all land while a share of requests fail and are retried (PLATFORM.md: Cloud Logging).
"""

from __future__ import annotations

import pytest

from opscheck.config import Config
from opscheck.reports.evidence import Evidence
from opscheck.views.error_logs import ErrorLogs

pytestmark = pytest.mark.daily
TOP = 5


def test_error_logs_quiet(error_logs: ErrorLogs, opscheck_config: Config, evidence: Evidence) -> None:
    """At most `thresholds.max_error_logs` ERROR-or-worse entries; the top messages, counts, first times shown."""
    start, summary = error_logs.since_run
    evidence.table(f"ERROR-or-worse entries since {start.isoformat(timespec='minutes')}, by message",
                   summary["messages"][:20])
    evidence.note("Logging filter", summary["filter"])
    allowed = opscheck_config.thresholds.max_error_logs
    total = error_logs.total
    counted = f"at least {total} (the first {summary['read']} read)" if summary["truncated"] else str(total)
    top = "; ".join(f"{m['count']}x {m['service']} {m['severity']} {m['message']!r} (first {m['first'][11:19]})"
                    for m in summary["messages"][:TOP])
    services = " and ".join(error_logs.services)
    assert total <= allowed, (
        f"{counted} ERROR-or-worse log entries from {services} since {start.isoformat(timespec='minutes')}, "
        f"more than {allowed} (thresholds.max_error_logs): {top}; next: gcloud logging read "
        f"'{summary['filter']}' --project {opscheck_config.gcp.project} --limit 50"
    )
