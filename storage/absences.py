"""Queries on absences (`/partner away`): who is away when, and who covers for them.

Every function takes the workspace's `team_id`. Writers flush but never commit.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.models import Absence, Partner, PartnerStatus, TeamMembership, TeamRole
from storage.sql import Driver, rowcount, utc, with_lists
from storage.upsert import table_of


def absences_at(
    *, session: Session, team_id: str, user_ids: Collection[str], at: datetime
) -> dict[str, Absence]:
    """The absence covering `at` of each of `user_ids` who is away then, by user id."""
    if not user_ids:
        return {}
    driver = Driver.of(session)
    params = {"team_id": team_id, "at": driver.time(at), "users": driver.values(set(user_ids))}
    rows = driver.rows(_ABSENCES_AT, params)
    # Overlaps are replaced when an absence is added; should two remain, the later end wins.
    # Plain SQL: this runs for every owner alert and dispatch batch, and hardly ever finds one.
    return {
        user_id: Absence(
            id=absence_id,
            team_id=team_id,
            user_id=user_id,
            starts_at=utc(starts_at),
            ends_at=utc(ends_at),
            deputy_id=deputy_id,
            created_at=utc(created_at),
        )
        for absence_id, user_id, starts_at, ends_at, deputy_id, created_at in rows
    }


_ABSENCES_AT = with_lists(
    "SELECT id, user_id, starts_at, ends_at, deputy_id, created_at FROM absence "
    "WHERE team_id = :team_id AND user_id = ANY(:users) AND starts_at <= :at AND ends_at > :at "
    "ORDER BY ends_at"
)


def absence_at(*, session: Session, team_id: str, user_id: str, at: datetime) -> Absence | None:
    """The user's absence covering `at`, if they are away then."""
    return absences_at(session=session, team_id=team_id, user_ids=[user_id], at=at).get(user_id)


def upcoming_absences(
    *, session: Session, team_id: str, user_id: str, after: datetime
) -> list[Absence]:
    """The user's absences that start after `after`, soonest first."""
    statement = (
        select(Absence)
        .where(Absence.team_id == team_id, Absence.user_id == user_id, Absence.starts_at > after)
        .order_by(col(Absence.starts_at))
    )
    return list(session.exec(statement))


def absences_booked(
    *, session: Session, team_id: str, user_id: str, booked_at: Collection[datetime]
) -> list[Absence]:
    """The user's absences booked at any of `booked_at`, begun and over too, earliest first:
    the pieces of a booking share its `created_at` (`record_absence`)."""
    if not booked_at:
        return []
    statement = (
        select(Absence)
        .where(
            Absence.team_id == team_id,
            Absence.user_id == user_id,
            col(Absence.created_at).in_(set(booked_at)),
        )
        .order_by(col(Absence.starts_at))
    )
    return list(session.exec(statement))


def drop_deputy(*, session: Session, team_id: str, user_id: str, deputy_id: str) -> int:
    """Take `deputy_id` off the user's absences that name them; returns how many."""
    statement = (
        sa.update(Absence)
        .where(
            col(Absence.team_id) == team_id,
            col(Absence.user_id) == user_id,
            col(Absence.deputy_id) == deputy_id,
        )
        .values(deputy_id=None)
    )
    return rowcount(session, statement)


def absences_between(
    *, session: Session, team_id: str, user_id: str, start: datetime, end: datetime
) -> list[Absence]:
    """The user's absences overlapping [start, end), earliest first."""
    statement = (
        select(Absence)
        .where(
            Absence.team_id == team_id,
            Absence.user_id == user_id,
            col(Absence.starts_at) < end,
            col(Absence.ends_at) > start,
        )
        .order_by(col(Absence.starts_at))
    )
    return list(session.exec(statement))


@dataclass(frozen=True)
class Covered:
    """Someone else's absence that `user_id` covers: as the deputy they named for it
    (`partner` None), or as the deputy of `partner`, which they own."""

    owner_id: str
    starts_at: datetime
    ends_at: datetime
    deputy_id: str | None
    partner: str | None


