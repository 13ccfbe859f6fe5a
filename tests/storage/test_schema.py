"""The migrations create what the models describe, and the start-up check guards the schema."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from storage import schema
from storage.db import is_reachable, make_engine
from storage.models import (
    CheckIn,
    OutboxMessage,
    Partner,
    SurveyDelivery,
    SurveyRound,
    TeamMembership,
    TeamRole,
    Touchpoint,
    next_commitment_number,
)
from tests.conftest import POSTGRES_URL


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_schema_is_at_head(engine: Engine) -> None:
    assert schema.current_revision(engine) == schema.head_revision()
    schema.ensure_current(engine, auto_migrate=False)


def test_an_empty_database_is_refused_or_migrated(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(schema.SchemaOutOfDate, match="liaison migrate"):
        schema.ensure_current(engine, auto_migrate=False)
    schema.ensure_current(engine, auto_migrate=True)
    assert schema.current_revision(engine) == schema.head_revision()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_unreachable_database_is_reported() -> None:
    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:9/none", pool_pre_ping=False)
    assert is_reachable(engine) is False


def _partner(team_id: str, name: str, now: datetime) -> Partner:
    return Partner(
        team_id=team_id, name=name, normalized_name=name.lower(), created_by="U1", created_at=now
    )


def test_times_come_back_aware_utc(engine: Engine) -> None:
    berlin_noon = datetime(2026, 11, 25, 12, 0, tzinfo=timezone(timedelta(hours=1)))
    with Session(engine) as session:
        partner = _partner("T1", "Acme", berlin_noon)
        session.add(partner)
        session.commit()
        partner_id = partner.id
    with Session(engine) as session:
        stored = session.get(Partner, partner_id)
        assert stored is not None
        assert stored.created_at == datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
        assert stored.created_at.tzinfo is not None


def test_normalized_name_is_unique_per_workspace_only(engine: Engine) -> None:
    now = datetime.now(UTC)
    with Session(engine) as session:
        session.add(_partner("T1", "Acme", now))
        session.add(_partner("T2", "Acme", now))
        session.commit()
    with Session(engine) as session, pytest.raises(sa.exc.IntegrityError):
        session.add(_partner("T1", "Acme", now))
        session.commit()


def test_a_partner_has_at_most_one_owner(engine: Engine) -> None:
    now = datetime.now(UTC)
    with Session(engine) as session:
        partner = _partner("T1", "Acme", now)
        session.add(partner)
        session.flush()
        assert partner.id is not None
        session.add(
            TeamMembership(
                team_id="T1", partner_id=partner.id, user_id="U1", role=TeamRole.OWNER, added_at=now
            )
        )
        session.add(
            TeamMembership(
                team_id="T1",
                partner_id=partner.id,
                user_id="U2",
                role=TeamRole.DEPUTY,
                added_at=now,
            )
        )
        session.commit()
        session.add(
            TeamMembership(
                team_id="T1", partner_id=partner.id, user_id="U3", role=TeamRole.OWNER, added_at=now
            )
        )
        with pytest.raises(sa.exc.IntegrityError):
            session.commit()


NOW_STORED = "2026-11-20 09:00:00.000000"  # as SQLAlchemy stores a moment in SQLite


def at_revision(tmp_path: Path, revision: str) -> Engine:
    """A SQLite database migrated up to `revision` only."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    schema.upgrade(engine, revision)
    return engine


def insert(connection: sa.Connection, table: str, **values: object) -> None:
    columns = ", ".join(values)
    connection.execute(
        sa.text(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(':' + c for c in values)})"),
        values,
    )


def partner_row(connection: sa.Connection, partner_id: int, **values: object) -> None:
    insert(
        connection,
        "partner",
        **{
            "id": partner_id,
            "team_id": "T1",
            "name": f"P{partner_id}",
            "normalized_name": f"p{partner_id}",
            "status": "active",
            "created_by": "U0ANA",
            "created_at": NOW_STORED,
            **values,
        },
    )


def acme_with_touchpoints(connection: sa.Connection, count: int) -> None:
    """Partner 1, owned by Ana, and `count` touchpoints of Ben's with it (ids 1, 2, …)."""
    partner_row(connection, 1)
    insert(
        connection,
        "team_membership",
        team_id="T1",
        partner_id=1,
        user_id="U0ANA",
        role="owner",
        added_at=NOW_STORED,
    )
    for touchpoint in range(1, count + 1):
        touch(connection, partner_id=1, id=touchpoint, author_id="U0BEN")


