"""Colleague stories of the revolving door, told as a partnership manager would: each one a few
signed `/partner` commands through the real app, and what every person and channel received.

The clock starts on Wednesday 25 Nov 2026, 09:00 UTC: 10:00 for Ana (Berlin, admin, owner of
Acme Corporation), 04:00 for Ben (New York), 18:00 for Chloe (Tokyo), 09:00 for Dan (London).
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest

from bot.sandbox.requests import SlackRequest
from tests.conftest import Slack
from tests.scenarios.test_commitments import command_in
from tests.scenarios.test_partners import ANA, BEN, CHLOE, DAN, answer, click, last, shown
from tests.scenarios.test_touchpoints import acme as acme  # noqa: F401 (the fixture)
from tests.scenarios.test_touchpoints import (
    alerts,
    at,
    collision_count,
    deliver_outbox,
    dms,
    posts,
    touchpoints,
)

WARNED = ":warning: *Others are in touch with Acme Corporation:*"


def later(slack: Slack, **delta: float) -> None:
    slack.runtime.clock.advance(timedelta(**delta))  # type: ignore[attr-defined]


def thread_texts(slack: Slack) -> list[str]:
    """The replies in the thread of the channel's first alert, as shown."""
    (first, *_) = alerts(slack)
    return [shown(reply) for reply in slack.fake.thread(first)]


# --- The revolving door: three colleagues in one week ---------------------------------------


@pytest.mark.usefixtures("acme")
def test_three_colleagues_pitching_within_a_day_are_one_alert_and_its_thread(
    slack: Slack,
) -> None:
    answer(slack, "log Acme via call : pitched the pilot", user=BEN)
    said = answer(slack, "log Acme via email : sent our deck", user=CHLOE)
    assert WARNED in said and "*Coordinate with <@U0BEN>*" in said
    later(slack, hours=6)
    said = answer(slack, "intend Acme : offer a sponsorship", user=DAN)
    assert "*Coordinate with <@U0BEN> and <@U0CHLOE>*" in said
    assert "thread of the latest alert in #partnerships" in said
    deliver_outbox(slack)
    (alert,) = alerts(slack)
    assert "Revolving door at Acme Corporation" in shown(alert)
    (reply,) = thread_texts(slack)
    assert "<@U0DAN>" in reply and "<@U0BEN>" in reply and "<@U0CHLOE>" in reply
    assert collision_count(slack) == 3  # Ben–Chloe, Dan–Ben, Dan–Chloe, each once
    # Each of them following up is no news: nothing more in the channel.
    for user in (BEN, CHLOE, DAN):
        said = answer(slack, "log Acme via call : following up", user=user)
        assert WARNED not in said, user
    deliver_outbox(slack)
    assert len(posts(slack)) == 2


def revolving_doors(slack: Slack) -> list[str]:
    """The channel's collision alerts (not its digest), as shown."""
    return [shown(m) for m in alerts(slack) if "Revolving door at" in m.text]


@pytest.mark.usefixtures("acme")
def test_a_third_colleague_days_later_is_a_new_alert_naming_the_two_before(slack: Slack) -> None:
    answer(slack, "log Acme via call : pitched the pilot", user=BEN)  # Wed
    later(slack, days=2)
    answer(slack, "log Acme via email : sent our deck", user=CHLOE)  # Fri: the first alert
    deliver_outbox(slack)
    later(slack, days=3)
    said = answer(slack, "plan Acme on thursday 10:00 : sponsorship pitch", user=DAN)  # Mon
    assert "*Coordinate with <@U0CHLOE> and <@U0BEN>*" in said
    deliver_outbox(slack)
    # More than a day after the first alert, Dan's stands on its own: his plan is the news,
    # Ben's and Chloe's contacts what it collides with.
    first, second = revolving_doors(slack)
    assert "<@U0CHLOE> and <@U0BEN> are both in contact" in first and "<@U0DAN>" not in first
    assert "<@U0DAN> plans to meet them" in second
    assert "<@U0CHLOE> emailed them" in second and "<@U0BEN> had a call with them" in second
    assert collision_count(slack) == 3  # Ben–Chloe once, Dan with each once


# --- The window: day 14 and day 15, both ways, plans ahead ----------------------------------


