"""The option group, and the refusal of values that would quietly change what a run means.

Every opscheck flag is here. Values are refused in pytest_configure (hooks.py), before collection:
an empty `--expect-commit "$COMMIT_SHA"`, a report folder that cannot be written, a date that
is no date would otherwise turn a check into a skip or lose the report at the end of the run.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest

from opscheck import governance
from opscheck.config import commit_problem
from opscheck.platform.checkout import folder_problem
from opscheck.reports import notify
from opscheck.session import MODES, TARGETS
from opscheck.views.base import between
from opscheck.views.expected_commit import COMMIT_ENV


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("opscheck", "opscheck: operational validation of the platform")
    group.addoption("--mode", choices=MODES, default=None,
                    help="live, offline (replay a scenario) or record (default: opscheck.toml, "
                         "or OPSCHECK_MODE)")
    group.addoption("--target", choices=TARGETS, default=None,
                    help="where live and record calls go: gcp or the local platform (sandbox)")
    group.addoption("--scenario", default=None, help="recorded scenario (fixtures/recordings/NAME)")
    group.addoption("--recordings", default=None,
                    help="folder holding the scenarios (default: fixtures/recordings)")
    group.addoption("--env", dest="opscheck_env", default=None,
                    help="named environment of opscheck.toml ([env.NAME]) to apply")
    group.addoption("--opscheck-config", default=None,
                    help="path of opscheck.toml (default: nearest one above the rootdir)")
    group.addoption("--date", dest="opscheck_date", default=None,
                    help="validate this date (YYYY-MM-DD) instead of today")
    group.addoption("--dates", dest="opscheck_dates", default=None,
                    help="validate a range A..B (inclusive), reported per date")
    group.addoption("--allow-active", action="store_true", default=False,
                    help="let [active] probes publish or call /start on a live GCP project")
    group.addoption("--expect-commit", default=None, metavar="SHA",
                    help="the commit every service must run (else OPSCHECK_COMMIT, services.expected_commit, "
                         "or the platform checkout's HEAD)")
    group.addoption("--candidate", default=None, metavar="FILE",
                    help="a model to backtest in the deploy gate: a file under models.prefix, or a gs:// path "
                         "(default: the manifest's production model when the worker does not serve it yet)")
    group.addoption("--report-dir", default=None,
                    help="write the on-call page (<suite>-<as-of date>.html) and summary.json there")
    group.addoption("--suite", default=None, help="the suite's name in reports (default: the marker or checks folder)")
    group.addoption("--notify", default=None, metavar="URL",
                    help="post what changed (incidents new, still open, recovered) to this chat webhook "
                         f"(Slack-compatible); also ${notify.URL_ENV}")
    group.addoption("--history", default=None, metavar="PATH",
                    help="remember this run in this SQLite file instead of history.path (offline too); off: not at all")
    group.addoption("--platform-repo", default=None,
                    help="a checkout of the platform's repository (team doc; HEAD as the expected commit)")


def dates_of(value: str | None, flag: str) -> list[dt.date]:
    """The dates `--date` or `--dates` names, in order ([] when the flag was not given)."""
    if value is None:
        return []
    try:
        if flag == "--date":
            start = end = dt.date.fromisoformat(value)
            sep = ".."
        else:
            first, sep, last = value.partition("..")
            start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    except ValueError:
        shape = "YYYY-MM-DD" if flag == "--date" else "YYYY-MM-DD..YYYY-MM-DD"
        raise pytest.UsageError(f"opscheck: {flag} {value}: expected {shape}") from None
    if not sep or end < start:
        raise pytest.UsageError(f"opscheck: {flag} {value}: expected an ordered range A..B")
    problem = governance.date_problem(start) or governance.date_problem(end)
    if problem:
        raise pytest.UsageError(f"opscheck: {flag} {value}: {problem}")
    return between(start, end)


# Options whose empty value would quietly mean something else: --scenario= replayed healthy,
# --report-dir= wrote into the project root, --notify= sent nothing.
VALUED = {"scenario": "--scenario", "recordings": "--recordings", "opscheck_env": "--env",
          "opscheck_config": "--opscheck-config", "opscheck_date": "--date", "opscheck_dates": "--dates",
          "report_dir": "--report-dir", "suite": "--suite", "candidate": "--candidate", "notify": "--notify",
          "platform_repo": "--platform-repo", "history": "--history"}
PATHS = ("recordings", "opscheck_config", "report_dir", "platform_repo")
SUITE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def refuse_unusable_values(config: pytest.Config) -> None:
    """Values that would quietly turn a check into a skip, lose a report or a notification.

    `--expect-commit "$COMMIT_SHA"` in a build whose variable is unset gives an
    empty flag: the stale-services check would skip and the gate pass.
    """
    given = config.getoption("expect_commit")
    if given is not None and not given.strip():
        raise pytest.UsageError("opscheck: --expect-commit is empty: give the commit every service must run "
                                "(in a pipeline: is $COMMIT_SHA or $GITHUB_SHA set?)")
    for dest, flag in VALUED.items():
        value = config.getoption(dest)
        if value is not None and not str(value).strip():
            raise pytest.UsageError(f"opscheck: {flag} is empty: give a value, or leave the option out "
                                    "(in a pipeline: is its variable set?)")
    for dest in PATHS:
        if config.getoption(dest) is not None:
            setattr(config.option, dest, Path(config.getoption(dest)))
    suite = config.getoption("suite")
    if suite is not None and (not SUITE_NAME.match(suite) or ".." in suite):
        raise pytest.UsageError(f"opscheck: --suite {suite!r}: must be a plain name (letters, digits, . _ -; "
                                "no / or ..): it names the report page inside --report-dir")
    for value, source in ((given, "--expect-commit"), (os.environ.get(COMMIT_ENV), f"${COMMIT_ENV}")):
        problem = commit_problem((value or "").strip())
        if problem:
            raise pytest.UsageError(f"opscheck: {source} {value!r}: expected {problem}")
    repo = config.getoption("platform_repo")
    problem = folder_problem(repo) if repo is not None else None
    if problem:
        raise pytest.UsageError(f"opscheck: --platform-repo {repo}: {problem}")
    folder = config.getoption("report_dir")
    if folder is not None:  # made now: a report that cannot be written must not cost the run at its end
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise pytest.UsageError(f"opscheck: --report-dir {folder}: cannot make it a folder ({exc.strerror}); "
                                    "give a writable folder") from None
        if not os.access(folder, os.W_OK):
            raise pytest.UsageError(f"opscheck: --report-dir {folder}: not writable; give a writable folder")
    urls = ((config.getoption("notify"), "--notify"), (os.environ.get(notify.URL_ENV), f"${notify.URL_ENV}"))
    for url, source in urls:
        problem = notify.problem(url) if url else None
        if problem:
            raise pytest.UsageError(f"opscheck: {source}: {problem}")
