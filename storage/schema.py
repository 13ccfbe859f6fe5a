"""Alembic, driven from code: `liaison migrate`, the start-up check, the health check, and the
tests."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy.engine import Connection, Engine

from storage.db import is_reachable

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"
# The PostgreSQL advisory lock a migration holds ("liaison" in ASCII): replicas started at once
# with LIAISON_AUTO_MIGRATE (or two `liaison migrate`) take turns instead of creating the same
# tables side by side, which fails the second with a duplicate key in PostgreSQL's catalog.
MIGRATION_LOCK = int.from_bytes(b"liaison", "big")
# How long a migration waits for another process's before giving up (`liaison migrate
# --lock-timeout`): long enough for the slowest migration over a large database, short enough
# that a replica behind a stuck one fails where someone sees it rather than hang unnoticed.
MIGRATION_LOCK_TIMEOUT = 600
# PostgreSQL's "lock_not_available": `lock_timeout` ran out.
LOCK_NOT_AVAILABLE = "55P03"


class SchemaOutOfDate(Exception):
    """The database is behind the code's migrations and auto-migration is off."""


class SchemaTooNew(SchemaOutOfDate):
    """A newer Liaison migrated the database: this version knows nothing of its schema."""


class MigrationLockTimeout(SchemaOutOfDate):
    """Another process held the migration lock longer than this one would wait: the schema
    may still be out of date, and that process may be stuck."""


def alembic_config(engine: Engine, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # env.py migrates on `connection`, else on one of this engine's, instead of building its
    # own engine from a URL.
    config.attributes["engine"] = engine
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    return _revisions()[0]


@cache
def _revisions() -> tuple[str, frozenset[str]]:
    """This version's latest revision and all it knows: read from the migrations' files once
    per process (they are Python modules to import; the code does not change while it runs)."""
    script = ScriptDirectory(str(MIGRATIONS))
    head = script.get_current_head()
    assert head is not None, "no migrations found"
    return head, frozenset(revision.revision for revision in script.walk_revisions())


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def refuse_unknown(current: str | None) -> None:
    """Raise SchemaTooNew when `current` is no revision of this version's migrations."""
    if current is None:
        return
    try:
        ScriptDirectory(str(MIGRATIONS)).get_revision(current)
    except CommandError:
        raise SchemaTooNew(
            f"the database schema is at {current}, which this version of Liaison does not know "
            f"(it knows up to {head_revision()}): a newer Liaison migrated it; run that version, "
            "or set DATABASE_URL to this version's database"
        ) from None


# The revision the database is at: one row of Alembic's table.
_CURRENT = sa.text("SELECT version_num FROM alembic_version")


@dataclass(frozen=True)
class Readiness:
    """Whether this process can serve on its database, as `GET /healthz` says."""

    reachable: bool
    # Why the schema will not do (None: it will, or the database cannot be reached).
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.reachable and self.problem is None


def readiness(engine: Engine) -> Readiness:
    """Whether the database answers and is at this version's schema. Start-up checked the
    schema once; this notices what changed since (a backup of before a migration restored, a
    database recreated empty). While all is well it is one small query, as cheap as `SELECT 1`:
    the revision row is read each time, this version's revisions were read once.

    A revision this version does not know is a newer Liaison's: a rolling upgrade migrates
    first, and the replicas still on the old version go on serving until they are replaced,
    so that is no reason to take them out of rotation."""
    try:
        with engine.connect() as connection:
            current = connection.execute(_CURRENT).scalar()
    except sa.exc.SQLAlchemyError:
        # No alembic_version table, or no database at all: a trivial query tells them apart.
        if not is_reachable(engine):
            return Readiness(reachable=False)
        current = None
    head, known = _revisions()
    if current is None:
        return Readiness(reachable=True, problem="not migrated: run liaison migrate")
    if current != head and current in known:
        return Readiness(reachable=True, problem=f"database at {current}, code expects {head}")
    return Readiness(reachable=True)


def upgrade(
    engine: Engine, revision: str = "head", *, lock_timeout: float = MIGRATION_LOCK_TIMEOUT
) -> str | None:
    """Bring the schema up to `revision` (idempotent); SchemaTooNew when a newer Liaison's.
    Returns the revision it was at (None: empty).

    On PostgreSQL one process migrates at a time: another waits, then finds nothing to do; it
    waits `lock_timeout` seconds at most (MigrationLockTimeout)."""
    with engine.connect() as connection, _migration_lock(connection, lock_timeout):
        before = MigrationContext.configure(connection).get_current_revision()
        refuse_unknown(before)
        # Alembic commits only a transaction it began itself.
        connection.commit()
        command.upgrade(alembic_config(engine, connection), revision)
    return before


# The PostgreSQL session holding `MIGRATION_LOCK` in this database: advisory locks on a bigint
# key are listed with its high half as `classid`, its low half as `objid`, and `objsubid` 1.
_LOCK_HOLDER = sa.text("""
SELECT pid FROM pg_locks
WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND classid = :high AND objid = :low
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
""").bindparams(high=MIGRATION_LOCK >> 32, low=MIGRATION_LOCK & 0xFFFFFFFF)


@contextmanager
def _migration_lock(connection: Connection, timeout: float) -> Iterator[None]:
    """Hold `MIGRATION_LOCK` on `connection` (PostgreSQL; SQLite needs none for one process),
    waiting `timeout` seconds at most for another process to let go of it.

    A session-level lock, so that it outlasts the transactions Alembic commits; released
    before the connection goes back to the pool, where it would otherwise stay held."""
    if connection.dialect.name != "postgresql":
        yield
        return
    taken = connection.exec_driver_sql(f"SELECT pg_try_advisory_lock({MIGRATION_LOCK})").scalar()
    if not taken:
        holder = _holder(connection)
        logger.warning(
            "another process%s is migrating the database: waiting up to %d s for it to finish",
            "" if holder is None else f" (PostgreSQL pid {holder})",
            timeout,
        )
        # For this transaction only: the migrations themselves wait on locks as long as needed.
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {max(1, round(timeout * 1000))}")
        try:
            connection.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK})")
        except sa.exc.DBAPIError as error:
            if getattr(error.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
            connection.rollback()
            raise MigrationLockTimeout(_gave_up(_holder(connection) or holder, timeout)) from None
    connection.commit()
    try:
        yield
    finally:
        connection.rollback()  # a failed migration leaves its transaction aborted
        connection.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK})")
        connection.commit()


