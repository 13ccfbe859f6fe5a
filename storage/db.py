"""The database engine and short-lived sessions.

One engine per process. Listeners and jobs open a `Session(engine)` for their own short unit of
work and never share it across threads.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session


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


def is_reachable(engine: Engine) -> bool:
    """True when a trivial query succeeds (the health check)."""
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return False
    return True


_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
_LOCKS_LOCK = threading.Lock()


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
    with _LOCKS_LOCK:
        lock = _WRITE_LOCKS.setdefault(engine, threading.Lock())
    with lock:
        try:
            yield
        except BaseException:
            session.rollback()
            raise