def touch(connection: sa.Connection, **values: object) -> None:
    insert(
        connection,
        "touchpoint",
        **{"team_id": "T1", "kind": "done", "at": NOW_STORED, "created_at": NOW_STORED, **values},
    )


def collision_row(connection: sa.Connection, earlier: int, later: int, **values: object) -> None:
    insert(
        connection,
        "collision",
        team_id="T1",
        partner_id=1,
        earlier_id=earlier,
        later_id=later,
        same_contact=False,
        detected_at=NOW_STORED,
        **values,
    )


def test_alerts_raised_before_0016_are_credited_to_the_owner_at_migration(tmp_path: Path) -> None:
    engine = at_revision(tmp_path, "0015")
    with engine.begin() as connection:
        acme_with_touchpoints(connection, 3)
        collision_row(connection, 1, 2, alert_key="collision:2")
        collision_row(connection, 1, 3, alert_key=None)
    schema.upgrade(engine)
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT later_id, alerted_owner_id FROM collision ORDER BY later_id"
        ).all()
    assert [tuple(row) for row in rows] == [(2, "U0ANA"), (3, None)]


def test_a_last_contact_logged_without_a_time_is_marked_so_at_0017(tmp_path: Path) -> None:
    engine = at_revision(tmp_path, "0016")
    with engine.begin() as connection:
        for partner, day_only in ((1, True), (2, False)):
            partner_row(connection, partner, last_contact_at=NOW_STORED, last_contact_by="U0CHLOE")
            touch(connection, partner_id=partner, author_id="U0CHLOE", day_only=day_only)
        partner_row(connection, 3)
    schema.upgrade(engine)
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT id, last_contact_day_only FROM partner ORDER BY id"
        ).all()
    assert [tuple(row) for row in rows] == [(1, True), (2, False), (3, False)]


def test_upgrading_keeps_every_row_that_refers_to_a_rebuilt_table(tmp_path: Path) -> None:
    # SQLite rebuilds `partner` in later revisions (0009, 0017): its team, touchpoints and
    # collisions must survive the rebuild.
    engine = at_revision(tmp_path, "0008")
    with engine.begin() as connection:
        acme_with_touchpoints(connection, 2)
        collision_row(connection, 1, 2)
    schema.upgrade(engine)
    with engine.connect() as connection:
        counts = [
            connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
            for table in ("partner", "team_membership", "touchpoint", "collision")
        ]
        enforced = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
    assert counts == [1, 1, 2, 1]
    assert enforced == 1  # the pool's connection is handed back as it came


def test_a_touchpoints_contact_person_moves_to_its_list_at_0019(tmp_path: Path) -> None:
    engine = at_revision(tmp_path, "0018")
    with engine.begin() as connection:
        acme_with_touchpoints(connection, 0)
        insert(
            connection,
            "contact",
            id=7,
            team_id="T1",
            partner_id=1,
            name="Jane",
            created_at=NOW_STORED,
        )
        touch(connection, partner_id=1, id=1, author_id="U0BEN", contact_id=7)
        touch(connection, partner_id=1, id=2, author_id="U0DAN")
        collision_row(connection, 1, 2)
    schema.upgrade(engine)
    with engine.connect() as connection:
        links = connection.exec_driver_sql(
            "SELECT touchpoint_id, contact_id, team_id, position FROM touchpoint_contact"
        ).all()
        columns = {row[1] for row in connection.exec_driver_sql("PRAGMA table_info(touchpoint)")}
        counts = [
            connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
            for table in ("touchpoint", "collision", "team_membership")
        ]
    assert [tuple(row) for row in links] == [(1, 7, "T1", 0)]
    assert "contact_id" not in columns
    assert counts == [2, 1, 1]  # the rebuild of `touchpoint` keeps what refers to it


