"""What Liaison says about time away (`/partner away`, `/partner back`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.delivery.absence import (
    AwayResult,
    BackResult,
    CancelResult,
    Covering,
    Gap,
    Period,
    TimeAway,
)
from bot.services.touchpoints import PartnerWhileAway, QuestionFor
from handlers.grammar import in_command
from handlers.texts.partners import bold, in_prose, people_in_prose, person
from handlers.texts.touchpoints import ANSWER_LABELS, quote
from storage.models import IntentAnswer, TouchpointKind
from storage.partners import OwnedPartner
from storage.touchpoints import ContactWhileAway, ProblemWhileAway

COMMAND = "/partner"

BAD_ORDER = (
    f"Your time away must end after it starts, e.g. `{COMMAND} away monday to friday` or "
    f"`{COMMAND} away now to 17:00`."
)


def ends_before_start(start: str, end_time: str) -> str:
    """`now to 08:00` typed at 09:00: the time alone is today's, already past its start."""
    return (
        f"Your time away must end after it starts: `{end_time}` alone is today's, before "
        f"`{start}`. For tomorrow's, say the day: `{COMMAND} away {start} to tomorrow {end_time}`."
    )


ALREADY_OVER = "That time is already over; give dates from today on."
FROM_TODAY = "Time away can't start in the past, so I've counted yours from today."
TOO_LONG = "Time away can be at most a year; set it again when you know more."
SELF_DEPUTY = "Your deputy must be someone else."
BOT_DEPUTY = "I can't cover for you myself: your deputy must be a colleague."
MISSING_TO = (
    "Say when you are away: one day (`friday`), or from and until, joined by `to` "
    "(`monday to friday`, `now to 17:00`)."
)


def _deputy_typed(deputy_id: str | None) -> str:
    """The deputy typed after the date, for a line suggested instead of the one typed (QA:
    both lines for `until monday deputy @dan` dropped the deputy, who then covered nothing)."""
    return f" deputy {person(deputy_id)}" if deputy_id else ""


def weekday_is_today(
    joint: str, weekday: str, *, start: str | None, deputy_id: str | None = None
) -> str:
    """`until monday` typed on a Monday: next week's (as `by monday` reads for a commitment) or
    today's, both lines (`start`: the day typed before the word; none: from today), each with
    the deputy named (`deputy_id`)."""
    before = f"{start} " if start else ""
    deputy = _deputy_typed(deputy_id)
    day = weekday.capitalize()
    return (
        f"{day} is today, so `{joint} {weekday}` may mean today or next {day}. Away until next "
        f"{day}: `{COMMAND} away {before}{joint} next {weekday}{deputy}`; today only: "
        f"`{COMMAND} away today{deputy}`."
    )


def one_day_after(
    joint: str,
    typed: str,
    days: tuple[str, str],
    *,
    start: str | None,
    deputy_id: str | None = None,
) -> str:
    """`until mon-fri`: the word takes one day, and `typed` is two (`days`) joined by a hyphen;
    `start` is the day typed before the word (none: from today, as `until fri` alone reads);
    both lines with the deputy named (`deputy_id`)."""
    first, last = days
    since = f"from {start}" if start else "from today"
    before = f"{start} " if start else ""
    deputy = _deputy_typed(deputy_id)
    return (
        f"`{joint}` takes one day, and `{typed}` is two. Away {since} until {last}: "
        f"`{COMMAND} away {before}{joint} {last}{deputy}`; from {first} to {last}: "
        f"`{COMMAND} away {typed}{deputy}`."
    )


BAD_DEPUTY = "After `deputy`, mention one colleague, e.g. `deputy @dan`."
CANCEL_TAKES_NOTHING = "`away cancel` takes nothing after it: it cancels your next time away."


def deputy_dropped(deputy_id: str, *, external: bool = False) -> str:
    """A deputy named in `away` whom Slack knows as no colleague: of another organisation
    (a Slack Connect channel's member), or an app or someone who left."""
    who = (
        "they are from another organisation (their Slack account belongs to another workspace)"
        if external
        else "Slack knows them as no colleague here (an app, or someone who left)"
    )
    return (
        f"<@{deputy_id}> can't cover for you: {who}. Your time away stands without that "
        "deputy: alerts go to each partner's deputy, else wait for you. "
        "`/partner away … deputy @colleague` names another."
    )


