"""`liaison`: run the bot (Socket Mode or HTTP), migrate the database, try it offline."""

from __future__ import annotations

import argparse
import codecs
import errno
import gc
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import sqlalchemy as sa
from slack_bolt import App
from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError

from bot import __version__, logs
from bot.clock import Clock, ManualClock, SystemClock
from bot.config import (
    APP_TOKEN,
    BOT_TOKEN,
    DEFAULT_SLACK_API_BASE_URL,
    SIGNING_SECRET,
    Settings,
    SettingsError,
    where_to_find,
)
from bot.runtime import Runtime
from bot.slack_errors import SLACK_CALL_ERRORS, SlackCallError
from storage import schema
from storage.db import make_engine

if TYPE_CHECKING:
    from bot.services.export import Dataset, Export, Exporter
    from bot.socket_mode import AckFirstSocketModeHandler

logger = logging.getLogger("liaison")

EXIT_CONFIG = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports it
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: the reader of standard output stopped reading
# `bot.services.export.Dataset`'s values, named here so that `--help` loads no services.
EXPORTS = ("partners", "touchpoints", "commitments")
# The ids a note about people named by id alone shows, of however many.
UNNAMED_SHOWN = 5


class StartupError(Exception):
    """Start-up cannot go on; the message is one line telling the operator what to do."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="liaison",
        description="Liaison keeps an organisation's partnerships coordinated, from Slack.",
        epilog=(
            "Settings (SLACK_BOT_TOKEN, DATABASE_URL, …) come from the environment and from "
            "the .env file in the folder liaison is started in (the environment wins); "
            ".env.example lists every one. "
            "`liaison COMMAND --help` says what each command needs."
        ),
    )
    parser.add_argument("--version", action="version", version=f"liaison {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "run",
        help="connect to Slack in Socket Mode (no public URL needed)",
        description="Connect to Slack in Socket Mode. Needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN.",
    )
    serve = commands.add_parser(
        "serve",
        help="serve Slack's requests over HTTP (POST /slack/events, GET /healthz)",
        description=(
            "Serve Slack's requests over HTTP with uvicorn: POST /slack/events and GET /healthz. "
            "Needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET."
        ),
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=3000, help="port to listen on (default 3000)")
    simulate = commands.add_parser(
        "simulate",
        help="try Liaison offline: a fake Slack workspace and a local SQLite file",
        description=(
            "Run the real app against an in-process fake Slack in the workspace Acme (ana, ben, "
            "chloe, dan; #partnerships and #general). Type /partner commands as any colleague, "
            "move the clock, react and click, and see what each person and channel receives."
        ),
    )
    simulate.add_argument(
        "--db",
        type=Path,
        help=(
            "the sandbox's SQLite file (default: liaison-sandbox.db; with --script, a fresh "
            "throwaway file, so a story always starts from scratch)"
        ),
    )
    simulate.add_argument("--fresh", action="store_true", help="start from an empty database")
    simulate.add_argument(
        "--script", type=Path, metavar="FILE", help="run the lines of FILE and print the transcript"
    )
    simulate.add_argument(
        "--start",
        help=(
            "the sandbox clock's start, e.g. 2026-11-23T09:00 (UTC; default now, or with "
            "--script the coming Monday 08:00, so a story's weekdays are the same every run)"
        ),
    )
    tick = commands.add_parser(
        "tick",
        help="run the planners and one dispatch pass, then exit",
        description=(
            "Run every planner, then send what is due, once, and exit: for cron-style "
            "deployments and debugging. Needs SLACK_BOT_TOKEN, which Slack is asked about "
            "first. Exit codes: 0 nothing failed for good (a message Slack could not take yet "
            "is tried again by a later tick); 1 a planner failed, or a message failed for "
            "good (`liaison outbox --failed` says why); 2 nothing was done (a setting, the "
            "database, or Slack refusing the token or not answering: one line says which); "
            "130 or 143 stopped by Ctrl-C or SIGTERM."
        ),
    )
    tick.add_argument(
        "--at",
        metavar="MOMENT",
        help="act as if it were this moment, e.g. 2026-11-23T09:00 (UTC, or add an offset: +01:00)",
    )
    outbox = commands.add_parser(
        "outbox",
        help="list queued (or failed) messages, or queue failed ones again",
        description=(
            "List the messages waiting to be sent, or with --failed those that failed. "
            "--retry-failed queues the failed ones again, due now (after an outage, say)."
        ),
    )
    shown = outbox.add_mutually_exclusive_group()
    shown.add_argument(
        "--failed", action="store_true", help="list failed messages instead, newest first"
    )
    shown.add_argument(
        "--retry-failed",
        action="store_true",
        help="queue failed messages again (all, or those of --kind and --team)",
    )
    outbox.add_argument("--kind", help="with --retry-failed: only messages of this kind")
    outbox.add_argument(
        "--team", metavar="TEAM_ID", help="with --retry-failed: only this workspace's (team id)"
    )
    outbox.add_argument(
        "--limit", type=_positive, default=100, help="at most this many (default 100)"
    )
    # What argparse cannot say alone is said after parsing, with this command's usage.
    outbox.set_defaults(usage_error=outbox.error)
    importer = commands.add_parser(
        "import",
        help="load a partner list from a CSV file",
        description=(
            "Load partners from a CSV file with the columns name (a website in brackets "
            "after it, as in 'Acme (acme.org)', is read as /partner add reads it), aliases, "
            "owner (email or Slack id), deputy and team (the same, the team's separated by "
            "semicolons, as export writes them), status, website, notes, contacts, and the "
            "partner's own settings: channel (or channel_id: an id, C0123ABCD, or a #name), "
            "cadence_ideal_days and cadence_max_days (read when cadence_source, as export "
            "writes it, is partner, or when there is no such column) and pulse_cadence "
            "(monthly, quarterly or off; empty: the workspace's). Aliases are separated by "
            "commas, as after /partner add ... aka (CARE, Care Intl), or by semicolons (as "
            "export writes them) or |, and then there alone, so that an alias may hold a comma "
            "(Acme, Inc.; AC); an alias in double quotes may hold any of them "
            '("Acme, Inc.", AC). Contacts are separated as aliases are, each a name, an email '
            "in <> and a title in (), as in Jane Doe <jane@msf.org> (CEO); John Roe. "
            "The file is CSV in UTF-8 (as spreadsheets save CSV UTF-8), its values separated "
            "by commas, or by semicolons or tabs as its first line's are (or as a first line "
            "sep=; says). A row with no owner Slack knows is skipped; a deputy, team member, "
            "contact or setting that cannot be used (n/a, Comms team, nobody Slack knows) is "
            "left out of its partner, saying so. --dry-run reports the same and changes "
            "nothing. Running it twice adds nothing twice. Exit 0 when every row was added "
            "whole or already there, 1 when rows were skipped or cells left out (listed "
            "first), 2 when nothing could be imported. Needs SLACK_BOT_TOKEN."
        ),
    )
    importer.add_argument("what", choices=["partners"], help="what to import")
    importer.add_argument("file", type=Path, help="the CSV file")
    importer.add_argument("--dry-run", action="store_true", help="report only; change nothing")
    exporter = commands.add_parser(
        "export",
        help="write one workspace's partners, touchpoints or commitments as CSV",
        description=(
            "Write the CSV file `/partner export` sends, with the same columns, but with "
            "everything of the workspace --team names (as an admin sees it): to FILE (UTF-8 "
            "with a byte-order mark, for spreadsheet programs, as the file Slack gets) or to "
            "standard output (UTF-8). One header line, then one row per item; times in UTC. "
            "Slack is not needed: with SLACK_BOT_TOKEN set, people Liaison never looked up "
            "are asked about (users.info) so the file names them; without it they are there "
            "by id, and a note on standard error says how many. Exit codes: 0 written (a "
            "header alone when there is nothing "
            "yet); 2 nothing written (no --team, a team id the database does not have, or the "
            "database or FILE unusable: one line says which); 141 the reader of standard "
            "output stopped early (`| head`)."
        ),
    )
    exporter.add_argument("what", choices=EXPORTS, help="what to export")
    exporter.add_argument(
        "--team", metavar="TEAM_ID", help="the workspace's team id, e.g. T0123ABCD (required)"
    )
    exporter.add_argument(
        "--out", type=Path, metavar="FILE", help="write to FILE (default: standard output)"
    )
    migrator = commands.add_parser(
        "migrate",
        help="upgrade the database schema to this version",
        description=(
            "Upgrade the database at DATABASE_URL to this version's schema (Alembic). On "
            "PostgreSQL one process migrates at a time: another waits for it, --lock-timeout "
            "seconds at most, then gives up (exit code 2) naming the process it waited for."
        ),
    )
    migrator.add_argument(
        "--lock-timeout",
        type=_positive,
        default=schema.MIGRATION_LOCK_TIMEOUT,
        metavar="SECONDS",
        help="how long to wait for another process's migration "
        f"(default {schema.MIGRATION_LOCK_TIMEOUT})",
    )
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number, e.g. 3000") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is from 1 to 65535, not {value}; e.g. 3000")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "outbox" and not args.retry_failed and (args.kind or args.team):
        args.usage_error("--kind and --team go with --retry-failed")
    try:
        settings = Settings.from_env(ignore=SANDBOX_IGNORES if args.command == "simulate" else ())
        logs.configure(settings.log_level)
        # Alembic narrates every connection at INFO; its "Running upgrade" lines are enough.
        logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
        if args.command == "simulate":
            return simulate_offline(args, settings)
        if args.command == "migrate":
            return migrate(settings, lock_timeout=args.lock_timeout)
        if args.command == "run":
            return run_socket_mode(settings)
        if args.command == "serve":
            return serve(settings, host=args.host, port=args.port)
        if args.command == "tick":
            return run_tick(settings, at=args.at)
        if args.command == "outbox" and args.retry_failed:
            return retry_failed(settings, team_id=args.team, kind=args.kind)
        if args.command == "outbox":
            return list_outbox(settings, failed=args.failed, limit=args.limit)
        if args.command == "import":
            return import_partners(settings, path=args.file, dry_run=args.dry_run)
        if args.command == "export":
            return export_csv(settings, what=args.what, team_id=args.team, out=args.out)
    except SettingsError as error:
        print(f"liaison: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except StartupError as error:
        print(f"liaison: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        # Ctrl-C in a command that does not stop on its own (`run`, `serve` and `tick` do):
        # what is committed stays (an import run again adds only what is missing).
        print("liaison: stopped by Ctrl-C", file=sys.stderr)
        return EXIT_INTERRUPTED
    raise AssertionError(f"unhandled command {args.command}")


# What `simulate` leaves unread: its fake Slack brings its own tokens, secret and Web API, so a
# malformed value meant for the real app (in .env, say) is no reason to refuse it.
SANDBOX_IGNORES = (BOT_TOKEN, SIGNING_SECRET, APP_TOKEN, "SLACK_API_BASE_URL")


def simulate_offline(args: argparse.Namespace, settings: Settings) -> int:
    from bot.sandbox.cli import simulate

    if args.db is not None:
        check_sandbox_file(args.db, settings)
    if args.script is not None and not args.script.is_file():
        raise StartupError(f"there is no script at {args.script}")
    if args.start is not None:
        try:
            datetime.fromisoformat(args.start)
        except ValueError:
            raise StartupError(
                f"--start {args.start!r} is not a moment; e.g. --start 2026-11-23T09:00"
            ) from None
    return simulate(db=args.db, fresh=args.fresh, script=args.script, start=args.start)


SQLITE_HEADER = b"SQLite format 3\x00"


def check_sandbox_file(db: Path, settings: Settings) -> None:
    """Refuse a `simulate --db` that is no place for the sandbox's fake workspace: a folder, a
    file in a folder not there, a file that is not SQLite, or Liaison's own database (the one
    DATABASE_URL names): the sandbox writes into it, and `--fresh` deletes it first."""
    example = "e.g. --db liaison-sandbox.db"
    check_file_option("--db", db, example)
    url = sa.engine.make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        if Path(url.database).resolve() == db.resolve():
            raise StartupError(
                f"--db {db} is Liaison's own database (DATABASE_URL): the sandbox would write "
                f"its fake workspace into it, and --fresh delete it; give another file, {example}"
            )
    if db.is_file() and db.stat().st_size > 0:
        with db.open("rb") as file:
            if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                raise StartupError(
                    f"--db {db} is not a SQLite file, so not the sandbox's database (and "
                    f"--fresh would delete it): give another file, {example}"
                )


def check_file_option(option: str, path: Path, example: str) -> None:
    """Refuse a file option (`simulate --db`, `export --out`) that names a folder, or a file in
    a folder not there, before anything is done."""
    if path.is_dir():
        raise StartupError(f"{option} {path} is a folder: give a file, {example}")
    if not path.parent.is_dir():
        raise StartupError(
            f"there is no folder {path.parent} for {option} {path}: create it, or give a file "
            f"in a folder that is there, {example}"
        )


def migrate(settings: Settings, *, lock_timeout: float = schema.MIGRATION_LOCK_TIMEOUT) -> int:
    engine = make_engine(settings.database_url)
    try:
        # Read under the migration's lock: a `migrate` that waited for another finds it done.
        before = schema.upgrade(engine, lock_timeout=lock_timeout)
        after = schema.current_revision(engine)
    except schema.SchemaOutOfDate as error:
        raise StartupError(str(error)) from error
    except sa.exc.SQLAlchemyError as error:
        raise _unusable_database(engine, error) from error
    finally:
        engine.dispose()
    if before == after:
        print(f"database schema: already at {after}, nothing to do")
    else:
        print(f"database schema: {before or 'empty'} → {after}")
    return 0


def _unusable_database(engine: sa.Engine, error: sa.exc.SQLAlchemyError) -> StartupError:
    folder = _missing_sqlite_folder(engine.url)
    if folder is not None:
        # SQLite says only "unable to open database file"; a relative path read from another
        # folder than meant (a service's WorkingDirectory, say) is the usual cause.
        return StartupError(
            f"there is no folder {folder} for the SQLite file DATABASE_URL names "
            f"({engine.url.render_as_string()}): create the folder, or set DATABASE_URL to "
            "a file in one that is there, e.g. sqlite:////srv/liaison/liaison.db"
        )
    # The driver's own words, first line only: the whole traceback says nothing more.
    reason = str(error.orig if isinstance(error, sa.exc.DBAPIError) else error)
    return StartupError(
        f"cannot use the database at DATABASE_URL ({engine.url.render_as_string()}): "
        f"{reason.splitlines()[0] if reason else type(error).__name__}"
    )


def build_runtime(settings: Settings, clock: Clock | None = None) -> Runtime:
    missing = _missing_sqlite_file(settings)
    if missing is not None and missing.parent.is_dir() and not settings.auto_migrate:
        # Connecting would create an empty file there, only to be told it needs migrating (in
        # a folder that is not there either, SQLite's own error says enough).
        raise StartupError(
            f"there is no database at {missing}: run `liaison migrate` to create it there "
            "(or set LIAISON_AUTO_MIGRATE=true), or set DATABASE_URL to the one you use"
        )
    engine = make_engine(settings.database_url)
    try:
        schema.ensure_current(engine, auto_migrate=settings.auto_migrate)
    except schema.SchemaOutOfDate as error:
        raise StartupError(str(error)) from error
    except sa.exc.SQLAlchemyError as error:
        raise _unusable_database(engine, error) from error
    return Runtime(settings=settings, engine=engine, clock=clock or SystemClock())


@dataclass(frozen=True)
class SlackIdentity:
    """Who SLACK_BOT_TOKEN is, as Slack's auth.test says: the workspace and the bot user."""

    team_id: str
    bot_user_id: str


