"""Model governance: the manifest as the source of truth, and what derives from it.

Four places describe one model (manifest, registry table, the team doc's MODEL
section, the file name) and incident 4 was them drifting apart. Everything
here derives from the manifest, so there is one way to say what a model is:
one file-name convention (formatted and parsed by the same code), one manifest
validation, one manifest -> registry mapping, one diff, one training-window guard.

Pure functions over plain data (all but commands.py): the CLI, the checks and the training job call
them with what the gateways read, and unit tests call them with literals.

Laid out by what a contributor looks for: names.py (the file-name convention), manifest.py
(reading and validating the manifest), diff.py (the registry derived and diffed), windows.py (the
pre-training window guard), team_doc.py (the MODEL section), and commands.py (`opscheck registry`
and the training job's calls, on a Platform). The pure parts are re-exported here, so a check
reads `governance.parse_model_file(...)` whichever module defines it.
"""

from __future__ import annotations

from opscheck.governance.diff import Change, RegistryDiff, diff_registry, registry_rows
from opscheck.governance.manifest import (
    STATUSES,
    Problem,
    date_problem,
    entries,
    model_label,
    name_problems,
    parse_date,
    parse_timestamp,
    problem_list,
    production_entry,
    same_digest,
    shared_windows,
    validate_manifest,
    window,
)
from opscheck.governance.names import DEFAULT_FEATURES, ModelName, model_file_name, model_version, parse_model_file
from opscheck.governance.team_doc import (
    MODEL_BEGIN,
    MODEL_END,
    extract_model_section,
    model_section,
    newline,
    section_diff,
    section_fields,
    section_problem,
    with_model_section,
)
from opscheck.governance.windows import GuardVerdict, describe, guard

__all__ = [
    "Change", "DEFAULT_FEATURES", "GuardVerdict", "MODEL_BEGIN", "MODEL_END", "ModelName", "Problem",
    "RegistryDiff", "STATUSES", "date_problem", "describe", "diff_registry", "entries", "extract_model_section",
    "guard", "model_label", "model_file_name", "model_section", "model_version", "name_problems", "newline",
    "parse_date", "parse_model_file", "parse_timestamp", "problem_list", "production_entry", "registry_rows",
    "same_digest", "section_diff", "section_fields", "section_problem", "shared_windows", "validate_manifest",
    "window", "with_model_section",
]
