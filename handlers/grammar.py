"""The pieces of the `/partner` language, parsed without Slack or the database.

A line is first split into tokens: words, quoted strings ("…", “…”, „…“, «…»), Slack's escaped
mentions `<@U123|ana>`, channels `<#C123|name>` and links `<mailto:a@b.org|a@b.org>`, and the
separator `:` (a colon in a time, `14:00`, or an address, `https://`, stays in its word).
Slack escapes `&`, `<` and `>` in command text; tokens carry the text unescaped.

A partner name is a quoted string, or the words up to the next keyword (`with`, `on`, `via`,
`owner`, `aka`, `to`, `into`, `by`), the separator `:`, or a mention or channel; quoted or not,
a name (or alias) holds no mention or channel, which would notify or link wherever shown. A
name that contains a keyword ("Doctors on Call") is quoted, or read whole where the verb asks the
registry (`take_name`'s `known`) and it is typed as registered.

Each `parse_*` function reads the rest of a line after its verb and returns what the verb
needs, or raises `GrammarError` saying what was wrong. Names keep their place in the line
(`Name.start`/`end`) so a "Did you mean" button can re-run the line with another name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from difflib import get_close_matches
from enum import StrEnum
from itertools import pairwise

from bot.mrkdwn import escape, unescape
from bot.naming import COUNTRY_CODES, COUNTRY_NAMES, ORGANISATION_WORDS, normalize_name
from bot.services.job_titles import TITLE_IN_BRACKETS, role_after_name, split_title
from bot.websites import reads_as_website

KEYWORDS = frozenset({"with", "on", "via", "owner", "aka", "to", "into", "by"})
_QUOTES = '"“”„«»'

_TOKEN = re.compile(
    r"""
    (?P<special><[^<>\s][^<>]*>)
  | (?P<quoted>"[^"“”]*["“”]?|[“”][^"”]*["”]?|„[^"“”]*["“”]?|«[^»]*»?|»[^«]*«?)
  | (?P<colon>:(?!\d))
  | (?P<word>(?:[^\s<"“”„«»:]|(?<=[^\s<"“”„«»:]):(?=\d)|:(?=//))+)
  | (?P<stray>[:<])
    """,
    re.VERBOSE,
)
# A port after an address (`acme.org:8080`): part of a word, and of a link Slack ends before it.
_PORT = re.compile(r":\d+(?!\w)")
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_CHANNEL = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|([^>]*))?>$")
_LINK = re.compile(r"^<([^|>]+)(?:\|([^>]*))?>$")
# A link Slack made of an address typed inside quotes (`"Booking.com"`, `"Acme (acme.org)"`):
# read as it showed, as outside quotes. Mentions, channels and broadcasts are not links.
_LINK_IN_QUOTES = re.compile(r"<(?P<target>[^<>|@#!][^<>|]*)(?:\|(?P<label>[^<>]*))?>")
# A channel name as Slack allows it (lower case, digits, `-`, `_`, at most 80 characters).
_CHANNEL_NAME = re.compile(r"^#[a-z0-9_][a-z0-9_\-]{0,79}$")
# Slack's markup for a mention or a channel, kept as text inside quotes (and as it comes in a
# form's field). A broadcast (`<!channel>`) may stand in a name: it is shown as typed, pinging
# nobody, where a mention would still notify and a channel link.
_MARKUP = re.compile(r"<[@#][^<>]*>")
MARKUP_IN_NAME = "A partner name cannot contain a mention or a channel."
# Someone typed "@ana" and Slack did not turn it into a mention (no such user, or typed fast).
_BARE_MENTION = re.compile(r"^@[\w.\-]+$")


class GrammarError(ValueError):
    """A line that does not fit the verb's syntax; the message says what was wrong."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


class NothingGiven(GrammarError):
    """A line that names what to change and gives nothing to change it with (`alias Oxfam ""`):
    never read as the partner's name alone, which would show it as if nothing had been typed."""


class Kind(StrEnum):
    WORD = "word"
    QUOTED = "quoted"
    MENTION = "mention"
    CHANNEL = "channel"
    LINK = "link"
    EMAIL = "email"
    COLON = "colon"


@dataclass(frozen=True)
class Token:
    kind: Kind
    # Unescaped text: the word, the quoted string without quotes, the link's label, or the
    # user or channel id of a mention or channel.
    text: str
    start: int
    end: int

    @property
    def keyword(self) -> str | None:
        lowered = self.text.lower()
        return lowered if self.kind is Kind.WORD and lowered in KEYWORDS else None

    def is_word(self, *words: str) -> bool:
        return self.kind is Kind.WORD and self.text.lower() in words


@dataclass(frozen=True)
class Name:
    """A partner name as typed, and where it stands in the parsed text (quotes included)."""

    text: str
    start: int
    end: int


def tokenize(line: str) -> list[Token]:
    """Split a line into tokens; raises GrammarError for a stray `<` or a bare `@name`."""
    tokens: list[Token] = []
    for found in _TOKEN.finditer(line):
        kind, raw = found.lastgroup, found.group()
        start, end = found.span()
        if kind == "special":
            tokens.append(_special(raw, start, end))
        elif kind == "quoted":
            _check_closed(raw)
            text = _LINK_IN_QUOTES.sub(_link_as_shown, _unquote(raw))
            tokens.append(Token(Kind.QUOTED, _collapse(unescape(text)), start, end))
        elif kind == "colon":
            tokens.append(Token(Kind.COLON, ":", start, end))
        elif kind == "word":
            if _BARE_MENTION.match(raw):
                raise GrammarError(
                    f"`{raw}` is not a Slack mention I can read: pick the person from the "
                    "list Slack offers as you type `@`."
                )
            port = _PORT.match(raw)
            if port and tokens and tokens[-1].kind is Kind.LINK and tokens[-1].end == start:
                # `<http://acme.org|acme.org>:8080`: Slack linked the address but not its port.
                link = tokens.pop()
                tokens.append(replace(link, text=link.text + port.group(), end=start + port.end()))
                start, raw = start + port.end(), raw[port.end() :]
                if not raw:
                    continue
            tokens.append(Token(Kind.WORD, unescape(raw), start, end))
        else:
            raise GrammarError(f"I could not read the `{raw}` at position {start + 1}.")
    return tokens


def _special(raw: str, start: int, end: int) -> Token:
    if mention := _MENTION.match(raw):
        return Token(Kind.MENTION, mention.group(1), start, end)
    if channel := _CHANNEL.match(raw):
        return Token(Kind.CHANNEL, channel.group(1), start, end)
    link = _LINK.match(raw)
    assert link is not None, raw
    target, label = link.group(1), link.group(2)
    if target.startswith("mailto:"):
        return Token(Kind.EMAIL, unescape(label or target.removeprefix("mailto:")), start, end)
    if target.startswith(("!", "@", "#")):
        # <!here>, <!subteam^…>, a mention of a kind we do not take.
        raise GrammarError(f"`{label or target}` cannot be used here: mention people one by one.")
    return Token(Kind.LINK, unescape(label or target), start, end)


def _link_as_shown(found: re.Match[str]) -> str:
    return found["label"] or found["target"].removeprefix("mailto:")


def _unquote(raw: str) -> str:
    # The opening quote, and the closing one unless the line ended first.
    inner = raw[1:]
    return inner[:-1] if _closed(raw) else inner


def _closed(raw: str) -> bool:
    return len(raw) > 1 and raw[-1] in _QUOTES


# What an unclosed quote must not run over: a mention, channel or link, or the `:` before the
# notes. Only a name at the end of the line may leave its quote open (`add "Acme`).
_NOT_IN_OPEN_QUOTE = re.compile(r"<|:(?!\d)|(?<!\d):")


def _check_closed(raw: str) -> None:
    """Refuse a quote that is never closed and swallowed a clause (`add "Acme owner @ben`)."""
    if _closed(raw):
        return
    swallowed = _NOT_IN_OPEN_QUOTE.search(raw)
    if swallowed is None:
        return
    before = _collapse(unescape(raw[1 : swallowed.start()]))
    opened = f"The quote opened before `{before.split()[0]}`" if before else "A quote"
    raise GrammarError(
        f'{opened} is never closed. Close it right after the name, e.g. `"Doctors on Call"`.'
    )


def _collapse(text: str) -> str:
    return " ".join(text.split())


def joined(tokens: Sequence[Token]) -> str:
    """The tokens' texts, with a space where the line had one between them and none where it
    had none: Slack links a domain inside brackets (`MSF (<http://msf.org|msf.org>)`), which
    must read `MSF (msf.org)`, not `MSF ( msf.org )`."""
    text = ""
    for index, token in enumerate(tokens):
        if index and token.start > tokens[index - 1].end:
            text += " "
        text += token.text
    return text


# --- Pieces -----------------------------------------------------------------------------------


# Given several readings of a partner name, longest first, the position of the first that a
# registered partner goes by exactly (None: none does). The grammar asks; the registry knows.
KnownNames = Callable[[Sequence[str]], int | None]


def take_name(
    tokens: Sequence[Token],
    *,
    stop_words: frozenset[str] = KEYWORDS,
    known: KnownNames | None = None,
    open_start: bool = False,
) -> tuple[Name | None, int]:
    """The partner name at the start of `tokens` and how many tokens it used.

    A quoted string is a name on its own; otherwise words and links up to the first stop word,
    `:`, mention or channel. With `known`, a registered name that carries on past stop words
    ("People with Disabilities Fund", "Doctors on Call") or starts with one ("On Point", "Into
    the Wild") is taken whole when typed as it is registered: the longest such reading wins.
    With `open_start`, the first word belongs to the name whatever it is (`add With Love`:
    nothing else can stand first). Returns (None, 0) when no name stands there.
    """
    if tokens and tokens[0].kind is Kind.QUOTED:
        first = tokens[0]
        return _quoted_name(first), 1
    used = 0
    for token in tokens:
        if token.kind not in (Kind.WORD, Kind.LINK):
            break
        if token.text.lower() in stop_words and not (open_start and used == 0):
            break
        used += 1
    if known is not None:
        longer = _longer_readings(tokens, used)
        if longer:
            picked = known([joined(tokens[:count]) for count in longer])
            if picked is not None:
                used = longer[picked]
    if used == 0:
        return None, 0
    words = tokens[:used]
    return Name(joined(words), words[0].start, words[-1].end), used


def _longer_readings(tokens: Sequence[Token], used: int) -> list[int]:
    """How many tokens each longer reading of a name of `used` tokens takes, longest first:
    the name and the words after it, keywords included, up to a `:`, quote, mention or
    channel, ending on a word that is no keyword."""
    counts = []
    for count in range(used + 1, len(tokens) + 1):
        token = tokens[count - 1]
        if token.kind not in (Kind.WORD, Kind.LINK):
            break
        if token.keyword is None:
            counts.append(count)
    return counts[::-1]


def longer_names(text: str, name: Name) -> list[Name]:
    """The longer readings of `name` where it stands in `text` (see `take_name`), longest
    first; none for a quoted name. A "Did you mean" pick whose name carries on past a keyword
    takes such a reading's words as its own, not as people, dates or a kind of contact."""
    if name.start >= len(text) or text[name.start] in _QUOTES:
        return []
    after: list[Token] = []
    for found in _TOKEN.finditer(text, name.end):
        if found.lastgroup != "word" or _BARE_MENTION.match(found.group()):
            break
        after.append(Token(Kind.WORD, unescape(found.group()), *found.span()))
    head = Token(Kind.WORD, name.text, name.start, name.end)
    readings = []
    for count in _longer_readings([head, *after], 1):
        words = after[: count - 1]
        text_of = " ".join([name.text, *(t.text for t in words)])
        readings.append(Name(text_of, name.start, words[-1].end))
    return readings


def whole_name(tokens: Sequence[Token]) -> Name | None:
    """All of `tokens` as one name (for verbs whose name ends the line: `show`, `contacts`)."""
    if not tokens:
        return None
    if len(tokens) == 1 and tokens[0].kind is Kind.QUOTED:
        return _quoted_name(tokens[0])
    if any(token.kind in (Kind.MENTION, Kind.CHANNEL) for token in tokens):
        raise GrammarError(MARKUP_IN_NAME)
    return Name(
        # A `:` reads as a space, as it did before names kept the line's spacing.
        _collapse(joined([replace(t, text=" ") if t.kind is Kind.COLON else t for t in tokens])),
        tokens[0].start,
        tokens[-1].end,
    )


def _quoted_name(token: Token) -> Name:
    """A quoted name, which may hold keywords but, as an unquoted one, no mention or channel."""
    refuse_markup(token.text)
    return Name(token.text, token.start, token.end)


def refuse_markup(name: str) -> None:
    """Refuse a name with a mention or channel in it: in mrkdwn it would notify or link."""
    if _MARKUP.search(name):
        raise GrammarError(MARKUP_IN_NAME)


# The word that stands for whoever typed the line: `team MSF add me`, `deputy MSF me`.
ME = "me"


def mentions(tokens: Sequence[Token], *, what: str = "people", me: str | None = None) -> list[str]:
    """User ids of `tokens`, which must all be mentions (commas and `and` allowed); with `me`
    (who typed the line), the word `me` stands for them."""
    user_ids: list[str] = []
    for token in tokens:
        if token.kind is Kind.MENTION:
            user_ids.append(token.text)
        elif me is not None and token.is_word(ME):
            user_ids.append(me)
        elif not (token.is_word("and", ",") or token.text == ","):
            raise GrammarError(
                f"`{token.text}` is not a mention: name the {what} with `@`, e.g. `@ana`."
            )
    return user_ids


def not_a_mention(typed: str | Sequence[str], *, who: str, example: str, instead: str = "") -> str:
    """Someone named without the `@` Slack makes a mention of (`owner Oxfam ben`), or several
    (`team MSF add Ben Dan`): what was wrong, and the line with the `@`; `instead`: what else
    the verb takes there."""
    wrong = _not_mentions([typed] if isinstance(typed, str) else typed)
    return f"{wrong}: name the {who} with `@`, e.g. `{example}` (`me` for yourself){instead}."


def pick_each(words: Sequence[str], *, example: str, others: bool = False) -> str:
    """Words typed side by side where colleagues go (`team MSF add Ben Smith`): one colleague's
    full name or the handles of several, so no `@` handle can be read off them without a guess
    (`@ben @smith` for Ben Smith). What was wrong, and how Slack makes a mention instead;
    `others`: the example keeps people named right and leaves `@…` for these (`_picked`)."""
    pick = _PICK_OTHERS if others else _PICK_EACH
    return f"{_not_mentions(words)}: {pick}, e.g. `{example}` (`me` for yourself)."


_PICK_EACH = "type `@` and pick each colleague from Slack's list"
_PICK_OTHERS = "type `@` and pick them from Slack's list, next to those you named right"


def _picked(body: Sequence[Token], line: str) -> tuple[str, bool]:
    """The people for `pick_each`'s example: those named right kept as typed and `@…` where
    the words side by side go (`@dan Ben Smith`: `@dan @…`), as no handle can be read off
    them; with none, the first word as a handle (`@ben`). And whether any was kept."""
    kept = [_as_typed(t, line) for t in body if t.kind is Kind.MENTION or t.is_word(ME)]
    if kept:
        return " ".join([*kept, "@…"]), True
    first = next(t for t in body if _unmarked(t))
    return f"@{first.text.rstrip(',').lower()}", False


def side_by_side(text: str) -> bool:
    """Whether `text`, typed for colleagues, holds two plain words with nothing between them
    (`Ben Smith`, `ben dan`; not `ben, dan` nor `ben and @dan`): see `pick_each`."""
    return _side_by_side(tokenize(text))


def _side_by_side(tokens: Sequence[Token]) -> bool:
    return any(
        _unmarked(first)
        and _unmarked(then)
        and not first.text.endswith(",")
        and not then.text.startswith(",")
        for first, then in pairwise(tokens)
    )


def _not_mentions(words: Sequence[str]) -> str:
    """ "`ben` is not a mention", "`Ben` and `Dan` are not mentions"."""
    named = [f"`{word}`" for word in words]
    if len(named) == 1:
        return f"{named[0]} is not a mention"
    return f"{', '.join(named[:-1])} and {named[-1]} are not mentions"


def _with_at(tokens: Sequence[Token], line: str, *, each: bool = False) -> str:
    """People as typed, each plain word given the `@` it lacks (`ben and @dan`: `@ben and
    @dan`); a name typed in full gets one, on its first word (`Ben Smith`: `@Ben`), as a Slack
    mention names a colleague by one handle. With `each`, every plain word is a colleague of
    its own, written as a handle is (`ben, dan`: `@ben, @dan`): for words apart, as words side
    by side tell no handles (`pick_each`)."""
    return " ".join(
        ("@" + token.text.lower() if each else "@" + token.text)
        if _unmarked(token)
        else _as_typed(token, line)
        for at, token in enumerate(tokens)
        if each or not _surname(tokens, at)
    )


def _unmarked(token: Token) -> bool:
    """Whether `token`, among people, is a plain word that stands for someone (not `and`, `me`
    or a clause's word)."""
    return (
        token.kind is Kind.WORD
        and not token.is_word("and", "deputy", "team", ME)
        and token.text != ","
    )


def _surname(tokens: Sequence[Token], at: int) -> bool:
    """Whether the word at `at` goes on the name of one person begun before it: capitalised
    after a capitalised plain word (`Ben Smith`); words in lower case are handles each (`ben
    dan`)."""
    return (
        at > 0
        and _unmarked(tokens[at])
        and _unmarked(tokens[at - 1])
        and tokens[at].text[:1].isupper()
        and tokens[at - 1].text[:1].isupper()
    )


def name_list(tokens: Sequence[Token]) -> list[str]:
    """Names given as quoted strings (`"X", "Y"`), or as plain words split at commas."""
    for token in tokens:
        if token.kind in (Kind.MENTION, Kind.CHANNEL):
            raise GrammarError(MARKUP_IN_NAME)
        refuse_markup(token.text)
    if any(token.kind is Kind.QUOTED for token in tokens):
        names: list[str] = []
        for token in tokens:
            if token.kind is Kind.QUOTED:
                names.append(token.text)
            elif token.text.strip(",") and not token.is_word("and"):
                raise GrammarError(
                    f'Put each name in quotes and separate them with commas, e.g. `"{token.text}"`.'
                )
        return [name for name in names if name]
    text = joined(tokens)
    return [_collapse(part) for part in text.split(",") if part.strip()]


def email_in(tokens: Sequence[Token]) -> int | None:
    """The index of the first token meant as an email address (whether valid or not), if any."""
    return next(
        (
            index
            for index, token in enumerate(tokens)
            if token.kind is Kind.EMAIL or (token.kind is Kind.WORD and "@" in token.text)
        ),
        None,
    )


def _split_at_last(
    tokens: Sequence[Token], words: tuple[str, ...], *, then: Kind | None
) -> int | None:
    """Index of the last of `words` such that every token after it is of kind `then`."""
    for index in range(len(tokens) - 1, -1, -1):
        token = tokens[index]
        if token.is_word(*words):
            rest = tokens[index + 1 :]
            if then is None or (
                rest and all(t.kind is then or t.is_word("and") or t.text == "," for t in rest)
            ):
                return index
    return None


def _split_at_first(tokens: Sequence[Token], words: tuple[str, ...]) -> int | None:
    return next((index for index, token in enumerate(tokens) if token.is_word(*words)), None)


def _require_name(name: Name | None, what: str = "Which partner?") -> Name:
    if name is None or not name.text:
        raise GrammarError(f"{what} Give the partner's name.")
    return name


def _as_typed(token: Token, line: str) -> str:
    """A token as it was typed: quotes kept (a closing one only if typed), a mention as
    `@name`, a channel as `#name`."""
    if token.kind is Kind.QUOTED:
        return unescape(line[token.start : token.end])
    if token.kind in (Kind.MENTION, Kind.CHANNEL):
        raw = line[token.start : token.end]
        mark = "@" if token.kind is Kind.MENTION else "#"
        return mark + (raw.split("|", 1)[1].rstrip(">") if "|" in raw else token.text)
    return token.text


def _typed(tokens: Sequence[Token], line: str) -> str:
    return " ".join(_as_typed(token, line) for token in tokens)


def _not_added(line: str, tokens: Sequence[Token], rest: Sequence[Token]) -> GrammarError:
    """Words `add` takes no clause from after the name; after an unquoted name, a keyword of
    other verbs ("with", "on" …) is likely part of the name: the line again, name quoted."""
    problem = f"I did not understand `{_typed(rest, line)}`."
    first = rest[0]
    if first.kind is Kind.CHANNEL:
        return GrammarError(MARKUP_IN_NAME)
    if first.kind is Kind.MENTION:
        # `add Oxfam @ben`: the owner, most likely, without the word.
        name = _typed(tokens[: len(tokens) - len(rest)], line)
        typed = ["/partner add", name, "owner", _typed(rest, line)]
        return GrammarError(f"{problem} To make them its owner, say `owner`: `{' '.join(typed)}`.")
    if first.kind is Kind.QUOTED and not _closed(line[first.start : first.end]):
        # `add 12" Records`: a quote mark in the name, which guillemets can hold.
        name = unescape(line[tokens[0].start : first.end])
        return GrammarError(
            f"The quote opened before `{first.text}` is never closed. If it is part of the "
            f"partner's name, put the whole name in « »: `/partner add «{name}»`."
        )
    if first.kind is Kind.COLON and tokens[0].kind is not Kind.QUOTED:
        # `add Acme: The Company`: a `:` ends a name (notes follow it in `log`).
        end = _first_clause(rest, 0)
        name = unescape(line[tokens[0].start : rest[end - 1].end])
        example = " ".join(["/partner add", quoted(name), _typed(rest[end:], line)]).rstrip()
        return GrammarError(
            f"A `:` ends a partner's name. If it is part of the name, put the name in quotes: "
            f"`{example}`."
        )
    word = first.keyword
    if word is None or tokens[0].kind is Kind.QUOTED:
        return GrammarError(problem)
    end = _first_clause(rest, 0)
    name = _typed(tokens[: len(tokens) - len(rest) + end], line)
    example = " ".join(["/partner add", quoted(name), _typed(rest[end:], line)]).rstrip()
    return GrammarError(
        f"{problem} If “{rest[0].text}” is part of the partner's name, put the name in quotes: "
        f"`{example}`."
    )


def _in_quotes(line: str, tokens: Sequence[Token], end: int, verb: str, tail: str = "") -> str:
    """The line again, as `/partner VERB …`, with `tokens[:end]` quoted as the name."""
    name = unescape(line[tokens[0].start : tokens[end - 1].end])
    typed = [f"/partner {verb}", quoted(name), _typed(tokens[end:], line)]
    return " ".join(typed).rstrip() + tail


def _name_at(tokens: Sequence[Token], words: tuple[str, ...]) -> int:
    """Where a name that may hold keywords likely ends: before the first of `words` after its
    first word, else before the first mention, channel or `:`."""
    for index, token in enumerate(tokens[1:], 1):
        if token.is_word(*words) or token.kind in (Kind.MENTION, Kind.CHANNEL, Kind.COLON):
            return index
    return len(tokens)


def require_name(
    name: Name | None,
    line: str,
    tokens: Sequence[Token],
    *,
    verb: str,
    ends_at: tuple[str, ...] = (),
    what: str = "Which partner?",
    tail: str = "",
) -> Name:
    """`name`, or what was wrong: none given, or (the line starting with a keyword) one that
    starts with a keyword and is not registered, which must be quoted. `tail`: what the line
    has after `tokens`, for the example (`log`'s notes)."""
    if name is not None and name.text:
        return name
    end = _name_at(tokens, ends_at) if tokens else 0
    # `log with @ben : …` lacks the name; `log On Point : …` may be one starting with `on`.
    if tokens and tokens[0].keyword is not None and any(t.keyword is None for t in tokens[1:end]):
        raise GrammarError(
            f"{what} Give the partner's name first; if it starts with “{tokens[0].text}”, put "
            f"it in quotes: `{_in_quotes(line, tokens, end, verb, tail)}`."
        )
    return _require_name(name, what)


def _open_quote_over(line: str, tokens: Sequence[Token], word: str, *, verb: str) -> None:
    """Refuse a name whose quote is never closed and ran over the word that follows it
    (`rename "Acme Org to Acme`): the line again, the quote closed before the last such word."""
    if not tokens or tokens[0].kind is not Kind.QUOTED:
        return
    first = tokens[0]
    if _closed(line[first.start : first.end]):
        return
    words = first.text.split(" ")
    at = max((i for i, w in enumerate(words) if i and w.lower() == word), default=None)
    if at is None or at == len(words) - 1:
        return
    name, after = " ".join(words[:at]), " ".join(words[at + 1 :])
    typed = " ".join([f"/partner {verb}", quoted(name), word, after, _typed(tokens[1:], line)])
    raise GrammarError(
        f"The quote opened before `{words[0]}` is never closed. Close it right after the name: "
        f"`{typed.rstrip()}`."
    )


def _missing_before(line: str, tokens: Sequence[Token], word: str, *, verb: str, what: str) -> None:
    """Refuse a line that starts with the word that must follow the partner's name, and has it
    nowhere else (`merge into Oxfam`, `rename to Oxfam`): the name is missing, and the line to
    type has it before the word. (`merge Into the Wild into Oxfam` is a name that starts with
    the word: `require_name` says to quote it.)"""
    if tokens and tokens[0].is_word(word) and not any(t.is_word(word) for t in tokens[1:]):
        typed = " ".join([f"/partner {verb} NAME", _typed(tokens, line)])
        raise GrammarError(f"{what} Give the partner's name before “{tokens[0].text}”: `{typed}`.")


def _keyword_after(
    line: str, tokens: Sequence[Token], name_used: int, *, verb: str, ends_at: tuple[str, ...]
) -> GrammarError:
    """A keyword right after an unquoted name, where the verb takes none: likely part of the
    name. What was read, and the line again with the name quoted."""
    word = tokens[name_used].text
    end = _name_at(tokens, ends_at)
    end = end if end > name_used else len(tokens)
    read = _typed(tokens[:name_used], line)
    return GrammarError(
        f"I read the partner's name as “{read}”. If “{word}” is part of the name, put the name "
        f"in quotes: `{_in_quotes(line, tokens, end, verb)}`."
    )


# --- Lines of each verb ----------------------------------------------------------------------


@dataclass(frozen=True)
class AddLine:
    name: Name
    owner_id: str | None
    aliases: tuple[str, ...]
    # The link in brackets after the name (`add MSF (msf.org)`), as typed.
    website: str | None = None
    deputy_id: str | None = None
    # Colleagues put on its team (`team @dan @eve`), in the order typed.
    team: tuple[str, ...] = ()


@dataclass(frozen=True)
class NameLine:
    """`show NAME`, `contacts NAME`."""

    name: Name


@dataclass(frozen=True)
class PersonLine:
    """`owner NAME @user`, `deputy NAME @user`."""

    name: Name
    user_id: str


class Change(StrEnum):
    ADD = "add"
    REMOVE = "remove"


@dataclass(frozen=True)
class ChangeLine:
    """`team NAME add|remove @user …` (user ids), `alias NAME add|remove "X", …` (aliases)."""

    name: Name
    change: Change
    items: tuple[str, ...]
    # False when the line left the change to be understood (`team MSF @dan`: add).
    said: bool = True


@dataclass(frozen=True)
class WordLine:
    """`status NAME WORD`, `list WORD`."""

    name: Name
    word: str


@dataclass(frozen=True)
class ChannelLine:
    name: Name
    # None: `none` — the partner's alerts go to the workspace's coordination channel again.
    channel_id: str | None


@dataclass(frozen=True)
class RenameLine:
    name: Name
    new_name: str


@dataclass(frozen=True)
class MergeLine:
    duplicate: Name
    kept: Name


@dataclass(frozen=True)
class ContactLine:
    name: Name
    person: str
    email: str | None
    title: str | None
    change: Change = Change.ADD


ADD_CLAUSES = ("owner", "aka")
# Clauses of `add` that take people and are no keyword of the language: `deputy` and `team`
# start a clause where a mention follows them, or after another clause of people (`owner @ana
# deputy ben` is the deputy misspelt, not the owner's name), so "Team Rubicon" and "Deputy
# Ministers' Forum" stay names.
PEOPLE_CLAUSES = ("owner", "deputy", "team")


def _add_clause(
    tokens: Sequence[Token], at: int, *, after: str | None = None, me: str | None = None
) -> str | None:
    """The clause of `add` that `tokens[at]` starts, if any; `after`: the clause it stands in;
    `me`: who typed the line (`deputy me` starts a clause then)."""
    token = tokens[at]
    if token.keyword in ADD_CLAUSES:
        return token.keyword
    if not token.is_word("deputy", "team"):
        return None
    after_colon = at + 2 if at + 1 < len(tokens) and tokens[at + 1].kind is Kind.COLON else at + 1
    follows = tokens[after_colon] if after_colon < len(tokens) else None
    person = follows is not None and (
        follows.kind is Kind.MENTION or (me is not None and follows.is_word(ME))
    )
    if person or after in PEOPLE_CLAUSES:
        return token.text.lower()
    return None


def _first_clause(
    tokens: Sequence[Token], start: int = 1, *, after: str | None = None, me: str | None = None
) -> int:
    """Where the first clause of `add` from `tokens[start]` on begins (else the end)."""
    return next(
        (at for at in range(start, len(tokens)) if _add_clause(tokens, at, after=after, me=me)),
        len(tokens),
    )


# What `add` calls the people each clause of people takes, in its errors.
_CLAUSE_PEOPLE = {"owner": "owner", "deputy": "deputy", "team": "colleagues"}


def _is_person(token: Token, me: str | None) -> bool:
    return token.kind is Kind.MENTION or (me is not None and token.is_word(ME))


def _clause_in_name(tokens: Sequence[Token], used: int) -> int | None:
    """Where a clause of people likely stands inside an unquoted name of `add`: `deputy` or
    `team`, in any case, after the name's first word and before a word (`Acme deputy ben`,
    `Acme Deputy Ben`: the `@` forgotten). "Team Rubicon" stays a name; "Red Team Forum" is
    quoted, as the refusal says."""
    for at in range(1, used - 1):
        word, follows = tokens[at], tokens[at + 1]
        # In "Red Team Deputy Forum", `Deputy` starts the clause: `team` takes no `Deputy`.
        if (
            word.is_word("deputy", "team")
            and follows.kind is Kind.WORD
            and not follows.is_word("deputy", "team")
        ):
            return at
    return None


def _not_a_person(
    line: str, tokens: Sequence[Token], at: int, end: int, *, me: str | None, quote: bool
) -> GrammarError:
    """`tokens[at]` starts a clause of people (to `end`) with a word that is no mention: how to
    name the person with `@` and, with `quote` (the clause right after an unquoted name), how
    to keep the words in the name. Nothing is saved."""
    clause = tokens[at].text.lower()
    body = [t for t in tokens[at + 1 : end] if t.kind is not Kind.COLON]
    bad = next(t for t in body if not (_is_person(t, me) or t.is_word("and") or t.text == ","))
    head = _typed(tokens[:at], line)
    tail = _typed(tokens[end:], line)
    if clause == "deputy" and len(body) == 1 and bad.is_word(*NO_DEPUTY):
        # `add Iota deputy none`: a new partner has no deputy until one is named.
        fix = (
            f"a new partner has no deputy until you name one, so leave `deputy {bad.text}` "
            f"out: `{' '.join(['/partner add', head, tail]).rstrip()}`."
        )
    elif clause == "team" and _side_by_side(body):
        # `team Ben Smith`: one colleague or two, whose handles no word tells (`pick_each`).
        people, others = _picked(body, line)
        typed = " ".join(["/partner add", head, tokens[at].text, people, tail]).rstrip()
        fix = f"{_PICK_OTHERS if others else _PICK_EACH}, e.g. `{typed}`."
    else:
        # On a team, each plain word is a colleague of its own (`ben and @dan`: `@ben and @dan`).
        each = clause == "team"
        people = _with_at(body, line, each=each)
        typed = " ".join(["/partner add", head, tokens[at].text, people, tail]).rstrip()
        fix = f"name the {_CLAUSE_PEOPLE[clause]} with `@`, e.g. `{typed}`."
    plain = [t.text.rstrip(",") for t in body if _unmarked(t)]
    named = plain if clause == "team" and _unmarked(bad) else [bad.text]
    said = f"{_not_mentions(named)}: {fix}"
    if quote:
        name = unescape(line[tokens[0].start : tokens[end - 1].end])
        example = " ".join(["/partner add", quoted(name), tail]).rstrip()
        said += (
            f" If “{_typed(tokens[at:end], line)}” is part of the partner's name, put the name "
            f"in quotes: `{example}`."
        )
    return GrammarError(said + " Nothing was saved.")


def parse_add(text: str, *, known: KnownNames | None = None, me: str | None = None) -> AddLine:
    """`NAME [(website)] [owner @u] [deputy @u] [team @u …] [aka "X", "Y"]`, clauses in any
    order; the website may also end the line, after a clause (`aka "D" (delta.org)`). `me`:
    who typed the line, whom the word `me` stands for among the people. A clause of people
    without its `@` inside an unquoted name (`Acme deputy ben`) is refused, unless a partner
    goes by those words (`known`)."""
    tokens = tokenize(text)
    if tokens and tokens[0].kind in (Kind.MENTION, Kind.CHANNEL):
        raise GrammarError(MARKUP_IN_NAME)
    # Nothing but the name stands first: a first word that is a keyword of other verbs (`add
    # With Love`, `add Into the Wild`) starts it.
    open_start = bool(tokens) and tokens[0].keyword not in ADD_CLAUSES
    # `deputy @ben` and `team @dan` end the name as `owner` does.
    name, used = take_name(tokens[: _first_clause(tokens, me=me)], open_start=open_start)
    if name is None and len(tokens) == 1 and not open_start:
        # `add Owner`: a clause's word alone can only be the name.
        raise GrammarError(
            f"What is the partner called? If it is “{tokens[0].text}”, put the name in quotes: "
            f"`/partner add {quoted(tokens[0].text)}`."
        )
    name = require_name(
        name, text, tokens, verb="add", ends_at=ADD_CLAUSES, what="What is the partner called?"
    )
    if tokens[0].kind is not Kind.QUOTED:
        inside = _clause_in_name(tokens, used)
        if inside is not None and not _registered(known, tokens[:used]):
            # `Acme deputy ben (acme.org)`: the website is no part of the clause.
            end = used - 1 if _bracketed_address(tokens[used - 1 : used]) else used
            raise _not_a_person(text, tokens, inside, max(end, inside + 2), me=me, quote=True)
    if tokens[0].kind is Kind.QUOTED:
        # `"Acme Org" (acme.org)`: the website follows the quoted name, before any clause.
        end = _first_clause(tokens, me=me)
        website = _bracketed_address(tokens[1:end])
        if website is not None:
            used = end
    else:
        name, website = _website_after(name, tokens[:used])
        if website is None:
            name, website = _address_ending(name, tokens[:used])
        name = _without_trailing_comma(name)
    owner_id: str | None = None
    deputy_id: str | None = None
    team: list[str] = []
    aliases: list[str] = []
    rest = tokens[used:]
    clause: str | None = None
    while rest:
        first = clause is None
        clause = _add_clause(rest, 0, after=clause, me=me)
        end = _first_clause(rest, after=clause, me=me)
        # `owner: @ana`, as in a form.
        skip = 2 if clause and end > 1 and rest[1].kind is Kind.COLON else 1
        body, address = _website_at_end(rest[skip:end])
        if address is not None:
            if website is not None:
                raise GrammarError(
                    "Give one website, in brackets after the name, e.g. "
                    '`/partner add Acme (acme.org) aka "AC"`.'
                )
            website = address
        if clause in PEOPLE_CLAUSES and any(
            not (_is_person(t, me) or t.is_word("and") or t.text == ",") for t in body
        ):
            # `add Acme owner ben`: the `@` forgotten, or words of the name.
            at = len(tokens) - len(rest)
            # The words may be part of the name only where none is a mention.
            quote = (
                first
                and tokens[0].kind is not Kind.QUOTED
                and skip == 1
                and all(t.kind is not Kind.MENTION for t in body)
            )
            raise _not_a_person(text, tokens, at, at + skip + len(body), me=me, quote=quote)
        if clause in ("owner", "deputy"):
            people = mentions(body, what=clause, me=me)
            if len(people) != 1:
                raise GrammarError(f"`{clause}` takes one person, e.g. `{clause} @ana`.")
            if (owner_id if clause == "owner" else deputy_id) is not None:
                raise GrammarError(
                    f"Name exactly one {clause}: `{clause}` comes once, e.g. `{clause} @ana`."
                )
            if clause == "owner":
                owner_id = people[0]
            else:
                deputy_id = people[0]
        elif clause == "team":
            people = mentions(body, what="colleagues", me=me)
            if not people:
                raise GrammarError("`team` takes colleagues with `@`, e.g. `team @dan @eve`.")
            team += people
        elif clause == "aka":
            aliases += name_list(body)
            if not body:
                raise GrammarError('`aka` takes the other names in quotes, e.g. `aka "MSF"`.')
        elif rest[0].is_word("deputy", "team") and len(rest) > skip:
            # `add "Acme" team Ben Dan`: past the name's end, the clause, its `@` forgotten.
            at = len(tokens) - len(rest)
            upto = _first_clause(rest, after=rest[0].text.lower(), me=me)
            raise _not_a_person(text, tokens, at, at + upto, me=me, quote=False)
        else:
            raise _not_added(text, tokens, rest)
        rest = rest[end:]
    return AddLine(
        name=name,
        owner_id=owner_id,
        aliases=tuple(aliases),
        website=website,
        deputy_id=deputy_id,
        team=tuple(dict.fromkeys(team)),
    )


def _website_after(name: Name, words: Sequence[Token]) -> tuple[Name, str | None]:
    """`MSF (msf.org)`: one address in brackets ending the name is the partner's website rather
    than part of its name. Slack sends a domain typed there as a link, or, when it leaves it
    as text, it reads as an address (`acme.org`, `www.acme.io`, `https://acme.org`); `MSF
    (Holland)`, `Acme (2024)` or `Acme (formerly Zeta)` keep their brackets."""
    if not words or words[0].kind is Kind.QUOTED:
        return name, None
    closing = words[-1]
    opened = next(
        (at for at in reversed(range(len(words))) if _is_word(words[at]) and "(" in words[at].text),
        None,
    )
    if opened is None or not _is_word(closing) or not closing.text.endswith(")"):
        return name, None
    opening = words[opened]
    head, _, first = opening.text.rpartition("(")
    if opening is closing:
        inside = [replace(closing, text=first[:-1])]
    else:
        inside = [
            replace(opening, text=first),
            *words[opened + 1 : -1],
            replace(closing, text=closing.text[:-1]),
        ]
    address = [token for token in inside if token.text]
    if len(address) != 1 or not _names_website(address[0]):
        return name, None
    before = list(words[:opened])
    if head:
        before.append(replace(opening, text=head, end=opening.start + len(escape(head))))
    if not before:
        return name, None
    return Name(joined(before), before[0].start, before[-1].end), address[0].text


# Words that may introduce a website ending a partner's name: `add Acme website acme.org`.
_WEBSITE_WORDS = ("website", "site", "web", "url")


def _address_ending(name: Name, words: Sequence[Token]) -> tuple[Name, str | None]:
    """`Plan International https://plan-international.org`, `Acme website acme.org`: an address
    ending the name that is plainly one (a scheme or `www.`), or that a word such as "website"
    introduces, is the partner's website. A name that only holds a domain ("Booking.com",
    "Acme Booking.com") stays a name."""
    if len(words) < 2:
        return name, None
    introduced = words[-2].is_word(*_WEBSITE_WORDS)
    if not _names_website(words[-1], introduced=introduced):
        if _address_without_dot(words):
            # `add Initech website initech`: an address without its dot would be saved as
            # words of the name ("Initech website initech").
            raise _no_website(words[:-2], words[-1].text, introducer=words[-2].text)
        return name, None
    address = words[-1].text
    before = list(words[:-1])
    if introduced:
        before.pop()
    elif not address.lower().startswith(("http://", "https://", "www.")):
        return name, None
    if not before:
        return name, None
    return Name(joined(before), before[0].start, before[-1].end), address


def _address_without_dot(words: Sequence[Token]) -> bool:
    """`Initech website initech` (or `Website`, `WEBSITE`): the word website, then a lower-case
    word, reads as an address typed without its ending; a name in its own letters (`Acme
    Website Design`) keeps its words."""
    introducer, typed = words[-2], words[-1]
    return (
        len(words) > 2
        and introducer.is_word("website")
        and _is_word(typed)
        and typed.text.islower()
        and "." not in typed.text
    )


def _no_website(before: Sequence[Token], typed: str, *, introducer: str) -> GrammarError:
    """`website initech` ending an `add` line (`introducer`: the word website as typed): no
    address, so neither website nor name."""
    partner = joined(list(before))
    example = f"/partner add {partner} website {typed.rstrip('.').lower()}.com"
    whole = f"{partner} {introducer} {typed}"
    return GrammarError(
        f"`{typed}` is not a website: give the address with its dot after `website`, e.g. "
        f"`{example}`. If “{whole}” is the partner's name, put it in quotes: "
        f"`/partner add {quoted(whole)}`. Nothing was saved."
    )


def _without_trailing_comma(name: Name) -> Name:
    """`add Red Cross, owner @ben`: the comma before a clause is no part of the name."""
    text = name.text.rstrip(",")
    if text == name.text or not text.strip():
        return name
    return Name(text.rstrip(), name.start, name.end - (len(name.text) - len(text)))


def _website_at_end(words: Sequence[Token]) -> tuple[Sequence[Token], str | None]:
    """A clause of `add` ending in a website in brackets (`aka "D" (delta.org)`): the clause
    without it, and the address; else the clause as it was, and None."""
    for at in reversed(range(len(words))):
        if _is_word(words[at]) and words[at].text.startswith("("):
            address = _bracketed_address(words[at:])
            return (words[:at], address) if address is not None else (words, None)
    return words, None


def _bracketed_address(words: Sequence[Token]) -> str | None:
    """The address of `(acme.org)` (one address in brackets, and nothing else), else None."""
    if not words or not _is_word(words[0]) or not _is_word(words[-1]):
        return None
    if not words[0].text.startswith("(") or not words[-1].text.endswith(")"):
        return None
    if len(words) == 1:
        inside = [replace(words[0], text=words[0].text[1:-1])]
    else:
        inside = [
            replace(words[0], text=words[0].text[1:]),
            *words[1:-1],
            replace(words[-1], text=words[-1].text[:-1]),
        ]
    address = [token for token in inside if token.text]
    if len(address) != 1 or not _names_website(address[0]):
        return None
    return address[0].text


def _is_word(token: Token) -> bool:
    return token.kind is Kind.WORD


def _names_website(token: Token, *, introduced: bool = False) -> bool:
    return token.kind is Kind.LINK or (
        _is_word(token) and reads_as_website(token.text, introduced=introduced)
    )


def parse_name(text: str, *, of: KnownNames | None = None) -> NameLine:
    """`NAME` — the whole line; with `of`, `of NAME` too (`owner of MSF`), unless a partner
    registered by `of` goes by the whole line ("Of Montreal")."""
    tokens = tokenize(text)
    start = _of_before(tokens, of) if of is not None else 0
    return NameLine(name=_require_name(whole_name(tokens[start:])))


def parse_person(
    text: str,
    *,
    role: str,
    known: KnownNames | None = None,
    instead: str = "",
    me: str | None = None,
) -> PersonLine:
    """`[of] NAME [to|is] @user`; with `known`, a registered name with keywords in it is read
    whole (`take_name`), and one that starts with `of` or ends with `is` or `me` keeps those
    words. `me`: who typed the line, whom the word `me` stands for. `instead`: what else the
    verb takes, for the error without a person."""
    tokens = tokenize(text)
    if len(tokens) > 1 and tokens[0].kind is Kind.MENTION:
        # `owner @chloe MSF`: the person before the partner.
        typed = [f"/partner {role}", _typed(tokens[1:], text), _as_typed(tokens[0], text)]
        raise GrammarError(f"Name the partner first, then the {role}: `{' '.join(typed)}`.")
    start = _of_before(tokens, known)
    name, used = take_name(tokens[start:], known=known)
    name = require_name(name, text, tokens[start:], verb=role)
    cut = _connective_after(tokens, start, start + used, known, me=me)
    if cut < start + used:
        name = Name(joined(tokens[start:cut]), tokens[start].start, tokens[cut - 1].end)
    used = cut
    rest = tokens[used:]
    if rest and rest[0].is_word("to", "is"):
        rest = rest[1:]
    # Where the partner's name ends when words, not a mention, name the person after it:
    # `owner "Oxfam" ben`, `owner Oxfam to ben`, or `owner Oxfam ben` read as one name.
    partner = len(tokens)
    # `owner Oxfam GB is`: "is" joins the partner to a person not named yet, so every word
    # before it is the partner's name, whichever partners are registered.
    dangling_is = (
        not rest
        and used - start > 1
        and tokens[used - 1].is_word("is")
        and tokens[start].kind is not Kind.QUOTED
        and not _registered(known, tokens[start:used])
    )
    if rest and (tokens[start].kind is Kind.QUOTED or _registered(known, tokens[start:used])):
        partner = used
    elif not rest and not dangling_is:
        partner = start + (_registered_start(known, tokens[start:used]) or len(tokens))
    # Words straight after an unquoted name may be the rest of a partner's name ("Oxfam Intl",
    # "MSF Spain" with only Oxfam or MSF registered), not a person: only a `to`, `is` or quotes
    # set them apart for sure.
    apart = tokens[start].kind is Kind.QUOTED or (
        partner < len(tokens) and tokens[partner].is_word("to", "is")
    )
    unmarked = _unmarked_person(tokens[partner:], me=me)
    if not apart and not reads_as_handle([token.text for token in unmarked]):
        unmarked = []
    if unmarked:
        # The partner, then someone without the `@` (`owner Oxfam ben`, the `@` forgotten).
        example = f"/partner {role} {in_command(joined(tokens[start:partner]))}"
        example += f" {_with_at(unmarked[:1], text)}"
        said = _typed(unmarked, text)
        raise GrammarError(not_a_mention(said, who=role, example=example, instead=instead))
    if (
        rest
        and rest[0].kind is Kind.WORD
        and not rest[0].is_word(ME)
        and tokens[used].keyword is not None
    ):
        # `owner Doctors on Call @ben`, the partner not registered so.
        raise _keyword_after(text, tokens, used, verb=role, ends_at=())
    people = mentions(rest, what=role, me=me)
    if not people:
        # `owner Oxfam GB is`: the partner, and no one after it ("is" joins no one to it).
        if dangling_is:
            name = Name(joined(tokens[start : used - 1]), name.start, tokens[used - 2].end)
        raise GrammarError(
            f"Who should be the {role} of “{name.text}”? Name exactly one {role} with `@` after "
            f"the partner's name, e.g. `/partner {role} {in_command(name.text)} @ana` (`me` for "
            f"yourself){instead}."
        )
    if len(people) != 1:
        raise GrammarError(f"Name exactly one {role} with `@`, e.g. `@ana`{instead}.")
    return PersonLine(name=name, user_id=people[0])


def _registered(known: KnownNames | None, tokens: Sequence[Token]) -> bool:
    """Whether a partner goes by exactly the words of `tokens` (never, without `known`)."""
    if known is None or not tokens or any(t.kind not in (Kind.WORD, Kind.LINK) for t in tokens):
        return False
    return known([joined(tokens)]) == 0


def _unmarked_person(tokens: Sequence[Token], *, me: str | None) -> list[Token]:
    """The words after a partner's name (a `to` or `is` before them aside) when they read as
    a person named without the `@` (`ben`, `Ben Smith`): words alone, the first a name's, no
    mention among them; else none."""
    if tokens and tokens[0].is_word("to", "is"):
        tokens = tokens[1:]
    if (
        not tokens
        or not tokens[0].text[:1].isalpha()
        or any(token.kind is not Kind.WORD or _is_person(token, me) for token in tokens)
    ):
        return []
    return list(tokens)


def reads_as_handle(words: Sequence[str]) -> bool:
    """Whether plain words typed straight after a known partner's name (`owner Oxfam ben`) read
    as a colleague named without the `@` rather than as the rest of a longer partner's name
    ("Oxfam Intl", "Oxfam GB", "MSF Spain", "Oxfam Ben Smith"): the first in lower case, as Slack
    writes handles, and none an organisation word, a country by code or name, as
    `bot.naming.sibling_offices` reads them ("Oxfam india", "Plan south africa"), or capitals
    ("MSF")."""
    return (
        bool(words)
        and words[0][:1].islower()
        and not _names_a_country(words)
        and not any(
            word.lower() in ORGANISATION_WORDS
            or word.lower() in COUNTRY_CODES
            or (len(word) > 1 and word.isupper())
            for word in words
        )
    )


def _names_a_country(words: Sequence[str]) -> bool:
    """Whether some of `words`, one after another, name a country (`COUNTRY_NAMES`, read as
    `normalize_name` writes them: "España" is "espana")."""
    keys = normalize_name(" ".join(words)).split()
    return any(
        " ".join(keys[start:end]) in COUNTRY_NAMES
        for start in range(len(keys))
        for end in range(start + 1, len(keys) + 1)
    )


def _registered_start(known: KnownNames | None, tokens: Sequence[Token]) -> int | None:
    """How many of the unquoted words of `tokens`, which no partner goes by, a partner's name
    takes (the most that do); None when no partner goes by fewer of them either."""
    if (
        known is None
        or len(tokens) < 2
        or any(token.kind is not Kind.WORD for token in tokens)
        or _registered(known, tokens)
    ):
        return None
    counts = range(len(tokens) - 1, 0, -1)
    picked = known([joined(tokens[:count]) for count in counts])
    return None if picked is None else counts[picked]


def _of_before(tokens: Sequence[Token], known: KnownNames | None) -> int:
    """1 when the line starts `of NAME` (`owner of Oxfam GB @dan`) and no partner goes by a name
    that starts with that "of" ("Of Montreal"); else 0."""
    if len(tokens) < 2 or not tokens[0].is_word("of"):
        return 0
    if tokens[1].kind is Kind.QUOTED:
        return 1
    name, used = take_name(tokens, known=known)
    return 0 if name is not None and _registered(known, tokens[:used]) else 1


def _connective_after(
    tokens: Sequence[Token], start: int, end: int, known: KnownNames | None, *, me: str | None
) -> int:
    """Where an unquoted name read as `tokens[start:end]` ends once the words that join it to
    the person are taken off: `owner Oxfam GB is @dan`, `owner Oxfam me`, `owner Oxfam is me`;
    a partner registered with those words in its name keeps them."""
    if (
        end - start < 2
        or tokens[start].kind is Kind.QUOTED
        or _registered(known, tokens[start:end])
    ):
        return end
    cut = end
    if me is not None and cut == len(tokens) and tokens[cut - 1].is_word(ME):
        cut -= 1
    has_person = cut < len(tokens) and (tokens[cut].kind is Kind.MENTION or tokens[cut].is_word(ME))
    if has_person and cut - start > 1 and tokens[cut - 1].is_word("is"):
        cut -= 1
    return cut if cut < end and cut > start else end


# What `deputy NAME …` takes instead of a person to leave the partner without a deputy, and
# how its answers say so after the person's example.
NO_DEPUTY = ("none", "clear", "nobody", "remove")
NO_DEPUTY_INSTEAD = ", or `none` for no deputy"


@dataclass(frozen=True)
class DeputyLine:
    """`deputy NAME @user`, or `deputy NAME none` (user_id None)."""

    name: Name
    user_id: str | None


def parse_deputy(
    text: str, *, known: KnownNames | None = None, me: str | None = None
) -> DeputyLine:
    """`NAME [to] @user` (`parse_person`), or `NAME none|clear|nobody|remove`; a partner whose
    registered name ends in such a word ("Friends of Remove") is that partner, alone."""
    tokens = tokenize(text)
    if len(tokens) > 1 and tokens[-1].is_word(*NO_DEPUTY) and not _registered(known, tokens):
        start = _of_before(tokens[:-1], known) if len(tokens) > 2 else 0
        return DeputyLine(name=_require_name(whole_name(tokens[start:-1])), user_id=None)
    line = parse_person(text, role="deputy", known=known, instead=NO_DEPUTY_INSTEAD, me=me)
    return DeputyLine(name=line.name, user_id=line.user_id)


def parse_team(
    text: str, *, known: KnownNames | None = None, me: str | None = None
) -> ChangeLine | NameLine:
    """`NAME add|remove @user …` — the last add/remove followed only by mentions; `NAME @user
    …`, people straight after the name, adds them; `NAME` alone (no add, remove or mention),
    to see the team. `+@user` adds and `-@user` removes; with `me` (who typed the line), the
    word `me` among the people stands for them. With `known`, a registered name ending in
    `add` or `remove` ("Friends of Add") is read whole."""
    tokens = _as_people(_change_words(_signs(tokenize(text)), known), me, known=known)
    split = _split_at_last(tokens, ("add", "remove"), then=Kind.MENTION)
    if split is not None and _registered(known, tokens[: split + 1]):
        # `team Friends of Add @dan`: the partner "Friends of Add", people after its name.
        split = None
    said = _split_at_last(tokens, ("add", "remove"), then=None)
    people_from = _trailing_mentions(tokens)
    if split is None and said is not None and people_from is not None and said + 1 < people_from:
        _no_mention_after(text, tokens, said)  # `team MSF add ben @dan`
    if split is None and people_from is not None:
        return ChangeLine(
            name=_require_name(whole_name(tokens[:people_from])),
            change=Change.ADD,
            items=tuple(dict.fromkeys(mentions(tokens[people_from:]))),
            said=False,
        )
    if split is None and said is None and all(t.kind is not Kind.MENTION for t in tokens):
        return NameLine(name=_require_name(whole_name(tokens)))
    if split is None and said and said == len(tokens) - 1:
        word = tokens[said].text.lower()
        people_at = _trailing_mentions(tokens[:said])
        if people_at is not None:
            # `team MSF @dan remove`: the word goes before the people.
            partner = _typed(tokens[:people_at], text)
            people = _typed(tokens[people_at:said], text)
            raise GrammarError(
                f"Put `{word}` before the people: `/partner team {partner} {word} {people}`."
            )
        partner = in_command(_typed(tokens[:said], text))
        raise GrammarError(
            f"Who? Name the colleagues after `{word}` with `@`, e.g. "
            f"`/partner team {partner} {word} @ben`."
        )
    if split is None and said:
        _no_mention_after(text, tokens, said)  # `team MSF add ben`
    if split is None:
        raise GrammarError("Say `add` or `remove` and then the people, e.g. `add @ben @dan`.")
    name = _require_name(whole_name(tokens[:split]))
    return ChangeLine(
        name=name,
        change=Change(tokens[split].text.lower()),
        items=tuple(dict.fromkeys(mentions(tokens[split + 1 :]))),
    )


def _no_mention_after(line: str, tokens: Sequence[Token], said: int) -> None:
    """`team NAME add|remove` (at `said`) followed by people of whom one is no mention: which,
    and the line with the `@` a plain word lacks."""
    body = tokens[said + 1 :]
    at = next(
        (
            at
            for at, t in enumerate(body)
            if not (t.kind is Kind.MENTION or t.is_word("and") or t.text == ",")
        ),
        None,
    )
    if at is None or body[at].kind is not Kind.WORD or not body[at].text[:1].isalpha():
        mentions(body)  # says what it is (a quoted name, a channel)
        return
    named = [t.text.rstrip(",") for t in body[at:] if _unmarked(t)]
    word = tokens[said].text.lower()
    partner = _typed(tokens[:said], line)
    if _side_by_side(body[at:]):
        # `Ben Smith`: one colleague or two, whose handles no word tells (`pick_each`).
        people, others = _picked(body, line)
        example = f"/partner team {partner} {word} {people}"
        raise GrammarError(pick_each(named, example=example, others=others))
    # A colleague on a team is a Slack person, whom a mention names by one handle: each plain
    # word apart is one (`ben and @dan`: `@ben and @dan`), as a handle is written.
    example = f"/partner team {partner} {word} {_with_at(body, line, each=True)}"
    raise GrammarError(not_a_mention(named, who="colleagues", example=example))


# `team MSF +@ben`, `team MSF -@ben`: a sign before the people says the change.
_SIGNS = {"+": Change.ADD, "-": Change.REMOVE}


# Words people use for `add` and `remove` before the people (`team MSF delete @ben`).
_CHANGE_WORDS = {
    **dict.fromkeys(("invite", "include", "plus"), Change.ADD),
    **dict.fromkeys(("delete", "del", "drop", "rm", "kick", "minus"), Change.REMOVE),
}


def _change_words(
    tokens: Sequence[Token], known: KnownNames | None, *, before: Kind = Kind.MENTION
) -> list[Token]:
    """`tokens` with a word for `add` or `remove` (`_CHANGE_WORDS`) after the name and before a
    mention (`before`: a quoted alias) read as that change, where the line says neither and no
    partner's name ends in that word ("Beat Drop")."""
    if any(token.is_word(*Change) for token in tokens):
        return list(tokens)
    for at, token in enumerate(tokens[1:-1], start=1):
        change = _CHANGE_WORDS.get(token.text.lower()) if token.kind is Kind.WORD else None
        following = tokens[at + 1]
        me = before is Kind.MENTION and following.is_word(ME)
        if change is None or not (following.kind is before or me):
            continue
        if _registered(known, tokens[: at + 1]):
            break
        return [*tokens[:at], replace(token, text=change.value), *tokens[at + 1 :]]
    return list(tokens)


def _signs(tokens: Sequence[Token]) -> list[Token]:
    """`tokens` with a `+` or `-` before a mention read as `add` or `remove`; the same sign again
    before each of the others (`+@ben +@dan`) is dropped."""
    read: list[Token] = []
    said: Change | None = None
    for at, token in enumerate(tokens):
        following = tokens[at + 1] if at + 1 < len(tokens) else None
        if (
            token.kind is Kind.WORD
            and token.text in _SIGNS
            and following is not None
            and (following.kind is Kind.MENTION or following.is_word(ME))
        ):
            change = _SIGNS[token.text]
            if said is None:
                said = change
                read.append(replace(token, text=change.value))
            elif change is not said:
                raise GrammarError(
                    "Add and take off people in two lines, e.g. `/partner team MSF +@ben` and "
                    "then `/partner team MSF -@dan`."
                )
            continue
        read.append(token)
    return read


def _as_people(
    tokens: list[Token], me: str | None, *, known: KnownNames | None = None
) -> list[Token]:
    """`tokens` with the word `me` read as a mention of `me` (who typed the line) where it
    stands among the people ending the line: after `add`/`remove`, beside a mention, or alone
    straight after a registered name (`team Oxfam me`, with `known`). "Save Me", a name alone,
    stays a name: unless a partner goes by the words before `me` and none by the whole line."""
    if me is None:
        return tokens
    start = len(tokens)
    while start > 0 and (
        tokens[start - 1].kind is Kind.MENTION
        or tokens[start - 1].is_word(ME, "and")
        or tokens[start - 1].text == ","
    ):
        start -= 1
    run = tokens[start:]
    after_change = start > 0 and tokens[start - 1].is_word("add", "remove")
    if not any(t.is_word(ME) for t in run) or not (
        after_change
        or any(t.kind is Kind.MENTION for t in run)
        or (_registered(known, tokens[:start]) and not _registered(known, tokens))
    ):
        return tokens
    return [
        *tokens[:start],
        *(replace(t, kind=Kind.MENTION, text=me) if t.is_word(ME) else t for t in run),
    ]


def _trailing_mentions(tokens: Sequence[Token]) -> int | None:
    """Where the mentions that end `tokens` begin (commas and `and` before and between them,
    `MSF and @dan`, belong to them), when a name and no other mention comes before them; else
    None."""
    start = len(tokens)
    while start > 0 and (
        tokens[start - 1].kind is Kind.MENTION
        or tokens[start - 1].is_word("and")
        or tokens[start - 1].text == ","
    ):
        start -= 1
    if start == 0 or start == len(tokens):
        return None
    if any(token.kind in (Kind.MENTION, Kind.CHANNEL) for token in tokens[:start]):
        return None
    return start


# Words between a partner's name and its status (`status MSF to active`).
_STATUS_JOINERS = ("to", "is", "=", "->", "→")
# Words people use for a status, and the status each stands for; `inactive` for either.
STATUS_MEANT = {
    **dict.fromkeys(("lead", "potential", "prospective", "pipeline", "new"), ("prospect",)),
    **dict.fromkeys(("live", "ongoing", "current", "signed", "open", "running"), ("active",)),
    **dict.fromkeys(("hold", "on hold", "pause", "suspended", "frozen", "stalled"), ("paused",)),
    **dict.fromkeys(
        ("archived", "archive", "closed", "close", "end", "finished", "over", "terminated"),
        ("ended",),
    ),
    "inactive": ("paused", "ended"),
}


def parse_status(text: str, statuses: Sequence[str]) -> WordLine:
    """`NAME [to] STATUS` — the last word is the status. A word people use for one (`on hold`,
    `archived`) is answered with the line that sets it."""
    tokens = tokenize(text)
    if len(tokens) < 2:
        raise GrammarError(f"Give the partner's name and then its status: {'|'.join(statuses)}.")
    word = tokens[-1].text.lower()
    typed, cut = tokens[-1].text, len(tokens) - 1
    if word == "hold" and cut > 1 and tokens[-2].is_word("on"):
        typed, word, cut = f"{tokens[-2].text} {typed}", "on hold", cut - 1
    if cut > 1 and tokens[cut - 1].is_word(*_STATUS_JOINERS):
        cut -= 1
    name = _require_name(whole_name(tokens[:cut]))
    if tokens[-1].kind is not Kind.WORD or word not in statuses:
        problem = f"`{typed}` is not a status; it can be {', '.join(statuses)}."
        meant = STATUS_MEANT.get(word, ())
        if meant:
            lines = " or ".join(
                f"`/partner status {in_command(name.text)} {status}`" for status in meant
            )
            problem += f" Did you mean {lines}?"
        raise GrammarError(problem)
    return WordLine(name=name, word=word)


# Words that give up a channel of one's own: a partner's alerts go back to the workspace's
# channel, the workspace's to the server's default.
NO_CHANNEL_WORDS = ("none", "default")
# A channel typed by name is kept and posted to as `#name`: it must fit where ids are kept.
MAX_CHANNEL_REF = 32
ONE_CHANNEL = "Give one channel, picked from the list Slack offers as you type `#`."


def channel_of(token: Token | None) -> str:
    """The channel `token` stands for: its id when Slack escaped it (picked from the list), or
    a typed `#name` Slack left as it was, as `#name` (Slack posts to a public channel by name).
    Raises GrammarError for anything else, and for a name too long to keep."""
    if token is not None and token.kind is Kind.CHANNEL:
        return token.text
    if token is None:
        raise GrammarError("Give a channel: pick one from the list Slack offers as you type `#`.")
    named = _CHANNEL_NAME.match(token.text.lower()) if token.kind is Kind.WORD else None
    if named is None:
        raise GrammarError(
            f"`{token.text}` is not a channel: pick one from the list Slack offers as you type `#`."
        )
    if len(named.group(0)) > MAX_CHANNEL_REF:
        raise GrammarError(
            f"`{token.text}` is a longer name than I can keep: pick the channel from the list "
            "Slack offers as you type `#`, so I get its id."
        )
    return named.group(0)


def channel_choice(tokens: Sequence[Token]) -> str | None:
    """The one channel ending `channel NAME …` and `config channel …`, which take the same forms:
    picked from Slack's list (`<#C123|name>`: its id), typed (`#name`: kept by name), or
    `none`/`default` (None: no channel of its own)."""
    if len(tokens) > 1:
        raise GrammarError(ONE_CHANNEL)
    if tokens and tokens[0].is_word(*NO_CHANNEL_WORDS):
        return None
    return channel_of(tokens[0] if tokens else None)


def _is_channel(token: Token) -> bool:
    return token.kind is Kind.CHANNEL or (
        token.kind is Kind.WORD and _CHANNEL_NAME.match(token.text.lower()) is not None
    )


def parse_channel(text: str) -> ChannelLine:
    """`NAME #channel` — picked from Slack's list or typed — or `NAME none` to go back to the
    workspace's channel (`channel_choice`)."""
    tokens = tokenize(text)
    picked = sum(token.kind is Kind.CHANNEL for token in tokens)
    if picked > 1 or (len(tokens) > 1 and all(_is_channel(token) for token in tokens[-2:])):
        raise GrammarError(ONE_CHANNEL)
    channel_id = channel_choice(tokens[-1:])
    return ChannelLine(name=_require_name(whole_name(tokens[:-1])), channel_id=channel_id)


def parse_alias(text: str) -> ChangeLine:
    """`NAME add|remove "X"[, "Y"]` — quoted aliases, or one unquoted alias to the end; a word
    people use for either before the quotes (`delete "MSF"`) is read as it."""
    tokens = _change_words(tokenize(text), None, before=Kind.QUOTED)
    first_quote = next((i for i, t in enumerate(tokens) if t.kind is Kind.QUOTED and i > 0), None)
    if (
        first_quote is not None
        and first_quote >= 2
        and tokens[first_quote - 1].is_word("add", "remove")
    ):
        split: int | None = first_quote - 1
    else:
        split = _split_at_first(tokens[1:], ("add", "remove"))
        split = None if split is None else split + 1
    if split is None and first_quote is not None and _only_quoted(tokens[first_quote:]):
        # `alias MSF "Doctors Without Borders"`: aliases straight after the name are added.
        name = _require_name(whole_name(tokens[:first_quote]))
        items = name_list(tokens[first_quote:])
        if not items:
            raise _no_alias(name, "add")
        return ChangeLine(name=name, change=Change.ADD, items=tuple(items), said=False)
    if split is None:
        raise GrammarError('Say `add` or `remove` and then the alias in quotes, e.g. `add "MSF"`.')
    aliases = name_list(tokens[split + 1 :])
    if not aliases:
        if any(token.kind is Kind.QUOTED for token in tokens[split + 1 :]):
            # `alias MSF add ""`: quotes with nothing in them.
            raise _no_alias(whole_name(tokens[:split]), tokens[split].text.lower())
        raise _alias_missing(whole_name(tokens[:split]), tokens[split].text.lower())
    return ChangeLine(
        name=_require_name(whole_name(tokens[:split])),
        change=Change(tokens[split].text.lower()),
        items=tuple(aliases),
    )


def _alias_missing(name: Name | None, change: str) -> GrammarError:
    """`alias Oxfam add` with nothing after the word: which alias, and the line to type."""
    partner = in_command(name.text) if name is not None and name.text else "NAME"
    return GrammarError(
        f"Which alias? No alias was given after `{change}`: put it in quotes, e.g. "
        f'`/partner alias {partner} {change} "OX"`.'
    )


def _no_alias(name: Name | None, change: str) -> NothingGiven:
    """Empty quotes where the alias goes: nothing was given, and the line to type."""
    partner = in_command(name.text) if name is not None and name.text else "NAME"
    return NothingGiven(
        f"No alias was given: the quotes are empty. Put the other name between them, e.g. "
        f'`/partner alias {partner} {change} "OX"`. Nothing was changed.'
    )


def _only_quoted(tokens: Sequence[Token]) -> bool:
    """Whether `tokens` are quoted names and nothing else (commas and `and` between them)."""
    return all(
        token.kind is Kind.QUOTED or token.is_word("and") or token.text == "," for token in tokens
    )


def parse_rename(text: str, *, known: KnownNames | None = None) -> RenameLine:
    """`NAME to NEW`; with `known`, a registered name with keywords in it is read whole."""
    tokens = tokenize(text)
    _open_quote_over(text, tokens, "to", verb="rename")
    name, used = take_name(tokens, known=known)
    if name is None:
        _missing_before(text, tokens, "to", verb="rename", what="Which partner?")
    name = require_name(name, text, tokens, verb="rename", ends_at=("to",))
    rest = tokens[used:]
    if rest and rest[0].keyword not in (None, "to"):
        raise _keyword_after(text, tokens, used, verb="rename", ends_at=("to",))
    if not rest or not rest[0].is_word("to"):
        raise _put_between(tokens, "to", verb="rename", meant=())
    try:
        new_name = whole_name(rest[1:])
    except GrammarError as error:
        if error.problem != MARKUP_IN_NAME:
            raise
        raise _markup_in_new_name(name, rest[1:], text) from None
    if new_name is None or not new_name.text:
        raise GrammarError("What is the new name? Give it after `to`.")
    return RenameLine(name=name, new_name=new_name.text)


def _markup_in_new_name(name: Name, new: Sequence[Token], line: str) -> GrammarError:
    """`rename X to @ben`: the new name in words, with an example naming X; a person alone
    after `to` is most likely meant as X's owner, so that line too."""
    partner = in_command(name.text)
    problem = (
        "A partner name cannot contain a mention or a channel: give the new name in words "
        f"after `to`, e.g. `/partner rename {partner} to {in_command(name.text + ' Group')}`."
    )
    if len(new) == 1 and new[0].kind is Kind.MENTION:
        problem += f" To make them its owner: `/partner owner {partner} {_typed(new, line)}`."
    return GrammarError(problem)


# Marks people put between two names for `to` or `into` (`rename A -> B`), and the words they
# put for `into` (`merge A with B`).
_ARROWS = ("->", "→", "=>", ">")
_INTO_MEANT = ("with", "to", "onto")


def _put_between(
    tokens: Sequence[Token], word: str, *, verb: str, meant: Sequence[str]
) -> GrammarError:
    """`rename`'s `to` or `merge`'s `into` missing: where an arrow (or a word in `meant`) stands
    between two names instead, the line with the right word."""
    said = (
        "Put `into` between the duplicate and the partner you keep"
        if verb == "merge"
        else "Put `to` between the current name and the new one"
    )
    at = next(
        (
            at
            for at, token in enumerate(tokens[1:-1], start=1)
            if token.kind is Kind.WORD and (token.text in _ARROWS or token.is_word(*meant))
        ),
        None,
    )
    if at is None:
        return GrammarError(f"{said}.")
    first, second = in_command(joined(tokens[:at])), in_command(joined(tokens[at + 1 :]))
    return GrammarError(f"{said}: `/partner {verb} {first} {word} {second}`.")


def parse_merge(text: str, *, known: KnownNames | None = None) -> MergeLine:
    """`DUPLICATE into KEPT`; with `known`, a registered duplicate with keywords in its name is
    read whole."""
    tokens = tokenize(text)
    _open_quote_over(text, tokens, "into", verb="merge")
    duplicate, used = take_name(tokens, known=known)
    if duplicate is None:
        _missing_before(text, tokens, "into", verb="merge", what="Which partner is the duplicate?")
    duplicate = require_name(
        duplicate,
        text,
        tokens,
        verb="merge",
        ends_at=("into",),
        what="Which partner is the duplicate?",
    )
    rest = tokens[used:]
    if (
        len(rest) > 1
        and rest[0].is_word(*_INTO_MEANT)
        and not any(token.is_word("into") for token in rest)
    ):
        raise _put_between(tokens, "into", verb="merge", meant=_INTO_MEANT)
    if rest and rest[0].keyword not in (None, "into"):
        raise _keyword_after(text, tokens, used, verb="merge", ends_at=("into",))
    if not rest or not rest[0].is_word("into"):
        raise _put_between(tokens, "into", verb="merge", meant=_INTO_MEANT)
    kept = _require_name(whole_name(rest[1:]), "Which partner do you keep?")
    return MergeLine(duplicate=duplicate, kept=kept)


def parse_contact(text: str, *, known: KnownNames | None = None) -> ContactLine:
    """`NAME add PERSON [email] [title…]`; without an email, `PERSON, title` also works.
    `NAME remove PERSON`, the person by name or email. The person and title keep the quotes
    typed inside them (`Jane "JJ" O'Neil`); a person wholly in quotes is the words inside.
    A job title typed in the name (`Jane Doe CEO`) is refused with the comma it lacks; with
    `known`, `add` before a registered name (`add MSF Jane Doe`) with the line in order."""
    tokens = tokenize(text)
    words = tuple(Change)
    if tokens and tokens[0].kind is Kind.QUOTED:
        split: int | None = 1 if len(tokens) > 1 and tokens[1].is_word(*words) else None
    else:
        split = _split_at_first(tokens[1:], words)
        split = None if split is None else split + 1
    if split is None:
        said = "Say `add` or `remove` after the partner's name, then the person"
        partner = _name_after_verb(tokens, known)
        if partner is None:
            raise GrammarError(f"{said}.")
        verb = tokens[0].text.lower()
        line = f"{in_command(joined(tokens[1:partner]))} {verb} {_typed(tokens[partner:], text)}"
        try:
            parse_contact(line)
        except RoleInName as refused:
            line = refused.line  # `Jane Doe, CEO`: the title set apart at once
        except GrammarError:
            pass
        typed = f"{COMMAND_CONTACT} {line}"
        raise GrammarError(f"{said}: `{typed.rstrip()}`.")
    name = _require_name(whole_name(tokens[:split]))
    change = Change(tokens[split].text.lower())
    person_tokens = tokens[split + 1 :]
    if not person_tokens:
        person = "Jane Doe jane@example.org" if change is Change.ADD else "Jane Doe"
        raise GrammarError(
            f"Who? Give the person's name after `{change}`, e.g. "
            f"`{COMMAND_CONTACT} {in_command(name.text)} {change} {person}`."
        )
    _refuse_colleague(person_tokens, name, text)
    if change is Change.REMOVE:
        person = _person(person_tokens, text)
        return ContactLine(name=name, person=person, email=None, title=None, change=change)
    at = email_in(person_tokens)
    if at is not None:
        # `Dr. Jane Smith, jane@acme.org, Head of Partnerships`: the commas set the email off.
        person = _person(person_tokens[:at], text).rstrip(",")
        email: str | None = person_tokens[at].text.rstrip(",")
        title_tokens = person_tokens[at + 1 :]
        if title_tokens and title_tokens[0].text == ",":
            title_tokens = title_tokens[1:]
        if email_in(title_tokens) is not None:
            raise GrammarError(
                "One email per contact: give the person one address; the words after it "
                "are their title."
            )
        title = _typed(title_tokens, text)
        quoted_person = person_tokens[0].kind is Kind.QUOTED
        person, title = _set_off_email(person, title, split=not quoted_person)
    else:
        email = None
        if person_tokens[0].kind is Kind.QUOTED:
            person = person_tokens[0].text
            title = _typed(person_tokens[1:], text)
        else:
            person, _, title = _typed(person_tokens, text).partition(",")
    person, title = _bracketed_title(_collapse(person), _collapse(title))
    if not person:
        raise GrammarError("Who? Give the person's name before the email.")
    _refuse_phone(name.text, person if person_tokens[0].kind is not Kind.QUOTED else "", title)
    if person_tokens[0].kind is not Kind.QUOTED:
        # With a title after the comma or the email too (`Jane Doe CEO, Africa`): the
        # words before it are the name all the same.
        _refuse_role_in_name(name.text, person, email, title)
    return ContactLine(name=name, person=person, email=email, title=title or None)


COMMAND_CONTACT = "/partner contact"

# Brackets around an email, as mail clients write it (`Jane Doe <jane@acme.org>`), and the marks
# that set it off (`John Smith — john@acme.org`) are neither the name's nor the title's.
_EMAIL_BRACKETS = {"<": ">", "(": ")", "[": "]"}
_SEPARATORS = " ,;:|—–-"


def _set_off_email(person: str, title: str, *, split: bool) -> tuple[str, str]:
    """The name before an email and the title after it, without what framed the email; with
    `split`, a title after a comma in the name is the title (`Jane Doe, CEO, jane@acme.org`,
    as `Jane Doe, CEO` is without the email), ahead of words after the email."""
    person, title = person.rstrip(), title.lstrip()
    opener = person[-1:]
    if opener in _EMAIL_BRACKETS:
        person = person[:-1]
        if title[:1] == _EMAIL_BRACKETS[opener]:
            title = title[1:]
    person, title = person.rstrip(_SEPARATORS), title.lstrip(_SEPARATORS)
    if split:
        named, role = split_title(person)
        if role:
            person, title = named, f"{role}, {title}" if title else role
    return person, title


# A phone number as people write one: six digits or more, with `+`, spaces, dots, dashes, slashes
# or brackets between them (`+49 30 1234567`, `(030) 123-4567`).
_PHONE = re.compile(r"\+?\(?\d(?:[\s().\-/]*\d){5,}\)?")


def _refuse_phone(partner: str, person: str, title: str) -> None:
    """A phone number typed with the contact (`Bob +49 30 1234567`) would be saved as part of the
    name or title: a contact has no place for one, so nothing is saved."""
    for typed in (person, title):
        found = _PHONE.search(typed)
        if found is None:
            continue
        named = _collapse(person[: found.start()] + person[found.end() :]).strip(_SEPARATORS)
        named = named if person and named else "Jane Doe"
        mailbox = re.sub(r"\W", "", named.split()[0].lower()) or "jane"
        raise GrammarError(
            f"“{found.group().strip()}” looks like a phone number, and contacts keep no phone "
            "numbers. A contact is a name, then an email, then a title, the last two optional: "
            f"`{COMMAND_CONTACT} {in_command(partner)} add {named} {mailbox}@example.org Head of "
            "Partnerships`. Nothing was saved."
        )


def _name_after_verb(tokens: Sequence[Token], known: KnownNames | None) -> int | None:
    """`add MSF Jane Doe`: where the registered partner's name that follows the `add` (or
    `remove`) ends, the most words a partner goes by; None when no partner's name follows."""
    if not tokens or not tokens[0].is_word(*Change) or known is None:
        return None
    ends = [
        end
        for end in range(len(tokens) - 1, 1, -1)
        if all(token.kind in (Kind.WORD, Kind.LINK) for token in tokens[1:end])
    ]
    picked = known([joined(tokens[1:end]) for end in ends])
    return None if picked is None else ends[picked]


def _role_in(person: str) -> int | None:
    """Where a job title typed with no comma before it begins in `person` (`Jane Doe CEO`)."""
    words = person.split()
    at = role_after_name(words)
    return None if at is None else len(" ".join(words[:at])) + 1


def _refuse_role_in_name(partner: str, person: str, email: str | None, given: str) -> None:
    """`Jane Doe CEO`, no comma or email between: one person's name and title, or a name that
    holds a job-title word ("Tom Head")? Nothing is saved; the line each way, the title
    `given` after the comma or email kept in both."""
    role = _role_in(person)
    if role is None:
        return
    name, title = person[:role].rstrip(_SEPARATORS), person[role:]
    partner = in_command(partner)
    both = f"{title}, {given}" if given else title
    after = f" {given}" if given else ""
    if email is None:
        how, line, whole = "put a comma before it", f"{name}, {both}", quoted(person) + after
    else:
        how, line = "give it after the email", f"{name} {email} {both}"
        whole = f"{quoted(person)} {email}{after}"
    raise RoleInName(
        f"Is “{title}” the title of {name}? Then {how}: `{COMMAND_CONTACT} {partner} add {line}`. "
        f"If it is part of the name, put the name in quotes: `{COMMAND_CONTACT} {partner} add "
        f"{whole}`. Nothing was saved.",
        line=f"{partner} add {line}",
    )


class RoleInName(GrammarError):
    """A job title typed in a contact's name (`Jane Doe CEO`); `line`: the `contact` line with
    the title set apart (`MSF add Jane Doe, CEO`)."""

    def __init__(self, problem: str, *, line: str) -> None:
        super().__init__(problem)
        self.line = line


def _bracketed_title(person: str, title: str) -> tuple[str, str]:
    """`Jane Smith (Head of Partnerships)`, `Jane jane@acme.org (CEO)`: a title in brackets after
    the person (or the email) is the title, without its brackets."""
    if not title and (found := TITLE_IN_BRACKETS.match(person)):
        return found["person"], found["title"].strip()
    if title.startswith("(") and title.endswith(")") and "(" not in title[1:-1]:
        return person, title[1:-1].strip()
    return person, title


def _person(tokens: Sequence[Token], line: str) -> str:
    """A person's name as typed, quotes inside it kept; one wholly in quotes, the words."""
    if len(tokens) == 1 and tokens[0].kind is Kind.QUOTED:
        return tokens[0].text
    return _typed(tokens, line)


def _refuse_colleague(person: Sequence[Token], name: Name, line: str) -> None:
    """Contacts are people at the partner: a mention is a colleague, whose place is the team."""
    for token in person:
        if token.kind is Kind.CHANNEL:
            raise GrammarError("A contact is a person at the partner, not a channel.")
        if token.kind is Kind.MENTION:
            partner = unescape(line[name.start : name.end])
            raise GrammarError(
                f"{_as_typed(token, line)} is a colleague; contacts are people at the partner. "
                f"To put them on the partner's team: `/partner team {partner} add "
                f"{_as_typed(token, line)}`."
            )


def as_typed(text: str) -> str:
    """Command text as the person typed it, to quote back (Slack escapes `&`, `<` and `>`,
    and what Liaison writes in mrkdwn is escaped once more on the way out)."""
    return unescape(text.strip())


# Words people put for one of `parse_word`'s that spelling alone would not find.
_MEANT = {"my": "mine", "me": "mine", "my-partners": "mine", "risk": "at-risk"}


def parse_word(text: str, words: Sequence[str], *, default: str) -> str:
    """One optional word out of `words` (e.g. `list mine`)."""
    tokens = tokenize(text)
    if not tokens:
        return default
    word = tokens[0].text.lower()
    if len(tokens) > 1 or word not in words:
        hyphenated = "-".join(token.text.lower() for token in tokens)
        # `list at risk`, `list my`, `list activ`
        meant = _MEANT.get(hyphenated, hyphenated)
        each = list(dict.fromkeys(_MEANT.get(t.text.lower(), t.text.lower()) for t in tokens))
        if meant not in words and len(each) > 1 and all(one in words for one in each):
            # `list mine active`: one list each, not the partners both would show.
            either = " or ".join(f"`/partner list {one}`" for one in each)
            raise GrammarError(
                f"I list one kind of partner at a time, not `{as_typed(text)}` together: {either}."
            )
        close = [meant] if meant in words else get_close_matches(hyphenated, words, 1)
        if close:
            raise GrammarError(
                f"`{as_typed(text)}` is not something I can list; did you mean `{close[0]}`? "
                f"E.g. `/partner list {close[0]}`."
            )
        raise GrammarError(
            f"`{as_typed(text)}` is not something I can list; try {', '.join(words)}."
        )
    return word


def in_command(name: str) -> str:
    """`name` as a command suggested to people spells it: as it is when the grammar reads those
    words back as the name, else in quotes (`quoted`): a name holding a keyword ("Room to
    Read"), a `:`, a quote mark or Slack's markup. The command is shown as code, which a
    backtick would end: one in the name is an apostrophe there, which finds the same partner
    (`bot.naming` drops both)."""
    name = name.replace("`", "’")
    try:
        tokens = tokenize(name)
    except GrammarError:  # markup the grammar refuses bare (`<!channel>`, `@ana`): in quotes
        return quoted(name)
    if tokens and all(token.kind is Kind.WORD and token.keyword is None for token in tokens):
        return name
    return quoted(name)


def quoted(name: str) -> str:
    """`name` in quotes that the grammar reads back as exactly this name."""
    if not any(quote in name for quote in '"“”'):
        return f'"{name}"'
    return f"«{name}»"
