"""SQLite never hands out again the id of a deleted check-in, survey delivery or survey round

Revision ID: 0036
Revises: 0035
Create Date: 2026-11-27 23:30:00

Outbox messages are deduplicated on keys built from these ids (`checkin:7`, `survey:7:0`,
`survey-round:7:owner`, `debrief:3:7:…`). Without AUTOINCREMENT SQLite gives a new row the
largest id plus one, so after the row with the largest id is deleted (a check-in of someone
taken off a meeting, a delivery dropped, a round folded by a merge) the next row took its id,
and its messages' keys matched the deleted row's sent or withdrawn ones: they were never queued.
PostgreSQL's sequences never reuse an id: nothing changes there.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0036"
down_revision: str | None = "0035"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each table and the outbox keys its ids went into: (key prefix, which `:`-part is the id).
_KEYED_BY: dict[str, tuple[tuple[str, int], ...]] = {
    "survey_round": (("survey-round:", 1),),
    "survey_delivery": (("survey:", 1),),
    "check_in": (("checkin:", 1), ("debrief:", 2)),
}


def _rebuild(autoincrement: bool) -> None:
    for table in _KEYED_BY:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def _largest_used(connection: sa.Connection, table: str) -> int:
    """The largest id of `table` still seen: in its rows or in the keys of its messages (a row
    deleted before this revision left only those)."""
    largest = int(
        connection.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table}").scalar() or 0
    )
    for prefix, part in _KEYED_BY[table]:
        keys = connection.execute(
            sa.text("SELECT DISTINCT dedupe_key FROM outbox_message WHERE dedupe_key LIKE :like"),
            {"like": f"{prefix}%"},
        ).scalars()
        for key in keys:
            parts = key.split(":")
            if len(parts) > part and parts[part].isdigit():
                largest = max(largest, int(parts[part]))
    return largest


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    _rebuild(autoincrement=True)
    for table in _KEYED_BY:
        largest = _largest_used(connection, table)
        connection.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :t"), {"t": table})
        connection.execute(
            sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :seq)"),
            {"t": table, "seq": largest},
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _rebuild(autoincrement=False)
