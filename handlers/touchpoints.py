"""Touchpoints in Slack: the `/partner` verbs log, plan, intend and check; the "Log a touchpoint"
form with its partner picker (which also offers to register a partner nobody registered); the
intent's three answers; "Register it"; "Brief me".

Each verb parses its line, calls the touchpoint service once (one transaction that also queues
every message the contact triggers in the outbox) and renders the answer, which travels in the
ack. The Web API is used only after the ack: opening the form, asking Slack for a caller's time
zone, refreshing the profiles of the people a contact's messages are timed for (caller,
participants, owner: whoever has none yet would be messaged on a guessed zone), and updating the
owner's question once answered.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.interval import IntervalTrigger
from rapidfuzz.distance import OSA
from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.dates import WEEKDAYS, looks_like_date, misspelt_day, reads_as_date
from bot.delivery.dispatcher import ON_CHANNEL_REFUSED, error_code
from bot.mrkdwn import slack_text, unescape
from bot.naming import normalize_name
from bot.runtime import Runtime
from bot.services import people
from bot.services.job_titles import is_job_title
from bot.services.partner_parts import DEPUTY_PARTS, HANDOVER_PARTS, MERGE_PARTS
from bot.services.people import NotInWorkspace, PeopleCheck, PeopleToLookUp
from bot.services.registry import (
    Actor,
    AlreadyRegistered,
    BadName,
    BadValue,
    LikelyDuplicate,
    NameTaken,
    PartnerFacts,
    PartnerProfile,
    RegistryError,
    UnknownPartner,
    clean_name,
)
from bot.services.touchpoint_parts import TouchpointParts
from bot.services.touchpoints import (
    COLLISION_ALERT,
    BadTouchpoint,
    IntentGone,
    MergeFinding,
    NewPartnerRefused,
    NewTouchpoint,
    NotAsked,
    PartnerEnded,
    PartnerGone,
    Problem,
    Recorded,
    Touchpoints,
    ZoneUnknown,
    reroute_refused_alert,
)
from bot.slack_errors import SLACK_CALL_ERRORS
from handlers import grammar
from handlers import partners as registry_handlers
from handlers.blocks import picked_day
from handlers.blocks import touchpoints as blocks
from handlers.blocks.partners import say
from handlers.context import runtime_of
from handlers.grammar import GrammarError, Kind, Name, Token
from handlers.invocation import Invocation, VerbHandler
from handlers.partners import Call, Router, VerbBody, button_listener, deliver, registry_of
from handlers.reply import Block, Followup, FormAnswer, Reply, refuse_fields
from handlers.texts import partners as partner_texts
from handlers.texts import touchpoints as texts
from handlers.verbs import VERBS_BY_NAME
from storage.models import IntentAnswer, TouchpointKind, TouchpointMedium

if TYPE_CHECKING:
    from bot.scheduler import PlannerRegistry

logger = logging.getLogger(__name__)

# Words that start a clause after the partner's name; anything else ends the name only if quoted.
CLAUSES = frozenset({"with", "on", "via"})
MEDIUMS = {
    "meeting": TouchpointMedium.MEETING,
    "meet": TouchpointMedium.MEETING,
    "call": TouchpointMedium.CALL,
    "phone": TouchpointMedium.CALL,
    "email": TouchpointMedium.EMAIL,
    "e-mail": TouchpointMedium.EMAIL,
    "mail": TouchpointMedium.EMAIL,
    "event": TouchpointMedium.EVENT,
}
# How often the planner looks for intents nobody answered in time.
LAPSE_EVERY_MINUTES = 5
# How often the planner makes planned meetings whose time has come the last contact.
PASSED_PLANS_EVERY_MINUTES = 1
_OPENING_QUOTES = {'"': '"“”', "“": '"”', "”": '"”', "„": '"“”', "«": "»", "»": "«"}


def service_of(runtime: Runtime) -> Touchpoints:
    """The touchpoint service over this process's database, clock, registry and settings."""
    return Touchpoints(
        engine=runtime.engine,
        clock=runtime.clock,
        registry=registry_of(runtime),
        renderer=blocks.RENDERER,
        default_channel=runtime.settings.default_channel,
    )


# --- The line -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TouchpointLine:
    """`NAME [with PEOPLE] [on DATE] [via MEDIUM] : NOTES`, clauses in any order."""

    name: Name
    participants: tuple[str, ...]
    contacts: tuple[str, ...]
    day: str | None
    medium: TouchpointMedium | None
    # None: the line has no `:`.
    notes: str | None
    # Where the date starts in the line when it was typed without its `on` after the name or
    # a clause (`intend MSF tomorrow`): a line suggested in its place puts the `on` back there.
    day_at: int | None = None


def split_notes(text: str) -> tuple[str, str | None]:
    """The line before its first separating `:` and the notes after it (None: no `:`).

    A `:` inside quotes, inside `<…>` (mentions, links) or between digits (`14:00`) separates
    nothing. The notes are taken as typed (Slack's escaping undone), so anything may stand there.
    """
    closers = ""
    in_special = False
    for index, char in enumerate(text):
        if in_special:
            in_special = char != ">"
        elif closers:
            if char in closers:
                closers = ""
        elif char == "<":
            in_special = True
        elif char in _OPENING_QUOTES:
            closers = _OPENING_QUOTES[char]
        elif char == ":":
            between_digits = (
                0 < index < len(text) - 1
                and text[index - 1].isdigit()
                and text[index + 1].isdigit()
            )
            if not between_digits:
                return text[:index], unescape(text[index + 1 :]).strip()
    return text, None


def parse_touchpoint(
    text: str, *, known: grammar.KnownNames | None = None, verb: str = "log"
) -> TouchpointLine:
    """Read `NAME [with PEOPLE] [on DATE] [via MEDIUM] : NOTES`; with `known`, a registered
    name with a clause's word in it, or starting with one, is read whole when typed whole
    (`grammar.take_name`)."""
    head, notes = split_notes(text)
    tokens = _relative_date_as_clause(grammar.tokenize(head))
    kind_first: TouchpointMedium | None = None
    if known is not None:
        tokens, kind_first = _kind_before_name(tokens, known)
        tokens = _bare_date_as_clause(tokens, known)
    name, used = grammar.take_name(tokens, stop_words=CLAUSES, known=known)
    name = grammar.require_name(
        name, head, tokens, verb=verb, ends_at=tuple(CLAUSES), tail="" if notes is None else " : …"
    )
    clauses: dict[str, list[Token]] = {}
    keywords: dict[str, Token] = {}  # each clause's keyword, as typed
    rest = tokens[used:]
    while rest:
        word = rest[0].text.lower() if rest[0].kind is Kind.WORD else ""
        if word not in CLAUSES:
            leftover = " ".join(_as_typed(token) for token in rest)
            mention = rest[0].kind is Kind.MENTION
            # Quoted, not as code: a mention or channel then shows as Slack shows it.
            raise GrammarError(
                f"I did not understand “{leftover}”."
                + (" Colleagues come after `with`." if mention else "")
                + " After the name come `with PEOPLE`, `on DATE` and "
                "`via meeting|call|email|event`, then `:` and the notes."
            )
        if word in clauses:
            first = keywords[word]
            if word == "on":
                _refuse_two_dates(verb, name, (first, clauses[word]), (rest[0], rest[1:]))
            raise GrammarError(
                f"`{word}` appears twice; say it once. If “{first.text}” is part of the "
                f'partner\'s name, put the name in quotes: `"{name.text} {first.text} …"`.'
            )
        keywords[word] = rest[0]
        end = next(
            (i for i, t in enumerate(rest[1:], 1) if t.is_word(*CLAUSES)),
            len(rest),
        )
        clauses[word] = rest[1:end]
        rest = rest[end:]
    for word, words in clauses.items():
        if not words:
            # A clause's word with nothing after it is likely part of the name (`log Hands On
            # : …` for Hands On Ltd): say how to type the name too (QA20c NIT 8).
            keyword = keywords[word].text
            raise GrammarError(
                f"{_EMPTY_CLAUSE[word]} If “{keyword}” is part of the partner's name, put the "
                f'name in quotes: `"{name.text} {keyword} …"`.'
            )
    _dates_after_clauses(verb, name, clauses, keywords)
    participants, contacts = _people(clauses.get("with"))
    day = _day(clauses.get("on"))
    medium = _medium(clauses.get("via"), has_notes=notes is not None)
    if kind_first is not None and medium not in (None, kind_first):
        raise GrammarError(texts.two_kinds(tokens_kind(kind_first), tokens_kind(medium)))
    medium = medium or kind_first
    on = keywords.get("on")
    # A stood-in `on` has no width; `in 3 days` reads without one, so none is put back there.
    bare = on is not None and on.start == on.end and not clauses["on"][0].is_word("in")
    return TouchpointLine(
        name=name,
        participants=participants,
        contacts=contacts,
        day=day,
        medium=medium,
        notes=notes,
        day_at=on.start if bare and on is not None else None,
    )


