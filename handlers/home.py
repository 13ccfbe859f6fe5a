"""The App Home in Slack: the dashboard published when a person opens Liaison's Home tab, its
"Log a touchpoint" and "New commitment" buttons, and the Home published again after a click on
it changed what it shows (Done on a commitment, a touchpoint logged, a commitment recorded).

`app_home_opened` is acknowledged at once and the Home published after the ack: with
`process_before_response` the listener runs before Slack has its answer, and `views.publish` is
a Web API call. Slack sends the event on every visit to the tab; openings that arrive while the
person's publish still waits to start are folded into it. The Messages tab is left alone.

A click on the Home has no message to answer: what it did is shown on top of the Home instead,
which is published again.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.delivery.dispatcher import error_code
from bot.runtime import Runtime
from bot.services import people
from bot.services.health import Health
from bot.services.health import PartnerHealth as CurrentHealth
from bot.services.home import AtRiskPartner, Home, PartnerHealth, Shown
from bot.services.people import PeopleToLookUp
from bot.services.registry import Actor
from bot.services.touchpoints import Recorded
from bot.slack_errors import SLACK_CALL_ERRORS
from handlers import touchpoints as touchpoint_handlers
from handlers.blocks import commitments as commitment_blocks
from handlers.blocks import home as blocks
from handlers.blocks import touchpoints as touchpoint_blocks
from handlers.blocks.partners import say
from handlers.context import runtime_of
from handlers.feedback import Click, after_ack
from handlers.reply import Block, answer_in_dm, refuse_fields
from handlers.services import health_of
from handlers.texts import health as health_texts
from handlers.texts import home as texts

logger = logging.getLogger(__name__)

# The "Log a touchpoint" form opened from the Home: the touchpoint form under its own callback
# id, so its answer goes to the Home rather than to a message.
LOG_VIEW = touchpoint_blocks.HOME_LOG_VIEW
# Marks a form opened from the Home in its private metadata.
FROM_HOME = "home"


def home_of(runtime: Runtime) -> Home:
    """The App Home service over this process's database and clock, with partner health."""
    return Home(
        engine=runtime.engine, clock=runtime.clock, health=HealthForHome(health_of(runtime))
    )


class HealthForHome:
    """The health service as the Home reads it: each score, and why a partner is at risk in
    the words `/partner health` uses."""

    def __init__(self, health: Health) -> None:
        self.health = health

    def partner_health(
        self, *, team_id: str, partner_ids: Sequence[int], tz: ZoneInfo
    ) -> Mapping[int, PartnerHealth]:
        found = self.health.scores(team_id=team_id, partner_ids=partner_ids)
        return {partner_id: _shown(item, tz) for partner_id, item in found.items()}

    def at_risk(self, *, team_id: str, limit: int, tz: ZoneInfo) -> Shown[AtRiskPartner]:
        found = self.health.at_risk(team_id=team_id)
        return Shown(
            items=[
                AtRiskPartner(
                    partner_id=item.partner.id,
                    name=item.partner.name,
                    owner_id=item.partner.owner_id,
                    health=_shown(item, tz),
                    owner_gone=item.owner_gone,
                )
                for item in found[:limit]
            ],
            total=len(found),
        )


def _shown(item: CurrentHealth, tz: ZoneInfo) -> PartnerHealth:
    return PartnerHealth(
        score=item.health.score,
        at_risk=tuple(health_texts.risk(item, reason, tz) for reason in item.risks),
        thin_pulse=health_texts.thin_pulse(item),
    )


def publish(
    runtime: Runtime,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    notice: Sequence[Block] = (),
) -> None:
    """Gather the person's dashboard and publish it as their Home (after the ack only); Slack
    is asked about them first when their cached profile is stale. `notice` is what their last
    click did. A refusal by Slack is logged with its error code."""
    service = home_of(runtime)
    try:
        dashboard = service.gather(team_id=team_id, user_id=user_id)
    except PeopleToLookUp as pending:
        learned = people.look_up(
            client,
            engine=runtime.engine,
            clock=runtime.clock,
            team_id=team_id,
            user_ids=pending.user_ids,
        )
        dashboard = service.gather(team_id=team_id, user_id=user_id, check=learned)
    view = blocks.home_view(dashboard, notice=notice)
    try:
        client.views_publish(user_id=user_id, view=view)
    except SlackApiError as error:
        logger.error("views.publish of the App Home of %s failed: %s", user_id, error_code(error))
    except SLACK_CALL_ERRORS as error:
        logger.error(
            "views.publish of the App Home of %s could not reach Slack: %s",
            user_id,
            type(error).__name__,
        )
    else:
        return
    if notice:
        # What their click did would show nowhere: it goes in a DM instead.
        text = "\n".join(
            str(block["text"]["text"])
            for block in notice
            if block.get("type") == "section" and isinstance(block.get("text"), dict)
        )
        answer_in_dm(client, user_id, text=text, blocks=list(notice), what="the App Home's notice")


def from_home(private_metadata: str | None) -> bool:
    """Whether a form was opened from the Home (its answer then goes there)."""
    try:
        metadata = json.loads(private_metadata or "{}")
    except ValueError:
        return False
    return isinstance(metadata, dict) and metadata.get(FROM_HOME) is True


