"""Cloud Build gateway: the builds of one commit, as the Cloud Build API lists them.

A build that failed leaves the previous revision serving: the deploy looks done and is not. The
builds of a commit are found with one `ListBuilds` whose filter names the commit
(`substitutions.COMMIT_SHA`: "the commit ID associated with your build", set for builds a trigger
starts, https://cloud.google.com/build/docs/configuring-builds/substitute-variable-values; a list is
filtered on a build's fields, https://cloud.google.com/build/docs/view-build-results). Each build says
which service it deploys in `_SERVICE_NAME` (Cloud Run's continuous deployment sets it) or, failing
that, a tag naming the service. REST transport, so the endpoint can be a stand-in.
"""

from __future__ import annotations

import functools
import itertools
from typing import Any, TypedDict

from opscheck.config import Config
from opscheck.platform import auth
from opscheck.platform.channel import Channel, ErrorTranslator, bounded_retry
from opscheck.platform.shapes import Timestamp, utc_timestamp

SERVICE_SUBSTITUTION = "_SERVICE_NAME"
MAX_BUILDS = 50  # one page: a commit is built a handful of times (a service each, a retry or two)


class BuildInfo(TypedDict):
    id: str
    service: str | None  # which service the build deploys; None when nothing in the build says
    status: str  # SUCCESS | FAILURE | INTERNAL_ERROR | TIMEOUT | CANCELLED | EXPIRED | QUEUED | WORKING | ...
    status_detail: str
    commit_sha: str
    images: list[str]  # the images it pushed (results), else those it was asked to push
    created: Timestamp | None
    started: Timestamp | None
    finished: Timestamp | None
    log_url: str


class CloudBuild:
    """Lists the platform's builds."""

    def __init__(self, config: Config, channel: Channel) -> None:
        self._config = config
        self._channel = channel
        self._errors = ErrorTranslator("build", config)

    @functools.cached_property
    def _client(self) -> Any:
        from google.cloud.devtools import cloudbuild_v1

        endpoint = self._config.endpoints.build
        return cloudbuild_v1.CloudBuildClient(
            credentials=auth.credentials(self._config), transport="rest",
            client_options={"api_endpoint": endpoint} if endpoint else None)

    def builds_of(self, commit: str) -> list[BuildInfo]:
        """Every build of `commit` (at most MAX_BUILDS, newest first), whichever service it deploys."""
        found: list[BuildInfo] = self._channel.call("build", "builds_of", {"commit": commit},
                                                    lambda: self._builds_of(commit), shape=list[BuildInfo])
        return found

    def _builds_of(self, commit: str) -> list[BuildInfo]:
        parent = f"projects/{self._config.gcp.project}/locations/{self._config.gcp.build_location}"
        timeout = self._config.endpoints.timeout_seconds
        request = {"parent": parent, "filter": f'substitutions.COMMIT_SHA="{commit}"', "page_size": MAX_BUILDS}
        with self._errors(f"Cloud Build builds of commit {commit[:12]}"):
            pager = self._client.list_builds(request=request, timeout=timeout, retry=bounded_retry(timeout))
            builds = [_build(b) for b in itertools.islice(pager, MAX_BUILDS)]  # never a second page
        return sorted(builds, key=lambda b: b["created"] or "", reverse=True)


def _build(build: Any) -> BuildInfo:
    substitutions = dict(build.substitutions)
    tags = list(build.tags)
    service = substitutions.get(SERVICE_SUBSTITUTION) or next(
        (t for t in tags if not t.startswith("gcp-cloud-build-deploy") and not t.startswith("trigger-")), None)
    pushed = [image.name for image in build.results.images] if build.results else []
    return {
        "id": build.id,
        "service": service,
        "status": build.status.name,
        "status_detail": build.status_detail,
        "commit_sha": substitutions.get("COMMIT_SHA", ""),
        "images": pushed or list(build.images),
        "created": utc_timestamp(build.create_time),
        "started": utc_timestamp(build.start_time),
        "finished": utc_timestamp(build.finish_time),
        "log_url": build.log_url,
    }
