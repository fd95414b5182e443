"""The hooks that exist only with pytest-xdist: registered by hooks.py when it is installed.

As pytest-randomly does, in a class registered only when xdist is present, so a run without
xdist never meets a hook it does not know. What they do: under `pytest -n N` the delivery probes
share one worker and run in file order, as they do serially; an active probe's messages in flight
would otherwise show up as backlog in a passive probe running beside it. And each worker's bytes
billed reach the controller, which reports the run's total.
"""

from __future__ import annotations

from typing import Any

import pytest

from opscheck.delivery import PROBE_GROUP
from opscheck.reports.collector import BYTES_OUTPUT

LOADGROUP_INPUT = "opscheck_loadgroup"  # workerinput key: the controller switched `-n N` to loadgroup


class XdistHooks:
    """Schedule by group, so the delivery probes share a worker."""

    def __init__(self, config: pytest.Config) -> None:
        """On the controller, `--dist load` becomes `loadgroup`.

        A worker parses the command line again and decides on grouping before any plugin is
        configured (`setup_config` in xdist/remote.py): from `-n 2` alone it sees `--dist load`, so
        the switch reaches it through its `workerinput` (pytest_configure_node) and is applied here.
        """
        if getattr(config.option, "dist", "no") == "load":
            config.option.dist = "loadgroup"
        if getattr(config, "workerinput", {}).get(LOADGROUP_INPUT):
            config.option.loadgroup = True  # what makes a worker suffix node ids with their group

    def pytest_configure_node(self, node: Any) -> None:
        """On the controller, for each worker: pass the switch to `loadgroup` on."""
        node.workerinput[LOADGROUP_INPUT] = node.config.option.dist == "loadgroup"

    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """On the controller, as each worker ends: what its queries billed, for the run's total."""
        reports = node.config.pluginmanager.get_plugin("opscheck-reports")
        if reports is not None:
            reports.worker_bytes += int(getattr(node, "workeroutput", {}).get(BYTES_OUTPUT, 0))

    @pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            if item.get_closest_marker("probe"):
                item.add_marker(pytest.mark.xdist_group(PROBE_GROUP))
