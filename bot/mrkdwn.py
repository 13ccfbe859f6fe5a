"""Text as Slack's mrkdwn: what Liaison writes, with whatever people typed shown as they typed it.

Slack reads `<…>` in message text as a control sequence (a mention, `<!here>`, a link) and `&…;`
as an entity, so text that came from people (notes, purposes, partner and contact names,
comments) must have `&`, `<` and `>` escaped before it goes into mrkdwn, or `@here` typed in a
note pings a whole channel and `<5k & R&D >2k` comes out garbled. Liaison keeps that text as Slack
sent it (the database) and escapes it here, where a message's text and its Block Kit mrkdwn are
made; `as_typed` gives it back as people typed it, for a reader outside Slack (the CSV export).

`slack_text` escapes everything except the markup Liaison itself writes:
- mentions of people (`<@U123>`) and channels (`<#C123>`): a colleague named in a note is shown,
  and told, as in any Slack message; a channel link notifies nobody;
- date tokens (`<!date^…|…>`), which show a moment in each reader's time zone;
- links that show their own address (`<https://msf.org|msf.org>`, `<mailto:a@b.org|a@b.org>`, a
  bare `<https://…>`): a URL someone typed stays a link, a label that hides where it leads does
  not;
- a `>` that starts a line (a quote).
Everything else between `<` and `>` is text: `<https://evil.example|click me>` shows literally.

Broadcasts show as the person typed them and notify nobody. Slack sends a typed `@here` in a
command as `<!here>` (and a user group as `<!subteam^S1|@designers>`), while a form's text
field keeps a plain `@here`, which mrkdwn may parse into a notification by itself. Either is
shown as `@here` with a word joiner (U+2060, invisible) after the `@`, which no parser reads
as a broadcast.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

_KEPT = re.compile(
    r"""
    (?P<person><@[UW][A-Z0-9]+(?:\|[^<>|]*)?>)
  | (?P<channel><\#[CG][A-Z0-9]+(?:\|[^<>|]*)?>)
  | (?P<date><!date\^\d+\^[^<>|^]*(?:\^[^<>|^]*)?\|[^<>|]*>)
  | (?P<link><(?P<target>(?:https?://|mailto:)[^<>|\s]+)(?:\|(?P<label>[^<>|]*))?>)
  | (?P<quote>^>)
    """,
    re.VERBOSE | re.MULTILINE,
)
# Where a `_KEPT` match can start: each of its markups begins with `<`, or is a `>`.
_ANGLE = re.compile(r"[<>]")
_BROADCAST = re.compile(
    r"""
    <!(?P<special>here|channel|everyone)(?:\|[^<>]*)?>
  | <!subteam\^[A-Z0-9]+(?:\|@?(?P<group>[^<>|]+))?>
  | (?<![\w@])@(?P<typed>here|channel|everyone)\b
    """,
    re.VERBOSE,
)
WORD_JOINER = "\u2060"
# Slack's marks of bold, italics, strikethrough and code in text people typed (`literal`).
# Slack's mrkdwn has no escape for them. A `_` or `~` between two letters or digits opens and
# closes nothing (Save_the_Children reads as typed, as snake_case does), so it stays. Anywhere
# else, and a `*` or `` ` `` anywhere (`*A*B Corp*` would end the bold at the second star), the
# mark is shown by a character that looks like it and means nothing to Slack; `plain` and
# `bot.naming` read it back as the mark, so a name copied out of a message is the same name.
LOOK_ALIKES = {"*": "∗", "_": "ˍ", "~": "˜", "`": "ˋ"}
MARKS_BACK = str.maketrans({alike: mark for mark, alike in LOOK_ALIKES.items()})
_MARK = re.compile(r"(?<![^\W_])[_~]|[_~](?![^\W_])|[*`]")
# Slack's markup in text people typed: a mention, a channel, a broadcast, a link.
_MARKUP = re.compile(
    r"<(?P<target>[@#!][^<>|]*|(?:https?://|mailto:)[^<>|]*)(?:\|(?P<label>[^<>]*))?>"
)


def escape(text: str) -> str:
    """`&`, `<` and `>` as Slack's entities: the text shows literally in mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def literal(text: str) -> str:
    """Text people typed (a partner's name, an alias) shown as typed where Liaison's own mrkdwn
    frames it (`*Save_the_Children*`, `*A*B Corp*`): a mark Slack would read as bold, italics,
    strikethrough or code is shown by its look-alike (`LOOK_ALIKES`)."""
    return _MARK.sub(lambda found: LOOK_ALIKES[found.group()], text)


def slack_text(text: str) -> str:
    """`text` ready for mrkdwn: escaped, but for mentions, channels, dates, self-showing links
    and quotes (see the module's docstring)."""
    if "<" not in text and ">" not in text and "&" not in text and "@" not in text:
        return text  # nothing to escape, keep or quieten: most of Liaison's own lines
    out: list[str] = []
    done = 0
    for found in _kept(text):
        if found.group("link") and not _shows_its_address(found["target"], found["label"]):
            continue
        out.append(escape(_quiet(text[done : found.start()])))
        out.append(found.group())
        done = found.end()
    out.append(escape(_quiet(text[done:])))
    return "".join(out)


def _kept(text: str) -> Iterator[re.Match[str]]:
    """`_KEPT.finditer(text)`, four times as fast: `_KEPT` tried only where one of its markups
    can start (`_ANGLE`), where finditer tries its five alternatives at every character (~70 µs
    of a `/partner log`'s answer and queued messages)."""
    position = 0
    while (angle := _ANGLE.search(text, position)) is not None:
        found = _KEPT.match(text, angle.start())
        if found is None:
            position = angle.start() + 1
        else:
            yield found
            position = found.end()


def plain_shown(text: str) -> str:
    """`text` for a plain_text object (a header, a button, an option), which Slack shows
    literally and never parses: a broadcast Slack sent as a control sequence (`<!here>`) shows
    as it was typed (`@here`)."""
    return _BROADCAST.sub(_as_typed, text)


def _as_typed(found: re.Match[str]) -> str:
    if found["typed"]:
        return found.group()
    return f"@{found['special'] or found['group'] or 'group'}"


def as_typed(text: str) -> str:
    """Slack's markup in `text` as the person typed it, for a reader outside Slack:
    `<@U123|ana>` is `@ana` (a command's mention carries the name; without one, the id),
    `<#C123|general>` is `#general`, `<!here>` is `@here`, `<!subteam^S1|@designers>` is
    `@designers`, and a link is what it showed (`<https://msf.org|msf.org>` is `msf.org`)."""

    def typed(found: re.Match[str]) -> str:
        target, label = found["target"], found["label"]
        if target.startswith("@"):
            return "@" + (label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!subteam^"):
            return "@" + (label or "group").removeprefix("@")
        if target.startswith("!date^"):
            return label or ""
        if target.startswith("!"):
            return "@" + target[1:]
        return label or target.removeprefix("mailto:")

    return _MARKUP.sub(typed, text)


_PERSON = re.compile(r"<@(?P<id>[UW][A-Z0-9]+)>")
_CODE = re.compile(r"`([^`\n]+)`")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])")


def plain(text: str, names: Mapping[str, str]) -> str:
    """Liaison's mrkdwn for a place Slack shows as plain text (a form's field error): a code
    span in quotes (“/partner help”), bold and italics as the words, a person as `@name` (their
    name in `names`, by user id) and the rest of Slack's markup as `as_typed` shows it."""

    def named(found: re.Match[str]) -> str:
        name = names.get(found["id"])
        return f"<@{found['id']}|{name}>" if name else found.group()

    # A mark shown as typed (`literal`, or in a code span) keeps its look-alike while the
    # formatting is taken out, then is the mark again: plain text shows it as it is.
    text = as_typed(_PERSON.sub(named, text))
    text = _CODE.sub(lambda found: f"“{literal(found[1])}”", text)
    text = _ITALIC.sub(r"\1", _BOLD.sub(r"\1", text))
    return text.translate(MARKS_BACK)


def mentioned(text: str) -> set[str]:
    """The people `text` mentions, by user id."""
    return {found["id"] for found in _PERSON.finditer(text)}


def cut(text: str, limit: int) -> str:
    """Escaped `text` cut to Slack's `limit`, without leaving half an entity or control sequence."""
    if len(text) <= limit:
        return text
    text = text[:limit]
    opened = text.rfind("<")
    if opened > text.rfind(">"):
        text = text[:opened]
    amp = text.rfind("&")
    if amp > text.rfind(";"):
        text = text[:amp]
    return text


def unescape(text: str) -> str:
    """Undo Slack's escaping of `&`, `<` and `>` (in command text, in messages read back)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _quiet(text: str) -> str:
    """Each broadcast in `text` as `@name` that notifies nobody (see the module's docstring)."""
    if "@" not in text and "<" not in text:
        return text  # every broadcast `_BROADCAST` finds has one or the other
    return _BROADCAST.sub(_quiet_one, text)


def _quiet_one(found: re.Match[str]) -> str:
    name = found["special"] or found["typed"] or found["group"] or "group"
    return f"@{WORD_JOINER}{name}"


def _shows_its_address(target: str, label: str | None) -> bool:
    if label is None:
        return True
    address = target.removeprefix("mailto:").split("://", 1)[-1]
    return label in (target, address, address.rstrip("/"))
