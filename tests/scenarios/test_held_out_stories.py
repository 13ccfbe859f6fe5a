"""Held-out colleague stories of the revolving door, told as a partnership manager would, beside
`test_colleague_stories.py`, `test_heldout_stories.py` and `test_manager_stories.py`: signed
`/partner` requests and clicks through the real app, the outbox delivered to the fake Slack over
HTTP by the scheduler's tick, and every answer, channel post, thread reply and direct message
each person received.

The clock starts on Wednesday 25 Nov 2026, 09:00 UTC: 10:00 for Ana (Berlin, admin, owner of
Acme Corporation), 04:00 for Ben (New York), 18:00 for Chloe (Tokyo), 09:00 for Dan (London);
Eve (London) joins where a story needs a fifth colleague.
"""

from __future__ import annotations

import pytest

from bot.sandbox.fake_slack import FakeMessage
from tests.conftest import Slack
from tests.scenarios.test_partners import ANA, BEN, CHLOE, DAN, answer, shown
from tests.scenarios.test_touchpoints import acme as acme  # noqa: F401 (the fixture)
from tests.scenarios.test_touchpoints import collision_count, deliver_outbox, dms, posts

WARNED = ":warning: *Others are in touch with Acme Corporation:*"
EVE = "U0EVE"


def add_eve(slack: Slack) -> None:
    """Eve, in London, outside Acme's team, who has typed a command once."""
    slack.fake.add_user(id=EVE, name="eve", real_name="Eve", tz="Europe/London")
    answer(slack, "show Acme", user=EVE)


def about(slack: Slack, user: str, words: str) -> list[FakeMessage]:
    """The direct messages `user` received that mention `words`."""
    return [m for m in dms(slack, user) if words in m.text]


def top_level(slack: Slack, channel: str = "C0PARTNERS") -> list[FakeMessage]:
    """The channel's messages from Liaison at top level (not thread replies)."""
    return [m for m in posts(slack, channel) if m.thread_ts in (None, m.ts)]


# --- An outsider who takes one of the team along -----------------------------------------------


@pytest.mark.usefixtures("acme")
def test_an_outsider_who_takes_the_owner_along_is_no_revolving_door_with_the_deputy(
    slack: Slack,
) -> None:
    # Chloe, Acme's deputy, calls Acme; Ben, outside the team, meets them that day with Ana, the
    # owner, along, and plans a follow-up with her; Dan, on the team, plans a visit. The team is
    # coordinating among itself: nobody is warned, nothing is posted, and Ana, who was there, is
    # not told of her own meeting. Eve, alone, is the revolving door, with all of them.
    add_eve(slack)
    answer(slack, "deputy Acme <@U0CHLOE|chloe>")
    answer(slack, "team Acme add <@U0DAN|dan>")
    said = answer(slack, "log Acme via call : the deputy's call", user=CHLOE)
    assert "Logged your call with *Acme Corporation* today at 18:00." in said
    said = answer(slack, "log Acme with <@U0ANA|ana> via meeting : ben took ana along", user=BEN)
    assert said.startswith(
        "Logged your meeting with *Acme Corporation* today at 04:00, together with <@U0ANA>.\n"
    )
    assert WARNED not in said and "let its owner" not in said and "#partnerships" not in said
    said = answer(slack, "plan Acme on friday with <@U0ANA|ana> : follow-up with ana", user=BEN)
    assert said.startswith(
        "Planned your meeting with *Acme Corporation* on Fri 27 Nov, together with <@U0ANA>.\n"
    )
    assert WARNED not in said and "let its owner" not in said
    said = answer(slack, "plan Acme on monday : the member's visit", user=DAN)
    assert WARNED not in said
    deliver_outbox(slack)
    assert posts(slack) == [] and collision_count(slack) == 0
    assert about(slack, ANA, "ben took ana along") == [] and about(slack, ANA, "with ana") == []
    assert about(slack, CHLOE, "ben") == [] and about(slack, BEN, "Acme") == []

    said = answer(slack, "log Acme via email : eve alone", user=EVE)
    assert (
        f"{WARNED}\\n"
        "• <@U0CHLOE> had a call with them today at 09:00\\n"
        "• <@U0BEN> (with <@U0ANA>) met them today at 09:00\\n"
        "• <@U0BEN> (with <@U0ANA>) plans to meet them on Fri 27 Nov\\n"
        "• <@U0DAN> plans to meet them on Mon 30 Nov\\n"
        "*Coordinate with <@U0CHLOE>, <@U0BEN>, <@U0DAN> and <@U0ANA>* before you go further."
    ) in said
    assert "I've posted this in #partnerships and mentioned the owner <@U0ANA>." in said
    assert "You're not on the team of *Acme Corporation*, so I've let its owner <@U0ANA> know." in (
        said
    )
    assert collision_count(slack) == 4
    deliver_outbox(slack)
    (alert,) = top_level(slack)
    assert alert.text == (
        "Revolving door at Acme Corporation: <@U0EVE>, <@U0CHLOE>, <@U0BEN>, <@U0ANA> and "
        "<@U0DAN> are all in contact (owner <@U0ANA>)."
    )
    assert slack.fake.thread(alert) == []
    (note,) = about(slack, ANA, "eve alone")
    assert note.text.startswith(
        "<@U0EVE> emailed *Acme Corporation* on Wed 25 Nov at 10:00: “eve alone”\n"
        "They are not on its team, and you own *Acme Corporation*, so I'm letting you know."
    )
    assert about(slack, EVE, "Acme") == []


# --- The same contact person, by address and by name ---------------------------------------------


@pytest.mark.usefixtures("acme")
def test_a_contact_first_named_by_email_goes_by_her_name_once_a_colleague_gives_it(
    slack: Slack,
) -> None:
    # Ben knows only Jane's address; Chloe, who plans to meet her, knows her name. One person,
    # the same contact person for the alarm, and from then on Jane Doe everywhere, not jane.doe.
    said = answer(
        slack,
        "log Acme with <mailto:jane.doe@acme.com|jane.doe@acme.com> via email : ben writes",
        user=BEN,
    )
    assert "Logged your email to *Acme Corporation* today at 04:00 with jane.doe." in said
    said = answer(slack, "plan Acme on friday with Jane Doe : chloe's visit", user=CHLOE)
    assert "Planned your meeting with *Acme Corporation* on Fri 27 Nov with Jane Doe." in said
    assert (
        "• <@U0BEN> emailed them today at 18:00 with Jane Doe — *the same contact person*"
    ) in said
    contacts = answer(slack, "contacts Acme", user=DAN)
    assert "1 contact at Acme Corporation" in contacts
    assert "*Jane Doe* · <mailto:jane.doe@acme.com|jane.doe@acme.com>" in contacts
    # Named by her address again, she is still Jane Doe; someone else's address is someone else.
    said = answer(
        slack,
        "log Acme with <mailto:jane.doe@acme.com|jane.doe@acme.com> via call : dan calls",
        user=DAN,
    )
    assert "Logged your call with *Acme Corporation* today at 09:00 with Jane Doe." in said
    assert said.count("with Jane Doe — *the same contact person*") == 2
    said = answer(
        slack, "log Acme with <mailto:john@acme.com|john@acme.com> via email : eve", user=ANA
    )
    assert "with john." in said and "the same contact person" not in said
    assert "2 contacts at Acme Corporation" in answer(slack, "contacts Acme", user=DAN)
    deliver_outbox(slack)
    (alert,) = top_level(slack)
    assert "with Jane Doe — *the same contact person*" in shown(alert)
    assert "jane.doe" not in alert.text
