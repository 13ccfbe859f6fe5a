"""Block Kit for check-ins and pulse surveys: the DMs, their answered states, the debrief and
alert messages, the results, the forms, and the "pulse and check-in results" section for `show`
and `check`. Pure functions from plain values to blocks.

`MESSAGES` is what the services queue with (`bot.services.feedback.FeedbackMessages`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.services.channels import PassedOver
from bot.services.checkins import (
    MAX_NOTE,
    CheckInCard,
    Debrief,
    NoCheckIn,
    ProblemAlert,
    no_checkin,
    note_as_typed,
)
from bot.services.feedback import Rendered
from bot.services.surveys import (
    MAX_COMMENT,
    SCORES,
    CommentForm,
    CommentSaved,
    PartnerFeedback,
    QuestionCard,
    RoundResults,
    Schedule,
    SkippedRound,
    SurveyInvitation,
)
from handlers.blocks import actions, button, context, form_field, header, plain, section
from handlers.reply import Block, Reply
from handlers.texts import feedback as texts
from handlers.texts.partners import bold
from handlers.texts.touchpoints import posted_instead
from storage.models import CheckInAnswer, TouchpointKind

# Action ids (a suffix names the answer or the score; listeners match the prefix).
CHECKIN_ANSWER = "checkin_answer"
CHECKIN_NOTE = "checkin_note"
CHECKIN_MOVED = "checkin_moved"
CHECKIN_CHANGE = "checkin_change"
# "It was a meeting" under a contact logged without `via`.
CHECKIN_ASK = "checkin_ask"
SURVEY_SCORE = "survey_score"
SURVEY_WITHDRAW = "survey_withdraw"
SURVEY_COMMENT = "survey_comment"
# Views.
NOTE_VIEW = "checkin_note_form"
MOVE_VIEW = "checkin_moved_form"
COMMENT_VIEW = "survey_comment_form"
COMMENT_SAVED_VIEW = "survey_comment_saved"
# Form fields; each input's element has the action id `value`.
NOTE_FIELD = "note"
DATE_FIELD = "date"
COMMENT_FIELD = "comment"
FIELD_ACTION = "value"

ASKED = (CheckInAnswer.WENT_WELL, CheckInAnswer.MIXED, CheckInAnswer.PROBLEM)
LABELS = {
    CheckInAnswer.WENT_WELL: texts.WENT_WELL,
    CheckInAnswer.MIXED: texts.MIXED,
    CheckInAnswer.PROBLEM: texts.PROBLEM,
    CheckInAnswer.DIDNT_HAPPEN: texts.DIDNT_HAPPEN,
}
STYLES = {CheckInAnswer.WENT_WELL: "primary", CheckInAnswer.PROBLEM: "danger"}


# --- Elements -----------------------------------------------------------------------------------


def modal(
    callback_id: str, title: str, metadata: dict[str, Any], blocks: list[Block]
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": json.dumps(metadata),
        "title": plain(title),
        "submit": plain(texts.SAVE),
        "close": plain(texts.CANCEL),
        "blocks": blocks,
    }


def text_input(
    block_id: str, label: str, *, initial: str | None, hint: str, max_length: int
) -> Block:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "multiline": True,
        "max_length": max_length,
    }
    if initial:
        element["initial_value"] = initial
    return form_field(block_id, label, element, action_id=FIELD_ACTION, hint=hint, optional=True)


def field_of(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    """The state of a form's input `block_id` as submitted (empty when it is missing)."""
    values = (view.get("state") or {}).get("values") or {}
    state = (values.get(block_id) or {}).get(FIELD_ACTION)
    return state if isinstance(state, dict) else {}


def read_metadata(view: dict[str, Any]) -> dict[str, Any]:
    """The private metadata a form was opened with (empty when it is not ours)."""
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


# --- Check-ins ----------------------------------------------------------------------------------


