"""a planned meeting its author said didn't happen

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-26 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE_PLAN = "kind = 'planned' AND cancelled_at IS NULL"


def upgrade() -> None:
    op.add_column("touchpoint", sa.Column("cancelled_at", UTCDateTime(), nullable=True))
    op.create_index(
        "ix_touchpoint_live_plan",
        "touchpoint",
        ["at", "team_id"],
        unique=False,
        sqlite_where=sa.text(LIVE_PLAN),
        postgresql_where=sa.text(LIVE_PLAN),
    )
    # Plans whose author answered their check-in "Didn't happen" before this revision: from
    # the author's first such answer on, they no longer count. (Plans never set the last
    # contact before this revision, so no partner's needs recounting.)
    op.execute(
        "UPDATE touchpoint SET cancelled_at = ("
        " SELECT min(coalesce(c.changed_at, c.answered_at)) FROM check_in AS c"
        " WHERE c.touchpoint_id = touchpoint.id AND c.team_id = touchpoint.team_id"
        " AND c.user_id = touchpoint.author_id AND c.answer = 'didnt_happen'"
        " AND c.meeting_at = touchpoint.at)"
        " WHERE kind = 'planned' AND EXISTS ("
        " SELECT 1 FROM check_in AS c"
        " WHERE c.touchpoint_id = touchpoint.id AND c.team_id = touchpoint.team_id"
        " AND c.user_id = touchpoint.author_id AND c.answer = 'didnt_happen'"
        " AND c.meeting_at = touchpoint.at)"
    )


def downgrade() -> None:
    op.drop_index("ix_touchpoint_live_plan", table_name="touchpoint")
    with op.batch_alter_table("touchpoint") as batch:
        batch.drop_column("cancelled_at")
