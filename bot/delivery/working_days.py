"""A person's working days, their time away not counted: how long a question waits for them.

The one rule for everything that waits for a person's answer (a check-in's question and its
reminder, an intent's answer), in the person's time zone and the workspace's working days and
hours:

- Counting starts at `start`, or, if they are away then, at their first working moment back.
- Each working day moves the count to the same local time on their next working day that
  counts. A working day counts unless their time away covers all of its working hours: a day
  they are at work only in part (time away from noon on, or back at 11:00) counts as a day at
  work. Days they are away do not count, whenever the time away was booked; days they are at
  work before or after it count, the day before time away that starts the next morning included.
- Should the count end at a moment they are away (on a day away in part, after they left), it
  ends at their first working moment back instead: nothing that waits for them falls due or
  lapses while they are away.

Time away in whole days therefore leaves them as much working time at work as they would have
had without it. Absences are stored as moments (`storage.models.Absence`, the end exclusive):
whole local days from `/partner away`, and a partial day where it gives times or `back` ends it
early. `away` and `back` change the absences; whatever was timed by this rule is timed again.
The count reads only its arguments: the same absences give the same moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from bot.delivery.outbox import Schedule, schedule_of
from bot.delivery.working_hours import working_window, zone
from storage import absences as absence_store
from storage.models import Absence

# Absences are at most a year long: those starting this far after the start are read too.
ABSENCES_AHEAD = timedelta(days=2 * 366)


@dataclass(frozen=True)
class Counted:
    """Where counting working days ended, and the end of the last time away that moved it."""

    at: datetime
    back_at: datetime | None = None


def next_working_day(moment: datetime, *, schedule: Schedule) -> datetime:
    """The same local time on the person's next working day after `moment`'s, in UTC."""
    local = moment.astimezone(zone(schedule.tz))
    day = local.date()
    for _ in range(7):
        day += timedelta(days=1)
        if day.weekday() in schedule.hours.days:
            return datetime.combine(day, local.time(), tzinfo=local.tzinfo).astimezone(UTC)
    raise AssertionError("a week always has a working day")  # WorkingHours.of guarantees it


def working_days_later(
    start: datetime, days: int, *, schedule: Schedule, away: Sequence[Absence], key: str
) -> Counted:
    """`days` of the person's working days after `start`, their time `away` not counted (the
    module docstring); `key` spreads a return's first moment as the outbox does (`first_slot`)."""
    stretches = sorted(away, key=lambda absence: absence.starts_at)
    at, back_at = _when_back(start, stretches, schedule=schedule, key=key)
    for _ in range(days):
        at = next_working_day(at, schedule=schedule)
        while (whole_day_until := _away_all_day(at, stretches, schedule=schedule)) is not None:
            back_at = whole_day_until
            at = next_working_day(at, schedule=schedule)
    at, back_from_end = _when_back(at, stretches, schedule=schedule, key=key)
    return Counted(at=at, back_at=back_from_end or back_at)


def _away_until(moment: datetime, stretches: Sequence[Absence]) -> datetime | None:
    """When the time away that `moment` falls in ends (absences that meet or overlap taken as
    one), or None when they are not away at `moment`; `stretches` sorted by start."""
    until: datetime | None = None
    for absence in stretches:
        reached = until or moment
        if absence.starts_at > reached:
            break
        if absence.ends_at > reached:
            until = absence.ends_at
    return until


def _away_all_day(
    moment: datetime, stretches: Sequence[Absence], *, schedule: Schedule
) -> datetime | None:
    """When their time away ends, if it covers all the working hours of `moment`'s local day;
    else None (a day they are at work, if only in part)."""
    tz = zone(schedule.tz)
    opens, closes = working_window(moment.astimezone(tz).date(), tz, schedule.hours)
    until = _away_until(opens, stretches)
    return until if until is not None and until >= closes else None


def _when_back(
    moment: datetime, stretches: Sequence[Absence], *, schedule: Schedule, key: str
) -> tuple[datetime, datetime | None]:
    """`moment`, or their first working moment back if they are away then, with the end of that
    time away (None: not away)."""
    back_at: datetime | None = None
    while (until := _away_until(moment, stretches)) is not None:
        back_at = until
        moment = schedule.first_slot(until, key=key)
    return moment, back_at


def working_days_of(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    start: datetime,
    days: int,
    schedule: Schedule | None = None,
) -> Counted:
    """`working_days_later` for the user, with their absences as recorded now and their schedule
    (read here unless the caller has it)."""
    if schedule is None:
        schedule = schedule_of(session, team_id=team_id, user_id=user_id)
    away = absence_store.absences_between(
        session=session,
        team_id=team_id,
        user_id=user_id,
        start=start,
        end=start + ABSENCES_AHEAD,
    )
    return working_days_later(start, days, schedule=schedule, away=away, key=user_id)
