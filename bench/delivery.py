"""Benchmark the delivery engine against the fake Slack, on SQLite and on PostgreSQL.

Run from the project root: ``python -m bench.delivery [--postgres URL] [--messages N]``.

For each database it prints:

- the time to dispatch N due messages (4 in 5 of them DMs to 200 people, opened with
  ``conversations.open`` at send time; the rest to a channel) and the time of a bare
  ``slack_sdk`` loop making the same N ``chat.postMessage`` calls to the same fake, and their
  ratio (target ≤ 1.3): the cost of the engine's bookkeeping (claim, working hours, absences,
  one committed row update per message); and, to tell where that ratio comes from, the CPU the
  sending process spends per message in each loop (the rest of a loop's time is waiting);
- the peak RSS of a dispatcher process with 1,000 and with N rows queued (target: flat);
- the p99 time to acknowledge a signed ``/partner help`` through the real app while a dispatcher
  thread in the same process sends N messages (target ≤ 50 ms).

The fake Slack runs in this process; every workload runs in a child process of its own, so the
fake does not compete with it for the GIL and each peak RSS is the workload's alone. The two
loops alternate in chunks of 1,000 messages inside one child, so a change in the machine's load
falls on both alike, after 300 untimed calls that start the fake and the HTTP client up (the
engine's own first-time work, profiles looked up and DMs opened, is timed). Exits 0 whatever
the figures: PASS/FAIL are for reading, not for CI.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from slack_bolt import BoltRequest
from slack_sdk import WebClient
from sqlmodel import Session

from bot import logs
from bot.app import create_app
from bot.cli import freeze_startup_objects
from bot.clock import ManualClock, SystemClock
from bot.config import Settings
from bot.delivery.dispatcher import METADATA_EVENT, Dispatcher, delivery_client
from bot.delivery.outbox import enqueue
from bot.runtime import Runtime
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.requests import sign
from storage import schema
from storage.db import make_engine
from storage.models import Workspace

TEAM = "T0BENCH"
CHANNEL = "C0BENCH"
PEOPLE = 200
SMALL = 1_000
RATIO_TARGET = 1.3
ACK_P99_TARGET_MS = 50.0
RSS_GROWTH_TARGET = 1.15
BENCH_SCHEMA = "liaison_bench"
ROOT = Path(__file__).resolve().parent.parent
# The two loops alternate in chunks of this many messages, so both meet the same machine load.
CHUNK = 1_000
# Untimed calls to the fake before the comparison.
WARM_UP = 300
# Messages fall due from this moment on (in the past, so a real clock finds them all due).
EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def user_id(n: int) -> str:
    return f"U{n:05d}"


def recipient(n: int) -> tuple[str | None, str | None]:
    """(user, channel) of message n: four in five are DMs."""
    return (None, CHANNEL) if n % 5 == 0 else (user_id(n % PEOPLE), None)


def message_text(n: int) -> str:
    return f"Benchmark message {n}: a partner went quiet, here is what to do next."


# --- the parent: the fake Slack, the databases, the children -------------------------------------


def start_fake() -> FakeSlack:
    fake = FakeSlack(team_id=TEAM, team_name="Bench")
    for n in range(PEOPLE):
        fake.add_user(id=user_id(n), name=f"person{n}", tz="Europe/Berlin")
        fake.im_channel(user_id(n))  # so the bare loop can post to the DMs from the start
    fake.add_channel(id=CHANNEL, name="bench")
    return fake.start()


@contextmanager
def database(kind: str, postgres_url: str | None) -> Iterator[str]:
    """A migrated, empty database URL; PostgreSQL gets a schema of its own, dropped after."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/bench.db"
            migrate(url)
            yield url
        return
    assert postgres_url is not None
    separator = "&" if "?" in postgres_url else "?"
    url = f"{postgres_url}{separator}options=-csearch_path%3D{BENCH_SCHEMA}"
    admin = make_engine(postgres_url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {BENCH_SCHEMA} CASCADE")
        connection.exec_driver_sql(f"CREATE SCHEMA {BENCH_SCHEMA}")
    try:
        migrate(url)
        yield url
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {BENCH_SCHEMA} CASCADE")
        admin.dispose()


def migrate(url: str) -> None:
    engine = make_engine(url)
    schema.upgrade(engine)
    with Session(engine) as session:
        # Round the clock, every day: the benchmark measures sending, not waiting for 09:00.
        session.add(
            Workspace(
                team_id=TEAM,
                work_days="mon-sun",
                work_start_hour=0,
                work_end_hour=24,
                created_at=datetime.now(UTC),
            )
        )
        session.commit()
    engine.dispose()


def due_at(n: int) -> datetime:
    """Message n falls due in chunk n // CHUNK: one second after the chunk before."""
    return EPOCH + timedelta(seconds=n // CHUNK)


def seed(url: str, count: int, *, prefix: str) -> None:
    """Empty the outbox, then queue `count` messages, all due by now (1,000 per transaction)."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM outbox_message"))
    for start in range(0, count, 1_000):
        with Session(engine) as session:
            for n in range(start, min(start + 1_000, count)):
                user, channel = recipient(n)
                enqueue(
                    session,
                    team_id=TEAM,
                    kind="bench",
                    recipient_user=user,
                    recipient_channel=channel,
                    text=message_text(n),
                    due_at=due_at(n),
                    dedupe_key=f"{prefix}:{n}",
                    respect_working_hours=True,
                )
            session.commit()
    engine.dispose()


def child(mode: str, fake: FakeSlack, url: str, count: int) -> dict[str, Any]:
    """Run one workload in a fresh process; its last stdout line is a JSON report."""
    command = [
        sys.executable, "-m", "bench.delivery", "--child", mode, "--database", url,
        "--base-url", fake.base_url, "--token", fake.bot_token,
        "--signing-secret", fake.signing_secret, "--messages", str(count),
    ]  # fmt: skip
    # The fake Slack in this process holds every message and call it served; a full garbage
    # collection over them stalls its answers for up to half a second, landing on one loop or
    # the other at random (chunk times 0.5–1.1 s). This process makes no cycles worth
    # collecting while it only serves the fake, so the collector waits until the child is done.
    gc.collect()
    gc.disable()
    try:
        result = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, check=False, timeout=1_800
        )
    finally:
        gc.enable()
    if result.returncode != 0:
        raise RuntimeError(f"{mode} child failed:\n{result.stderr[-3000:]}")
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


def delivered_keys(fake: FakeSlack, prefix: str) -> set[str]:
    """The dedupe keys starting with `prefix` of the messages Slack accepted."""
    keys: set[str] = set()
    for call in fake.calls_to("chat.postMessage"):
        metadata = call.params.get("metadata") or {}
        key = str((metadata.get("event_payload") or {}).get("dedupe_key", ""))
        if call.response.get("ok") and key.startswith(prefix):
            keys.add(key)
    return keys


@dataclass
class Figures:
    database: str
    dispatch_s: float
    bare_s: float
    dispatch_cpu_s: float
    bare_cpu_s: float
    rss_small_mb: float
    rss_large_mb: float
    ack_p50_ms: float
    ack_p99_ms: float
    acks: int
    ack_dispatch_s: float
    lost: int

    @property
    def ratio(self) -> float:
        return self.dispatch_s / self.bare_s


def measure(kind: str, postgres_url: str | None, count: int) -> Figures:
    fake = start_fake()
    try:
        with database(kind, postgres_url) as url:
            seed(url, count, prefix="compare")
            compared = child("compare", fake, url, count)
            lost = count - len(delivered_keys(fake, "compare:"))
            seed(url, SMALL, prefix="small")
            rss_small = child("dispatch", fake, url, SMALL)["rss_mb"]
            seed(url, count, prefix="large")
            rss_large = child("dispatch", fake, url, count)["rss_mb"]
            seed(url, count, prefix="acks")
            acks = child("acks", fake, url, count)
    finally:
        fake.stop()
    return Figures(
        database=kind,
        dispatch_s=compared["dispatch_seconds"],
        bare_s=compared["bare_seconds"],
        dispatch_cpu_s=compared["dispatch_cpu"],
        bare_cpu_s=compared["bare_cpu"],
        rss_small_mb=rss_small,
        rss_large_mb=rss_large,
        ack_p50_ms=acks["p50_ms"],
        ack_p99_ms=acks["p99_ms"],
        acks=acks["acks"],
        ack_dispatch_s=acks["seconds"],
        lost=lost,
    )


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(figures: Figures, count: int) -> None:
    per_message = figures.dispatch_s / count * 1000
    print(f"\n== {figures.database}: {count:,} due messages")
    print(
        f"dispatch {figures.dispatch_s:.2f} s ({per_message:.2f} ms each), "
        f"bare slack_sdk loop {figures.bare_s:.2f} s, ratio {figures.ratio:.2f} "
        f"(target ≤ {RATIO_TARGET}) {verdict(figures.ratio <= RATIO_TARGET)}"
    )
    # Where the ratio comes from: the dispatcher process's own CPU against the bare loop's; the
    # rest of each loop's time is waiting (for the fake Slack, and for the database's answers).
    cpu_each = figures.dispatch_cpu_s / count * 1000
    bare_cpu_each = figures.bare_cpu_s / count * 1000
    print(
        f"CPU of the sending process: {cpu_each:.2f} ms a message "
        f"(bare loop {bare_cpu_each:.2f} ms; bookkeeping {cpu_each - bare_cpu_each:.2f} ms)"
    )
    print(f"messages lost: {figures.lost} (target 0) {verdict(figures.lost == 0)}")
    growth = figures.rss_large_mb / figures.rss_small_mb
    print(
        f"peak RSS of the dispatcher: {figures.rss_small_mb:.0f} MB with {SMALL:,} queued, "
        f"{figures.rss_large_mb:.0f} MB with {count:,} queued, ×{growth:.2f} "
        f"(target ≤ ×{RSS_GROWTH_TARGET}) {verdict(growth <= RSS_GROWTH_TARGET)}"
    )
    print(
        f"/partner help ack during the dispatch: p50 {figures.ack_p50_ms:.1f} ms, "
        f"p99 {figures.ack_p99_ms:.1f} ms over {figures.acks} requests "
        f"(target p99 ≤ {ACK_P99_TARGET_MS:.0f} ms) "
        f"{verdict(figures.ack_p99_ms <= ACK_P99_TARGET_MS)}; "
        f"that dispatch took {figures.ack_dispatch_s:.2f} s"
    )


# --- the children ------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    """This process's peak RSS since it started (VmHWM: unlike ru_maxrss, it does not carry
    over the parent's size from before exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB, elsewhere


def settings_of(args: argparse.Namespace) -> Settings:
    return Settings(
        slack_bot_token=args.token,
        slack_signing_secret=args.signing_secret,
        slack_api_base_url=args.base_url,
        database_url=args.database,
    )


def run_dispatch(args: argparse.Namespace) -> dict[str, Any]:
    """Dispatch everything queued, on the wall clock; for the peak RSS."""
    settings = settings_of(args)
    engine = make_engine(settings.database_url)
    dispatcher = Dispatcher(
        engine=engine,
        clock=SystemClock(),
        client=delivery_client(settings),
        summaries_planned=True,  # as `serve` runs it
    )
    started = time.perf_counter()
    sent = dispatcher.run_pass().sent
    return {"seconds": time.perf_counter() - started, "sent": sent, "rss_mb": peak_rss_mb()}


def post_bare(client: WebClient, n: int, *, prefix: str = "bare") -> None:
    """What the dispatcher sends for message n, as one bare chat.postMessage call."""
    user, channel = recipient(n)
    client.chat_postMessage(
        # The DM's channel id, which the dispatcher learns from conversations.open.
        channel=channel or "D" + (user or "")[1:],
        text=message_text(n),
        metadata={
            "event_type": METADATA_EVENT,
            "event_payload": {"dedupe_key": f"{prefix}:{n}", "kind": "bench"},
        },
        unfurl_links=False,
        unfurl_media=False,
    )


def run_compare(args: argparse.Namespace) -> dict[str, Any]:
    """The dispatcher and the bare loop, alternating chunk by chunk over the same messages."""
    settings = settings_of(args)
    clock = ManualClock(EPOCH)
    dispatcher = Dispatcher(
        engine=make_engine(settings.database_url),
        clock=clock,
        client=delivery_client(settings),
        summaries_planned=True,  # as `serve` runs it
    )
    client = WebClient(token=args.token, base_url=args.base_url)
    # Untimed: the fake Slack's and the HTTP client's start-up (first threads, first
    # connections, code run for the first time) is neither loop's cost; whichever went first
    # would pay it.
    for n in range(WARM_UP):
        post_bare(client, n, prefix="warm-up")
    freeze_startup_objects()  # as `liaison run` and `liaison serve` do once started
    dispatch_seconds = bare_seconds = dispatch_cpu = bare_cpu = 0.0
    sent = 0
    for first in range(0, args.messages, CHUNK):
        clock.set(due_at(first))  # this chunk, and only it, is due
        started, cpu = time.perf_counter(), cpu_seconds()
        sent += dispatcher.run_pass().sent
        dispatch_seconds += time.perf_counter() - started
        dispatch_cpu += cpu_seconds() - cpu
        started, cpu = time.perf_counter(), cpu_seconds()
        for n in range(first, min(first + CHUNK, args.messages)):
            post_bare(client, n)
        bare_seconds += time.perf_counter() - started
        bare_cpu += cpu_seconds() - cpu
    return {
        "dispatch_seconds": dispatch_seconds,
        "bare_seconds": bare_seconds,
        "dispatch_cpu": dispatch_cpu,
        "bare_cpu": bare_cpu,
        "sent": sent,
    }


def cpu_seconds() -> float:
    """This process's CPU time so far, in user space and in the kernel on its behalf (its
    socket calls: to Slack, and to a database server)."""
    times = os.times()
    return times.user + times.system


def help_request(args: argparse.Namespace, n: int) -> BoltRequest:
    fields = {
        "token": "bench-verification-token",
        "team_id": TEAM,
        "team_domain": "bench",
        "channel_id": CHANNEL,
        "channel_name": "bench",
        "user_id": user_id(n % PEOPLE),
        "user_name": f"person{n % PEOPLE}",
        "command": "/partner",
        "text": "help",
        "api_app_id": "A0LIAISON",
        "is_enterprise_install": "false",
        "response_url": args.base_url.replace("/api/", f"/response/bench{n}"),
        "trigger_id": f"{n}.{int(time.time())}.bench",
    }
    body = urlencode(fields)
    headers = sign(signing_secret=args.signing_secret, body=body, timestamp=int(time.time()))
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return BoltRequest(body=body, headers={k: [v] for k, v in headers.items()})


def run_acks(args: argparse.Namespace) -> dict[str, Any]:
    """The real app and a dispatcher thread in one process, as `liaison serve` runs them."""
    settings = settings_of(args)
    runtime = Runtime(
        settings=settings, engine=make_engine(settings.database_url), clock=SystemClock()
    )
    app = create_app(runtime)
    dispatcher = Dispatcher(
        engine=runtime.engine,
        clock=runtime.clock,
        client=delivery_client(settings),
        summaries_planned=True,  # as `serve` runs it
    )
    for n in range(20):  # warm up imports and caches before measuring
        app.dispatch(help_request(args, n))
    freeze_startup_objects()
    timings: list[float] = []
    started = time.perf_counter()
    worker = threading.Thread(target=dispatcher.run_pass, name="dispatcher")
    worker.start()
    n = 0
    while worker.is_alive():
        request = help_request(args, n)
        before = time.perf_counter()
        response = app.dispatch(request)
        timings.append((time.perf_counter() - before) * 1000)
        if response.status != 200:
            raise RuntimeError(f"/partner help answered {response.status}: {response.body}")
        n += 1
        time.sleep(0.005)
    seconds = time.perf_counter() - started
    runtime.close()
    quantiles = statistics.quantiles(timings, n=100)
    return {
        "acks": len(timings),
        "p50_ms": statistics.median(timings),
        "p99_ms": quantiles[98],
        "seconds": seconds,
    }


CHILDREN = {"dispatch": run_dispatch, "compare": run_compare, "acks": run_acks}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.delivery", description=__doc__)
    parser.add_argument("--postgres", help="also measure on this PostgreSQL URL")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--signing-secret", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        # As in production: one INFO line per send is formatted and written (here, to nowhere).
        logs.configure(logging.INFO, stream=open(os.devnull, "w"))  # noqa: SIM115 - for good
        print(json.dumps(CHILDREN[args.child](args)))
        return 0
    postgres_url = args.postgres or os.environ.get("LIAISON_BENCH_POSTGRES_URL")
    kinds = ["sqlite"] + (["postgresql"] if postgres_url else [])
    print(f"delivery benchmark: {args.messages:,} messages, {os.cpu_count()} CPUs", flush=True)
    results = [measure(kind, postgres_url, args.messages) for kind in kinds]
    for figures in results:
        report(figures, args.messages)
    if not postgres_url:
        print("\n(PostgreSQL not measured: pass --postgres postgresql+psycopg://USER@HOST/DB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
