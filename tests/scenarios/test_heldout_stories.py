"""Held-out colleague stories of the revolving door, beside `test_colleague_stories.py`: what
a partnership manager expects each person and channel to receive when colleagues log, plan,
intend and check, told through signed `/partner` requests, clicks and form submissions, the
fake Slack over HTTP and the scheduler's tick.

The clock starts on Wednesday 25 Nov 2026, 09:00 UTC: 10:00 for Ana (Berlin, admin, owner of
Acme Corporation), 04:00 for Ben (New York), 18:00 for Chloe (Tokyo), 09:00 for Dan (London).
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.config import Settings
from bot.sandbox.fake_slack import FakeMessage, FakeSlack
from bot.sandbox.requests import Deliverer, RequestFactory, SlackRequest
from handlers.blocks import touchpoints as blocks
from storage.models import Collision, Touchpoint, TouchpointKind
from tests.conftest import Slack
from tests.scenarios.test_colleague_stories import retried
from tests.scenarios.test_partners import ANA, BEN, CHLOE, DAN, answer, click, last, shown
from tests.scenarios.test_touchpoints import acme as acme  # noqa: F401 (the fixture)
from tests.scenarios.test_touchpoints import (
    alerts,
    at,
    collision_count,
    deliver_outbox,
    dms,
    form_values,
    open_log_form,
    partner_id,
    posts,
    submit,
    touchpoints,
)

WARNED = ":warning: *Others are in touch with"


def about(slack: Slack, user: str, words: str) -> list[FakeMessage]:
    """The direct messages `user` received that mention `words`."""
    return [m for m in dms(slack, user) if words in m.text]


def question_to(slack: Slack, user: str) -> FakeMessage:
    (question,) = [m for m in dms(slack, user) if "would like to reach out" in m.text]
    return question


# --- Intents: the deputy, weekends, time zones ------------------------------------------------


@pytest.mark.usefixtures("acme")
def test_the_deputys_answer_while_the_owner_is_away_reaches_the_asker_in_her_morning(
    slack: Slack,
) -> None:
    answer(slack, "deputy Acme <@U0DAN|dan>")
    answer(slack, "away today to friday")
    said = answer(slack, "intend Acme : ask about the event", user=CHLOE)
    assert "I've asked <@U0DAN>, who covers for the owner <@U0ANA> while away" in said
    deliver_outbox(slack)
    question = question_to(slack, DAN)
    assert "You're asked because you cover for <@U0ANA>" in question.text
    click(slack, DAN, question, "intent_talk_first")
    assert "<@U0DAN> answered *Let's talk first* — I'm letting <@U0CHLOE> know" in shown(question)
    at(slack, datetime(2026, 11, 26, 1, 0, tzinfo=UTC))  # 10:00 in Tokyo
    (reply,) = about(slack, CHLOE, "ask about the event")
    assert "<@U0DAN>, for *Acme Corporation*, would like to *talk first*" in reply.text
    assert "Message <@U0DAN> to find a moment" in reply.text
    # The owner away is not bothered; whoever checks sees the deputy's answer.
    assert about(slack, ANA, "ask about the event") == []
    brief = answer(slack, "check Acme", user=BEN)
    assert "“ask about the event” — <@U0DAN> answered “Let's talk first”" in brief
    # No go-ahead follows a day later: the deputy answered.
    at(slack, datetime(2026, 11, 27, 14, 0, tzinfo=UTC))
    assert [m for m in dms(slack, CHLOE) if "No answer from" in m.text] == []


@pytest.mark.usefixtures("acme")
def test_an_intent_on_friday_afternoon_lapses_on_monday_not_over_the_weekend(
    slack: Slack,
) -> None:
    at(slack, datetime(2026, 11, 27, 15, 0, tzinfo=UTC))  # Fri 16:00 in Berlin, 10:00 in NY
    said = answer(slack, "intend Acme : ask about the gala", user=BEN)
    assert "If there is no answer by Mon 30 Nov at 10:00, you may go ahead" in said
    deliver_outbox(slack)
    question_to(slack, ANA)
    for saturday_to_monday in (
        datetime(2026, 11, 28, 16, 0, tzinfo=UTC),
        datetime(2026, 11, 29, 16, 0, tzinfo=UTC),
        datetime(2026, 11, 30, 14, 59, tzinfo=UTC),
    ):
        at(slack, saturday_to_monday)
        assert about(slack, BEN, "No answer from") == [], saturday_to_monday
    at(slack, datetime(2026, 11, 30, 15, 1, tzinfo=UTC))  # Mon 16:00 in Berlin, 10:00 in NY
    (lapsed,) = about(slack, BEN, "No answer from")
    assert "No answer from <@U0ANA> within a working day" in lapsed.text
    assert "“ask about the gala”" in lapsed.text and "so you may go ahead" in lapsed.text


def test_an_intent_for_an_owner_in_tokyo_waits_for_her_monday_then_her_working_day(
    slack: Slack,
) -> None:
    answer(slack, "add Globex owner <@U0CHLOE|chloe>")
    answer(slack, "show Globex", user=BEN)
    # Friday 10:00 in New York is Saturday midnight in Tokyo.
    at(slack, datetime(2026, 11, 27, 15, 0, tzinfo=UTC))
    said = answer(slack, "intend Globex : ask about the gala", user=BEN)
    assert "I'll ask the owner <@U0CHLOE> to acknowledge or redirect when their working day" in said
    deliver_outbox(slack)
    assert about(slack, CHLOE, "gala") == []  # her Saturday
    at(slack, datetime(2026, 11, 30, 0, 30, tzinfo=UTC))  # Mon 09:30 in Tokyo
    question = question_to(slack, CHLOE)
    assert "<@U0BEN> would like to reach out to *Globex*" in question.text
    at(slack, datetime(2026, 11, 30, 23, 0, tzinfo=UTC))  # Tue 08:00 in Tokyo: not yet
    assert about(slack, BEN, "No answer from") == []
    at(slack, datetime(2026, 12, 1, 0, 30, tzinfo=UTC))  # Tue 09:30 in Tokyo: lapsed
    assert "may go ahead" in shown(question)
    assert about(slack, BEN, "No answer from") == []  # Mon 19:30 in New York: after hours
    at(slack, datetime(2026, 12, 1, 14, 30, tzinfo=UTC))  # Tue 09:30 in New York
    (lapsed,) = about(slack, BEN, "No answer from")
    assert "No answer from <@U0CHLOE> within a working day" in lapsed.text


# --- The window as an admin sets it -----------------------------------------------------------


@pytest.mark.usefixtures("acme")
def test_config_window_7_makes_day_7_a_collision_and_day_8_not(slack: Slack) -> None:
    assert "*Coordination window* is now *7 days*" in answer(slack, "config window 7")
    answer(slack, "log Acme on 2026-11-18 via call : a week ago", user=BEN)
    said = answer(slack, "plan Acme on 2026-11-26 : day 8", user=CHLOE)
    assert WARNED not in said
    said = answer(slack, "log Acme via email : day 7", user=DAN)
    assert WARNED in said
    assert "<@U0BEN> had a call with them on Wed 18 Nov" in said
    assert "<@U0CHLOE> plans to meet them tomorrow" in said
    deliver_outbox(slack)
    (alert,) = alerts(slack)
    assert "<@U0DAN>" in shown(alert) and "<@U0BEN>" in shown(alert)
    assert collision_count(slack) == 2  # Dan–Ben, Dan–Chloe; not Ben–Chloe
    # Widened again, Ben and Chloe, 8 days apart, were in the window all along: the next
    # contact with them both is news to nobody new, and their old pair is not re-alerted.
    answer(slack, "config window 14")
    said = answer(slack, "log Acme via call : back to the default", user=BEN)
    assert "<@U0CHLOE>" in said


# --- The partner as people type it, and as it comes to be known -------------------------------


@pytest.mark.usefixtures("acme")
def test_an_alias_added_later_makes_its_contacts_the_partners(slack: Slack) -> None:
    answer(slack, "log Acme via call : pitched", user=BEN)
    said = answer(slack, "log Roadrunner Supplies via email : deck", user=CHLOE)
    assert "I don't know a partner called “Roadrunner Supplies”" in said
    assert len(touchpoints(slack)) == 1
    answer(slack, 'alias Acme add "Roadrunner Supplies"')
    said = answer(slack, "log roadrunner supplies via email : deck", user=CHLOE)
    assert "Logged your email to *Acme Corporation*" in said
    assert WARNED in said and "<@U0BEN> had a call with them" in said
    brief = answer(slack, "check Roadrunner Supplies, Inc.", user=DAN)
    assert "Before you reach out: Acme Corporation" in brief
    assert "<@U0CHLOE> emailed them" in brief and "<@U0BEN> had a call with them" in brief
    deliver_outbox(slack)
    (alert,) = alerts(slack)
    assert "Revolving door at Acme Corporation" in shown(alert)


def test_oxfam_as_gb_misspelt_and_shouted_is_one_revolving_door(slack: Slack) -> None:
    answer(slack, 'add Oxfam International aka "Oxfam GB"')
    for user in (BEN, CHLOE, DAN):
        answer(slack, "show oxfam gb", user=user)
    said = answer(slack, "log oxfam gb with Jane Doe via meeting : intro", user=BEN)
    assert "Logged your meeting with *Oxfam International* today at 04:00 with Jane Doe" in said
    said = answer(slack, "plan Oxfm on friday with jane doe : follow-up", user=CHLOE)
    assert "I don't know a partner called “Oxfm”. Did you mean" in said
    assert len(touchpoints(slack)) == 1
    message = last(slack, CHLOE)
    click(slack, CHLOE, message, "partner_pick_0")
    picked = shown(message)
    assert "Planned your meeting with *Oxfam International* on Fri 27 Nov" in picked
    assert "with Jane Doe — *the same contact person*" in picked
    said = answer(slack, "intend OXFAM GB : ask about the gala", user=DAN)
    assert "*Coordinate with <@U0BEN> and <@U0CHLOE>*" in said
    assert "thread of the latest alert in #partnerships" in said
    brief = answer(slack, "check oxfam-gb", user=DAN)
    assert "Before you reach out: Oxfam International" in brief
    assert "<@U0CHLOE> plans to meet them on Fri 27 Nov" in brief
    deliver_outbox(slack)
    (alert,) = alerts(slack)
    assert "Revolving door at Oxfam International" in shown(alert)
    (reply,) = slack.fake.thread(alert)
    assert "<@U0DAN>" in shown(reply)
    assert collision_count(slack) == 3


# --- Team, contacts -------------------------------------------------------------------------


@pytest.mark.usefixtures("acme")
def test_a_member_taken_off_the_team_collides_again_and_one_added_stops_colliding(
    slack: Slack,
) -> None:
    answer(slack, "team Acme add <@U0DAN|dan>")
    answer(slack, "log Acme via meeting : owner's meeting")
    assert WARNED not in answer(slack, "log Acme via call : member's call", user=DAN)
    answer(slack, "team Acme remove <@U0DAN|dan>")
    said = answer(slack, "plan Acme on friday : dan on his own now", user=DAN)
    assert WARNED in said and "<@U0ANA> met them today" in said
    # Ben is taken on: his contacts and the owner's are the team's business now.
    answer(slack, "team Acme add <@U0BEN|ben>")
    said = answer(slack, "log Acme via email : ben joins the team", user=BEN)
    assert "<@U0ANA>" not in said.split("Coordinate with", 1)[-1].split("before")[0]
    assert "<@U0DAN>" in said
    deliver_outbox(slack)
    texts = [shown(a) for a in alerts(slack)]
    assert len(texts) == 1 and "<@U0DAN>" in texts[0] and "<@U0ANA>" in texts[0]


@pytest.mark.usefixtures("acme")
def test_the_same_contact_person_named_in_the_form_and_on_the_command_line(slack: Slack) -> None:
    answer(slack, "log Acme with Dr. Jane Doe via meeting : intro", user=BEN)
    view = open_log_form(slack, CHLOE)
    submit(
        slack,
        view,
        CHLOE,
        partner=partner_id(slack, "Acme Corporation"),
        medium="call",
        day="2026-11-24",
        contact="jane doe",
        notes="pricing questions",
    )
    said = shown(last(slack, CHLOE))
    assert "Logged your call with *Acme Corporation* yesterday with" in said
    assert "<@U0BEN> met them today" in said and "*the same contact person*" in said
    deliver_outbox(slack)
    (alert,) = alerts(slack)
    # One person, as the partner's contacts know her.
    assert "<@U0CHLOE> had a call with them on Tue 24 Nov with Dr. Jane Doe" in shown(alert)
    assert "with Dr. Jane Doe — *the same contact person*" in shown(alert)


# --- Where alerts go --------------------------------------------------------------------------


@pytest.mark.usefixtures("acme")
def test_alerts_go_to_the_partners_channel_else_the_workspaces_else_the_default(
    slack: Slack,
) -> None:
    answer(slack, 'add Globex aka "GBX"')
    answer(slack, "config channel <#C0GENERAL|general>")
    slack.fake.add_channel(id="C0ACME", name="acme-partner")
    answer(slack, "channel Acme <#C0ACME|acme-partner>")
    answer(slack, "log Acme : ben on acme", user=BEN)
    assert "I've posted this in <#C0ACME>" in answer(slack, "log Acme : chloe on acme", user=CHLOE)
    answer(slack, "log GBX : ben on globex", user=BEN)
    said = answer(slack, "log Globex : chloe on globex", user=CHLOE)
    assert "I've posted this in <#C0GENERAL> and mentioned the owner <@U0ANA>" in said
    deliver_outbox(slack)
    acme_alerts = [m for m in posts(slack, "C0ACME") if "Revolving door" in m.text]
    globex_alerts = [m for m in posts(slack, "C0GENERAL") if "Revolving door" in m.text]
    assert len(acme_alerts) == 1 and "Acme Corporation" in acme_alerts[0].text
    assert len(globex_alerts) == 1 and "Globex" in globex_alerts[0].text
    assert [m for m in posts(slack) if "Revolving door" in m.text] == []  # not #partnerships


@pytest.mark.usefixtures("acme")
def test_a_second_partners_collision_the_same_day_is_its_own_alert_not_a_thread(
    slack: Slack,
) -> None:
    answer(slack, "add Globex")
    answer(slack, "log Acme : ben on acme", user=BEN)
    answer(slack, "log Acme : chloe on acme", user=CHLOE)
    deliver_outbox(slack)
    slack.runtime.clock.advance(timedelta(hours=2))  # type: ignore[attr-defined]
    answer(slack, "log Globex : ben on globex", user=BEN)
    said = answer(slack, "log Globex : dan on globex", user=DAN)
    assert "I've posted this in #partnerships" in said and "thread" not in said
    # And a third colleague on Acme that afternoon goes under Acme's alert.
    slack.runtime.clock.advance(timedelta(hours=2))  # type: ignore[attr-defined]
    said = answer(slack, "log Acme : dan on acme", user=DAN)
    assert "thread of the latest alert in #partnerships" in said
    deliver_outbox(slack)
    acme_alert, globex_alert = alerts(slack)
    assert "Revolving door at Acme Corporation" in shown(acme_alert)
    assert "Revolving door at Globex" in shown(globex_alert)
    assert slack.fake.thread(globex_alert) == []
    (reply,) = slack.fake.thread(acme_alert)
    assert "<@U0DAN>" in shown(reply) and "Globex" not in shown(reply)


class TestWithoutADefaultChannel:
    """No LIAISON_DEFAULT_CHANNEL and no `config channel`: nowhere to post the alert."""

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return replace(settings, default_channel=None)

    @pytest.mark.usefixtures("acme")
    def test_the_caller_is_warned_and_the_owner_hears_of_both(self, slack: Slack) -> None:
        answer(slack, "log Acme : ben's chat", user=BEN)
        said = answer(slack, "log Acme : chloe's chat", user=CHLOE)
        assert WARNED in said and "*Coordinate with <@U0BEN>*" in said
        # Exactly true: no alert went out, but the owner does hear of both (QA NIT).
        assert (
            "No coordination channel is set, so I posted no alert: an admin can set one with "
            "`/partner config channel #channel`." in said
        )
        assert "nobody else" not in said.lower()
        deliver_outbox(slack)
        assert posts(slack) == [] and posts(slack, "C0GENERAL") == []
        (note,) = about(slack, ANA, "chloe's chat")
        assert "<@U0BEN> was in touch with them" in shown(note)
        assert collision_count(slack) == 1


# --- Slack sending the same thing again -------------------------------------------------------


def again(request: SlackRequest, times: int = 2) -> list[SlackRequest]:
    return [request, *(retried(request, number) for number in range(1, times + 1))]


@pytest.mark.usefixtures("acme")
def test_a_retried_go_ahead_click_tells_the_asker_once(slack: Slack) -> None:
    answer(slack, "intend Acme : offer a sponsorship", user=BEN)
    deliver_outbox(slack)
    question = question_to(slack, ANA)
    click_request = slack.requests.block_action(
        user_id=ANA, action_id="intent_go_ahead", message=question
    )
    for one in again(click_request):
        assert slack.deliver.send(one).status == 200
    slack.runtime.drain()
    at(slack, datetime(2026, 11, 25, 14, 30, tzinfo=UTC))  # Ben's morning
    assert len(about(slack, BEN, "offer a sponsorship")) == 1
    assert question.text.count("answered *Go ahead*") == 1


@pytest.mark.usefixtures("acme")
def test_a_retried_form_submission_logs_once_and_alerts_once(slack: Slack) -> None:
    answer(slack, "log Acme via call : earlier", user=CHLOE)
    view = open_log_form(slack, BEN)
    request = slack.requests.view_submission(
        user_id=BEN,
        view=view,
        values=form_values(
            partner=partner_id(slack, "Acme Corporation"),
            medium="meeting",
            day="2026-11-24",
            contact="Jane Doe",
            notes="met at their office",
        ),
    )
    for one in again(request):
        assert slack.deliver.send(one).status == 200
    slack.runtime.drain()
    assert len(touchpoints(slack)) == 2
    assert collision_count(slack) == 1
    deliver_outbox(slack)
    assert len(alerts(slack)) == 1
    assert len(about(slack, ANA, "met at their office")) == 1


# --- A plan that happens ----------------------------------------------------------------------


@pytest.mark.usefixtures("acme")
def test_a_plan_logged_when_it_happened_is_one_contact_and_no_new_alert(slack: Slack) -> None:
    answer(slack, "plan Acme on friday 15:00 with Jane Doe : pilot scope", user=BEN)
    said = answer(slack, "log Acme via call with John Roe : pricing", user=CHLOE)
    # Friday 15:00 in New York, told in Tokyo's time.
    assert "<@U0BEN> plans to meet them on Sat 28 Nov at 05:00 with Jane Doe" in said
    deliver_outbox(slack)
    (alert,) = alerts(slack)
    at(slack, datetime(2026, 11, 27, 21, 0, tzinfo=UTC))  # Fri 16:00 in New York
    said = answer(slack, "log Acme with Jane Doe via meeting : scoped the pilot", user=BEN)
    assert "Logged your meeting with *Acme Corporation* today" in said
    assert WARNED not in said
    deliver_outbox(slack)
    assert alerts(slack) == [alert] and slack.fake.thread(alert) == []
    brief = answer(slack, "check Acme", user=DAN)
    lately = brief.split("*Lately*", 1)[1].split("*Planned*", 1)[0]
    assert lately.count("<@U0BEN>") == 1 and "<@U0BEN> met them today" in lately
    planned = brief.split("*Planned*", 1)[1].split('"}', 1)[0]
    assert "Nothing planned" in planned
    assert [t.kind for t in touchpoints(slack)].count(TouchpointKind.DONE) >= 2


# --- Before reaching out ----------------------------------------------------------------------


def section(brief: str, heading: str) -> str:
    return brief.split(f"*{heading}", 1)[1].split('"}', 1)[0]


@pytest.mark.usefixtures("acme")
def test_check_briefs_on_the_last_three_contacts_plans_and_everyones_open_intents(
    slack: Slack,
) -> None:
    answer(slack, "log Acme on 2026-11-16 via event : met at the summit", user=DAN)
    answer(slack, "log Acme on 2026-11-19 via email : sent the deck", user=CHLOE)
    answer(slack, "log Acme on 2026-11-23 with Jane Doe via meeting : intro")
    answer(slack, "log Acme on yesterday via call : follow-up", user=BEN)
    answer(slack, "plan Acme on 2026-12-03 10:00 : workshop", user=CHLOE)
    answer(slack, "intend Acme : offer a sponsorship", user=BEN)
    answer(slack, "intend Acme : invite them to the gala", user=DAN)
    deliver_outbox(slack)
    (question, *_) = [m for m in dms(slack, ANA) if "offer a sponsorship" in m.text]
    click(slack, ANA, question, "intent_go_ahead")
    brief = answer(slack, "check Acme", user=CHLOE)
    assert "*Last contact*\\nyesterday by <@U0BEN>" in brief
    assert section(brief, "Lately") == (
        "*\\n• <@U0BEN> had a call with them yesterday"
        "\\n• <@U0ANA> met them on Mon 23 Nov with Jane Doe"
        "\\n• You emailed them on Thu 19 Nov"
        "\\nAlso in touch in the last 14 days: <@U0DAN> (event, Mon 16 Nov)."
    )  # the last three, and Dan, in touch within the window, named below them
    assert "You plan to meet them on Thu 3 Dec at 10:00" in section(brief, "Planned")
    intents = section(brief, "Intents")
    assert (
        "<@U0DAN> intends to reach out to them (since today): “invite them to the gala” — "
        "waiting for <@U0ANA>"
    ) in intents
    assert (
        "<@U0BEN> intends to reach out to them (since today): “offer a sponsorship” — "
        "<@U0ANA> answered “Go ahead”"
    ) in intents
    assert "give <@U0ANA> a heads-up first with `/partner intend Acme Corporation" in brief


@pytest.mark.usefixtures("acme")
@pytest.mark.parametrize(("days_ago", "collides"), [(14, True), (15, False)])
def test_an_intent_14_days_old_still_collides_one_15_days_old_does_not(
    slack: Slack, days_ago: int, collides: bool
) -> None:
    answer(slack, "intend Acme : offer a sponsorship", user=BEN)
    at(slack, datetime(2026, 11, 25, 9, 0, tzinfo=UTC) + timedelta(days=days_ago))
    said = answer(slack, "log Acme via call : pitched the pilot", user=CHLOE)
    assert (WARNED in said) is collides
    assert ("<@U0BEN> intends to reach out" in said) is collides
    assert ("offer a sponsorship" in answer(slack, "check Acme", user=DAN)) is collides


@pytest.mark.usefixtures("acme")
def test_the_owner_hears_of_an_outsiders_plan_not_of_her_teams(slack: Slack) -> None:
    answer(slack, "team Acme add <@U0DAN|dan>")
    said = answer(slack, "plan Acme on friday : dan's visit", user=DAN)
    assert "let its owner" not in said
    said = answer(slack, "plan Acme on monday : ben's visit", user=BEN)
    assert WARNED in said and "<@U0DAN> plans to meet them on Fri 27 Nov" in said
    assert "You're not on the team of *Acme Corporation*, so I've let its owner <@U0ANA>" in said
    deliver_outbox(slack)
    assert about(slack, ANA, "dan's visit") == []
    (note,) = about(slack, ANA, "ben's visit")
    assert "<@U0BEN> has planned to meet *Acme Corporation* on Mon 30 Nov" in note.text
    # An outsider's intent reaches her as one question, not also as a note.
    answer(slack, "intend Acme : ask about the gala", user=CHLOE)
    deliver_outbox(slack)
    assert len(about(slack, ANA, "ask about the gala")) == 1


# --- Bad input: said plainly, nothing saved ---------------------------------------------------


@pytest.mark.usefixtures("acme")
@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("log Acme on tomorrow via call : x", "is in the future"),
        ("log Acme on 2026-11-25 23:00 via call : later tonight", "is in the future"),
        ("plan Acme on today 03:00 : early call", "is in the past"),  # 04:00 in New York
        ("plan Acme on 2026-11-24 : x", "is in the past"),
        ("log Acme on 2026-02-30 : x", "2026-02-30"),
        ("plan Acme on 31 Nov : x", "31 Nov"),
        ("log Acme : " + "é" * 3001, "The notes are 3,001 characters long"),
        ("plan Acme on friday with Jane Doe", "Put a `:` before the purpose"),
        ("log Acme via call with Jane Doe", "`:`"),
    ],
)
def test_more_bad_lines_are_answered_and_nothing_is_saved_or_sent(
    slack: Slack, line: str, problem: str
) -> None:
    answer(slack, "log Acme via call : chloe's earlier call", user=CHLOE)
    deliver_outbox(slack)
    before = len(dms(slack, ANA))
    said = answer(slack, line, user=BEN)
    assert problem in said and "*Example:*" in said
    assert WARNED not in said
    assert len(touchpoints(slack)) == 1 and collision_count(slack) == 0
    deliver_outbox(slack)
    assert posts(slack) == [] and len(dms(slack, ANA)) == before


@pytest.mark.usefixtures("acme")
def test_notes_of_exactly_3000_characters_are_taken(slack: Slack) -> None:
    said = answer(slack, "log Acme via call : " + "x" * 3000, user=BEN)
    assert "Logged your call with *Acme Corporation*" in said
    (logged,) = touchpoints(slack)
    assert logged.notes == "x" * 3000


@pytest.mark.usefixtures("acme")
@pytest.mark.parametrize(
    ("fields", "field", "said"),
    [
        ({"day": "2026-11-26", "notes": "tomorrow's call"}, blocks.DATE_FIELD, "still to come"),
        ({"notes": "y" * 3001}, blocks.NOTES_FIELD, "3,001"),
    ],
)
def test_a_bad_form_points_at_its_field_and_saves_nothing(
    slack: Slack, fields: dict[str, str], field: str, said: str
) -> None:
    answer(slack, "log Acme via call : chloe's earlier call", user=CHLOE)
    view = open_log_form(slack, BEN)
    submit(
        slack,
        view,
        BEN,
        partner=partner_id(slack, "Acme Corporation"),
        medium="call",
        **fields,
    )
    assert set(view.errors or {}) == {field}
    assert said in (view.errors or {})[field]
    assert len(touchpoints(slack)) == 1 and collision_count(slack) == 0
    assert slack.fake.open_modals(BEN) == [view]


# --- Days, hours and weekends -----------------------------------------------------------------


@pytest.mark.usefixtures("acme")
def test_a_weekend_collision_is_alerted_at_once_and_the_owners_notes_wait_for_monday(
    slack: Slack,
) -> None:
    at(slack, datetime(2026, 11, 27, 15, 0, tzinfo=UTC))  # Fri 16:00 in Berlin
    answer(slack, "log Acme via call : friday call", user=CHLOE)
    deliver_outbox(slack)
    (friday,) = about(slack, ANA, "friday call")
    at(slack, datetime(2026, 11, 28, 12, 0, tzinfo=UTC))  # Saturday
    said = answer(slack, "log Acme via email : saturday email", user=BEN)
    assert WARNED in said and "<@U0CHLOE> had a call with them yesterday" in said
    deliver_outbox(slack)
    (alert,) = alerts(slack)
    assert "<@U0BEN>" in shown(alert) and "<@U0CHLOE>" in shown(alert)
    assert about(slack, ANA, "saturday email") == []
    at(slack, datetime(2026, 11, 29, 16, 0, tzinfo=UTC))  # Sunday
    assert about(slack, ANA, "saturday email") == []
    at(slack, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))  # Mon 10:00 in Berlin
    (monday,) = about(slack, ANA, "saturday email")
    assert "<@U0BEN> emailed *Acme Corporation* on Sat 28 Nov at 13:00" in monday.text


@pytest.mark.usefixtures("acme")
def test_with_a_sunday_to_thursday_week_an_intent_on_thursday_lapses_on_sunday(
    slack: Slack,
) -> None:
    assert "*Working days* are now *Sun–Thu*" in answer(slack, "config days sun-thu")
    at(slack, datetime(2026, 11, 26, 14, 0, tzinfo=UTC))  # Thu 15:00 in Berlin
    said = answer(slack, "intend Acme : ask about the gala", user=BEN)
    assert "If there is no answer by Sun 29 Nov at 09:00, you may go ahead" in said
    at(slack, datetime(2026, 11, 27, 14, 30, tzinfo=UTC))  # Friday: nobody's working day
    assert about(slack, BEN, "No answer from") == []
    at(slack, datetime(2026, 11, 29, 14, 30, tzinfo=UTC))  # Sun 09:30 in New York
    (lapsed,) = about(slack, BEN, "No answer from")
    assert "within a working day" in lapsed.text


@pytest.mark.usefixtures("acme")
def test_a_colleague_just_inside_the_day_goes_into_the_thread_one_just_after_starts_anew(
    slack: Slack,
) -> None:
    slack.fake.add_user(id="U0EVE", name="eve", real_name="Eve", tz="UTC")
    answer(slack, "show Acme", user="U0EVE")
    answer(slack, "log Acme : ben's chat", user=BEN)
    answer(slack, "log Acme : chloe's chat", user=CHLOE)
    deliver_outbox(slack)
    (first,) = alerts(slack)
    slack.runtime.clock.advance(timedelta(hours=23, minutes=59))  # type: ignore[attr-defined]
    assert "thread of the latest alert" in answer(slack, "log Acme : dan's chat", user=DAN)
    slack.runtime.clock.advance(timedelta(minutes=2))  # type: ignore[attr-defined]
    said = answer(slack, "log Acme : eve's chat", user="U0EVE")
    assert "I've posted this in #partnerships" in said and "thread" not in said
    deliver_outbox(slack)
    first_again, second = alerts(slack)
    assert first_again.ts == first.ts
    (reply,) = slack.fake.thread(first)
    assert "<@U0DAN>" in shown(reply)
    assert "<@U0EVE>" in shown(second) and "<@U0DAN>" in shown(second)
    assert collision_count(slack) == 1 + 2 + 3


# --- Lines as people type them ----------------------------------------------------------------


@pytest.mark.usefixtures("acme")
def test_a_date_typed_after_the_kind_without_on_is_the_contacts_date(slack: Slack) -> None:
    # "`via call yesterday`: say `via meeting`, `via call`, …" answered a `via call` typed right.
    answer(slack, "log Acme on yesterday via email : chloe's deck", user=CHLOE)
    said = answer(slack, "log Acme via call yesterday : pitched the pilot", user=BEN)
    assert "Logged your call with *Acme Corporation* yesterday." in said
    assert WARNED in said and "<@U0CHLOE> emailed them yesterday" in said
    said = answer(slack, "plan Acme via call friday 14:00 : follow-up", user=DAN)
    assert "Planned your call with *Acme Corporation* on Fri 27 Nov at 14:00." in said
    # Without its `:`, the line is shown again with one, the date kept.
    said = answer(slack, "log Acme via meeting last monday", user=DAN)
    assert "Put a `:` before the notes" in said and "via meeting last monday : " in said
    # After a day, a time is that day's.
    said = answer(slack, "plan Acme on monday via call 11:00 : pricing", user=CHLOE)
    assert "Planned your call with *Acme Corporation* on Mon 30 Nov at 11:00." in said
    # Two dates are still two.
    said = answer(slack, "log Acme via call yesterday on last monday : x", user=DAN)
    assert "That gives two dates, `yesterday` and `on last monday`, and a contact has one" in said
    assert [t.notes for t in touchpoints(slack)] == [
        "chloe's deck",
        "pitched the pilot",
        "follow-up",
        "pricing",
    ]


@pytest.mark.usefixtures("acme")
def test_a_date_typed_after_the_people_met_is_the_date_not_a_person(slack: Slack) -> None:
    # Logged today, with a contact person "Jane Doe yesterday" (and one called "yesterday")
    # added to the partner's contacts.
    answer(slack, "log Acme on yesterday via email : chloe's deck", user=CHLOE)
    said = answer(slack, "log Acme with Jane Doe yesterday via call : pitched", user=BEN)
    assert "Logged your call with *Acme Corporation* yesterday with Jane Doe." in said
    assert WARNED in said
    said = answer(slack, "log Acme with <@U0ANA|ana> last monday : dinner", user=DAN)
    assert "Logged your contact with *Acme Corporation* on Mon 23 Nov" in said
    assert "together with <@U0ANA>" in said
    said = answer(slack, "plan Acme with Jane Doe friday 14:00 : follow-up", user=BEN)
    assert "Planned your meeting with *Acme Corporation* on Fri 27 Nov at 14:00 with Jane Doe" in (
        said
    )
    # A person whose name reads as a day is named in quotes.
    said = answer(slack, 'log Acme with "Jo Sunday" via call : intro', user=DAN)
    assert "with Jo Sunday." in said
    contacts = answer(slack, "contacts Acme", user=DAN)
    assert "*Jane Doe*" in contacts and "*Jo Sunday*" in contacts
    assert "yesterday" not in contacts and "monday" not in contacts.lower()
    assert "2 contacts at Acme Corporation" in contacts
    said = answer(slack, "plan Acme on monday with Jane Doe 15:00 : demo", user=BEN)
    assert "Planned your meeting with *Acme Corporation* on Mon 30 Nov at 15:00 with Jane Doe" in (
        said
    )
    # With an `on` clause as well, the line has two dates.
    said = answer(slack, "log Acme with Jane Doe yesterday on last monday : x", user=DAN)
    assert "That gives two dates, `yesterday` and `on last monday`" in said
    assert len(touchpoints(slack)) == 6


@pytest.mark.usefixtures("acme")
def test_the_owners_check_says_which_intents_wait_for_her_and_what_she_answered(
    slack: Slack,
) -> None:
    answer(slack, "intend Acme : one", user=BEN)
    answer(slack, "intend Acme : two", user=CHLOE)
    answer(slack, "intend Acme : three", user=DAN)
    deliver_outbox(slack)
    (three,) = about(slack, ANA, "“three”")
    click(slack, ANA, three, "intent_handle_it")
    intents = section(answer(slack, "check Acme"), "Intents")
    assert "<@U0DAN> intends to reach out to them (since today): “three” — you answered" in intents
    assert "“two” — waiting for you" in intents and "“one” — waiting for you" in intents
    assert "<@U0ANA>" not in intents
    # Anyone else reads who answered and whom they wait for.
    intents = section(answer(slack, "check Acme", user=BEN), "Intents")
    assert "“three” — <@U0ANA> answered “I'll handle it”" in intents
    assert "“two” — waiting for <@U0ANA>" in intents


def test_slack_retries_to_a_real_liaison_serve_log_once_and_alert_once(
    served: str, fake_slack: FakeSlack, engine: Engine
) -> None:
    requests = RequestFactory(fake_slack)
    deliver = Deliverer(fake_slack, url=f"{served}/slack/events")

    def command(user: str, text: str) -> SlackRequest:
        return requests.slash_command(user_id=user, channel_id="C0PARTNERS", text=text)

    assert deliver.send(command(ANA, "add Acme")).status == 200
    # The served process has no LIAISON_DEFAULT_CHANNEL: the partner's own channel is set (in
    # the command's answer; `config channel` answers after asking Slack who may).
    chosen = deliver.send(command(ANA, "channel Acme <#C0GENERAL|general>"))
    assert "Alerts about *Acme* will go to" in str(chosen.json)
    assert deliver.send(command(BEN, "log Acme via call : hello")).status == 200
    request = command(CHLOE, "log Acme via email : hi")
    answers = [deliver.send(one) for one in again(request, times=3)]
    assert [one.status for one in answers] == [200] * 4
    assert all("*Coordinate with <@U0BEN>*" in str(one.json) for one in answers)
    fake_slack.wait_until(
        lambda: any("Revolving door at Acme" in m.text for m in fake_slack.messages), timeout=30
    )
    with Session(engine) as session:
        assert len(session.exec(select(Touchpoint)).all()) == 2
        assert len(session.exec(select(Collision)).all()) == 1
    time.sleep(1.5)  # the served scheduler's next passes post nothing more
    assert sum("Revolving door at Acme" in m.text for m in fake_slack.messages) == 1


@pytest.mark.usefixtures("acme")
def test_the_owner_asked_about_an_intent_sees_who_else_is_in_touch_before_answering(
    slack: Slack,
) -> None:
    answer(slack, "log Acme with Jane Doe via call : ben's call", user=BEN)
    said = answer(slack, "intend Acme : chloe's idea", user=CHLOE)
    assert "*Coordinate with <@U0BEN>*" in said
    assert "I've asked the owner <@U0ANA> to acknowledge or redirect" in said
    deliver_outbox(slack)
    question = question_to(slack, ANA)
    assert "<@U0CHLOE> would like to reach out to *Acme Corporation*: “chloe's idea”" in (
        question.text
    )
    assert "*Also in touch within the coordination window:*\\n• <@U0BEN> had a call with them" in (
        shown(question)
    )
    (alert,) = alerts(slack)
    assert "<@U0CHLOE> intends to reach out to them" in shown(alert)
    click(slack, ANA, question, "intent_handle_it")
    at(slack, datetime(2026, 11, 26, 1, 0, tzinfo=UTC))  # Chloe's morning
    (reply,) = about(slack, CHLOE, "chloe's idea")
    assert "<@U0ANA>, for *Acme Corporation*, will handle it" in reply.text
    # Handled by the owner, Chloe's intent is no contact of hers: Dan meets only Ben.
    said = answer(slack, "log Acme via email : dan's note", user=DAN)
    assert "<@U0BEN>" in said and "<@U0CHLOE>" not in said


@pytest.mark.usefixtures("acme")
def test_an_intent_asked_of_a_deputy_in_tokyo_lapses_on_her_working_days(slack: Slack) -> None:
    answer(slack, "deputy Acme <@U0CHLOE|chloe>")
    answer(slack, "away 2026-11-27 to 2026-12-04")
    at(slack, datetime(2026, 11, 27, 15, 0, tzinfo=UTC))  # Fri 10:00 NY, Sat 00:00 Tokyo
    said = answer(slack, "intend Acme : ask about the gala", user=BEN)
    assert "<@U0CHLOE>, who covers for the owner <@U0ANA> while away" in said
    at(slack, datetime(2026, 11, 29, 12, 0, tzinfo=UTC))  # Sunday
    assert about(slack, CHLOE, "ask about the gala") == []
    at(slack, datetime(2026, 11, 30, 0, 30, tzinfo=UTC))  # Mon 09:30 in Tokyo
    question = question_to(slack, CHLOE)
    assert "You're asked because you cover for <@U0ANA>" in question.text
    at(slack, datetime(2026, 11, 30, 23, 0, tzinfo=UTC))  # Tue 08:00 in Tokyo
    assert about(slack, BEN, "No answer from") == []
    at(slack, datetime(2026, 12, 1, 14, 30, tzinfo=UTC))  # Tue 09:30 in New York
    (lapsed,) = about(slack, BEN, "No answer from")
    assert "No answer from <@U0CHLOE> within a working day" in lapsed.text
    assert about(slack, ANA, "ask about the gala") == []  # the owner away is not bothered
