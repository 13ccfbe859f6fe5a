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


def imported_names(path: Path) -> set[str]:
    """`imported_modules`, and each name taken from a package, as a module it may be:
    `from storage import people` imports `storage.people`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = imported_modules(path)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
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


@pytest.mark.parametrize("path", sources("handlers"), ids=str)
def test_handlers_open_no_database_session(path: Path) -> None:
    """Handlers parse, call a service and render: sessions are the services' (STYLE.md)."""
    assert not top_packages(path) & {"sqlmodel", "sqlalchemy"}


@pytest.mark.parametrize(
    "path", [p for p in sources("handlers") if p.parent == Path("handlers")], ids=str
)
def test_handlers_call_no_storage_query(path: Path) -> None:
    """Of storage, a handler may name the models' types (`storage.models`), never a module of
    queries: what it needs from the database, a service gives it. (The texts and blocks it
    renders with show the rows queries return, and may name their types.)"""
    reached = {
        name
        for name in imported_names(ROOT / path)
        if name.split(".")[0] == "storage"
        and name not in {"storage", "storage.models"}
        and not name.startswith("storage.models.")
    }
    assert not reached


@pytest.mark.parametrize("path", sources("handlers"), ids=str)
def test_handlers_re_export_nothing_of_the_services(path: Path) -> None:
    """A feature reaches a service's name (the partner changes' parts tables, say) from the
    service, not through another handler module that re-exports it (`import X as X`), which
    could then never drop the import without breaking them."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"), filename=str(path))
    re_exported = {
        f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bot.")
        for alias in node.names
        if alias.asname == alias.name
    }
    assert not re_exported
