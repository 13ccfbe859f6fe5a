"""Touchpoints: contacts with partners (`log`, `plan`, `intend`), the revolving-door alarm, the
owner's answer to an intent, and the briefing before reaching out (`check`).

`record` is one transaction: the touchpoint, its participants, a contact person new to the
partner, the collisions it causes, the partner's last contact and every message it triggers
(queued in the outbox) commit together, or nothing does. A request key (the command's trigger
id) makes a Slack retry of the same request answer as the first one did instead of logging twice.

Who hears what:
- The caller, in the answer: who else is in touch with the partner, when and with whom.
- The coordination channel (the partner's own, else the workspace's `config channel`, else
  LIAISON_DEFAULT_CHANNEL): one alert per touchpoint that causes news collisions, naming both
  people and both dates and mentioning the owner. Alerts about a partner within a day of its
  first alert go into that alert's thread.
- The owner (or their stand-in while they are away, `bot.delivery.absence`): a DM when someone
  outside the partner's team logs or plans a contact (or puts back a plan they had said didn't
  happen, `plan_changed`); for `intend`, a question with three
  answers, which go back to the asker. Unanswered after one working day of the person asked
  (`answer_due`: the same time on their next working day after the question reaches them,
  their time away not counted), the asker is told they may proceed (`lapse_intents`, a
  planner). When they go away or come back, the day is timed again (`retime_intents`): the
  question shows the new one, and the asker is told the new time, later or sooner than the one
  they last had (nothing when it is that one; nor when it has passed: the go-ahead tells them).

When a collision is news (alerted once): `bot.collisions` decides which touchpoints collide; every
colliding pair is recorded once. A collision is alerted unless its two authors already know of
each other (`is_news`): an alert about contacts within the coordination window named them
together (the owner it mentioned, as owner then, or whoever it mentioned as covering for them,
knows of everyone it named), or they were in touch with the partner together within it. So a
colleague who planned a meeting, was alerted, and then logs it is not alerted again; a new
colleague joining in is, even one who brought along someone in the know, and so is a new owner
after a handover.

Messages are worded by a `Renderer` that the Slack layer provides.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from functools import cache, cached_property, lru_cache
from typing import Any, NamedTuple, Protocol
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot import collisions as rules
from bot.clock import Clock
from bot.dates import (
    AHEAD_EXAMPLES,
    EXAMPLES,
    DateError,
    When,
    check_clock,
    check_span,
    contact_day,
    parse_when,
)
from bot.delivery.absence import (
    WELCOME_BACK,
    Period,
    absence_when_reached,
    is_away,
    mark_summed_up,
    next_return,
    person_zone,
    recipient_for_owner_alert,
    returns_to_sum_up,
    workspaces_with_returns,
)
from bot.delivery.dispatcher import ChannelRefused, instead_key
from bot.delivery.outbox import Schedule, enqueue, schedule_of, withdraw_from_elsewhere
from bot.delivery.working_days import Counted, working_days_later, working_days_of
from bot.delivery.working_hours import WorkingHours, zone
from bot.naming import normalize_name, person_key
from bot.services import channels, people
from bot.services.channels import PassedOver
from bot.services.checkins import recorded_again
from bot.services.job_titles import split_title
from bot.services.people import PROFILE_MAX_AGE, PeopleToLookUp, knows_zone, vet_mentions
from bot.services.registry import (
    Actor,
    AlreadyRegistered,
    BadName,
    Handover,
    NameProblem,
    PartnerFacts,
    Registry,
    clean_name,
    email_address,
    name_key,
)
from storage import outbox as outbox_store
from storage import partners as partner_store
from storage import people as store_people
from storage import touchpoints as store
from storage.db import writer_session, writing
from storage.models import (
    MAX_NAME_LENGTH,
    Absence,
    Contact,
    IntentAnswer,
    OutboxMessage,
    OutboxStatus,
    Partner,
    PartnerStatus,
    TeamRole,
    TouchpointKind,
    TouchpointMedium,
    Workspace,
)
from storage.touchpoints import (
    ContactWhileAway,
    InTouch,
    NewCollision,
    PartnerAtHand,
    ProblemWhileAway,
    TouchpointRow,
)
from storage.workspaces import get_workspaces

MAX_NOTES = 3000
# Later alerts about a partner reply in the thread of its first alert for this long.
THREAD_FOR = timedelta(days=1)
# A contact logged "at 14:00" a little before 14:00 by someone's watch is not in the future.
GRACE = timedelta(minutes=5)
BRIEFING_RECENT = 3
BRIEFING_PLANNED = 5
# The colleagues `check` names besides those under "Lately" (the rest are counted).
BRIEFING_ALSO = 5
# The plans ahead that ending a partnership cancels: all of them in practice (a partner has a
# handful), bounded so that one status change stays one short transaction.
ENDED_PLANS_CLOSED = 200
INTENTS_PER_PLANNER_RUN = 500
# How far back the last-contact planner looks for plans whose time has come (it runs every
# minute: this is for catching up after downtime).
PASSED_PLANS_LOOKBACK = timedelta(days=14)
# An intent's answer is awaited this many working days of the person asked.
INTENT_WORKING_DAYS = 1
# The same contact recorded again by the same person this soon after is the command sent twice
# (typed again, pasted again, the form's twin submitted), not a second contact (`twin_of`).
TWIN_WINDOW = timedelta(minutes=10)
# How far back "just now" is: time away ended by `back` ends at the moment it is typed.
JUST_NOW = timedelta(seconds=1)


def _back_just_now(session: Session, team_id: str, user_id: str, *, now: datetime) -> bool:
    """Away until just now and not any more: back early, not time away ahead called off, nor
    time away that began today and goes on ("is away", not "was away": QA21a NIT 5)."""
    return is_away(session, team_id=team_id, user_id=user_id, at=now - JUST_NOW) and not is_away(
        session, team_id=team_id, user_id=user_id, at=now
    )


# Message kinds in the outbox.
COLLISION_ALERT = "collision_alert"
OWNER_NOTE = "touchpoint_owner_note"
INTENT_ASK = "intent_ask"
INTENT_ANSWER = "intent_answer"
INTENT_LAPSED = "intent_lapsed"  # the owner's question, edited once the asker was told
# The owner's question, edited once its asker logged the contact before an answer.
INTENT_FOLLOWED = "intent_followed"
# The owner's question, edited once the partnership ended before an answer.
INTENT_ENDED = "intent_ended"
INTENT_HANDED = "intent_handed"  # the former owner's question, edited after a handover
MOVED_NEAR = "moved_near"  # to whoever moved a planned meeting near other contacts
REVIVED_NEAR = "revived_near"  # to whoever put back a plan near contacts made meanwhile
# To the owner: a plan by someone outside the team, said not to have happened, took place after all.
REVIVED_NOTE = "touchpoint_owner_note_revived"
INTENT_RETIMED = "intent_retimed"  # the owner's question, edited when its day to answer moved
INTENT_LATER = "intent_later"  # to the asker: the answer may come later than they were told
INTENT_SOONER = "intent_sooner"  # to the asker: the answer may come sooner than they were told
# Why a note to an owner that waited while they were away is not sent.
SUMMED_UP = "summed up for the owner on their return"
# Why a note to an owner is not sent once they have been in touch with the partner since.
IN_TOUCH_SINCE = "the owner has been in touch with the partner since"


# The open end of a range of contacts "from then on" (a plan may be years ahead).
_NO_END = datetime(9999, 12, 31, tzinfo=UTC)


def collision_key(touchpoint_id: int) -> str:
    return f"collision:{touchpoint_id}"


def owner_note_key(touchpoint_id: int) -> str:
    return f"owner-note:{touchpoint_id}"


def _touchpoint_of_alert(key: str) -> int:
    """The touchpoint a collision alert's key is about (`collision_key`, and the keys of the
    alerts after a move or a merge, which begin with it)."""
    return int(key.split(":")[1])


def revived_note_prefix(touchpoint_id: int) -> str:
    """The start of the keys of `revived_note_key`, for every putting back of one plan."""
    return f"{owner_note_key(touchpoint_id)}:revived:"


def revived_note_key(touchpoint_id: int, revival: int) -> str:
    """The owner's note that a plan said not to have happened took place after all (`revival`:
    each putting back is news of its own, `_revival`)."""
    return f"{revived_note_prefix(touchpoint_id)}{revival}"


def revived_alert_key(touchpoint_id: int, revival: int) -> str:
    """The coordination channel's alert about a plan put back (`revived_note_key`)."""
    return f"{collision_key(touchpoint_id)}:revived:{revival}"


def _revival(session: Session, team_id: str, touchpoint_id: int) -> int:
    """The number of a plan's putting back, for its keys: one more than any number its earlier
    puttings back left in the outbox (a count, not the time: two within one tick of the clock
    are two pieces of news)."""
    numbers = [0]
    for key in (revived_note_key, revived_alert_key):
        prefix = key(touchpoint_id, 0).removesuffix("0")
        for found in outbox_store.keys_starting(session=session, team_id=team_id, prefix=prefix):
            number = found.removeprefix(prefix).split(":")[0]
            if number.isdigit():  # not a key from before numbering (a time: 20261126T...)
                numbers.append(int(number))
    return max(numbers) + 1


def _touchpoint_of_note(key: str) -> int:
    """The touchpoint an owner note's key (`owner_note_key`, `revived_note_key`) is about."""
    return int(key.removeprefix("owner-note:").split(":")[0])


def _unsent_owner_notes(session: Session, team_id: str, user_id: str | None) -> list[str]:
    """The keys of the notes about outsiders' contacts not sent yet to `user_id` (anyone:
    None) as a partner's owner: plain ones and those about plans put back."""
    return [
        key
        for kind in (OWNER_NOTE, REVIVED_NOTE)
        for key in outbox_store.unsent_keys(
            session=session, team_id=team_id, user_id=user_id, kind=kind
        )
    ]


def intent_ask_key(touchpoint_id: int, *, handed_to: str | None = None) -> str:
    """The question about an intent; asked again of a partner's new owner (`handed_to`) after a
    handover, a question of its own."""
    asked = f"intent-ask:{touchpoint_id}"
    return asked if handed_to is None else f"{asked}:to:{handed_to}"


def lapsed_key(question_key: str) -> str:
    """The edit of an intent's question once nobody answered it in time."""
    return f"{question_key}:lapsed"


def handed_key(question_key: str) -> str:
    """The edit of an intent's question once it is no longer its recipient's to answer: the
    partner was handed over, or merged into another."""
    return f"{question_key}:handed"


def _question_key(session: Session, team_id: str, touchpoint_id: int, asked: str | None) -> str:
    """The key of the question the person now asked about an intent was sent: the one asked
    of them after a handover, else the first."""
    if asked is not None:
        handed = intent_ask_key(touchpoint_id, handed_to=asked)
        if outbox_store.get_message(session=session, team_id=team_id, dedupe_key=handed):
            return handed
    return intent_ask_key(touchpoint_id)


def _with_partner(
    session: Session, team_id: str, touchpoint_id: int
) -> tuple[TouchpointRow, PartnerAtHand] | None:
    """A touchpoint of the workspace and its partner with the partner's team; None when either
    is gone."""
    row = store.get_touchpoint(session=session, team_id=team_id, touchpoint_id=touchpoint_id)
    if row is None:
        return None
    found = store.partner_and_team(session=session, team_id=team_id, partner_id=row.partner_id)
    return None if found is None else (row, found)


def _notes_waiting(
    session: Session, team_id: str, *, user_id: str | None, partner_id: int
) -> Iterator[tuple[str, TouchpointRow, PartnerAtHand]]:
    """The owner notes about the partner's contacts (plans put back included) waiting unsent for
    `user_id` (for anyone: None): each note's key, its touchpoint and the partner."""
    for waiting in _unsent_owner_notes(session, team_id, user_id):
        with_partner = _with_partner(session, team_id, _touchpoint_of_note(waiting))
        if with_partner is not None and with_partner[0].partner_id == partner_id:
            yield waiting, *with_partner


def reroute_refused_alert(refused: ChannelRefused, *, renderer: Renderer) -> bool:
    """A collision alert Slack refused (in the partner's own channel, or the coordination
    channel: archived, deleted, Liaison not in it) goes to the next channel that may take it
    (`bot.services.channels`), with a word on why: the colleagues it names must still hear of
    each other. Later alerts pass the refusing channel over by themselves."""
    session, message = refused.session, refused.message
    with_partner = _with_partner(session, message.team_id, _touchpoint_of_alert(message.dedupe_key))
    if with_partner is None:
        return False
    facts = _facts(with_partner[1])

    def note(passed: Sequence[PassedOver]) -> list[dict[str, Any]]:
        return renderer.refused_elsewhere(facts, passed).blocks

    return channels.pass_on(refused, partner_id=facts.id, note=note)


def welcome_back_key(user_id: str, back_at: datetime) -> str:
    """The summary of what colleagues did while `user_id` was away, until `back_at`."""
    return f"welcome-back:{user_id}:{back_at:%Y%m%dT%H%M%S}"


def _while_away(
    session: Session, team_id: str, user_id: str, start: datetime, end: datetime
) -> list[PartnerWhileAway]:
    found = store.contacts_while_away(
        session=session, team_id=team_id, owner_id=user_id, start=start, end=end
    )
    by_partner: dict[int, list[ContactWhileAway]] = {}
    for contact in found:
        by_partner.setdefault(contact.partner_id, []).append(contact)
    alerts = store.alerts_while_away(
        session=session, team_id=team_id, partner_ids=by_partner, start=start, end=end
    )
    return [
        PartnerWhileAway(
            id=partner_id,
            name=contacts[0].partner_name,
            contacts=tuple(contacts),
            alerts=alerts.get(partner_id, 0),
        )
        for partner_id, contacts in by_partner.items()
    ]


def _drop_notes_summed_up(
    session: Session, team_id: str, to: str | None, contacts: Iterable[ContactWhileAway]
) -> None:
    """Cancel the notes about `contacts` still waiting for `to` (their owner; anyone: None),
    now that a summary of the owner's time away tells them of those contacts."""
    told = list(contacts)
    outbox_store.cancel_unsent_to(
        session=session,
        team_id=team_id,
        user_id=to,
        dedupe_keys=[owner_note_key(contact.id) for contact in told],
        # The summary lists a plan put back (one said not to have happened is left out): a
        # note that it took place after all (`revived_note_key`, numbered) would tell of a
        # meeting it lists. A plan made before the time away is not in it, and keeps its note.
        numbered=[
            revived_note_prefix(contact.id)
            for contact in told
            if contact.kind is TouchpointKind.PLANNED
        ],
        reason=SUMMED_UP,
    )


def intent_answer_key(touchpoint_id: int, answer: IntentAnswer, *, to: str | None = None) -> str:
    """The answer to an intent for its asker, or `to` a colleague it names; the asker's key is
    the prefix of theirs (`cancel_unsent(key_prefix=…)` drops all the copies)."""
    key = f"intent-answer:{touchpoint_id}:{answer}"
    return key if to is None else f"{key}:{to}"


def retimed_prefix(touchpoint_id: int, *, to: str) -> str:
    """The start of the keys of `retimed_key`, for every move of one intent's day to answer."""
    return f"intent-due:{touchpoint_id}:{to}:"


def retimed_key(touchpoint_id: int, deadline: datetime, now: datetime, *, to: str) -> str:
    """The edit of an intent's question (`to` "asked") when its day to answer moved to
    `deadline` at `now`."""
    return f"{retimed_prefix(touchpoint_id, to=to)}{deadline:%Y%m%dT%H%M}:{now:%Y%m%dT%H%M%S}"


_MINUTE = "%Y%m%dT%H%M"


def _to_the_minute(moment: datetime) -> str:
    """A day to answer as people read it (to the minute), in UTC."""
    return f"{moment.astimezone(UTC):{_MINUTE}}"


def moved_key(touchpoint_id: int, *, deadline: datetime, told: datetime, now: datetime) -> str:
    """The word to an intent's asker, at `now`, that its day to answer moved to `deadline` from
    `told`, the one they had heard of (`_told_deadline` reads both back)."""
    moved = f"{_to_the_minute(deadline)}:{_to_the_minute(told)}"
    return f"{retimed_prefix(touchpoint_id, to='asker')}{moved}:{now:%Y%m%dT%H%M%S}"


def _told_deadline(
    session: Session, team_id: str, touchpoint_id: int, *, question: OutboxMessage | None
) -> datetime | None:
    """The day to answer an intent's asker last heard of, or will (a word being sent counts,
    one unsent does not), as moved since the question now open (`question`) was asked: the
    latest word's new day if it reached them, else the day it moved from. None: no word since
    that question, so they have the day set when it was asked (in the reply to `intend`, or the
    word that someone else is asked now)."""
    word = outbox_store.latest_with_prefix(
        session=session, team_id=team_id, key_prefix=retimed_prefix(touchpoint_id, to="asker")
    )
    if word is None or word.id is None or (question is not None and word.id < (question.id or 0)):
        return None
    parts = word.dedupe_key.split(":")
    if len(parts) != 6:
        return None  # a word from before `moved_key` said where it moved from
    reached = word.status in (OutboxStatus.SENT, OutboxStatus.SENDING)
    return datetime.strptime(parts[3] if reached else parts[4], _MINUTE).replace(tzinfo=UTC)


# --- What the service takes and answers ---------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class NewTouchpoint:
    """A contact as the caller described it. The day comes typed (`on friday 14:00`, read in the
    caller's time zone) or picked from a calendar; neither means now (`log`, `intend`)."""

    kind: TouchpointKind
    notes: str
    day_text: str | None = None
    day: date | None = None
    medium: TouchpointMedium | None = None
    participants: Sequence[str] = ()
    # The people at the partner it was with, as typed (`Jane Doe`, `jane@partner.org`).
    contacts: Sequence[str] = ()
    # When the caller typed it, if earlier (a "Did you mean" picked later): its day is read,
    # and a contact without one happened, as of then.
    typed_at: datetime | None = None

    def as_of(self, now: datetime) -> datetime:
        """The moment its day is read from: when it was typed, never later than `now`."""
        return min(self.typed_at or now, now)


@dataclass(frozen=True, kw_only=True)
class Touch:
    """One touchpoint as people are told about it."""

    id: int
    kind: TouchpointKind
    at: datetime
    day_only: bool
    medium: str | None
    author_id: str
    participants: tuple[str, ...]
    contacts: tuple[str, ...]  # the people at the partner, in the order named
    notes: str | None
    asked: str | None = None
    deadline: datetime | None = None
    answer: IntentAnswer | None = None
    answered_by: str | None = None
    answered_at: datetime | None = None
    # A plan its author said didn't happen: shown as such, counted as no contact.
    cancelled_at: datetime | None = None

    @property
    def colleagues(self) -> tuple[str, ...]:
        return (self.author_id, *self.participants)

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None

    @classmethod
    def of(cls, row: TouchpointRow) -> Touch:
        return cls(
            id=row.id,
            kind=row.kind,
            at=row.at,
            day_only=row.day_only,
            medium=row.medium,
            author_id=row.author_id,
            participants=row.participants,
            contacts=row.contact_names,
            notes=row.notes,
            asked=row.intent_asked,
            deadline=row.intent_deadline,
            answer=row.intent_answer,
            answered_by=row.intent_answered_by,
            answered_at=row.intent_answered_at,
            cancelled_at=row.cancelled_at,
        )


class _AsRecorded(NamedTuple):
    """A touchpoint as `recorded_again` reads it (a tuple: built for each clash a list shows)."""

    author_id: str
    medium: str
    planned: bool
    colleagues: tuple[str, ...]

    @classmethod
    def of(
        cls, author_id: str, kind: TouchpointKind, medium: str | None, colleagues: Iterable[str]
    ) -> _AsRecorded:
        return cls(
            author_id=author_id,
            medium=medium or "",
            planned=kind is TouchpointKind.PLANNED,
            colleagues=tuple(colleagues),
        )


@dataclass(frozen=True)
class MergeFinding:
    """Colleagues a merge showed to be in touch with one partner: `touch` and the contacts it
    collides with that nobody had put together; alerted in `channel` (None: no alert), the
    channels known to refuse Liaison passed over (all of them, with no `channel`)."""

    touch: Touch
    clashes: list[Clash]
    channel: str | None
    passed_over: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Clash:
    """Another contact with the partner that a touchpoint collides with."""

    other: Touch
    same_contact: bool
    # Which of the other's people at the partner this one met too, when known (recording).
    shared: tuple[str, ...] = ()
    # The authors of other colleagues' records of the same contact, folded into this one for a
    # list (`joint_clashes`): one meeting two colleagues each logged is one line.
    also_by: tuple[str, ...] = ()


def same_contact_twice(a: Touch, b: Touch, *, tz: ZoneInfo) -> bool:
    """Whether two colleagues' touchpoints, of one kind on one day (in `tz`), record one contact
    (`recorded_again`: a meeting both took part in, each naming the other); intents are not
    contacts."""
    return _AsContact.of(a, tz=tz).same_as(_AsContact.of(b, tz=tz))