@pytest.mark.usefixtures("acme")
@pytest.mark.parametrize(("day", "collides"), [("2026-12-09", True), ("2026-12-10", False)])
def test_a_plan_made_first_is_met_by_a_log_14_days_before_it_not_15(
    slack: Slack, day: str, collides: bool
) -> None:
    answer(slack, f"plan Acme on {day} 10:00 : ben's visit", user=BEN)
    said = answer(slack, "log Acme via call : dan's call", user=DAN)
    assert (WARNED in said) is collides
    if collides:
        assert "<@U0BEN> plans to meet them on " in said
    deliver_outbox(slack)
    assert len(alerts(slack)) == (1 if collides else 0)


@pytest.mark.usefixtures("acme")
@pytest.mark.parametrize(
    ("first", "second", "collides"),
    [
        ("2026-12-01", "2026-12-15", True),
        ("2026-12-01", "2026-12-16", False),
        ("2026-12-15", "2026-12-01", True),
        ("2026-12-16", "2026-12-01", False),
    ],
)
def test_two_plans_ahead_collide_14_days_apart_in_either_order(
    slack: Slack, first: str, second: str, collides: bool
) -> None:
    answer(slack, f"plan Acme on {first} : ben's visit", user=BEN)
    said = answer(slack, f"plan Acme on {second} : chloe's visit", user=CHLOE)
    assert (WARNED in said) is collides
    assert collision_count(slack) == int(collides)


@pytest.mark.usefixtures("acme")
@pytest.mark.parametrize(("logged", "collides"), [("2026-11-18", True), ("2026-11-17", False)])
def test_a_plan_a_week_ahead_meets_a_call_a_week_back_14_days_apart_not_15(
    slack: Slack, logged: str, collides: bool
) -> None:
    answer(slack, f"log Acme on {logged} via call : ben's call", user=BEN)
    said = answer(slack, "plan Acme on 2026-12-02 : chloe's visit", user=CHLOE)
    assert ("<@U0BEN> had a call with them on " in said) is collides
    deliver_outbox(slack)
    assert len(alerts(slack)) == int(collides)


# --- The partner as people type it ----------------------------------------------------------


@pytest.mark.usefixtures("acme")
@pytest.mark.parametrize(
    "typed",
    [
        "acme corporation",
        "ACME CORPORATION",
        "acme",
        "Acme Corporation.",
        "Acme Corporation, Inc.",
        "“Acme Corporation”",
        "the Acme Corporation",
    ],
)
def test_one_partner_however_it_is_typed_is_one_revolving_door(slack: Slack, typed: str) -> None:
    answer(slack, "log Acme Corporation via call : pitched", user=BEN)
    said = answer(slack, f"log {typed} via email : deck", user=CHLOE)
    assert "Logged your email to *Acme Corporation*" in said, said
    assert WARNED in said


def test_names_with_the_accents_or_dots_typed_or_left_out_are_one_partner(slack: Slack) -> None:
    answer(slack, "add The Body Shop")
    answer(slack, 'add Médecins Sans Frontières aka "MSF"')
    answer(slack, "log body shop via call : a", user=BEN)
    said = answer(slack, "log The Body Shop, via call : b", user=CHLOE)
    assert "Logged your call with *The Body Shop*" in said and "<@U0BEN>" in said
    answer(slack, "log medecins sans frontieres via call : c", user=BEN)
    said = answer(slack, "log M.S.F. via call : d", user=CHLOE)
    assert "Logged your call with *Médecins Sans Frontières*" in said and "<@U0BEN>" in said
    said = answer(slack, "log msf: e", user=DAN)
    assert "*Coordinate with <@U0BEN> and <@U0CHLOE>*" in said
    assert collision_count(slack) == 4  # Ben–Chloe at each, Dan with both at MSF


@pytest.mark.usefixtures("acme")
def test_a_misspelt_partner_picked_from_did_you_mean_collides_like_the_real_name(
    slack: Slack,
) -> None:
    answer(slack, "log Acme via call : pitched", user=BEN)
    said = answer(slack, "log Acme Corportion via email : deck", user=CHLOE)
    assert "I don't know a partner called “Acme Corportion”. Did you mean" in said
    assert len(touchpoints(slack)) == 1
    message = last(slack, CHLOE)
    click(slack, CHLOE, message, "partner_pick_0")
    picked = shown(message)
    assert "Logged your email to *Acme Corporation*" in picked
    assert "<@U0BEN>" in picked
    deliver_outbox(slack)
    assert len(alerts(slack)) == 1


# --- Team, contacts, participants -----------------------------------------------------------


