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

`Driver.send` hands a write over without waiting for its answer where the database allows it
(PostgreSQL, on a connection in autocommit): the statement commits on its own in the server
while the caller goes on (the dispatcher sends the next message to Slack), and the `Pending`
it returns collects the answer when asked; further writes may follow before it is read
(libpq's pipeline mode). Everywhere else the write runs at once and its
`Pending` already holds the answer. Either way `Pending.result()` is where the answer, or the
database's error, comes out.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import weakref
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import psycopg
from psycopg import generators, pq
from psycopg.abc import PQGen
from psycopg.waiting import Wait
from sqlalchemy import CursorResult, Delete, Update
from sqlalchemy.pool import PoolProxiedConnection
from sqlmodel import Session

Params = Mapping[str, Any]

# `:name`, but not `::cast` nor a colon inside a number or time such as '09:00'.
_NAMED = re.compile(r"(?<![:\w]):(\w+)")
# Where `Driver.of` keeps the driver of a session's transaction (in `Session.info`).
_DRIVER_KEY = "liaison_sql_driver"
# `%(name)s` (and `%%`) in the PostgreSQL form, for libpq's numbered `$1` parameters.
_PYFORMAT = re.compile(r"%%|%\((\w+)\)s")
# What the drivers raise when the database refuses or cannot run a statement.
DRIVER_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, psycopg.Error)
# The statements `Driver.send` has prepared, by checkout of a pooled connection: between two
# checkouts psycopg may have deallocated them all (it does after every rollback).
_PREPARED: weakref.WeakKeyDictionary[PoolProxiedConnection, set[bytes]] = (
    weakref.WeakKeyDictionary()
)
# The writes `Driver.send` has handed to a connection and not yet read the answers of.
_PIPELINES: weakref.WeakKeyDictionary[psycopg.Connection[Any], _Pipeline] = (
    weakref.WeakKeyDictionary()
)
# `column = ANY(:name)`: a column tested against a list parameter (`with_lists`).
_ANY = re.compile(r"([\w.]+) = ANY\(:(\w+)\)")
# SQLSTATEs: the server has no prepared statement of that name; it has one already.
_NO_SUCH_STATEMENT = "26000"
_ALREADY_PREPARED = "42P05"


class Sql:
    """One statement in SQLite's `:name` style, and where PostgreSQL needs other SQL, its own
    (also written with `:name`)."""

    __slots__ = ("sqlite", "postgresql")

    def __init__(self, sqlite: str, postgresql: str | None = None) -> None:
        self.sqlite = sqlite
        self.postgresql = _NAMED.sub(r"%(\1)s", (postgresql or sqlite).replace("%", "%%"))


class Driver:
    """The session's DB-API connection, for running `Sql` in the session's transaction."""

    __slots__ = ("connection", "postgresql", "_checkout")

    def __init__(self, session: Session) -> None:
        connection = session.connection()
        self.postgresql = connection.dialect.name == "postgresql"
        self._checkout = connection.connection
        self.connection: Any = self._checkout.dbapi_connection

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

    def send(self, sql: Sql, params: Params) -> Pending:
        """Hand a write over and return before its answer where the database allows it.

        On PostgreSQL in autocommit, outside any transaction, the statement is written to the
        server's socket and the call returns: the server runs and commits it on its own, and
        `result()` collects the answer. Further writes may be handed over before that answer
        has been read (they queue behind it, each committing on its own); nothing else runs on
        this connection until every answer has been read (libpq would refuse). Elsewhere, in
        SQLite or inside a transaction, the write runs now, as `execute` would, and commits
        with the transaction.
        """
        connection = self.connection
        if not self.postgresql or not connection.autocommit:
            return Answered(self.execute(sql, params))
        pipeline = _PIPELINES.get(connection)
        if pipeline is None or not pipeline.writes:
            if connection.pgconn.transaction_status != pq.TransactionStatus.IDLE:
                return Answered(self.execute(sql, params))
            pipeline = _PIPELINES[connection] = _Pipeline(connection)
        prepared = _PREPARED.setdefault(self._checkout, set())
        return pipeline.send(sql, params, prepared=prepared)

    def values(self, values: Iterable[Any]) -> Any:
        """A list of strings or integers as a `with_lists` statement's list parameter takes it:
        an array for PostgreSQL, JSON text for SQLite."""
        listed = list(values)
        return listed if self.postgresql else json.dumps(listed)

    def scalar(self, sql: Sql, params: Params) -> Any:
        row = self.first(sql, params)
        return None if row is None else row[0]

    def text(self, sql: Sql) -> str:
        """The statement as this driver takes it."""
        return sql.postgresql if self.postgresql else sql.sqlite

    def time(self, moment: datetime | None) -> Any:
        """An aware datetime as its column stores it (None stays None)."""
        return stored_time(moment, postgresql=self.postgresql)


