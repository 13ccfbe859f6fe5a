"""The health score of a partner: one number 0–100 from five parts. Pure and deterministic.

The parts, each scored 0–100, and their weights:
- pulse (30): the latest closed pulse round, the mean of its four questions' averages (value,
  clarity, fair workload, alignment), from 1–5 to 0–100;
- check-ins (25): answers about meetings of the last 90 days, went well 100, mixed 50, problem 0,
  averaged;
- commitments (20): kept on time count fully, kept late half, and each overdue one counts as two
  broken: 100 × (kept + late/2) / (kept + late + 2 × overdue), both sides together;
- contact (15): the stay-in-touch cadence, on track 100, nudge due 50, dormant 0;
- collisions (10): collision events of the last 90 days — contacts that collided with at
  least one earlier contact by a colleague they had not collided with yet, and that the alarm
  took for news (`collision_events`): two people who already knew of each other are no
  revolving door — 100 minus 25 for each, not below 0.

A part without data is left out and the weights of the others are renormalised, so the score is
the weighted mean of the parts that have data:
- pulse: no closed round yet, or the latest one had fewer respondents than the workspace's
  anonymity threshold (its aggregates are hidden, so they are not used either), or no statement
  had that many answers. A score resting on fewer statements than were asked counts as it is,
  and `health NAME` says how many it rests on (a single one: a thin score);
- check-ins: no went well / mixed / problem answer in 90 days ("didn't happen" and "moved" say
  nothing about the partner);
- commitments: nothing kept, late or overdue yet (open ones not yet due say nothing);
- contact: a paused or ended partner (exempt from the cadence), or one nobody has been in touch
  with yet while it is on track (registered less than its ideal interval ago): nothing has
  happened to judge, so a brand-new partner has no score rather than a "perfect" 100; once it
  goes quiet past its ideal interval without a first contact, that counts (50, then 0);
- collisions: no contact that happened in 90 days (logged, or planned and past): a plan still
  ahead or an intent is not something that happened, so alone it scores nothing (no "perfect"
  100 for a partner nobody has been in touch with), nor do collisions among such alone (two
  colleagues' intents: 75 for a partner nobody has met). They still count towards a revolving
  door, which is at risk whatever the score. Nor does it score alone for a paused or ended
  partner (exempt from the cadence, so with no contact part): "no collision" in a contact or
  two kept as history says nothing of the partner by itself.
With no part at all there is no score (`HealthScore.score` is None).

One part alone is the whole score, at its worst too: a partner whose only data is one overdue
commitment scores 0 (and is at risk), as one nobody has been in touch with past its maximum
interval does. That is deliberate: the one thing known about the partner is a promise broken
(none of those due were kept), which is what the at-risk list is for, and `health NAME` says so
("0 kept on time, 0 late, 1 overdue"). It moves as soon as anything else is known: kept late, 50;
a logged contact adds contact 100 and collisions 100, (0×20 + 100×15 + 100×10) / 45 = 56.

At risk (`risks`): a score below 50, dormant, a lopsided workload (one side carries more than
70% of at least 4 open commitments), a check-in answered **Problem** in the last 14 days, or a
revolving door: 3 or more collision events in the last 90 days (the collisions part at 25 or
below, which the weights alone could never bring under 50), or a low pulse: the pulse part below
25 (a mean below 2 of 5) and not thin. The pulse weighs 30 of 100, so a team rating its partner
1.3 of 5 on every statement still scores 50 with contact on track; yet a partner its own team
rates that badly is one to worry about. A thin pulse (one statement of several) is too narrow a
basis to raise the alarm alone; a hidden one (too few answers) is not used at all. An ended
partner is never at risk: nobody follows it any more, whatever its score.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.services.cadence import Standing
from storage.health import CollisionPair
from storage.models import CommitmentSide

# How far back check-ins and collisions count; how recent a Problem makes a partner at risk.
LOOKBACK = timedelta(days=90)
PROBLEM_RECENT = timedelta(days=14)
AT_RISK_BELOW = 50
COLLISION_PENALTY = 25
# Collision events of the last 90 days that make a revolving door: at risk whatever the score.
REVOLVING_DOOR_AT = 3
# A pulse part below this (and not thin) makes a partner at risk whatever the score.
LOW_PULSE_BELOW = 25
# The sparkline's weeks, and how much a part must move to be reported as moved.
TREND_WEEKS = 12
MOVE_AT_LEAST = 5
BARS = "▁▂▃▄▅▆▇█"
NO_BAR = "·"


class PartKind(StrEnum):
    PULSE = "pulse"
    CHECKINS = "checkins"
    COMMITMENTS = "commitments"
    CADENCE = "cadence"
    COLLISIONS = "collisions"


WEIGHTS: Mapping[PartKind, int] = {
    PartKind.PULSE: 30,
    PartKind.CHECKINS: 25,
    PartKind.COMMITMENTS: 20,
    PartKind.CADENCE: 15,
    PartKind.COLLISIONS: 10,
}


# --- What the score is made from ----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PulseFacts:
    """The latest closed pulse round, as aggregates only."""

    closed_at: datetime
    invited: int
    respondents: int
    threshold: int
    # Each question's average (1–5) in the order asked; None where it is hidden (fewer
    # answers than the anonymity threshold).
    averages: tuple[float | None, ...]
    # How many answered each question, where its average is shown (0 where it is hidden).
    answers: tuple[int, ...] = ()
    # Each question's words, in the order asked (as `averages`): a round two merged rounds
    # folded into one may ask more than the standard four, or others.
    wordings: tuple[str, ...] = ()

    @property
    def enough(self) -> bool:
        return self.respondents >= self.threshold

    @property
    def statements(self) -> int:
        """How many statements the score rests on: those enough people answered."""
        return sum(1 for average in self.averages if average is not None) if self.enough else 0

    @property
    def thin(self) -> bool:
        """A score resting on a single statement of several: a thin basis, said as such."""
        return self.statements == 1 and len(self.averages) > 1


@dataclass(frozen=True, kw_only=True)
class CheckInFacts:
    """Check-in answers about the partner's meetings of the last 90 days."""

    went_well: int = 0
    mixed: int = 0
    problem: int = 0

    @property
    def answered(self) -> int:
        return self.went_well + self.mixed + self.problem


