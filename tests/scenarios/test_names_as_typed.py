"""Partner names with Slack's marks (`*`, `_`, `~`, a backtick) as colleagues meet them in
commitments, check-ins, pulse surveys, health, the Home, time away and the weekly digest:
signed commands, clicks and forms through the real app, what the fake Slack received.

QA: "*A*B Corp*" showed "A" in bold. In mrkdwn a mark of a name that Slack would read shows
as its look-alike (`bot.mrkdwn.literal`); a `_` inside a word (Save_the_Children) opens
nothing and stays. Plain text (headers, buttons) keeps the name as it is;
notes and comments people typed keep their own formatting.

The clock starts on Wednesday 25 Nov 2026, 09:00 UTC.
"""

from __future__ import annotations

import re

from bot.mrkdwn import literal
from bot.sandbox.fake_slack import FakeMessage
from handlers.blocks import commitments as blocks
from tests.conftest import START, Slack
from tests.scenarios.test_commitments import (
    action_ids,
    answer,
    at,
    form_values,
    partner_id,
    shown,
    submit,
)
from tests.scenarios.test_feedback import click, current, questions, send
from tests.scenarios.test_health import MENTION, digests, utc
from tests.scenarios.test_home import home_of

ANA, BEN, CHLOE, DAN = "U0ANA", "U0BEN", "U0CHLOE", "U0DAN"
SAVE = literal("Save_the_Children")  # as typed: a `_` inside a word opens nothing
AB = literal("A*B Corp")  # "A∗B Corp": a `*` anywhere would
# The names whose marks Slack would read, which must not show bare.
BARE = tuple(name for name in ("Save_the_Children", "A*B Corp") if literal(name) != name)


def dms(slack: Slack, user: str) -> list[FakeMessage]:
    return [m for m in slack.fake.dm_messages(user) if m.ephemeral_to is None]


def mrkdwn_of(message: FakeMessage) -> str:
    """The message's text and its mrkdwn (not its headers nor its buttons)."""
    parts = [message.text]
    for block in message.blocks:
        if block["type"] == "section" and "text" in block:
            parts.append(block["text"]["text"])
        parts += [field["text"] for field in block.get("fields", [])]
        if block["type"] == "context":
            parts += [element["text"] for element in block["elements"]]
    return "\n".join(parts)


def bare_in(text: str) -> list[str]:
    """The names bare in mrkdwn outside code (a command shown as code keeps the name bare:
    the marks are literal there)."""
    prose = re.sub(r"`[^`]*`", "", text)
    return [name for name in BARE if name in prose]


def save_the_children(slack: Slack) -> None:
    """Save_the_Children, owned by Ana, with Dan on its team; every colleague's profile cached."""
    answer(slack, "add Save_the_Children")
    answer(slack, f"team Save_the_Children add {MENTION[DAN]}")
    answer(slack, "status Save_the_Children active")
    for user in (BEN, CHLOE, DAN):
        answer(slack, "show Save_the_Children", user=user)


def test_commitments_health_and_the_home_show_the_name_as_typed(slack: Slack) -> None:
    save_the_children(slack)
    said = answer(slack, "commit Save_the_Children them : the *signed* NDA by 2026-11-27", user=DAN)
    assert f"*{SAVE}* owes us “the *signed* NDA”" in said
    assert f"I'll remind you to chase *{SAVE}*" in said
    assert f"*Balance with {SAVE}*" in said
    assert bare_in(mrkdwn_of(_last(slack, DAN))) == []
    answer(slack, "commit Save_the_Children us : the report by 2026-11-30")

    listed = _last_after(slack, "commitments Save_the_Children", DAN)
    assert listed.blocks[0]["text"]["text"] == "Open commitments with Save_the_Children"
    assert listed.text == f"Open commitments with {SAVE}"
    assert f"*we* owe *{SAVE}* “the report”" in mrkdwn_of(listed)
    assert bare_in(mrkdwn_of(listed)) == []

    cadence = answer(slack, "cadence Save_the_Children")
    assert f"*{SAVE}*: " in cadence

    answer(slack, "log Save_the_Children via call : a first call", user=DAN)
    report = _last_after(slack, "health Save_the_Children", DAN)
    assert report.blocks[0]["text"]["text"].startswith("Health of Save_the_Children: ")
    assert report.text.startswith(f"Health of {SAVE}: ")
    assert bare_in(mrkdwn_of(report)) == []

    home = home_of(slack, ANA)
    assert f"*{SAVE}* · " in home
    assert "*A*B Corp*" not in home


