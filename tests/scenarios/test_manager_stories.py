"""More colleague stories of the revolving door, as a partnership manager tells them, beside
`test_colleague_stories.py` and `test_heldout_stories.py`: signed `/partner` commands and clicks
through the real app, the outbox delivered to the fake Slack over HTTP by the scheduler's tick,
and what every person and channel received.

The clock starts on Wednesday 25 Nov 2026, 09:00 UTC: 10:00 for Ana (Berlin, admin, owner of
Acme Corporation), 04:00 for Ben (New York), 18:00 for Chloe (Tokyo), 09:00 for Dan (London).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.sandbox.fake_slack import FakeMessage
from tests.conftest import Slack
from tests.scenarios.test_colleague_stories import retried
from tests.scenarios.test_heldout_stories import about
from tests.scenarios.test_partners import ANA, BEN, CHLOE, DAN, answer, click, last, shown
from tests.scenarios.test_touchpoints import acme as acme  # noqa: F401 (the fixture)
from tests.scenarios.test_touchpoints import (
    at,
    collision_count,
    deliver_outbox,
    dms,
    posts,
    touchpoints,
)

WARNED = ":warning: *Others are in touch with"
EVE = "U0EVE"


def revolving_doors(slack: Slack, channel: str = "C0PARTNERS") -> list[FakeMessage]:
    """The channel's top-level collision alerts."""
    return [
        m
        for m in posts(slack, channel)
        if m.thread_ts in (None, m.ts) and "Revolving door at" in m.text
    ]


def add_eve(slack: Slack) -> None:
    """Eve, in London, who has typed a command once."""
    slack.fake.add_user(id=EVE, name="eve", real_name="Eve", tz="Europe/London")
    answer(slack, "show Acme", user=EVE)


# --- The window at both edges, as each reader's clock shows it --------------------------------


@pytest.mark.usefixtures("acme")
def test_a_late_call_in_new_york_is_on_the_workspaces_day_at_both_edges_of_the_window(
    slack: Slack,
) -> None:
    # Ben's call on Tue 24 Nov at 21:00 in New York is 02:00 UTC on Wed 25 Nov: the window
    # counts it on Wednesday (the workspace's calendar, UTC), for everyone alike, and each
    # reader sees it at their own clock's time.
    add_eve(slack)
    answer(slack, "log Acme on yesterday 21:00 via call : late call", user=BEN)
    said = answer(slack, "plan Acme on 2026-12-09 : day 14 after", user=DAN)
    assert WARNED in said and "<@U0BEN> had a call with them today at 02:00" in said
    said = answer(slack, "plan Acme on 2026-12-10 : day 15 after", user=EVE)
    assert "<@U0DAN> plans to meet them on Wed 9 Dec" in said and "<@U0BEN>" not in said
    said = answer(slack, "log Acme on 2026-11-11 via email : day 14 before", user=CHLOE)
    assert WARNED in said and "<@U0BEN> had a call with them today at 11:00" in said
    said = answer(slack, "log Acme on 2026-11-10 via email : day 15 before", user=CHLOE)
    assert "Logged your email" in said
    assert collision_count(slack) == 3  # Dan–Ben, Eve–Dan, Chloe–Ben
    deliver_outbox(slack)
    first, *_ = revolving_doors(slack)
    assert "<@U0DAN> plans to meet them on Wed 9 Dec" in shown(first)
    assert "|on Wed 25 Nov at 02:00 UTC>" in shown(first)  # the workspace's clock
    replies = [shown(m) for m in slack.fake.thread(first)]
    assert len(revolving_doors(slack)) == 1 and len(replies) == 2
    assert "<@U0EVE> plans to meet them on Thu 10 Dec" in replies[0]
    assert "<@U0CHLOE> emailed them on Wed 11 Nov" in replies[1]
    # The owner hears of each outsider's contact, at her clock's time, the day-15 ones too.
    notes = [m.text for m in dms(slack, ANA)]
    assert len(notes) == 5
    assert "<@U0BEN> had a call with *Acme Corporation* on Wed 25 Nov at 03:00" in notes[0]


