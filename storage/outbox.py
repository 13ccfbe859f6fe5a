"""Queries on the outbox: enqueue idempotently, claim due rows, record what each send did.

Every row carries its workspace (`team_id`), and the functions that read a workspace's rows
filter by it. The dispatcher's claim is the one query that spans workspaces (one engine sends
for all of them); each claimed row says whose it is. Nothing here commits: the caller's
transaction decides (the dispatcher runs in autocommit, each statement committing on its own,
see `bot.delivery.dispatcher`).

The dispatcher's protocol (claim, record a send, reschedule, finish, release, extend a lease) is
one statement per call, each taking its turn with the process's other SQLite writers
(`storage.db.writing`) rather than sleeping in SQLite's busy handler; claiming and recording a
send, once per batch and once per message, run as plain SQL (`storage.sql`).

Recording a send does not wait for the database where it need not: `mark_sent` returns a
`PendingMark`. On PostgreSQL in autocommit the mark is written to the server, which commits it
on its own, and `PendingMark.result()` reads the answer later (`ready()` says whether it has
come), so the round trip overlaps the next message's call to Slack. More marks may be handed
over before that answer is read; the session runs nothing else until all have been read. On
SQLite, whose commit is local and quick, and inside a transaction, the mark is recorded at once.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session

from storage.db import writing
from storage.models import OutboxMessage, OutboxStatus, Partner, Workspace
from storage.sql import (
    DRIVER_ERRORS,
    Answered,
    Driver,
    Pending,
    Sql,
    listed,
    rowcount,
    sized,
    utc,
    utc_or_none,
)
from storage.upsert import table_of

_T = table_of(OutboxMessage)
# Spelled as in the claim index's WHERE, so both databases can use that partial index.
_STILL_TO_SEND = sa.text("outbox_message.status IN ('pending', 'sending')")


class _Addressed:
    recipient_user: str | None
    recipient_channel: str | None

    @property
    def recipient(self) -> str:
        """The user or channel id the message is for."""
        return self.recipient_user or self.recipient_channel or ""


@dataclass(frozen=True, kw_only=True)
class Claimed(_Addressed):
    """A row the dispatcher holds under its claim token until it records the outcome."""

    id: int
    team_id: str
    kind: str
    recipient_user: str | None
    recipient_channel: str | None
    text: str
    blocks: list[dict[str, Any]]
    dedupe_key: str
    thread_of_dedupe_key: str | None
    edit_of_dedupe_key: str | None
    respect_working_hours: bool
    expires_at: datetime | None
    attempts: int
    # When its first try met trouble that passes (a 5xx, a network error, …), if one did.
    retrying_since: datetime | None


@dataclass(frozen=True, kw_only=True)
class ThreadParent:
    """Where an earlier message went, for a later one to thread onto (or wait for)."""

    status: str
    available_at: datetime
    sent_channel: str | None
    sent_ts: str | None


@dataclass(frozen=True, kw_only=True)
class DeliverySummary(_Addressed):
    """A row as operators and admins see it: who, what kind, when, how it went; no body."""

    id: int
    team_id: str
    kind: str
    recipient_user: str | None
    recipient_channel: str | None
    due_at: datetime
    available_at: datetime
    status: str
    attempts: int
    last_error: str | None
    held: bool
    # When it is cancelled unsent (None: never): `liaison outbox` says a DM held for time away
    # that ends after it will not go.
    expires_at: datetime | None = None


_SUMMARY_COLUMNS = (
    _T.c.id,
    _T.c.team_id,
    _T.c.kind,
    _T.c.recipient_user,
    _T.c.recipient_channel,
    _T.c.due_at,
    _T.c.available_at,
    _T.c.status,
    _T.c.attempts,
    _T.c.last_error,
    _T.c.held,
    _T.c.expires_at,
)


# --- Enqueue ------------------------------------------------------------------------------------


def insert_message(
    *,
    session: Session,
    team_id: str,
    kind: str,
    recipient_user: str | None,
    recipient_channel: str | None,
    text: str,
    blocks: Sequence[dict[str, Any]],
    dedupe_key: str,
    thread_of_dedupe_key: str | None,
    edit_of_dedupe_key: str | None,
    respect_working_hours: bool,
    due_at: datetime,
    available_at: datetime,
    expires_at: datetime | None,
    created_at: datetime,
) -> bool:
    """Add a pending row unless the workspace already has one with `dedupe_key`.

    True when a row was added. INSERT … ON CONFLICT DO NOTHING never raises on a duplicate, so
    it cannot abort the caller's transaction (PostgreSQL would after an IntegrityError).
    """
    driver = Driver.of(session)
    values = {
        "team_id": team_id,
        "kind": kind,
        "recipient_user": recipient_user,
        "recipient_channel": recipient_channel,
        "text": text,
        "blocks": json.dumps(list(blocks)),
        "dedupe_key": dedupe_key,
        "thread_of_dedupe_key": thread_of_dedupe_key,
        "edit_of_dedupe_key": edit_of_dedupe_key,
        "respect_working_hours": respect_working_hours,
        "due_at": driver.time(due_at),
        "available_at": driver.time(available_at),
        "expires_at": driver.time(expires_at),
        "created_at": driver.time(created_at),
    }
    return driver.first(_INSERT_MESSAGE, values) is not None


_INSERT_MESSAGE_SQL = """
INSERT INTO outbox_message (team_id, kind, recipient_user, recipient_channel, text, blocks,
    dedupe_key, thread_of_dedupe_key, edit_of_dedupe_key, respect_working_hours, due_at,
    available_at, expires_at, status, held, attempts, created_at)
