"""The Messages tab of the App Home: what a person types to Liaison in its DM.

Liaison's DMs are its check-ins, surveys and notes, answered with their buttons and reactions;
it takes no typed commands there. A reply in the thread of one of the person's check-in cards
is what they have to say about that meeting: it is kept as the check-in's note, as the note form
keeps it (`CheckIns.note_from_reply`), and the thread says so; once the check-in has closed, the
thread says, every time, that nothing was kept and where such words go now. A file shared with
the reply (Slack's `file_share` message) goes nowhere, for only the person and Liaison see their
DM: the thread says so, and whom to share it with. Without an answer any other message typed
there ("went well, they want a proposal by Friday") would look read and be lost, so Liaison says
once where such words belong (a check-in's thread or note, `/partner log`) and how to get help.
It says it once per conversation in a quiet spell (`QUIET`), not after every line of a chat.
A `/partner` command typed as a message (`log Acme : met Jane`) is answered each time: commands
go through `/partner`, and here is the line as one to send.

A reply kept in a note and then edited in Slack (a `message_changed` event) changes its lines
in the note; deleted (`message_deleted`), its lines go (`CheckIns.reply_changed`). The card shows
the note as it is then; the thread says nothing more.

A reply in the thread of a Problem alert Liaison sent (to an owner, or the deputy covering)
reaches nobody either: Liaison says so every time, and names the person who reported it, to
write to directly. So does one under a survey's introduction or statement: its *Add a comment*
button is where such words go.

The event is acknowledged at once; the note is kept and the answers are Web API calls, after
the ack.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from http.client import HTTPException
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.delivery.dispatcher import error_code
from bot.mrkdwn import slack_text, unescape
from bot.runtime import Runtime
from bot.services.checkins import ReplyNoted, ReplyOutcome
from handlers.context import runtime_of
from handlers.feedback import checkins_of, show_checkin, surveys_of
from handlers.texts import feedback as feedback_texts
from handlers.texts import home as texts
from handlers.texts.home import COMMAND
from handlers.verbs import VERBS_BY_NAME

logger = logging.getLogger(__name__)

# After answering a person, Liaison lets them type this long without answering again.
QUIET = timedelta(minutes=10)


class LastAnswers:
    """When each person was last answered in their DM with Liaison (per process: a second
    replica may answer once more, which does no harm)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._at: dict[tuple[str, str], datetime] = {}

    def take_turn(self, *, team_id: str, user_id: str, now: datetime) -> bool:
        """True when this person is due an answer now (and it is then counted as given)."""
        key = (team_id, user_id)
        with self._lock:
            last = self._at.get(key)
            if last is not None and now - last < QUIET:
                return False
            self._at[key] = now
            return True


def typed_by_a_person(event: dict[str, Any]) -> bool:
    """A new message a person typed in a DM: not an edit, a deletion, a join or a bot's post
    (a reply in a thread also sent to the conversation is one, and so is one sharing a file)."""
    return (
        event.get("channel_type") == "im"
        and event.get("subtype") in (None, "", "thread_broadcast", "file_share")
        and not event.get("bot_id")
        and bool(event.get("user"))
    )


def typed_command(text: str) -> str | None:
    """What follows `/partner` in a command typed as a message (`log Acme : met Jane`, with its
    `/partner` or without, as Slack sent it): its first word is a verb. None for any other
    message."""
    line = " ".join(text.split())
    if line.lower().startswith(f"{COMMAND} "):
        line = line[len(COMMAND) + 1 :]
    first = line.split(" ", 1)[0].lower()
    return line if first in VERBS_BY_NAME else None


@dataclass(frozen=True)
class ReplyChange:
    """A message in a DM thread edited (`text`: as it reads now) or deleted (`text` None)."""

    channel: str
    ts: str
    user_id: str | None
    text: str | None


def reply_change(event: dict[str, Any]) -> ReplyChange | None:
    """The edit or deletion of a reply in a thread of a DM, as Slack sends it: `message_changed`
    with the message as it reads now (`message`), `message_deleted` with `deleted_ts` and the
    message as it was (`previous_message`, which may be missing); neither names the person at
    its top. None for any other event, and for an edit outside a thread or of its first message
    (Slack sends one when its replies change, and when a link in it unfurls)."""
    if event.get("channel_type") != "im":
        return None
    subtype, channel = event.get("subtype"), str(event.get("channel") or "")
    if subtype == "message_changed":
        message = event.get("message") or {}
        ts, text = str(message.get("ts") or ""), message.get("text")
        thread_ts = message.get("thread_ts")
        if not thread_ts or thread_ts == ts or message.get("bot_id"):
            return None
    elif subtype == "message_deleted":
        # Only the ts is sure to be there; which thread it was in, the kept replies know.
        message = event.get("previous_message") or {}
        ts, text = str(event.get("deleted_ts") or ""), None
    else:
        return None
    if not channel or not ts:
        return None
    user = message.get("user")
    return ReplyChange(
        channel=channel,
        ts=ts,
        user_id=str(user) if user else None,
        text=None if text is None else unescape(str(text)),
    )


