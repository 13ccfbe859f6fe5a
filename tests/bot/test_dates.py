from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.dates import (
    AHEAD_EXAMPLES,
    EXAMPLES,
    DateError,
    When,
    check_clock,
    check_span,
    contact_day,
    looks_like_date,
    misspelt_day,
    parse_period,
    parse_when,
    reads_as_date,
)

BERLIN = ZoneInfo("Europe/Berlin")
# Wednesday 25 Nov 2026, 23:30 UTC — already Thursday in Tokyo.
NOW = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "day", "at"),
    [
        ("today", date(2026, 11, 26), None),  # 00:30 in Berlin: already Thursday
        ("yesterday", date(2026, 11, 25), None),
        ("tomorrow", date(2026, 11, 27), None),
        ("thursday", date(2026, 11, 26), None),  # today counts as the next one
        ("friday", date(2026, 11, 27), None),
        ("tue", date(2026, 12, 1), None),
        ("last tuesday", date(2026, 11, 24), None),
        ("last thursday", date(2026, 11, 19), None),
        ("next monday", date(2026, 11, 30), None),
        ("next thursday", date(2026, 12, 3), None),  # never today
        ("in 3 days", date(2026, 11, 29), None),
        ("in 2 weeks", date(2026, 12, 10), None),
        ("3 days ago", date(2026, 11, 23), None),
        ("2026-11-20", date(2026, 11, 20), None),
        ("20 Nov", date(2026, 11, 20), None),
        ("Nov 20", date(2026, 11, 20), None),
        ("3rd January", date(2027, 1, 3), None),  # nearest occurrence
        ("20 November 2025", date(2025, 11, 20), None),
        ("friday 14:00", date(2026, 11, 27), time(14, 0)),
        # A bare hour after a day (QA: `tomorrow 10` was "I can't read", read as a month's day).
        ("friday 10", date(2026, 11, 27), time(10, 0)),
        ("tomorrow 9", date(2026, 11, 27), time(9, 0)),
        ("Friday 2pm", date(2026, 11, 27), time(14, 0)),
        ("2026-12-01 9:30", date(2026, 12, 1), time(9, 30)),
        ("14:00", date(2026, 11, 26), time(14, 0)),
        ("friday at 14:00", date(2026, 11, 27), time(14, 0)),
        ("20 Nov at 9am", date(2026, 11, 20), time(9, 0)),
        # A space before am/pm, as people type it (QA: `away now to 5 pm` was refused).
        ("friday 5 pm", date(2026, 11, 27), time(17, 0)),
        ("20 Nov at 9 AM", date(2026, 11, 20), time(9, 0)),
        ("2026-12-01 5:30 pm", date(2026, 12, 1), time(17, 30)),
        ("5 pm", date(2026, 11, 26), time(17, 0)),
        ("at 14:00", date(2026, 11, 26), time(14, 0)),
        # The time before the day (QA: `by 5 pm friday` was refused); `5 Nov` stays a day.
        ("5 pm friday", date(2026, 11, 27), time(17, 0)),
        ("17:00 Friday", date(2026, 11, 27), time(17, 0)),
        ("17:00 on friday", date(2026, 11, 27), time(17, 0)),
        ("at 9:30am 20 Nov", date(2026, 11, 20), time(9, 30)),
        ("5 Nov", date(2026, 11, 5), None),
    ],
)
def test_readable_dates(text: str, day: date, at: time | None) -> None:
    when = parse_when(text, now=NOW, tz=BERLIN)
    assert (when.day, when.at) == (day, at)


