"""`/partner`: parse the first word, hand the rest to that verb's handler, answer in the ack.

The answer travels in the HTTP response to Slack (no Web API call before the ack). Work that needs
the Web API — opening a modal, messaging other people — is deferred until after the ack or queued.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.runtime import Runtime
from handlers.blocks import help as help_blocks
from handlers.context import runtime_of
from handlers.reply import Reply
from handlers.verbs import VERBS_BY_NAME

COMMAND = "/partner"


@dataclass(frozen=True, kw_only=True)
class Invocation:
    """One `/partner` line, as Slack sent it."""

    team_id: str
    user_id: str
    channel_id: str
    text: str
    trigger_id: str | None = None
    response_url: str | None = None

    @classmethod
    def from_command(cls, command: dict[str, Any]) -> Invocation:
        return cls(
            team_id=command["team_id"],
            user_id=command["user_id"],
            channel_id=command.get("channel_id", ""),
            text=command.get("text") or "",
            trigger_id=command.get("trigger_id"),
            response_url=command.get("response_url"),
        )


# A verb handler gets the rest of the line after the verb.
VerbHandler = Callable[[Runtime, Invocation, str], Reply]


def help_verb(_runtime: Runtime, _invocation: Invocation, rest: str) -> Reply:
    word = rest.strip().lower().lstrip("/")
    if not word:
        return help_blocks.overview()
    verb = VERBS_BY_NAME.get(word)
    if verb is None:
        return help_blocks.unknown_verb(word, suggest(word))
    return help_blocks.verb_help(verb)


VERB_HANDLERS: dict[str, VerbHandler] = {"help": help_verb}


def suggest(word: str) -> list[str]:
    return difflib.get_close_matches(word, list(VERBS_BY_NAME), n=2, cutoff=0.6)


def route(runtime: Runtime, invocation: Invocation) -> Reply:
    """Answer one line of the `/partner` language."""
    verb_word, _, rest = invocation.text.strip().partition(" ")
    verb_word = verb_word.lower()
    if not verb_word:
        return help_blocks.overview()
    verb = VERBS_BY_NAME.get(verb_word)
    if verb is None:
        return help_blocks.unknown_verb(verb_word, suggest(verb_word))
    handler = VERB_HANDLERS.get(verb.name)
    if handler is None:
        return help_blocks.not_yet_available(verb)
    return handler(runtime, invocation, rest.strip())


def on_partner_command(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
    reply = route(runtime_of(context), Invocation.from_command(command))
    ack(**reply.as_ack())


def register(app: App) -> None:
    app.command(COMMAND)(on_partner_command)
