"""Shared by the live benchmarks: a private local platform and timed `pytest` runs against it."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from opscheck.sandbox.lifecycle import Sandbox, running

REPO = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def local_platform() -> Iterator[Sandbox]:
    """A private local platform, up for the benchmark's duration."""
    with tempfile.TemporaryDirectory(prefix="opscheck-bench-") as folder, running(Path(folder)) as platform:
        yield platform


def run(args: Sequence[str]) -> tuple[float, str]:
    """Wall time and output of `pytest ARGS --target sandbox` (a fresh process, as on-call runs it)."""
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--target", "sandbox", *args]
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"pytest {' '.join(args)} failed:\n{done.stdout[-2000:]}")
    return elapsed, done.stdout
