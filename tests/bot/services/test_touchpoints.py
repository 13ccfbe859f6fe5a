"""The touchpoint service on the real database: what is recorded, which collisions are news, who is
told through the outbox, intents, the briefing; and its pure rules."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.clock import ManualClock
from bot.dates import When
from bot.delivery.absence import go_away
from bot.services.channels import PassedOver
from bot.services.partner_names import PartnerNames
from bot.services.people import NotInWorkspace, PeopleCheck, PeopleToLookUp
from bot.services.registry import (
    Actor,
    BadName,
    BadValue,
    PartnerFacts,
    Registry,
    UnknownPartner,
)
from bot.services.touchpoints import (
    AskerNote,
    BadTouchpoint,
    Clash,
    CollisionAlert,
    IntentGone,
    Known,
    LaterNote,
    Message,
    NewPartnerRefused,
    NewTouchpoint,
    NotAsked,
    OwnerNote,
    PartnerGone,
    Problem,
    Recorded,
    Touch,
    Touchpoints,
    WelcomeBack,
    ZoneUnknown,
    check_notes,
    contact_people,
    followed_up,
    is_news,
    joint_clashes,
    known,
    moment,
    on_the_quarter,
)
from storage import people as profiles
from storage.db import writer_session
from storage.models import (
    Collision,
    Contact,
    IntentAnswer,
    OutboxMessage,
    Partner,
    TeamRole,
    Touchpoint,
    TouchpointContact,
    TouchpointKind,
    TouchpointMedium,
    Workspace,
)

T1 = "T1"
ANA, BEN, CHLOE, DAN = "U0ANA", "U0BEN", "U0CHLOE", "U0DAN"
BERLIN = ZoneInfo("Europe/Berlin")
# Wednesday 25 Nov 2026, 09:00 UTC (the clock fixture's start).
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


class Written:
    """A renderer that says what it was asked to render, and remembers it."""

    def __init__(self) -> None:
        self.alerts: list[CollisionAlert] = []
        self.notes: list[OwnerNote] = []
        self.asks: list[OwnerNote] = []
        self.answers: list[AskerNote] = []
        self.moves: list[OwnerNote] = []
        self.revivals: list[OwnerNote] = []
        self.later: list[LaterNote] = []
        self.welcomes: list[WelcomeBack] = []

    def collision_alert(self, alert: CollisionAlert) -> Message:
        self.alerts.append(alert)
        return Message(text=f"alert about {alert.partner.name}", blocks=[])

    def owner_note(self, note: OwnerNote) -> Message:
        self.notes.append(note)
        return Message(text=f"note to {note.recipient}", blocks=[])

    def intent_ask(self, note: OwnerNote) -> Message:
        self.asks.append(note)
        return Message(text=f"ask {note.recipient}", blocks=[])

    def asker_note(self, note: AskerNote) -> Message:
        self.answers.append(note)
        return Message(text=f"answer {note.touch.answer}", blocks=[])

    def moved_near(self, note: OwnerNote) -> Message:
        self.moves.append(note)
        return Message(text=f"moved near, to {note.recipient}", blocks=[])

    def revived_near(self, note: OwnerNote) -> Message:
        self.revivals.append(note)
        return Message(text=f"revived near, to {note.recipient}", blocks=[])

    def intent_later(self, note: LaterNote) -> Message:
        self.later.append(note)
        return Message(text=f"later {note.touch.deadline}", blocks=[])

    def refused_elsewhere(self, facts: PartnerFacts, passed: Sequence[PassedOver]) -> Message:
        return Message(text=f"refused in {passed}", blocks=[])

    def welcome_back(self, note: WelcomeBack) -> Message:
        self.welcomes.append(note)
        return Message(text=f"welcome back {note.recipient}", blocks=[])


@pytest.fixture
def written() -> Written:
    return Written()


@pytest.fixture
def registry(engine: Engine, clock: ManualClock) -> Registry:
    return Registry(engine=engine, clock=clock, names=PartnerNames())


@pytest.fixture
def service(
    engine: Engine, clock: ManualClock, registry: Registry, written: Written
) -> Touchpoints:
    return Touchpoints(
        engine=engine,
        clock=clock,
        registry=registry,
        renderer=written,
        default_channel="#partnerships",
    )


@pytest.fixture(autouse=True)
def acme(engine: Engine, registry: Registry) -> None:
    """Acme, owned by Ana (Berlin) with Dan on its team; everyone's time zone cached."""
    with Session(engine) as session:
        for user_id, tz in (
            (ANA, "Europe/Berlin"),
            (BEN, "America/New_York"),
            (CHLOE, "Asia/Tokyo"),
            (DAN, "Europe/London"),
        ):
            profiles.save_profile(
                session=session,
                team_id=T1,
                user_id=user_id,
                name=user_id.lower(),
                real_name=None,
                tz=tz,
                is_admin=user_id == ANA,
                is_deleted=False,
                fetched_at=NOW,
            )
        session.commit()
    registry.add(
        actor=Actor(T1, ANA), name="Acme", aliases=["ACME Corp", "Roadrunner Supplies"], team=[DAN]
    )


def log(
    service: Touchpoints,
    user: str,
    notes: str = "notes",
    *,
    kind: TouchpointKind = TouchpointKind.DONE,
    partner: str = "Acme",
    key: str | None = None,
    **fields: Any,
) -> Recorded:
    return service.record(
        actor=Actor(T1, user),
        partner=partner,
        new=NewTouchpoint(kind=kind, notes=notes, **fields),
        request_key=key,
    )


