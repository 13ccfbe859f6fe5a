"""Held-out colleague stories of the revolving door, told as a partnership manager would, beside
`test_colleague_stories.py`, `test_heldout_stories.py` and `test_manager_stories.py`: signed
`/partner` requests and clicks through the real app, the outbox delivered to the fake Slack over
HTTP by the scheduler's tick, and every answer, channel post, thread reply and direct message
each person received.

The clock starts on Wednesday 25 Nov 2026, 09:00 UTC: 10:00 for Ana (Berlin, admin, owner of
Acme Corporation), 04:00 for Ben (New York), 18:00 for Chloe (Tokyo), 09:00 for Dan (London);
Eve (London) joins where a story needs a fifth colleague.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.sandbox.fake_slack import FakeMessage
from tests.conftest import Slack
from tests.scenarios.test_partners import ANA, BEN, CHLOE, DAN, answer, click, last, shown
from tests.scenarios.test_touchpoints import acme as acme  # noqa: F401 (the fixture)
from tests.scenarios.test_touchpoints import at, collision_count, deliver_outbox, dms, posts

WARNED = ":warning: *Others are in touch with Acme Corporation:*"
EVE = "U0EVE"


def add_eve(slack: Slack) -> None:
    """Eve, in London, outside Acme's team, who has typed a command once."""
    slack.fake.add_user(id=EVE, name="eve", real_name="Eve", tz="Europe/London")
    answer(slack, "show Acme", user=EVE)


def about(slack: Slack, user: str, words: str) -> list[FakeMessage]:
    """The direct messages `user` received that mention `words`."""
    return [m for m in dms(slack, user) if words in m.text]


def top_level(slack: Slack, channel: str = "C0PARTNERS") -> list[FakeMessage]:
    """The channel's messages from Liaison at top level (not thread replies)."""
    return [m for m in posts(slack, channel) if m.thread_ts in (None, m.ts)]


# --- An outsider who takes one of the team along -----------------------------------------------


@pytest.mark.usefixtures("acme")
def test_an_outsider_who_takes_the_owner_along_is_no_revolving_door_with_the_deputy(
    slack: Slack,
) -> None:
    # Chloe, Acme's deputy, calls Acme; Ben, outside the team, meets them that day with Ana, the
    # owner, along, and plans a follow-up with her; Dan, on the team, plans a visit. The team is
    # coordinating among itself: nobody is warned, nothing is posted, and Ana, who was there, is
    # not told of her own meeting. Eve, alone, is the revolving door, with all of them.
    add_eve(slack)
    answer(slack, "deputy Acme <@U0CHLOE|chloe>")
    answer(slack, "team Acme add <@U0DAN|dan>")
    said = answer(slack, "log Acme via call : the deputy's call", user=CHLOE)
    assert "Logged your call with *Acme Corporation* today at 18:00." in said
    said = answer(slack, "log Acme with <@U0ANA|ana> via meeting : ben took ana along", user=BEN)
    assert said.startswith(
        "Logged your meeting with *Acme Corporation* today at 04:00, together with <@U0ANA>.\n"
    )
    assert WARNED not in said and "let its owner" not in said and "#partnerships" not in said
    said = answer(slack, "plan Acme on friday with <@U0ANA|ana> : follow-up with ana", user=BEN)
    assert said.startswith(
        "Planned your meeting with *Acme Corporation* on Fri 27 Nov, together with <@U0ANA>.\n"
    )
    assert WARNED not in said and "let its owner" not in said
    said = answer(slack, "plan Acme on monday : the member's visit", user=DAN)
    assert WARNED not in said
    deliver_outbox(slack)
    assert posts(slack) == [] and collision_count(slack) == 0
    assert about(slack, ANA, "ben took ana along") == [] and about(slack, ANA, "with ana") == []
    assert about(slack, CHLOE, "ben") == [] and about(slack, BEN, "Acme") == []

    said = answer(slack, "log Acme via email : eve alone", user=EVE)
    assert (
        f"{WARNED}\\n"
        "• <@U0CHLOE> had a call with them today at 09:00\\n"
        "• <@U0BEN> (with <@U0ANA>) met them today at 09:00\\n"
        "• <@U0BEN> (with <@U0ANA>) plans to meet them on Fri 27 Nov\\n"
        "• <@U0DAN> plans to meet them on Mon 30 Nov\\n"
        "*Coordinate with <@U0CHLOE>, <@U0BEN>, <@U0DAN> and <@U0ANA>* before you go further."
    ) in said
    assert "I've posted this in #partnerships and mentioned the owner <@U0ANA>." in said
    assert "You're not on the team of *Acme Corporation*, so I've let its owner <@U0ANA> know." in (
        said
    )
    assert collision_count(slack) == 4
    deliver_outbox(slack)
    (alert,) = top_level(slack)
    assert alert.text == (
        "Revolving door at Acme Corporation: <@U0EVE>, <@U0CHLOE>, <@U0BEN>, <@U0ANA> and "
        "<@U0DAN> are all in contact (owner <@U0ANA>)."
    )
    assert slack.fake.thread(alert) == []
    (note,) = about(slack, ANA, "eve alone")
    assert note.text.startswith(
        "<@U0EVE> emailed *Acme Corporation* on Wed 25 Nov at 10:00: “eve alone”\n"
        "They are not on its team, and you own *Acme Corporation*, so I'm letting you know."
    )
    assert about(slack, EVE, "Acme") == []


