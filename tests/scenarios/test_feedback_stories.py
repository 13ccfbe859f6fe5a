"""The feedback loop as people live it, in stories the other scenario files leave out: a check-in
after a partner is renamed or ended, reactions taken off and put back, answers by people who
were not asked, two workspaces whose members share user ids, the digest and the App Home on
their first and quiet days, and health resting on one kind of data.

Signed commands, clicks and events go through the real app; DMs are queued by the real planners
and sent by the dispatcher to the fake Slack over HTTP. The clock starts on Wednesday 25 Nov
2026, 09:00 UTC: Berlin 10:00 (Ana), London 09:00 (Dan), New York 04:00 (Ben), Tokyo 18:00
(Chloe).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlencode

from sqlmodel import Session, select

from bot.sandbox.fake_slack import FakeMessage
from bot.sandbox.requests import SlackRequest, sign
from storage.models import (
    CheckIn,
    Partner,
    SurveyAnswer,
    SurveyDelivery,
    SurveyRound,
    TeamMembership,
    TeamRole,
)
from tests.conftest import START, Slack
from tests.scenarios.test_config import command_in
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
    reply_in_thread,
    rows,
    say,
    send,
    shown,
    surveyed,
    unreact,
)
from tests.scenarios.test_home import home_of

OTHER = "T0OTHER"
NAMES = ("one", "two", "three", "four", "five")


def utc(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def answer_all(slack: Slack, user: str, scores: tuple[int, int, int, int]) -> None:
    for message, score in zip(questions(slack, user)[-4:], scores, strict=True):
        react(slack, user, message, NAMES[score - 1])


def in_workspace(slack: Slack, request: SlackRequest, team_id: str) -> SlackRequest:
    """The same request as another workspace that installed the app would send it, signed."""
    if request.kind == "event":
        envelope = json.loads(request.body)
        envelope["team_id"] = envelope["context_team_id"] = team_id
        for authorization in envelope["authorizations"]:
            authorization["team_id"] = team_id
        body = json.dumps(envelope)
    else:
        payload = json.loads(parse_qs(request.body)["payload"][0])
        payload["team"]["id"] = payload["user"]["team_id"] = team_id
        body = urlencode({"payload": json.dumps(payload)})
    headers = {
        **request.headers,
        **sign(
            signing_secret=slack.fake.signing_secret,
            body=body,
            timestamp=int(datetime.now(UTC).timestamp()),
        ),
    }
    return SlackRequest(body=body, headers=headers, kind=request.kind)


def debrief_thread(slack: Slack) -> tuple[FakeMessage, list[str]]:
    (debrief,) = [m for m in inbox(slack, ANA) if m.text.startswith("Debrief of the meeting")]
    return debrief, [m.text for m in slack.fake.thread(debrief)]


def debrief_threads(slack: Slack, user: str) -> list[list[str]]:
    """The replies in each of the person's debrief threads, oldest thread first."""
    heads = [m for m in inbox(slack, user) if m.text.startswith("Debrief of the meeting")]
    return [[reply.text for reply in slack.fake.thread(head)] for head in heads]


def bens_checkin(slack: Slack) -> FakeMessage:
    """Ben (New York) logs a meeting with Acme yesterday; asked on his Wednesday morning."""
    say(slack, "log Acme on yesterday via meeting : the pilot review", BEN)
    at(slack, utc(25, 14, 1))
    (asked,) = checkin_messages(slack, BEN)
    return asked


def bens_note(slack: Slack, asked: FakeMessage, note: str) -> None:
    """Ben gives his check-in the note (empty: clears it) in its form."""
    click(slack, BEN, current(slack, asked), "checkin_note")
    form = slack.fake.open_modals(BEN)[-1]
    values = {"note": {"value": {"type": "plain_text_input", "value": note}}}
    send(slack, slack.requests.view_submission(user_id=BEN, view=form, values=values))


