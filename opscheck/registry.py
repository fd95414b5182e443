"""The training job's entry point, kept where it has always been: `from opscheck import registry`.

The functions live in opscheck.governance.commands beside the rest of model governance; this
module only keeps `registry.sync(...)`, `registry.guard(...)` and the others importable as before.
"""

from opscheck.governance.commands import (
    MAX_DOC_BYTES,
    Refused,
    SyncResult,
    check_doc,
    guard,
    listing,
    model_section,
    sync,
    write_doc,
)

__all__ = ["MAX_DOC_BYTES", "Refused", "SyncResult", "check_doc", "guard", "listing", "model_section", "sync",
           "write_doc"]