def _date_ending_clause(word: str, words: list[Token]) -> int | None:
    """Where a date typed at the end of a `via` or `with` clause without its `on` starts, if
    one does: `via call yesterday` (a kind is one word, so nothing else can be meant), `with
    Jane Doe last monday`, `with @ana yesterday` (the longest run of plain words ending the
    people that reads as a date, leaving someone named before it; a person whose name reads
    as a day is named in quotes)."""
    if word == "via":
        starts = [1] if len(words) > 1 and words[0].text.lower() in MEDIUMS else []
    else:
        starts = list(range(1, len(words)))
    for start in starts:
        tail = words[start:]
        if any(token.kind is not Kind.WORD for token in tail):
            continue
        if words[start - 1].is_word("and", "&", ",", ";"):
            continue
        if word == "with" and any(_short_weekday(token.text) for token in tail):
            # `with Jane Doe fri` is Friday; `with Minh Thu`, `with minh thu`, a name.
            if not (
                _day_after_name(words[start - 1]) and all(t.text == t.text.lower() for t in tail)
            ):
                continue
        if looks_like_date(" ".join(token.text for token in tail)):
            return start
    return None


def _short_weekday(word: str) -> bool:
    """Whether `word` is a weekday cut short (`thu`, `sun`, `mon`, `tues`): after the people
    met, as often the end of a name (Minh Thu, Jane Sun) as a day, so a day written out ends
    the people there, and one cut short only as `_day_after_name` allows."""
    bare = word.lower().rstrip(".")
    return len(bare) >= 3 and bare not in WEEKDAYS and any(d.startswith(bare) for d in WEEKDAYS)


def _day_after_name(before: Token) -> bool:
    """Whether a weekday cut short and typed in lower case (`fri`, `thu`) after `before` is a
    day: after a name written capitalised (`with Jane Doe fri`), a colleague or a quoted name,
    where a name's own words would be capitalised too (Minh Thu). After a name typed in lower
    case (`with minh thu`) it may still be the name's end, and stays so."""
    return before.kind is not Kind.WORD or before.text[:1].isupper()


def _dates_after_clauses(
    verb: str, name: Name, clauses: dict[str, list[Token]], keywords: dict[str, Token]
) -> None:
    """A date typed at the end of the `via` or `with` clause without its `on` is the `on`
    clause, as it is after the name (`_bare_date_as_clause`): `log Acme via call yesterday`
    was answered "say `via call`" to someone who had, and `log Acme with Jane Doe yesterday`
    logged today's contact with one "Jane Doe yesterday". With an `on` clause as well, it is
    that day's time (`on friday via call 14:00`), or else the line has two dates."""
    for word in ("via", "with"):
        words = clauses.get(word, [])
        start = _date_ending_clause(word, words)
        if start is None:
            continue
        at = words[start].start
        on = Token(Kind.WORD, "on", at, at)  # stood in, as for `in 3 days`
        if "on" in clauses:
            day = [*clauses["on"], *words[start:]]
            if reads_as_date(" ".join(token.text for token in day)):
                clauses[word], clauses["on"] = words[:start], day
                continue
            typed = sorted(
                [(keywords["on"], clauses["on"]), (on, words[start:])], key=lambda c: c[0].start
            )
            _refuse_two_dates(verb, name, typed[0], typed[1])
            return
        keywords["on"] = on
        clauses[word], clauses["on"] = words[:start], words[start:]


# What a clause's word takes, when nothing follows it.
_EMPTY_CLAUSE = {
    "with": "`with` takes people: `with @ben and Jane Doe`.",
    "on": "`on` takes a date, e.g. `on yesterday` or `on friday 14:00`.",
    "via": "`via` takes a kind: `via meeting`, `via call`, `via email` or `via event`.",
}


def _refuse_two_dates(
    verb: str, name: Name, first: tuple[Token, list[Token]], second: tuple[Token, list[Token]]
) -> None:
    """Two `on` clauses that both read as dates (`in 3 days on friday`): say so, and the line
    with one of them. Otherwise the first is likely part of a name (`Hands On Network`)."""
    days = [_clause_text(words) for _keyword, words in (first, second)]
    if all(day and reads_as_date(day) for day in days):
        typed = [
            # `in 3 days` had its `on` stood in by the parser (`_relative_date_as_clause`).
            day if keyword.start == keyword.end else f"{keyword.text} {day}"
            for (keyword, _words), day in zip((first, second), days, strict=True)
        ]
        raise GrammarError(texts.two_dates(verb, name.text, typed[0], typed[1]))


def _clause_text(words: list[Token]) -> str:
    """A clause's words up to the next clause's keyword, as typed."""
    end = next((i for i, t in enumerate(words) if t.is_word(*CLAUSES)), len(words))
    return " ".join(token.text for token in words[:end])


_RELATIVE_UNITS = ("day", "days", "week", "weeks")


def _relative_date_as_clause(tokens: list[Token]) -> list[Token]:
    """`in 3 days`, `in 2 weeks` after the name is a date (COMMANDS.md lists it), read as if
    `on` stood before it, which no one types. Only `in`, a number and a unit: "Women in Tech"
    stays a name."""
    for index in range(1, len(tokens) - 2):
        word, number, unit = tokens[index : index + 3]
        if (
            word.is_word("in")
            and number.kind is Kind.WORD
            and number.text.isdigit()
            and unit.is_word(*_RELATIVE_UNITS)
            and not tokens[index - 1].is_word("on")
        ):
            on = Token(Kind.WORD, "on", word.start, word.start)
            return [*tokens[:index], on, *tokens[index:]]
    return tokens


def _kind_before_name(
    tokens: list[Token], known: grammar.KnownNames
) -> tuple[list[Token], TouchpointMedium | None]:
    """`log call Acme : …`, `plan meeting Acme on friday : …`: a kind of contact typed before a
    registered partner's name is read as its `via`, unless the words with it are a name a
    partner goes by ("Call for Change"). The tokens without it, and the kind."""
    first = tokens[0] if tokens else None
    if first is None or first.kind is not Kind.WORD or first.text.lower() not in MEDIUMS:
        return tokens, None
    whole, _ = grammar.take_name(tokens, stop_words=CLAUSES, known=known)
    after = _bare_date_as_clause(tokens[1:], known)  # `log call Acme yesterday : …`
    rest, _ = grammar.take_name(after, stop_words=CLAUSES, known=known)
    if rest is None or known([rest.text]) is None:
        return tokens, None
    if whole is not None and known([whole.text]) is not None:
        return tokens, None
    return after, MEDIUMS[first.text.lower()]


def tokens_kind(medium: TouchpointMedium) -> str:
    """The word `via` takes for `medium`."""
    return next(word for word, value in MEDIUMS.items() if value is medium)


def _bare_date_as_clause(tokens: list[Token], known: grammar.KnownNames) -> list[Token]:
    """`log Acme yesterday : …`, `plan Acme friday 14:00 : …`: a date typed after a registered
    partner's name without its `on` is read as if `on` stood before it, as `in 3 days` is.
    Only after a name a partner goes by exactly (the longest such first), and only when the
    words after it up to the next clause read as a date: "Unicef Spain" or "Acme Today" typed
    whole as registered stay names, and an unknown name ending in a date is explained instead
    (`date_needs_on`)."""
    name, used = grammar.take_name(tokens, stop_words=CLAUSES, known=known)
    if name is None or tokens[0].kind is Kind.QUOTED or known([name.text]) is not None:
        return tokens
    for split in range(used - 1, 0, -1):
        day = " ".join(token.text for token in tokens[split:used])
        # `Acme 3/12`, `Acme last week`: a date refused is still the date, never the name's.
        if known([grammar.joined(tokens[:split])]) is not None and looks_like_date(day):
            at = tokens[split].start
            return [*tokens[:split], Token(Kind.WORD, "on", at, at), *tokens[split:]]
    return tokens


def _as_typed(token: Token) -> str:
    """A token as the person saw it in Slack: a colleague as @mention, a channel as #channel."""
    if token.kind is Kind.MENTION:
        return f"<@{token.text}>"
    if token.kind is Kind.CHANNEL:
        return f"<#{token.text}>"
    return token.text


class OnePersonOrTwo(GrammarError):
    """`with Doe, Jane`: one person written surname first, or two people? Asked, not guessed."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(texts.one_person_or_two(first, second))
        self.pair = (first, second)


def _people(tokens: list[Token] | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`with @ben, Jane Doe and John Roe`: the mentioned colleagues, and the people at the
    partner named (separated by `and`, `&`, commas or `;`; a quoted name is one person).

    A comma also comes between a name and that person's role: a part after a comma that reads
    as a job title (`bot.services.job_titles`) stays with the name before it, so `with Jane
    Doe, CEO` is one person, "Jane Doe, CEO" (saved as Jane Doe, titled CEO). Two single words
    and one comma, nothing else (`with Doe, Jane`), may be one person written surname first
    or two people: asked rather than guessed (`OnePersonOrTwo`, which the form's field asks
    beside it)."""
    if tokens is None:
        return (), ()
    if not tokens:
        raise GrammarError("`with` takes people: `with @ben and Jane Doe`.")
    colleagues: list[str] = []
    # Each part with how it began: after a comma, or else (None: a colleague's place).
    parts: list[tuple[list[str], bool] | None] = [([], False)]
    commas = 0

    def begin(after_comma: bool) -> None:
        parts.append(([], after_comma))

    for token in tokens:
        if token.kind is Kind.MENTION:
            colleagues.append(token.text)
            parts.append(None)
            begin(False)
        elif token.kind is Kind.CHANNEL:
            raise GrammarError("`with` takes people, not channels.")
        elif token.is_word(","):
            commas += 1
            begin(True)
        elif token.is_word("and", "&", ";") or token.kind is Kind.COLON:
            begin(False)
        else:
            word, part = token.text, parts[-1]
            assert part is not None
            part[0].append(word if token.kind is Kind.QUOTED else word.rstrip(",;"))
            if token.kind is Kind.QUOTED:
                begin(False)
            elif word.endswith(","):
                commas += 1
                begin(True)
            elif word.endswith(";"):
                begin(False)
    contacts: list[str] = []
    previous: str | None = None  # the contact just named, if the part before was one
    colleague_before = False  # whether the last one named was a colleague
    for part in parts:
        if part is None:
            previous, colleague_before = None, True
            continue
        words, after_comma = part
        name = " ".join(words).strip()
        if not name:
            continue
        if after_comma and colleague_before and is_job_title(words):
            # `with @ben, CEO` saved a contact person called "CEO".
            raise GrammarError(texts.role_after_colleague(name))
        colleague_before = False
        if after_comma and previous is not None and is_job_title(words):
            previous = contacts[-1] = f"{previous}, {name}"
            continue
        contacts.append(previous := name)
    if commas == 1 and len(contacts) == 2 and _surname_first(tokens):
        raise OnePersonOrTwo(*contacts)
    return tuple(dict.fromkeys(colleagues)), tuple(dict.fromkeys(contacts))


