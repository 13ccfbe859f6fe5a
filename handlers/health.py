"""Partner health in Slack: the `/partner health [NAME]` verb, `list at-risk` and `list dormant`,
the health part of a partner's card (`show`, `check`), and the planners of the weekly
snapshots and the weekly digest.

Each answer is read from the database and travels in the ack; nothing here calls the Web API.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from slack_bolt import App

from bot.delivery.dispatcher import ON_CHANNEL_REFUSED
from bot.runtime import Runtime
from bot.services.digest import DIGEST, Digests, reroute_refused_digest
from bot.services.registry import UnknownPartner
from handlers import grammar
from handlers import partners as registry_handlers
from handlers.blocks import health as blocks
from handlers.invocation import Invocation, VerbHandler
from handlers.partners import Call, verb_handler
from handlers.reply import Block, Reply
from handlers.services import cadences_of, health_of
from handlers.verbs import VERBS_BY_NAME

if TYPE_CHECKING:
    from bot.scheduler import PlannerRegistry

logger = logging.getLogger(__name__)

SNAPSHOT_EVERY_MINUTES = 30
# The list of partners at risk, as `list` and `health` take it.
AT_RISK = "at-risk"


def digests_of(runtime: Runtime) -> Digests:
    """The weekly digests, posted to the coordination channel (or LIAISON_DEFAULT_CHANNEL)."""
    return Digests(
        engine=runtime.engine,
        clock=runtime.clock,
        health=health_of(runtime),
        messages=blocks.MESSAGES,
        default_channel=runtime.settings.default_channel,
    )


# --- The verb and the lists ---------------------------------------------------------------------


def health(call: Call) -> Reply:
    """`health NAME`: one partner's score, trend and parts; `health` alone: who is at risk."""
    if not call.rest.strip():
        return list_at_risk(call.runtime, call.invocation)
    line = grammar.parse_name(call.rest)
    try:
        found = health_of(call.runtime).report(
            team_id=call.team_id, partner=call.partner(line.name)
        )
    except UnknownPartner:
        # `health at-risk`, typed as `list at-risk` is: the list, not a partner to register.
        if "-".join(call.rest.lower().split()) == AT_RISK:
            return list_at_risk(call.runtime, call.invocation)
        raise
    tz = cadences_of(call.runtime).zone(team_id=call.team_id, user_id=call.invocation.user_id)
    return registry_handlers.with_zone_note(
        blocks.report(found, tz=tz), call.runtime, call.invocation
    )


VERB_HANDLERS: dict[str, VerbHandler] = {"health": verb_handler(health, VERBS_BY_NAME["health"])}


def list_at_risk(runtime: Runtime, invocation: Invocation) -> Reply:
    """`list at-risk` (and `health` alone)."""
    found = health_of(runtime).at_risk(team_id=invocation.team_id)
    if not found:
        return registry_handlers.none_registered(runtime, invocation) or blocks.at_risk(found)
    return blocks.at_risk(found, tz=reader_zone(runtime, invocation))


def list_dormant(runtime: Runtime, invocation: Invocation) -> Reply:
    """`list dormant`: past each partner's own maximum interval (`cadence`), longest quiet first."""
    cadences = cadences_of(runtime)
    states = cadences.dormant(team_id=invocation.team_id)
    tz = cadences.zone(team_id=invocation.team_id, user_id=invocation.user_id)
    if not states:
        return registry_handlers.none_registered(runtime, invocation) or blocks.dormant(
            states, tz=tz
        )
    # Dated lines only when some partner is dormant.
    return registry_handlers.with_zone_note(blocks.dormant(states, tz=tz), runtime, invocation)


def card_section(runtime: Runtime, invocation: Invocation, partner_id: int) -> list[Block]:
    """What `show` and `check` add about a partner's health."""
    found = health_of(runtime).scores(team_id=invocation.team_id, partner_ids=[partner_id])
    if partner_id not in found:
        return []
    return blocks.card_section(found[partner_id], tz=reader_zone(runtime, invocation))


def reader_zone(runtime: Runtime, invocation: Invocation) -> ZoneInfo:
    """The caller's zone, whose calendar counts the days a partner has been quiet."""
    return cadences_of(runtime).zone(team_id=invocation.team_id, user_id=invocation.user_id)


# --- Planners -----------------------------------------------------------------------------------


def take_snapshots(runtime: Runtime, now: datetime) -> None:
    """Planner: this week's health snapshot of every partner that lacks one."""
    stored = health_of(runtime).plan_snapshots(now=now)
    if stored:
        logger.info("%d weekly health snapshots stored", stored)


def send_digests(runtime: Runtime, now: datetime) -> None:
    """Planner: the weekly digests that are due."""
    queued = digests_of(runtime).plan(now=now)
    if queued:
        logger.info("%d weekly digests queued", queued)


def next_digest(runtime: Runtime, now: datetime) -> datetime | None:
    """When a digest next falls due (for the sandbox: `PlannerJob.next_due`)."""
    return digests_of(runtime).next_moment(after=now)


def register_planners(planners: PlannerRegistry) -> None:
    planners.register_planner(
        "health-snapshots", take_snapshots, IntervalTrigger(minutes=SNAPSHOT_EVERY_MINUTES)
    )
    # At the start of every minute: a digest set for 09:30 goes at 09:30, not at the planner's
    # next round.
    planners.register_planner(
        "weekly-digest",
        send_digests,
        CronTrigger(minute="*", timezone="UTC"),
        next_due=next_digest,
    )


def register(_app: App) -> None:
    """The health part of the partner's card, and the lists that come from health."""
    registry_handlers.CARD_SECTIONS["health"] = card_section
    registry_handlers.LIST_VIEWS[AT_RISK] = list_at_risk
    registry_handlers.LIST_VIEWS["dormant"] = list_dormant


# Whatever process dispatches has imported this module: a digest the coordination channel
# refuses goes to the default one (`bot.services.channels`).
ON_CHANNEL_REFUSED[DIGEST] = partial(reroute_refused_digest, messages=blocks.MESSAGES)
