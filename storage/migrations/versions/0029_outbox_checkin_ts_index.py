"""index the check-in questions and reminders sent, by their Slack ts

A reply typed in the thread of a check-in DM is kept as its note: finding which check-in the
thread belongs to read every sent row of the workspace.

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-27 10:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As storage.models.CHECKIN_KINDS_SQL at this revision (a migration does not follow the models).
CHECKIN_KINDS = "kind IN ('checkin', 'checkin.reminder')"


def upgrade() -> None:
    op.create_index(
        "ix_outbox_message_checkin_ts",
        "outbox_message",
        ["team_id", "sent_ts"],
        sqlite_where=sa.text(CHECKIN_KINDS),
        postgresql_where=sa.text(CHECKIN_KINDS),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_message_checkin_ts", table_name="outbox_message")
