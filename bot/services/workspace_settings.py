"""Workspace settings (`/partner config`): each read from what people type, who may change them,
and what `config` shows.

Every setting is a column of `Workspace`, read afresh wherever it takes effect (nothing caches
it), so a change applies from the next message, alert or round on:

- channel: where collision alerts (`bot.services.touchpoints`), survey results
  (`bot.services.surveys`) and the weekly digest go, unless a partner has its own channel; with
  none set, `LIAISON_DEFAULT_CHANNEL`; one known to refuse Liaison is passed over for the next
  (`bot.services.channels`).
- window: how many calendar days apart two contacts with one partner may be and still collide
  (`bot.collisions`), and how far back `check` shows intents (`bot.services.touchpoints`).
- hours, days: when direct messages may go, in each person's own zone
  (`bot.delivery.working_hours`, when queued and again when sent); what already waits is timed
  again at the change (`bot.delivery.outbox.retime_for_hours`), so earlier hours are used too;
  first, a check-in asked "the next working morning" is due at that morning under the new hours
  (`Redue`, `bot.services.checkins.redue_for_hours`).
- timezone: the zone of people whose Slack zone Liaison does not know, of the pulse schedule, of
  the digest, and the calendar whose days the coordination window counts (`bot.collisions`).
- pulse: scheduled survey rounds (`bot.services.surveys`); `survey NAME now` works regardless.
- checkin-delay: hours after a meeting before its check-in, or None for the next working morning
  (`bot.services.checkins`).
- anonymity: the fewest respondents a round's scores and comments are shown with.
- digest: the weekly digest's day and time in the workspace's zone, or off (`digest_schedule`).

Admins are the Slack workspace's admins and owners (from the `users.info` cache) plus the
`config admins` list. `config admins @a @b` replaces the list as a whole; Slack admins are not on
it and cannot be removed, so a workspace always keeps a way back in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Protocol
from zoneinfo import ZoneInfo, available_timezones

from rapidfuzz import fuzz, process
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import Clock
from bot.delivery.outbox import enqueue, retime_for_hours, withdraw
from bot.delivery.working_hours import DAY_NAMES, WorkingHours, zone
from bot.services import people
from bot.services.channels import Channels, Route, route
from bot.services.digest_moments import (
    decided_already,
    digest_key,
    digest_moment,
    due_moment,
    following_moment,
)
from bot.services.feedback import DEFAULT_ANONYMITY, Cadence, Rendered
from bot.services.people import PeopleToLookUp
from bot.services.registry import Actor
from bot.services.surveys import INVITATION, QUESTION
from storage import health as health_store
from storage import partners as partner_store
from storage import people as people_store
from storage import workspaces as store
from storage.models import Workspace
from storage.outbox import CHANNEL_HELLO, DeliverySummary, failed_deliveries

# Re-exported: what the Slack surface reads a typed channel into (`channel_update`).
from storage.workspaces import SettingsUpdate as SettingsUpdate


class Setting(StrEnum):
    """The settings `config` can change, by the word that names them."""

    CHANNEL = "channel"
    WINDOW = "window"
    HOURS = "hours"
    DAYS = "days"
    PULSE = "pulse"
    CHECKIN_DELAY = "checkin-delay"
    ANONYMITY = "anonymity"
    DIGEST = "digest"
    TIMEZONE = "timezone"
    ADMINS = "admins"


# What each setting accepts, inclusive.
WINDOW_DAYS = (1, 90)
CHECKIN_DELAY_HOURS = (0, 168)
# Below 2, a round with one answer would show that person's scores.
ANONYMITY = (2, 20)
# `Workspace.digest_day` of a workspace that turned the digest off (`digest_time` is kept).
DIGEST_OFF = "off"
# Words that put the check-in delay back to "the next working morning".
MORNING_WORDS = ("morning", "default")
# How many failed deliveries `config` lists for admins (the rest: `liaison outbox --failed`).
FAILED_SHOWN = 5
# How many of the latest failed rows are read to fill those lines (and Home's): the messages
# queued with another (a survey's statements, a digest's thread replies) fold into its line,
# so five rows may make one line while an older failure with room would stay hidden.
FAILED_READ = 200


class Problem(StrEnum):
    UNKNOWN_SETTING = "unknown_setting"
    NOT_A_NUMBER = "not_a_number"
    OUT_OF_RANGE = "out_of_range"
    REVEALS_PEOPLE = "reveals_people"
    BAD_HOURS = "bad_hours"
    HOURS_ORDER = "hours_order"
    PART_HOURS = "part_hours"
    BAD_DAYS = "bad_days"
    BAD_CADENCE = "bad_cadence"
    BAD_DIGEST = "bad_digest"
    BAD_TIME = "bad_time"
    # `config digest fri 16:00 Europe/Berlin`: the digest follows `config timezone`.
    DIGEST_ZONE = "digest_zone"
    # `config timezone UTC+2`: an offset, not a zone.
    OFFSET_ZONE = "offset_zone"
    # `config timezone EST`: an abbreviation, with the zones it most likely means.
    ABBREVIATED_ZONE = "abbreviated_zone"
    # `config timezone CET` (EET, EST5EDT…): an old name IANA keeps for old systems, with rules
    # for summer time of its own, and the zones of places it most likely means.
    LEGACY_ZONE = "legacy_zone"
    # `config timezone GMT` (HST…): such an old name for a fixed time, with no summer time.
    FIXED_ZONE = "fixed_zone"
    UNKNOWN_ZONE = "unknown_zone"


class BadSetting(ValueError):
    """A value a setting does not take; nothing was changed. `value` is what was typed;
    `suggestions` are close matches (settings, time zones, whole hours)."""

    def __init__(
        self,
        setting: Setting | None,
        problem: Problem,
        value: str,
        *,
        suggestions: Sequence[str] = (),
        zone_refused: BadSetting | None = None,
    ) -> None:
        super().__init__(f"{setting}: {problem} ({value!r})")
        self.setting = setting
        self.problem = problem
        self.value = value
        self.suggestions = tuple(suggestions)
        # DIGEST_ZONE: `config timezone`'s refusal of the zone typed (`fri 16:00 GMT`), if any.
        self.zone_refused = zone_refused


@dataclass(frozen=True)
class Admins:
    """Who may change settings: Slack admins Liaison knows of, and the `config admins` list."""

    slack: tuple[str, ...]
    listed: tuple[str, ...]

    @property
    def everyone(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.slack, *self.listed)))


class NotAnAdmin(Exception):
    """Only admins change settings; `admins` says who can."""

    def __init__(self, admins: Admins) -> None:
        super().__init__("only admins may change workspace settings")
        self.admins = admins


@dataclass(frozen=True)
class Digest:
    """When the weekly digest goes: a weekday (0 = Monday) and a time, in the workspace's zone."""

    weekday: int
    at: time


