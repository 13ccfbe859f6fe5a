"""Block Kit of check-ins and pulse surveys, built from plain values without Slack."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.services.checkins import CheckInCard, Debrief, ProblemAlert
from bot.services.feedback import Cadence
from bot.services.registry import PartnerFacts
from bot.services.surveys import (
    QUESTIONS,
    OpenRound,
    PartnerFeedback,
    QuestionCard,
    QuestionResult,
    RoundResults,
    Schedule,
    SurveyInvitation,
)
from handlers.blocks import feedback as blocks
from handlers.texts import feedback as texts
from storage.models import CheckInAnswer

MEETING = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


def action_ids(rendered_blocks: list[dict[str, Any]]) -> list[str]:
    return [
        element["action_id"]
        for block in rendered_blocks
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def card(**changes: Any) -> CheckInCard:
    values: dict[str, Any] = {
        "checkin_id": 7,
        "partner_name": "Acme",
        "medium": "call",
        "meeting_at": MEETING,
        "tz": "America/New_York",
        "planned": False,
        "author_id": "U0ANA",
        "recipient_id": "U0BEN",
        "owner_id": "U0ANA",
        "answer": None,
        "note": None,
        "moved_to": None,
        "expired": False,
        "changeable_until": None,
    }
    values.update(changes)
    return CheckInCard(**values)


def test_the_owners_own_checkin_is_not_passed_on_to_them() -> None:
    own = json.dumps(blocks.checkin(card(recipient_id="U0ANA")).blocks)
    assert "You logged it. Your answer counts towards the partner's health." in own
    unowned = json.dumps(blocks.checkin(card(owner_id=None)).blocks)
    assert "goes to the partner's owner" not in unowned


@pytest.mark.parametrize(
    ("planned", "recorded", "said"),
    [
        (False, "logged", "You took part; <@U0ANA> logged it, as you did."),
        (False, "planned", "You took part; <@U0ANA> logged it, and you planned it."),
        (True, "logged", "You were to take part; <@U0ANA> planned it, and you logged it."),
    ],
)
def test_a_card_about_a_colleagues_record_says_it_stands_for_the_readers_own_too(
    planned: bool, recorded: str, said: str
) -> None:
    shown = blocks.checkin(card(planned=planned, recipient_recorded=recorded))
    assert said in json.dumps(shown.blocks)


def test_a_reply_under_a_closed_checkin_says_why_and_where_to_write_instead() -> None:
    moved = card(superseded=True, moved_to=datetime(2026, 12, 1, 15, tzinfo=UTC))
    assert texts.reply_in_closed_checkin(moved, NOW) == (
        "This check-in closed on Wed 25 Nov: the call with *Acme* on Tue 24 Nov moved to Tue "
        "1 Dec, and I'll ask you how it went after that day. So I did not keep this reply. To "
        "record a new contact with them: `/partner log Acme : what happened`; anything else, "
        "tell <@U0ANA>, who owns *Acme*."
    )
    # The owner's own check-in names nobody else to tell; a name the grammar would misread is
    # quoted in the command.
    own = card(recipient_id="U0ANA", expired=True, partner_name="Room to Read")
    assert texts.reply_in_closed_checkin(own, None) == (
        "This check-in about the call with *Room to Read* on Tue 24 Nov closed without an "
        "answer. So I did not keep this reply. To record a new contact with them: `/partner log "
        '"Room to Read" : what happened`.'
    )


def test_a_checkin_asks_with_buttons_and_says_why() -> None:
    shown = blocks.checkin(card())
    assert shown.text == "How did your call with *Acme* on Tue 24 Nov go?"
    assert action_ids(shown.blocks) == [
        "checkin_answer_went_well",
        "checkin_answer_mixed",
        "checkin_answer_problem",
        "checkin_note",
    ]
    assert "You took part; <@U0ANA> logged it." in json.dumps(shown.blocks)
    # Only what is true as the card is made: Ana is not away (QA21b NIT 1).
    assert "Your answer goes to the partner's owner <@U0ANA>." in json.dumps(shown.blocks)
    assert "covers" not in json.dumps(shown.blocks)
    planned = blocks.checkin(card(planned=True))
    assert action_ids(planned.blocks)[3:] == [
        "checkin_answer_didnt_happen",
        "checkin_moved",
        "checkin_note",
    ]
    every_value = {
        element["value"]
        for block in planned.blocks
        if block["type"] == "actions"
        for element in block["elements"]
    }
    assert every_value == {"7"}


@pytest.mark.parametrize(
    ("problem_to", "late_covers", "said"),
    [
        ("U0DAN", (), "a Problem goes to <@U0DAN>, who covers for them."),
        ("U0BEN", (), "you cover for them meanwhile."),
        (None, (), "no one covers for them then, so a Problem waits for their return too."),
        # Covers whose working hours (or own time away) come only after the owner's return.
        (
            None,
            ("U0CHLOE",),
            "a Problem waits for their return too: <@U0CHLOE>, who covers for them, would "
            "not see it sooner.",
        ),
        (
            None,
            ("U0CHLOE", "U0DAN"),
            "a Problem waits for their return too: <@U0CHLOE> and <@U0DAN>, who cover for them,",
        ),
        (
            None,
            ("U0BEN",),
            "a Problem waits for their return too: you cover for them, but would not see it "
            "sooner.",
        ),
    ],
)
def test_a_checkin_says_who_covers_for_an_owner_away(
    problem_to: str | None, late_covers: tuple[str, ...], said: str
) -> None:
    shown = json.dumps(
        blocks.checkin(card(owner_away=True, problem_to=problem_to, late_covers=late_covers)).blocks
    )
    assert (
        "You took part; <@U0ANA> logged it. Your answer goes to the partner's owner <@U0ANA> "
        f"when they are back from time away; {said}"
    ) in shown


def test_an_answered_checkin_shows_the_answer_instead_of_the_buttons() -> None:
    shown = blocks.checkin(
        card(
            answer=CheckInAnswer.PROBLEM,
            note="They cancelled",
            changeable_until=NOW + timedelta(hours=24),
        )
    )
    text = json.dumps(shown.blocks, ensure_ascii=False)
    assert "You answered: *⚠️ Problem*." in text
    assert "Your note: _They cancelled_" in text
    assert "You can change it until Thu 26 Nov 09:00" in text  # New York time
    assert "You took part; <@U0ANA> logged it." in text  # which meeting it was, still
    # One sentence after another in one element, not two apart (QA21b NIT 12).
    assert "You took part; <@U0ANA> logged it. You can change it until Thu 26 Nov 09:00" in text
    assert action_ids(shown.blocks) == ["checkin_change", "checkin_note"]
    editing = blocks.checkin(
        card(answer=CheckInAnswer.MIXED, editing=True, changeable_until=NOW + timedelta(hours=24))
    )
    assert "checkin_answer_mixed" in action_ids(editing.blocks)
    # The buttons again, and over them the answer that stands meanwhile: a card left so for
    # days would otherwise read as unanswered.
    assert (
        "You answered: *🤔 Mixed*. It stands unless you pick another by Thu 26 Nov 09:00."
    ) in json.dumps(editing.blocks, ensure_ascii=False)


def test_an_expired_checkin_has_no_buttons() -> None:
    shown = blocks.checkin(card(expired=True))
    assert action_ids(shown.blocks) == []
    assert "closed without an answer" in json.dumps(shown.blocks)
    assert "You took part; <@U0ANA> logged it." in json.dumps(shown.blocks)


def test_a_planned_meeting_says_who_planned_it() -> None:
    assert "You were to take part; <@U0ANA> planned it." in json.dumps(
        blocks.checkin(card(planned=True)).blocks
    )
    mine = card(planned=True, author_id="U0BEN")
    assert "You planned it." in json.dumps(blocks.checkin(mine).blocks)


def test_a_checkin_closed_by_a_move_says_where_the_meeting_went() -> None:
    shown = blocks.checkin(card(planned=True, superseded=True, moved_to=MEETING + timedelta(7)))
    assert action_ids(shown.blocks) == []
    assert "This meeting moved to Tue 1 Dec; I'll ask you how it went after that day." in (
        json.dumps(shown.blocks)
    )


def test_a_moved_answer_is_changed_only_by_moving_it_again() -> None:
    moved = card(
        planned=True, answer=CheckInAnswer.MOVED, moved_to=MEETING + timedelta(7), editing=True
    )
    assert action_ids(blocks.checkin(moved).blocks) == ["checkin_moved", "checkin_note"]
    assert "It stands unless you pick another day." in json.dumps(blocks.checkin(moved).blocks)


def test_the_reminder_says_it_is_the_only_one() -> None:
    assert blocks.MESSAGES.checkin_reminder(card()).text.startswith("Reminder — How did your call")


def test_forms_carry_the_checkin_and_ask_the_right_thing() -> None:
    problem = blocks.note_form(card(note="late"), problem=True)
    assert problem["title"]["text"] == "What went wrong?"
    assert blocks.read_metadata(problem) == {"checkin": 7}
    (field,) = [b for b in problem["blocks"] if b["type"] == "input"]
    assert field["block_id"] == blocks.NOTE_FIELD and field["element"]["initial_value"] == "late"
    moved = blocks.move_form(card(planned=True))
    assert [b["element"]["type"] for b in moved["blocks"] if b["type"] == "input"] == ["datepicker"]
    assert blocks.read_metadata({"private_metadata": "not json"}) == {}


def test_debrief_and_problem_alert_name_who_said_what() -> None:
    debrief = Debrief(
        touchpoint_id=3,
        partner_name="Acme",
        medium="meeting",
        meeting_at=MEETING,
        tz="Europe/Berlin",
        author_id="U0BEN",
        user_id="U0DAN",
        answer=CheckInAnswer.MOVED,
        note=None,
        moved_to=MEETING + timedelta(days=7),
        changed=True,
    )
    assert blocks.debrief_head(debrief).text.startswith("Debrief of the meeting with *Acme*")
    assert "(logged by <@U0BEN>)" in blocks.debrief_head(debrief).text
    planned = replace(debrief, planned=True)
    assert "(planned by <@U0BEN>)" in blocks.debrief_head(planned).text
    assert blocks.debrief_line(debrief).text == (
        "<@U0DAN> changed their answer to *📅 Moved* — to Tue 1 Dec"
    )
    alert = ProblemAlert(
        partner_name="Acme",
        medium="event",
        meeting_at=MEETING,
        tz="Asia/Tokyo",
        user_id="U0DAN",
        note="Venue fell through",
        owner_id="U0ANA",
        covering=True,
    )
    text = blocks.problem_alert(alert).text
    assert "on Wed 25 Nov" in text  # 00:00 in Tokyo
    assert "> Venue fell through" in text
    assert "because <@U0ANA>, the owner, is away" in text
    # A note typed in the form comes as typed: its blocks show it literally, pinging nobody
    # (a `>` starting a line stays a quote, as in Slack).
    typed = replace(alert, note="<!channel> R&D >2k\n> moved?", partner_name="<R&D>")
    shown = json.dumps(blocks.problem_alert(typed).blocks, ensure_ascii=False)
    assert "> @\u2060channel R&amp;D &gt;2k\\n> moved?" in shown
    assert "*&lt;R&amp;D&gt;*" in shown
    assert "<!channel>" not in shown


def question(score: int | None = None, *, closed: bool = False) -> QuestionCard:
    return QuestionCard(
        message_id=41,
        partner_name="Acme",
        number=2,
        of=4,
        text=QUESTIONS[1],
        score=score,
        closed=closed,
    )


def test_a_statement_has_five_buttons_and_shows_the_recorded_score() -> None:
    shown = blocks.survey_question(question())
    assert action_ids(shown.blocks) == [f"survey_score_{n}" for n in range(1, 6)]
    assert "statement 2 of 4" in shown.text
    answered = blocks.survey_question(question(4))
    text = json.dumps(answered.blocks)
    assert "Your answer: *4*" in text
    styles = [
        element.get("style")
        for block in answered.blocks
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    # Answered: *Withdraw* beside the numbers takes it back (a click leaves no reaction to remove).
    assert styles == [None, None, None, "primary", None, None]
    assert action_ids(answered.blocks)[-1] == "survey_withdraw"
    assert "React or click another number to change it; *Withdraw* takes it back." in text
    assert blocks.read_score_value("41:4") == (41, 4)
    assert blocks.read_score_value("nonsense") is None
    closed = blocks.survey_question(question(4, closed=True))
    assert action_ids(closed.blocks) == []
    # Closed, nothing can be changed: the answer alone, no way to change it offered.
    assert 'Your answer: *4* — :four: agree."' in json.dumps(closed.blocks, ensure_ascii=False)
    # Nor by the text notifications and previews show (it asked for a reaction).
    assert closed.text == (
        "Pulse survey about Acme, statement 2 of 4: I know what we and the partner are each "
        "responsible for. This survey has closed."
    )


def invitation(
    *,
    closes_at: datetime = NOW + timedelta(days=7),
    tz: str = "Europe/London",
    unanswered: int | None = None,
) -> SurveyInvitation:
    """Acme's invitation of a contact, four statements, results with at least 3 answers."""
    return SurveyInvitation(
        delivery_id=9,
        partner_name="Acme",
        reason="contact",
        questions=4,
        closes_at=closes_at,
        tz=tz,
        threshold=3,
        unanswered=unanswered,
    )


