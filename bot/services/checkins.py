"""Check-ins after meetings: each colleague who took part in a meeting, call or event is asked
how it went, in their own working hours, and the answers reach the partner's owner.

Derived, not triggered: a planner finds meetings, calls and events that happened (or planned
ones whose time has passed) without check-ins and creates them, one per colleague (author and
participants), idempotently. Each is asked after the workspace's `checkin_delay_hours` or, by
default, on the colleague's next working morning (their time zone; its `due_at` the window's
start, the question spread over the window's first minutes by person, as the outbox spreads
what waits for the morning: `bot.delivery.working_hours`); reminded once after one
working day without an answer (one still waiting to go when the answer comes is withdrawn); and
closed quietly one working day after the reminder. Working days are the person's, their time
away not counted (`bot.delivery.working_days`): a day they spend away does not count, one they
are at work even in part does, and `away` and `back` time again what is queued. A person away
when it is due gets it when back; a question unsent after three of its person's working days
lapses.

One question per person and meeting (the rule; `_same_day_rule` applies it). Every meeting,
call or event is asked about, however many a colleague has on one day, but one recorded twice
is asked about once: of a partner's touchpoints of one kind (meeting, call, event) on one day
(the person's local day, or for a contact recorded without a time, that day itself), a plan
and a log, or two that different colleagues recorded when either names the other as taking
part, are taken for one meeting (`recorded_again`); two plans, or two logs, of one colleague's
are two meetings, and so are two colleagues' that do not name each other. So a planned meeting
that is also logged, a meeting that two colleagues both log, or a plan and its log at different
hours, are one question for each person, while two meetings planned with one partner for the
morning and the afternoon are two, and so are Ana's and Ben's meetings with it that Dan went to
with each. The question about a log replaces the one about the
plan it stands for (the nearest in time) as long as the latter has not gone out (a log says
the meeting happened, so Didn't happen and Moved to… are not offered); otherwise the first
question stands. A question not asked because of the rule is kept as a superseded check-in,
never sent, so the planner decides it once.

Answers: Went well, Mixed or Problem (plus Didn't happen and Moved to… for planned meetings),
and a note. The first answer may be changed for `CHANGE_WINDOW`; a change replaces the answer,
never adds one. Every answer and note is a reply in one debrief thread per meeting in the
owner's DMs; a note given before its answer's reply has gone out is in that reply, not one of
its own (a Problem's reply waits `PROBLEM_NOTE_WAIT` for it), and a note's own reply waits
`NOTE_SETTLE` so that the lines added meanwhile go in it too. An answer given or changed before
the latest reply has gone out replaces that reply, saying both (`_fold_reply`).
A Problem also alerts the owner (or whoever covers while the owner is away) at the first
moment inside their working hours, with the note: at once when the note is given, else after
`PROBLEM_NOTE_WAIT`, the time the form asking for it is given. A note given (or changed) after
the alert was queued reaches whoever the alert reaches: in the alert while it waits, else (a
deputy's) as a reply in its thread, as does a change of answer; an alert still waiting when the
answer becomes another is withdrawn.

Didn't happen, answered by the meeting's author, cancels the planned meeting: it stays on record
(and in `check`, marked so), but counts as no contact any more: no collisions with it
(`bot.collisions`, rule 1), not the partner's last contact (the latest other one takes its
place), not in health or the digest. An alert already posted about it stands. Changing the
answer puts the meeting back, and the collision rules run again for it as for a contact just
recorded: contacts colleagues recorded near it meanwhile are alerted (pairs found before are not).

Moved to… moves the meeting for everyone: the planned touchpoint takes the new date (so `check`,
the App Home and collision checks see it), the other colleagues' open check-ins about the old
date close quietly (superseded; one already sent is updated in place to say where the meeting
went), and everyone on it is asked after the new date. A Moved answer is changed only by moving
it again; how the meeting went is the question after the new date.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cached_property, partial
from typing import TYPE_CHECKING, Protocol

from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import Clock
from bot.dates import contact_day
from bot.delivery.absence import absence_when_reached, recipient_for_owner_alert
from bot.delivery.outbox import Schedule, schedule_from
from bot.delivery.working_days import working_days_of
from bot.delivery.working_hours import zone
from bot.mrkdwn import as_typed, mentioned
from bot.runtime import Runtime
from bot.services import surveys as survey_service
from bot.services.feedback import (
    FeedbackMessages,
    FeedbackSettings,
    PartnerPeople,
    each_workspace,
    first_delivery,
    next_working_morning,
    partner_people,
    partners_people,
    queue_dm,
    settings_from,
    settings_of,
    tz_of,
)
from bot.services.registry import (
    Actor,
    DeputyChange,
    Handover,
    Merged,
    PartnerFacts,
    Renamed,
)
from storage import feedback as store
from storage import outbox as outbox_store
from storage import partners as partner_store
from storage import touchpoints as touchpoint_store
from storage.models import (
    CheckIn,
    CheckInAnswer,
    CheckInStatus,
    OutboxMessage,
    OutboxStatus,
    PartnerStatus,
    TouchpointKind,
    UserProfile,
    Workspace,
)
from storage.people import get_profile
from storage.workspaces import get_workspaces

if TYPE_CHECKING:
    from bot.scheduler import PlannerRegistry

    # Touchpoints imports this module (`recorded_again`): only its type is named here.
    from bot.services.touchpoints import PlanChange, Touchpoints

# What `CheckIns.ask_about` answers, for the handlers to name without reaching storage.
MadeMeeting = store.MadeMeeting

logger = logging.getLogger(__name__)

# Meetings further back than this get no check-in (a meeting logged long after the fact, or
# history from before check-ins existed).
HORIZON = timedelta(days=14)
# A question still unsent this many of its person's working days after it fell due is dropped,
# and so is a reminder after one; the reminder comes, and the check-in closes, one working day
# after the question and the reminder went (days off and time away don't count:
# `bot.delivery.working_days`, timed again when the person goes away or comes back).
ASK_WORKING_DAYS = 3
REMINDER_WORKING_DAYS = 1
CHANGE_WINDOW = timedelta(hours=24)
# A note with an answer, as long as its column holds.
MAX_NOTE = 3000
PROBLEM_NOTE_WAIT = timedelta(minutes=10)
# A note's own reply in the owner's debrief thread waits this long before it goes: people type
# a note as a few short replies in the check-in's thread (or edit it again at once), and each
# line folded into the waiting reply (`_fold_note`) gives the owner one message with the note
# as it ends up, not one message per line, each repeating the whole note.
NOTE_SETTLE = timedelta(minutes=3)
# Check-ins this far either side of a meeting may be on its day in some time zone.
DAY_SPAN = timedelta(days=2)
PLANNED_ONLY = frozenset({CheckInAnswer.DIDNT_HAPPEN, CheckInAnswer.MOVED})


class NoCheckIn(StrEnum):
    """Why a contact just logged gets no check-in (`no_checkin`)."""

    # Logged without `via`: a contact, perhaps a message; only meetings, calls and events are.
    NOT_A_MEETING = "not_a_meeting"
    # Further back than `HORIZON`.
    TOO_LONG_AGO = "too_long_ago"


def no_checkin(
    *, kind: TouchpointKind, medium: str | None, at: datetime, now: datetime
) -> NoCheckIn | None:
    """Why a contact logged now gets no check-in, if it gets none; None for a meeting, call or
    event the planner will ask about (and for an email: nobody expects one)."""
    if kind is not TouchpointKind.DONE or medium not in (None, *store.ASKED_MEDIA):
        return None
    if at < now - HORIZON:
        return NoCheckIn.TOO_LONG_AGO
    return NoCheckIn.NOT_A_MEETING if medium is None else None


# --- What the service answers -------------------------------------------------------------------


@dataclass(frozen=True)
class CheckInCard:
    """A check-in as its recipient sees it: the question, or their answer."""

    checkin_id: int
    partner_name: str
    medium: str
    meeting_at: datetime
    tz: str | None
    planned: bool
    author_id: str
    recipient_id: str
    # The partner's owner, whom answers are passed on to (None: nobody owns it).
    owner_id: str | None
    answer: CheckInAnswer | None
    note: str | None
    moved_to: datetime | None
    expired: bool
    # Until when the answer may be changed (None: not answered yet).
    changeable_until: datetime | None
    # Closed unanswered: the person is asked about the meeting elsewhere (`moved_to`: after
    # its new date).
    superseded: bool = False
    # The owner is away as the card reaches its recipient: the answer waits for their return,
    # and a Problem goes to `problem_to`, who covers for them (None: nobody does, it waits too).
    owner_away: bool = False
    problem_to: str | None = None
    # When the owner away is back: the end of their time away, in their zone.
    owner_back: datetime | None = None
    # With no `problem_to`: those who do cover for the owner (the partner's deputy, the deputy
    # of the time away), whom a Problem would reach only once the owner is back (their working
    # hours, or their own time away, come after), so it waits for the owner.
    late_covers: tuple[str, ...] = ()
    # `problem_to` is away too as the alert would reach them (a cover back before the owner):
    # the end of their time away, in their zone; the alert waits for them until then.
    problem_to_back: datetime | None = None
    # The recipient recorded the same meeting too (`recorded_again`): "planned" or "logged".
    recipient_recorded: str | None = None
    # The meeting was recorded without a time of day: it is on the day its author named, in
    # every reader's zone (`meeting_day`).
    day_only: bool = False
    # Show the buttons again (after "Change").
    editing: bool = False
    # Answered, and `changeable_until` has passed as the card is shown: no more changes.
    settled: bool = False
    # The note as its person typed it, for the note form to show (`note_as_typed`): a mention
    # is `@name`, a link what it showed.
    typed_note: str | None = None

    @property
    def closed(self) -> bool:
        """Nothing more may be answered or noted on it."""
        return self.expired or self.superseded or self.settled


@dataclass(frozen=True)
class Debrief:
    """One answer or note in the owner's debrief thread about a meeting (and its head)."""

    touchpoint_id: int
    partner_name: str
    medium: str
    meeting_at: datetime
    tz: str | None
    author_id: str
    user_id: str
    answer: CheckInAnswer | None
    note: str | None
    moved_to: datetime | None
    # The answer replaced an earlier one.
    changed: bool
    # A planned meeting (its author planned it) rather than one logged after the fact.
    planned: bool = False
    # Only the note is new: the answer stands as it was.
    noted: bool = False
    # The note was kept before the answer changed to this one: written with an earlier answer
    # (a Problem's "angry" under Went well), and said so.
    note_earlier: bool = False
    # Recorded without a time of day (as `CheckInCard.day_only`).
    day_only: bool = False


@dataclass(frozen=True)
class ProblemAlert:
    """A Problem answer, for the owner or whoever covers for them."""

    partner_name: str
    medium: str
    meeting_at: datetime
    tz: str | None
    user_id: str
    note: str | None
    owner_id: str
    covering: bool
    # Recorded without a time of day (as `CheckInCard.day_only`).
    day_only: bool = False


@dataclass(frozen=True)
class Where:
    """A message Slack showed the check-in in."""

    channel: str
    ts: str


@dataclass(frozen=True)
class CheckInUpdate:
    """A check-in after a change, and every message that shows it (to update in place)."""

    card: CheckInCard
    shown_in: tuple[Where, ...]
    # Other people's check-ins the change closed (a meeting moved), to update in place too.
    closed: tuple[CheckInUpdate, ...] = ()


class ReplyOutcome(StrEnum):
    """What a person's reply in the thread of their check-in card did (`note_from_reply`)."""

    # The words are the check-in's note now (it had none).
    KEPT = "kept"
    # Added on a line of their own after the note the check-in had.
    ADDED = "added"
    # With them the note would be longer than `MAX_NOTE`: nothing was kept.
    TOO_LONG = "too_long"
    # The check-in is closed (settled, expired, superseded): nothing was kept.
    CLOSED = "closed"
    # Slack's retry of a reply already taken: nothing to do, nothing to say.
    REPEATED = "repeated"
    # A file shared without words: a note keeps words only, so nothing was kept.
    FILE_ONLY = "file_only"