VALUES (:team_id, :kind, :recipient_user, :recipient_channel, :text, {blocks}, :dedupe_key,
    :thread_of_dedupe_key, :edit_of_dedupe_key, :respect_working_hours, :due_at, :available_at,
    :expires_at, 'pending', {false}, 0, :created_at)
ON CONFLICT (team_id, dedupe_key) DO NOTHING
RETURNING id
"""
# The blocks as JSON text: SQLite stores the text, PostgreSQL casts it to its json type.
_INSERT_MESSAGE = Sql(
    _INSERT_MESSAGE_SQL.format(blocks=":blocks", false="0"),
    _INSERT_MESSAGE_SQL.format(blocks="CAST(:blocks AS json)", false="false"),
)


def get_message(*, session: Session, team_id: str, dedupe_key: str) -> OutboxMessage | None:
    """The workspace's row with this dedupe key (its status, and where it was sent)."""
    statement = sa.select(OutboxMessage).where(
        _T.c.team_id == team_id, _T.c.dedupe_key == dedupe_key
    )
    return session.execute(statement).scalars().first()


def latest_with_prefix(
    *, session: Session, team_id: str, key_prefix: str, before_id: int | None = None
) -> OutboxMessage | None:
    """The workspace's newest row whose key starts with `key_prefix`, whatever its status;
    with `before_id`, the newest queued before that row (the note that one followed)."""
    conditions = [_T.c.team_id == team_id, _T.c.dedupe_key.startswith(key_prefix, autoescape=True)]
    if before_id is not None:
        conditions.append(_T.c.id < before_id)
    statement = sa.select(OutboxMessage).where(*conditions).order_by(_T.c.id.desc()).limit(1)
    return session.execute(statement).scalars().first()


def delivered_to(
    *, session: Session, team_id: str, dedupe_keys: Collection[str], by: datetime
) -> dict[str, str]:
    """The person each of the workspace's direct messages with these keys reached, by key, of
    those Slack had accepted by `by`: one still queued (waiting for working hours, for someone
    back from time away), failed or cancelled has told nobody yet."""
    if not dedupe_keys:
        return {}
    keys = listed("key", dedupe_keys)
    statement = sized(
        "SELECT dedupe_key, recipient_user FROM outbox_message WHERE team_id = :team_id "
        "AND dedupe_key IN ({key}) AND recipient_user IS NOT NULL "
        "AND status = 'sent' AND sent_at <= :by",
        key=len(keys),
    )
    driver = Driver.of(session)
    rows = driver.rows(statement, {"team_id": team_id, "by": driver.time(by), **keys})
    return {str(key): str(user) for key, user in rows}


# --- The dispatcher's protocol ------------------------------------------------------------------


def claim_due(
    *,
    session: Session,
    now: datetime,
    lease_now: datetime,
    lease_until: datetime,
    token: str,
    limit: int,
) -> list[Claimed]:
    """Claim up to `limit` rows due at `now`, across workspaces, until `lease_until`.

    Due means pending with `available_at <= now`, or being sent by someone whose lease ran out
    by `lease_now` (a crashed process). The two are apart because a lease is about a process
    being alive, timed by the wall clock, while `now` may be a moment acted out (`liaison tick
    --at`, the sandbox): a dispatcher acting a month ahead must neither take rows a live
    process holds nor leave its own held for a month. On PostgreSQL the candidate rows are
    locked with FOR UPDATE SKIP LOCKED, so concurrent dispatchers never claim the same row;
    SQLite serialises writers, so the single conditional UPDATE is enough there.
    """
    with writing(session):
        driver = Driver.of(session)
        params = {
            "now": driver.time(now),
            "lease_now": driver.time(lease_now),
            "horizon": driver.time(max(now, lease_now)),
            "lease_until": driver.time(lease_until),
            "token": token,
            "limit": limit,
        }
        rows = driver.rows(_CLAIM, params)
    claimed = [
        Claimed(
            id=message_id,
            team_id=team_id,
            kind=kind,
            recipient_user=recipient_user,
            recipient_channel=recipient_channel,
            text=text,
            # SQLite hands back the JSON text, psycopg the decoded list.
            blocks=list((json.loads(blocks) if isinstance(blocks, str) else blocks) or []),
            dedupe_key=dedupe_key,
            thread_of_dedupe_key=thread_of_dedupe_key,
            edit_of_dedupe_key=edit_of_dedupe_key,
            respect_working_hours=bool(respect_working_hours),
            expires_at=utc_or_none(expires_at),
            attempts=attempts,
            retrying_since=utc_or_none(retrying_since),
        )
        for (
            message_id,
            team_id,
            kind,
            recipient_user,
            recipient_channel,
            text,
            blocks,
            dedupe_key,
            thread_of_dedupe_key,
            edit_of_dedupe_key,
            respect_working_hours,
            expires_at,
            attempts,
            retrying_since,
        ) in rows
    ]
    return sorted(claimed, key=lambda row: row.id)


