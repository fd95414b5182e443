"""Reports for pipelines: a Markdown summary of a run from its JUnit XML.

Why from the JUnit XML: it is what every pipeline already keeps (`--junitxml`),
and opscheck writes the session's facts (mode, scenario, project, as-of) into
it as test-suite properties, so the summary can say which mode produced it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from opscheck.errors import OpscheckError

_MESSAGE = 240


def junit_summary(path: Path) -> str:
    """A Markdown summary: the verdict with counts, the session's facts, a row per failure."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise OpscheckError(f"{path}: not a readable JUnit XML file ({exc})") from None
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    facts = {p.get("name", ""): p.get("value", "") for s in suites for p in s.iter("property")}
    rows, counts = [], {"passed": 0, "failed": 0, "skipped": 0}
    for case in (c for s in suites for c in s.iter("testcase")):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            counts["failed"] += 1
            text = (problem.get("message") or problem.text or "").strip().splitlines()
            first = text[0][:_MESSAGE] if text else ""
            rows.append(f"| `{case.get('name')}` | {first.replace('|', '/')} |")
        elif case.find("skipped") is not None:
            counts["skipped"] += 1
        else:
            counts["passed"] += 1
    verdict = "FAIL" if counts["failed"] else "PASS"
    lines = [f"## opscheck {verdict}: {counts['failed']} failed, {counts['passed']} passed, "
             f"{counts['skipped']} skipped"]
    if facts:
        lines += ["", " · ".join(f"{k.removeprefix('opscheck ')}: {v}" for k, v in facts.items()
                                 if k.startswith("opscheck ") and v)]
    if rows:
        lines += ["", "| check | what failed |", "| --- | --- |", *rows]
    return "\n".join(lines) + "\n"