def message_listener(last_answers: LastAnswers) -> Any:
    def on_message(
        ack: Ack,
        body: dict[str, Any],
        event: dict[str, Any],
        context: BoltContext,
        client: WebClient,
    ) -> None:
        ack()
        runtime = runtime_of(context)
        team_id = str(body.get("team_id") or context.team_id or "")
        change = reply_change(event)
        if change is not None:
            work = partial(note_changed, runtime, client, team_id, change, body.get("event_id"))
            runtime.defer(work, what="a reply edited in the Messages tab")
            return
        if not typed_by_a_person(event):
            return
        user_id, channel = str(event["user"]), str(event.get("channel") or "")
        thread_ts = event.get("thread_ts")
        shared_file = bool(event.get("files"))

        def post(text: str, *, what: str) -> None:
            try:
                client.chat_postMessage(channel=channel, text=slack_text(text), thread_ts=thread_ts)
            except SlackApiError as error:
                logger.warning("%s failed: %s", what, error_code(error))
            except (OSError, HTTPException, SlackClientError) as error:
                logger.warning("%s could not reach Slack: %s", what, type(error).__name__)

        def answer() -> None:
            if thread_ts and thread_ts != event.get("ts"):
                noted = checkins_of(runtime).note_from_reply(
                    team_id=team_id,
                    user_id=user_id,
                    channel=channel,
                    thread_ts=str(thread_ts),
                    text=unescape(str(event.get("text") or "")),
                    event_id=body.get("event_id"),
                    ts=str(event.get("ts") or ""),
                    shared_file=shared_file,
                )
                if noted is not None:
                    told(noted)
                    return
                # The message replied under, by whom: a Problem alert's, or a survey's.
                where: dict[str, Any] = {
                    "team_id": team_id,
                    "user_id": user_id,
                    "channel": channel,
                    "thread_ts": str(thread_ts),
                    "event_id": body.get("event_id"),
                }
                alert = checkins_of(runtime).problem_reporter_at(**where)
                if alert is not None:
                    if not alert.repeated:
                        post(
                            texts.reply_in_problem_alert(alert.reporter_id),
                            what="answering a reply in a Problem alert's thread",
                        )
                    return
                # Under a survey's message: its *Add a comment* button is where words go.
                survey = surveys_of(runtime).thread_at(**where)
                if survey is not None:
                    if not survey.repeated:
                        said = texts.reply_in_survey(survey.partner_name, closed=survey.closed)
                        post(said, what="answering a reply in a survey's thread")
                    return
            line = typed_command(str(event.get("text") or ""))
            if line is not None and not shared_file:
                # Each command its own answer, the line to send: no turn of the hint taken.
                said = texts.command_typed_in_messages_tab(line)
                post(said, what="answering a command typed in the Messages tab")
            elif last_answers.take_turn(team_id=team_id, user_id=user_id, now=runtime.clock.now()):
                hint = texts.MESSAGES_TAB_FILE_ANSWER if shared_file else texts.MESSAGES_TAB_ANSWER
                post(hint, what="answering a message in the Messages tab")

        def told(noted: ReplyNoted) -> None:
            """A reply in a check-in's thread: the card shows the note, the thread says so (or
            that the check-in is closed and nothing was kept)."""
            if noted.update is not None:
                show_checkin(client, noted.update)
            if noted.card is None:  # Slack's retry of a reply already answered
                return
            if noted.outcome is ReplyOutcome.CLOSED:
                text = feedback_texts.reply_in_closed_checkin(noted.card, noted.closed_at)
            elif noted.outcome is ReplyOutcome.TOO_LONG:
                text = feedback_texts.reply_too_long(noted.card, noted.length)
            elif noted.outcome is ReplyOutcome.FILE_ONLY:
                text = feedback_texts.file_alone(noted.card)
            else:
                added = noted.outcome is ReplyOutcome.ADDED
                text = feedback_texts.note_from_reply(noted.card, added=added)
                if shared_file:
                    text += feedback_texts.file_not_in_note(noted.card)
            post(text, what="answering a reply in a check-in's thread")

        runtime.defer(answer, what="answer in the Messages tab")

    return on_message


def note_changed(
    runtime: Runtime, client: WebClient, team_id: str, change: ReplyChange, event_id: str | None
) -> None:
    """A reply edited or deleted: if it was kept in a note, the note changes, and its card."""
    update = checkins_of(runtime).reply_changed(
        team_id=team_id,
        user_id=change.user_id,
        channel=change.channel,
        ts=change.ts,
        text=change.text,
        event_id=event_id,
    )
    if update is not None:
        show_checkin(client, update)


def register(app: App) -> None:
    app.event("message")(message_listener(LastAnswers()))
