"""Everything the partner registry says to people: answers, refusals, labels, direct messages.

People appear as Slack mentions (`<@U123>`), which Slack renders with their current name in
the reader's client, so a colleague Liaison could not look up still shows (by id at worst).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.dates import contact_day
from bot.mrkdwn import literal
from bot.naming import normalize_name, person_key
from bot.services.channels import Route
from bot.services.registry import (
    Conflict,
    ContactAdded,
    ContactInfo,
    ContactRemoved,
    ListChange,
    Merged,
    NameProblem,
    PartnerFacts,
    PartnerProfile,
    Renamed,
    SimilarBy,
)
from handlers.grammar import (
    NO_DEPUTY_INSTEAD,
    in_command,
    not_a_mention,
    pick_each,
    quoted,
    reads_as_handle,
    side_by_side,
)
from storage.models import MAX_NAME_LENGTH, PartnerStatus, TeamRole

if TYPE_CHECKING:
    from bot.services.touchpoints import Touch

COMMAND = "/partner"

STATUS_MARKS = {
    PartnerStatus.PROSPECT: "🌱 prospect",
    PartnerStatus.ACTIVE: "🟢 active",
    PartnerStatus.PAUSED: "⏸️ paused",
    PartnerStatus.ENDED: "⚫ ended",
}
STATUSES = tuple(status.value for status in PartnerStatus)

# Card labels.
OWNER = "Owner"
DEPUTY = "Deputy"
STATUS = "Status"
TEAM = "Team"
WEBSITE = "Website"
CHANNEL = "Channel"
LAST_CONTACT = "Last contact"
CONTACTS = "Contacts"
ALIASES = "Also known as"
NOTES = "Notes"
NOBODY = "nobody yet"
NOT_SET = "—"
NO_CONTACT_YET = "not yet"

# Buttons.
PICK = "This one"
USE_EXISTING = "Use existing"
MORE = "More"


# --- Small pieces ---------------------------------------------------------------------------


def bold(name: str) -> str:
    """A name people typed (a partner's, a contact's) in bold, shown as typed (`literal`)."""
    return f"*{literal(name)}*"


def quote(text: str) -> str:
    """What someone typed (a name, an alias, a value) in quotes, shown as typed (`literal`)."""
    return f"“{literal(text)}”"


def person(user_id: str | None) -> str:
    return f"<@{user_id}>" if user_id else NOBODY


def people(user_ids: Sequence[str]) -> str:
    """People as a field lists them (`Team`: "@ana, @ben"); a sentence says `people_in_prose`."""
    return ", ".join(person(user_id) for user_id in user_ids) if user_ids else NOT_SET


def in_prose(items: Sequence[str], *, conjunction: str = "and") -> str:
    """`a`, `a and b`, `a, b and c` (or `a, b or c`): a list as a sentence says it."""
    *others, last = items
    return f"{', '.join(others)} {conjunction} {last}" if others else last


def people_in_prose(user_ids: Sequence[str]) -> str:
    return in_prose([person(user_id) for user_id in user_ids])


def status(value: str) -> str:
    try:
        return STATUS_MARKS[PartnerStatus(value)]
    except ValueError:
        return value


def channel(channel_id: str | None) -> str:
    return channel_ref(channel_id) if channel_id else NOT_SET


def website(domain: str | None) -> str:
    return f"<https://{domain}|{domain}>" if domain else NOT_SET


def zone_guessed(tz: ZoneInfo) -> str:
    """Below an answer dated before Slack told Liaison the reader's time zone (their first
    command): which zone its times and days are in."""
    return (
        f"Times here are in {tz.key}: I'm asking Slack for your time zone, and from your next "
        "command on they are in yours."
    )


def ago(moment: datetime | None, now: datetime, *, day_only: bool = False) -> str:
    """`today`, `yesterday`, `17 days ago`; past a year, with the date: how long a partner has
    gone without contact is what the reader weighs, in days as cadences count them, on the
    reader's calendar (`now`'s zone); a contact recorded without a time of day is on its
    author's day."""
    if moment is None:
        return NO_CONTACT_YET
    contacted = contact_day(moment, day_only=day_only, tz=now.tzinfo or UTC)
    days = (now.date() - contacted).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 365:
        return f"{days} days ago"
    return f"{days} days ago ({contacted:%-d %b %Y})"


def last_contact(
    moment: datetime | None, by: str | None, now: datetime, *, day_only: bool = False
) -> str:
    """`12 days ago by @ben`, or `not yet`."""
    when = ago(moment, now, day_only=day_only)
    return f"{when} by {person(by)}" if moment is not None and by else when


def quoted_list(names: Sequence[str]) -> str:
    """Names as a field lists them (`Also known as: “A”, “B”`)."""
    return ", ".join(quote(name) for name in names)


def quoted_in_prose(names: Sequence[str]) -> str:
    """Names as a sentence says them: “A” and “B”."""
    return in_prose([quote(name) for name in names])


def contact_line(contact: ContactInfo) -> str:
    parts = [bold(contact.name)]
    if contact.title:
        parts.append(contact.title)
    if contact.email:
        parts.append(f"<mailto:{contact.email}|{contact.email}>")
    return " · ".join(parts)


def role_of_caller(role: TeamRole) -> str:
    return {TeamRole.OWNER: "you own it", TeamRole.DEPUTY: "you are deputy"}.get(
        role, "you are on the team"
    )


def list_line(facts: PartnerFacts, role: TeamRole | None, now: datetime) -> str:
    parts = [
        bold(facts.name),
        status(facts.status),
        f"owner {person(facts.owner_id)}",
        "last contact "
        + last_contact(
            facts.last_contact_at,
            facts.last_contact_by,
            now,
            day_only=facts.last_contact_day_only,
        ),
    ]
    if role is not None:
        parts.append(role_of_caller(role))
    return " · ".join(parts)


# --- Answers --------------------------------------------------------------------------------


def full_stop(text: str) -> str:
    """`text` ended as a sentence, once: a name closing it may end in a full stop of its own
    ("Oxfam Int.", "e.V."), in bold or not, and "Oxfam Int.." reads as a typo."""
    return text if text.rstrip("*").endswith(".") else f"{text}."


def ending(name: str) -> str:
    """A partner's name in bold closing a sentence, with its full stop."""
    return full_stop(bold(name))


def added(
    name: str,
    told: Sequence[str] = (),
    members: Sequence[str] = (),
    *,
    deputy: Sequence[str] = (),
    repeated: Sequence[tuple[str, str]] = (),
) -> str:
    """`add`'s answer; `told`: the owner someone else named, who is told it is theirs;
    `members`: the colleagues put on its team, who are told so; `deputy`: the deputy someone
    else named, who is told so. Several of them are named in one sentence, the card saying
    who is what. `repeated`: aliases kept once (`kept_once`)."""
    again = f"Use `{COMMAND} show {in_command(name)}` to see it again."
    if repeated:
        again = f"{kept_once(repeated)} {again}"
    if sum(bool(group) for group in (told, deputy, members)) > 1:
        everyone = list(dict.fromkeys([*told, *deputy, *members]))
        return f"Added {ending(name)} I've let {people_in_prose(everyone)} know. {again}"
    owner = f" I've let {people_in_prose(told)} know that they own it." if told else ""
    made = f" I've let {people_in_prose(deputy)} know that they are its deputy." if deputy else ""
    team = (
        f" I've let {people_in_prose(members)} know that they are on its team." if members else ""
    )
    return f"Added {ending(name)}{owner}{made}{team} {again}"


def kept_once(repeated: Sequence[tuple[str, str]]) -> str:
    """Aliases typed that are the same name as the partner's or an earlier alias once case,
    accents, punctuation and small words are set aside: each was kept once, not dropped unseen."""
    return " ".join(
        f"{quoted_in_prose([alias])} is the same name as {quoted_in_prose([same])} once case, "
        "accents and small words are set aside, so it was kept once."
        for alias, same in repeated
    )


def deputy_is_owner(name: str, user_id: str, *, caller: str) -> str:
    """`add NAME … deputy @u` naming whoever would own it: the caller (no owner named) or the
    owner named."""
    if user_id == caller:
        who = f"You would own {bold(name)} (no `owner` is named), so you cannot be its deputy too"
    else:
        who = f"{person(user_id)} would own {bold(name)}, so cannot be its deputy too"
    return (
        f"{who}: a deputy covers for the owner. Name another colleague, e.g. `{COMMAND} add "
        f"{in_command(name)} owner @ana deputy @ben`. Nothing was saved."
    )