def checkin(card: CheckInCard, *, reminder: bool = False) -> Rendered:
    """The check-in DM: the question and the answer buttons, or the answer given."""
    question = texts.checkin_reminder(card) if reminder else texts.checkin_question(card)
    blocks: list[Block] = [section(question)]
    value = str(card.checkin_id)
    if card.superseded and card.answer is None:
        blocks.append(context(f"{texts.checkin_superseded(card)} {texts.checkin_who(card)}"))
    elif card.expired and card.answer is None:
        blocks.append(context(f"{texts.checkin_expired()} {texts.checkin_who(card)}"))
    elif card.answer is None or card.editing:
        # A meeting this person moved is asked about after its new date: only another date.
        moved = card.answer is CheckInAnswer.MOVED
        buttons = [
            button(
                LABELS[answer], f"{CHECKIN_ANSWER}_{answer.value}", value, style=STYLES.get(answer)
            )
            for answer in ASKED
            if not moved
        ]
        if card.planned and not moved:
            buttons.append(
                button(
                    texts.DIDNT_HAPPEN,
                    f"{CHECKIN_ANSWER}_{CheckInAnswer.DIDNT_HAPPEN.value}",
                    value,
                )
            )
            buttons.append(button(texts.MOVED_TO, CHECKIN_MOVED, value))
        elif moved:
            buttons.append(button(texts.MOVED_TO, CHECKIN_MOVED, value))
        buttons.append(
            button(texts.EDIT_NOTE if card.note else texts.ADD_NOTE, CHECKIN_NOTE, value)
        )
        if card.answer is not None:
            # After *Change answer*: what stands meanwhile, and until when it may change.
            blocks.append(section(texts.checkin_changing(card)))
        if card.note:
            blocks.append(section(texts.checkin_note(card.note)))
        blocks.append(actions(buttons))
        blocks.append(context(texts.checkin_reason(card)))
    else:
        blocks.append(section(texts.checkin_answered(card)))
        if card.note:
            blocks.append(section(texts.checkin_note(card.note)))
        # Whose record it was stays in view: it tells this answer from one about another
        # meeting with the partner that day.
        said = [texts.checkin_who(card)]
        if card.settled:
            # Shown after the change window (a late click): no buttons that would only refuse.
            blocks.append(context(" ".join((*said, texts.checkin_settled(card)))))
        else:
            if card.changeable_until is not None:
                said.append(texts.checkin_change_until(card.changeable_until, card.tz))
            if waits := texts.checkin_problem_waits(card):
                said.append(waits)
            # One element: two would stand apart, a gap inside the sentence (QA21b NIT 12).
            blocks.append(context(" ".join(said)))
            note = texts.EDIT_NOTE if card.note else texts.ADD_NOTE
            blocks.append(
                actions(
                    [
                        button(texts.CHANGE, CHECKIN_CHANGE, value),
                        button(note, CHECKIN_NOTE, value),
                    ]
                )
            )
    return Rendered(text=question, blocks=blocks)


def note_form(card: CheckInCard, *, problem: bool) -> dict[str, Any]:
    """The note form (after Problem, it asks what went wrong)."""
    return modal(
        NOTE_VIEW,
        texts.PROBLEM_TITLE if problem else texts.NOTE_TITLE,
        {"checkin": card.checkin_id},
        [
            section(texts.checkin_question(card)),
            text_input(
                NOTE_FIELD,
                texts.NOTE_LABEL,
                initial=_typed_note(card),
                hint=texts.PROBLEM_HINT if problem else texts.NOTE_HINT,
                max_length=MAX_NOTE,
            ),
        ],
    )


def _typed_note(card: CheckInCard) -> str | None:
    """The note as typed (`@name`, not Slack's `<@U…>`); for a card made without the names
    (`CheckIns` always gives them), people by id."""
    return note_as_typed(card.note, {}) if card.typed_note is None else card.typed_note


def move_form(card: CheckInCard) -> dict[str, Any]:
    """ "Moved to…": a date picker."""
    return modal(
        MOVE_VIEW,
        texts.MOVE_TITLE,
        {"checkin": card.checkin_id},
        [
            section(texts.checkin_question(card)),
            form_field(
                DATE_FIELD,
                texts.MOVE_LABEL,
                {"type": "datepicker"},
                action_id=FIELD_ACTION,
                hint=texts.MOVE_HINT,
            ),
        ],
    )


