"""The commit every service must run (the deploy gate), and where that requirement came from."""

from __future__ import annotations

import os

from opscheck.config import commit_problem
from opscheck.errors import DataError, NotFoundError
from opscheck.views.base import Context, View, Warmer, once

COMMIT_ENV = "OPSCHECK_COMMIT"
NOTHING_EXPECTED = ("no expected commit: pass --expect-commit SHA, set OPSCHECK_COMMIT or services.expected_commit, "
                    "or give --platform-repo PATH (its HEAD is expected)")
"""Why a check of the expected commit is skipped when nothing says which commit that is."""


class ExpectedCommit(View):
    """The commit every service must run, and where that requirement came from.

    In order: `--expect-commit`, $OPSCHECK_COMMIT, `services.expected_commit`,
    else the HEAD of the platform checkout (`--platform-repo`, `[repo] path`),
    read through the checkout gateway so a recording replays it. None: nothing
    says which commit is expected.
    """

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self._given = [(context.expect_commit, "--expect-commit"), (os.environ.get(COMMIT_ENV), COMMIT_ENV),
                       (self._platform.config.services.expected_commit, "services.expected_commit")]

    @once
    def resolved(self) -> tuple[str, str] | None:
        """(commit, where it came from), or None."""
        for value, source in self._given:
            if value:
                return value.strip(), source
        try:
            head = self._platform.checkout.head().strip()
        except NotFoundError:
            return None
        problem = commit_problem(head) if head else "a commit, not nothing"
        if problem:
            raise DataError(f"the platform checkout's HEAD is {head!r}, not {problem}: the commit every service must "
                            "run cannot be known; next: give --expect-commit SHA, or a working checkout")
        return head, "HEAD of the platform checkout"

    def warmers(self) -> list[Warmer]:
        return [lambda: self.resolved]


def same_commit(a: str | None, b: str) -> bool:
    """Whether two commit ids name the same commit (either may be abbreviated, 7+ hex digits)."""
    if not a or min(len(a), len(b)) < 7:
        return False
    short = min(len(a), len(b))
    return a[:short].lower() == b[:short].lower()
