"""The engine: SQLite's checkpoints run in a background thread, not inside a request's commit."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from storage import db
from storage.db import make_engine


def _rows_in_the_database_file(path: Path) -> int:
    """Rows of `t` in the database file itself, WAL left aside (what checkpoints copied).

    Read as immutable, so without SQLite's locks: a checkpoint copying pages at that moment
    shows a file half-written ("malformed"), which counts as not copied yet."""
    connection = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        exists = connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE name = 't'"
        ).fetchone()[0]
        return int(connection.execute("SELECT count(*) FROM t").fetchone()[0]) if exists else 0
    except sqlite3.DatabaseError:
        return 0
    finally:
        connection.close()


def test_commits_leave_the_checkpoint_to_the_engines_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "CHECKPOINT_EVERY", 0.05)
    path = tmp_path / "wal.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
        connection.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        connection.exec_driver_sql("INSERT INTO t (v) VALUES " + ", ".join(["('x')"] * 2000))
    deadline = time.monotonic() + 10
    while _rows_in_the_database_file(path) < 2000:
        assert time.monotonic() < deadline, "the background checkpoint never came"
        time.sleep(0.05)
    engine.dispose()


def test_writer_sessions_share_one_connection_and_take_turns(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'writer.db'}")
    seen: set[int] = set()
    inside = 0
    most = 0
    guard = threading.Lock()

    def write() -> None:
        nonlocal inside, most
        with db.writer_session(engine) as session:
            with guard:
                inside += 1
                most = max(most, inside)
            seen.add(id(session.connection().connection.dbapi_connection))
            session.execute(sa.text("SELECT 1"))
            time.sleep(0.01)
            with guard:
                inside -= 1

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 1  # one connection: its page cache stays warm between writers
    assert most == 1  # one writer at a time