def bens_note_read_by_ana(slack: Slack) -> FakeMessage:
    """Ben answers 🤔 Mixed with a note, and Ana reads both in her debrief thread."""
    acme(slack, team=(BEN,))
    asked = bens_checkin(slack)
    click(slack, BEN, asked, "checkin_answer_mixed")
    reply_in_thread(slack, BEN, asked, "Late start")
    at(slack, utc(25, 14, 10))
    assert debrief_thread(slack)[1] == ["<@U0BEN> answered *🤔 Mixed*\n> Late start"]
    return asked


def bens_problem(slack: Slack) -> FakeMessage:
    """Ben, on Acme's team, answers his check-in **Problem** and gives no note."""
    acme(slack, team=(BEN,))
    asked = bens_checkin(slack)
    click(slack, BEN, asked, "checkin_answer_problem")
    slack.fake.dismiss_modals(BEN)
    return asked


# --- Check-ins: the partner changed between the meeting and the answer ------------------------


def test_a_checkin_answered_after_the_partner_was_renamed_reaches_the_owner_under_its_new_name(
    slack: Slack,
) -> None:
    acme(slack, team=(BEN,))
    asked = bens_checkin(slack)
    say(slack, "rename Acme to Acme Foundation")
    click(slack, BEN, asked, "checkin_answer_went_well")
    assert "You answered: *✅ Went well*." in shown(current(slack, asked))
    at(slack, utc(25, 14, 5))
    debrief, replies = debrief_thread(slack)
    assert "Acme Foundation" in shown(debrief)
    assert replies == ["<@U0BEN> answered *✅ Went well*"]
    (checkin,) = [c for c in rows(slack, CheckIn) if c.user_id == BEN]
    assert checkin.answer == "went_well"


def test_a_checkin_answered_after_the_partnership_ended_still_counts(slack: Slack) -> None:
    acme(slack, team=(BEN,))
    asked = bens_checkin(slack)
    say(slack, "status Acme ended")
    click(slack, BEN, asked, "checkin_answer_problem")
    slack.fake.dismiss_modals(BEN)
    (checkin,) = [c for c in rows(slack, CheckIn) if c.user_id == BEN]
    assert checkin.answer == "problem"
    at(slack, utc(25, 14, 30))
    # The owner still hears of it; an ended partner is at risk nowhere.
    assert [m for m in inbox(slack, ANA) if "reports a *problem*" in m.text]
    assert "Acme" not in say(slack, "health", BEN).split("at risk")[-1]


def test_a_checkin_waiting_to_go_when_its_partner_is_merged_names_the_kept_one_and_its_owner(
    slack: Slack,
) -> None:
    # Chloe's card waited for her Tokyo morning while Ana merged Acme into Dan's Globex; it
    # said "your answer goes to the partner's owner <@U0ANA>" about "Acme", and went to Dan.
    acme(slack, team=(BEN,))
    say(slack, "add Globex", DAN)
    say(slack, "log Acme with Jane Doe via meeting : winter appeal", CHLOE)
    at(slack, START)
    assert checkin_messages(slack, CHLOE) == []
    assert "Merged *Acme* into *Globex*" in say(slack, "merge Acme into Globex")
    at(slack, utc(26, 0, 15))  # Thursday 09:15 in Tokyo
    (asked,) = checkin_messages(slack, CHLOE)
    assert asked.text == "How did your meeting with *Globex* on Wed 25 Nov go?"
    assert "You logged it. Your answer goes to the partner's owner <@U0DAN>." in shown(asked)
    assert "<@U0ANA>" not in shown(asked)
    click(slack, CHLOE, asked, "checkin_answer_mixed")
    at(slack, utc(26, 10))  # Dan's morning in London
    (debrief,) = [m for m in inbox(slack, DAN) if m.text.startswith("Debrief of the meeting")]
    assert "*Globex*" in debrief.text
    assert [m.text for m in slack.fake.thread(debrief)] == ["<@U0CHLOE> answered *🤔 Mixed*"]


