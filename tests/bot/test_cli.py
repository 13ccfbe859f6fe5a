"""The `liaison` command as an operator meets it: exit codes and one-line errors."""

from __future__ import annotations

import argparse
import csv
import gc
import io
import logging
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from bot import __version__, cli
from bot.clock import ManualClock, SystemClock
from bot.config import Settings
from bot.sandbox.fake_slack import FakeSlack
from bot.services import people
from bot.services.cadence import Cadences
from bot.services.commitments import Commitments, NewCommitment
from bot.services.export import COMMITMENT_COLUMNS, PARTNER_COLUMNS, TOUCHPOINT_COLUMNS, Dataset
from bot.services.partner_names import PartnerNames
from bot.services.registry import Actor, Registry
from bot.services.touchpoints import NewTouchpoint, Touchpoints, every_zone, zones_in_use
from handlers.blocks.commitments import MESSAGES
from handlers.blocks.touchpoints import RENDERER
from storage import schema
from storage.db import make_engine
from storage.models import CommitmentSide, PartnerStatus, TouchpointKind
from storage.partners import set_pulse_cadence
from tests.bot.delivery.conftest import queue
from tests.bot.delivery.test_engine_stories import cut_short
from tests.factories import Colleague, add_partner, save_colleagues
from tests.http import free_port, wait_for_health


def liaison(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    # The project root on sys.path, but no .env: the subprocess sees only what we give it.
    return tmp_path


def pythonpath() -> dict[str, str]:
    return {"PYTHONPATH": str(Path(__file__).resolve().parents[2])}


def test_version_and_help(workdir: Path) -> None:
    result = liaison("--version", cwd=workdir, env=pythonpath())
    assert result.returncode == 0
    assert __version__ in result.stdout
    # QA: `liaison --help` listed the commands but not where the tokens go.
    result = liaison("--help", cwd=workdir, env=pythonpath())
    assert result.returncode == 0
    said = " ".join(result.stdout.split())
    assert "from the .env file in the folder liaison is started in" in said
    assert ".env.example lists every one" in said
    for command in ("run", "serve", "simulate", "tick", "outbox", "import", "export", "migrate"):
        result = liaison(command, "--help", cwd=workdir, env=pythonpath())
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"usage: liaison {command} ")


def test_run_without_tokens_exits_2_naming_the_variable(workdir: Path) -> None:
    result = liaison("run", cwd=workdir, env=pythonpath())
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("liaison: SLACK_BOT_TOKEN is not set")
    assert "Traceback" not in result.stderr


def test_serve_with_a_malformed_token_exits_2(workdir: Path) -> None:
    result = liaison("serve", cwd=workdir, env={**pythonpath(), "SLACK_BOT_TOKEN": "nonsense"})
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN must start with 'xoxb-'" in result.stderr


def test_run_with_an_app_token_slack_refuses_exits_2_in_one_line(
    workdir: Path, fake_slack: FakeSlack
) -> None:
    env = {
        **pythonpath(),
        "SLACK_BOT_TOKEN": fake_slack.bot_token,
        "SLACK_APP_TOKEN": "xapp-1-revoked",
        "SLACK_API_BASE_URL": fake_slack.base_url,
        "DATABASE_URL": f"sqlite:///{workdir / 'liaison.db'}",
        "LIAISON_AUTO_MIGRATE": "1",
        "LOG_LEVEL": "INFO",  # to see whether the scheduler started
    }
    result = liaison("run", cwd=workdir, env=env)  # the fake knows no apps.connections.open
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    # Refused before the scheduler sends anything (QA: it started, and dispatched, first).
    assert "scheduler started" not in result.stderr
    # One line, saying where a valid token is (QA: the SDK's three-line ERROR with Slack's
    # whole answer came first, and ours said only "check the app-level token").
    assert "ERROR" not in result.stderr and "WSS" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "liaison: Slack refused SLACK_APP_TOKEN (invalid_auth) when opening a Socket Mode "
        "connection: set it to an app-level token (xapp-…) with the connections:write scope, "
        "from your Slack app's Basic Information page → App-Level Tokens, and turn Socket Mode "
        "on for the app"
    )


class SocketModeSlack(FakeSlack):
    """The fake Slack, also answering apps.connections.open for an app token, as Slack does: with
    a WebSocket address where nothing listens, so `run` gets as far as opening the WebSocket."""

    app_token = "xapp-1-A0LIAISON-1-sandbox"

    def __init__(self) -> None:
        super().__init__(team_id="T0ACME", team_name="Acme")
        self.wss_url = f"ws://127.0.0.1:{free_port()}/link/?ticket=1"
        # apps.connections.open closing the connection with no answer (a proxy, a network down)
        self.unreachable = False
        self._methods["apps.connections.open"] = lambda _params: {"url": self.wss_url}

    def _api(self, method: str, params: dict[str, Any], authorization: str | None) -> Any:
        if authorization == f"Bearer {self.app_token}":
            if self.unreachable:
                raise ConnectionAbortedError("the fake hangs up")
            authorization = f"Bearer {self.bot_token}"
        return super()._api(method, params, authorization)


@pytest.fixture
def socket_slack() -> Iterator[SocketModeSlack]:
    fake = SocketModeSlack()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


def run_refused(workdir: Path, env: dict[str, str]) -> list[str]:
    """The lines `liaison run` says on stderr as it exits 2, refusing to start."""
    result = liaison("run", cwd=workdir, env=env)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr.strip().splitlines()


def no_socket_line(fake: SocketModeSlack) -> str:
    """What `run` says when the WebSocket at the fake's address cannot be opened."""
    address = urlsplit(fake.wss_url).netloc
    return (
        f"liaison: cannot open the Socket Mode connection Slack gave ({address}): [Errno 111] "
        "Connection refused; check that this machine may open WebSocket connections to Slack "
        "(wss://, port 443), through the proxy in HTTPS_PROXY if it needs one"
    )


def test_run_says_in_one_line_why_no_socket_mode_connection_opened(
    workdir: Path, socket_slack: SocketModeSlack, migrated: str
) -> None:
    """A Slack outage on apps.connections.open was said as Slack refusing the app token (with
    Slack's HTML page), a network failure there ended in a traceback, and a WebSocket that could
    not be opened was only logged: `run` started the scheduler and tried again every 10 s."""
    env = slack_env(
        socket_slack, migrated, SLACK_APP_TOKEN=socket_slack.app_token, LOG_LEVEL="WARNING"
    )
    url = socket_slack.base_url
    socket_slack.fail_next("apps.connections.open", status=503)
    assert run_refused(workdir, env) == [
        f"liaison: Slack at SLACK_API_BASE_URL ({url}) is not answering right now (HTTP 503); "
        "nothing was done: try again in a few minutes"
    ]
    socket_slack.unreachable = True
    assert run_refused(workdir, env) == [
        f"liaison: cannot reach Slack at SLACK_API_BASE_URL ({url}) to open a Socket Mode "
        "connection: Remote end closed connection without response"
    ]
    socket_slack.unreachable = False
    no_socket = run_refused(workdir, {**env, "LOG_LEVEL": "INFO"})
    assert not any("scheduler started" in line or " ERROR " in line for line in no_socket)
    assert no_socket[-1] == no_socket_line(socket_slack)
    assert len(socket_slack.calls_to("apps.connections.open")) == 2  # the outage, then this


def test_run_waits_out_a_rate_limited_socket_mode_connection_reading_retry_after_safely(
    workdir: Path, socket_slack: SocketModeSlack, migrated: str
) -> None:
    """slack_sdk's Socket Mode client did int(Retry-After) on a rate-limited
    apps.connections.open: a date (which HTTP allows) ended `run` with a traceback, and a huge
    number slept that long, unsaid. A date already past waits the least, about a second."""
    socket_slack.fail_next(
        "apps.connections.open", status=429, retry_after="Wed, 21 Oct 2015 07:28:00 GMT", times=2
    )
    env = slack_env(
        socket_slack, migrated, SLACK_APP_TOKEN=socket_slack.app_token, LOG_LEVEL="WARNING"
    )
    said = run_refused(workdir, env)
    waits = [line for line in said if line.endswith(" WARNING bot.socket_mode " + WAITED)]
    assert [line for line in said if line not in waits] == [no_socket_line(socket_slack)]
    assert len(waits) == 2
    assert len(socket_slack.calls_to("apps.connections.open")) == 3


WAITED = "Slack is rate limiting Socket Mode connections: asking again in 1 s"


def test_serve_when_slack_cannot_be_reached_exits_2_in_one_line(workdir: Path) -> None:
    port = free_port()  # nothing listens there
    env = {
        **pythonpath(),
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_API_BASE_URL": f"http://127.0.0.1:{port}/api/",
        "DATABASE_URL": f"sqlite:///{workdir / 'liaison.db'}",
        "LIAISON_AUTO_MIGRATE": "1",
    }
    for command in ("serve", "run"):
        result = liaison(command, cwd=workdir, env={**env, "SLACK_APP_TOKEN": "xapp-1"})
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert result.stderr.strip().splitlines()[-1] == (
            f"liaison: cannot reach Slack at SLACK_API_BASE_URL (http://127.0.0.1:{port}/api/) "
            "to check SLACK_BOT_TOKEN: [Errno 111] Connection refused"
        )


