"""re-key partner names and aliases with an "&" or "+" before their first letter or after their last

Until now `bot.naming.normalize_name` read every "&" and "+" as "and", so "+Acumen" was stored
under the key "and acumen" and `/partner show Acumen` did not find it. Such a mark joins nothing
and is now dropped ("+Acumen" is "acumen"); names stored before keep the old key, which nothing
typed finds any more (not even "+Acumen" itself), unless they are re-keyed here.

Revision ID: 0038
Revises: 0037
Create Date: 2026-11-28 02:10:00
"""

import re
from collections import defaultdict
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

# The key must be the one the code looks names up by, so it is computed by the code itself
# rather than by a copy of its rules here.
from bot.naming import normalize_name

revision: str = "0038"
down_revision: str | None = "0037"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As storage.models.MAX_NAME_LENGTH at this revision: keys are cut to it.
MAX_NAME_LENGTH = 120
# An "&" or "+" among the marks before the first letter or digit, or after the last.
EDGE_AND = re.compile(r"^[\W_]*[&+]|[&+][\W_]*$")
EDGE_MARKS = re.compile(r"^[\W_]+|[\W_]+$")


def upgrade() -> None:
    _rekey(lambda name: normalize_name(name)[:MAX_NAME_LENGTH])


def downgrade() -> None:
    # Before 0038 a mark at the edge was read "and", as a mark between words still is.
    def as_before(name: str) -> str:
        read = EDGE_MARKS.sub(lambda m: re.sub(r"[&+]", " and ", m.group()), name)
        return normalize_name(read)[:MAX_NAME_LENGTH]

    _rekey(as_before)


def _rekey(key_of: Callable[[str], str]) -> None:
    """Store each name and alias with an edge "&" or "+" under `key_of` its text, unless that
    key is another name's or alias's in the workspace (the unique keys): that one keeps its
    key, and is still found by what finds it now."""
    bind = op.get_bind()
    rows = [
        ("partner", "normalized_name", *row)
        for row in bind.execute(sa.text("SELECT id, team_id, name, normalized_name FROM partner"))
    ] + [
        ("partner_alias", "normalized", *row)
        for row in bind.execute(sa.text("SELECT id, team_id, alias, normalized FROM partner_alias"))
    ]
    taken: dict[str, set[str]] = defaultdict(set)
    for *_, team_id, _name, key in rows:
        taken[team_id].add(key)
    for table, key_column, row_id, team_id, name, key in rows:
        if not EDGE_AND.search(name):
            continue
        new_key = key_of(name)
        if not new_key or new_key == key or new_key in taken[team_id]:
            continue
        bind.execute(
            sa.text(f"UPDATE {table} SET {key_column} = :key WHERE id = :id"),
            {"key": new_key, "id": row_id},
        )
        taken[team_id].discard(key)
        taken[team_id].add(new_key)
