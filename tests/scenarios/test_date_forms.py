"""Dates as people type them (`bot.dates`), through the commands that take one: `commit … by
DATE`, `plan … on DATE`, `log … on DATE` and `away`, as signed requests through the real app.

The clock starts on Wednesday 25 Nov 2026, 09:00 UTC: 10:00 for Ana (Berlin), 04:00 for Ben
(New York).
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from storage.models import Absence, Commitment, Touchpoint
from tests.conftest import Slack
from tests.scenarios.test_partners import ANA, BEN, CHLOE, DAN, answer, click, last
from tests.scenarios.test_partners import shown as shown_of

BERLIN = ZoneInfo("Europe/Berlin")
# Why `3/12` is refused: read neither way.
NUMBERS_ONLY = (
    "is a day in numbers only, which most countries write day first and the US month first"
)


@pytest.fixture
def acme(slack: Slack) -> None:
    """Acme Corporation, owned by Ana; every colleague has typed a command (profiles cached)."""
    answer(slack, 'add Acme Corporation aka "ACME"')
    for user in (BEN, CHLOE, DAN):
        answer(slack, "show Acme", user=user)


def due_days(slack: Slack) -> list[date]:
    with Session(slack.runtime.engine) as session:
        rows = session.exec(select(Commitment).order_by(Commitment.id))  # type: ignore[arg-type]
        return [row.due_on for row in rows]


@pytest.mark.parametrize(
    ("due", "shown", "day"),
    [
        # QA: `by end of month` and `by next week` were refused as unreadable.
        ("end of month", "due Mon 30 Nov", date(2026, 11, 30)),
        ("end of the month", "due Mon 30 Nov", date(2026, 11, 30)),
        ("eom", "due Mon 30 Nov", date(2026, 11, 30)),
        ("next week", "due Mon 30 Nov", date(2026, 11, 30)),  # its Monday
        ("next month", "due Tue 1 Dec", date(2026, 12, 1)),
        ("end of week", "due Fri 27 Nov", date(2026, 11, 27)),
        ("EOW", "due Fri 27 Nov", date(2026, 11, 27)),
        ("end of next week", "due Fri 4 Dec", date(2026, 12, 4)),
        ("in a week", "due Wed 2 Dec", date(2026, 12, 2)),
        ("a week from today", "due Wed 2 Dec", date(2026, 12, 2)),
        ("in 2 weeks", "due Wed 9 Dec", date(2026, 12, 9)),
        ("the 15th", "due Tue 15 Dec", date(2026, 12, 15)),
        ("15th", "due Tue 15 Dec", date(2026, 12, 15)),
        ("Dec 3rd", "due Thu 3 Dec", date(2026, 12, 3)),
        ("3rd of December", "due Thu 3 Dec", date(2026, 12, 3)),
        ("end of year", "due Thu 31 Dec", date(2026, 12, 31)),
        ("this friday", "due Fri 27 Nov", date(2026, 11, 27)),
        ("friday next week", "due Fri 4 Dec", date(2026, 12, 4)),
    ],
)
@pytest.mark.usefixtures("acme")
def test_a_due_day_as_people_say_it_is_recorded(
    slack: Slack, due: str, shown: str, day: date
) -> None:
    said = answer(slack, f"commit Acme us : send the report by {due}")
    assert f"Recorded `#1`: *we* owe *Acme Corporation* “send the report”, {shown}" in said
    assert due_days(slack) == [day]


@pytest.mark.usefixtures("acme")
def test_a_due_day_is_read_in_the_callers_zone(slack: Slack) -> None:
    """Ben, in New York at 04:00 on Wednesday, still on the 25th as Ana is."""
    said = answer(slack, "commit Acme us : the report by end of week", user=BEN)
    assert "due Fri 27 Nov" in said
    said = answer(slack, "commit Acme us : the deck by the 25th", user=BEN)
    assert "due Wed 25 Nov" in said
    assert due_days(slack) == [date(2026, 11, 27), date(2026, 11, 25)]


@pytest.mark.parametrize(
    ("due", "problem"),
    [
        ("someday", "The due date: I can't read 'someday' as a date. Dates look like: today,"),
        ("this week", "The due date: 'this week' is more than one day: say which, e.g. `end of"),
        ("the 32nd", "The due date: 'the 32nd' is not a day of the calendar: months have days"),
        ("3/12", "The due date: '3/12' is a day in numbers only, which most countries write"),
    ],
)
@pytest.mark.usefixtures("acme")
def test_a_due_day_not_read_says_why_and_lists_the_forms(
    slack: Slack, due: str, problem: str
) -> None:
    said = answer(slack, f"commit Acme us : send the report by {due}")
    assert problem in said
    assert "the 15th, next week, end of month, friday 14:00" in said
    assert due_days(slack) == []


def planned(slack: Slack) -> list[tuple[str, str | None]]:
    with Session(slack.runtime.engine) as session:
        rows = session.exec(select(Touchpoint).order_by(Touchpoint.id))  # type: ignore[arg-type]
        return [(row.kind, row.notes) for row in rows]


@pytest.mark.parametrize(
    ("day", "shown"),
    [
        ("end of next week", "on Fri 4 Dec"),
        ("the 15th 14:00", "on Tue 15 Dec at 14:00"),
        ("3rd of December at 9am", "on Thu 3 Dec at 09:00"),
        ("next week", "on Mon 30 Nov"),
        ("a week from today", "on Wed 2 Dec"),
    ],
)
@pytest.mark.usefixtures("acme")
def test_a_plans_day_as_people_say_it_is_planned(slack: Slack, day: str, shown: str) -> None:
    said = answer(slack, f"plan Acme on {day} : review")
    assert f"Planned your meeting with *Acme Corporation* {shown}" in said
    assert planned(slack) == [("planned", "review")]


@pytest.mark.usefixtures("acme")
def test_a_day_logged_as_people_say_it_is_logged(slack: Slack) -> None:
    said = answer(slack, "log Acme on end of last week : the call")
    assert "Logged your contact with *Acme Corporation* on Fri 20 Nov" in said
    said = answer(slack, "log Acme on a week ago : the visit")
    assert "Logged your contact with *Acme Corporation* on Wed 18 Nov" in said


def test_away_next_week_is_still_the_whole_week_and_until_end_of_month_reads(
    slack: Slack,
) -> None:
    said = answer(slack, "away next week")
    assert "You're away from *Mon 30 Nov* to *Sun 6 Dec*" in said
    answer(slack, "away cancel")
    said = answer(slack, "away until end of month", user=ANA)
    assert "to *Mon 30 Nov*" in said
    with Session(slack.runtime.engine) as session:
        assert len(session.exec(select(Absence)).all()) == 1


def test_away_on_a_day_in_numbers_only_asks_for_the_month_as_a_word(slack: Slack) -> None:
    said = answer(slack, "away 3/12")
    assert f"'3/12' {NUMBERS_ONLY}" in said
    assert "e.g. `3 Dec`" in said


def test_help_for_commit_shows_the_due_day_forms(slack: Slack) -> None:
    said = answer(slack, "help commit")
    assert "`by end of month`, `by end of week` (its Friday), `by next week` (its Monday)" in said


@pytest.mark.parametrize(
    ("due", "shown", "day"),
    [
        # QA: a day then `EOD` was refused as unreadable.
        ("tomorrow EOD", "due Thu 26 Nov", date(2026, 11, 26)),
        ("tomorrow eod", "due Thu 26 Nov", date(2026, 11, 26)),
        ("friday EOD", "due Fri 27 Nov", date(2026, 11, 27)),
        ("friday end of day", "due Fri 27 Nov", date(2026, 11, 27)),
    ],
)
@pytest.mark.usefixtures("acme")
def test_a_due_day_then_eod_is_that_day(slack: Slack, due: str, shown: str, day: date) -> None:
    said = answer(slack, f"commit Acme us : send the report by {due}")
    assert f"“send the report”, {shown}" in said
    assert due_days(slack) == [day]


@pytest.mark.usefixtures("acme")
def test_a_day_ending_a_sentence_is_read_by_plan_and_log(slack: Slack) -> None:
    """QA: `on friday.` was not read: the full stop ends the sentence, not the day."""
    said = answer(slack, "plan Acme on friday. : review")
    assert "Planned your meeting with *Acme Corporation* on Fri 27 Nov" in said
    said = answer(slack, "log Acme on last monday. : the call")
    assert "Logged your contact with *Acme Corporation* on Mon 23 Nov" in said


@pytest.mark.usefixtures("acme")
def test_a_due_day_or_time_away_not_read_shows_days_to_come(slack: Slack) -> None:
    """QA: the examples were `yesterday, last tuesday`, which neither command can use."""
    for said in (
        answer(slack, "commit Acme us : send the report by 3/12"),
        answer(slack, "away 1/12 to 3/12"),
        answer(slack, "commit Acme us : send the report by someday"),
    ):
        assert "Dates look like: today, tomorrow, friday, next tuesday, in 3 days" in said
        assert "yesterday" not in said and "last tuesday" not in said
    # Logging a contact looks back: its examples still do.
    said = answer(slack, "log Acme on someday : the call")
    assert "yesterday" in said


@pytest.mark.usefixtures("acme")
@pytest.mark.parametrize("due", ["by 5 pm friday", "due 5 pm friday", "by 17:00 friday"])
def test_a_due_time_said_before_the_day_is_read(slack: Slack, due: str) -> None:
    """QA: `by 5 pm friday` was refused: “I can't read '5pm friday' as a date”."""
    said = answer(slack, f"commit Acme us : send the report {due}")
    assert "due Fri 27 Nov" in said
    assert due_days(slack) == [date(2026, 11, 27)]


