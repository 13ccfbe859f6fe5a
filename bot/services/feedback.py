"""What check-ins and pulse surveys share: working-day arithmetic, a workspace's feedback
settings, the partner as feedback sees it, Slack events handled once, and the messages the
services ask the Slack surface to word.

The services decide what to send and when; the wording and Block Kit live with the Slack surface
(`handlers.blocks.feedback`), handed to the services as a `FeedbackMessages`. That keeps the
dependency direction (handlers → services → storage) while planners, which run without a
request, can still queue finished messages.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.delivery.outbox import enqueue, withdraw
from bot.delivery.working_hours import WorkingHours, zone
from bot.services.channels import PassedOver
from storage import feedback as store
from storage import outbox as outbox_store
from storage import partners as partner_store
from storage.models import Partner, TeamMembership, TeamRole, Workspace
from storage.people import get_profile
from storage.workspaces import get_workspaces

if TYPE_CHECKING:
    from bot.services.checkins import CheckInCard, Debrief, ProblemAlert
    from bot.services.surveys import QuestionCard, RoundResults, SkippedRound, SurveyInvitation

Block = dict[str, Any]
# How long Slack may redeliver an event: receipts older than this are forgotten.
EVENT_MEMORY = timedelta(days=2)
DEFAULT_ANONYMITY = 3
TUESDAY = 1


@dataclass(frozen=True)
class Rendered:
    """A message as it will be sent: text (notifications, screen readers) and blocks."""

    text: str
    blocks: list[Block] = field(default_factory=list)


class FeedbackMessages(Protocol):
    """The wording of everything check-ins and surveys send (see `handlers.blocks.feedback`)."""

    def checkin(self, card: CheckInCard) -> Rendered: ...

    def checkin_reminder(self, card: CheckInCard) -> Rendered: ...

    def debrief_head(self, debrief: Debrief) -> Rendered: ...

    def debrief_line(self, debrief: Debrief) -> Rendered: ...

    def problem_alert(self, alert: ProblemAlert) -> Rendered: ...

    def survey_invitation(self, invitation: SurveyInvitation) -> Rendered: ...

    def survey_question(self, card: QuestionCard) -> Rendered: ...

    def survey_reminder(self, invitation: SurveyInvitation) -> Rendered: ...

    def survey_ended(self, partner_name: str) -> Rendered:
        """A survey's invitation or reminder, its round closed as its partnership ended."""
        ...

    def round_report(self, results: RoundResults) -> Rendered: ...

    def posted_instead(self, passed: Sequence[PassedOver], *, partner: str) -> Rendered:
        """Under results posted in the next channel because those `passed` over (the channel
        of `partner`, the coordination channel) refused Liaison: one note for all."""
        ...

    def round_skipped(self, skipped: SkippedRound) -> Rendered: ...


