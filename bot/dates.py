"""Dates and times as people type them in `/partner`, read in the caller's time zone.

Accepted (case-insensitive; a leading `the` is left out): `today`, `yesterday`, `tomorrow`
(and as people shorten them: `yday`, `yest`, `tmrw`, `tmr`); a
weekday (`tuesday`, `tue`: the next one, today included — but for a moment to come (`ahead`, a
plan) whose time today has passed, next week's: "monday 15:00" typed on Monday at 17:00 means no
meeting in the past), `last tuesday`, `next tuesday` (in the 7 days after today: nobody says
"next Monday" for today, and a week after the next one is never meant), `this tuesday` (as
`tuesday`), `friday next week`, `next week friday`, `monday this week`, `tuesday last week`
(that day of that calendar week); `the day after tomorrow`, `the day before yesterday`;
`in 3 days`, `in 2 weeks`, `in a month` (the same day of the month, or its last day),
`a week from today`, `3 days ago` (a number, or `a`/`one` to `ten`); `2026-11-20`; `20 Nov`,
`Nov 20`, `Dec 3rd`, `3rd of December`, `20 November 2026` (without a year: the occurrence
nearest to today); a day of the month alone, `the 15th`, `15th` (the next one, today included,
as for a weekday). A weekday may come before a date, as Liaison writes due days (`Fri 4 Dec`,
`Friday, 4 December`, `Fri Dec 4`, `mon the 7th`): it must be that date's, or both are shown.

Ends and starts, for due days above all: `end of day`/`eod` (today); `end of week`/`eow` (the
Friday, the last working day of most: the next one, today included, so on a weekend the coming
one); `end of month`/`eom`, `end of quarter`/`eoq`, `end of year`/`eoy` (the last day); each
also `end of the …`, `end of this …`, `end of next …`, `end of last …` (`end of next week`: the
Friday of next week); `end of December` (the last day of the nearest one); `start of next
week`, `beginning of next month` (its first day). A named week or month as one day: `next week`
is its Monday, `next month` its 1st, and so `the week after next`, `the month after next`;
`this week`, `last month` and the like name no one day and are refused with forms that do. A
day in numbers only, with slashes or dots (`3/12`, `3.12.`, `12.03.2026`, `12/25`), is read
neither way, even where only one way names a day: most countries write the day first, the US
the month first, and a form that reads on the 13th but is asked about on the 12th teaches
nothing. It is refused with both readings and the month as a word instead (`3 Dec`, `Mar 12`).
The day with a dot, as German writes it, reads with a month's name (`3. Dec`); `3. 12.` is
`3.12.`, and `3.` alone is asked for its month. A time with a dot typed where the day goes
(`9.30`, `14.30`, `9.00`) is refused with the way to type it, `at 9.30`.

Any of these may be followed by a time: `14:00`, `9:30`, `2pm`, `9.30am`, `9` (09:00; an hour
from 1 to 7 without am/pm, `at 3` or `3:30`, is asked about, 03:00 or 15:00, rather than
guessed; `03:30` says the night); or by
`eod`/`end of day` (`tomorrow eod`, `friday EOD`: that day, as a due day is). A time with a
colon or am/pm may come first too: `5pm friday`, `17:00 on friday`. A full stop or exclamation mark
at the end (`on friday.`, as a sentence ends) is no part of the date.

A time the clocks skip as they go forward (02:30 on the last Sunday of March in Berlin) is no
moment at all: `check_clock` refuses it, with the times either side; one in the hour that comes
twice as they go back has two (`When.moments`).

A span of days (`parse_period`, for time away): `this week`, `next week`, `last week`, `the week
after next`, and the same of a month: there `next week` stays the whole week.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from rapidfuzz.distance import OSA

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
# For a day gone by (a contact logged, and the default): examples that read as days past,
# where a bare weekday, `in 3 days` or `the 15th` would be read as one to come.
EXAMPLES = (
    "today, yesterday, last tuesday, 3 days ago, a week ago, tuesday last week, 2026-11-20, "
    "20 Nov, yesterday 14:00"
)
# For a day to come (a due day, time away): examples a command that looks ahead can use.
AHEAD_EXAMPLES = (
    "today, tomorrow, friday, next tuesday, in 3 days, 2026-11-20, 20 Nov, the 15th, "
    "next week, end of month, friday 14:00"
)

# How far from today a day may lie, in years: further, it is most likely a typo of the year
# (2062 for 2026) and is refused (`check_span`). Plans and due days look ahead; contacts
# logged look back, where recording some history is worth a longer reach.
YEARS_AHEAD = 5
YEARS_BACK = 10
_YEAR_WORDS = {5: "five", 10: "ten"}

# A bare hour up to 7 (`at 3`) is as often the afternoon as the night: asked, not guessed.
_LAST_AMBIGUOUS_HOUR = 7
_TIME = re.compile(r"^(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<ampm>am|pm)?$")
# `5 pm` as people type it: the space before am/pm goes, so that it is one word, `5pm`.
_SPACED_AMPM = re.compile(r"(?<=\d) (?=[ap]m\b)", re.IGNORECASE)
# A count of days, weeks or months: digits, `a`/`an`, or a word up to ten.
_COUNTS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
_COUNT = r"(?P<n>\d{1,3}|" + "|".join(_COUNTS) + r") (?P<unit>day|week|month)s?"
_RELATIVE = re.compile(rf"^in {_COUNT}$")
_AGO = re.compile(rf"^{_COUNT} ago$")
_FROM = re.compile(rf"^{_COUNT} from (?P<base>today|now|tomorrow)$")
# People shorten these in due dates: `eom` for `end of month`.
_SHORT = {
    "eod": "end of day",
    "eow": "end of week",
    "eom": "end of month",
    "eoq": "end of quarter",
    "eoy": "end of year",
}
_EDGE = re.compile(
    r"^(?P<edge>end|start|beginning) of (?:the |this )?(?:(?P<which>next|last) )?"
    r"(?P<unit>day|today|week|month|quarter|year)$"
)
_END_OF_MONTH = re.compile(r"^end of (?P<mon>[a-z]+)\.?(?: (?P<y>\d{4}))?$")
_DAY_THEN_EOD = re.compile(r"^(?P<day>.+?) (?:eod|end of (?:the )?day)$")
# `5pm friday`, `17:00 on friday`, `at 9:30am tomorrow`: a time said before the day. Only a time
# no day reads as (a colon, or am/pm): `5 nov` is a day.
_TIME_FIRST = re.compile(
    r"^(?:at )?(?P<time>\d{1,2}(?::\d{2}(?:am|pm)?|(?:\.\d{2})?(?:am|pm)))(?: on)? (?P<day>.+)$"
)
_ORDINAL = re.compile(r"^(?P<d>\d{1,2})(?:st|nd|rd|th)$")
# `friday next week`, `next week friday`, `friday of next week`: that day of that calendar week.
_WEEKDAY_OF_WEEK = re.compile(
    r"^(?:(?P<day>[a-z]+)(?: of)? (?P<which>this|next|last) week"
    r"|(?P<which_after>this|next|last) week (?:on )?(?P<day_after>[a-z]+))$"
)
# `3/12`, `12.03.2026`: which is the day and which the month depends on the country.
_NUMERIC = re.compile(r"^(?P<a>\d{1,2})[/.](?P<b>\d{1,2})(?:[/.](?P<y>\d{2,4}))?$")
_PERIOD = re.compile(
    r"^(?:(?P<which>this|next|last) (?P<unit>week|month)"
    r"|(?:the )?(?P<after_next>week|month) after next)$"
)
_ISO = re.compile(r"^(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})$")
# `3rd Dec`, and `3. Dec` as German writes the day (`3. Dezember`).
_DAY_MONTH = re.compile(r"^(?P<d>\d{1,2})(?:st|nd|rd|th|\.)? (?P<mon>[a-z]+)\.?(?: (?P<y>\d{4}))?$")
# `3. 12.`, `3. 12. 2026`: the dotted day in numbers as some type it, spaced (`3.12.2026`).
_SPACED_DOTS = re.compile(r"^(?P<d>\d{1,2})\. (?P<m>\d{1,2})(?:\. ?(?P<y>\d{4}))?(?= |$)")
_MONTH_DAY = re.compile(
    r"^(?P<mon>[a-z]+)\.? (?:the )?(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:,? (?P<y>\d{4}))?$"
)
# `9.30`, `14.30`: a time as much of the world writes it, typed where a day goes.
_DOTTED_CLOCK = re.compile(r"^(?P<h>\d{1,2})\.(?P<m>\d{2})$")
# `3.`: a day of the month with its dot, as German writes it, without the month.
_DOTTED_DAY = re.compile(r"^(?P<d>\d{1,2})\.$")
# `Fri 4 Dec`, `Friday, 4 December 2026`, `mon the 7th`: a weekday before the day it names, as
# Liaison writes due days and calendars show them; the weekday must be that day's.
_WEEKDAY_THEN_DATE = re.compile(r"^(?P<weekday>[a-z]+)\.? (?P<day>.+)$")


def contact_day(at: datetime, *, day_only: bool, tz: tzinfo) -> date:
    """The calendar day a contact is on, read in `tz`; one recorded without a time of day is on
    the day its author named, whatever the reader's zone (it sits inside that day in UTC:
    `When.day_moment`)."""
    return at.astimezone(UTC if day_only else tz).date()


class DateError(ValueError):
    """Text that is not a date we can read; the message says so and gives examples."""


class UnreadableDate(DateError):
    """Text not in any form of a date (`blah`), as against a date read and refused (`31 Nov`,
    a year too far): a caller may then guess what else was meant."""


class WrongWeekday(DateError):
    """A weekday said with a date it is not (`Fri 5 Dec` in 2026): a date's form all the same,
    whichever year it is read in."""


@dataclass(frozen=True)
class When:
    """A day in the caller's time zone, and the time if they gave one."""

    day: date
    at: time | None
    tz: ZoneInfo

    def moment(self, *, default: time = time(12, 0)) -> datetime:
        """The instant in UTC (noon local when no time was given)."""
        return datetime.combine(self.day, self.at or default, tzinfo=self.tz).astimezone(UTC)

    def moments(self) -> tuple[datetime, ...]:
        """The instants (UTC) the day and time name: one, or two for a time in the hour the
        clocks go back over in autumn, which comes twice (the first, then the second); none for
        one they skip in spring (`check_clock`)."""
        local = datetime.combine(self.day, self.at or time(12, 0), tzinfo=self.tz)
        first, second = (local.replace(fold=fold).astimezone(UTC) for fold in (0, 1))
        if first.astimezone(self.tz).replace(tzinfo=None) != local.replace(tzinfo=None):
            return ()
        return (first,) if first == second else (first, second)

    def day_moment(self) -> datetime:
        """Where a contact known by its day alone is stored (UTC): noon of the day in the
        author's zone, kept inside that day in UTC, which `contact_day` reads it in. Noon in
        Auckland's summer (UTC+13) or Kiritimati (UTC+14) is the day before in UTC, and was
        read as that day."""
        first = datetime.combine(self.day, time(0), tzinfo=UTC)
        last = datetime.combine(self.day, time.max, tzinfo=UTC)
        return min(max(self.moment(default=time(12, 0)), first), last)


