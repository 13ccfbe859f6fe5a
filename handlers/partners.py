"""The partner registry in Slack: the `/partner` verbs add, show, list, owner, deputy, team,
status, channel, alias, rename, merge, contact and contacts; their buttons; the `add` form.

Each verb parses its line (`handlers.grammar`), calls the registry once and renders the answer,
which travels in the ack. Anything that needs the Web API happens after the ack, in the reply's
followup: opening the form, telling old and new owners of a handover, asking Slack about people
the profile cache does not know (then answering through `respond`), and refreshing stale
profiles of the people involved.
"""

from __future__ import annotations

import difflib
import json
import logging
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from http.client import HTTPException
from typing import Any, TypeVar

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.delivery.dispatcher import error_code, passes, retry_after
from bot.delivery.outbox import record_channel_post, retry_channel_post
from bot.mrkdwn import slack_text
from bot.runtime import Runtime
from bot.services import people
from bot.services.channels import Route
from bot.services.commitments import Commitments
from bot.services.partner_parts import (
    CHANNEL_HELLO,
    ChangeBy,
    PartnerNotes,
    reader_zone,
    zone_not_known,
)
from bot.services.partner_parts import known_admins as admins_known
from bot.services.people import NotInWorkspace, PeopleCheck, PeopleToLookUp
from bot.services.registry import (
    MAX_NOTES,
    Actor,
    AlreadyRegistered,
    BadName,
    BadValue,
    DeputyIsOwner,
    LikelyDuplicate,
    ListScope,
    NameTaken,
    NotAllowed,
    NotesTooLong,
    NothingToDo,
    PartnerFacts,
    PartnerProfile,
    Registry,
    UnknownPartner,
    clean_name,
    repeated_names,
)
from bot.services.touchpoints import Touchpoints
from bot.slack_errors import SLACK_CALL_ERRORS
from handlers import grammar
from handlers.blocks import help as help_blocks
from handlers.blocks import partners as blocks
from handlers.blocks import section
from handlers.blocks.partners import say
from handlers.context import runtime_of
from handlers.grammar import Change, GrammarError, Name
from handlers.invocation import Invocation, VerbHandler
from handlers.reply import Block, Followup, FormAnswer, Reply, refuse_fields
from handlers.texts import partners as texts
from handlers.verbs import VERBS_BY_NAME, Verb
from storage.models import PartnerStatus

logger = logging.getLogger(__name__)

# Answers one `/partner` line; a "Did you mean" button re-runs a line through it.
Router = Callable[[Runtime, Invocation], Reply]

LIST_SCOPES = ("all", "mine", *texts.STATUSES, "dormant", "at-risk")


@dataclass(frozen=True)
class Call:
    """One run of a verb: the runtime, who typed what, and what Slack told us about people."""

    runtime: Runtime
    invocation: Invocation
    verb: Verb
    rest: str
    check: PeopleCheck = field(default_factory=PeopleCheck)
    # The partner names this run looked up, so an unknown one can be swapped for a candidate.
    names: list[Name] = field(default_factory=list)

    @property
    def registry(self) -> Registry:
        return registry_of(self.runtime)

    @property
    def actor(self) -> Actor:
        return Actor(self.invocation.team_id, self.invocation.user_id, self.check)

    @property
    def team_id(self) -> str:
        return self.invocation.team_id

    def partner(self, name: Name) -> str:
        """The partner name as typed, remembered for "Did you mean"."""
        self.names.append(name)
        return name.text

    def known(self, readings: Sequence[str]) -> int | None:
        """Which reading of a typed name a partner goes by exactly (`grammar.KnownNames`): a
        registered name with keywords in it is then read whole."""
        return self.registry.registered_reading(team_id=self.team_id, readings=readings)


VerbBody = Callable[[Call], Reply]
# What a verb's grammar reads a line as (`_line_or_alone`).
Line = TypeVar("Line")

# Sections later features add below the profile card (`show`), by name: each takes the runtime,
# who asked and the partner's id, and returns the blocks to append.
CardSection = Callable[[Runtime, Invocation, int], list[Block]]
CARD_SECTIONS: dict[str, CardSection] = {}

# The parts later features add to a change in its transaction (HANDOVER_PARTS, DEPUTY_PARTS,
# MERGE_PARTS, RENAME_PARTS, END_PARTS) are the service's (`bot.services.partner_parts`): they
# take its session, and those features register them there.

# Lists later features answer (`list at-risk`, `list dormant`), by scope: from the runtime and
# who asked, the whole answer.
ListView = Callable[[Runtime, Invocation], Reply]
LIST_VIEWS: dict[str, ListView] = {}


def card_sections(
    runtime: Runtime, invocation: Invocation, partner_id: int, *, without: Collection[str] = ()
) -> list[Block]:
    """The blocks every registered card section (but those named `without`) adds about a
    partner, in registration order."""
    return [
        block
        for name, section in CARD_SECTIONS.items()
        if name not in without
        for block in section(runtime, invocation, partner_id)
    ]


def reader_now(runtime: Runtime, *, team_id: str, user_id: str) -> datetime:
    """Now on the reader's calendar (their cached time zone, else the workspace's): where their
    "today" and "yesterday" begin."""
    tz = reader_zone(runtime.engine, team_id=team_id, user_id=user_id)
    return runtime.clock.now().astimezone(tz)


def zone_note(runtime: Runtime, *, team_id: str, user_id: str) -> list[Block]:
    """Below an answer dated on the reader's calendar, as `log` and `check` say it: the zone
    its times and days are in while Slack has not told Liaison the reader's (their first
    command; `answer` learns it after the ack). Nothing once it is known."""
    tz = zone_not_known(runtime.engine, team_id=team_id, user_id=user_id)
    return [] if tz is None else [blocks.zone_note(tz)]


def with_zone_note(reply: Reply, runtime: Runtime, invocation: Invocation) -> Reply:
    """`reply` with the `zone_note` for whoever asked at its end."""
    note = zone_note(runtime, team_id=invocation.team_id, user_id=invocation.user_id)
    return replace(reply, blocks=[*reply.blocks, *note]) if note else reply


def none_registered(runtime: Runtime, invocation: Invocation) -> Reply | None:
    """For a list that came out empty (`list at-risk`, `list dormant`, `health`): while the
    workspace has no partner at all, `list`'s own answer, how to register the first; else
    None."""
    if registry_of(runtime).has_partners(team_id=invocation.team_id):
        return None
    return say(texts.list_empty("all"))


def registry_of(runtime: Runtime) -> Registry:
    """The registry over this process's database, clock and name indexes."""
    return Registry(engine=runtime.engine, clock=runtime.clock, names=runtime.partner_names)


