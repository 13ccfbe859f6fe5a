"""Queries about touchpoints: recording one, its neighbours in time, collisions, intents, briefings.

Every function takes the workspace's `team_id` and reads or writes only that workspace's rows,
except `due_intents`, the intent planner's look across workspaces (one scheduler serves them all,
as the outbox's claim does); each row it returns says whose it is. Writers never commit: the
caller's transaction decides.

The collision check (`neighbours`) reads one partner's touchpoints in a time range through the
index `ix_touchpoint_partner_time` (team_id, partner_id, at): a range scan of that partner's
window, never a scan of the table.

Recording a touchpoint is the hot path (`/partner log` under load): its statements are built once
(`_prebuilt`) and run on the session's connection, which saves SQLAlchemy most of its
per-statement work (building, caching, the ORM's execution layer), and on SQLite its write
transaction takes turns with the process's other writers on a lock (`writing`) instead of in
SQLite's busy handler, which sleeps up to 100 ms at a time.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from storage.models import (
    Collision,
    Contact,
    IntentAnswer,
    Partner,
    PartnerAlias,
    TeamMembership,
    Touchpoint,
    TouchpointKind,
    TouchpointParticipant,
    UserProfile,
    Workspace,
)
from storage.upsert import table_of

_T = table_of(Touchpoint)
_P = table_of(TouchpointParticipant)
_C = table_of(Collision)
_CONTACT = table_of(Contact)
_PARTNER = table_of(Partner)
_ALIAS = table_of(PartnerAlias)
_PROFILE = table_of(UserProfile)
_TEAM = table_of(TeamMembership)
_WORKSPACE = table_of(Workspace)

LIVE_KINDS = (TouchpointKind.DONE, TouchpointKind.PLANNED, TouchpointKind.INTENDED)


@dataclass(frozen=True, kw_only=True)
class TouchpointRow:
    """A touchpoint with its participants and the name of its contact person."""

    id: int
    team_id: str
    partner_id: int
    kind: TouchpointKind
    medium: str | None
    at: datetime
    day_only: bool
    author_id: str
    participants: tuple[str, ...]
    contact_id: int | None
    contact_name: str | None
    notes: str | None
    intent_asked: str | None
    intent_deadline: datetime | None
    intent_answer: IntentAnswer | None
    intent_answered_by: str | None

    @property
    def colleagues(self) -> frozenset[str]:
        """Everyone on our side who took part: the author and the participants."""
        return frozenset((self.author_id, *self.participants))


_ROW_COLUMNS = (
    _T.c.id,
    _T.c.team_id,
    _T.c.partner_id,
    _T.c.kind,
    _T.c.medium,
    _T.c.at,
    _T.c.day_only,
    _T.c.author_id,
    _T.c.contact_id,
    _CONTACT.c.name.label("contact_name"),
    _T.c.notes,
    _T.c.intent_asked,
    _T.c.intent_deadline,
    _T.c.intent_answer,
    _T.c.intent_answered_by,
    _P.c.user_id.label("participant"),
)


def _with_people(where: Iterable[sa.ColumnElement[bool]]) -> sa.Select[Any]:
    """Touchpoints matching `where`, one row per participant (or one row without any)."""
    joined = _T.outerjoin(_P, _P.c.touchpoint_id == _T.c.id).outerjoin(
        _CONTACT, _CONTACT.c.id == _T.c.contact_id
    )
    return sa.select(*_ROW_COLUMNS).select_from(joined).where(*where)


def _gather(rows: Iterable[sa.Row[Any]]) -> list[TouchpointRow]:
    """Fold the one-row-per-participant result into touchpoints, in the order first seen."""
    first: dict[int, sa.Row[Any]] = {}
    people: dict[int, list[str]] = {}
    for row in rows:
        if row.id not in first:
            first[row.id] = row
            people[row.id] = []
        if row.participant is not None:
            people[row.id].append(row.participant)
    return [
        TouchpointRow(
            id=row.id,
            team_id=row.team_id,
            partner_id=row.partner_id,
            kind=TouchpointKind(row.kind),
            medium=row.medium,
            at=row.at,
            day_only=row.day_only,
            author_id=row.author_id,
            participants=tuple(sorted(people[touchpoint_id])),
            contact_id=row.contact_id,
            contact_name=row.contact_name,
            notes=row.notes,
            intent_asked=row.intent_asked,
            intent_deadline=row.intent_deadline,
            intent_answer=IntentAnswer(row.intent_answer) if row.intent_answer else None,
            intent_answered_by=row.intent_answered_by,
        )
        for touchpoint_id, row in first.items()
    ]


# --- Writing ------------------------------------------------------------------------------------

_WRITE_LOCKS: weakref.WeakKeyDictionary[sa.Engine, threading.Lock] = weakref.WeakKeyDictionary()
_LOCKS_LOCK = threading.Lock()


@contextmanager
def writing(session: Session) -> Iterator[None]:
    """A write transaction that takes turns with this process's other writers on SQLite.

    SQLite allows one writer at a time; a writer that finds the database locked sleeps in the
    busy handler (1, 2, 5 … 100 ms) however soon the lock is free again. Queueing on a lock of
    our own hands the database over at once. PostgreSQL locks rows, not the database: no lock.
    Rolls back if the block raises, before the next writer's turn.
    """
    engine = session.get_bind()
    if not isinstance(engine, sa.Engine) or engine.dialect.name != "sqlite":
        yield
        return
    with _LOCKS_LOCK:
        lock = _WRITE_LOCKS.setdefault(engine, threading.Lock())
    with lock:
        try:
            yield
        except BaseException:
            session.rollback()
            raise


_PREBUILT: dict[tuple[str, str], Any] = {}


def _prebuilt(session: Session, name: str, build: Any) -> Any:
    """The statement `build(dialect)` made, built once per dialect (statements are immutable)."""
    dialect = session.get_bind().dialect.name
    statement = _PREBUILT.get((name, dialect))
    if statement is None:
        statement = _PREBUILT.setdefault((name, dialect), build(dialect))
    return statement


@dataclass(frozen=True)
class Profile:
    """What the hot path needs of a cached Slack profile."""

    tz: str
    fetched_at: datetime


def profiles_of(*, session: Session, team_id: str, user_ids: Collection[str]) -> dict[str, Profile]:
    """The cached time zones (and their age) of those of `user_ids` Liaison has a profile of."""
    statement = _prebuilt(
        session,
        "profiles_of",
        lambda _dialect: sa.select(_PROFILE.c.user_id, _PROFILE.c.tz, _PROFILE.c.fetched_at).where(
            _PROFILE.c.team_id == sa.bindparam("team_id"),
            _PROFILE.c.user_id.in_(sa.bindparam("user_ids", expanding=True)),
        ),
    )
    rows = session.connection().execute(statement, {"team_id": team_id, "user_ids": list(user_ids)})
    return {str(row.user_id): Profile(str(row.tz), row.fetched_at) for row in rows}


@dataclass(frozen=True, kw_only=True)
class Settings:
    """The workspace settings recording a touchpoint needs (defaults where it has no row)."""

    coordination_channel: str | None = None
    window_days: int = 14
    timezone: str = "UTC"
    work_start_hour: int = 9
    work_end_hour: int = 17
    work_days: str = "mon,tue,wed,thu,fri"


_SETTINGS = sa.select(*(_WORKSPACE.c[name] for name in Settings.__dataclass_fields__)).where(
    _WORKSPACE.c.team_id == sa.bindparam("team_id")
)


def settings_of(*, session: Session, team_id: str) -> Settings:
    """The workspace's settings for the hot path: one prebuilt statement, no ORM objects."""
    row = session.connection().execute(_SETTINGS, {"team_id": team_id}).first()
    return Settings() if row is None else Settings(**row._asdict())


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
    rows = session.connection().execute(_PARTNER_AND_TEAM, values).all()
    if not rows:
        return None
    first = rows[0]
    return PartnerAtHand(
        id=first.id,
        team_id=first.team_id,
        name=first.name,
        status=first.status,
        website_domain=first.website_domain,
        channel_id=first.channel_id,
        last_contact_at=first.last_contact_at,
        team=tuple((row.user_id, row.role) for row in rows if row.user_id is not None),
    )


