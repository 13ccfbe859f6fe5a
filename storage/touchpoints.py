"""Queries about touchpoints: recording one, its neighbours in time, collisions, intents, briefings.

Every function takes the workspace's `team_id` and reads or writes only that workspace's rows,
except the planners' looks across workspaces (one scheduler serves them all, as the outbox's
claim does): `due_intents`, whose rows each say whose they are, and `teams_with_passed_plans`
and `next_plan_after` for the last-contact planner. Writers never commit: the
caller's transaction decides.

The collision check (`neighbours`) reads one partner's touchpoints in a time range through the
index `ix_touchpoint_partner_time` (team_id, partner_id, at): a range scan of that partner's
window, never a scan of the table. The window is counted in calendar days, so the caller asks
for whole days and keeps the touchpoints whose days are in reach.

Recording a touchpoint is the hot path (`/partner log` under load): its statements are plain SQL
run by the driver in the session's transaction (`storage.sql`), and on SQLite its write
transaction takes turns with the process's other writers (`storage.db.writing`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from storage.models import (
    CheckIn,
    CheckInAnswer,
    CheckInReply,
    Collision,
    Contact,
    IntentAnswer,
    Partner,
    PartnerAlias,
    TeamMembership,
    TeamRole,
    Touchpoint,
    TouchpointKind,
    TouchpointParticipant,
)
from storage.sql import Driver, Sql, listed, sized, stored_time, utc, utc_or_none
from storage.upsert import table_of

_T = table_of(Touchpoint)
_C = table_of(Collision)
_CONTACT = table_of(Contact)
_PARTNER = table_of(Partner)
_ALIAS = table_of(PartnerAlias)

LIVE_KINDS = (TouchpointKind.DONE, TouchpointKind.PLANNED, TouchpointKind.INTENDED)


class TouchpointRow(NamedTuple):
    """A touchpoint with its participants and the people at the partner it was with.

    A named tuple rather than a frozen dataclass: the collision check builds a dozen of these
    per `/partner log`, and a tuple is built three times faster.
    """

    id: int
    team_id: str
    partner_id: int
    kind: TouchpointKind
    medium: str | None
    at: datetime
    day_only: bool
    author_id: str
    participants: tuple[str, ...]
    # The people at the partner, in the order they were named: ids and names alike.
    contact_ids: tuple[int, ...]
    contact_names: tuple[str, ...]
    notes: str | None
    intent_asked: str | None
    intent_deadline: datetime | None
    intent_answer: IntentAnswer | None
    intent_answered_by: str | None
    # A planned meeting its author said didn't happen: when they said so (None: it stands).
    cancelled_at: datetime | None = None
    # When it was recorded (None only in rows built by hand).
    created_at: datetime | None = None
    # When the intent was answered (None: not yet, or a row built by hand).
    intent_answered_at: datetime | None = None

    @property
    def colleagues(self) -> frozenset[str]:
        """Everyone on our side who took part: the author and the participants."""
        return frozenset((self.author_id, *self.participants))


# One row per participant and person at the partner (or one without any), names joined in.
_WITH_PEOPLE = """
SELECT t.id, t.team_id, t.partner_id, t.kind, t.medium, t.at, t.day_only, t.author_id,
       tc.contact_id, c.name, t.notes, t.intent_asked, t.intent_deadline, t.intent_answer,
       t.intent_answered_by, p.user_id, tc.position, t.cancelled_at, t.created_at,
       t.intent_answered_at
FROM touchpoint AS t
LEFT OUTER JOIN touchpoint_participant AS p ON p.touchpoint_id = t.id
LEFT OUTER JOIN touchpoint_contact AS tc ON tc.touchpoint_id = t.id
LEFT OUTER JOIN contact AS c ON c.id = tc.contact_id
"""


# Enum members by value: a dict look-up, where calling the enum costs a microsecond a row.
_KINDS = {str(kind): kind for kind in TouchpointKind}
_ANSWERS = {str(answer): answer for answer in IntentAnswer}


def _gather(rows: Iterable[Sequence[Any]]) -> list[TouchpointRow]:
    """Fold the one-row-per-participant-and-contact result of `_WITH_PEOPLE` into touchpoints,
    in the order first seen."""
    first: dict[int, Sequence[Any]] = {}
    people: dict[int, set[str]] = {}
    contacts: dict[int, dict[int, tuple[int, str]]] = {}
    for row in rows:
        touchpoint_id = row[0]
        if touchpoint_id not in first:
            first[touchpoint_id] = row
            people[touchpoint_id] = set()
            contacts[touchpoint_id] = {}
        if row[15] is not None:
            people[touchpoint_id].add(row[15])
        if row[8] is not None:
            contacts[touchpoint_id][row[8]] = (row[16], row[9])
    return [
        TouchpointRow(
            row[0],
            row[1],
            row[2],
            _KINDS[row[3]],
            row[4],
            utc(row[5]),
            bool(row[6]),
            row[7],
            tuple(sorted(people[touchpoint_id])),
            *_named(contacts[touchpoint_id]),
            row[10],
            row[11],
            utc_or_none(row[12]),
            _ANSWERS[row[13]] if row[13] else None,
            row[14],
            utc_or_none(row[17]),
            utc(row[18]),
            utc_or_none(row[19]),
        )
        for touchpoint_id, row in first.items()
    ]


def _named(contacts: dict[int, tuple[int, str]]) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """(ids, names) of a touchpoint's people at the partner, in the order they were named."""
    if not contacts:
        return (), ()
    ordered = sorted(contacts.items(), key=lambda item: item[1][0])
    return tuple(i for i, _ in ordered), tuple(name for _, (_, name) in ordered)


# --- Writing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """What the hot path needs of a cached Slack profile."""

    tz: str
    fetched_at: datetime


def profiles_of(*, session: Session, team_id: str, user_ids: Collection[str]) -> dict[str, Profile]:
    """The cached time zones (and their age) of those of `user_ids` Liaison has a profile of."""
    if not user_ids:
        return {}
    params = listed("user", user_ids)
    statement = sized(
        "SELECT user_id, tz, fetched_at FROM user_profile "
        "WHERE team_id = :team_id AND user_id IN ({user})",
        user=len(params),
    )
    rows = Driver.of(session).rows(statement, {"team_id": team_id, **params})
    return {str(user_id): Profile(str(tz), utc(fetched_at)) for user_id, tz, fetched_at in rows}


