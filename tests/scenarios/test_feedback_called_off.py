"""A meeting as the colleagues on it see their check-ins: a plan its author says didn't happen,
closed where they were asked already and asked again when the author takes the answer back; a
meeting logged without a time, on its day in every zone.

The clock starts on Wednesday 25 Nov 2026, 09:00 UTC; Dan (London) plans Thursday's meeting with
Chloe (Tokyo) and Ben (New York).
"""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import Slack
from tests.scenarios.test_feedback import (
    BEN,
    CHLOE,
    DAN,
    MENTION,
    _has_action,
    acme,
    at,
    checkin_messages,
    click,
    current,
    inbox,
    say,
    send,
    shown,
)
from tests.scenarios.test_home import home_of


def planned_and_called_off(slack: Slack) -> None:
    acme(slack, team=())
    say(
        slack,
        f"plan Acme on thursday 10:00 with {MENTION[CHLOE]} {MENTION[BEN]} via meeting : kick-off",
        DAN,
    )
    at(slack, datetime(2026, 11, 27, 0, 15, tzinfo=UTC))  # Friday morning in Tokyo: Chloe asked
    at(slack, datetime(2026, 11, 27, 10, 5, tzinfo=UTC))  # in London: Dan; still night in NY
    (dans,) = checkin_messages(slack, DAN)
    click(slack, DAN, dans, "checkin_answer_didnt_happen")


def test_a_colleagues_card_says_the_author_called_the_meeting_off(slack: Slack) -> None:
    planned_and_called_off(slack)
    (chloes,) = checkin_messages(slack, CHLOE)
    card = shown(current(slack, chloes))
    # Her card no longer asks a question nobody wants answered, nor promises another message.
    assert not _has_action(current(slack, chloes), "checkin_answer_went_well")
    assert "<@U0DAN>, who planned it, says it didn't happen: there is nothing to answer." in card
    assert "another message" not in card


def test_the_author_taking_back_didnt_happen_asks_the_colleagues_again(slack: Slack) -> None:
    planned_and_called_off(slack)
    (dans,) = checkin_messages(slack, DAN)
    click(slack, DAN, current(slack, dans), "checkin_change")
    click(slack, DAN, current(slack, dans), "checkin_answer_went_well")

    # The meeting took place after all: Chloe's card asks again, and Ben, whose question was
    # withdrawn before his morning, gets it in his morning.
    (chloes,) = checkin_messages(slack, CHLOE)
    assert _has_action(current(slack, chloes), "checkin_answer_went_well")
    at(slack, datetime(2026, 11, 27, 14, 15, tzinfo=UTC))  # Friday 09:15 in New York
    (bens,) = checkin_messages(slack, BEN)
    assert "How did your meeting with *Acme* on Thu 26 Nov go?" in shown(bens)
    click(slack, BEN, bens, "checkin_answer_went_well")
    assert "You answered: *✅ Went well*." in shown(current(slack, bens))


def test_a_meeting_logged_without_a_time_is_on_its_day_for_readers_in_every_zone(
    slack: Slack,
) -> None:
    # Ben, in New York before dawn on Wednesday, logs yesterday's dinner: Tuesday 24 Nov for
    # him, and for Chloe in Tokyo (the owner) and Dan, though it sits at noon in New York,
    # Wednesday already in Tokyo.
    acme(slack, team=(CHLOE, DAN))
    say(slack, f"owner Acme {MENTION[CHLOE]}")
    say(
        slack,
        f"log Acme with {MENTION[CHLOE]} {MENTION[DAN]} on yesterday via meeting : dinner",
        BEN,
    )
    at(slack, datetime(2026, 11, 26, 0, 30, tzinfo=UTC))  # Thursday morning in Tokyo
    (chloes,) = checkin_messages(slack, CHLOE)
    assert "How did your meeting with *Acme* on Tue 24 Nov go?" in shown(chloes)
    assert "How did the meeting with *Acme* on Tue 24 Nov go?" in home_of(slack, CHLOE)

    at(slack, datetime(2026, 11, 26, 9, 30, tzinfo=UTC))  # in London
    (dans,) = checkin_messages(slack, DAN)
    click(slack, DAN, dans, "checkin_answer_problem")
    at(slack, datetime(2026, 11, 27, 0, 30, tzinfo=UTC))  # Chloe's Friday morning
    told = [m.text for m in inbox(slack, CHLOE)]
    assert any("Debrief of the meeting with *Acme* on Tue 24 Nov" in text for text in told)
    assert any(
        "<@U0DAN> reports a *problem* with the meeting with *Acme* on Tue 24 Nov." in text
        for text in told
    )


def test_a_plan_closed_by_ending_its_partner_is_not_asked_about_once_it_reopens(
    slack: Slack,
) -> None:
    acme(slack, team=(CHLOE,))
    say(slack, f"plan Acme on thursday 10:00 with {MENTION[CHLOE]} via meeting : kick-off", DAN)
    say(slack, "status Acme ended")  # its plans ahead are called off, for good
    say(slack, "status Acme active")
    at(slack, datetime(2026, 11, 27, 0, 5, tzinfo=UTC))  # Friday morning in Tokyo
    at(slack, datetime(2026, 11, 27, 10, 5, tzinfo=UTC))  # and in London
    assert checkin_messages(slack, CHLOE) == []
    assert checkin_messages(slack, DAN) == []


def test_a_plan_called_off_then_moved_tells_the_colleagues_it_moved(slack: Slack) -> None:
    planned_and_called_off(slack)
    (dans,) = checkin_messages(slack, DAN)
    click(slack, DAN, current(slack, dans), "checkin_change")
    click(slack, DAN, current(slack, dans), "checkin_moved")
    form = slack.fake.open_modals(DAN)[-1]
    values = {"date": {"value": {"type": "datepicker", "selected_date": "2026-12-03"}}}
    send(slack, slack.requests.view_submission(user_id=DAN, view=form, values=values))
    (chloes,) = checkin_messages(slack, CHLOE)
    card = shown(current(slack, chloes))
    assert "This meeting moved to Thu 3 Dec; I'll ask you how it went after that day." in card
    assert "didn't happen" not in card
