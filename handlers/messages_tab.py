"""The Messages tab of the App Home: what a person types to Liaison in its DM.

Liaison's DMs are its check-ins, surveys and notes, answered with their buttons and reactions;
it takes no typed commands there. Without an answer a message typed there ("went well, they
want a proposal by Friday") would look read and be lost, so Liaison says once where such words
belong (a check-in's note, `/partner log`) and how to get help. It says it once per
conversation in a quiet spell (`QUIET`), not after every line of a chat.

The event is acknowledged at once; the answer is a Web API call, made after the ack.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.mrkdwn import slack_text
from handlers.context import runtime_of
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
    """A new message a person typed in a DM: not an edit, a deletion, a join or a bot's post."""
    return (
        event.get("channel_type") == "im"
        and not event.get("subtype")
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
        if not last_answers.take_turn(team_id=team_id, user_id=user_id, now=runtime.clock.now()):
            return

        def answer() -> None:
            try:
                client.chat_postMessage(
                    channel=channel,
                    text=slack_text(texts.MESSAGES_TAB_ANSWER),
                    thread_ts=event.get("thread_ts"),
                )
            except SlackApiError as error:
                logger.warning(
                    "answering a message in the Messages tab failed: %s",
                    error.response.get("error"),
                )

        runtime.defer(answer, what="answer in the Messages tab")

    return on_message


def register(app: App) -> None:
    app.event("message")(message_listener(LastAnswers()))
