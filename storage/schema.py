"""Alembic, driven from code: `liaison migrate`, the start-up check, and the tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


class SchemaOutOfDate(Exception):
    """The database is behind the code's migrations and auto-migration is off."""


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # env.py uses this engine's connection instead of building its own from a URL.
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    script = ScriptDirectory(str(MIGRATIONS))
    head = script.get_current_head()
    assert head is not None, "no migrations found"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (idempotent)."""
    command.upgrade(alembic_config(engine), revision)


def ensure_current(engine: Engine, *, auto_migrate: bool) -> None:
    """Refuse to run on an out-of-date schema, or migrate first when configured to."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    if auto_migrate:
        upgrade(engine)
        return
    raise SchemaOutOfDate(
        f"the database schema is at {current or 'nothing (empty database)'}, the code needs "
        f"{head}: run `liaison migrate` (or set LIAISON_AUTO_MIGRATE=true)."
    )
