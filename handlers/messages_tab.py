"""The Messages tab of the App Home: what a person types to Liaison in its DM.

Liaison's DMs are its check-ins, surveys and notes, answered with their buttons and reactions;
it takes no typed commands there. A reply in the thread of one of the person's check-in cards
is what they have to say about that meeting: it is kept as the check-in's note, as the note form
keeps it (`CheckIns.note_from_reply`), and the thread says so; once the check-in has closed, the
thread says, every time, that nothing was kept and where such words go now. Without an answer
any other message typed there ("went well, they want a proposal by Friday") would look read and
be lost, so Liaison says once where such words belong (a check-in's thread or note,
`/partner log`) and how to get help. It says it once per conversation in a quiet spell
(`QUIET`), not after every line of a chat.

The event is acknowledged at once; the note is kept and the answers are Web API calls, after
the ack.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.mrkdwn import slack_text, unescape
from bot.services.checkins import ReplyNoted, ReplyOutcome
from handlers.context import runtime_of
from handlers.feedback import checkins_of, show_checkin
from handlers.texts import feedback as feedback_texts
from handlers.texts import home as texts

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
    (a reply in a thread also sent to the conversation is one)."""
    return (
        event.get("channel_type") == "im"
        and event.get("subtype") in (None, "", "thread_broadcast")
        and not event.get("bot_id")
        and bool(event.get("user"))
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
        if not typed_by_a_person(event):
            return
        runtime = runtime_of(context)
        team_id = str(body.get("team_id") or context.team_id or "")
        user_id, channel = str(event["user"]), str(event.get("channel") or "")
        thread_ts = event.get("thread_ts")

        def post(text: str, *, what: str) -> None:
            try:
                client.chat_postMessage(channel=channel, text=slack_text(text), thread_ts=thread_ts)
            except SlackApiError as error:
                logger.warning("%s failed: %s", what, error.response.get("error"))

        def answer() -> None:
            if thread_ts and thread_ts != event.get("ts"):
                noted = checkins_of(runtime).note_from_reply(
                    team_id=team_id,
                    user_id=user_id,
                    channel=channel,
                    thread_ts=str(thread_ts),
                    text=unescape(str(event.get("text") or "")),
                    event_id=body.get("event_id"),
                )
                if noted is not None:
                    told(noted)
                    return
            if last_answers.take_turn(team_id=team_id, user_id=user_id, now=runtime.clock.now()):
                post(texts.MESSAGES_TAB_ANSWER, what="answering a message in the Messages tab")

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
            else:
                added = noted.outcome is ReplyOutcome.ADDED
                text = feedback_texts.note_from_reply(noted.card, added=added)
            post(text, what="answering a reply in a check-in's thread")

        runtime.defer(answer, what="answer in the Messages tab")

    return on_message


def register(app: App) -> None:
    app.event("message")(message_listener(LastAnswers()))
