"""Queries for partner health and the weekly digest: weekly score snapshots, what the score is
made from (many partners at once), and what happened in a workspace during a week.

Every function takes the workspace's `team_id` and reads or writes only its rows. Where a
function takes `partner_ids`, None means every partner of the workspace. Pulse results are read
as aggregates only (counts and sums per question), never a person's score. Writers flush at
most; the caller's transaction decides.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from storage.feedback import RAN_ITS_COURSE, QuestionTally, insert_new
from storage.models import (
    CheckIn,
    CheckInAnswer,
    Collision,
    Commitment,
    CommitmentStatus,
    HealthSnapshot,
    IntentAnswer,
    Partner,
    PartnerStatus,
    SurveyAnswer,
    SurveyRound,
    Touchpoint,
    TouchpointKind,
)
from storage.upsert import table_of

_S = table_of(HealthSnapshot)
# The answers that say how a meeting with the partner went.
JUDGING_ANSWERS = (CheckInAnswer.WENT_WELL, CheckInAnswer.MIXED, CheckInAnswer.PROBLEM)


def _among(column: Any, partner_ids: Collection[int] | None) -> list[sa.ColumnElement[bool]]:
    """`column IN partner_ids`, or no condition for every partner."""
    return [] if partner_ids is None else [col(column).in_(set(partner_ids))]


# --- Partners -----------------------------------------------------------------------------------


def followed_partners(
    *, session: Session, team_id: str, partner_ids: Collection[int] | None = None
) -> list[Partner]:
    """The workspace's partners that are not ended (those of `partner_ids`), by name."""
    statement = (
        select(Partner)
        .where(
            Partner.team_id == team_id,
            Partner.status != PartnerStatus.ENDED,
            *_among(Partner.id, partner_ids),
        )
        .order_by(col(Partner.normalized_name), col(Partner.id))
    )
    return list(session.exec(statement))


# --- Weekly snapshots ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SnapshotScores:
    """A partner's score and each part's own score in one week (None: no data)."""

    score: int | None
    pulse: int | None
    checkins: int | None
    commitments: int | None
    cadence: int | None
    collisions: int | None


def partners_without_snapshot(
    *, session: Session, team_id: str, week_start: date, registered_before: datetime
) -> list[int]:
    """The not-ended partners registered before `registered_before` (when the week began) that
    have no snapshot for the week yet."""
    taken = select(HealthSnapshot.partner_id).where(
        HealthSnapshot.team_id == team_id, HealthSnapshot.week_start == week_start
    )
    statement = (
        select(Partner.id)
        .where(
            Partner.team_id == team_id,
            Partner.status != PartnerStatus.ENDED,
            col(Partner.created_at) < registered_before,
            col(Partner.id).not_in(taken),
        )
        .order_by(col(Partner.id))
    )
    return [partner_id for partner_id in session.exec(statement) if partner_id is not None]


def insert_snapshots(
    *,
    session: Session,
    team_id: str,
    week_start: date,
    scores: Mapping[int, SnapshotScores],
    taken_at: datetime,
) -> int:
    """Store each partner's scores for the week unless it has them already; how many were new.

    INSERT … ON CONFLICT DO NOTHING: planners on several replicas may take the same week at
    once without aborting each other's transactions.
    """
    added = 0
    for partner_id, found in scores.items():
        values = {
            "team_id": team_id,
            "partner_id": partner_id,
            "week_start": week_start,
            "taken_at": taken_at,
            "score": found.score,
            "pulse": found.pulse,
            "checkins": found.checkins,
            "commitments": found.commitments,
            "cadence": found.cadence,
            "collisions": found.collisions,
        }
        key = ("team_id", "partner_id", "week_start")
        added += insert_new(session, HealthSnapshot, values, key=key) is not None
    return added


def snapshots_of(
    *, session: Session, team_id: str, partner_id: int, since: date
) -> list[HealthSnapshot]:
    """The partner's snapshots from the week starting `since` on, oldest first."""
    statement = (
        select(HealthSnapshot)
        .where(
            HealthSnapshot.team_id == team_id,
            HealthSnapshot.partner_id == partner_id,
            HealthSnapshot.week_start >= since,
        )
        .order_by(col(HealthSnapshot.week_start))
    )
    return list(session.exec(statement))