@dataclass(frozen=True, kw_only=True)
class PromiseFacts:
    """Commitments (both sides): kept on time, kept late, and open past their due day."""

    kept: int = 0
    late: int = 0
    overdue: int = 0


@dataclass(frozen=True, kw_only=True)
class ContactFacts:
    """Where the partner stands with staying in touch."""

    standing: Standing
    quiet_days: int
    ideal_days: int
    max_days: int
    # False: nobody has been in touch since it was registered, and the days count from then.
    contacted: bool = True


@dataclass(frozen=True, kw_only=True)
class CollisionFacts:
    """Contacts that happened (logged, or planned and past; neither intents nor plans still
    ahead) and collision events (`collision_events`) of the last 90 days."""

    touchpoints: int = 0
    collisions: int = 0


@dataclass(frozen=True, kw_only=True)
class Parts:
    """Everything the score is made from (None: that part has no data at all)."""

    pulse: PulseFacts | None = None
    checkins: CheckInFacts = field(default_factory=CheckInFacts)
    commitments: PromiseFacts = field(default_factory=PromiseFacts)
    cadence: ContactFacts | None = None
    collisions: CollisionFacts = field(default_factory=CollisionFacts)


# --- The score ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One part of the score: its own 0–100 (None: no data, left out) and its weight."""

    kind: PartKind
    score: int | None
    weight: int
    # The part's share of the total after renormalising (0 when left out).
    share: float


@dataclass(frozen=True)
class HealthScore:
    """A partner's score (None: no part has data) and every part, in the table's order."""

    score: int | None
    parts: tuple[Part, ...]
    facts: Parts

    def part(self, kind: PartKind) -> Part:
        return next(part for part in self.parts if part.kind is kind)

    @property
    def scores(self) -> dict[PartKind, int | None]:
        """Each part's score, as stored in the weekly snapshot."""
        return {part.kind: part.score for part in self.parts}

    @property
    def counted(self) -> int:
        """How many parts have data."""
        return sum(part.score is not None for part in self.parts)


def _round(value: float) -> int:
    """Half up, not to even: 62.5 is 63."""
    return int(value + 0.5)


def pulse_score(facts: PulseFacts | None) -> int | None:
    """The mean of the shown question averages, from 1–5 to 0–100."""
    if facts is None or not facts.enough:
        return None
    shown = [average for average in facts.averages if average is not None]
    if not shown:
        return None
    mean = sum(shown) / len(shown)
    return _round((min(5.0, max(1.0, mean)) - 1) / 4 * 100)


def checkin_score(facts: CheckInFacts) -> int | None:
    """Went well 100, mixed 50, problem 0, averaged over the answers."""
    if not facts.answered:
        return None
    return _round(100 * (facts.went_well + facts.mixed / 2) / facts.answered)