def debrief_head(debrief: Debrief) -> Rendered:
    text = texts.debrief_head(debrief)
    return Rendered(text=text, blocks=[section(text)])


def debrief_line(debrief: Debrief) -> Rendered:
    text = texts.debrief_line(debrief)
    return Rendered(text=text, blocks=[section(text)])


def problem_alert(alert: ProblemAlert) -> Rendered:
    text = texts.problem_alert(alert)
    return Rendered(text=text, blocks=[section(text)])


# --- Pulse surveys ------------------------------------------------------------------------------


def checkin_expected(
    *,
    touchpoint_id: int,
    kind: TouchpointKind,
    medium: str | None,
    at: datetime,
    participants: tuple[str, ...],
    now: datetime,
) -> list[Block]:
    """Under a contact just logged: why no check-in will follow, if none will, and for one
    logged without `via`, the button that makes it a meeting."""
    reason = no_checkin(kind=kind, medium=medium, at=at, now=now)
    if reason is None:
        return []
    found: list[Block] = [context(texts.no_checkin(reason, participants))]
    if reason is NoCheckIn.NOT_A_MEETING:
        found.append(actions([button(texts.WAS_A_MEETING, CHECKIN_ASK, str(touchpoint_id))]))
    return found


def survey_invitation(invitation: SurveyInvitation) -> Rendered:
    text = texts.survey_invitation(invitation)
    return Rendered(
        text=text,
        blocks=[
            section(text),
            actions([button(texts.ADD_COMMENT, SURVEY_COMMENT, str(invitation.delivery_id))]),
        ],
    )


def survey_reminder(invitation: SurveyInvitation) -> Rendered:
    text = texts.survey_reminder(invitation)
    return Rendered(
        text=text,
        blocks=[
            section(text),
            actions([button(texts.ADD_COMMENT, SURVEY_COMMENT, str(invitation.delivery_id))]),
        ],
    )


def survey_question(card: QuestionCard) -> Rendered:
    """A statement with buttons 1–5 (the chosen one highlighted, and *Withdraw* beside them),
    or its closed state."""
    blocks: list[Block] = [section(texts.survey_question(card))]
    if card.score is not None:
        blocks.append(section(texts.survey_answer(card)))
    elif card.withdrawn and not card.closed:
        blocks.append(section(texts.SURVEY_WITHDRAWN))
    if card.closed:
        blocks.append(context(texts.SURVEY_CLOSED_AS_ENDED if card.ended else texts.SURVEY_CLOSED))
    else:
        buttons = [
            button(
                str(score),
                f"{SURVEY_SCORE}_{score}",
                f"{card.message_id}:{score}",
                style="primary" if score == card.score else None,
            )
            for score in SCORES
        ]
        if card.score is not None:
            # One who clicked has no reaction to remove: this takes the answer back.
            buttons.append(button(texts.WITHDRAW, SURVEY_WITHDRAW, str(card.message_id)))
        blocks.append(actions(buttons))
        blocks.append(context(texts.survey_hint(card)))
    return Rendered(text=texts.survey_question_fallback(card), blocks=blocks)


def read_score_value(value: str) -> tuple[int, int] | None:
    """A score button's value: (survey message id, score), or None when it is not ours."""
    message_id, _, score = value.partition(":")
    try:
        return int(message_id), int(score)
    except ValueError:
        return None


def comment_saved(saved: CommentSaved) -> dict[str, Any]:
    """The comment form once saved: what became of the comment, and nothing more to send."""
    return {
        "type": "modal",
        "callback_id": COMMENT_SAVED_VIEW,
        "title": plain(texts.COMMENT_TITLE),
        "close": plain(texts.DONE),
        "blocks": [section(texts.comment_saved(saved.partner_name, kept=saved.kept))],
    }


