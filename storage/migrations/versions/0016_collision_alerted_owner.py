"""the owner each collision alert mentioned

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-26 08:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("collision", sa.Column("alerted_owner_id", sa.String(length=32), nullable=True))
    # Alerts raised before this revision mentioned the owner of their time, which was not
    # recorded: the partner's owner now is the best guess (what the rule assumed until now).
    op.execute(
        """
        UPDATE collision SET alerted_owner_id = (
            SELECT m.user_id FROM team_membership m
            WHERE m.team_id = collision.team_id AND m.partner_id = collision.partner_id
              AND m.role = 'owner'
        )
        WHERE alert_key IS NOT NULL
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("collision") as batch:
        batch.drop_column("alerted_owner_id")
