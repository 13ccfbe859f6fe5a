"""Queries about commitments and stay-in-touch cadences.

Every function takes the workspace's `team_id` and touches only that workspace's rows, except the
two planners' scans (`due_for_reminders`, `workspaces_with_partners`), which span workspaces the
way the outbox's claim does: one process plans for all of them, and each row says whose it is.
Functions that write flush but never commit: the caller's transaction decides.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, func, select

from storage import outbox as outbox_store
from storage.models import (
    Commitment,
    CommitmentStatus,
    Partner,
    PartnerCadence,
    StatusCadence,
    next_commitment_number,
)
from storage.sql import rowcount
from storage.upsert import table_of, upsert

_T = table_of(Commitment)

# --- Commitments --------------------------------------------------------------------------------


def insert_commitment(
    *,
    session: Session,
    team_id: str,
    partner_id: int,
    side: str,
    owner_id: str,
    what: str,
    due_on: date,
    created_by: str,
    now: datetime,
    request_key: str | None,
) -> int | None:
    """Add an open commitment, numbered next in its workspace, and return its id; None when
    `request_key` was used already (a Slack retry of the same request), after which the caller
    rolls back to give the number back. INSERT … ON CONFLICT DO NOTHING never aborts the
    caller's transaction."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # Taken first: the counter row stays locked until the caller's transaction ends, so a
    # concurrent commitment in the same workspace waits for it and gets the next number.
    number = next_commitment_number(session.connection(), team_id)
    statement = (
        insert(_T)
        .values(
            team_id=team_id,
            number=number,
            partner_id=partner_id,
            side=side,
            owner_id=owner_id,
            what=what,
            due_on=due_on,
            status=CommitmentStatus.OPEN,
            created_by=created_by,
            created_at=now,
            due_set_at=now,
            request_key=request_key,
        )
        .on_conflict_do_nothing(index_elements=["team_id", "request_key"])
        .returning(_T.c.id)
    )
    found = session.execute(statement).scalar()
    return None if found is None else int(found)


def commitment_with_key(*, session: Session, team_id: str, request_key: str) -> Commitment | None:
    """The workspace's commitment recorded by the request with this key, if any."""
    statement = select(Commitment).where(
        Commitment.team_id == team_id, Commitment.request_key == request_key
    )
    return session.exec(statement).first()


def commitment_id_by_number(*, session: Session, team_id: str, number: int) -> int | None:
    """The id of the workspace's commitment with this number (as people type it), if any."""
    statement = select(Commitment.id).where(
        Commitment.team_id == team_id, Commitment.number == number
    )
    return session.exec(statement).first()


def get_commitment(*, session: Session, team_id: str, commitment_id: int) -> Commitment | None:
    """The commitment with this id, if it belongs to the workspace."""
    found = session.get(Commitment, commitment_id)
    return found if found is not None and found.team_id == team_id else None


def close_commitment(
    *,
    session: Session,
    team_id: str,
    commitment_id: int,
    status: CommitmentStatus,
    by: str,
    at: datetime,
    on_time: bool | None,
    note: str | None = None,
) -> bool:
    """Close an open commitment as done or dropped, with why (`note`) if said; False when it
    was closed already (the first of two simultaneous closes wins)."""
    statement = (
        sa.update(_T)
        .where(
            _T.c.team_id == team_id,
            _T.c.id == commitment_id,
            _T.c.status == CommitmentStatus.OPEN,
        )
        .values(status=status, closed_by=by, closed_at=at, on_time=on_time, close_note=note)
    )
    return rowcount(session, statement) == 1


def reopen_commitment(*, session: Session, team_id: str, commitment_id: int) -> bool:
    """Open a closed commitment again, forgetting who closed it, when and why; its reminders
    go on from its due day as if it had never been closed. False when it is open already (the
    first of two reopens wins)."""
    statement = (
        sa.update(_T)
        .where(
            _T.c.team_id == team_id,
            _T.c.id == commitment_id,
            _T.c.status != CommitmentStatus.OPEN,
        )
        .values(
            status=CommitmentStatus.OPEN,
            closed_by=None,
            closed_at=None,
            on_time=None,
            close_note=None,
        )
    )
    return rowcount(session, statement) == 1


def set_due(
    *, session: Session, team_id: str, commitment_id: int, due_on: date, at: datetime
) -> bool:
    """Give an open commitment a new due day; False when it is closed."""
    statement = (
        sa.update(_T)
        .where(
            _T.c.team_id == team_id,
            _T.c.id == commitment_id,
            _T.c.status == CommitmentStatus.OPEN,
        )
        .values(due_on=due_on, due_set_at=at)
    )
    return rowcount(session, statement) == 1