def _touchpoints_of(runtime: Runtime) -> Touchpoints:
    # Imported here: the touchpoint handlers build on this module.
    from handlers.touchpoints import service_of

    return service_of(runtime)


def _commitments_of(runtime: Runtime) -> Commitments:
    # Imported here: the handlers' services build on this module.
    from handlers.services import commitments_of

    return commitments_of(runtime)


def _note_blocks(text: str) -> list[Block]:
    return [section(text)]


# The notes of a change to a partner and the parts later features add to it, run in the
# registry's transaction; worded by this module's texts.
NOTES = PartnerNotes(
    wording=texts,
    note_blocks=_note_blocks,
    touchpoints_of=_touchpoints_of,
    commitments_of=_commitments_of,
)


def occasion(call: Call) -> str:
    """What makes the keys of the notes one command queues its own: Slack's trigger id, so a
    retried request queues nothing new."""
    return changed_by(call).occasion()


def changed_by(call: Call) -> ChangeBy:
    """Who makes the change this run makes, for its notes (`NOTES`)."""
    return ChangeBy(runtime=call.runtime, actor=call.actor, trigger_id=call.invocation.trigger_id)


# --- Verbs --------------------------------------------------------------------------------------


def add(call: Call, *, allow_similar: bool = False) -> Reply:
    if not call.rest:
        return _open_add_form(call)
    line = grammar.parse_add(call.rest, known=call.known, me=call.actor.user_id)
    told: list[str] = []
    members: list[str] = []
    deputy_told: list[str] = []
    try:
        profile = call.registry.add(
            actor=call.actor,
            name=line.name.text,
            owner_id=line.owner_id,
            deputy_id=line.deputy_id,
            aliases=line.aliases,
            team=line.team,
            website=line.website,
            allow_similar=allow_similar,
            then=partial(NOTES.added, changed_by(call), told, members, deputy_told, team=line.team),
        )
    except AlreadyRegistered as exists:
        # What came with the name was not applied either: say so, and how to.
        return _existing_card(call, exists, line=line)
    except DeputyIsOwner as both:
        said = texts.deputy_is_owner(both.name, both.user_id, caller=call.actor.user_id)
        return help_blocks.usage(call.verb, said)
    return blocks.card(
        profile,
        now=reader_now(call.runtime, team_id=call.team_id, user_id=call.actor.user_id),
        lead=texts.added(
            profile.facts.name,
            told,
            members,
            deputy=deputy_told,
            repeated=repeated_names(line.name.text, line.aliases),
        ),
    )


def _channel_route(call: Call, partner_id: int) -> Route:
    """Where the partner's alerts go now."""
    return call.registry.channel_route(
        team_id=call.team_id, partner_id=partner_id, default=call.runtime.settings.default_channel
    )


def show(call: Call) -> Reply:
    line = grammar.parse_name(call.rest)
    profile = call.registry.profile(team_id=call.team_id, partner=call.partner(line.name))
    card = blocks.card(
        profile,
        now=reader_now(call.runtime, team_id=call.team_id, user_id=call.actor.user_id),
        channel_route=_channel_route(call, profile.facts.id),
    )
    extra = card_sections(call.runtime, call.invocation, profile.facts.id)
    return with_zone_note(
        replace(card, blocks=[*card.blocks, *extra]), call.runtime, call.invocation
    )


def contacts(call: Call) -> Reply:
    line = grammar.parse_name(call.rest)
    return blocks.contacts(
        call.registry.profile(team_id=call.team_id, partner=call.partner(line.name))
    )


def list_partners(call: Call) -> Reply:
    scope = grammar.parse_word(call.rest, LIST_SCOPES, default="all")
    if scope in LIST_VIEWS:
        return LIST_VIEWS[scope](call.runtime, call.invocation)
    return _list_page(call.runtime, call.invocation, scope, after=None)


def _line_or_alone(
    call: Call, parse: Callable[[str], Line], *, of: bool = False
) -> Line | PartnerProfile:
    """The line as the verb's own grammar (`parse`) reads it; or, when that grammar refuses it
    and the line is a partner's name (or an alias) and nothing more, that partner's profile:
    `owner MSF`, `status MSF`, … then show what the verb would change, and how to. With `of`,
    `owner of MSF` too.

    The verb's grammar comes first: `status Acme active` sets Acme's status even beside a
    partner called "Acme Active", as it did before names alone were read.
    """
    try:
        return parse(call.rest)
    except grammar.NothingGiven:
        raise
    except grammar.GrammarError as error:
        refused = error
    try:
        line = grammar.parse_name(call.rest, of=call.known if of else None)
    except grammar.GrammarError:
        raise refused from None
    readings = (line.name.text,)
    if (
        call.known(readings) != 0
        and call.registry.close_reading(team_id=call.team_id, readings=readings) != 0
    ):
        raise refused
    # A registered name, or a near miss of one ("Oxfamm"): "Did you mean" then answers, as for
    # every verb, and the partner picked shows.
    return call.registry.profile(team_id=call.team_id, partner=call.partner(line.name))


def owner(call: Call) -> Reply:
    line = _line_or_alone(
        call,
        partial(grammar.parse_person, role="owner", known=call.known, me=call.actor.user_id),
        of=True,
    )
    if isinstance(line, PartnerProfile):
        return say(texts.owner_shown(line.facts))
    told: list[str] = []
    said: list[str] = []
    handover = call.registry.hand_over(
        actor=call.actor,
        partner=call.partner(line.name),
        new_owner_id=line.user_id,
        tell=partial(NOTES.handed_over, changed_by(call), told, said=said),
    )
    answer = texts.handed_over(
        handover.facts, handover.old_owner_id, told, was_deputy=handover.was_deputy
    )
    return say("\n".join([answer, *said]))


def deputy(call: Call) -> Reply:
    line = _line_or_alone(
        call, partial(grammar.parse_deputy, known=call.known, me=call.actor.user_id), of=True
    )
    if isinstance(line, PartnerProfile):
        return say(texts.deputy_shown(line.facts))
    told: list[str] = []
    change = call.registry.set_deputy(
        actor=call.actor,
        partner=call.partner(line.name),
        deputy_id=line.user_id,
        then=partial(NOTES.deputy_changed, changed_by(call), told),
    )
    return say(texts.deputy_set(change.facts, change.old_deputy_id) + texts.let_know(told))


