"""Queries on the outbox: enqueue idempotently, claim due rows, record what each send did.

Every row carries its workspace (`team_id`), and the functions that read a workspace's rows
filter by it. The dispatcher's claim is the one query that spans workspaces (one engine sends
for all of them); each claimed row says whose it is. Nothing here commits: the caller's
transaction decides (the dispatcher commits after every send, see `bot.delivery.dispatcher`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from storage.models import OutboxMessage, OutboxStatus
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
    respect_working_hours: bool
    expires_at: datetime | None
    attempts: int


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


_CLAIMED_COLUMNS = (
    _T.c.id,
    _T.c.team_id,
    _T.c.kind,
    _T.c.recipient_user,
    _T.c.recipient_channel,
    _T.c.text,
    _T.c.blocks,
    _T.c.dedupe_key,
    _T.c.thread_of_dedupe_key,
    _T.c.respect_working_hours,
    _T.c.expires_at,
    _T.c.attempts,
)
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
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(_T)
        .values(
            team_id=team_id,
            kind=kind,
            recipient_user=recipient_user,
            recipient_channel=recipient_channel,
            text=text,
            blocks=list(blocks),
            dedupe_key=dedupe_key,
            thread_of_dedupe_key=thread_of_dedupe_key,
            respect_working_hours=respect_working_hours,
            due_at=due_at,
            available_at=available_at,
            expires_at=expires_at,
            status=OutboxStatus.PENDING,
            held=False,
            attempts=0,
            created_at=created_at,
        )
        .on_conflict_do_nothing(index_elements=["team_id", "dedupe_key"])
        .returning(_T.c.id)
    )
    return session.execute(statement).first() is not None


def get_message(*, session: Session, team_id: str, dedupe_key: str) -> OutboxMessage | None:
    """The workspace's row with this dedupe key (its status, and where it was sent)."""
    statement = sa.select(OutboxMessage).where(
        _T.c.team_id == team_id, _T.c.dedupe_key == dedupe_key
    )
    return session.execute(statement).scalars().first()


# --- The dispatcher's protocol ------------------------------------------------------------------