# Saturday 28 Nov 2026 at noon in Berlin: the week's Friday has passed.
SATURDAY = datetime(2026, 11, 28, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "now", "day"),
    [
        # Due days as people type them (QA: `by end of month`, `by next week` were not read).
        ("end of month", NOW, date(2026, 11, 30)),
        ("end of the month", NOW, date(2026, 11, 30)),
        ("the end of the month", NOW, date(2026, 11, 30)),
        ("EOM", NOW, date(2026, 11, 30)),
        ("end of this month", NOW, date(2026, 11, 30)),
        ("end of next month", NOW, date(2026, 12, 31)),
        ("end of last month", NOW, date(2026, 10, 31)),
        ("end of month", datetime(2027, 2, 10, tzinfo=UTC), date(2027, 2, 28)),
        # The end of a week is its Friday: the next one, today included…
        ("end of week", NOW, date(2026, 11, 27)),
        ("end of the week", NOW, date(2026, 11, 27)),
        ("eow", NOW, date(2026, 11, 27)),
        ("end of week", datetime(2026, 11, 27, 8, tzinfo=UTC), date(2026, 11, 27)),
        # …so on a weekend the coming one, as `end of next week` (the calendar's next week).
        ("end of week", SATURDAY, date(2026, 12, 4)),
        ("end of next week", SATURDAY, date(2026, 12, 4)),
        ("end of next week", NOW, date(2026, 12, 4)),
        ("end of last week", NOW, date(2026, 11, 20)),
        ("end of day", NOW, date(2026, 11, 26)),
        ("eod", NOW, date(2026, 11, 26)),
        ("end of quarter", NOW, date(2026, 12, 31)),
        ("eoq", datetime(2027, 2, 1, tzinfo=UTC), date(2027, 3, 31)),
        ("end of next quarter", NOW, date(2027, 3, 31)),
        ("end of year", NOW, date(2026, 12, 31)),
        ("eoy", NOW, date(2026, 12, 31)),
        ("end of December", NOW, date(2026, 12, 31)),
        ("end of Feb", NOW, date(2027, 2, 28)),  # the nearest February
        ("end of feb 2028", NOW, date(2028, 2, 29)),
        ("start of next week", NOW, date(2026, 11, 30)),
        ("beginning of next month", NOW, date(2026, 12, 1)),
        # A named week or month as one day: its first.
        ("next week", NOW, date(2026, 11, 30)),
        ("next week", SATURDAY, date(2026, 11, 30)),
        ("next month", NOW, date(2026, 12, 1)),
        ("next month", datetime(2026, 12, 31, 12, tzinfo=UTC), date(2027, 1, 1)),
        ("the week after next", NOW, date(2026, 12, 7)),
        ("the month after next", NOW, date(2027, 1, 1)),
        # Counted from today.
        ("in a week", NOW, date(2026, 12, 3)),
        ("in one week", NOW, date(2026, 12, 3)),
        ("in two weeks", NOW, date(2026, 12, 10)),
        ("in a day", NOW, date(2026, 11, 27)),
        ("in a month", NOW, date(2026, 12, 26)),
        ("in 3 months", NOW, date(2027, 2, 26)),
        ("in a month", datetime(2027, 1, 31, 12, tzinfo=UTC), date(2027, 2, 28)),
        ("a week from today", NOW, date(2026, 12, 3)),
        ("a week from now", NOW, date(2026, 12, 3)),
        ("2 weeks from today", NOW, date(2026, 12, 10)),
        ("a week from tomorrow", NOW, date(2026, 12, 4)),
        ("a week ago", NOW, date(2026, 11, 19)),
        ("a month ago", NOW, date(2026, 10, 26)),
        # A day of the month alone: the next one, today included, as a weekday is.
        ("the 15th", NOW, date(2026, 12, 15)),
        ("15th", NOW, date(2026, 12, 15)),
        ("the 26th", NOW, date(2026, 11, 26)),
        ("the 30th", NOW, date(2026, 11, 30)),
        ("the 31st", NOW, date(2026, 12, 31)),  # November has none
        ("the 30th", datetime(2027, 1, 31, 12, tzinfo=UTC), date(2027, 3, 30)),
        ("the 1st", NOW, date(2026, 12, 1)),
        # With the month, either way round, with or without `of` and `the`.
        ("Dec 3rd", NOW, date(2026, 12, 3)),
        ("December the 3rd", NOW, date(2026, 12, 3)),
        ("3rd of December", NOW, date(2026, 12, 3)),
        ("the 3rd of December", NOW, date(2026, 12, 3)),
        ("the 22nd of Nov", NOW, date(2026, 11, 22)),
        ("1st of March 2027", NOW, date(2027, 3, 1)),
        # A weekday of a named week, `this` weekday, and two days off.
        ("this friday", NOW, date(2026, 11, 27)),
        ("this thursday", NOW, date(2026, 11, 26)),
        ("friday next week", NOW, date(2026, 12, 4)),
        ("next week friday", NOW, date(2026, 12, 4)),
        ("friday of next week", NOW, date(2026, 12, 4)),
        ("next week on tuesday", NOW, date(2026, 12, 1)),
        ("monday this week", NOW, date(2026, 11, 23)),
        ("tuesday last week", NOW, date(2026, 11, 17)),
        ("the day after tomorrow", NOW, date(2026, 11, 28)),
        ("day before yesterday", NOW, date(2026, 11, 24)),
    ],
)
def test_due_days_and_days_as_people_say_them(text: str, now: datetime, day: date) -> None:
    assert parse_when(text, now=now, tz=BERLIN) == When(day, None, BERLIN)
    assert reads_as_date(text)


