"""Check-ins: when they are due (time zones, weekends, the workspace's delay), and the service on
a real database (who is asked, once; who may answer, until when; Problem alerts)."""

from __future__ import annotations

import contextlib
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

import bot.services.checkins as checkins_module
from bot.clock import ManualClock
from bot.delivery.working_hours import SPREAD, WorkingHours, spread_offset
from bot.services.checkins import (
    ASK_KIND,
    PROBLEM_KIND,
    REMINDER_KIND,
    AlreadyMoved,
    CheckInClosed,
    CheckIns,
    Debrief,
    NotMoved,
    NotPlanned,
    NotYourCheckIn,
    ReplyOutcome,
    due_time,
    meeting_day,
    moved_moment,
    note_as_typed,
    note_with_reply,
    with_mentions,
    words_of_reply,
)
from bot.services.feedback import (
    FeedbackSettings,
    Rendered,
    add_working_days,
    first_delivery,
    next_working_morning,
    queue_dm,
)
from bot.services.partner_names import PartnerNames
from bot.services.people import PeopleCheck
from bot.services.registry import Actor, Registry
from handlers.blocks.feedback import MESSAGES, FeedbackBlocks
from handlers.texts import feedback as feedback_texts
from storage.absences import record_absence
from storage.models import (
    CHECKIN_KINDS_SQL,
    PROBLEM_ALERT_KIND_SQL,
    CheckIn,
    CheckInAnswer,
    CheckInStatus,
    OutboxMessage,
    OutboxStatus,
    Partner,
    Touchpoint,
    TouchpointParticipant,
    Workspace,
)
from storage.people import save_profile
from tests.conftest import START
from tests.factories import Colleague, save_colleagues

TEAM = "T0ACME"
ANA, BEN, CHLOE, DAN = "U0ANA", "U0BEN", "U0CHLOE", "U0DAN"
HOURS = WorkingHours(days=frozenset(range(5)), start_hour=9, end_hour=17)


# --- When -----------------------------------------------------------------------------------


def test_the_next_working_morning_in_the_persons_zone() -> None:
    wednesday_10_utc = datetime(2026, 11, 25, 10, tzinfo=UTC)
    assert next_working_morning(wednesday_10_utc, tz="Europe/London", hours=HOURS) == datetime(
        2026, 11, 26, 9, tzinfo=UTC
    )
    # 05:00 in New York: this morning is still ahead.
    assert next_working_morning(wednesday_10_utc, tz="America/New_York", hours=HOURS) == datetime(
        2026, 11, 25, 14, tzinfo=UTC
    )
    friday_evening = datetime(2026, 11, 27, 18, tzinfo=UTC)
    assert next_working_morning(friday_evening, tz="Asia/Tokyo", hours=HOURS) == datetime(
        2026, 11, 30, 0, tzinfo=UTC
    )


def test_working_days_skip_the_weekend() -> None:
    thursday = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
    assert add_working_days(thursday, 1, tz="UTC", hours=HOURS) == thursday + timedelta(days=1)
    assert add_working_days(thursday, 2, tz="UTC", hours=HOURS) == thursday + timedelta(days=4)
    assert add_working_days(thursday, 5, tz="UTC", hours=HOURS) == thursday + timedelta(days=7)


def test_a_checkin_is_due_after_the_delay_or_next_morning() -> None:
    reference = datetime(2026, 11, 25, 10, tzinfo=UTC)
    default = FeedbackSettings(hours=HOURS)
    assert due_time(reference, tz="Europe/Berlin", settings=default) == datetime(
        2026, 11, 26, 8, tzinfo=UTC
    )
    two_hours = FeedbackSettings(hours=HOURS, checkin_delay_hours=2)
    assert due_time(reference, tz="Europe/Berlin", settings=two_hours) == reference + timedelta(
        hours=2
    )


def test_a_moved_meeting_keeps_its_local_time() -> None:
    meeting = datetime(2026, 11, 25, 14, tzinfo=UTC)  # 15:00 in Berlin
    assert moved_moment(meeting, date(2026, 12, 3), "Europe/Berlin") == datetime(
        2026, 12, 3, 14, tzinfo=UTC
    )


def test_the_day_of_a_meeting_is_the_readers_unless_it_has_no_time() -> None:
    late = datetime(2026, 11, 24, 23, tzinfo=UTC)
    assert meeting_day(late, day_only=False, tz="America/New_York") == date(2026, 11, 24)
    assert meeting_day(late, day_only=False, tz="Asia/Tokyo") == date(2026, 11, 25)
    noon_in_new_york = datetime(2026, 11, 24, 17, tzinfo=UTC)  # a day-only log from New York
    assert meeting_day(noon_in_new_york, day_only=True, tz="Asia/Tokyo") == date(2026, 11, 24)


