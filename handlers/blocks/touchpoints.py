"""Block Kit for touchpoints: the answers to `log`, `plan`, `intend` and `check`, the messages
Liaison queues about them (the `Renderer` the touchpoint service words its messages with), the
intent's buttons, "Register it", and the "Log a touchpoint" form. Pure functions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from bot.services.channels import PassedOver
from bot.services.registry import PartnerFacts, Similar
from bot.services.touchpoints import (
    MAX_NOTES,
    AskerNote,
    Briefing,
    CollisionAlert,
    IntentOutcome,
    LaterNote,
    Message,
    OwnerNote,
    Recorded,
    Touch,
    Upcoming,
    WelcomeBack,
)
from handlers.blocks import (
    MAX_BUTTON_VALUE,
    actions,
    button,
    context,
    fields,
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
from handlers.blocks import feedback as feedback_blocks
from handlers.blocks import partners as partner_blocks
from handlers.blocks.partners import PICK
from handlers.reply import Block, Reply
from handlers.texts import absence as absence_texts
from handlers.texts import partners as partner_texts
from handlers.texts import touchpoints as texts
from storage.models import IntentAnswer, TouchpointKind, TouchpointMedium

# Action ids.
CHECK = "touchpoint_check"
REGISTER = "touchpoint_register"
INTENT_ACTIONS = {
    "intent_go_ahead": IntentAnswer.GO_AHEAD,
    "intent_handle_it": IntentAnswer.HANDLE_IT,
    "intent_talk_first": IntentAnswer.TALK_FIRST,
}
LOG_VIEW = "touchpoint_log"
# The same form opened from the App Home, under its own callback id so its answer goes there.
HOME_LOG_VIEW = "home_touchpoint_log"
# The forms that log a touchpoint, whose partner picker may offer to register a new partner
# (other forms share the picker, and need a registered partner).
LOGGING_VIEWS = frozenset({LOG_VIEW, HOME_LOG_VIEW})

# Block ids of the form; each input's element has the action id `value`, except the partner
# picker, whose suggestions are asked for by its own action id.
MEDIUM_FIELD = "medium"
DATE_FIELD = "date"
CONTACT_FIELD = "contact"
COLLEAGUES_FIELD = "colleagues"
NOTES_FIELD = "notes"
FIELD_ACTION = "value"

MAX_OPTIONS = 20
# Slack's limit on an option's value.
MAX_OPTION_VALUE = 150
# The partner picker's value for a name to register, before the name itself (a registered
# partner's value is its id: digits only).
NEW_PARTNER = "new:"


def brief_me(partner_id: int, name: str) -> dict[str, Any]:
    return button(f"{texts.BRIEF_ME} on {name}", CHECK, str(partner_id))


# --- The caller's answers -----------------------------------------------------------------------


def recorded(result: Recorded, *, now: datetime) -> Reply:
    """The answer to `log`, `plan` or `intend`: what was recorded, who else is in touch, who was
    told."""
    if result.open_since is not None:
        again = texts.asked_already(result, now=now)
        return Reply(text=again, blocks=[section(again)])
    if result.twin_at is not None:
        twice = texts.recorded_twice(result, now=now)
        answer: list[Block] = [section(twice)]
        if result.touch.kind is not TouchpointKind.INTENDED:
            answer.append(context(texts.tell_twins_apart(result, tz=result.tz, now=now)))
        return Reply(text=twice, blocks=answer)
    lead = texts.recorded_lead(result, now=now)
    if result.registered:
        lead = f"{texts.registered(result.partner.name)}\n{lead}"
    blocks: list[Block] = [section(lead)]
    touch = result.touch
    if touch.notes and touch.kind is not TouchpointKind.INTENDED:
        blocks.append(context(texts.quote(touch.notes)))
    blocks.extend(
        feedback_blocks.checkin_expected(
            touchpoint_id=touch.id,
            kind=touch.kind,
            medium=touch.medium,
            at=touch.at,
            participants=touch.participants,
            now=now,
        )
    )
    # The caller, covering themselves, is not sent to themselves.
    covering = result.covering if result.covering != touch.author_id else None
    coordinate = ""
    if result.clashes:
        # Every collision known to the caller already (no alert): said calmly, not warned of.
        known = result.already_known is not None
        coordinate = texts.coordinate_with(
            result.clashes,
            reader=touch,
            owner=result.partner.owner_id,
            covering=covering,
            known=known,
        )
        lines = texts.clash_lines(result.clashes, tz=result.tz, now=now)
        heading = texts.clashes_heading(result.partner, known=known)
        blocks.append(section(f"{heading}\n{lines}\n{coordinate}"))
        blocks.append(context(texts.alert_said(result)))
    told = texts.owner_told(result)
    if told is not None:
        blocks.append(section(told))
    still_open = texts.open_questions(result)
    if still_open is not None:
        blocks.append(section(still_open))
    for intent in result.overtaken:
        blocks.append(section(texts.answer_overtaken(intent, tz=result.tz, now=now)))
    if result.zone_guessed:
        blocks.append(partner_blocks.zone_note(result.tz))
    fallback = lead
    if result.clashes:
        fallback += " " + coordinate
    return Reply(text=fallback, blocks=blocks)


def briefing(found: Briefing, *, now: datetime) -> Reply:
    """`check`: owner, deputy, team, who was in touch lately, what is planned, intents."""
    facts, tz = found.partner, found.tz
    title = texts.briefing_title(facts)
    blocks: list[Block] = [
        header(title),
        fields(
            (partner_texts.OWNER, partner_texts.person(facts.owner_id)),
            (
                partner_texts.DEPUTY,
                partner_texts.person(facts.deputy_id) if facts.deputy_id else partner_texts.NOT_SET,
            ),
            (partner_texts.TEAM, partner_texts.people(found.members)),
            (partner_texts.STATUS, partner_texts.status(facts.status)),
            # Counted on the reader's calendar, as the lines below are dated.
            (partner_texts.LAST_CONTACT, texts.last_contact(found, now.astimezone(tz))),
        ),
    ]
    # Under "Lately", the colleagues in touch whom it leaves out.
    others = texts.others_in_touch(found, now=now)
    for heading, touches, empty, after in (
        (texts.RECENT, found.recent, texts.NO_RECENT, others),
        (texts.PLANNED, found.planned, texts.NO_PLANNED, None),
        (texts.intents_heading(found.window_days), found.intents, None, None),
    ):
        if not touches and empty is None:
            continue
        lines = (
            texts.listed(texts.touch_line(t, tz=tz, now=now, reader=found.reader) for t in touches)
            or empty
        )
        if after is not None:
            lines = f"{lines}\n{after}"
        blocks.append(section(f"*{heading}*\n{lines}"))
    blocks.append(context(texts.briefing_advice(found)))
    if found.zone_guessed:
        blocks.append(partner_blocks.zone_note(found.tz))
    return Reply(text=texts.briefing_fallback(facts), blocks=blocks)


def upcoming_section(found: Upcoming, *, now: datetime) -> list[Block]:
    """Below the profile card (`show`): the planned contacts ahead, or that there are none."""
    lines = texts.listed(texts.touch_line(t, tz=found.tz, now=now) for t in found.planned)
    return [section(f"*{texts.NEXT}*\n{lines or texts.NO_PLANNED}")]


# --- "Register it" ------------------------------------------------------------------------------


def register_value(
    *, name: str, line: str, key: str | None, typed_at: datetime, anyway: bool = False
) -> str | None:
    """The "Register it" button's value: the partner's name, the command line to run once it is
    registered, the request key of the original command (so a second click logs nothing
    twice), when it was typed (whole seconds since the epoch) and, from "Register anyway",
    that a likely duplicate was shown and registered all the same. None when it would not fit
    in a button."""
    data: dict[str, Any] = {"name": name, "line": line, "key": key, "at": int(typed_at.timestamp())}
    if anyway:
        data["anyway"] = True
    value = json.dumps(data, ensure_ascii=False)
    return value if len(value) <= MAX_BUTTON_VALUE else None


@dataclass(frozen=True)
class RegisterClick:
    """What "Register it" carries: see `register_value`."""

    name: str
    line: str
    key: str | None
    typed_at: datetime | None  # None from buttons made before the time was kept
    anyway: bool = False


def read_register_value(value: str) -> RegisterClick | None:
    try:
        data = json.loads(value)
        key, at = data.get("key"), data.get("at")
        return RegisterClick(
            name=str(data["name"]),
            line=str(data["line"]),
            key=None if key is None else str(key),
            typed_at=None if at is None else datetime.fromtimestamp(int(at), UTC),
            anyway=data.get("anyway") is True,
        )
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError):
        return None


def register_duplicate(
    name: str, similar: Sequence[Similar], picks: Sequence[str | None], anyway: str | None
) -> Reply:
    """ "Register it" for a name like partners we have (as `add` judges it): those partners
    first, each a button recording the line with it (`picks`, its "Did you mean" value, None
    when it would not fit), then "Register anyway" (`anyway`, its value)."""
    text = texts.register_duplicate(name)
    lines = [partner_texts.similar_line(item.facts, item.by, item.label) for item in similar]
    buttons = [
        button(item.facts.name, f"{PICK}_{number}", pick)
        for number, (item, pick) in enumerate(zip(similar, picks, strict=True))
        if pick is not None
    ]
    if anyway is not None:
        buttons.append(button(texts.REGISTER_ANYWAY, REGISTER, anyway, style="danger"))
    blocks = [section(text), section("\n".join(lines))]
    if buttons:
        blocks.append(actions(buttons))
    return Reply(text=f"{text} " + "; ".join(lines), blocks=blocks)


@dataclass(frozen=True)
class FixedLine:
    """A line whose known partner's name is followed by a clause's word or medium typed a
    letter off (`slip`), as it reads with `keyword` in its place (`line`, typed at `typed_at`)."""

    partner: str
    slip: str
    keyword: str
    line: str
    typed_at: datetime


def with_fixed_line(reply: Reply, fixed: FixedLine) -> Reply:
    """The explanation of words a verb does not take after a partner's name, with a button
    running the line with the word put right (a "Did you mean" pick)."""
    value = partner_blocks.pick_value(fixed.line, typed_at=fixed.typed_at)
    if len(value) > MAX_BUTTON_VALUE:
        return reply
    hint = texts.fixed_line_hint(fixed.partner, fixed.slip, fixed.keyword)
    return replace(
        reply,
        text=f"{reply.text}\n{hint}",
        blocks=[*reply.blocks, context(hint), actions([button(fixed.partner, f"{PICK}_0", value)])],
    )


def with_hint(reply: Reply, hint: str) -> Reply:
    """A refusal with one more line of help under it."""
    return replace(reply, blocks=[*reply.blocks, context(hint)], text=f"{reply.text}\n{hint}")


def with_register(reply: Reply, *, query: str, value: str) -> Reply:
    """A "Did you mean" answer with one more way out: register the name as a new partner. The
    answer that nobody goes by the name then leaves registering to the button."""
    register = button(f"{texts.REGISTER}: {query}", REGISTER, value, style="primary")
    blocks = list(reply.blocks)
    told = partner_texts.unknown_partner(query, False)
    if blocks and blocks[0].get("text", {}).get("text") == told:
        shorter = partner_texts.unknown_partner(query, False, register_button=True)
        blocks[0] = section(shorter)
        reply = replace(reply, text=reply.text.replace(told, shorter, 1))
    if blocks and blocks[-1].get("type") == "actions":
        blocks[-1] = actions([*blocks[-1]["elements"], register])
    else:
        blocks.append(actions([register]))
    blocks.insert(-1, context(texts.register_hint(query)))
    return replace(reply, blocks=blocks)


# --- What Liaison sends on its own --------------------------------------------------------------


class SlackRenderer:
    """The touchpoint service's messages as Slack shows them (`bot.services.touchpoints`)."""

    def collision_alert(self, alert: CollisionAlert) -> Message:
        facts = alert.partner
        text = texts.alert_text(
            facts,
            alert.touch,
            alert.clashes,
            threaded=alert.threaded,
            recorded_at=alert.recorded_at,
            tz=alert.tz,
        )
        ask = texts.alert_ask(
            facts,
            alert.touch,
            alert.clashes,
            covering=alert.covering,
            owner_away_until=alert.owner_away_until,
            cover_out_of_reach=alert.cover_out_of_reach,
        )
        return Message(
            text=texts.alert_fallback(facts, alert.touch, alert.clashes),
            blocks=[section(text), section(ask), actions([brief_me(facts.id, facts.name)])],
        )

    def owner_note(self, note: OwnerNote) -> Message:
        facts, touch = note.partner, note.touch
        text = texts.owner_note(
            facts,
            touch,
            note.recipient,
            tz=note.tz,
            written=note.recorded_at,
            revived=note.revived,
        )
        blocks = [section(text), *self._also_in_touch(note)]
        blocks.append(actions([brief_me(facts.id, facts.name)]))
        return Message(text=text, blocks=blocks)

    def intent_ask(self, note: OwnerNote) -> Message:
        facts, touch = note.partner, note.touch
        if note.withdrawn:
            # Withdrawn after a handover: what it asked, and who has it now; no buttons.
            text = texts.intent_handed_over(
                facts, touch, note.handed_to, merged_from=note.merged_from
            )
            return Message(text=text, blocks=[section(text)])
        if touch.answer is IntentAnswer.LOGGED:
            # Its asker logged the contact before an answer: no buttons any more.
            text = texts.intent_followed(facts, touch)
            return Message(
                text=text, blocks=[section(text), actions([brief_me(facts.id, facts.name)])]
            )
        if touch.answer is IntentAnswer.ENDED:
            # The partnership ended before an answer: nothing to answer or to brief on.
            text = texts.intent_partner_ended(facts, touch)
            return Message(text=text, blocks=[section(text)])
        text = texts.intent_question(facts, touch, note.recipient)
        blocks = [section(text), *self._also_in_touch(note)]
        blocks.append(intent_buttons(touch))
        if touch.answer is IntentAnswer.LAPSED:
            blocks.append(context(texts.intent_lapsed(touch, tz=note.tz)))
        elif deadline := texts.intent_deadline(touch, tz=note.tz, cover_then=note.cover_then):
            blocks.append(context(deadline))
        return Message(text=text, blocks=blocks)

    @staticmethod
    def _also_in_touch(note: OwnerNote) -> list[Block]:
        if not note.clashes:
            return []
        lines = texts.also_in_touch(
            note.clashes, tz=note.tz, recorded_at=note.recorded_at, reader=note.recipient
        )
        return [section(lines)]

    def moved_near(self, note: OwnerNote) -> Message:
        text = texts.moved_near(note.partner, note.touch, tz=note.tz, now=note.recorded_at)
        return self._near(note, text)

    def revived_near(self, note: OwnerNote) -> Message:
        text = texts.revived_near(note.partner, note.touch, tz=note.tz, now=note.recorded_at)
        return self._near(note, text)

    def _near(self, note: OwnerNote, text: str) -> Message:
        """A heads-up to whoever changed a plan (`text`), with the contacts it comes near."""
        facts = note.partner
        return Message(
            text=text,
            blocks=[
                section(text),
                *self._also_in_touch(note),
                section(texts.coordinate_with(note.clashes, reader=note.touch)),
                actions([brief_me(facts.id, facts.name)]),
            ],
        )

    def asker_note(self, note: AskerNote) -> Message:
        facts = note.partner
        text = texts.asker_note(
            facts,
            note.touch,
            late=note.late,
            tz=note.tz,
            logged_since=note.logged_since,
            logged_by=note.logged_by,
            reopening=note.reopening,
            going_along=note.going_along,
            reader=note.reader,
        )
        return Message(text=text, blocks=[section(text), actions([brief_me(facts.id, facts.name)])])

    def intent_later(self, note: LaterNote) -> Message:
        facts = note.partner
        text = texts.intent_later(
            facts,
            note.touch,
            away_until=note.away_until,
            tz=note.tz,
            new_owner=note.new_owner,
            covering_for=note.covering_for,
            merged_from=note.merged_from,
            sooner=note.sooner,
            back=note.back,
            instead_of=note.instead_of,
            going_along=note.going_along,
        )
        return Message(text=text, blocks=[section(text), actions([brief_me(facts.id, facts.name)])])

    def refused_elsewhere(self, facts: PartnerFacts, passed: Sequence[PassedOver]) -> Message:
        text = texts.refused_elsewhere(facts, passed)
        return Message(text=text, blocks=[context(text)])

    def welcome_back(self, note: WelcomeBack) -> Message:
        """What colleagues did while the person was away: a line per partner, each with its
        "Brief me" beside it (a button's action id is unique only within its block)."""
        lead = absence_texts.welcome_back(note.away, tz=note.tz, now=note.now)
        shown = note.partners[: absence_texts.WHILE_AWAY_PARTNERS]
        heading = f"{lead}\n{absence_texts.WHILE_AWAY}" if note.partners else lead
        blocks: list[Block] = [section(heading)]
        for partner in shown:
            line = absence_texts.while_away_lines([partner])[0]
            blocks.append({**section(line), "accessory": brief_me(partner.id, partner.name)})
        more = len(note.partners) - len(shown)
        if more > 0:
            blocks.append(context(f"{absence_texts.more_partners(more)} {absence_texts.CHECK_ONE}"))
        text = "\n".join(
            filter(
                None,
                [
                    lead,
                    absence_texts.while_away(note.partners),
                    absence_texts.problems_while_away(note.problems, tz=note.tz),
                ],
            )
        )
        if note.problems:
            blocks.append(section(absence_texts.problems_while_away(note.problems, tz=note.tz)))
        return Message(text=text, blocks=blocks)