def _day(moment: datetime, tz: ZoneInfo, today: date) -> str:
    local = moment.astimezone(tz)
    text = f"{local:%a} {local.day} {local:%b}"
    if local.year != today.year:
        text += f" {local.year}"
    if (local.hour, local.minute) != (0, 0):
        text += f" {local:%H:%M}"
    return text


def _last_day(period: Period, tz: ZoneInfo, today: date) -> str:
    """The end as people say it: the last day away when the absence ends at midnight."""
    local_end = period.ends_at.astimezone(tz)
    if (local_end.hour, local_end.minute) == (0, 0):
        return _day(local_end - timedelta(days=1), tz, today)
    return _day(period.ends_at, tz, today)


def span(period: Period, tz: ZoneInfo, today: date) -> str:
    """`from *Mon 30 Nov* to *Fri 4 Dec*`, or `on *Wed 2 Dec*` for one whole day; within one
    day, its hours: `on *Mon 7 Dec* from *17:00*`, `… until *08:00*`, `… from *10:00* to
    *17:00*` (QA: the evening left of a day read "from Mon 7 Dec 17:00 to Mon 7 Dec")."""
    first, last = _day(period.starts_at, tz, today), _last_day(period, tz, today)
    if first == last:
        return f"on *{first}*"
    start, end = period.starts_at.astimezone(tz), period.ends_at.astimezone(tz)
    # The day it ends on as people say it: a midnight end is the day before's.
    end_day = (end - timedelta(days=1)).date() if (end.hour, end.minute) == (0, 0) else end.date()
    if start.date() != end_day:
        return f"from *{first}* to *{last}*"
    day = _day(datetime.combine(start.date(), time(0), tzinfo=tz), tz, today)
    hours = []
    if (start.hour, start.minute) != (0, 0):
        hours.append(f"from *{start:%H:%M}*")
    if (end.hour, end.minute) != (0, 0):
        hours.append(f"{'to' if hours else 'until'} *{end:%H:%M}*")
    return f"on *{day}* {' '.join(hours)}"


# The `away` reply names at most this many owned partners without a deputy, and counts the rest.
NAMED_WITHOUT_DEPUTY = 3


def away_recorded(
    result: AwayResult,
    *,
    tz: ZoneInfo,
    now: datetime,
    owned: Sequence[OwnedPartner] = (),
    deputy_away: Sequence[Period] = (),
    gaps: Sequence[Gap] = (),
    typed: str | None = None,
    elsewhere: Sequence[Sequence[str | None]] = (),
    covering: Sequence[Covering] = (),
) -> str:
    """The reply to `away`: when, what waits, and who takes the alerts about the partners the
    person owns (`owned`) — or which of them nobody covers, and how to change that: those
    with no deputy at all, and those whose deputies are away too (`gaps`; `deputy_away` is
    when the deputy named for the time away is). `typed`: the time away in the person's own
    words (`friday`, `monday to friday`), which the command suggested to name a deputy
    repeats. `elsewhere`: per partner someone else owns that the person owns open commitments
    about, who takes their reminders in turn during the time away (None: nobody is here, they
    wait), as `Commitments.takers_while_away` finds them. `covering`: others' time away the
    person covers that theirs overlaps."""
    today = now.astimezone(tz).date()
    period = Period(result.starts_at, result.ends_at)
    again = _away_with_deputy(period, tz, typed)
    no_deputy = _uncovered(result, owned, again)
    away_too = _away_too(result, owned, deputy_away, gaps, tz, today)
    if gaps and not no_deputy:
        away_too += _cover_them(gaps, again)
    # `back` ends time away begun; time away still to come is called off with `away cancel`
    # (`back` leaves it alone).
    end_it = (
        "Type `/partner back` to end it early."
        if result.starts_at <= now
        else "Type `/partner away cancel` to call it off."
    )
    cover = _cover(result, owned)
    text = (
        f"You're away {span(period, tz, today)} ({tz.key}). While you're away, your check-ins "
        f"and surveys wait for you{cover}{_reminders(result, owned, elsewhere, after=cover)}."
        f"{no_deputy}{away_too}{_covered(covering, tz, today)} {end_it}"
    )
    # Time away already over (ended by `back`) is not what the person means to replace.
    replaced = [earlier for earlier in result.replaced if earlier.ends_at > now]
    if replaced:
        times = "time" if len(replaced) == 1 else "times"
        spans = " and ".join(span(earlier, tz, today) for earlier in replaced)
        text += f"\nThis replaces your {times} away {spans}, which it covers."
    for shortened in result.shortened:
        left = " and ".join(span(stretch, tz, today) for stretch in shortened.left)
        text += (
            f"\nYour time away {span(shortened.before, tz, today)} overlapped it; it now "
            f"stays {left} only."
        )
    return text


