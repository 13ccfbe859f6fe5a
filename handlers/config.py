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

from sqlmodel import Session

from bot.delivery.outbox import withdraw
from bot.runtime import Runtime
from bot.services import checkins
from bot.services.people import NotInWorkspace
from bot.services.workspace_settings import (
    READERS,
    Admins,
    AdminsChanged,
    BadSetting,
    NotAnAdmin,
    Setting,
    WorkspaceSettings,
    channel_update,
    setting_named,
)
from handlers import grammar
from handlers.blocks import config as blocks
from handlers.blocks.partners import say
from handlers.grammar import GrammarError
from handlers.invocation import VerbHandler
from handlers.partners import (
    Call,
    VerbBody,
    announce_in,
    name_admins_later,
    occasion,
    queue_note,
    verb_handler,
)
from handlers.reply import Reply
from handlers.texts import config as texts
from handlers.texts import partners as partner_texts
from handlers.verbs import VERBS_BY_NAME
from storage.outbox import CHANNEL_HELLO
from storage.workspaces import SettingsUpdate

# The kind, and the start of the key, of the note telling a colleague they are an admin now or
# no longer one.
ADMIN_NOTE = "admin"

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


def read_channel(text: str) -> SettingsUpdate:
    """`#channel` as Slack sends it (picked: `<#C123|name>`; typed: `#name`), or `none`."""
    return channel_update(grammar.channel_choice(grammar.tokenize(text)))


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
        told: list[str] = []
        named = service.replace_admins(
            actor=call.actor, user_ids=user_ids, then=partial(_tell_new_admins, call, told)
        )
        return blocks.admins_changed(named, told)
    if not value:
        values = service.values(team_id=call.team_id)
        found = service.channel_route(team_id=call.team_id) if setting is Setting.CHANNEL else None
        due = service.next_digest(team_id=call.team_id) if setting is Setting.DIGEST else None
        return blocks.one_setting(setting, values, service.default_channel, found, due)
    service.require_may_change(actor=call.actor)
    if setting is Setting.CHANNEL:
        try:
            update = read_channel(value)
        except GrammarError as error:
            return blocks.bad_setting(setting, error.problem)
    else:
        update = READERS[setting](grammar.as_typed(value))
    change = service.change(actor=call.actor, setting=setting, update=update)
    reply = blocks.changed(change)
    channel = change.after.coordination_channel
    if setting is Setting.CHANNEL and channel is not None:
        # Also when unchanged: choosing it again checks a fix (Liaison invited meanwhile).
        welcome = partner_texts.alerts_here(partner=None, by=call.invocation.user_id)
        key = f"{CHANNEL_HELLO}:workspace:{channel}:{call.runtime.clock.now().isoformat()}"
        reply = replace(
            reply,
            followup=announce_in(call.runtime, call.team_id, channel, welcome, key=key),
        )
    return reply


def _tell_new_admins(call: Call, told: list[str], session: Session, change: AdminsChanged) -> None:
    """In the transaction of `config admins`: each colleague newly named, or no longer named,
    hears that they are an admin now, or no longer one, and is named in `told`. Not the caller
    (the answer tells them), nor Slack admins, whose rights do not change. A colleague whose
    note about the change before has not gone yet hears of neither: for them nothing changed
    (named, then dropped before their working day began)."""
    by = call.invocation.user_id
    for user_ids, text in (
        (change.added, texts.made_admin(by)),
        (change.removed, texts.no_longer_admin(by)),
    ):
        for user_id in user_ids:
            if user_id == by or user_id in change.before.slack:
                continue
            key = f"{ADMIN_NOTE}:{user_id}:"
            if withdraw(session, team_id=call.team_id, key_prefix=key):
                continue
            queue_note(
                call.runtime,
                session,
                team_id=call.team_id,
                kind=ADMIN_NOTE,
                user_id=user_id,
                text=text,
                key=f"{key}{occasion(call)}",
            )
            told.append(user_id)


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
