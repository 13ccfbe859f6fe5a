"""outbox rows that edit an earlier message in place

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-26 06:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "outbox_message", sa.Column("edit_of_dedupe_key", sa.String(length=200), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_column("edit_of_dedupe_key")
