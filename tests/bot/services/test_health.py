"""Partner health on the real database: what feeds each part, the anonymity threshold, the
at-risk list, the weekly snapshots, the trend of `health NAME`, merges, and workspaces apart."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from bot.health import PartKind, RiskKind
from bot.services.cadence import Cadences
from bot.services.commitments import Commitments, NewCommitment
from bot.services.health import Comparison, Health, TrendPoint
from bot.services.partner_names import PartnerNames
from bot.services.registry import Actor, Registry, UnknownPartner
from handlers.blocks.commitments import MESSAGES
from storage import touchpoints as touchpoint_store
from storage.models import (
    CheckInAnswer,
    CommitmentSide,
    CommitmentStatus,
    HealthSnapshot,
    PartnerStatus,
    Workspace,
)
from tests.factories import (
    Colleague,
    add_partner,
    checkin,
    collision,
    contacted,
    pulse_round,
    revolving_door,
    save_colleagues,
)

T1, T2 = "T1", "T2"
ANA, BEN, DAN = "U0ANA", "U0BEN", "U0DAN"
# Wednesday 25 Nov 2026, 09:00 UTC (the suite's clock).
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


# --- Seeding what feeds the score ---------------------------------------------------------------


def partner_id(registry: Registry, team_id: str, name: str) -> int:
    with Session(registry.engine) as session:
        found = registry.resolve(session, team_id=team_id, query=name).id
    assert found is not None
    return found


# --- The service --------------------------------------------------------------------------------


@pytest.fixture
def registry(engine: Engine, clock: ManualClock) -> Registry:
    return Registry(engine=engine, clock=clock, names=PartnerNames())


@pytest.fixture
def commitments(engine: Engine, clock: ManualClock, registry: Registry) -> Commitments:
    return Commitments(engine=engine, clock=clock, registry=registry, messages=MESSAGES)


@pytest.fixture
def health(
    engine: Engine, clock: ManualClock, registry: Registry, commitments: Commitments
) -> Health:
    for team_id in (T1, T2):
        save_colleagues(
            engine,
            clock,
            team_id=team_id,
            colleagues=[
                Colleague(ANA, "Europe/Berlin", admin=True),
                Colleague(BEN, "America/New_York"),
                Colleague(DAN, "Europe/London"),
            ],
        )
    add_partner(registry, team_id=T1, name="Acme", owner_id=BEN)
    cadences = Cadences(engine=engine, clock=clock, registry=registry, messages=MESSAGES)
    return Health(
        engine=engine,
        clock=clock,
        registry=registry,
        commitments=commitments,
        cadences=cadences,
    )


def promise(
    commitments: Commitments,
    team_id: str,
    name: str,
    due: str,
    side: CommitmentSide,
    what: str = "the deck",
) -> int:
    found = commitments.record(
        actor=Actor(team_id, BEN),
        partner=name,
        new=NewCommitment(side=side, what=what, due_text=due),
    )
    return found.commitment.id


def test_a_new_partner_has_no_score_until_something_happened(
    health: Health, registry: Registry, engine: Engine, clock: ManualClock
) -> None:
    acme = partner_id(registry, T1, "Acme")
    add_partner(registry, team_id=T1, name="Globex", owner_id=BEN)
    globex = partner_id(registry, T1, "Globex")
    found = health.scores(team_id=T1)[acme]
    assert found.health.score is None  # not a "perfect" 100 on day one
    assert found.health.counted == 0
    assert found.health.part(PartKind.CADENCE).score is None
    assert not found.at_risk
    # A first contact is something to judge; so is going quiet past the ideal without one.
    contacted(engine, T1, acme, START)
    assert health.scores(team_id=T1)[acme].health.score == 100
    clock.advance(timedelta(days=30))
    found = health.scores(team_id=T1)[globex]
    assert (found.health.score, found.health.part(PartKind.CADENCE).score) == (50, 50)


def test_every_part_is_read_and_nothing_crosses_workspaces(
    health: Health,
    registry: Registry,
    commitments: Commitments,
    engine: Engine,
    clock: ManualClock,
) -> None:
    acme = partner_id(registry, T1, "Acme")
    # The same name in another workspace, with everything going wrong there.
    add_partner(registry, team_id=T2, name="Acme", owner_id=BEN)
    other = partner_id(registry, T2, "Acme")
    for _ in range(3):
        collision(engine, T2, other, START - timedelta(days=2))
        checkin(engine, T2, other, CheckInAnswer.PROBLEM, START - timedelta(days=2))
    pulse_round(engine, T2, other, [(1, 1, 1, 1)] * 3, closed_at=START - timedelta(days=1))

    contacted(engine, T1, acme, START)
    pulse_round(
        engine,
        T1,
        acme,
        [(5, 4, 3, 4), (4, 4, 3, 5), (3, 4, 3, 3)],  # averages 4.0, 4.0, 3.0, 4.0
        closed_at=START - timedelta(days=1),
    )
    checkin(engine, T1, acme, CheckInAnswer.WENT_WELL, START - timedelta(days=10))
    checkin(engine, T1, acme, CheckInAnswer.MIXED, START - timedelta(days=20))
    checkin(engine, T1, acme, CheckInAnswer.DIDNT_HAPPEN, START - timedelta(days=5))
    checkin(engine, T1, acme, CheckInAnswer.PROBLEM, START - timedelta(days=100))  # too old
    collision(engine, T1, acme, START - timedelta(days=30))
    kept = promise(commitments, T1, "Acme", "2026-11-26", CommitmentSide.US)
    commitments.close(actor=Actor(T1, BEN), commitment_id=kept, status=CommitmentStatus.DONE)
    promise(commitments, T1, "Acme", "2026-11-26", CommitmentSide.THEM)
    clock.advance(timedelta(days=3))  # Saturday: the open one is overdue now

    found = health.scores(team_id=T1)[acme].health
    assert found.scores == {
        PartKind.PULSE: 69,  # mean 3.75 of 5
        PartKind.CHECKINS: 75,  # went well, mixed
        PartKind.COMMITMENTS: 33,  # one kept on time, one overdue (weighs double)
        PartKind.CADENCE: 100,
        PartKind.COLLISIONS: 75,  # one collision among its touchpoints
    }
    assert found.facts.pulse is not None and found.facts.pulse.averages == (4.0, 4.0, 3.0, 4.0)
    # (69·30 + 75·25 + 33·20 + 100·15 + 75·10) / 100 = 68.55
    assert found.score == 69


def test_a_pulse_round_below_the_anonymity_threshold_gives_no_pulse(
    health: Health, registry: Registry, engine: Engine
) -> None:
    acme = partner_id(registry, T1, "Acme")
    pulse_round(engine, T1, acme, [(5, 5, 5, 5)] * 3, closed_at=START - timedelta(days=40))
    # The latest round had two respondents, and only one of them answered question 2.
    pulse_round(
        engine, T1, acme, [(2, 2, 2, 2), (2, None, 2, 2)], closed_at=START - timedelta(days=2)
    )
    found = health.scores(team_id=T1)[acme].health
    assert found.part(PartKind.PULSE).score is None
    assert found.facts.pulse is not None
    assert found.facts.pulse.respondents == 2 and not found.facts.pulse.enough
    assert found.facts.pulse.averages == (None, None, None, None)
    # With the workspace's threshold at 2, the same round counts; question 2 stays hidden.
    with Session(engine) as session:
        session.add(Workspace(team_id=T1, anonymity_threshold=2, created_at=START))
        session.commit()
    found = health.scores(team_id=T1)[acme].health
    assert found.facts.pulse is not None
    assert found.facts.pulse.averages == (2.0, None, 2.0, 2.0)
    assert found.part(PartKind.PULSE).score == 25


def test_the_pulse_is_scored_from_unrounded_averages(
    health: Health, registry: Registry, engine: Engine
) -> None:
    acme = partner_id(registry, T1, "Acme")
    # Every question averages 11/3 (shown as 3.7): (11/3 − 1) / 4 is 66.7, not 3.7's 67.5.
    pulse_round(engine, T1, acme, [(4, 4, 4, 4), (4, 4, 4, 4), (3, 3, 3, 3)], closed_at=START)
    found = health.scores(team_id=T1)[acme].health
    assert found.facts.pulse is not None
    assert found.facts.pulse.averages == pytest.approx((11 / 3,) * 4)
    assert found.part(PartKind.PULSE).score == 67


def test_a_revolving_door_counts_once_per_contact_that_collided(
    health: Health, registry: Registry, engine: Engine
) -> None:
    acme = partner_id(registry, T1, "Acme")
    revolving_door(engine, T1, acme, START - timedelta(days=2), people=[BEN, "U0CHLOE", DAN, ANA])
    found = health.scores(team_id=T1)[acme].health
    assert found.facts.collisions.touchpoints == 4
    assert found.facts.collisions.collisions == 3  # not the 6 pairs
    assert found.part(PartKind.COLLISIONS).score == 25


def test_at_risk_worst_first_with_reasons(
    health: Health,
    registry: Registry,
    commitments: Commitments,
    engine: Engine,
    clock: ManualClock,
) -> None:
    for name in ("Globex", "Initech", "Hooli", "Umbrella", "Stark"):
        add_partner(registry, team_id=T1, name=name, owner_id=BEN)
    registry.set_status(actor=Actor(T1, BEN), partner="Stark", status=PartnerStatus.ENDED)
    clock.advance(timedelta(days=61))  # everyone is dormant now…
    now = clock.now()
    for name in ("Acme", "Globex", "Hooli", "Umbrella", "Stark"):
        with Session(engine) as session:  # …except those in touch yesterday
            touchpoint_store.note_contact(
                session=session,
                team_id=T1,
                partner_id=partner_id(registry, T1, name),
                at=now - timedelta(days=1),
                by=BEN,
                day_only=False,
            )
            session.commit()
    # Globex: two Problem check-ins this week. Hooli: a Problem three weeks ago, since mended.
    checkin(engine, T1, partner_id(registry, T1, "Globex"), CheckInAnswer.PROBLEM, now)
    checkin(engine, T1, partner_id(registry, T1, "Globex"), CheckInAnswer.PROBLEM, now)
    hooli = partner_id(registry, T1, "Hooli")
    checkin(engine, T1, hooli, CheckInAnswer.PROBLEM, now - timedelta(days=21))
    for _ in range(3):
        checkin(engine, T1, hooli, CheckInAnswer.WENT_WELL, now - timedelta(days=2))
    # Umbrella: we carry all four open commitments, none due yet.
    for what in ("the deck", "the budget", "the agenda", "the minutes"):  # four promises
        promise(commitments, T1, "Umbrella", "2027-03-01", CommitmentSide.US, what)
    # Stark is ended: never at risk, whatever happens.
    checkin(engine, T1, partner_id(registry, T1, "Stark"), CheckInAnswer.PROBLEM, now)

    found = health.at_risk(team_id=T1)
    assert [(item.partner.name, item.health.score) for item in found] == [
        ("Initech", 0),
        ("Globex", 50),
        ("Umbrella", 100),
    ]
    assert [reason.kind for reason in found[0].risks] == [RiskKind.LOW_SCORE, RiskKind.DORMANT]
    assert [(r.kind, r.count) for r in found[1].risks] == [(RiskKind.PROBLEM, 2)]
    assert [(r.kind, r.side) for r in found[2].risks] == [(RiskKind.LOPSIDED, CommitmentSide.US)]
    assert health.at_risk(team_id=T2) == []


def test_snapshots_are_taken_once_a_week_in_the_workspaces_zone(
    health: Health, registry: Registry, engine: Engine, clock: ManualClock
) -> None:
    with Session(engine) as session:
        session.add(Workspace(team_id=T1, timezone="Asia/Tokyo", created_at=START))
        session.commit()
    add_partner(registry, team_id=T2, name="Globex", owner_id=BEN)
    contacted(engine, T1, partner_id(registry, T1, "Acme"), START)
    contacted(engine, T2, partner_id(registry, T2, "Globex"), START)
    # Registered this week: no snapshot stands for how the week began (it had not been yet).
    assert health.plan_snapshots(now=clock.now()) == 0
    # Sunday 23:30 UTC: already Monday in Tokyo (a new week for T1), still Sunday for T2.
    sunday = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    assert health.plan_snapshots(now=sunday) == 1
    assert health.plan_snapshots(now=sunday) == 0  # idempotent
    # A planner that was down on Monday takes the week's snapshot on Wednesday.
    assert health.plan_snapshots(now=datetime(2026, 12, 2, 12, 0, tzinfo=UTC)) == 1
    with Session(engine) as session:
        rows = session.exec(select(HealthSnapshot).order_by(HealthSnapshot.id)).all()  # type: ignore[arg-type]
    assert [(row.team_id, row.week_start, row.score) for row in rows] == [
        (T1, date(2026, 11, 30), 100),
        (T2, date(2026, 11, 30), 100),
    ]
    assert rows[0].cadence == 100 and rows[0].pulse is None


def test_the_report_shows_twelve_weeks_and_what_moved(
    health: Health, registry: Registry, engine: Engine, clock: ManualClock
) -> None:
    acme = partner_id(registry, T1, "Acme")
    contacted(engine, T1, acme, START)
    clock.advance(timedelta(weeks=1))  # Acme was registered the week before
    health.plan_snapshots(now=clock.now())  # week of 30 Nov: contact only, 100
    clock.advance(timedelta(weeks=1))
    collision(engine, T1, acme, clock.now())
    health.plan_snapshots(now=clock.now())  # week of 7 Dec: collisions 75 joins
    clock.advance(timedelta(weeks=2))  # the week of 14 Dec is missed: a gap
    checkin(engine, T1, acme, CheckInAnswer.PROBLEM, clock.now())

    found = health.report(team_id=T1, partner="acme")
    assert [(point.week_start, point.score) for point in found.trend] == [
        (date(2026, 11, 30), 100),
        (date(2026, 12, 7), 90),
        (date(2026, 12, 14), None),
        (date(2026, 12, 21), 45),  # this week: the score now
    ]
    # The latest snapshot is two weeks old (the week of 14 Dec was missed).
    assert found.since_latest is not None
    assert found.since_latest.week_start == date(2026, 12, 7)
    assert [(m.kind, m.before, m.after) for m in found.since_latest.moves] == [
        (PartKind.CHECKINS, None, 0),
    ]
    assert found.since_oldest is not None
    assert found.since_oldest.week_start == date(2026, 11, 30)
    assert [(m.kind, m.before, m.after) for m in found.since_oldest.moves] == [
        (PartKind.CHECKINS, None, 0),
        (PartKind.COLLISIONS, None, 75),
    ]
    # This week's snapshot, once taken, is what the score is compared with (it shows how the
    # week began); in the trend, the score now stands in its place.
    health.plan_snapshots(now=clock.now())
    assert health.report(team_id=T1, partner="Acme").since_latest == Comparison(
        week_start=date(2026, 12, 7),
        taken_at=datetime(2026, 12, 9, 9, 0, tzinfo=UTC),
        score=90,
        moves=found.since_latest.moves,
    )  # taken this very moment: not earlier, so not compared with
    clock.advance(timedelta(hours=1))
    checkin(engine, T1, acme, CheckInAnswer.WENT_WELL, clock.now())
    later = health.report(team_id=T1, partner="Acme")
    assert later.trend[-1] == TrendPoint(date(2026, 12, 21), later.current.health.score)
    assert later.since_latest is not None
    assert later.since_latest.week_start == date(2026, 12, 21)
    assert [(m.kind, m.before, m.after) for m in later.since_latest.moves] == [
        (PartKind.CHECKINS, 0, 50),
    ]
    assert later.since_oldest is not None and later.since_oldest.week_start == date(2026, 11, 30)
    # Alone, a snapshot is the latest and there is no older one to compare with.
    with Session(engine) as session:
        for row in session.exec(select(HealthSnapshot)).all():
            if row.week_start < date(2026, 12, 21):
                session.delete(row)
        session.commit()
    alone = health.report(team_id=T1, partner="Acme")
    assert alone.since_latest is not None and alone.since_oldest is None
    with pytest.raises(UnknownPartner):
        health.report(team_id=T2, partner="Acme")


def test_a_merge_keeps_the_kept_partners_weeks(
    health: Health, registry: Registry, engine: Engine, clock: ManualClock
) -> None:
    clock.advance(timedelta(weeks=1))
    health.plan_snapshots(now=clock.now())
    add_partner(registry, team_id=T1, name="Acme Europe", owner_id=BEN)
    clock.advance(timedelta(weeks=1))
    health.plan_snapshots(now=clock.now())  # both partners have this week's snapshot
    merged = registry.merge(actor=Actor(T1, BEN), duplicate="Acme", kept="Acme Europe")
    assert merged.moved["health_snapshot"] == 1  # Acme's first week; its second is dropped
    kept = partner_id(registry, T1, "Acme Europe")
    with Session(engine) as session:
        rows = session.exec(select(HealthSnapshot).order_by(HealthSnapshot.week_start)).all()  # type: ignore[arg-type]
    assert [(row.partner_id, row.week_start) for row in rows] == [
        (kept, date(2026, 11, 30)),
        (kept, date(2026, 12, 7)),
    ]
