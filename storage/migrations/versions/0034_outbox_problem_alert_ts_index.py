"""index the Problem alerts sent, by their Slack ts

A reply typed in the thread of a Problem alert is answered with who reported the Problem:
finding which alert the thread belongs to read every outbox row of the workspace.

Revision ID: 0034
Revises: 0033
Create Date: 2026-11-27 15:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0034"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As storage.models.PROBLEM_ALERT_KIND_SQL at this revision (a migration does not follow the
# models).
PROBLEM_ALERT_KIND = "kind = 'checkin.problem'"


def upgrade() -> None:
    op.create_index(
        "ix_outbox_message_problem_ts",
        "outbox_message",
        ["team_id", "sent_ts"],
        sqlite_where=sa.text(PROBLEM_ALERT_KIND),
        postgresql_where=sa.text(PROBLEM_ALERT_KIND),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_message_problem_ts", table_name="outbox_message")
