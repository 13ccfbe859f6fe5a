"""The App Home's queries on the real database: each reads one person's rows of one workspace,
never another workspace's (every row below has a twin in another workspace, for the same user
id), and counts what the Home leaves out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage import home as store
from storage.models import (
    CheckIn,
    CheckInStatus,
    OutboxMessage,
    OutboxStatus,
    Partner,
    SurveyAnswer,
    SurveyDelivery,
    SurveyMessage,
    SurveyRound,
    TeamMembership,
    TeamRole,
    Touchpoint,
    TouchpointParticipant,
)

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
HOME, OTHER = "T0HOME", "T0OTHER"
ME, COLLEAGUE = "U1", "U2"
PREFIX = "checkin:"


def add(session: Session, row: object) -> int:
    session.add(row)
    session.flush()
    found = getattr(row, "id", None)
    return int(found) if found is not None else 0


def partner(session: Session, team_id: str, name: str) -> int:
    return add(
        session,
        Partner(
            team_id=team_id,
            name=name,
            normalized_name=name.lower(),
            created_by=ME,
            created_at=NOW,
            last_contact_at=NOW - timedelta(days=2),
            last_contact_by=COLLEAGUE,
        ),
    )


def member(session: Session, team_id: str, partner_id: int, user_id: str, role: TeamRole) -> None:
    session.add(
        TeamMembership(
            team_id=team_id, partner_id=partner_id, user_id=user_id, role=role, added_at=NOW
        )
    )
    session.flush()


def touchpoint(
    session: Session,
    team_id: str,
    partner_id: int,
    *,
    at: datetime,
    kind: str = "planned",
    author: str = ME,
    participants: tuple[str, ...] = (),
    day_only: bool = False,
) -> int:
    touchpoint_id = add(
        session,
        Touchpoint(
            team_id=team_id,
            partner_id=partner_id,
            kind=kind,
            medium="meeting",
            at=at,
            author_id=author,
            notes="the pilot",
            created_at=NOW,
            day_only=day_only,
        ),
    )
    for user_id in participants:
        session.add(TouchpointParticipant(touchpoint_id=touchpoint_id, user_id=user_id))
    session.flush()
    return touchpoint_id


def checkin(
    session: Session,
    team_id: str,
    touchpoint_id: int,
    *,
    asked: OutboxStatus | None,
    occurrence: int,
    status: CheckInStatus = CheckInStatus.OPEN,
) -> int:
    checkin_id = add(
        session,
        CheckIn(
            team_id=team_id,
            touchpoint_id=touchpoint_id,
            user_id=ME,
            occurrence=occurrence,
            meeting_at=NOW - timedelta(days=1),
            due_at=NOW - timedelta(hours=20),
            status=status,
            created_at=NOW,
        ),
    )
    if asked is not None:
        message(session, team_id, f"{PREFIX}{checkin_id}", asked)
    return checkin_id


def message(session: Session, team_id: str, key: str, status: OutboxStatus) -> None:
    sent = status is OutboxStatus.SENT
    session.add(
        OutboxMessage(
            team_id=team_id,
            kind="checkin",
            recipient_user=ME,
            text="How did it go?",
            dedupe_key=key,
            due_at=NOW - timedelta(hours=20),
            available_at=NOW - timedelta(hours=20),
            status=status,
            sent_at=NOW - timedelta(hours=20) if sent else None,
            sent_channel="D1" if sent else None,
            sent_ts="1.0" if sent else None,
            last_error="user_not_found" if status is OutboxStatus.FAILED else None,
            created_at=NOW,
        )
    )
    session.flush()


def survey(
    session: Session,
    team_id: str,
    partner_id: int,
    *,
    key: str,
    sent: bool = True,
    scored: int = 1,
    closed: bool = False,
) -> int:
    round_id = add(
        session,
        SurveyRound(
            team_id=team_id,
            partner_id=partner_id,
            round_key=key,
            questions=["value", "clarity", "workload", "alignment"],
            started_at=NOW - timedelta(days=1),
            remind_at=NOW + timedelta(days=2),
            closes_at=NOW + timedelta(days=6),
            closed_at=NOW if closed else None,
        ),
    )
    respondent = f"{team_id}-{key}"
    delivery_id = add(
        session,
        SurveyDelivery(
            team_id=team_id,
            round_id=round_id,
            user_id=ME,
            reason="team",
            respondent=respondent,
            created_at=NOW,
        ),
    )
    session.add(
        SurveyMessage(
            team_id=team_id, delivery_id=delivery_id, question=0, dedupe_key=f"{key}:intro"
        )
    )
    message(session, team_id, f"{key}:intro", OutboxStatus.SENT if sent else OutboxStatus.PENDING)
    for question in range(1, 5):  # the statements, one message each
        session.add(
            SurveyMessage(
                team_id=team_id,
                delivery_id=delivery_id,
                question=question,
                dedupe_key=f"{key}:{question}",
            )
        )
    for question in range(1, scored + 1):
        session.add(
            SurveyAnswer(
                team_id=team_id,
                round_id=round_id,
                respondent=respondent,
                question=question,
                score=4,
            )
        )
    # Someone else's score in the same round is not the user's.
    session.add(
        SurveyAnswer(team_id=team_id, round_id=round_id, respondent="someone", question=4, score=2)
    )
    session.flush()
    return round_id


@pytest.fixture
def workspaces(engine: Engine) -> dict[str, dict[str, int]]:
    """The same picture in two workspaces: partners, plans, check-ins, surveys, failures."""
    ids: dict[str, dict[str, int]] = {}
    with Session(engine) as session:
        for team_id in (HOME, OTHER):
            mine = partner(session, team_id, f"Acme {team_id}")
            deputy = partner(session, team_id, f"Globex {team_id}")
            theirs = partner(session, team_id, f"Initech {team_id}")
            member(session, team_id, mine, ME, TeamRole.OWNER)
            member(session, team_id, deputy, COLLEAGUE, TeamRole.OWNER)
            member(session, team_id, deputy, ME, TeamRole.DEPUTY)
            member(session, team_id, theirs, COLLEAGUE, TeamRole.OWNER)
            ids[team_id] = {
                "acme": mine,
                "globex": deputy,
                "initech": theirs,
                "planned": touchpoint(session, team_id, mine, at=NOW + timedelta(days=1)),
                "taking_part": touchpoint(
                    session,
                    team_id,
                    theirs,
                    at=NOW + timedelta(days=3),
                    author=COLLEAGUE,
                    participants=(ME,),
                ),
                "today": touchpoint(
                    session, team_id, mine, at=NOW - timedelta(hours=3), day_only=True
                ),
            }
            touchpoint(session, team_id, mine, at=NOW - timedelta(hours=3))  # over already
            touchpoint(session, team_id, theirs, at=NOW + timedelta(days=2), author=COLLEAGUE)
            done = touchpoint(session, team_id, mine, at=NOW - timedelta(days=1), kind="done")
            ids[team_id]["waiting"] = checkin(
                session, team_id, done, asked=OutboxStatus.SENT, occurrence=0
            )
            checkin(session, team_id, done, asked=OutboxStatus.PENDING, occurrence=1)  # not sent
            checkin(
                session,
                team_id,
                done,
                asked=OutboxStatus.SENT,
                occurrence=2,
                status=CheckInStatus.ANSWERED,
            )
            ids[team_id]["survey"] = survey(session, team_id, mine, key="open")
            survey(session, team_id, mine, key="unsent", sent=False)
            survey(session, team_id, mine, key="closed", closed=True)
            for number in range(2):
                message(session, team_id, f"failed:{number}", OutboxStatus.FAILED)
        session.commit()
    return ids


def test_my_partners_are_those_on_whose_team_i_am(
    engine: Engine, workspaces: dict[str, dict[str, int]]
) -> None:
    with Session(engine) as session:
        found = store.team_partners(session=session, team_id=HOME, user_id=ME, limit=10)
        count = store.team_partner_count(session=session, team_id=HOME, user_id=ME)
        first = store.team_partners(session=session, team_id=HOME, user_id=ME, limit=1)
    assert [(p.name, p.role, p.owner_id) for p in found] == [
        (f"Acme {HOME}", TeamRole.OWNER, ME),
        (f"Globex {HOME}", TeamRole.DEPUTY, COLLEAGUE),
    ]
    assert found[0].last_contact_at == NOW - timedelta(days=2)
    assert found[0].last_contact_by == COLLEAGUE
    assert count == 2
    assert [p.name for p in first] == [f"Acme {HOME}"]


def test_planned_meetings_i_planned_or_take_part_in_still_to_come(
    engine: Engine, workspaces: dict[str, dict[str, int]]
) -> None:
    mine = workspaces[HOME]
    with Session(engine) as session:
        found = store.planned_touchpoints(
            session=session, team_id=HOME, user_id=ME, now=NOW, limit=10
        )
        count = store.planned_touchpoint_count(session=session, team_id=HOME, user_id=ME, now=NOW)
    # A day-only plan for today stays until the day is over; soonest first.
    assert [m.touchpoint.id for m in found] == [mine["today"], mine["planned"], mine["taking_part"]]
    assert [m.partner_name for m in found] == [f"Acme {HOME}", f"Acme {HOME}", f"Initech {HOME}"]
    assert found[2].touchpoint.participants == (ME,)
    assert count == 3


def test_colleagues_plans_with_partners_i_own_or_deputise_are_mine_to_see_coming(
    engine: Engine, workspaces: dict[str, dict[str, int]]
) -> None:
    added: dict[str, dict[str, int]] = {}
    with Session(engine) as session:
        for team_id in (HOME, OTHER):
            acme, globex, initech = (
                workspaces[team_id][name] for name in ("acme", "globex", "initech")
            )
            later = NOW + timedelta(days=5)
            added[team_id] = {
                "on_mine": touchpoint(session, team_id, acme, at=later, author=COLLEAGUE),
                "on_deputised": touchpoint(session, team_id, globex, at=later, author=COLLEAGUE),
                # Taking part in a colleague's plan with my own partner: listed once.
                "with_me": touchpoint(
                    session, team_id, acme, at=later, author=COLLEAGUE, participants=(ME, "U3")
                ),
            }
            member(session, team_id, initech, "U3", TeamRole.DEPUTY)
            touchpoint(session, team_id, initech, at=later, author="U3")  # not my partner
        session.commit()
    with Session(engine) as session:
        found = store.planned_touchpoints(
            session=session, team_id=HOME, user_id=ME, now=NOW, limit=10
        )
        count = store.planned_touchpoint_count(session=session, team_id=HOME, user_id=ME, now=NOW)
    mine = workspaces[HOME]
    assert [m.touchpoint.id for m in found] == [
        mine["today"],
        mine["planned"],
        mine["taking_part"],
        *sorted(added[HOME].values()),
    ]
    assert count == 6


def test_checkins_waiting_are_open_ones_whose_question_went_out(
    engine: Engine, workspaces: dict[str, dict[str, int]]
) -> None:
    with Session(engine) as session:
        found = store.waiting_checkins(
            session=session, team_id=HOME, user_id=ME, ask_key_prefix=PREFIX, limit=10
        )
        count = store.waiting_checkin_count(
            session=session, team_id=HOME, user_id=ME, ask_key_prefix=PREFIX
        )
        nobody = store.waiting_checkin_count(
            session=session, team_id=HOME, user_id=COLLEAGUE, ask_key_prefix=PREFIX
        )
    assert [(c.checkin_id, c.partner_name, c.medium) for c in found] == [
        (workspaces[HOME]["waiting"], f"Acme {HOME}", "meeting")
    ]
    assert found[0].asked_at == NOW - timedelta(hours=20)
    assert (count, nobody) == (1, 0)


def test_open_surveys_that_reached_me_with_my_own_progress(
    engine: Engine, workspaces: dict[str, dict[str, int]]
) -> None:
    with Session(engine) as session:
        found = store.open_surveys(session=session, team_id=HOME, user_id=ME)
    assert [(s.round_id, s.partner_name, s.answered, s.questions) for s in found] == [
        (workspaces[HOME]["survey"], f"Acme {HOME}", 1, 4)
    ]


def test_a_workspace_without_rows_sees_nothing(
    engine: Engine, workspaces: dict[str, dict[str, int]]
) -> None:
    with Session(engine) as session:
        assert store.team_partners(session=session, team_id="T0NONE", user_id=ME, limit=9) == []
        assert (
            store.planned_touchpoints(
                session=session, team_id="T0NONE", user_id=ME, now=NOW, limit=9
            )
            == []
        )
        assert (
            store.waiting_checkins(
                session=session, team_id="T0NONE", user_id=ME, ask_key_prefix=PREFIX, limit=9
            )
            == []
        )
        assert store.open_surveys(session=session, team_id="T0NONE", user_id=ME) == []


def test_the_planned_meetings_read_the_live_plans_and_the_persons_participations(
    engine: Engine,
) -> None:
    """Opening the Home reads a range of the plans still to come and the person's own
    participations, not every touchpoint of the workspace (a million of them, in time)."""
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's plan: PostgreSQL picks by statistics")
    statement = sa.select(sa.func.count()).where(*store._planned_for(HOME, ME, NOW))
    sql = str(statement.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql).all()
    plan = " | ".join(str(row[-1]) for row in rows)
    assert "ix_touchpoint_team_live_plan (team_id=? AND at>?)" in plan
    assert "ix_touchpoint_participant_user_id" in plan
