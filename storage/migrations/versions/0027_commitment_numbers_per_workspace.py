"""commitment numbers counted per workspace

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-27 03:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "commitment_counter",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("team_id"),
    )
    with op.batch_alter_table("commitment") as batch:
        batch.add_column(sa.Column("number", sa.Integer(), nullable=True))
    # Existing commitments are numbered within their workspace in the order they were made:
    # each one's number is how many of its workspace's commitments have an id up to its own.
    op.execute(
        "UPDATE commitment SET number = (SELECT COUNT(*) FROM commitment AS earlier"
        " WHERE earlier.team_id = commitment.team_id AND earlier.id <= commitment.id)"
    )
    op.execute(
        "INSERT INTO commitment_counter (team_id, last_number)"
        " SELECT team_id, MAX(number) FROM commitment GROUP BY team_id"
    )
    with op.batch_alter_table("commitment") as batch:
        batch.alter_column("number", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint("uq_commitment_team_number", ["team_id", "number"])


def downgrade() -> None:
    with op.batch_alter_table("commitment") as batch:
        batch.drop_constraint("uq_commitment_team_number", type_="unique")
        batch.drop_column("number")
    op.drop_table("commitment_counter")