def rows(engine: Engine, model: type[Any]) -> list[Any]:
    with Session(engine) as session:
        found = list(session.exec(select(model)))
        for row in found:
            session.expunge(row)
        return found


def outbox(engine: Engine) -> dict[str, OutboxMessage]:
    return {row.dedupe_key: row for row in rows(engine, OutboxMessage)}


# --- Pure rules ---------------------------------------------------------------------------------


def when(day: date, at: time | None = None) -> When:
    return When(day, at, BERLIN)


def test_records_of_one_meeting_fold_into_one_line_as_their_people_add_up() -> None:
    # Ben's call; Chloe's, naming Ben and Dan: one call. Dan's names nobody, yet he was on
    # that call as Chloe's record says: a third record of it, folded in too.
    def call(touchpoint_id: int, author: str, *participants: str) -> Clash:
        at = NOW - timedelta(hours=touchpoint_id)
        other = Touch(
            id=touchpoint_id,
            kind=TouchpointKind.DONE,
            at=at,
            day_only=False,
            medium="call",
            author_id=author,
            participants=participants,
            contacts=(),
            notes=None,
        )
        return Clash(other=other, same_contact=False)

    clashes = [call(1, BEN), call(2, CHLOE, BEN, DAN), call(3, DAN), call(4, "U0EVE")]
    first, eve = joint_clashes(clashes, tz=BERLIN)
    assert first.other.id == 1 and first.also_by == (CHLOE, DAN)
    assert first.other.participants == (BEN, DAN)
    assert eve.other.author_id == "U0EVE" and eve.also_by == ()


def test_a_log_without_a_date_is_now_and_a_plan_needs_one() -> None:
    assert moment(TouchpointKind.DONE, None, now=NOW) == (NOW, False)
    with pytest.raises(BadTouchpoint) as raised:
        moment(TouchpointKind.PLANNED, None, now=NOW)
    assert raised.value.problem is Problem.NO_DATE


def test_a_day_without_a_time_is_noon_there_and_today_counts_for_both() -> None:
    today = date(2026, 11, 25)
    noon = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
    assert moment(TouchpointKind.DONE, when(today), now=NOW) == (noon, True)
    assert moment(TouchpointKind.PLANNED, when(today), now=NOW + timedelta(hours=8)) == (noon, True)


@pytest.mark.parametrize(
    ("kind", "day", "at", "problem"),
    [
        (TouchpointKind.DONE, date(2026, 11, 26), None, Problem.LOG_IN_FUTURE),
        (TouchpointKind.DONE, date(2026, 11, 25), time(10, 6), Problem.LOG_IN_FUTURE),
        (TouchpointKind.PLANNED, date(2026, 11, 24), None, Problem.PLAN_IN_PAST),
        (TouchpointKind.PLANNED, date(2026, 11, 25), time(9, 54), Problem.PLAN_IN_PAST),
        (TouchpointKind.INTENDED, date(2026, 11, 24), None, Problem.PLAN_IN_PAST),
    ],
)
def test_logs_lie_in_the_past_and_plans_ahead(
    kind: TouchpointKind, day: date, at: time | None, problem: Problem
) -> None:
    with pytest.raises(BadTouchpoint) as raised:
        moment(kind, when(day, at), now=NOW, typed="typed")
    assert raised.value.problem is problem
    assert raised.value.typed == "typed"


def test_five_minutes_of_grace_either_way() -> None:
    assert moment(TouchpointKind.DONE, when(date(2026, 11, 25), time(10, 4)), now=NOW)[1] is False
    assert moment(TouchpointKind.PLANNED, when(date(2026, 11, 25), time(9, 56)), now=NOW)


def test_notes_are_needed_and_at_most_3000_characters() -> None:
    assert check_notes("  agreed  ") == "agreed"
    with pytest.raises(BadTouchpoint, match="no_notes"):
        check_notes("   ")
    with pytest.raises(BadTouchpoint) as raised:
        check_notes("x" * 3001)
    assert raised.value.length == 3001
    assert check_notes("x" * 3000)


def test_a_collision_is_news_unless_its_two_authors_know_of_each_other() -> None:
    named = {frozenset((BEN, CHLOE))}
    assert is_news(BEN, DAN, named=named, together=[])
    assert not is_news(BEN, CHLOE, named=named, together=[])
    assert not is_news(CHLOE, BEN, named=named, together=[])
    # Together in one contact lately; someone else's contact with each of them is not enough.
    assert not is_news(DAN, CHLOE, named=set(), together=[{DAN, CHLOE, BEN}])
    assert is_news(DAN, CHLOE, named=set(), together=[{DAN, BEN}, {BEN, CHLOE}])
    assert known(BEN, CHLOE, named=named, together=[{BEN, CHLOE}]) is Known.ALERTED
    assert known(BEN, CHLOE, named=set(), together=[{BEN, CHLOE}]) is Known.TOGETHER
    assert known(BEN, CHLOE, named=set(), together=[]) is None


