"""The baseline: a Bolt app whose `/partner` only acks, on Liaison's own server stack.

With `--database`, each ack also records the command as one row in that SQLite file and commits
it, through Liaison's own writer (`storage.db.writer_session`, plain SQL on its connection): the
least a `/partner log` must do, for reading how much of a log's cost is Liaison's own work.
"""

from __future__ import annotations

import argparse

import uvicorn
from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.clock import SystemClock
from bot.config import Settings
from bot.http import create_asgi_app
from bot.runtime import Runtime
from storage.db import make_engine, writer_session
from storage.sql import Driver, Sql

_CREATE = (
    "CREATE TABLE IF NOT EXISTS bench_command (id INTEGER PRIMARY KEY, team_id TEXT NOT NULL, "
    "user_id TEXT NOT NULL, text TEXT NOT NULL)"
)
_INSERT = Sql(
    "INSERT INTO bench_command (team_id, user_id, text) VALUES (:team_id, :user_id, :text)"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--signing-secret", required=True)
    parser.add_argument("--api-base-url", required=True, help="the fake Slack (auth.test)")
    parser.add_argument(
        "--bolt-default-runner",
        action="store_true",
        help="process_before_response=False: Bolt's thread runner that polls for ack",
    )
    parser.add_argument(
        "--database", help="a SQLite URL: each ack also commits one row there (a durable write)"
    )
    args = parser.parse_args()
    app = App(
        signing_secret=args.signing_secret,
        client=WebClient(token="xoxb-sandbox-token", base_url=args.api_base_url),
        process_before_response=not args.bolt_default_runner,
    )

    def bare_ack(ack: Ack) -> None:
        ack(text="ok")

    engine = make_engine(args.database or "sqlite://")
    if args.database:
        with engine.begin() as connection:
            connection.exec_driver_sql(_CREATE)

        def ack_and_write(ack: Ack, command: dict[str, str]) -> None:
            with writer_session(engine) as session:
                values = {k: command.get(k, "") for k in ("team_id", "user_id", "text")}
                Driver.of(session).execute(_INSERT, values)
                session.commit()
            ack(text="ok")

        app.command("/partner")(ack_and_write)
    else:
        app.command("/partner")(bare_ack)
    runtime = Runtime(
        settings=Settings(slack_signing_secret=args.signing_secret),
        engine=engine,
        clock=SystemClock(),
    )
    uvicorn.run(
        create_asgi_app(app, runtime), port=args.port, log_level="warning", access_log=False
    )


if __name__ == "__main__":
    main()