def test_time_away_over_before_0022_is_not_summed_up_afresh(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'upgrade.db'}")
    schema.upgrade(engine, "0021")
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        for user, ends_at in (
            ("U0OVER", now - timedelta(days=1)),
            ("U0AWAY", now + timedelta(days=1)),
        ):
            connection.execute(
                sa.text(
                    "INSERT INTO absence (team_id, user_id, starts_at, ends_at, created_at) "
                    "VALUES ('T1', :user, :start, :end, :start)"
                ),
                {"user": user, "start": now - timedelta(days=3), "end": ends_at},
            )
    schema.upgrade(engine)
    with engine.connect() as connection:
        found = connection.execute(sa.text("SELECT user_id, summed_up_at FROM absence"))
        rows = {str(user): summed for user, summed in found}
    assert rows["U0OVER"] is not None  # its person came back before Liaison summed anything up
    assert rows["U0AWAY"] is None  # summed up once it is over


def test_plans_their_authors_said_did_not_happen_are_cancelled_at_0023(tmp_path: Path) -> None:
    engine = at_revision(tmp_path, "0022")
    answered = "2026-11-21 08:00:00.000000"
    with engine.begin() as connection:
        acme_with_touchpoints(connection, 0)
        for touchpoint in (1, 2, 3, 4):
            touch(connection, partner_id=1, id=touchpoint, author_id="U0BEN", kind="planned")
        touch(connection, partner_id=1, id=5, author_id="U0BEN")  # a log

        def checkin(touchpoint: int, user: str, answer: str, meeting_at: str = NOW_STORED) -> None:
            insert(
                connection,
                "check_in",
                team_id="T1",
                touchpoint_id=touchpoint,
                user_id=user,
                occurrence=0,
                planned=True,
                meeting_at=meeting_at,
                due_at=NOW_STORED,
                status="answered",
                answer=answer,
                answered_at=answered,
                version=1,
                created_at=NOW_STORED,
            )

        checkin(1, "U0BEN", "didnt_happen")  # its author: cancelled
        checkin(2, "U0DAN", "didnt_happen")  # a participant only: it stands
        checkin(3, "U0BEN", "went_well")
        checkin(4, "U0BEN", "didnt_happen", meeting_at="2026-11-19 09:00:00.000000")  # moved since
    schema.upgrade(engine)
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT id, cancelled_at FROM touchpoint ORDER BY id"
        ).all()
        indexes = {row[1] for row in connection.exec_driver_sql("PRAGMA index_list(touchpoint)")}
    assert [tuple(row) for row in rows] == [
        (1, answered),
        (2, None),
        (3, None),
        (4, None),
        (5, None),
    ]
    assert "ix_touchpoint_live_plan" in indexes


