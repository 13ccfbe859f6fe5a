"""Queueing a message: the one way Liaison's services send anything on their own.

`enqueue` writes a row in the caller's session and never commits, so "save the touchpoint" and
"queue its alert" commit together or not at all. The dispatcher sends the row later.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.delivery.working_hours import WorkingHours, next_send_time, person_tz
from storage import outbox as store
from storage.models import UserProfile, Workspace
from storage.people import get_profile
from storage.workspaces import get_workspaces

MAX_DEDUPE_KEY = 200
MAX_BLOCKS = 50
# Why a DM to someone Slack said is of another organisation (a Slack Connect partner) is not
# sent: Liaison messages colleagues only.
EXTERNAL_RECIPIENT = "recipient is of another organisation"


@dataclass(frozen=True)
class Schedule:
    """When a person may be messaged: their time zone (None: UTC) and their workspace's hours."""

    tz: str | None
    hours: WorkingHours

    def first_slot(self, due_at: datetime, *, key: str, at_opening: bool = False) -> datetime:
        """When a DM due at `due_at` may go, spread by `key`: the recipient, so that people are
        spread over the window's first minutes while one person's messages keep their order
        (the dispatcher sends equal slots oldest first). `at_opening`: `due_at` is a planner's
        "next working morning", spread when it is a window's start (`next_send_time`)."""
        return next_send_time(due_at, tz=self.tz, hours=self.hours, key=key, at_opening=at_opening)


def schedule_of(session: Session, *, team_id: str, user_id: str) -> Schedule:
    """The person's cached time zone (else the workspace's) and the workspace's hours."""
    profile = get_profile(session=session, team_id=team_id, user_id=user_id)
    workspace = get_workspaces(session=session, team_ids=[team_id]).get(team_id)
    return schedule_from(profile, workspace)


def schedule_from(profile: UserProfile | None, workspace: Workspace | None) -> Schedule:
    """The schedule of a person with this cached profile (None: never looked up) in this
    workspace (None: its defaults), for a caller that has both at hand."""
    return Schedule(person_tz(profile, workspace), WorkingHours.of(workspace))


def record_channel_post(
    engine: Engine,
    *,
    team_id: str,
    kind: str,
    channel_id: str,
    text: str,
    refused: str | None,
    now: datetime,
) -> None:
    """Record a post made to a channel at once (not queued), with Slack's refusal if any, so
    the outbox knows how the latest delivery to that channel went; committed on its own."""
    with Session(engine) as session:
        store.record_direct(
            session=session,
            team_id=team_id,
            kind=kind,
            channel_id=channel_id,
            text=text,
            refused=refused,
            at=now,
            dedupe_key=f"{kind}:{channel_id}:{uuid.uuid4().hex}",
        )
        session.commit()


def retry_channel_post(
    engine: Engine,
    *,
    team_id: str,
    kind: str,
    channel_id: str,
    text: str,
    dedupe_key: str,
    due_at: datetime,
    now: datetime,
) -> bool:
    """Queue a post that was made to a channel at once and met trouble on Slack's side (a rate
    limit, a 5xx, no answer), so the dispatcher sends it from `due_at` on, retrying as it does
    any message; how it went is then recorded as for any queued message (`channel_refusal` reads
    it). Committed on its own; False if a post was queued under `dedupe_key` already."""
    with Session(engine) as session:
        queued = enqueue(
            session,
            team_id=team_id,
            kind=kind,
            recipient_channel=channel_id,
            text=text,
            due_at=due_at,
            dedupe_key=dedupe_key,
            respect_working_hours=False,
            now=now,
        )
        session.commit()
    return queued


