"""`/partner config` as people meet it: signed commands through the real app, and the proof that
each setting changes what Liaison does — what collides, where alerts go, when direct messages
and check-ins arrive, whether surveys run and what their results show — in this workspace only.

The clock starts on Wednesday 25 Nov 2026, 09:00 UTC: 10:00 for Ana (Berlin, Slack admin),
04:00 for Ben (New York), 18:00 for Chloe (Tokyo), 09:00 for Dan (London).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlencode

import pytest
from slack_bolt import Respond
from slack_sdk import WebClient
from sqlmodel import Session, select

from bot.delivery.operations import list_outbox
from bot.delivery.outbox import enqueue
from bot.delivery.working_hours import spread_offset
from bot.sandbox.fake_slack import FakeMessage
from bot.sandbox.requests import SlackRequest, sign
from bot.services.registry import Actor
from handlers.partners import announce_in
from storage.models import OutboxMessage, SurveyRound, Workspace, WorkspaceAdmin
from tests.bot.delivery.test_engine_stories import cut_short
from tests.conftest import START, TRIES, Slack
from tests.scenarios import test_feedback as feedback
from tests.scenarios.test_partners import ANA, BEN, CHLOE, DAN, answer, last, registry, shown
from tests.scenarios.test_touchpoints import ACME, alerts, deliver_outbox, dms, posts

TEAM = "T0ACME"
OTHER_TEAM = "T0OTHER"


# --- Helpers ------------------------------------------------------------------------------------


def at(slack: Slack, moment: datetime) -> None:
    slack.runtime.clock.set(moment)  # type: ignore[attr-defined]
    deliver_outbox(slack)


def workspace_row(slack: Slack, team_id: str = TEAM) -> Workspace | None:
    with Session(slack.runtime.engine) as session:
        row = session.get(Workspace, team_id)
        if row is not None:
            session.expunge(row)
        return row


def listed_admins(slack: Slack) -> list[str]:
    with Session(slack.runtime.engine) as session:
        return sorted(a.user_id for a in session.exec(select(WorkspaceAdmin)))


def command_in(
    slack: Slack, team_id: str, text: str, *, user: str = ANA, trigger_id: str | None = None
) -> str:
    """A command typed in another workspace that installed the same app: the request Slack
    would send from there (with `trigger_id` if given), signed; returns what the person was
    shown."""
    request = slack.requests.slash_command(user_id=user, channel_id="C0PARTNERS", text=text)
    fields = {key: values[-1] for key, values in parse_qs(request.body).items()}
    if trigger_id is not None:
        fields["trigger_id"] = trigger_id
    body = urlencode({**fields, "team_id": team_id})
    headers = {
        **request.headers,
        **sign(
            signing_secret=slack.fake.signing_secret,
            body=body,
            timestamp=int(datetime.now(UTC).timestamp()),
        ),
    }
    delivery = slack.deliver.send(SlackRequest(body=body, headers=headers, kind="command"))
    slack.runtime.drain()
    assert delivery.status == 200
    return shown(last(slack, user))


@pytest.fixture
def acme(slack: Slack) -> None:
    """Acme, owned by Ana; every colleague has typed a command once (profiles cached)."""
    answer(slack, ACME)
    for user in (BEN, CHLOE, DAN):
        answer(slack, "show Acme", user=user)


# --- Looking ------------------------------------------------------------------------------------


def test_anyone_may_look_at_every_setting_in_plain_words(slack: Slack) -> None:
    # Slack admins are known from the profiles Liaison has cached. QA: before any had used
    # Liaison, the card said "Slack admins none Liaison has seen yet".
    unseen = (
        "*Admins:* the Slack workspace's admins and owners (I haven't met any of them yet, so "
        "I can't name them); named here nobody."
    )
    assert unseen in answer(slack, "config admins", user=DAN)
    assert unseen in answer(slack, "config", user=DAN)
    answer(slack, "list")  # Ana types something: her profile (a Slack admin) is cached
    card = answer(slack, "config", user=DAN)
    for expected in (
        "Workspace settings",
        "*Coordination channel:* #partnerships — the server's default; none set here",
        "Collision alerts, survey results and the weekly digest go here",
        "*Coordination window:* 14 days",
        "on days up to 14 days apart set off the revolving-door alarm, whatever their times",
        "Days are counted in the workspace's time zone (`config timezone`)",
        "the calendar the coordination window counts days in",
        "*Working days and hours:* Mon–Fri, 9:00–17:00",
        "direct messages (check-ins, surveys, reminders) reach people only then, in their own",
        "*Time zone:* UTC",
        "*Pulse surveys:* monthly",
        "a pulse survey every month, on its first Tuesday, or first working day where",
        "*Check-in delay:* the next start of working hours",
        "*Anonymity:* at least 3 answers",
        "so no one's answer can be singled out",
        "*Weekly digest:* Mondays at 09:00 UTC",
        "*Admins:* Slack admins <@U0ANA>; named here nobody.",
        "Anyone may look; admins change them",
    ):
        assert expected in card, expected
    assert "Failed deliveries" not in card  # only admins see them
    assert workspace_row(slack) is None  # looking changes nothing


def test_one_setting_alone_shows_its_value_and_how_to_change_it(slack: Slack) -> None:
    answer(slack, "list")  # Ana's profile, a Slack admin's, is cached
    said = answer(slack, "config window", user=BEN)
    assert "*Coordination window:* 14 days" in said
    assert "Admins change it with `/partner config window DAYS`" in said
    assert "e.g. `/partner config window 21`" in said
    admins = answer(slack, "config admins", user=BEN)
    assert "Slack admins <@U0ANA>; named here nobody" in admins


def test_admins_also_see_failed_deliveries_the_latest_few_and_how_many_more(
    slack: Slack,
) -> None:
    with Session(slack.runtime.engine) as session:
        for number in range(7):
            enqueue(
                session,
                team_id=TEAM,
                kind="collision_alert",
                recipient_channel="C0GONE",
                text=f"alert {number}",
                due_at=START,
                dedupe_key=f"alert:{number}",
                respect_working_hours=False,
            )
        session.commit()
    deliver_outbox(slack)  # the fake Slack knows no C0GONE: each fails with channel_not_found

    card = answer(slack, "config")
    assert "*Failed deliveries* (latest 5)" in card
    assert card.count("collision alert to <#C0GONE>") == 5
    assert "channel_not_found" in card
    assert "…and 2 more. `liaison outbox --failed` on the server lists them all." in card
    assert "As an admin you can change any of them" in card
    assert "Failed deliveries" not in answer(slack, "config", user=BEN)


@pytest.mark.usefixtures("acme")
def test_a_failed_channel_delivery_drops_out_of_the_admins_list_once_settled(
    slack: Slack,
) -> None:
    # QA qa21b NIT 8: failed hellos stayed listed after the channels were fixed.
    answer(slack, "config channel #nope")
    answer(slack, "channel Acme <#C0GHOST|ghost>")
    card = answer(slack, "config")
    assert "channel hello to #nope" in card and "channel hello to <#C0GHOST>" in card
    # #nope works now and is chosen again: its hello goes through, the failed one is settled.
    slack.fake.add_channel(id="C0NOPE", name="nope")
    answer(slack, "config channel #nope")
    card = answer(slack, "config")
    assert "channel hello to #nope" not in card and "channel hello to <#C0GHOST>" in card
    # Acme's channel is no longer chosen: its failed hello told nobody anything.
    answer(slack, "channel Acme none")
    assert "*Failed deliveries:* none" in answer(slack, "config")
    # The operator's list still has them all.
    printed: list[str] = []
    list_outbox(slack.runtime, failed=True, limit=10, echo=printed.append)
    assert len([line for line in printed if "channel_hello" in line]) == 2


def test_a_message_lost_to_a_bad_layout_or_an_outage_stays_listed_after_later_sends(
    slack: Slack,
) -> None:
    # Issue 5's check: a collision alert in #partnerships that Slack refused for its layout,
    # or that gave up during an outage, vanished from the admins' list as soon as the next
    # message there went through, as if the channel had been fixed; colleagues never got it.
    def alert(key: str) -> None:
        with Session(slack.runtime.engine) as session:
            enqueue(
                session,
                team_id=TEAM,
                kind="partner_note",  # no kind's handler moves it elsewhere when refused
                recipient_channel="C0PARTNERS",
                text=f"alert {key}",
                due_at=START,
                dedupe_key=f"alert:{key}",
                respect_working_hours=False,
            )
            session.commit()

    for key, error in (("layout", "invalid_blocks"), ("archived", "is_archived")):
        alert(key)
        slack.fake.fail_next("chat.postMessage", error=error)
        deliver_outbox(slack)
    card = answer(slack, "config")
    assert "Slack refused the message's layout" in card and "is_archived" in card

    alert("later")
    deliver_outbox(slack)  # #partnerships takes messages again

    card = answer(slack, "config")
    assert "*Failed deliveries* (latest 1)" in card
    assert "Slack refused the message's layout (a Liaison bug, please report it)" in card
    assert "is_archived" not in card  # the channel's refusal is settled


def test_an_admin_with_no_failures_is_told_so(slack: Slack) -> None:
    assert "*Failed deliveries:* none" in answer(slack, "config")


# --- Who may change ---------------------------------------------------------------------------


def test_a_refusal_names_the_admins_and_changes_nothing(slack: Slack) -> None:
    answer(slack, "config admins <@U0DAN|dan>")
    delivery = slack.command("config window 3", user=BEN)
    # Ben's rights were unknown: the ack says so at once, Slack is asked after it.
    assert delivery.json is not None
    assert delivery.json["text"].startswith("Checking your permissions")
    refusal = shown(last(slack, BEN))
    assert "Only admins can change workspace settings: <@U0ANA>, <@U0DAN>." in refusal
    row = workspace_row(slack)
    assert row is not None and row.window_days == 14
    # A value out of range is no reason to explain the range to someone who may not set it.
    for line in ("config window 0", "config hours 22-6", "config admins <@U0BEN|ben>"):
        assert "Only admins can change" in answer(slack, line, user=BEN)


def test_a_refusal_before_any_admin_used_liaison_asks_slack_who_they_are(slack: Slack) -> None:
    # Ben is the first to use Liaison: no admin has a cached profile yet.
    refusal = answer(slack, "config window 5", user=BEN)
    assert "Only admins can change workspace settings: <@U0ANA>. Ask one of them." in refusal
    assert len(slack.ephemerals_to(BEN)) == 1  # "Checking…", the refusal, then it named them
    assert [c.method for c in slack.fake.calls].count("users.list") == 1
    answer(slack, "add Acme", user=BEN)
    refusal = answer(slack, "status Acme active", user=DAN)
    assert "Only <@U0BEN> (owner) or an admin (<@U0ANA>) can change *Acme*" in refusal
    assert [c.method for c in slack.fake.calls].count("users.list") == 1  # known now


def test_a_refusal_stands_as_it_was_when_slack_will_not_list_the_admins(slack: Slack) -> None:
    slack.fake.fail_next("users.list", error="missing_scope")
    refusal = answer(slack, "config window 5", user=BEN)
    assert "settings: your Slack workspace's admins and owners. Ask one of them." in refusal


def test_a_refusal_stands_as_it_was_when_slack_cuts_the_admin_list_short(
    slack: Slack, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """QA h11: users.list's answer cut short (`IncompleteRead`, no OSError) escaped the work
    after the ack, logged as an error with a traceback ("after-ack work failed"), not as Slack
    out of reach."""
    cut_short(slack.fake, monkeypatch, "users.list")
    with caplog.at_level(logging.WARNING):
        refusal = answer(slack, "config window 5", user=BEN)
    assert "settings: your Slack workspace's admins and owners. Ask one of them." in refusal
    assert "users.list could not reach Slack" in caplog.text
    assert "after-ack work failed" not in caplog.text


def test_the_admin_list_is_replaced_as_a_whole_and_slack_admins_always_remain(
    slack: Slack,
) -> None:
    said = answer(slack, "config admins <@U0DAN|dan> <@U0BEN|ben>")
    assert "The admins named here are now <@U0BEN>, <@U0DAN> (added <@U0BEN>, <@U0DAN>)." in said
    assert "Slack workspace admins and owners are admins anyway (<@U0ANA>)" in said
    assert "is now *21 days*" in answer(slack, "config window 21", user=DAN)
    said = answer(slack, "config window 1", user=DAN)
    assert "is now *1 day*" in said and "on days up to 1 day apart set off" in said

    said = answer(slack, "config admins <@U0BEN|ben>", user=DAN)
    assert "now <@U0BEN> (removed <@U0DAN>)." in said
    assert "You are no longer an admin" in said
    assert "Only admins can change" in answer(slack, "config window 30", user=DAN)
    assert listed_admins(slack) == [BEN]

    # Emptied by a listed admin, the Slack admin is still one: the way back in stays open.
    assert "now nobody (removed <@U0BEN>)." in answer(slack, "config admins none", user=BEN)
    assert listed_admins(slack) == []
    assert "is now *30 days*" in answer(slack, "config window 30", user=ANA)


def test_colleagues_named_admins_are_told_once_in_their_hours(slack: Slack) -> None:
    said = answer(slack, "config admins <@U0BEN|ben> <@U0ANA|ana>")
    assert "I've let <@U0BEN> know." in said  # not Ana: she named herself, and Slack's anyway
    said = answer(slack, "config admins <@U0BEN|ben> <@U0DAN|dan>", user=BEN)
    assert "I've let <@U0DAN> know." in said  # Ben is on the list already
    at(slack, datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    (to_dan,) = dms(slack, DAN)
    assert to_dan.text.startswith("<@U0BEN> named you an admin of Liaison: you may now change any")
    assert dms(slack, BEN) == []  # 04:00 in New York
    at(slack, datetime(2026, 11, 25, 15, 0, tzinfo=UTC))
    (to_ben,) = dms(slack, BEN)
    assert to_ben.text.startswith("<@U0ANA> named you an admin of Liaison")
    assert dms(slack, ANA) == []


def test_a_colleague_taken_off_the_admins_is_told_in_their_hours(slack: Slack) -> None:
    answer(slack, "config admins <@U0BEN|ben> <@U0DAN|dan>")
    at(slack, datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    (named,) = dms(slack, DAN)
    assert named.text.startswith("<@U0ANA> named you an admin of Liaison")
    said = answer(slack, "config admins <@U0BEN|ben>")
    assert "now <@U0BEN> (removed <@U0DAN>)." in said and "I've let <@U0DAN> know." in said
    at(slack, datetime(2026, 11, 25, 11, 0, tzinfo=UTC))
    assert [dm.text for dm in dms(slack, DAN)][1:] == [
        "<@U0ANA> took you off Liaison's admins: the workspace's settings, and partners you "
        "neither own nor deputise for, are now for the admins to change "
        "(`/partner config admins` names them)."
    ]
    assert "Only admins can change" in answer(slack, "config window 30", user=DAN)


def test_a_colleague_named_and_dropped_before_hearing_of_it_hears_nothing(slack: Slack) -> None:
    # 04:00 in New York: Ben's note waits for his working day, and is out of date by then.
    answer(slack, "config admins <@U0BEN|ben>")
    said = answer(slack, "config admins none")
    assert "removed <@U0BEN>" in said and "I've let" not in said
    at(slack, datetime(2026, 11, 25, 15, 0, tzinfo=UTC))
    assert dms(slack, BEN) == []


def test_a_listed_admin_may_change_partners_too(slack: Slack) -> None:
    answer(slack, 'add Médecins Sans Frontières owner <@U0BEN|ben> aka "MSF"')
    assert "Only <@U0BEN> (owner) or an admin" in answer(slack, "status MSF active", user=CHLOE)
    answer(slack, "config admins <@U0CHLOE|chloe>")
    assert "is now 🟢 active" in answer(slack, "status MSF active", user=CHLOE)


def test_an_admin_named_who_is_not_in_the_workspace_is_refused(slack: Slack) -> None:
    slack.fake.add_user(id="U0GONE", name="gone", deleted=True)
    said = answer(slack, "config admins <@U0GONE|gone>")
    assert "<@U0GONE> is not a member of this workspace" in said
    assert "*Syntax:* `/partner config admins [@user …|none]`" in said
    assert listed_admins(slack) == []


# --- Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "problem", "form", "example"),
    [
        ("config window 0", "It must be 1 to 90 days, not 0.", "config window DAYS", "window 21"),
        ("config window 91", "not 91", "config window DAYS", "window 21"),
        ("config window soon", "`soon` is not a number of days", "config window", "window 21"),
        ("config hours 17-9", "must start before they end", "config hours 9-17", "hours 8-18"),
        ("config hours 9-25", "`9-25` is not a range of whole hours", "hours 9-17", "hours 8-18"),
        ("config hours 9:30-17", "Working hours are whole hours", "config hours 9-17", "8-18"),
        ("config hours 9-5", "Did you mean `/partner config hours 9-17`?", "9am-5pm", "8-18"),
        ("config days fortnight", "`fortnight` is not a day", "config days mon-fri", "sun-thu"),
        ("config days weekdays-sat", "or `weekdays`, `weekends`", "days mon-fri|weekdays", "thu"),
        ("config days mon-", "`mon-` is not a day", "config days mon-fri", "days sun-thu"),
        ("config pulse weekly", "`weekly` is not a pulse cadence", "config pulse", "quarterly"),
        ("config checkin-delay 200", "It must be 0 to 168 hours", "HOURS|morning", "delay 4"),
        ("config checkin-delay later", "not a number of hours, nor `morning`", "HOURS", "4"),
        ("config anonymity 1", "a round with a single answer would show", "anonymity N", "5"),
        ("config anonymity 21", "Anonymity must be 2 to 20 answers", "config anonymity N", "5"),
        ("config digest monday", "give a weekday and a time of day", "DAY HH:MM|off", "mon"),
        ("config digest mon 25:00", "`25:00` is not a time of day", "digest DAY", "09:00"),
        ("config digest fri 13pm", "`13pm` is not a time of day like 09:00", "digest", "09:00"),
        ("config digest mon tue 09:00", "is not a day and a time", "digest DAY", "09:00"),
        (
            "config digest fri 16:00 Europe/Berlin",
            "like `/partner config digest fri 16:00`, and the zone with "
            "`/partner config timezone Europe/Berlin`",
            "config digest DAY HH:MM|off",
            "mon 09:00",
        ),
        (
            # QA: it suggested `config timezone GMT`, which `config timezone` refuses.
            "config digest fri 16:00 GMT",
            "like `/partner config digest fri 16:00`. `GMT` is a fixed time with no summer time, "
            "not the zone of a place",
            "config digest DAY HH:MM|off",
            "mon 09:00",
        ),
        (
            "config digest fri 16:00 PST",
            "Type `/partner config timezone America/Los_Angeles`: a place's zone keeps",
            "config digest DAY HH:MM|off",
            "mon 09:00",
        ),
        ("config window 2 months", "`2 months` is not a number of days", "window", "21"),
        ("config window 13 weeks", "It must be 1 to 90 days, not 13 weeks.", "window", "21"),
        # QA: a number below zero or far too large was called "not a number of days".
        ("config window -5", "It must be 1 to 90 days, not -5.", "config window DAYS", "21"),
        ("config window 99999999", "It must be 1 to 90 days, not 99999999.", "window", "21"),
        ("config window " + "9" * 40, "It must be 1 to 90 days, not 999", "window", "21"),
        ("config checkin-delay -3h", "It must be 0 to 168 hours, not -3h.", "HOURS", "4"),
        ("config anonymity -1", "many people answered), not -1.", "anonymity N", "5"),
        ("config digest someday 09:00", "`someday 09:00` is not a day and a time", "digest", "9"),
        ("config timezone Europe/Berln", "Did you mean `Europe/Berlin`", "timezone TZ", "Berlin"),
        ("config timezone Tokyo", "Did you mean `Asia/Tokyo`?", "config timezone TZ", "Europe"),
        (
            "config timezone GMT-5",
            "`GMT-5` is an offset from UTC, not a time zone: a place's offset changes with "
            "daylight saving time, so give the zone of a city, like `Europe/Berlin` or "
            "`America/New_York`. For `GMT-5` all year round: `/partner config timezone "
            "Etc/GMT+5` (IANA writes its sign the other way round).",
            "config timezone TZ",
            "Europe/Berlin",
        ),
        ("config timezone Berlin, Germany", "Did you mean `Europe/Berlin`?", "TZ", "Berlin"),
        (
            "config timezone EST",
            "`EST` is an abbreviation, not a time zone: it names only a place's winter or "
            "summer time, and some name several places. Did you mean `America/New_York`?",
            "config timezone TZ",
            "Europe/Berlin",
        ),
        ("config channel partnerships", "`partnerships` is not a channel", "#channel", "#part"),
        ("config channel #" + "x" * 40, "longer name than I can keep", "config channel", "#p"),
        ("config admins @dan", "`@dan` is not a Slack mention", "config admins", "@ana @dan"),
        ("config admins dan", "`dan` is not a mention", "config admins", "@ana @dan"),
        ("config wndow 3", "Did you mean `/partner config window`?", "config hours 9-17", "21"),
    ],
)
def test_bad_input_says_what_was_wrong_the_form_and_an_example(
    slack: Slack, line: str, problem: str, form: str, example: str
) -> None:
    said = answer(slack, line)
    assert problem in said
    assert "*Syntax:*" in said and form in said
    assert "*Example:* `/partner config" in said and example in said
    assert workspace_row(slack) is None and listed_admins(slack) == []  # nothing saved


# --- Each setting takes effect ----------------------------------------------------------------


@pytest.mark.usefixtures("acme")
def test_the_window_decides_which_contacts_collide(slack: Slack) -> None:
    assert "*Coordination window* is now *3 days* (was 14 days)" in answer(slack, "config window 3")
    answer(slack, "log Acme on 2026-11-20 : five days ago", user=BEN)
    said = answer(slack, "log Acme : today", user=CHLOE)
    assert "Others are in touch" not in said  # 5 days apart: no collision within 3 days
    deliver_outbox(slack)
    assert posts(slack) == []

    answer(slack, "config window 6")
    said = answer(slack, "log Acme : me too", user=DAN)
    assert "<@U0BEN> was in touch with them on Fri 20 Nov" in said
    deliver_outbox(slack)
    assert len(alerts(slack)) == 1


@pytest.mark.usefixtures("acme")
def test_the_channel_picked_or_typed_is_where_collision_alerts_go(slack: Slack) -> None:
    said = answer(slack, "config channel <#C0GENERAL|general>")
    assert "*Coordination channel* is now *<#C0GENERAL>*" in said
    assert "I'm saying hello there now" in said
    (hello,) = posts(slack, "C0GENERAL")  # which shows Liaison can post there
    assert "<@U0ANA> chose this channel for Liaison's coordination alerts about partners" in (
        shown(hello)
    )
    answer(slack, "log Acme : first", user=BEN)
    assert "I've posted this in" in answer(slack, "log Acme : second", user=CHLOE)
    deliver_outbox(slack)
    assert posts(slack) == []  # not #partnerships any more
    _hello, alert = posts(slack, "C0GENERAL")
    assert "Revolving door at Acme Corporation" in shown(alert)

    # A channel typed without picking it is posted to by name.
    alerts_channel = slack.fake.add_channel(id="C0ALERTS", name="partner-alerts")
    said = answer(slack, "config channel #partner-alerts")
    assert "is now *#partner-alerts*" in said and "post there by name" in said
    answer(slack, "add Globex")
    answer(slack, "log Globex : first", user=BEN)
    answer(slack, "log Globex : second", user=CHLOE)
    deliver_outbox(slack)
    _hello, alert = posts(slack, alerts_channel.id)
    assert "Revolving door at Globex" in shown(alert)

    said = answer(slack, "config channel none")
    assert "*Coordination channel* cleared: #partner-alerts no longer gets anything." in said
    assert "go to #partnerships, the server's default channel" in said
    row = workspace_row(slack)
    assert row is not None and row.coordination_channel is None


@pytest.mark.usefixtures("acme")
def test_a_channel_typed_by_its_name_or_in_capitals_is_the_channel_already(slack: Slack) -> None:
    # QA: `config channel #Partnerships` after picking it from Slack's list answered "is now
    # #partnerships (was #partnerships)" and kept the typed name for the id.
    answer(slack, "config channel <#C0PARTNERS|partnerships>")
    for typed in ("#Partnerships", "#partnerships"):
        said = answer(slack, f"config channel {typed}")
        assert "*Coordination channel* was already *<#C0PARTNERS>*; nothing changed." in said
        assert "is now" not in said
        row = workspace_row(slack)
        assert row is not None and row.coordination_channel == "C0PARTNERS"
    # QA: each name typed left one more greeting in the channel. Posting is how Liaison asks
    # which channel a name is; a greeting that found the channel already is taken back.
    (hello,) = posts(slack, "C0PARTNERS")
    assert "chose this channel" in shown(hello)
    assert len(slack.fake.calls_to("chat.delete")) == 2
    # Another channel's name is chosen (by name), and greeted once.
    slack.fake.add_channel(id="C0ALERTS", name="partner-alerts")
    said = answer(slack, "config channel #Partner-Alerts")
    assert "*Coordination channel* is now *#partner-alerts* (was <#C0PARTNERS>)" in said
    assert len(posts(slack, "C0ALERTS")) == 1
    # A typed name kept before is matched whatever its case.
    assert "was already *#partner-alerts*" in answer(slack, "config channel #PARTNER-alerts")
    row = workspace_row(slack)
    assert row is not None and row.coordination_channel == "#partner-alerts"


@pytest.mark.usefixtures("acme")
def test_a_typed_name_slack_will_not_post_in_is_chosen_and_says_why(slack: Slack) -> None:
    answer(slack, "config channel <#C0PARTNERS|partnerships>")
    refusal = answer(slack, "config channel #nope")
    assert "I couldn't post in #nope: Slack answered `channel_not_found`" in refusal
    said = shown(slack.ephemerals_to(ANA)[-2])
    assert "*Coordination channel* is now *#nope* (was <#C0PARTNERS>)" in said
    row = workspace_row(slack)
    assert row is not None and row.coordination_channel == "#nope"


@pytest.mark.usefixtures("acme")
def test_a_typed_name_slack_could_not_place_leaves_the_channel_as_it_was(slack: Slack) -> None:
    answer(slack, "config channel <#C0PARTNERS|partnerships>")
    for fault in ({"drop": True, "times": TRIES}, {"status": 503, "times": TRIES}):
        slack.fake.fail_next("chat.postMessage", **fault)  # type: ignore[arg-type]
        said = answer(slack, "config channel #Partnerships")
        assert "Slack did not answer when I asked which channel #partnerships is" in said
        assert "pick #partnerships from the list Slack offers as you type `#`" in said
        row = workspace_row(slack)
        assert row is not None and row.coordination_channel == "C0PARTNERS"
    assert len(posts(slack, "C0PARTNERS")) == 1  # the hello when it was picked


def acme_channel(slack: Slack) -> str | None:
    return registry(slack).profile(team_id=TEAM, partner="Acme").facts.channel_id


@pytest.mark.usefixtures("acme")
def test_a_partners_channel_typed_by_its_name_is_its_channel_already(slack: Slack) -> None:
    # As `config channel` (above): `channel Acme #Acme-Partnership` after picking it from Slack's
    # list answered "will go to #acme-partnership", greeted it again and kept the name for the id.
    slack.fake.add_channel(id="C0ACMEP", name="acme-partnership")
    answer(slack, "channel Acme <#C0ACMEP|acme-partnership>")
    said = answer(slack, "channel Acme #Acme-Partnership")
    assert "Alerts about *Acme Corporation* already go to <#C0ACMEP>; nothing changed." in said
    assert "will go to" not in said
    assert acme_channel(slack) == "C0ACMEP"
    # The greeting that asked Slack is taken back: the channel hears once, when picked.
    assert len(posts(slack, "C0ACMEP")) == 1
    # Another channel's name is chosen (by name), and greeted once.
    slack.fake.add_channel(id="C0ALERTS", name="acme-alerts")
    said = answer(slack, "channel Acme #Acme-Alerts")
    assert "Alerts about *Acme Corporation* will go to #acme-alerts." in said
    (hello,) = posts(slack, "C0ALERTS")
    assert "coordination alerts about *Acme Corporation*" in shown(hello)
    assert "already go to #acme-alerts" in answer(slack, "channel Acme #ACME-alerts")
    assert acme_channel(slack) == "#acme-alerts"
    # Slack unreachable: nothing changes, and the person is told how to pick it instead.
    answer(slack, "channel Acme <#C0ACMEP|acme-partnership>")
    slack.fake.fail_next("chat.postMessage", status=503, times=TRIES)
    said = answer(slack, "channel Acme #acme-partnership")
    assert (
        "Slack did not answer when I asked which channel #acme-partnership is, so the channel "
        "alerts about *Acme Corporation* go to stays as it was. Try again shortly, or pick "
        "#acme-partnership from the list Slack offers as you type `#`: "
        "`/partner channel Acme Corporation #channel`." in said
    )
    assert acme_channel(slack) == "C0ACMEP"
    # A name Slack will not post in is chosen, and the person told why.
    said = answer(slack, "channel Acme #nope")
    assert "I couldn't post in #nope: Slack answered `channel_not_found`" in said
    assert "will go to #nope" in shown(slack.ephemerals_to(ANA)[-2])
    assert acme_channel(slack) == "#nope"


@pytest.mark.usefixtures("acme")
def test_a_channel_that_refused_liaison_keeps_the_greeting_its_typed_name_got_through(
    slack: Slack,
) -> None:
    # Picked from the list while Liaison was not in it: refused, its alerts passed over. Its
    # name typed once Liaison is in: the greeting that asks is the first to get there, kept.
    slack.fake.add_channel(id="C0ACMEP", name="acme-partnership")
    slack.fake.fail_next("chat.postMessage", error="not_in_channel")
    answer(slack, "channel Acme <#C0ACMEP|acme-partnership>")
    assert posts(slack, "C0ACMEP") == []
    answer(slack, "channel Acme #acme-partnership")
    (hello,) = posts(slack, "C0ACMEP")
    assert "coordination alerts about *Acme Corporation*" in shown(hello)
    assert slack.fake.calls_to("chat.delete") == []
    # Asked again, it is the channel already: that greeting is taken back.
    answer(slack, "channel Acme #acme-partnership")
    assert posts(slack, "C0ACMEP") == [hello]


@pytest.mark.usefixtures("acme")
def test_a_greeting_slack_will_not_take_back_stays_and_the_log_says_why(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    answer(slack, "config channel <#C0PARTNERS|partnerships>")
    slack.fake.fail_next("chat.delete", error="cant_delete_message")
    with caplog.at_level(logging.WARNING):
        said = answer(slack, "config channel #partnerships")
    assert "*Coordination channel* was already *<#C0PARTNERS>*; nothing changed." in said
    assert len(posts(slack, "C0PARTNERS")) == 2  # its words hold either way: chosen there
    assert "taking back a greeting in C0PARTNERS failed: cant_delete_message" in caplog.text


@pytest.mark.usefixtures("acme")
def test_a_partners_channel_asked_about_by_name_stays_with_that_partner(slack: Slack) -> None:
    # QA: after the ack, the answer looked the partner up again by the name typed: another
    # partner going by it meanwhile (the alias taken off one and given to a new partner) got
    # the channel. The partner found at the ack is the one, by its id.
    answer(slack, 'add Globex Corporation aka "Initech"')
    slack.fake.add_channel(id="C0GLOBEX", name="globex")
    answer(slack, "channel Initech <#C0GLOBEX|globex>")
    actor = Actor(TEAM, ANA)

    def meanwhile(message: FakeMessage) -> None:
        if message.channel == "C0GLOBEX" and not message.deleted and not moved:
            moved.append(message)
            registry(slack).remove_aliases(
                actor=actor, partner="Globex Corporation", aliases=["Initech"]
            )
            registry(slack).add(actor=actor, name="Initech")

    moved: list[FakeMessage] = []
    slack.fake.add_listener(meanwhile)
    said = answer(slack, "channel Initech #globex")
    assert moved
    assert "Alerts about *Globex Corporation* already go to <#C0GLOBEX>; nothing changed." in said
    profile = registry(slack).profile(team_id=TEAM, partner="Globex Corporation")
    assert profile.facts.channel_id == "C0GLOBEX"
    assert registry(slack).profile(team_id=TEAM, partner="Initech").facts.channel_id is None


@pytest.mark.usefixtures("acme")
def test_a_partner_merged_away_while_its_channel_is_asked_about_is_said_gone(
    slack: Slack,
) -> None:
    answer(slack, "add Globex")
    slack.fake.add_channel(id="C0GLOBEX", name="globex")
    answer(slack, "channel Globex <#C0GLOBEX|globex>")

    def meanwhile(message: FakeMessage) -> None:
        if message.channel == "C0GLOBEX" and not message.deleted and not merged:
            merged.append(
                registry(slack).merge(actor=Actor(TEAM, ANA), duplicate="Globex", kept="Acme")
            )

    merged: list[object] = []
    slack.fake.add_listener(meanwhile)
    said = answer(slack, "channel Globex #globex")
    assert merged
    assert "That partner is no longer in the registry (merged or removed)" in said


@pytest.mark.usefixtures("acme")
def test_a_partners_channel_takes_the_forms_the_workspaces_takes(slack: Slack) -> None:
    # Typed rather than picked, as `config channel` takes it: posted to by name.
    acme_channel = slack.fake.add_channel(id="C0ACMEP", name="acme-partnership")
    said = answer(slack, "channel Acme #Acme-Partnership")
    assert said.startswith("Alerts about *Acme Corporation* will go to #acme-partnership.")
    assert "post there by name: it must be a public channel" in said
    (hello,) = posts(slack, acme_channel.id)
    assert "coordination alerts about *Acme Corporation*" in shown(hello)
    answer(slack, "log Acme : first", user=BEN)
    answer(slack, "log Acme : second", user=CHLOE)
    deliver_outbox(slack)
    _hello, alert = posts(slack, acme_channel.id)
    assert "Revolving door at Acme Corporation" in shown(alert)
    assert posts(slack) == []  # not #partnerships

    # The same refusals and the same way back, in either verb.
    for line in ("channel Acme #" + "x" * 40, "config channel #" + "x" * 40):
        said = answer(slack, line)
        assert "is a longer name than I can keep: pick the channel from the list" in said
    for line in ("channel Acme #a #b", "config channel #a #b"):
        assert "Give one channel" in answer(slack, line)
    assert "has no channel of its own now" in answer(slack, "channel Acme Default")
    assert "No coordination channel is set here" in answer(slack, "config channel Default")
    row = workspace_row(slack)
    assert row is None or row.coordination_channel is None


@pytest.mark.usefixtures("acme")
def test_a_channel_liaison_cannot_post_in_is_named_to_whoever_chose_it(slack: Slack) -> None:
    said = answer(slack, "config channel #nope")
    assert (
        "I couldn't post in #nope: Slack answered `channel_not_found`. Pick the channel from "
        "the list Slack offers as you type `#`" in said
    )
    assert "The setting stands" in said
    row = workspace_row(slack)
    assert row is not None and row.coordination_channel == "#nope"
    # A partner's own channel is tried the same way; setting it back to one that works is quiet.
    slack.fake.add_channel(id="C0OLD", name="old-acme", is_archived=True)
    said = answer(slack, "channel Acme <#C0OLD|old-acme>")
    assert "I couldn't post in <#C0OLD>: Slack answered `is_archived`" in said
    said = answer(slack, "channel Acme <#C0GENERAL|general>")
    assert said.startswith("Alerts about *Acme Corporation* will go to <#C0GENERAL>.")
    assert "couldn't post" not in said
    (hello,) = posts(slack, "C0GENERAL")
    assert "coordination alerts about *Acme Corporation*" in shown(hello)
    # Chosen again once fixed: greeted again, which shows whether it works now.
    slack.fake.add_channel(id="C0NOPE", name="nope")
    said = answer(slack, "config channel #nope")
    assert "already *#nope*; nothing changed. I'm saying hello there again" in said
    assert "couldn't post" not in said
    (hello,) = posts(slack, "C0NOPE")
    assert "chose this channel" in hello.text


@pytest.mark.usefixtures("acme")
def test_config_says_where_messages_go_while_the_coordination_channel_refuses(
    slack: Slack,
) -> None:
    # QA qa20b s16: `config` named the refusing channel as where everything goes.
    answer(slack, "config channel #nope")
    warning = (
        "Slack refused Liaison's last message in #nope (Slack can't find it, or it is private "
        "and Liaison isn't in it): meanwhile they go to #partnerships, the server's default"
    )
    assert warning in answer(slack, "config channel")
    assert warning in answer(slack, "config")
    assert warning in answer(slack, "config", user="U0BEN")  # everyone may look
    # Chosen again once it works: the greeting goes through, and the warning is gone.
    slack.fake.add_channel(id="C0NOPE", name="nope")
    answer(slack, "config channel #nope")
    assert "refused" not in answer(slack, "config channel")


@pytest.mark.usefixtures("acme")
def test_slack_trouble_while_greeting_a_channel_is_not_called_a_broken_setting(
    slack: Slack,
) -> None:
    slack.fake.fail_next("chat.postMessage", status=503, times=TRIES)
    said = answer(slack, "config channel <#C0GENERAL|general>")
    assert "I couldn't say hello in <#C0GENERAL> just now: Slack answered `http_503`" in said
    assert "Alerts will go there as usual" in said and "The setting stands" not in said
    assert "so I'll try again shortly" in said
    assert posts(slack, "C0GENERAL") == []
    deliver_outbox(slack)  # the outbox tries again
    (hello,) = posts(slack, "C0GENERAL")
    assert "chose this channel" in hello.text


@pytest.mark.usefixtures("acme")
def test_a_greeting_that_could_not_reach_slack_is_sent_by_the_outbox(slack: Slack) -> None:
    # The followup `config channel` runs after the ack, with a client Slack does not answer.
    unreachable = WebClient(token="xoxb-x", base_url="http://127.0.0.1:9/api/", retry_handlers=[])
    respond = Respond(
        response_url=slack.fake.new_response_url(channel_id="C0PARTNERS", user_id=ANA)
    )
    greet = announce_in(slack.runtime, TEAM, "C0GENERAL", "Hello", key="channel_hello:test")
    greet(unreachable, respond)
    assert "I couldn't say hello in <#C0GENERAL> just now: Slack did not answer" in shown(
        last(slack, ANA)
    )
    assert posts(slack, "C0GENERAL") == []
    deliver_outbox(slack)
    (hello,) = posts(slack, "C0GENERAL")
    assert hello.text == "Hello"
    greet(unreachable, respond)  # the same greeting again: queued once
    deliver_outbox(slack)
    assert len(posts(slack, "C0GENERAL")) == 1


@pytest.mark.usefixtures("acme")
def test_working_hours_and_days_decide_when_a_direct_message_goes(slack: Slack) -> None:
    # Wednesday 15:30 in Berlin: inside the default 9–17, so the owner hears at once.
    at(slack, datetime(2026, 11, 25, 14, 30, tzinfo=UTC))
    answer(slack, "log Acme via call : first call", user=BEN)
    deliver_outbox(slack)
    assert len(dms(slack, ANA)) == 1

    assert "*Working hours* are now *7:00–15:00* (was 9:00–17:00)" in answer(
        slack, "config hours 7-15"
    )
    answer(slack, "log Acme via call : second call", user=CHLOE)
    deliver_outbox(slack)
    assert len(dms(slack, ANA)) == 1  # 15:30 is after hours now
    at(slack, datetime(2026, 11, 26, 5, 59, tzinfo=UTC))  # Thursday 06:59 in Berlin
    assert len(dms(slack, ANA)) == 1
    at(slack, datetime(2026, 11, 26, 6, 15, tzinfo=UTC))  # the window's first minutes
    assert "<@U0CHLOE> had a call with *Acme Corporation*" in dms(slack, ANA)[-1].text

    # Thursday is no working day any more: the next message waits for Monday 07:00 in Berlin.
    assert "*Working days* are now *Mon–Wed* (was Mon–Fri)" in answer(slack, "config days mon-wed")
    answer(slack, "log Acme via email : third", user=DAN)
    at(slack, datetime(2026, 11, 27, 12, 0, tzinfo=UTC))
    assert len(dms(slack, ANA)) == 2
    at(slack, datetime(2026, 11, 30, 6, 15, tzinfo=UTC))
    assert "<@U0DAN> emailed *Acme Corporation*" in dms(slack, ANA)[-1].text


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("9am-5pm", "9:00–17:00"),
        ("09:00 – 17:00", "9:00–17:00"),
        ("8 until 16", "8:00–16:00"),
        ("12pm to 6pm", "12:00–18:00"),
        ("12am-8am", "0:00–8:00"),
    ],
)
def test_working_hours_take_the_forms_people_type_for_them(
    slack: Slack, typed: str, shown: str
) -> None:
    """New-user QA: `config hours 9am-5pm` and `09:00 – 17:00` were refused."""
    answer(slack, "config hours 7-15")
    said = answer(slack, f"config hours {typed}")
    assert f"*Working hours* are now *{shown}* (was 7:00–15:00)" in said


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("weekdays", "Mon–Fri"),
        ("Workdays", "Mon–Fri"),
        ("weekends", "Sat, Sun"),
        ("every day", "every day"),
        ("weekdays, sat", "Mon–Sat"),
        # QA: `config hours 9 to 17` was read, `config days monday to friday` refused.
        ("monday to friday", "Mon–Fri"),
        ("Mon through Wed, fri", "Mon, Tue, Wed, Fri"),
        ("tue until thu", "Tue–Thu"),
    ],
)
def test_working_days_take_the_words_people_type_for_them(
    slack: Slack, typed: str, shown: str
) -> None:
    """New-user QA: `config days weekdays` was refused as no day."""
    answer(slack, "config days sun-thu")
    said = answer(slack, f"config days {typed}")
    assert f"*Working days* are now *{shown}* (was Sun–Thu)" in said


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        # QA: `config digest none` is read now, so `config pulse none` is too.
        ("none", "*off* (was monthly)"),
        ("never", "*off* (was monthly)"),
        ("every quarter", "*quarterly* (was monthly)"),
        ("Quarterly", "*quarterly* (was monthly)"),
    ],
)
def test_the_pulse_takes_the_words_people_type_for_it(slack: Slack, typed: str, shown: str) -> None:
    assert f"*Pulse surveys* are now {shown}" in answer(slack, f"config pulse {typed}")


def test_help_config_names_the_digests_forms(slack: Slack) -> None:
    said = answer(slack, "help config")
    assert "the digest's time too (`digest fri 16:00`, `digest friday 4pm`)" in said


@pytest.mark.parametrize("line", ["config help", "config Help", "config ?", "config help window"])
def test_config_help_is_help_config(slack: Slack, line: str) -> None:
    # QA: `config help` was told `help` is not a setting.
    said = answer(slack, line, user=DAN)
    assert said == answer(slack, "help config", user=DAN)
    assert "/partner config window DAYS" in said and "not a setting" not in said


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        # QA: `config hours 9am-5pm` was read, `config digest friday 4pm` refused.
        ("friday 4pm", "Fridays at 16:00"),
        ("fri 4:30 p.m.", "Fridays at 16:30"),
        ("Friday at 16:00", "Fridays at 16:00"),
        ("fridays 16:00", "Fridays at 16:00"),
        ("Fri, 16:00", "Fridays at 16:00"),
        ("16:00 friday", "Fridays at 16:00"),
        ("every tuesday at 9am", "Tuesdays at 09:00"),
        ("wed 16h", "Wednesdays at 16:00"),
        ("sun 12am", "Sundays at 00:00"),
        ("none", "off"),
        ("never", "off"),
    ],
)
def test_the_digest_takes_the_forms_people_type_for_a_day_and_a_time(
    slack: Slack, typed: str, shown: str
) -> None:
    said = answer(slack, f"config digest {typed}")
    assert f"*Weekly digest* is now *{shown}" in said
    assert "(was Mondays at 09:00 UTC)" in said


@pytest.mark.parametrize(
    ("line", "next_one"),
    [
        # Wednesday 09:00 UTC: a moment earlier today waits a week, a later one is today.
        ("config digest wed 08:00", "on Wed 2 Dec at 08:00 (UTC)"),
        ("config digest wed 10:00", "on Wed 25 Nov at 10:00 (UTC)"),
        ("config digest friday 4pm", "on Fri 27 Nov at 16:00 (UTC)"),
        # Monday 09:00, the default, read in the new zone.
        ("config timezone Asia/Tokyo", "on Mon 30 Nov at 09:00 (Asia/Tokyo)"),
    ],
)
@pytest.mark.usefixtures("acme")
def test_a_new_digest_schedule_says_when_the_next_digest_goes(
    slack: Slack, line: str, next_one: str
) -> None:
    """QA: `config digest wed 08:00` typed at 09:00 on a Wednesday did not say that this
    week's moment had passed and the first digest would go a week later."""
    said = answer(slack, line)
    assert f"The next weekly digest is due {next_one};" in said


