"""touchpoints by medium and time, for the check-in planner

Revision ID: 0013
Revises: 0010
Create Date: 2026-11-26 00:10:00

The check-in planner asks which workspaces had a meeting, call or event lately
(`storage.feedback.teams_with_touchpoints_since`: `at >= since AND medium IN (…)`, across
workspaces). No index led with `at`, so at 10^6 touchpoints SQLite scanned them all. This one
answers it from the index alone: a range of `at` for each asked medium, team_id read from the
index entries.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("touchpoint", schema=None) as batch_op:
        batch_op.create_index(
            "ix_touchpoint_medium_time", ["medium", "at", "team_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("touchpoint", schema=None) as batch_op:
        batch_op.drop_index("ix_touchpoint_medium_time")