def test_start_on_an_unmigrated_database_is_refused_then_migrate_fixes_it(workdir: Path) -> None:
    env = {
        **pythonpath(),
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "secret",
        "DATABASE_URL": f"sqlite:///{workdir / 'liaison.db'}",
    }
    refused = liaison("serve", cwd=workdir, env=env)
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        f"liaison: there is no database at {workdir / 'liaison.db'}: run `liaison migrate` to "
        "create it there (or set LIAISON_AUTO_MIGRATE=true), or set DATABASE_URL to the one you use"
    )
    assert not (workdir / "liaison.db").exists()  # refused without leaving an empty file
    (workdir / "liaison.db").touch()  # an empty database: told to migrate it
    refused = liaison("serve", cwd=workdir, env=env)
    assert refused.returncode == 2
    assert "run `liaison migrate`" in refused.stderr
    migrated = liaison("migrate", cwd=workdir, env=env)
    assert migrated.returncode == 0, migrated.stderr
    assert f"empty → {schema.head_revision()}" in migrated.stdout
    again = liaison("migrate", cwd=workdir, env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout == f"database schema: already at {schema.head_revision()}, nothing to do\n"


def test_auto_migrate_says_in_the_log_what_it_did_to_the_database(workdir: Path) -> None:
    (workdir / "liaison.db").touch()  # empty
    env = {
        **pythonpath(),
        "SLACK_BOT_TOKEN": "xoxb-1",
        "DATABASE_URL": f"sqlite:///{workdir / 'liaison.db'}",
        "LIAISON_AUTO_MIGRATE": "true",
    }
    head = schema.head_revision()
    first = liaison("outbox", cwd=workdir, env=env)
    assert first.returncode == 0, first.stderr
    assert f" INFO storage.schema database schema upgraded from empty to {head}\n" in first.stderr
    again = liaison("outbox", cwd=workdir, env=env)
    assert again.returncode == 0, again.stderr
    assert again.stderr.endswith(f" INFO storage.schema database schema: already at {head}\n")


def test_an_unreachable_database_is_one_line_and_a_bad_limit_is_refused(workdir: Path) -> None:
    env = {
        **pythonpath(),
        "SLACK_BOT_TOKEN": "xoxb-1",
        "DATABASE_URL": f"sqlite:///{workdir / 'no' / 'such' / 'dir.db'}",
    }
    unreachable = liaison("serve", cwd=workdir, env={**env, "SLACK_SIGNING_SECRET": "s"})
    assert unreachable.returncode == 2
    assert unreachable.stderr.strip().splitlines() == [
        f"liaison: there is no folder {workdir}/no/such for the SQLite file DATABASE_URL names "
        f"(sqlite:///{workdir}/no/such/dir.db): create the folder, or set DATABASE_URL to a "
        "file in one that is there, e.g. sqlite:////srv/liaison/liaison.db"
    ]
    zero = liaison("outbox", "--limit", "0", cwd=workdir, env=env)
    assert zero.returncode == 2 and "must be 1 or more, not 0" in zero.stderr


def test_start_up_objects_are_left_out_of_full_collections() -> None:
    # What `serve` and `run` do once the app is built (the figures are bench/log_throughput's).
    try:
        cli.freeze_startup_objects()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_warming_up_loads_every_time_zone_before_the_first_request() -> None:
    # A date typed before Slack told Liaison the caller's zone is read in every zone in use;
    # loading the tz database then would cost ~0.1 s before that request's ack.
    every_zone.cache_clear()
    zones_in_use.cache_clear()
    cli.warm_up()
    assert every_zone.cache_info().currsize == 1
    zones = zones_in_use(date(2026, 11, 27))
    assert every_zone.cache_info().misses == 1  # nothing loaded again
    offsets = {datetime(2026, 11, 27, 12, tzinfo=UTC).astimezone(tz).utcoffset() for tz in zones}
    assert len(offsets) == len(zones)
    assert timedelta(hours=14) in offsets and timedelta(hours=-11) in offsets
    assert timedelta(hours=5, minutes=45) in offsets  # Nepal


def test_liaison_run_stops_taking_requests_before_it_lets_go_of_the_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A request the Socket Mode client was still handling at Ctrl-C could defer work, or read
    the database, after the runtime had closed: the client now closes first."""
    import bot.scheduler
    import bot.socket_mode

    steps: list[str] = []

    class Handler:
        def __init__(self, *_args: object, **_kwargs: object) -> None:
            pass

        def connect(self) -> None:
            steps.append("socket connected")

        def close(self) -> None:
            steps.append("socket closed")

    class Scheduler:
        def __init__(self, *_args: object, **_kwargs: object) -> None:
            pass

        def start(self) -> None:
            steps.append("scheduler started")
            raise KeyboardInterrupt  # Ctrl-C while connected, the scheduler running

        def shutdown(self) -> None:
            steps.append("scheduler stopped")

    class Runtime:
        def close(self) -> None:
            steps.append("runtime closed")

    monkeypatch.setattr(bot.socket_mode, "AckFirstSocketModeHandler", Handler)
    monkeypatch.setattr(bot.scheduler, "Scheduler", Scheduler)
    monkeypatch.setattr(cli, "build_runtime", lambda _settings: Runtime())
    app = SimpleNamespace(logger=logging.getLogger("test.bolt"))
    monkeypatch.setattr(cli, "_create_app", lambda *_args, **_kwargs: app)
    monkeypatch.setattr(cli, "warm_up", lambda: None)
    monkeypatch.setattr(cli, "freeze_startup_objects", lambda: None)
    monkeypatch.setattr(signal, "signal", lambda *_args: None)
    settings = Settings(slack_bot_token="xoxb-test", slack_app_token="xapp-test")
    assert cli.run_socket_mode(settings) == 0
    assert steps == [
        "socket connected",
        "scheduler started",
        "socket closed",
        "scheduler stopped",
        "runtime closed",
    ]


def test_the_readmes_command_lines_name_options_as_the_help_does() -> None:
    """A reader who meets `liaison tick [--at MOMENT]` in the README finds `--at MOMENT` in
    `liaison tick --help`, not another name for the same value."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    subcommands = next(
        action.choices
        for action in cli.build_parser()._actions
        if isinstance(action, argparse._SubParsersAction)
    )
    checked = 0
    for line in re.findall(r"`liaison ([^`]*)`", re.sub(r"\s*\n\s*", " ", readme)):
        command, _, rest = line.partition(" ")
        if command not in subcommands:
            continue
        usage = " ".join(subcommands[command].format_usage().split())
        for option, value in re.findall(r"(--[a-z-]+)(?: ([A-Z][A-Z_]*))?", rest):
            assert option in usage, f"`liaison {line}`: {option} is not in {usage}"
            if value:
                assert f"{option} {value}" in usage, f"`liaison {line}`: {usage}"
                checked += 1
    assert checked >= 3  # --script FILE, --at MOMENT, --kind KIND, --team TEAM_ID


@pytest.fixture
def migrated(workdir: Path) -> str:
    """A SQLite database at this version's schema, as `liaison migrate` leaves it."""
    url = f"sqlite:///{workdir / 'liaison.db'}"
    engine = make_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    return url


def slack_env(fake_slack: FakeSlack, database_url: str, **more: str) -> dict[str, str]:
    return {
        **pythonpath(),
        "SLACK_BOT_TOKEN": fake_slack.bot_token,
        "SLACK_SIGNING_SECRET": fake_slack.signing_secret,
        "SLACK_APP_TOKEN": "xapp-1",
        "SLACK_API_BASE_URL": fake_slack.base_url,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "ERROR",
        **more,
    }


def test_tick_with_a_token_slack_refuses_exits_2_before_doing_anything(
    workdir: Path, fake_slack: FakeSlack, migrated: str
) -> None:
    """With nothing due a tick never called Slack, so a cron job ran on a revoked token and
    exited 0 every time; `tick` now asks Slack about the token first, as `serve` does."""
    (workdir / "partners.csv").write_text("name,owner\nAcme,U0ANA\n")
    env = slack_env(fake_slack, migrated, SLACK_BOT_TOKEN="xoxb-revoked")
    refused = {command: liaison(*command, cwd=workdir, env=env) for command in COMMANDS_ON_SLACK}
    line = (
        f"liaison: Slack at SLACK_API_BASE_URL ({fake_slack.base_url}) did not accept "
        "SLACK_BOT_TOKEN (invalid_auth): put the Bot User OAuth Token (xoxb-…) from your Slack "
        "app's OAuth & Permissions page there (reinstalling the app gives a new one)"
    )
    for command, result in refused.items():
        assert result.returncode == 2, (command, result.stderr)
        assert result.stderr.strip().splitlines() == [line], command
        assert result.stdout == "", command  # no tick ran, nothing was imported
    accepted = liaison("tick", cwd=workdir, env=slack_env(fake_slack, migrated))
    assert accepted.returncode == 0, accepted.stderr
    assert accepted.stdout.startswith("tick at ")


# Each command that needs Slack, as an operator types it (the CSV is written by the test).
COMMANDS_ON_SLACK = [("tick",), ("import", "partners", "partners.csv"), ("serve",), ("run",)]