# --- The service ----------------------------------------------------------------------------


@pytest.fixture
def checkins(engine: Engine, clock: ManualClock) -> CheckIns:
    registry = Registry(engine=engine, clock=clock, names=PartnerNames())
    registry.add(
        actor=Actor(TEAM, ANA, PeopleCheck(asked=frozenset({ANA, CHLOE}))),
        name="Acme",
        team=[CHLOE],
    )
    with Session(engine) as session:
        for user, tz, deleted in (
            (ANA, "Europe/Berlin", False),
            (BEN, "America/New_York", False),
            (DAN, "Europe/London", False),
            ("U0GONE", "UTC", True),
        ):
            save_profile(
                session=session,
                team_id=TEAM,
                user_id=user,
                name=user,
                real_name=None,
                tz=tz,
                is_admin=False,
                is_deleted=deleted,
                fetched_at=START,
            )
        session.commit()
    return CheckIns(engine=engine, clock=clock, messages=MESSAGES)


def _meeting(
    engine: Engine,
    *,
    author: str,
    participants: tuple[str, ...] = (),
    at: datetime,
    kind: str = "done",
    medium: str = "meeting",
    partner_name: str = "Acme",
) -> int:
    with Session(engine) as session:
        partner = session.exec(select(Partner).where(Partner.name == partner_name)).one()
        assert partner.id is not None
        touchpoint = Touchpoint(
            team_id=TEAM,
            partner_id=partner.id,
            kind=kind,
            medium=medium,
            at=at,
            author_id=author,
            created_at=START,
        )
        session.add(touchpoint)
        session.flush()
        assert touchpoint.id is not None
        for user in participants:
            session.add(TouchpointParticipant(touchpoint_id=touchpoint.id, user_id=user))
        session.commit()
        return touchpoint.id


def _checkins(engine: Engine) -> list[CheckIn]:
    with Session(engine) as session:
        found = list(session.exec(select(CheckIn).order_by(CheckIn.id)))  # type: ignore[arg-type]
        for row in found:
            session.expunge(row)
        return found


def _touchpoints(engine: Engine) -> list[Touchpoint]:
    with Session(engine) as session:
        return list(session.exec(select(Touchpoint)))


def _queued(engine: Engine, kind: str) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).where(OutboxMessage.kind == kind)))


def test_everyone_who_took_part_is_asked_once(checkins: CheckIns, engine: Engine) -> None:
    _meeting(engine, author=BEN, participants=(DAN, "U0GONE"), at=START - timedelta(hours=1))
    _meeting(engine, author=BEN, at=START - timedelta(hours=1), medium="email")
    _meeting(engine, author=BEN, at=START - timedelta(days=30))  # too long ago
    checkins.plan(START)
    checkins.plan(START)
    asked = _checkins(engine)
    assert [(c.user_id, c.due_at) for c in asked] == [
        (BEN, datetime(2026, 11, 25, 14, tzinfo=UTC)),  # 09:00 in New York
        (DAN, datetime(2026, 11, 26, 9, tzinfo=UTC)),  # tomorrow 09:00 in London
    ]
    assert len(_queued(engine, "checkin")) == 2


def _londoners(engine: Engine, clock: ManualClock, count: int) -> list[str]:
    people = [f"U0LONDON{n}" for n in range(count)]
    colleagues = [Colleague(user, "Europe/London") for user in people]
    save_colleagues(engine, clock, team_id=TEAM, colleagues=colleagues)
    return people


def test_a_mornings_checkins_in_one_zone_are_spread_over_its_first_minutes_by_person(
    checkins: CheckIns, engine: Engine, clock: ManualClock
) -> None:
    people = _londoners(engine, clock, 12)
    _meeting(engine, author=DAN, participants=tuple(people), at=START - timedelta(hours=1))
    checkins.plan(START)
    morning = datetime(2026, 11, 26, 9, tzinfo=UTC)  # tomorrow 09:00 in London
    # The check-in is due on the morning, as `due_time` says; its question goes in the
    # window's first minutes, at its person's slot (not every one at 09:00:00).
    assert {c.due_at for c in _checkins(engine)} == {morning}
    questions = _queued(engine, "checkin")
    assert {q.due_at for q in questions} == {morning}
    slots = {q.recipient_user: q.available_at for q in questions}
    assert len(slots) == 13
    assert all(morning <= slot < morning + SPREAD for slot in slots.values())
    assert len(set(slots.values())) > 6
    # By person, as everything else waiting for their morning: one person's go in order.
    assert slots == {user: morning + spread_offset(user or "") for user in slots}
    with Session(engine) as session:
        queue_dm(
            session,
            team_id=TEAM,
            user_id=DAN,
            kind="note",
            message=Rendered(text="queued in the night"),
            dedupe_key="night-note",
            due_at=morning - timedelta(hours=6),
        )
        session.commit()
    (note,) = _queued(engine, "note")
    assert note.available_at == slots[DAN]