def parse_when(
    text: str,
    *,
    now: datetime,
    tz: ZoneInfo,
    ahead: bool = False,
    examples: str = EXAMPLES,
    ask_hour: bool = True,
) -> When:
    """Read `text` relative to `now` (aware) in time zone `tz`; `ahead`: it names a moment to
    come (a plan), so a bare weekday whose time today has passed is next week's. `examples`:
    the dates an error shows (`AHEAD_EXAMPLES` for a command that takes none in the past);
    `ask_hour` False: a caller that drops the time (a due day) reads `at 3` as typed, unasked."""
    # As typed (for messages), and in lower case (for reading); `friday.` ends a sentence.
    typed = _SPACED_AMPM.sub("", " ".join(text.replace(",", " ").split())).rstrip(".!").strip()
    typed = _SPACED_DOTS.sub(_unspaced, typed)
    words = typed.lower()
    if not words:
        raise UnreadableDate(f"A date is missing. Dates look like: {examples}.")
    # `tomorrow eod`, `friday end of day`: that day (a due day is a whole day anyway).
    ended = _DAY_THEN_EOD.match(words)
    if ended:
        words, typed = ended["day"], typed[: len(ended["day"])]
    first = _TIME_FIRST.match(words)
    if first:  # `5pm friday` reads as `friday 5pm`
        spans = (first.span("day"), first.span("time"))
        words, typed = (" ".join(text[a:b] for a, b in spans) for text in (words, typed))
    today = now.astimezone(tz).date()
    time_word: str | None = None
    day_part, _, last_word = words.rpartition(" ")
    if day_part and _TIME.match(last_word) and not _is_number_of_a_date(words):
        time_word = last_word
        words, typed = day_part, typed.rpartition(" ")[0]
        # "friday at 14:00", "at 14:00": the "at" is how people write a time.
        if words == "at":
            return When(today, _parse_time(time_word, ask=ask_hour), tz)
        if words.endswith(" at"):
            words, typed = words[: -len(" at")], typed[: -len(" at")]
    else:
        # "14:00" alone means today at 14:00.
        if _TIME.match(words) and (":" in words or words.endswith(("am", "pm"))):
            return When(today, _parse_time(words, ask=ask_hour), tz)
    day = _parse_day(words, today, typed=typed, examples=examples)
    # The day first: `Team 5` is no date, whatever its number would be as a time.
    at = None if time_word is None else _parse_time(time_word, ask=ask_hour)
    if ahead and day == today and at is not None and _weekday(words) is not None:
        if datetime.combine(day, at, tzinfo=tz) <= now:
            day += timedelta(days=7)
    return When(day, at, tz)


