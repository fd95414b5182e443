"""The whole daily suite live against the local platform, over its slowest single check.

In one process: a first run warms imports (the Google clients take about a
second to import, the same for any run); then each check runs alone and the
whole suite runs, via `pytest.main`, each timed. A ratio near 1 means the
checks do not wait on each other. Target: at most 1.5, judged on this figure.

It also prints, for the whole-suite run, each check's own duration as pytest
reports it (setup + call + teardown; the shared concurrent prefetch lands in
the first check's setup), which shows how much the checks add beyond it.
Run: `.venv/bin/python bench/daily_live.py [repeats]`.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
import time

import pytest
from _figures import against
from _live import REPO, local_platform

TARGET = 1.5


class Durations:
    """Collects each test's setup + call + teardown time in one pytest run."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.seconds[report.nodeid] = self.seconds.get(report.nodeid, 0.0) + report.duration


def run(*args: str, durations: Durations | None = None) -> float:
    """Wall time of one in-process `pytest --target sandbox ARGS`; it must pass."""
    out = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out):
        code = pytest.main(["-q", "-p", "no:cacheprovider", "--target", "sandbox", *args],
                           plugins=[durations] if durations else [])
    elapsed = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"pytest {' '.join(args)} failed:\n{out.getvalue()[-2000:]}")
    return elapsed


def checks() -> list[str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        pytest.main(["-q", "-p", "no:cacheprovider", "--target", "sandbox", "checks/daily", "--collect-only"])
    return sorted({re.sub(r"\[.*", "", line) for line in out.getvalue().splitlines() if "::" in line})


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    os.chdir(REPO)
    with local_platform():
        run("checks/daily")  # warm imports and the stand-ins' caches
        names = checks()
        singles = {name: min(run(name) for _ in range(repeats)) for name in names}
        whole = min(run("checks/daily") for _ in range(repeats))
        in_run = Durations()
        in_run_whole = run("checks/daily", durations=in_run)
    own_slowest, own_time = max(in_run.seconds.items(), key=lambda kv: kv[1])
    print(f"within one run: whole {in_run_whole:.2f} s, slowest check's own time {own_time:.2f} s "
          f"({own_slowest}): {in_run_whole / own_time:.2f}")
    slowest, slowest_time = max(singles.items(), key=lambda kv: kv[1])
    for name, seconds in sorted(singles.items(), key=lambda kv: -kv[1]):
        print(f"  {seconds:6.2f} s  {name}")
    print(f"whole daily suite: {whole:.2f} s; slowest single check: {slowest_time:.2f} s ({slowest})")
    ratio = whole / slowest_time
    print(against("ratio", ratio, TARGET))


if __name__ == "__main__":
    main()