def already_registered(
    name: str,
    existing: PartnerFacts,
    *,
    owner_id: str | None = None,
    deputy_id: str | None = None,
    team: Sequence[str] = (),
    aliases: Sequence[str] = (),
) -> str:
    """`add` of a registered name; `owner_id`, `deputy_id`, `team` and `aliases`: what was
    typed with it, which is not applied either."""
    if name.casefold() == existing.name.casefold():
        found = f"{bold(existing.name)} is already registered — here it is."
    else:
        found = f"{quote(name)} is already registered as {bold(existing.name)} — here it is."
    todo = []
    if aliases:
        todo.append(
            f"to give it another name, `{COMMAND} alias {in_command(existing.name)} add "
            + ", ".join(f'"{alias}"' for alias in aliases)
            + "`"
        )
    if owner_id is not None and owner_id != existing.owner_id:
        todo.append(
            f"to hand it over, `{COMMAND} owner {in_command(existing.name)} {person(owner_id)}`"
        )
    if deputy_id is not None and deputy_id != existing.deputy_id:
        todo.append(
            f"to name its deputy, `{COMMAND} deputy {in_command(existing.name)} "
            f"{person(deputy_id)}`"
        )
    if team:
        todo.append(
            f"to put colleagues on its team, `{COMMAND} team {in_command(existing.name)} add "
            f"{' '.join(person(user) for user in team)}`"
        )
    if not todo:
        return found
    return f"{found} I changed nothing: {'; '.join(todo)}."


def likely_duplicate(name: str) -> str:
    return (
        f"Before I add {bold(name)}: it looks like a partner we already have. Use the existing "
        f"one, or create {quote(name)} anyway if it really is a different organisation."
    )


# Room in a button's 75 characters for the name, around "Create “…” anyway".
_BUTTON_NAME_ROOM = 58


def create_anyway(name: str) -> str:
    """The duplicate prompt's button that adds the partner all the same, naming it as typed
    (a plain-text label: no marks to show)."""
    shown = name if len(name) <= _BUTTON_NAME_ROOM else name[: _BUTTON_NAME_ROOM - 1] + "…"
    return f"Create “{shown}” anyway"


def similar_line(facts: PartnerFacts, by: SimilarBy, label: str | None) -> str:
    why = (
        f"same website, {facts.website_domain}"
        if by is SimilarBy.WEBSITE
        else f"similar name {quote(label)}"
        if label and label != facts.name
        else "similar name"
    )
    return f"{bold(facts.name)} · owner {person(facts.owner_id)} · {status(facts.status)} · {why}"


# Initials or an acronym typed as a name ("DWB", "MSF"). Liaison does not guess what they stand
# for (three letters are the initials of too many names: bot.naming, "acronyms are not
# invented"), so it says how to make them a name of the partner they are short for.
_ACRONYM = re.compile(r"[A-Z]{2,6}")


def more_like(query: str) -> str:
    """Below "Did you mean", when more partners than those offered are like the name."""
    return (
        f"More partners have names like {quote(query)}: type more of the name, or see "
        f"`{COMMAND} list`."
    )


def unknown_partner(query: str, has_candidates: bool, *, register_button: bool = False) -> str:
    """`register_button`: a "Register it" button offers the way to register it, not `add`."""
    if has_candidates:
        return f"I don't know a partner called {quote(query)}. Did you mean one of these?"
    if register_button:
        text = (
            f"I don't know a partner called {quote(query)}. Check the spelling or see "
            f"`{COMMAND} list`."
        )
    else:
        text = (
            f"I don't know a partner called {quote(query)}. Check the spelling, see "
            f"`{COMMAND} list`, or register it with `{COMMAND} add {in_command(query)}`."
        )
    if _ACRONYM.fullmatch(query.strip()):
        text += (
            f" If it is short for a partner you have, its owner, its deputy or an admin can give "
            "it that name: "
            f"`{COMMAND} alias NAME add {quoted(query.strip())}`."
        )
    return text


# Verbs whose lines carry a date and notes after the partner's name.
# What each verb takes after the partner's name, as a reminder when words were swallowed.
AFTER_THE_NAME = {
    "log": "people need `with`, a date `on`, notes a `:`",
    "plan": "people need `with`, a date `on`, notes a `:`",
    "intend": "people need `with`, notes a `:`; `intend` takes no date and no `via`",
    "commit": "`us` or `them` comes next, then a `:` and the work",
}


def swallowed_words(partner: str, extra: str, *, verb: str, query: str) -> str:
    """Words after a known partner's name that the verb does not take, read as part of a name
    no partner goes by."""
    read = f"I read {quote(query)} as the partner's name, and know no such partner."
    words = extra.replace(",", " ").split()
    plain = [word for word in words if word.lower() not in ("and", "me")]
    # "Oxfam Intl", "Oxfam GB", "MSF Spain": the rest of a longer name, not colleagues.
    if not reads_as_handle(plain):
        plain = []
    if verb == "team" and plain and all(word.isalpha() for word in words):
        # `team Oxfam ben`: people named straight after the name, without their `@`.
        if side_by_side(extra):
            # `team Oxfam ben smith`: one colleague or two, no handle told.
            example = f"{COMMAND} team {in_command(partner)} add @{plain[0]}"
            said = pick_each(plain, example=example)
            return f"{read} If you meant {bold(partner)}, {said}"
        people = " ".join(word if word not in plain else f"@{word}" for word in words)
        example = f"{COMMAND} team {in_command(partner)} add {people}"
        said = not_a_mention(plain, who="colleagues", example=example)
        return f"{read} If you meant {bold(partner)}, {said}"
    if verb in ("owner", "deputy") and words and plain == words and all(map(str.isalpha, words)):
        # `owner Oxfam ben @dan`: someone named without the `@`, as `owner Oxfam ben` is told.
        example = f"{COMMAND} {verb} {in_command(partner)} @{words[0]}"
        instead = NO_DEPUTY_INSTEAD if verb == "deputy" else ""
        said = not_a_mention(" ".join(words), who=verb, example=example, instead=instead)
        return f"{read} If you meant {bold(partner)}, {said}"
    how = f" ({AFTER_THE_NAME[verb]})" if verb in AFTER_THE_NAME else ""
    return (
        f"{read} If you meant {bold(partner)}, {quote(extra)} is not something `{verb}` takes "
        f"after the name{how}; the forms are below."
    )


# What a legal form or common word is, for refusing one as a name or an alias.
_GENERIC = "is only a legal form or a common word (like Inc, Ltd, The or Foundation)"


def bad_name(
    problem: NameProblem, name: str, *, in_form: bool = False, verb: str | None = None
) -> str:
    """A name or alias refused; `in_form`: under a field of a form still open, which is put
    right there (no command to type, and nothing could have been saved yet); `verb`: the verb
    typed, whose own form the example of an alias shows (`add … aka`, else `alias … add`)."""
    saved = "" if in_form else " Nothing was saved."
    if problem in (NameProblem.GENERIC_NAME, NameProblem.SINGLE_LETTER_NAME):
        what = (
            _one_letter(name)
            if problem is NameProblem.SINGLE_LETTER_NAME
            else f"{quote(name)} {_GENERIC}"
        )
        return (
            f"{what}, so it names no partner in particular. Give the organisation's own name, "
            f"such as “Ford Foundation”.{saved}"
        )
    if problem in (NameProblem.GENERIC, NameProblem.SINGLE_LETTER):
        if problem is NameProblem.SINGLE_LETTER:
            told = f"{_one_letter(name)}, too short to single out a partner"
        else:
            told = f"{quote(name)} {_GENERIC}, so as an alias it would stand for a word many "
            told += "partners' names hold"
        example = (
            " (MSF for Médecins Sans Frontières); take this one out"
            if in_form
            else f": `{_alias_example(verb)}`"
        )
        return (
            f"{told}. An alias is another name people use for this partner, such as an acronym "
            f"or short form{example}.{saved}"
        )
    if problem is NameProblem.EMPTY:
        return "The name is empty."
    if problem is NameProblem.TOO_LONG:
        return (
            f"That name is {len(name)} characters long; a name can have at most {MAX_NAME_LENGTH}."
        )
    return (
        f"{quote(name)} has no letters or digits, and a partner is looked up by the letters and "
        "digits of its name: give it in words (an emoji may go with them, e.g. “Ocean Trust "
        f"🌊”).{saved}"
    )


