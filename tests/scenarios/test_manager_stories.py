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
from tests.scenarios.test_colleague_stories import later, retried
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


@pytest.mark.usefixtures("acme")
def test_register_it_clicked_after_a_colleague_registered_the_name_logs_with_theirs(
    slack: Slack,
) -> None:
    said = answer(slack, "log Initech via call : ben's call", user=BEN)
    assert "I don't know a partner called “Initech”" in said
    offer = last(slack, BEN)
    answer(slack, "add Initech", user=CHLOE)  # meanwhile
    answer(slack, "log Initech via email : chloe's email", user=CHLOE)
    click(slack, BEN, offer, "touchpoint_register")
    said = shown(offer)
    assert "Registered" not in said
    assert "Logged your call with *Initech* today at 04:00." in said
    assert "*Coordinate with <@U0CHLOE>*" in said
    assert "I've posted this in #partnerships and mentioned the owner <@U0CHLOE>" in said
    assert "You're not on the team of *Initech*, so I'll let its owner <@U0CHLOE> know" in said
    assert "*Owner*\\n<@U0CHLOE>" in answer(slack, "show Initech", user=DAN)
    assert len(touchpoints(slack)) == 2
    deliver_outbox(slack)
    (alert,) = revolving_doors(slack)
    assert "Revolving door at Initech: <@U0BEN> and <@U0CHLOE>" in alert.text
    at(slack, datetime(2026, 11, 26, 0, 30, tzinfo=UTC))  # Chloe's morning
    (note,) = about(slack, CHLOE, "ben's call")
    assert "<@U0BEN> had a call with *Initech*" in note.text


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


@pytest.mark.usefixtures("acme")
def test_an_intent_from_tokyo_lapses_at_her_evening_and_she_hears_of_it_next_morning(
    slack: Slack,
) -> None:
    said = answer(slack, "intend Acme : chloe's idea", user=CHLOE)  # Wed 18:00 in Tokyo
    assert "If there is no answer by tomorrow at 18:00, you may go ahead" in said
    deliver_outbox(slack)
    (question,) = about(slack, ANA, "chloe's idea")
    assert "If you haven't answered by Thu 26 Nov at 10:00" in shown(question)
    at(slack, datetime(2026, 11, 26, 9, 30, tzinfo=UTC))  # Thu 10:30 Berlin, 18:30 Tokyo
    assert "may go ahead" in shown(question)
    assert about(slack, CHLOE, "No answer from") == []  # after her hours
    at(slack, datetime(2026, 11, 27, 0, 30, tzinfo=UTC))  # Fri 09:30 in Tokyo
    (lapsed,) = about(slack, CHLOE, "No answer from")
    assert "No answer from <@U0ANA> within a working day" in lapsed.text
    assert "`/partner log Acme Corporation : …`" in lapsed.text


# --- The owner away -----------------------------------------------------------------------------


@pytest.mark.usefixtures("acme")
def test_a_colleague_covering_from_outside_the_team_is_alerted_asked_and_summed_up_for_the_owner(
    slack: Slack,
) -> None:
    said = answer(slack, "away today to 2026-11-27 deputy <@U0DAN|dan>")
    assert "alerts about partners you own go to <@U0DAN>" in said
    said = answer(slack, "log Acme with Jane Doe via call : ben's call", user=BEN)
    assert "its owner <@U0ANA> is away, so I've let <@U0DAN>, who covers for them, know" in said
    said = answer(slack, "intend Acme : chloe's idea", user=CHLOE)
    assert "*Coordinate with <@U0BEN>*" in said
    assert "mentioned <@U0DAN>, who covers for the owner <@U0ANA> while away" in said
    assert "I've asked <@U0DAN>, who covers for the owner <@U0ANA> while away" in said
    deliver_outbox(slack)
    (alert,) = revolving_doors(slack)
    assert "<@U0DAN>, covering for the owner <@U0ANA> while away: please make sure" in shown(alert)
    named, note, question = dms(slack, DAN)
    assert named.text.startswith("<@U0ANA> is away from *Wed 25 Nov* to *Fri 27 Nov*")
    assert "<@U0BEN> had a call with *Acme Corporation*" in note.text
    assert "you cover for <@U0ANA>, who owns *Acme Corporation* and is away" in note.text
    assert "<@U0CHLOE> would like to reach out to *Acme Corporation*" in question.text
    assert dms(slack, ANA) == []
    click(slack, DAN, question, "intent_go_ahead")
    assert "<@U0DAN> answered *Go ahead* — I'm letting <@U0CHLOE> know" in shown(question)
    at(slack, datetime(2026, 11, 26, 0, 30, tzinfo=UTC))  # Chloe's morning
    (go,) = about(slack, CHLOE, "chloe's idea")
    assert "<@U0DAN>, for *Acme Corporation*, says *go ahead*" in go.text
    # Her first working morning back, Ana reads what happened with her partner.
    at(slack, datetime(2026, 11, 30, 8, 30, tzinfo=UTC))
    (welcome,) = dms(slack, ANA)
    assert "Welcome back!" in welcome.text
    assert (
        "*Acme Corporation*: <@U0BEN> logged 1 contact; <@U0CHLOE> stated 1 intent (<@U0DAN> "
        "answered “Go ahead”); 1 revolving-door alert."
    ) in welcome.text


