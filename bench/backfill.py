"""What watching and verifying add to a backfill: its wall time against the services' own processing time.

On a private local platform with the issue's damage (subset picks missing for Feb 1-8, Feb 9's run
stopped halfway), the 9-day backfill is planned and applied through opscheck.backfill's function API,
as a scheduler would call it. The services' own time is the batches' (the coordinator's tracker, from
start to last progress) plus the materializer's requests; the rest is opscheck's: planning, polling,
reading the rows landed, verifying each date. Target (issue 23): wall at most 1.2 x processing.
Run: `.venv/bin/python bench/backfill.py` (about a minute and a half, most of it the platform's up).
"""

from __future__ import annotations

import io
import tempfile
import time
from pathlib import Path

from _figures import against
from _live import REPO, local_platform

from opscheck import backfill
from opscheck.backfill.progress import Progress
from opscheck.sandbox import faults, season
from opscheck.session import Options, open_session
from opscheck.views.base import between

TARGET_RATIO = 1.2


def main() -> None:
    with local_platform() as platform, tempfile.TemporaryDirectory(prefix="opscheck-bench-") as folder:
        config = Path(folder) / "opscheck.toml"  # its action log lands beside it, not in the project
        config.write_text((REPO / "opscheck.toml").read_text())
        faults.inject(platform, "subsets-missing")
        faults.inject(platform, "partial-run")
        session = open_session(Options(target="sandbox", root=REPO, config_path=config))
        started = time.perf_counter()
        made = backfill.plan(session, between(season.TODAY.replace(day=1), season.TODAY))
        planned = time.perf_counter() - started
        applied = backfill.apply(session, made, progress=Progress(io.StringIO()))
        wall = time.perf_counter() - started
    if applied.exit_code != 0:
        raise SystemExit(f"the backfill did not repair everything: {[o.row() for o in applied.outcomes]}")
    processing = applied.processing_seconds
    for outcome in applied.outcomes:
        print(f"  {outcome.step.day} {outcome.step.kind:12} {outcome.seconds:6.2f} s of the service's own")
    print(f"  {len(made.steps)} steps: wall {wall:.1f} s (planning {planned:.1f} s), processing {processing:.1f} s")
    print(against("backfill wall time / processing time", wall / processing, TARGET_RATIO, "x"))


if __name__ == "__main__":
    main()