@pytest.mark.usefixtures("acme")
def test_a_plans_time_said_before_the_day_is_read(slack: Slack) -> None:
    said = answer(slack, "plan Acme on 5pm friday : review")
    assert "Planned your meeting with *Acme Corporation* on Fri 27 Nov at 17:00" in said


@pytest.mark.usefixtures("acme")
def test_a_plans_day_not_read_shows_days_to_come(slack: Slack) -> None:
    """QA: `plan`'s examples were `yesterday, last tuesday`, which a plan can't use."""
    said = answer(slack, "plan Acme on someday : review")
    assert "Dates look like: today, tomorrow, friday, next tuesday, in 3 days" in said
    assert "yesterday" not in said and "last tuesday" not in said


def logged_days(slack: Slack) -> list[tuple[date, str | None]]:
    """Each contact recorded: its day in Berlin (Ana's zone) and its notes."""
    with Session(slack.runtime.engine) as session:
        rows = session.exec(select(Touchpoint).order_by(Touchpoint.id))  # type: ignore[arg-type]
        return [(row.at.astimezone(BERLIN).date(), row.notes) for row in rows]


@pytest.mark.usefixtures("acme")
@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("log ACME 3/12 via meeting : logistics pilot", f"'3/12' {NUMBERS_ONLY}"),
        ("log acme last week via call : x", "say which, e.g. `tuesday last week` or `a week ago`"),
        ("log acme tmrw via call : x", "`tmrw` (Thu 26 Nov 2026) is in the future"),
        ("log acme 31 nov via call : x", "'31 nov' is not a day of the calendar"),
        ("log acme yesterday at 3 via call : x", "`3` alone could be 03:00 or 15:00"),
    ],
)
def test_a_date_after_a_known_name_is_its_date_even_refused(
    slack: Slack, line: str, said: str
) -> None:
    """QA: `log MSF 3/12 via meeting : …` read "MSF 3/12" as the name, offered "Did you mean"
    MSF, and the pick logged the meeting today: the date dropped without a word."""
    shown = answer(slack, line)
    assert said in shown
    assert "Did you mean" not in shown and "partner_pick" not in shown
    assert "touchpoint_register" not in shown
    assert logged_days(slack) == []