def _cover(result: AwayResult, owned: Sequence[OwnedPartner]) -> str:
    """Who takes the alerts meant for the person while away, as the end of a sentence."""
    deputy = result.deputy_id
    if not owned:
        # A deputy takes no alert from someone who owns no partner: what they take of their
        # commitments, if any, `_reminders` says (QA: it promised them reminders of none).
        return ""
    if deputy:
        if all(partner.deputy_id in (None, deputy) for partner in owned):
            # No other deputy to name: "each partner's deputy, or else @dan" would read as if
            # someone else were involved.
            return f", and alerts about partners you own go to <@{deputy}>"
        return (
            f", and alerts about partners you own go to each partner's deputy, or else <@{deputy}>"
        )
    if all(partner.deputy_id is None for partner in owned):
        return ""
    return ", and alerts about partners you own go to each partner's deputy"


def _reminders(
    result: AwayResult,
    owned: Sequence[OwnedPartner],
    elsewhere: Sequence[Sequence[str | None]],
    *,
    after: str,
) -> str:
    """Where reminders of the person's commitments about partners others own go (`stand_in`,
    `takers_while_away`), as the end of a sentence that says `after` before it: to the deputy
    named, else to whoever follows each partner, whoever is here, else they wait (QA: they
    were said to go to a partner's owner away too, and to a deputy when there were none)."""
    if not elsewhere:
        return ""
    whose = "your commitments on partners others own" if owned else "commitments you own"
    joint = "; " if after else ", and "
    deputy = result.deputy_id
    takers = list(dict.fromkeys(taker for each in elsewhere for taker in each if taker))
    if not takers:
        where = "wait for you too"
    elif takers == [deputy]:
        where = f"go to {person(deputy)}"
    elif len(takers) == 1:
        count = sum(1 for each in elsewhere if takers[0] in each)
        where = f"go to {person(takers[0])}, who follows their partner{'s' * (count > 1)}"
    elif deputy in takers:
        where = f"go to {person(deputy)}, or while they are away to whoever follows each partner"
    else:
        where = "go to whoever follows each partner and is here"
    if takers and any(None in each for each in elsewhere):
        where += ", or wait for you while nobody else is here to take them"
    return f"{joint}reminders of {whose} {where}"


def _covered(covering: Sequence[Covering], tz: ZoneInfo, today: date) -> str:
    """Whom the person leaves uncovered, or to whom, while both are away (QA: a partner's
    deputy booking time away while its owner was away heard nothing of it)."""
    text = ""
    for each in covering:
        # In the owner's zone: the days they booked, not midnights elsewhere.
        owner, when = person(each.owner_id), span(each.period, each.tz, today)
        if each.partners:
            names = _names(each.partners)
            its = "its" if len(each.partners) == 1 else "their"
            lead = f" You're the deputy of {names}, whose owner {owner} is away {when}"
            if each.named:
                lead += " and named you to cover"
        else:
            its = "their"
            lead = f" You cover for {owner}, who is away {when}"
        if each.taker is not None:
            then = f"{its} alerts go to {person(each.taker)}, whom {owner} named to cover."
        elif each.partners:
            then = f"nobody covers {'it' if its == 'its' else 'them'}: {its} alerts wait until "
            then += "one of you is back."
        else:
            then = (
                "alerts for them go to each partner's deputy, else wait until one of you is back."
            )
        text += f"{lead}: while you're away too, {then}"
    return text