@pytest.mark.usefixtures("acme")
def test_the_digest_goes_when_the_change_said_it_would(slack: Slack) -> None:
    said = answer(slack, "config digest wed 08:00")  # Wednesday 09:00: this week's has passed
    assert "The next weekly digest is due on Wed 2 Dec at 08:00 (UTC);" in said
    at(slack, datetime(2026, 11, 25, 9, 30, tzinfo=UTC))
    at(slack, datetime(2026, 12, 2, 7, 59, tzinfo=UTC))
    assert not [m for m in posts(slack) if m.text.startswith("Weekly digest")]
    at(slack, datetime(2026, 12, 2, 8, 0, tzinfo=UTC))
    assert [m for m in posts(slack) if m.text.startswith("Weekly digest")]


def test_a_digest_turned_off_or_a_zone_change_without_one_names_no_next_digest(
    slack: Slack,
) -> None:
    assert "next weekly digest" not in answer(slack, "config digest off")
    assert "next weekly digest" not in answer(slack, "config timezone Europe/Berlin")
    assert "next weekly digest" not in answer(slack, "config window 3")


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        # QA: `config window 14 days` was read, `config window 2 weeks` refused.
        ("config window 2 weeks", "*Coordination window* is now *14 days* (was 21 days)"),
        ("config window 1w", "*Coordination window* is now *7 days* (was 21 days)"),
        # QA: `config checkin delay 2` read `delay 2` as the number of hours.
        ("config checkin delay 2", "*Check-in delay* is now *2 hours after the meeting*"),
        ("config Check-in delay 3h", "*Check-in delay* is now *3 hours after the meeting*"),
        ("config check in delay 1 day", "*Check-in delay* is now *24 hours after the meeting*"),
    ],
)
def test_windows_in_weeks_and_delays_in_days_or_named_in_two_words_are_read(
    slack: Slack, line: str, shown: str
) -> None:
    answer(slack, "config window 21")
    assert shown in answer(slack, line)