def digest_schedule(day: str, at: str) -> Digest | None:
    """The digest's schedule from `Workspace.digest_day`/`digest_time`; None when it is off.

    A stored value that makes no sense falls back to the default, Monday 09:00.
    """
    if day.strip().lower() == DIGEST_OFF:
        return None
    weekday = DAY_NAMES.index(day[:3].lower()) if day[:3].lower() in DAY_NAMES else 0
    try:
        moment = time.fromisoformat(at)
    except ValueError:
        moment = time(9, 0)
    return Digest(weekday=weekday, at=moment.replace(second=0, microsecond=0))


@dataclass(frozen=True, kw_only=True)
class Values:
    """A workspace's settings as they take effect (the defaults where it has none)."""

    coordination_channel: str | None
    window_days: int
    hours: WorkingHours
    timezone: str
    pulse: Cadence
    checkin_delay_hours: int | None
    anonymity_threshold: int
    digest: Digest | None

    @classmethod
    def of(cls, workspace: Workspace | None, *, team_id: str) -> Values:
        row = workspace or Workspace(team_id=team_id)
        return cls(
            coordination_channel=row.coordination_channel,
            window_days=row.window_days,
            hours=WorkingHours.of(row),
            timezone=row.timezone,
            pulse=Cadence.stored(row.pulse_cadence),
            checkin_delay_hours=row.checkin_delay_hours,
            anonymity_threshold=max(1, row.anonymity_threshold or DEFAULT_ANONYMITY),
            digest=digest_schedule(row.digest_day, row.digest_time),
        )

    @property
    def timezone_refused(self) -> BadSetting | None:
        """What `config timezone` would answer the zone saved now, when it refuses it: `GMT`
        or `CET` saved before such names were refused, which keep no summer time, or their
        own. None when it takes it."""
        try:
            read_timezone(self.timezone)
        except BadSetting as refused:
            return refused
        return None


@dataclass(frozen=True)
class FailedDelivery:
    """A failed message as admins see it, one line: with how many of the messages queued with
    it (same recipient, moment and reason: a digest's thread replies, a survey's statements)
    failed alike, counted in its line rather than listed one by one."""

    row: DeliverySummary
    replies: int = 0


@dataclass(frozen=True)
class FailedDeliveries:
    """The latest failed messages of a workspace (a line each, `FailedDelivery`), and how
    many lines the failures make in all."""

    latest: tuple[FailedDelivery, ...]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.latest)


@dataclass(frozen=True)
class SettingsView:
    """What `config` shows: the settings, the admins, and for admins the failed deliveries."""

    values: Values
    default_channel: str | None
    admins: Admins
    viewer_is_admin: bool
    failed: FailedDeliveries | None
    # Where the workspace's own messages (the digest; alerts of partners without a channel) go
    # now, the coordination channel passed over when it refuses Liaison.
    channel_route: Route = Route(None)
    # When the next weekly digest is due (UTC); None when it is off.
    next_digest: datetime | None = None


@dataclass(frozen=True)
class FirstSteps:
    """What a workspace setting Liaison up has still to do, for the help overview to lead with:
    register a partner, and choose where alerts go (no `config channel`, no
    `LIAISON_DEFAULT_CHANNEL`)."""

    no_partners: bool
    no_channel: bool

    def __bool__(self) -> bool:
        return self.no_partners or self.no_channel


@dataclass(frozen=True)
class Changed:
    """One setting changed (or given the value it already had)."""

    setting: Setting
    before: Values
    after: Values
    default_channel: str | None
    # After a change of the digest's schedule or zone: the moment the next digest goes (UTC),
    # None when it is off or the one due now is still to go.
    next_digest: datetime | None = None

    @property
    def unchanged(self) -> bool:
        return self.before == self.after


@dataclass(frozen=True)
class AdminsChanged:
    """The `config admins` list replaced, by `by`."""

    before: Admins
    after: Admins
    by: str
    # The colleagues told that they are an admin now, or no longer one (`AdminNotes`).
    told: tuple[str, ...] = ()

    @property
    def added(self) -> tuple[str, ...]:
        return tuple(u for u in self.after.listed if u not in self.before.listed)

    @property
    def removed(self) -> tuple[str, ...]:
        return tuple(u for u in self.before.listed if u not in self.after.listed)

    @property
    def by_lost_rights(self) -> bool:
        """The person who made the change is no admin any more (they were only on the list)."""
        return self.by not in self.after.everyone


# The kind, and the start of the key, of the note telling a colleague they are an admin now or
# no longer one.
ADMIN_NOTE = "admin"


@dataclass(frozen=True)
class AdminNotes:
    """What `config admins` tells a colleague it names, or no longer names (worded by the Slack
    surface), and what makes these notes this command's own (Slack's trigger id: a retried
    request queues nothing new)."""

    made_admin: Rendered
    no_longer_admin: Rendered
    occasion: str


# --- Reading values from what people type -------------------------------------------------------


def setting_named(word: str) -> Setting:
    """The setting `word` names (`checkin_delay` and `checkin` read as `checkin-delay`)."""
    key = word.strip().lower().replace("_", "-")
    if key in ("checkin", "check-in", "check-in-delay"):
        key = Setting.CHECKIN_DELAY
    try:
        return Setting(key)
    except ValueError:
        close = process.extract(key, [s.value for s in Setting], scorer=fuzz.ratio, limit=2)
        raise BadSetting(
            None,
            Problem.UNKNOWN_SETTING,
            word,
            suggestions=[name for name, score, _ in close if score >= 60],
        ) from None


