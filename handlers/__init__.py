"""Slack surfaces: the `/partner` command, actions, views, events and App Home.

Each module has `register(app)`; this package's `register` wires them all. Handlers parse, call
one service, render blocks and answer; they hold no business rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App

from handlers import (
    absence,
    commitments,
    errors,
    feedback,
    health,
    home,
    messages_tab,
    partner_command,
    partners,
    people,
    touchpoints,
)

if TYPE_CHECKING:
    from bot.scheduler import PlannerRegistry


def register(app: App) -> None:
    errors.register(app)
    partner_command.register(app)
    partners.register(app, route=partner_command.route)
    touchpoints.register(app, route=partner_command.route)
    feedback.register(app)
    commitments.register(app)
    health.register(app)
    home.register(app)
    messages_tab.register(app)
    people.register(app)


def register_planners(planners: PlannerRegistry) -> None:
    """The scheduled jobs of each feature, with the wording of the messages they queue."""
    feedback.register_planners(planners)
    touchpoints.register_planners(planners)
    commitments.register_planners(planners)
    health.register_planners(planners)
    absence.register_planners(planners)
