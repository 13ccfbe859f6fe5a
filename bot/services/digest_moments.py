"""The weekly digest's moments: when, in UTC, a schedule (`config digest DAY HH:MM` in the
workspace's zone) falls due, and the key that names each week's digest.

Apart from `bot.services.digest` so that the settings service can tell, when the schedule
changes, which of the new schedule's moments has already passed, and say when the digest goes
next with the very function the planner sends it by (`digest_moment`).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from bot.services.workspace_settings import Digest

WEEK = timedelta(days=7)
# How long after its moment a digest may still go out (a restart, a planner that was down).
CATCH_UP = timedelta(hours=24)


def weeks_from(moment: datetime, weeks: int, *, tz: ZoneInfo) -> datetime:
    """`moment` moved by `weeks` calendar weeks in `tz`: the same local time on the same weekday,
    which is a week of 167 or 169 hours across a change of clocks (QA: a digest's week read
    "Mon 19 Oct 10:00 – Mon 26 Oct 09:00" in Berlin, and the first one missed an hour)."""
    local = moment.astimezone(tz)
    # Arithmetic on a zoned datetime keeps its wall-clock time; the offset is the new day's.
    shifted = datetime.combine(local.date() + weeks * WEEK, local.time(), tzinfo=tz)
    return shifted.replace(fold=local.fold).astimezone(UTC)


def latest_moment(now: datetime, *, weekday: int, at: time, tz: ZoneInfo) -> datetime:
    """The latest digest moment at or before `now`: `weekday` at `at`, local time in `tz`."""
    today = now.astimezone(tz).date()
    day = today - timedelta(days=(today.weekday() - weekday) % 7)
    moment = datetime.combine(day, at, tzinfo=tz).astimezone(UTC)
    if moment > now:
        moment = datetime.combine(day - WEEK, at, tzinfo=tz).astimezone(UTC)
    return moment


def next_moment(now: datetime, *, weekday: int, at: time, tz: ZoneInfo) -> datetime:
    """The first digest moment after `now` (a week after the latest one, in local time)."""
    latest = latest_moment(now, weekday=weekday, at=at, tz=tz)
    return datetime.combine(latest.astimezone(tz).date() + WEEK, at, tzinfo=tz).astimezone(UTC)


def due_moment(now: datetime, schedule: Digest, tz: ZoneInfo) -> datetime | None:
    """The digest moment that is due at `now` (None: none within `CATCH_UP`)."""
    moment = latest_moment(now, weekday=schedule.weekday, at=schedule.at, tz=tz)
    return moment if now - moment < CATCH_UP else None


def digest_key(moment: datetime, tz: ZoneInfo) -> str:
    """One digest per workspace per week: the key names the digest's local day."""
    return f"digest:{moment.astimezone(tz):%Y-%m-%d}"


def decided_already(key: str, decided: str | None) -> bool:
    """Whether the digest named `key` was decided (sent, found quiet, or never due): the day of
    the last one decided, or an earlier day. One digest per day and never back to a day behind
    the last (after a change of zone, a day may come round again in the new zone's dates)."""
    # Keys name ISO dates, so they sort as the days do.
    return decided is not None and key <= decided


def digest_moment(
    now: datetime, schedule: Digest, tz: ZoneInfo, *, decided: str | None
) -> datetime:
    """The moment the digest of `schedule` goes: the one due at `now` if not decided yet (it goes
    at once), else `following_moment`. The planner sends a digest when this is not after `now`,
    and `config` names it when it is: one function, so what is said and what happens agree (QA:
    after Monday's digest, `config digest mon 18:00` promised another that day, never sent)."""
    due = due_moment(now, schedule, tz)
    if due is not None and not decided_already(digest_key(due, tz), decided):
        return due
    return following_moment(now, schedule, tz, decided=decided)


def following_moment(
    after: datetime, schedule: Digest, tz: ZoneInfo, *, decided: str | None
) -> datetime:
    """The first moment after `after` whose digest was not decided: next week's, when this
    week's day already had its digest."""
    moment = next_moment(after, weekday=schedule.weekday, at=schedule.at, tz=tz)
    while decided_already(digest_key(moment, tz), decided):
        moment = next_moment(moment, weekday=schedule.weekday, at=schedule.at, tz=tz)
    return moment
