"""a touchpoint with several people at the partner

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-26 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "touchpoint_contact",
        sa.Column("touchpoint_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["touchpoint_id"], ["touchpoint.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("touchpoint_id", "contact_id"),
    )
    op.create_index(
        "ix_touchpoint_contact_contact_id", "touchpoint_contact", ["contact_id"], unique=False
    )
    op.execute(
        "INSERT INTO touchpoint_contact (touchpoint_id, contact_id, team_id, position) "
        "SELECT id, contact_id, team_id, 0 FROM touchpoint WHERE contact_id IS NOT NULL"
    )
    # SQLite rebuilds the table (its other rows' references survive: see env.py).
    with op.batch_alter_table("touchpoint") as batch:
        batch.drop_column("contact_id")


def downgrade() -> None:
    with op.batch_alter_table("touchpoint") as batch:
        batch.add_column(sa.Column("contact_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_touchpoint_contact_id_contact",
            "contact",
            ["contact_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.execute(
        "UPDATE touchpoint SET contact_id = (SELECT tc.contact_id FROM touchpoint_contact AS tc "
        "WHERE tc.touchpoint_id = touchpoint.id ORDER BY tc.position LIMIT 1)"
    )
    op.drop_index("ix_touchpoint_contact_contact_id", table_name="touchpoint_contact")
    op.drop_table("touchpoint_contact")