@pytest.mark.usefixtures("acme")
def test_days_typed_in_auckland_summer_are_the_days_she_named_at_both_edges(slack: Slack) -> None:
    # Zoe works from Auckland, UTC+13 in November. Noon of a day she named, where a contact
    # without a time was kept, is the day before in UTC, and was read as it: "on 2026-11-11"
    # was logged, shown and counted as Tue 10 Nov, a day out of Dan's window.
    slack.fake.add_user(id="U0ZOE", name="zoe", real_name="Zoe", tz="Pacific/Auckland")
    answer(slack, "show Acme", user="U0ZOE")
    said = answer(slack, "log Acme on 2026-11-11 via call : zoe's call", user="U0ZOE")
    assert "Logged your call with *Acme Corporation* on Wed 11 Nov." in said
    said = answer(slack, "log Acme via call : dan's call", user=DAN)  # 14 days after hers
    assert WARNED in said and "<@U0ZOE> had a call with them on Wed 11 Nov" in said
    said = answer(slack, "log Acme on yesterday via email : zoe's email", user="U0ZOE")
    assert "Logged your email to *Acme Corporation* yesterday." in said
    said = answer(slack, "plan Acme on 2026-12-09 : zoe's visit", user="U0ZOE")
    assert "Planned your meeting with *Acme Corporation* on Wed 9 Dec." in said
    said = answer(slack, "plan Acme on 2026-12-10 : ben's visit", user=BEN)
    assert "<@U0ZOE> plans to meet them on Wed 9 Dec" in said and "<@U0DAN>" not in said
    deliver_outbox(slack)
    (alert,) = revolving_doors(slack)
    assert "<@U0ZOE> had a call with them on Wed 11 Nov" in shown(alert)
    notes = [m.text for m in dms(slack, ANA) if "<@U0ZOE>" in m.text.split("\n")[0]]
    assert [note.split(":", 1)[0] for note in notes] == [
        "<@U0ZOE> had a call with *Acme Corporation* on Wed 11 Nov",
        "<@U0ZOE> emailed *Acme Corporation* on Tue 24 Nov",
        "<@U0ZOE> has planned to meet *Acme Corporation* on Wed 9 Dec",
    ]


@pytest.mark.usefixtures("acme")
def test_a_narrow_window_an_admin_sets_counts_three_days_either_side(slack: Slack) -> None:
    said = answer(slack, "config window 30", user=BEN)
    assert "Only admins can change workspace settings: <@U0ANA>" in said
    assert "*Coordination window* is now *3 days* (was 14 days)" in answer(slack, "config window 3")
    answer(slack, "log Acme on last sunday via call : sunday call", user=BEN)  # Sun 22 Nov
    said = answer(slack, "log Acme via email : wednesday email", user=CHLOE)  # 3 days on
    assert WARNED in said and "<@U0BEN> had a call with them on Sun 22 Nov" in said
    said = answer(slack, "plan Acme on 2026-11-28 : saturday visit", user=DAN)  # 6 after Ben
    assert "<@U0CHLOE> emailed them today" in said and "<@U0BEN>" not in said
    add_eve(slack)
    said = answer(slack, "plan Acme on 2026-11-29 : sunday visit", user=EVE)  # 4 after Chloe
    assert "<@U0DAN> plans to meet them on Sat 28 Nov" in said
    assert "<@U0CHLOE>" not in said and "<@U0BEN>" not in said
    assert collision_count(slack) == 3
    deliver_outbox(slack)
    (alert,) = revolving_doors(slack)
    assert "<@U0CHLOE> and <@U0BEN> are both in contact" in alert.text
    dans, eves = (shown(m) for m in slack.fake.thread(alert))
    assert "<@U0DAN> plans to meet them on Sat 28 Nov" in dans and "<@U0BEN>" not in dans
    assert "<@U0EVE> plans to meet them on Sun 29 Nov" in eves and "<@U0CHLOE>" not in eves


# --- The partner as people name it ------------------------------------------------------------