@dataclass(frozen=True)
class ReplyNoted:
    """A reply in a check-in's thread, taken as its note (or refused as too long)."""

    outcome: ReplyOutcome
    card: CheckInCard | None = None
    # KEPT and ADDED: the check-in now, and every message that shows it.
    update: CheckInUpdate | None = None
    # TOO_LONG: how long the note would have been.
    length: int = 0
    # CLOSED: since when (when it closed, or when its answer settled), if known.
    closed_at: datetime | None = None


@dataclass(frozen=True)
class ProblemThread:
    """A reply in the thread of a Problem's alert: who reported the Problem."""

    reporter_id: str
    repeated: bool = False  # Slack's retry of a reply already answered


class CheckInError(Exception):
    """An answer that cannot be taken; nothing was changed."""


class CheckInGone(CheckInError):
    """The check-in (or its meeting) no longer exists."""


class NotYourCheckIn(CheckInError):
    pass


class CheckInClosed(CheckInError):
    """Expired unanswered, or answered more than `CHANGE_WINDOW` ago; `card` shows it."""

    def __init__(self, card: CheckInCard) -> None:
        super().__init__("the check-in is closed")
        self.card = card


class NotPlanned(CheckInError):
    """Didn't happen / Moved to… for a meeting that was logged as done."""


class NotMoved(CheckInError):
    """Moved to… the day the meeting was planned for."""


class MovedToPast(CheckInError):
    """Moved to… a day that has passed (for the person moving it): a meeting moves ahead."""


class NoteTooLong(CheckInError):
    """A note longer than `MAX_NOTE`: Slack's form caps it, but counts otherwise (UTF-16
    units, not characters), and a request need not come from Slack's client at all."""

    def __init__(self, length: int) -> None:
        super().__init__(f"a note of {length} characters")
        self.length = length


class AlreadyMoved(CheckInError):
    """Another answer than Moved to a meeting this check-in moved: it is asked after its new
    date."""


# --- Pure rules ---------------------------------------------------------------------------------

# A mention of a person or a channel, as Slack sends it in a message's text (with its name, or
# without one as in a message typed in a thread).
_MENTION = re.compile(r"<(?P<target>[@#][UWCG][A-Z0-9]+)(?:\|(?P<label>[^<>|]*))?>")
# A link whose label is not its address (`<https://x.org/a|the draft>`), as a formatted link
# typed in a message arrives.
_LABELLED_LINK = re.compile(r"<(?P<target>(?:https?://|mailto:)[^<>|\s]+)\|(?P<label>[^<>|]+)>")


def words_of_reply(text: str) -> str:
    """A reply typed in a check-in's thread (Slack's entities already undone) as a note keeps
    it: as Slack sent it, mentions and links included (`bot.mrkdwn` shows them), but for a link
    whose label hides its address, which is kept as `label (address)` so that every place
    shows where it leads and the note form shows what was typed."""

    def shown(found: re.Match[str]) -> str:
        target, label = found["target"], found["label"].strip()
        address = target.removeprefix("mailto:")
        if label in (target, address, address.split("://", 1)[-1].rstrip("/")):
            return found.group()
        return f"{label} ({address})"

    return _LABELLED_LINK.sub(shown, text).strip()


def note_with_reply(note: str | None, was: str, now: str | None) -> tuple[bool, str | None]:
    """The note with the lines a reply put in it (`was`) as the reply reads now (`now`; None:
    deleted), and True; or the note unchanged and False when those lines are not in it any
    more as the reply put them (the note form changed them)."""
    lines, old = (note or "").split("\n"), was.split("\n")
    for start in range(len(lines) - len(old) + 1):
        if lines[start : start + len(old)] == old:
            new = [] if now is None else now.split("\n")
            return True, "\n".join(lines[:start] + new + lines[start + len(old) :]).strip() or None
    return False, note


def note_as_typed(note: str | None, names: Mapping[str, str]) -> str | None:
    """The note as its person typed it, for the note form: a mention as `@name` (by user id in
    `names`, the profile cache's), and the rest of Slack's markup as `bot.mrkdwn.as_typed`
    shows it (a link as what it showed)."""
    if note is None:
        return None

    def named(found: re.Match[str]) -> str:
        name = names.get(found["target"][1:])
        return f"<{found['target']}|{name}>" if name and not found["label"] else found.group()

    return as_typed(_MENTION.sub(named, note))


def with_mentions(typed: str, earlier: str | None, names: Mapping[str, str]) -> str:
    """A note saved from the form (`typed`), with the mentions of people and channels the note
    had (`earlier`) that it still names as the form showed them (`note_as_typed`) back as
    mentions: a note edited in the form keeps naming those people, as it did."""
    if not earlier:
        return typed
    shown = {}
    for found in _MENTION.finditer(earlier):
        as_shown = note_as_typed(found.group(), names)
        if as_shown and as_shown not in ("@", "#"):
            shown[as_shown] = found.group()
    if not shown:
        return typed
    # One pass, longest first: `@Dan Smith` before `@Dan`, and no mention made twice.
    names_shown = "|".join(map(re.escape, sorted(shown, key=len, reverse=True)))
    return re.sub(f"(?<!<)(?:{names_shown})(?!\\w)", lambda found: shown[found.group()], typed)


def due_time(reference: datetime, *, tz: str | None, settings: FeedbackSettings) -> datetime:
    """When a check-in about a meeting at `reference` is due: after the workspace's delay, or
    on the next working morning in the person's zone."""
    if settings.checkin_delay_hours is None:
        return next_working_morning(reference, tz=tz, hours=settings.hours)
    return reference + timedelta(hours=max(0, settings.checkin_delay_hours))


def moved_moment(meeting_at: datetime, new_day: date, tz: str | None) -> datetime:
    """The meeting's local time of day on `new_day`."""
    local = meeting_at.astimezone(zone(tz))
    return datetime.combine(new_day, local.time(), tzinfo=zone(tz)).astimezone(meeting_at.tzinfo)


def meeting_day(at: datetime, *, day_only: bool, tz: str | None) -> date:
    """The day a meeting is on for a person in `tz` (one recorded without a time of day is on
    its own day for everyone: `contact_day`)."""
    return contact_day(at, day_only=day_only, tz=zone(tz))


class Recorded(Protocol):
    """One colleague's record of a contact with a partner (a check-in's meeting, or a
    touchpoint), as `recorded_again` reads it."""

    @property
    def author_id(self) -> str: ...
    @property
    def medium(self) -> str: ...
    @property
    def planned(self) -> bool: ...
    @property
    def colleagues(self) -> Sequence[str]: ...


def recorded_again(found: Recorded, touchpoint: Recorded) -> bool:
    """Whether a touchpoint on the day of another record of a contact with the same partner
    (a person's check-in, or another touchpoint) may be the same contact recorded again: a plan
    and a log of it, or one that two colleagues each recorded, of the same kind (meeting, call,
    event), when either says the other took part. Two that one colleague recorded alike (two
    plans, or two logs) are two contacts, and so are a meeting and a call, and two colleagues'
    that do not name each other: the person asked went to each with someone else (QA: one of
    the two went unasked)."""
    if found.medium != touchpoint.medium:
        return False
    if found.author_id == touchpoint.author_id:
        return found.planned != touchpoint.planned
    return found.author_id in touchpoint.colleagues or touchpoint.author_id in found.colleagues


def _back_from_away(known: _Known, user_id: str, at: datetime) -> datetime | None:
    """When `user_id`, away as a DM queued for them at `at` would reach them, is back: the end
    of their time away (and of any that follows it, as the dispatcher holds the DM), in their
    zone; None when they are not away then."""
    schedule = known.schedule(user_id)
    ends = None
    while (
        absence := absence_when_reached(
            known.session, team_id=known.team_id, user_id=user_id, now=at, schedule=schedule
        )
    ) is not None:
        ends = at = absence.ends_at
    return None if ends is None else ends.astimezone(zone(known.tz(user_id)))


def _recorded_too(
    session: Session,
    team_id: str,
    touchpoint: store.AskedTouchpoint,
    user_id: str,
    *,
    tz: str | None,
) -> str | None:
    """Whether `user_id`, asked about another colleague's record of a meeting, recorded the
    same meeting too (`recorded_again`, on its day for them): "planned" or "logged", else None.
    Their own record was asked about in this one's place, so the card says it stands for both
    (QA21a NIT 6)."""
    if touchpoint.author_id == user_id:
        return None
    day = meeting_day(touchpoint.at, day_only=touchpoint.day_only, tz=tz)
    for found in store.recorded_by(
        session=session,
        team_id=team_id,
        author_id=user_id,
        partner_id=touchpoint.partner_id,
        start=touchpoint.at - DAY_SPAN,
        end=touchpoint.at + DAY_SPAN,
    ):
        if meeting_day(found.at, day_only=found.day_only, tz=tz) == day and recorded_again(
            found, touchpoint
        ):
            return "planned" if found.planned else "logged"
    return None


def meetings_recorded_again(
    touchpoints: Sequence[store.AskedTouchpoint], *, tz: str | None
) -> dict[int, int]:
    """Per partner, how many of `touchpoints` (oldest first) record again a contact an earlier
    one records, on its day in `tz` (`recorded_again`): what a count of meetings leaves out, so
    that a meeting both participants logged counts once, as it is asked about once."""
    earlier: dict[tuple[int, date], list[store.AskedTouchpoint]] = {}
    again: dict[int, int] = {}
    for touchpoint in touchpoints:
        day = meeting_day(touchpoint.at, day_only=touchpoint.day_only, tz=tz)
        same_day = earlier.setdefault((touchpoint.partner_id, day), [])
        if any(recorded_again(found, touchpoint) for found in same_day):
            again[touchpoint.partner_id] = again.get(touchpoint.partner_id, 0) + 1
        same_day.append(touchpoint)
    return again


def day_zone(touchpoint: store.AskedTouchpoint, tz: str | None) -> str | None:
    """The zone a person reads the touchpoint's day in (`meeting_day`)."""
    return "UTC" if touchpoint.day_only else tz


# --- The service --------------------------------------------------------------------------------


class _Known:
    """What making check-in cards reads again and again, each read once for as long as this
    lives: the workspace's settings, each person's profile (zone and schedule), each partner's
    people and each meeting. One lives for one card, or for one pass over the cards
    `reword_waiting` words again, in its transaction: hundreds of cards name the same few
    people, partners and settings. Never kept beyond that: what it read may change after."""

    def __init__(self, session: Session, team_id: str) -> None:
        self.session = session
        self.team_id = team_id
        self._profiles: dict[str, UserProfile | None] = {}
        self._partners: dict[int, PartnerPeople | None] = {}
        self._touchpoints: dict[int, store.AskedTouchpoint | None] = {}

    @cached_property
    def workspace(self) -> Workspace | None:
        return get_workspaces(session=self.session, team_ids=[self.team_id]).get(self.team_id)

    @cached_property
    def settings(self) -> FeedbackSettings:
        return settings_from(self.workspace)

    def profile(self, user_id: str) -> UserProfile | None:
        if user_id not in self._profiles:
            self._profiles[user_id] = get_profile(
                session=self.session, team_id=self.team_id, user_id=user_id
            )
        return self._profiles[user_id]

    def schedule(self, user_id: str) -> Schedule:
        """As `schedule_of` reads it."""
        return schedule_from(self.profile(user_id), self.workspace)

    def tz(self, user_id: str) -> str | None:
        """As `tz_of` reads it."""
        profile = self.profile(user_id)
        return profile.tz if profile is not None and profile.tz else self.settings.timezone

    def partner(self, partner_id: int) -> PartnerPeople | None:
        if partner_id not in self._partners:
            self._partners[partner_id] = partner_people(
                self.session, team_id=self.team_id, partner_id=partner_id
            )
        return self._partners[partner_id]

    def read_meetings(self, checkins: Sequence[CheckIn]) -> None:
        """Read the meetings of `checkins` and their partners' people at once (four queries,
        not four a card)."""
        ids = {checkin.touchpoint_id for checkin in checkins} - self._touchpoints.keys()
        found = store.get_touchpoints(
            session=self.session, team_id=self.team_id, touchpoint_ids=ids
        )
        self._touchpoints.update({touchpoint_id: found.get(touchpoint_id) for touchpoint_id in ids})
        partner_ids = {t.partner_id for t in found.values()} - self._partners.keys()
        people = partners_people(self.session, team_id=self.team_id, partner_ids=partner_ids)
        self._partners.update({partner_id: people.get(partner_id) for partner_id in partner_ids})

    def touchpoint(self, touchpoint_id: int) -> store.AskedTouchpoint | None:
        if touchpoint_id not in self._touchpoints:
            self._touchpoints[touchpoint_id] = store.get_touchpoint(
                session=self.session, team_id=self.team_id, touchpoint_id=touchpoint_id
            )
        return self._touchpoints[touchpoint_id]


