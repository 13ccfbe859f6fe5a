"""Coming back from time away that ends on its own: on their first working morning back, the
owner hears what colleagues did meanwhile with the partners they own, once; `back` already says
it. Signed commands and clicks through the real app; the scheduler's tick (and `liaison tick
--at`) runs the planners and delivers to the fake Slack.

The clock starts on Wednesday 25 Nov 2026, 09:00 UTC: 10:00 for Ana (Berlin), who owns Acme.
`away today to friday` ends at midnight between Friday and Saturday in Berlin, so her first
working moment back is Monday 30 Nov, 09:0x in Berlin (08:0x UTC).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from bot.app import build_planners
from bot.sandbox.fake_slack import FakeMessage
from bot.scheduler import Scheduler
from handlers.blocks import touchpoints as blocks
from storage.models import (
    Absence,
    CheckIn,
    CheckInAnswer,
    CheckInStatus,
    OutboxMessage,
    OutboxStatus,
    Partner,
    Touchpoint,
)
from tests.bot.delivery.test_processes import liaison_tick
from tests.conftest import Slack
from tests.scenarios.test_partners import ANA, BEN, CHLOE, DAN, answer, click, shown
from tests.scenarios.test_touchpoints import acme as acme  # noqa: F401 (the fixture)
from tests.scenarios.test_touchpoints import at, deliver_outbox, dms

FRIDAY_EVENING = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)  # 19:00 in Berlin, still away
SATURDAY = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
MONDAY_EARLY = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)  # 07:00 in Berlin: before her hours
MONDAY_MORNING = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)  # 09:30 in Berlin


def summaries(slack: Slack, user: str = ANA) -> list[FakeMessage]:
    return [m for m in dms(slack, user) if m.text.startswith("Welcome back!")]


def briefs(message: FakeMessage) -> list[str]:
    """The "Brief me" buttons beside the lines, by label."""
    return [
        block["accessory"]["text"]["text"]
        for block in message.blocks
        if block.get("accessory", {}).get("action_id") == blocks.CHECK
    ]


def notes_of(slack: Slack, words: str, user: str = ANA) -> list[FakeMessage]:
    """The notes `user` got as an owner about a contact whose notes hold `words`."""
    return [m for m in dms(slack, user) if words in m.text and "Welcome back" not in m.text]


def cancelled_notes(slack: Slack) -> list[OutboxMessage]:
    with Session(slack.runtime.engine) as session:
        statement = select(OutboxMessage).where(
            OutboxMessage.kind == "touchpoint_owner_note",
            OutboxMessage.status == OutboxStatus.CANCELLED,
        )
        return list(session.exec(statement).all())


@pytest.mark.usefixtures("acme")
def test_time_away_that_ends_on_its_own_is_summed_up_on_the_first_working_morning(
    slack: Slack,
) -> None:
    answer(slack, "add Globex")  # Ana's too: nothing happens with it
    answer(slack, "away today to friday deputy <@U0DAN|dan>")
    answer(slack, "intend Acme : ask about the gala", user=BEN)
    answer(slack, "plan Acme on friday : a visit", user=CHLOE)
    deliver_outbox(slack)
    (question,) = [m for m in dms(slack, DAN) if "would like to reach out" in m.text]
    click(slack, DAN, question, "intent_go_ahead")
    at(slack, FRIDAY_EVENING)
    at(slack, SATURDAY)
    answer(slack, "log Acme via call : a weekend call", user=CHLOE)
    at(slack, MONDAY_EARLY)
    assert summaries(slack) == []  # away no more, but not at work yet
    at(slack, MONDAY_MORNING)
    (summary,) = summaries(slack)
    assert summary.text == (
        "Welcome back! Your time away from *Wed 25 Nov* to *Fri 27 Nov* is over.\n"
        "While you were away, with the partners you own:\n"
        "• *Acme Corporation*: <@U0BEN> stated 1 intent (<@U0DAN> answered “Go ahead”); "
        "<@U0CHLOE> logged 1 contact and planned 1 contact; 1 revolving-door alert.\n"
        "`/partner check NAME` briefs you on one."
    )
    assert "Globex" not in shown(summary)
    assert briefs(summary) == ["Brief me on Acme Corporation"]
    # The button briefs her on the partner.
    click(slack, ANA, summary, blocks.CHECK)
    assert "Before you reach out: Acme Corporation" in shown(slack.ephemerals_to(ANA)[-1])
    # Planner runs later, and a restart, send nothing twice.
    at(slack, datetime(2026, 11, 30, 12, 0, tzinfo=UTC))
    deliver_outbox(slack)
    at(slack, datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    assert summaries(slack) == [summary]


@pytest.mark.usefixtures("acme")
def test_back_that_already_summed_up_leaves_nothing_to_send(slack: Slack) -> None:
    answer(slack, "away today to friday")
    answer(slack, "log Acme via call : a call", user=CHLOE)
    at(slack, datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    said = answer(slack, "back")
    assert "While you were away, with the partners you own:" in said
    # The note held about Chloe's call is in the summary: it does not follow.
    assert "waited for you will arrive" not in said
    (dropped,) = cancelled_notes(slack)
    assert dropped.last_error == "summed up for the owner on their return"
    at(slack, MONDAY_MORNING)
    at(slack, datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    assert summaries(slack) == []
    assert notes_of(slack, "a call") == []


@pytest.mark.usefixtures("acme")
def test_back_typed_after_time_away_ended_on_its_own_sums_it_up_then(slack: Slack) -> None:
    answer(slack, "away today to friday")
    answer(slack, "away 2026-12-14 to 2026-12-18")  # planned: `back` leaves it be
    answer(slack, "log Acme via call : a call", user=CHLOE)
    at(slack, MONDAY_EARLY)  # away no more, but before the summary's first working moment
    said = answer(slack, "back")
    # Its last day, as it was booked: not the midnight it ended at.
    assert "Welcome back! Your time away from *Wed 25 Nov* to *Fri 27 Nov* is over." in said
    assert "While you were away, with the partners you own:" in said
    assert "cancelled" not in said and "nothing changed" not in said
    at(slack, MONDAY_MORNING)
    assert summaries(slack) == []  # said already
    with Session(slack.runtime.engine) as session:
        booked = session.exec(select(Absence)).all()
    assert len(booked) == 2  # the planned time away stands


@pytest.mark.usefixtures("acme")
def test_time_away_in_which_nothing_happened_sends_nothing(slack: Slack) -> None:
    answer(slack, "away today to friday")
    answer(slack, "log Acme via call : my own call")  # Ana's own: nothing to tell her
    at(slack, MONDAY_MORNING)
    at(slack, datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    assert summaries(slack) == []


@pytest.mark.usefixtures("acme")
def test_time_away_booked_again_before_the_first_working_morning_is_summed_up_once(
    slack: Slack,
) -> None:
    answer(slack, "away today to friday")
    answer(slack, "log Acme via call : a first call", user=CHLOE)
    at(slack, SATURDAY)
    answer(slack, "away 2026-11-30 to 2026-12-01")  # Monday and Tuesday off too
    at(slack, MONDAY_MORNING)
    assert summaries(slack) == []  # away again: it waits
    answer(slack, "log Acme via call : a second call", user=BEN)
    at(slack, datetime(2026, 12, 2, 8, 30, tzinfo=UTC))  # Wednesday, 09:30 in Berlin
    (summary,) = summaries(slack)
    assert "from *Wed 25 Nov* to *Tue 1 Dec* is over." in summary.text
    assert "<@U0CHLOE> logged 1 contact; <@U0BEN> logged 1 contact" in summary.text


@pytest.mark.usefixtures("acme")
def test_pieces_of_one_time_away_are_summed_up_from_its_first_day(slack: Slack) -> None:
    answer(slack, "away today to 2026-12-04")
    answer(slack, "log Acme via call : early in the time away", user=CHLOE)
    at(slack, datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    # Thursday: a deputy for Monday only splits the time away into three pieces.
    answer(slack, "away 2026-11-30 to 2026-11-30 deputy <@U0DAN|dan>")
    at(slack, datetime(2026, 12, 7, 8, 30, tzinfo=UTC))  # Monday after, 09:30 in Berlin
    (summary,) = summaries(slack)
    assert "from *Wed 25 Nov* to *Fri 4 Dec* is over." in summary.text
    assert "<@U0CHLOE> logged 1 contact" in summary.text


@pytest.mark.usefixtures("acme")
def test_back_after_a_split_time_away_sums_up_from_its_first_day(slack: Slack) -> None:
    answer(slack, "away today to 2026-12-04")
    answer(slack, "log Acme via call : early in the time away", user=CHLOE)
    at(slack, datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    answer(slack, "away 2026-11-30 to 2026-11-30 deputy <@U0DAN|dan>")
    at(slack, datetime(2026, 12, 2, 9, 0, tzinfo=UTC))  # Wednesday, in the last piece
    said = answer(slack, "back")
    assert "<@U0CHLOE> logged 1 contact" in said


@pytest.mark.usefixtures("acme")
def test_the_summary_replaces_the_notes_held_about_the_contacts_it_sums_up(
    slack: Slack,
) -> None:
    at(slack, datetime(2026, 11, 25, 18, 0, tzinfo=UTC))  # 19:00 in Berlin: Ana's day is over
    answer(slack, "log Acme via call : a call before", user=CHLOE)
    answer(slack, "away tomorrow to friday")  # nobody covers: the note waits for her
    at(slack, datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    answer(slack, "log Acme via call : a call meanwhile", user=BEN)
    at(slack, MONDAY_MORNING)

    (summary,) = summaries(slack)
    assert "<@U0BEN> logged 1 contact" in summary.text
    assert "<@U0CHLOE>" not in summary.text  # her call came before the time away
    assert notes_of(slack, "a call meanwhile") == []  # the summary told her
    (before,) = notes_of(slack, "a call before")  # the summary did not
    assert before.text.startswith("<@U0CHLOE> had a call with *Acme Corporation*")
    (dropped,) = cancelled_notes(slack)
    assert dropped.recipient_user == ANA and dropped.held is False
    assert dropped.last_error == "summed up for the owner on their return"
    at(slack, datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    assert notes_of(slack, "a call meanwhile") == []


@pytest.mark.usefixtures("acme")
def test_the_dispatcher_holds_a_returning_owners_messages_until_the_summary_is_queued(
    slack: Slack,
) -> None:
    """`serve` dispatches every few seconds and plans the summary once a minute: at the first
    working moment back, the held note must not go out before the planner has summed it up, and
    an intent question waiting for her comes after the summary."""
    answer(slack, "away today to friday")  # nobody covers: notes and questions wait for her
    answer(slack, "log Acme via call : a call meanwhile", user=BEN)
    answer(slack, "intend Acme : the budget", user=DAN)
    at(slack, SATURDAY)
    slack.runtime.clock.set(MONDAY_MORNING)  # type: ignore[attr-defined]
    # What `serve`'s dispatcher job does every few seconds, between the planners' runs.
    serving = Scheduler(slack.runtime, planners=build_planners(), client=slack.web_client)
    assert serving.dispatcher.run_pass().held == 2
    assert dms(slack, ANA) == []
    deliver_outbox(slack)  # the planners' minute: the summary is queued and sent
    slack.runtime.clock.advance(timedelta(minutes=2))  # type: ignore[attr-defined]
    deliver_outbox(slack)
    received = [m.text for m in dms(slack, ANA)]
    assert received[0].startswith("Welcome back!"), received
    assert notes_of(slack, "a call meanwhile") == []  # the summary told her
    assert len(received) == 2 and "would like to reach out" in received[1], received


@pytest.mark.usefixtures("acme")
def test_what_waited_for_the_owner_comes_after_the_summary(slack: Slack) -> None:
    answer(slack, "away today to friday")
    answer(slack, "log Acme via call : a call meanwhile", user=BEN)
    answer(slack, "intend Acme : the budget", user=DAN)
    at(slack, MONDAY_MORNING)
    received = [m.text for m in dms(slack, ANA)]
    assert len(received) == 2, received
    assert received[0].startswith("Welcome back!") and "would like to reach out" in received[1]


def test_liaison_tick_at_the_first_working_morning_sends_the_summary(
    slack: Slack, database_url: str, tmp_path: Path
) -> None:
    answer(slack, 'add Acme Corporation aka "ACME"')
    answer(slack, "away today to friday")
    answer(slack, "log Acme via call : a call", user=CHLOE)
    process = liaison_tick(slack.fake, database_url, MONDAY_MORNING, tmp_path)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    (summary,) = summaries(slack)
    assert "• *Acme Corporation*: <@U0CHLOE> logged 1 contact." in summary.text
    with Session(slack.runtime.engine) as session:
        (row,) = session.exec(
            select(OutboxMessage).where(OutboxMessage.kind == "welcome_back")
        ).all()
    assert json.dumps(row.blocks)  # what was sent is what was queued
    again = liaison_tick(slack.fake, database_url, MONDAY_MORNING, tmp_path)
    again.communicate(timeout=60)
    assert len(summaries(slack)) == 1


def test_liaison_itself_is_refused_as_a_deputy_at_once(slack: Slack) -> None:
    said = answer(slack, "away today to friday deputy <@U0LIAISON|liaison>")
    assert "I can't cover for you myself: your deputy must be a colleague." in said
    assert "go to <@U0LIAISON>" not in said
    with Session(slack.runtime.engine) as session:
        assert session.exec(select(Absence)).all() == []  # nothing was booked


# --- Who covers while away, as things stand when `away` is typed ------------------------------
# Wednesday 25 Nov: Dan (London) is away to Tuesday 1 Dec.


def dan_away_too(days: str, waits: str = "for you") -> str:
    return (
        f"<@U0DAN> is away too {days}, so *Acme Corporation*, which you own, would have nobody "
        f"covering then: its alerts wait {waits}."
    )


@pytest.mark.usefixtures("acme")
def test_a_deputy_for_time_away_who_is_away_too_is_named_with_the_days_nobody_covers(
    slack: Slack,
) -> None:
    answer(slack, "away today to 2026-12-01", user=DAN)
    said = answer(slack, "away today to friday deputy <@U0DAN|dan>")
    assert "partners you own go to <@U0DAN>." in said
    assert (
        dan_away_too("from *Wed 25 Nov* to *Fri 27 Nov*") + " Give it a deputy with `/partner "
        "deputy Acme Corporation @colleague`, or name someone else to cover your time away with "
        "`/partner away today to friday deputy @colleague`."
    ) in said  # in the words typed (QA: not `2026-11-25 to 2026-11-27`)
    # Away for part of the time: only those days are uncovered, and what comes meanwhile
    # waits for him, back before her (QA20b BUG 2).
    said = answer(slack, "away 2026-11-30 to 2026-12-04 deputy <@U0DAN|dan>")
    assert dan_away_too("from *Mon 30 Nov* to *Tue 1 Dec*", "until <@U0DAN> is back") in said
    # The partner's own deputy is asked first: while she is here, nobody is left uncovered.
    answer(slack, "deputy Acme <@U0CHLOE|chloe>")
    said = answer(slack, "away 2026-11-30 to 2026-12-04 deputy <@U0DAN|dan>")
    assert "<@U0DAN> is away too from *Mon 30 Nov* to *Tue 1 Dec*." in said
    assert "nobody covering" not in said


@pytest.mark.usefixtures("acme")
def test_a_partners_deputy_who_is_away_too_leaves_it_uncovered_unless_someone_is_named(
    slack: Slack,
) -> None:
    answer(slack, "deputy Acme <@U0DAN|dan>")
    answer(slack, "away today to 2026-12-01", user=DAN)
    said = answer(slack, "away 2026-11-30 to 2026-12-04")
    assert "alerts about partners you own go to each partner's deputy." in said
    assert dan_away_too("from *Mon 30 Nov* to *Tue 1 Dec*", "until <@U0DAN> is back") in said
    # Chloe, named for the time away, covers while Dan is away.
    said = answer(slack, "away 2026-11-30 to 2026-12-04 deputy <@U0CHLOE|chloe>")
    assert "or else <@U0CHLOE>." in said and "nobody covering" not in said
    # Both away: nobody covers the days they share.
    answer(slack, "away 2026-12-01 to 2026-12-02", user=BEN)
    said = answer(slack, "away 2026-11-30 to 2026-12-04 deputy <@U0BEN|ben>")
    assert (
        "<@U0DAN> and <@U0BEN> are away too, so *Acme Corporation*, which you own, would "
        "have nobody covering on *Tue 1 Dec*: its alerts wait until one of them is back."
    ) in said


def test_what_waits_for_the_owner_reaches_a_deputy_never_seen_in_the_deputys_own_hours(
    slack: Slack,
) -> None:
    """QA18b BUG 3: Slack is asked for the zone of a deputy Liaison has never seen before the
    time away is booked, so the question handed to them is timed in their hours (a working day
    of theirs from when it reaches them), not in the workspace's zone as a guess."""
    answer(slack, 'add Acme Corporation aka "ACME"')
    answer(slack, "show Acme", user=BEN)  # Chloe has typed nothing: Liaison has never seen her
    at(slack, datetime(2026, 11, 25, 18, 0, tzinfo=UTC))  # 19:00 in Berlin: Ana's day is over
    answer(slack, "intend Acme : ask about the gala", user=BEN)
    said = answer(slack, "away tomorrow to friday deputy <@U0CHLOE|chloe>")
    assert "go to <@U0CHLOE>." in said
    deliver_outbox(slack)  # 13:00 in New York: Ben hears at once
    (moved,) = [m for m in dms(slack, BEN) if "so I've asked <@U0CHLOE>" in m.text]
    # A working day of hers: Thursday 09:1x in Tokyo to Friday 09:15 there (Thursday 19:15 for
    # Ben), not Friday 09:15 UTC.
    assert "if there is no answer by Thu 26 Nov at 19:15, you may go ahead." in moved.text
    at(slack, datetime(2026, 11, 26, 0, 30, tzinfo=UTC))  # Thursday 09:30 in Tokyo
    (question,) = [m for m in dms(slack, CHLOE) if "would like to reach out" in m.text]
    assert "<@U0BEN> would like to reach out to *Acme Corporation*" in question.text
    assert "Fri 27 Nov at 09:15" in shown(question)


