"""Check-ins and pulse surveys in Slack: the answer buttons and forms of check-in DMs, the score
buttons and reactions of survey DMs, and the `/partner survey NAME [now|CADENCE]` verb.

Every listener acknowledges first. Clicks are applied after the ack, then the DM is updated in
place (`chat.update`); form submissions are saved before the ack (a database write, so a closed
check-in can be refused inside the form) and the DM is updated after it. Reactions are
acknowledged at once and applied after the ack.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.delivery.dispatcher import ON_CHANNEL_REFUSED, error_code
from bot.mrkdwn import slack_text
from bot.runtime import Runtime
from bot.scheduler import PlannerRegistry
from bot.services import checkins as checkin_service
from bot.services import surveys as survey_service
from bot.services.checkins import (
    MAX_NOTE,
    AlreadyMoved,
    CheckInCard,
    CheckInClosed,
    CheckInError,
    CheckIns,
    CheckInUpdate,
    MadeMeeting,
    MovedToPast,
    NoteTooLong,
    NotMoved,
    NotPlanned,
    NotYourCheckIn,
)
from bot.services.feedback import Cadence
from bot.services.partner_parts import (
    DEPUTY_PARTS,
    END_PARTS,
    HANDOVER_PARTS,
    MERGE_PARTS,
    RENAME_PARTS,
)
from bot.services.registry import Actor
from bot.services.surveys import (
    MAX_COMMENT,
    CommentTooLong,
    NobodyToAsk,
    NotAllowedToSetCadence,
    NotAllowedToStart,
    NotYours,
    OfAnotherWorkspace,
    OffStatement,
    PartnerEnded,
    QuestionCard,
    RoundClosed,
    RoundInProgress,
    Surveys,
    TooFewToAsk,
    score_of_emoji,
)
from bot.services.touchpoints import PlanChange
from bot.slack_errors import SLACK_CALL_ERRORS
from handlers import grammar
from handlers.blocks import feedback as blocks
from handlers.blocks import picked_day
from handlers.blocks.partners import say
from handlers.context import runtime_of
from handlers.grammar import GrammarError, Name
from handlers.invocation import Invocation, VerbHandler
from handlers.partners import (
    CARD_SECTIONS,
    Call,
    refused,
    verb_handler,
)
from handlers.reply import Block, Reply, refuse_fields
from handlers.texts import feedback as texts
from handlers.texts import partners as partner_texts
from handlers.touchpoints import service_of as touchpoints_of
from handlers.verbs import VERBS_BY_NAME
from storage.models import CheckInAnswer

logger = logging.getLogger(__name__)


def surveys_of(runtime: Runtime) -> Surveys:
    return survey_service.service_for(runtime, blocks.MESSAGES)


def checkins_of(runtime: Runtime) -> CheckIns:
    return checkin_service.service_for(runtime, blocks.MESSAGES)


# --- `/partner survey NAME [now|CADENCE]` --------------------------------------------------------


# The last word of `survey NAME WORD`: what to do with the partner's pulse survey.
NOW = "now"
FOLLOW_WORKSPACE = "default"
SURVEY_WORDS = (NOW, FOLLOW_WORKSPACE, *(cadence.value for cadence in Cadence))


@dataclass(frozen=True)
class SurveyLine:
    name: Name
    # None: show the schedule; "now": start a round; else a cadence or "default".
    word: str | None


def parse_survey(text: str) -> SurveyLine:
    """`NAME [now|monthly|quarterly|off|default]`; quote a name that ends in one of the words."""
    tokens = grammar.tokenize(text)
    word = (
        tokens[-1].text.lower() if len(tokens) > 1 and tokens[-1].is_word(*SURVEY_WORDS) else None
    )
    name = grammar.whole_name(tokens[:-1] if word else tokens)
    if name is None or not name.text:
        raise GrammarError(texts.SURVEY_WHICH_PARTNER)
    return SurveyLine(name=name, word=word)


def survey(call: Call) -> Reply:
    line = parse_survey(call.rest)
    service = surveys_of(call.runtime)
    invocation = call.invocation
    partner = call.partner(line.name)
    if line.word is None:
        return blocks.schedule(
            service.schedule(team_id=call.team_id, user_id=invocation.user_id, partner=partner)
        )
    if line.word != NOW:
        cadence = None if line.word == FOLLOW_WORKSPACE else Cadence(line.word)
        try:
            changed = service.set_cadence(actor=call.actor, partner=partner, cadence=cadence)
        except NotAllowedToSetCadence as refusal:
            return refused(
                call.runtime, call.team_id, partial(texts.not_allowed_to_set_cadence, refusal.facts)
            )
        return blocks.schedule(changed, lead=texts.cadence_set(changed))
    try:
        started = service.start_now(
            actor=call.actor,
            partner=partner,
            request_key=invocation.trigger_id or uuid.uuid4().hex,
        )
    except NotAllowedToStart as refusal:
        return refused(
            call.runtime, call.team_id, partial(texts.not_allowed_to_start, refusal.facts)
        )
    except PartnerEnded as ended:
        return say(texts.ended_not_surveyed(ended.facts))
    except RoundInProgress as running:
        return say(texts.round_in_progress(running.facts, running.running, running.tz))
    except NobodyToAsk as nobody:
        return say(texts.nobody_to_ask(nobody.facts, nobody.away))
    except TooFewToAsk as too_few:
        assert too_few.facts is not None
        return say(texts.too_few_to_ask(too_few.facts, too_few.found))
    return say(texts.started(started, reader=call.actor.user_id))


VERB_HANDLERS: dict[str, VerbHandler] = {"survey": verb_handler(survey, VERBS_BY_NAME["survey"])}


# --- After the ack: showing what changed --------------------------------------------------------


def update_message(
    client: WebClient, *, channel: str, ts: str, text: str, blocks: list[Any]
) -> bool:
    """Show a DM's new state in place; False, logged, when Slack refused (the answer is saved
    anyway)."""
    try:
        client.chat_update(channel=channel, ts=ts, text=slack_text(text), blocks=blocks)
    except SlackApiError as error:
        logger.warning("chat.update of a feedback message failed: %s", error_code(error))
        return False
    except SLACK_CALL_ERRORS as error:
        logger.warning(
            "chat.update of a feedback message could not reach Slack: %s", type(error).__name__
        )
        return False
    return True


def show_question(client: WebClient, *, channel: str, ts: str, card: QuestionCard) -> bool:
    shown = blocks.survey_question(card)
    return update_message(client, channel=channel, ts=ts, text=shown.text, blocks=shown.blocks)


def tell(respond: Respond, text: str) -> None:
    """A short private answer to the person who clicked."""
    respond(text=slack_text(text), response_type="ephemeral", replace_original=False)


def tell_in(client: WebClient, *, channel: str, user_id: str, text: str) -> None:
    """A short private note in a channel (a reaction has no response_url to answer); a failure
    is logged."""
    try:
        client.chat_postEphemeral(channel=channel, user=user_id, text=slack_text(text))
    except SlackApiError as error:
        logger.warning("chat.postEphemeral of a feedback note failed: %s", error_code(error))
    except SLACK_CALL_ERRORS as error:
        logger.warning(
            "chat.postEphemeral of a feedback note could not reach Slack: %s",
            type(error).__name__,
        )


def show_checkin(
    client: WebClient, update: CheckInUpdate, *, also: tuple[str, str] | None = None
) -> bool:
    """Update every message that shows the check-in (and `also`, the one clicked), and those
    of the check-ins the change closed (other people's, about a meeting moved). False when
    Slack did not update `also`."""
    shown = blocks.checkin(update.card)
    places = {(where.channel, where.ts) for where in update.shown_in}
    if also is not None:
        places.add(also)
    also_shown = True
    for channel, ts in sorted(places):
        updated = update_message(
            client, channel=channel, ts=ts, text=shown.text, blocks=shown.blocks
        )
        if (channel, ts) == also:
            also_shown = updated
    for closed in update.closed:
        show_checkin(client, closed)
    return also_shown


def open_form(client: WebClient, respond: Respond, *, trigger_id: str | None, view: Any) -> None:
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as error:
        logger.warning("views.open of a feedback form failed: %s", error_code(error))
        tell(respond, texts.FORM_FAILED)
    except SLACK_CALL_ERRORS as error:
        logger.warning(
            "views.open of a feedback form could not reach Slack: %s", type(error).__name__
        )
        tell(respond, texts.FORM_FAILED)


def _refusal(error: CheckInError) -> str:
    if isinstance(error, NotYourCheckIn):
        return texts.NOT_YOURS
    if isinstance(error, NotPlanned):
        return texts.NOT_PLANNED
    if isinstance(error, NotMoved):
        return texts.NOT_MOVED
    if isinstance(error, MovedToPast):
        return texts.MOVED_TO_PAST
    if isinstance(error, AlreadyMoved):
        return texts.ALREADY_MOVED
    if isinstance(error, NoteTooLong):
        return partner_texts.too_long("note", error.length, MAX_NOTE)
    if isinstance(error, CheckInClosed):
        return texts.checkin_settled(error.card)
    return texts.GONE


# --- Buttons: acknowledged at once, applied after the ack ---------------------------------------


@dataclass(frozen=True)
class Click:
    """A click on a button of a feedback DM, as the work after the ack needs it."""

    team_id: str
    user_id: str
    action_id: str
    value: str
    action_ts: str
    trigger_id: str | None
    # The message clicked (channel, ts), to update in place.
    message: tuple[str, str] | None
    # Clicked on the App Home: there is no message (nor response_url) to answer.
    on_home: bool = False

    @classmethod
    def of(cls, body: dict[str, Any], action: dict[str, Any]) -> Click:
        container = body.get("container") or {}
        channel, ts = container.get("channel_id"), container.get("message_ts")
        return cls(
            team_id=body["team"]["id"],
            user_id=body["user"]["id"],
            action_id=str(action.get("action_id") or ""),
            value=str(action.get("value") or ""),
            action_ts=str(action.get("action_ts") or ""),
            trigger_id=body.get("trigger_id"),
            message=(str(channel), str(ts)) if channel and ts else None,
            on_home=(body.get("view") or {}).get("type") == "home",
        )

    @property
    def checkin_id(self) -> int:
        """The check-in a check-in button is about (ValueError when the value is not ours)."""
        return int(self.value)


# What a button does after the ack.
ClickWork = Callable[[Runtime, Click, WebClient, Respond], None]


def after_ack(work: ClickWork, *, what: str) -> Callable[..., None]:
    """A Bolt listener that acks at once and does `work` after the ack."""

    def listener(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        context: BoltContext,
        client: WebClient,
        respond: Respond,
    ) -> None:
        ack()
        runtime = runtime_of(context)
        runtime.defer(partial(work, runtime, Click.of(body, action), client, respond), what=what)

    return listener


# --- Check-in buttons and forms -----------------------------------------------------------------

# What a check-in button asks of the service; the form it may open next.
CheckInCall = Callable[[Runtime, Click], CheckInUpdate]
Form = Callable[[CheckInUpdate], dict[str, Any] | None]


def checkin_click(call: CheckInCall, *, form: Form | None = None) -> ClickWork:
    """Apply a check-in button, update the DM in place, then maybe open a form."""

    def work(runtime: Runtime, click: Click, client: WebClient, respond: Respond) -> None:
        try:
            update = call(runtime, click)
        except ValueError:
            tell(respond, texts.GONE)
            return
        except CheckInError as error:
            if isinstance(error, CheckInClosed) and _show_closed(client, error.card, click):
                return
            tell(respond, _refusal(error))
            return
        shown = show_checkin(client, update, also=click.message)
        view = None if form is None else form(update)
        if view is not None:
            open_form(client, respond, trigger_id=click.trigger_id, view=view)
        elif not shown:
            # The click was taken, but the card still shows it as it was.
            tell(respond, texts.CARD_NOT_UPDATED)

    return work


def _show_closed(client: WebClient, card: CheckInCard, click: Click) -> bool:
    """Show the card clicked as closed; True when it now says so itself (no buttons left), so
    that the click needs no other answer."""
    if click.message is None:
        return False
    shown = blocks.checkin(card)
    channel, ts = click.message
    updated = update_message(client, channel=channel, ts=ts, text=shown.text, blocks=shown.blocks)
    return updated and not any(block.get("type") == "actions" for block in shown.blocks)


def _answer(runtime: Runtime, click: Click) -> CheckInUpdate:
    """Went well / Mixed / Problem / Didn't happen; and, in its transaction, the collision rules
    for a planned meeting the answer puts back."""
    answer = CheckInAnswer(click.action_id.removeprefix(f"{blocks.CHECKIN_ANSWER}_"))
    return checkins_of(runtime).answer(
        team_id=click.team_id,
        user_id=click.user_id,
        checkin_id=click.checkin_id,
        answer=answer,
        then=checkin_service.collide_again(
            touchpoints_of(runtime),
            actor=Actor(click.team_id, click.user_id),
            change=PlanChange.REVIVED,
        ),
        dropped=checkin_service.plan_dropped_by(touchpoints_of(runtime), team_id=click.team_id),
    )


def _card(runtime: Runtime, click: Click) -> CheckInUpdate:
    card = checkins_of(runtime).card(
        team_id=click.team_id, user_id=click.user_id, checkin_id=click.checkin_id
    )
    return CheckInUpdate(card=card, shown_in=())


def _reopen(runtime: Runtime, click: Click) -> CheckInUpdate:
    """ "Change answer": the buttons again."""
    return checkins_of(runtime).reopen(
        team_id=click.team_id, user_id=click.user_id, checkin_id=click.checkin_id
    )


def checkin_ask(runtime: Runtime, click: Click, client: WebClient, respond: Respond) -> None:
    """ "It was a meeting" under a contact logged without `via` (in the answer to `log`; the
    log form always has a kind): check-ins follow."""
    touchpoint_id = int(click.value) if click.value.isdigit() else 0
    made = checkins_of(runtime).ask_about(
        team_id=click.team_id, user_id=click.user_id, touchpoint_id=touchpoint_id
    )
    tell(
        respond,
        texts.MADE_A_MEETING if made is MadeMeeting.MADE else texts.NOT_MADE_A_MEETING[made],
    )


def _problem_form(update: CheckInUpdate) -> dict[str, Any] | None:
    """After Problem, ask what went wrong."""
    if update.card.answer is not CheckInAnswer.PROBLEM:
        return None
    return blocks.note_form(update.card, problem=True)


def _note_form(update: CheckInUpdate) -> dict[str, Any]:
    return blocks.note_form(update.card, problem=update.card.answer is CheckInAnswer.PROBLEM)


def _move_form(update: CheckInUpdate) -> dict[str, Any]:
    return blocks.move_form(update.card)


def _form_listener(
    read: Callable[[dict[str, Any]], Any],
    save: Callable[[Runtime, str, str, int, Any], CheckInUpdate],
    *,
    field: str,
    what: str,
) -> Callable[..., None]:
    """A listener for a check-in form: saved before the ack (a refusal shows in the form),
    the DM updated after it."""

    def listener(
        ack: Ack,
        body: dict[str, Any],
        view: dict[str, Any],
        context: BoltContext,
        client: WebClient,
    ) -> None:
        runtime = runtime_of(context)
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        checkin_id = blocks.read_metadata(view).get("checkin")
        value = blocks.field_of(view, field)
        if not isinstance(checkin_id, int):
            ack()
            return
        try:
            given = read(value)
        except ValueError:  # no day the datepicker sent
            refuse_fields(ack, runtime, team_id=team_id, errors={field: partner_texts.PICK_A_DAY})
            return
        try:
            update = save(runtime, team_id, user_id, checkin_id, given)
        except CheckInError as error:
            refuse_fields(ack, runtime, team_id=team_id, errors={field: _refusal(error)})
            return
        ack()
        runtime.defer(partial(show_checkin, client, update), what=what)

    return listener


def _save_note(
    runtime: Runtime, team_id: str, user_id: str, checkin_id: int, note: str
) -> CheckInUpdate:
    return checkins_of(runtime).add_note(
        team_id=team_id, user_id=user_id, checkin_id=checkin_id, note=note
    )


def _save_move(
    runtime: Runtime, team_id: str, user_id: str, checkin_id: int, new_day: date
) -> CheckInUpdate:
    """The move, and in its transaction the collision rules for the meeting's new day."""
    return checkins_of(runtime).move(
        team_id=team_id,
        user_id=user_id,
        checkin_id=checkin_id,
        new_day=new_day,
        then=checkin_service.collide_again(
            touchpoints_of(runtime), actor=Actor(team_id, user_id), change=PlanChange.MOVED
        ),
    )


def _read_note(value: dict[str, Any]) -> str:
    return str(value.get("value") or "")


def _read_date(value: dict[str, Any]) -> date:
    day = picked_day(value)
    if day is None:
        raise ValueError("no day picked")
    return day


# --- Survey buttons, comments and reactions -----------------------------------------------------


def survey_score(runtime: Runtime, click: Click, client: WebClient, respond: Respond) -> None:
    """A score button 1–5 on a statement: the same as reacting with that number."""
    parsed = blocks.read_score_value(click.value)
    if parsed is None:
        return
    message_id, score = parsed
    _survey_click(runtime, click, client, respond, message_id=message_id, score=score)


def survey_withdraw(runtime: Runtime, click: Click, client: WebClient, respond: Respond) -> None:
    """*Withdraw* under an answered statement: the same as removing the reaction that is the
    answer, for one who clicked and has no reaction to remove."""
    if click.value.isdigit():
        _survey_click(runtime, click, client, respond, message_id=int(click.value), score=None)


def _survey_click(
    runtime: Runtime,
    click: Click,
    client: WebClient,
    respond: Respond,
    *,
    message_id: int,
    score: int | None,
) -> None:
    if click.message is None:
        return
    channel, ts = click.message
    try:
        card = surveys_of(runtime).click(
            team_id=click.team_id,
            user_id=click.user_id,
            message_id=message_id,
            score=score,
            action_ts=click.action_ts,
        )
    except NotYours:
        tell(respond, texts.NOT_YOURS)
        return
    except OfAnotherWorkspace:
        tell(respond, texts.SURVEY_OF_ANOTHER_WORKSPACE)
        return
    except RoundClosed as closed:
        # The statement clicked, shown closed, says so itself: a note too only when it can't be.
        if closed.card is None or not show_question(
            client, channel=channel, ts=ts, card=closed.card
        ):
            tell(respond, texts.SURVEY_CLOSED)
        return
    show_question(client, channel=channel, ts=ts, card=card)


def _survey_refusal(error: RoundClosed | NotYours | OfAnotherWorkspace) -> str:
    if isinstance(error, NotYours):
        return texts.NOT_YOURS
    if isinstance(error, OfAnotherWorkspace):
        return texts.SURVEY_OF_ANOTHER_WORKSPACE
    return texts.SURVEY_CLOSED


def survey_comment(runtime: Runtime, click: Click, client: WebClient, respond: Respond) -> None:
    """ "Add a comment": the comment form, with what the person wrote so far."""
    try:
        form = surveys_of(runtime).comment_form(
            team_id=click.team_id, user_id=click.user_id, delivery_id=int(click.value)
        )
    except ValueError:
        tell(respond, texts.SURVEY_CLOSED)
        return
    except (RoundClosed, NotYours, OfAnotherWorkspace) as error:
        tell(respond, _survey_refusal(error))
        return
    open_form(client, respond, trigger_id=click.trigger_id, view=blocks.comment_form(form))


def on_comment_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
) -> None:
    """The comment form: kept (or removed when empty) before the ack, so a round that closed
    meanwhile can say so inside the form."""
    runtime = runtime_of(context)
    delivery_id = blocks.read_metadata(view).get("delivery")
    field = blocks.field_of(view, blocks.COMMENT_FIELD)
    if not isinstance(delivery_id, int):
        ack()
        return
    try:
        saved = surveys_of(runtime).save_comment(
            team_id=body["team"]["id"],
            user_id=body["user"]["id"],
            delivery_id=delivery_id,
            text=str(field.get("value") or ""),
        )
    except CommentTooLong as error:
        refusal = partner_texts.too_long("comment", error.length, MAX_COMMENT)
        refuse_fields(
            ack, runtime, team_id=body["team"]["id"], errors={blocks.COMMENT_FIELD: refusal}
        )
        return
    except (RoundClosed, NotYours, OfAnotherWorkspace) as error:
        refusal = _survey_refusal(error)
        refuse_fields(
            ack, runtime, team_id=body["team"]["id"], errors={blocks.COMMENT_FIELD: refusal}
        )
        return
    # The form says what became of the comment: nothing else shows it was kept.
    ack(response_action="update", view=blocks.comment_saved(saved))


