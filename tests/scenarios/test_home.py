"""The App Home as colleagues meet it: a signed `app_home_opened` event through the real app, the
Home published to the fake Slack (which records it per person), clicks on it and forms opened
from it; the outbox delivered by the scheduler's tick.

The clock starts on Wednesday 25 Nov 2026, 09:00 UTC: 10:00 for Ana (Berlin, Slack admin), 04:00
for Ben (New York), 09:00 for Dan (London).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.app import create_app
from bot.runtime import Runtime
from bot.sandbox.fake_slack import FakeMessage, FakeSlack, FakeView
from bot.sandbox.requests import Deliverer, RequestFactory
from bot.slack_retry import REQUEST_LONGEST_WAIT
from handlers.blocks import commitments as commitment_blocks
from handlers.blocks import home as home_blocks
from handlers.blocks import touchpoints as touchpoint_blocks
from storage import partners as partner_store
from storage.commitments import insert_commitment
from storage.models import (
    Commitment,
    CommitmentStatus,
    Partner,
    TeamRole,
    Touchpoint,
    TouchpointParticipant,
    UserProfile,
    Workspace,
    WorkspaceAdmin,
)
from tests.blockkit import view_problems
from tests.conftest import START, TRIES, RetryWaits, Slack
from tests.scenarios import test_feedback as feedback

TEAM = "T0ACME"
ANA, BEN, DAN = "U0ANA", "U0BEN", "U0DAN"
MENTION = {ANA: "<@U0ANA|ana>", BEN: "<@U0BEN|ben>", DAN: "<@U0DAN|dan>"}


# --- Helpers --------------------------------------------------------------------------------


def say(slack: Slack, text: str, user: str = ANA) -> str:
    delivery = slack.command(text, user=user)
    assert delivery.status == 200
    message: FakeMessage = slack.ephemerals_to(user)[-1]
    return message.text + json.dumps(message.blocks, ensure_ascii=False)


def at(slack: Slack, moment: datetime) -> None:
    """Move the clock and do the scheduler's work: planners, then one dispatch pass."""
    slack.runtime.clock.set(moment)  # type: ignore[attr-defined]
    slack.tick()


def open_home(slack: Slack, user: str, *, tab: str = "home") -> dict[str, Any] | None:
    """The person opens Liaison's Home tab (or Messages tab); the Home Slack then shows."""
    request = slack.requests.app_home_opened(user_id=user)
    if tab != "home":
        envelope = json.loads(request.body)
        envelope["event"]["tab"] = tab
        request = slack.requests.event(envelope["event"])
    delivery = slack.deliver.send(request)
    assert delivery.status == 200
    slack.runtime.drain()
    return slack.fake.home_views.get(user)


def home_of(slack: Slack, user: str) -> str:
    view = open_home(slack, user)
    assert view is not None, f"no Home published for {user}"
    assert view_problems(view) == []
    return shown(view)


