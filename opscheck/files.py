"""Reading a file a person names, without trusting that it is one.

`--check /dev/zero` read to 23 GB before the kernel stopped it, and a FIFO
blocked the command for ever: what is read must be a regular file, checked
before it is opened, and never more than a bound.
"""

from __future__ import annotations

import stat
from pathlib import Path


class NotAFile(ValueError):
    """The path exists but is a folder, a device or a pipe, or it is larger than the bound."""


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of `path`, a regular file of at most `limit` bytes (NotAFile otherwise; OSError as raised)."""
    if not stat.S_ISREG(path.stat().st_mode):
        raise NotAFile(f"{path}: not a regular file (a folder, a device or a pipe)")
    with path.open("rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise NotAFile(f"{path}: larger than {limit:,} bytes")
    return data
