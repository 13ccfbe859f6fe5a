"""Plain SQL on the hot paths: the PostgreSQL form of a statement, and moments crossing to and
from the database exactly as the ORM writes and reads them (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage import partners as partner_store
from storage import touchpoints as store
from storage.models import Partner
from storage.people import get_profile, save_profile
from storage.sql import Sql, sized

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
            session=session, team_id="T1", partner_id=partner.id, at=BERLIN_NOON, by="U0BEN"
        )
        # An earlier contact does not replace a later one: the comparison is on stored values.
        store.note_contact(
            session=session,
            team_id="T1",
            partner_id=partner.id,
            at=BERLIN_NOON - timedelta(microseconds=1),
            by="U0DAN",
        )
        session.commit()
        partner_id = partner.id
    with Session(engine) as session:
        found = session.get(Partner, partner_id)
        assert found is not None
        assert found.last_contact_at == BERLIN_NOON
        assert found.last_contact_by == "U0BEN"
        assert get_profile(session=session, team_id="T1", user_id="U0BEN") is None
