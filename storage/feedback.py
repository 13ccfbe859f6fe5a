"""Queries on feedback: check-ins after meetings, pulse-survey rounds and their anonymous answers.

Every function takes the workspace's `team_id` and touches only that workspace's rows; the
`teams_*` functions are how the planners, which serve every workspace, find the workspaces
with work to do. Writers flush but never commit: the caller's transaction decides.

Anonymity lives here as much as in the services: survey scores are read back only as
aggregates (counts and sums per question), or as the one score of a respondent token the caller
already holds (to show a person their own answer). No function returns a person with a score.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from storage.models import (
    CHECKIN_KINDS_SQL,
    CHECKIN_TO_FOLLOW,
    PROBLEM_ALERT_KIND_SQL,
    CheckIn,
    CheckInAnswer,
    CheckInReply,
    CheckInStatus,
    OutboxMessage,
    OutboxStatus,
    Partner,
    PartnerStatus,
    SlackEventReceipt,
    SurveyAnswer,
    SurveyComment,
    SurveyDelivery,
    SurveyMessage,
    SurveyRound,
    Touchpoint,
    TouchpointKind,
    TouchpointParticipant,
)
from storage.sql import Driver, Sql, rowcount, utc
from storage.upsert import table_of

# Touchpoints a check-in asks about.
ASKED_MEDIA = ("meeting", "call", "event")
# Spelled as in the partial indexes' WHERE, so both databases can use them.
_TO_FOLLOW = sa.text(f"({CHECKIN_TO_FOLLOW})")
_UNREADY = sa.text("NOT survey_message.reactions_added")
# A survey message and the outbox row that sends it.
_QUEUED_AS = sa.and_(
    col(OutboxMessage.team_id) == col(SurveyMessage.team_id),
    col(OutboxMessage.dedupe_key) == col(SurveyMessage.dedupe_key),
)


def _insert_or_skip(
    session: Session,
    model: type[SQLModel],
    values: Mapping[str, Any],
    *,
    key: Sequence[str],
    returning: str,
) -> Any:
    """INSERT … ON CONFLICT (key) DO NOTHING; the new row's `returning` column, or None.

    Never raises on a duplicate, so it cannot abort the caller's transaction on PostgreSQL:
    planners on several replicas may derive the same row at once.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = table_of(model)
    statement = (
        insert(table)
        .values(dict(values))
        .on_conflict_do_nothing(index_elements=list(key))
        .returning(table.c[returning])
    )
    row = session.execute(statement).first()
    return None if row is None else row[0]


def insert_new(
    session: Session, model: type[SQLModel], values: Mapping[str, Any], *, key: Sequence[str]
) -> int | None:
    """Add a row unless one with the same `key` exists; the new row's id, or None."""
    new_id = _insert_or_skip(session, model, values, key=key, returning="id")
    return None if new_id is None else int(new_id)


# --- Which workspaces have work -----------------------------------------------------------------


def teams_with_touchpoints_since(*, session: Session, since: datetime) -> list[str]:
    """Workspaces with a meeting, call or event at or after `since` (check-ins to derive)."""
    statement = (
        select(Touchpoint.team_id)
        .where(Touchpoint.at >= since, col(Touchpoint.medium).in_(ASKED_MEDIA))
        .distinct()
    )
    return sorted(session.exec(statement))


def teams_with_open_checkins(*, session: Session, reminder_kind: str) -> list[str]:
    """Workspaces with a check-in still open, a Problem whose alert is still to queue, or a
    check-in reminder (of `reminder_kind`) waiting to go, which its check-in may have closed
    while a dispatcher was sending it."""
    statement = select(CheckIn.team_id).where(_TO_FOLLOW).distinct()
    reminding = (
        select(OutboxMessage.team_id)
        .where(OutboxMessage.kind == reminder_kind, OutboxMessage.status == OutboxStatus.PENDING)
        .distinct()
    )
    return sorted(set(session.exec(statement)) | set(session.exec(reminding)))


def teams_with_active_partners(*, session: Session) -> list[str]:
    """Workspaces with at least one active partner (pulse surveys to schedule)."""
    statement = select(Partner.team_id).where(Partner.status == PartnerStatus.ACTIVE).distinct()
    return sorted(session.exec(statement))


def teams_with_open_rounds(*, session: Session) -> list[str]:
    """Workspaces with a survey round not closed yet."""
    statement = select(SurveyRound.team_id).where(col(SurveyRound.closed_at).is_(None)).distinct()
    return sorted(session.exec(statement))


def teams_with_unready_messages(*, session: Session) -> list[str]:
    """Workspaces with survey messages whose reactions the bot has not added yet."""
    statement = select(SurveyMessage.team_id).where(_UNREADY).distinct()
    return sorted(session.exec(statement))


# --- Check-ins ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AskedTouchpoint:
    """A meeting, call or event that needs check-ins, with everyone who took part."""

    id: int
    partner_id: int
    kind: str
    medium: str
    at: datetime
    # Recorded without a time of day (it sits at noon of its day, `storage.touchpoints`).
    day_only: bool
    created_at: datetime
    author_id: str
    participants: tuple[str, ...]

    @property
    def colleagues(self) -> list[str]:
        """The author, then the participants, each once."""
        return list(dict.fromkeys([self.author_id, *self.participants]))

    @property
    def planned(self) -> bool:
        return self.kind == TouchpointKind.PLANNED


def touchpoints_without_checkins(
    *, session: Session, team_id: str, since: datetime, until: datetime
) -> list[AskedTouchpoint]:
    """Meetings, calls and events that happened (or were planned) between `since` and `until`
    and have no check-ins yet; not a plan called off before its time came (its partner ended:
    reopened, the partner does not bring it back)."""
    asked = select(CheckIn.id).where(
        CheckIn.team_id == team_id,
        CheckIn.touchpoint_id == Touchpoint.id,
        CheckIn.occurrence == 0,
    )
    statement = (
        select(Touchpoint)
        .where(
            Touchpoint.team_id == team_id,
            col(Touchpoint.kind).in_([TouchpointKind.DONE, TouchpointKind.PLANNED]),
            col(Touchpoint.medium).in_(ASKED_MEDIA),
            Touchpoint.at >= since,
            Touchpoint.at <= until,
            col(Touchpoint.cancelled_at).is_(None),
            ~asked.exists(),
        )
        .order_by(col(Touchpoint.at), col(Touchpoint.id))
    )
    return _with_participants(session, team_id, statement)