def test_every_command_words_an_unreachable_or_unwell_slack_alike(
    workdir: Path, fake_slack: FakeSlack, migrated: str
) -> None:
    (workdir / "partners.csv").write_text("name,owner\nAcme,U0ANA\n")
    port = free_port()  # nothing listens there
    nowhere = slack_env(fake_slack, migrated, SLACK_API_BASE_URL=f"http://127.0.0.1:{port}/api/")
    for command in COMMANDS_ON_SLACK:
        result = liaison(*command, cwd=workdir, env=nowhere)
        assert result.returncode == 2, (command, result.stderr)
        assert result.stderr.strip().splitlines() == [
            f"liaison: cannot reach Slack at SLACK_API_BASE_URL (http://127.0.0.1:{port}/api/) "
            "to check SLACK_BOT_TOKEN: [Errno 111] Connection refused"
        ], command
    not_slack = f"{fake_slack.url}/not-the-api/"  # the fake answers 404, in plain text
    result = liaison("tick", cwd=workdir, env={**nowhere, "SLACK_API_BASE_URL": not_slack})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"liaison: SLACK_API_BASE_URL ({not_slack}) is not Slack's Web API (auth.test got HTTP "
        "404, not Slack's JSON): set it to https://slack.com/api/ (GovSlack: "
        "https://slack-gov.com/api/), or leave it out"
    ]
    fake_slack.fail_next("auth.test", status=503)
    result = liaison(
        "import", "partners", "partners.csv", cwd=workdir, env=slack_env(fake_slack, migrated)
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"liaison: Slack at SLACK_API_BASE_URL ({fake_slack.base_url}) is not answering right "
        "now (HTTP 503); nothing was done: try again in a few minutes"
    ]


@contextmanager
def cut_short_answers() -> Iterator[str]:
    """A server that answers every request with headers promising a body it never sends in
    full, then hangs up (a proxy or load balancer dropping the connection): the client's read
    raises http.client.IncompleteRead, which is no OSError."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stopping = threading.Event()

    def serve() -> None:
        while not stopping.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.recv(65536)
                connection.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b'Content-Length: 100\r\n\r\n{"ok": tr'
                )

    worker = threading.Thread(target=serve, daemon=True)
    worker.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/api/"
    finally:
        stopping.set()
        worker.join()
        listener.close()


def test_every_command_words_an_answer_cut_short_in_one_line(
    workdir: Path, fake_slack: FakeSlack, migrated: str
) -> None:
    """auth.test's answer cut short ended `tick`, `import`, `serve` and `run` in a traceback:
    only network errors (OSError) and Slack's own were worded."""
    (workdir / "partners.csv").write_text("name,owner\nAcme,U0ANA\n")
    with cut_short_answers() as url:
        env = slack_env(fake_slack, migrated, SLACK_API_BASE_URL=url)
        for command in COMMANDS_ON_SLACK:
            result = liaison(*command, cwd=workdir, env=env)
            assert result.returncode == 2, (command, result.stderr)
            [line] = result.stderr.strip().splitlines()
            assert line.startswith(
                f"liaison: cannot reach Slack at SLACK_API_BASE_URL ({url}) to check "
                "SLACK_BOT_TOKEN: IncompleteRead("
            ), command


def test_migrate_on_an_unreachable_database_is_one_line(workdir: Path) -> None:
    """QA: SQLite's own "unable to open database file" did not say that the folder is what is
    missing (a relative DATABASE_URL read from another folder, say)."""
    env = {**pythonpath(), "DATABASE_URL": "sqlite:///./data/liaison.db"}
    result = liaison("migrate", cwd=workdir, env=env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"liaison: there is no folder {workdir.resolve()}/data for the SQLite file DATABASE_URL "
        "names (sqlite:///./data/liaison.db): create the folder, or set DATABASE_URL to a file "
        "in one that is there, e.g. sqlite:////srv/liaison/liaison.db"
    ]
    assert list(workdir.iterdir()) == []


@pytest.mark.parametrize(
    ("url", "said"),
    [
        # Two slashes, as people write URLs: "." was read as a host, and a traceback followed.
        ("sqlite://./liaison.db", "must name a SQLite file after three slashes"),
        # A database in memory: `migrate` "succeeded", and `run` then found nothing migrated.
        ("sqlite://", "must name a SQLite file after three slashes"),
        ("sqlite:///:memory:", "must name a SQLite file after three slashes"),
        ("postgresql+psycopg://liaison@db.internal:port/liaison", "is not a database URL"),
        # libpq would migrate whichever database is named after the login (here, on a port
        # where nothing listens, should the check go).
        ("postgresql+psycopg://liaison@127.0.0.1:9", "must name the PostgreSQL database"),
        ("postgresql://liaison:secret@db.internal", "must name the PostgreSQL database"),
    ],
)
def test_a_malformed_database_url_is_one_line_naming_it_and_touches_nothing(
    workdir: Path, url: str, said: str
) -> None:
    """QA: `DATABASE_URL=sqlite://./liaison.db` (or a port that is no number) stopped `migrate`
    with a traceback, and `sqlite://` or a PostgreSQL URL without a database migrated a
    database nobody meant."""
    result = liaison("migrate", cwd=workdir, env={**pythonpath(), "DATABASE_URL": url})
    assert result.returncode == 2, result.stdout
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"liaison: DATABASE_URL {said}"), line
    assert "secret" not in line
    assert line.endswith("(set in the environment).")
    assert result.stdout == ""
    assert list(workdir.iterdir()) == []


def test_a_database_a_newer_liaison_migrated_is_refused_and_not_migrated(
    workdir: Path, fake_slack: FakeSlack, migrated: str
) -> None:
    """It used to be told to run `liaison migrate`, which then failed with a traceback."""
    engine = make_engine(migrated)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    line = (
        "liaison: the database schema is at 9999, which this version of Liaison does not know "
        f"(it knows up to {schema.head_revision()}): a newer Liaison migrated it; run that "
        "version, or set DATABASE_URL to this version's database"
    )
    env = slack_env(fake_slack, migrated)
    for command in (("migrate",), ("outbox",), ("serve",)):
        for auto_migrate in ("false", "true"):
            result = liaison(
                *command, cwd=workdir, env={**env, "LIAISON_AUTO_MIGRATE": auto_migrate}
            )
            assert result.returncode == 2, (command, result.stderr)
            assert result.stderr.strip().splitlines() == [line], command


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "there is no such file"),
        (b"name,owner\nCaf\xe9 Bar,U0ANA\n", "it is not UTF-8 text (byte 0xe9 on line 2)"),
        (b"PK\x03\x04\x14\x00", "it is a spreadsheet workbook (.xlsx or .ods), not CSV"),
        (b"", "the file is empty"),
        # QA h3: "Nothing to change: all 0 partners in partners.csv are already registered."
        (b"name,owner\r\n,\r\n\r\n", "it has no partners, only its first line"),
        (
            b'name,owner\nAcme,U0ANA\n"Beta,U0ANA\nGamma,U0ANA\n',
            'the quote (") that opens a value on line 3 is never closed',
        ),
    ],
    ids=["missing", "latin-1", "workbook", "empty", "header-only", "open-quote"],
)
def test_a_partner_list_that_cannot_be_imported_is_one_line_before_slack_is_asked(
    workdir: Path, fake_slack: FakeSlack, migrated: str, content: bytes | None, problem: str
) -> None:
    if content is not None:
        (workdir / "partners.csv").write_bytes(content)
    result = liaison(
        "import", "partners", "partners.csv", cwd=workdir, env=slack_env(fake_slack, migrated)
    )
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"liaison: cannot import partners.csv: {problem}")
    assert fake_slack.calls == []


def test_a_partner_list_saved_as_utf_16_or_with_a_bom_is_read(
    workdir: Path, fake_slack: FakeSlack, migrated: str
) -> None:
    env = slack_env(fake_slack, migrated)
    for encoding in ("utf-16", "utf-8-sig"):
        (workdir / "partners.csv").write_bytes("name,owner\nÄrzte Café,U0ANA\n".encode(encoding))
        result = liaison("import", "partners", "partners.csv", "--dry-run", cwd=workdir, env=env)
        assert result.returncode == 0, result.stderr
        assert "Would add 1 partner: Ärzte Café." in result.stdout


def test_serve_on_a_port_taken_or_out_of_range_is_one_line_before_anything_starts(
    workdir: Path, fake_slack: FakeSlack, migrated: str
) -> None:
    """uvicorn said so among its start-up lines, once the scheduler had started (and with a
    traceback for a port past 65535)."""
    env = slack_env(fake_slack, migrated)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = liaison("serve", "--port", str(port), cwd=workdir, env=env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"liaison: cannot listen on 127.0.0.1:{port} (Address already in use): something else "
        "listens there: stop it, or choose another --port"
    ]
    assert fake_slack.calls == []  # said before Slack was asked anything
    result = liaison("serve", "--port", "70000", cwd=workdir, env=env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "liaison serve: error: argument --port: a port is from 1 to 65535, not 70000; e.g. 3000"
    )
    result = liaison("serve", "--host", "no-such-host.invalid", cwd=workdir, env=env)
    assert result.returncode == 2
    assert result.stderr.startswith("liaison: --host no-such-host.invalid is not an address ")


def test_outbox_says_an_unknown_kind_as_an_error_and_lists_the_queue_as_a_result(
    workdir: Path, fake_slack: FakeSlack, migrated: str
) -> None:
    env = slack_env(fake_slack, migrated)
    typo = liaison("outbox", "--retry-failed", "--kind", "chekin", cwd=workdir, env=env)
    assert typo.returncode == 2
    assert typo.stdout == ""
    assert typo.stderr.strip().splitlines() == [
        "liaison: unknown kind 'chekin': no message of that kind was ever queued. "
        "No message has failed."
    ]
    for args, said in (
        (("outbox",), "nothing queued"),
        (("outbox", "--failed"), "no failed messages"),
    ):
        result = liaison(*args, cwd=workdir, env=env)
        assert (result.returncode, result.stdout.strip(), result.stderr) == (0, said, "")


