"""The catalogue of faults: each one's facts declared once, beside the function that injects it.

A fault is one decorated function (in the module of its family): its name, a summary, the checks
it must fail in each suite (and so, every other check must pass), and how its effect is observed
in the platform's raw state. The fault matrix, the bundled scenarios' expectations and the table in
docs/recordings.md are all read from here (`tools/fault_table.py` writes the table).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from opscheck.sandbox.faults import ledger
from opscheck.sandbox.lifecycle import Sandbox
from opscheck.sandbox.processes import SandboxError

SUITES = ("daily", "training", "deploy", "probe")
"""The suites a fault's `fails` may name, in the table's column order."""

Inject = Callable[[Sandbox], dict[str, Any]]


@dataclasses.dataclass(frozen=True)
class Fault:
    name: str
    summary: str
    inject: Inject
    # suite -> the checks (names, parameters dropped) it must fail there; every other check passes.
    fails: Mapping[str, tuple[str, ...]]
    # What the fault changes, read from the raw platform: differs broken, equals again once healed.
    observe: Callable[[Sandbox], Any]


FAULTS: dict[str, Fault] = {}


def fault(name: str, summary: str, *, fails: Mapping[str, tuple[str, ...]],
          observe: Callable[[Sandbox], Any]) -> Callable[[Inject], Inject]:
    """Register the decorated function as fault `name`, with the facts the tests and the docs read."""
    unknown = set(fails) - set(SUITES)
    if unknown:
        raise ValueError(f"fault {name}: fails names no suite {sorted(unknown)} (suites: {', '.join(SUITES)})")

    def register(fn: Inject) -> Inject:
        if name in FAULTS:
            raise ValueError(f"fault {name} is declared twice")
        FAULTS[name] = Fault(name, summary, fn, dict(fails), observe)
        return fn

    return register


def inject(p: Sandbox, name: str) -> dict[str, Any]:
    """Break the platform the way incident `name` did; returns what changed."""
    if name not in FAULTS:
        raise SandboxError(f"unknown fault {name!r}: `opscheck sandbox break --list` names them")
    if not p.emulators_up():
        raise SandboxError("the local platform is not up: run `opscheck sandbox up`")
    if name in p.faults:
        return {"fault": name, "already": True}
    try:
        detail = FAULTS[name].inject(p)
    finally:
        p.save_state()  # whatever it changed is in the ledger, even if it failed halfway
    p.set_faults([*p.faults, name])
    return {"fault": name, **detail}


def heal(p: Sandbox) -> list[str]:
    """Undo every injected fault, newest first; returns the faults healed."""
    healed = p.faults
    entries = p.ledger
    while entries:
        ledger.undo(p, entries[-1])
        entries.pop()
        p.save_state()
    p.set_faults([])
    return healed


HEALTHY = "healthy"
"""The scenario recorded with no fault: it fails nothing, in every suite."""


def expectations() -> dict[str, dict[str, set[str]]]:
    """Scenario -> suite -> the checks it must fail there: `healthy` first, then every fault."""
    table = {HEALTHY: {suite: set[str]() for suite in SUITES}}
    for name, declared in sorted(FAULTS.items()):
        table[name] = {suite: set(declared.fails.get(suite, ())) for suite in SUITES}
    return table


def markdown_table() -> str:
    """The fault table of docs/recordings.md, as generated from the declarations."""
    lines = ["| scenario | " + " | ".join(SUITES) + " |", "| --- |" + " --- |" * len(SUITES)]
    for name, fails in [(HEALTHY, {}), *((f.name, f.fails) for f in sorted(FAULTS.values(), key=lambda f: f.name))]:
        cells = [", ".join(fails.get(suite, ())) or "none" for suite in SUITES]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
