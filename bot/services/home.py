"""One person's App Home: what they look after and what waits for them, gathered in one read.

For (workspace, person): the partners on whose team they are (owner, deputy or member) with the
last contact (with health, those at risk first, worst first, and ended ones last, so no partner
that needs them is among those cut off), their open commitments (earliest due, so overdue,
first), the planned meetings still to come that they planned or take part in or that a
colleague planned with a partner they own or deputise (they are accountable for it), the
check-ins and pulse surveys sent to them that they have not answered, and their time away now
(`/partner away`), if any. Admins (Slack workspace admins and the `config admins` list) also see
the workspace's failed deliveries and, once a health source is given, its at-risk partners.
Each list is cut to a few items with the count of the rest, so the Home stays within Slack's 100
blocks however much there is.

Health is not computed here: a `HealthSource` supplies each partner's score and at-risk reasons
and the workspace's at-risk list. Without one the dashboard carries no health at all (and the
Home shows no health column), never a made-up placeholder.

Times are shown in the person's zone and the admin sections follow Slack's admin flag, so both
need a fresh cached profile: without one, `gather` raises `PeopleToLookUp` and the caller asks
Slack (after the ack) and gathers again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Generic, Protocol, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import Clock
from bot.delivery.absence import person_zone
from bot.services import people
from bot.services.checkins import ASK_KEY_PREFIX
from bot.services.commitments import CommitmentFacts, open_owned_by
from bot.services.people import PeopleCheck, PeopleToLookUp
from bot.services.touchpoints import Touch
from bot.services.workspace_settings import FailedDelivery, latest_failures
from storage import home as store
from storage.absences import absence_at, absences_at
from storage.home import OpenSurvey, PlannedTouchpoint, TeamPartner, WaitingCheckIn
from storage.models import PartnerStatus, TeamRole
from storage.partners import has_partners
from storage.people import deactivated, get_profile

# How many of each list the Home shows; the rest are counted and pointed to.
SHOWN_PARTNERS = 15
SHOWN_COMMITMENTS = 10
SHOWN_MEETINGS = 8
SHOWN_CHECKINS = 8
SHOWN_SURVEYS = 5
SHOWN_AT_RISK = 10
SHOWN_FAILED = 5

Item = TypeVar("Item")


@dataclass(frozen=True)
class Shown(Generic[Item]):
    """The first items of a list and how many the list has in all."""

    items: Sequence[Item] = ()
    total: int = 0

    @property
    def more(self) -> int:
        """How many are left out."""
        return max(0, self.total - len(self.items))


# --- Health, supplied from outside --------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PartnerHealth:
    """A partner's health as the Home shows it: the score (None: not enough to score yet), why
    it is at risk (empty: it is not), and whether its pulse is thin."""

    score: int | None
    at_risk: tuple[str, ...] = ()
    # The score counts a pulse round resting on few of its statements, in words
    # ("1 of 4 statements"); None: it does not.
    thin_pulse: str | None = None


@dataclass(frozen=True, kw_only=True)
class AtRiskPartner:
    """One of the workspace's at-risk partners, worst first, for admins."""

    partner_id: int
    name: str
    owner_id: str | None
    health: PartnerHealth
    # The owner has left Slack, as the profile cache says.
    owner_gone: bool = False


class HealthSource(Protocol):
    """Where the Home gets health from (the health service, through an adapter)."""

    def partner_health(
        self, *, team_id: str, partner_ids: Sequence[int], tz: ZoneInfo
    ) -> Mapping[int, PartnerHealth]:
        """The health of each partner among `partner_ids` that has one, its days quiet counted
        on the calendar of `tz` (the reader's, as the Home's "last contact 12 days ago")."""
        ...

    def at_risk(self, *, team_id: str, limit: int, tz: ZoneInfo) -> Shown[AtRiskPartner]:
        """The first `limit` at-risk partners, worst first, and how many there are (days quiet
        on the calendar of `tz`)."""
        ...