def test_an_answer_changed_after_a_handover_reaches_the_new_owner_not_the_old_ones_thread(
    slack: Slack,
) -> None:
    # Ben's change of answer, queued for Dan (the new owner), was posted as a reply under the
    # debrief in Ana's DM: Ana, no longer the owner, read it; Dan never heard of the meeting.
    acme(slack, team=(BEN,))
    asked = bens_checkin(slack)
    click(slack, BEN, asked, "checkin_answer_mixed")
    at(slack, utc(25, 14, 5))
    assert debrief_thread(slack)[1] == ["<@U0BEN> answered *🤔 Mixed*"]
    say(slack, f"owner Acme {MENTION[DAN]}")
    click(slack, BEN, current(slack, asked), "checkin_change")
    click(slack, BEN, current(slack, asked), "checkin_answer_went_well")
    at(slack, utc(25, 14, 10))
    assert debrief_thread(slack)[1] == ["<@U0BEN> answered *🤔 Mixed*"]  # as Ana read it
    (debrief,) = [m for m in inbox(slack, DAN) if m.text.startswith("Debrief of the meeting")]
    assert "You own this partnership" in debrief.text
    # The first Dan reads of it: an answer, not a change of one he never saw.
    assert [m.text for m in slack.fake.thread(debrief)] == ["<@U0BEN> answered *✅ Went well*"]


def test_a_debrief_waiting_to_go_when_the_partner_is_handed_over_goes_to_the_new_owner(
    slack: Slack,
) -> None:
    # Ben answered at 15:01 in Berlin, Ana handed Acme to Dan at once: the debrief, still
    # waiting to go, reached Ana ("You own this partnership") and Dan never heard of it.
    acme(slack, team=(BEN,))
    asked = bens_checkin(slack)
    click(slack, BEN, asked, "checkin_answer_mixed")
    say(slack, f"owner Acme {MENTION[DAN]}")
    at(slack, utc(25, 14, 10))
    assert [m for m in inbox(slack, ANA) if m.text.startswith("Debrief")] == []
    (debrief,) = [m for m in inbox(slack, DAN) if m.text.startswith("Debrief of the meeting")]
    assert [m.text for m in slack.fake.thread(debrief)] == ["<@U0BEN> answered *🤔 Mixed*"]


def test_a_problems_reply_waiting_for_its_note_at_a_handover_goes_to_the_new_owner(
    slack: Slack,
) -> None:
    bens_problem(slack)
    at(slack, utc(25, 14, 3))  # the debrief's head reached Ana; its reply waits for a note
    say(slack, f"owner Acme {MENTION[DAN]}")
    at(slack, utc(25, 14, 30))
    assert debrief_thread(slack)[1] == []
    assert debrief_threads(slack, DAN) == [["<@U0BEN> answered *⚠️ Problem*"]]
    assert [m for m in inbox(slack, DAN) if "reports a *problem*" in m.text]


def test_a_problem_changed_to_went_well_takes_the_partner_off_the_at_risk_list(
    slack: Slack,
) -> None:
    asked = bens_problem(slack)
    at_risk = say(slack, "health", DAN)
    assert "Partners at risk (1)" in at_risk and "Problem" in at_risk
    click(slack, BEN, current(slack, asked), "checkin_change")
    click(slack, BEN, current(slack, asked), "checkin_answer_went_well")
    assert "No partner is at risk" in say(slack, "health", DAN)
    assert "Health of Acme: 100/100" in say(slack, "health Acme", DAN)


def test_a_debrief_waiting_to_go_when_its_partner_is_merged_goes_to_the_kept_ones_owner(
    slack: Slack,
) -> None:
    # Ben answered, and Ana merged Acme into Dan's Globex before the debrief went: it reached
    # Ana, who owns nothing of it now, and Dan, who owns the meeting's history, never heard.
    acme(slack, team=(BEN,))
    say(slack, "add Globex", DAN)
    asked = bens_checkin(slack)
    click(slack, BEN, asked, "checkin_answer_mixed")
    assert "Merged *Acme* into *Globex*" in say(slack, "merge Acme into Globex")
    at(slack, utc(25, 14, 10))
    assert debrief_threads(slack, ANA) == []
    assert debrief_threads(slack, DAN) == [["<@U0BEN> answered *🤔 Mixed*"]]
    assert "*Globex*" in inbox(slack, DAN)[-1].text