# The candidates are read through the partial index ix_outbox_message_claim (its WHERE spelled
# the same), up to the later of the two moments, and each is then held to its own; PostgreSQL
# locks them, skipping rows another dispatcher holds.
_CLAIM_SQL = """
WITH due AS (
    SELECT id FROM outbox_message
    WHERE status IN ('pending', 'sending') AND available_at <= :horizon
        AND available_at <= CASE WHEN status = 'pending' THEN :now ELSE :lease_now END
    ORDER BY available_at, id
    LIMIT :limit{lock}
)
UPDATE outbox_message
SET status = 'sending', claim_token = :token, available_at = :lease_until
WHERE id IN (SELECT id FROM due)
RETURNING id, team_id, kind, recipient_user, recipient_channel, text, blocks, dedupe_key,
    thread_of_dedupe_key, edit_of_dedupe_key, respect_working_hours, expires_at, attempts,
    retrying_since
"""
_CLAIM = Sql(_CLAIM_SQL.format(lock=""), _CLAIM_SQL.format(lock=" FOR UPDATE SKIP LOCKED"))


def _rowcount(session: Session, statement: sa.Update | sa.Delete) -> int:
    with writing(session):
        return rowcount(session, statement)


def _update_claimed(
    session: Session,
    message_ids: Collection[int],
    *,
    token: str,
    values: dict[str, Any],
    attempted: bool = False,
) -> int:
    """Apply `values` to the rows still held under `token`; returns how many it changed."""
    if not message_ids:
        return 0
    if attempted:
        values = {**values, "attempts": _T.c.attempts + 1}
    statement = (
        sa.update(_T)
        .where(
            _T.c.id.in_(list(message_ids)),
            _T.c.claim_token == token,
            _T.c.status == OutboxStatus.SENDING,
        )
        .values(**values)
    )
    return _rowcount(session, statement)


# The dispatcher records every send with this one statement.
_MARK_SENT = Sql("""
UPDATE outbox_message
SET status = 'sent', sent_channel = :channel, sent_ts = :ts, sent_at = :sent_at,
    attempts = attempts + 1, claim_token = NULL, last_error = NULL, held = :held
WHERE id = :message_id AND claim_token = :token AND status = 'sending'
""")


class MarkNotRecorded(Exception):
    """The database did not record a "sent" mark; its own error is the cause."""


class PendingMark:
    """A send's "sent" mark, handed to the database.

    `result()` is True once the row is recorded as sent, False when the claim was lost (the
    lease ran out and another dispatcher took the row); it raises `MarkNotRecorded` when the
    database could not record the mark, and the row, still "sending", comes back once its lease
    runs out. On PostgreSQL it waits for the server's answer if that has not come yet (`ready()`
    says whether it has); the session runs nothing else before it, and every mark handed over
    after it, has been asked.
    """

    __slots__ = ("_write",)

    def __init__(self, write: Pending) -> None:
        self._write = write

    def ready(self) -> bool:
        """Whether the database has answered, so that `result()` would not wait."""
        return self._write.ready()

    def result(self) -> bool:
        try:
            changed = self._write.result()
        except DRIVER_ERRORS as error:
            raise MarkNotRecorded(f"{type(error).__name__}: {error}") from error
        return changed == 1


def mark_sent(
    *, session: Session, message_id: int, token: str, channel: str, ts: str, sent_at: datetime
) -> PendingMark:
    """Record Slack's accept, without waiting for the database where it need not (see
    `PendingMark`). A database error comes out of `result()`, not of this call."""
    try:
        with writing(session):
            driver = Driver.of(session)
            values = {
                "message_id": message_id,
                "token": token,
                "channel": channel,
                "ts": ts,
                "sent_at": driver.time(sent_at),
                "held": False,
            }
            return PendingMark(driver.send(_MARK_SENT, values))
    except DRIVER_ERRORS as error:
        return PendingMark(Answered(error=error))


def reschedule(
    *,
    session: Session,
    message_id: int,
    token: str,
    available_at: datetime,
    attempted: bool,
    last_error: str | None = None,
    held: bool = False,
    retrying_since: datetime | None = None,
) -> bool:
    """Put a claimed row back as pending until `available_at` (a retry, a slot, a hold);
    `retrying_since`, for a retry, is when its trouble began."""
    values: dict[str, Any] = {
        "status": OutboxStatus.PENDING,
        "available_at": available_at,
        "claim_token": None,
        "held": held,
    }
    if last_error is not None:
        values["last_error"] = last_error[:500]
    if retrying_since is not None:
        values["retrying_since"] = retrying_since
    changed = _update_claimed(
        session, [message_id], token=token, values=values, attempted=attempted
    )
    return changed == 1


def finish(
    *,
    session: Session,
    message_id: int,
    token: str,
    status: OutboxStatus,
    reason: str,
    attempted: bool,
) -> bool:
    """Close a claimed row for good: failed (Slack refused it), rerouted (refused, and queued
    elsewhere instead) or cancelled (it expired)."""
    values = {"status": status, "claim_token": None, "last_error": reason[:500]}
    changed = _update_claimed(
        session, [message_id], token=token, values=values, attempted=attempted
    )
    return changed == 1


def release(
    *, session: Session, message_ids: Collection[int], token: str, available_at: datetime
) -> int:
    """Hand claimed rows back unsent (shutdown, a paused workspace); no attempt is counted."""
    values = {"status": OutboxStatus.PENDING, "claim_token": None, "available_at": available_at}
    return _update_claimed(session, message_ids, token=token, values=values)


