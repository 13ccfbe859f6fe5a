"""Commitments: what our side promised a partner (`us`) and what the partner promised us (`them`),
by which day, who on our side owns it, the reminders that keep it from slipping, and the balance
of work between the two sides.

Each commitment has one owner on our side: for `us`, the colleague who delivers it; for `them`,
the colleague who follows it up and chases the partner. Its due day is a calendar day, read in
the caller's time zone when typed; "overdue" and "on time" are judged in the owner's zone.

Who may close or move a commitment: its owner, the partner's owner or deputy, whoever covers for
the owner while they are away, and admins; when someone else does, the owner is told in a note.
Anyone may read them (`commitments`, `show`).

Reminders (`plan_reminders`, a planner) go through the outbox, in the recipient's working hours:
- 3 working days before the due day,
- on the due day (the last working day on or before it, when it falls on a day off),
- then while overdue: the next working day after the due day, and once a week from then on: 7,
  14, 21… days after the due day (the next working day when that is a day off), until it is
  closed.
Derived, not triggered: each run finds the latest of these moments that has passed and queues
its message under a dedupe key naming the commitment, its due day and the moment, so a restart
sends nothing twice and a planner that was down sends one catch-up, not a backlog (an overdue
reminder that fell due in the current moment under another key counts too). Moments before
the due day was (last) set are skipped: a commitment recorded two days before it is due gets no
"3 days before" reminder. Closing or moving a commitment cancels its reminders not yet sent.
A reminder goes to the owner, or while the owner is away to their stand-in (`stand_in`), at its
moment in the recipient's zone; which moments count is judged in the owner's. When the owner's
time away changes, each reminder not sent yet goes to whoever hears for them at its moment
(`reroute_reminders`): to the stand-in when booked, back to the owner when ended early or
cancelled. The due-day
reminder says "is due" only on the due day: still unsent once that day is over for its recipient
(held while they were away), it is replaced by one saying the commitment is overdue.
An owner who has left the workspace is passed over for the partner's owner, else its deputy;
with neither here, the coordination channel (else each admin) is told once that the promises
have nobody to follow them up, and nobody is reminded until someone takes the partner over.
A commitment recorded for someone else is announced to its owner in a note. While that note has
reached nobody, a reminder to the owner names who recorded it (and a note still queued is
dropped); a note still queued once the due day is over for the owner says it is overdue. A note
that cannot reach the owner before their first reminder falls due is folded into that reminder
when it is queued, not minutes later by the planner, when the dispatcher may have sent it. A note
still queued when someone closes or re-dates the commitment is dropped with its reminders, and
the note about that change says what was recorded, and by whom, in its place.

Balance (`Balance`, `lopsided`): per partner, open and closed commitments of each side, those
kept on time and those kept late. A partner is flagged "lopsided workload" when one side carries
more than `LOPSIDED_SHARE` (70%) of the open commitments and at least `LOPSIDED_MIN_OPEN` (4) are
open: with fewer, any split looks lopsided (1 vs 0 is 100%) and says nothing about the workload.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from itertools import islice
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import Clock
from bot.dates import AHEAD_EXAMPLES, WEEKDAYS, DateError, check_span, parse_when
from bot.delivery.absence import (
    absence_when_reached,
    person_zone,
    reached_back_at,
    recipient_for_owner_alert,
)
from bot.delivery.outbox import enqueue, first_slot, withdraw_from_elsewhere
from bot.delivery.working_hours import WorkingHours, person_tz, zone
from bot.services import people
from bot.services.channels import Channels, route
from bot.services.feedback import Rendered
from bot.services.people import PeopleToLookUp
from bot.services.registry import Actor, Merged, PartnerFacts, Registry
from bot.services.touchpoints import PartnerGone, Reopening, ZoneUnknown, reopening_of
from storage import absences as absence_store
from storage import commitments as store
from storage import outbox as outbox_store
from storage import partners as partner_store
from storage.commitments import CommitmentFilter
from storage.models import (
    Commitment,
    CommitmentSide,
    CommitmentStatus,
    OutboxMessage,
    OutboxStatus,
    Partner,
    PartnerStatus,
)
from storage.people import get_profile, get_profiles
from storage.upsert import table_of
from storage.workspaces import get_workspaces

MAX_WHAT = 1000
# The zone furthest behind (UTC-12): its today is the earliest today anywhere.
EARLIEST_ZONE = ZoneInfo("Etc/GMT+12")
# Why a commitment was closed (`drop 3 no longer needed`): a sentence, not a document.
MAX_CLOSE_NOTE = 500
REMIND_WORKING_DAYS_BEFORE = 3
OVERDUE_EVERY_DAYS = 7
LOPSIDED_SHARE = 0.7
LOPSIDED_MIN_OPEN = 4
# The planner looks at commitments due within this many days: "3 working days before" is at
# most 21 days before in a workspace that works one day a week.
PLAN_AHEAD_DAYS = 31
REMINDERS_PER_PAGE = 500
LISTED = 40

# Message kinds in the outbox.
REMINDER = "commitment_reminder"
ASSIGNED = "commitment_assigned"
CHANGED = "commitment_changed"
# To the coordination channel (else the admins): promises whose owner left, with nobody left to
# hear for them (`Orphaned`).
ORPHANED = "commitment_orphaned"
# A message in these states has reached nobody, nor will it as queued.
_UNSENT = frozenset({OutboxStatus.PENDING, OutboxStatus.CANCELLED})
# How late a note that is also a reminder may go and still be that reminder: the dispatcher
# runs every few seconds, but Slack may make it wait.
NOTE_LEEWAY = timedelta(minutes=15)
# Why a message about an open commitment was withdrawn unsent when its partner ended
# (`quiet_for_ended`): a reminder cancelled so is queued afresh once the partner is reopened.
ENDED_REASON = "the partner ended"
# Why a message about a commitment was withdrawn unsent when the partner's owner handed it over
# with its follow-up (`hand_over_follow_ups`): it is forgotten at once, the new owner's queued.
HANDED_OVER_REASON = "followed up by the new owner"
# Why a note about a change is kept cancelled from the start: it was folded into the owner's
# reminder due then (`_tell_owner`), and is kept as it reads on its own, should that reminder go
# to a stand-in or outlive its day (`_unfold`).
FOLDED_REASON = "folded into the reminder due then"


def key_prefix(commitment_id: int) -> str:
    """The start of the dedupe key of every message about one commitment."""
    return f"commitment:{commitment_id}:"


def note_key(commitment_id: int) -> str:
    """The dedupe key of the note telling an owner that a colleague recorded it for them."""
    return f"{key_prefix(commitment_id)}assigned"


def changed_prefix(commitment_id: int) -> str:
    """The start of the dedupe key of the notes telling an owner a colleague changed it."""
    return f"{key_prefix(commitment_id)}changed:"


def _folded(message: OutboxMessage) -> bool:
    """Whether a reminder still queued is a colleague's note folded into it (`_tell_owner`): the
    only reminders queued without an expiry. Its news still has to reach the owner once the
    reminder's moment is past: then it goes as the note kept apart for it (`_unfold`)."""
    return message.kind == REMINDER and message.expires_at is None


def _fold_withdrawn(
    session: Session, team_id: str, commitment_id: int, note: OutboxMessage
) -> bool:
    """Whether the reminder that `note`, a colleague's note about the commitment kept apart,
    was folded into (`_tell_owner`, which queues it right after the note) was withdrawn unsent
    when its partner ended (`quiet_for_ended`): the note's news never reached the owner."""
    for key in outbox_store.keys_starting(
        session=session, team_id=team_id, prefix=key_prefix(commitment_id)
    ):
        message = outbox_store.get_message(session=session, team_id=team_id, dedupe_key=key)
        if (
            message is not None
            and _folded(message)
            and message.status == OutboxStatus.CANCELLED
            and message.last_error == ENDED_REASON
            and (message.id or 0) > (note.id or 0)
        ):
            return True
    return False


def _note_unsent(
    session: Session, team_id: str, commitment_id: int, *, owner_id: str, now: datetime
) -> bool:
    """Whether the owner has not yet heard that a colleague recorded the commitment for them:
    its note still waits (for their working hours or their return), or was folded into a first
    reminder that has not reached them either. A change cancelling those must say what was
    recorded, or the owner hears of a commitment they were never told of (QA21b BUG 6)."""
    note = outbox_store.get_message(
        session=session, team_id=team_id, dedupe_key=note_key(commitment_id)
    )
    if note is None or note.status not in _UNSENT:
        return False
    keys = outbox_store.keys_starting(
        session=session, team_id=team_id, prefix=key_prefix(commitment_id)
    )
    reached = outbox_store.delivered_to(session=session, team_id=team_id, dedupe_keys=keys, by=now)
    return owner_id not in reached.values()


# --- What the service answers -------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CommitmentFacts:
    """One commitment as people are shown it."""

    # Internal: what buttons and dedupe keys carry.
    id: int
    # What people read and type (`#3`), counted per workspace.
    number: int
    partner_id: int
    partner_name: str
    side: CommitmentSide
    owner_id: str
    what: str
    due_on: date
    status: CommitmentStatus
    created_by: str
    created_at: datetime
    closed_by: str | None
    closed_at: datetime | None
    on_time: bool | None
    # Days past the due day in the owner's time zone (0: not overdue, or closed).
    overdue_days: int
    # The owner's year when these facts were read: a due day in another year shows its year.
    this_year: int
    # Why it was closed, as typed after `done ID` or `drop ID` (None: nothing was said).
    close_note: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status is CommitmentStatus.OPEN


@dataclass(frozen=True)
class Balance:
    """A partner's commitments (or several partners' together) by side and outcome."""

    open_us: int = 0
    open_them: int = 0
    overdue_us: int = 0
    overdue_them: int = 0
    kept_us: int = 0
    kept_them: int = 0
    late_us: int = 0
    late_them: int = 0
    dropped_us: int = 0
    dropped_them: int = 0

    @property
    def open(self) -> int:
        return self.open_us + self.open_them

    @property
    def closed(self) -> int:
        return (
            self.kept_us
            + self.kept_them
            + self.late_us
            + self.late_them
            + self.dropped_us
            + self.dropped_them
        )

    @property
    def lopsided(self) -> CommitmentSide | None:
        """The side carrying too much of the open work (see `lopsided`)."""
        return lopsided(self.open_us, self.open_them)

    def share(self, side: CommitmentSide) -> float:
        """The part of the open commitments that `side` carries (0 when none is open)."""
        if not self.open:
            return 0.0
        return (self.open_us if side is CommitmentSide.US else self.open_them) / self.open


def lopsided(open_us: int, open_them: int) -> CommitmentSide | None:
    """The side that carries more than 70% of the open commitments, once at least 4 are open."""
    total = open_us + open_them
    if total < LOPSIDED_MIN_OPEN:
        return None
    if open_us / total > LOPSIDED_SHARE:
        return CommitmentSide.US
    if open_them / total > LOPSIDED_SHARE:
        return CommitmentSide.THEM
    return None


class Stage(StrEnum):
    BEFORE = "before"
    DUE = "due"
    OVERDUE = "overdue"


@dataclass(frozen=True, kw_only=True)
class Recorded:
    """What `record` did."""

    commitment: CommitmentFacts
    partner: PartnerFacts
    balance: Balance
    # The owner was told about it (someone else recorded it for them).
    owner_told: bool
    # The owner was picked in a form and Slack is still to say whether they are a colleague
    # (asked after the ack): they are told only if so, and the answer does not say they were.
    owner_unconfirmed: bool = False
    # A repeat of a request recorded before (a Slack retry): nothing new was saved.
    repeated: bool = False
    # The same promise was open already (same partner, side, owner, words and due day): it
    # is `commitment`, and nothing new was saved.
    already_open: bool = False
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    # The first reminder still to come: one whose moment had passed when it was recorded
    # (`by today`, three working days before `by tomorrow`) is not sent.
    first_reminder: Stage = Stage.BEFORE
    # The time of day typed with the due day (`by friday 14:00`): a commitment is due on a day.
    time_left_out: time | None = None
    # The due day typed was today's weekday alone (`by monday` on a Monday): read as next week's.
    weekday_today: bool = False
    # Who hears that first reminder instead of the owner, away then (their stand-in); None
    # when the owner does.
    first_reminder_to: str | None = None
    # The day of the due day's reminder when the due day is no working day (the working day
    # before it); None when it is the due day.
    due_reminder_on: date | None = None