@pytest.mark.usefixtures("acme")
def test_the_days_next_to_today_as_people_shorten_them_are_read(slack: Slack) -> None:
    said = answer(slack, "log acme yday via call : x")
    assert "Logged your call with *Acme Corporation* yesterday" in said
    said = answer(slack, "log ACME on yest : y")
    assert "Logged your contact with *Acme Corporation* yesterday" in said
    # QA: "If “10am” is the date, it needs `on`…": `tmrw` was no date.
    said = answer(slack, "plan acme tmrw 10am : call w jane")
    assert "Planned your meeting with *Acme Corporation* tomorrow at 10:00" in said
    assert logged_days(slack) == [
        (date(2026, 11, 24), "x"),
        (date(2026, 11, 24), "y"),
        (date(2026, 11, 26), "call w jane"),
    ]


@pytest.mark.usefixtures("acme")
def test_did_you_mean_for_a_name_ending_in_a_date_keeps_the_date(slack: Slack) -> None:
    """A misspelt name and then a date without `on`: the pick records the contact on that
    date, where it replaced the date with the partner's name."""
    said = answer(slack, "log Acmee Corporation yday via call : budget")
    assert "I don't know a partner called “Acmee Corporation”. Did you mean" in said
    assert "I read “yday” as the date" in said
    assert "touchpoint_register" not in said
    click(slack, ANA, last(slack, ANA), "partner_pick_0")
    assert "Logged your call with *Acme Corporation* yesterday" in shown_of(last(slack, ANA))
    assert logged_days(slack) == [(date(2026, 11, 24), "budget")]
    # A date refused for itself is said first, with nothing to pick.
    said = answer(slack, "log Acmee Corporation 3/12 via call : pilot")
    assert f"'3/12' {NUMBERS_ONLY}" in said and "partner_pick" not in said
    assert len(logged_days(slack)) == 1


