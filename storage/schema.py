"""Alembic, driven from code: `liaison migrate`, the start-up check, and the tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


class SchemaOutOfDate(Exception):
    """The database is behind the code's migrations and auto-migration is off."""


class SchemaTooNew(SchemaOutOfDate):
    """A newer Liaison migrated the database: this version knows nothing of its schema."""


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


def refuse_unknown(current: str | None) -> None:
    """Raise SchemaTooNew when `current` is no revision of this version's migrations."""
    if current is None:
        return
    try:
        ScriptDirectory(str(MIGRATIONS)).get_revision(current)
    except CommandError:
        raise SchemaTooNew(
            f"the database schema is at {current}, which this version of Liaison does not know "
            f"(it knows up to {head_revision()}): a newer Liaison migrated it; run that version, "
            "or set DATABASE_URL to this version's database"
        ) from None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (idempotent); SchemaTooNew when a newer Liaison's."""
    refuse_unknown(current_revision(engine))
    command.upgrade(alembic_config(engine), revision)


def ensure_current(engine: Engine, *, auto_migrate: bool) -> None:
    """Refuse to run on an out-of-date schema, or migrate first when configured to."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    refuse_unknown(current)
    if auto_migrate:
        upgrade(engine)
        return
    if current is None:
        raise SchemaOutOfDate(
            "the database at DATABASE_URL is empty: run `liaison migrate` to create Liaison's "
            "tables there (or set LIAISON_AUTO_MIGRATE=true)."
        )
    raise SchemaOutOfDate(
        f"the database schema is at {current}, older than this version's {head}: run "
        "`liaison migrate` (or set LIAISON_AUTO_MIGRATE=true)."
    )
