"""The pytest side of opscheck's reports: what each check did, and the page and summary at the end.

Registered by the plugin. Each check's record (outcome, message and next
step, structured evidence, the SQL its own calls read) travels on pytest's own
report object, so it also reaches the controller of a pytest-xdist run; at
session end the controller writes the on-call page and summary.json
(`--report-dir`) and, on failure, notifies (`--notify`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from opscheck import history
from opscheck.config.oncall import SUITES
from opscheck.delivery import PROBE_GROUP
from opscheck.errors import CredentialsError, OpscheckError, UnresolvedHostError
from opscheck.history.incidents import Memory, give_back
from opscheck.platform.bigquery import QueryRun
from opscheck.reports import notify, trends
from opscheck.reports.charts import Chart
from opscheck.reports.evidence import Evidence
from opscheck.reports.page import CheckRecord, Run, mark_first_failures, mode_text, split_next, write
from opscheck.reports.remember import into_history
from opscheck.session import Session
from opscheck.views import Views
from opscheck.views.base import READS

EVIDENCE_KEY = pytest.StashKey[Evidence]()
SUITE_MARKS = SUITES
BYTES_OUTPUT = "opscheck_bytes_billed"  # an xdist worker's workeroutput: what its queries billed


class Reports:
    """Collects every check's record over a session, and writes the reports at its end."""

    def __init__(self, config: pytest.Config, session: Session, views: Views) -> None:
        self.config = config
        self.session = session
        self.views = views
        self.days = views.context.days
        self.records: dict[str, CheckRecord] = {}
        self.trends_named: set[str] = set()
        self.started = time.monotonic()
        self.worker_bytes = 0  # under xdist: what the workers' queries billed (each query once)

    # ---- on each check (in the process that runs it) --------------------------
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
        outcome = yield
        made: pytest.TestReport = outcome.get_result()
        if call.excinfo is not None and call.excinfo.errisinstance((CredentialsError, UnresolvedHostError)):
            item.session.shouldstop = f"opscheck: {call.excinfo.value}"  # every later call would fail the same way
        fragment: dict[str, Any] = {
            "name": getattr(item, "originalname", item.name),
            "params": {k: str(v) for k, v in getattr(getattr(item, "callspec", None), "params", {}).items()},
            "suites": sorted({m.name for m in item.iter_markers()} & set(SUITE_MARKS)),
            "trend": next((str(m.args[0]) for m in item.iter_markers("trend")), None),
        }
        if call.excinfo is not None and not made.skipped:
            fragment["message"] = _first_line(call.excinfo)
            fragment["sql"] = self._sql(item.nodeid)
        elif made.skipped and isinstance(made.longrepr, tuple):
            fragment["message"] = str(made.longrepr[2]).removeprefix("Skipped: ")
        if made.when == "teardown":  # its last phase: every query it read is known by now
            fragment["bytes_billed"] = self._billed(item.nodeid)
        collected = item.stash.get(EVIDENCE_KEY, None)
        if made.when == "call" and collected is not None and collected.items:
            fragment["evidence"] = [i.plain() for i in collected.items]
            self._into_other_reports(item, made, collected, fragment.get("message"))
        setattr(made, "opscheck", fragment)  # noqa: B010 - read back in pytest_runtest_logreport, maybe elsewhere

    def _read(self, check: str) -> list[QueryRun]:
        """The queries this check read, each once.

        Those its memos ran (directly, or through the memos they reached, even in the prefetch before
        it), and those it ran itself outside any memo: not every query of the views it was given.
        """
        memos = READS.of(check)
        seen, read = set(), []
        for run in list(self.session.platform.bigquery.ran):
            key = (run["query"], repr(run["params"]), repr(run["identifiers"]))
            mine = run["asker"] in memos if run["asker"] is not None else run["reader"] == check
            if mine and key not in seen:
                seen.add(key)
                read.append(run)
        return read

    def _sql(self, check: str) -> list[str]:
        """The named queries this check read, as SQL with their parameters."""
        return [self.session.platform.bigquery.sql(run) for run in self._read(check)]

    def _billed(self, check: str) -> int:
        return sum(run["bytes_billed"] for run in self._read(check))

    def _into_other_reports(self, item: pytest.Item, made: pytest.TestReport, collected: Evidence,
                            message: str | None) -> None:
        """The evidence in the terminal, pytest-html and Allure (as tables, with the next step)."""
        made.sections.append(("opscheck evidence", collected.text()))
        try:
            import pytest_html

            extras = getattr(made, "extras", [])
            extras += [pytest_html.extras.html(f"<h4>{i.title}</h4>{i.html()}") for i in collected.items]
            setattr(made, "extras", extras)  # noqa: B010 - pytest-html reads it
        except ImportError:  # pragma: no cover - pytest-html is a dependency
            pass
        if item.config.pluginmanager.hasplugin("allure_pytest"):
            import allure

            for shown in collected.items:
                drawn = shown.kind in ("table", "histogram")
                allure.attach(shown.html() if drawn else shown.text(), name=shown.title,
                              attachment_type=allure.attachment_type.HTML if drawn else allure.attachment_type.TEXT)
            if message:
                text, next_step = split_next(message)
                allure.dynamic.description(f"{text}\n\nNext: {next_step}" if next_step else text)  # type: ignore[no-untyped-call]

    # ---- in the process that reports (the controller under xdist) --------------
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        fragment = getattr(report, "opscheck", None)
        if fragment is None:
            return
        check_id = report.nodeid.removesuffix(f"@{PROBE_GROUP}")  # as a serial run names it
        record = self.records.setdefault(check_id, CheckRecord(check_id, fragment["name"], fragment["params"],
                                                               fragment["suites"], trend=fragment["trend"]))
        record.duration += report.duration
        if "bytes_billed" in fragment:
            record.bytes_billed = int(fragment["bytes_billed"])
        if fragment["trend"]:
            self.trends_named.add(fragment["trend"])
        record.evidence += fragment.get("evidence", [])
        if report.failed and record.outcome == "passed":
            record.outcome = "failed" if report.when == "call" else "error"
        elif report.skipped and record.outcome == "passed":
            record.outcome = "skipped"
        if "message" in fragment and not record.message:
            record.message, record.next_step = split_next(fragment["message"])
            record.sql = fragment.get("sql", [])

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """Remember the run, settle its exit code (warnings alone exit 0), write the reports, tell the news."""
        if hasattr(self.config, "workerinput"):
            self.config.workeroutput[BYTES_OUTPUT] = self._run_bytes()  # type: ignore[attr-defined]
            return  # an xdist worker: its controller reports
        folder, url = self.config.getoption("report_dir"), self.config.getoption("notify") or os.environ.get(
            notify.URL_ENV)
        if not self.records and folder is None and not url:
            return  # no check ran (opscheck's own tests): nothing to remember or report
        run = self.run(int(exitstatus))
        if run.exit_code == pytest.ExitCode.TESTS_FAILED and not run.failing() and run.warnings():
            session.exitstatus = run.exit_code = pytest.ExitCode.OK  # failures of severity warn only
        telling = bool(url) and self.session.mode != "offline"
        memory, warning = into_history(self.session, self.views, run, telling)
        lines = [warning] if warning else []
        if run.verdict == "WARN":
            lines.append(f"opscheck: {len(run.warnings())} warning(s) only (severity warn): exit 0")
        page = None
        if folder is not None:
            try:
                page_path, summary_path = write(run, Path(folder))
            except OSError as exc:  # the folder was checked at the start; a full disk is all that is left
                lines.append(f"opscheck: could not write the report to {folder} ({exc.strerror}); the run's "
                             "verdict stands")
            else:
                page = str(page_path)
                lines.append(f"opscheck: report {page_path} ({run.verdict}), summary {summary_path}")
        if url:
            lines.append(self._tell(url, run, page, memory))
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write("\n")  # not glued to the progress line (which pytest ends only at its summary)
            for line in lines:
                reporter.write_line(line)

    def _tell(self, url: str, run: Run, page: str | None, memory: Memory | None) -> str:
        if self.session.mode == "offline":  # a replay describes a recording, not the platform now
            return f"opscheck: offline replay: no notification sent to {notify.host(url)}"
        line, lost = notify.tell(url, run, page, self.session.config.endpoints.timeout_seconds,
                                 memory.notices if memory is not None else None)
        store = history.store_of(self.session)
        if lost and store is not None:
            try:
                give_back(store, lost)
            except OpscheckError as exc:
                line += f" (and history could not take the claims back: {exc})"
        return line

    def _run_bytes(self) -> int:
        return sum(run["bytes_billed"] for run in list(self.session.platform.bigquery.ran))

    def run(self, exit_code: int) -> Run:
        checks = list(self.records.values())
        mark_first_failures(checks)
        session = self.session
        facts: dict[str, Any] = {
            "mode": session.mode.upper(), "target": session.target, "project": session.config.gcp.project,
            "scenario": session.scenario.name if session.scenario else None, "environment": session.env,
            "today": session.today.isoformat(), "as_of": session.as_of.isoformat(timespec="seconds"),
            "dates": [self.days.first.isoformat(), self.days.last.isoformat()],
        }
        facts["mode_text"] = mode_text(facts)
        suite = self.suite()
        for check in checks:
            policy = session.config.policy(check.name, sorted(check.suites, key=lambda s: s != suite))
            check.severity, check.owner, check.runbook = policy.severity or "fail", policy.owner, policy.runbook
        run = Run(facts, suite, checks, exit_code, time.monotonic() - self.started)
        run.bytes_billed = self._run_bytes() + self.worker_bytes
        run.history["maintenance"] = [{"why": w.why, "start": w.start.isoformat(), "until": w.end.isoformat(),
                                       "checks": list(w.checks)} for w in session.config.maintenance
                                      if w.covers(session.as_of)]
        if self.trends_named:
            try:
                run.trends = self.trends()
            except OpscheckError as exc:
                run.trends_note = f"trends unavailable: {exc}"
        return run

    def trends(self) -> list[Chart]:
        """The trends the run's checks named, in TRENDS' order (from the views they filled: no new query)."""
        named = [draw for name, draw in trends.TRENDS.items() if name in self.trends_named]
        return [chart for draw in named for chart in draw(self.views)]

    def suite(self) -> str:
        """The run's suite: --suite, else the selected marker, else the checks folder named."""
        named: str | None = self.config.getoption("suite")
        if named:
            return named
        marks = self.config.getoption("markexpr") or ""
        if marks in SUITE_MARKS:
            return marks
        folders = {Path(arg).name for arg in self.config.args if "checks" in Path(arg).parts}
        return folders.pop() if len(folders) == 1 and folders != {"checks"} else "checks"


