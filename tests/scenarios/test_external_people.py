"""People of another organisation are no colleagues: a partner's people met in a Slack Connect
channel (their accounts belong to another workspace) cannot be named as having taken part in a
contact, nor as owner, deputy or team member; nothing is saved and they are sent nothing.

Signed `/partner` commands through the real app, Slack's answers from the fake Slack over HTTP.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.delivery.operations import list_outbox
from bot.delivery.outbox import enqueue
from bot.sandbox.fake_slack import FakeView
from bot.services.people import NotInWorkspace
from handlers import commitments as commitment_handlers
from handlers import partners as partner_handlers
from handlers import touchpoints as touchpoint_handlers
from handlers.blocks import commitments as commitment_blocks
from handlers.blocks import partners as partner_blocks
from handlers.blocks import touchpoints as touchpoint_blocks
from storage.models import OutboxMessage, PartnerStatus, TouchpointParticipant, UserProfile
from tests.conftest import TRIES, Slack
from tests.factories import Colleague, save_colleagues
from tests.scenarios import test_commitments as commitment_scenarios
from tests.scenarios import test_partners as partner_scenarios
from tests.scenarios import test_touchpoints as touchpoint_scenarios
from tests.scenarios.test_partners import ANA, BEN, answer
from tests.scenarios.test_touchpoints import (
    TEAM,
    deliver_outbox,
    dms,
    partner_id,
    partner_names,
    touchpoints,
)
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


def marked_external(slack: Slack, user_id: str) -> bool:
    """Remembered as someone of another organisation: never taken for a colleague."""
    profile = cached(slack, user_id)
    return profile is not None and profile.external


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
    assert marked_external(slack, JANE)  # never taken for a colleague by a later command
    # Named again, she is refused from the cache: Slack is not asked about her a second time.
    asked = len(slack.fake.calls_to("users.info"))
    said = answer(slack, line.format(jane=f"<@{JANE}|jane>"), user=BEN)
    assert ELSEWHERE.replace(JANE, f"<@{JANE}>") in said
    assert len(slack.fake.calls_to("users.info")) == asked


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


def cached_as_colleague(slack: Slack) -> None:
    save_colleagues(
        slack.runtime.engine, slack.runtime.clock, team_id=TEAM, colleagues=[Colleague(JANE)]
    )


def found_elsewhere_later(slack: Slack, jane: str) -> None:
    """Two days on, a command names Jane: her profile is refreshed after the ack, and Slack
    says she is of another organisation now."""
    slack.runtime.clock.advance(timedelta(days=2))  # type: ignore[attr-defined]
    answer(slack, f"log Acme with {jane} via call : hello", user=BEN)  # refreshed after
    assert marked_external(slack, JANE)


@pytest.mark.usefixtures("acme")
def test_a_cached_profile_of_someone_now_of_another_organisation_vouches_no_more(
    slack: Slack, jane: str
) -> None:
    # Jane was a colleague (cached two days ago), then left for the partner's workspace.
    cached_as_colleague(slack)
    found_elsewhere_later(slack, jane)
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


# --- Remembered: refused in the forms, sent nothing, not asked about again ---------------------


def known_elsewhere(slack: Slack, jane: str) -> None:
    """Slack says Jane is of another organisation (a command named her): the cache remembers."""
    said = answer(slack, f"team Acme add {jane}", user=ANA)
    assert ELSEWHERE.replace(JANE, f"<@{JANE}>") in said
    assert marked_external(slack, JANE)


@pytest.mark.usefixtures("acme")
def test_the_forms_refuse_someone_known_to_be_of_another_organisation_before_saving(
    slack: Slack, jane: str
) -> None:
    known_elsewhere(slack, jane)
    asked = len(slack.fake.calls_to("users.info"))
    acme_id = partner_id(slack, "Acme Corporation")

    view = touchpoint_scenarios.open_log_form(slack, BEN)
    touchpoint_scenarios.submit(
        slack, view, BEN, partner=acme_id, medium="meeting", colleagues=[JANE], notes="pilot"
    )
    assert view.errors is not None and view.errors.keys() == {touchpoint_blocks.COLLEAGUES_FIELD}
    said = view.errors[touchpoint_blocks.COLLEAGUES_FIELD]
    assert "from another organisation" in said and "<@" not in said  # plain text, by name
    assert touchpoints(slack) == []

    slack.command("commit", user=BEN)
    (view,) = slack.fake.open_modals(BEN)
    values = commitment_scenarios.form_values(
        partner=acme_id, side="us", owner=JANE, what="NDA", due="2026-12-02"
    )
    commitment_scenarios.submit(slack, view, BEN, values)
    assert view.errors is not None and view.errors.keys() == {commitment_blocks.OWNER_FIELD}
    assert "only colleagues can own a commitment" in view.errors[commitment_blocks.OWNER_FIELD]
    assert commitment_scenarios.stored(slack) == []

    slack.command("add", user=ANA)
    (view,) = slack.fake.open_modals(ANA)
    for fields, field in (
        ({"owner": JANE}, partner_blocks.OWNER_FIELD),
        ({"owner": ANA, "deputy": JANE}, partner_blocks.DEPUTY_FIELD),
        ({"owner": ANA, "team": [JANE]}, partner_blocks.TEAM_FIELD),
    ):
        partner_scenarios.submit(slack, view, name="Greenpeace", status="active", **fields)
        assert view.errors is not None and view.errors.keys() == {field}, fields
        assert "from another organisation" in view.errors[field]
    assert partner_names(slack) == ["Acme Corporation"]
    assert len(slack.fake.calls_to("users.info")) == asked  # the cache said it


def queue_dm(slack: Slack, user_id: str, key: str) -> None:
    """A DM queued before Liaison knew who the person is (an old note, a check-in)."""
    now = slack.runtime.clock.now()
    with Session(slack.runtime.engine) as session:
        enqueue(
            session,
            team_id=TEAM,
            kind="checkin",
            recipient_user=user_id,
            text="How did your meeting go?",
            due_at=now,
            dedupe_key=key,
            respect_working_hours=True,
            now=now,
        )
        session.commit()


def test_a_dm_queued_to_someone_of_another_organisation_fails_with_the_reason(
    slack: Slack, jane: str
) -> None:
    queue_dm(slack, JANE, "old:1")
    deliver_outbox(slack)  # Slack is asked who she is once, then she is remembered
    assert marked_external(slack, JANE)
    asked = len(slack.fake.calls_to("users.info"))
    for n in (2, 3):
        queue_dm(slack, JANE, f"old:{n}")
        deliver_outbox(slack)
    assert len(slack.fake.calls_to("users.info")) == asked
    assert dms(slack, JANE) == []
    assert not [c for c in slack.fake.calls_to("conversations.open") if JANE in str(c.params)]
    printed: list[str] = []
    list_outbox(slack.runtime, failed=True, limit=10, echo=printed.append)
    failed = [line for line in printed if JANE in line]
    assert len(failed) == 3
    assert all("recipient is of another organisation" in line for line in failed), failed


# --- Picked in a form before Liaison knew: saved, then undone once Slack says -------------------


def direct_to(slack: Slack, user_id: str) -> str:
    """What Liaison told the person in their DM straight away (not through the outbox)."""
    return "\n".join(m.text for m in slack.fake.dm_messages(user_id) if m.ephemeral_to is None)


def log_call_with(slack: Slack, view: FakeView, colleagues: list[str]) -> None:
    """Ben sends the log form: a call with Acme, `colleagues` picked in its menu."""
    acme = partner_id(slack, "Acme Corporation")
    touchpoint_scenarios.submit(
        slack, view, BEN, partner=acme, medium="call", colleagues=colleagues, notes="pilot agreed"
    )


@pytest.mark.usefixtures("acme")
def test_someone_picked_in_the_log_form_is_taken_off_once_slack_says_they_are_elsewhere(
    slack: Slack, jane: str
) -> None:
    dan = "U0DAN"
    view = touchpoint_scenarios.open_log_form(slack, BEN)
    log_call_with(slack, view, [JANE, dan])
    assert slack.fake.open_modals(BEN) == []  # saved on the menu's word, before the ack
    (logged,) = touchpoints(slack)
    with Session(slack.runtime.engine) as session:
        took_part = session.exec(
            select(TouchpointParticipant.user_id).where(
                TouchpointParticipant.touchpoint_id == logged.id
            )
        ).all()
    assert took_part == [dan]
    assert marked_external(slack, JANE)
    said = direct_to(slack, BEN)
    assert (
        f"I took <@{JANE}> off the colleagues who took part in your contact with "
        "*Acme Corporation*: Slack says this person is from another organisation"
    ) in said
    assert "The rest of the contact stays logged" in said
    assert len([c for c in slack.fake.calls_to("users.info") if JANE in str(c.params)]) == 1
    # The form's answer names who took part as saved: not Jane, whom the DM says was taken off
    # (it said "together with <@U0JANE> and <@U0DAN>", built before Slack was asked).
    (answered,) = [m for m in slack.ephemerals_to(BEN) if "Logged your call" in m.text]
    assert f"together with <@{dan}>" in answered.text and JANE not in answered.text


@pytest.mark.usefixtures("acme")
def test_a_dm_saying_someone_was_taken_off_that_cannot_reach_slack_is_one_log_line(
    slack: Slack, jane: str, caplog: pytest.LogCaptureFixture
) -> None:
    """QA h9: when the DM saying Jane was taken off could not reach Slack, a traceback was
    logged. Now one line says why; she is taken off all the same, and the form answered."""
    view = touchpoint_scenarios.open_log_form(slack, BEN)
    slack.fake.fail_next("chat.postMessage", drop=True, times=TRIES)
    with caplog.at_level(logging.WARNING):
        log_call_with(slack, view, [JANE])
    ours = [r for r in caplog.records if not r.name.startswith("slack_sdk")]
    assert [(r.getMessage(), r.exc_info) for r in ours] == [
        (f"direct message to {BEN} could not reach Slack: RemoteDisconnected", None)
    ]
    assert marked_external(slack, JANE)
    (answered,) = [m for m in slack.ephemerals_to(BEN) if "Logged your call" in m.text]
    assert JANE not in answered.text


@pytest.mark.parametrize(
    ("fields", "then"),
    [
        ({"owner": JANE}, "You own it in their place, as when `add` names no owner"),
        ({"owner": BEN, "deputy": JANE}, "It has no deputy now"),
        ({"owner": BEN, "team": [JANE, "U0DAN"]}, "Note people at the partner as contacts"),
    ],
)
def test_someone_picked_in_the_add_form_leaves_the_team_once_slack_says_they_are_elsewhere(
    slack: Slack, jane: str, fields: dict[str, Any], then: str
) -> None:
    slack.command("add", user=ANA)
    (view,) = slack.fake.open_modals(ANA)
    partner_scenarios.submit(slack, view, name="Greenpeace", status="active", **fields)
    assert slack.fake.open_modals(ANA) == []  # saved on the menus' word, before the ack
    profile = partner_scenarios.registry(slack).profile(team_id=TEAM, partner="Greenpeace")
    on_team = [profile.facts.owner_id, profile.facts.deputy_id, *profile.members]
    assert JANE not in on_team
    assert profile.facts.owner_id == fields["owner"].replace(JANE, ANA)  # never left empty
    assert marked_external(slack, JANE)
    said = direct_to(slack, ANA)
    assert (
        f"I took <@{JANE}> off *Greenpeace*: Slack says this person is from another organisation"
    ) in said
    assert then in said
    assert JANE not in answer(slack, "show Greenpeace", user=ANA)


@pytest.mark.usefixtures("acme")
def test_an_owner_picked_in_the_commitment_form_is_replaced_once_slack_says_they_are_elsewhere(
    slack: Slack, jane: str
) -> None:
    slack.command("commit", user=BEN)
    (view,) = slack.fake.open_modals(BEN)
    values = commitment_scenarios.form_values(
        partner=partner_id(slack, "Acme Corporation"),
        side="us",
        owner=JANE,
        what="send the MoU",
        due="2026-12-02",
    )
    commitment_scenarios.submit(slack, view, BEN, values)
    assert slack.fake.open_modals(BEN) == []  # saved on the menu's word, before the ack
    (row,) = commitment_scenarios.stored(slack)
    assert (row.owner_id, row.what) == (BEN, "send the MoU")  # never left without an owner
    assert marked_external(slack, JANE)
    said = direct_to(slack, BEN)
    assert (
        f"I made you the owner of `#1` with *Acme Corporation* instead of <@{JANE}>: Slack says "
        "this person is from another organisation"
    ) in said
    assert "only colleagues can own a commitment" in said


@pytest.mark.usefixtures("acme")
def test_someone_found_to_be_of_another_organisation_is_not_asked_how_a_meeting_went(
    slack: Slack, jane: str
) -> None:
    # Jane was cached as a colleague and took part in a meeting; then Slack says otherwise.
    cached_as_colleague(slack)
    answer(slack, f"log Acme with {jane} via meeting : pilot kick-off", user=BEN)
    found_elsewhere_later(slack, jane)
    for _ in range(3):
        slack.runtime.clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
        deliver_outbox(slack)
    with Session(slack.runtime.engine) as session:
        to_jane = session.exec(
            select(OutboxMessage.kind).where(OutboxMessage.recipient_user == JANE)
        ).all()
    assert to_jane == []  # not even a failed check-in: she is not asked at all
