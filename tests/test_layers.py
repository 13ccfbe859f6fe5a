"""The dependency direction of DESIGN.md: handlers → bot services → storage.

Read from the source with `ast`, so a late (function-level) import counts as much as a top one.
`bot/app.py` is the composition root: it alone wires handlers into the app and the scheduler.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPOSITION_ROOTS = {Path("bot/app.py")}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def sources(package: str) -> list[Path]:
    return sorted(
        path.relative_to(ROOT)
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def top_packages(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported_modules(ROOT / path)}


@pytest.mark.parametrize("path", sources("storage"), ids=str)
def test_storage_imports_nothing_from_slack_or_the_layers_above(path: Path) -> None:
    assert not top_packages(path) & {"bot", "handlers", "slack_bolt", "slack_sdk"}


@pytest.mark.parametrize("path", [p for p in sources("bot") if p not in COMPOSITION_ROOTS], ids=str)
def test_bot_does_not_import_handlers(path: Path) -> None:
    assert "handlers" not in top_packages(path)


def test_the_composition_root_is_where_handlers_are_wired() -> None:
    assert "handlers" in top_packages(Path("bot/app.py"))


@pytest.mark.parametrize("path", sources("bot/services") + sources("bot/delivery"), ids=str)
def test_services_know_nothing_of_bolt(path: Path) -> None:
    assert "slack_bolt" not in top_packages(path)