@dataclass(frozen=True, kw_only=True)
class Closed:
    """What `close` (or `reopen`) did."""

    commitment: CommitmentFacts
    balance: Balance
    # How it had been closed, when `reopen` opened it again.
    reopened_from: CommitmentStatus | None = None


@dataclass(frozen=True, kw_only=True)
class Redated:
    """What `redate` did: the commitment as it is now, and the day it was due before."""

    commitment: CommitmentFacts
    was_due: date

    @property
    def moved(self) -> bool:
        return self.commitment.due_on != self.was_due


class Scope(StrEnum):
    ALL = "all"
    MINE = "mine"
    OVERDUE = "overdue"
    PARTNER = "partner"


@dataclass(frozen=True, kw_only=True)
class Listing:
    """A page of `commitments`: open ones, earliest due first, and the balance."""

    scope: Scope
    partner: PartnerFacts | None
    items: list[CommitmentFacts]
    # Open commitments matching the scope beyond those shown.
    more: int
    # Of the listed scope (one partner, or all the partners it spans, closed ones included).
    balance: Balance
    # Partners of the listing whose open work is lopsided, and the side that carries it.
    lopsided: list[tuple[str, CommitmentSide, float]]


@dataclass(frozen=True, kw_only=True)
class ClosedListing:
    """A page of `commitments closed`: the latest closed first."""

    # Done, dropped or both.
    statuses: tuple[CommitmentStatus, ...]
    # One partner's (None: every partner's).
    partner: PartnerFacts | None
    # Only those the caller owns or follows up.
    mine: bool
    items: list[CommitmentFacts]
    # Closed ones matching beyond those shown.
    more: int


@dataclass(frozen=True, kw_only=True)
class PartnerCommitments:
    """A partner's open commitments and balance, for its card (`show`), `check` and health."""

    partner_id: int
    open: list[CommitmentFacts]
    more: int
    balance: Balance


@dataclass(frozen=True)
class ReminderMoment:
    """When one reminder about a commitment is due, and until when it is worth sending."""

    stage: Stage
    # The n-th overdue reminder: 1 the next working day after the due day, then one a week (0 for
    # the others).
    week: int
    at: datetime
    until: datetime

    @property
    def key(self) -> str:
        return f"{self.stage}:{self.week}" if self.stage is Stage.OVERDUE else str(self.stage)


@dataclass(frozen=True, kw_only=True)
class Reminder:
    """A reminder as its recipient is told it."""

    commitment: CommitmentFacts
    stage: Stage
    recipient: str
    # The owner the recipient covers for while they are away (None: the recipient owns it).
    covering_for: str | None
    tz: ZoneInfo
    # Who recorded it for the recipient, its owner, when the note saying so never reached them.
    recorded_by: str | None = None
    # It waits for the recipient's return from time away: how many working days are left is
    # not known when they read it.
    held: bool = False
    # Working days left from the day they read it to the due day (`working_days_between`).
    working_days_left: int = REMIND_WORKING_DAYS_BEFORE
    # Its owner has left the workspace (`has_left`): the recipient hears for the partner, and
    # is told how to hand it over.
    owner_left: bool = False


@dataclass(frozen=True, kw_only=True)
class Assigned:
    """To an owner: a colleague recorded a commitment that they own."""

    commitment: CommitmentFacts
    by: str
    tz: ZoneInfo
    # The first reminder still to come (`Recorded.first_reminder`).
    first_reminder: Stage = Stage.BEFORE
    # Who hears that first reminder instead of the owner, away then (`Recorded.first_reminder_to`).
    first_reminder_to: str | None = None
    # The day of the due day's reminder, when not the due day (`Recorded.due_reminder_on`).
    due_reminder_on: date | None = None


@dataclass(frozen=True, kw_only=True)
class Changed:
    """To an owner: a colleague closed, dropped or re-dated a commitment that they own."""

    commitment: CommitmentFacts
    by: str
    # The due day before a re-date (None: it was closed, or reopened).
    was_due: date | None = None
    # How it had been closed, when it was reopened (`reopen ID`).
    reopened_from: CommitmentStatus | None = None
    # The note telling the owner that a colleague recorded it for them had not reached them
    # and was dropped with this change: this one says what was recorded, and by whom.
    unannounced: bool = False
    # The owner's reminder due now, which this note is too (reopened on its due day, or moved
    # after their hours to the next day, say): it says what that reminder would, so the owner
    # gets one message, not two.
    reminder: Stage | None = None


@dataclass(frozen=True, kw_only=True)
class Orphaned:
    """To the coordination channel (else each admin): the open promises with a partner whose
    owner (`owner_id`) has left the workspace, with nobody left to hear for them: the partner's
    owner is the same person, or has left too, and its deputy has left or there is none. Its
    owner is reminded no more; whoever takes the partner over is."""

    partner_name: str
    owner_id: str
    # The partner's owner and deputy as they stand (None: it has none).
    partner_owner_id: str | None
    partner_deputy_id: str | None
    # The first `LISTED` of them, earliest due first; `more`: how many are left out.
    commitments: list[CommitmentFacts]
    more: int = 0


@dataclass(frozen=True)
class DueReminder:
    """A reminder the planner would queue for the owner: its stage, dedupe key, expiry, and
    when it falls due (its moment, or now when that has passed)."""

    stage: Stage
    key: str
    expires_at: datetime
    due_at: datetime


class CommitmentMessages(Protocol):
    """The wording of what the commitments service sends (`handlers.blocks.commitments`)."""

    def reminder(self, reminder: Reminder) -> Rendered: ...

    def assigned(self, note: Assigned) -> Rendered: ...

    def changed(self, note: Changed) -> Rendered: ...

    def orphaned(self, note: Orphaned) -> Rendered: ...


# --- What the service refuses -------------------------------------------------------------------


class Problem(StrEnum):
    NO_WHAT = "no_what"
    WHAT_TOO_LONG = "what_too_long"
    NO_DATE = "no_date"
    UNREADABLE_DATE = "unreadable_date"
    PAST_DUE = "past_due"
    TOO_FAR = "too_far"


class BadCommitment(Exception):
    """A commitment that cannot be recorded as described; nothing was saved."""

    def __init__(
        self,
        problem: Problem,
        *,
        detail: str = "",
        typed: str | None = None,
        day: date | None = None,
        today: date | None = None,
        length: int = 0,
    ) -> None:
        super().__init__(f"{problem}: {detail or typed or day or length or ''}")
        self.problem = problem
        self.detail = detail
        self.length = length
        self.typed = typed
        self.day = day
        self.today = today


class PartnerEnded(Exception):
    """A commitment about a partner whose partnership has ended: nobody follows it any more
    (README), so nothing would remind anyone of it; reopening the partner comes first."""

    def __init__(self, partner: PartnerFacts, reopening: Reopening) -> None:
        super().__init__(f"partner {partner.id} has ended")
        self.partner = partner
        self.reopening = reopening


class CommitmentGone(Exception):
    """No such commitment in the workspace: none with the `number` typed, or (None) the one a
    button or form named is no longer there."""

    def __init__(self, number: int | None = None) -> None:
        super().__init__(f"no commitment #{number}" if number is not None else "commitment gone")
        self.number = number


class NotAllowedToClose(Exception):
    """The caller may not close or move this commitment; `who` may. `covers_from`: the caller
    is the deputy the owner named for time away still to come, which begins then (in the
    caller's time zone): from then on they may."""

    def __init__(
        self,
        commitment: CommitmentFacts,
        partner: PartnerFacts,
        covers_from: datetime | None = None,
    ) -> None:
        super().__init__(f"may not change commitment #{commitment.number}")
        self.commitment = commitment
        self.partner = partner
        self.covers_from = covers_from


class NotClosed(Exception):
    """`reopen` of a commitment that is open."""

    def __init__(self, commitment: CommitmentFacts) -> None:
        super().__init__(f"commitment {commitment.number} is open")
        self.commitment = commitment


class AlreadyClosed(Exception):
    def __init__(self, commitment: CommitmentFacts) -> None:
        super().__init__(f"commitment #{commitment.number} is {commitment.status}")
        self.commitment = commitment


# --- Pure rules ---------------------------------------------------------------------------------


def check_what(what: str) -> str:
    """What was promised, trimmed; raises BadCommitment when it is missing or too long."""
    text = " ".join(what.split())
    if not text:
        raise BadCommitment(Problem.NO_WHAT)
    if len(text) > MAX_WHAT:
        raise BadCommitment(Problem.WHAT_TOO_LONG, length=len(text))
    return text


def check_due(day: date, *, today: date, typed: str | None = None) -> date:
    """A due day: today or later, and not so far ahead as to be a typo (`check_span`)."""
    if day < today:
        raise BadCommitment(Problem.PAST_DUE, typed=typed, day=day, today=today)
    try:
        check_span(day, today=today, ahead=True, typed=typed)
    except DateError as error:
        raise BadCommitment(
            Problem.TOO_FAR, detail=str(error), typed=typed, day=day, today=today
        ) from None
    return day


def _bare_weekday(typed: str | None) -> bool:
    """Whether a due day was typed as a weekday alone (`monday`, `Mon.`), no time nor week."""
    words = (typed or "").lower().rstrip(".!").split()
    return (
        len(words) == 1
        and len(words[0]) >= 3
        and any(name.startswith(words[0]) for name in WEEKDAYS)
    )


def due_reminder_on(due_on: date, hours: WorkingHours) -> date | None:
    """The day the reminder "on the day" goes when `due_on` is no working day: the working day
    before it (`reminder_moments`); None when it is a working day."""
    day = working_day_on_or_before(due_on, hours)
    return None if day == due_on else day


def working_day_on_or_before(day: date, hours: WorkingHours) -> date:
    while day.weekday() not in hours.days:
        day -= timedelta(days=1)
    return day


def working_day_on_or_after(day: date, hours: WorkingHours) -> date:
    while day.weekday() not in hours.days:
        day += timedelta(days=1)
    return day


def working_days_between(after: date, until: date, hours: WorkingHours) -> int:
    """How many working days there are after `after`, up to `until` and counting it: from the
    Wednesday before a Saturday, 2 (the Thursday and the Friday) on a Monday-to-Friday week."""
    return sum(
        (after + timedelta(days=offset)).weekday() in hours.days
        for offset in range(1, (until - after).days + 1)
    )


def working_days_before(day: date, count: int, hours: WorkingHours) -> date:
    """The `count`-th working day before `day` (not counting `day` itself)."""
    left = count
    while left > 0:
        day -= timedelta(days=1)
        if day.weekday() in hours.days:
            left -= 1
    return day


def _opening(day: date, tz: ZoneInfo, hours: WorkingHours) -> datetime:
    return datetime.combine(day, time(hours.start_hour), tzinfo=tz).astimezone(UTC)


def reminder_moments(due_on: date, *, tz: ZoneInfo, hours: WorkingHours) -> Iterator[datetime]:
    """Every reminder moment of a commitment due on `due_on`, in order, without end: 3 working
    days before, the due day, the next working day after it, then weekly while overdue (each at
    the opening of the owner's working day, queued `at_opening` so that a morning's reminders
    are spread over its first minutes; a week's that falls on the first overdue day is that
    one)."""
    yield _opening(working_days_before(due_on, REMIND_WORKING_DAYS_BEFORE, hours), tz, hours)
    yield _opening(working_day_on_or_before(due_on, hours), tz, hours)
    last = working_day_on_or_after(due_on + timedelta(days=1), hours)
    yield _opening(last, tz, hours)
    week = 1
    while True:
        later = working_day_on_or_after(due_on + timedelta(days=OVERDUE_EVERY_DAYS * week), hours)
        if later > last:
            yield _opening(later, tz, hours)
            last = later
        week += 1


def _stage(index: int) -> Stage:
    """The stage of the `index`-th of `reminder_moments`."""
    return Stage.BEFORE if index == 0 else Stage.DUE if index == 1 else Stage.OVERDUE


def first_reminder(
    due_on: date, *, after: datetime, tz: ZoneInfo, hours: WorkingHours
) -> tuple[Stage, datetime]:
    """The first reminder moment after `after` (when the due day was set) of a commitment due
    on `due_on`, the first reminder that will be sent, and which one it is: those whose moment
    had passed (`by today`) are not sent."""
    return next(
        (_stage(index), moment)
        for index, moment in enumerate(reminder_moments(due_on, tz=tz, hours=hours))
        if moment > after
    )