class _AsContact(NamedTuple):
    """What `same_contact_twice` compares of a touchpoint, read once: `joint_clashes` compares
    each of a list with every one before it (a tuple: built for each)."""

    kind: TouchpointKind
    author_id: str
    cancelled: bool
    day: date
    recorded: _AsRecorded

    @classmethod
    def of(cls, touch: Touch, *, tz: ZoneInfo) -> _AsContact:
        return cls(
            kind=touch.kind,
            author_id=touch.author_id,
            cancelled=touch.cancelled,
            day=contact_day(touch.at, day_only=touch.day_only, tz=tz),
            recorded=_AsRecorded.of(touch.author_id, touch.kind, touch.medium, touch.colleagues),
        )

    def same_as(self, other: _AsContact) -> bool:
        return (
            self.kind is other.kind
            and self.kind is not TouchpointKind.INTENDED
            and self.author_id != other.author_id
            and self.cancelled == other.cancelled
            and self.day == other.day
            and recorded_again(self.recorded, other.recorded)
        )


def joint_clashes(clashes: Sequence[Clash], *, tz: ZoneInfo) -> list[Clash]:
    """`clashes` with colleagues' records of one contact folded into the first of them
    (`same_contact_twice`), so that a list names a meeting two colleagues each logged once, as
    the owner's note, check-ins and the digest count it (QA21a BUG 7)."""
    if len(clashes) < 2:
        return list(clashes)
    joint: list[Clash] = []
    # What `same_contact_twice` reads of each of `joint`, as it stands.
    compared: list[_AsContact] = []
    for clash in clashes:
        this = _AsContact.of(clash.other, tz=tz)
        for i, first in enumerate(joint):
            if compared[i].same_as(this):
                other = first.other
                joint[i] = replace(
                    first,
                    other=replace(
                        other,
                        participants=tuple(
                            dict.fromkeys([*other.participants, *clash.other.participants])
                        ),
                        contacts=tuple(dict.fromkeys([*other.contacts, *clash.other.contacts])),
                    ),
                    same_contact=first.same_contact or clash.same_contact,
                    shared=tuple(dict.fromkeys([*first.shared, *clash.shared])),
                    also_by=(*first.also_by, clash.other.author_id),
                )
                compared[i] = _AsContact.of(joint[i].other, tz=tz)
                break
        else:
            joint.append(clash)
            compared.append(this)
    return joint


@dataclass(frozen=True, kw_only=True)
class Reopening:
    """Who may reopen an ended partner, for the reader of a word about it: the registry's rule
    for changing a partner (owner, deputy, admins), so a hint to run `status NAME active` goes
    only to those it would not refuse; the others are told whom to ask."""

    # The reader may (as far as Liaison knows without asking Slack).
    may: bool
    owner_id: str | None
    deputy_id: str | None
    # The admins Liaison knows of, to name to the others.
    admins: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Recorded:
    """What `record` did, for the caller's answer."""

    partner: PartnerFacts
    touch: Touch
    clashes: list[Clash]
    # Where the collision alert was queued (None: no news, or no channel to post to).
    alert_channel: str | None = None
    # The channels passed over (the partner's own, the coordination channel, the default) and
    # why Liaison's latest delivery to each failed for good: the alert went to the next one, or
    # (no `alert_channel`) nowhere.
    refused_channels: tuple[tuple[str, str], ...] = ()
    alert_threaded: bool = False
    # News collisions but no coordination channel anywhere: nobody else was alerted.
    no_channel: bool = False
    # Who was messaged as the partner's owner (or stand-in) about this contact.
    owner_told: str | None = None
    # Who hears of this contact from another colleague's record of it (the same meeting,
    # `recorded_again`), so was not told a second time: (they, that record's author).
    owner_told_by: tuple[str, str] | None = None
    # Who covers for the away owner (mentioned in the alert instead of them alone).
    covering: str | None = None
    # The end (in their own time zone) of the absence of the owner told about the contact or
    # asked about an intent, if they are away and nobody covers: the message waits for their
    # return.
    owner_away_until: datetime | None = None
    # Then, the deputy who would cover for them but cannot be reached before they are back
    # (their hours begin later, or they are away too): not "nobody covers".
    cover_out_of_reach: str | None = None
    # The end (in their zone) of the time away of whoever covers for the away owner and was
    # told or asked (`owner_told`), if they are away too when it would reach them: it waits for
    # their return, before the owner's (`owner_away_until` is then the owner's).
    cover_away_until: datetime | None = None
    # The person asked about an intent is off duty now: the question reaches them when their
    # working day begins (not "I've asked").
    asked_off_duty: bool = False
    # Likewise the one told of the contact (`owner_told`), not away but off duty now (a log on
    # a Saturday): the note reaches them when their working day begins (not "I've let … know").
    told_off_duty: bool = False
    # The end of time away the person asked about an intent has ahead of them before the
    # answer is due, which pushed the day back (not when they are away now: see above).
    asked_away_until: datetime | None = None
    # Who covers for the owner asked about an intent, if the owner's day to answer ends in
    # time away ahead of them: asked then, should the owner not have answered.
    cover_then: str | None = None
    # Collisions but none news: how the caller's side knew of them already.
    already_known: Known | None = None
    # Known.ALERTED: the channel of the latest alert that named them together (None: unknown).
    alerted_in: str | None = None
    # The partnership has ended: the contact is history, and nobody was told or alerted.
    ended: bool = False
    # Then, who may reopen it.
    reopening: Reopening | None = None
    # The caller's time zone, for dates in the answer.
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    # Slack has not told us the caller's zone yet (their first command): `tz` is the
    # workspace's, and the answer says so.
    zone_guessed: bool = False
    # A repeat of a request recorded before (a Slack retry): nothing new was saved.
    repeated: bool = False
    # When the caller recorded this very contact before, moments ago (`twin_of`): the command
    # was sent twice, and nothing new was saved.
    twin_at: datetime | None = None
    # The caller's own intent with the same purpose, still waiting for its answer, was noted
    # then: this one was not noted again, nor asked a second time (QA20c NIT 11).
    open_since: datetime | None = None
    # The partner was registered for this contact, with the caller as owner.
    registered: bool = False
    # The caller's intents this log follows up whose owner's "I'll handle it" or "Let's talk
    # first" still waits for the caller's working hours: the log's answer says so at once
    # (QA20c NIT 13).
    overtaken: tuple[Touch, ...] = ()
    # Those whose Slack profiles (time zones) are missing or stale among the people the
    # contact's messages are timed for: caller, participants, owner, deputy, whoever was told.
    stale: tuple[str, ...] = ()

    @property
    def asked(self) -> str | None:
        """Who was asked about an intent."""
        return self.touch.asked


@dataclass(frozen=True, kw_only=True)
class Suggestions:
    """The partner picker's answer to what was typed so far."""

    # (id, name, the name or alias that matched), best first.
    partners: list[tuple[int, str, str]]
    # What was typed, cleaned, when no partner goes by it exactly (None: one does).
    unregistered: str | None


@dataclass(frozen=True, kw_only=True)
class Briefing:
    """What `check` shows before someone reaches out."""

    partner: PartnerFacts
    members: list[str]
    last_contact_by: str | None
    recent: list[Touch]
    # The other colleagues in touch within the coordination window, not in `recent`: each with
    # their latest contact, latest first, up to BRIEFING_ALSO of `also_in_touch_count`.
    also_in_touch: list[InTouch] = field(default_factory=list)
    also_in_touch_count: int = 0
    planned: list[Touch]
    intents: list[Touch]
    # The caller's latest intent of the coordination window, answered or not.
    own_intent: Touch | None = None
    # All of the caller's intents of the window, newest first (`own_intent` is the first):
    # intents with different purposes are separate, and `check` names each.
    own_intents: list[Touch] = field(default_factory=list)
    caller_role: TeamRole | None
    window_days: int
    tz: ZoneInfo
    # Who asked: their own touches read as theirs.
    reader: str | None = None
    # Liaison has not learnt the reader's zone yet: `tz` is the workspace's (or UTC).
    zone_guessed: bool = False
    # The end of the owner's time away (in their zone), if they are away, and who covers, if
    # anyone.
    owner_away_until: datetime | None = None
    covering: str | None = None
    # The partnership has ended (nobody follows it): who may reopen it.
    reopening: Reopening | None = None


@dataclass(frozen=True, kw_only=True)
class Upcoming:
    """A partner's planned contacts ahead, dated for one reader."""

    planned: list[Touch]
    tz: ZoneInfo


@dataclass(frozen=True, kw_only=True)
class IntentOutcome:
    """An answer to an intent, and where the question was asked (to update it)."""

    partner: PartnerFacts
    touch: Touch
    # False: someone answered before; `touch` carries their answer.
    recorded: bool
    # The answer came after the asker had been told they may proceed.
    late: bool
    asked_channel: str | None
    asked_ts: str | None


# --- Messages -----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Message:
    text: str
    blocks: list[dict[str, Any]]


@dataclass(frozen=True, kw_only=True)
class CollisionAlert:
    """The coordination channel's alert: a new contact and those it collides with."""

    partner: PartnerFacts
    touch: Touch
    clashes: list[Clash]
    threaded: bool
    window_days: int
    # Who covers for the owner while they are away (None: the owner is present, or nobody).
    covering: str | None = None
    # When the contact was recorded: a plan whose moment had passed by then reads as past.
    recorded_at: datetime | None = None
    # The end of the owner's time away when they are away and nobody covers (in their zone).
    owner_away_until: datetime | None = None
    # Then, the deputy who would cover but cannot be reached before the owner is back
    # (`Recorded.cover_out_of_reach`): not "nobody covers".
    cover_out_of_reach: str | None = None
    # The workspace's zone (`config timezone`): the channel reads its days, as the window
    # counts them, on its calendar.
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))


@dataclass(frozen=True, kw_only=True)
class OwnerNote:
    """To the partner's owner (or the colleague covering for them): someone's contact, or a
    question about someone's intent."""

    partner: PartnerFacts
    touch: Touch
    recipient: str
    clashes: list[Clash]
    tz: ZoneInfo
    # When the contact was recorded: a plan whose moment had passed by then reads as past.
    recorded_at: datetime | None = None
    # An intent's question withdrawn after a handover, and who is asked instead (None: nobody,
    # the new owner took part in it).
    withdrawn: bool = False
    handed_to: str | None = None
    # The partner the withdrawn question was about, merged since into `partner`.
    merged_from: str | None = None
    # A plan its author had said didn't happen, put back: it took place after all.
    revived: bool = False
    # Who is asked at the deadline instead, should the owner asked not have answered by then:
    # whoever covers for them in their time away (`Touchpoints._cover_at_deadline`).
    cover_then: str | None = None


@dataclass(frozen=True, kw_only=True)
class LaterNote:
    """To whoever stated an intent: the person asked went away, so the answer they were told
    to expect by a deadline may come later (`touch.deadline`, the new one)."""

    partner: PartnerFacts
    touch: Touch
    # The end (in the asked person's zone) of the time away that moved the deadline.
    away_until: datetime | None
    tz: ZoneInfo
    # The partner was handed over: the new owner (or whoever covers for them) is asked now.
    new_owner: bool = False
    # The intent was about this partner, merged since into `partner`, whose owner is asked now.
    merged_from: str | None = None
    # The owner went away before the question reached them: whoever covers for them
    # (`touch.asked`) is asked now, and `away_until` is the owner's last day away.
    covering_for: str | None = None
    # The day to answer moved earlier instead: the person asked is back early (`back`), or has
    # less time away (`away_until`, what is left of it, if any).
    sooner: bool = False
    back: bool = False
    # The owner (`touch.asked`) is asked instead of this cover, who had not had the question:
    # they are back (`back`), or called their time away off.
    instead_of: str | None = None
    # For a colleague the intent names (`intend Acme with @dan`), not its asker.
    going_along: bool = False


@dataclass(frozen=True, kw_only=True)
class PartnerWhileAway:
    """What others did with a partner the reader owns while the reader was away (`back`)."""

    id: int
    name: str
    contacts: tuple[ContactWhileAway, ...]
    # Revolving-door alerts the coordination channel got about it meanwhile.
    alerts: int


@dataclass(frozen=True, kw_only=True)
class QuestionFor:
    """An intent someone is asked about and has not answered: whose, with which partner."""

    author_id: str
    partner: str
    notes: str


@dataclass(frozen=True, kw_only=True)
class WelcomeBack:
    """To someone back from time away that ended on its own: what colleagues did meanwhile
    with the partners they own."""

    recipient: str
    away: Period
    partners: tuple[PartnerWhileAway, ...]
    tz: ZoneInfo
    now: datetime
    # Check-ins answered Problem about those partners in the time away, oldest first.
    problems: tuple[ProblemWhileAway, ...] = ()


@dataclass(frozen=True, kw_only=True)
class AskerNote:
    """To whoever stated an intent: the answer, or word that they may proceed."""

    partner: PartnerFacts
    touch: Touch
    late: bool
    tz: ZoneInfo
    # The asker logged a contact with the partner after the answer, before it reached them.
    logged_since: bool = False
    # Who logged it, when a colleague the intent names did (`log Acme with @ben`).
    logged_by: str | None = None
    # The partnership ended before an answer (`IntentAnswer.ENDED`): who may reopen it.
    reopening: Reopening | None = None
    # To a colleague the intent names (`with @dan`), going along with its asker.
    going_along: bool = False
    # Which colleague, when `going_along`: their own log is worded as theirs.
    reader: str | None = None


class PlanChange(StrEnum):
    """How a planned meeting already recorded changed, so that its collisions are looked for
    again (`Touchpoints.plan_changed`)."""

    MOVED = "moved"  # to another day (a check-in's "Moved to…")
    REVIVED = "revived"  # counted again: its author took back "Didn't happen"


class Renderer(Protocol):
    """Words and blocks for the messages Liaison sends on its own about touchpoints."""

    def collision_alert(self, alert: CollisionAlert) -> Message: ...

    def owner_note(self, note: OwnerNote) -> Message: ...

    def intent_ask(self, note: OwnerNote) -> Message: ...

    def asker_note(self, note: AskerNote) -> Message: ...

    def moved_near(self, note: OwnerNote) -> Message: ...

    def revived_near(self, note: OwnerNote) -> Message: ...

    def intent_later(self, note: LaterNote) -> Message: ...

    def refused_elsewhere(self, facts: PartnerFacts, passed: Sequence[PassedOver]) -> Message: ...

    def welcome_back(self, note: WelcomeBack) -> Message: ...


# --- What the service refuses -------------------------------------------------------------------


class Problem(StrEnum):
    UNREADABLE_DATE = "unreadable_date"
    NO_DATE = "no_date"
    LOG_IN_FUTURE = "log_in_future"
    PLAN_IN_PAST = "plan_in_past"
    # Further ahead or back than a date is given on purpose (`bot.dates.check_span`).
    DATE_TOO_FAR = "date_too_far"
    # A time the clocks skip as they go forward (`bot.dates.check_clock`).
    NO_SUCH_TIME = "no_such_time"
    NO_NOTES = "no_notes"
    NOTES_TOO_LONG = "notes_too_long"
    # A first name alone (`with Jane`) that begins the names of two or more of the partner's
    # contacts: which one? (`choices`: their names and titles.)
    WHICH_CONTACT = "which_contact"


class BadTouchpoint(Exception):
    """A touchpoint that cannot be recorded as described; nothing was saved."""

    def __init__(
        self,
        problem: Problem,
        *,
        detail: str = "",
        when: When | None = None,
        typed: str | None = None,
        length: int = 0,
        choices: Sequence[tuple[str, str | None]] = (),
    ) -> None:
        super().__init__(f"{problem}: {detail or typed or ''}")
        self.problem = problem
        self.detail = detail
        self.when = when
        self.typed = typed
        self.length = length
        self.choices = tuple(choices)


class ZoneUnknown(Exception):
    """A typed date must be read in the caller's time zone, which Slack has not told us yet."""

    def __init__(self, user_id: str) -> None:
        super().__init__(f"time zone of {user_id} unknown")
        self.user_id = user_id


class PartnerGone(Exception):
    """A partner picked in a form no longer exists (merged or removed since)."""


class PartnerEnded(Exception):
    """A plan or an intent for a partner whose partnership has ended: nobody follows it any
    more (README), so there is no one to coordinate with and nothing to look forward to."""

    def __init__(self, partner: PartnerFacts, kind: TouchpointKind, reopening: Reopening) -> None:
        super().__init__(f"partner {partner.id} has ended")
        self.partner = partner
        self.kind = kind
        self.reopening = reopening


class NewPartnerRefused(Exception):
    """A partner to register for a contact has a name `add` refuses."""

    def __init__(self, refusal: BadName) -> None:
        super().__init__(str(refusal))
        self.refusal = refusal


class IntentGone(Exception):
    """An intent answered from a button no longer exists."""


class NotAsked(Exception):
    """Someone other than the person asked (or the owner or deputy) answered an intent."""

    def __init__(self, partner: PartnerFacts, touch: Touch) -> None:
        super().__init__(f"not asked about intent {touch.id}")
        self.partner = partner
        self.touch = touch


# --- Pure rules ---------------------------------------------------------------------------------


def moment(
    kind: TouchpointKind, when: When | None, *, now: datetime, typed: str | None = None
) -> tuple[datetime, bool]:
    """When the touchpoint happens (UTC) and whether only its day is known.

    No date: now (`log`, `intend`); `plan` needs one. A day without a time is noon of that day
    in the caller's zone, kept inside that day in UTC (`When.day_moment`). A contact logged
    must lie in the past (today counts); a planned or intended one today or later; neither so
    far off as to be a typo of the year. A time the clocks skip in spring is refused
    (`check_clock`); one in the hour that comes twice in autumn is its first coming, unless only
    the second is on the side of now the kind takes.
    """
    if when is None:
        if kind is TouchpointKind.PLANNED:
            raise BadTouchpoint(Problem.NO_DATE)
        return now, False
    today = now.astimezone(when.tz).date()
    if when.at is None:
        at, day_only = when.day_moment(), True
        in_future, in_past = when.day > today, when.day < today
    else:
        try:
            check_clock(when, typed=typed)
        except DateError as error:
            raise BadTouchpoint(
                Problem.NO_SUCH_TIME, detail=str(error), when=when, typed=typed
            ) from None
        # A time the clocks go back over comes twice: the first, unless only the second fits
        # (a plan for 02:50 typed at 02:40 the second time round, a log typed before 02:30's
        # second coming).
        moments = when.moments()
        at = next((one for one in moments if _fits(kind, one, now=now)), moments[0])
        day_only, in_future, in_past = False, at > now + GRACE, at < now - GRACE
    if kind is TouchpointKind.DONE and in_future:
        raise BadTouchpoint(Problem.LOG_IN_FUTURE, when=when, typed=typed)
    if kind is not TouchpointKind.DONE and in_past:
        raise BadTouchpoint(Problem.PLAN_IN_PAST, when=when, typed=typed)
    try:
        check_span(when.day, today=today, ahead=kind is not TouchpointKind.DONE, typed=typed)
    except DateError as error:
        raise BadTouchpoint(
            Problem.DATE_TOO_FAR, detail=str(error), when=when, typed=typed
        ) from None
    return at, day_only


def _fits(kind: TouchpointKind, at: datetime, *, now: datetime) -> bool:
    """Whether `at` is on the side of `now` the kind takes: a contact logged in the past, a plan
    or an intent ahead (a moment's grace either way)."""
    return at <= now + GRACE if kind is TouchpointKind.DONE else at >= now - GRACE


@cache
def every_zone() -> tuple[ZoneInfo, ...]:
    """Every zone of the tz database, loaded once per process: listing them takes ~30 ms and
    loading them ~80 ms, too slow for a request before its ack. `liaison run` and `serve` load
    them at start-up (`bot.cli.warm_up`)."""
    return tuple(ZoneInfo(name) for name in sorted(available_timezones()))


@lru_cache(maxsize=4)
def zones_in_use(day: date) -> tuple[ZoneInfo, ...]:
    """One zone for each offset from UTC some place has at noon UTC of `day` (UTC-12 to
    UTC+14, with the half and three-quarter hours)."""
    noon = datetime.combine(day, time(12, 0), tzinfo=UTC)
    by_offset: dict[timedelta | None, ZoneInfo] = {}
    for tz in every_zone():
        by_offset.setdefault(noon.astimezone(tz).utcoffset(), tz)
    return tuple(by_offset.values())


def has_passed(touch: Touch, *, tz: ZoneInfo, now: datetime) -> bool:
    """Whether a touch's moment is behind a reader in `tz`: its time, or for a day-only touch, its
    whole day."""
    if touch.day_only:
        return contact_day(touch.at, day_only=True, tz=tz) < now.astimezone(tz).date()
    return touch.at <= now


