"""Every service serves the expected commit, was built from it, and its last rollout took (incident 8).

A failed build deploys nothing: the old revision keeps serving and the rollout looks done
(PLATFORM.md: Cloud Build). The build check says exactly that, with the build's log.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from opscheck.config import Config
from opscheck.errors import NotFoundError
from opscheck.reports.evidence import Evidence
from opscheck.views.builds import Builds, same_image, still_serves
from opscheck.views.expected_commit import NOTHING_EXPECTED, ExpectedCommit, same_commit
from opscheck.views.services import Services, nothing_serves

pytestmark = pytest.mark.deploy


def expected(expected_commit: ExpectedCommit) -> tuple[str, str]:
    """(the commit every service must run, where that came from); the check is skipped when nothing says."""
    resolved = expected_commit.resolved
    if resolved is None:
        pytest.skip(NOTHING_EXPECTED)
    return resolved


def test_services_run_expected_commit(services: Services, expected_commit: ExpectedCommit, as_of: dt.datetime,
                                      opscheck_config: Config, evidence: Evidence) -> None:
    commit, source = expected(expected_commit)
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


def test_builds_made_serving_revisions(builds: Builds, expected_commit: ExpectedCommit, services: Services,
                                       opscheck_config: Config, evidence: Evidence) -> None:
    commit, source = expected(expected_commit)
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    for name in opscheck_config.services.all:
        build = builds.latest_for(name)
        serving = services.describe(name)["serving"]
        primary = serving[0] if serving else None
        row = {"build": build["id"], "status": build["status"], "finished": build["finished"],
                 "log": build["log_url"]} if build else {"build": None}
        rows.append({"service": name, **row, "serving": primary["revision"] if primary else None,
                     "image": primary["image"] if primary else None})
        if build is None:
            problems.append(f"{name}: no build of {commit[:12]} (was it deployed by hand, or never built?)")
        elif build["status"] != "SUCCESS":
            problems.append(f"{name}: its build {build['id']} of {commit[:12]} ended {build['status']}"
                            f"{' (' + build['status_detail'] + ')' if build['status_detail'] else ''}, so it "
                            f"deployed nothing and {still_serves(serving)}; log: {build['log_url']}")
        elif primary is None or not any(same_image(r["image"], image) for r in serving for image in build["images"]):
            shown = f"{primary['revision']} runs {primary['image'] or 'no image'}" if primary else "nothing serves"
            problems.append(f"{name}: its build {build['id']} of {commit[:12]} succeeded, but {shown}, "
                            f"not the build's {', '.join(build['images']) or 'images (it pushed none)'}")
    evidence.table(f"builds of {commit[:12]} ({source}) and what serves", rows)
    assert not problems, (
        f"{len(problems)} service(s) not running their build of {commit[:12]}: " + "; ".join(problems)
        + "; next: read the build's log, fix, and run its trigger again (gcloud builds triggers run ... "
        f"--sha {commit}), then the gate again"
    )