@pytest.mark.parametrize(
    ("text", "day", "at"),
    [
        ("end of month 17:00", date(2026, 11, 30), time(17, 0)),
        ("the 15th at 9am", date(2026, 12, 15), time(9, 0)),
        ("next week 10:00", date(2026, 11, 30), time(10, 0)),
        ("3rd of December 14:30", date(2026, 12, 3), time(14, 30)),
    ],
)
def test_a_new_form_takes_a_time_as_the_others_do(text: str, day: date, at: time) -> None:
    assert parse_when(text, now=NOW, tz=BERLIN) == When(day, at, BERLIN)


@pytest.mark.parametrize("text", ["this week", "this month", "last month"])
def test_a_week_or_month_that_is_no_single_day_asks_for_one(text: str) -> None:
    with pytest.raises(DateError) as raised:
        parse_when(text, now=NOW, tz=BERLIN)
    assert str(raised.value).startswith(
        f"'{text}' is more than one day: say which, e.g. `end of week`, `last friday` or "
        "`the 15th`. Dates look like: today,"
    )


@pytest.mark.parametrize(
    ("text", "typed", "example"),
    [
        ("3/12", "3/12", "`3 Dec` (day first) or `Mar 12` (month first)"),
        ("12.03.2026", "12.03.2026", "`12 Mar 2026` (day first) or `Dec 3 2026` (month first)"),
        ("12/25", "12/25", "`Dec 25` (month first)"),
        ("25.12.", "25.12", "`25 Dec` (day first)"),
        ("3.12.", "3.12", "`3 Dec` (day first) or `Mar 12` (month first)"),
        ("3. 12.", "3.12", "`3 Dec` (day first) or `Mar 12` (month first)"),
        ("3. 12. 2026", "3.12.2026", "`3 Dec 2026` (day first) or `Mar 12 2026` (month first)"),
        ("3/3", "3/3", "`3 Mar` (day first)"),
    ],
)
def test_a_day_in_numbers_only_is_not_guessed_and_asked_with_the_month_as_a_word(
    text: str, typed: str, example: str
) -> None:
    """Slashes or dots alike, whether one way names a day or both: read neither way."""
    with pytest.raises(DateError) as raised:
        parse_when(text, now=NOW, tz=BERLIN)
    assert str(raised.value).startswith(
        f"'{typed}' is a day in numbers only, which most countries write day first and the US "
        f"month first, so I read it neither way: give the month as a word, e.g. {example}, or "
        "the year first (`YYYY-MM-DD`)."
    )
    assert looks_like_date(text)
    assert parse_when("friday 9.30", now=NOW, tz=BERLIN).at == time(9, 30)  # still a time


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("9.30", "give the month as a word, e.g. `Sep 30` (month first)"),
        ("3.30", "give the month as a word, e.g. `Mar 30` (month first)"),
        ("14.30", "I can't read '14.30' as a date."),
        ("9.00", "I can't read '9.00' as a date."),
    ],
)
def test_a_dotted_time_typed_as_a_date_is_shown_as_a_time(text: str, refused: str) -> None:
    """Review: `9.30` alone was refused as a day (Sep 30) without a word of the time it likely
    is, while `at 9.30` reads as one: the answer says to write that."""
    with pytest.raises(DateError) as raised:
        parse_when(text, now=NOW, tz=BERLIN)
    said = str(raised.value)
    assert refused in said
    assert f"If “{text}” is a time, write `at {text}` (after the day, if it is not today)." in said
    assert said.index("is a time") < said.index("Dates look like")  # not under the examples
    assert looks_like_date(text)  # after a partner's name, its date, never part of its name
    assert parse_when(f"at {text}", now=NOW, tz=BERLIN, ask_hour=False).at is not None


