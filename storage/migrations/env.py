"""Alembic environment: migrate on the connection handed over by `storage.schema` (the one that
holds its migration lock), or on DATABASE_URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import context
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)

target_metadata = SQLModel.metadata


@contextmanager
def _connection() -> Iterator[Connection]:
    handed: Connection | None = context.config.attributes.get("connection")
    if handed is not None:
        yield handed  # `storage.schema.upgrade` closes it, after releasing its lock
        return
    engine: Engine | None = context.config.attributes.get("engine")
    if engine is None:
        # The alembic CLI (e.g. `alembic revision --autogenerate`) lands here.
        from bot.config import Settings
        from storage.db import make_engine

        engine = make_engine(Settings.from_env().database_url)
    with engine.connect() as connection:
        yield connection


def run_migrations_online() -> None:
    with _connection() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a SQLite table by copying it and dropping the original; with
            # foreign keys enforced, that DROP deletes every row referring to the table, down
            # the cascades (a partner's team, touchpoints, collisions). SQLite takes this
            # pragma only outside a transaction.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                compare_type=True,
                render_as_batch=sqlite,
            )
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    _refuse_broken_references(connection)
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def _refuse_broken_references(connection: Connection) -> None:
    """Roll the migration back if it left a row pointing at one that is not there."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")


run_migrations_online()