class Pending(ABC):
    """A write handed to the database."""

    __slots__ = ()

    @abstractmethod
    def result(self) -> int:
        """How many rows the write changed, once the server has answered (waiting for it if
        need be); the database's error if it failed. Asked again, it says the same."""

    @abstractmethod
    def ready(self) -> bool:
        """Whether the answer is in, so that `result()` would not wait (never waits itself)."""


class Answered(Pending):
    """A write whose answer is already known: it ran at once, or it failed."""

    __slots__ = ("_rowcount", "_error")

    def __init__(self, rowcount: int = 0, *, error: Exception | None = None) -> None:
        self._rowcount = rowcount
        self._error = error

    def result(self) -> int:
        if self._error is not None:
            raise self._error
        return self._rowcount

    def ready(self) -> bool:
        return True


class _InFlight(Pending):
    """A write handed to a PostgreSQL connection in autocommit, its answer read or not yet."""

    __slots__ = ("_pipeline", "_prepared", "_name", "answer")

    def __init__(self, pipeline: _Pipeline, *, prepared: set[bytes], name: bytes) -> None:
        self._pipeline = pipeline
        self._prepared = prepared
        self._name = name
        self.answer: int | psycopg.Error | None = None

    def ready(self) -> bool:
        if self.answer is None:
            self._pipeline.read(until=None)
        return self.answer is not None

    def result(self) -> int:
        if self.answer is None:
            self._pipeline.read(until=self)
        assert self.answer is not None
        if isinstance(self.answer, psycopg.Error):
            raise self.answer
        return self.answer

    def settle(self, results: Sequence[pq.abc.PGresult], encoding: str) -> None:
        """Take the server's results for this write."""
        changed = 0
        for result in results:
            if result.status == pq.ExecStatus.FATAL_ERROR:
                refused = psycopg.errors.error_from_result(result, encoding=encoding)
                if refused.sqlstate == _NO_SUCH_STATEMENT:
                    # Deallocated in this checkout (a rollback, DISCARD ALL or DEALLOCATE ALL
                    # on this connection): this write did not run; the next one prepares again.
                    self._prepared.discard(self._name)
                self.answer = refused
                return
            if result.status != pq.ExecStatus.COMMAND_OK:
                status = pq.ExecStatus(result.status).name
                self.answer = psycopg.InterfaceError(f"unexpected answer to a write: {status}")
                return
            changed += result.command_tuples or 0
        self.answer = changed


