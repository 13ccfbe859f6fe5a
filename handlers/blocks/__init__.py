"""Block Kit builders: pure functions from plain values to blocks, tested without Slack.

Every mrkdwn text object is made here, from text as Liaison words it with what people typed as
they typed it; `slack_text` escapes it for Slack on the way in (see `bot.mrkdwn`). Plain text
(headers, buttons, labels, options) needs no escaping; a broadcast Slack sent as `<!here>`
shows there as typed, `@here`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.mrkdwn import cut, plain_shown, slack_text
from handlers.reply import Block

# Slack's limits on interactive elements.
MAX_BUTTON_LABEL = 75
MAX_BUTTON_VALUE = 2000
MAX_SECTION_TEXT = 3000


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text[:150])}


def mrkdwn(text: str, *, limit: int) -> dict[str, Any]:
    """A mrkdwn text object: `text` escaped for Slack, cut to Slack's `limit`."""
    return {"type": "mrkdwn", "text": cut(slack_text(text), limit)}


def section(markdown: str) -> Block:
    return {"type": "section", "text": mrkdwn(markdown, limit=MAX_SECTION_TEXT)}


def context(*markdown: str) -> Block:
    return {
        "type": "context",
        "elements": [mrkdwn(text, limit=3000) for text in markdown[:10]],
    }


def fields(*pairs: tuple[str, str]) -> Block:
    """A section of labelled fields, two to a row: `*Label*` above its value."""
    return {
        "type": "section",
        "fields": [mrkdwn(f"*{label}*\n{value}", limit=2000) for label, value in pairs],
    }


def divider() -> Block:
    return {"type": "divider"}


def code(lines: list[str] | tuple[str, ...]) -> str:
    """Lines as a mrkdwn code block (syntax and examples)."""
    return "```" + "\n".join(lines) + "```"


# --- Interactive elements ---------------------------------------------------------------------


def plain(text: str) -> dict[str, Any]:
    """A plain_text object (labels, titles, options): shown literally, a broadcast as typed."""
    return {"type": "plain_text", "text": plain_shown(text), "emoji": True}


def button(label: str, action_id: str, value: str, *, style: str | None = None) -> dict[str, Any]:
    """A button; a label over Slack's 75 characters is cut with an ellipsis."""
    if len(label) > MAX_BUTTON_LABEL:
        label = label[: MAX_BUTTON_LABEL - 1] + "…"
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(label),
        "action_id": action_id,
        "value": value,
    }
    if style is not None:
        element["style"] = style
    return element


def actions(elements: Sequence[dict[str, Any]]) -> Block:
    return {"type": "actions", "elements": list(elements)}


def option(label: str, value: str) -> dict[str, Any]:
    """An option of a select; a label over Slack's 75 characters is cut."""
    return {"text": plain(label[:MAX_BUTTON_LABEL]), "value": value}


def form_field(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    action_id: str = "value",
    hint: str | None = None,
    optional: bool = False,
) -> Block:
    """An input block of a form; its value is read back at `values[block_id][action_id]`."""
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": {**element, "action_id": action_id},
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint)
    return block


def picked_day(state: dict[str, Any]) -> date | None:
    """The day a form's datepicker sent (`state` as `values[block_id][action_id]`); None when it
    sent none, or something that is no day: a form refuses that (`PICK_A_DAY`), never reads it
    as today."""
    try:
        return date.fromisoformat(str(state.get("selected_date") or ""))
    except ValueError:
        return None


# The partner type-ahead shared by every form that names a partner; handlers/touchpoints.py
# answers its suggestions (names and aliases, through the registry's resolver).
PARTNER_FIELD = "partner"
PARTNER_PICKER = "touchpoint_partner"


def partner_picker(label: str, placeholder: str) -> Block:
    """The form field that picks a registered partner by typing part of a name or an alias."""
    return form_field(
        PARTNER_FIELD,
        label,
        {"type": "external_select", "min_query_length": 1, "placeholder": plain(placeholder)},
        action_id=PARTNER_PICKER,
    )