def _one_letter(name: str) -> str:
    """What is wrong with a name or alias of one letter or digit (legal forms aside)."""
    if sum(char.isalnum() for char in name) == 1:
        return f"{quote(name)} is a single letter"
    return f"{quote(name)} comes down to a single letter (legal forms such as Inc aside)"


def _alias_example(verb: str | None) -> str:
    """How the verb typed gives a partner an alias."""
    if verb == "add":
        return f'{COMMAND} add Médecins Sans Frontières aka "MSF"'
    return f'{COMMAND} alias Médecins Sans Frontières add "MSF"'


def bad_value(what: str, value: str, *, limit: int | None = None, in_form: bool = False) -> str:
    """A website, email or contact's field refused; `in_form`: under a field of the add form,
    put right there (no line to type, nothing could have been saved yet)."""
    saved = "" if in_form else " Nothing was saved."
    if limit is not None:
        return (
            f"The {what} is {len(value):,} characters long; a contact's {what} can have at most "
            f"{limit:,}. Nothing was saved."
        )
    if what == "website":
        scheme = " (an address may start with `https://` or `http://`)" if "://" in value else ""
        return (
            f"{quote(value)} is not a website I can read; give a domain like `msf.org`{scheme}."
            f"{saved}"
        )
    if what == "websites":
        example = "" if in_form else f", e.g. `{COMMAND} add Médecins Sans Frontières (msf.org)`"
        return f"That names two websites, {value}; give the partner one{example}.{saved}"
    return f"{quote(value)} is not an email address I can read."


def too_long(what: str, length: int, limit: int) -> str:
    """Text over its limit (a partner's or a contact's notes, a check-in's note, a survey
    comment): how long it is and may be. Nothing of it was saved."""
    are, them = ("are", "them") if what.endswith("s") else ("is", "it")
    return (
        f"The {what} {are} {length:,} characters long; keep {them} to {limit:,} (link a "
        "document for the rest). Nothing was saved."
    )


def name_taken(name: str, holder: PartnerFacts, *, adding: str | None = None) -> str:
    """A name or alias refused because another partner goes by it; `adding`: the partner `add`
    was to register with it as an alias, which was not registered (so there is nothing to
    merge)."""
    owner = f"(owner {person(holder.owner_id)})"
    if adding is not None:
        return (
            f"Nothing was saved: {quote(name)} already stands for {bold(holder.name)} {owner}. Add "
            f"{bold(adding)} without that alias, or use {ending(holder.name)}"
        )
    # The other partner's very name (`rename Red Cross to Doctors w/o Borders`), not a spelling
    # of it: "already stands for Doctors w/o Borders" would say the name twice.
    taken = (
        f"{quote(name)} is another partner's name {owner}."
        if name.casefold() == holder.name.casefold()
        else f"{quote(name)} already stands for {bold(holder.name)} {owner}."
    )
    return f"{taken} If they are the same organisation, use `{COMMAND} merge`."


def an_admin(admins: Sequence[str], *, besides: Sequence[str | None] = ()) -> str:
    """How a refusal names the admins who may do what was refused, those Liaison knows of;
    those it names already (`besides`: an owner who is an admin too) are not named twice."""
    others = [admin for admin in admins if admin not in besides]
    if not others:
        return "an admin"
    return f"an admin ({in_prose([person(admin) for admin in others], conjunction='or')})"


def who_may(
    admins: Sequence[str],
    *,
    owner: str | None,
    deputy: str | None = None,
    first: Sequence[tuple[str, str]] = (),
    of: str | None = None,
) -> str:
    """Who may do what a refusal refused, as one list: "@ana (owner), @ben (deputy) or an
    admin (@cy)". `first`: people named before them with why (a commitment's owner, "who owns
    it"), each named once; `of`: the partner, where the sentence does not name it ("owner of
    *Oxfam*"). A partner with no owner or deputy leaves them out: then only an admin may."""
    named: dict[str, str] = dict(first)
    whose = f" of {bold(of)}" if of else ""
    for user_id, role in ((owner, "owner"), (deputy, "deputy")):
        if user_id is not None:
            named.setdefault(user_id, role + whose)
    who = [f"{person(user_id)} ({role})" for user_id, role in named.items()]
    return in_prose([*who, an_admin(admins, besides=list(named))], conjunction="or")


def not_allowed(facts: PartnerFacts, admins: Sequence[str] = ()) -> str:
    who = who_may(admins, owner=facts.owner_id, deputy=facts.deputy_id)
    return f"Only {who} can change {ending(facts.name)} Ask them, or ask to be made deputy."


def not_in_workspace(
    user_id: str, *, external: bool = False, verb: str | None = None, liaison: bool = False
) -> str:
    """Someone named as owner, deputy or team member (of a commitment, with `verb` commit) who
    is no colleague; `external`: of another organisation (their account belongs to another
    workspace, met through Slack Connect); `liaison`: Liaison itself."""
    if liaison:
        role = (
            "own a commitment"
            if verb == "commit"
            else "own a partner, cover for its owner or be on its team"
        )
        return (
            f"{person(user_id)} is Liaison itself: a bot or an app can't {role}, only colleagues."
        )
    if external and verb == "commit":
        return (
            f"{person(user_id)} is from another organisation (their Slack account belongs to "
            "another workspace): only colleagues can own a commitment. A promise of the "
            f"partner's is `{COMMAND} commit NAME them : WHAT by DATE`."
        )
    if external:
        return (
            f"{person(user_id)} is from another organisation (their Slack account belongs to "
            "another workspace): only colleagues can own a partner, cover for its owner or be "
            "on its team. Note people at the partner as contacts: `contact NAME add PERSON`."
        )
    if verb == "commit":
        return (
            f"{person(user_id)} is no colleague here (not a member of this workspace, an app or "
            "bot, or a deactivated account): only colleagues can own a commitment."
        )
    return f"{person(user_id)} is not a member of this workspace (or the account is deactivated)."


def no_colleague(*, gone: bool, many: bool = False) -> str:
    """Why Slack's word, after a form was saved, takes someone picked in it off: of another
    organisation, or (`gone`) an app, a bot or a deactivated account."""
    if gone:
        accounts = "these accounts are" if many else "this account is"
        return (
            f"Slack says {accounts} no active member of the workspace (an app or bot, or a "
            "deactivated account)"
        )
    they = "they are" if many else "this person is"
    return (
        f"Slack says {they} from another organisation (their Slack account belongs to another "
        "workspace)"
    )


def form_taken_off(
    user_ids: Sequence[str],
    name: str,
    *,
    owner_replaced: bool,
    deputy_cleared: bool,
    gone: Sequence[str] = (),
) -> str:
    """People picked in the `add` form whom Slack said, after it was saved, are of another
    organisation (`user_ids`), or apps or deactivated accounts (`gone`): taken off the
    partner's team; the submitter owns it in an owner's place."""
    said = []
    for taken, off in ((user_ids, False), (gone, True)):
        if taken:
            said.append(
                f"I took {people_in_prose(taken)} off {bold(name)}: "
                f"{no_colleague(gone=off, many=len(taken) > 1)}, and only colleagues can own a "
                "partner, cover for its owner or be on its team."
            )
    if owner_replaced:
        said.append(
            "You own it in their place, as when `add` names no owner; to hand it to a colleague, "
            f"`{COMMAND} owner {in_command(name)} @colleague`."
        )
    if deputy_cleared:
        said.append(
            f"It has no deputy now; to name one, `{COMMAND} deputy {in_command(name)} @colleague`."
        )
    if user_ids:
        contact = f"`{COMMAND} contact {in_command(name)} add PERSON`"
        said.append(f"Note people at the partner as contacts: {contact}.")
    return " ".join(said)


