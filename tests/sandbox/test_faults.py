"""Faults stack and heal in reverse; an unknown one names the list.

Each fault's own raw-state proof (its `observe=` differs broken and comes back healed, read with the
platform's own clients, never opscheck's checks) runs with its live matrix row, on the same
injection: tests/sandbox/test_faults_live.py.
"""

from __future__ import annotations

import pytest

from opscheck.sandbox import faults
from opscheck.sandbox.lifecycle import Sandbox
from opscheck.sandbox.processes import SandboxError


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
