"""Partner health: each partner's score now (the formula is `bot.health.score`), its weekly
trend, the at-risk list, and the planner that stores one snapshot per partner per week.

What feeds the score is read for many partners at once (a handful of queries per workspace, not
per partner), so the at-risk list of a large workspace is still answered within Slack's ack:
- pulse: the latest closed round's aggregates, under the workspace's anonymity threshold exactly
  as the round's report shows them (`bot.services.surveys.results_of`); a round with too few
  respondents gives no pulse;
- check-ins: answers about meetings of the last 90 days;
- commitments: the balance (`Commitments.balances`): kept on time, late, overdue;
- contact: the stay-in-touch standing (`Cadences`);
- collisions: contacts of the last 90 days that happened (logged, or planned and past: not a
  plan still ahead nor an intent) and collision events (a contact that collided with earlier
  contacts counts once, and a colleague meeting again a contact they collided with is that
  collision still, as the alarm does not alert it again; a collision between people who knew
  of each other already, which the alarm did not alert, is none: `collision_counts`).

Snapshots (`plan_snapshots`, a planner): at its first run in a week (Monday in the workspace's
time zone) every partner that is not ended gets that week's snapshot, score and parts; INSERT …
ON CONFLICT DO NOTHING makes the planner idempotent, and a planner that was down takes the week's
snapshot when it is back. A week it missed entirely stays a gap in the trend: past scores cannot
be recomputed honestly. A snapshot stands for how its week began, so a partner registered during
a week gets none for it: its first is taken the next week, with that week's contacts behind it,
not minutes after `add`, when it scored 100 on "never in touch since registered" alone.

For other surfaces (App Home, the digest): `scores(team_id=…, partner_ids=…)` and
`at_risk(team_id=…)`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot import health as rules
from bot.clock import Clock
from bot.delivery.working_hours import zone
from bot.health import (
    CheckInFacts,
    CollisionFacts,
    ContactFacts,
    HealthScore,
    Move,
    PartKind,
    Parts,
    PromiseFacts,
    PulseFacts,
    Risk,
)
from bot.services.cadence import Cadences, CadenceState
from bot.services.commitments import Balance, Commitments
from bot.services.feedback import settings_of
from bot.services.registry import PartnerFacts, Registry
from bot.services.surveys import QUESTIONS, results_of, round_threshold
from bot.services.touchpoints import authors_zones, followed_up
from storage import health as store
from storage import partners as partner_store
from storage import people as people_store
from storage import touchpoints as touchpoint_store
from storage.commitments import workspaces_with_partners
from storage.health import SnapshotScores
from storage.models import (
    CheckInAnswer,
    HealthSnapshot,
    Partner,
    PartnerStatus,
    SurveyRound,
    TouchpointKind,
)
from storage.touchpoints import TouchpointRow

# Partners scored per transaction by the snapshot planner.
SNAPSHOT_BATCH = 500


@dataclass(frozen=True, kw_only=True)
class PartnerHealth:
    """A partner's health now: the score with its parts, and why it is at risk (if it is)."""

    partner: PartnerFacts
    health: HealthScore
    balance: Balance
    cadence: CadenceState
    # Check-ins answered Problem in the last 14 days.
    recent_problems: int
    risks: tuple[Risk, ...]
    # The owner has left Slack (deactivated), as the profile cache (kept by user_change) says.
    owner_gone: bool = False

    @property
    def at_risk(self) -> bool:
        return bool(self.risks)


@dataclass(frozen=True)
class TrendPoint:
    """One week of the trend: its Monday and the score then (None: no snapshot that week)."""

    week_start: date
    score: int | None


@dataclass(frozen=True, kw_only=True)
class Comparison:
    """The score and parts now against a snapshot taken earlier (at `taken_at`, in the week
    starting `week_start`)."""

    week_start: date
    taken_at: datetime
    score: int | None
    moves: list[Move]


@dataclass(frozen=True, kw_only=True)
class HealthReport:
    """`health NAME`: the score now, the last 12 weeks (this week's point is the score now), and
    what moved since the latest snapshot taken before now and since the oldest one of the 12
    weeks (None: no such snapshot, or the oldest is the latest)."""

    current: PartnerHealth
    trend: list[TrendPoint]
    since_latest: Comparison | None
    since_oldest: Comparison | None
    # The workspace's zone, in which weeks start.
    tz: ZoneInfo


def parts_of(snapshot: HealthSnapshot) -> dict[PartKind, int | None]:
    """A snapshot's part scores, as `HealthScore.scores` gives them."""
    return {
        PartKind.PULSE: snapshot.pulse,
        PartKind.CHECKINS: snapshot.checkins,
        PartKind.COMMITMENTS: snapshot.commitments,
        PartKind.CADENCE: snapshot.cadence,
        PartKind.COLLISIONS: snapshot.collisions,
    }


