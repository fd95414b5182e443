"""A bad opscheck.toml stops the session with one line, before any check runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO, run_checks


@pytest.mark.parametrize(("text", "expected"), [
    ('[gcp]\nprojet = "x"\n',
     "*opscheck.toml: gcp.projet: unknown key (known here: build_location, max_bytes_billed, project, region)"),
    ('[thresholds]\nlookback_days = "two weeks"\n',
     "*opscheck.toml: thresholds.lookback_days: must be a whole number, got 'two weeks'"),
])
def test_bad_config_stops_the_session_in_one_line(
    pytester: pytest.Pytester, text: str, expected: str
) -> None:
    pytester.makefile(".toml", opscheck=text)
    pytester.makepyfile(test_never="def test_never():\n    raise AssertionError('ran')\n")
    result = pytester.runpytest_subprocess("-p", "opscheck.plugin", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.errlines if line.strip()]
    assert len(errors) == 1, result.errlines
    assert errors[0].startswith("ERROR: opscheck: ")
    result.stderr.fnmatch_lines([expected])
    assert "ran" not in result.stdout.str()
    assert (REPO / "opscheck.toml").is_file()


@pytest.mark.parametrize("kind", ["folder", "json-array"])
def test_a_key_file_that_is_not_one_stops_a_live_run_in_one_line(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """It was pytest's INTERNALERROR, exit 3, and a raw traceback in `opscheck doctor` (issue 18)."""
    path = tmp_path / "adc"
    path.mkdir() if kind == "folder" else path.write_text("[]")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    result = run_checks(pytester, str(REPO / "checks" / "daily"), "--mode", "live")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.errlines if line.strip()]
    assert errors == [next(e for e in errors if e.startswith("ERROR: opscheck: $GOOGLE_APPLICATION_CREDENTIALS"))]
    doctor = subprocess.run([sys.executable, "-m", "opscheck.cli", "doctor", "--mode", "live",
                             "--opscheck-config", str(REPO / "opscheck.toml")], capture_output=True, text=True,
                            timeout=60, check=False)
    assert doctor.returncode == 2 and doctor.stdout == ""
    assert doctor.stderr.count("\n") == 1 and doctor.stderr.startswith("opscheck: $GOOGLE_APPLICATION_CREDENTIALS")