def test_a_checkin_after_a_delay_keeps_its_moment_even_at_the_windows_start(
    checkins: CheckIns, engine: Engine, clock: ManualClock
) -> None:
    with Session(engine) as session:
        session.add(Workspace(team_id=TEAM, checkin_delay_hours=1, created_at=START))
        session.commit()
    people = _londoners(engine, clock, 3)
    _meeting(engine, author=DAN, participants=tuple(people), at=START + timedelta(hours=23))
    checkins.plan(START + timedelta(hours=23, minutes=30))
    morning = datetime(2026, 11, 26, 9, tzinfo=UTC)  # the meeting at 08:00, asked an hour on
    assert {(q.due_at, q.available_at) for q in _queued(engine, "checkin")} == {(morning, morning)}


def _asked(engine: Engine) -> dict[tuple[int, str, int], str]:
    """(touchpoint, person, occurrence) → the check-in's status."""
    return {(c.touchpoint_id, c.user_id, c.occurrence): c.status for c in _checkins(engine)}


def _questions(engine: Engine) -> dict[str, str]:
    """The outbox key of each check-in question → its status."""
    return {m.dedupe_key: m.status for m in _queued(engine, "checkin")}


OPEN, SUPERSEDED = CheckInStatus.OPEN, CheckInStatus.SUPERSEDED


def test_a_planned_meeting_also_logged_as_done_is_asked_about_once(
    checkins: CheckIns, engine: Engine
) -> None:
    planned = _meeting(engine, author=DAN, at=START - timedelta(hours=2), kind="planned")
    logged = _meeting(engine, author=DAN, at=START - timedelta(hours=1))
    checkins.plan(START)
    checkins.plan(START)
    assert _asked(engine) == {(logged, DAN, 0): OPEN, (planned, DAN, 0): SUPERSEDED}
    (question,) = _queued(engine, "checkin")
    assert "Didn't happen" not in json.dumps(question.blocks)


def test_a_log_replaces_the_unsent_question_about_its_plan_and_a_second_log_asks_nothing(
    checkins: CheckIns, engine: Engine
) -> None:
    planned = _meeting(
        engine, author=BEN, participants=(DAN,), at=START - timedelta(hours=2), kind="planned"
    )
    checkins.plan(START - timedelta(hours=1))  # its time has passed: both are to be asked
    assert set(_questions(engine).values()) == {OutboxStatus.PENDING}
    # Ben logs it at another hour of the day; Dan logs it too.
    by_ben = _meeting(engine, author=BEN, participants=(DAN,), at=START - timedelta(hours=1))
    by_dan = _meeting(engine, author=DAN, participants=(BEN,), at=START)
    checkins.plan(START)
    checkins.plan(START)
    assert _asked(engine) == {
        (planned, BEN, 0): SUPERSEDED,
        (planned, DAN, 0): SUPERSEDED,
        (by_ben, BEN, 0): OPEN,
        (by_ben, DAN, 0): OPEN,
        (by_dan, DAN, 0): SUPERSEDED,
        (by_dan, BEN, 0): SUPERSEDED,
    }
    ids = {(c.touchpoint_id, c.user_id): c.id for c in _checkins(engine)}
    assert _questions(engine) == {
        f"checkin:{ids[planned, BEN]}": OutboxStatus.CANCELLED,
        f"checkin:{ids[planned, DAN]}": OutboxStatus.CANCELLED,
        f"checkin:{ids[by_ben, BEN]}": OutboxStatus.PENDING,
        f"checkin:{ids[by_ben, DAN]}": OutboxStatus.PENDING,
    }


def test_one_question_per_person_and_meeting_on_their_local_day(
    checkins: CheckIns, engine: Engine
) -> None:
    # Ben planned a meeting with Dan for 18:00 in New York and logged one at 22:00: one evening
    # for Ben (the log stands for the plan), but 23:00 and 03:00 in London, two days for Dan.
    planned = _meeting(
        engine,
        author=BEN,
        participants=(DAN,),
        at=datetime(2026, 11, 24, 23, tzinfo=UTC),
        kind="planned",
    )
    logged = _meeting(
        engine, author=BEN, participants=(DAN,), at=datetime(2026, 11, 25, 3, tzinfo=UTC)
    )
    checkins.plan(START)
    assert _asked(engine) == {
        (logged, BEN, 0): OPEN,
        (logged, DAN, 0): OPEN,
        (planned, BEN, 0): SUPERSEDED,
        (planned, DAN, 0): OPEN,
    }
    assert len(_queued(engine, "checkin")) == 3


