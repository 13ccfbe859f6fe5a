"""A person's working days, their time away not counted: the rule, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.delivery.outbox import Schedule
from bot.delivery.working_days import Counted, next_working_day, working_days_later
from bot.delivery.working_hours import DEFAULT_HOURS, spread_offset
from storage.models import Absence

BERLIN = Schedule("Europe/Berlin", DEFAULT_HOURS)
THURSDAY = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)  # 10:30 in Berlin
KEY = "U0ANA"


def off(start: datetime, end: datetime) -> Absence:
    return Absence(team_id="T0ACME", user_id=KEY, starts_at=start, ends_at=end, created_at=start)


def berlin_day(day: int) -> tuple[datetime, datetime]:
    """A whole December day in Berlin, midnight to midnight."""
    start = datetime(2026, 11, 30, 23, 0, tzinfo=UTC) + timedelta(days=day - 1)
    return start, start + timedelta(days=1)


def later(start: datetime, days: int, *away: Absence) -> Counted:
    return working_days_later(start, days, schedule=BERLIN, away=away, key=KEY)


def test_without_time_away_it_is_the_same_time_working_days_later() -> None:
    assert next_working_day(THURSDAY, schedule=BERLIN) == THURSDAY + timedelta(days=1)
    assert later(THURSDAY, 1) == Counted(at=THURSDAY + timedelta(days=1))
    assert later(THURSDAY, 2) == Counted(at=THURSDAY + timedelta(days=4))  # the weekend
    assert later(THURSDAY, 3) == Counted(at=THURSDAY + timedelta(days=5))


def test_a_day_spent_away_even_in_part_starts_again_when_they_are_back() -> None:
    tuesday, wednesday = berlin_day(1), berlin_day(2)
    monday = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
    back_at = wednesday[1]  # Thursday 00:00 in Berlin
    back = datetime(2026, 12, 3, 8, 0, tzinfo=UTC) + spread_offset(KEY)  # 09:0x in Berlin
    counted = later(monday, 1, off(tuesday[0], back_at))
    assert counted == Counted(at=back + timedelta(days=1), back_at=back_at)
    # Days counted before the time away still count: Friday and Monday, then Friday after.
    assert later(THURSDAY, 3, off(tuesday[0], back_at)).at == back + timedelta(days=1)


def test_a_start_inside_time_away_counts_from_the_first_working_moment_back() -> None:
    start, end = berlin_day(1)
    back = datetime(2026, 12, 2, 8, 0, tzinfo=UTC) + spread_offset(KEY)
    assert later(start + timedelta(hours=10), 1, off(start, end)) == Counted(
        at=back + timedelta(days=1), back_at=end
    )


def test_time_away_after_the_count_changes_nothing() -> None:
    start, end = berlin_day(4)  # Friday 4 Dec
    assert later(THURSDAY, 1, off(start, end)) == Counted(at=THURSDAY + timedelta(days=1))