def _surname_first(tokens: list[Token]) -> bool:
    """Whether the people typed are two bare words around one comma, `Doe, Jane`: a surname
    and a given name as often as two people. Words as names are written (letters, hyphens,
    apostrophes): `Jane_Doe, John_Roe` are whole names already."""
    words = [token for token in tokens if not token.is_word(",")]
    return len(words) == 2 and all(
        token.kind is Kind.WORD and _NAME_MARKS.sub("", token.text.rstrip(",")).isalpha()
        for token in words
    )


_NAME_MARKS = re.compile(r"['’\-]")


def _day(tokens: list[Token] | None) -> str | None:
    if tokens is None:
        return None
    if not tokens:
        raise GrammarError("`on` takes a date, e.g. `on yesterday` or `on friday 14:00`.")
    return " ".join(token.text for token in tokens)


def _medium(tokens: list[Token] | None, *, has_notes: bool) -> TouchpointMedium | None:
    if tokens is None:
        return None
    word = " ".join(token.text for token in tokens).lower()
    first = tokens[0].text.lower() if tokens else ""
    if word not in MEDIUMS and first in MEDIUMS and not has_notes:
        # `via call pitched the pilot`: a kind, then the notes without their `:`.
        rest = " ".join(token.text for token in tokens[1:])
        raise GrammarError(texts.colon_missing_after(f"via {first}", rest))
    if word not in MEDIUMS:
        raise GrammarError(
            f"`via {word}`: say `via meeting`, `via call`, `via email` or `via event`."
        )
    return MEDIUMS[word]


# --- Verbs --------------------------------------------------------------------------------------


def _request_key(invocation: Invocation) -> str | None:
    return f"cmd:{invocation.trigger_id}" if invocation.trigger_id else None


def _parse(call: Call) -> TouchpointLine:
    """The call's line, its partner's name read against the registry (`parse_touchpoint`)."""
    return parse_touchpoint(call.rest, known=call.known, verb=call.verb.name)


def _record(call: Call, kind: TouchpointKind, *, medium: TouchpointMedium | None = None) -> Reply:
    """Record the line as a touchpoint of `kind`; `medium` when the line has no `via`."""
    line = _parse(call)
    result = service_of(call.runtime).record(
        actor=call.actor,
        partner=call.partner(line.name),
        new=_new_touchpoint(call, line, kind, medium=medium),
        request_key=_request_key(call.invocation),
    )
    return _recorded(call.runtime, call.team_id, result, caller=call.actor)


def _new_touchpoint(
    call: Call, line: TouchpointLine, kind: TouchpointKind, *, medium: TouchpointMedium | None
) -> NewTouchpoint:
    if line.notes is None:
        # After a partner we have, with no people at the partner (`with @ben talked budget`
        # may be notes run into them) and a date that reads, the line lacks only its notes:
        # it is shown again with its `:`.
        whole = (
            call.known([line.name.text]) is not None
            and not line.contacts
            and (line.day is None or reads_as_date(line.day))
        )
        raise GrammarError(texts.missing_colon(call.verb.name, line=call.rest if whole else None))
    return NewTouchpoint(
        kind=kind,
        notes=line.notes,
        day_text=line.day,
        medium=line.medium or medium,
        participants=line.participants,
        contacts=line.contacts,
        typed_at=call.invocation.typed_at,
    )


# What each recording verb records, and its medium when the line has none.
RECORDED_AS: dict[str, tuple[TouchpointKind, TouchpointMedium | None]] = {
    "log": (TouchpointKind.DONE, None),
    # `plan` records a planned meeting unless `via` says otherwise (COMMANDS.md).
    "plan": (TouchpointKind.PLANNED, TouchpointMedium.MEETING),
    "intend": (TouchpointKind.INTENDED, None),
}


def _line_refusal(call: Call, *, unknown: UnknownPartner | None = None) -> Exception | None:
    """What the line of a recording verb is refused for whatever its partner: notes, date,
    contact people (`Touchpoints.check_line`). None when nothing is wrong with it, or when
    only `record` can tell (a date typed before Slack told us the caller's zone). `unknown`:
    why its partner's name was refused, for the words after a known one it names."""
    recorded_as = RECORDED_AS.get(call.verb.name)
    if recorded_as is None:
        return None
    kind, medium = recorded_as
    try:
        new = _new_touchpoint(call, _parse(call), kind, medium=medium)
        service_of(call.runtime).check_line(actor=call.actor, new=new)
    except BadTouchpoint as error:
        return _bad_touchpoint(call, error, unknown=unknown)
    except NotInWorkspace as error:
        return _not_a_colleague(call, error)
    except (RegistryError, GrammarError) as error:
        return error
    return None


def _not_a_colleague(call: Call, error: NotInWorkspace) -> GrammarError:
    """`with @x` naming Liaison, an app or an account gone, said as what `with @…` takes."""
    liaison = error.user_id == call.invocation.bot_user_id
    return GrammarError(
        texts.not_a_colleague(error.user_id, liaison=liaison, external=error.external)
    )


def _bad_touchpoint(
    call: Call, error: BadTouchpoint, *, unknown: UnknownPartner | None = None
) -> GrammarError:
    """A touchpoint refused, in words; a plan with no date whose name ends in one (`plan
    Globex tomorrow : …`) is shown the line with its `on` (QA20c NIT 7), as `log` names it.
    A person typed after a known partner's name without `with` (`plan msf maria : …`, the
    name `unknown` refused) is named too, as it would be once the date is given."""
    said = texts.problem(error, verb=call.verb.name)
    if error.problem is Problem.NO_DATE:
        try:
            name = _parse(call).name.text
        except GrammarError:
            name = None
        dated = None if name is None else _trailing_date(name)
        if dated is not None:
            unread = _unread_after_partner(call, *dated)
            hint = texts.date_needs_on(call.verb.name, *dated) if unread is None else unread
            said = f"{said} {hint}"
        elif name is not None:
            # `plan MSF blursday : …`: the misspelt day named, as with a time after it.
            # `plan msf maria : …`: the person named, the line shown with `with` and a date.
            named = _unread_after_partner(call, name, "")
            if named is None and unknown is not None:
                named = _someone_after_partner(call, unknown, day="DATE")
            said = " ".join([said, named or ""]).rstrip()
    return GrammarError(said)


def _day_misspelt(call: Call) -> GrammarError | None:
    """`log MSF blursday : …` (or `intend`): after a known partner's name, a day misspelt and
    no `on` date. Named as `plan`'s hint names it, rather than "Did you mean" the partner,
    whose pick would drop the word and record today."""
    if call.verb.name not in RECORDED_AS:
        return None
    try:
        line = _parse(call)
    except GrammarError:
        return None
    unread = _day_typo_after_partner(call, line.name.text, "")
    if unread is None:
        return None
    if call.verb.name == "intend":
        partner, _, first = unread
        return GrammarError(texts.intent_day_unread(partner, first))
    return GrammarError(texts.date_unread(*unread, verb=call.verb.name))


# Words of a date that mean nothing alone (`next friday`, `friday at 10am`).
_DATE_LINKS = frozenset({"next", "last", "this", "at", "on", "the", "of", "in", "a"})


def _unread_after_partner(call: Call, name: str, day: str) -> str | None:
    """`plan MSF tmorrow 10am : …`: after a partner's name, words that are no date come before
    the date that ends the line (“10am”), so that date is not all that was meant: the words
    after the partner's name, and the first of them that no date reads, in words."""
    unread = _day_typo_after_partner(call, name, day)
    return None if unread is None else texts.date_unread(*unread, verb=call.verb.name)


def _day_typo_after_partner(call: Call, name: str, day: str) -> tuple[str, str, str] | None:
    """The partner's name, the words after it and the first of them that no date reads, a day
    misspelt (`_unread_after_partner`). None when no partner's name starts the name, or only
    dates follow it."""
    words = name.split()
    counts = range(len(words), 0, -1)
    picked = call.known([" ".join(words[:count]) for count in counts])
    if picked is None:
        return None
    partner, after = " ".join(words[: counts[picked]]), [*words[counts[picked] :], *day.split()]
    first = next(
        (word for word in after if word.lower() not in _DATE_LINKS and not looks_like_date(word)),
        None,
    )
    # A day misspelt (`tmorrow`, `thrusday`), not the rest of another partner's name (`plan
    # Unicef Spain friday : …`, which the line with its `on` answers).
    if first is None or not misspelt_day(first):
        return None
    return partner, " ".join(after), first


