"""Two workspaces over one outbox: trouble with one workspace's messages holds back none of the
other's (a 429, a refused token, a server error, a DM channel remembered per workspace)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from bot.clock import ManualClock
from bot.delivery.dispatcher import Dispatcher
from bot.sandbox.fake_slack import FakeSlack
from tests.bot.delivery.conftest import ANA, CHANNEL, delivered, queue, row

OTHER = "T0OTHER"


def _one_each(engine: Engine, clock: ManualClock) -> None:
    """A message of this workspace queued first, then two of the other's."""
    queue(engine, due_at=clock.now(), key="ours", channel=CHANNEL)
    queue(engine, due_at=clock.now(), key="theirs-1", channel=CHANNEL, team_id=OTHER)
    queue(engine, due_at=clock.now(), key="theirs-2", user=ANA, team_id=OTHER)


def test_a_rate_limit_in_one_workspace_holds_back_none_of_the_others_messages(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    _one_each(engine, clock)
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=30)

    report = dispatcher.run_pass()

    assert (report.sent, report.rate_limited) == (2, 1)
    assert delivered(fake_slack) == {"theirs-1": 1, "theirs-2": 1}
    assert row(engine, "ours").status == "pending"
    clock.advance(timedelta(seconds=30))
    dispatcher.run_pass()
    assert delivered(fake_slack) == {"ours": 1, "theirs-1": 1, "theirs-2": 1}


def test_a_refused_token_in_one_workspace_holds_back_none_of_the_others_messages(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    _one_each(engine, clock)
    fake_slack.fail_next("chat.postMessage", error="invalid_auth")

    report = dispatcher.run_pass()

    assert (report.sent, report.retried, report.failed) == (2, 1, 0)
    assert row(engine, "ours").last_error == "chat.postMessage: invalid_auth"
    assert row(engine, "theirs-1", team_id=OTHER).status == "sent"
    assert row(engine, "theirs-2", team_id=OTHER).status == "sent"


def test_a_server_error_in_one_workspace_holds_back_none_of_the_others_messages(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    _one_each(engine, clock)
    fake_slack.fail_next("chat.postMessage", status=503)

    report = dispatcher.run_pass()

    assert (report.sent, report.retried) == (2, 1)
    assert delivered(fake_slack) == {"theirs-1": 1, "theirs-2": 1}


def test_a_dm_that_fails_in_one_workspace_forgets_nobodys_dm_in_the_other(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    queue(engine, due_at=clock.now(), key="ours", user=ANA)
    queue(engine, due_at=clock.now(), key="theirs", user=ANA, team_id=OTHER)
    dispatcher.run_pass()
    # One DM channel opened per workspace, even for the same user id (Enterprise Grid).
    assert len(fake_slack.calls_to("conversations.open")) == 2
    assert delivered(fake_slack) == {"ours": 1, "theirs": 1}