def test_a_plan_logged_on_its_day_and_an_intent_acted_on_are_followed_up() -> None:
    def touch(
        touch_id: int,
        kind: TouchpointKind,
        author: str,
        at: datetime,
        medium: str = "meeting",
        participants: tuple[str, ...] = (),
    ) -> Touch:
        return Touch(
            id=touch_id, kind=kind, at=at, day_only=False, medium=medium, author_id=author,
            participants=participants, contacts=(), notes=None,
        )  # fmt: skip

    monday = datetime(2026, 11, 30, 9, tzinfo=UTC)
    plan = touch(1, TouchpointKind.PLANNED, BEN, monday.replace(hour=10))
    log = touch(2, TouchpointKind.DONE, BEN, monday.replace(hour=15))
    someone_elses = touch(3, TouchpointKind.PLANNED, CHLOE, monday)
    another_day = touch(4, TouchpointKind.PLANNED, BEN, monday + timedelta(days=1))
    intent = touch(5, TouchpointKind.INTENDED, DAN, monday)
    acted = touch(6, TouchpointKind.DONE, DAN, monday.replace(hour=16), medium="call")
    still_open = touch(7, TouchpointKind.INTENDED, CHLOE, monday)
    found = [plan, log, someone_elses, another_day, intent, acted, still_open]
    assert followed_up(found, tz=UTC) == {1, 5}
    # A log of another kind of contact that day is not the planned meeting; a log dated before
    # the intent (recorded after it) does not end it, nor does a plan.
    email = touch(8, TouchpointKind.DONE, BEN, monday.replace(hour=11), medium="email")
    earlier = touch(9, TouchpointKind.DONE, DAN, monday - timedelta(days=1))
    planned_after = touch(10, TouchpointKind.PLANNED, DAN, monday + timedelta(days=2))
    assert followed_up([plan, email, intent, earlier, planned_after], tz=UTC) == set()
    # Nor does a log of that day recorded before the intent: the heads-up came after it.
    before = touch(16, TouchpointKind.DONE, DAN, monday.replace(hour=8), medium="call")
    stated = touch(17, TouchpointKind.INTENDED, DAN, monday)
    assert followed_up([before, stated], tz=UTC) == set()
    assert followed_up([before, stated, touch(18, TouchpointKind.DONE, DAN, monday)], tz=UTC) == {
        17
    }
    # A colleague's log of the meeting, with the planner along, stands for the plan.
    theirs = touch(11, TouchpointKind.DONE, CHLOE, monday.replace(hour=12), participants=(BEN,))
    assert followed_up([plan, theirs], tz=UTC) == {1}
    # The day is the workspace's: Monday 23:30 UTC is Tuesday in Tokyo, 10:00 still Monday.
    late = touch(12, TouchpointKind.PLANNED, BEN, monday.replace(hour=23, minute=30))
    morning = touch(13, TouchpointKind.DONE, BEN, monday.replace(hour=10))
    assert followed_up([late, morning], tz=UTC) == {12}
    assert followed_up([late, morning], tz=ZoneInfo("Asia/Tokyo")) == set()
    # … unless the author's own zone is known: their calendar decides. A meeting planned for
    # Friday 20:00 in New York (Saturday 01:00 UTC) and logged as "on friday" (day only).
    new_york = ZoneInfo("America/New_York")
    evening = touch(14, TouchpointKind.PLANNED, BEN, datetime(2026, 11, 28, 1, tzinfo=UTC))
    day_only = replace(
        touch(15, TouchpointKind.DONE, BEN, datetime(2026, 11, 27, 17, tzinfo=UTC)),
        day_only=True,
    )
    assert followed_up([evening, day_only], tz=UTC) == set()
    assert followed_up([evening, day_only], tz=UTC, zones={BEN: new_york}) == {14}
    assert followed_up([evening, day_only], tz=UTC, zones={CHLOE: new_york}) == set()


def test_a_deadline_is_rounded_up_to_the_quarter_hour() -> None:
    # A deadline reads "by 10:15", not "by 10:05".
    friday = datetime(2026, 11, 27, 9, 5, tzinfo=UTC)
    assert on_the_quarter(friday, tz=BERLIN) == datetime(2026, 11, 27, 9, 15, tzinfo=UTC)
    on_the_dot = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    assert on_the_quarter(on_the_dot, tz=BERLIN) == on_the_dot
    # In the person's zone: Kathmandu is 5:45 ahead of UTC.
    assert on_the_quarter(friday, tz=ZoneInfo("Asia/Kathmandu")) == datetime(
        2026, 11, 27, 9, 15, tzinfo=UTC
    )


# --- Recording ----------------------------------------------------------------------------------


def test_a_contact_is_recorded_with_its_people_and_is_the_last_contact(
    service: Touchpoints, engine: Engine
) -> None:
    result = service.record(
        actor=Actor(T1, BEN),
        partner="acme corp",
        new=NewTouchpoint(
            kind=TouchpointKind.DONE,
            notes=" kick-off ",
            day_text="yesterday 15:00",
            medium=TouchpointMedium.MEETING,
            participants=[CHLOE, BEN, CHLOE],
            contacts=["Jane Doe", "John Roe", "jane doe"],
        ),
    )
    assert result.touch.participants == (CHLOE,)
    assert result.touch.contacts == ("Jane Doe", "John Roe")
    assert result.touch.at == datetime(2026, 11, 24, 20, 0, tzinfo=UTC)  # 15:00 in New York
    assert result.tz == ZoneInfo("America/New_York")
    (touchpoint,) = rows(engine, Touchpoint)
    assert (touchpoint.notes, touchpoint.medium, touchpoint.day_only) == (
        "kick-off",
        "meeting",
        False,
    )
    with Session(engine) as session:
        partner = session.exec(select(Partner)).one()
        assert (partner.last_contact_at, partner.last_contact_by) == (touchpoint.at, BEN)
        jane, john = session.exec(select(Contact).order_by(col(Contact.id))).all()
        links = session.exec(select(TouchpointContact).order_by(col(TouchpointContact.position)))
        named = [(link.touchpoint_id, link.contact_id) for link in links]
    assert (jane.name, john.name) == ("Jane Doe", "John Roe")
    assert named == [(touchpoint.id, jane.id), (touchpoint.id, john.id)]


