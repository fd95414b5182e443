"""`python -m opscheck.sandbox.services NAME PORT`: serve one platform service."""

from __future__ import annotations

import importlib
import sys

MODULES = {
    "prediction-coordinator": "coordinator",
    "prediction-worker": "worker",
    "grading": "grading",
    "scrapers": "scrapers",
    "subset-materializer": "subsets",
    "cloud-api": "cloudapi",
}


def main() -> None:
    name, port = sys.argv[1], int(sys.argv[2])
    module = importlib.import_module(f"opscheck.sandbox.services.{MODULES[name]}")
    module.build().serve(port)


if __name__ == "__main__":
    main()
