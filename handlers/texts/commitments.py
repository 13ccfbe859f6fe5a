"""Everything Liaison says about commitments, staying in touch and exports: answers, refusals,
reminders, nudges, and the forms' labels.

Due days are calendar days, shown as dates (`Fri 4 Dec`), with the year when it is not this
year; "overdue" counts days in the owner's time zone. People appear as Slack mentions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.mrkdwn import literal
from bot.services.cadence import (
    BadIntervals,
    CadenceState,
    Intervals,
    Nudge,
    Source,
    Standing,
)
from bot.services.commitments import (
    LOPSIDED_MIN_OPEN,
    LOPSIDED_SHARE,
    MAX_CLOSE_NOTE,
    MAX_WHAT,
    REMIND_WORKING_DAYS_BEFORE,
    Assigned,
    BadCommitment,
    Balance,
    Changed,
    Closed,
    ClosedListing,
    CommitmentFacts,
    Listing,
    Orphaned,
    Problem,
    Recorded,
    Redated,
    Reminder,
    Scope,
    Stage,
)
from bot.services.export import Dataset, Export, Reach
from bot.services.registry import PartnerFacts
from bot.services.touchpoints import Reopening
from handlers.grammar import in_command
from handlers.texts.partners import (
    an_admin,
    bold,
    ending,
    in_prose,
    no_colleague,
    person,
    status,
    who_may,
)
from handlers.texts.touchpoints import reopen_hint
from storage.models import CommitmentSide, CommitmentStatus

COMMAND = "/partner"

# Buttons.
DONE = "Done"
DROP = "Drop"
NEW_DATE = "New date"
LOG_TOUCHPOINT = "Log a touchpoint"
SNOOZE = "Snooze 2 weeks"

SIDES = ("us", "them")
# The side as people say it after the partner's name, longest first where one starts another.
# Not `partner` alone: it ends names ("Global Partner"), which would lose their last word.
SIDE_WORDS: tuple[tuple[tuple[str, ...], CommitmentSide], ...] = (
    (("we", "owe", "them"), CommitmentSide.US),
    (("we", "owe"), CommitmentSide.US),
    (("our", "side"), CommitmentSide.US),
    # `we are sending`, `I will send`: the helper goes with the side, the promise is the rest.
    # `I` is our side too, owned by whoever typed it (as any commitment without an `@owner`).
    (("we", "are"), CommitmentSide.US),
    (("we", "will"), CommitmentSide.US),
    (("we", "shall"), CommitmentSide.US),
    (("i", "will"), CommitmentSide.US),
    (("i", "shall"), CommitmentSide.US),
    (("i", "am"), CommitmentSide.US),
    (("i", "owe"), CommitmentSide.US),
    (("we",), CommitmentSide.US),
    (("we'll",), CommitmentSide.US),
    (("we’ll",), CommitmentSide.US),
    (("we're",), CommitmentSide.US),
    (("we’re",), CommitmentSide.US),
    (("i",), CommitmentSide.US),
    (("i'll",), CommitmentSide.US),
    (("i’ll",), CommitmentSide.US),
    (("i'm",), CommitmentSide.US),
    (("i’m",), CommitmentSide.US),
    (("us",), CommitmentSide.US),
    (("they", "owe", "us"), CommitmentSide.THEM),
    (("they", "owe"), CommitmentSide.THEM),
    (("their", "side"), CommitmentSide.THEM),
    (("partner", "owes"), CommitmentSide.THEM),
    (("they", "are"), CommitmentSide.THEM),
    (("they", "will"), CommitmentSide.THEM),
    (("they", "shall"), CommitmentSide.THEM),
    (("they",), CommitmentSide.THEM),
    (("they're",), CommitmentSide.THEM),
    (("they’re",), CommitmentSide.THEM),
    (("they'll",), CommitmentSide.THEM),
    (("they’ll",), CommitmentSide.THEM),
    (("them",), CommitmentSide.THEM),
)
SCOPES = ("mine", "overdue")
# `commitments closed|done|kept|dropped [NAME|mine]`: the closed ones, latest first.
CLOSED_WORDS: dict[str, tuple[CommitmentStatus, ...]] = {
    "closed": (CommitmentStatus.DONE, CommitmentStatus.DROPPED),
    "done": (CommitmentStatus.DONE,),
    "kept": (CommitmentStatus.DONE,),
    "completed": (CommitmentStatus.DONE,),
    "dropped": (CommitmentStatus.DROPPED,),
}
EXPORTS = tuple(dataset.value for dataset in Dataset)
# A message queued to be read later (the stay-in-touch nudge) may be read in the next year:
# a day further back than this shows its year, lest next January's reader take "Wed 14 Jan"
# for a day of theirs. It leaves two months for working hours to come round and the message
# to be read; a younger day without its year is read as the latest such day, rightly ("Mon
# 28 Dec" read on 2 Jan).
QUEUED_DAY_WITH_YEAR_AFTER = timedelta(days=300)


# --- Small pieces -------------------------------------------------------------------------------


def day(value: date, *, this_year: int | None) -> str:
    """`Fri 4 Dec`, with the year when it is not `this_year` (the reader's; None: not known
    well enough, and the year shows)."""
    text = f"{value:%a} {value.day} {value:%b}"
    return text if value.year == this_year else f"{text} {value.year}"


def number(value: int) -> str:
    """A commitment's number in its workspace, as people type it (never its id)."""
    return f"`#{value}`"


def quote(what: str) -> str:
    return f"“{what}”"


