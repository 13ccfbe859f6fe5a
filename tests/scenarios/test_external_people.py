"""People of another organisation are no colleagues: a partner's people met in a Slack Connect
channel (their accounts belong to another workspace) cannot be named as having taken part in a
contact, nor as owner, deputy or team member; nothing is saved and they are sent nothing.

Signed `/partner` commands through the real app, Slack's answers from the fake Slack over HTTP.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from bot.services.people import NotInWorkspace
from handlers import commitments as commitment_handlers
from handlers import partners as partner_handlers
from handlers import touchpoints as touchpoint_handlers
from handlers.blocks import commitments as commitment_blocks
from handlers.blocks import partners as partner_blocks
from handlers.blocks import touchpoints as touchpoint_blocks
from storage.models import PartnerStatus, UserProfile
from tests.conftest import Slack
from tests.factories import Colleague, save_colleagues
from tests.scenarios.test_partners import ANA, BEN, answer
from tests.scenarios.test_touchpoints import TEAM, deliver_outbox, dms, touchpoints
from tests.scenarios.test_touchpoints import acme as acme  # noqa: F401 (the fixture)

JANE = "U0JANE"
ELSEWHERE = f"{JANE} is from another organisation (their Slack account belongs to another"
NAME_THEM = "name people at the partner without `@` (`with Jane Doe`)"


@pytest.fixture
def jane(slack: Slack) -> str:
    """Jane works at the partner: Slack shows her in a shared channel, from her own workspace."""
    slack.fake.add_user(id=JANE, name="jane", real_name="Jane Doe", team_id="T0PARTNER")
    return f"<@{JANE}|jane>"


def cached(slack: Slack, user_id: str) -> UserProfile | None:
    with Session(slack.runtime.engine) as session:
        return session.get(UserProfile, (TEAM, user_id))


@pytest.mark.usefixtures("acme")
@pytest.mark.parametrize(
    "line",
    [
        "log Acme with {jane} via meeting : walked through the pilot",
        "plan Acme on friday 14:00 with {jane} : pilot review",
        "intend Acme with {jane} : offer a sponsorship",
    ],
)
def test_someone_of_another_organisation_named_as_taking_part_is_refused(
    slack: Slack, jane: str, line: str
) -> None:
    said = answer(slack, line.format(jane=f"<@{JANE}|jane>"), user=BEN)
    assert ELSEWHERE.replace(JANE, f"<@{JANE}>") in said
    assert NAME_THEM in said and "not a member" not in said
    assert touchpoints(slack) == []
    assert cached(slack, JANE) is None  # never taken for a colleague by a later command


@pytest.mark.usefixtures("acme")
def test_someone_of_another_organisation_is_sent_no_check_in(slack: Slack, jane: str) -> None:
    # Before: Jane took part as a colleague and was asked "How did your meeting go?".
    answer(slack, f"log Acme with {jane}, Jane Doe via meeting : pilot kick-off", user=BEN)
    for _ in range(3):
        slack.runtime.clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
        deliver_outbox(slack)
    assert dms(slack, JANE) == []
    # Named without `@`, she is a contact at the partner, and the meeting is logged.
    said = answer(slack, "log Acme with Jane Doe via meeting : pilot kick-off", user=BEN)
    assert "Logged your meeting with *Acme Corporation*" in said
    (logged,) = touchpoints(slack)
    assert JANE not in str(logged.model_dump())


@pytest.mark.usefixtures("acme")
@pytest.mark.parametrize(
    "line", ["owner Acme {jane}", "deputy Acme {jane}", "team Acme add {jane}"]
)
def test_someone_of_another_organisation_is_no_owner_deputy_or_team_member(
    slack: Slack, jane: str, line: str
) -> None:
    said = answer(slack, line.format(jane=jane), user=ANA)
    assert ELSEWHERE.replace(JANE, f"<@{JANE}>") in said
    assert "only colleagues can own a partner" in said
    assert JANE not in answer(slack, "show Acme", user=ANA)


@pytest.mark.usefixtures("acme")
def test_a_cached_profile_of_someone_now_of_another_organisation_vouches_no_more(
    slack: Slack, jane: str
) -> None:
    # Jane was a colleague (cached two days ago), then left for the partner's workspace.
    save_colleagues(
        slack.runtime.engine, slack.runtime.clock, team_id=TEAM, colleagues=[Colleague(JANE)]
    )
    slack.runtime.clock.advance(timedelta(days=2))  # type: ignore[attr-defined]
    answer(slack, f"log Acme with {jane} via call : hello", user=BEN)  # refreshed after
    assert cached(slack, JANE) is None
    said = answer(slack, f"log Acme with {jane} via call : hello again", user=BEN)
    assert ELSEWHERE.replace(JANE, f"<@{JANE}>") in said
    assert len(touchpoints(slack)) == 1


def test_someone_of_another_organisation_is_no_liaison_admin(slack: Slack, jane: str) -> None:
    said = answer(slack, f"config admins {jane}", user=ANA)
    assert ELSEWHERE.replace(JANE, f"<@{JANE}>") in said
    assert "only colleagues can be Liaison's admins" in said and "not a member" not in said
    assert "*Example:* `/partner config admins" in said
    assert JANE not in answer(slack, "config admins", user=ANA)


@pytest.mark.usefixtures("acme")
def test_someone_of_another_organisation_owns_no_commitment(slack: Slack, jane: str) -> None:
    said = answer(slack, f"commit Acme us {jane} : send the MoU by friday", user=BEN)
    assert ELSEWHERE.replace(JANE, f"<@{JANE}>") in said
    assert "only colleagues can own a commitment" in said and "own a partner" not in said
    assert "`/partner commit NAME them : WHAT by DATE`" in said


# Slack's user menus in the forms may offer the partner's people of a shared channel: each form
# says so under the field, as the commands do.
SHE_IS_ELSEWHERE = NotInWorkspace(JANE, external=True)


def test_the_forms_say_someone_of_another_organisation_is_from_elsewhere() -> None:
    logged = touchpoint_handlers.form_errors(SHE_IS_ELSEWHERE)
    committed = commitment_handlers.commit_form_errors(SHE_IS_ELSEWHERE)
    form = partner_handlers.AddForm(
        name="Acme",
        aliases=[],
        owner_id="U0BEN",
        deputy_id=JANE,
        team=[],
        status=PartnerStatus.PROSPECT,
        website=None,
        notes=None,
        anyway=False,
    )
    added = partner_handlers.form_errors(SHE_IS_ELSEWHERE, form)
    for errors, field, then in (
        (logged, touchpoint_blocks.COLLEAGUES_FIELD, "name people at the partner under"),
        (committed, commitment_blocks.OWNER_FIELD, "only colleagues can own a commitment"),
        (added, partner_blocks.DEPUTY_FIELD, "only colleagues can own a partner"),
    ):
        said = errors[field]
        assert ELSEWHERE.replace(JANE, f"<@{JANE}>") in said and then in said, said
        assert "not a member" not in said


def test_someone_of_another_organisation_covers_no_time_away(slack: Slack, jane: str) -> None:
    answer(slack, f"away friday deputy {jane}", user=ANA)
    slack.runtime.drain()
    said = "\n".join(message.text for message in slack.ephemerals_to(ANA))
    assert f"<@{JANE}> can't cover for you: they are from another organisation" in said
    assert "an app, or someone who left" not in said
