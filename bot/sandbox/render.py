"""Slack messages and views as readable text, the way the sandbox shows them.

Pure functions from Block Kit to lines of Rich markup: headers in bold, sections and fields,
buttons as `[Went well]`, context lines dimmed. Mentions become names, links their labels.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from rich.markup import escape

from bot.mrkdwn import unescape

JsonDict = dict[str, Any]
# Turns a user or channel id into the name people see.
NameOf = Callable[[str], str]

_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|([^>]*))?>")
# A link as Slack marks it up: a web address, or an email's `mailto:` (a contact's address).
_LINK = re.compile(r"<((?:https?://|mailto:)[^|>]+)(?:\|([^>]+))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
# <!date^1795755600^{date_short_pretty}|fallback>: Slack shows a date in the reader's zone.
_DATE = re.compile(r"<!date\^(\d+)\^[^|>]*(?:\^[^|>]*)?\|([^>]*)>")
_BOLD = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?!\s)([^_\n]+?)_(?![\w_])")


def mrkdwn(
    text: str, *, user_name: NameOf, channel_name: NameOf, date_of: NameOf | None = None
) -> str:
    """Slack mrkdwn → Rich markup (escaped, with names for ids). A date token shows as
    `date_of` words its Unix time (in the reader's zone), else as its fallback text (where
    there is no one reader, e.g. in a channel)."""
    text = _USER.sub(lambda m: f"\x00@{user_name(m.group(1))}\x01", text)
    text = _CHANNEL.sub(lambda m: f"\x00#{m.group(2) or channel_name(m.group(1))}\x01", text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1).removeprefix("mailto:"), text)
    text = _SPECIAL.sub(lambda m: f"@{m.group(1)}", text)
    text = _DATE.sub(lambda m: date_of(m.group(1)) if date_of else m.group(2), text)
    # Text people typed comes escaped (see bot.mrkdwn): shown as Slack shows it, literally.
    text = unescape(text)
    text = escape(text)
    text = _BOLD.sub(r"[bold]\1[/bold]", text)
    text = _ITALIC.sub(r"[italic]\1[/italic]", text)
    text = text.replace("```", "")
    return text.replace("\x00", "[cyan]").replace("\x01", "[/cyan]")


def _text(obj: Any, **names: NameOf) -> str:
    if not isinstance(obj, dict):
        return ""
    raw = str(obj.get("text", ""))
    if obj.get("type") == "mrkdwn":
        return mrkdwn(
            raw,
            user_name=names["user_name"],
            channel_name=names["channel_name"],
            date_of=names.get("date_of"),
        )
    return escape(raw)


def element(item: JsonDict, **names: NameOf) -> str:
    """An interactive element in one short token."""
    kind = item.get("type")
    if kind == "button":
        style = {"primary": "green", "danger": "red"}.get(str(item.get("style")), "blue")
        return f"[{style}]\\[{_text(item.get('text'), **names)}][/{style}]"
    if kind == "overflow":
        options = " | ".join(_text(o.get("text"), **names) for o in item.get("options", []))
        return f"[blue]\\[⋯ {options}][/blue]"
    if kind in ("static_select", "external_select", "users_select", "conversations_select",
                "channels_select", "multi_static_select", "multi_users_select",
                "multi_external_select", "datepicker", "timepicker", "radio_buttons",
                "checkboxes", "plain_text_input", "number_input", "email_text_input"):  # fmt: skip
        placeholder = _text(item.get("placeholder"), **names) or kind.replace("_", " ")
        return f"[blue]\\[{placeholder} ▾][/blue]"
    return f"[dim]\\[{kind}][/dim]"


def blocks(items: Iterable[JsonDict], **names: NameOf) -> list[str]:
    """Block Kit blocks → lines."""
    lines: list[str] = []
    for block in items:
        kind = block.get("type")
        if kind == "header":
            lines.append(f"[bold underline]{_text(block.get('text'), **names)}[/bold underline]")
        elif kind == "section":
            if block.get("text"):
                lines.extend(_text(block["text"], **names).splitlines())
            for field in block.get("fields", []):
                # A field is usually "*Label*\nvalue": show it as one line.
                lines.append("  " + " ".join(_text(field, **names).splitlines()))
            if block.get("accessory"):
                lines.append("  " + element(block["accessory"], **names))
        elif kind == "divider":
            lines.append("[dim]────────────────[/dim]")
        elif kind == "context":
            parts = [
                _text(e, **names) if e.get("type") != "image" else "🖼"
                for e in block.get("elements", [])
            ]
            lines.append("[dim]" + "  ".join(parts) + "[/dim]")
        elif kind == "actions":
            lines.append("  ".join(element(e, **names) for e in block.get("elements", [])))
        elif kind == "input":
            label = _text(block.get("label"), **names)
            optional = " (optional)" if block.get("optional") else ""
            field_name = block.get("block_id", "?")
            widget = element(block.get("element", {}), **names)
            lines.append(f"{label}{optional} [dim]field[/dim] [bold]{field_name}[/bold]: {widget}")
        elif kind == "image":
            lines.append(f"[dim]🖼 {escape(str(block.get('alt_text', 'image')))}[/dim]")
        elif kind == "rich_text":
            lines.append(escape(_rich_text(block)))
        else:
            lines.append(f"[dim]\\[{kind} block][/dim]")
    return lines


def _rich_text(block: JsonDict) -> str:
    out: list[str] = []
    for part in block.get("elements", []):
        for leaf in part.get("elements", []):
            out.append(str(leaf.get("text", leaf.get("name", ""))))
    return "".join(out)


def message_body(text: str, items: list[JsonDict], **names: NameOf) -> list[str]:
    """A message's blocks, or its text when it has none (as Slack shows it)."""
    if items:
        return blocks(items, **names)
    return mrkdwn(
        text,
        user_name=names["user_name"],
        channel_name=names["channel_name"],
        date_of=names.get("date_of"),
    ).split("\n")
