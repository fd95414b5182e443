"""The on-call page and the machine-readable summary of a run.

One self-contained HTML file (no script, no CDN, no network; inline SVG
charts) that says at the top whether the platform is healthy and which mode
said so, then every failure with its message, its next step on its own line,
since when it fails, its evidence as tables and the SQL it ran; the passed
checks folded away below. `summary.json` carries the same verdict for
pipelines, validated by opscheck/reports/schemas/summary.schema.json.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from opscheck.reports.charts import Chart
from opscheck.reports.evidence import Item

FORMAT = 2
FULL_CARDS = 5  # failures of one check shown in full; more (a range of dates) fold into a table
SCHEMA = Path(__file__).parent / "schemas" / "summary.schema.json"
_NEXT = re.compile(r";?\s*next:\s*", re.IGNORECASE)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def split_next(message: str) -> tuple[str, str | None]:
    """A failure message and its next step (the text after "next:"), apart."""
    parts = _NEXT.split(message, maxsplit=1)
    return (parts[0].strip(), parts[1].strip()) if len(parts) == 2 else (message.strip(), None)


@dataclasses.dataclass
class CheckRecord:
    """One check's result as the reports show it (plain data: it crosses pytest-xdist)."""

    id: str
    name: str
    params: dict[str, str]
    suites: list[str]
    outcome: str = "passed"  # passed | failed | skipped | error
    duration: float = 0.0
    message: str = ""
    next_step: str | None = None
    evidence: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    sql: list[str] = dataclasses.field(default_factory=list)
    first_failed: str | None = None
    trend: str | None = None  # the chart its `@pytest.mark.trend(...)` names, if any
    severity: str = "fail"  # fail: it fails the run; warn: reported, exit 0
    owner: str = ""
    runbook: str = ""
    bytes_billed: int = 0  # the queries it read (a query shared by checks counts for each)
    streak: dict[str, Any] | None = None  # history.memory.Streak.summary(); None: no history kept or readable
    ack: dict[str, Any] | None = None  # the acknowledgement holding its notifications: by, why, until
    window: dict[str, Any] | None = None  # the maintenance window holding them: why, until
    fingerprint: str | None = None  # its incident's, when it fails

    @property
    def failing(self) -> bool:
        return self.outcome in ("failed", "error")

    @property
    def title(self) -> str:
        shown = ", ".join(self.params.values())
        return f"{self.name}[{shown}]" if shown else self.name

    @property
    def date(self) -> str | None:
        """The validated date this record is about (its `day` parameter), if any."""
        day = self.params.get("day")
        return day if day and _DATE.match(day) else None

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "params": self.params, "suites": self.suites,
                "outcome": self.outcome, "duration": round(self.duration, 3), "message": self.message,
                "next_step": self.next_step, "first_failed": self.first_failed, "severity": self.severity,
                "owner": self.owner or None, "runbook": self.runbook or None, "bytes_billed": self.bytes_billed,
                "streak": self.streak, "ack": self.ack, "maintenance": self.window, "fingerprint": self.fingerprint}


@dataclasses.dataclass
class Run:
    """Everything a report says about one run."""

    facts: dict[str, Any]  # mode, mode_text, target, scenario, project, environment, today, as_of, dates
    suite: str
    checks: list[CheckRecord]
    exit_code: int
    duration: float
    trends: list[Chart] = dataclasses.field(default_factory=list)
    trends_note: str | None = None
    run_id: str = ""
    bytes_billed: int = 0  # every query the run ran, each once
    history: dict[str, Any] = dataclasses.field(default_factory=dict)  # store, written, note

    @property
    def counts(self) -> dict[str, int]:
        counts = {"passed": 0, "failed": 0, "skipped": 0, "errors": 0, "warnings": 0}
        for check in self.checks:
            key = "warnings" if check.failing and check.severity == "warn" else \
                "errors" if check.outcome == "error" else check.outcome
            counts[key] += 1
        return counts

    @property
    def verdict(self) -> str:
        counts = self.counts
        if counts["failed"] or counts["errors"] or self.exit_code not in (0, 5):
            return "FAIL"
        return "WARN" if counts["warnings"] else "PASS"

    def failing(self) -> list[CheckRecord]:
        """The failures that fail the run (severity fail)."""
        return [c for c in self.checks if c.failing and c.severity != "warn"]

    def warnings(self) -> list[CheckRecord]:
        return [c for c in self.checks if c.failing and c.severity == "warn"]

    def file_name(self) -> str:
        return f"{self.suite}-{str(self.facts['as_of'])[:10]}.html"


