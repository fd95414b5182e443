"""The deploy gate's wall time over its slowest single check: live, and on a replay with latency.

Live against a private local platform: the whole gate (`pytest -m deploy`)
and each of its checks alone, in one process (the first run warms imports);
the ratio is recorded as measured (the local BigQuery stand-in runs one query
at a time, see bench/daily_live.py). Then offline on the `healthy` scenario
with every recorded call answering after a fixed latency
(OPSCHECK_REPLAY_LATENCY_MS, as a real BigQuery job or API call would):
there the ratio shows whether checks wait on each other. Target: at most 1.5.
Run: `.venv/bin/python bench/deploy_gate.py [latency_ms] [repeats]`.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
import time
from collections.abc import Iterator

import pytest
from _figures import against
from _live import REPO, local_platform

from opscheck.replay import LATENCY_ENV

TARGET = 1.5


def run(*args: str) -> float:
    """Wall time of one in-process `pytest -m deploy ARGS`; it must pass."""
    out = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out):
        code = pytest.main(["-q", "-p", "no:cacheprovider", "-m", "deploy", *args])
    elapsed = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"pytest -m deploy {' '.join(args)} failed:\n{out.getvalue()[-2000:]}")
    return elapsed


def checks(*args: str) -> list[str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        pytest.main(["-q", "-p", "no:cacheprovider", "-m", "deploy", "--collect-only", *args])
    return sorted({re.sub(r"\[.*", "", line) for line in out.getvalue().splitlines() if "::" in line})


def ratio(label: str, repeats: int, *args: str) -> float:
    """Print each check's best time alone, the whole gate's, and return whole / slowest."""
    run(*args)  # warm imports and caches
    singles = {name: min(run(name, *args) for _ in range(repeats)) for name in checks(*args)}
    whole = min(run(*args) for _ in range(repeats))
    slowest, slowest_time = max(singles.items(), key=lambda kv: kv[1])
    print(f"{label}:")
    for name, seconds in sorted(singles.items(), key=lambda kv: -kv[1]):
        print(f"  {seconds:6.2f} s  {name}")
    print(f"  whole gate {whole:.2f} s; slowest single check {slowest_time:.2f} s ({slowest}): "
          f"{whole / slowest_time:.2f}")
    return whole / slowest_time


@contextlib.contextmanager
def latency(milliseconds: int) -> Iterator[None]:
    os.environ[LATENCY_ENV] = str(milliseconds)
    try:
        yield
    finally:
        os.environ.pop(LATENCY_ENV, None)


def main() -> None:
    milliseconds = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    os.chdir(REPO)
    with local_platform():
        live = ratio("live, local platform", repeats, "--target", "sandbox")
    with latency(milliseconds):
        delayed = ratio(f"offline, every recorded call {milliseconds} ms", repeats)
    print(f"live ratio (recorded as measured): {live:.2f}")
    print(against(f"delayed-replay ratio ({milliseconds} ms a call)", delayed, TARGET))


if __name__ == "__main__":
    main()