class CheckIns:
    """Check-ins of every workspace, over one database."""

    def __init__(self, *, engine: Engine, clock: Clock, messages: FeedbackMessages) -> None:
        self.engine = engine
        self.clock = clock
        self.messages = messages

    # --- Answers ---------------------------------------------------------------------------------

    def ask_about(self, *, team_id: str, user_id: str, touchpoint_id: int) -> store.MadeMeeting:
        """ "It was a meeting" on a contact logged without `via`: it becomes a meeting, so the
        planner asks everyone who took part how it went (MADE); otherwise why not: it was one
        already, or has another medium, or the person took no part in it, or it is gone."""
        with Session(self.engine) as session:
            changed = store.make_meeting(
                session=session, team_id=team_id, touchpoint_id=touchpoint_id, user_id=user_id
            )
            session.commit()
        return changed

    def card(self, *, team_id: str, user_id: str, checkin_id: int) -> CheckInCard:
        """The check-in as its recipient sees it now (for the note and move forms)."""
        with Session(self.engine) as session:
            checkin = self._own(session, team_id, user_id, checkin_id, lock=False)
            return self._card(session, checkin, self.clock.now())

    def answer(
        self,
        *,
        team_id: str,
        user_id: str,
        checkin_id: int,
        answer: CheckInAnswer,
        then: Callable[[Session, int], None] | None = None,
        dropped: Callable[[Session, int], None] | None = None,
    ) -> CheckInUpdate:
        """Record (or change) the answer; the same answer again changes nothing. The author's
        Didn't happen takes their planned meeting out of the contacts (and `dropped` gets the
        session and the touchpoint), and changing it puts the meeting back (`_happened`): then
        `then` gets them, in the same transaction (the collision rules run again, as for a
        contact just recorded)."""
        now = self.clock.now()
        with Session(self.engine) as session:
            # The meeting may stop (or start again) counting as its partner's contact: this
            # takes turns with recordings about the partner, as a move does.
            self._lock_partner_of(session, team_id, checkin_id)
            checkin = self._changeable(session, team_id, user_id, checkin_id, now)
            if answer in PLANNED_ONLY and not checkin.planned:
                raise NotPlanned()
            if checkin.answer == CheckInAnswer.MOVED and answer != CheckInAnswer.MOVED:
                raise AlreadyMoved()
            if checkin.answer != answer or answer == CheckInAnswer.MOVED:
                changed = checkin.answer is not None
                was = None if checkin.answer is None else CheckInAnswer(checkin.answer)
                earlier = bool(checkin.note) and was not in (None, answer)
                self._set(session, checkin, answer=answer, now=now)
                session.add(checkin)
                self._debrief(session, checkin, changed=changed, note_earlier=earlier)
                if checkin.problem_alerted_at is not None:
                    self._tell_alerted(session, checkin, now, changed=True, note_earlier=earlier)
                touched = self._happened(
                    session, checkin, was=was, now=now, then=then, dropped=dropped
                )
                update = self._update(session, checkin, now)
                # The colleagues' cards the author's answer closed, or opened again.
                others = tuple(self._update(session, other, now) for other in touched)
                session.commit()
                return replace(update, closed=others)
            return self._commit(session, checkin, now)

    def add_note(self, *, team_id: str, user_id: str, checkin_id: int, note: str) -> CheckInUpdate:
        """Keep a note with the answer (an empty one removes it); a Problem's owner is alerted
        with it at once. The people the note mentioned and the form showed by name stay
        mentioned (`with_mentions`). Raises NoteTooLong, nothing kept, for one over
        `MAX_NOTE`."""
        now = self.clock.now()
        with Session(self.engine) as session:
            checkin = self._changeable(session, team_id, user_id, checkin_id, now)
            names = _names(_Known(session, team_id), checkin.note)
            text = with_mentions(note.strip(), checkin.note, names) or None
            if text is not None and len(text) > MAX_NOTE:
                raise NoteTooLong(len(text))
            self._keep_note(session, checkin, text, now)
            return self._commit(session, checkin, now)

    def note_from_reply(
        self,
        *,
        team_id: str,
        user_id: str,
        channel: str,
        thread_ts: str,
        text: str,
        event_id: str | None,
        ts: str | None = None,
        shared_file: bool = False,
    ) -> ReplyNoted | None:
        """A message the person typed in the thread of one of their check-in cards (its question
        or its reminder): the words become the check-in's note, as the note form keeps it, or
        go on a line of their own after the note it has (a second reply adds to the first).
        A closed check-in keeps nothing and says so (CLOSED): the person would otherwise take
        the words for kept. A file shared there without words keeps nothing either (FILE_ONLY):
        a note is words. None when the thread is not of a check-in of theirs, or the reply
        has no words and shares no file: nothing is kept. Slack's retry of a reply already
        taken is REPEATED. The reply's words are remembered by its `ts`, for an edit or
        deletion of it (`reply_changed`)."""
        words = words_of_reply(text)
        if not words and not shared_file:
            return None
        now = self.clock.now()
        with Session(self.engine) as session:
            found = self._shown_at(session, team_id, user_id, channel, thread_ts, now, lock=True)
            if found is None:
                return None
            checkin, card = found
            checkin_id = checkin.id or 0
            if not first_delivery(session, team_id=team_id, event_id=event_id, now=now):
                return ReplyNoted(outcome=ReplyOutcome.REPEATED)
            if card.closed:
                # Since when: it closed (expired, superseded), or its answer settled.
                since = checkin.closed_at or card.changeable_until
                session.commit()  # the event's receipt: a retry is not answered twice
                return ReplyNoted(outcome=ReplyOutcome.CLOSED, card=card, closed_at=since)
            if not words:
                session.commit()  # the event's receipt: a retry is not answered twice
                return ReplyNoted(outcome=ReplyOutcome.FILE_ONLY, card=card)
            note = f"{checkin.note}\n{words}" if checkin.note else words
            if len(note) > MAX_NOTE:
                session.commit()  # the event's receipt: a retry is not refused twice
                return ReplyNoted(outcome=ReplyOutcome.TOO_LONG, card=card, length=len(note))
            outcome = ReplyOutcome.ADDED if checkin.note else ReplyOutcome.KEPT
            if ts is not None:
                store.keep_reply(
                    session=session,
                    team_id=team_id,
                    channel=channel,
                    ts=ts,
                    checkin_id=checkin_id,
                    words=words,
                    now=now,
                )
            self._keep_note(session, checkin, note, now)
            update = self._commit(session, checkin, now)
        return ReplyNoted(outcome=outcome, card=update.card, update=update)

    def reacted_on(
        self, *, team_id: str, user_id: str, channel: str, ts: str, event_id: str | None
    ) -> CheckInCard | None:
        """A reaction `user_id` added to the message at (`channel`, `ts`): when it is their
        check-in's question or reminder, waiting for an answer, the card (a reaction answers
        nothing, and they would take it for an answer and be reminded all the same). None for
        any other message, a check-in answered or closed, and Slack's retry of the event."""
        now = self.clock.now()
        with Session(self.engine) as session:
            found = self._shown_at(session, team_id, user_id, channel, ts, now, lock=False)
            if found is None:
                return None
            card = found[1]
            if card.closed or card.answer is not None:
                return None
            first = first_delivery(session, team_id=team_id, event_id=event_id, now=now)
            session.commit()  # the event's receipt: a retry is not answered twice
            return card if first else None

    def _shown_at(
        self,
        session: Session,
        team_id: str,
        user_id: str,
        channel: str,
        ts: str,
        now: datetime,
        *,
        lock: bool,
    ) -> tuple[CheckIn, CheckInCard] | None:
        """The check-in of `user_id` whose question or reminder Slack shows at (`channel`, `ts`),
        and its card now (locked for a change with `lock`); None for any other message."""
        keys = store.sent_checkin_keys_at(
            session=session, team_id=team_id, user_id=user_id, channel=channel, ts=ts
        )
        checkin_id = next(filter(None, map(_checkin_of_key, keys)), None)
        if checkin_id is None:
            return None
        try:
            checkin = self._own(session, team_id, user_id, checkin_id, lock=lock)
            return checkin, self._card(session, checkin, now)
        except CheckInError:
            return None

    def problem_reporter_at(
        self, *, team_id: str, user_id: str, channel: str, thread_ts: str, event_id: str | None
    ) -> ProblemThread | None:
        """Who reported the Problem whose alert Liaison sent `user_id` at (`channel`,
        `thread_ts`): a reply in that thread reaches nobody, and the person should know whom to
        write to. None when the message is no Problem alert of theirs (or its check-in is gone).
        Slack's retry of a reply already answered is `repeated`."""
        now = self.clock.now()
        with Session(self.engine) as session:
            key = store.sent_problem_key_at(
                session=session,
                team_id=team_id,
                user_id=user_id,
                channel=channel,
                ts=thread_ts,
            )
            rest = (key or "").removeprefix("checkin:").removesuffix(":problem")
            if not rest.isdigit():
                return None
            checkin = store.get_checkin(session=session, team_id=team_id, checkin_id=int(rest))
            if checkin is None:
                return None
            first = first_delivery(session, team_id=team_id, event_id=event_id, now=now)
            session.commit()  # the event's receipt: a retry is not answered twice
            return ProblemThread(reporter_id=checkin.user_id, repeated=not first)

    def reply_changed(
        self,
        *,
        team_id: str,
        user_id: str | None,
        channel: str,
        ts: str,
        text: str | None,
        event_id: str | None,
    ) -> CheckInUpdate | None:
        """A reply kept in a check-in's note (`note_from_reply`) was edited in Slack (`text`, its
        words now) or deleted (None): the lines it put in the note become its new words, or go,
        as the note form would change them (the owner's debrief says so). None when nothing
        changes: the reply was not kept, or not by `user_id`; its lines are not in the note as
        it put them any more (the note was edited in the form since); the check-in has closed;
        the note would grow past `MAX_NOTE`; or Slack sent the event again."""
        words = None if text is None else words_of_reply(text) or None
        now = self.clock.now()
        with Session(self.engine) as session:
            reply = store.kept_reply(session=session, team_id=team_id, channel=channel, ts=ts)
            if reply is None or reply.words == words:
                return None
            checkin = store.get_checkin(
                session=session, team_id=team_id, checkin_id=reply.checkin_id, for_update=True
            )
            if checkin is None or user_id not in (None, checkin.user_id):
                return None
            # As an edit or deletion just before it (which held the lock) left it.
            session.expunge(reply)
            reply = store.kept_reply(session=session, team_id=team_id, channel=channel, ts=ts)
            if reply is None or reply.words == words:
                return None
            try:
                closed = self._card(session, checkin, now).closed
            except CheckInError:
                return None
            found, note = note_with_reply(checkin.note, reply.words, words)
            if closed or not found or len(note or "") > MAX_NOTE:
                return None
            if not first_delivery(session, team_id=team_id, event_id=event_id, now=now):
                return None
            if words is None:
                store.forget_reply(session=session, team_id=team_id, channel=channel, ts=ts)
            else:
                reply.words = words
                session.add(reply)
            self._keep_note(session, checkin, note, now)
            return self._commit(session, checkin, now)

    def _keep_note(
        self, session: Session, checkin: CheckIn, text: str | None, now: datetime
    ) -> None:
        """The check-in's note is `text` now (None: it has none): the owner's debrief says so,
        and a Problem's owner is alerted with it."""
        if text != checkin.note:
            checkin.note = text
            checkin.version += 1
            checkin.changed_at = now
            session.add(checkin)
            if not self._fold_note(session, checkin):
                self._debrief(session, checkin, changed=False, noted=True)
            if checkin.problem_alerted_at is not None:
                self._tell_alerted(session, checkin, now, changed=False)
        if checkin.answer == CheckInAnswer.PROBLEM and text:
            self._alert_problem(session, checkin, now)

    def move(
        self,
        *,
        team_id: str,
        user_id: str,
        checkin_id: int,
        new_day: date,
        then: Callable[[Session, int], None] | None = None,
    ) -> CheckInUpdate:
        """A planned meeting moved to `new_day`, for everyone: the planned touchpoint takes the
        new date at the same local time, the other open check-ins about it close quietly, and
        everyone on it is asked again after the new date. `then` gets the session and the
        touchpoint once moved, in the same transaction (the collision rules run again)."""
        now = self.clock.now()
        with Session(self.engine) as session:
            # Moves of one meeting (and recordings about its partner) take turns.
            self._lock_partner_of(session, team_id, checkin_id)
            checkin = self._changeable(session, team_id, user_id, checkin_id, now)
            touchpoint = store.get_touchpoint(
                session=session, team_id=team_id, touchpoint_id=checkin.touchpoint_id
            )
            if touchpoint is None:
                raise CheckInGone()
            if not checkin.planned or touchpoint.kind != TouchpointKind.PLANNED:
                raise NotPlanned()
            tz = tz_of(session, team_id, user_id)
            if new_day == meeting_day(checkin.meeting_at, day_only=touchpoint.day_only, tz=tz):
                raise NotMoved()
            if new_day < now.astimezone(zone(tz)).date():
                raise MovedToPast()
            moved_to = moved_moment(checkin.meeting_at, new_day, day_zone(touchpoint, tz))
            called_off = (
                checkin.answer == CheckInAnswer.DIDNT_HAPPEN and touchpoint.author_id == user_id
            )
            changed = checkin.answer is not None
            earlier = bool(checkin.note) and checkin.answer not in (None, CheckInAnswer.MOVED)
            self._set(session, checkin, answer=CheckInAnswer.MOVED, now=now)
            checkin.moved_to = moved_to
            session.add(checkin)
            self._debrief(session, checkin, changed=changed, note_earlier=earlier)
            touchpoint_store.reschedule_planned(
                session=session, team_id=team_id, touchpoint_id=touchpoint.id, at=moved_to
            )
            # It did not take place at its old moment, which may have counted as the last
            # contact once it came.
            touchpoint_store.unnote_contact(
                session=session,
                team_id=team_id,
                partner_id=touchpoint.partner_id,
                at=touchpoint.at,
                by=touchpoint.author_id,
                now=now,
            )
            session.flush()
            if then is not None:
                then(session, touchpoint.id)
            closed, following = self._close_for_move(session, checkin, moved_to, now)
            if called_off:
                # Its author said it didn't happen, then that it moved: the colleagues' cards
                # that said it was off say it moved, and they are asked after the new date.
                for other in store.checkins_of_touchpoint(
                    session=session, team_id=team_id, touchpoint_id=touchpoint.id
                ):
                    if (
                        other.id != checkin.id
                        and other.status == CheckInStatus.SUPERSEDED
                        and other.answer is None
                        and other.moved_to is None
                        and other.meeting_at == checkin.meeting_at
                    ):
                        other.moved_to = moved_to
                        session.add(other)
                        closed.append(other)
            moved = replace(touchpoint, at=moved_to)
            settings = settings_of(session, team_id=team_id)
            for colleague in self._askable(session, team_id, moved):
                self._ask_once(
                    session,
                    team_id,
                    moved,
                    colleague,
                    occurrence=following,
                    reference=max(moved_to, now),
                    settings=settings,
                    now=now,
                )
            update = self._update(session, checkin, now)
            others = tuple(self._update(session, other, now) for other in closed)
            session.commit()
        return replace(update, closed=others)

    def reopen(self, *, team_id: str, user_id: str, checkin_id: int) -> CheckInUpdate:
        """ "Change": the buttons again, while the answer may still be changed."""
        now = self.clock.now()
        with Session(self.engine) as session:
            checkin = self._changeable(session, team_id, user_id, checkin_id, now)
            update = self._update(session, checkin, now)
        return replace(update, card=replace(update.card, editing=True))

    # --- Planners --------------------------------------------------------------------------------

    def plan(self, now: datetime) -> None:
        """Create the check-ins of meetings that happened (idempotently) and queue them."""
        since = now - HORIZON
        for session, team_id, settings in each_workspace(
            self.engine, partial(store.teams_with_touchpoints_since, since=since)
        ):
            found = store.touchpoints_without_checkins(
                session=session, team_id=team_id, since=since, until=now
            )
            # Logs before plans: of a plan and its log found together, the log is asked about.
            for touchpoint in sorted(found, key=lambda t: t.kind != TouchpointKind.DONE):
                self._create(session, team_id, touchpoint, settings, now)

    def follow_up(self, now: datetime) -> None:
        """Remind once, close quietly, and alert owners of Problems whose note did not come."""
        for session, team_id, settings in each_workspace(
            self.engine, partial(store.teams_with_open_checkins, reminder_kind=REMINDER_KIND)
        ):
            for checkin in store.open_checkins(session=session, team_id=team_id):
                self._follow_up(session, checkin, settings, now)
            self._withdraw_put_back_reminders(session, team_id)
            for checkin in store.problems_to_alert(
                session=session, team_id=team_id, answered_before=now - PROBLEM_NOTE_WAIT
            ):
                self._alert_problem(session, checkin, now)

    def next_follow_up(self, *, after: datetime) -> datetime | None:
        """When a Problem's owner alert next falls due after `after`, if one is waiting for
        its note (for the sandbox, which runs planners only now and then: `PlannerJob.next_due`;
        reminders are due at the start of working hours, when the sandbox runs them anyway)."""
        with Session(self.engine) as session:
            answered = store.teams_first_problem_to_alert(session=session)
        due = None if answered is None else answered + PROBLEM_NOTE_WAIT
        # One already due is the planner's next regular run's: never "now" again and again.
        return due if due is not None and due > after else None

    def hand_over_debriefs(
        self, session: Session, *, team_id: str, partner_id: int, old_owner_id: str
    ) -> None:
        """A handover of the partner, in its transaction: what its old owner's debrief threads
        about its meetings still have waiting to go (a head, the replies under it) is for the
        new owner now. Each waiting reply is queued again (`_debrief`): under the new owner's
        own thread when the old owner has read the head already, else under the head, which
        goes to the new owner instead."""
        waiting = self._debriefs_waiting(
            session, team_id=team_id, partner_id=partner_id, user_id=old_owner_id
        )
        for touchpoint_id, keys in waiting.items():
            for key in keys:
                outbox_store.cancel_unsent(
                    session=session, team_id=team_id, dedupe_key=key, reason=HANDED_OVER
                )
                outbox_store.forget_cancelled(
                    session=session, team_id=team_id, dedupe_key=key, reason=HANDED_OVER
                )
            for checkin in store.checkins_of_touchpoint(
                session=session, team_id=team_id, touchpoint_id=touchpoint_id
            ):
                lines = f"debrief:{touchpoint_id}:{checkin.id}:"
                names = {_reply_of_key(key)[1] for key in keys if key.startswith(lines)}
                if names:
                    # One reply, of the check-in as it is now: two waiting (a note's the old
                    # owner kept, and a change) would each tell the new owner the same.
                    changed, noted = _REPLY_BY_NAME[min(names, key=_REPLY_ORDER.index)]
                    self._debrief(session, checkin, changed=changed, noted=noted)

    def debriefs_waiting(
        self, session: Session, *, team_id: str, partner_id: int, user_id: str
    ) -> int:
        """How many answers about the partner's meetings wait to reach `user_id` in their
        debrief threads (one per check-in, however many replies about it wait)."""
        waiting = self._debriefs_waiting(
            session, team_id=team_id, partner_id=partner_id, user_id=user_id
        )
        return len(
            {key.split(":")[2] for keys in waiting.values() for key in keys if _is_reply(key)}
        )

    @staticmethod
    def _debriefs_waiting(
        session: Session, *, team_id: str, partner_id: int, user_id: str
    ) -> dict[int, list[str]]:
        """The keys of what waits to go to `user_id` in their debrief threads about the
        partner's meetings (heads and replies), by meeting."""
        waiting: dict[int, list[str]] = {}
        for key in outbox_store.unsent_keys(
            session=session, team_id=team_id, user_id=user_id, kind=DEBRIEF_KIND
        ):
            waiting.setdefault(int(key.split(":")[1]), []).append(key)
        for touchpoint_id in list(waiting):
            touchpoint = store.get_touchpoint(
                session=session, team_id=team_id, touchpoint_id=touchpoint_id
            )
            if touchpoint is None or touchpoint.partner_id != partner_id:
                del waiting[touchpoint_id]
        return waiting

    def reword_waiting(
        self, session: Session, *, team_id: str, user_id: str, now: datetime
    ) -> None:
        """Someone's time away just booked, ended (`back`) or cancelled
        (`bot.delivery.absence.Retime`), in its transaction: each check-in question and reminder
        not sent yet whose wording hangs on it is worded again, so that it says who gets the
        answer and a Problem as is true when it reaches its recipient (`_owner_away`), not as it
        was when it was queued (an owner back early is no longer away then).

        Only cards about partners an owner alert may reach `user_id` for (as owner, deputy, or
        the cover an owner's time away names) can change: `_owner_away` reads no one else's
        time away. `away` and `back` answer Slack in this request, and hundreds of cards can
        wait overnight in a large workspace; the others are left as they are."""
        partner_ids = partner_store.partners_alerting(
            session=session, team_id=team_id, user_id=user_id, now=now
        )
        self.reword_waiting_about(session, team_id=team_id, partner_ids=partner_ids, now=now)

    def reword_waiting_about(
        self, session: Session, *, team_id: str, partner_ids: Collection[int], now: datetime
    ) -> None:
        """The partners' owner or deputy just changed (a handover, a deputy named or cleared),
        or someone's time away did (`reword_waiting`), in its transaction: each check-in
        question and reminder about them not sent yet is worded again, naming the owner and
        whoever a Problem reaches as is true when it is sent. Cards about other partners are
        left as they are."""
        checkins = store.open_checkins_about(
            session=session, team_id=team_id, partner_ids=partner_ids
        )
        if not checkins:
            return
        unsent = {
            key
            for kind in (ASK_KIND, REMINDER_KIND)
            for key in outbox_store.unsent_keys(
                session=session, team_id=team_id, user_id=None, kind=kind
            )
        }
        to_word = [
            (checkin, waiting)
            for checkin in checkins
            if (
                waiting := [
                    (key, word)
                    for key, word in (
                        (_ask_key(checkin), self.messages.checkin),
                        (_reminder_key(checkin), self.messages.checkin_reminder),
                    )
                    if key in unsent
                ]
            )
        ]
        # Hundreds of cards name the same few people, partners and settings: each is read once.
        known = _Known(session, team_id)
        known.read_meetings([checkin for checkin, _ in to_word])
        for checkin, waiting in to_word:
            try:
                card = self._card(session, checkin, now, known)
            except CheckInGone:
                continue
            for key, word in waiting:
                message = word(card)
                outbox_store.rewrite_unsent(
                    session=session,
                    team_id=team_id,
                    dedupe_key=key,
                    text=message.text,
                    blocks=message.blocks,
                )

    # --- Internals -------------------------------------------------------------------------------

    def _create(
        self,
        session: Session,
        team_id: str,
        touchpoint: store.AskedTouchpoint,
        settings: FeedbackSettings,
        now: datetime,
    ) -> None:
        reference = max(touchpoint.at, touchpoint.created_at)
        partner = partner_store.get_partner(
            session=session, team_id=team_id, partner_id=touchpoint.partner_id
        )
        ended = partner is not None and partner.status == PartnerStatus.ENDED
        for user_id in self._askable(session, team_id, touchpoint):
            if ended:
                # Nobody follows an ended partner: closed unasked, and not asked if it reopens.
                store.insert_checkin(
                    session=session,
                    team_id=team_id,
                    touchpoint_id=touchpoint.id,
                    user_id=user_id,
                    occurrence=0,
                    planned=touchpoint.kind == TouchpointKind.PLANNED,
                    meeting_at=touchpoint.at,
                    due_at=now,
                    now=now,
                    status=CheckInStatus.EXPIRED,
                )
                continue
            self._ask_once(
                session,
                team_id,
                touchpoint,
                user_id,
                occurrence=0,
                reference=reference,
                settings=settings,
                now=now,
            )

    def withdraw_for_ended(
        self, session: Session, *, team_id: str, partner_id: int, now: datetime
    ) -> None:
        """The partner was just ended, in that transaction: the check-ins about its meetings
        not sent yet are withdrawn and close unanswered, as nobody follows an ended partner
        (reopened, it does not ask them again). One already sent can still be answered."""
        for checkin in store.open_checkins_about(
            session=session, team_id=team_id, partner_ids=[partner_id]
        ):
            if self._withdraw(session, checkin):
                self._expire(session, checkin, now)

    def _askable(
        self, session: Session, team_id: str, touchpoint: store.AskedTouchpoint
    ) -> list[str]:
        """The colleagues of the touchpoint who can be asked (not deleted from Slack, nor of
        another organisation: someone taken for a colleague before Slack said so)."""
        askable = []
        for user_id in touchpoint.colleagues:
            profile = get_profile(session=session, team_id=team_id, user_id=user_id, external=True)
            if profile is None or not (profile.is_deleted or profile.external):
                askable.append(user_id)
        return askable

    def _ask_once(
        self,
        session: Session,
        team_id: str,
        touchpoint: store.AskedTouchpoint,
        user_id: str,
        *,
        occurrence: int,
        reference: datetime,
        settings: FeedbackSettings,
        now: datetime,
    ) -> None:
        """Create the person's check-in about this occurrence of the touchpoint (once) and ask
        it after `reference`, or keep it superseded when the rule says they are asked already."""
        tz = tz_of(session, team_id, user_id)
        first = self._same_day_rule(session, team_id, touchpoint, user_id, tz=tz, now=now)
        checkin_id = store.insert_checkin(
            session=session,
            team_id=team_id,
            touchpoint_id=touchpoint.id,
            user_id=user_id,
            occurrence=occurrence,
            planned=touchpoint.kind == TouchpointKind.PLANNED,
            meeting_at=touchpoint.at,
            due_at=due_time(reference, tz=tz, settings=settings),
            now=now,
            status=CheckInStatus.OPEN if first else CheckInStatus.SUPERSEDED,
        )
        if checkin_id is None or not first:
            return
        checkin = store.get_checkin(session=session, team_id=team_id, checkin_id=checkin_id)
        assert checkin is not None
        self._ask(session, checkin, at_opening=settings.checkin_delay_hours is None, now=now)

    def _same_day_rule(
        self,
        session: Session,
        team_id: str,
        touchpoint: store.AskedTouchpoint,
        user_id: str,
        *,
        tz: str | None,
        now: datetime,
    ) -> bool:
        """Whether to ask the person about the touchpoint: one question per person and meeting
        (the module docstring). A question about a log takes the place of the unsent one about
        the plan it stands for, which is superseded here."""
        day = meeting_day(touchpoint.at, day_only=touchpoint.day_only, tz=tz)
        same_meeting = [
            found.checkin
            for found in store.checkins_about_partner(
                session=session,
                team_id=team_id,
                user_id=user_id,
                partner_id=touchpoint.partner_id,
                start=touchpoint.at - DAY_SPAN,
                end=touchpoint.at + DAY_SPAN,
            )
            if meeting_day(found.checkin.meeting_at, day_only=found.day_only, tz=tz) == day
            and recorded_again(found, touchpoint)
        ]
        if not same_meeting:
            return True
        if touchpoint.kind == TouchpointKind.PLANNED:
            return False
        # A log stands for one meeting: of the questions it may be asked in, the nearest in time.
        asked = min(same_meeting, key=lambda checkin: abs(checkin.meeting_at - touchpoint.at))
        if not (asked.planned and asked.status == CheckInStatus.OPEN and asked.answer is None):
            return False
        # One that could not be withdrawn is being sent: it stays the question.
        if not self._withdraw(session, asked):
            return False
        self._supersede(session, asked, now)
        return True

    def _happened(
        self,
        session: Session,
        checkin: CheckIn,
        *,
        was: CheckInAnswer | None,
        now: datetime,
        then: Callable[[Session, int], None] | None,
        dropped: Callable[[Session, int], None] | None = None,
    ) -> list[CheckIn]:
        """Whether a planned meeting took place is its author's to say: their Didn't happen
        cancels it (kept on record, no longer a contact: collisions, last contact, briefings,
        health; and hands it to `dropped`), and their changing that answer puts it back (and
        hands it to `then`, which looks for the collisions it has now). A participant's Didn't
        happen is their answer only (they may have missed a meeting that took place). Only an
        answer about the meeting's current moment counts (not one about a date it has moved
        from). Returns the colleagues' check-ins it closed, or opened again, whose cards show
        it."""
        if not checkin.planned:
            return []
        didnt = CheckInAnswer.DIDNT_HAPPEN
        if checkin.answer != didnt and was != didnt:
            return []
        touchpoint = touchpoint_store.get_touchpoint(
            session=session, team_id=checkin.team_id, touchpoint_id=checkin.touchpoint_id
        )
        if (
            touchpoint is None
            or touchpoint.kind is not TouchpointKind.PLANNED
            or touchpoint.author_id != checkin.user_id
            or touchpoint.at != checkin.meeting_at
        ):
            return []
        team_id = checkin.team_id
        others = [
            other
            for other in store.checkins_of_touchpoint(
                session=session, team_id=team_id, touchpoint_id=touchpoint.id
            )
            if other.id != checkin.id
        ]
        if checkin.answer == didnt:
            touchpoint_store.call_off_plan(
                session=session,
                team_id=team_id,
                touchpoint_id=touchpoint.id,
                partner_id=touchpoint.partner_id,
                planned_at=touchpoint.at,
                author_id=touchpoint.author_id,
                now=now,
            )
            # Nobody is asked, or reminded, how a meeting that did not take place went.
            closed = [other for other in others if other.status == CheckInStatus.OPEN]
            for other in closed:
                self._withdraw(session, other)
                self._supersede(session, other, now)
            if dropped is not None:
                dropped(session, touchpoint.id)
            return closed
        # It took place after all: whoever the Didn't happen spared is asked after all.
        reopened = [
            other
            for other in others
            if other.status == CheckInStatus.SUPERSEDED
            and other.answer is None
            and other.moved_to is None
            and other.meeting_at == touchpoint.at
            and other.closed_at == touchpoint.cancelled_at
        ]
        for other in reopened:
            self._ask_again(session, other, now)
        touchpoint_store.restore_planned(
            session=session, team_id=team_id, touchpoint_id=touchpoint.id
        )
        if touchpoint.at <= now:
            touchpoint_store.note_contact(
                session=session,
                team_id=team_id,
                partner_id=touchpoint.partner_id,
                at=touchpoint.at,
                by=touchpoint.author_id,
                day_only=touchpoint.day_only,
            )
        if then is not None:
            session.flush()
            then(session, touchpoint.id)
        return reopened

    def _ask_again(self, session: Session, checkin: CheckIn, now: datetime) -> None:
        """Open again a check-in its meeting's calling off closed: its question, and its
        reminder, withdrawn unsent then, are queued afresh (a question that went out shows its
        buttons again)."""
        team_id = checkin.team_id
        checkin.status = CheckInStatus.OPEN
        checkin.closed_at = None
        asked = store.sent_message(session=session, team_id=team_id, dedupe_key=_ask_key(checkin))
        if asked is None or asked.status == OutboxStatus.CANCELLED:
            outbox_store.forget_cancelled(
                session=session, team_id=team_id, dedupe_key=_ask_key(checkin)
            )
            at_opening = (
                checkin.due_at > now
                and settings_of(session, team_id=team_id).checkin_delay_hours is None
            )
            checkin.due_at = max(checkin.due_at, now)
            self._ask(session, checkin, at_opening=at_opening, now=now)
        reminder = store.sent_message(
            session=session, team_id=team_id, dedupe_key=_reminder_key(checkin)
        )
        if reminder is not None and reminder.status == OutboxStatus.CANCELLED:
            outbox_store.forget_cancelled(
                session=session, team_id=team_id, dedupe_key=_reminder_key(checkin)
            )
            checkin.reminded_at = None
        session.add(checkin)

    def _withdraw(self, session: Session, checkin: CheckIn) -> bool:
        """Cancel the check-in's question while unsent; False once it is going or has gone out."""
        cancelled = outbox_store.cancel_unsent(
            session=session, team_id=checkin.team_id, dedupe_key=_ask_key(checkin)
        )
        return cancelled == 1

    def _supersede(
        self, session: Session, checkin: CheckIn, now: datetime, *, moved_to: datetime | None = None
    ) -> None:
        """Close the check-in unanswered, its reminder unsent: it is asked elsewhere."""
        outbox_store.cancel_unsent(
            session=session, team_id=checkin.team_id, dedupe_key=_reminder_key(checkin)
        )
        checkin.status = CheckInStatus.SUPERSEDED
        checkin.closed_at = now
        if moved_to is not None:
            checkin.moved_to = moved_to
        session.add(checkin)

    def _close_for_move(
        self, session: Session, mover: CheckIn, moved_to: datetime, now: datetime
    ) -> tuple[list[CheckIn], int]:
        """Close the open check-ins about the meeting's old date (and about an earlier new date,
        when it moves again), other than the mover's answer; the occurrence to ask next."""
        closed: list[CheckIn] = []
        following = mover.occurrence + 1
        for checkin in store.checkins_of_touchpoint(
            session=session, team_id=mover.team_id, touchpoint_id=mover.touchpoint_id
        ):
            following = max(following, checkin.occurrence + 1)
            if (
                checkin.id == mover.id
                or checkin.status != CheckInStatus.OPEN
                or checkin.occurrence < mover.occurrence
            ):
                continue
            self._withdraw(session, checkin)
            self._supersede(session, checkin, now, moved_to=moved_to)
            closed.append(checkin)
        return closed, following

    def _lock_partner_of(self, session: Session, team_id: str, checkin_id: int) -> None:
        checkin = store.get_checkin(session=session, team_id=team_id, checkin_id=checkin_id)
        touchpoint = (
            None
            if checkin is None
            else store.get_touchpoint(
                session=session, team_id=team_id, touchpoint_id=checkin.touchpoint_id
            )
        )
        if touchpoint is not None:
            touchpoint_store.lock_partner(
                session=session, team_id=team_id, partner_id=touchpoint.partner_id
            )

    def _ask(self, session: Session, checkin: CheckIn, *, at_opening: bool, now: datetime) -> None:
        """Queue the check-in's question; `at_opening`: due on the person's next working
        morning (no `config checkin-delay`), spread over its first minutes by person."""
        queue_dm(
            session,
            team_id=checkin.team_id,
            user_id=checkin.user_id,
            kind=ASK_KIND,
            message=self.messages.checkin(self._card(session, checkin, now)),
            dedupe_key=_ask_key(checkin),
            due_at=checkin.due_at,
            expires_at=self._life_end(session, checkin),
            at_opening=at_opening,
        )

    def _life_end(self, session: Session, checkin: CheckIn) -> datetime:
        """When an unsent question lapses: `ASK_WORKING_DAYS` of the person's working days after
        it falls due, their time away not counted."""
        return _lapses_at(session, checkin.team_id, checkin.user_id, ASK_KIND, checkin.due_at)

    def _follow_up(
        self, session: Session, checkin: CheckIn, settings: FeedbackSettings, now: datetime
    ) -> None:
        team_id = checkin.team_id
        asked = store.sent_message(session=session, team_id=team_id, dedupe_key=_ask_key(checkin))
        if asked is None or asked.status in (OutboxStatus.FAILED, OutboxStatus.CANCELLED):
            self._expire(session, checkin, now)
            return
        if asked.status != OutboxStatus.SENT or asked.sent_at is None:
            return
        schedule = Schedule(tz_of(session, team_id, checkin.user_id), settings.hours)

        def a_working_day_after(moment: datetime) -> datetime:
            return working_days_of(
                session,
                team_id=team_id,
                user_id=checkin.user_id,
                start=moment,
                days=REMINDER_WORKING_DAYS,
                schedule=schedule,
            ).at

        if checkin.reminded_at is None:
            if now >= a_working_day_after(asked.sent_at):
                queue_dm(
                    session,
                    team_id=team_id,
                    user_id=checkin.user_id,
                    kind=REMINDER_KIND,
                    message=self.messages.checkin_reminder(self._card(session, checkin, now)),
                    dedupe_key=_reminder_key(checkin),
                    due_at=now,
                    expires_at=a_working_day_after(now),
                )
                checkin.reminded_at = now
                session.add(checkin)
            return
        reminder = store.sent_message(
            session=session, team_id=team_id, dedupe_key=_reminder_key(checkin)
        )
        if reminder is None or reminder.status in (OutboxStatus.FAILED, OutboxStatus.CANCELLED):
            self._expire(session, checkin, now, shown=[asked])
        elif reminder.sent_at is not None and now >= a_working_day_after(reminder.sent_at):
            self._expire(session, checkin, now, shown=[asked, reminder])

    def _withdraw_put_back_reminders(self, session: Session, team_id: str) -> None:
        """Withdraw the reminders waiting to go about check-ins closed since they were queued.
        Closing one withdraws its reminder, unless a dispatcher is sending it just then (`_set`,
        `_supersede`): should Slack turn that send away for now (an outage, a rate limit), the
        reminder comes back to the queue, and would ask what the person has answered already."""
        for key in outbox_store.unsent_keys(
            session=session, team_id=team_id, user_id=None, kind=REMINDER_KIND
        ):
            checkin_id = _checkin_of_key(key)
            found = (
                None
                if checkin_id is None
                else store.get_checkin(session=session, team_id=team_id, checkin_id=checkin_id)
            )
            if found is None or found.status == CheckInStatus.OPEN:
                continue
            # Read again under the lock: an answer or a reopening may be under way.
            checkin = store.get_checkin(
                session=session, team_id=team_id, checkin_id=found.id or 0, for_update=True
            )
            if checkin is None or checkin.status == CheckInStatus.OPEN:
                continue
            outbox_store.cancel_unsent(
                session=session,
                team_id=team_id,
                dedupe_key=key,
                reason=ANSWERED if checkin.status == CheckInStatus.ANSWERED else CLOSED_UNANSWERED,
            )

    def _expire(
        self,
        session: Session,
        checkin: CheckIn,
        now: datetime,
        *,
        shown: Sequence[OutboxMessage] = (),
    ) -> None:
        """Close the check-in unanswered; the cards of it `shown` (its question, its reminder,
        sent) say so in place, without buttons: else they kept them until clicked."""
        checkin.status = CheckInStatus.EXPIRED
        checkin.closed_at = now
        session.add(checkin)
        if not shown:
            return
        card = self._card(session, checkin, now)
        for sent in shown:
            render = (
                self.messages.checkin_reminder
                if sent.dedupe_key == _reminder_key(checkin)
                else self.messages.checkin
            )
            queue_dm(
                session,
                team_id=checkin.team_id,
                user_id=checkin.user_id,
                kind=CLOSED_KIND,
                message=render(card),
                dedupe_key=f"{sent.dedupe_key}:closed",
                due_at=now,
                edit_of=sent.dedupe_key,
            )

    def _set(
        self, session: Session, checkin: CheckIn, *, answer: CheckInAnswer, now: datetime
    ) -> None:
        # Answered, there is nothing left to remind them of: a reminder still waiting to go (for
        # their working hours, or held while they are away) would ask what they just said. One
        # being sent just now, if Slack puts it back, goes at the next follow-up pass
        # (`_withdraw_put_back_reminders`).
        outbox_store.cancel_unsent(
            session=session,
            team_id=checkin.team_id,
            dedupe_key=_reminder_key(checkin),
            reason=ANSWERED,
        )
        checkin.answer = answer
        checkin.status = CheckInStatus.ANSWERED
        checkin.answered_at = checkin.answered_at or now
        checkin.changed_at = now
        checkin.version += 1
        if answer != CheckInAnswer.MOVED:
            checkin.moved_to = None

    def _own(
        self, session: Session, team_id: str, user_id: str, checkin_id: int, *, lock: bool = True
    ) -> CheckIn:
        """The person's check-in, locked for a change unless `lock` is False (only read)."""
        checkin = store.get_checkin(
            session=session, team_id=team_id, checkin_id=checkin_id, for_update=lock
        )
        if checkin is None:
            raise CheckInGone()
        if checkin.user_id != user_id:
            raise NotYourCheckIn()
        return checkin

    def _changeable(
        self, session: Session, team_id: str, user_id: str, checkin_id: int, now: datetime
    ) -> CheckIn:
        checkin = self._own(session, team_id, user_id, checkin_id)
        card = self._card(session, checkin, now)
        if card.closed:
            raise CheckInClosed(card)
        return checkin

    def _card(
        self, session: Session, checkin: CheckIn, now: datetime, known: _Known | None = None
    ) -> CheckInCard:
        """The check-in's card as it is now; `known` holds what a pass over many cards has read
        already (else it is read for this one)."""
        known = known or _Known(session, checkin.team_id)
        touchpoint = known.touchpoint(checkin.touchpoint_id)
        partner = None if touchpoint is None else known.partner(touchpoint.partner_id)
        if touchpoint is None or partner is None:
            raise CheckInGone()
        assert checkin.id is not None
        until = None if checkin.answered_at is None else checkin.answered_at + CHANGE_WINDOW
        owner_back, problem_to, late_covers, problem_to_back = self._owner_away(
            checkin, partner, now, known
        )
        tz = known.tz(checkin.user_id)
        return CheckInCard(
            checkin_id=checkin.id,
            partner_name=partner.name,
            medium=touchpoint.medium,
            meeting_at=checkin.meeting_at,
            tz=tz,
            planned=checkin.planned,
            author_id=touchpoint.author_id,
            recipient_id=checkin.user_id,
            recipient_recorded=_recorded_too(
                session, checkin.team_id, touchpoint, checkin.user_id, tz=tz
            ),
            owner_id=partner.owner_id,
            answer=None if checkin.answer is None else CheckInAnswer(checkin.answer),
            note=checkin.note,
            moved_to=checkin.moved_to,
            expired=checkin.status == CheckInStatus.EXPIRED,
            superseded=checkin.status == CheckInStatus.SUPERSEDED,
            changeable_until=until,
            settled=until is not None and now >= until,
            owner_away=owner_back is not None,
            owner_back=owner_back,
            problem_to=problem_to,
            late_covers=late_covers,
            problem_to_back=problem_to_back,
            typed_note=note_as_typed(checkin.note, _names(known, checkin.note)),
            day_only=touchpoint.day_only,
        )

    @staticmethod
    def _owner_away(
        checkin: CheckIn, partner: PartnerPeople, now: datetime, known: _Known
    ) -> tuple[datetime | None, str | None, tuple[str, ...], datetime | None]:
        """When the partner's owner is back (the end of their time away, in their zone), if
        they are away as the card reaches its recipient (not before it falls due), and who a
        Problem would reach then as `_alert_problem` routes it: the card says only what is true
        as it is made (QA21b NIT 1), and is made again when time away changes before it is sent
        (`reword_waiting`). When it would reach nobody before the owner's return, the covers it
        would reach only after it (`CheckInCard.late_covers`); when it reaches a cover away
        themselves, held until they are back, the end of their time away
        (`CheckInCard.problem_to_back`)."""
        if partner.owner_id is None or partner.owner_id == checkin.user_id:
            return None, None, (), None
        at = max(now, checkin.due_at)
        session = known.session
        owner_absence = absence_when_reached(
            session,
            team_id=checkin.team_id,
            user_id=partner.owner_id,
            now=at,
            schedule=known.schedule(partner.owner_id),
        )
        if owner_absence is None:
            return None, None, (), None
        back = owner_absence.ends_at.astimezone(zone(known.tz(partner.owner_id)))
        recipient = recipient_for_owner_alert(
            session,
            team_id=checkin.team_id,
            owner_id=partner.owner_id,
            partner_deputy_id=partner.deputy_id,
            now=at,
            schedule=known.schedule,
        )
        if recipient != partner.owner_id:
            return back, recipient, (), _back_from_away(known, recipient, at)
        # The alert stays with the owner although someone covers: as `recipient_for_owner_alert`
        # decides, only because each cover would see it once the owner is back.
        covers = dict.fromkeys((partner.deputy_id, owner_absence.deputy_id))
        covering = tuple(user for user in covers if user and user != partner.owner_id)
        return back, None, covering, None

    def _update(self, session: Session, checkin: CheckIn, now: datetime) -> CheckInUpdate:
        shown_in = []
        for key in (_ask_key(checkin), _reminder_key(checkin)):
            row = store.sent_message(session=session, team_id=checkin.team_id, dedupe_key=key)
            if row is not None and row.sent_channel and row.sent_ts:
                shown_in.append(Where(channel=row.sent_channel, ts=row.sent_ts))
        return CheckInUpdate(card=self._card(session, checkin, now), shown_in=tuple(shown_in))

    def _commit(self, session: Session, checkin: CheckIn, now: datetime) -> CheckInUpdate:
        update = self._update(session, checkin, now)
        session.commit()
        return update

    def _meeting(
        self, session: Session, checkin: CheckIn
    ) -> tuple[store.AskedTouchpoint, PartnerPeople] | None:
        touchpoint = store.get_touchpoint(
            session=session, team_id=checkin.team_id, touchpoint_id=checkin.touchpoint_id
        )
        if touchpoint is None:
            return None
        partner = partner_people(session, team_id=checkin.team_id, partner_id=touchpoint.partner_id)
        return None if partner is None else (touchpoint, partner)

    def _debrief_of(
        self, session: Session, checkin: CheckIn, *, changed: bool, noted: bool
    ) -> tuple[Debrief, str] | None:
        """The check-in's answer (or note) as its owner reads it in the debrief thread, and the
        owner; None when nobody else owns the partner (nobody to tell)."""
        found = self._meeting(session, checkin)
        if found is None:
            return None
        touchpoint, partner = found
        owner = partner.owner_id
        if owner is None or owner == checkin.user_id:
            return None
        debrief = Debrief(
            touchpoint_id=touchpoint.id,
            partner_name=partner.name,
            medium=touchpoint.medium,
            meeting_at=touchpoint.at,
            tz=tz_of(session, checkin.team_id, owner),
            author_id=touchpoint.author_id,
            user_id=checkin.user_id,
            answer=None if checkin.answer is None else CheckInAnswer(checkin.answer),
            note=checkin.note,
            moved_to=checkin.moved_to,
            changed=changed,
            planned=touchpoint.kind == TouchpointKind.PLANNED,
            noted=noted,
            day_only=touchpoint.day_only,
        )
        return debrief, owner

    def _debrief(
        self,
        session: Session,
        checkin: CheckIn,
        *,
        changed: bool,
        noted: bool = False,
        note_earlier: bool = False,
    ) -> None:
        """The answer (or note) as a reply in the owner's debrief thread about the meeting. A
        Problem's reply waits `PROBLEM_NOTE_WAIT`, the time the form asking for its note is
        given, and a note's own reply `NOTE_SETTLE`, so that a note given (or added to)
        meanwhile is in it (`_fold_note`); a later reply about the same check-in does not
        overtake it."""
        found = self._debrief_of(session, checkin, changed=changed, noted=noted)
        if found is None:
            return
        debrief, owner = found
        head_key = _debrief_head_key(session, checkin.team_id, debrief.touchpoint_id, owner)
        now = self.clock.now()
        lines = f"debrief:{debrief.touchpoint_id}:{checkin.id}:"
        changed, noted = self._fold_reply(
            session, checkin, lines, owner, changed=changed, noted=noted
        )
        settle = noted
        if head_key != f"debrief:{debrief.touchpoint_id}" and not outbox_store.get_message(
            session=session, team_id=checkin.team_id, dedupe_key=head_key
        ):
            # A new owner's first reply: the answer they never read before is no change to them,
            # nor is a note added to it, or one removed that they never read.
            if checkin.answer is not None:
                changed = noted = False
            elif not checkin.note:
                return
        debrief = replace(debrief, changed=changed, noted=noted, note_earlier=note_earlier)
        waiting = outbox_store.latest_due_at(
            session=session, team_id=checkin.team_id, key_prefix=lines
        )
        if settle:
            wait = NOTE_SETTLE
        elif debrief.answer is CheckInAnswer.PROBLEM:
            wait = PROBLEM_NOTE_WAIT
        else:
            wait = timedelta(0)
        due_at = max(now + wait, waiting or now)
        post = partial(queue_dm, session, team_id=checkin.team_id, user_id=owner, kind=DEBRIEF_KIND)
        post(message=self.messages.debrief_head(debrief), dedupe_key=head_key, due_at=now)
        post(
            message=self.messages.debrief_line(debrief),
            dedupe_key=f"{lines}{checkin.version}:{_REPLY_OF[changed, noted]}",
            thread_of=head_key,
            due_at=due_at,
        )
        _quotes(checkin, checkin.version, bool(debrief.note))

    @staticmethod
    def _fold_reply(
        session: Session, checkin: CheckIn, lines: str, owner: str, *, changed: bool, noted: bool
    ) -> tuple[bool, bool]:
        """A new debrief reply about the check-in while its latest (keys starting `lines`) has
        not gone out: that one is withdrawn and the new one says both, as one reply (QA: "@dan
        answered ✅ Went well" and "@dan changed their answer to 🤔 Mixed" reached the owner at
        one moment). What the new one reports, by (changed, noted): an answer the owner has not
        read yet stays the first answer, and a note stays a note only when both are notes. A
        note's reply is not withdrawn once the owner has read a note of the check-in."""
        unsent = outbox_store.unsent_keys_starting(
            session=session, team_id=checkin.team_id, prefix=lines
        )
        if not unsent:
            return changed, noted
        version, name = _reply_of_key(unsent[-1])
        was_noted = _REPLY_BY_NAME[name][1]
        if was_noted and CheckIns._note_read(session, checkin, lines, owner):
            # The owner read a note before: a note's own reply stays, for it alone can say
            # that note is gone if it is cleared now (`_unsay_note`).
            return changed, noted
        if not outbox_store.cancel_unsent(
            session=session, team_id=checkin.team_id, dedupe_key=unsent[-1]
        ):
            return changed, noted  # it began to go meanwhile: the new one is a reply of its own
        _quotes(checkin, version, False)
        if noted and was_noted:
            return False, True
        if name == _REPLY_OF[False, False] or not (changed or noted):
            return False, False
        return True, False

    def _fold_note(self, session: Session, checkin: CheckIn) -> bool:
        """A note given while the check-in's latest debrief reply has not gone out yet (a
        Problem's waits for its note, a note's own waits `NOTE_SETTLE` for more lines): that
        reply is rewritten with the note as it is now, in place of a reply of its own, however
        many notes it took in already. False when there is no such reply (the note gets its
        own)."""
        found = self._debrief_of(session, checkin, changed=False, noted=False)
        if found is None:
            return False
        line, owner = found
        replies = f"debrief:{line.touchpoint_id}:{checkin.id}:"
        waiting = outbox_store.latest_with_prefix(
            session=session, team_id=checkin.team_id, key_prefix=replies
        )
        if waiting is None or waiting.status != OutboxStatus.PENDING:
            return False
        # Which reply it is (an answer, a changed answer, a note) and the check-in's version
        # it was queued at are the end of its key.
        version, name = _reply_of_key(waiting.dedupe_key)
        changed, noted = _REPLY_BY_NAME[name]
        if not (checkin.note or "").strip():
            read = self._note_read(session, checkin, replies, owner)
            if not self._unsay_note(session, checkin, replies, waiting.dedupe_key, line, read=read):
                return False  # one began to go meanwhile: the removal is a reply of its own
            if noted and not read:
                # The note was cleared before its reply went, and the owner has read no note
                # yet: there is nothing left to tell. (Having read one, they read it is gone.)
                outbox_store.cancel_unsent(
                    session=session, team_id=checkin.team_id, dedupe_key=waiting.dedupe_key
                )
                _quotes(checkin, version, False)
                return True
        return self._reword(
            session, checkin, waiting.dedupe_key, line, changed=changed, noted=noted
        )

    def _unsay_note(
        self,
        session: Session,
        checkin: CheckIn,
        replies: str,
        latest: str,
        line: Debrief,
        *,
        read: bool,
    ) -> bool:
        """The note was just cleared: the replies about a note still waiting before the latest
        (`latest`; an answer changed since took the note in) tell nothing of it, unless the
        owner has read a note and the latest reply is no note's, when the last of them says it
        is gone. False when one of them began to go meanwhile."""
        earlier = [
            key
            for key in outbox_store.unsent_keys_starting(
                session=session, team_id=checkin.team_id, prefix=replies
            )
            if key != latest and _REPLY_BY_NAME[_reply_of_key(key)[1]][1]
        ]
        if read and earlier and not _REPLY_BY_NAME[_reply_of_key(latest)[1]][1]:
            *earlier, last = earlier
            # Not "on their answer …": the answer it was on is not the one the latest gives.
            gone = replace(line, answer=None)
            if not self._reword(session, checkin, last, gone, changed=False, noted=True):
                return False
        for key in earlier:
            if not outbox_store.cancel_unsent(
                session=session, team_id=checkin.team_id, dedupe_key=key
            ):
                return False
            _quotes(checkin, _reply_of_key(key)[0], False)
        return True

    def _reword(
        self,
        session: Session,
        checkin: CheckIn,
        key: str,
        line: Debrief,
        *,
        changed: bool,
        noted: bool,
    ) -> bool:
        """Word the debrief reply waiting under `key` again with the note as it is now; False
        when it began to go meanwhile."""
        now = self.messages.debrief_line(
            replace(line, note=checkin.note, changed=changed, noted=noted)
        )
        rewritten = outbox_store.rewrite_unsent(
            session=session,
            team_id=checkin.team_id,
            dedupe_key=key,
            text=now.text,
            blocks=now.blocks,
        )
        if rewritten:
            _quotes(checkin, _reply_of_key(key)[0], bool(checkin.note))
        return rewritten

    @staticmethod
    def _note_read(session: Session, checkin: CheckIn, replies: str, owner: str) -> bool:
        """Whether `owner` has read a note of the check-in's: the latest of its debrief
        replies (keys starting `replies`) that went out to them quoted one, as it was worded then
        (`CheckIn.quoting_versions`), whatever its wording. A former owner's read is not theirs:
        they would read that a note they never saw is gone."""
        told = store.latest_debrief_told(
            session=session, team_id=checkin.team_id, user_id=owner, key_prefix=replies
        )
        return told is not None and _reply_of_key(told)[0] in checkin.quoting_versions

    def _alert_problem(self, session: Session, checkin: CheckIn, now: datetime) -> None:
        """Tell the owner (or whoever covers) about a Problem, once per check-in."""
        if checkin.problem_alerted_at is not None:
            return
        checkin.problem_alerted_at = now
        session.add(checkin)
        found = self._meeting(session, checkin)
        if found is None or found[1].owner_id is None:
            return
        touchpoint, partner = found
        assert partner.owner_id is not None
        recipient = recipient_for_owner_alert(
            session,
            team_id=checkin.team_id,
            owner_id=partner.owner_id,
            partner_deputy_id=partner.deputy_id,
            now=now,
        )
        if recipient == checkin.user_id:
            return
        alert = self.messages.problem_alert(
            ProblemAlert(
                partner_name=partner.name,
                medium=touchpoint.medium,
                meeting_at=touchpoint.at,
                tz=tz_of(session, checkin.team_id, recipient),
                user_id=checkin.user_id,
                note=checkin.note,
                owner_id=partner.owner_id,
                covering=recipient != partner.owner_id,
                day_only=touchpoint.day_only,
            )
        )
        queue_dm(
            session,
            team_id=checkin.team_id,
            user_id=recipient,
            kind=PROBLEM_KIND,
            message=alert,
            dedupe_key=_problem_key(checkin),
            due_at=now,
        )

    def _tell_alerted(
        self,
        session: Session,
        checkin: CheckIn,
        now: datetime,
        *,
        changed: bool,
        note_earlier: bool = False,
    ) -> None:
        """The check-in changed after its Problem's alert was queued (its note, or its answer
        when `changed`): whoever the alert reaches (the owner, or the deputy covering for them)
        learns it too, not only the owner in the debrief on their return. An alert not sent yet
        is worded again with the note, or withdrawn once the answer is no Problem any more (a
        Problem again alerts anew); after one sent to a deputy, a reply in its thread says what
        changed (the owner reads it in the debrief). It waits `NOTE_SETTLE` and takes in what
        changes meanwhile, as a debrief's reply does."""
        key = _problem_key(checkin)
        alert = store.sent_message(session=session, team_id=checkin.team_id, dedupe_key=key)
        if alert is None or alert.recipient_user is None:
            return
        if alert.status in (OutboxStatus.CANCELLED, OutboxStatus.FAILED):
            return
        found = self._meeting(session, checkin)
        if found is None or found[1].owner_id is None:
            return
        touchpoint, partner = found
        owner = found[1].owner_id
        recipient = alert.recipient_user
        tz = tz_of(session, checkin.team_id, recipient)
        team_id = checkin.team_id
        rewrite = partial(outbox_store.rewrite_unsent, session=session, team_id=team_id)
        answer = None if checkin.answer is None else CheckInAnswer(checkin.answer)
        if alert.status == OutboxStatus.PENDING:
            if answer is not CheckInAnswer.PROBLEM:
                if outbox_store.cancel_unsent(
                    session=session, team_id=team_id, dedupe_key=key, reason=NO_PROBLEM
                ):
                    outbox_store.forget_cancelled(
                        session=session, team_id=team_id, dedupe_key=key, reason=NO_PROBLEM
                    )
                    checkin.problem_alerted_at = None
                    session.add(checkin)
                    return
            else:
                worded = self.messages.problem_alert(
                    ProblemAlert(
                        partner_name=partner.name,
                        medium=touchpoint.medium,
                        meeting_at=touchpoint.at,
                        tz=tz,
                        user_id=checkin.user_id,
                        note=checkin.note,
                        owner_id=owner,
                        covering=recipient != owner,
                        day_only=touchpoint.day_only,
                    )
                )
                if rewrite(dedupe_key=key, text=worded.text, blocks=worded.blocks):
                    return
        if recipient == owner:
            return  # the owner reads every change in the debrief thread already
        replies = f"{key}:reply:"
        waiting = outbox_store.latest_with_prefix(
            session=session, team_id=team_id, key_prefix=replies
        )
        if waiting is not None and waiting.status == OutboxStatus.PENDING:
            changed = changed or _reply_of_key(waiting.dedupe_key)[1] == "changed"
        line = self.messages.debrief_line(
            Debrief(
                touchpoint_id=touchpoint.id,
                partner_name=partner.name,
                medium=touchpoint.medium,
                meeting_at=touchpoint.at,
                tz=tz,
                author_id=touchpoint.author_id,
                user_id=checkin.user_id,
                answer=answer,
                note=checkin.note,
                moved_to=checkin.moved_to,
                changed=changed,
                noted=not changed,
                note_earlier=note_earlier,
                day_only=touchpoint.day_only,
            )
        )
        if waiting is not None and waiting.status == OutboxStatus.PENDING:
            # Folded into the reply queued now (one that began to go meanwhile stays said).
            outbox_store.cancel_unsent(
                session=session, team_id=team_id, dedupe_key=waiting.dedupe_key
            )
        queue_dm(
            session,
            team_id=team_id,
            user_id=recipient,
            kind=PROBLEM_KIND,
            message=line,
            dedupe_key=f"{replies}{checkin.version}:{'changed' if changed else 'note'}",
            thread_of=key,
            due_at=now + NOTE_SETTLE,
        )


