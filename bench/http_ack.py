"""How fast Liaison acknowledges Slack over HTTP, against a bare Bolt app on the same stack.

`python -m bench.http_ack [--seconds 10]`: wrk on loopback, 10 connections, replays one signed
`/partner help` against (1) a Bolt app that only acks, with Bolt's default runner, (2) the same
with `process_before_response=True` (Liaison's choice), and (3) `liaison serve` itself.
Prints throughput, p50/p99 latency and Liaison's ratio to the bare ack. Exits 0.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.wrk import WrkResult, free_port, run_wrk, server
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.requests import RequestFactory
from storage import schema
from storage.db import make_engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=10)
    args = parser.parse_args()

    fake = FakeSlack(team_id="T0BENCH").start()
    fake.add_user(id="U0ANA", name="ana", real_name="Ana", tz="Europe/Berlin")
    fake.add_channel(id="C0PARTNERS", name="partnerships")
    request = RequestFactory(fake).slash_command(
        user_id="U0ANA", channel_id="C0PARTNERS", text="help"
    )
    results: dict[str, WrkResult] = {}
    with tempfile.TemporaryDirectory() as workdir:
        database_url = f"sqlite:///{workdir}/bench.db"
        schema.upgrade(make_engine(database_url))
        runs = {
            "bare ack, Bolt default runner": (
                ["-m", "bench.bare_ack_server", "--bolt-default-runner"],
                {},
            ),
            "bare ack, process_before_response": (["-m", "bench.bare_ack_server"], {}),
            "liaison serve, /partner help": (
                ["-m", "bot.cli", "serve"],
                {
                    "SLACK_BOT_TOKEN": fake.bot_token,
                    "SLACK_SIGNING_SECRET": fake.signing_secret,
                    "SLACK_API_BASE_URL": fake.base_url,
                    "DATABASE_URL": database_url,
                    "LOG_LEVEL": "WARNING",
                },
            ),
        }
        for name, (argv, env) in runs.items():
            port = free_port()
            extra = ["--port", str(port)]
            if "bare" in name:
                extra += ["--signing-secret", fake.signing_secret, "--api-base-url", fake.base_url]
            base = f"http://127.0.0.1:{port}"
            with server([*argv, *extra], env=env, health_url=f"{base}/healthz"):
                run_wrk(f"{base}/slack/events", request, seconds=2, connections=args.connections)
                results[name] = run_wrk(
                    f"{base}/slack/events",
                    request,
                    seconds=args.seconds,
                    connections=args.connections,
                )
    fake.stop()

    print(f"wrk, {args.connections} connections, {args.seconds} s each, loopback, 2 cores\n")
    print(f"{'server':40} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, result in results.items():
        print(
            f"{name:40} {result.requests_per_second:9.0f} {result.p50_ms:8.2f} "
            f"{result.p99_ms:8.2f} {result.non_2xx + result.errors:7d}"
        )
    bare = results["bare ack, process_before_response"]
    liaison = results["liaison serve, /partner help"]
    ratio = liaison.requests_per_second / bare.requests_per_second
    print(f"\nliaison / bare ack throughput: {ratio:.2f}")


if __name__ == "__main__":
    main()
