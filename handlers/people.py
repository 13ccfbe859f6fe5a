"""`user_change`: what Slack says of a colleague changed (deactivated, reactivated, another
time zone), kept in the profile cache at once."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.services import people
from handlers.context import runtime_of

logger = logging.getLogger(__name__)


def on_user_change(
    ack: Ack, body: dict[str, Any], event: dict[str, Any], context: BoltContext
) -> None:
    """Acknowledged first; the event carries the whole user, so no Slack call follows."""
    ack()
    team_id = str(body.get("team_id") or context.team_id or "")
    user = event.get("user")
    if not team_id or not isinstance(user, dict):
        return
    runtime = runtime_of(context)
    if people.changed_in_slack(runtime.engine, runtime.clock, user, team_id=team_id):
        logger.info("profile of %s refreshed from user_change", user.get("id"))


def register(app: App) -> None:
    app.event("user_change")(on_user_change)