def test_a_contact_person_is_found_by_name_or_email_before_one_is_added(
    service: Touchpoints, engine: Engine
) -> None:
    log(service, ANA, contacts=["jane@acme.example"])
    log(service, ANA, contacts=["JANE"])
    log(service, ANA, contacts=["Jane@ACME.example"])
    with Session(engine) as session:
        contacts = session.exec(select(Contact)).all()
    assert [(c.name, c.email) for c in contacts] == [("jane", "jane@acme.example")]


def test_a_person_at_the_partner_may_come_with_their_email() -> None:
    assert contact_people(["Mary Major mary@acme.org", "Bob <BOB@acme.org>", "li@acme.org"]) == [
        ("Mary Major", "mary@acme.org"),
        ("Bob", "bob@acme.org"),
        ("li", "li@acme.org"),
    ]
    with pytest.raises(BadValue):
        contact_people(["Mary Major mary@"])


def test_a_plan_is_no_contact_yet(service: Touchpoints, engine: Engine) -> None:
    log(service, BEN, kind=TouchpointKind.PLANNED, day_text="friday")
    with Session(engine) as session:
        assert session.exec(select(Partner)).one().last_contact_at is None


def test_bad_input_saves_nothing(service: Touchpoints, engine: Engine) -> None:
    with pytest.raises(BadTouchpoint):
        log(service, BEN, day_text="next week sometime")
    with pytest.raises(BadTouchpoint):
        log(service, BEN, notes="")
    with pytest.raises(UnknownPartner):
        log(service, BEN, partner="Initech", contacts=["New Person"])
    with pytest.raises(PartnerGone):
        service.record(
            actor=Actor(T1, BEN),
            partner=999,
            new=NewTouchpoint(kind=TouchpointKind.DONE, notes="x"),
        )
    assert rows(engine, Touchpoint) == [] and outbox(engine) == {}
    with Session(engine) as session:
        assert session.exec(select(Contact)).all() == []


def test_a_colleague_who_took_part_must_be_a_member_of_the_workspace(
    service: Touchpoints, engine: Engine
) -> None:
    new = NewTouchpoint(kind=TouchpointKind.DONE, notes="x", participants=[DAN, "U0ZED"])
    # Dan's profile is cached; Slack is asked about the other one (after the ack) first.
    with pytest.raises(PeopleToLookUp) as pending:
        service.record(actor=Actor(T1, BEN), partner="Acme", new=new)
    assert pending.value.user_ids == ("U0ZED",)
    missing = PeopleCheck(asked=frozenset({"U0ZED"}), missing=frozenset({"U0ZED"}))
    with pytest.raises(NotInWorkspace):
        service.record(actor=Actor(T1, BEN, missing), partner="Acme", new=new)
    assert rows(engine, Touchpoint) == [] and outbox(engine) == {}


def test_a_typed_date_waits_for_the_callers_time_zone(service: Touchpoints, engine: Engine) -> None:
    with pytest.raises(ZoneUnknown):
        log(service, "U0NEW", day_text="yesterday")
    log(service, "U0NEW")  # no date: nothing to read in a time zone
    asked = Actor(T1, "U0NEW", PeopleCheck(asked=frozenset({"U0NEW"})))
    result = service.record(
        actor=asked,
        partner="Acme",
        new=NewTouchpoint(kind=TouchpointKind.DONE, notes="x", day_text="yesterday"),
    )
    assert result.tz == ZoneInfo("UTC")  # Slack said nothing: the workspace's zone, UTC


def test_a_retried_request_answers_again_and_records_once(
    service: Touchpoints, engine: Engine
) -> None:
    log(service, CHLOE)
    first = log(service, BEN, key="cmd:t1")
    again = log(service, BEN, "other words", key="cmd:t1")
    assert len(rows(engine, Touchpoint)) == 2
    assert again.repeated and not first.repeated
    for field in ("touch", "clashes", "alert_channel", "owner_told", "tz"):
        assert getattr(again, field) == getattr(first, field), field