def owner_left_uncovered(covering: Covering, *, deputy_id: str, days: tuple[Period, ...]) -> str:
    """The DM to an owner whose partners' deputy booked time away during theirs, with nobody
    else covering (QA: the deputy was told in their `away` answer, the owner never)."""
    today = covering.period.starts_at.astimezone(covering.tz).date()
    names = _names(covering.partners)
    its = "its" if len(covering.partners) == 1 else "their"
    if len(covering.partners) == 1:
        give = f"{COMMAND} deputy {in_command(covering.partners[0])} @colleague"
    else:
        give = f"{COMMAND} deputy NAME @colleague"
    first = covering.period.starts_at.astimezone(covering.tz)
    last = covering.period.ends_at.astimezone(covering.tz)
    if (last.hour, last.minute) == (0, 0):
        last -= timedelta(days=1)  # the last day away, as it was booked
    mine = first.date().isoformat()
    if last.date() != first.date():
        mine += f" to {last.date().isoformat()}"
    return (
        f"{person(deputy_id)}, the deputy of {names}, will be away "
        f"{_spans(days, covering.tz, today)}, while you're away too: nobody covers {names} "
        f"then, and {its} alerts wait until one of you is back. To have someone cover, give it "
        f"another deputy with `{give}`, or name one for your time away with "
        f"`{COMMAND} away {mine} deputy @colleague`."
    )


def _uncovered(result: AwayResult, owned: Sequence[OwnedPartner], again: str) -> str:
    """The owned partners nobody covers (no deputy of their own, none named for the time
    away), whose alerts wait for the person's return, and the two ways to cover them (`again`:
    `away` with a deputy)."""
    without = [partner.name for partner in owned if partner.deputy_id is None]
    if result.deputy_id or not without:
        return ""
    if len(without) == 1:
        (name,) = without
        which = f"{bold(name)}, which you own, has" if len(owned) == 1 else f"{bold(name)} has"
        lead, its, set_one = (
            f"{which} no deputy",
            "its",
            f"{COMMAND} deputy {in_command(name)} @colleague",
        )
    else:
        if len(without) == len(owned):
            lead = f"None of the {len(owned)} partners you own has a deputy"
        else:
            lead = f"{_names(without)} have no deputy"
        its, set_one = "their", f"{COMMAND} deputy NAME @colleague"
    return (
        f" {lead}, so {its} alerts wait for you too: set one with `{set_one}`, or name "
        f"someone to cover your time away with `{again}`."
    )


def _away_too(
    result: AwayResult,
    owned: Sequence[OwnedPartner],
    deputy_away: Sequence[Period],
    gaps: Sequence[Gap],
    tz: ZoneInfo,
    today: date,
) -> str:
    """Who would cover but is away too, and the partners that leaves with nobody covering,
    grouped by who is away and when."""
    groups: dict[tuple[tuple[str, ...], tuple[Period, ...]], list[str]] = {}
    for gap in gaps:
        groups.setdefault((gap.covers, gap.stretches), []).append(gap.name)
    text = ""
    if deputy_away and not any(result.deputy_id in covers for covers, _ in groups):
        text += f" {person(result.deputy_id)} is away too {_spans(deputy_away, tz, today)}."
    end = result.ends_at
    for (covers, stretches), names in groups.items():
        if len(names) == 1 and len(owned) == 1:
            subject, its = f"{bold(names[0])}, which you own,", "its"
        else:
            subject, its = _names(names), "its" if len(names) == 1 else "their"
        when = _spans(stretches, tz, today)
        # A cover back before you takes what waited for them (`recipient_for_owner_alert`).
        back_first = all(stretch.ends_at < end for stretch in stretches)
        if len(covers) == 1:
            waits = f"until {person(covers[0])} is back" if back_first else "for you"
            text += f" {person(covers[0])} is away too {when}, so {subject} would have nobody"
            text += f" covering then: {its} alerts wait {waits}."
        else:
            waits = "until one of them is back" if back_first else "for you"
            text += f" {people_in_prose(covers)} are away too, so {subject} would have nobody"
            text += f" covering {when}: {its} alerts wait {waits}."
    return text


