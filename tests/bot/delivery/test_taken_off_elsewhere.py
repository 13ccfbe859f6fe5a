"""People picked in a form whom Slack, after the ack, says are of another organisation: taken
off what the form saved, and what was queued to them meanwhile is withdrawn, not left to fail.

Signed form submissions through the real app, Slack's answers from the fake Slack over HTTP.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.delivery.outbox import EXTERNAL_RECIPIENT
from storage.models import OutboxMessage, OutboxStatus
from tests.conftest import START, Slack
from tests.scenarios import test_partners as partner_scenarios
from tests.scenarios import test_touchpoints as touchpoint_scenarios
from tests.scenarios.test_partners import ANA, BEN
from tests.scenarios.test_touchpoints import acme as acme  # noqa: F401 (the fixture)
from tests.scenarios.test_touchpoints import deliver_outbox, dms, partner_id

JANE = "U0JANE"


@pytest.fixture(autouse=True)
def jane(slack: Slack) -> None:
    """Jane works at a partner: Slack shows her in a shared channel, from her own workspace."""
    slack.fake.add_user(id=JANE, name="jane", real_name="Jane Doe", team_id="T0PARTNER")


def queued_to(slack: Slack, user_id: str) -> list[tuple[str, str, str | None]]:
    """(kind, status, reason) of the outbox rows to `user_id`."""
    with Session(slack.runtime.engine) as session:
        rows = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.recipient_user == user_id)
            .order_by(OutboxMessage.id)  # type: ignore[arg-type]
        ).all()
    return [(row.kind, row.status, row.last_error) for row in rows]


def nothing_reaches_jane(slack: Slack) -> None:
    for _ in range(3):
        slack.runtime.clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
        deliver_outbox(slack)
    assert dms(slack, JANE) == []
    assert all(status == OutboxStatus.CANCELLED for _kind, status, _why in queued_to(slack, JANE))


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"owner": JANE}, id="owner"),
        pytest.param({"owner": BEN, "deputy": JANE}, id="deputy"),
        pytest.param({"owner": BEN, "team": [JANE, "U0DAN"]}, id="team"),
    ],
)
def test_the_notes_add_queued_to_someone_taken_off_are_withdrawn(
    slack: Slack, fields: dict[str, Any]
) -> None:
    slack.command("add", user=ANA)
    (view,) = slack.fake.open_modals(ANA)

    partner_scenarios.submit(slack, view, name="Greenpeace", status="active", **fields)

    # Queued with the partner before the ack ("you own it now", …), withdrawn once Slack said.
    to_jane = queued_to(slack, JANE)
    assert to_jane, "add queued Jane a note"
    assert all(
        (status, why) == (OutboxStatus.CANCELLED, EXTERNAL_RECIPIENT) for _, status, why in to_jane
    ), to_jane
    # Those to colleagues stay queued.
    assert all(status == OutboxStatus.PENDING for _, status, _ in queued_to(slack, BEN))
    nothing_reaches_jane(slack)


@pytest.mark.usefixtures("acme")
def test_a_check_in_planned_before_slack_answered_is_withdrawn(slack: Slack) -> None:
    view = touchpoint_scenarios.open_log_form(slack, BEN)
    values = touchpoint_scenarios.form_values(
        partner=partner_id(slack, "Acme Corporation"),
        medium="meeting",
        colleagues=[JANE],
        notes="pilot agreed",
        day=(START - timedelta(days=1)).date().isoformat(),  # yesterday's: asked about now
    )
    # The work after the ack (asking Slack about Jane) waits while the scheduler plans the
    # meeting's check-ins, as a `serve` process may: one is queued to her meanwhile.
    busy = threading.Event()
    workers = slack.runtime.after_ack._max_workers
    blocked = [slack.runtime.after_ack.submit(busy.wait) for _ in range(workers)]
    try:
        request = slack.requests.view_submission(user_id=BEN, view=view, values=values)
        assert slack.deliver.send(request).status == 200
        deliver_outbox(slack)
        assert queued_to(slack, JANE), "a check-in was queued to Jane"
    finally:
        busy.set()
    for future in blocked:
        future.result()
    slack.runtime.drain()

    to_jane = queued_to(slack, JANE)
    assert to_jane and all(
        (status, why) == (OutboxStatus.CANCELLED, EXTERNAL_RECIPIENT) for _, status, why in to_jane
    ), to_jane
    nothing_reaches_jane(slack)