# --- The revolving door over a week, and Slack itself ----------------------------------------


@pytest.mark.usefixtures("acme")
def test_colleagues_joining_while_slack_is_down_go_into_the_first_alerts_thread_once_it_posts(
    slack: Slack,
) -> None:
    add_eve(slack)
    slack.fake.fail_next("chat.postMessage", status=503, times=50)
    answer(slack, "log Acme via call : ben's call", user=BEN)
    said = answer(slack, "log Acme via email : chloe's email", user=CHLOE)
    assert "I've posted this in #partnerships" in said
    deliver_outbox(slack)
    assert posts(slack) == []
    later(slack, minutes=30)
    said = answer(slack, "log Acme via call : dan's call", user=DAN)
    assert "thread of the latest alert in #partnerships" in said
    deliver_outbox(slack)
    slack.fake.stop_failing("chat.postMessage")
    later(slack, minutes=30)
    said = answer(slack, "plan Acme on friday : eve's visit", user=EVE)
    assert "thread of the latest alert in #partnerships" in said
    for _ in range(6):
        later(slack, minutes=10)
        deliver_outbox(slack)
    (alert,) = revolving_doors(slack)
    assert "<@U0CHLOE> and <@U0BEN> are both in contact" in alert.text
    dans, eves = (shown(m) for m in slack.fake.thread(alert))
    assert "<@U0DAN> had a call with them" in dans
    assert "<@U0EVE> plans to meet them on Fri 27 Nov" in eves
    assert len(posts(slack)) == 3
    assert collision_count(slack) == 1 + 2 + 3


@pytest.mark.usefixtures("acme")
def test_three_colleagues_in_three_zones_over_one_week_are_two_alerts_and_the_owner_hears_all(
    slack: Slack,
) -> None:
    at(slack, datetime(2026, 11, 30, 15, 0, tzinfo=UTC))  # Mon 10:00 in New York
    said = answer(slack, "log Acme with Jane Doe via call : ben pitches the pilot", user=BEN)
    assert WARNED not in said
    at(slack, datetime(2026, 12, 2, 1, 0, tzinfo=UTC))  # Wed 10:00 in Tokyo
    said = answer(slack, "plan Acme on tuesday 10:00 with Jane Doe : chloe's demo", user=CHLOE)
    assert "Planned your meeting with *Acme Corporation* on Tue 8 Dec at 10:00 with Jane Doe" in (
        said
    )
    assert "<@U0BEN> had a call with them yesterday at 00:00 with Jane Doe — *the same" in said
    at(slack, datetime(2026, 12, 4, 10, 0, tzinfo=UTC))  # Fri 10:00 in London
    said = answer(slack, "intend Acme : dan offers a sponsorship", user=DAN)
    assert "*Coordinate with <@U0CHLOE> and <@U0BEN>*" in said
    assert "I've posted this in #partnerships" in said and "thread" not in said
    assert "<@U0CHLOE> plans to meet them on Tue 8 Dec at 01:00" in said
    assert "<@U0BEN> had a call with them on Mon 30 Nov at 15:00" in said
    deliver_outbox(slack)
    wednesdays, fridays = revolving_doors(slack)
    assert "<@U0CHLOE> and <@U0BEN> are both in contact" in wednesdays.text
    assert "<@U0DAN> intends to reach out to them" in shown(fridays)
    assert "please make sure <@U0DAN>, <@U0CHLOE> and <@U0BEN> coordinate" in shown(fridays)
    texts = [m.text for m in dms(slack, ANA)]
    assert [t.split(": “", 1)[0] for t in texts] == [
        "<@U0BEN> had a call with *Acme Corporation* on Mon 30 Nov at 16:00 with Jane Doe",
        "<@U0CHLOE> has planned to meet *Acme Corporation* on Tue 8 Dec at 02:00 with Jane Doe",
        "<@U0DAN> would like to reach out to *Acme Corporation*",
    ]
    brief = answer(slack, "check Acme")
    assert "<@U0BEN> had a call with them on Mon 30 Nov at 16:00" in brief
    assert "<@U0CHLOE> plans to meet them on Tue 8 Dec at 02:00" in brief
    assert "“dan offers a sponsorship” — waiting for you" in brief
    assert collision_count(slack) == 3