def _names(known: _Known, note: str | None) -> dict[str, str]:
    """The names of the people `note` mentions, by user id, as the profile cache has them."""
    names = {}
    for user_id in mentioned(note or ""):
        profile = known.profile(user_id)
        if profile is not None and profile.name:
            names[user_id] = profile.name
    return names


def _quotes(checkin: CheckIn, version: int, note: bool) -> None:
    """Keep whether the check-in's debrief reply of `version` quotes a note, as worded now."""
    versions = set(checkin.quoting_versions) - {version}
    checkin.quoting_versions = sorted(versions | {version} if note else versions)


def _is_reply(dedupe_key: str) -> bool:
    """A debrief reply's key (`_reply_of_key`), not a head's (`_debrief_head_key`)."""
    return dedupe_key.rsplit(":", 1)[-1] in _REPLY_BY_NAME


def _reply_of_key(dedupe_key: str) -> tuple[int, str]:
    """The check-in's version a debrief reply was queued at, and what it reports (`_REPLY_OF`),
    from its key (`debrief:<touchpoint>:<check-in>:<version>:<what>`)."""
    *_, version, name = dedupe_key.split(":")
    return int(version), name


# The outbox kind of a reply in a debrief thread (and of its head).
DEBRIEF_KIND = "checkin.debrief"
# Why a debrief's message waiting for an owner who handed the partner over was withdrawn.
HANDED_OVER = "the partner was handed over before it went"


