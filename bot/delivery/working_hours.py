"""When a person may be messaged: their time zone, the workspace's work days and hours.

Pure functions. A message due inside the recipient's working window goes at once; one due
outside waits for the start of the next window, spread over its first minutes (deterministically,
from a key: the outbox's is the recipient, so one person's messages share one slot and go in the
order they were queued) so a night's backlog does not arrive as one burst at 09:00.

A message a planner times for "the next working morning" (a check-in asked by default, a
commitment's reminder, a scheduled pulse round's questions) is due at the very moment a window
opens: inside it, so without more it would go at once, every such message of a morning in one
zone in the same second. Such a message is queued `at_opening`, and is spread as one due just
before the window. The moment alone cannot tell it: a check-in after `config checkin-delay`
ending at 09:00, or a DM queued at 09:00:00 for now, is due at that moment and keeps it. The
planners' own times (a check-in's `due_at`, the outbox's due time) stay the window's start; only
when the message goes (`next_send_time`, the outbox's `available_at`) is spread.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from storage.models import UserProfile, Workspace

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# How far into the window deferred messages are spread.
SPREAD = timedelta(minutes=15)


@dataclass(frozen=True)
class WorkingHours:
    """Work days (0 = Monday) and the hours of the working window, end exclusive (1–24)."""

    days: frozenset[int]
    start_hour: int
    end_hour: int

    @classmethod
    def of(cls, workspace: Workspace | None) -> WorkingHours:
        """The workspace's settings, or the defaults (Mon–Fri 9–17) where they make no sense."""
        if workspace is None:
            return DEFAULT_HOURS
        return cls.parse(workspace.work_days, workspace.work_start_hour, workspace.work_end_hour)

    @classmethod
    def parse(cls, work_days: str, start: int, end: int) -> WorkingHours:
        """Settings as stored (`config days`, `config hours`), or the defaults where they make no
        sense."""
        days = parse_days(work_days)
        if not days or not 0 <= start < end <= 24:
            return DEFAULT_HOURS
        return cls(days=days, start_hour=start, end_hour=end)


DEFAULT_HOURS = WorkingHours(days=frozenset(range(5)), start_hour=9, end_hour=17)


def parse_days(text: str) -> frozenset[int]:
    """'mon,tue,wed' or 'mon-fri' (or a mix) as weekday numbers; unknown names are ignored."""
    days: set[int] = set()
    for part in text.lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first[:3] not in DAY_NAMES:
            continue
        start = DAY_NAMES.index(first[:3])
        end = DAY_NAMES.index(last[:3]) if last[:3] in DAY_NAMES else start
        days.update((start + step) % 7 for step in range((end - start) % 7 + 1))
    return frozenset(days)


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone `name`, or UTC when it is missing or unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def person_tz(profile: UserProfile | None, workspace: Workspace | None) -> str | None:
    """A person's zone: their cached Slack profile's, else the workspace's `config timezone`."""
    return zone_or_workspace(profile.tz if profile is not None else None, workspace)


def zone_or_workspace(tz: str | None, workspace: Workspace | None) -> str | None:
    """`tz` (a person's zone as cached), else the workspace's `config timezone`."""
    if tz:
        return tz
    return workspace.timezone if workspace is not None else None


def spread_offset(key: str, spread: timedelta = SPREAD) -> timedelta:
    """A stable offset in [0, spread) for `key`, whole seconds."""
    seconds = int(spread.total_seconds())
    if seconds <= 0:
        return timedelta(0)
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return timedelta(seconds=int.from_bytes(digest[:8], "big") % seconds)


def working_window(day: date, tz: ZoneInfo, hours: WorkingHours) -> tuple[datetime, datetime]:
    """The working window of the local `day` in `tz`, start and (exclusive) end, in UTC."""
    start = datetime.combine(day, time(hours.start_hour), tzinfo=tz).astimezone(UTC)
    if hours.end_hour == 24:
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    else:
        end = datetime.combine(day, time(hours.end_hour), tzinfo=tz).astimezone(UTC)
    return start, end


def next_send_time(
    moment: datetime,
    *,
    tz: str | None,
    hours: WorkingHours = DEFAULT_HOURS,
    key: str,
    spread: timedelta = SPREAD,
    at_opening: bool = False,
) -> datetime:
    """The first moment at or after `moment` (aware) when the person may be messaged, in UTC.

    Inside a working window: `moment` itself. Otherwise the start of the next window in the
    person's zone `tz`, plus an offset from `key` within the first `spread` of the window; so
    too, `at_opening` (a planner's "next working morning": module docstring), for a `moment`
    that is a window's very start.
    """
    if moment.tzinfo is None:
        raise ValueError("next_send_time needs an aware datetime")
    moment = moment.astimezone(UTC)
    local_zone = zone(tz)
    today = moment.astimezone(local_zone).date()
    for ahead in range(8):
        day = today + timedelta(days=ahead)
        if day.weekday() not in hours.days:
            continue
        start, end = working_window(day, local_zone, hours)
        if start <= moment < end and not (at_opening and moment == start):
            return moment
        if moment <= start:
            # Worked out only here: most messages are due inside a window (the dispatcher asks
            # again for every row it claims).
            window_length = timedelta(hours=hours.end_hour - hours.start_hour)
            return start + spread_offset(key, min(spread, window_length / 4))
    raise AssertionError("a week always has a working day")  # WorkingHours.of guarantees it