@pytest.mark.parametrize("text", ["3.12", "1.12.2026", "12.5", "30.11"])
def test_a_day_in_numbers_is_not_taken_for_a_time(text: str) -> None:
    with pytest.raises(DateError) as raised:
        parse_when(text, now=NOW, tz=BERLIN)
    assert "is a time" not in str(raised.value)


def test_a_day_with_its_dot_and_no_month_is_asked_for_its_month() -> None:
    """Review: `3. 5pm` answered "I can't read '3.'", naming nothing it lacked."""
    with pytest.raises(DateError) as raised:
        parse_when("3. 5pm", now=NOW, tz=BERLIN)
    assert str(raised.value).startswith(
        "'3.' is a day without its month: say which, e.g. `3 Dec` or `the 3rd`. Dates look like:"
    )
    assert parse_when("3. Dec 5pm", now=NOW, tz=BERLIN) == parse_when(
        "3 Dec 5pm", now=NOW, tz=BERLIN
    )


def test_the_forms_for_one_day_leave_time_away_its_whole_week_or_month() -> None:
    assert parse_period("next week", now=NOW, tz=BERLIN) == (date(2026, 11, 30), date(2026, 12, 6))
    assert parse_period("next month", now=NOW, tz=BERLIN) == (date(2026, 12, 1), date(2026, 12, 31))
    assert parse_period("end of month", now=NOW, tz=BERLIN) is None
    assert parse_period("end of next week", now=NOW, tz=BERLIN) is None


@pytest.mark.parametrize(
    ("text", "ahead", "day"),
    [
        # Thursday 00:30 in Berlin: a meeting to come at 00:15 today is next week's…
        ("thursday 00:15", True, date(2026, 12, 3)),
        ("thu at 0:15", True, date(2026, 12, 3)),
        # …but not one later today, one without a time, or a contact that happened.
        ("thursday 10:00", True, date(2026, 11, 26)),
        ("thursday", True, date(2026, 11, 26)),
        ("thursday 00:15", False, date(2026, 11, 26)),
        # A day named otherwise means that day, passed or not.
        ("today 00:15", True, date(2026, 11, 26)),
        ("2026-11-26 00:15", True, date(2026, 11, 26)),
    ],
)
def test_a_weekday_naming_today_is_next_weeks_for_a_moment_to_come_whose_time_passed(
    text: str, ahead: bool, day: date
) -> None:
    assert parse_when(text, now=NOW, tz=BERLIN, ahead=ahead).day == day


def test_moment_is_utc_from_the_callers_zone() -> None:
    when = parse_when("2026-12-01 9:30", now=NOW, tz=BERLIN)
    assert when.moment() == datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    assert parse_when("2026-12-01", now=NOW, tz=BERLIN).moment() == datetime(
        2026, 12, 1, 11, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "tz",
    ["Etc/GMT+12", "Pacific/Pago_Pago", "Europe/Berlin", "Pacific/Auckland", "Pacific/Kiritimati"],
)
def test_a_day_without_a_time_is_kept_on_that_day_in_every_zone(tz: str) -> None:
    when = When(date(2026, 11, 11), None, ZoneInfo(tz))
    kept = when.day_moment()
    assert contact_day(kept, day_only=True, tz=BERLIN) == date(2026, 11, 11)
    assert kept.astimezone(ZoneInfo(tz)).date() == date(2026, 11, 11)  # the author's day too
    if tz == "Europe/Berlin":
        assert kept == when.moment()  # noon there, as before


@pytest.mark.parametrize(
    "text",
    [
        "",
        "someday",
        "2026-02-30",
        "31 Feb",
        "friday 25:00",
        "13pm",
        "next blursday",
        "at friday",
        "the 32nd",
        "0th",
        "end of next day",
        "end of blursday",
        "in a few days",
        "15",
        "end of dec 0000",
        "20 Nov 0000",
    ],
)
def test_unreadable_dates_say_what_works(text: str) -> None:
    with pytest.raises(DateError) as raised:
        parse_when(text, now=NOW, tz=BERLIN)
    message = str(raised.value)
    assert "Dates look like" in message or "not a" in message


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("31 Nov", "'31 Nov' is not a day of the calendar: November has 30 days."),
        ("2026-02-29 10:00", "'2026-02-29' is not a day of the calendar: February 2026 has 28"),
        ("Feb 30", "'Feb 30' is not a day of the calendar: February has 28 or 29 days."),
        ("2026-13-01", "'2026-13-01' is not a day of the calendar: there is no month 13."),
    ],
)
def test_a_date_that_names_no_day_says_why_as_typed_and_what_works(text: str, why: str) -> None:
    with pytest.raises(DateError) as raised:
        parse_when(text, now=NOW, tz=BERLIN)
    assert str(raised.value).startswith(why)
    assert "Dates look like: today" in str(raised.value)