def replace_owner(
    *, session: Session, team_id: str, commitment_id: int, owner_id: str, instead_of: str
) -> bool:
    """Give the commitment another owner, if `instead_of` still owns it: someone picked in the
    form whom Slack then said is of another organisation. False when someone else owns it."""
    statement = (
        sa.update(_T)
        .where(_T.c.team_id == team_id, _T.c.id == commitment_id, _T.c.owner_id == instead_of)
        .values(owner_id=owner_id)
    )
    return rowcount(session, statement) == 1


@dataclass(frozen=True)
class CommitmentFilter:
    """Which commitments to read; every field that is set must hold."""

    status: CommitmentStatus | None = None
    # Any of these statuses (`closed` lists done and dropped ones together).
    statuses: Collection[str] | None = None
    partner_ids: Collection[int] | None = None
    owner_id: str | None = None
    due_before: date | None = None


def _where(team_id: str, where: CommitmentFilter) -> list[sa.ColumnElement[bool]]:
    conditions = [_T.c.team_id == team_id]
    if where.status is not None:
        conditions.append(_T.c.status == where.status)
    if where.statuses is not None:
        conditions.append(_T.c.status.in_(set(where.statuses)))
    if where.partner_ids is not None:
        conditions.append(_T.c.partner_id.in_(set(where.partner_ids)))
    if where.owner_id is not None:
        conditions.append(_T.c.owner_id == where.owner_id)
    if where.due_before is not None:
        conditions.append(_T.c.due_on < where.due_before)
    return conditions


def commitments(
    *, session: Session, team_id: str, where: CommitmentFilter, limit: int | None = None
) -> list[Commitment]:
    """The commitments matching `where`, earliest due first."""
    statement = (
        select(Commitment)
        .where(*_where(team_id, where))
        .order_by(col(Commitment.due_on), col(Commitment.id))
    )
    if limit is not None:
        statement = statement.limit(limit)
    return list(session.exec(statement))


def recently_closed(
    *, session: Session, team_id: str, where: CommitmentFilter, limit: int
) -> list[Commitment]:
    """Up to `limit` of the closed commitments matching `where`, the latest closed first."""
    statement = (
        select(Commitment)
        .where(*_where(team_id, where), col(Commitment.closed_at).is_not(None))
        .order_by(col(Commitment.closed_at).desc(), col(Commitment.id).desc())
        .limit(limit)
    )
    return list(session.exec(statement))


def commitment_count(*, session: Session, team_id: str, where: CommitmentFilter) -> int:
    """How many commitments match `where`."""
    statement = select(func.count()).select_from(Commitment).where(*_where(team_id, where))
    return int(session.exec(statement).one())


@dataclass(frozen=True)
class Tally:
    """How many of a partner's commitments are in one state."""

    partner_id: int
    side: str
    status: str
    on_time: bool | None
    count: int


def tallies(*, session: Session, team_id: str, partner_ids: Collection[int] | None) -> list[Tally]:
    """Counts of commitments by partner, side, status and punctuality (all partners: None)."""
    statement = (
        sa.select(_T.c.partner_id, _T.c.side, _T.c.status, _T.c.on_time, sa.func.count())
        .where(_T.c.team_id == team_id)
        .group_by(_T.c.partner_id, _T.c.side, _T.c.status, _T.c.on_time)
    )
    if partner_ids is not None:
        statement = statement.where(_T.c.partner_id.in_(set(partner_ids)))
    return [
        Tally(partner_id=row[0], side=row[1], status=row[2], on_time=row[3], count=int(row[4]))
        for row in session.execute(statement)
    ]


def due_for_reminders(
    *, session: Session, until: date, after: tuple[date, int] | None, limit: int
) -> list[Commitment]:
    """Open commitments of every workspace due before `until`, by due day then id, after the
    position `after` (due day, id) of the previous page (the reminder planner)."""
    statement = select(Commitment).where(
        Commitment.status == CommitmentStatus.OPEN, col(Commitment.due_on) < until
    )
    if after is not None:
        statement = statement.where(
            sa.tuple_(col(Commitment.due_on), col(Commitment.id)) > sa.tuple_(*after)
        )
    statement = statement.order_by(col(Commitment.due_on), col(Commitment.id)).limit(limit)
    return list(session.exec(statement))