def test_a_colleagues_meetings_with_a_partner_on_one_day_are_a_question_each(
    checkins: CheckIns, engine: Engine
) -> None:
    # Dan planned two meetings with Acme on Tuesday and logged two calls; then he logs the
    # morning meeting: it takes the place of its plan's question, not of the afternoon's.
    morning = _meeting(engine, author=DAN, at=datetime(2026, 11, 24, 9, tzinfo=UTC), kind="planned")
    afternoon = _meeting(
        engine, author=DAN, at=datetime(2026, 11, 24, 15, tzinfo=UTC), kind="planned"
    )
    calls = [
        _meeting(engine, author=DAN, at=datetime(2026, 11, 24, hour, tzinfo=UTC), medium="call")
        for hour in (11, 12)
    ]
    checkins.plan(datetime(2026, 11, 24, 16, tzinfo=UTC))
    logged = _meeting(engine, author=DAN, at=datetime(2026, 11, 24, 9, 30, tzinfo=UTC))
    checkins.plan(datetime(2026, 11, 24, 17, tzinfo=UTC))
    checkins.plan(datetime(2026, 11, 24, 17, tzinfo=UTC))  # again, as after a restart
    assert _asked(engine) == {
        (morning, DAN, 0): SUPERSEDED,
        (afternoon, DAN, 0): OPEN,
        (calls[0], DAN, 0): OPEN,
        (calls[1], DAN, 0): OPEN,
        (logged, DAN, 0): OPEN,
    }
    ids = {c.touchpoint_id: c.id for c in _checkins(engine)}
    assert _questions(engine) == {
        f"checkin:{ids[morning]}": OutboxStatus.CANCELLED,
        f"checkin:{ids[afternoon]}": OutboxStatus.PENDING,
        f"checkin:{ids[calls[0]]}": OutboxStatus.PENDING,
        f"checkin:{ids[calls[1]]}": OutboxStatus.PENDING,
        f"checkin:{ids[logged]}": OutboxStatus.PENDING,
    }


def test_who_may_answer_what_and_until_when(
    checkins: CheckIns, engine: Engine, clock: ManualClock
) -> None:
    _meeting(engine, author=DAN, at=START - timedelta(hours=1))
    checkins.plan(START)
    (asked,) = _checkins(engine)
    checkin_id = asked.id or 0
    with pytest.raises(NotYourCheckIn):
        checkins.answer(
            team_id=TEAM, user_id=BEN, checkin_id=checkin_id, answer=CheckInAnswer.MIXED
        )
    with pytest.raises(NotPlanned):
        checkins.answer(
            team_id=TEAM, user_id=DAN, checkin_id=checkin_id, answer=CheckInAnswer.DIDNT_HAPPEN
        )
    update = checkins.answer(
        team_id=TEAM, user_id=DAN, checkin_id=checkin_id, answer=CheckInAnswer.WENT_WELL
    )
    assert update.card.answer is CheckInAnswer.WENT_WELL
    assert update.card.changeable_until == START + timedelta(hours=24)
    again = checkins.answer(
        team_id=TEAM, user_id=DAN, checkin_id=checkin_id, answer=CheckInAnswer.WENT_WELL
    )
    assert again.card.answer is CheckInAnswer.WENT_WELL
    assert _checkins(engine)[0].version == 1  # the same answer twice is one answer
    assert len(_queued(engine, "checkin.debrief")) == 2  # head and one line

    clock.set(START + timedelta(hours=24))
    with pytest.raises(CheckInClosed):
        checkins.answer(
            team_id=TEAM, user_id=DAN, checkin_id=checkin_id, answer=CheckInAnswer.PROBLEM
        )


def test_a_problem_without_a_note_alerts_the_owner_after_a_short_wait(
    checkins: CheckIns, engine: Engine, clock: ManualClock
) -> None:
    _meeting(engine, author=DAN, at=START - timedelta(hours=1))
    checkins.plan(START)
    (asked,) = _checkins(engine)
    checkins.answer(
        team_id=TEAM, user_id=DAN, checkin_id=asked.id or 0, answer=CheckInAnswer.PROBLEM
    )
    checkins.follow_up(START + timedelta(minutes=5))
    assert _queued(engine, "checkin.problem") == []
    checkins.follow_up(START + timedelta(minutes=10))
    checkins.follow_up(START + timedelta(minutes=11))
    (alert,) = _queued(engine, "checkin.problem")
    assert alert.recipient_user == ANA
    assert "No note was given" in alert.text


