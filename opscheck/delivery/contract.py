"""What the platform's services agree to do with opscheck's probe messages.

Active probes push and publish real messages through the real path; these
marks let the worker and coordinator treat them as probes, so nothing a probe
does can be mistaken for (or supersede) a real prediction. docs/probes.md
states the contract for the platform's team; the local platform implements it.
"""

from __future__ import annotations

PROBE_ATTRIBUTE = "opscheck_probe"
"""Message attribute: the probe's id. The worker writes no active row for such a message."""

EXPIRES_ATTRIBUTE = "opscheck_probe_expires"
"""Message attribute: epoch seconds after which the worker acknowledges the message and does nothing."""

CANARY_KEY = "opscheck_canary"
"""A message whose JSON data has this key is a canary: acknowledged at once, never predicted."""

ROW_PREFIX = "probe-"
"""Rows a probe request writes carry prediction_id `probe-<probe id>-<player>` and is_active FALSE."""

BATCH_PREFIX = "probe-"
"""A probe batch's id is `probe-<probe id>`; passive stall checks leave such batches to their probe."""


def row_id(probe_id: str, player: str) -> str:
    """The prediction_id a probe request's row carries."""
    return f"{ROW_PREFIX}{probe_id}-{player}"