def promise(item: CommitmentFacts) -> str:
    """`*we* owe *Acme* “the MoU”` or `*Acme* owes us “the NDA”`; once closed (kept or
    dropped) nobody owes it any more: `*we* promised *Acme* “the MoU”`, `*Acme* promised us
    “the NDA”`."""
    if item.side is CommitmentSide.US:
        verb = "owe" if item.is_open else "promised"
        return f"*we* {verb} {bold(item.partner_name)} {quote(item.what)}"
    verb = "owes us" if item.is_open else "promised us"
    return f"{bold(item.partner_name)} {verb} {quote(item.what)}"


def owner_role(item: CommitmentFacts) -> str:
    who = person(item.owner_id)
    return f"owner {who}" if item.side is CommitmentSide.US else f"followed up by {who}"


def overdue(days: int) -> str:
    return f":warning: overdue by {days} day{'s' if days != 1 else ''}"


def due(item: CommitmentFacts, this_year: int | None = None) -> str:
    text = f"due {due_day(item, this_year)}"
    return f"{text} · {overdue(item.overdue_days)}" if item.overdue_days else text


def due_day(item: CommitmentFacts, this_year: int | None = None) -> str:
    """Its due day, with the year when it is not the reader's (the owner's, unless given)."""
    return day(item.due_on, this_year=item.this_year if this_year is None else this_year)


def line(item: CommitmentFacts, this_year: int | None = None) -> str:
    """One open commitment in a list."""
    return f"{number(item.number)} {promise(item)} · {due(item, this_year)} · {owner_role(item)}"


def percent(share: float) -> str:
    return f"{round(share * 100)}%"


def carrier(side: CommitmentSide) -> str:
    return "our side" if side is CommitmentSide.US else "their side"


def lopsided_warning(side: CommitmentSide, share: float, name: str | None = None) -> str:
    at = f" with {bold(name)}" if name else ""
    return (
        f":scales: *Lopsided workload*{at}: {carrier(side)} carries {percent(share)} of the "
        "open commitments."
    )


def _kept(kept: int, late: int, dropped: int) -> str:
    parts = [f"{kept} on time"]
    if late:
        parts.append(f"{late} late")
    if dropped:
        parts.append(f"{dropped} dropped")
    return ", ".join(parts)


def balance(found: Balance, *, name: str | None = None) -> str:
    """Open and closed commitments of each side; kept on time or late."""
    us = f"we owe {found.open_us}" + (f" ({found.overdue_us} overdue)" if found.overdue_us else "")
    them = f"they owe {found.open_them}" + (
        f" ({found.overdue_them} overdue)" if found.overdue_them else ""
    )
    head = f"*Balance with {literal(name)}*" if name else "*Balance*"
    text = f"{head}: open — {us}, {them}"
    if found.closed:
        text += (
            f" · kept — ours {_kept(found.kept_us, found.late_us, found.dropped_us)}; "
            f"theirs {_kept(found.kept_them, found.late_them, found.dropped_them)}"
        )
    return text


LOPSIDED_RULE = (
    f"Workload is “lopsided” when one side carries more than {round(LOPSIDED_SHARE * 100)}% of "
    f"the open commitments and at least {LOPSIDED_MIN_OPEN} are open."
)


# --- Recording ----------------------------------------------------------------------------------


def recorded(result: Recorded) -> str:
    item = result.commitment
    yours = item.owner_id == item.created_by
    owner = "you" if yours else person(item.owner_id)
    if item.side is CommitmentSide.US:
        who = "You own it" if yours else f"{owner} owns it"
        reminded = f"I'll remind {owner}"
    else:
        who = "You follow it up" if yours else f"{owner} follows it up"
        reminded = f"I'll remind {owner} to chase {bold(item.partner_name)}"
    told = " (I've let them know)" if result.owner_told else ""
    if result.owner_told and result.owner_unconfirmed:
        # Slack may yet say they are of another organisation, and the form takes them off.
        told = " (I'll let them know)"
    left_out = (
        f" (a commitment is due on a day, so I left out the {result.time_left_out:%H:%M})"
        if result.time_left_out is not None
        else ""
    )
    if result.already_open:
        # Whoever typed it again, perhaps not its owner: the owner by name.
        role = "owns it" if item.side is CommitmentSide.US else "follows it up"
        return (
            f"Already recorded as {number(item.number)}, still open: {promise(item)}, due "
            f"{due_day(item)}; {person(item.owner_id)} {role}. Nothing new was saved; another "
            "promise? Say how it differs in what was promised."
        )
    if result.weekday_today:
        weekday = f"{item.due_on:%A}"
        left_out = (
            f" ({weekday} is today, so I read next {weekday}; due today instead? "
            f"`{COMMAND} drop {item.number}` and record it `by today`)"
        )
    covered = ""
    if result.first_reminder_to is not None:
        away, them = ("You are", "you") if yours else (f"{owner} is", "them")
        covered = (
            f"{away} away when the first is due, so {person(result.first_reminder_to)}, who "
            f"covers for {them}, gets it. "
        )
    return (
        f"Recorded {number(item.number)}: {promise(item)}, due {due_day(item)}{left_out}. "
        f"{who}{told}. {reminded} "
        f"{_on_the_day(_REMINDERS_FROM[result.first_reminder], result.due_reminder_on, item)}. "
        f"{covered}"
        f"Close it with `{COMMAND} done {item.number}`."
    )


# When the reminders of a new commitment go: those whose moment has passed are not sent.
_OVERDUE = "the next working day if it is still open, and every week after that"
_REMINDERS_FROM = {
    Stage.BEFORE: f"{REMIND_WORKING_DAYS_BEFORE} working days before, on the day, then {_OVERDUE}",
    Stage.DUE: f"on the day, then {_OVERDUE}",
    Stage.OVERDUE: _OVERDUE,
}