def current_reminder(
    due_on: date,
    *,
    set_at: datetime,
    now: datetime,
    tz: ZoneInfo,
    hours: WorkingHours,
    owner_tz: ZoneInfo | None = None,
) -> ReminderMoment | None:
    """The latest reminder moment in `tz` (the recipient's) that has passed at `now`, with the
    next moment as its expiry; None when there is none.

    Which reminders a commitment has is decided in its owner's zone (`owner_tz`, else `tz`):
    those after `set_at` (when the due day was set), the ones promised when it was recorded. A
    stand-in elsewhere gets each at its moment in their own zone, or at `set_at` when that moment
    had passed already: the reminder is theirs to hear, not skipped.
    """
    owner_moments = reminder_moments(due_on, tz=owner_tz or tz, hours=hours)
    latest: tuple[int, datetime, datetime] | None = None
    for index, moment in enumerate(reminder_moments(due_on, tz=tz, hours=hours)):
        promised = next(owner_moments)
        if moment > now:
            if latest is None or latest[2] <= set_at:
                return None
            number, at, _ = latest
            return ReminderMoment(
                stage=_stage(number), week=max(0, number - 1), at=max(at, set_at), until=moment
            )
        latest = (index, moment, promised)
    raise AssertionError("reminder moments never end")


def reminder_expiry(
    due_on: date, stage: Stage, week: int, *, tz: ZoneInfo, hours: WorkingHours
) -> datetime:
    """Until when the reminder at `stage` (the `week`-th overdue one; 0: the one that replaces
    "is due") is worth sending to someone in `tz`: the next reminder's moment in their zone.
    "Is due" is true only until the due day ends for them: unsent by then, the planner's next
    run queues the one saying it is overdue instead (`_queue_reminder`)."""
    index = 0 if stage is Stage.BEFORE else 1 + week  # in `reminder_moments`
    until = next(islice(reminder_moments(due_on, tz=tz, hours=hours), index + 1, None))
    return min(until, end_of_day(due_on, tz)) if stage is Stage.DUE else until


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The midnight that ends `day` in `tz`."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)


def on_time(closed_on: date, due_on: date) -> bool:
    return closed_on <= due_on


# --- The service --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class NewCommitment:
    """A commitment as the caller described it: the due day typed (`by friday`, read in the
    caller's time zone) or picked from a calendar."""

    side: CommitmentSide
    what: str
    owner_id: str | None = None
    due_text: str | None = None
    due_on: date | None = None