def check_slack(settings: Settings) -> SlackIdentity:
    """Ask Slack whether it accepts SLACK_BOT_TOKEN (auth.test), before `tick` or `import` does
    anything with it (`run` and `serve` have Bolt's own check, worded alike by `_create_app`).

    `tick` especially: with nothing due it would otherwise never call Slack, and a cron job
    would go on exiting 0 on a revoked token."""
    from bot.delivery.dispatcher import delivery_client

    try:
        answer = delivery_client(settings).auth_test()
    except SLACK_CALL_ERRORS as error:
        raise slack_problem(settings, error) from error
    return SlackIdentity(team_id=str(answer["team_id"]), bot_user_id=str(answer["user_id"]))


def slack_problem(
    settings: Settings, error: SlackCallError, *, token: str = BOT_TOKEN
) -> StartupError:
    """Why a call checking `token` failed (auth.test for SLACK_BOT_TOKEN, `run`'s
    apps.connections.open for SLACK_APP_TOKEN), in the same words for every command: a token
    Slack refuses, a Slack having an outage, a SLACK_API_BASE_URL that is not Slack, or no Slack
    to ask."""
    url = settings.slack_api_base_url
    method, purpose = SLACK_CHECKS[token]
    if isinstance(error, SlackApiError):
        status = error.response.status_code
        data = error.response.data
        code = str(data.get("error", "")) if isinstance(data, dict) else ""
        if status == 429 or status >= 500 or code in {"ratelimited", "service_unavailable"}:
            return StartupError(
                f"Slack at SLACK_API_BASE_URL ({url}) is not answering right now (HTTP {status}"
                f"{', ' + code if code and status < 500 else ''}); nothing was done: try again "
                "in a few minutes"
            )
        if not code or code.startswith("Received a response in a non-JSON format"):
            return StartupError(
                f"SLACK_API_BASE_URL ({url}) is not Slack's Web API ({method} got HTTP {status}, "
                f"not Slack's JSON): set it to {DEFAULT_SLACK_API_BASE_URL} (GovSlack: "
                "https://slack-gov.com/api/), or leave it out"
            )
        if token == APP_TOKEN:
            return StartupError(
                f"Slack refused SLACK_APP_TOKEN ({code}) when opening a Socket Mode connection: "
                f"set it to {where_to_find(APP_TOKEN)}, and turn Socket Mode on for the app"
            )
        return StartupError(
            f"Slack at SLACK_API_BASE_URL ({url}) did not accept SLACK_BOT_TOKEN ({code}): put "
            f"{where_to_find(BOT_TOKEN)} there (reinstalling the app gives a new one)"
        )
    # No Slack to ask: network, proxy, DNS, or a SLACK_API_BASE_URL pointing nowhere.
    reason = getattr(error, "reason", None) or error
    return StartupError(f"cannot reach Slack at SLACK_API_BASE_URL ({url}) {purpose}: {reason}")


