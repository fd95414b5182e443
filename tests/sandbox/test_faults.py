"""Every fault changes the platform observably in its raw state, and heal restores it.

Each fault declares how its effect is observed (`observe=`, opscheck/sandbox/faults/observe.py):
with the platform's own clients and processes, never opscheck's checks. This proves the faults,
so the checks can later be proved by them.
"""

from __future__ import annotations

import pytest

from opscheck.sandbox import faults
from opscheck.sandbox.lifecycle import Sandbox
from opscheck.sandbox.processes import SandboxError


@pytest.mark.parametrize("name", sorted(faults.FAULTS))
def test_break_changes_raw_state_and_heal_restores_it(healthy: Sandbox, name: str) -> None:
    observe = faults.FAULTS[name].observe
    before = observe(healthy)
    detail = faults.inject(healthy, name)
    assert detail["fault"] == name and healthy.faults == [name]
    broken = observe(healthy)
    assert broken != before, f"{name} changed nothing observable: {before!r}"
    assert faults.heal(healthy) == [name]
    assert observe(healthy) == before
    assert healthy.faults == []


def test_stacked_faults_heal_in_reverse(healthy: Sandbox) -> None:
    count = faults.FAULTS["partial-run"].observe
    before = count(healthy)
    faults.inject(healthy, "partial-run")
    faults.inject(healthy, "morning-run-missing")
    assert count(healthy) == 0
    faults.heal(healthy)
    assert count(healthy) == before


def test_unknown_fault_names_the_list_command(healthy: Sandbox) -> None:
    with pytest.raises(SandboxError, match="sandbox break --list"):
        faults.inject(healthy, "no-such-fault")
