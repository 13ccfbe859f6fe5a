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


def test_a_disposed_engine_opens_its_file_no_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """QA: `liaison simulate --script` once ended with "Directory not empty" on its throwaway
    directory: the checkpoint thread outlived `dispose` and, waking while the directory was
    being removed, opened story.db again, which created it empty."""
    monkeypatch.setattr(db, "CHECKPOINT_EVERY", 0.2)
    path = tmp_path / "story.db"
    before = set(threading.enumerate())
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    with db.writer_session(engine) as session:
        session.execute(sa.text("INSERT INTO t (id) VALUES (1)"))
        session.commit()
    engine.dispose()  # before the thread's first checkpoint, as after a short script
    for file in tmp_path.iterdir():
        file.unlink()
    time.sleep(0.6)  # three checkpoint periods
    assert list(tmp_path.iterdir()) == []
    tmp_path.rmdir()
    assert [t.name for t in set(threading.enumerate()) - before] == []
    assert engine not in db._WRITERS  # the writer connection went with the pool

    # An engine used again after `dispose` checkpoints again.
    monkeypatch.setattr(db, "CHECKPOINT_EVERY", 0.05)
    tmp_path.mkdir()
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        connection.exec_driver_sql("INSERT INTO t (id) VALUES (1)")
    deadline = time.monotonic() + 10
    while _rows_in_the_database_file(path) < 1:
        assert time.monotonic() < deadline, "no checkpoint after the engine came back"
        time.sleep(0.05)
    engine.dispose()


def test_writer_sessions_keep_one_session_each_transaction_its_own(tmp_path: Path) -> None:
    """The writer's session and connection are kept between transactions (no session made, no
    pool checkout, per `/partner log`); each transaction still ends with its writer session:
    what it left uncommitted, or raised in the middle of, is rolled back, not carried over."""
    engine = make_engine(f"sqlite:///{tmp_path / 'kept.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    checkouts = 0

    def count(*_args: object) -> None:
        nonlocal checkouts
        checkouts += 1

    sessions = set()
    for value in ("kept", "left uncommitted", "raised"):
        try:
            with db.writer_session(engine) as session:
                if not checkouts:
                    sa.event.listen(db._WRITERS[engine].engine, "checkout", count)
                sessions.add(id(session))
                session.execute(sa.text("INSERT INTO t (v) VALUES (:v)"), {"v": value})
                if value == "kept":
                    session.commit()
                if value == "raised":
                    raise RuntimeError(value)
        except RuntimeError:
            pass
    with db.writer_session(engine) as session:
        sessions.add(id(session))
        rows = session.execute(sa.text("SELECT v FROM t")).scalars().all()
        # Within a writer session, another of its own (it shares the connection).
        with db.writer_session(engine) as inner:
            assert inner is not session
            assert inner.execute(sa.text("SELECT count(*) FROM t")).scalar() == 1
    assert rows == ["kept"]
    assert len(sessions) == 1
    assert checkouts <= 1  # the nested session's
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT v FROM t").scalars().all() == ["kept"]
    engine.dispose()
    assert engine not in db._WRITERS