@pytest.mark.usefixtures("acme")
def test_a_new_name_ending_in_a_refused_date_is_not_offered_to_register(slack: Slack) -> None:
    """QA: "Register it: Globex 3/12" registered the date as part of a new partner's name."""
    said = answer(slack, "log Globex 3/12 via call : x")
    assert "touchpoint_register" not in said
    assert "If “3/12” is the date, it needs `on`: `/partner log Globex on 3/12 : …`" in said


@pytest.mark.usefixtures("acme")
def test_a_bare_hour_up_to_seven_is_asked_about(slack: Slack) -> None:
    """QA: `plan MSF on fri at 3` planned it at 03:00, and `log … yesterday at 3` logged 03:00."""
    for line in ("plan Acme on fri at 3 : three", "log Acme on yesterday at 3 via call : y"):
        said = answer(slack, line)
        assert "`3` alone could be 03:00 or 15:00: type `at 15:00` or `at 3pm`" in said
    assert logged_days(slack) == []
    said = answer(slack, "plan Acme on fri at 3pm : three")
    assert "on Fri 27 Nov at 15:00" in said
    said = answer(slack, "plan Acme on fri at 9 : nine")
    assert "on Fri 27 Nov at 09:00" in said
    said = answer(slack, "plan Acme on sat at 15:00 : fifteen")
    assert "on Sat 28 Nov at 15:00" in said