def _on_the_day(reminders: str, due_reminder_on: date | None, item: CommitmentFacts) -> str:
    """`reminders` with "on the day" the day it goes, when the due day is no working day (QA h5:
    due on a Saturday, "I'll remind you on the day" came on the Friday)."""
    if due_reminder_on is None:
        return reminders
    on = f"on {day(due_reminder_on, this_year=item.this_year)} (the last working day before it)"
    return reminders.replace("on the day", on)


def problem(error: BadCommitment) -> str:
    """What was wrong with the commitment as described."""
    if error.problem is Problem.NO_WHAT:
        return "What was promised? Write it after the `:`, then `by` and the due date."
    if error.problem is Problem.WHAT_TOO_LONG:
        return (
            f"What was promised is {error.length:,} characters long; say it in at most "
            f"{MAX_WHAT:,} (link a document for the rest). Nothing was saved."
        )
    if error.problem is Problem.NO_DATE:
        return NO_BY
    if error.problem is Problem.UNREADABLE_DATE:
        return f"The due date: {error.detail}"
    if error.problem is Problem.TOO_FAR:
        return error.detail
    shown = "That day"
    if error.typed and error.day:
        this_year = (error.today or error.day).year
        shown = f"`{error.typed}` ({day(error.day, this_year=this_year)})"
    return f"{shown} is in the past: a commitment is due today or later."


# The form has no `:` nor `by`: only the field to fill in.
FORM_NO_WHAT = "Say what was promised, e.g. “send the draft MoU”."

NO_SIDE = (
    "Whose promise is it? After the partner's name say `us` or `we owe` (our side promised) or "
    "`them` or `they owe` (the partner promised), e.g. `commit MSF we owe the draft MoU by "
    "friday`."
)
NO_BY = (
    "When is it due? End with `by` (or `due`, `deadline`) and a day, e.g. `by friday` or "
    "`due 2026-12-04`."
)


def no_by(promise: str, day: str) -> str:
    """`send the deck tomorrow`: a day at the end, but no `by` before it."""
    # `by in 2 weeks` reads, but nobody says it so: `due in 2 weeks`.
    word = "due" if day.lower().startswith("in ") else "by"
    return f"When is it due? If it is `{day}`, put `{word}` before it: `… {promise} {word} {day}`."


def by_says_how(what: str, due: str) -> str:
    """After "I can't read 'email' as a date": a promise with `by` in it needs its day after."""
    return (
        f"If `by {due}` is part of what was promised, say when it is due after it: "
        f"`… {what} by {due} by friday`."
    )


def no_what(name: str, side: CommitmentSide, due: str) -> str:
    """A line with a side and a due day but nothing promised between them, typed without a
    `:` (with one, `problem` says to write it after the `:`)."""
    says = "we owe" if side is CommitmentSide.US else "they owe"
    return (
        f"What was promised? Say it before `by`, e.g. "
        f"`{COMMAND} commit {name} {says} the draft MoU by {due}`."
    )


def two_due_days(name: str, side: CommitmentSide, what: str, first: str, last: str) -> str:
    """A commit line with two due days (`budget by friday by monday`): both, the line with
    one, and how to keep the first in the promise."""
    says = "we owe" if side is CommitmentSide.US else "they owe"
    line = f"{COMMAND} commit {name} {says}"
    return (
        f"Two due days: `{first}` and `{last}`. Which is it? Type the line with one, e.g. "
        f"`{line} {what or 'WHAT'} {last}`; if `{first}` is part of what was promised, put "
        f'it in quotes: `{line} "{what} {first}" {last}`.'
    )


def owner_goes_after_side(side: CommitmentSide, owner_id: str) -> str:
    """A mention at the end of a commit line, after something that reads as no due day
    (`… by friday to @ben`): it may be the owner or whom the promise goes to. The syntax and
    an example follow it."""
    says = "`us` (or `we owe`)" if side is CommitmentSide.US else "`them` (or `they owe`)"
    return (
        f"Does <@{owner_id}> own it? Then name them right after {says}. If the promise goes to "
        "them, end with the day instead: `send the deck to @them by friday`."
    )


ONE_OWNER = "Name at most one owner, with `@`, after `us` or `them`."
NO_ID = "Which commitment? Give its number, e.g. `42` (`commitments` lists them)."
NO_PARTNER = "Which partner? Give the partner's name first."


def no_cadence_for(status_word: str) -> str:
    return (
        f"`{status_word}` is not a status with a cadence; say prospect or active (paused and "
        "ended partners are exempt)."
    )


# --- Closing ------------------------------------------------------------------------------------


def closed(result: Closed) -> str:
    item = result.commitment
    if item.status is CommitmentStatus.DROPPED:
        return f"Dropped {number(item.number)} — it no longer applies: {promise(item)}.{why(item)}"
    kept = "on time" if item.on_time else f"late (it was due {due_day(item)})"
    whose = "we kept our promise" if item.side is CommitmentSide.US else "they kept theirs"
    return f"Marked {number(item.number)} done — {whose}, {kept}: {promise(item)}.{why(item)}"


def undo_hint(item: CommitmentFacts) -> str:
    return f"By mistake? `{COMMAND} reopen {item.number}` opens it again."


def reopened(result: Closed) -> str:
    item = result.commitment
    was = "marked done" if result.reopened_from is CommitmentStatus.DONE else "dropped"
    return (
        f"Reopened {number(item.number)} (it was {was}): {promise(item)}, {due(item)}; "
        f"{owner_role(item)}. Reminders about it resume."
    )


def reopen_only_number(first: int) -> str:
    return (
        f"Reopen takes the commitment's number alone: `{COMMAND} reopen {first}`; say why when "
        "you close it again."
    )