def shown(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def home_view(slack: Slack, user: str) -> FakeView:
    (view,) = [v for v in slack.fake.views.values() if v.kind == "home" and v.user == user]
    return view


def click_on_home(slack: Slack, user: str, action_id: str, value: str | None = None) -> None:
    request = slack.requests.block_action(
        user_id=user, action_id=action_id, value=value, view=home_view(slack, user)
    )
    assert slack.deliver.send(request).status == 200
    slack.runtime.drain()


def submit(slack: Slack, user: str, values: dict[str, Any]) -> None:
    (form,) = slack.fake.open_modals(user)
    request = slack.requests.view_submission(user_id=user, view=form, values=values)
    assert slack.deliver.send(request).status == 200
    slack.runtime.drain()


def publishes(slack: Slack, user: str) -> int:
    return sum(1 for call in slack.fake.calls_to("views.publish") if call.params["user_id"] == user)


def partner_id(slack: Slack, name: str) -> int:
    with Session(slack.runtime.engine) as session:
        found = session.exec(select(Partner.id).where(Partner.name == name)).one()
    assert found is not None
    return found


def picked(slack: Slack, name: str) -> dict[str, Any]:
    """The partner picker's state once `name` was picked."""
    return {
        touchpoint_blocks.PARTNER_PICKER: {
            "type": "external_select",
            "selected_option": {
                "text": {"type": "plain_text", "text": name},
                "value": str(partner_id(slack, name)),
            },
        }
    }


def value(**state: Any) -> dict[str, Any]:
    return {"value": state}


def logged(slack: Slack, partner: str, medium: str, *, day: str, notes: str) -> dict[str, Any]:
    """The "Log a touchpoint" form's state once filled in."""
    return {
        touchpoint_blocks.PARTNER_FIELD: picked(slack, partner),
        touchpoint_blocks.MEDIUM_FIELD: value(
            type="static_select", selected_option={"value": medium}
        ),
        touchpoint_blocks.DATE_FIELD: value(type="datepicker", selected_date=day),
        touchpoint_blocks.NOTES_FIELD: value(type="plain_text_input", value=notes),
    }


# --- What the Home shows --------------------------------------------------------------------


def test_the_owner_sees_partners_commitments_plans_and_what_waits_for_their_answer(
    slack: Slack,
) -> None:
    say(slack, "add Acme")
    say(slack, "status Acme active")
    say(slack, f"team Acme add {MENTION[BEN]} {MENTION[DAN]}")
    say(slack, "add Globex", user=BEN)
    say(slack, f"deputy Globex {MENTION[ANA]}", user=BEN)
    say(slack, "add Initech", user=DAN)  # not Ana's
    say(slack, "commit Acme us : send the draft MoU by 2026-11-25")
    say(slack, f"commit Globex them {MENTION[ANA]} : signed NDA back by 2026-12-04", user=BEN)
    say(slack, "commit Initech us : the deck by 2026-12-04", user=DAN)  # Dan's
    say(slack, "plan Acme on friday 14:00 with Jane Doe : kick-off of the pilot")
    say(slack, "log Acme on yesterday via meeting : first talk")
    say(slack, "survey Acme now")
    at(slack, datetime(2026, 11, 26, 8, 15, tzinfo=UTC))  # Thursday: check-in and survey

    home = home_of(slack, ANA)
    assert "Updated Thu 26 Nov, 09:15 (Europe/Berlin)" in home
    assert "Your partners (2)" in home
    assert "*Acme* · 🟢 active · you own it · last contact 2 days ago" in home
    assert "*Globex* · 🌱 prospect · you are deputy · owner <@U0BEN> · last contact not yet" in home
    assert "Initech" not in home
    assert "· health " in home
    assert "Your open commitments (2)" in home
    first, second = home.index("send the draft MoU"), home.index("signed NDA back")
    assert first < second  # the overdue one comes first
    assert "“send the draft MoU” · due Wed 25 Nov · :warning: overdue by 1 day" in home
    assert "*Globex* owes us “signed NDA back” · due Fri 4 Dec" in home
    assert "the deck" not in home
    assert "*Acme* · meeting tomorrow at 14:00 with Jane Doe · “kick-off of the pilot”" in home
    assert "Waiting for your answer (2)" in home
    assert "How did the meeting with *Acme* on Tue 24 Nov go? _Asked today._" in home
    assert "Pulse survey about *Acme*: 0 of 4 statements scored" in home


def test_a_meeting_someone_else_planned_names_who_planned_it(slack: Slack) -> None:
    """QA: Ben saw Ana's meeting he takes part in with nothing saying it was hers to ask about."""
    say(slack, "add Acme")
    say(slack, f"plan Acme on friday 14:00 with {MENTION[BEN]} : the pilot review")
    assert "at 08:00 · planned by <@U0ANA> · “the pilot review”" in home_of(slack, BEN)
    assert "planned by" not in home_of(slack, ANA)


def test_someone_away_is_reminded_on_their_home_until_they_are_back(slack: Slack) -> None:
    """QA: Ben, away all week, saw nothing on his Home saying so or how to end it."""
    say(slack, "add Acme", user=BEN)
    say(slack, f"away today to friday deputy {MENTION[DAN]}", user=BEN)
    home = home_of(slack, BEN)
    assert (
        ":palm_tree: You're away until Fri 27 Nov: your check-ins and surveys wait for you, and "
        "alerts about partners you own go to <@U0DAN>. Type `/partner back` to end it early."
    ) in home
    assert "You're away" not in home_of(slack, ANA)
    say(slack, "back", user=BEN)
    assert "You're away" not in home_of(slack, BEN)
    say(slack, "away today to friday", user=BEN)
    assert "go to their deputies, where they have one." in home_of(slack, BEN)


def test_the_team_sees_on_their_home_that_the_owner_is_away_and_the_deputy_that_they_cover(
    slack: Slack,
) -> None:
    """QA: with Ana away all week, Dan, Acme's deputy, to whom her alerts now went, read only
    "you are deputy · owner @ana" on his Home."""
    say(slack, "add Acme")
    say(slack, f"deputy Acme {MENTION[DAN]}")
    say(slack, f"team Acme add {MENTION[BEN]}")
    say(slack, "away today to friday")
    assert "· you are deputy · owner <@U0ANA>, away until Fri 27 Nov: you cover · " in home_of(
        slack, DAN
    )
    assert "· you are on the team · owner <@U0ANA>, away until Fri 27 Nov · " in home_of(slack, BEN)
    say(slack, "back")
    assert "· you are deputy · owner <@U0ANA> · last contact" in home_of(slack, DAN)


def test_a_person_with_nothing_yet_is_shown_how_to_begin(slack: Slack) -> None:
    home = home_of(slack, BEN)
    assert "Updated Wed 25 Nov, 04:00 (America/New_York)" in home
    assert "You are not on any partner's team yet." in home
    assert "Across the workspace" not in home


def test_an_admin_of_a_new_workspace_is_not_told_no_partner_is_at_risk(slack: Slack) -> None:
    """QA: Ana's Home in a workspace with no partner yet celebrated "No partner is at risk"."""
    home = home_of(slack, ANA)  # a Slack admin
    assert "No partners registered yet. Add the first with `/partner add NAME`." in home
    assert ":tada:" not in home
    say(slack, "add Acme")
    assert "No partner is at risk. :tada:" in home_of(slack, ANA)


def test_failed_deliveries_are_shown_to_admins_only(slack: Slack) -> None:
    say(slack, "add Acme")
    slack.fake.fail_next("chat.postMessage", error="channel_not_found")
    say(slack, f"owner Acme {MENTION[DAN]}")  # the handover note to Dan fails
    at(slack, datetime(2026, 11, 25, 10, 0, tzinfo=UTC))

    ana = home_of(slack, ANA)  # a Slack workspace admin
    assert "Across the workspace" in ana
    assert "*Failed deliveries* (latest 1)" in ana
    assert "handover to <@U0DAN>" in ana and (
        "Slack couldn't open a direct message with them (`chat.postMessage: channel_not_found`, "
        "1 try)" in ana
    )
    assert "*At-risk partners" in ana

    assert "Failed deliveries" not in home_of(slack, BEN)
    with Session(slack.runtime.engine) as session:
        if session.get(Workspace, TEAM) is None:
            session.add(Workspace(team_id=TEAM, created_at=START))
            session.flush()
        session.add(WorkspaceAdmin(team_id=TEAM, user_id=BEN))  # as `config admins @ben` does
        session.commit()
    assert "*Failed deliveries* (latest 1)" in home_of(slack, BEN)


def test_the_messages_tab_publishes_nothing(slack: Slack) -> None:
    assert open_home(slack, ANA, tab="messages") is None
    assert slack.fake.calls_to("views.publish") == []


def test_a_home_slack_refuses_is_logged(slack: Slack, caplog: pytest.LogCaptureFixture) -> None:
    slack.fake.fail_next("views.publish", error="invalid_arguments")
    with caplog.at_level(logging.ERROR):
        assert open_home(slack, ANA) is None
    assert "views.publish of the App Home of U0ANA failed: invalid_arguments" in caplog.text


@pytest.mark.parametrize(
    "failure",
    [{"status": 429, "retry_after": 3}, {"status": 500}, {"status": 502}, {"drop": True}],
    ids=["rate limited", "500", "502", "connection dropped"],
)
def test_a_home_slack_fails_to_take_once_is_published_on_the_next_try(
    slack: Slack, retry_waits: RetryWaits, failure: dict[str, Any]
) -> None:
    """QA: the app's client had no retry handlers, so one 429 or 5xx (and a second dropped
    connection) left the Home unpublished: the tab stayed blank until opened again."""
    slack.fake.fail_next("views.publish", **failure)
    assert open_home(slack, ANA) is not None
    assert publishes(slack, ANA) == 2
    (waited,) = retry_waits
    if failure.get("status") == 429:
        assert 3 <= waited < 4  # Retry-After, and a second's jitter at most
    else:
        assert waited < 2  # a short backoff


def test_a_home_slack_keeps_failing_is_tried_three_times_then_logged_with_its_code(
    slack: Slack, retry_waits: RetryWaits, caplog: pytest.LogCaptureFixture
) -> None:
    slack.fake.fail_next("views.publish", status=503, times=TRIES)
    with caplog.at_level(logging.WARNING):
        assert open_home(slack, ANA) is None
    assert publishes(slack, ANA) == TRIES == 3
    assert len(retry_waits) == 2
    assert "views.publish of the App Home of U0ANA failed: http_503" in caplog.text
    assert open_home(slack, ANA) is not None  # Slack is back: the next opening publishes


def test_a_home_slack_says_to_wait_long_for_is_not_waited_for(
    slack: Slack, retry_waits: RetryWaits, caplog: pytest.LogCaptureFixture
) -> None:
    """A Retry-After past REQUEST_LONGEST_WAIT is not slept in a request's work."""
    slack.fake.fail_next("views.publish", status=429, retry_after=REQUEST_LONGEST_WAIT + 1)
    with caplog.at_level(logging.WARNING):
        assert open_home(slack, ANA) is None
    assert publishes(slack, ANA) == 1 and retry_waits == []
    assert (
        "Slack is rate limiting Liaison's answers: not asking again, Slack asks to wait 21 s"
        in caplog.text
    )
    assert "views.publish of the App Home of U0ANA failed: ratelimited" in caplog.text


def test_the_ack_does_not_wait_for_a_retry(fake_slack: FakeSlack, slack_runtime: Runtime) -> None:
    """The event is answered while the publish after it waits to ask Slack again."""
    waiting, go_on = threading.Event(), threading.Event()

    def sleep(_seconds: float) -> None:
        waiting.set()
        assert go_on.wait(timeout=10)

    app = create_app(slack_runtime, retry_sleep=sleep)
    deliver = Deliverer(fake_slack, app=app, runtime=slack_runtime)
    fake_slack.fail_next("views.publish", status=429, retry_after=1)
    started = time.monotonic()
    delivery = deliver.send(RequestFactory(fake_slack).app_home_opened(user_id=ANA))
    assert delivery.status == 200 and time.monotonic() - started < 3
    assert waiting.wait(timeout=10)  # the publish, after the ack, waits out the 429
    assert fake_slack.home_views.get(ANA) is None
    go_on.set()
    slack_runtime.drain()
    assert fake_slack.home_views.get(ANA) is not None


# --- The Messages tab: what people type in Liaison's DM -----------------------------------------


def type_in_dm(slack: Slack, user: str, text: str, *, thread_ts: str | None = None) -> FakeMessage:
    """The person types in their DM with Liaison; Slack sends the `message` event."""
    dm = slack.fake.im_channel(user).id
    typed = slack.fake.post_user_message(
        user_id=user, channel_id=dm, text=text, thread_ts=thread_ts
    )
    assert slack.deliver.send(slack.requests.message_posted(typed)).status == 200
    slack.runtime.drain()
    return typed


def answers_in_dm(slack: Slack, user: str) -> list[FakeMessage]:
    return [
        m
        for m in slack.fake.messages_in(slack.fake.im_channel(user).id)
        if m.user == slack.fake.bot_user_id
    ]


def test_a_message_typed_in_the_dm_is_answered_with_where_such_words_belong(slack: Slack) -> None:
    type_in_dm(slack, BEN, "went well, they want a proposal by Friday")

    (answer,) = answers_in_dm(slack, BEN)
    assert "I don't read what is typed here" in answer.text
    assert "*Add a note*" in answer.text and "`/partner log NAME : what happened`" in answer.text
    assert "a reply in the check-in's thread while it is open" in answer.text
    assert "`/partner help` lists everything I do" in answer.text
    # A survey is answered by reacting, as the survey itself says: typing :four: here is not.
    assert "react :one: to :five: on it" in answer.text
    assert answer.thread_ts is None


def test_a_command_typed_in_the_dm_is_answered_with_it_as_a_command_to_send(slack: Slack) -> None:
    # QA: "log Acme : met Jane" typed in Liaison's DM got the general hint, as if it were chat.
    # It is answered with the line as a `/partner` command; people and channels, which a
    # message sends as `<@U…>`, stay mentions out of the code span, so they read as names.
    type_in_dm(slack, BEN, "log Acme : met Jane with <@U0ANA> &amp; `Bob`")
    type_in_dm(slack, BEN, "/partner plan Acme on friday : lunch in <#C0SALES|sales>")
    type_in_dm(slack, BEN, "went well, they want a proposal by Friday")

    command, plan, chat = answers_in_dm(slack, BEN)
    assert command.text.startswith(
        "Commands go through `/partner`, typed in the message box, not sent as a message"
    )
    assert "`/partner log Acme : met Jane with` <@U0ANA> `&amp; ’Bob’`" in command.text
    assert "`/partner plan Acme on friday : lunch in` <#C0SALES|sales>\n" in plan.text
    assert "`/partner help` lists everything I do" in plan.text
    # Words that are no command still get the hint, once per quiet spell.
    assert "I don't read what is typed here" in chat.text


def test_help_typed_in_the_dm_names_the_help_command_once(slack: Slack) -> None:
    # QA: "help" typed in Liaison's DM was answered with `/partner help` as the line to send,
    # then "`/partner help` lists everything I do" beneath it: the same command twice. `help
    # config` still names `/partner help` beneath, for that lists more than the line sent.
    type_in_dm(slack, BEN, "help")
    type_in_dm(slack, BEN, "/partner help config")

    alone, config = answers_in_dm(slack, BEN)
    assert alone.text.endswith("To run this one, send:\n`/partner help`")
    assert alone.text.count("/partner help") == 1
    assert config.text.endswith("`/partner help config`\n`/partner help` lists everything I do.")


@pytest.mark.parametrize(
    ("failure", "logged"),
    [
        (
            {"status": 503, "times": TRIES},
            "answering a message in the Messages tab failed: http_503",
        ),
        (
            {"drop": True, "times": TRIES},
            "answering a message in the Messages tab could not reach Slack: RemoteDisconnected",
        ),
    ],
)
def test_an_answer_in_the_dm_slack_does_not_take_is_logged_once_with_why(
    slack: Slack, caplog: pytest.LogCaptureFixture, failure: dict[str, Any], logged: str
) -> None:
    """QA h8: no answer from Slack escaped the handler ("after-ack work failed" and a
    traceback); a 5xx logged Slack's HTML page as its code."""
    slack.fake.fail_next("chat.postMessage", **failure)
    with caplog.at_level(logging.WARNING):
        type_in_dm(slack, BEN, "hello?")
    assert answers_in_dm(slack, BEN) == []
    assert [r.getMessage() for r in caplog.records if r.name.startswith(("handlers", "bot"))] == [
        logged
    ]


def test_the_dm_is_answered_once_in_a_quiet_spell_of_ten_minutes(slack: Slack) -> None:
    type_in_dm(slack, BEN, "hello?")
    type_in_dm(slack, BEN, "anyone there")
    assert len(answers_in_dm(slack, BEN)) == 1
    type_in_dm(slack, DAN, "hi")  # each person has their own turn
    assert len(answers_in_dm(slack, DAN)) == 1

    slack.runtime.clock.set(START + timedelta(minutes=11))  # type: ignore[attr-defined]
    type_in_dm(slack, BEN, "still here")
    assert len(answers_in_dm(slack, BEN)) == 2


def test_a_reply_in_a_thread_of_the_dm_is_answered_in_that_thread(slack: Slack) -> None:
    card = slack.web_client.chat_postMessage(
        channel=slack.fake.im_channel(BEN).id, text="a check-in"
    )
    type_in_dm(slack, BEN, "it went well", thread_ts=card["ts"])

    answer = answers_in_dm(slack, BEN)[-1]
    assert answer.thread_ts == card["ts"] and "I don't read" in answer.text


def test_edits_bots_and_channel_messages_are_not_answered(slack: Slack) -> None:
    dm = slack.fake.im_channel(BEN).id
    for event in (
        {"type": "message", "subtype": "message_changed", "channel": dm, "channel_type": "im"},
        {"type": "message", "bot_id": "B0OTHER", "channel": dm, "channel_type": "im", "text": "x"},
        {"type": "message", "user": BEN, "channel": "C0GENERAL", "channel_type": "channel"},
    ):
        assert slack.deliver.send(slack.requests.event(event)).status == 200
    slack.runtime.drain()
    assert slack.fake.calls_to("chat.postMessage") == []


def test_an_answer_slack_refuses_is_logged(slack: Slack, caplog: pytest.LogCaptureFixture) -> None:
    slack.fake.fail_next("chat.postMessage", error="channel_not_found")
    with caplog.at_level(logging.WARNING):
        type_in_dm(slack, BEN, "hello")
    assert "answering a message in the Messages tab failed: channel_not_found" in caplog.text


# --- Buttons on the Home --------------------------------------------------------------------


def test_done_on_the_home_closes_the_commitment_and_publishes_the_home_again(
    slack: Slack,
) -> None:
    say(slack, "add Acme")
    say(slack, "commit Acme us : send the draft MoU by friday")
    assert "send the draft MoU" in home_of(slack, ANA)
    before = publishes(slack, ANA)

    click_on_home(slack, ANA, "commitment_done:1")
    with Session(slack.runtime.engine) as session:
        (row,) = session.exec(select(Commitment))
    assert (row.status, row.closed_by) == (CommitmentStatus.DONE, ANA)
    assert publishes(slack, ANA) == before + 1
    home = shown(slack.fake.home_views[ANA])
    assert "Marked `#1` done — we kept our promise, on time" in home  # what the click did
    assert "No open commitments." in home
    assert "commitment_done:1" not in home


def test_done_on_the_home_by_someone_not_allowed_is_refused_on_their_home(slack: Slack) -> None:
    say(slack, "add Acme")
    say(slack, "commit Acme us : send the draft MoU by friday")
    home_of(slack, DAN)
    click_on_home(slack, DAN, "commitment_done:1", "1")  # a click Dan's Home never offered
    assert "Only <@U0ANA> (who owns it) or an admin can close or move `#1`" in shown(
        slack.fake.home_views[DAN]
    )
    with Session(slack.runtime.engine) as session:
        (row,) = session.exec(select(Commitment))
    assert row.status == CommitmentStatus.OPEN


def test_log_a_touchpoint_from_the_home(slack: Slack) -> None:
    say(slack, "add Acme")
    home_of(slack, ANA)
    click_on_home(slack, ANA, home_blocks.LOG)
    (form,) = slack.fake.open_modals(ANA)
    assert form.view["title"]["text"] == "Log a touchpoint"

    submit(slack, ANA, logged(slack, "Acme", "call", day="2026-11-24", notes="budget talk"))
    assert slack.fake.open_modals(ANA) == []
    with Session(slack.runtime.engine) as session:
        (touchpoint,) = session.exec(select(Touchpoint))
    assert (touchpoint.medium, touchpoint.notes, touchpoint.author_id) == (
        "call",
        "budget talk",
        ANA,
    )
    home = shown(slack.fake.home_views[ANA])
    assert "Logged your call with *Acme* yesterday." in home
    assert "*Acme* · 🌱 prospect · you own it · last contact yesterday" in home


def test_a_touchpoint_logged_from_a_home_slack_will_not_show_is_confirmed_in_a_dm(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    """QA h8: a form sent from the Home is answered on the Home; when Slack refused that
    publish (or did not answer), the touchpoint was saved but the person was told nothing."""
    say(slack, "add Acme")
    home_of(slack, ANA)
    click_on_home(slack, ANA, home_blocks.LOG)
    slack.fake.fail_next("views.publish", status=503, times=TRIES)
    with caplog.at_level(logging.WARNING):
        submit(slack, ANA, logged(slack, "Acme", "call", day="2026-11-24", notes="budget talk"))
    with Session(slack.runtime.engine) as session:
        assert len(session.exec(select(Touchpoint)).all()) == 1
    (dm,) = [m for m in slack.fake.dm_messages(ANA) if "Logged" in m.text]
    assert dm.text.startswith("Logged your call with *Acme* yesterday.")
    assert [r.getMessage() for r in caplog.records if r.name.startswith("handlers")] == [
        "views.publish of the App Home of U0ANA failed: http_503"
    ]


def test_log_from_the_home_with_a_new_partner_and_a_colleague_liaison_never_met(
    slack: Slack,
) -> None:
    say(slack, "add Acme")
    home_of(slack, ANA)
    click_on_home(slack, ANA, home_blocks.LOG)
    (form,) = slack.fake.open_modals(ANA)
    request = slack.requests.block_suggestion(
        user_id=ANA, action_id=touchpoint_blocks.PARTNER_PICKER, value="Initech", view=form
    )
    delivery = slack.deliver.send(request)
    assert delivery.json is not None
    (register,) = delivery.json["options"]
    assert register["text"]["text"] == "➕ Register “Initech”"
    submit(
        slack,
        ANA,
        {
            touchpoint_blocks.PARTNER_FIELD: {
                touchpoint_blocks.PARTNER_PICKER: {
                    "type": "external_select",
                    "selected_option": register,
                }
            },
            touchpoint_blocks.MEDIUM_FIELD: value(
                type="static_select", selected_option={"value": "meeting"}
            ),
            touchpoint_blocks.DATE_FIELD: value(type="datepicker", selected_date="2026-11-24"),
            touchpoint_blocks.COLLEAGUES_FIELD: value(
                type="multi_users_select", selected_users=[DAN]
            ),
            touchpoint_blocks.NOTES_FIELD: value(type="plain_text_input", value="intro"),
        },
    )
    home = shown(slack.fake.home_views[ANA])
    assert "Registered *Initech* with you as its owner." in home
    assert "Logged your meeting with *Initech* yesterday, together with <@U0DAN>." in home
    # Dan's check-in will be timed in his zone: Slack was asked about him after the ack.
    with Session(slack.runtime.engine) as session:
        dan = session.get(UserProfile, ("T0ACME", DAN))
    assert dan is not None and dan.tz == "Europe/London"


def test_a_problem_in_the_log_form_shows_in_the_form(slack: Slack) -> None:
    say(slack, "add Acme")
    home_of(slack, ANA)
    click_on_home(slack, ANA, home_blocks.LOG)
    before = publishes(slack, ANA)
    submit(
        slack,
        ANA,
        {
            touchpoint_blocks.PARTNER_FIELD: picked(slack, "Acme"),
            touchpoint_blocks.MEDIUM_FIELD: value(
                type="static_select", selected_option={"value": "meeting"}
            ),
            touchpoint_blocks.DATE_FIELD: value(type="datepicker", selected_date="2026-11-24"),
            touchpoint_blocks.NOTES_FIELD: value(type="plain_text_input", value="  "),
        },
    )
    (form,) = slack.fake.open_modals(ANA)
    assert form.errors is not None and touchpoint_blocks.NOTES_FIELD in form.errors
    assert publishes(slack, ANA) == before


def test_new_commitment_from_the_home(slack: Slack) -> None:
    say(slack, "add Acme")
    home_of(slack, ANA)
    click_on_home(slack, ANA, home_blocks.COMMIT)
    (form,) = slack.fake.open_modals(ANA)
    assert form.view["callback_id"] == commitment_blocks.COMMIT_VIEW

    submit(
        slack,
        ANA,
        {
            commitment_blocks.PARTNER_FIELD: picked(slack, "Acme"),
            commitment_blocks.SIDE_FIELD: value(
                type="radio_buttons", selected_option={"value": "us"}
            ),
            commitment_blocks.OWNER_FIELD: value(type="users_select", selected_user=ANA),
            commitment_blocks.WHAT_FIELD: value(type="plain_text_input", value="the budget"),
            commitment_blocks.DUE_FIELD: value(type="datepicker", selected_date="2026-12-10"),
        },
    )
    home = shown(slack.fake.home_views[ANA])
    assert "Recorded `#1`: *we* owe *Acme* “the budget”, due Thu 10 Dec" in home
    assert "Your open commitments (1)" in home
    assert "commitment_done:1" in home
    # The ephemeral answer of a form opened by `/partner commit` is unchanged: none here.
    assert [m for m in slack.ephemerals_to(ANA) if "the budget" in m.text] == []


# --- However much there is ------------------------------------------------------------------


def test_an_owner_of_300_partners_and_300_commitments_gets_a_home_within_slacks_limits(
    slack: Slack,
) -> None:
    now = slack.runtime.clock.now()
    with Session(slack.runtime.engine) as session:
        for number in range(300):
            name = f"Partner {number:03d} " + "x" * 100
            row = partner_store.insert_partner(
                session=session, team_id=TEAM, name=name, key=name.lower(), created_by=ANA,
                created_at=now,
            )  # fmt: skip
            assert row.id is not None
            partner_store.set_role(
                session=session, team_id=TEAM, partner_id=row.id, user_id=ANA,
                role=TeamRole.OWNER, now=now,
            )  # fmt: skip
            insert_commitment(
                session=session, team_id=TEAM, partner_id=row.id, side="us", owner_id=ANA,
                what="w" * 1000, due_on=date(2026, 11, 2 + number % 28), created_by=ANA, now=now,
                request_key=None,
            )  # fmt: skip
        session.commit()

    started = time.perf_counter()
    view = open_home(slack, ANA)
    elapsed = time.perf_counter() - started
    assert view is not None  # the fake Slack took it: its own limits hold
    assert len(view["blocks"]) <= 100
    assert view_problems(view) == []
    home = shown(view)
    # The 250 whose promise is overdue (due 2 to 24 Nov) are at risk, and come first.
    assert "Your partners (300 · 250 at risk)" in home
    assert "…and 285 more, 235 of them at risk: `/partner list mine`" in home
    assert "Your open commitments (300)" in home
    assert "…and 290 more: `/partner commitments mine`" in home
    assert ":warning: overdue by 23 days" in home  # the most overdue come first
    assert elapsed < 5, f"the Home took {elapsed:.2f} s"


def test_health_shows_beside_my_partners_and_admins_see_the_partners_at_risk(
    slack: Slack,
) -> None:
    say(slack, "add Acme")
    say(slack, "add Beta", user=BEN)
    say(slack, "commit Acme us : send the draft by 2026-11-26")
    # Overdue: commitments score 0, and nobody has been in touch yet, so contact is left out.
    at(slack, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))

    owner = home_of(slack, ANA)  # Ana is a Slack admin
    assert "*Acme* · 🌱 prospect · you own it · last contact not yet · health 0 · " in owner
    assert ":warning: at risk: score below 50" in owner
    assert "*At-risk partners (1)*" in owner
    assert "*Acme* · owner <@U0ANA> · health 0" in owner  # the admins' at-risk list

    other = home_of(slack, BEN)
    # Nothing has happened with Beta: no score, rather than a "perfect" 100.
    assert "*Beta* · 🌱 prospect · you own it · last contact not yet · health not scored yet" in (
        other
    )
    assert "Acme" not in other  # neither his partner nor, for a non-admin, the at-risk list


def test_an_owner_of_many_partners_sees_those_at_risk_first_and_ended_ones_last(
    slack: Slack,
) -> None:
    # Dan (not an admin, so no workspace at-risk list) owns 18 partners. Zeta, last of them
    # alphabetically, has an overdue promise; Alpha has ended.
    for name in ["Alpha", *(f"Partner {n:02d}" for n in range(16)), "Zeta"]:
        say(slack, f"add {name}", user=DAN)
    say(slack, "status Alpha ended", user=DAN)
    say(slack, "commit Zeta us : send the draft by 2026-11-26", user=DAN)
    at(slack, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))

    home = home_of(slack, DAN)
    assert "Your partners (18 · 1 at risk)" in home
    # Zeta is not cut off with the rest: it comes first, with why.
    assert "*Zeta* · 🌱 prospect · you own it · last contact not yet · health 0 · " in home
    assert home.index("*Zeta*") < home.index("*Partner 00*")
    assert "*Alpha*" not in home  # ended, so after the 16 still followed, past the 15 shown
    assert "…and 3 more: `/partner list mine`" in home


