"""Storage fixtures: a session in autocommit, as the dispatcher runs its bookkeeping."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session


@contextmanager
def autocommit_session(engine: Engine) -> Iterator[Session]:
    """A session on one checked-out connection whose every statement commits on its own:
    where, on PostgreSQL, a write is handed over without waiting for its answer
    (`storage.sql.Driver.send`)."""
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        with Session(bind=connection) as session:
            yield session


@pytest.fixture
def autocommit(engine: Engine) -> Iterator[Session]:
    with autocommit_session(engine) as session:
        yield session