def test_a_partner_registered_from_a_log_is_its_loggers_and_the_next_colleague_collides(
    slack: Slack,
) -> None:
    for user in (BEN, CHLOE, DAN):
        answer(slack, "help", user=user)
    said = answer(slack, "log Initech with Peter Gibbons via meeting : intro", user=BEN)
    assert "I don't know a partner called “Initech”" in said
    offer = last(slack, BEN)
    click(slack, BEN, offer, "touchpoint_register")
    assert "Registered *Initech* with you as its owner" in shown(offer)
    said = answer(slack, "plan initech, inc. on friday with peter gibbons : demo", user=CHLOE)
    assert "Planned your meeting with *Initech* on Fri 27 Nov with Peter Gibbons" in said
    assert "<@U0BEN> met them today at 18:00 with Peter Gibbons — *the same contact person*" in (
        said
    )
    assert "I've posted this in #partnerships and mentioned the owner <@U0BEN>" in said
    assert "I'll let its owner <@U0BEN> know when their working day begins" in said
    said = answer(slack, "log Inittech via call : typo", user=DAN)
    assert "I don't know a partner called “Inittech”. Did you mean" in said
    pick = last(slack, DAN)
    # Slack sends the click again (the first answer was slow): logged once.
    request = slack.requests.block_action(user_id=DAN, action_id="partner_pick_0", message=pick)
    for one in (request, retried(request, 1)):
        assert slack.deliver.send(one).status == 200
    slack.runtime.drain()
    assert "Logged your call with *Initech* today" in shown(pick)
    assert "*Coordinate with <@U0BEN> and <@U0CHLOE>*" in shown(pick)
    assert len(touchpoints(slack)) == 3 and collision_count(slack) == 3
    deliver_outbox(slack)
    (alert,) = revolving_doors(slack)
    (reply,) = slack.fake.thread(alert)
    assert "<@U0DAN> had a call with them" in shown(reply)
    assert dms(slack, BEN) == []  # 04:00 in New York
    at(slack, datetime(2026, 11, 25, 14, 5, tzinfo=UTC))  # 09:05 in New York
    notes = [
        m.text for m in dms(slack, BEN) if "Initech*" in m.text and "not on its team" in m.text
    ]
    assert len(notes) == 2, notes
    assert "<@U0CHLOE> has planned to meet *Initech* on Fri 27 Nov" in notes[0]
    assert "<@U0DAN> had a call with *Initech*" in notes[1]
    assert dms(slack, ANA) == []  # not hers


def test_a_partner_with_accents_by_its_alias_and_a_misspelling_is_one_revolving_door(
    slack: Slack,
) -> None:
    answer(slack, 'add Société Générale aka "SocGen"')
    for user in (BEN, CHLOE, DAN):
        answer(slack, "help", user=user)
    said = answer(slack, "log societe generale via call : ben's call", user=BEN)
    assert "Logged your call with *Société Générale* today at 04:00." in said
    said = answer(slack, "log SOCGEN via email : chloe's email", user=CHLOE)
    assert "Logged your email to *Société Générale*" in said
    assert "*Coordinate with <@U0BEN>*" in said
    said = answer(slack, "plan Socgne on friday : dan's visit", user=DAN)
    assert "I don't know a partner called “Socgne”. Did you mean" in said
    offer = last(slack, DAN)
    assert "*Société Générale* · owner <@U0ANA>" in shown(offer)
    assert len(touchpoints(slack)) == 2
    click(slack, DAN, offer, "partner_pick_0")
    assert "Planned your meeting with *Société Générale* on Fri 27 Nov" in shown(offer)
    assert "*Coordinate with <@U0BEN> and <@U0CHLOE>*" in shown(offer)
    deliver_outbox(slack)
    (alert,) = revolving_doors(slack)
    assert "Revolving door at Société Générale" in alert.text
    (reply,) = slack.fake.thread(alert)
    assert "<@U0DAN> plans to meet them on Fri 27 Nov" in shown(reply)
    notes = [m.text for m in dms(slack, ANA)]
    assert len(notes) == 3 and all("*Société Générale*" in note for note in notes)