@pytest.mark.usefixtures("acme")
def test_the_deputy_and_a_member_coordinate_among_themselves_an_outsider_is_alerted(
    slack: Slack,
) -> None:
    answer(slack, "deputy Acme <@U0CHLOE|chloe>")
    answer(slack, "team Acme add <@U0DAN|dan>")
    answer(slack, "log Acme via call : the deputy's call", user=CHLOE)
    said = answer(slack, "plan Acme on friday : the member's visit", user=DAN)
    assert WARNED not in said
    deliver_outbox(slack)
    assert posts(slack) == []
    said = answer(slack, "log Acme via email : an outsider writes", user=BEN)
    assert WARNED in said
    assert "<@U0CHLOE>" in said and "<@U0DAN>" in said
    deliver_outbox(slack)
    (alert,) = alerts(slack)
    assert "<@U0BEN>" in shown(alert) and "<@U0ANA>" in shown(alert)
    assert collision_count(slack) == 2


@pytest.mark.usefixtures("acme")
def test_an_outsider_taking_a_member_along_coordinates_with_the_team_the_owner_is_told(
    slack: Slack,
) -> None:
    # Dan is on Acme's team: Ben, who brought him, went through the team (rule 4), so Ana's call
    # that day is no revolving door; she still hears that someone outside the team met Acme.
    answer(slack, "team Acme add <@U0DAN|dan>")
    answer(slack, "log Acme via call : owner's call")
    said = answer(slack, "log Acme with <@U0DAN|dan> via meeting : ben brought dan", user=BEN)
    assert WARNED not in said
    assert "You're not on the team of *Acme Corporation*, so I've let its owner <@U0ANA> know" in (
        said
    )
    # Chloe, alone, is the revolving door: with Ana's call and with Ben's meeting.
    said = answer(slack, "log Acme via email : chloe alone", user=CHLOE)
    assert WARNED in said and "*Coordinate with <@U0ANA>, <@U0BEN> and <@U0DAN>*" in said
    assert collision_count(slack) == 2


@pytest.mark.usefixtures("acme")
def test_other_people_at_the_partner_are_not_the_same_contact(slack: Slack) -> None:
    answer(slack, "log Acme with Jane Doe via meeting : intro", user=BEN)
    said = answer(slack, "log Acme with John Roe via call : intro", user=CHLOE)
    assert WARNED in said and "the same contact person" not in said
    said = answer(slack, "plan Acme on friday with JANE DOE : follow-up", user=DAN)
    assert "with Jane Doe — *the same contact person*" in said
    assert "with John Roe — *the same contact person*" not in said


@pytest.mark.usefixtures("acme")
def test_a_meeting_with_a_colleague_along_is_theirs_too(slack: Slack) -> None:
    answer(slack, "log Acme with <@U0CHLOE|chloe> via meeting : joint pitch", user=BEN)
    # Chloe logging her own call later is not a collision with a meeting she was in.
    said = answer(slack, "log Acme via call : chloe's follow-up", user=CHLOE)
    assert WARNED not in said
    said = answer(slack, "plan Acme on friday : dan's visit", user=DAN)
    assert WARNED in said
    assert "<@U0BEN> (with <@U0CHLOE>) met them today" in said
    deliver_outbox(slack)
    (alert,) = alerts(slack)
    assert "<@U0DAN>" in shown(alert) and "<@U0BEN>" in shown(alert)


# --- The owner away ---------------------------------------------------------------------------


@pytest.mark.usefixtures("acme")
def test_the_owner_away_the_partners_deputy_covers_before_the_one_named_for_the_absence(
    slack: Slack,
) -> None:
    answer(slack, "deputy Acme <@U0CHLOE|chloe>")
    said = answer(slack, "away today to friday deputy <@U0DAN|dan>")
    assert "go to each partner's deputy, or else <@U0DAN>" in said
    said = answer(slack, "log Acme via call : while ana is away", user=BEN)
    assert (
        "its owner <@U0ANA> is away, so I'll let <@U0CHLOE>, who covers for them, know when "
        "their working day begins" in said
    )
    at(slack, datetime(2026, 11, 26, 1, 0, tzinfo=UTC))  # 10:00 in Tokyo, Chloe's morning
    assert dms(slack, ANA) == [] and dms(slack, DAN) == []
    (note,) = [m for m in dms(slack, CHLOE) if "while ana is away" in m.text]
    assert "<@U0BEN> had a call with *Acme Corporation*" in note.text