def twin_of(
    touch: Touch,
    contact_ids: frozenset[int],
    around: Iterable[TouchpointRow],
    *,
    now: datetime,
    undated: bool,
) -> TouchpointRow | None:
    """The caller's own record of the very contact `touch` records, made in the last
    `TWIN_WINDOW`: the same kind, medium, colleagues, people at the partner and notes, and the
    same day and time, or (`undated`: `touch` is timed when it was typed, as an intent always
    is) one timed when it was typed too, in that window."""
    since = now - TWIN_WINDOW
    for row in around:
        if (
            row.author_id == touch.author_id
            and row.kind is touch.kind
            and row.created_at is not None
            and row.created_at >= since
            and row.day_only == touch.day_only
            and (row.at >= since if undated else row.at == touch.at)
            and row.medium == touch.medium
            and row.participants == touch.participants
            and frozenset(row.contact_ids) == contact_ids
            and (row.notes or "") == (touch.notes or "")
        ):
            return row
    return None


def _purpose(notes: str | None) -> str:
    return " ".join((notes or "").split()).casefold()


def open_intent_like(touch: Touch, around: Iterable[TouchpointRow]) -> TouchpointRow | None:
    """The caller's earlier intent with the partner that `touch`, an intent too, repeats: the
    same purpose (whatever the case and spacing), still open (no answer yet, nor lapsed). The
    same heads-up sent again is the same question, not a second one for the owner."""
    if touch.kind is not TouchpointKind.INTENDED:
        return None
    purpose = _purpose(touch.notes)
    for row in around:
        if (
            row.kind is TouchpointKind.INTENDED
            and row.author_id == touch.author_id
            and row.intent_answer is None
            and _purpose(row.notes) == purpose
        ):
            return row
    return None


def check_notes(notes: str) -> str:
    """The notes, trimmed; raises BadTouchpoint when they are missing or too long."""
    text = notes.strip()
    if not text:
        raise BadTouchpoint(Problem.NO_NOTES)
    if len(text) > MAX_NOTES:
        raise BadTouchpoint(Problem.NOTES_TOO_LONG, length=len(text))
    return text


class Known(StrEnum):
    """Why a collision is no news: how the caller already knew the other contact's author."""

    ALERTED = "alerted"  # an alert in the channel named them together lately
    TOLD = "told"  # the caller was told of the other's contact (the owner's note or question)
    TOGETHER = "together"  # they were in touch with the partner together lately
    # The caller owns the partner and intends to reach out, and the other is an intent whose
    # question to them (or whoever covers for them) is still open: the answer is theirs to give.
    ASKED = "asked"
    MIXED = "mixed"  # of several contacts, some were known one way and some the other


def known(
    caller: str,
    other: str,
    *,
    named: Collection[frozenset[str]],
    together: Iterable[Iterable[str]],
    told: Collection[frozenset[str]] = (),
) -> Known | None:
    """How the caller already knows `other`, the author of a contact their new one collides
    with, if they do; then the collision is not alerted again:

    - an alert about contacts of the coordination window named them together (`named`: the
      pairs of colleagues on either side of each alerted collision), so each knows of the
      other; or
    - they took part in one touchpoint with the partner lately (`together`: the colleagues of
      each touchpoint around), so they coordinate already; or
    - one was told of the other's contact in a direct message that had reached them by the
      time of their own contact (`told`: the owner's note about an outsider's contact, or the
      owner's question about an intent, and whom it reached), so the owner following up knows
      whom they follow. A message still queued for their working hours told them nothing.

    Knowing is between two people: someone else's knowledge does not count (a colleague the
    caller took along, who knew `other`, does not make the caller known to `other`), nor does
    the caller's own answer, which told them and not `other`.
    """
    if frozenset((caller, other)) in named:
        return Known.ALERTED
    if any(caller in people and other in people for people in together):
        return Known.TOGETHER
    if frozenset((caller, other)) in told:
        return Known.TOLD
    return None


def is_news(
    caller: str,
    other: str,
    *,
    named: Collection[frozenset[str]],
    together: Iterable[Iterable[str]],
) -> bool:
    """Whether a collision should be alerted: the caller and the other author do not know of
    each other yet."""
    return known(caller, other, named=named, together=together) is None


class _Recorded(Protocol):
    """A touchpoint as stored or as told (`TouchpointRow`, `Touch`)."""

    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> TouchpointKind: ...
    @property
    def at(self) -> datetime: ...
    @property
    def day_only(self) -> bool: ...
    @property
    def medium(self) -> str | None: ...
    @property
    def author_id(self) -> str: ...
    @property
    def participants(self) -> tuple[str, ...]: ...


def followed_up(
    touches: Iterable[_Recorded], *, tz: tzinfo, zones: Mapping[str, tzinfo] | None = None
) -> set[int]:
    """The ids of plans and intents among `touches` that a log has since followed up, so that
    one contact is not told of twice:

    - a plan, by a log of the same kind of contact on its day in which its author took part:
      the log stands for the meeting;
    - an intent, by a log of its author's, or of a colleague it names in which its author took
      part (`_follows_intent`), recorded after the intent, of a contact on or after the
      intent's day: the heads-up is over. A contact logged before the intent was stated,
      even that day, is what the intent comes after, not its follow-up (ids grow as rows are
      recorded). A plan does not end an intent (the owner's answer may still be due).

    Days are read on the calendar of the plan's or intent's author (`zones`, else `tz`, the
    workspace's zone): a meeting planned for 20:00 in New York and logged as "on friday" is on
    Friday for its author, though on Saturday in UTC (`contact_day`).

    Both stay stored (collisions and check-ins refer to them); they are left out of what
    people are shown and of new collisions.
    """
    touches = list(touches)
    if all(t.kind is TouchpointKind.DONE for t in touches):
        return set()  # most often, on the log path: nothing to follow up
    logs = [t for t in touches if t.kind is TouchpointKind.DONE]
    zones = zones or {}

    def day(t: _Recorded, person: str) -> date:
        return contact_day(t.at, day_only=t.day_only, tz=zones.get(person, tz))

    logged = {
        (person, day(t, person), t.medium)
        for t in logs
        for person in (t.author_id, *t.participants)
    }
    gone = set()
    for t in touches:
        if t.kind is TouchpointKind.PLANNED:
            if (t.author_id, day(t, t.author_id), t.medium) in logged:
                gone.add(t.id)
        elif t.kind is TouchpointKind.INTENDED:
            stated = day(t, t.author_id)
            if any(
                log.id > t.id and _follows_intent(log, t) and day(log, t.author_id) >= stated
                for log in logs
            ):
                gone.add(t.id)
    return gone


def _follows_intent(log: _Recorded, intent: _Recorded) -> bool:
    """Whether `log` can stand for the contact `intent` announced: its asker's own, or one
    logged by a colleague the intent names (`intend Acme with @dan`) in which the asker took
    part (`log Acme with @ben`): the same contact, whoever logged it (QA h15 1)."""
    return log.author_id == intent.author_id or (
        log.author_id in intent.participants and intent.author_id in log.participants
    )


def _open_with_owner(scene: _Scene, touch: Touch, other: Touch) -> bool:
    """Whether the owner, intending to reach out to their own partner, collides with a
    colleague's intent whose question to them (or to whoever covers for them while away) is
    still open. Present, they were asked in a direct message and need no alert; away, the same
    holds: they need nobody's go-ahead, and the question is theirs (or their cover's) to answer,
    so an alert asking their cover to make the colleague coordinate would have it backwards.
    Their answer reminds them of the open question instead (`open_questions`)."""
    return (
        touch.kind is TouchpointKind.INTENDED
        and touch.author_id == scene.facts.owner_id
        and other.kind is TouchpointKind.INTENDED
        and other.asked is not None
        and other.answer is None
    )


def authors_zones(
    session: Session, *, team_id: str, touches: Collection[_Recorded]
) -> dict[str, tzinfo]:
    """The time zones of the authors of the plans and intents among `touches` whom Slack told
    us one of, for `followed_up`; no query when there are none (most logs' neighbours)."""
    authors = {t.author_id for t in touches if t.kind is not TouchpointKind.DONE}
    if not authors:
        return {}
    known = store_people.zones_of(session=session, team_id=team_id, user_ids=authors)
    return {user: zone(name) for user, name in known.items() if name}


def on_the_quarter(moment_: datetime, *, tz: ZoneInfo) -> datetime:
    """`moment_` rounded up to the quarter hour of the person's local time: a deadline reads
    "by 09:15", not "by 09:11"."""
    local = moment_.astimezone(tz)
    past_quarter = timedelta(
        minutes=local.minute % 15, seconds=local.second, microseconds=local.microsecond
    )
    if not past_quarter:
        return moment_
    return (local + timedelta(minutes=15) - past_quarter).astimezone(moment_.tzinfo)


def answer_due(
    session: Session, *, team_id: str, user_id: str, asked_at: datetime, schedule: Schedule
) -> Counted:
    """When the answer to an intent asked of `user_id` at `asked_at` is due: one of their
    working days after the question reaches them, their time away as recorded now not counted
    (`bot.delivery.working_days`: a question due while they are away reaches them when back,
    and only the working days they spend away are not counted), on the quarter hour;
    and the end of the time away that moved it, if any did."""
    counted = working_days_of(
        session,
        team_id=team_id,
        user_id=user_id,
        start=schedule.first_slot(asked_at, key=user_id),
        days=INTENT_WORKING_DAYS,
        schedule=schedule,
    )
    return replace(counted, at=on_the_quarter(counted.at, tz=zone(schedule.tz)))


def _window(workspace: Workspace | None) -> int:
    return workspace.window_days if workspace is not None else rules.DEFAULT_WINDOW_DAYS


@dataclass(frozen=True, kw_only=True)
class _Scene:
    """What recording one touchpoint knows about its workspace and partner, read once."""

    session: Session
    actor: Actor
    facts: PartnerFacts
    # The partner's team: owner, deputy and members.
    team: frozenset[str]
    settings: store.Settings
    # The cached Slack profiles of the caller, participants, owner and deputy (`asked`) that
    # Liaison has.
    profiles: dict[str, store.Profile]
    asked: frozenset[str]
    now: datetime

    @property
    def team_id(self) -> str:
        return self.actor.team_id

    @property
    def window_days(self) -> int:
        return self.settings.window_days

    @property
    def ended(self) -> bool:
        """The partnership has ended (`status NAME ended`): nobody follows the partner."""
        return self.facts.status == PartnerStatus.ENDED

    @property
    def workspace_zone(self) -> ZoneInfo:
        """The workspace's time zone (`config timezone`), whose calendar counts the window."""
        return zone(self.settings.timezone)

    @property
    def working_hours(self) -> WorkingHours:
        settings = self.settings
        return WorkingHours.parse(
            settings.work_days, settings.work_start_hour, settings.work_end_hour
        )

    @cached_property
    def owner_side(self) -> str | None:
        """Who hears for the partner's owner: the owner, or who covers while they are away when
        a message would reach them (`recipient_for_owner_alert`); read once per recording,
        though the alert, the caller's answer and the owner's note all ask."""
        owner = self.facts.owner_id
        if owner is None:
            return None
        return recipient_for_owner_alert(
            self.session,
            team_id=self.team_id,
            owner_id=owner,
            partner_deputy_id=self.facts.deputy_id,
            now=self.now,
            schedule=self.schedule_of,
        )

    def schedule_of(self, user_id: str) -> Schedule:
        """When a colleague may be messaged: the zone `zone_of` finds, the workspace's hours."""
        if user_id not in self.asked:
            return schedule_of(self.session, team_id=self.team_id, user_id=user_id)
        profile = self.profiles.get(user_id)
        tz = profile.tz if profile is not None and profile.tz else self.settings.timezone
        return Schedule(tz, self.working_hours)

    def zone_of(self, user_id: str) -> ZoneInfo:
        """A colleague's time zone: their Slack profile's, else the workspace's, else UTC."""
        if user_id not in self.asked:
            return person_zone(self.session, team_id=self.team_id, user_id=user_id)
        profile = self.profiles.get(user_id)
        if profile is not None and profile.tz:
            return zone(profile.tz)
        return zone(self.settings.timezone)

    def caller_zone(self, *, needed: bool) -> ZoneInfo:
        """The caller's time zone. When `needed` (a typed date must be read in it) and Slack was
        never asked about the caller, raises ZoneUnknown so the handler asks Slack first."""
        user_id = self.actor.user_id
        if needed and user_id not in self.profiles and user_id not in self.actor.check.asked:
            raise ZoneUnknown(user_id)
        return self.zone_of(user_id)

    def stale(self, user_ids: Iterable[str | None]) -> tuple[str, ...]:
        """Those of `user_ids` whose cached profile is missing or older than a day."""
        wanted = [user_id for user_id in dict.fromkeys(user_ids) if user_id]
        profiles = self.profiles
        unread = [user_id for user_id in wanted if user_id not in self.asked]
        if unread:  # someone covering for the owner: not among the people read up front
            profiles = {
                **profiles,
                **store.profiles_of(session=self.session, team_id=self.team_id, user_ids=unread),
            }
        return tuple(
            user_id
            for user_id in wanted
            if (profile := profiles.get(user_id)) is None
            or self.now - profile.fetched_at >= PROFILE_MAX_AGE
        )


# --- The service --------------------------------------------------------------------------------