def commit_form_owner_replaced(
    user_id: str, number: int, partner: str, *, gone: bool = False
) -> str:
    """The owner picked in the commitment form, whom Slack said after it was saved is of
    another organisation (or, `gone`, an app or a deactivated account): the submitter owns the
    commitment instead."""
    said = (
        f"I made you the owner of `#{number}` with {bold(partner)} instead of {person(user_id)}: "
        f"{no_colleague(gone=gone)}, and only colleagues can own a commitment."
    )
    if gone:
        return said
    return f"{said} A promise of the partner's is `{COMMAND} commit NAME them : WHAT by DATE`."


def checking(user_ids: Sequence[str], caller: str) -> str:
    if caller in user_ids:
        return "Checking your permissions with Slack… I'll answer here in a moment."
    return f"Looking up {people_in_prose(user_ids)} with Slack… I'll answer here in a moment."


def nothing_to_do(conflict: Conflict, facts: PartnerFacts, subject: str) -> str:
    name = bold(facts.name)
    return {
        Conflict.ALREADY_OWNER: f"{person(subject)} already owns {ending(facts.name)}",
        Conflict.ALREADY_DEPUTY: f"{person(subject)} is already the deputy of {ending(facts.name)}",
        Conflict.OWNER_AS_DEPUTY: f"{person(subject)} owns {name}, so cannot be its deputy too.",
        Conflict.NO_DEPUTY: f"{name} has no deputy; nothing changed.",
        Conflict.REMOVE_OWNER: (
            f"{person(subject)} owns {name}: hand it over first with "
            f"`{COMMAND} owner {in_command(facts.name)} @someone`."
        ),
        Conflict.SAME_STATUS: f"{name} is already {status(subject)}.",
        Conflict.SAME_PARTNER: f"Both names are {name}: there is nothing to merge.",
        Conflict.SAME_NAME: f"{name} is already called that.",
        Conflict.NOT_AN_ALIAS: f"{quote(subject)} is not an alias of {ending(facts.name)}",
        Conflict.ITS_NAME: (
            f"{quote(subject)} is the name of {name}, not an alias: to call it something else, "
            f"`{COMMAND} rename {in_command(facts.name)} to NEW`."
        ),
        Conflict.NOT_A_CONTACT: (
            f"{quote(subject)} is not a contact at {name}; `{COMMAND} contacts "
            f"{in_command(facts.name)}` lists them."
        ),
        Conflict.CONTACTS_OF_THAT_NAME: (
            f"{name} has more than one contact called {quote(subject)}: remove one by their email "
            f"(`{COMMAND} contacts {in_command(facts.name)}` shows them)."
        ),
    }[conflict]


def no_deputy_now(facts: PartnerFacts) -> str:
    name_one = f"{COMMAND} deputy {in_command(facts.name)} @someone"
    return f"{bold(facts.name)} has no deputy now: `{name_one}` names one."


def handed_over(
    facts: PartnerFacts, old_owner: str | None, told: Sequence[str], *, was_deputy: bool = False
) -> str:
    """`owner`'s answer; `was_deputy`: the new owner was the deputy, so there is none now."""
    was = f" (was {person(old_owner)}, who stays on the team)" if old_owner else ""
    told_them = let_know(told)
    deputy = f"\n{no_deputy_now(facts)}" if was_deputy else ""
    owns = full_stop(f"{person(facts.owner_id)} now owns {bold(facts.name)}{was}")
    return f"{owns}{told_them}{deputy}"


def _accountable(facts: PartnerFacts) -> str:
    return (
        "You are now its accountable contact: colleagues will check with you before they reach "
        f"out. `{COMMAND} show {in_command(facts.name)}` shows where things stand."
    )


def handover_to_new_owner(
    facts: PartnerFacts, old_owner: str | None, by: str, *, was_deputy: bool = False
) -> str:
    source = f", taking over from {person(old_owner)}" if old_owner and old_owner != by else ""
    deputy = (
        " You were its deputy, so it has none now: "
        f"`{COMMAND} deputy {in_command(facts.name)} @someone` names one."
        if was_deputy
        else ""
    )
    return (
        f"{person(by)} made you the owner of {bold(facts.name)}{source}. "
        f"{_accountable(facts)}{deputy}"
    )


def owner_of_new_partner(facts: PartnerFacts, by: str) -> str:
    """To the owner named by whoever registered the partner (and who its deputy is, if one was
    named with it)."""
    deputy = (
        ""
        if facts.deputy_id is None
        else f", with {person(facts.deputy_id)} as its deputy to cover for you while you are away"
    )
    return (
        f"{person(by)} registered {bold(facts.name)} in Liaison and made you its owner{deputy}. "
        f"{_accountable(facts)}"
    )


def follow_ups_handed_over(
    facts: PartnerFacts, count: int, old_owner: str, *, reader: str | None
) -> str:
    """A handover's promises the partner owes us that its old owner followed up, now followed
    up by the new owner: as the new owner reads it, the old one, or whoever handed it over
    (`reader` None)."""
    promises = "1 promise" if count == 1 else f"{count} promises"
    are = "is" if count == 1 else "are"
    owes = f"{bold(facts.name)} owes us"
    if reader == facts.owner_id:
        return (
            f"{promises} {owes} {are} now yours to follow up: "
            f"`{COMMAND} commitments {in_command(facts.name)}` lists them."
        )
    if reader == old_owner:
        the = "The promise" if count == 1 else f"The {count} promises"
        return (
            f"{the} {owes} that you followed up {are} now {person(facts.owner_id)}'s to follow up."
        )
    return (
        f"{promises} {owes} that {person(old_owner)} followed up {are} now "
        f"{person(facts.owner_id)}'s to follow up."
    )


def handover_to_old_owner(facts: PartnerFacts, by: str, *, briefly: bool = False) -> str:
    """To the old owner; `briefly`: they were made the owner so shortly before that the note
    saying so had not reached them yet (it is withdrawn)."""
    if briefly:
        since = (
            f"{person(by)} has since taken it over"
            if by == facts.owner_id
            else f"{person(by)} has since handed it over to {person(facts.owner_id)}"
        )
        what = f"You were made the owner of {bold(facts.name)} for a short while: {since}."
    elif by == facts.owner_id:
        what = f"{person(by)} took over {bold(facts.name)} from you."
    else:
        what = f"{person(by)} handed {bold(facts.name)} over to {person(facts.owner_id)}."
    return f"{what} You stay on its team as a member, so you will still hear about it."


def _see(facts: PartnerFacts) -> str:
    return f"`{COMMAND} show {in_command(facts.name)}` shows where things stand."


def made_deputy(facts: PartnerFacts, by: str, old_deputy: str | None) -> str:
    """To a colleague someone else made a partner's deputy."""
    source = f", taking over from {person(old_deputy)}" if old_deputy and old_deputy != by else ""
    owner = f"its owner {person(facts.owner_id)}" if facts.owner_id != by else "its owner"
    return (
        f"{person(by)} made you the deputy of {bold(facts.name)}{source}. You may change it as "
        f"{owner} can, and while they are away, what would wait for them (questions before "
        f"colleagues reach out, notes about contacts) comes to you. {_see(facts)}"
    )


def no_longer_deputy(facts: PartnerFacts, by: str) -> str:
    """To a deputy someone else replaced or cleared."""
    if facts.deputy_id is None:
        what = (
            f"{person(by)} left {bold(facts.name)} without a deputy, so you are no longer its "
            "deputy."
        )
    else:
        what = (
            f"{person(by)} made {person(facts.deputy_id)} the deputy of {bold(facts.name)} "
            "instead of you."
        )
    return f"{what} You stay on its team as a member, so you will still hear about it."


def deputy_changed_for_owner(facts: PartnerFacts, by: str, old_deputy: str | None) -> str:
    """To the owner, when someone else named or cleared their partner's deputy."""
    if facts.deputy_id is None:
        was = "" if old_deputy == by else f" ({person(old_deputy)} was, and stays on the team)"
        return f"{person(by)} left {bold(facts.name)} without a deputy{was}. {no_deputy_now(facts)}"
    if old_deputy == by:
        what = (
            f"{person(by)} handed their role as deputy of {bold(facts.name)} to "
            f"{person(facts.deputy_id)}"
        )
    else:
        instead = f" instead of {person(old_deputy)}" if old_deputy else ""
        what = (
            f"{person(by)} made {person(facts.deputy_id)} the deputy of {bold(facts.name)}{instead}"
        )
    return f"{what}: they cover for you while you are away, and may change it as you can."


