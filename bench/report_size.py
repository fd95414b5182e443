"""The on-call page of a season-long `--dates` run: its size, and how fast a browser renders it.

Against a private local platform, the daily checks over the whole seeded
season (2025-10-21..2026-02-09), healthy and with a fault that fails a check
on many dates (subsets-missing); the page is then opened in Debian's
Chromium, headless, at desktop and phone width. Targets: under 2 MB, rendered
within 3 s. Run: `.venv/bin/python bench/report_size.py`.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _figures import against
from _live import REPO, local_platform

from opscheck.sandbox import faults

SEASON = "2025-10-21..2026-02-09"
TARGET_BYTES = 2 * 1024**2
TARGET_SECONDS = 3.0


def season_page(folder: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "checks/daily", "--target",
                    "sandbox", "--dates", SEASON, f"--report-dir={folder}"], cwd=REPO, capture_output=True,
                   check=False)
    [page] = folder.glob("daily-*.html")
    return page


def render_seconds(page: Path, width: int) -> float:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--no-sandbox", "--disable-gpu"])
        tab = browser.new_page(viewport={"width": width, "height": 900})
        started = time.perf_counter()
        tab.goto(page.as_uri(), wait_until="load")
        tab.locator("#banner").wait_for()
        elapsed = time.perf_counter() - started
        browser.close()
    return elapsed


def main() -> None:
    with local_platform() as platform, tempfile.TemporaryDirectory() as folder:
        pages = {"healthy": season_page(Path(folder) / "healthy")}
        faults.inject(platform, "subsets-missing")
        pages["subsets-missing"] = season_page(Path(folder) / "broken")
        for name, page in pages.items():
            size = page.stat().st_size
            desk, phone = render_seconds(page, 1280), render_seconds(page, 390)
            summary = (page.parent / "summary.json").stat().st_size
            print(f"{name}: page {size / 1024:.0f} KiB, summary.json {summary / 1024:.0f} KiB")
            print("  " + against("page size", size / 1024**2, TARGET_BYTES / 1024**2, " MiB"))
            print("  " + against("render at 1280 px", desk, TARGET_SECONDS, " s"))
            print("  " + against("render at 390 px", phone, TARGET_SECONDS, " s"))


if __name__ == "__main__":
    main()
