"""Wall time of the full offline suite against bare pytest running as many trivial tests.

Both run as fresh `pytest` processes, back to back, in one invocation (ratios
only: the machine is shared and noisy). Target: ratio at most 1.5.
Run: `.venv/bin/python bench/offline_suite.py [repeats]`.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _figures import against

REPO = Path(__file__).resolve().parents[1]
TARGET = 1.5


def timed(argv: list[str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, done.stdout


def compare(suite: str, repeats: int) -> None:
    """Best wall time of `pytest SUITE` offline against bare pytest running as many trivial tests."""
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    _, out = timed([*pytest, suite, "--collect-only"], REPO)
    count = int(re.search(r"(\d+) tests? collected", out).group(1))  # type: ignore[union-attr]
    with tempfile.TemporaryDirectory() as folder:
        trivial = Path(folder)
        (trivial / "test_trivial.py").write_text(
            f"import pytest\n\n@pytest.mark.parametrize('i', range({count}))\ndef test_trivial(i):\n"
            "    assert i >= 0\n")
        timed([*pytest, suite], REPO)  # a first run fills the hit-rate change-point calibration cache, as any run after
        runs, bare = [], []
        for _ in range(repeats):  # interleaved, so drift hits both alike
            runs.append(timed([*pytest, suite], REPO)[0])
            bare.append(timed([*pytest, str(trivial)], trivial)[0])
    best_suite, best_bare = min(runs), min(bare)
    print(f"{suite}: {count} checks offline, best of {repeats}: {best_suite:.2f} s; bare pytest, as many trivial "
          f"tests: {best_bare:.2f} s")
    print(against(f"ratio ({suite})", best_suite / best_bare, TARGET))


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    compare("checks", repeats)  # every suite: the integrity check imports CatBoost (with numpy, scipy, pandas)
    compare("checks/daily", repeats)  # the morning job


if __name__ == "__main__":
    main()