# --- The same contact person, by address and by name ---------------------------------------------


@pytest.mark.usefixtures("acme")
def test_a_contact_first_named_by_email_goes_by_her_name_once_a_colleague_gives_it(
    slack: Slack,
) -> None:
    # Ben knows only Jane's address; Chloe, who plans to meet her, knows her name. One person,
    # the same contact person for the alarm, and from then on Jane Doe everywhere, not jane.doe.
    said = answer(
        slack,
        "log Acme with <mailto:jane.doe@acme.com|jane.doe@acme.com> via email : ben writes",
        user=BEN,
    )
    assert "Logged your email to *Acme Corporation* today at 04:00 with jane.doe." in said
    said = answer(slack, "plan Acme on friday with Jane Doe : chloe's visit", user=CHLOE)
    assert "Planned your meeting with *Acme Corporation* on Fri 27 Nov with Jane Doe." in said
    assert (
        "• <@U0BEN> emailed them today at 18:00 with Jane Doe — *the same contact person*"
    ) in said
    contacts = answer(slack, "contacts Acme", user=DAN)
    assert "1 contact at Acme Corporation" in contacts
    assert "*Jane Doe* · <mailto:jane.doe@acme.com|jane.doe@acme.com>" in contacts
    # Named by her address again, she is still Jane Doe; someone else's address is someone else.
    said = answer(
        slack,
        "log Acme with <mailto:jane.doe@acme.com|jane.doe@acme.com> via call : dan calls",
        user=DAN,
    )
    assert "Logged your call with *Acme Corporation* today at 09:00 with Jane Doe." in said
    assert said.count("with Jane Doe — *the same contact person*") == 2
    said = answer(
        slack, "log Acme with <mailto:john@acme.com|john@acme.com> via email : eve", user=ANA
    )
    assert "with john." in said and "the same contact person" not in said
    assert "2 contacts at Acme Corporation" in answer(slack, "contacts Acme", user=DAN)
    deliver_outbox(slack)
    (alert,) = top_level(slack)
    assert "with Jane Doe — *the same contact person*" in shown(alert)
    assert "jane.doe" not in alert.text


