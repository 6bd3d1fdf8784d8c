"""Code health checks that read the source, not run it: README's layout section against the
tree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("dashboard", "providers")


# ---------------------------------------------------------------- README's layout section


DESCRIPTION_COLUMN = 27  # where descriptions start in README's layout block


def layout_block() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Layout\n+```\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    assert match, "README.md has no '## Layout' section with a ``` block"
    return match.group(1).splitlines()


def layout_paths(lines: list[str]) -> set[str]:
    """The paths a layout block names. A line is names separated by single spaces, then (after
    two or more spaces) a description; a line indented two spaces deeper than a ``name/`` line
    names things inside it; a line with only a description continues the one above."""
    paths: set[str] = set()
    parents: dict[int, str] = {}  # indentation -> folder path named at that depth
    for line in lines:
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if not stripped or indent >= DESCRIPTION_COLUMN:  # blank, or a description carried over
            continue
        parent = parents.get(indent - 2, "") if indent else ""
        names = re.split(r" {2,}", stripped, maxsplit=1)[0].split(" ")
        for name in names:
            paths.add(parent + name)
            if name.endswith("/"):
                parents[indent] = parent + name
    return {path.rstrip("/") for path in paths}


def test_the_layout_parser_reads_nesting_and_descriptions() -> None:
    lines = [
        "a.py b/".ljust(DESCRIPTION_COLUMN) + "two names",
        "c/".ljust(DESCRIPTION_COLUMN) + "a folder",
        "  d.py e.py".ljust(DESCRIPTION_COLUMN) + "inside c",
        " " * DESCRIPTION_COLUMN + "description carried over, not.py",
        "  f/",
        "    g.py   h.py is only described",
    ]
    assert layout_paths(lines) == {"a.py", "b", "c", "c/d.py", "c/e.py", "c/f", "c/f/g.py"}


def test_every_path_the_readme_layout_names_exists() -> None:
    missing = sorted(path for path in layout_paths(layout_block()) if not (ROOT / path).exists())
    assert missing == []


@pytest.mark.parametrize("package", PACKAGES)
def test_every_top_level_module_and_package_is_named_in_the_readme_layout(package: str) -> None:
    named = layout_paths(layout_block())
    top_level = {
        f"{package}/{path.name}"
        for path in (ROOT / package).iterdir()
        if (path.suffix == ".py" and path.name != "__init__.py")
        or (path.is_dir() and (path / "__init__.py").exists())
    }
    assert sorted(top_level - named) == []