def _unspaced(match: re.Match[str]) -> str:
    """`3. 12. 2026` as `3.12.2026`: one day in numbers, read (and refused) as one."""
    return f"{match['d']}.{match['m']}" + (f".{match['y']}" if match["y"] else "")


def parse_period(text: str, *, now: datetime, tz: ZoneInfo) -> tuple[date, date] | None:
    """The first and last day of `this week`, `next week`, `last week`, `the week after next` (or
    the same of a month), read in `tz`; None for any other text. A week runs Monday to Sunday,
    the calendar week, whatever the days people work: whoever is away for a week is away over
    its weekend too. `this` starts today, not on a day already past; `last` is all past, as it
    was (a caller refuses it as over rather than read it as something else)."""
    today = now.astimezone(tz).date()
    period = _period(" ".join(text.lower().split()), today)
    if period is None:
        return None
    step, first, last = period
    return (first, last) if step < 0 else (max(first, today), last)


def _period(words: str, today: date) -> tuple[int, date, date] | None:
    """How many weeks or months on from the current one `words` names (last -1, this 0, next 1,
    after next 2), and its first and last day, whole; None for any other text."""
    match = _PERIOD.match(words)
    if match is None:
        return None
    unit = match["unit"] or match["after_next"]
    step = 2 if match["after_next"] else {"last": -1, "this": 0, "next": 1}[match["which"]]
    if unit == "week":
        first = _monday(today, step)
        return step, first, first + timedelta(days=6)
    first = _first_of_month(today, step)
    return step, first, _last_of_month(first)


