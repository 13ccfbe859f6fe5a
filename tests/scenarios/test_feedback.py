"""Check-ins and pulse surveys as people meet them: signed commands, clicks, form submissions and
reaction events (retries included) through the real app; DMs queued by the planners and sent by
the dispatcher to the fake Slack over HTTP; time moved by the test's clock."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.sandbox.fake_slack import FakeMessage
from bot.sandbox.requests import SlackRequest
from bot.scheduler import TickReport
from handlers.texts import partners as partner_texts
from storage import outbox as outbox_store
from storage.models import (
    CheckIn,
    CheckInStatus,
    Collision,
    OutboxMessage,
    OutboxStatus,
    Partner,
    SlackEventReceipt,
    SurveyAnswer,
    SurveyComment,
    SurveyDelivery,
    SurveyRound,
    Touchpoint,
    TouchpointParticipant,
    Workspace,
)
from tests.conftest import START, TRIES, Slack

TEAM = "T0ACME"
ANA, BEN, CHLOE, DAN = "U0ANA", "U0BEN", "U0CHLOE", "U0DAN"
MENTION = {ANA: "<@U0ANA|ana>", BEN: "<@U0BEN|ben>", CHLOE: "<@U0CHLOE|chloe>", DAN: "<@U0DAN|dan>"}


# --- Helpers --------------------------------------------------------------------------------


def say(slack: Slack, text: str, user: str = ANA) -> str:
    delivery = slack.command(text, user=user)
    assert delivery.status == 200
    answers = slack.ephemerals_to(user)
    assert answers, f"{user} was shown nothing"
    return shown(answers[-1])


def shown(message: FakeMessage) -> str:
    return message.text + "\n" + json.dumps(message.blocks, ensure_ascii=False)


def run_tick(slack: Slack) -> TickReport:
    report = slack.tick()
    assert report.failed_planners == []
    return report


def at(slack: Slack, moment: datetime) -> TickReport:
    """Move the clock to `moment` and run the planners and a dispatch pass twice (the second
    adds the reactions to what the first sent)."""
    slack.runtime.clock.set(moment)  # type: ignore[attr-defined]
    run_tick(slack)
    return run_tick(slack)


def inbox(slack: Slack, user: str) -> list[FakeMessage]:
    """The bot's messages in the person's DM (not ephemerals), oldest first; the note that
    Ana put them on Acme's team (`acme`) aside, under whatever name Acme has when it goes."""
    return [
        m
        for m in slack.fake.messages_in(slack.fake.im_channel(user).id)
        if m.thread_ts in (None, m.ts) and "put you on the team of *Acme" not in m.text
    ]


def questions(slack: Slack, user: str) -> list[FakeMessage]:
    return [m for m in inbox(slack, user) if _has_action(m, "survey_score_1")]


def _has_action(message: FakeMessage, action_id: str) -> bool:
    return any(
        element.get("action_id") == action_id
        for block in message.blocks
        if block.get("type") == "actions"
        for element in block.get("elements", [])
    )


def current(slack: Slack, message: FakeMessage) -> FakeMessage:
    found = slack.fake.find_message(message.channel, message.ts)
    assert found is not None
    return found


def send(slack: Slack, request: SlackRequest) -> None:
    delivery = slack.deliver.send(request)
    assert delivery.status == 200
    slack.runtime.drain()


def react(slack: Slack, user: str, message: FakeMessage, name: str) -> SlackRequest:
    request = slack.requests.reaction_added(user_id=user, message=message, name=name)
    send(slack, request)
    return request


def unreact(slack: Slack, user: str, message: FakeMessage, name: str) -> SlackRequest:
    request = slack.requests.reaction_removed(user_id=user, message=message, name=name)
    send(slack, request)
    return request


def click(slack: Slack, user: str, message: FakeMessage, action_id: str) -> None:
    send(slack, slack.requests.block_action(user_id=user, action_id=action_id, message=message))


def acme(slack: Slack, *, team: tuple[str, ...] = (BEN, CHLOE, DAN)) -> None:
    """Acme, owned by Ana, active, with a team."""
    assert "Added *Acme*" in say(slack, "add Acme")
    if team:
        say(slack, "team Acme add " + " ".join(MENTION[user] for user in team))
    say(slack, "status Acme active")


def surveyed(slack: Slack) -> None:
    """Acme's round started by Ana on Wednesday morning, sent to those in working hours."""
    acme(slack)
    say(slack, "survey Acme now")
    at(slack, START)


def rows(slack: Slack, model: type[Any]) -> list[Any]:
    with Session(slack.runtime.engine) as session:
        found = list(session.exec(select(model)))
        for row in found:
            session.expunge(row)
        return found


def channel_posts(slack: Slack) -> list[FakeMessage]:
    return slack.fake.messages_in("C0PARTNERS")


# --- Pulse surveys: starting a round ----------------------------------------------------------


def test_a_survey_refusal_before_any_admin_used_liaison_names_the_slack_admins(
    slack: Slack,
) -> None:
    say(slack, "add Acme", user=BEN)  # Ana, the Slack admin, never used Liaison
    refusal = say(slack, "survey Acme now", user=DAN)
    assert (
        "Only <@U0BEN> (owner) or an admin (<@U0ANA>) can start a pulse survey of *Acme*."
        in refusal
    )
    assert [c.method for c in slack.fake.calls].count("users.list") == 1


def test_survey_shows_the_schedule_and_who_may_start_a_round(slack: Slack) -> None:
    acme(slack)
    schedule = say(slack, "survey Acme", user=DAN)
    assert (
        "Cadence: monthly, on the month's first Tuesday, or first working day where Tuesdays "
        "are not worked (the workspace's;"
    ) in schedule
    assert "Next scheduled round: Tue 1 Dec." in schedule
    assert "<@U0ANA> (the owner) or an admin can start one now" in schedule

    refusal = say(slack, "survey Acme now", user=DAN)
    assert "Only <@U0ANA> (owner) or an admin can start a pulse survey of *Acme*." in refusal
    assert rows(slack, SurveyRound) == []


def test_while_a_round_runs_survey_shows_the_next_round_it_leaves_and_offers_no_other(
    slack: Slack,
) -> None:
    acme(slack)
    say(slack, "survey Acme now")  # Wednesday 25 November: it stands in for Tue 1 Dec's round
    schedule = say(slack, "survey Acme", user=DAN)
    assert "A round is running" in schedule
    assert "Next scheduled round: Tue 5 Jan." in schedule
    assert "Tue 1 Dec" not in schedule
    assert "can start one now" not in schedule
    at(slack, datetime(2026, 12, 1, 9, 1, tzinfo=UTC))
    assert len(rows(slack, SurveyRound)) == 1  # as it said: no round on 1 December


def test_starting_a_round_says_the_results_go_to_the_partners_own_channel(
    slack: Slack,
) -> None:
    acme(slack)
    say(slack, "channel Acme <#C0GENERAL|general>")
    started = say(slack, "survey Acme now")
    assert "the results go to the owner and <#C0GENERAL> when it closes." in started
    assert "coordination channel" not in started


def test_one_taken_off_the_team_before_their_questions_went_out_is_not_asked(
    slack: Slack,
) -> None:
    acme(slack)
    say(slack, "survey Acme now")  # Wednesday 09:00 UTC: evening in Tokyo, night in New York
    at(slack, START)
    assert len(questions(slack, DAN)) == 4 and inbox(slack, CHLOE) == []
    say(slack, f"team Acme remove {MENTION[CHLOE]} {MENTION[DAN]}")
    assert "0 of 3 answered so far" in say(slack, "survey Acme")  # Dan was asked: he stays

    at(slack, START.replace(hour=14, minute=20))  # Ben's morning in New York
    at(slack, START.replace(day=26, hour=0, minute=20))  # Chloe's Thursday morning
    assert [
        m
        for m in slack.fake.messages_in(slack.fake.im_channel(CHLOE).id)
        if "Pulse survey" in m.text or "statement" in m.text
    ] == []
    assert len(questions(slack, BEN)) == 4  # still on the team: asked in his hours

    at(slack, datetime(2026, 12, 2, 9, 5, tzinfo=UTC))
    (report,) = [m for m in channel_posts(slack) if "Pulse results" in shown(m)]
    assert "0 of 3 answered" in shown(report)


def test_survey_of_an_unknown_partner_asks_did_you_mean(slack: Slack) -> None:
    acme(slack)
    assert "I don't know a partner called “Acne”" in say(slack, "survey Acne now")
    assert rows(slack, SurveyRound) == []


def test_a_round_reaches_each_person_in_their_own_working_hours(slack: Slack) -> None:
    acme(slack)
    started = say(slack, "survey Acme now")
    assert "Started a pulse survey of *Acme*" in started
    assert "open until Wed 2 Dec at 10:00" in started  # in Ana's Berlin

    at(slack, START)  # Wednesday 09:00 UTC: Berlin 10:00, London 09:00, New York 04:00, Tokyo 18:00
    assert len(questions(slack, ANA)) == 4
    assert len(questions(slack, DAN)) == 4
    assert inbox(slack, BEN) == [] and inbox(slack, CHLOE) == []
    (invitation, *_) = inbox(slack, DAN)
    assert "You're asked because you are on its internal team" in invitation.text
    assert "at least 3 people answered" in invitation.text
    # The statements arrive in order, each with the bot's :one: … :five: ready to click.
    texts = [m.text for m in questions(slack, DAN)]
    assert [text.split("statement ")[1][:6] for text in texts] == [
        "1 of 4",
        "2 of 4",
        "3 of 4",
        "4 of 4",
    ]
    for message in questions(slack, DAN):
        assert current(slack, message).reactions == {
            name: [slack.fake.bot_user_id] for name in ("one", "two", "three", "four", "five")
        }

    at(slack, START.replace(hour=14, minute=20))  # 09:20 in New York
    assert len(questions(slack, BEN)) == 4
    # Open for a week: until 09:00 UTC, before Ben's working day starts on Wednesday.
    assert "Open until Wed 2 Dec at 04:00." in inbox(slack, BEN)[0].text
    assert inbox(slack, CHLOE) == []
    at(slack, START.replace(day=26, hour=0, minute=20))  # Thursday 09:20 in Tokyo
    assert len(questions(slack, CHLOE)) == 4


def test_people_away_are_asked_once_they_are_back(slack: Slack) -> None:
    acme(slack)
    say(slack, "away today to friday", user=DAN)
    started = say(slack, "survey Acme now")
    assert "I've asked <@U0ANA>, <@U0BEN>, <@U0CHLOE>." in started
    assert "<@U0DAN> is away through Fri 27 Nov: their questions wait for their return" in started
    at(slack, START)
    assert inbox(slack, DAN) == []
    assert {d.user_id for d in rows(slack, SurveyDelivery)} == {ANA, BEN, CHLOE, DAN}
    say(slack, "back", user=DAN)
    at(slack, START + timedelta(days=1))
    assert len(questions(slack, DAN)) == 4


def test_one_who_starts_a_survey_while_away_is_told_of_it_as_you(slack: Slack) -> None:
    # QA21b NIT 2: Ana, away, read "<@U0ANA> is away …: their questions wait" about herself.
    acme(slack)
    say(slack, "away today to friday")
    say(slack, "away today to friday", user=DAN)
    started = say(slack, "survey Acme now")
    assert (
        "\nYou're away through Fri 27 Nov: your questions wait for your return (and lapse if the "
        "survey closes first).\n<@U0DAN> is away through Fri 27 Nov: their questions wait"
    ) in started
    assert "<@U0ANA>" not in started


def test_someone_away_for_the_whole_round_is_not_counted_as_asked(slack: Slack) -> None:
    acme(slack)
    say(slack, "away today to 2026-12-11", user=DAN)
    say(slack, "back", user=BEN)  # not away: nothing changes for Ben
    say(slack, "away 2026-11-30 to 2026-12-11", user=CHLOE)  # away after being asked
    started = say(slack, "survey Acme now")
    # Dan, away until after it closes, is not said to be asked (he was, in qa20b).
    assert "I've asked <@U0ANA>, <@U0BEN>, <@U0CHLOE>." in started
    assert (
        "<@U0DAN> is away through Fri 11 Dec, after it closes: not asked unless back sooner, "
        "and the results count only the people asked."
    ) in started
    at(slack, START)
    at(slack, START.replace(hour=14, minute=20))  # New York's morning
    at(slack, START.replace(day=26, hour=0, minute=20))  # Tokyo's
    for user in (ANA, BEN):
        _answer_all(slack, user, (4, 4, 3, 2))
    assert questions(slack, DAN) == [] and len(questions(slack, CHLOE)) == 4

    at(slack, datetime(2026, 12, 2, 9, 5, tzinfo=UTC))  # closes, Dan still away
    (report,) = [m for m in channel_posts(slack) if "Pulse results" in shown(m)]
    assert "has closed: 2 of 3 answered (67%)." in shown(report)
    assert questions(slack, DAN) == []
    (closed,) = rows(slack, SurveyRound)
    assert (closed.invited, closed.respondents) == (3, 2)


def test_a_second_round_is_refused_while_one_is_running(slack: Slack) -> None:
    acme(slack)
    say(slack, "survey Acme now")
    again = say(slack, "survey Acme now")
    assert "*Acme* already has a pulse survey" in again
    assert "0 of 4 answered so far" in again
    assert len(rows(slack, SurveyRound)) == 1


# --- Pulse surveys: answering by reaction and by button ---------------------------------------


def test_reactions_by_the_recipient_set_replace_and_withdraw_the_score(slack: Slack) -> None:
    surveyed(slack)
    first = questions(slack, DAN)[0]

    react(slack, DAN, first, "four")
    assert "Your answer: *4* — :four: agree" in shown(current(slack, first))
    react(slack, DAN, first, "two")  # a new reaction replaces the score
    assert "Your answer: *2* — :two: disagree" in shown(current(slack, first))
    assert [a.score for a in rows(slack, SurveyAnswer)] == [2]

    unreact(slack, DAN, first, "four")  # not the score any more: nothing changes
    assert [a.score for a in rows(slack, SurveyAnswer)] == [2]
    unreact(slack, DAN, first, "two")  # withdraws it
    assert [a.score for a in rows(slack, SurveyAnswer)] == [None]
    assert "Your answer" not in shown(current(slack, first))


def test_taking_back_one_of_two_reactions_leaves_the_other_as_the_answer(slack: Slack) -> None:
    surveyed(slack)
    first = questions(slack, DAN)[0]

    react(slack, DAN, first, "five")
    react(slack, DAN, first, "four")  # the :five: stays on the message
    assert [a.score for a in rows(slack, SurveyAnswer)] == [4]
    unreact(slack, DAN, first, "four")  # the :five: still there is the answer again
    assert [a.score for a in rows(slack, SurveyAnswer)] == [5]
    assert "Your answer: *5* — :five:" in shown(current(slack, first))
    unreact(slack, DAN, first, "five")  # nothing left: withdrawn
    assert [a.score for a in rows(slack, SurveyAnswer)] == [None]
    assert "Your answer" not in shown(current(slack, first))


def test_reactions_by_others_on_other_messages_or_with_other_emoji_are_ignored(
    slack: Slack,
) -> None:
    surveyed(slack)
    dans, anas = questions(slack, DAN)[0], questions(slack, ANA)[0]
    updates = len(slack.fake.calls_to("chat.update"))

    react(slack, ANA, dans, "five")  # someone else's reaction on Dan's statement
    react(slack, DAN, dans, "tada")  # another emoji
    react(slack, DAN, inbox(slack, DAN)[0], "three")  # the invitation, not a statement
    posted = slack.fake.post_user_message(user_id=DAN, channel_id="C0GENERAL", text="hello")
    react(slack, DAN, posted, "three")  # a message that is no survey at all
    send(
        slack,
        slack.requests.reaction_added(user_id=slack.fake.bot_user_id, message=anas, name="two"),
    )

    assert rows(slack, SurveyAnswer) == []
    assert len(slack.fake.calls_to("chat.update")) == updates


def test_number_reactions_in_a_channel_cost_no_call_to_slack(slack: Slack) -> None:
    # QA: every :one:…:five: taken off any message in a channel Liaison is in was looked up
    # with reactions.get before Liaison saw it was no survey statement (those are DMs).
    surveyed(slack)
    posted = slack.fake.post_user_message(user_id=BEN, channel_id="C0PARTNERS", text="vote!")
    react(slack, DAN, posted, "three")
    unreact(slack, DAN, posted, "three")
    assert slack.fake.calls_to("reactions.get") == []
    assert rows(slack, SurveyAnswer) == [] and rows(slack, SlackEventReceipt) == []
    first = questions(slack, DAN)[0]
    react(slack, DAN, first, "three")
    unreact(slack, DAN, first, "three")  # on a statement: Slack says what is left
    assert len(slack.fake.calls_to("reactions.get")) == 1


def test_a_retried_event_counts_once(slack: Slack) -> None:
    surveyed(slack)
    first = questions(slack, DAN)[0]

    added = react(slack, DAN, first, "three")
    react(slack, DAN, first, "five")
    # Slack redelivers the first event (same event_id) after the second: it must not win.
    send(slack, slack.requests.retry(added, 1))
    send(slack, slack.requests.retry(added, 2, reason="http_error"))
    assert [a.score for a in rows(slack, SurveyAnswer)] == [5]
    assert "Your answer: *5*" in shown(current(slack, first))
    assert len(rows(slack, SlackEventReceipt)) == 2


def test_buttons_do_what_reactions_do(slack: Slack) -> None:
    surveyed(slack)
    second = questions(slack, DAN)[1]

    click(slack, DAN, second, "survey_score_3")
    message = current(slack, second)
    assert "Your answer: *3*" in shown(message)
    (chosen,) = [
        element
        for block in message.blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if element.get("style") == "primary"
    ]
    assert chosen["action_id"] == "survey_score_3"
    react(slack, DAN, current(slack, second), "one")  # a reaction after a click replaces it
    assert [a.score for a in rows(slack, SurveyAnswer)] == [1]
    click(slack, DAN, current(slack, second), "survey_score_1")  # the same again: one answer
    assert [a.score for a in rows(slack, SurveyAnswer)] == [1]