def mark_first_failures(checks: Sequence[CheckRecord]) -> None:
    """On a range of dates, each failing check learns the first date it failed (since when)."""
    if len({c.date for c in checks if c.date}) < 2:
        return  # one date: the trends say since when
    first: dict[str, str] = {}
    for check in checks:
        if check.outcome in ("failed", "error") and check.date:
            key = _without_day(check)
            first[key] = min(first.get(key, check.date), check.date)
    for check in checks:
        if check.outcome in ("failed", "error") and check.date:
            check.first_failed = first[_without_day(check)]


def _without_day(check: CheckRecord) -> str:
    return check.name + "|" + ",".join(f"{k}={v}" for k, v in sorted(check.params.items()) if k != "day")


# ---- summary.json ------------------------------------------------------------
def summary(run: Run, page: str | None) -> dict[str, Any]:
    """The run as summary.json holds it (opscheck/reports/schemas/summary.schema.json)."""
    return {
        "format": FORMAT, "verdict": run.verdict, "exit_code": run.exit_code, "suite": run.suite,
        "mode": run.facts["mode"], "target": run.facts["target"], "scenario": run.facts["scenario"],
        "project": run.facts["project"], "environment": run.facts["environment"],
        "today": run.facts["today"], "as_of": run.facts["as_of"], "dates": run.facts["dates"],
        "counts": run.counts, "duration": round(run.duration, 3), "report": page, "run_id": run.run_id,
        "bytes_billed": run.bytes_billed, "history": run.history,
        "checks": [c.summary() for c in run.checks],
    }


# ---- the page ------------------------------------------------------------------
CSS = """
:root{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1b1b1b;background:#f6f7f9}
body{margin:0 auto;max-width:980px;padding:0 12px 40px}
header.banner{margin:12px 0;padding:14px 16px;border-radius:10px;color:#fff}
header.FAIL{background:#b3261e}header.PASS{background:#1e7a34}header.WARN{background:#8a5a00}
.verdict{font-size:1.6em;font-weight:700;margin:0}.mode{font-size:1.1em;font-weight:700;margin:6px 0 0}
.facts{margin:6px 0 0;opacity:.92;font-size:.92em;overflow-wrap:anywhere}
h2.section{margin:22px 0 8px;font-size:1.15em}
article.check{background:#fff;border-radius:10px;padding:12px 14px;margin:10px 0;border-left:6px solid #b3261e;
 box-shadow:0 1px 2px rgba(0,0,0,.08)}
article.check h3{margin:0 0 6px;font-size:1.02em;overflow-wrap:anywhere}
.message{margin:6px 0;overflow-wrap:anywhere}
.next{margin:8px 0;padding:8px 10px;background:#fff4e5;border-radius:6px;overflow-wrap:anywhere}
.since{margin:6px 0;font-size:.92em;color:#5b5b5b}
h4{margin:12px 0 4px;font-size:.92em;overflow-wrap:anywhere}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:.84em}th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;
 white-space:nowrap}th{background:#f0f1f3}
pre{background:#f3f3f3;padding:8px;overflow-x:auto;font-size:.8em;max-width:100%}
details{margin:8px 0}summary{cursor:pointer;font-weight:600}
svg.chart{width:100%;height:auto;background:#fff;border-radius:8px}
svg.chart text{font-size:13px;fill:#444}svg.chart .grid{stroke:#e3e3e3}
figure{margin:8px 0}figcaption{font-size:.9em;color:#444}
.passed td.outcome{color:#1e7a34}.skipped td.outcome{color:#8a6d00}
article.check.warn{border-left-color:#d9822b}article.check.acked{border-left-color:#6b6b6b}
.badge{display:inline-block;padding:1px 7px;border-radius:9px;font-size:.78em;font-weight:700;color:#fff;
 background:#b3261e;margin-right:6px;vertical-align:middle}.badge.warn{background:#d9822b}.badge.acked{background:#555}
.badge.flapping{background:#6a3fa0}.badges{margin:0 0 4px}
.held{margin:6px 0;padding:6px 10px;background:#eef0f3;border-radius:6px}
.strip{display:inline-flex;gap:2px;vertical-align:middle}.strip i{width:10px;height:14px;border-radius:2px;
 display:inline-block}.strip i.passed{background:#1e7a34}.strip i.failed,.strip i.error{background:#b3261e}
.strip i.skipped{background:#c9c9c9}footer{margin:24px 0 0;font-size:.85em;color:#555;overflow-wrap:anywhere}
.since,.held{overflow-wrap:anywhere}
"""