def not_closed(item: CommitmentFacts) -> str:
    return (
        f"{number(item.number)} is open already: {promise(item)}, {due(item)}. "
        f"`{COMMAND} reopen ID` opens one that was marked done or dropped."
    )


def why(item: CommitmentFacts) -> str:
    """` Why: “no longer needed”.` — what the person who closed it said, if anything."""
    if not item.close_note:
        return ""
    label = "Why" if item.status is CommitmentStatus.DROPPED else "Note"
    return f" {label}: {quote(item.close_note)}."


def one_at_a_time(verb: str, first: int) -> str:
    return (
        f"Close one commitment at a time: `{COMMAND} {verb} {first}`, then the next. After the "
        f"number you may say why, e.g. `{COMMAND} {verb} {first} no longer needed`."
    )


def close_note_too_long(length: int) -> str:
    return (
        f"What you said after the number is {length:,} characters long; say why in at most "
        f"{MAX_CLOSE_NOTE:,}. Nothing was closed."
    )


def not_allowed(
    item: CommitmentFacts,
    partner: PartnerFacts,
    admins: Sequence[str] = (),
    covers_from: datetime | None = None,
    *,
    doing: str = "close or move",
) -> str:
    """`covers_from`: the reader covers for the owner's time away from then (their zone);
    `doing`: what the reader may not do (`reopen`)."""
    role = "who owns it" if item.side is CommitmentSide.US else "who follows it up"
    who = who_may(
        admins,
        owner=partner.owner_id,
        deputy=partner.deputy_id,
        first=[(item.owner_id, role)],
        of=partner.name,
    )
    text = f"Only {who} can {doing} {number(item.number)}."
    if covers_from is None:
        return f"{text} Ask them, or ask to take it over."
    when = day(covers_from.date(), this_year=item.this_year)
    if (covers_from.hour, covers_from.minute) != (0, 0):
        when += f" {covers_from:%H:%M}"
    return (
        f"{text} You cover for {person(item.owner_id)} while they are away, from *{when}*: "
        f"from then on you can {doing} it too."
    )


def already_closed(item: CommitmentFacts) -> str:
    what = "done" if item.status is CommitmentStatus.DONE else "dropped"
    closed_on = item.closed_at.date() if item.closed_at else None
    when = f" on {day(closed_on, this_year=item.this_year)}" if closed_on else ""
    return (
        f"{number(item.number)} was already marked {what} by {person(item.closed_by)}{when}."
        f"{why(item)}"
    )


def picked_owner_not_kept(picked: str, item: CommitmentFacts, *, gone: bool = False) -> str:
    """The owner picked in the commitment form (`picked`), whom Slack said after it was saved
    is of another organisation (or, `gone`, an app or a deactivated account), when someone
    else owned it by then: left theirs."""
    return (
        f"{person(picked)} does not own {number(item.number)} with {bold(item.partner_name)}: "
        f"{no_colleague(gone=gone)}, and only colleagues can own a commitment. "
        f"{person(item.owner_id)} owns it now; I left it so."
    )


def gone(typed: int | None) -> str:
    """No commitment with the number `typed`, or (None) the one a button named is gone."""
    which = (
        "That commitment is no longer here"
        if typed is None
        else (f"There is no commitment {number(typed)} here")
    )
    return f"{which}. `{COMMAND} commitments` lists the open ones."


def redated(result: Redated) -> str:
    item = result.commitment
    if not result.moved:
        return (
            f"{number(item.number)} stays due {due_day(item)}, the day it had: {promise(item)}. "
            "Its reminders go on as planned; to move it, pick another day with New date."
        )
    return (
        f"{number(item.number)} is now due {due_day(item)}: {promise(item)}. Its reminders start "
        "over from the new date."
    )


# --- Listing ------------------------------------------------------------------------------------


def listing_title(found: Listing) -> str:
    if found.scope is Scope.PARTNER and found.partner is not None:
        return f"Open commitments with {found.partner.name}"
    return {
        Scope.MINE: "Your open commitments",
        Scope.OVERDUE: "Overdue commitments",
    }.get(found.scope, "Open commitments")


def listing_text(found: Listing) -> str:
    """`listing_title` as the message's text (mrkdwn): the name shown as typed."""
    if found.scope is Scope.PARTNER and found.partner is not None:
        return f"Open commitments with {literal(found.partner.name)}"
    return listing_title(found)


def listing_empty(found: Listing) -> str:
    if found.scope is Scope.PARTNER and found.partner is not None:
        return f"No open commitments with {ending(found.partner.name)}"
    return {
        Scope.MINE: "You own no open commitments, and follow none up.",
        Scope.OVERDUE: "Nothing is overdue. :tada:",
    }.get(found.scope, "No open commitments.")


def listing_more(found: Listing) -> str:
    everything = f"`{COMMAND} export commitments` has them all"
    if found.scope is Scope.ALL:
        return (
            f"…and {found.more} more. Narrow it down: `{COMMAND} commitments NAME`, `mine` or "
            f"`overdue`; {everything}."
        )
    # Narrowed already: pointing to the same listing again would leave the rest out of reach.
    narrower = (
        f" or narrow it to one partner, `{COMMAND} commitments NAME`"
        if found.scope is Scope.MINE
        else ""
    )
    return f"…and {found.more} more: {everything}{narrower}."


def _closed_kind(found: ClosedListing) -> str:
    if found.statuses == (CommitmentStatus.DONE,):
        return "kept"
    if found.statuses == (CommitmentStatus.DROPPED,):
        return "dropped"
    return "closed"


def closed_title(found: ClosedListing) -> str:
    kind = _closed_kind(found)
    if found.partner is not None:
        return f"Commitments {kind} with {found.partner.name}, latest first"
    if found.mine:
        return f"Your commitments {kind}, latest first"
    return f"Commitments {kind}, latest first"