# More digits than any setting's number has: out of range whatever its unit, so not converted.
_MOST_DIGITS = 6


def _whole_number(setting: Setting, text: str, *, units: Mapping[str, int]) -> int:
    """`21`, `21 days`, `21d`, `3 weeks`: the number, times what its unit is worth in `units`
    (none typed: 1); BadSetting when there is no number or `units` has no such unit. A number
    below zero or of more digits than any setting takes (`-5`, `99999999`) is a number out of
    range, told the range, not "not a number"."""
    match = re.fullmatch(r"([-−]?)\s*(\d+)\s*([a-z]*)", text.strip().lower())
    if match is None or (match[3] and match[3] not in units):
        raise BadSetting(setting, Problem.NOT_A_NUMBER, text.strip())
    if match[1] or len(match[2].lstrip("0")) > _MOST_DIGITS:
        raise BadSetting(setting, Problem.OUT_OF_RANGE, text.strip())
    return int(match[2]) * units.get(match[3], 1)


def _within(setting: Setting, value: int, limits: tuple[int, int], typed: str) -> int:
    if not limits[0] <= value <= limits[1]:
        raise BadSetting(setting, Problem.OUT_OF_RANGE, typed.strip())
    return value


# Units `config window` (days) and `config checkin-delay` (hours) read, and what each is worth.
_DAYS = {
    **dict.fromkeys(("d", "day", "days"), 1),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), 7),
}
_HOURS_UNITS = {
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 1),
    **dict.fromkeys(("d", "day", "days"), 24),
}


def read_window(text: str) -> SettingsUpdate:
    """`21` (days, 1–90); `21 days`, `3 weeks` too."""
    days = _whole_number(Setting.WINDOW, text, units=_DAYS)
    return {"window_days": _within(Setting.WINDOW, days, WINDOW_DAYS, text)}


# One end of a range of hours: `9`, `09:00`, `9.00`, `9am`, `9 pm`, `9:00 a.m.`, `9p`.
_HOUR = r"(\d{1,2})(?:[:.](\d{2}))?\s*([ap])?(?:(?<=[ap])\.?m?\.?)?"
# The two ends joined by a dash (en and em dashes too) or the words `config days` takes for a
# range, so `9 until 17` reads as `mon until fri` does; `from` before the first is fine.
_HOURS = re.compile(rf"(?:from\s+)?{_HOUR}\s*(?:[-–—]|to|through|thru|till?|until)\s*{_HOUR}")


def _on_the_clock(hour: int, meridiem: str | None, *, end: bool) -> int | None:
    """The hour of the day, 0–24, `hour` is on a 24-hour or (with `a`/`p`) a 12-hour clock:
    12am is 0, 12pm is 12, and 12am at the end of the working day is its midnight, 24. None
    when there is no such hour (`25`, `13pm`, `0am`)."""
    if meridiem is None:
        return hour if hour <= 24 else None
    if not 1 <= hour <= 12:
        return None
    clock = hour % 12 + (12 if meridiem == "p" else 0)
    return 24 if end and clock == 0 else clock


def read_hours(text: str) -> SettingsUpdate:
    """`9-17`: whole hours, 0–24, start before end. Also `9:00-17:00`, `9am-5pm`, `9-5pm`,
    `09:00 – 17:00` and `9 to 17` (or `through`, `until`, `till`); not `9:30-17`, which the
    working day (whole hours) cannot honour: `Problem.PART_HOURS` suggests the whole hours
    around it."""
    typed = text.strip()
    match = _HOURS.fullmatch(typed.lower())
    if match is None:
        raise BadSetting(Setting.HOURS, Problem.BAD_HOURS, typed)
    start_hour, start_minutes, start_meridiem = int(match[1]), match[2], match[3]
    end_hour, end_minutes, end_meridiem = int(match[4]), match[5], match[6]
    if start_meridiem is None and end_meridiem is not None and 1 <= start_hour <= 12:
        # `9-5pm` is 9am to 5pm and `1-5pm` 1pm to 5pm: the start shares the end's half of the
        # day unless that puts it after the end.
        start_meridiem = end_meridiem
        shared = _on_the_clock(start_hour, start_meridiem, end=False)
        ending = _on_the_clock(end_hour, end_meridiem, end=True)
        if shared is not None and ending is not None and shared >= ending:
            start_meridiem = "a"
    start = _on_the_clock(start_hour, start_meridiem, end=False)
    end = _on_the_clock(end_hour, end_meridiem, end=True)
    minutes = [int(m) for m in (start_minutes, end_minutes) if m is not None]
    if start is None or end is None or any(m > 59 for m in minutes):
        raise BadSetting(Setting.HOURS, Problem.BAD_HOURS, typed)
    if any(minutes):
        # The whole hours that cover what was typed: `9:30-17` is within `9-17`.
        late = end + (1 if end_minutes not in (None, "00") else 0)
        covering = f"{start}-{min(late, 24)}"
        raise BadSetting(Setting.HOURS, Problem.PART_HOURS, typed, suggestions=[covering])
    if start >= end:
        # `9-5` most likely meant the afternoon: working hours never run past midnight.
        afternoon = end + 12
        likely = end_meridiem is None and start <= 12 and start < afternoon <= 24 and end < start
        suggestions = [f"{start}-{afternoon}"] if likely else []
        raise BadSetting(Setting.HOURS, Problem.HOURS_ORDER, typed, suggestions=suggestions)
    return {"work_start_hour": start, "work_end_hour": end}


_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def day_number(word: str) -> int | None:
    """0 for `mon`/`monday`/`Mon`, … 6 for `sun`; None for anything else (3 letters at least)."""
    key = word.strip().lower().rstrip(".")
    if len(key) < 3:
        return None
    return next((i for i, name in enumerate(_FULL_DAY_NAMES) if name.startswith(key)), None)


# Words people type for a set of days, read as the range they name (`weekdays, sat` too).
DAY_WORDS = {
    **dict.fromkeys(("weekdays", "weekday", "workdays", "workday"), "mon-fri"),
    **dict.fromkeys(("weekends", "weekend"), "sat-sun"),
    **dict.fromkeys(("everyday", "daily", "all"), "mon-sun"),
}