def hand_back(*, session: Session, message_ids: Collection[int], token: str, now: datetime) -> int:
    """Hand claimed rows back unsent as the dispatcher stops; no attempt is counted.

    Each is due again when it first fell due, or at `now` if that is earlier: a dispatcher
    acting ahead (`liaison tick --at` a month on) would otherwise hold them back until its
    own moment, while those running on the wall clock should take them up at once."""
    at = sa.literal(now, type_=_T.c.due_at.type)
    values = {
        "status": OutboxStatus.PENDING,
        "claim_token": None,
        "available_at": sa.case((_T.c.due_at < at, _T.c.due_at), else_=at),
    }
    return _update_claimed(session, message_ids, token=token, values=values)


def extend_lease(
    *, session: Session, message_ids: Collection[int], token: str, lease_until: datetime
) -> int:
    """Keep holding rows a slow batch has not reached yet."""
    return _update_claimed(session, message_ids, token=token, values={"available_at": lease_until})


class Placed(NamedTuple):
    """Where a channel message was placed: its key, its state and its channel."""

    dedupe_key: str
    status: str
    channel: str | None


def latest_placed(*, session: Session, team_id: str, dedupe_keys: Collection[str]) -> Placed | None:
    """The latest (by id) of the workspace's messages under these keys, columns only, in plain
    SQL: `/partner log` asks it whenever the caller was alerted about the other person before,
    and through SQLAlchemy it cost ~0.2 ms of Python (a tenth of such a log's CPU)."""
    if not dedupe_keys:
        return None
    keys = listed("key", set(dedupe_keys))
    statement = sized(
        "SELECT dedupe_key, status, recipient_channel FROM outbox_message "
        "WHERE team_id = :team_id AND dedupe_key IN ({key}) ORDER BY id DESC LIMIT 1",
        key=len(keys),
    )
    row = Driver.of(session).first(statement, {"team_id": team_id, **keys})
    return None if row is None else Placed(str(row[0]), str(row[1]), row[2])


def thread_parent(*, session: Session, team_id: str, dedupe_key: str) -> ThreadParent | None:
    """The state of the row a message wants to thread onto, if the workspace has it."""
    row = session.execute(
        sa.select(_T.c.status, _T.c.available_at, _T.c.sent_channel, _T.c.sent_ts).where(
            _T.c.team_id == team_id, _T.c.dedupe_key == dedupe_key
        )
    ).first()
    if row is None:
        return None
    return ThreadParent(
        status=row.status,
        available_at=row.available_at,
        sent_channel=row.sent_channel,
        sent_ts=row.sent_ts,
    )


def cancel_unsent(
    *,
    session: Session,
    team_id: str,
    dedupe_key: str | None = None,
    key_prefix: str | None = None,
    reason: str = "no longer needed",
) -> int:
    """Cancel the workspace's queued messages that no dispatcher has claimed yet (held for an
    absence or not): the one queued under `dedupe_key`, or those whose key starts with
    `key_prefix`, saying why (`reason`, kept as the row's last error). Rows being or already
    sent are left alone. Returns how many were cancelled."""
    key = _key_or_prefix(dedupe_key, key_prefix, needed_by="cancel_unsent")
    return _cancel_pending(session, team_id, key, reason=reason)


def forget_cancelled(
    *,
    session: Session,
    team_id: str,
    dedupe_key: str | None = None,
    key_prefix: str | None = None,
    reason: str | None = None,
    recipients: Collection[str] | None = None,
) -> int:
    """Delete the workspace's messages cancelled unsent, so that their keys may be queued
    afresh: the one under `dedupe_key`, or those whose key starts with `key_prefix`; only those
    cancelled for `reason` when it is given, and only DMs to `recipients` when they are given.
    Returns how many were deleted."""
    statement = sa.delete(_T).where(
        _T.c.team_id == team_id,
        _key_or_prefix(dedupe_key, key_prefix, needed_by="forget_cancelled"),
        _T.c.status == OutboxStatus.CANCELLED,
        sa.true() if reason is None else _T.c.last_error == reason,
        sa.true() if recipients is None else _T.c.recipient_user.in_(sorted(set(recipients))),
    )
    return _rowcount(session, statement)


def cancel_unsent_to(
    *,
    session: Session,
    team_id: str,
    user_id: str | None,
    dedupe_keys: Collection[str],
    reason: str,
    numbered: Collection[str] = (),
) -> int:
    """Cancel, saying why, the direct messages to `user_id` (to anyone: None) queued under these
    keys, or under a key that is one of `numbered` followed by a digit (`prefix` + "2"), that
    no dispatcher has claimed yet (held for an absence or not); one since sent to someone else
    instead (`redirect_unsent`) is left alone. Returns how many were cancelled.
    Plain SQL: `/partner log` runs it for an owner following up outsiders' contacts."""
    if not dedupe_keys and not numbered:
        return 0
    keys = listed("key", set(dedupe_keys))
    prefixes = sorted(set(numbered))
    which = (["dedupe_key IN ({key})"] if keys else []) + [
        f"(dedupe_key >= :from{n} AND dedupe_key < :until{n} AND dedupe_key LIKE :like{n} "
        "ESCAPE '/')"
        for n in range(len(prefixes))
    ]
    statement = sized(
        "UPDATE outbox_message SET status = 'cancelled', last_error = :reason, held = :held "
        f"WHERE team_id = :team_id AND ({' OR '.join(which)}) AND status = 'pending'"
        + ("" if user_id is None else " AND recipient_user = :user_id"),
        key=len(keys),
    )
    params = {"team_id": team_id, "user_id": user_id, "reason": reason[:500], "held": False}
    for n, prefix in enumerate(prefixes):
        params.update(_numbered_after(prefix, n))
    with writing(session):
        return Driver.of(session).execute(statement, {**params, **keys})


