"""`/partner config [SETTING [VALUE]]`: the workspace's settings, shown to anyone, changed by
admins.

Channels and people arrive as Slack escapes them and are read with `handlers.grammar`, like the
partner verbs read them; every other value is read, checked and saved by the settings service
(`bot.services.workspace_settings`), which also decides who may change what. The answer travels
in the ack; when only Slack can say whether the caller is an admin, the ack says so and the
answer follows after it (`handlers.partners.answer`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import partial

from bot.runtime import Runtime
from bot.services import checkins
from bot.services.people import NotInWorkspace
from bot.services.workspace_settings import (
    READERS,
    Admins,
    BadSetting,
    NotAnAdmin,
    Setting,
    WorkspaceSettings,
    channel_update,
    old_zone_name,
    setting_named,
)
from handlers import grammar
from handlers.blocks import config as blocks
from handlers.blocks import help as help_blocks
from handlers.blocks.partners import say
from handlers.grammar import GrammarError
from handlers.invocation import VerbHandler
from handlers.partners import (
    Call,
    VerbBody,
    announce_in,
    choose_as_typed,
    name_admins_later,
    occasion,
    verb_handler,
)
from handlers.reply import Reply
from handlers.texts import config as texts
from handlers.texts import partners as partner_texts
from handlers.verbs import VERBS_BY_NAME

# `config help`, `config ?`: asked as `help config` is, and answered the same.
HELP_WORDS = ("help", "?")
# `config admins none` empties the list of admins named here.
NO_ADMINS_WORDS = ("none", "nobody")
# `checkin delay 4`, `check-in delay 4`: the check-in delay named in two words, as it is said.
TWO_WORD_SETTING = re.compile(r"^check[\s-]?in[\s_-]+delay\b", re.IGNORECASE)


def settings_of(runtime: Runtime) -> WorkspaceSettings:
    """The settings service over this process's database and clock."""
    return WorkspaceSettings(
        engine=runtime.engine,
        clock=runtime.clock,
        default_channel=runtime.settings.default_channel,
        # Check-ins asked "the next working morning" follow the new hours.
        redue=(checkins.redue_for_hours,),
    )


def read_admins(text: str) -> list[str]:
    """`@ana @dan` (the whole list, in order, once each), or `none`."""
    if text.lower() in NO_ADMINS_WORDS:
        return []
    user_ids = grammar.mentions(grammar.tokenize(text), what="admins")
    if not user_ids:
        raise GrammarError("Name the admins with `@`, e.g. `@ana @dan`, or say `none`.")
    return list(dict.fromkeys(user_ids))


def config(call: Call) -> Reply:
    service = settings_of(call.runtime)
    line = TWO_WORD_SETTING.sub(Setting.CHECKIN_DELAY.value, call.rest.strip(), count=1)
    word, _, rest = line.partition(" ")
    value = rest.strip()
    if not word:
        return blocks.settings_card(service.view(actor=call.actor))
    if word.lower() in HELP_WORDS:
        return help_blocks.verb_help(call.verb)
    setting = setting_named(word)
    if setting is Setting.ADMINS:
        if not value:
            return blocks.admins(service.admins(team_id=call.team_id))
        service.require_may_change(actor=call.actor)
        try:
            user_ids = read_admins(value)
        except GrammarError as error:
            return blocks.bad_setting(setting, error.problem)
        bot = call.invocation.bot_user_id
        if bot is not None and bot in user_ids:
            return blocks.bad_setting(setting, texts.app_as_admin(bot))
        notes = blocks.admin_notes(by=call.invocation.user_id, occasion=occasion(call))
        named = service.replace_admins(actor=call.actor, user_ids=user_ids, notes=notes)
        return blocks.admins_changed(named)
    if not value:
        values = service.values(team_id=call.team_id)
        found = service.channel_route(team_id=call.team_id) if setting is Setting.CHANNEL else None
        due = service.next_digest(team_id=call.team_id) if setting is Setting.DIGEST else None
        return blocks.one_setting(setting, values, service.default_channel, found, due)
    service.require_may_change(actor=call.actor)
    if setting is Setting.CHANNEL:
        try:
            chosen = grammar.channel_choice(grammar.tokenize(value))
        except GrammarError as error:
            return blocks.bad_setting(setting, error.problem)
        return choose_as_typed(
            call,
            chosen,
            service.values(team_id=call.team_id).coordination_channel,
            choose=partial(choose_channel, call, service),
            greeting=greeting(call),
            asking=texts.checking_channel,
            unchecked=texts.channel_unchecked,
            refused=lambda: bool(service.channel_route(team_id=call.team_id).passed_over),
        )
    update = READERS[setting](grammar.as_typed(value))
    change = service.change(actor=call.actor, setting=setting, update=update)
    renamed = old_zone_name(value) if setting is Setting.TIMEZONE else None
    return blocks.changed(change, renamed_from=renamed)


def greeting(call: Call) -> str:
    """Posted in the coordination channel just chosen."""
    return partner_texts.alerts_here(partner=None, by=call.invocation.user_id)


def choose_channel(
    call: Call, service: WorkspaceSettings, channel: str | None, greet: bool
) -> Reply:
    """Make `channel` the coordination channel (None: none), and after the ack greet it unless
    it was greeted already (`greet`)."""
    update = channel_update(channel)
    change = service.change(actor=call.actor, setting=Setting.CHANNEL, update=update)
    reply = blocks.changed(change)
    if channel is None or not greet:
        return reply
    # Also when unchanged: choosing it again checks a fix (Liaison invited meanwhile).
    key = service.greeting_key(channel=channel)
    hello = announce_in(call.runtime, call.team_id, channel, greeting(call), key=key)
    return replace(reply, followup=hello)


def guarded(body: VerbBody) -> VerbBody:
    """Answer the settings' own refusals; the rest (people to look up, grammar) is answered by
    `handlers.partners.answer` like every verb's."""

    def run(call: Call) -> Reply:
        try:
            return body(call)
        except BadSetting as error:
            return blocks.bad_value(error)
        except NotInWorkspace as error:
            problem = texts.admin_not_a_colleague(error.user_id, external=error.external)
            return blocks.bad_setting(Setting.ADMINS, problem)
        except NotAnAdmin as refusal:
            reply = say(texts.not_an_admin(refusal.admins))
            if refusal.admins.everyone:
                return reply

            def naming(admins: Sequence[str]) -> str:
                return texts.not_an_admin(Admins(slack=tuple(admins), listed=()))

            return replace(reply, followup=name_admins_later(call.runtime, call.team_id, naming))

    return run


VERB_HANDLERS: dict[str, VerbHandler] = {
    "config": verb_handler(guarded(config), VERBS_BY_NAME["config"]),
}
