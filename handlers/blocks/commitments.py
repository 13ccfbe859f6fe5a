"""Block Kit for commitments, staying in touch and exports: the answers to `commit`, `done`,
`drop`, `commitments` and `cadence`; the reminders and nudges Liaison queues (the messages the
services word theirs with); the commitment form and the "New date" form; and the section `show`
and `check` add about a partner. Pure functions."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo

from bot.mrkdwn import slack_text
from bot.services.cadence import CadenceState, Nudge
from bot.services.commitments import (
    MAX_WHAT,
    Assigned,
    Changed,
    Closed,
    ClosedListing,
    CommitmentFacts,
    Listing,
    Orphaned,
    PartnerCommitments,
    Recorded,
    Redated,
    Reminder,
)
from bot.services.feedback import Rendered
from handlers.blocks import (
    MAX_SECTION_TEXT,
    actions,
    button,
    context,
    form_field,
    header,
    option,
    partner_picker,
    plain,
    section,
)

# Re-exported: handlers and tests address the picker through this module too.
from handlers.blocks import PARTNER_FIELD as PARTNER_FIELD
from handlers.blocks import PARTNER_PICKER as PARTNER_PICKER
from handlers.grammar import in_command
from handlers.reply import Block, Reply
from handlers.texts import commitments as texts
from storage.models import CommitmentSide

# Action ids.
DONE = "commitment_done"
DROP = "commitment_drop"
NEW_DATE = "commitment_new_date"
LOG_TOUCHPOINT = "cadence_log"
SNOOZE = "cadence_snooze"
COMMIT_VIEW = "commitment_add"
REDATE_VIEW = "commitment_redate"

# Block ids of the forms; each input's element has the action id `value`, except the picker.
SIDE_FIELD = "side"
OWNER_FIELD = "owner"
WHAT_FIELD = "what"
DUE_FIELD = "due"
FIELD_ACTION = "value"

LISTED_PER_SECTION = 10
SHOWN_ON_CARD = 5


# Done on the reminders (`DONE`) and on each commitment of the App Home (`DONE:ID`: action ids
# differ within a view); one listener serves both.
DONE_ACTIONS = re.compile(rf"^{DONE}(?::\d+)?$")


def done_button(commitment_id: int) -> dict[str, Any]:
    """Done on one commitment among several on a view (the App Home)."""
    value = str(commitment_id)
    return button(texts.DONE, f"{DONE}:{value}", value, style="primary")


def commitment_buttons(commitment_id: int) -> Block:
    """Done / Drop / New date, for a reminder or a note about one commitment."""
    value = str(commitment_id)
    return actions(
        [
            button(texts.DONE, DONE, value, style="primary"),
            button(texts.DROP, DROP, value),
            button(texts.NEW_DATE, NEW_DATE, value),
        ]
    )


# --- Answers ------------------------------------------------------------------------------------


def recorded(result: Recorded) -> Reply:
    """The answer to `commit`: what was recorded, who is reminded, the partner's balance."""
    lead = texts.recorded(result)
    blocks = [section(lead), context(texts.balance(result.balance, name=result.partner.name))]
    side = result.balance.lopsided
    if side is not None:
        blocks.append(
            section(texts.lopsided_warning(side, result.balance.share(side), result.partner.name))
        )
        blocks.append(context(texts.LOPSIDED_RULE))
    return Reply(text=lead, blocks=blocks)


def closed(result: Closed, *, name: str) -> Reply:
    """The answer to `done`, `drop` or `reopen` (also the reminder it was clicked on, once
    closed)."""
    if result.reopened_from is not None:
        lead = texts.reopened(result)
        balance = context(texts.balance(result.balance, name=name))
        return Reply(text=lead, blocks=[section(lead), balance])
    lead = texts.closed(result)
    return Reply(
        text=lead,
        blocks=[
            section(lead),
            context(texts.balance(result.balance, name=name)),
            context(texts.undo_hint(result.commitment)),
        ],
    )


def redated(result: Redated) -> Rendered:
    """A reminder after "New date": the new due day, the buttons still there."""
    text = texts.redated(result)
    return Rendered(text=text, blocks=[section(text), commitment_buttons(result.commitment.id)])


