"""The Cloud Build builds of the commit every service must run, per service (the deploy gate)."""

from __future__ import annotations

from collections.abc import Sequence

from opscheck.platform.cloudbuild import BuildInfo
from opscheck.platform.cloudrun import RevisionInfo
from opscheck.views.base import Context, View, Warmer, once
from opscheck.views.expected_commit import ExpectedCommit


class Builds(View):
    """The expected commit's builds, newest first: did each service's build succeed, and is it what serves?"""

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self._expected = context.views.get(ExpectedCommit)

    @once
    def of_expected(self) -> list[BuildInfo] | None:
        """Every build of the expected commit (None: no commit is expected, so there is nothing to look up)."""
        resolved = self._expected.resolved
        return self._platform.build.builds_of(resolved[0]) if resolved else None

    def latest_for(self, service: str) -> BuildInfo | None:
        """The newest build of the expected commit that deploys `service`, or None."""
        return next((b for b in self.of_expected or [] if b["service"] == service), None)

    def warmers(self) -> list[Warmer]:
        return [lambda: self.of_expected]


def still_serves(serving: Sequence[RevisionInfo]) -> str:
    """What keeps serving when a build deployed nothing: the revision with the most traffic, and its commit."""
    if not serving:
        return "nothing serves"
    primary = serving[0]
    return (f"revision {primary['revision']} from {str(primary['commit_sha'] or 'an unlabelled build')[:12]} "
            "still serves")


def same_image(a: str, b: str) -> bool:
    """Whether two image references name the same image, a digest (`@sha256:...`) on either side ignored."""
    return bool(a) and a.split("@", 1)[0] == b.split("@", 1)[0]
