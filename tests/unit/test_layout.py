"""The house a newcomer finds: few top-level modules, none too long, and a README that maps it truly."""

from __future__ import annotations

import re
from pathlib import Path

from opscheck.plugin.hooks import MARKERS

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "opscheck"
MAX_TOP_MODULES = 8
MAX_LINES = 400


def _layout_block() -> str:
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Layout\n", 1)[1]
    return section.split("```\n", 2)[1]


def test_the_package_top_level_is_a_few_modules_beside_its_rooms() -> None:
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(modules) <= MAX_TOP_MODULES, modules


def test_no_module_of_the_package_is_over_400_lines() -> None:
    long = {str(p.relative_to(REPO)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, long


def test_the_readme_layout_names_every_room_and_module_of_the_package() -> None:
    block = _layout_block()
    named = set(re.findall(r"(?<![\w/.])([a-z_]+(?:/|\.py))", block))
    rooms = {f"{p.name}/" for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    top = {p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py"}
    assert rooms | top <= named, sorted((rooms | top) - named)
    for folder in re.findall(r"^([a-z]+)/ ", block, re.M):  # the repository's own folders
        assert (REPO / folder).is_dir(), folder


def test_each_checks_folder_is_named_after_its_marker() -> None:
    folders = {p.name for p in (REPO / "checks").iterdir() if p.is_dir() and any(p.glob("test_*.py"))}
    assert folders <= set(MARKERS), sorted(folders - set(MARKERS))
