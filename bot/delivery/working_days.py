"""A person's working days, their time away not counted: how long a question waits for them.

The one rule for everything that waits for a person's answer (a check-in's question and its
reminder, an intent's answer): counting starts at their first working moment at or after the
start when they are not away; a working day counts when they are present through all of it (from
where the count stands to the same local time on their next working day); a day they spend away,
even in part, does not count, and the count picks up again at their first working moment back.
So someone who comes back always has a whole working day before anything that waited for them
lapses. `away` and `back` change the absences; whatever was timed by this rule is timed again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from bot.delivery.outbox import Schedule, schedule_of
from bot.delivery.working_hours import zone
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
    at, back_at, left = start, None, days
    while left > 0:
        following = next_working_day(at, schedule=schedule)
        interrupting = next(
            (a for a in stretches if a.starts_at < following and a.ends_at > at), None
        )
        if interrupting is None:
            at, left = following, left - 1
        else:  # the day does not count: it starts again when they are back
            back_at = interrupting.ends_at
            at = schedule.first_slot(interrupting.ends_at, key=key)
    return Counted(at=at, back_at=back_at)


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