@pytest.fixture(params=["sqlite", "postgresql"])
def old_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database to migrate step by step: a SQLite file, or with
    LIAISON_TEST_DATABASE_URL a PostgreSQL schema of its own (the shared one stays at head)."""
    if request.param == "sqlite":
        yield make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        return
    if POSTGRES_URL is None:
        pytest.skip("LIAISON_TEST_DATABASE_URL is not set")
    with make_engine(POSTGRES_URL).begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA IF EXISTS migrating CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA migrating")
    engine = make_engine(POSTGRES_URL, connect_args={"options": "-csearch_path=migrating"})
    yield engine
    engine.dispose()
    with make_engine(POSTGRES_URL).begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA migrating CASCADE")


def test_commitments_are_numbered_per_workspace_in_order_at_0027(old_database: Engine) -> None:
    engine = old_database
    schema.upgrade(engine, "0026")
    with engine.begin() as connection:
        partner_row(connection, 1)
        insert(
            connection,
            "partner",
            id=2,
            team_id="T2",
            name="P2",
            normalized_name="p2",
            status="active",
            created_by="U0ANA",
            created_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
        )
        for commitment_id, team_id in ((4, "T1"), (5, "T2"), (7, "T1"), (9, "T1"), (12, "T2")):
            insert(
                connection,
                "commitment",
                id=commitment_id,
                team_id=team_id,
                partner_id=1 if team_id == "T1" else 2,
                side="us",
                owner_id="U0ANA",
                what="x",
                due_on=date(2026, 12, 4),
                status="open",
                created_by="U0ANA",
                created_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
                due_set_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
            )
    schema.upgrade(engine)
    with Session(engine) as session:
        rows = session.execute(
            sa.text("SELECT id, team_id, number FROM commitment ORDER BY id")
        ).all()
        assert [tuple(row) for row in rows] == [
            (4, "T1", 1),
            (5, "T2", 1),
            (7, "T1", 2),
            (9, "T1", 3),
            (12, "T2", 2),
        ]
        # The counters carry on from there.
        assert next_commitment_number(session.connection(), "T1") == 4
        assert next_commitment_number(session.connection(), "T2") == 3
        assert next_commitment_number(session.connection(), "T3") == 1
        session.rollback()
    engine.dispose()


def test_debrief_replies_that_quoted_a_note_are_recorded_at_0031(old_database: Engine) -> None:
    engine = old_database
    schema.upgrade(engine, "0030")
    moment = datetime(2026, 11, 20, 9, tzinfo=UTC)
    with engine.begin() as connection:
        acme_with_touchpoints(connection, 1)
        for checkin_id, user in ((1, "U0BEN"), (2, "U0DAN")):
            insert(
                connection,
                "check_in",
                id=checkin_id,
                team_id="T1",
                touchpoint_id=1,
                user_id=user,
                occurrence=0,
                planned=False,
                meeting_at=moment,
                due_at=moment,
                status="answered",
                version=3,
                created_at=moment,
            )
        for key, text in (
            ("debrief:1", "Debrief of the meeting with *P1*"),
            ("debrief:1:1:1:answer", "<@U0BEN> answered *✅ Went well*"),
            ("debrief:1:1:2:note", "<@U0BEN> added a note to their answer\n> They liked it"),
            ("debrief:1:1:3:note", "<@U0BEN> removed their note"),
            ("debrief:1:2:1:answer", "<@U0DAN> answered *⚠️ Problem*\n> late"),
        ):
            insert(
                connection,
                "outbox_message",
                team_id="T1",
                kind="checkin.debrief",
                recipient_user="U0ANA",
                text=text,
                blocks="[]",
                dedupe_key=key,
                respect_working_hours=True,
                due_at=moment,
                available_at=moment,
                status="sent",
                held=False,
                attempts=1,
                created_at=moment,
            )
    schema.upgrade(engine)
    with Session(engine) as session:
        rows = session.exec(select(CheckIn)).all()
        assert sorted((row.id, row.quoting_versions) for row in rows) == [(1, [2]), (2, [1])]


def test_people_of_another_organisation_are_marked_from_0035_and_dropped_below_it(
    old_database: Engine,
) -> None:
    engine = old_database
    schema.upgrade(engine, "0034")
    profile = {"team_id": "T1", "name": "ana", "tz": "Europe/London", "is_admin": False}
    with engine.begin() as connection:
        insert(
            connection,
            "user_profile",
            user_id="U0ANA",
            is_deleted=False,
            **profile,
            fetched_at=NOW_STORED,
        )
    schema.upgrade(engine)
    with engine.begin() as connection:
        insert(
            connection,
            "user_profile",
            user_id="U0JANE",
            is_deleted=False,
            external=True,
            **{**profile, "name": "jane"},
            fetched_at=NOW_STORED,
        )
        rows = connection.execute(
            sa.text("SELECT user_id, external FROM user_profile ORDER BY user_id")
        ).all()
    # Cached before 0035: a colleague, as only colleagues were cached.
    assert [(user, bool(external)) for user, external in rows] == [
        ("U0ANA", False),
        ("U0JANE", True),
    ]
    command.downgrade(schema.alembic_config(engine), "0034")
    with engine.begin() as connection:
        left = connection.execute(sa.text("SELECT * FROM user_profile")).mappings().all()
    # Below 0035 nothing could tell Jane apart from a colleague: she is dropped, not kept.
    assert [row["user_id"] for row in left] == ["U0ANA"] and "external" not in left[0]
    engine.dispose()


def test_ids_that_key_messages_are_never_handed_out_again_from_0036(
    old_database: Engine,
) -> None:
    engine = old_database
    sqlite = engine.dialect.name == "sqlite"
    schema.upgrade(engine, "0035")
    now = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    with Session(engine) as session:
        partner = _partner("T1", "Acme", now)
        session.add(partner)
        session.flush()
        assert partner.id is not None
        touchpoint = Touchpoint(
            team_id="T1",
            partner_id=partner.id,
            kind="done",
            at=now,
            author_id="U0BEN",
            created_at=now,
        )
        session.add(touchpoint)
        session.flush()
        assert touchpoint.id is not None
        session.add_all(_checkin(touchpoint.id, user, now) for user in ("U0ANA", "U0BEN", "U0DAN"))
        rounds = [_round(partner.id, key, now) for key in ("week-1", "week-2")]
        session.add_all(rounds)
        session.flush()
        partner_id, touchpoint_id = partner.id, touchpoint.id
        first_round, second_round = (int(r.id or 0) for r in rounds)
        for user in ("U0ANA", "U0BEN"):
            session.add(
                SurveyDelivery(
                    team_id="T1", round_id=first_round, user_id=user, reason="team", created_at=now
                )
            )
        # Rows deleted before the upgrade left only the keys of their messages.
        for key in (
            "checkin:7:reminder",
            "debrief:1:9:2:note",
            "survey:8:0",
            "survey-round:6:owner",
        ):
            session.add(
                OutboxMessage(
                    team_id="T1",
                    kind="dm",
                    recipient_user="U0ANA",
                    text="sent",
                    dedupe_key=key,
                    status="sent",
                    due_at=now,
                    available_at=now,
                    created_at=now,
                )
            )
        session.commit()
    schema.upgrade(engine)
    inspector = sa.inspect(engine)
    assert "ix_check_in_to_follow" in [i["name"] for i in inspector.get_indexes("check_in")]
    assert "ix_survey_round_partner" in [i["name"] for i in inspector.get_indexes("survey_round")]
    with Session(engine) as session:
        kept = [
            len(session.exec(select(model)).all())
            for model in (CheckIn, SurveyRound, SurveyDelivery)
        ]
        assert kept == [3, 2, 2]
        checkin = session.exec(select(CheckIn).where(CheckIn.user_id == "U0DAN")).one()
        delivery = session.exec(
            select(SurveyDelivery).where(SurveyDelivery.user_id == "U0BEN")
        ).one()
        dropped = (int(checkin.id or 0), int(delivery.id or 0), second_round)
        session.delete(checkin)  # the largest id of each
        session.delete(delivery)
        session.delete(session.get(SurveyRound, second_round))
        session.commit()
        again = _checkin(touchpoint_id, "U0CHLOE", now)
        next_round = _round(partner_id, "week-3", now)
        session.add_all([again, next_round])
        session.flush()
        also = SurveyDelivery(
            team_id="T1", round_id=first_round, user_id="U0DAN", reason="team", created_at=now
        )
        session.add(also)
        session.commit()
        given = (int(again.id or 0), int(also.id or 0), int(next_round.id or 0))
    assert all(new > old for new, old in zip(given, dropped, strict=True)), (given, dropped)
    if sqlite:  # past the ids the deleted rows' messages were keyed with
        assert given == (10, 9, 7)
    engine.dispose()


def _checkin(touchpoint_id: int, user_id: str, now: datetime) -> CheckIn:
    return CheckIn(
        team_id="T1",
        touchpoint_id=touchpoint_id,
        user_id=user_id,
        meeting_at=now,
        due_at=now,
        created_at=now,
    )


def _round(partner_id: int, key: str, now: datetime) -> SurveyRound:
    return SurveyRound(
        team_id="T1",
        partner_id=partner_id,
        round_key=key,
        started_at=now,
        remind_at=now,
        closes_at=now,
    )


def test_names_with_an_ampersand_or_plus_at_an_edge_are_re_keyed_at_0038(
    old_database: Engine,
) -> None:
    # QA: "+Acumen" was stored under "and acumen", and "Acumen" found nothing.
    engine = old_database
    schema.upgrade(engine, "0037")
    with engine.begin() as connection:
        partner_row(connection, 1, name="+Acumen", normalized_name="and acumen")
        partner_row(connection, 2, name="Procter & Gamble", normalized_name="procter and gamble")
        partner_row(connection, 3, name="Acme", normalized_name="acme")
        partner_row(connection, 4, name="& Wren", normalized_name="and wren")
        insert(connection, "partner_alias", team_id="T1", partner_id=1, alias="Acu+",
               normalized="acu and")  # fmt: skip
        # "Acme &" would be Acme's key: it keeps its own.
        insert(connection, "partner_alias", team_id="T1", partner_id=2, alias="Acme &",
               normalized="acme and")  # fmt: skip
    schema.upgrade(engine)

    def keys() -> tuple[list[str], list[str]]:
        with engine.connect() as connection:
            names = connection.execute(sa.text("SELECT normalized_name FROM partner ORDER BY id"))
            aliases = connection.execute(
                sa.text("SELECT normalized FROM partner_alias ORDER BY id")
            )
            return list(names.scalars()), list(aliases.scalars())

    assert keys() == (["acumen", "procter and gamble", "acme", "wren"], ["acu", "acme and"])
    command.downgrade(schema.alembic_config(engine), "0037")
    assert keys() == (
        ["and acumen", "procter and gamble", "acme", "and wren"],
        ["acu and", "acme and"],
    )
    engine.dispose()


def test_collisions_recorded_before_0039_stay_counted_as_news(old_database: Engine) -> None:
    # Before 0039 a collision its people knew of already could not be told apart: all count.
    engine = old_database
    schema.upgrade(engine, "0038")
    with engine.begin() as connection:
        acme_with_touchpoints(connection, 3)
        collision_row(connection, 1, 2)
    schema.upgrade(engine)
    with engine.begin() as connection:
        collision_row(connection, 1, 3, news=False)
        rows = connection.execute(sa.text("SELECT later_id, news FROM collision ORDER BY id"))
        assert [(later, bool(news)) for later, news in rows] == [(2, True), (3, False)]
    command.downgrade(schema.alembic_config(engine), "0038")
    with engine.connect() as connection:
        left = connection.execute(sa.text("SELECT * FROM collision")).mappings().all()
    assert len(left) == 2 and "news" not in left[0]
    engine.dispose()


def commitment_row(connection: sa.Connection, commitment_id: int, **values: object) -> None:
    insert(
        connection,
        "commitment",
        **{
            "id": commitment_id,
            "number": commitment_id,
            "team_id": "T1",
            "partner_id": 1,
            "side": "us",
            "owner_id": "U0ANA",
            "what": "x",
            "due_on": date(2026, 12, 4),
            "status": "open",
            "created_by": "U0ANA",
            "created_at": NOW_STORED,
            "due_set_at": NOW_STORED,
            **values,
        },
    )


def test_request_keys_are_unique_per_workspace_from_0040(old_database: Engine) -> None:
    # Before 0040 a key another workspace had used made a log or a promise "conflict": lost.
    engine = old_database
    schema.upgrade(engine, "0039")
    with engine.begin() as connection:
        partner_row(connection, 1)
        partner_row(connection, 2, team_id="T2")
        touch(connection, id=1, partner_id=1, author_id="U0BEN", request_key="cmd:7")
        commitment_row(connection, 1, request_key="cmd:7")
    schema.upgrade(engine)
    with engine.begin() as connection:
        touch(connection, id=2, team_id="T2", partner_id=2, author_id="U0BEN", request_key="cmd:7")
        commitment_row(connection, 2, team_id="T2", partner_id=2, request_key="cmd:7")
    # Within one workspace a key is still taken once.
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        touch(connection, id=3, partner_id=1, author_id="U0BEN", request_key="cmd:7")
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        commitment_row(connection, 3, request_key="cmd:7")

    def keys(table: str) -> list[tuple[int, str | None]]:
        with engine.connect() as connection:
            rows = connection.execute(sa.text(f"SELECT id, request_key FROM {table} ORDER BY id"))
            return [tuple(found) for found in rows]

    command.downgrade(schema.alembic_config(engine), "0039")
    # Unique across workspaces again: the later workspace's row forgets the key.
    assert keys("touchpoint") == keys("commitment") == [(1, "cmd:7"), (2, None)]
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        touch(connection, id=3, team_id="T2", partner_id=2, author_id="U0BEN", request_key="cmd:7")
    schema.upgrade(engine)
    with engine.begin() as connection:
        commitment_row(connection, 3, team_id="T2", partner_id=2, request_key="cmd:7")
    assert keys("commitment") == [(1, "cmd:7"), (2, None), (3, "cmd:7")]
    engine.dispose()


def test_a_database_behind_the_code_is_told_its_revision_and_to_migrate(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with pytest.raises(schema.SchemaOutOfDate) as empty:
        schema.ensure_current(engine, auto_migrate=False)
    assert str(empty.value) == (
        "the database at DATABASE_URL is empty: run `liaison migrate` to create Liaison's "
        "tables there (or set LIAISON_AUTO_MIGRATE=true)."
    )
    schema.upgrade(engine, "0029")
    with pytest.raises(schema.SchemaOutOfDate) as behind:
        schema.ensure_current(engine, auto_migrate=False)
    assert str(behind.value) == (
        f"the database schema is at 0029, older than this version's {schema.head_revision()}: "
        "run `liaison migrate` (or set LIAISON_AUTO_MIGRATE=true)."
    )
    engine.dispose()


def on_migrating_schema() -> dict[str, str]:
    """The environment of a `liaison` process on the `migrating` schema `old_database` made."""
    assert POSTGRES_URL is not None
    return {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "DATABASE_URL": f"{POSTGRES_URL}?options=-csearch_path%3Dmigrating",
    }


def test_replicas_migrating_an_empty_postgresql_database_at_once_take_turns(
    old_database: Engine,
) -> None:
    """Two `liaison migrate` (or replicas started together with LIAISON_AUTO_MIGRATE) on an
    empty database: one migrates, the other waits for it and finds nothing to do, rather than
    fail on a duplicate key in PostgreSQL's catalog."""
    if old_database.dialect.name != "postgresql":
        pytest.skip("one SQLite file is migrated by one process")
    env = {**on_migrating_schema(), "SLACK_BOT_TOKEN": "xoxb-1"}
    migrations = [
        subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "migrate"],
            cwd=Path(__file__).parent,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes = [(process.wait(timeout=120), *process.communicate()) for process in migrations]
    assert [code for code, _out, _err in outcomes] == [0, 0], outcomes
    printed = sorted(out for _code, out, _err in outcomes)
    head = schema.head_revision()
    assert printed == [
        f"database schema: already at {head}, nothing to do\n",
        f"database schema: empty → {head}\n",
    ]
    assert schema.current_revision(old_database) == head
    with old_database.connect() as connection:
        # Nothing is left holding the lock: a later migration need not wait.
        assert connection.exec_driver_sql(
            f"SELECT pg_try_advisory_lock({schema.MIGRATION_LOCK})"
        ).scalar()
        connection.exec_driver_sql(f"SELECT pg_advisory_unlock({schema.MIGRATION_LOCK})")