def put_on_team(facts: PartnerFacts, by: str) -> str:
    """To a colleague someone else put on a partner's team."""
    owner = "" if facts.owner_id in (by, None) else f" (owner {person(facts.owner_id)})"
    surveys = "its" if facts.status == PartnerStatus.ACTIVE else "once it is active, its"
    return (
        f"{person(by)} put you on the team of {bold(facts.name)}{owner}: {surveys} pulse surveys "
        f"will ask you how the partnership goes, and you will be kept informed about it. "
        f"{_see(facts)}"
    )


def taken_off_team(facts: PartnerFacts, by: str) -> str:
    """To a colleague someone else took off a partner's team."""
    return (
        f"{person(by)} took you off the team of {bold(facts.name)}: its pulse surveys will no "
        f"longer ask you how the partnership goes. {_see(facts)}"
    )


def let_know(told: Sequence[str]) -> str:
    """What an answer adds about the colleagues a change was told to."""
    return f" I've let {people_in_prose(told)} know." if told else ""


def renamed_for_owner(result: Renamed, by: str) -> str:
    """To the owner, when someone else renamed their partner."""
    if result.respelled:
        return (
            f"{person(by)} changed how {bold(result.old_name)}, which you own, is written: "
            f"{ending(result.facts.name)}"
        )
    return (
        f"{person(by)} renamed {bold(result.old_name)}, which you own, to "
        f"{ending(result.facts.name)} "
        + (OLD_NAME_FINDS_IT if result.old_name_kept else _generic_name_dropped(result.old_name))
    )


OLD_NAME_FINDS_IT = "The old name still finds it."


def _generic_name_dropped(name: str) -> str:
    """A former name not kept as an alias: a single letter ("E"), or `naming.generic_name`
    ("Foundation")."""
    if len(normalize_name(name).replace(" ", "")) == 1:
        return (
            f"{quote(name)} is a single letter, so it is not kept as an alias: it would name no "
            "partner in particular."
        )
    return (
        f"{quote(name)} is only a legal form or a common word (like Inc, The or Foundation), so it "
        "is not kept as an alias: it would stand for a word many partners' names hold."
    )


def status_for_owner(facts: PartnerFacts, by: str, before: str) -> str:
    """To the owner, when someone else moved their partner to another status."""
    return (
        f"{person(by)} moved {bold(facts.name)}, which you own, from {status(before)} to "
        f"{status(facts.status)}. `{COMMAND} status {in_command(facts.name)} {before}` moves it "
        "back."
    )


def deputy_set(facts: PartnerFacts, old_deputy: str | None) -> str:
    if facts.deputy_id is None:
        return (
            f"{bold(facts.name)} has no deputy now ({person(old_deputy)} was, and stays on the "
            "team)."
        )
    was = f" instead of {person(old_deputy)}" if old_deputy else ""
    return full_stop(f"{person(facts.deputy_id)} is now the deputy of {bold(facts.name)}{was}")


def team_roster(facts: PartnerFacts, members: Sequence[str]) -> str:
    """The owner, the deputy and the members, in a line: "@ana (owner), @ben (deputy), @dan"."""
    roster = [f"{person(facts.owner_id)} (owner)" if facts.owner_id else "no owner yet"]
    if facts.deputy_id:
        roster.append(f"{person(facts.deputy_id)} (deputy)")
    roster += [person(member) for member in members]
    return ", ".join(roster)


# --- A verb given the partner's name alone: what it would change, and how -------------------
# (`owner MSF`, `team MSF`, …: a colleague asking who owns it, or one who forgot the rest.)


def team_shown(profile: PartnerProfile) -> str:
    """`team NAME` alone: who is on the team, and how to change it."""
    name, typed = profile.facts.name, in_command(profile.facts.name)
    if profile.members or profile.facts.deputy_id:
        how = (
            f"Its owner, its deputy or an admin changes it with `{COMMAND} team {typed} add "
            "@user` or `remove @user`."
        )
    else:
        how = f"Put colleagues on it with `{COMMAND} team {typed} add @ben @dan`."
    return f"Team of {bold(name)}: {team_roster(profile.facts, profile.members)}.\n{how}"


def owner_shown(facts: PartnerFacts) -> str:
    owned = (
        f"{bold(facts.name)} is owned by {person(facts.owner_id)}"
        if facts.owner_id
        else f"{bold(facts.name)} has no owner yet"
    )
    deputy = f", with {person(facts.deputy_id)} as deputy" if facts.deputy_id else ""
    command = f"`{COMMAND} owner {in_command(facts.name)} @user`"
    how = f"To hand it over: {command}." if facts.owner_id else f"To give it one: {command}."
    return f"{owned}{deputy}.\n{how}"


def deputy_shown(facts: PartnerFacts) -> str:
    typed = in_command(facts.name)
    if facts.deputy_id is None:
        # An ended partner needs no cover: nothing about it is sent to anyone.
        why = (
            ""
            if facts.status == PartnerStatus.ENDED
            else ": nobody covers for its owner when they are away"
        )
        return (
            f"{bold(facts.name)} has no deputy{why}.\n"
            f"Name one with `{COMMAND} deputy {typed} @user`."
        )
    return (
        f"The deputy of {bold(facts.name)} is {person(facts.deputy_id)}.\n"
        f"Change it with `{COMMAND} deputy {typed} @user`, or leave it without one with "
        f"`{COMMAND} deputy {typed} none`."
    )


def status_shown(facts: PartnerFacts) -> str:
    return (
        f"{bold(facts.name)} is {status(facts.status)}.\n"
        f"Change it with `{COMMAND} status {in_command(facts.name)} {'|'.join(STATUSES)}`."
    )


def aliases_shown(profile: PartnerProfile) -> str:
    facts = profile.facts
    known = (
        f"{bold(facts.name)} is also known as {quoted_in_prose(profile.aliases)}."
        if profile.aliases
        else f"{bold(facts.name)} goes by its name alone."
    )
    return f'{known}\nAdd another with `{COMMAND} alias {in_command(facts.name)} add "…"`.'


def channel_shown(facts: PartnerFacts, found: Route) -> str:
    typed = in_command(facts.name)
    if facts.status == PartnerStatus.ENDED:
        own = f" (its own: {channel(facts.channel_id)})" if facts.channel_id else ""
        return (
            f"{bold(facts.name)} has ended: nobody is alerted about it any more{own}.\n"
            f"`{COMMAND} status {typed} active` reopens it."
        )
    if facts.channel_id is not None:
        said = (
            f"Alerts about {bold(facts.name)} go to its own channel, {channel(facts.channel_id)}."
        )
        refused = channel_passed_over(facts, found)
        return "\n".join(
            [said, *([refused] if refused else []), f"`{COMMAND} channel {typed} none` clears it."]
        )
    goes = (
        f"its alerts go to the coordination channel, {channel(found.channel)}"
        if found.channel
        else "its alerts are posted nowhere, as no coordination channel is set "
        f"(an admin sets one with `{COMMAND} config channel #channel`)"
    )
    return (
        f"{bold(facts.name)} has no channel of its own: {goes}.\n"
        f"Give it one with `{COMMAND} channel {typed} #channel`."
    )


def team_changed(change: ListChange, adding: bool, *, implied: bool = False) -> str:
    """`team add`'s or `team remove`'s answer; `implied`: people named straight after the
    partner's name (`team MSF @dan`), which adds them, as the answer says."""
    lines = []
    if change.changed:
        if implied:
            added = f"I added {people_in_prose(change.changed)} to the team of"
            lines.append(f"{added} {ending(change.facts.name)}")
        else:
            verb = "joined" if adding else "left"
            joined = f"{people_in_prose(change.changed)} {verb} the team of"
            lines.append(f"{joined} {ending(change.facts.name)}")
    if change.unchanged:
        were = "was" if len(change.unchanged) == 1 else "were"
        already = "already on" if adding else "not on"
        lines.append(f"{people_in_prose(change.unchanged)} {were} {already} it.")
    lines.append(f"Team now: {team_roster(change.facts, change.now)}.")
    if change.deputy_removed:
        lines.append(
            f"{person(change.deputy_removed)} was its deputy. {no_deputy_now(change.facts)}"
        )
    return "\n".join(lines)


