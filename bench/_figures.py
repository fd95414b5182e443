"""How every benchmark states a figure against its target, so the verdicts read alike."""

from __future__ import annotations


def against(label: str, value: float, target: float, unit: str = "") -> str:
    """`label: value unit (target <= target unit) OK|OVER TARGET`."""
    verdict = "OK" if value <= target else "OVER TARGET"
    return f"{label}: {value:.2f}{unit} (target <= {target:g}{unit}) {verdict}"