class _Pipeline:
    """The writes handed to one PostgreSQL connection in autocommit whose answers are unread.

    Each write goes in libpq's pipeline mode followed by its own Sync: the server runs it in a
    transaction of its own and commits it whether or not anyone reads the answer, and a later
    write need not wait for an earlier one's answer before it is handed over. So a caller
    that hands over one write per call to Slack (the dispatcher's "sent" marks) never waits
    for the database while its answers come in: they are read, in order, when asked for or
    when already there. Once all are read the connection leaves pipeline mode, as psycopg
    expects to find it. psycopg's own waits flush the writes and read the answers (as
    `cursor.execute` does), so signals and the connection's lock behave as for any other
    statement.

    A statement is prepared the first time it is sent in a checkout of a pooled connection,
    as psycopg prepares the queries a connection repeats: parsed and planned every time, the
    dispatcher's mark kept the server busy almost twice as long (a round trip of 0.17 ms
    rather than 0.10 ms, measured on a 2-core machine). psycopg deallocates every prepared
    statement after a rollback, so one checkout does not trust what an earlier one prepared.
    Where psycopg is told not to prepare (`prepare_threshold=None`, as behind PgBouncer in
    transaction mode), neither does this.
    """

    __slots__ = ("_connection", "writes", "_results", "__weakref__")

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self._connection = connection
        self.writes: deque[_InFlight] = deque()
        # The results read so far for the oldest write, whose Sync is still to come.
        self._results: list[pq.abc.PGresult] = []

    def send(self, sql: Sql, params: Params, *, prepared: set[bytes]) -> _InFlight:
        connection = self._connection
        command, names, name = _numbered(sql.postgresql)
        encoding = connection.info.encoding
        values = [text_parameter(params[n], encoding=encoding) for n in names]
        prepare = connection.prepare_threshold is not None
        if prepare and name not in prepared and self.writes:
            self.read(until=self.writes[-1])  # prepared outside pipeline mode, below
        pgconn = connection.pgconn
        with connection.lock:
            if pgconn.pipeline_status == pq.PipelineStatus.OFF:
                if prepare and name not in prepared:
                    pgconn.send_prepare(name, command)
                    (answer,) = connection.wait(generators.execute(pgconn))
                    if answer.status != pq.ExecStatus.COMMAND_OK:
                        refused = psycopg.errors.error_from_result(answer, encoding=encoding)
                        if refused.sqlstate != _ALREADY_PREPARED:  # by an earlier checkout
                            raise refused
                    prepared.add(name)
                pgconn.enter_pipeline_mode()
            if prepare:
                pgconn.send_query_prepared(name, values)
            else:
                pgconn.send_query_params(command, values)
            pgconn.pipeline_sync()
            write = _InFlight(self, prepared=prepared, name=name)
            self.writes.append(write)
            connection.wait(generators.send(pgconn))
        return write

    def read(self, *, until: _InFlight | None) -> None:
        """Read the answers that have come (`until` None), or up to `until`'s, waiting for
        them; on the connection's failure every write still unanswered gets its error."""
        connection = self._connection
        pgconn = connection.pgconn
        with connection.lock:
            try:
                if until is None:
                    pgconn.consume_input()
                    self._take_arrived(pgconn)
                else:
                    while until.answer is None:
                        self._take_arrived(pgconn)
                        if until.answer is None:
                            connection.wait(_readable(pgconn))
            except psycopg.Error as lost:
                while self.writes:
                    self.writes.popleft().answer = lost
                self._results = []
            if not self.writes and pgconn.pipeline_status != pq.PipelineStatus.OFF:
                try:
                    pgconn.exit_pipeline_mode()
                except psycopg.Error:
                    pass  # a broken connection: the pool finds out at its next use

    def _take_arrived(self, pgconn: pq.abc.PGconn) -> None:
        """Hand each write the results already read from the socket, up to its Sync."""
        while self.writes and not pgconn.is_busy():
            result = pgconn.get_result()
            if result is None:
                if not self._results:
                    return  # nothing more to read without waiting
                continue  # the end of a write's results: its Sync follows
            if result.status == pq.ExecStatus.PIPELINE_SYNC:
                self.writes.popleft().settle(self._results, self._connection.info.encoding)
                self._results = []
            else:
                self._results.append(result)