def test_a_migration_stuck_behind_another_says_whose_and_gives_up_after_its_timeout(
    old_database: Engine,
) -> None:
    """A replica's `liaison migrate` behind a stuck migration waited forever for PostgreSQL's
    advisory lock, saying nothing of whom it waited for. It names the session holding the lock
    once, and gives up after --lock-timeout with what to do."""
    if old_database.dialect.name != "postgresql":
        pytest.skip("one SQLite file is migrated by one process: no lock to wait for")
    env = on_migrating_schema()

    def migrate(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", "migrate", *args],
            cwd=Path(__file__).parent,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    with old_database.connect() as stuck:
        assert stuck.exec_driver_sql(
            f"SELECT pg_try_advisory_lock({schema.MIGRATION_LOCK})"
        ).scalar()
        stuck.commit()
        pid = stuck.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        started = time.monotonic()
        refused = migrate("--lock-timeout", "1")
        assert time.monotonic() - started < 60
        assert (refused.returncode, refused.stdout) == (2, "")
        lines = refused.stderr.strip().splitlines()
        assert len(lines) == 2, lines
        assert lines[0].endswith(
            f"WARNING storage.schema another process (PostgreSQL pid {pid}) is migrating the "
            "database: waiting up to 1 s for it to finish"
        )
        assert lines[1] == (
            f"liaison: gave up after waiting 1 s for another process (PostgreSQL pid {pid}) to "
            f"finish migrating the database: if it is stuck, end it (SELECT "
            f"pg_terminate_backend({pid})), then run `liaison migrate` again; if it is only "
            "slow, wait longer with `liaison migrate --lock-timeout SECONDS`"
        )
        assert schema.current_revision(old_database) is None  # nothing was migrated
        stuck.exec_driver_sql(f"SELECT pg_advisory_unlock({schema.MIGRATION_LOCK})")
        stuck.commit()

    done = migrate()
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"database schema: empty → {schema.head_revision()}\n"
    help_text = " ".join(migrate("--help").stdout.split())
    default = schema.MIGRATION_LOCK_TIMEOUT
    assert f"how long to wait for another process's migration (default {default})" in help_text