def team_remove_hint(facts: PartnerFacts) -> str:
    """After people named straight after the name were added (`team MSF @dan`): how to take
    someone off, which is always said."""
    return f"To take someone off: `{COMMAND} team {in_command(facts.name)} remove @user`."


def status_set(facts: PartnerFacts) -> str:
    return f"{bold(facts.name)} is now {status(facts.status)}."


def plans_cancelled(plans: Sequence[Touch], *, by: str, tz: ZoneInfo) -> str:
    """Ending a partner cancels its plans ahead (they leave "Coming up"): the caller reads
    which, and that their planners are told (the caller, who ended it, is not)."""

    def planned(plan: Touch) -> str:
        local = plan.at.astimezone(tz)
        moment = f"{local:%a %-d %b}" + ("" if plan.day_only else f" {local:%H:%M}")
        notes = " ".join((plan.notes or "").split())
        what = f" “{notes}”" if notes else ""
        return f"{moment}{what} by {'you' if plan.author_id == by else person(plan.author_id)}"

    count = len(plans)
    head = f"{count} planned contacts were" if count > 1 else "1 planned contact was"
    # Their planners and the colleagues they named hear of it.
    others = [user for user in dict.fromkeys(u for p in plans for u in p.colleagues) if user != by]
    told = ""
    if others:
        verb = "is" if len(others) == 1 else "are"
        told = f" {' and '.join(person(user) for user in others)} {verb} told."
    return f"{head} cancelled: {'; '.join(planned(plan) for plan in plans)}.{told}"


def alerts_here(*, partner: str | None, by: str) -> str:
    """Posted in a channel just chosen for alerts (about one partner, or about all)."""
    about = bold(partner) if partner else "partners"
    return (
        f":wave: <@{by}> chose this channel for Liaison's coordination alerts about {about}: "
        "when colleagues approach the same partner without knowing of each other, I'll say so "
        "here."
    )


# What to do when Slack refuses to let Liaison post in a channel, by Slack's error code.
CANNOT_POST_ADVICE = {
    "channel_not_found": (
        "Pick the channel from the list Slack offers as you type `#`; a private channel needs "
        "Liaison invited first (`/invite @Liaison` in it)."
    ),
    "not_in_channel": "Invite Liaison to it: `/invite @Liaison` in the channel.",
    "is_archived": "It is archived: choose another channel.",
}


def cannot_post(
    channel_id: str, code: str, *, partners: bool = False, default_channel: str | None = None
) -> str:
    """Slack refused Liaison's hello in a channel just chosen for alerts: the workspace's, or a
    partner's own (`partners`), whose alerts then go to the workspace's instead; the
    workspace's messages go to the server's `default_channel` meanwhile, if it has one
    (`bot.services.channels`)."""
    advice = CANNOT_POST_ADVICE.get(
        code, f"Admins see the deliveries that fail because of it in `{COMMAND} config`."
    )
    # Said plainly: the setting is kept, where messages go meanwhile, and what ends that
    # (choosing a channel that works, this one included once fixed: its hello is sent again).
    again = (
        f"choose a channel Liaison can post in ({channel_ref(channel_id)} again, once it is fixed)"
    )
    if partners:
        meanwhile = (
            "Meanwhile the partner's alerts and survey results go to the workspace's "
            f"coordination channel, until you {again}."
        )
    elif default_channel is not None and default_channel != channel_id:
        meanwhile = (
            "Meanwhile collision alerts, survey results and the weekly digest go to "
            f"{channel_ref(default_channel)}, the server's default channel (partners with a "
            f"channel of their own still get theirs there), until you {again}."
        )
    else:
        meanwhile = (
            "Collision alerts, survey results and the weekly digest meant for it fail until it "
            "works: the server has no other channel to post them in."
        )
    return (
        f"I couldn't post in {channel_ref(channel_id)}: Slack answered `{code}`. {advice} "
        f"The setting stands. {meanwhile}"
    )


# Why Slack refuses Liaison's messages in a channel, in words for colleagues (by Slack's code).
REFUSED_IN_WORDS = {
    "channel_not_found": "Slack can't find it, or it is private and Liaison isn't in it",
    "not_in_channel": "Liaison isn't in it",
    "is_archived": "it is archived",
    "restricted_action": "apps may not post there",
}


def refused_in_words(reason: str) -> str:
    """Slack's recorded refusal (`chat.postMessage: channel_not_found`) in plain words."""
    code = reason.rsplit(":", 1)[-1].strip()
    return REFUSED_IN_WORDS.get(code, "Slack refused Liaison's last message there")


def channel_passed_over(facts: PartnerFacts, found: Route) -> str | None:
    """Under the channel line of a partner's card when Slack refuses Liaison in the partner's
    own channel: where its alerts and survey results go meanwhile (`bot.services.channels`);
    None when the channel takes them (or the partner has none)."""
    if facts.channel_id is None or not found.passed_over:
        return None
    channel, reason = found.passed_over[0]
    if channel != facts.channel_id:
        return None  # the coordination channel refuses: `config` says so
    why = (
        f":warning: Slack refused Liaison's last message in {channel_ref(channel)} "
        f"({refused_in_words(reason)})"
    )
    fix = (
        f"until someone chooses a channel Liaison can post in with "
        f"`{COMMAND} channel {in_command(facts.name)} #channel` (or this one again, once it is "
        "fixed)."
    )
    if found.channel is None:
        return (
            f"{why}: its alerts and survey results are not posted anywhere, as no other channel "
            f"takes them, {fix}"
        )
    return (
        f"{why}: meanwhile its alerts and survey results go to {channel_ref(found.channel)}, {fix}"
    )


def could_not_check(channel_id: str, code: str | None) -> str:
    """Slack had trouble of its own (a 5xx, a rate limit, no answer) when Liaison said hello."""
    answered = f"Slack answered `{code}`" if code else "Slack did not answer"
    return (
        f"I couldn't say hello in {channel_ref(channel_id)} just now: {answered}, which "
        "usually passes, so I'll try again shortly. Alerts will go there as usual; should Slack "
        f"refuse the hello then, admins see why in `{COMMAND} config`."
    )


def channel_ref(channel: str) -> str:
    """A channel as stored: an id as Slack's link (`<#C0123>`, shown by name), a channel kept
    by name (`#name`, typed in `config channel`) as typed."""
    return channel if channel.startswith("#") else f"<#{channel}>"


def channel_kind(channel: str) -> str:
    """What a channel just chosen needs from the person who chose it: typed by name, it must be
    public; picked (an id), a private one needs Liaison invited."""
    if channel.startswith("#"):
        return (
            f"You typed {channel} rather than picking it from Slack's list, so I'll post there by "
            "name: it must be a public channel."
        )
    return "If it is a private channel, invite Liaison to it."


def asking_which_channel(typed: str, current: str, *, kept: str) -> str:
    """A channel's name typed (`#name`) while the setting holds a channel picked from Slack's
    list (`current`, its id), which `kept` names: answered once Slack has said whether the name
    is that channel's."""
    return f"Asking Slack whether {typed} is {channel_ref(current)}, {kept} already…"


def which_channel_unanswered(typed: str, *, kept: str, command: str) -> str:
    """Slack could not say whether the channel name typed is the one `kept` names; `command`
    picks it instead."""
    return (
        f"Slack did not answer when I asked which channel {typed} is, so {kept} stays as it "
        f"was. Try again shortly, or pick {typed} from the list Slack offers as you type `#`: "
        f"`{command}`."
    )


def partners_channel(facts: PartnerFacts) -> str:
    """The channel a partner's alerts go to, as `asking_which_channel` names it."""
    return f"the channel alerts about {bold(facts.name)} go to"


def partner_channel_unchecked(typed: str, facts: PartnerFacts) -> str:
    """Slack could not say whether `channel NAME #name` names the partner's channel."""
    command = f"{COMMAND} channel {in_command(facts.name)} #channel"
    return which_channel_unanswered(typed, kept=partners_channel(facts), command=command)


