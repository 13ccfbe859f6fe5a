"""The shared builders of `handlers.blocks`: mrkdwn escaped for Slack once, plain text as it is."""

from __future__ import annotations

from bot.mrkdwn import WORD_JOINER
from handlers.blocks import button, context, fields, header, option, section
from handlers.reply import Reply

TYPED = "R&D <Labs> <!channel>"
ESCAPED = f"R&amp;D &lt;Labs&gt; @{WORD_JOINER}channel"


def test_every_mrkdwn_text_object_escapes_what_people_typed() -> None:
    assert section(f"*{TYPED}* with <@U0BEN>")["text"]["text"] == f"*{ESCAPED}* with <@U0BEN>"
    assert context(TYPED, "<#C0PARTNERS>")["elements"] == [
        {"type": "mrkdwn", "text": ESCAPED},
        {"type": "mrkdwn", "text": "<#C0PARTNERS>"},
    ]
    assert fields(("Contact", TYPED))["fields"] == [
        {"type": "mrkdwn", "text": f"*Contact*\n{ESCAPED}"}
    ]


def test_plain_text_is_not_escaped_and_shows_a_broadcast_as_typed() -> None:
    shown = "R&D <Labs> @channel"
    assert header(TYPED)["text"]["text"] == shown
    assert button(f"Brief me on {TYPED}", "a", "1")["text"]["text"] == f"Brief me on {shown}"
    assert option(TYPED, "1")["text"]["text"] == shown


def test_a_long_section_is_cut_after_escaping_and_never_inside_an_entity() -> None:
    text = section("&" * 2000)["text"]["text"]
    assert len(text) <= 3000
    assert text == "&amp;" * 600


def test_a_replys_text_goes_to_slack_escaped_once() -> None:
    reply = Reply(text=f"Noted: {TYPED}", blocks=[section(f"Noted: {TYPED}")])
    body = reply.as_ack()
    assert body["text"] == f"Noted: {ESCAPED}"
    assert body["blocks"][0]["text"]["text"] == f"Noted: {ESCAPED}"
    assert reply.text == f"Noted: {TYPED}"