def team(call: Call) -> Reply:
    # `team Friends of Add` is that partner's team: `add` with nobody after it is no change.
    line = _line_or_alone(
        call, partial(grammar.parse_team, known=call.known, me=call.actor.user_id)
    )
    if isinstance(line, PartnerProfile):
        return say(texts.team_shown(line))
    if isinstance(line, grammar.NameLine):
        profile = call.registry.profile(team_id=call.team_id, partner=call.partner(line.name))
        return say(texts.team_shown(profile))
    told: list[str] = []
    if line.change is Change.REMOVE:
        change = call.registry.remove_from_team(
            actor=call.actor,
            partner=call.partner(line.name),
            user_ids=line.items,
            then=partial(NOTES.team_removed, changed_by(call), told),
        )
        return say(texts.team_changed(change, adding=False) + texts.let_know(told))
    change = call.registry.add_to_team(
        actor=call.actor,
        partner=call.partner(line.name),
        user_ids=line.items,
        then=partial(NOTES.team_added, changed_by(call), told),
    )
    said = texts.team_changed(change, adding=True, implied=not line.said) + texts.let_know(told)
    if not line.said:
        said += "\n" + texts.team_remove_hint(change.facts)
    return say(said)


def status(call: Call) -> Reply:
    line = _line_or_alone(call, partial(grammar.parse_status, statuses=texts.STATUSES))
    if isinstance(line, PartnerProfile):
        return say(texts.status_shown(line.facts))
    told: list[str] = []
    closed: list[str] = []
    facts = call.registry.set_status(
        actor=call.actor,
        partner=call.partner(line.name),
        status=PartnerStatus(line.word),
        then=partial(NOTES.status_changed, changed_by(call), told, closed),
    )
    return say(texts.status_set(facts) + texts.let_know(told) + "".join(f"\n{c}" for c in closed))


def channel(call: Call) -> Reply:
    line = _line_or_alone(call, grammar.parse_channel)
    if isinstance(line, PartnerProfile):
        return say(texts.channel_shown(line.facts, _channel_route(call, line.facts.id)))
    now = call.registry.profile(team_id=call.team_id, partner=call.partner(line.name)).facts
    welcome = texts.alerts_here(partner=now.name, by=call.invocation.user_id)
    return choose_as_typed(
        call,
        line.channel_id,
        now.channel_id,
        choose=partial(_choose_channel, call, now.id),
        greeting=welcome,
        asking=partial(texts.asking_which_channel, kept=texts.partners_channel(now)),
        unchecked=partial(texts.partner_channel_unchecked, facts=now),
        refused=lambda: bool(_channel_route(call, now.id).passed_over),
    )


def _choose_channel(call: Call, partner_id: int, channel_id: str | None, greet: bool) -> Reply:
    """Make `channel_id` the channel of the partner `partner_id` (None: the workspace's), and
    after the ack greet it unless it was greeted already (`greet`). By its id, for after the
    ack (`channel_named_later`) the name typed may be another partner's: one renamed meanwhile,
    or added under an alias just taken off."""
    profile = call.registry.profile_by_id(team_id=call.team_id, partner_id=partner_id)
    if profile is None:
        return say(texts.partner_gone())
    now = profile.facts
    # Chosen again while it takes the alerts: nothing to change, and no second greeting (one
    # Slack refused is chosen again to retry, below).
    if (
        channel_id is not None
        and now.channel_id == channel_id
        and not _channel_route(call, now.id).passed_over
    ):
        return say(texts.channel_already(now))
    facts = call.registry.set_channel(actor=call.actor, partner=now.name, channel_id=channel_id)
    reply = say(texts.channel_set(facts))
    if facts.channel_id is None or not greet:
        return reply
    welcome = texts.alerts_here(partner=facts.name, by=call.invocation.user_id)
    # One greeting per choice of the channel: a retry of it is never queued twice.
    set_at = facts.channel_set_at or call.runtime.clock.now()
    key = f"{CHANNEL_HELLO}:{facts.id}:{set_at.isoformat()}"
    return replace(
        reply,
        followup=announce_in(
            call.runtime, call.team_id, facts.channel_id, welcome, key=key, partners=True
        ),
    )


# A channel chosen by name for a setting that holds one picked from Slack's list.

# Makes the channel (None: none) the setting's; after the ack it greets the channel unless it was
# greeted already (False).
ChooseChannel = Callable[[str | None, bool], Reply]


def choose_as_typed(
    call: Call,
    chosen: str | None,
    current: str | None,
    *,
    choose: ChooseChannel,
    greeting: str,
    asking: Callable[[str, str], str],
    unchecked: Callable[[str], str],
    refused: Callable[[], bool],
) -> Reply:
    """`chosen`, as `grammar.channel_choice` reads it (picked: `<#C123|name>`, its id; typed:
    `#name`, lowercase as Slack's names are), for a channel setting that holds `current`.
    A typed name kept before matches whatever its case. A name typed while the setting holds a
    channel picked from Slack's list, kept by its id, is one only Slack can place (Liaison may
    not read channels): the ack says it asks (`asking`, the name and the id), and after it
    `channel_named_later` decides (`refused`: whether Slack refuses Liaison in `current`, its
    alerts passed over)."""
    if chosen is None or current is None or not chosen.startswith("#"):
        return choose(chosen, True)
    if current.startswith("#"):
        # The channel already, whatever the case it was kept in.
        return choose(current if current.lower() == chosen else chosen, True)
    decide = channel_named_later(
        call,
        typed=chosen,
        current=current,
        choose=choose,
        greeting=greeting,
        unchecked=unchecked(chosen),
        refused=refused,
    )
    return replace(say(asking(chosen, current)), followup=decide)


def channel_named_later(
    call: Call,
    *,
    typed: str,
    current: str,
    choose: ChooseChannel,
    greeting: str,
    unchecked: str,
    refused: Callable[[], bool],
) -> Followup:
    """After the ack of a channel's name (`typed`) given while the setting holds a channel
    picked from Slack's list (`current`, its id): the greeting goes to the name, and the channel
    Slack posted it in decides: the channel already (nothing changed), or another (chosen).
    Posting is the only way to ask (Liaison may not read channels), so a greeting that proves
    the channel the one already is taken back (`chat.delete`, its own message): the channel
    hears nothing new, however often its name is typed. One that had refused Liaison (`refused`
    before the post) keeps it: the first greeting to get there. Should Slack refuse it, the name
    is no channel Liaison can post in: chosen as typed and greeted as any choice is, which says
    why. Trouble on Slack's side leaves the setting as it was, and says so (`unchecked`)."""

    def run(client: WebClient, respond: Respond) -> None:
        was_refused = refused()
        try:
            posted = client.chat_postMessage(channel=typed, text=slack_text(greeting))
        except SlackApiError as error:
            if passes(error):
                respond(**say(unchecked).as_message(), replace_original=True)
                return
            reply = choose(typed, True)
        except SLACK_CALL_ERRORS:
            respond(**say(unchecked).as_message(), replace_original=True)
            return
        else:
            channel = current if posted.get("channel") == current else typed
            if channel == current and not was_refused:
                take_back(client, current, str(posted.get("ts") or ""))
            else:
                record_greeting(call.runtime, call.team_id, channel, greeting, refused=None)
            reply = choose(channel, False)
        respond(**reply.as_message(), replace_original=True)
        if reply.followup is not None:
            reply.followup(client, respond)

    return run


