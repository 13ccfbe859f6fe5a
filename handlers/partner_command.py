"""`/partner`: parse the first word, hand the rest to that verb's handler, answer in the ack.

The answer travels in the HTTP response to Slack (no Web API call before the ack). Work that needs
the Web API — opening a modal, messaging other people — is deferred until after the ack or queued.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.runtime import Runtime
from handlers import (
    absence,
    commitments,
    config,
    feedback,
    grammar,
    health,
    partners,
    touchpoints,
)
from handlers.blocks import help as help_blocks
from handlers.context import runtime_of
from handlers.invocation import Invocation, VerbHandler
from handlers.reply import Reply
from handlers.verbs import VERBS_BY_NAME, suggestions

COMMAND = "/partner"


def overview(runtime: Runtime, invocation: Invocation) -> Reply:
    """`/partner` alone, `?` or `help`: every verb, led by what the workspace still has to set
    up."""
    settings = config.settings_of(runtime)
    return help_blocks.overview(settings.first_steps(team_id=invocation.team_id))


def help_verb(runtime: Runtime, invocation: Invocation, rest: str) -> Reply:
    words = grammar.as_typed(rest).lower().split()
    # `help /partner log` is help on `log`; `help config window`, help on `config`.
    if words and words[0].lstrip("/") == COMMAND.lstrip("/"):
        words = words[1:]
    word = words[0].lstrip("/") if words else ""
    if not word:
        return overview(runtime, invocation)
    # `help log plan`: every verb asked about; other words after a verb (`help config
    # window`) are about that verb.
    asked = list(dict.fromkeys(typed.lstrip("/") for typed in words))
    if len(asked) > 1 and all(name in VERBS_BY_NAME for name in asked):
        return help_blocks.verbs_help([VERBS_BY_NAME[name] for name in asked])
    verb = VERBS_BY_NAME.get(word)
    if verb is None:
        # `help Acme GmbH`: whoever asks about a partner wants to see it, as when its name is
        # typed alone; its first word is no misspelt verb.
        named = partners.named_alone(runtime, replace(invocation, text=rest))
        if named is not None:
            return help_blocks.partner_named_alone(grammar.in_command(named))
        return help_blocks.unknown_verb(word, suggestions(word))
    return help_blocks.verb_help(verb)


VERB_HANDLERS: dict[str, VerbHandler] = {
    "help": help_verb,
    **partners.VERB_HANDLERS,
    **absence.VERB_HANDLERS,
    **feedback.VERB_HANDLERS,
    **touchpoints.VERB_HANDLERS,
    **commitments.VERB_HANDLERS,
    **config.VERB_HANDLERS,
    **health.VERB_HANDLERS,
}


def route(runtime: Runtime, invocation: Invocation) -> Reply:
    """Answer one line of the `/partner` language."""
    verb_word, _, rest = invocation.text.strip().partition(" ")
    verb_word = verb_word.lower()
    if not verb_word or verb_word == "?":
        return overview(runtime, invocation)
    verb = VERBS_BY_NAME.get(verb_word)
    if verb is None:
        typed, rest = grammar.as_typed(verb_word), grammar.as_typed(rest)
        named = partners.named_alone(runtime, invocation)
        if named is not None:
            return help_blocks.partner_named_alone(grammar.in_command(named))
        return help_blocks.unknown_verb(typed, suggestions(verb_word, rest), rest=rest)
    handler = VERB_HANDLERS.get(verb.name)
    if handler is None:
        return help_blocks.not_yet_available(verb)
    return handler(runtime, invocation, rest.strip())


def on_partner_command(
    ack: Ack, command: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
) -> None:
    runtime = runtime_of(context)
    reply = route(runtime, Invocation.from_command(command, bot_user_id=context.bot_user_id))
    ack(**reply.as_ack())
    if reply.followup is not None:
        runtime.defer(partial(reply.followup, client, respond), what="/partner followup")


def register(app: App) -> None:
    app.command(COMMAND)(on_partner_command)
