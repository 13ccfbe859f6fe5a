"""Queries on workspace settings (`/partner config`)."""

from __future__ import annotations

from collections.abc import Collection

from sqlmodel import Session, col, select

from storage.models import Workspace


def get_workspaces(*, session: Session, team_ids: Collection[str]) -> dict[str, Workspace]:
    """The settings rows of `team_ids` that exist, by team id (absent: the defaults apply)."""
    if not team_ids:
        return {}
    statement = select(Workspace).where(col(Workspace.team_id).in_(set(team_ids)))
    return {workspace.team_id: workspace for workspace in session.exec(statement)}
