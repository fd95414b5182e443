"""The page's charts: inline SVG that scales to its container, with no script and no font to fetch.

Apart from the page so a trend (reports/trends.py) is data: labels and series, drawn here.
"""

from __future__ import annotations

import dataclasses
import html


@dataclasses.dataclass(frozen=True)
class Series:
    label: str
    color: str
    values: list[float | None]  # one per x label; None: no value that day
    dashed: bool = False


@dataclasses.dataclass(frozen=True)
class Chart:
    anchor: str
    title: str
    x_labels: list[str]
    series: list[Series]
    percent: bool = False

    def svg(self) -> str:
        """The chart as inline SVG that scales to its container (no script, no fonts to fetch)."""
        width, height, left, right, top, bottom = 520, 230, 44, 24, 12, 36
        values = [v for s in self.series for v in s.values if v is not None]
        low, high = (min(values), max(values)) if values else (0.0, 1.0)
        low, high = (min(low, 0.0), high * 1.05) if not self.percent else (max(0.0, low - 0.05), min(1.0, high + 0.05))
        high = high if high > low else low + 1
        count = max(len(self.x_labels) - 1, 1)

        def x(i: int) -> float:
            return left + (width - left - right) * i / count

        def y(v: float) -> float:
            return top + (height - top - bottom) * (1 - (v - low) / (high - low))

        parts = [f'<svg class=chart viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(self.title)}">',
                 f"<title>{html.escape(self.title)}</title>"]
        for step in range(5):
            tick = low + (high - low) * step / 4
            label = f"{tick:.0%}" if self.percent else f"{tick:.0f}"
            parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
                         f'class=grid /><text x="{left - 4}" y="{y(tick) + 4:.1f}" text-anchor=end>{label}</text>')
        stride = max(1, len(self.x_labels) // 6)
        for i in range(0, len(self.x_labels), stride):
            parts.append(f'<text x="{x(i):.1f}" y="{height - 16}" text-anchor=middle>{self.x_labels[i][5:]}</text>')
        for series in self.series:
            segments: list[list[str]] = []
            current: list[str] = []
            for i, point in enumerate(series.values):
                if point is None:
                    if current:
                        segments.append(current)
                    current = []
                else:
                    current.append(f"{x(i):.1f},{y(point):.1f}")
            if current:
                segments.append(current)
            dash = ' stroke-dasharray="6 4"' if series.dashed else ""
            for points in segments:
                parts.append(f'<polyline fill=none stroke="{series.color}" stroke-width=2{dash} '
                             f'points="{" ".join(points)}" />')
                if len(points) == 1:
                    cx, cy = points[0].split(",")
                    parts.append(f'<circle cx="{cx}" cy="{cy}" r=3 fill="{series.color}" />')
        legend_x = left
        for series in self.series:
            parts.append(f'<rect x="{legend_x}" y="{height - 9}" width=10 height=4 fill="{series.color}" />'
                         f'<text x="{legend_x + 14}" y="{height - 4}">{html.escape(series.label)}</text>')
            legend_x += 20 + 8 * len(series.label)
        parts.append("</svg>")
        return "".join(parts)