def _cover_them(gaps: Sequence[Gap], again: str) -> str:
    """The two ways to cover the partners with `gaps` (`again`: `away` with a deputy)."""
    if len(gaps) == 1:
        give = f"Give it a deputy with `{COMMAND} deputy {in_command(gaps[0].name)} @colleague`"
    else:
        give = f"Give each a deputy with `{COMMAND} deputy NAME @colleague`"
    return f" {give}, or name someone else to cover your time away with `{again}`."


def _spans(stretches: Sequence[Period], tz: ZoneInfo, today: date) -> str:
    return " and ".join(span(stretch, tz, today) for stretch in stretches)


def _names(names: Sequence[str]) -> str:
    if len(names) == 1:
        return bold(names[0])
    shown = [bold(name) for name in names[:NAMED_WITHOUT_DEPUTY]]
    more = len(names) - len(shown)
    if more:
        return f"{', '.join(shown)} and {more} more"
    return f"{', '.join(shown[:-1])} and {shown[-1]}"


def _away_with_deputy(period: Period, tz: ZoneInfo, typed: str | None = None) -> str:
    """`away` for the same time with a deputy (it replaces the one recorded): in the words the
    person typed, else in whole days when the time away is whole days."""
    if typed:
        return f"{COMMAND} away {typed} deputy @colleague"
    start, end = period.starts_at.astimezone(tz), period.ends_at.astimezone(tz)
    if (start.hour, start.minute, end.hour, end.minute) != (0, 0, 0, 0):
        return f"{COMMAND} away FROM to UNTIL deputy @colleague"
    last = end.date() - timedelta(days=1)
    return f"{COMMAND} away {start.date().isoformat()} to {last.isoformat()} deputy @colleague"


def back(
    result: BackResult, *, tz: ZoneInfo, now: datetime, arrives_at: datetime | None = None
) -> str:
    """The reply to `back`; `arrives_at` is when the messages it released reach the person (at
    once inside their working hours, else when the next ones start)."""
    today = now.astimezone(tz).date()
    if result.ended is not None:
        # What followed on from the piece one was in ended too: say through when it went.
        through = "" if result.through is None else f", {_until(result.through, tz, today)},"
        text = f"Welcome back! Your time away{through} has ended"
        if result.released:
            waited = "message" if result.released == 1 else "messages"
            text += f"; {result.released} {waited} that waited for you will arrive "
            if arrives_at is None or arrives_at <= now:
                text += "shortly"
            else:
                text += f"in your working hours, from {_day(arrives_at, tz, today)}"
        text += "."
        if result.deputies_told:
            told = people_in_prose(result.deputies_told)
            text += f" I'm telling {told}, whom you named to cover, that you're back."
        return text + _still_planned(result.planned, tz, today)
    if result.summed_up is not None:
        return (
            f"Welcome back! Your time away {span(result.summed_up, tz, today)} is over."
            + _still_planned(result.planned, tz, today)
        )
    if result.planned:
        return (
            f"You're not marked away, so nothing changed. {_planned(result.planned, tz, today)} "
            f"To cancel {'it' if len(result.planned) == 1 else 'the first'}, type "
            f"`{COMMAND} away cancel`."
        )
    return "You're not marked away, and no time away is planned."


def deputy_released(*, owner_id: str, booked: Period, tz: ZoneInfo, partners: Sequence[str]) -> str:
    """To the deputy named for time away that `back` ended early (`booked`: as it stood), with
    the partners they covered (`partners`: none when the owner owns none)."""
    today = booked.starts_at.astimezone(tz).date()
    alerts = f"Alerts about {_names(partners)}, which they own," if partners else "Alerts"
    return (
        f"{person(owner_id)} is back earlier than planned: their time away, booked "
        f"{span(booked, tz, today)}, has ended, so you no longer cover for them. {alerts} and "
        "reminders of their commitments go to them again. You get this because they named you "
        "to cover for that time away."
    )


