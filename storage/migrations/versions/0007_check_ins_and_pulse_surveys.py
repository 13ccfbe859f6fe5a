"""check-ins after meetings and pulse surveys

Revision ID: 0007
Revises: 0003
Create Date: 2026-11-25 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0007"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TO_FOLLOW = "status = 'open' OR (answer = 'problem' AND problem_alerted_at IS NULL)"


def upgrade() -> None:
    op.create_table(
        "slack_event_receipt",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "event_id"),
    )
    with op.batch_alter_table("slack_event_receipt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_slack_event_receipt_received_at"), ["received_at"], unique=False
        )

    op.create_table(
        "survey_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("round_key", sa.String(length=120), nullable=False),
        sa.Column("started_by", sa.String(length=32), nullable=True),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("started_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("remind_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closes_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reminded_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("invited", sa.Integer(), nullable=False),
        sa.Column("respondents", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["partner_id"], ["partner.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "round_key"),
    )
    with op.batch_alter_table("survey_round", schema=None) as batch_op:
        batch_op.create_index(
            "ix_survey_round_partner", ["team_id", "partner_id", "started_at"], unique=False
        )

    op.create_table(
        "survey_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("respondent", sa.String(length=32), nullable=False),
        sa.Column("question", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("event_ts", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["round_id"], ["survey_round.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "respondent", "question"),
    )
    op.create_table(
        "survey_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("respondent", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["survey_round.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("round_id", "respondent"),
    )
    op.create_table(
        "survey_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("respondent", sa.String(length=32), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["survey_round.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("respondent"),
        sa.UniqueConstraint("round_id", "user_id"),
    )
    op.create_table(
        "check_in",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("touchpoint_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("occurrence", sa.Integer(), nullable=False),
        sa.Column("planned", sa.Boolean(), nullable=False),
        sa.Column("meeting_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=True),
        sa.Column("note", sa.String(length=3000), nullable=True),
        sa.Column("moved_to", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("changed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("reminded_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("problem_alerted_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["touchpoint_id"], ["touchpoint.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("touchpoint_id", "user_id", "occurrence"),
    )
    with op.batch_alter_table("check_in", schema=None) as batch_op:
        batch_op.create_index(
            "ix_check_in_to_follow",
            ["team_id"],
            unique=False,
            sqlite_where=sa.text(_TO_FOLLOW),
            postgresql_where=sa.text(_TO_FOLLOW),
        )

    op.create_table(
        "survey_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("reactions_added", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["delivery_id"], ["survey_delivery.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("delivery_id", "question"),
    )
    with op.batch_alter_table("survey_message", schema=None) as batch_op:
        batch_op.create_index("ix_survey_message_sent", ["team_id", "channel", "ts"], unique=False)
        batch_op.create_index(
            "ix_survey_message_unready",
            ["team_id"],
            unique=False,
            sqlite_where=sa.text("NOT reactions_added"),
            postgresql_where=sa.text("NOT reactions_added"),
        )


def downgrade() -> None:
    with op.batch_alter_table("survey_message", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_survey_message_unready",
            sqlite_where=sa.text("NOT reactions_added"),
            postgresql_where=sa.text("NOT reactions_added"),
        )
        batch_op.drop_index("ix_survey_message_sent")

    op.drop_table("survey_message")
    with op.batch_alter_table("check_in", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_check_in_to_follow",
            sqlite_where=sa.text(_TO_FOLLOW),
            postgresql_where=sa.text(_TO_FOLLOW),
        )

    op.drop_table("check_in")
    op.drop_table("survey_delivery")
    op.drop_table("survey_comment")
    op.drop_table("survey_answer")
    with op.batch_alter_table("survey_round", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_round_partner")

    op.drop_table("survey_round")
    with op.batch_alter_table("slack_event_receipt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slack_event_receipt_received_at"))

    op.drop_table("slack_event_receipt")
