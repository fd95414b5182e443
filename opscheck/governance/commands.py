"""The governance commands as functions: `opscheck registry …` and the training job call these.

Each takes a Platform (live, recorded or replayed, as the session says), reads
the manifest and the registry through the same views the checks use, and
returns a result the caller prints or acts on. Writing is explicit (`apply`),
refuses an invalid manifest, and is idempotent: a second sync writes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any

from opscheck import files, governance
from opscheck.errors import OpscheckError
from opscheck.platform import Platform
from opscheck.views import Manifest, ModelRegistry, Views


class Refused(OpscheckError):
    """A governance command refused to act (invalid manifest, a repeated training window)."""


@dataclasses.dataclass(frozen=True)
class SyncResult:
    """What `sync` found and did: the diff before, rows written, and the diff after."""

    before: governance.RegistryDiff
    written: int
    after: governance.RegistryDiff | None

    @property
    def in_sync(self) -> bool:
        final = self.after if self.after is not None else self.before
        return final.empty


def _registry_rows(manifest: Manifest) -> list[dict[str, Any]]:
    problems = manifest.problems
    if problems:
        raise Refused(f"{manifest.path} is invalid, nothing written {governance.problem_list(problems)}")
    return manifest.registry_rows()


def sync(platform: Platform, apply: bool = False) -> SyncResult:
    """Diff the registry against the manifest; with `apply`, upsert in one MERGE and diff again.

    Refuses an invalid manifest (every problem listed) before reading the
    registry, and writes nothing when nothing differs.
    """
    if apply and platform.channel.mode == "offline":
        raise Refused("--apply writes to BigQuery, which an offline replay cannot: run with --mode live")
    manifest = _views(platform).get(Manifest)
    wanted = _registry_rows(manifest)
    before = governance.diff_registry(wanted, _views(platform).get(ModelRegistry).rows)
    if not apply or not before.writes:
        return SyncResult(before, 0, None)
    written = platform.bigquery.execute("registry_merge", rows=[_typed(r) for r in before.writes])
    after = governance.diff_registry(wanted, _views(platform).get(ModelRegistry).rows)  # read again, not the memo
    return SyncResult(before, written, after)


def _views(platform: Platform) -> Views:
    """Fresh views of today: each call reads again (so `sync` diffs what its MERGE left, not a memo)."""
    return Views.of(platform, platform.config.today())


def _typed(row: dict[str, Any]) -> dict[str, Any]:
    """A registry row with dates and timestamps as Python values, so parameters carry their types."""
    return {**row,
            "training_start_date": governance.parse_date(row["training_start_date"]),
            "training_end_date": governance.parse_date(row["training_end_date"]),
            "created_at": governance.parse_timestamp(row["created_at"]),
            "hit_rate": float(row["hit_rate"]),
            "feature_count": int(row["feature_count"])}


def listing(platform: Platform) -> list[dict[str, Any]]:
    """The registry as people read it: production first, then newest first."""
    rows = sorted(_views(platform).get(ModelRegistry).rows, key=lambda r: str(r.get("created_at")), reverse=True)
    rows.sort(key=lambda r: r.get("status") != "production")
    return [{"file": r.get("model_file"),
             "training": f"{r.get('training_start_date')} .. {r.get('training_end_date')}",
             "hit_rate": r.get("hit_rate"), "status": r.get("status"),
             "sha256": str(r.get("sha256") or "")[:12]} for r in rows]


def model_section(platform: Platform) -> str:
    """The MODEL section the manifest's production model generates."""
    manifest = _views(platform).get(Manifest)
    try:
        return governance.model_section(manifest.production)
    except ValueError as exc:
        raise Refused(f"{manifest.path}: {exc}") from None


MAX_DOC_BYTES = 1 << 20
"""A team doc is text a person edits: anything larger is not one (and /dev/zero is endless)."""


def check_doc(platform: Platform, doc: Path) -> str:
    """A unified diff from the doc's MODEL section to the generated one ('' when they agree)."""
    text = _read(doc)
    problem = governance.section_problem(text)
    wanted = model_section(platform)
    if problem:
        return f"--- {doc}\n+++ generated from the manifest\n({problem}: fix the doc by hand, then --write)\n"
    found = governance.extract_model_section(text)
    if found is None:
        return (f"--- {doc}\n+++ generated from the manifest\n(no MODEL section between "
                f"{governance.MODEL_BEGIN} and {governance.MODEL_END})\n" + wanted + "\n")
    return governance.section_diff(found, wanted, str(doc))


def write_doc(platform: Platform, doc: Path) -> bool:
    """Rewrite the doc's MODEL section (appended when it has none); False when it already agreed.

    Refuses a doc whose markers cannot be read as one section, and anything that is not a regular
    file; the new text replaces the old in one rename, so an interrupted write leaves the old doc.
    """
    doc = doc.resolve() if doc.is_symlink() else doc  # the file a link points at, not the link, is the doc
    if not doc.parent.is_dir():
        raise OpscheckError(f"{doc}: its folder {doc.parent} does not exist: give the team doc's path")
    text = _read(doc) if os.path.lexists(doc) else ""
    if text and not os.access(doc, os.W_OK):
        raise OpscheckError(f"{doc}: read-only or immutable: make it writable (chmod u+w, chattr -i), or --check "
                            "it instead")
    try:
        updated = governance.with_model_section(text, model_section(platform))
    except ValueError as exc:
        raise Refused(f"{doc}: {exc}: fix the doc by hand (which section is right is a person's call)") from None
    if updated == text:
        return False
    partial = doc.with_name(f".{doc.name}.opscheck-partial")
    try:
        partial.write_bytes(updated.encode("utf-8"))
        if doc.exists():
            shutil.copymode(doc, partial)
        partial.replace(doc)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise OpscheckError(f"{doc}: cannot be written ({exc.strerror or exc}): is its folder writable?") from None
    return True


def _read(doc: Path) -> str:
    """The doc's text exactly (line endings kept: a rewrite must leave other bytes alone).

    Only a regular file of at most MAX_DOC_BYTES: a folder, a device (/dev/zero is endless) or a
    FIFO (which blocks until someone writes) is refused before it is opened.
    """
    try:
        data = files.read_bounded(doc, MAX_DOC_BYTES)
    except FileNotFoundError:
        raise OpscheckError(f"{doc}: no such file") from None
    except files.NotAFile as exc:
        raise OpscheckError(f"{exc}: give the team doc's path") from None
    except OSError as exc:
        raise OpscheckError(f"{doc}: cannot be read ({exc.strerror or exc})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise OpscheckError(f"{doc}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def guard(platform: Platform, start: dt.date, end: dt.date, force: bool = False) -> governance.GuardVerdict:
    """The pre-training check: refuse a training window the manifest or registry already holds.

    Raises Refused naming the model(s) unless `force`; overlapping windows
    are returned for the caller to warn about, never refused.
    """
    views = _views(platform)
    models = [*views.get(Manifest).entries, *views.get(ModelRegistry).rows]
    verdict = governance.guard(start, end, models)
    if verdict.refused and not force:
        raise Refused(f"training window {start} .. {end} already produced "
                      + "; ".join(governance.describe(m) for m in verdict.same)
                      + ": retraining it would deploy a duplicate (use --force only to replace it on purpose)")
    return verdict
