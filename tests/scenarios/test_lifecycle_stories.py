"""A partner's pulse survey and check-ins across its lifecycle: a round running when the partner
is ended, merged into another that runs one too, or renamed; and what admins see when a survey
cannot reach a colleague who left. Same people, zones and clock as `test_feedback_stories`.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlmodel import Session

from storage.models import (
    OutboxMessage,
    OutboxStatus,
    SurveyAnswer,
    SurveyComment,
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
    channel_posts,
    checkin_messages,
    click,
    current,
    inbox,
    questions,
    react,
    rows,
    say,
    send,
    shown,
)
from tests.scenarios.test_feedback_stories import utc
from tests.scenarios.test_home import home_of


def test_a_survey_that_cannot_reach_a_colleague_who_left_is_one_failed_delivery(
    slack: Slack,
) -> None:
    acme(slack)
    say(slack, "survey Acme now")
    at(slack, START)  # Chloe's questions wait for her Thursday morning in Tokyo
    slack.fake.users[CHLOE].deleted = True  # she leaves before they go
    at(slack, utc(26, 1))
    home = home_of(slack, "U0ANA")
    # The invitation and its four statements, refused alike: one line, not five.
    assert home.count("survey invitation") == 1 and "survey question" not in home
    assert "survey invitation and its 4 statements to <@U0CHLOE>" in home


def test_an_older_failure_still_shows_beside_a_folded_survey_on_home_and_in_config(
    slack: Slack,
) -> None:
    # The five latest failed rows were read, then folded: a survey's invitation and its four
    # statements made one line and left four lines empty, while the older failed note telling
    # Chloe she joined Acme's team, and Acme's failed hello, hid behind "…and 2 older ones".
    acme(slack)
    say(slack, "channel Acme <#C0GHOST|ghost>")  # a channel the fake Slack does not know
    say(slack, "survey Acme now")
    at(slack, START)
    slack.fake.users[CHLOE].deleted = True
    at(slack, utc(26, 1))
    for shown_to_admin in (home_of(slack, ANA), say(slack, "config")):
        assert "survey invitation and its 4 statements to <@U0CHLOE>" in shown_to_admin
        assert "channel hello to <#C0GHOST>" in shown_to_admin
        assert "team to <@U0CHLOE>" in shown_to_admin
        assert "*Failed deliveries* (latest 3)" in shown_to_admin
        assert "older one" not in shown_to_admin and "…and" not in shown_to_admin


def test_failed_deliveries_count_every_folded_survey_however_many_failed(slack: Slack) -> None:
    # 60 surveys that never reached their colleague (300 failed rows): config read the latest
    # 200, folded them into 40 lines, and counted each of the 100 older rows as a line of its
    # own: "…and 135 more".
    with Session(slack.runtime.engine) as session:
        for survey in range(60):
            for statement in range(5):
                session.add(
                    OutboxMessage(
                        team_id="T0ACME",
                        kind="survey.question" if statement else "survey.invitation",
                        recipient_user=f"U0GONE{survey}",
                        text="a survey",
                        dedupe_key=f"survey:{survey}:{statement}",
                        due_at=START - timedelta(days=1, minutes=survey),
                        available_at=START,
                        status=OutboxStatus.FAILED,
                        last_error="user_not_found",
                        created_at=START,
                    )
                )
        session.commit()
    shown_to_admin = say(slack, "config")
    assert "*Failed deliveries* (latest 5)" in shown_to_admin
    assert "…and 55 more." in shown_to_admin


def test_what_waits_to_go_about_a_renamed_partner_goes_under_its_new_name(slack: Slack) -> None:
    acme(slack)
    say(slack, "log Acme on yesterday via meeting : the pilot review", BEN)
    say(slack, "survey Acme now")
    at(slack, START)  # Ben (New York) and Chloe (Tokyo) are off duty: theirs wait
    assert checkin_messages(slack, BEN) == [] and inbox(slack, CHLOE) == []
    say(slack, "rename Acme to Acme Foundation")

    at(slack, utc(26, 1))  # Chloe's Thursday morning
    invitation, *statements = inbox(slack, CHLOE)
    assert "*Pulse survey: Acme Foundation*" in shown(invitation)
    assert len(statements) == 4
    assert all("Acme Foundation ·" in shown(statement) for statement in statements)
    at(slack, utc(26, 14, 1))  # Ben's Thursday morning
    (asked,) = checkin_messages(slack, BEN)
    assert "Acme Foundation" in shown(asked)


def test_ending_a_partner_closes_its_running_round_without_results(slack: Slack) -> None:
    acme(slack)
    say(slack, "survey Acme now")
    at(slack, START)  # Dan (London) has his statements; Chloe's wait for Tokyo's morning
    first, second = questions(slack, DAN)[:2]
    react(slack, DAN, first, "four")

    answer = say(slack, "status Acme ended")
    assert (
        "*Acme* is now ⚫ ended.\nIts pulse survey in progress is closed: nobody else is asked, "
        "and no results are posted."
    ) in answer
    (survey_round,) = rows(slack, SurveyRound)
    assert survey_round.closed_at is not None

    at(slack, utc(26, 1))  # Chloe's morning: nothing about the ended partnership comes
    assert inbox(slack, CHLOE) == []
    # What Dan was sent says in place that it closed, and why, and takes no answer any more
    # (it said "Open until…" under live buttons, and a click said only that it had closed).
    invitation = current(slack, inbox(slack, DAN)[0])
    assert invitation.text == (
        "*Pulse survey: Acme*\nThis survey closed early, as the partnership with Acme ended: "
        "nothing more is asked, and no results are posted. Thank you all the same."
    )
    assert "Open until" not in shown(invitation) and "survey_comment" not in shown(invitation)
    ended = "This pulse survey closed early, as the partnership ended: no more answers are taken"
    for statement, answered in ((first, True), (second, False)):
        now_shown = shown(current(slack, statement))
        assert ended in now_shown and "survey_score" not in now_shown
        assert ("Your answer: *4*" in now_shown) is answered

    at(slack, utc(3, 9, month=12))  # past when the round would have closed: no results
    assert [m for m in channel_posts(slack) if "Pulse results" in shown(m)] == []
    assert [m for m in inbox(slack, ANA) if "Pulse results" in shown(m)] == []
    assert "pulse survey" not in say(slack, "status Acme ended")  # again: nothing to close


def test_ending_a_partner_withdraws_its_check_ins_not_sent_yet(slack: Slack) -> None:
    # QA: "How did your meeting with Acme go?" still went out days after Acme was ended, about
    # a partner nobody follows any more, and the answer fed its health.
    acme(slack)
    say(slack, "log Acme on yesterday via meeting : the pilot review", BEN)
    at(slack, START)  # Ben (New York) is off duty: his check-in waits for his morning
    assert checkin_messages(slack, BEN) == []
    say(slack, "status Acme ended")
    at(slack, utc(26, 14, 1))  # Ben's Thursday morning: nothing about the ended partnership
    assert checkin_messages(slack, BEN) == []
    say(slack, "status Acme active")  # reopened: the withdrawn check-in is not asked again
    at(slack, utc(27, 14, 1))
    assert checkin_messages(slack, BEN) == []
    assert "no check-in answered" in say(slack, "health Acme")


def test_a_meeting_logged_just_before_its_partner_is_ended_is_not_asked_about(
    slack: Slack,
) -> None:
    acme(slack)
    say(slack, "log Acme on yesterday via meeting : the pilot review", BEN)
    say(slack, "status Acme ended")  # before the planner made its check-ins
    at(slack, utc(26, 14, 1))
    say(slack, "status Acme active")
    at(slack, utc(27, 14, 1))
    assert checkin_messages(slack, BEN) == []


def test_merging_two_partners_each_surveyed_leaves_one_round_with_both_answers(
    slack: Slack,
) -> None:
    acme(slack, team=(BEN, CHLOE))
    say(slack, "add Globex")  # Acme again, under the name its parent company goes by
    say(slack, f"team Globex add {MENTION[BEN]} {MENTION[DAN]}")
    say(slack, "survey Acme now")  # Ana, Ben, Chloe
    assert "Started a pulse survey of *Globex*" in say(slack, "survey Globex now")  # Ana, Ben, Dan
    at(slack, START)  # Ana (Berlin) and Dan (London) have theirs; Ben's (New York) wait
    assert len(questions(slack, ANA)) == 8
    anas_acme, anas_globex = questions(slack, ANA)[:4], questions(slack, ANA)[4:]
    react(slack, ANA, anas_acme[2], "one")
    react(slack, ANA, anas_globex[2], "five")  # answered in both: the round going on's stands
    react(slack, ANA, anas_globex[3], "three")  # only in Globex's: it moves over
    dans = questions(slack, DAN)  # asked only about Globex
    react(slack, DAN, dans[0], "two")

    answer = say(slack, "merge Globex into Acme")
    # Its running survey did not move over as a survey of its own: it joined Acme's.
    assert (
        "Moved over: 1 team member; its running pulse survey and *Acme*'s go on as one." in answer
    )
    assert (
        "Both had a pulse survey running: the one that started first goes on alone, with the "
        "answers given to the other; nobody is asked the same statements twice."
    ) in answer
    assert len(rows(slack, SurveyRound)) == 1
    assert "already has a pulse survey" in say(slack, "survey Acme now")

    at(slack, utc(25, 14, 1))  # Ben's Wednesday morning: one invitation, four statements
    assert len(questions(slack, BEN)) == 4
    assert len([m for m in inbox(slack, BEN) if "Pulse survey" in shown(m)]) == 5
    react(slack, DAN, dans[1], "four")  # his statements count in the round going on

    at(slack, utc(3, 9, month=12))  # past its close: one results post, not two
    assert len([m for m in channel_posts(slack) if "Pulse results" in shown(m)]) == 1
    (survey_round,) = rows(slack, SurveyRound)
    assert survey_round.respondents == 2  # Ana and Dan
    scores = sorted((a.question, a.score) for a in rows(slack, SurveyAnswer))
    assert scores == [(1, 2), (2, 4), (3, 1), (4, 3)]


def test_someone_asked_in_both_merged_rounds_can_answer_on_either_copy(slack: Slack) -> None:
    # QA: Ben and Dan, on both teams, held two copies of each statement; after the merge a
    # click on the newer copy (the folded round's) said "This pulse survey has closed" while
    # the round ran on, and a reaction on it counted nowhere.
    say(slack, "config anonymity 2")
    acme(slack, team=(DAN,))
    say(slack, "add Globex")
    say(slack, f"team Globex add {MENTION[DAN]}")
    say(slack, "survey Acme now")  # Ana, Dan: this one goes on
    say(slack, "survey Globex now")  # Ana, Dan again: folded into Acme's
    at(slack, START)  # Ana (Berlin) and Dan (London) have both
    assert len(questions(slack, DAN)) == len(questions(slack, ANA)) == 8
    dans_globex, anas_globex = questions(slack, DAN)[4:], questions(slack, ANA)[4:]
    (globex_invitation,) = [m for m in inbox(slack, DAN) if "Pulse survey: Globex" in m.text]
    say(slack, "merge Globex into Acme")
    assert len(rows(slack, SurveyRound)) == 1

    click(slack, DAN, dans_globex[2], "survey_score_4")
    card = shown(current(slack, dans_globex[2]))
    assert "has closed" not in card and "Your answer: *4*" in card and "3/4" in card
    react(slack, ANA, anas_globex[0], "two")
    assert "Your answer: *2*" in shown(current(slack, anas_globex[0]))
    assert "2 of 2 answered so far" in say(slack, "survey Acme")
    click(slack, DAN, globex_invitation, "survey_comment")  # its Add a comment works too
    (form,) = slack.fake.open_modals(DAN)
    values = {"comment": {"value": {"type": "plain_text_input", "value": "Slow to answer."}}}
    send(slack, slack.requests.view_submission(user_id=DAN, view=form, values=values))
    assert [c.text for c in rows(slack, SurveyComment)] == ["Slow to answer."]
    click(slack, DAN, dans_globex[2], "survey_withdraw")  # and so does Withdraw on a copy
    click(slack, DAN, dans_globex[2], "survey_score_5")

    at(slack, utc(3, 9, month=12))  # past its close: the answers on the copies counted
    (survey_round,) = rows(slack, SurveyRound)
    assert survey_round.respondents == 2
    assert sorted((a.question, a.score) for a in rows(slack, SurveyAnswer)) == [(1, 2), (3, 5)]


def test_messages_of_someone_moved_into_the_round_going_on_lapse_when_it_closes(
    slack: Slack,
) -> None:
    acme(slack, team=(BEN, DAN))
    say(slack, "add Globex")
    say(slack, f"team Globex add {MENTION[BEN]} {MENTION[CHLOE]}")
    say(slack, "survey Acme now")  # Ana, Ben, Dan
    at(slack, utc(27, 9))  # two days later: Globex's round would close two days after Acme's
    say(slack, "survey Globex now")  # Ana, Ben, Chloe: hers wait for her Tokyo morning
    say(slack, "merge Globex into Acme")
    (kept,) = rows(slack, SurveyRound)
    waiting = [
        m
        for m in rows(slack, OutboxMessage)
        if m.recipient_user == CHLOE and m.kind.startswith("survey.") and m.status == "pending"
    ]
    assert len(waiting) == 5  # her invitation and four statements, now in Acme's round
    # They lapse when the round they now count in closes, not two days later.
    assert {m.expires_at.replace(tzinfo=UTC) for m in waiting} == {
        kept.closes_at.replace(tzinfo=UTC)
    }


def reminders_to(slack: Slack, user: str) -> list[OutboxMessage]:
    return [
        m
        for m in rows(slack, OutboxMessage)
        if m.recipient_user == user and m.kind == "survey.reminder" and m.status == "sent"
    ]


def test_someone_moved_into_a_round_that_already_reminded_is_reminded_too(slack: Slack) -> None:
    acme(slack, team=(BEN, DAN))
    say(slack, "add Globex")
    say(slack, f"team Globex add {MENTION[BEN]} {MENTION[CHLOE]}")
    say(slack, "survey Acme now")  # Ana, Ben, Dan; reminders from Friday 27, closes 2 Dec
    at(slack, START)
    at(slack, utc(25, 14, 20))  # Ben's morning in New York
    at(slack, utc(27, 9, 30))
    at(slack, utc(27, 14, 30))  # Friday: everyone who had not answered is reminded
    (acmes,) = rows(slack, SurveyRound)
    assert acmes.reminded_at is not None and len(reminders_to(slack, DAN)) == 1
    say(slack, "survey Globex now")  # Ana, Ben, Chloe: hers wait for her Monday in Tokyo
    say(slack, "merge Globex into Acme")  # Chloe now counts in Acme's round, reminded already
    at(slack, utc(30, 1))  # her invitation goes on Monday morning in Tokyo
    assert reminders_to(slack, CHLOE) == []
    # A working day of hers later, with the round still open: she is reminded, and only she.
    at(slack, utc(1, 1, month=12))
    at(slack, utc(1, 2, month=12))
    assert len(reminders_to(slack, CHLOE)) == 1
    assert len(reminders_to(slack, DAN)) == 1