def meetings_logged(
    *, session: Session, team_id: str, start: datetime, end: datetime
) -> list[AskedTouchpoint]:
    """Meetings, calls and events logged as done between `start` and `end` (when recorded),
    oldest first, with who took part: for the weekly digest to count each meeting once."""
    statement = (
        select(Touchpoint)
        .where(
            Touchpoint.team_id == team_id,
            Touchpoint.kind == TouchpointKind.DONE,
            col(Touchpoint.medium).in_(ASKED_MEDIA),
            Touchpoint.created_at >= start,
            Touchpoint.created_at < end,
        )
        .order_by(col(Touchpoint.created_at), col(Touchpoint.id))
    )
    return _with_participants(session, team_id, statement)


def meetings_planned(
    *, session: Session, team_id: str, start: datetime, end: datetime
) -> list[AskedTouchpoint]:
    """Meetings, calls and events planned for between `start` and `end` (their moment), not
    said not to have happened, oldest first, with who took part: for the weekly digest to count
    one also logged once."""
    statement = (
        select(Touchpoint)
        .where(
            Touchpoint.team_id == team_id,
            Touchpoint.kind == TouchpointKind.PLANNED,
            col(Touchpoint.medium).in_(ASKED_MEDIA),
            col(Touchpoint.cancelled_at).is_(None),
            Touchpoint.at >= start,
            Touchpoint.at < end,
        )
        .order_by(col(Touchpoint.at), col(Touchpoint.id))
    )
    return _with_participants(session, team_id, statement)


def recorded_by(
    *,
    session: Session,
    team_id: str,
    author_id: str,
    partner_id: int,
    start: datetime,
    end: datetime,
) -> list[AskedTouchpoint]:
    """`author_id`'s meetings, calls and events with the partner, logged or planned (and not
    said not to have happened), whose moment is between `start` and `end`, with who took part."""
    statement = (
        select(Touchpoint)
        .where(
            Touchpoint.team_id == team_id,
            Touchpoint.partner_id == partner_id,
            Touchpoint.author_id == author_id,
            col(Touchpoint.kind).in_([TouchpointKind.DONE, TouchpointKind.PLANNED]),
            col(Touchpoint.medium).in_(ASKED_MEDIA),
            col(Touchpoint.cancelled_at).is_(None),
            Touchpoint.at >= start,
            Touchpoint.at < end,
        )
        .order_by(col(Touchpoint.at), col(Touchpoint.id))
    )
    return _with_participants(session, team_id, statement)


def _with_participants(
    session: Session, team_id: str, statement: SelectOfScalar[Touchpoint]
) -> list[AskedTouchpoint]:
    """The touchpoints `statement` selects, each with its participants (one more query)."""
    touchpoints = list(session.exec(statement))
    participants = participants_of(
        session=session, team_id=team_id, touchpoint_ids=[t.id for t in touchpoints if t.id]
    )
    return [
        _asked(touchpoint, participants.get(touchpoint.id or 0, ())) for touchpoint in touchpoints
    ]


def _asked(touchpoint: Touchpoint, participants: Sequence[str]) -> AskedTouchpoint:
    assert touchpoint.id is not None
    return AskedTouchpoint(
        id=touchpoint.id,
        partner_id=touchpoint.partner_id,
        kind=touchpoint.kind,
        medium=touchpoint.medium or "meeting",
        at=touchpoint.at,
        day_only=touchpoint.day_only,
        created_at=touchpoint.created_at,
        author_id=touchpoint.author_id,
        participants=tuple(participants),
    )


def participants_of(
    *, session: Session, team_id: str, touchpoint_ids: Collection[int]
) -> dict[int, list[str]]:
    """The colleagues who took part in each touchpoint besides its author."""
    if not touchpoint_ids:
        return {}
    statement = (
        select(TouchpointParticipant.touchpoint_id, TouchpointParticipant.user_id)
        .join(Touchpoint, col(Touchpoint.id) == col(TouchpointParticipant.touchpoint_id))
        .where(
            Touchpoint.team_id == team_id,
            col(TouchpointParticipant.touchpoint_id).in_(set(touchpoint_ids)),
        )
        .order_by(col(TouchpointParticipant.user_id))
    )
    found: dict[int, list[str]] = {}
    for touchpoint_id, user_id in session.exec(statement):
        found.setdefault(touchpoint_id, []).append(user_id)
    return found


def get_touchpoint(*, session: Session, team_id: str, touchpoint_id: int) -> AskedTouchpoint | None:
    """One touchpoint of the workspace, with its participants."""
    touchpoint = session.get(Touchpoint, touchpoint_id)
    if touchpoint is None or touchpoint.team_id != team_id:
        return None
    participants = participants_of(session=session, team_id=team_id, touchpoint_ids=[touchpoint_id])
    return _asked(touchpoint, participants.get(touchpoint_id, ()))


def get_touchpoints(
    *, session: Session, team_id: str, touchpoint_ids: Collection[int]
) -> dict[int, AskedTouchpoint]:
    """The workspace's touchpoints among `touchpoint_ids`, with their participants, by id
    (unknown ids are left out): two queries however many."""
    if not touchpoint_ids:
        return {}
    statement = select(Touchpoint).where(
        Touchpoint.team_id == team_id, col(Touchpoint.id).in_(set(touchpoint_ids))
    )
    return {
        touchpoint.id: touchpoint for touchpoint in _with_participants(session, team_id, statement)
    }


class MadeMeeting(StrEnum):
    """What "It was a meeting" did to a contact."""

    MADE = "made"
    ALREADY = "already"  # a meeting already (a second click)
    OTHER_MEDIUM = "other_medium"  # logged as a call, an email or an event since
    NOT_PART = "not_part"  # the clicker is neither its author nor took part in it
    GONE = "gone"  # no longer a contact of the workspace (deleted, or not one that happened)


def make_meeting(
    *, session: Session, team_id: str, touchpoint_id: int, user_id: str
) -> MadeMeeting:
    """Make a contact logged without a medium a meeting, if `user_id` took part in it (its
    author or a participant); MADE when it changed, else why not."""
    touchpoint = session.get(Touchpoint, touchpoint_id)
    if (
        touchpoint is None
        or touchpoint.team_id != team_id
        or touchpoint.kind != TouchpointKind.DONE
    ):
        return MadeMeeting.GONE
    took_part = user_id == touchpoint.author_id or user_id in participants_of(
        session=session, team_id=team_id, touchpoint_ids=[touchpoint_id]
    ).get(touchpoint_id, [])
    if not took_part:
        return MadeMeeting.NOT_PART
    if touchpoint.medium == "meeting":
        return MadeMeeting.ALREADY
    if touchpoint.medium is not None:
        return MadeMeeting.OTHER_MEDIUM
    touchpoint.medium = "meeting"
    session.add(touchpoint)
    return MadeMeeting.MADE