def cancel_unsent_dms(
    *, session: Session, team_id: str, user_ids: Collection[str], reason: str
) -> int:
    """Cancel, saying why, every direct message to `user_ids` that no dispatcher has claimed
    yet (held for an absence or not), whatever it is about. Rows being or already sent are
    left alone. Returns how many were cancelled."""
    if not user_ids:
        return 0
    to_them = _T.c.recipient_user.in_(sorted(set(user_ids)))
    return _cancel_pending(session, team_id, to_them, reason=reason)


def cancel_failed_untried(
    *, session: Session, team_id: str, user_ids: Collection[str], reason: str
) -> int:
    """Mark cancelled the direct messages to `user_ids` that a dispatcher failed for `reason`
    without trying them (no attempt counted): what the caller withdraws anyway, which the
    dispatcher found out first. Returns how many were."""
    if not user_ids:
        return 0
    statement = (
        sa.update(_T)
        .where(
            _T.c.team_id == team_id,
            _T.c.recipient_user.in_(sorted(set(user_ids))),
            _T.c.status == OutboxStatus.FAILED,
            _T.c.last_error == reason[:500],
            _T.c.attempts == 0,
        )
        .values(status=OutboxStatus.CANCELLED, held=False)
    )
    return _rowcount(session, statement)


def _numbered_after(prefix: str, n: int) -> dict[str, str]:
    """The parameters of the `n`th numbered prefix of `cancel_unsent_to`: a range of keys, and
    the pattern of the prefix. LIKE alone cannot use the unique index on (team_id, dedupe_key)
    (SQLite's LIKE ignores case, PostgreSQL's needs the C collation), so a /partner log would
    read all its workspace's messages; the range can. It holds every number after the prefix
    in byte order as in a language's collation (which may pass punctuation over, and puts
    digits before letters), and LIKE keeps, of the keys in it, those that begin with the
    prefix."""
    escaped = prefix.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return {
        f"from{n}": f"{prefix}0",
        f"until{n}": f"{prefix}9z",
        f"like{n}": f"{escaped}%",
    }


def _cancel_pending(
    session: Session, team_id: str, which: sa.ColumnElement[bool], *, reason: str
) -> int:
    statement = (
        sa.update(_T)
        .where(_T.c.team_id == team_id, which, _T.c.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.CANCELLED, last_error=reason[:500], held=False)
    )
    return _rowcount(session, statement)


class Waiting(NamedTuple):
    """A message still to send that waits for its person: when it fell due, what it is."""

    id: int
    kind: str
    due_at: datetime


def waiting_for(
    *, session: Session, team_id: str, user_id: str, kinds: Collection[str]
) -> list[Waiting]:
    """`user_id`'s messages of `kinds` still to send that have an expiry (a person's few)."""
    rows = session.execute(
        sa.select(_T.c.id, _T.c.kind, _T.c.due_at).where(
            _T.c.team_id == team_id,
            _T.c.recipient_user == user_id,
            _T.c.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
            _T.c.kind.in_(list(kinds)),
            _T.c.expires_at.is_not(None),
        )
    ).all()
    return [Waiting(id=row.id, kind=row.kind, due_at=utc(row.due_at)) for row in rows]


def record_direct(
    *,
    session: Session,
    team_id: str,
    kind: str,
    channel_id: str,
    text: str,
    refused: str | None,
    at: datetime,
    dedupe_key: str,
) -> None:
    """Record a message posted to a channel at once rather than through the outbox (a
    channel's greeting), as sent or, with Slack's reason, failed: how the latest delivery to a
    channel went (`channel_refusal`) counts it too."""
    session.add(
        OutboxMessage(
            team_id=team_id,
            kind=kind,
            recipient_channel=channel_id,
            text=text,
            dedupe_key=dedupe_key,
            respect_working_hours=False,
            due_at=at,
            available_at=at,
            status=OutboxStatus.FAILED if refused else OutboxStatus.SENT,
            attempts=1,
            last_error=refused[:500] if refused else None,
            sent_at=None if refused else at,
            created_at=at,
        )
    )


def channel_refusal(
    *, session: Session, team_id: str, channel_id: str, since: datetime | None
) -> str | None:
    """Why the latest delivery to the channel (queued `since` then, if given) failed for good
    or was rerouted (Slack's reason, as recorded), if it was; None when it went through, or
    nothing was sent there yet. Plain SQL: every alert `/partner log` queues asks it."""
    driver = Driver.of(session)
    latest = driver.first(
        _LATEST_TO_CHANNEL if since is None else _LATEST_TO_CHANNEL_SINCE,
        {"team_id": team_id, "channel": channel_id, "since": driver.time(since)},
    )
    if latest is None or latest[0] == OutboxStatus.SENT:
        return None
    return str(latest[1] or "failed")


