"""`--notify URL`: tell a chat webhook what changed: incidents new in this run, still open, recovered.

Slack-compatible JSON (`{"text": ...}`, with the incidents also as data under "opscheck"), one message
per kind of news in a run, each tried twice with a timeout; a dead or hanging webhook is reported in one
line and never changes the run's exit code (the claims go back to history, so the next run tells them).
What is news is decided from history (opscheck/history/incidents.py); when history cannot be read, every
failure is told, as a run without memory must. The URL may come from OPSCHECK_NOTIFY_URL so it stays
out of command lines and logs; only its host is ever printed.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from typing import Any

from opscheck.history.incidents import Notice
from opscheck.reports.page import Run

URL_ENV = "OPSCHECK_NOTIFY_URL"
ATTEMPTS = 2
_SHOWN = 8
HEADINGS = {"new": "started failing", "reminder": "still failing", "resolved": "recovered"}


def _header(run: Run, what: str) -> str:
    return f"*opscheck {run.suite}: {what}* · {run.facts['mode_text']} · as of {str(run.facts['as_of'])[:16]}"


def message(run: Run, kind: str, notices: Sequence[Notice], page: str | None) -> dict[str, Any]:
    """One kind of news: the incidents, each with its severity, first line, owner and runbook."""
    lines = [_header(run, f"{len(notices)} {HEADINGS[kind]}")]
    for notice in notices[:_SHOWN]:
        r = notice.result
        if kind == "resolved":
            lines.append(f"• {r.title}: passes again (failing since {notice.since[:16]})")
            continue
        extra = " · ".join(x for x in (f"owner {r.owner}" if r.owner else "", r.runbook) if x)
        since = f" (since {notice.since[:16]})" if kind == "reminder" else ""
        lines.append(f"• [{r.severity.upper()}] {r.title}{since}: {r.message[:200]}" + (f" · {extra}" if extra else ""))
    if len(notices) > _SHOWN:
        lines.append(f"… and {len(notices) - _SHOWN} more")
    if page:
        lines.append(f"report: {page}")
    data = [{"check": n.result.title, "fingerprint": n.fingerprint, "severity": n.result.severity,
             "since": n.since, "owner": n.result.owner or None, "runbook": n.result.runbook or None}
            for n in notices]
    return {"text": "\n".join(lines), "opscheck": {"kind": kind, "incidents": data}}


def summary_message(run: Run, page: str | None) -> dict[str, Any]:
    """Without history: the run's failures, all of them news."""
    failing = run.failing() + run.warnings()
    lines = [_header(run, f"{run.verdict}") + f" ({len(failing)} failing; history unavailable, so all are told)"]
    lines += [f"• [{c.severity.upper()}] {c.title}: {c.message[:200]}" for c in failing[:_SHOWN]]
    if page:
        lines.append(f"report: {page}")
    return {"text": "\n".join(lines), "opscheck": {"kind": "summary", "incidents": []}}


def problem(url: str) -> str | None:
    """What is wrong with a webhook URL, without repeating it (its path is a secret); None: usable."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "not an http(s) URL with a host (the value is not shown: a webhook URL is a secret)"
    return None


def host(url: str) -> str:
    """The webhook's host, the only part of it worth printing (its path is a secret)."""
    return urllib.parse.urlsplit(url).hostname or "the webhook"


def post(url: str, body: dict[str, Any], timeout: float) -> str | None:
    """Post one message; None when delivered, else what went wrong."""
    import requests

    problem_ = ""
    for _attempt in range(ATTEMPTS):
        try:
            response = requests.post(url, json=body, timeout=timeout)
        except requests.RequestException as exc:
            problem_ = type(exc).__name__
            continue
        if response.status_code < 300:
            return None
        problem_ = f"HTTP {response.status_code}"
    return problem_


def tell(url: str, run: Run, page: str | None, timeout: float,
         notices: Sequence[Notice] | None) -> tuple[str, list[Notice]]:
    """Post the run's news; returns the line to print and the notices that could not be delivered."""
    if notices is None:
        if not (run.failing() or run.warnings()):
            return f"opscheck: all passed, nothing sent to {host(url)}", []
        failed = post(url, summary_message(run, page), timeout)
        return (f"opscheck: failure summary sent to {host(url)}" if failed is None else
                f"opscheck: could not notify {host(url)} ({failed}, {ATTEMPTS} attempts); the exit code is "
                "unchanged"), []
    if not notices:
        held = sum(1 for c in run.checks if c.failing and (c.ack or c.window))
        return (f"opscheck: nothing new to tell {host(url)}" + (f" ({held} failing held: acknowledged or in a "
                                                                "maintenance window)" if held else "")), []
    told, lost, problems = [], [], []
    for kind in HEADINGS:
        these = [n for n in notices if n.kind == kind]
        if not these:
            continue
        failed = post(url, message(run, kind, these, page), timeout)
        if failed is None:
            told.append(f"{len(these)} {HEADINGS[kind]}")
        else:
            lost += these
            problems.append(failed)
    if lost:
        return (f"opscheck: could not notify {host(url)} ({problems[0]}, {ATTEMPTS} attempts); the exit code is "
                "unchanged, and the next run tells it again"), lost
    return f"opscheck: told {host(url)}: {', '.join(told)}", []
