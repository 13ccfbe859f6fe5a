"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when asked), runtime, settings.

Set LIAISON_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/test to run the whole suite
on PostgreSQL; otherwise each test gets its own copy of a migrated SQLite file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from bot.app import build_planners, create_app
from bot.clock import ManualClock
from bot.config import Settings
from bot.delivery.dispatcher import delivery_client
from bot.runtime import Runtime
from bot.sandbox.fake_slack import FakeMessage, FakeSlack
from bot.sandbox.requests import Deliverer, Delivery, RequestFactory
from bot.scheduler import TickReport, tick
from bot.slack_retry import REQUEST_RETRIES
from storage import schema
from storage.db import make_engine
from tests.http import free_port, wait_for_health

POSTGRES_URL = os.environ.get("LIAISON_TEST_DATABASE_URL")
# A Wednesday morning in Europe: working hours for most of the seeded colleagues.
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
# Every try the app's client makes of one call (the first and its retries): `fail_next(...,
# times=TRIES)` fails that call for good after the ack.
TRIES = REQUEST_RETRIES + 1


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head, copied for each test (migrating per test is slow)."""
    path = tmp_path_factory.mktemp("template") / "liaison.db"
    engine = make_engine(f"sqlite:///{path}")
    schema.upgrade(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    assert POSTGRES_URL is not None
    engine = make_engine(POSTGRES_URL)
    with engine.begin() as connection:
        # Start from nothing so the migrations themselves are exercised on PostgreSQL.
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    schema.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if POSTGRES_URL:
        request.getfixturevalue("postgres_engine")
        return POSTGRES_URL
    template: Path = request.getfixturevalue("migrated_sqlite")
    path = tmp_path / "liaison.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    if POSTGRES_URL:
        _truncate_all(engine)
    engine.dispose()


def _truncate_all(engine: Engine) -> None:
    tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def refuse_marks(engine: Engine) -> Iterator[Callable[[], None]]:
    """Make the database refuse every "sent" mark (a trigger raises) until the returned
    function is called."""
    if engine.dialect.name == "postgresql":
        create = [
            "CREATE FUNCTION refuse_mark() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'marks refused'; END $$",
            "CREATE TRIGGER refuse_mark BEFORE UPDATE ON outbox_message FOR EACH ROW "
            "WHEN (NEW.status = 'sent') EXECUTE FUNCTION refuse_mark()",
        ]
        drop = [
            "DROP TRIGGER IF EXISTS refuse_mark ON outbox_message",
            "DROP FUNCTION IF EXISTS refuse_mark()",
        ]
    else:
        create = [
            "CREATE TRIGGER refuse_mark BEFORE UPDATE ON outbox_message "
            "WHEN NEW.status = 'sent' BEGIN SELECT RAISE(ABORT, 'marks refused'); END"
        ]
        drop = ["DROP TRIGGER IF EXISTS refuse_mark"]

    def run(statements: list[str]) -> None:
        with engine.begin() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)

    run(create)
    yield lambda: run(drop)
    run(drop)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        slack_bot_token="xoxb-test-token",
        slack_signing_secret="test-signing-secret",
        database_url=database_url,
        default_channel="#partnerships",
    )


@pytest.fixture
def runtime(settings: Settings, engine: Engine, clock: ManualClock) -> Iterator[Runtime]:
    runtime = Runtime(settings=settings, engine=engine, clock=clock)
    yield runtime
    runtime.after_ack.shutdown(wait=True)


# --- Slack: a fake workspace served over HTTP, and the real app talking to it ------------------

SEED_USERS = (
    # id, name, time zone, Slack admin
    ("U0ANA", "ana", "Europe/Berlin", True),
    ("U0BEN", "ben", "America/New_York", False),
    ("U0CHLOE", "chloe", "Asia/Tokyo", False),
    ("U0DAN", "dan", "Europe/London", False),
)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(team_id="T0ACME", team_name="Acme", trigger_ttl=30.0)
    for user_id, name, tz, is_admin in SEED_USERS:
        fake.add_user(id=user_id, name=name, real_name=name.title(), tz=tz, is_admin=is_admin)
    fake.add_channel(id="C0PARTNERS", name="partnerships")
    fake.add_channel(id="C0GENERAL", name="general")
    with fake:
        yield fake


@pytest.fixture
def slack_settings(settings: Settings, fake_slack: FakeSlack) -> Settings:
    return replace(
        settings,
        slack_bot_token=fake_slack.bot_token,
        slack_signing_secret=fake_slack.signing_secret,
        slack_api_base_url=fake_slack.base_url,
    )


@pytest.fixture
def slack_runtime(
    slack_settings: Settings, engine: Engine, clock: ManualClock
) -> Iterator[Runtime]:
    runtime = Runtime(settings=slack_settings, engine=engine, clock=clock)
    yield runtime
    runtime.after_ack.shutdown(wait=True)


class RetryWaits(list[float]):
    """The waits the app's client would sleep before asking Slack again: noted, not slept."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def retry_waits() -> RetryWaits:
    return RetryWaits()


