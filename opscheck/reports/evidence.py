"""Evidence a check attaches to its report: small tables, notes and values.

Why: on-call must see *what* the check saw (the per-version counts, the
missing (date, subset) pairs) next to the failure, in the terminal, the HTML
page and Allure alike, without rerunning queries by hand. Items keep their
structure (a table stays rows and columns) so each report renders them as it
should: aligned text in a terminal, a real table on a page.
"""

from __future__ import annotations

import dataclasses
import html
import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal

_MAX_ROWS = 40
Kind = Literal["table", "note", "json", "histogram"]


@dataclasses.dataclass(frozen=True)
class Item:
    """One piece of evidence: a table (list of rows), a note (text), a value (JSON), or histograms (rows of a
    bin and one share per series, drawn as bars side by side on a page)."""

    title: str
    kind: Kind
    payload: Any

    def text(self) -> str:
        if self.kind in ("table", "histogram"):
            return render_table(self.payload)
        if self.kind == "json":
            return json.dumps(self.payload, indent=2, sort_keys=True, default=str)
        return str(self.payload)

    def html(self) -> str:
        if self.kind == "table":
            return table_html(self.payload)
        if self.kind == "histogram":
            return histogram_html(self.payload)
        return f"<pre>{html.escape(self.text())}</pre>"

    def plain(self) -> dict[str, Any]:
        """As JSON-safe data (report records cross processes under pytest-xdist)."""
        return {"title": self.title, "kind": self.kind,
                "payload": json.loads(json.dumps(self.payload, default=str))}


class Evidence:
    """What one check collected; rendered into every report format."""

    def __init__(self) -> None:
        self.items: list[Item] = []

    def table(self, title: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Attach rows (capped at a screenful when shown)."""
        self.items.append(Item(title, "table", [dict(r) for r in rows]))

    def histogram(self, title: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Attach distributions: each row a bin (its first value) and a share (0-1) per series (the others)."""
        self.items.append(Item(title, "histogram", [dict(r) for r in rows]))

    def note(self, title: str, text: str) -> None:
        self.items.append(Item(title, "note", text))

    def json(self, title: str, value: Any) -> None:
        self.items.append(Item(title, "json", value))

    def text(self) -> str:
        return "\n\n".join(f"{item.title}:\n{item.text()}" for item in self.items)


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


def table_html(rows: Sequence[Mapping[str, Any]]) -> str:
    """Rows as an HTML table (capped like the text one), in a scrolling box for narrow screens."""
    if not rows:
        return "<p class=empty>(no rows)</p>"
    columns = list(rows[0].keys())
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(row.get(c)))}</td>" for c in columns) + "</tr>"
                   for row in rows[:_MAX_ROWS])
    more = f"<p class=more>… {len(rows) - _MAX_ROWS} more rows</p>" if len(rows) > _MAX_ROWS else ""
    return f"<div class=scroll><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>{more}"


_BAR_COLOURS = ("#8a8f98", "#c0392b", "#2e6fb5")


def histogram_html(rows: Sequence[Mapping[str, Any]]) -> str:
    """Histograms as a table of bins whose share cells carry a bar as wide as the share (one colour a series)."""
    if not rows:
        return "<p class=empty>(no rows)</p>"
    label, *series = list(rows[0].keys())
    head = f"<th>{html.escape(label)}</th>" + "".join(
        f'<th><span style="color:{_BAR_COLOURS[i % 3]}">&#9632;</span> {html.escape(s)}</th>'
        for i, s in enumerate(series))
    body = "".join(
        f"<tr><td>{html.escape(_cell(row.get(label)))}</td>" + "".join(
            f'<td><span style="display:inline-block;height:.8em;width:{_width(row.get(s))}em;'
            f'background:{_BAR_COLOURS[i % 3]}"></span> {html.escape(_cell(row.get(s)))}</td>'
            for i, s in enumerate(series)) + "</tr>"
        for row in rows[:_MAX_ROWS])
    return f"<div class=scroll><table class=histogram><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"


def _width(share: Any) -> float:
    """A share's bar width (ems): 10 for the whole; 0 for what is not a share."""
    return round(10 * min(max(float(share), 0.0), 1.0), 2) if isinstance(share, int | float) else 0.0


def _cell(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