def test_a_score_on_a_thin_pulse_says_so_on_the_home_as_in_the_at_risk_lists(
    slack: Slack,
) -> None:
    say(slack, "config anonymity 2")
    say(slack, "add Acme")
    say(slack, f"team Acme add {MENTION[DAN]}")
    say(slack, "status Acme active")
    say(slack, "log Acme via meeting : review")
    say(slack, "survey Acme now")
    feedback.at(slack, START)
    # Ana answers all four statements, Dan the first alone: only it has the 2 answers results
    # need, so the pulse rests on 1 of 4 statements.
    answers = ("one", "five", "five", "five")
    for message, name in zip(feedback.questions(slack, ANA), answers, strict=True):
        feedback.react(slack, ANA, message, name)
    feedback.react(slack, DAN, feedback.questions(slack, DAN)[0], "one")
    feedback.at(slack, datetime(2026, 12, 3, 9, 0, tzinfo=UTC))  # the round has closed
    assert "45/100 (thin pulse: 1 of 4 statements)" in say(slack, "health")

    home = home_of(slack, ANA)
    thin = "health 45 (thin pulse: 1 of 4 statements) · :warning: at risk: score below 50"
    assert f"*Acme* · 🟢 active · you own it · last contact 8 days ago by <@U0ANA> · {thin}" in home
    assert f"*Acme* · owner <@U0ANA> · {thin}" in home  # the admins' at-risk list


