"""registry version and one deputy per partner

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 20:42:34.666679
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "registry_version",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("team_id"),
    )
    with op.batch_alter_table("team_membership", schema=None) as batch_op:
        batch_op.create_index(
            "uq_team_membership_one_deputy",
            ["partner_id"],
            unique=True,
            sqlite_where=sa.text("role = 'deputy'"),
            postgresql_where=sa.text("role = 'deputy'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("team_membership", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_team_membership_one_deputy",
            sqlite_where=sa.text("role = 'deputy'"),
            postgresql_where=sa.text("role = 'deputy'"),
        )
    op.drop_table("registry_version")
