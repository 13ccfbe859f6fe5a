"""Queries about colleagues: the `users.info` profile cache and Liaison's own admin list."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.models import UserProfile, WorkspaceAdmin, ZoneLookupFailure
from storage.sql import Driver, with_lists
from storage.upsert import table_of, upsert, upsert_many


def get_profiles(
    *, session: Session, team_id: str, user_ids: Collection[str], external: bool = False
) -> dict[str, UserProfile]:
    """The cached profiles of colleagues among `user_ids` that exist, by user id; with
    `external`, also those of people of another organisation (`UserProfile.external`)."""
    if not user_ids:
        return {}
    statement = select(UserProfile).where(
        UserProfile.team_id == team_id, col(UserProfile.user_id).in_(set(user_ids))
    )
    if not external:
        statement = statement.where(col(UserProfile.external).is_(False))
    return {profile.user_id: profile for profile in session.exec(statement)}


def deactivated(*, session: Session, team_id: str, user_ids: Collection[str | None]) -> set[str]:
    """Those of `user_ids` whose cached profile says they have left Slack (kept by
    `user_change`): one query, no Slack call."""
    wanted = {user_id for user_id in user_ids if user_id}
    profiles = get_profiles(session=session, team_id=team_id, user_ids=wanted)
    return {user_id for user_id, profile in profiles.items() if profile.is_deleted}


def external_people(*, session: Session, team_id: str, user_ids: Collection[str]) -> set[str]:
    """Those of `user_ids` Slack said are of another organisation, as the cache remembers."""
    if not user_ids:
        return set()
    driver = Driver.of(session)
    rows = driver.rows(_EXTERNAL, {"team_id": team_id, "users": driver.values(set(user_ids))})
    return {str(user_id) for (user_id,) in rows}


# Plain SQL, as `zones_of`: the dispatcher asks both for every batch of DMs.
_EXTERNAL = with_lists(
    "SELECT user_id FROM user_profile WHERE team_id = :team_id AND user_id = ANY(:users) "
    "AND external"
)


def zones_of(*, session: Session, team_id: str, user_ids: Collection[str]) -> dict[str, str | None]:
    """The cached time zone of each colleague among `user_ids` with a cached profile (None: Slack
    gave none), by user id; people never looked up, and people of another organisation, are
    left out. Plain SQL: the dispatcher asks it for every
    batch of DMs, where loading whole profiles cost it ~2% of its time."""
    if not user_ids:
        return {}
    driver = Driver.of(session)
    rows = driver.rows(_ZONES, {"team_id": team_id, "users": driver.values(set(user_ids))})
    return {str(user_id): tz for user_id, tz in rows}


_ZONES = with_lists(
    "SELECT user_id, tz FROM user_profile "
    "WHERE team_id = :team_id AND user_id = ANY(:users) AND NOT external"
)


def get_profile(
    *, session: Session, team_id: str, user_id: str, external: bool = False
) -> UserProfile | None:
    """The cached profile of one colleague, if Liaison ever looked them up; with `external`,
    also of someone of another organisation (`UserProfile.external`)."""
    profile = session.get(UserProfile, (team_id, user_id))
    if profile is not None and profile.external and not external:
        return None
    return profile


@dataclass(frozen=True)
class ProfileFacts:
    """What `users.info` (or `users.list`) said about one user, as the cache keeps it."""

    user_id: str
    name: str
    real_name: str | None
    tz: str
    is_admin: bool
    is_deleted: bool
    # Of another organisation (Slack Connect): remembered, never taken for a colleague.
    external: bool = False


def save_profiles(
    *, session: Session, team_id: str, profiles: Sequence[ProfileFacts], fetched_at: datetime
) -> None:
    """Store what Slack said about each user, replacing any older copy, in as few statements
    as the database allows: the dispatcher's first DMs to 200 people cost 200 round trips and
    statement compilations one by one (a quarter of a second, on PostgreSQL)."""
    upsert_many(
        session,
        UserProfile,
        [{"team_id": team_id, **asdict(profile), "fetched_at": fetched_at} for profile in profiles],
        key=("team_id", "user_id"),
        update=("name", "real_name", "tz", "is_admin", "is_deleted", "external", "fetched_at"),
    )


def save_profile(
    *,
    session: Session,
    team_id: str,
    user_id: str,
    name: str,
    real_name: str | None,
    tz: str,
    is_admin: bool,
    is_deleted: bool,
    fetched_at: datetime,
) -> None:
    """Store what `users.info` said about one user, replacing any older copy."""
    facts = ProfileFacts(
        user_id=user_id,
        name=name,
        real_name=real_name,
        tz=tz,
        is_admin=is_admin,
        is_deleted=is_deleted,
    )
    save_profiles(session=session, team_id=team_id, profiles=[facts], fetched_at=fetched_at)


def is_listed_admin(*, session: Session, team_id: str, user_id: str) -> bool:
    """True when `config admins` named the user a Liaison admin of the workspace."""
    return session.get(WorkspaceAdmin, (team_id, user_id)) is not None


def cached_slack_admins(*, session: Session, team_id: str) -> list[str]:
    """The workspace's Slack admins and owners among the cached profiles (not deactivated,
    nor of another organisation: a partner's admin is no admin here)."""
    statement = (
        select(UserProfile.user_id)
        .where(
            UserProfile.team_id == team_id,
            col(UserProfile.is_admin),
            col(UserProfile.is_deleted).is_(False),
            col(UserProfile.external).is_(False),
        )
        .order_by(col(UserProfile.user_id))
    )
    return list(session.exec(statement))


def note_zone_lookup_failure(
    *, session: Session, team_id: str, user_id: str, at: datetime, error: str
) -> ZoneLookupFailure:
    """Count one more failed lookup of the person's time zone (the first one starts the
    count); returns the count as stored."""
    table = table_of(ZoneLookupFailure)
    stored = upsert(
        session,
        ZoneLookupFailure,
        {
            "team_id": team_id,
            "user_id": user_id,
            "first_failed_at": at,
            "failures": 1,
            "last_error": error[:100],
        },
        key=("team_id", "user_id"),
        update={"failures": table.c.failures + 1, "last_error": error[:100]},
    )
    return ZoneLookupFailure.model_validate(stored._mapping)


def forget_zone_lookup_failures(
    *, session: Session, team_id: str, user_ids: Collection[str]
) -> None:
    """Drop the failure counts of people Slack has now told about (or who need none)."""
    if not user_ids:
        return
    table = table_of(ZoneLookupFailure)
    session.execute(
        sa.delete(table).where(table.c.team_id == team_id, table.c.user_id.in_(set(user_ids)))
    )
