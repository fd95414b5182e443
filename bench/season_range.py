"""`--dates` over the whole seeded season against one date, live on the local platform.

Views run one grouped query per check over the range, so a season should cost
little more than a day. Target: ratio at most 3.
Run: `.venv/bin/python bench/season_range.py [repeats]`.
"""

from __future__ import annotations

import re
import sys

from _figures import against
from _live import local_platform, run

SEASON = "2025-10-21..2026-02-09"
TARGET = 3.0


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with local_platform():
        one = min(run(["checks/daily", "--date", "2026-02-09"])[0] for _ in range(repeats))
        timings = [run(["checks/daily", "--dates", SEASON]) for _ in range(repeats)]
    season, output = min(timings)
    tests = re.search(r"(\d+) passed", output)
    print(f"one date: {one:.2f} s; season {SEASON} ({tests.group(1) if tests else '?'} checks passed): "
          f"{season:.2f} s")
    ratio = season / one
    print(against("ratio", ratio, TARGET))


if __name__ == "__main__":
    main()