def test_a_day_further_off_than_typed_on_purpose_is_refused_with_one_within_reach() -> None:
    today = date(2026, 11, 25)
    check_span(date(2031, 11, 25), today=today, ahead=True)
    check_span(date(2016, 11, 25), today=today, ahead=False)
    check_span(date(1950, 1, 1), today=today, ahead=True)  # the past is not "ahead" too far
    with pytest.raises(DateError, match=r"more than five years ahead.*later than 25 Nov 2031"):
        check_span(date(2031, 11, 26), today=today, ahead=True)
    with pytest.raises(DateError, match=r"`1916-01-05` \(Wed 5 Jan 1916\) is more than ten years"):
        check_span(date(1916, 1, 5), today=today, ahead=False, typed="1916-01-05")
    with pytest.raises(DateError, match=r"Did you mean `2025-12-01`\?"):
        check_span(date(1925, 12, 1), today=today, ahead=False)  # the latest 1 Dec gone by
    with pytest.raises(DateError, match=r"Did you mean `2026-12-01`\?"):
        check_span(date(2062, 12, 1), today=today, ahead=True)  # the next 1 Dec
    with pytest.raises(DateError, match=r"Did you mean `2027-02-28`\?"):
        check_span(date(2064, 2, 29), today=today, ahead=True)


def test_whether_text_reads_as_a_date_whatever_the_day() -> None:
    assert all(reads_as_date(text) for text in ("in 3 days", "friday 14:00", "20 Nov", "today"))
    assert not any(reads_as_date(text) for text in ("Call", "Network", "", "2026-02-30"))


@pytest.mark.parametrize(
    ("text", "now", "first", "last"),
    [
        # Thursday 26 Nov in Berlin (00:30), Wednesday still in UTC: the caller's zone decides.
        ("next week", NOW, date(2026, 11, 30), date(2026, 12, 6)),
        ("this week", NOW, date(2026, 11, 26), date(2026, 11, 29)),
        ("this month", NOW, date(2026, 11, 26), date(2026, 11, 30)),
        ("next month", NOW, date(2026, 12, 1), date(2026, 12, 31)),
        # A Sunday: this week is that day; December's next month is next year's January.
        ("this week", datetime(2026, 12, 6, 12, tzinfo=UTC), date(2026, 12, 6), date(2026, 12, 6)),
        ("NEXT MONTH", datetime(2026, 12, 31, 12, tzinfo=UTC), date(2027, 1, 1), date(2027, 1, 31)),
        # `away last week`, `away the week after next` were not read (issue 5's check).
        ("last week", NOW, date(2026, 11, 16), date(2026, 11, 22)),
        ("last month", NOW, date(2026, 10, 1), date(2026, 10, 31)),
        ("the week after next", NOW, date(2026, 12, 7), date(2026, 12, 13)),
        ("week after next", NOW, date(2026, 12, 7), date(2026, 12, 13)),
        ("the month after next", NOW, date(2027, 1, 1), date(2027, 1, 31)),
        ("last month", datetime(2027, 1, 15, tzinfo=UTC), date(2026, 12, 1), date(2026, 12, 31)),
    ],
)
def test_a_named_week_or_month_is_its_first_and_last_day(
    text: str, now: datetime, first: date, last: date
) -> None:
    assert parse_period(text, now=now, tz=BERLIN) == (first, last)