HOME_METADATA = json.dumps({FROM_HOME: True})


# --- Opening the Home ---------------------------------------------------------------------------


class Openings:
    """The people whose Home is about to be published: another opening of the same Home before
    that publish starts adds nothing to it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: set[tuple[str, str]] = set()

    def claim(self, key: tuple[str, str]) -> bool:
        """True when no publish for `key` waits yet (the caller then publishes)."""
        with self._lock:
            if key in self._waiting:
                return False
            self._waiting.add(key)
            return True

    def started(self, key: tuple[str, str]) -> None:
        """The publish for `key` starts reading: a later opening needs one of its own."""
        with self._lock:
            self._waiting.discard(key)


def opened_listener(openings: Openings) -> Any:
    """`app_home_opened`: acknowledged at once; the Home tab published after the ack."""

    def on_home_opened(
        ack: Ack,
        body: dict[str, Any],
        event: dict[str, Any],
        context: BoltContext,
        client: WebClient,
    ) -> None:
        ack()
        team_id = str(body.get("team_id") or context.team_id or "")
        user_id = str(event.get("user") or "")
        if event.get("tab") != "home" or not team_id or not user_id:
            return
        key = (team_id, user_id)
        if not openings.claim(key):
            return
        runtime = runtime_of(context)

        def run() -> None:
            openings.started(key)
            publish(runtime, client, team_id=team_id, user_id=user_id)

        runtime.defer(run, what="App Home")

    return on_home_opened


# --- The Home's buttons -------------------------------------------------------------------------


def _open_form(runtime: Runtime, client: WebClient, click: Click, view: dict[str, Any]) -> None:
    """Open a form from the Home; when Slack refuses, the Home says so."""
    try:
        client.views_open(trigger_id=click.trigger_id, view=view)
    except SLACK_CALL_ERRORS as error:
        reason = error_code(error) if isinstance(error, SlackApiError) else type(error).__name__
        logger.warning("views.open of a form from the App Home failed: %s", reason)
        refusal = say(texts.form_failed()).blocks
        publish(runtime, client, team_id=click.team_id, user_id=click.user_id, notice=refusal)


def log_click(runtime: Runtime, click: Click, client: WebClient, _respond: Respond) -> None:
    """Log a touchpoint: the touchpoint form, its answer bound for the Home."""
    today = touchpoint_handlers.service_of(runtime).today(actor=Actor(click.team_id, click.user_id))
    view = touchpoint_blocks.log_form(today=today, private_metadata=HOME_METADATA)
    _open_form(runtime, client, click, {**view, "callback_id": LOG_VIEW})


def commit_click(runtime: Runtime, click: Click, client: WebClient, _respond: Respond) -> None:
    """New commitment: the commitment form (the clicker as owner), its answer bound for the
    Home."""
    view = commitment_blocks.commit_form(owner_id=click.user_id, private_metadata=HOME_METADATA)
    _open_form(runtime, client, click, view)


def on_log_submitted(
    ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    """The touchpoint form opened from the Home: checked and recorded before the ack (a problem
    shows in the form), as the form opened by `/partner log` is; then the Home is published
    again with what was recorded on top."""
    runtime = runtime_of(context)
    result = touchpoint_handlers.record_form(runtime, body)
    if not isinstance(result, Recorded):
        refuse_fields(ack, runtime, team_id=body["team"]["id"], errors=result)
        return
    ack()
    team_id, user_id = body["team"]["id"], body["user"]["id"]

    def show_and_refresh(saved: Recorded, _client: WebClient, _respond: Respond) -> None:
        # Slack is asked first: the notice, published once, is then dated in the submitter's
        # zone (a command's answer is dated again, `touchpoints._recorded`; the Home's is not).
        touchpoint_handlers.refresh_profiles(client, runtime, team_id, saved.stale)
        dated = saved
        if saved.zone_guessed:
            dated = touchpoint_handlers.service_of(runtime).dated_for_caller(
                actor=Actor(team_id, user_id), result=saved
            )
        notice = touchpoint_blocks.recorded(dated, now=runtime.clock.now()).blocks
        publish(runtime, client, team_id=team_id, user_id=user_id, notice=notice)

    # As the form opened by `/partner log` does, colleagues picked whom Slack says are of
    # another organisation are taken off first (the logger told in a DM), so the notice does
    # not name them.
    check = touchpoint_handlers.answer_as_saved(
        runtime, team_id=team_id, user_id=user_id, result=result, then=show_and_refresh
    )
    # No message to answer: what the check undid goes in a DM, the rest on the Home.
    runtime.defer(partial(check, client, Respond(response_url=None)), what="App Home touchpoint")


def register(app: App) -> None:
    app.event("app_home_opened")(opened_listener(Openings()))
    app.action(blocks.LOG)(after_ack(log_click, what="log form from the App Home"))
    app.action(blocks.COMMIT)(after_ack(commit_click, what="commitment form from the App Home"))
    app.view(LOG_VIEW)(on_log_submitted)