def reactions_of(client: WebClient, user_id: str, *, channel: str, ts: str) -> tuple[str, ...]:
    """The number emoji the person still has on a message, as Slack lists them (none when Slack
    cannot say: a removed answer is then withdrawn)."""
    try:
        found = client.reactions_get(channel=channel, timestamp=ts, full=True)
    except SlackApiError as error:
        logger.warning("reactions.get of a survey statement failed: %s", error_code(error))
        return ()
    except SLACK_CALL_ERRORS as error:
        logger.warning(
            "reactions.get of a survey statement could not reach Slack: %s", type(error).__name__
        )
        return ()
    message = found.get("message") or {}
    return tuple(
        str(reaction.get("name") or "")
        for reaction in message.get("reactions") or []
        if user_id in (reaction.get("users") or []) and score_of_emoji(str(reaction.get("name")))
    )


def on_reaction(
    ack: Ack, body: dict[str, Any], event: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    """`reaction_added` / `reaction_removed`: :one:…:five: on a survey statement by its recipient
    sets or withdraws their score. Any reaction added to a check-in waiting for its answer is
    told it answers nothing. Anything else is acknowledged and ignored."""
    ack()
    item = event.get("item") or {}
    emoji = str(event.get("reaction") or "")
    channel, ts = str(item.get("channel") or ""), str(item.get("ts") or "")
    added = event.get("type") == "reaction_added"
    # Check-ins and surveys are DMs: a reaction in a channel is none of theirs, and costs
    # neither a query nor (a removal) a call to Slack.
    if item.get("type") != "message" or not channel.startswith("D"):
        return
    if score_of_emoji(emoji) is None and not added:
        return
    runtime = runtime_of(context)
    team_id = str(body.get("team_id") or context.team_id or "")
    user_id = str(event.get("user") or "")

    def run() -> None:
        if added:
            card = checkins_of(runtime).reacted_on(
                team_id=team_id,
                user_id=user_id,
                channel=channel,
                ts=ts,
                event_id=body.get("event_id"),
            )
            if card is not None:
                said = texts.reaction_on_checkin(card)
                tell_in(client, channel=channel, user_id=user_id, text=said)
                return
        if score_of_emoji(emoji) is None:
            return
        still_there = () if added else reactions_of(client, user_id, channel=channel, ts=ts)
        shown = surveys_of(runtime).react(
            team_id=team_id,
            event_id=body.get("event_id"),
            user_id=user_id,
            channel=channel,
            ts=ts,
            emoji=emoji,
            added=added,
            event_ts=str(event.get("event_ts") or ""),
            still_there=still_there,
        )
        if isinstance(shown, OffStatement):
            said = texts.reaction_off_statement(shown.partner_name, shown.statements)
            tell_in(client, channel=shown.channel, user_id=user_id, text=said)
        elif shown is not None and shown.closed:
            # The statement, shown closed, says so itself, as after a late click: a note too
            # only when it can't be.
            if not show_question(client, channel=shown.channel, ts=shown.ts, card=shown.card):
                tell_in(client, channel=shown.channel, user_id=user_id, text=texts.SURVEY_CLOSED)
        elif shown is not None:
            show_question(client, channel=shown.channel, ts=shown.ts, card=shown.card)

    runtime.defer(run, what="survey reaction")


# --- Registration -------------------------------------------------------------------------------


def _answer_ids(answers: Sequence[CheckInAnswer]) -> re.Pattern[str]:
    return re.compile(rf"^{blocks.CHECKIN_ANSWER}_({'|'.join(a.value for a in answers)})$")


def register_planners(planners: PlannerRegistry) -> None:
    """Check-ins and pulse surveys: their planners, queuing messages in this module's wording."""
    checkin_service.register_planners(planners, blocks.MESSAGES)
    survey_service.register_planners(planners, blocks.MESSAGES)


def card_section(runtime: Runtime, invocation: Invocation, partner_id: int) -> list[Block]:
    """What `show` and `check` add about a partner: its last pulse results (aggregates under the
    anonymity rule) and the check-in answers of the last 90 days."""
    summary = surveys_of(runtime).partner_feedback(
        team_id=invocation.team_id, user_id=invocation.user_id, partner_id=partner_id
    )
    return blocks.feedback_section(summary)


def register(app: App) -> None:
    CARD_SECTIONS["feedback"] = card_section
    # The parts run in the partner changes' transactions are the services'; the handlers give
    # them the wording.
    messages = blocks.MESSAGES
    reword = partial(checkin_service.reword_after_role_change, messages=messages)
    HANDOVER_PARTS["checkin_cards"] = reword
    DEPUTY_PARTS["checkin_cards"] = reword
    MERGE_PARTS["checkin_cards"] = partial(
        checkin_service.reword_after_merge,
        messages=messages,
        folded=texts.ROUNDS_FOLDED,
        debriefs_kept=texts.debriefs_kept,
    )
    RENAME_PARTS["checkin_cards"] = partial(checkin_service.reword_after_rename, messages=messages)
    END_PARTS["checkins"] = partial(checkin_service.withdraw_for_ended, messages=messages)
    END_PARTS["pulse_round"] = partial(
        survey_service.close_round_of_ended, messages=messages, closed=texts.ROUND_CLOSED_AS_ENDED
    )
    answers = _answer_ids([*blocks.ASKED, CheckInAnswer.DIDNT_HAPPEN])
    app.action(answers)(
        after_ack(checkin_click(_answer, form=_problem_form), what="check-in answer")
    )
    app.action(blocks.CHECKIN_NOTE)(
        after_ack(checkin_click(_card, form=_note_form), what="check-in note form")
    )
    app.action(blocks.CHECKIN_MOVED)(
        after_ack(checkin_click(_card, form=_move_form), what="check-in move form")
    )
    app.action(blocks.CHECKIN_CHANGE)(after_ack(checkin_click(_reopen), what="check-in change"))
    app.action(blocks.CHECKIN_ASK)(after_ack(checkin_ask, what="contact made a meeting"))
    app.view(blocks.NOTE_VIEW)(
        _form_listener(_read_note, _save_note, field=blocks.NOTE_FIELD, what="check-in note")
    )
    app.view(blocks.MOVE_VIEW)(
        _form_listener(_read_date, _save_move, field=blocks.DATE_FIELD, what="check-in move")
    )
    app.action(re.compile(rf"^{blocks.SURVEY_SCORE}_[1-5]$"))(
        after_ack(survey_score, what="survey score")
    )
    app.action(blocks.SURVEY_WITHDRAW)(after_ack(survey_withdraw, what="survey withdrawal"))
    app.action(blocks.SURVEY_COMMENT)(after_ack(survey_comment, what="survey comment form"))
    app.view(blocks.COMMENT_VIEW)(on_comment_submitted)
    app.event("reaction_added")(on_reaction)
    app.event("reaction_removed")(on_reaction)


# Whatever process dispatches has imported this module: a round's results a channel refuses go
# to the next one (`bot.services.channels`).
ON_CHANNEL_REFUSED[survey_service.RESULTS] = partial(
    survey_service.reroute_refused_results, messages=blocks.MESSAGES
)