class Touchpoints:
    """Touchpoints of every workspace, over one database."""

    def __init__(
        self,
        *,
        engine: Engine,
        clock: Clock,
        registry: Registry,
        renderer: Renderer,
        default_channel: str | None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.registry = registry
        self.renderer = renderer
        self.default_channel = default_channel

    # --- Recording -----------------------------------------------------------------------------

    def record(
        self,
        *,
        actor: Actor,
        partner: str | int,
        new: NewTouchpoint,
        request_key: str | None = None,
    ) -> Recorded:
        """Record a contact with `partner` (a name as typed, or an id picked in a form).

        Raises BadTouchpoint, NotInWorkspace (a colleague who took part), PeopleToLookUp,
        UnknownPartner, PartnerGone, BadName (a contact person's name) or ZoneUnknown, all
        before anything is written.
        """
        team_id, now = actor.team_id, self.clock.now()
        notes = check_notes(new.notes)
        participants = [user for user in dict.fromkeys(new.participants) if user != actor.user_id]
        with writer_session(self.engine) as session:
            # Colleagues who took part are members of the workspace, as every verb naming
            # people checks: the bot or an unknown id would be asked for check-ins that fail.
            # The cache answers before the ack; Slack is asked after it about the others.
            unknown = vet_mentions(
                session, team_id=team_id, user_ids=participants, check=actor.check, now=now
            )
            if unknown:
                raise PeopleToLookUp(unknown)
            # A retry of a request already recorded is found by the insert (its key is taken):
            # no lookup first, since nearly every request is new.
            found = self._partner_at_hand(session, team_id, partner)
            scene = self._scene(session, actor, found, participants, now)
            if scene.ended and new.kind is not TouchpointKind.DONE:
                raise PartnerEnded(
                    scene.facts, new.kind, reopening_of(scene.session, actor, scene.facts, now)
                )
            tz = scene.caller_zone(needed=new.day_text is not None)
            typed_at = new.as_of(now)
            when = self._when(new, tz, now=typed_at)
            at, day_only = moment(new.kind, when, now=typed_at, typed=new.day_text)
            with writing(session):
                store.lock_partner(session=session, team_id=team_id, partner_id=found.id)
                contacts = self._contacts(session, found, new.contacts, now)
                touchpoint_id = store.insert_touchpoint(
                    session=session,
                    team_id=team_id,
                    partner_id=found.id,
                    kind=new.kind,
                    at=at,
                    day_only=day_only,
                    medium=new.medium,
                    author_id=actor.user_id,
                    participants=participants,
                    contact_ids=[contact_id for contact_id, _ in contacts],
                    notes=notes,
                    request_key=request_key,
                    created_at=now,
                )
                if touchpoint_id is None:
                    # The same request again: Slack's retry, after or while the first was recorded.
                    session.rollback()
                    assert request_key is not None
                    done = store.touchpoint_with_key(
                        session=session, team_id=team_id, request_key=request_key
                    )
                    assert done is not None, "a taken request key belongs to a touchpoint"
                    return self._replay(session, actor, done)
                touch = Touch(
                    id=touchpoint_id,
                    kind=new.kind,
                    at=at,
                    day_only=day_only,
                    medium=new.medium,
                    author_id=actor.user_id,
                    participants=tuple(sorted(participants)),
                    contacts=tuple(name for _, name in contacts),
                    notes=notes,
                )
                contact_ids = frozenset(i for i, _ in contacts)
                around = self._around(scene, touch)
                twin = twin_of(touch, contact_ids, around, now=now, undated=when is None)
                if twin is not None:
                    session.rollback()
                    return replace(self._replay(session, actor, twin), twin_at=twin.created_at)
                asked = open_intent_like(touch, around)
                if asked is not None:
                    session.rollback()
                    return replace(self._replay(session, actor, asked), open_since=asked.at)
                recorded = self._tell(scene, touch, contact_ids, around)
                if new.kind is TouchpointKind.DONE:
                    store.note_contact(
                        session=session,
                        team_id=team_id,
                        partner_id=found.id,
                        at=min(at, now),
                        by=actor.user_id,
                        day_only=day_only,
                    )
                # Whom the messages just queued (and the check-ins to come) are timed for: the
                # dispatcher and planners read their zones, so the handler refreshes them.
                timed = [
                    actor.user_id,
                    *participants,
                    scene.facts.owner_id,
                    scene.facts.deputy_id,
                    recorded.owner_told,
                ]
                stale = scene.stale(timed)
                session.commit()
        return replace(
            recorded,
            tz=tz,
            zone_guessed=actor.user_id not in scene.profiles,
            stale=stale,
        )

    def record_with_new_partner(
        self,
        *,
        actor: Actor,
        name: str,
        new: NewTouchpoint,
        request_key: str | None = None,
    ) -> Recorded:
        """Register `name` with the caller as owner, as `add` would, then record `new` with it:
        "Register …" picked in the "Log a touchpoint" form.

        What can be checked without the partner (`check_line`) is checked first, so such a
        refusal registers nothing. A partner that goes by the name by
        now (registered meanwhile, or by this form's earlier submission; or an alias) is the one
        recorded with; one merely like it is not in the way, since the picker showed the likes.
        Raises NewPartnerRefused (the name), BadTouchpoint, BadName or BadValue (the contact).
        """
        try:
            name_key(name)
        except BadName as refusal:
            raise NewPartnerRefused(refusal) from None
        self.check_line(actor, new)
        registered = True
        try:
            self.registry.add(actor=actor, name=name, allow_similar=True)
        except AlreadyRegistered:
            registered = False
        result = self.record(actor=actor, partner=name, new=new, request_key=request_key)
        return replace(result, registered=registered)

    def take_off(
        self, *, team_id: str, touchpoint_id: int, user_ids: Collection[str]
    ) -> Recorded | None:
        """Take colleagues picked in a form off the touchpoint recorded with them: Slack said,
        after the ack, that they are of another organisation (no colleagues). What waits for
        them in the outbox meanwhile (a check-in planned before Slack answered) is withdrawn:
        the dispatcher would only fail it. Their check-ins about it go too: left open, they
        would wait on Home, be reminded of, and count them as in touch with the partner.

        Its collisions were found with them counted as colleagues outside the partner's team:
        they are found again without them (`_retell`), so that the channel's alert and the
        owner's note, still queued, neither name them nor raise a revolving door among the
        team alone. Returns the touchpoint as told now (None: as told before)."""
        with writer_session(self.engine) as session, writing(session):
            row = store.get_touchpoint(
                session=session, team_id=team_id, touchpoint_id=touchpoint_id
            )
            if row is not None:
                store.lock_partner(session=session, team_id=team_id, partner_id=row.partner_id)
            store.remove_participants(
                session=session, team_id=team_id, touchpoint_id=touchpoint_id, user_ids=user_ids
            )
            store.drop_checkins_of(
                session=session, team_id=team_id, touchpoint_id=touchpoint_id, user_ids=user_ids
            )
            withdraw_from_elsewhere(session, team_id=team_id, user_ids=user_ids)
            retold = None if row is None else self._retell(session, row, user_ids)
            session.commit()
        return retold

    def _retell(
        self, session: Session, row: TouchpointRow, taken: Collection[str]
    ) -> Recorded | None:
        """Find the collisions of `row` again with `taken` off its colleagues, and queue its
        alert and owner's note afresh, when neither has gone out yet; None when one has (what
        was said stands) or the touchpoint is not one the form records (a contact that
        happened)."""
        team_id = row.team_id
        keys = (collision_key(row.id), owner_note_key(row.id))
        told = [
            outbox_store.get_message(session=session, team_id=team_id, dedupe_key=key)
            for key in keys
        ]
        if row.kind is not TouchpointKind.DONE or any(
            message is not None and message.status != OutboxStatus.PENDING for message in told
        ):
            return None
        for key in keys:
            outbox_store.cancel_unsent(session=session, team_id=team_id, dedupe_key=key)
            outbox_store.forget_cancelled(session=session, team_id=team_id, dedupe_key=key)
        store.forget_collisions_found_by(session=session, team_id=team_id, later_id=row.id)
        found = store.partner_and_team(session=session, team_id=team_id, partner_id=row.partner_id)
        if found is None:
            return None
        participants = [user for user in row.participants if user not in taken]
        actor = Actor(team_id, row.author_id)
        scene = self._scene(session, actor, found, participants, self.clock.now())
        touch = replace(Touch.of(row), participants=tuple(sorted(participants)))
        around = self._around(scene, touch)
        return self._tell(scene, touch, frozenset(row.contact_ids), around)

    def check_line(self, actor: Actor, new: NewTouchpoint) -> None:
        """Refuse, as `record` would, what is wrong with `new` whatever its partner: notes, the
        day, contact people, colleagues known not to be members of the workspace (Slack is
        asked about the others by `record`). So a line that would record nothing is refused
        before any partner is offered for it ("Did you mean", "Register it") and before
        "Register …" registers.

        A typed day is read in the caller's zone as cached from Slack. Before Slack has told
        us the caller's zone (their first command) it is refused for being past or ahead only
        when it is so in every zone (`_refuse_in_every_zone`); otherwise that is left to
        `record`, which asks first: a guessed zone could refuse "today 23:30" wrongly."""
        check_notes(new.notes)
        with Session(self.engine) as session:
            tz = person_zone(session, team_id=actor.team_id, user_id=actor.user_id)
            zone_known = bool(
                store.profiles_of(session=session, team_id=actor.team_id, user_ids=[actor.user_id])
            )
            vet_mentions(
                session,
                team_id=actor.team_id,
                user_ids=new.participants,
                check=actor.check,
                now=self.clock.now(),
            )
        as_of = new.as_of(self.clock.now())
        when = self._when(new, tz, now=as_of)  # a date no zone reads is refused at once
        if new.day_text is None or zone_known:
            moment(new.kind, when, now=as_of, typed=new.day_text)
        else:
            self._refuse_in_every_zone(new, tz, now=as_of)
        contact_people(new.contacts)

    def _refuse_in_every_zone(
        self, new: NewTouchpoint, guessed: ZoneInfo, *, now: datetime
    ) -> None:
        """Before Slack has told us the caller's zone: refuse the typed day as `record` would
        (in the `guessed` zone's words) only if every zone in use now refuses it, so that no
        zone refuses wrongly ("today 23:30"), while `log X on tomorrow` is refused before any
        partner is offered for it (QA20c BUG 5: "Register it" for a line that could only fail)."""
        try:
            moment(new.kind, self._when(new, guessed, now=now), now=now, typed=new.day_text)
        except BadTouchpoint as refused:
            for tz in zones_in_use(now.date()):
                try:
                    moment(new.kind, self._when(new, tz, now=now), now=now, typed=new.day_text)
                except BadTouchpoint:
                    continue
                return  # fine somewhere: `record` asks Slack for the zone first
            raise refused from None

    def _partner_at_hand(self, session: Session, team_id: str, partner: str | int) -> PartnerAtHand:
        """The partner named (or picked) and its team; UnknownPartner (with the candidates) or
        PartnerGone when there is none."""
        if isinstance(partner, int):
            found = store.partner_and_team(session=session, team_id=team_id, partner_id=partner)
            if found is None:
                raise PartnerGone()
            return found
        found = store.partner_and_team(session=session, team_id=team_id, key=name_key(partner))
        if found is not None:
            return found
        # Not by its exact name: the registry knows the near misses (or a name just added).
        resolved = self.registry.resolve(session, team_id=team_id, query=partner)
        team = partner_store.team_of(session=session, team_id=team_id, partner_id=_id(resolved))
        return PartnerAtHand.of(resolved, team)

    def _scene(
        self,
        session: Session,
        actor: Actor,
        partner: PartnerAtHand,
        participants: Sequence[str],
        now: datetime,
    ) -> _Scene:
        team_id = actor.team_id
        facts = _facts(partner)
        people = {actor.user_id, *participants}
        people.update(user for user in (facts.owner_id, facts.deputy_id) if user)
        return _Scene(
            session=session,
            actor=actor,
            facts=facts,
            team=frozenset(user for user, _ in partner.team),
            settings=store.settings_of(session=session, team_id=team_id),
            profiles=store.profiles_of(session=session, team_id=team_id, user_ids=people),
            asked=frozenset(people),
            now=now,
        )

    def _tell(
        self,
        scene: _Scene,
        touch: Touch,
        contact_ids: frozenset[int],
        around: list[TouchpointRow],
    ) -> Recorded:
        """Find the collisions of a new touchpoint among the partner's touchpoints `around` it,
        record them, and queue who must hear."""
        facts = scene.facts
        if scene.ended:
            # Nobody follows an ended partner (README): a contact with it is kept as history,
            # with no collisions, alert or note; `plan` and `intend` are refused (`record`).
            return Recorded(
                partner=facts,
                touch=touch,
                clashes=[],
                ended=True,
                reopening=reopening_of(scene.session, scene.actor, facts, scene.now),
            )
        clashes, news, knew, alerts = self._collide(scene, touch, contact_ids, around)
        overtaken: list[Touch] = []
        if touch.kind is TouchpointKind.DONE:
            overtaken = self._close_followed_intents(scene, touch, around)
        channel, thread, passed_over = self._alert(
            scene, touch, clashes, news, key=collision_key(touch.id)
        )
        asked_away_until, told_by = None, None
        if touch.kind is TouchpointKind.INTENDED:
            touch, away_until, asked_away_until = self._ask(scene, touch, clashes)
            owner_told = touch.asked
        else:
            if touch.kind is TouchpointKind.DONE:
                self._drop_notes_followed_up(scene, touch, clashes)
            told_by = self._noted_already(scene, touch, around)
            if told_by is None:
                owner_told, away_until = self._note_to_owner(scene, touch, clashes)
            else:
                owner_told, away_until = None, None
        # Not away, but queued for their working hours: not asked or told yet.
        off_duty = (
            owner_told is not None
            and away_until is None
            and scene.schedule_of(owner_told).first_slot(scene.now, key=owner_told) > scene.now
        )
        cover_away_until = None
        owner = facts.owner_id
        if away_until is not None and owner is not None and owner_told not in (None, owner):
            # Whoever covers is away too, and back first (`recipient_for_owner_alert`): the
            # message waits for their return, and the owner is away for longer (QA21a BUG 3).
            cover_away_until = away_until
            away_until = _away_end(self._back_at(scene, owner), scene.zone_of(owner))
        return Recorded(
            partner=facts,
            touch=touch,
            clashes=clashes,
            alert_channel=channel,
            refused_channels=tuple(passed_over),
            alert_threaded=thread is not None,
            no_channel=bool(news) and channel is None and not passed_over,
            owner_told=owner_told,
            # Named by the answer about an alert, or about a note waiting for the owner.
            covering=(
                self._covering(scene) if channel is not None or away_until is not None else None
            ),
            owner_away_until=away_until,
            cover_out_of_reach=(
                self._cover_out_of_reach(scene, touch) if away_until is not None else None
            ),
            cover_away_until=cover_away_until,
            asked_off_duty=off_duty and touch.kind is TouchpointKind.INTENDED,
            told_off_duty=off_duty and touch.kind is not TouchpointKind.INTENDED,
            asked_away_until=asked_away_until,
            cover_then=self._cover_at_deadline(scene, touch),
            # Known only when every collision was: one that is news is alerted, and the
            # caller's answer warns of them all.
            already_known=None if news else knew,
            alerted_in=(
                self._alerted_in(scene, alerts) if knew is Known.ALERTED and not news else None
            ),
            owner_told_by=told_by,
            overtaken=tuple(overtaken),
        )

    def _thread_in(self, scene: _Scene, channel: str) -> str | None:
        """The key of the alert a new one about the partner replies to in `channel`: the first
        posted on its own there within THREAD_FOR. One in another channel (the partner's
        alerts went elsewhere before its own channel was set, or since it was changed) is no
        thread for it: the first one in `channel` is (None: it starts one)."""
        session, team_id = scene.session, scene.team_id
        for key in store.thread_roots(
            session=session,
            team_id=team_id,
            partner_id=scene.facts.id,
            since=scene.now - THREAD_FOR,
        ):
            root = outbox_store.latest_placed(session=session, team_id=team_id, dedupe_keys=[key])
            while root is not None and root.status == OutboxStatus.REROUTED:
                # Refused where it was meant to go, it was posted in the next channel: its
                # thread is there (the dispatcher threads onto it, `instead_key`).
                root = outbox_store.latest_placed(
                    session=session, team_id=team_id, dedupe_keys=[instead_key(root.dedupe_key)]
                )
            if root is None or root.channel == channel:
                return key
        return None

    def _alerted_in(self, scene: _Scene, keys: Sequence[str]) -> str | None:
        """The channel of the latest of the alerts under `keys` (their outbox keys): where it
        was posted in the end, after any channel that refused it (`bot.services.channels`)."""
        placed = outbox_store.latest_placed(
            session=scene.session, team_id=scene.team_id, dedupe_keys=keys
        )
        while placed is not None and placed.status == OutboxStatus.REROUTED:
            placed = outbox_store.latest_placed(
                session=scene.session,
                team_id=scene.team_id,
                dedupe_keys=[instead_key(placed.dedupe_key)],
            )
        return None if placed is None else placed.channel

    def _noted_already(
        self, scene: _Scene, touch: Touch, around: Sequence[TouchpointRow]
    ) -> tuple[str, str] | None:
        """Whom a note about `touch` would tell what a note about another colleague's record
        of the same contact tells them already, and that colleague: a meeting two colleagues
        who took part each logged (or each planned) is one meeting, as check-ins and the digest
        count it (`recorded_again`), so the owner hears of it once (QA20a BUG 1). None when a
        note is due (or none at all: the caller is on the team, nobody owns the partner)."""
        if touch.author_id in scene.team:
            return None
        recipient = self._owner_side(scene, touch)
        if recipient is None:
            return None
        tz = scene.zone_of(recipient)
        day = contact_day(touch.at, day_only=touch.day_only, tz=tz)
        new = _AsRecorded.of(touch.author_id, touch.kind, touch.medium, touch.colleagues)
        for row in around:
            if (
                row.kind is not touch.kind
                or row.author_id == touch.author_id
                or contact_day(row.at, day_only=row.day_only, tz=tz) != day
                or not recorded_again(
                    _AsRecorded.of(row.author_id, row.kind, row.medium, row.colleagues), new
                )
            ):
                continue
            note = outbox_store.get_message(
                session=scene.session, team_id=scene.team_id, dedupe_key=owner_note_key(row.id)
            )
            if (
                note is not None
                and note.recipient_user == recipient
                and note.status not in (OutboxStatus.CANCELLED, OutboxStatus.FAILED)
            ):
                return recipient, row.author_id
        return None

    def _drop_notes_followed_up(self, scene: _Scene, touch: Touch, clashes: list[Clash]) -> None:
        """Withdraw the notes about outsiders' contacts still waiting (for working hours or a
        return) for the caller, now that they have been in touch with the partner themselves
        since those contacts and the answer to this log named them: news no more, as a question
        a later log answers is not asked (QA20a BUG 2)."""
        # Notes go to the owner or whoever covers for them (the deputy, or the deputy of their
        # time away: anyone), and are about contacts by people outside the team; a member of
        # the team other than owner and deputy is left to get theirs. The notes' keys follow
        # from the contacts named: cancelled by key (one indexed statement), not looked for
        # among all the notes waiting for the caller, which cost a `/partner log` a query per
        # waiting note. A note that a plan took place after all (`revived_note_key`, numbered)
        # is old news as well once the owner has been in touch since: dropped in the same
        # statement, by the start of its key.
        facts = scene.facts
        if touch.author_id in scene.team and touch.author_id not in (
            facts.owner_id,
            facts.deputy_id,
        ):
            return
        followed = [
            clash.other
            for clash in clashes
            if clash.other.at <= touch.at and clash.other.author_id not in scene.team
        ]
        if not followed:
            return
        outbox_store.cancel_unsent_to(
            session=scene.session,
            team_id=scene.team_id,
            user_id=touch.author_id,
            dedupe_keys=[owner_note_key(row.id) for row in followed],
            numbered=[
                revived_note_prefix(row.id)
                for row in followed
                if row.kind is TouchpointKind.PLANNED  # only a plan is put back
            ],
            reason=IN_TOUCH_SINCE,
        )

    def _alert(
        self,
        scene: _Scene,
        touch: Touch,
        clashes: list[Clash],
        news: list[Clash],
        *,
        key: str,
    ) -> tuple[str | None, str | None, list[tuple[str, str]]]:
        """Record the collisions of `touch`, and queue the channel alert (under `key`) about
        those that are news: in the first alert's thread when there is one within THREAD_FOR.
        Channels known to refuse Liaison are passed over (`_reachable_channel`). Returns the
        alert's channel and thread (None: no alert), and the channels passed over with Slack's
        reasons (all of them, and no channel: none could be reached)."""
        session, team_id, facts, now = scene.session, scene.team_id, scene.facts, scene.now
        channel: str | None = None
        passed_over: list[tuple[str, str]] = []
        if news:
            channel, passed_over = self._reachable_channel(scene)
        thread: str | None = None
        if channel is not None:
            thread = self._thread_in(scene, channel)
            away_until = self._away_uncovered(scene)
            alert = CollisionAlert(
                partner=facts,
                touch=touch,
                clashes=news,
                threaded=thread is not None,
                window_days=scene.window_days,
                covering=self._covering(scene),
                recorded_at=now,
                owner_away_until=away_until,
                cover_out_of_reach=(
                    self._cover_out_of_reach(scene, touch) if away_until is not None else None
                ),
                tz=scene.workspace_zone,
            )
            message = self.renderer.collision_alert(alert)
            if passed_over and thread is None:
                # Where the partner's alerts went before, and why they come here now.
                why = self.renderer.refused_elsewhere(
                    facts,
                    [
                        (channel, reason, channel == facts.channel_id)
                        for channel, reason in passed_over
                    ],
                )
                message = Message(text=message.text, blocks=[*message.blocks, *why.blocks])
            _queue(
                session,
                team_id,
                now,
                message,
                key,
                kind=COLLISION_ALERT,
                channel=channel,
                thread=thread,
            )
        store.insert_collisions(
            session=session,
            team_id=team_id,
            partner_id=facts.id,
            later_id=touch.id,
            found=[
                NewCollision(
                    earlier_id=clash.other.id,
                    same_contact=clash.same_contact,
                    alert_key=key if channel is not None and clash in news else None,
                    news=clash in news,
                )
                for clash in clashes
            ],
            detected_at=now,
            thread_key=thread or key,
            alerted_owner_id=facts.owner_id,
            # While the owner is away, the alert asks whoever covers: they know of it too.
            alerted_cover_id=self._covering(scene) if channel is not None else None,
        )
        return channel, thread, passed_over

    def _reachable_channel(self, scene: _Scene) -> tuple[str | None, list[tuple[str, str]]]:
        """Where an alert about the partner goes (`bot.services.channels.route`): the first of
        its own channel, the workspace's and the default one not known to refuse Liaison.
        Returns it (None: none is set, or all refuse) and those passed over, with Slack's
        reasons."""
        session, team_id, facts = scene.session, scene.team_id, scene.facts
        since: datetime | None = None
        if facts.channel_id is not None:
            partner = partner_store.get_partner(
                session=session, team_id=team_id, partner_id=facts.id
            )
            since = None if partner is None else partner.channel_set_at
        found = channels.route(
            session,
            team_id=team_id,
            channels=channels.Channels(
                own=facts.channel_id,
                own_since=since,
                coordination=scene.settings.coordination_channel,
                default=self.default_channel,
            ),
        )
        return found.channel, list(found.passed_over)

    def _away_uncovered(self, scene: _Scene) -> datetime | None:
        """The end of the owner's time away, if they are away and nobody covers for them."""
        owner = scene.facts.owner_id
        if owner is None or scene.owner_side != owner:
            return None
        return _away_end(self._back_at(scene, owner), scene.zone_of(owner))

    def _cover_out_of_reach(self, scene: _Scene, touch: Touch) -> str | None:
        """The deputy who would cover for the owner, away with nobody covering, had a message
        reached them before the owner is back (`recipient_for_owner_alert` passed them over):
        the partner's, else the one named for the time away; not the caller themselves."""
        owner = scene.facts.owner_id
        if owner is None or scene.owner_side != owner:
            return None
        away = self._absence(scene, owner)
        covers = (scene.facts.deputy_id, None if away is None else away.deputy_id)
        cover = next((user for user in covers if user and user != owner), None)
        return None if cover == touch.author_id else cover

    def _covering(self, scene: _Scene) -> str | None:
        """Who covers for the partner's owner now, if the owner is away and someone does."""
        cover = scene.owner_side
        return None if cover == scene.facts.owner_id else cover

    @staticmethod
    def _around(scene: _Scene, touch: Touch) -> list[TouchpointRow]:
        """The partner's other live touchpoints whose days may be in the window of `touch`'s
        (`rules.reach`; `_collide` keeps those that are)."""
        tz = scene.workspace_zone
        day = contact_day(touch.at, day_only=touch.day_only, tz=tz)
        start, end = rules.reach(day, window_days=scene.window_days, tz=tz)
        return store.neighbours(
            session=scene.session,
            team_id=scene.team_id,
            partner_id=scene.facts.id,
            start=start,
            end=end,
            exclude=touch.id,
        )

    def _collide(
        self,
        scene: _Scene,
        touch: Touch,
        contact_ids: frozenset[int],
        around: list[TouchpointRow],
    ) -> tuple[list[Clash], list[Clash], Known | None, list[str]]:
        """The contacts `touch` collides with (nearest first), those of them that are news, and
        how the others were known already (`Known.MIXED` when not all in the same way), of the
        touchpoints `around` it (`_around`); and the keys of the alerts that named the caller
        together with those they knew from an alert."""
        session, team_id = scene.session, scene.team_id
        window, tz = scene.window_days, scene.workspace_zone
        new = rules.Contact(
            touchpoint_id=touch.id,
            at=touch.at,
            colleagues=frozenset(touch.colleagues),
            contact_ids=contact_ids,
            day_only=touch.day_only,
        )
        # Who took part in something together lately, plans followed up by a log included
        # (a meeting planned together and logged by one of them was still together).
        together = [row.colleagues for row in around]
        gone = followed_up(
            around, tz=tz, zones=authors_zones(session, team_id=team_id, touches=around)
        )
        # An intent the owner said they would handle is theirs now: its author stays away.
        gone.update(
            row.id
            for row in around
            if row.kind is TouchpointKind.INTENDED and row.intent_answer is IntentAnswer.HANDLE_IT
        )
        live = [row for row in around if row.id not in gone]
        contacts = [
            rules.Contact(
                touchpoint_id=row.id,
                at=row.at,
                colleagues=row.colleagues,
                contact_ids=frozenset(row.contact_ids),
                day_only=row.day_only,
                cancelled=row.cancelled_at is not None,
            )
            for row in live
        ]
        found = rules.collisions(new, contacts, team=scene.team, window_days=window, tz=tz)
        if not found:
            return [], [], None, []  # most logs: nothing more to look up
        by_id = {row.id: row for row in live}
        clashes = [
            Clash(
                other=Touch.of(by_id[c.other.touchpoint_id]),
                same_contact=c.same_contact,
                shared=_shared(by_id[c.other.touchpoint_id], contact_ids),
            )
            for c in found
        ]
        # Alerts about contacts of this window: an older one does not make people known to
        # each other for a revolving door weeks later.
        near = rules.within(new, contacts, window_days=window, tz=tz)
        alerted = store.alerted_pairs(
            session=session,
            team_id=team_id,
            touchpoint_ids=[contact.touchpoint_id for contact in near],
        )
        # Who took part in each touchpoint those alerts were about: read for those not at hand.
        colleagues = dict(zip((row.id for row in around), together, strict=True))
        involved = {i for pair in alerted for i in (pair.earlier_id, pair.later_id)}
        colleagues.update(
            (row.id, row.colleagues)
            for row in store.touchpoints_by_id(
                session=session, team_id=team_id, ids=sorted(involved - colleagues.keys())
            )
        )
        # Each pair of colleagues an alert named together, with the latest such alert's key.
        named: dict[frozenset[str], str] = {}
        for pair in alerted:
            earlier = colleagues.get(pair.earlier_id, ())
            later = colleagues.get(pair.later_id, ())
            named.update(
                (frozenset((one, other)), pair.alert_key) for one in earlier for other in later
            )
            # The alert mentioned the owner of the time, and asked whoever covered for them:
            # they know of everyone it named.
            for reader in (pair.owner_id, pair.cover_id):
                if reader is not None:
                    named.update(
                        (frozenset((reader, person)), pair.alert_key)
                        for person in (*earlier, *later)
                    )
        named = {pair: key for pair, key in named.items() if len(pair) == 2}
        # What the caller had read by the time of their contact (by now, for one ahead).
        told = self._told(session, team_id, clashes, by=min(touch.at, scene.now))
        reasons = [
            known(touch.author_id, clash.other.author_id, named=named, together=together, told=told)
            or (Known.ASKED if _open_with_owner(scene, touch, clash.other) else None)
            for clash in clashes
        ]
        news = [clash for clash, reason in zip(clashes, reasons, strict=True) if reason is None]
        ways = {reason for reason in reasons if reason is not None}
        knew = ways.pop() if len(ways) == 1 else (Known.MIXED if ways else None)
        alerts = [
            named[frozenset((touch.author_id, clash.other.author_id))]
            for clash, reason in zip(clashes, reasons, strict=True)
            if reason is Known.ALERTED
        ]
        return clashes, news, knew, list(dict.fromkeys(alerts))

    @staticmethod
    def _told(
        session: Session, team_id: str, clashes: Sequence[Clash], *, by: datetime
    ) -> set[frozenset[str]]:
        """Who had read of which other contact's author in a direct message by `by`: the owner
        (or their stand-in) by a note about an outsider's contact, or by an intent's question.
        A message still queued (for the reader's working hours) has told nobody yet."""
        keys = {
            key: clash.other
            for clash in clashes
            for key in (
                owner_note_key(clash.other.id),
                intent_ask_key(clash.other.id),
                *(
                    [intent_ask_key(clash.other.id, handed_to=clash.other.asked)]
                    if clash.other.asked is not None
                    else []
                ),
            )
        }
        reached = outbox_store.delivered_to(
            session=session, team_id=team_id, dedupe_keys=list(keys), by=by
        )
        return {
            frozenset((reader, keys[key].author_id))
            for key, reader in reached.items()
            if reader != keys[key].author_id
        }

    def _close_followed_intents(
        self, scene: _Scene, touch: Touch, around: Sequence[TouchpointRow]
    ) -> list[Touch]:
        """Close the intents with the partner that the caller's new log follows up (a contact
        recorded after the intent, on or after its day, by its asker or by a colleague it names
        with the asker taking part, `followed_up`'s rule): an answer now
        would tell them to hold back from a contact already made, or to go ahead with it. Each
        is recorded as `LOGGED`; a "you may go ahead" still queued for its asker is dropped; its
        question is withdrawn if it has not gone out, else it shows that the contact was logged,
        without its buttons. An owner's answer still waiting to reach the asker is overtaken too
        (`_answer_overtaken`): those intents are returned, for the caller's answer."""
        mine = [
            row
            for row in around
            if row.kind is TouchpointKind.INTENDED
            and _follows_intent(touch, row)
            and row.intent_answer is not IntentAnswer.LOGGED
        ]
        if not mine:
            return []  # nearly every log: no query, nothing to do
        overtaken: list[Touch] = []
        session, team_id = scene.session, scene.team_id
        askers = {touch.author_id, *(row.author_id for row in mine)}
        zones = {person: scene.zone_of(person) for person in askers}
        gone = followed_up([*mine, touch], tz=scene.workspace_zone, zones=zones)
        for row in mine:
            if row.id in gone and row.intent_answer not in (None, IntentAnswer.LAPSED):
                # Whoever logged it, the answer still waiting reads as overtaken (QA h17 1);
                # only the asker's own log's answer speaks of it ("your intent").
                if (
                    self._answer_overtaken(scene, row, by=touch.author_id)
                    and row.author_id == touch.author_id
                ):
                    overtaken.append(Touch.of(row))
                continue
            if row.id not in gone or not store.answer_intent(
                session=session,
                team_id=team_id,
                touchpoint_id=row.id,
                answer=IntentAnswer.LOGGED,
                by=touch.author_id,
                at=scene.now,
            ):
                continue
            # The asker's, and the copies of the colleagues it names: the contact was made.
            outbox_store.cancel_unsent(
                session=session,
                team_id=team_id,
                key_prefix=intent_answer_key(row.id, IntentAnswer.LAPSED),
            )
            asked = row.intent_asked
            if asked is None:
                continue
            question = _question_key(session, team_id, row.id, asked)
            outbox_store.cancel_unsent(
                session=session, team_id=team_id, dedupe_key=lapsed_key(question)
            )
            if outbox_store.cancel_unsent(session=session, team_id=team_id, dedupe_key=question):
                continue  # not sent yet: the owner hears of the log itself instead
            note = OwnerNote(
                partner=scene.facts,
                touch=replace(
                    Touch.of(row), answer=IntentAnswer.LOGGED, answered_by=touch.author_id
                ),
                recipient=asked,
                clashes=[],
                tz=scene.zone_of(asked),
                recorded_at=row.at,
            )
            _queue(
                session,
                team_id,
                scene.now,
                self.renderer.intent_ask(note),
                f"{question}:followed",
                kind=INTENT_FOLLOWED,
                user=asked,
                edit=question,
            )
        return overtaken

    def close_ahead_of_ended(
        self, session: Session, *, actor: Actor, facts: PartnerFacts, now: datetime
    ) -> list[Touch]:
        """In the transaction of `status NAME ended`: what was waiting on the partner is closed,
        since nobody follows an ended partner (README): its plans still ahead (`_close_plans_
        of_ended`) and its intents still waiting for an answer, or lapsed (a late answer could
        still come), closed as `ENDED`, since an answer would send someone to it. A question
        not sent yet is withdrawn; one sent loses its buttons and says the partnership ended;
        a "you may go ahead" still queued is dropped. Each asker, and each colleague it names,
        hears once per intent that it needs nobody's answer any more (not the caller, who ended
        it). Returns the plans cancelled, for the caller's answer to name."""
        team_id = actor.team_id
        cancelled = self._close_plans_of_ended(session, actor=actor, facts=facts, now=now)
        rows = [
            *store.open_intents_asked_of(
                session=session, team_id=team_id, user_id=None, partner_id=facts.id
            ),
            *store.lapsed_intents_of(session=session, team_id=team_id, partner_id=facts.id),
        ]
        for row in rows:
            if not store.answer_intent(
                session=session,
                team_id=team_id,
                touchpoint_id=row.id,
                answer=IntentAnswer.ENDED,
                by=actor.user_id,
                at=now,
            ):
                continue  # answered meanwhile: that answer stands
            touch = replace(Touch.of(row), answer=IntentAnswer.ENDED, answered_by=actor.user_id)
            lapsed = row.intent_answer is IntentAnswer.LAPSED
            # `late`: its asker was told already that they may go ahead, and hears otherwise.
            late = lapsed and not outbox_store.cancel_unsent(
                session=session,
                team_id=team_id,
                dedupe_key=intent_answer_key(row.id, IntentAnswer.LAPSED),
            )
            # Words about when the answer comes, not sent yet, say nothing true any more: the
            # asker's "may come later" (QA21a s16), the question's new day to answer, and
            # "someone else is asked now".
            for to in ("asker", "asked"):
                outbox_store.cancel_unsent(
                    session=session, team_id=team_id, key_prefix=retimed_prefix(row.id, to=to)
                )
            outbox_store.cancel_unsent(
                session=session,
                team_id=team_id,
                # The colleagues' copies too (`…:asker:<colleague>`).
                key_prefix=f"{intent_ask_key(row.id, handed_to=row.intent_asked)}:asker",
            )
            asked = row.intent_asked
            if asked is not None:
                question = _question_key(session, team_id, row.id, asked)
                outbox_store.cancel_unsent(
                    session=session, team_id=team_id, dedupe_key=lapsed_key(question)
                )
                if not outbox_store.cancel_unsent(
                    session=session, team_id=team_id, dedupe_key=question
                ):
                    note = OwnerNote(
                        partner=facts,
                        touch=touch,
                        recipient=asked,
                        clashes=[],
                        tz=person_zone(session, team_id=team_id, user_id=asked),
                        recorded_at=row.at,
                    )
                    _queue(
                        session,
                        team_id,
                        now,
                        self.renderer.intent_ask(note),
                        f"{question}:ended",
                        kind=INTENT_ENDED,
                        user=asked,
                        edit=question,
                    )
            self._tell_author_of_ended(session, actor, facts, touch, late=late, now=now)
            self._tell_going_along(session, team_id, facts, touch, now=now, lapsed=lapsed)
        return cancelled

    def _close_plans_of_ended(
        self, session: Session, *, actor: Actor, facts: PartnerFacts, now: datetime
    ) -> list[Touch]:
        """The partner's plans still ahead, as `check` lists them to the caller, are cancelled
        as if their authors said they didn't happen: a meeting with a partner nobody follows
        is not to be counted, alerted about or asked about. Reopening the partner does not
        bring them back (its authors plan again). A note to the owner about one, not sent yet,
        is not sent; each author, and each colleague it names (`plan Acme with @dan`), hears
        once (not the caller, who ended it). Returns them, as cancelled."""
        team_id = actor.team_id
        tz = person_zone(session, team_id=team_id, user_id=actor.user_id)
        rows = _planned_ahead(session, team_id, facts.id, now=now, tz=tz, limit=ENDED_PLANS_CLOSED)
        cancelled: list[Touch] = []
        for plan in rows:
            store.call_off_plan(
                session=session,
                team_id=team_id,
                touchpoint_id=plan.id,
                partner_id=facts.id,
                planned_at=plan.at,
                author_id=plan.author_id,
                now=now,
            )
            outbox_store.cancel_unsent(
                session=session, team_id=team_id, dedupe_key=owner_note_key(plan.id)
            )
            self.plan_dropped(session, team_id=team_id, touchpoint_id=plan.id)
            touch = replace(
                plan, answer=IntentAnswer.ENDED, answered_by=actor.user_id, cancelled_at=now
            )
            cancelled.append(touch)
            self._tell_author_of_ended(session, actor, facts, touch, late=False, now=now)
            for colleague in dict.fromkeys(touch.participants):
                if colleague not in (touch.author_id, actor.user_id):
                    self._tell_asker(
                        session, team_id, facts, touch, late=False, now=now, to=colleague
                    )
        return cancelled

    def _tell_author_of_ended(
        self,
        session: Session,
        actor: Actor,
        facts: PartnerFacts,
        touch: Touch,
        *,
        late: bool,
        now: datetime,
    ) -> None:
        """Tell the author of an intent or a plan closed because `actor` ended the partnership,
        with how to reopen it, unless they ended it themselves."""
        if touch.author_id == actor.user_id:
            return
        author = Actor(actor.team_id, touch.author_id)
        self._tell_asker(
            session,
            actor.team_id,
            facts,
            touch,
            late=late,
            now=now,
            reopening=reopening_of(session, author, facts, now),
        )

    def _answer_overtaken(self, scene: _Scene, row: TouchpointRow, *, by: str) -> bool:
        """The owner answered an intent, and its asker, or a colleague it names with the asker
        taking part (`by`), logged the contact before the answer reached the asker (it waits for
        their working hours). "Go ahead" goes unsaid: they
        did; and to the colleagues the intent names, whether the log names them (they were
        there) or not (the intent was carried out: a go-ahead now would send them to the
        partner after it). "I'll handle it" and "Let's talk first" still go, since the owner
        wanted a say in that contact, but worded for someone who has been in touch since: tell
        the owner how it went (to a colleague: that the asker was asked to). True when such an
        answer still waits for the caller."""
        answer = row.intent_answer
        assert answer is not None
        key = intent_answer_key(row.id, answer)
        if answer is IntentAnswer.GO_AHEAD:
            outbox_store.cancel_unsent(session=scene.session, team_id=scene.team_id, key_prefix=key)
            return False
        touch = Touch.of(row)
        for colleague in dict.fromkeys(touch.participants):
            if colleague != touch.author_id:
                self._say_overtaken(scene, touch, by=by, to=colleague)
        return self._say_overtaken(scene, touch, by=by)

    def _say_overtaken(
        self, scene: _Scene, touch: Touch, *, by: str, to: str | None = None
    ) -> bool:
        """Reword the answer to `touch` still waiting for its asker (or `to` a colleague it
        names) as overtaken by `by`'s log (`_answer_overtaken`); False when it is not
        waiting any more (read already: what they did next was their call)."""
        assert touch.answer is not None
        session, team_id = scene.session, scene.team_id
        key = intent_answer_key(touch.id, touch.answer, to=to)
        waiting = outbox_store.get_message(session=session, team_id=team_id, dedupe_key=key)
        if waiting is None or waiting.status != OutboxStatus.PENDING:
            return False
        # A late answer (after "you may go ahead" had gone out) stays one.
        lapsed = outbox_store.get_message(
            session=session,
            team_id=team_id,
            dedupe_key=intent_answer_key(touch.id, IntentAnswer.LAPSED, to=to),
        )
        note = AskerNote(
            partner=scene.facts,
            touch=touch,
            late=lapsed is not None and lapsed.status != OutboxStatus.CANCELLED,
            tz=scene.zone_of(to or touch.author_id),
            logged_since=True,
            logged_by=by,
            going_along=to is not None,
            reader=to,
        )
        message = self.renderer.asker_note(note)
        outbox_store.rewrite_unsent(
            session=session,
            team_id=team_id,
            dedupe_key=key,
            text=message.text,
            blocks=message.blocks,
        )
        return True

    def _note_to_owner(
        self, scene: _Scene, touch: Touch, clashes: list[Clash], *, revival: int | None = None
    ) -> tuple[str | None, datetime | None]:
        """DM the owner (or their stand-in) when someone outside the team logs or plans a contact,
        or puts back a plan they had said didn't happen (`revival`, its number); returns who was
        told, and the end of their time away if they are (nobody covers: the note waits)."""
        if touch.author_id in scene.team:
            return None, None
        recipient = self._owner_side(scene, touch)
        if recipient is None:
            return None, None
        note = OwnerNote(
            partner=scene.facts,
            touch=touch,
            recipient=recipient,
            clashes=clashes,
            tz=scene.zone_of(recipient),
            recorded_at=scene.now,
            revived=revival is not None,
        )
        message = self.renderer.owner_note(note)
        _queue(
            scene.session,
            scene.team_id,
            scene.now,
            message,
            owner_note_key(touch.id) if revival is None else revived_note_key(touch.id, revival),
            kind=OWNER_NOTE if revival is None else REVIVED_NOTE,
            user=recipient,
            schedule=scene.schedule_of(recipient),
        )
        return recipient, _away_end(self._back_at(scene, recipient), scene.zone_of(recipient))

    def plan_changed(
        self, session: Session, *, actor: Actor, touchpoint_id: int, change: PlanChange
    ) -> None:
        """A planned meeting already recorded changed (`PlanChange`), in the change's
        transaction: the collision rules run again for it as for a contact just recorded.
        Colleagues it comes near are alerted in the coordination channel (the owner mentioned,
        or whoever covers), and `actor`, who changed it, hears of them at once by direct
        message. Pairs found before (either way round) are not found again. The owner, told of a
        moved plan when it was made, is not told again; one put back by someone outside the
        team, which the owner heard did not happen, they hear of again as of a new plan, with
        all the contacts it is near."""
        team_id, now = actor.team_id, self.clock.now()
        with_partner = _with_partner(session, team_id, touchpoint_id)
        if with_partner is None:
            return
        row, found = with_partner
        touch = Touch.of(row)
        scene = self._scene(session, actor, found, touch.colleagues, now)
        near, clashes, news = self._unpaired_clashes(scene, row, touch)
        # Each putting back is news of its own (it may be dropped and put back again).
        revival = _revival(session, team_id, row.id) if change is PlanChange.REVIVED else 0
        if change is PlanChange.REVIVED:
            self._note_to_owner(scene, touch, near, revival=revival)
        if not clashes:
            return
        if change is PlanChange.MOVED:
            # One move of the plan to one moment: a second move elsewhere is news again.
            key = f"{collision_key(row.id)}:moved:{row.at:%Y%m%dT%H%M}"
            heads_up, kind = self.renderer.moved_near, MOVED_NEAR
        else:
            key = revived_alert_key(row.id, revival)
            heads_up, kind = self.renderer.revived_near, REVIVED_NEAR
        self._alert(scene, touch, clashes, news, key=key)
        changer = actor.user_id
        note = OwnerNote(
            partner=scene.facts,
            touch=touch,
            recipient=changer,
            clashes=clashes,
            tz=scene.zone_of(changer),
            recorded_at=now,
        )
        # The answer to what they just did: at once, whatever the hour.
        _queue(
            session,
            team_id,
            now,
            heads_up(note),
            f"{key}:{changer}",
            kind=kind,
            user=changer,
            at_once=True,
        )

    def plan_dropped(self, session: Session, *, team_id: str, touchpoint_id: int) -> None:
        """A planned meeting its author now says didn't happen, in that answer's transaction: a
        note to the owner that it took place after all (`plan_changed`), not sent yet, is not
        sent."""
        put_back = revived_note_prefix(touchpoint_id)
        for key in outbox_store.unsent_keys(
            session=session, team_id=team_id, user_id=None, kind=REVIVED_NOTE
        ):
            if key.startswith(put_back):
                outbox_store.cancel_unsent(session=session, team_id=team_id, dedupe_key=key)

    def merged(self, session: Session, *, actor: Actor, partner_id: int) -> list[MergeFinding]:
        """After a merge, in its transaction: the collision rules run again over the kept
        partner's contacts of the last window and ahead. Two colleagues who were in touch with
        what looked like two partners meet here for the first time; each such pair is alerted
        in the coordination channel as for a contact just recorded. Pairs found before (either
        way round) are not found again, and nobody's owner note is sent twice. Returns what was
        found, for the answer to the person merging."""
        team_id, now = actor.team_id, self.clock.now()
        found = store.partner_and_team(session=session, team_id=team_id, partner_id=partner_id)
        if found is None:
            return []
        first = self._scene(session, actor, found, (), now)
        since, _ = rules.reach(
            now.astimezone(first.workspace_zone).date(),
            window_days=first.window_days,
            tz=first.workspace_zone,
        )
        findings: list[MergeFinding] = []
        rows = store.neighbours(
            session=session, team_id=team_id, partner_id=partner_id, start=since, end=_NO_END
        )
        touches = [Touch.of(row) for row in rows]
        for row, touch in zip(rows, touches, strict=True):
            scene = self._scene(session, actor, found, touch.colleagues, now)
            near, clashes, news = self._unpaired_clashes(scene, row, touch)
            if not clashes:
                continue
            news = self._not_found_jointly(scene, touch, news, near=near, touches=touches)
            channel, _thread, refused = self._alert(
                scene, touch, clashes, news, key=f"{collision_key(row.id)}:merged:{partner_id}"
            )
            if news:  # colleagues an alert already named together knew of each other
                findings.append(
                    MergeFinding(
                        touch=touch, clashes=news, channel=channel, passed_over=tuple(refused)
                    )
                )
        return findings

    @staticmethod
    def _not_found_jointly(
        scene: _Scene,
        touch: Touch,
        news: list[Clash],
        *,
        near: Sequence[Clash],
        touches: Sequence[Touch],
    ) -> list[Clash]:
        """Of the `news` a merge found for `touch`, those that no pair found before accounts
        for once a meeting two colleagues each logged counts once (`same_contact_twice`), as a
        new log's answer and alert count it: a contact found colliding with one record of it
        (when logged, or earlier in this merge) is no news with the other, nor is a record of
        another meeting found colliding with `touch`'s. `near`: all of `touch`'s collisions;
        `touches`: the kept partner's contacts the merge looks at (any record of `touch`'s
        meeting among them)."""
        if not news:
            return news
        tz = scene.workspace_zone
        records = [touch, *(t for t in touches if same_contact_twice(touch, t, tz=tz))]
        found = set[int]().union(
            *(
                store.colliding_with(
                    session=scene.session, team_id=scene.team_id, touchpoint_id=record.id
                )
                for record in records
            )
        )
        seen = [t for t in (*touches, *(clash.other for clash in near)) if t.id in found]
        return [
            clash
            for clash in news
            if clash.other.id not in found
            and not any(same_contact_twice(clash.other, t, tz=tz) for t in seen)
        ]

    def _unpaired_clashes(
        self, scene: _Scene, row: TouchpointRow, touch: Touch
    ) -> tuple[list[Clash], list[Clash], list[Clash]]:
        """The collisions of a contact already recorded: all, those that no pair found before
        (either way round) accounts for, and those of them that are news."""
        near, news, _known, _alerts = self._collide(
            scene, touch, frozenset(row.contact_ids), self._around(scene, touch)
        )
        paired = store.colliding_with(
            session=scene.session, team_id=scene.team_id, touchpoint_id=row.id
        )
        clashes = [clash for clash in near if clash.other.id not in paired]
        return near, clashes, [clash for clash in news if clash in clashes]

    def questions_for(self, *, team_id: str, user_id: str) -> dict[int, QuestionFor]:
        """The intents `user_id` is asked about and has not answered, by id: compared before
        and after `away cancel`, those handed back to them from whoever would have covered."""
        with Session(self.engine) as session:
            rows = store.open_intents_asked_of(session=session, team_id=team_id, user_id=user_id)
            found: dict[int, QuestionFor] = {}
            for row in rows:
                partner = partner_store.get_partner(
                    session=session, team_id=team_id, partner_id=row.partner_id
                )
                if row.id is not None and partner is not None:
                    found[row.id] = QuestionFor(
                        author_id=row.author_id, partner=partner.name, notes=row.notes or ""
                    )
            return found

    def while_away(
        self, *, team_id: str, user_id: str, start: datetime, end: datetime
    ) -> list[PartnerWhileAway]:
        """What others recorded with the partners `user_id` owns from `start` to `end` (their
        time away, for `back`), and the alerts about those partners meanwhile; by name."""
        with Session(self.engine) as session:
            return _while_away(session, team_id, user_id, start, end)

    def drop_summed_up_notes(
        self, session: Session, *, team_id: str, user_id: str, away: Period, now: datetime
    ) -> None:
        """`back`'s part, in its transaction: the notes about contacts its reply sums up
        (`while_away` from the start of `away` to `now`) are not sent too, to the owner nor to
        a cover who has not had them yet (`cover_unread` would bring them back to the owner)."""
        contacts = store.contacts_while_away(
            session=session, team_id=team_id, owner_id=user_id, start=away.starts_at, end=now
        )
        _drop_notes_summed_up(session, team_id, None, contacts)

    def welcome_back(self, *, now: datetime) -> int:
        """Planner: to each person back from time away that ended on its own (no `back`), at
        their first working moment back, what colleagues did meanwhile with the partners they
        own (`bot.delivery.absence.returns_to_sum_up`); once, through the outbox, and the notes
        about those contacts still waiting for them are cancelled in the same transaction.
        With it, a line per check-in answered Problem about those partners in the time away.
        Nothing is sent to someone whose partners nobody touched and nobody reported a Problem
        about: there is nothing to act on.
        Returns how many summaries were queued."""
        queued = 0
        for team_id in workspaces_with_returns(self.engine, now=now):
            with Session(self.engine) as session:
                for back in returns_to_sum_up(session, team_id=team_id, now=now):
                    user_id, summed = back.user_id, back.away
                    mark_summed_up(session, team_id=team_id, user_id=user_id, now=now)
                    # What happened until their first working moment back: the days between
                    # (a weekend) are news to them too.
                    partners = _while_away(session, team_id, user_id, summed.starts_at, now)
                    # A check-in answered Problem about their partners in the time away itself.
                    problems = store.problems_while_away(
                        session=session,
                        team_id=team_id,
                        owner_id=user_id,
                        start=summed.starts_at,
                        end=min(summed.ends_at, now),
                    )
                    if not partners and not problems:
                        continue
                    note = WelcomeBack(
                        recipient=user_id,
                        away=summed,
                        partners=tuple(partners),
                        problems=tuple(problems),
                        tz=person_zone(session, team_id=team_id, user_id=user_id),
                        now=now,
                    )
                    queued += _queue(
                        session,
                        team_id,
                        now,
                        self.renderer.welcome_back(note),
                        welcome_back_key(user_id, summed.ends_at),
                        kind=WELCOME_BACK,
                        user=user_id,
                    )
                    told = (contact for partner in partners for contact in partner.contacts)
                    _drop_notes_summed_up(session, team_id, user_id, told)
                session.commit()
        return queued

    def next_welcome_back(self, *, after: datetime) -> datetime | None:
        """When someone next comes back from time away not summed up yet (for the sandbox)."""
        return next_return(self.engine, after=after)

    def cover_unread(self, session: Session, *, team_id: str, user_id: str, now: datetime) -> None:
        """Time away just booked, ended or cancelled (`bot.delivery.absence.Retime`), in its
        transaction: what waits to reach `user_id` as a partner's owner and would now reach them
        in their time away goes to whoever covers for them then (the partner's deputy, else the
        absence's), as if it were queued now, and the waiting message is not sent: the
        questions about intents (whose askers are told whom they wait for now, and until when),
        and the notes about contacts by people outside the team. A note or a question a cover
        has not had yet comes back to them once they are not away then (`back`, `away
        cancel`; `_return_unsent_questions`). A question they have seen stays theirs, its day
        to answer moved by `retime_intents`."""
        self._cover_unread_notes(session, team_id=team_id, user_id=user_id, now=now)
        self._return_unsent_questions(session, team_id=team_id, owner_id=user_id, now=now)
        for row in store.open_intents_asked_of(session=session, team_id=team_id, user_id=user_id):
            reasked = self._reask_unsent(session, team_id, row, held_by=user_id, now=now)
            if reasked is None:
                continue
            scene, touch, _asked = reasked
            owner_back_at = self._back_at(scene, user_id)
            self._tell_asker_who_is_asked(
                scene,
                touch,
                away_until=_away_end(owner_back_at, scene.zone_of(user_id)),
                covering_for=user_id,
            )

    def _ask_instead(self, scene: _Scene, touch: Touch, intent_id: int, asked: str) -> Touch:
        """Ask `asked`, who hears for the partner's owner now, about an intent another was
        asked about, under the question's key for them (`intent_ask_key`)."""
        clashes = _clashes_found_by(scene.session, scene.team_id, touch)
        touch, _away, _pushed = self._ask(
            scene, touch, clashes, key=intent_ask_key(intent_id, handed_to=asked)
        )
        return touch

    def _reask_unsent(
        self,
        session: Session,
        team_id: str,
        row: TouchpointRow,
        *,
        held_by: str,
        now: datetime,
        owner_id: str | None = None,
    ) -> tuple[_Scene, Touch, str] | None:
        """The question about an intent waiting, unsent, for `held_by`, asked instead of
        whoever hears for the partner's owner now (`_owner_side`) and the waiting one not sent;
        None when it was sent already, or nobody else hears for the owner now (or the partner,
        gone or no longer `owner_id`'s, is not theirs to hand on)."""
        assert row.id is not None
        waiting = _question_key(session, team_id, row.id, held_by)
        question = outbox_store.get_message(session=session, team_id=team_id, dedupe_key=waiting)
        if question is None or question.status != OutboxStatus.PENDING:
            return None
        found = store.partner_and_team(session=session, team_id=team_id, partner_id=row.partner_id)
        if found is None or (owner_id is not None and _facts(found).owner_id != owner_id):
            return None
        touch = Touch.of(row)
        actor = Actor(team_id, owner_id or held_by)
        scene = self._scene(session, actor, found, touch.colleagues, now)
        asked = self._owner_side(scene, touch)
        if asked is None or asked == held_by:
            return None
        touch = self._ask_instead(scene, touch, row.id, asked)
        outbox_store.cancel_unsent(session=session, team_id=team_id, dedupe_key=waiting)
        return scene, touch, asked

    def _return_unsent_questions(
        self, session: Session, *, team_id: str, owner_id: str, now: datetime
    ) -> None:
        """The questions about intents with the partners `owner_id` owns, handed to whoever
        covered for them and not sent to that cover yet, go to whoever hears for the owner now
        (`_owner_side`): the owner once they are back or called their time away off, asked as
        its owner with a working day to answer from now; their askers are told whom they wait
        for now. Otherwise the cover would be asked for an owner who "is away" and the owner,
        told of the intent by `back`, would have nothing to answer with (QA20b BUG 1).

        A question the cover has had stays theirs: they may be acting on it already, and the
        asker was told to wait for them; two people asked about one intent could answer both
        ways. The owner may still answer it (`answer_intent` takes the owner's answer, the
        first one winning), and `back`'s summary says whose answer is awaited."""
        for row in store.open_intents_asked_of(session=session, team_id=team_id, user_id=None):
            cover = row.intent_asked
            if row.id is None or cover is None or cover == owner_id:
                continue
            reasked = self._reask_unsent(
                session, team_id, row, held_by=cover, owner_id=owner_id, now=now
            )
            if reasked is None:
                continue
            scene, touch, asked = reasked
            # A word to the asker about the cover, not sent yet, would name the wrong person; so
            # would each copy for the colleagues it names (`…:asker:<colleague>`).
            outbox_store.cancel_unsent(
                session=session,
                team_id=team_id,
                key_prefix=f"{intent_ask_key(row.id, handed_to=cover)}:asker",
            )
            if asked == owner_id:
                self._tell_asker_who_is_asked(
                    scene,
                    touch,
                    away_until=None,
                    instead_of=cover,
                    # Away until just now: back early (not a time away ahead called off).
                    back=is_away(session, team_id=team_id, user_id=owner_id, at=now - JUST_NOW),
                )
            else:
                self._tell_asker_who_is_asked(
                    scene,
                    touch,
                    away_until=_away_end(self._back_at(scene, owner_id), scene.zone_of(owner_id)),
                    covering_for=owner_id,
                )

    def take_back(
        self, session: Session, *, team_id: str, deputy_id: str, partner_id: int, now: datetime
    ) -> None:
        """A partner's deputy replaced or cleared, in that change's transaction: what was handed
        to them for its owner and has not reached them yet goes to whoever covers for the owner
        now, or back to the owner (waiting while they are away), as `cover_unread` hands it on:
        the notes about contacts, and the questions about intents (whose askers are told whom
        they wait for now, and until when). What they have seen stays theirs."""
        for waiting, row, found in _notes_waiting(
            session, team_id, user_id=deputy_id, partner_id=partner_id
        ):
            touch = Touch.of(row)
            scene = self._scene(session, Actor(team_id, deputy_id), found, touch.colleagues, now)
            recipient = self._owner_side(scene, touch)
            if recipient is not None and recipient != deputy_id:
                self._redirect_note(scene, waiting, touch, recipient)
        for row in store.open_intents_asked_of(
            session=session, team_id=team_id, user_id=deputy_id, partner_id=partner_id
        ):
            waiting = _question_key(session, team_id, row.id, deputy_id)
            question = outbox_store.get_message(
                session=session, team_id=team_id, dedupe_key=waiting
            )
            at_hand = store.partner_and_team(
                session=session, team_id=team_id, partner_id=partner_id
            )
            if question is None or question.status != OutboxStatus.PENDING or at_hand is None:
                continue
            touch = Touch.of(row)
            scene = self._scene(session, Actor(team_id, deputy_id), at_hand, touch.colleagues, now)
            owner = scene.facts.owner_id
            asked = self._owner_side(scene, touch)
            if owner is None or asked is None or asked == deputy_id:
                continue
            touch = self._ask_instead(scene, touch, row.id, asked)
            outbox_store.cancel_unsent(session=session, team_id=team_id, dedupe_key=waiting)
            self._tell_asker_who_is_asked(
                scene,
                touch,
                away_until=_away_end(self._back_at(scene, owner), scene.zone_of(owner)),
                covering_for=None if asked == owner else owner,
            )

    def _cover_unread_notes(
        self, session: Session, *, team_id: str, user_id: str, now: datetime
    ) -> None:
        """The notes not sent yet about the partners `user_id` owns (plain ones and those about
        plans put back), or waiting for `user_id` as an owner's cover, go to whoever hears for
        the owner now (`_owner_side`): their cover while they are away then, else they
        themselves (time away ended early or cancelled: what went to a cover comes back to
        them)."""
        for waiting in _unsent_owner_notes(session, team_id, None):
            with_partner = _with_partner(session, team_id, _touchpoint_of_note(waiting))
            note = outbox_store.get_message(session=session, team_id=team_id, dedupe_key=waiting)
            if with_partner is None or note is None:
                continue
            # Theirs as the partner's owner, or waiting for them as the owner's cover: a cover
            # who books time away hands it on too, rather than keep it until they are back.
            owner = _facts(with_partner[1]).owner_id
            if owner != user_id and note.recipient_user != user_id:
                continue
            row, found = with_partner
            touch = Touch.of(row)
            scene = self._scene(session, Actor(team_id, user_id), found, touch.colleagues, now)
            recipient = self._owner_side(scene, touch)
            if recipient is None or recipient == note.recipient_user:
                continue
            self._redirect_note(scene, waiting, touch, recipient)

    def _redirect_note(self, scene: _Scene, waiting: str, touch: Touch, recipient: str) -> None:
        """Send the owner note still waiting under `waiting` to `recipient` instead, worded for
        them (a plan put back still says so) and timed for their working hours."""
        note = OwnerNote(
            partner=scene.facts,
            touch=touch,
            recipient=recipient,
            clashes=_clashes_found_by(scene.session, scene.team_id, touch),
            tz=scene.zone_of(recipient),
            recorded_at=scene.now,
            revived=waiting != owner_note_key(touch.id),
        )
        message = self.renderer.owner_note(note)
        # The same note, so who was told of whose contact stays known (`_told`).
        outbox_store.redirect_unsent(
            session=scene.session,
            team_id=scene.team_id,
            dedupe_key=waiting,
            user_id=recipient,
            text=message.text,
            blocks=message.blocks,
            available_at=scene.schedule_of(recipient).first_slot(scene.now, key=recipient),
        )

    def hand_over_intents(self, session: Session, *, actor: Actor, handover: Handover) -> None:
        """A handover's part for intents, in its transaction. Each of the partner's unanswered
        intents is for the new owner (or whoever covers for them) to answer: asked afresh of
        them, with a working day to answer, and the asker is told whom they now wait for. An
        intent the new owner (or their stand-in) took part in needs nobody's answer any more.
        The question the person asked before was sent says who has it now, without buttons
        (still waiting for their working hours, it is not sent at all). One that lapsed with
        them is asked of nobody again (`_withdraw_lapsed`)."""
        self._ask_again(session, actor=actor, partner_id=handover.facts.id)

    def hand_over_after_merge(
        self, session: Session, *, actor: Actor, partner_id: int, duplicate_name: str
    ) -> None:
        """After a merge, in its transaction: what still waited for the duplicate's owner (or
        their stand-in) as its owner is the kept partner's owner's business now, as after a
        handover. The open questions about intents are asked afresh of the kept partner's
        owner (or whoever covers for them), as `hand_over_intents` does, their askers told; the
        notes about outsiders' contacts not sent yet go to them instead, worded anew under the
        kept name, or not at all when nobody needs them now (the author is on the kept
        partner's team, or its owner took part)."""
        self._ask_again(session, actor=actor, partner_id=partner_id, merged_from=duplicate_name)
        self._hand_over_notes(session, actor=actor, partner_id=partner_id)

    def hand_over_notes(self, session: Session, *, actor: Actor, handover: Handover) -> None:
        """A handover's part for the notes about outsiders' contacts not sent yet to the former
        owner (or their stand-in), held while they are away or waiting for their hours: they
        are the new owner's business now, as after a merge, and go to them (or whoever covers
        for them), worded anew; or nowhere when nobody needs them now (the author is on the
        team, as the new owner may be, or the new owner took part)."""
        self._hand_over_notes(session, actor=actor, partner_id=handover.facts.id)

    def _hand_over_notes(self, session: Session, *, actor: Actor, partner_id: int) -> None:
        team_id, now = actor.team_id, self.clock.now()
        for waiting, row, found in _notes_waiting(
            session, team_id, user_id=None, partner_id=partner_id
        ):
            touch = Touch.of(row)
            scene = self._scene(session, actor, found, touch.colleagues, now)
            recipient = None if touch.author_id in scene.team else self._owner_side(scene, touch)
            note = outbox_store.get_message(session=session, team_id=team_id, dedupe_key=waiting)
            if note is None or recipient == note.recipient_user:
                continue  # the kept partner's own note, or its owner owned both
            if recipient is None:
                outbox_store.cancel_unsent(session=session, team_id=team_id, dedupe_key=waiting)
            else:
                self._redirect_note(scene, waiting, touch, recipient)

    def _ask_again(
        self, session: Session, *, actor: Actor, partner_id: int, merged_from: str | None = None
    ) -> None:
        """Ask the partner's owner (or stand-in) the unanswered questions about its intents
        that someone else has (`hand_over_intents`), and take back from that someone those that
        lapsed; `merged_from`: the partner it was asked about, merged into this one."""
        team_id = actor.team_id
        awaiting = store.open_intents_asked_of(
            session=session, team_id=team_id, user_id=None, partner_id=partner_id
        )
        found = store.partner_and_team(session=session, team_id=team_id, partner_id=partner_id)
        if found is None:
            return
        now = self.clock.now()
        self._withdraw_lapsed(session, actor=actor, found=found, merged_from=merged_from, now=now)
        for row in awaiting:
            before = row.intent_asked
            touch = Touch.of(row)
            scene = self._scene(session, actor, found, touch.colleagues, now)
            asked = self._owner_side(scene, touch)
            if asked == before or before is None:
                continue
            withdrawn = _question_key(session, team_id, row.id, before)
            clashes = _clashes_found_by(session, team_id, touch)
            if asked is None:
                store.clear_intent(session=session, team_id=team_id, touchpoint_id=row.id)
                touch, away_until = replace(touch, asked=None, deadline=None), None
            else:
                touch, away_until, _pushed = self._ask(
                    scene, touch, clashes, key=intent_ask_key(row.id, handed_to=asked)
                )
            self._tell_asker_who_is_asked(
                scene, touch, away_until=away_until, new_owner=True, merged_from=merged_from
            )
            self._withdraw(
                scene, touch, withdrawn, before, clashes, handed_to=asked, merged_from=merged_from
            )

    def _withdraw_lapsed(
        self,
        session: Session,
        *,
        actor: Actor,
        found: PartnerAtHand,
        merged_from: str | None,
        now: datetime,
    ) -> None:
        """The questions about the partner's intents that lapsed unanswered with someone who no
        longer answers for its owner (`_ask_again`): their askers were told they may go ahead,
        so nobody is asked again; the question, sent, says who owns the partner now and loses
        its buttons (a late answer is no longer its recipient's to give, `answer_intent`); not
        sent, it never is. The intent stays in `check` as it was."""
        team_id = actor.team_id
        for row in store.lapsed_intents_of(session=session, team_id=team_id, partner_id=found.id):
            before = row.intent_asked
            touch = Touch.of(row)
            scene = self._scene(session, actor, found, touch.colleagues, now)
            if before is None or self._owner_side(scene, touch) == before:
                continue
            withdrawn = _question_key(session, team_id, row.id, before)
            if outbox_store.get_message(
                session=session, team_id=team_id, dedupe_key=handed_key(withdrawn)
            ):
                continue  # withdrawn at an earlier handover
            outbox_store.cancel_unsent(
                session=session, team_id=team_id, dedupe_key=lapsed_key(withdrawn)
            )
            clashes = _clashes_found_by(session, team_id, touch)
            self._withdraw(scene, touch, withdrawn, before, clashes, merged_from=merged_from)

    def _withdraw(
        self,
        scene: _Scene,
        touch: Touch,
        question: str,
        recipient: str,
        clashes: list[Clash],
        *,
        handed_to: str | None = None,
        merged_from: str | None = None,
    ) -> None:
        """Take back the `question` about `touch` from its `recipient` after a handover or a
        merge: not sent yet, it is not sent; sent, it says who has it now (`handed_to`), without
        buttons."""
        session, team_id = scene.session, scene.team_id
        if outbox_store.cancel_unsent(session=session, team_id=team_id, dedupe_key=question):
            return
        note = OwnerNote(
            partner=scene.facts,
            touch=touch,
            recipient=recipient,
            clashes=clashes,
            tz=scene.zone_of(recipient),
            recorded_at=touch.at,
            withdrawn=True,
            handed_to=handed_to,
            merged_from=merged_from,
        )
        _queue(
            session,
            team_id,
            scene.now,
            self.renderer.intent_ask(note),
            handed_key(question),
            kind=INTENT_HANDED,
            user=recipient,
            edit=question,
        )

    def _tell_asker_who_is_asked(
        self,
        scene: _Scene,
        touch: Touch,
        *,
        away_until: datetime | None,
        new_owner: bool = False,
        covering_for: str | None = None,
        merged_from: str | None = None,
        instead_of: str | None = None,
        back: bool = False,
    ) -> None:
        """Tell whoever stated an intent that someone else is asked about it now (`touch.asked`,
        just asked): the partner's new owner (the kept partner's, when it was `merged_from`
        another), or whoever covers for the owner (`covering_for`), away before they saw the
        question, or the owner instead of the cover (`instead_of`) once they are not away
        (`back`: their time away ended, else they called it off); and until when they wait for
        the answer. After a handover or a merge with
        nobody asked (`touch.asked` None: the new owner is among those reaching out, or there
        is none), that the intent needs nobody's answer. The colleagues it names hear of a new
        owner, a merge or a cover too, or that it needs nobody's answer (they go along, and may
        go ahead as well), but not the new owner nor whoever is asked now. Once each, in their
        working hours."""
        later = LaterNote(
            partner=scene.facts,
            touch=touch,
            away_until=away_until,
            tz=scene.zone_of(touch.author_id),
            new_owner=new_owner,
            covering_for=covering_for,
            merged_from=merged_from,
            instead_of=instead_of,
            back=back,
        )
        key = f"{intent_ask_key(touch.id, handed_to=touch.asked)}:asker"
        notes = {touch.author_id: (later, key)}
        # The colleagues it names go along, so whom it waits for and until when is theirs to
        # know too (QA h19 2); but not that it may come sooner or later from the same person,
        # and not to whoever is asked now, who has the question itself.
        if new_owner or covering_for is not None:
            for colleague in touch.participants:
                if colleague not in (touch.author_id, scene.facts.owner_id, touch.asked):
                    note = replace(later, tz=scene.zone_of(colleague), going_along=True)
                    notes[colleague] = (note, f"{key}:{colleague}")
        for user, (note, dedupe_key) in notes.items():
            _queue(
                scene.session,
                scene.team_id,
                scene.now,
                self.renderer.intent_later(note),
                dedupe_key,
                kind=INTENT_LATER,
                user=user,
            )

    def _ask(
        self, scene: _Scene, touch: Touch, clashes: list[Clash], *, key: str | None = None
    ) -> tuple[Touch, datetime | None, datetime | None]:
        """Ask the owner (or their stand-in) about an intent, with an answer due one working day
        after the question reaches them; returns the touch with whom and until when, the end of
        the time away of the person asked if they are away now (nobody covers: the question
        waits), and else the end of time away ahead that pushed the answer's day back."""
        recipient = self._owner_side(scene, touch)
        if recipient is None:
            return touch, None, None
        session, team_id = scene.session, scene.team_id
        key = key or intent_ask_key(touch.id)
        tz = scene.zone_of(recipient)
        schedule = scene.schedule_of(recipient)
        back_at = self._back_at(scene, recipient)
        due = answer_due(
            session, team_id=team_id, user_id=recipient, asked_at=scene.now, schedule=schedule
        )
        if back_at is None and due.back_at is not None and recipient == scene.facts.owner_id:
            due = self._until_covered(
                scene, recipient, schedule, due, asked_at=scene.now, took_part=touch.colleagues
            )
        deadline, pushed_by = due.at, due.back_at
        store.set_intent(
            session=session,
            team_id=team_id,
            touchpoint_id=touch.id,
            asked=recipient,
            deadline=deadline,
        )
        touch = replace(touch, asked=recipient, deadline=deadline)
        message = self.renderer.intent_ask(
            OwnerNote(
                partner=scene.facts,
                touch=touch,
                recipient=recipient,
                clashes=clashes,
                tz=tz,
                recorded_at=scene.now,
                cover_then=self._cover_at_deadline(scene, touch),
            )
        )
        _queue(
            session,
            team_id,
            scene.now,
            message,
            key,
            kind=INTENT_ASK,
            user=recipient,
            schedule=schedule,
        )
        away_now = _away_end(back_at, tz)
        return touch, away_now, None if away_now is not None else _away_end(pushed_by, tz)

    def _until_covered(
        self,
        scene: _Scene,
        owner: str,
        schedule: Schedule,
        due: Counted,
        *,
        asked_at: datetime,
        took_part: Collection[str],
    ) -> Counted:
        """The owner's day to answer, pushed back by time away that begins before it ends
        (`due`): their working day as if they were not away, when someone covers for them by
        then (QA20c BUG 2). The question is handed to that cover then (`lapse_intents`), with
        a working day of theirs to answer, instead of the asker waiting for the owner's
        return. With nobody to cover, `due` stands: the owner answers once back."""
        plain = working_days_later(
            schedule.first_slot(asked_at, key=owner),
            INTENT_WORKING_DAYS,
            schedule=schedule,
            away=(),
            key=owner,
        )
        at = on_the_quarter(plain.at, tz=zone(schedule.tz))
        if not is_away(scene.session, team_id=scene.team_id, user_id=owner, at=at):
            return due
        cover = recipient_for_owner_alert(
            scene.session,
            team_id=scene.team_id,
            owner_id=owner,
            partner_deputy_id=scene.facts.deputy_id,
            now=at,
        )
        if cover == owner or (cover in took_part and cover not in scene.team):
            # A cover from outside the team who took part is not handed the question
            # (`_owner_side`): the owner answers once back, as when they are away already
            # (QA: Chloe, Dan's cover from tomorrow, was told "No answer from @dan" then).
            return due
        return Counted(at=at)

    @staticmethod
    def _cover_at_deadline(scene: _Scene, touch: Touch) -> str | None:
        return _cover_at_deadline(scene.session, scene.team_id, scene.facts, touch)

    def _back_at(self, scene: _Scene, user_id: str) -> datetime | None:
        """When `user_id`'s absence ends, if they are away when a message queued now would
        reach them (as `owner_side` judges it)."""
        away = self._absence(scene, user_id)
        return None if away is None else away.ends_at

    @staticmethod
    def _absence(scene: _Scene, user_id: str) -> Absence | None:
        """`user_id`'s absence when a message queued now would reach them, if any."""
        return absence_when_reached(
            scene.session,
            team_id=scene.team_id,
            user_id=user_id,
            now=scene.now,
            schedule=scene.schedule_of(user_id),
        )

    def _owner_side(self, scene: _Scene, touch: Touch) -> str | None:
        """Who hears about the touch for the owner: nobody when the owner took part in it, nor
        when whoever covers for them did and is on the team (they act for the owner); the
        owner, once back, when a colleague from outside the team covers and took part (they
        cannot be told of their own contact in the owner's place)."""
        owner = scene.facts.owner_id
        if owner in touch.colleagues:
            return None
        recipient = scene.owner_side
        if recipient in touch.colleagues:
            return None if recipient in scene.team else owner
        return recipient

    # --- Reading back --------------------------------------------------------------------------

    def _replay(self, session: Session, actor: Actor, row: TouchpointRow) -> Recorded:
        """The answer to a request recorded before, rebuilt from what it recorded."""
        found = partner_store.get_partner(
            session=session, team_id=actor.team_id, partner_id=row.partner_id
        )
        if found is None:
            raise PartnerGone()
        team = partner_store.team_of(
            session=session, team_id=actor.team_id, partner_id=row.partner_id
        )
        clashes = _clashes_found_by(session, actor.team_id, Touch.of(row))
        alert = outbox_store.get_message(
            session=session, team_id=actor.team_id, dedupe_key=collision_key(row.id)
        )
        note = outbox_store.get_message(
            session=session, team_id=actor.team_id, dedupe_key=owner_note_key(row.id)
        )
        return Recorded(
            partner=self.registry.facts(found, team),
            touch=Touch.of(row),
            clashes=clashes,
            alert_channel=alert.recipient_channel if alert is not None else None,
            alert_threaded=alert is not None and alert.thread_of_dedupe_key is not None,
            owner_told=row.intent_asked or (note.recipient_user if note is not None else None),
            repeated=True,
            **self._caller_dating(session, actor),
        )

    def dated_for_caller(self, *, actor: Actor, result: Recorded) -> Recorded:
        """`result` dated in the caller's time zone as known now: a first command's answer,
        dated on the workspace's calendar, once Slack has told us the caller's."""
        with Session(self.engine) as session:
            return replace(result, **self._caller_dating(session, actor))

    @staticmethod
    def _caller_dating(session: Session, actor: Actor) -> dict[str, Any]:
        """The caller's zone for an answer, whether it is still a guess, and then whom to ask
        Slack about (the caller: their answer is dated again once it is known)."""
        team_id, user_id = actor.team_id, actor.user_id
        guessed = not knows_zone(session, team_id=team_id, user_id=user_id)
        return {
            "tz": person_zone(session, team_id=team_id, user_id=user_id),
            "zone_guessed": guessed,
            "stale": (user_id,) if guessed else (),
        }

    def brief(self, *, actor: Actor, partner: str) -> Briefing:
        """What to know before reaching out to `partner`: who owns it, who was in touch lately
        (every contact logged, whatever its stored time), what is planned and still ahead of the
        caller (a day-only plan for its whole day), the intents of the coordination window, and
        the caller's own intent among them."""
        team_id, now = actor.team_id, self.clock.now()
        with Session(self.engine) as session:
            found = self.registry.resolve(session, team_id=team_id, query=partner)
            partner_id = _id(found)
            team = partner_store.team_of(session=session, team_id=team_id, partner_id=partner_id)
            workspace = get_workspaces(session=session, team_ids=[team_id]).get(team_id)
            window = _window(workspace)
            tz = person_zone(session, team_id=actor.team_id, user_id=actor.user_id)
            workspace_tz = zone(workspace.timezone if workspace is not None else None)
            # The intents a contact made now would collide with (`bot.collisions`).
            today = now.astimezone(workspace_tz).date()
            intents_since = rules.opens(today, window_days=window, tz=workspace_tz)

            def touches(**query: Any) -> list[Touch]:
                rows = store.touchpoints_of(
                    session=session, team_id=team_id, partner_id=partner_id, **query
                )
                return [Touch.of(row) for row in rows]

            intents = [TouchpointKind.INTENDED]
            roles = {membership.user_id: TeamRole(membership.role) for membership in team}
            own = touches(
                kinds=intents,
                author_id=actor.user_id,
                start=intents_since,
                newest_first=True,
                limit=BRIEFING_PLANNED,
            )
            planned = _planned_ahead(session, team_id, partner_id, now=now, tz=tz)
            ahead = {touch.id for touch in planned}
            # Lately: contacts logged, and plans whose time has come, logged or not (a
            # colleague's meeting of yesterday is news to whoever is about to reach out), as
            # the last contact counts them (`note_passed_plans`); a plan its author said didn't
            # happen is listed as such, since whoever reaches out next may want to know.
            logged = touches(kinds=[TouchpointKind.DONE], newest_first=True, limit=BRIEFING_RECENT)
            passed = [
                touch
                for touch in touches(
                    kinds=[TouchpointKind.PLANNED],
                    end=now,
                    newest_first=True,
                    limit=BRIEFING_RECENT + BRIEFING_PLANNED,
                )
                if touch.id not in ahead
            ]
            open_intents = touches(
                kinds=intents, start=intents_since, newest_first=True, limit=BRIEFING_PLANNED
            )
            shown = [*logged, *passed, *planned, *open_intents, *own]
            gone = followed_up(
                shown,
                tz=workspace_tz,
                zones=authors_zones(session, team_id=team_id, touches=shown),
            )
            recent = sorted(
                (touch for touch in [*logged, *passed] if touch.id not in gone),
                key=lambda touch: (touch.at, touch.id),
                reverse=True,
            )
            shown_recent = recent[:BRIEFING_RECENT]
            # Colleagues in touch within the window whom "Lately" leaves out: `check` is there to
            # say who else is in touch, so none of them goes unnamed (QA: Ben's meeting of
            # Wednesday hidden behind three logs of today).
            others, others_count = store.others_in_touch(
                session=session,
                team_id=team_id,
                partner_id=partner_id,
                start=intents_since,
                day_only_start=rules.opens(today, window_days=window, tz=UTC),
                end=now,
                leave_out={actor.user_id, *(u for t in shown_recent for u in t.colleagues)},
                limit=BRIEFING_ALSO,
            )
            facts = self.registry.facts(found, team)
            away_until, covering = None, None
            if facts.owner_id is not None:
                # Away as a heads-up would find them: `intend` asks whoever covers then.
                absence = absence_when_reached(
                    session, team_id=team_id, user_id=facts.owner_id, now=now
                )
                if absence is not None:
                    owner_tz = person_zone(session, team_id=team_id, user_id=facts.owner_id)
                    away_until = _away_end(absence.ends_at, owner_tz)
                    cover = recipient_for_owner_alert(
                        session,
                        team_id=team_id,
                        owner_id=facts.owner_id,
                        partner_deputy_id=facts.deputy_id,
                        now=now,
                    )
                    covering = None if cover == facts.owner_id else cover
            return Briefing(
                partner=facts,
                members=[m.user_id for m in team if m.role == TeamRole.MEMBER],
                last_contact_by=found.last_contact_by,
                recent=shown_recent,
                also_in_touch=others,
                also_in_touch_count=others_count,
                planned=planned,
                intents=[touch for touch in open_intents if touch.id not in gone],
                own_intent=next((touch for touch in own if touch.id not in gone), None),
                own_intents=[touch for touch in own if touch.id not in gone],
                caller_role=roles.get(actor.user_id),
                window_days=window,
                tz=tz,
                reader=actor.user_id,
                zone_guessed=not knows_zone(session, team_id=team_id, user_id=actor.user_id),
                owner_away_until=away_until,
                covering=covering,
                reopening=(
                    reopening_of(session, actor, facts, now)
                    if facts.status == PartnerStatus.ENDED
                    else None
                ),
            )

    def upcoming(self, *, actor: Actor, partner_id: int) -> Upcoming:
        """The partner's planned contacts still ahead (as `check` lists them), for `show`."""
        now = self.clock.now()
        with Session(self.engine) as session:
            tz = person_zone(session, team_id=actor.team_id, user_id=actor.user_id)
            planned = _planned_ahead(session, actor.team_id, partner_id, now=now, tz=tz)
            return Upcoming(planned=planned, tz=tz)

    def today(self, *, actor: Actor) -> date:
        """Today in the caller's time zone (as far as Liaison knows it)."""
        with Session(self.engine) as session:
            tz = person_zone(session, team_id=actor.team_id, user_id=actor.user_id)
        return self.clock.now().astimezone(tz).date()

    # --- Intents -------------------------------------------------------------------------------

    def answer_intent(
        self, *, actor: Actor, touchpoint_id: int, answer: IntentAnswer
    ) -> IntentOutcome:
        """The owner's (or stand-in's, or deputy's) answer to an intent; the asker is told, and
        the colleagues it names.

        The first answer wins; a late one (after the asker was told they may proceed) is still
        passed on. Raises IntentGone or NotAsked.
        """
        team_id, now = actor.team_id, self.clock.now()
        with Session(self.engine) as session:
            row = store.get_touchpoint(
                session=session, team_id=team_id, touchpoint_id=touchpoint_id
            )
            if row is None or row.kind is not TouchpointKind.INTENDED:
                raise IntentGone()
            found = partner_store.get_partner(
                session=session, team_id=team_id, partner_id=row.partner_id
            )
            if found is None:
                raise IntentGone()
            team = partner_store.team_of(
                session=session, team_id=team_id, partner_id=row.partner_id
            )
            facts = self.registry.facts(found, team)
            was_asked = row.intent_asked
            if was_asked is not None and outbox_store.get_message(
                session=session,
                team_id=team_id,
                dedupe_key=handed_key(_question_key(session, team_id, row.id, was_asked)),
            ):
                was_asked = None  # lapsed, and theirs no more since a handover or a merge
            if actor.user_id not in {was_asked, facts.owner_id, facts.deputy_id}:
                raise NotAsked(facts, Touch.of(row))
            recorded = store.answer_intent(
                session=session,
                team_id=team_id,
                touchpoint_id=row.id,
                answer=answer,
                by=actor.user_id,
                at=now,
            )
            late = lapsed = row.intent_answer is IntentAnswer.LAPSED
            question = _question_key(session, team_id, row.id, row.intent_asked)
            touch = Touch.of(row)
            if recorded:
                touch = replace(touch, answer=answer, answered_by=actor.user_id)
                if late:
                    # The answer goes in place of the question (the caller updates it): an edit
                    # saying nobody answered, not sent yet, would bring the buttons back.
                    outbox_store.cancel_unsent(
                        session=session, team_id=team_id, dedupe_key=lapsed_key(question)
                    )
                    # Still waiting for the asker's working hours, "you may go ahead" goes
                    # unsaid: the answer reaches them instead, as an answer in time would.
                    late = not outbox_store.cancel_unsent(
                        session=session,
                        team_id=team_id,
                        dedupe_key=intent_answer_key(row.id, IntentAnswer.LAPSED),
                    )
                self._tell_asker(session, team_id, facts, touch, late=late, now=now)
                self._tell_going_along(session, team_id, facts, touch, now=now, lapsed=lapsed)
            else:
                fresh = store.get_touchpoint(session=session, team_id=team_id, touchpoint_id=row.id)
                touch = Touch.of(fresh or row)
            asked = outbox_store.get_message(session=session, team_id=team_id, dedupe_key=question)
            outcome = IntentOutcome(
                partner=facts,
                touch=touch,
                recorded=recorded,
                late=late,
                asked_channel=asked.sent_channel if asked is not None else None,
                asked_ts=asked.sent_ts if asked is not None else None,
            )
            session.commit()
        return outcome

    def retime_intents(
        self, session: Session, *, team_id: str, user_id: str, now: datetime
    ) -> None:
        """Time again the answers awaited from `user_id`, now that their time away changed
        (`bot.delivery.absence.Retime`), in the caller's transaction: each deadline follows the
        rule (`answer_due`) from when the question was asked, with the absences as they are now.
        The question shows its new deadline; its asker is told the new one, in their zone, once
        (a word about an earlier move still unsent is dropped), and "later" or "sooner" than
        the one they heard of (`_told_deadline`); not at all when it is that one, or when it has
        passed already: then the go-ahead tells them at once."""
        schedule = schedule_of(session, team_id=team_id, user_id=user_id)
        tz = zone(schedule.tz)
        for row in store.open_intents_asked_of(session=session, team_id=team_id, user_id=user_id):
            question_key = _question_key(session, team_id, row.id, user_id)
            asked = outbox_store.get_message(
                session=session, team_id=team_id, dedupe_key=question_key
            )
            asked_at = row.at if asked is None else asked.due_at
            due = answer_due(
                session, team_id=team_id, user_id=user_id, asked_at=asked_at, schedule=schedule
            )
            at_hand = store.partner_and_team(
                session=session, team_id=team_id, partner_id=row.partner_id
            )
            reached = schedule.first_slot(asked_at, key=user_id)
            # A question sent already reached its owner before this time away was booked,
            # even time away from today (QA21a BUG 1); one still waiting reaches them once back
            # unless they were not away when it falls due.
            delivered = asked is not None and asked.status in (
                OutboxStatus.SENT,
                OutboxStatus.SENDING,
            )
            if (
                at_hand is not None
                and due.back_at is not None
                and _facts(at_hand).owner_id == user_id
                and (
                    delivered or not is_away(session, team_id=team_id, user_id=user_id, at=reached)
                )
            ):
                # Time away booked after the question reached its owner: their cover is asked
                # when it begins, as for a question asked before time away booked earlier.
                scene = self._scene(
                    session, Actor(team_id, user_id), at_hand, Touch.of(row).colleagues, now
                )
                due = self._until_covered(
                    scene,
                    user_id,
                    schedule,
                    due,
                    asked_at=asked_at,
                    took_part=Touch.of(row).colleagues,
                )
            if row.intent_deadline is None or due.at == row.intent_deadline:
                continue
            told = _told_deadline(session, team_id, row.id, question=asked) or row.intent_deadline
            store.set_intent(
                session=session,
                team_id=team_id,
                touchpoint_id=row.id,
                asked=user_id,
                deadline=due.at,
            )
            found = partner_store.get_partner(
                session=session, team_id=team_id, partner_id=row.partner_id
            )
            if found is None:
                continue
            team = partner_store.team_of(
                session=session, team_id=team_id, partner_id=row.partner_id
            )
            facts = self.registry.facts(found, team)
            touch = replace(Touch.of(row), deadline=due.at)
            question = self.renderer.intent_ask(
                OwnerNote(
                    partner=facts,
                    touch=touch,
                    recipient=user_id,
                    clashes=_clashes_found_by(session, team_id, touch),
                    tz=tz,
                    recorded_at=touch.at,
                    cover_then=_cover_at_deadline(session, team_id, facts, touch),
                )
            )
            if not outbox_store.rewrite_unsent(
                session=session,
                team_id=team_id,
                dedupe_key=question_key,
                text=question.text,
                blocks=question.blocks,
            ):
                _queue(
                    session,
                    team_id,
                    now,
                    question,
                    retimed_key(row.id, due.at, now, to="asked"),
                    kind=INTENT_RETIMED,
                    user=user_id,
                    edit=question_key,
                )
            outbox_store.cancel_unsent(
                session=session, team_id=team_id, key_prefix=retimed_prefix(row.id, to="asker")
            )
            if _to_the_minute(due.at) == _to_the_minute(told):
                continue  # the day they heard of (a word about another was never sent)
            if due.at <= now:
                continue  # the go-ahead, due at once, tells them
            sooner = due.at < told
            later = LaterNote(
                partner=facts,
                touch=touch,
                away_until=_away_end(due.back_at, tz),
                tz=person_zone(session, team_id=team_id, user_id=row.author_id),
                sooner=sooner,
                # Away until just now: back early (not a time away ahead called off).
                back=_back_just_now(session, team_id, user_id, now=now),
            )
            _queue(
                session,
                team_id,
                now,
                self.renderer.intent_later(later),
                moved_key(row.id, deadline=due.at, told=told, now=now),
                kind=INTENT_SOONER if sooner else INTENT_LATER,
                user=row.author_id,
            )

    def lapse_intents(self, *, now: datetime) -> int:
        """Tell the askers of intents nobody answered in time that they may proceed, and the
        colleagues they name (a planner).

        Idempotent: each intent lapses once (a conditional update), and its message has its own
        dedupe key. Returns how many lapsed.
        """
        lapsed = 0
        with Session(self.engine) as session:
            for team_id, touchpoint_id in store.due_intents(
                session=session, now=now, limit=INTENTS_PER_PLANNER_RUN
            ):
                row = store.get_touchpoint(
                    session=session, team_id=team_id, touchpoint_id=touchpoint_id
                )
                found = (
                    None
                    if row is None
                    else partner_store.get_partner(
                        session=session, team_id=team_id, partner_id=row.partner_id
                    )
                )
                if row is None or found is None:
                    continue
                if self._hand_to_cover(session, team_id, row, now=now):
                    continue
                if not store.answer_intent(
                    session=session,
                    team_id=team_id,
                    touchpoint_id=touchpoint_id,
                    answer=IntentAnswer.LAPSED,
                    by=None,
                    at=now,
                ):
                    continue
                team = partner_store.team_of(
                    session=session, team_id=team_id, partner_id=row.partner_id
                )
                touch = replace(Touch.of(row), answer=IntentAnswer.LAPSED)
                facts = self.registry.facts(found, team)
                self._tell_asker(session, team_id, facts, touch, late=False, now=now)
                self._tell_going_along(session, team_id, facts, touch, now=now)
                self._mark_lapsed(session, team_id, facts, touch, now=now)
                lapsed += 1
            session.commit()
        return lapsed

    def _hand_to_cover(
        self, session: Session, team_id: str, row: TouchpointRow, *, now: datetime
    ) -> bool:
        """An intent whose owner's day to answer ends while they are away, with someone
        covering for them (`_until_covered` timed it so): asked now of that cover, with a
        working day of theirs to answer, its asker told whom they wait for. The owner's
        question keeps its buttons: their answer, should it come first, still counts. True when
        it was handed over."""
        found = store.partner_and_team(session=session, team_id=team_id, partner_id=row.partner_id)
        if found is None or row.id is None:
            return False
        owner = _facts(found).owner_id
        if owner is None or row.intent_asked != owner:
            return False
        if not is_away(session, team_id=team_id, user_id=owner, at=now):
            return False
        touch = Touch.of(row)
        scene = self._scene(session, Actor(team_id, owner), found, touch.colleagues, now)
        cover = self._owner_side(scene, touch)
        if cover is None or cover == owner:
            return False
        touch = self._ask_instead(scene, touch, row.id, cover)
        outbox_store.cancel_unsent(
            session=session,
            team_id=team_id,
            dedupe_key=_question_key(session, team_id, row.id, owner),
        )
        self._tell_asker_who_is_asked(
            scene,
            touch,
            away_until=_away_end(self._back_at(scene, owner), scene.zone_of(owner)),
            covering_for=owner,
        )
        return True

    # --- Last contact ----------------------------------------------------------------------------

    def note_passed_plans(self, *, now: datetime) -> int:
        """Make each planned meeting whose time has come its partner's last contact, if it is
        the latest (a planner): a plan counts as a contact from its moment on, as `check` lists
        it under "Lately", until its author says it didn't happen (`storage.touchpoints.
        unnote_contact` then gives the partner back its latest other contact). Idempotent, and
        after downtime it catches up on `PASSED_PLANS_LOOKBACK`. Returns how many it noted."""
        since = now - PASSED_PLANS_LOOKBACK
        noted = 0
        with Session(self.engine) as session:
            teams = store.teams_with_passed_plans(session=session, since=since, until=now)
            for team_id in teams:
                for plan in store.passed_plans(
                    session=session, team_id=team_id, since=since, until=now
                ):
                    store.note_contact(
                        session=session,
                        team_id=team_id,
                        partner_id=plan.partner_id,
                        at=plan.at,
                        by=plan.author_id,
                        day_only=plan.day_only,
                    )
                    noted += 1
            session.commit()
        return noted

    def next_plan_due(self, *, after: datetime) -> datetime | None:
        """When the next plan still on comes to its moment, after `after` (for the sandbox:
        `PlannerJob.next_due`)."""
        with Session(self.engine) as session:
            return store.next_plan_after(session=session, after=after)

    def _mark_lapsed(
        self, session: Session, team_id: str, facts: PartnerFacts, touch: Touch, *, now: datetime
    ) -> None:
        """Edit the question the asked person was sent: its deadline has passed and the asker
        was told they may go ahead. The buttons stay: a late answer still reaches the asker."""
        if touch.asked is None:
            return
        question = _question_key(session, team_id, touch.id, touch.asked)
        note = OwnerNote(
            partner=facts,
            touch=touch,
            recipient=touch.asked,
            clashes=_clashes_found_by(session, team_id, touch),
            tz=person_zone(session, team_id=team_id, user_id=touch.asked),
            recorded_at=touch.at,
        )
        _queue(
            session,
            team_id,
            now,
            self.renderer.intent_ask(note),
            lapsed_key(question),
            kind=INTENT_LAPSED,
            user=touch.asked,
            edit=question,
        )

    def _tell_asker(
        self,
        session: Session,
        team_id: str,
        facts: PartnerFacts,
        touch: Touch,
        *,
        late: bool,
        now: datetime,
        reopening: Reopening | None = None,
        to: str | None = None,
    ) -> None:
        """Queue the answer for the intent's asker, or `to` a colleague going along with it."""
        assert touch.answer is not None
        recipient = to or touch.author_id
        tz = person_zone(session, team_id=team_id, user_id=recipient)
        note = AskerNote(
            partner=facts,
            touch=touch,
            late=late,
            tz=tz,
            reopening=reopening,
            going_along=to is not None,
        )
        _queue(
            session,
            team_id,
            now,
            self.renderer.asker_note(note),
            intent_answer_key(touch.id, touch.answer, to=to),
            kind=INTENT_ANSWER,
            user=recipient,
        )

    def _tell_going_along(
        self,
        session: Session,
        team_id: str,
        facts: PartnerFacts,
        touch: Touch,
        *,
        now: datetime,
        lapsed: bool = False,
    ) -> None:
        """The colleagues an intent names (`intend Acme with @dan : …`) were to go along: the
        answer is theirs to hear too (the owner's, or that nobody answered in time, or that the
        partnership ended), each once, not the asker (told already) nor whoever answered or
        ended it, nor whoever was asked (their question says so). `lapsed`: the intent had
        lapsed before this answer: as for its asker, a "you may go ahead" still waiting for a
        colleague's working hours goes unsaid, and one sent already makes this a late
        answer."""
        quiet = {touch.author_id, touch.answered_by}
        if touch.answer in (IntentAnswer.LAPSED, IntentAnswer.ENDED):
            quiet.add(touch.asked)
        for colleague in dict.fromkeys(touch.participants):
            if colleague in quiet:
                continue
            late = lapsed and not outbox_store.cancel_unsent(
                session=session,
                team_id=team_id,
                dedupe_key=intent_answer_key(touch.id, IntentAnswer.LAPSED, to=colleague),
            )
            self._tell_asker(session, team_id, facts, touch, late=late, now=now, to=colleague)

    # --- The partner picker ----------------------------------------------------------------------

    def suggest(self, *, team_id: str, query: str, limit: int) -> Suggestions:
        """Partners for a type-ahead, each once: (id, name, the name or alias that matched).
        The partner whose name or alias it is comes first; then names and aliases that start
        with `query` (or have a word that does), in alphabetical order; then the partners a
        line naming `query` would be offered ("Did you mean": typos, short forms, through any
        alias; `PartnerNames.candidates`), best first. And what was typed, when no partner
        has it as its name or an alias (it could be registered)."""
        typed = clean_name(query)
        key = normalize_name(typed)
        if not key:  # no letters or digits: nothing to find, nor to register
            return Suggestions(partners=[], unregistered=None)
        found: dict[int, tuple[int, str, str]] = {}
        with Session(self.engine) as session:
            exact = partner_store.partner_with_key(
                session=session, team_id=team_id, key=key[:MAX_NAME_LENGTH]
            )
            for partner_id, name, label in store.partners_named_like(
                session=session, team_id=team_id, key=key, limit=limit * 2
            ):
                # Its name rather than an alias, when both match.
                if partner_id not in found or label == name:
                    found[partner_id] = (partner_id, name, label)
            if exact is not None:
                exact_id = _id(exact)
                first = found.pop(exact_id, (exact_id, exact.name, exact.name))
                found = {exact_id: first, **found}
            matches = self.registry.names.candidates(
                session, team_id=team_id, query=typed, limit=limit
            )
            near = partner_store.get_partners(
                session=session,
                team_id=team_id,
                partner_ids=[m.partner_id for m in matches if m.partner_id not in found],
            )
        for match in matches:
            partner = near.get(match.partner_id)
            if partner is not None and match.partner_id not in found:
                found[match.partner_id] = (match.partner_id, partner.name, match.label)
        return Suggestions(
            partners=list(found.values())[:limit], unregistered=None if exact else typed
        )

    # --- Internals -----------------------------------------------------------------------------

    def _when(self, new: NewTouchpoint, tz: ZoneInfo, *, now: datetime) -> When | None:
        if new.day_text is not None:
            try:
                ahead = new.kind is TouchpointKind.PLANNED
                # A plan takes no day past: its examples look ahead too.
                examples = AHEAD_EXAMPLES if ahead else EXAMPLES
                return parse_when(new.day_text, now=now, tz=tz, ahead=ahead, examples=examples)
            except DateError as error:
                raise BadTouchpoint(
                    Problem.UNREADABLE_DATE, detail=str(error), typed=new.day_text
                ) from None
        if new.day is not None:
            return When(new.day, None, tz)
        return None

    def _contacts(
        self, session: Session, partner: PartnerAtHand, typed: Sequence[str], now: datetime
    ) -> list[tuple[int, str]]:
        """The partner's people `typed` names, added to the partner's contacts when new and
        back on them when removed; (id, name) of each, once each, in the order named. A person
        is found as `contact add` finds them: by email, else by name (ignoring case, accents
        and titles: `bot.naming.person_key`) where one of the two has no email, the address
        typed then given to the contact that lacked it (two emails that differ are two
        people). A first name alone, without an email, is the one contact on the list whose
        name it begins (`Jane` for Jane Doe); when it begins two or more, BadTouchpoint asks
        which (WHICH_CONTACT). Someone first named by their address alone, and so known by its
        first part (`jane.doe`), goes by the name a line gives them later (`Jane Doe`)."""
        people = contact_people(typed)
        if not people:
            return []
        by_email: dict[str, tuple[int, str]] = {}
        by_name: dict[str, tuple[int, str]] = {}
        # Those without an email yet, by name: `Jane Doe <jane@…>` is the Jane Doe met before.
        unmailed: dict[str, Contact] = {}
        removed: dict[int, Contact] = {}
        untitled: dict[int, Contact] = {}
        # Those named after their address (`with jane.doe@acme.org` alone), by id: the name a
        # line gives them later (`with Jane Doe`, the same person) is the one they go by then.
        unnamed: dict[int, Contact] = {}
        # Those on the list by the first word of their names, for a first name typed alone.
        by_first: dict[str, list[tuple[int, str, str | None]]] = {}
        for contact in partner_store.contacts_of(
            session=session, team_id=partner.team_id, partner_id=partner.id, removed=True
        ):
            assert contact.id is not None
            if contact.removed_at is not None:
                removed[contact.id] = contact
            else:
                _add_first_name(by_first, (contact.id, contact.name, contact.title))
            if contact.email is not None:
                by_email.setdefault(contact.email, (contact.id, contact.name))
            else:
                unmailed.setdefault(person_key(contact.name), contact)
            by_name.setdefault(person_key(contact.name), (contact.id, contact.name))
            if contact.title is None:
                untitled[contact.id] = contact
            if contact.email is not None and contact.name == _address_name(contact.email):
                unnamed[contact.id] = contact
        found: dict[int, str] = {}
        for typed_name, email in people:
            # `Jane Doe, CEO` is Jane Doe, titled CEO: met before as Jane Doe, the same person.
            name, title = split_title(typed_name)
            known = by_email.get(email) if email is not None else by_name.get(person_key(name))
            if known is None and email is None and " " not in person_key(name):
                alike = by_first.get(person_key(name), [])
                known = _by_first_name(alike, typed=name, partner=partner.name)
            if known is None and email is not None:
                lacking = unmailed.pop(person_key(name), None)
                if lacking is not None:
                    assert lacking.id is not None
                    lacking.email = email
                    session.add(lacking)
                    known = by_email[email] = (lacking.id, lacking.name)
            if known is None:
                contact_id = store.insert_contact(
                    session=session,
                    team_id=partner.team_id,
                    partner_id=partner.id,
                    name=name,
                    email=email,
                    title=title,
                    at=now,
                )
                known = (contact_id, name)
                _add_first_name(by_first, (contact_id, name, title))
                # Named twice in one line (`Jane Doe and jane doe`): one person.
                if email is not None:
                    by_email[email] = known
                by_name.setdefault(person_key(name), known)
            else:
                if title is not None and (lacking := untitled.pop(known[0], None)) is not None:
                    lacking.title = title  # a role first typed now: kept as `contact add` keeps it
                    session.add(lacking)
                stand_in = unnamed.get(known[0])
                if stand_in is not None and name not in (stand_in.name, _address_name(email)):
                    del unnamed[known[0]]
                    stand_in.name = name  # `Jane Doe` for the `jane.doe` of her address
                    session.add(stand_in)
                    # Written now: the collision check reads names past the session's objects.
                    session.flush()
                    known = (known[0], name)
            found.setdefault(*known)
        for contact_id in found.keys() & removed.keys():
            removed[contact_id].removed_at = None
            session.add(removed[contact_id])
        return list(found.items())


def _add_first_name(
    by_first: dict[str, list[tuple[int, str, str | None]]], contact: tuple[int, str, str | None]
) -> None:
    """File a contact (id, name, title) under the first word of a name of two words or more."""
    first, space, _ = person_key(contact[1]).partition(" ")
    if space:
        by_first.setdefault(first, []).append(contact)


def _by_first_name(
    alike: Sequence[tuple[int, str, str | None]], *, typed: str, partner: str
) -> tuple[int, str] | None:
    """The one contact (id, name, title) among those whose names begin with the first name
    `typed` alone, as (id, name); None when there is none. Raises BadTouchpoint
    (WHICH_CONTACT, `detail`: the `partner`'s name) when there are two or more."""
    if len(alike) > 1:
        choices = [(name, title) for _, name, title in alike]
        raise BadTouchpoint(Problem.WHICH_CONTACT, detail=partner, typed=typed, choices=choices)
    return (alike[0][0], alike[0][1]) if alike else None


def _address_name(email: str | None) -> str | None:
    """The name a person named by their address alone goes by (as `contact_people` names
    them)."""
    return None if email is None else email.split("@", 1)[0]


def _shared(other: TouchpointRow, contact_ids: frozenset[int]) -> tuple[str, ...]:
    """The names of `other`'s people at the partner who are among `contact_ids`."""
    return tuple(
        name
        for contact_id, name in zip(other.contact_ids, other.contact_names, strict=True)
        if contact_id in contact_ids
    )


_AROUND_ADDRESS = "<>()[],;"


def contact_people(typed: Sequence[str]) -> list[tuple[str, str | None]]:
    """The (name, email) of each person at the partner as typed: `Jane Doe`, `jane@partner.org`
    (named after the address then), or both, `Jane Doe <jane@partner.org>`; blanks are skipped.
    Raises BadName (too long) or BadValue (not an email address)."""
    people = []
    for one in typed:
        text = clean_name(one)
        if not text:
            continue
        words = text.split()
        address = next((word for word in reversed(words) if "@" in word), None)
        email = None
        name = text
        if address is not None:
            email = email_address(address.strip(_AROUND_ADDRESS))
            others = words[: words.index(address)] + words[words.index(address) + 1 :]
            # Slack sends `Jane Doe <jane@…>` as `Jane Doe &lt;<mailto:…>&gt;`: the brackets
            # around the address arrive as words of their own, and are no part of the name.
            others = [word for word in others if word.strip(_AROUND_ADDRESS)]
            name = " ".join(others).strip(" -–,:") or email.split("@", 1)[0]  # _address_name
        if len(name) > MAX_NAME_LENGTH:
            raise BadName(name, NameProblem.TOO_LONG)
        people.append((name, email))
    return people


def reopening_of(session: Session, actor: Actor, facts: PartnerFacts, now: datetime) -> Reopening:
    """Whether `actor` may reopen the ended partner (`Registry._require_editor`'s rule), from
    what Liaison knows: Slack is not asked for a hint (an admin it cannot tell of yet is
    pointed at the owner, whom they may pass over)."""
    may = actor.user_id in facts.editors or (
        people.admin_status(
            session, team_id=actor.team_id, user_id=actor.user_id, now=now, check=actor.check
        )
        is True
    )
    admins = () if may else tuple(people.known_admins(session, team_id=actor.team_id))
    return Reopening(may=may, owner_id=facts.owner_id, deputy_id=facts.deputy_id, admins=admins)


def _queue(
    session: Session,
    team_id: str,
    now: datetime,
    message: Message,
    key: str,
    *,
    kind: str,
    user: str | None = None,
    schedule: Schedule | None = None,
    channel: str | None = None,
    thread: str | None = None,
    edit: str | None = None,
    at_once: bool = False,
) -> bool:
    """Queue a message due `now` in the caller's transaction; True if new. A DM waits for the
    person's working hours (their `schedule`, when the caller has it) unless `at_once` (the
    answer to what they just did); a channel message goes at once, and so does an `edit` of a
    message sent before (it notifies nobody)."""
    return enqueue(
        session,
        team_id=team_id,
        kind=kind,
        recipient_user=user,
        recipient_channel=channel,
        text=message.text,
        blocks=message.blocks,
        due_at=now,
        dedupe_key=key,
        thread_of_dedupe_key=thread,
        edit_of_dedupe_key=edit,
        respect_working_hours=user is not None and edit is None and not at_once,
        schedule=schedule,
        now=now,
    )


def _facts(partner: PartnerAtHand) -> PartnerFacts:
    return PartnerFacts(
        id=partner.id,
        name=partner.name,
        status=partner.status,
        owner_id=partner.holder(TeamRole.OWNER),
        deputy_id=partner.holder(TeamRole.DEPUTY),
        website_domain=partner.website_domain,
        channel_id=partner.channel_id,
        last_contact_at=partner.last_contact_at,
    )


def _id(partner: Partner) -> int:
    assert partner.id is not None, "partner was not flushed"
    return partner.id


def _clashes_found_by(session: Session, team_id: str, touch: Touch) -> list[Clash]:
    """The collisions recording `touch` found, as its answer listed them (nearest first): to
    answer a retried request, or to word its question again."""
    found = dict(store.collisions_found_by(session=session, team_id=team_id, later_id=touch.id))
    others = store.touchpoints_by_id(session=session, team_id=team_id, ids=list(found))
    return sorted(
        (Clash(other=Touch.of(row), same_contact=found[row.id]) for row in others),
        key=lambda clash: (abs(clash.other.at - touch.at), clash.other.id),
    )


def _planned_ahead(
    session: Session,
    team_id: str,
    partner_id: int,
    *,
    now: datetime,
    tz: ZoneInfo,
    limit: int = BRIEFING_PLANNED,
) -> list[Touch]:
    """The partner's plans still ahead of a reader in `tz` (`has_passed`): a day-only plan until
    its day is over, the day being its stored moment's UTC date (`contact_day`); not those
    their authors said didn't happen."""
    rows = store.touchpoints_of(
        session=session,
        team_id=team_id,
        partner_id=partner_id,
        kinds=[TouchpointKind.PLANNED],
        start=now,
        day_only_start=datetime.combine(now.astimezone(tz).date(), time(0), UTC),
        live_only=True,
        limit=limit,
    )
    return [Touch.of(row) for row in rows]


def _cover_at_deadline(
    session: Session, team_id: str, facts: PartnerFacts, touch: Touch
) -> str | None:
    """Whoever an intent's question goes to at its deadline, when the owner asked is away by
    then and someone covers for them (`Touchpoints._until_covered`, `_hand_to_cover`)."""
    owner, deadline = facts.owner_id, touch.deadline
    if owner is None or touch.asked != owner or deadline is None:
        return None
    if not is_away(session, team_id=team_id, user_id=owner, at=deadline):
        return None
    cover = recipient_for_owner_alert(
        session, team_id=team_id, owner_id=owner, partner_deputy_id=facts.deputy_id, now=deadline
    )
    return None if cover == owner or cover in touch.colleagues else cover


def _away_end(back_at: datetime | None, tz: ZoneInfo) -> datetime | None:
    """The end of an absence ending at `back_at`, in the person's zone: people are told its
    last day, or its time when it ends within a day."""
    return None if back_at is None else back_at.astimezone(tz)