@pytest.mark.usefixtures("acme")
def test_hours_moved_earlier_bring_forward_what_already_waits(slack: Slack) -> None:
    at(slack, datetime(2026, 11, 25, 19, 0, tzinfo=UTC))  # Wednesday 20:00 in Berlin
    answer(slack, "log Acme via call : an evening call", user=BEN)
    deliver_outbox(slack)
    assert dms(slack, ANA) == []  # it waits for Thursday 09:0x in Berlin
    answer(slack, "config hours 7-15")
    at(slack, datetime(2026, 11, 26, 6, 15, tzinfo=UTC))  # Thursday 07:15 in Berlin
    (note,) = dms(slack, ANA)
    assert "an evening call" in note.text
    # Later hours put back what waits, as before: Thursday 19:00 queues for Friday 11:0x.
    at(slack, datetime(2026, 11, 26, 18, 0, tzinfo=UTC))
    answer(slack, "log Acme via call : a late call", user=BEN)
    answer(slack, "config hours 11-19")
    at(slack, datetime(2026, 11, 27, 9, 59, tzinfo=UTC))  # Friday 10:59 in Berlin
    assert len(dms(slack, ANA)) == 1
    at(slack, datetime(2026, 11, 27, 10, 15, tzinfo=UTC))
    assert "a late call" in dms(slack, ANA)[-1].text