def _recorded(
    runtime: Runtime, team_id: str, result: Recorded, *, caller: Actor | None = None
) -> Reply:
    """The answer to a recorded contact; after the ack, the profiles of the people its messages
    are timed for are refreshed where stale (`refresh_profiles`). A command's answer dated on
    the workspace's calendar (the caller's first) is then answered again in the caller's zone,
    as Slack's retry of the command is answered (`Touchpoints.dated_for_caller`)."""
    reply = blocks.recorded(result, now=runtime.clock.now())
    if not result.stale:
        return reply

    def refresh(client: WebClient, respond: Respond) -> None:
        refresh_profiles(client, runtime, team_id, result.stale)
        if caller is None or not result.zone_guessed:
            return
        dated = service_of(runtime).dated_for_caller(actor=caller, result=result)
        if not dated.zone_guessed:
            again = blocks.recorded(dated, now=runtime.clock.now())
            respond(**again.as_message(), replace_original=True)

    return replace(reply, followup=refresh)


def refresh_profiles(
    client: WebClient, runtime: Runtime, team_id: str, user_ids: Sequence[str]
) -> None:
    """After the ack: ask Slack about the people a contact's messages are timed for whose
    cached profiles are missing or stale (`Recorded.stale`), so that the dispatcher and the
    check-ins planner read their own time zones, not a guess."""
    if user_ids:
        # Not `look_up`: someone a form's check asked about just before is fresh already.
        people.warm(
            client, engine=runtime.engine, clock=runtime.clock, team_id=team_id, user_ids=user_ids
        )


def log(call: Call) -> Reply:
    if not call.rest:
        return _open_log_form(call)
    kind, medium = RECORDED_AS["log"]
    return _record(call, kind, medium=medium)


def plan(call: Call) -> Reply:
    kind, medium = RECORDED_AS["plan"]
    return _record(call, kind, medium=medium)


def intend(call: Call) -> Reply:
    line = _parse(call)
    if line.day is not None and (line.notes is not None or looks_like_date(line.day)):
        # An intent is a heads-up about reaching out now; a day ahead is a plan. Words after
        # an `on` that are no date, in a line without its `:` (`intend MSF follow up on MoU`),
        # are the purpose run into the line: answered as `log` answers them.
        raise GrammarError(texts.intent_takes_no_day(_as_planned(call.rest, line)))
    if line.medium is not None:
        # COMMANDS.md gives `intend` no `via`, and an intent keeps none: refused rather than
        # silently dropped (QA20c BUG 4). Both refusals come before the partner's lookup.
        raise GrammarError(texts.intent_takes_no_via(line.name.text, line.medium))
    kind, medium = RECORDED_AS["intend"]
    return _record(call, kind, medium=medium)


def _as_planned(rest: str, line: TouchpointLine) -> str:
    """An intent's line as `plan` takes it, to paste (`intend MSF tomorrow : x` → `MSF on
    tomorrow : x`): the date with its `on`, and the purpose typed, else `: …` to fill in."""
    if line.day_at is not None:
        rest = f"{rest[: line.day_at]}on {rest[line.day_at :]}"
    return rest if line.notes else f"{split_notes(rest)[0].rstrip()} : …"


def check(call: Call) -> Reply:
    try:
        line = grammar.parse_name(call.rest)
    except GrammarError as error:
        if error.problem != grammar.MARKUP_IN_NAME:
            raise
        # `check Globex with @dan`: not a name with a mention in it, a clause `check` does
        # not take (QA20c NIT 9).
        tokens = grammar.tokenize(call.rest)
        name, _ = grammar.take_name(tokens, stop_words=CLAUSES, known=call.known)
        raise GrammarError(texts.check_takes_a_name(None if name is None else name.text)) from None
    try:
        found = service_of(call.runtime).brief(actor=call.actor, partner=call.partner(line.name))
    except UnknownPartner:
        # `check Acme : extra`: the name drops the `:`, so the unknown name would be echoed as
        # "Acme extra" (QA20c NIT 9). A name that holds a colon still reads whole above.
        tokens = grammar.tokenize(call.rest)
        colon = next((i for i, t in enumerate(tokens) if t.kind is Kind.COLON), None)
        if colon is None:
            raise
        before = grammar.whole_name(tokens[:colon])
        typed = call.rest[tokens[colon].start :].strip()
        raise GrammarError(
            texts.check_takes_a_name(None if before is None else before.text, extra=typed)
        ) from None
    briefing = blocks.briefing(found, now=call.runtime.clock.now())
    # Below the briefing, what the card shows too: open commitments, balance, cadence, health
    # (the planned contacts the card adds are in the briefing already).
    extra = registry_handlers.card_sections(
        call.runtime, call.invocation, found.partner.id, without=(CARD_SECTION,)
    )
    # The briefing's dates are in the caller's zone: learn it, if this is their first command.
    caller = registry_handlers.warm_profiles(call.runtime, call.team_id, [call.invocation.user_id])
    return replace(briefing, blocks=[*briefing.blocks, *extra], followup=caller)


BODIES: dict[str, VerbBody] = {"log": log, "plan": plan, "intend": intend, "check": check}

CARD_SECTION = "touchpoints"


def _say_findings(
    kept: PartnerFacts,
    findings: Sequence[MergeFinding],
    tz: ZoneInfo,
    now: datetime,
    reader: str,
) -> list[str]:
    """A merge's findings, as the answer to the person merging says them."""
    return texts.merge_findings(kept, findings, tz=tz, now=now, reader=reader)


# Their parts of the registry's transactions (handover, deputy, merge), run in its session.
PARTS = TouchpointParts(service_of=service_of, say_findings=_say_findings)


def card_section(runtime: Runtime, invocation: Invocation, partner_id: int) -> list[Block]:
    """What `show` adds about a partner: the contacts planned ahead."""
    actor = Actor(team_id=invocation.team_id, user_id=invocation.user_id)
    found = service_of(runtime).upcoming(actor=actor, partner_id=partner_id)
    return blocks.upcoming_section(found, now=runtime.clock.now())


def answer(call: Call, body: VerbBody) -> Reply:
    """Run a touchpoint verb. What it recorded or found is answered at once (Slack is asked,
    after the ack, only about people whose profiles are stale); a refusal is worded as the
    registry's verbs word theirs (`handlers.partners.answer`), plus: bad dates and notes with the
    syntax, "Register it" for an unknown partner, and a caller whose time zone Slack must tell us
    before a typed date can be read."""
    try:
        return body(call)
    except ZoneUnknown:
        return Reply(text=texts.READING_ZONE, followup=partial(_read_zone_and_retry, call, body))
    except PeopleToLookUp as pending:
        # A colleague named (`commit … them @chloe`) whom Liaison has not met yet.
        return registry_handlers.look_up_then(
            call, pending.user_ids, rerun=partial(answer, body=body)
        )
    except PartnerEnded as ended:
        return Reply(
            text=texts.ended_partner(ended.partner, kind=ended.kind, reopening=ended.reopening)
        )
    except BadTouchpoint as error:
        refusal: Exception = _bad_touchpoint(call, error)
    except NotInWorkspace as error:
        refusal = _not_a_colleague(call, error) if call.verb.name in RECORDED_AS else error
    except (RegistryError, GrammarError) as error:
        refusal = error
    looked_up = refusal
    if isinstance(refusal, UnknownPartner):
        # Whichever partner it is meant for, a line refused for its date or notes records
        # nothing: say so first rather than offer partners ("Did you mean", "Register it").
        refusal = _line_refusal(call, unknown=refusal) or refusal
        misspelt = None if refusal is not looked_up else _day_misspelt(call)
        if misspelt is not None:
            return registry_handlers.answer(call, partial(_refuse, misspelt))
    # What "Register it" registers, and the line it runs again: the name as the line reads it,
    # when the line reads so (`log Halp via Phone : …` is Halp, by phone), else the longer
    # reading a misspelt partner's name offers (`log Docters on Call : …`: "Call" is no date).
    new, unknown = call, refusal
    misread = _misread_name(call, refusal)
    quoted_line = None if misread is not None else _keyword_in_new_name(call, refusal)
    if misread is not None:
        call, refusal = misread
        if not isinstance(unknown, UnknownPartner):
            new, unknown = misread
    someone = _someone_after_partner(call, refusal) if misread is None else None
    if someone is not None:
        # `log MSF maria : …`: a person without `with`, named with the line that has it,
        # rather than "Did you mean MSF", whose pick would drop “maria”. "Register it" below.
        refusal = GrammarError(someone)
    elif isinstance(refusal, UnknownPartner) and _another_partner(call, refusal):
        # Offered as "Did you mean" (its button re-runs the line with it), not explained as
        # words `log` does not take: they are words of a name, "Register it" below.
        assert refusal.start is not None
        refusal = UnknownPartner(refusal.query, [refusal.start.facts])
    # `plan Oxfamm tmrw 10am : …` lacks no date once the date is read as one.
    kept = _date_kept(call, looked_up) if misread is None and quoted_line is None else None
    if kept is not None:
        # `log Medecins Sans Frontiers yesterday : …`: a pick keeps the date, which it replaced
        # along with the name; a date refused for itself (`3/12`) is said, and nothing offered.
        dated_call, refusal, day = kept
        reply = registry_handlers.answer(dated_call, partial(_refuse, refusal))
        if not isinstance(refusal, UnknownPartner):
            return reply
        return blocks.with_hint(reply, texts.date_kept(day))
    reply = registry_handlers.answer(call, partial(_refuse, refusal))
    if quoted_line is not None:
        # `log Doctors on Call : a`: the line again, the name quoted; a line refused for its
        # date (`log Globex on blursday`) is still answered so, and registers nothing.
        reply = blocks.with_hint(reply, texts.keyword_in_name(*quoted_line))
    if not isinstance(unknown, UnknownPartner) or call.verb.name == "check":
        return reply
    prefix = registry_handlers.known_prefix(unknown)
    dated = _trailing_date(unknown.query)
    if dated is not None and prefix is None:
        # After a known name, the "not something `log` takes" answer says it already.
        name, day = dated
        reply = blocks.with_hint(reply, texts.date_needs_on(call.verb.name, name, day))
    slip = _slip_fixed(call, unknown)
    if slip is not None:
        # "If you meant *Plan International*, “wth Jane” is not …": that partner, with the
        # word put right, is the way out; the whole line is no new partner's name.
        return blocks.with_fixed_line(reply, slip)
    if dated is None and not _clause_after(prefix) and not _near_keywords(prefix):
        value = blocks.register_value(
            name=unknown.query,
            line=f"{new.verb.name} {new.rest}",
            key=_request_key(new.invocation),
            typed_at=new.invocation.typed(new.runtime.clock.now()),
            # After "If you meant *Acme*, …" or "Did you mean" with it alone, the partner the
            # name starts with is shown already: registering it is not asked about again as
            # its likely duplicate.
            anyway=prefix is not None and not unknown.candidates,
        )
        if value is not None:
            reply = blocks.with_register(reply, query=unknown.query, value=value)
    return reply