def short_failure(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport | None:
    """A check stopped by a deliberate opscheck error is reported as that error's line, at the check's line.

    The chain below it (client library frames, the retry that gave up) says
    nothing the message does not, and pytest takes ~0.2 s to format it: with
    a dead dependency, every check that needed it paid that. `--tb=long`
    still shows the whole chain.
    """
    excinfo = call.excinfo
    if excinfo is None or not excinfo.errisinstance(OpscheckError) or item.config.option.tbstyle == "long":
        return None
    path = getattr(item, "path", None)
    excinfo.traceback = excinfo.traceback.filter(lambda entry: entry.path == path) or excinfo.traceback[-1:]
    short = excinfo.getrepr(style="short", chain=False, truncate_locals=True)
    call.excinfo = short  # type: ignore[assignment] # pytest reports anything but an ExceptionInfo as is
    try:
        return pytest.TestReport.from_item_and_call(item, call)
    finally:
        call.excinfo = excinfo  # the hooks after this one (records, allure) read the exception itself


def _first_line(excinfo: pytest.ExceptionInfo[BaseException]) -> str:
    """The failure's own message (an assertion's text, not pytest's rewritten comparison)."""
    value = excinfo.value
    text = str(value).strip().split("\n")[0] if str(value).strip() else ""
    if isinstance(value, AssertionError | pytest.fail.Exception):
        return text or "assertion failed"
    return f"{type(value).__name__}: {text}" if text else type(value).__name__
