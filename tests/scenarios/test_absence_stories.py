"""Time away as a checker meets it, through the real app and the fake Slack: who covers an
owner's alerts, what happens to pulse-survey questions held for someone away (released by
`back`, dropped once the survey closes), time away booked over time away, and `back` typed
early, outside one's own working hours.

The clock starts on Wednesday 25 Nov 2026, 09:00 UTC: 10:00 for Ana (Berlin), 04:00 for Ben
(New York), 18:00 for Chloe (Tokyo), 09:00 for Dan (London). A survey started then closes a
week later, Wednesday 2 Dec at 09:00 UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from storage.models import Absence, OutboxMessage, OutboxStatus
from tests.conftest import START, Slack
from tests.scenarios.test_absence import notes_of
from tests.scenarios.test_feedback import acme, at, inbox, questions, say
from tests.scenarios.test_partners import ANA, BEN, CHLOE, DAN
from tests.scenarios.test_touchpoints import acme as acme_without_team  # noqa: F401 (fixture)

CLOSED = datetime(2026, 12, 2, 9, 5, tzinfo=UTC)


def outbox_to(slack: Slack, user: str) -> list[OutboxMessage]:
    with Session(slack.runtime.engine) as session:
        found = session.exec(select(OutboxMessage).where(OutboxMessage.recipient_user == user))
        return list(found)


def asked_while_away(slack: Slack, *away_lines: str, user: str = DAN) -> None:
    """Acme with its team; `user` books each of `away_lines`; Ana starts a survey round, and
    the Wednesday morning's tick sends what may go."""
    acme(slack)
    for line in away_lines:
        say(slack, line, user=user)
    say(slack, "survey Acme now")
    at(slack, START)


@pytest.mark.usefixtures("acme_without_team")
def test_the_partners_deputy_covers_before_the_deputy_named_for_the_time_away(
    slack: Slack,
) -> None:
    say(slack, "deputy Acme <@U0DAN|dan>")
    say(slack, "away today to friday deputy <@U0BEN|ben>")

    say(slack, "log Acme via call : first call while Ana is away", user=CHLOE)
    at(slack, START)

    # Dan, Acme's own deputy, is here (09:00 in London): he covers, not Ben, not Ana.
    assert len(notes_of(slack, "first call while Ana is away", user=DAN)) == 1
    assert notes_of(slack, "first call while Ana is away", user=BEN) == []
    assert notes_of(slack, "first call while Ana is away", user=ANA) == []

    # With Dan away too, the deputy Ana named covers, in his own morning.
    say(slack, "away today to friday", user=DAN)
    say(slack, "log Acme via call : second call", user=CHLOE)
    at(slack, START.replace(hour=14, minute=20))  # 09:20 in New York
    assert len(notes_of(slack, "second call", user=BEN)) == 1
    assert notes_of(slack, "second call", user=DAN) == []


def test_questions_held_for_someone_away_go_once_they_type_back(slack: Slack) -> None:
    asked_while_away(slack, "away today to 2026-12-01")
    assert questions(slack, DAN) == []
    held = [m for m in outbox_to(slack, DAN) if m.status == OutboxStatus.PENDING]
    assert held and all(m.held for m in held)

    said = say(slack, "back", user=DAN)
    assert "Welcome back" in said
    at(slack, START.replace(hour=9, minute=30))
    assert len(questions(slack, DAN)) == 4


def test_questions_held_past_the_surveys_close_are_dropped_not_sent_late(slack: Slack) -> None:
    asked_while_away(slack, "away today to 2026-12-04")
    at(slack, CLOSED)
    at(slack, datetime(2026, 12, 7, 9, 30, tzinfo=UTC))  # Dan's Monday morning, back
    say(slack, "back", user=DAN)
    at(slack, datetime(2026, 12, 7, 10, 0, tzinfo=UTC))

    assert questions(slack, DAN) == []
    survey_rows = [m for m in outbox_to(slack, DAN) if m.kind.startswith("survey")]
    assert survey_rows and {m.status for m in survey_rows} == {OutboxStatus.CANCELLED}


def test_time_away_booked_over_time_away_holds_until_the_later_end_and_back_ends_it_all(
    slack: Slack,
) -> None:
    acme(slack)
    say(slack, "away today to friday", user=DAN)
    said = say(slack, "away thursday to 2026-12-01", user=DAN)
    assert (
        "Your time away from *Wed 25 Nov* to *Fri 27 Nov* overlapped it; it now stays on "
        "*Wed 25 Nov* only." in said
    ), said
    say(slack, "survey Acme now")
    at(slack, START)
    at(slack, datetime(2026, 11, 30, 9, 30, tzinfo=UTC))  # Monday: still away (until Tue)
    assert questions(slack, DAN) == []

    say(slack, "back", user=DAN)
    at(slack, datetime(2026, 11, 30, 9, 40, tzinfo=UTC))
    assert len(questions(slack, DAN)) == 4
    assert "You have no time away planned." in say(slack, "away", user=DAN)


