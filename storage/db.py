"""The database engine and short-lived sessions.

One engine per process. Listeners and jobs open a `Session(engine)` for their own short unit of
work and never share it across threads.

SQLite runs in WAL mode with `synchronous=NORMAL`, the usual choice for WAL: a commit appends to
the WAL without waiting for the disk (a power cut may lose the last commits, never the database's
consistency); the disk is synced when the WAL is copied back into the database (a checkpoint).
SQLite would checkpoint inside whichever commit fills the WAL past 1,000 pages, stalling that
writer, and every writer queued behind it, for the copy and the fsync (7–17 ms measured under
`/partner log` load). So the engine's connections leave checkpoints to a background thread of
the engine (`_Checkpointer`).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session

logger = logging.getLogger(__name__)

# Seconds between the background checkpoints of a SQLite file.
CHECKPOINT_EVERY = 1.0


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create the engine for `url` (SQLite file or PostgreSQL through psycopg 3).

    SQLite runs in WAL mode with foreign keys enforced and a busy timeout, so the scheduler's
    thread and request threads can write without "database is locked" errors.
    """
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            **kwargs,
        )
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "engine_disposed", _dispose_writer)
        path = engine.url.database
        if path and path != ":memory:" and not path.startswith("file:"):
            _Checkpointer.attach(engine, path)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    return sa.create_engine(url, **kwargs)