def deputy_named(
    *,
    owner_id: str,
    period: Period,
    tz: ZoneInfo,
    deputy_tz: ZoneInfo,
    partners: Sequence[str],
    changed: bool,
) -> str:
    """To the deputy named for time away (`period`, in the owner's zone `tz`, named when the
    deputy's own, `deputy_tz`, is another), with the partners they cover (`partners`: none when
    the owner owns none); `changed`: they were told of other days of it before."""
    today = period.starts_at.astimezone(tz).date()
    when = span(period, tz, today)
    if deputy_tz.key != tz.key:
        when += f" ({tz.key} time)"
    lead = "has changed their time away: they're now away" if changed else "is away"
    alerts = (
        f"alerts about {_names(partners)}, which they own, and reminders of their commitments"
        if partners
        else "reminders of their commitments"
    )
    return (
        f"{person(owner_id)} {lead} {when} and named you to cover for them: {alerts} come to "
        "you meanwhile, in your working hours. You get this because they named you to cover "
        "for that time away."
    )


def deputy_unnamed(
    *,
    owner_id: str,
    told: Period,
    tz: ZoneInfo,
    deputy_tz: ZoneInfo,
    taker: str | None,
    called_off: bool,
) -> str:
    """To a deputy told they cover time away (`told`, in the owner's zone `tz`, named when
    the deputy's own, `deputy_tz`, is another) who covers none of it any more: called off, or
    booked again naming `taker` (None: nobody) instead."""
    today = told.starts_at.astimezone(tz).date()
    when = span(told, tz, today)
    if deputy_tz.key != tz.key:
        when += f" ({tz.key} time)"
    if called_off:
        lead = f"has called off their time away {when}"
    else:
        lead = f"has changed their time away {when}"
        lead += "" if taker is None else f" and named {person(taker)} to cover it instead"
    return (
        f"{person(owner_id)} {lead}, so you no longer cover for them then. You get this "
        "because they had named you to cover for that time away."
    )


def _still_planned(planned: Sequence[Period], tz: ZoneInfo, today: date) -> str:
    """After `back` ended time away: the time away still to come after a gap, which `back`
    leaves alone (QA: back on Monday, the person was away again on Wednesday, unsaid)."""
    if not planned:
        return ""
    which = "it" if len(planned) == 1 else "the first"
    return f" {_planned(planned, tz, today)} To cancel {which}, type `{COMMAND} away cancel`."


def away_cancelled(
    result: CancelResult,
    *,
    tz: ZoneInfo,
    now: datetime,
    handed_back: Sequence[QuestionFor] = (),
) -> str:
    """The reply to `away cancel`; with the questions about intents that would have gone to
    whoever covered and are the caller's to answer now (`handed_back`)."""
    today = now.astimezone(tz).date()
    now_away = result.away_now
    if result.cancelled is None:
        if now_away is not None:
            return (
                f"You're away now, {_until(now_away, tz, today)}, with no time away planned "
                f"after it; `{COMMAND} back` ends this one."
            )
        return "You have no time away planned, so there is nothing to cancel."
    text = f"I cancelled your time away {span(result.cancelled, tz, today)}."
    if result.still_planned:
        # Each time away booked is cancelled on its own: say how to cancel what is left.
        which = "it" if len(result.still_planned) == 1 else "the next"
        text += (
            f" Your time away {_spans(result.still_planned, tz, today)} is still planned; "
            f"`{COMMAND} away cancel` again cancels {which}."
        )
    if now_away is not None:
        text += (
            f" The time away you're in now, {_until(now_away, tz, today)}, stands; "
            f"`{COMMAND} back` ends it."
        )
    for question in handed_back:
        text += (
            f"\nThe question about {person(question.author_id)}'s intent to reach out to "
            f"{bold(question.partner)} ({quote(question.notes)}) is yours to answer now: it comes "
            "to you as a direct message."
        )
    return text