@dataclass(frozen=True, kw_only=True)
class Settings:
    """The workspace settings recording a touchpoint needs (defaults where it has no row)."""

    coordination_channel: str | None = None
    window_days: int = 14
    timezone: str = "UTC"
    work_start_hour: int = 9
    work_end_hour: int = 17
    work_days: str = "mon,tue,wed,thu,fri"


_SETTINGS_FIELDS = tuple(Settings.__dataclass_fields__)
_SETTINGS = Sql(f"SELECT {', '.join(_SETTINGS_FIELDS)} FROM workspace WHERE team_id = :team_id")


def settings_of(*, session: Session, team_id: str) -> Settings:
    """The workspace's settings for the hot path (no ORM objects)."""
    row = Driver.of(session).first(_SETTINGS, {"team_id": team_id})
    return Settings() if row is None else Settings(**dict(zip(_SETTINGS_FIELDS, row, strict=True)))


@dataclass(frozen=True, kw_only=True)
class PartnerAtHand:
    """A partner and its team as recording a touchpoint needs them (no ORM objects)."""

    id: int
    team_id: str
    name: str
    status: str
    website_domain: str | None
    channel_id: str | None
    last_contact_at: datetime | None
    # (user id, role) of each member of its team, owner and deputy included.
    team: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, partner: Partner, team: Iterable[TeamMembership]) -> PartnerAtHand:
        assert partner.id is not None, "partner was not flushed"
        return cls(
            id=partner.id,
            team_id=partner.team_id,
            name=partner.name,
            status=partner.status,
            website_domain=partner.website_domain,
            channel_id=partner.channel_id,
            last_contact_at=partner.last_contact_at,
            team=tuple((member.user_id, member.role) for member in team),
        )

    def holder(self, role: str) -> str | None:
        """Who has `role` (owner, deputy) on its team."""
        return next((user for user, has in self.team if has == role), None)


def partner_and_team(
    *, session: Session, team_id: str, key: str | None = None, partner_id: int | None = None
) -> PartnerAtHand | None:
    """The partner whose normalized name or alias is `key` (or whose id is `partner_id`), and its
    team, in one prebuilt query."""
    values = {"team_id": team_id, "key": key or "", "partner_id": partner_id or -1}
    rows = Driver.of(session).rows(_PARTNER_AND_TEAM, values)
    if not rows:
        return None
    first = rows[0]
    return PartnerAtHand(
        id=first[0],
        team_id=first[1],
        name=first[2],
        status=first[3],
        website_domain=first[4],
        channel_id=first[5],
        last_contact_at=utc_or_none(first[6]),
        team=tuple((user_id, role) for *_, user_id, role in rows if user_id is not None),
    )


_PARTNER_AND_TEAM = Sql("""
SELECT p.id, p.team_id, p.name, p.status, p.website_domain, p.channel_id, p.last_contact_at,
       m.user_id, m.role
FROM partner AS p
LEFT OUTER JOIN team_membership AS m ON m.partner_id = p.id AND m.team_id = p.team_id
WHERE p.team_id = :team_id
  AND (p.normalized_name = :key OR p.id = :partner_id
       OR p.id IN (SELECT a.partner_id FROM partner_alias AS a
                   WHERE a.team_id = :team_id AND a.normalized = :key))
ORDER BY m.id
""")


# --- Recording ----------------------------------------------------------------------------------


def insert_touchpoint(
    *,
    session: Session,
    team_id: str,
    partner_id: int,
    kind: TouchpointKind,
    at: datetime,
    day_only: bool,
    medium: str | None,
    author_id: str,
    participants: Sequence[str],
    contact_ids: Sequence[int],
    notes: str | None,
    request_key: str | None,
    created_at: datetime,
) -> int | None:
    """Add a touchpoint, its participants and the people at the partner it was with (in that
    order); its id, or None when `request_key` is taken.

    INSERT … ON CONFLICT DO NOTHING: a retry of the same request neither raises nor aborts the
    caller's transaction (on PostgreSQL it waits for the first request's transaction first).
    """
    driver = Driver.of(session)
    values = {
        "team_id": team_id,
        "partner_id": partner_id,
        "kind": str(kind),
        "medium": None if medium is None else str(medium),
        "at": driver.time(at),
        "day_only": day_only,
        "author_id": author_id,
        "notes": notes,
        "request_key": request_key,
        "created_at": driver.time(created_at),
    }
    touchpoint_id = driver.scalar(_INSERT_TOUCHPOINT, values)
    if touchpoint_id is None:
        return None
    driver.execute_many(
        _INSERT_PARTICIPANT,
        [{"touchpoint_id": touchpoint_id, "user_id": user_id} for user_id in participants],
    )
    driver.execute_many(
        _INSERT_CONTACT_LINK,
        [
            {
                "touchpoint_id": touchpoint_id,
                "contact_id": contact_id,
                "team_id": team_id,
                "position": position,
            }
            for position, contact_id in enumerate(dict.fromkeys(contact_ids))
        ],
    )
    return int(touchpoint_id)


_INSERT_TOUCHPOINT = Sql("""
INSERT INTO touchpoint (team_id, partner_id, kind, medium, at, day_only, author_id, notes,
                        request_key, created_at)
VALUES (:team_id, :partner_id, :kind, :medium, :at, :day_only, :author_id, :notes, :request_key,
        :created_at)
ON CONFLICT (team_id, request_key) DO NOTHING
RETURNING id
""")
_INSERT_PARTICIPANT = Sql(
    "INSERT INTO touchpoint_participant (touchpoint_id, user_id) VALUES (:touchpoint_id, :user_id)"
)
_INSERT_CONTACT_LINK = Sql("""
INSERT INTO touchpoint_contact (touchpoint_id, contact_id, team_id, position)
VALUES (:touchpoint_id, :contact_id, :team_id, :position)
""")