# What joins the two ends of a range of days: a dash, or a word between spaces.
_RANGE_WORD = re.compile(r"\s*[-–—]\s*|\s+(?:to|through|thru|till|til|until)\s+")


def read_days(text: str) -> SettingsUpdate:
    """`mon-fri`, `mon,tue,thu`, `sun-thu` or a mix (`mon-wed, fri`); a range may be joined by
    `to`, `through`, `till` or `until` too (`monday to friday`, as `config hours 9 to 17` is);
    `weekdays`, `weekends`, `every day` and the other `DAY_WORDS` for the days they name; at
    least one day.

    Stored as the days' short names in week order, e.g. `mon,tue,thu`.
    """
    joined = re.sub(_RANGE_WORD, "-", text.strip().lower())  # "mon – fri" is one range
    joined = re.sub(r"\bevery\s+day\b", "everyday", joined)
    days: set[int] = set()
    for part in (part for part in re.split(r"[,\s]+", joined) if part):
        first, dash, last = DAY_WORDS.get(part, part).partition("-")
        start = day_number(first)
        end = day_number(last) if dash else start
        if start is None or end is None:
            raise BadSetting(Setting.DAYS, Problem.BAD_DAYS, part)
        days.update((start + step) % 7 for step in range((end - start) % 7 + 1))
    if not days:
        raise BadSetting(Setting.DAYS, Problem.BAD_DAYS, text.strip())
    return {"work_days": ",".join(DAY_NAMES[day] for day in sorted(days))}


# Other words for a pulse cadence (`config digest` takes `none` and `never` for `off` too).
PULSE_WORDS = {
    **dict.fromkeys(("month", "every month", "each month"), Cadence.MONTHLY),
    **dict.fromkeys(("quarter", "every quarter", "each quarter"), Cadence.QUARTERLY),
    **dict.fromkeys(("none", "never"), Cadence.OFF),
}


def read_pulse(text: str) -> SettingsUpdate:
    """`monthly`, `quarterly` or `off` (or the `PULSE_WORDS` for them)."""
    key = " ".join(text.lower().split())
    try:
        cadence = PULSE_WORDS.get(key) or Cadence(key)
    except ValueError:
        raise BadSetting(Setting.PULSE, Problem.BAD_CADENCE, text.strip()) from None
    return {"pulse_cadence": cadence.value}


def read_checkin_delay(text: str) -> SettingsUpdate:
    """`4` (hours after the meeting, 0–168; `4h`, `1 day` too), or `morning`: the next
    working morning."""
    if text.strip().lower() in MORNING_WORDS:
        return {"checkin_delay_hours": None}
    hours = _whole_number(Setting.CHECKIN_DELAY, text, units=_HOURS_UNITS)
    return {"checkin_delay_hours": _within(Setting.CHECKIN_DELAY, hours, CHECKIN_DELAY_HOURS, text)}


def read_anonymity(text: str) -> SettingsUpdate:
    """`3`: the fewest respondents whose scores may be shown (2–20)."""
    value = _whole_number(Setting.ANONYMITY, text, units={})
    if value < ANONYMITY[0]:
        raise BadSetting(Setting.ANONYMITY, Problem.REVEALS_PEOPLE, text.strip())
    return {"anonymity_threshold": _within(Setting.ANONYMITY, value, ANONYMITY, text)}


# The digest's time of day: `16:00`, `9:30`, `16.00`, `16h`, `16`, `4pm`, `4:30 p.m.`.
_DIGEST_TIME = re.compile(r"(\d{1,2})(?:(?:[:.]|h)(\d{2}))?\s*(?:h|([ap])\.?m?\.?)?")
# Words that turn the digest off, and words around a day and a time that say nothing more
# (`friday at 16:00`, `every mon 09:00`, `mondays, 9am`).
DIGEST_OFF_WORDS = (DIGEST_OFF, "none", "never")
_DIGEST_FILLER = frozenset({"at", "on", "every", "each"})


def _digest_day(word: str) -> int | None:
    """The weekday `word` names, `fridays` (every Friday) too."""
    day = day_number(word)
    if day is None and word.lower().endswith("s"):
        day = day_number(word[:-1])
    return day


def _digest_time(typed: str) -> str | None:
    """`HH:MM` of a time of day on a 24-hour or (with am/pm) a 12-hour clock; None if it is none."""
    match = _DIGEST_TIME.fullmatch(typed)
    if match is None:
        return None
    hour, minutes = int(match[1]), int(match[2] or 0)
    if match[3] is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match[3] == "p" else 0)
    if hour > 23 or minutes > 59:
        return None
    return f"{hour:02d}:{minutes:02d}"


def read_digest(text: str) -> SettingsUpdate:
    """`mon 09:00` (a weekday and a time, in the workspace's zone), or `off` (`none`, `never`).

    The day may come first or last, spelt out or plural (`friday at 16:00`, `16:00 fridays`);
    the time on a 24-hour or a 12-hour clock (`fri 4pm`, `fri 4:30 pm`, `fri 16h`), as
    `config hours` reads `9am-5pm`.
    """
    typed = text.strip()
    words = [w for w in re.split(r"[\s,]+", typed) if w and w.lower() not in _DIGEST_FILLER]
    if len(words) == 1 and words[0].lower() in DIGEST_OFF_WORDS:
        return {"digest_day": DIGEST_OFF}
    days = [(i, day) for i, word in enumerate(words) if (day := _digest_day(word)) is not None]
    if len(days) != 1 or len(words) < 2 or days[0][0] not in (0, len(words) - 1):
        raise BadSetting(Setting.DIGEST, Problem.BAD_DIGEST, typed)
    index, day = days[0]
    rest = " ".join(words[1:] if index == 0 else words[:-1])
    at = _digest_time(rest.lower())
    if at is None:
        clock, _, last = rest.rpartition(" ")
        alone = _digest_time(clock.lower())
        if alone is not None and (zone_name := _digest_zone(last)) is not None:
            # The zone is the workspace's, one for all its times: say where it is set, and
            # what `config timezone` takes if not this name (`GMT`: QA, it was suggested).
            name, refused = zone_name
            raise BadSetting(
                Setting.DIGEST,
                Problem.DIGEST_ZONE,
                name,
                suggestions=[f"{DAY_NAMES[day]} {alone}"],
                zone_refused=refused,
            )
        raise BadSetting(Setting.DIGEST, Problem.BAD_TIME, rest)
    return {"digest_day": DAY_NAMES[day], "digest_time": at}