def time_away_shown(away: TimeAway, *, tz: ZoneInfo, now: datetime) -> str:
    """`away` alone: the caller's time away now and to come, and how to change it."""
    today = now.astimezone(tz).date()
    if away.now is None and not away.planned:
        return (
            f"You have no time away planned. Tell me before you go, e.g. `{COMMAND} away friday` "
            f"or `{COMMAND} away next week deputy @dan`: your check-ins and surveys then wait "
            "for your return, and alerts meant for you go to whoever covers for you."
        )
    lines = []
    if away.now is not None:
        named = [deputy for deputy in away.deputies_now if deputy]
        cover = ""
        if named:
            some = " for part of it" if None in away.deputies_now else ""
            cover = f", with {people_in_prose(named)} covering{some}"
        follows = ""
        if away.following:
            # Booked on its own, it is called off on its own (QA: nothing said how).
            follows = (
                f" Your time away {_spans(away.following, tz, today)} was booked to follow on "
                f"from it; `{COMMAND} away cancel` calls "
                f"{'it' if len(away.following) == 1 else 'the first'} off."
            )
        lines.append(
            f"You're away now, {_until(away.now, tz, today)}{cover}; `{COMMAND} back` ends "
            f"it.{follows}"
        )
    if away.planned:
        deputies = away.planned_deputies or tuple(() for _ in away.planned)
        stretches = " and ".join(
            f"{span(stretch, tz, today)}{_covering(named)}"
            for stretch, named in zip(away.planned, deputies, strict=True)
        )
        lines.append(
            f"Your time away {stretches} is planned; `{COMMAND} away cancel` cancels the next."
        )
    return "\n".join(lines)


def _covering(deputies: Sequence[str | None]) -> str:
    """Who was named to cover a stretch of planned time away, after it (QA: `away` alone did
    not say)."""
    named = [deputy for deputy in deputies if deputy]
    if not named:
        return " (no deputy named)"
    some = " for part of it" if None in deputies else ""
    return f" (with {people_in_prose(named)} covering{some})"


def _until(period: Period, tz: ZoneInfo, today: date) -> str:
    """`through *Fri 4 Dec*`, or `until *Fri 4 Dec 14:00*` when it ends within a day."""
    if (period.ends_at.astimezone(tz).hour, period.ends_at.astimezone(tz).minute) == (0, 0):
        return f"through *{_last_day(period, tz, today)}*"
    return f"until *{_day(period.ends_at, tz, today)}*"


def _planned(stretches: Sequence[Period], tz: ZoneInfo, today: date) -> str:
    """`Your time away from … to … is still planned.`, with every stretch to come."""
    return f"Your time away {_spans(stretches, tz, today)} is still planned."


# At most this many partners are summed up after `back`; the rest are counted.
WHILE_AWAY_PARTNERS = 8
_DID = {
    TouchpointKind.DONE: ("logged", "contact", "contacts"),
    TouchpointKind.PLANNED: ("planned", "contact", "contacts"),
    TouchpointKind.INTENDED: ("stated", "intent", "intents"),
}


def while_away(partners: Sequence[PartnerWhileAway]) -> str:
    """After `back`: what colleagues did with the partners the person owns while they were
    away, a line per partner; empty when nothing happened."""
    if not partners:
        return ""
    return "\n".join([WHILE_AWAY, *while_away_lines(partners), CHECK_ONE])


WHILE_AWAY = "While you were away, with the partners you own:"
CHECK_ONE = f"`{COMMAND} check NAME` briefs you on one."


def while_away_lines(partners: Sequence[PartnerWhileAway]) -> list[str]:
    """A line per partner, at most `WHILE_AWAY_PARTNERS`, then how many more."""
    lines = [_while_away_line(partner) for partner in partners[:WHILE_AWAY_PARTNERS]]
    more = len(partners) - WHILE_AWAY_PARTNERS
    if more > 0:
        lines.append(more_partners(more))
    return lines


def more_partners(more: int) -> str:
    return f"… and {more} more partner{'s' if more > 1 else ''}."


def welcome_back(away: Period, *, tz: ZoneInfo, now: datetime) -> str:
    """The lead of the direct message to someone back from time away that ended on its own
    (no `back`), above what colleagues did meanwhile (`while_away`)."""
    return f"Welcome back! Your time away {span(away, tz, now.astimezone(tz).date())} is over."


PROBLEMS_WHILE_AWAY = "Reported as a *Problem* in check-ins while you were away:"


def problems_while_away(problems: Sequence[ProblemWhileAway], *, tz: ZoneInfo) -> str:
    """For the welcome back: a line per check-in answered Problem about a partner the reader
    owns in their time away (who, which partner, when); empty when none was."""
    if not problems:
        return ""
    return "\n".join([PROBLEMS_WHILE_AWAY, *(_problem_line(found, tz) for found in problems)])