def test_an_answer_given_by_a_click_is_withdrawn_with_withdraw(slack: Slack) -> None:
    surveyed(slack)
    second = questions(slack, DAN)[1]
    click(slack, DAN, second, "survey_score_3")
    assert "*Withdraw* takes it back" in shown(current(slack, second))

    click(slack, DAN, current(slack, second), "survey_withdraw")
    assert [a.score for a in rows(slack, SurveyAnswer)] == [None]
    message = shown(current(slack, second))
    assert "Your answer" not in message and "survey_withdraw" not in message
    # Withdrawn, nobody is counted as having answered.
    assert "0 of 4 answered so far" in say(slack, "survey Acme")
    # Someone else cannot take it back for them.
    click(slack, DAN, current(slack, second), "survey_score_2")
    click(slack, ANA, current(slack, second), "survey_withdraw")
    assert [a.score for a in rows(slack, SurveyAnswer)] == [2]


def test_a_reaction_before_the_bot_added_its_own_still_counts(slack: Slack) -> None:
    acme(slack)
    say(slack, "survey Acme now")
    slack.runtime.clock.set(START)  # type: ignore[attr-defined]
    run_tick(slack)  # sent; the reactions come with the next tick
    first = questions(slack, DAN)[0]
    assert current(slack, first).reactions == {}
    react(slack, DAN, first, "four")
    assert [a.score for a in rows(slack, SurveyAnswer)] == [4]


def test_a_comment_is_kept_without_a_name(slack: Slack) -> None:
    surveyed(slack)
    invitation = inbox(slack, DAN)[0]
    click(slack, DAN, invitation, "survey_comment")
    (form,) = slack.fake.open_modals(DAN)
    # Slack's client caps the comment, counting otherwise than Python: refused, not cut short.
    values = {"comment": {"value": {"type": "plain_text_input", "value": "q" * 2001}}}
    send(slack, slack.requests.view_submission(user_id=DAN, view=form, values=values))
    assert form.errors == {
        "comment": "The comment is 2,001 characters long; keep it to 2,000 (link a document for "
        "the rest). Nothing was saved."
    }
    assert rows(slack, SurveyComment) == []
    values = {"comment": {"value": {"type": "plain_text_input", "value": "  They answer slowly. "}}}
    send(slack, slack.requests.view_submission(user_id=DAN, view=form, values=values))
    (comment,) = rows(slack, SurveyComment)
    assert comment.text == "They answer slowly."
    assert DAN not in json.dumps(comment.model_dump(), default=str)
    # The form says it was kept (nothing else shows it), with nothing more to send.
    (saved,) = slack.fake.open_modals(DAN)
    said = json.dumps(saved.view, ensure_ascii=False)
    assert "your comment on the pulse survey about *Acme* is kept" in said
    assert not saved.view.get("submit")

    click(slack, DAN, invitation, "survey_comment")
    form = slack.fake.open_modals(DAN)[-1]
    values = {"comment": {"value": {"type": "plain_text_input", "value": " "}}}
    send(slack, slack.requests.view_submission(user_id=DAN, view=form, values=values))
    assert rows(slack, SurveyComment) == []
    said = json.dumps(slack.fake.open_modals(DAN)[-1].view, ensure_ascii=False)
    assert "Your comment on the pulse survey about *Acme* is removed." in said


# --- Pulse surveys: reminder, closing, results --------------------------------------------------


def _answer_all(slack: Slack, user: str, scores: tuple[int, int, int, int]) -> None:
    names = ("one", "two", "three", "four", "five")
    for message, score in zip(questions(slack, user)[-4:], scores, strict=True):
        react(slack, user, message, names[score - 1])


def test_one_reminder_halfway_to_those_who_have_not_answered(slack: Slack) -> None:
    surveyed(slack)
    at(slack, START.replace(hour=14, minute=20))
    at(slack, START.replace(day=26, hour=0, minute=20))
    _answer_all(slack, DAN, (4, 4, 4, 4))

    at(slack, datetime(2026, 11, 27, 9, 30, tzinfo=UTC))  # Friday: two working days in
    reminded = {
        user
        for user in (ANA, BEN, CHLOE, DAN)
        if any("Reminder: the pulse survey" in m.text for m in inbox(slack, user))
    }
    assert reminded == {ANA}  # Ben (New York) and Chloe (Tokyo) get theirs in their morning
    at(slack, datetime(2026, 11, 27, 14, 30, tzinfo=UTC))
    at(slack, datetime(2026, 11, 30, 0, 30, tzinfo=UTC))  # Monday morning in Tokyo
    for user in (ANA, BEN, CHLOE):
        assert sum("Reminder: the pulse survey" in m.text for m in inbox(slack, user)) == 1
    assert not any("Reminder" in m.text for m in inbox(slack, DAN))


def _reminders(slack: Slack, user: str) -> list[FakeMessage]:
    return [m for m in inbox(slack, user) if "Reminder: the pulse survey" in m.text]


def _sent_at(slack: Slack, user: str, kind: str) -> datetime:
    """When the dispatcher sent the person's one outbox message of `kind` (the test's clock)."""
    messages: list[OutboxMessage] = rows(slack, OutboxMessage)
    (sent,) = [m for m in messages if (m.recipient_user, m.kind) == (user, kind)]
    assert sent.sent_at is not None
    return sent.sent_at


def test_a_survey_held_while_away_is_reminded_a_working_day_after_it_arrives(
    slack: Slack,
) -> None:
    acme(slack)
    say(slack, "away today to friday", user=DAN)
    say(slack, "survey Acme now")
    at(slack, START)
    at(slack, datetime(2026, 11, 27, 9, 30, tzinfo=UTC))  # Friday: halfway, Dan still away
    assert _reminders(slack, ANA) and inbox(slack, DAN) == []

    at(slack, datetime(2026, 11, 30, 9, 30, tzinfo=UTC))  # Monday: back, asked, not reminded
    assert "Pulse survey" in inbox(slack, DAN)[0].text and len(questions(slack, DAN)) == 4
    at(slack, datetime(2026, 11, 30, 16, 30, tzinfo=UTC))
    assert _reminders(slack, DAN) == []
    at(slack, datetime(2026, 12, 1, 9, 30, tzinfo=UTC))  # one working day after his invitation
    assert len(_reminders(slack, DAN)) == 1
    invited_at = _sent_at(slack, DAN, "survey.invitation")
    assert invited_at == datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
    assert _sent_at(slack, DAN, "survey.reminder") == datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    at(slack, datetime(2026, 12, 1, 15, 0, tzinfo=UTC))
    assert len(_reminders(slack, DAN)) == 1  # one reminder, as ever


def test_back_early_the_survey_comes_at_once_and_its_reminder_a_working_day_later(
    slack: Slack,
) -> None:
    acme(slack)
    say(slack, "away today to 2026-12-04", user=DAN)
    say(slack, "survey Acme now")
    at(slack, START)
    at(slack, datetime(2026, 11, 27, 10, 0, tzinfo=UTC))  # halfway: the others are reminded
    say(slack, "back", user=DAN)
    at(slack, datetime(2026, 11, 27, 11, 0, tzinfo=UTC))
    assert len(questions(slack, DAN)) == 4
    assert _reminders(slack, DAN) == []  # not in the same minute as the survey itself
    at(slack, datetime(2026, 11, 27, 16, 30, tzinfo=UTC))
    assert _reminders(slack, DAN) == []
    at(slack, datetime(2026, 11, 30, 11, 30, tzinfo=UTC))  # Monday, his next working day
    assert len(_reminders(slack, DAN)) == 1
    assert _sent_at(slack, DAN, "survey.invitation") == datetime(2026, 11, 27, 11, 0, tzinfo=UTC)
    assert _sent_at(slack, DAN, "survey.reminder") == datetime(2026, 11, 30, 11, 30, tzinfo=UTC)


def test_no_reminder_when_the_survey_would_close_before_it(slack: Slack) -> None:
    acme(slack)
    say(slack, "away today to 2026-11-30", user=DAN)
    say(slack, "survey Acme now")
    at(slack, START)
    at(slack, datetime(2026, 12, 1, 9, 30, tzinfo=UTC))  # back Tuesday: asked
    assert len(questions(slack, DAN)) == 4
    at(slack, datetime(2026, 12, 2, 9, 30, tzinfo=UTC))  # the round closed at 09:00
    assert (rows(slack, SurveyRound)[0]).closed_at is not None
    assert _reminders(slack, DAN) == []


def test_lowering_anonymity_later_never_uncovers_a_round_promised_more(slack: Slack) -> None:
    surveyed(slack)  # its invitations promised results only with at least 3 answers
    _answer_all(slack, DAN, (5, 4, 3, 2))
    _answer_all(slack, ANA, (1, 2, 3, 4))
    assert "*Anonymity* is now *at least 2 answers*" in say(slack, "config anonymity 2")

    at(slack, datetime(2026, 12, 2, 9, 5, tzinfo=UTC))  # closed with 2 answers
    (report,) = [m for m in channel_posts(slack) if "Pulse results" in shown(m)]
    assert "Not enough answers to show results; at least 3" in shown(report)
    assert "/ 5" not in shown(report)
    schedule = say(slack, "survey Acme", user=BEN)
    assert "at least 3 are needed" in schedule and "/ 5" not in schedule
    assert "/ 5" not in say(slack, "show Acme", user=BEN)
    health = say(slack, "health Acme", user=BEN)
    assert "fewer than the 3 needed to keep answers anonymous" in health

    # A round started under the new setting is shown with 2 answers, as it promised.
    say(slack, "survey Acme now")
    at(slack, datetime(2026, 12, 2, 9, 30, tzinfo=UTC))
    _answer_all(slack, DAN, (5, 4, 3, 2))
    _answer_all(slack, ANA, (1, 2, 3, 4))
    at(slack, datetime(2026, 12, 9, 9, 35, tzinfo=UTC))
    *_, latest = [m for m in channel_posts(slack) if "Pulse results" in shown(m)]
    assert "*3.0* / 5" in shown(latest)


def test_below_the_threshold_the_results_say_not_enough_answers(slack: Slack) -> None:
    surveyed(slack)
    at(slack, START.replace(hour=14, minute=20))  # Ben's morning in New York
    at(slack, START.replace(day=26, hour=0, minute=20))  # Chloe's in Tokyo
    _answer_all(slack, DAN, (5, 4, 3, 2))
    _answer_all(slack, ANA, (1, 2, 3, 4))

    at(slack, datetime(2026, 12, 2, 9, 5, tzinfo=UTC))  # five working days later
    (report,) = [m for m in channel_posts(slack) if "Pulse results" in shown(m)]
    text = shown(report)
    assert "has closed: 2 of 4 answered (50%)." in text
    assert "Not enough answers to show results; at least 3" in text
    assert json.dumps(report.blocks).count("2 of 4 answered") == 1  # said once
    assert "/ 5" not in text
    owner_copy = [m for m in inbox(slack, ANA) if "Pulse results" in shown(m)]
    assert len(owner_copy) == 1
    # Reactions no longer count, and a late one is told so (as a late click is) by the
    # statement, shown closed, once however often Slack sends it.
    first = questions(slack, DAN)[0]
    added = react(slack, DAN, first, "one")
    send(slack, slack.requests.retry(added, 1))
    unreact(slack, DAN, first, "one")
    assert sorted(a.score for a in rows(slack, SurveyAnswer)) == [1, 2, 2, 3, 3, 4, 4, 5]
    assert "This pulse survey has closed; thank you all the same." in shown(current(slack, first))
    assert slack.ephemerals_to(DAN) == []


