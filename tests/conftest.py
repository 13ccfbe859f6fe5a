"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when asked), runtime, settings.

Set LIAISON_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/test to run the whole suite
on PostgreSQL; otherwise each test gets its own copy of a migrated SQLite file.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from bot.clock import ManualClock
from bot.config import Settings
from bot.runtime import Runtime
from storage import schema
from storage.db import make_engine

POSTGRES_URL = os.environ.get("LIAISON_TEST_DATABASE_URL")
# A Wednesday morning in Europe: working hours for most of the seeded colleagues.
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head, copied for each test (migrating per test is slow)."""
    path = tmp_path_factory.mktemp("template") / "liaison.db"
    engine = make_engine(f"sqlite:///{path}")
    schema.upgrade(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    assert POSTGRES_URL is not None
    engine = make_engine(POSTGRES_URL)
    with engine.begin() as connection:
        # Start from nothing so the migrations themselves are exercised on PostgreSQL.
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    schema.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if POSTGRES_URL:
        request.getfixturevalue("postgres_engine")
        return POSTGRES_URL
    template: Path = request.getfixturevalue("migrated_sqlite")
    path = tmp_path / "liaison.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    if POSTGRES_URL:
        _truncate_all(engine)
    engine.dispose()


def _truncate_all(engine: Engine) -> None:
    tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        slack_bot_token="xoxb-test-token",
        slack_signing_secret="test-signing-secret",
        database_url=database_url,
        default_channel="#partnerships",
    )


@pytest.fixture
def runtime(settings: Settings, engine: Engine, clock: ManualClock) -> Iterator[Runtime]:
    runtime = Runtime(settings=settings, engine=engine, clock=clock)
    yield runtime
    runtime.after_ack.shutdown(wait=True)
