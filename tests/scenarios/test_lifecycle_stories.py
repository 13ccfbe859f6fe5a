"""A partner's pulse survey and check-ins across its lifecycle: a round running when the partner
is ended, merged into another that runs one too, or renamed; and what admins see when a
survey cannot reach a colleague who left.

Signed commands, clicks and events go through the real app; DMs are queued by the real planners
and sent by the dispatcher to the fake Slack over HTTP. The clock starts on Wednesday 25 Nov
2026, 09:00 UTC: Berlin 10:00 (Ana), London 09:00 (Dan), New York 04:00 (Ben), Tokyo 18:00
(Chloe).
"""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import START, Slack
from tests.scenarios.test_feedback import CHLOE, acme, at, say
from tests.scenarios.test_home import home_of


def utc(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


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
