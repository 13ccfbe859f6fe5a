"""Staying in touch: where intervals come from, when a partner is due or dormant, who may set
them, the nudge planner, snoozes, and merging partners that have their own cadence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from bot.delivery.absence import go_away
from bot.services.cadence import (
    BadIntervals,
    Cadences,
    Intervals,
    NotAllowedToSet,
    Source,
    Standing,
    check_intervals,
    intervals_of,
    nudge_key,
    standing,
)
from bot.services.partner_names import PartnerNames
from bot.services.people import PeopleToLookUp
from bot.services.registry import Actor, Registry
from handlers.blocks.commitments import MESSAGES
from storage import touchpoints as touchpoint_store
from storage.commitments import CadenceRow
from storage.models import OutboxMessage, PartnerCadence, PartnerStatus
from tests.factories import Colleague, add_partner, save_colleagues

T1 = "T1"
ANA, BEN, DAN = "U0ANA", "U0BEN", "U0DAN"
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_intervals_come_from_the_partner_then_its_status_then_the_defaults() -> None:
    own = CadenceRow(ideal_days=10, max_days=20, snoozed_until=None)
    snooze_only = CadenceRow(ideal_days=None, max_days=None, snoozed_until=START)
    by_status = {"active": (14, 28)}
    assert intervals_of("active", own, by_status) == Intervals(10, 20, Source.PARTNER)
    assert intervals_of("active", snooze_only, by_status) == Intervals(14, 28, Source.STATUS)
    assert intervals_of("prospect", None, by_status) == Intervals(30, 60, Source.DEFAULT)


@pytest.mark.parametrize(
    ("status", "days", "expected"),
    [
        ("active", 29, Standing.FINE),
        ("active", 30, Standing.DUE),
        ("prospect", 59, Standing.DUE),
        ("active", 60, Standing.DORMANT),
        ("paused", 400, Standing.EXEMPT),
        ("ended", 400, Standing.EXEMPT),
    ],
)
def test_standing(status: str, days: int, expected: Standing) -> None:
    intervals = Intervals(30, 60, Source.DEFAULT)
    assert standing(status, intervals, START, START + timedelta(days=days)) is expected


@pytest.mark.parametrize(("ideal", "maximum"), [(0, 10), (10, 10), (20, 10), (30, 731)])
def test_intervals_that_make_no_sense_are_refused(ideal: int, maximum: int) -> None:
    with pytest.raises(BadIntervals):
        check_intervals(ideal, maximum)


def test_one_nudge_per_quiet_stretch_and_one_more_after_each_snooze() -> None:
    later = START + timedelta(days=40)
    assert nudge_key(7, START, None) == "cadence:7:20261125T090000"
    assert nudge_key(7, START, later) == "cadence:7:20261125T090000:after:20270104T0900"


# --- On the database ----------------------------------------------------------------------------


@pytest.fixture
def registry(engine: Engine, clock: ManualClock) -> Registry:
    return Registry(engine=engine, clock=clock, names=PartnerNames())


@pytest.fixture
def cadences(engine: Engine, clock: ManualClock, registry: Registry) -> Cadences:
    save_colleagues(
        engine,
        clock,
        team_id=T1,
        colleagues=[
            Colleague(ANA, "Europe/Berlin", admin=True),
            Colleague(BEN, "America/New_York"),
            Colleague(DAN, "Europe/London"),
        ],
    )
    add_partner(registry, team_id=T1, name="Acme", owner_id=BEN, deputy_id=DAN)
    add_partner(registry, team_id=T1, name="Globex", owner_id=BEN)
    return Cadences(engine=engine, clock=clock, registry=registry, messages=MESSAGES)


def nudges(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))  # type: ignore[arg-type]


def test_only_the_owner_the_deputy_or_an_admin_sets_a_partners_cadence(
    cadences: Cadences,
) -> None:
    # Dan is Acme's deputy, and nothing of Globex's.
    with pytest.raises(NotAllowedToSet) as refused:
        cadences.set(actor=Actor(T1, DAN), partner="Globex", ideal=7, maximum=14)
    assert refused.value.partner is not None and refused.value.partner.owner_id == BEN
    with pytest.raises(PeopleToLookUp):
        cadences.set(actor=Actor(T1, "U0NEW"), partner="Acme", ideal=7, maximum=14)
    state = cadences.set(actor=Actor(T1, DAN), partner="Acme", ideal=6, maximum=13)
    assert state.intervals == Intervals(6, 13, Source.PARTNER)
    state = cadences.set(actor=Actor(T1, BEN), partner="acme", ideal=7, maximum=14)
    assert state.intervals == Intervals(7, 14, Source.PARTNER)
    assert (
        cadences.set(actor=Actor(T1, ANA), partner="Acme", ideal=8, maximum=15).intervals.ideal == 8
    )
    with pytest.raises(NotAllowedToSet):
        cadences.set_for_status(
            actor=Actor(T1, BEN), status=PartnerStatus.ACTIVE, ideal=1, maximum=2
        )


def test_dormant_partners_longest_quiet_first_paused_ones_exempt(
    cadences: Cadences, registry: Registry, engine: Engine, clock: ManualClock
) -> None:
    add_partner(registry, team_id=T1, name="Initech", owner_id=BEN)
    registry.set_status(actor=Actor(T1, BEN), partner="Initech", status=PartnerStatus.PAUSED)
    clock.advance(timedelta(days=10))
    with Session(engine) as session:
        globex = registry.resolve(session, team_id=T1, query="Globex")
        assert globex.id is not None
        touchpoint_store.note_contact(
            session=session,
            team_id=T1,
            partner_id=globex.id,
            at=clock.now(),
            by=DAN,
            day_only=False,
        )
        session.commit()
    clock.advance(timedelta(days=55))
    assert [state.partner.name for state in cadences.dormant(team_id=T1)] == ["Acme"]
    cadences.set(actor=Actor(T1, BEN), partner="Globex", ideal=20, maximum=50)
    dormant = cadences.dormant(team_id=T1)
    assert [(state.partner.name, state.quiet_days) for state in dormant] == [
        ("Acme", 65),
        ("Globex", 55),
    ]
    assert dormant[1].last_contact_by == DAN and dormant[1].contacted


def test_the_planner_nudges_the_owner_or_the_deputy_once_and_honours_snoozes(
    cadences: Cadences, engine: Engine, clock: ManualClock
) -> None:
    assert cadences.plan_nudges(now=START + timedelta(days=29)) == 0
    go_away(
        engine,
        team_id=T1,
        user_id=BEN,
        starts_at=START,
        ends_at=START + timedelta(days=31),
        deputy_id=None,
        now=START,
    )
    day_30 = START + timedelta(days=30)
    clock.set(day_30)
    assert cadences.plan_nudges(now=day_30) == 2
    assert cadences.plan_nudges(now=day_30 + timedelta(days=3)) == 0
    acme, globex = nudges(engine)
    assert acme.recipient_user == DAN and globex.recipient_user == BEN  # Globex has no deputy
    acme_id = cadences.state(team_id=T1, partner="Acme").partner.id
    snoozed = cadences.snooze(actor=Actor(T1, DAN), partner_id=acme_id)
    assert snoozed.snoozed_until == day_30 + timedelta(days=14)
    assert cadences.plan_nudges(now=day_30 + timedelta(days=13)) == 0
    clock.set(day_30 + timedelta(days=14))
    assert cadences.plan_nudges(now=day_30 + timedelta(days=14)) == 1
    assert nudges(engine)[-1].recipient_user == BEN  # back by then


def test_a_merge_keeps_the_cadence_rows_of_both_partners(
    cadences: Cadences, registry: Registry, engine: Engine
) -> None:
    cadences.set(actor=Actor(T1, BEN), partner="Acme", ideal=7, maximum=14)
    cadences.set(actor=Actor(T1, BEN), partner="Globex", ideal=9, maximum=18)
    registry.merge(actor=Actor(T1, BEN), duplicate="Acme", kept="Globex")
    with Session(engine) as session:
        assert len(session.exec(select(PartnerCadence)).all()) == 2
    state = cadences.state(team_id=T1, partner="Acme")  # now an alias of Globex
    assert state.partner.name == "Globex" and state.intervals.ideal == 9
