"""Block Kit for the partner registry: profile card, contacts, list pages, "Did you mean",
the duplicate prompt and the `add` form. Pure functions from plain values to blocks."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.mrkdwn import literal
from bot.services.channels import Route
from bot.services.registry import MAX_NOTES, PartnerFacts, PartnerPage, PartnerProfile, Similar
from handlers.blocks import (
    MAX_BUTTON_VALUE,
    actions,
    button,
    context,
    fields,
    form_field,
    header,
    option,
    plain,
    section,
)
from handlers.reply import Block, Reply
from handlers.texts import partners as texts
from handlers.texts.health import owner_of
from storage.models import MAX_NAME_LENGTH, PartnerStatus

# Action ids. Buttons of one kind in one message get a numbered suffix (ids must be unique per
# block); the listeners match the prefix.
PICK = "partner_pick"
USE_EXISTING = "partner_use_existing"
CREATE_ANYWAY = "partner_create_anyway"
LIST_MORE = "partner_list_more"
ADD_VIEW = "partner_add"

# Block ids of the `add` form; each input's element has the action id `value`.
NAME_FIELD = "name"
ALIASES_FIELD = "aliases"
OWNER_FIELD = "owner"
DEPUTY_FIELD = "deputy"
TEAM_FIELD = "team"
STATUS_FIELD = "status"
WEBSITE_FIELD = "website"
NOTES_FIELD = "notes"
ANYWAY_FIELD = "anyway"
FIELD_ACTION = "value"

# Slack's limit of 50 blocks a message.
PAGE_SIZE = 40
CARD_CONTACTS = 10
CONTACTS_SHOWN = 45


def say(text: str) -> Reply:
    """A plain answer: the text, as one section."""
    return Reply(text=text, blocks=[section(text)])


def zone_note(tz: ZoneInfo) -> Block:
    """Times and days dated on a calendar that may not be the reader's (`texts.zone_guessed`)."""
    return context(texts.zone_guessed(tz))


def card(
    profile: PartnerProfile,
    *,
    now: datetime,
    lead: str | None = None,
    channel_route: Route | None = None,
) -> Reply:
    """The profile card: who owns it, status, team, contacts, aliases, website, channel (and,
    from `channel_route`, where its alerts go while Slack refuses Liaison in it)."""
    facts = profile.facts
    blocks: list[Block] = []
    if lead:
        blocks.append(section(lead))
    blocks.append(header(facts.name))
    last_contact = texts.last_contact(
        facts.last_contact_at,
        profile.last_contact_by,
        now,
        day_only=facts.last_contact_day_only,
    )
    owner = owner_of(facts.owner_id, gone=profile.owner_gone)
    blocks.append(
        fields(
            (texts.OWNER, owner),
            (texts.DEPUTY, texts.person(facts.deputy_id) if facts.deputy_id else texts.NOT_SET),
            (texts.STATUS, texts.status(facts.status)),
            (texts.TEAM, texts.people(profile.members)),
            (texts.WEBSITE, texts.website(facts.website_domain)),
            (texts.CHANNEL, texts.channel(facts.channel_id)),
            (texts.LAST_CONTACT, last_contact),
        )
    )
    refused = None if channel_route is None else texts.channel_passed_over(facts, channel_route)
    if refused is not None:
        blocks.append(context(refused))
    if profile.contacts:
        lines = [texts.contact_line(contact) for contact in profile.contacts[:CARD_CONTACTS]]
        hidden = len(profile.contacts) - CARD_CONTACTS
        if hidden > 0:
            lines.append(texts.more_contacts(facts, hidden))
        blocks.append(section(f"*{texts.CONTACTS}*\n" + "\n".join(lines)))
    if profile.notes:
        blocks.append(section(f"*{texts.NOTES}*\n{profile.notes}"))
    footer = []
    if profile.aliases:
        footer.append(f"{texts.ALIASES}: {texts.quoted_list(profile.aliases)}")
    footer.append(texts.added_by(profile.created_by, profile.created_at))
    blocks.append(context(*footer))
    fallback = f"{lead}\n" if lead else ""
    return Reply(
        text=f"{fallback}{literal(facts.name)}: owner {owner}",
        blocks=blocks,
    )