_LATEST_TO_CHANNEL_SQL = (
    "SELECT status, last_error FROM outbox_message WHERE team_id = :team_id "
    "AND recipient_channel = :channel AND status IN ('sent', 'failed', 'rerouted'){since} "
    "ORDER BY id DESC LIMIT 1"
)
_LATEST_TO_CHANNEL = Sql(_LATEST_TO_CHANNEL_SQL.format(since=""))
_LATEST_TO_CHANNEL_SINCE = Sql(_LATEST_TO_CHANNEL_SQL.format(since=" AND created_at >= :since"))


def unsent_keys(*, session: Session, team_id: str, user_id: str | None, kind: str) -> list[str]:
    """The keys of `user_id`'s messages (anyone's: None) of `kind` that no dispatcher has
    claimed yet (held or not), oldest first."""
    statement = (
        sa.select(_T.c.dedupe_key)
        .where(
            _T.c.team_id == team_id,
            sa.true() if user_id is None else _T.c.recipient_user == user_id,
            _T.c.kind == kind,
            _T.c.status == OutboxStatus.PENDING,
        )
        .order_by(_T.c.id)
    )
    return [str(key) for key in session.execute(statement).scalars()]


def keys_starting(*, session: Session, team_id: str, prefix: str) -> list[str]:
    """The keys of the workspace's messages, whatever their state, that begin with `prefix`."""
    statement = sa.select(_T.c.dedupe_key).where(
        _T.c.team_id == team_id, _T.c.dedupe_key.startswith(prefix, autoescape=True)
    )
    return [str(key) for key in session.execute(statement).scalars()]


def latest_refused_due(
    *,
    session: Session,
    team_id: str,
    key_prefix: str,
    kind: str,
    recipient_user: str,
    errors: Collection[str],
) -> datetime | None:
    """When the latest message of `kind` to `recipient_user`, keyed under `key_prefix`, that
    failed with one of Slack's `errors` (its code is in the row's last error) was due; None
    when none did: one query, however many messages the prefix has."""
    statement = sa.select(sa.func.max(_T.c.due_at)).where(
        _T.c.team_id == team_id,
        _T.c.dedupe_key.startswith(key_prefix, autoescape=True),
        _T.c.kind == kind,
        _T.c.recipient_user == recipient_user,
        _T.c.status == OutboxStatus.FAILED,
        sa.or_(*(_T.c.last_error.contains(code, autoescape=True) for code in errors)),
    )
    return utc_or_none(session.execute(statement).scalar())


def latest_told_key(*, session: Session, team_id: str, key_prefix: str) -> str | None:
    """The key of the workspace's newest message whose key starts with `key_prefix` that has
    gone out (or is going, or was tried): the one its reader read last. None when none has."""
    found = session.execute(_told(team_id, key_prefix).limit(1)).scalar()
    return None if found is None else str(found)


def _told(team_id: str, key_prefix: str) -> sa.Select[tuple[str]]:
    """The keys under `key_prefix` of messages gone out (or going, or tried), newest first."""
    return (
        sa.select(_T.c.dedupe_key)
        .where(
            _T.c.team_id == team_id,
            _T.c.dedupe_key.startswith(key_prefix, autoescape=True),
            _T.c.status.not_in([OutboxStatus.PENDING, OutboxStatus.CANCELLED]),
        )
        .order_by(_T.c.id.desc())
    )


def told_keys(*, session: Session, team_id: str, key_prefix: str) -> list[str]:
    """The keys of the workspace's messages whose key starts with `key_prefix` that have gone
    out (or are going, or were tried), newest first: what their reader read, last read first."""
    return [str(key) for key in session.execute(_told(team_id, key_prefix)).scalars()]


def unsent_keys_starting(*, session: Session, team_id: str, prefix: str) -> list[str]:
    """The keys of the workspace's messages that begin with `prefix` and that no dispatcher
    has claimed yet, oldest first."""
    statement = (
        sa.select(_T.c.dedupe_key)
        .where(
            _T.c.team_id == team_id,
            _T.c.dedupe_key.startswith(prefix, autoescape=True),
            _T.c.status == OutboxStatus.PENDING,
        )
        .order_by(_T.c.id)
    )
    return [str(key) for key in session.execute(statement).scalars()]


def latest_due_at(*, session: Session, team_id: str, key_prefix: str) -> datetime | None:
    """When the latest of the workspace's messages whose key starts with `key_prefix` fell due,
    of those not cancelled (sent, being sent or still to send); None when there is none."""
    statement = sa.select(sa.func.max(_T.c.due_at)).where(
        _T.c.team_id == team_id,
        _T.c.dedupe_key.startswith(key_prefix, autoescape=True),
        _T.c.status != OutboxStatus.CANCELLED,
    )
    return utc_or_none(session.execute(statement).scalar())


def set_expiry(*, session: Session, team_id: str, message_id: int, expires_at: datetime) -> None:
    """Set when the message, if still unsent, is cancelled."""
    session.execute(
        sa.update(_T)
        .where(_T.c.team_id == team_id, _T.c.id == message_id)
        .values(expires_at=expires_at)
    )


def rewrite_unsent(
    *, session: Session, team_id: str, dedupe_key: str, text: str, blocks: Sequence[dict[str, Any]]
) -> bool:
    """Replace the content of a message no dispatcher has claimed yet; False when it is being or
    has been sent (or is gone)."""
    return _update_unsent(
        session, team_id, _T.c.dedupe_key == dedupe_key, text=text, blocks=list(blocks)
    )


