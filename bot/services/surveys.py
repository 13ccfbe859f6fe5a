"""Pulse surveys: rounds that ask each partner's internal team four questions, scored 1–5 by
reacting with :one:…:five: or clicking, and report the answers only as anonymous aggregates.

A round: started on the workspace's cadence (monthly or quarterly, on the first working
Tuesday) or at once by `survey NAME now`; one DM conversation per person (an invitation and one
message per question, queued in the person's working hours), the bot's own :one:…:five: added
to each question once Slack has it; one reminder halfway through to people who have not
answered every statement (saying how many are left when they answered some, as it stands when
the reminder goes: one still waiting to go is reworded by each answer, and withdrawn by the
last), but never before a working day of theirs has passed since their invitation reached them
(one held while they were away gets its reminder that much after they are back, or none if the
round closes first); closed after `ROUND_WORKING_DAYS`, when the owner and the coordination
channel get the results.

How an answer is counted: a reaction (or click) by the person the message was sent to, on a
question message of an open round, sets their score to that question; a later one replaces it;
removing the reaction that is their score withdraws it. Every answer carries Slack's time for
the action, so an older event arriving late (or a retry) never overrides a newer one, and each
event is applied once (`feedback.first_delivery`).

Anonymity: answers are stored against a random respondent token, never a user id; closing a
round erases the tokens from the deliveries, so afterwards nothing links a score to a person.
Results are aggregates, shown only when at least the workspace's anonymity threshold of people
answered (per question, too); comments are shown under the same threshold, unsigned and in
alphabetical order. No function here returns a person together with a score, and nothing is
logged about who answered what.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import Clock
from bot.delivery.absence import absence_when_reached, reached_back_at
from bot.delivery.dispatcher import ChannelRefused, delivery_client, error_code
from bot.delivery.outbox import enqueue, schedule_of, withdraw
from bot.delivery.working_days import working_days_of
from bot.delivery.working_hours import zone
from bot.runtime import Runtime
from bot.services.channels import Channels, PassedOver, pass_on, route
from bot.services.feedback import (
    AUDIENCE_LOOKBACK,
    Cadence,
    FeedbackMessages,
    FeedbackSettings,
    PartnerPeople,
    Rendered,
    add_working_days,
    day_start,
    each_workspace,
    effective_cadence,
    first_delivery,
    first_working_tuesday,
    forget_old_events,
    partner_people,
    queue_dm,
    settings_of,
    tz_of,
)
from bot.services.partner_names import PartnerNames
from bot.services.registry import (
    Actor,
    PartnerFacts,
    Registry,
    require_admin,
    require_editor,
)
from storage import feedback as store
from storage import outbox as outbox_store
from storage import partners as partner_store
from storage.models import Absence, OutboxStatus, PartnerStatus, SurveyDelivery, SurveyRound
from storage.people import get_profiles

if TYPE_CHECKING:
    from bot.scheduler import PlannerRegistry

logger = logging.getLogger(__name__)

QUESTIONS = (
    "This partnership is delivering value for us",
    "I know what we and the partner are each responsible for",
    "The work is fairly shared between us and the partner",
    "I know what our agreement with this partner commits us to",
)
SCORE_EMOJI = ("one", "two", "three", "four", "five")
SCORES = range(1, len(SCORE_EMOJI) + 1)
ROUND_WORKING_DAYS = 5
# The reminder goes halfway through, rounded down to whole working days…
REMINDER_WORKING_DAYS = ROUND_WORKING_DAYS // 2
# …and no sooner than this many of the person's working days (their time away not counted)
# after their invitation reached them: time to see the question before being reminded of it.
REMINDER_AFTER_INVITATION_WORKING_DAYS = 1
# A scheduled round missed by more than this (the bot was down) waits for the next period.
CATCH_UP = timedelta(days=7)
# A round started (e.g. with `survey NAME now`) this close before a scheduled one replaces it.
REPLACES_SCHEDULED = {Cadence.MONTHLY: timedelta(days=14), Cadence.QUARTERLY: timedelta(days=45)}
MAX_COMMENT = 2000
# The outbox kind of a round's results (to its owner, and to its channel), and the key of the
# channel's copy (`reroute_refused_results` finds the round by it).
RESULTS = "survey.results"
# The outbox kinds of an invitation and of each statement queued right after it (failed ones
# fold into their invitation's line for admins, `bot.services.workspace_settings`).
INVITATION = "survey.invitation"
QUESTION = "survey.question"
# The outbox kind of a survey message closed in place (chat.update), its round cut short.
CLOSED_IN_PLACE = "survey.closed"
_RESULTS_KEY = re.compile(r"^survey-round:(\d+):channel")
# Errors of reactions.add after which trying again is pointless.
GONE = frozenset({"message_not_found", "channel_not_found", "no_item_specified", "is_archived"})
# Why a reminder not sent yet was withdrawn: its person answered every statement meanwhile.
ALL_ANSWERED = "every statement answered"


class Reason:
    """Why someone is asked (shown to them)."""

    OWNER = "owner"
    DEPUTY = "deputy"
    TEAM = "team"
    CONTACT = "contact"


# --- What the service answers -------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyInvitation:
    """The first message of a round to one person (and their reminder)."""

    delivery_id: int
    partner_name: str
    reason: str
    questions: int
    closes_at: datetime
    tz: str | None
    threshold: int
    # Of `questions`, how many the person has not answered yet (a reminder says what is left).
    unanswered: int | None = None


@dataclass(frozen=True)
class QuestionCard:
    """One question message as its recipient sees it, with their own score if they gave one."""

    message_id: int
    partner_name: str
    number: int
    of: int
    text: str
    score: int | None
    closed: bool
    # No answer counted, and number reactions left from before a *Withdraw* count for nothing.
    withdrawn: bool = False
    # Closed early, because its partner was ended mid-round (`close_for_ended`).
    ended: bool = False


@dataclass(frozen=True)
class QuestionResult:
    number: int
    text: str
    answers: int
    # None: fewer people than the anonymity threshold answered this question.
    average: float | None
    # Since the previous round in which enough people answered the same question.
    change: float | None


@dataclass(frozen=True)
class RoundResults:
    """A round's results as anyone may see them: aggregates, or "not enough answers"."""

    round_id: int
    partner_name: str
    started_at: datetime
    closed_at: datetime | None
    invited: int
    respondents: int
    threshold: int
    questions: tuple[QuestionResult, ...]
    comments: tuple[str, ...]
    # The workspace's time zone, the one its rounds are scheduled in: the days the round is
    # known by (started, closed) are its days.
    tz: str | None = None

    @property
    def enough(self) -> bool:
        return self.respondents >= self.threshold


@dataclass(frozen=True)
class OpenRound:
    started_at: datetime
    closes_at: datetime
    invited: int
    answered: int


@dataclass(frozen=True)
class TooFew:
    """Who could be asked about a partner, when they are fewer than the anonymity threshold."""

    asked: tuple[str, ...]
    threshold: int
    # Those it would ask but who are away until after the round would close (never asked
    # unless back sooner), and when each is back, in their own zone.
    away: tuple[str, ...] = ()
    back_at: Mapping[str, datetime] = field(default_factory=dict)


@dataclass(frozen=True)
class Schedule:
    """`survey NAME`: the cadence, the next round, the one in progress and the last results."""

    partner: PartnerFacts
    cadence: Cadence
    # True when the partner has its own cadence, False when it follows the workspace's.
    own_cadence: bool
    workspace_cadence: Cadence
    next_round_at: datetime | None
    open_round: OpenRound | None
    last: RoundResults | None
    tz: str | None
    # Set when the next scheduled round would not start, were it due now.
    too_few: TooFew | None = None


@dataclass(frozen=True)
class SkippedRound:
    """A scheduled round not started for too few people, as its partner's owner is told."""

    partner_name: str
    scheduled_at: datetime
    retry_until: datetime
    too_few: TooFew
    tz: str | None


@dataclass(frozen=True)
class Started:
    """`survey NAME now`: who was asked, those of them away (their questions wait for their
    return, or lapse with the round), until when."""

    partner: PartnerFacts
    asked: tuple[str, ...]
    away: tuple[str, ...]
    closes_at: datetime
    tz: str | None
    # When each of `away` is back (the end of their time away, in their own zone): one back
    # only after the round closes is never asked unless they return sooner.
    back_at: Mapping[str, datetime] = field(default_factory=dict)


@dataclass(frozen=True)
class PartnerFeedback:
    """Pulse and check-in results of one partner, for `show` and `check`."""

    partner_name: str
    pulse: RoundResults | None
    open_round: OpenRound | None
    checkins: dict[str, int]
    tz: str | None


@dataclass(frozen=True)
class ReactionShown:
    """A question message to update after a reaction changed its recipient's score; or, with
    `closed`, one whose round had closed: the reaction counts for nothing, and they are told."""

    channel: str
    ts: str
    card: QuestionCard
    closed: bool = False


@dataclass(frozen=True)
class OffStatement:
    """A number reaction its person put on their open survey's introduction or reminder, not on
    a statement: it counts for nothing, and they are told where it goes (`Surveys.react`)."""

    channel: str
    partner_name: str
    statements: int


@dataclass(frozen=True)
class SurveyThread:
    """A reply typed under one of the person's survey messages (`Surveys.thread_at`):
    Liaison reads none, and says where a comment goes; `repeated`: Slack's retry of a reply
    already answered."""

    partner_name: str
    closed: bool
    repeated: bool


@dataclass(frozen=True)
class CommentSaved:
    """A comment kept (`kept`), or removed when the form came back empty."""

    partner_name: str
    kept: bool