def _debrief_head_key(session: Session, team_id: str, touchpoint_id: int, owner: str) -> str:
    """The key of the owner's debrief thread about the meeting. The first owner told has the
    meeting's own key; after a handover the new owner gets a thread of their own, for a reply
    threaded under the old owner's head would land in the old owner's DM."""
    key = f"debrief:{touchpoint_id}"
    head = outbox_store.get_message(session=session, team_id=team_id, dedupe_key=key)
    if head is None or head.recipient_user == owner:
        return key
    return f"{key}:to:{owner}"


# What a reply in a debrief thread reports, by (changed, noted), as the end of its key: a note
# folded into a reply not sent yet (`_fold_note`) rewrites it as the same kind of reply.
_REPLY_OF = {(False, False): "answer", (True, False): "changed", (False, True): "note"}
_REPLY_BY_NAME = {name: how for how, name in _REPLY_OF.items()}
# Which of several replies about a check-in one reply saying them all is: an answer the owner
# has not read stays an answer, and a change says the note as it is now.
_REPLY_ORDER = ("answer", "changed", "note")
# The outbox key of a check-in's question is this and the check-in's id.
ASK_KEY_PREFIX = "checkin:"
# The outbox kinds of a check-in's question and reminder, and how many of the person's working
# days each waits unsent.
ASK_KIND = "checkin"
REMINDER_KIND = "checkin.reminder"
# A card of a check-in closed unanswered, replaced in place (chat.update) without its buttons.
CLOSED_KIND = "checkin.closed"
# The outbox kind of a Problem's alert and of the notes that follow it in its thread.
PROBLEM_KIND = "checkin.problem"
# Why a Problem's alert not sent yet was withdrawn: its answer changed to another.
NO_PROBLEM = "the answer is no Problem any more"
# Why a check-in's reminder not sent yet was withdrawn: the check-in was answered meanwhile.
ANSWERED = "the check-in was answered"
CLOSED_UNANSWERED = "the check-in closed unanswered"
WAITING_DAYS = {ASK_KIND: ASK_WORKING_DAYS, REMINDER_KIND: REMINDER_WORKING_DAYS}