def test_simulate_refuses_a_db_that_is_no_sandbox_and_deletes_nothing(
    workdir: Path, migrated: str
) -> None:
    """`--db notes.txt --fresh` deleted notes.txt, and `--db liaison.db` (DATABASE_URL's) wrote
    the fake workspace into Liaison's own database, or with --fresh deleted it; a folder not
    there was a traceback."""
    (workdir / "story.txt").write_text("advance 1d\n")
    notes = workdir / "notes.txt"
    notes.write_text("not a database\n")
    env = {**pythonpath(), "DATABASE_URL": migrated}
    refused = {
        "notes.txt": "--db notes.txt is not a SQLite file, so not the sandbox's database",
        "liaison.db": "--db liaison.db is Liaison's own database (DATABASE_URL)",
        "no/such/sandbox.db": "there is no folder no/such for --db no/such/sandbox.db",
        ".": "--db . is a folder",
    }
    for db, said in refused.items():
        args = ("simulate", "--script", "story.txt", "--db", db, "--fresh")
        result = liaison(*args, cwd=workdir, env=env)
        assert result.returncode == 2, result.stderr
        [line] = result.stderr.strip().splitlines()
        assert line.startswith(f"liaison: {said}")
        assert line.endswith("e.g. --db liaison-sandbox.db")
    assert notes.read_text() == "not a database\n"
    assert schema.current_revision(make_engine(migrated)) == schema.head_revision()
    played = liaison(
        "simulate", "--script", "story.txt", "--db", "sandbox.db", cwd=workdir, env=env
    )
    assert played.returncode == 0, played.stderr


def test_simulate_ignores_slack_settings_meant_for_the_real_app(workdir: Path) -> None:
    """A badly formed token in .env stopped `simulate` (SLACK_BOT_TOKEN must start with
    'xoxb-'), though its fake Slack brings its own; other settings are still checked."""
    (workdir / "story.txt").write_text("advance 1d\n")
    (workdir / ".env").write_text(
        "SLACK_BOT_TOKEN=paste-it-here\nSLACK_APP_TOKEN=xoxb-the-wrong-one\n"
        "SLACK_API_BASE_URL=slack.com\n"
    )
    args = ("simulate", "--script", "story.txt", "--db", "sandbox.db")
    played = liaison(*args, cwd=workdir, env=pythonpath())
    assert played.returncode == 0, played.stderr
    refused = liaison(*args, cwd=workdir, env={**pythonpath(), "LOG_LEVEL": "LOUD"})
    assert refused.returncode == 2
    assert refused.stderr.startswith("liaison: LOG_LEVEL ")
    # `run` still reads the token, and says what is wrong with it.
    run = liaison("run", cwd=workdir, env=pythonpath())
    assert run.returncode == 2
    assert run.stderr.startswith("liaison: SLACK_BOT_TOKEN must start with 'xoxb-'")


def test_import_waits_out_slacks_rate_limit_and_says_an_outage_in_one_line(
    workdir: Path, fake_slack: FakeSlack, migrated: str
) -> None:
    """Owners are looked up one by one; a long list met Slack's rate limit and the import
    stopped at the first 429 ("Slack answered ratelimited"). A 5xx was said with Slack's HTML."""
    (workdir / "partners.csv").write_text("name,owner\nAcme,U0ANA\n")
    env = slack_env(fake_slack, migrated)
    fake_slack.fail_next("users.info", status=429, retry_after=1, times=2)
    waited = liaison("import", "partners", "partners.csv", "--dry-run", cwd=workdir, env=env)
    assert waited.returncode == 0, waited.stderr
    assert "Would add 1 partner: Acme." in waited.stdout
    fake_slack.fail_next("users.info", status=503, times=5)
    down = liaison("import", "partners", "partners.csv", cwd=workdir, env=env)
    assert down.returncode == 2
    assert down.stderr.strip().splitlines() == [
        "liaison: Slack is not answering right now (HTTP 503) when asked about U0ANA, even "
        "after waiting: try again in a few minutes; nothing was imported"
    ]