# What `config timezone` refuses a zone typed after a digest's time for, with what it takes.
_ZONE_REFUSALS = frozenset(
    {Problem.ABBREVIATED_ZONE, Problem.LEGACY_ZONE, Problem.FIXED_ZONE, Problem.OFFSET_ZONE}
)


def _digest_zone(typed: str) -> tuple[str, BadSetting | None] | None:
    """A zone typed after a digest's time: the name `config timezone` takes, or what was typed
    and its refusal of it (`GMT`, `PST`, `UTC+2`); None when it is no zone at all."""
    try:
        return read_timezone(typed)["timezone"], None
    except BadSetting as refused:
        return (typed, refused) if refused.problem in _ZONE_REFUSALS else None


@cache
def _zones() -> dict[str, str]:
    """Every IANA zone name this system knows, by its lower-case spelling, in order (close
    matches of equal score are suggested the same way every time)."""
    return {name.lower(): name for name in sorted(available_timezones())}


@cache
def _renamed_zones() -> dict[str, str]:
    """The old names IANA keeps as links for a place's zone (`Asia/Calcutta`, `Europe/Kiev`,
    `US/Eastern`, `NZ`), with that zone's name; those of UTC (`Zulu`, `Etc/UCT`) with `UTC`.
    A link only when it is no place of zone.tab itself: since 2022 `Europe/Amsterdam` links to
    `Europe/Brussels`, yet it is still the Netherlands' zone, and stays as typed."""
    data = resources.files("tzdata") / "zoneinfo"
    rows = (line.split("\t") for line in (data / "zone.tab").read_text().splitlines())
    places = {row[2] for row in rows if len(row) > 2 and not row[0].startswith("#")}
    known = {name.lower() for name in _zones().values()}
    renamed = {}
    for line in (data / "tzdata.zi").read_text().splitlines():
        if line.startswith("L "):
            _, target, name = line.split()
            target = "UTC" if target == "Etc/UTC" else target
            if name not in places and name != target and target in places | {"UTC"}:
                if target.lower() in known:
                    renamed[name] = target
    return renamed


def old_zone_name(typed: str) -> str | None:
    """The old name `typed` (as IANA spells it) when `config timezone` keeps its zone's name
    instead (`asia/calcutta`: `Asia/Calcutta`, kept as `Asia/Kolkata`); None otherwise."""
    name = _zones().get(typed.strip().lower().replace(" ", "_"))
    return name if name in _renamed_zones() else None


def _place_zone(name: str) -> str:
    """`name`, or the zone it is an old name of (`Europe/Kiev`: `Europe/Kyiv`)."""
    return _renamed_zones().get(name, name)


def _city_zones(key: str) -> list[str]:
    """The zones named after the city `key` (lower case, `_` for spaces), by their current
    names (`kiev`: `Europe/Kyiv`)."""
    found = (name for lower, name in _zones().items() if lower.rsplit("/", 1)[-1] == key)
    return sorted({_place_zone(name) for name in found})


def close_zones(typed: str, *, limit: int = 3) -> list[str]:
    """Zone names close to `typed`: the zones of a city typed alone (or first, as in `Berlin,
    Germany`), else the nearest spellings."""
    key = typed.strip().lower().replace(" ", "_")
    zones = _zones()
    cities = _city_zones(key) or _city_zones(
        re.split(r"\s*,\s*", typed.strip().lower())[0].replace(" ", "_")
    )
    if cities:
        return cities[:limit]
    # Never a name `read_timezone` refuses (`CETT` is not answered with `CET`), and an old one
    # by the name it is kept under (QA: `Z` was answered with `NZ-CHAT`, `Etc/Zulu` and `NZ`).
    refused = {*ZONE_ABBREVIATIONS, *LEGACY_ZONES, *_NO_PLACE}
    names = [lower for lower in zones if lower not in refused]
    found = process.extract(
        key, names, scorer=fuzz.WRatio, limit=None, score_cutoff=75, processor=None
    )
    places = dict.fromkeys(_place_zone(zones[lower]) for lower, _score, _index in found)
    return list(places)[:limit]


# An offset from UTC typed for a zone: `UTC+2`, `GMT-5`, `+02:00`, `UTC +5:30`.
_OFFSET = re.compile(r"(?:utc|gmt)?\s*([+\-−])\s*(\d{1,2})(?:[:.h]?(\d{2}))?", re.IGNORECASE)


def offset_zone(typed: str) -> str | None:
    """The fixed zone of an offset of whole hours (`UTC+2` is `Etc/GMT-2`: IANA writes the
    sign the other way round), "" for another offset (`+5:30`), None when `typed` is no offset."""
    match = _OFFSET.fullmatch(typed.strip())
    if match is None:
        return None
    hours, minutes = int(match[2]), int(match[3] or 0)
    if minutes or not 1 <= hours <= 12:
        return "" if minutes or hours > 12 else "UTC"
    return f"Etc/GMT{'+' if match[1] in '-−' else '-'}{hours}"


_NEW_YORK, _CHICAGO, _DENVER = "America/New_York", "America/Chicago", "America/Denver"
# Abbreviations people type for a zone, with the zones they most likely mean: suggested, never
# taken (CST is Chicago's and Shanghai's, IST India's, Ireland's and Israel's), and `EST` and
# `MST` not taken for the IANA zones of those names either, fixed offsets with no summer time.
ZONE_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("est", "edt", "et", "eastern"), (_NEW_YORK,)),
    "cst": (_CHICAGO, "Asia/Shanghai"),
    **dict.fromkeys(("cdt", "ct", "central"), (_CHICAGO,)),
    "mst": (_DENVER, "America/Phoenix"),
    **dict.fromkeys(("mdt", "mt", "mountain"), (_DENVER,)),
    **dict.fromkeys(("pst", "pdt", "pt", "pacific"), ("America/Los_Angeles",)),
    **dict.fromkeys(("akst", "akdt"), ("America/Anchorage",)),
    "bst": ("Europe/London",),
    "ist": ("Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"),
    "cest": ("Europe/Berlin", "Europe/Paris"),
    "eest": ("Europe/Athens", "Europe/Helsinki"),
    "jst": ("Asia/Tokyo",),
    "kst": ("Asia/Seoul",),
    **dict.fromkeys(("aest", "aedt"), ("Australia/Sydney", "Australia/Brisbane")),
    "awst": ("Australia/Perth",),
    **dict.fromkeys(("nzst", "nzdt"), ("Pacific/Auckland",)),
    "sgt": ("Asia/Singapore",),
    "hkt": ("Asia/Hong_Kong",),
    "brt": ("America/Sao_Paulo",),
}


