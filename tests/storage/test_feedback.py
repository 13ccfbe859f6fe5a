"""Feedback queries on a migrated database: idempotent inserts, one workspace at a time, and
answers that only ever come back as aggregates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage import feedback as store
from storage.models import (
    CheckIn,
    CheckInAnswer,
    OutboxMessage,
    OutboxStatus,
    Partner,
    PartnerStatus,
    SurveyAnswer,
    SurveyDelivery,
    SurveyMessage,
    Touchpoint,
    TouchpointParticipant,
)

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
TEAM, OTHER = "T0ACME", "T0OTHER"


def partner(session: Session, team_id: str = TEAM, name: str = "Acme") -> int:
    row = Partner(
        team_id=team_id,
        name=name,
        normalized_name=name.lower(),
        status=PartnerStatus.ACTIVE,
        created_by="U0ANA",
        created_at=NOW,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def touchpoint(
    session: Session,
    partner_id: int,
    *,
    team_id: str = TEAM,
    at: datetime = NOW,
    kind: str = "done",
    medium: str = "meeting",
    author: str = "U0BEN",
    participants: tuple[str, ...] = (),
) -> int:
    row = Touchpoint(
        team_id=team_id,
        partner_id=partner_id,
        kind=kind,
        medium=medium,
        at=at,
        author_id=author,
        created_at=NOW,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    for user in participants:
        session.add(TouchpointParticipant(touchpoint_id=row.id, user_id=user))
    session.flush()
    return row.id


def open_round(session: Session, partner_id: int, *, team_id: str = TEAM, key: str = "k") -> int:
    round_id = store.insert_round(
        session=session,
        team_id=team_id,
        partner_id=partner_id,
        round_key=key,
        started_by=None,
        questions=["Q1", "Q2"],
        started_at=NOW,
        remind_at=NOW + timedelta(days=2),
        closes_at=NOW + timedelta(days=7),
    )
    assert round_id is not None
    return round_id


def delivery(session: Session, round_id: int, user: str, token: str, team_id: str = TEAM) -> int:
    delivery_id = store.insert_delivery(
        session=session,
        team_id=team_id,
        round_id=round_id,
        user_id=user,
        reason="team",
        respondent=token,
        now=NOW,
    )
    assert delivery_id is not None
    return delivery_id


def test_meetings_without_checkins_are_found_once_and_per_workspace(engine: Engine) -> None:
    with Session(engine) as session:
        acme = partner(session)
        met = touchpoint(session, acme, participants=("U0DAN",))
        touchpoint(session, acme, medium="email")  # no check-ins for emails
        touchpoint(session, acme, kind="intended")
        touchpoint(session, acme, at=NOW + timedelta(hours=2))  # not yet
        touchpoint(session, partner(session, OTHER), team_id=OTHER)
        found = store.touchpoints_without_checkins(
            session=session, team_id=TEAM, since=NOW - timedelta(days=1), until=NOW
        )
        assert [(t.id, t.colleagues) for t in found] == [(met, ["U0BEN", "U0DAN"])]

        for user in found[0].colleagues:
            assert store.insert_checkin(
                session=session,
                team_id=TEAM,
                touchpoint_id=met,
                user_id=user,
                occurrence=0,
                planned=False,
                meeting_at=NOW,
                due_at=NOW,
                now=NOW,
            )
        again = store.insert_checkin(
            session=session,
            team_id=TEAM,
            touchpoint_id=met,
            user_id="U0BEN",
            occurrence=0,
            planned=False,
            meeting_at=NOW,
            due_at=NOW,
            now=NOW,
        )
        assert again is None  # a second planner run (or replica) adds nothing
        assert (
            store.touchpoints_without_checkins(
                session=session, team_id=TEAM, since=NOW - timedelta(days=1), until=NOW
            )
            == []
        )
        since = NOW - timedelta(days=1)
        assert store.teams_with_touchpoints_since(session=session, since=since) == [TEAM, OTHER]


def test_touchpoints_are_read_at_once_with_their_participants_per_workspace(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        acme = partner(session)
        met = touchpoint(session, acme, participants=("U0DAN", "U0ANA"))
        called = touchpoint(session, acme, medium="call")
        elsewhere = touchpoint(session, partner(session, OTHER), team_id=OTHER)
        found = store.get_touchpoints(
            session=session, team_id=TEAM, touchpoint_ids=[met, called, elsewhere, 999_999]
        )
        assert set(found) == {met, called}
        assert found[met].participants == ("U0ANA", "U0DAN")
        assert found[called].medium == "call" and found[called].participants == ()
        assert found[met] == store.get_touchpoint(session=session, team_id=TEAM, touchpoint_id=met)


def test_checkin_counts_are_per_partner_and_answer(engine: Engine) -> None:
    with Session(engine) as session:
        acme = partner(session)
        met = touchpoint(session, acme, participants=("U0DAN", "U0CHLOE"))
        for user, answer in (("U0BEN", "went_well"), ("U0DAN", "problem"), ("U0CHLOE", None)):
            session.add(
                CheckIn(
                    team_id=TEAM,
                    touchpoint_id=met,
                    user_id=user,
                    meeting_at=NOW,
                    due_at=NOW,
                    answer=answer,
                    created_at=NOW,
                )
            )
        session.flush()
        counts = store.checkin_answer_counts(
            session=session, team_id=TEAM, partner_id=acme, since=NOW - timedelta(days=1)
        )
        assert counts == {CheckInAnswer.WENT_WELL: 1, CheckInAnswer.PROBLEM: 1}
        assert (
            store.checkin_answer_counts(
                session=session, team_id=OTHER, partner_id=acme, since=NOW - timedelta(days=1)
            )
            == {}
        )


def test_a_round_key_starts_one_round(engine: Engine) -> None:
    with Session(engine) as session:
        acme = partner(session)
        first = open_round(session, acme, key="p1:2026-12")
        again = store.insert_round(
            session=session,
            team_id=TEAM,
            partner_id=acme,
            round_key="p1:2026-12",
            started_by=None,
            questions=["Q1"],
            started_at=NOW,
            remind_at=NOW,
            closes_at=NOW,
        )
        assert again is None
        assert store.open_round(session=session, team_id=TEAM, partner_id=acme).id == first  # type: ignore[union-attr]
        assert store.open_round(session=session, team_id=OTHER, partner_id=acme) is None
        assert store.latest_round_start(session=session, team_id=TEAM, partner_id=acme) == NOW


def test_answers_come_back_only_as_tallies_and_closing_cuts_the_link(engine: Engine) -> None:
    with Session(engine) as session:
        acme = partner(session)
        round_id = open_round(session, acme)
        for number, (user, token) in enumerate((("U0ANA", "a" * 32), ("U0BEN", "b" * 32))):
            delivery(session, round_id, user, token)
            store.save_score(
                session=session,
                team_id=TEAM,
                round_id=round_id,
                respondent=token,
                question=1,
                score=4 + number,
                event_ts=f"1764061200.00000{number}",
            )
        store.save_score(
            session=session,
            team_id=TEAM,
            round_id=round_id,
            respondent="b" * 32,
            question=2,
            score=None,  # withdrawn
            event_ts="1764061300.000000",
        )
        tallies = store.question_tallies(session=session, team_id=TEAM, round_id=round_id)
        assert tallies == {1: store.QuestionTally(count=2, total=9)}
        assert store.respondent_count(session=session, team_id=TEAM, round_id=round_id) == 2
        assert store.question_tallies(session=session, team_id=OTHER, round_id=round_id) == {}

        assert store.close_round(session=session, team_id=TEAM, round_id=round_id, at=NOW)
        assert not store.close_round(session=session, team_id=TEAM, round_id=round_id, at=NOW)
        closed = store.get_round(session=session, team_id=TEAM, round_id=round_id)
        assert closed is not None and closed.respondents == 2 and closed.closed_at == NOW
        session.commit()
    with Session(engine) as session:
        assert set(session.exec(select(SurveyDelivery.respondent))) == {None}
        answers = session.exec(select(SurveyAnswer.score, SurveyAnswer.event_ts)).all()
        assert sorted(answers) == [(4, None), (5, None)]  # the withdrawn one is gone


def test_comments_come_back_unsigned_in_alphabetical_order(engine: Engine) -> None:
    with Session(engine) as session:
        round_id = open_round(session, partner(session))
        for token, text in (("z" * 32, "slow answers"), ("a" * 32, "Great pilot")):
            store.save_comment(
                session=session, team_id=TEAM, round_id=round_id, respondent=token, text=text
            )
        store.save_comment(
            session=session, team_id=TEAM, round_id=round_id, respondent="z" * 32, text="Slow"
        )
        assert store.comments_of_round(session=session, team_id=TEAM, round_id=round_id) == [
            "Great pilot",
            "Slow",
        ]
        store.save_comment(
            session=session, team_id=TEAM, round_id=round_id, respondent="z" * 32, text=None
        )
        assert store.comments_of_round(session=session, team_id=TEAM, round_id=round_id) == [
            "Great pilot"
        ]


def test_sent_survey_messages_learn_where_they_went(engine: Engine) -> None:
    with Session(engine) as session:
        round_id = open_round(session, partner(session))
        delivery_id = delivery(session, round_id, "U0DAN", "d" * 32)
        message_id = store.insert_message(
            session=session, team_id=TEAM, delivery_id=delivery_id, question=1, dedupe_key="q1"
        )
        session.add(
            OutboxMessage(
                team_id=TEAM,
                kind="survey.question",
                recipient_user="U0DAN",
                text="Q1",
                dedupe_key="q1",
                due_at=NOW,
                available_at=NOW,
                status=OutboxStatus.SENT,
                sent_channel="D0DAN",
                sent_ts="1764061200.000100",
                created_at=NOW,
            )
        )
        session.flush()
        assert (
            store.message_at(session=session, team_id=TEAM, channel="D0DAN", ts="1764061200.000100")
            is None
        )
        assert store.record_sent_messages(session=session, team_id=TEAM) == 1
        found = store.message_at(
            session=session, team_id=TEAM, channel="D0DAN", ts="1764061200.000100"
        )
        assert found is not None and found.message.id == message_id
        assert found.delivery.user_id == "U0DAN"
        assert (
            store.message_at(
                session=session, team_id=OTHER, channel="D0DAN", ts="1764061200.000100"
            )
            is None
        )
        assert [m.id for m in store.messages_awaiting_reactions(session=session, team_id=TEAM)] == [
            message_id
        ]
        store.mark_reactions_added(session=session, team_id=TEAM, message_ids=[message_id or 0])
        assert store.messages_awaiting_reactions(session=session, team_id=TEAM) == []
        assert session.exec(select(SurveyMessage.reactions_added)).all() == [True]


def test_the_checkin_a_thread_answers_is_found_by_the_index_of_checkins_sent(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        for kind, key, ts in (
            ("checkin", "checkin:7", "1764061200.000100"),
            ("checkin.reminder", "checkin:7:reminder", "1764061300.000100"),
            ("owner.note", "note:1", "1764061200.000100"),  # no check-in: not its thread
        ):
            session.add(
                OutboxMessage(
                    team_id=TEAM,
                    kind=kind,
                    recipient_user="U0DAN",
                    text="?",
                    dedupe_key=key,
                    due_at=NOW,
                    available_at=NOW,
                    status=OutboxStatus.SENT,
                    sent_channel="D0DAN",
                    sent_ts=ts,
                    created_at=NOW,
                )
            )
        session.flush()

        def keys(*, team_id: str = TEAM, user_id: str = "U0DAN", ts: str) -> list[str]:
            return store.sent_checkin_keys_at(
                session=session, team_id=team_id, user_id=user_id, channel="D0DAN", ts=ts
            )

        assert keys(ts="1764061200.000100") == ["checkin:7"]
        assert keys(ts="1764061300.000100") == ["checkin:7:reminder"]
        assert keys(ts="1764061200.000100", team_id=OTHER) == []
        assert keys(ts="1764061200.000100", user_id="U0BEN") == []
    if engine.dialect.name != "sqlite":
        return
    plan = _sqlite_plan(
        engine,
        lambda session: store.sent_checkin_keys_at(
            session=session, team_id=TEAM, user_id="U0DAN", channel="D0DAN", ts="1.2"
        ),
    )
    assert "ix_outbox_message_checkin_ts" in plan, plan


def test_the_problem_alert_a_thread_answers_is_found_by_its_index(engine: Engine) -> None:
    with Session(engine) as session:
        for kind, key, ts in (
            ("checkin.problem", "checkin:7:problem", "1764061200.000100"),
            ("checkin", "checkin:8", "1764061300.000100"),  # a check-in, no alert
        ):
            session.add(
                OutboxMessage(
                    team_id=TEAM,
                    kind=kind,
                    recipient_user="U0ANA",
                    text="?",
                    dedupe_key=key,
                    due_at=NOW,
                    available_at=NOW,
                    status=OutboxStatus.SENT,
                    sent_channel="D0ANA",
                    sent_ts=ts,
                    created_at=NOW,
                )
            )
        session.flush()

        def alert_key(*, team_id: str = TEAM, user_id: str = "U0ANA", ts: str) -> str | None:
            return store.sent_problem_key_at(
                session=session, team_id=team_id, user_id=user_id, channel="D0ANA", ts=ts
            )

        assert alert_key(ts="1764061200.000100") == "checkin:7:problem"
        assert alert_key(ts="1764061300.000100") is None
        assert alert_key(ts="1764061200.000100", team_id=OTHER) is None
        assert alert_key(ts="1764061200.000100", user_id="U0BEN") is None
    if engine.dialect.name != "sqlite":
        return
    plan = _sqlite_plan(
        engine,
        lambda session: store.sent_problem_key_at(
            session=session, team_id=TEAM, user_id="U0ANA", channel="D0ANA", ts="1.2"
        ),
    )
    assert "ix_outbox_message_problem_ts" in plan, plan


def _sqlite_plan(engine: Engine, query: Callable[[Session], object]) -> str:
    """SQLite's plan for the one statement `query` sends, as sent (a partial index, not a scan
    of the outbox, is what the statement's own terms must let the planner choose)."""
    sent: list[tuple[str, Any]] = []

    def capture(_conn: object, _cursor: object, sql: str, params: Any, *_rest: object) -> None:
        sent.append((sql, params))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with Session(engine) as session:
            query(session)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    ((sql, params),) = sent
    with engine.connect() as connection:
        return " ".join(
            str(row[-1]) for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)
        )


