"""Pulse surveys: the pure rules (emoji, schedule, anonymity threshold) and the service on a real
database (who may start a round, what counts as an answer, closing and reporting)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from bot.delivery.working_hours import WorkingHours, spread_offset
from bot.services.feedback import Cadence, FeedbackSettings, first_working_tuesday
from bot.services.partner_names import PartnerNames
from bot.services.people import PeopleCheck, PeopleToLookUp
from bot.services.registry import Actor, Registry
from bot.services.surveys import (
    QUESTIONS,
    NotAllowedToStart,
    NotYours,
    QuestionResult,
    RoundClosed,
    RoundInProgress,
    Surveys,
    TooFewToAsk,
    next_scheduled,
    results_of,
    scheduled_start,
    score_of_emoji,
    ts_order,
)
from handlers.blocks.feedback import MESSAGES
from handlers.texts import feedback as feedback_texts
from storage import feedback as store
from storage.models import (
    OutboxMessage,
    OutboxStatus,
    PartnerStatus,
    SurveyAnswer,
    SurveyMessage,
    Workspace,
    WorkspaceAdmin,
)
from storage.people import save_profile
from tests.conftest import START
from tests.factories import Colleague, save_colleagues

TEAM = "T0ACME"
ANA, BEN, CHLOE, DAN = "U0ANA", "U0BEN", "U0CHLOE", "U0DAN"
MON_FRI = WorkingHours(days=frozenset(range(5)), start_hour=9, end_hour=17)


# --- Pure rules ---------------------------------------------------------------------------------


def test_only_one_to_five_are_scores() -> None:
    assert [score_of_emoji(name) for name in ("one", "two", "three", "four", "five")] == [
        1,
        2,
        3,
        4,
        5,
    ]
    assert score_of_emoji("six") is None
    assert score_of_emoji("+1") is None
    assert score_of_emoji("keycap_ten") is None


def test_slack_timestamps_sort_by_time() -> None:
    assert ts_order("1764061200.000100") < ts_order("1764061200.000200")
    assert ts_order("1764061199.999999") < ts_order("1764061200.000000")
    assert ts_order("") < ts_order("1.0")
    assert ts_order("garbage") == (0, 0)


def test_the_first_working_tuesday() -> None:
    assert first_working_tuesday(2026, 12, MON_FRI) == date(2026, 12, 1)
    assert first_working_tuesday(2027, 1, MON_FRI) == date(2027, 1, 5)
    no_tuesdays = WorkingHours(days=frozenset({0, 2, 3}), start_hour=9, end_hour=17)
    assert first_working_tuesday(2026, 12, no_tuesdays) == date(2026, 12, 2)


def test_a_scheduled_round_is_due_for_a_week_from_its_morning() -> None:
    monthly = FeedbackSettings(timezone="Europe/Berlin", hours=MON_FRI)
    tuesday_9_berlin = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert scheduled_start(tuesday_9_berlin - timedelta(minutes=1), monthly) is None
    assert scheduled_start(tuesday_9_berlin, monthly) == (tuesday_9_berlin, "2026-12")
    assert scheduled_start(tuesday_9_berlin + timedelta(days=6), monthly) is not None
    assert scheduled_start(tuesday_9_berlin + timedelta(days=7), monthly) is None

    quarterly = FeedbackSettings(hours=MON_FRI, cadence=Cadence.QUARTERLY)
    assert scheduled_start(datetime(2027, 1, 5, 9, tzinfo=UTC), quarterly) == (
        datetime(2027, 1, 5, 9, tzinfo=UTC),
        "2027-Q1",
    )
    assert scheduled_start(datetime(2027, 2, 2, 9, tzinfo=UTC), quarterly) is None
    off = FeedbackSettings(cadence=Cadence.OFF)
    assert scheduled_start(datetime(2026, 12, 1, 9, tzinfo=UTC), off) is None
    assert next_scheduled(START, off) is None


def test_the_next_scheduled_round() -> None:
    monthly = FeedbackSettings(hours=MON_FRI)
    assert next_scheduled(START, monthly) == datetime(2026, 12, 1, 9, tzinfo=UTC)
    assert next_scheduled(datetime(2026, 12, 1, 10, tzinfo=UTC), monthly) == datetime(
        2027, 1, 5, 9, tzinfo=UTC
    )
    quarterly = FeedbackSettings(hours=MON_FRI, cadence=Cadence.QUARTERLY)
    assert next_scheduled(START, quarterly) == datetime(2027, 1, 5, 9, tzinfo=UTC)


def _results(
    respondents: int, tallies: dict[int, tuple[int, int]], previous: dict[str, float] | None = None
) -> list[tuple[float | None, float | None]]:
    results = results_of(
        round_id=1,
        partner_name="Acme",
        started_at=START,
        closed_at=START,
        invited=5,
        respondents=respondents,
        threshold=3,
        questions=QUESTIONS,
        tallies={q: store.QuestionTally(count=c, total=t) for q, (c, t) in tallies.items()},
        previous=previous or {},
        comments=["a comment"],
    )
    assert bool(results.comments) is results.enough
    return [(q.average, q.change) for q in results.questions]


def test_results_below_the_threshold_show_nothing() -> None:
    assert _results(2, {1: (2, 9), 2: (2, 2)}) == [(None, None)] * 4
    # Enough people answered the round, but not every question.
    assert _results(3, {1: (3, 12), 2: (2, 9), 3: (3, 7)}, {QUESTIONS[0]: 3.0}) == [
        (4.0, 1.0),
        (None, None),
        (pytest.approx(7 / 3), None),
        (None, None),
    ]


def test_averages_and_changes_are_exact_and_rounded_only_when_shown() -> None:
    # 13/3 before, 5/3 now: a fall of 8/3, shown ▼2.7 (not 4.3 − 1.7 = 2.6).
    ((average, change), *_) = _results(3, {1: (3, 5)}, {QUESTIONS[0]: 13 / 3})
    assert average == pytest.approx(5 / 3) and change == pytest.approx(-8 / 3)
    shown = QuestionResult(number=1, text="value", answers=3, average=average, change=change)
    assert feedback_texts.question_result(shown) == "• value: *1.7* / 5 ▼2.7"


# --- The service --------------------------------------------------------------------------------


@pytest.fixture
def surveys(engine: Engine, clock: ManualClock) -> Surveys:
    return Surveys(
        engine=engine,
        clock=clock,
        names=PartnerNames(),
        messages=MESSAGES,
        default_channel="C0PARTNERS",
    )


def _acme(surveys: Surveys, *, team: tuple[str, ...] = (BEN, CHLOE)) -> int:
    registry = Registry(engine=surveys.engine, clock=surveys.clock, names=PartnerNames())
    known = PeopleCheck(asked=frozenset({ANA, *team}))
    profile = registry.add(
        actor=Actor(TEAM, ANA, known), name="Acme", team=team, status=PartnerStatus.ACTIVE
    )
    with Session(surveys.engine) as session:
        for user, tz, admin in ((ANA, "Europe/Berlin", False), (DAN, "Europe/London", False)):
            save_profile(
                session=session,
                team_id=TEAM,
                user_id=user,
                name=user,
                real_name=None,
                tz=tz,
                is_admin=admin,
                is_deleted=False,
                fetched_at=START,
            )
        session.commit()
    return profile.facts.id


def test_only_the_owner_or_an_admin_may_start_a_round(surveys: Surveys, engine: Engine) -> None:
    _acme(surveys)
    with pytest.raises(NotAllowedToStart):
        surveys.start_now(actor=Actor(TEAM, DAN), partner="acme", request_key="r1")
    with pytest.raises(PeopleToLookUp):  # Chloe's admin rights are not known yet
        surveys.start_now(actor=Actor(TEAM, CHLOE), partner="acme", request_key="r2")
    with Session(engine) as session:
        session.add(Workspace(team_id=TEAM, created_at=START))
        session.add(WorkspaceAdmin(team_id=TEAM, user_id=DAN))
        session.commit()
    started = surveys.start_now(actor=Actor(TEAM, DAN), partner="acme", request_key="r3")
    assert set(started.asked) == {ANA, BEN, CHLOE}
    with pytest.raises(RoundInProgress):
        surveys.start_now(actor=Actor(TEAM, ANA), partner="acme", request_key="r4")


def test_someone_away_counts_as_asked_and_too_few_start_nothing(
    surveys: Surveys, engine: Engine
) -> None:
    _acme(surveys, team=())
    with Session(engine) as session:
        from storage.models import Absence

        session.add(
            Absence(
                team_id=TEAM,
                user_id=ANA,
                starts_at=START - timedelta(days=1),
                ends_at=START + timedelta(days=3),
                created_at=START,
            )
        )
        session.commit()
    # The owner, away, is the only one to ask: asked (their questions would wait for their
    # return), but one is fewer than the anonymity threshold.
    with pytest.raises(TooFewToAsk) as refused:
        surveys.start_now(actor=Actor(TEAM, ANA), partner="acme", request_key="r1")
    assert (refused.value.asked, refused.value.away) == ((ANA,), (ANA,))
    with Session(engine) as session:
        assert store.open_rounds(session=session, team_id=TEAM) == []


def test_a_scheduled_rounds_questions_are_spread_over_the_mornings_first_minutes_by_person(
    surveys: Surveys, engine: Engine, clock: ManualClock
) -> None:
    londoners = tuple(f"U0LONDON{n}" for n in range(8))
    with Session(engine) as session:
        session.add(Workspace(team_id=TEAM, timezone="Europe/London", created_at=START))
        session.commit()
    colleagues = [Colleague(user, "Europe/London") for user in londoners]
    save_colleagues(engine, clock, team_id=TEAM, colleagues=colleagues)
    _acme(surveys, team=londoners)
    opening = datetime(2026, 12, 1, 9, tzinfo=UTC)  # the first working Tuesday, 09:00 in London
    now = opening + timedelta(seconds=30)  # the planner's first run of the morning
    surveys.start_scheduled(now)
    with Session(engine) as session:
        queued = list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))  # type: ignore[arg-type]
    slots: dict[str, set[datetime]] = {}
    for message in queued:
        slots.setdefault(message.recipient_user or "", set()).add(message.available_at)
    # One slot per person (invitation and statements in order), in the window's first minutes
    # for everyone whose window opens then; not every partner's round at the planner's minute.
    assert {user: slots[user] for user in londoners} == {
        user: {max(now, opening + spread_offset(user))} for user in londoners
    }
    assert len({slot for user in londoners for slot in slots[user]}) > len(londoners) // 2
    assert slots[ANA] == {now}  # 10:00 in Berlin: her window opened an hour ago


def _sent(engine: Engine, user: str) -> list[SurveyMessage]:
    """Pretend the dispatcher sent the user's survey messages (channel D…, ts by question)."""
    with Session(engine) as session:
        messages = [
            m
            for m in session.exec(select(SurveyMessage))
            if m.dedupe_key
            in {
                o.dedupe_key
                for o in session.exec(
                    select(OutboxMessage).where(OutboxMessage.recipient_user == user)
                )
            }
        ]
        for message in messages:
            outbox = session.exec(
                select(OutboxMessage).where(OutboxMessage.dedupe_key == message.dedupe_key)
            ).one()
            outbox.status = OutboxStatus.SENT
            outbox.sent_channel = "D" + user[1:]
            outbox.sent_ts = f"1764061200.00000{message.question}"
            session.add(outbox)
        session.commit()
        store.record_sent_messages(session=session, team_id=TEAM)
        session.commit()
        for message in messages:
            session.refresh(message)
            session.expunge(message)
        return sorted(messages, key=lambda m: m.question)


