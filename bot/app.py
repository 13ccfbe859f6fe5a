"""The app factory: build the Bolt App from settings and register every handler."""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from slack_sdk import WebClient

import handlers
from bot.logs import BoltLines
from bot.runtime import Runtime
from bot.scheduler import PlannerRegistry
from bot.services.export import Exporter
from bot.slack_retry import Sleep, request_retry_handlers
from handlers.commitments import exporter_of
from handlers.context import RuntimeApp

logger = logging.getLogger(__name__)


def ignore_event(event: dict[str, Any]) -> None:
    """An event no handler takes: one the Slack app is subscribed to beyond manifest.yml's
    (`channel_created`, say). Answered 200, so Slack does not send it again: Bolt's default is a
    404, which Slack retries three times, each logged at WARNING with a "[Suggestion]
    @app.event(…)" snippet meant for a developer. A DEBUG line is enough for an admin."""
    logger.debug("event %s ignored: Liaison does not act on it", event.get("type"))


def make_client(runtime: Runtime, *, retry_sleep: Sleep = time.sleep) -> WebClient:
    """A Web API client honouring SLACK_API_BASE_URL (GovSlack, tests, the sandbox), asking
    again when Slack is briefly down or rate limits it (`request_retry_handlers`), waiting with
    `retry_sleep`. Only work after an ack calls Slack, so no ack waits for a retry."""
    return WebClient(
        token=runtime.settings.slack_bot_token,
        base_url=runtime.settings.slack_api_base_url,
        retry_handlers=request_retry_handlers(logger=logger, sleep=retry_sleep),
    )


def create_app(
    runtime: Runtime, *, socket_mode: bool = False, retry_sleep: Sleep = time.sleep
) -> RuntimeApp:
    """The Bolt App for `runtime`. Requests are verified by signature unless in Socket Mode.

    `process_before_response` keeps the fast path fast: the listener's answer is the HTTP
    response (no 10 ms ack polling), and Web API work happens after the ack or in the outbox.
    Bolt gives each request a client like the app's, with its retry handlers; `retry_sleep`
    is how they wait (tests note the wait instead of sleeping it).
    """
    settings = runtime.settings
    bolt_logger = logging.getLogger("liaison.bolt")
    if not any(isinstance(f, BoltLines) for f in bolt_logger.filters):
        bolt_logger.addFilter(BoltLines())
    app = RuntimeApp(
        runtime=runtime,
        # The client carries the token; Bolt verifies it once with auth.test at start-up.
        signing_secret=settings.slack_signing_secret,
        client=make_client(runtime, retry_sleep=retry_sleep),
        process_before_response=True,
        request_verification_enabled=not socket_mode,
        logger=bolt_logger,
    )
    handlers.register(app)
    # Last: Bolt tries listeners in order, so this takes only the events no handler took.
    app.event(re.compile(".*"))(ignore_event)
    return app


def build_planners() -> PlannerRegistry:
    """Every planner of the application (check-ins, pulse surveys, reminders, digests, …).

    Composed here, beside the handlers, because planners queue messages worded by the handlers'
    builders; the scheduler itself knows only the registry."""
    planners = PlannerRegistry()
    handlers.register_planners(planners)
    return planners


def build_exporter(runtime: Runtime) -> Exporter:
    """The CSV exporter `/partner export` uses, for `liaison export`: composed here, since its
    sources (cadences, pulse surveys, health) are the handlers' services."""
    return exporter_of(runtime)
