"""Queries behind one person's App Home: their partners, upcoming planned meetings (theirs, and
colleagues' with the partners they own or deputise), the check-ins and pulse surveys waiting for
their answer, and how many of the workspace's messages failed.

Every function takes the workspace's `team_id` and reads only that workspace's rows. Each list
comes with a count, so the Home can say how many it leaves out. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from storage.models import (
    CheckIn,
    CheckInStatus,
    OutboxMessage,
    OutboxStatus,
    Partner,
    SurveyAnswer,
    SurveyDelivery,
    SurveyMessage,
    SurveyRound,
    TeamMembership,
    TeamRole,
    Touchpoint,
    TouchpointKind,
    TouchpointParticipant,
)
from storage.touchpoints import TouchpointRow, touchpoints_by_id
from storage.upsert import table_of

_PARTNER = table_of(Partner)
_TEAM = table_of(TeamMembership)
_T = table_of(Touchpoint)
_P = table_of(TouchpointParticipant)
_CHECKIN = table_of(CheckIn)
_OUTBOX = table_of(OutboxMessage)
_ROUND = table_of(SurveyRound)
_DELIVERY = table_of(SurveyDelivery)
_MESSAGE = table_of(SurveyMessage)
_ANSWER = table_of(SurveyAnswer)

# A planned touchpoint with a day and no time sits at noon of that day: it stays "upcoming" for
# the rest of that day.
DAY_ONLY_GRACE = timedelta(hours=12)


# --- My partners --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class TeamPartner:
    """A partner on whose team the user is, with their role and the partner's owner."""

    id: int
    name: str
    status: str
    role: TeamRole
    owner_id: str | None
    last_contact_at: datetime | None
    last_contact_by: str | None
    last_contact_day_only: bool = False


def _on_team(team_id: str, user_id: str) -> list[sa.ColumnElement[bool]]:
    return [_TEAM.c.team_id == team_id, _TEAM.c.user_id == user_id]


def team_partners(*, session: Session, team_id: str, user_id: str, limit: int) -> list[TeamPartner]:
    """Up to `limit` partners the user owns, deputises or is on the team of, alphabetically
    (the order of `list mine`, which takes over where the Home stops)."""
    owner = _TEAM.alias("owner")
    statement = (
        sa.select(
            _PARTNER.c.id,
            _PARTNER.c.name,
            _PARTNER.c.status,
            _TEAM.c.role,
            owner.c.user_id.label("owner_id"),
            _PARTNER.c.last_contact_at,
            _PARTNER.c.last_contact_by,
            _PARTNER.c.last_contact_day_only,
        )
        .select_from(
            _TEAM.join(_PARTNER, _PARTNER.c.id == _TEAM.c.partner_id).outerjoin(
                owner,
                sa.and_(
                    owner.c.partner_id == _PARTNER.c.id,
                    owner.c.team_id == team_id,
                    owner.c.role == TeamRole.OWNER.value,
                ),
            )
        )
        .where(*_on_team(team_id, user_id), _PARTNER.c.team_id == team_id)
        .order_by(_PARTNER.c.normalized_name, _PARTNER.c.id)
        .limit(limit)
    )
    return [
        TeamPartner(
            id=row.id,
            name=row.name,
            status=row.status,
            role=TeamRole(row.role),
            owner_id=row.owner_id,
            last_contact_at=row.last_contact_at,
            last_contact_by=row.last_contact_by,
            last_contact_day_only=bool(row.last_contact_day_only),
        )
        for row in session.execute(statement)
    ]


def team_partner_count(*, session: Session, team_id: str, user_id: str) -> int:
    """How many partners' teams the user is on (one membership per partner and user)."""
    statement = sa.select(sa.func.count()).select_from(_TEAM).where(*_on_team(team_id, user_id))
    return int(session.execute(statement).scalar_one())


# --- Planned meetings ---------------------------------------------------------------------------


# Whose colleagues' plans with a partner show on their Home: the people accountable for it.
ACCOUNTABLE = (TeamRole.OWNER.value, TeamRole.DEPUTY.value)


