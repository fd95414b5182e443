"""Markers: registered (strict), and [active] probes never run live on GCP unless allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import REPO

PROBES = '''
import pytest

@pytest.mark.probe
@pytest.mark.active
def test_publishes_a_canary():
    pass

@pytest.mark.probe
def test_reads_config():
    pass
'''


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_probes=PROBES)
    return pytester.runpytest_subprocess("-p", "opscheck.plugin", "--strict-markers", "-rs",
                                         "--opscheck-config", str(REPO / "opscheck.toml"), *args)


@pytest.mark.usefixtures("google_credentials")
def test_active_probe_skipped_live_on_gcp(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--mode", "live", "--target", "gcp")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*[[]active] probe against live GCP: pass --allow-active to run it*"])


@pytest.mark.usefixtures("google_credentials")
def test_active_probe_runs_live_when_allowed(pytester: pytest.Pytester) -> None:
    run(pytester, "--mode", "live", "--target", "gcp", "--allow-active").assert_outcomes(passed=2)


@pytest.mark.usefixtures("google_credentials")
@pytest.mark.parametrize("mode", ["offline", "record"])
def test_active_probe_never_replays_or_records(pytester: pytest.Pytester, tmp_path: Path, mode: str) -> None:
    extra = ("--recordings", str(tmp_path)) if mode == "record" else ()  # a recording is written there
    result = run(pytester, "--mode", mode, *extra)
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines([f"*[[]active] probe: it acts on the platform, so it does not run {mode}*"])


def test_unknown_marker_is_an_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_typo="import pytest\n\n@pytest.mark.dialy\ndef test_x():\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "opscheck.plugin", "--strict-markers",
                                           "--opscheck-config", str(REPO / "opscheck.toml"))
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*'dialy' not found in `markers` configuration option*"])
