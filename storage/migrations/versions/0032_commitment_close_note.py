"""why a commitment was closed, as the person typed it after `done ID` or `drop ID`

Revision ID: 0032
Revises: 0031
Create Date: 2026-11-27 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("commitment", sa.Column("close_note", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("commitment") as batch:
        batch.drop_column("close_note")