def take_back(client: WebClient, channel: str, ts: str) -> None:
    """Delete a message of Liaison's that said nothing new; should Slack not, it stays (its
    words hold either way) and the log says why."""
    try:
        client.chat_delete(channel=channel, ts=ts)
    except SlackApiError as error:
        logger.warning("taking back a greeting in %s failed: %s", channel, error_code(error))
    except SLACK_CALL_ERRORS as error:
        logger.warning(
            "taking back a greeting in %s could not reach Slack: %s", channel, type(error).__name__
        )


# The greeting of a channel chosen for alerts, as recorded in the outbox.


def record_greeting(
    runtime: Runtime, team_id: str, channel_id: str, text: str, *, refused: str | None
) -> None:
    """Record the greeting of a channel chosen for alerts with the outbox's deliveries: sent
    (`refused` None), or refused with Slack's reason, which passes the channel over."""
    record_channel_post(
        runtime.engine,
        team_id=team_id,
        kind=CHANNEL_HELLO,
        channel_id=channel_id,
        text=text,
        refused=refused,
        now=runtime.clock.now(),
    )


def announce_in(
    runtime: Runtime,
    team_id: str,
    channel_id: str,
    text: str,
    *,
    key: str,
    partners: bool = False,
) -> Followup:
    """After the ack: say in the channel just chosen for alerts that they will come there,
    which also shows whether Liaison can post there at all. If Slack refuses, the person who
    chose it is told why and what to do; the setting stands. The outcome is recorded with the
    outbox's deliveries, so a channel that refused its greeting is passed over by the next
    alert (`storage.outbox.channel_refusal`). Trouble on Slack's side (a rate limit, a 5xx, no
    answer) hands the greeting to the outbox under `key` (one per choice of the channel): the
    dispatcher sends it after `Retry-After` or with its backoff, and records a refusal then as
    it records any. A partner's own channel (`partners`) that refuses is passed over for the
    workspace's, and the workspace's for the server's default (`bot.services.channels`)."""

    def record(refused: str | None) -> None:
        record_greeting(runtime, team_id, channel_id, text, refused=refused)

    def retry(wait: timedelta) -> None:
        now = runtime.clock.now()
        retry_channel_post(
            runtime.engine,
            team_id=team_id,
            kind=CHANNEL_HELLO,
            channel_id=channel_id,
            text=text,
            dedupe_key=key,
            due_at=now + wait,
            now=now,
        )

    def run(client: WebClient, respond: Respond) -> None:
        try:
            client.chat_postMessage(channel=channel_id, text=slack_text(text))
        except SlackApiError as error:
            code = error_code(error)
            logger.info("channel %s refused the announcement: %s", channel_id, code)
            if passes(error):
                rate_limited = error.response.status_code == 429 or code == "ratelimited"
                wait = (
                    retry_after(error.response.headers, now=runtime.clock.now())
                    if rate_limited
                    else 0
                )
                retry(timedelta(seconds=wait))
                told = texts.could_not_check(channel_id, code)
            else:
                record(f"chat.postMessage: {code}")
                told = texts.cannot_post(
                    channel_id,
                    code,
                    partners=partners,
                    default_channel=runtime.settings.default_channel,
                )
            respond(text=slack_text(told), replace_original=False)
        except (OSError, HTTPException) as error:
            logger.warning("could not reach Slack to greet channel %s: %s", channel_id, error)
            retry(timedelta(0))
            told = texts.could_not_check(channel_id, None)
            respond(text=slack_text(told), replace_original=False)
        else:
            record(None)

    return run


def alias(call: Call) -> Reply:
    line = _line_or_alone(call, grammar.parse_alias)
    if isinstance(line, PartnerProfile):
        return say(texts.aliases_shown(line))
    change_aliases = (
        call.registry.add_aliases if line.change is Change.ADD else call.registry.remove_aliases
    )
    change = change_aliases(actor=call.actor, partner=call.partner(line.name), aliases=line.items)
    said = texts.aliases_changed(change, adding=line.change is Change.ADD)
    repeated = repeated_names(None, line.items) if line.change is Change.ADD else []
    if repeated:
        said += "\n" + texts.kept_once(repeated)
    if not line.said and change.changed:
        said += "\n" + texts.alias_remove_hint(change.facts)
    return say(said)


def rename(call: Call) -> Reply:
    line = grammar.parse_rename(call.rest, known=call.known)
    told: list[str] = []
    result = call.registry.rename(
        actor=call.actor,
        partner=call.partner(line.name),
        new_name=line.new_name,
        then=partial(NOTES.renamed, changed_by(call), told),
    )
    return say(texts.renamed(result) + texts.let_know(told))


def merge(call: Call) -> Reply:
    line = grammar.parse_merge(call.rest, known=call.known)
    told: list[str] = []
    result = call.registry.merge(
        actor=call.actor,
        duplicate=call.partner(line.duplicate),
        kept=call.partner(line.kept),
        then=partial(NOTES.merged, changed_by(call), told),
    )
    return say(texts.merged(result, told))


def contact(call: Call) -> Reply:
    line = _line_or_alone(call, partial(grammar.parse_contact, known=call.known))
    if isinstance(line, PartnerProfile):
        return blocks.contacts(line)
    if line.change is Change.REMOVE:
        removed = call.registry.remove_contact(
            actor=call.actor, partner=call.partner(line.name), person=line.person
        )
        return say(texts.contact_removed(removed))
    result = call.registry.add_contact(
        actor=call.actor,
        partner=call.partner(line.name),
        name=line.person,
        email=line.email,
        title=line.title,
    )
    return say(texts.contact_added(result))


BODIES: dict[str, VerbBody] = {
    "add": add,
    "show": show,
    "list": list_partners,
    "owner": owner,
    "deputy": deputy,
    "team": team,
    "status": status,
    "channel": channel,
    "alias": alias,
    "rename": rename,
    "merge": merge,
    "contact": contact,
    "contacts": contacts,
}


def verb_handler(
    body: VerbBody, verb: Verb, *, answered_by: Callable[[Call, VerbBody], Reply] | None = None
) -> VerbHandler:
    """A body as the `/partner` router calls it, its outcomes worded by `answered_by` (the
    registry's `answer` unless a feature words more refusals of its own)."""

    def handle(runtime: Runtime, invocation: Invocation, rest: str) -> Reply:
        call = Call(runtime=runtime, invocation=invocation, verb=verb, rest=rest)
        return (answered_by or answer)(call, body)

    return handle


