"""Stay in touch: how often someone should be in contact with each partner, a nudge to the owner
when a partner has been quiet for the ideal interval, and "dormant" once the maximum has passed.

Intervals, in days, come from the first of: the partner's own (`cadence NAME IDEAL MAX`, by
whoever may change the partner: its owner, its deputy or an admin), its status's (`cadence
status STATUS IDEAL MAX`, by an admin), or the defaults, 30 and 60. Paused and ended partners
are exempt: no nudge, never dormant.

The clock starts at the partner's last contact: any colleague's touchpoint resets it (the
touchpoint service keeps `Partner.last_contact_at`), and a partner never in touch counts from its
registration.

Nudges (`plan_nudges`, a planner): once a partner has been quiet for its ideal interval, its
owner (or whoever covers while the owner is away) gets one direct message, in their working
hours, with "Log a touchpoint" and "Snooze 2 weeks". One per quiet stretch: the dedupe key names
the partner and the contact the clock runs from, so a new touchpoint starts a new stretch; a
snooze silences the partner until it ends, then it is nudged once more if still quiet.

`dormant` lists the partners past their maximum: the weekly digest and `list dormant` read it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import Clock
from bot.dates import contact_day
from bot.delivery.absence import person_zone, recipient_for_owner_alert
from bot.delivery.outbox import enqueue
from bot.services.feedback import Rendered
from bot.services.registry import Actor, PartnerFacts, Registry, require_admin, require_editor
from bot.services.touchpoints import PartnerGone
from storage import commitments as store
from storage import partners as partner_store
from storage import people as people_store
from storage.commitments import CadenceRow
from storage.models import Partner, PartnerStatus

DEFAULT_IDEAL_DAYS = 30
DEFAULT_MAX_DAYS = 60
MAX_INTERVAL_DAYS = 730
SNOOZE = timedelta(days=14)
EXEMPT = frozenset({PartnerStatus.PAUSED, PartnerStatus.ENDED})
FOLLOWED = tuple(status for status in PartnerStatus if status not in EXEMPT)

# Message kind in the outbox.
NUDGE = "cadence_nudge"


class Source(StrEnum):
    PARTNER = "partner"
    STATUS = "status"
    DEFAULT = "default"


@dataclass(frozen=True)
class Intervals:
    """How often to be in touch, in days: a nudge at `ideal`, dormant at `max`."""

    ideal: int
    max: int
    source: Source


class Standing(StrEnum):
    EXEMPT = "exempt"  # paused or ended
    FINE = "fine"
    DUE = "due"  # quiet for the ideal interval: the owner is nudged
    DORMANT = "dormant"  # quiet for the maximum interval


@dataclass(frozen=True, kw_only=True)
class CadenceState:
    """Where a partner stands with staying in touch."""

    partner: PartnerFacts
    intervals: Intervals
    # The moment the clock runs from: the last contact, else the registration.
    since: datetime
    contacted: bool
    last_contact_by: str | None
    quiet_days: int
    standing: Standing
    snoozed_until: datetime | None
    # When it was read: whoever is shown it counts the days quiet on their own calendar.
    read_at: datetime | None = None
    # The owner has left Slack, as the profile cache (kept by user_change) says.
    owner_gone: bool = False

    def since_day(self, tz: tzinfo) -> date:
        """The day the clock runs from, read in `tz`: a last contact recorded without a time of
        day is on its author's day for every reader."""
        day_only = self.contacted and self.partner.last_contact_day_only
        return contact_day(self.since, day_only=day_only, tz=tz)

    @property
    def nudge_at(self) -> datetime:
        return self.since + timedelta(days=self.intervals.ideal)

    @property
    def dormant_at(self) -> datetime:
        return self.since + timedelta(days=self.intervals.max)


@dataclass(frozen=True, kw_only=True)
class Nudge:
    """To the owner (or whoever covers): a partner has been quiet for its ideal interval."""

    state: CadenceState
    recipient: str
    covering_for: str | None
    tz: ZoneInfo


