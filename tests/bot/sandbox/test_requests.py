"""Signed requests as Slack sends them, delivered to a real Bolt app, answers applied."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from slack_bolt import Ack, App, Respond
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.signature import Clock, SignatureVerifier
from slack_sdk.webhook import WebhookClient

from bot.sandbox import (
    Deliverer,
    FakeMessage,
    FakeSlack,
    FakeView,
    RequestFactory,
    SlackRequest,
    sign,
)

ANA = "U0ANA"
BEN = "U0BEN"
PARTNERS = "C0PARTNERS"

MODAL: dict[str, Any] = {
    "type": "modal",
    "callback_id": "partner_form",
    "private_metadata": "globex",
    "title": {"type": "plain_text", "text": "New partner"},
    "submit": {"type": "plain_text", "text": "Save"},
    "blocks": [
        {
            "type": "input",
            "block_id": "name",
            "label": {"type": "plain_text", "text": "Name"},
            "element": {"type": "plain_text_input", "action_id": "name_input"},
        }
    ],
}

APPROVAL_BLOCKS: list[dict[str, Any]] = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "Ben wants to meet Globex."}},
    {
        "type": "actions",
        "block_id": "approval",
        "elements": [
            {
                "type": "button",
                "action_id": "approve",
                "text": {"type": "plain_text", "text": "Approve"},
                "value": "touchpoint-17",
            },
            {
                "type": "button",
                "action_id": "open_form",
                "text": {"type": "plain_text", "text": "Add partner"},
            },
        ],
    },
]


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.add_user(id=ANA, name="ana", tz="Europe/Berlin", is_admin=True)
        fake.add_user(id=BEN, name="ben", tz="America/New_York")
        fake.add_channel(id=PARTNERS, name="partnerships", members=[ANA, BEN])
        yield fake


@pytest.fixture
def factory(fake: FakeSlack) -> RequestFactory:
    return RequestFactory(fake)


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=fake.bot_token, base_url=fake.base_url)


def build_app(fake: FakeSlack) -> App:
    """A tiny Bolt app wired to the fake: one listener per kind of request."""
    app = App(
        signing_secret=fake.signing_secret,
        client=WebClient(token=fake.bot_token, base_url=fake.base_url),
        token_verification_enabled=False,
    )

    @app.command("/partner")
    def partner(ack: Ack, command: dict[str, Any]) -> None:
        if command["text"] == "list":
            ack(
                response_type="in_channel",
                text="Partners: Globex",
                blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "*Globex*"}}],
            )
        elif command["text"] == "quiet":
            ack()
        else:
            ack(f"Logged a touchpoint with {command['text']}.")

    @app.action("approve")
    def approve(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        respond(replace_original=True, text=f"Approved by <@{body['user']['id']}>")

    @app.action("open_form")
    def open_form(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=MODAL)

    @app.view("partner_form")
    def save_partner(ack: Ack, view: dict[str, Any]) -> None:
        name = view["state"]["values"]["name"]["name_input"]["value"] or ""
        if not name.strip():
            ack(response_action="errors", errors={"name": "Give the partner a name."})
        else:
            ack()

    @app.options("partner_search")
    def search(ack: Ack, payload: dict[str, Any]) -> None:
        ack(options=[{"text": {"type": "plain_text", "text": "Globex"}, "value": "globex"}])

    @app.event("reaction_added")
    def reacted(event: dict[str, Any], client: WebClient) -> None:
        client.chat_postMessage(
            channel=event["item"]["channel"],
            thread_ts=event["item"]["ts"],
            text=f"Thanks <@{event['user']}> for :{event['reaction']}:",
        )

    @app.event("app_home_opened")
    def home(event: dict[str, Any], client: WebClient) -> None:
        client.views_publish(
            user_id=event["user"],
            view={
                "type": "home",
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hi"}}],
            },
        )

    return app


@pytest.fixture
def deliver(fake: FakeSlack) -> Deliverer:
    return Deliverer(fake, app=build_app(fake))


def post_approval(fake: FakeSlack, client: WebClient) -> FakeMessage:
    posted = client.chat_postMessage(channel=PARTNERS, text="Approve?", blocks=APPROVAL_BLOCKS)
    message = fake.find_message(PARTNERS, posted["ts"])
    assert message is not None
    return message


def open_modal(fake: FakeSlack, client: WebClient, user_id: str = ANA) -> FakeView:
    view_id = client.views_open(trigger_id=fake.issue_trigger_id(user_id), view=MODAL)["view"]["id"]
    return fake.views[view_id]


def form(body: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()}


def verifies(fake: FakeSlack, req: SlackRequest) -> bool:
    return SignatureVerifier(fake.signing_secret).is_valid_request(req.body, req.headers)


# ------------------------------------------------------------------------------ building requests


def test_sign_produces_what_slack_sdk_verifies() -> None:
    headers = sign(signing_secret="s3cret", body="a=1", timestamp=1_700_000_000)

    verifier = SignatureVerifier("s3cret", clock=_FixedClock(1_700_000_010))
    assert verifier.is_valid("a=1", "1700000000", headers["X-Slack-Signature"])
    assert headers["X-Slack-Request-Timestamp"] == "1700000000"
    assert not verifier.is_valid("a=2", "1700000000", headers["X-Slack-Signature"])


class _FixedClock(Clock):
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


def test_a_slash_command_carries_exactly_slacks_fields(
    fake: FakeSlack, factory: RequestFactory
) -> None:
    req = factory.slash_command(user_id=ANA, channel_id=PARTNERS, text="log Globex")

    fields = form(req.body)
    assert list(fields) == [
        "token",
        "team_id",
        "team_domain",
        "channel_id",
        "channel_name",
        "user_id",
        "user_name",
        "command",
        "text",
        "api_app_id",
        "is_enterprise_install",
        "response_url",
        "trigger_id",
    ]
    assert (fields["channel_name"], fields["user_name"], fields["command"]) == (
        "partnerships",
        "ana",
        "/partner",
    )
    assert fields["response_url"].startswith(fake.url)
    assert req.kind == "command"
    assert req.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert verifies(fake, req)


def test_a_command_in_a_dm_names_the_channel_directmessage(
    fake: FakeSlack, factory: RequestFactory
) -> None:
    dm = fake.im_channel(ANA)

    req = factory.slash_command(user_id=ANA, channel_id=dm.id, text="help")

    assert form(req.body)["channel_name"] == "directmessage"


def test_a_block_action_on_a_message_looks_like_slacks(
    fake: FakeSlack, factory: RequestFactory, client: WebClient
) -> None:
    message = post_approval(fake, client)

    req = factory.block_action(user_id=BEN, action_id="approve", message=message)

    payload = json.loads(form(req.body)["payload"])
    assert payload["type"] == "block_actions"
    assert payload["user"] == {"id": BEN, "username": "ben", "name": "ben", "team_id": "T0SANDBOX"}
    assert payload["container"] == {
        "type": "message",
        "message_ts": message.ts,
        "channel_id": PARTNERS,
        "is_ephemeral": False,
    }
    assert payload["channel"] == {"id": PARTNERS, "name": "partnerships"}
    assert payload["message"]["ts"] == message.ts
    assert payload["response_url"].startswith(fake.url)
    assert payload["trigger_id"]
    (action,) = payload["actions"]
    assert (action["action_id"], action["block_id"], action["type"], action["value"]) == (
        "approve",
        "approval",
        "button",
        "touchpoint-17",
    )
    assert action["text"]["text"] == "Approve"
    assert action["action_ts"]
    assert req.kind == "interactive"
    assert verifies(fake, req)


def test_a_block_action_in_a_view_carries_the_view_not_a_response_url(
    fake: FakeSlack, factory: RequestFactory, client: WebClient
) -> None:
    view = open_modal(fake, client)

    req = factory.block_action(
        user_id=ANA,
        action_id="kind",
        view=view,
        selected_option={"text": {"type": "plain_text", "text": "NGO"}, "value": "ngo"},
    )

    payload = req.payload()
    assert payload["container"] == {"type": "view", "view_id": view.id}
    assert payload["view"]["id"] == view.id
    assert "response_url" not in payload
    assert payload["actions"][0]["selected_option"]["value"] == "ngo"
    assert payload["actions"][0]["type"] == "static_select"


def test_a_view_submission_carries_state_and_metadata(
    fake: FakeSlack, factory: RequestFactory, client: WebClient
) -> None:
    view = open_modal(fake, client)
    values = {"name": {"name_input": {"type": "plain_text_input", "value": "Globex"}}}

    payload = factory.view_submission(user_id=ANA, view=view, values=values).payload()

    assert payload["type"] == "view_submission"
    assert payload["view"]["state"] == {"values": values}
    assert (payload["view"]["callback_id"], payload["view"]["private_metadata"]) == (
        "partner_form",
        "globex",
    )
    assert payload["response_urls"] == []


def test_an_event_envelope_and_its_retry(fake: FakeSlack, factory: RequestFactory) -> None:
    req = factory.app_home_opened(user_id=ANA)
    retry = factory.retry(req, 1)

    envelope = req.payload()
    assert envelope["type"] == "event_callback"
    assert envelope["event_id"].startswith("Ev")
    assert envelope["authorizations"][0]["user_id"] == fake.bot_user_id
    assert envelope["event"]["type"] == "app_home_opened"
    assert envelope["event"]["channel"] == "D0ANA"
    assert envelope["event"]["event_ts"]
    assert req.headers["Content-Type"] == "application/json"
    assert retry.payload()["event_id"] == envelope["event_id"]
    assert (retry.headers["X-Slack-Retry-Num"], retry.headers["X-Slack-Retry-Reason"]) == (
        "1",
        "http_timeout",
    )
    assert retry.is_retry and not req.is_retry
    assert verifies(fake, retry)
    assert factory.event({"type": "app_mention"}).payload()["event_id"] != envelope["event_id"]


def test_building_a_reaction_event_changes_nothing(
    fake: FakeSlack, factory: RequestFactory, client: WebClient
) -> None:
    message = post_approval(fake, client)

    factory.reaction_added(user_id=ANA, message=message, name="thumbsup")

    assert message.reactions == {}


def test_a_persons_message_is_posted_first_then_announced(
    fake: FakeSlack, factory: RequestFactory
) -> None:
    said = fake.post_user_message(user_id=BEN, channel_id=fake.im_channel(BEN).id, text="help")

    event = factory.message_posted(said).payload()["event"]

    assert (event["type"], event["user"], event["text"], event["ts"]) == (
        "message",
        BEN,
        "help",
        said.ts,
    )
    assert event["channel_type"] == "im"
    assert fake.dm_messages(BEN) == [said]


# ------------------------------------------------------------------------------ delivery to Bolt


def test_a_command_acked_with_text_shows_an_ephemeral_answer(
    fake: FakeSlack, factory: RequestFactory, deliver: Deliverer
) -> None:
    delivery = deliver.send(factory.slash_command(user_id=ANA, channel_id=PARTNERS, text="Globex"))

    assert delivery.status == 200
    (answer,) = fake.messages
    assert (answer.text, answer.ephemeral_to, answer.user) == (
        "Logged a touchpoint with Globex.",
        ANA,
        fake.bot_user_id,
    )
    assert fake.messages_in(PARTNERS) == []


def test_an_in_channel_answer_shows_the_invocation_and_the_answer(
    fake: FakeSlack, factory: RequestFactory, deliver: Deliverer
) -> None:
    deliver.send(factory.slash_command(user_id=ANA, channel_id=PARTNERS, text="list"))

    shown = [(m.user, m.text, m.ephemeral_to) for m in fake.messages_in(PARTNERS)]
    assert shown == [(ANA, "/partner list", None), (fake.bot_user_id, "Partners: Globex", None)]
    assert fake.messages[1].blocks[0]["text"]["text"] == "*Globex*"


def test_an_empty_ack_shows_nothing(
    fake: FakeSlack, factory: RequestFactory, deliver: Deliverer
) -> None:
    delivery = deliver.send(factory.slash_command(user_id=ANA, channel_id=PARTNERS, text="quiet"))

    assert (delivery.status, delivery.body) == (200, "")
    assert fake.messages == []


def test_a_commands_response_url_can_replace_its_ack(
    fake: FakeSlack, factory: RequestFactory, deliver: Deliverer
) -> None:
    req = factory.slash_command(user_id=ANA, channel_id=PARTNERS, text="Globex")
    deliver.send(req)

    WebhookClient(form(req.body)["response_url"]).send(text="Done", replace_original=True)

    (answer,) = fake.messages
    assert (answer.text, answer.edited, answer.ephemeral_to) == ("Done", True, ANA)


def test_a_button_answered_through_the_response_url_replaces_the_message(
    fake: FakeSlack, factory: RequestFactory, deliver: Deliverer, client: WebClient
) -> None:
    message = post_approval(fake, client)

    deliver.send(factory.block_action(user_id=BEN, action_id="approve", message=message))

    fake.wait_until(lambda: message.edited)
    assert message.text == f"Approved by <@{BEN}>"


def test_a_modal_opened_from_a_button_shows_errors_then_closes(
    fake: FakeSlack, factory: RequestFactory, deliver: Deliverer, client: WebClient
) -> None:
    message = post_approval(fake, client)
    deliver.send(factory.block_action(user_id=ANA, action_id="open_form", message=message))
    fake.wait_until(lambda: bool(fake.open_modals(ANA)))
    (view,) = fake.open_modals(ANA)

    blank = {"name": {"name_input": {"type": "plain_text_input", "value": " "}}}
    delivery = deliver.send(factory.view_submission(user_id=ANA, view=view, values=blank))

    assert delivery.json == {
        "response_action": "errors",
        "errors": {"name": "Give the partner a name."},
    }
    assert fake.open_modals(ANA) == [view]
    assert view.errors == {"name": "Give the partner a name."}

    named = {"name": {"name_input": {"type": "plain_text_input", "value": "Globex"}}}
    deliver.send(factory.view_submission(user_id=ANA, view=view, values=named))

    assert fake.open_modals(ANA) == []


def test_a_view_submission_can_update_push_or_clear(fake: FakeSlack, client: WebClient) -> None:
    view = open_modal(fake, client)
    payload = {"type": "view_submission", "view": {"id": view.id}}
    step_two = {**MODAL, "title": {"type": "plain_text", "text": "Step 2"}}

    fake.record_response(
        kind="interactive",
        payload=payload,
        status=200,
        body=json.dumps({"response_action": "update", "view": step_two}),
    )
    assert view.view["title"]["text"] == "Step 2"

    fake.record_response(
        kind="interactive",
        payload=payload,
        status=200,
        body=json.dumps({"response_action": "push", "view": MODAL}),
    )
    assert len(fake.open_modals(ANA)) == 2

    fake.record_response(
        kind="interactive",
        payload=payload,
        status=200,
        body=json.dumps({"response_action": "clear"}),
    )
    assert fake.open_modals(ANA) == []


def test_an_external_select_gets_its_options(
    fake: FakeSlack, factory: RequestFactory, deliver: Deliverer, client: WebClient
) -> None:
    view = open_modal(fake, client)

    delivery = deliver.send(
        factory.block_suggestion(user_id=ANA, action_id="partner_search", value="glo", view=view)
    )

    assert delivery.json is not None
    assert [o["value"] for o in delivery.json["options"]] == ["globex"]


def test_a_reaction_is_recorded_before_the_app_hears_of_it(
    fake: FakeSlack, factory: RequestFactory, deliver: Deliverer, client: WebClient
) -> None:
    message = post_approval(fake, client)
    req = factory.reaction_added(user_id=ANA, message=message, name="thumbsup")

    deliver.send(req)

    assert message.reactions == {"thumbsup": [ANA]}
    fake.wait_until(lambda: len(fake.thread(message)) == 1)
    assert fake.thread(message)[0].text == f"Thanks <@{ANA}> for :thumbsup:"

    # Slack's redelivery of the same event does not react twice; the app sees it again.
    deliver.send(factory.retry(req, 1))

    assert message.reactions == {"thumbsup": [ANA]}
    fake.wait_until(lambda: len(fake.thread(message)) == 2)


def test_opening_the_home_tab_lets_the_app_publish_it(
    fake: FakeSlack, factory: RequestFactory, deliver: Deliverer
) -> None:
    deliver.send(factory.app_home_opened(user_id=BEN))

    fake.wait_until(lambda: BEN in fake.home_views)
    assert fake.home_views[BEN]["type"] == "home"


def test_a_bad_signature_is_refused_and_changes_nothing(
    fake: FakeSlack, factory: RequestFactory, deliver: Deliverer
) -> None:
    req = factory.slash_command(user_id=ANA, channel_id=PARTNERS, text="Globex")
    forged = SlackRequest(
        body=req.body, headers={**req.headers, "X-Slack-Signature": "v0=forged"}, kind=req.kind
    )

    delivery = deliver.send(forged)

    assert delivery.status == 401
    assert fake.messages == []
    assert fake.calls == []


def test_a_stale_signature_is_refused(fake: FakeSlack, deliver: Deliverer) -> None:
    an_hour_ago = RequestFactory(fake, clock=lambda: 1_700_000_000.0)

    delivery = deliver.send(an_hour_ago.slash_command(user_id=ANA, channel_id=PARTNERS, text="x"))

    assert delivery.status == 401


# ------------------------------------------------------------------------------ delivery over HTTP


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def app_url(fake: FakeSlack) -> Iterator[str]:
    server = make_server(
        "127.0.0.1", 0, SlackRequestHandler(build_app(fake)), handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/slack/events"
    server.shutdown()
    server.server_close()


def test_delivery_over_http_applies_the_answer(
    fake: FakeSlack, factory: RequestFactory, app_url: str
) -> None:
    deliver = Deliverer(fake, url=app_url)

    delivery = deliver.send(factory.slash_command(user_id=ANA, channel_id=PARTNERS, text="Globex"))

    assert delivery.status == 200
    assert [m.text for m in fake.dm_messages(ANA)] == ["Logged a touchpoint with Globex."]


def test_delivery_over_http_returns_a_refusal_as_is(
    fake: FakeSlack, factory: RequestFactory, app_url: str
) -> None:
    req = factory.slash_command(user_id=ANA, channel_id=PARTNERS, text="Globex")
    forged = SlackRequest(
        body=req.body + "&x=1", headers=req.headers, kind=req.kind
    )  # body no longer matches its signature

    delivery = Deliverer(fake, url=app_url).send(forged)

    assert delivery.status == 401
    assert fake.messages == []


def test_a_deliverer_needs_exactly_one_target(fake: FakeSlack) -> None:
    with pytest.raises(ValueError):
        Deliverer(fake)