def test_checkins_asked_the_next_working_morning_follow_new_hours_and_days(
    slack: Slack,
) -> None:
    feedback.acme(slack)
    # Monday 17:30 in London: Dan's check-in waits for Tuesday's working morning.
    at(slack, datetime(2026, 11, 30, 17, 30, tzinfo=UTC))
    answer(slack, "log Acme via meeting : late kick-off", user=DAN)
    at(slack, datetime(2026, 11, 30, 22, 0, tzinfo=UTC))
    answer(slack, "config hours 7-15")
    # Due at the new start of his day, and spread over its first minutes as it was at 09:00.
    (question,) = [m for m in feedback.rows(slack, OutboxMessage) if m.kind == "checkin"]
    seven = datetime(2026, 12, 1, 7, tzinfo=UTC)
    assert (question.due_at, question.available_at) == (seven, seven + spread_offset(DAN))
    at(slack, datetime(2026, 12, 1, 7, 15, tzinfo=UTC))  # Tuesday 07:15 in London
    (asked,) = feedback.checkin_messages(slack, DAN)
    assert asked.text == "How did your meeting with *Acme* on Mon 30 Nov go?"

    # Friday 18:00 in London, then on Saturday Sunday becomes a working day: asked then.
    at(slack, datetime(2026, 12, 4, 18, 0, tzinfo=UTC))
    answer(slack, "log Acme via meeting : friday evening", user=DAN)
    at(slack, datetime(2026, 12, 5, 12, 0, tzinfo=UTC))
    answer(slack, "config days sun-thu")
    at(slack, datetime(2026, 12, 6, 7, 30, tzinfo=UTC))  # Sunday 07:30 in London
    assert feedback.checkin_messages(slack, DAN)[-1].text == (
        "How did your meeting with *Acme* on Fri 4 Dec go?"
    )