# --- The dashboard ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class MyPartner:
    """A partner on the person's team, with its health when a health source gave one."""

    partner: TeamPartner
    health: PartnerHealth | None = None
    # When its owner (someone else) is back, while they are away (exclusive, UTC).
    owner_away_until: datetime | None = None
    # The person is its deputy, here while its owner is away: what would wait for the owner
    # comes to them.
    you_cover: bool = False
    # Its owner (someone else) has left Slack, as the profile cache says.
    owner_gone: bool = False


@dataclass(frozen=True, kw_only=True)
class PlannedMeeting:
    """A planned meeting on the person's Home. `on_your_partner`: a colleague's, shown because
    the person owns or deputises its partner (they neither planned it nor take part)."""

    partner_name: str
    touch: Touch
    on_your_partner: bool = False


@dataclass(frozen=True, kw_only=True)
class AdminView:
    """What admins see besides their own: failed deliveries, and the at-risk partners (None:
    no health source, so nothing to say about risk)."""

    failed: Shown[FailedDelivery]
    at_risk: Shown[AtRiskPartner] | None = None
    # No partner is registered in the workspace yet: nothing could be at risk.
    no_partners: bool = False


@dataclass(frozen=True, kw_only=True)
class Away:
    """The person's time away now: until when (exclusive, UTC) and whom they named to cover."""

    until: datetime
    deputy_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class HomeDashboard:
    """Everything one person's App Home shows."""

    team_id: str
    user_id: str
    now: datetime
    tz: ZoneInfo
    partners: Shown[MyPartner] = field(default_factory=Shown)
    # How many of all their partners (shown or not) are at risk.
    partners_at_risk: int = 0
    commitments: Shown[CommitmentFacts] = field(default_factory=Shown)
    meetings: Shown[PlannedMeeting] = field(default_factory=Shown)
    checkins: Shown[WaitingCheckIn] = field(default_factory=Shown)
    surveys: Shown[OpenSurvey] = field(default_factory=Shown)
    # None: the person is not an admin.
    admin: AdminView | None = None
    # None: the person is not away (`/partner away`).
    away: Away | None = None


class Home:
    """App Home dashboards of every workspace, over one database."""

    def __init__(self, *, engine: Engine, clock: Clock, health: HealthSource | None = None) -> None:
        self.engine = engine
        self.clock = clock
        self.health = health

    def gather(
        self, *, team_id: str, user_id: str, check: PeopleCheck | None = None
    ) -> HomeDashboard:
        """The person's dashboard now. Raises PeopleToLookUp when their cached profile is
        missing or stale and Slack was not asked about them (`check`)."""
        check = check or PeopleCheck()
        now = self.clock.now()
        with Session(self.engine) as session:
            profile = get_profile(session=session, team_id=team_id, user_id=user_id)
            if not people.is_fresh(profile, now) and user_id not in check.asked:
                raise PeopleToLookUp([user_id])
            admin = people.admin_status(
                session, team_id=team_id, user_id=user_id, now=now, check=check
            )
            partner_total = store.team_partner_count(
                session=session, team_id=team_id, user_id=user_id
            )
            # With health, all of them: which are shown depends on which are at risk.
            partners = store.team_partners(
                session=session,
                team_id=team_id,
                user_id=user_id,
                limit=SHOWN_PARTNERS if self.health is None else partner_total,
            )
            commitments, open_total = open_owned_by(
                session, team_id=team_id, owner_id=user_id, now=now, limit=SHOWN_COMMITMENTS
            )
            meetings = store.planned_touchpoints(
                session=session, team_id=team_id, user_id=user_id, now=now, limit=SHOWN_MEETINGS
            )
            waiting = {"team_id": team_id, "user_id": user_id, "ask_key_prefix": ASK_KEY_PREFIX}
            surveys = [
                survey
                for survey in store.open_surveys(session=session, team_id=team_id, user_id=user_id)
                if survey.answered < survey.questions
            ]
            dashboard = HomeDashboard(
                team_id=team_id,
                user_id=user_id,
                now=now,
                tz=person_zone(session, team_id=team_id, user_id=user_id),
                partners=Shown(
                    _with_owners_away(session, team_id, user_id, partners, now),
                    partner_total,
                ),
                commitments=Shown(commitments, open_total),
                meetings=Shown(
                    [_meeting(found, user_id) for found in meetings],
                    store.planned_touchpoint_count(
                        session=session, team_id=team_id, user_id=user_id, now=now
                    ),
                ),
                checkins=Shown(
                    store.waiting_checkins(session=session, limit=SHOWN_CHECKINS, **waiting),
                    store.waiting_checkin_count(session=session, **waiting),
                ),
                surveys=Shown(surveys[:SHOWN_SURVEYS], len(surveys)),
                admin=self._admin_view(session, team_id) if admin else None,
                away=_away(session, team_id=team_id, user_id=user_id, now=now),
            )
        return self._with_health(dashboard)

    def _admin_view(self, session: Session, team_id: str) -> AdminView:
        # Lines, not rows: a survey's failed statements fold into its invitation's line.
        failed = latest_failures(session, team_id=team_id, lines=SHOWN_FAILED)
        return AdminView(
            failed=Shown(failed.latest, failed.total),
            no_partners=not has_partners(session=session, team_id=team_id),
        )

    def _with_health(self, dashboard: HomeDashboard) -> HomeDashboard:
        """The dashboard with each partner's health, those at risk first, and, for admins, the
        at-risk list."""
        if self.health is None:
            return dashboard
        team_id = dashboard.team_id
        every = dashboard.partners.items
        health = self.health.partner_health(
            team_id=team_id, partner_ids=[mine.partner.id for mine in every], tz=dashboard.tz
        )
        ranked = sorted(
            (replace(mine, health=health.get(mine.partner.id)) for mine in every),
            key=_attention,
        )
        partners = Shown(ranked[:SHOWN_PARTNERS], dashboard.partners.total)
        at_risk = sum(1 for mine in ranked if mine.health is not None and mine.health.at_risk)
        admin = dashboard.admin
        if admin is not None:
            admin = replace(
                admin,
                at_risk=self.health.at_risk(team_id=team_id, limit=SHOWN_AT_RISK, tz=dashboard.tz),
            )
        return replace(dashboard, partners=partners, partners_at_risk=at_risk, admin=admin)