def _sections(lines: list[str]) -> list[Block]:
    """Listed lines, up to `LISTED_PER_SECTION` in a section and never more than Slack's 3000
    characters (as escaped) in one: a long promise or note does not push the lines after it
    out of the message. A line is never split between two sections."""
    sections: list[Block] = []
    current: list[str] = []
    size = 0
    for line in lines:
        length = len(slack_text(line))
        if current and (len(current) == LISTED_PER_SECTION or size + 1 + length > MAX_SECTION_TEXT):
            sections.append(section("\n".join(current)))
            current, size = [], 0
        current.append(line)
        size += length + (1 if size else 0)
    if current:
        sections.append(section("\n".join(current)))
    return sections


def closed_listing(found: ClosedListing, *, this_year: int) -> Reply:
    """`commitments closed`: the latest closed first, how each ended, by whom, when and why."""
    if not found.items:
        empty = texts.closed_empty(found)
        return Reply(text=empty, blocks=[section(empty)])
    title = texts.closed_title(found)
    blocks: list[Block] = [header(title)]
    lines = [texts.closed_line(item, this_year) for item in found.items]
    blocks += _sections(lines)
    if found.more:
        blocks.append(context(texts.closed_more(found)))
    blocks.append(context(texts.closed_hint()))
    return Reply(text=title, blocks=blocks)


def listing(found: Listing, *, this_year: int) -> Reply:
    """`commitments`: open ones, overdue marked, the balance, lopsided partners."""
    title = texts.listing_title(found)
    if not found.items:
        blocks: list[Block] = [section(texts.listing_empty(found))]
        if found.partner is not None:
            blocks.append(context(texts.balance(found.balance, name=found.partner.name)))
        return Reply(text=texts.listing_empty(found), blocks=blocks)
    blocks = [header(title)]
    lines = [texts.line(item, this_year) for item in found.items]
    blocks += _sections(lines)
    if found.more:
        blocks.append(context(texts.listing_more(found)))
    name = found.partner.name if found.partner is not None else None
    blocks.append(context(texts.balance(found.balance, name=name)))
    for partner_name, side, share in found.lopsided:
        blocks.append(section(texts.lopsided_warning(side, share, partner_name)))
    if found.lopsided:
        blocks.append(context(texts.LOPSIDED_RULE))
    blocks.append(context(texts.listing_hint()))
    return Reply(text=texts.listing_text(found), blocks=blocks)


def partner_section(
    found: PartnerCommitments, cadence: CadenceState | None, *, tz: ZoneInfo, this_year: int
) -> list[Block]:
    """What `show` and `check` add about a partner: open commitments and the balance (once it
    has any), and where it stands with staying in touch. Balance and cadence each have their
    own context block: in one, Slack runs them together on a line."""
    blocks: list[Block] = []
    if found.balance.open or found.balance.closed:
        name = cadence.partner.name if cadence is not None else ""
        lines = [texts.line(item, this_year) for item in found.open[:SHOWN_ON_CARD]]
        if found.more:
            lines.append(
                f"…and {found.more} more: `{texts.COMMAND} commitments {in_command(name)}`"
            )
        blocks.append(section("*Open commitments*\n" + ("\n".join(lines) or "None.")))
        blocks.append(context(texts.balance(found.balance)))
    if cadence is not None:
        blocks.append(context(texts.cadence_state(cadence, tz)))
    side = found.balance.lopsided
    if side is not None:
        blocks.append(section(texts.lopsided_warning(side, found.balance.share(side))))
    return blocks


def cadence_answer(text: str) -> Reply:
    return Reply(text=text, blocks=[section(text)])


# --- What Liaison sends on its own --------------------------------------------------------------


def reminder(note: Reminder) -> Rendered:
    text = texts.reminder(note)
    return Rendered(
        text=text,
        blocks=[
            section(text),
            context(texts.reminder_why(note)),
            commitment_buttons(note.commitment.id),
        ],
    )


def assigned(note: Assigned) -> Rendered:
    text = texts.assigned(note)
    return Rendered(text=text, blocks=[section(text), commitment_buttons(note.commitment.id)])


def changed(note: Changed) -> Rendered:
    """To the owner: someone else closed or re-dated their commitment (buttons while open)."""
    text = texts.changed(note)
    blocks: list[Block] = [section(text)]
    if note.commitment.is_open:
        blocks.append(commitment_buttons(note.commitment.id))
    return Rendered(text=text, blocks=blocks)