# The Web API method start-up calls to check each token, and what for, as an error says it.
SLACK_CHECKS = {
    BOT_TOKEN: ("auth.test", "to check SLACK_BOT_TOKEN"),
    APP_TOKEN: ("apps.connections.open", "to open a Socket Mode connection"),
}


def _create_app(runtime: Runtime, *, socket_mode: bool) -> App:
    from bot.app import create_app

    try:
        return create_app(runtime, socket_mode=socket_mode)
    except BoltError as error:
        # Bolt's auth.test at start-up (its result spares each request asking before its ack):
        # Slack's answer is what Bolt was handling when it raised.
        if isinstance(error.__context__, SlackApiError):
            raise slack_problem(runtime.settings, error.__context__) from error
        raise StartupError(
            f"Slack did not accept SLACK_BOT_TOKEN ({error}); check the token and "
            "SLACK_API_BASE_URL."
        ) from error
    except SLACK_CALL_ERRORS as error:
        raise slack_problem(runtime.settings, error) from error


def run_socket_mode(settings: Settings) -> int:
    settings.require(BOT_TOKEN, APP_TOKEN)
    from bot.app import build_planners
    from bot.scheduler import Scheduler
    from bot.socket_mode import AckFirstSocketModeHandler

    runtime = build_runtime(settings)
    app = _create_app(runtime, socket_mode=True)
    handler = AckFirstSocketModeHandler(app, settings.slack_app_token, runtime=runtime)
    scheduler = Scheduler(runtime, planners=build_planners())
    warm_up()
    freeze_startup_objects()
    logger.info("liaison %s connecting to Slack in Socket Mode", __version__)
    # SIGTERM unwinds like Ctrl-C, so the scheduler stops cleanly either way.
    signal.signal(signal.SIGTERM, _stop_like_ctrl_c)
    try:
        # Connected before the scheduler starts: an app token Slack refuses (revoked, another
        # app's) or a Slack that cannot be reached stops start-up before anything is sent, as a
        # bot token Slack refuses does, and a service manager restarting `run` does not dispatch
        # the queue once a restart.
        with _unlogged(app.logger, SDK_CONNECT_FAILURES):
            _connect(handler, settings)
        scheduler.start()
        threading.Event().wait()  # what `handler.start()` does once connected
    except KeyboardInterrupt:
        logger.info("liaison stopping")
    finally:
        # Requests still being handled finish first (closing waits for the client's workers),
        # then the jobs: what either defers is done before the database goes (`close`).
        handler.close()  # type: ignore[no-untyped-call]
        scheduler.shutdown()
        runtime.close()
    return 0