def _configure_sqlite(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class _Checkpointer:
    """Copies a SQLite file's WAL back into the database every `CHECKPOINT_EVERY` seconds, on a
    thread and connection of its own, while the engine's pool is in use.

    The engine's connections switch SQLite's automatic checkpoint off. A PASSIVE checkpoint
    waits for no reader or writer: it copies what it can, and the next one goes on from there.
    SQLite also checkpoints when the last connection to the file closes.
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()

    @classmethod
    def attach(cls, engine: Engine, path: str) -> None:
        checkpointer = cls(path)
        # Started by the first connection (an engine that never connects needs no thread).
        # Stopped, and waited for, when the engine is disposed: a checkpoint after that would
        # open the file again while its owner may be deleting it (the sandbox's throwaway
        # story.db came back empty, and its directory could not be removed). An engine used
        # again after `dispose` starts a new one with its next connection.
        event.listen(engine, "connect", checkpointer._on_connect)
        event.listen(engine, "engine_disposed", lambda _engine: checkpointer.stop())
        weakref.finalize(engine, checkpointer.stop, wait=False)

    def _on_connect(
        self, dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry
    ) -> None:
        dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")
        with self._lock:
            if self._thread is not None:
                return
            self._stopped = threading.Event()
            self._thread = threading.Thread(
                target=self._run, args=(self._stopped,), name="sqlite-checkpoint", daemon=True
            )
            self._thread.start()

    def stop(self, *, wait: bool = True) -> None:
        """Stop the thread; with `wait`, return once it has closed its connection."""
        with self._lock:
            thread, self._thread = self._thread, None
            self._stopped.set()
        if wait and thread is not None and thread is not threading.current_thread():
            thread.join()

    def _run(self, stopped: threading.Event) -> None:
        connection: sqlite3.Connection | None = None
        try:
            while not stopped.wait(CHECKPOINT_EVERY):
                try:
                    if connection is None:
                        # mode=rw: a checkpoint never creates the file when it is gone.
                        connection = sqlite3.connect(
                            f"file:{quote(self._path)}?mode=rw", uri=True, check_same_thread=False
                        )
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error:
                    logger.warning(
                        "checkpoint of %s failed; trying again", self._path, exc_info=True
                    )
        finally:
            if connection is not None:
                connection.close()


def is_reachable(engine: Engine) -> bool:
    """True when a trivial query succeeds (the health check)."""
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return False
    return True


_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()
_LOCKS_LOCK = threading.Lock()
# Each SQLite engine's writer (see `writer_session`).
_WRITERS: weakref.WeakKeyDictionary[Engine, _Writer] = weakref.WeakKeyDictionary()


def _write_lock(engine: Engine) -> threading.RLock:
    with _LOCKS_LOCK:
        return _WRITE_LOCKS.setdefault(engine, threading.RLock())


class _Writer:
    """A SQLite engine's writer: one connection kept for whole write transactions, and one
    session on it, used in turn under the write lock.

    The session and its connection stay open between transactions: a `Session` made and closed,
    and a connection checked out of the pool and back (with its reset), cost ~35 µs a
    transaction, some 2% of a `/partner log` under load. Each transaction still begins, commits
    or rolls back, and is closed (its objects detached) as with a session of its own."""

    def __init__(self, engine: Engine) -> None:
        self.engine = sa.create_engine(
            engine.url,
            poolclass=sa.pool.StaticPool,
            connect_args={"check_same_thread": False, "timeout": 30},
        )
        event.listen(self.engine, "connect", _configure_sqlite)
        event.listen(self.engine, "connect", _no_autocheckpoint)
        self.lock = _WRITE_LOCKS.setdefault(engine, threading.RLock())
        _WRITE_LOCKS[self.engine] = self.lock
        self._connection: sa.Connection | None = None
        self._session: Session | None = None
        self._busy = False

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.lock:
            if self._busy:
                # A writer session within another on the same thread: one of its own, on the
                # same connection (as every writer session was before they were kept).
                with Session(self.engine) as session:
                    yield session
                return
            session = self._kept()
            self._busy = True
            try:
                yield session
            finally:
                self._busy = False
                session.close()

    def _kept(self) -> Session:
        connection = self._connection
        if connection is None or connection.closed or connection.invalidated:
            if connection is not None:
                connection.close()
            connection = self._connection = self.engine.connect()
            self._session = None
        elif connection.in_transaction():
            # Left in a transaction by something outside a writer session: a session would
            # join it and never commit. Not left by these sessions (close ends theirs).
            connection.rollback()
        if self._session is None:
            self._session = Session(bind=connection)
        return self._session

    def dispose(self) -> None:
        with self.lock:
            if self._session is not None:
                self._session.close()
            if self._connection is not None:
                self._connection.close()
            self._session = self._connection = None
            self.engine.dispose()


@contextmanager
def writer_session(engine: Engine) -> Iterator[Session]:
    """A session for a transaction that reads, then writes, many times a second (recording a
    touchpoint), taking its turn with this process's other SQLite writers from its start.

    On SQLite it runs on one connection kept for these transactions. A connection empties its
    page cache whenever another connection has written, so with a connection per request
    thread every request re-read its pages (36-60 reads each under `/partner log` load); the
    writer's cache stays warm, since the writers take turns on it anyway. The session is bound
    to that connection (`session.get_bind()` is a Connection) and kept too (see `_Writer`). On
    PostgreSQL it is an ordinary session.
    """
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        with Session(engine) as session:
            yield session
        return
    with _LOCKS_LOCK:
        writer = _WRITERS.get(engine)
        if writer is None:
            writer = _WRITERS[engine] = _Writer(engine)
    with writer.session() as session:
        yield session


def _dispose_writer(engine: Engine) -> None:
    """The engine's writer connection is closed with the engine's pool (`writer_session` opens a
    new one if the engine is used again)."""
    with _LOCKS_LOCK:
        writer = _WRITERS.pop(engine, None)
    if writer is not None:
        writer.dispose()


def _no_autocheckpoint(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")


@contextmanager
def writing(session: Session) -> Iterator[None]:
    """A write transaction that takes turns with this process's other writers on SQLite.

    SQLite allows one writer at a time; a writer that finds the database locked sleeps in the
    busy handler (1, 2, 5 … 100 ms) however soon the lock is free again. Queueing on a lock of
    our own hands the database over at once. The hot writers take it: recording a touchpoint and
    the dispatcher's bookkeeping. PostgreSQL locks rows, not the database: no lock there.
    Rolls back if the block raises, before the next writer's turn.
    """
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, sa.Connection) else bind
    if not isinstance(engine, Engine) or engine.dialect.name != "sqlite":
        yield
        return
    with _write_lock(engine):
        try:
            yield
        except BaseException:
            session.rollback()
            raise
