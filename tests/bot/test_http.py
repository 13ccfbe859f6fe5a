"""Where `liaison serve` runs Bolt's dispatch: on the event loop with SQLite, on worker threads
with PostgreSQL (bot/http.py says why). Signed requests over HTTP to a real uvicorn server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn
from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.http import EVENTS_PATH, create_asgi_app
from bot.runtime import Runtime
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.requests import Deliverer, RequestFactory
from storage.db import make_engine
from tests.http import free_port, wait_for_health


@contextmanager
def serving(app: App, runtime: Runtime) -> Iterator[tuple[str, threading.Thread]]:
    """The app served by uvicorn on a thread of its own (the event loop's); its URL and thread."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_asgi_app(app, runtime), port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="event-loop", daemon=True)
    thread.start()
    try:
        wait_for_health(f"http://127.0.0.1:{port}/healthz")
        yield f"http://127.0.0.1:{port}", thread
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.mark.parametrize(
    ("served_database", "on_the_loop"),
    [("sqlite://", True), ("postgresql+psycopg://nobody@127.0.0.1:9/none", False)],
)
def test_a_command_is_answered_on_the_loop_with_sqlite_and_on_a_worker_with_postgresql(
    fake_slack: FakeSlack, slack_runtime: Runtime, served_database: str, on_the_loop: bool
) -> None:
    app = App(
        signing_secret=fake_slack.signing_secret,
        client=WebClient(token=fake_slack.bot_token, base_url=fake_slack.base_url),
        process_before_response=True,
    )
    answered_on: list[threading.Thread] = []

    def answer(ack: Ack) -> None:
        answered_on.append(threading.current_thread())
        ack(text="noted")

    app.command("/partner")(answer)
    # The listener touches no database: only the engine's dialect decides (an unreachable
    # PostgreSQL is enough).
    runtime = Runtime(
        settings=slack_runtime.settings,
        engine=make_engine(served_database, pool_pre_ping=False),
        clock=slack_runtime.clock,
    )
    request = RequestFactory(fake_slack).slash_command(
        user_id="U0ANA", channel_id="C0PARTNERS", text="help"
    )
    with serving(app, runtime) as (url, loop_thread):
        delivery = Deliverer(fake_slack, url=url + EVENTS_PATH).send(request)

    assert delivery.status == 200
    assert delivery.body == "noted"
    assert (answered_on == [loop_thread]) is on_the_loop
    assert len(answered_on) == 1
