"""Backfills: the repairs the checks ask for, planned from the views the checks read.

`plan` turns a range of dates into ordered, deduplicated steps, each with why: a date whose predictions
are missing or partial is rerun (`POST /start` on the coordinator), then its subsets are materialised
again (`POST /materialize`), only after its predictions are complete, since the picks are made from
them. `opscheck backfill` prints the plan (a dry run: exit 0 nothing to do, 1 work to do).
"""

from opscheck.backfill.plan import Plan, Step, plan

__all__ = ["Plan", "Step", "plan"]