class Commitments:
    """Commitments of every workspace, over one database."""

    def __init__(
        self,
        *,
        engine: Engine,
        clock: Clock,
        registry: Registry,
        messages: CommitmentMessages,
        default_channel: str | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.registry = registry
        self.messages = messages
        # The server's default channel (LIAISON_DEFAULT_CHANNEL), after the coordination one.
        self.default_channel = default_channel

    # --- Recording -----------------------------------------------------------------------------

    def record(
        self,
        *,
        actor: Actor,
        partner: str | int,
        new: NewCommitment,
        request_key: str | None = None,
    ) -> Recorded:
        """Record a commitment about `partner` (a name as typed, or an id picked in a form).

        Raises BadCommitment, UnknownPartner, PartnerGone, PartnerEnded, NotInWorkspace,
        PeopleToLookUp (an owner Liaison never saw) or ZoneUnknown, all before anything is
        written. When someone records it for another owner, that owner is told (through the
        outbox).
        """
        team_id, now = actor.team_id, self.clock.now()
        what = check_what(new.what)
        owner_id = new.owner_id or actor.user_id
        with Session(self.engine) as session:
            if request_key is not None:
                done = store.commitment_with_key(
                    session=session, team_id=team_id, request_key=request_key
                )
                if done is not None:
                    return self._replayed(session, actor, done, new)
            tz, guessed = self._caller_zone(session, actor, needed=new.due_text is not None)
            due_on, time_left_out, weekday_today = self._read_due(
                new, tz=tz, now=now, guessed=guessed
            )
            found = self._partner(session, team_id, partner)
            if found.status == PartnerStatus.ENDED:
                facts_of_partner = self._partner_facts(session, found)
                raise PartnerEnded(
                    facts_of_partner, reopening_of(session, actor, facts_of_partner, now)
                )
            if owner_id != actor.user_id:
                unknown = people.vet_mentions(
                    session, team_id=team_id, user_ids=[owner_id], check=actor.check, now=now
                )
                if unknown:
                    raise PeopleToLookUp(unknown)
            same = _same_open(session, team_id, _id(found), new.side, owner_id, what, due_on)
            if same is not None and request_key is not None and same.request_key == request_key:
                # This very request, recorded by its first delivery between the key's look-up
                # above and now (Slack's retry racing it): answered as the first was.
                return self._replayed(session, actor, same, new)
            if same is not None:
                # The line sent again (it seemed not to go through, or was pasted twice): one
                # promise, reminded once, not two in every list and reminder.
                return replace(
                    self._recorded(session, actor, same, repeated=True), already_open=True
                )
            commitment_id = store.insert_commitment(
                session=session,
                team_id=team_id,
                partner_id=_id(found),
                side=new.side,
                owner_id=owner_id,
                what=what,
                due_on=due_on,
                created_by=actor.user_id,
                now=now,
                request_key=request_key,
            )
            if commitment_id is None:
                # The same request, retried while the first one was being recorded.
                session.rollback()
                assert request_key is not None
                done = store.commitment_with_key(
                    session=session, team_id=team_id, request_key=request_key
                )
                assert done is not None, "a taken request key belongs to a commitment"
                return self._replayed(session, actor, done, new)
            row = store.get_commitment(
                session=session, team_id=team_id, commitment_id=commitment_id
            )
            assert row is not None
            facts = self._facts(session, row, found.name, now)
            if owner_id != actor.user_id:
                # No expiry: still unsent when a reminder falls due for the owner, the note is
                # dropped and the reminder names who recorded it; still unsent once the due day
                # is over, it says the commitment is overdue (the reminders planner sees to
                # both). A reminder to a stand-in leaves it waiting for the owner.
                workspace = get_workspaces(session=session, team_ids=[team_id]).get(team_id)
                hours = WorkingHours.of(workspace)
                note, first_at = self._assigned(session, row, found, facts, hours=hours)
                message = self.messages.assigned(note)
                enqueue(
                    session,
                    team_id=team_id,
                    kind=ASSIGNED,
                    recipient_user=owner_id,
                    text=message.text,
                    blocks=message.blocks,
                    due_at=now,
                    dedupe_key=note_key(commitment_id),
                    respect_working_hours=True,
                )
                self._fold_note_now(session, row, found, first_at, hours=hours, now=now)
            recorded = self._recorded(
                session,
                actor,
                row,
                repeated=False,
                facts=facts,
                time_left_out=time_left_out,
                weekday_today=weekday_today,
            )
            session.commit()
        return recorded

    def _read_due(
        self, new: NewCommitment, *, tz: ZoneInfo, now: datetime, guessed: bool = False
    ) -> tuple[date, time | None, bool]:
        """The due day of `new` read in `tz` at `now` (`guessed`: as `_due`), the time of day
        left out of it, and whether a weekday typed alone was today's, so next week's."""
        due_on, time_left_out = self._due(new.due_text, new.due_on, tz=tz, now=now, guessed=guessed)
        # `by monday` typed on a Monday: a promise due today is said `by today` (or `eod`);
        # the weekday is most likely next week's, and the answer says it was so read.
        weekday_today = due_on == now.astimezone(tz).date() and _bare_weekday(new.due_text)
        if weekday_today:
            due_on += timedelta(days=7)
        return due_on, time_left_out, weekday_today

    def _replayed(
        self, session: Session, actor: Actor, row: Commitment, new: NewCommitment
    ) -> Recorded:
        """The answer to a request recorded before (Slack's retry), as the first was: its due
        day read again as it was then, at its time and in the caller's zone as known now, for
        what the first answer said of it (a time left out, a weekday read as next week's).
        Read otherwise now (the first was read in a zone guessed), only the day kept is said."""
        tz = person_zone(session, team_id=actor.team_id, user_id=actor.user_id)
        left_out, weekday_today = None, False
        try:
            due_on, then_left_out, then_weekday_today = self._read_due(
                new, tz=tz, now=row.created_at
            )
        except BadCommitment:
            pass
        else:
            if due_on == row.due_on:
                left_out, weekday_today = then_left_out, then_weekday_today
        return self._recorded(
            session,
            actor,
            row,
            repeated=True,
            time_left_out=left_out,
            weekday_today=weekday_today,
        )

    def _fold_note_now(
        self,
        session: Session,
        row: Commitment,
        partner: Partner,
        first_at: datetime,
        *,
        hours: WorkingHours,
        now: datetime,
    ) -> None:
        """Fold the note just queued into the owner's first reminder (due at `first_at`) now,
        when the note cannot reach the owner before that reminder falls due for them: queued
        outside their working hours for the morning of that reminder, or while they are away.
        The reminders planner would fold it at `first_at` as well, but `serve` runs it every
        few minutes and the dispatcher every few seconds: the note would go out first, and
        the owner would read both. What is queued is what the planner queues at `first_at`,
        so its later runs find it there."""
        team_id = row.team_id
        reached = reached_back_at(session, team_id=team_id, user_id=row.owner_id, now=now)
        if reached < first_at:
            return  # the note goes first; the reminder follows on its day
        facts = self._partner_facts(session, partner)
        hears = stand_in(
            session, team_id=team_id, owner_id=row.owner_id, partner=facts, now=first_at
        )
        if hears != row.owner_id:
            return  # a stand-in hears at `first_at`; the note waits for the owner
        note = self._untold(session, row)
        self._queue_reminder(
            session, row, partner.name, row.owner_id, note=note, hours=hours, now=first_at
        )

    def _recorded(
        self,
        session: Session,
        actor: Actor,
        row: Commitment,
        *,
        repeated: bool,
        facts: CommitmentFacts | None = None,
        time_left_out: time | None = None,
        weekday_today: bool = False,
    ) -> Recorded:
        found = partner_store.get_partner(
            session=session, team_id=row.team_id, partner_id=row.partner_id
        )
        if found is None:
            raise PartnerGone()
        now = self.clock.now()
        workspace = get_workspaces(session=session, team_ids=[row.team_id]).get(row.team_id)
        hours = WorkingHours.of(workspace)
        first, first_at = first_reminder(
            row.due_on,
            after=row.due_set_at,
            tz=person_zone(session, team_id=row.team_id, user_id=row.owner_id),
            hours=hours,
        )
        partner = self._partner_facts(session, found)
        # As the planner will judge it then: an owner away that day is covered by another.
        hears = stand_in(
            session, team_id=row.team_id, owner_id=row.owner_id, partner=partner, now=first_at
        )
        return Recorded(
            commitment=facts or self._facts(session, row, found.name, now),
            partner=partner,
            balance=self._balances(session, row.team_id, [row.partner_id], now)[row.partner_id],
            owner_told=row.owner_id != row.created_by,
            repeated=repeated,
            tz=person_zone(session, team_id=actor.team_id, user_id=actor.user_id),
            first_reminder=first,
            time_left_out=time_left_out,
            weekday_today=weekday_today,
            first_reminder_to=None if hears == row.owner_id else hears,
            due_reminder_on=due_reminder_on(row.due_on, hours),
        )

    # --- Closing and moving --------------------------------------------------------------------

    def quiet_for_ended(self, session: Session, *, team_id: str, partner_id: int) -> int:
        """In the transaction of `status NAME ended`: what waits unsent about the partner's open
        commitments (a reminder queued for the owner's working hours, a note) is withdrawn, as
        nobody follows an ended partner; reopened, its reminders come again (`_queue_reminder`
        queues one withdrawn here afresh) and so do its notes (`resume_for_reopened`). How
        many."""
        open_ones = store.commitments(
            session=session,
            team_id=team_id,
            where=CommitmentFilter(status=CommitmentStatus.OPEN, partner_ids=(partner_id,)),
        )
        return sum(
            outbox_store.cancel_unsent(
                session=session,
                team_id=team_id,
                key_prefix=key_prefix(row.id),
                reason=ENDED_REASON,
            )
            for row in open_ones
            if row.id is not None
        )

    @staticmethod
    def from_duplicate(merged: Merged) -> tuple[int, ...]:
        """The commitments a merge moved from the duplicate to the kept partner."""
        return merged.moved_ids.get(table_of(Commitment).name, ())

    def hand_over_follow_ups(
        self,
        session: Session,
        *,
        team_id: str,
        partner_id: int,
        old_owner_id: str,
        new_owner_id: str,
        now: datetime,
        among: Collection[int] | None = None,
    ) -> list[CommitmentFacts]:
        """In a handover's transaction: the partner's open promises to us (`them`) that its old
        owner follows up (only those of `among` when given: after a merge, the duplicate's) go
        to the new owner, who is to chase the partner now; ours (`us`) stay with whoever
        delivers them. A commitment does not record why its follower follows it up (as the
        partner's owner, or named for it), so each the old owner follows up moves:
        a chase left with them goes around the partner's accountable contact, whom nobody
        would tell of it, while one moved wrongly is told to both. What waits unsent about
        each (its reminder, to the old owner or whoever covers for them; a note to the old
        owner) is withdrawn, and the reminder due now is queued for whoever hears for the new
        owner (`_remind`); those to come follow as for any commitment. The moved ones."""
        rows = store.commitments(
            session=session,
            team_id=team_id,
            where=CommitmentFilter(
                status=CommitmentStatus.OPEN, partner_ids=(partner_id,), owner_id=old_owner_id
            ),
        )
        moved: list[Commitment] = []
        for row in rows:
            assert row.id is not None
            if among is not None and row.id not in among:
                continue
            if row.side != CommitmentSide.THEM or not store.replace_owner(
                session=session,
                team_id=team_id,
                commitment_id=row.id,
                owner_id=new_owner_id,
                instead_of=old_owner_id,
            ):
                continue
            prefix = key_prefix(row.id)
            outbox_store.cancel_unsent(
                session=session, team_id=team_id, key_prefix=prefix, reason=HANDED_OVER_REASON
            )
            for reason in (HANDED_OVER_REASON, ENDED_REASON):
                outbox_store.forget_cancelled(
                    session=session, team_id=team_id, key_prefix=prefix, reason=reason
                )
            # Recorded for the old owner: no reminder to the new one says it was for them.
            outbox_store.forget_cancelled(
                session=session, team_id=team_id, dedupe_key=note_key(row.id)
            )
            session.refresh(row)
            moved.append(row)
        if not moved:
            return []
        workspace = get_workspaces(session=session, team_ids=[team_id]).get(team_id)
        hours = WorkingHours.of(workspace)
        for row in moved:
            self._remind(session, row, hours=hours, now=now)
        found = partner_store.get_partner(session=session, team_id=team_id, partner_id=partner_id)
        assert found is not None
        return [self._facts(session, row, found.name, now) for row in moved]

    def resume_for_reopened(
        self, session: Session, *, team_id: str, partner_id: int, now: datetime
    ) -> int:
        """In the transaction that reopens an ended partner: the notes about its open
        commitments withdrawn unsent when it ended (`quiet_for_ended`) are queued again, due
        now in their reader's working hours: the note saying a colleague recorded one for its
        owner, and the latest saying someone changed it (a new date, a reopening); that one
        too when it was folded into a reminder withdrawn so (`_tell_owner`), as it reads on its
        own (kept apart then): the reminder comes back plain, and the owner would never hear of
        the change. Its reminders come again with the planner's next run (`_queue_reminder`). How
        many notes."""
        open_ones = store.commitments(
            session=session,
            team_id=team_id,
            where=CommitmentFilter(status=CommitmentStatus.OPEN, partner_ids=(partner_id,)),
        )
        resumed = 0
        for row in open_ones:
            assert row.id is not None
            notes = (
                outbox_store.get_message(
                    session=session, team_id=team_id, dedupe_key=note_key(row.id)
                ),
                # Only the latest: an earlier one was replaced by it.
                outbox_store.latest_with_prefix(
                    session=session, team_id=team_id, key_prefix=changed_prefix(row.id)
                ),
            )
            for note in notes:
                if note is None or note.recipient_user is None:
                    continue
                reason = ENDED_REASON
                if note.last_error == FOLDED_REASON:
                    if not _fold_withdrawn(session, team_id, row.id, note):
                        continue  # the reminder it was folded into went, or is going
                    reason = FOLDED_REASON
                    session.expunge(note)  # read as it is: its row is forgotten before it is queued
                if not outbox_store.forget_cancelled(
                    session=session,
                    team_id=team_id,
                    dedupe_key=note.dedupe_key,
                    reason=reason,
                ):
                    continue
                resumed += self._queue_again(session, team_id, note, now)
        return resumed

    def close(
        self,
        *,
        actor: Actor,
        status: CommitmentStatus,
        commitment_id: int | None = None,
        number: int | None = None,
        note: str | None = None,
    ) -> Closed:
        """Close an open commitment (by its id from a button, or by the workspace's `number`
        as typed) as done or dropped, recording who and when, and why (`note`) if said;
        reminders not yet sent are cancelled. Raises CommitmentGone, NotAllowedToClose,
        AlreadyClosed or PeopleToLookUp (whether the caller is an admin needs Slack)."""
        assert status is not CommitmentStatus.OPEN
        team_id, now = actor.team_id, self.clock.now()
        with Session(self.engine) as session:
            commitment_id = _resolve(session, team_id, commitment_id, number)
            row, facts = self._changeable(session, actor, commitment_id, now)
            owner_today = now.astimezone(self._zone(session, team_id, row.owner_id)).date()
            kept = on_time(owner_today, row.due_on) if status is CommitmentStatus.DONE else None
            if not store.close_commitment(
                session=session,
                team_id=team_id,
                commitment_id=commitment_id,
                status=status,
                by=actor.user_id,
                at=now,
                on_time=kept,
                note=note,
            ):
                session.rollback()
                raise AlreadyClosed(self._reread(session, team_id, commitment_id, now))
            unannounced = _note_unsent(
                session, team_id, commitment_id, owner_id=row.owner_id, now=now
            )
            store.cancel_unsent(
                session=session, team_id=team_id, key_prefix=key_prefix(commitment_id)
            )
            session.flush()
            closed = self._reread(session, team_id, commitment_id, now)
            change = Changed(commitment=closed, by=actor.user_id, unannounced=unannounced)
            self._tell_owner(session, actor, change, now)
            balance = self._balances(session, team_id, [facts.partner_id], now)[facts.partner_id]
            session.commit()
        return Closed(commitment=closed, balance=balance)

    def reopen(
        self,
        *,
        actor: Actor,
        commitment_id: int | None = None,
        number: int | None = None,
    ) -> Closed:
        """Open again a commitment closed (done or dropped) by mistake: who closed it, when and
        why are forgotten; its reminders go on (the latest one it missed while closed comes at
        the planner's next run, a reminder withdrawn when it was closed included), and its
        owner is told when someone else reopened it, unless they never heard it was closed (the
        note saying so still waited for them: then the note that closing withdrew unsent, a
        new date most often, comes instead). When a reminder to the owner is due now (reopened
        on its due day, or after it), the note to them is that reminder too. The same people may
        reopen it as may close it.
        Raises CommitmentGone, NotClosed, NotAllowedToClose, PartnerEnded (reopen the partner
        first) or PeopleToLookUp."""
        team_id, now = actor.team_id, self.clock.now()
        with Session(self.engine) as session:
            commitment_id = _resolve(session, team_id, commitment_id, number)
            _, before = self._changeable(session, actor, commitment_id, now, closed=True)
            partner = self._partner(session, team_id, before.partner_id)
            if partner.status == PartnerStatus.ENDED:
                # Nobody follows an ended partner: it would remind nobody.
                facts_of_partner = self._partner_facts(session, partner)
                raise PartnerEnded(
                    facts_of_partner, reopening_of(session, actor, facts_of_partner, now)
                )
            if not store.reopen_commitment(
                session=session, team_id=team_id, commitment_id=commitment_id
            ):
                session.rollback()
                raise NotClosed(self._reread(session, team_id, commitment_id, now))
            # Whether the owner has not heard of it at all: the note that it was recorded for
            # them, and the one saying it was closed, both unsent.
            unannounced = _note_unsent(
                session, team_id, commitment_id, owner_id=before.owner_id, now=now
            )
            notes = changed_prefix(commitment_id)
            missed = self._missed_before_close(session, team_id, notes)
            # A note still waiting to tell the owner it was closed ("Nothing for you to do")
            # would reach them once it is open again: withdrawn, and forgotten with the rest.
            # Withdrawn so, the owner never heard it was closed: nothing changed for them.
            close_unheard = outbox_store.cancel_unsent(
                session=session,
                team_id=team_id,
                key_prefix=notes,
                reason="the commitment was reopened",
            )
            # Every message withdrawn when it was closed may be queued again: reopened, it is
            # reminded of at those moments as if it had never been closed.
            outbox_store.forget_cancelled(
                session=session, team_id=team_id, key_prefix=key_prefix(commitment_id)
            )
            session.flush()
            reopened = self._reread(session, team_id, commitment_id, now)
            change = Changed(
                commitment=reopened,
                by=actor.user_id,
                reopened_from=before.status,
                unannounced=unannounced,
            )
            if (unannounced or not close_unheard) and before.owner_id != actor.user_id:
                self._tell_owner(session, actor, change, now, as_reminder=True)
            elif missed is not None:
                # As if it had never been closed: the news the close withdrew (a new date, most
                # often) reaches the owner after all.
                self._queue_again(session, team_id, missed, now)
            balance = self._balances(session, team_id, [before.partner_id], now)[before.partner_id]
            session.commit()
        return Closed(commitment=reopened, balance=balance, reopened_from=before.status)

    def redate(
        self,
        *,
        actor: Actor,
        commitment_id: int,
        due_text: str | None = None,
        due_on: date | None = None,
    ) -> Redated:
        """Give an open commitment a new due day (typed, or picked from a calendar); its
        reminders start over from the new day, and its owner is told when someone else moved
        it (when a reminder to them is due by then, the note is that reminder too). The day it
        is due already changes nothing. Raises as `close` does, and BadCommitment."""
        team_id, now = actor.team_id, self.clock.now()
        with Session(self.engine) as session:
            tz, guessed = self._caller_zone(session, actor, needed=due_text is not None)
            day, _ = self._due(due_text, due_on, tz=tz, now=now, guessed=guessed)
            _, before = self._changeable(session, actor, commitment_id, now)
            if day == before.due_on:
                # Saved unchanged from the form: its reminders go on as planned, nobody told.
                return Redated(commitment=before, was_due=before.due_on)
            if not store.set_due(
                session=session, team_id=team_id, commitment_id=commitment_id, due_on=day, at=now
            ):
                session.rollback()
                raise AlreadyClosed(self._reread(session, team_id, commitment_id, now))
            unannounced = _note_unsent(
                session, team_id, commitment_id, owner_id=before.owner_id, now=now
            )
            store.cancel_unsent(
                session=session, team_id=team_id, key_prefix=key_prefix(commitment_id)
            )
            session.flush()
            moved = self._reread(session, team_id, commitment_id, now)
            if moved.due_on != before.due_on:
                # Moved to a day whose reminder is due by the time the note reaches the owner
                # (re-dated after their hours to the next day, say): the note is that reminder
                # too, or the owner would read both at once.
                change = Changed(
                    commitment=moved,
                    by=actor.user_id,
                    was_due=before.due_on,
                    unannounced=unannounced,
                )
                self._tell_owner(session, actor, change, now, as_reminder=True)
            session.commit()
        return Redated(commitment=moved, was_due=before.due_on)

    def _tell_owner(
        self,
        session: Session,
        actor: Actor,
        change: Changed,
        now: datetime,
        *,
        as_reminder: bool = False,
    ) -> None:
        """Queue a note to the commitment's owner, in their working hours, when someone else
        closed, re-dated or reopened it (after its unsent messages were cancelled: it is the
        latest). With `as_reminder` (it is open), when a reminder to the owner is due by the
        time the note goes (`_reminder_now`), the note says what that reminder would and is
        queued as it: the owner gets one message, the planner finds it queued, and the next
        one comes at its own moment."""
        item = change.commitment
        if item.owner_id == actor.user_id:
            return
        reminder = self._reminder_now(session, actor.team_id, item.id, now) if as_reminder else None
        message = self.messages.changed(change)
        own_key = f"{changed_prefix(item.id)}{now.isoformat()}"
        queued = [(CHANGED, own_key, now, message)]
        if reminder is not None:
            # Due at the reminder's moment, as the planner would queue it: a change of someone's
            # time away before then re-routes it as it does any reminder (`reroute_reminders`).
            # No expiry, though: held past the reminder's (time away, an outage), the note's news
            # would go with it; the planner unfolds it for what follows (`_folded`).
            folded = self.messages.changed(replace(change, reminder=reminder.stage))
            queued.append((REMINDER, reminder.key, reminder.due_at, folded))
        for kind, key, due_at, note in queued:
            enqueue(
                session,
                team_id=actor.team_id,
                kind=kind,
                recipient_user=item.owner_id,
                text=note.text,
                blocks=note.blocks,
                due_at=due_at,
                dedupe_key=key,
                respect_working_hours=True,
                # A reminder's moment is the opening of the owner's working day.
                at_opening=kind == REMINDER,
            )
        if reminder is not None:
            # The note as it reads on its own is kept apart (cancelled from the start): should
            # a stand-in take the reminder, or the reminder's day be over before it goes, the
            # owner reads it, not a reminder of a day gone by (`_unfold`).
            outbox_store.cancel_unsent(
                session=session, team_id=actor.team_id, dedupe_key=own_key, reason=FOLDED_REASON
            )

    def _reminder_now(
        self, session: Session, team_id: str, commitment_id: int, now: datetime
    ) -> DueReminder | None:
        """The owner's reminder a note queued now would stand in for: the one the planner
        would queue by the time the note reaches the owner (their first working-hours slot,
        after any time away), when the planner would queue it for them. None when it is their
        stand-in's (its moment falls in the owner's time away: the stand-in hears it then, and
        the note waits for the owner). None too when, held a little longer, the note would
        outlive that reminder: the planner would replace it unsent with the next one ("is due"
        with "overdue"), and the note's news would go with it."""
        found = _commitment_of(session, team_id, commitment_id)
        if found is None:
            return None
        row, partner = found
        owner = row.owner_id
        tz = self._zone(session, team_id, owner)
        workspace = get_workspaces(session=session, team_ids=[team_id]).get(team_id)
        hours = WorkingHours.of(workspace)
        reached = reached_back_at(session, team_id=team_id, user_id=owner, now=now)
        due = self._reminder_to_queue(session, row, tz, hours=hours, now=reached)
        if due is None:
            return None
        moment, key = due
        # Whom it reaches is judged at its own moment, as the planner judges it then, not at
        # the change: one falling on the day the owner is back is theirs (the note is it), one
        # falling in their time away is their stand-in's, even when the owner is here now.
        due_at = max(moment.at, now)
        facts = self._partner_facts(session, partner)
        if stand_in(session, team_id=team_id, owner_id=owner, partner=facts, now=due_at) != owner:
            return None
        expires_at = reminder_expiry(row.due_on, moment.stage, moment.week, tz=tz, hours=hours)
        later = first_slot(
            session, team_id=team_id, user_id=owner, due_at=reached + NOTE_LEEWAY, key=owner
        )
        if later >= expires_at:
            return None
        return DueReminder(moment.stage, key, expires_at, due_at)

    def _missed_before_close(
        self, session: Session, team_id: str, notes: str
    ) -> OutboxMessage | None:
        """Before a reopen withdraws it: when the latest note to the owner (keys starting with
        `notes`) says it was closed and still waits, the one before it, if closing withdrew
        that one unsent too (a new date they never heard of). None otherwise."""
        close = outbox_store.latest_with_prefix(session=session, team_id=team_id, key_prefix=notes)
        if close is None or close.status != OutboxStatus.PENDING:
            return None
        earlier = outbox_store.latest_with_prefix(
            session=session, team_id=team_id, key_prefix=notes, before_id=close.id
        )
        if earlier is None or earlier.status != OutboxStatus.CANCELLED:
            return None
        if earlier.last_error == FOLDED_REASON:
            # Kept apart from a reminder (`_tell_owner`), which may well have reached the owner:
            # its news is not told again.
            return None
        # Read as it is now: the reopen forgets its row before queueing it again.
        session.expunge(earlier)
        return earlier

    @staticmethod
    def _queue_again(session: Session, team_id: str, note: OutboxMessage, now: datetime) -> bool:
        """Queue afresh, due now in its reader's working hours, a note withdrawn unsent (its
        row forgotten first); True when queued."""
        if note.recipient_user is None:
            return False
        return enqueue(
            session,
            team_id=team_id,
            kind=note.kind,
            recipient_user=note.recipient_user,
            text=note.text,
            blocks=note.blocks,
            due_at=now,
            dedupe_key=note.dedupe_key,
            respect_working_hours=True,
            now=now,
        )

    def _changeable(
        self,
        session: Session,
        actor: Actor,
        commitment_id: int,
        now: datetime,
        *,
        closed: bool = False,
    ) -> tuple[Commitment, CommitmentFacts]:
        """The open commitment (a closed one, to reopen: `closed`), once the caller is known
        to be allowed to change it."""
        team_id = actor.team_id
        row = store.get_commitment(session=session, team_id=team_id, commitment_id=commitment_id)
        if row is None:
            raise CommitmentGone()
        found = partner_store.get_partner(
            session=session, team_id=team_id, partner_id=row.partner_id
        )
        if found is None:
            raise CommitmentGone()
        facts = self._facts(session, row, found.name, now)
        if closed and facts.is_open:
            raise NotClosed(facts)
        if not closed and not facts.is_open:
            raise AlreadyClosed(facts)
        partner = self._partner_facts(session, found)
        if actor.user_id == row.owner_id or actor.user_id in partner.editors:
            return row, facts
        if (
            stand_in(session, team_id=team_id, owner_id=row.owner_id, partner=partner, now=now)
            == actor.user_id
        ):
            return row, facts
        covers_from = next(
            (
                absence.starts_at.astimezone(self._zone(session, team_id, actor.user_id))
                for absence in absence_store.upcoming_absences(
                    session=session, team_id=team_id, user_id=row.owner_id, after=now
                )
                # As `stand_in` will judge it then: a partner's own deputy here comes first.
                if absence.deputy_id == actor.user_id
                and stand_in(
                    session,
                    team_id=team_id,
                    owner_id=row.owner_id,
                    partner=partner,
                    now=absence.starts_at,
                )
                == actor.user_id
            ),
            None,
        )
        people.require_admin(
            session,
            team_id=team_id,
            user_id=actor.user_id,
            now=now,
            check=actor.check,
            refusal=NotAllowedToClose(facts, partner, covers_from=covers_from),
        )
        return row, facts

    def take_off_elsewhere(
        self, *, actor: Actor, commitment_id: int, owner_id: str
    ) -> CommitmentFacts:
        """Undo the commitment form's pick of an owner (`owner_id`) whom Slack said, after the
        ack, is of another organisation, an app or a deactivated account: the form's submitter
        (`actor`) owns it instead, as a commitment always has an owner. The submitter undoes
        their own pick, so no permission check. What waits unsent for that person (about it:
        the note that it was recorded for them, a first reminder folded into it; or anything
        else) is withdrawn. The commitment as it is now: owned by the submitter, or by whoever
        owned it by then instead (left so). Raises CommitmentGone."""
        team_id, now = actor.team_id, self.clock.now()
        with Session(self.engine) as session:
            replaced = store.replace_owner(
                session=session,
                team_id=team_id,
                commitment_id=commitment_id,
                owner_id=actor.user_id,
                instead_of=owner_id,
            )
            # What waits for them about it (the note, a first reminder folded into it) is
            # forgotten, so the planner reminds whoever owns it now at its moment; anything
            # else queued to them would only fail at dispatch.
            withdraw_from_elsewhere(
                session,
                team_id=team_id,
                user_ids=[owner_id],
                forget_prefix=key_prefix(commitment_id),
            )
            if replaced:
                # Recorded by its owner now, it owes nobody a note; one left unsent (withdrawn
                # above, or when a reminder took it in) would read as news the owner never
                # heard, and a colleague's later change would tell them who "recorded it for
                # you" (`_note_unsent`).
                outbox_store.forget_cancelled(
                    session=session, team_id=team_id, dedupe_key=note_key(commitment_id)
                )
            facts = self._reread(session, team_id, commitment_id, now)
            session.commit()
        return facts

    # --- Reading -------------------------------------------------------------------------------

    def get(self, *, team_id: str, commitment_id: int) -> CommitmentFacts:
        """One commitment (for a form about it); raises CommitmentGone."""
        now = self.clock.now()
        with Session(self.engine) as session:
            return self._reread(session, team_id, commitment_id, now)

    def listing(
        self,
        *,
        actor: Actor,
        scope: Scope,
        partner: str | None = None,
        limit: int = LISTED,
    ) -> Listing:
        """Open commitments of the workspace, one partner (`partner`, a name as typed), the
        caller's own, or the overdue ones; earliest due first, with the balance."""
        team_id, now = actor.team_id, self.clock.now()
        with Session(self.engine) as session:
            found: Partner | None = None
            where = CommitmentFilter(status=CommitmentStatus.OPEN)
            if scope is Scope.PARTNER:
                assert partner is not None
                found = self.registry.resolve(session, team_id=team_id, query=partner)
                where = CommitmentFilter(status=CommitmentStatus.OPEN, partner_ids=[_id(found)])
            elif scope is Scope.MINE:
                where = CommitmentFilter(status=CommitmentStatus.OPEN, owner_id=actor.user_id)
            elif scope is Scope.OVERDUE:
                # Overdue somewhere on Earth: the owner's zone decides below.
                tomorrow = (now + timedelta(days=1)).date()
                where = CommitmentFilter(status=CommitmentStatus.OPEN, due_before=tomorrow)
            rows = store.commitments(session=session, team_id=team_id, where=where)
            facts = self._facts_of(session, team_id, rows, now)
            if scope is Scope.OVERDUE:
                facts = [item for item in facts if item.overdue_days > 0]
            partner_ids = sorted({item.partner_id for item in facts})
            if found is not None:
                partner_ids = [_id(found)]
            balances = self._balances(session, team_id, partner_ids, now)
            names = {item.partner_id: item.partner_name for item in facts}
            flagged = [
                (names[pid], side, balances[pid].share(side))
                for pid in partner_ids
                if pid in names and (side := balances[pid].lopsided) is not None
            ]
            if scope is not Scope.PARTNER:
                # Across partners, the balance of what is open in the listing itself.
                balance = _open_balance(facts)
            else:
                balance = balances[partner_ids[0]]
            return Listing(
                scope=scope,
                partner=None if found is None else self._partner_facts(session, found),
                items=facts[:limit],
                more=max(0, len(facts) - limit),
                balance=balance,
                lopsided=flagged,
            )

    def closed_listing(
        self,
        *,
        actor: Actor,
        statuses: Sequence[CommitmentStatus] = (CommitmentStatus.DONE, CommitmentStatus.DROPPED),
        partner: str | None = None,
        mine: bool = False,
        limit: int = LISTED,
    ) -> ClosedListing:
        """Closed commitments of the workspace, one partner (`partner`, a name as typed) or the
        caller's own (`mine`), the latest closed first: who closed each, when, on time or
        late, and why."""
        assert CommitmentStatus.OPEN not in statuses
        team_id, now = actor.team_id, self.clock.now()
        with Session(self.engine) as session:
            found: Partner | None = None
            if partner is not None:
                found = self.registry.resolve(session, team_id=team_id, query=partner)
            where = CommitmentFilter(
                statuses=[status.value for status in statuses],
                partner_ids=None if found is None else [_id(found)],
                owner_id=actor.user_id if mine else None,
            )
            rows = store.recently_closed(session=session, team_id=team_id, where=where, limit=limit)
            total = store.commitment_count(session=session, team_id=team_id, where=where)
            return ClosedListing(
                statuses=tuple(statuses),
                partner=None if found is None else self._partner_facts(session, found),
                mine=mine,
                items=self._facts_of(session, team_id, rows, now),
                more=max(0, total - len(rows)),
            )

    def partner_summary(
        self, *, team_id: str, partner_id: int, limit: int = 5
    ) -> PartnerCommitments:
        """The partner's open commitments (earliest due first) and its balance."""
        now = self.clock.now()
        with Session(self.engine) as session:
            rows = store.commitments(
                session=session,
                team_id=team_id,
                where=CommitmentFilter(status=CommitmentStatus.OPEN, partner_ids=[partner_id]),
            )
            facts = self._facts_of(session, team_id, rows, now)
            return PartnerCommitments(
                partner_id=partner_id,
                open=facts[:limit],
                more=max(0, len(facts) - limit),
                balance=self._balances(session, team_id, [partner_id], now)[partner_id],
            )

    def balances(
        self, *, team_id: str, partner_ids: Collection[int] | None = None
    ) -> dict[int, Balance]:
        """The balance of each partner (all the workspace's that have commitments: None)."""
        now = self.clock.now()
        with Session(self.engine) as session:
            return self._balances(session, team_id, partner_ids, now)

    def all_of(
        self, session: Session, *, team_id: str, partner_ids: Collection[int] | None
    ) -> list[CommitmentFacts]:
        """Every commitment, open and closed, of the partners (all: None), inside the caller's
        session (the export)."""
        rows = store.commitments(
            session=session, team_id=team_id, where=CommitmentFilter(partner_ids=partner_ids)
        )
        return self._facts_of(session, team_id, rows, self.clock.now())

    # --- The planner ---------------------------------------------------------------------------

    def takers_while_away(
        self, *, team_id: str, user_id: str, starts_at: datetime, ends_at: datetime
    ) -> tuple[tuple[str | None, ...], ...]:
        """Who would take the reminders of the user's open commitments on partners they do not
        own during their time away from `starts_at` to `ends_at`, as `stand_in` routes each
        one at its moment (the deputy named for it, else the partner's owner, else its deputy,
        whoever is here then): per such partner, each of them in turn, None where nobody is
        (they wait for the user). Asked at the start of the time away and wherever one who may
        take them leaves or comes back within it. What `away` says of them."""
        now = self.clock.now()
        with Session(self.engine) as session:
            rows = store.commitments(
                session=session,
                team_id=team_id,
                where=CommitmentFilter(status=CommitmentStatus.OPEN, owner_id=user_id),
            )
            named = {
                absence.deputy_id
                for absence in absence_store.absences_between(
                    session=session, team_id=team_id, user_id=user_id, start=starts_at, end=ends_at
                )
            }
            takers: dict[int, tuple[str | None, ...]] = {}
            for row in rows:
                if row.partner_id in takers:
                    continue
                found = partner_store.get_partner(
                    session=session, team_id=team_id, partner_id=row.partner_id
                )
                if found is None or found.status == PartnerStatus.ENDED:
                    continue  # an ended partner's commitments have no reminders
                partner = self._partner_facts(session, found)
                if partner.owner_id == user_id:
                    continue  # the usual rule for a partner's owner: `away` says it already
                takers[row.partner_id] = self._takers(
                    session,
                    team_id,
                    user_id,
                    partner,
                    covers=named | {partner.owner_id, partner.deputy_id},
                    start=max(starts_at, now),
                    end=ends_at,
                )
        # None for a partner: no message would reach the user in their time away at all.
        return tuple(each for each in takers.values() if each)

    def _takers(
        self,
        session: Session,
        team_id: str,
        user_id: str,
        partner: PartnerFacts,
        *,
        covers: Collection[str | None],
        start: datetime,
        end: datetime,
    ) -> tuple[str | None, ...]:
        """Whom `stand_in` picks for `user_id`'s commitments on `partner` from `start` to `end`,
        in turn (None: the user, once back): it may change only where a cover's time away
        begins or ends."""
        moments = {start}
        for cover in covers:
            if cover is None or cover == user_id:
                continue
            for absence in absence_store.absences_between(
                session=session, team_id=team_id, user_id=cover, start=start, end=end
            ):
                moments |= {absence.starts_at, absence.ends_at}
        found: list[str | None] = []
        for moment in sorted(at for at in moments if start <= at < end):
            if absence_when_reached(session, team_id=team_id, user_id=user_id, now=moment) is None:
                continue  # a message then reaches the user, back by then
            taker = stand_in(
                session, team_id=team_id, owner_id=user_id, partner=partner, now=moment
            )
            found.append(None if taker == user_id else taker)
        return tuple(dict.fromkeys(found))

    def plan_reminders(self, *, now: datetime) -> int:
        """Queue the reminders that are due (idempotently); returns how many were new."""
        queued = 0
        after: tuple[date, int] | None = None
        until = (now + timedelta(days=PLAN_AHEAD_DAYS)).date()
        while True:
            with Session(self.engine) as session:
                rows = store.due_for_reminders(
                    session=session, until=until, after=after, limit=REMINDERS_PER_PAGE
                )
                hours: dict[str, WorkingHours] = {}
                for row in rows:
                    if row.team_id not in hours:
                        workspaces = get_workspaces(session=session, team_ids=[row.team_id])
                        hours[row.team_id] = WorkingHours.of(workspaces.get(row.team_id))
                    queued += self._remind(session, row, hours=hours[row.team_id], now=now)
                session.commit()
            if len(rows) < REMINDERS_PER_PAGE:
                return queued
            last = rows[-1]
            assert last.id is not None
            after = (last.due_on, last.id)

    def _remind(
        self, session: Session, row: Commitment, *, hours: WorkingHours, now: datetime
    ) -> int:
        team_id = row.team_id
        found = partner_store.get_partner(
            session=session, team_id=team_id, partner_id=row.partner_id
        )
        if found is None or found.status == PartnerStatus.ENDED:
            # Nobody follows an ended partner any more (README): its open commitments stay on
            # record, unreminded, until it is reopened or they are closed.
            return 0
        partner = self._partner_facts(session, found)
        # Whoever gets it (the owner, or their stand-in while they are away) gets it on the day
        # in their own time zone: a stand-in elsewhere would otherwise hear a day late.
        left = has_left(session, team_id=team_id, user_id=row.owner_id, commitment_id=row.id)
        recipient = stand_in(
            session,
            team_id=team_id,
            owner_id=row.owner_id,
            partner=partner,
            now=now,
            commitment_id=row.id,
            left=left,
        )
        if left and recipient == row.owner_id:
            # Gone, and nobody to hear for them: each reminder would fail unread. The workspace
            # hears once, and whoever takes the partner over is reminded (`stand_in`).
            self._tell_orphaned(session, row, partner, now=now)
            return 0
        self._unfold_outlived(session, row, now=now)
        note = self._untold(session, row)
        queued = self._queue_reminder(
            session, row, found.name, recipient, note=note, hours=hours, now=now
        )
        if note is not None and not (queued and recipient == row.owner_id):
            self._reword_if_late(session, row, found.name, note, now=now)
        return queued

    def _tell_orphaned(
        self, session: Session, row: Commitment, partner: PartnerFacts, *, now: datetime
    ) -> None:
        """Queue the note (`Orphaned`) about the open promises with `partner` of the commitment
        `row`'s owner, who has left with nobody to hear for them, once for who follows the
        partner now: in the coordination channel (else the default one), else to each admin
        still here. Idempotent, as the planner needs."""
        team_id, owner_id = row.team_id, row.owner_id
        key = f"commitment-orphans:{partner.id}:{owner_id}:{partner.owner_id or '-'}:"
        if outbox_store.keys_starting(session=session, team_id=team_id, prefix=key):
            return
        where = CommitmentFilter(
            status=CommitmentStatus.OPEN, owner_id=owner_id, partner_ids=[partner.id]
        )
        rows = store.commitments(session=session, team_id=team_id, where=where, limit=LISTED)
        total = store.commitment_count(session=session, team_id=team_id, where=where)
        shown = self.messages.orphaned(
            Orphaned(
                partner_name=partner.name,
                owner_id=owner_id,
                partner_owner_id=partner.owner_id,
                partner_deputy_id=partner.deputy_id,
                commitments=facts_of(session, team_id=team_id, rows=rows, now=now),
                more=max(0, total - len(rows)),
            )
        )
        channels = Channels.look_up(
            session, team_id=team_id, partner_id=None, default=self.default_channel
        )
        found = route(session, team_id=team_id, channels=channels)
        # (channel, person, the key's ending): the channel, else each admin still here.
        targets: list[tuple[str | None, str | None, str]] = (
            [(found.channel, None, "channel")]
            if found.channel is not None
            else [
                (None, admin, admin)
                for admin in people.known_admins(session, team_id=team_id)
                if not has_left(session, team_id=team_id, user_id=admin)
            ]
        )
        for channel, user, ending in targets:
            enqueue(
                session,
                team_id=team_id,
                kind=ORPHANED,
                recipient_channel=channel,
                recipient_user=user,
                text=shown.text,
                blocks=shown.blocks,
                due_at=now,
                dedupe_key=f"{key}{ending}",
                respect_working_hours=user is not None,
                now=now,
            )

    def _unfold_outlived(self, session: Session, row: Commitment, *, now: datetime) -> None:
        """A colleague's note folded into the owner's reminder before the due day or on it,
        still unsent once that day is over for them (held while they were away, or nothing was
        sent meanwhile): it goes on its own (`_unfold`), not as a reminder of a day gone by;
        the overdue reminder follows as for any commitment."""
        assert row.id is not None
        if now.date() < row.due_on:
            return  # not over for anyone: no zone is more than a day ahead of UTC
        stale = [
            key
            for key in outbox_store.unsent_keys_starting(
                session=session,
                team_id=row.team_id,
                prefix=f"{key_prefix(row.id)}{row.due_on.isoformat()}:",
            )
            if key.endswith((f":{Stage.BEFORE}", f":{Stage.DUE}"))
        ]
        if not stale:
            return
        owner_tz = self._zone(session, row.team_id, row.owner_id)
        if now.astimezone(owner_tz).date() <= row.due_on:
            return
        for key in stale:
            folded = outbox_store.get_message(session=session, team_id=row.team_id, dedupe_key=key)
            if folded is not None and _folded(folded) and folded.recipient_user == row.owner_id:
                self._unfold(session, folded, commitment_id=row.id, now=now)

    def _queue_reminder(
        self,
        session: Session,
        row: Commitment,
        partner_name: str,
        recipient: str,
        *,
        note: OutboxMessage | None,
        hours: WorkingHours,
        now: datetime,
    ) -> int:
        """Queue the reminder due now, if any and not queued yet, for `recipient`; 1 if new."""
        tz = self._zone(session, row.team_id, recipient)
        due = self._reminder_to_queue(session, row, tz, hours=hours, now=now)
        if due is None:
            return 0
        moment, key = due
        message = self._reminder(
            session, row, partner_name, recipient, moment.stage, note=note, tz=tz, now=now
        )
        return int(
            enqueue(
                session,
                team_id=row.team_id,
                kind=REMINDER,
                recipient_user=recipient,
                text=message.text,
                blocks=message.blocks,
                due_at=moment.at,
                dedupe_key=key,
                respect_working_hours=True,
                # The opening of the recipient's working day (`reminder_moments`): one
                # morning's reminders are spread over its first minutes, by person.
                at_opening=True,
                expires_at=reminder_expiry(
                    row.due_on, moment.stage, moment.week, tz=tz, hours=hours
                ),
            )
        )

    def _reminder_to_queue(
        self, session: Session, row: Commitment, tz: ZoneInfo, *, hours: WorkingHours, now: datetime
    ) -> tuple[ReminderMoment, str] | None:
        """The reminder due now for someone in `tz` (its recipient's zone), and its key; None
        when none is, or it was queued (or its moment told) already. An "is due" reminder left
        unsent past the due day is withdrawn here for the overdue one that replaces it."""
        team_id = row.team_id
        moment = current_reminder(
            row.due_on,
            set_at=row.due_set_at,
            now=now,
            tz=tz,
            hours=hours,
            owner_tz=self._zone(session, team_id, row.owner_id),
        )
        if moment is None:
            return None
        assert row.id is not None
        key = f"{key_prefix(row.id)}{row.due_on.isoformat()}:{moment.key}"
        if moment.stage is Stage.DUE and now.astimezone(tz).date() > row.due_on:
            # The due day is over for whoever hears now and nobody was reminded on it (held
            # while they were away, or queued too late for their hours): one reminder says it
            # is overdue, at once, instead of "is due" days late; the weekly ones follow.
            on_the_day = outbox_store.get_message(session=session, team_id=team_id, dedupe_key=key)
            if on_the_day is not None and on_the_day.status not in _UNSENT:
                return None  # it went (or is going) on the day
            if on_the_day is None or not _folded(on_the_day):
                outbox_store.cancel_unsent(session=session, team_id=team_id, dedupe_key=key)
            moment = replace(moment, stage=Stage.OVERDUE, week=0, at=now)
            key = f"{key_prefix(row.id)}{row.due_on.isoformat()}:{moment.key}"
        # A reminder withdrawn when the partner ended, which has since been reopened, is queued
        # afresh: else the owner would not hear of it at this moment at all.
        outbox_store.forget_cancelled(
            session=session, team_id=team_id, dedupe_key=key, reason=ENDED_REASON
        )
        if outbox_store.get_message(session=session, team_id=team_id, dedupe_key=key) is not None:
            return None  # queued by an earlier run
        if moment.stage is Stage.OVERDUE and self._overdue_told(session, row, since=moment.at):
            return None
        return moment, key

    def _reminder(
        self,
        session: Session,
        row: Commitment,
        partner_name: str,
        recipient: str,
        stage: Stage,
        *,
        note: OutboxMessage | None,
        tz: ZoneInfo,
        now: datetime,
        reaches_at: datetime | None = None,
    ) -> Rendered:
        """The reminder at `stage` as `recipient` reads it: its owner, or who covers for them;
        due at `reaches_at` (None: now), when it may wait for them to be back."""
        # The owner never got the note saying who recorded it for them (it waited for them, or
        # went stale): the reminder says so instead, and the note, if still queued, is dropped.
        recorded_by = None
        if note is not None and recipient == row.owner_id:
            recorded_by = row.created_by
            outbox_store.cancel_unsent(
                session=session, team_id=row.team_id, dedupe_key=note.dedupe_key
            )
        held = absence_when_reached(
            session, team_id=row.team_id, user_id=recipient, now=reaches_at or now
        )
        read_on = (reaches_at or now).astimezone(tz).date()
        workspace = get_workspaces(session=session, team_ids=[row.team_id]).get(row.team_id)
        reminder = Reminder(
            commitment=self._facts(session, row, partner_name, now),
            stage=stage,
            working_days_left=working_days_between(read_on, row.due_on, WorkingHours.of(workspace)),
            recipient=recipient,
            covering_for=None if recipient == row.owner_id else row.owner_id,
            tz=tz,
            recorded_by=recorded_by,
            held=held is not None,
            owner_left=recipient != row.owner_id
            and has_left(session, team_id=row.team_id, user_id=row.owner_id, commitment_id=row.id),
        )
        return self.messages.reminder(reminder)

    def _overdue_told(self, session: Session, row: Commitment, *, since: datetime) -> bool:
        """Whether an overdue reminder about the commitment's due day, under whatever key, fell
        due at or after `since` (the current moment) and was not cancelled. The keys number the
        overdue reminders from the first; before the next working day after the due day was one
        of them, the week after the due day was `overdue:1`, now `overdue:2`: a workspace that
        upgrades after a week's reminder went (or was queued) hears nothing more until the
        next."""
        assert row.id is not None
        latest = outbox_store.latest_due_at(
            session=session,
            team_id=row.team_id,
            key_prefix=f"{key_prefix(row.id)}{row.due_on.isoformat()}:{Stage.OVERDUE}:",
        )
        return latest is not None and latest >= since

    def reroute_reminders(
        self, session: Session, *, team_id: str, user_id: str, now: datetime
    ) -> None:
        """Time away of `user_id` just booked, ended (`back`) or cancelled
        (`bot.delivery.absence.Retime`), in its transaction: each reminder of the workspace not
        sent yet goes to whoever hears for its commitment's owner at its moment (`stand_in`), as
        if the planner queued it then. One still waiting for them that would now reach them in
        their time away goes to their stand-in; one a stand-in has for a moment no longer in
        their time away comes back to them. Not only their own commitments' reminders: those
        they hold as someone's stand-in go to another (or back to the owner to wait) when they
        book time away themselves, and those others took because they were away come back to
        them. A reminder queued ahead of its moment (`_fold_note_now`), or held for its
        recipient, would otherwise reach the wrong person (the planner finds its key taken,
        and the dispatcher sends a row to the one it names)."""
        for key in outbox_store.unsent_keys(
            session=session, team_id=team_id, user_id=None, kind=REMINDER
        ):
            # commitment:ID:DUE-DAY:STAGE[:WEEK] (`_queue_reminder`)
            _, number, _, stage_name, *week = key.split(":")
            found = _commitment_of(session, team_id, int(number))
            if found is None:
                continue
            row, partner = found
            waiting = outbox_store.get_message(session=session, team_id=team_id, dedupe_key=key)
            if waiting is None:
                continue
            # Whoever it would reach at its moment, not now (queued ahead, it is not due yet).
            due_at = max(waiting.due_at, now)
            recipient = stand_in(
                session,
                team_id=team_id,
                owner_id=row.owner_id,
                partner=self._partner_facts(session, partner),
                now=due_at,
                commitment_id=row.id,
            )
            if recipient == waiting.recipient_user:
                continue  # theirs still (nobody covers: it waits for them)
            if _folded(waiting):
                self._unfold(session, waiting, commitment_id=int(number), now=now)
                continue
            tz, stage = self._zone(session, team_id, recipient), Stage(stage_name)
            message = self._reminder(
                session,
                row,
                partner.name,
                recipient,
                stage,
                note=self._untold(session, row),
                tz=tz,
                now=now,
                reaches_at=due_at,
            )
            if not outbox_store.redirect_unsent(
                session=session,
                team_id=team_id,
                dedupe_key=key,
                user_id=recipient,
                text=message.text,
                blocks=message.blocks,
                available_at=first_slot(
                    session,
                    team_id=team_id,
                    user_id=recipient,
                    due_at=due_at,
                    key=recipient,
                    at_opening=True,
                ),
            ):
                continue
            # Worth sending until the next reminder in the recipient's zone, not the owner's.
            assert waiting.id is not None
            workspace = get_workspaces(session=session, team_ids=[team_id]).get(team_id)
            outbox_store.set_expiry(
                session=session,
                team_id=team_id,
                message_id=waiting.id,
                expires_at=reminder_expiry(
                    row.due_on,
                    stage,
                    int(week[0]) if week else 0,
                    tz=tz,
                    hours=WorkingHours.of(workspace),
                ),
            )

    def _unfold(
        self, session: Session, folded: OutboxMessage, *, commitment_id: int, now: datetime
    ) -> None:
        """A colleague's note folded into the owner's reminder (`_tell_owner`), whose moment a
        stand-in now hears for them: the note stays the owner's, queued as a plain one (held
        for their return by the dispatcher), and the reminder's key is freed, so the planner
        queues it for the stand-in at its moment, as any reminder. Rerouted whole, the
        stand-in would read the owner's news and the owner would never hear it. The note is
        the one kept apart when it was folded (`_tell_owner`): the reminder's words ("is due
        today. Done already?") would be read once its day is over."""
        team_id, key = folded.team_id, folded.dedupe_key
        if not outbox_store.cancel_unsent(session=session, team_id=team_id, dedupe_key=key):
            return  # claimed meanwhile: it is going to the owner
        outbox_store.forget_cancelled(session=session, team_id=team_id, dedupe_key=key)
        # No later change: each cancels the reminder it was folded into, and keeps its own note.
        apart = outbox_store.latest_with_prefix(
            session=session, team_id=team_id, key_prefix=changed_prefix(commitment_id)
        )
        if (
            apart is not None
            and apart.status == OutboxStatus.CANCELLED
            and apart.last_error == FOLDED_REASON
        ):
            session.expunge(apart)  # read as it is: its row is forgotten before it is queued
            outbox_store.forget_cancelled(
                session=session, team_id=team_id, dedupe_key=apart.dedupe_key
            )
            self._queue_again(session, team_id, apart, now)
            return
        # Folded before notes were kept apart: the reminder's words, as they were.
        enqueue(
            session,
            team_id=team_id,
            kind=CHANGED,
            recipient_user=folded.recipient_user,
            text=folded.text,
            blocks=folded.blocks,
            due_at=now,
            dedupe_key=f"{changed_prefix(commitment_id)}{now.isoformat()}",
            respect_working_hours=True,
        )

    def _assigned(
        self,
        session: Session,
        row: Commitment,
        partner: Partner,
        facts: CommitmentFacts,
        *,
        hours: WorkingHours,
    ) -> tuple[Assigned, datetime]:
        """The note telling the owner a colleague recorded the commitment for them, with the
        moment of the first reminder it promises (the one after its due day was set)."""
        owner_tz = person_zone(session, team_id=row.team_id, user_id=row.owner_id)
        first, first_at = first_reminder(row.due_on, after=row.due_set_at, tz=owner_tz, hours=hours)
        # As the planner will judge it then: an owner away that day is covered by another.
        hears = stand_in(
            session,
            team_id=row.team_id,
            owner_id=row.owner_id,
            partner=self._partner_facts(session, partner),
            now=first_at,
        )
        note = Assigned(
            commitment=facts,
            by=row.created_by,
            tz=owner_tz,
            first_reminder=first,
            first_reminder_to=None if hears == row.owner_id else hears,
            due_reminder_on=due_reminder_on(row.due_on, hours),
        )
        return note, first_at

    def reword_after_rename(
        self, session: Session, *, team_id: str, partner_id: int, now: datetime
    ) -> None:
        """In a rename's transaction: the notes telling owners of the partner's commitments
        that a colleague recorded one for them, still queued (off duty, or away), name the
        partner as it is called now (they said the old name once they went)."""
        found = partner_store.get_partner(session=session, team_id=team_id, partner_id=partner_id)
        if found is None:
            return
        rows = store.commitments(
            session=session,
            team_id=team_id,
            where=CommitmentFilter(status=CommitmentStatus.OPEN, partner_ids=(partner_id,)),
        )
        hours = WorkingHours.of(get_workspaces(session=session, team_ids=[team_id]).get(team_id))
        for row in rows:
            waiting = self._untold(session, row)
            if waiting is None or waiting.status != OutboxStatus.PENDING:
                continue
            facts = self._facts(session, row, found.name, now)
            note, _ = self._assigned(session, row, found, facts, hours=hours)
            if facts.overdue_days:
                note = replace(note, first_reminder=Stage.OVERDUE, first_reminder_to=None)
            message = self.messages.assigned(note)
            outbox_store.rewrite_unsent(
                session=session,
                team_id=team_id,
                dedupe_key=waiting.dedupe_key,
                text=message.text,
                blocks=message.blocks,
            )

    def _untold(self, session: Session, row: Commitment) -> OutboxMessage | None:
        """The note telling the owner that a colleague recorded the commitment for them, while it
        has reached nobody (still queued, or dropped unsent); None once sent, or when the owner
        recorded it themselves."""
        if row.created_by == row.owner_id:
            return None
        assert row.id is not None
        note = outbox_store.get_message(
            session=session, team_id=row.team_id, dedupe_key=note_key(row.id)
        )
        return note if note is not None and note.status in _UNSENT else None

    def _reword_if_late(
        self,
        session: Session,
        row: Commitment,
        partner_name: str,
        note: OutboxMessage,
        *,
        now: datetime,
    ) -> None:
        """A note still queued once the due day is over for the owner (it waited for their
        working day, or for them to be back) says the commitment is overdue."""
        owner_tz = self._zone(session, row.team_id, row.owner_id)
        if note.status != OutboxStatus.PENDING or now.astimezone(owner_tz).date() <= row.due_on:
            return
        late = Assigned(
            commitment=self._facts(session, row, partner_name, now),
            by=row.created_by,
            tz=owner_tz,
            first_reminder=Stage.OVERDUE,
        )
        message = self.messages.assigned(late)
        if message.text != note.text:
            outbox_store.rewrite_unsent(
                session=session,
                team_id=row.team_id,
                dedupe_key=note.dedupe_key,
                text=message.text,
                blocks=message.blocks,
            )

    # --- Internals -----------------------------------------------------------------------------

    def _partner(self, session: Session, team_id: str, partner: str | int) -> Partner:
        if isinstance(partner, int):
            found = partner_store.get_partner(session=session, team_id=team_id, partner_id=partner)
            if found is None:
                raise PartnerGone()
            return found
        return self.registry.resolve(session, team_id=team_id, query=partner)

    def _partner_facts(self, session: Session, partner: Partner) -> PartnerFacts:
        team = partner_store.team_of(
            session=session, team_id=partner.team_id, partner_id=_id(partner)
        )
        return self.registry.facts(partner, team)

    def _caller_zone(
        self, session: Session, actor: Actor, *, needed: bool
    ) -> tuple[ZoneInfo, bool]:
        """The caller's time zone, and whether it is only guessed (the workspace's: Slack has
        not told theirs, or could not); when a typed date must be read in it and Slack was
        never asked about the caller, raises ZoneUnknown so the handler asks Slack first."""
        profile = get_profile(session=session, team_id=actor.team_id, user_id=actor.user_id)
        if needed and profile is None and actor.user_id not in actor.check.asked:
            raise ZoneUnknown(actor.user_id)
        guessed = not people.knows_zone(session, team_id=actor.team_id, user_id=actor.user_id)
        return person_zone(session, team_id=actor.team_id, user_id=actor.user_id), guessed

    def _zone(self, session: Session, team_id: str, user_id: str) -> ZoneInfo:
        return person_zone(session, team_id=team_id, user_id=user_id)

    def _due(
        self,
        typed: str | None,
        picked: date | None,
        *,
        tz: ZoneInfo,
        now: datetime,
        guessed: bool = False,
    ) -> tuple[date, time | None]:
        """The due day typed (read in `tz`) or picked, checked against today in `tz`; and the
        time of day typed with it, which a day-long commitment leaves out. `guessed`: `tz` is
        the workspace's, Slack never having told the caller's own (`people.knows_zone`)."""
        today = now.astimezone(tz).date()
        if typed is not None:
            try:
                # The time is left out (a commitment is due on a day): `at 3` needs no question.
                when = parse_when(typed, now=now, tz=tz, examples=AHEAD_EXAMPLES, ask_hour=False)
            except DateError as error:
                raise BadCommitment(
                    Problem.UNREADABLE_DATE, detail=str(error), typed=typed
                ) from None
            return check_due(when.day, today=today, typed=typed), when.at
        if picked is None:
            raise BadCommitment(Problem.NO_DATE)
        # In a zone guessed, the workspace's today may be the caller's tomorrow (the workspace
        # in Tokyo, the caller in Los Angeles): a day picked that is still today somewhere may
        # be their own today. (A typed day is read in the guessed zone itself: `by yesterday`
        # stays refused.)
        if guessed and now.astimezone(EARLIEST_ZONE).date() <= picked < today:
            return picked, None
        return check_due(picked, today=today), None

    def _reread(
        self, session: Session, team_id: str, commitment_id: int, now: datetime
    ) -> CommitmentFacts:
        session.expire_all()
        row = store.get_commitment(session=session, team_id=team_id, commitment_id=commitment_id)
        found = (
            None
            if row is None
            else partner_store.get_partner(
                session=session, team_id=team_id, partner_id=row.partner_id
            )
        )
        if row is None or found is None:
            raise CommitmentGone()
        return self._facts(session, row, found.name, now)

    def _facts(
        self, session: Session, row: Commitment, partner_name: str, now: datetime
    ) -> CommitmentFacts:
        today = now.astimezone(self._zone(session, row.team_id, row.owner_id)).date()
        return _facts(row, partner_name, today)

    def _facts_of(
        self, session: Session, team_id: str, rows: Sequence[Commitment], now: datetime
    ) -> list[CommitmentFacts]:
        return facts_of(session, team_id=team_id, rows=rows, now=now)

    def _balances(
        self,
        session: Session,
        team_id: str,
        partner_ids: Collection[int] | None,
        now: datetime,
    ) -> dict[int, Balance]:
        """Each partner's balance (every partner asked for gets one, empty if need be)."""
        counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for tally in store.tallies(session=session, team_id=team_id, partner_ids=partner_ids):
            side = CommitmentSide(tally.side)
            status = CommitmentStatus(tally.status)
            if status is CommitmentStatus.OPEN:
                name = "open"
            elif status is CommitmentStatus.DROPPED:
                name = "dropped"
            else:
                name = "kept" if tally.on_time else "late"
            counts[tally.partner_id][f"{name}_{side}"] += tally.count
        open_rows = store.commitments(
            session=session,
            team_id=team_id,
            where=CommitmentFilter(
                status=CommitmentStatus.OPEN,
                partner_ids=partner_ids,
                due_before=(now + timedelta(days=1)).date(),
            ),
        )
        todays = _todays(session, team_id, {row.owner_id for row in open_rows}, now)
        for row in open_rows:
            if row.due_on < todays[row.owner_id]:
                counts[row.partner_id][f"overdue_{row.side}"] += 1
        wanted = set(counts) | set(partner_ids or ())
        return {partner_id: Balance(**counts[partner_id]) for partner_id in wanted}


# What Slack answers about a DM to someone who left the workspace (deactivated, or removed):
# the DM cannot be opened, or the account is gone.
_LEFT_ERRORS = ("channel_not_found", "user_not_found", "account_inactive", "user_disabled")


def has_left(
    session: Session, *, team_id: str, user_id: str, commitment_id: int | None = None
) -> bool:
    """Whether `user_id` has left the workspace: their cached profile says they are
    deactivated, or Slack refused a reminder about the commitment `commitment_id` to them as it
    refuses a DM to someone gone (their profile may be older than their leaving) and has not
    said since that they are here (QA h5: reactivated, and back at work, their reminders still
    went to the partner's owner, saying they had left)."""
    profile = get_profile(session=session, team_id=team_id, user_id=user_id)
    if profile is not None and profile.is_deleted:
        return True
    if commitment_id is None:
        return False
    refused = outbox_store.latest_refused_due(
        session=session,
        team_id=team_id,
        key_prefix=key_prefix(commitment_id),
        kind=REMINDER,
        recipient_user=user_id,
        errors=_LEFT_ERRORS,
    )
    return refused is not None and (profile is None or profile.fetched_at <= refused)


def stand_in(
    session: Session,
    *,
    team_id: str,
    owner_id: str,
    partner: PartnerFacts,
    now: datetime,
    commitment_id: int | None = None,
    left: bool | None = None,
) -> str:
    """Who hears about a commitment for its owner, queued at `now`: the owner when present.
    (`left`: whether the owner has left, when the caller knows; else it is read.)

    An owner who has left the workspace (`has_left`) can act on nothing: the partner's owner
    hears instead (or whoever covers for them while away), else its deputy; with neither, the
    owner still (the planner reminds nobody then, and tells the workspace once instead:
    `Commitments._tell_orphaned`).

    Everyone is judged at the moment the message would reach them (`absence_when_reached`).
    When the owner is away then: for the partner's own owner, the usual rule for owner alerts
    (`recipient_for_owner_alert`: the partner's deputy, else the deputy named for the absence).
    For anyone else, the deputy they named for the absence, else the partner's owner, else its
    deputy, whoever is present. When nobody is, the named deputy if back before the owner
    (their message held until then), else the owner, whose message waits until they are back.
    """
    if left is None:
        left = has_left(session, team_id=team_id, user_id=owner_id, commitment_id=commitment_id)
    if left:
        heirs = [
            candidate
            for candidate in (partner.owner_id, partner.deputy_id)
            if candidate
            and candidate != owner_id
            and not has_left(session, team_id=team_id, user_id=candidate)
        ]
        if heirs:
            return recipient_for_owner_alert(
                session,
                team_id=team_id,
                owner_id=heirs[0],
                partner_deputy_id=heirs[1] if len(heirs) > 1 else None,
                now=now,
            )
    if owner_id == partner.owner_id:
        return recipient_for_owner_alert(
            session,
            team_id=team_id,
            owner_id=owner_id,
            partner_deputy_id=partner.deputy_id,
            now=now,
        )
    chosen = recipient_for_owner_alert(
        session, team_id=team_id, owner_id=owner_id, partner_deputy_id=None, now=now
    )

    def away(user_id: str) -> bool:
        return absence_when_reached(session, team_id=team_id, user_id=user_id, now=now) is not None

    if not away(owner_id) or (chosen != owner_id and not away(chosen)):
        return chosen
    for candidate in (partner.owner_id, partner.deputy_id):
        if candidate and candidate != owner_id and not away(candidate):
            return candidate
    # Nobody present: the deputy named if back before the owner (held until then), else the
    # owner. A named deputy away when it would reach them does not hold it from those who
    # follow the partner and are here.
    return chosen


def _same_open(
    session: Session,
    team_id: str,
    partner_id: int,
    side: CommitmentSide,
    owner_id: str,
    what: str,
    due_on: date,
) -> Commitment | None:
    """An open commitment promising the same (words alike but for case and spacing) to or by
    the same partner, with the same owner and due day; None when there is none."""
    said = " ".join(what.casefold().split())
    rows = store.commitments(
        session=session,
        team_id=team_id,
        where=CommitmentFilter(
            status=CommitmentStatus.OPEN, partner_ids=(partner_id,), owner_id=owner_id
        ),
    )
    return next(
        (
            row
            for row in rows
            if row.side == side
            and row.due_on == due_on
            and " ".join(row.what.casefold().split()) == said
        ),
        None,
    )


def _resolve(session: Session, team_id: str, commitment_id: int | None, number: int | None) -> int:
    """The id of the commitment named by its id or, within the workspace, by its number."""
    if commitment_id is not None:
        return commitment_id
    assert number is not None, "a commitment is named by its id or its number"
    found = store.commitment_id_by_number(session=session, team_id=team_id, number=number)
    if found is None:
        raise CommitmentGone(number)
    return found


def _commitment_of(
    session: Session, team_id: str, commitment_id: int
) -> tuple[Commitment, Partner] | None:
    """The commitment, if it is open, and its partner."""
    row = store.get_commitment(session=session, team_id=team_id, commitment_id=commitment_id)
    if row is None or row.status != CommitmentStatus.OPEN:
        return None
    partner = partner_store.get_partner(session=session, team_id=team_id, partner_id=row.partner_id)
    return None if partner is None else (row, partner)


def facts_of(
    session: Session, *, team_id: str, rows: Sequence[Commitment], now: datetime
) -> list[CommitmentFacts]:
    """Facts of many commitments with three queries, not three per commitment."""
    partners = partner_store.get_partners(
        session=session, team_id=team_id, partner_ids={row.partner_id for row in rows}
    )
    todays = _todays(session, team_id, {row.owner_id for row in rows}, now)
    return [
        _facts(row, partners[row.partner_id].name, todays[row.owner_id])
        for row in rows
        if row.partner_id in partners
    ]


def open_owned_by(
    session: Session, *, team_id: str, owner_id: str, now: datetime, limit: int
) -> tuple[list[CommitmentFacts], int]:
    """Up to `limit` of the open commitments `owner_id` owns or follows up, earliest due (so the
    overdue ones) first, and how many they have open in all (the App Home)."""
    where = CommitmentFilter(status=CommitmentStatus.OPEN, owner_id=owner_id)
    rows = store.commitments(session=session, team_id=team_id, where=where, limit=limit)
    total = store.commitment_count(session=session, team_id=team_id, where=where)
    return facts_of(session, team_id=team_id, rows=rows, now=now), total


def _facts(row: Commitment, partner_name: str, owner_today: date) -> CommitmentFacts:
    assert row.id is not None and row.number is not None
    status = CommitmentStatus(row.status)
    overdue = (owner_today - row.due_on).days if status is CommitmentStatus.OPEN else 0
    return CommitmentFacts(
        id=row.id,
        number=row.number,
        partner_id=row.partner_id,
        partner_name=partner_name,
        side=CommitmentSide(row.side),
        owner_id=row.owner_id,
        what=row.what,
        due_on=row.due_on,
        status=status,
        created_by=row.created_by,
        created_at=row.created_at,
        closed_by=row.closed_by,
        closed_at=row.closed_at,
        on_time=row.on_time,
        overdue_days=max(0, overdue),
        this_year=owner_today.year,
        close_note=row.close_note,
    )


def _open_balance(items: Sequence[CommitmentFacts]) -> Balance:
    counts: dict[str, int] = defaultdict(int)
    for item in items:
        counts[f"open_{item.side}"] += 1
        if item.overdue_days:
            counts[f"overdue_{item.side}"] += 1
    return Balance(**counts)


def _todays(
    session: Session, team_id: str, user_ids: Collection[str], now: datetime
) -> dict[str, date]:
    """Today's date for each user, in their time zone (as cached, else the workspace's)."""
    profiles = get_profiles(session=session, team_id=team_id, user_ids=user_ids)
    workspace = get_workspaces(session=session, team_ids=[team_id]).get(team_id)
    return {
        user_id: now.astimezone(zone(person_tz(profiles.get(user_id), workspace))).date()
        for user_id in user_ids
    }


def _id(partner: Partner) -> int:
    assert partner.id is not None, "partner was not flushed"
    return partner.id
