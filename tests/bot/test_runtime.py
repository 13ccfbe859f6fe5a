"""Work deferred by a listener starts only once Slack's answer is on its way: in-process, under
`liaison serve` (covered by the scenarios through a real server) and in Socket Mode."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import sqlalchemy as sa
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.app import create_app
from bot.clock import ManualClock
from bot.config import Settings
from bot.runtime import Runtime
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.requests import RequestFactory
from bot.socket_mode import AckFirstSocketModeHandler
from storage.db import make_engine


def test_work_deferred_while_holding_waits_for_release(slack_runtime: Runtime) -> None:
    started = threading.Event()
    with slack_runtime.holding() as held:
        slack_runtime.defer(started.set, what="test")
        assert not started.wait(0.2)
    assert not started.is_set()  # leaving the block does not start it: the answer is not sent
    slack_runtime.release(held)
    slack_runtime.drain()
    assert started.is_set()


def test_work_deferred_outside_a_request_starts_at_once(slack_runtime: Runtime) -> None:
    started = threading.Event()
    slack_runtime.defer(started.set, what="test")
    assert started.wait(5)


class RecordingSocketClient:
    """Stands in for the Socket Mode client: notes which Web API calls Slack had seen when the
    ack was sent over the socket."""

    def __init__(self, fake: FakeSlack, runtime: Runtime) -> None:
        self.fake = fake
        self.runtime = runtime
        self.work_started_at_ack: bool | None = None
        self.logger = logging.getLogger("test.socket_mode")
        self.calls_at_ack: list[str] | None = None
        self.acks: list[Any] = []

    def send_socket_mode_response(self, response: Any) -> None:
        self.calls_at_ack = [call.method for call in self.fake.calls]
        self.work_started_at_ack = bool(self.runtime._pending)
        self.acks.append(response)


def test_socket_mode_acks_before_the_deferred_form_opens(
    slack_runtime: Runtime, fake_slack: FakeSlack
) -> None:
    app = create_app(slack_runtime, socket_mode=True)
    handler = AckFirstSocketModeHandler(app, "xapp-1-test", runtime=slack_runtime)
    command = RequestFactory(fake_slack).slash_command(
        user_id="U0ANA", channel_id="C0PARTNERS", text="add"
    )
    request = SocketModeRequest(
        type="slash_commands", envelope_id="e1", payload=dict(parse_qsl(command.body))
    )
    client = RecordingSocketClient(fake_slack, slack_runtime)

    handler.handle(client, request)  # type: ignore[arg-type]
    slack_runtime.drain()

    assert len(client.acks) == 1
    assert client.work_started_at_ack is False
    assert client.calls_at_ack is not None and "views.open" not in client.calls_at_ack
    assert "views.open" in [call.method for call in fake_slack.calls]


def test_close_finishes_work_deferred_by_deferred_work_before_the_database_goes(
    slack_settings: Settings, tmp_path: Path, clock: ManualClock
) -> None:
    """Work deferred from deferred work (a click answered, then the Home published anew) was
    refused once `close` had begun, and lost; none may touch the database after it."""
    engine = make_engine(f"sqlite:///{tmp_path / 'close.db'}")
    runtime = Runtime(settings=slack_settings, engine=engine, clock=clock)
    done: list[str] = []

    def then() -> None:
        time.sleep(0.1)
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        done.append("then")

    def first() -> None:
        time.sleep(0.1)
        runtime.defer(then, what="then")
        done.append("first")

    runtime.defer(first, what="first")
    runtime.close()
    assert done == ["first", "then"]
