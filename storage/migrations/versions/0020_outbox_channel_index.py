"""the latest deliveries to a channel, newest first

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-26 14:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_outbox_message_channel",
        "outbox_message",
        ["team_id", "recipient_channel", "id"],
        sqlite_where=sa.text("recipient_channel IS NOT NULL"),
        postgresql_where=sa.text("recipient_channel IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_message_channel", table_name="outbox_message")