def test_a_morning_meeting_is_asked_about_when_afternoon_hours_begin_that_day(
    slack: Slack,
) -> None:
    # QA21b NIT 9: asked at the next start of working hours, as `config` now says; not "the
    # next working morning", which with hours 13–17 would have meant tomorrow.
    feedback.acme(slack)
    answer(slack, "log Acme via meeting : kick-off", user=DAN)  # Wednesday 09:00 in London
    said = answer(slack, "config hours 13-17")
    assert "one due outside them waits until they next begin" in said
    assert "morning" not in said
    assert "*Check-in delay:* the next start of working hours" in answer(slack, "config")
    at(slack, datetime(2026, 11, 25, 12, 59, tzinfo=UTC))
    assert feedback.checkin_messages(slack, DAN) == []
    at(slack, datetime(2026, 11, 25, 13, 15, tzinfo=UTC))  # 13:15 in London, the same day
    (asked,) = feedback.checkin_messages(slack, DAN)
    assert asked.text == "How did your meeting with *Acme* on Wed 25 Nov go?"


def test_the_checkin_delay_decides_when_participants_are_asked(slack: Slack) -> None:
    feedback.acme(slack)
    said = answer(slack, "config checkin-delay 2")
    assert "*Check-in delay* is now *2 hours after the meeting*" in said
    answer(slack, "log Acme via meeting : kick-off", user=DAN)  # 09:00 in London
    at(slack, datetime(2026, 11, 25, 10, 59, tzinfo=UTC))
    assert feedback.checkin_messages(slack, DAN) == []
    at(slack, datetime(2026, 11, 25, 11, 1, tzinfo=UTC))  # two hours on, not tomorrow
    (asked,) = feedback.checkin_messages(slack, DAN)
    assert asked.text == "How did your meeting with *Acme* on Wed 25 Nov go?"

    said = answer(slack, "config checkin-delay morning")
    assert "is now *the next start of working hours* (was 2 hours after the meeting)" in said
    assert workspace_row(slack) is not None
    assert workspace_row(slack).checkin_delay_hours is None  # type: ignore[union-attr]