VERB_HANDLERS: dict[str, VerbHandler] = {
    name: verb_handler(body, VERBS_BY_NAME[name]) for name, body in BODIES.items()
}


# --- From outcome to answer ---------------------------------------------------------------------


def answer(call: Call, body: VerbBody) -> Reply:
    """Run a verb and word every outcome, refusals included; refresh stale profiles after."""
    try:
        reply = body(call)
    except PeopleToLookUp as pending:
        return look_up_then(call, pending.user_ids, rerun=partial(answer, body=body))
    except UnknownPartner as unknown:
        reply = unknown_partner(call, unknown)
    except (GrammarError, BadName, BadValue, NotInWorkspace) as error:
        reply = help_blocks.usage(
            call.verb, _problem(error, verb=call.verb.name, bot=call.invocation.bot_user_id)
        )
    except NotAllowed as refusal:
        reply = refused(
            call.runtime,
            call.team_id,
            partial(texts.not_allowed, refusal.facts),
            admins=refusal.admins,
        )
    except NothingToDo as conflict:
        reply = say(texts.nothing_to_do(conflict.conflict, conflict.facts, conflict.subject))
    except NameTaken as taken:
        reply = say(texts.name_taken(taken.name, taken.holder, adding=taken.adding))
    except AlreadyRegistered as exists:
        reply = _existing_card(call, exists)
    except LikelyDuplicate as duplicate:
        reply = blocks.duplicate_prompt(duplicate.name, duplicate.similar, call.rest)
    involved = [call.invocation.user_id, *_mentioned(call.rest)]
    return replace(
        reply, followup=_then(reply.followup, warm_profiles(call.runtime, call.team_id, involved))
    )


def _existing_card(
    call: Call, exists: AlreadyRegistered, *, line: grammar.AddLine | None = None
) -> Reply:
    """The card of the partner `add` found registered, led by what was not done: the owner,
    deputy, team and aliases typed with the name (`line`), if any."""
    lead = texts.already_registered(
        exists.name,
        exists.existing.facts,
        owner_id=None if line is None else line.owner_id,
        deputy_id=None if line is None else line.deputy_id,
        team=() if line is None else line.team,
        aliases=() if line is None else line.aliases,
    )
    return blocks.card(
        exists.existing,
        now=reader_now(call.runtime, team_id=call.team_id, user_id=call.actor.user_id),
        lead=lead,
    )


def known_admins(runtime: Runtime, team_id: str) -> list[str]:
    """The admins Liaison knows of, to name in a refusal (`people.known_admins`)."""
    return admins_known(runtime.engine, team_id=team_id)


def refused(
    runtime: Runtime,
    team_id: str,
    refusal: Callable[[Sequence[str]], str],
    *,
    admins: Sequence[str] | None = None,
) -> Reply:
    """A refusal worded by `refusal` naming the admins (`admins`, else those Liaison knows
    of); knowing none, it is worded again after the ack with those Slack names
    (`name_admins_later`)."""
    if admins is None:
        admins = known_admins(runtime, team_id)
    reply = say(refusal(admins))
    if admins:
        return reply
    return replace(reply, followup=name_admins_later(runtime, team_id, refusal))


def name_admins_later(
    runtime: Runtime, team_id: str, refusal: Callable[[Sequence[str]], str]
) -> Followup:
    """After the ack, for a refusal that could name no admin (nobody has used Liaison yet who
    is one): ask Slack who the workspace's admins are and word the refusal again, naming them.
    If Slack names none, the refusal stands as it was."""

    def run(client: WebClient, respond: Respond) -> None:
        admins = people.find_admins(
            client, engine=runtime.engine, clock=runtime.clock, team_id=team_id
        )
        if admins:
            respond(**say(refusal(admins)).as_message(), replace_original=True)

    return run


def _problem(
    error: GrammarError | BadName | BadValue | NotInWorkspace,
    *,
    verb: str | None = None,
    bot: str | None = None,
) -> str:
    """What was wrong with a line of `verb`; `bot`: Liaison's own user id, named as itself."""
    if isinstance(error, GrammarError):
        return error.problem
    if isinstance(error, BadName):
        return texts.bad_name(error.problem, error.name, verb=verb)
    if isinstance(error, BadValue):
        return texts.bad_value(error.what, error.value, limit=error.limit)
    liaison = bot is not None and error.user_id == bot
    return texts.not_in_workspace(
        error.user_id, external=error.external, verb=verb, liaison=liaison
    )


def unknown_partner(call: Call, unknown: UnknownPartner) -> Reply:
    """No partner goes by the name: the partners it may stand for, as "Did you mean" buttons
    (`log Oxfam Intl : …`: the pick is the answer, so no lesson in syntax follows). With none to
    offer, a name that starts with a known one (`survey Acme weekly`) is told what the words
    after that name are not, with the verb's forms."""
    choices = _reruns(call, unknown)
    start = unknown.start
    if (
        not choices
        and start is not None
        and _takes_only_a_name(call.verb)
        and not _misspelt_keyword(start.rest)
    ):
        # `show Oxfam Intl`: no words may follow the name, so they are not a mistake in what
        # follows it but a longer name nobody goes by; the partner it starts with is offered.
        # A clause's word typed a letter off (`check Acme wth Jane`) is told it is not taken.
        typed = _typed_name(call, unknown)
        rerun = "" if typed is None else pick_value(call, typed, start.facts.name)
        choices = [(start.facts, rerun)]
    if choices or start is None:
        return blocks.did_you_mean(unknown.query, choices, more=unknown.more)
    swallowed = texts.swallowed_words(
        start.facts.name, start.rest, verb=call.verb.name, query=unknown.query
    )
    return help_blocks.usage(call.verb, swallowed)


def named_alone(runtime: Runtime, invocation: Invocation) -> str | None:
    """The whole line when it is only a registered partner's name or alias (`/partner Acme
    GmbH`), as typed: whoever types a partner's name alone wants to see it, so the answer
    offers `show` rather than the verb its first word happens to look like."""
    text = grammar.as_typed(invocation.text)
    readings = [text.strip('"“”«»').strip(), text]
    found = registry_of(runtime).registered_reading(team_id=invocation.team_id, readings=readings)
    return None if found is None else readings[found]


def known_prefix(unknown: UnknownPartner) -> tuple[PartnerFacts, str] | None:
    """The known partner the unknown name starts with (the longest), and the words after it."""
    return None if unknown.start is None else (unknown.start.facts, unknown.start.rest)


def _takes_only_a_name(verb: Verb) -> bool:
    """Whether every form of `verb` ends at the partner's name (`show NAME`, `contacts NAME`)."""
    return all(form.partition("(")[0].split()[1:] == ["NAME"] for form in verb.syntax)