def fold_snapshots(*, session: Session, team_id: str, from_id: int, into_id: int) -> int:
    """A merge: the duplicate's snapshots of weeks the kept partner has none for move over; the
    rest are dropped (the kept partner's own history stands). How many moved."""
    kept_weeks = sa.select(_S.c.week_start).where(
        _S.c.team_id == team_id, _S.c.partner_id == into_id
    )
    moved = session.execute(
        sa.update(_S)
        .where(
            _S.c.team_id == team_id,
            _S.c.partner_id == from_id,
            _S.c.week_start.not_in(kept_weeks),
        )
        .values(partner_id=into_id)
    )
    session.execute(sa.delete(_S).where(_S.c.team_id == team_id, _S.c.partner_id == from_id))
    assert isinstance(moved, sa.CursorResult)
    return moved.rowcount


# --- What the score is made from ----------------------------------------------------------------


def latest_closed_rounds(
    *, session: Session, team_id: str, partner_ids: Collection[int] | None
) -> dict[int, SurveyRound]:
    """Each partner's most recently closed pulse round, of those that ran their course (one
    cut short by ending its partner counts nowhere)."""
    latest = (
        select(SurveyRound.partner_id, func.max(SurveyRound.closed_at).label("closed_at"))
        .where(
            SurveyRound.team_id == team_id,
            col(SurveyRound.closed_at).is_not(None),
            RAN_ITS_COURSE,
            *_among(SurveyRound.partner_id, partner_ids),
        )
        .group_by(col(SurveyRound.partner_id))
        .subquery()
    )
    statement = (
        select(SurveyRound)
        .join(
            latest,
            sa.and_(
                col(SurveyRound.partner_id) == latest.c.partner_id,
                col(SurveyRound.closed_at) == latest.c.closed_at,
            ),
        )
        .where(SurveyRound.team_id == team_id)
        .order_by(col(SurveyRound.id))
    )
    # Two rounds closed in the same instant: the later one (higher id) wins.
    return {survey_round.partner_id: survey_round for survey_round in session.exec(statement)}


def round_tallies(
    *, session: Session, team_id: str, round_ids: Collection[int]
) -> dict[int, dict[int, QuestionTally]]:
    """Per round, per question: how many answered and the sum of their scores. Aggregates only."""
    if not round_ids:
        return {}
    statement = (
        select(
            SurveyAnswer.round_id,
            SurveyAnswer.question,
            func.count(),
            func.sum(SurveyAnswer.score),
        )
        .where(
            SurveyAnswer.team_id == team_id,
            col(SurveyAnswer.round_id).in_(set(round_ids)),
            col(SurveyAnswer.score).is_not(None),
        )
        .group_by(col(SurveyAnswer.round_id), col(SurveyAnswer.question))
    )
    found: dict[int, dict[int, QuestionTally]] = defaultdict(dict)
    for round_id, question, count, total in session.exec(statement):
        found[int(round_id)][int(question)] = QuestionTally(count=int(count), total=int(total or 0))
    return dict(found)


def checkin_answers(
    *, session: Session, team_id: str, partner_ids: Collection[int] | None, since: datetime
) -> dict[int, dict[str, int]]:
    """Per partner, how many check-ins about its meetings since `since` got each answer."""
    statement = (
        select(Touchpoint.partner_id, CheckIn.answer, func.count())
        .select_from(CheckIn)
        .join(Touchpoint, col(Touchpoint.id) == col(CheckIn.touchpoint_id))
        .where(
            CheckIn.team_id == team_id,
            Touchpoint.team_id == team_id,
            CheckIn.meeting_at >= since,
            col(CheckIn.answer).in_(JUDGING_ANSWERS),
            *_among(Touchpoint.partner_id, partner_ids),
        )
        .group_by(col(Touchpoint.partner_id), col(CheckIn.answer))
    )
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for partner_id, answer, count in session.exec(statement):
        found[int(partner_id)][str(answer)] = int(count)
    return dict(found)


def problems_since(
    *, session: Session, team_id: str, partner_ids: Collection[int] | None, since: datetime
) -> dict[int, int]:
    """Per partner, the check-ins answered (or changed to) Problem since `since`."""
    answered = func.coalesce(CheckIn.changed_at, CheckIn.answered_at)
    statement = (
        select(Touchpoint.partner_id, func.count())
        .select_from(CheckIn)
        .join(Touchpoint, col(Touchpoint.id) == col(CheckIn.touchpoint_id))
        .where(
            CheckIn.team_id == team_id,
            Touchpoint.team_id == team_id,
            CheckIn.answer == CheckInAnswer.PROBLEM,
            answered >= since,
            *_among(Touchpoint.partner_id, partner_ids),
        )
        .group_by(col(Touchpoint.partner_id))
    )
    return {int(partner_id): int(count) for partner_id, count in session.exec(statement)}