def page(run: Run) -> str:
    """The on-call page, one self-contained HTML document."""
    counts = run.counts
    counted = " · ".join(f"{counts[k]} {k}" for k in ("failed", "errors", "warnings", "passed", "skipped")
                        if counts[k])
    facts = run.facts
    rows = [f"project {facts['project']}", f"environment {facts['environment'] or 'default'}",
            f"as of {facts['as_of']}", f"dates {facts['dates'][0]}" + (
                f" .. {facts['dates'][1]}" if facts["dates"][1] != facts["dates"][0] else "")]
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        '<meta name=viewport content="width=device-width,initial-scale=1">',
        f"<title>opscheck {run.suite} {run.verdict} · {html.escape(str(facts['as_of'])[:16])}</title>",
        f"<style>{CSS}</style></head><body>",
        f'<header class="banner {run.verdict}" id=banner><p class=verdict>{run.verdict} · {html.escape(counted)}</p>',
        f"<p class=mode>{html.escape(facts['mode_text'])}</p>",
        f"<p class=facts>{html.escape(' · '.join(rows))} · suite {html.escape(run.suite)}</p></header>",
    ]
    parts += [f"<p class=held id=maintenance><b>MAINTENANCE</b> until {html.escape(w['until'])}: "
              f"{html.escape(w['why'])} (results recorded, notifications held for "
              f"{html.escape(', '.join(w['checks']) or 'every check')})</p>"
              for w in run.history.get("maintenance", [])]
    for anchor, heading, shown in (("failures", "What is broken", run.failing()),
                                   ("warnings", "Warnings (severity warn: reported, the run still exits 0)",
                                    run.warnings())):
        if shown:
            parts.append(f'<h2 class=section id={anchor}>{heading} ({len(shown)})</h2>')
            parts += _cards(shown, bool(run.trends))
    if run.trends or run.trends_note:
        parts.append('<h2 class=section id=trends>Trends</h2>')
        parts += [f'<figure id="trend-{c.anchor}">{c.svg()}<figcaption>{html.escape(c.title)}</figcaption></figure>'
                  for c in run.trends]
        if run.trends_note:
            parts.append(f"<p class=since>{html.escape(run.trends_note)}</p>")
    others = [c for c in run.checks if c.outcome not in ("failed", "error")]
    if others:
        body = "".join(
            f'<tr class={c.outcome}><td>{html.escape(c.title)}</td><td class=outcome>{c.outcome}</td>'
            f"<td>{c.duration:.2f}s</td><td>{html.escape(c.message)}</td></tr>" for c in others)
        parts.append(f'<details id=passed><summary>{counts["passed"]} passed, {counts["skipped"]} skipped</summary>'
                     f'<div class=scroll><table><thead><tr><th>check</th><th>outcome</th><th>time</th><th>note</th>'
                     f"</tr></thead><tbody>{body}</tbody></table></div></details>")
    parts.append(f"<footer id=cost>{html.escape(_footer(run))}</footer></body></html>")
    return "\n".join(parts)


def _cards(failing: list[CheckRecord], trends: bool) -> list[str]:
    """A card per failure; one check failing on many dates shows FULL_CARDS of them, the rest in a table."""
    parts: list[str] = []
    by_check: dict[str, list[CheckRecord]] = {}
    for check in failing:
        by_check.setdefault(check.name, []).append(check)
    for same in by_check.values():
        parts += [_card(check, trends) for check in same[:FULL_CARDS]]
        if len(same) > FULL_CARDS:  # a range failing day after day: the rest in one folded table
            rest = "".join(f"<tr><td>{html.escape(c.title)}</td><td>{html.escape(c.message)}</td></tr>"
                           for c in same[FULL_CARDS:])
            parts.append(f"<details class=more-failures><summary>{len(same) - FULL_CARDS} more failures of "
                         f"{html.escape(same[0].name)}</summary><div class=scroll><table><thead><tr><th>check</th>"
                         f"<th>message</th></tr></thead><tbody>{rest}</tbody></table></div></details>")
    return parts