def _misspelt_keyword(words: str) -> bool:
    """Whether `words` start with a near miss of a clause's word (`wth` for `with`)."""
    first = words.split()[0].lower() if words.split() else ""
    return len(first) > 2 and bool(difflib.get_close_matches(first, grammar.KEYWORDS, 1, 0.8))


def _typed_name(call: Call, unknown: UnknownPartner) -> Name | None:
    """The name typed that no partner goes by, as the call read it."""
    return next((n for n in call.names if clean_name(n.text) == unknown.query), None)


def _reruns(call: Call, unknown: UnknownPartner) -> list[tuple[PartnerFacts, str]]:
    """Each candidate with the command line that names it instead of the unknown name."""
    typed = _typed_name(call, unknown)
    choices = []
    longer = [] if typed is None else grammar.longer_names(call.rest, typed)
    for candidate in unknown.candidates:
        rerun = ""
        if typed is not None:
            rerun = pick_value(call, _as_picked(call, typed, longer, candidate), candidate.name)
        choices.append((candidate, rerun))
    return choices


def _as_picked(call: Call, typed: Name, longer: Sequence[Name], candidate: PartnerFacts) -> Name:
    """The words a pick of `candidate` replaces: the name typed or, when the candidate's name
    carries on past a keyword and the words after the name typed stand for it too ("People"
    then "with Disabilities Fund"), those as well, so they are not read as people or dates."""
    if not longer:
        return typed
    found = call.registry.reading_for(
        team_id=call.team_id, readings=[name.text for name in longer], partner_id=candidate.id
    )
    return typed if found is None else longer[found]


def pick_value(call: Call, typed: Name, partner: str) -> str:
    """The value of a button that re-runs the call's line with `partner` in place of the name
    typed, as of when the line was typed."""
    renamed = call.rest[: typed.start] + grammar.quoted(partner) + call.rest[typed.end :]
    typed_at = call.invocation.typed(call.runtime.clock.now())
    return blocks.pick_value(f"{call.verb.name} {renamed}", typed_at=typed_at)


def _mentioned(text: str) -> list[str]:
    try:
        tokens = grammar.tokenize(text)
    except GrammarError:
        return []
    return [token.text for token in tokens if token.kind is grammar.Kind.MENTION]


def look_up_then(call: Call, user_ids: Sequence[str], *, rerun: VerbBody) -> Reply:
    """Answer "checking with Slack" now; after the ack, ask Slack about the people, then answer
    with `rerun` (the verb run again, worded by the same answer function)."""
    return Reply(
        text=texts.checking(user_ids, call.invocation.user_id),
        followup=partial(_look_up_and_retry, call, rerun, user_ids),
    )


def _look_up_and_retry(
    call: Call, rerun: VerbBody, user_ids: Sequence[str], client: WebClient, respond: Respond
) -> None:
    runtime = call.runtime
    learned = people.look_up(
        client, engine=runtime.engine, clock=runtime.clock, team_id=call.team_id, user_ids=user_ids
    )
    retry = replace(call, check=call.check | learned, names=[])
    deliver(rerun(retry), client, respond, replace_original=True)


def deliver(reply: Reply, client: WebClient, respond: Respond, *, replace_original: bool) -> None:
    """Answer after the ack through `respond`, then run the reply's own followup."""
    respond(**reply.as_message(), replace_original=replace_original)
    if reply.followup is not None:
        reply.followup(client, respond)


def _then(first: Followup | None, second: Followup) -> Followup:
    if first is None:
        return second

    def both(client: WebClient, respond: Respond) -> None:
        first(client, respond)
        second(client, respond)

    return both


def warm_profiles(runtime: Runtime, team_id: str, user_ids: Sequence[str]) -> Followup:
    """After the ack: refresh the cached profiles (time zones) among `user_ids` that are missing
    or stale, so what Liaison says and sends them later is in their zone."""

    def warm(client: WebClient, _respond: Respond) -> None:
        people.warm(
            client, engine=runtime.engine, clock=runtime.clock, team_id=team_id, user_ids=user_ids
        )

    return warm


def undo_if_elsewhere(
    runtime: Runtime,
    *,
    team_id: str,
    user_id: str,
    picked: Sequence[str],
    undo: Callable[[list[str]], str],
    then: Followup | None = None,
) -> Followup:
    """After the ack of a form: ask Slack about `picked`, the people chosen in its user menus
    whom the cache did not know (`people.uncached`, read before); for those Slack says are of
    another organisation, `undo` takes them off what the form saved and says what it undid,
    which the submitter is sent in one DM (a form from the App Home has no response_url).
    Then `then` (the answer's own followup, which then finds them looked up already)."""

    def check(client: WebClient, respond: Respond) -> None:
        elsewhere = people.found_elsewhere(
            client, engine=runtime.engine, clock=runtime.clock, team_id=team_id, user_ids=picked
        )
        if elsewhere:
            told = say(undo(elsewhere))
            people.send_direct_message(client, user_id=user_id, text=told.text, blocks=told.blocks)
        if then is not None:
            then(client, respond)

    return check


def undo_if_no_colleagues(
    runtime: Runtime,
    *,
    team_id: str,
    user_id: str,
    picked: Sequence[str],
    undo: Callable[[list[str], list[str]], str],
    then: Followup | None = None,
) -> Followup:
    """`undo_if_elsewhere` for the `add` and commitment forms, whose people may also be apps or
    accounts deactivated since the menu listed them: `undo` gets those of another organisation and
    those Slack says are no active member, apart, to say why each was taken off."""

    def check(client: WebClient, respond: Respond) -> None:
        elsewhere, gone = people.found_no_colleagues(
            client, engine=runtime.engine, clock=runtime.clock, team_id=team_id, user_ids=picked
        )
        if elsewhere or gone:
            told = say(undo(elsewhere, gone))
            people.send_direct_message(client, user_id=user_id, text=told.text, blocks=told.blocks)
        if then is not None:
            then(client, respond)

    return check


def _list_page(
    runtime: Runtime,
    invocation: Invocation,
    scope: str,
    *,
    after: tuple[str, int] | None,
    shown_before: int = 0,
    pressed: bool = False,
) -> Reply:
    page = registry_of(runtime).page(
        team_id=invocation.team_id,
        user_id=invocation.user_id,
        scope=PartnerStatus(scope) if scope in texts.STATUSES else ListScope(scope),
        after=after,
        limit=blocks.PAGE_SIZE,
    )
    shown = shown_before + len(page.partners)
    more = (
        None
        if page.next_after is None
        else blocks.more_value(
            scope, page.next_after, shown=shown, page_after=after, page_shown_before=shown_before
        )
    )
    listed = blocks.list_page(
        page,
        scope=scope,
        now=reader_now(runtime, team_id=invocation.team_id, user_id=invocation.user_id),
        more_value=more,
        first=after is None,
        shown_before=shown_before,
        pressed=pressed,
    )
    return with_zone_note(listed, runtime, invocation)