def nobody_owns(slack: Slack, name: str) -> None:
    """The partner's owner is its deputy instead: nobody owns it (a partner from before every
    partner had an owner)."""
    with Session(slack.runtime.engine) as session:
        partner = session.exec(select(Partner).where(Partner.name == name)).one()
        owner = session.exec(
            select(TeamMembership).where(
                TeamMembership.partner_id == partner.id, TeamMembership.role == TeamRole.OWNER
            )
        ).one()
        owner.role = TeamRole.DEPUTY
        session.add(owner)
        session.commit()


def test_a_debrief_waiting_at_a_merge_into_a_partner_nobody_owns_still_reaches_its_reader(
    slack: Slack,
) -> None:
    # Ben answered, and Dan merged Ana's Acme into Globex, which nobody owns, before the debrief
    # went: it was withdrawn, nobody read Ben's answer, and nobody was told.
    acme(slack, team=(BEN,))
    say(slack, f"deputy Acme {MENTION[DAN]}")
    say(slack, "add Globex", DAN)
    nobody_owns(slack, "Globex")  # Dan is its deputy
    asked = bens_checkin(slack)
    click(slack, BEN, asked, "checkin_answer_mixed")
    answer = say(slack, "merge Acme into Globex", DAN)
    assert (
        "*Globex* has no owner yet, so the check-in answer about *Acme*'s meetings waiting for "
        "<@U0ANA> goes to them as before."
    ) in answer
    at(slack, utc(25, 14, 10))
    # Ana, who was told of the meeting and whom Ben's card named, reads it in that thread.
    assert debrief_threads(slack, ANA) == [["<@U0BEN> answered *🤔 Mixed*"]]
    assert debrief_threads(slack, DAN) == []


def test_a_problems_reply_waiting_for_its_note_at_a_merge_goes_to_the_kept_ones_owner(
    slack: Slack,
) -> None:
    bens_problem(slack)
    say(slack, "add Globex", DAN)
    at(slack, utc(25, 14, 3))  # the debrief's head reached Ana; its reply waits for a note
    say(slack, "merge Acme into Globex")
    at(slack, utc(25, 14, 30))
    assert debrief_thread(slack)[1] == []
    assert debrief_threads(slack, DAN) == [["<@U0BEN> answered *⚠️ Problem*"]]


def test_a_note_and_a_change_waiting_at_a_handover_reach_the_new_owner_as_one_reply(
    slack: Slack,
) -> None:
    # Ana had read Ben's note; he edited it, then changed his answer, and Ana handed Acme to
    # Dan before either reply went: Dan got two replies, each saying the same answer and note.
    asked = bens_note_read_by_ana(slack)
    bens_note(slack, asked, "Late start, good end")
    click(slack, BEN, current(slack, asked), "checkin_change")
    click(slack, BEN, current(slack, asked), "checkin_answer_went_well")
    say(slack, f"owner Acme {MENTION[DAN]}")
    at(slack, utc(25, 14, 30))
    assert debrief_thread(slack)[1] == ["<@U0BEN> answered *🤔 Mixed*\n> Late start"]
    (debrief,) = [m for m in inbox(slack, DAN) if m.text.startswith("Debrief of the meeting")]
    assert [m.text for m in slack.fake.thread(debrief)] == [
        "<@U0BEN> answered *✅ Went well*\n> Late start, good end"
    ]