def test_away_cancel_with_more_after_it_says_cancel_takes_nothing(slack: Slack) -> None:
    """QA20b NIT 4: `away cancel now` is a cancel mistyped, not dates to read."""
    answer(slack, "away 2026-12-07 to 2026-12-11")
    said = answer(slack, "away cancel now")
    assert "`away cancel` takes nothing after it" in said
    assert "Say when you are away" not in said
    assert "I cancelled your time away" in answer(slack, "away cancel")


def test_away_alone_shows_the_time_away_now_and_to_come(slack: Slack) -> None:
    """New-user QA: `away` alone, typed while away, answered with the syntax."""
    assert answer(slack, "away").startswith("You have no time away planned. Tell me before you go")
    answer(slack, "away next week")
    answer(slack, "away today to thursday deputy <@U0DAN|dan>")
    said = answer(slack, "away")
    assert said.startswith(
        "You're away now, through *Thu 26 Nov*, with <@U0DAN> covering; `/partner back` ends it."
    )
    assert "Your time away from *Mon 30 Nov* to *Sun 6 Dec* (no deputy named) is planned" in said


def test_away_alone_says_who_covers_each_stretch_planned(slack: Slack) -> None:
    """New-user QA: `away` alone listed planned time away without who covers it."""
    answer(slack, "away next week deputy <@U0DAN|dan>")
    answer(slack, "away 2026-12-14 to 2026-12-18")
    answer(slack, "away 2026-12-21 to 2026-12-23 deputy <@U0BEN|ben>")
    answer(slack, "away 2026-12-24 to 2026-12-25")
    said = answer(slack, "away")
    assert (
        "Your time away from *Mon 30 Nov* to *Sun 6 Dec* (with <@U0DAN> covering) and from "
        "*Mon 14 Dec* to *Fri 18 Dec* (no deputy named) and from *Mon 21 Dec* to *Wed 23 Dec* "
        # Booked to follow on from the days before it, it is time away of its own (QA).
        "(with <@U0BEN> covering) and from *Thu 24 Dec* to *Fri 25 Dec* (no deputy named) is "
        "planned"
    ) in said


