"""Names as people type them a second time: a contact person with their role in brackets, a
partner's name with a letter missing. Signed commands through the real app, what the fake
Slack received.

The clock starts on Wednesday 25 Nov 2026, 09:00 UTC.
"""

from __future__ import annotations

import pytest

from tests.conftest import Slack
from tests.scenarios.test_partners import BEN, DAN, answer
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

    # Saved first with the role, she keeps that name when named without it.
    answer(slack, "log Acme with Dr. John Roe (CFO) via call : budget", user=BEN)
    said = answer(slack, "log Acme with john roe via call : budget again", user=DAN)
    assert "with Dr. John Roe (CFO)." in said
    assert "2 contacts at Acme Corporation" in answer(slack, "contacts Acme", user=DAN)