def test_a_note_only_the_old_owner_read_is_not_removed_for_the_new_one(slack: Slack) -> None:
    # Ana had read Ben's note and handed Acme to Dan; Ben edited the note, then cleared it:
    # Dan's first word of the meeting was "removed their note", about a note he never read.
    asked = bens_note_read_by_ana(slack)
    say(slack, f"owner Acme {MENTION[DAN]}")
    bens_note(slack, asked, "Late start, good end")
    bens_note(slack, asked, "")
    at(slack, utc(25, 14, 30))
    assert debrief_threads(slack, DAN) == [["<@U0BEN> answered *🤔 Mixed*"]]
    bens_note(slack, asked, "Good end")
    bens_note(slack, asked, "")
    at(slack, utc(25, 14, 45))
    # Dan read no note: there is none to tell him is gone, in his thread or Ana's.
    assert debrief_threads(slack, DAN) == [["<@U0BEN> answered *🤔 Mixed*"]]
    assert debrief_thread(slack)[1] == ["<@U0BEN> answered *🤔 Mixed*\n> Late start"]


def test_a_note_the_owner_read_before_handing_over_and_back_is_removed_in_their_thread(
    slack: Slack,
) -> None:
    # Ana read Ben's note, handed Acme to Dan, who read his answer without it, and took Acme
    # back. Ben gave a note and cleared it: Dan had read no note, so Ana was told nothing and
    # still read "Late start" as Ben's note.
    asked = bens_note_read_by_ana(slack)
    say(slack, f"owner Acme {MENTION[DAN]}")
    bens_note(slack, asked, "")
    at(slack, utc(25, 14, 20))
    assert debrief_threads(slack, DAN) == [["<@U0BEN> answered *🤔 Mixed*"]]
    say(slack, f"owner Acme {MENTION[ANA]}")
    bens_note(slack, asked, "Good end")
    bens_note(slack, asked, "")
    at(slack, utc(25, 14, 40))
    assert debrief_thread(slack)[1] == [
        "<@U0BEN> answered *🤔 Mixed*\n> Late start",
        "<@U0BEN> removed their note on their answer *🤔 Mixed*",
    ]


# --- Pulse surveys: reactions and people not asked ----------------------------------------------


def test_a_reaction_taken_off_then_another_put_on_is_the_new_answer(slack: Slack) -> None:
    surveyed(slack)
    first = questions(slack, DAN)[0]
    react(slack, DAN, first, "four")
    unreact(slack, DAN, first, "four")
    assert [a.score for a in rows(slack, SurveyAnswer)] == [None]
    react(slack, DAN, current(slack, first), "two")
    assert [a.score for a in rows(slack, SurveyAnswer)] == [2]
    assert "Your answer: *2* — :two: disagree" in shown(current(slack, first))
    assert "1 of 4 answered so far" in say(slack, "survey Acme")


def test_a_click_on_someone_elses_statement_records_nothing(slack: Slack) -> None:
    surveyed(slack)
    dans = questions(slack, DAN)[0]
    before = current(slack, dans).blocks
    click(slack, ANA, dans, "survey_score_5")  # Ana, owner and admin, on Dan's statement
    slack.fake.add_user(id="U0EVE", name="eve", real_name="Eve", tz="Europe/Paris")
    click(slack, "U0EVE", dans, "survey_score_1")  # someone on no team at all
    react(slack, "U0EVE", dans, "one")
    assert rows(slack, SurveyAnswer) == []
    assert current(slack, dans).blocks == before
    assert "0 of 4 answered so far" in say(slack, "survey Acme")


def test_someone_away_for_a_whole_round_is_asked_again_in_the_next(slack: Slack) -> None:
    acme(slack)
    say(slack, "away today to 2026-12-11", user=DAN)
    say(slack, "survey Acme now")
    at(slack, START)
    at(slack, utc(25, 14, 20))
    at(slack, utc(26, 0, 20))
    for user in (ANA, BEN, CHLOE):
        answer_all(slack, user, (4, 4, 4, 4))
    at(slack, utc(2, 9, 5, month=12))
    assert questions(slack, DAN) == []
    # January's scheduled round: Dan is back and is asked with the others, in the morning's
    # first quarter hour (`bot.delivery.working_hours`).
    at(slack, datetime(2027, 1, 5, 9, 1, tzinfo=UTC))
    at(slack, datetime(2027, 1, 5, 9, 15, tzinfo=UTC))
    assert len(questions(slack, DAN)) == 4
    second = max(rows(slack, SurveyRound), key=lambda r: r.id or 0)
    asked = {d.user_id for d in rows(slack, SurveyDelivery) if d.round_id == second.id}
    assert DAN in asked