def _planned_for(team_id: str, user_id: str, now: datetime) -> list[sa.ColumnElement[bool]]:
    taking_part = sa.select(_P.c.touchpoint_id).where(_P.c.user_id == user_id)
    # A colleague's visit to a partner the user owns or deputises is theirs to see coming too.
    accountable = sa.select(_TEAM.c.partner_id).where(
        *_on_team(team_id, user_id), _TEAM.c.role.in_(ACCOUNTABLE)
    )
    return [
        _T.c.team_id == team_id,
        _T.c.kind == TouchpointKind.PLANNED.value,
        _T.c.cancelled_at.is_(None),
        sa.or_(
            _T.c.author_id == user_id,
            _T.c.id.in_(taking_part),
            _T.c.partner_id.in_(accountable),
        ),
        sa.or_(_T.c.at >= now, sa.and_(_T.c.day_only, _T.c.at >= now - DAY_ONLY_GRACE)),
        # Implied by the line above, spelled out so the planner reads a range of the live-plan
        # index instead of every touchpoint of the workspace.
        _T.c.at >= now - DAY_ONLY_GRACE,
    ]


@dataclass(frozen=True, kw_only=True)
class PlannedTouchpoint:
    """A planned touchpoint and the name of its partner."""

    partner_name: str
    touchpoint: TouchpointRow


def planned_touchpoints(
    *, session: Session, team_id: str, user_id: str, now: datetime, limit: int
) -> list[PlannedTouchpoint]:
    """Up to `limit` planned touchpoints still to come that the user planned or takes part in,
    or that a colleague planned with a partner the user owns or deputises, soonest first (each
    once, whichever of these it is)."""
    statement = (
        sa.select(_T.c.id, _PARTNER.c.name)
        .select_from(_T.join(_PARTNER, _PARTNER.c.id == _T.c.partner_id))
        .where(*_planned_for(team_id, user_id, now))
        .order_by(_T.c.at, _T.c.id)
        .limit(limit)
    )
    names = {int(row.id): str(row.name) for row in session.execute(statement)}
    rows = touchpoints_by_id(session=session, team_id=team_id, ids=list(names))
    return [PlannedTouchpoint(partner_name=names[row.id], touchpoint=row) for row in rows]


def planned_touchpoint_count(*, session: Session, team_id: str, user_id: str, now: datetime) -> int:
    """How many planned touchpoints `planned_touchpoints` would list without its limit."""
    statement = (
        sa.select(sa.func.count()).select_from(_T).where(*_planned_for(team_id, user_id, now))
    )
    return int(session.execute(statement).scalar_one())


# --- Check-ins and surveys waiting for an answer ------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class WaitingCheckIn:
    """A check-in sent to the user and not answered yet."""

    checkin_id: int
    partner_name: str
    medium: str | None
    meeting_at: datetime
    asked_at: datetime
    # Recorded without a time of day: on the day its author named (`bot.dates.contact_day`).
    day_only: bool = False


def _waiting_checkins(team_id: str, user_id: str, ask_key_prefix: str) -> sa.Select[Any]:
    # The question was sent: the outbox row queued under the check-in's key went out.
    asked = sa.and_(
        _OUTBOX.c.team_id == _CHECKIN.c.team_id,
        _OUTBOX.c.dedupe_key == sa.literal(ask_key_prefix) + sa.cast(_CHECKIN.c.id, sa.String),
    )
    return (
        sa.select(sa.func.count())
        .select_from(
            _CHECKIN.join(_OUTBOX, asked)
            .join(_T, _T.c.id == _CHECKIN.c.touchpoint_id)
            .join(_PARTNER, _PARTNER.c.id == _T.c.partner_id)
        )
        .where(
            _CHECKIN.c.team_id == team_id,
            _CHECKIN.c.user_id == user_id,
            _CHECKIN.c.status == CheckInStatus.OPEN.value,
            _OUTBOX.c.status == OutboxStatus.SENT.value,
        )
    )