@pytest.mark.usefixtures("acme")
def test_an_outsider_with_a_member_and_another_outsider_along_is_the_teams_not_a_collision(
    slack: Slack,
) -> None:
    # Ben takes Dan (on the team) and Chloe (not) to a meeting the day Ana calls Acme: through
    # Dan, the team knows; Ana hears of it as the owner. Eve alone collides with both; Chloe,
    # who was in Ben's meeting, calling on her own later is known to everyone by then.
    add_eve(slack)
    answer(slack, "team Acme add <@U0DAN|dan>")
    answer(slack, "log Acme via call : owner's call")
    said = answer(
        slack,
        "log Acme with <@U0DAN|dan> <@U0CHLOE|chloe> via meeting : ben, dan and chloe",
        user=BEN,
    )
    assert said.startswith(
        "Logged your meeting with *Acme Corporation* today at 04:00, together with <@U0CHLOE> "
        "and <@U0DAN>.\n"
    )
    assert WARNED not in said
    assert "You're not on the team of *Acme Corporation*, so I've let its owner <@U0ANA> know." in (
        said
    )
    deliver_outbox(slack)
    assert posts(slack) == []
    (note,) = about(slack, ANA, "ben, dan and chloe")
    assert note.text.startswith(
        "<@U0BEN> (with <@U0CHLOE>, <@U0DAN>) met *Acme Corporation* on Wed 25 Nov at 10:00"
    )
    said = answer(slack, "log Acme via email : eve alone", user=EVE)
    assert (
        "• <@U0ANA> had a call with them today at 09:00\\n"
        "• <@U0BEN> (with <@U0CHLOE>, <@U0DAN>) met them today at 09:00\\n"
        "*Coordinate with <@U0ANA>, <@U0BEN>, <@U0CHLOE> and <@U0DAN>* before you go further."
    ) in said
    assert collision_count(slack) == 2
    said = answer(slack, "log Acme via call : chloe alone", user=CHLOE)
    assert "You know of these already; coordinate with <@U0ANA> and <@U0EVE> as you go." in said
    assert "An alert in #partnerships named you together lately, so I posted no new one." in said
    deliver_outbox(slack)
    (alert,) = top_level(slack)
    assert alert.text == (
        "Revolving door at Acme Corporation: <@U0EVE>, <@U0ANA>, <@U0BEN>, <@U0CHLOE> and "
        "<@U0DAN> are all in contact (owner <@U0ANA>)."
    )
    assert slack.fake.thread(alert) == []
    assert len(about(slack, ANA, "eve alone")) == 1 and len(about(slack, ANA, "chloe alone")) == 1


# --- The owner away, and back -------------------------------------------------------------------


@pytest.mark.usefixtures("acme")
def test_with_the_partners_deputy_away_too_the_deputy_named_for_the_time_away_covers(
    slack: Slack,
) -> None:
    # Chloe, Acme's deputy, is away as well as Ana: Dan, whom Ana named for her time away, gets
    # the note about Ben's call and the question about his intent; Ana, back on Thursday, reads
    # what happened in the answer to `back`, and the next outsider's note is hers again.
    answer(slack, "deputy Acme <@U0CHLOE|chloe>")
    answer(slack, "away today to friday", user=CHLOE)
    said = answer(slack, "away today to friday deputy <@U0DAN|dan>")
    assert "go to each partner's deputy, or else <@U0DAN>" in said
    said = answer(slack, "log Acme via call : ben's call", user=BEN)
    assert (
        "You're not on the team of *Acme Corporation*; its owner <@U0ANA> is away, so I've let "
        "<@U0DAN>, who covers for them, know."
    ) in said
    said = answer(slack, "intend Acme : ben's sponsorship idea", user=BEN)
    assert (
        "I've asked <@U0DAN>, who covers for the owner <@U0ANA> while away, to acknowledge or "
        "redirect; the answer comes to you as a direct message."
    ) in said
    deliver_outbox(slack)
    (note,) = about(slack, DAN, "ben's call")
    assert note.text.startswith(
        "<@U0BEN> had a call with *Acme Corporation* on Wed 25 Nov at 09:00: “ben's call”\n"
        "They are not on its team, and you cover for <@U0ANA>, who owns *Acme Corporation* and "
        "is away, so I'm letting you know."
    )
    (question,) = about(slack, DAN, "would like to reach out")
    assert "You're asked because you cover for <@U0ANA>" in question.text
    assert dms(slack, ANA) == [] and about(slack, CHLOE, "ben") == []
    click(slack, DAN, question, "intent_go_ahead")
    assert "<@U0DAN> answered *Go ahead*" in shown(question)
    at(slack, datetime(2026, 11, 25, 14, 30, tzinfo=UTC))  # 09:30 in New York
    (reply,) = about(slack, BEN, "ben's sponsorship idea")
    assert "<@U0DAN>, for *Acme Corporation*, says *go ahead*" in reply.text

    at(slack, datetime(2026, 11, 26, 9, 0, tzinfo=UTC))  # Thursday 10:00 in Berlin
    said = answer(slack, "back")
    assert "Welcome back! Your time away has ended." in said
    assert "I'm telling <@U0DAN>, whom you named to cover, that you're back." in said
    assert (
        "While you were away, with the partners you own:\n"
        "• *Acme Corporation*: <@U0BEN> logged 1 contact and stated 1 intent "
        "(<@U0DAN> answered “Go ahead”)."
    ) in said
    answer(slack, "plan Acme on monday : eve's visit", user=DAN)
    deliver_outbox(slack)
    (released,) = about(slack, DAN, "is back earlier than planned")
    assert "so you no longer cover for them" in released.text
    (visit,) = about(slack, ANA, "eve's visit")
    assert visit.text.startswith("<@U0DAN> has planned to meet *Acme Corporation* on Mon 30 Nov")
    assert "you own *Acme Corporation*" in visit.text
    assert about(slack, DAN, "eve's visit") == []


