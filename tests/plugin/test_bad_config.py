"""A bad opscheck.toml stops the session with one line, before any check runs."""

from __future__ import annotations

import pytest

from tests.helpers import REPO


@pytest.mark.parametrize(("text", "expected"), [
    ('[gcp]\nprojet = "x"\n',
     "*opscheck.toml: gcp.projet: unknown key (known here: max_bytes_billed, project, region)"),
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