_PARTNER_AND_TEAM = (
    sa.select(
        _PARTNER.c.id,
        _PARTNER.c.team_id,
        _PARTNER.c.name,
        _PARTNER.c.status,
        _PARTNER.c.website_domain,
        _PARTNER.c.channel_id,
        _PARTNER.c.last_contact_at,
        _TEAM.c.user_id,
        _TEAM.c.role,
    )
    .select_from(
        _PARTNER.outerjoin(
            _TEAM,
            sa.and_(_TEAM.c.partner_id == _PARTNER.c.id, _TEAM.c.team_id == _PARTNER.c.team_id),
        )
    )
    .where(
        _PARTNER.c.team_id == sa.bindparam("team_id"),
        sa.or_(
            _PARTNER.c.normalized_name == sa.bindparam("key"),
            _PARTNER.c.id == sa.bindparam("partner_id"),
            _PARTNER.c.id.in_(
                sa.select(_ALIAS.c.partner_id).where(
                    _ALIAS.c.team_id == sa.bindparam("team_id"),
                    _ALIAS.c.normalized == sa.bindparam("key"),
                )
            ),
        ),
    )
    .order_by(_TEAM.c.id)
)


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
    contact_id: int | None,
    notes: str | None,
    request_key: str | None,
    created_at: datetime,
) -> int | None:
    """Add a touchpoint and its participants; its id, or None when `request_key` is taken.

    INSERT … ON CONFLICT DO NOTHING: a retry of the same request neither raises nor aborts the
    caller's transaction (on PostgreSQL it waits for the first request's transaction first).
    """
    values = {
        "v_team_id": team_id,
        "v_partner_id": partner_id,
        "v_kind": str(kind),
        "v_medium": medium,
        "v_at": at,
        "v_day_only": day_only,
        "v_author_id": author_id,
        "v_contact_id": contact_id,
        "v_notes": notes,
        "v_request_key": request_key,
        "v_created_at": created_at,
    }
    statement = _prebuilt(session, "insert_touchpoint", _insert_touchpoint)
    touchpoint_id = session.connection().execute(statement, values).scalar()
    if touchpoint_id is None:
        return None
    if participants:
        session.execute(
            _prebuilt(session, "insert_participant", lambda _dialect: sa.insert(_P)),
            [{"touchpoint_id": touchpoint_id, "user_id": user_id} for user_id in participants],
        )
    return int(touchpoint_id)