def contacts(profile: PartnerProfile) -> Reply:
    """The people we know at the partner."""
    facts = profile.facts
    if not profile.contacts:
        return say(texts.no_contacts(facts))
    lines = [texts.contact_line(contact) for contact in profile.contacts]
    blocks = [header(texts.contacts_header(facts, len(lines)))]
    # One section per 15 lines keeps each well under Slack's 3,000 characters.
    for start in range(0, min(len(lines), CONTACTS_SHOWN), 15):
        blocks.append(section("\n".join(lines[start : start + 15])))
    hidden = len(lines) - CONTACTS_SHOWN
    if hidden > 0:
        blocks.append(context(f"…and {hidden} more."))
    return Reply(text=texts.contacts_header(facts, len(lines)), blocks=blocks)


def list_page(
    page: PartnerPage,
    *,
    scope: str,
    now: datetime,
    more_value: str | None,
    first: bool,
    shown_before: int = 0,
    pressed: bool = False,
) -> Reply:
    """A page of `list`: one line per partner and, when there are more, a "More" button;
    `shown_before`: how many the pages above showed, so that a page says which it shows;
    `pressed`: the page again once its "More" was used, without the button."""
    if not page.partners and first:
        return say(texts.list_empty(scope))
    blocks: list[Block] = []
    if first:
        blocks.append(header(texts.list_title(scope)))
    for facts in page.partners:
        blocks.append(section(texts.list_line(facts, page.roles.get(facts.id), now)))
    footer = texts.list_footer(
        len(page.partners), more_value is not None, start=shown_before + 1, pressed=pressed
    )
    blocks.append(context(footer))
    if more_value is not None and not pressed:
        blocks.append(actions([button(texts.MORE, LIST_MORE, more_value)]))
    return Reply(text=texts.list_title(scope), blocks=blocks)


def more_value(
    scope: str,
    after: tuple[str, int],
    *,
    shown: int = 0,
    page_after: tuple[str, int] | None = None,
    page_shown_before: int = 0,
) -> str:
    """The "More" button's value: where the next page starts, and how many were shown above;
    `page_after` and `page_shown_before`: how the page the button is on was made, to make it
    again without the button once pressed."""
    value: dict[str, Any] = {"scope": scope, "after": list(after)}
    if shown:
        value["shown"] = shown
    value["page"] = [None if page_after is None else list(page_after), page_shown_before]
    return json.dumps(value, ensure_ascii=False)


def read_page_of_more(value: str) -> tuple[tuple[str, int] | None, int] | None:
    """Where the page a "More" button is on started and how many were shown above it; None for
    a button made before that was kept."""
    try:
        after, shown_before = json.loads(value)["page"]
        start = None if after is None else (str(after[0]), int(after[1]))
        return start, int(shown_before)
    except (ValueError, KeyError, TypeError, IndexError):
        return None


def shown_before(value: str) -> int:
    """How many partners the pages above a "More" button showed (0 on a button made before it
    was kept)."""
    try:
        shown = json.loads(value).get("shown", 0)
    except (ValueError, AttributeError):
        return 0
    return shown if isinstance(shown, int) and shown > 0 else 0


def read_more_value(value: str) -> tuple[str, tuple[str, int]] | None:
    """The scope and cursor of a "More" button, or None when the value is not one of ours."""
    try:
        data = json.loads(value)
        key, partner_id = data["after"]
        return str(data["scope"]), (str(key), int(partner_id))
    except (ValueError, KeyError, TypeError):
        return None


def pick_value(line: str, *, typed_at: datetime) -> str:
    """A "Did you mean" button's value: when the original was typed (whole seconds since the
    epoch) and the command line that names the candidate."""
    return f"{int(typed_at.timestamp())} {line}"


def read_pick_value(value: str) -> tuple[str, datetime | None]:
    """The line and when it was typed (None from buttons made before the time was kept)."""
    stamp, _, line = value.partition(" ")
    if stamp.isdigit() and line:
        return line, datetime.fromtimestamp(int(stamp), UTC)
    return value, None