@dataclass(frozen=True)
class CommentForm:
    delivery_id: int
    partner_name: str
    text: str | None


class SurveyError(Exception):
    """A request about surveys that cannot be carried out; nothing was changed."""


class NotAllowedToStart(SurveyError):
    def __init__(self, facts: PartnerFacts) -> None:
        super().__init__(f"may not start a round of {facts.name!r}")
        self.facts = facts


class PartnerEnded(SurveyError):
    """A round asked of a partner whose partnership has ended: nobody follows it any more (its
    running round closed as it ended, `close_round_of_ended`)."""

    def __init__(self, facts: PartnerFacts) -> None:
        super().__init__(f"{facts.name!r} has ended")
        self.facts = facts


class NotAllowedToSetCadence(SurveyError):
    def __init__(self, facts: PartnerFacts) -> None:
        super().__init__(facts.name)
        self.facts = facts


class RoundInProgress(SurveyError):
    def __init__(self, facts: PartnerFacts, running: OpenRound, tz: str | None) -> None:
        super().__init__(f"a round of {facts.name!r} is in progress")
        self.facts = facts
        self.running = running
        self.tz = tz


class NobodyToAsk(SurveyError):
    def __init__(self, facts: PartnerFacts, away: Sequence[str]) -> None:
        super().__init__(f"nobody to ask about {facts.name!r}")
        self.facts = facts
        self.away = tuple(away)


class TooFewToAsk(SurveyError):
    """Fewer people to ask than the anonymity threshold: the round could only ever report
    "not enough answers", so none is started."""

    def __init__(self, asked: Sequence[str], away: Sequence[str], threshold: int) -> None:
        super().__init__(f"{len(asked)} to ask, {threshold} needed")
        self.asked = tuple(asked)
        self.away = tuple(away)
        self.threshold = threshold
        self.facts: PartnerFacts | None = None
        # When each of `past_close` is back (`Surveys.start_now` looks it up).
        self.back_at: Mapping[str, datetime] = {}

    @property
    def past_close(self) -> tuple[str, ...]:
        """Those away until after the round would close: not among `asked`."""
        return tuple(user_id for user_id in self.away if user_id not in self.asked)

    @property
    def found(self) -> TooFew:
        return TooFew(self.asked, self.threshold, self.past_close, self.back_at)


class NotYours(SurveyError):
    """A click on someone else's survey (Slack shows DMs to their recipient only)."""


class OfAnotherWorkspace(SurveyError):
    """A click on a survey message this workspace has none of: one that another workspace's
    Liaison sent (Slack Connect, or Enterprise Grid, where a person is in both), whose round
    may well be open there. A message of this workspace's, merged or not, is always found."""


class CommentTooLong(SurveyError):
    """A comment longer than `MAX_COMMENT`: Slack's form caps it, but counts otherwise (UTF-16
    units, not characters), and a request need not come from Slack's client at all."""

    def __init__(self, length: int) -> None:
        super().__init__(f"a comment of {length} characters")
        self.length = length


class RoundClosed(SurveyError):
    def __init__(self, card: QuestionCard | None = None) -> None:
        super().__init__("the round has closed")
        self.card = card


# --- Pure rules ---------------------------------------------------------------------------------


def score_of_emoji(name: str) -> int | None:
    """:one: … :five: as 1 … 5; None for any other emoji (skin tones never apply to these)."""
    base = name.split("::", 1)[0]
    return SCORE_EMOJI.index(base) + 1 if base in SCORE_EMOJI else None


def ts_order(ts: str | None) -> tuple[int, int]:
    """A Slack timestamp ("1764061200.000100") as something that sorts."""
    seconds, _, fraction = (ts or "0").partition(".")
    try:
        return int(seconds), int(fraction.ljust(6, "0")[:6] or 0)
    except ValueError:
        return 0, 0


def scheduled_start(now: datetime, settings: FeedbackSettings) -> tuple[datetime, str] | None:
    """The current period's scheduled round start and the period's name, if it is due now.

    Due from the first working Tuesday's morning (workspace time zone) for `CATCH_UP`; None
    before that, after that, or with the cadence off.
    """
    if settings.cadence is Cadence.OFF:
        return None
    local = now.astimezone(zone(settings.timezone))
    month = local.month
    label = f"{local.year}-{month:02d}"
    if settings.cadence is Cadence.QUARTERLY:
        month = (month - 1) // 3 * 3 + 1
        label = f"{local.year}-Q{(month - 1) // 3 + 1}"
    day = first_working_tuesday(local.year, month, settings.hours)
    start = day_start(day, tz=settings.timezone, hours=settings.hours)
    if start <= now < start + CATCH_UP:
        return start, label
    return None


def next_scheduled(now: datetime, settings: FeedbackSettings) -> datetime | None:
    """When the next scheduled round starts (the current period's, if it is still ahead)."""
    if settings.cadence is Cadence.OFF:
        return None
    local = now.astimezone(zone(settings.timezone))
    step = 3 if settings.cadence is Cadence.QUARTERLY else 1
    month = (local.month - 1) // step * step + 1 if step == 3 else local.month
    year = local.year
    for _ in range(3):
        start = day_start(
            first_working_tuesday(year, month, settings.hours),
            tz=settings.timezone,
            hours=settings.hours,
        )
        if start > now:
            return start
        month += step
        if month > 12:
            year, month = year + 1, month - 12
    return None


def round_threshold(survey_round: SurveyRound, setting: int) -> int:
    """The fewest answers a round's results are shown with: what its invitations promised, or
    the setting now if an admin has raised it since. Lowering `config anonymity` later never
    uncovers a round its respondents were told would stay hidden with so few answers."""
    return max(setting, survey_round.anonymity_threshold or 0)


def results_of(
    *,
    round_id: int,
    partner_name: str,
    started_at: datetime,
    closed_at: datetime | None,
    invited: int,
    respondents: int,
    threshold: int,
    questions: Sequence[str],
    tallies: dict[int, store.QuestionTally],
    previous: dict[str, float],
    comments: Sequence[str],
    tz: str | None = None,
) -> RoundResults:
    """A round's results under the anonymity rule: nothing below `threshold` respondents (per
    question as well), comments only when the round as a whole has enough."""
    enough = respondents >= threshold
    shown: list[QuestionResult] = []
    for number, text in enumerate(questions, start=1):
        tally = tallies.get(number, store.QuestionTally(count=0, total=0))
        average = tally.total / tally.count if enough and tally.count >= threshold else None
        before = previous.get(text)
        # Unrounded, so that what is computed from them is exact; texts round for display.
        change = None if average is None or before is None else average - before
        shown.append(
            QuestionResult(
                number=number,
                text=text,
                answers=tally.count if enough else 0,
                average=average,
                change=change,
            )
        )
    return RoundResults(
        round_id=round_id,
        partner_name=partner_name,
        started_at=started_at,
        closed_at=closed_at,
        invited=invited,
        respondents=respondents,
        threshold=threshold,
        questions=tuple(shown),
        comments=tuple(comments) if enough else (),
        tz=tz,
    )


# --- The service --------------------------------------------------------------------------------