def nudge(note: Nudge) -> Rendered:
    text = texts.nudge(note)
    value = str(note.state.partner.id)
    return Rendered(
        text=text,
        blocks=[
            section(text),
            context(texts.nudge_why(note)),
            actions(
                [
                    button(texts.LOG_TOUCHPOINT, LOG_TOUCHPOINT, value, style="primary"),
                    button(texts.SNOOZE, SNOOZE, value),
                ]
            ),
        ],
    )


def snoozed(state: CadenceState, *, by: str, tz: ZoneInfo) -> Reply:
    text = texts.snoozed(state, by, tz)
    value = str(state.partner.id)
    return Reply(
        text=text,
        blocks=[
            section(text),
            actions([button(texts.LOG_TOUCHPOINT, LOG_TOUCHPOINT, value, style="primary")]),
        ],
    )


def orphaned(note: Orphaned) -> Rendered:
    """Promises whose owner left with nobody to hear for them, and how to pick them up."""
    text = texts.orphaned(note)
    lines = [texts.line(item) for item in note.commitments]
    if note.more:
        lines.append(texts.orphaned_more(note))
    return Rendered(
        text=text,
        blocks=[section(text), *_sections(lines), context(texts.orphaned_hint(note))],
    )


class CommitmentBlocks:
    """The services' messages as Slack shows them (`CommitmentMessages`, `CadenceMessages`)."""

    def reminder(self, reminder_: Reminder) -> Rendered:
        return reminder(reminder_)

    def assigned(self, note: Assigned) -> Rendered:
        return assigned(note)

    def changed(self, note: Changed) -> Rendered:
        return changed(note)

    def orphaned(self, note: Orphaned) -> Rendered:
        return orphaned(note)

    def nudge(self, nudge_: Nudge) -> Rendered:
        return nudge(nudge_)


MESSAGES = CommitmentBlocks()


# --- Forms --------------------------------------------------------------------------------------


def commit_form(*, owner_id: str, private_metadata: str) -> dict[str, Any]:
    """The form `commit` opens: partner (type-ahead), side, owner, what, due day. The calendar
    starts on no day: one left as it opened would be due today, unasked."""
    sides = [option(texts.SIDE_LABELS[side], side) for side in texts.SIDES]
    return {
        "type": "modal",
        "callback_id": COMMIT_VIEW,
        "private_metadata": private_metadata,
        "title": plain(texts.FORM_TITLE),
        "submit": plain(texts.FORM_SUBMIT),
        "close": plain(texts.FORM_CLOSE),
        "blocks": [
            partner_picker(texts.FIELD_PARTNER, texts.FIELD_PARTNER_PLACEHOLDER),
            form_field(
                SIDE_FIELD,
                texts.FIELD_SIDE,
                {"type": "radio_buttons", "options": sides, "initial_option": sides[0]},
            ),
            form_field(
                OWNER_FIELD,
                texts.FIELD_OWNER,
                {"type": "users_select", "initial_user": owner_id},
                hint=texts.FIELD_OWNER_HINT,
            ),
            form_field(
                WHAT_FIELD,
                texts.FIELD_WHAT,
                {"type": "plain_text_input", "multiline": True, "max_length": MAX_WHAT},
                hint=texts.FIELD_WHAT_HINT,
            ),
            form_field(
                DUE_FIELD,
                texts.FIELD_DUE,
                {"type": "datepicker", "placeholder": plain(texts.FIELD_DUE_PLACEHOLDER)},
            ),
        ],
    }


def redate_form(item: CommitmentFacts, *, private_metadata: str) -> dict[str, Any]:
    """The "New date" form: the commitment, and a calendar on its current due day."""
    return {
        "type": "modal",
        "callback_id": REDATE_VIEW,
        "private_metadata": private_metadata,
        "title": plain(texts.REDATE_TITLE),
        "submit": plain(texts.REDATE_SUBMIT),
        "close": plain(texts.FORM_CLOSE),
        "blocks": [
            section(texts.redate_intro(item)),
            form_field(
                DUE_FIELD,
                texts.FIELD_NEW_DUE,
                {"type": "datepicker", "initial_date": f"{item.due_on}"},
            ),
        ],
    }


def side_of(value: Any) -> CommitmentSide:
    return CommitmentSide.THEM if value == CommitmentSide.THEM.value else CommitmentSide.US
