"""Commitments, staying in touch and exports in Slack: the `/partner` verbs commit, done, drop,
commitments, cadence and export; the commitment form; the Done / Drop / New date buttons of
reminders; the Log a touchpoint / Snooze buttons of stay-in-touch nudges; and their planners.

Each verb parses its line, calls one service and answers in the ack. The Web API is used only
after the ack: opening forms, asking Slack about a caller (time zone, admin rights), updating a
reminder in place, and uploading an export (files.getUploadURLExternal, then the upload, then
files.completeUploadExternal, as `files_upload_v2` does) into the caller's direct messages.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from difflib import get_close_matches
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from apscheduler.triggers.interval import IntervalTrigger
from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.dates import misspelt_day, reads_as_date
from bot.delivery.dispatcher import error_code
from bot.mrkdwn import unescape
from bot.runtime import Runtime, new_error_id
from bot.services import people
from bot.services.cadence import BadIntervals, NotAllowedToSet
from bot.services.commitments import (
    MAX_CLOSE_NOTE,
    AlreadyClosed,
    BadCommitment,
    CommitmentFacts,
    CommitmentGone,
    NewCommitment,
    NotAllowedToClose,
    NotClosed,
    PartnerEnded,
    Problem,
    Scope,
)
from bot.services.export import Dataset, Export, Exporter
from bot.services.partner_parts import RENAME_PARTS
from bot.services.people import NotInWorkspace, PeopleCheck, PeopleToLookUp
from bot.services.registry import Actor
from bot.services.touchpoints import PartnerGone
from bot.slack_errors import SLACK_CALL_ERRORS
from handlers import grammar, home
from handlers import partners as registry_handlers
from handlers import touchpoints as touchpoint_handlers
from handlers.blocks import commitments as blocks
from handlers.blocks import option, picked_day
from handlers.blocks import touchpoints as touchpoint_blocks
from handlers.blocks.partners import say
from handlers.context import runtime_of
from handlers.errors import apology
from handlers.feedback import Click, ClickWork, after_ack, open_form, tell, update_message
from handlers.grammar import GrammarError, Kind, Name
from handlers.invocation import Invocation, VerbHandler
from handlers.partners import Call, VerbBody, deliver, known_admins, refused, registry_of
from handlers.reply import Block, FormAnswer, Reply, refuse_fields
from handlers.services import cadences_of, health_of
from handlers.services import commitments_of as service_of
from handlers.texts import commitments as texts
from handlers.texts import partners as partner_texts
from handlers.verbs import VERBS_BY_NAME
from storage.models import CommitmentSide, CommitmentStatus, PartnerStatus

if TYPE_CHECKING:
    from bot.scheduler import PlannerRegistry

logger = logging.getLogger(__name__)

Result = TypeVar("Result")

REMIND_EVERY_MINUTES = 10
NUDGE_EVERY_MINUTES = 30
# Where the due day starts: `by friday`, as people also say it, `due friday` (`due by`, `due on`,
# `due date`). The last one counts: `confirm the due date by friday` is due friday.
# `deadline friday` too, as people write it in a sentence.
_BY = re.compile(r"\b(?:due\s+date|due\s+(?:by|on)|deadline|by|due)\b", re.IGNORECASE)
# A mention that ends a line, as Slack sends it (what is typed after a `:` is not tokenized: a
# bare `@ben` may stand there).
_MENTION_AT_END = re.compile(r"<@(?P<user>[UW][A-Z0-9]+)(?:\|[^>]*)?>\s*$")
# One that starts a promise, followed by a word of it (`@ben send the deck`, `@ben: send it`); not
# by `'s`, a comma, `and`, `&` or another mention, which make it part of what was promised.
_MENTION_AT_START = re.compile(
    r"^\s*<@(?P<user>[UW][A-Z0-9]+)(?:\|[^>]*)?>(?:\s*[:–—-])?\s+(?!(?i:and|or)\b)(?=[^\W_])"
)
# `on friday` at the end, when no `by` (nor `due`, `deadline`) is said: for a promise the day it
# happens is the day it is due (`we'll meet on friday` is met by Friday), so nothing is lost by
# reading it so. Only when all after the last `on` reads as a date: `we owe the report on Q3`
# and `present on the new budget` are no due day, and `by` wins over `on` (`present on friday's
# call by thursday`).
_ON = re.compile(r"\bon\b", re.IGNORECASE)
# Helpers left after the side: `we will send it`, `we shall send it` → “send it”; `we will be
# sending it` → “sending it” (`be` goes only before an -ing word: `will be there` keeps it).
# Lower case only: `Will Smith's intro` is a name.
_WILL = re.compile(r"^(?:(?:will|shall)\s+)?(?:be\s+(?=[^\s]+ing\b))?")
# Statuses whose partners follow a cadence (paused and ended ones are exempt).
CADENCE_STATUSES = (PartnerStatus.PROSPECT.value, PartnerStatus.ACTIVE.value)


def exporter_of(runtime: Runtime) -> Exporter:
    return Exporter(
        engine=runtime.engine,
        clock=runtime.clock,
        commitments=service_of(runtime),
        cadences=cadences_of(runtime),
        health=health_of(runtime),
    )


# --- The lines ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitLine:
    """`NAME SIDE [@owner] [:] WHAT by DATE`, SIDE as people say it (`us`, `we owe`, `them`,
    `they owe`… `texts.SIDE_WORDS`)."""

    name: Name
    side: CommitmentSide
    owner_id: str | None
    what: str
    due: str


def _side_at(tokens: list[grammar.Token], index: int) -> tuple[CommitmentSide, int] | None:
    """The side said by the words from `index` on, longest first, and how many words say it."""
    for words, side in texts.SIDE_WORDS:
        found = tokens[index : index + len(words)]
        if len(found) == len(words) and all(
            token.is_word(word) for token, word in zip(found, words, strict=True)
        ):
            return side, len(words)
    return None


def _trailing_side(tokens: list[grammar.Token]) -> tuple[CommitmentSide, int] | None:
    """The side said by the last words of `tokens`, and how many words say it."""
    for start in range(max(0, len(tokens) - 3), len(tokens)):
        found = _side_at(tokens, start)
        if found is not None and start + found[1] == len(tokens):
            return found
    return None


def _owners(tokens: list[grammar.Token]) -> str | None:
    return _one_owner(*(token.text for token in tokens))


def _named(tokens: list[grammar.Token], owners: list[grammar.Token]) -> tuple[Name, str | None]:
    """The partner's name and the owner. A mention is never part of a name, so one typed before
    or after it (`commit @ben Acme us`, `commit Acme @ben we owe`) names the owner as well as
    one after the side does."""
    tokens, owners = list(tokens), list(owners)
    while tokens and tokens[0].kind is Kind.MENTION:
        owners.append(tokens.pop(0))
    while tokens and tokens[-1].kind is Kind.MENTION:
        owners.append(tokens.pop())
    name = grammar.whole_name(tokens)
    if name is None or not name.text:
        raise GrammarError(texts.NO_PARTNER)
    return name, _owners(owners)


def parse_commit(text: str) -> CommitLine:
    # `… by friday @ben`: people name the owner last too, right after the day. Only after a day
    # that reads as one: in `… by friday to @ben` the mention may be whom it goes to, so the right
    # form is asked. After a promise (`by friday : send the deck to @ben`) it is part of it.
    rest, ending = text, list[str]()
    while found := _MENTION_AT_END.search(rest):
        ending.insert(0, found["user"])
        rest = rest[: found.start()].rstrip(" ,;(–—-")
    if not ending or not rest:
        return _parse_commit(text)[0]
    line, day_last = _parse_commit(rest)
    if not day_last:
        return _parse_commit(text)[0]
    if not reads_as_date(line.due):
        raise GrammarError(texts.owner_goes_after_side(line.side, ending[0]))
    return replace(line, owner_id=_one_owner(line.owner_id, *ending))


def _one_owner(*owners: str | None) -> str | None:
    """The owner named (perhaps more than once), or None; two people are refused."""
    named = {owner for owner in owners if owner is not None}
    if len(named) > 1:
        raise GrammarError(texts.ONE_OWNER)
    return named.pop() if named else None


def _parse_commit(text: str) -> tuple[CommitLine, bool]:
    """The line, and whether its due day ends it (not so in `by friday : send the deck`)."""
    head, tail = touchpoint_handlers.split_notes(text)
    colon = tail is not None
    tokens = grammar.tokenize(head)
    owners: list[grammar.Token] = []
    while tokens and tokens[-1].kind is Kind.MENTION:
        owners.insert(0, tokens.pop())
    trailing = _trailing_side(tokens) if tail is not None else None
    if tail is not None and trailing is not None:
        # `NAME we owe [@owner] : WHAT by DATE`.
        side, used = trailing
        name, owner_id = _named(tokens[:-used], owners)
        owner_id, tail = _owner_first(side, owner_id, tail)
    else:
        # `NAME we owe [@owner] WHAT by DATE`: the first side said after the name ends it; what
        # follows (perhaps with a `:` in it) was promised.
        side, name, owner_id, tail = _without_colon(text)
        early = _due_before_colon(tail)
        if early is not None:
            due, what = early
            owner_id, what = _owner_first(side, owner_id, what)
            line = CommitLine(
                name=name, side=side, owner_id=owner_id, what=_promised(what), due=due
            )
            return line, False
    found = list(_BY.finditer(tail)) or _on_a_date(tail)
    # `due: friday`: the mark after the word is no part of the day.
    # `by friday.`: nor is a full stop or an exclamation mark at the end.
    due = tail[found[-1].end() :].strip().lstrip(":").rstrip(".!").strip() if found else ""
    if not due:
        last_day = _day_at_end(tail)
        raise GrammarError(texts.NO_BY if last_day is None else texts.no_by(*last_day))
    what = tail[: found[-1].start()].strip()
    if what.endswith("(") and due.endswith(")"):  # `the deck (due friday)`
        due = due[:-1].strip()
    earlier = _due_ending(what)
    if earlier is not None:
        # `budget by friday by monday`: which day is it due? Not the last one said, unasked.
        said, promised = earlier
        last = f"{found[-1].group()} {due}"
        raise GrammarError(texts.two_due_days(name.text, side, _promised(promised), said, last))
    what = _promised(what)
    if not what and not colon:
        # `we owe by friday`: no `:` was typed, so say where the promise goes in what was.
        raise GrammarError(texts.no_what(name.text, side, due))
    return CommitLine(name=name, side=side, owner_id=owner_id, what=what, due=due), True


_TIME_ALONE = re.compile(r"^(?:at )?[\d:.]+ ?(?:am|pm)?$", re.IGNORECASE)
# The most words a day is said in (`friday of next week 5pm`), to look for one ending a line.
_LONGEST_DAY = 5


def _day_at_end(tail: str) -> tuple[str, str] | None:
    """`send the deck tomorrow`, `send the deck in 2 weeks`: a day said after the promise
    without `by`; the promise and the day, as typed (the most words that read as one). None
    when no last words read as a day, or nothing comes before them."""
    words = tail.strip().rstrip(".!").split()
    for count in range(min(len(words) - 1, _LONGEST_DAY), 0, -1):
        day = " ".join(words[-count:])
        if reads_as_date(day):
            # `call at 14:00`: a time alone is when to do it, today, not a due day.
            return None if _TIME_ALONE.match(day) else (" ".join(words[:-count]), day)
    return None


def _due_ending(what: str) -> tuple[str, str] | None:
    """A due day said at the end of what was promised, before the one that ends the line
    (`budget by friday` of `budget by friday by monday`): that day as typed (`by friday`) and
    the promise before it; None when none (`confirm the due date`, or a promise in quotes)."""
    if _unquoted(what) != what:
        return None
    found = list(_BY.finditer(what))
    if not found:
        return None
    day = what[found[-1].end() :].strip().lstrip(":").rstrip(".!,;").strip()
    if not day or not reads_as_date(day):
        return None
    return f"{found[-1].group()} {day}", what[: found[-1].start()]


def _owner_first(side: CommitmentSide, owner_id: str | None, what: str) -> tuple[str | None, str]:
    """`we owe : @ben send the deck`, `we owe by friday : @ben send the deck`: the owner typed
    just after the `:`, as the one who does it (the documented place is just before it), wherever
    the day is said. The owner and the promise without them. Not when no word of the promise
    follows (`@ben's intro`, `@ben and @dan a summary` were promised), nor in what they owe, which
    is as often *to* one of ours (`them : @ben an intro to their CFO`)."""
    first = _MENTION_AT_START.match(what)
    if first is None or side is not CommitmentSide.US:
        return owner_id, what
    return _one_owner(owner_id, first["user"]), what[first.end() :]


def _promised(what: str) -> str:
    # `the deck, due friday`: the mark before the word is no part of the promise.
    return _unquoted(_WILL.sub("", what.rstrip(",;(–—-").strip()))


def _due_before_colon(tail: str) -> tuple[str, str] | None:
    """`by friday : send the deck`, the day said before the `:` and the promise after it: the
    day and the promise, else None."""
    before, after = touchpoint_handlers.split_notes(tail)
    said = _BY.match(before.strip())
    if after is None or said is None:
        return None
    due = before.strip()[said.end() :].strip()
    # The promise as typed: `split_notes` undoes Slack's escaping, which the tail has had.
    what = tail[len(before) + 1 :].strip()
    return (due, what) if what and reads_as_date(due) else None


def _on_a_date(tail: str) -> list[re.Match[str]]:
    """The last `on` of `tail` when all after it reads as a date (`_ON`), else none."""
    found = list(_ON.finditer(tail))
    if found and reads_as_date(tail[found[-1].end() :].strip().rstrip(".!")):
        return found[-1:]
    return []


def _without_colon(text: str) -> tuple[CommitmentSide, Name, str | None, str]:
    """A line with no `:` after its side: its side, partner, owner and what follows them."""
    tokens = grammar.tokenize(text)
    before_colon = next(
        (index for index, token in enumerate(tokens) if token.kind is Kind.COLON), len(tokens)
    )
    for index in range(1, before_colon):
        found = _side_at(tokens, index)
        if found is None:
            continue
        side, used = found
        rest = index + used
        owners: list[grammar.Token] = []
        while rest < len(tokens) and tokens[rest].kind is Kind.MENTION:
            owners.append(tokens[rest])
            rest += 1
        after = tokens[rest - 1].end
        # `we owe: the deck`, `us - the deck`: the mark after the side is no part of it.
        tail = unescape(text[after:]).strip().lstrip(":-–—").strip()
        name, owner_id = _named(tokens[:index], owners)
        return side, name, owner_id, tail
    if not tokens or tokens[0].kind is Kind.COLON:
        raise GrammarError(texts.NO_PARTNER)
    if before_colon == len(tokens) and _side_at(tokens, 0) is not None:
        raise GrammarError(texts.NO_PARTNER)  # `commit we owe the deck by friday`
    raise GrammarError(texts.NO_SIDE)


# Quotes people put around what was promised, as they do around a partner's name, to keep a
# `by` in it from reading as the due date: the promise is what is inside, shown in “…” anyway.
_QUOTES = {'"': '"', "“": "”", "„": "“", "'": "'", "‘": "’"}


def _unquoted(what: str) -> str:
    """`"send it by email"` → `send it by email`; quotes inside the text stay."""
    close = _QUOTES.get(what[:1])
    if close is None or len(what) < 2 or not what.endswith(close):
        return what
    inner = what[1:-1]
    return what if close in inner or what[0] in inner else inner.strip()


def parse_id(text: str) -> int:
    """`42` or `#42`; a mark typed after it (`reopen 1.`, `done #1!`, `drop 2:`) is no part of
    it."""
    word = text.strip().rstrip(",:;.!?").removeprefix("#")
    if not word.isdigit() or len(word) > 12:
        raise GrammarError(texts.NO_ID)
    return int(word)


@dataclass(frozen=True)
class CloseLine:
    """`ID [why]`: `drop 3 no longer needed`, `done #3 : sent by email`."""

    number: int
    note: str | None


# Another commitment's number after the first (`done 1 2`, `done #1, #2`): one at a time.
_MORE_IDS = re.compile(r"^(?:(?:,|and|&amp;|&)?\s*#?\d+\s*)+$", re.IGNORECASE)


def parse_close(text: str, *, verb: str) -> CloseLine:
    first, _, rest = text.strip().partition(" ")
    head, comma, more = first.partition(",")
    if comma and more:  # `done 1,2`
        first, rest = head, f"{more} {rest}"
    # `done 3: sent`, `done #3, sent`: the mark after the number is no part of it.
    number = parse_id(first)
    note = unescape(rest).strip()
    if _MORE_IDS.match(note):
        raise GrammarError(texts.one_at_a_time(verb, number))
    note = note.lstrip(":-–—").strip()
    if len(note) > MAX_CLOSE_NOTE:
        raise GrammarError(texts.close_note_too_long(len(note)))
    return CloseLine(number=number, note=note or None)


@dataclass(frozen=True)
class CadenceLine:
    """`NAME`, `NAME IDEAL MAX` or `status STATUS IDEAL MAX`."""

    name: Name | None
    status: str | None
    ideal: int | None
    maximum: int | None


def parse_cadence(text: str) -> CadenceLine:
    tokens = grammar.tokenize(text)
    numbers: list[int] = []
    while tokens and tokens[-1].kind is Kind.WORD and tokens[-1].text.isdigit():
        numbers.insert(0, int(tokens.pop().text[:6]))
    if len(numbers) not in (0, 2):
        raise GrammarError(texts.NO_INTERVALS)
    ideal, maximum = (numbers[0], numbers[1]) if numbers else (None, None)
    statuses = [status.value for status in PartnerStatus]
    if (
        len(tokens) == 2
        and tokens[0].is_word("status")
        and tokens[1].is_word(*statuses)
        and numbers
    ):
        word = tokens[1].text.lower()
        if word not in CADENCE_STATUSES:
            raise GrammarError(texts.no_cadence_for(tokens[1].text))
        return CadenceLine(name=None, status=word, ideal=ideal, maximum=maximum)
    name = grammar.whole_name(tokens)
    if name is None or not name.text:
        raise GrammarError(texts.NO_PARTNER)
    return CadenceLine(name=name, status=None, ideal=ideal, maximum=maximum)


# --- Verbs --------------------------------------------------------------------------------------


def _request_key(invocation: Invocation) -> str | None:
    return f"cmd:{invocation.trigger_id}" if invocation.trigger_id else None


def commit(call: Call) -> Reply:
    if not call.rest:
        return _open_commit_form(call)
    line = parse_commit(call.rest)
    try:
        result = service_of(call.runtime).record(
            actor=call.actor,
            partner=call.partner(line.name),
            new=NewCommitment(
                side=line.side, what=line.what, owner_id=line.owner_id, due_text=line.due
            ),
            request_key=_request_key(call.invocation),
        )
    except BadCommitment as error:
        if error.problem is Problem.UNREADABLE_DATE and _says_how(line.due):
            # `send the report by email`: the `by` said how, and no day was said at all.
            raise GrammarError(
                f"{texts.problem(error)} {texts.by_says_how(line.what, line.due)}"
            ) from None
        raise
    return blocks.recorded(result)


# Words after `by` that say when, if vaguely: no `by` in the promise, only no day.
_VAGUE_WHEN = frozenset({"asap", "soon", "later", "someday", "tbd", "tbc", "whenever"})


def _says_how(due: str) -> bool:
    """Whether the unreadable words after the last `by` may say how it is done (`email`, `the
    courier`) rather than a day typed wrong (`firday`, `12/45`) or vaguely (`asap`)."""
    words = due.lower().split()
    return not (
        any(character.isdigit() for character in due)
        or any(misspelt_day(word) for word in words)
        or (len(words) == 1 and words[0] in _VAGUE_WHEN)
    )


def _close(status: CommitmentStatus, call: Call) -> Reply:
    verb = "done" if status is CommitmentStatus.DONE else "drop"
    line = parse_close(call.rest, verb=verb)
    result = service_of(call.runtime).close(
        actor=call.actor, number=line.number, status=status, note=line.note
    )
    return blocks.closed(result, name=result.commitment.partner_name)


def reopen(call: Call) -> Reply:
    """`reopen ID`: a commitment closed by mistake, open again."""
    first, _, more = call.rest.strip().partition(" ")
    number = parse_id(first)
    if more.strip():
        raise GrammarError(texts.reopen_only_number(number))
    try:
        result = service_of(call.runtime).reopen(actor=call.actor, number=number)
    except PartnerEnded as ended:
        return say(texts.reopen_ended(ended.partner, number, ended.reopening))
    except NotAllowedToClose as refusal:
        words = partial(
            texts.not_allowed,
            refusal.commitment,
            refusal.partner,
            covers_from=refusal.covers_from,
            doing="reopen",
        )
        return refused(call.runtime, call.team_id, words)
    return blocks.closed(result, name=result.commitment.partner_name)


def list_commitments(call: Call) -> Reply:
    tokens = grammar.tokenize(call.rest)
    service = service_of(call.runtime)
    this_year = call.runtime.clock.now().year
    closed_word = bool(tokens) and tokens[0].is_word(*texts.CLOSED_WORDS)
    if closed_word and any(token.kind is Kind.MENTION for token in tokens):
        # `closed @ben`: no partner's name has a mention in it, and no person is listed.
        raise GrammarError(texts.closed_forms(tokens[0].text.lower()))
    whole = grammar.whole_name(tokens) if tokens else None
    if closed_word and (whole is None or call.known([whole.text]) is None):
        # `commitments closed [NAME|mine]` (or `done`, `kept`, `dropped`); a partner called
        # “Done Deals” is still listed by its name.
        statuses = texts.CLOSED_WORDS[tokens[0].text.lower()]
        rest = tokens[1:]
        mine = len(rest) == 1 and rest[0].is_word("mine")
        every = len(rest) == 1 and rest[0].is_word(Scope.ALL)
        named = None if mine or every or not rest else grammar.whole_name(rest)
        # `closed mine Acme`: a partner and `mine` at once is no form it takes (unless a
        # partner goes by all those words).
        if (
            len(rest) > 1
            and rest[0].is_word("mine", Scope.ALL)
            and (named is None or call.known([named.text]) is None)
        ):
            raise GrammarError(texts.closed_forms(tokens[0].text.lower()))
        closed = service.closed_listing(
            actor=call.actor,
            statuses=statuses,
            partner=None if named is None else call.partner(named),
            mine=mine,
        )
        return blocks.closed_listing(closed, this_year=this_year)
    if not tokens:
        found = service.listing(actor=call.actor, scope=Scope.ALL)
    elif len(tokens) == 1 and tokens[0].is_word(Scope.ALL, *texts.SCOPES):
        # `all`, as `list all` says it, is what the verb alone lists.
        found = service.listing(actor=call.actor, scope=Scope(tokens[0].text.lower()))
    else:
        line = grammar.parse_name(call.rest)
        meant = _listing_meant(call, tokens, line.name)
        if meant is not None:
            raise GrammarError(texts.listing_meant(line.name.text, meant))
        found = service.listing(
            actor=call.actor, scope=Scope.PARTNER, partner=call.partner(line.name)
        )
    return blocks.listing(found, this_year=this_year)


def _listing_meant(call: Call, tokens: list[grammar.Token], name: Name) -> str | None:
    """`commitments overdeu`: the listing its first word is a slip of (`overdue`; `clsoed
    Acme` → `closed Acme`), as typed after the verb, when no partner goes by the name read nor
    comes close to it (those are listed, or offered); else None."""
    if call.known([name.text]) is not None:
        return None
    if call.registry.close_reading(team_id=call.team_id, readings=[name.text]) is not None:
        return None
    # `mine`, `overdue` and `all` take nothing after them; the closed ones a partner or `mine`.
    words = [*texts.CLOSED_WORDS, *(() if len(tokens) > 1 else (Scope.ALL, *texts.SCOPES))]
    close = get_close_matches(tokens[0].text.lower(), words, 1, 0.7)
    if not close:
        return None
    rest = call.rest[tokens[1].start :].strip() if len(tokens) > 1 else ""
    return f"{close[0]} {rest}".strip()


def cadence(call: Call) -> Reply:
    line = parse_cadence(call.rest)
    service = cadences_of(call.runtime)
    tz = service.zone(team_id=call.team_id, user_id=call.invocation.user_id)
    if line.status is not None:
        assert line.ideal is not None and line.maximum is not None
        found = service.set_for_status(
            actor=call.actor,
            status=PartnerStatus(line.status),
            ideal=line.ideal,
            maximum=line.maximum,
        )
        return say(texts.status_cadence_set(line.status, found))
    assert line.name is not None
    if line.ideal is None or line.maximum is None:
        state = service.state(team_id=call.team_id, partner=call.partner(line.name))
        return say(texts.cadence_state(state, tz))
    state = service.set(
        actor=call.actor, partner=call.partner(line.name), ideal=line.ideal, maximum=line.maximum
    )
    return say(texts.cadence_set(state, tz))


def export(call: Call) -> Reply:
    tokens = grammar.tokenize(call.rest)
    # `export partner` is said for the partners as often as `export partners`.
    singular = {export.removesuffix("s"): export for export in texts.EXPORTS}
    if len(tokens) != 1 or not tokens[0].is_word(*texts.EXPORTS, *singular):
        raise GrammarError(texts.not_an_export(grammar.as_typed(call.rest)))
    word = tokens[0].text.lower()
    dataset = Dataset(singular.get(word, word))
    return Reply(
        text=texts.exporting(dataset),
        followup=partial(_send_export, call.runtime, call.invocation, dataset),
    )


def guarded(body: VerbBody) -> VerbBody:
    """A body whose refusals are answered: bad input with the syntax and an example, the rest
    in one sentence."""

    def run(call: Call) -> Reply:
        try:
            return body(call)
        except BadCommitment as error:
            raise GrammarError(texts.problem(error)) from None
        except BadIntervals as error:
            raise GrammarError(texts.bad_intervals(error)) from None
        except CommitmentGone as error:
            return say(texts.gone(error.number))
        except NotAllowedToClose as refusal:
            words = partial(
                texts.not_allowed,
                refusal.commitment,
                refusal.partner,
                covers_from=refusal.covers_from,
            )
            return refused(call.runtime, call.team_id, words)
        except AlreadyClosed as error:
            return say(texts.already_closed(error.commitment))
        except NotClosed as error:
            return say(texts.not_closed(error.commitment))
        except PartnerEnded as ended:
            return say(texts.ended_partner(ended.partner, ended.reopening))
        except NotAllowedToSet as refusal:
            return refused(
                call.runtime, call.team_id, partial(texts.not_allowed_cadence, refusal.partner)
            )

    return run


Answer = Callable[[Call, VerbBody], Reply]

BODIES: dict[str, tuple[VerbBody, Answer]] = {
    # `commit` reads a date in the caller's zone and may name a partner to register.
    "commit": (commit, touchpoint_handlers.answer),
    "done": (partial(_close, CommitmentStatus.DONE), registry_handlers.answer),
    "drop": (partial(_close, CommitmentStatus.DROPPED), registry_handlers.answer),
    "reopen": (reopen, registry_handlers.answer),
    "commitments": (list_commitments, registry_handlers.answer),
    "cadence": (cadence, registry_handlers.answer),
    "export": (export, registry_handlers.answer),
}


VERB_HANDLERS: dict[str, VerbHandler] = {
    name: registry_handlers.verb_handler(guarded(body), VERBS_BY_NAME[name], answered_by=answer)
    for name, (body, answer) in BODIES.items()
}


# --- The profile card ----------------------------------------------------------------------------


def card_section(runtime: Runtime, invocation: Invocation, partner_id: int) -> list[Block]:
    """What `show` (and `check`) add about a partner: open commitments, balance, cadence."""
    team_id = invocation.team_id
    cadences = cadences_of(runtime)
    summary = service_of(runtime).partner_summary(team_id=team_id, partner_id=partner_id)
    state = cadences.states(team_id=team_id, partner_ids=[partner_id]).get(partner_id)
    return blocks.partner_section(
        summary,
        state,
        tz=cadences.zone(team_id=team_id, user_id=invocation.user_id),
        this_year=runtime.clock.now().year,
    )


# --- Export, after the ack ----------------------------------------------------------------------


def _send_export(
    runtime: Runtime, invocation: Invocation, dataset: Dataset, client: WebClient, respond: Respond
) -> None:
    """Build the CSV (asking Slack first whether the caller is an admin, and who the people it
    names are whom Liaison never looked up, if need be) and upload it into the caller's direct
    messages; one with no row is not sent, and the caller is told why."""
    user_id = invocation.user_id
    exporter = exporter_of(runtime)

    def build(actor: Actor) -> Export:
        return exporter.export(
            team_id=actor.team_id, user_id=actor.user_id, dataset=dataset, check=actor.check
        )

    try:
        found = _as(runtime, client, Actor(invocation.team_id, user_id), build)
    except Exception:
        error_id = new_error_id()
        logger.exception("building the %s export failed (error id %s)", dataset, error_id)
        respond(**say(apology(error_id)).as_message(), replace_original=True)
        return
    if not found.rows:
        respond(**say(texts.export_empty(found)).as_message(), replace_original=True)
        return
    try:
        channel = client.conversations_open(users=user_id)["channel"]["id"]
        client.files_upload_v2(
            channel=channel,
            content=found.content,
            filename=found.filename,
            title=found.filename,
            initial_comment=texts.export_comment(found),
        )
    except SlackApiError as error:
        code = error_code(error)
        logger.warning("uploading the %s export for %s failed: %s", dataset, user_id, code)
        respond(**say(texts.export_failed(code)).as_message(), replace_original=True)
        return
    except SLACK_CALL_ERRORS as error:
        logger.warning(
            "uploading the %s export for %s could not reach Slack: %s",
            dataset,
            user_id,
            type(error).__name__,
        )
        respond(**say(texts.export_failed(None)).as_message(), replace_original=True)
        return
    respond(**say(texts.export_sent(found)).as_message(), replace_original=True)


# --- The commitment form ------------------------------------------------------------------------


def _open_commit_form(call: Call) -> Reply:
    return registry_handlers.open_form(
        call,
        lambda metadata: blocks.commit_form(
            owner_id=call.invocation.user_id, private_metadata=metadata
        ),
        form="commitment",
        typed="commit NAME us|them : WHAT by DATE",
    )


@dataclass(frozen=True)
class CommitForm:
    """What the person put in the commitment form."""

    partner_id: int | None
    side: CommitmentSide
    owner_id: str | None
    what: str
    due_on: date | None

    @classmethod
    def read(cls, values: dict[str, dict[str, dict[str, Any]]]) -> CommitForm:
        def field_of(block_id: str, action_id: str = blocks.FIELD_ACTION) -> dict[str, Any]:
            return values.get(block_id, {}).get(action_id, {})

        picked = field_of(blocks.PARTNER_FIELD, blocks.PARTNER_PICKER).get("selected_option") or {}
        side = (field_of(blocks.SIDE_FIELD).get("selected_option") or {}).get("value")
        return cls(
            partner_id=int(picked["value"]) if str(picked.get("value", "")).isdigit() else None,
            side=blocks.side_of(side),
            owner_id=field_of(blocks.OWNER_FIELD).get("selected_user"),
            what=str(field_of(blocks.WHAT_FIELD).get("value") or ""),
            due_on=picked_day(field_of(blocks.DUE_FIELD)),
        )


def _due_error(error: BadCommitment) -> str:
    if error.problem is Problem.PAST_DUE and error.today is not None:
        return texts.form_past(error.today)
    if error.problem is Problem.NO_DATE:
        return partner_texts.PICK_A_DAY
    return texts.problem(error)


def commit_form_errors(
    error: BadCommitment | PartnerGone | PartnerEnded | NotInWorkspace,
    *,
    bot: str | None = None,
) -> dict[str, str]:
    """Which field of the commitment form an error belongs to, and what to say there; `bot`:
    Liaison's own user id, named as itself."""
    if isinstance(error, PartnerGone):
        return {blocks.PARTNER_FIELD: texts.PARTNER_GONE}
    if isinstance(error, PartnerEnded):
        return {blocks.PARTNER_FIELD: texts.form_ended_partner(error.partner, error.reopening)}
    if isinstance(error, NotInWorkspace):
        liaison = bot is not None and error.user_id == bot
        return {
            blocks.OWNER_FIELD: partner_texts.not_in_workspace(
                error.user_id, external=error.external, verb="commit", liaison=liaison
            )
        }
    if error.problem is Problem.NO_WHAT:
        return {blocks.WHAT_FIELD: texts.FORM_NO_WHAT}
    if error.problem is Problem.WHAT_TOO_LONG:
        return {blocks.WHAT_FIELD: texts.problem(error)}
    return {blocks.DUE_FIELD: _due_error(error)}