@pytest.mark.usefixtures("acme")
def test_the_deputy_who_will_handle_an_intent_hears_of_the_call_made_anyway(
    slack: Slack,
) -> None:
    # Ana is away; Chloe, Acme's deputy, is asked before Dan, the deputy of Ana's time away, and
    # answers that she will handle Ben's idea. Ben calls Acme anyway, and Chloe, covering,
    # hears of his call as the owner would.
    answer(slack, "deputy Acme <@U0CHLOE|chloe>")
    answer(slack, "away today to friday deputy <@U0DAN|dan>")
    said = answer(slack, "intend Acme : ben's idea", user=BEN)
    assert (
        "I'll ask <@U0CHLOE>, who covers for the owner <@U0ANA> while away, to acknowledge or "
        "redirect when their working day begins"
    ) in said
    at(slack, datetime(2026, 11, 26, 1, 0, tzinfo=UTC))  # 10:00 in Tokyo
    (question,) = about(slack, CHLOE, "would like to reach out")
    assert question.text.startswith("<@U0BEN> would like to reach out to *Acme Corporation*")
    assert about(slack, DAN, "ben's idea") == [] and about(slack, ANA, "ben's idea") == []
    click(slack, CHLOE, question, "intent_handle_it")
    assert "<@U0CHLOE> answered *I'll handle it* — I'm letting <@U0BEN> know." in shown(question)
    at(slack, datetime(2026, 11, 26, 14, 5, tzinfo=UTC))  # 09:05 in New York
    (reply,) = about(slack, BEN, "ben's idea")
    assert "<@U0CHLOE>, for *Acme Corporation*, will handle it" in reply.text
    brief = answer(slack, "check Acme", user=DAN)
    assert (
        "<@U0BEN> intends to reach out to them (since yesterday): “ben's idea” — <@U0CHLOE> "
        "answered “I'll handle it”"
    ) in brief
    assert "give <@U0CHLOE>, who covers for them, a heads-up first" in brief
    said = answer(slack, "log Acme via call : ben anyway", user=BEN)
    assert WARNED not in said
    # He read her answer this morning: his log does not repeat it.
    assert "would handle your intent" not in said
    assert "so I'll let <@U0CHLOE>, who covers for them, know when their working day begins" in (
        said
    )
    at(slack, datetime(2026, 11, 27, 0, 30, tzinfo=UTC))  # Friday 09:30 in Tokyo
    (note,) = about(slack, CHLOE, "ben anyway")
    assert note.text.startswith("<@U0BEN> had a call with *Acme Corporation* on Thu 26 Nov")
    assert posts(slack) == [] and about(slack, DAN, "Acme") == []


# --- Before reaching out, and the partner misspelt -----------------------------------------------


@pytest.mark.usefixtures("acme")
def test_a_misspelt_intent_picked_from_did_you_mean_asks_the_owner_and_warns_of_the_call(
    slack: Slack,
) -> None:
    answer(slack, "log Acme via call : ben's call", user=BEN)
    said = answer(slack, "intend Acme Corp0ration : chloe's idea", user=CHLOE)
    assert "I don't know a partner called “Acme Corp0ration”. Did you mean one of these?" in said
    assert "• *Acme Corporation* · owner <@U0ANA> · 🌱 prospect" in said
    offer = last(slack, CHLOE)
    click(slack, CHLOE, offer, "partner_pick_0")
    picked = shown(offer)
    assert "Noted that you intend to reach out to *Acme Corporation*: “chloe's idea”" in picked
    assert "• <@U0BEN> had a call with them today at 18:00" in picked
    assert "I've asked the owner <@U0ANA> to acknowledge or redirect" in picked
    deliver_outbox(slack)
    (question,) = about(slack, ANA, "would like to reach out")
    assert question.text.startswith(
        "<@U0CHLOE> would like to reach out to *Acme Corporation*: “chloe's idea”"
    )
    (alert,) = top_level(slack)
    assert "<@U0CHLOE> intends to reach out to them" in shown(alert)
    # Dan's `check`, misspelt too, briefs on the call and the open intent.
    answer(slack, "check acme corporatoin", user=DAN)
    offer = last(slack, DAN)
    click(slack, DAN, offer, "partner_pick_0")
    brief = shown(offer)
    assert "Before you reach out: Acme Corporation" in brief
    assert "• <@U0BEN> had a call with them today at 09:00" in brief
    assert "“chloe's idea” — waiting for <@U0ANA>" in brief


