"""Empty each recorded answer of `healthy` in turn: every check that reads it fails, or skips saying why.

Done-when 3 of issue 18. Which check reads which answer is traced, not guessed: a plugin run beside the
checks notes every recorded call each view's memo made while computing a value, and every memo (and
direct call) each check touched during its own run. A check "reads" a call when the call fed something
it touched. An emptied answer ([] for a list, {} for an object, "" for text, null for a number or a
flag) must then never leave a reader passing: "nothing to judge" is never a pass.

Calls whose readers do not overlap are emptied together, so the suite runs a handful of times, not once
per call; a check reading two emptied calls in one run would hide which one it tripped on.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from opscheck.replay import key
from tests.helpers import RECORDINGS, REPO, run_checks, summary_of

CHECKS = str(REPO / "checks")
TRACE = '''
import contextvars, json, os
import pytest
from opscheck import replay
from opscheck.views import base

_computing = contextvars.ContextVar("computing", default=())
_fed = {}      # memo -> recorded calls it made, and memos it read, while computing
_touched = {}  # check -> memos and recorded calls it reached during its own run
_check = [None]
_get, _entry = base.Calls.get, replay.ReplayChannel._entry

def get(self, key, compute):
    memo = f"{self.owner}:{key!r}"
    stack = _computing.get()
    if stack:
        _fed.setdefault(stack[-1], set()).add(("memo", memo))
    elif _check[0]:
        _touched.setdefault(_check[0], set()).add(("memo", memo))
    def traced():
        token = _computing.set(stack + (memo,))
        try:
            return compute()
        finally:
            _computing.reset(token)
    return _get(self, key, traced)

def entry(self, gateway, operation, args, shape):
    call = ("call", gateway, replay.key(operation, args))
    stack = _computing.get()
    if stack:
        _fed.setdefault(stack[-1], set()).add(call)
    elif _check[0]:
        _touched.setdefault(_check[0], set()).add(call)
    return _entry(self, gateway, operation, args, shape)

base.Calls.get, replay.ReplayChannel._entry = get, entry

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    _check[0] = item.nodeid
    yield
    _check[0] = None

def pytest_sessionfinish(session):
    def calls(node, seen):
        if node in seen:
            return set()
        seen.add(node)
        if node[0] == "call":
            return {node[1:]}
        return set().union(*(calls(n, seen) for n in _fed.get(node[1], ()))) if _fed.get(node[1]) else set()
    reads = {check: sorted({c for node in nodes for c in calls(node, set())}) for check, nodes in _touched.items()}
    with open(os.environ["OPSCHECK_TRACE_FILE"], "w") as fh:
        json.dump(reads, fh)
'''


def emptied(result: Any) -> Any:
    """The answer with nothing in it, kept to its JSON type where there is one to keep."""
    if isinstance(result, list):
        return []
    if isinstance(result, dict):
        return {}
    if isinstance(result, str):
        return ""
    return None


def outcomes(folder: Path) -> dict[str, tuple[str, str]]:
    """check id -> (outcome, message), from the run's summary.json."""
    return {c["id"]: (c["outcome"], c["message"]) for c in summary_of(folder)["checks"]}


def rounds(readers: dict[tuple[str, str], set[str]]) -> list[list[tuple[str, str]]]:
    """The calls in groups whose readers do not overlap (greedy: most-read calls first)."""
    groups: list[tuple[list[tuple[str, str]], set[str]]] = []
    for call in sorted(readers, key=lambda c: (-len(readers[c]), c)):
        group = next((g for g in groups if not g[1] & readers[call]), None)
        if group is None:
            groups.append(([call], set(readers[call])))
        else:
            group[0].append(call)
            group[1].update(readers[call])
    return [calls for calls, _ in groups]


def test_every_recorded_answer_of_healthy_emptied_fails_or_skips_its_readers(
    pytester: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(read_trace=TRACE)
    pytester.syspathinsert()
    trace = tmp_path / "reads.json"
    monkeypatch.setenv("OPSCHECK_TRACE_FILE", str(trace))
    traced = run_checks(pytester, CHECKS, "-p", "read_trace", f"--report-dir={tmp_path / 'healthy-run'}")
    assert traced.ret == pytest.ExitCode.OK, traced.stdout.str()[-3000:]
    readers: dict[tuple[str, str], set[str]] = {}
    for check, calls in json.loads(trace.read_text()).items():
        for gateway, call in calls:
            readers.setdefault((gateway, call), set()).add(check)
    recorded = {(path.stem, key(c["operation"], c["args"])) for path in (RECORDINGS / "healthy").glob("*.json")
                if path.name != "meta.json" for c in json.loads(path.read_text())["calls"] if "result" in c}
    assert readers and set(readers) <= recorded, set(readers) - recorded
    blind: list[str] = []
    for number, group in enumerate(rounds(readers)):
        scenario = tmp_path / f"round{number}"
        shutil.copytree(RECORDINGS / "healthy", scenario / "healthy")
        (scenario / "blobs").symlink_to(RECORDINGS / "blobs")  # sidecars (model bytes) sit beside the scenarios
        for gateway in {g for g, _ in group}:
            path = scenario / "healthy" / f"{gateway}.json"
            data = json.loads(path.read_text())
            for call in data["calls"]:
                if (gateway, key(call["operation"], call["args"])) in group:
                    call["result"] = emptied(call["result"])
            path.write_text(json.dumps(data))
        run_checks(pytester, CHECKS, "--recordings", str(scenario), f"--report-dir={scenario / 'out'}")
        seen = outcomes(scenario / "out")
        for call in group:
            for check in sorted(readers[call]):
                outcome, message = seen.get(check, ("not run", ""))
                if outcome not in ("failed", "error") and not (outcome == "skipped" and message.strip()):
                    blind.append(f"{check} {outcome} with {call[0]}.{call[1][:140]} emptied")
    assert blind == [], "\n".join(blind)
