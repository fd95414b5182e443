"""`opscheck registry …` offline on the bundled scenarios: output, exit codes, refusals."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from opscheck import cli, governance
from tests.conftest import missing
from tests.helpers import RECORDINGS, REPO

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
    assert "is invalid, nothing written (" in line and "sha256: 'NOT-HEX' is not 64 hex digits" in line
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
    # Year 1 overflowed: 491 lines of OverflowError (issue 18).
    (("registry", "name", "--start", "0001-01-01", "--end", "2026-01-08"),
     "opscheck: argument --start: 0001-01-01 is outside 2000-2099: a typo in the year?"),
    (("registry", "name", "--start", "2025-11-02", "--end", "2026-01-08", "--created", "0001-01-01T00:00:00+05:00"),
     "opscheck: argument --created: 0001-01-01 is outside 2000-2099: a typo in the year?"),
    # An empty value (an unset pipeline variable) is not "the default".
    (("registry", "list", "--scenario", ""), "opscheck: argument --scenario: is empty: give a value"),
    (("registry", "list", "--recordings", ""), "opscheck: argument --recordings: is empty: give a value"),
    (("registry", "sync", "--env", ""), "opscheck: argument --env: is empty: give a value"),
])
def test_bad_input_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], argv: tuple[str, ...],
                                      message: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(message.split("*")[0]), err


# ---- claude-md on files that are not what they seem (issue 18) ---------------------------------------------
@pytest.mark.parametrize(("action", "path"), [("--write", "/dev/full"), ("--check", "/dev/zero"),
                                               ("--check", "/dev")])
def test_claude_md_refuses_anything_but_a_regular_file(capsys: pytest.CaptureFixture[str], action: str,
                                                       path: str) -> None:
    """`--write /dev/full` read to 23 GB before the kernel killed it; `--check /dev/zero` a MemoryError."""
    code, out, err = run(capsys, "registry", "claude-md", action, path)
    assert (code, out) == (2, "")
    assert one_line(err) == f"opscheck: {path}: not a regular file (a folder, a device or a pipe): give the team " \
                            "doc's path"


def test_claude_md_does_not_block_on_a_fifo(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    fifo = tmp_path / "CLAUDE.md"
    os.mkfifo(fifo)
    for action in ("--check", "--write"):
        code, _, err = run(capsys, "registry", "claude-md", action, str(fifo))
        assert code == 2 and "not a regular file" in one_line(err)


def test_claude_md_write_into_a_missing_folder_is_one_line(capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path) -> None:
    code, _, err = run(capsys, "registry", "claude-md", "--write", str(tmp_path / "nowhere" / "CLAUDE.md"))
    assert code == 2 and one_line(err).endswith("does not exist: give the team doc's path")


def test_claude_md_write_to_an_immutable_doc_is_one_line_and_leaves_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    doc = tmp_path / "CLAUDE.md"
    doc.write_text("# team\n")
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(doc)], check=False).returncode:
        missing("chattr +i is not available here (e2fsprogs on ext4)")
    try:
        code, _, err = run(capsys, "registry", "claude-md", "--write", str(doc))
    finally:
        subprocess.run(["chattr", "-i", str(doc)], check=True)
    assert code == 2 and one_line(err).startswith(f"opscheck: {doc}: read-only or immutable: make it writable")
    assert doc.read_text() == "# team\n" and [p.name for p in tmp_path.iterdir()] == ["CLAUDE.md"]


SECTION = governance.MODEL_BEGIN + "\n## MODEL\n" + governance.MODEL_END


@pytest.mark.parametrize(("text", "problem"), [
    (f"# team\n{governance.MODEL_END}\nold\n{governance.MODEL_BEGIN}\n",
     "the MODEL:END marker comes before MODEL:BEGIN"),
    (f"# team\n{SECTION}\n\n## later\n{SECTION}\n",
     "2 MODEL:BEGIN and 2 MODEL:END markers: more than one MODEL section"),
    (f"# team\n{governance.MODEL_BEGIN}\nno end\n", "a MODEL:BEGIN marker without its MODEL:END"),
])
def test_claude_md_markers_it_cannot_read_as_one_section(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, problem: str
) -> None:
    """Reversed markers were "rewritten" and still drifted; with two sections `--check` passed on the first."""
    doc = tmp_path / "CLAUDE.md"
    doc.write_text(text)
    code, out, _ = run(capsys, "registry", "claude-md", "--check", str(doc))
    assert code == 1 and f"({problem}: fix the doc by hand, then --write)" in out
    code, out, err = run(capsys, "registry", "claude-md", "--write", str(doc))
    assert code == 1 and out == "" and one_line(err) == f"opscheck: {doc}: {problem}: fix the doc by hand " \
                                                         "(which section is right is a person's call)"
    assert doc.read_text() == text


def test_claude_md_keeps_a_crlf_doc_crlf(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    doc = tmp_path / "CLAUDE.md"
    doc.write_bytes(b"# team\r\n\r\nnotes\r\n")
    assert run(capsys, "registry", "claude-md", "--write", str(doc))[0] == 0
    data = doc.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n") and governance.MODEL_END.encode() + b"\r\n" in data
    assert run(capsys, "registry", "claude-md", "--check", str(doc))[0] == 0
