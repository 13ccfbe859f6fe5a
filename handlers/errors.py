"""The last line of defence: log with traceback and an error id, tell the user in one sentence."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import App, BoltResponse

from bot.runtime import new_error_id

logger = logging.getLogger(__name__)


def apology(error_id: str) -> str:
    return (
        "Sorry, something went wrong on Liaison's side and nothing was changed; "
        f"please try again, and if it keeps happening give your admin the error id `{error_id}`."
    )


def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse | None:
    error_id = new_error_id()
    logger.error(
        "unhandled error in a listener (error id %s, request type %s)",
        error_id,
        body.get("command") or body.get("type") or body.get("event", {}).get("type"),
        exc_info=error,
    )
    if "command" in body:
        # A slash command has not been acknowledged: the apology is the ack.
        message = {"response_type": "ephemeral", "text": apology(error_id)}
        return BoltResponse(
            status=200,
            body=json.dumps(message),
            headers={"content-type": "application/json;charset=utf-8"},
        )
    # Actions and events are acknowledged before any work; Slack needs a 2xx only.
    return BoltResponse(status=200, body="")


def register(app: App) -> None:
    app.error(on_error)
