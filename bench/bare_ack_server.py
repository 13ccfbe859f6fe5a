"""The baseline: a Bolt app whose `/partner` only acks, on Liaison's own server stack."""

from __future__ import annotations

import argparse

import uvicorn
from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.clock import SystemClock
from bot.config import Settings
from bot.http import create_asgi_app
from bot.runtime import Runtime
from storage.db import make_engine


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
    args = parser.parse_args()
    app = App(
        signing_secret=args.signing_secret,
        client=WebClient(token="xoxb-sandbox-token", base_url=args.api_base_url),
        process_before_response=not args.bolt_default_runner,
    )

    def bare_ack(ack: Ack) -> None:
        ack(text="ok")

    app.command("/partner")(bare_ack)
    runtime = Runtime(settings=Settings(), engine=make_engine("sqlite://"), clock=SystemClock())
    uvicorn.run(
        create_asgi_app(app, runtime), port=args.port, log_level="warning", access_log=False
    )


if __name__ == "__main__":
    main()