def _attention(mine: MyPartner) -> tuple[int, int]:
    """The order of the person's partners (sorted stably from alphabetical): those at risk
    first, the worst score first; then the others; ended ones, which nobody follows, last."""
    health = mine.health
    if health is not None and health.at_risk:
        return (0, 101 if health.score is None else health.score)
    return (2 if mine.partner.status == PartnerStatus.ENDED else 1, 0)


def _with_owners_away(
    session: Session,
    team_id: str,
    user_id: str,
    partners: Sequence[TeamPartner],
    now: datetime,
) -> list[MyPartner]:
    """The person's partners, each with when its owner is back while they are away, and
    whether the person, its deputy and here, covers for them."""
    owners = {p.owner_id for p in partners if p.owner_id is not None and p.owner_id != user_id}
    away = absences_at(session=session, team_id=team_id, user_ids=owners, at=now)
    here = absence_at(session=session, team_id=team_id, user_id=user_id, at=now) is None
    gone = deactivated(session=session, team_id=team_id, user_ids=owners)
    found = []
    for partner in partners:
        owner_away = away.get(partner.owner_id or "")
        found.append(
            MyPartner(
                partner=partner,
                owner_away_until=owner_away.ends_at if owner_away is not None else None,
                you_cover=owner_away is not None and here and partner.role is TeamRole.DEPUTY,
                owner_gone=partner.owner_id in gone,
            )
        )
    return found


def _meeting(found: PlannedTouchpoint, user_id: str) -> PlannedMeeting:
    touch = Touch.of(found.touchpoint)
    return PlannedMeeting(
        partner_name=found.partner_name,
        touch=touch,
        on_your_partner=user_id not in touch.colleagues,
    )


def _away(session: Session, *, team_id: str, user_id: str, now: datetime) -> Away | None:
    current = absence_at(session=session, team_id=team_id, user_id=user_id, at=now)
    if current is None:
        return None
    return Away(until=current.ends_at, deputy_id=current.deputy_id)
