"""Write the fault table of docs/recordings.md from the faults' own declarations.

Each fault declares the checks it must fail per suite (opscheck/sandbox/faults/); the doc shows
them, and tests/plugin/test_scenarios.py fails while the doc is stale. Run after adding a fault:
`.venv/bin/python tools/fault_table.py`.
"""

from __future__ import annotations

import re
from pathlib import Path

from opscheck.sandbox.faults import markdown_table

DOC = Path(__file__).resolve().parents[1] / "docs" / "recordings.md"
MARK = "<!-- fault table -->\n"


def main() -> None:
    text = DOC.read_text()
    if MARK not in text:
        raise SystemExit(f"{DOC}: no '{MARK.strip()}' line to put the table after")
    head, tail = text.split(MARK, 1)
    rest = re.sub(r"\A(\|[^\n]*\n)*", "", tail)  # the old table: every line that starts with |
    DOC.write_text(head + MARK + markdown_table() + rest)
    print(f"{DOC}: fault table written")


if __name__ == "__main__":
    main()