def claim_due(
    *, session: Session, now: datetime, lease_until: datetime, token: str, limit: int
) -> list[Claimed]:
    """Claim up to `limit` rows due at `now`, across workspaces, until `lease_until`.

    Due means pending with `available_at <= now`, or being sent by someone whose lease ran out
    (a crashed process). On PostgreSQL the candidate rows are locked with FOR UPDATE SKIP
    LOCKED, so concurrent dispatchers never claim the same row; SQLite serialises writers, so
    the single conditional UPDATE is enough there.
    """
    due = (
        sa.select(_T.c.id)
        .where(_STILL_TO_SEND, _T.c.available_at <= now)
        .order_by(_T.c.available_at, _T.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("due")
    )
    statement = (
        sa.update(_T)
        .where(_T.c.id.in_(sa.select(due.c.id)))
        .values(status=OutboxStatus.SENDING, claim_token=token, available_at=lease_until)
        .returning(*_CLAIMED_COLUMNS)
    )
    rows = session.execute(statement).all()
    claimed = [
        Claimed(
            id=row.id,
            team_id=row.team_id,
            kind=row.kind,
            recipient_user=row.recipient_user,
            recipient_channel=row.recipient_channel,
            text=row.text,
            blocks=list(row.blocks or []),
            dedupe_key=row.dedupe_key,
            thread_of_dedupe_key=row.thread_of_dedupe_key,
            respect_working_hours=row.respect_working_hours,
            expires_at=row.expires_at,
            attempts=row.attempts,
        )
        for row in rows
    ]
    return sorted(claimed, key=lambda row: row.id)


def _rowcount(session: Session, statement: sa.Update) -> int:
    result = session.execute(statement)
    assert isinstance(result, sa.CursorResult)
    return result.rowcount


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


# The dispatcher records every send with this one statement, so it skips SQLAlchemy's statement
# machinery (a third of its cost) and goes to the driver as plain SQL in the driver's own style.
_MARK_SENT_PARAMS = ("channel", "ts", "sent_at", "message_id", "token")
_MARK_SENT = """
UPDATE outbox_message
SET status = 'sent', sent_channel = {channel}, sent_ts = {ts}, sent_at = {sent_at},
    attempts = attempts + 1, claim_token = NULL, last_error = NULL, held = {false}
WHERE id = {message_id} AND claim_token = {token} AND status = 'sending'
"""
_MARK_SENT_SQL = {
    "postgresql": _MARK_SENT.format(
        false="false", **{name: f"%({name})s" for name in _MARK_SENT_PARAMS}
    ),
    "sqlite": _MARK_SENT.format(false="0", **{name: f":{name}" for name in _MARK_SENT_PARAMS}),
}


def mark_sent(
    *, session: Session, message_id: int, token: str, channel: str, ts: str, sent_at: datetime
) -> bool:
    """Record Slack's accept. False when the claim was lost (the lease ran out meanwhile)."""
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "sqlite":
        # As storage.types.UTCDateTime and SQLAlchemy's SQLite DATETIME store it.
        stamp: datetime | str = sent_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    else:
        stamp = sent_at.astimezone(UTC)
    result = connection.exec_driver_sql(
        _MARK_SENT_SQL[dialect],
        {"message_id": message_id, "token": token, "channel": channel, "ts": ts, "sent_at": stamp},
    )
    return result.rowcount == 1


def reschedule(
    *,
    session: Session,
    message_id: int,
    token: str,
    available_at: datetime,
    attempted: bool,
    last_error: str | None = None,
    held: bool = False,
) -> bool:
    """Put a claimed row back as pending until `available_at` (a retry, a slot, a hold)."""
    values: dict[str, Any] = {
        "status": OutboxStatus.PENDING,
        "available_at": available_at,
        "claim_token": None,
        "held": held,
    }
    if last_error is not None:
        values["last_error"] = last_error[:500]
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
    """Close a claimed row for good: failed (Slack refused it) or cancelled (it expired)."""
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


def extend_lease(
    *, session: Session, message_ids: Collection[int], token: str, lease_until: datetime
) -> int:
    """Keep holding rows a slow batch has not reached yet."""
    return _update_claimed(session, message_ids, token=token, values={"available_at": lease_until})


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
) -> int:
    """Cancel the workspace's queued messages that no dispatcher has claimed yet (held for an
    absence or not): the one queued under `dedupe_key`, or those whose key starts with
    `key_prefix`. Rows being or already sent are left alone. Returns how many were cancelled."""
    if (dedupe_key is None) == (key_prefix is None):
        raise ValueError("cancel_unsent needs exactly one of dedupe_key or key_prefix")
    key = (
        _T.c.dedupe_key == dedupe_key
        if dedupe_key is not None
        else _T.c.dedupe_key.startswith(key_prefix, autoescape=True)
    )
    statement = (
        sa.update(_T)
        .where(_T.c.team_id == team_id, key, _T.c.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.CANCELLED, last_error="no longer needed", held=False)
    )
    return _rowcount(session, statement)


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
        )
        for row in session.execute(statement)
    ]


def failed_deliveries(*, session: Session, team_id: str, limit: int) -> list[DeliverySummary]:
    """The workspace's messages Slack refused or that gave up retrying, newest first."""
    statement = (
        sa.select(*_SUMMARY_COLUMNS)
        .where(_T.c.team_id == team_id, _T.c.status == OutboxStatus.FAILED)
        .order_by(_T.c.id.desc())
        .limit(limit)
    )
    return _summaries(statement, session)


def deliveries_by_status(
    *, session: Session, statuses: Collection[OutboxStatus], limit: int
) -> list[DeliverySummary]:
    """Rows in `statuses` across workspaces, next due first (`liaison outbox`, for operators)."""
    statement = (
        sa.select(*_SUMMARY_COLUMNS)
        .where(_T.c.status.in_([str(status) for status in statuses]))
        .order_by(_T.c.available_at, _T.c.id)
        .limit(limit)
    )
    return _summaries(statement, session)


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
