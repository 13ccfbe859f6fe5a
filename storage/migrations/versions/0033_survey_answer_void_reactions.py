"""the number reactions left on a survey statement when Withdraw was clicked, which no longer count

Revision ID: 0033
Revises: 0032
Create Date: 2026-11-27 13:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("survey_answer", sa.Column("void_reactions", sa.String(length=5), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("survey_answer") as batch:
        batch.drop_column("void_reactions")