def test_time_away_booked_in_two_touching_spans_is_cancelled_one_span_at_a_time(
    slack: Slack,
) -> None:
    """QA: Tuesday to Thursday with Dan covering, then Friday to Monday with nobody: `away
    cancel` cancelled both as one ("from Tue 1 Dec to Mon 7 Dec"), where the person meant the
    next one. Each span booked keeps its own deputy, is shown apart, and is cancelled alone."""
    answer(slack, "away 2026-12-01 to 2026-12-03 deputy <@U0DAN|dan>")
    answer(slack, "away 2026-12-04 to 2026-12-07")
    with Session(slack.runtime.engine) as session:
        booked = session.exec(select(Absence).order_by(col(Absence.starts_at))).all()
    # Stored apart: Dan covers Tuesday to Thursday only, not the days booked after them.
    assert [absence.deputy_id for absence in booked] == [DAN, None]
    assert (
        "Your time away from *Tue 1 Dec* to *Thu 3 Dec* (with <@U0DAN> covering) and from "
        "*Fri 4 Dec* to *Mon 7 Dec* (no deputy named) is planned"
    ) in answer(slack, "away")

    said = answer(slack, "away cancel")
    assert (
        "I cancelled your time away from *Tue 1 Dec* to *Thu 3 Dec*. Your time away from "
        "*Fri 4 Dec* to *Mon 7 Dec* is still planned; `/partner away cancel` again cancels it."
    ) in said
    with Session(slack.runtime.engine) as session:
        (left,) = session.exec(select(Absence)).all()
    assert (left.starts_at, left.deputy_id) == (datetime(2026, 12, 3, 23, 0, tzinfo=UTC), None)
    said = answer(slack, "away cancel")
    assert "I cancelled your time away from *Fri 4 Dec* to *Mon 7 Dec*." in said
    assert "still planned" not in said


