"""a touchpoint's or commitment's request key is unique within its workspace only

The keys (`cmd:<trigger id>`, `view:<view id>`) were unique across all workspaces, though each
workspace looks only for its own: a key another workspace had used made a log or a promise
"conflict" with that workspace's row, and it was lost with an error instead of recorded.

Revision ID: 0040
Revises: 0039
Create Date: 2026-11-28 08:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0040"
down_revision: str | None = "0039"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("touchpoint", "commitment")
# SQLite keeps the constraint of 0001 and 0008 unnamed: batch mode names it by this convention
# when it reads the table, so that it can be dropped.
_CONVENTION = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}


def _per_workspace(table: str) -> str:
    return f"uq_{table}_team_request_key"


def _old_name(table: str) -> str:
    """The name of the constraint on `request_key` alone: PostgreSQL's own (`…_key`), or the
    convention's on SQLite, where it has none (or the one a downgrade gave it)."""
    for unique in sa.inspect(op.get_bind()).get_unique_constraints(table):
        if unique["column_names"] == ["request_key"] and unique["name"]:
            return unique["name"]
    return _CONVENTION["uq"] % {"table_name": table, "column_0_N_name": "request_key"}


def upgrade() -> None:
    for table in _TABLES:
        old = _old_name(table)
        with op.batch_alter_table(table, naming_convention=_CONVENTION) as batch:
            batch.drop_constraint(old, type_="unique")
            batch.create_unique_constraint(_per_workspace(table), ["team_id", "request_key"])


def downgrade() -> None:
    for table in _TABLES:
        # Two workspaces may have used one key since: the later rows forget it (a key only
        # turns a retry of the same request into a no-op, and those come within seconds).
        op.execute(
            f"UPDATE {table} SET request_key = NULL WHERE request_key IS NOT NULL"
            f" AND id > (SELECT MIN(earlier.id) FROM {table} AS earlier"
            f" WHERE earlier.request_key = {table}.request_key)"
        )
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(_per_workspace(table), type_="unique")
            # PostgreSQL's name for the constraint 0001 and 0008 created.
            batch.create_unique_constraint(f"{table}_request_key_key", ["request_key"])