def test_pulse_off_stops_scheduled_rounds(slack: Slack) -> None:
    feedback.acme(slack)
    assert "*Pulse surveys* are now *off* (was monthly)" in answer(slack, "config pulse off")
    feedback.at(slack, datetime(2026, 12, 1, 9, 1, tzinfo=UTC))  # the first working Tuesday
    assert feedback.rows(slack, SurveyRound) == []
    answer(slack, "config pulse monthly")
    feedback.at(slack, datetime(2026, 12, 1, 9, 2, tzinfo=UTC))
    assert len(feedback.rows(slack, SurveyRound)) == 1


def test_the_time_zone_decides_when_a_scheduled_round_starts(slack: Slack) -> None:
    feedback.acme(slack)
    said = answer(slack, "config timezone asia/tokyo")
    assert "*Time zone* is now *Asia/Tokyo* (was UTC)" in said
    # Tuesday 1 December, 09:00 in Tokyo: still Monday evening in UTC.
    feedback.at(slack, datetime(2026, 11, 30, 23, 59, tzinfo=UTC))
    assert feedback.rows(slack, SurveyRound) == []
    feedback.at(slack, datetime(2026, 12, 1, 0, 1, tzinfo=UTC))
    assert len(feedback.rows(slack, SurveyRound)) == 1


