"""The revolving-door rules: when two contacts with one partner collide. Pure and deterministic.

Two touchpoints with the same partner collide when all of these hold:
1. They are both live: a contact that happened (`done`), is planned, or is intended.
2. They lie within the coordination window of each other: |a.at − b.at| ≤ window
   (workspace setting `config window`, default 14 days either side).
3. Different colleagues: no colleague is on both (author or participant). A colleague who logs the
   meeting they planned does not collide with themselves.
4. At least one side is an outsider to the partner's team. Owner, deputy and members are expected
   to coordinate among themselves, so their touchpoints collide only with outsiders'.
A collision where both sides met the same contact person is marked `same_contact`.
Each pair is alerted once: callers record pairs and skip those already recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_WINDOW = timedelta(days=14)


@dataclass(frozen=True, kw_only=True)
class Contact:
    """One touchpoint as the rules see it."""

    touchpoint_id: int
    at: datetime
    colleagues: frozenset[str]  # author and participants (Slack user ids)
    contact_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class Collision:
    new: Contact
    other: Contact
    same_contact: bool


def collisions(
    new: Contact,
    existing: Iterable[Contact],
    *,
    team: frozenset[str],
    window: timedelta = DEFAULT_WINDOW,
) -> list[Collision]:
    """The earlier contacts that `new` collides with, nearest in time first."""
    new_is_team = bool(new.colleagues) and new.colleagues <= team
    found = []
    for other in existing:
        if other.touchpoint_id == new.touchpoint_id:
            continue
        if abs(other.at - new.at) > window:
            continue
        if new.colleagues & other.colleagues:
            continue
        if new_is_team and other.colleagues <= team:
            continue
        same = new.contact_id is not None and new.contact_id == other.contact_id
        found.append(Collision(new=new, other=other, same_contact=same))
    return sorted(found, key=lambda c: (abs(c.other.at - new.at), c.other.touchpoint_id))
