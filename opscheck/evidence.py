"""Evidence a check attaches to its report: small tables and notes.

Why: on-call must see *what* the check saw (the per-version counts, the
missing (date, subset) pairs) next to the failure, in the terminal, the HTML
report and allure alike, without rerunning queries by hand.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

_MAX_ROWS = 40


class Evidence:
    """What one check collected; rendered into every report format."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def table(self, title: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Attach rows (capped) as a fixed-width table."""
        self.items.append((title, render_table(rows)))

    def note(self, title: str, text: str) -> None:
        self.items.append((title, text))

    def json(self, title: str, value: Any) -> None:
        self.items.append((title, json.dumps(value, indent=2, sort_keys=True, default=str)))

    def text(self) -> str:
        return "\n\n".join(f"{title}:\n{body}" for title, body in self.items)


def render_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """Rows as an aligned text table; more than a screenful is cut with a count."""
    if not rows:
        return "(no rows)"
    columns = list(rows[0].keys())
    shown = [[_cell(row.get(c)) for c in columns] for row in rows[:_MAX_ROWS]]
    widths = [max(len(c), *(len(r[i]) for r in shown)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in shown]
    if len(rows) > _MAX_ROWS:
        lines.append(f"... {len(rows) - _MAX_ROWS} more rows")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
