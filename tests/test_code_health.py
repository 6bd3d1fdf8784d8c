"""Code health checks that read the source, not run it: radon's complexity grade of every
function in dashboard/ and providers/, and README's layout section against the tree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from radon.complexity import cc_rank, cc_visit

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("dashboard", "providers")
WORST_GRADE = "C"  # radon: A-B simple, C moderate, D and worse need splitting


def python_files() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def too_complex(source: str) -> list[str]:
    """Every function or method in ``source`` that radon rates worse than WORST_GRADE."""
    found = []
    for block in cc_visit(source):
        blocks = [block, *getattr(block, "closures", [])]
        if hasattr(block, "methods"):  # a class: judge its methods, not their sum
            blocks = list(block.methods)
        for item in blocks:
            grade = cc_rank(item.complexity)
            if grade > WORST_GRADE:
                found.append(f"{item.fullname} (line {item.lineno}): {grade} ({item.complexity})")
    return found


def test_the_check_names_a_function_radon_rates_d() -> None:
    branches = "\n".join(f"    if x == {i}:\n        return {i}" for i in range(22))
    source = f"def tangled(x):\n{branches}\n    return -1\n\n\ndef plain(x):\n    return x\n"
    assert too_complex(source) == ["tangled (line 1): D (23)"]


def test_no_function_in_dashboard_or_providers_is_rated_d_or_worse() -> None:
    assert len(python_files()) > 50
    found = [
        f"{path.relative_to(ROOT)}::{item}"
        for path in python_files()
        for item in too_complex(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "split these into named steps (radon grade C at most):\n" + "\n".join(found)


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
