"""`opscheck registry …` offline on the bundled scenarios: output, exit codes, refusals."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from opscheck import cli, governance
from opscheck.recordings import RECORDINGS
from tests.helpers import REPO

CONFIG = ("--opscheck-config", str(REPO / "opscheck.toml"))
PRODUCTION = "catboost_v9_33f_train20251102-20260108_20260201T011018.cbm"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main([*argv, *CONFIG] if argv[0] == "registry" and argv[1] != "name" else list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    """stderr without the session banner, which must then be exactly one line."""
    lines = [line for line in err.splitlines() if not line.startswith("opscheck OFFLINE")]
    assert len(lines) == 1, err
    return lines[0]


def test_sync_healthy_has_nothing_to_write(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "registry", "sync")
    assert code == 0 and "registry matches the manifest (3 models): nothing to write" in out
    assert err.startswith("opscheck OFFLINE · scenario healthy")


def test_sync_dry_run_shows_the_diff_field_by_field(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "registry", "sync", "--scenario", "registry-drift")
    assert code == 1
    line = next(x for x in out.splitlines() if "training_end_date" in x)
    assert line.split() == ["changed", PRODUCTION, "training_end_date", "2026-01-31", "2026-01-08"]
    assert "dry run: 1 row(s) would be written; run again with --apply" in out


def test_sync_apply_offline_is_refused_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "registry", "sync", "--apply", "--scenario", "registry-drift")
    assert code == 1 and out == ""
    assert one_line(err) == ("opscheck: --apply writes to BigQuery, which an offline replay cannot: "
                             "run with --mode live")


def scenario_with_manifest(tmp_path: Path, edit: Any) -> Path:
    """A copy of `healthy` whose manifest is `edit(manifest)`; returns the recordings folder."""
    shutil.copytree(RECORDINGS / "healthy", tmp_path / "healthy")
    path = tmp_path / "healthy" / "storage.json"
    data = json.loads(path.read_text())
    for call in data["calls"]:
        if call["operation"] == "read" and call["args"]["path"].endswith("manifest.json"):
            manifest = json.loads(base64.b64decode(call["result"]))
            call["result"] = base64.b64encode(json.dumps(edit(manifest)).encode()).decode()
    path.write_text(json.dumps(data))
    return tmp_path


def test_invalid_manifest_is_refused_listing_every_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def damage(manifest: dict[str, Any]) -> dict[str, Any]:
        manifest["models"][0]["sha256"] = "NOT-HEX"
        manifest["models"][1]["training_end_date"] = "02/10/2026"
        return manifest

    folder = scenario_with_manifest(tmp_path, damage)
    code, out, err = run(capsys, "registry", "sync", "--apply", "--mode", "offline", "--recordings", str(folder))
    line = one_line(err)
    assert code == 1 and out == ""
    assert "--apply writes to BigQuery" in line  # offline refuses before anything else
    code, out, err = run(capsys, "registry", "sync", "--recordings", str(folder))
    line = one_line(err)
    assert code == 1 and out == ""
    assert "is invalid, nothing written (" in line and "sha256: 'NOT-HEX' is not 64 lowercase hex" in line
    assert "training_end_date: '02/10/2026' is not a date YYYY-MM-DD" in line


def test_list_puts_production_first(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "registry", "list")
    rows = out.splitlines()
    assert code == 0 and rows[0].split() == ["file", "training", "hit_rate", "status", "sha256"]
    assert rows[2].split()[0] == PRODUCTION and rows[2].split()[5] == "production"
    assert len(rows[2].split()[6]) == 12


def test_claude_md_prints_checks_and_writes_the_section(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, section, _ = run(capsys, "registry", "claude-md")
    assert code == 0 and section.startswith(governance.MODEL_BEGIN) and PRODUCTION in section
    doc = tmp_path / "CLAUDE.md"
    doc.write_text("# team\r\n\nkeep me  \n\n## Runbooks\nno newline at the end")
    assert run(capsys, "registry", "claude-md", "--check", str(doc))[0] == 1
    code, out, _ = run(capsys, "registry", "claude-md", "--write", str(doc))
    assert code == 0 and "rewritten" in out
    assert doc.read_bytes() == ("# team\r\n\nkeep me  \n\n## Runbooks\nno newline at the end\n\n" + section).encode()
    assert run(capsys, "registry", "claude-md", "--check", str(doc))[:2] == (
        0, f"{doc}: MODEL section matches the manifest\n")
    stale = doc.read_bytes().replace(b"2026-01-08", b"2026-01-31")
    doc.write_bytes(stale)
    code, diff, _ = run(capsys, "registry", "claude-md", "--check", str(doc))
    assert code == 1 and diff.startswith(f"--- {doc} (MODEL section)\n+++ generated from the manifest\n")
    assert "\n-- training: 2025-11-02 .. 2026-01-31\n+- training: 2025-11-02 .. 2026-01-08\n" in diff
    run(capsys, "registry", "claude-md", "--write", str(doc))
    assert doc.read_bytes() == stale.replace(b"2026-01-31", b"2026-01-08")


def test_guard_refuses_a_repeated_window_naming_the_model(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "registry", "guard", "--start", "2025-11-02", "--end", "2026-01-08")
    line = one_line(err)
    assert code == 1 and out == ""
    assert f"already produced {PRODUCTION} (status production, created 2026-02-01T01:10:18" in line
    code, out, err = run(capsys, "registry", "guard", "--start", "2025-11-02", "--end", "2026-01-08", "--force")
    assert code == 0 and out.startswith("forced:") and "warning: --force" in err


def test_guard_warns_on_overlap_and_passes_a_fresh_window(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "registry", "guard", "--start", "2025-12-01", "--end", "2026-01-31")
    assert code == 0 and out.startswith("ok:") and f"warning: overlaps {PRODUCTION}" in err
    code, out, err = run(capsys, "registry", "guard", "--start", "2026-01-26", "--end", "2026-02-08")
    assert code == 0 and "warning" not in err


def test_name_round_trips_through_the_checks_parser(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "registry", "name", "--start", "2025-11-02", "--end", "2026-01-08",
                       "--features", "33", "--created", "2026-02-01T01:10:18Z")
    assert code == 0 and out.strip() == PRODUCTION
    assert governance.parse_model_file(out.strip()).version == "v9_20260201_011018"
    code, out, _ = run(capsys, "registry", "name", "--start", "2026-01-09", "--end", "2026-02-08")
    assert code == 0 and governance.parse_model_file(out.strip()).features == 33


@pytest.mark.parametrize(("argv", "message"), [
    (("registry", "guard", "--start", "02/01/2026", "--end", "2026-01-08"),
     "opscheck: argument --start: '02/01/2026' is not a date YYYY-MM-DD (see `opscheck registry guard --help`)"),
    (("registry", "name", "--start", "2026-02-01", "--end", "2026-01-08"),
     "opscheck: --end 2026-01-08 is before --start 2026-02-01"),
    (("registry", "guard", "--start", "2026-02-01", "--end", "2026-01-08"),
     "opscheck: --end 2026-01-08 is before --start 2026-02-01"),
    (("registry", "name", "--start", "2026-01-09", "--end", "2026-02-08", "--features", "0"),
     "opscheck: argument --features: '0' is not a whole number 1 or more (see `opscheck registry name --help`)"),
    (("registry", "claude-md", "--platform-repo", "/nonexistent/platform"),
     "opscheck: argument --platform-repo: /nonexistent/platform: not a folder; give a checkout of the platform's "
     "repository (see `opscheck registry claude-md --help`)"),
    (("registry", "sync", "--env", "nowhere"),
     f"opscheck: {REPO / 'opscheck.toml'}: no environment [env.nowhere] (environments: staging)"),
    (("registry", "list", "--scenario", "nope"), "opscheck: scenario 'nope' not found*"),
])
def test_bad_input_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], argv: tuple[str, ...],
                                      message: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(message.split("*")[0]), err