def closed_empty(found: ClosedListing) -> str:
    kind = _closed_kind(found)
    if found.partner is not None:
        return f"No commitment with {found.partner.name} has been {kind} yet."
    if found.mine:
        return f"None of the commitments you own or follow up has been {kind} yet."
    return f"No commitment has been {kind} yet."


def closed_line(item: CommitmentFacts, this_year: int) -> str:
    """One closed commitment: what, how it ended, when and by whom, and why."""
    if item.status is CommitmentStatus.DONE:
        outcome = "kept on time" if item.on_time else f"kept late (due {due_day(item, this_year)})"
    else:
        outcome = f"dropped (was due {due_day(item, this_year)})"
    when = f" on {day(item.closed_at.date(), this_year=this_year)}" if item.closed_at else ""
    return (
        f"{number(item.number)} {promise(item)} · {outcome} · by {person(item.closed_by)}{when}."
        f"{why(item)}"
    )


def closed_more(found: ClosedListing) -> str:
    return (
        f"…and {found.more} closed earlier. Narrow it down: `{COMMAND} commitments closed NAME` "
        f"or `mine`; `{COMMAND} export commitments` has them all."
    )


def closed_forms(word: str) -> str:
    """`commitments closed` with what it does not take: a person, or a partner and `mine`."""
    return (
        "Closed commitments are listed for everyone, one partner or your own, not for someone "
        f"else nor a partner and `mine` at once: `{COMMAND} commitments {word}`, "
        f"`{COMMAND} commitments {word} Acme` or `{COMMAND} commitments {word} mine`. "
        f"`{COMMAND} export commitments` has them all, with who owns each."
    )


def listing_meant(typed: str, meant: str) -> str:
    """`commitments overdeu`: no partner is called so, nor comes close, and the word is a slip
    of a listing's (`meant`, with what followed it)."""
    return f"I don't know a partner called “{typed}”. Did you mean `{COMMAND} commitments {meant}`?"


def closed_hint() -> str:
    return f"Closed one by mistake? `{COMMAND} reopen ID` opens it again."


def listing_hint() -> str:
    return (
        f"Close one with `{COMMAND} done ID` or `{COMMAND} drop ID`; record one with "
        f"`{COMMAND} commit NAME us|them : WHAT by DATE`."
    )


# --- What Liaison sends on its own --------------------------------------------------------------


def reminder(note: Reminder) -> str:
    item = note.commitment
    when = {
        # Held for the reader's return, it says nothing of the days left when they read it.
        Stage.BEFORE: f"is due {due_day(item)}"
        + ("" if note.held or note.working_days_left < 1 else _days_left(note)),
        Stage.DUE: f"is due {due_day(item)}",
        Stage.OVERDUE: f"was due {due_day(item)} and is still open",
    }[note.stage]
    mark = {Stage.BEFORE: ":hourglass_flowing_sand:", Stage.DUE: ":date:"}.get(
        note.stage, ":warning:"
    )
    if item.side is CommitmentSide.US:
        return f"{mark} {number(item.number)} {promise(item)} {when}. {_ask(item)}"
    return f"{mark} {number(item.number)} {promise(item)}: it {when}. {_ask(item)}"


def _days_left(note: Reminder) -> str:
    """How many of the workspace's working days are left before the due day (a Saturday's
    has two left on the Wednesday before it, not three)."""
    days = note.working_days_left
    return f", in {days} working day{'' if days == 1 else 's'}"


def _ask(item: CommitmentFacts) -> str:
    """What a reminder asks of whoever reads it."""
    if item.side is CommitmentSide.US:
        return "Done already? Close it; no longer needed? Drop it; slipping? Give it a new date."
    return f"Time to chase {bold(item.partner_name)}, or close it if they delivered."


def reminder_why(note: Reminder) -> str:
    item = note.commitment
    role = "own it" if item.side is CommitmentSide.US else "follow it up"
    if note.covering_for is not None and note.owner_left:
        side = "us" if item.side is CommitmentSide.US else "them"
        return (
            f"You get this because {person(note.covering_for)}, who would {role}, has left the "
            f"workspace, and you look after {bold(item.partner_name)}. To hand it over, record "
            f"it for whoever takes it on (`{COMMAND} commit {item.partner_name} {side} "
            f"@someone : {item.what} by DATE`) and drop this one (`{COMMAND} drop "
            f"{item.number}`)."
        )
    if note.covering_for is not None:
        return (
            f"You get this because {person(note.covering_for)}, who would {role}, is away and "
            "you cover for them."
        )
    if note.recorded_by is not None:
        return f"You get this because you {role}; {person(note.recorded_by)} recorded it for you."
    return f"You get this because you {role}."


def orphaned(note: Orphaned) -> str:
    """To the coordination channel (or the admins): promises whose owner left, and nobody left
    to hear for them."""
    count = len(note.commitments) + note.more
    them = "it" if count == 1 else "them"
    name = bold(note.partner_name)
    what = "1 open commitment" if count == 1 else f"{count} open commitments"
    gone, owner, deputy = note.owner_id, note.partner_owner_id, note.partner_deputy_id
    owns = f"owns {them} and the partnership" if owner == gone else f"owns {them}"
    others = []
    if owner != gone:
        others.append(
            f"so has {name}'s owner, {person(owner)}" if owner else f"{name} has no owner"
        )
    others.append(f"so has its deputy, {person(deputy)}" if deputy else "it has no deputy")
    return (
        f":warning: Nobody is following up {what} with {name}: {person(gone)}, who {owns}, has "
        f"left the workspace, and {', and '.join(others)}. I've stopped reminding {person(gone)}."
    )


