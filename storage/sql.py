"""Plain SQL for the hot paths, run by the database driver itself in the session's transaction.

`/partner log` under load and the dispatcher's per-message bookkeeping run a handful of small
statements many times a second. Through SQLAlchemy each costs 15–150 µs of Python (statement
caching, parameter and result processing, `IN` expansion, the ORM's execution layer); the same
statement handed to the driver costs 3–20 µs. So these few statements are written once as SQL
and run on the DB-API connection under the session, inside its transaction: the session still
begins, commits and rolls back, and the rest of Liaison keeps using SQLAlchemy.

The SQL is written in SQLite's `:name` style; the PostgreSQL form (`%(name)s`) is derived once.
Values cross as the columns store them: `Driver.time` turns an aware datetime into what the
column holds (SQLAlchemy's text form in SQLite, an aware UTC timestamp in PostgreSQL), and
`utc` turns what comes back into an aware UTC datetime again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlmodel import Session

Params = Mapping[str, Any]

# `:name`, but not `::cast` nor a colon inside a number or time such as '09:00'.
_NAMED = re.compile(r"(?<![:\w]):(\w+)")
# Where `Driver.of` keeps the driver of a session's transaction (in `Session.info`).
_DRIVER_KEY = "liaison_sql_driver"


class Sql:
    """One statement in SQLite's `:name` style, and where PostgreSQL needs other SQL, its own
    (also written with `:name`)."""

    __slots__ = ("sqlite", "postgresql")

    def __init__(self, sqlite: str, postgresql: str | None = None) -> None:
        self.sqlite = sqlite
        self.postgresql = _NAMED.sub(r"%(\1)s", (postgresql or sqlite).replace("%", "%%"))


class Driver:
    """The session's DB-API connection, for running `Sql` in the session's transaction."""

    __slots__ = ("connection", "postgresql")

    def __init__(self, session: Session) -> None:
        connection = session.connection()
        self.postgresql = connection.dialect.name == "postgresql"
        self.connection: Any = connection.connection.dbapi_connection

    @classmethod
    def of(cls, session: Session) -> Driver:
        """The driver of the session's current transaction, made once per transaction: asking
        the session for its connection costs ~10 µs, and `/partner log` runs ten statements."""
        transaction = session.get_transaction()
        kept = session.info.get(_DRIVER_KEY)
        if kept is not None and transaction is not None and kept[0] is transaction:
            if transaction.is_active:
                driver: Driver = kept[1]
                return driver
        driver = cls(session)  # begins a transaction when there is none
        session.info[_DRIVER_KEY] = (session.get_transaction(), driver)
        return driver

    def execute(self, sql: Sql, params: Params) -> int:
        """Run a statement; how many rows it changed."""
        cursor = self.connection.cursor()
        try:
            cursor.execute(self.text(sql), params)
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def execute_many(self, sql: Sql, params: Sequence[Params]) -> None:
        if not params:
            return
        cursor = self.connection.cursor()
        try:
            cursor.executemany(self.text(sql), params)
        finally:
            cursor.close()

    def rows(self, sql: Sql, params: Params) -> list[tuple[Any, ...]]:
        cursor = self.connection.cursor()
        try:
            cursor.execute(self.text(sql), params)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def first(self, sql: Sql, params: Params) -> tuple[Any, ...] | None:
        """The first row, if any (RETURNING of an insert that may do nothing, lookups)."""
        cursor = self.connection.cursor()
        try:
            cursor.execute(self.text(sql), params)
            row: tuple[Any, ...] | None = cursor.fetchone()
            return row
        finally:
            cursor.close()

    def scalar(self, sql: Sql, params: Params) -> Any:
        row = self.first(sql, params)
        return None if row is None else row[0]

    def text(self, sql: Sql) -> str:
        """The statement as this driver takes it."""
        return sql.postgresql if self.postgresql else sql.sqlite

    def time(self, moment: datetime | None) -> Any:
        """An aware datetime as its column stores it (None stays None)."""
        return stored_time(moment, postgresql=self.postgresql)


def stored_time(moment: datetime | None, *, postgresql: bool) -> Any:
    """An aware datetime as a UTC column stores it: SQLAlchemy's text form in SQLite."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    if postgresql:
        return moment.astimezone(UTC)
    # As SQLAlchemy's SQLite DATETIME (and so storage.types.UTCDateTime) stores a moment:
    # "2026-11-26 09:30:00.000000".
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def utc(value: Any) -> datetime:
    """A moment read from a UTC column, aware."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    if not isinstance(value, datetime):
        raise TypeError(f"not a moment: {value!r}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_or_none(value: Any) -> datetime | None:
    return None if value is None else utc(value)


def listed(name: str, values: Iterable[Any]) -> dict[str, Any]:
    """The parameters `name0`, `name1`, … of an `IN ({name})` list in a `sized` statement."""
    return {f"{name}{index}": value for index, value in enumerate(values)}


@lru_cache(maxsize=256)
def _joined(name: str, count: int) -> str:
    return ", ".join(f":{name}{index}" for index in range(count))


@lru_cache(maxsize=256)
def sized(template: str, postgresql: str | None = None, **counts: int) -> Sql:
    """`template` (and its PostgreSQL form) with each `{name}` replaced by the placeholders of
    an `IN` list of `counts[name]` values, named as `listed` names them; one `Sql` per shape."""
    lists = {name: _joined(name, n) for name, n in counts.items()}
    return Sql(template.format(**lists), postgresql.format(**lists) if postgresql else None)
