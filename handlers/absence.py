"""`/partner away FROM to UNTIL [deputy @u]` and `/partner back`."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from apscheduler.triggers.interval import IntervalTrigger
from slack_bolt import Respond
from slack_sdk import WebClient

from bot.dates import (
    AHEAD_EXAMPLES,
    WEEKDAYS,
    DateError,
    UnreadableDate,
    When,
    check_clock,
    check_span,
    parse_period,
    parse_when,
)
from bot.delivery.absence import (
    WELCOME_BACK,
    DeputyWords,
    Period,
    Retime,
    cancel_next_absence,
    come_back,
    cover_while_away,
    covering_while_away,
    drop_deputy,
    go_away,
    not_known_as_colleagues,
    released_reach_at,
    time_away_of,
    zone_of,
)
from bot.mrkdwn import slack_text
from bot.runtime import Runtime
from bot.services import checkins, people
from bot.services.people import PeopleCheck
from handlers import grammar
from handlers import touchpoints as touchpoint_handlers
from handlers.blocks import help as help_blocks
from handlers.blocks import section
from handlers.feedback import checkins_of
from handlers.invocation import Invocation, VerbHandler
from handlers.reply import Reply
from handlers.services import commitments_of
from handlers.texts import absence as texts
from handlers.verbs import VERBS_BY_NAME

if TYPE_CHECKING:
    from bot.scheduler import PlannerRegistry

logger = logging.getLogger(__name__)

MAX_ABSENCE = timedelta(days=366)
# What deputies are told when time away names them, or no longer does.
_DEPUTY_WORDS = DeputyWords(named=texts.deputy_named, unnamed=texts.deputy_unnamed)
# `FROM to UNTIL` (or `until`, `till`, `through`: as people write it), or one day (`friday`);
# then perhaps `deputy @u`.
_LINE = re.compile(
    r"^(?P<start>.+?)(?:\s+(?P<joint>to|until|till|through)\s+(?P<end>.+?))?"
    r"(?:\s+deputy(?:\s+(?P<deputy>.*?))?)?$",
    re.IGNORECASE,
)
# `until friday` alone: from today.
_FROM_TODAY = re.compile(r"^(until|till|through)\s+", re.IGNORECASE)
# `until next week`: back when it begins (where `to` and `through` next week take it all in).
_BACK_WHEN = ("until", "till")
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
# `mon-fri`, `1 dec-4 dec`: one hyphen with no space beside it joins two days as `to` does;
# `2026-12-01 - 2026-12-04`, whose dates have hyphens of their own, takes spaces around it.
_SPACED_HYPHEN = re.compile(r"\s+[-–]\s+")
_HYPHEN_JOINED = re.compile(r"^(?P<first>[^\s\-–][^\-–]*?)[-–](?P<end>[^\s\-–][^\-–]*)$")
# UNTIL as a time alone (`now to 17:00`, `friday 9:00 to 1pm`): on the day time away starts.
_BARE_TIME = re.compile(r"^\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)$|^\d{1,2}[:.]\d{2}$", re.IGNORECASE)


def _hyphened(text: str) -> tuple[str, str] | None:
    """FROM and UNTIL when `text` is two days joined by a hyphen (`mon-fri`, `2026-12-01 -
    2026-12-04`), else None. No time (`9-17`, `9am-5pm`: hours, not days away) and no bare
    number (`1-4`: which month?) is read so; `2026-12-01-2026-12-04` neither (which hyphen?)."""
    text = text.strip()
    spaced = _SPACED_HYPHEN.split(text)
    joined = _HYPHEN_JOINED.match(text)
    if len(spaced) == 2:
        first, end = spaced
    elif joined is not None and not joined["first"][-1].isspace():
        first, end = joined["first"], joined["end"]
    else:
        return None
    for side in (first, end):
        if ":" in side or side.isdigit() or _BARE_TIME.match(side):
            return None
    return first, end


def _today(now: datetime, tz: ZoneInfo) -> date:
    return now.astimezone(tz).date()


def _weekday(text: str) -> str | None:
    """The weekday `text` names alone (`monday`, `Mon.`), in full; None for anything else."""
    word = text.strip().lower().rstrip(".")
    if len(word) < 3 or " " in word:
        return None
    return next((name for name in WEEKDAYS if name.startswith(word)), None)


def _answer(text: str) -> Reply:
    return Reply(text=text, blocks=[section(text)])


def _start(when: When, *, typed: str | None = None) -> datetime:
    """Where time away from `when` starts (its midnight for a day alone); a time the clocks
    skip is refused (`check_clock`), not moved an hour unasked."""
    check_clock(when, typed=typed)
    return when.moment(default=time(0, 0))


def _end(when: When, *, typed: str | None = None) -> datetime:
    """Where time away until `when` ends: at its time, or the midnight after a day alone; a
    time the clocks skip is refused, as in `_start`."""
    if when.at is not None:
        check_clock(when, typed=typed)
        return when.moment()
    next_day = when.day + timedelta(days=1)
    return When(next_day, time(0, 0), when.tz).moment()


def _first_day(text: str, *, now: datetime, tz: ZoneInfo) -> When:
    """FROM as typed: `now` (this minute), a named week or month (`next week`) from its first
    day, else a date."""
    if text.strip().lower() == "now":
        local = now.astimezone(tz)
        return When(local.date(), local.time().replace(second=0, microsecond=0), tz)
    period = parse_period(text, now=now, tz=tz)
    return _read(text, now=now, tz=tz) if period is None else When(period[0], None, tz)


def _read(text: str, *, now: datetime, tz: ZoneInfo) -> When:
    """A date of time away: a refusal shows dates to come, as time away is planned."""
    return parse_when(text, now=now, tz=tz, examples=AHEAD_EXAMPLES)


def _last_day(text: str, *, now: datetime, tz: ZoneInfo) -> When:
    """UNTIL as typed: a named week or month through its last day, else a date."""
    period = parse_period(text, now=now, tz=tz)
    return _read(text, now=now, tz=tz) if period is None else When(period[1], None, tz)


def away_verb(runtime: Runtime, invocation: Invocation, rest: str) -> Reply:
    """Dates are read in the caller's time zone, and what waits for the caller may be handed to
    the deputy they name, timed in the deputy's: for someone Liaison has never seen, Slack is
    asked first (after the ack), and the answer follows."""
    typed = grammar.as_typed(rest).strip()
    if not typed:
        return _shown(runtime, invocation)
    if typed.lower() == "cancel":
        return _cancel(runtime, invocation)
    first, _, more = typed.partition(" ")
    if first.lower() == "cancel" and more.strip():
        # `away cancel now`: plainly a cancel, not dates to read (as `back please` is a back).
        return help_blocks.usage(VERBS_BY_NAME["away"], texts.CANCEL_TAKES_NOTHING)
    deputy_id = _named_deputy(rest)
    named = [invocation.user_id]
    if deputy_id is not None and deputy_id != invocation.bot_user_id:
        named.append(deputy_id)
    unseen = not_known_as_colleagues(runtime.engine, team_id=invocation.team_id, user_ids=named)
    if unseen:
        return Reply(
            text=(
                texts.READING_ZONE
                if invocation.user_id in unseen
                else texts.asking_about_deputy(unseen[0])
            ),
            followup=partial(_look_up_then_away, runtime, invocation, rest, unseen),
        )
    return _away(runtime, invocation, rest)


def _look_up_then_away(
    runtime: Runtime,
    invocation: Invocation,
    rest: str,
    unseen: list[str],
    client: WebClient,
    respond: Respond,
) -> None:
    check = people.look_up(
        client,
        engine=runtime.engine,
        clock=runtime.clock,
        team_id=invocation.team_id,
        user_ids=unseen,
    )
    reply = _away(runtime, invocation, rest)
    respond(**reply.as_message(), replace_original=True)
    deputy_id = _named_deputy(rest)
    if deputy_id is not None and deputy_id in check.asked:
        _drop_unless_colleague(runtime, invocation, deputy_id, check, respond)
    elif reply.followup is not None:
        reply.followup(client, respond)


def _typed_from(rest: str) -> str:
    line = grammar.as_typed(rest)  # mentions are Slack's markup, not escaped: they stay
    if line.lower().startswith("from "):
        line = line[len("from ") :]  # "away from friday to monday" reads as well
    return line


def _line(rest: str) -> str:
    return _FROM_TODAY.sub(r"today \1 ", _typed_from(rest))  # "away until friday": from today


def _named_deputy(rest: str) -> str | None:
    """The colleague `rest` names as deputy by a mention, if any (`_away` refuses the rest)."""
    match = _LINE.match(_line(rest))
    mention = _MENTION.match((match["deputy"] if match else None) or "")
    return None if mention is None else mention[1]


def _away(runtime: Runtime, invocation: Invocation, rest: str) -> Reply:
    verb = VERBS_BY_NAME["away"]
    line = _line(rest)
    match = _LINE.match(line)
    if match is None:
        return help_blocks.usage(verb, texts.MISSING_TO)
    deputy_id: str | None = None
    if match["deputy"] is not None or re.search(r"\sdeputy$", line, re.IGNORECASE):
        # "deputy" alone, or with more than one name, is not a date's end but a wrong deputy.
        mention = _MENTION.match(match["deputy"] or "")
        if mention is None:
            return help_blocks.usage(verb, texts.BAD_DEPUTY)
        deputy_id = mention[1]
        if deputy_id == invocation.user_id:
            return help_blocks.usage(verb, texts.SELF_DEPUTY)
        if deputy_id == invocation.bot_user_id:
            return help_blocks.usage(verb, texts.BOT_DEPUTY)
    first, joint, end = match["start"], match["joint"], match["end"]
    if end is None and (joined := _hyphened(first)) is not None:
        (first, end), joint = joined, "to"  # `mon-fri`, as `config days` takes days
    now = runtime.clock.now()
    tz = _caller_zone(runtime, invocation)
    until = end or first  # one day: from its start to its end
    try:
        # `next week` alone is its first day to its last; as FROM it is its first day, as
        # UNTIL its last (`next week to friday`, `monday to the week after next`).
        start = _first_day(first, now=now, tz=tz)
        if end is None and start.at is not None:
            return help_blocks.usage(verb, texts.MISSING_TO)  # a moment is no whole day
        if end is not None and _BARE_TIME.match(until.strip()):
            until = f"{start.day.isoformat()} {until.strip()}"  # `now to 17:00`: today
        last = _last_day(until, now=now, tz=tz)
        if end is not None and joint.lower() in _BACK_WHEN:
            back = _first_day(until, now=now, tz=tz)
            if back.day != last.day:  # a named week or month: back on its first day
                last = When(back.day - timedelta(days=1), None, tz)
        weekday = _weekday(until)
        if end is not None and weekday is not None and start.day == last.day == _today(now, tz):
            # `until monday` on a Monday: a commitment `by monday` is next week's, but time away
            # booked wrong tells deputies and owners, so both lines are shown (QA: it booked
            # today only, where a person means next Monday).
            since = None if _FROM_TODAY.match(_typed_from(rest)) else first.strip()
            hint = texts.weekday_is_today(joint.lower(), weekday, start=since, deputy_id=deputy_id)
            return help_blocks.usage(verb, hint)
        starts_at = _start(start, typed=first.strip())
        typed_until = (end or first).strip()
        ends_at = _end(last, typed=typed_until)
        if ends_at <= starts_at:
            # "friday to monday": the Monday after that Friday, not this week's.
            later = _last_day(until, now=starts_at, tz=tz)
            ends_at = max(ends_at, _end(later, typed=typed_until))
    except DateError as error:
        if isinstance(error, UnreadableDate) and match["end"] is not None:
            typed = match["end"].strip()
            days = _hyphened(typed)
            if days is not None:
                # `until mon-fri`: two days where the word takes one; both lines it may mean.
                since = None if _FROM_TODAY.match(_typed_from(rest)) else first.strip()
                hint = texts.one_day_after(
                    joint.lower(), typed, days, start=since, deputy_id=deputy_id
                )
                return help_blocks.usage(verb, hint)
        if match["end"] is None and isinstance(error, UnreadableDate):
            # Not one day either (nor two joined by a hyphen): most likely the `to` between
            # two dates is missing.
            return help_blocks.usage(verb, texts.MISSING_TO)
        # A date read but refused (`31 Nov`): why, rather than a hint about `to`.
        return help_blocks.usage(verb, str(error))
    try:
        # Time away is planned as a meeting is: a start further ahead is a typo of the year.
        check_span(start.day, today=now.astimezone(tz).date(), ahead=True, typed=first)
    except DateError as error:
        return help_blocks.usage(verb, str(error))
    problem = None
    if ends_at <= starts_at and end is not None and _BARE_TIME.match(end.strip()):
        problem = texts.ends_before_start(first.strip(), end.strip())
    elif ends_at <= starts_at:
        problem = texts.BAD_ORDER
    elif ends_at <= now:
        problem = texts.ALREADY_OVER
    elif ends_at - starts_at > MAX_ABSENCE:
        problem = texts.TOO_LONG
    if problem is not None:
        return help_blocks.usage(verb, problem)
    # Time away that began before today would re-time what was asked and answered before it
    # was ever mentioned: it counts from today.
    today = _start(When(now.astimezone(tz).date(), None, tz))
    from_today = starts_at < today
    starts_at = max(starts_at, today)
    result = go_away(
        runtime.engine,
        team_id=invocation.team_id,
        user_id=invocation.user_id,
        starts_at=starts_at,
        ends_at=ends_at,
        deputy_id=deputy_id,
        now=now,
        retime=_waiting_for_people(runtime),
        tell_owner=texts.owner_left_uncovered,
        tell_deputies=_DEPUTY_WORDS,
    )
    cover = cover_while_away(
        runtime.engine,
        team_id=invocation.team_id,
        user_id=invocation.user_id,
        period=Period(result.starts_at, result.ends_at),
        deputy_id=deputy_id,
    )
    recorded = texts.away_recorded(
        result,
        tz=tz,
        now=now,
        owned=cover.owned,
        deputy_away=cover.deputy_away,
        gaps=cover.gaps,
        typed=first if end is None else f"{first} to {end}",
        elsewhere=commitments_of(runtime).takers_while_away(
            team_id=invocation.team_id,
            user_id=invocation.user_id,
            starts_at=result.starts_at,
            ends_at=result.ends_at,
        ),
        covering=covering_while_away(
            runtime.engine,
            team_id=invocation.team_id,
            user_id=invocation.user_id,
            period=Period(result.starts_at, result.ends_at),
        ),
    )
    answer = _answer(f"{texts.FROM_TODAY}\n{recorded}" if from_today else recorded)
    if deputy_id is None:
        return answer
    # After the ack: Slack says whether the deputy is a colleague who can cover, and their
    # time zone (they will be messaged in their own hours).
    return replace(answer, followup=partial(_vet_deputy, runtime, invocation, deputy_id))


def _caller_zone(runtime: Runtime, invocation: Invocation) -> ZoneInfo:
    return zone_of(runtime.engine, team_id=invocation.team_id, user_id=invocation.user_id)


def _shown(runtime: Runtime, invocation: Invocation) -> Reply:
    now = runtime.clock.now()
    away = time_away_of(
        runtime.engine, team_id=invocation.team_id, user_id=invocation.user_id, now=now
    )
    return _answer(texts.time_away_shown(away, tz=_caller_zone(runtime, invocation), now=now))


def _cancel(runtime: Runtime, invocation: Invocation) -> Reply:
    now = runtime.clock.now()
    tz = _caller_zone(runtime, invocation)
    touchpoints = touchpoint_handlers.service_of(runtime)
    asked = partial(touchpoints.questions_for, team_id=invocation.team_id)
    before = asked(user_id=invocation.user_id)
    result = cancel_next_absence(
        runtime.engine,
        team_id=invocation.team_id,
        user_id=invocation.user_id,
        now=now,
        retime=_waiting_for_people(runtime),
        tell_deputies=_DEPUTY_WORDS,
    )
    # The questions a cover would have had come back to the owner: say they are hers now.
    after = asked(user_id=invocation.user_id)
    handed_back = [question for id_, question in after.items() if id_ not in before]
    return _answer(texts.away_cancelled(result, tz=tz, now=now, handed_back=handed_back))


def _vet_deputy(
    runtime: Runtime, invocation: Invocation, deputy_id: str, client: WebClient, respond: Respond
) -> None:
    check = people.look_up(
        client,
        engine=runtime.engine,
        clock=runtime.clock,
        team_id=invocation.team_id,
        user_ids=[deputy_id],
    )
    _drop_unless_colleague(runtime, invocation, deputy_id, check, respond)


def _drop_unless_colleague(
    runtime: Runtime, invocation: Invocation, deputy_id: str, check: PeopleCheck, respond: Respond
) -> None:
    """Take a deputy Slack knows as no colleague off the caller's time away, and say so."""
    if deputy_id in check.missing and drop_deputy(
        runtime.engine,
        team_id=invocation.team_id,
        user_id=invocation.user_id,
        deputy_id=deputy_id,
        now=runtime.clock.now(),
        # What waits was routed to them as they were booked: the check-in cards not sent yet
        # named them as who a Problem reaches, and the notes and reminders for the caller went
        # to them; all go as if no deputy had been named (QA: a reminder stayed with them).
        retime=_waiting_for_people(runtime),
    ):
        dropped = texts.deputy_dropped(deputy_id, external=deputy_id in check.external)
        respond(text=slack_text(dropped), replace_original=False)