def test_anonymity_hides_a_round_with_fewer_answers(slack: Slack) -> None:
    assert "is now *at least 4 answers*" in answer(slack, "config anonymity 4")
    feedback.surveyed(slack)
    feedback.at(slack, START.replace(hour=14, minute=20))  # Ben's morning in New York
    feedback.at(slack, START.replace(day=26, hour=0, minute=20))  # Chloe's in Tokyo
    names = ("one", "two", "three", "four", "five")
    for user in (DAN, ANA, BEN):
        for message in feedback.questions(slack, user)[-4:]:
            feedback.react(slack, user, message, names[3])

    feedback.at(slack, datetime(2026, 12, 2, 9, 5, tzinfo=UTC))  # five working days later
    (report,) = [m for m in posts(slack) if "Pulse results" in shown(m)]
    text = shown(report)
    assert "has closed: 3 of 4 answered (75%)" in text
    assert "Not enough answers to show results; at least 4" in text
    assert "/ 5" not in text


# --- One workspace's settings are its own ---------------------------------------------------


@pytest.mark.usefixtures("acme")
def test_a_change_in_one_workspace_leaves_another_as_it_was(slack: Slack) -> None:
    answer(slack, "config window 3")
    answer(slack, "config admins <@U0DAN|dan>")
    # The other workspace's own admin: Slack tells its install that she belongs to it.
    slack.fake.add_user(id="U0OTA", name="ota", is_admin=True, team_id=OTHER_TEAM)
    other = command_in(slack, OTHER_TEAM, "config", user="U0OTA")
    assert "*Coordination window:* 14 days" in other
    assert "named here nobody" in other

    assert "is now *30 days*" in command_in(slack, OTHER_TEAM, "config window 30", user="U0OTA")
    assert "*Coordination window:* 3 days" in answer(slack, "config window", user=BEN)
    row = workspace_row(slack, OTHER_TEAM)
    assert row is not None and row.window_days == 30

    # What collides in the first workspace still follows its own 3 days.
    answer(slack, "log Acme on 2026-11-20 : five days ago", user=BEN)
    assert "Others are in touch" not in answer(slack, "log Acme : today", user=CHLOE)