class CadenceMessages(Protocol):
    """The wording of the nudge (`handlers.blocks.commitments`)."""

    def nudge(self, nudge: Nudge) -> Rendered: ...


class BadIntervals(Exception):
    """Intervals that make no sense; nothing was changed."""

    def __init__(self, ideal: int, maximum: int) -> None:
        super().__init__(f"bad intervals {ideal}/{maximum}")
        self.ideal = ideal
        self.maximum = maximum


class NotAllowedToSet(Exception):
    """Only those who may change the partner may set its cadence (only admins a status's)."""

    def __init__(self, partner: PartnerFacts | None) -> None:
        super().__init__("may not set the cadence")
        self.partner = partner


# --- Pure rules ---------------------------------------------------------------------------------


def check_intervals(ideal: int, maximum: int) -> None:
    """1 ≤ IDEAL < MAX ≤ 730 days."""
    if not 1 <= ideal < maximum <= MAX_INTERVAL_DAYS:
        raise BadIntervals(ideal, maximum)


def intervals_of(
    status: str, own: CadenceRow | None, by_status: dict[str, tuple[int, int]]
) -> Intervals:
    """The partner's own intervals, else its status's, else the defaults."""
    if own is not None and own.ideal_days is not None and own.max_days is not None:
        return Intervals(own.ideal_days, own.max_days, Source.PARTNER)
    if status in by_status:
        ideal, maximum = by_status[status]
        return Intervals(ideal, maximum, Source.STATUS)
    return Intervals(DEFAULT_IDEAL_DAYS, DEFAULT_MAX_DAYS, Source.DEFAULT)


def standing(status: str, intervals: Intervals, since: datetime, now: datetime) -> Standing:
    """Exempt when paused or ended; dormant past the maximum; due past the ideal."""
    if status in EXEMPT:
        return Standing.EXEMPT
    quiet = now - since
    if quiet >= timedelta(days=intervals.max):
        return Standing.DORMANT
    if quiet >= timedelta(days=intervals.ideal):
        return Standing.DUE
    return Standing.FINE


def nudge_key(partner_id: int, since: datetime, snoozed_until: datetime | None) -> str:
    """One nudge per quiet stretch, and one more after each snooze."""
    key = f"cadence:{partner_id}:{since:%Y%m%dT%H%M%S}"
    return key if snoozed_until is None else f"{key}:after:{snoozed_until:%Y%m%dT%H%M}"


# --- The service --------------------------------------------------------------------------------