def did_you_mean(
    query: str, choices: Sequence[tuple[PartnerFacts, str]], *, more: bool = False
) -> Reply:
    """Candidates for a name that matched nothing; each button re-runs the command with it.

    `choices` pairs each candidate with the command line to run when it is picked; `more`:
    other partners may be meant too, which the answer says.
    """
    text = texts.unknown_partner(query, bool(choices))
    if not choices:
        return say(text)
    lines = [
        f"• {texts.bold(facts.name)} · owner {texts.person(facts.owner_id)} · "
        f"{texts.status(facts.status)}"
        for facts, _ in choices
    ]
    if more:
        lines.append(texts.more_like(query))
    buttons = [
        button(facts.name, f"{PICK}_{number}", rerun)
        for number, (facts, rerun) in enumerate(choices)
        if rerun and len(rerun) <= MAX_BUTTON_VALUE
    ]
    blocks = [section(text + "\n" + "\n".join(lines))]
    fallback = f"{text} " + ", ".join(literal(facts.name) for facts, _ in choices)
    if buttons:
        blocks.append(actions(buttons))
    return Reply(text=fallback, blocks=blocks)


def duplicate_prompt(name: str, similar: Sequence[Similar], add_line: str) -> Reply:
    """`add` of a likely duplicate: the existing partners, "Use existing" and "Create anyway"."""
    text = texts.likely_duplicate(name)
    lines = [texts.similar_line(item.facts, item.by, item.label) for item in similar]
    buttons = [
        button(
            f"{texts.USE_EXISTING}: {item.facts.name}" if len(similar) > 1 else texts.USE_EXISTING,
            f"{USE_EXISTING}_{number}",
            str(item.facts.id),
        )
        for number, item in enumerate(similar)
    ]
    if len(add_line) <= MAX_BUTTON_VALUE:
        buttons.append(button(texts.create_anyway(name), CREATE_ANYWAY, add_line, style="danger"))
    return Reply(
        text=f"{text} " + "; ".join(lines),
        blocks=[section(text), section("\n".join(lines)), actions(buttons)],
    )


def add_form(*, owner_id: str, private_metadata: str) -> dict[str, Any]:
    """The `add` modal: name, aliases, owner, deputy, team, status, website, notes, create
    anyway."""
    status_options = [option(texts.status(status), status.value) for status in PartnerStatus]
    return {
        "type": "modal",
        "callback_id": ADD_VIEW,
        "private_metadata": private_metadata,
        "title": plain(texts.MODAL_TITLE),
        "submit": plain(texts.MODAL_SUBMIT),
        "close": plain(texts.MODAL_CLOSE),
        "blocks": [
            form_field(
                NAME_FIELD,
                texts.FIELD_NAME,
                {"type": "plain_text_input", "max_length": MAX_NAME_LENGTH},
                hint=texts.FIELD_NAME_HINT,
            ),
            form_field(
                ALIASES_FIELD,
                texts.FIELD_ALIASES,
                {"type": "plain_text_input"},
                hint=texts.FIELD_ALIASES_HINT,
                optional=True,
            ),
            form_field(
                OWNER_FIELD,
                texts.FIELD_OWNER,
                {"type": "users_select", "initial_user": owner_id},
                hint=texts.FIELD_OWNER_HINT,
            ),
            form_field(
                DEPUTY_FIELD,
                texts.FIELD_DEPUTY,
                {"type": "users_select"},
                hint=texts.FIELD_DEPUTY_HINT,
                optional=True,
            ),
            form_field(
                TEAM_FIELD,
                texts.FIELD_TEAM,
                {"type": "multi_users_select"},
                hint=texts.FIELD_TEAM_HINT,
                optional=True,
            ),
            form_field(
                STATUS_FIELD,
                texts.FIELD_STATUS,
                {
                    "type": "static_select",
                    "options": status_options,
                    "initial_option": status_options[0],
                },
            ),
            form_field(
                WEBSITE_FIELD,
                texts.FIELD_WEBSITE,
                {"type": "plain_text_input"},
                hint=texts.FIELD_WEBSITE_HINT,
                optional=True,
            ),
            form_field(
                NOTES_FIELD,
                texts.FIELD_NOTES,
                {"type": "plain_text_input", "multiline": True, "max_length": MAX_NOTES},
                optional=True,
            ),
            form_field(
                ANYWAY_FIELD,
                texts.FIELD_ANYWAY,
                {"type": "checkboxes", "options": [option(texts.FIELD_ANYWAY_OPTION, "yes")]},
                optional=True,
            ),
        ],
    }