def redirect_unsent(
    *,
    session: Session,
    team_id: str,
    dedupe_key: str,
    user_id: str,
    text: str,
    blocks: Sequence[dict[str, Any]],
    available_at: datetime,
) -> bool:
    """Send a direct message no dispatcher has claimed yet to `user_id` instead, worded anew
    and due when it may reach them; False when it is being or has been sent (or is gone)."""
    return _update_unsent(
        session,
        team_id,
        _T.c.dedupe_key == dedupe_key,
        recipient_user=user_id,
        text=text,
        blocks=list(blocks),
        available_at=available_at,
        held=False,
    )


class WaitingForHours(NamedTuple):
    """A direct message that waits for its recipient's working hours."""

    id: int
    recipient_user: str
    due_at: datetime
    available_at: datetime


def waiting_for_hours(*, session: Session, team_id: str, after: datetime) -> list[WaitingForHours]:
    """The workspace's direct messages still to send after `after` because of working hours:
    never tried (no retry waits), and not held back for time away (`release_held` ends that)."""
    rows = session.execute(
        sa.select(_T.c.id, _T.c.recipient_user, _T.c.due_at, _T.c.available_at).where(
            _T.c.team_id == team_id,
            _T.c.status == OutboxStatus.PENDING,
            _T.c.respect_working_hours.is_(True),
            _T.c.recipient_user.is_not(None),
            _T.c.held.is_(False),
            _T.c.attempts == 0,
            _T.c.available_at > after,
        )
    ).all()
    return [
        WaitingForHours(
            id=row.id,
            recipient_user=row.recipient_user,
            due_at=utc(row.due_at),
            available_at=utc(row.available_at),
        )
        for row in rows
    ]


def move_unsent(*, session: Session, team_id: str, message_id: int, available_at: datetime) -> bool:
    """Make a message no dispatcher has claimed yet go at `available_at`; False when it is
    being or has been sent (or is gone)."""
    return _update_unsent(session, team_id, _T.c.id == message_id, available_at=available_at)


def redue_unsent(
    *,
    session: Session,
    team_id: str,
    dedupe_key: str,
    due_at: datetime,
    expires_at: datetime | None,
) -> bool:
    """Make a message no dispatcher has claimed (nor tried) yet due at `due_at`, lapsing at
    `expires_at`; it goes then once `retime_for_hours` (or the dispatcher) times it. False when
    it is being or has been sent, was tried, or is gone."""
    return _update_unsent(
        session,
        team_id,
        sa.and_(_T.c.dedupe_key == dedupe_key, _T.c.attempts == 0),
        due_at=due_at,
        expires_at=expires_at,
    )


def _update_unsent(
    session: Session, team_id: str, which: sa.ColumnElement[bool], **values: Any
) -> bool:
    """Update the one message `which` picks, if no dispatcher has claimed it yet."""
    statement = (
        sa.update(_T)
        .where(_T.c.team_id == team_id, which, _T.c.status == OutboxStatus.PENDING)
        .values(**values)
    )
    return _rowcount(session, statement) == 1


def release_held(*, session: Session, team_id: str, user_id: str, now: datetime) -> int:
    """Make the DMs held back while `user_id` was away due now; returns how many."""
    statement = (
        sa.update(_T)
        .where(
            _T.c.team_id == team_id,
            _T.c.recipient_user == user_id,
            _T.c.status == OutboxStatus.PENDING,
            _T.c.held.is_(True),
        )
        .values(available_at=now, held=False)
    )
    return _rowcount(session, statement)


# --- What admins and operators see --------------------------------------------------------------


def _summaries(statement: sa.Select[Any], session: Session) -> list[DeliverySummary]:
    return [
        DeliverySummary(
            id=row.id,
            team_id=row.team_id,
            kind=row.kind,
            recipient_user=row.recipient_user,
            recipient_channel=row.recipient_channel,
            due_at=row.due_at,
            available_at=row.available_at,
            status=row.status,
            attempts=row.attempts,
            last_error=row.last_error,
            held=row.held,
            expires_at=row.expires_at,
        )
        for row in session.execute(statement)
    ]


# The kind of the hello Liaison says in a channel just chosen (`config channel`, `channel`).
CHANNEL_HELLO = "channel_hello"


# Slack's error codes by which a channel refuses a message (archived, deleted, private without
# Liaison, closed to apps), recorded as the row's last error `STEP: CODE`.
CHANNEL_REFUSALS = frozenset(
    {"channel_not_found", "not_in_channel", "is_archived", "restricted_action"}
)


def _refused_by_its_channel(table: sa.Table) -> sa.ColumnElement[bool]:
    """The row failed because its channel refused it (`CHANNEL_REFUSALS`)."""
    return sa.or_(
        *(
            table.c.last_error.like("%: " + code.replace("_", "\\_"), escape="\\")
            for code in sorted(CHANNEL_REFUSALS)
        )
    )