def test_away_cancel_takes_a_day_booked_inside_other_time_away_with_it(slack: Slack) -> None:
    """A day booked inside a week already booked (with a deputy of its own) splits the week;
    `away cancel` cancels the week as booked, that day with it."""
    answer(slack, "away 2026-11-30 to 2026-12-04")
    answer(slack, "away 2026-12-02 deputy <@U0DAN|dan>")
    answer(slack, "away 2026-12-07")
    assert (
        "Your time away from *Mon 30 Nov* to *Fri 4 Dec* (with <@U0DAN> covering for part of it)"
        " and on *Mon 7 Dec* (no deputy named) is planned"
    ) in answer(slack, "away")
    said = answer(slack, "away cancel")
    assert (
        "I cancelled your time away from *Mon 30 Nov* to *Fri 4 Dec*. Your time away on "
        "*Mon 7 Dec* is still planned; `/partner away cancel` again cancels it."
    ) in said


@pytest.mark.parametrize(
    ("typed", "booked"),
    [
        # Wednesday 25 Nov in Berlin: a week runs Monday to Sunday; `this` starts today.
        ("next week", "from *Mon 30 Nov* to *Sun 6 Dec*"),
        ("Next  Week", "from *Mon 30 Nov* to *Sun 6 Dec*"),
        ("this week", "from *Wed 25 Nov* to *Sun 29 Nov*"),
        ("next month", "from *Tue 1 Dec* to *Thu 31 Dec*"),
        ("this month", "from *Wed 25 Nov* to *Mon 30 Nov*"),
        # Issue 5's check: these were refused as no dates.
        ("the week after next", "from *Mon 7 Dec* to *Sun 13 Dec*"),
        ("week after next", "from *Mon 7 Dec* to *Sun 13 Dec*"),
        # A named week as FROM is its first day, as UNTIL its last.
        ("next week to friday", "from *Mon 30 Nov* to *Fri 4 Dec*"),
        ("friday to next week", "from *Fri 27 Nov* to *Sun 6 Dec*"),
        # As people write a span: `until`, `till`, `through`; `until friday` from today.
        ("until friday", "from *Wed 25 Nov* to *Fri 27 Nov*"),
        ("monday through wednesday", "from *Mon 30 Nov* to *Wed 2 Dec*"),
        ("thursday till friday", "from *Thu 26 Nov* to *Fri 27 Nov*"),
        # `until` a week or a month: back when it begins; `through` it, away all of it.
        ("until next month", "from *Wed 25 Nov* to *Mon 30 Nov*"),
        ("till next week", "from *Wed 25 Nov* to *Sun 29 Nov*"),
        ("friday until the week after next", "from *Fri 27 Nov* to *Sun 6 Dec*"),
        ("through next week", "from *Wed 25 Nov* to *Sun 6 Dec*"),
        # QA: `config days mon-fri` takes a hyphen, `away monday-friday` did not.
        ("monday-friday", "from *Mon 30 Nov* to *Fri 4 Dec*"),
        ("mon-fri deputy <@U0DAN|dan>", "from *Mon 30 Nov* to *Fri 4 Dec*"),
        ("1 dec-4 dec", "from *Tue 1 Dec* to *Fri 4 Dec*"),
        ("monday - friday", "from *Mon 30 Nov* to *Fri 4 Dec*"),
        # Dates with hyphens of their own take spaces around the one between them.
        ("2026-12-01 - 2026-12-04", "from *Tue 1 Dec* to *Fri 4 Dec*"),
    ],
)
def test_away_for_a_named_week_or_month_books_its_days_and_names_them(
    slack: Slack, typed: str, booked: str
) -> None:
    """New-user QA: `away next week` was refused as two dates without `to`."""
    said = answer(slack, f"away {typed}")
    assert f"You're away {booked} (Europe/Berlin)" in said
    assert "can't start in the past" not in said


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        # Issue 5's check: `last week` was answered as if no date had been given.
        ("last week", "That time is already over; give dates from today on."),
        ("last month", "That time is already over; give dates from today on."),
        # A date read but refused says why, not that a `to` is missing.
        ("31 Nov", "'31 Nov' is not a day of the calendar: November has 30 days."),
        # QA: `until mon-fri` answered "I can't read 'mon-fri'", though `away mon-fri` is read.
        (
            "until mon-fri",
            "`until` takes one day, and `mon-fri` is two. Away from today until fri: "
            "`/partner away until fri`; from mon to fri: `/partner away mon-fri`.",
        ),
        (
            "wed to 1 dec-4 dec",
            "`to` takes one day, and `1 dec-4 dec` is two. Away from wed until 4 dec: "
            "`/partner away wed to 4 dec`; from 1 dec to 4 dec: `/partner away 1 dec-4 dec`.",
        ),
        # Both lines keep the deputy typed after the date.
        (
            "until mon-fri deputy <@U0DAN|dan>",
            "Away from today until fri: `/partner away until fri deputy <@U0DAN>`; from mon to "
            "fri: `/partner away mon-fri deputy <@U0DAN>`.",
        ),
    ],
)
def test_away_in_the_past_or_on_no_day_says_why_and_books_nothing(
    slack: Slack, typed: str, said: str
) -> None:
    answered = answer(slack, f"away {typed}")
    assert said in answered and "joined by `to`" not in answered
    with Session(slack.runtime.engine) as session:
        assert session.exec(select(Absence)).all() == []