def _footer(run: Run) -> str:
    """What the run cost and where it is remembered."""
    billed = f"bytes billed {run.bytes_billed:,} ({run.bytes_billed / 2**30:.3f} GiB)"
    if run.facts["mode"] == "OFFLINE":
        billed += ": an offline replay runs no query"
    note = run.history.get("note") or (f"remembered in {run.history['store']}" if run.history.get("written")
                                       else "not remembered")
    return f"run {run.run_id} · {billed} · {note}"


def _memory(check: CheckRecord) -> list[str]:
    """Since when it fails, the strip of its last runs, and who holds its notifications (history)."""
    parts: list[str] = []
    streak = check.streak
    if streak and streak["length"]:
        parts.append(f"<p class=since>Failing for {streak['length']} run{'s' if streak['length'] > 1 else ''}, "
                     f"since the run of {html.escape(str(streak['since']))}</p>")
    if streak and streak["strip"]:
        boxes = "".join(f'<i class={o} title="{o}"></i>' for o in streak["strip"])
        parts.append(f'<p class=since>Last {len(streak["strip"])} runs, oldest first: <span class=strip '
                     f'aria-label="{" ".join(streak["strip"])}">{boxes}</span></p>')
    if check.ack:
        parts.append(f"<p class=held><b>ACKED</b> by {html.escape(check.ack['by'])} until "
                     f"{html.escape(check.ack['until'])}: {html.escape(check.ack['why'])}</p>")
    if check.window:
        parts.append(f"<p class=held><b>MAINTENANCE</b> until {html.escape(check.window['until'])}: "
                     f"{html.escape(check.window['why'])} (notifications held)</p>")
    if check.owner or check.runbook:
        owner = f"owner {html.escape(check.owner)}" if check.owner else ""
        book = f'<a href="{html.escape(check.runbook)}">runbook</a>' if check.runbook else ""
        parts.append(f"<p class=since>{' · '.join(p for p in (owner, book) if p)}</p>")
    return parts


def _card(check: CheckRecord, trends: bool) -> str:
    """One check's card; a failure of a single date links to the trend its check names (how it came to this)."""
    badges = [(check.severity, check.severity.upper())] + ([("acked", "ACKED")] if check.ack else []) + (
        [("flapping", "FLAPPING")] if check.streak and check.streak["flapping"] else [])
    marks = "".join(f"<span class='badge {k}'>{t}</span>" for k, t in badges)
    classes = " ".join([check.outcome, check.severity] + (["acked"] if check.ack else []))
    parts = [f'<article class="check {classes}"><h3>{html.escape(check.title)}</h3><p class=badges>{marks}</p>',
             f"<p class=message>{html.escape(check.message)}</p>"]
    if check.next_step:
        parts.append(f"<p class=next><b>Next:</b> {html.escape(check.next_step)}</p>")
    if check.first_failed:
        parts.append(f"<p class=since>Failing since {check.first_failed} (the first date of this run it failed)</p>")
    elif trends and check.trend:
        parts.append(f'<p class=since>How it came to this: <a href="#trend-{check.trend}">the {check.trend} '
                     'trend</a></p>')
    parts += _memory(check)
    for item in check.evidence:
        shown = Item(item["title"], item["kind"], item["payload"])
        parts.append(f"<h4>{html.escape(shown.title)}</h4>{shown.html()}")
    if check.sql:
        parts.append(f"<details><summary>SQL it ran ({len(check.sql)})</summary>"
                     + "".join(f"<pre>{html.escape(sql)}</pre>" for sql in check.sql) + "</details>")
    parts.append("</article>")
    return "".join(parts)


def write(run: Run, folder: Path) -> tuple[Path, Path]:
    """Write the page and summary.json into `folder`; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    page_path = folder / run.file_name()
    page_path.write_text(page(run), encoding="utf-8")
    summary_path = folder / "summary.json"
    summary_path.write_text(json.dumps(summary(run, str(page_path)), indent=2) + "\n", encoding="utf-8")
    return page_path, summary_path


def mode_text(facts: Mapping[str, Any]) -> str:
    """LIVE, OFFLINE replay of scenario X, or LOCAL PLATFORM: the first thing a reader must know."""
    if facts["mode"] == "OFFLINE":
        return f"OFFLINE replay of scenario {facts['scenario']} (recorded, not the platform now)"
    if facts["target"] == "sandbox":
        return f"LOCAL PLATFORM ({facts['mode']}: the miniature platform, not production)"
    return f"{facts['mode']} · Google Cloud project {facts['project']}"
