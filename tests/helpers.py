"""Running the real checks in an inner pytest, as on-call would run them."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def run_checks(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """`pytest <args>` in a subprocess rooted at the repo, with opscheck's shipped config."""
    return pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--rootdir", str(REPO), "-c", str(REPO / "pyproject.toml"),
        "--opscheck-config", str(REPO / "opscheck.toml"), *args,
    )


def fault_table() -> dict[str, set[str]]:
    """docs/recordings.md's table: scenario -> the morning checks it must fail."""
    text = (REPO / "docs" / "recordings.md").read_text()
    table = text.split("| scenario | failing morning checks |", 1)[1]
    expected: dict[str, set[str]] = {}
    for line in table.strip().splitlines()[1:]:
        if not line.startswith("|"):
            break
        scenario, checks = (cell.strip() for cell in line.strip("|").split("|"))
        expected[scenario] = set() if checks == "none" else {c.strip() for c in checks.split(",")}
    return expected


def failed_checks(result: pytest.RunResult) -> set[str]:
    """Names of the failed checks, without date parameters: test_x or test_x[service]."""
    names = set()
    for test_id, outcome in outcomes(result).items():
        if outcome in ("FAILED", "ERROR"):
            name = test_id.split("::")[-1]
            names.add(name.split("[")[0] if "[20" in name else name)
    return names


def outcomes(result: pytest.RunResult) -> dict[str, str]:
    """test id -> PASSED/FAILED/SKIPPED/ERROR, from `-rA` summary lines."""
    found: dict[str, str] = {}
    for line in result.outlines:
        for word in ("PASSED", "FAILED", "SKIPPED", "ERROR"):
            if line.startswith(word + " "):
                found[line.split()[1]] = word
    return found