def unsettled_failure(table: sa.Table, team_id: str) -> sa.ColumnElement[bool]:
    """The workspace's failed messages admins still need to see (`config`, App Home): not
    those a later fix settled (QA qa21b NIT 8). A channel's refusal is settled once Liaison
    has since delivered a message there (it works now); a failed hello, once its channel is
    no longer chosen (neither the coordination channel nor a partner's): it carried nothing
    colleagues missed. A message that failed for any other reason (its layout refused, retries
    given up during an outage) stays listed however well the channel works since: colleagues
    never got it, and admins may queue it again. Operators still see them all (`liaison
    outbox --failed`)."""
    later = table.alias("later")
    sent_since = (
        sa.exists()
        .where(
            later.c.team_id == table.c.team_id,
            later.c.recipient_channel == table.c.recipient_channel,
            later.c.status == OutboxStatus.SENT,
            later.c.id > table.c.id,
        )
        .correlate(table)
    )
    workspace, partner = table_of(Workspace), table_of(Partner)
    chosen = sa.or_(
        sa.exists()
        .where(
            workspace.c.team_id == table.c.team_id,
            workspace.c.coordination_channel == table.c.recipient_channel,
        )
        .correlate(table),
        sa.exists()
        .where(
            partner.c.team_id == table.c.team_id,
            partner.c.channel_id == table.c.recipient_channel,
        )
        .correlate(table),
    )
    settled = sa.and_(
        table.c.recipient_channel.is_not(None),
        sa.or_(
            sa.and_(_refused_by_its_channel(table), sent_since),
            sa.and_(table.c.kind == CHANNEL_HELLO, sa.not_(chosen)),
        ),
    )
    return sa.and_(
        table.c.team_id == team_id, table.c.status == OutboxStatus.FAILED, sa.not_(settled)
    )


def failed_deliveries(*, session: Session, team_id: str, limit: int) -> list[DeliverySummary]:
    """The workspace's messages Slack refused or that gave up retrying, newest first; not
    those a later fix settled (`unsettled_failure`)."""
    statement = (
        sa.select(*_SUMMARY_COLUMNS)
        .where(unsettled_failure(_T, team_id))
        .order_by(_T.c.id.desc())
        .limit(limit)
    )
    return _summaries(statement, session)


def deliveries_by_status(
    *, session: Session, statuses: Collection[OutboxStatus], limit: int, latest: bool = False
) -> list[DeliverySummary]:
    """Rows in `statuses` across workspaces, next due first, or with `latest` the newest
    first (`liaison outbox`, for operators: after an outage, its failures)."""
    order = (_T.c.id.desc(),) if latest else (_T.c.available_at, _T.c.id)
    statement = (
        sa.select(*_SUMMARY_COLUMNS)
        .where(_T.c.status.in_([str(status) for status in statuses]))
        .order_by(*order)
        .limit(limit)
    )
    return _summaries(statement, session)


def kinds_queued(*, session: Session, failed_only: bool = False) -> list[str]:
    """The kinds of message the outbox holds, across workspaces (only of failed ones, with
    `failed_only`), by name: for an operator who named a kind none has."""
    statement = sa.select(_T.c.kind).distinct().order_by(_T.c.kind)
    if failed_only:
        statement = statement.where(_T.c.status == OutboxStatus.FAILED)
    return [str(kind) for kind in session.execute(statement).scalars()]


def teams_queued(*, session: Session, failed_only: bool = False) -> list[str]:
    """The workspaces (team ids) the outbox holds messages of (only failed ones, with
    `failed_only`), in order: for an operator who named a workspace none has."""
    statement = sa.select(_T.c.team_id).distinct().order_by(_T.c.team_id)
    if failed_only:
        statement = statement.where(_T.c.status == OutboxStatus.FAILED)
    return [str(team_id) for team_id in session.execute(statement).scalars()]


def requeue_failed(
    *, session: Session, now: datetime, team_id: str | None = None, kind: str | None = None
) -> int:
    """Queue failed messages again, due at `now`, as if never tried (`liaison outbox
    --retry-failed`, for operators after an outage): the workspace's, or with no `team_id`
    every workspace's; only those of `kind`, if given. Returns how many.

    Their attempts and last error stay, for the record; retries start a new span. The
    dispatcher judges each afresh: one that has expired meanwhile is cancelled, a DM waits
    for its person's working hours."""
    statement = (
        sa.update(_T)
        .where(
            _T.c.status == OutboxStatus.FAILED,
            sa.true() if team_id is None else _T.c.team_id == team_id,
            sa.true() if kind is None else _T.c.kind == kind,
        )
        .values(
            status=OutboxStatus.PENDING,
            available_at=now,
            claim_token=None,
            held=False,
            retrying_since=None,
        )
    )
    return _rowcount(session, statement)


def next_available_at(*, session: Session, team_id: str, after: datetime) -> datetime | None:
    """When the workspace's next pending message may go out, if later than `after`.

    The sandbox moves its clock to that moment, so each message is sent at its own time.
    """
    statement = sa.select(sa.func.min(_T.c.available_at)).where(
        _T.c.team_id == team_id,
        _T.c.status == OutboxStatus.PENDING,
        sa.not_(_T.c.held),
        _T.c.available_at > after,
    )
    # min() keeps the column's type, so the answer comes back aware UTC like the column.
    found: datetime | None = session.execute(statement).scalar_one_or_none()
    return found


def _key_or_prefix(
    dedupe_key: str | None, key_prefix: str | None, *, needed_by: str
) -> sa.ColumnElement[bool]:
    """The rows under `dedupe_key`, or those whose key starts with `key_prefix` (as typed: `%`
    and `_` match themselves); exactly one of them must be given."""
    if (dedupe_key is None) == (key_prefix is None):
        raise ValueError(f"{needed_by} needs exactly one of dedupe_key or key_prefix")
    if dedupe_key is not None:
        return _T.c.dedupe_key == dedupe_key
    return _T.c.dedupe_key.startswith(key_prefix, autoescape=True)