def _monday(today: date, weeks: int) -> date:
    """The Monday of the calendar week `weeks` on from today's."""
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)


def _first_of_month(today: date, months: int) -> date:
    """The 1st of the month `months` on from today's."""
    count = today.year * 12 + today.month - 1 + months
    return date(count // 12, count % 12 + 1, 1)


def _last_of_month(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def reads_as_date(text: str) -> bool:
    """Whether `text` is a date `parse_when` reads: only its form counts, so any day and zone
    will do to read it."""
    try:
        parse_when(text, now=datetime(2000, 1, 1, tzinfo=UTC), tz=ZoneInfo("UTC"))
    except WrongWeekday:
        return True  # `Fri 4 Dec` was a Saturday in 1999, the year it is read in here
    except DateError:
        return False
    return True


def looks_like_date(text: str) -> bool:
    """Whether `text` is in a form of a date, read or refused: `3/12` (day or month first?),
    `31 Nov`, `last week` (which day?), `friday at 3` (03:00 or 15:00?) as well as what
    `reads_as_date`. Words typed after a partner's name that look so are its date, never
    part of its name, so that no answer drops them."""
    try:
        parse_when(text, now=datetime(2000, 1, 1, tzinfo=UTC), tz=ZoneInfo("UTC"))
    except UnreadableDate:
        return False
    except DateError:
        return True
    return True


def _is_number_of_a_date(words: str) -> bool:
    """'20 Nov' ends in a word, '2026-11-20' in digits that are no time, 'in 3 days' in 'days';
    nor is the day of 'Nov 20' or 'Fri Nov 20' a time. 'friday 10' is no month's day: the 10 is
    its hour."""
    month_day = _MONTH_DAY.match(words)
    if _ISO.match(words) or (month_day and _month(month_day["mon"]) is not None):
        return True
    dated = _WEEKDAY_THEN_DATE.match(words)
    if dated is None or _weekday(dated["weekday"]) is None:
        return False
    month_day = _MONTH_DAY.match(dated["day"])
    return bool(_ISO.match(dated["day"]) or (month_day and _month(month_day["mon"]) is not None))


def _parse_time(word: str, *, ask: bool = True) -> time:
    match = _TIME.match(word)
    assert match is not None
    hour, minute = int(match["h"]), int(match["m"] or 0)
    # `3` and `3:30` are asked about; `03:30`, with its leading zero, says the night.
    unsure = not match["ampm"] and len(match["h"]) == 1 and 1 <= hour <= _LAST_AMBIGUOUS_HOUR
    if unsure and ask:
        clock = f"{hour}:{minute:02d}"
        raise DateError(
            f"`{word}` alone could be {hour:02d}:{minute:02d} or {hour + 12}:{minute:02d}: type "
            f"`at {hour + 12}:{minute:02d}` or `at {clock if minute else hour}pm` for the "
            f"afternoon, `at {clock if minute else hour}am` for the morning."
        )
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise DateError(f"{word!r} is not a time; e.g. 9am, 2pm, 14:00.")
        hour = hour % 12 + (12 if match["ampm"] == "pm" else 0)
    if hour > 23 or minute > 59:
        raise DateError(f"{word!r} is not a time; e.g. 9:30 or 14:00.")
    return time(hour, minute)


def _weekday(word: str) -> int | None:
    for index, name in enumerate(WEEKDAYS):
        if len(word) >= 3 and name.startswith(word):
            return index
    return None


def _month(word: str) -> int | None:
    for index, name in enumerate(MONTHS, start=1):
        if len(word) >= 3 and name.startswith(word):
            return index
    return None


def _parse_day(words: str, today: date, *, typed: str, examples: str = EXAMPLES) -> date:
    words = _normalised(words)
    fixed = {
        "today": 0,
        "yesterday": -1,
        "tomorrow": 1,
        # As people shorten them in a hurry.
        "tmrw": 1,
        "tmr": 1,
        "yday": -1,
        "yest": -1,
        "day after tomorrow": 2,
        "day before yesterday": -2,
    }
    if words in fixed:
        return today + timedelta(days=fixed[words])
    match = _WEEKDAY_THEN_DATE.match(words)
    if match and _weekday(match["weekday"]) is not None and _names_a_day(match["day"]):
        return _weekday_checked(match["weekday"], match["day"], today, typed, examples)
    match = _WEEKDAY_OF_WEEK.match(words)
    if match and _weekday(match["day"] or match["day_after"]) is not None:
        weekday = _weekday(match["day"] or match["day_after"])
        assert weekday is not None
        step = {"last": -1, "this": 0, "next": 1}[match["which"] or match["which_after"]]
        return _monday(today, step) + timedelta(days=weekday)
    direction, _, rest = words.partition(" ")
    if direction == "this" and _weekday(rest) is not None:
        words = rest  # `this friday`: the next one, today included, as `friday`
    if direction in ("last", "next") and _weekday(rest) is not None:
        weekday = _weekday(rest)
        assert weekday is not None
        if direction == "last":
            return today - timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)
        return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    weekday = _weekday(words)
    if weekday is not None:
        return today + timedelta(days=(weekday - today.weekday()) % 7)
    for pattern, sign in ((_RELATIVE, 1), (_AGO, -1), (_FROM, 1)):
        match = pattern.match(words)
        if match:
            start = today + timedelta(days=1 if match.groupdict().get("base") == "tomorrow" else 0)
            count = _COUNTS.get(match["n"]) or int(match["n"])
            return _moved(start, sign * count, match["unit"])
    match = _EDGE.match(words)
    if match and not (match["unit"] in ("day", "today") and match["which"]):
        return _edge(match["edge"], match["unit"], match["which"], today)
    match = _END_OF_MONTH.match(words)
    if match and _month(match["mon"]) is not None:
        month = _month(match["mon"])
        assert month is not None
        years = [int(match["y"])] if match["y"] else [today.year - 1, today.year, today.year + 1]
        firsts = [_calendar_date(year, month, 1) for year in years]
        ends = [_last_of_month(first) for first in firsts if first is not None]
        if not ends:  # the year 0000
            raise UnreadableDate(f"I can't read {typed!r} as a date. Dates look like: {examples}.")
        return min(ends, key=lambda end: abs((end - today).days))
    period = _period(words, today)
    if period is not None:
        step, first, _last = period
        if step > 0:
            return first  # `next week`: its Monday; `next month`: its 1st
        if step < 0 and words.endswith("week"):
            # `log Acme last week`: which day of it, or a week back from today.
            which = "`tuesday last week` or `a week ago`"
        else:
            which = "`end of week`, `last friday` or `the 15th`"
        raise DateError(
            f"{typed!r} is more than one day: say which, e.g. {which}. Dates look like: {examples}."
        )
    match = _ORDINAL.match(words)
    if match:
        return _next_day_of_month(int(match["d"]), today, typed, examples)
    match = _NUMERIC.match(words)
    if match and _day_and_month(int(match["a"]), int(match["b"])):
        raise DateError(_numeric_refused(typed, match, examples))
    match = _ISO.match(words)
    if match:
        return _date(int(match["y"]), int(match["mo"]), int(match["d"]), typed, examples)
    match = _DAY_MONTH.match(words) or _MONTH_DAY.match(words)
    if match and _month(match["mon"]) is not None:
        month = _month(match["mon"])
        assert month is not None
        if match["y"]:
            return _date(int(match["y"]), month, int(match["d"]), typed, examples)
        candidates = [
            found
            for year in (today.year - 1, today.year, today.year + 1)
            if (found := _calendar_date(year, month, int(match["d"]))) is not None
        ]
        if not candidates:
            raise _not_a_day(typed, None, month, examples)
        return min(candidates, key=lambda candidate: abs((candidate - today).days))
    match = _DOTTED_DAY.match(words)
    if match and 1 <= int(match["d"]) <= 31:
        # `3. 5pm`: "I can't read '3.'" said nothing of the month it lacks.
        day = _next_day_of_month(int(match["d"]), today, typed, examples)
        raise UnreadableDate(
            f"{typed!r} is a day without its month: say which, e.g. "
            f"`{day.day} {calendar.month_abbr[day.month]}` or `the {_ordinal(day.day)}`. "
            f"Dates look like: {examples}."
        )
    hint = _clock_hint(typed)
    # `14.30` is a time's form, as `9.30` is a day's: after a partner's name, it is never the
    # name's (`looks_like_date`), and `plan Acme 14.30 : …` is told so, not "needs a date".
    refused = DateError if hint else UnreadableDate
    raise refused(f"I can't read {typed!r} as a date.{hint} Dates look like: {examples}.")


def _names_a_day(words: str) -> bool:
    """`4 Dec`, `Dec 4`, `2026-12-04`, `the 4th`: one day of the calendar, named by its date."""
    words = _normalised(words)
    if _ORDINAL.match(words) or _ISO.match(words):
        return True
    match = _DAY_MONTH.match(words) or _MONTH_DAY.match(words)
    return bool(match and _month(match["mon"]) is not None)


def _weekday_checked(weekday: str, words: str, today: date, typed: str, examples: str) -> date:
    """The day `words` names (`4 Dec` of `Fri 4 Dec`), when it falls on `weekday`; a weekday
    that does not fit is refused with both days, not one of them guessed."""
    day = _parse_day(words, today, typed=typed, examples=examples)
    said = _weekday(weekday)
    if day.weekday() == said:
        return day
    assert said is not None
    year = "" if day.year == today.year else f" {day.year}"
    named = f"{day.day} {calendar.month_abbr[day.month]}{year}"
    raise WrongWeekday(
        f"{typed!r} does not add up: {named} is a {WEEKDAYS[day.weekday()].capitalize()}, not a "
        f"{WEEKDAYS[said].capitalize()}. Say which day you mean, e.g. `{named}` or "
        f"`{WEEKDAYS[said]}`. Dates look like: {examples}."
    )


def _clock_hint(typed: str) -> str:
    """For `9.30`, `14.30` or `9.00` typed as a date: it may be a time (`at 9.30` reads as
    one), said after why it is no date (a sentence, with its leading space; else nothing).
    Not for `3.12`, whose second number is a month: a day in numbers, as it is refused."""
    match = _DOTTED_CLOCK.match(typed)
    if match is None:
        return ""
    hour, minute = int(match["h"]), int(match["m"])
    if hour > 23 or minute > 59 or 1 <= minute <= 12:
        return ""
    return f" If “{typed}” is a time, write `at {typed}` (after the day, if it is not today)."


def _ordinal(number: int) -> str:
    """`1st`, `2nd`, `3rd`, `11th`, `22nd`: as `the 15th` is typed."""
    suffix = "th" if 11 <= number % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10)
    return f"{number}{suffix or 'th'}"