_LONDON, _PARIS, _BERLIN = "Europe/London", "Europe/Paris", "Europe/Berlin"
# The old zone names IANA keeps for old systems that people type for a place's time: refused
# with the zones of places they most likely mean (QA: a London team typing GMT is an hour off
# all summer; CET keeps rules of its own). `UTC`, `Etc/UTC` and the `Etc/GMT±N` of an offset
# all year round (`offset_zone`) are taken: whoever types them means no summer time.
LEGACY_ZONES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ("gmt", "gmt0", "gmt+0", "gmt-0", "greenwich"),
        (_LONDON, "Europe/Dublin", "Europe/Lisbon", "UTC"),
    ),
    **dict.fromkeys(("cet", "met"), (_PARIS, _BERLIN, "Europe/Rome")),
    "eet": ("Europe/Athens", "Europe/Helsinki", "Europe/Bucharest"),
    "wet": ("Europe/Lisbon", "Atlantic/Canary"),
    "hst": ("Pacific/Honolulu",),
    "est5edt": (_NEW_YORK,),
    "cst6cdt": (_CHICAGO,),
    "mst7mdt": (_DENVER,),
    "pst8pdt": ("America/Los_Angeles",),
}


def _summer_time(zone: ZoneInfo) -> bool:
    """Whether `zone` changes its offset between January and July (this year's rules)."""
    winter, summer = (datetime(2026, month, 1, tzinfo=zone).utcoffset() for month in (1, 7))
    return winter != summer


# Names this system knows that are no place's zone: the server's own (`localtime`), and the
# placeholder of a zone not set yet (`Factory`).
_NO_PLACE = frozenset({"factory", "localtime"})


def read_timezone(text: str) -> SettingsUpdate:
    """An IANA zone name such as `Europe/Berlin` (any case); close matches are suggested. An
    offset (`UTC+2`) is refused: a city's zone follows its daylight saving time, and the fixed
    zone of that offset, which it names, is written with the opposite sign. So are abbreviations
    (`EST`) and old names (`GMT`, `CET`: LEGACY_ZONES), with the zones they likely mean."""
    typed = text.strip()
    meant = ZONE_ABBREVIATIONS.get(typed.lower())
    if meant is not None:
        raise BadSetting(Setting.TIMEZONE, Problem.ABBREVIATED_ZONE, typed, suggestions=meant)
    meant = LEGACY_ZONES.get(typed.lower())
    if meant is not None:
        known = _zones().get(typed.lower())  # every system knows them; if one did not: fixed
        summer = known is not None and _summer_time(ZoneInfo(known))
        problem = Problem.LEGACY_ZONE if summer else Problem.FIXED_ZONE
        raise BadSetting(Setting.TIMEZONE, problem, typed, suggestions=meant)
    key = typed.lower().replace(" ", "_")
    name = None if key in _NO_PLACE else _zones().get(key)
    fixed = offset_zone(typed) if name is None else None
    if fixed is not None:
        raise BadSetting(
            Setting.TIMEZONE, Problem.OFFSET_ZONE, typed, suggestions=[fixed] if fixed else []
        )
    if name is None:
        raise BadSetting(
            Setting.TIMEZONE, Problem.UNKNOWN_ZONE, typed, suggestions=close_zones(typed)
        )
    # An old name (`Asia/Calcutta`) is taken for its zone's current one: the name shown after.
    return {"timezone": _place_zone(name)}


def channel_update(channel: str | None) -> SettingsUpdate:
    """A channel id (`C0123ABCD`, as Slack sends a channel picked from its list), `#name`
    (typed, not picked), or None: no channel of the workspace's own. Read from what was typed
    by `handlers.grammar.channel_choice`, which keeps a name short enough for the outbox."""
    return {"coordination_channel": channel}


READERS: dict[Setting, Callable[[str], SettingsUpdate]] = {
    Setting.WINDOW: read_window,
    Setting.HOURS: read_hours,
    Setting.DAYS: read_days,
    Setting.PULSE: read_pulse,
    Setting.CHECKIN_DELAY: read_checkin_delay,
    Setting.ANONYMITY: read_anonymity,
    Setting.DIGEST: read_digest,
    Setting.TIMEZONE: read_timezone,
}


# --- The service --------------------------------------------------------------------------------


class Redue(Protocol):
    """Works out again, in the transaction of a change of hours, days or zone, when messages of
    a feature waiting for someone's working hours are due (one due "the next working morning"
    was given the window's start under the old hours); they are then timed again."""

    def __call__(self, session: Session, *, team_id: str, now: datetime) -> None: ...