def _lapses_at(
    session: Session, team_id: str, user_id: str, kind: str, due_at: datetime
) -> datetime:
    """When a check-in message of `kind` due at `due_at` lapses unsent: `WAITING_DAYS` of the
    person's working days later, their time away as recorded now not counted."""
    return working_days_of(
        session, team_id=team_id, user_id=user_id, start=due_at, days=WAITING_DAYS[kind]
    ).at


def retime_waiting(session: Session, *, team_id: str, user_id: str, now: datetime) -> None:
    """Time again when the person's unsent check-in questions and reminders lapse, now that
    their time away changed (`bot.delivery.absence.Retime`)."""
    for message in outbox_store.waiting_for(
        session=session, team_id=team_id, user_id=user_id, kinds=WAITING_DAYS
    ):
        outbox_store.set_expiry(
            session=session,
            team_id=team_id,
            message_id=message.id,
            expires_at=_lapses_at(session, team_id, user_id, message.kind, message.due_at),
        )


def redue_for_hours(session: Session, *, team_id: str, now: datetime) -> None:
    """After a change of the workspace's hours, days or zone, in its transaction (before what
    waits is timed again, `bot.delivery.outbox.retime_for_hours`): a check-in question not sent
    yet and asked "the next working morning" is due at that morning under the hours as they are
    now, earlier as well as later. Its time was worked out from the hours of the moment it was
    queued, a window's start, which the new hours may well still contain."""
    settings = settings_of(session, team_id=team_id)
    if settings.checkin_delay_hours is not None:
        return  # a delay in hours does not depend on the working hours
    for checkin in store.open_checkins(session=session, team_id=team_id):
        # What it was asked after: the meeting, or (logged or moved later) when it was recorded.
        reference = max(checkin.meeting_at, checkin.created_at)
        tz = tz_of(session, team_id, checkin.user_id)
        due_at = due_time(reference, tz=tz, settings=settings)
        if due_at == checkin.due_at:
            continue
        expires_at = _lapses_at(session, team_id, checkin.user_id, ASK_KIND, due_at)
        if outbox_store.redue_unsent(
            session=session,
            team_id=team_id,
            dedupe_key=_ask_key(checkin),
            due_at=due_at,
            expires_at=expires_at,
        ):
            checkin.due_at = due_at
            session.add(checkin)
    session.flush()