class Cadence(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    OFF = "off"

    @classmethod
    def stored(cls, text: str) -> Cadence:
        """A workspace's stored `pulse_cadence`; one that makes no sense is the default."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            return cls.MONTHLY


def effective_cadence(own: str | None, workspace: Cadence) -> Cadence:
    """A partner's pulse cadence: its own (`survey NAME CADENCE`), else the workspace's."""
    if own is None:
        return workspace
    try:
        return Cadence(own)
    except ValueError:
        return workspace


@dataclass(frozen=True)
class FeedbackSettings:
    """A workspace's settings as feedback uses them (the defaults where it has none)."""

    timezone: str = "UTC"
    hours: WorkingHours = field(default_factory=lambda: WorkingHours.of(None))
    checkin_delay_hours: int | None = None
    anonymity_threshold: int = DEFAULT_ANONYMITY
    cadence: Cadence = Cadence.MONTHLY
    coordination_channel: str | None = None


def settings_of(session: Session, *, team_id: str) -> FeedbackSettings:
    """The workspace's feedback settings."""
    return settings_from(get_workspaces(session=session, team_ids=[team_id]).get(team_id))


def settings_from(workspace: Workspace | None) -> FeedbackSettings:
    """The feedback settings of a workspace's settings row (None: it has none)."""
    if workspace is None:
        return FeedbackSettings()
    return FeedbackSettings(
        timezone=workspace.timezone,
        hours=WorkingHours.of(workspace),
        checkin_delay_hours=workspace.checkin_delay_hours,
        anonymity_threshold=max(1, workspace.anonymity_threshold),
        cadence=Cadence.stored(workspace.pulse_cadence),
        coordination_channel=workspace.coordination_channel,
    )


@dataclass(frozen=True)
class PartnerPeople:
    """A partner as feedback needs it: name, channel, and who is on its team in which role."""

    id: int
    name: str
    channel_id: str | None
    owner_id: str | None
    deputy_id: str | None
    members: tuple[str, ...]


def partner_people(session: Session, *, team_id: str, partner_id: int) -> PartnerPeople | None:
    """The partner's name, channel and team, or None when it is gone."""
    return partners_people(session, team_id=team_id, partner_ids=[partner_id]).get(partner_id)


def partners_people(
    session: Session, *, team_id: str, partner_ids: Collection[int]
) -> dict[int, PartnerPeople]:
    """`partner_people` of each partner of `partner_ids` not gone, by id: two queries however
    many."""
    partners = partner_store.get_partners(session=session, team_id=team_id, partner_ids=partner_ids)
    teams = partner_store.teams_of(session=session, team_id=team_id, partner_ids=list(partners))
    return {
        partner_id: _people_of(partner, teams.get(partner_id, []))
        for partner_id, partner in partners.items()
    }


def _people_of(partner: Partner, team: Sequence[TeamMembership]) -> PartnerPeople:
    assert partner.id is not None

    def holder(role: TeamRole) -> str | None:
        return next((m.user_id for m in team if m.role == role), None)

    return PartnerPeople(
        id=partner.id,
        name=partner.name,
        channel_id=partner.channel_id,
        owner_id=holder(TeamRole.OWNER),
        deputy_id=holder(TeamRole.DEPUTY),
        members=tuple(m.user_id for m in team if m.role == TeamRole.MEMBER),
    )


def each_workspace(
    engine: Engine, find_teams: Callable[..., list[str]]
) -> Iterator[tuple[Session, str, FeedbackSettings]]:
    """For a planner: each workspace `find_teams` names, in a transaction of its own that is
    committed when the caller moves on to the next (and rolled back if the caller fails)."""
    with Session(engine) as session:
        teams = find_teams(session=session)
    for team_id in teams:
        with Session(engine) as session:
            yield session, team_id, settings_of(session, team_id=team_id)
            session.commit()


def tz_of(session: Session, team_id: str, user_id: str) -> str | None:
    """A colleague's zone as cached from Slack, else the workspace's `config timezone`."""
    profile = get_profile(session=session, team_id=team_id, user_id=user_id)
    if profile is not None and profile.tz:
        return profile.tz
    return settings_of(session, team_id=team_id).timezone


def queue_dm(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    kind: str,
    message: Rendered,
    dedupe_key: str,
    due_at: datetime,
    expires_at: datetime | None = None,
    thread_of: str | None = None,
    edit_of: str | None = None,
    at_opening: bool = False,
) -> bool:
    """Queue a DM for the person's working hours (idempotent by `dedupe_key`); True if new.
    One `edit_of` a DM replaces that one in place (chat.update) once it is sent, at once: an
    edit notifies nobody. `at_opening`: `due_at` is the person's next working morning, spread
    over the window's first minutes (`bot.delivery.working_hours`)."""
    return enqueue(
        session,
        team_id=team_id,
        kind=kind,
        recipient_user=user_id,
        text=message.text,
        blocks=message.blocks,
        due_at=due_at,
        dedupe_key=dedupe_key,
        thread_of_dedupe_key=thread_of,
        edit_of_dedupe_key=edit_of,
        respect_working_hours=edit_of is None,
        at_opening=at_opening,
        expires_at=expires_at,
    )


# --- Working days -------------------------------------------------------------------------------


def _start_of(day: date, tz: str | None, hours: WorkingHours) -> datetime:
    return datetime.combine(day, time(hours.start_hour), tzinfo=zone(tz)).astimezone(UTC)


def next_working_morning(moment: datetime, *, tz: str | None, hours: WorkingHours) -> datetime:
    """The start of the first working window after `moment`, in the zone `tz`: a DM queued for
    it is queued `at_opening`, so that a morning's are spread (`bot.delivery.working_hours`)."""
    today = moment.astimezone(zone(tz)).date()
    for ahead in range(8):
        day = today + timedelta(days=ahead)
        if day.weekday() in hours.days and _start_of(day, tz, hours) > moment:
            return _start_of(day, tz, hours)
    raise AssertionError("a week always has a working day")  # WorkingHours.of guarantees it


def add_working_days(
    moment: datetime, days: int, *, tz: str | None, hours: WorkingHours
) -> datetime:
    """The same local time `days` working days after `moment`'s day, in the zone `tz`."""
    local = moment.astimezone(zone(tz))
    day, left = local.date(), days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() in hours.days:
            left -= 1
    return datetime.combine(day, local.time(), tzinfo=zone(tz)).astimezone(UTC)


def first_working_tuesday(year: int, month: int, hours: WorkingHours) -> date:
    """The month's first Tuesday, or its first working day where Tuesdays are not worked."""
    first = date(year, month, 1)
    wanted = TUESDAY if TUESDAY in hours.days else None
    for offset in range(31):
        day = first + timedelta(days=offset)
        if (wanted is None and day.weekday() in hours.days) or day.weekday() == wanted:
            return day
    raise AssertionError("a month always has a working day")


def day_start(day: date, *, tz: str | None, hours: WorkingHours) -> datetime:
    """When the working window opens on `day` in the zone `tz`."""
    return _start_of(day, tz, hours)


# --- Slack events handled once ------------------------------------------------------------------


def first_delivery(session: Session, *, team_id: str, event_id: str | None, now: datetime) -> bool:
    """True the first time an event is seen; False for Slack's retries of it (same event_id).

    Call inside the transaction that applies the event: if that rolls back, so does the receipt,
    and a retry is applied after all.
    """
    if not event_id:
        return True
    return store.claim_event(session=session, team_id=team_id, event_id=event_id, now=now)


def forget_old_events(engine: Engine, now: datetime) -> None:
    """Planner: drop receipts of events Slack can no longer retry."""
    before = now - EVENT_MEMORY
    with Session(engine) as session:
        for team_id in store.teams_with_event_receipts(session=session, before=before):
            store.forget_events(session=session, team_id=team_id, before=before)
        session.commit()


# Who is asked besides the team: colleagues in touch with the partner this recently.
AUDIENCE_LOOKBACK = timedelta(days=90)


def withdraw_unreached_surveys(
    session: Session, *, team_id: str, partner_id: int, user_ids: Collection[str], now: datetime
) -> None:
    """In the caller's transaction: colleagues just taken off a partner's team are not asked
    in its running round when their questions have not gone out yet (held for their working
    hours, or for their return), and leave its count. One already asked keeps the questions
    and may answer, but is not reminded of them (a reminder waiting to go is withdrawn; the
    round's reminders pass them over, `Surveys._remind`); one still in touch with the partner
    (a contact logged lately) is asked and reminded as anyone in touch is."""
    running = store.open_round(session=session, team_id=team_id, partner_id=partner_id)
    if running is None or running.id is None:
        return
    in_touch = set(
        store.recent_colleagues(
            session=session,
            team_id=team_id,
            partner_id=partner_id,
            since=running.started_at - AUDIENCE_LOOKBACK,
            until=now,
        )
    )
    leaving = [user for user in user_ids if user not in in_touch]
    for delivery in store.deliveries_to(
        session=session, team_id=team_id, round_id=running.id, user_ids=leaving
    ):
        # The invitation goes first, in the same slot as the questions: while it waits,
        # nothing of the round has reached them.
        invitation = f"survey:{delivery.id}:0"
        unsent = outbox_store.unsent_keys(
            session=session, team_id=team_id, user_id=delivery.user_id, kind="survey.invitation"
        )
        if invitation not in unsent:
            outbox_store.cancel_unsent(
                session=session,
                team_id=team_id,
                dedupe_key=f"survey:{delivery.id}:reminder",
                reason="taken off the team",
            )
            continue
        withdraw(session, team_id=team_id, key_prefix=f"survey:{delivery.id}:")
        store.drop_delivery(session=session, team_id=team_id, delivery=delivery)