def touchpoint_counts(
    *,
    session: Session,
    team_id: str,
    partner_ids: Collection[int] | None,
    start: datetime,
    end: datetime | None = None,
    by_created: bool = False,
    kinds: Collection[TouchpointKind] = tuple(TouchpointKind),
    happened_by: datetime | None = None,
    dated_before: datetime | None = None,
) -> dict[int, int]:
    """Per partner, its touchpoints of `kinds` dated (or, `by_created`, recorded) in
    [start, end), but for plans their authors said didn't happen. With `happened_by`, only
    contacts that had happened by then, as last contact counts them: logged ones, and plans
    dated up to then (no intent, no plan still ahead). With `dated_before`, only those dated
    before it (recorded in the week, backdated to before it)."""
    moment = col(Touchpoint.created_at) if by_created else col(Touchpoint.at)
    happened = (
        []
        if happened_by is None
        else [
            sa.or_(
                col(Touchpoint.kind) == TouchpointKind.DONE,
                sa.and_(
                    col(Touchpoint.kind) == TouchpointKind.PLANNED,
                    col(Touchpoint.at) <= happened_by,
                ),
            )
        ]
    )
    statement = (
        select(Touchpoint.partner_id, func.count())
        .where(
            Touchpoint.team_id == team_id,
            moment >= start,
            *([] if end is None else [moment < end]),
            col(Touchpoint.kind).in_([str(kind) for kind in kinds]),
            col(Touchpoint.cancelled_at).is_(None),
            *happened,
            *([] if dated_before is None else [col(Touchpoint.at) < dated_before]),
            *_among(Touchpoint.partner_id, partner_ids),
        )
        .group_by(col(Touchpoint.partner_id))
    )
    return {int(partner_id): int(count) for partner_id, count in session.exec(statement)}


def _still_on(team_id: str, touchpoint_id: Any) -> sa.ColumnElement[bool]:
    """The touchpoint `touchpoint_id` is not a plan its author said didn't happen, nor an
    intent its owner said they would handle (theirs now: it collides with nothing any more)."""
    gone = aliased(Touchpoint)
    return sa.not_(
        select(gone.id)
        .where(
            gone.team_id == team_id,
            gone.id == touchpoint_id,
            sa.or_(
                col(gone.cancelled_at).is_not(None),
                col(gone.intent_answer) == IntentAnswer.HANDLE_IT,
            ),
        )
        .exists()
    )


@dataclass(frozen=True, kw_only=True)
class CollisionPair:
    """Two colleagues' contacts with a partner that collided: `later_id`, when recorded at
    `detected_at`, found `earlier_id` in the window."""

    partner_id: int
    earlier_id: int
    later_id: int
    detected_at: datetime


def collision_pairs(
    *,
    session: Session,
    team_id: str,
    partner_ids: Collection[int] | None,
    since: datetime,
    end: datetime | None = None,
) -> list[CollisionPair]:
    """The colliding pairs recorded in [since, end), in the order they were found: what the
    health score and the digest count as collision events (`bot.health.collision_events`).

    Only the collisions the alarm took for news count: those whose people already knew of
    each other (named together by an alert, in touch together, or the owner told of the
    other's contact: `bot.services.touchpoints.known`) were not alerted, and are no revolving
    door (`news` is false: `storage.models.Collision`). A collision with a plan
    its author said didn't happen, or with an intent the owner said they would handle (either
    side), is no collision: it stays recorded, as its alert stays posted, but is left out, as
    new contacts collide with neither (`bot.services.touchpoints`).
    """
    statement = (
        select(
            Collision.partner_id, Collision.earlier_id, Collision.later_id, Collision.detected_at
        )
        .where(
            Collision.team_id == team_id,
            Collision.detected_at >= since,
            *([] if end is None else [Collision.detected_at < end]),
            *_among(Collision.partner_id, partner_ids),
            col(Collision.news),
            _still_on(team_id, Collision.earlier_id),
            _still_on(team_id, Collision.later_id),
        )
        .order_by(col(Collision.detected_at), col(Collision.id))
    )
    return [
        CollisionPair(
            partner_id=partner_id, earlier_id=earlier_id, later_id=later_id, detected_at=detected_at
        )
        for partner_id, earlier_id, later_id, detected_at in session.exec(statement)
    ]


