"""when an outbox message's trouble began, so retries stop after a span of time

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-26 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows being retried now start their span at their next failure: they get the full span.
    op.add_column("outbox_message", sa.Column("retrying_since", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_column("retrying_since")
