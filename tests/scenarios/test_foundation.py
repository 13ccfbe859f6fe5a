"""The foundation as Slack meets it: signed requests through the real app, in-process and over
HTTP to a real `liaison serve` process, with a fake Slack Web API server behind it."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import replace
from pathlib import Path

import pytest
import uvicorn
from slack_bolt import Ack, App
from sqlmodel import Session, select

from bot.config import Settings
from bot.http import create_asgi_app
from bot.runtime import Runtime
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.requests import Deliverer, RequestFactory
from storage.db import make_engine
from storage.models import Partner
from tests.conftest import Slack
from tests.factories import add_partner
from tests.http import free_port, get, wait_for_health
from tests.scenarios.test_help_examples import REFUSALS, shown
from tests.scenarios.test_partners import ANA, TEAM, registry

ROOT = Path(__file__).resolve().parents[2]


def text_of(slack: Slack, user: str = "U0ANA") -> str:
    """Everything the user was shown ephemerally, blocks included, as one string."""
    return "\n".join(
        message.text + json.dumps(message.blocks) for message in slack.ephemerals_to(user)
    )


def test_help_lists_the_language(slack: Slack) -> None:
    delivery = slack.command("help")
    assert delivery.status == 200
    shown = text_of(slack)
    assert "Partners and ownership" in shown
    assert "`commitments`" in shown
    # Only the start-up token check; answering help calls no Web API method.
    assert [call.method for call in slack.fake.calls] == ["auth.test"]


def test_help_verb_shows_syntax_and_example(slack: Slack) -> None:
    slack.command("help log")
    shown = text_of(slack)
    assert "/partner log NAME [with PERSON …] [on DATE]" in shown
    assert "/partner log MSF with @ben" in shown


@pytest.mark.parametrize("verb", ["done", "drop"])
def test_help_says_who_may_close_a_commitment(slack: Slack, verb: str) -> None:
    slack.command(f"help {verb}")
    shown = text_of(slack)
    assert "Who can use it: the commitment's owner (for their side, who follows it up)" in shown
    assert "the partner's owner or deputy, or an admin." in shown
    assert "Who can use it: anyone" not in shown


@pytest.mark.parametrize(
    ("line", "shows"),
    [
        ("help config window", "/partner config window DAYS"),
        ("help /partner log", "/partner log NAME [with PERSON …]"),
        ("help partner log", "/partner log NAME [with PERSON …]"),
        ("?", "help VERB"),
    ],
)
def test_help_reads_what_people_type_around_the_verb(slack: Slack, line: str, shows: str) -> None:
    slack.command(line)
    shown = text_of(slack)
    assert shows in shown
    assert "not something I know how to do" not in shown


def test_help_on_several_verbs_shows_each(slack: Slack) -> None:
    # QA20c NIT 6: `help log plan` showed `log` alone, saying nothing of `plan`.
    slack.command("help log plan")
    shown = text_of(slack)
    assert "/partner log NAME [with PERSON …]" in shown
    assert "/partner plan NAME on DATE" in shown


def test_empty_command_shows_the_overview(slack: Slack) -> None:
    slack.command("")
    assert "help VERB" in text_of(slack)


class TestANewWorkspace:
    """Without `LIAISON_DEFAULT_CHANNEL`, as a workspace installing Liaison may well be."""

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return replace(settings, default_channel=None)

    def test_is_shown_where_to_start_until_it_has(self, slack: Slack) -> None:
        slack.command("")
        shown = text_of(slack)
        assert "*Start here*" in shown
        assert "No partners yet: register the first with `/partner add NAME`" in shown
        assert "an admin chooses one with `/partner config channel #partnerships`" in shown

        slack.command("add Acme")
        slack.command("?")
        assert text_of(slack).count("No partners yet") == 1
        assert text_of(slack).count("an admin chooses one") == 2

        slack.command("config channel <#C0PARTNERS|partnerships>")
        slack.runtime.drain()
        slack.command("help")
        assert text_of(slack).count("Start here") == 2


def test_unknown_verb_answers_with_suggestion_and_changes_nothing(slack: Slack) -> None:
    delivery = slack.command("lgo Acme : lunch", user="U0BEN")
    assert delivery.status == 200
    shown = text_of(slack, "U0BEN")
    assert "`lgo` is not something I know how to do" in shown
    assert "Did you mean `/partner log Acme : lunch`?" in shown


@pytest.mark.parametrize(
    ("line", "meant"),
    [
        ("register Acme", "Did you mean `/partner add Acme`?"),
        ("New Acme", "Did you mean `/partner add Acme`?"),
        ("met Acme : lunch", "Did you mean `/partner log Acme : lunch`?"),
        (
            "meeting Acme on friday : kick-off",
            "Did you mean `/partner log Acme on friday : kick-off` or "
            "`/partner plan Acme on friday : kick-off`?",
        ),
        ("help register", "Did you mean `/partner add`?"),
    ],
)
def test_a_word_people_use_for_a_verb_suggests_that_verb_and_does_nothing(
    slack: Slack, line: str, meant: str
) -> None:
    slack.command(line, user="U0BEN")
    shown = text_of(slack, "U0BEN")
    assert "is not something I know how to do" in shown
    assert meant in shown
    with Session(slack.runtime.engine) as session:
        assert session.exec(select(Partner)).first() is None


@pytest.mark.parametrize(
    ("line", "meant"),
    [
        ("at-risk", ["health at-risk", "list at-risk"]),
        ("risky", ["health at-risk", "list at-risk"]),
        ("risk Acme", ["health Acme"]),
        ("dormant", ["list dormant"]),
        ("quiet", ["list dormant"]),
        ("inactive Acme", ["cadence Acme"]),
        ("dormant Acme", ["cadence Acme"]),
        ("quiet partners", ["list dormant"]),
        ("digest", ["config digest"]),
        ("weekly fri 16:00", ["config digest fri 16:00"]),
        ("summary", ["config digest"]),
        ("report Acme", ["show Acme"]),
        ("overdue", ["commitments overdue"]),
        ("owe Acme", ["commitments Acme"]),
        ("overdue commitments", ["commitments overdue"]),
        ("owed", ["commitments"]),
        ("promises", ["commitments"]),
        ("todo", ["commitments mine"]),
        ("tasks Acme", ["commitments Acme"]),
        ("reminders", ["commitments mine"]),
        ("score Acme", ["health Acme"]),
        ("scores", ["health"]),
        ("stats", ["health"]),
        ("partners", ["list"]),
        ("partners mine", ["list mine"]),
        ("all", ["list all", "commitments all"]),
        ("mine", ["list mine", "commitments mine"]),
        ("my partners", ["list mine"]),
        ("my commitments", ["commitments mine"]),
        ("pulse", ["config pulse"]),
        ("pulse Acme", ["survey Acme"]),
        ("results Acme", ["health Acme", "survey Acme"]),
        ("vacation", ["away"]),
        ("out friday", ["away friday"]),
        ("leave next week", ["away next week"]),
        ("whois Acme", ["owner of Acme", "show Acme"]),
        ("who owns Acme", ["owner of Acme", "show Acme"]),
        ("alerts", ["config channel"]),
        ("notifications Acme", ["channel Acme"]),
        ("admins", ["config admins"]),
        ("admin", ["config admins"]),
        ("timezone", ["config timezone"]),
        ("tz Europe/Paris", ["config timezone Europe/Paris"]),
        ("window 21", ["config window 21"]),
        ("hours 9-17", ["config hours 9-17"]),
        ("days mon-fri", ["config days mon-fri"]),
        ("lgo Acme : lunch", ["log Acme : lunch"]),
        ("comit Acme us : send the deck by friday", ["commit Acme us : send the deck by friday"]),
        ("dormnat", ["list dormant"]),
    ],
)
def test_a_word_for_something_liaison_does_suggests_whole_lines_that_are_read(
    slack: Slack, line: str, meant: list[str]
) -> None:
    add_partner(registry(slack), team_id=TEAM, name="Acme", owner_id=ANA)
    _, said = shown(slack, line)
    assert "is not something I know how to do" in said
    assert "Did you mean " + " or ".join(f"`/partner {m}`" for m in meant) + "?" in said
    for suggested in meant:
        _, said = shown(slack, suggested)
        refusal = REFUSALS.search(said)
        assert refusal is None, f"`/partner {suggested}` was refused: {said}"


def test_a_near_miss_verb_shows_the_rest_of_the_line_as_typed(slack: Slack) -> None:
    # Slack's markup for a mention shows in a code span as typed: `@ben`, not `<@U0BEN|ben>`.
    add_partner(registry(slack), team_id=TEAM, name="Acme", owner_id=ANA)
    _, said = shown(slack, "lgo Acme with <@U0BEN|ben> &amp; Jane : lunch")
    # (`&` is escaped once on the way out, as Slack wants it, and shows as typed.)
    assert "Did you mean `/partner log Acme with @ben &amp; Jane : lunch`?" in said
    # Typed in Slack, `@ben` is the mention again: the line is read.
    _, said = shown(slack, "log Acme with <@U0BEN|ben> &amp; Jane : lunch")
    assert REFUSALS.search(said) is None, said


def test_dashboard_points_to_the_home_tab(slack: Slack) -> None:
    slack.command("dashboard")
    shown = text_of(slack)
    assert "Did you mean `/partner list mine` or `/partner commitments mine`?" in shown
    assert "on Liaison's *Home* tab" in shown


@pytest.mark.parametrize("word", ["remove", "Delete", "archive"])
def test_a_word_for_getting_rid_of_a_partner_points_to_ending_or_merging_it(
    slack: Slack, word: str
) -> None:
    slack.command(f"{word} Oxfam GB")
    shown = text_of(slack)
    assert "A partner is never deleted, so its history stays" in shown
    assert "`/partner status Oxfam GB ended`" in shown
    assert "`/partner merge Oxfam GB into KEPT`" in shown
    assert "Did you mean" not in shown
    slack.command(f"help {word}")
    assert "`/partner status NAME ended`" in text_of(slack)
    # A name the grammar would not read back whole is suggested in quotes.
    slack.command(f"{word} Room to Read")
    assert '`/partner status "Room to Read" ended`' in text_of(slack)


def test_help_for_an_unknown_verb(slack: Slack) -> None:
    slack.command("help sruvey")
    assert "Did you mean `/partner survey`?" in text_of(slack)


def test_a_bad_signature_is_refused(slack: Slack) -> None:
    request = slack.requests.slash_command(user_id="U0ANA", channel_id="C0PARTNERS", text="help")
    request.headers["X-Slack-Signature"] = "v0=" + "0" * 64
    assert slack.deliver.send(request).status == 401
    assert slack.ephemerals_to("U0ANA") == []


def test_a_failing_listener_gets_an_apology_with_an_error_id(
    slack: Slack, app: App, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(ack: Ack) -> None:
        raise RuntimeError("database on fire")

    app.command("/partner-broken")(explode)
    request = slack.requests.slash_command(
        user_id="U0ANA", channel_id="C0PARTNERS", text="", command="/partner-broken"
    )
    with caplog.at_level(logging.ERROR):
        delivery = slack.deliver.send(request)
    assert delivery.status == 200
    (apology,) = slack.ephemerals_to("U0ANA")
    assert "something went wrong" in apology.text
    error_id = apology.text.split("error id `")[1].split("`")[0]
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged and logged[0].exc_info is not None, "the log must carry the traceback"


# --- Over HTTP ---------------------------------------------------------------------------------


def test_liaison_serve_answers_signed_help_and_refuses_unsigned(
    served: str, fake_slack: FakeSlack
) -> None:
    requests = RequestFactory(fake_slack)
    deliver = Deliverer(fake_slack, url=f"{served}/slack/events")

    delivery = deliver.send(
        requests.slash_command(user_id="U0BEN", channel_id="C0PARTNERS", text="help")
    )
    assert delivery.status == 200
    assert delivery.json is not None and delivery.json["response_type"] == "ephemeral"
    assert any("Partners and ownership" in json.dumps(m.blocks) for m in fake_slack.messages)

    unsigned = requests.slash_command(user_id="U0BEN", channel_id="C0PARTNERS", text="help")
    for header in ("X-Slack-Signature", "X-Slack-Request-Timestamp"):
        unsigned.headers.pop(header)
    assert deliver.send(unsigned).status == 401

    status, body = get(f"{served}/healthz")
    assert status == 200
    assert json.loads(body) == {"status": "ok", "database": True}
    # Start-up verified the token once; answering commands called no Web API method.
    assert [call.method for call in fake_slack.calls] == ["auth.test"]


def test_healthz_is_503_when_the_database_is_unreachable(slack_runtime: Runtime, app: App) -> None:
    runtime = Runtime(
        settings=slack_runtime.settings,
        engine=make_engine("postgresql+psycopg://nobody@127.0.0.1:9/none", pool_pre_ping=False),
        clock=slack_runtime.clock,
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_asgi_app(app, runtime), port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_for_health(f"http://127.0.0.1:{port}/healthz")
        status, body = get(f"http://127.0.0.1:{port}/healthz")
        assert status == 503
        assert json.loads(body)["database"] is False
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.mark.parametrize(
    "line",
    [
        "&lt;foo&gt;",
        "help &lt;foo&gt;",
        "list &lt;x&gt;",
        "config window &lt;x&gt;",
        "away &lt;x&gt; to friday",
        "export &lt;x&gt;",
    ],
)
def test_a_refusal_quotes_what_was_typed_escaped_once(slack: Slack, line: str) -> None:
    # Slack escapes what was typed (`<x>`); the answer escapes it once for mrkdwn, not twice.
    slack.command(line)
    shown = text_of(slack)
    assert "&lt;" in shown and "&amp;lt;" not in shown


def test_an_event_liaison_does_not_act_on_is_answered_200_with_one_debug_line(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    """QA: an event the app was subscribed to beyond the manifest (`channel_created`) got 404,
    so Slack sent it again three times, each logged at WARNING with Bolt's "[Suggestion]
    @app.event(...)" snippet for developers."""
    event = {"type": "channel_created", "channel": {"id": "C0NEW", "name": "new-channel"}}
    with caplog.at_level(logging.DEBUG):
        delivery = slack.deliver.send(slack.requests.event(event))
    assert delivery.status == 200
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    assert "Suggestion" not in caplog.text
    ignored = [r.getMessage() for r in caplog.records if "ignored" in r.getMessage()]
    assert ignored == ["event channel_created ignored: Liaison does not act on it"]