def snapshot_scores(health: HealthScore) -> SnapshotScores:
    parts = health.scores
    return SnapshotScores(
        score=health.score,
        pulse=parts[PartKind.PULSE],
        checkins=parts[PartKind.CHECKINS],
        commitments=parts[PartKind.COMMITMENTS],
        cadence=parts[PartKind.CADENCE],
        collisions=parts[PartKind.COLLISIONS],
    )


def promise_facts(balance: Balance) -> PromiseFacts:
    return PromiseFacts(
        kept=balance.kept_us + balance.kept_them,
        late=balance.late_us + balance.late_them,
        overdue=balance.overdue_us + balance.overdue_them,
    )


def contact_facts(state: CadenceState) -> ContactFacts:
    return ContactFacts(
        standing=state.standing,
        quiet_days=state.quiet_days,
        ideal_days=state.intervals.ideal,
        max_days=state.intervals.max,
        contacted=state.contacted,
    )


class Health:
    """Health scores of every workspace, over one database."""

    def __init__(
        self,
        *,
        engine: Engine,
        clock: Clock,
        registry: Registry,
        commitments: Commitments,
        cadences: Cadences,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.registry = registry
        self.commitments = commitments
        self.cadences = cadences

    # --- Reading -------------------------------------------------------------------------------

    def scores(
        self, *, team_id: str, partner_ids: Collection[int] | None = None
    ) -> dict[int, PartnerHealth]:
        """Each partner's health now, by id: those of `partner_ids` (ended ones included), or
        every partner of the workspace that is not ended."""
        now = self.clock.now()
        with Session(self.engine) as session:
            if partner_ids is None:
                partners = store.followed_partners(session=session, team_id=team_id)
                # Read for the whole workspace: no long `IN (…)` lists to build.
                return self._scores(session, team_id, partners, now, whole_workspace=True)
            partners = self._partners(session, team_id, partner_ids)
            return self._scores(session, team_id, partners, now)

    def at_risk(self, *, team_id: str) -> list[PartnerHealth]:
        """The partners at risk (score below 50, dormant, lopsided, a Problem check-in in the
        last 14 days, or a revolving door: `bot.health.risks`), worst first. Ended partners are
        not listed."""
        found = [found for found in self.scores(team_id=team_id).values() if found.at_risk]
        return sorted(
            found,
            key=lambda item: rules.worst_first(item.health.score, item.risks, item.partner.name),
        )

    def report(self, *, team_id: str, partner: str) -> HealthReport:
        """`health NAME`: the partner `partner` names (raises UnknownPartner), now and its trend."""
        now = self.clock.now()
        with Session(self.engine) as session:
            found = self.registry.resolve(session, team_id=team_id, query=partner)
            current = self._scores(session, team_id, [found], now)[_id(found)]
            tz = zone(settings_of(session, team_id=team_id).timezone)
            this_week = rules.week_start(now, tz)
            first = this_week - timedelta(weeks=rules.TREND_WEEKS - 1)
            snapshots = store.snapshots_of(
                session=session, team_id=team_id, partner_id=_id(found), since=first
            )
        return self._report(current, snapshots, now=now, this_week=this_week, first=first, tz=tz)

    # --- The planner ---------------------------------------------------------------------------

    def plan_snapshots(self, *, now: datetime) -> int:
        """Store this week's snapshot of every partner that lacks one; how many were stored."""
        stored = 0
        with Session(self.engine) as session:
            teams = workspaces_with_partners(session=session)
        for team_id in teams:
            while True:
                with Session(self.engine) as session:
                    tz = zone(settings_of(session, team_id=team_id).timezone)
                    week = rules.week_start(now, tz)
                    missing = store.partners_without_snapshot(
                        session=session,
                        team_id=team_id,
                        week_start=week,
                        registered_before=rules.week_began(week, tz),
                    )[:SNAPSHOT_BATCH]
                    if not missing:
                        break
                    partners = store.followed_partners(
                        session=session, team_id=team_id, partner_ids=missing
                    )
                    scored = self._scores(session, team_id, partners, now)
                    stored += store.insert_snapshots(
                        session=session,
                        team_id=team_id,
                        week_start=week,
                        scores={
                            partner_id: snapshot_scores(found.health)
                            for partner_id, found in scored.items()
                        },
                        taken_at=now,
                    )
                    session.commit()
                if len(missing) < SNAPSHOT_BATCH:
                    break
        return stored

    # --- Internals -----------------------------------------------------------------------------

    def _partners(
        self, session: Session, team_id: str, partner_ids: Collection[int]
    ) -> list[Partner]:
        found = partner_store.get_partners(
            session=session, team_id=team_id, partner_ids=partner_ids
        )
        return [found[partner_id] for partner_id in partner_ids if partner_id in found]

    def _scores(
        self,
        session: Session,
        team_id: str,
        partners: Sequence[Partner],
        now: datetime,
        *,
        whole_workspace: bool = False,
    ) -> dict[int, PartnerHealth]:
        """The health of `partners`; with `whole_workspace`, what feeds it is read for every
        partner of the workspace (and only theirs kept), which is faster than naming them all."""
        if not partners:
            return {}
        wanted = [_id(partner) for partner in partners]
        ids = None if whole_workspace else wanted
        lookback = now - rules.LOOKBACK
        pulses = self._pulses(session, team_id, ids)
        answers = store.checkin_answers(
            session=session, team_id=team_id, partner_ids=ids, since=lookback
        )
        problems = store.problems_since(
            session=session, team_id=team_id, partner_ids=ids, since=now - rules.PROBLEM_RECENT
        )
        # Contacts that happened: logged ones, and planned ones whose time has come (as last
        # contact counts them, until "Didn't happen"). A plan still ahead or an intent is not
        # something that happened: alone it must not make a never-contacted partner a "perfect"
        # 100 through the collisions part.
        touches = store.touchpoint_counts(
            session=session,
            team_id=team_id,
            partner_ids=ids,
            start=lookback,
            happened_by=now,
        )
        collisions = collision_counts(session, team_id=team_id, partner_ids=ids, start=lookback)
        states = self.cadences.states_in(session, team_id=team_id, partner_ids=ids)
        balances = self.commitments.balances(team_id=team_id, partner_ids=ids)
        gone = people_store.deactivated(
            session=session,
            team_id=team_id,
            user_ids=[states[pid].partner.owner_id for pid in wanted],
        )
        found: dict[int, PartnerHealth] = {}
        for partner_id in wanted:
            said = answers.get(partner_id, {})
            state = states[partner_id]
            balance = balances.get(partner_id, Balance())
            health = rules.score(
                Parts(
                    pulse=pulses.get(partner_id),
                    checkins=CheckInFacts(
                        went_well=said.get(CheckInAnswer.WENT_WELL, 0),
                        mixed=said.get(CheckInAnswer.MIXED, 0),
                        problem=said.get(CheckInAnswer.PROBLEM, 0),
                    ),
                    commitments=promise_facts(balance),
                    cadence=contact_facts(state),
                    collisions=CollisionFacts(
                        touchpoints=touches.get(partner_id, 0),
                        collisions=collisions.get(partner_id, 0),
                    ),
                )
            )
            recent = problems.get(partner_id, 0)
            found[partner_id] = PartnerHealth(
                partner=state.partner,
                health=health,
                balance=balance,
                cadence=state,
                recent_problems=recent,
                risks=rules.risks(
                    health,
                    lopsided=balance.lopsided,
                    recent_problems=recent,
                    ended=state.partner.status == PartnerStatus.ENDED,
                ),
                owner_gone=state.partner.owner_id in gone,
            )
        return found

    def _pulses(
        self, session: Session, team_id: str, partner_ids: Collection[int] | None
    ) -> dict[int, PulseFacts]:
        """The latest closed round of each partner, through the same anonymity rule as its
        report: averages only where enough people answered."""
        threshold = settings_of(session, team_id=team_id).anonymity_threshold
        rounds = store.latest_closed_rounds(
            session=session, team_id=team_id, partner_ids=partner_ids
        )
        tallies = store.round_tallies(
            session=session, team_id=team_id, round_ids=[_round_id(r) for r in rounds.values()]
        )
        pulses = {}
        for partner_id, survey_round in rounds.items():
            assert survey_round.closed_at is not None
            results = results_of(
                round_id=_round_id(survey_round),
                partner_name="",
                started_at=survey_round.started_at,
                closed_at=survey_round.closed_at,
                invited=survey_round.invited,
                respondents=survey_round.respondents or 0,
                threshold=round_threshold(survey_round, threshold),
                questions=survey_round.questions or QUESTIONS,
                tallies=tallies.get(_round_id(survey_round), {}),
                previous={},
                comments=(),
            )
            pulses[partner_id] = PulseFacts(
                closed_at=survey_round.closed_at,
                invited=results.invited,
                respondents=results.respondents,
                threshold=results.threshold,
                averages=tuple(question.average for question in results.questions),
                answers=tuple(
                    0 if question.average is None else question.answers
                    for question in results.questions
                ),
                wordings=tuple(question.text for question in results.questions),
            )
        return pulses

    def _report(
        self,
        current: PartnerHealth,
        snapshots: list[HealthSnapshot],
        *,
        now: datetime,
        this_week: date,
        first: date,
        tz: ZoneInfo,
    ) -> HealthReport:
        by_week = {snapshot.week_start: snapshot for snapshot in snapshots}
        now_parts = current.health.scores
        trend: list[TrendPoint] = []
        for offset in range(rules.TREND_WEEKS):
            week = first + timedelta(weeks=offset)
            if week == this_week:
                trend.append(TrendPoint(week, current.health.score))
            elif week in by_week:
                trend.append(TrendPoint(week, by_week[week].score))
            elif trend:
                trend.append(TrendPoint(week, None))  # a gap; weeks before the first are left out

        def against(snapshot: HealthSnapshot) -> Comparison:
            return Comparison(
                week_start=snapshot.week_start,
                taken_at=snapshot.taken_at,
                score=snapshot.score,
                moves=rules.moves(parts_of(snapshot), now_parts),
            )

        # This week's snapshot stands for how the week began (the end of last week): the trend
        # shows the score now in its place, but what moved is measured from it.
        earlier = [snapshot for snapshot in snapshots if snapshot.taken_at < now]
        latest = earlier[-1] if earlier else None
        # The longer view starts from the oldest weekly score: a week without one (nothing had
        # happened yet) is no score to have moved from, and with one weekly score so far the
        # trend says so, under a single "Since" line.
        scored = [snapshot for snapshot in earlier[:-1] if snapshot.score is not None]
        oldest = scored[0] if scored else None
        return HealthReport(
            current=current,
            trend=trend,
            since_latest=None if latest is None else against(latest),
            since_oldest=None if oldest is None else against(oldest),
            tz=tz,
        )


def collision_counts(
    session: Session,
    *,
    team_id: str,
    partner_ids: Collection[int] | None,
    start: datetime,
    end: datetime | None = None,
) -> dict[int, int]:
    """Per partner, how many collision events there were in [start, end)
    (`bot.health.collision_events`), each collision counted once: a plan or intent and the log
    that followed it up (`followed_up`, on its author's calendar) are one contact, and a
    colleague's contact meeting again one they already collided with (the owner's calls
    after an outsider's) is no new collision, and one the alarm did not alert, its people
    knowing of each other already (`storage.health.collision_pairs`), is none."""
    # Whether a pair of the window is news depends on the pairs found before it: the plan of
    # a meeting may have collided weeks before its log. A plan collides when it or a colleague's
    # contact is recorded, which is seldom months ahead, so the pairs of the 90 days before
    # `start` stand for the whole history (a workspace's history is too long to read each time).
    pairs = store.collision_pairs(
        session=session,
        team_id=team_id,
        partner_ids=partner_ids,
        since=start - rules.LOOKBACK,
        end=end,
    )
    touches = touchpoint_store.touchpoints_by_id(
        session=session,
        team_id=team_id,
        ids=sorted({i for pair in pairs for i in (pair.earlier_id, pair.later_id)}),
    )
    same = _logged_as(
        touches,
        tz=zone(settings_of(session, team_id=team_id).timezone),
        zones=authors_zones(session, team_id=team_id, touches=touches),
    )
    authors = {t.id: t.author_id for t in touches}
    events = rules.collision_events(pairs, same=same, authors=authors, start=start, end=end)
    return {partner: len(contacts) for partner, contacts in events.items()}


def _logged_as(
    touches: Sequence[TouchpointRow], *, tz: tzinfo, zones: Mapping[str, tzinfo]
) -> dict[int, int]:
    """Each plan or intent among `touches` that a log of its partner among them followed up,
    with the first such log: the one contact both stand for."""
    logs: dict[int, list[TouchpointRow]] = {}
    for t in sorted(touches, key=lambda t: t.id):
        if t.kind is TouchpointKind.DONE:
            logs.setdefault(t.partner_id, []).append(t)
    same: dict[int, int] = {}
    for t in touches:
        if t.kind is TouchpointKind.DONE:
            continue
        for log in logs.get(t.partner_id, []):
            if followed_up([t, log], tz=tz, zones=zones):
                same[t.id] = log.id
                break
    return same


def _id(partner: Partner) -> int:
    assert partner.id is not None, "partner was not flushed"
    return partner.id


def _round_id(survey_round: SurveyRound) -> int:
    assert survey_round.id is not None, "round was not flushed"
    return survey_round.id
