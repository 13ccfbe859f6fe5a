"""INSERT … ON CONFLICT DO UPDATE for SQLite and PostgreSQL, the two databases Liaison runs on.

A read-then-write "get or create" races when two requests touch the same row at once (two
replicas caching the same user, fifty `add` commands bumping one version); the database's own
upsert does not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel


def table_of(model: type[SQLModel]) -> sa.Table:
    """The table behind a SQLModel class (SQLModel does not type `__table__`)."""
    table: sa.Table = model.__table__  # type: ignore[attr-defined]
    return table


def upsert(
    session: Session,
    model: type[SQLModel],
    values: Mapping[str, Any],
    *,
    key: Sequence[str],
    update: Mapping[str, Any],
) -> sa.Row[Any]:
    """Insert `values` or, when a row with the same `key` columns exists, apply `update` to it.

    Returns the row as stored afterwards.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = table_of(model)
    statement = (
        insert(table)
        .values(dict(values))
        .on_conflict_do_update(index_elements=list(key), set_=dict(update))
        .returning(*table.c)
    )
    return session.execute(statement).one()