def covered_between(
    *, session: Session, team_id: str, user_id: str, start: datetime, end: datetime
) -> list[Covered]:
    """Others' absences overlapping [start, end) that `user_id` covers: those naming them as
    deputy, and those of the owners of partners they are the deputy of; earliest first."""
    absence = table_of(Absence)
    overlapping = sa.and_(
        absence.c.team_id == team_id,
        absence.c.user_id != user_id,
        absence.c.starts_at < end,
        absence.c.ends_at > start,
    )
    named = sa.select(
        absence.c.user_id,
        absence.c.starts_at,
        absence.c.ends_at,
        absence.c.deputy_id,
        sa.null().label("partner"),
    ).where(overlapping, absence.c.deputy_id == user_id)
    deputy = table_of(TeamMembership).alias("deputy")
    owner = table_of(TeamMembership).alias("owner")
    partner = table_of(Partner)
    of_partner = (
        sa.select(
            absence.c.user_id,
            absence.c.starts_at,
            absence.c.ends_at,
            absence.c.deputy_id,
            partner.c.name,
        )
        .select_from(
            deputy.join(owner, owner.c.partner_id == deputy.c.partner_id)
            .join(partner, partner.c.id == deputy.c.partner_id)
            .join(absence, absence.c.user_id == owner.c.user_id)
        )
        .where(
            overlapping,
            deputy.c.team_id == team_id,
            deputy.c.user_id == user_id,
            deputy.c.role == TeamRole.DEPUTY.value,
            owner.c.team_id == team_id,
            owner.c.role == TeamRole.OWNER.value,
            partner.c.team_id == team_id,
            partner.c.status != PartnerStatus.ENDED.value,  # an ended partner needs no cover
        )
    )
    rows = session.execute(sa.union_all(named, of_partner)).all()
    found = [
        Covered(
            owner_id=owner_id,
            starts_at=utc(starts_at),
            ends_at=utc(ends_at),
            deputy_id=deputy_id,
            partner=name,
        )
        for owner_id, starts_at, ends_at, deputy_id, name in rows
    ]
    return sorted(found, key=lambda each: (each.starts_at, each.owner_id, each.partner or ""))


@dataclass(frozen=True)
class Overlapped:
    """An earlier absence a new one overlapped: its span, and what is left of it (nothing when
    the new one covers it all; one or two stretches when it covered only part)."""

    starts_at: datetime
    ends_at: datetime
    left: tuple[tuple[datetime, datetime], ...]


def record_absence(
    *,
    session: Session,
    team_id: str,
    user_id: str,
    starts_at: datetime,
    ends_at: datetime,
    deputy_id: str | None,
    created_at: datetime,
) -> list[Overlapped]:
    """Record an absence. Where it overlaps the user's earlier ones it wins: an earlier one it
    covers is deleted, one it covers in part keeps its other days (and deputy). Returns the
    earlier ones it overlapped, earliest first.

    `created_at` tells the booking apart: the pieces left of an earlier one keep its own, and a
    booking made at the very moment of another of the user's (a clock standing still, as the
    sandbox's does) is recorded a microsecond later, so that `away cancel` never takes two
    bookings for one."""
    taken = set(
        session.exec(
            select(Absence.created_at).where(
                Absence.team_id == team_id,
                Absence.user_id == user_id,
                col(Absence.created_at) >= created_at,
            )
        )
    )
    while created_at in taken:
        created_at += timedelta(microseconds=1)
    overlapping = absences_between(
        session=session, team_id=team_id, user_id=user_id, start=starts_at, end=ends_at
    )
    found = []
    for earlier in overlapping:
        left = []
        if earlier.starts_at < starts_at:
            left.append((earlier.starts_at, starts_at))
        if earlier.ends_at > ends_at:
            left.append((ends_at, earlier.ends_at))
        found.append(Overlapped(earlier.starts_at, earlier.ends_at, tuple(left)))
        for start, end in left:
            session.add(
                Absence(
                    team_id=team_id,
                    user_id=user_id,
                    starts_at=start,
                    ends_at=end,
                    deputy_id=earlier.deputy_id,
                    created_at=earlier.created_at,
                    summed_up_at=earlier.summed_up_at,
                )
            )
        session.delete(earlier)
    session.flush()  # the earlier ones go before the new one comes
    session.add(
        Absence(
            team_id=team_id,
            user_id=user_id,
            starts_at=starts_at,
            ends_at=ends_at,
            deputy_id=deputy_id,
            created_at=created_at,
        )
    )
    session.flush()
    return found


def end_absence(*, session: Session, team_id: str, absence_id: int, at: datetime) -> None:
    """End an absence early, at `at`."""
    absence = session.get(Absence, absence_id)
    if absence is not None and absence.team_id == team_id:
        absence.ends_at = at
        session.add(absence)
        session.flush()