def test_the_ack_carries_the_answer_and_nothing_is_queued(slack: Slack) -> None:
    answer(slack, "config")  # Slack told Liaison that Ana is an admin; that holds for a day
    delivery = slack.command("config hours 8-18")
    assert delivery.json is not None and "are now *8:00–18:00*" in delivery.json["text"]
    with Session(slack.runtime.engine) as session:
        assert session.exec(select(OutboxMessage)).all() == []


def test_a_bot_or_app_named_an_admin_is_refused_as_one(slack: Slack) -> None:
    """QA: `config admins @liaison` said "@liaison is not a member of this workspace"."""
    said = answer(slack, f"config admins <@{slack.fake.bot_user_id}|liaison>")
    assert (
        f"<@{slack.fake.bot_user_id}> is Liaison itself: a bot or an app can't be an admin" in said
    )
    assert "*Example:* `/partner config admins" in said
    slack.fake.add_user(id="U0OTHERBOT", name="otherbot", is_bot=True)
    said = answer(slack, "config admins <@U0OTHERBOT|otherbot>")
    assert "<@U0OTHERBOT> is not a member of this workspace" in said
    assert "or is a bot or an app: only colleagues can be Liaison's admins." in said
    assert listed_admins(slack) == []


def test_the_digest_alone_and_the_settings_card_say_when_the_next_digest_is_due(
    slack: Slack,
) -> None:
    """QA: `config digest` alone and the settings card did not say when the next one goes."""
    answer(slack, "list")  # Ana's profile, a Slack admin's, is cached
    due = "The next weekly digest is due on Mon 30 Nov at 09:00 (UTC)"
    said = answer(slack, "config digest", user=BEN)
    assert "*Weekly digest:* Mondays at 09:00 UTC" in said
    assert due in said
    assert due in answer(slack, "config", user=BEN)
    answer(slack, "config digest off")
    assert "next weekly digest" not in answer(slack, "config digest", user=BEN)
    assert "next weekly digest" not in answer(slack, "config", user=BEN)


def test_a_digest_moment_before_the_first_partner_is_not_named_as_due(slack: Slack) -> None:
    """QA h3: a new workspace's admin looking at `config` on Monday at 16:00 read "The next
    weekly digest is due on Mon 30 Nov at 09:00": that morning's, which the planner passes
    over, as it does every moment before the first partner was registered."""
    at(slack, datetime(2026, 11, 30, 16, 0, tzinfo=UTC))
    due = "The next weekly digest is due on Mon 7 Dec at 09:00 (UTC)"
    assert due in answer(slack, "config")
    assert due in answer(slack, "config digest")
    assert "due on Mon 7 Dec at 09:00 (Europe/London)" in answer(
        slack, "config timezone Europe/London"
    )
    answer(slack, "config timezone UTC")
    answer(slack, "add Acme")
    at(slack, datetime(2026, 11, 30, 16, 5, tzinfo=UTC))
    assert due in answer(slack, "config", user=BEN)
    assert not [m for m in posts(slack) if m.text.startswith("Weekly digest")]


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        (
            "GMT",
            "`GMT` is a fixed time with no summer time, not the zone of a place: wherever summer "
            "time is kept (in London, Paris, New York), it is an hour off all summer. Did you "
            "mean `Europe/London`, `Europe/Dublin`, `Europe/Lisbon` or `UTC`? Type `/partner "
            "config timezone Europe/London` (or another of them): a place's zone keeps its "
            "summer time, if it has one, by itself.",
        ),
        (
            "cet",
            "`cet` is an old name kept for old systems, not the zone of a place: its summer time "
            "need not be the one a place keeps. Did you mean `Europe/Paris`, `Europe/Berlin` or "
            "`Europe/Rome`? Type `/partner config timezone Europe/Paris` (or another of them)",
        ),
        ("EET", "Did you mean `Europe/Athens`, `Europe/Helsinki` or `Europe/Bucharest`?"),
        ("WET", "Did you mean `Europe/Lisbon` or `Atlantic/Canary`?"),
        ("MET", "Did you mean `Europe/Paris`"),
        ("Greenwich", "`Greenwich` is a fixed time with no summer time"),
        ("HST", "Did you mean `Pacific/Honolulu`? Type `/partner config timezone Pacific/Hon"),
        ("EST5EDT", "`EST5EDT` is an old name kept for old systems"),
        ("EST", "Type `/partner config timezone America/New_York`: a place's zone keeps"),
        ("MST", "Did you mean `America/Denver` or `America/Phoenix`?"),
        ("localtime", "`localtime` is not a time zone I know."),
    ],
)
def test_an_old_zone_name_or_an_abbreviation_is_refused_with_the_zones_of_places_it_means(
    slack: Slack, typed: str, said: str
) -> None:
    # QA: `config timezone GMT` (and CET) was taken: a London team was an hour off all summer.
    answered = answer(slack, f"config timezone {typed}")
    assert said in answered
    assert "*Syntax:*" in answered and "*Example:* `/partner config" in answered
    assert workspace_row(slack) is None  # nothing saved


@pytest.mark.parametrize(
    ("saved", "note"),
    [
        (
            "GMT",
            "`GMT` has no summer time. Type `/partner config timezone Europe/London` (or another "
            "of them): a place's zone keeps its summer time, if it has one, by itself.",
        ),
        (
            "CET",
            "`CET` is an old name whose summer time need not be a place's. Type `/partner config "
            "timezone Europe/Paris` (or another of them)",
        ),
    ],
)
def test_a_zone_saved_before_old_names_were_refused_is_shown_with_the_line_to_type(
    slack: Slack, saved: str, note: str
) -> None:
    # A workspace that saved GMT (or CET) before `config timezone` refused them keeps it: its
    # settings say what is amiss with it, and what to type.
    answer(slack, "config window 14")  # the workspace's row
    with Session(slack.runtime.engine) as session:
        row = session.get(Workspace, TEAM)
        assert row is not None
        row.timezone = saved
        session.add(row)
        session.commit()
    card = answer(slack, "config")
    assert f"*Time zone:* {saved}" in card and note in card
    assert "has no summer time" not in answer(slack, "config timezone Europe/Berlin")
    assert "summer time" not in answer(slack, "config")


def test_an_old_zone_name_is_kept_as_its_zones_name_and_the_answer_says_so(slack: Slack) -> None:
    # QA: `CET` was refused as an old name, but `Asia/Calcutta` was kept as typed.
    said = answer(slack, "config timezone Asia/Calcutta")
    assert "*Time zone* is now *Asia/Kolkata* (was UTC)." in said
    assert "`Asia/Calcutta` is an old name of `Asia/Kolkata`, the same time" in said
    row = workspace_row(slack)
    assert row is not None and row.timezone == "Asia/Kolkata"
    assert "old name" not in answer(slack, "config timezone Europe/Kyiv")


def test_utc_is_taken_as_it_is_typed(slack: Slack) -> None:
    for typed, taken in (("Etc/UTC", "Etc/UTC"), ("Etc/GMT-2", "Etc/GMT-2"), ("utc", "UTC")):
        assert f"*Time zone* is now *{taken}*" in answer(slack, f"config timezone {typed}")
    row = workspace_row(slack)
    assert row is not None and row.timezone == "UTC"