@pytest.mark.usefixtures("acme")
def test_an_hour_up_to_seven_with_minutes_is_asked_about_where_the_time_counts(
    slack: Slack,
) -> None:
    """QA: `at 3` was asked about, but `plan … on fri at 3:30` still planned it at 03:30."""
    said = answer(slack, "plan Acme on fri at 3:30 : three")
    assert "`3:30` alone could be 03:30 or 15:30: type `at 15:30` or `at 3:30pm`" in said
    said = answer(slack, "away now to 4:15")
    assert "`4:15` alone could be 04:15 or 16:15" in said
    assert logged_days(slack) == []
    with Session(slack.runtime.engine) as session:
        assert session.exec(select(Absence)).all() == []
    said = answer(slack, "plan Acme on fri at 03:30 : night")
    assert "on Fri 27 Nov at 03:30" in said
    said = answer(slack, "plan Acme on fri at 3:30pm : day")
    assert "on Fri 27 Nov at 15:30" in said
    # A due day drops its time: nothing to ask, the day is recorded and the time said left out.
    for line in ("commit Acme us : a by friday at 3", "commit Acme us : b by friday 3:30"):
        assert "due Fri 27 Nov (a commitment is due on a day, so I left out the 03:" in answer(
            slack, line
        )
    assert due_days(slack) == [date(2026, 11, 27)] * 2


@pytest.mark.usefixtures("acme")
def test_an_intent_with_its_purpose_run_in_after_on_lacks_its_colon(slack: Slack) -> None:
    """QA: `intend MSF follow up on MoU` said `intend` takes no date, to plan it instead."""
    said = answer(slack, "intend Acme follow up on MoU")
    assert "Put a `:` before the purpose" in said
    assert "takes no date" not in said
    said = answer(slack, "intend Acme on friday : x")
    assert "`intend` takes no date" in said


@pytest.mark.usefixtures("acme")
def test_a_time_with_a_dot_typed_for_the_date_is_shown_with_at(slack: Slack) -> None:
    """Review: `plan Acme on 9.30 : …` was refused as a day in numbers (Sep 30) without a word
    of the time it is, and `on 3. 5pm` as "I can't read '3.'"; `at 9.30` reads as a time."""
    for line in ("plan Acme on 9.30 : x", "log Acme on 3.30 : x", "plan Acme 14.30 : x"):
        said = answer(slack, line, user=BEN)
        time = line.split(" : ")[0].split()[-1]
        assert f"If “{time}” is a time, write `at {time}`" in said, said
    said = answer(slack, "plan Acme on 3. 5pm : x", user=BEN)
    assert "'3.' is a day without its month: say which, e.g. `3 Dec` or `the 3rd`." in said
    assert planned(slack) == []
    said = answer(slack, "plan Acme on at 9.30 : x", user=BEN)
    assert "Planned your meeting with *Acme Corporation* today at 09:30" in said, said


@pytest.mark.usefixtures("acme")
def test_a_plans_misspelt_day_after_the_name_is_named_in_the_hint(slack: Slack) -> None:
    """QA: `plan MSF tmrw 10am : …` was told “If “10am” is the date, it needs `on`: `plan MSF
    tmrw on 10am`”: the first word no date reads is what to put right."""
    said = answer(slack, "plan Acme tmorrow 10am : call w jane")
    assert (
        "After “Acme”, I can't read “tmorrow 10am” as a date: “tmorrow” is no day I know."
    ) in said
    assert "If “10am” is the date" not in said
    # The rest of another partner's name is still shown the line with its `on`.
    said = answer(slack, "plan Acme Spain friday : x")
    assert (
        "If “friday” is the date, it needs `on`: `/partner plan Acme Spain on friday : …`" in said
    )
    said = answer(slack, "plan Acme Maria friday : x")
    assert "I can't read" not in said
    said = answer(slack, "plan Acme blursday 10am : x")
    assert "“blursday” is no day I know" in said
    assert planned(slack) == []