def delete_absence(*, session: Session, team_id: str, absence_id: int) -> None:
    """Cancel a planned absence."""
    absence = session.get(Absence, absence_id)
    if absence is not None and absence.team_id == team_id:
        session.delete(absence)
        session.flush()


# --- Time away that is over: what colleagues did meanwhile, summed up once ----------------------


def workspaces_with_time_away_over(
    *, session: Session, since: datetime, now: datetime | None = None
) -> list[str]:
    """The workspaces with absences that ended after `since` (and by `now`, if given: else
    ending later too) and were not summed up yet: a planner's first read, what it then reads
    is per workspace."""
    statement = sa.select(Absence.team_id).where(  # type: ignore[call-overload]
        col(Absence.summed_up_at).is_(None), col(Absence.ends_at) > since
    )
    if now is not None:
        statement = statement.where(col(Absence.ends_at) <= now)
    return [
        str(team) for team in session.execute(statement.distinct().order_by("team_id")).scalars()
    ]


def back_not_summed_up(
    *, session: Session, team_id: str, user_ids: Collection[str], since: datetime, at: datetime
) -> set[str]:
    """Those of `user_ids` with time away that ended after `since` and by `at` and was not
    summed up yet: their welcome-back summary is still to be planned."""
    if not user_ids:
        return set()
    driver = Driver.of(session)
    params = {
        "team_id": team_id,
        "users": driver.values(set(user_ids)),
        "since": driver.time(since),
        "at": driver.time(at),
    }
    return {str(user_id) for (user_id,) in driver.rows(_BACK_NOT_SUMMED_UP, params)}


_BACK_NOT_SUMMED_UP = with_lists(
    "SELECT DISTINCT user_id FROM absence WHERE team_id = :team_id AND user_id = ANY(:users) "
    "AND summed_up_at IS NULL AND ends_at > :since AND ends_at <= :at"
)


def time_away_over(
    *,
    session: Session,
    team_id: str,
    since: datetime,
    now: datetime,
    user_id: str | None = None,
) -> list[Absence]:
    """The workspace's absences (or one user's) that ended after `since` and by `now` and were
    not summed up yet, by user, earliest first."""
    statement = select(Absence).where(
        Absence.team_id == team_id,
        col(Absence.summed_up_at).is_(None),
        col(Absence.ends_at) > since,
        col(Absence.ends_at) <= now,
    )
    if user_id is not None:
        statement = statement.where(Absence.user_id == user_id)
    statement = statement.order_by(col(Absence.user_id), col(Absence.starts_at), col(Absence.id))
    return list(session.exec(statement))


def stretch_start(*, session: Session, team_id: str, user_id: str, starts_at: datetime) -> datetime:
    """Where the user's time away that runs on without a break into `starts_at` began: an
    absence booked over part of another splits it into pieces that follow one another."""
    start = starts_at
    while True:
        earlier = session.execute(
            sa.select(sa.func.min(Absence.starts_at)).where(
                col(Absence.team_id) == team_id,
                col(Absence.user_id) == user_id,
                col(Absence.starts_at) < start,
                col(Absence.ends_at) >= start,
            )
        ).scalar()
        if earlier is None:
            return start
        start = utc(earlier)


def mark_summed_up(*, session: Session, team_id: str, user_id: str, now: datetime) -> int:
    """The user's absences over by `now` are summed up (at `now`); returns how many were not."""
    statement = (
        sa.update(Absence)
        .where(
            col(Absence.team_id) == team_id,
            col(Absence.user_id) == user_id,
            col(Absence.summed_up_at).is_(None),
            col(Absence.ends_at) <= now,
        )
        .values(summed_up_at=now)
    )
    return rowcount(session, statement)


def ends_to_sum_up(
    *, session: Session, team_id: str, since: datetime
) -> list[tuple[str, datetime]]:
    """(user, end) of the workspace's absences ending after `since` and not summed up yet,
    soonest first: when people come back."""
    statement = (
        sa.select(Absence.user_id, Absence.ends_at)  # type: ignore[call-overload]
        .where(
            col(Absence.team_id) == team_id,
            col(Absence.summed_up_at).is_(None),
            col(Absence.ends_at) > since,
        )
        .order_by(Absence.ends_at)
    )
    return [(str(user), utc(end)) for user, end in session.execute(statement)]