# --- A week in the workspace (the digest) -------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RoundTurnout:
    """Pulse rounds closed in a week: how many, and how many people were asked and answered."""

    rounds: int = 0
    invited: int = 0
    respondents: int = 0

    def __add__(self, other: RoundTurnout) -> RoundTurnout:
        return RoundTurnout(
            rounds=self.rounds + other.rounds,
            invited=self.invited + other.invited,
            respondents=self.respondents + other.respondents,
        )


def first_partner_added(*, session: Session) -> dict[str, datetime]:
    """When each workspace with partners registered the first one it still has, by team id
    (the digest planner's round: a workspace without partners has no digest)."""
    statement = (
        select(Partner.team_id, func.min(Partner.created_at))
        .group_by(col(Partner.team_id))
        .order_by(col(Partner.team_id))
    )
    return dict(session.exec(statement).all())


def first_partner_of(*, session: Session, team_id: str) -> datetime | None:
    """When the workspace registered the first partner it still has (None: it has none), which
    `first_partner_added` gives the digest planner."""
    statement = select(func.min(Partner.created_at)).where(Partner.team_id == team_id)
    return session.exec(statement).one()


def partners_added(*, session: Session, team_id: str, start: datetime, end: datetime) -> list[str]:
    """Names of the partners registered in [start, end), by name."""
    statement = (
        select(Partner.name)
        .where(Partner.team_id == team_id, Partner.created_at >= start, Partner.created_at < end)
        .order_by(col(Partner.normalized_name))
    )
    return list(session.exec(statement))


@dataclass(frozen=True, kw_only=True)
class ClosedCommitments:
    """Commitments closed in a week: kept on time, kept late (as the balance counts them: not
    on or before the due day), dropped."""

    on_time: int = 0
    late: int = 0
    dropped: int = 0

    @property
    def kept(self) -> int:
        return self.on_time + self.late

    @property
    def total(self) -> int:
        return self.kept + self.dropped

    def __add__(self, other: ClosedCommitments) -> ClosedCommitments:
        return ClosedCommitments(
            on_time=self.on_time + other.on_time,
            late=self.late + other.late,
            dropped=self.dropped + other.dropped,
        )


def commitments_closed(
    *, session: Session, team_id: str, start: datetime, end: datetime
) -> dict[int, ClosedCommitments]:
    """How many commitments each partner had closed in [start, end), by how."""
    statement = (
        select(Commitment.partner_id, Commitment.status, Commitment.on_time, func.count())
        .where(
            Commitment.team_id == team_id,
            Commitment.status != CommitmentStatus.OPEN,
            col(Commitment.closed_at) >= start,
            col(Commitment.closed_at) < end,
        )
        .group_by(col(Commitment.partner_id), col(Commitment.status), col(Commitment.on_time))
    )
    found: dict[int, ClosedCommitments] = {}
    for partner_id, status, on_time, count in session.exec(statement):
        if status == CommitmentStatus.DROPPED:
            these = ClosedCommitments(dropped=int(count))
        elif on_time:
            these = ClosedCommitments(on_time=int(count))
        else:
            these = ClosedCommitments(late=int(count))
        found[partner_id] = found.get(partner_id, ClosedCommitments()) + these
    return found


def round_turnouts(
    *, session: Session, team_id: str, start: datetime, end: datetime
) -> dict[int, RoundTurnout]:
    """The pulse rounds each partner had closed in [start, end), of those that ran their course:
    counts of people only, never answers."""
    statement = (
        select(
            SurveyRound.partner_id,
            func.count(),
            func.sum(SurveyRound.invited),
            func.sum(SurveyRound.respondents),
        )
        .where(
            SurveyRound.team_id == team_id,
            col(SurveyRound.closed_at) >= start,
            col(SurveyRound.closed_at) < end,
            RAN_ITS_COURSE,
        )
        .group_by(col(SurveyRound.partner_id))
    )
    return {
        partner_id: RoundTurnout(
            rounds=int(rounds), invited=int(invited or 0), respondents=int(respondents or 0)
        )
        for partner_id, rounds, invited, respondents in session.exec(statement)
    }