def enqueue(
    session: Session,
    *,
    team_id: str,
    kind: str,
    recipient_user: str | None = None,
    recipient_channel: str | None = None,
    text: str,
    blocks: Sequence[dict[str, Any]] = (),
    due_at: datetime,
    dedupe_key: str,
    thread_of_dedupe_key: str | None = None,
    edit_of_dedupe_key: str | None = None,
    respect_working_hours: bool,
    at_opening: bool = False,
    expires_at: datetime | None = None,
    schedule: Schedule | None = None,
    now: datetime | None = None,
) -> bool:
    """Queue one message for `recipient_user` (a DM) or `recipient_channel`; True if new.

    Idempotent: a second call with the workspace's same `dedupe_key` changes nothing and
    returns False, so planners can re-derive what is due after any restart. With
    `respect_working_hours`, a DM due outside the person's working window waits for the next
    one (channel messages always go at once), spread over its first minutes by recipient; so
    does one `at_opening`, due at the very start of a window because the caller chose "the next
    working morning" (`bot.delivery.working_hours`), while `due_at` stays that start.

    `thread_of_dedupe_key` posts the message as a
    reply to an earlier queued message once that one is sent; `edit_of_dedupe_key` replaces an
    earlier queued message's content in place (chat.update) once that one is sent, and is
    dropped if it never is. A message still unsent at
    `expires_at` (e.g. a check-in held while its recipient was away) is cancelled.

    A caller that has the recipient's `schedule` at hand passes it (else it is read here); `now`
    is the caller's clock, stamped as the row's creation time (else the wall clock).
    """
    if (recipient_user is None) == (recipient_channel is None):
        raise ValueError("enqueue needs exactly one of recipient_user or recipient_channel")
    if due_at.tzinfo is None or (expires_at is not None and expires_at.tzinfo is None):
        raise ValueError("enqueue needs aware datetimes")
    if not dedupe_key or len(dedupe_key) > MAX_DEDUPE_KEY:
        raise ValueError(f"dedupe_key must be 1–{MAX_DEDUPE_KEY} characters")
    if not text.strip():
        raise ValueError("a message needs its text (notifications and screen readers show it)")
    if len(blocks) > MAX_BLOCKS:
        raise ValueError(f"Slack takes at most {MAX_BLOCKS} blocks in a message")
    if thread_of_dedupe_key is not None and edit_of_dedupe_key is not None:
        raise ValueError("a message either replies to an earlier one or edits it, not both")
    available_at = due_at
    if recipient_user is not None and respect_working_hours:
        if schedule is None:
            schedule = schedule_of(session, team_id=team_id, user_id=recipient_user)
        available_at = schedule.first_slot(due_at, key=recipient_user, at_opening=at_opening)
    return store.insert_message(
        session=session,
        team_id=team_id,
        kind=kind,
        recipient_user=recipient_user,
        recipient_channel=recipient_channel,
        text=text,
        blocks=blocks,
        dedupe_key=dedupe_key,
        thread_of_dedupe_key=thread_of_dedupe_key,
        edit_of_dedupe_key=edit_of_dedupe_key,
        respect_working_hours=respect_working_hours,
        due_at=due_at,
        available_at=available_at,
        expires_at=expires_at,
        # A record of when the row was written, not a decision: the wall clock will do when the
        # caller gives no clock of its own.
        created_at=now or datetime.now(UTC),
    )


def withdraw(session: Session, *, team_id: str, key_prefix: str) -> int:
    """In the caller's transaction: cancel the queued messages whose key starts with
    `key_prefix` that no dispatcher has claimed yet, because what they say stopped being true
    before they went; how many were. One being or already sent stays as it is."""
    return store.cancel_unsent(session=session, team_id=team_id, key_prefix=key_prefix)


def withdraw_from_elsewhere(
    session: Session,
    *,
    team_id: str,
    user_ids: Collection[str],
    forget_prefix: str | None = None,
) -> int:
    """In the caller's transaction: cancel the DMs queued to people Slack just said are of
    another organisation (taken off what a form had saved with them), which the dispatcher
    would only fail unsent; how many were. One being or already sent stays as it is.

    The dispatcher may have found out first (it looks up people it does not know) and failed
    some of them untried: those are cancelled too, as handled, so admins are not shown a
    failed delivery for them. With `forget_prefix`, those of them under a key starting with it
    are forgotten, their keys free again: a planner queues a reminder folded into them afresh,
    for whoever it is for now."""
    withdrawn = store.cancel_unsent_dms(
        session=session, team_id=team_id, user_ids=user_ids, reason=EXTERNAL_RECIPIENT
    )
    withdrawn += store.cancel_failed_untried(
        session=session, team_id=team_id, user_ids=user_ids, reason=EXTERNAL_RECIPIENT
    )
    if forget_prefix is not None:
        store.forget_cancelled(
            session=session,
            team_id=team_id,
            key_prefix=forget_prefix,
            reason=EXTERNAL_RECIPIENT,
            recipients=user_ids,
        )
    return withdrawn


def first_slot(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    due_at: datetime,
    key: str,
    at_opening: bool = False,
) -> datetime:
    """When a DM due at `due_at` may go, from the cached time zone and the workspace's hours."""
    return schedule_of(session, team_id=team_id, user_id=user_id).first_slot(
        due_at, key=key, at_opening=at_opening
    )


def retime_for_hours(session: Session, *, team_id: str, now: datetime) -> int:
    """After a change of the workspace's hours, days or zone, in its transaction: what waits
    for someone's working hours goes at their first slot under the settings as they are now,
    earlier as well as later; how many messages moved.

    `enqueue` fixes a message's time from the hours of the moment it was queued. The
    dispatcher checks the hours again when it claims a message, but it can only put one back:
    without this, a window moved earlier would go unused for what already waits, and the
    outbox would show times the new hours no longer give.

    Whether a message was queued `at_opening` is not stored: one due ahead, exactly at the
    start of a window under the new hours, is taken for a planner's "next working morning" (a
    check-in `redue_for_hours` moved there) and spread, as one due before the window is.
    """
    schedules: dict[str, Schedule] = {}
    moved = 0
    for row in store.waiting_for_hours(session=session, team_id=team_id, after=now):
        user = row.recipient_user
        if user not in schedules:
            schedules[user] = schedule_of(session, team_id=team_id, user_id=user)
        slot = schedules[user].first_slot(
            max(row.due_at, now), key=user, at_opening=row.due_at > now
        )
        if slot != row.available_at and store.move_unsent(
            session=session, team_id=team_id, message_id=row.id, available_at=slot
        ):
            moved += 1
    return moved
