"""Every service serves the expected commit, and its last rollout took (incident 8)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from opscheck.config import Config
from opscheck.errors import NotFoundError
from opscheck.reports.evidence import Evidence
from opscheck.views.expected_commit import ExpectedCommit, same_commit
from opscheck.views.services import Services, nothing_serves

pytestmark = pytest.mark.deploy


def test_services_run_expected_commit(services: Services, expected_commit: ExpectedCommit, as_of: dt.datetime,
                                      opscheck_config: Config, evidence: Evidence) -> None:
    resolved = expected_commit.resolved
    if resolved is None:
        pytest.skip("no expected commit: pass --expect-commit SHA, set OPSCHECK_COMMIT or "
                    "services.expected_commit, or give --platform-repo PATH (its HEAD is expected)")
    commit, source = resolved
    rows: list[dict[str, Any]] = []
    stale: list[str] = []
    for name in opscheck_config.services.all:
        try:
            described = services.describe(name)
        except NotFoundError as exc:
            rows.append({"service": name, "revision": None, "percent": None, "commit": None, "age_days": str(exc)})
            stale.append(f"{name}: not found")
            continue
        if not described["serving"]:
            rows.append({"service": name, "revision": None, "percent": None, "commit": None,
                         "age_days": "no revision serves traffic"})
            stale.append(f"{name}: no revision serves traffic")
        for revision in described["serving"]:
            created = revision["created"]
            age = (as_of - dt.datetime.fromisoformat(created)).days if created else None
            rows.append({"service": name, "revision": revision["revision"], "percent": revision["percent"],
                         "commit": revision["commit_sha"], "from": revision["commit_source"],
                         "created": created, "age_days": age})
            if not same_commit(revision["commit_sha"], commit):
                stale.append(f"{name} serves {str(revision['commit_sha'] or 'an unlabelled build')[:12]} "
                             f"(revision {revision['revision']}, {revision['percent']}% of traffic, "
                             f"{age if age is not None else '?'} days old)")
    evidence.table(f"serving revisions (expected {commit[:12]}, from {source})", rows)
    assert not stale, (
        f"{len(stale)} serving revision(s) behind {commit[:12]} ({source}): " + "; ".join(stale)
        + "; next: redeploy them from that commit (Cloud Build), then run the gate again"
    )


def test_latest_revisions_ready(services: Services, opscheck_config: Config, evidence: Evidence) -> None:
    """A rollout whose new revision never became ready leaves the old one serving, silently."""
    rows = [services.describe(name) for name in opscheck_config.services.all]
    evidence.table("latest created revision of each service", [
        {"service": r["name"], "serving": r["revision"], "latest_created": r["latest_created_revision"],
         "ready": r["latest_created_ready"], "problem": r["latest_created_problem"]} for r in rows])
    idle = [r["name"] for r in rows if not r["serving"]]
    assert not idle, "; ".join(nothing_serves(opscheck_config, name) for name in idle)
    failed = [r for r in rows if not r["latest_created_ready"]]
    assert not failed, (
        "; ".join(f"{r['name']}: its latest revision {r['latest_created_revision']} never became ready "
                  f"({r['latest_created_problem']}), {r['revision']} still serves" for r in failed)
        + "; next: gcloud run revisions describe REVISION (and its logs), fix, redeploy"
    )
