"""What a handler answers: text for notifications and screen readers, plus Block Kit blocks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.mrkdwn import mentioned, plain, slack_text
from bot.runtime import Runtime
from bot.services.people import handles

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