def remove_participants(
    *, session: Session, team_id: str, touchpoint_id: int, user_ids: Collection[str]
) -> int:
    """Take `user_ids` off the colleagues who took part in the workspace's touchpoint (people
    Slack said after the fact are of another organisation); returns how many were on it."""
    if not user_ids:
        return 0
    participant = table_of(TouchpointParticipant)
    mine = sa.select(_T.c.id).where(_T.c.id == touchpoint_id, _T.c.team_id == team_id)
    result = session.execute(
        sa.delete(participant).where(
            participant.c.touchpoint_id.in_(mine), participant.c.user_id.in_(set(user_ids))
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def drop_checkins_of(
    *, session: Session, team_id: str, touchpoint_id: int, user_ids: Collection[str]
) -> int:
    """Delete the check-ins (and their kept replies) of `user_ids` about the workspace's
    touchpoint: people taken off it (`remove_participants`) were never asked as colleagues,
    so none of theirs may wait, be reminded of, or count as being in touch. How many went."""
    if not user_ids:
        return 0
    checkin, reply = table_of(CheckIn), table_of(CheckInReply)
    theirs = sa.select(checkin.c.id).where(
        checkin.c.team_id == team_id,
        checkin.c.touchpoint_id == touchpoint_id,
        checkin.c.user_id.in_(set(user_ids)),
    )
    # SQLite enforces no ON DELETE CASCADE unless told to: the replies go first.
    session.execute(
        sa.delete(reply).where(reply.c.team_id == team_id, reply.c.checkin_id.in_(theirs))
    )
    result = session.execute(sa.delete(checkin).where(checkin.c.id.in_(theirs)))
    return int(getattr(result, "rowcount", 0) or 0)


def touchpoint_with_key(
    *, session: Session, team_id: str, request_key: str
) -> TouchpointRow | None:
    """The workspace's touchpoint recorded by the request with this key, if any."""
    found = Driver.of(session).scalar(_WITH_KEY, {"team_id": team_id, "key": request_key})
    if found is None:
        return None
    return get_touchpoint(session=session, team_id=team_id, touchpoint_id=found)


_WITH_KEY = Sql("SELECT id FROM touchpoint WHERE team_id = :team_id AND request_key = :key")


def get_touchpoint(*, session: Session, team_id: str, touchpoint_id: int) -> TouchpointRow | None:
    """One touchpoint of the workspace."""
    found = touchpoints_by_id(session=session, team_id=team_id, ids=[touchpoint_id])
    return found[0] if found else None


def touchpoints_by_id(
    *, session: Session, team_id: str, ids: Collection[int]
) -> list[TouchpointRow]:
    """The workspace's touchpoints among `ids`, in the order of `ids`."""
    if not ids:
        return []
    params = listed("id", ids)
    statement = _by_id(len(ids))
    rows = _gather(Driver.of(session).rows(statement, {"team_id": team_id, **params}))
    order = {touchpoint_id: index for index, touchpoint_id in enumerate(ids)}
    return sorted(rows, key=lambda row: order[row.id])


def _by_id(count: int) -> Sql:
    """Touchpoints among `count` ids by their primary key. Without statistics SQLite's planner
    would rather range over the workspace's touchpoints by team_id (a million of them: 150 ms),
    so there `+t.team_id` keeps that column from choosing the index."""
    template = _WITH_PEOPLE + "WHERE {team} = :team_id AND t.id IN ({{id}})"
    return sized(template.format(team="+t.team_id"), template.format(team="t.team_id"), id=count)


def workspace_touchpoints(*, session: Session, team_id: str) -> list[TouchpointRow]:
    """Every touchpoint of the workspace with its people, by time (`export touchpoints`): one
    statement, however many partners and touchpoints there are."""
    return _gather(Driver.of(session).rows(_WORKSPACE, {"team_id": team_id}))


_WORKSPACE = Sql(_WITH_PEOPLE + "WHERE t.team_id = :team_id ORDER BY t.at, t.id")


def lock_partner(*, session: Session, team_id: str, partner_id: int) -> None:
    """Serialize recordings about one partner until commit, so two colliding contacts logged at
    the same moment see each other. PostgreSQL locks the partner's row; SQLite has one writer
    at a time anyway (the touchpoint is inserted before its neighbours are read)."""
    driver = Driver.of(session)
    if driver.postgresql:
        driver.rows(_LOCK_PARTNER, {"team_id": team_id, "partner_id": partner_id})


_LOCK_PARTNER = Sql(
    "SELECT id FROM partner WHERE team_id = :team_id AND id = :partner_id FOR UPDATE"
)


def note_contact(
    *, session: Session, team_id: str, partner_id: int, at: datetime, by: str, day_only: bool
) -> None:
    """Make (`at`, `by`) the partner's last contact unless it had a later one already."""
    driver = Driver.of(session)
    values = {
        "team_id": team_id,
        "partner_id": partner_id,
        "at": driver.time(at),
        "by": by,
        "day_only": day_only,
    }
    driver.execute(_NOTE_CONTACT, values)


_NOTE_CONTACT = Sql("""
UPDATE partner SET last_contact_at = :at, last_contact_by = :by, last_contact_day_only = :day_only
WHERE team_id = :team_id AND id = :partner_id
  AND (last_contact_at IS NULL OR last_contact_at <= :at)
""")


def unnote_contact(
    *, session: Session, team_id: str, partner_id: int, at: datetime, by: str, now: datetime
) -> None:
    """A contact at `at` by `by` no longer counts (a plan that didn't happen, or moved on): if
    it was the partner's last contact, the latest one that still counts takes its place (a
    contact logged, or a plan still on whose time has come by `now`), or none."""
    driver = Driver.of(session)
    values = {"team_id": team_id, "partner_id": partner_id}
    last = driver.first(_LAST_CONTACT, values)
    if last is None or last[0] is None or utc(last[0]) != at or last[1] != by:
        return
    latest = driver.first(_LATEST_CONTACT, {**values, "now": driver.time(now)})
    driver.execute(
        _SET_LAST_CONTACT,
        {
            **values,
            "at": None if latest is None else driver.time(min(utc(latest[0]), now)),
            "by": None if latest is None else latest[1],
            "day_only": False if latest is None else bool(latest[2]),
        },
    )


_LAST_CONTACT = Sql(
    "SELECT last_contact_at, last_contact_by FROM partner "
    "WHERE team_id = :team_id AND id = :partner_id"
)
# The partner's latest contact that counts: the index ix_touchpoint_partner_time read backwards.
_LATEST_CONTACT = Sql("""
SELECT at, author_id, day_only FROM touchpoint
WHERE team_id = :team_id AND partner_id = :partner_id AND cancelled_at IS NULL
  AND (kind = 'done' OR (kind = 'planned' AND at <= :now))
ORDER BY at DESC, id DESC
LIMIT 1
""")
_SET_LAST_CONTACT = Sql("""
UPDATE partner SET last_contact_at = :at, last_contact_by = :by, last_contact_day_only = :day_only
WHERE team_id = :team_id AND id = :partner_id
""")


# --- Planned meetings whose time has come -------------------------------------------------------


class PassedPlan(NamedTuple):
    """A plan still on whose moment has come, later than its partner's last contact."""

    partner_id: int
    at: datetime
    author_id: str
    day_only: bool


def teams_with_passed_plans(*, session: Session, since: datetime, until: datetime) -> list[str]:
    """The workspaces with plans still on dated in (`since`, `until`]: the last-contact
    planner's look across workspaces (one scheduler serves them all), reading only the partial
    index of live plans."""
    driver = Driver.of(session)
    params = {"since": driver.time(since), "until": driver.time(until)}
    return sorted(str(team_id) for (team_id,) in driver.rows(_TEAMS_WITH_PASSED_PLANS, params))


_TEAMS_WITH_PASSED_PLANS = Sql("""
SELECT DISTINCT team_id FROM touchpoint
WHERE kind = 'planned' AND cancelled_at IS NULL AND at > :since AND at <= :until
""")


def passed_plans(
    *, session: Session, team_id: str, since: datetime, until: datetime
) -> list[PassedPlan]:
    """The workspace's plans still on dated in (`since`, `until`] that are later than their
    partner's last contact, earliest first."""
    driver = Driver.of(session)
    params = {"team_id": team_id, "since": driver.time(since), "until": driver.time(until)}
    return [
        PassedPlan(int(partner_id), utc(at), str(author), bool(day_only))
        for partner_id, at, author, day_only in driver.rows(_PASSED_PLANS, params)
    ]


_PASSED_PLANS = Sql("""
SELECT t.partner_id, t.at, t.author_id, t.day_only
FROM touchpoint AS t
JOIN partner AS p ON p.id = t.partner_id AND p.team_id = t.team_id
WHERE t.team_id = :team_id AND t.kind = 'planned' AND t.cancelled_at IS NULL
  AND t.at > :since AND t.at <= :until
  AND (p.last_contact_at IS NULL OR p.last_contact_at < t.at)
ORDER BY t.at, t.id
""")


def next_plan_after(*, session: Session, after: datetime) -> datetime | None:
    """The first moment after `after` of any workspace's plan still on (for the sandbox, which
    runs the last-contact planner then)."""
    driver = Driver.of(session)
    found = driver.scalar(_NEXT_PLAN, {"after": driver.time(after)})
    return utc_or_none(found)


_NEXT_PLAN = Sql(
    "SELECT min(at) FROM touchpoint WHERE kind = 'planned' AND cancelled_at IS NULL AND at > :after"
)


def insert_contact(
    *,
    session: Session,
    team_id: str,
    partner_id: int,
    name: str,
    email: str | None,
    at: datetime,
    title: str | None = None,
) -> int:
    """Add a contact person at the partner (with their role, `title`, if typed); with an email
    someone added meanwhile, that one."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(_CONTACT)
        .values(
            team_id=team_id,
            partner_id=partner_id,
            name=name,
            email=email,
            title=title,
            created_at=at,
        )
        .on_conflict_do_nothing(index_elements=["partner_id", "email"])
        .returning(_CONTACT.c.id)
    )
    contact_id = session.execute(statement).scalar()
    if contact_id is None:
        contact_id = session.execute(
            sa.select(_CONTACT.c.id).where(
                _CONTACT.c.team_id == team_id,
                _CONTACT.c.partner_id == partner_id,
                _CONTACT.c.email == email,
            )
        ).scalar_one()
    return int(contact_id)


# --- The collision check ------------------------------------------------------------------------


# One partner's live touchpoints in a time range, earliest first, participants and contact person
# joined in: a range scan of ix_touchpoint_partner_time (team_id, partner_id, at), then
# primary-key lookups. A plan its author said didn't happen is left out there, row by row, as
# the kinds are: no other index is read.
_NEIGHBOURS = Sql(
    _WITH_PEOPLE
    + """WHERE t.team_id = :team_id AND t.partner_id = :partner_id
  AND t.at >= :start AND t.at <= :end
  AND t.kind IN ({kinds}) AND t.cancelled_at IS NULL AND t.id <> :exclude
ORDER BY t.at, t.id
""".format(kinds=", ".join(f"'{kind}'" for kind in LIVE_KINDS))
)


def _neighbours_params(
    team_id: str,
    partner_id: int,
    start: datetime,
    end: datetime,
    exclude: int | None,
    *,
    postgresql: bool,
) -> dict[str, Any]:
    return {
        "team_id": team_id,
        "partner_id": partner_id,
        "start": stored_time(start, postgresql=postgresql),
        "end": stored_time(end, postgresql=postgresql),
        "exclude": -1 if exclude is None else exclude,
    }


def neighbours(
    *,
    session: Session,
    team_id: str,
    partner_id: int,
    start: datetime,
    end: datetime,
    exclude: int | None = None,
) -> list[TouchpointRow]:
    """The collision check's query: the partner's live touchpoints with `start <= at <= end`
    (but `exclude`), earliest first; live: logged, planned or intended, and not a plan its
    author said didn't happen."""
    driver = Driver.of(session)
    params = _neighbours_params(
        team_id, partner_id, start, end, exclude, postgresql=driver.postgresql
    )
    return _gather(driver.rows(_NEIGHBOURS, params))


def neighbours_sql(
    *, connection: sa.Connection, team_id: str, partner_id: int, start: datetime, end: datetime
) -> tuple[str, dict[str, Any]]:
    """The collision check's SQL as the driver runs it, and its parameters: for EXPLAIN, and to
    time the database's part alone."""
    postgresql = connection.dialect.name == "postgresql"
    params = _neighbours_params(team_id, partner_id, start, end, None, postgresql=postgresql)
    return (_NEIGHBOURS.postgresql if postgresql else _NEIGHBOURS.sqlite), params


def explain_neighbours(
    *, connection: sa.Connection, team_id: str, partner_id: int, start: datetime, end: datetime
) -> list[str]:
    """How the database runs the collision check: SQLite's EXPLAIN QUERY PLAN details, or
    PostgreSQL's EXPLAIN lines (benchmarks and tests show it reads its index)."""
    sql, params = neighbours_sql(
        connection=connection, team_id=team_id, partner_id=partner_id, start=start, end=end
    )
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
        return [str(row[-1]) for row in rows]
    rows = connection.exec_driver_sql(f"EXPLAIN {sql}", params).all()
    return [str(row[0]) for row in rows]


@dataclass(frozen=True, kw_only=True)
class NewCollision:
    earlier_id: int
    same_contact: bool
    alert_key: str | None
    # News to the people on either side (`bot.services.touchpoints.known`): alerted, or it
    # would have been had a channel taken the alert.
    news: bool


def insert_collisions(
    *,
    session: Session,
    team_id: str,
    partner_id: int,
    later_id: int,
    found: Sequence[NewCollision],
    detected_at: datetime,
    thread_key: str | None,
    alerted_owner_id: str | None,
    alerted_cover_id: str | None = None,
) -> None:
    """Record that `later_id` collides with each of `found` (each pair once); those alerted
    with the alert's thread, the owner it mentioned, and whoever it asked covering for them.
    Which were news is kept (`news`): they are the collisions health counts
    (`storage.health.collision_pairs`)."""
    if not found:
        return
    driver = Driver.of(session)
    detected = driver.time(detected_at)
    driver.execute_many(
        _INSERT_COLLISION,
        [
            {
                "team_id": team_id,
                "partner_id": partner_id,
                "earlier_id": collision.earlier_id,
                "later_id": later_id,
                "same_contact": collision.same_contact,
                "detected_at": detected,
                "alert_key": collision.alert_key,
                "thread_key": thread_key,
                "news": collision.news,
                "alerted_owner_id": alerted_owner_id if collision.alert_key else None,
                "alerted_cover_id": alerted_cover_id if collision.alert_key else None,
            }
            for collision in found
        ],
    )


_INSERT_COLLISION = Sql("""
INSERT INTO collision (team_id, partner_id, earlier_id, later_id, same_contact, detected_at,
                       alert_key, thread_key, news, alerted_owner_id, alerted_cover_id)
VALUES (:team_id, :partner_id, :earlier_id, :later_id, :same_contact, :detected_at, :alert_key,
        :thread_key, :news, :alerted_owner_id, :alerted_cover_id)
""")


@dataclass(frozen=True)
class AlertedPair:
    """A collision an alert in the channel reported: the people of both touchpoints were named
    together, and `owner_id` (the owner the alert mentioned, if any) read all their names, as
    did `cover_id` (whoever covered for the owner, away, whom it asked instead). `alert_key`:
    that alert's outbox key."""

    earlier_id: int
    later_id: int
    owner_id: str | None
    alert_key: str
    cover_id: str | None = None


def alerted_pairs(
    *, session: Session, team_id: str, touchpoint_ids: Collection[int]
) -> list[AlertedPair]:
    """The collisions involving any of `touchpoint_ids` that an alert in the channel reported,
    oldest first."""
    if not touchpoint_ids:
        return []
    ids = list(touchpoint_ids)
    driver = Driver.of(session)
    rows = driver.rows(_alerted_pairs(len(ids)), {"team_id": team_id, **listed("id", ids)})
    return [
        AlertedPair(earlier, later, owner, str(key), cover)
        for earlier, later, owner, key, cover in rows
    ]


def _alerted_pairs(count: int) -> Sql:
    """Alerted collisions with any of `count` touchpoints: the index on each side, OR-ed.
    SQLite's planner would rather range over the workspace's collisions by team_id (all of
    them), so there `+team_id` keeps that column from choosing the index."""
    template = (
        "SELECT earlier_id, later_id, alerted_owner_id, alert_key, alerted_cover_id "
        "FROM collision "
        "WHERE {team} = :team_id AND alert_key IS NOT NULL "
        "AND (earlier_id IN ({{id}}) OR later_id IN ({{id}})) ORDER BY id"
    )
    return sized(template.format(team="+team_id"), template.format(team="team_id"), id=count)


def collisions_found_by(*, session: Session, team_id: str, later_id: int) -> list[tuple[int, bool]]:
    """(earlier touchpoint, same contact) of each collision that recording `later_id` found."""
    statement = (
        sa.select(_C.c.earlier_id, _C.c.same_contact)
        .where(_C.c.team_id == team_id, _C.c.later_id == later_id)
        .order_by(_C.c.id)
    )
    return [(int(earlier), bool(same)) for earlier, same in session.execute(statement)]


def forget_collisions_found_by(*, session: Session, team_id: str, later_id: int) -> int:
    """Delete the collisions that recording `later_id` found, to be found afresh (its
    colleagues changed before anyone was told of them); how many were."""
    statement = sa.delete(_C).where(_C.c.team_id == team_id, _C.c.later_id == later_id)
    return int(session.execute(statement).rowcount or 0)  # type: ignore[attr-defined]


def thread_root(*, session: Session, team_id: str, partner_id: int, since: datetime) -> str | None:
    """The key of the first alert about the partner posted on its own (not in a thread) since
    `since`, which later alerts reply to."""
    found = thread_roots(session=session, team_id=team_id, partner_id=partner_id, since=since)
    return found[0] if found else None


def thread_roots(*, session: Session, team_id: str, partner_id: int, since: datetime) -> list[str]:
    """The keys of the alerts about the partner posted on their own (not in a thread) since
    `since`, first first: a later alert replies to the first in its channel."""
    driver = Driver.of(session)
    params = {"team_id": team_id, "partner_id": partner_id, "since": driver.time(since)}
    return list(dict.fromkeys(str(key) for (key,) in driver.rows(_THREAD_ROOTS, params)))


_THREAD_ROOTS = Sql("""
SELECT alert_key FROM collision
WHERE team_id = :team_id AND partner_id = :partner_id AND detected_at >= :since
  AND alert_key IS NOT NULL AND alert_key = thread_key
ORDER BY detected_at, id
""")


def colliding_with(*, session: Session, team_id: str, touchpoint_id: int) -> set[int]:
    """The touchpoints found colliding with `touchpoint_id`, whichever was recorded first."""
    earlier = sa.select(_C.c.earlier_id).where(
        _C.c.team_id == team_id, _C.c.later_id == touchpoint_id
    )
    later = sa.select(_C.c.later_id).where(
        _C.c.team_id == team_id, _C.c.earlier_id == touchpoint_id
    )
    return {int(other) for other in session.execute(sa.union(earlier, later)).scalars()}


# --- While someone was away ----------------------------------------------------------------------


class ContactWhileAway(NamedTuple):
    """A touchpoint with a partner the reader owns, recorded by someone else while the reader
    was away; an intent's answer, if it got one, and by whom."""

    id: int
    partner_id: int
    partner_name: str
    kind: TouchpointKind
    author_id: str
    intent_answer: IntentAnswer | None
    intent_answered_by: str | None
    # Who was asked about an intent in the owner's place, if someone else was (whoever covered
    # for them while away, who keeps a question they had).
    intent_asked_instead: str | None = None
    # The reader is asked about the intent: theirs to answer (handed back to them, or never
    # handed on).
    intent_asked_reader: bool = False


def contacts_while_away(
    *, session: Session, team_id: str, owner_id: str, start: datetime, end: datetime
) -> list[ContactWhileAway]:
    """The touchpoints recorded from `start` to `end` (included) by others with the partners
    `owner_id` owns, by partner name, then in the order they were recorded."""
    partner, owner = table_of(Partner), table_of(TeamMembership)
    statement = (
        sa.select(
            _T.c.id,
            partner.c.id,
            partner.c.name,
            _T.c.kind,
            _T.c.author_id,
            _T.c.intent_answer,
            _T.c.intent_answered_by,
            _T.c.intent_asked,
        )
        .select_from(
            _T.join(partner, partner.c.id == _T.c.partner_id).join(
                owner, owner.c.partner_id == _T.c.partner_id
            )
        )
        .where(
            _T.c.team_id == team_id,
            partner.c.team_id == team_id,
            owner.c.team_id == team_id,
            owner.c.user_id == owner_id,
            owner.c.role == TeamRole.OWNER.value,
            _T.c.author_id != owner_id,
            _T.c.cancelled_at.is_(None),
            _T.c.created_at >= start,
            _T.c.created_at <= end,
        )
        .order_by(partner.c.name, _T.c.created_at, _T.c.id)
    )
    return [
        ContactWhileAway(
            id=int(row[0]),
            partner_id=int(row[1]),
            partner_name=str(row[2]),
            kind=TouchpointKind(row[3]),
            author_id=str(row[4]),
            intent_answer=IntentAnswer(row[5]) if row[5] is not None else None,
            intent_answered_by=row[6],
            intent_asked_instead=row[7] if row[7] != owner_id else None,
            intent_asked_reader=row[7] == owner_id,
        )
        for row in session.execute(statement)
    ]


@dataclass(frozen=True, kw_only=True)
class ProblemWhileAway:
    """A check-in answered *Problem* about a partner the reader owns, while they were away."""

    partner_id: int
    partner_name: str
    user_id: str
    at: datetime


def problems_while_away(
    *, session: Session, team_id: str, owner_id: str, start: datetime, end: datetime
) -> list[ProblemWhileAway]:
    """The check-ins answered *Problem* (and still so) from `start` to `end` about meetings with
    partners `owner_id` owns, oldest first. When: its alert (the Problem as reported), or its
    first answer before the alert went out."""
    checkin, partner, owner = table_of(CheckIn), table_of(Partner), table_of(TeamMembership)
    # Typed as its columns, so the moments compared with it are bound as they store them.
    at = sa.func.coalesce(
        checkin.c.problem_alerted_at, checkin.c.answered_at, type_=checkin.c.answered_at.type
    )
    statement = (
        sa.select(partner.c.id, partner.c.name, checkin.c.user_id, at)
        .select_from(
            checkin.join(_T, _T.c.id == checkin.c.touchpoint_id)
            .join(partner, partner.c.id == _T.c.partner_id)
            .join(owner, owner.c.partner_id == _T.c.partner_id)
        )
        .where(
            checkin.c.team_id == team_id,
            _T.c.team_id == team_id,
            partner.c.team_id == team_id,
            owner.c.team_id == team_id,
            owner.c.user_id == owner_id,
            owner.c.role == TeamRole.OWNER.value,
            checkin.c.user_id != owner_id,
            checkin.c.answer == CheckInAnswer.PROBLEM.value,
            at >= start,
            at <= end,
        )
        .order_by(at, checkin.c.id)
    )
    return [
        ProblemWhileAway(
            partner_id=int(pid), partner_name=str(name), user_id=str(user), at=utc(when)
        )
        for pid, name, user, when in session.execute(statement)
    ]


def alerts_while_away(
    *, session: Session, team_id: str, partner_ids: Collection[int], start: datetime, end: datetime
) -> dict[int, int]:
    """How many collision alerts the coordination channel got about each of `partner_ids`
    from `start` to `end` (an alert naming several contacts counts once)."""
    if not partner_ids:
        return {}
    statement = (
        sa.select(_C.c.partner_id, sa.func.count(sa.distinct(_C.c.alert_key)))
        .where(
            _C.c.team_id == team_id,
            _C.c.partner_id.in_(list(partner_ids)),
            _C.c.alert_key.is_not(None),
            _C.c.detected_at >= start,
            _C.c.detected_at <= end,
        )
        .group_by(_C.c.partner_id)
    )
    return {int(partner_id): int(count) for partner_id, count in session.execute(statement)}


# --- A planned meeting moved --------------------------------------------------------------------


def reschedule_planned(*, session: Session, team_id: str, touchpoint_id: int, at: datetime) -> bool:
    """Give a planned touchpoint its new moment (a participant said the meeting moved), and
    put it back on if its author had said it didn't happen: it is to happen then. False unless
    it is one of the workspace's planned touchpoints. Collisions already recorded stay."""
    return _set_planned(session, team_id, touchpoint_id, at=at, cancelled_at=None)


def cancel_planned(*, session: Session, team_id: str, touchpoint_id: int, at: datetime) -> bool:
    """A planned touchpoint its author said didn't happen, at `at`: kept, but no longer a
    contact. False unless it is one of the workspace's planned touchpoints. Collisions already
    recorded stay (an alert posted is history), but count no more (`storage.health`)."""
    return _set_planned(session, team_id, touchpoint_id, cancelled_at=at)


def call_off_plan(
    *,
    session: Session,
    team_id: str,
    touchpoint_id: int,
    partner_id: int,
    planned_at: datetime,
    author_id: str,
    now: datetime,
) -> bool:
    """A plan that is off (its author said it didn't happen; its partner was ended): cancelled
    at `now` (`cancel_planned`), and no longer the partner's last contact if it was
    (`unnote_contact`). False, changing nothing, unless it is one of the workspace's plans."""
    if not cancel_planned(session=session, team_id=team_id, touchpoint_id=touchpoint_id, at=now):
        return False
    unnote_contact(
        session=session,
        team_id=team_id,
        partner_id=partner_id,
        at=planned_at,
        by=author_id,
        now=now,
    )
    return True


def restore_planned(*, session: Session, team_id: str, touchpoint_id: int) -> bool:
    """A planned touchpoint its author no longer says didn't happen (a changed answer)."""
    return _set_planned(session, team_id, touchpoint_id, cancelled_at=None)


def _set_planned(session: Session, team_id: str, touchpoint_id: int, **values: Any) -> bool:
    result = session.execute(
        sa.update(_T)
        .where(
            _T.c.team_id == team_id,
            _T.c.id == touchpoint_id,
            _T.c.kind == TouchpointKind.PLANNED,
        )
        .values(**values)
    )
    assert isinstance(result, sa.CursorResult)
    return result.rowcount == 1


# --- Intents ------------------------------------------------------------------------------------


def set_intent(
    *, session: Session, team_id: str, touchpoint_id: int, asked: str, deadline: datetime
) -> None:
    """Record who was asked about an intent and until when an answer is awaited."""
    session.execute(
        sa.update(_T)
        .where(_T.c.team_id == team_id, _T.c.id == touchpoint_id)
        .values(intent_asked=asked, intent_deadline=deadline)
    )


def clear_intent(*, session: Session, team_id: str, touchpoint_id: int) -> None:
    """An intent that needs nobody's answer any more (its author owns the partner now)."""
    session.execute(
        sa.update(_T)
        .where(_T.c.team_id == team_id, _T.c.id == touchpoint_id)
        .values(intent_asked=None, intent_deadline=None)
    )


def answer_intent(
    *,
    session: Session,
    team_id: str,
    touchpoint_id: int,
    answer: IntentAnswer,
    by: str | None,
    at: datetime,
) -> bool:
    """Record the answer to an intent still open (or lapsed, for a late answer, which a lapse
    never overrides). False when someone answered first."""
    open_states = [None] if answer is IntentAnswer.LAPSED else [None, IntentAnswer.LAPSED]
    still_open = sa.or_(
        *(
            _T.c.intent_answer.is_(None) if state is None else _T.c.intent_answer == state
            for state in open_states
        )
    )
    result = session.execute(
        sa.update(_T)
        .where(
            _T.c.team_id == team_id,
            _T.c.id == touchpoint_id,
            _T.c.kind == TouchpointKind.INTENDED,
            still_open,
        )
        .values(intent_answer=answer, intent_answered_by=by, intent_answered_at=at)
    )
    assert isinstance(result, sa.CursorResult)
    return result.rowcount == 1


def due_intents(*, session: Session, now: datetime, limit: int) -> list[tuple[str, int]]:
    """(workspace, touchpoint) of intents across workspaces whose answer was due by `now` and
    never came, oldest deadline first. Reads only the partial index of open intents."""
    statement = (
        sa.select(_T.c.team_id, _T.c.id)
        .where(
            _T.c.intent_deadline.is_not(None),
            _T.c.intent_answer.is_(None),
            _T.c.intent_deadline <= now,
        )
        .order_by(_T.c.intent_deadline, _T.c.id)
        .limit(limit)
    )
    return [
        (str(team_id), int(touchpoint_id)) for team_id, touchpoint_id in session.execute(statement)
    ]


def open_intents_asked_of(
    *, session: Session, team_id: str, user_id: str | None, partner_id: int | None = None
) -> list[TouchpointRow]:
    """The workspace's intents (or one partner's) asked of `user_id` (of anyone: None) and not
    answered yet, oldest first."""
    return _intents_asked_of(
        session=session, team_id=team_id, user_id=user_id, partner_id=partner_id, answer=None
    )


def lapsed_intents_of(*, session: Session, team_id: str, partner_id: int) -> list[TouchpointRow]:
    """The partner's intents that someone was asked about and nobody answered in time (their
    askers were told they may go ahead; a late answer may still come), oldest first."""
    return _intents_asked_of(
        session=session,
        team_id=team_id,
        user_id=None,
        partner_id=partner_id,
        answer=IntentAnswer.LAPSED,
    )


def _intents_asked_of(
    *,
    session: Session,
    team_id: str,
    user_id: str | None,
    partner_id: int | None,
    answer: IntentAnswer | None,
) -> list[TouchpointRow]:
    statement = (
        sa.select(_T.c.id)
        .where(
            _T.c.team_id == team_id,
            _T.c.intent_asked.is_not(None) if user_id is None else _T.c.intent_asked == user_id,
            _T.c.intent_deadline.is_not(None),
            _T.c.intent_answer.is_(None) if answer is None else _T.c.intent_answer == answer,
            sa.true() if partner_id is None else _T.c.partner_id == partner_id,
        )
        .order_by(_T.c.id)
    )
    ids = [int(touchpoint_id) for (touchpoint_id,) in session.execute(statement)]
    return touchpoints_by_id(session=session, team_id=team_id, ids=ids)


# --- Briefing -----------------------------------------------------------------------------------


def touchpoints_of(
    *,
    session: Session,
    team_id: str,
    partner_id: int,
    kinds: Collection[TouchpointKind],
    start: datetime | None = None,
    day_only_start: datetime | None = None,
    end: datetime | None = None,
    author_id: str | None = None,
    newest_first: bool = False,
    live_only: bool = False,
    limit: int,
) -> list[TouchpointRow]:
    """Up to `limit` of the partner's touchpoints of `kinds` (by `author_id`, if given) with
    `start <= at <= end`; those recorded with a day and no time from `day_only_start` on, if
    given, instead of `start`. `live_only` leaves out plans their authors said didn't happen."""
    where = [
        _T.c.team_id == team_id,
        _T.c.partner_id == partner_id,
        _T.c.kind.in_([str(kind) for kind in kinds]),
    ]
    if live_only:
        where.append(_T.c.cancelled_at.is_(None))
    if author_id is not None:
        where.append(_T.c.author_id == author_id)
    if start is not None and day_only_start is not None:
        where.append(_T.c.at >= min(start, day_only_start))
        where.append(sa.or_(_T.c.day_only, _T.c.at >= start))
        where.append(sa.or_(~_T.c.day_only, _T.c.at >= day_only_start))
    elif start is not None:
        where.append(_T.c.at >= start)
    if end is not None:
        where.append(_T.c.at <= end)
    order = (_T.c.at.desc(), _T.c.id.desc()) if newest_first else (_T.c.at, _T.c.id)
    ids = session.execute(sa.select(_T.c.id).where(*where).order_by(*order).limit(limit))
    return touchpoints_by_id(session=session, team_id=team_id, ids=list(ids.scalars()))


class InTouch(NamedTuple):
    """A colleague's latest contact with a partner, as `check` names those it does not list."""

    user_id: str
    kind: TouchpointKind
    medium: str | None
    at: datetime
    day_only: bool


def others_in_touch(
    *,
    session: Session,
    team_id: str,
    partner_id: int,
    start: datetime,
    day_only_start: datetime,
    end: datetime,
    leave_out: Collection[str],
    limit: int,
) -> tuple[list[InTouch], int]:
    """The colleagues, authors or participants, of the partner's contacts logged or planned
    (not said not to have happened) from `start` (`day_only_start` for those with a day and no
    time) to `end`, but those in `leave_out`: up to `limit` of them, each with their latest
    contact, latest first, and how many there are in all. One statement, a range of the index
    `ix_touchpoint_partner_time` joined to participants by their primary key."""
    kinds = [str(TouchpointKind.DONE), str(TouchpointKind.PLANNED)]
    where = [
        _T.c.team_id == team_id,
        _T.c.partner_id == partner_id,
        _T.c.kind.in_(kinds),
        _T.c.cancelled_at.is_(None),
        _T.c.at >= min(start, day_only_start),
        sa.or_(_T.c.day_only, _T.c.at >= start),
        sa.or_(~_T.c.day_only, _T.c.at >= day_only_start),
        _T.c.at <= end,
    ]
    participant = table_of(TouchpointParticipant)
    columns = (_T.c.id, _T.c.kind, _T.c.medium, _T.c.at, _T.c.day_only)
    people = sa.union_all(
        sa.select(*columns, _T.c.author_id.label("user_id")).where(*where),
        sa.select(*columns, participant.c.user_id)
        .select_from(_T.join(participant, participant.c.touchpoint_id == _T.c.id))
        .where(*where),
    ).subquery()
    newest = sa.func.row_number().over(
        partition_by=people.c.user_id, order_by=(people.c.at.desc(), people.c.id.desc())
    )
    ranked = sa.select(people, newest.label("n")).subquery()
    latest = (
        sa.select(ranked, sa.func.count().over().label("total"))
        .where(ranked.c.n == 1, ranked.c.user_id.not_in(list(leave_out)))
        .order_by(ranked.c.at.desc(), ranked.c.id.desc(), ranked.c.user_id)
        .limit(limit)
    )
    rows = session.execute(latest).all()
    found = [
        InTouch(
            user_id=row.user_id,
            kind=TouchpointKind(row.kind),
            medium=row.medium,
            at=utc(row.at),
            day_only=bool(row.day_only),
        )
        for row in rows
    ]
    return found, (rows[0].total if rows else 0)


# --- The partner picker -------------------------------------------------------------------------


def partners_named_like(
    *, session: Session, team_id: str, key: str, limit: int
) -> list[tuple[int, str, str]]:
    """(partner id, name, label) of partners with a name or alias whose normalized form starts
    with `key` or has a word that does, alphabetically by label."""
    alias = _ALIAS

    def like(column: sa.ColumnElement[str]) -> sa.ColumnElement[bool]:
        return sa.or_(
            column.startswith(key, autoescape=True), column.contains(" " + key, autoescape=True)
        )

    names = sa.select(_PARTNER.c.id, _PARTNER.c.name, _PARTNER.c.name.label("label")).where(
        _PARTNER.c.team_id == team_id, like(_PARTNER.c.normalized_name)
    )
    aliases = (
        sa.select(_PARTNER.c.id, _PARTNER.c.name, alias.c.alias.label("label"))
        .select_from(alias.join(_PARTNER, _PARTNER.c.id == alias.c.partner_id))
        .where(alias.c.team_id == team_id, like(alias.c.normalized))
    )
    union = sa.union_all(names, aliases).subquery()
    statement = (
        sa.select(union.c.id, union.c.name, union.c.label).order_by(union.c.label).limit(limit)
    )
    return [(int(row.id), str(row.name), str(row.label)) for row in session.execute(statement)]