def _day_and_month(first: int, second: int) -> bool:
    """Whether two numbers may be a day and a month, either way round (`3/12`; `2.0` is none)."""
    return any(
        1 <= day <= 31 and 1 <= month <= 12 for day, month in ((first, second), (second, first))
    )


def _numeric_refused(typed: str, match: re.Match[str], examples: str) -> str:
    """Why `3/12` or `3.12.` is not read (day first in most countries, month first in the US),
    with the day written so that it is, each way that names one: `3 Dec` or `Mar 12`."""
    first, second = int(match["a"]), int(match["b"])
    year = f" {match['y']}" if match["y"] and len(match["y"]) == 4 else ""
    ways = []
    if 1 <= first <= 31 and 1 <= second <= 12:
        ways.append(f"`{first} {calendar.month_abbr[second]}{year}` (day first)")
    if 1 <= second <= 31 and 1 <= first <= 12 and first != second:
        ways.append(f"`{calendar.month_abbr[first]} {second}{year}` (month first)")
    return (
        f"{typed!r} is a day in numbers only, which most countries write day first and the US "
        f"month first, so I read it neither way: give the month as a word, e.g. "
        f"{' or '.join(ways)}, or the year first (`YYYY-MM-DD`).{_clock_hint(typed)} "
        f"Dates look like: {examples}."
    )