def test_an_event_is_claimed_once(engine: Engine) -> None:
    with Session(engine) as session:
        assert store.claim_event(session=session, team_id=TEAM, event_id="Ev1", now=NOW)
        assert not store.claim_event(session=session, team_id=TEAM, event_id="Ev1", now=NOW)
        assert store.claim_event(session=session, team_id=OTHER, event_id="Ev1", now=NOW)
        session.commit()
        later = NOW + timedelta(days=3)
        assert store.teams_with_event_receipts(session=session, before=later) == [TEAM, OTHER]
        assert store.forget_events(session=session, team_id=TEAM, before=later) == 1


def test_one_respondent_token_per_delivery(engine: Engine) -> None:
    with Session(engine) as session:
        round_id = open_round(session, partner(session))
        delivery(session, round_id, "U0ANA", "t" * 32)
        with pytest.raises(sa.exc.IntegrityError):
            delivery(session, round_id, "U0BEN", "t" * 32)


def add_messages(session: Session, delivery_id: int, numbers: tuple[int, ...], *, key: str) -> None:
    for number in numbers:
        store.insert_message(
            session=session,
            team_id=TEAM,
            delivery_id=delivery_id,
            question=number,
            dedupe_key=f"{key}:{number}",
        )


def test_a_delivery_moved_into_another_round_takes_its_statements_numbers_there(
    engine: Engine,
) -> None:
    # The other round asks the same two statements the other way round: a delivery's messages
    # and answers trade numbers without two ever meeting (a unique key on each).
    with Session(engine) as session:
        acme = partner(session)
        kept, folded = open_round(session, acme, key="kept"), open_round(session, acme, key="f")
        moved = delivery(session, folded, "U0DAN", "d" * 32)
        add_messages(session, moved, (0, 1, 2), key=f"survey:{moved}")
        for number, score in ((1, 4), (2, 2)):
            session.add(
                SurveyAnswer(
                    team_id=TEAM, round_id=folded, respondent="d" * 32, question=number, score=score
                )
            )
        session.flush()
        swap = {1: 2, 2: 1}
        store.move_answers(
            session=session,
            team_id=TEAM,
            from_round=folded,
            respondent="d" * 32,
            to_round=kept,
            to_respondent="d" * 32,
            numbers=swap,
        )
        found = store.get_delivery(session=session, team_id=TEAM, delivery_id=moved)
        assert found is not None
        store.move_delivery(session=session, delivery=found, round_id=kept, numbers=swap)
        session.commit()
    with Session(engine) as session:
        messages = store.messages_of(session=session, team_id=TEAM, delivery_id=moved)
        assert [(m.question, m.dedupe_key) for m in messages] == [
            (0, f"survey:{moved}:0"),
            (1, f"survey:{moved}:2"),
            (2, f"survey:{moved}:1"),
        ]
        tallies = store.question_tallies(session=session, team_id=TEAM, round_id=kept)
        assert tallies == {
            1: store.QuestionTally(count=1, total=2),
            2: store.QuestionTally(count=1, total=4),
        }