def test_one_in_touch_lately_but_on_no_team_is_asked_and_told_why(slack: Slack) -> None:
    acme(slack, team=())
    say(slack, f"log Acme on 2026-10-20 with {MENTION[DAN]} via call : old call", CHLOE)
    say(slack, "intend Acme : ask for money", BEN)  # an intent is no contact
    assert "I've asked <@U0ANA>, <@U0CHLOE>, <@U0DAN>." in say(slack, "survey Acme now")
    at(slack, START)
    at(slack, utc(26, 0, 20))
    for user in (CHLOE, DAN):
        invitation = inbox(slack, user)[0]
        assert "You're asked because you were in touch with them in the last 90 days." in (
            invitation.text
        )
        assert len(questions(slack, user)) == 4
    assert inbox(slack, BEN) == []


# --- Two workspaces with the same user ids ----------------------------------------------------


def test_a_reaction_from_another_workspace_on_a_statement_changes_nothing(slack: Slack) -> None:
    surveyed(slack)
    first = questions(slack, DAN)[0]
    request = slack.requests.reaction_added(user_id=DAN, message=first, name="five")
    send(slack, in_workspace(slack, request, OTHER))
    assert rows(slack, SurveyAnswer) == []
    assert "Your answer" not in shown(current(slack, first))


def test_a_click_from_another_workspace_on_an_open_statement_says_it_is_not_theirs(
    slack: Slack,
) -> None:
    surveyed(slack)
    first, invitation = questions(slack, DAN)[0], inbox(slack, DAN)[0]
    for message, action_id in ((first, "survey_score_4"), (invitation, "survey_comment")):
        request = slack.requests.block_action(user_id=DAN, action_id=action_id, message=message)
        send(slack, in_workspace(slack, request, OTHER))
        said = shown(slack.ephemerals_to(DAN)[-1])
        # The round is open: it is not closed, only not theirs to answer from there.
        assert "has closed" not in said, action_id
        assert "This pulse survey was sent in another workspace" in said, action_id
    assert rows(slack, SurveyAnswer) == []
    assert "Your answer" not in shown(current(slack, first))
    assert rows(slack, SurveyRound)[0].closed_at is None


def test_the_home_in_another_workspace_shows_nothing_of_this_one(slack: Slack) -> None:
    surveyed(slack)
    say(slack, "commit Acme us : send the MoU by 2026-11-20")
    home = home_of(slack, ANA)
    assert "Acme" in home
    request = in_workspace(slack, slack.requests.app_home_opened(user_id=ANA), OTHER)
    delivery = slack.deliver.send(request)
    assert delivery.status == 200
    slack.runtime.drain()
    other = json.dumps(slack.fake.home_views[ANA]["blocks"], ensure_ascii=False)
    assert "Acme" not in other
    assert "send the MoU" not in other
    assert "Pulse survey" not in other
    assert "You are not on any partner's team yet." in other


def test_another_workspaces_admin_view_and_health_show_nothing_of_this_one(slack: Slack) -> None:
    acme(slack, team=(BEN,))
    slack.fake.fail_next("chat.postMessage", error="channel_not_found")
    say(slack, f"owner Acme {MENTION[DAN]}")  # the handover note to Dan fails
    at(slack, utc(25, 10))
    assert "*Failed deliveries* (latest 1)" in home_of(slack, ANA)
    request = in_workspace(slack, slack.requests.app_home_opened(user_id=ANA), OTHER)
    assert slack.deliver.send(request).status == 200
    slack.runtime.drain()
    other = json.dumps(slack.fake.home_views[ANA]["blocks"], ensure_ascii=False)
    assert "Failed deliveries" not in other and "Across the workspace" not in other
    for verb in ("health", "list at-risk"):
        assert "No partners registered yet." in command_in(slack, OTHER, verb, user=DAN)
    assert "I don't know a partner called “Acme”" in command_in(slack, OTHER, "health Acme")