def _normalised(words: str) -> str:
    """`the 3rd of december` → `3rd december`, `eom` → `end of month`: one spelling to read."""
    words = words.removeprefix("the ")
    words = _SHORT.get(words, words)
    return re.sub(r"^(\d{1,2}(?:st|nd|rd|th)?) of ", r"\1 ", words)


def _moved(day: date, count: int, unit: str) -> date:
    """`count` days, weeks or months on from `day` (back, when negative); a month on from the
    31st is the last day of a shorter month."""
    if unit == "day":
        return day + timedelta(days=count)
    if unit == "week":
        return day + timedelta(weeks=count)
    first = _first_of_month(day, count)
    return first.replace(day=min(day.day, _last_of_month(first).day))


def _edge(edge: str, unit: str, which: str | None, today: date) -> date:
    """The first (`start`, `beginning`) or last (`end`) day of today, or of this, next or last
    week, month, quarter or year; the end of a week is its Friday, and without `next` or `last`
    the next one, today included."""
    step = {None: 0, "next": 1, "last": -1}[which]
    end = edge == "end"
    if unit in ("day", "today"):
        return today
    if unit == "week":
        if end and which is None:
            return today + timedelta(days=(4 - today.weekday()) % 7)
        return _monday(today, step) + timedelta(days=4 if end else 0)
    if unit == "year":
        return date(today.year + step, 12, 31) if end else date(today.year + step, 1, 1)
    months = 3 if unit == "quarter" else 1
    # The first month of this quarter (or this month), then of the one `step` on.
    first = _first_of_month(today, -((today.month - 1) % months) + step * months)
    return _last_of_month(_first_of_month(first, months - 1)) if end else first