@pytest.mark.usefixtures("acme")
def test_with_a_7_day_window_check_lists_the_plans_ahead_and_the_intents_of_7_days(
    slack: Slack,
) -> None:
    answer(slack, "config window 7")
    answer(slack, "log Acme on 2026-11-17 via call : ben, day 8", user=BEN)
    said = answer(slack, "log Acme on 2026-11-18 via call : dan, day 7", user=DAN)
    assert "• <@U0BEN> had a call with them on Tue 17 Nov" in said
    said = answer(slack, "intend Acme : chloe's idea", user=CHLOE)
    assert "• <@U0DAN> had a call with them on Wed 18 Nov" in said and "<@U0BEN>" not in said
    answer(slack, "plan Acme on 2026-12-02 : ana, day 7")
    said = answer(slack, "plan Acme on 2026-12-03 : ben, day 8", user=BEN)
    assert "• <@U0ANA> plans to meet them on Wed 2 Dec" in said and "<@U0CHLOE>" not in said
    brief = answer(slack, "check Acme", user=CHLOE)
    assert (
        "*Lately*\\n• <@U0DAN> had a call with them on Wed 18 Nov\\n"
        "• <@U0BEN> had a call with them on Tue 17 Nov"
    ) in brief
    assert (
        "*Planned*\\n• <@U0ANA> plans to meet them on Wed 2 Dec\\n"
        "• <@U0BEN> plans to meet them on Thu 3 Dec"
    ) in brief
    assert (
        "*Intents (last 7 days)*\\n• You intend to reach out to them (since today): "
        "“chloe's idea” — waiting for <@U0ANA>"
    ) in brief
    # Dan–Ben, Chloe–Dan, Ana–Chloe (her plan 7 days after the intent), Ben–Ana.
    assert collision_count(slack) == 4


# --- Plans: logged by a colleague who was there, and plans that didn't happen --------------------


@pytest.mark.usefixtures("acme")
def test_a_plan_logged_by_the_colleague_taken_along_is_one_meeting_for_everyone(
    slack: Slack,
) -> None:
    said = answer(slack, "plan Acme on thursday 10:00 with <@U0CHLOE|chloe> : joint visit", BEN)
    assert (
        "Planned your meeting with *Acme Corporation* tomorrow at 10:00, together with <@U0CHLOE>."
    ) in said
    deliver_outbox(slack)
    (note,) = about(slack, ANA, "joint visit")
    assert note.text.startswith("<@U0BEN> (with <@U0CHLOE>) has planned to meet *Acme Corporation*")
    at(slack, datetime(2026, 11, 26, 16, 0, tzinfo=UTC))
    said = answer(slack, "log Acme with <@U0BEN|ben> via meeting : chloe logs it", user=CHLOE)
    assert WARNED not in said and "Others are in touch" not in said
    deliver_outbox(slack)
    assert posts(slack) == [] and about(slack, ANA, "chloe logs it") == []
    said = answer(slack, "log Acme via call : dan's call", user=DAN)
    assert "*Coordinate with <@U0CHLOE> and <@U0BEN>*" in said
    deliver_outbox(slack)
    (alert,) = top_level(slack)
    assert alert.text == (
        "Revolving door at Acme Corporation: <@U0DAN>, <@U0CHLOE> and <@U0BEN> are all in "
        "contact (owner <@U0ANA>)."
    )
    assert collision_count(slack) == 1  # with the meeting, logged: the plan it followed up


