"""The partner registry's Block Kit, built from plain values and checked against Slack's limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.services.registry import (
    ContactInfo,
    PartnerFacts,
    PartnerPage,
    PartnerProfile,
    Similar,
    SimilarBy,
)
from handlers.blocks import partners as blocks
from handlers.reply import Block, Reply
from handlers.texts import partners as texts
from storage.models import TeamRole

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def facts(
    partner_id: int = 1, name: str = "Médecins Sans Frontières", **changes: Any
) -> PartnerFacts:
    values: dict[str, Any] = {
        "id": partner_id,
        "name": name,
        "status": "active",
        "owner_id": "U0ANA",
        "deputy_id": "U0BEN",
        "website_domain": "msf.org",
        "channel_id": "C0MSF",
        "last_contact_at": NOW - timedelta(days=3),
        **changes,
    }
    return PartnerFacts(**values)


def profile(contacts: int = 2, **changes: Any) -> PartnerProfile:
    return PartnerProfile(
        facts=facts(**changes),
        aliases=["MSF", "Doctors Without Borders"],
        members=["U0CHLOE", "U0DAN"],
        contacts=[
            ContactInfo(f"Person {n:02}", f"p{n}@msf.org", "Head of Partnerships")
            for n in range(contacts)
        ],
        notes="Met at the Geneva forum.",
        created_by="U0ANA",
        created_at=datetime(2026, 1, 5, tzinfo=UTC),
        last_contact_by="U0DAN",
    )


def assert_within_slack_limits(reply: Reply) -> None:
    assert reply.text
    assert len(reply.blocks) <= 50
    for block in reply.blocks:
        assert len(block.get("text", {}).get("text", "")) <= 3000
        assert len(block.get("fields", [])) <= 10
        for element in block.get("elements", []):
            if element.get("type") == "button":
                assert len(element["value"]) <= 2000
                assert len(element["text"]["text"]) <= 75
    action_ids = [
        element["action_id"]
        for block in reply.blocks
        for element in block.get("elements", [])
        if "action_id" in element
    ]
    assert len(action_ids) == len(set(action_ids))


def rendered(blocks_: list[Block]) -> str:
    return json.dumps(blocks_, ensure_ascii=False)


def buttons(reply: Reply) -> list[dict[str, Any]]:
    return [
        element
        for block in reply.blocks
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def test_card_shows_the_whole_profile() -> None:
    reply = blocks.card(profile(), now=NOW, lead="Added it.")
    assert_within_slack_limits(reply)
    shown = rendered(reply.blocks)
    assert reply.blocks[0]["text"]["text"] == "Added it."
    assert reply.blocks[1] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Médecins Sans Frontières", "emoji": True},
    }
    for expected in (
        "*Owner*\\n<@U0ANA>",
        "*Deputy*\\n<@U0BEN>",
        "🟢 active",
        "*Team*\\n<@U0CHLOE>, <@U0DAN>",
        "<https://msf.org|msf.org>",
        "<#C0MSF>",
        "3 days ago by <@U0DAN>",
        "*Person 01* · Head of Partnerships · <mailto:p1@msf.org|p1@msf.org>",
        "Also known as: “MSF”, “Doctors Without Borders”",
        "Met at the Geneva forum.",
        "Added by <@U0ANA> on 5 Jan 2026",
    ):
        assert expected in shown
    assert "<@U0ANA>" in reply.text


def test_card_of_a_new_partner_says_what_is_not_set() -> None:
    bare = PartnerProfile(
        facts=facts(deputy_id=None, website_domain=None, channel_id=None, last_contact_at=None),
        aliases=[],
        members=[],
        contacts=[],
        notes=None,
        created_by="U0ANA",
        created_at=NOW,
        last_contact_by=None,
    )
    shown = rendered(blocks.card(bare, now=NOW).blocks)
    assert "*Deputy*\\n—" in shown
    assert "*Last contact*\\nnot yet" in shown
    assert "Also known as" not in shown
    assert "Contacts" not in shown


def test_card_lists_ten_contacts_and_points_to_the_rest() -> None:
    reply = blocks.card(profile(contacts=14), now=NOW)
    shown = rendered(reply.blocks)
    assert "Person 09" in shown and "Person 10" not in shown
    assert "…and 4 more: `/partner contacts Médecins Sans Frontières`" in shown


def test_contacts_lists_everyone_in_sections_within_limits() -> None:
    reply = blocks.contacts(profile(contacts=50))
    assert_within_slack_limits(reply)
    shown = rendered(reply.blocks)
    assert "50 contacts at Médecins Sans Frontières" in shown
    assert "Person 44" in shown and "Person 45" not in shown
    assert "…and 5 more." in shown
    empty = blocks.contacts(profile(contacts=0))
    assert "No contacts at *Médecins Sans Frontières* yet" in empty.text


def test_a_list_page_has_a_line_each_and_a_more_button_that_round_trips() -> None:
    page = PartnerPage(
        partners=[facts(n, f"Partner {n:03}") for n in range(blocks.PAGE_SIZE)],
        next_after=("partner 039", 39),
        roles={1: TeamRole.OWNER, 2: TeamRole.MEMBER},
    )
    value = blocks.more_value("mine", ("partner 039", 39))
    reply = blocks.list_page(page, scope="mine", now=NOW, more_value=value, first=True)
    assert_within_slack_limits(reply)
    shown = rendered(reply.blocks)
    assert "Your partners" in shown
    assert (
        "*Partner 001* · 🟢 active · owner <@U0ANA> · last contact 3 days ago · you own it" in shown
    )
    assert "you are on the team" in shown
    (more,) = buttons(reply)
    assert more["action_id"] == blocks.LIST_MORE
    assert blocks.read_more_value(more["value"]) == ("mine", ("partner 039", 39))
    assert blocks.read_more_value("not json") is None


@pytest.mark.parametrize(
    ("days", "by", "said"),
    [
        (None, None, "not yet"),
        (0, "U0BEN", "today by <@U0BEN>"),
        (1, None, "yesterday"),
        (17, "U0BEN", "17 days ago by <@U0BEN>"),
        (364, "U0BEN", "364 days ago by <@U0BEN>"),
        (400, None, "400 days ago (22 Oct 2025)"),
    ],
)
def test_last_contact_counts_days_and_says_by_whom(
    days: int | None, by: str | None, said: str
) -> None:
    now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    moment = None if days is None else now - timedelta(days=days)
    assert texts.last_contact(moment, by, now) == said
    line = texts.list_line(facts(last_contact_at=moment, last_contact_by=by), None, now)
    assert line.endswith(f"last contact {said}")


def test_the_last_page_has_no_more_button_and_an_empty_list_says_so() -> None:
    last = blocks.list_page(
        PartnerPage(partners=[facts()], next_after=None, roles={}),
        scope="all",
        now=NOW,
        more_value=None,
        first=False,
    )
    assert buttons(last) == []
    assert last.blocks[0]["type"] == "section"  # no second header on later pages
    empty = blocks.list_page(
        PartnerPage(partners=[], next_after=None, roles={}),
        scope="mine",
        now=NOW,
        more_value=None,
        first=True,
    )
    assert "You are not on any partner's team yet" in empty.text


def test_did_you_mean_offers_each_candidate_as_a_button_that_reruns() -> None:
    reply = blocks.did_you_mean(
        "Doctors Withot Borders",
        [
            (facts(1), 'show "Médecins Sans Frontières"'),
            (facts(2, "Doctors of the World"), 'show "Doctors of the World"'),
            (facts(3, "Too Long"), "show " + "x" * 2001),
        ],
    )
    assert_within_slack_limits(reply)
    assert "I don't know a partner called “Doctors Withot Borders”" in reply.text
    assert [(b["action_id"], b["value"]) for b in buttons(reply)] == [
        ("partner_pick_0", 'show "Médecins Sans Frontières"'),
        ("partner_pick_1", 'show "Doctors of the World"'),
    ]
    nothing = blocks.did_you_mean("Zzyzx", [])
    assert "Check the spelling" in nothing.text and buttons(nothing) == []


def test_duplicate_prompt_shows_the_owner_and_asks() -> None:
    reply = blocks.duplicate_prompt(
        "MSF Intl",
        [
            Similar(facts(1), SimilarBy.WEBSITE),
            Similar(facts(2, "MSF International"), SimilarBy.NAME, "MSF International"),
        ],
        "MSF Intl owner <@U0BEN>",
    )
    assert_within_slack_limits(reply)
    shown = rendered(reply.blocks)
    assert "same website, msf.org" in shown
    assert "*MSF International* · owner <@U0ANA>" in shown
    assert [(b["action_id"], b["value"]) for b in buttons(reply)] == [
        ("partner_use_existing_0", "1"),
        ("partner_use_existing_1", "2"),
        ("partner_create_anyway", "MSF Intl owner <@U0BEN>"),
    ]
    assert buttons(reply)[0]["text"]["text"] == "Use existing: Médecins Sans Frontières"
    assert buttons(reply)[-1]["text"]["text"] == "Create “MSF Intl” anyway"
    # A long name is cut inside the quotes, so the button still says what it does.
    long_name = "Médecins Sans Frontières International Emergency Response Unit Geneva"
    long = blocks.duplicate_prompt(long_name, [Similar(facts(1), SimilarBy.NAME)], long_name)
    assert_within_slack_limits(long)
    label = buttons(long)[-1]["text"]["text"]
    assert label.startswith("Create “Médecins Sans") and label.endswith("…” anyway")


def test_the_add_form() -> None:
    view = blocks.add_form(owner_id="U0ANA", private_metadata='{"response_url": "x"}')
    assert view["callback_id"] == blocks.ADD_VIEW
    by_id = {block["block_id"]: block for block in view["blocks"]}
    assert list(by_id) == [
        blocks.NAME_FIELD,
        blocks.ALIASES_FIELD,
        blocks.OWNER_FIELD,
        blocks.DEPUTY_FIELD,
        blocks.TEAM_FIELD,
        blocks.STATUS_FIELD,
        blocks.WEBSITE_FIELD,
        blocks.NOTES_FIELD,
        blocks.ANYWAY_FIELD,
    ]
    assert by_id["name"]["element"]["max_length"] == 120
    assert by_id["name"]["optional"] is False
    assert by_id["owner"]["element"] == {
        "type": "users_select",
        "initial_user": "U0ANA",
        "action_id": "value",
    }
    assert by_id["status"]["element"]["initial_option"]["value"] == "prospect"
    assert by_id["team"]["element"]["type"] == "multi_users_select"
    assert len(view["title"]["text"]) <= 24


def test_a_name_ending_in_a_full_stop_closes_the_sentence_once() -> None:
    assert texts.added("Greenpeace e.V.").startswith("Added *Greenpeace e.V.* Use")
    assert texts.added("Acme").startswith("Added *Acme*. Use")
