"""Queries on workspace settings (`/partner config`) and Liaison's own admin list.

A workspace without a settings row has the defaults of `Workspace`; the first change creates
the row. Nothing here commits: the caller's transaction decides.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import TypedDict, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from storage.models import OutboxMessage, Workspace, WorkspaceAdmin
from storage.outbox import unsettled_failure
from storage.upsert import table_of, upsert


class SettingsUpdate(TypedDict, total=False):
    """New values for some of a workspace's settings columns (the others stay as they are)."""

    coordination_channel: str | None
    window_days: int
    work_start_hour: int
    work_end_hour: int
    work_days: str
    timezone: str
    pulse_cadence: str
    checkin_delay_hours: int | None
    anonymity_threshold: int
    digest_day: str
    digest_time: str
    digest_decided: str | None
    digest_covered_until: datetime | None


def get_workspaces(*, session: Session, team_ids: Collection[str]) -> dict[str, Workspace]:
    """The settings rows of `team_ids` that exist, by team id (absent: the defaults apply)."""
    if not team_ids:
        return {}
    statement = select(Workspace).where(col(Workspace.team_id).in_(set(team_ids)))
    return {workspace.team_id: workspace for workspace in session.exec(statement)}


def get_workspace(*, session: Session, team_id: str) -> Workspace | None:
    """The workspace's settings row, if any setting was ever changed."""
    return session.get(Workspace, team_id)


def update_settings(
    *, session: Session, team_id: str, changes: SettingsUpdate, now: datetime
) -> Workspace:
    """Apply `changes` to the workspace's settings, creating its row (defaults) if it has none.

    One upsert, so two first changes at once cannot both try to create the row; on PostgreSQL
    it also locks the row until the caller's transaction ends, which serialises changes.
    Returns the settings as stored afterwards.
    """
    defaults = Workspace(team_id=team_id, created_at=now).model_dump()
    # `team_id = team_id` when nothing else changes: still a write, so still the row lock.
    update = dict(changes) or {"team_id": team_id}
    row = upsert(session, Workspace, {**defaults, **changes}, key=("team_id",), update=update)
    return Workspace.model_validate(row._asdict())


def listed_admins(*, session: Session, team_id: str) -> list[str]:
    """The user ids named with `config admins`, in id order."""
    statement = (
        select(WorkspaceAdmin.user_id)
        .where(WorkspaceAdmin.team_id == team_id)
        .order_by(col(WorkspaceAdmin.user_id))
    )
    return list(session.exec(statement))


def replace_admins(
    *, session: Session, team_id: str, user_ids: Collection[str], now: datetime
) -> None:
    """Make `user_ids` the workspace's whole `config admins` list."""
    update_settings(session=session, team_id=team_id, changes={}, now=now)  # the row they need
    table = table_of(WorkspaceAdmin)
    session.execute(sa.delete(table).where(table.c.team_id == team_id))
    if not user_ids:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    rows = [{"team_id": team_id, "user_id": user_id} for user_id in sorted(set(user_ids))]
    session.execute(insert(table).values(rows).on_conflict_do_nothing())


def count_failed_deliveries(
    *, session: Session, team_id: str, queued_with: Mapping[str, str] | None = None
) -> int:
    """How many of the workspace's messages failed for good, those a later fix settled left out
    (`config` and the admins' Home list the latest few: `storage.outbox.failed_deliveries`); it
    reads the same small partial index. With `queued_with` (a kind, and the kind of the message
    it is queued with: a survey's statement, its invitation) the lines they make: a message
    that failed with the one it was queued with (same recipient, moment and reason) is counted
    in that one's line, not on its own."""
    table = table_of(OutboxMessage)
    failed = unsettled_failure(table, team_id)
    statement = sa.select(sa.func.count()).select_from(table).where(failed)
    folded = []
    for kind, parent_kind in (queued_with or {}).items():
        # An alias reads as its table to `unsettled_failure`, which takes tables.
        parent = cast(sa.Table, table.alias("queued_with"))
        folded.append(
            sa.and_(
                table.c.kind == kind,
                sa.exists().where(
                    unsettled_failure(parent, team_id),
                    parent.c.kind == parent_kind,
                    *(
                        parent.c[column].is_not_distinct_from(table.c[column])
                        for column in ("recipient_user", "recipient_channel", "due_at")
                    ),
                    parent.c.last_error.is_not_distinct_from(table.c.last_error),
                ),
            )
        )
    if folded:
        statement = statement.where(sa.not_(sa.or_(*folded)))
    return int(session.execute(statement).scalar_one())
