"""The fake Slack Web API, driven through a real slack_sdk WebClient over HTTP."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from bot.sandbox import FakeMessage, FakeSlack

ANA = "U0ANA"
BEN = "U0BEN"
GONE = "U0GONE"
PARTNERS = "C0PARTNERS"
ARCHIVED = "C0OLD"

MODAL: dict[str, Any] = {
    "type": "modal",
    "callback_id": "partner_form",
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


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.add_user(id=ANA, name="ana", tz="Europe/Berlin", is_admin=True)
        fake.add_user(id=BEN, name="ben", tz="America/New_York")
        fake.add_user(id=GONE, name="gone", deleted=True)
        fake.add_channel(id=PARTNERS, name="partnerships", members=[ANA, BEN, "U0LIAISON"])
        fake.add_channel(id=ARCHIVED, name="old-news", is_archived=True)
        yield fake


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=fake.bot_token, base_url=fake.base_url)


def slack_error(call: Callable[[], object]) -> SlackApiError:
    with pytest.raises(SlackApiError) as caught:
        call()
    return caught.value


def error_code(call: Callable[[], object]) -> str:
    return str(slack_error(call).response["error"])


# ------------------------------------------------------------------------------ auth


def test_auth_test_describes_the_bot_and_workspace(client: WebClient) -> None:
    answer = client.auth_test()

    assert answer["team_id"] == "T0SANDBOX"
    assert answer["team"] == "Acme"
    assert answer["user_id"] == "U0LIAISON"
    assert answer["bot_id"] == "B0LIAISON"
    assert answer["url"] == "https://acme.slack.com/"


def test_a_wrong_token_is_invalid_auth_and_is_not_recorded(fake: FakeSlack) -> None:
    stranger = WebClient(token="xoxb-wrong", base_url=fake.base_url)

    assert error_code(lambda: stranger.chat_postMessage(channel=PARTNERS, text="hi")) == (
        "invalid_auth"
    )
    assert fake.calls == []
    assert fake.messages == []


def test_a_missing_token_is_not_authed(fake: FakeSlack) -> None:
    anonymous = WebClient(base_url=fake.base_url)

    assert error_code(anonymous.auth_test) == "not_authed"


def test_the_token_may_also_come_as_a_form_parameter(fake: FakeSlack) -> None:
    anonymous = WebClient(base_url=fake.base_url)

    answer = anonymous.api_call("auth.test", params={"token": fake.bot_token})

    assert answer["ok"] is True
    assert "token" not in fake.calls_to("auth.test")[0].params


def test_an_unknown_method_answers_404_unknown_method(client: WebClient) -> None:
    error = slack_error(lambda: client.api_call("partners.magic"))

    assert error.response.status_code == 404
    assert error.response["error"] == "unknown_method"


# ------------------------------------------------------------------------------ chat


def test_post_message_resolves_channel_ids_names_and_people(
    fake: FakeSlack, client: WebClient
) -> None:
    by_id = client.chat_postMessage(channel=PARTNERS, text="by id")
    by_name = client.chat_postMessage(channel="#partnerships", text="by name")
    to_ana = client.chat_postMessage(channel=ANA, text="a DM")

    assert by_id["channel"] == PARTNERS
    assert by_name["channel"] == PARTNERS
    assert to_ana["channel"] == "D0ANA"
    assert to_ana["message"]["text"] == "a DM"
    assert to_ana["message"]["bot_id"] == "B0LIAISON"
    assert [m.text for m in fake.messages_in(PARTNERS)] == ["by id", "by name"]
    assert [m.text for m in fake.dm_messages(ANA)] == ["a DM"]
    assert [m.number for m in fake.messages] == [1, 2, 3]
    assert all(m.user == fake.bot_user_id for m in fake.messages)


def test_post_message_accepts_form_bodies_with_json_encoded_blocks(
    fake: FakeSlack, client: WebClient
) -> None:
    blocks = [section("*Globex* is now owned by ana")]

    client.api_call("chat.postMessage", params={"channel": PARTNERS, "blocks": json.dumps(blocks)})

    assert fake.messages[0].blocks == blocks
    assert fake.calls_to("chat.postMessage")[0].params["blocks"] == blocks


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"channel": "C0NOPE", "text": "x"}, "channel_not_found"),
        ({"channel": "#nope", "text": "x"}, "channel_not_found"),
        ({"channel": GONE, "text": "x"}, "channel_not_found"),
        ({"channel": ARCHIVED, "text": "x"}, "is_archived"),
        pytest.param(
            {"channel": PARTNERS},
            "no_text",
            marks=pytest.mark.filterwarnings("ignore:The top-level `text`"),
        ),
        (
            {"channel": PARTNERS, "text": "x", "blocks": [section(str(n)) for n in range(51)]},
            "invalid_blocks",
        ),
        ({"channel": PARTNERS, "text": "x", "blocks": [section("x" * 3001)]}, "invalid_blocks"),
        ({"channel": PARTNERS, "text": "x", "thread_ts": "123.456"}, "invalid_thread_ts"),
    ],
)
def test_post_message_refuses_what_slack_refuses(
    fake: FakeSlack, client: WebClient, arguments: dict[str, Any], error: str
) -> None:
    assert error_code(lambda: client.chat_postMessage(**arguments)) == error
    assert fake.messages == []
    assert fake.calls_to("chat.postMessage")[0].response["error"] == error


def test_too_many_blocks_are_explained_in_response_metadata(client: WebClient) -> None:
    blocks = [section(str(n)) for n in range(51)]

    error = slack_error(lambda: client.chat_postMessage(channel=PARTNERS, text="x", blocks=blocks))

    assert error.response["response_metadata"]["messages"] == [
        "[ERROR] no more than 50 items allowed [json-pointer:/blocks]"
    ]


def test_thread_replies_land_under_the_root_message(fake: FakeSlack, client: WebClient) -> None:
    root = client.chat_postMessage(channel=PARTNERS, text="Check-in: Globex")
    reply = client.chat_postMessage(channel=PARTNERS, text="first", thread_ts=root["ts"])
    # Slack files a reply to a reply under the thread's root.
    client.chat_postMessage(channel=PARTNERS, text="second", thread_ts=reply["ts"])

    root_message = fake.messages[0]
    assert root_message.thread_ts == root_message.ts
    assert [m.text for m in fake.thread(root_message)] == ["first", "second"]
    replies = client.conversations_replies(channel=PARTNERS, ts=root["ts"])
    assert [m["text"] for m in replies["messages"]] == ["Check-in: Globex", "first", "second"]
    assert replies["messages"][0]["reply_count"] == 2
    history = client.conversations_history(channel=PARTNERS)
    assert [m["text"] for m in history["messages"]] == ["Check-in: Globex"]


def test_an_ephemeral_message_is_seen_only_by_its_person(
    fake: FakeSlack, client: WebClient
) -> None:
    answer = client.chat_postEphemeral(channel=PARTNERS, user=ANA, text="Only you see this")

    (message,) = fake.messages
    assert answer["message_ts"] == message.ts
    assert message.ephemeral_to == ANA
    assert fake.messages_in(PARTNERS) == []
    assert fake.messages_in(PARTNERS, include_ephemeral_for=ANA) == [message]
    assert fake.messages_in(PARTNERS, include_ephemeral_for=BEN) == []
    assert fake.dm_messages(ANA) == [message]
    assert fake.dm_messages(BEN) == []
    assert error_code(lambda: client.chat_postEphemeral(channel=PARTNERS, user="U0NOPE", text="x"))


def test_update_edits_the_message_and_keeps_what_it_leaves_out(
    fake: FakeSlack, client: WebClient
) -> None:
    posted = client.chat_postMessage(channel=PARTNERS, text="v1", blocks=[section("v1")])

    answer = client.chat_update(channel=PARTNERS, ts=posted["ts"], text="v2")

    (message,) = fake.messages
    assert answer["message"]["text"] == "v2"
    assert message.text == "v2"
    assert message.blocks == [section("v1")]
    assert message.edited is True
    assert error_code(lambda: client.chat_update(channel=PARTNERS, ts="1.2", text="x")) == (
        "message_not_found"
    )


def test_the_bot_cannot_edit_or_delete_peoples_messages(fake: FakeSlack, client: WebClient) -> None:
    said = fake.post_user_message(user_id=ANA, channel_id=PARTNERS, text="hello")

    assert error_code(lambda: client.chat_update(channel=PARTNERS, ts=said.ts, text="x")) == (
        "cant_update_message"
    )
    assert error_code(lambda: client.chat_delete(channel=PARTNERS, ts=said.ts)) == (
        "cant_delete_message"
    )


def test_delete_removes_the_message_and_tells_listeners(fake: FakeSlack, client: WebClient) -> None:
    seen: list[FakeMessage] = []
    fake.add_listener(seen.append)
    posted = client.chat_postMessage(channel=PARTNERS, text="oops")

    client.chat_delete(channel=PARTNERS, ts=posted["ts"])

    assert fake.messages == []
    assert [(m.text, m.deleted) for m in seen] == [("oops", False), ("oops", True)]


def test_permalinks_point_into_the_workspace(client: WebClient) -> None:
    root = client.chat_postMessage(channel=PARTNERS, text="root")
    reply = client.chat_postMessage(channel=PARTNERS, text="reply", thread_ts=root["ts"])

    link = client.chat_getPermalink(channel=PARTNERS, message_ts=root["ts"])["permalink"]
    reply_link = client.chat_getPermalink(channel=PARTNERS, message_ts=reply["ts"])["permalink"]

    assert link == f"https://acme.slack.com/archives/{PARTNERS}/p{root['ts'].replace('.', '')}"
    assert reply_link.endswith(f"?thread_ts={root['ts']}&cid={PARTNERS}")


def test_listeners_hear_new_and_edited_messages(fake: FakeSlack, client: WebClient) -> None:
    seen: list[tuple[int, str, bool]] = []
    fake.add_listener(lambda m: seen.append((m.number, m.text, m.edited)))

    posted = client.chat_postMessage(channel=PARTNERS, text="v1")
    client.chat_update(channel=PARTNERS, ts=posted["ts"], text="v2")

    assert seen == [(1, "v1", False), (1, "v2", True)]


def test_message_ts_follow_the_workspace_clock_and_never_repeat() -> None:
    now = [1_700_000_000.0]
    with FakeSlack(clock=lambda: now[0]) as fake:
        fake.add_channel(id=PARTNERS, name="partnerships")
        client = WebClient(token=fake.bot_token, base_url=fake.base_url)
        first = client.chat_postMessage(channel=PARTNERS, text="a")["ts"]
        second = client.chat_postMessage(channel=PARTNERS, text="b")["ts"]
        now[0] += 86_400
        third = client.chat_postMessage(channel=PARTNERS, text="c")["ts"]

    assert (first, second) == ("1700000000.000000", "1700000000.000001")
    assert third == "1700086400.000000"


# ------------------------------------------------------------------------------ people, channels


def test_conversations_open_gives_a_stable_dm(client: WebClient) -> None:
    first = client.conversations_open(users=ANA)
    again = client.conversations_open(users=ANA)

    assert first["channel"]["id"] == "D0ANA"
    assert first.get("already_open") is None
    assert again["channel"]["id"] == "D0ANA"
    assert again["already_open"] is True


@pytest.mark.parametrize(
    ("user", "error"),
    [("U0NOPE", "user_not_found"), (GONE, "user_disabled"), ("U0LIAISON", "cannot_dm_bot")],
)
def test_conversations_open_refuses_missing_and_deactivated_people(
    client: WebClient, user: str, error: str
) -> None:
    assert error_code(lambda: client.conversations_open(users=user)) == error


def test_conversations_info_describes_channels_and_dms(fake: FakeSlack, client: WebClient) -> None:
    fake.im_channel(BEN)

    channel = client.conversations_info(channel=PARTNERS)["channel"]
    archived = client.conversations_info(channel=ARCHIVED)["channel"]
    dm = client.conversations_info(channel="D0BEN")["channel"]

    assert (channel["name"], channel["is_channel"], channel["is_member"]) == (
        "partnerships",
        True,
        True,
    )
    assert archived["is_archived"] is True
    assert (dm["is_im"], dm["user"]) == (True, BEN)
    assert error_code(lambda: client.conversations_info(channel="C0NOPE")) == "channel_not_found"
    assert client.conversations_members(channel=PARTNERS)["members"] == [ANA, BEN, "U0LIAISON"]


def test_users_info_gives_profile_time_zone_and_admin_flag(client: WebClient) -> None:
    ana = client.users_info(user=ANA)["user"]
    ben = client.users_info(user=BEN)["user"]
    gone = client.users_info(user=GONE)["user"]

    assert (ana["name"], ana["real_name"], ana["tz"], ana["is_admin"]) == (
        "ana",
        "Ana",
        "Europe/Berlin",
        True,
    )
    assert ana["profile"]["display_name"] == "ana"
    assert ana["tz_offset"] in (3600, 7200)
    assert ben["tz_offset"] in (-18000, -14400)
    assert gone["deleted"] is True
    assert error_code(lambda: client.users_info(user="U0NOPE")) == "user_not_found"


# ------------------------------------------------------------------------------ reactions


def test_reactions_are_added_once_and_removed(fake: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel=PARTNERS, text="How did it go?")
    ts = posted["ts"]

    client.reactions_add(channel=PARTNERS, timestamp=ts, name="thumbsup")

    assert fake.messages[0].reactions == {"thumbsup": ["U0LIAISON"]}
    got = client.reactions_get(channel=PARTNERS, timestamp=ts)["message"]["reactions"]
    assert got == [{"name": "thumbsup", "users": ["U0LIAISON"], "count": 1}]
    assert error_code(
        lambda: client.reactions_add(channel=PARTNERS, timestamp=ts, name="thumbsup")
    ) == ("already_reacted")

    client.reactions_remove(channel=PARTNERS, timestamp=ts, name="thumbsup")

    assert fake.messages[0].reactions == {}
    assert error_code(
        lambda: client.reactions_remove(channel=PARTNERS, timestamp=ts, name="thumbsup")
    ) == ("no_reaction")
    assert error_code(
        lambda: client.reactions_add(channel=PARTNERS, timestamp="1.2", name="tada")
    ) == ("message_not_found")


def test_people_react_through_the_fake(fake: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel=PARTNERS, text="Pulse: Globex")
    message = fake.messages[0]

    event = fake.react(BEN, message, ":tada:")

    assert event["type"] == "reaction_added"
    assert event["item"] == {"type": "message", "channel": PARTNERS, "ts": posted["ts"]}
    assert (event["user"], event["reaction"], event["item_user"]) == (BEN, "tada", "U0LIAISON")
    assert message.reactions == {"tada": [BEN]}
    with pytest.raises(ValueError):
        fake.react(BEN, message, "tada")
    fake.unreact(BEN, message, "tada")
    assert message.reactions == {}


# ------------------------------------------------------------------------------ views


def test_views_open_needs_a_fresh_unused_trigger(fake: FakeSlack, client: WebClient) -> None:
    trigger = fake.issue_trigger_id(ANA)

    view = client.views_open(trigger_id=trigger, view=MODAL)["view"]

    assert view["id"].startswith("V")
    assert (view["callback_id"], view["root_view_id"], view["app_id"]) == (
        "partner_form",
        view["id"],
        "A0LIAISON",
    )
    (opened,) = fake.open_modals(ANA)
    assert (opened.id, opened.kind, opened.trigger_id) == (view["id"], "modal", trigger)
    assert error_code(lambda: client.views_open(trigger_id=trigger, view=MODAL)) == (
        "exchanged_trigger_id"
    )
    assert error_code(lambda: client.views_open(trigger_id="1.2.nope", view=MODAL)) == (
        "invalid_trigger_id"
    )


def test_views_open_with_an_expired_trigger_fails(fake: FakeSlack, client: WebClient) -> None:
    fake.trigger_ttl = 0.05
    trigger = fake.issue_trigger_id(ANA)
    time.sleep(0.1)

    assert error_code(lambda: client.views_open(trigger_id=trigger, view=MODAL)) == (
        "expired_trigger_id"
    )
    assert fake.views == {}


def test_modals_are_validated_like_slack_does(fake: FakeSlack, client: WebClient) -> None:
    long_title = {
        **MODAL,
        "title": {"type": "plain_text", "text": "A title far too long for Slack"},
    }

    error = slack_error(
        lambda: client.views_open(trigger_id=fake.issue_trigger_id(ANA), view=long_title)
    )

    assert error.response["error"] == "invalid_arguments"
    assert "json-pointer:/view/title/text" in error.response["response_metadata"]["messages"][0]


def test_views_update_by_id_or_external_id_and_hash(fake: FakeSlack, client: WebClient) -> None:
    opened = client.views_open(
        trigger_id=fake.issue_trigger_id(ANA), view={**MODAL, "external_id": "form-1"}
    )["view"]
    step_two = {**MODAL, "title": {"type": "plain_text", "text": "Step 2"}}

    updated = client.views_update(view_id=opened["id"], view=step_two, hash=opened["hash"])
    again = client.views_update(external_id="form-1", view=MODAL)

    assert updated["view"]["id"] == opened["id"]
    assert updated["view"]["title"]["text"] == "Step 2"
    assert again["view"]["title"]["text"] == "New partner"
    assert error_code(
        lambda: client.views_update(view_id=opened["id"], view=MODAL, hash=opened["hash"])
    ) == ("hash_conflict")
    assert error_code(lambda: client.views_update(view_id="V0NOPE", view=MODAL)) == "not_found"


def test_views_push_stacks_up_to_three_modals(fake: FakeSlack, client: WebClient) -> None:
    root = client.views_open(trigger_id=fake.issue_trigger_id(ANA), view=MODAL)["view"]
    second = client.views_push(trigger_id=fake.issue_trigger_id(ANA), view=MODAL)["view"]
    client.views_push(trigger_id=fake.issue_trigger_id(ANA), view=MODAL)

    assert (second["root_view_id"], second["previous_view_id"]) == (root["id"], root["id"])
    assert len(fake.open_modals(ANA)) == 3
    assert error_code(
        lambda: client.views_push(trigger_id=fake.issue_trigger_id(ANA), view=MODAL)
    ) == ("push_limit_reached")


def test_views_publish_sets_a_persons_home_tab(fake: FakeSlack, client: WebClient) -> None:
    home = {"type": "home", "blocks": [section("Your partners")]}

    first = client.views_publish(user_id=ANA, view=home)["view"]
    second = client.views_publish(user_id=ANA, view=home)["view"]

    assert first["id"] == second["id"]
    assert fake.home_views[ANA]["blocks"] == [section("Your partners")]
    assert fake.views[first["id"]].kind == "home"
    too_big = {"type": "home", "blocks": [section(str(n)) for n in range(101)]}
    assert error_code(lambda: client.views_publish(user_id=ANA, view=too_big)) == (
        "invalid_arguments"
    )
    assert error_code(lambda: client.views_publish(user_id=ANA, view=MODAL)) == (
        "invalid_arguments"
    )
    assert error_code(lambda: client.views_publish(user_id="U0NOPE", view=home)) == (
        "invalid_arguments"
    )


# ------------------------------------------------------------------------------ files


def test_files_upload_v2_end_to_end(fake: FakeSlack, client: WebClient) -> None:
    csv = b"partner,health\nGlobex,82\n"

    answer = client.files_upload_v2(
        channel=PARTNERS,
        content=csv,
        filename="health.csv",
        title="Partner health",
        initial_comment="This week's health report",
    )

    file_id = answer["file"]["id"]
    assert fake.file_content(file_id) == csv
    (message,) = fake.messages_in(PARTNERS)
    assert message.text == "This week's health report"
    assert [(f["id"], f["title"], f["size"]) for f in message.files] == [
        (file_id, "Partner health", len(csv))
    ]
    assert [c.method for c in fake.calls] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]


def test_completing_an_upload_that_never_happened_fails(client: WebClient) -> None:
    ticket = client.files_getUploadURLExternal(filename="x.txt", length=3)

    assert error_code(
        lambda: client.files_completeUploadExternal(files=[{"id": ticket["file_id"]}])
    ) == ("file_not_found")


# ------------------------------------------------------------------------------ failures


def test_a_rate_limit_answers_429_with_retry_after(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", status=429, retry_after=7)

    error = slack_error(lambda: client.chat_postMessage(channel=PARTNERS, text="x"))

    assert error.response.status_code == 429
    assert error.response["error"] == "ratelimited"
    assert error.response.headers["Retry-After"] == "7"
    assert fake.messages == []
    client.chat_postMessage(channel=PARTNERS, text="x")  # the next call goes through
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [429, 200]


def test_slack_sdks_rate_limit_handler_waits_and_retries(fake: FakeSlack) -> None:
    patient = WebClient(
        token=fake.bot_token,
        base_url=fake.base_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    fake.fail_next("chat.postMessage", status=429, retry_after=0)

    patient.chat_postMessage(channel=PARTNERS, text="eventually")

    assert [m.text for m in fake.messages] == ["eventually"]


def test_a_server_error_has_a_non_json_body(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("users.info", status=503)

    error = slack_error(lambda: client.users_info(user=ANA))

    assert error.response.status_code == 503
    assert "non-JSON" in error.response["error"]


def test_fail_next_with_an_error_code_repeats_as_asked(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", error="account_inactive", times=2)

    codes = [error_code(lambda: client.chat_postMessage(channel=ANA, text="x")) for _ in "12"]
    client.chat_postMessage(channel=ANA, text="x")

    assert codes == ["account_inactive", "account_inactive"]
    assert len(fake.messages) == 1


def test_every_call_is_recorded_with_its_answer(fake: FakeSlack, client: WebClient) -> None:
    client.auth_test()
    error_code(lambda: client.users_info(user="U0NOPE"))

    assert [(c.method, c.status, c.response["ok"]) for c in fake.calls] == [
        ("auth.test", 200, True),
        ("users.info", 200, False),
    ]
    assert fake.calls[1].params == {"user": "U0NOPE"}


# ------------------------------------------------------------------------------ response_url


def test_a_response_url_posts_ephemeral_or_in_channel(fake: FakeSlack) -> None:
    url = fake.new_response_url(channel_id=PARTNERS, user_id=ANA)

    WebhookClient(url).send(text="Just for you")
    WebhookClient(url).send(text="For everyone", response_type="in_channel")

    assert [(m.text, m.ephemeral_to) for m in fake.messages] == [
        ("Just for you", ANA),
        ("For everyone", None),
    ]
    assert [c.method for c in fake.calls] == ["response_url", "response_url"]


def test_a_response_url_replaces_or_deletes_the_message_it_came_from(
    fake: FakeSlack, client: WebClient
) -> None:
    posted = client.chat_postMessage(channel=PARTNERS, text="Approve Globex?")
    url = fake.new_response_url(channel_id=PARTNERS, user_id=ANA, message_ts=posted["ts"])

    WebhookClient(url).send(text="Approved by ana", replace_original=True)

    (message,) = fake.messages
    assert (message.text, message.edited) == ("Approved by ana", True)

    WebhookClient(url).send(delete_original=True)

    assert fake.messages == []


def test_a_response_url_works_five_times(fake: FakeSlack) -> None:
    url = fake.new_response_url(channel_id=PARTNERS, user_id=ANA)

    statuses = [WebhookClient(url).send(text=str(n)).status_code for n in range(6)]

    assert statuses == [200, 200, 200, 200, 200, 404]


def test_fail_next_fails_the_next_post_to_a_response_url(fake: FakeSlack) -> None:
    url = fake.new_response_url(channel_id=PARTNERS, user_id=ANA)
    fake.fail_next("response_url", status=503)
    fake.fail_next("response_url", drop=True, times=2)  # the webhook client asks again once

    assert WebhookClient(url).send(text="1").status_code == 503
    with pytest.raises(OSError):
        WebhookClient(url).send(text="2")

    assert WebhookClient(url).send(text="3").status_code == 200
    assert [m.text for m in fake.messages] == ["3"]
    assert [c.status for c in fake.calls_to("response_url")] == [503, 0, 0, 200]


def test_a_response_url_needs_text_or_blocks(fake: FakeSlack) -> None:
    url = fake.new_response_url(channel_id=PARTNERS, user_id=ANA)

    answer = WebhookClient(url).send_dict({"response_type": "in_channel"})

    assert answer.status_code == 400
    assert json.loads(answer.body)["error"] == "no_text"


# ------------------------------------------------------------------------------ waiting


def test_wait_until_gives_up_after_its_timeout(fake: FakeSlack) -> None:
    with pytest.raises(TimeoutError):
        fake.wait_until(lambda: bool(fake.messages), timeout=0.05)


def test_wait_until_wakes_on_a_change(fake: FakeSlack, client: WebClient) -> None:
    client.chat_postMessage(channel=PARTNERS, text="x")

    fake.wait_until(lambda: len(fake.calls) == 1, timeout=1)