@pytest.mark.parametrize(
    "text", ["next tuesday", "next weeks", "last weeks", "week", "friday", "the week after"]
)
def test_other_text_is_no_named_period(text: str) -> None:
    assert parse_period(text, now=NOW, tz=BERLIN) is None


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("tomorrow EOD", date(2026, 11, 27)),
        ("friday eod", date(2026, 11, 27)),
        ("monday end of the day", date(2026, 11, 30)),
        ("friday.", date(2026, 11, 27)),
        ("20 Nov!", date(2026, 11, 20)),
        ("eod", date(2026, 11, 26)),
    ],
)
def test_a_day_then_eod_or_a_full_stop_is_that_day(text: str, day: date) -> None:
    assert parse_when(text, now=NOW, tz=BERLIN) == When(day, None, BERLIN)


@pytest.mark.parametrize("text", ["someday", "3/12", "31 Nov", "the 32nd", ""])
def test_a_command_looking_ahead_shows_days_to_come(text: str) -> None:
    with pytest.raises(DateError) as raised:
        parse_when(text, now=NOW, tz=BERLIN, examples=AHEAD_EXAMPLES)
    assert AHEAD_EXAMPLES in str(raised.value) and "yesterday" not in str(raised.value)
    with pytest.raises(DateError, match=EXAMPLES.split(",")[1]):
        parse_when(text, now=NOW, tz=BERLIN)


# Berlin's today at NOW is Thursday 26 Nov 2026.
@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("tmrw", date(2026, 11, 27)),
        ("TMR", date(2026, 11, 27)),
        ("yday", date(2026, 11, 25)),
        ("yest", date(2026, 11, 25)),
        ("yday 14:00", date(2026, 11, 25)),
        ("tmrw 10am", date(2026, 11, 27)),
    ],
)
def test_the_days_next_to_today_read_as_people_shorten_them(text: str, day: date) -> None:
    assert parse_when(text, now=NOW, tz=BERLIN).day == day


def test_last_week_asks_which_day_of_it() -> None:
    with pytest.raises(DateError) as raised:
        parse_when("last week", now=NOW, tz=BERLIN)
    assert str(raised.value).startswith(
        "'last week' is more than one day: say which, e.g. `tuesday last week` or `a week ago`."
    )
    assert parse_when("a week ago", now=NOW, tz=BERLIN).day == date(2026, 11, 19)


@pytest.mark.parametrize(
    ("text", "day", "at"),
    [
        ("Fri 27 Nov", date(2026, 11, 27), None),  # as Liaison writes a due day
        ("Friday, 27 November", date(2026, 11, 27), None),
        ("Fri Nov 27", date(2026, 11, 27), None),
        ("fri, Nov 27, 2026 14:00", date(2026, 11, 27), time(14, 0)),
        ("Mon 4 Jan 2027", date(2027, 1, 4), None),
        ("mon the 30th", date(2026, 11, 30), None),
        ("thu 2026-12-03", date(2026, 12, 3), None),
    ],
)
def test_a_weekday_before_the_date_it_names_reads_as_that_date(
    text: str, day: date, at: time | None
) -> None:
    """QA: `by Fri 4 Dec`, the form every reminder shows a due day in, was "I can't read"."""
    assert parse_when(text, now=NOW, tz=BERLIN) == When(day, at, BERLIN)
    assert reads_as_date(text)


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("Fri 28 Nov", "'Fri 28 Nov' does not add up: 28 Nov is a Saturday, not a Friday."),
        ("Tue Jan 4", "'Tue Jan 4' does not add up: 4 Jan 2027 is a Monday, not a Tuesday."),
    ],
)
def test_a_weekday_that_is_not_the_dates_is_refused_with_both_not_guessed(
    text: str, refused: str
) -> None:
    with pytest.raises(DateError) as raised:
        parse_when(text, now=NOW, tz=BERLIN, examples=AHEAD_EXAMPLES)
    assert str(raised.value).startswith(refused)
    assert reads_as_date(text)  # a date's form all the same: it is never taken for a name


@pytest.mark.parametrize("text", ["friday at 3", "fri at 3", "tomorrow at 7", "yesterday at 1"])
def test_a_bare_hour_up_to_seven_is_asked_about_not_read_as_the_night(text: str) -> None:
    with pytest.raises(DateError) as raised:
        parse_when(text, now=NOW, tz=BERLIN)
    hour = int(text[-1])
    assert str(raised.value) == (
        f"`{hour}` alone could be 0{hour}:00 or {hour + 12}:00: type `at {hour + 12}:00` or "
        f"`at {hour}pm` for the afternoon, `at {hour}am` for the morning."
    )


