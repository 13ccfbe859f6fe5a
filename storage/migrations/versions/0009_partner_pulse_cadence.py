"""a partner's own pulse-survey cadence

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN: SQLite needs no table rebuild for it (a rebuild of `partner` would
    # cascade through the tables that reference it).
    op.add_column("partner", sa.Column("pulse_cadence", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("partner") as batch:
        batch.drop_column("pulse_cadence")