def test_until_a_weekday_that_is_today_shows_both_lines_and_books_nothing(slack: Slack) -> None:
    """QA: on a Monday, `away until monday` booked today only, where a person means next
    Monday (a commitment `by monday` reads so); booked wrong, deputies and owners hear of it."""
    at(slack, datetime(2026, 11, 30, 8, 0, tzinfo=UTC))  # Monday, 09:00 in Berlin
    said = answer(slack, "away until monday")
    assert (
        "Monday is today, so `until monday` may mean today or next Monday. Away until next "
        "Monday: `/partner away until next monday`; today only: `/partner away today`."
    ) in said
    said = answer(slack, "away now to mon")
    assert "Away until next Monday: `/partner away now to next monday`" in said
    # QA: both lines dropped the deputy typed after the date, who then covered nothing.
    said = answer(slack, "away until monday deputy <@U0DAN|dan>")
    assert (
        "Away until next Monday: `/partner away until next monday deputy <@U0DAN>`; today only: "
        "`/partner away today deputy <@U0DAN>`."
    ) in said
    with Session(slack.runtime.engine) as session:
        assert session.exec(select(Absence)).all() == []
    # Another weekday, and the lines shown, are read as they were.
    assert "You're away from *Mon 30 Nov* to *Tue 1 Dec*" in answer(slack, "away until tuesday")
    said = answer(slack, "away until next monday")
    assert "You're away from *Mon 30 Nov* to *Mon 7 Dec*" in said


def test_away_next_week_takes_a_deputy_and_leaves_the_other_forms_as_they_were(
    slack: Slack,
) -> None:
    said = answer(slack, "away next week deputy <@U0DAN|dan>")
    assert "You're away from *Mon 30 Nov* to *Sun 6 Dec*" in said
    with Session(slack.runtime.engine) as session:
        (absence,) = session.exec(select(Absence)).all()
    assert absence.deputy_id == DAN
    assert "You're away from *Mon 30 Nov* to *Fri 4 Dec*" in answer(slack, "away mon to fri")
    assert "Say when you are away" in answer(slack, "away next weekk")  # no date: as before
    assert "away this|next week|month" in answer(slack, "help away")


@pytest.mark.usefixtures("acme")
def test_away_says_who_takes_reminders_about_a_partner_whose_owner_is_away_too(
    slack: Slack,
) -> None:
    """Ben owns a commitment about Acme, which Ana owns: while he is away, its reminders go to
    whoever `stand_in` picks then, and the answer to `away` names them as it does (QA: it named
    Ana, away the same week, and a reminder then waited for Ben)."""
    answer(slack, "commit Acme us : send the deck by 2026-12-18", user=BEN)
    answer(slack, "away 2026-11-30 to 2026-12-04")  # Ana
    said = answer(slack, "away 2026-11-30 to 2026-12-04", user=BEN)
    assert "surveys wait for you, and reminders of commitments you own wait for you too." in said
    answer(slack, "deputy Acme <@U0DAN|dan>")
    said = answer(slack, "away 2026-11-30 to 2026-12-04", user=BEN)
    assert "reminders of commitments you own go to <@U0DAN>, who follows their partner." in said
    # Ana away for part of it only, with nobody else to take them then: they wait meanwhile.
    answer(slack, "deputy Acme none")
    answer(slack, "away cancel")
    answer(slack, "away 2026-11-30 to 2026-12-01")
    said = answer(slack, "away 2026-11-30 to 2026-12-04", user=BEN)
    assert (
        "reminders of commitments you own go to <@U0ANA>, who follows their partner, or wait "
        "for you while nobody else is here to take them."
    ) in said
    # A deputy named for the time away takes them, and Ana while that deputy is away.
    answer(slack, "away 2026-12-03 to 2026-12-04", user=CHLOE)
    said = answer(slack, "away 2026-11-30 to 2026-12-04 deputy <@U0CHLOE|chloe>", user=BEN)
    assert (
        "reminders of commitments you own go to <@U0CHLOE>, or while they are away to whoever "
        "follows each partner."
    ) in said


@pytest.mark.usefixtures("acme")
def test_a_deputy_named_by_someone_who_owns_nothing_is_promised_nothing(slack: Slack) -> None:
    """QA: `away … deputy @chloe` from Dan, who owns no partner nor commitment, said reminders
    of commitments he owns would go to Chloe."""
    said = answer(slack, "away 2026-11-30 to 2026-12-04 deputy <@U0CHLOE|chloe>", user=DAN)
    assert "reminders" not in said and "<@U0CHLOE>" not in said.split("Type")[0]
    assert "surveys wait for you. Type `/partner away cancel` to call it off." in said
    answer(slack, "commit Acme us : send the deck by 2026-12-18", user=DAN)
    said = answer(slack, "away 2026-11-30 to 2026-12-04 deputy <@U0CHLOE|chloe>", user=DAN)
    assert "surveys wait for you, and reminders of commitments you own go to <@U0CHLOE>." in said


