"""collisions say whether they were news: only those count for health

The alarm records every colliding pair, also those whose people already knew of each other
(in touch together, the owner told of the other's contact, named together by an alert), which
it does not alert. Health, the Home, the at-risk lists and the digest count only the news.
Collisions recorded before this revision cannot be told apart: they stay counted, as they were.

Revision ID: 0039
Revises: 0038
Create Date: 2026-11-28 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0039"
down_revision: str | None = "0038"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "collision",
        sa.Column("news", sa.Boolean(), nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    with op.batch_alter_table("collision") as batch:
        batch.drop_column("news")