def test_the_invitation_explains_the_anonymity() -> None:
    shown = blocks.survey_invitation(invitation())
    assert "you were in touch with them in the last 90 days" in shown.text
    assert "only when at least 3 people answered" in shown.text
    assert "take it back with *Withdraw* under it (or by removing your reaction)" in shown.text
    assert action_ids(shown.blocks) == ["survey_comment"]


def test_the_reminder_says_how_many_statements_are_left_in_words_that_agree() -> None:
    def reminder(unanswered: int) -> str:
        return blocks.survey_reminder(invitation(unanswered=unanswered)).text

    assert "1 of 4 statements is still open, in the messages above" in reminder(1)
    assert "3 of 4 statements are still open, in the messages above" in reminder(3)
    assert "The statements are in the messages above" in reminder(4)  # none answered yet


def test_the_invitation_says_when_the_round_closes_in_the_readers_zone() -> None:
    # Wednesday 13 Jan, 09:00 in Tokyo: 01:00 that day in Berlin, 00:00 in London (the end of
    # their Tuesday), Tuesday 19:00 in New York.
    closes_at = datetime(2027, 1, 13, 0, 0, tzinfo=UTC)

    def until(tz: str) -> str:
        text = blocks.survey_invitation(invitation(closes_at=closes_at, tz=tz)).text
        return text.split("Open until ")[1]

    assert until("Asia/Tokyo") == "Wed 13 Jan at 09:00."
    assert until("Europe/Berlin") == "Wed 13 Jan at 01:00."
    assert until("Europe/London") == "the end of Tue 12 Jan."
    assert until("America/New_York") == "Tue 12 Jan at 19:00."