def _holder(connection: Connection) -> int | None:
    """The pid of the PostgreSQL session holding the migration lock (None: none now)."""
    pid = connection.execute(_LOCK_HOLDER).scalar()
    return None if pid is None else int(pid)


def _gave_up(holder: int | None, timeout: float) -> str:
    who = "another process" if holder is None else f"another process (PostgreSQL pid {holder})"
    end = "" if holder is None else f" (SELECT pg_terminate_backend({holder}))"
    return (
        f"gave up after waiting {timeout:g} s for {who} to finish migrating the database: if it "
        f"is stuck, end it{end}, then run `liaison migrate` again; if it is only slow, wait "
        "longer with `liaison migrate --lock-timeout SECONDS`"
    )


def ensure_current(engine: Engine, *, auto_migrate: bool) -> None:
    """Refuse to run on an out-of-date schema, or migrate first when configured to."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        if auto_migrate:
            logger.info("database schema: already at %s", head)
        return
    refuse_unknown(current)
    if auto_migrate:
        # Alembic's own lines are quietened (`liaison` keeps its logger at WARNING): one line
        # says what the start did to the database.
        before = upgrade(engine)
        if before == head:  # another replica migrated it while this one waited
            logger.info("database schema: already at %s", head)
        else:
            logger.info("database schema upgraded from %s to %s", before or "empty", head)
        return
    if current is None:
        raise SchemaOutOfDate(
            "the database at DATABASE_URL is empty: run `liaison migrate` to create Liaison's "
            "tables there (or set LIAISON_AUTO_MIGRATE=true)."
        )
    raise SchemaOutOfDate(
        f"the database schema is at {current}, older than this version's {head}: run "
        "`liaison migrate` (or set LIAISON_AUTO_MIGRATE=true)."
    )