def _misread_name(call: Call, refusal: Exception) -> tuple[Call, UnknownPartner] | None:
    """A misspelt name with a clause's word in it, cut short there: `log Docters on Call : …`
    read "Call" as a date, `log Halp via Phone : …` names no partner we could offer. When the
    line is refused, or its name has no "Did you mean", but the name read on past the clause's
    word (the longest such reading first, `grammar.longer_names`) is close to a partner's name
    or alias, and the line read so is refused for nothing else: that name, unknown, with the
    partners it may stand for, on the line with it quoted (what "Register it" re-runs).

    A partner's name with words added is left to the partner (`Registry.profile`'s rule): in
    `log People with Disabilities Fund on Cal : …` the words are still a date that does not
    read. The process's name index says which readings are close: a line refused for its own
    words (`log Oxfam on blursday`) costs no query more than before."""
    if call.verb.name not in RECORDED_AS:
        return None
    if isinstance(refusal, UnknownPartner) and refusal.candidates:
        return None  # the pick takes a longer reading along if it stands for the partner
    try:
        name, _ = grammar.take_name(grammar.tokenize(split_notes(call.rest)[0]), stop_words=CLAUSES)
    except GrammarError:
        return None
    readings = [] if name is None else grammar.longer_names(call.rest, name)
    if not readings:
        return None
    registry = call.registry
    close = registry.close_reading(
        team_id=call.team_id, readings=[reading.text for reading in readings]
    )
    if close is None:
        return None
    meant = readings[close]
    retyped = _quoted_in_line(call, meant)
    if _line_refusal(retyped) is not None:
        return None
    try:
        registry.profile(team_id=call.team_id, partner=meant.text)
    except UnknownPartner as unknown:
        return (retyped, unknown) if unknown.candidates else None
    return None


def _quoted_in_line(call: Call, meant: Name) -> Call:
    """The call with `meant`, a longer reading of its partner's name, quoted in its line."""
    typed = grammar.quoted(meant.text)
    quoted = Name(meant.text, meant.start, meant.start + len(typed))
    rest = call.rest[: meant.start] + typed + call.rest[meant.end :]
    return replace(call, rest=rest, names=[quoted])


def _keyword_in_new_name(call: Call, refusal: Exception) -> tuple[str, str] | None:
    """README: a name nobody registered with a keyword in it is answered with the line again,
    the name in quotes. (The keyword as typed, and that line.) When the name as read is no
    partner nor close to one (unknown with nothing to offer, or refused for its line), the
    clause its keyword starts does not read as one (`on` no date, `with` no colleague, `via` no
    kind of contact), and a longer reading no partner goes by either: the shortest that makes
    a line refused for nothing but its name (later clauses stay clauses), else the shortest.
    `log Oxfam on friday : …` and `log Acme with @ben : …` read as ever."""
    if call.verb.name not in RECORDED_AS:
        return None
    if isinstance(refusal, UnknownPartner) and (refusal.candidates or refusal.start is not None):
        return None
    try:
        tokens = grammar.tokenize(split_notes(call.rest)[0])
    except GrammarError:
        return None
    name, used = grammar.take_name(tokens, stop_words=CLAUSES)
    readings = [] if name is None else grammar.longer_names(call.rest, name)
    if name is None or not readings or _clause_reads(tokens[used:]):
        return None
    registry = call.registry
    if not isinstance(refusal, UnknownPartner) and (
        call.known([name.text]) is not None
        or registry.close_reading(team_id=call.team_id, readings=[name.text]) is not None
    ):
        return None  # `log Oxfam on blursday`: the date is wrong, not the name
    retyped = [_quoted_in_line(call, meant) for meant in reversed(readings)]
    line = next((line for line in retyped if _line_refusal(line) is None), retyped[0])
    try:
        registry.profile(team_id=call.team_id, partner=line.names[0].text)
    except UnknownPartner as unknown:
        if unknown.candidates:
            return None
        return tokens[used].text, f"{line.verb.name} {line.rest}"
    return None


def _clause_reads(tokens: Sequence[Token]) -> bool:
    """Whether the clause `tokens` start with (its keyword, then its words up to the next
    clause) reads as that clause: `on` a date, `with` a colleague, `via` a kind of contact."""
    keyword = tokens[0].text.lower()
    end = next((i for i, t in enumerate(tokens[1:], 1) if t.is_word(*CLAUSES)), len(tokens))
    words = tokens[1:end]
    if keyword == "with":
        return any(token.kind is Kind.MENTION for token in words)
    said = " ".join(token.text for token in words)
    if keyword == "on":
        return bool(said) and reads_as_date(said)
    return said.lower() in MEDIUMS


def _clause_after(prefix: tuple[PartnerFacts, str] | None) -> bool:
    """Whether the words after a known partner's name (`known_prefix`) start with a clause's
    word or a medium (`log Oxfam call : …`): a slip, not a new partner's name. Other words
    after a known name may well name another partner (Unicef Germany)."""
    return prefix is not None and prefix[1].split()[0].lower() in CLAUSES | MEDIUMS.keys()


def _another_partner(call: Call, unknown: UnknownPartner) -> bool:
    """Whether an unknown name that starts with a known partner's name or alias, with nothing
    else to offer, more likely names another partner (`log Plan B Foundation : …`, "Plan"
    being Plan International's alias; `log Acme Germany : …`) than the known one with words
    `log` does not take: the words after it are no clause's word or medium (`_clause_after`),
    nor one typed a letter off (`log Acme wth Jane`, `log Acme cal : …`), and no date ends
    the name (`_trailing_date`). Those get the explanation, with the forms."""
    prefix = registry_handlers.known_prefix(unknown)
    # `check` takes a name and nothing else: the words after a known one are a name's too.
    takes_clauses = call.verb.name in RECORDED_AS
    if not (takes_clauses or call.verb.name == "check") or prefix is None or unknown.candidates:
        return False
    if _clause_after(prefix) or _trailing_date(unknown.query) is not None:
        return False
    return not _near_keywords(prefix)


# The most words after a partner's name read as a person's (`Jane Doe`, `Maria de Souza`).
MAX_PERSON_WORDS = 3
_PERSON_WORD = re.compile(r"[^\W\d_]{2,}(?:['’-][^\W\d_]+)*")