def back_verb(runtime: Runtime, invocation: Invocation, rest: str) -> Reply:
    if rest.strip():
        return help_blocks.usage(VERBS_BY_NAME["back"], "`back` takes nothing after it.")
    now = runtime.clock.now()
    tz = _caller_zone(runtime, invocation)
    result = come_back(
        runtime.engine,
        team_id=invocation.team_id,
        user_id=invocation.user_id,
        now=now,
        retime=_waiting_for_people(runtime),
        summed=(touchpoint_handlers.service_of(runtime).drop_summed_up_notes,),
        tell_deputy=texts.deputy_released,
    )
    arrives_at = (
        released_reach_at(
            runtime.engine, team_id=invocation.team_id, user_id=invocation.user_id, now=now
        )
        if result.released
        else None
    )
    reply = texts.back(result, tz=tz, now=now, arrives_at=arrives_at)
    if result.summed_up is not None:
        meanwhile = touchpoint_handlers.service_of(runtime).while_away(
            team_id=invocation.team_id,
            user_id=invocation.user_id,
            start=result.summed_up.starts_at,
            end=now,
        )
        if meanwhile:
            reply += "\n" + texts.while_away(meanwhile)
    return _answer(reply)


def _waiting_for_people(runtime: Runtime) -> tuple[Retime, ...]:
    """What waits for a person's working days, timed again when their time away changes; check-in
    cards not sent yet say again who gets the answer; what they have not seen as a partner's
    owner goes to whoever covers for them."""
    touchpoints = touchpoint_handlers.service_of(runtime)
    return (
        checkins.retime_waiting,
        checkins_of(runtime).reword_waiting,
        touchpoints.cover_unread,
        commitments_of(runtime).reroute_reminders,
        touchpoints.retime_intents,
    )


VERB_HANDLERS: dict[str, VerbHandler] = {"away": away_verb, "back": back_verb}


# --- The planner --------------------------------------------------------------------------------


def welcome_back(runtime: Runtime, now: datetime) -> None:
    """Planner: what colleagues did while someone was away, once their time away is over and
    their first working moment back has come (`back` says it at once instead)."""
    queued = touchpoint_handlers.service_of(runtime).welcome_back(now=now)
    if queued:
        logger.info("%d people back from time away were told what happened meanwhile", queued)


def next_welcome_back(runtime: Runtime, now: datetime) -> datetime | None:
    return touchpoint_handlers.service_of(runtime).next_welcome_back(after=now)


def register_planners(planners: PlannerRegistry) -> None:
    planners.register_planner(
        WELCOME_BACK, welcome_back, IntervalTrigger(minutes=1), next_due=next_welcome_back
    )