def test_a_touchpoint_logged_from_the_home_is_dated_in_the_loggers_zone(slack: Slack) -> None:
    """Review: the notice on top of the Home was dated before Slack told the logger's zone, on
    the workspace's calendar: Zoe in Auckland, where it is Thursday already, logged Wednesday's
    call and read "today" (London's Wednesday), with "Times here are in Europe/London". The
    Home is published after the ack: Slack is asked first, and the notice dated in her zone."""
    zoe = "U0ZOE"
    slack.fake.add_user(id=zoe, name="zoe", real_name="Zoe", tz="Pacific/Auckland")
    say(slack, "config timezone Europe/London")
    say(slack, "add Acme")
    # Thursday 01:00 in Auckland, still Wednesday in London.
    slack.runtime.clock.set(START + timedelta(hours=3))  # type: ignore[attr-defined]
    with Session(slack.runtime.engine) as session:
        assert session.get(UserProfile, (TEAM, zoe)) is None  # Slack has not told her zone yet
    slack.fake.fail_next("users.info", error="fatal_error")  # when the Home opens
    open_home(slack, zoe)
    click_on_home(slack, zoe, home_blocks.LOG)
    submit(slack, zoe, logged(slack, "Acme", "call", day="2026-11-25", notes="pricing"))
    home = shown(slack.fake.home_views[zoe])
    assert "Logged your call with *Acme* yesterday." in home
    assert "Times here are in" not in home


