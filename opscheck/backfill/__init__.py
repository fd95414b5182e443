"""Backfills: the repairs the checks ask for, planned from the views the checks read, applied and verified.

`plan` turns a range of dates into ordered, deduplicated steps, each with why: a date whose predictions
are missing or partial is rerun (`POST /start` on the coordinator), then its subsets are materialised
again (`POST /materialize`), only after its predictions are complete, since the picks are made from
them. `apply` runs a plan live: each batch watched to N/N (a stall stops it, with the diagnosis), each
date verified by the views its checks read, every request logged. `opscheck backfill` prints the plan
(a dry run) and with `--apply` runs it.
"""

from opscheck.backfill.apply import Applied, Outcome, apply
from opscheck.backfill.plan import Plan, Step, plan

__all__ = ["Applied", "Outcome", "Plan", "Step", "apply", "plan"]
