"""A person's working days, their time away not counted: the rule, without a database.

The calendar is Berlin's in late 2026 (UTC+1), working Monday to Friday, 9–17: Monday 30 November,
Tuesday 1 December … Friday 4, the weekend, Monday 7.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.delivery.outbox import Schedule
from bot.delivery.working_days import Counted, next_working_day, working_days_later
from bot.delivery.working_hours import DEFAULT_HOURS, spread_offset
from storage.models import Absence

BERLIN = Schedule("Europe/Berlin", DEFAULT_HOURS)
THURSDAY = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)  # 10:30 in Berlin
KEY = "U0ANA"


def berlin(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Berlin wall-clock time of 2026, in UTC."""
    local = datetime(2026, month, day, hour, minute, tzinfo=ZoneInfo("Europe/Berlin"))
    return local.astimezone(UTC)


def dec(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return berlin(12, day, hour, minute)


def off(start: datetime, end: datetime) -> Absence:
    return Absence(team_id="T0ACME", user_id=KEY, starts_at=start, ends_at=end, created_at=start)


def days_off(first: int, last: int) -> Absence:
    """Away on the December days `first` to `last`, as `/partner away` records them."""
    return off(dec(first), dec(last + 1))


def later(start: datetime, days: int, *away: Absence) -> Counted:
    return working_days_later(start, days, schedule=BERLIN, away=away, key=KEY)


def first_slot(moment: datetime) -> datetime:
    """09:00 plus the person's spread: the first working moment of a morning back."""
    return moment + spread_offset(KEY)


def test_without_time_away_it_is_the_same_time_working_days_later() -> None:
    assert next_working_day(THURSDAY, schedule=BERLIN) == THURSDAY + timedelta(days=1)
    assert later(THURSDAY, 1) == Counted(at=THURSDAY + timedelta(days=1))
    assert later(THURSDAY, 2) == Counted(at=THURSDAY + timedelta(days=4))  # the weekend
    assert later(THURSDAY, 3) == Counted(at=THURSDAY + timedelta(days=5))


def test_a_day_at_work_before_time_away_starting_the_next_morning_counts() -> None:
    # The QA finding: asked on Tuesday morning, away from Wednesday on. Tuesday was a day at
    # work; the count falls on Wednesday, which they spend away, so it ends when they are back.
    asked = first_slot(dec(1, 9))
    assert later(asked, 1, days_off(2, 3)) == Counted(at=first_slot(dec(4, 9)), back_at=dec(4))
    # Later in the day the same: the same time on the next day at work.
    assert later(dec(1, 10, 30), 1, days_off(2, 3)) == Counted(at=dec(4, 10, 30), back_at=dec(4))
    # A day at work before the time away and one after it make two.
    assert later(dec(1, 10, 30), 2, days_off(2, 3)) == Counted(at=dec(7, 10, 30), back_at=dec(4))


def test_time_away_that_ended_yesterday_changes_nothing() -> None:
    last_week = off(berlin(11, 23), berlin(11, 30))
    monday = off(berlin(11, 30), dec(1))  # up to Tuesday 00:00, the count's own day
    for away in (last_week, monday):
        assert later(dec(1, 10, 30), 1, away) == Counted(at=dec(2, 10, 30))


def test_one_day_away_adds_one_working_day() -> None:
    monday = berlin(11, 30, 10, 30)
    assert later(monday, 1, days_off(1, 1)) == Counted(at=dec(2, 10, 30), back_at=dec(2))
    assert later(monday, 2, days_off(1, 1)) == Counted(at=dec(3, 10, 30), back_at=dec(2))
    # Days counted before the time away still count: Friday and Monday, then Thursday after.
    assert later(THURSDAY, 3, days_off(1, 2)) == Counted(at=dec(3, 10, 30), back_at=dec(3))


def test_a_weekend_between_is_not_a_working_day_either_way() -> None:
    # Away on Friday: Thursday's count reaches Monday.
    assert later(dec(3, 10, 30), 1, days_off(4, 4)) == Counted(at=dec(7, 10, 30), back_at=dec(5))
    # Away Friday to Monday, over the weekend: Tuesday.
    assert later(dec(3, 10, 30), 1, days_off(4, 7)) == Counted(at=dec(8, 10, 30), back_at=dec(8))
    # Away over the weekend only: nothing moves.
    assert later(dec(4, 10, 30), 1, days_off(5, 6)) == Counted(at=dec(7, 10, 30))


def test_overlapping_and_adjoining_absences_count_as_one_time_away() -> None:
    overlapping = (days_off(1, 2), days_off(2, 3))
    assert later(berlin(11, 30, 10, 30), 1, *overlapping) == Counted(
        at=dec(4, 10, 30), back_at=dec(4)
    )
    adjoining = (days_off(2, 3), days_off(1, 1))  # in any order
    assert later(berlin(11, 30, 10, 30), 1, *adjoining) == Counted(
        at=dec(4, 10, 30), back_at=dec(4)
    )
    # A morning off and an afternoon off on one day leave no working hour at work: away.
    morning, afternoon = off(dec(2), dec(2, 12)), off(dec(2, 12), dec(2, 20))
    assert later(dec(1, 10, 30), 1, afternoon, morning) == Counted(
        at=dec(3, 10, 30), back_at=dec(2, 20)
    )


def test_a_day_at_work_in_part_counts() -> None:
    # Away from Wednesday noon: Wednesday morning at work, so Wednesday counts.
    from_noon = off(dec(2, 12), dec(4))
    assert later(dec(1, 10, 30), 1, from_noon) == Counted(at=dec(2, 10, 30))
    # Counted from 15:00 it would end on Wednesday afternoon, when they are away: it ends when
    # they are back instead.
    assert later(dec(1, 15), 1, from_noon) == Counted(at=first_slot(dec(4, 9)), back_at=dec(4))
    # Back at 11:00 on Tuesday (`back`, or time away given by the hour): Tuesday counts, and a
    # count that would end at 10:30 that morning ends at 11:00, when they are back.
    until_eleven = off(dec(1), dec(1, 11))
    assert later(berlin(11, 30, 10, 30), 1, until_eleven) == Counted(
        at=dec(1, 11), back_at=dec(1, 11)
    )
    assert later(berlin(11, 30, 14), 1, until_eleven) == Counted(at=dec(1, 14))


def test_time_away_outside_working_hours_changes_nothing() -> None:
    evening_to_morning = off(dec(1, 18), dec(2, 8))
    assert later(dec(1, 10, 30), 1, evening_to_morning) == Counted(at=dec(2, 10, 30))
    # Away for all of the working hours is away, whatever the night.
    working_hours = off(dec(2, 8), dec(2, 18))
    assert later(dec(1, 10, 30), 1, working_hours) == Counted(at=dec(3, 10, 30), back_at=dec(2, 18))


def test_a_start_inside_time_away_counts_from_the_first_working_moment_back() -> None:
    back = first_slot(dec(2, 9))
    assert later(dec(1, 10), 1, days_off(1, 1)) == Counted(
        at=back + timedelta(days=1), back_at=dec(2)
    )
    # Back on a Saturday: the count starts on Monday morning.
    assert later(dec(3, 10), 1, off(dec(3), dec(5))) == Counted(
        at=first_slot(dec(8, 9)), back_at=dec(5)
    )


def test_time_away_after_the_count_changes_nothing() -> None:
    assert later(THURSDAY, 1, days_off(4, 4)) == Counted(at=THURSDAY + timedelta(days=1))
    # Nor the day it ends on, when they are away only after that moment.
    assert later(THURSDAY, 1, off(berlin(11, 27, 12), dec(1))) == Counted(
        at=THURSDAY + timedelta(days=1)
    )


def test_the_count_is_the_same_for_the_same_absences() -> None:
    away = (days_off(2, 3), off(dec(7, 12), dec(9)), days_off(1, 1))
    assert later(berlin(11, 30, 15), 3, *away) == later(berlin(11, 30, 15), 3, *reversed(away))