class WorkspaceSettings:
    """Shows and changes a workspace's settings and its admin list.

    Whether the caller is an admin may need Slack: then `PeopleToLookUp` is raised before any
    write, and the caller asks Slack after the ack and tries again.
    """

    def __init__(
        self,
        *,
        engine: Engine,
        clock: Clock,
        default_channel: str | None,
        redue: Sequence[Redue] = (),
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.default_channel = default_channel
        self.redue = tuple(redue)

    def values(self, *, team_id: str) -> Values:
        """The workspace's settings as they take effect."""
        with Session(self.engine) as session:
            return Values.of(store.get_workspace(session=session, team_id=team_id), team_id=team_id)

    def first_steps(self, *, team_id: str) -> FirstSteps:
        with Session(self.engine) as session:
            workspace = store.get_workspace(session=session, team_id=team_id)
            no_partners = not partner_store.has_partners(session=session, team_id=team_id)
        channel = workspace.coordination_channel if workspace is not None else None
        return FirstSteps(
            no_partners=no_partners, no_channel=channel is None and self.default_channel is None
        )

    def channel_route(self, *, team_id: str) -> Route:
        """Where the workspace's own messages go now (`bot.services.channels`)."""
        with Session(self.engine) as session:
            return self._channel_route(session, team_id)

    def greeting_key(self, *, channel: str) -> str:
        """The outbox key of the greeting in `channel`, chosen for alerts just now: one per
        choice, so that choosing it again greets it again (and checks a fix)."""
        return f"{CHANNEL_HELLO}:workspace:{channel}:{self.clock.now().isoformat()}"

    def _channel_route(self, session: Session, team_id: str) -> Route:
        workspace = store.get_workspace(session=session, team_id=team_id)
        channels = Channels(
            coordination=None if workspace is None else workspace.coordination_channel,
            default=self.default_channel,
        )
        return route(session, team_id=team_id, channels=channels)

    def admins(self, *, team_id: str) -> Admins:
        with Session(self.engine) as session:
            return _admins(session, team_id)

    def view(self, *, actor: Actor) -> SettingsView:
        """Everything `config` shows to `actor`: failed deliveries only to admins."""
        team_id = actor.team_id
        with Session(self.engine) as session:
            is_admin = self._admin_status(session, actor)
            if is_admin is None:
                raise PeopleToLookUp([actor.user_id])
            failed = None
            if is_admin:
                failed = latest_failures(session, team_id=team_id, lines=FAILED_SHOWN)
            stored = store.get_workspace(session=session, team_id=team_id)
            values = Values.of(stored, team_id=team_id)
            return SettingsView(
                values=values,
                default_channel=self.default_channel,
                admins=_admins(session, team_id),
                viewer_is_admin=is_admin,
                failed=failed,
                channel_route=self._channel_route(session, team_id),
                next_digest=_digest_due(
                    values,
                    decided=stored.digest_decided if stored is not None else None,
                    now=self.clock.now(),
                    first_partner=health_store.first_partner_of(session=session, team_id=team_id),
                ),
            )

    def next_digest(self, *, team_id: str) -> datetime | None:
        """When the workspace's next weekly digest is due (UTC); None when it is off."""
        with Session(self.engine) as session:
            stored = store.get_workspace(session=session, team_id=team_id)
            first = health_store.first_partner_of(session=session, team_id=team_id)
        values = Values.of(stored, team_id=team_id)
        decided = stored.digest_decided if stored is not None else None
        return _digest_due(values, decided=decided, now=self.clock.now(), first_partner=first)

    def require_may_change(self, *, actor: Actor) -> None:
        """Raises NotAnAdmin when the caller may not change settings (or PeopleToLookUp when
        Slack must say): asked before a new value is read, so that a colleague who may not
        change it is told so first, not how to write the value."""
        with Session(self.engine) as session:
            self._require_admin(session, actor, mentioned=())

    def change(self, *, actor: Actor, setting: Setting, update: SettingsUpdate) -> Changed:
        """Give one setting a new value (already read with `READERS` or `channel_update`).

        Raises NotAnAdmin, or PeopleToLookUp when Slack must say whether the caller is one.
        """
        team_id = actor.team_id
        with Session(self.engine) as session:
            self._require_admin(session, actor, mentioned=())
            row = store.get_workspace(session=session, team_id=team_id)
            before = Values.of(row, team_id=team_id)
            now = self.clock.now()
            proposed = (row or Workspace(team_id=team_id)).model_copy(update=dict(update))
            update = {
                **update,
                **_digest_not_yet_due(
                    before,
                    Values.of(proposed, team_id=team_id),
                    decided=None if row is None else row.digest_decided,
                    now=now,
                ),
            }
            stored = store.update_settings(
                session=session, team_id=team_id, changes=update, now=now
            )
            first = health_store.first_partner_of(session=session, team_id=team_id)
            if setting in _TIMES_DIRECT_MESSAGES:
                session.expire_all()  # the settings row as just written, not as read above
                for redue in self.redue:
                    redue(session, team_id=team_id, now=now)
                retime_for_hours(session, team_id=team_id, now=now)
            session.commit()
        after = Values.of(stored, team_id=team_id)
        return Changed(
            setting=setting,
            before=before,
            after=after,
            default_channel=self.default_channel,
            next_digest=(
                _next_digest(after, decided=stored.digest_decided, now=now, first_partner=first)
                if setting in (Setting.DIGEST, Setting.TIMEZONE)
                else None
            ),
        )

    def replace_admins(
        self,
        *,
        actor: Actor,
        user_ids: Sequence[str],
        notes: AdminNotes | None = None,
    ) -> AdminsChanged:
        """Make `user_ids` the whole `config admins` list (empty: clear it), and in the same
        transaction queue `notes` to the colleagues it names or no longer names (`_tell_admins`).

        Raises NotAnAdmin, NotInWorkspace for a mentioned colleague Slack does not know, or
        PeopleToLookUp for the caller's rights and mentioned colleagues Liaison never saw.
        """
        team_id = actor.team_id
        with Session(self.engine) as session:
            self._require_admin(session, actor, mentioned=user_ids)
            before = _admins(session, team_id)
            store.replace_admins(
                session=session, team_id=team_id, user_ids=user_ids, now=self.clock.now()
            )
            change = AdminsChanged(before=before, after=_admins(session, team_id), by=actor.user_id)
            if notes is not None:
                told = self._tell_admins(session, team_id, change, notes)
                change = replace(change, told=told)
            session.commit()
        return change

    def _tell_admins(
        self, session: Session, team_id: str, change: AdminsChanged, notes: AdminNotes
    ) -> tuple[str, ...]:
        """Each colleague newly named, or no longer named, hears that they are an admin now, or
        no longer one, in their working hours; those told. Not the caller (the answer tells
        them), nor Slack admins, whose rights do not change. A colleague whose note about the
        change before has not gone yet hears of neither: for them nothing changed (named, then
        dropped before their working day began)."""
        told: list[str] = []
        for user_ids, note in (
            (change.added, notes.made_admin),
            (change.removed, notes.no_longer_admin),
        ):
            for user_id in user_ids:
                if user_id == change.by or user_id in change.before.slack:
                    continue
                key = f"{ADMIN_NOTE}:{user_id}:"
                if withdraw(session, team_id=team_id, key_prefix=key):
                    continue
                enqueue(
                    session,
                    team_id=team_id,
                    kind=ADMIN_NOTE,
                    recipient_user=user_id,
                    text=note.text,
                    blocks=note.blocks,
                    due_at=self.clock.now(),
                    dedupe_key=f"{key}{notes.occasion}",
                    respect_working_hours=True,
                )
                told.append(user_id)
        return tuple(told)

    def _admin_status(self, session: Session, actor: Actor) -> bool | None:
        return people.admin_status(
            session,
            team_id=actor.team_id,
            user_id=actor.user_id,
            now=self.clock.now(),
            check=actor.check,
        )

    def _require_admin(self, session: Session, actor: Actor, *, mentioned: Sequence[str]) -> None:
        """The caller is an admin and the mentioned colleagues exist; Slack is asked about both
        at once when the cache cannot tell."""
        is_admin = self._admin_status(session, actor)
        if is_admin is False:
            raise NotAnAdmin(_admins(session, actor.team_id))
        unknown = [] if is_admin else [actor.user_id]
        unknown += people.vet_mentions(
            session,
            team_id=actor.team_id,
            user_ids=mentioned,
            check=actor.check,
            now=self.clock.now(),
        )
        if unknown:
            raise PeopleToLookUp(unknown)


# The settings that decide when a direct message may go (`bot.delivery.working_hours`): the
# timezone is that of people whose own Slack zone Liaison does not know.
_TIMES_DIRECT_MESSAGES = frozenset({Setting.HOURS, Setting.DAYS, Setting.TIMEZONE})


def _digest_not_yet_due(
    before: Values, after: Values, *, decided: str | None, now: datetime
) -> SettingsUpdate:
    """When a new digest schedule (`digest`, or the `timezone` it is read in) has a moment that
    passed a moment ago, that digest was never due: the planner must not take it for one missed
    while the bot was down and post a "weekly" digest of a day or two at once. It is marked as
    decided, so the new schedule applies from its next moment on; the stretch the last digest
    covered stays as it was, so the next digest starts where that one ended. The mark never
    goes back to a day before the last `decided`: that day's digest would seem due again."""
    if after.digest is None:
        return {}
    tz = zone(after.timezone)
    moment = due_moment(now, after.digest, tz)
    if moment is None or decided_already(digest_key(moment, tz), decided):
        return {}
    if before.digest is not None and moment == due_moment(
        now, before.digest, zone(before.timezone)
    ):
        return {}  # the same moment as before: if still unsent, it was missed, and is due
    return {"digest_decided": digest_key(moment, tz)}


def _next_digest(
    values: Values, *, decided: str | None, now: datetime, first_partner: datetime | None
) -> datetime | None:
    """When the digest of `values` goes next, said after a change: None when it goes now (within
    the minute: nothing to announce), or is off."""
    due = _digest_due(values, decided=decided, now=now, first_partner=first_partner)
    return None if due is None or due <= now else due


def _digest_due(
    values: Values, *, decided: str | None, now: datetime, first_partner: datetime | None
) -> datetime | None:
    """When the digest of `values` is due, as the planner will send it (`digest_moment`): the
    moment due now while it is not decided yet (it goes within the minute), else the first
    moment after `now` on a day that had no digest yet; None when it is off. A moment before
    the workspace's first partner (`first_partner`; None: it has none yet) was never due: the
    planner passes it over (QA: a new workspace's card named that morning's digest at 16:00)."""
    if values.digest is None:
        return None
    tz = zone(values.timezone)
    due = digest_moment(now, values.digest, tz, decided=decided)
    if due <= now and (first_partner is None or due < first_partner):
        return following_moment(now, values.digest, tz, decided=decided)
    return due


def latest_failures(session: Session, *, team_id: str, lines: int) -> FailedDeliveries:
    """The workspace's latest `lines` failed deliveries once the messages queued with another
    fold into its line, and how many lines all its failures make (counted in the database,
    however many: only the latest `FAILED_READ` rows are read)."""
    rows = failed_deliveries(session=session, team_id=team_id, limit=FAILED_READ)
    folded = fold_failures(rows)
    total = store.count_failed_deliveries(
        session=session, team_id=team_id, queued_with=_queued_with()
    )
    return FailedDeliveries(latest=tuple(folded[:lines]), total=max(total, len(folded)))


def _queued_with() -> dict[str, str]:
    """The kind of a message queued with another, and that other's kind: a failed one is
    counted in that one's line."""
    from bot.services.digest import DIGEST, DIGEST_DETAIL  # digest imports this module

    return {DIGEST_DETAIL: DIGEST, QUESTION: INVITATION}


def fold_failures(rows: Sequence[DeliverySummary]) -> list[FailedDelivery]:
    """A line per failed message, newest first, each message queued with another (same
    recipient, moment and reason) counted in that one's line."""
    queued_with = _queued_with()
    replies: dict[int, int] = {}
    folded: set[int] = set()
    for reply in rows:
        parent_kind = queued_with.get(reply.kind)
        parent = next(
            (
                row
                for row in rows
                if parent_kind is not None
                and row.kind == parent_kind
                and _same_send(row) == _same_send(reply)
            ),
            None,
        )
        if parent is not None:
            replies[parent.id] = replies.get(parent.id, 0) + 1
            folded.add(reply.id)
    return [
        FailedDelivery(row=row, replies=replies.get(row.id, 0))
        for row in rows
        if row.id not in folded
    ]


def _same_send(row: DeliverySummary) -> tuple[str | None, str | None, object, str | None]:
    return (row.recipient_user, row.recipient_channel, row.due_at, row.last_error)


def _admins(session: Session, team_id: str) -> Admins:
    return Admins(
        slack=tuple(people_store.cached_slack_admins(session=session, team_id=team_id)),
        listed=tuple(store.listed_admins(session=session, team_id=team_id)),
    )