# --- The `add` form -----------------------------------------------------------------------------


def _open_add_form(call: Call) -> Reply:
    return open_form(
        call,
        lambda metadata: blocks.add_form(
            owner_id=call.invocation.user_id, private_metadata=metadata
        ),
        form="add",
        typed="add NAME",
    )


def open_form(
    call: Call, view_for: Callable[[str], dict[str, Any]], *, form: str, typed: str
) -> Reply:
    """Answer "Opening the form…" in the ack and open the form after it (`views.open`).

    `view_for` builds the view around its private metadata: where the command was typed (its
    response_url and channel), for the form's answer. If Slack will not open it, the answer
    says so and gives the line to `typed` instead. Once the form is open, the opener's profile
    is refreshed: a form may be someone's first use of Liaison, and its answer and what it
    queues are timed in their zone.
    """
    invocation = call.invocation
    metadata = json.dumps(
        {"response_url": invocation.response_url, "channel_id": invocation.channel_id}
    )
    view = view_for(metadata)

    def open_it(client: WebClient, respond: Respond) -> None:
        try:
            client.views_open(trigger_id=invocation.trigger_id, view=view)
        except SlackApiError as error:
            code = error_code(error)
            logger.warning("views.open for the %s form failed: %s", form, code)
            respond(**say(texts.form_failed(typed, code)).as_message(), replace_original=True)
            return
        except SLACK_CALL_ERRORS as error:
            logger.warning(
                "views.open for the %s form could not reach Slack: %s", form, type(error).__name__
            )
            respond(**say(texts.form_failed(typed)).as_message(), replace_original=True)
            return
        respond(delete_original=True)

    opener = warm_profiles(call.runtime, call.team_id, [invocation.user_id])
    return Reply(text=texts.OPENING_FORM, followup=_then(open_it, opener))


@dataclass(frozen=True)
class AddForm:
    """What the person put in the `add` form."""

    name: str
    aliases: list[str]
    owner_id: str | None
    deputy_id: str | None
    team: list[str]
    status: PartnerStatus
    website: str | None
    notes: str | None
    anyway: bool

    @classmethod
    def read(cls, values: dict[str, dict[str, dict[str, Any]]]) -> AddForm:
        def field_of(block_id: str) -> dict[str, Any]:
            return values.get(block_id, {}).get(blocks.FIELD_ACTION, {})

        def text(block_id: str) -> str:
            return str(field_of(block_id).get("value") or "").strip()

        status = (field_of(blocks.STATUS_FIELD).get("selected_option") or {}).get("value")
        return cls(
            name=text(blocks.NAME_FIELD),
            aliases=[
                part.strip() for part in text(blocks.ALIASES_FIELD).split(",") if part.strip()
            ],
            owner_id=field_of(blocks.OWNER_FIELD).get("selected_user"),
            deputy_id=field_of(blocks.DEPUTY_FIELD).get("selected_user"),
            team=list(field_of(blocks.TEAM_FIELD).get("selected_users") or []),
            status=PartnerStatus(status) if status in texts.STATUSES else PartnerStatus.PROSPECT,
            website=text(blocks.WEBSITE_FIELD) or None,
            notes=text(blocks.NOTES_FIELD) or None,
            anyway=bool(field_of(blocks.ANYWAY_FIELD).get("selected_options")),
        )

    @property
    def people(self) -> list[str]:
        return [user for user in [self.owner_id, self.deputy_id, *self.team] if user]


def form_errors(
    error: BadName
    | BadValue
    | NotesTooLong
    | AlreadyRegistered
    | LikelyDuplicate
    | NameTaken
    | NotInWorkspace
    | DeputyIsOwner,
    form: AddForm,
    *,
    owner_name: str | None = None,
    bot: str | None = None,
) -> dict[str, str]:
    """Which field of the `add` form an error belongs to, and what to say there; `owner_name`:
    how Slack names the owner of the partner registered already; `bot`: Liaison's user id."""
    if isinstance(error, BadName):
        is_name = clean_name(error.name) == clean_name(form.name)
        where = blocks.NAME_FIELD if is_name else blocks.ALIASES_FIELD
        return {where: texts.bad_name(error.problem, error.name, in_form=True)}
    if isinstance(error, BadValue):
        # An address in brackets in the name (`Unicef (ftp://unicef.org)`) is told under it.
        field = blocks.WEBSITE_FIELD if error.value == form.website else blocks.NAME_FIELD
        return {field: texts.bad_value(error.what, error.value, in_form=True)}
    if isinstance(error, NotesTooLong):
        return {blocks.NOTES_FIELD: texts.too_long("notes", error.length, MAX_NOTES)}
    if isinstance(error, AlreadyRegistered):
        return {blocks.NAME_FIELD: texts.form_exists(error.existing.facts, owner_name)}
    if isinstance(error, LikelyDuplicate):
        similar = [item.facts.name for item in error.similar]
        return {blocks.NAME_FIELD: texts.form_similar(error.name, similar)}
    if isinstance(error, NameTaken):
        return {blocks.ALIASES_FIELD: texts.form_name_taken(error.name, error.holder)}
    if isinstance(error, DeputyIsOwner):
        return {blocks.DEPUTY_FIELD: texts.FORM_DEPUTY_IS_OWNER}
    where = blocks.OWNER_FIELD if error.user_id == form.owner_id else blocks.TEAM_FIELD
    if error.user_id == form.deputy_id and error.user_id != form.owner_id:
        where = blocks.DEPUTY_FIELD
    liaison = bot is not None and error.user_id == bot
    return {where: texts.not_in_workspace(error.user_id, external=error.external, liaison=liaison)}


