"""`opscheck summary FILE`: a job summary from JUnit XML, whose exit code says whether the run passed.

Tried by a hostile user (issue 18): an XML file that is not JUnit, and an empty `<testsuites>`, printed
PASS and exited 0. Nothing to judge is never a pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from opscheck import cli

PASSED = ('<testsuites><testsuite name="pytest"><testcase name="test_a"/><testcase name="test_b"/></testsuite>'
          '</testsuites>')
FAILED = ('<testsuites><testsuite name="pytest"><testcase name="test_a"/><testcase name="test_b">'
          '<failure message="2026-02-09: 0 active predictions | expected 40"/></testcase></testsuite></testsuites>')


def summarize(tmp_path: Path, xml: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    path = tmp_path / "run.xml"
    path.write_text(xml)
    code = cli.main(["summary", str(path)])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_passing_run_is_pass_and_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = summarize(tmp_path, PASSED, capsys)
    assert (code, out.splitlines()[0]) == (0, "## opscheck PASS: 0 failed, 2 passed, 0 skipped")


def test_a_failing_run_lists_the_failure_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = summarize(tmp_path, FAILED, capsys)
    assert code == 1 and out.startswith("## opscheck FAIL: 1 failed, 1 passed")
    assert "| `test_b` | 2026-02-09: 0 active predictions / expected 40 |" in out  # a | would break the table


@pytest.mark.parametrize("xml", ["<testsuites/>", '<testsuites><testsuite name="pytest"/></testsuites>',
                                 '<testsuite name="pytest" tests="0"/>'])
def test_nothing_ran_is_never_a_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str], xml: str) -> None:
    code, out, _ = summarize(tmp_path, xml, capsys)
    assert code == 1
    assert out.splitlines()[0] == ("## opscheck NOTHING RAN: 0 failed, 0 passed, 0 skipped (no check ran, so "
                                   "nothing was verified)")


@pytest.mark.parametrize("xml", ["<html><body>PASS</body></html>", "<coverage line-rate='1'/>"])
def test_xml_that_is_not_junit_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  xml: str) -> None:
    code, out, err = summarize(tmp_path, xml, capsys)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "not JUnit XML (its root is <" in err and "pytest's --junitxml" in err