def _readable(pgconn: pq.abc.PGconn) -> PQGen[None]:
    """Wait until the socket has something to read, and read it into libpq's buffer."""
    while not (yield Wait.R):
        continue
    pgconn.consume_input()


@lru_cache(maxsize=64)
def _numbered(statement: str) -> tuple[bytes, tuple[str, ...], bytes]:
    """A statement in psycopg's `%(name)s` style as libpq takes it (`$1`, `$2`, …), the
    parameter names in that order (a name used twice keeps its number), and the name it is
    prepared under (apart from psycopg's own `_pg3_…` names)."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return "%"
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    command = _PYFORMAT.sub(number, statement).encode()
    digest = hashlib.blake2b(command, digest_size=8).hexdigest()
    return command, tuple(names), f"liaison_{digest}".encode()


def text_parameter(value: Any, *, encoding: str) -> bytes | None:
    """A parameter in libpq's text format; the server reads its type from the statement.

    None is SQL NULL; a moment must be aware and goes with its offset, so the server's time
    zone setting cannot shift it.
    """
    if value is None:
        return None
    if isinstance(value, bool):  # before int: a bool is an int
        return b"true" if value else b"false"
    if isinstance(value, int):
        return str(value).encode()
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given as a parameter")
        return value.isoformat().encode()
    if isinstance(value, str):
        # libpq reads a text parameter up to its first NUL: refuse rather than cut it short.
        if "\x00" in value:
            raise ValueError("PostgreSQL text cannot hold NUL characters")
        return value.encode(encoding)
    raise TypeError(f"no text form for a {type(value).__name__} parameter")


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


_UTC_OFFSET = "+00:00"


def utc(value: Any) -> datetime:
    """A moment read from a UTC column, aware."""
    if isinstance(value, str):
        # SQLite's text form has no offset: read with UTC's, four times faster than adding
        # it with `replace` (a `/partner log` reads dozens). Text that does not read so (a bare
        # date, an offset of its own) is read as before.
        try:
            moment = datetime.fromisoformat(value + _UTC_OFFSET)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is UTC:
            return moment
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    if not isinstance(value, datetime):
        raise TypeError(f"not a moment: {value!r}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_or_none(value: Any) -> datetime | None:
    return None if value is None else utc(value)


def rowcount(session: Session, statement: Update | Delete) -> int:
    """Run an UPDATE or DELETE in the session's transaction; how many rows it changed."""
    result = session.execute(statement)
    assert isinstance(result, CursorResult)
    return result.rowcount


def listed(name: str, values: Iterable[Any]) -> dict[str, Any]:
    """The parameters `name0`, `name1`, … of an `IN ({name})` list in a `sized` statement."""
    return {f"{name}{index}": value for index, value in enumerate(values)}


def with_lists(statement: str) -> Sql:
    """A statement whose `column = ANY(:name)` tests a column against a list of values, passed
    as one parameter (`Driver.values`): PostgreSQL takes it as written, with an array; SQLite
    as `column IN (SELECT value FROM json_each(:name))`, with the list as JSON. One text however
    many values there are, so each database parses and plans it once, and psycopg prepares it
    once it repeats; a `sized` statement is a new one for every length of its list, and the
    dispatcher's reads of a batch's recipients come in every length."""
    return Sql(_ANY.sub(r"\1 IN (SELECT value FROM json_each(:\2))", statement), statement)


@lru_cache(maxsize=256)
def _joined(name: str, count: int) -> str:
    return ", ".join(f":{name}{index}" for index in range(count))


@lru_cache(maxsize=256)
def sized(template: str, postgresql: str | None = None, **counts: int) -> Sql:
    """`template` (and its PostgreSQL form) with each `{name}` replaced by the placeholders of
    an `IN` list of `counts[name]` values, named as `listed` names them; one `Sql` per shape."""
    lists = {name: _joined(name, n) for name, n in counts.items()}
    return Sql(template.format(**lists), postgresql.format(**lists) if postgresql else None)