def commitment_score(facts: PromiseFacts) -> int | None:
    """Kept on time count fully, late half; each overdue one counts as two broken."""
    weighed = facts.kept + facts.late + 2 * facts.overdue
    if not weighed:
        return None
    return _round(100 * (facts.kept + facts.late / 2) / weighed)


CADENCE_SCORES: Mapping[Standing, int | None] = {
    Standing.FINE: 100,
    Standing.DUE: 50,
    Standing.DORMANT: 0,
    Standing.EXEMPT: None,
}


def cadence_score(facts: ContactFacts | None) -> int | None:
    """On track 100, nudge due 50, dormant 0; paused and ended partners are exempt, and one
    on track with no contact yet has nothing to judge (the module docstring)."""
    if facts is None or (not facts.contacted and facts.standing is Standing.FINE):
        return None
    return CADENCE_SCORES[facts.standing]


def collision_events(
    pairs: Iterable[CollisionPair],
    *,
    same: Mapping[int, int],
    authors: Mapping[int, str],
    start: datetime,
    end: datetime | None = None,
) -> dict[int, list[int]]:
    """Per partner, the contacts whose collisions are the events of [start, end): what the
    health score and the digest both call "collisions".

    Which contacts collide is `bot.collisions`' to say (`pairs`, recorded by the alarm: team
    members among themselves never do), and only those the alarm took for news are given: a
    collision between two people who already knew of each other (`bot.services.touchpoints.
    known`: named together by an alert, in touch together, the owner told of the other's
    contact) was not alerted and is no event. A collision event is a contact that, when it was
    recorded, collided with at least one earlier contact by a colleague: it set off the alarm
    once, however many contacts it collided with, and counts when it first collided. So a
    revolving door of four colleagues, each in touch once, is 3 events (the 2nd, 3rd and 4th
    contact), not the 6 pairs it recorded.

    A collision counts once, as the alarm alerts it once (`bot.services.touchpoints.known`): a
    colleague whose contact meets again one they already collided with is no new event. So an
    outsider's call and three calls by the owner are 1 event at most, not one per call of the
    owner following it up (`authors`: each touchpoint's author), and none when the owner,
    told of the outsider's call, follows it up.

    `pairs` come in the order they were found. `same` maps a plan or intent that a log followed
    up to that log: one contact, recorded twice. Two contacts collide once, whichever of their
    records found the other: a meeting planned, collided with by a colleague's call, then
    logged, is that one collision (the call's), not a second one (the log's).
    """
    # Each contact with the colleagues whose contacts collided with it, counted or not.
    met: set[tuple[int, str]] = set()
    first: dict[int, tuple[int, datetime]] = {}
    for pair in pairs:
        earlier = same.get(pair.earlier_id, pair.earlier_id)
        later = same.get(pair.later_id, pair.later_id)
        if earlier == later:
            continue
        seen = {(earlier, authors[pair.later_id]), (later, authors[pair.earlier_id])}
        news = not seen & met
        # Known from now on even when no news: the owner's later calls collided with the
        # outsider's, so the outsider's next call meets nothing new in them.
        met |= seen
        if news:
            first.setdefault(later, (pair.partner_id, pair.detected_at))
    found: dict[int, list[int]] = {}
    for contact, (partner_id, when) in first.items():
        if start <= when and (end is None or when < end):
            found.setdefault(partner_id, []).append(contact)
    return found


def collision_score(facts: CollisionFacts) -> int | None:
    """100 minus 25 per collision, not below 0; nothing to judge before a contact happened."""
    if not facts.touchpoints:
        return None
    return max(0, 100 - COLLISION_PENALTY * facts.collisions)


