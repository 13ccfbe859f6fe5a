"""The App Home service on the real database: one person's dashboard of one workspace, the
admin sections for admins only, health taken from a health source when one is given, and Slack
asked first when the person's profile is stale."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import ManualClock
from bot.services.commitments import Commitments, NewCommitment
from bot.services.home import AtRiskPartner, Home, PartnerHealth, Shown
from bot.services.partner_names import PartnerNames
from bot.services.people import PeopleCheck, PeopleToLookUp
from bot.services.registry import Actor, Registry
from handlers.blocks.commitments import MESSAGES
from storage.models import CommitmentSide, OutboxMessage, OutboxStatus
from tests.factories import Colleague, add_partner, save_colleagues

T1, T2 = "T1", "T2"
ANA, BEN = "U0ANA", "U0BEN"
WED = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


class ChosenHealth:
    """A health source with fixed answers, as the health service's adapter will give them."""

    def __init__(self, scores: Mapping[int, PartnerHealth], at_risk: list[AtRiskPartner]) -> None:
        self.scores = scores
        self.risky = at_risk
        self.asked: list[tuple[str, tuple[int, ...]]] = []

    def partner_health(
        self, *, team_id: str, partner_ids: Sequence[int], tz: ZoneInfo
    ) -> Mapping[int, PartnerHealth]:
        self.asked.append((team_id, tuple(partner_ids)))
        return {pid: health for pid, health in self.scores.items() if pid in partner_ids}

    def at_risk(self, *, team_id: str, limit: int, tz: ZoneInfo) -> Shown[AtRiskPartner]:
        return Shown(self.risky[:limit], len(self.risky))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(WED)


@pytest.fixture
def registry(engine: Engine, clock: ManualClock) -> Registry:
    return Registry(engine=engine, clock=clock, names=PartnerNames())


def world(engine: Engine, clock: ManualClock, registry: Registry) -> dict[str, int]:
    """Two workspaces alike: Ana (an admin) owns Acme and a commitment, and a message failed."""
    ids: dict[str, int] = {}
    commitments = Commitments(engine=engine, clock=clock, registry=registry, messages=MESSAGES)
    for team_id in (T1, T2):
        save_colleagues(
            engine,
            clock,
            team_id=team_id,
            colleagues=[Colleague(ANA, tz="Europe/Berlin", admin=True), Colleague(BEN)],
        )
        profile = add_partner(registry, team_id=team_id, name=f"Acme {team_id}", owner_id=ANA)
        ids[team_id] = profile.facts.id
        commitments.record(
            actor=Actor(team_id, ANA),
            partner=profile.facts.id,
            new=NewCommitment(side=CommitmentSide.US, what=f"deck {team_id}", due_on=WED.date()),
        )
        with Session(engine) as session:
            session.add(
                OutboxMessage(
                    team_id=team_id,
                    kind="handover",
                    recipient_user=BEN,
                    text="hello",
                    dedupe_key=f"failed:{team_id}",
                    due_at=WED,
                    available_at=WED,
                    status=OutboxStatus.FAILED,
                    last_error="user_not_found",
                    created_at=WED,
                )
            )
            session.commit()
    return ids


def test_a_dashboard_holds_one_workspace_only(
    engine: Engine, clock: ManualClock, registry: Registry
) -> None:
    world(engine, clock, registry)
    found = Home(engine=engine, clock=clock).gather(team_id=T1, user_id=ANA)
    assert found.tz == ZoneInfo("Europe/Berlin")
    assert [p.partner.name for p in found.partners.items] == [f"Acme {T1}"]
    assert found.partners.total == 1
    assert [c.what for c in found.commitments.items] == [f"deck {T1}"]
    assert found.admin is not None
    assert [failed.row.team_id for failed in found.admin.failed.items] == [T1]
    assert found.admin.failed.total == 1
    assert found.admin.at_risk is None  # no health source: nothing said about risk
    assert all(p.health is None for p in found.partners.items)


def test_admin_sections_are_for_admins_only(
    engine: Engine, clock: ManualClock, registry: Registry
) -> None:
    world(engine, clock, registry)
    assert Home(engine=engine, clock=clock).gather(team_id=T1, user_id=BEN).admin is None


def test_health_comes_from_the_health_source(
    engine: Engine, clock: ManualClock, registry: Registry
) -> None:
    ids = world(engine, clock, registry)
    acme = ids[T1]
    sick = PartnerHealth(score=38, at_risk=("score below 50",))
    source = ChosenHealth(
        {acme: sick}, [AtRiskPartner(partner_id=acme, name="Acme", owner_id=ANA, health=sick)]
    )
    found = Home(engine=engine, clock=clock, health=source).gather(team_id=T1, user_id=ANA)
    assert [p.health for p in found.partners.items] == [sick]
    assert source.asked == [(T1, (acme,))]
    assert found.admin is not None and found.admin.at_risk is not None
    assert [a.partner_id for a in found.admin.at_risk.items] == [acme]
    # Not an admin: health on their partners (none here), no at-risk list.
    assert (
        Home(engine=engine, clock=clock, health=source).gather(team_id=T1, user_id=BEN).admin
        is None
    )


def test_a_stale_profile_is_looked_up_first(
    engine: Engine, clock: ManualClock, registry: Registry
) -> None:
    world(engine, clock, registry)
    home = Home(engine=engine, clock=clock)
    with pytest.raises(PeopleToLookUp) as pending:
        home.gather(team_id=T1, user_id="U0NEW")
    assert pending.value.user_ids == ("U0NEW",)
    asked = home.gather(team_id=T1, user_id="U0NEW", check=PeopleCheck(asked=frozenset({"U0NEW"})))
    assert asked.admin is None and asked.partners.total == 0
    clock.advance(timedelta(days=2))  # Ana's cached profile is a day old and more now
    with pytest.raises(PeopleToLookUp):
        home.gather(team_id=T1, user_id=ANA)
