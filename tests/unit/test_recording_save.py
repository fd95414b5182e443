"""A recorded scenario is written whole or not at all (issue 18: an interrupted record left half a scenario)."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest

from opscheck import replay
from opscheck.replay import RecordChannel, Scenario

META = {"as_of": "2026-02-09T07:30:00-05:00", "today": "2026-02-09", "project": "p", "target": "sandbox"}


def record(folder: Path, calls: dict[str, Any]) -> RecordChannel:
    channel = RecordChannel(Scenario(folder))
    for gateway, result in calls.items():
        channel.call(gateway, "op", {"a": 1}, functools.partial(lambda value: value, result))
    return channel


def test_a_save_merges_and_swaps_in_whole(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    record(folder, {"bigquery": [1], "pubsub": {"x": 1}}).save(META)
    record(folder, {"bigquery": [2]}).save(META)
    assert replay.available(tmp_path) == ["s"] and sorted(p.name for p in tmp_path.iterdir()) == ["s"]
    assert json.loads((folder / "bigquery.json").read_text())["calls"][0]["result"] == [2]
    assert (folder / "pubsub.json").is_file()  # kept from the first recording


def test_a_save_that_fails_halfway_leaves_the_previous_scenario(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "s"
    record(folder, {"bigquery": [1]}).save(META)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    channel = record(folder, {"bigquery": [2], "pubsub": {"x": 1}})
    written: list[str] = []
    real = Path.write_text

    def failing(path: Path, text: str, *args: Any, **kwargs: Any) -> int:
        if written:
            raise KeyboardInterrupt  # Ctrl-C while the second file is written
        written.append(path.name)
        return real(path, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", failing)
    with pytest.raises(KeyboardInterrupt):
        channel.save(META)
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]  # no partial copy left behind
