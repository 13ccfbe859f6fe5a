"""whoever covered for an away owner, whom a collision alert mentioned instead

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-27 09:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Alerts raised before this revision recorded nobody covering: their cover, not known,
    # is alerted afresh, as every colleague an alert did not name.
    op.add_column("collision", sa.Column("alerted_cover_id", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("collision") as batch:
        batch.drop_column("alerted_cover_id")