def orphaned_more(note: Orphaned) -> str:
    """Under the listed ones, when more were left out (QA: 45 read as "40 open commitments")."""
    return f"…and {note.more} more: `{COMMAND} export commitments` has them all."


def orphaned_hint(note: Orphaned) -> str:
    them = "it" if len(note.commitments) + note.more == 1 else "them"
    return (
        f"To pick {them} up, an admin can hand the partnership to a colleague: `{COMMAND} owner "
        f"{in_command(note.partner_name)} @colleague`. The reminders then go to them."
    )


def assigned(note: Assigned) -> str:
    item = note.commitment
    role = "You own it" if item.side is CommitmentSide.US else "You follow it up"
    if item.overdue_days:
        # It waited past the due day (for their working day, or for them to be back).
        return (
            f"{person(note.by)} recorded {number(item.number)}: {promise(item)}, due "
            f"{due_day(item)}, and it is overdue now. {role}; I'll remind you every week "
            "while it is still open."
        )
    return (
        f"{person(note.by)} recorded {number(item.number)}: {promise(item)}, due "
        f"{due_day(item)}. {role}; I'll remind you "
        f"{_on_the_day(_ASSIGNED_REMINDERS[note.first_reminder], note.due_reminder_on, item)}."
        + _covered(note.first_reminder_to)
    )


def _covered(stand_in: str | None) -> str:
    """Who gets the first reminder for the owner, away when it is due (as `recorded` says)."""
    if stand_in is None:
        return ""
    return (
        f" You are away when the first is due, so {person(stand_in)}, who covers for you, gets it."
    )


def changed(note: Changed) -> str:
    item = note.commitment
    by, which = person(note.by), number(item.number)
    yours = "your commitment" if item.side is CommitmentSide.US else "the commitment you follow up"
    if note.unannounced:
        return _changed_unannounced(note)
    if note.was_due is not None:
        moved = (
            f"{by} moved {yours} {which} to {due_day(item)} (it was due "
            f"{day(note.was_due, this_year=item.this_year)}): {promise(item)}"
        )
        if note.reminder is None:
            return f"{moved}. Reminders follow the new date."
        # Moved to a day whose reminder is due when the owner reads this: it is that reminder.
        if note.reminder is Stage.OVERDUE:
            # Moved after their hours to a day that is over by their next opening.
            return f":warning: {moved}. That day is over and it is still open. {_ask(item)}"
        return f"{_mark(note.reminder)} {moved}. {_ask(item)}"
    if note.reopened_from is not None:
        was = "marked done" if note.reopened_from is CommitmentStatus.DONE else "dropped"
        reopened = f"{by} reopened {yours} {which} (it had been {was}): {promise(item)}"
        if item.overdue_days or note.reminder is Stage.OVERDUE:
            # Reopened after its due day (or read after it), it is also the overdue reminder.
            return (
                f":warning: {reopened}, which was due {due_day(item)} and is still open. "
                f"{_ask(item)}"
            )
        if note.reminder is not None:
            # Reopened when a reminder was due (its due day, say), it is that reminder too.
            return f"{_mark(note.reminder)} {reopened}, which is due {due_day(item)}. {_ask(item)}"
        return f"{reopened}, {due(item)}. Reminders about it resume."
    verb = "marked" if item.status is CommitmentStatus.DONE else "dropped"
    done = " done" if item.status is CommitmentStatus.DONE else ""
    return (
        f"{by} {verb} {yours} {which}{done}: {promise(item)}, due {due_day(item)}.{why(item)} "
        "No more reminders about it."
    )


def _mark(stage: Stage) -> str:
    """The mark of a note that is also a reminder before its day or on it."""
    return ":date:" if stage is Stage.DUE else ":hourglass_flowing_sand:"


def _changed_unannounced(note: Changed) -> str:
    """The change, to an owner who never got the note that it was recorded for them (it waited
    for their working hours): what was recorded and by whom, folded in (QA21b BUG 6)."""
    item = note.commitment
    which = number(item.number)
    role = "you own it" if item.side is CommitmentSide.US else "you follow it up"
    recorded = f"{person(item.created_by)} recorded {which} for you ({role})"
    if note.reopened_from is not None:
        # Closed and reopened before they heard of it: as if it had been open all along. When
        # it is also the reminder due now, it asks what a reminder does, marked as that one.
        if note.reminder is None:
            return f"{recorded}: {promise(item)}, {due(item)}. I'll remind you of it."
        if note.reminder is Stage.OVERDUE:
            return (
                f":warning: {recorded}: {promise(item)}, which was due {due_day(item)} and is "
                f"still open. {_ask(item)}"
            )
        return f"{_mark(note.reminder)} {recorded}: {promise(item)}, {due(item)}. {_ask(item)}"
    if note.was_due is not None:
        moved = "then moved it" if note.by == item.created_by else f"{person(note.by)} moved it"
        moved = (
            f"{recorded}; {moved} to {due_day(item)} (it was due "
            f"{day(note.was_due, this_year=item.this_year)}): {promise(item)}"
        )
        # Also the reminder due now (moved to the next day after their hours): it asks.
        if note.reminder is None:
            return f"{moved}. I'll remind you as the date comes near."
        if note.reminder is Stage.OVERDUE:
            return f":warning: {moved}. That day is over and it is still open. {_ask(item)}"
        return f"{_mark(note.reminder)} {moved}. {_ask(item)}"
    verb = "marked it done" if item.status is CommitmentStatus.DONE else "dropped it"
    then = f"then {verb}" if note.by == item.created_by else f"{person(note.by)} has since {verb}"
    return (
        f"{recorded}, and {then}: {promise(item)}, due {due_day(item)}.{why(item)} Nothing for "
        "you to do, and no reminders about it."
    )


