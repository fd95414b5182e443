"""The drop-in deploy-gate pipelines: they parse, and every command they run exists and takes its flags."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import REPO

CLOUDBUILD = REPO / "ci" / "deploy-gate.cloudbuild.yaml"
GITHUB = REPO / "ci" / "deploy-gate.github.yml"
BIN = Path(sys.executable).parent


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def commands(script: str) -> list[str]:
    """The opscheck and pytest command lines of a shell script (continuations joined)."""
    joined = script.replace("\\\n", " ")
    return [line.strip() for line in joined.splitlines() if re.match(r"\s*(pytest|opscheck)\s", line)]


def cloudbuild_commands() -> list[str]:
    gate = next(s for s in load(CLOUDBUILD)["steps"] if s["id"] == "deploy-gate")
    return commands(gate["args"][-1])


def github_commands() -> list[str]:
    steps = load(GITHUB)["jobs"]["deploy-gate"]["steps"]
    return [c for step in steps if "run" in step for c in commands(step["run"])]


def test_cloudbuild_gate_runs_before_the_deploy() -> None:
    steps = {s["id"]: s for s in load(CLOUDBUILD)["steps"]}
    assert steps["deploy"]["waitFor"] == ["deploy-gate"]
    assert steps["deploy-gate"]["waitFor"] == ["fetch-opscheck"]
    [gate] = [c for c in cloudbuild_commands() if c.startswith("pytest")]
    assert "-m deploy --mode live --expect-commit \"$COMMIT_SHA\"" in gate and "--junitxml=" in gate


def test_github_job_authenticates_uploads_and_summarises() -> None:
    job = load(GITHUB)["jobs"]["deploy-gate"]
    assert job["permissions"]["id-token"] == "write"  # workload identity federation
    uses = [s.get("uses", "") for s in job["steps"]]
    assert any(u.startswith("google-github-actions/auth@") for u in uses)
    upload = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact@"))
    summary = next(s for s in job["steps"] if "GITHUB_STEP_SUMMARY" in s.get("run", ""))
    assert upload["if"] == summary["if"] == "always()"
    assert upload["with"]["path"].endswith("reports/deploy-gate.xml")


def _concrete(command: str, tmp_path: Path) -> list[str]:
    """The command with the pipeline's variables filled in and its report written under tmp_path."""
    values = {"COMMIT_SHA": "0" * 40, "GITHUB_SHA": "0" * 40, "GITHUB_WORKSPACE": str(tmp_path)}
    words = shlex.split(command)
    words = words[:next((i for i, w in enumerate(words) if w.startswith(">")), len(words))]  # no redirection
    argv = [re.sub(r"\$(\w+)", lambda m: values[m.group(1)], arg) for arg in words]
    return [f"--junitxml={tmp_path / 'gate.xml'}" if a.startswith("--junitxml=") else
            a.replace("=/workspace", f"={tmp_path}") for a in argv]


@pytest.mark.usefixtures("google_credentials")  # the pipelines run with a service account
@pytest.mark.parametrize("command", [*cloudbuild_commands(), *github_commands()])
def test_each_command_exists_and_accepts_its_flags(command: str, tmp_path: Path) -> None:
    argv = _concrete(command, tmp_path)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    if argv[0] == "pytest":
        done = subprocess.run([*argv, "--collect-only", "-q", "-p", "no:cacheprovider"], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        assert re.search(r"(\d+)/\d+ tests collected", done.stdout), done.stdout
        assert int(re.search(r"(\d+)/\d+ tests collected", done.stdout).group(1)) >= 8  # type: ignore[union-attr]
    else:
        gate = tmp_path / "opscheck" / "reports" / "deploy-gate.xml"
        gate.parent.mkdir(parents=True)
        offline = subprocess.run([str(BIN / "pytest"), "-m", "deploy", "-q", "-p", "no:cacheprovider",
                                  f"--junitxml={gate}"], cwd=REPO, env=env, capture_output=True, text=True,
                                 timeout=120, check=False)
        assert offline.returncode == 0, offline.stdout
        done = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
                              check=False)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("## opscheck PASS: 0 failed, ")
        assert "mode: OFFLINE · " in done.stdout and "scenario: healthy" in done.stdout


MORNING_JOB = REPO / "ci" / "morning-job.yaml"
MORNING_GITHUB = REPO / "ci" / "morning.github.yml"


def test_the_morning_cloud_run_job_and_its_trigger_agree() -> None:
    job = load(MORNING_JOB)
    assert (job["apiVersion"], job["kind"]) == ("run.googleapis.com/v1", "Job")
    [container] = job["spec"]["template"]["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["ci/morning.sh"] and (REPO / "ci" / "morning.sh").stat().st_mode & 0o111
    env = {e["name"]: e for e in container["env"]}
    assert "secretKeyRef" in env["OPSCHECK_NOTIFY_URL"]["valueFrom"]  # the webhook stays out of the spec
    [trigger] = [line for line in MORNING_JOB.read_text().splitlines() if "gcloud scheduler jobs create" in line]
    words = shlex.split(trigger.lstrip("# "))
    assert words[words.index("--uri") + 1].endswith(f"/jobs/{job['metadata']['name']}:run")
    assert words[words.index("--time-zone") + 1] == "America/New_York"


def test_the_morning_github_schedule_runs_the_morning_job() -> None:
    workflow = load(MORNING_GITHUB)
    assert workflow[True]["schedule"][0]["cron"]  # YAML reads the key `on` as True
    steps = workflow["jobs"]["morning"]["steps"]
    assert any(s.get("run") == "ci/morning.sh" for s in steps)
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["if"] == "always()"


def test_morning_sh_runs_and_writes_its_reports() -> None:
    """The script itself, offline (its --mode live is overridden by the flag given after it)."""
    before = set((REPO / "reports").glob("morning-*"))
    done = subprocess.run([str(REPO / "ci" / "morning.sh"), "--mode", "offline"], cwd=REPO, capture_output=True,
                          text=True, timeout=300, check=False)
    made = set((REPO / "reports").glob("morning-*")) - before
    try:
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        [folder] = made
        assert {p.name for p in folder.iterdir()} >= {"daily.xml", "summary.json", "allure"}
        assert json.loads((folder / "summary.json").read_text())["verdict"] == "PASS"
    finally:
        for folder in made:
            shutil.rmtree(folder)