def comment_form(form: CommentForm) -> dict[str, Any]:
    return modal(
        COMMENT_VIEW,
        texts.COMMENT_TITLE,
        {"delivery": form.delivery_id},
        [
            section(bold(form.partner_name)),
            text_input(
                COMMENT_FIELD,
                texts.COMMENT_LABEL,
                initial=form.text,
                hint=texts.COMMENT_HINT,
                max_length=MAX_COMMENT,
            ),
        ],
    )


def results_blocks(results: RoundResults, *, rate: bool = True) -> list[Block]:
    """A round's results: averages per statement with the trend, the response rate (unless
    the message already said it), comments; or "not enough answers" below the anonymity
    threshold. Never a name."""
    if not results.enough:
        return [section(texts.not_enough(results, rate=rate))]
    lines = [texts.question_result(q) for q in results.questions]
    if rate:
        lines.insert(0, texts.response_rate(results).capitalize() + ".")
    blocks = [section("\n".join(lines))]
    comments = "\n".join(texts.comment_line(comment) for comment in results.comments)
    blocks.append(section(texts.comments_heading(len(results.comments)) + "\n" + comments))
    blocks.append(context(texts.results_footer(results)))
    return blocks


def round_report(results: RoundResults) -> Rendered:
    """The closed round, for the owner and the coordination channel."""
    lead = texts.round_report_lead(results)
    return Rendered(
        text=lead,
        blocks=[
            header(texts.results_title(results)),
            section(lead),
            *results_blocks(results, rate=False),
        ],
    )


# --- `survey NAME [now]`, `show`, `check` -------------------------------------------------------


def schedule(found: Schedule, *, lead: str | None = None) -> Reply:
    """`survey NAME`: cadence, next round, the round running, and the last results."""
    lines = texts.schedule_lines(found)
    if lead is not None:
        lines.insert(0, lead)
    blocks = [section("\n".join(lines))]
    if found.last is not None:
        blocks.append(section(texts.results_heading(found.last)))
        blocks.extend(results_blocks(found.last))
    return Reply(text=lines[0], blocks=blocks)


def feedback_section(summary: PartnerFeedback) -> list[Block]:
    """Pulse and check-in results of one partner, to put inside `show` and `check`."""
    lines = [texts.feedback_heading(summary), texts.checkin_counts(summary.checkins)]
    if summary.open_round is not None:
        lines.append(texts.running(summary.open_round, summary.tz))
    if summary.pulse is None:
        lines.append(texts.no_pulse_yet())
        return [section("\n".join(lines))]
    lines.append(texts.LAST_PULSE)
    return [section("\n".join(lines)), *results_blocks(summary.pulse)]


class FeedbackBlocks:
    """The wording the feedback services queue messages with."""

    def checkin(self, card: CheckInCard) -> Rendered:
        return checkin(card)

    def checkin_reminder(self, card: CheckInCard) -> Rendered:
        return checkin(card, reminder=True)

    def debrief_head(self, debrief: Debrief) -> Rendered:
        return debrief_head(debrief)

    def debrief_line(self, debrief: Debrief) -> Rendered:
        return debrief_line(debrief)

    def problem_alert(self, alert: ProblemAlert) -> Rendered:
        return problem_alert(alert)

    def survey_invitation(self, invitation: SurveyInvitation) -> Rendered:
        return survey_invitation(invitation)

    def survey_question(self, card: QuestionCard) -> Rendered:
        return survey_question(card)

    def survey_reminder(self, invitation: SurveyInvitation) -> Rendered:
        return survey_reminder(invitation)

    def survey_ended(self, partner_name: str) -> Rendered:
        text = texts.survey_ended(partner_name)
        return Rendered(text=text, blocks=[section(text)])

    def round_report(self, results: RoundResults) -> Rendered:
        return round_report(results)

    def posted_instead(self, passed: Sequence[PassedOver], *, partner: str) -> Rendered:
        text = posted_instead(passed, partner=partner, what="survey results come")
        return Rendered(text=text, blocks=[context(text)])

    def round_skipped(self, skipped: SkippedRound) -> Rendered:
        text = texts.round_skipped(skipped)
        return Rendered(text=text, blocks=[section(text)])


MESSAGES = FeedbackBlocks()