@pytest.mark.usefixtures("acme")
def test_a_misspelt_day_after_a_known_name_is_named_for_log_plan_and_intend(slack: Slack) -> None:
    """Review: `log msf blursday : x` offered "Did you mean MSF", whose click logged it today,
    the misspelt day dropped without a word. The word is named, as `plan`'s hint names it, and
    nothing is offered to pick."""
    for verb in ("log", "plan"):
        said = answer(slack, f"{verb} acme blursday : x")
        assert "After “acme”, I can't read “blursday” as a date: “blursday” is no day I know." in (
            said
        ), said
        assert "Did you mean" not in said and "Register it" not in said
        # The dates shown fit the verb: a contact logged has happened, a plan is to come
        # (`log` was shown "tomorrow, friday, next tuesday, in 3 days…").
        examples = said.split("Dates look like: ")[1].split(".")[0]
        if verb == "log":
            assert examples.startswith("today, yesterday, last tuesday, 3 days ago"), examples
            assert "tomorrow" not in examples and "next" not in examples and " in " not in examples
        else:
            assert examples.startswith("today, tomorrow, friday, next tuesday"), examples
    said = answer(slack, "intend acme tmorrow : x")
    assert "After “acme”, “tmorrow” is no day I know, and `intend` takes no date" in said
    assert "`/partner plan acme on DATE : …`" in said and "Did you mean" not in said
    # Another partner's name after a known one, and a date read as one, are as before.
    assert "I can't read" not in answer(slack, "log Acme Maria : x")
    assert "Logged your contact with *Acme Corporation* yesterday" in answer(
        slack, "log acme yesterday : x"
    )
    assert planned(slack) == [("done", "x")]


@pytest.mark.parametrize(
    ("intent", "plan"),
    [
        ("intend acme tomorrow", "plan acme on tomorrow : …"),
        ("intend acme tomorrow : ask about the gala", "plan acme on tomorrow : ask about the gala"),
        ("intend acme with Jane Doe friday : x", "plan acme with Jane Doe on friday : x"),
        ("intend acme on friday : x", "plan acme on friday : x"),
        ("intend acme in 3 days : x", "plan acme in 3 days : x"),
    ],
)
@pytest.mark.usefixtures("acme")
def test_an_intent_with_a_date_is_shown_the_plan_line_that_works_pasted(
    slack: Slack, intent: str, plan: str
) -> None:
    """Review: `intend msf tomorrow` suggested `/partner plan msf tomorrow : …`, which `plan`
    refuses for its missing `on`, and `: …` in place of the purpose typed. The line shown has
    its `on` and the purpose, and pasted it plans."""
    said = answer(slack, intent)
    assert f"plan it: `/partner {plan}`." in said, said
    assert planned(slack) == []
    assert "Planned your meeting with *Acme Corporation*" in answer(slack, plan)
    assert len(planned(slack)) == 1


@pytest.mark.usefixtures("acme")
def test_a_dotted_day_in_numbers_is_asked_about_as_one_with_slashes_is(slack: Slack) -> None:
    """Review: `log msf 3.5 : x` answered "'3.5' is read day first in most countries…, e.g.
    `3 May`", which reads as if 3 May were taken. A dotted day in numbers (`3.5.`, German style,
    `3. 5.`, `3.5.2026`) is refused as `3/5` is, both readings shown; `3. May` reads."""
    for typed, said_as in (
        ("3.5", "3.5"),
        ("3.5.", "3.5"),
        ("3. 5.", "3.5"),
        ("3/5", "3/5"),
    ):
        for line in (f"log acme on {typed} : x", f"log acme {typed} : x"):
            said = answer(slack, line)
            assert f"'{said_as}' {NUMBERS_ONLY}, so I read it neither way" in said, line
            assert "e.g. `3 May` (day first) or `Mar 5` (month first)" in said, line
            assert "Did you mean" not in said and "Register it" not in said, line
    said = answer(slack, "log acme on 3.5.2026 : x")
    assert "e.g. `3 May 2026` (day first) or `Mar 5 2026` (month first)" in said
    # Only one way names a day: still asked, that way shown.
    assert "e.g. `20 Nov` (day first), or" in answer(slack, "log acme on 20.11. : x")
    assert planned(slack) == []
    said = answer(slack, "log acme on 3. Nov : x")
    assert "Logged your contact with *Acme Corporation* on Tue 3 Nov" in said
    assert planned(slack) == [("done", "x")]
