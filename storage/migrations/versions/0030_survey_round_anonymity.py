"""the anonymity threshold a pulse round's invitations promised

Revision ID: 0030
Revises: 0029
Create Date: 2026-11-27 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rounds started before this revision did not record it: they follow `config anonymity`
    # as it is (NULL), as they did.
    op.add_column("survey_round", sa.Column("anonymity_threshold", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("survey_round") as batch:
        batch.drop_column("anonymity_threshold")
