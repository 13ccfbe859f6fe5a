"""Text as Slack's mrkdwn: what Liaison writes, with whatever people typed shown as they typed it.

Slack reads `<…>` in message text as a control sequence (a mention, `<!here>`, a link) and `&…;`
as an entity, so text that came from people (notes, purposes, partner and contact names,
comments) must have `&`, `<` and `>` escaped before it goes into mrkdwn, or `@here` typed in a
note pings a whole channel and `<5k & R&D >2k` comes out garbled. Liaison keeps that text as it
was typed (the database, the CSV export) and escapes it here, where a message's text and its
Block Kit mrkdwn are made.

`slack_text` escapes everything except the markup Liaison itself writes:
- mentions of people (`<@U123>`) and channels (`<#C123>`): a colleague named in a note is shown,
  and told, as in any Slack message; a channel link notifies nobody;
- date tokens (`<!date^…|…>`), which show a moment in each reader's time zone;
- links that show their own address (`<https://msf.org|msf.org>`, `<mailto:a@b.org|a@b.org>`, a
  bare `<https://…>`): a URL someone typed stays a link, a label that hides where it leads does
  not;
- a `>` that starts a line (a quote).
Everything else between `<` and `>` is text: `<!here>`, `<!channel>`, `<!everyone>`,
`<!subteam^…>` and `<https://evil.example|click me>` all show literally and notify nobody.
"""

from __future__ import annotations

import re

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


def escape(text: str) -> str:
    """`&`, `<` and `>` as Slack's entities: the text shows literally in mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_text(text: str) -> str:
    """`text` ready for mrkdwn: escaped, but for mentions, channels, dates, self-showing links
    and quotes (see the module's docstring)."""
    out: list[str] = []
    done = 0
    for found in _KEPT.finditer(text):
        if found.group("link") and not _shows_its_address(found["target"], found["label"]):
            continue
        out.append(escape(text[done : found.start()]))
        out.append(found.group())
        done = found.end()
    out.append(escape(text[done:]))
    return "".join(out)


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


def _shows_its_address(target: str, label: str | None) -> bool:
    if label is None:
        return True
    address = target.removeprefix("mailto:").split("://", 1)[-1]
    return label in (target, address, address.rstrip("/"))
