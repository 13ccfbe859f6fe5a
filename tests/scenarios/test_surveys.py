"""Pulse surveys as the people asked meet them, through the real app and the fake Slack: who is
told of a partner's team, who a running round counts, and what answers a late click.

The clock starts on Wednesday 25 Nov 2026, 09:00 UTC (evening in Tokyo, where Chloe is).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.sandbox.fake_slack import FakeMessage
from bot.services import surveys
from storage.models import (
    OutboxMessage,
    OutboxStatus,
    SurveyAnswer,
    SurveyDelivery,
    SurveyRound,
)
from tests.conftest import START, Slack
from tests.scenarios.test_feedback import (
    ANA,
    BEN,
    CHLOE,
    DAN,
    MENTION,
    acme,
    at,
    being_sent,
    channel_posts,
    click,
    current,
    inbox,
    put_back,
    questions,
    react,
    rows,
    say,
    send,
    shown,
    surveyed,
    unreact,
)
from tests.scenarios.test_home import home_of


def team_notes(slack: Slack, user: str) -> list[str]:
    return [
        m.text
        for m in slack.fake.messages_in(slack.fake.im_channel(user).id)
        if "put you on the team of" in m.text
    ]


def test_one_taken_off_the_team_before_the_note_went_is_not_told_they_were_put_on_it(
    slack: Slack,
) -> None:
    acme(slack, team=())
    say(slack, f"team Acme add {MENTION[CHLOE]} {MENTION[DAN]}")
    at(slack, START)  # Dan's morning in London: his note goes; Chloe's waits for Tokyo's
    assert len(team_notes(slack, DAN)) == 1 and team_notes(slack, CHLOE) == []
    say(slack, f"team Acme remove {MENTION[CHLOE]}")
    at(slack, datetime(2026, 11, 26, 1, 0, tzinfo=UTC))  # Chloe's Thursday morning
    assert team_notes(slack, CHLOE) == []

    say(slack, f"team Acme add {MENTION[CHLOE]}")  # put back on: told this time
    at(slack, datetime(2026, 11, 26, 1, 30, tzinfo=UTC))
    assert len(team_notes(slack, CHLOE)) == 1


def test_a_running_round_counts_nobody_away_until_after_it_closes(slack: Slack) -> None:
    acme(slack)
    say(slack, "away today to 2026-12-11", user=DAN)  # past the close on Wed 2 Dec
    say(slack, "away today to friday", user=CHLOE)  # back in time: her questions wait
    say(slack, "survey Acme now")
    at(slack, START)
    assert "0 of 3 answered so far" in say(slack, "survey Acme")  # Ana, Ben, Chloe
    assert "0 of 3 answered so far" in say(slack, "survey Acme now")  # refused: one runs

    say(slack, "back", user=DAN)  # back sooner: his questions go, and he counts
    assert "0 of 4 answered so far" in say(slack, "survey Acme")


def test_no_round_starts_when_too_few_are_left_once_those_away_past_its_close_are_set_aside(
    slack: Slack,
) -> None:
    acme(slack, team=(BEN, DAN))  # Ana, Ben and Dan: the default 3 answers, just
    say(slack, "away today to 2026-12-11", user=DAN)  # the round would close on Wed 2 Dec
    refused = say(slack, "survey Acme now")
    # Who else works with it, and why they don't count: away until after it would close.
    assert (
        "Only <@U0ANA>, <@U0BEN> could be asked about *Acme*: fewer than the 3 answers results "
        'need to stay anonymous, so the round could only report "not enough answers". I haven\'t '
        "started one. <@U0DAN> is away through Fri 11 Dec, until after it would close, so could "
        "not answer. Add colleagues"
    ) in refused
    assert rows(slack, SurveyRound) == []
    schedule = say(slack, "survey Acme")  # nor offered: it says the same ahead
    assert "can start one now" not in schedule
    assert (
        "But only <@U0ANA>, <@U0BEN> could be asked about *Acme*: fewer than the 3 answers "
        "results need to stay anonymous, so scheduled rounds don't start. <@U0DAN> is away "
        "through Fri 11 Dec, until after it would close, so could not answer. Add colleagues"
    ) in schedule

    # Back before it closes, he may answer: rebooked, not booked over (what was left of the
    # fortnight after Friday would follow on, and hold his questions through it).
    say(slack, "back", user=DAN)
    say(slack, "away today to friday", user=DAN)
    assert "Started a pulse survey of *Acme*" in say(slack, "survey Acme now")


def test_a_click_after_the_round_closed_is_answered_once_by_the_statement_itself(
    slack: Slack,
) -> None:
    surveyed(slack)
    at(slack, datetime(2026, 12, 2, 9, 5, tzinfo=UTC))  # the round closes
    first, second = questions(slack, DAN)[:2]

    click(slack, DAN, first, "survey_score_4")
    closed = shown(current(slack, first))
    assert "This pulse survey has closed; thank you all the same." in closed
    assert "survey_score_4" not in closed  # no buttons left to click
    assert slack.ephemerals_to(DAN) == []  # said once, where the click was

    # Slack refuses to update the statement: then the click is answered privately.
    slack.fake.fail_next("chat.update", error="message_not_found")
    click(slack, DAN, second, "survey_score_4")
    (told,) = slack.ephemerals_to(DAN)
    assert told.text == "This pulse survey has closed; thank you all the same."


def test_a_reaction_after_the_round_closed_is_answered_once_by_the_statement_itself(
    slack: Slack,
) -> None:
    # QA: a late reaction was told privately that the survey had closed, while the statement
    # went on showing the answer with "React or click another number to change it" and its
    # buttons; a late click shows it closed in place.
    surveyed(slack)
    first, second = questions(slack, DAN)[:2]
    react(slack, DAN, first, "four")
    at(slack, datetime(2026, 12, 2, 9, 5, tzinfo=UTC))  # the round closes

    added = react(slack, DAN, first, "two")
    send(slack, slack.requests.retry(added, 1))
    closed = shown(current(slack, first))
    assert "This pulse survey has closed; thank you all the same." in closed
    assert "change it" not in closed and "survey_score_2" not in closed
    assert slack.ephemerals_to(DAN) == []  # said once, where the reaction was
    assert [a.score for a in rows(slack, SurveyAnswer)] == [4]

    # Slack refuses to update the statement: then the reaction is answered privately.
    slack.fake.fail_next("chat.update", error="message_not_found")
    react(slack, DAN, second, "four")
    (told,) = slack.ephemerals_to(DAN)
    assert told.text == "This pulse survey has closed; thank you all the same."


def test_a_late_answer_on_a_round_its_partners_end_closed_keeps_saying_why(slack: Slack) -> None:
    surveyed(slack)
    first, second = questions(slack, DAN)[:2]
    say(slack, "status Acme ended")
    at(slack, START.replace(minute=30))
    ended = "This pulse survey closed early, as the partnership ended"
    assert ended in shown(current(slack, first))
    react(slack, DAN, first, "two")
    click(slack, DAN, second, "survey_score_4")
    for statement in (first, second):
        assert ended in shown(current(slack, statement))
    assert rows(slack, SurveyAnswer) == [] and slack.ephemerals_to(DAN) == []


def test_a_skipped_round_names_those_away_until_after_it_would_close(slack: Slack) -> None:
    acme(slack, team=(BEN, CHLOE, DAN))
    say(slack, "away 2026-11-30 to 2026-12-11", user=CHLOE)
    say(slack, "away 2026-11-30 to 2026-12-11", user=DAN)
    at(slack, datetime(2026, 12, 1, 9, 1, tzinfo=UTC))  # the scheduled round's day
    assert rows(slack, SurveyRound) == []
    (told,) = [m for m in slack.fake.dm_messages(ANA) if "did not start" in m.text]
    assert (
        "Only <@U0ANA>, <@U0BEN> could be asked about *Acme*: fewer than the 3 answers results "
        "need to stay anonymous. <@U0CHLOE> (through Fri 11 Dec), <@U0DAN> (through Fri 11 Dec) "
        "are away until after it would close, so could not answer. You get this because"
    ) in told.text


def test_a_withdraw_sticks_when_a_later_reaction_is_taken_back(slack: Slack) -> None:
    surveyed(slack)
    first = questions(slack, DAN)[0]

    react(slack, DAN, first, "five")
    click(slack, DAN, current(slack, first), "survey_withdraw")
    withdrawn = shown(current(slack, first))
    assert "Your answer" not in withdrawn
    assert "A number reaction you left before *Withdraw* no longer counts" in withdrawn

    react(slack, DAN, current(slack, first), "four")  # after the Withdraw: counts
    assert "Your answer: *4*" in shown(current(slack, first))
    unreact(slack, DAN, current(slack, first), "four")  # the :five: from before stays void
    assert [a.score for a in rows(slack, SurveyAnswer)] == [None]
    assert "Your answer" not in shown(current(slack, first))

    unreact(slack, DAN, current(slack, first), "five")  # removed and added again: counts
    react(slack, DAN, current(slack, first), "five")
    assert [a.score for a in rows(slack, SurveyAnswer)] == [5]
    react(slack, DAN, current(slack, first), "two")
    unreact(slack, DAN, current(slack, first), "two")  # the fresh :five: is the answer again
    assert "Your answer: *5*" in shown(current(slack, first))


# Acme's round started before the second statement was reworded (a release in between).
REWORDED = (
    surveys.QUESTIONS[0],
    "We and the partner each know what we are responsible for",
    *surveys.QUESTIONS[2:],
)


def test_merging_rounds_that_asked_different_statements_keeps_every_answer(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A statement worded otherwise is another statement: the round going on asks its own and
    # takes in the other's as a statement of its own, so nobody's answer to it is lost.
    acme(slack, team=(BEN, CHLOE))
    say(slack, "add Globex")
    say(slack, f"team Globex add {MENTION[BEN]} {MENTION[DAN]}")
    say(slack, "config anonymity 2")
    with monkeypatch.context() as then:
        then.setattr(surveys, "QUESTIONS", REWORDED)
        say(slack, "survey Acme now")  # Ana, Ben, Chloe: it goes on
    say(slack, "survey Globex now")  # Ana, Ben, Dan, with the statements as worded now
    at(slack, START)  # Ana (Berlin) and Dan (London) have theirs
    anas_acme, anas_globex = questions(slack, ANA)[:4], questions(slack, ANA)[4:]
    react(slack, ANA, anas_acme[0], "one")
    react(slack, ANA, anas_globex[1], "three")  # a statement only Globex's round asked
    dans = questions(slack, DAN)  # asked only about Globex
    react(slack, DAN, dans[0], "five")
    react(slack, DAN, dans[1], "two")

    assert "go on as one" in say(slack, "merge Globex into Acme")
    (kept,) = rows(slack, SurveyRound)
    assert kept.questions == [*REWORDED, surveys.QUESTIONS[1]]
    react(slack, DAN, dans[2], "four")  # his statements count in the round going on
    assert "*3/4* The work is fairly shared" in shown(current(slack, dans[2]))  # as he has it
    assert "Pulse survey about *Acme*: 3 of 4 statements scored" in home_of(slack, DAN)

    at(slack, datetime(2026, 12, 3, 9, tzinfo=UTC))  # past its close
    (results,) = [shown(m) for m in channel_posts(slack) if "Pulse results" in shown(m)]
    assert "This partnership is delivering value for us: *3.0* / 5" in results  # Ana 1, Dan 5
    assert "I know what we and the partner are each responsible for: *2.5* / 5" in results
    assert "We and the partner each know what we are responsible for: _not enough" in results
    (survey_round,) = rows(slack, SurveyRound)
    assert survey_round.respondents == 2  # Ana and Dan


def test_someone_who_answered_some_statements_is_reminded_of_those_still_open(
    slack: Slack,
) -> None:
    # Dan scored two of the four statements and was never reminded of the other two: the
    # reminder went only to those who had answered nothing.
    surveyed(slack)
    first, second, *_ = questions(slack, DAN)
    react(slack, DAN, first, "four")
    react(slack, DAN, second, "two")
    for statement in questions(slack, ANA):
        react(slack, ANA, statement, "three")

    at(slack, datetime(2026, 11, 27, 9, 30, tzinfo=UTC))  # Friday: halfway through
    (reminder,) = [m for m in inbox(slack, DAN) if "Reminder: the pulse survey" in m.text]
    assert (
        "is open until Wed 2 Dec at 09:00. 2 of 4 statements are still open, in the messages "
        "above — one reaction or click each."
    ) in reminder.text
    assert not [m for m in inbox(slack, ANA) if "Reminder" in m.text]  # she answered them all


def test_an_invitation_after_a_dropped_one_still_goes(slack: Slack) -> None:
    # On SQLite the next delivery used to take the id of one just dropped, and with it the key
    # of its withdrawn invitation: that invitation was never queued, though Ana was "asked".
    acme(slack, team=(BEN, CHLOE))
    say(slack, "add Globex")
    say(slack, f"team Globex add {MENTION[BEN]} {MENTION[DAN]}")
    say(slack, "status Globex active")
    say(slack, "survey Acme now")  # Ana, Ben, Chloe: Chloe's invitation waits for Tokyo's day
    (chloes,) = [d.id for d in rows(slack, SurveyDelivery) if d.user_id == CHLOE]
    assert chloes == max(d.id or 0 for d in rows(slack, SurveyDelivery))
    say(slack, f"team Acme remove {MENTION[CHLOE]}")  # not asked: her delivery is dropped
    assert CHLOE not in [d.user_id for d in rows(slack, SurveyDelivery)]

    assert "I've asked <@U0ANA>, <@U0BEN>, <@U0DAN>" in say(slack, "survey Globex now")
    at(slack, START)  # Ana's (Berlin) and Dan's (London) working day
    for user in (ANA, DAN):
        invited = [m.text for m in inbox(slack, user) if "Globex" in m.text]
        assert invited, f"{user} was never invited to Globex's survey"
    # Ana's delivery did not take the id of Chloe's dropped one (and its withdrawn invitation).
    assert chloes not in [d.id for d in rows(slack, SurveyDelivery)]


def _reminders(slack: Slack, user: str) -> list[FakeMessage]:
    return [m for m in inbox(slack, user) if "Reminder: the pulse survey" in m.text]


def _reminder_row(slack: Slack, user: str) -> OutboxMessage:
    messages: list[OutboxMessage] = rows(slack, OutboxMessage)
    (row,) = [m for m in messages if (m.recipient_user, m.kind) == (user, "survey.reminder")]
    return row


# Friday, halfway through the round started on Wednesday: 04:30 in New York, so Ben's reminder
# is queued for his morning, and what he answers meanwhile happens before it goes.
HALFWAY = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
BENS_MORNING = datetime(2026, 11, 27, 14, 30, tzinfo=UTC)


def _ben_asked_and_his_reminder_waiting(slack: Slack) -> list[FakeMessage]:
    surveyed(slack)
    at(slack, START.replace(hour=14, minute=20))  # Ben's Wednesday morning: asked
    at(slack, HALFWAY)
    assert _reminder_row(slack, BEN).status == OutboxStatus.PENDING
    return questions(slack, BEN)


def test_a_reminder_waiting_for_working_hours_is_withdrawn_once_every_statement_is_answered(
    slack: Slack,
) -> None:
    statements = _ben_asked_and_his_reminder_waiting(slack)
    for statement, name in zip(statements[:3], ("four", "three", "five"), strict=True):
        react(slack, BEN, statement, name)
    click(slack, BEN, statements[3], "survey_score_2")  # by reaction or by button alike

    at(slack, BENS_MORNING)
    assert _reminders(slack, BEN) == []  # nothing left to answer: not asked to answer
    assert _reminder_row(slack, BEN).status == OutboxStatus.CANCELLED
    assert _reminders(slack, ANA)  # she answered nothing: reminded as ever


def test_a_reminder_waiting_to_go_says_how_many_statements_are_open_when_it_goes(
    slack: Slack,
) -> None:
    statements = _ben_asked_and_his_reminder_waiting(slack)
    react(slack, BEN, statements[0], "four")  # queued when he had answered none
    click(slack, BEN, statements[1], "survey_score_2")
    react(slack, BEN, statements[2], "one")
    unreact(slack, BEN, current(slack, statements[2]), "one")  # taken back: open again

    at(slack, BENS_MORNING)
    (reminder,) = _reminders(slack, BEN)
    assert "2 of 4 statements are still open, in the messages above" in reminder.text


def test_a_reminder_held_while_away_is_withdrawn_when_everything_was_answered_meanwhile(
    slack: Slack,
) -> None:
    statements = _ben_asked_and_his_reminder_waiting(slack)
    say(slack, "away today to monday", user=BEN)
    at(slack, BENS_MORNING)  # his reminder is held for his return
    assert _reminder_row(slack, BEN).held
    for statement in statements:
        click(slack, BEN, statement, "survey_score_3")  # answered while away all the same
    say(slack, "back", user=BEN)

    at(slack, BENS_MORNING + timedelta(minutes=5))
    at(slack, datetime(2026, 11, 30, 14, 30, tzinfo=UTC))
    assert _reminders(slack, BEN) == []


def test_a_reminder_being_sent_as_the_last_answer_comes_is_withdrawn_if_slack_turns_it_away(
    slack: Slack,
) -> None:
    statements = _ben_asked_and_his_reminder_waiting(slack)
    for statement in statements[:3]:
        click(slack, BEN, statement, "survey_score_3")
    # His morning: a dispatcher claims his reminder, and his last answer comes as it sends it.
    slack.runtime.clock.set(BENS_MORNING)  # type: ignore[attr-defined]
    reminder = _reminder_row(slack, BEN)
    being_sent(slack, reminder.id or 0, BENS_MORNING)
    click(slack, BEN, statements[3], "survey_score_2")
    put_back(slack, reminder.id or 0, BENS_MORNING + timedelta(minutes=1))

    at(slack, BENS_MORNING + timedelta(minutes=5))
    assert _reminders(slack, BEN) == []  # he has answered everything: not asked again
    assert _reminder_row(slack, BEN).status == OutboxStatus.CANCELLED
    assert _reminders(slack, ANA)  # she answered nothing: reminded as ever


def test_a_number_on_the_surveys_introduction_or_reminder_is_told_it_counts_for_nothing(
    slack: Slack,
) -> None:
    statements = _ben_asked_and_his_reminder_waiting(slack)
    (introduction,) = [
        m for m in inbox(slack, BEN) if "Pulse survey" in m.text and m not in statements
    ]
    retried = react(slack, BEN, introduction, "four")
    send(slack, retried)  # Slack's retry of the event: told once
    (told,) = slack.ephemerals_to(BEN)
    assert (
        "That reaction is on a message of the pulse survey about *Acme* that is not a "
        "statement, so it counts for nothing. React on each of the 4 statements (the messages "
        "numbered 1/4 to 4/4), or click a number under it."
    ) in told.text
    assert rows(slack, SurveyAnswer) == []

    at(slack, BENS_MORNING)
    (reminder,) = _reminders(slack, BEN)
    react(slack, BEN, reminder, "two")  # "one reaction or click each", it says
    assert len(slack.ephemerals_to(BEN)) == 2
    react(slack, BEN, statements[0], "three")  # on a statement: the answer, no note
    assert len(slack.ephemerals_to(BEN)) == 2
    assert [a.score for a in rows(slack, SurveyAnswer)] == [3]


def test_an_ended_partnership_is_not_surveyed_nor_offered_a_round(slack: Slack) -> None:
    acme(slack)
    say(slack, "status Acme ended")
    refused = say(slack, "survey Acme now")
    assert (
        "The partnership with *Acme* has ended, and nobody follows it any more, so it is not "
        "surveyed. If it goes on, `/partner status Acme active` reopens it."
    ) in refused
    assert rows(slack, SurveyRound) == []
    schedule = say(slack, "survey Acme", user=DAN)
    assert "can start one now" not in schedule
    assert "the owner, deputy or an admin can reopen it: `/partner status Acme active`" in schedule

    say(slack, "status Acme active")  # it goes on after all: surveyed again
    assert "Started a pulse survey of *Acme*" in say(slack, "survey Acme now")


def test_a_running_round_counts_nobody_whose_time_away_runs_on_past_its_close(
    slack: Slack,
) -> None:
    acme(slack)
    say(slack, "away today to friday", user=DAN)  # back before the close on Wed 2 Dec...
    say(slack, "survey Acme now")
    at(slack, START)
    assert "0 of 4 answered so far" in say(slack, "survey Acme")
    # ...until he books the next week too: his first working morning back comes after it.
    say(slack, "away monday to 2026-12-11", user=DAN)
    assert "0 of 3 answered so far" in say(slack, "survey Acme")


def test_one_taken_off_the_team_after_being_asked_may_answer_but_is_not_reminded(
    slack: Slack,
) -> None:
    surveyed(slack)  # Dan, in London, is asked on Wednesday morning
    say(slack, f"team Acme remove {MENTION[DAN]}")
    at(slack, HALFWAY)
    assert _reminders(slack, DAN) == []
    assert _reminders(slack, ANA)  # still on it (its owner): reminded as ever
    click(slack, DAN, questions(slack, DAN)[0], "survey_score_4")  # what he says still counts
    assert [a.score for a in rows(slack, SurveyAnswer)] == [4]


def test_a_reminder_waiting_to_go_is_withdrawn_when_its_person_is_taken_off_the_team(
    slack: Slack,
) -> None:
    _ben_asked_and_his_reminder_waiting(slack)  # his reminder waits for his morning
    say(slack, f"team Acme remove {MENTION[BEN]}")
    at(slack, BENS_MORNING)
    assert _reminders(slack, BEN) == []


def test_a_refused_round_of_a_paused_partner_does_not_promise_a_scheduled_one(
    slack: Slack,
) -> None:
    acme(slack)
    say(slack, "status Acme paused")  # no scheduled rounds while it is not active
    refused = say(slack, "survey Acme now", user=DAN)
    assert "can start a pulse survey of *Acme*. Ask them." in refused
    assert "scheduled round" not in refused


def test_one_away_for_days_booked_apart_past_the_close_is_set_aside_through_the_last(
    slack: Slack,
) -> None:
    """QA: with Dan's time away booked in pieces that follow on, `survey X now` said he was
    "away through Fri 27 Nov" and counted him, while the round lapsed before he was back."""
    acme(slack, team=(BEN, DAN))  # Ana, Ben and Dan: the default 3 answers, just
    say(slack, "away today to friday", user=DAN)
    say(slack, "away 2026-11-30 to 2026-12-11", user=DAN)  # booked apart; the close is Wed 2 Dec
    refused = say(slack, "survey Acme now")
    assert (
        "<@U0DAN> is away through Fri 11 Dec, until after it would close, so could not answer."
    ) in refused
    assert rows(slack, SurveyRound) == []
    assert "<@U0DAN> is away through Fri 11 Dec" in say(slack, "survey Acme")


def test_a_partner_added_after_a_scheduled_round_was_due_is_not_told_it_missed_it(
    slack: Slack,
) -> None:
    """QA: Oxfam, added and made active on Mon 7 Dec, had its owner told at once that "the
    pulse survey of Oxfam scheduled for Tue 1 Dec did not start": a date it was not yet there."""
    at(slack, datetime(2026, 12, 7, 10, 0, tzinfo=UTC))
    say(slack, f"add Oxfam owner {MENTION[DAN]}")
    say(slack, "status Oxfam active")
    at(slack, datetime(2026, 12, 7, 10, 5, tzinfo=UTC))
    assert rows(slack, SurveyRound) == []
    assert not [m for m in slack.fake.dm_messages(DAN) if "did not start" in m.text]
    assert "Next scheduled round: Tue 5 Jan." in say(slack, "survey Oxfam")
