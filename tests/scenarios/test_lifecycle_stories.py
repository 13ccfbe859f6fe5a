"""A partner's pulse survey and check-ins across its lifecycle: a round running when the partner
is ended, merged into another that runs one too, or renamed; and what admins see when a survey
cannot reach a colleague who left. Same people, zones and clock as `test_feedback_stories`.
"""

from __future__ import annotations

from tests.conftest import START, Slack
from tests.scenarios.test_feedback import (
    BEN,
    CHLOE,
    acme,
    at,
    checkin_messages,
    inbox,
    say,
    shown,
)
from tests.scenarios.test_feedback_stories import utc
from tests.scenarios.test_home import home_of


def test_a_survey_that_cannot_reach_a_colleague_who_left_is_one_failed_delivery(
    slack: Slack,
) -> None:
    acme(slack)
    say(slack, "survey Acme now")
    at(slack, START)  # Chloe's questions wait for her Thursday morning in Tokyo
    slack.fake.users[CHLOE].deleted = True  # she leaves before they go
    at(slack, utc(26, 1))
    home = home_of(slack, "U0ANA")
    # The invitation and its four statements, refused alike: one line, not five.
    assert home.count("to <@U0CHLOE>") == 1
    assert "survey invitation and its 4 statements to <@U0CHLOE>" in home


def test_what_waits_to_go_about_a_renamed_partner_goes_under_its_new_name(slack: Slack) -> None:
    acme(slack)
    say(slack, "log Acme on yesterday via meeting : the pilot review", BEN)
    say(slack, "survey Acme now")
    at(slack, START)  # Ben (New York) and Chloe (Tokyo) are off duty: theirs wait
    assert checkin_messages(slack, BEN) == [] and inbox(slack, CHLOE) == []
    say(slack, "rename Acme to Acme Foundation")

    at(slack, utc(26, 1))  # Chloe's Thursday morning
    invitation, *statements = inbox(slack, CHLOE)
    assert "*Pulse survey: Acme Foundation*" in shown(invitation)
    assert len(statements) == 4
    assert all("Acme Foundation ·" in shown(statement) for statement in statements)
    at(slack, utc(26, 14, 1))  # Ben's Thursday morning
    (asked,) = checkin_messages(slack, BEN)
    assert "Acme Foundation" in shown(asked)
