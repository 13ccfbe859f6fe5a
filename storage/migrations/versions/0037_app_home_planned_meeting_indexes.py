"""index the App Home's planned meetings: live plans by workspace, participants by person

Opening the App Home lists the planned meetings still to come that someone planned, takes part
in, or has on a partner they own or deputise. Without these, SQLite (which has no statistics
unless ANALYZE ran) read every touchpoint of the workspace by its team index, and finding the
meetings someone takes part in read every participant row of every workspace (the primary key
starts with the touchpoint).

Revision ID: 0037
Revises: 0036
Create Date: 2026-11-28 02:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0037"
down_revision: str | None = "0036"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As storage.models.LIVE_PLAN at this revision (a migration does not follow the models).
LIVE_PLAN = "kind = 'planned' AND cancelled_at IS NULL"


def upgrade() -> None:
    op.create_index(
        "ix_touchpoint_team_live_plan",
        "touchpoint",
        ["team_id", "at"],
        sqlite_where=sa.text(LIVE_PLAN),
        postgresql_where=sa.text(LIVE_PLAN),
    )
    op.create_index("ix_touchpoint_participant_user_id", "touchpoint_participant", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_touchpoint_participant_user_id", table_name="touchpoint_participant")
    op.drop_index("ix_touchpoint_team_live_plan", table_name="touchpoint")