def score(parts: Parts) -> HealthScore:
    """The health score: the weighted mean of the parts that have data (see the module)."""
    own = {
        PartKind.PULSE: pulse_score(parts.pulse),
        PartKind.CHECKINS: checkin_score(parts.checkins),
        PartKind.COMMITMENTS: commitment_score(parts.commitments),
        PartKind.CADENCE: cadence_score(parts.cadence),
        PartKind.COLLISIONS: collision_score(parts.collisions),
    }
    exempt = parts.cadence is not None and parts.cadence.standing is Standing.EXEMPT
    if exempt and all(value is None for kind, value in own.items() if kind != PartKind.COLLISIONS):
        # A paused or ended partner has no contact part: alone, "no collision" would give it a
        # "perfect" 100 from a contact or two kept as history (QA21a NIT 9).
        own[PartKind.COLLISIONS] = None
    counted = sum(WEIGHTS[kind] for kind, value in own.items() if value is not None)
    shown = tuple(
        Part(
            kind=kind,
            score=value,
            weight=WEIGHTS[kind],
            share=WEIGHTS[kind] / counted if value is not None else 0.0,
        )
        for kind, value in own.items()
    )
    if not counted:
        return HealthScore(score=None, parts=shown, facts=parts)
    # In whole numbers, so that 62.5 is 63 whatever the floating point makes of the shares.
    weighed = sum(part.weight * part.score for part in shown if part.score is not None)
    return HealthScore(score=(2 * weighed + counted) // (2 * counted), parts=shown, facts=parts)


# --- At risk ------------------------------------------------------------------------------------


class RiskKind(StrEnum):
    LOW_SCORE = "low_score"
    DORMANT = "dormant"
    LOPSIDED = "lopsided"
    PROBLEM = "problem"
    REVOLVING_DOOR = "revolving_door"
    LOW_PULSE = "low_pulse"


@dataclass(frozen=True)
class Risk:
    """Why a partner is at risk. `side` is the side carrying the work (lopsided) and `count` the
    Problem check-ins of the last 14 days, the collision events of the last 90 (revolving
    door), or the pulse part's score (low pulse)."""

    kind: RiskKind
    side: CommitmentSide | None = None
    count: int = 0


def risks(
    health: HealthScore,
    *,
    lopsided: CommitmentSide | None,
    recent_problems: int,
    ended: bool = False,
) -> tuple[Risk, ...]:
    """Why the partner is at risk (empty: it is not, and an `ended` one never is)."""
    if ended:
        return ()
    found: list[Risk] = []
    if health.score is not None and health.score < AT_RISK_BELOW:
        found.append(Risk(RiskKind.LOW_SCORE))
    contact = health.facts.cadence
    if contact is not None and contact.standing is Standing.DORMANT:
        found.append(Risk(RiskKind.DORMANT))
    if lopsided is not None:
        found.append(Risk(RiskKind.LOPSIDED, side=lopsided))
    if recent_problems:
        found.append(Risk(RiskKind.PROBLEM, count=recent_problems))
    collisions = health.facts.collisions.collisions
    if collisions >= REVOLVING_DOOR_AT:
        found.append(Risk(RiskKind.REVOLVING_DOOR, count=collisions))
    pulse = health.part(PartKind.PULSE).score
    facts = health.facts.pulse
    if pulse is not None and pulse < LOW_PULSE_BELOW and facts is not None and not facts.thin:
        found.append(Risk(RiskKind.LOW_PULSE, count=pulse))
    return tuple(found)


def worst_first(
    score_value: int | None, reasons: Sequence[Risk], name: str
) -> tuple[int, int, str]:
    """The sort key of the at-risk list: lowest score first (no score last), then the most
    reasons, then by name."""
    return (101 if score_value is None else score_value, -len(reasons), name.casefold())


# --- The trend ----------------------------------------------------------------------------------


def week_start(moment: datetime, tz: ZoneInfo) -> date:
    """The Monday of the week `moment` falls in, in the workspace's time zone."""
    local = moment.astimezone(tz).date()
    return local - timedelta(days=local.weekday())


def week_began(week: date, tz: ZoneInfo) -> datetime:
    """The moment the week starting on `week` (a Monday) began in the workspace's time zone."""
    return datetime.combine(week, time(0), tzinfo=tz).astimezone(UTC)


def sparkline(values: Sequence[int | None]) -> str:
    """One bar per week on a fixed 0–100 scale (▁ = 0, █ = 100); a week without a score is ·."""
    return "".join(
        NO_BAR if value is None else BARS[_round(max(0, min(100, value)) * 7 / 100)]
        for value in values
    )


@dataclass(frozen=True)
class Move:
    """A part whose score changed by at least `MOVE_AT_LEAST`, or that gained or lost data."""

    kind: PartKind
    before: int | None
    after: int | None

    @property
    def change(self) -> int | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


def moves(
    before: Mapping[PartKind, int | None], after: Mapping[PartKind, int | None]
) -> list[Move]:
    """The parts that moved between two moments, in the table's order."""
    found = []
    for kind in PartKind:
        old, new = before.get(kind), after.get(kind)
        if old == new:
            continue
        if old is not None and new is not None and abs(new - old) < MOVE_AT_LEAST:
            continue
        found.append(Move(kind=kind, before=old, after=new))
    return found