def insert_checkin(
    *,
    session: Session,
    team_id: str,
    touchpoint_id: int,
    user_id: str,
    occurrence: int,
    planned: bool,
    meeting_at: datetime,
    due_at: datetime,
    now: datetime,
    status: CheckInStatus = CheckInStatus.OPEN,
) -> int | None:
    """Add a check-in unless this person was asked about this occurrence already; its id.

    One added in another `status` than open (superseded: never to be asked) is closed at once.
    """
    return insert_new(
        session,
        CheckIn,
        {
            "team_id": team_id,
            "touchpoint_id": touchpoint_id,
            "user_id": user_id,
            "occurrence": occurrence,
            "planned": planned,
            "meeting_at": meeting_at,
            "due_at": due_at,
            "status": status,
            "version": 0,
            "closed_at": None if status == CheckInStatus.OPEN else now,
            "created_at": now,
        },
        key=("touchpoint_id", "user_id", "occurrence"),
    )


def get_checkin(
    *, session: Session, team_id: str, checkin_id: int, for_update: bool = False
) -> CheckIn | None:
    """One check-in of the workspace; `for_update` locks it for an answer and reads it afresh.

    Answers, notes and replies read the check-in, then write it from what they read (a reply in
    its thread adds a line to the note): two at once would both read the old row, and the second
    write would undo the first. PostgreSQL locks the row. SQLite has no row locks, and its
    driver starts a transaction only at the first write: a write that changes nothing takes its
    one write lock now, before the read, so the second waits and reads what the first
    committed."""
    statement = select(CheckIn).where(CheckIn.team_id == team_id, CheckIn.id == checkin_id)
    if for_update:
        if session.get_bind().dialect.name == "sqlite":
            table = table_of(CheckIn)
            session.execute(
                sa.update(table)
                .where(table.c.team_id == team_id, table.c.id == checkin_id)
                .values(id=table.c.id)
            )
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return session.exec(statement).first()


@dataclass(frozen=True)
class PersonsCheckIn:
    """A check-in a person has about one of a partner's meetings, whether that meeting was
    recorded without a time of day, who recorded it, as what (meeting, call, event), and who
    else took part."""

    checkin: CheckIn
    day_only: bool
    author_id: str
    medium: str
    participants: tuple[str, ...] = ()

    @property
    def colleagues(self) -> tuple[str, ...]:
        """The author and the participants."""
        return (self.author_id, *self.participants)

    @property
    def planned(self) -> bool:
        return self.checkin.planned


def checkins_about_partner(
    *,
    session: Session,
    team_id: str,
    user_id: str,
    partner_id: int,
    start: datetime,
    end: datetime,
) -> list[PersonsCheckIn]:
    """The person's check-ins (superseded ones aside) about the partner's meetings held between
    `start` and `end`, oldest first, with who took part in each meeting.

    Read through the partner's touchpoints (`ix_touchpoint_partner_time`) and the check-ins'
    unique (touchpoint, user, occurrence) index, never a scan of all check-ins.
    """
    statement = (
        select(CheckIn, Touchpoint.day_only, Touchpoint.author_id, Touchpoint.medium)
        .join(Touchpoint, col(Touchpoint.id) == col(CheckIn.touchpoint_id))
        .where(
            Touchpoint.team_id == team_id,
            Touchpoint.partner_id == partner_id,
            CheckIn.team_id == team_id,
            CheckIn.user_id == user_id,
            CheckIn.status != CheckInStatus.SUPERSEDED,
            CheckIn.meeting_at >= start,
            CheckIn.meeting_at <= end,
        )
        .order_by(col(CheckIn.id))
    )
    found = list(session.exec(statement))
    participants = participants_of(
        session=session, team_id=team_id, touchpoint_ids={row[0].touchpoint_id for row in found}
    )
    return [
        PersonsCheckIn(
            checkin=checkin,
            day_only=bool(day_only),
            author_id=author_id,
            medium=medium or "meeting",
            participants=tuple(participants.get(checkin.touchpoint_id, ())),
        )
        for checkin, day_only, author_id, medium in found
    ]


