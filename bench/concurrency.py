"""How many call latencies a run waits in sequence: the daily suite, the deploy gate, a season's `--dates`.

Against the local platform the BigQuery stand-in runs one query at a time on
2 cores, so a live figure measures the stand-in, not opscheck (bench/
daily_live.py). Here every recorded call instead answers after a fixed
latency (OPSCHECK_REPLAY_LATENCY_MS, as a real BigQuery job or API call
would) while everything else stays as fast as replay is; if the checks' calls
run concurrently, a run waits about one latency per step of its longest
chain of dependent calls (the manifest, then the model it names), however
many calls it makes. Printed per workload: wall time with the latency over
the latency (the raw figure, which includes pytest's own start-up), and the
same with the run's zero-latency wall time taken off first (the latencies
waited in sequence, what opscheck controls), and the longest chain of calls
that each started only after the one before it ended, traced from the replay.
Target: at most 2.0 for each. The chain cannot be shorter than 2 where a
check needs a service's URL (Cloud Run describes it) before calling it.

The daily suite and the deploy gate replay the bundled `healthy` scenario;
the season (2025-10-21..2026-02-09) is recorded first from a private local
platform into a temporary folder, since no bundled scenario holds a season.
Each run is in-process (imports warmed by a first run), best of N.
Run: `.venv/bin/python bench/concurrency.py [latency_ms] [repeats]`.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _figures import against
from _live import REPO, local_platform

from opscheck import replay
from opscheck.replay import LATENCY_ENV

TARGET = 2.0
SEASON = "2025-10-21..2026-02-09"


class Trace:
    """When each replayed call started and ended, to find the longest chain of calls that waited on another."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, float]] = []
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        answer = replay.ReplayChannel._entry

        def timed(channel: replay.ReplayChannel, *args: Any) -> Any:
            started = time.perf_counter()
            try:
                return answer(channel, *args)
            finally:
                with self._lock:
                    self.calls.append((started, time.perf_counter()))

        replay.ReplayChannel._entry = timed  # type: ignore[method-assign, assignment]
        try:
            yield
        finally:
            replay.ReplayChannel._entry = answer  # type: ignore[method-assign]

    def chain(self) -> int:
        """Calls on the longest path where each call started only after the one before it ended."""
        depth: list[int] = []
        calls = sorted(self.calls)
        for index, (started, _) in enumerate(calls):
            depth.append(1 + max((depth[j] for j in range(index) if calls[j][1] <= started), default=0))
        return max(depth, default=0)


def wall(args: list[str], milliseconds: int, repeats: int) -> float:
    """Best wall time of an in-process `pytest ARGS` with every replayed call taking `milliseconds`."""
    os.environ[LATENCY_ENV] = str(milliseconds)
    try:
        best = float("inf")
        for _ in range(repeats):
            out = io.StringIO()
            started = time.perf_counter()
            with contextlib.redirect_stdout(out):
                code = pytest.main(["-q", "-p", "no:cacheprovider", *args])
            best = min(best, time.perf_counter() - started)
            if code != 0:
                raise SystemExit(f"pytest {' '.join(args)} exited {code}:\n{out.getvalue()[-2000:]}")
        return best
    finally:
        os.environ.pop(LATENCY_ENV, None)


def record_season(folder: Path) -> None:
    """The season's `--dates` run, recorded from a private local platform into `folder/season`."""
    with local_platform():
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "checks/daily", "-q", "-p", "no:cacheprovider", "--mode", "record",
             "--target", "sandbox", "--scenario", "season", "--recordings", str(folder), "--dates", SEASON],
            cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"recording the season failed:\n{done.stdout[-2000:]}")


def main() -> None:
    milliseconds = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    os.chdir(REPO)
    with tempfile.TemporaryDirectory(prefix="opscheck-season-") as folder:
        record_season(Path(folder))
        workloads = {
            "daily suite": ["checks/daily"],
            "deploy gate": ["-m", "deploy"],
            f"season --dates {SEASON}": ["checks/daily", "--recordings", folder, "--scenario", "season",
                                         "--dates", SEASON],
        }
        wall(workloads["daily suite"], 0, 1)  # warm imports
        latency = milliseconds / 1000
        verdicts = []
        for label, args in workloads.items():
            bare, delayed = wall(args, 0, repeats), wall(args, milliseconds, repeats)
            trace = Trace()
            with trace.installed():
                wall(args, milliseconds, 1)
            print(f"{label}: {bare:.2f} s with no latency, {delayed:.2f} s with {milliseconds} ms a call; "
                  f"raw wall / latency {delayed / latency:.2f}; {len(trace.calls)} calls, the longest chain of "
                  f"calls each waiting for the one before: {trace.chain()}")
            verdicts.append(against(f"  {label}: latencies waited in sequence", (delayed - bare) / latency, TARGET))
        print("\n".join(verdicts))


if __name__ == "__main__":
    main()
