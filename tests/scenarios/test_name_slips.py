"""Names as people type them a second time: a contact person with their role in brackets, a
partner's name with a letter missing. Signed commands through the real app, what the fake
Slack received.

The clock starts on Wednesday 25 Nov 2026, 09:00 UTC.
"""

from __future__ import annotations

import pytest

from tests.conftest import Slack
from tests.scenarios.test_partners import BEN, DAN, answer, click, last, shown
from tests.scenarios.test_touchpoints import acme as acme  # noqa: F401 (the fixture)


@pytest.mark.usefixtures("acme")
def test_a_contact_person_with_their_role_in_brackets_is_the_person_met_before(
    slack: Slack,
) -> None:
    # QA: "Jane Doe (CEO)" was saved as a second contact beside "Jane Doe".
    answer(slack, "log Acme with Jane Doe via call : intro", user=BEN)
    said = answer(slack, "log Acme with Jane Doe (CEO) via meeting : pricing", user=DAN)
    assert "with Jane Doe." in said  # as she was first saved
    contacts = answer(slack, "contacts Acme", user=DAN)
    assert "1 contact at Acme Corporation" in contacts
    assert "*Jane Doe*" in contacts and "(CEO)" not in contacts

    # Saved first with the role, he keeps his name when named without it (the role in
    # brackets is his title, as `contact add` reads it).
    answer(slack, "log Acme with Dr. John Roe (CFO) via call : budget", user=BEN)
    said = answer(slack, "log Acme with john roe via call : budget again", user=DAN)
    assert "with Dr. John Roe." in said
    assert "2 contacts at Acme Corporation" in answer(slack, "contacts Acme", user=DAN)


def test_a_partner_name_with_a_letter_left_out_is_offered_the_partner(slack: Slack) -> None:
    # QA: "Oxfm" said "Check the spelling" beside "Oxfam Great Britain", also known as "Oxfam
    # GB": a slip was only read in a name whose other words say what kind of body it is.
    answer(slack, 'add Oxfam Great Britain aka "Oxfam GB"')
    answer(slack, "add Plant for the Planet")
    answer(slack, "add Core Group Polio Project")
    said = answer(slack, "log Oxfm : first call", user=DAN)
    assert "I don't know a partner called “Oxfm”. Did you mean one of these?" in said
    assert "• *Oxfam Great Britain* · owner <@U0ANA>" in said
    click(slack, DAN, last(slack, DAN), "partner_pick_0")
    assert "Logged your contact with *Oxfam Great Britain* today" in shown(last(slack, DAN))

    # A letter more at the end, or another letter in a short word, is another word.
    for typed in ("Plan", "Care"):
        said = answer(slack, f"log {typed} : first call", user=DAN)
        assert f"I don't know a partner called “{typed}”. Check the spelling" in said


def test_a_partner_named_with_a_plus_or_ampersand_first_is_found_by_its_plain_name(
    slack: Slack,
) -> None:
    # QA: "+Acumen" was stored as "and acumen", so "Acumen" found nothing, not even a
    # suggestion, and `log` offered to register it again.
    answer(slack, "add +Acumen")
    assert "+Acumen: owner <@U0ANA>" in answer(slack, "show Acumen", user=DAN)
    said = answer(slack, "log Acumen : first call", user=DAN)
    assert "Logged your contact with *+Acumen* today" in said
    # Between two words the mark still means "and".
    answer(slack, "add Procter & Gamble")
    assert "Procter &amp; Gamble: owner" in answer(slack, "show Procter and Gamble", user=DAN)


def test_a_name_typed_as_the_first_word_of_a_partner_is_offered_it_first(slack: Slack) -> None:
    # QA: with Org005, Org010, Org020 and Org050 Foundation registered, "Org050" was offered
    # the first three (a digit off each) and never Org050 Foundation.
    for number in (5, 10, 20, 50):
        answer(slack, f"add Org{number:03d} Foundation")
    said = answer(slack, "show Org050", user=DAN)
    assert "Did you mean one of these? Org050 Foundation, Org005 Foundation" in said
    click(slack, DAN, last(slack, DAN), "partner_pick_0")
    assert "Org050 Foundation: owner <@U0ANA>" in shown(last(slack, DAN))