def test_what_counts_as_an_answer(surveys: Surveys, engine: Engine) -> None:
    _acme(surveys)
    surveys.start_now(actor=Actor(TEAM, ANA), partner="acme", request_key="r1")
    intro, first, *_ = _sent(engine, BEN)
    where = {"team_id": TEAM, "channel": "D0BEN", "ts": first.ts or ""}

    def react(user: str, emoji: str, event_ts: str, *, added: bool = True, event: str = "") -> bool:
        shown = surveys.react(
            **where,
            event_id=event or None,
            user_id=user,
            emoji=emoji,
            added=added,
            event_ts=event_ts,
        )
        return shown is not None

    assert not react(CHLOE, "four", "10.0")  # not her message
    assert not react(BEN, "thumbsup", "10.0")  # not a score
    assert react(BEN, "four", "10.0", event="Ev1")
    assert not react(BEN, "two", "9.0")  # older than the answer it would change
    assert not react(BEN, "four", "10.0", event="Ev1")  # a retry
    assert not react(BEN, "three", "11.0", added=False)  # not the score given
    assert react(BEN, "four", "12.0", added=False)  # withdrawn
    intro_shown = surveys.react(
        team_id=TEAM,
        channel="D0BEN",
        ts=intro.ts or "",
        event_id=None,
        user_id=BEN,
        emoji="one",
        added=True,
        event_ts="13.0",
    )
    assert intro_shown is None
    with Session(engine) as session:
        assert [a.score for a in session.exec(select(SurveyAnswer))] == [None]

    card = surveys.click(
        team_id=TEAM, user_id=BEN, message_id=first.id or 0, score=5, action_ts="14.0"
    )
    assert card.score == 5 and card.number == 1 and not card.closed
    with pytest.raises(NotYours):
        surveys.click(team_id=TEAM, user_id=DAN, message_id=first.id or 0, score=5, action_ts="15")