def _ana_away(session: Session, *, deputy_id: str | None) -> None:
    """Ana away for three days from START, in the caller's transaction."""
    record_absence(
        session=session,
        team_id=TEAM,
        user_id=ANA,
        starts_at=START,
        ends_at=START + timedelta(days=3),
        deputy_id=deputy_id,
        created_at=START,
    )


def test_time_away_rewords_only_the_waiting_cards_about_the_persons_partners(
    checkins: CheckIns, engine: Engine, clock: ManualClock
) -> None:
    # `away` and `back` answer Slack in the request that rewords: a card about a partner whose
    # owner, deputy and cover are others says the same whoever is away, and is left alone.
    Registry(engine=engine, clock=clock, names=PartnerNames()).add(
        actor=Actor(TEAM, BEN, PeopleCheck(asked=frozenset({BEN, DAN}))), name="Globex"
    )
    for partner_name in ("Acme", "Globex"):
        _meeting(engine, author=DAN, at=START - timedelta(hours=1), partner_name=partner_name)
    checkins.plan(START)
    untouched = "as queued"
    with Session(engine) as session:
        for question in session.exec(select(OutboxMessage)):
            question.text = untouched
            session.add(question)
        session.commit()
    with Session(engine) as session:
        _ana_away(session, deputy_id=None)
        checkins.reword_waiting(session, team_id=TEAM, user_id=ANA, now=START)
        session.commit()
    about = {touchpoint.partner_id: touchpoint.id for touchpoint in _touchpoints(engine)}
    queued = {m.dedupe_key: m for m in _queued(engine, "checkin")}
    acme, globex = (
        queued[f"checkin:{c.id}"]
        for partner_id in sorted(about)
        for c in _checkins(engine)
        if c.touchpoint_id == about[partner_id]
    )
    assert acme.text != untouched
    assert "when they are back from time away" in json.dumps(acme.blocks)
    assert globex.text == untouched


def test_time_away_rewords_many_waiting_cards_with_the_same_few_reads(
    checkins: CheckIns, engine: Engine
) -> None:
    # Hundreds of cards can wait overnight, reworded before `away` and `back` answer Slack: the
    # people, partners, meetings and settings they name are read once for all of them, and each
    # card costs only its rewrite (it cost ~14 queries, 2.2 s for 300 on PostgreSQL).
    for hours in range(1, 9):
        _meeting(engine, author=DAN, at=START - timedelta(hours=hours))
    checkins.plan(START)
    assert len(_queued(engine, "checkin")) == 8
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    with Session(engine) as session:
        _ana_away(session, deputy_id=BEN)
        sa.event.listen(engine, "before_cursor_execute", seen)
        try:
            checkins.reword_waiting(session, team_id=TEAM, user_id=ANA, now=START)
        finally:
            sa.event.remove(engine, "before_cursor_execute", seen)
        session.commit()
    rewrites = [s for s in statements if s.startswith("UPDATE outbox_message")]
    assert len(rewrites) == 8
    assert all(f"<@{BEN}>, who covers" in json.dumps(m.blocks) for m in _queued(engine, "checkin"))
    assert len(statements) - len(rewrites) <= 12


def test_the_owners_own_problem_alerts_nobody(checkins: CheckIns, engine: Engine) -> None:
    _meeting(engine, author=ANA, at=START - timedelta(hours=1))
    checkins.plan(START)
    (asked,) = _checkins(engine)
    checkins.answer(
        team_id=TEAM, user_id=ANA, checkin_id=asked.id or 0, answer=CheckInAnswer.PROBLEM
    )
    checkins.add_note(team_id=TEAM, user_id=ANA, checkin_id=asked.id or 0, note="late again")
    assert _queued(engine, "checkin.problem") == []
    assert _queued(engine, "checkin.debrief") == []  # the owner needs no debrief of their own