def test_import_says_an_answer_cut_short_in_one_line(
    workdir: Path, fake_slack: FakeSlack, migrated: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An owner's lookup whose answer was cut short (IncompleteRead, no OSError) ended the
    import with a traceback: the lookup caught what Slack out of reach raises, not that."""
    (workdir / "partners.csv").write_text("name,owner\nAcme,U0ANA\n")
    cut_short(fake_slack, monkeypatch, "users.info")
    cut = liaison(
        "import", "partners", "partners.csv", cwd=workdir, env=slack_env(fake_slack, migrated)
    )
    assert cut.returncode == 2, cut.stderr
    assert "Traceback" not in cut.stderr
    (said,) = cut.stderr.strip().splitlines()
    assert said.startswith(
        f"liaison: cannot reach Slack at SLACK_API_BASE_URL ({fake_slack.base_url}) to look up "
        "U0ANA: IncompleteRead("
    ), said
    assert said.endswith("; nothing was imported"), said


def test_import_reads_a_retry_after_given_as_an_http_date(
    workdir: Path, fake_slack: FakeSlack, migrated: str
) -> None:
    """slack_sdk's rate-limit handler does int(Retry-After): a date (which HTTP allows) ended
    the import with a traceback. A date already past waits the least, about a second."""
    (workdir / "partners.csv").write_text("name,owner\nAcme,U0ANA\n")
    fake_slack.fail_next(
        "users.info", status=429, retry_after="Wed, 21 Oct 2015 07:28:00 GMT", times=2
    )
    env = slack_env(fake_slack, migrated, LOG_LEVEL="WARNING")
    waited = liaison("import", "partners", "partners.csv", "--dry-run", cwd=workdir, env=env)
    assert waited.returncode == 0, waited.stderr
    assert "Would add 1 partner: Acme." in waited.stdout
    assert len(fake_slack.calls_to("users.info")) == 3
    assert waited.stderr.count("Slack is rate limiting the lookups: asking again in 1 s") == 2


def test_ctrl_c_in_an_import_is_one_line_not_a_traceback(
    workdir: Path, fake_slack: FakeSlack, migrated: str
) -> None:
    (workdir / "partners.csv").write_text("name,owner\nAcme,U0ANA\n")
    fake_slack.fail_next("users.info", status=429, retry_after=30)  # the import waits
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "import", "partners", "partners.csv"],
        cwd=workdir,
        env={"PATH": "/usr/bin:/bin", **slack_env(fake_slack, migrated)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        fake_slack.wait_until(lambda: bool(fake_slack.calls_to("users.info")), timeout=30)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130
    assert stderr.strip().splitlines() == ["liaison: stopped by Ctrl-C"]


def test_a_tick_that_fails_messages_for_good_exits_1_saying_how_many(
    workdir: Path, fake_slack: FakeSlack, migrated: str
) -> None:
    """It exited 0 with "failed 2" in its summary (the bot not in those channels): a cron job
    never noticed. The next tick, with nothing failing, exits 0 again."""
    engine = make_engine(migrated)
    now = datetime.now(UTC)
    queue(engine, due_at=now, key="lost", channel="C0NOWHERE")
    queue(engine, due_at=now, key="gone", channel="C0GONE")
    queue(engine, due_at=now, key="fine", channel="C0PARTNERS")
    engine.dispose()
    env = slack_env(fake_slack, migrated)

    failing = liaison("tick", cwd=workdir, env=env)

    assert failing.returncode == 1, failing.stderr
    assert "sent 1," in failing.stdout and "failed 2," in failing.stdout
    assert failing.stderr.strip().splitlines() == [
        "liaison: 2 messages failed for good in this tick and will not be tried again: "
        "`liaison outbox --failed` says why (e.g. the bot is not in a channel); once that is "
        "fixed, `liaison outbox --retry-failed` queues them again"
    ]
    again = liaison("tick", cwd=workdir, env=env)
    assert (again.returncode, again.stderr) == (0, "")
    help_text = " ".join(liaison("tick", "--help", cwd=workdir, env=pythonpath()).stdout.split())
    assert "1 a planner failed, or a message failed for good" in help_text


def serve_process(
    fake_slack: FakeSlack, migrated: str, *args: str, cwd: Path
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", *args],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", **slack_env(fake_slack, migrated, LOG_LEVEL="INFO")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_serve_stopped_by_sigterm_or_ctrl_c_exits_0_as_run_does(
    workdir: Path, fake_slack: FakeSlack, migrated: str, stop: signal.Signals
) -> None:
    """uvicorn raised the signal again once shut down: SIGTERM killed the process (143, a
    failure to systemd) and Ctrl-C was 130 with "stopped by Ctrl-C", where `run` exits 0.
    APScheduler's INFO lines (two per job at start-up, "Adding job tentatively") are left out."""
    port = free_port()
    process = serve_process(fake_slack, migrated, "--port", str(port), cwd=workdir)
    try:
        wait_for_health(f"http://127.0.0.1:{port}/healthz", process)
        process.send_signal(stop)
        _, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "scheduler started" in err and "scheduler stopped" in err
    assert "liaison stopped" in err
    assert "Traceback" not in err and "stopped by Ctrl-C" not in err
    assert "apscheduler" not in err  # "Adding job tentatively", "Added job", "Scheduler started"


def test_serve_on_an_ipv6_address_logs_a_url_with_brackets(
    workdir: Path, fake_slack: FakeSlack, migrated: str
) -> None:
    """`--host ::` was logged as http://:::39993/slack/events."""
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 on this machine")
    port = free_port()
    process = serve_process(fake_slack, migrated, "--host", "::1", "--port", str(port), cwd=workdir)
    try:
        wait_for_health(f"http://[::1]:{port}/healthz", process)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert f"serving Slack on http://[::1]:{port}/slack/events" in err
    assert process.returncode == 0, err


def seed_workspace(url: str, team_id: str, partner: str, owner: str, note: str) -> None:
    """A workspace with one partner, a commitment and a touchpoint, recorded through the
    services as `/partner add`, `commit` and `log` record them."""
    engine = make_engine(url)
    clock = ManualClock(datetime(2026, 11, 23, 9, tzinfo=UTC))
    save_colleagues(engine, clock, team_id=team_id, colleagues=[Colleague(owner)])
    registry = Registry(engine=engine, clock=clock, names=PartnerNames())
    add_partner(registry, team_id=team_id, name=partner, owner_id=owner)
    Commitments(engine=engine, clock=clock, registry=registry, messages=MESSAGES).record(
        actor=Actor(team_id, owner),
        partner=partner,
        new=NewCommitment(side=CommitmentSide.US, what=f"{note} deck", due_text="friday"),
    )
    Touchpoints(
        engine=engine, clock=clock, registry=registry, renderer=RENDERER, default_channel=None
    ).record(
        actor=Actor(team_id, owner),
        partner=partner,
        new=NewTouchpoint(kind=TouchpointKind.DONE, notes=f"{note} intro"),
    )
    engine.dispose()


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_export_writes_one_workspaces_csv_to_stdout_or_a_file(workdir: Path, migrated: str) -> None:
    """An operator had no way to take the data out but `/partner export`, one person's share
    in their DMs; `liaison export` writes a whole workspace's, and nothing of another's."""
    assert cli.EXPORTS == tuple(Dataset)  # what `--help` offers is what the service builds

    seed_workspace(migrated, "T1", "Acme", "U0BEN", "acme")
    seed_workspace(migrated, "T2", "Initech", "U0ZOE", "initech")
    env = {**pythonpath(), "DATABASE_URL": migrated, "LOG_LEVEL": "ERROR"}  # no Slack at all

    for what, columns, expected in (
        ("partners", PARTNER_COLUMNS, ("name", "Acme")),
        ("touchpoints", TOUCHPOINT_COLUMNS, ("notes", "acme intro")),
        ("commitments", COMMITMENT_COLUMNS, ("what", "acme deck")),
    ):
        result = liaison("export", what, "--team", "T1", cwd=workdir, env=env)
        assert (result.returncode, result.stderr) == (0, ""), what
        header, *_ = result.stdout.splitlines()
        assert header == ",".join(columns)  # one header line, no byte-order mark on a pipe
        rows = csv_rows(result.stdout)
        key, value = expected
        assert [row[key] for row in rows] == [value], what
        assert "initech" not in result.stdout.lower() and "U0ZOE" not in result.stdout

    commitments = csv_rows(
        liaison("export", "commitments", "--team", "T2", cwd=workdir, env=env).stdout
    )
    assert [(row["partner"], row["owner_id"], row["number"]) for row in commitments] == [
        ("Initech", "U0ZOE", "1")
    ]

    # A reader that stops early (`| head`) ends it as it ends a shell's tools: no traceback.
    closed = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "export", "partners", "--team", "T1"],
        cwd=workdir,
        env={"PATH": "/usr/bin:/bin", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert closed.stdout is not None and closed.stderr is not None
    closed.stdout.close()
    assert (closed.wait(timeout=60), closed.stderr.read()) == (cli.EXIT_BROKEN_PIPE, "")

    written = liaison(
        "export", "partners", "--team", "T2", "--out", "initech.csv", cwd=workdir, env=env
    )
    assert (written.returncode, written.stderr) == (0, "")
    assert written.stdout == "wrote 1 partner of workspace T2 to initech.csv\n"
    content = (workdir / "initech.csv").read_bytes()
    assert content.startswith("\ufeff".encode())  # as the file Slack gets, for spreadsheets
    assert [row["name"] for row in csv_rows(content.decode("utf-8-sig"))] == ["Initech"]
    assert b"Acme" not in content


def test_export_after_import_names_the_owners_slack_told_the_import_of(
    workdir: Path, fake_slack: FakeSlack, migrated: str
) -> None:
    """QA: `liaison export partners` after `liaison import` had an empty owner_name on every
    row: the import looked the owners up in Slack (users.lookupByEmail, users.info) but kept
    nothing of what Slack said, and nothing else ever asked about them. Someone of another
    organisation is no owner (as for `add`), in a dry run and in the import alike."""
    fake_slack.add_user(id="U0EVE", name="eve", real_name="Eve", email="eve@acme.test")
    fake_slack.add_user(id="U0ZED", name="zed", email="zed@partner.test", team_id="T0OTHER")
    (workdir / "partners.csv").write_text(
        "name,aliases,owner\n"
        'CARE International,"CARE, Care Intl",eve@acme.test\n'
        "Globex,GX,U0BEN\n"
        "Umbrella,,zed@partner.test\n"
    )
    env = slack_env(fake_slack, migrated)
    dry = liaison("import", "partners", "partners.csv", "--dry-run", cwd=workdir, env=env)
    assert dry.returncode == 1, dry.stderr
    assert (
        "line 4    Umbrella — zed@partner.test is from another organisation (their Slack "
        "account belongs to another workspace): only colleagues can own a partner. Give a "
        "colleague as its owner and import it again; note people at the partner as its "
        "contacts: /partner contact Umbrella add NAME zed@partner.test\n"
    ) in dry.stdout
    with make_engine(migrated).connect() as connection:  # a dry run changes nothing
        assert connection.exec_driver_sql("SELECT count(*) FROM user_profile").scalar() == 0
    imported = liaison("import", "partners", "partners.csv", cwd=workdir, env=env)
    assert imported.returncode == 1, imported.stderr
    assert "Added 2 partners: CARE International, Globex." in imported.stdout

    exported = liaison(
        "export", "partners", "--team", "T0ACME", "--out", "out.csv", cwd=workdir, env=env
    )
    assert exported.returncode == 0, exported.stderr
    rows = csv_rows((workdir / "out.csv").read_text(encoding="utf-8-sig"))
    assert [(r["name"], r["aliases"], r["owner_id"], r["owner_name"]) for r in rows] == [
        ("CARE International", "CARE; Care Intl", "U0EVE", "eve"),
        ("Globex", "GX", "U0BEN", "ben"),
    ]
    again = liaison("import", "partners", "out.csv", cwd=workdir, env=env)
    assert again.returncode == 0, again.stderr
    assert "Nothing to change: all 2 partners in out.csv are already registered." in again.stdout


def test_deputies_and_teams_survive_an_export_imported_into_a_new_database(
    workdir: Path, fake_slack: FakeSlack, migrated: str
) -> None:
    """QA h3: `liaison import` read the export's name, aliases, owner, status and website, and
    dropped its deputy_id and team_ids without a word: a list moved to a new database lost
    every deputy and team. They are read now (by id or email, as owners are), each colleague
    told; a deputy Slack does not know is left out, saying so (QA h5: not the whole partner)."""
    fake_slack.add_user(id="U0EVE", name="eve", real_name="Eve", email="eve@acme.test")
    (workdir / "partners.csv").write_text(
        "name,owner,deputy,team\n"
        'Globex,U0BEN,eve@acme.test,"U0CHLOE; U0DAN"\n'
        "Initech,U0BEN,nobody@acme.test,\n"
        "Umbrella,U0ANA,U0ANA,\n"
    )
    env = slack_env(fake_slack, migrated)
    imported = liaison("import", "partners", "partners.csv", cwd=workdir, env=env)
    assert imported.returncode == 1, imported.stderr
    assert imported.stdout.splitlines() == [
        "Imported partners.csv for workspace T0ACME.",
        "Cells left out (2):",
        "  line 3    Initech — its deputy: nobody in Slack is nobody@acme.test; imported without "
        "a deputy",
        "  line 4    Umbrella — its deputy U0ANA is its owner too; imported without a deputy",
        "Added 3 partners: Globex, Initech, Umbrella.",
        "Their 2 owners hear of them in a direct message, in working hours, and so do 3 "
        "deputies and team members.",
    ]
    with make_engine(migrated).connect() as connection:
        notes: dict[str, str] = dict(
            connection.exec_driver_sql(
                "SELECT recipient_user, text FROM outbox_message WHERE kind = 'import'"
            ).all()
        )
    assert notes["U0EVE"] == (
        "A partner list was imported into Liaison, and you are the deputy of *Globex*: you "
        "cover for its owner while they are away."
    )
    assert notes["U0DAN"].endswith(
        "you are on the team of *Globex*: its pulse surveys will "
        "ask you how the partnership goes, and you will be kept informed about it."
    )
    assert sorted(notes) == ["U0ANA", "U0BEN", "U0CHLOE", "U0DAN", "U0EVE"]

    exported = liaison(
        "export", "partners", "--team", "T0ACME", "--out", "out.csv", cwd=workdir, env=env
    )
    assert exported.returncode == 0, exported.stderr
    fresh = f"sqlite:///{workdir / 'fresh.db'}"
    fresh_env = slack_env(fake_slack, fresh)
    assert liaison("migrate", cwd=workdir, env=fresh_env).returncode == 0
    again = liaison("import", "partners", "out.csv", cwd=workdir, env=fresh_env)
    assert again.returncode == 0, again.stdout + again.stderr
    moved = liaison("export", "partners", "--team", "T0ACME", cwd=workdir, env=fresh_env)
    columns = ("name", "owner_id", "deputy_id", "deputy_name", "team_ids")
    assert [tuple(row[c] for c in columns) for row in csv_rows(moved.stdout)] == [
        ("Globex", "U0BEN", "U0EVE", "eve", "U0CHLOE; U0DAN"),
        ("Initech", "U0BEN", "", "", ""),
        ("Umbrella", "U0ANA", "", "", ""),
    ]


def test_export_asks_slack_who_the_cache_never_held_or_says_how_many_it_names_by_id(
    workdir: Path, fake_slack: FakeSlack, migrated: str
) -> None:
    """`liaison export` gave raw user ids where `/partner export` names people: it never asked
    Slack about those the profile cache did not hold (partners added before it knew their
    owners), and said nothing about it."""
    fake_slack.add_user(id="U0EVE", name="eve")
    seed_workspace(migrated, "T0ACME", "Acme", "U0EVE", "acme")
    seed_workspace(migrated, "T0ACME", "Globex", "U0GONE", "globex")  # Slack knows no U0GONE
    seed_workspace(migrated, "T2", "Initech", "U0ZOE", "initech")
    with make_engine(migrated).begin() as connection:  # a cache that never held them
        connection.exec_driver_sql("DELETE FROM user_profile")

    def owners(result: subprocess.CompletedProcess[str]) -> list[tuple[str, str]]:
        assert result.returncode == 0, result.stderr
        return [(row["owner_id"], row["owner_name"]) for row in csv_rows(result.stdout)]

    offline = {**pythonpath(), "DATABASE_URL": migrated, "LOG_LEVEL": "ERROR"}
    unasked = liaison("export", "partners", "--team", "T0ACME", cwd=workdir, env=offline)
    assert owners(unasked) == [("U0EVE", ""), ("U0GONE", "")]
    assert unasked.stderr.splitlines() == [
        "liaison: note: 2 people in the file named by id only, with no name (U0EVE, U0GONE): "
        "SLACK_BOT_TOKEN is not set, so Slack was not asked who they are"
    ]
    assert fake_slack.calls == []

    # Slack's rate limit is waited out, as the import waits it out.
    fake_slack.fail_next("users.info", status=429, retry_after=1)
    env = slack_env(fake_slack, migrated)
    asked = liaison("export", "partners", "--team", "T0ACME", cwd=workdir, env=env)
    assert owners(asked) == [("U0EVE", "eve"), ("U0GONE", "")]
    assert asked.stderr.splitlines() == [
        "liaison: note: 1 person in the file named by id only, with no name (U0GONE): Slack did "
        "not say who they are (gone from the workspace, or no answer)"
    ]
    assert len(fake_slack.calls_to("users.info")) == 3  # the 429, then one each
    written = liaison(
        "export", "touchpoints", "--team", "T0ACME", "--out", "t.csv", cwd=workdir, env=env
    )
    assert written.stdout == "wrote 2 touchpoints of workspace T0ACME to t.csv\n"
    assert len(fake_slack.calls_to("users.info")) == 4  # only U0GONE again: Eve is cached now

    # The token is of another workspace: its people are not asked about with it.
    other = liaison("export", "partners", "--team", "T2", cwd=workdir, env=env)
    assert owners(other) == [("U0ZOE", "")]
    assert other.stderr.splitlines() == [
        "liaison: note: 1 person in the file named by id only, with no name (U0ZOE): "
        "SLACK_BOT_TOKEN is Liaison's token in workspace T0ACME, so Slack was not asked about "
        "people of T2"
    ]
    assert len(fake_slack.calls_to("users.info")) == 4


def test_export_refuses_a_missing_or_unknown_team_and_an_unmigrated_database(
    workdir: Path, migrated: str
) -> None:
    env = {**pythonpath(), "DATABASE_URL": migrated, "LOG_LEVEL": "ERROR"}
    empty = liaison("export", "partners", "--team", "T1", cwd=workdir, env=env)
    assert (empty.returncode, empty.stdout) == (2, "")
    assert empty.stderr.strip().splitlines() == [
        "liaison: no workspace has the id 'T1': no partner was ever registered in it. "
        "No workspace has registered a partner yet."
    ]
    seed_workspace(migrated, "T1", "Acme", "U0BEN", "acme")
    seed_workspace(migrated, "T2", "Initech", "U0ZOE", "initech")
    for args, said in (
        ((), "export needs --team TEAM_ID, the workspace to export"),
        (("--team", "t1"), "no workspace has the id 't1': no partner was ever registered in it"),
    ):
        refused = liaison("export", "touchpoints", *args, "--out", "x.csv", cwd=workdir, env=env)
        assert (refused.returncode, refused.stdout) == (2, ""), args
        assert refused.stderr.strip().splitlines() == [
            f"liaison: {said}. Workspaces with partners: T1, T2, e.g. --team T1"
        ]
        assert not (workdir / "x.csv").exists()  # nothing half-written

    folder = liaison(
        "export", "partners", "--team", "T1", "--out", "no/x.csv", cwd=workdir, env=env
    )
    assert folder.returncode == 2
    assert folder.stderr.startswith("liaison: there is no folder no for --out no/x.csv")
    typo = liaison("export", "partner", "--team", "T1", cwd=workdir, env=env)
    assert typo.returncode == 2 and "invalid choice: 'partner'" in typo.stderr

    (workdir / "old.db").touch()  # a database never migrated
    old = {**env, "DATABASE_URL": f"sqlite:///{workdir / 'old.db'}"}
    unmigrated = liaison("export", "partners", "--team", "T1", cwd=workdir, env=old)
    assert (unmigrated.returncode, unmigrated.stdout) == (2, "")
    assert len(unmigrated.stderr.strip().splitlines()) == 1
    assert "run `liaison migrate`" in unmigrated.stderr
    missing = {**env, "DATABASE_URL": f"sqlite:///{workdir / 'none.db'}"}
    nowhere = liaison("export", "partners", "--team", "T1", cwd=workdir, env=missing)
    assert nowhere.returncode == 2
    assert nowhere.stderr.startswith(f"liaison: there is no database at {workdir / 'none.db'}")
    help_text = " ".join(liaison("export", "--help", cwd=workdir, env=pythonpath()).stdout.split())
    assert "the same columns" in help_text and "2 nothing written" in help_text


def test_a_contacts_cell_with_a_quote_never_closed_names_the_contacts_column(
    workdir: Path, fake_slack: FakeSlack, migrated: str
) -> None:
    """QA h5: a contacts cell with a quote left open was refused as if it were about an alias
    ("the quote before the alias “Jane Doe…”"): the operator looked for it in the aliases."""
    (workdir / "partners.csv").write_text(
        "name,aliases,owner,contacts\n"
        'Globex,GX,U0BEN,"""Jane Doe <jane@globex.test>, John Roe"\n'
        'Hooli,,U0BEN,"""Jane Doe"" (CEO), John Roe"\n'
    )
    env = slack_env(fake_slack, migrated)
    dry = liaison("import", "partners", "partners.csv", "--dry-run", cwd=workdir, env=env)
    assert dry.returncode == 1, dry.stderr
    said = dry.stdout.splitlines()
    assert (
        '  line 2    Globex — in the contacts column, the quote (") before the contact “Jane '
        'Doe <jane@globex.test>, John Roe” is never closed: close it, as in "Jane Doe '
        '<jane@msf.org> (CEO, Africa)", John Roe; would be imported without its contacts'
    ) in said
    assert (
        "  line 3    Hooli — in the contacts column, “(CEO), John Roe” follows the quoted contact "
        '“Jane Doe”: separate contacts with commas, as in "Jane Doe <jane@msf.org> (CEO, '
        'Africa)", John Roe; would be imported without its contacts'
    ) in said
    assert not any("alias" in line for line in said)


def test_a_deputy_team_or_contact_naming_nobody_is_left_out_of_the_partner_saying_so(
    workdir: Path, fake_slack: FakeSlack, migrated: str
) -> None:
    """QA h5: a spreadsheet whose deputy or team column held what is no person ("n/a", "-",
    "Comms team") skipped the whole partner. Only the name and the owner make a partner: the
    rest is left out and said, row by row, the same in a dry run as in the import."""
    (workdir / "partners.csv").write_text(
        "name,owner,deputy,team,contacts\n"
        "Globex,U0BEN,n/a,Comms team,\n"
        'Hooli,U0BEN,-,"U0CHLOE U0DAN, nobody@acme.test",Jane Doe <jane@hooli> (CEO); John Roe\n'
        "Initech,n/a,U0CHLOE,U0DAN,\n"
        "Umbrella,U0ANA,   ,   ,   \n"
    )
    env = slack_env(fake_slack, migrated)
    left_out = [
        "Unknown owners, skipped (1):",
        "  line 4    Initech — “n/a” is neither an email address nor a Slack user id (like "
        "U0123ABCD)",
        "Cells left out (5):",
        "  line 2    Globex — its deputy “n/a” is neither an email address nor a Slack user id; "
        "{added} without a deputy",
        "  line 2    Globex — its team member “Comms team” is neither an email address nor a "
        "Slack user id; {added} without them on its team",
        "  line 3    Hooli — its deputy “-” is neither an email address nor a Slack user id; "
        "{added} without a deputy",
        "  line 3    Hooli — its team member: nobody in Slack is nobody@acme.test; {added} "
        "without them on its team",
        "  line 3    Hooli — “jane@hooli”, the email of Jane Doe, is not an email address; "
        "{added} without that contact",
    ]
    dry = liaison("import", "partners", "partners.csv", "--dry-run", cwd=workdir, env=env)
    assert dry.returncode == 1, dry.stderr
    assert dry.stdout.splitlines()[1:-2] == [
        line.format(added="would be imported") for line in left_out
    ]
    assert dry.stdout.splitlines()[-2] == "Would add 3 partners: Globex, Hooli, Umbrella."
    imported = liaison("import", "partners", "partners.csv", cwd=workdir, env=env)
    assert imported.returncode == 1, imported.stderr
    assert imported.stdout.splitlines()[1:-2] == [
        line.format(added="imported") for line in left_out
    ]
    assert imported.stdout.splitlines()[-2] == "Added 3 partners: Globex, Hooli, Umbrella."
    exported = liaison("export", "partners", "--team", "T0ACME", cwd=workdir, env=env)
    columns = ("name", "owner_id", "deputy_id", "team_ids", "contacts")
    assert [tuple(row[c] for c in columns) for row in csv_rows(exported.stdout)] == [
        ("Globex", "U0BEN", "", "", ""),
        ("Hooli", "U0BEN", "", "U0CHLOE; U0DAN", "John Roe"),
        ("Umbrella", "U0ANA", "", "", ""),
    ]


def seed_settings(url: str) -> None:
    """Workspace T0ACME's partners with settings of their own, as `/partner cadence`, `survey`
    and `channel` set them: Acme its own cadence, pulse and channel (picked from Slack's list);
    Globex a cadence of its status's and a typed #channel; Hooli the defaults, surveys off."""
    engine = make_engine(url)
    clock = ManualClock(datetime(2026, 11, 23, 9, tzinfo=UTC))
    save_colleagues(engine, clock, team_id="T0ACME", colleagues=[Colleague("U0ANA", admin=True)])
    registry = Registry(engine=engine, clock=clock, names=PartnerNames())
    ana = Actor("T0ACME", "U0ANA")
    for name in ("Acme", "Globex", "Hooli"):
        add_partner(registry, team_id="T0ACME", name=name, owner_id="U0ANA")
    registry.set_status(actor=ana, partner="Globex", status=PartnerStatus.ACTIVE)
    cadences = Cadences(engine=engine, clock=clock, registry=registry, messages=MESSAGES)
    cadences.set(actor=ana, partner="Acme", ideal=14, maximum=45)
    cadences.set_for_status(actor=ana, status=PartnerStatus.ACTIVE, ideal=7, maximum=21)
    registry.set_channel(actor=ana, partner="Acme", channel_id="C0ACMEPARTNERS")
    registry.set_channel(actor=ana, partner="Globex", channel_id="#globex-team")
    with Session(engine) as session:
        for name, pulse in (("Acme", "quarterly"), ("Hooli", "off")):
            facts = registry.resolve(session, team_id="T0ACME", query=name)
            assert facts.id is not None
            set_pulse_cadence(session=session, team_id="T0ACME", partner_id=facts.id, cadence=pulse)
        session.commit()
    engine.dispose()


def test_a_partners_own_cadence_pulse_and_channel_survive_a_move_to_a_new_database(
    workdir: Path, fake_slack: FakeSlack, migrated: str
) -> None:
    """QA h5: an export imported into a new database lost each partner's stay-in-touch
    cadence, pulse-survey cadence and channel: every partner followed the workspace's again.
    Only what is the partner's own moves (not the cadence its status or the defaults give);
    one that cannot be used is left out, saying why, and the partner added without it."""
    seed_settings(migrated)
    env = slack_env(fake_slack, migrated)
    exported = liaison(
        "export", "partners", "--team", "T0ACME", "--out", "out.csv", cwd=workdir, env=env
    )
    assert exported.returncode == 0, exported.stderr
    columns = (
        "name", "channel_id", "cadence_ideal_days", "cadence_max_days", "cadence_source",
        "pulse_cadence",
    )  # fmt: skip
    before = [
        ("Acme", "C0ACMEPARTNERS", "14", "45", "partner", "quarterly"),
        ("Globex", "#globex-team", "7", "21", "status", ""),
        ("Hooli", "", "30", "60", "default", "off"),
    ]
    rows = csv_rows((workdir / "out.csv").read_text(encoding="utf-8-sig"))
    assert [tuple(row[c] for c in columns) for row in rows] == before

    fresh = f"sqlite:///{workdir / 'fresh.db'}"
    fresh_env = slack_env(fake_slack, fresh)
    assert liaison("migrate", cwd=workdir, env=fresh_env).returncode == 0
    moved = liaison("import", "partners", "out.csv", cwd=workdir, env=fresh_env)
    assert moved.returncode == 0, moved.stdout + moved.stderr
    again = liaison("export", "partners", "--team", "T0ACME", cwd=workdir, env=fresh_env)
    # Globex's status cadence is the old workspace's setting, not the partner's: it has the
    # defaults in the new one, where no `cadence status active` was set.
    assert [tuple(row[c] for c in columns) for row in csv_rows(again.stdout)] == [
        before[0],
        ("Globex", "#globex-team", "30", "60", "default", ""),
        before[2],
    ]

    (workdir / "bad.csv").write_text(
        "name,owner,channel,cadence_ideal_days,cadence_max_days,pulse\n"
        "Initech,U0ANA,general chat,60,30,weekly\n"
        "Umbrella,U0ANA,#Umbrella,10,,Monthly\n"
        "Wayne,U0ANA,g0wayne,5,10,OFF\n"
    )
    dry = liaison("import", "partners", "bad.csv", "--dry-run", cwd=workdir, env=fresh_env)
    imported = liaison("import", "partners", "bad.csv", cwd=workdir, env=fresh_env)
    assert (dry.returncode, imported.returncode) == (1, 1), imported.stderr
    left_out = [
        "Cells left out (4):",
        "  line 2    Initech — its channel “general chat” is neither a channel id (C0123ABCD) "
        "nor a #channel-name; {done} without its own channel (its alerts go to the workspace's)",
        "  line 2    Initech — its stay-in-touch cadence “60” and “30” (cadence_ideal_days, "
        "cadence_max_days) is not two whole numbers of days, the ideal below the maximum, up to "
        "730, as in 30 and 60; {done} without its own cadence (it follows its status's or the "
        "default)",
        "  line 2    Initech — its pulse cadence “weekly” is not monthly, quarterly or off (or "
        "empty: the workspace's); {done} without its own pulse cadence (it follows the "
        "workspace's)",
        "  line 3    Umbrella — its stay-in-touch cadence “10” and “” (cadence_ideal_days, "
        "cadence_max_days) is not two whole numbers of days, the ideal below the maximum, up to "
        "730, as in 30 and 60; {done} without its own cadence (it follows its status's or the "
        "default)",
    ]
    assert dry.stdout.splitlines()[1:6] == [x.format(done="would be imported") for x in left_out]
    assert imported.stdout.splitlines()[1:6] == [x.format(done="imported") for x in left_out]
    last = liaison("export", "partners", "--team", "T0ACME", cwd=workdir, env=fresh_env)
    assert [tuple(row[c] for c in columns) for row in csv_rows(last.stdout)][1:] == [
        ("Globex", "#globex-team", "30", "60", "default", ""),
        ("Hooli", "", "30", "60", "default", "off"),
        ("Initech", "", "30", "60", "default", ""),
        ("Umbrella", "#umbrella", "30", "60", "default", "monthly"),
        ("Wayne", "G0WAYNE", "5", "10", "partner", "off"),
    ]


# Thirty partners as an admin's workspace holds them: names in many scripts, aliases holding
# commas, semicolons, `|` and quotes, notes over several lines (one like a formula), contacts
# with commas and brackets, deputies, teams, look-alike names and a shared website (each added
# anyway, as `add` allows), and settings of their own.
ROUND_TRIP = [
    ("Médecins Sans Frontières Belgique", ["MSF Belgium", "Artsen Zonder Grenzen, België"]),
    ("Médecins Sans Frontières España", ["MSF Spain"]),
    ("Ärzte ohne Grenzen", ['The "Doctors", Germany', "ÄoG"]),
    ("日本赤十字社", ["Japanese Red Cross"]),
    ("Ελληνικός Ερυθρός Σταυρός", ["Hellenic Red Cross"]),
    ("Œuvre d'Orient", ["“L'Œuvre”"]),
    ("Fundação Oswaldo Cruz", ["Fiocruz; Brasil"]),
    ("Acme Corporation", ["Acme, Inc.", "A|B Holdings"]),
    ('The "Good" Company', ['"Good" Co']),
    ("Oxfam International", ["Oxfam"]),
    ("Oxfam Novib", []),
    ("Plan International", []),
    ("Plan International UK", []),
    ("Save the Children", ["SCI"]),
    ("World Wildlife Fund", ["WWF", "Panda, the"]),
    ("Globex", ["GX"]),
    ("Hooli", []),
    ("Initech", ["Initrode"]),
    ("Umbrella Corporation", []),
    ("Wayne Enterprises", []),
    ("Stark Industries", []),
    ("Cyberdyne Systems", []),
    ("Tyrell Corporation", []),
    ("Soylent", []),
    ("Wonka Industries", []),
    ("Gringotts", []),
    ("Aperture Science", []),
    ("Black Mesa", []),
    ("Vandelay Industries", []),
    ("Dunder Mifflin", []),
]
NOTES = 'Met at the fair.\nFollow up in spring.\n\n- budget: 10k; "maybe" more'


def seed_round_trip(url: str, fake_slack: FakeSlack) -> None:
    """ROUND_TRIP in workspace T0ACME, through the services as `/partner` records them, the
    colleagues cached as Slack named them (so the export names them as the new one will)."""
    engine = make_engine(url)
    clock = SystemClock()
    for user_id in ("U0ANA", "U0BEN", "U0CHLOE", "U0DAN"):
        people.remember(
            engine, clock, fake_slack.user_json(fake_slack.users[user_id]), team_id="T0ACME"
        )
    registry = Registry(engine=engine, clock=clock, names=PartnerNames())
    cadences = Cadences(engine=engine, clock=clock, registry=registry, messages=MESSAGES)
    ana = Actor("T0ACME", "U0ANA")
    for number, (name, aliases) in enumerate(ROUND_TRIP):
        registry.add(
            actor=ana,
            name=name,
            owner_id=("U0ANA", "U0BEN")[number % 2],
            deputy_id="U0CHLOE" if number % 3 == 0 else None,
            team=["U0DAN", "U0ANA"] if number % 4 == 0 else [],
            aliases=aliases,
            status=list(PartnerStatus)[number % 4],
            website="msf.org" if number < 2 else f"site{number}.example" if number % 5 else None,
            notes=(NOTES, "=1+1 is how they count", None)[number % 3],
            allow_similar=True,
        )
        if number % 3 == 1:
            for contact, email, title in (
                ("Jane Doe", "jane@partner.example", "Head of Partnerships, Africa"),
                ("O'Brien, Pat", None, "Lead (Programmes (East))"),
                ("Jürgen Müller", f"j{number}@partner.example", None),
            ):
                registry.add_contact(
                    actor=ana, partner=name, name=contact, email=email, title=title
                )
        if number % 7 == 0:
            cadences.set(actor=ana, partner=name, ideal=10 + number, maximum=90)
            registry.set_channel(actor=ana, partner=name, channel_id=f"C0P{number}")
    engine.dispose()


def test_a_workspace_of_thirty_partners_exported_imported_and_exported_again_is_the_same(
    workdir: Path, fake_slack: FakeSlack, migrated: str
) -> None:
    """QA h5: an admin moves a workspace's partner list to a new database, as they would: the
    second export must be the first, but for what the new database numbers and dates anew;
    and so when the file went through a spreadsheet in a European locale, saved as it saves
    CSV (byte-order mark, CRLF, semicolons). Look-alike partners (`Plan International UK`,
    two offices sharing msf.org) were skipped as duplicates of the rows just added, though a
    dry run said they would be added."""
    seed_round_trip(migrated, fake_slack)
    env = slack_env(fake_slack, migrated)
    first = liaison(
        "export", "partners", "--team", "T0ACME", "--out", "first.csv", cwd=workdir, env=env
    )
    assert (first.returncode, first.stderr) == (0, "")
    assert first.stdout == "wrote 30 partners of workspace T0ACME to first.csv\n"
    exported = (workdir / "first.csv").read_text(encoding="utf-8-sig")
    with (workdir / "excel.csv").open("w", encoding="utf-8-sig", newline="") as excel:
        csv.writer(excel, delimiter=";", lineterminator="\r\n").writerows(
            csv.reader(io.StringIO(exported))
        )

    def without_new_ids(name: str) -> list[dict[str, str]]:
        rows = csv_rows((workdir / name).read_text(encoding="utf-8-sig"))
        return [{k: v for k, v in row.items() if k not in ("id", "created_at")} for row in rows]

    for source, database in (("first.csv", "fresh.db"), ("excel.csv", "excel.db")):
        fresh_env = slack_env(fake_slack, f"sqlite:///{workdir / database}")
        assert liaison("migrate", cwd=workdir, env=fresh_env).returncode == 0
        dry = liaison("import", "partners", source, "--dry-run", cwd=workdir, env=fresh_env)
        moved = liaison("import", "partners", source, cwd=workdir, env=fresh_env)
        assert moved.returncode == 0, moved.stdout + moved.stderr
        assert moved.stdout.splitlines()[1].startswith("Added 30 partners: "), source
        assert dry.stdout.splitlines()[1] == moved.stdout.splitlines()[1].replace(
            "Added", "Would add"
        )
        again = liaison(
            "export", "partners", "--team", "T0ACME", "--out", "again.csv", cwd=workdir,
            env=fresh_env,
        )  # fmt: skip
        assert (again.returncode, again.stderr) == (0, "")
        assert without_new_ids("again.csv") == without_new_ids("first.csv"), source


def test_a_list_saved_for_excel_with_a_sep_line_is_read_and_one_separated_by_bars_refused(
    workdir: Path, fake_slack: FakeSlack, migrated: str
) -> None:
    """QA h5: a list some tools save for Excel starts with `sep=;`, the separator its values
    use: it was refused as having no `name` column. One separated by `|` (read by nothing here)
    was refused so too, never saying what was wrong with it."""
    (workdir / "sep.csv").write_bytes(
        "\ufeffsep=;\r\nname;aliases;owner\r\nGlobex;GX, GXC;U0BEN\r\n".encode()
    )
    (workdir / "bars.csv").write_text("name|owner\nGlobex|U0BEN\n")
    env = slack_env(fake_slack, migrated)
    read = liaison("import", "partners", "sep.csv", cwd=workdir, env=env)
    assert read.returncode == 0, read.stdout + read.stderr
    assert "Added 1 partner: Globex." in read.stdout.splitlines()
    exported = liaison("export", "partners", "--team", "T0ACME", cwd=workdir, env=env)
    assert [(r["name"], r["aliases"]) for r in csv_rows(exported.stdout)] == [("Globex", "GX; GXC")]
    refused = liaison("import", "partners", "bars.csv", cwd=workdir, env=env)
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr.splitlines() == [
        "liaison: cannot import bars.csv: its values are separated by “|”, which it does not "
        "read: save it as CSV, its values separated by commas, semicolons or tabs"
    ]


def test_a_problem_below_notes_over_several_lines_names_the_row_a_spreadsheet_shows_too(
    workdir: Path, fake_slack: FakeSlack, migrated: str
) -> None:
    """QA h5: below notes over several lines (as the export writes them) a problem was on
    "line 6", where a spreadsheet showed it on row 3: the operator looked at the wrong partner.
    Its row is said beside its line where they differ."""
    (workdir / "partners.csv").write_text(
        "name,owner,deputy,notes\n"
        'Globex,U0BEN,,"Met at the fair.\nFollow up in spring.\n\nBudget: 10k"\n'
        "Hooli,U0BEN,n/a,\n"
    )
    env = slack_env(fake_slack, migrated)
    dry = liaison("import", "partners", "partners.csv", "--dry-run", cwd=workdir, env=env)
    assert dry.returncode == 1, dry.stderr
    assert dry.stdout.splitlines()[1:3] == [
        "Cells left out (1):",
        "  line 6 (row 3) Hooli — its deputy “n/a” is neither an email address nor a Slack user "
        "id; would be imported without a deputy",
    ]


def test_contacts_whose_names_hold_brackets_survive_a_move_to_a_new_database(
    workdir: Path, fake_slack: FakeSlack, migrated: str
) -> None:
    """QA h5: a contact named with brackets (`Maria (Masha) Ivanova`) was exported as the
    import could not read it back: with an email it was left out, without one its bracket was
    read as a title (`Jane Doe` the CEO `Jr.) (CEO`)."""
    engine = make_engine(migrated)
    clock = SystemClock()
    people.remember(
        engine, clock, fake_slack.user_json(fake_slack.users["U0ANA"]), team_id="T0ACME"
    )
    registry = Registry(engine=engine, clock=clock, names=PartnerNames())
    ana = Actor("T0ACME", "U0ANA")
    add_partner(registry, team_id="T0ACME", name="Globex", owner_id="U0ANA")
    for name, email, title in (
        ("Maria (Masha) Ivanova", "masha@globex.example", None),
        ("Jane Doe (Jr.)", None, "CEO"),
        ("Pat (PJ) Lee", None, None),
        ("Ana Lima", None, "Head (Africa)"),
    ):
        registry.add_contact(actor=ana, partner="Globex", name=name, email=email, title=title)
    engine.dispose()
    env = slack_env(fake_slack, migrated)
    first = liaison("export", "partners", "--team", "T0ACME", cwd=workdir, env=env)
    (workdir / "first.csv").write_text(first.stdout)
    fresh_env = slack_env(fake_slack, f"sqlite:///{workdir / 'fresh.db'}")
    assert liaison("migrate", cwd=workdir, env=fresh_env).returncode == 0
    moved = liaison("import", "partners", "first.csv", cwd=workdir, env=fresh_env)
    assert moved.returncode == 0, moved.stdout + moved.stderr
    again = liaison("export", "partners", "--team", "T0ACME", cwd=workdir, env=fresh_env)
    [before], [after] = csv_rows(first.stdout), csv_rows(again.stdout)
    assert after["contacts"] == before["contacts"]
    assert before["contacts"] == (
        "Ana Lima (Head (Africa)); Jane Doe (Jr.) <> (CEO); "
        "Maria (Masha) Ivanova <masha@globex.example>; Pat (PJ) Lee <>"
    )