class Surveys:
    """Pulse surveys of every workspace, over one database."""

    def __init__(
        self,
        *,
        engine: Engine,
        clock: Clock,
        names: PartnerNames,
        messages: FeedbackMessages,
        default_channel: str | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.messages = messages
        self.default_channel = default_channel
        self.registry = Registry(engine=engine, clock=clock, names=names)

    # --- `survey NAME [now]` ---------------------------------------------------------------------

    def schedule(self, *, team_id: str, user_id: str, partner: str) -> Schedule:
        """The partner's pulse schedule, its round in progress and its last results."""
        facts = self.registry.profile(team_id=team_id, partner=partner).facts
        with Session(self.engine) as session:
            return self._schedule(session, facts, team_id=team_id, user_id=user_id)

    def set_cadence(self, *, actor: Actor, partner: str, cadence: Cadence | None) -> Schedule:
        """Give the partner its own pulse cadence, or (None) let it follow the workspace's.

        The owner, the deputy or an admin may, as for any change to a partner."""
        facts = self.registry.profile(team_id=actor.team_id, partner=partner).facts
        with Session(self.engine) as session:
            require_editor(
                session, actor, facts, now=self.clock.now(), refusal=NotAllowedToSetCadence(facts)
            )
            partner_store.set_pulse_cadence(
                session=session,
                team_id=actor.team_id,
                partner_id=facts.id,
                cadence=None if cadence is None else cadence.value,
            )
            session.commit()
            return self._schedule(session, facts, team_id=actor.team_id, user_id=actor.user_id)

    def start_now(self, *, actor: Actor, partner: str, request_key: str) -> Started:
        """Start a round of the partner at once (its owner or an admin may; not once the
        partnership has ended)."""
        facts = self.registry.profile(team_id=actor.team_id, partner=partner).facts
        now = self.clock.now()
        with Session(self.engine) as session:
            self._require(
                session, actor, allowed={facts.owner_id}, refusal=NotAllowedToStart(facts)
            )
            if facts.status == PartnerStatus.ENDED:
                raise PartnerEnded(facts)
            tz = tz_of(session, actor.team_id, actor.user_id)
            running = store.open_round(session=session, team_id=actor.team_id, partner_id=facts.id)
            if running is not None:
                raise RoundInProgress(facts, self._open(session, running), tz)
            found = partner_people(session, team_id=actor.team_id, partner_id=facts.id)
            assert found is not None
            try:
                started = self._start(
                    session,
                    team_id=actor.team_id,
                    partner=found,
                    round_key=f"p{facts.id}:now:{request_key}"[:120],
                    started_by=actor.user_id,
                    now=now,
                )
            except TooFewToAsk as too_few:
                too_few.facts = facts
                too_few.back_at = _back_at(session, actor.team_id, too_few.past_close, now)
                raise
            if started is None:
                # The very same command again (Slack resent it): the round it started stands.
                running = store.open_round(
                    session=session, team_id=actor.team_id, partner_id=facts.id
                )
                assert running is not None
                raise RoundInProgress(facts, self._open(session, running), tz)
            asked, away, closes_at = started
            if not asked:
                session.rollback()
                raise NobodyToAsk(facts, away)
            back_at = _back_at(session, actor.team_id, away, now)
            session.commit()
        return Started(
            partner=facts,
            asked=asked,
            away=away,
            closes_at=closes_at,
            tz=tz,
            back_at=back_at,
        )

    # --- Answers ---------------------------------------------------------------------------------

    def react(
        self,
        *,
        team_id: str,
        event_id: str | None,
        user_id: str,
        channel: str,
        ts: str,
        emoji: str,
        added: bool,
        event_ts: str,
        still_there: Sequence[str] = (),
    ) -> ReactionShown | OffStatement | None:
        """Apply a `reaction_added` / `reaction_removed` event; what to show, if anything changed.

        Removing the reaction that is the answer falls back to a number reaction of the same
        person still on the message (`still_there`, the emoji names Slack lists for them there;
        the last of them if several), and withdraws the answer only when none is left. One left
        there when they clicked *Withdraw* is no fallback: a Withdraw sticks until they react
        with that number again.

        Ignored: other emoji, other messages, other people's reactions, Slack's retries of an
        event already applied, and events older than the answer they would change. A reaction
        added once the round has closed changes nothing either, but comes back `closed`; one
        added to the introduction or the reminder of their open survey comes back as
        `OffStatement`: it looks like an answer, and is none.
        """
        score = score_of_emoji(emoji)
        if score is None:
            return None
        now = self.clock.now()
        with Session(self.engine) as session:
            found = _message_at(session, team_id, channel, ts)
            if found is None or store.statement_number(found.message.question) == 0:
                off = None
                if added and channel.startswith("D"):  # survey messages are DMs
                    off = self._off_statement(session, found, team_id, user_id, channel, ts)
                if off is not None and not first_delivery(
                    session, team_id=team_id, event_id=event_id, now=now
                ):
                    off = None
                session.commit()
                return off
            if found.delivery.user_id != user_id:
                return None
            if found.round.closed_at is not None:
                if not added or not first_delivery(
                    session, team_id=team_id, event_id=event_id, now=now
                ):
                    return None
                card = self._card(session, found)
                session.commit()
                return ReactionShown(channel=channel, ts=ts, card=card, closed=True)
            if not first_delivery(session, team_id=team_id, event_id=event_id, now=now):
                return None
            if added:
                changed = self._score(session, found, score, event_ts, reacted=True)
            else:
                void = self._void(session, found)
                left = [
                    s
                    for s in map(score_of_emoji, still_there)
                    if s is not None and s != score and str(s) not in void
                ]
                fallback = left[-1] if left else None
                changed = self._score(session, found, fallback, event_ts, only_if=score)
            if changed:
                self._answered(session, found)
            card = self._card(session, found)
            session.commit()
        if not changed:
            return None
        return ReactionShown(channel=channel, ts=ts, card=card)

    @staticmethod
    def _off_statement(
        session: Session,
        found: store.QuestionMessage | None,
        team_id: str,
        user_id: str,
        channel: str,
        ts: str,
    ) -> OffStatement | None:
        """The person's open survey whose introduction (`found`) or reminder Slack shows at
        (`channel`, `ts`), as `OffStatement`; None for any other message."""
        if found is not None:
            survey_round = found.round if found.delivery.user_id == user_id else None
            delivery = found.delivery
        else:
            survey_round = _round_sent_at(session, team_id, user_id, channel, ts)
            delivery = None
        if survey_round is None or survey_round.closed_at is not None:
            return None
        if delivery is None:
            mine = store.deliveries_to(
                session=session, team_id=team_id, round_id=survey_round.id or 0, user_ids=[user_id]
            )
            if not mine:
                return None
            delivery = mine[0]
        return OffStatement(
            channel=channel,
            partner_name=_partner_name(session, team_id, survey_round.partner_id),
            statements=len(_asked(session, delivery)),
        )

    def click(
        self, *, team_id: str, user_id: str, message_id: int, score: int | None, action_ts: str
    ) -> QuestionCard:
        """A click on a score button, or (None) on *Withdraw*: the question as it now stands for
        its recipient. Withdrawing takes back the answer however it was given; a number
        reaction left on the message then counts for nothing until it is removed and added again
        (nor as the answer that stands when another reaction is removed).

        Raises NotYours, OfAnotherWorkspace, or RoundClosed (with the card to show) when the
        round is over.
        """
        if score is not None and score not in SCORES:
            raise ValueError(f"no score {score}")
        with Session(self.engine) as session:
            found = store.message_by_id(session=session, team_id=team_id, message_id=message_id)
            if found is None:
                raise OfAnotherWorkspace()
            if store.statement_number(found.message.question) == 0:
                raise RoundClosed()
            if found.delivery.user_id != user_id:
                raise NotYours()
            if found.round.closed_at is not None:
                raise RoundClosed(self._card(session, found))
            if self._score(session, found, score, action_ts, withdraw=score is None):
                self._answered(session, found)
            card = self._card(session, found)
            session.commit()
        return card

    def thread_at(
        self, *, team_id: str, user_id: str, channel: str, thread_ts: str, event_id: str | None
    ) -> SurveyThread | None:
        """The survey of the message Liaison sent `user_id` at (`channel`, `thread_ts`), its
        introduction or a statement, for a reply typed in its thread; None when that message is
        none of their survey's."""
        now = self.clock.now()
        with Session(self.engine) as session:
            found = _message_at(session, team_id, channel, thread_ts)
            if found is not None:
                mine = found.delivery.user_id == user_id
                survey_round = found.round if mine else None
            else:  # its invitation or reminder, which no reaction needs found: by their keys
                survey_round = _round_sent_at(session, team_id, user_id, channel, thread_ts)
            if survey_round is None:
                session.commit()
                return None
            name = _partner_name(session, team_id, survey_round.partner_id)
            first = first_delivery(session, team_id=team_id, event_id=event_id, now=now)
            session.commit()  # the event's receipt: a retry is not answered twice
            return SurveyThread(
                partner_name=name, closed=survey_round.closed_at is not None, repeated=not first
            )

    def comment_form(self, *, team_id: str, user_id: str, delivery_id: int) -> CommentForm:
        """What the comment form shows (the comment given so far)."""
        with Session(self.engine) as session:
            delivery, survey_round = self._own_open_delivery(session, team_id, user_id, delivery_id)
            assert delivery.respondent is not None
            comment = store.comment_of(
                session=session,
                team_id=team_id,
                round_id=survey_round.id or 0,
                respondent=delivery.respondent,
            )
            name = _partner_name(session, team_id, survey_round.partner_id)
        return CommentForm(
            delivery_id=delivery_id,
            partner_name=name,
            text=None if comment is None else comment.text,
        )

    def save_comment(
        self, *, team_id: str, user_id: str, delivery_id: int, text: str
    ) -> CommentSaved:
        """Keep (or, when empty, remove) the person's comment, and say which. Raises
        CommentTooLong, nothing kept, for one over `MAX_COMMENT`: never cut short unsaid."""
        cleaned = text.strip() or None
        if cleaned is not None and len(cleaned) > MAX_COMMENT:
            raise CommentTooLong(len(cleaned))
        with Session(self.engine) as session:
            delivery, survey_round = self._own_open_delivery(session, team_id, user_id, delivery_id)
            assert delivery.respondent is not None
            store.save_comment(
                session=session,
                team_id=team_id,
                round_id=survey_round.id or 0,
                respondent=delivery.respondent,
                text=cleaned,
            )
            name = _partner_name(session, team_id, survey_round.partner_id)
            session.commit()
        return CommentSaved(partner_name=name, kept=cleaned is not None)

    # --- Results ---------------------------------------------------------------------------------

    def partner_feedback(self, *, team_id: str, user_id: str, partner_id: int) -> PartnerFeedback:
        """The partner's last pulse results and its check-ins of the last 90 days (aggregates)."""
        now = self.clock.now()
        with Session(self.engine) as session:
            settings = settings_of(session, team_id=team_id)
            name = _partner_name(session, team_id, partner_id)
            last = store.closed_rounds(
                session=session, team_id=team_id, partner_id=partner_id, limit=1
            )
            running = store.open_round(session=session, team_id=team_id, partner_id=partner_id)
            return PartnerFeedback(
                partner_name=name,
                pulse=self._results(session, last[0], settings) if last else None,
                open_round=None if running is None else self._open(session, running),
                checkins=store.checkin_answer_counts(
                    session=session,
                    team_id=team_id,
                    partner_id=partner_id,
                    since=now - AUDIENCE_LOOKBACK,
                ),
                tz=tz_of(session, team_id, user_id),
            )

    # --- Planners --------------------------------------------------------------------------------

    def start_scheduled(self, now: datetime) -> None:
        """Start the rounds the workspaces' cadences call for (idempotent per period)."""
        for session, team_id, settings in each_workspace(
            self.engine, store.teams_with_active_partners
        ):
            for partner in store.active_partners(session=session, team_id=team_id):
                assert partner.id is not None
                cadence = effective_cadence(partner.pulse_cadence, settings.cadence)
                due = scheduled_start(now, replace(settings, cadence=cadence))
                if due is None:
                    continue
                start, period = due
                if start < partner.created_at:
                    # Due before the partner was added: no round of it was missed, nor is one
                    # caught up (QA: Oxfam, added on Mon 7 Dec, had its owner told at once that
                    # its round "scheduled for Tue 1 Dec did not start").
                    continue
                latest = store.latest_round_start(
                    session=session, team_id=team_id, partner_id=partner.id
                )
                if latest is not None and latest >= start - REPLACES_SCHEDULED[cadence]:
                    continue
                found = partner_people(session, team_id=team_id, partner_id=partner.id)
                assert found is not None
                try:
                    started = self._start(
                        session,
                        team_id=team_id,
                        partner=found,
                        round_key=f"p{partner.id}:{period}",
                        started_by=None,
                        now=now,
                        opening=start,
                    )
                except TooFewToAsk as too_few:
                    # Checked again on the planner's next runs: people may join the team.
                    logger.debug("pulse round of partner %d: too few to ask", partner.id)
                    self._tell_skipped(
                        session,
                        team_id=team_id,
                        partner=found,
                        skipped=SkippedRound(
                            partner_name=found.name,
                            scheduled_at=start,
                            retry_until=start + CATCH_UP,
                            too_few=replace(
                                too_few.found,
                                back_at=_back_at(session, team_id, too_few.past_close, now),
                            ),
                            tz=None,
                        ),
                        key=_skipped_key(partner.id, period),
                        now=now,
                    )
                    continue
                if started is not None and not started[0]:
                    logger.info("pulse round of partner %d: nobody to ask", partner.id)

    def remind(self, now: datetime) -> None:
        """From halfway through a round on, remind each person who has not answered every
        statement, once their invitation has had a working day of theirs to be seen (`_remind`)."""
        for session, team_id, settings in each_workspace(self.engine, store.teams_with_open_rounds):
            for survey_round in store.open_rounds(session=session, team_id=team_id):
                if survey_round.reminded_at is None and survey_round.remind_at <= now:
                    if survey_round.closes_at > now:
                        self._remind(session, survey_round, settings, now)

    def close_due(self, now: datetime) -> None:
        """Close the rounds whose time is up and report their results."""
        for session, team_id, settings in each_workspace(self.engine, store.teams_with_open_rounds):
            for survey_round in store.open_rounds(session=session, team_id=team_id):
                if survey_round.closes_at > now:
                    continue
                assert survey_round.id is not None
                if not store.close_round(
                    session=session, team_id=team_id, round_id=survey_round.id, at=now
                ):
                    continue
                session.refresh(survey_round)
                self._report(session, survey_round, settings, now)
                logger.info(
                    "pulse round %d closed: %d of %d answered",
                    survey_round.id,
                    survey_round.respondents or 0,
                    survey_round.invited,
                )

    def add_reactions(self, client: WebClient, now: datetime) -> None:
        """Put :one:…:five: under every question message Slack has accepted since last time."""
        for session, team_id, _settings in each_workspace(
            self.engine, store.teams_with_unready_messages
        ):
            store.record_sent_messages(session=session, team_id=team_id)
            given_up = store.unsent_messages_given_up(session=session, team_id=team_id)
            store.mark_reactions_added(
                session=session,
                team_id=team_id,
                message_ids=[message.id for message in given_up if message.id],
            )
            session.commit()
            for message in store.messages_awaiting_reactions(session=session, team_id=team_id):
                assert message.id is not None and message.channel and message.ts
                if not _react_all(client, message.channel, message.ts, message_id=message.id):
                    break  # Slack is unwell: the rest waits for the next run
                store.mark_reactions_added(
                    session=session, team_id=team_id, message_ids=[message.id]
                )
                session.commit()

    # --- A partner's lifecycle -------------------------------------------------------------------

    def reword_waiting_about(self, session: Session, *, team_id: str, partner_id: int) -> None:
        """The partner goes by another name now (renamed, or a duplicate merged into it), in
        that transaction: the invitations, statements and reminders of its running round that
        no dispatcher has taken yet are worded again, under the name it goes by now (they were
        worded when queued). Those sent are worded anew when next clicked or reacted to."""
        settings = settings_of(session, team_id=team_id)
        name = _partner_name(session, team_id, partner_id)
        for survey_round in store.open_rounds(session=session, team_id=team_id):
            if survey_round.partner_id != partner_id:
                continue
            assert survey_round.id is not None
            for delivery in store.deliveries_of(
                session=session, team_id=team_id, round_id=survey_round.id
            ):
                self._reword_delivery(session, survey_round, delivery, settings, name=name)

    def close_for_ended(
        self, session: Session, *, team_id: str, partner_id: int, now: datetime
    ) -> bool:
        """The partner was just ended, in that transaction: its running round closes at once
        (nobody follows an ended partnership): its messages not sent yet are withdrawn, and no
        results are reported. Cut short, it counts nowhere: not as the partner's last results,
        nor in its health or the digest (`store.RAN_ITS_COURSE`). True when a round was
        running."""
        running = store.open_round(session=session, team_id=team_id, partner_id=partner_id)
        if running is None:
            return False
        assert running.id is not None
        for delivery in store.deliveries_of(session=session, team_id=team_id, round_id=running.id):
            withdraw(session, team_id=team_id, key_prefix=_delivery_prefix(delivery.id))
            self._show_ended(session, delivery, now)
        return store.close_round(session=session, team_id=team_id, round_id=running.id, at=now)

    def _show_ended(self, session: Session, delivery: SurveyDelivery, now: datetime) -> None:
        """What of the delivery went out (or is going) says in place that the round closed as
        its partnership ended, without buttons: its invitation and reminder no longer say it is
        open until its end, nor its statements take answers (a click would say only that the
        survey closed). Read before the round closes, which cuts the person's link to their
        answers (a statement shows the answer given)."""
        assert delivery.id is not None
        team_id = delivery.team_id
        statements = [
            message
            for message in store.messages_of(
                session=session, team_id=team_id, delivery_id=delivery.id
            )
            if store.statement_number(message.question)
        ]
        notes = (_invitation_key(delivery.id), _reminder_key(delivery.id))
        queued = store.outbox_messages(
            session=session,
            team_id=team_id,
            dedupe_keys=[*notes, *(message.dedupe_key for message in statements)],
        )

        def reached(key: str) -> bool:
            row = queued.get(key)  # one withdrawn unsent, or that failed, never reached them
            return row is not None and row.status in (OutboxStatus.SENT, OutboxStatus.SENDING)

        def edit(key: str, shown: Rendered) -> None:
            queue_dm(
                session,
                team_id=team_id,
                user_id=delivery.user_id,
                kind=CLOSED_IN_PLACE,
                message=shown,
                dedupe_key=f"{key}:ended",
                due_at=now,
                edit_of=key,
            )

        survey_round = store.get_round(session=session, team_id=team_id, round_id=delivery.round_id)
        assert survey_round is not None
        ended = self.messages.survey_ended(_partner_name(session, team_id, survey_round.partner_id))
        for key in notes:
            if reached(key):
                edit(key, ended)
        for message in statements:
            found = store.message_with_key(
                session=session, team_id=team_id, dedupe_key=message.dedupe_key
            )
            if found is not None and reached(message.dedupe_key):
                card = replace(self._card(session, found), closed=True, ended=True)
                edit(message.dedupe_key, self.messages.survey_question(card))

    def fold_rounds(self, session: Session, *, team_id: str, partner_id: int) -> bool:
        """A duplicate was just merged into the partner, in that transaction, and both had a
        round running: the one that started first goes on alone, as `survey NAME now` refuses
        a second round while one runs, and takes in the other. Someone asked only in the other
        keeps its messages and answers, now counted in the one going on; someone asked in both
        keeps their answers there, gains the other's to the statements they had not answered
        yet, and gets nothing more of the other. The other round is then gone: it reports no
        results. True when rounds were folded.

        An answer is to a statement as it was worded: the other round's statements that the
        one going on does not ask (one started before the statements were reworded) are added
        to its own, after them, so that every answer to them counts in its results, each
        statement with its own average under the anonymity rule; nobody is asked more for it
        (`_asked`)."""
        running = sorted(
            (
                r
                for r in store.open_rounds(session=session, team_id=team_id)
                if r.partner_id == partner_id
            ),
            key=lambda r: (r.started_at, r.id or 0),
        )
        if len(running) < 2:
            return False
        kept, *others = running
        assert kept.id is not None
        joined = False
        asked = {
            delivery.user_id: delivery
            for delivery in store.deliveries_of(session=session, team_id=team_id, round_id=kept.id)
        }
        for other in others:
            assert other.id is not None
            numbers = self._take_statements(session, kept, other)
            for delivery in store.deliveries_of(
                session=session, team_id=team_id, round_id=other.id
            ):
                into = asked.get(delivery.user_id)
                target = (into if into is not None else delivery).respondent
                if delivery.respondent and target:
                    store.move_answers(
                        session=session,
                        team_id=team_id,
                        from_round=other.id,
                        respondent=delivery.respondent,
                        to_round=kept.id,
                        to_respondent=target,
                        numbers=numbers,
                    )
                if into is None:
                    store.move_delivery(
                        session=session, delivery=delivery, round_id=kept.id, numbers=numbers
                    )
                    self._lapse_with(session, kept, delivery)
                    asked[delivery.user_id] = delivery
                    joined = True
                else:
                    self._keep_copies(session, delivery, into, numbers)
            store.delete_round(session=session, team_id=team_id, round_id=other.id)
        if joined and kept.reminded_at is not None:
            # Its reminders went before these people joined: the next run reminds them too,
            # once their invitation has had a working day to be seen and if the round is still
            # open then (`_remind`); else their invitation says when it closes.
            store.reopen_reminders(session=session, team_id=team_id, round_id=kept.id)
        store.set_invited(session=session, team_id=team_id, round_id=kept.id)
        return True

    def _keep_copies(
        self,
        session: Session,
        delivery: SurveyDelivery,
        into: SurveyDelivery,
        numbers: dict[int, int],
    ) -> None:
        """`delivery`, of a round being folded, asked someone the round going on asks too
        (`into`): what it had still to send is withdrawn, and what it sent stays theirs there,
        a copy of the same statement (`store.keep_as_copy`), so that a click or a reaction on
        either message counts in the round going on, as does *Add a comment* under its
        invitation; a statement only it asked them is asked by it there."""
        team_id = delivery.team_id
        prefix = _delivery_prefix(delivery.id)
        unsent = set(
            outbox_store.unsent_keys_starting(session=session, team_id=team_id, prefix=prefix)
        )
        withdraw(session, team_id=team_id, key_prefix=prefix)
        assert into.id is not None
        for message in store.messages_of(
            session=session, team_id=team_id, delivery_id=delivery.id or 0
        ):
            if message.dedupe_key in unsent:
                continue
            number = store.statement_number(message.question)
            store.keep_as_copy(
                session=session,
                message=message,
                delivery_id=into.id,
                statement=numbers.get(number, number),
            )

    def _take_statements(
        self, session: Session, kept: SurveyRound, other: SurveyRound
    ) -> dict[int, int]:
        """Where each statement of `other` (by number) is in `kept`, which it is folded into:
        at the same statement, or added after `kept`'s own."""
        statements = list(kept.questions or QUESTIONS)
        numbers: dict[int, int] = {}
        for number, text in enumerate(other.questions or QUESTIONS, start=1):
            if text not in statements:
                statements.append(text)
            numbers[number] = statements.index(text) + 1
        if len(statements) > len(kept.questions or QUESTIONS):
            store.set_statements(session=session, survey_round=kept, statements=statements)
        return numbers

    def _lapse_with(
        self, session: Session, survey_round: SurveyRound, delivery: SurveyDelivery
    ) -> None:
        """A delivery just moved into `survey_round`: what it has still to send lapses when
        that round closes (queued for the round it left, it would go after this one closed,
        or lapse before it did)."""
        team_id = survey_round.team_id
        for key in outbox_store.unsent_keys_starting(
            session=session, team_id=team_id, prefix=_delivery_prefix(delivery.id)
        ):
            queued = store.sent_message(session=session, team_id=team_id, dedupe_key=key)
            if queued is not None and queued.id is not None:
                outbox_store.set_expiry(
                    session=session,
                    team_id=team_id,
                    message_id=queued.id,
                    expires_at=survey_round.closes_at,
                )

    def _reword_delivery(
        self,
        session: Session,
        survey_round: SurveyRound,
        delivery: SurveyDelivery,
        settings: FeedbackSettings,
        *,
        name: str,
    ) -> None:
        team_id = survey_round.team_id
        assert delivery.id is not None
        unsent = set(
            outbox_store.unsent_keys_starting(
                session=session, team_id=team_id, prefix=_delivery_prefix(delivery.id)
            )
        )
        if not unsent:
            return
        reworded: dict[str, Rendered] = {}
        invitation = _invitation(session, survey_round, delivery, settings, name=name)
        reworded[_invitation_key(delivery.id)] = self.messages.survey_invitation(invitation)
        if _reminder_key(delivery.id) in unsent:
            self._settle_reminder(session, survey_round, delivery, invitation)
        for message in store.messages_of(session=session, team_id=team_id, delivery_id=delivery.id):
            if message.question and message.dedupe_key in unsent and message.id is not None:
                found = store.message_by_id(session=session, team_id=team_id, message_id=message.id)
                if found is not None:
                    card = self._card(session, found)
                    reworded[message.dedupe_key] = self.messages.survey_question(card)
        for key, rendered in reworded.items():
            if key in unsent:
                outbox_store.rewrite_unsent(
                    session=session,
                    team_id=team_id,
                    dedupe_key=key,
                    text=rendered.text,
                    blocks=rendered.blocks,
                )

    def _settle_reminder(
        self,
        session: Session,
        survey_round: SurveyRound,
        delivery: SurveyDelivery,
        invitation: SurveyInvitation,
    ) -> None:
        """The delivery's reminder, while it waits to go (for the person's working hours, or
        held while they are away), says what is open when it goes, not when it was queued: how
        many statements are still unanswered, or nothing at all, withdrawn, once every one is
        answered. `invitation`: what the delivery's invitation says now."""
        assert survey_round.id is not None and delivery.id is not None
        team_id = survey_round.team_id
        key = _reminder_key(delivery.id)
        still_open = store.open_statements(
            session=session, team_id=team_id, round_id=survey_round.id, delivery_id=delivery.id
        ).get(delivery.id, 0)
        if not still_open:
            outbox_store.cancel_unsent(
                session=session, team_id=team_id, dedupe_key=key, reason=ALL_ANSWERED
            )
            return
        reminder = self.messages.survey_reminder(replace(invitation, unanswered=still_open))
        outbox_store.rewrite_unsent(
            session=session,
            team_id=team_id,
            dedupe_key=key,
            text=reminder.text,
            blocks=reminder.blocks,
        )

    def _answered(self, session: Session, found: store.QuestionMessage) -> None:
        """An answer given, changed or taken back: the person's reminder, if it still waits to
        go, is brought up to date with it (`_settle_reminder`)."""
        survey_round, delivery = found.round, found.delivery
        waiting = store.sent_message(
            session=session,
            team_id=survey_round.team_id,
            dedupe_key=_reminder_key(delivery.id),
        )
        if waiting is not None and waiting.status == OutboxStatus.SENDING:
            # A dispatcher is sending it as the last answer comes: Slack may yet turn it away
            # for now (an outage, a rate limit), and it would go later all the same. The
            # round's reminders run again, to withdraw it should it come back (`_remind`).
            if not store.open_statements(
                session=session,
                team_id=survey_round.team_id,
                round_id=survey_round.id or 0,
                delivery_id=delivery.id,
            ):
                store.reopen_reminders(
                    session=session, team_id=survey_round.team_id, round_id=survey_round.id or 0
                )
            return
        if waiting is None or waiting.status != OutboxStatus.PENDING:
            return
        settings = settings_of(session, team_id=survey_round.team_id)
        name = _partner_name(session, survey_round.team_id, survey_round.partner_id)
        invitation = _invitation(session, survey_round, delivery, settings, name=name)
        self._settle_reminder(session, survey_round, delivery, invitation)

    # --- Internals -------------------------------------------------------------------------------

    def _tell_skipped(
        self,
        session: Session,
        *,
        team_id: str,
        partner: PartnerPeople,
        skipped: SkippedRound,
        key: str,
        now: datetime,
    ) -> None:
        """Tell the owner (the deputy, if it has none) once per period that its scheduled round
        did not start, in their working hours."""
        recipient = partner.owner_id or partner.deputy_id
        if recipient is None:
            return
        skipped = replace(skipped, tz=tz_of(session, team_id, recipient))
        queue_dm(
            session,
            team_id=team_id,
            user_id=recipient,
            kind="survey.skipped",
            message=self.messages.round_skipped(skipped),
            dedupe_key=key,
            due_at=now,
        )

    def _schedule(
        self, session: Session, facts: PartnerFacts, *, team_id: str, user_id: str
    ) -> Schedule:
        settings = settings_of(session, team_id=team_id)
        found = partner_store.get_partner(session=session, team_id=team_id, partner_id=facts.id)
        own = None if found is None else found.pulse_cadence
        cadence = effective_cadence(own, settings.cadence)
        running = store.open_round(session=session, team_id=team_id, partner_id=facts.id)
        last = store.closed_rounds(session=session, team_id=team_id, partner_id=facts.id, limit=1)
        next_round_at = (
            next_scheduled(self.clock.now(), replace(settings, cadence=cadence))
            if facts.status == PartnerStatus.ACTIVE
            else None
        )
        latest = store.latest_round_start(session=session, team_id=team_id, partner_id=facts.id)
        if (
            next_round_at is not None
            and latest is not None
            and latest >= next_round_at - REPLACES_SCHEDULED[cadence]
        ):
            # A round started this close before the scheduled one stands in for it
            # (`start_scheduled`): the next round people will see is the period's after.
            next_round_at = next_scheduled(next_round_at, replace(settings, cadence=cadence))
        too_few = None
        found_people = partner_people(session, team_id=team_id, partner_id=facts.id)
        if next_round_at is not None and found_people is not None:
            now = self.clock.now()
            audience, away = self._audience(session, team_id, found_people, now)
            closes_at = add_working_days(
                now, ROUND_WORKING_DAYS, tz=settings.timezone, hours=settings.hours
            )
            reachable = _reachable(session, team_id, audience, away, now=now, closes_at=closes_at)
            if 0 < len(reachable) < settings.anonymity_threshold:
                lapsing = tuple(user_id for user_id in away if user_id not in reachable)
                too_few = TooFew(
                    tuple(reachable),
                    settings.anonymity_threshold,
                    lapsing,
                    _back_at(session, team_id, lapsing, now),
                )
        return Schedule(
            partner=facts,
            cadence=cadence,
            own_cadence=own is not None,
            workspace_cadence=settings.cadence,
            next_round_at=next_round_at,
            open_round=None if running is None else self._open(session, running),
            last=self._results(session, last[0], settings) if last else None,
            tz=tz_of(session, team_id, user_id),
            too_few=too_few,
        )

    def _require(
        self, session: Session, actor: Actor, *, allowed: set[str | None], refusal: SurveyError
    ) -> None:
        """The caller is one of `allowed` or an admin (Slack may have to be asked which)."""
        if actor.user_id not in allowed:
            require_admin(session, actor, now=self.clock.now(), refusal=refusal)

    def _start(
        self,
        session: Session,
        *,
        team_id: str,
        partner: PartnerPeople,
        round_key: str,
        started_by: str | None,
        now: datetime,
        opening: datetime | None = None,
    ) -> tuple[tuple[str, ...], tuple[str, ...], datetime] | None:
        """Open a round and queue its messages; (asked, away, closes_at), or None when the round
        with `round_key` exists already. Raises TooFewToAsk, before anything is written, when
        some but fewer people than the anonymity threshold could be asked. `opening`: a
        scheduled round's start, the opening of the workspace's working day (`_queue_survey`)."""
        settings = settings_of(session, team_id=team_id)
        audience, away = self._audience(session, team_id, partner, now)
        closes_at = add_working_days(
            now, ROUND_WORKING_DAYS, tz=settings.timezone, hours=settings.hours
        )
        reachable = _reachable(session, team_id, audience, away, now=now, closes_at=closes_at)
        if 0 < len(reachable) < settings.anonymity_threshold:
            raise TooFewToAsk(reachable, away, settings.anonymity_threshold)
        round_id = store.insert_round(
            session=session,
            team_id=team_id,
            partner_id=partner.id,
            round_key=round_key,
            started_by=started_by,
            questions=QUESTIONS,
            started_at=now,
            remind_at=add_working_days(
                now, REMINDER_WORKING_DAYS, tz=settings.timezone, hours=settings.hours
            ),
            closes_at=closes_at,
            anonymity_threshold=settings.anonymity_threshold,
        )
        if round_id is None:
            return None
        # A skipped round's note still waiting (its owner away, or off duty) would say a round
        # did not start that has now started.
        withdraw(session, team_id=team_id, key_prefix=_skipped_key(partner.id, ""))
        for user_id, reason in audience:
            delivery_id = store.insert_delivery(
                session=session,
                team_id=team_id,
                round_id=round_id,
                user_id=user_id,
                reason=reason,
                respondent=secrets.token_hex(16),
                now=now,
            )
            assert delivery_id is not None
            self._queue_survey(
                session,
                team_id=team_id,
                delivery_id=delivery_id,
                user_id=user_id,
                invitation=SurveyInvitation(
                    delivery_id=delivery_id,
                    partner_name=partner.name,
                    reason=reason,
                    questions=len(QUESTIONS),
                    closes_at=closes_at,
                    tz=tz_of(session, team_id, user_id),
                    threshold=settings.anonymity_threshold,
                ),
                now=now,
                opening=opening,
            )
        store.set_invited(session=session, team_id=team_id, round_id=round_id)
        logger.info(
            "pulse round %d of partner %d started: %d asked, %d away",
            round_id,
            partner.id,
            len(audience),
            len(away),
        )
        return tuple(user for user, _ in audience), tuple(away), closes_at

    def _audience(
        self, session: Session, team_id: str, partner: PartnerPeople, now: datetime
    ) -> tuple[list[tuple[str, str]], list[str]]:
        """Who is asked (and why), and those of them away now: they are asked too, and the
        outbox holds their questions until they are back (or drops them when the round closes
        first), as it does every message to someone away."""
        reasons: dict[str, str] = {}
        for user_id, reason in (
            (partner.owner_id, Reason.OWNER),
            (partner.deputy_id, Reason.DEPUTY),
            *((member, Reason.TEAM) for member in partner.members),
        ):
            if user_id:
                reasons.setdefault(user_id, reason)
        for user_id in store.recent_colleagues(
            session=session,
            team_id=team_id,
            partner_id=partner.id,
            since=now - AUDIENCE_LOOKBACK,
            until=now,
        ):
            reasons.setdefault(user_id, Reason.CONTACT)
        profiles = get_profiles(session=session, team_id=team_id, user_ids=reasons, external=True)
        # Deactivated, or of another organisation (taken for a colleague before Slack said so).
        gone = {user for user, p in profiles.items() if p.is_deleted or p.external}
        absent = _away_when_reached(session, team_id, reasons, now)
        asked = [(u, r) for u, r in reasons.items() if u not in gone]
        return asked, [user for user, _ in asked if user in absent]

    def _queue_survey(
        self,
        session: Session,
        *,
        team_id: str,
        delivery_id: int,
        user_id: str,
        invitation: SurveyInvitation,
        now: datetime,
        opening: datetime | None,
    ) -> None:
        """The invitation and one message per question, all in the person's first working
        moment: one slot for all of them keeps them in order. A scheduled round's, started
        at the `opening` of the workspace's working day, are spread over its first minutes for
        those whose day it opens too, by person (`bot.delivery.working_hours`): the planner
        starts every partner's round in the same minute."""
        schedule = schedule_of(session, team_id=team_id, user_id=user_id)
        slot = schedule.first_slot(now, key=user_id)
        if opening is not None:
            slot = max(slot, schedule.first_slot(opening, key=user_id, at_opening=True))
        queue = partial(
            queue_dm,
            session,
            team_id=team_id,
            user_id=user_id,
            due_at=slot,
            expires_at=invitation.closes_at,
        )
        key = _invitation_key(delivery_id)
        queue(
            kind=INVITATION,
            message=self.messages.survey_invitation(invitation),
            dedupe_key=key,
        )
        store.insert_message(
            session=session, team_id=team_id, delivery_id=delivery_id, question=0, dedupe_key=key
        )
        for number, text in enumerate(QUESTIONS, start=1):
            key = f"{_delivery_prefix(delivery_id)}{number}"
            message_id = store.insert_message(
                session=session,
                team_id=team_id,
                delivery_id=delivery_id,
                question=number,
                dedupe_key=key,
            )
            assert message_id is not None
            card = QuestionCard(
                message_id=message_id,
                partner_name=invitation.partner_name,
                number=number,
                of=len(QUESTIONS),
                text=text,
                score=None,
                closed=False,
            )
            queue(kind=QUESTION, message=self.messages.survey_question(card), dedupe_key=key)

    def _score(
        self,
        session: Session,
        found: store.QuestionMessage,
        score: int | None,
        event_ts: str,
        *,
        only_if: int | None = None,
        reacted: bool = False,
        withdraw: bool = False,
    ) -> bool:
        """Set (score) or withdraw (None) an answer, unless a newer action already changed it;
        with `only_if` (a removed reaction), only when that is the score given. True when the
        answer changed.

        A click on *Withdraw* voids every number reaction left on the message; one `reacted`
        after it counts again (`SurveyAnswer.void_reactions`)."""
        respondent = found.delivery.respondent
        round_id = found.round.id
        assert respondent is not None and round_id is not None
        current = store.score_of(
            session=session,
            team_id=found.round.team_id,
            round_id=round_id,
            respondent=respondent,
            question=store.statement_number(found.message.question),
        )
        if current is not None and ts_order(current.event_ts) > ts_order(event_ts):
            return False
        if only_if is not None and (current is None or current.score != only_if):
            return False
        was_void = (current.void_reactions if current is not None else None) or ""
        void = was_void
        if withdraw:
            void = "".join(map(str, SCORES))
        elif reacted and score is not None:
            void = void.replace(str(score), "")
        same = current is not None and current.score == score
        if same and void == was_void:
            return False
        store.save_score(
            session=session,
            team_id=found.round.team_id,
            round_id=round_id,
            respondent=respondent,
            question=store.statement_number(found.message.question),
            score=score,
            event_ts=event_ts,
            void_reactions=void,
        )
        return not same

    def _void(self, session: Session, found: store.QuestionMessage) -> str:
        """The number reactions (digits) on the message that count for nothing."""
        assert found.delivery.respondent is not None and found.round.id is not None
        answer = store.score_of(
            session=session,
            team_id=found.round.team_id,
            round_id=found.round.id,
            respondent=found.delivery.respondent,
            question=store.statement_number(found.message.question),
        )
        return (answer.void_reactions if answer is not None else None) or ""

    def _card(self, session: Session, found: store.QuestionMessage) -> QuestionCard:
        survey_round, message = found.round, found.message
        score, withdrawn = None, False
        if found.delivery.respondent is not None and survey_round.id is not None:
            answer = store.score_of(
                session=session,
                team_id=survey_round.team_id,
                round_id=survey_round.id,
                respondent=found.delivery.respondent,
                question=store.statement_number(message.question),
            )
            score = None if answer is None else answer.score
            withdrawn = answer is not None and score is None and bool(answer.void_reactions)
        assert message.id is not None
        questions = survey_round.questions or list(QUESTIONS)
        # Numbered as its recipient was asked them (one moved in from a folded round was
        # asked fewer, or in another order, than the round going on now holds).
        own = _asked(session, found.delivery)
        statement = store.statement_number(message.question)
        return QuestionCard(
            message_id=message.id,
            partner_name=_partner_name(session, survey_round.team_id, survey_round.partner_id),
            number=own.index(statement) + 1,
            of=len(own),
            text=questions[statement - 1],
            score=score,
            closed=survey_round.closed_at is not None,
            withdrawn=withdrawn,
            # Cut short by its partner's end (`close_for_ended`), it says so again when shown.
            ended=survey_round.closed_at is not None
            and survey_round.closed_at < survey_round.closes_at,
        )

    def _own_open_delivery(
        self, session: Session, team_id: str, user_id: str, delivery_id: int
    ) -> tuple[SurveyDelivery, SurveyRound]:
        delivery = store.get_delivery(session=session, team_id=team_id, delivery_id=delivery_id)
        if delivery is None:
            # Its round was folded into another by a merge: its invitation is a copy there.
            found = store.message_with_key(
                session=session, team_id=team_id, dedupe_key=_invitation_key(delivery_id)
            )
            if found is None:
                raise OfAnotherWorkspace()
            delivery = found.delivery
        if delivery.user_id != user_id:
            raise NotYours()
        survey_round = store.get_round(session=session, team_id=team_id, round_id=delivery.round_id)
        if survey_round is None or survey_round.closed_at is not None or not delivery.respondent:
            raise RoundClosed()
        return delivery, survey_round

    def _open(self, session: Session, survey_round: SurveyRound) -> OpenRound:
        assert survey_round.id is not None
        return OpenRound(
            started_at=survey_round.started_at,
            closes_at=survey_round.closes_at,
            invited=self._counted(session, survey_round),
            answered=store.respondent_count(
                session=session, team_id=survey_round.team_id, round_id=survey_round.id
            ),
        )

    def _counted(self, session: Session, survey_round: SurveyRound) -> int:
        """How many a running round counts as asked, as its close will: everyone its questions
        reached or may still reach. Left out: those whose invitation Slack refused (or that was
        withdrawn), and those it waits for who are away until after the round closes, one time
        away running on into the next (their questions lapse with it unless they come back
        sooner)."""
        assert survey_round.id is not None
        team_id = survey_round.team_id
        deliveries = store.deliveries_of(session=session, team_id=team_id, round_id=survey_round.id)
        answered = store.answered_respondents(
            session=session, team_id=team_id, round_id=survey_round.id
        )
        invitations = store.outbox_messages(
            session=session,
            team_id=team_id,
            dedupe_keys=[_invitation_key(delivery.id) for delivery in deliveries],
        )
        waiting: list[str] = []
        counted = 0
        for delivery in deliveries:
            invitation = invitations.get(_invitation_key(delivery.id))
            if delivery.respondent in answered or invitation is None:
                counted += 1
            elif invitation.status == OutboxStatus.SENT:
                counted += 1
            elif invitation.status not in (OutboxStatus.FAILED, OutboxStatus.CANCELLED):
                waiting.append(delivery.user_id)
        now = self.clock.now()
        return counted + sum(
            1
            for user_id in waiting
            if reached_back_at(session, team_id=team_id, user_id=user_id, now=now)
            < survey_round.closes_at
        )

    def _results(
        self, session: Session, survey_round: SurveyRound, settings: FeedbackSettings
    ) -> RoundResults:
        """A closed round's results, compared with the round before it."""
        assert survey_round.id is not None
        team_id = survey_round.team_id
        earlier = [
            r
            for r in store.closed_rounds(
                session=session, team_id=team_id, partner_id=survey_round.partner_id, limit=10
            )
            if r.id != survey_round.id and r.started_at < survey_round.started_at
        ]
        previous: dict[str, float] = {}
        for older in earlier:
            for result in self._bare_results(session, older, settings).questions:
                if result.average is not None:
                    previous.setdefault(result.text, result.average)
        return self._bare_results(session, survey_round, settings, previous=previous)

    def _bare_results(
        self,
        session: Session,
        survey_round: SurveyRound,
        settings: FeedbackSettings,
        *,
        previous: dict[str, float] | None = None,
    ) -> RoundResults:
        assert survey_round.id is not None
        team_id = survey_round.team_id
        return results_of(
            round_id=survey_round.id,
            partner_name=_partner_name(session, team_id, survey_round.partner_id),
            started_at=survey_round.started_at,
            closed_at=survey_round.closed_at,
            invited=survey_round.invited,
            respondents=survey_round.respondents or 0,
            threshold=round_threshold(survey_round, settings.anonymity_threshold),
            questions=survey_round.questions or QUESTIONS,
            tallies=store.question_tallies(
                session=session, team_id=team_id, round_id=survey_round.id
            ),
            previous=previous or {},
            comments=store.comments_of_round(
                session=session, team_id=team_id, round_id=survey_round.id
            ),
            tz=settings.timezone,
        )

    def _remind(
        self, session: Session, survey_round: SurveyRound, settings: FeedbackSettings, now: datetime
    ) -> None:
        """Queue the reminders now due: to each person with a statement still unanswered (the
        reminder says how many, when they answered some), whose invitation
        Slack accepted at least `REMINDER_AFTER_INVITATION_WORKING_DAYS` of their working days
        ago. An invitation still held (its person away) keeps the round's reminders open; one
        that never went (failed, or dropped) gets none, as does one whose reminder would come
        only once the round has closed. A reminder left unsent to someone who has scored every
        statement since is withdrawn. The round counts as reminded when nobody is left to wait
        for; idempotent (by the reminder's dedupe key) meanwhile."""
        assert survey_round.id is not None
        team_id = survey_round.team_id
        still_open = store.open_statements(
            session=session, team_id=team_id, round_id=survey_round.id
        )
        deliveries = store.deliveries_of(session=session, team_id=team_id, round_id=survey_round.id)
        queued = store.outbox_messages(
            session=session,
            team_id=team_id,
            dedupe_keys=[
                key
                for delivery in deliveries
                for key in (_invitation_key(delivery.id), _reminder_key(delivery.id))
            ],
        )
        name: str | None = None
        waiting = False
        still_asked = self._still_asked(session, survey_round, now)
        for delivery in deliveries:
            assert delivery.id is not None
            queued_reminder = queued.get(_reminder_key(delivery.id))
            if delivery.id not in still_open:
                # Every statement scored: a reminder a dispatcher was sending as the last
                # answer came, and put back unsent, is withdrawn (`_answered`).
                if queued_reminder is not None and queued_reminder.status == OutboxStatus.SENDING:
                    waiting = True
                elif queued_reminder is not None and queued_reminder.status == OutboxStatus.PENDING:
                    outbox_store.cancel_unsent(
                        session=session,
                        team_id=team_id,
                        dedupe_key=queued_reminder.dedupe_key,
                        reason=ALL_ANSWERED,
                    )
                continue
            if queued_reminder is not None or delivery.user_id not in still_asked:
                continue  # reminded already, or taken off the team since it was asked
            invitation = queued.get(_invitation_key(delivery.id))
            if invitation is None or invitation.status in (
                OutboxStatus.FAILED,
                OutboxStatus.CANCELLED,
            ):
                continue  # it never reached them: nothing to remind them of
            if invitation.status != OutboxStatus.SENT or invitation.sent_at is None:
                waiting = True  # held while they are away, or not sent yet
                continue
            seen = working_days_of(
                session,
                team_id=team_id,
                user_id=delivery.user_id,
                start=invitation.sent_at,
                days=REMINDER_AFTER_INVITATION_WORKING_DAYS,
            ).at
            if seen >= survey_round.closes_at:
                continue
            if now < seen:
                waiting = True
                continue
            if name is None:
                name = _partner_name(session, team_id, survey_round.partner_id)
            reminder = self.messages.survey_reminder(
                _invitation(
                    session,
                    survey_round,
                    delivery,
                    settings,
                    name=name,
                    unanswered=still_open[delivery.id],
                )
            )
            queue_dm(
                session,
                team_id=team_id,
                user_id=delivery.user_id,
                kind="survey.reminder",
                message=reminder,
                dedupe_key=_reminder_key(delivery.id),
                due_at=now,
                expires_at=survey_round.closes_at,
            )
        if not waiting:
            store.mark_round_reminded(
                session=session, team_id=team_id, round_id=survey_round.id, at=now
            )

    @staticmethod
    def _still_asked(session: Session, survey_round: SurveyRound, now: datetime) -> set[str]:
        """Who the round would ask now: the partner's owner, deputy and team, and those in touch
        with it lately, as when it started (`_audience`)."""
        partner = partner_people(
            session, team_id=survey_round.team_id, partner_id=survey_round.partner_id
        )
        if partner is None:
            return set()
        in_touch = store.recent_colleagues(
            session=session,
            team_id=survey_round.team_id,
            partner_id=partner.id,
            since=survey_round.started_at - AUDIENCE_LOOKBACK,
            until=now,
        )
        people = {partner.owner_id, partner.deputy_id, *partner.members, *in_touch}
        return {user_id for user_id in people if user_id}

    def _report(
        self, session: Session, survey_round: SurveyRound, settings: FeedbackSettings, now: datetime
    ) -> None:
        """The results to the partner's owner and to its coordination channel."""
        assert survey_round.id is not None
        team_id = survey_round.team_id
        partner = partner_people(session, team_id=team_id, partner_id=survey_round.partner_id)
        if partner is None:
            return
        shown = self.messages.round_report(self._results(session, survey_round, settings))
        key = f"survey-round:{survey_round.id}"
        if partner.owner_id:
            queue_dm(
                session,
                team_id=team_id,
                user_id=partner.owner_id,
                kind=RESULTS,
                message=shown,
                dedupe_key=f"{key}:owner",
                due_at=now,
            )
        channels = Channels.look_up(
            session, team_id=team_id, partner_id=partner.id, default=self.default_channel
        )
        found = route(session, team_id=team_id, channels=channels)
        if found.channel:
            blocks = list(shown.blocks)
            if found.passed_over:
                # Its readers learn why the results come here, and who can mend it.
                why = self.messages.posted_instead(
                    [
                        (refused, reason, channels.is_own(refused))
                        for refused, reason in found.passed_over
                    ],
                    partner=partner.name,
                )
                blocks += why.blocks
            enqueue(
                session,
                team_id=team_id,
                kind=RESULTS,
                recipient_channel=found.channel,
                text=shown.text,
                blocks=blocks,
                due_at=now,
                dedupe_key=f"{key}:channel",
                respect_working_hours=False,
            )


def reroute_refused_results(refused: ChannelRefused, *, messages: FeedbackMessages) -> bool:
    """A round's results Slack refused in a channel (the partner's own, or the coordination
    channel) go to the next one, saying why (`bot.services.channels.pass_on`)."""
    session, message = refused.session, refused.message
    found = _RESULTS_KEY.match(message.dedupe_key)
    if found is None:
        return False
    survey_round = store.get_round(
        session=session, team_id=message.team_id, round_id=int(found.group(1))
    )
    if survey_round is None:
        return False
    partner = _partner_name(session, message.team_id, survey_round.partner_id)

    def note(passed: Sequence[PassedOver]) -> list[dict[str, Any]]:
        return list(messages.posted_instead(passed, partner=partner).blocks)

    return pass_on(refused, partner_id=survey_round.partner_id, note=note)


def _react_all(client: WebClient, channel: str, ts: str, *, message_id: int) -> bool:
    """Add :one:…:five: to a message; False when Slack failed in a way worth retrying later."""
    for name in SCORE_EMOJI:
        try:
            client.reactions_add(channel=channel, timestamp=ts, name=name)
        except SlackApiError as error:
            code = error_code(error)
            if code == "already_reacted":
                continue
            if code in GONE:
                logger.warning(
                    "survey message %d cannot take reactions: %s", message_id, code, exc_info=True
                )
                return True
            logger.warning(
                "reactions.add failed on survey message %d: %s", message_id, code, exc_info=True
            )
            return False
        except OSError:
            logger.warning("reactions.add could not reach Slack", exc_info=True)
            return False
    return True


def _reachable(
    session: Session,
    team_id: str,
    audience: Sequence[tuple[str, str]],
    away: Sequence[str],
    *,
    now: datetime,
    closes_at: datetime,
) -> list[str]:
    """Those of a round's audience its questions can reach: someone away until after the round
    closes is never asked unless back sooner, so only the others can make up the answers its
    results need."""
    lapsing = {
        user_id
        for user_id, absence in _away_when_reached(session, team_id, away, now).items()
        if absence.ends_at >= closes_at
    }
    return [user for user, _ in audience if user not in lapsing]


def _back_at(
    session: Session, team_id: str, user_ids: Sequence[str], now: datetime
) -> dict[str, datetime]:
    """When each of `user_ids` away now is back: the end of their time away, in their zone."""
    return {
        user_id: absence.ends_at.astimezone(zone(tz_of(session, team_id, user_id)))
        for user_id, absence in _away_when_reached(session, team_id, user_ids, now).items()
    }


def _away_when_reached(
    session: Session, team_id: str, user_ids: Iterable[str], now: datetime
) -> dict[str, Absence]:
    """The time away of each of `user_ids` away when a question queued at `now` would reach
    them, ending where they are back from it all: pieces booked apart that follow on hold
    their questions through the last (QA: Dan, away to Friday and the fortnight after booked
    apart, was said to be "away through Fri 27 Nov" and counted by a round that lapsed for
    him)."""
    away: dict[str, Absence] = {}
    for user_id in user_ids:
        absence = absence_when_reached(session, team_id=team_id, user_id=user_id, now=now)
        if absence is not None:
            away[user_id] = absence
    return away


def _invitation(
    session: Session,
    survey_round: SurveyRound,
    delivery: SurveyDelivery,
    settings: FeedbackSettings,
    *,
    name: str,
    unanswered: int | None = None,
) -> SurveyInvitation:
    """What a delivery's invitation (and reminder) of a running round says, `name` being the
    partner's, and (a reminder's) how many of its statements are still unanswered."""
    assert delivery.id is not None
    return SurveyInvitation(
        delivery_id=delivery.id,
        partner_name=name,
        reason=delivery.reason,
        questions=len(_asked(session, delivery)) or len(survey_round.questions or QUESTIONS),
        closes_at=survey_round.closes_at,
        tz=tz_of(session, survey_round.team_id, delivery.user_id),
        threshold=round_threshold(survey_round, settings.anonymity_threshold),
        unanswered=unanswered,
    )


def _asked(session: Session, delivery: SurveyDelivery) -> list[int]:
    """The statements (their numbers in the round) a delivery asks, in the order asked."""
    messages = store.messages_of(
        session=session, team_id=delivery.team_id, delivery_id=delivery.id or 0
    )
    return [m.question for m in sorted(messages, key=lambda m: m.id or 0) if m.question > 0]


def _delivery_prefix(delivery_id: int | None) -> str:
    """The start of the outbox keys of all a delivery's messages (invitation, statements,
    reminder)."""
    return f"survey:{delivery_id}:"


def _invitation_key(delivery_id: int | None) -> str:
    """The outbox key of a delivery's invitation (its first message)."""
    return f"{_delivery_prefix(delivery_id)}0"


def _reminder_key(delivery_id: int | None) -> str:
    return f"{_delivery_prefix(delivery_id)}reminder"


def _partner_name(session: Session, team_id: str, partner_id: int) -> str:
    found = partner_people(session, team_id=team_id, partner_id=partner_id)
    return found.name if found is not None else "a former partner"


# --- Planners -----------------------------------------------------------------------------------


def service_for(runtime: Runtime, messages: FeedbackMessages) -> Surveys:
    """The survey service over a runtime's database and clock."""
    return Surveys(
        engine=runtime.engine,
        clock=runtime.clock,
        names=runtime.partner_names,
        messages=messages,
        default_channel=runtime.settings.default_channel,
    )


def register_planners(planners: PlannerRegistry, messages: FeedbackMessages) -> None:
    """The survey planners: start, remind, close, and add reactions to what was sent."""

    def start(runtime: Runtime, now: datetime) -> None:
        service_for(runtime, messages).start_scheduled(now)

    def remind(runtime: Runtime, now: datetime) -> None:
        service_for(runtime, messages).remind(now)

    def close(runtime: Runtime, now: datetime) -> None:
        service_for(runtime, messages).close_due(now)

    def react(runtime: Runtime, now: datetime) -> None:
        service_for(runtime, messages).add_reactions(delivery_client(runtime.settings), now)

    def forget(runtime: Runtime, now: datetime) -> None:
        forget_old_events(runtime.engine, now)

    every_minute = IntervalTrigger(minutes=1)
    planners.register_planner("pulse-surveys", start, every_minute)
    planners.register_planner("pulse-reminders", remind, every_minute)
    planners.register_planner("pulse-results", close, every_minute)
    planners.register_planner("pulse-reactions", react, IntervalTrigger(seconds=5))
    planners.register_planner("slack-event-receipts", forget, IntervalTrigger(hours=1))


def _skipped_key(partner_id: int, period: str) -> str:
    """The note that the partner's scheduled round of `period` did not start (all periods: "")."""
    return f"survey.skipped:p{partner_id}:{period}"


# --- What surveys run in other features' transactions --------------------------------------------
def close_round_of_ended(
    runtime: Runtime,
    session: Session,
    actor: Actor,
    facts: PartnerFacts,
    *,
    messages: FeedbackMessages,
    closed: str,
) -> list[str]:
    """In the transaction that ends a partner: its running pulse round closes without results,
    and what it had still to send is withdrawn; the answer says so (`closed`, the handlers'
    wording)."""
    was_closed = service_for(runtime, messages).close_for_ended(
        session, team_id=actor.team_id, partner_id=facts.id, now=runtime.clock.now()
    )
    return [closed] if was_closed else []


def _message_at(
    session: Session, team_id: str, channel: str, ts: str
) -> store.QuestionMessage | None:
    """The survey message Slack shows at (`channel`, `ts`); one the planner has not yet noted
    where the outbox sent it (a reaction or reply faster than it) is noted first."""
    found = store.message_at(session=session, team_id=team_id, channel=channel, ts=ts)
    if found is None and store.record_sent_messages(session=session, team_id=team_id):
        found = store.message_at(session=session, team_id=team_id, channel=channel, ts=ts)
    return found


# How many of a person's latest surveys a reply in a DM thread is looked for under.
_THREAD_ROUNDS = 5


def _round_sent_at(
    session: Session, team_id: str, user_id: str, channel: str, ts: str
) -> SurveyRound | None:
    """The round of the person's invitation or reminder Slack shows at (`channel`, `ts`),
    among their latest `_THREAD_ROUNDS` surveys."""
    for delivery, survey_round in store.latest_deliveries_to(
        session=session, team_id=team_id, user_id=user_id, limit=_THREAD_ROUNDS
    ):
        for key in (_invitation_key(delivery.id), _reminder_key(delivery.id)):
            sent = outbox_store.thread_parent(session=session, team_id=team_id, dedupe_key=key)
            if sent is not None and (sent.sent_channel, sent.sent_ts) == (channel, ts):
                return survey_round
    return None