@pytest.mark.usefixtures("acme")
def test_after_a_plan_that_didnt_happen_a_colleagues_call_meets_only_the_live_contacts(
    slack: Slack,
) -> None:
    answer(slack, "log Acme via call : ben's call", user=BEN)
    said = answer(slack, "plan Acme on thursday 10:00 via meeting : chloe's kick-off", CHLOE)
    assert "*Coordinate with <@U0BEN>*" in said
    deliver_outbox(slack)
    (first,) = top_level(slack)
    at(slack, datetime(2026, 11, 27, 0, 15, tzinfo=UTC))  # Friday 09:15 in Tokyo
    (asked,) = about(slack, CHLOE, "How did your meeting with *Acme Corporation*")
    click(slack, CHLOE, asked, "checkin_answer_didnt_happen")
    at(slack, datetime(2026, 11, 27, 10, 0, tzinfo=UTC))
    said = answer(slack, "log Acme via call : dan's call", user=DAN)
    assert "• <@U0BEN> had a call with them on Wed 25 Nov" in said
    assert "<@U0CHLOE>" not in said.split("Others are in touch", 1)[1]
    assert collision_count(slack) == 2  # Ben–Chloe (it stands), Dan–Ben
    deliver_outbox(slack)
    # More than a day after the first alert, which stands: a new one naming Dan and Ben only.
    assert first.text.startswith("Revolving door at Acme Corporation: <@U0CHLOE> and <@U0BEN>")
    (_, second) = top_level(slack)
    assert second.text == (
        "Revolving door at Acme Corporation: <@U0DAN> and <@U0BEN> are both in contact "
        "(owner <@U0ANA>)."
    )
    brief = answer(slack, "check Acme", user=ANA)
    assert "(didn't happen)" in brief


@pytest.mark.usefixtures("acme")
def test_the_owner_back_before_her_deputys_morning_takes_the_question_back(slack: Slack) -> None:
    # Ana is away; Ben's intent waits for Chloe, the deputy, whose day in Tokyo has ended. Ana is
    # back at lunchtime: the question is hers now, Chloe never sees it, and with no answer by
    # Ana's next working day Ben hears that he may go ahead, naming Ana.
    answer(slack, "deputy Acme <@U0CHLOE|chloe>")
    answer(slack, "away today to friday")
    said = answer(slack, "intend Acme : ben's idea", user=BEN)
    assert "I'll ask <@U0CHLOE>, who covers for the owner <@U0ANA> while away" in said
    said = answer(slack, "log Acme via call : dan's call", user=DAN)
    assert "• <@U0BEN> intends to reach out to them (since today)" in said
    assert "mentioned <@U0CHLOE>, who covers for the owner <@U0ANA> while away" in said
    at(slack, datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    (alert,) = top_level(slack)
    assert alert.text.startswith("Revolving door at Acme Corporation: <@U0DAN> and <@U0BEN>")
    said = answer(slack, "back")
    assert said.startswith(
        "Welcome back! Your time away has ended.\n"
        "While you were away, with the partners you own:\n"
        "• *Acme Corporation*: <@U0BEN> stated 1 intent (still waiting for your answer: the "
        "question is yours now); <@U0DAN> logged 1 contact; 1 revolving-door alert."
    )
    at(slack, datetime(2026, 11, 25, 12, 5, tzinfo=UTC))
    (question,) = about(slack, ANA, "would like to reach out")
    assert question.text.startswith(
        "<@U0BEN> would like to reach out to *Acme Corporation*: “ben's idea”\n"
        "You're asked because you own *Acme Corporation*."
    )
    assert about(slack, ANA, "dan's call") == []  # summed up in the answer to `back`
    at(slack, datetime(2026, 11, 26, 1, 0, tzinfo=UTC))  # 10:00 in Tokyo
    assert about(slack, CHLOE, "ben's idea") == [] and about(slack, CHLOE, "dan's call") == []
    at(slack, datetime(2026, 11, 26, 14, 5, tzinfo=UTC))  # 09:05 in New York
    (lapsed,) = about(slack, BEN, "No answer from")
    assert lapsed.text.startswith(
        "No answer from <@U0ANA> within a working day about reaching out to *Acme Corporation* "
        "(“ben's idea”), so you may go ahead."
    )