def test_copies_of_a_folded_delivery_keep_their_statements_when_moved_again(
    engine: Engine,
) -> None:
    # Someone asked in merged rounds keeps the folded rounds' sent messages as copies of their
    # own (a click or reaction there counts); moved on by a later merge, each copy follows its
    # statement's new number, as their own messages do.
    with Session(engine) as session:
        acme = partner(session)
        kept, first, second, later = (
            open_round(session, acme, key=key) for key in ("kept", "first", "second", "later")
        )
        own = delivery(session, kept, "U0DAN", "d" * 32)
        for round_id, key, asked in (
            (kept, "own", (0, 1, 2)),
            (first, "a", (0, 1, 2)),
            (second, "b", (1,)),
        ):
            delivery_id = (
                own if round_id == kept else delivery(session, round_id, "U0DAN", key * 32)
            )
            add_messages(session, delivery_id, asked, key=key)
            if round_id != kept:
                for message in store.messages_of(
                    session=session, team_id=TEAM, delivery_id=delivery_id
                ):
                    store.keep_as_copy(
                        session=session,
                        message=message,
                        delivery_id=own,
                        statement=message.question,
                    )
        found = store.get_delivery(session=session, team_id=TEAM, delivery_id=own)
        assert found is not None
        store.move_delivery(session=session, delivery=found, round_id=later, numbers={1: 2, 2: 1})
        session.commit()
    with Session(engine) as session:
        messages = store.messages_of(session=session, team_id=TEAM, delivery_id=own)
        numbers = {m.dedupe_key: m.question for m in messages}
        assert numbers == {
            "own:0": 0,
            "own:1": 2,
            "own:2": 1,
            "a:0": -1000,
            "a:1": -1002,
            "a:2": -1001,
            "b:1": -2002,
        }
        assert {key: store.statement_number(q) for key, q in numbers.items()} == {
            "own:0": 0,
            "own:1": 2,
            "own:2": 1,
            "a:0": 0,
            "a:1": 2,
            "a:2": 1,
            "b:1": 2,
        }
        copy = store.message_with_key(session=session, team_id=TEAM, dedupe_key="a:2")
        assert copy is not None and copy.delivery.id == own and copy.round.id == later
