"""For pipelines: a Markdown job summary from a run's JUnit XML (what every pipeline keeps).

`opscheck summary FILE`: the verdict and a row per failure, from the file alone, so a pipeline that kept
only the XML still gets the summary.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from opscheck.errors import OpscheckError

_MESSAGE = 240


def junit_summary(path: Path) -> tuple[str, str]:
    """The run's verdict (PASS, FAIL or NOTHING RAN) and a Markdown summary: counts, facts, a row per failure.

    Only JUnit XML is read (a `testsuites` or `testsuite` root): anything else is an error, never a PASS;
    a file with no test case says that nothing ran.
    """
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise OpscheckError(f"{path}: not a readable JUnit XML file ({exc})") from None
    if root.tag not in ("testsuites", "testsuite"):
        raise OpscheckError(f"{path}: not JUnit XML (its root is <{root.tag}>, not <testsuites> or <testsuite>); "
                            "give the file pytest's --junitxml wrote")
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
    verdict = "FAIL" if counts["failed"] else "PASS" if counts["passed"] else "NOTHING RAN"
    lines = [f"## opscheck {verdict}: {counts['failed']} failed, {counts['passed']} passed, "
             f"{counts['skipped']} skipped" + (" (no check ran, so nothing was verified)"
                                                if verdict == "NOTHING RAN" else "")]
    if facts:
        lines += ["", " · ".join(f"{k.removeprefix('opscheck ')}: {v}" for k, v in facts.items()
                                 if k.startswith("opscheck ") and v)]
    if rows:
        lines += ["", "| check | what failed |", "| --- | --- |", *rows]
    return verdict, "\n".join(lines) + "\n"
