"""Every service runs the expected commit: no stale revision serves (incident 8)."""

from __future__ import annotations

import datetime as dt

import pytest

from opscheck.config import Config
from opscheck.errors import NotFoundError
from opscheck.evidence import Evidence
from opscheck.resources.services import ExpectedCommit, Services, same_commit

pytestmark = pytest.mark.deploy


def test_services_run_expected_commit(services: Services, expected_commit: ExpectedCommit, as_of: dt.datetime,
                                      opscheck_config: Config, evidence: Evidence) -> None:
    resolved = expected_commit.resolved
    if resolved is None:
        pytest.skip("no expected commit: pass --expect-commit SHA, set OPSCHECK_COMMIT or "
                    "services.expected_commit, or give --platform-repo PATH (its HEAD is expected)")
    commit, source = resolved
    rows, stale = [], []
    for name in opscheck_config.services.all:
        try:
            described = services.describe(name)
        except NotFoundError as exc:
            rows.append({"service": name, "commit": None, "revision": None, "age": str(exc)})
            stale.append(f"{name}: not found")
            continue
        created = described["revision_created"]
        age = (as_of - dt.datetime.fromisoformat(created)).days if created else None
        row = {"service": name, "commit": described["commit_sha"], "revision": described["latest_ready_revision"],
               "revision_created": created, "age_days": age}
        rows.append(row)
        if not same_commit(described["commit_sha"], commit):
            stale.append(f"{name} runs {str(described['commit_sha'] or 'an unlabelled build')[:12]} "
                         f"(revision {row['revision']}, {age if age is not None else '?'} days old)")
    evidence.table(f"serving revisions (expected {commit[:12]}, from {source})", rows)
    assert not stale, (
        f"{len(stale)} service(s) behind {commit[:12]} ({source}): " + "; ".join(stale)
        + "; next: redeploy them from that commit (Cloud Build), then run the gate again"
    )
