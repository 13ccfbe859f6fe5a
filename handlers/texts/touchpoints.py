"""Everything Liaison says about touchpoints: answers to `log`, `plan`, `intend` and `check`, the
coordination channel's alerts, the owner's notes and questions, and the answers to intents.

Dates shown to one person are in their time zone ("yesterday", "Fri 4 Dec at 14:00"). In a
channel, a time is a Slack date token, which every reader's client shows in their own zone; a day
without a time is shown as that day.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from bot.dates import AHEAD_EXAMPLES, EXAMPLES, WEEKDAYS, contact_day
from bot.mrkdwn import literal
from bot.services.channels import PassedOver
from bot.services.registry import PartnerFacts
from bot.services.touchpoints import (
    MAX_NOTES,
    BadTouchpoint,
    Briefing,
    Clash,
    IntentOutcome,
    Known,
    MergeFinding,
    Problem,
    Recorded,
    Reopening,
    Touch,
    has_passed,
    joint_clashes,
)
from handlers.grammar import in_command
from handlers.texts.partners import (
    ago,
    bold,
    channel_ref,
    ending,
    in_prose,
    people,
    people_in_prose,
    person,
    refused_in_words,
    too_long,
    who_may,
)
from storage.models import IntentAnswer, TeamRole, TouchpointKind

COMMAND = "/partner"
QUOTED_NOTES = 300

# What someone did or will do with a partner, by medium; `{}` is the partner ("them", "*Acme*"),
# which goes before a trailing "at an event" ("met them at an event", not "met at an event them").
_DONE = {
    "meeting": "met {}",
    "call": "had a call with {}",
    "email": "emailed {}",
    "event": "met {} at an event",
}
_DONE_DEFAULT = "was in touch with {}"
_PLANNED = {
    "meeting": "plans to meet {}",
    "call": "plans a call with {}",
    "email": "plans to email {}",
    "event": "plans to meet {} at an event",
}
_PLANNED_DEFAULT = "plans to be in touch with {}"
# The verbs above said to their subject.
_SECOND_PERSON = {"plans": "plan", "intends": "intend", "was": "were", "has": "have"}
# A plan whose moment has passed without being logged (or before it was).
_WAS_PLANNED = {
    "meeting": "planned to meet {}",
    "call": "planned a call with {}",
    "email": "planned to email {}",
    "event": "planned to meet {} at an event",
}
_WAS_PLANNED_DEFAULT = "planned to be in touch with {}"
ANSWER_LABELS = {
    IntentAnswer.GO_AHEAD: "Go ahead",
    IntentAnswer.HANDLE_IT: "I'll handle it",
    IntentAnswer.TALK_FIRST: "Let's talk first",
}
_ANSWER_MARKS = {
    IntentAnswer.GO_AHEAD: "✅",
    IntentAnswer.HANDLE_IT: "✋",
    IntentAnswer.TALK_FIRST: "💬",
    IntentAnswer.LAPSED: "⏱️",
    IntentAnswer.LOGGED: "📝",
    IntentAnswer.ENDED: "⚫",
}

# Buttons.
BRIEF_ME = "Brief me"
REGISTER = "Register it"
REGISTER_ANYWAY = "Register anyway"


# --- Dates --------------------------------------------------------------------------------------


# The channel's zone until the workspace sets one (`config timezone`).
_UTC = ZoneInfo("UTC")


def _day_of(touch: Touch, tz: tzinfo) -> date:
    return contact_day(touch.at, day_only=touch.day_only, tz=tz)


def day_words(day: date, today: date) -> str:
    """`today`, `yesterday`, `tomorrow`, or `on Tue 24 Nov` (with the year when it differs)."""
    offset = (day - today).days
    if offset in (-1, 0, 1):
        return {-1: "yesterday", 0: "today", 1: "tomorrow"}[offset]
    return _on_day(day, year=day.year != today.year)


def _on_day(day: date, *, year: bool = False) -> str:
    return f"on {_day(day, year=year)}"


def _day(day: date, *, year: bool = False) -> str:
    """`Fri 27 Nov` (with the year if asked)."""
    text = f"{day:%a} {day.day} {day:%b}"
    return f"{text} {day.year}" if year else text


def _through(end: datetime) -> str:
    """How long someone is away, from the end of their time away in their zone: `through Fri
    27 Nov` when it ends at their midnight (whole days), else `until Mon 30 Nov 14:00
    (Europe/London)`, so that a few hours away do not read as the whole day."""
    if end.time() == time(0):
        return f"through {_day(end.date() - timedelta(days=1))}"
    return f"until {_day(end.date())} {end:%H:%M} ({end.tzinfo})"


def when(
    touch: Touch, *, tz: ZoneInfo, now: datetime | None = None, written: datetime | None = None
) -> str:
    """When a touch happens, for a reader in `tz`: `yesterday`, `on Fri 4 Dec at 14:00`.

    Without `now` (a message that may wait for the reader's working hours), always the date,
    with its year when that is not the year the message was `written`.
    An intent is dated by the day it was stated: `(since yesterday)`.
    """
    day = _day_of(touch, tz)
    if now is not None:
        today = now.astimezone(tz).date()
        if touch.day_only and touch.kind is TouchpointKind.DONE and day > today:
            # Logged for its author's today, already tomorrow where they are: never "tomorrow".
            text = _on_day(day, year=day.year != today.year)
        else:
            text = day_words(day, today)
    else:
        text = _on_day(day, year=written is not None and day.year != written.astimezone(tz).year)
    if touch.kind is TouchpointKind.INTENDED:
        return f"(since {text.removeprefix('on ')})"
    if touch.day_only:
        return text
    return f"{text} at {touch.at.astimezone(tz):%H:%M}"


def when_in_channel(touch: Touch, *, written: datetime | None = None, tz: ZoneInfo = _UTC) -> str:
    """When a touch happens, for everyone in a channel (a Slack date token for a time), with
    the year when that is not the year the message was `written`. Where the token is not
    shown (notifications), the day and time in `tz`, the workspace's zone: the calendar the
    coordination window counts days in."""
    day = _day_of(touch, tz)
    plain = _on_day(day, year=written is not None and day.year != written.astimezone(tz).year)
    if touch.kind is TouchpointKind.INTENDED:
        return f"(since {plain.removeprefix('on ')})"
    if touch.day_only:
        return plain
    stamp = int(touch.at.timestamp())
    local = touch.at.astimezone(tz)
    fallback = f"{plain} at {local:%H:%M} {local:%Z}"
    return f"<!date^{stamp}^{{date_short_pretty}} at {{time}}|{fallback}>"


def by_moment(moment: datetime, *, tz: ZoneInfo, now: datetime | None = None) -> str:
    """A deadline for one reader: `by tomorrow at 09:04`, `by Mon 30 Nov at 09:04`."""
    local = moment.astimezone(tz)
    day = day_words(local.date(), now.astimezone(tz).date()) if now else _on_day(local.date())
    return f"by {day.removeprefix('on ')} at {local:%H:%M}"


# --- Who did what -------------------------------------------------------------------------------


def who(touch: Touch, *, reader: str | None = None, also_by: Sequence[str] = ()) -> str:
    """The author, and the colleagues who took part with them; the `reader` is "You". With
    `also_by`, the authors of other records of the same contact (`joint_clashes`): "@ben and
    @chloe", and only the others who took part in brackets."""
    authors = [touch.author_id, *also_by]
    named = ["you" if user == reader else person(user) for user in authors]
    author = in_prose(named)
    author = author[0].upper() + author[1:]  # "You"; a mention starts with "<"
    with_others = [user for user in touch.participants if user not in authors]
    if not with_others:
        return author
    with_whom = ", ".join("you" if user == reader else person(user) for user in with_others)
    return f"{author} (with {with_whom})"


def action(
    touch: Touch,
    target: str = "them",
    *,
    passed: bool = False,
    you: bool = False,
    read_later: bool = False,
) -> str:
    """What they did or will do with `target`: `met them`, `plans a call with *Acme*`; a plan
    whose moment has `passed` in the past tense: `planned to meet them`, and one in a message
    that may be `read_later` than written in the perfect: `has planned to meet them`. Said to
    the author (`you`): `plan a call with *Acme*`."""
    medium = touch.medium or ""
    if touch.kind is TouchpointKind.DONE:
        verb = _DONE.get(medium, _DONE_DEFAULT)
    elif touch.kind is TouchpointKind.PLANNED and passed:
        verb = _WAS_PLANNED.get(medium, _WAS_PLANNED_DEFAULT)
    elif touch.kind is TouchpointKind.PLANNED and read_later:
        # The perfect, true before and after the plan's moment: "has planned to meet".
        verb = "has " + _WAS_PLANNED.get(medium, _WAS_PLANNED_DEFAULT)
    elif touch.kind is TouchpointKind.PLANNED:
        verb = _PLANNED.get(medium, _PLANNED_DEFAULT)
    else:
        verb = "intends to reach out to {}"
    if you:
        first, space, rest = verb.partition(" ")
        verb = f"{_SECOND_PERSON.get(first, first)}{space}{rest}"
    # Not str.format: the target may hold braces of its own (a partner's name).
    before, _, after = verb.partition("{}")
    return f"{before}{target}{after}"


def with_contact(touch: Touch) -> str:
    return (
        f" with {in_prose([_one_person(name) for name in touch.contacts])}"
        if touch.contacts
        else ""
    )


def _one_person(name: str) -> str:
    """A name that holds a list's own words (`Smith, John`, `Anna and Bob`) quoted, so that a
    list of people reads as the people it is; shown as typed (`literal`: `Jane_Doe`)."""
    separates = "," in name or "&" in name or " and " in f" {name.lower()} "
    return f"“{literal(name)}”" if separates else literal(name)


def quote(notes: str | None) -> str:
    if not notes:
        return ""
    text = " ".join(notes.split())
    if len(text) > QUOTED_NOTES:
        text = text[: QUOTED_NOTES - 1] + "…"
    return f"“{text}”"


def clash_said(
    clash: Clash,
    *,
    when_text: str,
    passed: bool = False,
    reader: str | None = None,
    read_later: bool = False,
) -> str:
    """One other contact, in words (a list's line after "• "); the `reader`'s own contacts are
    theirs: `You plan to meet them …`."""
    same = " — *the same contact person*" if clash.same_contact else ""
    if clash.same_contact and clash.shared and len(clash.other.contacts) > 1:
        same = f" — *the same contact person: {in_prose([literal(n) for n in clash.shared])}*"
    other = clash.other
    # Two or more people, or "you": the verb as for "you" ("plan", "have planned").
    plural = other.author_id == reader or bool(clash.also_by)
    doing = action(other, passed=passed, you=plural, read_later=read_later)
    said_by = who(other, reader=reader, also_by=clash.also_by)
    return f"{said_by} {doing} {when_text}{with_contact(other)}{same}"


def clash_lines(clashes: Sequence[Clash], *, tz: ZoneInfo, now: datetime | None = None) -> str:
    """The other contacts, for one reader; read `now`, a plan gone by is in the past tense."""
    return listed(
        "• "
        + clash_said(
            clash,
            when_text=when(clash.other, tz=tz, now=now),
            passed=now is not None and has_passed(clash.other, tz=tz, now=now),
        )
        for clash in joint_clashes(clashes, tz=tz)
    )


def listed(lines: Iterable[str]) -> str:
    """Lines one under the other, a line said twice once with how often: two contacts of one
    colleague's that read alike (the same time, kind and people) are not a bug to the reader."""
    counts = Counter(lines)
    return "\n".join(
        line if n == 1 else f"{line} ({'twice' if n == 2 else f'{n} times'})"
        for line, n in counts.items()
    )


def _others(clashes: Sequence[Clash]) -> list[str]:
    return list(dict.fromkeys(clash.other.author_id for clash in clashes))


# --- The caller's answer ------------------------------------------------------------------------


def recorded_lead(result: Recorded, *, now: datetime) -> str:
    touch = result.touch
    what = _what_recorded(result, now=now)
    if touch.kind is TouchpointKind.DONE:
        return f"Logged {what}."
    if touch.kind is TouchpointKind.PLANNED:
        return f"Planned {what}."
    return f"Noted that you intend to reach out to {what}: {quote(touch.notes)}"


def _what_recorded(result: Recorded, *, now: datetime) -> str:
    """`your call with *Acme* yesterday with Jane Doe, together with @ben`; for an intent,
    `*Acme* with Jane Doe, …`."""
    touch, name = result.touch, result.partner.name
    with_colleagues = (
        f", together with {people_in_prose(touch.participants)}" if touch.participants else ""
    )
    if touch.kind is TouchpointKind.INTENDED:
        return f"{bold(name)}{with_contact(touch)}{with_colleagues}"
    noun = touch.medium or "contact"
    # An email goes to someone: "your email to *Acme*", not "with".
    to = "to" if noun == "email" else "with"
    when_ = when(touch, tz=result.tz, now=now)
    if noun == "event":
        # "your event with Acme" reads as if the caller hosted it (QA21a NIT 1).
        return (
            f"your meeting with {bold(name)} at an event {when_}"
            f"{with_contact(touch)}{with_colleagues}"
        )
    return f"your {noun} {to} {bold(name)} {when_}{with_contact(touch)}{with_colleagues}"


_TWIN_VERBS = {
    TouchpointKind.DONE: ("logged", "log"),
    TouchpointKind.PLANNED: ("planned", "plan"),
    TouchpointKind.INTENDED: ("noted", "intend"),
}


def recorded_twice(result: Recorded, *, now: datetime) -> str:
    """The answer to a contact the caller sent twice (`Recorded.twin_at`): nothing new saved."""
    assert result.twin_at is not None
    touch, what = result.touch, _what_recorded(result, now=now)
    done, _ = _TWIN_VERBS[touch.kind]
    ago_ = _moments_ago(result.twin_at, now).capitalize()
    if touch.kind is TouchpointKind.INTENDED:
        said = f"{ago_} you told me you intend to reach out to {what}: {quote(touch.notes)}\n"
        if touch.asked is not None and touch.answer is None:
            # As `asked_already` says it: the question is open, whoever it waits for.
            return (
                f"{said}I haven't noted it a second time: I've asked {person(touch.asked)} "
                "already and the answer is still to come, as a direct message."
            )
        return f"{said}I haven't noted it a second time."
    return f"{ago_} you {done} {what}, so I haven't {done} it a second time."


def asked_already(result: Recorded, *, now: datetime) -> str:
    """The answer to an intent the caller noted before and is still open
    (`Recorded.open_since`): nothing new noted, nobody asked again."""
    assert result.open_since is not None
    touch, what = result.touch, _what_recorded(result, now=now)
    day = result.open_since.astimezone(result.tz).date()
    since = day_words(day, now.astimezone(result.tz).date())
    said = f"You told me {since} that you intend to reach out to {what}: {quote(touch.notes)}"
    if touch.asked is None:
        return f"{said}\nIt is still open, so I haven't noted it a second time."
    return (
        f"{said}\nI've asked {person(touch.asked)} already and the answer is still to come, so "
        "I haven't asked again: it comes to you as a direct message."
    )


def tell_twins_apart(result: Recorded, *, tz: ZoneInfo, now: datetime) -> str:
    """How to log or plan a second contact that only looks like the first: with its own notes.
    (A second intent to reach out, as typed, is the same intent.)"""
    touch, name = result.touch, result.partner.name
    # Shown as code, which a backtick would end: an apostrophe finds the same partner.
    in_code = name.replace("`", "’")
    _, verb = _TWIN_VERBS[touch.kind]
    day = _day_of(touch, tz)
    on = ""
    if touch.kind is TouchpointKind.PLANNED or day != now.astimezone(tz).date():
        on = f" on {day:%Y-%m-%d}"
        if not touch.day_only:
            on += f" {touch.at.astimezone(tz):%H:%M}"
    # A plan is a meeting unless it says otherwise.
    plain = touch.kind is TouchpointKind.PLANNED and touch.medium == "meeting"
    via = f" via {touch.medium}" if touch.medium and not plain else ""
    return (
        f"If it is another {touch.medium or 'contact'}, send it with notes that tell the two "
        f'apart, for example `{COMMAND} {verb} "{in_code}"{on}{via} : the second one, about …`'
    )


def _moments_ago(then: datetime, now: datetime) -> str:
    minutes = int((now - then).total_seconds() // 60)
    if minutes < 1:
        return "a moment ago"
    return "a minute ago" if minutes == 1 else f"{minutes} minutes ago"


def clashes_heading(facts: PartnerFacts, *, known: bool = False) -> str:
    """Above the others in touch: a warning when any of them is news to the caller; when all
    were known already, a plain heading, as nothing new needs their attention."""
    if known:
        return f"Also in touch with {bold(facts.name)} lately:"
    return f":warning: *Others are in touch with {literal(facts.name)}:*"


# At most this many people to coordinate with are named in a line; the others in touch are
# listed just above it.
COORDINATE_NAMED = 4


def coordinate_with(
    clashes: Sequence[Clash],
    *,
    reader: Touch | None = None,
    owner: str | None = None,
    covering: str | None = None,
    known: bool = False,
) -> str:
    """Whom to talk to: the others in touch, those who took part with them included, as the
    channel's alert names them (not the `reader`'s own party, together already), authors
    first; for an `owner` away, whoever is `covering`. When the caller `known` of them all
    already, a reminder rather than a call to stop."""
    ours = () if reader is None else reader.colleagues
    others = [
        user
        for user in dict.fromkeys(
            [*_others(clashes), *(user for c in clashes for user in c.other.participants)]
        )
        if user not in ours
    ] or _others(clashes)  # never nobody, should the others all be of the reader's party
    away = ""
    if covering is not None and owner in others:
        others = list(dict.fromkeys(covering if user == owner else user for user in others))
        away = f" ({person(covering)} covers for {person(owner)}, who is away)"
    named = [person(user) for user in others[:COORDINATE_NAMED]]
    if len(others) > COORDINATE_NAMED:
        named.append(f"{len(others) - COORDINATE_NAMED} more")
    with_them = in_prose(named)
    if known:
        these = "this" if len(clashes) == 1 else "these"
        return f"You know of {these} already; coordinate with {with_them} as you go{away}."
    return f"*Coordinate with {with_them}* before you go further{away}."


def _who_covers(result: Recorded) -> str:
    """Why a note or question waits for the owner's return: nobody covers, the caller does, or
    their deputy's hours begin only once they are back (or the deputy is away too)."""
    if result.covering is not None and result.covering == result.touch.author_id:
        # Not on the team, they cover for what others do, not for their own contacts: those
        # are the owner's to hear of and answer (`intend`: "the owner is asked"; QA21a NIT 8).
        return "you cover for them, but not for what you do yourself, as you're not on its team:"
    if result.cover_out_of_reach is not None:
        deputy = person(result.cover_out_of_reach)
        return f"their deputy {deputy} isn't reachable before then either:"
    return "nobody covers for them:"


def _passed_over(facts: PartnerFacts, refused: Sequence[tuple[str, str]]) -> list[str]:
    """Each channel an alert could not go to, what it is, and why."""
    said = []
    for channel, reason in refused:
        what = (
            "the partner's channel" if channel == facts.channel_id else "the coordination channel"
        )
        said.append(f"{channel_ref(channel)}, {what}: {refused_in_words(reason)}")
    return said


def _fix_channel(facts: PartnerFacts, refused: Sequence[tuple[str, str]]) -> str:
    """Who can fix the refusing channels, and how."""
    fixes = []
    if any(channel != facts.channel_id for channel, _ in refused):
        fixes.append(
            f"an admin can choose a channel Liaison can post in with "
            f"`{COMMAND} config channel #channel`"
        )
    if any(channel == facts.channel_id for channel, _ in refused):
        fixes.append(
            f"anyone may choose another for the partner: "
            f"`{COMMAND} channel {in_command(facts.name)} #channel`"
        )
    return "; ".join(fixes)


def not_there(facts: PartnerFacts, refused: Sequence[tuple[str, str]]) -> str:
    """After where an alert went: why not where the partner's alerts would go (Slack refused
    Liaison there), in words; "" when nothing was passed over."""
    return "".join(
        f" {'Not' if i == 0 else 'Nor'} in {passed}."
        for i, passed in enumerate(_passed_over(facts, refused))
    )


def nobody_alerted(
    facts: PartnerFacts,
    refused: Sequence[tuple[str, str]],
    *,
    ask: str = "Please coordinate yourself.",
) -> str:
    """Every channel an alert could go to refuses Liaison: no alert went out. (Not "nobody
    else heard of it": the owner may still be told by direct message.)"""
    return (
        f"I posted no alert: Slack won't let Liaison post in "
        f"{'; nor in '.join(_passed_over(facts, refused))}. {ask} To fix "
        f"it, {_fix_channel(facts, refused)}."
    )


def no_channel_set(ask: str | None = None) -> str:
    """No coordination channel is set (nor a default): an alert had nowhere to go. `ask`: what
    the reader should do instead, as a sentence. Not "nobody else was alerted": the owner may
    still hear of it by direct message, naming the other colleague."""
    said = "No coordination channel is set, so I posted no alert"
    fix = f"can set one with `{COMMAND} config channel #channel`."
    return f"{said}. {ask} An admin {fix}" if ask else f"{said}: an admin {fix}"


def alert_said(result: Recorded) -> str:
    # The reader is "you", never a name of theirs: as the owner, or as whoever covers.
    author, owner_id = result.touch.author_id, result.partner.owner_id
    owner = "owner: you" if owner_id == author else f"owner {person(owner_id)}"
    if result.covering is not None:
        cover = "you cover" if result.covering == author else f"{person(result.covering)} covers"
        owner = f"{owner}, away; {cover}"
    if result.alert_channel is not None:
        where = channel_ref(result.alert_channel)
        why = not_there(result.partner, result.refused_channels)
        if result.alert_threaded:
            return f"I've added this to the thread of the latest alert in {where} ({owner}).{why}"
        if result.covering is not None:
            # The owner, away, hears of themselves as "you" (QA21a BUG 6).
            for_whom = (
                "you"
                if result.partner.owner_id == result.touch.author_id
                else f"the owner {person(result.partner.owner_id)}"
            )
            if result.covering == author:
                return (
                    f"I've posted this in {where}, which names you as covering for {for_whom} "
                    f"while away.{why}"
                )
            return (
                f"I've posted this in {where} and mentioned {person(result.covering)}, who "
                f"covers for {for_whom} while away.{why}"
            )
        if result.partner.owner_id == result.touch.author_id:
            return f"I've posted this in {where}, which names you as its owner.{why}"
        return (
            f"I've posted this in {where} and mentioned the owner "
            f"{person(result.partner.owner_id)}.{why}"
        )
    if result.refused_channels:
        return nobody_alerted(result.partner, result.refused_channels)
    if result.no_channel:
        return no_channel_set()
    if result.already_known is Known.TOGETHER:
        return (
            f"You've been in touch with them together with "
            f"{people_in_prose(_others(result.clashes))} "
            "lately, so you coordinate already: I posted no alert in the coordination channel."
        )
    if result.already_known is Known.TOLD:
        # The reader is the owner (or whoever covers), told of the others' contact or intent
        # by a direct message that had reached them; said plainly (QA20c NIT 12).
        others = _others(result.clashes)
        intents = all(clash.other.kind is TouchpointKind.INTENDED for clash in result.clashes)
        what = ("intent" if intents else "contact") + ("s" if len(others) > 1 else "")
        return (
            f"I told you of {people_in_prose(others)}'s {what} in a direct message already, so "
            "I posted no alert in the coordination channel."
        )
    if result.already_known is Known.ASKED:
        # The owner intending on their own partner: the colleagues' intents are questions to
        # them, or to whoever covers for them (`open_questions` says which).
        others = _others(result.clashes)
        what = "intents are questions" if len(others) > 1 else "intent is a question"
        return (
            f"{people_in_prose(others)}'s {what} for you, so I posted no alert in the "
            "coordination channel."
        )
    if result.already_known is Known.MIXED:
        return (
            "You and they know of each other already (from an alert, a direct message, or a "
            "contact together), so I posted no new alert in the coordination channel."
        )
    return (
        f"An alert in {_alerted_where(result)} named you together lately, so I posted no new one."
    )


def _alerted_where(result: Recorded) -> str:
    """The channel of the alert that named the caller together with the others: the partner's
    own, or another (the coordination channel, or the one alerts went to while it refused)."""
    channel = result.alerted_in
    if channel is None:
        return "the channel"
    if channel == result.partner.channel_id:
        return f"{channel_ref(channel)}, the channel of {bold(result.partner.name)},"
    return channel_ref(channel)


def reopen_hint(facts: PartnerFacts, reopening: Reopening | None) -> str:
    """How an ended partner is reopened, for the reader: the command to those the registry
    lets change it (owner, deputy, admins), whom to ask to the others (QA21a BUG 5)."""
    if reopening is None or reopening.may:
        return f"`{COMMAND} status {in_command(facts.name)} active` reopens it"
    who = who_may(reopening.admins, owner=reopening.owner_id, deputy=reopening.deputy_id)
    return f"ask {who} to reopen it"


def ended_partner(
    facts: PartnerFacts, *, kind: TouchpointKind, reopening: Reopening | None = None
) -> str:
    """The answer to `plan` or `intend` for a partner whose partnership has ended."""
    what = "plan a contact with it" if kind is TouchpointKind.PLANNED else "note an intent for it"
    return (
        f"The partnership with {bold(facts.name)} has ended, and nobody follows it any more, so I "
        f"don't {what}. If it goes on, {reopen_hint(facts, reopening)}; then send this again."
    )


def open_questions(result: Recorded) -> str | None:
    """For the owner intending to reach out to their own partner: the colleagues' intents
    they collide with whose question is still open with them, or with whoever covers for them
    while away, so that the colleague is not told later they may go ahead while the owner is
    reaching out too (QA21a BUG 6, NIT 4)."""
    touch, owner = result.touch, result.partner.owner_id
    if touch.kind is not TouchpointKind.INTENDED or owner != touch.author_id:
        return None
    open_ = [
        clash.other
        for clash in result.clashes
        if clash.other.kind is TouchpointKind.INTENDED
        and clash.other.asked is not None
        and clash.other.answer is None
    ]
    if not open_:
        return None
    lines = []
    for asked in dict.fromkeys(other.asked for other in open_):
        whose = people_in_prose(
            list(dict.fromkeys(other.author_id for other in open_ if other.asked == asked))
        )
        if asked == owner:
            lines.append(
                f"{whose}'s question is still open with you: answering “I'll handle it” tells "
                "them you are reaching out yourself."
            )
        else:
            lines.append(
                f"{whose}'s question waits for {person(asked)}, who covers for you while "
                f"away: let {person(asked)} know you are reaching out yourself."
            )
    return "\n".join(lines)


def owner_told(result: Recorded) -> str | None:
    """What the caller hears about the owner being told or asked."""
    facts, touch = result.partner, result.touch
    if result.ended:
        return (
            f"The partnership with {bold(facts.name)} has ended: I've kept this as its history and "
            f"told nobody. If it goes on, {reopen_hint(facts, result.reopening)}."
        )
    owner = facts.owner_id
    if touch.kind is TouchpointKind.INTENDED:
        if owner is None:
            return f"Nobody owns {bold(facts.name)} yet, so there is no one to ask."
        if touch.asked is None:
            if owner == touch.author_id:
                return (
                    f"You own {bold(facts.name)}, so you need nobody's go-ahead and I asked "
                    "nobody; colleagues see your intent in "
                    f"`{COMMAND} check {in_command(facts.name)}`."
                )
            if owner in touch.colleagues:
                return f"{person(owner)} takes part, so there is no one else to ask."
            return (
                f"You cover for the owner {person(owner)} while they are away, so there is no "
                "one else to ask."
            )
        asked = (
            f"the owner {person(owner)}"
            if touch.asked == owner
            else f"{person(touch.asked)}, who covers for the owner {person(owner)} while away,"
        )
        away_ahead = (
            f" ({person(touch.asked)} is away {_through(result.asked_away_until)})"
            if result.asked_away_until is not None and touch.asked is not None
            else ""
        )
        deadline = (
            f" If there is no answer {by_moment(touch.deadline, tz=result.tz, now=touch.at)}"
            f"{away_ahead}, you may go ahead."
            if touch.deadline is not None
            else ""
        )
        if result.cover_then is not None and touch.deadline is not None:
            # The owner's day to answer ends in their time away: their cover is asked then.
            deadline = (
                f" If there is no answer {by_moment(touch.deadline, tz=result.tz, now=touch.at)}"
                f", when {person(owner)} is away, I'll ask {person(result.cover_then)}, who "
                "covers for them, and tell you."
            )
        if result.cover_away_until is not None and touch.asked is not None:
            # Whoever covers is away too, back before the owner: the question waits for them.
            return (
                f"The owner {person(owner)} is away{_through_or_now(result.owner_away_until)}"
                f" and {person(touch.asked)}, who covers for them, is away "
                f"{_through(result.cover_away_until)}: I've queued the question for when "
                f"{person(touch.asked)} is back; the answer comes to you as a direct message."
                f"{deadline}"
            )
        if result.owner_away_until is not None:
            # Away with nobody covering (or only the asker): the question waits in the outbox
            # until they are back.
            return (
                f"The owner {person(owner)} is away {_through(result.owner_away_until)}"
                f" and {_who_covers(result)} I've queued the question for when they are back; "
                f"the answer comes to you as a direct message.{deadline}"
            )
        if result.asked_off_duty:
            # Queued for their working hours: not asked yet (QA21a NIT 10).
            return (
                f"I'll ask {asked} to acknowledge or redirect when their working day begins; the "
                f"answer comes to you as a direct message.{deadline}"
            )
        return (
            f"I've asked {asked} to acknowledge or redirect; the answer comes to you as a "
            f"direct message.{deadline}"
        )
    if result.owner_told_by is not None:
        told, by = result.owner_told_by
        who = (
            f"its owner {person(owner)}"
            if told == owner
            else f"{person(told)}, who covers for its owner {person(owner)},"
        )
        return (
            f"You're not on the team of {bold(facts.name)}; {who} hears of this "
            f"{touch.medium or 'contact'} from {person(by)}'s record of it, so I haven't told "
            "them a second time."
        )
    if result.owner_told is None:
        return None
    if result.owner_told == owner and result.owner_away_until is not None:
        return (
            f"You're not on the team of {ending(facts.name)} Its owner {person(owner)} is away "
            f"{_through(result.owner_away_until)} and {_who_covers(result)} I've queued a note "
            "for when they are back."
        )
    # Queued for their working hours (a log on a Saturday): not told yet.
    let = "I'll let" if result.told_off_duty else "I've let"
    when = " when their working day begins" if result.told_off_duty else ""
    if result.owner_told == owner:
        return (
            f"You're not on the team of {bold(facts.name)}, so {let} its owner "
            f"{person(owner)} know{when}."
        )
    if result.cover_away_until is not None:
        told = person(result.owner_told)
        return (
            f"You're not on the team of {ending(facts.name)} Its owner {person(owner)} is away"
            f"{_through_or_now(result.owner_away_until)} and {told}, who covers for them, is "
            f"away {_through(result.cover_away_until)}: I've queued a note for when {told} is "
            "back."
        )
    return (
        f"You're not on the team of {bold(facts.name)}; its owner {person(owner)} is away, so "
        f"{let} {person(result.owner_told)}, who covers for them, know{when}."
    )


def _through_or_now(away_until: datetime | None) -> str:
    """How long someone is away, after "is away": ` through …` when its end is known."""
    return "" if away_until is None else f" {_through(away_until)}"


# --- The coordination channel -------------------------------------------------------------------


def alert_text(
    facts: PartnerFacts,
    touch: Touch,
    clashes: Sequence[Clash],
    *,
    threaded: bool,
    recorded_at: datetime | None = None,
    tz: ZoneInfo = _UTC,
) -> str:
    """The alert: both (or all) people, their dates (on the calendar of `tz`, the workspace's
    zone), the partner, the owner mentioned."""
    lead = (
        f"Another colleague in touch with {bold(facts.name)}:"
        if threaded
        else f":rotating_light: *Revolving door at {literal(facts.name)}*"
    )

    def passed(other: Touch) -> bool:
        return recorded_at is not None and has_passed(other, tz=tz, now=recorded_at)

    # A plan gone by (one put back after "Didn't happen", or met by a merge) reads as past.
    new = (
        f"{who(touch)} {action(touch, passed=passed(touch))} "
        f"{when_in_channel(touch, written=recorded_at, tz=tz)}"
        f"{with_contact(touch)}"
        f"{' — ' + quote(touch.notes) if touch.kind is TouchpointKind.INTENDED else ''}."
    )
    also = listed(
        "• "
        + clash_said(
            clash,
            when_text=when_in_channel(clash.other, written=recorded_at, tz=tz),
            passed=passed(clash.other),
        )
        # Days as the channel reads them (`when_in_channel`'s fallback).
        for clash in joint_clashes(clashes, tz=tz)
    )
    return f"{lead}\n{new}\nAlso in touch with them:\n{also}"


def refused_elsewhere(facts: PartnerFacts, passed: Sequence[PassedOver]) -> str:
    """Under an alert posted in the coordination channel because the partner's own refused it
    or Liaison's last message before it; or in the default channel because the coordination
    channel did (and the partner's own, if it has one)."""
    return posted_instead(passed, partner=facts.name)


def posted_instead(
    passed: Sequence[PassedOver], *, partner: str | None, what: str = "alerts come"
) -> str:
    """Under a message posted in the next channel (`bot.services.channels`) because Slack
    refused Liaison's last message in each channel `passed` over: the channel of `partner`
    (its own), or the coordination channel. One note naming them all, and who can mend each.
    `what`: the kind of message that comes here now, with its verb."""
    said = [
        f"{channel_ref(channel)}, "
        + (f"the channel of {bold(partner)}" if own and partner else "the coordination channel")
        + f" ({refused_in_words(reason)})"
        for channel, reason, own in passed
    ]
    lead = f"Posted here: Slack refused Liaison's last message in {' and in '.join(said)}."
    own_too = partner is not None and any(own for _channel, _reason, own in passed)
    workspace_too = any(not own or partner is None for _channel, _reason, own in passed)
    config = f"`{COMMAND} config channel #channel`"
    if not own_too:
        return (
            f"{lead} {what[:1].upper()}{what[1:]} here until an admin chooses a channel Liaison "
            f"can post in: {config}."
        )
    channel = f"`{COMMAND} channel {in_command(partner or '')} #channel`"
    if not workspace_too:
        return (
            f"{lead} Its {what} here until someone chooses a channel Liaison can post in: "
            f"{channel}."
        )
    return (
        f"{lead} Its {what} here until someone chooses a channel Liaison can post in for it "
        f"({channel}), or an admin does for the workspace ({config})."
    )


def alert_ask(
    facts: PartnerFacts,
    touch: Touch,
    clashes: Sequence[Clash],
    *,
    covering: str | None = None,
    owner_away_until: datetime | None = None,
    cover_out_of_reach: str | None = None,
) -> str:
    involved = _involved(touch, clashes)
    if facts.owner_id is None:
        return (
            f"{people(involved)}: please talk to each other. Nobody owns {bold(facts.name)} yet — "
            f"take it on with `{COMMAND} owner {in_command(facts.name)} @you`."
        )
    if owner_away_until is not None and covering is None:
        nobody = (
            "nobody covers"
            if cover_out_of_reach is None
            else f"their deputy {person(cover_out_of_reach)} isn't reachable before then either"
        )
        return (
            f"{people(involved)}: please talk to each other before anyone reaches out again. "
            f"The owner {person(facts.owner_id)} is away {_through(owner_away_until)} and "
            f"{nobody}."
        )
    asked = covering or facts.owner_id
    if covering is not None:
        addressed = (
            f"{person(covering)}, covering for the owner {person(facts.owner_id)} while away"
        )
    else:
        addressed = f"Owner {person(facts.owner_id)}"
    # The one asked to sort it out is not asked to coordinate with themselves, nor, while
    # covering, with the away owner: their contact is for whoever covers to speak for.
    others = [user for user in involved if user != asked]
    with_you = " with you" if asked in involved else ""
    if covering is not None:
        others = [user for user in others if user != facts.owner_id] or others
        if touch.author_id == facts.owner_id and others != [facts.owner_id]:
            # The owner, though away, is the one reaching out: the others coordinate with
            # them, not with their cover (QA21a BUG 6).
            with_you = f" with {person(facts.owner_id)}, the one reaching out now,"
    verb = "coordinates" if len(others) == 1 else "coordinate"
    return (
        f"{addressed}: please make sure {people_in_prose(others)} {verb}{with_you} before anyone "
        "reaches out again."
    )


def alert_fallback(facts: PartnerFacts, touch: Touch, clashes: Sequence[Clash]) -> str:
    """The alert's notification: the people its body asks to coordinate (`_involved`), so that
    nobody asked in it is left out of the line that reaches them first."""
    involved = _involved(touch, clashes)
    both = "both" if len(involved) == 2 else "all"
    owner = f"owner {person(facts.owner_id)}" if facts.owner_id else "no owner yet"
    return (
        f"Revolving door at {literal(facts.name)}: {people_in_prose(involved)} are {both} in "
        f"contact ({owner})."
    )


def _involved(touch: Touch, clashes: Sequence[Clash]) -> list[str]:
    """Everyone on either side of an alert, those who came along included (they met the
    partner too), each once."""
    return list(
        dict.fromkeys(
            [
                touch.author_id,
                *touch.participants,
                *(user for clash in clashes for user in clash.other.colleagues),
            ]
        )
    )


# --- The owner's notes and questions ------------------------------------------------------------


def why_owner(facts: PartnerFacts, recipient: str) -> str:
    if recipient == facts.owner_id:
        return f"you own {bold(facts.name)}"
    return f"you cover for {person(facts.owner_id)}, who owns {bold(facts.name)} and is away"


def owner_note(
    facts: PartnerFacts,
    touch: Touch,
    recipient: str,
    *,
    tz: ZoneInfo,
    written: datetime | None = None,
    revived: bool = False,
) -> str:
    """Someone outside the team's contact, for the owner (or whoever covers for them); or, once
    `revived`, the plan its author had said didn't happen, put back."""
    notes = f": {quote(touch.notes)}" if touch.notes else "."
    if revived:
        # Said as the contact it turned out to be.
        touch = replace(touch, kind=TouchpointKind.DONE)
    after_all = ", after all, though they had said it didn't happen" if revived else ""
    # The note is about its author's being outside the team: "They", with colleagues along
    # (one of them may be on it), would say it of them all.
    outside = f"{person(touch.author_id)} is" if touch.participants else "They are"
    return (
        f"{who(touch, reader=recipient)} {action(touch, f'{bold(facts.name)}', read_later=True)} "
        f"{when(touch, tz=tz, written=written)}"
        f"{with_contact(touch)}{after_all}{notes}\n"
        f"{outside} not on its team, and {why_owner(facts, recipient)}, so I'm letting you know."
    )


def also_in_touch(
    clashes: Sequence[Clash],
    *,
    tz: ZoneInfo,
    recorded_at: datetime | None = None,
    reader: str | None = None,
) -> str:
    """The other contacts, dated for the `reader`; a plan gone by when the contact was recorded
    reads as past."""
    lines = listed(
        "• "
        + clash_said(
            clash,
            when_text=when(clash.other, tz=tz, written=recorded_at),
            passed=recorded_at is not None and has_passed(clash.other, tz=tz, now=recorded_at),
            reader=reader,
            # Said in a DM that may wait for the reader's working hours.
            read_later=True,
        )
        for clash in joint_clashes(clashes, tz=tz)
    )
    return "*Also in touch within the coordination window:*\n" + lines


def moved_near(facts: PartnerFacts, touch: Touch, *, tz: ZoneInfo, now: datetime | None) -> str:
    """To whoever moved a planned meeting (or call, or event), when its new day brings it near
    other contacts."""
    return (
        f":warning: You moved the {touch.medium or 'meeting'} with {bold(facts.name)}: "
        f"{when(touch, tz=tz, now=now)} "
        "it is near other colleagues' contacts with them."
    )


def revived_near(facts: PartnerFacts, touch: Touch, *, tz: ZoneInfo, now: datetime | None) -> str:
    """To the author of a planned meeting who took back their "Didn't happen", when it comes
    near contacts colleagues recorded meanwhile."""
    return (
        f":warning: You said your {touch.medium or 'meeting'} with {bold(facts.name)} "
        f"{when(touch, tz=tz, now=now)} took place after all: it is near other colleagues' "
        "contacts with them."
    )


def merge_findings(
    facts: PartnerFacts,
    findings: Sequence[MergeFinding],
    *,
    tz: ZoneInfo,
    now: datetime,
    reader: str,
) -> list[str]:
    """To whoever merged: the colleagues the merge showed to be in touch with one partner,
    each contact with those it comes near (a meeting two colleagues each logged once:
    `joint_clashes`), and where the alert went."""
    if not findings:
        return []
    lines = [
        f":rotating_light: The merge shows colleagues in touch with {bold(facts.name)} who did not "
        "know of each other:"
    ]
    for finding in findings:
        touch = finding.touch
        passed = has_passed(touch, tz=tz, now=now)
        did = action(touch, passed=passed, you=touch.author_id == reader)
        # Each contact with those it collides with, said in full: "near @chloe" left the
        # reader to guess near in what (QA18a NIT 8).
        others = in_prose(
            [
                clash_said(
                    clash,
                    when_text=when(clash.other, tz=tz, now=now),
                    passed=has_passed(clash.other, tz=tz, now=now),
                    reader=reader,
                )
                for clash in joint_clashes(finding.clashes, tz=tz)
            ]
        )
        lines.append(
            f"• {who(touch, reader=reader)} {did} {when(touch, tz=tz, now=now)}"
            f"{with_contact(touch)}; in the same coordination window, {others}"
        )
    channels = [channel_ref(c) for c in sorted({f.channel for f in findings if f.channel})]
    if channels:
        owner = f" and mentioned the owner {person(facts.owner_id)}" if facts.owner_id else ""
        # The channels passed over on the way, as the answer to a logged contact names them.
        skipped = dict(pair for f in findings if f.channel for pair in f.passed_over)
        lines.append(
            f"I've alerted {in_prose(channels)}{owner}.{not_there(facts, list(skipped.items()))}"
        )
    refused = next((f.passed_over for f in findings if f.channel is None and f.passed_over), ())
    ask = "Please tell them of each other yourself."
    if refused:
        # Every channel refuses Liaison: no alert was queued, and the merger must know it.
        lines.append(nobody_alerted(facts, refused, ask=ask))
    elif not channels:
        lines.append(no_channel_set(ask))
    return lines


def intent_takes_no_day(line: str) -> str:
    """`intend` with a date: the line to plan it instead (`NAME on DATE … : PURPOSE`)."""
    return (
        "`intend` takes no date: it is a heads-up before you reach out, from now on. "
        f"For a contact on a given day, plan it: `{COMMAND} plan {line}`."
    )


# How an intent's purpose may say its kind of contact, which `intend` takes no `via` for.
_PURPOSE_BY = {
    "meeting": "meet them to …",
    "call": "call them about …",
    "email": "email them about …",
    "event": "see them at the … event",
}


def check_takes_a_name(name: str | None, *, extra: str = "") -> str:
    """`check` with colleagues or notes after the name: it takes the name alone. `extra`: what
    was typed after the name, echoed as typed (from its `:`)."""
    example = f": `{COMMAND} check {in_command(name)}`" if name else ""
    typed = f"“{literal(extra)}” is not something `check` takes; " if extra else ""
    return (
        f"{typed}`check` takes only a partner's name{example}. Its briefing shows every "
        "colleague in touch with the partner."
    )


def intent_takes_no_via(name: str, medium: str) -> str:
    typed = in_command(name)
    return (
        "`intend` takes no `via`: it is a heads-up before you reach out, however you do. Say "
        f"how in the purpose: `{COMMAND} intend {typed} : {_PURPOSE_BY.get(medium, '…')}`. "
        f"For a contact on a given day, plan it: `{COMMAND} plan {typed} on DATE via {medium} : …`."
    )


def intent_question(facts: PartnerFacts, touch: Touch, recipient: str) -> str:
    return (
        f"{who(touch)} would like to reach out to {bold(facts.name)}{with_contact(touch)}: "
        f"{quote(touch.notes)}\n"
        f"You're asked because {why_owner(facts, recipient)}. How should they go ahead?"
    )


def intent_handed_over(
    facts: PartnerFacts, touch: Touch, asked: str | None, *, merged_from: str | None = None
) -> str:
    """The question about an intent once the partner was handed over, or merged into another
    (`merged_from`, the name it was asked about): who is asked now, or nobody (the owner, or
    whoever covers for them, is among those reaching out). A question that lapsed unanswered
    is asked of nobody: its asker was told they may go ahead."""
    if touch.answer is IntentAnswer.LAPSED:
        return _lapsed_handed_over(facts, touch, merged_from=merged_from)
    about = (
        f"{who(touch)} would like to reach out to {bold(merged_from or facts.name)}"
        f"{with_contact(touch)}: {quote(touch.notes)}"
    )
    owner = person(facts.owner_id)
    merged = f"{bold(merged_from or '')} was merged into {bold(facts.name)}"
    if asked is not None:
        if merged_from is None:
            return (
                f"{about}\n{bold(facts.name)} has a new owner, so I've asked {person(asked)} "
                "instead."
            )
        them = "them" if asked == facts.owner_id else f"{person(asked)}, who covers for them,"
        return f"{about}\n{merged}, which {owner} owns, so I've asked {them} instead."
    if facts.owner_id is None:
        return f"{about}\n{merged}, which has no owner yet, so nobody is asked now."
    since = _nobody_asked_since(facts, touch, merged_from)
    return f"{about}\n{since}, so it needs no answer any more."


def _nobody_asked_since(facts: PartnerFacts, touch: Touch, merged_from: str | None) -> str:
    """Why, since a handover or a merge (`merged_from`), nobody is asked about an intent: the
    partner has no owner, or who of those reaching out answers for it."""
    merged = f"{bold(merged_from or '')} was merged into {bold(facts.name)}"
    if facts.owner_id is None:
        return f"{merged}, which has no owner yet"
    owner = person(facts.owner_id)
    part = _reaching_out(facts.owner_id, touch)
    cover = ", and whoever covers for them is among those reaching out"
    if merged_from is None:
        return f"{bold(facts.name)} has a new owner, {owner}" + (f", who {part}" if part else cover)
    if part:
        return f"{merged}, whose owner {owner} {part}"
    return f"{merged}, owned by {owner}{cover}"


def _reaching_out(user_id: str, touch: Touch) -> str | None:
    """How `user_id` takes part in an intent: its author, or one of the colleagues with them
    (None: neither)."""
    if user_id == touch.author_id:
        return "is the one reaching out"
    return "is among those reaching out" if user_id in touch.participants else None


def _lapsed_handed_over(facts: PartnerFacts, touch: Touch, *, merged_from: str | None) -> str:
    owner = person(facts.owner_id)
    if merged_from is None:
        since = f"{bold(facts.name)} has a new owner, {owner}"
    elif facts.owner_id is None:
        since = f"{bold(merged_from)} was merged into {bold(facts.name)}, which has no owner yet"
    else:
        since = f"{bold(merged_from)} was merged into {bold(facts.name)}, which {owner} owns"
    return (
        f"{who(touch)} wanted to reach out to {bold(merged_from or facts.name)}"
        f"{with_contact(touch)}: {quote(touch.notes)}\n{_ANSWER_MARKS[IntentAnswer.LAPSED]} "
        "Nobody answered in time, so "
        f"they were told they may go ahead. {since}, so this needs no answer from you any more."
    )


def intent_deadline(touch: Touch, *, tz: ZoneInfo, cover_then: str | None = None) -> str:
    if touch.deadline is None:
        return ""
    if cover_then is not None:
        # The deadline falls in the owner's time away: their cover is asked then.
        return (
            f"If you haven't answered {by_moment(touch.deadline, tz=tz)}, when you are away, "
            f"I'll ask {person(cover_then)}, who covers for you."
        )
    return (
        f"If you haven't answered {by_moment(touch.deadline, tz=tz)}, I'll tell "
        f"{person(touch.author_id)} they may go ahead."
    )


def intent_lapsed(touch: Touch, *, tz: ZoneInfo) -> str:
    """Under the question once its deadline has passed unanswered."""
    missed = f"No answer {by_moment(touch.deadline, tz=tz)}" if touch.deadline else "No answer"
    return (
        f"{missed}, so I'm letting {person(touch.author_id)} know they may go ahead. An answer "
        "now still reaches them."
    )


def _wanted(facts: PartnerFacts, touch: Touch) -> str:
    return f"{who(touch)} wanted to reach out to {bold(facts.name)}: {quote(touch.notes)}"


def intent_followed(facts: PartnerFacts, touch: Touch) -> str:
    """The owner's question once its asker logged the contact before an answer came, or a
    colleague it names logged one the asker took part in (`answered_by`, who logged it)."""
    logged = (
        "They have been in touch since and logged it"
        if touch.answered_by in (None, touch.author_id)
        else f"They have been in touch since: {person(touch.answered_by)} logged it"
    )
    return (
        f"{_wanted(facts, touch)}\n{_ANSWER_MARKS[IntentAnswer.LOGGED]} {logged}, so this needs "
        "no answer any more."
    )


def intent_partner_ended(facts: PartnerFacts, touch: Touch) -> str:
    """The owner's question once the partnership ended before an answer came."""
    return (
        f"{_wanted(facts, touch)}\n{_ANSWER_MARKS[IntentAnswer.ENDED]} "
        f"{person(touch.answered_by)} has ended the partnership with {bold(facts.name)} since, so "
        "this needs no answer any more."
    )


def intent_answered(outcome: IntentOutcome) -> str:
    """The owner's question, once answered (what chat.update puts there)."""
    touch, facts = outcome.touch, outcome.partner
    asked = _wanted(facts, touch)
    if touch.answer is None:
        return asked
    mark = _ANSWER_MARKS[touch.answer]
    if touch.answer is IntentAnswer.LAPSED:
        return f"{asked}\n{mark} Nobody answered in time, so they were told they may go ahead."
    if touch.answer is IntentAnswer.LOGGED:
        return intent_followed(facts, touch)
    if touch.answer is IntentAnswer.ENDED:
        return intent_partner_ended(facts, touch)
    late = " (after they had been told they may go ahead)" if outcome.late else ""
    return (
        f"{asked}\n{mark} {person(touch.answered_by)} answered *{ANSWER_LABELS[touch.answer]}*"
        f"{late} — I'm letting {person(touch.author_id)} know."
    )


def already_answered(outcome: IntentOutcome) -> str:
    touch = outcome.touch
    if touch.answer is IntentAnswer.LOGGED:
        partner = bold(outcome.partner.name)
        if touch.answered_by in (None, touch.author_id):
            return (
                f"{person(touch.author_id)} has been in touch with {partner} since and logged it, "
                "so this needs no answer any more."
            )
        # A colleague the intent names logged the contact its asker took part in.
        return (
            f"{person(touch.author_id)} has been in touch with {partner} since: "
            f"{person(touch.answered_by)} logged it, so this needs no answer any more."
        )
    if touch.answer is IntentAnswer.ENDED:
        return (
            f"The partnership with {bold(outcome.partner.name)} has ended, so this needs no answer "
            "any more."
        )
    label = ANSWER_LABELS.get(touch.answer or IntentAnswer.LAPSED, "")
    if touch.answer is IntentAnswer.LAPSED or touch.answered_by is None:
        return "This intent was answered already."
    return (
        f"{person(touch.answered_by)} already answered *{label}*; {person(touch.author_id)} knows."
    )


def not_asked(facts: PartnerFacts, touch: Touch) -> str:
    if touch.answer is IntentAnswer.LAPSED:
        # Lapsed with someone who no longer answers for the owner (a handover, a merge).
        owned = (
            f"{person(facts.owner_id)} owns {bold(facts.name)} now"
            if facts.owner_id
            else f"{bold(facts.name)} has no owner now"
        )
        return (
            f"Nobody answered this in time, so {person(touch.author_id)} was told they may go "
            f"ahead, and {owned}: it needs no answer from you any more."
        )
    return (
        f"This question is for {person(touch.asked or facts.owner_id)}, the owner of "
        f"{bold(facts.name)} (or its deputy)."
    )


INTENT_GONE = "That intent is no longer in the registry (its partner was merged or removed)."


def answer_overtaken(touch: Touch, *, tz: ZoneInfo, now: datetime) -> str:
    """In the answer to a log, the owner's answer to the caller's intent that still waits for
    their working hours ("I'll handle it", "Let's talk first"): the caller hears of it now,
    not after a contact they might not have made knowing it (QA20c NIT 13)."""
    owner, about = person(touch.answered_by), quote(touch.notes)
    said = ""
    if touch.answered_at is not None:
        local = touch.answered_at.astimezone(tz)
        said = f" {day_words(local.date(), now.astimezone(tz).date())} at {local:%H:%M}"
    if touch.answer is IntentAnswer.HANDLE_IT:
        wanted = f"answered{said} that they would handle your intent {about} themselves"
    else:
        wanted = f"asked{said} to *talk first* before you reached out about your intent {about}"
    return f"{owner} {wanted}: tell {owner} how your contact went."


def asker_note(
    facts: PartnerFacts,
    touch: Touch,
    *,
    late: bool,
    tz: ZoneInfo,
    logged_since: bool = False,
    logged_by: str | None = None,
    reopening: Reopening | None = None,
    going_along: bool = False,
    reader: str | None = None,
) -> str:
    """The answer to an intent, for the colleague who stated it (in `tz`); `logged_since`: they
    logged a contact with the partner after the answer was given, before it reached them (or
    `logged_by`, a colleague the intent names, logged one they took part in). For a
    plan, only word that the partnership ended before its moment (`IntentAnswer.ENDED`).
    `going_along`: for a colleague the intent names (`reader`), not its asker."""
    about = quote(touch.notes)
    owner = f"{person(touch.answered_by)}, for {bold(facts.name)},"
    if going_along and touch.kind is TouchpointKind.PLANNED:
        return _plan_ended_going_along(facts, touch, tz=tz)
    if going_along:
        return _answer_going_along(
            facts,
            touch,
            late=late,
            logged_since=logged_since,
            logged_by=logged_by,
            reader=reader,
        )
    log = f"Log it when you've been in touch: `{COMMAND} log {in_command(facts.name)} : …`"
    answer = touch.answer
    if answer is IntentAnswer.ENDED and touch.kind is TouchpointKind.PLANNED:
        return _plan_ended_for_author(facts, touch, tz=tz, reopening=reopening)
    if answer is IntentAnswer.ENDED:
        return _intent_ended_for_asker(facts, touch, told_go_ahead=late, reopening=reopening)
    if answer is IntentAnswer.LAPSED:
        return (
            f"No answer from {person(touch.asked)} within a working day about reaching out to "
            f"{bold(facts.name)} ({about}), so you may go ahead. {log}"
        )
    if logged_since and answer in (IntentAnswer.HANDLE_IT, IntentAnswer.TALK_FIRST):
        wanted, before = (
            (
                f"had answered that they would handle {about} themselves",
                ", before they reach out themselves",
            )
            if answer is IntentAnswer.HANDLE_IT
            else (f"had asked to *talk first* before you reached out about {about}", "")
        )
        logged = (
            "You have logged a contact with them since"
            if logged_by in (None, touch.author_id)
            else f"{person(logged_by)} has logged a contact with them since, which you took part in"
        )
        text = f"{owner} {wanted}. {logged}: tell {person(touch.answered_by)} how it went{before}."

    elif answer is IntentAnswer.GO_AHEAD:
        text = f"{owner} says *go ahead* with {about}. {log}"
    elif answer is IntentAnswer.HANDLE_IT:
        text = (
            f"{owner} will handle it: please don't reach out to them about {about} yourself "
            "for now. They may come back to you."
        )
    else:
        # Right after "reach out", "them" read as the partner: name the owner (QA18a NIT 9).
        text = (
            f"{owner} would like to *talk first* before you reach out about {about}. Message "
            f"{person(touch.answered_by)} to find a moment."
        )
    return f"A late answer: {text}" if late else text


def _answer_going_along(
    facts: PartnerFacts,
    touch: Touch,
    *,
    late: bool,
    logged_since: bool = False,
    logged_by: str | None = None,
    reader: str | None = None,
) -> str:
    """The owner's answer to an intent, for a colleague it names (`with @dan`, the `reader`):
    what it means for them, who went along; its asker is the one to follow it up. `late`: they
    were told already that they may go ahead (for `IntentAnswer.ENDED` too). `logged_since`:
    its asker logged a contact with the partner after "I'll handle it" or "Let's talk first",
    before the answer reached this colleague (or `logged_by`, a colleague it names, logged one
    the asker took part in; the reader themselves, when it was them): it must not read as if
    nobody had been in touch yet."""
    asker, about = person(touch.author_id), quote(touch.notes)
    intent = f"{asker}'s intent {about}, which names you"
    if touch.answer is IntentAnswer.LAPSED:
        return (
            f"No answer from {person(touch.asked)} within a working day about {asker}'s intent "
            f"to reach out to {bold(facts.name)} ({about}), which names you, so {asker} and you "
            "may go ahead."
        )
    if touch.answer is IntentAnswer.ENDED:
        who = person(touch.answered_by)
        if late:
            return (
                f"{who} has ended the partnership with {bold(facts.name)} since you were told "
                f"you may go ahead with {intent}: nobody follows it any more, so check with "
                f"{who} before you reach out."
            )
        return (
            f"{who} has ended the partnership with {bold(facts.name)}, so {intent}, needs "
            "nobody's answer any more: nobody follows it now."
        )
    owner = f"{person(touch.answered_by)}, for {bold(facts.name)},"
    if logged_since and touch.answer in (IntentAnswer.HANDLE_IT, IntentAnswer.TALK_FIRST):
        wanted = (
            f"had answered that they would handle {intent}, themselves"
            if touch.answer is IntentAnswer.HANDLE_IT
            else f"had asked to *talk first* before {asker} and you reached out about {about}"
        )
        logger = logged_by or touch.author_id
        # Their own log reads as theirs, not as a colleague's (QA h19 1).
        logged = "You have" if logger == reader else f"{person(logger)} has"
        text = (
            f"{owner} {wanted}. {logged} logged a contact with {bold(facts.name)} since: "
            f"I've asked {asker} to tell {person(touch.answered_by)} how it went."
        )
    elif touch.answer is IntentAnswer.GO_AHEAD:
        text = f"{owner} says *go ahead* with {intent}."
    elif touch.answer is IntentAnswer.HANDLE_IT:
        text = (
            f"{owner} will handle {intent}: please don't reach out to them about it yourself "
            "for now."
        )
    else:
        text = (
            f"{owner} would like to *talk first* before {asker} and you reach out about "
            f"{about}: I've asked {asker} to find a moment with {person(touch.answered_by)}."
        )
    return f"A late answer: {text}" if late else text


def _plan_ended_for_author(
    facts: PartnerFacts, touch: Touch, *, tz: ZoneInfo, reopening: Reopening | None
) -> str:
    """To whoever planned a contact, once the partnership ended before it: the plan is off, and
    stays off if the partner is reopened."""
    who = person(touch.answered_by)
    about = f" ({quote(touch.notes)})" if touch.notes else ""
    return (
        f"{who} has ended the partnership with {bold(facts.name)}, so your plan "
        f"{when(touch, tz=tz)}{about} is off: nobody follows it now, so it counts as no "
        "contact and nobody is asked how it went. Reopening it does not bring the plan back: "
        "if it goes on, "
        f"{reopen_hint(facts, reopening)}; then plan it again."
    )


def _plan_ended_going_along(facts: PartnerFacts, touch: Touch, *, tz: ZoneInfo) -> str:
    """To a colleague a plan names (`plan Acme with @dan`), once the partnership ended before
    it: the plan is off for them too; its author is told how to bring it back."""
    who, author = person(touch.answered_by), person(touch.author_id)
    about = f" ({quote(touch.notes)})" if touch.notes else ""
    return (
        f"{who} has ended the partnership with {bold(facts.name)}, so {author}'s plan "
        f"{when(touch, tz=tz)}{about}, which names you, is off: nobody follows it now, so it "
        f"counts as no contact and nobody is asked how it went. If it goes on, {author} knows "
        "how to plan it again."
    )


def _intent_ended_for_asker(
    facts: PartnerFacts, touch: Touch, *, told_go_ahead: bool, reopening: Reopening | None
) -> str:
    """To whoever stated an intent, once the partnership ended before an answer: nobody follows
    the partner any more, so none will come (`told_go_ahead`: they heard they may go ahead)."""
    who, about = person(touch.answered_by), quote(touch.notes)
    reopen = f"If it goes on, {reopen_hint(facts, reopening)}; then state your intent again."
    if told_go_ahead:
        return (
            f"{who} has ended the partnership with {bold(facts.name)} since you were told you "
            f"may go ahead with {about}: nobody follows it any more, so check with {who} before "
            f"you reach out. {reopen}"
        )
    return (
        f"{who} has ended the partnership with {bold(facts.name)}, so your intent {about} needs "
        f"nobody's answer any more: nobody follows it now. {reopen}"
    )


def intent_later(
    facts: PartnerFacts,
    touch: Touch,
    *,
    away_until: datetime | None,
    tz: ZoneInfo,
    new_owner: bool = False,
    covering_for: str | None = None,
    merged_from: str | None = None,
    sooner: bool = False,
    back: bool = False,
    instead_of: str | None = None,
    going_along: bool = False,
) -> str:
    """To the asker of an intent, when the person asked went away before answering: the day to
    answer moved later (`touch.deadline`, the new one; from their time away, or from time
    away they are `back` from, later than the asker heard); or earlier (`sooner`: they are
    `back` early, or have less time away); or when someone else is asked now: the partner's
    new owner (`new_owner`; the kept partner's, when it was `merged_from` another), or whoever
    covers for the owner (`covering_for`), who went away before the question reached them; or
    the owner again instead of that cover (`instead_of`), not away any more (`back`) before the
    cover had it; whom they wait for, and until when. `going_along`: to a colleague the intent
    names, only that it needs nobody's answer any more, or who is asked now (a new owner, a
    cover) and until when."""
    by = by_moment(touch.deadline, tz=tz) if touch.deadline is not None else "soon"
    if new_owner and touch.asked is None:
        return _needs_no_answer(facts, touch, merged_from=merged_from, going_along=going_along)
    if instead_of is not None:
        why = "is back" if back else "is not away after all"
        return (
            f"{person(touch.asked)} {why}, so I've asked them about reaching out to "
            f"{bold(facts.name)} ({quote(touch.notes)}) instead of {person(instead_of)}: if "
            f"there is no answer {by}, you may go ahead."
        )
    if sooner:
        if back:
            why = "is back"
        elif away_until is not None:
            why = f"is away only {_through(away_until)} now"
        else:
            why = "has no time away ahead any more"
        return (
            f"{person(touch.asked)} {why}, so the answer about reaching out to {bold(facts.name)} "
            f"({quote(touch.notes)}) may come sooner than I said: if there is none {by}, you may "
            "go ahead."
        )
    if new_owner or covering_for is not None:
        if covering_for is not None:
            until = f" {_through(away_until)}" if away_until is not None else ""
            why = f"{person(covering_for)} is away{until}"
            asked, partner = f"{person(touch.asked)}, who covers for them,", bold(facts.name)
        else:
            why = (
                f"{bold(merged_from)} was merged into {bold(facts.name)}"
                if merged_from is not None
                else f"{bold(facts.name)} has a new owner"
            )
            away = (
                f" ({person(touch.asked)} is away {_through(away_until)})"
                if away_until is not None
                else ""
            )
            asked, partner = f"{person(touch.asked)}{away}", "them"
        if going_along:
            asker = person(touch.author_id)
            return (
                f"{why}, so I've asked {asked} about {asker}'s intent to reach out to {partner} "
                f"({quote(touch.notes)}), which names you: if there is no answer {by}, {asker} "
                "and you may go ahead."
            )
        return (
            f"{why}, so I've asked {asked} about reaching out to {partner} "
            f"({quote(touch.notes)}): if there is no answer {by}, you may go ahead."
        )
    if away_until is None:
        away = "has time away ahead"
    else:  # `back`: from time away that still moved it later than the asker heard
        away = f"{'was' if back else 'is'} away {_through(away_until)}"
    return (
        f"{person(touch.asked)} {away}, so the answer about reaching out to {bold(facts.name)} "
        f"({quote(touch.notes)}) may come later than I said: if there is none {by}, you may go "
        "ahead."
    )


def _needs_no_answer(
    facts: PartnerFacts, touch: Touch, *, merged_from: str | None, going_along: bool = False
) -> str:
    """To the asker of an intent whose question a handover or a merge closed, or to a colleague
    it names (`going_along`): nobody needs to answer it now (the new owner, or whoever covers
    for them, is among those reaching out, or the partner has no owner)."""
    asker = person(touch.author_id)
    if facts.owner_id == touch.author_id:
        owns = f"{asker} owns" if going_along else "you own"
        since = (
            f"{bold(merged_from)} was merged into {bold(facts.name)}, which {owns}"
            if merged_from is not None
            else f"{owns[0].upper()}{owns[1:]} {bold(facts.name)} now"
        )
    else:
        since = _nobody_asked_since(facts, touch, merged_from)
    intent = f"to reach out to {bold(facts.name)} ({quote(touch.notes)})"
    if going_along:
        return (
            f"{since}, so {asker}'s intent {intent}, which names you, needs nobody's answer: "
            f"{asker} and you may go ahead."
        )
    return f"{since}, so your intent {intent} needs nobody's answer: you may go ahead."


# --- check --------------------------------------------------------------------------------------


def briefing_title(facts: PartnerFacts) -> str:
    """The briefing's header, plain text: the name as it is."""
    return f"Before you reach out: {facts.name}"


def briefing_fallback(facts: PartnerFacts) -> str:
    """The briefing's notification text (mrkdwn): the name shown as typed (`literal`)."""
    return f"Before you reach out: {literal(facts.name)}: owner {person(facts.owner_id)}"


def last_contact(briefing: Briefing, now: datetime) -> str:
    text = ago(
        briefing.partner.last_contact_at, now, day_only=briefing.partner.last_contact_day_only
    )
    if briefing.partner.last_contact_at is not None and briefing.last_contact_by:
        text += f" by {person(briefing.last_contact_by)}"
    return text


def touch_line(touch: Touch, *, tz: ZoneInfo, now: datetime, reader: str | None = None) -> str:
    """One touch in `check`; a plan whose moment has passed reads in the past tense, one its
    author said didn't happen is struck through and says so, and the `reader`'s own touches are
    theirs ("You intend to reach out …")."""
    did = action(touch, passed=has_passed(touch, tz=tz, now=now), you=touch.author_id == reader)
    line = f"{who(touch, reader=reader)} {did} {when(touch, tz=tz, now=now)}{with_contact(touch)}"
    if touch.cancelled:
        return f"• ~{line}~ {DIDNT_HAPPEN}"
    line = f"• {line}"
    if touch.kind is TouchpointKind.INTENDED:
        line += f": {quote(touch.notes)} — {intent_state(touch, reader=reader)}"
    return line


def others_in_touch(briefing: Briefing, *, now: datetime) -> str | None:
    """Under "Lately": the colleagues in touch within the coordination window whom it leaves
    out, each with their latest contact: `Also in touch in the last 14 days: @ben (meeting,
    Wed 25 Nov) and 2 more.` None when nobody is left out."""
    if not briefing.also_in_touch:
        return None
    tz, today = briefing.tz, now.astimezone(briefing.tz).date()
    named = []
    for other in briefing.also_in_touch:
        what = other.medium or "contact"
        if other.kind is TouchpointKind.PLANNED:
            what = f"planned {what}"
        day = contact_day(other.at, day_only=other.day_only, tz=tz)
        on = day_words(day, today).removeprefix("on ")
        named.append(f"{person(other.user_id)} ({what}, {on})")
    more = briefing.also_in_touch_count - len(named)
    if more > 0:
        named.append(f"{more} more")
    return f"Also in touch in the last {briefing.window_days} days: {in_prose(named)}."


# After a plan its author said didn't happen (`check`'s "Lately").
DIDNT_HAPPEN = "(didn't happen)"


def intent_state(touch: Touch, *, reader: str | None = None) -> str:
    """Where an intent stands; the question waiting for the `reader`, or their answer, is
    theirs ("waiting for you"), as their own intents are in `touch_line`."""

    def whom(user_id: str | None) -> str:
        return "you" if user_id is not None and user_id == reader else person(user_id)

    if touch.answer is None:
        return f"waiting for {whom(touch.asked)}" if touch.asked else "nobody was asked"
    if touch.answer is IntentAnswer.LAPSED:
        return "no answer in time, may go ahead"
    if touch.answer is IntentAnswer.LOGGED:
        return "then logged the contact"
    if touch.answer is IntentAnswer.ENDED:
        return "closed when the partnership ended"
    return f"{whom(touch.answered_by)} answered “{ANSWER_LABELS[touch.answer]}”"


RECENT = "Lately"
PLANNED = "Planned"
NEXT = "Next"
NO_RECENT = "No contact logged yet."
NO_PLANNED = "Nothing planned."


def intents_heading(window_days: int) -> str:
    return f"Intents (last {window_days} days)"


def briefing_advice(briefing: Briefing) -> str:
    facts = briefing.partner
    if briefing.reopening is not None:
        # Nobody follows an ended partner: `intend` and `plan` are refused (QA21a BUG 5).
        return (
            f"{bold(facts.name)} has ended, and nobody follows it any more. If it goes on, "
            f"{reopen_hint(facts, briefing.reopening)}."
        )
    if briefing.caller_role is TeamRole.OWNER:
        return _owner_advice(briefing)
    if briefing.caller_role is not None:
        return _team_advice(briefing)
    if facts.owner_id is None:
        take = f"{COMMAND} owner {in_command(facts.name)} @you"
        return f"Nobody owns {bold(facts.name)} yet: `{take}` takes it on."
    if briefing.own_intent is not None:
        return (
            f"You're not on its team; {own_intent(briefing.own_intent)}{_older_intents(briefing)}"
        )
    intend = f"`{COMMAND} intend {in_command(facts.name)} : what you have in mind`"
    if briefing.owner_away_until is not None:
        away = f"its owner {person(facts.owner_id)} is away {_through(briefing.owner_away_until)}"
        if briefing.covering is not None:
            return (
                f"You're not on its team and {away}: give {person(briefing.covering)}, who "
                f"covers for them, a heads-up first with {intend}."
            )
        return (
            f"You're not on its team and {away}, with nobody covering: {intend} now reaches "
            "them when they are back."
        )
    return f"You're not on its team: give {person(facts.owner_id)} a heads-up first with {intend}."


def _owner_advice(briefing: Briefing) -> str:
    """For the owner: colleagues check with them, or, while they are away, with whoever covers
    (QA: the owner away read "colleagues check with you", though heads-ups went to the deputy)."""
    if briefing.owner_away_until is None:
        return "You own it: colleagues check with you before they reach out."
    away = f"You own it and are away {_through(briefing.owner_away_until)}"
    if briefing.covering is not None:
        return (
            f"{away}: {person(briefing.covering)} covers for you, and colleagues' heads-ups "
            "go to them until you are back."
        )
    return f"{away}, with nobody covering: colleagues' heads-ups wait for your return."


def _team_advice(briefing: Briefing) -> str:
    """For a deputy or member: keep the owner in the loop, or, while the owner is away, whoever
    covers for them (QA: the deputy covering read "keep the owner in the loop", the owner away
    for two weeks, as if nothing came to them)."""
    facts = briefing.partner
    if briefing.owner_away_until is None:
        return "You're on its team: keep the owner in the loop."
    away = f"its owner {person(facts.owner_id)} is away {_through(briefing.owner_away_until)}"
    if briefing.covering == briefing.reader:
        return (
            f"{away[:1].upper()}{away[1:]} and you cover for them: colleagues' heads-ups about "
            f"{bold(facts.name)} come to you."
        )
    if briefing.covering is not None:
        return (
            f"You're on its team and {away}: keep {person(briefing.covering)}, who covers for "
            "them, in the loop."
        )
    return f"You're on its team and {away}, with nobody covering: fill them in when they are back."


def _older_intents(briefing: Briefing) -> str:
    """The caller's other intents of the window, after the advice on the latest: intents with
    different purposes are separate, and naming only one hides the rest (QA20c NIT 11)."""
    older = [touch for touch in briefing.own_intents if touch != briefing.own_intent]
    if not older:
        return ""
    listed = "; ".join(f"{quote(touch.notes)} — {intent_state(touch)}" for touch in older)
    more = "another intent" if len(older) == 1 else f"{len(older)} other intents"
    return f" You also have {more} here: {listed}."


def own_intent(touch: Touch) -> str:
    """The caller's intent where `check` would otherwise suggest stating one."""
    about = f"your intent {quote(touch.notes)}"
    if touch.answer is None and touch.asked is None:
        return f"{about} is open, with nobody to ask."
    if touch.answer is None:
        return (
            f"{about} is open with {person(touch.asked)}: their answer comes to you as a direct "
            "message."
        )
    if touch.answer is IntentAnswer.LAPSED:
        return f"{about} had no answer in time from {person(touch.asked)}, so you may go ahead."
    if touch.answer is IntentAnswer.LOGGED:
        return f"you have logged the contact {about} was about."
    if touch.answer is IntentAnswer.ENDED:
        return f"{about} was closed when the partnership ended."
    who = person(touch.answered_by)
    if touch.answer is IntentAnswer.GO_AHEAD:
        return f"{who} said *go ahead* to {about}."
    if touch.answer is IntentAnswer.HANDLE_IT:
        return f"{who} will handle {about}: please don't reach out about it yourself for now."
    return f"{who} would like to *talk first* about {about}: message them before you reach out."


# --- Bad input ----------------------------------------------------------------------------------


def not_a_colleague(user_id: str, *, liaison: bool, external: bool = False) -> str:
    """`with @x` naming someone who cannot have taken part as a colleague: Liaison itself, an
    app, an account Slack does not know here (gone, deactivated), or someone of another
    organisation (`external`: met in a Slack Connect channel, at the partner or elsewhere)."""
    if liaison:
        who = f"{person(user_id)} is Liaison itself"
    elif external:
        who = (
            f"{person(user_id)} is from another organisation (their Slack account belongs to "
            "another workspace), not a colleague"
        )
    else:
        who = (
            f"{person(user_id)} is not a colleague here: a bot or an app, or an account that "
            "is deactivated or not in this workspace"
        )
    return (
        f"{who}. `with @…` names colleagues who took part; name people at the partner "
        "without `@` (`with Jane Doe`)."
    )


def problem(error: BadTouchpoint, *, verb: str) -> str:
    """What was wrong with a touchpoint; the usage answer adds the syntax and an example."""
    if error.problem in (Problem.UNREADABLE_DATE, Problem.DATE_TOO_FAR, Problem.NO_SUCH_TIME):
        return error.detail
    if error.problem is Problem.NO_DATE:
        return "When is it? `plan` needs a date: add `on DATE`, e.g. `on friday 14:00`."
    if error.problem is Problem.NO_NOTES:
        about = {
            "log": "what happened",
            "plan": "what the contact is for",
            "intend": "what you mean to reach out about",
        }.get(verb, "what it is about")
        return f"Write a few words after the `:` — {about}."
    if error.problem is Problem.WHICH_CONTACT:
        return which_contact(error.typed or "", error.detail, error.choices)
    if error.problem is Problem.NOTES_TOO_LONG:
        # Called as the verb's syntax calls it: `plan` and `intend` take a PURPOSE.
        what = "purpose" if verb in ("plan", "intend") else "notes"
        return too_long(what, error.length, MAX_NOTES)
    day = _typed_day(error)
    if error.problem is Problem.LOG_IN_FUTURE:
        hint = ""
        weekday = _weekday_typed(error.typed)
        earlier = _month_before(error)
        if weekday is not None:
            hint = f" Did you mean `last {weekday}`?"
        elif earlier is not None:
            hint = f" Did you mean `{earlier}`?"
        return (
            f"{day} is in the future, and `log` records contacts that happened.{hint} "
            f"For one to come, use `{COMMAND} plan`."
        )
    if verb == "intend":
        return f"{day} is in the past; an intent is about what is to come."
    return (
        f"{day} is in the past, and `plan` is for meetings to come. "
        f"For one that happened, use `{COMMAND} log`."
    )


def which_contact(
    typed: str, partner: str, choices: Sequence[tuple[str, str | None]], *, in_form: bool = False
) -> str:
    """A first name alone that begins the names of several of the partner's contacts; typed in
    the log form's field (`in_form`), which takes names without `with`."""
    names = [f"{name} ({title})" if title else name for name, title in choices]
    example = f"{choices[0][0]} in this field" if in_form else f"`with {choices[0][0]}`"
    return (
        f"Which {typed}? {len(choices)} contacts at {bold(partner)} go by that first name: "
        f"{in_prose(names)}. Give the full name, e.g. {example}; someone new, by their full "
        "name or email."
    )


def _typed_day(error: BadTouchpoint) -> str:
    typed = f"`{error.typed}`" if error.typed else "That date"
    if error.when is None:
        return typed
    day = error.when.day
    shown = f"{day:%a} {day.day} {day:%b} {day.year}"
    if error.when.at is not None:
        shown += f" {error.when.at:%H:%M}"
    return f"{typed} ({shown})"


_DAY_OF_MONTH = re.compile(r"(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)", re.IGNORECASE)


def _month_before(error: BadTouchpoint) -> str | None:
    """`log … on the 15th` typed on the 26th reads the coming 15th: that day of the month
    before (`15 Nov`), when it has one."""
    typed = _DAY_OF_MONTH.fullmatch((error.typed or "").strip())
    if typed is None or error.when is None:
        return None
    day = error.when.day
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    try:
        return f"{date(year, month, day.day):%-d %b}"
    except ValueError:
        return None


def _weekday_typed(typed: str | None) -> str | None:
    """The weekday someone typed alone (`tuesday`, `tue 14:00`), as a full name."""
    words = (typed or "").lower().split()
    if not words or len(words[0]) < 3:
        return None
    return next((name for name in WEEKDAYS if name.startswith(words[0])), None)


# What each verb's notes might say, for the hint about a missing `:`.
_NOTES_EXAMPLES = {
    "log": "agreed on a pilot",
    "plan": "intro call about the winter appeal",
    "intend": "ask about co-hosting the spring event",
}


def two_dates(verb: str, name: str, first: str, second: str) -> str:
    """`plan X in 3 days on friday`: two dates where the contact has one."""
    return (
        f"That gives two dates, `{first}` and `{second}`, and a contact has one. Keep the one "
        f"you mean, e.g. `{COMMAND} {verb} {in_command(name)} {second} : …`."
    )


def missing_colon(verb: str, *, line: str | None = None) -> str:
    """No `:` at all: the notes (a plan's or intent's purpose) are missing, or were run into the
    line. Named as the verb's syntax names them; with `line` (the rest of a line that reads
    but for its notes), that line again with them."""
    example = _NOTES_EXAMPLES.get(verb, _NOTES_EXAMPLES["log"])
    what = "notes" if verb == "log" else "purpose"
    if line is not None:
        return f"Put a `:` before the {what}, e.g. `{COMMAND} {verb} {line.strip()} : {example}`."
    return f"Put a `:` before the {what}, e.g. `: {example}`."


def two_kinds(first: str, second: str) -> str:
    """`log call Acme via meeting : …`: two kinds of contact."""
    return f"`{first}` and `via {second}` are two kinds of contact: say one."


def one_person_or_two(first: str, second: str, *, typed: str = "with ") -> str:
    """`with Doe, Jane`: a surname and a given name, or two people? Asked, not guessed; in the
    log form's field (`typed` empty), without the `with`."""
    return (
        f"`{typed}{first}, {second}`: is that one person or two? For one, write "
        f'`{typed}{second} {first}` (or quote it: `{typed}"{first}, {second}"`); for two, '
        f"`{typed}{first} and {second}`."
    )


def role_after_colleague(role: str) -> str:
    """`with @ben, CEO`: a role after a colleague names no one at the partner to hold it."""
    return (
        f"`{role}` follows a colleague, so it is no one's role at the partner. Give the role "
        f"after the person's name, e.g. `with @ben and Jane Doe, {role}`; for someone "
        f"called {role}, `with @ben and {role}`."
    )


def colon_missing_after(clause: str, words: str) -> str:
    """`via call pitched the pilot`: a known clause followed by what must be the notes."""
    return f"A `:` is missing before the notes, e.g. `{clause} : {words}`."


READING_ZONE = "Reading that date in your time zone… I'll answer here in a moment."
PARTNER_GONE = "That partner is no longer in the registry (merged or removed); pick it again."


def registered(name: str) -> str:
    return f"Registered {bold(name)} with you as its owner."


def register_duplicate(name: str) -> str:
    return (
        f"Before I register “{literal(name)}”: it looks like a partner we already have. Record "
        "this with it, or register anyway if it really is a different organisation."
    )


def fixed_line_hint(partner: str, slip: str, keyword: str) -> str:
    return (
        f"If “{literal(slip)}” was meant as `{keyword}`, click {bold(partner)}: I'll record "
        f"this for it, with `{keyword}`."
    )


def keyword_in_name(keyword: str, line: str) -> str:
    """The line again with the partner's name quoted, for a name a keyword cut short."""
    return (
        f"If “{keyword}” is part of the partner's name, put the name in quotes: `{COMMAND} {line}`."
    )


def register_hint(query: str) -> str:
    return (
        f"If “{literal(query)}” is a new partner, click *{REGISTER}*: I'll register it with "
        "you as its owner, then record this."
    )


# Room in an option's 75 characters for the name, around "➕ Register “…”".
_OPTION_NAME_ROOM = 60


def register_option(name: str) -> str:
    """The partner picker's way to a partner not registered yet."""
    shown = name if len(name) <= _OPTION_NAME_ROOM else name[: _OPTION_NAME_ROOM - 1] + "…"
    return f"➕ Register “{shown}”"


# --- The "Log a touchpoint" form ----------------------------------------------------------------

FORM_TITLE = "Log a touchpoint"
FORM_SUBMIT = "Log"
FORM_CLOSE = "Cancel"
FIELD_PARTNER = "Partner"
FIELD_PARTNER_PLACEHOLDER = "Type a name or alias"
FIELD_MEDIUM = "Kind"
FIELD_DATE = "Date"


def date_needs_on(verb: str, name: str, day: str) -> str:
    """A hint for an unknown name that ends in a date typed without `on`."""
    command = f"{COMMAND} {verb} {in_command(name)} on {day} : …"
    return f"If “{day}” is the date, it needs `on`: `{command}`."


def date_unread(partner: str, words: str, first: str, *, verb: str) -> str:
    """`plan MSF tmorrow 10am : …`: the words after a partner's name hold one no date reads.
    The dates shown fit `verb`: a contact logged has happened, a plan is to come."""
    examples = EXAMPLES if verb == "log" else AHEAD_EXAMPLES
    return (
        f"After “{literal(partner)}”, I can't read “{literal(words)}” as a date: "
        f"“{literal(first)}” is no day I know. Dates look like: {examples}."
    )


def intent_day_unread(partner: str, first: str) -> str:
    """`intend MSF tmorrow : …`: a day misspelt after the partner's name, which `intend` takes
    none of."""
    return f"After “{literal(partner)}”, “{literal(first)}” is no day I know, and " + (
        intent_takes_no_day(f"{partner} on DATE : …")
    )


def someone_after_partner(
    *, query: str, partner: str, typed: str, person: str, line: str | None
) -> str:
    """`log MSF maria : …`: a person named after a known partner's name without `with`; `line`,
    the line with it (None when the line has a `with` already)."""
    how = (
        f"write `with {literal(person)}`: `{COMMAND} {line}`"
        if line
        else f"name them after your `with`, not after “{literal(typed)}”"
    )
    return (
        f"I don't know a partner called “{literal(query)}”. If you meant {bold(partner)}, I "
        f"don't know what “{literal(person)}” is here: for someone at the partner, {how}. "
        "A date needs `on`, notes a `:`."
    )


def date_kept(day: str) -> str:
    """Under "Did you mean" for a name that ended in a date: a pick records it on that date."""
    return f"I read “{day}” as the date: the partner you pick is recorded on it (`on {day}`)."


FIELD_CONTACT = "People at the partner"
FIELD_CONTACT_HINT = (
    "Who you spoke to there, e.g. Jane Doe or jane@partner.org; several: Jane Doe, John Roe."
)
FIELD_COLLEAGUES = "Colleagues who took part"
FIELD_NOTES = "Notes"
FIELD_NOTES_HINT = "What happened, what was agreed."
MEDIUM_LABELS = {"meeting": "Meeting", "call": "Call", "email": "Email", "event": "Event"}
PICK_A_KIND_PLACEHOLDER = "Meeting, call, email or event"
PICK_A_KIND = (
    "Pick the kind of contact: a meeting, call or event is followed by a check-in, an email is not."
)


def form_not_a_colleague(user_id: str) -> str:
    """Someone of another organisation picked among the colleagues who took part."""
    return (
        f"{person(user_id)} is from another organisation (their Slack account belongs to "
        f"another workspace), not a colleague: name people at the partner under “{FIELD_CONTACT}”."
    )


def form_taken_off(user_ids: Sequence[str], partner: str) -> str:
    """People picked as colleagues in the log form whom Slack said, after it was saved, are of
    another organisation: taken off the contact, which stays logged."""
    they = "they are" if len(user_ids) > 1 else "this person is"
    return (
        f"I took {people_in_prose(user_ids)} off the colleagues who took part in your contact "
        f"with {bold(partner)}: Slack says {they} from another organisation (their Slack "
        "account belongs to another workspace), not a colleague. The rest of the contact "
        f"stays logged; name people at the partner under “{FIELD_CONTACT}”."
    )


def form_date_in_future() -> str:
    return f"That day is still to come: log contacts that happened, or use `{COMMAND} plan`."


FORM_NO_NOTES = "Write a few words about it: what happened, or what was agreed."


def form_new_partner_name(problem: str) -> str:
    """The name typed to register, refused as `add` refuses it."""
    return f"{problem} Type the partner's name again, or pick a registered one."


def form_colleague_in_contacts(typed: str) -> str:
    """A colleague typed into the field for the people at the partner."""
    return (
        f"{typed} looks like a colleague: pick colleagues in “{FIELD_COLLEAGUES}”. This field is "
        "for the people you met at the partner, e.g. Jane Doe, John Roe."
    )