# --- The Home ---------------------------------------------------------------------------------


def test_an_admin_with_no_partners_yet_sees_how_to_begin(slack: Slack) -> None:
    home = home_of(slack, ANA)
    assert "You are not on any partner's team yet." in home


def test_an_admin_sees_failed_survey_deliveries_to_a_deactivated_colleague(slack: Slack) -> None:
    acme(slack)
    slack.fake.users[DAN].deleted = True  # Dan left after he was put on Acme's team
    say(slack, "survey Acme now")
    at(slack, START.replace(minute=30))
    home = home_of(slack, ANA)
    # The invitation and its four statements failed alike: one line, not five.
    assert "*Failed deliveries* (latest 2)" in home
    assert "survey invitation and its 4 statements to <@U0DAN>" in home
    assert "survey question" not in home
    assert "their account is deactivated (`conversations.open: user_disabled`, 1 try)" in home
    # The older failure (the note that put him on the team) has a line of its own left.
    assert "team to <@U0DAN>" in home and "older one" not in home
    assert "Failed deliveries" not in home_of(slack, BEN)
    # The round counts only those it could ask.
    assert "0 of 3 answered so far" in say(slack, "survey Acme")


def test_a_survey_fully_answered_leaves_the_home_waiting_list(slack: Slack) -> None:
    surveyed(slack)
    assert "Pulse survey about *Acme*: 0 of 4 statements scored" in home_of(slack, DAN)
    answer_all(slack, DAN, (4, 4, 3, 2))
    assert "Pulse survey about *Acme*" not in home_of(slack, DAN)


# --- Health resting on one kind of data ---------------------------------------------------------


def test_health_resting_on_the_pulse_alone_says_so(slack: Slack) -> None:
    surveyed(slack)
    at(slack, utc(25, 14, 20))
    at(slack, utc(26, 0, 20))
    for user in (ANA, BEN, CHLOE):
        answer_all(slack, user, (5, 5, 5, 5))
    at(slack, utc(2, 9, 5, month=12))
    said = say(slack, "health Acme", BEN)
    assert "Health of Acme: 100/100" in said
    assert "*100/100*, from 1 of 5 parts." in said
    assert "*Check-ins* — · no check-in answered" in said
    assert "*Health* :large_green_circle: 100/100 · pulse 100 · check-ins —" in say(
        slack, "show Acme", BEN
    )


def test_health_resting_on_commitments_alone_moves_with_each_promise(slack: Slack) -> None:
    acme(slack)
    say(slack, "commit Acme us : send the MoU by 2026-11-26")
    say(slack, "commit Acme them : sign by 2026-11-30")
    at(slack, utc(26, 10))
    say(slack, "done 1")
    said = say(slack, "health Acme", BEN)
    assert "Health of Acme: 100/100" in said and "from 1 of 5 parts." in said
    at(slack, utc(1, 10, month=12))  # theirs is overdue: one kept, one overdue (counted twice)
    assert "Health of Acme: 33/100" in say(slack, "health Acme", BEN)
    at_risk = say(slack, "health", BEN)
    assert "Partners at risk (1)" in at_risk and "score below 50" in at_risk


# --- The digest -------------------------------------------------------------------------------


def test_a_partner_with_no_activity_is_not_in_the_digests_details(slack: Slack) -> None:
    acme(slack, team=(BEN,))
    say(slack, "add Globex")
    say(slack, "log Acme via call : catch-up", BEN)
    at(slack, utc(30, 9, 0))
    (digest,) = [m for m in channel_posts(slack) if m.text.startswith("Weekly digest")]
    assert digest.text.endswith(": 2 new partners · 1 touchpoint logged.")
    assert [m.text for m in slack.fake.thread(digest)] == [
        "*This week, by partner*\n• *Acme*: 1 touchpoint logged",
        "*New partners*\n• *Acme*\n• *Globex*",
    ]
