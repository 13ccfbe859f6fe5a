"""Where `liaison serve` runs Bolt's dispatch: on the event loop with SQLite, on worker threads
with PostgreSQL (bot/http.py says why). Signed requests over HTTP to a real uvicorn server."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
import uvicorn
from alembic import command
from alembic.script import ScriptDirectory
from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.http import EVENTS_PATH, create_asgi_app
from bot.runtime import Runtime
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.requests import Deliverer, RequestFactory
from storage import schema
from storage.db import make_engine
from tests.http import free_port, get, wait_for_health


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


def bare_app(fake_slack: FakeSlack) -> App:
    """A Bolt app with no listener, talking to the fake Slack: what is tested is the server."""
    return App(
        signing_secret=fake_slack.signing_secret,
        client=WebClient(token=fake_slack.bot_token, base_url=fake_slack.base_url),
        process_before_response=True,
    )


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def signed(secret: str, body: bytes, *, at: float | None = None) -> dict[str, str]:
    timestamp = str(int(time.time() if at is None else at))
    base = b"v0:" + timestamp.encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest}"}


MALFORMED = [
    ("application/json", b"{x"),
    ("application/x-www-form-urlencoded", b"payload=%7Bnot"),
    ("application/x-www-form-urlencoded", b"\xff\xfe"),
    ("application/json", b"[1, 2]"),
    # QA h9: Bolt read these as a form ("hello" as a field) and answered 404 "unhandled".
    ("text/plain", b"hello"),
    ("application/x-www-form-urlencoded", b"hello"),
    ("application/json; charset=utf-8", b"{}"),
]


@pytest.mark.parametrize(("content_type", "body"), MALFORMED)
def test_a_malformed_body_gets_401_unsigned_and_400_signed_with_one_line_and_no_traceback(
    fake_slack: FakeSlack,
    slack_runtime: Runtime,
    caplog: pytest.LogCaptureFixture,
    content_type: str,
    body: bytes,
) -> None:
    """QA: any of these bodies, signed or not, raised out of BoltRequest before the signature
    was checked: HTTP 500 and a 50-line traceback for anyone who can reach the port."""
    app = bare_app(fake_slack)
    headers = {"Content-Type": content_type}
    with serving(app, slack_runtime) as (url, _loop_thread), caplog.at_level(logging.INFO):
        unsigned = post(url + EVENTS_PATH, body, headers)
        forged = post(url + EVENTS_PATH, body, headers | signed("not-the-secret", body))
        malformed = post(url + EVENTS_PATH, body, headers | signed(fake_slack.signing_secret, body))

    assert (unsigned, forged, malformed) == (401, 401, 400)
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.http"]
    assert len(lines) == 3, lines
    assert lines[0].startswith("request refused (401): no Slack signature")
    assert lines[1].startswith("request refused (401): invalid signature")
    assert "check SLACK_SIGNING_SECRET" in lines[1]
    assert lines[2].startswith("request refused (400): signed but malformed body")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_slacks_certificate_check_is_answered_200_signed_or_not(
    fake_slack: FakeSlack, slack_runtime: Runtime
) -> None:
    """Bolt answers `ssl_check=1` before it checks a signature; checking first must not
    refuse it."""
    app = bare_app(fake_slack)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    with serving(app, slack_runtime) as (url, _loop_thread):
        assert post(url + EVENTS_PATH, b"ssl_check=1&token=x", form) == 200


def test_a_stale_timestamp_is_refused_as_a_clock_that_is_off(
    fake_slack: FakeSlack, slack_runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    """QA: a request signed ten minutes ago was logged as an invalid signature, so an admin
    checked the signing secret rather than the server's clock."""
    app = bare_app(fake_slack)
    body = b"command=%2Fpartner&text=help"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    with serving(app, slack_runtime) as (url, _loop_thread), caplog.at_level(logging.INFO):
        stale = signed(fake_slack.signing_secret, body, at=time.time() - 600)
        status = post(url + EVENTS_PATH, body, headers | stale)
        not_a_number = post(
            url + EVENTS_PATH, body, headers | stale | {"X-Slack-Request-Timestamp": "soon"}
        )

    assert (status, not_a_number) == (401, 401)
    old, odd = (r.getMessage() for r in caplog.records if r.name == "bot.http")
    assert "s behind this server's clock" in old and "check this server's clock" in old
    assert "invalid signature" not in old
    assert "timestamp 'soon' is not a number of seconds" in odd


def test_healthz_is_503_with_why_on_a_database_not_or_no_longer_migrated(
    fake_slack: FakeSlack, slack_runtime: Runtime, tmp_path: Path
) -> None:
    """It answered 200 whenever the database answered: one restored from a backup of before
    the last migration, or recreated empty, kept getting traffic that failed every request.
    Each health check notices such a change at once, for one small query while all is well."""
    engine = make_engine(f"sqlite:///{tmp_path / 'served.db'}")
    schema.upgrade(engine)
    head = schema.head_revision()
    before = ScriptDirectory(str(schema.MIGRATIONS)).get_revision(head).down_revision
    assert isinstance(before, str)
    runtime = Runtime(settings=slack_runtime.settings, engine=engine, clock=slack_runtime.clock)
    config = schema.alembic_config(engine)

    def health(url: str) -> tuple[int, dict[str, object]]:
        status, body = get(f"{url}/healthz")
        return status, json.loads(body)

    with serving(bare_app(fake_slack), runtime) as (url, _loop_thread):
        statements: list[str] = []

        def count(*args: object) -> None:
            statements.append(str(args[2]))

        sa.event.listen(engine, "before_cursor_execute", count)
        assert health(url) == (200, {"status": "ok", "database": True})
        sa.event.remove(engine, "before_cursor_execute", count)
        assert len(statements) == 1  # the revision row, as cheap as `SELECT 1`

        command.downgrade(config, before)  # a backup of before the last migration restored
        assert health(url) == (
            503,
            {
                "status": "unavailable",
                "database": True,
                "reason": f"database at {before}, code expects {head}",
            },
        )
        command.downgrade(config, "base")  # recreated empty: no tables at all
        assert health(url) == (
            503,
            {
                "status": "unavailable",
                "database": True,
                "reason": "not migrated: run liaison migrate",
            },
        )
        schema.upgrade(engine)
        assert health(url) == (200, {"status": "ok", "database": True})
        # A newer Liaison migrated it (a rolling upgrade): this replica serves until replaced.
        with engine.begin() as connection:
            connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
        assert health(url) == (200, {"status": "ok", "database": True})
    engine.dispose()