def test_back_typed_early_before_ones_own_hours_sends_at_the_start_of_them(
    slack: Slack,
) -> None:
    acme(slack)
    say(slack, "away today to friday", user=BEN)
    say(slack, "survey Acme now")
    at(slack, START.replace(hour=14, minute=20))  # 09:20 in New York: Ben away
    assert questions(slack, BEN) == []

    slack.runtime.clock.set(datetime(2026, 11, 26, 8, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    said = say(slack, "back", user=BEN)  # 03:00 in New York, Thursday
    assert "Welcome back" in said
    at(slack, datetime(2026, 11, 26, 8, 5, tzinfo=UTC))
    assert questions(slack, BEN) == []  # not in his night
    at(slack, datetime(2026, 11, 26, 14, 20, tzinfo=UTC))  # 09:20 in New York
    assert len(questions(slack, BEN)) == 4
    for message in inbox(slack, BEN):
        sent = datetime.fromtimestamp(float(message.ts), tz=UTC)
        assert sent >= datetime(2026, 11, 26, 14, 0, tzinfo=UTC)


def test_questions_held_for_time_away_that_ends_on_its_own_go_on_the_first_morning_back(
    slack: Slack,
) -> None:
    asked_while_away(slack, "away today to friday")
    at(slack, datetime(2026, 11, 28, 12, 0, tzinfo=UTC))  # Saturday: back, but no working day
    assert questions(slack, DAN) == []
    at(slack, datetime(2026, 11, 30, 9, 20, tzinfo=UTC))  # Monday 09:20 in London
    assert len(questions(slack, DAN)) == 4


def test_time_away_over_the_night_berlin_falls_back_is_whole_local_days(slack: Slack) -> None:
    slack.runtime.clock.set(datetime(2026, 10, 20, 9, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    say(slack, "list")  # Ana's zone (Berlin) is known
    said = say(slack, "away 2026-10-24 to 2026-10-26")
    assert "from *Sat 24 Oct* to *Mon 26 Oct*" in said, said
    with Session(slack.runtime.engine) as session:
        (absence,) = session.exec(select(Absence))
    # Midnight CEST to midnight CET: 73 hours, not 72.
    assert absence.starts_at.replace(tzinfo=UTC) == datetime(2026, 10, 23, 22, 0, tzinfo=UTC)
    assert absence.ends_at.replace(tzinfo=UTC) == datetime(2026, 10, 26, 23, 0, tzinfo=UTC)


def test_check_tells_the_team_who_covers_while_the_owner_is_away(slack: Slack) -> None:
    acme(slack)  # Ana owns it; Ben, Chloe and Dan are on its team
    say(slack, "deputy Acme <@U0DAN|dan>")
    say(slack, "away today to friday")

    # Dan, the deputy, covers: what would wait for Ana comes to him.
    assert (
        "Its owner <@U0ANA> is away through Fri 27 Nov and you cover for them: colleagues' "
        "heads-ups about *Acme* come to you." in say(slack, "check Acme", user=DAN)
    )
    assert (
        "You're on its team and its owner <@U0ANA> is away through Fri 27 Nov: keep <@U0DAN>, "
        "who covers for them, in the loop." in say(slack, "check Acme", user=CHLOE)
    )
    say(slack, "back")
    assert "You're on its team: keep the owner in the loop." in say(slack, "check Acme", user=DAN)


def test_check_tells_the_owner_away_who_covers_for_them(slack: Slack) -> None:
    acme(slack)  # Ana owns it; Ben, Chloe and Dan are on its team
    say(slack, "away today to friday")
    assert (
        "You own it and are away through Fri 27 Nov, with nobody covering: colleagues' "
        "heads-ups wait for your return." in say(slack, "check Acme")
    )
    say(slack, "deputy Acme <@U0DAN|dan>")
    said = say(slack, "check Acme")
    assert (
        "You own it and are away through Fri 27 Nov: <@U0DAN> covers for you, and colleagues' "
        "heads-ups go to them until you are back." in said
    )
    assert "colleagues check with you" not in said
    say(slack, "back")
    assert "You own it: colleagues check with you before" in say(slack, "check Acme")