def test_closing_reports_aggregates_and_refuses_late_answers(
    surveys: Surveys, engine: Engine, clock: ManualClock
) -> None:
    partner_id = _acme(surveys)
    surveys.start_now(actor=Actor(TEAM, ANA), partner="acme", request_key="r1")
    for user, score in ((ANA, 5), (BEN, 4), (CHLOE, 3)):
        message = _sent(engine, user)[1]
        surveys.click(
            team_id=TEAM, user_id=user, message_id=message.id or 0, score=score, action_ts="1.0"
        )
    clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    surveys.close_due(clock.now())
    surveys.close_due(clock.now())  # a second replica closing at once adds nothing

    with Session(engine) as session:
        reports = session.exec(
            select(OutboxMessage).where(OutboxMessage.kind == "survey.results")
        ).all()
    assert sorted(r.recipient_user or r.recipient_channel or "" for r in reports) == [
        "C0PARTNERS",
        ANA,
    ]
    for report in reports:
        assert "3 of 3 answered (100%)" in report.text
        assert "This partnership is delivering value for us: *4.0* / 5" in str(report.blocks)
        assert "I know what we and the partner are each responsible for: _not enough" in str(
            report.blocks
        )

    summary = surveys.partner_feedback(team_id=TEAM, user_id=DAN, partner_id=partner_id)
    assert summary.pulse is not None and summary.pulse.respondents == 3
    assert summary.pulse.questions[0].average == 4.0
    assert summary.open_round is None

    message = _sent(engine, BEN)[1]
    with pytest.raises(RoundClosed) as late:
        surveys.click(team_id=TEAM, user_id=BEN, message_id=message.id or 0, score=1, action_ts="9")
    assert late.value.card is not None and late.value.card.closed
