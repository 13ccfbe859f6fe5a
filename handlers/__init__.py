"""Slack surfaces: the `/partner` command, actions, views, events and App Home.

Each module has `register(app)`; this package's `register` wires them all. Handlers parse, call
one service, render blocks and answer; they hold no business rules.
"""

from __future__ import annotations

from slack_bolt import App

from handlers import (
    commitments,
    errors,
    feedback,
    health,
    partner_command,
    partners,
    touchpoints,
)


def register(app: App) -> None:
    errors.register(app)
    partner_command.register(app)
    partners.register(app, route=partner_command.route)
    touchpoints.register(app, route=partner_command.route)
    feedback.register(app)
    commitments.register(app)
    health.register(app)