def test_above_the_threshold_averages_trend_rate_and_comments_without_names(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    acme(slack)
    with Session(slack.runtime.engine) as session:
        session.add(Workspace(team_id=TEAM, created_at=START, timezone="Europe/London"))
        session.commit()
    say(slack, "survey Acme now")
    at(slack, START)
    at(slack, START.replace(hour=14, minute=20))
    at(slack, START.replace(day=26, hour=0, minute=20))  # Chloe is asked in her Tokyo morning
    caplog.clear()
    _answer_all(slack, DAN, (5, 4, 3, 2))
    _answer_all(slack, ANA, (4, 4, 3, 2))
    _answer_all(slack, BEN, (3, 4, 3, 2))
    click(slack, BEN, inbox(slack, BEN)[0], "survey_comment")
    (form,) = slack.fake.open_modals(BEN)
    values = {"comment": {"value": {"type": "plain_text_input", "value": "More clarity please"}}}
    send(slack, slack.requests.view_submission(user_id=BEN, view=form, values=values))
    # Answering logs nothing about who answered what.
    answering_logs = [record.getMessage() for record in caplog.records]
    assert not [line for line in answering_logs if "U0" in line or "score" in line.lower()]

    at(slack, datetime(2026, 12, 2, 9, 5, tzinfo=UTC))
    (report,) = [m for m in channel_posts(slack) if "Pulse results" in shown(m)]
    text = shown(report)
    assert "3 of 4 answered (75%)" in text
    assert "This partnership is delivering value for us: *4.0* / 5" in text
    assert "The work is fairly shared between us and the partner: *3.0* / 5" in text
    assert "> More clarity please" in text
    assert "previous round" not in text  # a first round has nothing to compare with
    for user in (ANA, BEN, CHLOE, DAN):
        assert user not in text  # no names anywhere in the results

    # Nothing links a score to a person any more, and no log line ever did.
    assert {d.respondent for d in rows(slack, SurveyDelivery)} == {None}
    assert {a.event_ts for a in rows(slack, SurveyAnswer)} == {None}

    # A second round a month later shows the change since the first.
    slack.runtime.clock.set(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))  # type: ignore[attr-defined]
    say(slack, "survey Acme now")
    at(slack, datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    at(slack, datetime(2026, 12, 7, 14, 20, tzinfo=UTC))
    for user in (DAN, ANA, BEN):
        _answer_all(slack, user, (5, 4, 2, 2))
    at(slack, datetime(2026, 12, 14, 9, 5, tzinfo=UTC))
    reports = [m for m in channel_posts(slack) if "Pulse results" in shown(m)]
    latest = shown(reports[-1])
    assert "This partnership is delivering value for us: *5.0* / 5 ▲1.0" in latest
    assert "The work is fairly shared between us and the partner: *2.0* / 5 ▼1.0" in latest
    assert "I know what we and the partner are each responsible for: *4.0* / 5\\n" in latest
    assert "▲▼ since the previous round" in latest
    assert "Round started Mon 7 Dec, closed Mon 14 Dec 2026" in latest

    # Anyone may look: the schedule shows the last results, aggregated.
    looked = say(slack, "survey Acme", user=CHLOE)
    assert "*5.0* / 5 ▲1.0" in looked


def test_a_scheduled_round_starts_on_the_first_working_tuesday(slack: Slack) -> None:
    acme(slack)
    at(slack, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))  # Monday: nothing yet
    assert rows(slack, SurveyRound) == []
    at(slack, datetime(2026, 12, 1, 9, 1, tzinfo=UTC))  # Tuesday 1 December
    (started,) = rows(slack, SurveyRound)
    assert started.round_key.endswith(":2026-12") and started.started_by is None
    at(slack, datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    assert len(rows(slack, SurveyRound)) == 1  # once per period


def test_a_partner_can_have_its_own_pulse_cadence(slack: Slack) -> None:
    acme(slack)
    say(slack, "add Beta")
    say(slack, "team Beta add " + " ".join(MENTION[user] for user in (BEN, CHLOE)))
    say(slack, "status Beta active")

    refusal = say(slack, "survey Acme quarterly", user=DAN)
    assert "Only <@U0ANA> (owner) or an admin can change how often the team of *Acme* is" in refusal
    changed = say(slack, "survey Acme quarterly")
    assert "Done: *Acme* is now surveyed quarterly." in changed
    assert (
        "quarterly, on the quarter's first Tuesday, or first working day where Tuesdays are not "
        "worked (set for this partner"
    ) in changed
    assert "Next scheduled round: Tue 5 Jan." in changed

    # 1 December: the workspace's monthly round for Beta; Acme waits for the quarter.
    at(slack, datetime(2026, 12, 1, 9, 1, tzinfo=UTC))
    (beta_round,) = rows(slack, SurveyRound)
    assert beta_round.round_key.endswith(":2026-12")
    assert {p.id for p in rows(slack, Partner) if p.name == "Beta"} == {beta_round.partner_id}

    at(slack, datetime(2027, 1, 5, 9, 1, tzinfo=UTC))
    keys = sorted(r.round_key.split(":")[1] for r in rows(slack, SurveyRound))
    assert keys == ["2026-12", "2027-01", "2027-Q1"]

    # `off` stops Acme's rounds; `default` follows the workspace again.
    stopped = say(slack, "survey Acme off")
    assert "Done: *Acme* is no longer surveyed on a schedule;" in stopped
    assert "`/partner survey Acme now` still starts a round." in stopped
    assert "surveyed off" not in stopped and "(no scheduled rounds) (" not in stopped
    assert "Next scheduled round" not in say(slack, "survey Acme")
    following = say(slack, "survey Acme default")
    assert "now follows the workspace's pulse cadence (monthly)" in following
    assert (
        "Cadence: monthly, on the month's first Tuesday, or first working day where Tuesdays "
        "are not worked (the workspace's;"
    ) in following


def test_a_partner_with_its_own_cadence_is_surveyed_when_the_workspace_has_none(
    slack: Slack,
) -> None:
    acme(slack)
    with Session(slack.runtime.engine) as session:
        session.add(Workspace(team_id=TEAM, created_at=START, pulse_cadence="off"))
        session.commit()
    say(slack, "add Beta")
    say(slack, "team Beta add " + " ".join(MENTION[user] for user in (BEN, CHLOE)))
    say(slack, "status Beta active")
    say(slack, "survey Acme monthly")
    at(slack, datetime(2026, 12, 1, 9, 1, tzinfo=UTC))
    (only,) = rows(slack, SurveyRound)
    assert only.partner_id == next(p.id for p in rows(slack, Partner) if p.name == "Acme")


def test_no_round_is_started_that_could_only_report_not_enough_answers(slack: Slack) -> None:
    acme(slack, team=(BEN,))  # Ana and Ben: fewer than the 3 answers results need
    said = say(slack, "survey Acme now")
    assert "Only <@U0ANA>, <@U0BEN> could be asked about *Acme*" in said
    assert "`/partner team Acme add @…`" in said
    at(slack, datetime(2026, 12, 1, 9, 1, tzinfo=UTC))  # the scheduled round's day
    assert rows(slack, SurveyRound) == []
    say(slack, f"team Acme add {MENTION[DAN]}")
    at(slack, datetime(2026, 12, 1, 9, 30, tzinfo=UTC))  # three now: the round starts
    assert len(rows(slack, SurveyRound)) == 1


def test_the_owner_is_told_once_when_a_scheduled_round_is_skipped_for_too_few(
    slack: Slack,
) -> None:
    acme(slack, team=(BEN,))
    schedule = say(slack, "survey Acme")
    assert "Next scheduled round: Tue 1 Dec." in schedule
    assert (
        "But only <@U0ANA>, <@U0BEN> could be asked about *Acme*: fewer than the 3 answers "
        "results need to stay anonymous, so scheduled rounds don't start."
    ) in schedule
    assert "`/partner team Acme add @…`" in schedule
    assert "can start one now" not in schedule  # it would be refused for the same reason

    at(slack, datetime(2026, 12, 1, 9, 1, tzinfo=UTC))  # the scheduled round's day
    at(slack, datetime(2026, 12, 1, 9, 30, tzinfo=UTC))  # tried again: still too few
    assert rows(slack, SurveyRound) == []
    (told,) = [m for m in inbox(slack, ANA) if "did not start" in m.text]
    assert (
        "*The pulse survey of Acme scheduled for Tue 1 Dec did not start.* Only <@U0ANA>, "
        "<@U0BEN> could be asked about *Acme*"
    ) in told.text
    assert "It starts by itself once enough people can be asked, until Tue 8 Dec" in told.text
    assert not [m for m in inbox(slack, BEN) if "did not start" in m.text]

    say(slack, f"team Acme add {MENTION[DAN]}")
    assert "scheduled rounds don't start" not in say(slack, "survey Acme")
    at(slack, datetime(2026, 12, 2, 9, 0, tzinfo=UTC))  # three now: the round starts
    assert len(rows(slack, SurveyRound)) == 1


def test_a_skipped_round_not_told_yet_is_not_told_once_the_round_starts(slack: Slack) -> None:
    acme(slack, team=(BEN,))
    say(slack, "away 2026-12-01 to 2026-12-01")  # the owner hears nothing on the round's day
    at(slack, datetime(2026, 12, 1, 9, 1, tzinfo=UTC))
    assert rows(slack, SurveyRound) == []
    say(slack, f"team Acme add {MENTION[DAN]} {MENTION[CHLOE]}")
    at(slack, datetime(2026, 12, 1, 9, 30, tzinfo=UTC))  # three present now: the round starts
    assert len(rows(slack, SurveyRound)) == 1
    at(slack, datetime(2026, 12, 2, 10, 0, tzinfo=UTC))  # the owner back at work
    assert not [m for m in inbox(slack, ANA) if "did not start" in m.text]
    assert [m for m in inbox(slack, ANA) if "Pulse survey" in m.text]


def test_a_name_ending_in_a_cadence_word_can_be_quoted(slack: Slack) -> None:
    say(slack, "add Kick Off")
    assert "*Pulse survey of Kick Off*" in say(slack, 'survey "Kick Off"')
    assert "Which partner?" in say(slack, "survey")


def test_show_and_check_carry_the_pulse_results_and_checkins(slack: Slack) -> None:
    acme(slack)
    before = say(slack, "show Acme", user=DAN)
    assert "*Feedback on Acme*" in before and "Pulse: no survey has run its course yet." in before
    say(slack, "survey Acme now")
    at(slack, START)
    at(slack, START.replace(hour=14, minute=20))
    at(slack, START.replace(day=26, hour=0, minute=20))  # Chloe's Tokyo morning
    for user in (DAN, ANA, BEN):
        _answer_all(slack, user, (4, 4, 3, 2))
    at(slack, datetime(2026, 12, 2, 9, 5, tzinfo=UTC))
    for verb in ("show", "check"):
        card = say(slack, f"{verb} Acme", user=CHLOE)
        assert "This partnership is delivering value for us: *4.0* / 5" in card, verb
        # Said to be the pulse: under the check-ins line, "3 of 4 answered" alone read as theirs.
        feedback = card.split("*Feedback on Acme*")[1]
        assert feedback.index("Pulse, the last round:") < feedback.index("3 of 4 answered"), verb
        for user in (ANA, BEN, DAN):
            assert f"<@{user}>" not in card.split("*Feedback on Acme*")[1], verb


# --- Check-ins --------------------------------------------------------------------------------


def meeting(
    slack: Slack,
    *,
    author: str,
    participants: tuple[str, ...] = (),
    when: datetime,
    kind: str = "done",
    medium: str = "meeting",
) -> int:
    """A touchpoint as the touchpoints feature records it (`log` / `plan`)."""
    with Session(slack.runtime.engine) as session:
        partner = session.exec(select(Partner).where(Partner.name == "Acme")).one()
        assert partner.id is not None
        touchpoint = Touchpoint(
            team_id=TEAM,
            partner_id=partner.id,
            kind=kind,
            medium=medium,
            at=when,
            author_id=author,
            created_at=slack.runtime.clock.now(),
        )
        session.add(touchpoint)
        session.flush()
        assert touchpoint.id is not None
        for user in participants:
            session.add(TouchpointParticipant(touchpoint_id=touchpoint.id, user_id=user))
        session.commit()
        return touchpoint.id


def checkin_messages(slack: Slack, user: str) -> list[FakeMessage]:
    return [m for m in inbox(slack, user) if m.text.startswith(("How did", "Reminder — How did"))]


def test_the_owners_own_checkin_says_where_the_answer_goes(slack: Slack) -> None:
    acme(slack)
    meeting(slack, author=ANA, participants=(), when=datetime(2026, 11, 24, 15, tzinfo=UTC))
    at(slack, datetime(2026, 11, 26, 12, tzinfo=UTC))
    (asked,) = checkin_messages(slack, ANA)
    assert "You logged it. Your answer counts towards the partner's health." in shown(asked)


def test_participants_are_asked_on_their_next_working_morning(slack: Slack) -> None:
    acme(slack)
    meeting(slack, author=BEN, participants=(DAN,), when=datetime(2026, 11, 24, 15, tzinfo=UTC))
    at(slack, START)
    assert checkin_messages(slack, BEN) == [] and checkin_messages(slack, DAN) == []
    at(slack, START.replace(hour=14, minute=15))  # Wednesday 09:15 in New York
    (asked,) = checkin_messages(slack, BEN)
    assert asked.text == "How did your meeting with *Acme* on Tue 24 Nov go?"
    # Ana is not away: the card says nothing of anyone covering for her (QA21b NIT 1).
    assert "You logged it. Your answer goes to the partner's owner <@U0ANA>." in shown(asked)
    assert checkin_messages(slack, DAN) == []
    at(slack, datetime(2026, 11, 26, 9, 15, tzinfo=UTC))  # Thursday 09:15 in London
    (asked_dan,) = checkin_messages(slack, DAN)
    assert "You took part; <@U0BEN> logged it." in shown(asked_dan)
    assert len(rows(slack, CheckIn)) == 2  # and never again, however often the planner runs


@pytest.mark.parametrize("deputy", [True, False])
def test_the_checkin_card_names_who_covers_for_an_owner_away(slack: Slack, deputy: bool) -> None:
    # QA21b NIT 1: the card said "to whoever covers" whether or not the owner was away, and never
    # whom; it says what is true as it is made, as a Problem would be routed then.
    acme(slack)
    if deputy:
        say(slack, f"deputy Acme {MENTION[DAN]}")
    say(slack, "away today to friday")
    meeting(slack, author=BEN, when=datetime(2026, 11, 24, 15, tzinfo=UTC))
    at(slack, START.replace(hour=14, minute=1))  # Wednesday 09:01 in New York
    (asked,) = checkin_messages(slack, BEN)
    cover = (
        "a Problem goes to <@U0DAN>, who covers for them."
        if deputy
        else "no one covers for them then, so a Problem waits for their return too."
    )
    assert (
        "You logged it. Your answer goes to the partner's owner <@U0ANA> when they are back "
        f"from time away; {cover}"
    ) in shown(asked)
    click(slack, BEN, asked, "checkin_answer_problem")  # and no note
    slack.fake.dismiss_modals(BEN)
    at(slack, START.replace(hour=14, minute=30))  # after the wait for a note, in Dan's hours
    alerted = [m for m in inbox(slack, DAN) if "reports a *problem*" in m.text]
    assert len(alerted) == (1 if deputy else 0)


def test_a_checkin_card_says_the_deputy_would_see_a_problem_only_after_the_owner_is_back(
    slack: Slack,
) -> None:
    # QA: with Chloe (Tokyo) as Acme's deputy and Ana away for the day, the card said "no one
    # covers for them then": Chloe does, but her next working hours begin once Ana is back.
    acme(slack)
    say(slack, f"deputy Acme {MENTION[CHLOE]}")
    say(slack, "away today")  # through Wednesday in Berlin, 23:00 UTC
    meeting(slack, author=BEN, when=datetime(2026, 11, 24, 15, tzinfo=UTC))
    at(slack, START.replace(hour=14, minute=1))  # Wednesday 09:01 in New York, 23:01 in Tokyo
    (asked,) = checkin_messages(slack, BEN)
    assert (
        "You logged it. Your answer goes to the partner's owner <@U0ANA> when they are back "
        "from time away; a Problem waits for their return too: <@U0CHLOE>, who covers for "
        "them, would not see it sooner."
    ) in shown(asked)
    assert "no one covers" not in shown(asked)


@pytest.mark.parametrize("verb", ["plan Acme on friday 10:00", "log Acme"])
def test_an_owner_back_early_is_the_one_a_checkin_card_waiting_to_go_names(
    slack: Slack, verb: str
) -> None:
    # QA: the card queued while Ana was away still said, once she was back, that a Problem goes
    # to Dan who covers for her; it goes to her. It says what is true as it is sent.
    acme(slack, team=(BEN,))
    say(slack, f"away thursday to monday deputy {MENTION[DAN]}")
    if verb.startswith("plan"):
        say(slack, f"{verb} with Jane Doe via meeting : winter appeal", CHLOE)  # Tokyo
    at(slack, datetime(2026, 11, 27, 2, tzinfo=UTC))  # Friday 11:00 in Tokyo, after it
    if verb.startswith("log"):
        say(slack, f"{verb} with Jane Doe via meeting : winter appeal", CHLOE)
    assert checkin_messages(slack, CHLOE) == []  # asked on Monday morning, still away then
    at(slack, datetime(2026, 11, 27, 12, tzinfo=UTC))
    say(slack, "back")
    at(slack, datetime(2026, 11, 30, 0, 15, tzinfo=UTC))  # Monday 09:15 in Tokyo
    (asked,) = checkin_messages(slack, CHLOE)
    verb_done = "planned" if verb.startswith("plan") else "logged"
    assert f"You {verb_done} it. Your answer goes to the partner's owner <@U0ANA>." in shown(asked)
    assert "<@U0DAN>" not in shown(asked)


WHEN_AWAY = "You logged it. Your answer goes to the partner's owner <@U0ANA> when they are back "
NO_COVER = "no one covers for them then, so a Problem waits for their return too."
DAN_COVERS = "a Problem goes to <@U0DAN>, who covers for them."


def queued_checkin(slack: Slack) -> None:
    """Chloe (Tokyo) logs a meeting with Acme; her card waits for her Thursday morning."""
    say(slack, "log Acme with Jane Doe via meeting : winter appeal", CHLOE)
    run_tick(slack)
    assert checkin_messages(slack, CHLOE) == []


def sent_checkin(slack: Slack) -> str:
    at(slack, datetime(2026, 11, 26, 0, 15, tzinfo=UTC))  # Thursday 09:15 in Tokyo
    (asked,) = checkin_messages(slack, CHLOE)
    return shown(asked)


def test_time_away_booked_after_a_checkin_card_is_queued_is_on_it(slack: Slack) -> None:
    # The other way round: queued with Ana at work, the card goes while she is away.
    acme(slack, team=(BEN,))
    queued_checkin(slack)
    say(slack, f"away tomorrow to friday deputy {MENTION[DAN]}")
    assert WHEN_AWAY + f"from time away; {DAN_COVERS}" in sent_checkin(slack)


def test_a_handover_after_a_checkin_card_is_queued_is_on_it(slack: Slack) -> None:
    # Queued while Ana owned Acme, the card named her as who gets the answer; it names Dan.
    acme(slack, team=(BEN,))
    queued_checkin(slack)
    say(slack, f"owner Acme {MENTION[DAN]}")
    card = sent_checkin(slack)
    assert "You logged it. Your answer goes to the partner's owner <@U0DAN>." in card
    assert "<@U0ANA>" not in card


@pytest.mark.parametrize("named", [True, False])
def test_a_change_of_deputy_after_a_checkin_card_is_queued_is_on_it(
    slack: Slack, named: bool
) -> None:
    # Ana is away; a deputy named (or cleared) after the card is queued is who a Problem reaches.
    acme(slack, team=(BEN,))
    if not named:
        say(slack, f"deputy Acme {MENTION[DAN]}")
    say(slack, "away tomorrow to friday")
    queued_checkin(slack)
    say(slack, f"deputy Acme {MENTION[DAN] if named else 'none'}")
    card = sent_checkin(slack)
    assert WHEN_AWAY + f"from time away; {DAN_COVERS if named else NO_COVER}" in card


def test_a_cover_slack_knows_as_no_colleague_is_off_a_checkin_card_queued(slack: Slack) -> None:
    acme(slack, team=(BEN,))
    queued_checkin(slack)
    said = say(slack, "away tomorrow to friday deputy <@U0NOBODY|ghost>")
    slack.runtime.drain()
    assert "<@U0NOBODY>" in said
    card = sent_checkin(slack)
    assert WHEN_AWAY + f"from time away; {NO_COVER}" in card
    assert "<@U0NOBODY>" not in card


def test_an_answer_updates_the_dm_in_place_and_reaches_the_owner_in_one_thread(
    slack: Slack,
) -> None:
    acme(slack)
    meeting(slack, author=BEN, participants=(DAN,), when=datetime(2026, 11, 24, 15, tzinfo=UTC))
    at(slack, START.replace(hour=14, minute=1))
    (asked,) = checkin_messages(slack, BEN)

    click(slack, BEN, asked, "checkin_answer_went_well")
    now_shown = shown(current(slack, asked))
    assert "You answered: *✅ Went well*." in now_shown
    assert "checkin_answer_mixed" not in now_shown  # buttons replaced by the answer
    assert "You can change it until Thu 26 Nov 09:01" in now_shown

    click(slack, BEN, current(slack, asked), "checkin_change")
    click(slack, BEN, current(slack, asked), "checkin_answer_mixed")
    assert "You answered: *🤔 Mixed*." in shown(current(slack, asked))
    (checkin,) = [c for c in rows(slack, CheckIn) if c.user_id == BEN]
    assert checkin.answer == "mixed" and checkin.version == 2

    at(slack, START.replace(hour=14, minute=5))
    debriefs = [m for m in inbox(slack, ANA) if m.text.startswith("Debrief of the meeting")]
    assert len(debriefs) == 1
    # Changed before its first reply went: Ana reads one answer, the one that stands.
    assert [m.text for m in slack.fake.thread(debriefs[0])] == ["<@U0BEN> answered *🤔 Mixed*"]

    click(slack, BEN, current(slack, asked), "checkin_change")
    click(slack, BEN, current(slack, asked), "checkin_answer_went_well")
    at(slack, START.replace(hour=14, minute=6))
    assert [m.text for m in slack.fake.thread(debriefs[0])] == [
        "<@U0BEN> answered *🤔 Mixed*",
        "<@U0BEN> changed their answer to *✅ Went well*",
    ]


def test_a_reaction_on_a_checkin_waiting_for_its_answer_is_told_it_answers_nothing(
    slack: Slack,
) -> None:
    # QA: Liaison's feedback is "answered with a click or an emoji reaction"; a ✅ put on the
    # check-in was taken in silence, as if it answered it, and the reminder came anyway.
    asked = dans_checkin(slack)
    request = react(slack, DAN, asked, "white_check_mark")
    send(slack, slack.requests.retry(request, 1))  # Slack's retry: told once
    (told,) = slack.ephemerals_to(DAN)
    assert told.channel == asked.channel
    assert told.text == (
        "A reaction doesn't answer my check-in about the meeting with *Acme* on Wed 25 Nov: "
        "nothing was recorded. Click one of its buttons instead: *Went well*, *Mixed* or "
        "*Problem*."
    )
    assert rows(slack, CheckIn)[0].answer is None
    unreact(slack, DAN, asked, "white_check_mark")  # taking it back says nothing
    assert len(slack.ephemerals_to(DAN)) == 1

    # Answered, a reaction is a reaction (a 👍 to say "seen"): nothing said.
    click(slack, DAN, asked, "checkin_answer_went_well")
    react(slack, DAN, current(slack, asked), "+1")
    assert len(slack.ephemerals_to(DAN)) == 1
    # Someone else's check-in, or a message that is none: nothing said either.
    react(slack, DAN, inbox(slack, DAN)[0], "tada")
    assert len(slack.ephemerals_to(DAN)) == 1


def test_a_click_after_the_change_window_leaves_the_card_settled_without_buttons(
    slack: Slack,
) -> None:
    acme(slack)
    meeting(slack, author=BEN, when=datetime(2026, 11, 24, 15, tzinfo=UTC))
    at(slack, START.replace(hour=14, minute=1))
    (asked,) = checkin_messages(slack, BEN)
    click(slack, BEN, asked, "checkin_answer_went_well")
    at(slack, datetime(2026, 11, 27, 15, tzinfo=UTC))  # two days later
    # A card Slack will not update is answered privately.
    slack.fake.fail_next("chat.update", error="message_not_found")
    click(slack, BEN, current(slack, asked), "checkin_change")
    settled = "Answers can be changed for a day; this one is settled now."
    assert [m.text for m in slack.ephemerals_to(BEN)] == [settled]

    click(slack, BEN, current(slack, asked), "checkin_change")
    card = current(slack, asked)
    assert "You answered: *✅ Went well*." in shown(card)
    assert "this one is settled now" in shown(card)
    assert "You can change it until" not in shown(card)
    assert [block for block in card.blocks if block.get("type") == "actions"] == []
    # The card says so where the click was: no private note saying it again.
    assert [m.text for m in slack.ephemerals_to(BEN)] == [settled]


def test_a_problem_reaches_the_owner_with_the_note(slack: Slack) -> None:
    acme(slack)
    meeting(slack, author=DAN, when=datetime(2026, 11, 25, 8, tzinfo=UTC))
    at(slack, datetime(2026, 11, 26, 9, 15, tzinfo=UTC))
    (asked,) = checkin_messages(slack, DAN)

    click(slack, DAN, asked, "checkin_answer_problem")
    (form,) = slack.fake.open_modals(DAN)
    assert form.view["title"]["text"] == "What went wrong?"
    # Slack's client caps the note, counting otherwise than Python: refused, not cut short.
    values = {"note": {"value": {"type": "plain_text_input", "value": "q" * 3001}}}
    send(slack, slack.requests.view_submission(user_id=DAN, view=form, values=values))
    assert form.errors == {
        "note": "The note is 3,001 characters long; keep it to 3,000 (link a document for the "
        "rest). Nothing was saved."
    }
    values = {"note": {"value": {"type": "plain_text_input", "value": "They want to cancel"}}}
    send(slack, slack.requests.view_submission(user_id=DAN, view=form, values=values))
    assert "Your note: _They want to cancel_" in shown(current(slack, asked))

    at(slack, datetime(2026, 11, 26, 9, 16, tzinfo=UTC))
    (alert,) = [m for m in inbox(slack, ANA) if "reports a *problem*" in m.text]
    assert (
        "⚠️ <@U0DAN> reports a *problem* with the meeting with *Acme* on Wed 25 Nov." in alert.text
    )
    assert "> They want to cancel" in alert.text
    assert "because you own this partnership" in alert.text
    # The debrief's reply about a Problem waits the time the note form is given: the note,
    # given meanwhile, is in it, not in a reply of its own.
    (debrief,) = [m for m in inbox(slack, ANA) if m.text.startswith("Debrief of the meeting")]
    assert slack.fake.thread(debrief) == []
    at(slack, datetime(2026, 11, 26, 9, 25, tzinfo=UTC))
    assert [m.text for m in slack.fake.thread(debrief)] == [
        "<@U0DAN> answered *⚠️ Problem*\n> They want to cancel",
    ]
    assert len(inbox(slack, ANA)) == 2  # the debrief and the alert
    # A note edited once the reply went is a reply of its own, as ever; it waits a few minutes
    # for more edits, which it takes in.
    for note in ("They cancelled", "They cancelled the project"):
        click(slack, DAN, current(slack, asked), "checkin_note")
        form = slack.fake.open_modals(DAN)[-1]
        values = {"note": {"value": {"type": "plain_text_input", "value": note}}}
        send(slack, slack.requests.view_submission(user_id=DAN, view=form, values=values))
        at(slack, datetime(2026, 11, 26, 9, 26, tzinfo=UTC))
    assert len(slack.fake.thread(debrief)) == 1
    at(slack, datetime(2026, 11, 26, 9, 28, tzinfo=UTC))
    assert [m.text for m in slack.fake.thread(debrief)][1:] == [
        "<@U0DAN> added a note to their answer *⚠️ Problem*\n> They cancelled the project",
    ]


def test_a_changed_answer_to_problem_carries_its_note_and_keeps_the_thread_in_order(
    slack: Slack,
) -> None:
    acme(slack)
    meeting(slack, author=DAN, when=datetime(2026, 11, 25, 8, tzinfo=UTC))
    at(slack, datetime(2026, 11, 26, 9, 15, tzinfo=UTC))
    (asked,) = checkin_messages(slack, DAN)
    click(slack, DAN, asked, "checkin_answer_went_well")
    at(slack, datetime(2026, 11, 26, 9, 16, tzinfo=UTC))
    click(slack, DAN, current(slack, asked), "checkin_change")
    click(slack, DAN, current(slack, asked), "checkin_answer_problem")
    form = slack.fake.open_modals(DAN)[-1]
    values = {"note": {"value": {"type": "plain_text_input", "value": "They want to cancel"}}}
    send(slack, slack.requests.view_submission(user_id=DAN, view=form, values=values))
    # Changed again before the Problem's reply went: the change is one reply, the answer that
    # stands (it waits no more for a note).
    click(slack, DAN, current(slack, asked), "checkin_change")
    click(slack, DAN, current(slack, asked), "checkin_answer_mixed")
    at(slack, datetime(2026, 11, 26, 9, 17, tzinfo=UTC))
    (debrief,) = [m for m in inbox(slack, ANA) if m.text.startswith("Debrief of the meeting")]
    at(slack, datetime(2026, 11, 26, 9, 26, tzinfo=UTC))
    assert [m.text for m in slack.fake.thread(debrief)] == [
        "<@U0DAN> answered *✅ Went well*",
        "<@U0DAN> changed their answer to *🤔 Mixed*\nTheir note, written with an earlier "
        "answer:\n> They want to cancel",
    ]


def test_a_problem_goes_to_the_deputy_while_the_owner_is_away_in_their_hours(
    slack: Slack,
) -> None:
    acme(slack)
    say(slack, f"deputy Acme {MENTION[CHLOE]}")
    say(slack, "away today to friday", user=ANA)
    meeting(slack, author=DAN, when=datetime(2026, 11, 25, 8, tzinfo=UTC))
    at(slack, datetime(2026, 11, 26, 9, 15, tzinfo=UTC))  # Thursday 18:15 in Tokyo
    (asked,) = checkin_messages(slack, DAN)
    click(slack, DAN, asked, "checkin_answer_problem")  # and no note: the form is left
    slack.fake.dismiss_modals(DAN)

    at(slack, datetime(2026, 11, 26, 9, 20, tzinfo=UTC))  # after the wait for a note
    assert not any("reports a *problem*" in m.text for m in inbox(slack, CHLOE))
    at(slack, datetime(2026, 11, 27, 0, 20, tzinfo=UTC))  # Friday 09:20 in Tokyo
    (alert,) = [m for m in inbox(slack, CHLOE) if "reports a *problem*" in m.text]
    assert "No note was given" in alert.text
    assert "because <@U0ANA>, the owner, is away" in alert.text
    assert not any("reports a *problem*" in m.text for m in inbox(slack, ANA))


def test_a_problem_after_the_owners_hours_goes_to_the_deputy_if_she_is_away_by_morning(
    slack: Slack,
) -> None:
    acme(slack)
    say(slack, f"deputy Acme {MENTION[CHLOE]}")
    say(slack, "away 2026-11-30 to 2026-12-04", user=ANA)  # all next week
    meeting(slack, author=BEN, when=datetime(2026, 11, 27, 13, tzinfo=UTC))
    at(slack, datetime(2026, 11, 27, 17, 0, tzinfo=UTC))  # Friday 12:00 in New York
    (asked,) = checkin_messages(slack, BEN)
    click(slack, BEN, asked, "checkin_answer_problem")  # 18:00 in Berlin: Ana is off duty
    slack.fake.dismiss_modals(BEN)

    at(slack, datetime(2026, 11, 27, 17, 20, tzinfo=UTC))  # after the wait for a note
    at(slack, datetime(2026, 11, 30, 0, 20, tzinfo=UTC))  # Monday 09:20 in Tokyo
    (alert,) = [m for m in inbox(slack, CHLOE) if "reports a *problem*" in m.text]
    assert "because <@U0ANA>, the owner, is away" in alert.text
    at(slack, datetime(2026, 12, 7, 9, 0, tzinfo=UTC))  # Ana back
    assert not any("reports a *problem*" in m.text for m in inbox(slack, ANA))


def test_unanswered_one_reminder_then_it_closes_quietly(slack: Slack) -> None:
    acme(slack)
    meeting(slack, author=DAN, when=datetime(2026, 11, 25, 8, tzinfo=UTC))
    at(slack, datetime(2026, 11, 26, 9, 15, tzinfo=UTC))  # Thursday: asked
    at(slack, datetime(2026, 11, 27, 8, 0, tzinfo=UTC))
    assert len(checkin_messages(slack, DAN)) == 1
    at(slack, datetime(2026, 11, 27, 9, 30, tzinfo=UTC))  # one working day later: reminded
    messages = checkin_messages(slack, DAN)
    assert len(messages) == 2 and messages[1].text.startswith("Reminder — How did")
    at(slack, datetime(2026, 11, 30, 9, 31, tzinfo=UTC))  # Monday, one working day later
    (checkin,) = rows(slack, CheckIn)
    assert checkin.status == CheckInStatus.EXPIRED
    # Both cards say so in place, without buttons (they kept them until clicked).
    for card in messages:
        assert "This check-in closed without an answer." in shown(current(slack, card))
        assert "checkin_answer" not in shown(current(slack, card))
    assert current(slack, messages[1]).text.startswith("Reminder — How did")
    at(slack, datetime(2026, 12, 3, 9, 31, tzinfo=UTC))
    assert len(checkin_messages(slack, DAN)) == 2  # quietly: nothing more


def test_a_late_click_on_a_checkin_card_slack_would_not_close_says_it_closed(
    slack: Slack,
) -> None:
    acme(slack)
    meeting(slack, author=DAN, when=datetime(2026, 11, 25, 8, tzinfo=UTC))
    at(slack, datetime(2026, 11, 26, 9, 15, tzinfo=UTC))  # Thursday: asked
    at(slack, datetime(2026, 11, 27, 9, 30, tzinfo=UTC))  # one working day later: reminded
    messages = checkin_messages(slack, DAN)
    slack.fake.fail_next("chat.update", error="cant_update_message", times=2)
    at(slack, datetime(2026, 11, 30, 9, 31, tzinfo=UTC))  # closed: its cards keep their buttons
    assert _has_action(current(slack, messages[0]), "checkin_answer_went_well")

    click(slack, DAN, messages[0], "checkin_answer_went_well")
    # A late click: the card clicked says it closed (once: no private note repeating it).
    assert "This check-in closed without an answer." in shown(current(slack, messages[0]))
    assert "checkin_answer" not in shown(current(slack, messages[0]))
    assert slack.ephemerals_to(DAN) == []
    assert rows(slack, CheckIn)[0].answer is None


def test_a_planned_meeting_moved_is_asked_about_again_after_the_new_date(slack: Slack) -> None:
    acme(slack)
    meeting(slack, author=DAN, when=datetime(2026, 11, 25, 10, tzinfo=UTC), kind="planned")
    at(slack, datetime(2026, 11, 26, 9, 15, tzinfo=UTC))
    (asked,) = checkin_messages(slack, DAN)
    assert _has_action(asked, "checkin_answer_didnt_happen") and _has_action(asked, "checkin_moved")

    click(slack, DAN, asked, "checkin_moved")
    (form,) = slack.fake.open_modals(DAN)
    values = {"date": {"value": {"type": "datepicker", "selected_date": "2026-12-03"}}}
    send(slack, slack.requests.view_submission(user_id=DAN, view=form, values=values))
    assert "You answered: *📅 Moved* to Thu 3 Dec" in shown(current(slack, asked))

    at(slack, datetime(2026, 12, 4, 9, 15, tzinfo=UTC))
    again = checkin_messages(slack, DAN)
    assert len(again) == 2
    assert again[1].text == "How did your meeting with *Acme* on Thu 3 Dec go?"


def test_a_meeting_planned_then_logged_by_two_colleagues_is_one_checkin_per_person(
    slack: Slack,
) -> None:
    acme(slack)
    say(slack, f"plan Acme on thursday 10:00 with {MENTION[DAN]} via meeting : kick-off", BEN)
    at(slack, datetime(2026, 11, 26, 16, tzinfo=UTC))  # an hour after it: the plan's questions
    say(slack, f"log Acme with {MENTION[DAN]} on today 10:00 via meeting : kick-off done", BEN)
    say(slack, f"log Acme with {MENTION[BEN]} on today 15:00 via meeting : went fine", DAN)
    at(slack, datetime(2026, 11, 27, 14, 1, tzinfo=UTC))  # Friday morning in both zones
    at(slack, datetime(2026, 11, 27, 16, 0, tzinfo=UTC))
    # Dan logged it too: his card is about Ben's record, and says it stands for his (QA21a NIT 6).
    for user, reason in (
        (BEN, "You logged it."),
        (DAN, "You took part; <@U0BEN> logged it, as you did."),
    ):
        (asked,) = checkin_messages(slack, user)
        assert asked.text == "How did your meeting with *Acme* on Thu 26 Nov go?"
        assert reason in shown(asked)
        assert not _has_action(asked, "checkin_moved")  # it was logged: it happened


def test_a_colleague_at_two_colleagues_meetings_on_one_day_is_asked_about_each(
    slack: Slack,
) -> None:
    acme(slack)
    at(slack, datetime(2026, 11, 26, 17, 0, tzinfo=UTC))  # Thursday evening in London
    # Ana and Ben each met Acme with Dan, apart: neither names the other.
    say(slack, f"log Acme with {MENTION[DAN]} on today 10:00 via meeting : kick-off", ANA)
    say(slack, f"log Acme with {MENTION[DAN]} on today 11:00 via meeting : pricing", BEN)
    at(slack, datetime(2026, 11, 27, 9, 1, tzinfo=UTC))  # Friday 09:01 in London
    at(slack, datetime(2026, 11, 27, 9, 30, tzinfo=UTC))
    anas, bens = checkin_messages(slack, DAN)
    assert "You took part; <@U0ANA> logged it." in shown(anas)
    assert "You took part; <@U0BEN> logged it." in shown(bens)
    # Each answer is kept with its meeting.
    click(slack, DAN, anas, "checkin_answer_went_well")
    click(slack, DAN, bens, "checkin_answer_problem")
    answers = {(c.touchpoint_id, c.user_id): c.answer for c in rows(slack, CheckIn)}
    assert answers[(1, DAN)] == "went_well" and answers[(2, DAN)] == "problem"
    # Answered, the two cards still say whose meeting each was.
    assert "You took part; <@U0ANA> logged it." in shown(current(slack, anas))
    assert "You took part; <@U0BEN> logged it." in shown(current(slack, bens))


def test_a_plan_asked_about_already_is_not_asked_about_again_when_logged_late(
    slack: Slack,
) -> None:
    acme(slack)
    say(slack, "plan Acme on thursday 10:00 via meeting : kick-off", BEN)
    at(slack, datetime(2026, 11, 27, 14, 1, tzinfo=UTC))  # Friday 09:01 in New York
    (asked,) = checkin_messages(slack, BEN)
    assert _has_action(asked, "checkin_moved") and "You planned it." in shown(asked)
    say(slack, "log Acme on yesterday 10:00 via meeting : kick-off done", BEN)
    at(slack, datetime(2026, 11, 30, 14, 30, tzinfo=UTC))  # Monday, after the working morning
    assert [m.text.startswith("Reminder") for m in checkin_messages(slack, BEN)] == [False, True]


def test_each_meeting_planned_for_one_day_gets_its_own_checkin(slack: Slack) -> None:
    acme(slack)
    assert "Added *Globex*" in say(slack, "add Globex")
    say(slack, f"plan Acme on thursday 10:00 with {MENTION[DAN]} via meeting : kick-off", BEN)
    say(slack, "plan Globex on thursday 11:00 via meeting : demo", BEN)
    say(slack, "plan Acme on thursday 15:00 via meeting : pricing", BEN)
    # The planners run through Thursday, as each meeting's time passes, and Friday morning;
    # each run derives what is due from the database afresh, as after a restart.
    for hour in (16, 17, 21):
        at(slack, datetime(2026, 11, 26, hour, 5, tzinfo=UTC))
    at(slack, datetime(2026, 11, 27, 14, 1, tzinfo=UTC))  # Friday 09:01 in New York
    at(slack, datetime(2026, 11, 27, 14, 30, tzinfo=UTC))
    assert sorted(m.text for m in checkin_messages(slack, BEN)) == [
        "How did your meeting with *Acme* on Thu 26 Nov go?",
        "How did your meeting with *Acme* on Thu 26 Nov go?",
        "How did your meeting with *Globex* on Thu 26 Nov go?",
    ]
    # Dan took part in one of them: one question.
    assert len(checkin_messages(slack, DAN)) == 1
    assert sorted((c.user_id, c.status) for c in rows(slack, CheckIn)) == [
        (BEN, CheckInStatus.OPEN),
        (BEN, CheckInStatus.OPEN),
        (BEN, CheckInStatus.OPEN),
        (DAN, CheckInStatus.OPEN),
    ]


def test_each_meeting_logged_for_one_day_gets_its_own_checkin(slack: Slack) -> None:
    acme(slack)
    at(slack, datetime(2026, 11, 26, 17, 0, tzinfo=UTC))  # Thursday evening in London
    say(slack, "log Acme on today 09:30 via call : pricing", DAN)
    say(slack, "log Acme on today 14:00 via meeting : workshop", DAN)
    at(slack, datetime(2026, 11, 27, 9, 1, tzinfo=UTC))  # Friday 09:01 in London
    at(slack, datetime(2026, 11, 27, 9, 30, tzinfo=UTC))
    assert sorted(m.text for m in checkin_messages(slack, DAN)) == [
        "How did your call with *Acme* on Thu 26 Nov go?",
        "How did your meeting with *Acme* on Thu 26 Nov go?",
    ]


def test_moved_to_moves_the_plan_for_everyone(slack: Slack) -> None:
    acme(slack, team=(BEN, DAN))
    say(slack, f"plan Acme on thursday 10:00 with {MENTION[DAN]} via meeting : follow-up", BEN)
    at(slack, datetime(2026, 11, 27, 14, 1, tzinfo=UTC))  # Friday morning in both zones
    (asked_ben,) = checkin_messages(slack, BEN)
    (asked_dan,) = checkin_messages(slack, DAN)

    click(slack, BEN, asked_ben, "checkin_moved")
    (form,) = slack.fake.open_modals(BEN)
    for sent in (None, "26/11/2026"):  # a day Slack did not send, or not as a day
        nothing = {"date": {"value": {"type": "datepicker", "selected_date": sent}}}
        send(slack, slack.requests.view_submission(user_id=BEN, view=form, values=nothing))
        assert form.errors == {"date": partner_texts.PICK_A_DAY}
    same_day = {"date": {"value": {"type": "datepicker", "selected_date": "2026-11-26"}}}
    send(slack, slack.requests.view_submission(user_id=BEN, view=form, values=same_day))
    assert form.errors == {
        "date": "That is the day it was planned for: pick the day the meeting moved to."
    }
    # Friday: Wednesday has passed, so a meeting cannot move there.
    past = {"date": {"value": {"type": "datepicker", "selected_date": "2026-11-25"}}}
    send(slack, slack.requests.view_submission(user_id=BEN, view=form, values=past))
    assert form.errors is not None and form.errors["date"].startswith("That day has passed")
    values = {"date": {"value": {"type": "datepicker", "selected_date": "2026-12-03"}}}
    send(slack, slack.requests.view_submission(user_id=BEN, view=form, values=values))
    assert "You answered: *📅 Moved* to Thu 3 Dec" in shown(current(slack, asked_ben))
    dans = shown(current(slack, asked_dan))
    assert "This meeting moved to Thu 3 Dec; I'll ask you how it went after that day." in dans
    assert "checkin_answer" not in dans  # closed quietly: no buttons, no new message
    assert len(checkin_messages(slack, DAN)) == 1

    briefing = say(slack, "check Acme", BEN)
    assert "You (with <@U0DAN>) plan to meet them on Thu 3 Dec at 10:00" in briefing
    near = say(slack, "plan Acme on 2026-12-04 : a visit", CHLOE)  # not on the team
    assert "<@U0BEN> (with <@U0DAN>) plans to meet them on Fri 4 Dec at 00:00" in near  # Tokyo

    at(slack, datetime(2026, 12, 1, 14, 1, tzinfo=UTC))
    assert len(checkin_messages(slack, DAN)) == 1  # the old question is not reminded
    at(slack, datetime(2026, 12, 4, 14, 1, tzinfo=UTC))  # the morning after the new date
    for user in (BEN, DAN):
        _old, again = checkin_messages(slack, user)
        assert again.text == "How did your meeting with *Acme* on Thu 3 Dec go?"


def test_a_meeting_moved_near_a_colleagues_contact_sets_off_the_alarm(slack: Slack) -> None:
    acme(slack, team=(BEN,))
    say(slack, "plan Acme on thursday 10:00 with Jane Doe via meeting : follow-up", BEN)
    # Chloe, not on the team, plans to see the same person a month later: no collision yet.
    said = say(slack, "plan Acme on 2026-12-28 with Jane Doe : year-end visit", CHLOE)
    assert "Coordinate with" not in said
    at(slack, datetime(2026, 11, 27, 14, 1, tzinfo=UTC))  # Friday morning in New York
    alerts_before = len(channel_posts(slack))
    (asked,) = checkin_messages(slack, BEN)
    click(slack, BEN, asked, "checkin_moved")
    (form,) = slack.fake.open_modals(BEN)
    values = {"date": {"value": {"type": "datepicker", "selected_date": "2026-12-23"}}}
    send(slack, slack.requests.view_submission(user_id=BEN, view=form, values=values))
    run_tick(slack)
    # Moved five days from Chloe's visit: the coordination channel hears of it, and Ben at once.
    (alert,) = channel_posts(slack)[alerts_before:]
    assert "<@U0BEN> plans to meet them <!date^1798038000^" in shown(alert)  # 23 Dec, 15:00 UTC
    assert "<@U0CHLOE> plans to meet them on Mon 28 Dec with Jane Doe" in shown(alert)
    assert "*the same contact person*" in shown(alert)
    (heads_up,) = [m for m in inbox(slack, BEN) if m.text.startswith(":warning: You moved")]
    assert "on Wed 23 Dec at 10:00 it is near other colleagues' contacts" in heads_up.text
    assert "Coordinate with <@U0CHLOE>" in shown(heads_up)
    # The pair is found once: Chloe's next look at the partner raises no new alert.
    say(slack, "plan Acme on 2026-12-29 : a second visit", CHLOE)
    run_tick(slack)
    assert len(channel_posts(slack)) == alerts_before + 1


def test_a_meeting_logged_with_the_log_verb_gets_its_checkins(slack: Slack) -> None:
    acme(slack)
    slack.command(f"log Acme with {MENTION[DAN]} on yesterday via meeting : pilot talk", user=BEN)
    at(slack, START.replace(hour=14, minute=15))  # Ben, New York: this morning
    assert [m.text for m in checkin_messages(slack, BEN)] == [
        "How did your meeting with *Acme* on Tue 24 Nov go?"
    ]
    at(slack, datetime(2026, 11, 26, 9, 15, tzinfo=UTC))  # Dan, London: the next morning
    assert len(checkin_messages(slack, DAN)) == 1


def test_a_contact_logged_without_via_says_no_checkin_follows_and_can_be_made_a_meeting(
    slack: Slack,
) -> None:
    acme(slack)
    said = say(slack, f"log Acme with {MENTION[DAN]} on yesterday : pilot talk", BEN)
    assert "Logged your contact with *Acme*" in said
    assert (
        "No check-in will follow: I ask how it went only after a meeting, call or event, and "
        "this contact has no `via`. If you met, click *It was a meeting* and I'll ask you and "
        "<@U0DAN>."
    ) in said
    at(slack, START.replace(hour=14, minute=15))
    assert rows(slack, CheckIn) == []

    logged = slack.ephemerals_to(BEN)[-1]
    click(slack, CHLOE, logged, "checkin_ask")  # she took no part: nothing changes
    assert "Nothing to change: you did not take part in this contact." in shown(
        slack.ephemerals_to(CHLOE)[-1]
    )
    click(slack, BEN, logged, "checkin_ask")
    assert "Done: it is a meeting now." in shown(slack.ephemerals_to(BEN)[-1])
    click(slack, DAN, logged, "checkin_ask")  # a second click, by one who took part
    assert "Nothing to change: it is a meeting already" in shown(slack.ephemerals_to(DAN)[-1])
    (touchpoint,) = rows(slack, Touchpoint)
    assert touchpoint.medium == "meeting"
    at(slack, START.replace(hour=14, minute=15))
    assert [m.text for m in checkin_messages(slack, BEN)] == [
        "How did your meeting with *Acme* on Tue 24 Nov go?"
    ]
    at(slack, datetime(2026, 11, 26, 9, 15, tzinfo=UTC))
    assert len(checkin_messages(slack, DAN)) == 1

    # Logged with `via`: a check-in follows, and nothing needs saying.
    said = say(slack, f"log Acme with {MENTION[DAN]} via call : budget", BEN)
    assert "No check-in" not in said and "checkin_ask" not in said


def test_a_meeting_logged_more_than_two_weeks_late_says_no_checkin_follows(slack: Slack) -> None:
    acme(slack)
    said = say(slack, f"log Acme on 2026-11-09 via meeting with {MENTION[DAN]} : steering", BEN)
    assert (
        "No check-in will follow: it was more than 14 days ago, too long ago to ask how it went."
    ) in said
    assert "checkin_ask" not in said
    at(slack, datetime(2026, 11, 26, 15, 1, tzinfo=UTC))
    assert rows(slack, CheckIn) == []


def test_a_checkin_waits_for_its_person_over_time_away_and_days_off(slack: Slack) -> None:
    acme(slack)
    at(slack, datetime(2026, 11, 26, 15, 0, tzinfo=UTC))  # Thursday afternoon in London
    slack.command("log Acme on today via meeting : site visit", user=DAN)
    run_tick(slack)  # the check-in is queued for Friday morning
    assert "You're away on *Fri 27 Nov*" in say(slack, "away friday to friday", user=DAN)
    at(slack, datetime(2026, 11, 30, 8, 0, tzinfo=UTC))  # the weekend, then Monday 08:00
    assert checkin_messages(slack, DAN) == []
    at(slack, datetime(2026, 11, 30, 10, 0, tzinfo=UTC))  # Monday, after 09:00 and its spread
    assert [m.text for m in checkin_messages(slack, DAN)] == [
        "How did your meeting with *Acme* on Thu 26 Nov go?"
    ]


def test_a_checkin_asked_the_day_before_time_away_is_reminded_the_morning_back(
    slack: Slack,
) -> None:
    acme(slack)
    meeting(slack, author=DAN, when=datetime(2026, 11, 25, 8, tzinfo=UTC))
    at(slack, datetime(2026, 11, 26, 9, 15, tzinfo=UTC))  # Thursday: asked
    (asked,) = checkin_messages(slack, DAN)
    say(slack, "away tomorrow to tuesday", user=DAN)  # Friday to Tuesday, London
    at(slack, datetime(2026, 11, 30, 12, 0, tzinfo=UTC))  # away: no reminder
    assert checkin_messages(slack, DAN) == [asked]
    at(slack, datetime(2026, 12, 2, 8, 59, tzinfo=UTC))  # Wednesday, before his hours
    assert checkin_messages(slack, DAN) == [asked]
    # Thursday, at work all day, was his day to answer: the reminder comes his first morning
    # back, not a further working day later.
    at(slack, datetime(2026, 12, 2, 9, 30, tzinfo=UTC))
    asked_again, reminder = checkin_messages(slack, DAN)
    assert asked_again == asked and reminder.text.startswith("Reminder")
    assert rows(slack, CheckIn)[0].status == CheckInStatus.OPEN
    click(slack, DAN, asked, "checkin_answer_went_well")
    assert rows(slack, CheckIn)[0].status == CheckInStatus.ANSWERED


def test_a_checkin_reminded_before_time_away_stays_open_until_its_person_is_back(
    slack: Slack,
) -> None:
    acme(slack)
    meeting(slack, author=DAN, when=datetime(2026, 11, 25, 8, tzinfo=UTC))
    at(slack, datetime(2026, 11, 26, 9, 15, tzinfo=UTC))  # Thursday: asked
    at(slack, datetime(2026, 11, 27, 9, 30, tzinfo=UTC))  # Friday: reminded
    asked, _reminder = checkin_messages(slack, DAN)
    say(slack, "away monday to wednesday", user=DAN)
    at(slack, datetime(2026, 12, 1, 12, 0, tzinfo=UTC))  # away: it does not close
    assert rows(slack, CheckIn)[0].status == CheckInStatus.OPEN
    # Thursday, back before the time of day he was reminded: Friday, at work, was his day
    # after the reminder, so the question closes at that time, not a further day later.
    at(slack, datetime(2026, 12, 3, 8, 30, tzinfo=UTC))
    assert rows(slack, CheckIn)[0].status == CheckInStatus.OPEN
    click(slack, DAN, asked, "checkin_answer_went_well")
    assert rows(slack, CheckIn)[0].status == CheckInStatus.ANSWERED
    at(slack, datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    assert len(checkin_messages(slack, DAN)) == 2  # one reminder, as ever


def reminded_on_monday(slack: Slack) -> tuple[FakeMessage, OutboxMessage]:
    """Dan asked on Thursday, and his reminder queued for Monday morning: his question, and
    the reminder's row."""
    acme(slack)
    meeting(slack, author=DAN, when=datetime(2026, 11, 25, 8, tzinfo=UTC))
    at(slack, datetime(2026, 11, 26, 9, 15, tzinfo=UTC))  # Thursday: asked
    (asked,) = checkin_messages(slack, DAN)
    # The planners next run on Friday evening (the bot was down all day): the reminder, due
    # since the morning, is queued for Dan's Monday morning.
    at(slack, datetime(2026, 11, 27, 17, 30, tzinfo=UTC))
    (queued,) = [m for m in rows(slack, OutboxMessage) if m.kind == "checkin.reminder"]
    assert queued.status == OutboxStatus.PENDING
    return asked, queued


def being_sent(slack: Slack, message_id: int, now: datetime) -> None:
    """A dispatcher claims the outbox row due at `now` and is sending it (the other rows it
    claimed it hands back)."""
    with Session(slack.runtime.engine) as session:
        claimed = outbox_store.claim_due(
            session=session,
            now=now,
            lease_now=datetime.now(UTC),
            lease_until=datetime.now(UTC) + timedelta(minutes=2),
            token="dispatcher",
            limit=100,
        )
        assert message_id in [row.id for row in claimed]
        others = [row.id for row in claimed if row.id != message_id]
        outbox_store.release(
            session=session, message_ids=others, token="dispatcher", available_at=now
        )
        session.commit()


def put_back(slack: Slack, message_id: int, available_at: datetime) -> None:
    """Slack said 503 to the row `being_sent`: it is to be tried again at `available_at`."""
    with Session(slack.runtime.engine) as session:
        assert outbox_store.reschedule(
            session=session,
            message_id=message_id,
            token="dispatcher",
            available_at=available_at,
            attempted=True,
            last_error="http 503",
        )
        session.commit()


def test_a_checkin_answered_before_its_reminder_goes_is_not_reminded(slack: Slack) -> None:
    asked, _ = reminded_on_monday(slack)
    click(slack, DAN, asked, "checkin_answer_went_well")  # answered over the weekend

    at(slack, datetime(2026, 11, 30, 9, 30, tzinfo=UTC))
    assert checkin_messages(slack, DAN) == [asked]  # not asked again what he just said
    (withdrawn,) = [m for m in rows(slack, OutboxMessage) if m.kind == "checkin.reminder"]
    assert withdrawn.status == OutboxStatus.CANCELLED
    assert rows(slack, CheckIn)[0].status == CheckInStatus.ANSWERED


def test_a_checkin_reminder_being_sent_as_the_answer_comes_is_withdrawn_if_slack_turns_it_away(
    slack: Slack,
) -> None:
    asked, reminder = reminded_on_monday(slack)
    # Monday, his slot: a dispatcher claims his reminder, and his answer comes as it sends it.
    monday = reminder.available_at
    slack.runtime.clock.set(monday)  # type: ignore[attr-defined]
    being_sent(slack, reminder.id or 0, monday)
    click(slack, DAN, asked, "checkin_answer_went_well")
    put_back(slack, reminder.id or 0, monday + timedelta(minutes=1))

    at(slack, monday + timedelta(minutes=5))
    assert checkin_messages(slack, DAN) == [asked]  # not asked again what he just said
    (withdrawn,) = [m for m in rows(slack, OutboxMessage) if m.kind == "checkin.reminder"]
    assert withdrawn.status == OutboxStatus.CANCELLED
    assert withdrawn.last_error == "the check-in was answered"


def test_a_checkin_due_before_days_off_waits_for_the_next_working_day(slack: Slack) -> None:
    acme(slack)
    say(slack, "config days mon-thu")
    say(slack, "config checkin-delay 2")
    at(slack, datetime(2026, 11, 26, 15, 0, tzinfo=UTC))  # Thursday afternoon in London
    slack.command("log Acme on today 15:00 via meeting : late meeting", user=DAN)
    run_tick(slack)  # due at 17:00, after hours: Monday is the next working day
    at(slack, datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
    assert len(checkin_messages(slack, DAN)) == 1


def test_a_plan_its_author_says_did_not_happen_no_longer_counts_as_a_contact(
    slack: Slack,
) -> None:
    acme(slack, team=(BEN,))  # Chloe and Dan are outsiders
    say(slack, "log Acme on 2026-11-01 : intro call", BEN)  # long before: no collision
    say(slack, "plan Acme on thursday 10:00 via meeting : kick-off", CHLOE)  # Thu 01:00 UTC
    at(slack, datetime(2026, 11, 27, 0, 15, tzinfo=UTC))  # Friday 09:15 in Tokyo
    (asked,) = checkin_messages(slack, CHLOE)
    channel_before = len(channel_posts(slack))

    click(slack, CHLOE, asked, "checkin_answer_didnt_happen")
    assert "Didn't happen" in shown(current(slack, asked))

    # `check` keeps it as history, marked, and the last contact is Ben's call (the plan had
    # become the last contact once its time came: see the tests below).
    briefing = say(slack, "check Acme", DAN)
    assert "~<@U0CHLOE> planned to meet them" in briefing and "(didn't happen)" in briefing
    assert "Sun 1 Nov by <@U0BEN>" in briefing
    assert "last contact 26 days ago by <@U0BEN>" in say(slack, "list all", DAN)
    (plan,) = [t for t in rows(slack, Touchpoint) if t.kind == "planned"]
    assert plan.cancelled_at == datetime(2026, 11, 27, 0, 15, tzinfo=UTC)
    # Dan plans a visit the next week: nothing to coordinate with, no alert, and Ana's note
    # about it lists nobody else in touch.
    said = say(slack, "plan Acme on 2026-11-30 : a visit", DAN)
    assert "Coordinate with" not in said and "Others are in touch" not in said
    at(slack, datetime(2026, 11, 30, 9, 15, tzinfo=UTC))  # after Monday's weekly digest
    posted = [m.text for m in channel_posts(slack)[channel_before:]]
    assert not any("Revolving door" in text for text in posted)
    (digest,) = [text for text in posted if text.startswith("Weekly digest")]
    assert "collision" not in digest  # zero counts are left out
    (note,) = [m for m in inbox(slack, ANA) if "<@U0DAN> has planned to meet" in m.text]
    assert "Also in touch" not in shown(note)
    assert rows(slack, Collision) == []


def test_changing_a_did_not_happen_answer_puts_the_plan_back(slack: Slack) -> None:
    acme(slack, team=(BEN,))
    say(slack, "plan Acme on thursday 10:00 via meeting : kick-off", CHLOE)
    at(slack, datetime(2026, 11, 27, 0, 15, tzinfo=UTC))
    (asked,) = checkin_messages(slack, CHLOE)
    click(slack, CHLOE, asked, "checkin_answer_didnt_happen")
    assert "last contact not yet" in say(slack, "list all", DAN)
    click(slack, CHLOE, current(slack, asked), "checkin_change")
    click(slack, CHLOE, current(slack, asked), "checkin_answer_went_well")
    (plan,) = rows(slack, Touchpoint)
    assert plan.cancelled_at is None
    assert "last contact yesterday by <@U0CHLOE>" in say(slack, "list all", DAN)
    # Dan's visit the next week now collides with the meeting that took place after all.
    assert "Coordinate with <@U0CHLOE>" in say(slack, "plan Acme on 2026-11-30 : a visit", DAN)


def test_the_owner_hears_of_a_plan_put_back_as_of_a_new_one(slack: Slack) -> None:
    acme(slack, team=(BEN,))  # Chloe is an outsider: Ana heard of her plan
    say(slack, "plan Acme on thursday 10:00 via meeting : kick-off", CHLOE)  # Thu 01:00 UTC
    at(slack, datetime(2026, 11, 27, 0, 15, tzinfo=UTC))  # 09:15 in Tokyo, 01:15 in Berlin
    (asked,) = checkin_messages(slack, CHLOE)
    click(slack, CHLOE, asked, "checkin_answer_didnt_happen")
    # Put back and dropped again before Ana's day begins: nothing is left to tell her.
    click(slack, CHLOE, current(slack, asked), "checkin_change")
    click(slack, CHLOE, current(slack, asked), "checkin_answer_went_well")
    click(slack, CHLOE, current(slack, asked), "checkin_change")
    click(slack, CHLOE, current(slack, asked), "checkin_answer_didnt_happen")
    at(slack, datetime(2026, 11, 27, 9, 0, tzinfo=UTC))  # Friday 10:00 in Berlin
    assert any("Debrief of the meeting" in m.text for m in inbox(slack, ANA))
    assert [m for m in inbox(slack, ANA) if "after all" in m.text] == []

    # Put back for good: Ana, who read in the debrief that it didn't happen, hears that it did.
    click(slack, CHLOE, current(slack, asked), "checkin_change")
    click(slack, CHLOE, current(slack, asked), "checkin_answer_went_well")
    run_tick(slack)
    (note,) = [m for m in inbox(slack, ANA) if "after all" in m.text]
    assert note.text.startswith(
        "<@U0CHLOE> met *Acme* on Thu 26 Nov at 02:00, after all, though they had said it "
        "didn't happen: “kick-off”"
    )
    assert "They are not on its team, and you own *Acme*, so I'm letting you know." in note.text


def put_back_by_chloe(slack: Slack, *, times: int = 1, away: str | None = None) -> None:
    """Chloe, outside Acme's team, plans a meeting, says it didn't happen and puts it back
    (`times` times, within one tick of the clock) before Ana's day begins; Ana first books
    time away (`away`), if given."""
    acme(slack, team=(BEN,))
    if away is not None:
        say(slack, away)
    say(slack, "plan Acme on thursday 10:00 via meeting : kick-off", CHLOE)  # Thu 01:00 UTC
    at(slack, datetime(2026, 11, 27, 0, 15, tzinfo=UTC))  # 09:15 in Tokyo, 01:15 in Berlin
    (asked,) = checkin_messages(slack, CHLOE)
    click(slack, CHLOE, asked, "checkin_answer_didnt_happen")
    for time_ in range(times):
        if time_:
            click(slack, CHLOE, current(slack, asked), "checkin_change")
            click(slack, CHLOE, current(slack, asked), "checkin_answer_didnt_happen")
        click(slack, CHLOE, current(slack, asked), "checkin_change")
        click(slack, CHLOE, current(slack, asked), "checkin_answer_went_well")


def test_a_plan_put_back_twice_in_one_moment_is_news_the_second_time(slack: Slack) -> None:
    put_back_by_chloe(slack, times=2)
    at(slack, datetime(2026, 11, 27, 9, 0, tzinfo=UTC))  # Friday 10:00 in Berlin
    (note,) = [m for m in inbox(slack, ANA) if "after all" in m.text]
    assert "you own *Acme*, so I'm letting you know." in note.text


def test_a_note_of_a_plan_put_back_is_dropped_once_the_owner_has_been_in_touch_since(
    slack: Slack,
) -> None:
    put_back_by_chloe(slack)
    # In her night, before the note reaches her, Ana calls Acme herself; the answer names
    # Chloe's meeting, which took place after all, as any note waiting for her (QA20a BUG 2).
    said = say(slack, "log Acme via call : spoke with their director", ANA)
    assert "<@U0CHLOE> planned to meet them" in said
    at(slack, datetime(2026, 11, 27, 9, 0, tzinfo=UTC))  # Friday 10:00 in Berlin
    assert [m for m in inbox(slack, ANA) if "after all" in m.text] == []
    (note,) = [m for m in rows(slack, OutboxMessage) if m.kind == "touchpoint_owner_note_revived"]
    assert note.last_error == "the owner has been in touch with the partner since"


def test_a_note_of_a_plan_put_back_goes_to_an_owner_in_touch_only_before_it(
    slack: Slack,
) -> None:
    acme(slack, team=(BEN,))
    say(slack, "plan Acme on thursday 10:00 via meeting : kick-off", CHLOE)  # Thu 01:00 UTC
    at(slack, datetime(2026, 11, 27, 0, 15, tzinfo=UTC))  # 09:15 in Tokyo, 01:15 in Berlin
    (asked,) = checkin_messages(slack, CHLOE)
    click(slack, CHLOE, asked, "checkin_answer_didnt_happen")
    # Ana calls Acme while Chloe's meeting counts as not having happened: when Chloe puts it
    # back, Ana has not been in touch since, and hears of it.
    assert "<@U0CHLOE>" not in say(slack, "log Acme via call : spoke with their director", ANA)
    click(slack, CHLOE, current(slack, asked), "checkin_change")
    click(slack, CHLOE, current(slack, asked), "checkin_answer_went_well")
    at(slack, datetime(2026, 11, 27, 9, 0, tzinfo=UTC))  # Friday 10:00 in Berlin
    (note,) = [m for m in inbox(slack, ANA) if "after all" in m.text]
    assert note.text.startswith("<@U0CHLOE> met *Acme* on Thu 26 Nov at 02:00, after all")


def after_all(slack: Slack) -> list[FakeMessage]:
    return [m for m in inbox(slack, ANA) if "after all" in m.text]


def welcome_back(slack: Slack) -> str:
    """What Ana was told of her time away: the summary's DM, or the answer to `back`."""
    found = [m for m in inbox(slack, ANA) if m.text.startswith("Welcome back!")]
    found += [m for m in slack.ephemerals_to(ANA) if m.text.startswith("Welcome back!")]
    (summary,) = found
    return summary.text


@pytest.mark.parametrize("back", [False, True], ids=["time away ends", "back"])
def test_a_note_of_a_plan_put_back_is_dropped_once_a_summary_of_the_time_away_lists_it(
    slack: Slack, back: bool
) -> None:
    put_back_by_chloe(slack, away="away today to friday")  # nobody covers: the notes wait
    if back:
        at(slack, datetime(2026, 11, 27, 9, 0, tzinfo=UTC))  # Friday 10:00 in Berlin
        say(slack, "back")
    at(slack, datetime(2026, 11, 30, 8, 30, tzinfo=UTC))  # Monday 09:30 in Berlin
    # The summary lists the meeting, which took place after all: the note would say it again.
    assert "<@U0CHLOE> planned 1 contact" in welcome_back(slack)
    assert after_all(slack) == []
    (note,) = [m for m in rows(slack, OutboxMessage) if m.kind == "touchpoint_owner_note_revived"]
    assert note.last_error == "summed up for the owner on their return"


def test_a_note_of_a_plan_put_back_goes_when_the_summary_does_not_list_it(slack: Slack) -> None:
    # Chloe planned the meeting before Ana's time away: the summary is of what came after.
    put_back_by_chloe(slack, away="away tomorrow to friday")
    say(slack, "log Acme via call : a call meanwhile", BEN)
    at(slack, datetime(2026, 11, 30, 8, 30, tzinfo=UTC))  # Monday 09:30 in Berlin
    summary = welcome_back(slack)
    assert "<@U0BEN> logged 1 contact" in summary and "<@U0CHLOE>" not in summary
    (note,) = after_all(slack)
    assert note.text.startswith("<@U0CHLOE> met *Acme* on Thu 26 Nov at 02:00, after all")


@pytest.mark.parametrize(
    "command", [f"owner Acme {MENTION[DAN]}", f"away today deputy {MENTION[DAN]}"]
)
def test_a_note_of_a_plan_put_back_goes_to_whoever_answers_for_the_owner_now(
    slack: Slack, command: str
) -> None:
    put_back_by_chloe(slack)
    # Before Ana's day, she hands Acme over to Dan, or books the day away with him covering.
    say(slack, command, ANA)
    at(slack, datetime(2026, 11, 27, 9, 30, tzinfo=UTC))  # Friday 09:30 in London
    assert [m for m in inbox(slack, ANA) if "after all" in m.text] == []
    (note,) = [m for m in inbox(slack, DAN) if "after all" in m.text]
    assert note.text.startswith(
        "<@U0CHLOE> met *Acme* on Thu 26 Nov at 01:00, after all, though they had said it "
        "didn't happen"
    )


def test_a_plan_put_back_meets_the_contacts_colleagues_logged_meanwhile(slack: Slack) -> None:
    acme(slack, team=(BEN,))  # Chloe and Dan are outsiders
    say(slack, "plan Acme on thursday 10:00 via meeting : kick-off", CHLOE)  # Thu 01:00 UTC
    at(slack, datetime(2026, 11, 27, 0, 15, tzinfo=UTC))  # Friday 09:15 in Tokyo
    (asked,) = checkin_messages(slack, CHLOE)
    click(slack, CHLOE, asked, "checkin_answer_didnt_happen")
    # Meanwhile Dan logs a call with Acme: nothing near it counts, so nobody is alerted.
    said = say(slack, "log Acme on yesterday via call : pricing", DAN)
    assert "Coordinate with" not in said
    run_tick(slack)
    alerts_before = len(channel_posts(slack))
    assert rows(slack, Collision) == []

    # Chloe takes her answer back: her meeting meets Dan's call as if she had just logged it,
    # in the same transaction as the answer.
    click(slack, CHLOE, current(slack, asked), "checkin_change")
    click(slack, CHLOE, current(slack, asked), "checkin_answer_went_well")
    (collision,) = rows(slack, Collision)
    run_tick(slack)
    (alert,) = channel_posts(slack)[alerts_before:]
    assert "<@U0CHLOE> planned to meet them <!date^1795654800^" in shown(alert)  # Thu 01:00 UTC
    assert "• <@U0DAN> had a call with them on Thu 26 Nov" in shown(alert)
    assert "<@U0ANA>" in shown(alert)  # the owner, as for any alert
    assert collision.alert_key is not None
    (heads_up,) = [m for m in inbox(slack, CHLOE) if m.text.startswith(":warning: You said")]
    assert "took place after all: it is near other colleagues' contacts" in heads_up.text
    assert "Coordinate with <@U0DAN>" in shown(heads_up)

    # Cancelled and put back again: the pair was found already, so no second alert.
    click(slack, CHLOE, current(slack, asked), "checkin_change")
    click(slack, CHLOE, current(slack, asked), "checkin_answer_didnt_happen")
    click(slack, CHLOE, current(slack, asked), "checkin_change")
    click(slack, CHLOE, current(slack, asked), "checkin_answer_mixed")
    run_tick(slack)
    assert len(channel_posts(slack)) == alerts_before + 1
    assert len(rows(slack, Collision)) == 1


def test_a_participants_did_not_happen_is_their_answer_only(slack: Slack) -> None:
    acme(slack, team=(BEN,))
    say(slack, f"plan Acme on thursday 10:00 with {MENTION[CHLOE]} via meeting : kick-off", DAN)
    at(slack, datetime(2026, 11, 27, 0, 15, tzinfo=UTC))  # Friday morning in Tokyo
    (asked,) = checkin_messages(slack, CHLOE)
    click(slack, CHLOE, asked, "checkin_answer_didnt_happen")
    (plan,) = rows(slack, Touchpoint)
    assert plan.cancelled_at is None  # Dan planned it: whether it took place is his to say


def test_colleagues_are_not_reminded_of_a_meeting_its_author_says_did_not_happen(
    slack: Slack,
) -> None:
    acme(slack, team=(BEN,))
    say(slack, f"plan Acme on thursday 10:00 with {MENTION[CHLOE]} via meeting : kick-off", DAN)
    at(slack, datetime(2026, 11, 27, 0, 15, tzinfo=UTC))  # Friday morning in Tokyo
    (chloes,) = checkin_messages(slack, CHLOE)
    at(slack, datetime(2026, 11, 27, 10, 5, tzinfo=UTC))  # Friday morning in London
    (dans,) = checkin_messages(slack, DAN)
    click(slack, DAN, dans, "checkin_answer_didnt_happen")
    at(slack, datetime(2026, 11, 30, 10, 0, tzinfo=UTC))  # her reminder falls due (Monday)
    at(slack, datetime(2026, 12, 1, 2, 0, tzinfo=UTC))  # and would reach her on Tuesday
    assert checkin_messages(slack, CHLOE) == [chloes]


def test_a_plan_moved_after_its_time_came_is_no_longer_the_last_contact(slack: Slack) -> None:
    acme(slack, team=(BEN,))
    say(slack, "plan Acme on thursday 10:00 via meeting : kick-off", CHLOE)
    at(slack, datetime(2026, 11, 27, 0, 15, tzinfo=UTC))
    assert "last contact yesterday by <@U0CHLOE>" in say(slack, "list all", DAN)
    (asked,) = checkin_messages(slack, CHLOE)
    click(slack, CHLOE, asked, "checkin_moved")
    (form,) = slack.fake.open_modals(CHLOE)
    values = {"date": {"value": {"type": "datepicker", "selected_date": "2026-12-03"}}}
    send(slack, slack.requests.view_submission(user_id=CHLOE, view=form, values=values))
    assert "last contact not yet" in say(slack, "list all", DAN)


# --- A reply in a check-in's thread ---------------------------------------------------------


def reply_in_thread(slack: Slack, user: str, card: FakeMessage, text: str) -> SlackRequest:
    """The person replies in the thread of `card` in their DM; Slack sends the `message` event."""
    typed = slack.fake.post_user_message(
        user_id=user, channel_id=card.channel, text=text, thread_ts=card.ts
    )
    request = slack.requests.message_posted(typed)
    send(slack, request)
    return request


def type_in_dm(slack: Slack, user: str, text: str) -> None:
    """The person types a message (not a reply) in their DM with Liaison."""
    channel = slack.fake.im_channel(user).id
    typed = slack.fake.post_user_message(user_id=user, channel_id=channel, text=text)
    send(slack, slack.requests.message_posted(typed))


def answers_in_thread(slack: Slack, card: FakeMessage) -> list[str]:
    return [m.text for m in slack.fake.thread(card) if m.user == slack.fake.bot_user_id]


def dans_checkin(slack: Slack) -> FakeMessage:
    """Dan's check-in about his meeting with Acme (owned by Ana), sent Thursday 09:01 London."""
    acme(slack)
    meeting(slack, author=DAN, when=datetime(2026, 11, 25, 8, tzinfo=UTC))
    at(slack, datetime(2026, 11, 26, 9, 15, tzinfo=UTC))
    (asked,) = checkin_messages(slack, DAN)
    return asked


def test_a_reply_in_a_checkins_thread_is_kept_as_its_note(slack: Slack) -> None:
    asked = dans_checkin(slack)
    click(slack, DAN, asked, "checkin_answer_went_well")

    request = reply_in_thread(slack, DAN, asked, "They want a proposal & a budget")
    card = shown(current(slack, asked))
    assert "Your note: _They want a proposal &amp; a budget_" in card
    assert '"text": "Edit note"' in card
    assert answers_in_thread(slack, asked) == [
        "Kept as your note on the meeting with *Acme* on Wed 25 Nov: edit or delete your reply "
        "to change it, or use *Edit note* on the card."
    ]
    # Slack's retry of the reply keeps nothing twice and says nothing again.
    send(slack, slack.requests.retry(request, 1))
    assert len(answers_in_thread(slack, asked)) == 1
    assert rows(slack, CheckIn)[0].note == "They want a proposal & a budget"

    # A second reply goes on a line of its own after the first.
    reply_in_thread(slack, DAN, asked, "by Friday")
    assert rows(slack, CheckIn)[0].note == "They want a proposal & a budget\nby Friday"
    assert answers_in_thread(slack, asked)[-1] == (
        "Added to your note on the meeting with *Acme* on Wed 25 Nov: edit or delete your reply "
        "to change what it added, or use *Edit note* on the card."
    )
    # Ana reads both in her debrief, as a note given with the form: in the reply with the
    # answer, which had not gone out yet.
    at(slack, datetime(2026, 11, 26, 9, 16, tzinfo=UTC))
    (debrief,) = [m for m in inbox(slack, ANA) if m.text.startswith("Debrief of the meeting")]
    assert [m.text for m in slack.fake.thread(debrief)] == [
        "<@U0DAN> answered *✅ Went well*\n> They want a proposal &amp; a budget\n> by Friday"
    ]
    # In italics line by line: mrkdwn's `_…_` does not span a line break (shown as JSON here).
    assert "Your note: _They want a proposal &amp; a budget_\\n_by Friday_" in shown(
        current(slack, asked)
    )
    # No hint about where words belong: these were read.
    assert not any("I don't read" in m.text for m in slack.fake.messages_in(asked.channel))


def test_a_reply_that_would_make_the_note_too_long_adds_nothing(slack: Slack) -> None:
    asked = dans_checkin(slack)
    reply_in_thread(slack, DAN, asked, "q" * 2990)
    reply_in_thread(slack, DAN, asked, "and then some more")
    assert rows(slack, CheckIn)[0].note == "q" * 2990
    assert answers_in_thread(slack, asked)[0].endswith("Its buttons say how it went.")
    assert answers_in_thread(slack, asked)[-1] == (
        "With this reply your note on the meeting with *Acme* would be 3,009 characters long; "
        "keep it to 3,000 (link a document for the rest). Nothing was added: *Edit note* on the "
        "card shortens the note."
    )


def test_a_problem_reported_then_explained_in_the_thread_alerts_the_owner_with_it(
    slack: Slack,
) -> None:
    asked = dans_checkin(slack)
    click(slack, DAN, asked, "checkin_answer_problem")  # the form is left unsent
    reply_in_thread(slack, DAN, asked, "They want to cancel")
    at(slack, datetime(2026, 11, 26, 9, 16, tzinfo=UTC))
    (alert,) = [m for m in inbox(slack, ANA) if "reports a *problem*" in m.text]
    assert "> They want to cancel" in alert.text


def test_lines_replied_in_a_burst_reach_the_owner_as_one_debrief_reply(slack: Slack) -> None:
    asked = dans_checkin(slack)
    click(slack, DAN, asked, "checkin_answer_went_well")
    at(slack, datetime(2026, 11, 26, 9, 16, tzinfo=UTC))  # the answer's reply goes out
    (debrief,) = [m for m in inbox(slack, ANA) if m.text.startswith("Debrief of the meeting")]
    assert [m.text for m in slack.fake.thread(debrief)] == ["<@U0DAN> answered *✅ Went well*"]

    # Three short lines a minute apart, the dispatcher running between them: one reply to Ana,
    # a few minutes after the first line, with all three.
    for minute, line in ((5, "They liked it"), (6, "want a proposal"), (7, "by Friday")):
        at(slack, datetime(2026, 11, 26, 9, minute, tzinfo=UTC))
        reply_in_thread(slack, DAN, asked, line)
    at(slack, datetime(2026, 11, 26, 9, 7, 30, tzinfo=UTC))
    assert len(slack.fake.thread(debrief)) == 1
    at(slack, datetime(2026, 11, 26, 9, 22, tzinfo=UTC))
    assert [m.text for m in slack.fake.thread(debrief)][1:] == [
        "<@U0DAN> added a note to their answer *✅ Went well*\n> They liked it\n> want a "
        "proposal\n> by Friday"
    ]
    assert len(inbox(slack, ANA)) == 1  # the debrief; the rest in its thread

    # A line much later is a reply of its own, with the note as it is then.
    at(slack, datetime(2026, 11, 26, 11, tzinfo=UTC))
    reply_in_thread(slack, DAN, asked, "Signed!")
    at(slack, datetime(2026, 11, 26, 11, 3, tzinfo=UTC))
    assert [m.text for m in slack.fake.thread(debrief)][2:] == [
        "<@U0DAN> added a note to their answer *✅ Went well*\n> They liked it\n> want a "
        "proposal\n> by Friday\n> Signed!"
    ]


def test_a_note_cleared_before_its_reply_went_tells_the_owner_nothing(slack: Slack) -> None:
    asked = dans_checkin(slack)
    click(slack, DAN, asked, "checkin_answer_went_well")
    at(slack, datetime(2026, 11, 26, 9, 16, tzinfo=UTC))  # the answer's reply goes out
    (debrief,) = [m for m in inbox(slack, ANA) if m.text.startswith("Debrief of the meeting")]
    for note in ("Wrong meeting, sorry", ""):  # given, then cleared within NOTE_SETTLE
        click(slack, DAN, current(slack, asked), "checkin_note")
        form = slack.fake.open_modals(DAN)[-1]
        values = {"note": {"value": {"type": "plain_text_input", "value": note}}}
        send(slack, slack.requests.view_submission(user_id=DAN, view=form, values=values))
    at(slack, datetime(2026, 11, 26, 9, 24, tzinfo=UTC))
    assert [m.text for m in slack.fake.thread(debrief)] == ["<@U0DAN> answered *✅ Went well*"]


def test_a_note_the_owner_read_then_cleared_tells_them_it_is_gone(slack: Slack) -> None:
    asked = dans_checkin(slack)
    click(slack, DAN, asked, "checkin_answer_went_well")
    at(slack, datetime(2026, 11, 26, 9, 16, tzinfo=UTC))  # the answer's reply goes out
    reply_in_thread(slack, DAN, asked, "They liked it")
    at(slack, datetime(2026, 11, 26, 9, 24, tzinfo=UTC))  # the note's reply goes out
    (debrief,) = [m for m in inbox(slack, ANA) if m.text.startswith("Debrief of the meeting")]
    # Edited, then cleared within NOTE_SETTLE: Ana read the note, so she reads that it is gone
    # (not nothing, leaving her with a note Dan took back).
    for note in ("They liked it a lot", ""):
        click(slack, DAN, current(slack, asked), "checkin_note")
        form = slack.fake.open_modals(DAN)[-1]
        values = {"note": {"value": {"type": "plain_text_input", "value": note}}}
        send(slack, slack.requests.view_submission(user_id=DAN, view=form, values=values))
    at(slack, datetime(2026, 11, 26, 9, 34, tzinfo=UTC))
    assert [m.text for m in slack.fake.thread(debrief)][1:] == [
        "<@U0DAN> added a note to their answer *✅ Went well*\n> They liked it",
        "<@U0DAN> removed their note on their answer *✅ Went well*",
    ]


DECK = [{"id": "F0DECK", "name": "acme-deck.pdf", "title": "acme-deck.pdf"}]


def share_in_thread(slack: Slack, user: str, card: FakeMessage, text: str) -> None:
    """The person drops a file in the thread of `card`, with `text` (Slack: `file_share`)."""
    shared = slack.fake.post_user_message(
        user_id=user, channel_id=card.channel, text=text, thread_ts=card.ts, files=DECK
    )
    send(slack, slack.requests.message_posted(shared))


def test_a_reply_sharing_a_file_keeps_its_words_and_says_the_file_goes_nowhere(
    slack: Slack,
) -> None:
    # QA: a reply with a file attached ("went well, slides attached") comes as a `file_share`
    # message: nothing was kept, nothing answered, while the same words alone became the note.
    asked = dans_checkin(slack)
    click(slack, DAN, asked, "checkin_answer_went_well")
    share_in_thread(slack, DAN, asked, "They liked the deck, proposal by Friday")
    assert rows(slack, CheckIn)[0].note == "They liked the deck, proposal by Friday"
    assert "Your note: _They liked the deck, proposal by Friday_" in shown(current(slack, asked))
    assert answers_in_thread(slack, asked) == [
        "Kept as your note on the meeting with *Acme* on Wed 25 Nov: edit or delete your reply "
        "to change it, or use *Edit note* on the card. The file is not part of the note: nobody "
        "else sees it here, so share it with <@U0ANA> directly if they need it."
    ]

    # A file alone keeps nothing, and says so, in the thread, every time.
    share_in_thread(slack, DAN, asked, "")
    share_in_thread(slack, DAN, asked, "")
    assert rows(slack, CheckIn)[0].note == "They liked the deck, proposal by Friday"
    assert answers_in_thread(slack, asked)[1:] == [FILE_ALONE, FILE_ALONE]

    # Shared at the top of the DM: the hint, which says files reach nobody either.
    channel = slack.fake.im_channel(DAN).id
    shared = slack.fake.post_user_message(user_id=DAN, channel_id=channel, text="fyi", files=DECK)
    send(slack, slack.requests.message_posted(shared))
    (hint,) = [m.text for m in slack.fake.messages_in(channel) if m.ts > shared.ts]
    assert hint.startswith("I don't read what is typed or shared here, so nobody sees it.")


FILE_ALONE = (
    "I keep only words as a check-in's note, so nobody sees the file you shared here. Share it "
    "with <@U0ANA> directly if they need it, and say what matters about it in this thread or "
    "with *Edit note* on the card."
)


def test_a_reply_in_a_closed_checkins_thread_says_nothing_was_kept(slack: Slack) -> None:
    asked = dans_checkin(slack)
    click(slack, DAN, asked, "checkin_answer_went_well")
    at(slack, datetime(2026, 11, 27, 15, tzinfo=UTC))  # a day later: settled
    type_in_dm(slack, DAN, "hello")  # the hint, which starts the quiet spell
    request = reply_in_thread(slack, DAN, asked, "one more thing")
    # Answered in the thread although the hint was just given, and nothing kept.
    assert answers_in_thread(slack, asked) == [
        "Your answer about the meeting with *Acme* on Wed 25 Nov is settled since Fri 27 Nov "
        "09:15: answers and notes can be changed for a day. So I did not keep this reply. To "
        "record a new contact with them: `/partner log Acme : what happened`; anything else, "
        "tell <@U0ANA>, who owns *Acme*."
    ]
    assert rows(slack, CheckIn)[0].note is None
    # Slack's retry is not answered twice; each new reply is.
    send(slack, slack.requests.retry(request, 1))
    assert len(answers_in_thread(slack, asked)) == 1
    reply_in_thread(slack, DAN, asked, "and another")
    assert len(answers_in_thread(slack, asked)) == 2


def test_a_reply_in_an_expired_checkins_thread_says_since_when(slack: Slack) -> None:
    dans_checkin(slack)
    at(slack, datetime(2026, 11, 27, 9, 30, tzinfo=UTC))  # reminded
    at(slack, datetime(2026, 11, 30, 9, 31, tzinfo=UTC))  # no answer: closed
    assert rows(slack, CheckIn)[0].status == CheckInStatus.EXPIRED
    reminder = checkin_messages(slack, DAN)[1]
    at(slack, datetime(2026, 12, 2, 10, tzinfo=UTC))
    reply_in_thread(slack, DAN, reminder, "it went fine")
    (answer,) = answers_in_thread(slack, reminder)
    assert answer.startswith(
        "This check-in about the meeting with *Acme* on Wed 25 Nov closed on Mon 30 Nov without "
        "an answer. So I did not keep this reply."
    )
    assert rows(slack, CheckIn)[0].note is None


def test_a_reply_under_a_survey_message_points_to_its_comment_button(slack: Slack) -> None:
    # QA: a reply in the thread of a survey statement got the Messages tab's generic hint.
    surveyed(slack)
    invitation, statement = inbox(slack, DAN)[0], questions(slack, DAN)[0]
    assert _has_action(invitation, "survey_comment")
    request = reply_in_thread(slack, DAN, statement, "They never answer emails")
    send(slack, slack.requests.retry(request, 1))  # Slack's retry is not answered again
    reply_in_thread(slack, DAN, invitation, "also slow")
    pointed = (
        "I don't read what is typed in this thread, so your reply reaches nobody. To say more "
        "about working with *Acme*, use *Add a comment* on the survey's first message: your "
        "comment is shown with the results, without your name."
    )
    for card in (statement, invitation):
        said = [m.text for m in slack.fake.thread(card) if m.user == slack.fake.bot_user_id]
        assert said == [pointed]
    # Someone else's survey message (an event no client of theirs would send): the generic hint.
    reply_in_thread(slack, BEN, questions(slack, ANA)[0], "hi")
    assert "I don't read what is typed here" in slack.fake.thread(questions(slack, ANA)[0])[-1].text
    at(slack, datetime(2026, 11, 30, 9, 5, tzinfo=UTC))  # halfway: Dan, who answered none, reminded
    (reminder,) = [m for m in inbox(slack, DAN) if _has_action(m, "survey_comment")][1:]
    reply_in_thread(slack, DAN, reminder, "sorry, late")
    assert slack.fake.thread(reminder)[-1].text == pointed
    at(slack, datetime(2026, 12, 2, 9, 5, tzinfo=UTC))  # the round closes
    reply_in_thread(slack, DAN, statement, "one more thing")
    assert slack.fake.thread(statement)[-1].text == (
        "I don't read what is typed in this thread, so your reply reaches nobody. The pulse "
        "survey about *Acme* has closed."
    )


def test_a_reply_in_a_thread_elsewhere_gets_the_hint(slack: Slack) -> None:
    asked = dans_checkin(slack)
    click(slack, DAN, asked, "checkin_answer_went_well")
    at(slack, datetime(2026, 11, 27, 15, tzinfo=UTC))
    # A reply to another message, or top-level: the hint, in its quiet spell.
    slack.runtime.clock.set(datetime(2026, 11, 27, 15, 11, tzinfo=UTC))  # type: ignore[attr-defined]
    (debrief,) = [m for m in inbox(slack, ANA) if m.text.startswith("Debrief of the meeting")]
    reply_in_thread(slack, ANA, debrief, "thanks Dan")
    assert [m.text[:30] for m in slack.fake.thread(debrief)][-2:] == [
        "thanks Dan",
        "I don't read what is typed her",
    ]
    # Someone else's check-in (an event no client of theirs would send): nothing kept.
    event = {
        "type": "message",
        "channel": asked.channel,
        "channel_type": "im",
        "user": BEN,
        "text": "mine now",
        "ts": "1999999999.000100",
        "thread_ts": asked.ts,
    }
    send(slack, slack.requests.event(event))
    assert rows(slack, CheckIn)[0].note is None
    assert "I don't read" in answers_in_thread(slack, asked)[-1]


def test_a_thread_answer_slack_refuses_is_logged(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    asked = dans_checkin(slack)
    slack.fake.fail_next("chat.postMessage", error="channel_not_found")
    with caplog.at_level(logging.WARNING):
        reply_in_thread(slack, DAN, asked, "went fine")
    assert "answering a reply in a check-in's thread failed: channel_not_found" in caplog.text
    assert rows(slack, CheckIn)[0].note == "went fine"


def test_a_reply_under_a_checkin_closed_by_the_authors_didnt_happen_says_so(
    slack: Slack,
) -> None:
    acme(slack, team=(BEN,))
    say(slack, f"plan Acme on thursday 10:00 with {MENTION[CHLOE]} via meeting : kick-off", DAN)
    at(slack, datetime(2026, 11, 27, 0, 15, tzinfo=UTC))  # Friday morning in Tokyo
    (chloes,) = checkin_messages(slack, CHLOE)
    at(slack, datetime(2026, 11, 27, 10, 5, tzinfo=UTC))  # Friday morning in London
    (dans,) = checkin_messages(slack, DAN)
    click(slack, DAN, dans, "checkin_answer_didnt_happen")
    reply_in_thread(slack, CHLOE, chloes, "it went fine")
    # Nobody asks her again: the author said it did not take place.
    (answer,) = answers_in_thread(slack, chloes)
    assert "another message" not in answer
    assert answer.startswith(
        "This check-in about the meeting with *Acme* on Thu 26 Nov closed on Fri 27 Nov: "
        "<@U0DAN>, who planned it, said it didn't happen. So I did not keep this reply."
    )


def test_a_reply_with_mentions_and_links_shows_in_the_note_form_as_it_was_typed(
    slack: Slack,
) -> None:
    asked = dans_checkin(slack)
    click(slack, DAN, asked, "checkin_answer_went_well")
    # As Slack sends what Dan typed: a mention, a link showing its address, a link with a
    # label of its own, and `&` escaped.
    reply_in_thread(
        slack,
        DAN,
        asked,
        "Ask <@U0ANA> about <https://acme.org|acme.org> &amp; <https://acme.org/d|the draft>",
    )
    note = "Ask <@U0ANA> about <https://acme.org|acme.org> & the draft (https://acme.org/d)"
    assert rows(slack, CheckIn)[0].note == note
    card = shown(current(slack, asked))
    assert "_Ask <@U0ANA> about <https://acme.org|acme.org> &amp; the draft" in card

    click(slack, DAN, current(slack, asked), "checkin_note")
    form = slack.fake.open_modals(DAN)[-1]
    (field,) = [b for b in form.view["blocks"] if b.get("block_id") == "note"]
    typed = "Ask @ana about acme.org & the draft (https://acme.org/d)"
    assert field["element"]["initial_value"] == typed
    # Saved as shown, with a line more: Ana is still mentioned.
    values = {"note": {"value": {"type": "plain_text_input", "value": f"{typed}\nby Friday"}}}
    send(slack, slack.requests.view_submission(user_id=DAN, view=form, values=values))
    assert rows(slack, CheckIn)[0].note == (
        "Ask <@U0ANA> about acme.org & the draft (https://acme.org/d)\nby Friday"
    )


def write_note(slack: Slack, user: str, card: FakeMessage, note: str) -> None:
    """The person's note written in the form the card's note button opens."""
    click(slack, user, card, "checkin_note")
    typed = {"type": "plain_text_input", "value": note}
    send(
        slack,
        slack.requests.view_submission(
            user_id=user, view=slack.fake.open_modals(user)[-1], values={"note": {"value": typed}}
        ),
    )


def problem_noted_then_went_well(slack: Slack, *, read_between: bool) -> FakeMessage:
    """Dan answers Problem, replies "angry" in the card's thread (its note), then changes the
    answer to Went well; `read_between`: Ana's debrief has the Problem before the change."""
    asked = dans_checkin(slack)
    click(slack, DAN, asked, "checkin_answer_problem")
    reply_in_thread(slack, DAN, asked, "angry")
    if read_between:
        at(slack, datetime(2026, 11, 26, 9, 34, tzinfo=UTC))
    click(slack, DAN, current(slack, asked), "checkin_change")
    click(slack, DAN, current(slack, asked), "checkin_answer_went_well")
    return asked


def test_a_problems_note_under_an_answer_changed_since_says_it_was_written_with_that_one(
    slack: Slack,
) -> None:
    # QA: after Problem was changed to Went well, Ana read "@dan answered ✅ Went well > angry".
    asked = problem_noted_then_went_well(slack, read_between=True)
    at(slack, datetime(2026, 11, 26, 9, 35, tzinfo=UTC))
    (debrief,) = [m for m in inbox(slack, ANA) if m.text.startswith("Debrief of the meeting")]
    # A note written now is this answer's, and said without the words about an earlier one.
    write_note(slack, DAN, current(slack, asked), "All sorted after all")
    at(slack, datetime(2026, 11, 26, 9, 54, tzinfo=UTC))
    assert [m.text for m in slack.fake.thread(debrief)] == [
        "<@U0DAN> answered *⚠️ Problem*\n> angry",
        "<@U0DAN> changed their answer to *✅ Went well*\nTheir note, written with an earlier "
        "answer:\n> angry",
        "<@U0DAN> added a note to their answer *✅ Went well*\n> All sorted after all",
    ]
    assert rows(slack, CheckIn)[0].note == "All sorted after all"  # the note is kept as it was


def test_a_problems_note_folded_into_an_answer_changed_before_it_went_says_so(
    slack: Slack,
) -> None:
    # Changed before the Problem's reply went: one reply, the note still not this answer's.
    problem_noted_then_went_well(slack, read_between=False)
    at(slack, datetime(2026, 11, 26, 9, 20, tzinfo=UTC))
    (debrief,) = [m for m in inbox(slack, ANA) if m.text.startswith("Debrief of the meeting")]
    assert [m.text for m in slack.fake.thread(debrief)] == [
        "<@U0DAN> answered *✅ Went well*\nTheir note, written with an earlier answer:\n> angry",
    ]
    assert rows(slack, CheckIn)[0].note == "angry"


def test_a_note_cleared_after_an_answer_change_took_it_in_tells_the_owner_nothing_of_it(
    slack: Slack,
) -> None:
    asked = dans_checkin(slack)
    click(slack, DAN, asked, "checkin_answer_went_well")
    at(slack, datetime(2026, 11, 26, 9, 16, tzinfo=UTC))  # the answer's reply goes out
    (debrief,) = [m for m in inbox(slack, ANA) if m.text.startswith("Debrief of the meeting")]
    reply_in_thread(slack, DAN, asked, "Wrong meeting, sorry")  # its reply waits NOTE_SETTLE
    click(slack, DAN, current(slack, asked), "checkin_change")
    click(slack, DAN, current(slack, asked), "checkin_answer_mixed")  # its reply quotes the note
    click(slack, DAN, current(slack, asked), "checkin_note")
    form = slack.fake.open_modals(DAN)[-1]
    values = {"note": {"value": {"type": "plain_text_input", "value": ""}}}
    send(slack, slack.requests.view_submission(user_id=DAN, view=form, values=values))
    at(slack, datetime(2026, 11, 26, 9, 20, tzinfo=UTC))
    # Ana never read the note: neither reply tells her of it.
    assert [m.text for m in slack.fake.thread(debrief)] == [
        "<@U0DAN> answered *✅ Went well*",
        "<@U0DAN> changed their answer to *🤔 Mixed*",
    ]


def test_a_note_read_then_cleared_after_an_answer_change_took_it_in_is_told_gone_once(
    slack: Slack,
) -> None:
    asked = dans_checkin(slack)
    click(slack, DAN, asked, "checkin_answer_went_well")
    reply_in_thread(slack, DAN, asked, "They liked it")
    at(slack, datetime(2026, 11, 26, 9, 24, tzinfo=UTC))  # Ana reads it with the answer
    (debrief,) = [m for m in inbox(slack, ANA) if m.text.startswith("Debrief of the meeting")]
    reply_in_thread(slack, DAN, asked, "and want a proposal")  # its reply waits NOTE_SETTLE
    click(slack, DAN, current(slack, asked), "checkin_change")
    click(slack, DAN, current(slack, asked), "checkin_answer_mixed")  # its reply quotes the note
    click(slack, DAN, current(slack, asked), "checkin_note")
    form = slack.fake.open_modals(DAN)[-1]
    values = {"note": {"value": {"type": "plain_text_input", "value": ""}}}
    send(slack, slack.requests.view_submission(user_id=DAN, view=form, values=values))
    at(slack, datetime(2026, 11, 26, 9, 34, tzinfo=UTC))
    assert [m.text for m in slack.fake.thread(debrief)] == [
        "<@U0DAN> answered *✅ Went well*\n> They liked it",
        "<@U0DAN> removed their note",
        "<@U0DAN> changed their answer to *🤔 Mixed*",
    ]


def edited(slack: Slack, reply: FakeMessage, text: str) -> SlackRequest:
    """The `message_changed` event Slack sends in a DM when a person edits a reply in a thread:
    hidden, the message as it reads now and as it was, its person named only inside them."""
    at_ts = slack.fake.next_event_ts()
    was = {"type": "message", "user": reply.user, "text": reply.text, "ts": reply.ts}
    return slack.requests.event(
        {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "channel": reply.channel,
            "channel_type": "im",
            "ts": at_ts,
            "event_ts": at_ts,
            "message": {
                **was,
                "text": text,
                "thread_ts": reply.thread_ts,
                "parent_user_id": slack.fake.bot_user_id,
                "edited": {"user": reply.user, "ts": at_ts},
            },
            "previous_message": {**was, "thread_ts": reply.thread_ts},
        }
    )


def deleted(slack: Slack, reply: FakeMessage) -> SlackRequest:
    """The `message_deleted` event Slack sends in a DM when a person deletes a reply."""
    at_ts = slack.fake.next_event_ts()
    return slack.requests.event(
        {
            "type": "message",
            "subtype": "message_deleted",
            "hidden": True,
            "channel": reply.channel,
            "channel_type": "im",
            "ts": at_ts,
            "event_ts": at_ts,
            "deleted_ts": reply.ts,
            "previous_message": {
                "type": "message",
                "user": reply.user,
                "text": reply.text,
                "ts": reply.ts,
                "thread_ts": reply.thread_ts,
            },
        }
    )


def test_a_reply_edited_or_deleted_in_slack_changes_or_leaves_the_note(slack: Slack) -> None:
    asked = dans_checkin(slack)
    click(slack, DAN, asked, "checkin_answer_went_well")
    replies = []
    for text in ("They want a proposal", "by Friday", "call Ben"):
        typed = slack.fake.post_user_message(
            user_id=DAN, channel_id=asked.channel, text=text, thread_ts=asked.ts
        )
        send(slack, slack.requests.message_posted(typed))
        replies.append(typed)
    first, second, third = replies
    answers = len(answers_in_thread(slack, asked))

    # Edited: its line says what it says now (Slack escapes `&`), and Slack's retry is a no-op.
    request = edited(slack, first, "They want a proposal &amp; a budget")
    send(slack, request)
    send(slack, slack.requests.retry(request, 1))
    assert rows(slack, CheckIn)[0].note == "They want a proposal & a budget\nby Friday\ncall Ben"
    assert "_They want a proposal &amp; a budget_\\n_by Friday_" in shown(current(slack, asked))
    # Deleted: its line goes, and so does its retry's.
    request = deleted(slack, second)
    send(slack, request)
    send(slack, slack.requests.retry(request, 1))
    assert rows(slack, CheckIn)[0].note == "They want a proposal & a budget\ncall Ben"
    # The thread says nothing more; the card shows the note as it is.
    assert len(answers_in_thread(slack, asked)) == answers
    assert "_They want a proposal &amp; a budget_\\n_call Ben_" in shown(current(slack, asked))
    # Ana reads the note as it ended up, in the reply with the answer.
    at(slack, datetime(2026, 11, 26, 9, 16, tzinfo=UTC))
    (debrief,) = [m for m in inbox(slack, ANA) if m.text.startswith("Debrief of the meeting")]
    assert [m.text for m in slack.fake.thread(debrief)] == [
        "<@U0DAN> answered *✅ Went well*\n> They want a proposal &amp; a budget\n> call Ben"
    ]

    # Edited in the form since: a reply whose line is not in the note as it put it changes
    # nothing; one that is, still does.
    click(slack, DAN, current(slack, asked), "checkin_note")
    form = slack.fake.open_modals(DAN)[-1]
    note = "A proposal and a budget\ncall Ben"
    values = {"note": {"value": {"type": "plain_text_input", "value": note}}}
    send(slack, slack.requests.view_submission(user_id=DAN, view=form, values=values))
    send(slack, edited(slack, first, "They want nothing"))
    send(slack, deleted(slack, third))
    assert rows(slack, CheckIn)[0].note == "A proposal and a budget"
    # Settled: a reply kept before changes nothing any more.
    signed = slack.fake.post_user_message(
        user_id=DAN, channel_id=asked.channel, text="Signed!", thread_ts=asked.ts
    )
    send(slack, slack.requests.message_posted(signed))
    assert rows(slack, CheckIn)[0].note == "A proposal and a budget\nSigned!"
    at(slack, datetime(2026, 11, 27, 15, tzinfo=UTC))
    send(slack, edited(slack, signed, "Not signed"))
    send(slack, deleted(slack, signed))
    assert rows(slack, CheckIn)[0].note == "A proposal and a budget\nSigned!"


# --- A Problem's note after its alert ---------------------------------------------------------


def test_a_note_after_a_problems_alert_reaches_whoever_got_the_alert(slack: Slack) -> None:
    # QA: Dan clicked Problem and left the form; his note came later, in the card's thread.
    # The deputy covering for Ana had read "No note was given" and nothing followed.
    acme(slack)
    say(slack, f"deputy Acme {MENTION[CHLOE]}")
    say(slack, "away today to friday", user=ANA)
    meeting(slack, author=DAN, when=datetime(2026, 11, 25, 8, tzinfo=UTC))
    at(slack, datetime(2026, 11, 26, 9, 15, tzinfo=UTC))  # Thursday 18:15 in Tokyo
    (asked,) = checkin_messages(slack, DAN)
    click(slack, DAN, asked, "checkin_answer_problem")
    slack.fake.dismiss_modals(DAN)
    at(slack, datetime(2026, 11, 27, 0, 20, tzinfo=UTC))  # Friday 09:20 in Tokyo
    (alert,) = [m for m in inbox(slack, CHLOE) if "reports a *problem*" in m.text]
    assert "No note was given" in alert.text

    reply_in_thread(slack, DAN, asked, "They want to cancel")
    reply_in_thread(slack, DAN, asked, "call Ben")
    at(slack, datetime(2026, 11, 27, 0, 22, tzinfo=UTC))
    assert slack.fake.thread(alert) == []  # the note waits a few minutes for more lines
    at(slack, datetime(2026, 11, 27, 0, 24, tzinfo=UTC))
    assert [m.text for m in slack.fake.thread(alert)] == [
        "<@U0DAN> added a note to their answer *⚠️ Problem*\n> They want to cancel\n> call Ben"
    ]
    assert [m for m in inbox(slack, CHLOE) if "reports a *problem*" in m.text] == [alert]


def test_a_note_given_before_a_problems_alert_goes_out_is_in_the_alert(slack: Slack) -> None:
    acme(slack)
    say(slack, f"deputy Acme {MENTION[CHLOE]}")
    say(slack, "away today to friday", user=ANA)
    meeting(slack, author=DAN, when=datetime(2026, 11, 25, 8, tzinfo=UTC))
    at(slack, datetime(2026, 11, 26, 9, 15, tzinfo=UTC))  # Thursday 18:15 in Tokyo
    (asked,) = checkin_messages(slack, DAN)
    click(slack, DAN, asked, "checkin_answer_problem")
    slack.fake.dismiss_modals(DAN)
    at(slack, datetime(2026, 11, 26, 9, 20, tzinfo=UTC))  # the alert waits for Chloe's hours
    reply_in_thread(slack, DAN, asked, "They want to cancel")

    at(slack, datetime(2026, 11, 27, 0, 20, tzinfo=UTC))  # Friday 09:20 in Tokyo
    (alert,) = [m for m in inbox(slack, CHLOE) if "reports a *problem*" in m.text]
    assert "> They want to cancel" in alert.text
    assert "No note was given" not in alert.text
    assert slack.fake.thread(alert) == []


# --- Debrief replies not sent yet fold into one -----------------------------------------------


def test_an_answer_changed_while_the_owner_is_away_reaches_her_as_one_reply(slack: Slack) -> None:
    # QA: back from time away, Ana read "@dan answered ✅ Went well" and "@dan changed their
    # answer to 🤔 Mixed" at one moment.
    asked = dans_checkin(slack)
    say(slack, "away today to friday", user=ANA)
    click(slack, DAN, asked, "checkin_answer_went_well")
    at(slack, datetime(2026, 11, 26, 11, tzinfo=UTC))
    click(slack, DAN, current(slack, asked), "checkin_change")
    click(slack, DAN, current(slack, asked), "checkin_answer_mixed")
    at(slack, datetime(2026, 11, 30, 9, 30, tzinfo=UTC))  # Monday: Ana is back
    (debrief,) = [m for m in inbox(slack, ANA) if m.text.startswith("Debrief of the meeting")]
    assert [m.text for m in slack.fake.thread(debrief)] == ["<@U0DAN> answered *🤔 Mixed*"]


def test_a_note_before_the_answer_is_quoted_once_in_the_owners_debrief(slack: Slack) -> None:
    # QA: "@ben added a note > Mostly fine" then "@ben answered ✅ Went well > Mostly fine".
    asked = dans_checkin(slack)
    say(slack, "away today to friday", user=ANA)
    reply_in_thread(slack, DAN, asked, "Mostly fine")
    at(slack, datetime(2026, 11, 26, 11, tzinfo=UTC))
    click(slack, DAN, current(slack, asked), "checkin_answer_went_well")
    at(slack, datetime(2026, 11, 30, 9, 30, tzinfo=UTC))  # Monday: Ana is back
    (debrief,) = [m for m in inbox(slack, ANA) if m.text.startswith("Debrief of the meeting")]
    assert [m.text for m in slack.fake.thread(debrief)] == [
        "<@U0DAN> answered *✅ Went well*\n> Mostly fine"
    ]


# --- A Problem that waits for an owner away ---------------------------------------------------


def test_a_problem_answered_while_the_owner_is_away_uncovered_says_it_waits_until_her_return(
    slack: Slack,
) -> None:
    # QA: a Problem answered while Ana was away, nobody covering, waited a week; Dan was not told.
    asked = dans_checkin(slack)
    say(slack, "away today to 2026-12-04", user=ANA)
    click(slack, DAN, asked, "checkin_answer_problem")
    slack.fake.dismiss_modals(DAN)
    assert (
        "<@U0ANA> is away through Fri 4 Dec and no one covers for them, so your Problem reaches "
        "them when they are back. If it cannot wait, tell someone who can act on it now."
    ) in shown(current(slack, asked))
    # Another answer says nothing of it.
    click(slack, DAN, current(slack, asked), "checkin_change")
    click(slack, DAN, current(slack, asked), "checkin_answer_mixed")
    assert "your Problem reaches them" not in shown(current(slack, asked))


def test_a_problem_for_a_cover_away_too_says_it_waits_for_them(slack: Slack) -> None:
    # QA: the card said "a Problem goes to @ben, who covers for them" though Ben was away too;
    # the alert waited for his return and nobody was told it waits.
    acme(slack)
    say(slack, f"deputy Acme {MENTION[DAN]}")
    say(slack, "away today to 2026-12-04")
    say(slack, "away today to thursday", DAN)
    meeting(slack, author=BEN, when=datetime(2026, 11, 24, 15, tzinfo=UTC))
    at(slack, START.replace(hour=14, minute=1))  # Wednesday 09:01 in New York
    (asked,) = checkin_messages(slack, BEN)
    assert (
        "a Problem goes to <@U0DAN>, who covers for them but is away through Thu 26 Nov, so it "
        "waits for them until then."
    ) in shown(asked)
    click(slack, BEN, asked, "checkin_answer_problem")
    slack.fake.dismiss_modals(BEN)
    assert (
        "<@U0ANA> is away through Fri 4 Dec and <@U0DAN>, who covers for them, is away through "
        "Thu 26 Nov, so your Problem reaches <@U0DAN> when they are back. If it cannot wait, "
        "tell someone who can act on it now."
    ) in shown(current(slack, asked))
    at(slack, datetime(2026, 11, 26, 16, tzinfo=UTC))
    assert not any("reports a *problem*" in m.text for m in inbox(slack, DAN))
    at(slack, datetime(2026, 11, 27, 9, 30, tzinfo=UTC))  # Friday in London: Dan is back
    assert any("reports a *problem*" in m.text for m in inbox(slack, DAN))


def test_a_problem_changed_to_another_answer_is_told_to_the_deputy_who_got_its_alert(
    slack: Slack,
) -> None:
    acme(slack)
    say(slack, f"deputy Acme {MENTION[CHLOE]}")
    say(slack, "away today to friday", user=ANA)
    meeting(slack, author=DAN, when=datetime(2026, 11, 25, 8, tzinfo=UTC))
    at(slack, datetime(2026, 11, 26, 9, 15, tzinfo=UTC))  # Thursday 18:15 in Tokyo
    (asked,) = checkin_messages(slack, DAN)
    click(slack, DAN, asked, "checkin_answer_problem")
    slack.fake.dismiss_modals(DAN)
    at(slack, datetime(2026, 11, 27, 0, 20, tzinfo=UTC))  # Friday 09:20 in Tokyo
    (alert,) = [m for m in inbox(slack, CHLOE) if "reports a *problem*" in m.text]

    click(slack, DAN, current(slack, asked), "checkin_change")
    click(slack, DAN, current(slack, asked), "checkin_answer_mixed")
    at(slack, datetime(2026, 11, 27, 0, 24, tzinfo=UTC))
    assert [m.text for m in slack.fake.thread(alert)] == [
        "<@U0DAN> changed their answer to *🤔 Mixed*"
    ]


def test_a_problem_changed_before_its_alert_went_alerts_nobody(slack: Slack) -> None:
    acme(slack)
    say(slack, f"deputy Acme {MENTION[CHLOE]}")
    say(slack, "away today to friday", user=ANA)
    meeting(slack, author=DAN, when=datetime(2026, 11, 25, 8, tzinfo=UTC))
    at(slack, datetime(2026, 11, 26, 9, 15, tzinfo=UTC))  # Thursday 18:15 in Tokyo
    (asked,) = checkin_messages(slack, DAN)
    click(slack, DAN, asked, "checkin_answer_problem")
    slack.fake.dismiss_modals(DAN)
    at(slack, datetime(2026, 11, 26, 9, 20, tzinfo=UTC))  # the alert waits for Chloe's hours
    click(slack, DAN, current(slack, asked), "checkin_change")
    click(slack, DAN, current(slack, asked), "checkin_answer_mixed")
    at(slack, datetime(2026, 11, 27, 0, 20, tzinfo=UTC))  # Friday 09:20 in Tokyo
    assert not any("reports a *problem*" in m.text for m in inbox(slack, CHLOE))


def test_a_problem_answered_when_the_deputy_would_see_it_only_after_the_owner_says_so(
    slack: Slack,
) -> None:
    acme(slack)
    say(slack, f"deputy Acme {MENTION[CHLOE]}")
    say(slack, "away today")  # through Wednesday in Berlin, 23:00 UTC
    meeting(slack, author=BEN, when=datetime(2026, 11, 24, 15, tzinfo=UTC))
    at(slack, START.replace(hour=14, minute=1))  # Wednesday 09:01 in New York, 23:01 in Tokyo
    (asked,) = checkin_messages(slack, BEN)
    click(slack, BEN, asked, "checkin_answer_problem")
    slack.fake.dismiss_modals(BEN)
    assert (
        "<@U0ANA> is away through Wed 25 Nov and no one covering for them would see it sooner, "
        "so your Problem reaches them when they are back."
    ) in shown(current(slack, asked))


def test_a_check_in_click_slack_does_not_answer_still_opens_its_form_or_says_why(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    """QA h8: with Slack out of reach, updating the card raised past its handler, so "What
    went wrong?" never opened after Problem; a form that could not open told no one (both were
    only "after-ack work failed" in the log)."""
    acme(slack)
    meeting(slack, author=DAN, when=datetime(2026, 11, 25, 8, tzinfo=UTC))
    at(slack, datetime(2026, 11, 26, 9, 15, tzinfo=UTC))  # the morning's check-ins spread
    (asked,) = checkin_messages(slack, DAN)
    slack.fake.fail_next("chat.update", drop=True, times=TRIES)
    with caplog.at_level(logging.WARNING):
        click(slack, DAN, asked, "checkin_answer_problem")
    (form,) = slack.fake.open_modals(DAN)
    assert form.view["title"]["text"] == "What went wrong?"
    slack.fake.dismiss_modals(DAN)
    slack.fake.fail_next("views.open", drop=True, times=TRIES)
    with caplog.at_level(logging.WARNING):
        click(slack, DAN, current(slack, asked), "checkin_note")
    assert [m.text for m in slack.ephemerals_to(DAN)] == [
        "I couldn't open the form; please try the button again."
    ]
    assert [r.getMessage() for r in caplog.records if r.name.startswith(("handlers", "bot"))] == [
        "chat.update of a feedback message could not reach Slack: RemoteDisconnected",
        "views.open of a feedback form could not reach Slack: RemoteDisconnected",
    ]


def test_an_answer_slack_would_not_show_on_its_card_is_confirmed_privately(
    slack: Slack,
) -> None:
    """QA h8: with the card's update refused (a 5xx), the answer was saved but the card kept
    its buttons, and the person was told nothing: they could not tell it was taken."""
    acme(slack)
    meeting(slack, author=DAN, when=datetime(2026, 11, 25, 8, tzinfo=UTC))
    at(slack, datetime(2026, 11, 26, 9, 15, tzinfo=UTC))  # the morning's check-ins spread
    (asked,) = checkin_messages(slack, DAN)
    slack.fake.fail_next("chat.update", status=503, times=TRIES)
    click(slack, DAN, asked, "checkin_answer_went_well")
    assert rows(slack, CheckIn)[0].answer == "went_well"
    assert _has_action(current(slack, asked), "checkin_answer_went_well")  # as it was
    assert [m.text for m in slack.ephemerals_to(DAN)] == [
        "Done, but Slack would not update the message just now, so it may still show it as it "
        "was. If it does, click again in a moment."
    ]
    click(slack, DAN, current(slack, asked), "checkin_answer_went_well")
    assert not _has_action(current(slack, asked), "checkin_answer_went_well")
    assert len(slack.ephemerals_to(DAN)) == 1
