"""Cold `sandbox up` time and the local platform's total resident memory.

Targets on a 2-core, 24 GiB machine: up within 60 s, under 2 GiB resident.
Prints figures; it is a benchmark, not a test (the machine is shared and noisy).
Run: `make bench` or `.venv/bin/python bench/sandbox_up.py`.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import psutil
from _figures import against

from opscheck.sandbox.lifecycle import Sandbox

TARGET_SECONDS = 60.0
TARGET_BYTES = 2 * 1024**3


def resident_bytes(platform: Sandbox) -> dict[str, int]:
    """RSS of every process the platform started, children included, by name."""
    sizes: dict[str, int] = {}
    for name, info in platform.status().items():
        try:
            root = psutil.Process(info["pid"])
            family = [root, *root.children(recursive=True)]
            sizes[name] = sum(p.memory_info().rss for p in family)
        except psutil.NoSuchProcess:
            sizes[name] = 0
    return sizes


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="opscheck-bench-") as folder:
        platform = Sandbox(Path(folder))
        started = time.perf_counter()
        try:
            platform.up()
            elapsed = time.perf_counter() - started
            time.sleep(2)  # let the JVM and the services settle after seeding
            sizes = resident_bytes(platform)
        finally:
            platform.down()
    total = sum(sizes.values())
    for name, size in sorted(sizes.items(), key=lambda kv: -kv[1]):
        print(f"  {name:24} {size / 1024**2:8.1f} MiB")
    print(against("cold sandbox up", elapsed, TARGET_SECONDS, " s"))
    print(against("resident memory", total / 1024**3, TARGET_BYTES / 1024**3, " GiB"))


if __name__ == "__main__":
    main()
