"""touchpoint collisions and intents

Revision ID: 0006
Revises: 0007
Create Date: 2026-11-25 21:22:42
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0006"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN_INTENT = "intent_deadline IS NOT NULL AND intent_answer IS NULL"


def upgrade() -> None:
    op.create_table(
        "collision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("earlier_id", sa.Integer(), nullable=False),
        sa.Column("later_id", sa.Integer(), nullable=False),
        sa.Column("same_contact", sa.Boolean(), nullable=False),
        sa.Column("detected_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("alert_key", sa.String(length=200), nullable=True),
        sa.Column("thread_key", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["earlier_id"], ["touchpoint.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["later_id"], ["touchpoint.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("earlier_id", "later_id"),
    )
    with op.batch_alter_table("collision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_collision_later_id"), ["later_id"], unique=False)
        batch_op.create_index(
            "ix_collision_partner_time", ["team_id", "partner_id", "detected_at"], unique=False
        )

    with op.batch_alter_table("touchpoint", schema=None) as batch_op:
        # Touchpoints recorded before this revision carried their time.
        batch_op.add_column(
            sa.Column("day_only", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("intent_asked", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("intent_deadline", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("intent_answer", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("intent_answered_by", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("intent_answered_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            "ix_touchpoint_open_intent",
            ["intent_deadline"],
            unique=False,
            sqlite_where=sa.text(_OPEN_INTENT),
            postgresql_where=sa.text(_OPEN_INTENT),
        )


def downgrade() -> None:
    with op.batch_alter_table("touchpoint", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_touchpoint_open_intent",
            sqlite_where=sa.text(_OPEN_INTENT),
            postgresql_where=sa.text(_OPEN_INTENT),
        )
        batch_op.drop_column("intent_answered_at")
        batch_op.drop_column("intent_answered_by")
        batch_op.drop_column("intent_answer")
        batch_op.drop_column("intent_deadline")
        batch_op.drop_column("intent_asked")
        batch_op.drop_column("day_only")

    with op.batch_alter_table("collision", schema=None) as batch_op:
        batch_op.drop_index("ix_collision_partner_time")
        batch_op.drop_index(batch_op.f("ix_collision_later_id"))

    op.drop_table("collision")