def test_moved_to_moves_the_plan_closes_the_others_questions_and_asks_everyone_again(
    checkins: CheckIns, engine: Engine, clock: ManualClock
) -> None:
    tuesday = datetime(2026, 11, 24, 15, tzinfo=UTC)  # 10:00 in New York
    planned = _meeting(engine, author=BEN, participants=(DAN,), at=tuesday, kind="planned")
    checkins.plan(START)
    ben, dan = _checkins(engine)
    with pytest.raises(NotMoved):
        checkins.move(team_id=TEAM, user_id=BEN, checkin_id=ben.id or 0, new_day=date(2026, 11, 24))

    update = checkins.move(
        team_id=TEAM, user_id=BEN, checkin_id=ben.id or 0, new_day=date(2026, 12, 3)
    )
    thursday = datetime(2026, 12, 3, 15, tzinfo=UTC)  # the same 10:00 in New York
    assert update.card.answer is CheckInAnswer.MOVED and update.card.moved_to == thursday
    (closed,) = update.closed
    assert closed.card.recipient_id == DAN and closed.card.superseded
    assert closed.card.moved_to == thursday
    with Session(engine) as session:
        moved = session.get(Touchpoint, planned)
        assert moved is not None and moved.at == thursday
    assert _asked(engine) == {
        (planned, BEN, 0): CheckInStatus.ANSWERED,
        (planned, DAN, 0): SUPERSEDED,
        (planned, BEN, 1): OPEN,
        (planned, DAN, 1): OPEN,
    }
    again = {c.user_id: c for c in _checkins(engine) if c.occurrence == 1}
    assert again[BEN].meeting_at == again[DAN].meeting_at == thursday
    assert again[BEN].due_at == datetime(2026, 12, 4, 14, tzinfo=UTC)  # Friday 09:00, New York
    assert again[DAN].due_at == datetime(2026, 12, 4, 9, tzinfo=UTC)  # Friday 09:00, London
    assert _questions(engine)[f"checkin:{dan.id}"] == OutboxStatus.CANCELLED
    with pytest.raises(CheckInClosed):
        checkins.answer(
            team_id=TEAM, user_id=DAN, checkin_id=dan.id or 0, answer=CheckInAnswer.WENT_WELL
        )
    with pytest.raises(AlreadyMoved):
        checkins.answer(
            team_id=TEAM, user_id=BEN, checkin_id=ben.id or 0, answer=CheckInAnswer.WENT_WELL
        )

    # Ben picked the wrong day: moved again, the questions about Thursday give way.
    clock.set(START + timedelta(hours=1))
    checkins.move(team_id=TEAM, user_id=BEN, checkin_id=ben.id or 0, new_day=date(2026, 12, 8))
    statuses = _asked(engine)
    assert [statuses[planned, user, 1] for user in (BEN, DAN)] == [SUPERSEDED, SUPERSEDED]
    assert [statuses[planned, user, 2] for user in (BEN, DAN)] == [OPEN, OPEN]
    with Session(engine) as session:
        moved = session.get(Touchpoint, planned)
        assert moved is not None and moved.at == datetime(2026, 12, 8, 15, tzinfo=UTC)
    debrief = _queued(engine, "checkin.debrief")
    # Moved again before the first reply went (nothing is sent here): one reply, the day that
    # stands.
    assert [(m.text, m.status) for m in debrief[1:]] == [
        ("<@U0BEN> answered *📅 Moved* — to Thu 3 Dec", OutboxStatus.CANCELLED),
        ("<@U0BEN> answered *📅 Moved* — to Tue 8 Dec", OutboxStatus.PENDING),
    ]


# --- A reply in a check-in's thread -----------------------------------------------------------


def _sent(engine: Engine, dedupe_key: str, *, channel: str, ts: str) -> None:
    """The outbox row queued under `dedupe_key`, as the dispatcher leaves it once Slack took it."""
    with Session(engine) as session:
        row = session.exec(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
        ).one()
        row.status, row.sent_channel, row.sent_ts = OutboxStatus.SENT, channel, ts
        session.add(row)
        session.commit()