@pytest.fixture
def app(slack_runtime: Runtime, retry_waits: RetryWaits) -> App:
    return create_app(slack_runtime, retry_sleep=retry_waits)


@dataclass
class Slack:
    """A person's side of Slack in tests: build signed requests, deliver them, look around."""

    fake: FakeSlack
    requests: RequestFactory
    deliver: Deliverer
    runtime: Runtime

    def command(self, text: str, *, user: str = "U0ANA", channel: str = "C0PARTNERS") -> Delivery:
        delivery = self.deliver.send(
            self.requests.slash_command(user_id=user, channel_id=channel, text=text)
        )
        self.runtime.drain()
        return delivery

    def tick(self) -> TickReport:
        """What the scheduler does, once, at the test's clock: every planner, then a dispatch."""
        return tick(self.runtime, delivery_client(self.runtime.settings), planners=build_planners())

    def ephemerals_to(self, user: str) -> list[FakeMessage]:
        return [m for m in self.fake.messages if m.ephemeral_to == user]

    @property
    def web_client(self) -> WebClient:
        """A Web API client of the bot, talking to the fake Slack (for `tick` and the like)."""
        return WebClient(token=self.fake.bot_token, base_url=self.fake.base_url)


@pytest.fixture
def slack(fake_slack: FakeSlack, app: App, slack_runtime: Runtime) -> Slack:
    return Slack(
        fake=fake_slack,
        requests=RequestFactory(fake_slack),
        deliver=Deliverer(fake_slack, app=app, runtime=slack_runtime),
        runtime=slack_runtime,
    )


# --- A real `liaison serve` process --------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def served(
    fake_slack: FakeSlack, database_url: str, engine: Engine, tmp_path: Path
) -> Iterator[str]:
    """A real `liaison serve` process talking to the fake Slack; yields its base URL.

    Takes `engine` so that on PostgreSQL what the process wrote is truncated afterwards."""
    port = free_port()
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "LIAISON_"))},
        "SLACK_BOT_TOKEN": fake_slack.bot_token,
        "SLACK_SIGNING_SECRET": fake_slack.signing_secret,
        "SLACK_API_BASE_URL": fake_slack.base_url,
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "INFO",  # its "serving Slack on" line says it holds the port
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    said: list[str] = []
    listening = threading.Event()

    def read() -> None:
        # Read as it comes, so that a chatty process never blocks on a full pipe.
        assert process.stdout is not None
        for line in process.stdout:
            said.append(line)
            if "serving Slack on" in line:
                listening.set()
        listening.set()  # it exited

    reader = threading.Thread(target=read, name="served-output", daemon=True)
    reader.start()
    base = f"http://127.0.0.1:{port}"
    try:
        # Health is asked only once this process holds its port: another suite's `liaison
        # serve` that took the same free port would answer /healthz too, and, the fake's
        # signing secret being the same everywhere, every request sent to it.
        if not listening.wait(timeout=30) or process.poll() is not None:
            raise AssertionError(f"liaison serve is not listening: {''.join(said)}")
        wait_for_health(f"{base}/healthz")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        reader.join(timeout=5)