def _problem_key(checkin: CheckIn) -> str:
    """The outbox key of a Problem's alert (notes given after it are replies in its thread)."""
    return f"checkin:{checkin.id}:problem"


def _ask_key(checkin: CheckIn) -> str:
    return f"{ASK_KEY_PREFIX}{checkin.id}"


def _reminder_key(checkin: CheckIn) -> str:
    return f"checkin:{checkin.id}:reminder"


def _checkin_of_key(dedupe_key: str) -> int | None:
    """The check-in whose question (`_ask_key`) or reminder (`_reminder_key`) was queued under
    `dedupe_key`; None for another key."""
    rest = dedupe_key.removeprefix(ASK_KEY_PREFIX).removesuffix(":reminder")
    return int(rest) if rest.isdigit() and rest != dedupe_key else None


# --- Planners -----------------------------------------------------------------------------------


def service_for(runtime: Runtime, messages: FeedbackMessages) -> CheckIns:
    """The check-in service over a runtime's database and clock."""
    return CheckIns(engine=runtime.engine, clock=runtime.clock, messages=messages)


def register_planners(planners: PlannerRegistry, messages: FeedbackMessages) -> None:
    """The check-in planners: create and ask; remind, close and alert."""

    def plan(runtime: Runtime, now: datetime) -> None:
        service_for(runtime, messages).plan(now)

    def follow_up(runtime: Runtime, now: datetime) -> None:
        service_for(runtime, messages).follow_up(now)

    planners.register_planner("checkins", plan, IntervalTrigger(minutes=1))

    def next_follow_up(runtime: Runtime, now: datetime) -> datetime | None:
        return service_for(runtime, messages).next_follow_up(after=now)

    planners.register_planner(
        "checkin-follow-ups", follow_up, IntervalTrigger(minutes=1), next_due=next_follow_up
    )