def _problem_line(found: ProblemWhileAway, tz: ZoneInfo) -> str:
    """`• *Acme*: @ben, on Wed 25 Nov at 09:30`."""
    local = found.at.astimezone(tz)
    day = f"{local:%a} {local.day} {local:%b} at {local:%H:%M}"
    return f"• {bold(found.partner_name)}: {person(found.user_id)}, on {day}"


def _while_away_line(partner: PartnerWhileAway) -> str:
    """`• *Oxfam*: @chloe planned 1 contact; @ben stated 1 intent (@dan answered “Go ahead”)`."""
    by_author: dict[str, list[str]] = {}
    for contact in partner.contacts:
        by_author.setdefault(contact.author_id, [])
    for author, did in by_author.items():
        theirs = [contact for contact in partner.contacts if contact.author_id == author]
        for kind, (verb, one, many) in _DID.items():
            n = sum(1 for contact in theirs if contact.kind is kind)
            if n:
                did.append(f"{verb} {n} {one if n == 1 else many}")
        intents = [contact for contact in theirs if contact.kind is TouchpointKind.INTENDED]
        if len(intents) == 1:
            did[-1] += f" ({_intent_outcome(intents[0])})"
        elif intents:
            did[-1] += f" ({_intent_outcomes(intents)})"
    line = f"• {bold(partner.name)}: " + "; ".join(
        f"{person(author)} {in_prose(did)}" for author, did in by_author.items()
    )
    if partner.alerts:
        line += f"; {partner.alerts} revolving-door alert{'s' if partner.alerts > 1 else ''}"
    return line + "."


def _intent_outcome(intent: ContactWhileAway, *, counted: bool = False) -> str:
    """What came of an intent; `counted`: said after a count of them (`1 with no answer in
    time`, `2 then logged as {contacts}`, the noun filled in by `_intent_outcomes`)."""
    answer, by = intent.intent_answer, intent.intent_answered_by
    if answer is None:
        # A cover who had the question keeps it (`Touchpoints.cover_unread`): say whose answer
        # is awaited, so the owner back does not look for a question they never got.
        if intent.intent_asked_instead is not None:
            return f"still waiting for {person(intent.intent_asked_instead)}'s answer"
        if intent.intent_asked_reader:
            # Handed back from a cover who had not had it, or never handed on (QA21a NIT 3).
            if counted:
                return "still waiting, now for your answer"
            return "still waiting for your answer: the question is yours now"
        return "still waiting for an answer"
    if answer is IntentAnswer.LAPSED:
        return "with no answer in time" if counted else "no answer in time"
    if answer is IntentAnswer.LOGGED:
        return f"then logged as {_CONTACTS}" if counted else "then logged the contact"
    if answer is IntentAnswer.ENDED:
        return "closed when the partnership ended"
    if counted:
        return f"answered “{ANSWER_LABELS[answer]}” by {person(by)}"
    return f"{person(by)} answered “{ANSWER_LABELS[answer]}”"


# Where a count's noun goes in a counted outcome ("then logged as a contact", "… contacts").
_CONTACTS = "{contacts}"


def _intent_outcomes(intents: Sequence[ContactWhileAway]) -> str:
    """Several intents' outcomes, counted: `1 then logged as a contact; 1 with no answer in
    time`, or `both with no answer in time` (QA: "stated 2 intents (then logged the contact;
    no answer in time)" left the reader to guess which was which)."""
    counted: dict[str, int] = {}
    for intent in intents:
        outcome = _intent_outcome(intent, counted=True)
        counted[outcome] = counted.get(outcome, 0) + 1

    def said(outcome: str, n: int) -> str:
        return outcome.replace(_CONTACTS, "a contact" if n == 1 else "contacts")

    if len(counted) == 1:
        ((outcome, n),) = counted.items()
        return f"{'both' if n == 2 else f'all {n}'} {said(outcome, n)}"
    return "; ".join(f"{n} {said(outcome, n)}" for outcome, n in counted.items())


READING_ZONE = "Reading those dates in your time zone… I'll answer here in a moment."


def asking_about_deputy(deputy_id: str) -> str:
    return (
        f"Asking Slack for {person(deputy_id)}'s time zone, so that what they cover for you "
        "reaches them in their working hours… I'll answer here in a moment."
    )
