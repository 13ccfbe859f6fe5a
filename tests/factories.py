"""Typed factories shared by tests: colleagues in the profile cache, partners through the
registry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import Clock
from bot.services.registry import Actor, PartnerProfile, Registry
from storage import people as profiles


@dataclass(frozen=True)
class Colleague:
    user_id: str
    tz: str = "UTC"
    admin: bool = False
    deleted: bool = False


def save_colleagues(
    engine: Engine, clock: Clock, *, team_id: str, colleagues: Sequence[Colleague]
) -> None:
    """Put colleagues in the profile cache, fresh, as if Slack had just been asked."""
    with Session(engine) as session:
        for colleague in colleagues:
            profiles.save_profile(
                session=session,
                team_id=team_id,
                user_id=colleague.user_id,
                name=colleague.user_id.lower(),
                real_name=None,
                tz=colleague.tz,
                is_admin=colleague.admin,
                is_deleted=colleague.deleted,
                fetched_at=clock.now(),
            )
        session.commit()


def add_partner(
    registry: Registry, *, team_id: str, name: str, owner_id: str, deputy_id: str | None = None
) -> PartnerProfile:
    """A partner owned by `owner_id` (and with a deputy), registered by its owner."""
    profile = registry.add(actor=Actor(team_id, owner_id), name=name, allow_similar=True)
    if deputy_id is not None:
        registry.set_deputy(actor=Actor(team_id, owner_id), partner=name, deputy_id=deputy_id)
    return profile