@pytest.mark.usefixtures("acme")
def test_a_note_waiting_for_a_cover_who_books_time_away_goes_to_whoever_covers_then(
    slack: Slack,
) -> None:
    """Ana is away, Dan (Acme's deputy) covers, and Ben is named for her time away. Chloe's
    call, logged in Dan's evening, waits for his morning; Dan then books that day off: the
    note goes to Ben, who is here, not held for Dan until he is back (the dispatcher sends a
    row to whom it names, and reroutes nothing)."""
    answer(slack, "deputy Acme <@U0DAN|dan>")
    answer(slack, "away 2026-11-30 to 2026-12-04 deputy <@U0BEN|ben>")
    at(slack, datetime(2026, 11, 30, 20, 0, tzinfo=UTC))  # 20:00 in London, 15:00 in New York
    answer(slack, "log Acme via call : a call meanwhile", user=CHLOE)
    assert notes_of(slack, "a call meanwhile", user=DAN) == []  # his day is over
    answer(slack, "away 2026-12-01 to 2026-12-02", user=DAN)
    at(slack, datetime(2026, 11, 30, 20, 5, tzinfo=UTC))
    (note,) = notes_of(slack, "a call meanwhile", user=BEN)
    assert note.text.startswith("<@U0CHLOE> had a call with *Acme Corporation*")
    at(slack, datetime(2026, 12, 3, 9, 30, tzinfo=UTC))  # Dan is back: nothing held for him
    assert notes_of(slack, "a call meanwhile", user=DAN) == []