def test_someone_picked_from_the_home_whom_slack_says_is_elsewhere_is_taken_off(
    slack: Slack,
) -> None:
    """Review: Jane, of the partner's own workspace, picked as a colleague in the form opened
    from the Home, stayed on the contact (asked to check in, counted as in touch), where the
    form opened by `/partner log` takes her off once Slack says so, and tells the logger."""
    jane = "U0JANE"
    slack.fake.add_user(id=jane, name="jane", real_name="Jane Doe", team_id="T0PARTNER")
    say(slack, "add Acme")
    home_of(slack, ANA)
    click_on_home(slack, ANA, home_blocks.LOG)
    values = logged(slack, "Acme", "meeting", day="2026-11-24", notes="pilot agreed")
    colleagues = value(type="multi_users_select", selected_users=[jane, DAN])
    submit(slack, ANA, {**values, touchpoint_blocks.COLLEAGUES_FIELD: colleagues})
    with Session(slack.runtime.engine) as session:
        took_part = session.exec(select(TouchpointParticipant.user_id)).all()
    assert sorted(took_part) == [DAN]
    (told,) = [m for m in slack.fake.dm_messages(ANA) if "another organisation" in m.text]
    assert told.text.startswith(
        "I took <@U0JANE> off the colleagues who took part in your contact with *Acme*"
    )
    home = shown(slack.fake.home_views[ANA])
    assert "Logged your meeting with *Acme* yesterday" in home
    # The notice names who took part as saved: not Jane, whom the DM says was taken off.
    assert f"together with <@{DAN}>" in home and jane not in home


