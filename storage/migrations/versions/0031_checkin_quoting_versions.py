"""which of a check-in's debrief replies quote a note, kept rather than read from their text;
the replies in a check-in's thread kept in its note

Revision ID: 0031
Revises: 0030
Create Date: 2026-11-27 12:10:00
"""

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "check_in_reply",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column("kept_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["checkin_id"], ["check_in.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("team_id", "channel", "ts"),
    )
    op.create_index("ix_check_in_reply_checkin", "check_in_reply", ["checkin_id"])
    op.add_column(
        "check_in",
        sa.Column("quoting_versions", sa.JSON(), nullable=False, server_default="[]"),
    )
    # The replies queued before this revision: as their text was read until now, a reply
    # (`debrief:<touchpoint>:<check-in>:<version>:<kind>`) quotes a note on its later lines.
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT team_id, dedupe_key FROM outbox_message "
            "WHERE kind = 'checkin.debrief' AND text LIKE :quoted"
        ),
        {"quoted": "%\n>%"},
    )
    quoting: dict[tuple[str, int], set[int]] = defaultdict(set)
    for team_id, key in rows:
        parts = str(key).split(":")
        if len(parts) == 5 and parts[2].isdigit() and parts[3].isdigit():
            quoting[str(team_id), int(parts[2])].add(int(parts[3]))
    update = sa.text(
        "UPDATE check_in SET quoting_versions = :versions WHERE team_id = :team_id AND id = :id"
    ).bindparams(sa.bindparam("versions", type_=sa.JSON))
    for (team_id, checkin_id), versions in quoting.items():
        connection.execute(
            update, {"versions": sorted(versions), "team_id": team_id, "id": checkin_id}
        )


def downgrade() -> None:
    op.drop_index("ix_check_in_reply_checkin", table_name="check_in_reply")
    op.drop_table("check_in_reply")
    with op.batch_alter_table("check_in") as batch:
        batch.drop_column("quoting_versions")
