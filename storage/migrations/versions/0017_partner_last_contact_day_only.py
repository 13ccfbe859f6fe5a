"""whether a partner's last contact was recorded without a time of day

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-26 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("partner") as batch:
        batch.add_column(
            sa.Column(
                "last_contact_day_only", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    # The last contact is the touchpoint its author logged at that moment (a day-only log
    # noted before its noon was noted at its creation: it stays a timed contact here).
    op.execute(
        """
        UPDATE partner SET last_contact_day_only = EXISTS (
            SELECT 1 FROM touchpoint t
            WHERE t.team_id = partner.team_id AND t.partner_id = partner.id
              AND t.author_id = partner.last_contact_by AND t.at = partner.last_contact_at
              AND t.kind = 'done' AND t.day_only
        )
        WHERE last_contact_at IS NOT NULL
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("partner") as batch:
        batch.drop_column("last_contact_day_only")
