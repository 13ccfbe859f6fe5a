"""when a person was told what colleagues did while they were away

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-26 16:00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOT_SUMMED_UP = "summed_up_at IS NULL"


def upgrade() -> None:
    op.add_column("absence", sa.Column("summed_up_at", UTCDateTime(), nullable=True))
    # Time away over before this revision is not summed up afresh: its people came back long
    # ago (or typed `back` and read the summary then).
    absence = sa.table(
        "absence", sa.column("ends_at", UTCDateTime()), sa.column("summed_up_at", UTCDateTime())
    )
    now = datetime.now(UTC)
    op.execute(
        absence.update().where(absence.c.ends_at <= now).values(summed_up_at=absence.c.ends_at)
    )
    op.create_index(
        "ix_absence_to_sum_up",
        "absence",
        ["ends_at"],
        sqlite_where=sa.text(_NOT_SUMMED_UP),
        postgresql_where=sa.text(_NOT_SUMMED_UP),
    )


def downgrade() -> None:
    op.drop_index("ix_absence_to_sum_up", table_name="absence")
    with op.batch_alter_table("absence") as batch:
        batch.drop_column("summed_up_at")