def waiting_checkins(
    *, session: Session, team_id: str, user_id: str, ask_key_prefix: str, limit: int
) -> list[WaitingCheckIn]:
    """Up to `limit` of the user's open check-ins whose question was sent (queued in the outbox
    under `ask_key_prefix` + the check-in's id), oldest meeting first."""
    statement = (
        _waiting_checkins(team_id, user_id, ask_key_prefix)
        .with_only_columns(
            _CHECKIN.c.id,
            _PARTNER.c.name,
            _T.c.medium,
            _CHECKIN.c.meeting_at,
            _OUTBOX.c.sent_at,
            _T.c.day_only,
        )
        .order_by(_CHECKIN.c.meeting_at, _CHECKIN.c.id)
        .limit(limit)
    )
    return [
        WaitingCheckIn(
            checkin_id=row.id,
            partner_name=row.name,
            medium=row.medium,
            meeting_at=row.meeting_at,
            asked_at=row.sent_at,
            day_only=bool(row.day_only),
        )
        for row in session.execute(statement)
    ]


def waiting_checkin_count(
    *, session: Session, team_id: str, user_id: str, ask_key_prefix: str
) -> int:
    """How many of the user's open check-ins were sent to them."""
    statement = _waiting_checkins(team_id, user_id, ask_key_prefix)
    return int(session.execute(statement).scalar_one())


@dataclass(frozen=True, kw_only=True)
class OpenSurvey:
    """A pulse survey round still open that asked the user, and how far they got with it."""

    round_id: int
    partner_name: str
    questions: int
    answered: int
    closes_at: datetime


def open_surveys(*, session: Session, team_id: str, user_id: str) -> list[OpenSurvey]:
    """The open rounds that asked the user and whose messages reached them (the outbox sent one),
    closing soonest first, with how many statements they scored so far. The user's own
    respondent token links them to their scores only while the round is open."""
    sent = (
        sa.select(_MESSAGE.c.id)
        .select_from(
            _MESSAGE.join(
                _OUTBOX,
                sa.and_(
                    _OUTBOX.c.team_id == _MESSAGE.c.team_id,
                    _OUTBOX.c.dedupe_key == _MESSAGE.c.dedupe_key,
                ),
            )
        )
        .where(
            _MESSAGE.c.team_id == team_id,
            _MESSAGE.c.delivery_id == _DELIVERY.c.id,
            _OUTBOX.c.status == OutboxStatus.SENT.value,
        )
        .exists()
    )
    # The statements the user was asked: a round another was folded into holds more (a merge,
    # `Surveys.fold_rounds`).
    of_delivery = (
        _MESSAGE.c.team_id == team_id,
        _MESSAGE.c.delivery_id == _DELIVERY.c.id,
        _MESSAGE.c.question > 0,
    )
    asked = sa.select(_MESSAGE.c.question).where(*of_delivery)
    scored = (
        sa.select(sa.func.count())
        .where(
            _ANSWER.c.team_id == team_id,
            _ANSWER.c.round_id == _ROUND.c.id,
            _ANSWER.c.respondent == _DELIVERY.c.respondent,
            _ANSWER.c.score.is_not(None),
            _ANSWER.c.question.in_(asked),
        )
        .scalar_subquery()
    )
    statements = sa.select(sa.func.count()).where(*of_delivery).scalar_subquery()
    statement = (
        sa.select(
            _ROUND.c.id,
            _PARTNER.c.name,
            _ROUND.c.questions,
            _ROUND.c.closes_at,
            scored.label("n"),
            statements.label("asked"),
        )
        .select_from(
            _DELIVERY.join(_ROUND, _ROUND.c.id == _DELIVERY.c.round_id).join(
                _PARTNER, _PARTNER.c.id == _ROUND.c.partner_id
            )
        )
        .where(
            _DELIVERY.c.team_id == team_id,
            _DELIVERY.c.user_id == user_id,
            _ROUND.c.closed_at.is_(None),
            sent,
        )
        .order_by(_ROUND.c.closes_at, _ROUND.c.id)
    )
    return [
        OpenSurvey(
            round_id=row.id,
            partner_name=row.name,
            questions=int(row.asked) or len(_questions(row.questions)),
            answered=int(row.n),
            closes_at=row.closes_at,
        )
        for row in session.execute(statement)
    ]


def _questions(value: object) -> Sequence[object]:
    return value if isinstance(value, list) else []