def _connect(handler: AckFirstSocketModeHandler, settings: Settings) -> None:
    """Open the Socket Mode connection, or say in one line why it cannot be opened."""
    from bot.socket_mode import NotConnected

    try:
        handler.connect()
    except SLACK_CALL_ERRORS as error:
        # apps.connections.open failed: Slack refused SLACK_APP_TOKEN (revoked, wrong app, no
        # connections:write), or could not be asked.
        raise slack_problem(settings, error, token=APP_TOKEN) from None
    except NotConnected as error:
        raise StartupError(
            f"cannot open the Socket Mode connection Slack gave ({error.address}): "
            f"{error.reason}; check that this machine may open WebSocket connections to Slack "
            "(wss://, port 443), through the proxy in HTTPS_PROXY if it needs one"
        ) from None


# How the SDK logs a failure to connect, before `run_socket_mode` says it in one line with what
# to do: apps.connections.open refusing the app token (over three lines, with Slack's whole
# answer), and a WebSocket it cannot open (twice, with session ids), or whose handshake fails.
SDK_CONNECT_FAILURES = (
    "Failed to retrieve WSS URL",
    "Failed to establish a connection",
    "on_error invoked",
    "Received an unexpected response for handshake",
)


@contextmanager
def _unlogged(bolt_logger: logging.Logger, prefixes: tuple[str, ...]) -> Iterator[None]:
    """Drop `bolt_logger`'s records starting with one of `prefixes` for the block only: later,
    when Socket Mode reconnects on its own, nobody else would say the failure."""

    def said_by_us(record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(prefixes)

    bolt_logger.addFilter(said_by_us)
    try:
        yield
    finally:
        bolt_logger.removeFilter(said_by_us)


def warm_up() -> None:
    """Load now what a request would otherwise load before its ack, once per process: every
    zone of the tz database (for a date typed before Slack has told Liaison the caller's zone,
    `bot.services.touchpoints.zones_in_use`)."""
    from bot.services.touchpoints import every_zone

    every_zone()


def freeze_startup_objects() -> None:
    """Leave what start-up made (modules, SQLAlchemy's metadata, the app's listeners: objects
    that live as long as the process) out of the garbage collector's full passes.

    A full pass walks every tracked object; with all of start-up's among them it took 53–63 ms
    under `/partner log` load, stalling every request in flight, and set the log's p99 (24–49
    ms; 16–20 ms frozen, bench/log_throughput.py). Collecting first leaves no garbage frozen."""
    gc.collect()
    gc.freeze()


def _stop_like_ctrl_c(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve(settings: Settings, *, host: str, port: int) -> int:
    settings.require(BOT_TOKEN, SIGNING_SECRET)
    import uvicorn

    from bot.app import build_planners
    from bot.http import create_asgi_app
    from bot.scheduler import Scheduler

    # Bound first: a port taken or a host mistyped is said before anything starts (uvicorn
    # would say it in a traceback or among its start-up lines, after the scheduler started).
    listening = listen(host, port)
    runtime = build_runtime(settings)
    app = _create_app(runtime, socket_mode=False)
    scheduler = Scheduler(runtime, planners=build_planners())

    def stop() -> None:
        scheduler.shutdown()
        runtime.close()

    # uvicorn turns SIGTERM/SIGINT into the ASGI shutdown, which stops the scheduler.
    asgi = create_asgi_app(app, runtime, on_startup=scheduler.start, on_shutdown=stop)
    warm_up()
    freeze_startup_objects()
    logger.info(
        "liaison %s serving Slack on http://%s/slack/events", __version__, _address(host, port)
    )
    config = uvicorn.Config(
        asgi, host=host, port=port, log_level=settings.log_level.lower(), access_log=False
    )
    # Once shut down, uvicorn raises the signal it caught again, for the handler it found: this
    # one, so that a stop asked for is a clean exit (0), as `run` makes it, not a death by
    # SIGTERM (143, which systemd and others read as a failure) or Ctrl-C's 130.
    signal.signal(signal.SIGTERM, _stop_like_ctrl_c)
    signal.signal(signal.SIGINT, _stop_like_ctrl_c)
    try:
        uvicorn.Server(config).run(sockets=[listening])
    except KeyboardInterrupt:
        logger.info("liaison stopped")
    return 0


def _address(host: str, port: int) -> str:
    """`host`:`port` as a URL writes it: an IPv6 address in brackets (`[::]:3000`)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to `host`:`port` for `serve`; StartupError says why it cannot be."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as error:
        raise StartupError(
            f"--host {host} is not an address this machine can listen on ({error.strerror}): "
            "e.g. --host 0.0.0.0 (every interface) or --host 127.0.0.1"
        ) from None
    listening = socket.socket(family, kind, proto)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind(address)
    except OSError as error:
        listening.close()
        fix = {
            errno.EADDRINUSE: "something else listens there: stop it, or choose another --port",
            errno.EACCES: "ports below 1024 need privileges: choose e.g. --port 3000 and let "
            "your reverse proxy forward to it",
            errno.EADDRNOTAVAIL: "that is no address of this machine: e.g. --host 0.0.0.0 "
            "(every interface) or --host 127.0.0.1",
        }.get(error.errno or 0, "choose another --host or --port")
        raise StartupError(
            f"cannot listen on {_address(host, port)} ({error.strerror or error}): {fix}"
        ) from None
    return listening


def _sqlite_file(url: sa.URL) -> Path | None:
    """The SQLite file `url` names (None: another database, or SQLite in memory or by URI)."""
    path = url.database
    if url.get_backend_name() != "sqlite" or not path or path == ":memory:":
        return None
    return None if path.startswith("file:") else Path(path).resolve()


def _missing_sqlite_file(settings: Settings) -> Path | None:
    """The SQLite file DATABASE_URL names, when it is not there (None: it is, or it is not a
    SQLite file)."""
    path = _sqlite_file(sa.engine.make_url(settings.database_url))
    return None if path is None or path.exists() else path


def _missing_sqlite_folder(url: sa.URL) -> Path | None:
    """The folder of the SQLite file `url` names, when that folder is not there."""
    path = _sqlite_file(url)
    return None if path is None or path.parent.is_dir() else path.parent


def require_existing_database(settings: Settings) -> None:
    """For the commands that work on Liaison's data (`tick`, `outbox`): a SQLite file that is
    not there is a mistyped or missing DATABASE_URL, not a database to create (SQLite would
    create an empty file, then be told to migrate it)."""
    missing = _missing_sqlite_file(settings)
    if missing is None:
        return
    # Under cron, in another folder, the .env that sets DATABASE_URL is not read: said so.
    unread = (
        f" (no .env was read: there is none at {settings.env_file})"
        if settings.env_file is not None and not settings.env_file_found
        else ""
    )
    raise StartupError(
        f"there is no database at {missing}{unread}: set DATABASE_URL to the one "
        "`liaison serve` or `liaison run` uses, e.g. sqlite:////srv/liaison/liaison.db or "
        "postgresql+psycopg://user@host/liaison"
    )


# A `tick --at` this far from the real time is more likely a typo than a test: said first.
FAR_FROM_NOW = timedelta(days=30)


def run_tick(settings: Settings, *, at: str | None) -> int:
    settings.require(BOT_TOKEN)
    from bot.delivery import operations

    clock: Clock | None = None
    if at is not None:
        try:
            clock = ManualClock(operations.parse_moment(at))
        except ValueError:
            raise StartupError(f"--at {at!r} is not a moment; e.g. --at 2026-11-23T09:00") from None
    from bot.app import build_planners

    require_existing_database(settings)
    runtime = build_runtime(settings, clock)
    try:
        check_slack(settings)
        off = runtime.clock.now() - SystemClock().now()
        if abs(off) > FAR_FROM_NOW:
            side = "before" if off < timedelta(0) else "after"
            print(
                f"liaison: warning: --at {runtime.clock.now():%Y-%m-%d %H:%M} UTC is "
                f"{abs(off).days} days {side} now; the planners and the dispatcher act as of then",
                file=sys.stderr,
            )
        return operations.run_tick(runtime, planners=build_planners())
    finally:
        runtime.close()


def list_outbox(settings: Settings, *, failed: bool, limit: int) -> int:
    from bot.delivery import operations

    require_existing_database(settings)
    runtime = build_runtime(settings)
    try:
        return operations.list_outbox(runtime, failed=failed, limit=limit)
    finally:
        runtime.close()


def retry_failed(settings: Settings, *, team_id: str | None, kind: str | None) -> int:
    from bot.delivery import operations

    require_existing_database(settings)
    runtime = build_runtime(settings)
    try:
        return operations.retry_failed(runtime, team_id=team_id, kind=kind)
    finally:
        runtime.close()


def import_partners(settings: Settings, *, path: Path, dry_run: bool) -> int:
    settings.require(BOT_TOKEN)
    from bot.services import imports

    try:
        rows = imports.read_file(path)
    except imports.UnusableFile as error:
        raise StartupError(f"cannot import {path}: {error}") from None
    runtime = build_runtime(settings)
    try:
        identity = check_slack(settings)
        return imports.import_partners(
            runtime,
            imports.lookup_client(settings),
            team_id=identity.team_id,
            actor_id=identity.bot_user_id,
            rows=rows,
            file_name=path.name,
            dry_run=dry_run,
        )
    except imports.DirectoryError as error:
        raise StartupError(f"{error}; nothing was imported") from None
    finally:
        runtime.close()


def export_csv(settings: Settings, *, what: str, team_id: str | None, out: Path | None) -> int:
    from bot.app import build_exporter
    from bot.services.export import Dataset

    if out is not None:
        check_file_option("--out", out, "e.g. --out partners.csv")
    require_existing_database(settings)
    runtime = build_runtime(settings)
    try:
        exporter = build_exporter(runtime)
        teams = exporter.workspaces()
        if team_id is None or team_id not in teams:
            raise StartupError(unknown_team(team_id, teams))
        found, why_unnamed = export_naming_people(
            settings, runtime, exporter, team_id=team_id, dataset=Dataset(what)
        )
    finally:
        runtime.close()
    if found.unnamed:
        # On stderr: stdout may be the file itself.
        print(f"liaison: note: {unnamed_note(found.unnamed, why_unnamed)}", file=sys.stderr)
    if out is None:
        # A pipe's reader (csv, jq, a script) would take the byte-order mark for the first
        # column's name; only a spreadsheet program needs it.
        try:
            sys.stdout.buffer.write(found.content.removeprefix(codecs.BOM_UTF8))
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader stopped early (`| head`): ended as a shell's own tools end, quietly
            # (the interpreter's last flush then goes nowhere rather than raise again).
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_BROKEN_PIPE
        return 0
    try:
        out.write_bytes(found.content)
    except OSError as error:
        raise StartupError(f"cannot write --out {out}: {error.strerror or error}") from None
    noun = found.dataset if found.rows != 1 else found.dataset[:-1]
    print(f"wrote {found.rows} {noun} of workspace {team_id} to {out}")
    return 0


def export_naming_people(
    settings: Settings, runtime: Runtime, exporter: Exporter, *, team_id: str, dataset: Dataset
) -> tuple[Export, str]:
    """The workspace's export, the people it names whom the profile cache never held (owners
    of partners added before the cache knew them, authors since gone) asked about in Slack when
    SLACK_BOT_TOKEN is set, as `/partner export` asks; and why any are given by id alone."""
    from bot.services import imports, people
    from bot.services.people import PeopleToLookUp

    if not settings.slack_bot_token:
        found = exporter.export_workspace(team_id=team_id, dataset=dataset)
        return found, "SLACK_BOT_TOKEN is not set, so Slack was not asked who they are"
    asked: frozenset[str] = frozenset()
    client = None
    while True:
        try:
            found = exporter.export_workspace(team_id=team_id, dataset=dataset, asked=asked)
            return found, "Slack did not say who they are (gone from the workspace, or no answer)"
        except PeopleToLookUp as pending:
            if client is None:
                # Only a token of this workspace may ask about its people.
                try:
                    identity = check_slack(settings)
                except StartupError as error:
                    found = exporter.export_workspace(team_id=team_id, dataset=dataset)
                    return found, f"Slack was not asked who they are: {error}"
                if identity.team_id != team_id:
                    found = exporter.export_workspace(team_id=team_id, dataset=dataset)
                    return found, (
                        f"SLACK_BOT_TOKEN is Liaison's token in workspace {identity.team_id}, "
                        f"so Slack was not asked about people of {team_id}"
                    )
                # Waits out Slack's rate limits, as `liaison import` does.
                client = imports.lookup_client(settings)
            learned = people.look_up(
                client,
                engine=runtime.engine,
                clock=runtime.clock,
                team_id=team_id,
                user_ids=pending.user_ids,
            )
            asked |= learned.asked


def unnamed_note(unnamed: Collection[str], why: str) -> str:
    """How many people the file gives by id alone, a few of them, and why."""
    ids = sorted(unnamed)
    shown = ", ".join(ids[:UNNAMED_SHOWN]) + (", …" if len(ids) > UNNAMED_SHOWN else "")
    people = "1 person" if len(ids) == 1 else f"{len(ids)} people"
    return f"{people} in the file named by id only, with no name ({shown}): {why}"


def unknown_team(team_id: str | None, teams: Sequence[str]) -> str:
    """Why `--team` names no workspace to export, and which ones the database has."""
    said = (
        "export needs --team TEAM_ID, the workspace to export"
        if team_id is None
        else f"no workspace has the id {team_id!r}: no partner was ever registered in it"
    )
    known = (
        f"Workspaces with partners: {', '.join(teams)}, e.g. --team {teams[0]}"
        if teams
        else "No workspace has registered a partner yet."
    )
    return f"{said}. {known}"


if __name__ == "__main__":
    sys.exit(main())
