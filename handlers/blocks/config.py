"""`/partner config` as people see it (pure builders): the settings card, one setting, changes,
refusals and bad input."""

from __future__ import annotations

from datetime import datetime

from bot.services.channels import Route
from bot.services.feedback import Rendered
from bot.services.workspace_settings import (
    AdminNotes,
    Admins,
    AdminsChanged,
    BadSetting,
    Changed,
    Setting,
    SettingsView,
    Values,
)
from handlers.blocks import context, divider, header, section
from handlers.blocks.delivery import failed_deliveries
from handlers.blocks.partners import say
from handlers.reply import Block, Reply
from handlers.texts import config as texts
from handlers.texts.partners import let_know


def settings_card(view: SettingsView) -> Reply:
    """Every setting with its meaning, the admins, and for admins the failed deliveries."""
    blocks: list[Block] = [header(texts.TITLE), context(texts.intro(view.viewer_is_admin))]
    refused = texts.channel_passed_over(view.channel_route)
    for setting in texts.ORDER:
        line = texts.setting_line(setting, view.values, view.default_channel, view.next_digest)
        blocks.append(section(line))
        if setting is Setting.CHANNEL and refused is not None:
            blocks.append(context(refused))
    blocks.append(section(texts.admins_line(view.admins)))
    if view.failed is not None:
        blocks.append(divider())
        blocks.extend(failed_deliveries(view.failed.latest))
        if view.failed.latest:
            blocks.append(context(texts.more_failed(view.failed.more)))
    return Reply(text=texts.TITLE, blocks=blocks)


def one_setting(
    setting: Setting,
    values: Values,
    default_channel: str | None,
    channel_route: Route | None = None,
    next_digest: datetime | None = None,
) -> Reply:
    """`config SETTING` alone: its value, what it does (for the channel, where its messages go
    while Slack refuses Liaison there), and how to change it."""
    line = texts.setting_line(setting, values, default_channel, next_digest)
    refused = None
    if setting is Setting.CHANNEL and channel_route is not None:
        refused = texts.channel_passed_over(channel_route)
    said = [section(line), *([context(refused)] if refused else [])]
    return Reply(text=line, blocks=[*said, context(texts.how_to_change(setting))])


def admins(found: Admins) -> Reply:
    """`config admins` alone."""
    line = texts.admins_line(found)
    return Reply(text=line, blocks=[section(line)])


def changed(change: Changed, *, renamed_from: str | None = None) -> Reply:
    """A setting's change; `renamed_from`: the old zone name typed, kept by its current one."""
    text = texts.changed(change)
    if renamed_from is not None:
        text += "\n" + texts.zone_renamed(renamed_from, change.after.timezone)
    return say(text)


def admins_changed(change: AdminsChanged) -> Reply:
    """`config admins @…`'s answer, naming the colleagues told they are admins now, or no
    longer."""
    return say(texts.admins_changed(change) + let_know(change.told))


def admin_notes(*, by: str, occasion: str) -> AdminNotes:
    """What colleagues hear when `by` names them as admins, or no longer names them."""
    made, dropped = texts.made_admin(by), texts.no_longer_admin(by)
    return AdminNotes(
        made_admin=Rendered(text=made, blocks=[section(made)]),
        no_longer_admin=Rendered(text=dropped, blocks=[section(dropped)]),
        occasion=occasion,
    )


def bad_setting(setting: Setting | None, problem: str) -> Reply:
    """A value (or setting) that does not work: what was wrong, the right form, an example.

    Without a setting (an unknown one), the forms of every setting."""
    if setting is None:
        forms = "\n".join(f"`{texts.COMMAND} {texts.syntax(s)}`" for s in Setting)
        example = texts.EXAMPLES[Setting.WINDOW]
        text = f"{problem}\n*Syntax:*\n{forms}\n*Example:* `{texts.COMMAND} {example}`"
    else:
        text = (
            f"{problem}\n*Syntax:* `{texts.COMMAND} {texts.syntax(setting)}`\n"
            f"*Example:* `{texts.COMMAND} {texts.EXAMPLES[setting]}`"
        )
    return say(text)


def bad_value(error: BadSetting) -> Reply:
    return bad_setting(error.setting, texts.problem(error))