def checkins_of_touchpoint(*, session: Session, team_id: str, touchpoint_id: int) -> list[CheckIn]:
    """Every check-in about one touchpoint (each person, each occurrence), locked (PostgreSQL)
    and read afresh: a meeting moved closes some of them."""
    statement = (
        select(CheckIn)
        .where(CheckIn.team_id == team_id, CheckIn.touchpoint_id == touchpoint_id)
        .order_by(col(CheckIn.id))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(session.exec(statement))


def open_checkins(*, session: Session, team_id: str) -> list[CheckIn]:
    """Check-ins asked (or to be asked) and not answered yet, oldest first."""
    statement = (
        select(CheckIn)
        .where(CheckIn.team_id == team_id, _TO_FOLLOW, CheckIn.status == CheckInStatus.OPEN)
        .order_by(col(CheckIn.id))
    )
    return list(session.exec(statement))


def open_checkins_about(
    *, session: Session, team_id: str, partner_ids: Collection[int]
) -> list[CheckIn]:
    """The check-ins asked (or to be asked) and not answered yet about meetings with the
    partners of `partner_ids`, oldest first."""
    if not partner_ids:
        return []
    statement = (
        select(CheckIn)
        .join(Touchpoint, col(Touchpoint.id) == CheckIn.touchpoint_id)
        .where(
            CheckIn.team_id == team_id,
            _TO_FOLLOW,
            CheckIn.status == CheckInStatus.OPEN,
            Touchpoint.team_id == team_id,
            col(Touchpoint.partner_id).in_(set(partner_ids)),
        )
        .order_by(col(CheckIn.id))
    )
    return list(session.exec(statement))


def problems_to_alert(
    *, session: Session, team_id: str, answered_before: datetime
) -> list[CheckIn]:
    """Problems answered (or last changed) before `answered_before` whose owner has not been
    alerted yet."""
    statement = (
        select(CheckIn)
        .where(
            CheckIn.team_id == team_id,
            _TO_FOLLOW,
            CheckIn.answer == CheckInAnswer.PROBLEM,
            col(CheckIn.problem_alerted_at).is_(None),
            col(CheckIn.changed_at) <= answered_before,
        )
        .order_by(col(CheckIn.id))
    )
    return list(session.exec(statement))


def teams_first_problem_to_alert(*, session: Session) -> datetime | None:
    """Across workspaces: when the earliest Problem whose owner has not been alerted yet was
    answered (or last changed); None when there is none."""
    statement = select(func.min(CheckIn.changed_at)).where(
        _TO_FOLLOW,
        CheckIn.answer == CheckInAnswer.PROBLEM,
        col(CheckIn.problem_alerted_at).is_(None),
    )
    found = session.exec(statement).one()
    return None if found is None else utc(found)


def checkin_answer_counts(
    *, session: Session, team_id: str, partner_id: int, since: datetime
) -> dict[str, int]:
    """How many check-ins about the partner's meetings since `since` got each answer."""
    statement = (
        select(CheckIn.answer, func.count())
        .join(Touchpoint, col(Touchpoint.id) == col(CheckIn.touchpoint_id))
        .where(
            CheckIn.team_id == team_id,
            Touchpoint.partner_id == partner_id,
            CheckIn.meeting_at >= since,
            col(CheckIn.answer).is_not(None),
        )
        .group_by(col(CheckIn.answer))
    )
    return {str(answer): int(count) for answer, count in session.exec(statement)}


def sent_message(*, session: Session, team_id: str, dedupe_key: str) -> OutboxMessage | None:
    """The outbox row queued under `dedupe_key` (its status, and where it went once sent)."""
    statement = select(OutboxMessage).where(
        OutboxMessage.team_id == team_id, OutboxMessage.dedupe_key == dedupe_key
    )
    return session.exec(statement).first()


def latest_debrief_told(
    *, session: Session, team_id: str, user_id: str, key_prefix: str
) -> str | None:
    """The key of the newest debrief reply whose key starts with `key_prefix` that has gone out
    (or is going, or was tried) to `user_id`: the one they read last. Another owner's replies
    about the check-in share the prefix (a handover, a merge) and are not what they read."""
    statement = (
        select(OutboxMessage.dedupe_key)
        .where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.recipient_user == user_id,
            col(OutboxMessage.dedupe_key).startswith(key_prefix, autoescape=True),
            col(OutboxMessage.status).not_in([OutboxStatus.PENDING, OutboxStatus.CANCELLED]),
        )
        .order_by(col(OutboxMessage.id).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def sent_checkin_keys_at(
    *, session: Session, team_id: str, user_id: str, channel: str, ts: str
) -> list[str]:
    """The dedupe keys of the check-in questions and reminders the outbox sent to `user_id` that
    Slack shows at (`channel`, `ts`): what a reply in that message's thread answers.

    The kinds are written out as the partial index `ix_outbox_message_checkin_ts` states them:
    a planner uses a partial index only for a query that says its condition in those words."""
    statement = select(OutboxMessage.dedupe_key).where(
        OutboxMessage.team_id == team_id,
        sa.text(CHECKIN_KINDS_SQL),
        OutboxMessage.sent_ts == ts,
        OutboxMessage.sent_channel == channel,
        OutboxMessage.recipient_user == user_id,
    )
    return list(session.exec(statement))


def sent_problem_key_at(
    *, session: Session, team_id: str, user_id: str, channel: str, ts: str
) -> str | None:
    """The dedupe key of the Problem alert sent to `user_id` that Slack shows at (`channel`,
    `ts`); None when that message is no such alert. The kind is matched as the partial index
    ix_outbox_message_problem_ts states it, so the planner can use it (SQLite proves a partial
    index usable from the statement's own terms, not from a bound value)."""
    statement = select(OutboxMessage.dedupe_key).where(
        OutboxMessage.team_id == team_id,
        sa.text(PROBLEM_ALERT_KIND_SQL),
        OutboxMessage.sent_ts == ts,
        OutboxMessage.sent_channel == channel,
        OutboxMessage.recipient_user == user_id,
    )
    return session.exec(statement).first()


def keep_reply(
    *,
    session: Session,
    team_id: str,
    channel: str,
    ts: str,
    checkin_id: int,
    words: str,
    now: datetime,
) -> None:
    """Remember the words a reply at (`channel`, `ts`) put in the check-in's note (again, after
    an edit)."""
    reply = session.get(CheckInReply, (team_id, channel, ts))
    if reply is None:
        reply = CheckInReply(
            team_id=team_id, channel=channel, ts=ts, checkin_id=checkin_id, words=words, kept_at=now
        )
    reply.words = words
    session.add(reply)
    session.flush()


def kept_reply(*, session: Session, team_id: str, channel: str, ts: str) -> CheckInReply | None:
    """The reply at (`channel`, `ts`) kept in a check-in's note, if one was."""
    return session.get(CheckInReply, (team_id, channel, ts))


def forget_reply(*, session: Session, team_id: str, channel: str, ts: str) -> None:
    """The reply at (`channel`, `ts`) is in no note any more."""
    reply = session.get(CheckInReply, (team_id, channel, ts))
    if reply is not None:
        session.delete(reply)
        session.flush()


def outbox_messages(
    *, session: Session, team_id: str, dedupe_keys: Collection[str]
) -> dict[str, OutboxMessage]:
    """The outbox rows queued under `dedupe_keys` that exist, by dedupe key."""
    if not dedupe_keys:
        return {}
    statement = select(OutboxMessage).where(
        OutboxMessage.team_id == team_id, col(OutboxMessage.dedupe_key).in_(set(dedupe_keys))
    )
    return {message.dedupe_key: message for message in session.exec(statement)}


# --- Survey rounds ------------------------------------------------------------------------------


def active_partners(*, session: Session, team_id: str) -> list[Partner]:
    """The workspace's active partners, by name."""
    statement = (
        select(Partner)
        .where(Partner.team_id == team_id, Partner.status == PartnerStatus.ACTIVE)
        .order_by(col(Partner.normalized_name))
    )
    return list(session.exec(statement))


def insert_round(
    *,
    session: Session,
    team_id: str,
    partner_id: int,
    round_key: str,
    started_by: str | None,
    questions: Sequence[str],
    started_at: datetime,
    remind_at: datetime,
    closes_at: datetime,
    anonymity_threshold: int | None = None,
) -> int | None:
    """Add a round unless one with `round_key` exists; its id."""
    return insert_new(
        session,
        SurveyRound,
        {
            "team_id": team_id,
            "partner_id": partner_id,
            "round_key": round_key,
            "started_by": started_by,
            "questions": list(questions),
            "started_at": started_at,
            "remind_at": remind_at,
            "closes_at": closes_at,
            "anonymity_threshold": anonymity_threshold,
            "invited": 0,
        },
        key=("team_id", "round_key"),
    )


def get_round(*, session: Session, team_id: str, round_id: int) -> SurveyRound | None:
    statement = select(SurveyRound).where(
        SurveyRound.team_id == team_id, SurveyRound.id == round_id
    )
    return session.exec(statement).first()


def open_round(*, session: Session, team_id: str, partner_id: int) -> SurveyRound | None:
    """The partner's round in progress, if any."""
    statement = (
        select(SurveyRound)
        .where(
            SurveyRound.team_id == team_id,
            SurveyRound.partner_id == partner_id,
            col(SurveyRound.closed_at).is_(None),
        )
        .order_by(col(SurveyRound.started_at).desc())
    )
    return session.exec(statement).first()


def open_rounds(*, session: Session, team_id: str) -> list[SurveyRound]:
    """Every round of the workspace not closed yet."""
    statement = (
        select(SurveyRound)
        .where(SurveyRound.team_id == team_id, col(SurveyRound.closed_at).is_(None))
        .order_by(col(SurveyRound.id))
    )
    return list(session.exec(statement))


def latest_round_start(*, session: Session, team_id: str, partner_id: int) -> datetime | None:
    """When the partner's latest round started."""
    statement = select(func.max(SurveyRound.started_at)).where(
        SurveyRound.team_id == team_id, SurveyRound.partner_id == partner_id
    )
    value = session.exec(statement).first()
    if value is None:
        return None
    # An aggregate bypasses the column type: SQLite hands back a naive time (or text).
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# A round that ran its course: closed once its time was up, not cut short when its partner was
# ended (`Surveys.close_for_ended`), which posts no results and counts nowhere.
RAN_ITS_COURSE = col(SurveyRound.closed_at) >= col(SurveyRound.closes_at)


def closed_rounds(
    *, session: Session, team_id: str, partner_id: int, limit: int
) -> list[SurveyRound]:
    """The partner's rounds that closed once their time was up (`RAN_ITS_COURSE`), newest
    first."""
    statement = (
        select(SurveyRound)
        .where(
            SurveyRound.team_id == team_id,
            SurveyRound.partner_id == partner_id,
            col(SurveyRound.closed_at).is_not(None),
            RAN_ITS_COURSE,
        )
        .order_by(col(SurveyRound.closed_at).desc(), col(SurveyRound.id).desc())
        .limit(limit)
    )
    return list(session.exec(statement))


def mark_round_reminded(*, session: Session, team_id: str, round_id: int, at: datetime) -> bool:
    """Record the round's reminder; False when another process recorded it first."""
    statement = (
        sa.update(table_of(SurveyRound))
        .where(
            table_of(SurveyRound).c.team_id == team_id,
            table_of(SurveyRound).c.id == round_id,
            table_of(SurveyRound).c.reminded_at.is_(None),
        )
        .values(reminded_at=at)
    )
    return rowcount(session, statement) == 1


def reopen_reminders(*, session: Session, team_id: str, round_id: int) -> None:
    """Let the round's reminders run again (people joined it after they went); each person
    is still reminded once, by their reminder's key."""
    rounds = table_of(SurveyRound)
    session.execute(
        sa.update(rounds)
        .where(rounds.c.team_id == team_id, rounds.c.id == round_id)
        .values(reminded_at=None)
    )


def close_round(*, session: Session, team_id: str, round_id: int, at: datetime) -> bool:
    """Close the round: count its respondents and the people it reached, and cut every link
    between people and answers.

    The round reached a person when Slack accepted one of its messages to them, or when they
    answered (in the App Home). The others were never asked: their questions waited (they were
    away, or outside their hours) until the round closed, or Slack refused them. They leave the
    `invited` count, which the response rate divides by.

    False when it was closed already (by another process). Afterwards the answers keep only
    round, question and score: the deliveries lose their respondent token and the answers the
    time they were given.
    """
    rounds = table_of(SurveyRound)
    closed = sa.update(rounds).where(
        rounds.c.team_id == team_id, rounds.c.id == round_id, rounds.c.closed_at.is_(None)
    )
    if rowcount(session, closed.values(closed_at=at)) != 1:
        return False
    respondents = respondent_count(session=session, team_id=team_id, round_id=round_id)
    reached = Driver.of(session).scalar(_REACHED, {"team_id": team_id, "round_id": round_id})
    session.execute(
        sa.update(rounds)
        .where(rounds.c.team_id == team_id, rounds.c.id == round_id)
        .values(respondents=respondents, invited=int(reached or 0))
    )
    deliveries = table_of(SurveyDelivery)
    session.execute(
        sa.update(deliveries)
        .where(deliveries.c.team_id == team_id, deliveries.c.round_id == round_id)
        .values(respondent=None)
    )
    answers = table_of(SurveyAnswer)
    session.execute(
        sa.delete(answers).where(
            answers.c.team_id == team_id,
            answers.c.round_id == round_id,
            answers.c.score.is_(None),
        )
    )
    session.execute(
        sa.update(answers)
        .where(answers.c.team_id == team_id, answers.c.round_id == round_id)
        .values(event_ts=None, void_reactions=None)
    )
    return True


# --- Deliveries and their messages --------------------------------------------------------------


def insert_delivery(
    *,
    session: Session,
    team_id: str,
    round_id: int,
    user_id: str,
    reason: str,
    respondent: str,
    now: datetime,
) -> int | None:
    """Ask `user_id` in the round unless they were asked already; the delivery's id."""
    return insert_new(
        session,
        SurveyDelivery,
        {
            "team_id": team_id,
            "round_id": round_id,
            "user_id": user_id,
            "reason": reason,
            "respondent": respondent,
            "created_at": now,
        },
        key=("round_id", "user_id"),
    )


# The deliveries of a round that reached their person: a message sent, or an answer given.
_REACHED = Sql("""
SELECT count(*) FROM survey_delivery AS d
WHERE d.team_id = :team_id AND d.round_id = :round_id
  AND (EXISTS (SELECT 1 FROM survey_message AS m
               JOIN outbox_message AS o ON o.team_id = m.team_id AND o.dedupe_key = m.dedupe_key
               WHERE m.delivery_id = d.id AND o.status = 'sent')
       OR EXISTS (SELECT 1 FROM survey_answer AS a
                  WHERE a.team_id = d.team_id AND a.round_id = d.round_id
                    AND a.respondent = d.respondent AND a.score IS NOT NULL))
""")


def set_invited(*, session: Session, team_id: str, round_id: int) -> int:
    """Record how many people the round asks; returns it."""
    count = session.exec(
        select(func.count()).where(
            SurveyDelivery.team_id == team_id, SurveyDelivery.round_id == round_id
        )
    ).one()
    rounds = table_of(SurveyRound)
    session.execute(
        sa.update(rounds)
        .where(rounds.c.team_id == team_id, rounds.c.id == round_id)
        .values(invited=count)
    )
    return int(count)


def insert_message(
    *, session: Session, team_id: str, delivery_id: int, question: int, dedupe_key: str
) -> int | None:
    """Record a message of a delivery (0: the introduction; 1…: a question)."""
    return insert_new(
        session,
        SurveyMessage,
        {
            "team_id": team_id,
            "delivery_id": delivery_id,
            "question": question,
            "dedupe_key": dedupe_key,
            # The introduction carries no reactions.
            "reactions_added": question == 0,
        },
        key=("delivery_id", "question"),
    )


def get_delivery(*, session: Session, team_id: str, delivery_id: int) -> SurveyDelivery | None:
    statement = select(SurveyDelivery).where(
        SurveyDelivery.team_id == team_id, SurveyDelivery.id == delivery_id
    )
    return session.exec(statement).first()


@dataclass(frozen=True)
class QuestionMessage:
    """A survey message with its delivery and round: what a reaction or a click lands on."""

    message: SurveyMessage
    delivery: SurveyDelivery
    round: SurveyRound


def _question_message(statement: Any, session: Session) -> QuestionMessage | None:
    row = session.exec(statement).first()
    if row is None:
        return None
    message, delivery, survey_round = row
    return QuestionMessage(message=message, delivery=delivery, round=survey_round)


def _question_messages(team_id: str) -> Any:
    return (
        select(SurveyMessage, SurveyDelivery, SurveyRound)
        .join(SurveyDelivery, col(SurveyDelivery.id) == col(SurveyMessage.delivery_id))
        .join(SurveyRound, col(SurveyRound.id) == col(SurveyDelivery.round_id))
        .where(SurveyMessage.team_id == team_id)
    )


def message_at(*, session: Session, team_id: str, channel: str, ts: str) -> QuestionMessage | None:
    """The survey message Slack knows as `ts` in `channel`, if it is one of ours."""
    statement = _question_messages(team_id).where(
        SurveyMessage.channel == channel, SurveyMessage.ts == ts
    )
    return _question_message(statement, session)


def message_by_id(*, session: Session, team_id: str, message_id: int) -> QuestionMessage | None:
    """A survey message by its id (a button's value)."""
    statement = _question_messages(team_id).where(SurveyMessage.id == message_id)
    return _question_message(statement, session)


# A message whose `question` is negative is a copy: a statement (or, for 0, the invitation) its
# person was sent twice, once in a round folded into this one by a merge, kept so that a click
# or a reaction on it counts as on the delivery's own. Its number is -(COPY * k + statement),
# k = 1, 2, … for a first, second… copy of the same statement.
COPY = 1000


def statement_number(question: int) -> int:
    """The statement a message asks (0: the invitation), a copy's as its original's."""
    return question if question >= 0 else -question % COPY


def copy_number(question: int, statement: int) -> int:
    """A copy's `question`: the same copy (`question`, a copy or not) of another statement."""
    return statement if question >= 0 else -((-question // COPY) * COPY + statement)


def keep_as_copy(
    *, session: Session, message: SurveyMessage, delivery_id: int, statement: int
) -> None:
    """Make a sent message of a folded round's delivery one of `delivery_id`'s, asking
    `statement`: its own when it does not ask that yet, else a copy of it."""
    taken = {
        m.question
        for m in messages_of(session=session, team_id=message.team_id, delivery_id=delivery_id)
    }
    question, copies = statement, 0
    while question in taken:
        copies += 1
        question = -(COPY * copies + statement)
    message.delivery_id = delivery_id
    message.question = question
    session.add(message)
    session.flush()


def message_with_key(*, session: Session, team_id: str, dedupe_key: str) -> QuestionMessage | None:
    """The survey message queued under `dedupe_key`, wherever a merge has moved it."""
    statement = _question_messages(team_id).where(SurveyMessage.dedupe_key == dedupe_key)
    return _question_message(statement, session)


def messages_of(*, session: Session, team_id: str, delivery_id: int) -> list[SurveyMessage]:
    """A delivery's messages, introduction first."""
    statement = (
        select(SurveyMessage)
        .where(SurveyMessage.team_id == team_id, SurveyMessage.delivery_id == delivery_id)
        .order_by(col(SurveyMessage.question))
    )
    return list(session.exec(statement))


def record_sent_messages(*, session: Session, team_id: str) -> int:
    """Copy where the outbox sent each survey message (channel, ts) onto it; how many.

    The outbox records the channel and ts of a message once Slack accepted it; reactions on
    that message arrive with exactly those.
    """
    statement = (
        select(SurveyMessage, OutboxMessage.sent_channel, OutboxMessage.sent_ts)
        .join(OutboxMessage, _QUEUED_AS)
        .where(
            SurveyMessage.team_id == team_id,
            _UNREADY,
            col(SurveyMessage.ts).is_(None),
            OutboxMessage.status == OutboxStatus.SENT,
            col(OutboxMessage.sent_ts).is_not(None),
        )
    )
    updated = 0
    for message, channel, ts in session.exec(statement).all():
        message.channel, message.ts = channel, ts
        session.add(message)
        updated += 1
    session.flush()
    return updated


def messages_awaiting_reactions(*, session: Session, team_id: str) -> list[SurveyMessage]:
    """Question messages that were sent but do not carry the bot's :one:…:five: yet."""
    statement = (
        select(SurveyMessage)
        .where(
            SurveyMessage.team_id == team_id,
            _UNREADY,
            col(SurveyMessage.ts).is_not(None),
        )
        .order_by(col(SurveyMessage.id))
    )
    return list(session.exec(statement))


def unsent_messages_given_up(*, session: Session, team_id: str) -> list[SurveyMessage]:
    """Question messages the outbox will never send (failed or cancelled): no reactions due."""
    statement = (
        select(SurveyMessage)
        .join(OutboxMessage, _QUEUED_AS)
        .where(
            SurveyMessage.team_id == team_id,
            _UNREADY,
            col(OutboxMessage.status).in_([OutboxStatus.FAILED, OutboxStatus.CANCELLED]),
        )
    )
    return list(session.exec(statement))


def mark_reactions_added(*, session: Session, team_id: str, message_ids: Collection[int]) -> None:
    if not message_ids:
        return
    messages = table_of(SurveyMessage)
    session.execute(
        sa.update(messages)
        .where(messages.c.team_id == team_id, messages.c.id.in_(list(message_ids)))
        .values(reactions_added=True)
    )


# --- Answers (anonymous) ------------------------------------------------------------------------


def score_of(
    *, session: Session, team_id: str, round_id: int, respondent: str, question: int
) -> SurveyAnswer | None:
    """The answer row of one respondent token to one question (to show them their own)."""
    statement = select(SurveyAnswer).where(
        SurveyAnswer.team_id == team_id,
        SurveyAnswer.round_id == round_id,
        SurveyAnswer.respondent == respondent,
        SurveyAnswer.question == question,
    )
    return session.exec(statement).first()


def save_score(
    *,
    session: Session,
    team_id: str,
    round_id: int,
    respondent: str,
    question: int,
    score: int | None,
    event_ts: str,
    void_reactions: str | None = None,
) -> None:
    """Set (or, with None, withdraw) a respondent's score to a question, and the number
    reactions that count for nothing (`SurveyAnswer.void_reactions`)."""
    answer = score_of(
        session=session,
        team_id=team_id,
        round_id=round_id,
        respondent=respondent,
        question=question,
    )
    if answer is None:
        answer = SurveyAnswer(
            team_id=team_id, round_id=round_id, respondent=respondent, question=question
        )
    answer.score = score
    answer.event_ts = event_ts
    answer.void_reactions = void_reactions or None
    session.add(answer)
    session.flush()


def answered_respondents(*, session: Session, team_id: str, round_id: int) -> set[str]:
    """The respondent tokens that gave at least one score (counted as asked, whatever became
    of their invitation)."""
    statement = (
        select(SurveyAnswer.respondent)
        .where(
            SurveyAnswer.team_id == team_id,
            SurveyAnswer.round_id == round_id,
            col(SurveyAnswer.score).is_not(None),
        )
        .distinct()
    )
    return set(session.exec(statement))


def open_statements(
    *, session: Session, team_id: str, round_id: int, delivery_id: int | None = None
) -> dict[int, int]:
    """By delivery of the round (or only `delivery_id`): how many of the statements it asks
    its respondent has not scored yet; deliveries with every statement scored are left out.
    Counts only: no score comes back."""
    messages, deliveries = table_of(SurveyMessage), table_of(SurveyDelivery)
    answers = table_of(SurveyAnswer)
    scored = sa.select(answers.c.id).where(
        answers.c.team_id == team_id,
        answers.c.round_id == round_id,
        answers.c.respondent == deliveries.c.respondent,
        answers.c.question == messages.c.question,
        answers.c.score.is_not(None),
    )
    statement = (
        sa.select(messages.c.delivery_id, sa.func.count())
        .select_from(messages.join(deliveries, deliveries.c.id == messages.c.delivery_id))
        .where(
            deliveries.c.team_id == team_id,
            deliveries.c.round_id == round_id,
            messages.c.question > 0,
            ~scored.exists(),
        )
        .group_by(messages.c.delivery_id)
    )
    if delivery_id is not None:
        statement = statement.where(deliveries.c.id == delivery_id)
    return {int(delivery): int(count) for delivery, count in session.execute(statement)}


def respondent_count(*, session: Session, team_id: str, round_id: int) -> int:
    """How many people gave at least one score in the round."""
    statement = select(func.count(sa.distinct(col(SurveyAnswer.respondent)))).where(
        SurveyAnswer.team_id == team_id,
        SurveyAnswer.round_id == round_id,
        col(SurveyAnswer.score).is_not(None),
    )
    return int(session.exec(statement).one())


@dataclass(frozen=True)
class QuestionTally:
    """The scores to one question, added up: how many, and their sum."""

    count: int
    total: int


def question_tallies(*, session: Session, team_id: str, round_id: int) -> dict[int, QuestionTally]:
    """Per question: how many answered and the sum of their scores. Aggregates only."""
    statement = (
        select(SurveyAnswer.question, func.count(), func.sum(SurveyAnswer.score))
        .where(
            SurveyAnswer.team_id == team_id,
            SurveyAnswer.round_id == round_id,
            col(SurveyAnswer.score).is_not(None),
        )
        .group_by(col(SurveyAnswer.question))
    )
    return {
        int(question): QuestionTally(count=int(count), total=int(total or 0))
        for question, count, total in session.exec(statement)
    }


def deliveries_of(*, session: Session, team_id: str, round_id: int) -> list[SurveyDelivery]:
    statement = (
        select(SurveyDelivery)
        .where(SurveyDelivery.team_id == team_id, SurveyDelivery.round_id == round_id)
        .order_by(col(SurveyDelivery.id))
    )
    return list(session.exec(statement))


def save_comment(
    *, session: Session, team_id: str, round_id: int, respondent: str, text: str | None
) -> None:
    """Set a respondent's comment, or remove it with None."""
    comment = comment_of(session=session, team_id=team_id, round_id=round_id, respondent=respondent)
    if text is None:
        if comment is not None:
            session.delete(comment)
            session.flush()
        return
    if comment is None:
        comment = SurveyComment(team_id=team_id, round_id=round_id, respondent=respondent, text="")
    comment.text = text
    session.add(comment)
    session.flush()


def comment_of(
    *, session: Session, team_id: str, round_id: int, respondent: str
) -> SurveyComment | None:
    statement = select(SurveyComment).where(
        SurveyComment.team_id == team_id,
        SurveyComment.round_id == round_id,
        SurveyComment.respondent == respondent,
    )
    return session.exec(statement).first()


def comments_of_round(*, session: Session, team_id: str, round_id: int) -> list[str]:
    """The round's comments without any sign of who wrote them, in alphabetical order (the
    order they were written in could hint at who wrote which)."""
    statement = select(SurveyComment.text).where(
        SurveyComment.team_id == team_id, SurveyComment.round_id == round_id
    )
    return sorted(session.exec(statement), key=str.casefold)


# --- Touchpoints as the survey audience ---------------------------------------------------------


def recent_colleagues(
    *, session: Session, team_id: str, partner_id: int, since: datetime, until: datetime
) -> list[str]:
    """Colleagues who logged, or took part in, a contact with the partner between `since`
    and `until`, most recent first."""
    touchpoints = select(Touchpoint.id, Touchpoint.author_id, Touchpoint.at).where(
        Touchpoint.team_id == team_id,
        Touchpoint.partner_id == partner_id,
        Touchpoint.kind == TouchpointKind.DONE,
        Touchpoint.at >= since,
        Touchpoint.at <= until,
    )
    rows = [
        (touchpoint_id, author_id)
        for touchpoint_id, author_id, _at in session.exec(
            touchpoints.order_by(col(Touchpoint.at).desc())
        )
        if touchpoint_id is not None
    ]
    participants = participants_of(
        session=session, team_id=team_id, touchpoint_ids=[row[0] for row in rows]
    )
    people: list[str] = []
    for touchpoint_id, author_id in rows:
        people.append(author_id)
        people.extend(participants.get(touchpoint_id, []))
    return list(dict.fromkeys(people))


# --- Slack events handled once ------------------------------------------------------------------


def claim_event(*, session: Session, team_id: str, event_id: str, now: datetime) -> bool:
    """Record that the event is being handled; False when it was handled before (a retry)."""
    added = _insert_or_skip(
        session,
        SlackEventReceipt,
        {"team_id": team_id, "event_id": event_id, "received_at": now},
        key=("team_id", "event_id"),
        returning="event_id",
    )
    return added is not None


def teams_with_event_receipts(*, session: Session, before: datetime) -> list[str]:
    statement = (
        select(SlackEventReceipt.team_id).where(SlackEventReceipt.received_at < before).distinct()
    )
    return sorted(session.exec(statement))


def forget_events(*, session: Session, team_id: str, before: datetime) -> int:
    """Drop receipts older than `before`: Slack retries an event for minutes, not days."""
    receipts = table_of(SlackEventReceipt)
    return rowcount(
        session,
        sa.delete(receipts).where(receipts.c.team_id == team_id, receipts.c.received_at < before),
    )


def deliveries_to(
    *, session: Session, team_id: str, round_id: int, user_ids: Collection[str]
) -> list[SurveyDelivery]:
    """The round's deliveries to these people."""
    if not user_ids:
        return []
    statement = select(SurveyDelivery).where(
        SurveyDelivery.team_id == team_id,
        SurveyDelivery.round_id == round_id,
        col(SurveyDelivery.user_id).in_(list(user_ids)),
    )
    return list(session.exec(statement))


def latest_deliveries_to(
    *, session: Session, team_id: str, user_id: str, limit: int
) -> list[tuple[SurveyDelivery, SurveyRound]]:
    """The person's latest deliveries (`limit` of them, newest first), with their rounds."""
    statement = (
        select(SurveyDelivery, SurveyRound)
        .join(SurveyRound, col(SurveyRound.id) == col(SurveyDelivery.round_id))
        .where(SurveyDelivery.team_id == team_id, SurveyDelivery.user_id == user_id)
        .order_by(col(SurveyDelivery.id).desc())
        .limit(limit)
    )
    return [(delivery, survey_round) for delivery, survey_round in session.exec(statement)]


def drop_delivery(*, session: Session, team_id: str, delivery: SurveyDelivery) -> None:
    """Forget a delivery that never reached its person (its messages, then itself); the
    round's `invited` count follows."""
    messages = table_of(SurveyMessage)
    session.execute(
        sa.delete(messages).where(
            messages.c.team_id == team_id, messages.c.delivery_id == delivery.id
        )
    )
    session.delete(delivery)
    session.flush()
    set_invited(session=session, team_id=team_id, round_id=delivery.round_id)


# --- Two partners' rounds made one (a merge) ----------------------------------------------------


def move_answers(
    *,
    session: Session,
    team_id: str,
    from_round: int,
    respondent: str,
    to_round: int,
    to_respondent: str,
    numbers: Mapping[int, int],
) -> None:
    """Give a respondent's answers (and comment) in one round to `to_respondent` in another,
    each statement under its number there (`numbers`: from each number in `from_round` to
    the same statement's in `to_round`), except to the statements `to_respondent` already
    answered there (and the comment, if they wrote one): those stay behind."""

    def theirs(model: type[SQLModel]) -> Any:
        table = table_of(model)
        return (
            sa.update(table)
            .where(
                table.c.team_id == team_id,
                table.c.round_id == from_round,
                table.c.respondent == respondent,
            )
            .values(round_id=to_round, respondent=to_respondent)
        )

    answers = table_of(SurveyAnswer)
    for number, to_number in numbers.items():
        answered = sa.select(answers.c.id).where(
            answers.c.team_id == team_id,
            answers.c.round_id == to_round,
            answers.c.respondent == to_respondent,
            answers.c.question == to_number,
        )
        session.execute(
            theirs(SurveyAnswer)
            .where(answers.c.question == number, ~answered.exists())
            .values(question=to_number)
        )
    if not comment_of(
        session=session, team_id=team_id, round_id=to_round, respondent=to_respondent
    ):
        session.execute(theirs(SurveyComment))


def move_delivery(
    *, session: Session, delivery: SurveyDelivery, round_id: int, numbers: Mapping[int, int]
) -> None:
    """Count a delivery (its person and messages) in another round of its workspace, each
    statement message under its number there (`numbers`, as for `move_answers`, with which
    its answers are moved)."""
    moved: list[tuple[SurveyMessage, int]] = []
    for message in messages_of(
        session=session, team_id=delivery.team_id, delivery_id=delivery.id or 0
    ):
        number = statement_number(message.question)
        if numbers.get(number, number) != number:
            moved.append((message, copy_number(message.question, numbers[number])))
    # Through numbers no message has, so that two trading places never meet.
    for through, (message, _) in enumerate(moved, start=COPY * COPY):
        message.question = -through
        session.add(message)
    session.flush()
    for message, question in moved:
        message.question = question
    session.flush()
    delivery.round_id = round_id
    session.add(delivery)
    session.flush()


def set_statements(
    *, session: Session, survey_round: SurveyRound, statements: Sequence[str]
) -> None:
    """The statements a round asks, in order (another round's folded into it come after its
    own)."""
    survey_round.questions = list(statements)
    session.add(survey_round)
    session.flush()


def delete_round(*, session: Session, team_id: str, round_id: int) -> None:
    """Forget a round and all it holds: its deliveries and their messages, answers, comments."""
    deliveries, messages = table_of(SurveyDelivery), table_of(SurveyMessage)
    of_round = sa.select(deliveries.c.id).where(
        deliveries.c.team_id == team_id, deliveries.c.round_id == round_id
    )
    session.execute(
        sa.delete(messages).where(
            messages.c.team_id == team_id, messages.c.delivery_id.in_(of_round.scalar_subquery())
        )
    )
    for model in (SurveyAnswer, SurveyComment, SurveyDelivery):
        table = table_of(model)
        session.execute(
            sa.delete(table).where(table.c.team_id == team_id, table.c.round_id == round_id)
        )
    rounds = table_of(SurveyRound)
    session.execute(sa.delete(rounds).where(rounds.c.team_id == team_id, rounds.c.id == round_id))