_ASSIGNED_REMINDERS = {
    Stage.BEFORE: f"{REMIND_WORKING_DAYS_BEFORE} working days before and on the day",
    Stage.DUE: "on the day",
    Stage.OVERDUE: "the next working day if it is still open",
}


# --- Stay in touch ------------------------------------------------------------------------------

_SOURCES = {
    Source.PARTNER: "set for this partner",
    Source.STATUS: "set for its status",
    Source.DEFAULT: "the default",
}


def intervals(found: Intervals) -> str:
    return (
        f"in touch every {found.ideal} days, dormant after {found.max} ({_SOURCES[found.source]})"
    )


def since(state: CadenceState, tz: ZoneInfo, *, ago: bool = True) -> str:
    """When the partner was last in touch (or registered, never in touch), by whom, and how
    long ago. Without `ago`, the day alone: for a message queued for later, where "5 days ago"
    would be untrue by the time it is read."""
    start = state.since_day(tz)
    # Quiet days count from that day to the reader's today, both on the reader's calendar
    # (as `show` counts them: "yesterday" and "1 day ago" alike); the year shows when today's
    # is another.
    today = (
        state.read_at.astimezone(tz).date()
        if state.read_at is not None
        else start + timedelta(days=state.quiet_days)
    )
    # Without `ago`, `today` is when the message was queued: it may be read in the next year.
    far_back = not ago and today - start > QUEUED_DAY_WITH_YEAR_AFTER
    when = day(start, this_year=None if far_back else today.year)
    if not state.contacted:
        # As health and the lists say it (not "quiet for", nor "never in touch since").
        if not ago:
            return f"no contact yet (registered on {when})"
        return no_contact(max(0, (today - start).days), on=when)
    by = f" by {person(state.last_contact_by)}" if state.last_contact_by else ""
    if not ago:
        return f"last contact {when}{by}"
    return f"last contact {when}{by}, {days_ago(max(0, (today - start).days))}"


def read_year(state: CadenceState, tz: ZoneInfo) -> int:
    """The reader's year when the partner's state was read (a day in another shows its year)."""
    return (state.read_at or state.since).astimezone(tz).year


def days_ago(days: int) -> str:
    """ "today", "yesterday", "3 days ago": as `show` says when the last contact was."""
    return {0: "today", 1: "yesterday"}.get(days, f"{days} days ago")


def no_contact(days: int, *, on: str | None = None, then: str | None = None) -> str:
    """A partner nobody has been in touch with, `days` after it was registered: `no contact yet
    (registered 12 days ago)`, `then` added in the brackets. Its quiet days count from its
    registration, but "quiet for 12 days" read as a partner once in touch that went quiet."""
    registered = f"registered {days_ago(days)}" + (f", on {on}" if on else "")
    return f"no contact yet ({registered}{f'; {then}' if then else ''})"


def cadence_state(state: CadenceState, tz: ZoneInfo) -> str:
    facts = state.partner
    head = f"{bold(facts.name)}: {intervals(state.intervals)}."
    if state.standing is Standing.EXEMPT:
        return f"{head} It is {status(facts.status)}, so no nudges and never dormant."
    mood = {
        Standing.FINE: "On track",
        Standing.DUE: "Time to get in touch",
        Standing.DORMANT: ":zzz: Dormant",
    }[state.standing]
    return f"{head} {mood}: {since(state, tz)}."


def cadence_set(state: CadenceState, tz: ZoneInfo) -> str:
    return f"Stay-in-touch cadence saved. {cadence_state(state, tz)}"


def status_cadence_set(partner_status: str, found: Intervals) -> str:
    return (
        f"Partners that are {status(partner_status)} are now to be in touch every "
        f"{found.ideal} days and dormant after {found.max}, unless set for the partner itself."
    )


def bad_intervals(error: BadIntervals) -> str:
    return (
        f"{error.ideal} and {error.maximum} days won't do: IDEAL must be at least 1 and smaller "
        "than MAX, and MAX at most 730."
    )


def not_allowed_cadence(partner: PartnerFacts | None, admins: Sequence[str] = ()) -> str:
    if partner is None:
        return f"Only {an_admin(admins)} can set the cadence of a whole status."
    who = who_may(admins, owner=partner.owner_id, deputy=partner.deputy_id)
    return f"Only {who} can set the stay-in-touch cadence of {ending(partner.name)}"


NO_INTERVALS = (
    "Give two numbers of days after the name: IDEAL (nudge the owner) and MAX (dormant), "
    "e.g. `30 60`."
)


def nudge(note: Nudge) -> str:
    state = note.state
    facts = state.partner
    # Queued, and sent in the owner's working hours (maybe days later, after a weekend): the
    # day of the last contact stays true, "5 days ago" would not.
    return (
        f":wave: {bold(facts.name)} has been quiet: {since(state, note.tz, ago=False)}. "
        f"The cadence is {intervals(state.intervals)}. Log a touchpoint if someone was in "
        "touch, or reach out."
    )


def nudge_why(note: Nudge) -> str:
    facts = note.state.partner
    if note.covering_for is not None:
        return (
            f"You get this because {person(note.covering_for)}, who owns {bold(facts.name)}, is "
            "away and you cover for them."
        )
    return f"You get this because you own {ending(facts.name)}"


def snoozed(state: CadenceState, by: str, tz: ZoneInfo) -> str:
    until = state.snoozed_until
    when = day(until.astimezone(tz).date(), this_year=read_year(state, tz)) if until else "later"
    return (
        f":zzz: {person(by)} snoozed the nudge about {bold(state.partner.name)} until {when}. "
        "If nobody has been in touch by then, I'll ask again."
    )


# --- Export -------------------------------------------------------------------------------------


