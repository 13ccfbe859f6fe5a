"""people of another organisation remembered in the profile cache, marked so

Revision ID: 0035
Revises: 0034
Create Date: 2026-11-27 15:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0035"
down_revision: str | None = "0034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "user_profile",
        sa.Column("external", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    # Before 0035 people of another organisation were never cached: drop them with the mark.
    op.execute(sa.text("DELETE FROM user_profile WHERE external"))
    with op.batch_alter_table("user_profile") as batch:
        batch.drop_column("external")
