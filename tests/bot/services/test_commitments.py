"""The commitments ledger's rules: the reminder schedule and the lopsided rule as pure functions,
then recording, closing, balances, stand-ins and the planner on the real database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from bot.delivery.absence import go_away
from bot.delivery.working_hours import DEFAULT_HOURS, SPREAD, WorkingHours, spread_offset
from bot.services.commitments import (
    AlreadyClosed,
    BadCommitment,
    CommitmentGone,
    Commitments,
    NewCommitment,
    NotAllowedToClose,
    Problem,
    Recorded,
    Scope,
    Stage,
    check_due,
    current_reminder,
    lopsided,
    reminder_moments,
    stand_in,
    working_days_before,
)
from bot.services.partner_names import PartnerNames
from bot.services.people import PeopleCheck, PeopleToLookUp
from bot.services.registry import Actor, PartnerFacts, Registry, UnknownPartner
from bot.services.touchpoints import ZoneUnknown
from handlers.blocks.commitments import MESSAGES
from storage.models import CommitmentSide, CommitmentStatus, OutboxMessage
from tests.factories import Colleague, add_partner, save_colleagues

T1 = "T1"
ANA, BEN, CHLOE, DAN = "U0ANA", "U0BEN", "U0CHLOE", "U0DAN"
BERLIN = ZoneInfo("Europe/Berlin")
WED = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


# --- Pure rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("us", "them", "expected"),
    [
        (1, 0, None),  # too few to judge
        (3, 0, None),
        (4, 0, CommitmentSide.US),
        (3, 1, CommitmentSide.US),  # 75%
        (7, 3, None),  # exactly 70% is not more than 70%
        (8, 3, CommitmentSide.US),
        (1, 4, CommitmentSide.THEM),
        (2, 2, None),
        (0, 0, None),
    ],
)
def test_lopsided_needs_more_than_70_percent_of_at_least_four(
    us: int, them: int, expected: CommitmentSide | None
) -> None:
    assert lopsided(us, them) is expected


def test_working_days_before_skips_weekends_and_days_off() -> None:
    assert working_days_before(date(2026, 12, 4), 3, DEFAULT_HOURS) == date(2026, 12, 1)
    assert working_days_before(date(2026, 12, 7), 3, DEFAULT_HOURS) == date(2026, 12, 2)
    mondays = WorkingHours(days=frozenset({0}), start_hour=9, end_hour=17)
    assert working_days_before(date(2026, 12, 28), 3, mondays) == date(2026, 12, 7)


def test_reminder_moments_open_the_owners_working_days() -> None:
    moments = reminder_moments(date(2026, 12, 5), tz=BERLIN, hours=DEFAULT_HOURS)  # a Saturday
    first = [next(moments) for _ in range(5)]
    assert first == [
        datetime(2026, 12, 2, 8, 0, tzinfo=UTC),  # Wednesday: 3 working days before Saturday
        datetime(2026, 12, 4, 8, 0, tzinfo=UTC),  # Friday, the last working day before
        datetime(2026, 12, 7, 8, 0, tzinfo=UTC),  # Monday, the next working day after
        datetime(2026, 12, 14, 8, 0, tzinfo=UTC),  # Sat 12 Dec is a day off: Monday
        datetime(2026, 12, 21, 8, 0, tzinfo=UTC),
    ]
    # Working Mondays only: the next working day after is the week's; it comes once.
    mondays = WorkingHours(days=frozenset({0}), start_hour=9, end_hour=17)
    moments = reminder_moments(date(2026, 12, 7), tz=BERLIN, hours=mondays)
    assert [next(moments) for _ in range(4)][2:] == [
        datetime(2026, 12, 14, 8, 0, tzinfo=UTC),
        datetime(2026, 12, 21, 8, 0, tzinfo=UTC),
    ]


def test_the_current_reminder_is_the_latest_passed_since_the_day_was_set() -> None:
    due = date(2026, 12, 4)

    def current(now: datetime, set_at: datetime = WED) -> tuple[Stage, int] | None:
        found = current_reminder(due, set_at=set_at, now=now, tz=BERLIN, hours=DEFAULT_HOURS)
        return None if found is None else (found.stage, found.week)

    assert current(datetime(2026, 11, 30, 12, 0, tzinfo=UTC)) is None
    assert current(datetime(2026, 12, 1, 8, 0, tzinfo=UTC)) == (Stage.BEFORE, 0)
    assert current(datetime(2026, 12, 4, 7, 59, tzinfo=UTC)) == (Stage.BEFORE, 0)
    assert current(datetime(2026, 12, 4, 8, 0, tzinfo=UTC)) == (Stage.DUE, 0)
    # The next working day after Friday's due day: Monday.
    assert current(datetime(2026, 12, 7, 8, 0, tzinfo=UTC)) == (Stage.OVERDUE, 1)
    # A planner down for three weeks catches up with the latest only.
    assert current(datetime(2026, 12, 26, 8, 0, tzinfo=UTC)) == (Stage.OVERDUE, 4)
    # Set on the due day after its opening: nothing until the first overdue day.
    assert (
        current(datetime(2026, 12, 4, 15, 0, tzinfo=UTC), datetime(2026, 12, 4, 9, 0, tzinfo=UTC))
        is None
    )
    late = current_reminder(
        due,
        set_at=WED,
        now=datetime(2026, 12, 11, 9, 0, tzinfo=UTC),
        tz=BERLIN,
        hours=DEFAULT_HOURS,
    )
    assert late is not None and late.until == datetime(2026, 12, 18, 8, 0, tzinfo=UTC)
    assert late.key == "overdue:2"


def test_a_due_day_is_today_or_later_and_not_absurdly_far() -> None:
    today = date(2026, 11, 25)
    assert check_due(today, today=today) == today
    with pytest.raises(BadCommitment) as past:
        check_due(date(2026, 11, 24), today=today, typed="yesterday")
    assert past.value.problem is Problem.PAST_DUE and past.value.typed == "yesterday"
    with pytest.raises(BadCommitment) as far:
        check_due(date(2062, 1, 1), today=today)
    assert far.value.problem is Problem.TOO_FAR


# --- On the database ----------------------------------------------------------------------------


@pytest.fixture
def registry(engine: Engine, clock: ManualClock) -> Registry:
    return Registry(engine=engine, clock=clock, names=PartnerNames())


@pytest.fixture
def service(engine: Engine, clock: ManualClock, registry: Registry) -> Commitments:
    save_colleagues(
        engine,
        clock,
        team_id=T1,
        colleagues=[
            Colleague(ANA, "Europe/Berlin", admin=True),
            Colleague(BEN, "America/New_York"),
            Colleague(CHLOE, "Asia/Tokyo"),
            Colleague(DAN, "Europe/London"),
        ],
    )
    add_partner(registry, team_id=T1, name="Acme", owner_id=ANA, deputy_id=DAN)
    return Commitments(engine=engine, clock=clock, registry=registry, messages=MESSAGES)


def promise(
    service: Commitments,
    by: str = BEN,
    *,
    side: CommitmentSide = CommitmentSide.US,
    due: str = "2026-12-04",
    owner: str | None = None,
    key: str | None = None,
    what: str = "the deck",
) -> int:
    recorded = service.record(
        actor=Actor(T1, by),
        partner="Acme",
        new=NewCommitment(side=side, what=what, owner_id=owner, due_text=due),
        request_key=key,
    )
    return recorded.commitment.id


def queued(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))  # type: ignore[arg-type]


def test_recording_reads_the_date_in_the_callers_zone(
    service: Commitments, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 11, 25, 16, 0, tzinfo=UTC))  # Thursday 01:00 in Tokyo
    found = service.record(
        actor=Actor(T1, CHLOE),
        partner="acme",
        new=NewCommitment(side=CommitmentSide.THEM, what="  the   NDA ", due_text="today"),
    )
    assert found.commitment.due_on == date(2026, 11, 26)
    assert found.commitment.what == "the NDA" and found.commitment.owner_id == CHLOE
    assert found.balance.open_them == 1 and not found.owner_told


def test_a_retry_with_the_same_request_key_records_once(
    service: Commitments, engine: Engine
) -> None:
    first = promise(service, key="cmd:1", owner=DAN)
    again = service.record(
        actor=Actor(T1, BEN),
        partner="Acme",
        new=NewCommitment(side=CommitmentSide.US, what="the deck", owner_id=DAN, due_text="friday"),
        request_key="cmd:1",
    )
    assert again.repeated and again.commitment.id == first
    assert [m.kind for m in queued(engine)] == ["commitment_assigned"]


def test_a_retry_says_of_its_due_day_what_the_first_said_even_a_day_later(
    service: Commitments, clock: ManualClock
) -> None:
    """The time left out of the day typed is said again, read as it was at the first."""
    new = NewCommitment(side=CommitmentSide.US, what="the deck", due_text="tomorrow 14:00")
    first = service.record(actor=Actor(T1, BEN), partner="Acme", new=new, request_key="cmd:2")
    clock.advance(timedelta(days=1))
    again = service.record(actor=Actor(T1, BEN), partner="Acme", new=new, request_key="cmd:2")
    assert again.repeated and again.commitment.id == first.commitment.id
    assert again.commitment.due_on == first.commitment.due_on == date(2026, 11, 26)
    assert again.time_left_out == first.time_left_out == time(14, 0)


def test_what_cannot_be_recorded_raises_before_anything_is_written(
    service: Commitments, engine: Engine
) -> None:
    with pytest.raises(BadCommitment) as empty:
        service.record(
            actor=Actor(T1, BEN),
            partner="Acme",
            new=NewCommitment(side=CommitmentSide.US, what=" ", due_text="friday"),
        )
    assert empty.value.problem is Problem.NO_WHAT
    with pytest.raises(BadCommitment) as unreadable:
        promise(service, due="someday")
    assert unreadable.value.problem is Problem.UNREADABLE_DATE
    with pytest.raises(UnknownPartner):
        service.record(
            actor=Actor(T1, BEN),
            partner="Acmee",
            new=NewCommitment(side=CommitmentSide.US, what="x", due_text="friday"),
        )
    with pytest.raises(ZoneUnknown):
        promise(service, by="U0NEW")
    with pytest.raises(PeopleToLookUp):
        promise(service, owner="U0NEW")
    assert service.listing(actor=Actor(T1, ANA), scope=Scope.ALL).items == []


def test_who_may_close_and_what_closing_records(
    service: Commitments, engine: Engine, clock: ManualClock
) -> None:
    first, second, third = (promise(service, what=what) for what in ("deck", "budget", "agenda"))
    with pytest.raises(NotAllowedToClose) as refused:
        service.close(actor=Actor(T1, CHLOE), commitment_id=first, status=CommitmentStatus.DONE)
    assert refused.value.partner.owner_id == ANA and refused.value.partner.deputy_id == DAN
    with pytest.raises(PeopleToLookUp):
        service.close(actor=Actor(T1, "U0NEW"), commitment_id=first, status=CommitmentStatus.DONE)
    clock.set(datetime(2026, 12, 5, 12, 0, tzinfo=UTC))
    done = service.close(actor=Actor(T1, DAN), commitment_id=first, status=CommitmentStatus.DONE)
    assert done.commitment.closed_by == DAN and done.commitment.on_time is False
    service.close(actor=Actor(T1, ANA), commitment_id=second, status=CommitmentStatus.DROPPED)
    with pytest.raises(AlreadyClosed):
        service.close(actor=Actor(T1, BEN), commitment_id=second, status=CommitmentStatus.DONE)
    with pytest.raises(CommitmentGone):
        service.close(actor=Actor("T2", BEN), commitment_id=third, status=CommitmentStatus.DONE)
    clock.set(datetime(2026, 12, 4, 23, 30, tzinfo=UTC))  # still Friday in New York
    kept = service.close(actor=Actor(T1, BEN), commitment_id=third, status=CommitmentStatus.DONE)
    assert kept.commitment.on_time is True
    balance = kept.balance
    assert (balance.open, balance.kept_us, balance.late_us, balance.dropped_us) == (0, 1, 1, 1)


def test_numbers_are_counted_per_workspace_and_closing_by_number_stays_in_it(
    service: Commitments, engine: Engine, clock: ManualClock, registry: Registry
) -> None:
    save_colleagues(engine, clock, team_id="T2", colleagues=[Colleague(BEN, "Europe/Berlin")])
    add_partner(registry, team_id="T2", name="Acme", owner_id=BEN)
    ours = service.record(
        actor=Actor(T1, BEN),
        partner="Acme",
        new=NewCommitment(side=CommitmentSide.US, what="the deck", due_text="2026-12-04"),
    )
    theirs = service.record(
        actor=Actor("T2", BEN),
        partner="Acme",
        new=NewCommitment(side=CommitmentSide.US, what="the deck", due_text="2026-12-04"),
    )
    assert ours.commitment.number == 1 and theirs.commitment.number == 1
    assert ours.commitment.id != theirs.commitment.id
    done = service.close(actor=Actor("T2", BEN), number=1, status=CommitmentStatus.DONE)
    assert done.commitment.id == theirs.commitment.id
    (still_open,) = service.listing(actor=Actor(T1, BEN), scope=Scope.ALL).items
    assert still_open.id == ours.commitment.id and still_open.number == 1
    with pytest.raises(CommitmentGone) as gone:
        service.close(actor=Actor("T2", BEN), number=2, status=CommitmentStatus.DONE)
    assert gone.value.number == 2


def test_a_stand_in_may_close_for_an_away_owner(
    service: Commitments, engine: Engine, clock: ManualClock
) -> None:
    number = promise(service, by=CHLOE)
    go_away(
        engine,
        team_id=T1,
        user_id=CHLOE,
        starts_at=clock.now() - timedelta(hours=1),
        ends_at=clock.now() + timedelta(days=10),
        deputy_id=BEN,
        now=clock.now(),
    )
    closed = service.close(
        actor=Actor(T1, BEN, PeopleCheck()), commitment_id=number, status=CommitmentStatus.DONE
    )
    assert closed.commitment.closed_by == BEN


def test_a_stand_in_is_chosen_for_when_the_reminder_would_reach_the_owner(
    service: Commitments, engine: Engine
) -> None:
    acme = PartnerFacts(
        id=1,
        name="Acme",
        status="active",
        owner_id=ANA,
        deputy_id=DAN,
        website_domain=None,
        channel_id=None,
        last_contact_at=None,
    )
    friday_evening = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)  # 18:00 in New York

    def away(user: str, deputy: str | None = None) -> None:
        monday = datetime(2026, 11, 30, tzinfo=UTC)
        go_away(
            engine,
            team_id=T1,
            user_id=user,
            starts_at=monday,
            ends_at=monday + timedelta(days=5),
            deputy_id=deputy,
            now=friday_evening,
        )

    def chosen() -> str:
        with Session(engine) as session:
            return stand_in(session, team_id=T1, owner_id=BEN, partner=acme, now=friday_evening)

    # Ben is present now but off duty until Monday, when his time away begins.
    away(BEN)
    assert chosen() == ANA  # the partner's owner, present on Monday
    away(ANA)
    assert chosen() == DAN  # then its deputy
    away(BEN, deputy=CHLOE)
    assert chosen() == CHLOE  # the deputy Ben named comes first


def test_the_planner_queues_each_reminder_once_for_the_owner_or_their_stand_in(
    service: Commitments, engine: Engine, clock: ManualClock
) -> None:
    number = promise(service, by=BEN)
    assert service.plan_reminders(now=datetime(2026, 11, 30, 12, 0, tzinfo=UTC)) == 0
    tuesday = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)  # 09:00 in New York
    assert service.plan_reminders(now=tuesday) == 1
    assert service.plan_reminders(now=tuesday + timedelta(hours=3)) == 0
    go_away(
        engine,
        team_id=T1,
        user_id=BEN,
        starts_at=tuesday,
        ends_at=tuesday + timedelta(days=30),
        deputy_id=None,
        now=tuesday,
    )
    # Ben named nobody: the partner's owner hears for him.
    assert service.plan_reminders(now=datetime(2026, 12, 4, 14, 0, tzinfo=UTC)) == 1
    before, due = queued(engine)
    assert before.dedupe_key == f"commitment:{number}:2026-12-04:before"
    assert (before.recipient_user, due.recipient_user) == (BEN, ANA)
    assert due.dedupe_key == f"commitment:{number}:2026-12-04:due"
    assert "<@U0BEN>, who would own it, is away" in due.blocks[1]["elements"][0]["text"]


def test_a_mornings_reminders_in_one_zone_are_spread_over_its_first_minutes_by_owner(
    service: Commitments, engine: Engine, clock: ManualClock
) -> None:
    londoners = [f"U0LONDON{n}" for n in range(10)]
    save_colleagues(
        engine, clock, team_id=T1, colleagues=[Colleague(u, "Europe/London") for u in londoners]
    )
    for user in londoners:
        promise(service, by=user)  # due Friday 4 Dec: reminded on Tuesday morning
    morning = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # 09:00 in London
    assert service.plan_reminders(now=morning + timedelta(seconds=30)) == len(londoners)
    reminders = queued(engine)
    # Each reminder is the morning's (its due time), and goes at its owner's slot in the
    # window's first minutes, as everything else waiting for their morning: not all at 09:00.
    assert {r.due_at for r in reminders} == {morning}
    slots = {r.recipient_user or "": r.available_at for r in reminders}
    assert slots == {user: morning + spread_offset(user) for user in londoners}
    assert all(morning <= slot < morning + SPREAD for slot in slots.values())
    assert len(set(slots.values())) > len(londoners) // 2


def test_overdue_is_judged_in_the_owners_time_zone(
    service: Commitments, clock: ManualClock
) -> None:
    promise(service, by=BEN, due="2026-12-04")
    promise(service, by=CHLOE, due="2026-12-04")
    clock.set(datetime(2026, 12, 5, 3, 0, tzinfo=UTC))  # Friday evening in New York
    overdue = service.listing(actor=Actor(T1, ANA), scope=Scope.OVERDUE)
    assert [(item.owner_id, item.overdue_days) for item in overdue.items] == [(CHLOE, 1)]
    assert overdue.balance.overdue_us == 1 and overdue.balance.open_us == 1


def test_an_owner_found_elsewhere_is_replaced_by_the_submitter_while_they_still_own_it(
    service: Commitments, engine: Engine
) -> None:
    """The commitment form's undo, after the ack (handlers reach storage only through here):
    the commitment as it is now, which says whether the submitter owns it."""
    first, second = (promise(service, by=BEN, owner=DAN, what=what) for what in ("deck", "agenda"))
    now = service.take_off_elsewhere(actor=Actor(T1, BEN), commitment_id=first, owner_id=DAN)
    assert now.owner_id == BEN == service.get(team_id=T1, commitment_id=first).owner_id
    # Someone else owns it by now: left as it is, and who owns it said.
    kept = service.take_off_elsewhere(actor=Actor(T1, BEN), commitment_id=second, owner_id=CHLOE)
    assert kept.owner_id == DAN
    # Another workspace's: out of reach.
    with pytest.raises(CommitmentGone):
        service.take_off_elsewhere(actor=Actor("T2", BEN), commitment_id=second, owner_id=DAN)
    assert service.get(team_id=T1, commitment_id=second).owner_id == DAN


def test_a_retry_racing_its_first_delivery_answers_as_the_first_did(
    service: Commitments, engine: Engine
) -> None:
    """CI: Slack's retry looked its request key up just before the first delivery committed,
    then found that commitment as the same promise already open, and answered "Already recorded
    …, nothing new was saved" where the first said "Recorded". The first delivery is recorded
    here right after the retry's look-up of the key, as it happened."""
    new = NewCommitment(side=CommitmentSide.US, what="the deck", due_text="2026-12-04")
    first: list[Recorded] = []
    looked_up: list[str] = []

    def first_delivery_commits(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not looked_up and "request_key" in statement and statement.lstrip().startswith("SELECT"):
            looked_up.append(statement)
            first.append(
                service.record(actor=Actor(T1, BEN), partner="Acme", new=new, request_key="cmd:3")
            )

    event.listen(engine, "after_cursor_execute", first_delivery_commits)
    try:
        retry = service.record(actor=Actor(T1, BEN), partner="Acme", new=new, request_key="cmd:3")
    finally:
        event.remove(engine, "after_cursor_execute", first_delivery_commits)

    assert first and retry.commitment.id == first[0].commitment.id
    assert retry.repeated and not retry.already_open