def _next_day_of_month(number: int, today: date, typed: str, examples: str) -> date:
    """The next day numbered so (`the 15th`), today included: this month's or a later one's."""
    if not 1 <= number <= 31:
        raise DateError(
            f"{typed!r} is not a day of the calendar: months have days 1 to 31. "
            f"Dates look like: {examples}."
        )
    for months in range(3):
        first = _first_of_month(today, months)
        found = _calendar_date(first.year, first.month, number)
        if found is not None and found >= today:
            return found
    raise AssertionError("some month in three has every day up to the 31st")


def _calendar_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _date(year: int, month: int, day: int, typed: str, examples: str) -> date:
    found = _calendar_date(year, month, day)
    if found is None:
        raise _not_a_day(typed, year, month, examples)
    return found


def _not_a_day(typed: str, year: int | None, month: int, examples: str) -> DateError:
    """A date that names no day (31 Nov, 2026-02-29, 2026-13-01): why, and what dates look like."""
    if not 1 <= month <= 12:
        why = f"there is no month {month}"
    else:
        name = calendar.month_name[month]
        if year is None and month == 2:
            why = f"{name} has 28 or 29 days"
        else:
            days = calendar.monthrange(2024 if year is None else year, month)[1]
            why = f"{name} {'' if year is None else f'{year} '}has {days} days"
    return DateError(f"{typed!r} is not a day of the calendar: {why}. Dates look like: {examples}.")