# --- Intents ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("acme")
def test_an_intent_answered_go_ahead_still_warns_the_next_colleague(slack: Slack) -> None:
    answer(slack, "intend Acme : offer a sponsorship", user=BEN)
    deliver_outbox(slack)
    (question,) = dms(slack, ANA)
    click(slack, ANA, question, "intent_go_ahead")
    said = answer(slack, "log Acme via call : pitched the pilot", user=CHLOE)
    assert WARNED in said and "<@U0BEN> intends to reach out to them" in said
    deliver_outbox(slack)
    assert len(alerts(slack)) == 1


@pytest.mark.usefixtures("acme")
def test_an_intent_left_unanswered_still_warns_the_next_colleague(slack: Slack) -> None:
    answer(slack, "intend Acme : offer a sponsorship", user=BEN)
    at(slack, datetime(2026, 11, 26, 14, 30, tzinfo=UTC))  # lapsed, Ben told to go ahead
    (lapsed,) = dms(slack, BEN)
    assert "No answer from <@U0ANA> within a working day" in lapsed.text
    said = answer(slack, "log Acme via call : pitched the pilot", user=CHLOE)
    assert WARNED in said and "<@U0BEN> intends to reach out to them" in said


# --- Slack retries ----------------------------------------------------------------------------


def retried(request: SlackRequest, number: int) -> SlackRequest:
    """The same request as Slack sends it again after a timeout."""
    headers = {
        **request.headers,
        "X-Slack-Retry-Num": str(number),
        "X-Slack-Retry-Reason": "http_timeout",
    }
    return SlackRequest(body=request.body, headers=headers, kind=request.kind)


@pytest.mark.usefixtures("acme")
@pytest.mark.parametrize(
    "line", ["log Acme via meeting : once", "plan Acme on friday : once", "intend Acme : once"]
)
def test_a_slack_retry_with_its_retry_header_records_once_and_alerts_once(
    slack: Slack, line: str
) -> None:
    answer(slack, "log Acme via call : earlier", user=CHLOE)
    request = slack.requests.slash_command(user_id=BEN, channel_id="C0PARTNERS", text=line)
    first = slack.deliver.send(request)
    second = slack.deliver.send(retried(request, 1))
    third = slack.deliver.send(retried(request, 2))
    slack.runtime.drain()
    assert first.status == second.status == third.status == 200
    assert len(touchpoints(slack)) == 2
    assert collision_count(slack) == 1
    deliver_outbox(slack)
    assert len(posts(slack)) == 1
    asked = [m for m in dms(slack, ANA) if "would like to reach out" in m.text]
    assert len(asked) == (1 if line.startswith("intend") else 0)


@pytest.mark.usefixtures("acme")
def test_slack_retries_arriving_while_the_first_is_handled_record_once(slack: Slack) -> None:
    answer(slack, "log Acme via call : earlier", user=CHLOE)
    request = slack.requests.slash_command(
        user_id=BEN, channel_id="C0PARTNERS", text="log Acme via meeting : once"
    )
    sent = [request, retried(request, 1), retried(request, 2)]
    start = threading.Barrier(len(sent))
    statuses: list[int] = []

    def send(one: SlackRequest) -> None:
        start.wait()
        statuses.append(slack.deliver.send(one).status)

    threads = [threading.Thread(target=send, args=(one,)) for one in sent]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    slack.runtime.drain()
    assert statuses == [200] * len(sent)
    assert len(touchpoints(slack)) == 2
    assert collision_count(slack) == 1
    deliver_outbox(slack)
    assert len(posts(slack)) == 1


# --- Workspaces -------------------------------------------------------------------------------


def test_two_workspaces_with_a_partner_of_the_same_name_do_not_collide(slack: Slack) -> None:
    answer(slack, "add Acme")
    command_in(slack, "T0OTHER", "add Acme")
    answer(slack, "log Acme via call : here", user=BEN)
    said = command_in(slack, "T0OTHER", "log Acme via call : there", user=CHLOE)
    assert "Logged your call with *Acme*" in said and "Others are in touch" not in said
    said = answer(slack, "log Acme via email : here again", user=DAN)
    assert "<@U0BEN>" in said and "<@U0CHLOE>" not in said
    brief = command_in(slack, "T0OTHER", "check Acme", user=DAN)
    assert "<@U0CHLOE>" in brief and "<@U0BEN>" not in brief
    assert collision_count(slack) == 1
    deliver_outbox(slack)
    (alert,) = alerts(slack)
    assert "<@U0CHLOE>" not in json.dumps(alert.blocks)