def on_add_submitted(
    ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    runtime = runtime_of(context)
    view = body["view"]
    form = AddForm.read(view["state"]["values"])
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    # People picked in Slack's own user menus are members of the workspace: no lookup needed.
    call = Call(
        runtime=runtime,
        invocation=_invocation(body, ""),
        verb=VERBS_BY_NAME["add"],
        rest="",
        check=PeopleCheck(asked=frozenset(form.people)),
    )
    # Slack's user menus list apps too: Liaison picked would be saved on the menu's word.
    bot = context.bot_user_id
    if bot is not None and bot in form.people:
        errors = form_errors(NotInWorkspace(bot), form, bot=bot)
        refuse_fields(ack, runtime, team_id=team_id, errors=errors)
        return
    told: list[str] = []
    members: list[str] = []
    deputy_told: list[str] = []
    try:
        profile = registry_of(runtime).add(
            actor=call.actor,
            name=form.name,
            owner_id=form.owner_id,
            deputy_id=form.deputy_id,
            aliases=form.aliases,
            team=form.team,
            status=form.status,
            website=form.website,
            notes=form.notes,
            allow_similar=form.anyway,
            then=partial(NOTES.added, changed_by(call), told, members, deputy_told, team=form.team),
        )
    except (
        BadName,
        BadValue,
        NotesTooLong,
        AlreadyRegistered,
        LikelyDuplicate,
        NameTaken,
        NotInWorkspace,
        DeputyIsOwner,
    ) as error:
        owner = error.existing.facts.owner_id if isinstance(error, AlreadyRegistered) else None
        owner_name = (
            None
            if owner is None
            else people.display_name(runtime.engine, team_id=team_id, user_id=owner)
        )
        refuse_fields(
            ack, runtime, team_id=team_id, errors=form_errors(error, form, owner_name=owner_name)
        )
        return
    ack()
    now = reader_now(runtime, team_id=team_id, user_id=user_id)
    lead = texts.added(
        profile.facts.name,
        told,
        members,
        deputy=deputy_told,
        repeated=repeated_names(form.name, form.aliases),
    )
    added = blocks.card(profile, now=now, lead=lead)
    followup = warm_profiles(runtime, team_id, [user_id, *form.people])
    # People picked in Slack's menus whom the cache does not know, or knew long ago (deactivated
    # since, maybe): Slack says now whether they are colleagues; someone of another
    # organisation, an app or a deactivated account is taken off the partner's team.
    picked = people.unconfirmed(
        runtime.engine, runtime.clock.now(), team_id=team_id, user_ids=form.people
    )
    if picked:

        def undo(elsewhere: list[str], gone: list[str]) -> str:
            off = [*elsewhere, *gone]
            registry_of(runtime).take_off_elsewhere(
                actor=call.actor, partner_id=profile.facts.id, user_ids=off
            )
            return texts.form_taken_off(
                elsewhere,
                profile.facts.name,
                owner_replaced=profile.facts.owner_id in off,
                deputy_cleared=profile.facts.deputy_id in off,
                gone=gone,
            )

        followup = undo_if_no_colleagues(
            runtime, team_id=team_id, user_id=user_id, picked=picked, undo=undo, then=followup
        )
    reply = replace(added, followup=followup)
    # The form has no message to answer; the command that opened it does.
    metadata = json.loads(view.get("private_metadata") or "{}")
    respond = FormAnswer(metadata.get("response_url"), client=client, user_id=user_id)
    runtime.defer(
        partial(deliver, reply, client, respond, replace_original=False), what="add form answer"
    )


# --- Buttons ------------------------------------------------------------------------------------


def _invocation(body: dict[str, Any], text: str) -> Invocation:
    """The person who clicked, as if they had typed `text`."""
    return Invocation(
        team_id=body["team"]["id"],
        user_id=body["user"]["id"],
        channel_id=(body.get("channel") or {}).get("id", ""),
        text=text,
        trigger_id=body.get("trigger_id"),
        response_url=body.get("response_url"),
    )


# What a button does: from the runtime, the person who clicked and the button's value, the
# answer. It runs after the ack; the answer replaces the message or follows it.
ButtonWork = Callable[[Runtime, Invocation, str], Reply]


def button_listener(work: ButtonWork, *, replace_original: bool, what: str) -> Callable[..., None]:
    """A Bolt listener that acks at once and does `work` after the ack."""

    def listener(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        context: BoltContext,
        client: WebClient,
        respond: Respond,
    ) -> None:
        ack()
        runtime = runtime_of(context)
        invocation = _invocation(body, action["value"])

        def run() -> None:
            reply = work(runtime, invocation, action["value"])
            deliver(reply, client, respond, replace_original=replace_original)

        runtime.defer(run, what=what)

    return listener


def use_existing(runtime: Runtime, invocation: Invocation, value: str) -> Reply:
    """ "Use existing" on the duplicate prompt: that partner's card instead of a new one."""
    profile = registry_of(runtime).profile_by_id(team_id=invocation.team_id, partner_id=int(value))
    if profile is None:
        return say(texts.partner_gone())
    return blocks.card(
        profile, now=reader_now(runtime, team_id=invocation.team_id, user_id=invocation.user_id)
    )


def picked(invocation: Invocation, value: str) -> Invocation:
    """A "Did you mean" pick: the line it names, as of when the original was typed."""
    line, typed_at = blocks.read_pick_value(value)
    return replace(invocation, text=line, typed_at=typed_at)


def create_anyway(runtime: Runtime, invocation: Invocation, value: str) -> Reply:
    """ "Create anyway" on the duplicate prompt: add the partner despite the likeness."""
    call = Call(runtime=runtime, invocation=invocation, verb=VERBS_BY_NAME["add"], rest=value)
    return answer(call, partial(add, allow_similar=True))


def next_page(runtime: Runtime, invocation: Invocation, value: str) -> Reply:
    """ "More" under a list: the next page."""
    position = blocks.read_more_value(value)
    if position is None or position[0] not in LIST_SCOPES:
        return say(texts.list_expired())
    scope, after = position
    following = _list_page(
        runtime, invocation, scope, after=after, shown_before=blocks.shown_before(value)
    )
    above = blocks.read_page_of_more(value)
    if above is None:
        # A button made before pages kept where they started: the next page takes its place.
        return following
    # The page pressed again without its button, replacing it (a second press would post the
    # same next page again), then the next page below it.
    start, shown_above = above
    pressed = _list_page(
        runtime, invocation, scope, after=start, shown_before=shown_above, pressed=True
    )

    def post_following(client: WebClient, respond: Respond) -> None:
        deliver(following, client, respond, replace_original=False)

    return replace(pressed, followup=_then(pressed.followup, post_following))


def register(app: App, *, route: Router) -> None:
    """Buttons and the form of the partner registry; `route` re-runs a picked command line."""
    # "Did you mean": the button's value is the command line with the chosen partner.
    pick = button_listener(
        lambda runtime, invocation, value: route(runtime, picked(invocation, value)),
        replace_original=True,
        what="did-you-mean pick",
    )
    app.action(re.compile(rf"^{blocks.PICK}_\d+$"))(pick)
    app.action(re.compile(rf"^{blocks.USE_EXISTING}_\d+$"))(
        button_listener(use_existing, replace_original=True, what="use existing partner")
    )
    app.action(blocks.CREATE_ANYWAY)(
        button_listener(create_anyway, replace_original=True, what="create partner anyway")
    )
    # The next page goes below the last one, which stays readable.
    app.action(blocks.LIST_MORE)(
        button_listener(next_page, replace_original=True, what="list more")
    )
    app.view(blocks.ADD_VIEW)(on_add_submitted)