def _insert_touchpoint(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    columns = (
        "team_id",
        "partner_id",
        "kind",
        "medium",
        "at",
        "day_only",
        "author_id",
        "contact_id",
        "notes",
        "request_key",
        "created_at",
    )
    return (
        insert(_T)
        .values({name: sa.bindparam(f"v_{name}", type_=_T.c[name].type) for name in columns})
        .on_conflict_do_nothing(index_elements=["request_key"])
        .returning(_T.c.id)
    )


def touchpoint_with_key(
    *, session: Session, team_id: str, request_key: str
) -> TouchpointRow | None:
    """The workspace's touchpoint recorded by the request with this key, if any."""
    statement = _prebuilt(
        session,
        "touchpoint_with_key",
        lambda _dialect: sa.select(_T.c.id).where(
            _T.c.team_id == sa.bindparam("team_id"), _T.c.request_key == sa.bindparam("key")
        ),
    )
    found = (
        session.connection().execute(statement, {"team_id": team_id, "key": request_key}).scalar()
    )
    if found is None:
        return None
    return get_touchpoint(session=session, team_id=team_id, touchpoint_id=found)


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
    rows = _gather(session.execute(_with_people([_T.c.team_id == team_id, _T.c.id.in_(ids)])))
    order = {touchpoint_id: index for index, touchpoint_id in enumerate(ids)}
    return sorted(rows, key=lambda row: order[row.id])


def lock_partner(*, session: Session, team_id: str, partner_id: int) -> None:
    """Serialize recordings about one partner until commit, so two colliding contacts logged at
    the same moment see each other. PostgreSQL locks the partner's row; SQLite has one writer
    at a time anyway (the touchpoint is inserted before its neighbours are read)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(
        sa.select(_PARTNER.c.id)
        .where(_PARTNER.c.team_id == team_id, _PARTNER.c.id == partner_id)
        .with_for_update()
    )


def note_contact(*, session: Session, team_id: str, partner_id: int, at: datetime, by: str) -> None:
    """Make (`at`, `by`) the partner's last contact unless it had a later one already."""
    statement = _prebuilt(
        session,
        "note_contact",
        lambda _dialect: (
            sa.update(_PARTNER)
            .where(
                _PARTNER.c.team_id == sa.bindparam("v_team_id"),
                _PARTNER.c.id == sa.bindparam("v_partner_id"),
                sa.or_(
                    _PARTNER.c.last_contact_at.is_(None),
                    _PARTNER.c.last_contact_at
                    <= sa.bindparam("v_at", type_=_PARTNER.c.last_contact_at.type),
                ),
            )
            .values(last_contact_at=sa.bindparam("v_at"), last_contact_by=sa.bindparam("v_by"))
        ),
    )
    values = {"v_team_id": team_id, "v_partner_id": partner_id, "v_at": at, "v_by": by}
    session.connection().execute(statement, values)


def insert_contact(
    *, session: Session, team_id: str, partner_id: int, name: str, email: str | None, at: datetime
) -> int:
    """Add a contact person at the partner; with an email someone added meanwhile, that one."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(_CONTACT)
        .values(team_id=team_id, partner_id=partner_id, name=name, email=email, created_at=at)
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
# primary-key lookups.
_NEIGHBOURS = _with_people(
    [
        _T.c.team_id == sa.bindparam("team_id"),
        _T.c.partner_id == sa.bindparam("partner_id"),
        _T.c.at >= sa.bindparam("start", type_=_T.c.at.type),
        _T.c.at <= sa.bindparam("end", type_=_T.c.at.type),
        _T.c.kind.in_([str(kind) for kind in LIVE_KINDS]),
        _T.c.id != sa.bindparam("exclude"),
    ]
).order_by(_T.c.at, _T.c.id)


def _neighbours_params(
    team_id: str, partner_id: int, start: datetime, end: datetime, exclude: int | None
) -> dict[str, Any]:
    return {
        "team_id": team_id,
        "partner_id": partner_id,
        "start": start,
        "end": end,
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
    (but `exclude`), earliest first."""
    params = _neighbours_params(team_id, partner_id, start, end, exclude)
    # Through the connection: a Core statement needs none of the ORM's execution layer.
    return _gather(session.connection().execute(_NEIGHBOURS, params))


def neighbours_sql(
    *, connection: sa.Connection, team_id: str, partner_id: int, start: datetime, end: datetime
) -> tuple[str, Any]:
    """The collision check's SQL as the driver runs it, and its parameters (positional for
    SQLite, by name for PostgreSQL): for EXPLAIN, and to time the database's part alone."""
    params = _neighbours_params(team_id, partner_id, start, end, None)
    state = _NEIGHBOURS.compile(connection).construct_expanded_state(params)
    if connection.dialect.name == "sqlite":
        return state.statement, tuple(_plain(value) for value in state.positional_parameters)
    return state.statement, state.parameters


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


def _plain(value: Any) -> Any:
    """A parameter as SQLite stores it (UTC times without their zone)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    return value


@dataclass(frozen=True, kw_only=True)
class NewCollision:
    earlier_id: int
    same_contact: bool
    alert_key: str | None


def insert_collisions(
    *,
    session: Session,
    team_id: str,
    partner_id: int,
    later_id: int,
    found: Sequence[NewCollision],
    detected_at: datetime,
    thread_key: str | None,
) -> None:
    """Record that `later_id` collides with each of `found` (each pair once)."""
    if not found:
        return
    session.execute(
        sa.insert(_C),
        [
            {
                "team_id": team_id,
                "partner_id": partner_id,
                "earlier_id": collision.earlier_id,
                "later_id": later_id,
                "same_contact": collision.same_contact,
                "detected_at": detected_at,
                "alert_key": collision.alert_key,
                "thread_key": thread_key if collision.alert_key else None,
            }
            for collision in found
        ],
    )


def collided_with(
    *, session: Session, team_id: str, touchpoint_ids: Collection[int]
) -> dict[int, set[int]]:
    """For each of `touchpoint_ids`, the touchpoints it was recorded colliding with."""
    if not touchpoint_ids:
        return {}
    ids = list(touchpoint_ids)
    statement = sa.select(_C.c.earlier_id, _C.c.later_id).where(
        _C.c.team_id == team_id, sa.or_(_C.c.earlier_id.in_(ids), _C.c.later_id.in_(ids))
    )
    found: dict[int, set[int]] = {touchpoint_id: set() for touchpoint_id in ids}
    for earlier, later in session.execute(statement):
        if earlier in found:
            found[earlier].add(later)
        if later in found:
            found[later].add(earlier)
    return found


def collisions_found_by(*, session: Session, team_id: str, later_id: int) -> list[tuple[int, bool]]:
    """(earlier touchpoint, same contact) of each collision that recording `later_id` found."""
    statement = (
        sa.select(_C.c.earlier_id, _C.c.same_contact)
        .where(_C.c.team_id == team_id, _C.c.later_id == later_id)
        .order_by(_C.c.id)
    )
    return [(int(earlier), bool(same)) for earlier, same in session.execute(statement)]


def thread_root(*, session: Session, team_id: str, partner_id: int, since: datetime) -> str | None:
    """The key of the first alert about the partner posted on its own (not in a thread) since
    `since`, which later alerts reply to."""
    statement = (
        sa.select(_C.c.alert_key)
        .where(
            _C.c.team_id == team_id,
            _C.c.partner_id == partner_id,
            _C.c.detected_at >= since,
            _C.c.alert_key.is_not(None),
            _C.c.alert_key == _C.c.thread_key,
        )
        .order_by(_C.c.detected_at, _C.c.id)
        .limit(1)
    )
    return session.execute(statement).scalar()


# --- A planned meeting moved --------------------------------------------------------------------


def reschedule_planned(*, session: Session, team_id: str, touchpoint_id: int, at: datetime) -> bool:
    """Give a planned touchpoint its new moment (a participant said the meeting moved); False
    unless it is one of the workspace's planned touchpoints. Collisions already recorded stay."""
    result = session.execute(
        sa.update(_T)
        .where(
            _T.c.team_id == team_id,
            _T.c.id == touchpoint_id,
            _T.c.kind == TouchpointKind.PLANNED,
        )
        .values(at=at)
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


# --- Briefing -----------------------------------------------------------------------------------


def touchpoints_of(
    *,
    session: Session,
    team_id: str,
    partner_id: int,
    kinds: Collection[TouchpointKind],
    start: datetime | None = None,
    end: datetime | None = None,
    newest_first: bool = False,
    limit: int,
) -> list[TouchpointRow]:
    """Up to `limit` of the partner's touchpoints of `kinds` with `start <= at <= end`."""
    where = [
        _T.c.team_id == team_id,
        _T.c.partner_id == partner_id,
        _T.c.kind.in_([str(kind) for kind in kinds]),
    ]
    if start is not None:
        where.append(_T.c.at >= start)
    if end is not None:
        where.append(_T.c.at <= end)
    order = (_T.c.at.desc(), _T.c.id.desc()) if newest_first else (_T.c.at, _T.c.id)
    ids = session.execute(sa.select(_T.c.id).where(*where).order_by(*order).limit(limit))
    return touchpoints_by_id(session=session, team_id=team_id, ids=list(ids.scalars()))


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
