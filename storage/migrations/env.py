"""Alembic environment: migrate the engine handed over by `storage.schema`, or DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)

target_metadata = SQLModel.metadata


def _engine() -> Engine:
    engine = context.config.attributes.get("engine")
    if engine is not None:
        return engine  # type: ignore[no-any-return]
    # The alembic CLI (e.g. `alembic revision --autogenerate`) lands here.
    from bot.config import Settings
    from storage.db import make_engine

    return make_engine(Settings.from_env().database_url)


def run_migrations_online() -> None:
    with _engine().connect() as connection:
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