# --- Who may be named as taking part ----------------------------------------------------------


@pytest.mark.usefixtures("acme")
def test_liaison_or_an_app_named_as_taking_part_is_said_to_be_no_colleague(slack: Slack) -> None:
    # QA h1: `with @liaison` answered that Liaison "is not a member of this workspace".
    bot = slack.fake.bot_user_id
    said = answer(slack, f"log Acme with <@{bot}|liaison> via call : pitched", user=BEN)
    assert f"<@{bot}> is Liaison itself. `with @…` names colleagues who took part" in said
    assert "name people at the partner without `@` (`with Jane Doe`)" in said
    assert "*Example:*" in said and "not a member" not in said
    slack.fake.add_user(id="U0ZOOM", name="zoom", real_name="Zoom", tz="UTC", is_bot=True)
    said = answer(slack, "plan Acme on friday with <@U0ZOOM|zoom> : pitch", user=BEN)
    assert "<@U0ZOOM> is not a colleague here: a bot or an app, or an account that is" in said
    assert touchpoints(slack) == []


@pytest.mark.usefixtures("acme")
def test_an_outsider_who_took_a_team_member_along_is_the_one_said_to_be_outside_the_team(
    slack: Slack,
) -> None:
    # Dan, outside Acme's team, takes Ben, on it, to a meeting. The owner's note said of them
    # both "They are not on its team", which Ben is.
    answer(slack, "team Acme add <@U0BEN|ben>")
    answer(slack, "log Acme with <@U0BEN|ben> via meeting : dan took ben along", user=DAN)
    deliver_outbox(slack)
    (note,) = [m for m in dms(slack, ANA) if "dan took ben along" in m.text]
    assert "<@U0DAN> (with <@U0BEN>) met *Acme Corporation*" in note.text
    assert "<@U0DAN> is not on its team, and you own *Acme Corporation*" in note.text
    assert "They are not on its team" not in note.text


@pytest.mark.usefixtures("acme")
def test_the_channel_alert_dates_contacts_on_the_workspaces_calendar(slack: Slack) -> None:
    # The workspace counts its days in Berlin. Chloe, in Tokyo, plans a call at 08:00 on Tue 8
    # Dec: 00:00 that Tuesday in Berlin, the day the window counts. The alert's text (what
    # notifications and clients without Slack's date tokens show) said "Mon 7 Dec at 23:00
    # UTC", a day the window did not count.
    answer(slack, "config timezone Europe/Berlin")
    answer(slack, "log Acme via call : pitched the pilot", user=BEN)
    answer(slack, "plan Acme on 2026-12-08 08:00 via call : follow-up", user=CHLOE)
    deliver_outbox(slack)
    (alert,) = alerts(slack)
    said = shown(alert)
    assert "on Tue 8 Dec at 00:00 CET" in said, said
    assert "on Wed 25 Nov at 10:00 CET" in said  # Ben's call, at 09:00 UTC
    assert "UTC" not in said


@pytest.mark.usefixtures("acme")
def test_once_the_partner_has_its_own_channel_the_days_later_alerts_thread_there(
    slack: Slack,
) -> None:
    # Ben and Chloe set off an alert in #partnerships; Ana gives Acme its own channel, #general.
    # Dan's contact the same day is a new alert there, and Eve's, later that day, belongs in
    # its thread: it was another new top-level alert, the day's first alert (in #partnerships)
    # being the only one looked for to thread on.
    slack.fake.add_user(id="U0EVE", name="eve", real_name="Eve", tz="Europe/London")
    answer(slack, "log Acme via call : ben's call", user=BEN)
    answer(slack, "log Acme via email : chloe's email", user=CHLOE)
    answer(slack, "channel Acme <#C0GENERAL|general>")
    answer(slack, "log Acme via email : dan's email", user=DAN)
    later(slack, hours=2)
    said = answer(slack, "log Acme via call : eve's call", user="U0EVE")
    assert "thread of the latest alert in <#C0GENERAL>" in said, said
    deliver_outbox(slack)
    on_top = [m for m in posts(slack, "C0GENERAL") if m.thread_ts in (None, m.ts)]
    (dans,) = [m for m in on_top if "Revolving door" in m.text]
    (eves,) = [shown(m) for m in slack.fake.thread(dans) if m.ts != dans.ts]
    assert "Another colleague in touch with *Acme Corporation*" in eves
    assert len(alerts(slack)) == 1  # #partnerships: the first alert alone