def _someone_after_partner(call: Call, refusal: Exception, *, day: str | None = None) -> str | None:
    """`log MSF maria : …`: after a known partner's name (nothing else offered for the whole)
    and before the next clause, words that read as a person's name rather than as the rest of
    another partner's (a country, an organisation's word, capitals: `Acme Germany`, `Plan B
    Foundation`, `MSF GB`, which "Did you mean" asks about): what to type, in words. None for
    anything else, a day misspelt included (`_day_misspelt` names it). `day`: the date the
    line lacks, put in the line shown after the person (`plan msf with maria on DATE : …`)."""
    if call.verb.name not in RECORDED_AS or not isinstance(refusal, UnknownPartner):
        return None
    prefix = registry_handlers.known_prefix(refusal)
    if prefix is None or refusal.candidates or not _another_partner(call, refusal):
        return None
    after = prefix[1].split()
    # `log MSF sans frontieres : …`: the rest of the partner's own name, after its alias.
    own = set(normalize_name(prefix[0].name).split())
    if not (
        len(after) <= MAX_PERSON_WORDS
        and own.isdisjoint(normalize_name(prefix[1]).split())
        and all(_PERSON_WORD.fullmatch(word) for word in after)
        and not after[0].isupper()
        # `reads_as_handle` asks the first word in lower case, as Slack writes handles; a
        # person's name written capitalised (`Maria`) reads as one too.
        and grammar.reads_as_handle([after[0].lower(), *after[1:]])
        and not any(misspelt_day(word) for word in after)
    ):
        return None
    try:
        line = _parse(call)
    except GrammarError:
        return None
    typed = line.name
    if grammar.tokenize(call.rest[typed.start : typed.end])[0].kind is Kind.QUOTED:
        return None  # `log "MSF Maria" : …`: a name, in quotes to say so
    words = typed.text.split()
    partner = " ".join(words[: len(words) - len(after)])
    person = " ".join(words[len(words) - len(after) :])
    fixed = None
    if not (line.participants or line.contacts):
        # Where the name was typed: `with` before the person, the rest of the line as typed.
        segment = f"{partner} with {person}" + ("" if day is None else f" on {day}")
        fixed = f"{call.verb.name} {call.rest[: typed.start]}{segment}{call.rest[typed.end :]}"
    return texts.someone_after_partner(
        query=refusal.query, partner=prefix[0].name, typed=partner, person=person, line=fixed
    )


# The shortest word `_another_partner` takes for a clause's word or medium typed a letter off.
MIN_KEYWORD_SLIP = 3


def _near_keywords(prefix: tuple[PartnerFacts, str] | None) -> list[str]:
    """The clauses' words and mediums that the first word after a known partner's name is typed
    a letter off (`log Acme wth Jane`: `with`). Words of three letters or more: "of" is a
    letter off "on", and of names ("Bank of …")."""
    if prefix is None:
        return []
    first = prefix[1].split()[0].lower()
    if len(first) < MIN_KEYWORD_SLIP or first in CLAUSES | MEDIUMS.keys():
        return []
    return [
        keyword
        for keyword in sorted(CLAUSES | MEDIUMS.keys())
        if len(keyword) >= MIN_KEYWORD_SLIP and OSA.distance(first, keyword) <= 1
    ]


def _slip_fixed(call: Call, unknown: UnknownPartner) -> blocks.FixedLine | None:
    """For a known partner's name followed by a clause's word or medium typed a letter off
    (`log Plan International wth Jane : hi`), the line with the partner's name quoted and the
    word put right (`log "Plan International" with Jane : hi`; a medium gets its `via`), when
    that line is refused for nothing else."""
    if call.verb.name not in RECORDED_AS or unknown.candidates:
        return None
    prefix = registry_handlers.known_prefix(unknown)
    near = _near_keywords(prefix)
    keyword = near[0] if len(near) == 1 else None
    typed = next((n for n in call.names if clean_name(n.text) == unknown.query), None)
    if keyword is None or prefix is None or typed is None:
        return None
    words, after = typed.text.split(), prefix[1].split()
    if len(words) <= len(after):
        return None
    fixed = keyword if keyword in CLAUSES else f"via {keyword}"
    name = grammar.quoted(prefix[0].name)
    segment = " ".join([name, fixed, *words[len(words) - len(after) + 1 :]])
    rest = call.rest[: typed.start] + segment + call.rest[typed.end :]
    picked = Name(prefix[0].name, typed.start, typed.start + len(name))
    retyped = replace(call, rest=rest, names=[picked])
    if _line_refusal(retyped) is not None:
        return None
    return blocks.FixedLine(
        partner=prefix[0].name,
        slip=after[0],
        keyword=fixed,
        line=f"{call.verb.name} {rest}",
        typed_at=call.invocation.typed(call.runtime.clock.now()),
    )


def _date_kept(call: Call, refusal: Exception) -> tuple[Call, Exception, str] | None:
    """For a name that ends in a date typed without its `on` and is offered partners ("Did you
    mean"; `log Medecins Sans Frontiers 3/12 : …`): the line with the `on` before the date (the
    name before it standing for the name typed), what that line is refused for, and the date.
    The refusal is the date's own (`3/12`: day or month first?), or else the name, with the
    same partners to offer, whose picks then keep the date (the partners offered for the name
    before the date, when the date words kept any from looking like it). None for any other
    refusal, and where a partner offered has a name ending in those words ("Women of
    Tomorrow")."""
    if call.verb.name not in RECORDED_AS or not isinstance(refusal, UnknownPartner):
        return None
    dated = _trailing_date(refusal.query)
    typed = next((n for n in call.names if clean_name(n.text) == refusal.query), None)
    if dated is None or typed is None or refusal.start is not None:
        return None
    name, day = dated
    ending = day.lower().split()
    if any(facts.name.lower().split()[-len(ending) :] == ending for facts in refusal.candidates):
        return None
    candidates = refusal.candidates or _candidates(call, name)
    if not candidates:
        return None
    try:
        words = grammar.tokenize(call.rest[typed.start : typed.end])
    except GrammarError:
        return None
    if len(words) <= len(ending):
        return None
    at = typed.start + words[-len(ending)].start
    before = typed.start + words[-len(ending) - 1].end
    dated_call = replace(
        call,
        rest=f"{call.rest[:at]}on {call.rest[at:]}",
        names=[Name(call.rest[typed.start : before], typed.start, before)],
    )
    refused = _line_refusal(dated_call)
    if refused is not None and not isinstance(refused, UnknownPartner):
        return dated_call, refused, day
    return dated_call, UnknownPartner(clean_name(name), candidates), day


def _candidates(call: Call, name: str) -> list[PartnerFacts]:
    """The partners "Did you mean" offers for `name` (the date words after a misspelt name
    keep it from looking like any: `Oxfamm yday`); none when a partner goes by it."""
    try:
        call.registry.profile(team_id=call.team_id, partner=name)
    except UnknownPartner as unknown:
        return unknown.candidates
    return []


def _trailing_date(query: str) -> tuple[str, str] | None:
    """(name, date) when the unknown name ends in a date without its `on` (`log Globex last
    monday : …`, `log Unicef Spain friday : …`): "Register it" would register the wrong name."""
    words = query.split()
    for start in range(1, len(words)):
        day = " ".join(words[start:])
        if looks_like_date(day):
            return " ".join(words[:start]), day
    return None


VERB_HANDLERS: dict[str, VerbHandler] = {
    name: registry_handlers.verb_handler(body, VERBS_BY_NAME[name], answered_by=answer)
    for name, body in BODIES.items()
}


def _refuse(refusal: Exception, _call: Call) -> Reply:
    """A verb body that raises what the real one raised, for the registry's answer to word."""
    raise refusal


def _read_zone_and_retry(call: Call, body: VerbBody, client: WebClient, respond: Respond) -> None:
    """After the ack: ask Slack for the caller's profile (their time zone), then answer."""
    runtime = call.runtime
    learned = people.look_up(
        client,
        engine=runtime.engine,
        clock=runtime.clock,
        team_id=call.team_id,
        user_ids=[call.invocation.user_id],
    )
    retry = replace(call, check=call.check | learned, names=[])
    deliver(answer(retry, body), client, respond, replace_original=True)


# --- The "Log a touchpoint" form ----------------------------------------------------------------


def _open_log_form(call: Call) -> Reply:
    today = service_of(call.runtime).today(actor=call.actor)
    return registry_handlers.open_form(
        call,
        lambda metadata: blocks.log_form(today=today, private_metadata=metadata),
        form="log",
        typed="log NAME : NOTES",
    )


@dataclass(frozen=True)
class LogForm:
    """What the person put in the "Log a touchpoint" form."""

    partner_id: int | None
    # "Register …" picked: the name typed, to register before logging.
    new_partner: str | None
    medium: TouchpointMedium | None
    day: date | None
    contacts: tuple[str, ...]
    colleagues: tuple[str, ...]
    notes: str

    @classmethod
    def read(cls, values: dict[str, dict[str, dict[str, Any]]]) -> LogForm:
        def field_of(block_id: str, action_id: str = blocks.FIELD_ACTION) -> dict[str, Any]:
            return values.get(block_id, {}).get(action_id, {})

        picked = (
            field_of(blocks.PARTNER_FIELD, blocks.PARTNER_PICKER).get("selected_option")
        ) or {}
        value = str(picked.get("value", ""))
        medium = str((field_of(blocks.MEDIUM_FIELD).get("selected_option") or {}).get("value"))
        return cls(
            partner_id=int(value) if value.isdigit() else None,
            new_partner=blocks.new_partner_of(value),
            medium=MEDIUMS.get(medium),
            day=picked_day(field_of(blocks.DATE_FIELD)),
            contacts=people_named(str(field_of(blocks.CONTACT_FIELD).get("value") or "")),
            colleagues=tuple(field_of(blocks.COLLEAGUES_FIELD).get("selected_users") or ()),
            notes=str(field_of(blocks.NOTES_FIELD).get("value") or ""),
        )


# A colleague in the form's field for people at the partner: a mention, or `@name` as typed
# (Slack turns nothing in a form into a mention), not the `@` inside an email address.
_COLLEAGUE_TYPED = re.compile(r"(?:^|[\s,;&])(?:<@([UW][A-Z0-9]+)(?:\|([^>]*))?>|@([\w.\-]+))")


