"""Record the bundled scenarios from the local platform (`make recordings`).

`healthy` (every passive check passes; also the Feb 1-9 backfill range and
the README's single-date example, Feb 5) and
one scenario per fault of the local platform, named after it, with that fault
injected. Each scenario is recorded by running the real checks of every suite
in record mode against the platform, then `opscheck diagnose stall` and
`opscheck diagnose morning`, so a scenario holds exactly the calls the checks
and the diagnoses make. The
season is seeded deterministically; timestamps, ports and model bytes differ
between recordings, outcomes do not.

It also writes the golden samples of the models a scenario may serve (fixtures/golden), the
rows and predictions its training job would keep, from the same seed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from opscheck.replay import BLOBS, RECORDINGS
from opscheck.views.production_model import GOLDEN

REPO = Path(__file__).resolve().parents[1]  # tools/ sits at the repository root
FIXTURES = REPO / "fixtures"  # run.fixtures of the repository's opscheck.toml
CHECKS = ("checks",)
BACKFILL = "2026-02-01..2026-02-09"
EXAMPLE_DAY = "2026-02-05"  # the README's `--date` example replays from the bundled healthy scenario


def _recording(scenario: str, folder: Path, *argv: str) -> int:
    """Run `python -m ARGV` in record mode against the local platform into `folder/scenario`; its exit code."""
    return subprocess.run([sys.executable, "-m", *argv, "--mode", "record", "--target", "sandbox",
                           "--scenario", scenario, "--recordings", str(folder)],
                          cwd=REPO, stdout=subprocess.DEVNULL, check=False).returncode


def record(scenario: str, folder: Path, extra: Sequence[str] = ()) -> int:
    """Run the checks in record mode into `folder/scenario`; returns pytest's exit code."""
    return _recording(scenario, folder, "pytest", *CHECKS, "-q", "-p", "no:cacheprovider", *extra)


def record_diagnosis(scenario: str, folder: Path) -> int:
    """Add `opscheck diagnose stall`'s and `diagnose morning`'s calls to `folder/scenario`; the worse exit code
    (1: a diagnosis found something)."""
    return max(_recording(scenario, folder, "opscheck.cli", "diagnose", what) for what in ("stall", "morning"))


def write_golden(folder: Path = FIXTURES / GOLDEN) -> list[Path]:
    """The golden samples of every model a scenario may put into production (the production model, the shadow
    a model switch promotes, the flawed retrain), from models trained exactly as the local platform trains them."""
    from opscheck.sandbox import models
    from opscheck.sandbox.state import DEFAULT_SEED

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for spec in (models.PRODUCTION, models.SHADOW, *models.CANDIDATES.values()):
        sample = models.golden(DEFAULT_SEED, models.train(DEFAULT_SEED, spec))
        path = folder / f"{sample['model_version']}.json"
        path.write_text(json.dumps(sample, indent=1) + "\n")
        written.append(path)
    return written


def record_all(folder: Path, only: Sequence[str] = ()) -> list[tuple[str, int]]:
    """Bring a private local platform up and record every scenario (or those in `only`)."""
    from opscheck.sandbox import faults
    from opscheck.sandbox.lifecycle import running

    done: list[tuple[str, int]] = []
    with tempfile.TemporaryDirectory(prefix="opscheck-record-") as state, running(Path(state)) as platform:
        for name in ["healthy", *sorted(faults.FAULTS)]:
            if only and name not in only:
                continue
            shutil.rmtree(folder / name, ignore_errors=True)
            faults.heal(platform)
            if name != "healthy":
                faults.inject(platform, name)
            code = record(name, folder)
            if name == "healthy":
                code = max(code, record(name, folder, ("--dates", BACKFILL)),
                           record(name, folder, ("--date", EXAMPLE_DAY)))
            if record_diagnosis(name, folder) not in (0, 1):
                code = max(code, 2)
            done.append((name, code))
            print(f"recorded {name:28} (checks exit {code})", flush=True)
    return done


def prune_blobs(folder: Path) -> list[str]:
    """Delete sidecar files no scenario of `folder` names any more (a re-recorded model's old bytes)."""
    named = "".join(path.read_text() for path in folder.glob("*/*.json"))
    stale = [blob for blob in (folder / BLOBS).glob("*") if blob.name not in named]
    for blob in stale:
        blob.unlink()
    return [blob.name for blob in stale]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenarios", nargs="*", help="only these scenarios (default: all)")
    parser.add_argument("--into", type=Path, default=FIXTURES / RECORDINGS, help="scenarios folder")
    args = parser.parse_args(argv)
    print(f"golden samples written: {', '.join(map(str, write_golden()))}", flush=True)
    done = record_all(args.into, args.scenarios)
    if not args.scenarios:
        for name in prune_blobs(args.into):
            print(f"removed {BLOBS}/{name}: no scenario uses it", flush=True)
    healthy = dict(done).get("healthy")
    if healthy not in (None, 0):
        print("healthy scenario: some check failed while recording; the platform is not healthy")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