def test_the_owner_and_deputy_see_a_colleagues_meeting_with_their_partner_coming_up(
    slack: Slack,
) -> None:
    """QA: Ana, who owns Acme, saw "Nothing planned" while Dan had a visit to Acme on Friday."""
    say(slack, "add Acme")
    say(slack, f"deputy Acme {MENTION[BEN]}")
    say(slack, f"team Acme add {MENTION[DAN]}")
    say(slack, "add Globex", user=DAN)  # Dan's: nothing of Ana's or Ben's
    say(slack, "plan Acme on friday 14:00 : site visit", user=DAN)
    say(slack, "plan Globex on friday 16:00 : their board", user=BEN)

    line = "*Acme* · meeting on Fri 27 Nov at {} · planned by <@U0DAN> — on your partner · "
    line += "“site visit”"
    owner = home_of(slack, ANA)
    assert "Coming up (1)" in owner
    assert line.format("15:00") in owner
    assert "their board" not in owner  # Globex is not hers
    deputy = home_of(slack, BEN)
    assert line.format("09:00") in deputy
    assert "“their board”" in deputy and deputy.count("on your partner") == 1  # his own plan

    # Only the partner's owner and deputy: a member of its team is not accountable for it.
    say(slack, "plan Acme on monday : follow-up", user=BEN)
    assert "follow-up" not in home_of(slack, DAN)

    # Taking part, Ana sees it once, as a meeting of her own.
    say(slack, f"plan Acme on thursday 11:00 with {MENTION[ANA]} : the contract", user=DAN)
    owner = home_of(slack, ANA)
    assert "Coming up (3)" in owner and owner.count("the contract") == 1
    assert "planned by <@U0DAN> · “the contract”" in owner