def people_named(text: str) -> tuple[str, ...]:
    """The people at the partner the form's field names, as after `with` in a command:
    `Jane Doe, John Roe` (or `and`, `&`, `;`), a quoted name being one (`"Smith, John"`).
    Raises GrammarError for a colleague named there (colleagues have their own field), and
    for `Doe, Jane`, one person or two, asked as the command asks (it made two, silently)."""
    if colleague := _COLLEAGUE_TYPED.search(text):
        user_id, label, typed = colleague.groups()
        raise GrammarError(texts.form_colleague_in_contacts(f"@{typed or label or user_id}"))
    try:
        tokens = grammar.tokenize(text)
        return _people(tokens)[1] if tokens else ()
    except OnePersonOrTwo as asked:
        raise GrammarError(texts.one_person_or_two(*asked.pair, typed="")) from None
    except GrammarError:
        # Slack escapes nothing in a form's text (a bare `@jane`, a stray `<`): split it plainly.
        names = (name.strip() for name in re.split(r"[,;&]|\band\b", text))
        return tuple(dict.fromkeys(name for name in names if name))


_FORM_FIELDS = {
    Problem.LOG_IN_FUTURE: blocks.DATE_FIELD,
    Problem.UNREADABLE_DATE: blocks.DATE_FIELD,
    Problem.NO_NOTES: blocks.NOTES_FIELD,
    Problem.NOTES_TOO_LONG: blocks.NOTES_FIELD,
    Problem.WHICH_CONTACT: blocks.CONTACT_FIELD,
}


def form_errors(error: Exception) -> dict[str, str]:
    """Which field of the form an error belongs to, and what to say there."""
    if isinstance(error, BadTouchpoint):
        field = _FORM_FIELDS.get(error.problem, blocks.DATE_FIELD)
        if error.problem is Problem.LOG_IN_FUTURE:
            return {field: texts.form_date_in_future()}
        if error.problem is Problem.NO_NOTES:
            return {field: texts.FORM_NO_NOTES}
        if error.problem is Problem.WHICH_CONTACT:
            # The field takes names alone: no `with` to type there.
            typed, partner = error.typed or "", error.detail
            return {field: texts.which_contact(typed, partner, error.choices, in_form=True)}
        return {field: texts.problem(error, verb="log")}
    if isinstance(error, NewPartnerRefused):
        said = partner_texts.bad_name(error.refusal.problem, error.refusal.name)
        return {blocks.PARTNER_FIELD: texts.form_new_partner_name(said)}
    if isinstance(error, BadName):
        return {blocks.CONTACT_FIELD: partner_texts.bad_name(error.problem, error.name)}
    if isinstance(error, BadValue):
        return {
            blocks.CONTACT_FIELD: partner_texts.bad_value(error.what, error.value, in_form=True)
        }
    if isinstance(error, NotInWorkspace):
        if error.external:
            return {blocks.COLLEAGUES_FIELD: texts.form_not_a_colleague(error.user_id)}
        # Picked in Slack's menu while the account was active, deactivated since.
        return {blocks.COLLEAGUES_FIELD: partner_texts.not_in_workspace(error.user_id)}
    return {blocks.PARTNER_FIELD: texts.PARTNER_GONE}


def record_form(runtime: Runtime, body: dict[str, Any]) -> Recorded | dict[str, str]:
    """Record what a submitted "Log a touchpoint" form says (registering its partner first when
    "Register …" was picked), or say what is wrong, by field. Runs before the ack, so that a
    problem shows in the form; the form opened by `/partner log` and the App Home's share it."""
    view = body["view"]
    try:
        form = LogForm.read(view["state"]["values"])
    except GrammarError as error:
        return {blocks.CONTACT_FIELD: error.problem}
    if form.partner_id is None and form.new_partner is None:
        return {blocks.PARTNER_FIELD: partner_texts.PICK_A_PARTNER}
    if form.day is None:
        return {blocks.DATE_FIELD: partner_texts.PICK_A_DAY}
    if form.medium is None:
        # Slack asks for the kind before sending; a form sent without one is refused as well,
        # as the form logs every contact with its kind ("It was a meeting" is for `log`).
        return {blocks.MEDIUM_FIELD: texts.PICK_A_KIND}
    if form.new_partner is not None:
        # The name typed in the picker, refused as `add` refuses it.
        try:
            grammar.refuse_markup(form.new_partner)
        except GrammarError as error:
            return {blocks.PARTNER_FIELD: texts.form_new_partner_name(error.problem)}
    # Colleagues picked in Slack's own user menu are members of the workspace.
    actor = Actor(
        body["team"]["id"], body["user"]["id"], PeopleCheck(asked=frozenset(form.colleagues))
    )
    new = NewTouchpoint(
        kind=TouchpointKind.DONE,
        notes=form.notes,
        day=form.day,
        medium=form.medium,
        participants=form.colleagues,
        contacts=form.contacts,
    )
    service, key = service_of(runtime), f"view:{view['id']}"
    try:
        if form.new_partner is not None:
            return service.record_with_new_partner(
                actor=actor, name=form.new_partner, new=new, request_key=key
            )
        assert form.partner_id is not None
        return service.record(actor=actor, partner=form.partner_id, new=new, request_key=key)
    except (
        BadTouchpoint,
        BadName,
        BadValue,
        PartnerGone,
        NewPartnerRefused,
        NotInWorkspace,
    ) as error:
        return form_errors(error)