def test_simultaneous_logs_see_each_other(service: Touchpoints, engine: Engine) -> None:
    people = [f"U0OUT{n}" for n in range(8)]
    start = threading.Barrier(len(people))

    def outsider_logs(user: str) -> None:
        start.wait()
        log(service, user)

    threads = [threading.Thread(target=outsider_logs, args=(user,)) for user in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(rows(engine, Touchpoint)) == 8
    assert len(rows(engine, Collision)) == 8 * 7 // 2  # every pair, once


# --- Collisions and who hears -------------------------------------------------------------------


def test_an_outsider_and_the_owner_collide_once_alerted_in_the_channel(
    service: Touchpoints, engine: Engine, written: Written
) -> None:
    log(service, ANA, contacts=["Jane Doe"], day_text="last monday")
    ben = log(service, BEN, contacts=["jane doe"], kind=TouchpointKind.PLANNED, day_text="friday")
    (clash,) = ben.clashes
    assert clash.other.author_id == ANA and clash.same_contact
    assert ben.alert_channel == "#partnerships" and not ben.alert_threaded
    (alert,) = written.alerts
    assert alert.partner.owner_id == ANA and alert.window_days == 14
    queued = outbox(engine)
    channel_alert = queued[f"collision:{ben.touch.id}"]
    assert channel_alert.recipient_channel == "#partnerships"
    assert not channel_alert.respect_working_hours
    note = queued[f"owner-note:{ben.touch.id}"]
    assert note.recipient_user == ANA and note.respect_working_hours
    (pair,) = rows(engine, Collision)
    assert pair.same_contact and pair.alert_key == pair.thread_key == channel_alert.dedupe_key


def test_team_members_do_not_collide_and_are_not_reported(
    service: Touchpoints, engine: Engine, written: Written
) -> None:
    log(service, ANA)
    dan = log(service, DAN)
    assert dan.clashes == [] and dan.owner_told is None
    assert outbox(engine) == {} and written.notes == []


def test_the_window_is_the_workspaces(service: Touchpoints, engine: Engine) -> None:
    log(service, ANA, day_text="2026-11-01")
    assert log(service, BEN, day_text="2026-11-20").clashes == []
    with Session(engine) as session:
        session.add(Workspace(team_id=T1, window_days=21, created_at=NOW))
        session.commit()
    assert len(log(service, CHLOE, day_text="2026-11-20").clashes) == 2


def authors(recorded: Recorded) -> list[str]:
    return [clash.other.author_id for clash in recorded.clashes]


def test_the_window_counts_calendar_days_not_hours(
    service: Touchpoints, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    log(service, DAN, medium=TouchpointMedium.CALL)  # Mon 30 Nov, 08:00 UTC
    plan = TouchpointKind.PLANNED
    # Ben in New York: 14 days later (a day without a time), then on the 15th day, at 06:00 UTC
    # (less than 15 × 24 hours after the call), and without a time.
    assert authors(log(service, BEN, kind=plan, day_text="2026-12-14")) == [DAN]
    assert log(service, BEN, kind=plan, day_text="2026-12-15 01:00").clashes == []
    assert log(service, BEN, kind=plan, day_text="2026-12-15").clashes == []
    # Chloe in Tokyo: 14 days before, without a time; then on the 15th day before, late (14:30
    # UTC, less than 15 × 24 hours before the call).
    assert authors(log(service, CHLOE, day_text="2026-11-16")) == [DAN]
    assert log(service, CHLOE, day_text="2026-11-15 23:30").clashes == []


def test_the_window_counts_days_in_the_workspaces_time_zone(
    service: Touchpoints, engine: Engine, clock: ManualClock
) -> None:
    with Session(engine) as session:
        session.add(Workspace(team_id=T1, timezone="Asia/Tokyo", created_at=NOW))
        session.commit()
    clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    log(service, DAN, medium=TouchpointMedium.CALL)  # Mon 30 Nov, 17:00 in Tokyo
    plan = TouchpointKind.PLANNED
    # 14:59 UTC on Mon 14 Dec is 23:59 in Tokyo; 15:00 UTC is Tue 15 Dec there.
    assert authors(log(service, BEN, "a", kind=plan, day_text="2026-12-14 09:59")) == [DAN]
    assert DAN not in authors(log(service, CHLOE, "b", kind=plan, day_text="2026-12-15 00:00"))


def test_knowing_of_the_other_contact_is_no_news(
    service: Touchpoints, engine: Engine, written: Written
) -> None:
    log(service, BEN)
    log(service, CHLOE, kind=TouchpointKind.PLANNED, day_text="friday")
    repeat = log(service, CHLOE, "it happened")
    assert len(repeat.clashes) == 1 and repeat.alert_channel is None
    assert len(written.alerts) == 1
    # Dan is new to Ben, though he brought along Chloe, who knew: Ben hears of Dan.
    joined = log(service, DAN, participants=[CHLOE])
    assert joined.alert_channel is not None and len(written.alerts) == 2
    # Named with Ben now, in touch with Chloe together: known both ways.
    again = log(service, DAN, "a follow-up")
    assert again.alert_channel is None and again.already_known is Known.MIXED
    assert len(rows(engine, Collision)) == 2 + 1 + 3  # every colliding pair is still recorded


def sqlite_statements(engine: Engine) -> list[str]:
    """The statements SQLite runs from now on for the touchpoint writer (`writer_session`'s
    connection, which recording uses): the hot path's SQL goes past SQLAlchemy's events."""
    if engine.dialect.name != "sqlite":
        pytest.skip("traces SQLite's statements")
    seen: list[str] = []
    with writer_session(engine) as session:
        raw = session.connection().connection.dbapi_connection
        assert isinstance(raw, sqlite3.Connection)
        raw.set_trace_callback(seen.append)
    return seen


def test_an_alerted_pair_in_the_window_is_known_without_reading_its_touchpoints_again(
    service: Touchpoints, engine: Engine
) -> None:
    # Who took part in the touchpoints of an earlier alert is at hand when they are in the
    # window the log just read: no second read of them (a log's cost grows with its window).
    log(service, BEN)
    log(service, CHLOE)
    seen = sqlite_statements(engine)
    again = log(service, CHLOE, "a follow-up")
    assert again.already_known is Known.ALERTED and again.alert_channel is None
    assert seen and not [sql for sql in seen if "AND t.id IN (" in sql]


def test_later_alerts_within_a_day_thread_onto_the_first(
    service: Touchpoints, engine: Engine, clock: ManualClock
) -> None:
    log(service, BEN)
    first = log(service, CHLOE)
    clock.advance(timedelta(hours=23))
    second = log(service, "U0EVE")
    assert second.alert_threaded
    queued = outbox(engine)
    root = f"collision:{first.touch.id}"
    assert queued[f"collision:{second.touch.id}"].thread_of_dedupe_key == root
    clock.advance(timedelta(hours=2))
    third = log(service, "U0FAY")
    assert not third.alert_threaded


def test_the_partners_channel_then_the_workspaces_then_none(
    engine: Engine, clock: ManualClock, registry: Registry, written: Written
) -> None:
    service = Touchpoints(
        engine=engine, clock=clock, registry=registry, renderer=written, default_channel=None
    )
    log(service, BEN)
    lonely = log(service, CHLOE)
    assert lonely.no_channel and lonely.alert_channel is None
    with Session(engine) as session:
        session.add(Workspace(team_id=T1, coordination_channel="C0WORK", created_at=NOW))
        session.commit()
    assert log(service, "U0EVE").alert_channel == "C0WORK"
    registry.set_channel(actor=Actor(T1, ANA), partner="Acme", channel_id="C0ACME")
    assert log(service, "U0FAY").alert_channel == "C0ACME"


def test_the_owners_stand_in_hears_while_the_owner_is_away(
    service: Touchpoints, engine: Engine, registry: Registry
) -> None:
    go_away(
        engine,
        team_id=T1,
        user_id=ANA,
        starts_at=NOW - timedelta(hours=1),
        ends_at=NOW + timedelta(days=2),
        deputy_id=CHLOE,
        now=NOW,
    )
    assert log(service, BEN).owner_told == CHLOE
    registry.set_deputy(actor=Actor(T1, ANA), partner="Acme", deputy_id=DAN)
    assert log(service, "U0EVE").owner_told == DAN
    assert log(service, "U0FAY", participants=[DAN]).owner_told is None


# --- Intents ------------------------------------------------------------------------------------


def test_an_intent_asks_the_owner_until_the_next_working_day(
    service: Touchpoints, engine: Engine, written: Written
) -> None:
    asked = log(service, BEN, "co-host the event", kind=TouchpointKind.INTENDED)
    touch = asked.touch
    assert touch.asked == ANA
    assert touch.deadline == NOW + timedelta(days=1)  # 10:00 in Berlin, Thursday
    (ask,) = written.asks
    assert ask.recipient == ANA and ask.tz == BERLIN
    assert outbox(engine)[f"intent-ask:{touch.id}"].recipient_user == ANA
    assert written.notes == []  # the question is the owner's note
    assert log(service, ANA, kind=TouchpointKind.INTENDED).touch.asked is None


def test_only_the_person_asked_answers_and_once(
    service: Touchpoints, engine: Engine, written: Written
) -> None:
    touch = log(service, BEN, kind=TouchpointKind.INTENDED).touch
    with pytest.raises(NotAsked):
        service.answer_intent(
            actor=Actor(T1, CHLOE), touchpoint_id=touch.id, answer=IntentAnswer.GO_AHEAD
        )
    with pytest.raises(IntentGone):
        service.answer_intent(actor=Actor(T1, ANA), touchpoint_id=999, answer=IntentAnswer.GO_AHEAD)
    first = service.answer_intent(
        actor=Actor(T1, ANA),
        touchpoint_id=touch.id,
        answer=IntentAnswer.TALK_FIRST,
    )
    assert first.recorded and first.touch.answer is IntentAnswer.TALK_FIRST
    second = service.answer_intent(
        actor=Actor(T1, ANA), touchpoint_id=touch.id, answer=IntentAnswer.GO_AHEAD
    )
    assert not second.recorded and second.touch.answer is IntentAnswer.TALK_FIRST
    (told,) = written.answers
    assert told.touch.answer is IntentAnswer.TALK_FIRST and told.tz == ZoneInfo("America/New_York")
    reply = outbox(engine)[f"intent-answer:{touch.id}:talk_first"]
    assert reply.recipient_user == BEN and reply.respect_working_hours


def test_an_unanswered_intent_lapses_once_and_a_late_answer_still_counts(
    service: Touchpoints, engine: Engine, clock: ManualClock, written: Written
) -> None:
    touch = log(service, BEN, kind=TouchpointKind.INTENDED).touch
    answered = log(service, CHLOE, kind=TouchpointKind.INTENDED).touch
    service.answer_intent(
        actor=Actor(T1, ANA), touchpoint_id=answered.id, answer=IntentAnswer.GO_AHEAD
    )
    deadline = touch.deadline
    assert deadline is not None
    assert service.lapse_intents(now=deadline - timedelta(minutes=1)) == 0
    assert service.lapse_intents(now=deadline) == 1
    assert service.lapse_intents(now=deadline + timedelta(hours=1)) == 0
    # The question is edited in place at once (its buttons stay, for a late answer).
    edit = outbox(engine)[f"intent-ask:{touch.id}:lapsed"]
    assert edit.edit_of_dedupe_key == f"intent-ask:{touch.id}" and edit.recipient_user == ANA
    assert not edit.respect_working_hours and edit.status == "pending"
    assert [note.touch.answer for note in written.answers] == [
        IntentAnswer.GO_AHEAD,
        IntentAnswer.LAPSED,
    ]
    # Answered after the deadline, while "you may go ahead" still waits for Ben's working
    # hours: that goes unsaid, and the answer reaches him as one in time would.
    late = service.answer_intent(
        actor=Actor(T1, ANA), touchpoint_id=touch.id, answer=IntentAnswer.HANDLE_IT
    )
    assert late.recorded and not late.late and not written.answers[-1].late
    assert outbox(engine)[f"intent-answer:{touch.id}:lapsed"].status == "cancelled"
    assert outbox(engine)[f"intent-answer:{touch.id}:handle_it"].status == "pending"
    # The answer took the question's place first: the edit, unsent, would undo it.
    assert outbox(engine)[f"intent-ask:{touch.id}:lapsed"].status == "cancelled"


# --- The briefing and the picker ----------------------------------------------------------------


def test_the_briefing_shows_the_last_three_the_plans_and_the_intents(
    service: Touchpoints, registry: Registry
) -> None:
    registry.set_deputy(actor=Actor(T1, ANA), partner="Acme", deputy_id=CHLOE)
    for day in ("2026-11-10", "2026-11-12", "2026-11-18", "2026-11-20"):
        log(service, DAN, day_text=day)
    log(service, DAN, kind=TouchpointKind.PLANNED, day_text="2026-12-01")
    log(service, BEN, kind=TouchpointKind.INTENDED)
    found = service.brief(actor=Actor(T1, BEN), partner="ACME corp")
    assert (found.partner.owner_id, found.partner.deputy_id, found.members) == (ANA, CHLOE, [DAN])
    assert [t.at.date() for t in found.recent] == [
        date(2026, 11, 20),
        date(2026, 11, 18),
        date(2026, 11, 12),
    ]
    assert [t.kind for t in found.planned] == [TouchpointKind.PLANNED]
    assert [t.author_id for t in found.intents] == [BEN]
    assert found.caller_role is None and found.last_contact_by == DAN
    assert service.brief(actor=Actor(T1, DAN), partner="Acme").caller_role is TeamRole.MEMBER


def test_the_briefing_has_every_contact_logged_and_the_plans_still_ahead_of_the_caller(
    service: Touchpoints, clock: ManualClock
) -> None:
    # Wed 25 Nov, 04:00 in New York: Ben's "today" is stored at noon there, after now.
    log(service, BEN, day_text="today")
    log(service, CHLOE, kind=TouchpointKind.PLANNED, day_text="tomorrow")  # Thu 26 Nov, Tokyo
    log(service, DAN, kind=TouchpointKind.PLANNED, day_text="tomorrow 10:00")
    found = service.brief(actor=Actor(T1, BEN), partner="Acme")
    assert [t.author_id for t in found.recent] == [BEN]
    assert [t.author_id for t in found.planned] == [CHLOE, DAN]
    # Fri 27 Nov 04:00 UTC: Thursday 23:00 for Ben, whose Thursday is not over; Friday for Dan.
    clock.set(datetime(2026, 11, 27, 4, 0, tzinfo=UTC))
    assert [t.author_id for t in service.brief(actor=Actor(T1, BEN), partner="Acme").planned] == [
        CHLOE
    ]
    assert service.brief(actor=Actor(T1, DAN), partner="Acme").planned == []


def test_the_briefing_has_the_callers_own_intent_of_the_window(
    service: Touchpoints, clock: ManualClock
) -> None:
    log(service, CHLOE, "chloe's", kind=TouchpointKind.INTENDED)
    assert service.brief(actor=Actor(T1, BEN), partner="Acme").own_intent is None
    log(service, BEN, "first", kind=TouchpointKind.INTENDED)
    clock.advance(timedelta(hours=1))
    log(service, BEN, "second", kind=TouchpointKind.INTENDED)
    own = service.brief(actor=Actor(T1, BEN), partner="Acme").own_intent
    assert own is not None and (own.notes, own.asked, own.answer) == ("second", ANA, None)
    # Intents are those of the window's calendar days: 14 days after Wed 25 Nov, still there.
    clock.set(datetime(2026, 12, 9, 23, 59, tzinfo=UTC))
    assert service.brief(actor=Actor(T1, BEN), partner="Acme").own_intent is not None
    clock.set(datetime(2026, 12, 10, 0, 0, tzinfo=UTC))
    found = service.brief(actor=Actor(T1, BEN), partner="Acme")
    assert found.own_intent is None and found.intents == []


def test_the_picker_suggests_prefixes_then_near_misses_each_partner_once(
    service: Touchpoints, registry: Registry
) -> None:
    registry.add(actor=Actor(T1, ANA), name="Acme Foundation", allow_similar=True)
    registry.add(actor=Actor(T1, ANA), name="Globex")

    def suggested(query: str, team_id: str = T1) -> list[tuple[int, str, str]]:
        return service.suggest(team_id=team_id, query=query, limit=20).partners

    assert [name for _, name, _ in suggested("ac")] == ["Acme", "Acme Foundation"]
    assert [label for _, _, label in suggested("road")] == ["Roadrunner Supplies"]
    assert [name for _, name, _ in suggested("globx")] == ["Globex"]
    assert suggested("  ") == []
    assert suggested("ac", team_id="T2") == []


def test_the_picker_offers_what_a_line_would_be_offered_for_a_short_form_or_typo(
    service: Touchpoints, registry: Registry
) -> None:
    oxfam = registry.add(actor=Actor(T1, ANA), name="Oxfam International")
    registry.add(actor=Actor(T1, ANA), name="Oxfam Novib", allow_similar=True)

    def suggested(query: str) -> list[str]:
        found = service.suggest(team_id=T1, query=query, limit=20)
        return [label for _, _, label in found.partners]

    # Neither starts with what was typed: the short form and the typo stand for it.
    assert suggested("Oxfam Intl") == ["Oxfam International"]
    assert suggested("Oxfamm") == ["Oxfam Novib", "Oxfam International"]
    registry.add_aliases(actor=Actor(T1, ANA), partner=oxfam.facts.name, aliases=["Oxfam"])
    assert suggested("Oxfam Intl") == ["Oxfam International"]
    assert suggested("Oxfamm") == ["Oxfam"]
    # What a partner goes by exactly comes first, then the names it starts.
    registry.add(actor=Actor(T1, ANA), name="Oxfam America", allow_similar=True)
    assert suggested("oxfam") == ["Oxfam International", "Oxfam America", "Oxfam Novib"]


def test_the_picker_offers_to_register_what_no_partner_goes_by_exactly(
    service: Touchpoints,
) -> None:
    def unregistered(query: str, team_id: str = T1) -> str | None:
        return service.suggest(team_id=team_id, query=query, limit=20).unregistered

    assert unregistered("  Initech   Labs ") == "Initech Labs"
    assert unregistered("ac") == "ac"  # only the start of a name
    assert unregistered("acmee") == "acmee"  # a near miss is still another name
    assert unregistered("ACME") is None  # its name, ignoring case
    assert unregistered("roadrunner supplies") is None  # an alias
    assert unregistered("ACME", team_id="T2") == "ACME"  # another workspace's partner
    assert unregistered("???") is None and unregistered(" ") is None  # no name to register


# --- A partner registered for a contact ("Register …" in the form) -------------------------------


def test_a_new_partner_is_registered_with_the_caller_as_owner_and_the_contact_recorded(
    service: Touchpoints, engine: Engine, registry: Registry
) -> None:
    new = NewTouchpoint(kind=TouchpointKind.DONE, notes="first call", day=date(2026, 11, 24))
    result = service.record_with_new_partner(
        actor=Actor(T1, BEN), name=" Initech ", new=new, request_key="view:V1"
    )
    assert result.registered and result.partner.name == "Initech"
    assert result.partner.owner_id == BEN
    assert result.owner_told is None  # the caller owns it now: nobody else to tell
    assert registry.profile(team_id=T1, partner="initech").facts.last_contact_at is not None
    # Sent again (or a second submission of the same form): nothing new.
    again = service.record_with_new_partner(
        actor=Actor(T1, BEN), name="Initech", new=new, request_key="view:V1"
    )
    assert again.repeated and not again.registered
    assert len(rows(engine, Touchpoint)) == 1


def test_a_partner_registered_meanwhile_is_the_one_recorded_with(service: Touchpoints) -> None:
    new = NewTouchpoint(kind=TouchpointKind.DONE, notes="x")
    result = service.record_with_new_partner(actor=Actor(T1, BEN), name="acme corp", new=new)
    assert not result.registered and result.partner.name == "Acme"  # an alias of Acme
    assert result.owner_told == ANA
    # A name merely like a partner's is registered: the picker showed the likes already.
    like = service.record_with_new_partner(actor=Actor(T1, BEN), name="Acme Labs", new=new)
    assert like.registered and like.partner.name == "Acme Labs"


@pytest.mark.parametrize(
    ("name", "fields", "refused"),
    [
        ("x" * 121, {}, NewPartnerRefused),
        ("!!!", {}, NewPartnerRefused),
        ("Initech", {"notes": " "}, BadTouchpoint),
        ("Initech", {"day": date(2026, 11, 26)}, BadTouchpoint),  # tomorrow in New York
        ("Initech", {"contacts": ["J" * 121]}, BadName),
        ("Initech", {"contacts": ["jane@"]}, BadValue),
    ],
)
def test_a_refused_contact_or_name_registers_nothing(
    service: Touchpoints,
    engine: Engine,
    name: str,
    fields: dict[str, Any],
    refused: type[Exception],
) -> None:
    new = NewTouchpoint(kind=TouchpointKind.DONE, **{"notes": "x", **fields})
    with pytest.raises(refused):
        service.record_with_new_partner(actor=Actor(T1, BEN), name=name, new=new)
    assert [partner.name for partner in rows(engine, Partner)] == ["Acme"]
    assert rows(engine, Touchpoint) == []


# --- Whose profiles the handler refreshes -------------------------------------------------------


def test_the_people_its_messages_are_timed_for_are_named_when_their_profiles_are_stale(
    service: Touchpoints, engine: Engine, clock: ManualClock
) -> None:
    # Owner Ana was looked up lately: only the newcomers need Slack (asked about the guest,
    # who took part, it gave no answer).
    guest = service.record(
        actor=Actor(T1, "U0NEW", PeopleCheck(asked=frozenset({"U0GUEST"}))),
        partner="Acme",
        new=NewTouchpoint(kind=TouchpointKind.DONE, notes="notes", participants=["U0GUEST"]),
    )
    assert set(guest.stale) == {"U0NEW", "U0GUEST"}
    clock.advance(timedelta(days=2))  # every cached profile is old now
    # Ben is told nothing, but his check-in and Ana's note are timed in their zones.
    assert set(log(service, BEN).stale) == {BEN, ANA}
    go_away(
        engine,
        team_id=T1,
        user_id=ANA,
        starts_at=clock.now() - timedelta(hours=1),
        # Through Monday: still away when a DM would reach Chloe (Monday morning in Tokyo).
        ends_at=clock.now() + timedelta(days=4),
        deputy_id=CHLOE,
        now=clock.now(),
    )
    # Dan is on the team: nobody is told, and his check-in and Ben's are timed in their zones.
    assert set(log(service, DAN, participants=[BEN]).stale) == {DAN, BEN, ANA}
    # Chloe covers for Ana: she is told of an outsider's contact, so her zone counts too.
    assert set(log(service, "U0EVE").stale) == {"U0EVE", ANA, CHLOE}