@pytest.mark.usefixtures("acme")
def test_one_contact_person_by_name_in_capitals_with_accents_or_by_email_is_the_same_person(
    slack: Slack,
) -> None:
    said = answer(slack, "contact Acme add Jane Doe jane.doe@acme.com Head of Partnerships")
    assert "Added *Jane Doe* · Head of Partnerships" in said
    said = answer(slack, "log Acme with JANE DOE via call : ben's call", user=BEN)
    assert "Logged your call with *Acme Corporation* today at 04:00 with Jane Doe." in said
    said = answer(
        slack,
        "plan Acme on friday with <mailto:jane.doe@acme.com|jane.doe@acme.com> : chloe's visit",
        user=CHLOE,
    )
    assert "on Fri 27 Nov with Jane Doe." in said
    assert "<@U0BEN> had a call with them today at 18:00 with Jane Doe — *the same contact" in said
    # A name that is not one person is asked about, and nothing is saved.
    said = answer(slack, "log Acme with Doe, Jane via email : dan's email", user=DAN)
    assert "`with Doe, Jane`: is that one person or two?" in said
    assert len(touchpoints(slack)) == 2
    said = answer(slack, "log Acme with Jané Döe via email : dan's email", user=DAN)
    assert "Logged your email to *Acme Corporation* today at 09:00 with Jane Doe." in said
    assert said.count("*the same contact person*") == 2
    assert "1 contact at Acme Corporation" in answer(slack, "contacts Acme", user=DAN)
    deliver_outbox(slack)
    (alert,) = revolving_doors(slack)
    assert "*the same contact person*" in shown(alert)
    (reply,) = slack.fake.thread(alert)
    assert "<@U0DAN> emailed them" in shown(reply)
    assert shown(reply).count("with Jane Doe — *the same contact person*") == 2


@pytest.mark.usefixtures("acme")
def test_an_intent_meets_a_plan_ahead_and_a_later_plan_meets_only_the_plan(slack: Slack) -> None:
    answer(slack, "plan Acme on 2026-12-07 10:00 with Jane Doe : ben's visit", user=BEN)
    said = answer(slack, "intend Acme : chloe offers a sponsorship", user=CHLOE)  # 12 days before
    assert WARNED in said and "<@U0BEN> plans to meet them on Tue 8 Dec at 00:00" in said
    assert "I've asked the owner <@U0ANA> to acknowledge or redirect" in said
    deliver_outbox(slack)
    (question,) = about(slack, ANA, "would like to reach out")
    assert "<@U0CHLOE> would like to reach out to *Acme Corporation*" in question.text
    assert "*Also in touch within the coordination window:*" in shown(question)
    assert "<@U0BEN> has planned to meet them on Mon 7 Dec at 16:00 with Jane Doe" in shown(
        question
    )
    # 15 days after Ben's plan: nobody; 14 days after it: Ben, not Chloe's intent (26 days).
    said = answer(slack, "plan Acme on 2026-12-22 : dan, day 15", user=DAN)
    assert WARNED not in said
    said = answer(slack, "plan Acme on 2026-12-21 : dan, day 14", user=DAN)
    assert WARNED in said and "<@U0BEN>" in said and "<@U0CHLOE>" not in said
    assert collision_count(slack) == 2
    deliver_outbox(slack)
    (alert,) = revolving_doors(slack)
    assert "<@U0CHLOE> intends to reach out to them" in shown(alert)
    (reply,) = slack.fake.thread(alert)
    assert "<@U0DAN> plans to meet them on Mon 21 Dec" in shown(reply)
    assert "<@U0CHLOE>" not in shown(reply).split("Owner")[0]


# --- The owner's answers, and silence --------------------------------------------------------


@pytest.mark.usefixtures("acme")
def test_an_owners_answer_after_the_working_day_reaches_the_asker_as_a_late_answer(
    slack: Slack,
) -> None:
    answer(slack, "team Acme add <@U0DAN|dan>")
    said = answer(slack, "intend Acme : ben's idea", user=BEN)
    assert "If there is no answer by tomorrow at 04:00, you may go ahead" in said  # her 10:00
    deliver_outbox(slack)
    (question,) = about(slack, ANA, "ben's idea")
    at(slack, datetime(2026, 11, 26, 14, 30, tzinfo=UTC))  # Thu 09:30 in New York
    (lapsed,) = about(slack, BEN, "No answer from")
    assert "No answer from <@U0ANA> within a working day" in lapsed.text
    assert "(“ben's idea”), so you may go ahead" in lapsed.text
    click(slack, ANA, question, "intent_talk_first")
    assert "<@U0ANA> answered *Let's talk first* (after they had been told they may go ahead)" in (
        shown(question)
    )
    at(slack, datetime(2026, 11, 26, 14, 40, tzinfo=UTC))
    (late,) = about(slack, BEN, "A late answer")
    assert "<@U0ANA>, for *Acme Corporation*, would like to *talk first*" in late.text
    assert "Message <@U0ANA> to find a moment" in late.text
    brief = answer(slack, "check Acme", user=CHLOE)
    assert "“ben's idea” — <@U0ANA> answered “Let's talk first”" in brief
