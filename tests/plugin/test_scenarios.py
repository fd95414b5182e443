"""Every bundled scenario fails exactly the checks its fault declares, in every suite; the doc says the same."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from opscheck.replay import available
from opscheck.sandbox.faults import FAULTS, markdown_table
from tests.helpers import RECORDINGS, REPO, check_markers, failed_by_suite, fault_table, run_checks

TABLE = fault_table()


def test_table_and_bundle_cover_every_fault() -> None:
    assert set(TABLE) == {"healthy", *FAULTS}
    assert set(available(RECORDINGS)) == set(TABLE), "run `make recordings`"


def test_the_docs_fault_table_is_the_declared_one() -> None:
    """docs/recordings.md shows what the faults declare; nothing parses it back."""
    doc = (REPO / "docs" / "recordings.md").read_text()
    assert f"<!-- fault table -->\n{markdown_table()}" in doc, "stale: run `.venv/bin/python tools/fault_table.py`"


def test_every_check_a_fault_declares_exists_in_that_suite(pytester: pytest.Pytester) -> None:
    """A misspelt check in `fails=` would expect a failure nothing can produce."""
    markers = check_markers(pytester)
    for fault in FAULTS.values():
        for suite, checks in fault.fails.items():
            for check in checks:
                name = check.split("[")[0]
                assert suite in markers.get(name, set()), f"{fault.name}: {check} is no {suite} check"


@pytest.mark.parametrize("scenario", sorted(TABLE))
def test_scenario_fails_exactly_its_checks(
    pytester: pytest.Pytester, scenario: str, record_property: Callable[[str, object], None]
) -> None:
    markers = check_markers(pytester)
    record_property("checks", len(markers))  # what the matrix line at the end counts (from xdist workers too)
    result = run_checks(pytester, str(REPO / "checks"), "--scenario", scenario, "-rA")
    assert result.ret in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED), result.stdout.str()
    live_only = {name for name, marks in markers.items() if "active" in marks}  # active probes skip offline
    expected = {suite: checks - live_only for suite, checks in TABLE[scenario].items()}
    assert failed_by_suite(result, markers, tuple(expected)) == expected, result.stdout.str()[-3000:]
    result.stdout.fnmatch_lines([f"*opscheck OFFLINE · scenario {scenario} · *today 2026-02-09*"])