class Cadences:
    """Stay-in-touch cadences of every workspace, over one database."""

    def __init__(
        self, *, engine: Engine, clock: Clock, registry: Registry, messages: CadenceMessages
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.registry = registry
        self.messages = messages

    # --- Reading -------------------------------------------------------------------------------

    def state(self, *, team_id: str, partner: str) -> CadenceState:
        """Where the partner `partner` names stands (raises UnknownPartner)."""
        with Session(self.engine) as session:
            found = self.registry.resolve(session, team_id=team_id, query=partner)
            return self._states(session, team_id, [found])[_id(found)]

    def states(
        self, *, team_id: str, partner_ids: Collection[int] | None = None
    ) -> dict[int, CadenceState]:
        """Where each partner stands (all the workspace's: None), by id."""
        with Session(self.engine) as session:
            return self.states_in(session, team_id=team_id, partner_ids=partner_ids)

    def states_in(
        self, session: Session, *, team_id: str, partner_ids: Collection[int] | None
    ) -> dict[int, CadenceState]:
        """As `states`, inside the caller's session (the export)."""
        if partner_ids is None:
            partners = partner_store.list_page(
                session=session,
                team_id=team_id,
                where=partner_store.ListFilter(),
                after=None,
                limit=1_000_000,
            )
        else:
            partners = list(
                partner_store.get_partners(
                    session=session, team_id=team_id, partner_ids=partner_ids
                ).values()
            )
        return self._states(session, team_id, partners)

    def dormant(self, *, team_id: str) -> list[CadenceState]:
        """Partners quiet for longer than their maximum interval, longest quiet first (paused and
        ended ones are exempt). For the weekly digest and `list dormant`."""
        now = self.clock.now()
        with Session(self.engine) as session:
            shortest = self._shortest(session, team_id, maximum=True)
            candidates = store.quiet_partners(
                session=session,
                team_id=team_id,
                statuses=FOLLOWED,
                quiet_since=now - timedelta(days=shortest),
            )
            states = self._states(session, team_id, candidates, now)
            found = [
                states[_id(partner)]
                for partner in candidates
                if states[_id(partner)].standing is Standing.DORMANT
            ]
            gone = people_store.deactivated(
                session=session, team_id=team_id, user_ids=[s.partner.owner_id for s in found]
            )
        return [replace(state, owner_gone=state.partner.owner_id in gone) for state in found]

    def zone(self, *, team_id: str, user_id: str) -> ZoneInfo:
        """A colleague's time zone, for the dates they are shown."""
        with Session(self.engine) as session:
            return person_zone(session, team_id=team_id, user_id=user_id)

    # --- Changing ------------------------------------------------------------------------------

    def set(self, *, actor: Actor, partner: str, ideal: int, maximum: int) -> CadenceState:
        """Set the partner's own intervals (as any change to the partner: `require_editor`)."""
        check_intervals(ideal, maximum)
        now = self.clock.now()
        with Session(self.engine) as session:
            found = self.registry.resolve(session, team_id=actor.team_id, query=partner)
            facts = self._facts(session, found)
            require_editor(session, actor, facts, now=now, refusal=NotAllowedToSet(facts))
            own = store.partner_cadences(
                session=session, team_id=actor.team_id, partner_ids=[_id(found)]
            ).get(_id(found))
            store.save_partner_cadence(
                session=session,
                team_id=actor.team_id,
                partner_id=_id(found),
                cadence=CadenceRow(
                    ideal_days=ideal,
                    max_days=maximum,
                    snoozed_until=None if own is None else own.snoozed_until,
                ),
                by=actor.user_id,
                at=now,
            )
            state = self._states(session, actor.team_id, [found])[_id(found)]
            session.commit()
        return state

    def set_for_status(
        self, *, actor: Actor, status: PartnerStatus, ideal: int, maximum: int
    ) -> Intervals:
        """Set the intervals of every partner of `status` without its own (admins)."""
        check_intervals(ideal, maximum)
        with Session(self.engine) as session:
            require_admin(session, actor, now=self.clock.now(), refusal=NotAllowedToSet(None))
            store.save_status_cadence(
                session=session,
                team_id=actor.team_id,
                status=status,
                ideal_days=ideal,
                max_days=maximum,
                by=actor.user_id,
                at=self.clock.now(),
            )
            session.commit()
        return Intervals(ideal, maximum, Source.STATUS)

    def snooze(self, *, actor: Actor, partner_id: int) -> CadenceState:
        """No nudge about the partner for two weeks (whoever was nudged may snooze it)."""
        now = self.clock.now()
        with Session(self.engine) as session:
            found = partner_store.get_partner(
                session=session, team_id=actor.team_id, partner_id=partner_id
            )
            if found is None:
                raise PartnerGone()
            own = store.partner_cadences(
                session=session, team_id=actor.team_id, partner_ids=[partner_id]
            ).get(partner_id)
            store.save_partner_cadence(
                session=session,
                team_id=actor.team_id,
                partner_id=partner_id,
                cadence=CadenceRow(
                    ideal_days=None if own is None else own.ideal_days,
                    max_days=None if own is None else own.max_days,
                    snoozed_until=now + SNOOZE,
                ),
                by=actor.user_id,
                at=now,
            )
            state = self._states(session, actor.team_id, [found])[partner_id]
            session.commit()
        return state

    # --- The planner ---------------------------------------------------------------------------

    def plan_nudges(self, *, now: datetime) -> int:
        """Queue a nudge for every partner quiet for its ideal interval (idempotently); returns
        how many were new."""
        queued = 0
        with Session(self.engine) as session:
            teams = store.workspaces_with_partners(session=session)
        for team_id in teams:
            with Session(self.engine) as session:
                shortest = self._shortest(session, team_id, maximum=False)
                candidates = store.quiet_partners(
                    session=session,
                    team_id=team_id,
                    statuses=FOLLOWED,
                    quiet_since=now - timedelta(days=shortest),
                )
                for state in self._states(session, team_id, candidates, now).values():
                    queued += self._nudge(session, team_id, state, now)
                session.commit()
        return queued

    def _nudge(self, session: Session, team_id: str, state: CadenceState, now: datetime) -> int:
        owner = state.partner.owner_id
        if state.standing not in (Standing.DUE, Standing.DORMANT) or owner is None:
            return 0
        snoozed = state.snoozed_until
        if snoozed is not None and snoozed > now:
            return 0
        if snoozed is not None and snoozed <= state.since:
            snoozed = None  # a snooze from an earlier quiet stretch
        recipient = recipient_for_owner_alert(
            session,
            team_id=team_id,
            owner_id=owner,
            partner_deputy_id=state.partner.deputy_id,
            now=now,
        )
        nudge = Nudge(
            state=state,
            recipient=recipient,
            covering_for=None if recipient == owner else owner,
            tz=person_zone(session, team_id=team_id, user_id=recipient),
        )
        message = self.messages.nudge(nudge)
        return int(
            enqueue(
                session,
                team_id=team_id,
                kind=NUDGE,
                recipient_user=recipient,
                text=message.text,
                blocks=message.blocks,
                due_at=now,
                dedupe_key=nudge_key(state.partner.id, state.since, snoozed),
                respect_working_hours=True,
            )
        )

    # --- Internals -----------------------------------------------------------------------------

    def _states(
        self,
        session: Session,
        team_id: str,
        partners: Collection[Partner],
        now: datetime | None = None,
    ) -> dict[int, CadenceState]:
        now = now or self.clock.now()
        ids = [_id(partner) for partner in partners]
        own = store.partner_cadences(session=session, team_id=team_id, partner_ids=ids)
        by_status = store.status_cadences(session=session, team_id=team_id)
        facts = {
            found.id: found
            for found in self.registry.facts_of(session, team_id=team_id, partners=list(partners))
        }
        states: dict[int, CadenceState] = {}
        for partner in partners:
            intervals = intervals_of(partner.status, own.get(_id(partner)), by_status)
            since = partner.last_contact_at or partner.created_at
            row = own.get(_id(partner))
            states[_id(partner)] = CadenceState(
                partner=facts[_id(partner)],
                intervals=intervals,
                since=since,
                contacted=partner.last_contact_at is not None,
                last_contact_by=partner.last_contact_by,
                quiet_days=max(0, (now.date() - since.date()).days),
                standing=standing(partner.status, intervals, since, now),
                snoozed_until=None if row is None else row.snoozed_until,
                read_at=now,
            )
        return states

    def _shortest(self, session: Session, team_id: str, *, maximum: bool) -> int:
        """The shortest ideal (or maximum) interval any partner of the workspace has."""
        choices = [DEFAULT_MAX_DAYS if maximum else DEFAULT_IDEAL_DAYS]
        for ideal, most in store.status_cadences(session=session, team_id=team_id).values():
            choices.append(most if maximum else ideal)
        for row in store.partner_cadences(
            session=session, team_id=team_id, partner_ids=None
        ).values():
            value = row.max_days if maximum else row.ideal_days
            if value is not None:
                choices.append(value)
        return min(choices)

    def _facts(self, session: Session, partner: Partner) -> PartnerFacts:
        team = partner_store.team_of(
            session=session, team_id=partner.team_id, partner_id=_id(partner)
        )
        return self.registry.facts(partner, team)


def _id(partner: Partner) -> int:
    assert partner.id is not None, "partner was not flushed"
    return partner.id