def cancel_unsent(*, session: Session, team_id: str, key_prefix: str) -> int:
    """Cancel the workspace's queued messages whose dedupe key starts with `key_prefix` and that
    no dispatcher has claimed yet (a reminder about a commitment closed meanwhile). Rows being
    sent are left alone. Returns how many were cancelled."""
    return outbox_store.cancel_unsent(session=session, team_id=team_id, key_prefix=key_prefix)


# --- Stay-in-touch cadence ----------------------------------------------------------------------


@dataclass(frozen=True)
class CadenceRow:
    """A partner's own intervals (None: not set) and the end of its nudge's snooze."""

    ideal_days: int | None
    max_days: int | None
    snoozed_until: datetime | None


def partner_cadences(
    *, session: Session, team_id: str, partner_ids: Collection[int] | None
) -> dict[int, CadenceRow]:
    """The own cadence of each partner that has one (all partners: None).

    A partner may hold several rows after a merge: the latest intervals and the latest snooze
    count.
    """
    statement = select(PartnerCadence).where(PartnerCadence.team_id == team_id)
    if partner_ids is not None:
        statement = statement.where(col(PartnerCadence.partner_id).in_(set(partner_ids)))
    statement = statement.order_by(col(PartnerCadence.changed_at), col(PartnerCadence.id))
    rows: dict[int, list[PartnerCadence]] = defaultdict(list)
    for row in session.exec(statement):
        rows[row.partner_id].append(row)
    return {partner_id: _merged(found) for partner_id, found in rows.items()}


def _merged(rows: list[PartnerCadence]) -> CadenceRow:
    intervals = [row for row in rows if row.ideal_days is not None and row.max_days is not None]
    snoozes = [row.snoozed_until for row in rows if row.snoozed_until is not None]
    latest = intervals[-1] if intervals else None
    return CadenceRow(
        ideal_days=None if latest is None else latest.ideal_days,
        max_days=None if latest is None else latest.max_days,
        snoozed_until=max(snoozes) if snoozes else None,
    )


def save_partner_cadence(
    *,
    session: Session,
    team_id: str,
    partner_id: int,
    cadence: CadenceRow,
    by: str,
    at: datetime,
) -> None:
    """Make `cadence` the partner's own, replacing whatever rows it had."""
    session.execute(
        sa.delete(table_of(PartnerCadence)).where(
            col(PartnerCadence.team_id) == team_id, col(PartnerCadence.partner_id) == partner_id
        )
    )
    session.add(
        PartnerCadence(
            team_id=team_id,
            partner_id=partner_id,
            ideal_days=cadence.ideal_days,
            max_days=cadence.max_days,
            snoozed_until=cadence.snoozed_until,
            changed_by=by,
            changed_at=at,
        )
    )
    session.flush()


def status_cadences(*, session: Session, team_id: str) -> dict[str, tuple[int, int]]:
    """The workspace's intervals per partner status, (ideal, max) in days, where it set them."""
    statement = select(StatusCadence).where(StatusCadence.team_id == team_id)
    return {row.status: (row.ideal_days, row.max_days) for row in session.exec(statement)}


def save_status_cadence(
    *,
    session: Session,
    team_id: str,
    status: str,
    ideal_days: int,
    max_days: int,
    by: str,
    at: datetime,
) -> None:
    """Set the intervals of every partner of `status` that has none of its own."""
    values: dict[str, Any] = {
        "ideal_days": ideal_days,
        "max_days": max_days,
        "changed_by": by,
        "changed_at": at,
    }
    upsert(
        session,
        StatusCadence,
        {"team_id": team_id, "status": status, **values},
        key=("team_id", "status"),
        update=values,
    )


def quiet_partners(
    *, session: Session, team_id: str, statuses: Collection[str], quiet_since: datetime
) -> list[Partner]:
    """Partners of `statuses` whose last contact (their registration when never in touch) is
    at or before `quiet_since`, longest quiet first."""
    last_activity = func.coalesce(Partner.last_contact_at, Partner.created_at)
    statement = (
        select(Partner)
        .where(
            Partner.team_id == team_id,
            col(Partner.status).in_(list(statuses)),
            last_activity <= quiet_since,
        )
        .order_by(last_activity, col(Partner.id))
    )
    return list(session.exec(statement))


def workspaces_with_partners(*, session: Session) -> list[str]:
    """Every workspace that has registered a partner (the cadence planner's round)."""
    statement = select(Partner.team_id).distinct().order_by(col(Partner.team_id))
    return list(session.exec(statement))