def test_a_busy_partners_colleague_meetings_are_cut_with_the_command_that_shows_them(
    slack: Slack,
) -> None:
    say(slack, "add Acme")
    for day in range(1, 13):
        say(slack, f"plan Acme on 2026-12-{day:02d} : visit {day}", user=DAN)
    view = open_home(slack, ANA)
    assert view is not None and view_problems(view) == []
    home = shown(view)
    assert "Coming up (12)" in home
    assert home.count("— on your partner") == 8
    assert "“visit 8”" in home and "“visit 9”" not in home  # the soonest first
    assert "…and 4 more: `/partner check NAME` shows what is planned with a partner" in home


def commitment_due(slack: Slack, owner: str, day: str) -> dict[str, Any]:
    """The "New commitment" form's state once filled in for Acme."""
    return {
        commitment_blocks.PARTNER_FIELD: picked(slack, "Acme"),
        commitment_blocks.SIDE_FIELD: value(type="radio_buttons", selected_option={"value": "us"}),
        commitment_blocks.OWNER_FIELD: value(type="users_select", selected_user=owner),
        commitment_blocks.WHAT_FIELD: value(type="plain_text_input", value="the budget"),
        commitment_blocks.DUE_FIELD: value(type="datepicker", selected_date=day),
    }


def test_a_due_day_picked_before_slack_told_the_zone_is_not_refused_if_today_somewhere(
    slack: Slack,
) -> None:
    """Risk: with Slack unable to say Lea's zone, the day she picked was checked against the
    workspace's today: in Los Angeles on Wednesday, with the workspace in Tokyo (Thursday
    already), her own today was refused as "in the past". A day that is today somewhere is
    now taken; one past everywhere still is not."""
    lea = "U0LEA"
    slack.fake.add_user(id=lea, name="lea", real_name="Lea", tz="America/Los_Angeles")
    say(slack, "config timezone Asia/Tokyo")
    say(slack, "add Acme")
    # Wednesday 12:00 in Los Angeles, Thursday 05:00 in Tokyo.
    slack.runtime.clock.set(datetime(2026, 11, 25, 20, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    slack.fake.fail_next("users.info", error="fatal_error")  # when the Home opens
    open_home(slack, lea)
    with Session(slack.runtime.engine) as session:
        assert session.get(UserProfile, (TEAM, lea)) is None  # her zone is still unknown
    click_on_home(slack, lea, home_blocks.COMMIT)
    (form,) = slack.fake.open_modals(lea)

    submit(slack, lea, commitment_due(slack, lea, "2026-11-24"))  # past in every zone
    assert form.errors == {commitment_blocks.DUE_FIELD: "Pick today (Thu 26 Nov) or a later day."}
    submit(slack, lea, commitment_due(slack, lea, "2026-11-25"))  # her today
    assert slack.fake.open_modals(lea) == []
    with Session(slack.runtime.engine) as session:
        (row,) = session.exec(select(Commitment)).all()
    assert row.due_on == date(2026, 11, 25)