def channel_already(facts: PartnerFacts) -> str:
    """`channel NAME #c` naming the channel the partner's alerts already go to."""
    return (
        f"Alerts about {bold(facts.name)} already go to {channel(facts.channel_id)}; nothing "
        f"changed. `{COMMAND} channel {in_command(facts.name)} none` sends them to the "
        "workspace's coordination channel again."
    )


def channel_set(facts: PartnerFacts) -> str:
    if facts.channel_id is None:
        return (
            f"{bold(facts.name)} has no channel of its own now: its alerts go to the workspace's "
            "coordination channel."
        )
    chosen = f"Alerts about {bold(facts.name)} will go to {channel(facts.channel_id)}."
    if facts.channel_id.startswith("#"):
        chosen += " " + channel_kind(facts.channel_id)
    return chosen


def aliases_changed(change: ListChange, adding: bool) -> str:
    name = bold(change.facts.name)
    lines = []
    if change.changed:
        verb = "is now also known as" if adding else "is no longer known as"
        lines.append(f"{name} {verb} {quoted_in_prose(change.changed)}.")
    if change.its_name:
        are = "is" if len(change.its_name) == 1 else "are"
        lines.append(
            f"{quoted_in_prose(change.its_name)} {are} already how {name} is found: its name. "
            "Nothing to add."
        )
    if change.unchanged:
        stand = "stands" if len(change.unchanged) == 1 else "stand"
        stands_for = f"{quoted_in_prose(change.unchanged)} already {stand} for"
        lines.append(f"{stands_for} {ending(change.facts.name)}")
    if change.changed or change.now:
        if change.now:
            lines.append(f"{ALIASES}: {quoted_list(change.now)}.")
        else:
            lines.append("It goes by its name alone now.")
    return "\n".join(lines)


def alias_remove_hint(facts: PartnerFacts) -> str:
    """After aliases named straight after the name were added (`alias MSF "Doctors Without
    Borders"`): how to take one off."""
    return f'To take one off: `{COMMAND} alias {in_command(facts.name)} remove "…"`.'


def renamed(result: Renamed) -> str:
    if result.respelled:
        # Only case, accents or punctuation changed: "the old name still finds it" would read
        # as if it were kept as another name.
        return f"{bold(result.old_name)} is now written {ending(result.facts.name)}"
    then = OLD_NAME_FINDS_IT if result.old_name_kept else _generic_name_dropped(result.old_name)
    return f"{bold(result.old_name)} is now called {ending(result.facts.name)} {then}"


_MOVED_NAMES = {
    "aliases": ("alias", "aliases"),
    "contacts": ("contact", "contacts"),
    "contacts_merged": ("contact both knew (kept once)", "contacts both knew (kept once)"),
    "team": ("team member", "team members"),
    "touchpoint": ("touchpoint", "touchpoints"),
    "collision": ("collision", "collisions"),
    "commitment": ("commitment", "commitments"),
    "survey_round": ("pulse survey", "pulse surveys"),
    "health_snapshot": ("week of health history", "weeks of health history"),
    "partner_cadence": ("stay-in-touch setting", "stay-in-touch settings"),
}


def _moved_name(kind: str, count: int) -> str:
    """What moved over, counted: `3 collisions`; a kind without a name reads as its table's."""
    singular, plural = _MOVED_NAMES.get(kind, (kind.replace("_", " "), ""))
    return f"{count} {singular if count == 1 else plural or singular + ' records'}"


def lost_roles(result: Merged) -> dict[str, str]:
    """The duplicate's owner and deputy who hold no such role on the kept partner, with the
    role they had."""
    kept = {result.kept.owner_id, result.kept.deputy_id}
    had = [(result.duplicate_owner_id, "owner"), (result.duplicate_deputy_id, "deputy")]
    return {user: role for user, role in had if user is not None and user not in kept}


def _role_on(facts: PartnerFacts, user_id: str) -> str:
    """`user_id`'s role on the partner, as in "is now the deputy of *X*"."""
    if user_id == facts.owner_id:
        return f"the owner of {bold(facts.name)}"
    if user_id == facts.deputy_id:
        return f"the deputy of {bold(facts.name)}"
    return f"a member of the team of {bold(facts.name)}"


def _merged_status(result: Merged) -> str:
    """What became of the two statuses: an active duplicate makes the kept partner active;
    any other status of the duplicate leaves the kept one's."""
    if result.duplicate_status == result.status_before:
        return ""
    was = f"{bold(result.duplicate_name)} was {status(result.duplicate_status)}"
    kept = bold(result.kept.name)
    if result.kept.status != result.status_before:
        return (
            f"\n{was}, so {kept} is now {status(result.kept.status)} "
            f"(was {status(result.status_before)})."
        )
    return (
        f"\n{was}; {kept} stays {status(result.kept.status)}: "
        f"`{COMMAND} status {in_command(result.kept.name)} {result.duplicate_status}` to change "
        "that."
    )


def _rounds_folded(result: Merged) -> bool:
    """Whether both partners had a pulse survey running, which then went on as one (its line
    is among the merge's findings)."""
    from handlers.texts.feedback import ROUNDS_FOLDED  # that module imports this one

    return ROUNDS_FOLDED in result.findings


def merged(result: Merged, told: Sequence[str] = ()) -> str:
    # Kinds in the order above, then any other (a later feature's table) by name.
    order = list(_MOVED_NAMES)
    kinds = sorted(
        result.moved, key=lambda kind: (order.index(kind) if kind in order else len(order), kind)
    )
    counts = dict(result.moved)
    joined = ""
    if _rounds_folded(result):
        # The duplicate's running round is not among the pulse surveys it brought: it and the
        # kept partner's go on as one (`Surveys.fold_rounds`).
        counts["survey_round"] = counts.get("survey_round", 1) - 1
        joined = f"its running pulse survey and {bold(result.kept.name)}'s go on as one"
    moved = [_moved_name(kind, counts[kind]) for kind in kinds if counts[kind]]
    said = "; ".join(part for part in (", ".join(moved), joined) if part)
    what = f" Moved over: {said}." if said else ""
    roles = "".join(
        f"\n{person(user)} ({role} of {bold(result.duplicate_name)}) is now "
        f"{full_stop(_role_on(result.kept, user))}"
        for user, role in lost_roles(result).items()
    )
    told_them = f"\nI've let {people_in_prose(told)} know." if told else ""
    findings = "".join(f"\n{line}" for line in result.findings)
    finds = (
        f"{quote(result.duplicate_name)} now finds {ending(result.kept.name)}"
        if result.duplicate_name_kept
        else _generic_name_dropped(result.duplicate_name)
    )
    return (
        f"Merged {bold(result.duplicate_name)} into {ending(result.kept.name)}{what} "
        f"{finds}{_taken_over(result)}{_merged_status(result)}{roles}{told_them}{findings}"
    )


def _taken_over(result: Merged) -> str:
    """What the kept partner, having none, took over from the duplicate: its channel (where
    alerts now go), its website and its notes."""
    kept, gone = bold(result.kept.name), bold(result.duplicate_name)
    said = ""
    if "channel" in result.taken_over:
        said += (
            f"\nAlerts about {kept} now go to {channel(result.kept.channel_id)}, "
            f"{gone}'s channel, as {kept} had none."
        )
    taken = [
        f"website ({website(result.kept.website_domain)})" if kind == "website" else "notes"
        for kind in result.taken_over
        if kind != "channel"
    ]
    if taken:
        said += f"\n{kept} has {gone}'s {' and '.join(taken)} now, as it had none."
    return said


def merged_away(result: Merged, user_id: str, *, by: str) -> str:
    """To the duplicate's owner or deputy: their partner is now part of another."""
    role = lost_roles(result)[user_id]
    finds = f", and {quote(result.duplicate_name)} finds it" if result.duplicate_name_kept else ""
    return (
        f"{person(by)} merged {bold(result.duplicate_name)}, where you were {role}, into "
        f"{bold(result.kept.name)} (owner {person(result.kept.owner_id)}): its history, contacts "
        f"and team are there now{finds}. You are now "
        f"{_role_on(result.kept, user_id)}: `{COMMAND} show {in_command(result.kept.name)}` "
        "shows where things stand."
    )