# --- What other features run in a check-in's transaction, and check-ins in theirs ----------------
def plan_dropped_by(touchpoints: Touchpoints, *, team_id: str) -> Callable[[Session, int], None]:
    """The touchpoints' part when a check-in says a planned meeting didn't happen, for the
    check-in service to run in its transaction."""

    def dropped(session: Session, touchpoint_id: int) -> None:
        touchpoints.plan_dropped(session, team_id=team_id, touchpoint_id=touchpoint_id)

    return dropped


def collide_again(
    touchpoints: Touchpoints, *, actor: Actor, change: PlanChange
) -> Callable[[Session, int], None]:
    """The touchpoints' collision rules for a planned meeting a check-in changed (moved, or put
    back after Didn't happen), for the check-in service to run in its transaction."""

    def collide(session: Session, touchpoint_id: int) -> None:
        touchpoints.plan_changed(session, actor=actor, touchpoint_id=touchpoint_id, change=change)

    return collide


def reword_after_role_change(
    runtime: Runtime,
    session: Session,
    actor: Actor,
    change: Handover | DeputyChange,
    *,
    messages: FeedbackMessages,
) -> None:
    """In the transaction of a handover or a change of deputy: the partner's check-in cards
    not sent yet name its owner, and whoever a Problem reaches, as they are now; after a
    handover, what the old owner's debriefs had waiting to go is the new owner's."""
    service = service_for(runtime, messages)
    service.reword_waiting_about(
        session, team_id=actor.team_id, partner_ids={change.facts.id}, now=runtime.clock.now()
    )
    if isinstance(change, Handover) and change.old_owner_id is not None:
        service.hand_over_debriefs(
            session,
            team_id=actor.team_id,
            partner_id=change.facts.id,
            old_owner_id=change.old_owner_id,
        )


def reword_after_merge(
    runtime: Runtime,
    session: Session,
    actor: Actor,
    merged: Merged,
    *,
    messages: FeedbackMessages,
    folded: str,
    debriefs_kept: Callable[[str, int, Merged, str], str],
) -> list[str]:
    """In a merge's transaction, once the history has moved: if both partners had a pulse
    round running, they go on as one (`Surveys.fold_rounds`), which the answer says (`folded`,
    the handlers' wording); the check-in cards and survey messages about the duplicate not sent
    yet are about the kept partner now, whose owner gets the answers; they say so, not the
    duplicate's name and owner as when they were queued. What the duplicate's owner's debriefs
    had waiting to go is the kept partner's owner's, as after a handover
    (`CheckIns.hand_over_debriefs`).

    A kept partner nobody owns has nobody to pass them to: they go to the duplicate's owner as
    queued, who was reading those threads and whom the people answering were told would read
    them, and the answer says so (`debriefs_kept`, the handlers' wording: the duplicate's owner,
    how many answers, the merge and who merged)."""
    service = service_for(runtime, messages)
    was_folded = survey_service.service_for(runtime, messages).fold_rounds(
        session, team_id=actor.team_id, partner_id=merged.kept.id
    )
    _reword_waiting(runtime, session, actor, merged.kept.id, messages=messages)
    said = [folded] if was_folded else []
    old_owner = merged.duplicate_owner_id
    if old_owner is None or old_owner == merged.kept.owner_id:
        return said
    if merged.kept.owner_id is None:
        waiting = service.debriefs_waiting(
            session, team_id=actor.team_id, partner_id=merged.kept.id, user_id=old_owner
        )
        if waiting:
            said.append(debriefs_kept(old_owner, waiting, merged, actor.user_id))
        return said
    service.hand_over_debriefs(
        session, team_id=actor.team_id, partner_id=merged.kept.id, old_owner_id=old_owner
    )
    return said


def withdraw_for_ended(
    runtime: Runtime,
    session: Session,
    actor: Actor,
    facts: PartnerFacts,
    *,
    messages: FeedbackMessages,
) -> list[str]:
    """In the transaction that ends a partner: its check-ins not sent yet are withdrawn
    (`CheckIns.withdraw_for_ended`); nothing to add to the answer."""
    service_for(runtime, messages).withdraw_for_ended(
        session, team_id=actor.team_id, partner_id=facts.id, now=runtime.clock.now()
    )
    return []


def reword_after_rename(
    runtime: Runtime,
    session: Session,
    actor: Actor,
    renamed: Renamed,
    *,
    messages: FeedbackMessages,
) -> None:
    """In a rename's transaction: the check-in cards and survey messages about the partner not
    sent yet name it as it is called now (a survey invitation queued to someone off duty said
    the old name once it went)."""
    _reword_waiting(runtime, session, actor, renamed.facts.id, messages=messages)


def _reword_waiting(
    runtime: Runtime, session: Session, actor: Actor, partner_id: int, *, messages: FeedbackMessages
) -> None:
    service_for(runtime, messages).reword_waiting_about(
        session, team_id=actor.team_id, partner_ids={partner_id}, now=runtime.clock.now()
    )
    survey_service.service_for(runtime, messages).reword_waiting_about(
        session, team_id=actor.team_id, partner_id=partner_id
    )