def exporting(dataset: Dataset) -> str:
    return f"Preparing your CSV of {dataset}… I'll send it to you as a direct message."


def _yours(export: Export) -> str:
    """Which of the dataset's rows outside the person's teams are theirs."""
    return "you took part in" if export.dataset is Dataset.TOUCHPOINTS else "you own or recorded"


def _teams(count: int) -> str:
    """`the partner whose team you are on`, `the 2 partners whose teams you are on`."""
    if count == 1:
        return "the partner whose team you are on"
    return f"the {count} partners whose teams you are on"


def _reach(export: Export) -> str:
    if export.reach is Reach.EVERYTHING:
        return "everything in the workspace (you are an admin)"
    if export.dataset is Dataset.PARTNERS:
        return "every partner, as anyone sees them in `list` and `show`"
    if not export.team_partners:
        return f"those {_yours(export)} (you are on no partner's team)"
    return f"all those with {_teams(export.team_partners)}, and those elsewhere {_yours(export)}"


def export_comment(export: Export) -> str:
    rows = f"{export.rows} {export.dataset if export.rows != 1 else export.dataset[:-1]}"
    survey = (
        " Pulse surveys appear only as aggregates of the latest round, never per person."
        if export.dataset is Dataset.PARTNERS
        else ""
    )
    return f"Your export: {rows} — {_reach(export)}.{survey}"


def export_sent(export: Export) -> str:
    rows = f"{export.rows} row{'s' if export.rows != 1 else ''}"
    return f"Sent {export.filename} ({rows}) to your direct messages with Liaison."


def export_empty(export: Export) -> str:
    """An export with no row: said instead of sending a file with a header alone."""
    if export.dataset is Dataset.PARTNERS:
        return "Nothing to export, so I sent no file: no partner is registered yet."
    if export.reach is Reach.EVERYTHING:
        return f"Nothing to export, so I sent no file: the workspace has no {export.dataset} yet."
    none = f"Nothing to export, so I sent no file: there are no {export.dataset} yet"
    if not export.team_partners:
        return f"{none} that {_yours(export)}, and you are on no partner's team."
    return f"{none} with {_teams(export.team_partners)}, nor any elsewhere that {_yours(export)}."


def export_failed(code: str | None) -> str:
    """The file was not sent: `code` is Slack's refusal, None when Slack did not answer."""
    if code in UPLOADS_OFF:
        return (
            "I couldn't send the file: file uploads are turned off in this Slack workspace. "
            "Ask a Slack admin to allow them, then run the export again."
        )
    if code is None:
        return "I couldn't send the file: Slack did not answer. Please try again in a moment."
    return f"I couldn't send the file (Slack said `{code}`). Please try again in a moment."


# Slack's refusals of an upload that trying again does not get past: an admin's setting.
UPLOADS_OFF = frozenset({"file_uploads_disabled", "file_uploads_except_images_disabled"})


def not_an_export(word: str) -> str:
    # The reply goes on with the verb's syntax and an example (`/partner export touchpoints`).
    choices = in_prose(EXPORTS, conjunction="or")
    if not word:
        return f"Export what? Say {choices}."
    return f"`{word}` is not something I can export; say {choices}."


# --- Forms --------------------------------------------------------------------------------------

FORM_TITLE = "Record a commitment"
FORM_SUBMIT = "Record"
FORM_CLOSE = "Cancel"
FIELD_PARTNER = "Partner"
FIELD_PARTNER_PLACEHOLDER = "Type a name or an alias"
FIELD_SIDE = "Who promised it"
SIDE_LABELS = {"us": "We did (our side)", "them": "They did (the partner)"}
FIELD_OWNER = "Owner on our side (ours: delivers it; theirs: follows it up)"
FIELD_OWNER_HINT = (
    "For our promise, the colleague who delivers it; for theirs, the colleague who chases the "
    "partner for it."
)
FIELD_WHAT = "What"
FIELD_WHAT_HINT = "e.g. send the draft MoU"
FIELD_DUE = "Due"
FIELD_DUE_PLACEHOLDER = "Pick the day it is due"
REDATE_TITLE = "New date"
REDATE_SUBMIT = "Save"
FIELD_NEW_DUE = "Due on"
PARTNER_GONE = "That partner is no longer in the registry (merged or removed); pick another."


def ended_partner(facts: PartnerFacts, reopening: Reopening | None = None) -> str:
    """The answer to `commit` for a partner whose partnership has ended (as `plan` words it)."""
    return (
        f"The partnership with {bold(facts.name)} has ended, and nobody follows it any more, so I "
        f"don't record a commitment with it. If it goes on, {reopen_hint(facts, reopening)}; "
        "then send this again."
    )


def reopen_ended(facts: PartnerFacts, typed: int, reopening: Reopening | None = None) -> str:
    """The answer to `reopen` of a commitment with a partner whose partnership has ended."""
    return (
        f"The partnership with *{facts.name}* has ended, and nobody follows it any more, so "
        f"{number(typed)} stays closed. If it goes on, {reopen_hint(facts, reopening)}; then "
        f"`{COMMAND} reopen {typed}`."
    )


def form_ended_partner(facts: PartnerFacts, reopening: Reopening | None = None) -> str:
    """The commitment form's word under the partner picked, whose partnership has ended."""
    return (
        f"The partnership with {literal(facts.name)} has ended, and nobody follows it any more. If "
        f"it goes on, {reopen_hint(facts, reopening)}; else pick another partner."
    )


def form_past(today: date) -> str:
    return f"Pick today ({day(today, this_year=today.year)}) or a later day."


def redate_intro(item: CommitmentFacts) -> str:
    return f"{number(item.number)} {promise(item)}, due {due_day(item)}."