def merged_into_yours(result: Merged, *, by: str) -> str:
    """To the kept partner's owner, before what the merge brought them to do."""
    return (
        f"{person(by)} merged {bold(result.duplicate_name)} into "
        f"{bold(result.kept.name)}, which you own."
    )


def contact_added(result: ContactAdded) -> str:
    facts, contact = result.facts, result.contact
    if result.created:
        return f"Added {contact_line(contact)} as a contact at {ending(facts.name)}"
    if result.completed or result.retitled_from is not None:
        done = f"I added the {' and '.join(result.completed)} you gave" if result.completed else ""
        if result.retitled_from is not None:
            retitled = f"changed their title from {quote(result.retitled_from)}"
            done += (" and " if done else "") + retitled
        done = f"{contact_line(contact)} was already a contact at {bold(facts.name)}: {done}."
        return done + _title_not_taken(result)
    there = f"{contact_line(contact)} is already a contact at {bold(facts.name)}; nothing changed."
    if result.title_not_taken is not None:
        there += _title_not_taken(result)
    if not result.by_name:
        return there
    again = (
        f"`{COMMAND} contact {in_command(facts.name)} add {contact.name} "
        f"{example_email(contact.name)}"
    )
    if contact.email:
        return (
            f"{there} If you meant another person of that name, add them with their own email, "
            f"e.g. {again}`."
        )
    return f"{there} To give them an email or a title, add them again with it, e.g. {again} Title`."


def _title_not_taken(result: ContactAdded) -> str:
    """After `contact add`, the title typed for a person found by name alone, who kept their
    own: said, with the line that changes it (their email and the title: surely them)."""
    contact, title = result.contact, result.title_not_taken
    if title is None:
        return ""
    kept = f"their title {quote(contact.title)}" if contact.title else "no title"
    change = (
        f"`{COMMAND} contact {in_command(result.facts.name)} add {contact.name} "
        f"{contact.email or example_email(contact.name)} {title}`"
    )
    return (
        f" I kept {kept}, not {quote(title)}: this line had no email to say it is them. "
        f"To change it: {change}."
    )


def contact_removed(result: ContactRemoved) -> str:
    facts, contact = result.facts, result.contact
    text = f"Removed {contact_line(contact)} from the contacts at {ending(facts.name)}"
    if result.touchpoints:
        some = "touchpoint" if result.touchpoints == 1 else f"{result.touchpoints} touchpoints"
        text += f" The {some} with them still name{'s' if result.touchpoints == 1 else ''} them."
    return text


def example_email(name: str) -> str:
    """An address to show in an example, made of a person's name (`jane.doe@example.org`)."""
    local = ".".join(person_key(name).split()) or "name"
    return f"{local}@example.org"


def no_contacts(facts: PartnerFacts) -> str:
    return (
        f"No contacts at {bold(facts.name)} yet. Add one with "
        f"`{COMMAND} contact {in_command(facts.name)} add Jane Doe jane@example.org Title`."
    )


def contacts_header(facts: PartnerFacts, count: int) -> str:
    return f"{count} contact{'s' if count != 1 else ''} at {facts.name}"


def more_contacts(facts: PartnerFacts, hidden: int) -> str:
    return f"…and {hidden} more: `{COMMAND} contacts {in_command(facts.name)}`"


def added_by(user_id: str, moment: datetime) -> str:
    return f"Added by {person(user_id)} on {moment:%-d %b %Y}"


# --- The list -------------------------------------------------------------------------------


def list_title(scope: str) -> str:
    return {
        "all": "All partners",
        "mine": "Your partners",
    }.get(scope, f"Partners: {status(scope)}")


def list_empty(scope: str) -> str:
    return {
        "mine": f"You are not on any partner's team yet. `{COMMAND} list` shows them all.",
        "all": f"No partners registered yet. Add the first with `{COMMAND} add NAME`.",
    }.get(scope, f"No partners are {status(scope)}.")


def list_footer(shown: int, more: bool, *, start: int = 1, pressed: bool = False) -> str:
    """Below a page of `list`; `start`: the number of its first partner, after pages above;
    `pressed`: its "More" was used, the next page posted below it."""
    tail = f" Press *{MORE}* for the next ones." if more else ""
    if pressed:
        tail, more = " The next ones are below.", True
    if start == 1:
        return f"{shown} shown.{tail}"
    span = f"{start:,}–{start + shown - 1:,} shown"
    return f"{span}.{tail}" if more else f"{span}: the last of them."


def list_expired() -> str:
    return f"That list is out of date; run `{COMMAND} list` again."


def partner_gone() -> str:
    return f"That partner is no longer in the registry (merged or removed); see `{COMMAND} list`."


# --- The `add` form -------------------------------------------------------------------------

MODAL_TITLE = "Add a partner"
MODAL_SUBMIT = "Add"
MODAL_CLOSE = "Cancel"
FIELD_NAME = "Name"
FIELD_NAME_HINT = "The organisation's usual name, e.g. Médecins Sans Frontières."
FIELD_ALIASES = "Also known as"
FIELD_ALIASES_HINT = (
    "Acronyms and other names, separated by commas, e.g. MSF, Doctors Without Borders."
)
FIELD_OWNER = "Owner"
FIELD_OWNER_HINT = "The accountable contact for this partner."
FIELD_DEPUTY = "Deputy"
FIELD_DEPUTY_HINT = "Who covers for the owner while they are away, and may change it as they can."
FORM_DEPUTY_IS_OWNER = (
    "The owner cannot be its deputy too: a deputy covers for the owner. Pick another colleague, "
    "or leave this empty."
)
FIELD_TEAM = "Team"
FIELD_TEAM_HINT = "Colleagues who work with this partner: they are kept informed and surveyed."
FIELD_STATUS = "Status"
FIELD_WEBSITE = "Website"
FIELD_WEBSITE_HINT = "Used to spot duplicates, e.g. msf.org."
FIELD_NOTES = "Notes"
FIELD_ANYWAY = "Create anyway"
FIELD_ANYWAY_OPTION = "Create it even if it looks like a partner we already have"
OPENING_FORM = "Opening the form…"


def form_failed(typed: str, code: str | None = None) -> str:
    """The form did not open: `code` is Slack's refusal, None when Slack did not answer."""
    verb = typed.split()[0]
    if code in FORM_TOO_LATE:
        return (
            "I couldn't open the form: it took too long to open, and Slack allows only a few "
            f"seconds. Run `{COMMAND} {verb}` again, or type `{COMMAND} {typed}`."
        )
    if code is None:
        return (
            "I couldn't open the form: Slack did not answer. Try again in a moment, or type "
            f"`{COMMAND} {typed}`."
        )
    return f"I couldn't open the form (Slack said no). Try again, or type `{COMMAND} {typed}`."


# Slack's refusals of a form opened too late: the command's trigger id lasts 3 seconds, once.
FORM_TOO_LATE = frozenset({"expired_trigger_id", "exchanged_trigger_id"})


def form_exists(existing: PartnerFacts, owner_name: str | None = None) -> str:
    """A form's field error (plain text: no mention renders); `owner_name` as Slack names the
    owner, where Liaison knows it."""
    show = f"{COMMAND} show {in_command(existing.name)}"
    if owner_name is None:
        return f"Already registered as {literal(existing.name)} (owner: see `{show}`)."
    return f"Already registered as {literal(existing.name)}, owned by {owner_name}: see `{show}`."


def form_similar(name: str, names: Sequence[str]) -> str:
    """The form's answer to a likely duplicate of `names`: it says what the typed line's
    button does (`create_anyway`), naming the partner `name` as typed."""
    registered = in_prose([literal(known) for known in names], conjunction="or")
    return (
        f"Looks like {registered}, already registered. To create {quote(name)} anyway, if it "
        f"really is a different organisation, tick “{FIELD_ANYWAY}” below and add it again."
    )


def form_name_taken(name: str, holder: PartnerFacts) -> str:
    return full_stop(f"{quote(name)} already stands for {literal(holder.name)}")


# A form sent with its (required) partner picker empty: nothing was picked, nothing is gone.
PICK_A_PARTNER = "Pick a partner: type a few letters of its name and choose it from the list."
# A form's datepicker that sent no day, or one that is none (Slack had trouble with it).
PICK_A_DAY = "Pick a day in the calendar: I got none from this field, so nothing was saved."