def check_span(day: date, *, today: date, ahead: bool, typed: str | None = None) -> None:
    """Refuse a day further from `today` than a date is given on purpose: more than
    `YEARS_AHEAD` years ahead (`ahead`: a plan, a due day), or `YEARS_BACK` years back (a contact
    logged). The DateError says the bound, why, and the same day in a year within it."""
    years = YEARS_AHEAD if ahead else YEARS_BACK
    limit = _years_from(today, years if ahead else -years)
    if (day <= limit) if ahead else (day >= limit):
        return
    shown = f"`{typed}` ({_shown(day)})" if typed else f"That day ({_shown(day)})"
    span = f"more than {_YEAR_WORDS.get(years, str(years))} years " + ("ahead" if ahead else "ago")
    bound = "later than" if ahead else "earlier than"
    raise DateError(
        f"{shown} is {span}: a date that far off is most likely a typo of the year, so I take "
        f"none {bound} {limit.day} {limit:%b} {limit.year}. Did you mean "
        f"`{_nearest_year(day, today, ahead=ahead).isoformat()}`?"
    )


def check_clock(when: When, *, typed: str | None = None) -> None:
    """Refuse a time the clocks skip when they go forward (02:30 on the last Sunday of March in
    Berlin): no such moment is, and moving it an hour unasked would save a time nobody typed.
    The DateError says when the clocks change, and the times either side of it to type."""
    if when.at is None or when.moments():
        return
    local = datetime.combine(when.day, when.at, tzinfo=when.tz)
    # Python reads a skipped time with the offset before the change (`fold` 0), or after it (1).
    before, after = (local.replace(fold=fold).utcoffset() or timedelta() for fold in (0, 1))
    lo, hi = local.replace(fold=1).astimezone(UTC), local.astimezone(UTC)
    while hi - lo > timedelta(minutes=1):  # the change, to the minute: on the hour, mostly
        middle = lo + (hi - lo) // 2
        middle -= timedelta(seconds=middle.second, microseconds=middle.microsecond)
        lo, hi = (lo, middle) if middle.astimezone(when.tz).utcoffset() == after else (middle, hi)
    changed, skipped = hi.astimezone(when.tz).replace(tzinfo=None), after - before
    shown = f"{_shown(when.day)} {when.at:%H:%M}"
    shown = f"`{typed}` ({shown})" if typed else f"That time ({shown})"
    either = (local.replace(tzinfo=None) + step for step in (-skipped, skipped))
    raise DateError(
        f"{shown} does not exist in your time zone, {when.tz.key}: that night the clocks go "
        f"forward from {changed - skipped:%H:%M} to {changed:%H:%M}. Type a time before or "
        "after the change, e.g. "
        + " or ".join(f"`{moment:%Y-%m-%d %H:%M}`" for moment in either)
        + "."
    )


def _shown(day: date) -> str:
    """`Sun 28 Mar 2027`: a day in a refusal, its year too, for one may be far off."""
    return f"{day:%a} {day.day} {day:%b} {day.year}"


def _years_from(day: date, years: int) -> date:
    """The same day `years` later (or earlier); 29 February falls on the 28th."""
    found = _calendar_date(day.year + years, day.month, day.day)
    return found or date(day.year + years, day.month, 28)


def _nearest_year(day: date, today: date, *, ahead: bool) -> date:
    """`day`'s month and day in the year nearest `today` on its side: the next such day for one
    ahead, the latest one before for one back (29 February: the 28th, in a common year)."""
    found = _years_from(day, today.year - day.year)
    if ahead and found < today:
        return _years_from(found, 1)
    if not ahead and found > today:
        return _years_from(found, -1)
    return found


# Words a day is named by, which a typo of one is a letter off (two, in a long word).
_DAY_WORDS = (*WEEKDAYS, "today", "tomorrow", "yesterday", *MONTHS)
LONG_DAY_WORD = 7


def misspelt_day(word: str) -> bool:
    """Whether `word` is a day's name typed a letter off (`tmorrow`, `thrusday`), or two in a
    long word (`blursday`); "Maria" or "Jane" (people after a forgotten `with`) are none."""
    bare = word.lower()
    slips = 2 if len(bare) >= LONG_DAY_WORD else 1
    return len(bare) >= len("today") and any(OSA.distance(bare, day) <= slips for day in _DAY_WORDS)
