"""INSERT … ON CONFLICT DO UPDATE for SQLite and PostgreSQL, the two databases Liaison runs on.

A read-then-write "get or create" races when two requests touch the same row at once (two
replicas caching the same user, fifty `add` commands bumping one version); the database's own
upsert does not.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
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


# Parameters per statement in `upsert_many`, within each database's limit: PostgreSQL's 65,535;
# SQLite's 32,766, or 999 before 3.32 (the system's SQLite, which Python links to, may be older).
_PARAMETERS = {
    "postgresql": 60_000,
    "sqlite": 30_000 if sqlite3.sqlite_version_info >= (3, 32, 0) else 990,
}


def upsert_many(
    session: Session,
    model: type[SQLModel],
    rows: Sequence[Mapping[str, Any]],
    *,
    key: Sequence[str],
    update: Sequence[str],
) -> None:
    """Insert `rows` (all with the same columns) or, for each whose `key` columns match a row
    already stored, overwrite its `update` columns with the new values: as few statements as
    the database's limit on parameters allows, rather than one per row. A key given twice
    keeps the last."""
    by_key = {tuple(row[k] for k in key): row for row in rows}
    # In key order, so that two transactions upserting overlapping rows lock them in the same
    # order on PostgreSQL instead of deadlocking.
    unique = [by_key[k] for k in sorted(by_key)]
    if not unique:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = table_of(model)
    for chunk in _chunks(unique, max(1, _PARAMETERS[dialect] // len(unique[0]))):
        statement = insert(table).values([dict(row) for row in chunk])
        statement = statement.on_conflict_do_update(
            index_elements=list(key), set_={name: statement.excluded[name] for name in update}
        )
        session.execute(statement)


def _chunks(rows: Sequence[Mapping[str, Any]], size: int) -> Iterator[Sequence[Mapping[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]