def results(respondents: int, comments: tuple[str, ...] = ()) -> RoundResults:
    enough = respondents >= 3
    return RoundResults(
        round_id=1,
        partner_name="Acme",
        started_at=NOW,
        closed_at=NOW + timedelta(days=7),
        invited=4,
        respondents=respondents,
        threshold=3,
        questions=tuple(
            QuestionResult(
                number=n,
                text=text,
                answers=3,
                average=(4.5 if n != 3 else None) if enough else None,
                change=(-0.5 if n == 1 else None) if enough else None,
            )
            for n, text in enumerate(QUESTIONS, start=1)
        ),
        comments=comments if enough else (),
    )


def test_results_are_aggregates_or_not_enough_answers() -> None:
    few = blocks.round_report(results(2))
    text = json.dumps(few.blocks, ensure_ascii=False)
    assert "has closed: 2 of 4 answered (50%)." in text
    assert "Not enough answers to show results; at least 3" in text
    assert text.count("2 of 4 answered") == 1  # said once
    assert "/ 5" not in text

    many = blocks.round_report(results(3, ("Zebra", "apple")))
    text = json.dumps(many.blocks, ensure_ascii=False)
    assert "3 of 4 answered (75%)" in text
    assert "This partnership is delivering value for us: *4.5* / 5 ▼0.5" in text
    assert "The work is fairly shared between us and the partner: _not enough answers_" in text
    assert "> Zebra\\n> apple" in text
    assert "<@" not in text