def test_away_cancel_inside_a_day_away_cancels_the_next_time_away_not_that_days_rest(
    slack: Slack,
) -> None:
    """QA: Ana booked Monday and Friday, then on Monday `away now to 13:00`: `away cancel`
    cancelled Monday's afternoon as "the next" time away, not Friday."""
    at(slack, datetime(2026, 11, 30, 8, 0, tzinfo=UTC))  # Monday, 09:00 in Berlin
    answer(slack, "away today")
    answer(slack, "away friday")
    answer(slack, "away now to 13:00")
    said = answer(slack, "away")
    assert "You're away now, through *Mon 30 Nov*" in said and "on *Fri 4 Dec*" in said
    said = answer(slack, "away cancel")
    assert said.startswith("I cancelled your time away on *Fri 4 Dec*.")
    assert "The time away you're in now, through *Mon 30 Nov*, stands" in said
    with Session(slack.runtime.engine) as session:
        ends = sorted(absence.ends_at for absence in session.exec(select(Absence)))
    assert ends[-1] == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)  # Monday stays whole
    # Back at 10:00, `back` ends what `away` said it would: the afternoon too.
    at(slack, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    said = answer(slack, "back")
    assert said.startswith("Welcome back! Your time away, through *Mon 30 Nov*, has ended.")
    assert "planned" not in said
    assert answer(slack, "away").startswith("You have no time away planned.")


@pytest.mark.usefixtures("acme")
def test_back_ends_the_time_away_that_follows_on_as_away_says(slack: Slack) -> None:
    """Dan books the week off, then Wednesday and Thursday with Ben covering (it splits the
    week, with no gap). `away` says he is away through Friday and that `back` ends it; back on
    Monday, `back` ended Monday and Tuesday only, and he was away again on Wednesday."""
    answer(slack, "away 2026-11-30 to 2026-12-04", user=DAN)
    answer(slack, "away 2026-12-02 to 2026-12-03 deputy <@U0BEN|ben>", user=DAN)
    at(slack, datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
    said = answer(slack, "away", user=DAN)
    assert (
        "You're away now, through *Fri 4 Dec*, with <@U0BEN> covering for part of it; "
        "`/partner back` ends it."
    ) in said
    said = answer(slack, "back", user=DAN)
    assert said.startswith("Welcome back! Your time away, through *Fri 4 Dec*, has ended.")
    assert "planned" not in said
    assert answer(slack, "away", user=DAN).startswith("You have no time away planned.")
    with Session(slack.runtime.engine) as session:
        left = session.exec(select(Absence).where(Absence.user_id == DAN)).all()
    assert [absence.ends_at for absence in left] == [datetime(2026, 11, 30, 10, 0, tzinfo=UTC)]


@pytest.mark.usefixtures("acme")
def test_back_names_the_time_away_still_planned(slack: Slack) -> None:
    """Dan books Monday and Tuesday off, then Thursday and Friday with Ben covering. Back on
    Monday, `back` ends Monday and Tuesday only: it says the rest, after a gap, still stands,
    and how to call it off (QA: "Your time away has ended", and he was away again)."""
    answer(slack, "away 2026-11-30 to 2026-12-01", user=DAN)
    answer(slack, "away 2026-12-03 to 2026-12-04 deputy <@U0BEN|ben>", user=DAN)
    at(slack, datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
    said = answer(slack, "back", user=DAN)
    assert (
        "Welcome back! Your time away has ended. Your time away from *Thu 3 Dec* to *Fri 4 Dec* "
        "is still planned. To cancel it, type `/partner away cancel`."
    ) in said
    at(slack, datetime(2026, 12, 7, 10, 0, tzinfo=UTC))
    answer(slack, "away today", user=DAN)
    said = answer(slack, "back", user=DAN)
    assert said.startswith("Welcome back! Your time away has ended.") and "planned" not in said


@pytest.mark.usefixtures("acme")
def test_a_partners_deputy_booking_time_away_while_its_owner_is_away_hears_of_it(
    slack: Slack,
) -> None:
    """New-user QA: the deputy's `away` reply did not mention the partner they were covering."""
    answer(slack, "deputy Acme <@U0DAN|dan>")
    answer(slack, "away 2026-11-30 to 2026-12-04")
    said = answer(slack, "away 2026-12-02 to 2026-12-03", user=DAN)
    assert (
        "You're the deputy of *Acme Corporation*, whose owner <@U0ANA> is away from *Mon 30 Nov* "
        "to *Fri 4 Dec*: while you're away too, nobody covers it: its alerts wait until one of "
        "you is back."
    ) in said
    # Ana names Ben to cover her: he takes them then.
    answer(slack, "away 2026-11-30 to 2026-12-04 deputy <@U0BEN|ben>")
    said = answer(slack, "away 2026-12-02 to 2026-12-03", user=DAN)
    assert "while you're away too, its alerts go to <@U0BEN>, whom <@U0ANA> named to cover." in said
    # Ben, named for her time away, books some of his own.
    said = answer(slack, "away 2026-12-03", user=BEN)
    assert "You cover for <@U0ANA>, who is away from" in said
    assert (
        "alerts for them go to each partner's deputy, else wait until one of you is back." in said
    )
    # Outside her time away, nothing is said.
    assert "whose owner" not in answer(slack, "away 2026-12-10", user=DAN)


def test_time_away_ending_at_a_time_already_past_today_shows_how_to_say_tomorrow(
    slack: Slack,
) -> None:
    """QA: `away now to 08:00` typed at 10:00 said only "must end after it starts"."""
    said = answer(slack, "away now to 08:00")
    assert (
        "Your time away must end after it starts: `08:00` alone is today's, before `now`. "
        "For tomorrow's, say the day: `/partner away now to tomorrow 08:00`."
    ) in said
    said = answer(slack, "away now to tomorrow 08:00")
    assert "You're away" in said
    with Session(slack.runtime.engine) as session:
        assert len(session.exec(select(Absence)).all()) == 1


def test_time_away_from_or_until_a_time_the_clocks_skip_is_refused_with_the_times_either_side(
    slack: Slack,
) -> None:
    """QA: `away 2027-03-27 to 2027-03-28 02:30` typed in Berlin, where the clocks go from
    02:00 to 03:00 that night, booked time away until 03:30 with no word of the move. Either
    end at such a time is refused, as `plan` and `log` refuse it; nothing is booked."""
    said = answer(slack, "away 2027-03-27 to 2027-03-28 02:30")
    assert (
        "`2027-03-28 02:30` (Sun 28 Mar 2027 02:30) does not exist in your time zone, "
        "Europe/Berlin: that night the clocks go forward from 02:00 to 03:00. Type a time "
        "before or after the change, e.g. `2027-03-28 01:30` or `2027-03-28 03:30`."
    ) in said
    assert "/partner away" in said
    said = answer(slack, "away from 28 Mar 2027 2:30am to 2027-03-29")
    assert "`28 Mar 2027 2:30am` (Sun 28 Mar 2027 02:30) does not exist in your time zone" in said
    with Session(slack.runtime.engine) as session:
        assert session.exec(select(Absence)).all() == []
    # In New York, 02:30 on 28 March is a time like any other.
    said = answer(slack, "away 2027-03-27 to 2027-03-28 02:30", user=BEN)
    assert "You're away" in said
    # A time alone is that day's, and is named as typed.
    slack.runtime.clock.set(datetime(2027, 3, 27, 23, 50, tzinfo=UTC))  # type: ignore[attr-defined]
    said = answer(slack, "away now to 02:30")  # typed at 00:50 in Berlin, that night
    assert "`02:30` (Sun 28 Mar 2027 02:30) does not exist in your time zone" in said
    with Session(slack.runtime.engine) as session:
        assert [absence.user_id for absence in session.exec(select(Absence))] == [BEN]


def owner_told(slack: Slack, user: str = ANA) -> list[FakeMessage]:
    return [m for m in dms(slack, user) if "while you're away too: nobody covers" in m.text]


@pytest.mark.usefixtures("acme")
def test_the_owner_hears_when_their_partners_deputy_books_time_away_during_theirs(
    slack: Slack,
) -> None:
    """QA: the deputy was told whom they leave uncovered, but the owner never was."""
    answer(slack, "deputy Acme <@U0DAN|dan>")
    answer(slack, "away 2026-11-30 to 2026-12-04")
    answer(slack, "away 2026-12-02 to 2026-12-03", user=DAN)
    answer(slack, "away 2026-12-02 to 2026-12-03", user=DAN)  # booked again: said once
    deliver_outbox(slack)
    (told,) = owner_told(slack)
    assert told.text == (
        "<@U0DAN>, the deputy of *Acme Corporation*, will be away from *Wed 2 Dec* to "
        "*Thu 3 Dec*, while you're away too: nobody covers *Acme Corporation* then, and its "
        "alerts wait until one of you is back. To have someone cover, give it another deputy "
        "with `/partner deputy Acme Corporation @colleague`, or name one for your time away "
        "with `/partner away 2026-11-30 to 2026-12-04 deputy @colleague`."
    )
    # Outside her time away, nothing is said.
    answer(slack, "away 2026-12-10", user=DAN)
    deliver_outbox(slack)
    assert len(owner_told(slack)) == 1


@pytest.mark.usefixtures("acme")
def test_the_owner_is_not_told_when_someone_else_covers_or_the_partner_ended(
    slack: Slack,
) -> None:
    answer(slack, "deputy Acme <@U0DAN|dan>")
    answer(slack, "away 2026-11-30 to 2026-12-04 deputy <@U0BEN|ben>")
    answer(slack, "away 2026-12-02", user=DAN)  # Ben covers then
    answer(slack, "status Acme ended")
    answer(slack, "away 2026-11-30 to 2026-12-04")
    answer(slack, "away 2026-12-03", user=DAN)  # Acme ended: nothing to cover
    deliver_outbox(slack)
    assert owner_told(slack) == []


@pytest.mark.usefixtures("acme")
def test_the_owner_hears_of_the_uncovered_days_in_her_working_hours(slack: Slack) -> None:
    answer(slack, "deputy Acme <@U0DAN|dan>")
    answer(slack, "away 2026-11-30 to 2026-12-04")
    at(slack, datetime(2026, 11, 25, 21, 0, tzinfo=UTC))  # 22:00 in Berlin
    answer(slack, "away 2026-12-01", user=DAN)
    at(slack, datetime(2026, 11, 25, 22, 0, tzinfo=UTC))
    assert owner_told(slack) == []
    at(slack, datetime(2026, 11, 26, 8, 30, tzinfo=UTC))  # 09:30 in Berlin
    (told,) = owner_told(slack)
    assert "will be away on *Tue 1 Dec*, while you're away too" in told.text


@pytest.mark.usefixtures("acme")
def test_the_owner_away_already_is_not_told_on_return_of_uncovered_days_gone_by(
    slack: Slack,
) -> None:
    """QA: Ana, away Monday to Wednesday, read on Thursday that her deputy "will be away from
    Mon 30 Nov to Tue 1 Dec", with advice to book a cover for days already over."""
    answer(slack, "deputy Acme <@U0DAN|dan>")
    at(slack, datetime(2026, 11, 30, 8, 0, tzinfo=UTC))  # Monday, 09:00 in Berlin
    answer(slack, "away today to wednesday")
    answer(slack, "away today to tuesday", user=DAN)
    at(slack, datetime(2026, 12, 3, 8, 30, tzinfo=UTC))  # Thursday: she is back
    assert owner_told(slack) == []
    # Days still ahead while she is here are told, as before.
    answer(slack, "away 2026-12-08 to 2026-12-09")
    answer(slack, "away 2026-12-08", user=DAN)
    deliver_outbox(slack)
    (told,) = owner_told(slack)
    assert "will be away on *Tue 8 Dec*, while you're away too" in told.text


# --- h26 ---


@pytest.mark.usefixtures("acme")
def test_the_welcome_back_lists_the_problems_reported_about_ones_partners_while_away(
    slack: Slack,
) -> None:
    # QA: Ana came back to a summary of her colleagues' contacts that left out Ben's check-in
    # answered Problem about Acme while she was away; nobody touched Acme meanwhile, so she got
    # no summary at all. A line per Problem in the time away (who, which partner, when); one
    # reported before it, or an answer that is no Problem, is not in it.
    answer(slack, "away today to friday")
    with Session(slack.runtime.engine) as session:
        partner = session.exec(select(Partner).where(Partner.name == "Acme Corporation")).one()
        assert partner.id is not None
        meeting = Touchpoint(
            team_id="T0ACME",
            partner_id=partner.id,
            kind="done",
            medium="meeting",
            at=datetime(2026, 11, 20, 15, tzinfo=UTC),
            author_id=BEN,
            created_at=datetime(2026, 11, 20, 16, tzinfo=UTC),  # before the time away
        )
        session.add(meeting)
        session.flush()
        assert meeting.id is not None
        for user, answered, said in (
            (BEN, datetime(2026, 11, 26, 10, 0, tzinfo=UTC), CheckInAnswer.PROBLEM),
            (CHLOE, datetime(2026, 11, 24, 10, 0, tzinfo=UTC), CheckInAnswer.PROBLEM),
            (DAN, datetime(2026, 11, 26, 11, 0, tzinfo=UTC), CheckInAnswer.WENT_WELL),
        ):
            session.add(
                CheckIn(
                    team_id="T0ACME",
                    touchpoint_id=meeting.id,
                    user_id=user,
                    meeting_at=meeting.at,
                    due_at=answered,
                    status=CheckInStatus.ANSWERED,
                    answer=said,
                    answered_at=answered,
                    problem_alerted_at=answered if said is CheckInAnswer.PROBLEM else None,
                    created_at=answered,
                )
            )
        session.commit()
    at(slack, MONDAY_MORNING)
    (summary,) = summaries(slack)
    assert summary.text == (
        "Welcome back! Your time away from *Wed 25 Nov* to *Fri 27 Nov* is over.\n"
        "Reported as a *Problem* in check-ins while you were away:\n"
        "• *Acme Corporation*: <@U0BEN>, on Thu 26 Nov at 11:00"
    )
    assert briefs(summary) == []  # no contacts to brief her on
    assert "Reported as a *Problem*" in shown(summary)

    # Away again, with a contact logged meanwhile: the Problem's line comes after the contacts.
    answer(slack, "away 2026-12-01 to 2026-12-04")
    at(slack, datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    answer(slack, "log Acme via call : a call", user=CHLOE)
    with Session(slack.runtime.engine) as session:
        (ben,) = session.exec(select(CheckIn).where(CheckIn.user_id == BEN)).all()
        ben.problem_alerted_at = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
        session.add(ben)
        session.commit()
    at(slack, datetime(2026, 12, 7, 8, 30, tzinfo=UTC))
    assert summaries(slack)[-1].text == (
        "Welcome back! Your time away from *Tue 1 Dec* to *Fri 4 Dec* is over.\n"
        "While you were away, with the partners you own:\n"
        "• *Acme Corporation*: <@U0CHLOE> logged 1 contact; 1 revolving-door alert.\n"
        "`/partner check NAME` briefs you on one.\n"
        "Reported as a *Problem* in check-ins while you were away:\n"
        "• *Acme Corporation*: <@U0BEN>, on Thu 3 Dec at 15:00"
    )


@pytest.mark.usefixtures("acme")
def test_an_owner_away_for_days_booked_apart_is_said_to_be_away_through_the_last(
    slack: Slack,
) -> None:
    """QA: Ana booked Wednesday to Friday, then Monday and Tuesday apart; `intend` said she
    was "away through Fri 27 Nov", where the question waits until her Wednesday."""
    answer(slack, "away today to friday")
    answer(slack, "away 2026-11-30 to 2026-12-01")  # the Monday and Tuesday after, booked apart
    said = answer(slack, "intend Acme : ask about the winter appeal", user=CHLOE)
    assert "The owner <@U0ANA> is away through Tue 1 Dec and nobody covers" in said


def deputy_notes(slack: Slack, user: str = DAN) -> list[FakeMessage]:
    return [m for m in dms(slack, user) if "no longer cover" in m.text]


@pytest.mark.usefixtures("acme")
def test_back_early_tells_the_deputy_named_that_they_cover_no_more(slack: Slack) -> None:
    """QA h5: Ana named Dan to cover to Friday and came back on Thursday; Dan went on believing
    he covered for her, and nobody told him otherwise. Globex has a deputy of its own, who
    covered it: Dan did not."""
    answer(slack, "add Globex deputy <@U0BEN|ben>")
    answer(slack, "away today to friday deputy <@U0DAN|dan>")
    at(slack, datetime(2026, 11, 26, 9, 0, tzinfo=UTC))  # Thursday: 09:00 in London
    said = answer(slack, "back")
    assert (
        "Welcome back! Your time away has ended. I'm telling <@U0DAN>, whom you named to cover, "
        "that you're back."
    ) in said
    deliver_outbox(slack)
    (note,) = deputy_notes(slack)
    assert note.text == (
        "<@U0ANA> is back earlier than planned: their time away, booked from *Wed 25 Nov* to "
        "*Fri 27 Nov*, has ended, so you no longer cover for them. Alerts about *Acme "
        "Corporation*, which they own, and reminders of their commitments go to them again. You "
        "get this because they named you to cover for that time away."
    )
    # Time away that ends on its own, or named nobody, tells nobody.
    answer(slack, "away 2026-11-30 deputy <@U0DAN|dan>")
    answer(slack, "away 2026-12-02", user=BEN)
    at(slack, datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    assert "I'm telling" not in answer(slack, "back")
    at(slack, datetime(2026, 12, 2, 15, 0, tzinfo=UTC))
    assert "I'm telling" not in answer(slack, "back", user=BEN)
    at(slack, datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    assert deputy_notes(slack) == [note]


@pytest.mark.usefixtures("acme")
@pytest.mark.parametrize(("booked_to", "told"), [("saturday", False), ("monday", True)])
def test_back_on_a_friday_evening_tells_the_deputy_only_if_the_time_away_reached_a_working_day(
    slack: Slack, booked_to: str, told: bool
) -> None:
    """Back at 19:00 on Friday (18:00 for Dan in London, after his hours): from time away
    booked to Saturday, nothing is left that he would cover by Monday, and he is not told (QA h5:
    `back` said "I'm telling Dan", and the DM waited for his Monday, then expired); booked to
    Monday, he reads on Monday morning that he no longer covers."""
    answer(slack, f"away today to {booked_to} deputy <@U0DAN|dan>")
    at(slack, datetime(2026, 11, 25, 10, 0, tzinfo=UTC))  # Dan reads that he covers
    at(slack, FRIDAY_EVENING)
    assert ("I'm telling <@U0DAN>" in answer(slack, "back")) is told
    at(slack, datetime(2026, 11, 30, 9, 30, tzinfo=UTC))  # Monday, 09:30 in London
    assert len(deputy_notes(slack)) == told