@pytest.mark.usefixtures("acme")
def test_slack_retrying_an_intent_while_the_owner_is_away_asks_her_deputy_once(
    slack: Slack,
) -> None:
    answer(slack, "deputy Acme <@U0DAN|dan>")
    answer(slack, "away today to friday")
    answer(slack, "log Acme via call : chloe's call", user=CHLOE)
    request = slack.requests.slash_command(
        user_id=BEN, channel_id="C0PARTNERS", text="intend Acme : ben's idea"
    )
    assert slack.deliver.send(request).status == 200
    slack.runtime.drain()
    for attempt in (1, 2):
        assert slack.deliver.send(retried(request, attempt)).status == 200
    slack.runtime.drain()
    said = shown(last(slack, BEN))
    assert "I've asked <@U0DAN>, who covers for the owner <@U0ANA> while away" in said
    assert "*Coordinate with <@U0CHLOE>*" in said
    assert len(touchpoints(slack)) == 2 and collision_count(slack) == 1
    deliver_outbox(slack)
    assert len(about(slack, DAN, "ben's idea")) == 1
    assert len(revolving_doors(slack)) == 1 and len(posts(slack)) == 1
    assert dms(slack, ANA) == []


# --- The team and outsiders -------------------------------------------------------------------


@pytest.mark.usefixtures("acme")
def test_the_team_plans_logs_and_intends_quietly_and_an_outsider_is_told_of_all_three(
    slack: Slack,
) -> None:
    answer(slack, "deputy Acme <@U0CHLOE|chloe>")
    answer(slack, "team Acme add <@U0DAN|dan>")
    deliver_outbox(slack)
    before = {user: len(dms(slack, user)) for user in (ANA, CHLOE, DAN)}
    assert WARNED not in answer(slack, "plan Acme on friday 15:00 : ana's review")
    assert WARNED not in answer(slack, "log Acme via call : chloe's call", user=CHLOE)
    said = answer(slack, "intend Acme : dan's renewal pitch", user=DAN)
    assert WARNED not in said and "I've asked the owner <@U0ANA>" in said
    deliver_outbox(slack)
    assert posts(slack) == [] and collision_count(slack) == 0
    assert len(dms(slack, CHLOE)) == before[CHLOE]
    (asked,) = dms(slack, ANA)[before[ANA] :]
    assert "<@U0DAN> would like to reach out" in asked.text
    said = answer(slack, "log Acme via email : ben writes to them", user=BEN)
    assert "• <@U0CHLOE> had a call with them today at 04:00" in said
    assert "• <@U0DAN> intends to reach out to them (since today)" in said
    assert "• <@U0ANA> plans to meet them on Fri 27 Nov at 09:00" in said  # 15:00 in Berlin
    assert "*Coordinate with <@U0CHLOE>, <@U0DAN> and <@U0ANA>*" in said
    deliver_outbox(slack)
    (alert,) = revolving_doors(slack)
    assert "<@U0BEN> emailed them" in shown(alert)
    assert collision_count(slack) == 3
    (note,) = about(slack, ANA, "ben writes to them")
    assert "They are not on its team" in note.text