RENDERER = SlackRenderer()


def intent_buttons(touch: Touch) -> Block:
    styles = {IntentAnswer.GO_AHEAD: "primary"}
    return actions(
        [
            button(texts.ANSWER_LABELS[answer], action_id, str(touch.id), style=styles.get(answer))
            for action_id, answer in INTENT_ACTIONS.items()
        ]
    )


def intent_answered(outcome: IntentOutcome) -> list[Block]:
    """The owner's question once answered: the question and the answer, no more buttons."""
    facts = outcome.partner
    return [section(texts.intent_answered(outcome)), actions([brief_me(facts.id, facts.name)])]


# --- The "Log a touchpoint" form ----------------------------------------------------------------


def log_form(*, today: date, private_metadata: str) -> dict[str, Any]:
    """The form `log` opens: partner (type-ahead), kind, date, contact, colleagues, notes."""
    mediums = [option(texts.MEDIUM_LABELS[m.value], m.value) for m in TouchpointMedium]
    return {
        "type": "modal",
        "callback_id": LOG_VIEW,
        "private_metadata": private_metadata,
        "title": plain(texts.FORM_TITLE),
        "submit": plain(texts.FORM_SUBMIT),
        "close": plain(texts.FORM_CLOSE),
        "blocks": [
            partner_picker(texts.FIELD_PARTNER, texts.FIELD_PARTNER_PLACEHOLDER),
            form_field(
                MEDIUM_FIELD,
                texts.FIELD_MEDIUM,
                # No kind chosen for the person: a quick submit logged a meeting, and a
                # check-in nobody meant (QA20c BUG 7). Slack asks for one before sending.
                {
                    "type": "static_select",
                    "options": mediums,
                    "placeholder": plain(texts.PICK_A_KIND_PLACEHOLDER),
                },
            ),
            form_field(
                DATE_FIELD, texts.FIELD_DATE, {"type": "datepicker", "initial_date": f"{today}"}
            ),
            form_field(
                CONTACT_FIELD,
                texts.FIELD_CONTACT,
                {"type": "plain_text_input", "max_length": 254},
                hint=texts.FIELD_CONTACT_HINT,
                optional=True,
            ),
            form_field(
                COLLEAGUES_FIELD,
                texts.FIELD_COLLEAGUES,
                {"type": "multi_users_select"},
                optional=True,
            ),
            form_field(
                NOTES_FIELD,
                texts.FIELD_NOTES,
                {"type": "plain_text_input", "multiline": True, "max_length": MAX_NOTES},
                hint=texts.FIELD_NOTES_HINT,
            ),
        ],
    }


def partner_options(
    found: Sequence[tuple[int, str, str]], *, unregistered: str | None = None
) -> list[dict[str, Any]]:
    """Type-ahead options: each partner once, by name, with the alias that matched; last, when
    `unregistered` is given, registering that name (a name too long to fit is refused when the
    form is sent, as `add` refuses it)."""
    options = []
    for partner_id, name, label in found[:MAX_OPTIONS]:
        shown = name if label == name else f"{name} ({label})"
        options.append(option(shown, str(partner_id)))
    if unregistered:
        value = (NEW_PARTNER + unregistered)[:MAX_OPTION_VALUE]
        options.append(option(texts.register_option(unregistered), value))
    return options


def new_partner_of(value: str) -> str | None:
    """The name to register that a picked option stands for (None: a registered partner)."""
    return value.removeprefix(NEW_PARTNER) if value.startswith(NEW_PARTNER) else None
