"""What a handler answers: text for notifications and screen readers, plus Block Kit blocks."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookResponse

from bot.delivery.dispatcher import error_code
from bot.mrkdwn import mentioned, plain, slack_text
from bot.runtime import Runtime
from bot.services.people import handles
from bot.slack_errors import SLACK_CALL_ERRORS

logger = logging.getLogger(__name__)

Block = dict[str, Any]
# Work for after the ack: it may call the Web API and answer again through `respond`.
Followup = Callable[[WebClient, Respond], None]


@dataclass(frozen=True)
class Reply:
    """An ephemeral answer to the person who typed the command (or clicked)."""

    # As Liaison words it, with what people typed as typed: escaped when it goes to Slack.
    text: str
    blocks: list[Block] = field(default_factory=list)
    followup: Followup | None = None

    def as_ack(self) -> dict[str, Any]:
        """Keyword arguments for Bolt's `ack()`: the answer travels in the HTTP response."""
        body: dict[str, Any] = {"text": slack_text(self.text), "response_type": "ephemeral"}
        if self.blocks:
            body["blocks"] = self.blocks
        return body

    def as_message(self) -> dict[str, Any]:
        """Keyword arguments for `respond()` or `chat_postEphemeral` after the ack."""
        return self.as_ack()


def refuse_fields(ack: Ack, runtime: Runtime, *, team_id: str, errors: dict[str, str]) -> None:
    """Answer a form's submission with what is wrong under each field. Slack shows a field's
    error as plain text, so it goes without markup: commands in quotes, people by name."""
    people = set().union(*(mentioned(text) for text in errors.values()))
    names = handles(runtime.engine, team_id=team_id, user_ids=people)
    ack(response_action="errors", errors={k: plain(text, names) for k, text in errors.items()})


class FormAnswer(Respond):
    """`respond` for a form's answer, through the response_url of the command that opened it.

    Slack keeps a response_url for 30 minutes (and 5 answers): a form submitted later had its
    answer ("Added *Oxfam*") refused with a 404 nobody read, so the person saw the form close
    and nothing else. When Slack refuses the url, or cannot be reached, the answer goes to them
    in a direct message instead; either is logged once, with the reason and without the text.
    Every listener's `respond` is one too (`RuntimeApp.dispatch`), for a command's or a click's
    own response_url: `what` names the answer in the log ("a form's answer")."""

    def __init__(
        self,
        response_url: str | None,
        *,
        client: WebClient,
        user_id: str,
        what: str = "a form's answer",
    ) -> None:
        super().__init__(response_url=response_url)
        self.client = client
        self.user_id = user_id
        self.what = what
        # Once Slack refused the url it is not tried again (one warning), and the DM sent
        # instead is what a later answer that replaces the first updates.
        self._refused = False
        self._dm: tuple[str, str] | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> WebhookResponse:
        answered: WebhookResponse | None = None
        if self.response_url is not None and not self._refused:
            try:
                answered = super().__call__(*args, **kwargs)
            except SLACK_CALL_ERRORS as error:
                logger.warning("%s could not reach Slack: %s", self.what, type(error).__name__)
            else:
                if answered.status_code == 200:
                    return answered
                logger.warning(
                    "Slack refused %s through its response_url: %s",
                    self.what,
                    _webhook_error(answered),
                )
            self._refused = True
        text = kwargs.get("text", args[0] if args else "")
        if kwargs.get("delete_original") or not isinstance(text, str):
            return answered or WebhookResponse(url="", status_code=0, body="", headers={})
        # As `Reply.as_message` made it: already escaped for Slack.
        sent = answer_in_dm(
            self.client,
            self.user_id,
            text=text,
            blocks=kwargs.get("blocks") or [],
            what=self.what,
            replacing=self._dm if kwargs.get("replace_original") else None,
        )
        self._dm = sent or self._dm
        return WebhookResponse(url="", status_code=200 if sent else 0, body="", headers={})


def answer_in_dm(
    client: WebClient,
    user_id: str,
    *,
    text: str,
    blocks: list[Block],
    what: str,
    replacing: tuple[str, str] | None = None,
) -> tuple[str, str] | None:
    """Send an answer Slack would not show where it belonged to the person in a DM (or update
    the DM `replacing`, its channel and ts, with it); `text` is escaped for Slack already. The
    DM's channel and ts; None, logged once as `what` could not be sent, on a failure."""
    try:
        if replacing is not None:
            channel, ts = replacing
            client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
            return replacing
        posted = client.chat_postMessage(channel=user_id, text=text, blocks=blocks or None)
    except SlackApiError as error:
        logger.warning(
            "%s could not be sent to %s in a DM either: %s", what, user_id, error_code(error)
        )
        return None
    except SLACK_CALL_ERRORS:
        logger.warning("%s could not reach %s in a DM either", what, user_id)
        return None
    return str(posted.get("channel") or user_id), str(posted.get("ts") or "")


def _webhook_error(answered: WebhookResponse) -> str:
    """What Slack said of a refused response_url post: its error code (`expired_url`), or the
    HTTP status when the body holds none."""
    try:
        data = json.loads(answered.body or "")
    except ValueError:
        data = answered.body
    code = data.get("error") if isinstance(data, dict) else data
    if isinstance(code, str) and re.fullmatch(r"[a-z_]{1,40}", code):
        return f"{code} (HTTP {answered.status_code})"
    return f"HTTP {answered.status_code}"