def on_commit_submitted(
    ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    runtime = runtime_of(context)
    view = body["view"]
    form = CommitForm.read(view["state"]["values"])
    if form.partner_id is None:
        refuse_fields(
            ack,
            runtime,
            team_id=body["team"]["id"],
            errors={blocks.PARTNER_FIELD: partner_texts.PICK_A_PARTNER},
        )
        return
    # Slack's user menus list apps too: Liaison picked would be saved on the menu's word.
    bot = context.bot_user_id
    if bot is not None and form.owner_id == bot:
        errors = commit_form_errors(NotInWorkspace(bot), bot=bot)
        refuse_fields(ack, runtime, team_id=body["team"]["id"], errors=errors)
        return
    # The owner was picked in Slack's own user menu: in the workspace, or so it was when the
    # menu listed them (other apps and people deactivated since are taken off after the ack).
    picked = frozenset([form.owner_id] if form.owner_id else [])
    actor = Actor(body["team"]["id"], body["user"]["id"], PeopleCheck(asked=picked))
    try:
        result = service_of(runtime).record(
            actor=actor,
            partner=form.partner_id,
            new=NewCommitment(
                side=form.side, what=form.what, owner_id=form.owner_id, due_on=form.due_on
            ),
            request_key=f"view:{view['id']}",
        )
    except (BadCommitment, PartnerGone, PartnerEnded, NotInWorkspace) as error:
        refuse_fields(ack, runtime, team_id=actor.team_id, errors=commit_form_errors(error))
        return
    ack()
    # An owner picked whom Liaison never met, or met long ago, is asked about now: until Slack
    # says they are a colleague, the answer does not say they were told (they may be taken off).
    unconfirmed = people.unconfirmed(
        runtime.engine,
        runtime.clock.now(),
        team_id=actor.team_id,
        user_ids=[result.commitment.owner_id],
    )
    _check_owner_after_ack(runtime, client, actor, result.commitment, unconfirmed=unconfirmed)
    reply = blocks.recorded(replace(result, owner_unconfirmed=bool(unconfirmed)))
    if home.from_home(view.get("private_metadata")):
        runtime.defer(
            partial(
                home.publish,
                runtime,
                client,
                team_id=actor.team_id,
                user_id=actor.user_id,
                notice=reply.blocks,
            ),
            what="App Home after a commitment",
        )
        return
    # The form has no message to answer; the command that opened it does.
    metadata = json.loads(view.get("private_metadata") or "{}")
    respond = FormAnswer(metadata.get("response_url"), client=client, user_id=actor.user_id)
    runtime.defer(
        partial(deliver, reply, client, respond, replace_original=False),
        what="commitment form answer",
    )


def _check_owner_after_ack(
    runtime: Runtime,
    client: WebClient,
    actor: Actor,
    commitment: CommitmentFacts,
    *,
    unconfirmed: Sequence[str],
) -> None:
    """After the ack of the commitment form: an owner picked in Slack's menu whom the cache
    does not know, or knew long ago (`unconfirmed`, `people.unconfirmed`), is looked up; if
    Slack says they are of another organisation, an app or a deactivated account (as the `add`
    form does), the submitter owns the commitment instead (it always has an owner) and is told
    so in one DM, or, when someone else owns it by then, who does."""
    owner = commitment.owner_id
    if not unconfirmed:
        return

    def undo(_elsewhere: list[str], gone: list[str]) -> str:
        try:
            now = service_of(runtime).take_off_elsewhere(
                actor=actor, commitment_id=commitment.id, owner_id=owner
            )
        except CommitmentGone:
            return texts.gone(commitment.number)
        if now.owner_id != actor.user_id:
            # Someone else owned it by then: theirs it stays, and the submitter hears so.
            return texts.picked_owner_not_kept(owner, now, gone=bool(gone))
        return partner_texts.commit_form_owner_replaced(
            owner, commitment.number, commitment.partner_name, gone=bool(gone)
        )

    check = registry_handlers.undo_if_no_colleagues(
        runtime, team_id=actor.team_id, user_id=actor.user_id, picked=[owner], undo=undo
    )
    runtime.defer(
        partial(check, client, Respond(response_url=None)), what="commitment form owner check"
    )


# --- Reminder buttons: Done, Drop, New date -----------------------------------------------------


def _number(click: Click) -> int | None:
    """The commitment or partner a button is about (None: a value that is not ours)."""
    return int(click.value) if click.value.isdigit() and len(click.value) < 13 else None


def _as(
    runtime: Runtime, client: WebClient, actor: Actor, work: Callable[[Actor], Result]
) -> Result:
    """Run `work` as `actor`; when it needs Slack to tell who people are, ask and run it again,
    as long as it needs someone new (an export asks who the caller is, then who its file names).
    Only after the ack."""
    looked_up: set[str] = set()
    while True:
        try:
            return work(actor)
        except PeopleToLookUp as pending:
            if looked_up.issuperset(pending.user_ids):
                raise
            looked_up.update(pending.user_ids)
            learned = people.look_up(
                client,
                engine=runtime.engine,
                clock=runtime.clock,
                team_id=actor.team_id,
                user_ids=pending.user_ids,
            )
            actor = replace(actor, check=actor.check | learned)


def _refusal(
    runtime: Runtime, team_id: str, error: CommitmentGone | AlreadyClosed | NotAllowedToClose
) -> str:
    """A click's or a form's refusal; one to close or move names the admins Liaison knows of."""
    if isinstance(error, CommitmentGone):
        return texts.gone(error.number)
    if isinstance(error, AlreadyClosed):
        return texts.already_closed(error.commitment)
    admins = known_admins(runtime, team_id)
    return texts.not_allowed(error.commitment, error.partner, admins, error.covers_from)


def close_click(status: CommitmentStatus) -> ClickWork:
    """Done or Drop on a reminder: the reminder becomes what happened; a refusal is told apart,
    below it, to whoever clicked. Done on the App Home: the Home is published again, with what
    happened (or the refusal) on top."""

    def work(runtime: Runtime, click: Click, client: WebClient, respond: Respond) -> None:
        def answer(reply: Reply, *, in_place: bool) -> None:
            if click.on_home:
                home.publish(
                    runtime,
                    client,
                    team_id=click.team_id,
                    user_id=click.user_id,
                    notice=reply.blocks,
                )
            elif in_place:
                respond(**reply.as_message(), replace_original=True)
            else:
                tell(respond, reply.text)

        number = _number(click)
        if number is None:
            answer(say(texts.gone(None)), in_place=False)
            return
        service = service_of(runtime)

        def close(actor: Actor) -> Reply:
            result = service.close(actor=actor, commitment_id=number, status=status)
            return blocks.closed(result, name=result.commitment.partner_name)

        try:
            reply = _as(runtime, client, Actor(click.team_id, click.user_id), close)
        except AlreadyClosed as error:
            # Someone closed it meanwhile: the reminder says so, without its buttons.
            answer(say(_refusal(runtime, click.team_id, error)), in_place=True)
            return
        except (CommitmentGone, NotAllowedToClose) as error:
            answer(say(_refusal(runtime, click.team_id, error)), in_place=False)
            return
        answer(reply, in_place=True)

    return work


def new_date_click(runtime: Runtime, click: Click, client: WebClient, respond: Respond) -> None:
    """New date: the form with a calendar on the current due day."""
    number = _number(click)
    try:
        if number is None:
            raise CommitmentGone()
        found = service_of(runtime).get(team_id=click.team_id, commitment_id=number)
    except CommitmentGone as error:
        tell(respond, _refusal(runtime, click.team_id, error))
        return
    if not found.is_open:
        tell(respond, texts.already_closed(found))
        return
    metadata = json.dumps({"commitment": number, "message": click.message})
    view = blocks.redate_form(found, private_metadata=metadata)
    open_form(client, respond, trigger_id=click.trigger_id, view=view)


def on_redate_submitted(
    ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    """A new due day: checked and saved before the ack (so a past day shows in the form), the
    reminder updated after it. When whether the person may change it needs Slack, that is asked
    after the ack, and a refusal is sent to them."""
    runtime = runtime_of(context)
    view = body["view"]
    metadata = json.loads(view.get("private_metadata") or "{}")
    number, message = metadata.get("commitment"), metadata.get("message")
    picked = view["state"]["values"].get(blocks.DUE_FIELD, {}).get(blocks.FIELD_ACTION, {})
    day = picked_day(picked)
    if not isinstance(number, int) or day is None:
        refuse_fields(
            ack,
            runtime,
            team_id=body["team"]["id"],
            errors={blocks.DUE_FIELD: partner_texts.PICK_A_DAY},
        )
        return
    actor = Actor(body["team"]["id"], body["user"]["id"])
    service = service_of(runtime)

    def save(who: Actor) -> Reply:
        shown = blocks.redated(service.redate(actor=who, commitment_id=number, due_on=day))
        return Reply(text=shown.text, blocks=shown.blocks)

    def show(reply: Reply) -> None:
        if message:
            channel, ts = message
            update_message(client, channel=channel, ts=ts, text=reply.text, blocks=reply.blocks)

    def save_after_lookup() -> None:
        try:
            show(_as(runtime, client, actor, save))
        except (CommitmentGone, AlreadyClosed, NotAllowedToClose) as error:
            refusal = say(_refusal(runtime, actor.team_id, error))
            people.send_direct_message(
                client, user_id=actor.user_id, text=refusal.text, blocks=refusal.blocks
            )

    try:
        reply = save(actor)
    except BadCommitment as error:
        refuse_fields(
            ack, runtime, team_id=actor.team_id, errors={blocks.DUE_FIELD: _due_error(error)}
        )
        return
    except (CommitmentGone, AlreadyClosed, NotAllowedToClose) as error:
        refuse_fields(
            ack,
            runtime,
            team_id=actor.team_id,
            errors={blocks.DUE_FIELD: _refusal(runtime, actor.team_id, error)},
        )
        return
    except PeopleToLookUp:
        ack()
        runtime.defer(save_after_lookup, what="new date after a permission check")
        return
    ack()
    runtime.defer(partial(show, reply), what="reminder after a new date")


# --- Nudge buttons: Log a touchpoint, Snooze 2 weeks --------------------------------------------


def log_click(runtime: Runtime, click: Click, client: WebClient, respond: Respond) -> None:
    """Log a touchpoint: the touchpoint form, with the partner already picked."""
    number = _number(click)
    name = (
        None
        if number is None
        else registry_of(runtime).partner_name(team_id=click.team_id, partner_id=number)
    )
    if number is None or name is None:
        tell(respond, partner_texts.partner_gone())
        return
    actor = Actor(click.team_id, click.user_id)
    today = touchpoint_handlers.service_of(runtime).today(actor=actor)
    # The form's answer goes where the nudge is, as the touchpoint form answers a command.
    metadata = json.dumps({"response_url": respond.response_url})
    view = touchpoint_blocks.log_form(today=today, private_metadata=metadata)
    for block in view["blocks"]:
        if block.get("block_id") == touchpoint_blocks.PARTNER_FIELD:
            block["element"]["initial_option"] = option(name, str(number))
    open_form(client, respond, trigger_id=click.trigger_id, view=view)


def snooze_click(runtime: Runtime, click: Click, client: WebClient, respond: Respond) -> None:
    """Snooze 2 weeks: no nudge about the partner until then; the nudge says so."""
    number = _number(click)
    cadences = cadences_of(runtime)
    try:
        if number is None:
            raise PartnerGone()
        state = cadences.snooze(actor=Actor(click.team_id, click.user_id), partner_id=number)
    except PartnerGone:
        tell(respond, partner_texts.partner_gone())
        return
    tz = cadences.zone(team_id=click.team_id, user_id=click.user_id)
    respond(**blocks.snoozed(state, by=click.user_id, tz=tz).as_message(), replace_original=True)


# --- Planners -----------------------------------------------------------------------------------


def remind(runtime: Runtime, now: datetime) -> None:
    """Planner: the commitment reminders that are due."""
    queued = service_of(runtime).plan_reminders(now=now)
    if queued:
        logger.info("%d commitment reminders queued", queued)


def nudge(runtime: Runtime, now: datetime) -> None:
    """Planner: nudges about partners quiet for their ideal interval."""
    queued = cadences_of(runtime).plan_nudges(now=now)
    if queued:
        logger.info("%d stay-in-touch nudges queued", queued)


def register_planners(planners: PlannerRegistry) -> None:
    planners.register_planner(
        "commitment-reminders", remind, IntervalTrigger(minutes=REMIND_EVERY_MINUTES)
    )
    planners.register_planner("stay-in-touch", nudge, IntervalTrigger(minutes=NUDGE_EVERY_MINUTES))


def register(app: App) -> None:
    """The commitment form, the reminder and nudge buttons, the new-date form; and the
    commitments and cadence under the partner's card (`show`); and the notes a rename rewords."""
    registry_handlers.CARD_SECTIONS["commitments"] = card_section
    # In a rename's transaction: queued notes about the partner's commitments say its new
    # name. (The session is the rename's; a handler names no session type: STYLE.md.)
    RENAME_PARTS["commitment_notes"] = lambda runtime, session, actor, renamed: service_of(
        runtime
    ).reword_after_rename(
        session, team_id=actor.team_id, partner_id=renamed.facts.id, now=runtime.clock.now()
    )
    app.view(blocks.COMMIT_VIEW)(on_commit_submitted)
    app.view(blocks.REDATE_VIEW)(on_redate_submitted)
    app.action(blocks.DONE_ACTIONS)(
        after_ack(close_click(CommitmentStatus.DONE), what="commitment done")
    )
    app.action(blocks.DROP)(
        after_ack(close_click(CommitmentStatus.DROPPED), what="commitment drop")
    )
    app.action(blocks.NEW_DATE)(after_ack(new_date_click, what="commitment new date"))
    app.action(blocks.LOG_TOUCHPOINT)(after_ack(log_click, what="log from a nudge"))
    app.action(blocks.SNOOZE)(after_ack(snooze_click, what="snooze a nudge"))