def test_a_reply_in_a_checkins_thread_is_its_note_and_a_second_one_adds_a_line(
    checkins: CheckIns, engine: Engine, clock: ManualClock
) -> None:
    _meeting(engine, author=DAN, at=START - timedelta(hours=1))
    checkins.plan(START)
    (asked,) = _checkins(engine)
    checkin_id = asked.id or 0
    _sent(engine, f"checkin:{checkin_id}", channel="D0DAN", ts="100.1")
    reply: dict[str, Any] = {
        "team_id": TEAM,
        "user_id": DAN,
        "channel": "D0DAN",
        "thread_ts": "100.1",
    }

    # Not a thread of Dan's check-in: another workspace, another person, another message.
    assert (
        checkins.note_from_reply(**{**reply, "team_id": "T0OTHER"}, text="x", event_id="E1") is None
    )
    assert checkins.note_from_reply(**{**reply, "user_id": BEN}, text="x", event_id="E2") is None
    assert (
        checkins.note_from_reply(**{**reply, "thread_ts": "100.2"}, text="x", event_id="E3") is None
    )
    assert checkins.note_from_reply(**reply, text="   ", event_id="E4") is None  # no words
    # A file shared without words: nothing kept, and said so (once per event).
    file_only = checkins.note_from_reply(**reply, text="", event_id="E4f", shared_file=True)
    assert file_only is not None and file_only.outcome is ReplyOutcome.FILE_ONLY
    assert file_only.card is not None and _checkins(engine)[0].note is None
    again = checkins.note_from_reply(**reply, text="", event_id="E4f", shared_file=True)
    assert again is not None and again.outcome is ReplyOutcome.REPEATED

    kept = checkins.note_from_reply(**reply, text=" They want a proposal ", event_id="E5")
    assert kept is not None and kept.outcome is ReplyOutcome.KEPT
    assert kept.update is not None and kept.update.card.note == "They want a proposal"
    # Slack's retry of that event: taken once.
    again = checkins.note_from_reply(**reply, text="They want a proposal", event_id="E5")
    assert again is not None and again.outcome is ReplyOutcome.REPEATED and again.card is None
    added = checkins.note_from_reply(**reply, text="by Friday", event_id="E6")
    assert added is not None and added.outcome is ReplyOutcome.ADDED
    assert _checkins(engine)[0].note == "They want a proposal\nby Friday"
    # The note form's limit holds for the note the replies make, and nothing is added past it.
    too_long = checkins.note_from_reply(**reply, text="q" * 3000, event_id="E7")
    assert too_long is not None and too_long.outcome is ReplyOutcome.TOO_LONG
    assert too_long.length == len("They want a proposal\nby Friday\n") + 3000
    assert _checkins(engine)[0].note == "They want a proposal\nby Friday"

    # The reminder's thread is the check-in's too; a closed check-in takes no more notes.
    checkins.answer(
        team_id=TEAM, user_id=DAN, checkin_id=checkin_id, answer=CheckInAnswer.WENT_WELL
    )
    with Session(engine) as session:
        session.add(
            OutboxMessage(
                team_id=TEAM,
                kind="checkin.reminder",
                recipient_user=DAN,
                text="Reminder",
                dedupe_key=f"checkin:{checkin_id}:reminder",
                due_at=START,
                available_at=START,
                created_at=START,
            )
        )
        session.commit()
    _sent(engine, f"checkin:{checkin_id}:reminder", channel="D0DAN", ts="200.1")
    on_reminder = checkins.note_from_reply(
        **{**reply, "thread_ts": "200.1"}, text="Signed!", event_id="E8"
    )
    assert on_reminder is not None and on_reminder.outcome is ReplyOutcome.ADDED
    clock.set(START + timedelta(hours=25))
    late = checkins.note_from_reply(**reply, text="late", event_id="E9")
    # Closed: nothing kept, and said so (since its answer settled), once per event.
    assert late is not None and late.outcome is ReplyOutcome.CLOSED
    assert late.card is not None and late.card.settled
    assert late.closed_at == late.card.changeable_until
    again = checkins.note_from_reply(**reply, text="late", event_id="E9")
    assert again is not None and again.outcome is ReplyOutcome.REPEATED
    assert _checkins(engine)[0].note == "They want a proposal\nby Friday\nSigned!"


def test_the_index_of_checkins_sent_names_the_kinds_checkins_are_sent_as() -> None:
    assert CHECKIN_KINDS_SQL == f"kind IN ('{ASK_KIND}', '{REMINDER_KIND}')"


def test_the_index_of_problem_alerts_names_the_kind_they_are_sent_as() -> None:
    assert PROBLEM_ALERT_KIND_SQL == f"kind = '{PROBLEM_KIND}'"


