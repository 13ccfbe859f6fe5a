"""Plain SQL on the hot paths: the PostgreSQL form of a statement, moments crossing to and
from the database exactly as the ORM writes and reads them, and writes handed over without
waiting for their answer (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage import absences as absence_store
from storage import partners as partner_store
from storage import people as people_store
from storage import touchpoints as store
from storage.models import Partner
from storage.people import get_profile, save_profile
from storage.sql import Driver, Sql, sized, text_parameter, utc, with_lists
from tests.conftest import POSTGRES_URL
from tests.storage.conftest import autocommit_session

BERLIN_NOON = datetime(2026, 11, 25, 12, 0, 0, 123456, tzinfo=timezone(timedelta(hours=1)))


def test_the_postgresql_form_names_parameters_as_psycopg_does() -> None:
    statement = Sql(
        "SELECT 1 FROM t WHERE a = :a AND b LIKE '50%' AND c = '09:00' AND d = :d::text"
    )
    assert statement.postgresql == (
        "SELECT 1 FROM t WHERE a = %(a)s AND b LIKE '50%%' AND c = '09:00' AND d = %(d)s::text"
    )
    assert statement.sqlite.startswith("SELECT 1 FROM t WHERE a = :a")


def test_in_lists_are_sized_and_each_database_may_have_its_own_sql() -> None:
    statement = sized(
        "SELECT +x FROM t WHERE id IN ({id})", "SELECT x FROM t WHERE id IN ({id})", id=3
    )
    assert statement.sqlite == "SELECT +x FROM t WHERE id IN (:id0, :id1, :id2)"
    assert statement.postgresql == "SELECT x FROM t WHERE id IN (%(id0)s, %(id1)s, %(id2)s)"


def test_a_list_crosses_as_one_parameter_in_one_statement_text() -> None:
    statement = with_lists("SELECT x FROM t WHERE t.id = ANY(:ids) AND b = ANY(:names)")
    assert statement.postgresql == (
        "SELECT x FROM t WHERE t.id = ANY(%(ids)s) AND b = ANY(%(names)s)"
    )
    assert statement.sqlite == (
        "SELECT x FROM t WHERE t.id IN (SELECT value FROM json_each(:ids)) "
        "AND b IN (SELECT value FROM json_each(:names))"
    )


def save_zone(session: Session, user_id: str, tz: str) -> None:
    save_profile(
        session=session, team_id="T1", user_id=user_id, name=user_id.lower(), real_name=None,
        tz=tz, is_admin=False, is_deleted=False, fetched_at=BERLIN_NOON,
    )  # fmt: skip


def test_a_batch_of_recipients_is_read_in_one_statement_whatever_its_size(
    engine: Engine,
) -> None:
    """The dispatcher reads its batches' recipients (their zones, their time away) with lists
    of every length: on PostgreSQL one statement, prepared once it repeats, not one per length
    planned afresh every time."""
    with Session(engine) as session:
        for n in range(8):
            save_zone(session, f"U{n}", "Asia/Tokyo" if n % 2 else "America/New_York")
        save_zone(session, "UOTHER", "Europe/Berlin")
        session.commit()
    with autocommit_session(engine) as session:
        for size in range(1, 9):
            wanted = [f"U{n}" for n in range(size)] + ["U9NEVER"]
            zones = people_store.zones_of(session=session, team_id="T1", user_ids=wanted)
            assert zones == {
                f"U{n}": "Asia/Tokyo" if n % 2 else "America/New_York" for n in range(size)
            }
            away = absence_store.absences_at(
                session=session, team_id="T1", user_ids=wanted, at=BERLIN_NOON
            )
            assert away == {}
        assert people_store.zones_of(session=session, team_id="T2", user_ids=["U1"]) == {}
        if POSTGRES_URL is not None:  # psycopg prepares a statement it runs 5 times
            query = (
                "SELECT count(*) FROM pg_prepared_statements "
                "WHERE statement LIKE '%FROM user_profile%' OR statement LIKE '%FROM absence%'"
            )
            assert session.execute(sa.text(query)).scalar_one() == 2


def test_a_moment_written_by_the_orm_reads_back_the_same_through_the_driver(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        save_profile(
            session=session,
            team_id="T1",
            user_id="U0ANA",
            name="ana",
            real_name="Ana",
            tz="Europe/Berlin",
            is_admin=False,
            is_deleted=False,
            fetched_at=BERLIN_NOON,
        )
        session.commit()
    with Session(engine) as session:
        found = store.profiles_of(session=session, team_id="T1", user_ids=["U0ANA", "U0BEN"])
    assert list(found) == ["U0ANA"]
    assert found["U0ANA"].fetched_at == BERLIN_NOON
    assert found["U0ANA"].fetched_at.tzinfo == UTC


def test_a_moment_written_through_the_driver_reads_back_the_same_through_the_orm(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        partner = partner_store.insert_partner(
            session=session,
            team_id="T1",
            name="Acme",
            key="acme",
            created_by="U0ANA",
            created_at=BERLIN_NOON - timedelta(days=1),
        )
        assert partner.id is not None
        store.note_contact(
            session=session,
            team_id="T1",
            partner_id=partner.id,
            at=BERLIN_NOON,
            by="U0BEN",
            day_only=False,
        )
        # An earlier contact does not replace a later one: the comparison is on stored values.
        store.note_contact(
            session=session,
            team_id="T1",
            partner_id=partner.id,
            at=BERLIN_NOON - timedelta(microseconds=1),
            by="U0DAN",
            day_only=False,
        )
        session.commit()
        partner_id = partner.id
    with Session(engine) as session:
        found = session.get(Partner, partner_id)
        assert found is not None
        assert found.last_contact_at == BERLIN_NOON
        assert found.last_contact_by == "U0BEN"
        assert get_profile(session=session, team_id="T1", user_id="U0BEN") is None


def add_partner(engine: Engine, name: str) -> int:
    """A partner created the day before BERLIN_NOON; its id."""
    with Session(engine) as session:
        partner = partner_store.insert_partner(
            session=session, team_id="T1", name=name, key=name.lower(), created_by="U0ANA",
            created_at=BERLIN_NOON - timedelta(days=1),
        )  # fmt: skip
        session.commit()
        assert partner.id is not None
        return partner.id


def test_a_write_handed_over_sends_nulls_moments_and_repeated_names_as_written(
    engine: Engine, autocommit: Session
) -> None:
    partner_id = add_partner(engine, "Acme 50%")
    # On PostgreSQL in autocommit the values cross in libpq's text format, numbered `$n`.
    statement = Sql("""
        UPDATE partner SET last_contact_at = :at, last_contact_by = :by, notes = :notes
        WHERE id = :id AND created_at < :at AND name LIKE 'Acme 50%'
    """)
    driver = Driver(autocommit)
    params = {"at": driver.time(BERLIN_NOON), "by": "U0BEN", "notes": None, "id": partner_id}

    assert driver.send(statement, params).result() == 1
    assert driver.send(statement, {**params, "id": -1}).result() == 0

    with Session(engine) as session:
        found = session.get(Partner, partner_id)
    assert found is not None
    assert (found.last_contact_at, found.last_contact_by, found.notes) == (
        BERLIN_NOON,
        "U0BEN",
        None,
    )


@pytest.mark.skipif(POSTGRES_URL is None, reason="prepared statements are PostgreSQL's")
def test_a_write_handed_over_is_prepared_once_per_checkout_unless_psycopg_may_not(
    engine: Engine,
) -> None:
    partner_id = add_partner(engine, "Acme")
    statement = Sql("UPDATE partner SET notes = :notes WHERE id = :id")

    def send(session: Session, notes: str) -> int:
        return Driver(session).send(statement, {"notes": notes, "id": partner_id}).result()

    def prepared(session: Session) -> int:
        query = "SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'liaison%'"
        return int(session.execute(sa.text(query)).scalar_one())

    with autocommit_session(engine) as session:
        for n in range(3):
            assert send(session, f"n{n}") == 1
        assert prepared(session) == 1
    # The pool's one connection, checked out again: the statement is still there.
    with autocommit_session(engine) as session:
        assert send(session, "next") == 1
        assert prepared(session) == 1
    # psycopg deallocates every prepared statement after a rollback; the next checkout
    # prepares again.
    with Session(engine) as session:
        for _ in range(6):  # psycopg prepares a query it runs 5 times
            session.execute(sa.text("SELECT 1"))
        session.rollback()
    with autocommit_session(engine) as session:
        assert prepared(session) == 0
        assert send(session, "after a rollback") == 1
        assert prepared(session) == 1
        # Deallocated within a checkout, one write fails (it never ran); the next prepares.
        session.execute(sa.text("DEALLOCATE ALL"))
        with pytest.raises(psycopg.errors.InvalidSqlStatementName):
            send(session, "not run")
        assert send(session, "again") == 1
        # Told not to prepare (PgBouncer in transaction mode), it does not.
        session.execute(sa.text("DEALLOCATE ALL"))
        Driver(session).connection.prepare_threshold = None
        assert send(session, "plain") == 1
        assert prepared(session) == 0
    with Session(engine) as session:
        found = session.get(Partner, partner_id)
        assert found is not None and found.notes == "plain"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, None),
        (True, b"true"),
        (False, b"false"),
        (-42, b"-42"),
        ("Zoë's", "Zoë's".encode()),
        (BERLIN_NOON, b"2026-11-25T12:00:00.123456+01:00"),
    ],
)
def test_text_parameters_are_what_postgresql_reads(value: Any, text: bytes | None) -> None:
    assert text_parameter(value, encoding="utf-8") == text


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (BERLIN_NOON.replace(tzinfo=None), "naive"),
        ("cut\x00short", "NUL"),
        (1.5, "float"),
    ],
)
def test_values_without_a_faithful_text_form_are_refused(value: Any, problem: str) -> None:
    with pytest.raises((ValueError, TypeError), match=problem):
        text_parameter(value, encoding="utf-8")


@pytest.mark.parametrize(
    ("stored", "moment"),
    [
        ("2026-11-26 09:30:00.000000", datetime(2026, 11, 26, 9, 30, tzinfo=UTC)),
        ("2026-11-26 09:30:00", datetime(2026, 11, 26, 9, 30, tzinfo=UTC)),
        ("2026-11-26 09:30", datetime(2026, 11, 26, 9, 30, tzinfo=UTC)),
        # A bare date (not SQLAlchemy's form) is its midnight, UTC, as it always was.
        ("2026-11-26", datetime(2026, 11, 26, tzinfo=UTC)),
    ],
)
def test_a_stored_moment_reads_as_utc(stored: str, moment: datetime) -> None:
    read = utc(stored)
    assert read == moment and read.tzinfo is UTC