@pytest.mark.parametrize(
    ("text", "typed"),
    [
        ("friday 3:30", "3:30"),
        ("friday at 4.15", "4.15"),
        ("7:05", "7:05"),
        ("3:30 friday", "3:30"),
    ],
)
def test_an_hour_up_to_seven_with_minutes_is_asked_about_too(text: str, typed: str) -> None:
    """QA: `at 3` was asked about but `at 3:30` still meant 03:30 without a word."""
    with pytest.raises(DateError) as raised:
        parse_when(text, now=NOW, tz=BERLIN)
    hour, minute = typed.replace(".", ":").split(":")
    clock = f"{hour}:{minute}"
    assert str(raised.value) == (
        f"`{typed}` alone could be 0{clock} or {int(hour) + 12}:{minute}: type "
        f"`at {int(hour) + 12}:{minute}` or `at {clock}pm` for the afternoon, `at {clock}am` "
        "for the morning."
    )


def test_a_caller_that_drops_the_time_is_not_asked_about_the_hour() -> None:
    for text in ("friday at 3", "friday 3:30"):
        assert parse_when(text, now=NOW, tz=BERLIN, ask_hour=False).day == date(2026, 11, 27)


@pytest.mark.parametrize(
    ("text", "at"),
    [
        ("friday at 3pm", time(15, 0)),
        ("friday at 15:00", time(15, 0)),
        ("friday at 3am", time(3, 0)),
        ("friday at 9", time(9, 0)),
        ("friday at 8", time(8, 0)),
        ("friday 03:30", time(3, 30)),
        ("friday 3:30am", time(3, 30)),
        ("friday 3:30pm", time(15, 30)),
        ("friday at 15:30", time(15, 30)),
        ("friday at 8:15", time(8, 15)),
        ("friday at 12", time(12, 0)),
        ("friday at 0", time(0, 0)),
    ],
)
def test_times_that_say_their_half_of_the_day_still_read(text: str, at: time) -> None:
    assert parse_when(text, now=NOW, tz=BERLIN).at == at


@pytest.mark.parametrize(
    ("text", "looks"),
    [
        ("3/12", True),
        ("12.03.2026", True),
        ("31 Nov", True),
        ("last week", True),
        ("friday at 3", True),
        ("tmrw", True),
        ("2026-12-03", True),
        ("blursday", False),
        ("Team 5", False),
        ("2.0", False),
        ("Spain", False),
    ],
)
def test_a_date_read_or_refused_looks_like_one(text: str, looks: bool) -> None:
    assert looks_like_date(text) is looks


@pytest.mark.parametrize(
    ("word", "misspelt"),
    [
        ("tmorrow", True),
        ("thrusday", True),
        ("blursday", True),
        ("friday", True),  # a day's own name is no distance from itself
        ("Maria", False),
        ("Jane", False),
        ("tue", False),  # too short to call a slip
    ],
)
def test_a_misspelt_day_is_a_letter_off_a_days_name_or_two_in_a_long_word(
    word: str, misspelt: bool
) -> None:
    assert misspelt_day(word) is misspelt


@pytest.mark.parametrize(
    ("text", "day"),
    [("3. Dec", date(2026, 12, 3)), ("3. December 2027", date(2027, 12, 3))],
)
def test_a_day_with_its_dot_reads_with_a_months_name(text: str, day: date) -> None:
    """`3. Dezember`, as German writes the day: with the month's name, nothing to ask."""
    assert parse_when(text, now=NOW, tz=BERLIN).day == day


def test_a_time_the_clocks_skip_names_the_change_even_of_half_an_hour() -> None:
    # Lord Howe Island goes forward half an hour, from 02:00 to 02:30, on 4 Oct 2026.
    skipped = When(date(2026, 10, 4), time(2, 10), ZoneInfo("Australia/Lord_Howe"))
    assert skipped.moments() == ()
    either = r"from 02:00 to 02:30\. .*`2026-10-04 01:40` or `2026-10-04 02:40`"
    with pytest.raises(DateError, match=either):
        check_clock(skipped)
    # The last minute before the change is there; the hour that comes twice is two moments.
    check_clock(When(date(2027, 3, 28), time(1, 59), BERLIN))
    assert len(When(date(2027, 10, 31), time(2, 30), BERLIN).moments()) == 2