def test_the_results_name_the_round_by_the_days_it_started_and_closed() -> None:
    # Not "Round of 2 Dec": the day it closed was not the round people were asked in.
    shown = json.dumps(blocks.round_report(results(3)).blocks, ensure_ascii=False)
    assert "Round started Wed 25 Nov, closed Wed 2 Dec 2026 · averages from 1" in shown
    # In the workspace's zone (rounds are scheduled in it): Thursday morning in Auckland.
    auckland = replace(results(3), tz="Pacific/Auckland")
    assert texts.round_days(auckland) == "Round started Thu 26 Nov, closed Thu 3 Dec 2026"
    # Over the new year, both years.
    late = replace(results(3), started_at=datetime(2026, 12, 29, 9, tzinfo=UTC))
    late = replace(late, closed_at=datetime(2027, 1, 5, 9, tzinfo=UTC))
    assert texts.round_days(late) == "Round started Tue 29 Dec 2026, closed Tue 5 Jan 2027"


def test_the_schedule_and_the_section_for_show_and_check() -> None:
    facts = PartnerFacts(
        id=1,
        name="Acme",
        status="active",
        owner_id="U0ANA",
        deputy_id=None,
        website_domain=None,
        channel_id=None,
        last_contact_at=None,
    )
    found = Schedule(
        partner=facts,
        cadence=Cadence.MONTHLY,
        own_cadence=False,
        workspace_cadence=Cadence.MONTHLY,
        next_round_at=datetime(2026, 12, 1, 9, tzinfo=UTC),
        open_round=OpenRound(started_at=NOW, closes_at=NOW, invited=4, answered=1),
        last=results(3),
        tz="UTC",
    )
    text = json.dumps(blocks.schedule(found).blocks, ensure_ascii=False)
    assert "Next scheduled round: Tue 1 Dec." in text
    assert "1 of 4 answered so far" in text
    assert "*4.5* / 5" in text

    summary = PartnerFeedback(
        partner_name="Acme",
        pulse=None,
        open_round=None,
        checkins={"went_well": 3, "problem": 1},
        tz="UTC",
    )
    section = json.dumps(blocks.feedback_section(summary), ensure_ascii=False)
    assert "Check-ins (90 days): ✅ Went well 3 · ⚠️ Problem 1" in section
    assert "Pulse: no survey has run its course yet." in section


def test_a_note_of_several_lines_is_in_italics_and_quoted_line_by_line() -> None:
    # Two replies in a check-in's thread make a note of two lines: mrkdwn's `_…_` and `>` stop at
    # a line break, so each line carries its own (a line typed as a quote stays one).
    assert texts.checkin_note("went well \n\nby Friday") == "Your note: _went well_\n\n_by Friday_"
    alert = ProblemAlert(
        partner_name="Acme",
        medium="call",
        meeting_at=MEETING,
        tz="UTC",
        user_id="U0DAN",
        note="They cancel\nfor now\n> said Jane",
        owner_id="U0ANA",
        covering=False,
    )
    assert "\n> They cancel\n> for now\n> said Jane\n" in texts.problem_alert(alert)
