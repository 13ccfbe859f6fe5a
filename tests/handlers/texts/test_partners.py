"""Texts about partners: their channels, the sentences that end with a name, and the refusals
that say who may act."""

from __future__ import annotations

from typing import Any

import pytest

from bot.services.registry import Conflict, ListChange, Merged, PartnerFacts, Renamed
from bot.services.touchpoints import Reopening
from handlers.texts import commitments, feedback, partners, touchpoints
from handlers.texts.partners import cannot_post, full_stop, who_may
from storage.models import PartnerStatus, TouchpointKind
from tests.factories import partner_facts


def facts(**changes: Any) -> PartnerFacts:
    return partner_facts(**{"name": "Oxfam Int.", "deputy_id": "U0BEN", **changes})


def test_a_refused_coordination_channel_says_where_its_messages_go_meanwhile() -> None:
    said = cannot_post("#nope", "channel_not_found", default_channel="#partnerships")
    assert (
        "The setting stands. Meanwhile collision alerts, survey results and the weekly digest go "
        "to #partnerships, the server's default channel (partners with a channel of their own "
        "still get theirs there), until you choose a channel Liaison can post in (#nope again, "
        "once it is fixed)."
    ) in said
    # No default (or the default is the one refused): they fail, and it says so.
    for default in (None, "#nope"):
        said = cannot_post("#nope", "channel_not_found", default_channel=default)
        assert "fail until it works: the server has no other channel" in said
    said = cannot_post("C0ACME", "is_archived", partners=True, default_channel="#partnerships")
    assert (
        "The setting stands. Meanwhile the partner's alerts and survey results go to the "
        "workspace's coordination channel, until you choose a channel Liaison can post in "
        "(<#C0ACME> again, once it is fixed)."
    ) in said  # QA qa21b NIT 4: said plainly


def test_a_sentence_ends_once_after_a_name_with_a_full_stop_of_its_own() -> None:
    assert full_stop("now called *Oxfam Int.*") == "now called *Oxfam Int.*"
    assert full_stop("now called Oxfam Int.") == "now called Oxfam Int."
    assert full_stop("now called *Oxfam*") == "now called *Oxfam*."
    oxfam = facts()
    said = [
        partners.renamed(Renamed(facts=oxfam, old_name="Oxfam")),
        partners.not_allowed(oxfam),
        partners.added("Oxfam Int."),
        partners.aliases_changed(
            ListChange(facts=oxfam, changed=[], unchanged=["OI"], now=["OI"]), adding=True
        ),
        partners.merged(Merged(kept=oxfam, duplicate_name="OI", moved={})),
        partners.nothing_to_do(Conflict.ALREADY_OWNER, oxfam, "U0ANA"),
        partners.nothing_to_do(Conflict.NOT_AN_ALIAS, oxfam, "OXF"),
        partners.status_set(oxfam),
        partners.deputy_set(oxfam, None),
        partners.handed_over(oxfam, None, ()),
        commitments.not_allowed_cadence(oxfam),
        feedback.not_allowed_to_start(oxfam),
    ]
    for text in said:
        assert ".." not in text, text
    assert said[0] == "*Oxfam* is now called *Oxfam Int.* The old name still finds it."
    assert "can change *Oxfam Int.* Ask them" in said[1]
    assert said[3] == "“OI” already stands for *Oxfam Int.*\nAlso known as: “OI”."
    assert said[4].startswith("Merged *OI* into *Oxfam Int.* “OI” now finds *Oxfam Int.*")


def test_a_refusal_names_who_may_act_in_one_list() -> None:
    assert partners.not_allowed(facts(), ["U0CY"]) == (
        "Only <@U0ANA> (owner), <@U0BEN> (deputy) or an admin (<@U0CY>) can change *Oxfam "
        "Int.* Ask them, or ask to be made deputy."
    )
    # An owner who is an admin too is named once, as the owner.
    assert who_may(["U0ANA"], owner="U0ANA") == "<@U0ANA> (owner) or an admin"
    assert feedback.not_allowed_to_set_cadence(facts(name="Oxfam")) == (
        "Only <@U0ANA> (owner), <@U0BEN> (deputy) or an admin can change how often the team of "
        "*Oxfam* is surveyed. Ask one of them."
    )
    assert commitments.not_allowed_cadence(facts(name="Oxfam")) == (
        "Only <@U0ANA> (owner), <@U0BEN> (deputy) or an admin can set the stay-in-touch cadence "
        "of *Oxfam*."
    )
    assert feedback.not_allowed_to_start(facts(name="Oxfam")) == (
        "Only <@U0ANA> (owner) or an admin can start a pulse survey of *Oxfam*. Ask them, or "
        "wait for the next scheduled round."
    )
    ended = touchpoints.ended_partner(
        facts(name="Oxfam", status=PartnerStatus.ENDED),
        kind=TouchpointKind.PLANNED,
        reopening=Reopening(may=False, owner_id="U0ANA", deputy_id="U0BEN"),
    )
    assert "ask <@U0ANA> (owner), <@U0BEN> (deputy) or an admin to reopen it" in ended


@pytest.mark.parametrize("deputy", [None, "U0BEN"])
def test_a_partner_with_no_owner_names_no_owner_in_a_refusal(deputy: str | None) -> None:
    orphan = facts(name="Oxfam", owner_id=None, deputy_id=deputy)
    said = [
        partners.not_allowed(orphan),
        feedback.not_allowed_to_set_cadence(orphan),
        feedback.not_allowed_to_start(orphan),
        commitments.not_allowed_cadence(orphan),
    ]
    for text in said:
        assert "nobody" not in text and "owner" not in text, text
    only = "Only <@U0BEN> (deputy) or an admin" if deputy else "Only an admin"
    assert said[0] == f"{only} can change *Oxfam*. Ask them, or ask to be made deputy."
    assert said[2].startswith("Only an admin can start a pulse survey of *Oxfam*.")


def test_initials_not_known_say_how_to_make_them_a_partners_name() -> None:
    # "DWB" for Doctors Without Borders: initials are not guessed (bot.naming), so the answer
    # says how the owner makes them an alias rather than only how to register a new partner.
    said = partners.unknown_partner("DWB", False)
    assert said.endswith(
        "If it is short for a partner you have, its owner, its deputy or an admin can give "
        "it that name: "
        '`/partner alias NAME add "DWB"`.'
    )
    assert "alias NAME" in partners.unknown_partner("MSF", False, register_button=True)
    for other in ("Child", "Cair", "D", "UNICEF Kenya"):
        assert "alias" not in partners.unknown_partner(other, False)
    assert "alias" not in partners.unknown_partner("DWB", True)  # "Did you mean" instead


def test_a_single_letter_old_name_dropped_is_said_to_be_one() -> None:
    said = partners.renamed(
        Renamed(facts=facts(name="Energy Partners"), old_name="E", old_name_kept=False)
    )
    assert (
        "“E” is a single letter, so it is not kept as an alias: it would name no partner in "
        "particular."
    ) in said
    assert "common word" not in said
