"""When the weekly digest is due (pure), and what it tells from the database: the week's counts,
quiet weeks, and the planner's idempotence."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from bot.services.cadence import Cadences
from bot.services.commitments import Commitments
from bot.services.digest import Digests, Schedule
from bot.services.digest_moments import (
    CATCH_UP,
    digest_key,
    digest_moment,
    due_moment,
    latest_moment,
    next_moment,
)
from bot.services.health import Health
from bot.services.partner_names import PartnerNames
from bot.services.registry import Actor, Registry
from bot.services.workspace_settings import Digest
from handlers.blocks import commitments as commitment_blocks
from handlers.blocks.health import MESSAGES
from storage.models import OutboxMessage, Partner, Workspace
from tests.factories import Colleague, add_partner, revolving_door, save_colleagues

T1, T2 = "T1", "T2"
BEN = "U0BEN"
NEW_YORK = ZoneInfo("America/New_York")
UTC_ZONE = ZoneInfo("UTC")


def workspace(**settings: str) -> Workspace:
    return Workspace(team_id=T1, created_at=datetime(2026, 1, 1, tzinfo=UTC), **settings)  # type: ignore[arg-type]


# --- When ---------------------------------------------------------------------------------------


def test_the_latest_moment_is_local_time_across_daylight_saving() -> None:
    def monday_nine(now: datetime) -> datetime:
        return latest_moment(now, weekday=0, at=time(9, 0), tz=NEW_YORK)

    # Summer time: 09:00 in New York is 13:00 UTC; a minute earlier it is last week's.
    summer = datetime(2026, 10, 26, 13, 0, tzinfo=UTC)
    assert monday_nine(summer) == summer
    assert monday_nine(summer - timedelta(minutes=1)) == summer - timedelta(weeks=1)
    # After the clocks went back on 1 Nov: 14:00 UTC.
    assert monday_nine(datetime(2026, 11, 4, 0, 0, tzinfo=UTC)) == datetime(
        2026, 11, 2, 14, 0, tzinfo=UTC
    )


def test_the_next_moment_is_a_week_on_in_local_time() -> None:
    def tuesday_half_past_nine(now: datetime) -> datetime:
        return next_moment(now, weekday=1, at=time(9, 30), tz=NEW_YORK)

    # Tuesday 27 Oct, 09:30 in New York is 13:30 UTC: the next one, a minute before and after.
    moment = datetime(2026, 10, 27, 13, 30, tzinfo=UTC)
    assert tuesday_half_past_nine(moment - timedelta(minutes=1)) == moment
    # The clocks go back on 1 Nov: a week later, 09:30 is 14:30 UTC.
    assert tuesday_half_past_nine(moment) == datetime(2026, 11, 3, 14, 30, tzinfo=UTC)


def test_a_day_that_had_its_digest_gets_none_again_nor_one_behind_it() -> None:
    monday = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    evening = Digest(0, time(18, 0))
    assert digest_moment(monday, evening, UTC_ZONE, decided="digest:2026-11-23") == datetime(
        2026, 11, 30, 18, 0, tzinfo=UTC
    )
    assert digest_moment(monday, evening, UTC_ZONE, decided="digest:2026-11-30") == datetime(
        2026, 12, 7, 18, 0, tzinfo=UTC
    )
    # Monday's digest went at 09:00 in Kiritimati (UTC+14); in Pago Pago (UTC-11) it is still
    # Sunday, whose 22:00 would come 14 hours after it: next week's instead.
    sunday = Digest(6, time(22, 0))
    pago = ZoneInfo("Pacific/Pago_Pago")
    now = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)
    assert digest_moment(now, sunday, pago, decided="digest:2026-11-30") == datetime(
        2026, 12, 7, 9, 0, tzinfo=UTC
    )
    # Due now and not decided: now.
    assert digest_moment(monday, Digest(0, time(9, 0)), UTC_ZONE, decided=None) == datetime(
        2026, 11, 30, 9, 0, tzinfo=UTC
    )


def test_a_digest_is_due_from_its_moment_for_a_day() -> None:
    moment = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
    settings = Digest(weekday=0, at=time(9, 0))
    assert due_moment(moment - timedelta(minutes=1), settings, NEW_YORK) is None
    assert due_moment(moment, settings, NEW_YORK) == moment
    assert due_moment(moment + CATCH_UP - timedelta(minutes=1), settings, NEW_YORK) == moment
    assert due_moment(moment + CATCH_UP, settings, NEW_YORK) is None
    assert digest_key(moment, NEW_YORK) == "digest:2026-11-30"
    # Late on Sunday in New York is already Monday in UTC: the key names the local day.
    assert digest_key(datetime(2026, 11, 30, 3, 0, tzinfo=UTC), NEW_YORK) == "digest:2026-11-29"


# --- On the database ----------------------------------------------------------------------------


@pytest.fixture
def digests(engine: Engine, clock: ManualClock) -> Digests:
    registry = Registry(engine=engine, clock=clock, names=PartnerNames())
    for team_id in (T1, T2):
        save_colleagues(engine, clock, team_id=team_id, colleagues=[Colleague(BEN)])
    add_partner(registry, team_id=T1, name="Acme", owner_id=BEN)
    messages = commitment_blocks.MESSAGES
    health = Health(
        engine=engine,
        clock=clock,
        registry=registry,
        commitments=Commitments(engine=engine, clock=clock, registry=registry, messages=messages),
        cadences=Cadences(engine=engine, clock=clock, registry=registry, messages=messages),
    )
    return Digests(
        engine=engine, clock=clock, health=health, messages=MESSAGES, default_channel="C0DEFAULT"
    )


def queued(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))  # type: ignore[arg-type]


def test_the_week_counts_what_happened_in_it_only(digests: Digests) -> None:
    # Acme was registered on Wednesday 25 Nov.
    week = digests.week(team_id=T1, end=datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    assert week.new_partners == ["Acme"] and not week.quiet
    assert (week.touchpoints, week.collisions, week.closed.total, week.overdue) == (0, 0, 0, 0)
    earlier = digests.week(team_id=T1, end=datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    assert earlier.new_partners == [] and earlier.quiet
    assert digests.week(team_id=T2, end=datetime(2026, 11, 30, 9, 0, tzinfo=UTC)).quiet


def test_each_workspace_has_its_schedule_and_off_means_no_digest(
    digests: Digests, engine: Engine, clock: ManualClock
) -> None:
    add_partner(digests.health.registry, team_id=T2, name="Globex", owner_id=BEN)
    # T1 has no settings row: Monday 09:00 UTC, LIAISON_DEFAULT_CHANNEL.
    with Session(engine) as session:
        session.add(
            Workspace(
                team_id=T2,
                created_at=clock.now(),
                timezone="America/New_York",
                digest_day="tue",
                digest_time="09:30",
                coordination_channel="C0WORK",
            )
        )
        session.commit()
    first = clock.now()  # Acme and Globex were both registered now
    assert digests.schedules() == [
        Schedule(T1, Digest(0, time(9, 0)), tz=UTC_ZONE, channel=None, first_partner=first),
        Schedule(T2, Digest(1, time(9, 30)), tz=NEW_YORK, channel="C0WORK", first_partner=first),
    ]
    # From Wednesday 25 Nov: T1's Monday 09:00, then T2's Tuesday 09:30 in New York.
    monday = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    tuesday = datetime(2026, 12, 1, 14, 30, tzinfo=UTC)
    assert digests.next_moment(after=clock.now()) == monday
    assert digests.next_moment(after=monday) == tuesday

    # `config digest off` in T1: no digest on Monday, though Acme is new this week.
    with Session(engine) as session:
        session.add(workspace(digest_day="off"))
        session.commit()
    assert [schedule.team_id for schedule in digests.schedules()] == [T2]
    assert digests.next_moment(after=clock.now()) == tuesday
    assert digests.plan(now=monday) == 0
    # T2's goes at its minute, with Globex new.
    assert digests.plan(now=tuesday - timedelta(minutes=1)) == 0
    assert digests.plan(now=tuesday) == 1
    assert digests.next_moment(after=tuesday) == tuesday + timedelta(weeks=1)
    # Both off: nothing is ever due.
    with Session(engine) as session:
        row = session.get(Workspace, T2)
        assert row is not None
        row.digest_day = "off"
        session.add(row)
        session.commit()
    assert digests.schedules() == []
    assert digests.next_moment(after=tuesday) is None


def test_collisions_are_counted_as_the_health_score_counts_them(
    digests: Digests, engine: Engine
) -> None:
    with Session(engine) as session:
        (acme,) = session.exec(select(Partner.id).where(Partner.team_id == T1)).all()
    assert acme is not None
    # One revolving door: four colleagues one after the other, 6 colliding pairs.
    revolving_door(
        engine, T1, acme, datetime(2026, 11, 26, 9, 0, tzinfo=UTC), people=["A", "B", "C", "D"]
    )
    week = digests.week(team_id=T1, end=datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    assert (week.touchpoints, week.collisions) == (4, 3)
    assert [(item.name, item.collisions) for item in week.partners] == [("Acme", 3)]
    (found,) = digests.health.scores(team_id=T1).values()
    assert found.health.facts.collisions.collisions == week.collisions


def test_the_planner_queues_one_digest_with_its_thread_once(
    digests: Digests, engine: Engine, clock: ManualClock
) -> None:
    monday = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    assert digests.plan(now=monday - timedelta(minutes=1)) == 0
    assert digests.plan(now=monday) == 1
    assert digests.plan(now=monday + timedelta(hours=1)) == 0
    rows = queued(engine)
    assert [(row.kind, row.dedupe_key, row.thread_of_dedupe_key) for row in rows] == [
        ("weekly_digest", "digest:2026-11-30", None),
        ("weekly_digest_detail", "digest:2026-11-30:detail:1", "digest:2026-11-30"),
    ]
    # No `config channel`: LIAISON_DEFAULT_CHANNEL; with one, the workspace's channel.
    assert {row.recipient_channel for row in rows} == {"C0DEFAULT"}
    with Session(engine) as session:  # the planner wrote the row: which digest it decided
        session.merge(workspace(coordination_channel="C0WORK"))
        session.commit()
    clock.set(monday + timedelta(days=2))
    digests.health.registry.add(actor=Actor(T1, BEN), name="Globex")  # something new
    assert digests.plan(now=monday + timedelta(weeks=1)) == 1
    assert queued(engine)[-2].recipient_channel == "C0WORK"
