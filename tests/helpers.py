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


def outcomes(result: pytest.RunResult) -> dict[str, str]:
    """test id -> PASSED/FAILED/SKIPPED/ERROR, from `-rA` summary lines."""
    found: dict[str, str] = {}
    for line in result.outlines:
        for word in ("PASSED", "FAILED", "SKIPPED", "ERROR"):
            if line.startswith(word + " "):
                found[line.split()[1]] = word
    return found