def test_a_checkin_its_problem_and_its_debrief_show_the_name_as_typed(slack: Slack) -> None:
    save_the_children(slack)
    answer(slack, "log Save_the_Children via meeting : the *pilot* review", user=DAN)
    at(slack, utc(26, 9, 15))  # Thursday 09:15 in London
    (asked,) = [m for m in dms(slack, DAN) if "checkin_answer_problem" in action_ids(m)]
    assert asked.text == f"How did your meeting with *{SAVE}* on Wed 25 Nov go?"
    assert bare_in(mrkdwn_of(asked)) == []

    click(slack, DAN, asked, "checkin_answer_problem")
    (form,) = slack.fake.open_modals(DAN)
    values = {"note": {"value": {"type": "plain_text_input", "value": "They *want* to cancel"}}}
    send(slack, slack.requests.view_submission(user_id=DAN, view=form, values=values))
    at(slack, utc(26, 9, 16))
    (alert,) = [m for m in dms(slack, ANA) if "reports a *problem*" in m.text]
    assert f"with the meeting with *{SAVE}* on Wed 25 Nov." in alert.text
    assert "> They *want* to cancel" in alert.text  # the note keeps its own formatting
    (debrief,) = [m for m in dms(slack, ANA) if m.text.startswith("Debrief of the meeting")]
    assert debrief.text.startswith(f"Debrief of the meeting with *{SAVE}* on Wed 25 Nov")
    for message in (alert, debrief, current(slack, asked)):
        assert bare_in(mrkdwn_of(message)) == []

    # Wednesday's week in the digest, on Monday at 09:00.
    answer(slack, "add A*B Corp")
    answer(slack, "plan A*B Corp on 2026-12-02 10:00 : the kickoff")
    at(slack, utc(30, 9, 0))
    (digest,) = digests(slack)
    assert f"*At risk (1)*: {SAVE} (" in shown(digest)
    replies = [reply.text for reply in slack.fake.thread(digest)]
    assert any(
        reply.startswith(f"*At risk*, worst first\n:warning: *{SAVE}* ") for reply in replies
    )
    assert f"• *{SAVE}*: " in "\n".join(replies)
    assert f"• *{AB}*: 1 planned for the week ahead" in "\n".join(replies)
    assert f"*New partners*\n• *{AB}*\n• *{SAVE}*" in replies
    for message in (digest, *slack.fake.thread(digest)):
        assert bare_in(mrkdwn_of(message)) == []


def test_a_pulse_round_shows_the_name_as_typed(slack: Slack) -> None:
    save_the_children(slack)
    answer(slack, f"team Save_the_Children add {MENTION[BEN]} {MENTION[CHLOE]}")
    said = answer(slack, "survey Save_the_Children")
    assert f"*Pulse survey of {SAVE}*" in said
    said = answer(slack, "survey Save_the_Children monthly")
    assert f"Done: *{SAVE}* is now surveyed monthly." in said
    said = answer(slack, "survey Save_the_Children now")
    assert f"Started a pulse survey of *{SAVE}*" in said
    said = answer(slack, "survey Save_the_Children now")
    assert f"*{SAVE}* already has a pulse survey." in said

    at(slack, START)
    (invitation,) = [m for m in dms(slack, DAN) if m.text.startswith("*Pulse survey: ")]
    assert invitation.text.startswith(f"*Pulse survey: {SAVE}*\n")
    first, *_ = questions(slack, DAN)
    assert first.text.startswith(f"Pulse survey about {SAVE}, statement 1 of 4: ")
    assert f"{SAVE} · react :one:" in mrkdwn_of(first)
    for message in (invitation, first):
        assert bare_in(mrkdwn_of(message)) == []

    at(slack, START.replace(hour=14, minute=20))  # Ben's morning in New York
    at(slack, START.replace(day=26, hour=0, minute=20))  # Chloe's in Tokyo
    for user in (ANA, BEN, DAN):
        for message in questions(slack, user):
            click(slack, user, message, "survey_score_4")
    at(slack, utc(2, 9, 5, month=12))
    (report,) = [m for m in slack.fake.messages_in("C0PARTNERS") if "Pulse results" in shown(m)]
    assert report.text.startswith(f"The pulse survey about *{SAVE}* has closed")
    headers = [b["text"]["text"] for b in report.blocks if b["type"] == "header"]
    assert headers == ["Pulse results: Save_the_Children"]
    assert bare_in(mrkdwn_of(report)) == []

    card = _last_after(slack, "show Save_the_Children", BEN)
    assert f"*Feedback on {SAVE}*" in mrkdwn_of(card)
    said = answer(slack, "survey Save_the_Children", user=BEN)
    assert f"*Pulse results: {SAVE}*" in said


def test_time_away_shows_the_names_of_the_partners_it_leaves_as_typed(slack: Slack) -> None:
    save_the_children(slack)
    said = answer(slack, "away today to friday")
    assert f"*{SAVE}*, which you own, has no deputy" in said
    assert bare_in(said) == []


def _last(slack: Slack, user: str) -> FakeMessage:
    return slack.ephemerals_to(user)[-1]


def _last_after(slack: Slack, text: str, user: str) -> FakeMessage:
    delivery = slack.command(text, user=user)
    assert delivery.status == 200
    return _last(slack, user)


def test_the_commitment_form_names_an_ended_partner_as_typed(slack: Slack) -> None:
    # A form's field error is plain text: Liaison's bold and italics come out as the words
    # (`bot.mrkdwn.plain`), which took the marks of a name like "*Kids* First" with them.
    answer(slack, "add *Kids* First")
    answer(slack, "status *Kids* First ended")
    slack.command("commit", user=BEN)
    (view,) = slack.fake.open_modals(BEN)
    kids = partner_id(slack, "*Kids* First")
    submit(
        slack,
        view,
        BEN,
        form_values(partner=kids, side="us", owner=BEN, what="NDA", due="2026-12-02"),
    )
    assert view.errors == {
        blocks.PARTNER_FIELD: "The partnership with *Kids* First has ended, and nobody follows "
        "it any more. If it goes on, ask @ana (owner) or an admin to reopen it; else pick "
        "another partner."
    }