def on_log_submitted(
    ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    runtime = runtime_of(context)
    team_id = body["team"]["id"]
    result = record_form(runtime, body)
    if not isinstance(result, Recorded):
        refuse_fields(ack, runtime, team_id=team_id, errors=result)
        return
    ack()
    view = body["view"]
    user_id = body["user"]["id"]

    def answer(saved: Recorded, client: WebClient, respond: Respond) -> None:
        # A first answer in the workspace's zone is answered again in the submitter's, as a
        # command's is: through the command's response_url, it replaces this one.
        reply = _recorded(runtime, team_id, saved, caller=Actor(team_id, user_id))
        deliver(reply, client, respond, replace_original=False)

    check = answer_as_saved(runtime, team_id=team_id, user_id=user_id, result=result, then=answer)
    # The form has no message to answer; the command (or nudge) that opened it does.
    metadata = json.loads(view.get("private_metadata") or "{}")
    respond = FormAnswer(metadata.get("response_url"), client=client, user_id=user_id)
    runtime.defer(partial(check, client, respond), what="log form answer")


def answer_as_saved(
    runtime: Runtime,
    *,
    team_id: str,
    user_id: str,
    result: Recorded,
    then: Callable[[Recorded, WebClient, Respond], None],
) -> Followup:
    """After the ack of a "Log a touchpoint" form (opened by `/partner log` or from the Home):
    Slack is asked about the colleagues picked in its menu whom the cache does not know;
    someone of another organisation is taken off the contact (it stays logged) and the logger
    told in a DM (`undo_if_elsewhere`). Only then is the form answered (`then`), with the
    contact as it stands: an answer built before that still named them as taking part."""
    picked = people.uncached(runtime.engine, team_id=team_id, user_ids=result.touch.participants)
    taken: list[str] = []
    # Its collisions found again without them, when nobody was told of them yet.
    retold: list[Recorded] = []

    def take_off(elsewhere: list[str]) -> str:
        told = service_of(runtime).take_off(
            team_id=team_id, touchpoint_id=result.touch.id, user_ids=elsewhere
        )
        taken.extend(elsewhere)
        if told is not None:
            retold.append(
                replace(told, tz=result.tz, zone_guessed=result.zone_guessed, stale=result.stale)
            )
        return texts.form_taken_off(elsewhere, result.partner.name)

    def answer(client: WebClient, respond: Respond) -> None:
        then(_without(retold[-1] if retold else result, taken), client, respond)

    return registry_handlers.undo_if_elsewhere(
        runtime, team_id=team_id, user_id=user_id, picked=picked, undo=take_off, then=answer
    )


def _without(result: Recorded, user_ids: Sequence[str]) -> Recorded:
    """`result` with `user_ids` taken off its colleagues (nor asked about after the ack)."""
    if not user_ids:
        return result
    touch = replace(
        result.touch, participants=tuple(u for u in result.touch.participants if u not in user_ids)
    )
    return replace(result, touch=touch, stale=tuple(u for u in result.stale if u not in user_ids))


def on_partner_suggestion(
    ack: Ack, body: dict[str, Any], payload: dict[str, Any], context: BoltContext
) -> None:
    """The partner picker's type-ahead: names and aliases like what was typed so far; in the
    "Log a touchpoint" form, also registering what was typed when no partner goes by it (other
    forms share the picker, and need a registered partner)."""
    found = service_of(runtime_of(context)).suggest(
        team_id=body["team"]["id"], query=str(payload.get("value") or ""), limit=blocks.MAX_OPTIONS
    )
    in_log_form = (body.get("view") or {}).get("callback_id") in blocks.LOGGING_VIEWS
    ack(
        options=blocks.partner_options(
            found.partners, unregistered=found.unregistered if in_log_form else None
        )
    )


# --- Buttons ------------------------------------------------------------------------------------


def on_intent_answer(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    respond: Respond,
) -> None:
    """ "Go ahead", "I'll handle it", "Let's talk first" on the owner's question."""
    ack()
    runtime = runtime_of(context)
    actor = Actor(body["team"]["id"], body["user"]["id"])
    answer_given = blocks.INTENT_ACTIONS[action["action_id"]]
    container = body.get("container") or {}
    where = (str(container.get("channel_id") or ""), str(container.get("message_ts") or ""))
    runtime.defer(
        partial(
            _answer_intent,
            runtime,
            actor,
            action.get("value", ""),
            answer_given,
            where,
            client,
            respond,
        ),
        what="intent answer",
    )


def _answer_intent(
    runtime: Runtime,
    actor: Actor,
    value: str,
    given: IntentAnswer,
    clicked: tuple[str, str],
    client: WebClient,
    respond: Respond,
) -> None:
    """After the ack: record the answer (the asker is told through the outbox), then show it in
    place of the question."""
    if not value.isdigit():
        respond(**say(texts.INTENT_GONE).as_message(), replace_original=False)
        return
    try:
        outcome = service_of(runtime).answer_intent(
            actor=actor, touchpoint_id=int(value), answer=given
        )
    except IntentGone:
        respond(**say(texts.INTENT_GONE).as_message(), replace_original=False)
        return
    except NotAsked as refusal:
        respond(
            **say(texts.not_asked(refusal.partner, refusal.touch)).as_message(),
            replace_original=False,
        )
        return
    if not outcome.recorded:
        respond(**say(texts.already_answered(outcome)).as_message(), replace_original=False)
    channel = outcome.asked_channel or clicked[0]
    ts = outcome.asked_ts or clicked[1]
    question = blocks.intent_answered(outcome)
    answered = slack_text(texts.intent_answered(outcome))
    try:
        client.chat_update(channel=channel, ts=ts, text=answered, blocks=question)
    except SLACK_CALL_ERRORS as error:
        # Saved, and the asker told through the outbox: the clicker sees it through the click's
        # response_url instead, else in a DM (neither raises: each failure is logged).
        reason = error_code(error) if isinstance(error, SlackApiError) else type(error).__name__
        logger.warning("chat.update of the question about intent %s failed: %s", value, reason)
        instead = FormAnswer(
            respond.response_url, client=client, user_id=actor.user_id, what="an intent's answer"
        )
        instead(text=answered, blocks=question, replace_original=True)


def brief_me(runtime: Runtime, invocation: Invocation, value: str) -> Reply:
    """ "Brief me on …": the `check` briefing, for whoever clicked."""
    name = (
        registry_of(runtime).partner_name(team_id=invocation.team_id, partner_id=int(value))
        if value.isdigit()
        else None
    )
    if name is None:
        return say(partner_texts.partner_gone())
    call = Call(
        runtime=runtime,
        invocation=invocation,
        verb=VERBS_BY_NAME["check"],
        rest=grammar.quoted(name),
    )
    return answer(call, check)


def register_and_record(
    route: Router, runtime: Runtime, invocation: Invocation, value: str
) -> Reply:
    """ "Register it": add the partner with the clicker as owner, then run the line again. A
    line refused whatever its partner (`_line_refusal`) registers nothing."""
    found = blocks.read_register_value(value)
    if found is None:
        return say(texts.PARTNER_GONE)
    name, line, key = found.name, found.line, found.key
    rerun = replace(
        invocation,
        text=line,
        trigger_id=key or invocation.trigger_id,
        typed_at=found.typed_at,
    )
    verb_word, _, rest = line.partition(" ")
    verb = VERBS_BY_NAME.get(verb_word)
    call = None
    if verb is not None:
        call = Call(runtime=runtime, invocation=rerun, verb=verb, rest=rest.strip())
        refusal = _line_refusal(call)
        if refusal is not None:
            return registry_handlers.answer(call, partial(_refuse, refusal))
    lead: str | None = texts.registered(name)
    try:
        registry_of(runtime).add(
            actor=Actor(invocation.team_id, invocation.user_id),
            name=name,
            allow_similar=found.anyway,
        )
    except LikelyDuplicate as duplicate:
        # As `add` does: the partners it looks like first, registering it only if asked again.
        return _register_duplicate(runtime, call, found, duplicate)
    except AlreadyRegistered as already:
        # A second click (a double click) finds what the first one registered: it answers as
        # the first did, not with the line's repeat alone, which would replace "Registered …"
        # in the message. A partner registered otherwise meanwhile is just used.
        lead = (
            texts.registered(already.existing.facts.name)
            if _by_this_button(already.existing, invocation.user_id, found.typed_at)
            else None
        )
    except BadName as error:
        return say(partner_texts.bad_name(error.problem, error.name))
    except NameTaken as taken:
        return say(partner_texts.name_taken(taken.name, taken.holder))
    reply = route(runtime, rerun)
    if lead is None:
        return reply
    followup = reply.followup
    if followup is not None:
        # A first answer dated again in the clicker's zone replaces this one: "Registered …"
        # stays above it.
        led = say(lead).as_message()
        reply = replace(reply, followup=lambda c, r: followup(c, _Led(r, led)))
    return replace(reply, text=f"{lead}\n{reply.text}", blocks=[*say(lead).blocks, *reply.blocks])


class _Led(Respond):
    """`respond` whose messages replacing the answer keep `lead` (a message) above them."""

    def __init__(self, respond: Respond, lead: dict[str, Any]) -> None:
        super().__init__(response_url=respond.response_url, proxy=respond.proxy, ssl=respond.ssl)
        self.lead = lead

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("replace_original") and not args:
            kwargs["text"] = f"{self.lead['text']}\n{kwargs.get('text', '')}"
            kwargs["blocks"] = [*self.lead.get("blocks", []), *(kwargs.get("blocks") or [])]
        return super().__call__(*args, **kwargs)


def _by_this_button(partner: PartnerProfile, user_id: str, typed_at: datetime | None) -> bool:
    """Whether `partner` is the one an earlier click of the clicker's "Register it" registered:
    theirs, and registered after the line was typed."""
    return (
        typed_at is not None
        and partner.created_by == user_id
        and partner.facts.owner_id == user_id
        and partner.created_at >= typed_at
    )


def _register_duplicate(
    runtime: Runtime, call: Call | None, found: blocks.RegisterClick, duplicate: LikelyDuplicate
) -> Reply:
    """ "Register it" for a likely duplicate: a button recording the line with each partner it
    looks like, then "Register anyway"."""
    typed: Name | None = None
    if call is not None:
        try:
            typed = _parse(call).name
        except GrammarError:
            typed = None
    picks = [
        registry_handlers.pick_value(call, typed, similar.facts.name)
        if call is not None and typed is not None and clean_name(typed.text) == found.name
        else None
        for similar in duplicate.similar
    ]
    anyway = blocks.register_value(
        name=found.name,
        line=found.line,
        key=found.key,
        typed_at=found.typed_at or runtime.clock.now(),
        anyway=True,
    )
    return blocks.register_duplicate(found.name, duplicate.similar, picks, anyway)


# --- The planner --------------------------------------------------------------------------------


def lapse_intents(runtime: Runtime, now: datetime) -> None:
    """Planner: intents nobody answered within a working day; their askers may proceed."""
    lapsed = service_of(runtime).lapse_intents(now=now)
    if lapsed:
        logger.info("%d intents lapsed unanswered; their askers were told", lapsed)


# Whatever process dispatches (`liaison serve`, `run`, `tick`, the sandbox) has imported this
# module: a collision alert a channel refuses goes to the next one (`bot.services.channels`).
ON_CHANNEL_REFUSED[COLLISION_ALERT] = partial(reroute_refused_alert, renderer=blocks.RENDERER)


def note_passed_plans(runtime: Runtime, now: datetime) -> None:
    """Planner: planned meetings whose time has come become their partners' last contact."""
    service_of(runtime).note_passed_plans(now=now)


def next_plan_due(runtime: Runtime, now: datetime) -> datetime | None:
    return service_of(runtime).next_plan_due(after=now)


def register_planners(planners: PlannerRegistry) -> None:
    planners.register_planner(
        "lapsed_intents", lapse_intents, IntervalTrigger(minutes=LAPSE_EVERY_MINUTES)
    )
    planners.register_planner(
        "passed_plans",
        note_passed_plans,
        IntervalTrigger(minutes=PASSED_PLANS_EVERY_MINUTES),
        next_due=next_plan_due,
    )


def register(app: App, *, route: Router) -> None:
    """Buttons, the form and its picker; `route` re-runs a line after "Register it". And the
    contacts planned ahead, under the partner's card (`show`)."""
    registry_handlers.CARD_SECTIONS[CARD_SECTION] = card_section
    HANDOVER_PARTS["intents"] = PARTS.hand_over_intents
    HANDOVER_PARTS["notes"] = PARTS.hand_over_notes
    DEPUTY_PARTS["owner_unread"] = PARTS.cover_for_away_owner
    MERGE_PARTS["collisions"] = PARTS.collide_after_merge
    # After the collisions: a question asked again lists those the merge found.
    MERGE_PARTS["handover"] = PARTS.hand_over_after_merge
    app.view(blocks.LOG_VIEW)(on_log_submitted)
    app.options(blocks.PARTNER_PICKER)(on_partner_suggestion)
    app.action(re.compile(rf"^(?:{'|'.join(blocks.INTENT_ACTIONS)})$"))(on_intent_answer)
    app.action(blocks.CHECK)(button_listener(brief_me, replace_original=False, what="brief me"))
    app.action(blocks.REGISTER)(
        button_listener(
            partial(register_and_record, route),
            replace_original=True,
            what="register and record",
        )
    )