def test_two_replies_at_once_both_stay_in_the_note(
    checkins: CheckIns, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each reply adds its line to the note it reads: the second must read the first's."""
    _meeting(engine, author=DAN, at=START - timedelta(hours=1))
    checkins.plan(START)
    (asked,) = _checkins(engine)
    _sent(engine, f"checkin:{asked.id}", channel="D0DAN", ts="100.1")
    # Each reply waits here, after reading the check-in, for the other to read it too (or, if
    # the other is made to wait its turn, for a moment).
    both_read = threading.Barrier(2, timeout=2)
    claim = first_delivery

    def claim_when_both_read(session: Session, **kwargs: Any) -> bool:
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait()
        return claim(session, **kwargs)

    monkeypatch.setattr(checkins_module, "first_delivery", claim_when_both_read)

    def reply(text: str, event_id: str) -> None:
        checkins.note_from_reply(
            team_id=TEAM,
            user_id=DAN,
            channel="D0DAN",
            thread_ts="100.1",
            text=text,
            event_id=event_id,
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        done = [pool.submit(reply, "first", "E1"), pool.submit(reply, "second", "E2")]
        for future in done:
            future.result(timeout=60)
    assert sorted((_checkins(engine)[0].note or "").splitlines()) == ["first", "second"]


# --- What the owner has read ------------------------------------------------------------------


class NotesOnTheFirstLine(FeedbackBlocks):
    """The debrief worded otherwise: a note after a dash on the reply's line, not quoted below."""

    def debrief_line(self, debrief: Debrief) -> Rendered:
        text = feedback_texts.debrief_line(debrief).replace("\n> ", " — ")
        return Rendered(text=text, blocks=[])


def test_whether_the_owner_read_a_note_does_not_hang_on_the_debriefs_wording(
    checkins: CheckIns, engine: Engine
) -> None:
    checkins.messages = NotesOnTheFirstLine()
    _meeting(engine, author=DAN, at=START - timedelta(hours=1))
    checkins.plan(START)
    (asked,) = _checkins(engine)
    checkin_id = asked.id or 0
    replies = f"debrief:{asked.touchpoint_id}:{checkin_id}:"

    def note(text: str) -> None:
        checkins.add_note(team_id=TEAM, user_id=DAN, checkin_id=checkin_id, note=text)

    checkins.answer(
        team_id=TEAM, user_id=DAN, checkin_id=checkin_id, answer=CheckInAnswer.WENT_WELL
    )
    _sent(engine, f"{replies}1:answer", channel="D0ANA", ts="300.1")
    note("They liked it")
    _sent(engine, f"{replies}2:note", channel="D0ANA", ts="300.2")  # Ana reads the note
    assert _checkins(engine)[0].quoting_versions == [2]
    # Edited, then cleared before that reply went: Ana read a note, so she reads it is gone.
    note("They liked it a lot")
    note("")
    waiting = {m.dedupe_key: m for m in _queued(engine, "checkin.debrief")}[f"{replies}3:note"]
    assert waiting.status == OutboxStatus.PENDING
    assert waiting.text == "<@U0DAN> removed their note on their answer *✅ Went well*"
    assert _checkins(engine)[0].quoting_versions == [2]


# --- A note as typed --------------------------------------------------------------------------


def test_a_reply_keeps_its_markup_but_shows_where_a_labelled_link_leads() -> None:
    assert words_of_reply(" see <https://x.org|x.org> and <https://x.org/> ") == (
        "see <https://x.org|x.org> and <https://x.org/>"
    )
    assert words_of_reply("see <https://x.org/a|the draft>, <mailto:a@x.org|Ann>") == (
        "see the draft (https://x.org/a), Ann (a@x.org)"
    )
    assert words_of_reply("ask <@U0BEN> in <#C0SALES|sales>") == "ask <@U0BEN> in <#C0SALES|sales>"


def test_the_note_form_shows_a_note_as_typed_and_keeps_its_mentions() -> None:
    names = {"U0BEN": "ben", "U0BEA": "ben s"}
    note = "ask <@U0BEN>, <@U0BEA> and <@U0NEW> in <#C0SALES|sales> about <https://x.org|x.org>"
    typed = note_as_typed(note, names)
    assert typed == "ask @ben, @ben s and @U0NEW in #sales about x.org"
    assert note_as_typed(None, names) is None
    # Saved unchanged, the people and the channel are mentioned again (the link is its words).
    assert with_mentions(typed or "", note, names) == (
        "ask <@U0BEN>, <@U0BEA> and <@U0NEW> in <#C0SALES|sales> about x.org"
    )
    # Only the names the note mentioned, and only whole: "@bench" is no one.
    assert with_mentions("@bench and @ben", note, names) == "@bench and <@U0BEN>"
    assert with_mentions("@ben", None, names) == "@ben"


def test_a_replys_lines_in_a_note_change_with_it_while_they_are_as_it_put_them() -> None:
    note = "They want a proposal\nby Friday\nand\nmore"
    assert note_with_reply(note, "by Friday", "by Monday") == (
        True,
        "They want a proposal\nby Monday\nand\nmore",
    )
    assert note_with_reply(note, "and\nmore", None) == (True, "They want a proposal\nby Friday")
    assert note_with_reply("by Friday", "by Friday", None) == (True, None)
    # Not the whole line (the form changed it), or no note: unchanged.
    assert note_with_reply(note, "Friday", "Monday") == (False, note)
    assert note_with_reply(None, "by Friday", None) == (False, None)
