"""How fast `/partner log` is through `liaison serve` at 1,000 partners and 1,000,000 touchpoints,
against a bare Bolt app that only acks on the same server stack; and the collision check alone.

`python -m bench.log_throughput [--seconds 10] [--touchpoints 1000000] [--connections 10]`

1. Seeds a SQLite database (migrated by Alembic) with 1,000 partners, each owned by one of 20
   colleagues with two more on its team, and 1,000,000 touchpoints over the five years up to now
   (one in fifty by outsiders to the partner), in sorted batches through `executemany`.
2. Times the collision check's query alone (`storage.touchpoints.neighbours`, the whole days
   ±14 days around a random moment of a random partner) and shows SQLite's plan for it: a range
   of the index ix_touchpoint_partner_time, no scan.
3. Runs wrk on loopback (10 connections) against the bare Bolt app, then against the bare
   app committing each command as one row in a SQLite file (a second baseline, for reading),
   then against `liaison serve`, sending distinct signed `/partner log PARTNER via call : …`
   requests (each a new trigger id, so none is a retry), four in five by someone on the
   partner's team and one in five by an outsider. Each records the touchpoint, checks for
   collisions, records them and queues what they trigger (the owner's note for an outsider's
   log, a channel alert when news) in one transaction. Owners are in a time zone where it is
   night, so their notes wait in the outbox (sending is bench/delivery.py's subject); channel
   alerts go at once.

4. Times the check-in planner's look for workspaces with recent meetings, calls and events
   (`storage.feedback.teams_with_touchpoints_since`, the last 14 days) and shows its plan: with
   the statistics ANALYZE gathered after seeding, then without them, as a Liaison database has
   it (nothing runs ANALYZE). Last, so the statistics are there for everything before.

Prints the throughputs, p50/p99 latencies, the ratio and the targets (log ≥ 50% of the bare
ack's throughput, p99 ≤ 25 ms; collision check ≤ 2 ms). Beside each server it prints the CPU
time its process used per request and its CPU use over the run (100% = one core). A server
that keeps one core busy is bound by its own CPU (one interpreter, one GIL), so the throughput
ratio is close to the inverse ratio of CPU per request, and that figure varies less from run
to run than the throughputs on a shared machine. Exits 0: PASS/FAIL are for reading.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event
from sqlmodel import Session

from bench.wrk import WrkResult, cpu_seconds, free_port, run_wrk, run_wrk_cycling, server
from bot import collisions
from bot.naming import normalize_name
from bot.sandbox.fake_slack import FakeSlack
from bot.sandbox.requests import RequestFactory, SlackRequest
from storage import feedback, schema
from storage import touchpoints as store
from storage.db import make_engine

TEAM = "T0BENCH"
CALLER = "U0CALLER"
COLLEAGUES = [f"U0C{n:03d}" for n in range(20)]
OUTSIDERS = [f"U0O{n:03d}" for n in range(30)]
WINDOW_DAYS = 14
SPAN = timedelta(days=5 * 365)
# Of the seeded touchpoints, those by colleagues outside the partner's team (about one a quarter).
OUTSIDER_SHARE = 0.02
BATCH = 50_000
TARGET_RATIO = 0.5
TARGET_P99_MS = 25.0
TARGET_CHECK_MS = 2.0
# Requests prepared per second of the run: more than the server can take, so none repeats.
REQUESTS_PER_SECOND = 1_500
# The second baseline: the bare ack that also commits the command as one row (for reading).
WRITING_ACK = "bare ack + one committed row"


def _stamp(moment: datetime) -> str:
    """A UTC time as SQLAlchemy stores it in SQLite."""
    return f"{moment.astimezone(UTC).replace(tzinfo=None):%Y-%m-%d %H:%M:%S.%f}"


def _night_zone(now: datetime) -> str:
    """A time zone where it is the middle of the night now (owners' notes then wait)."""
    for offset in range(-12, 15):
        name = f"Etc/GMT{-offset:+d}" if offset else "UTC"
        if 1 <= now.astimezone(ZoneInfo(name)).hour <= 4:
            return name
    return "UTC"


def seed(path: Path, *, partners: int, touchpoints: int, now: datetime) -> list[str]:
    """Partners, teams, profiles and touchpoints, written with sqlite3 directly; their names."""
    rng = random.Random(20261125)
    names = [f"Bench Partner {n:04d}" for n in range(partners)]
    created = _stamp(now - SPAN)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous = OFF")
    with connection:
        connection.execute(
            "INSERT INTO workspace (team_id, coordination_channel, window_days, work_start_hour, "
            "work_end_hour, work_days, timezone, pulse_cadence, anonymity_threshold, digest_day, "
            "digest_time, created_at) VALUES (?, 'C0PARTNERS', 14, 9, 17, 'mon-fri', 'UTC', "
            "'monthly', 3, 'mon', '09:00', ?)",
            (TEAM, created),
        )
        connection.executemany(
            "INSERT INTO partner (id, team_id, name, normalized_name, status, created_by, "
            "created_at) VALUES (?, ?, ?, ?, 'active', ?, ?)",
            [
                (n + 1, TEAM, name, normalize_name(name), COLLEAGUES[0], created)
                for n, name in enumerate(names)
            ],
        )
        teams = {n + 1: team_of(n) for n in range(partners)}
        connection.executemany(
            "INSERT INTO team_membership (team_id, partner_id, user_id, role, added_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (TEAM, partner_id, user, "owner" if index == 0 else "member", created)
                for partner_id, people in teams.items()
                for index, user in enumerate(people)
            ],
        )
        night = _night_zone(now)
        connection.executemany(
            "INSERT INTO user_profile (team_id, user_id, name, tz, is_admin, is_deleted, "
            "fetched_at) VALUES (?, ?, ?, ?, 0, 0, ?)",
            [(TEAM, user, user.lower(), night, _stamp(now)) for user in COLLEAGUES],
        )
        per_partner = touchpoints // partners
        span = SPAN.total_seconds()
        for first in range(0, partners, max(1, BATCH // max(per_partner, 1))):
            rows = []
            for partner_id in range(first + 1, min(partners, first + BATCH // per_partner) + 1):
                offsets = sorted(rng.random() * span for _ in range(per_partner))
                for offset in offsets:
                    at = _stamp(now - SPAN + timedelta(seconds=offset))
                    author = (
                        rng.choice(OUTSIDERS)
                        if rng.random() < OUTSIDER_SHARE
                        else rng.choice(teams[partner_id])
                    )
                    rows.append((TEAM, partner_id, "done", "call", at, author, at))
            connection.executemany(
                "INSERT INTO touchpoint (team_id, partner_id, kind, medium, at, author_id, "
                "created_at, day_only) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
                rows,
            )
    connection.execute("ANALYZE")
    connection.close()
    return names


@dataclass
class CheckTimings:
    """Milliseconds per collision check: the whole `neighbours` call, and the database alone."""

    full: list[float]
    database: list[float]
    rows: list[int]


def window_around(moment: datetime) -> tuple[datetime, datetime]:
    """The range the collision check reads for a contact at `moment` (a UTC workspace)."""
    return collisions.reach(moment.date(), window_days=WINDOW_DAYS, tz=UTC)


def time_collision_check(database_url: str, *, partners: int, now: datetime) -> CheckTimings:
    """The collision check at random moments of random partners, and the same SQL run by the
    sqlite3 driver alone (what the index costs, without SQLAlchemy and Python objects)."""
    rng = random.Random(7)
    engine = make_engine(database_url)
    timings = CheckTimings(full=[], database=[], rows=[])
    with Session(engine) as session:
        raw = session.connection().connection.dbapi_connection
        assert raw is not None
        for _ in range(2_000):
            partner_id = rng.randint(1, partners)
            moment = now - SPAN * rng.random()
            start, end = window_around(moment)
            started = time.perf_counter()
            found = store.neighbours(
                session=session, team_id=TEAM, partner_id=partner_id, start=start, end=end
            )
            timings.full.append((time.perf_counter() - started) * 1000)
            timings.rows.append(len(found))
            sql, params = store.neighbours_sql(
                connection=session.connection(),
                team_id=TEAM,
                partner_id=partner_id,
                start=start,
                end=end,
            )
            started = time.perf_counter()
            raw.execute(sql, params).fetchall()
            timings.database.append((time.perf_counter() - started) * 1000)
    engine.dispose()
    return timings


def query_plan(database_url: str, now: datetime) -> list[str]:
    engine = make_engine(database_url)
    start, end = window_around(now)
    with engine.connect() as connection:
        plan = store.explain_neighbours(
            connection=connection, team_id=TEAM, partner_id=1, start=start, end=end
        )
    engine.dispose()
    return plan


@dataclass
class PlannerTimings:
    """The check-in planner's query: its plan and milliseconds per run."""

    label: str
    plan: list[str]
    times: list[float]


def time_planner_query(database_url: str, *, now: datetime, label: str) -> PlannerTimings:
    """`teams_with_touchpoints_since` (the last 14 days) as the check-in planner runs it, and
    SQLite's plan for the SQL it sends."""
    engine = make_engine(database_url)
    sent: list[tuple[str, Any]] = []

    def capture(_conn: object, _cursor: object, sql: str, params: Any, *_rest: object) -> None:
        sent.append((sql, params))

    since = now - timedelta(days=14)
    times = []
    with Session(engine) as session:
        event.listen(engine, "before_cursor_execute", capture)
        feedback.teams_with_touchpoints_since(session=session, since=since)
        event.remove(engine, "before_cursor_execute", capture)
        for _ in range(20):
            started = time.perf_counter()
            feedback.teams_with_touchpoints_since(session=session, since=since)
            times.append((time.perf_counter() - started) * 1000)
        sql, params = sent[-1]
        rows = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
    engine.dispose()
    return PlannerTimings(label=label, plan=[str(row[-1]) for row in rows], times=times)


def drop_statistics(path: Path) -> None:
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("DELETE FROM sqlite_stat1")
    connection.close()


def team_of(partner_index: int) -> list[str]:
    """The owner and the two members of the partner seeded at `partner_index`."""
    return [COLLEAGUES[(partner_index + step) % len(COLLEAGUES)] for step in (0, 7, 13)]


def log_requests(
    factory: RequestFactory, names: list[str], count: int, *, first: int = 0
) -> Iterator[SlackRequest]:
    """Distinct signed `/partner log` requests, round the partners: four in five by someone on
    the partner's team, one in five by an outsider (whose log also tells the owner). Requests
    numbered from `first` on have notes of their own: a log with the same author, partner and
    notes as one a moment before is taken for a repeat and not recorded again, so a set that
    started over the warm-up's numbers would time that answer instead of a log."""
    for n in range(first, first + count):
        partner = n % len(names)
        author = CALLER if n % 5 == 4 else team_of(partner)[n // len(names) % 3]
        text = f"log {names[partner]} via call : benchmark contact {n}"
        yield factory.slash_command(user_id=author, channel_id="C0PARTNERS", text=text)


def touchpoint_count(path: Path) -> int:
    with closing(sqlite3.connect(path)) as connection:
        (count,) = connection.execute("SELECT count(*) FROM touchpoint").fetchone()
    return int(count)


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000)[int(q * 1000) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--partners", type=int, default=1_000)
    parser.add_argument("--touchpoints", type=int, default=1_000_000)
    args = parser.parse_args()

    fake = FakeSlack(team_id=TEAM).start()
    fake.add_user(id=CALLER, name="caller", real_name="Caller", tz="Europe/Berlin")
    for user in COLLEAGUES:
        fake.add_user(id=user, name=user.lower(), real_name=user, tz="UTC")
    fake.add_channel(id="C0PARTNERS", name="partnerships")
    factory = RequestFactory(fake)
    now = datetime.now(UTC)
    results: dict[str, WrkResult] = {}
    # CPU seconds each server process (all its threads) used during its timed run.
    cpu: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "bench.db"
        database_url = f"sqlite:///{path}"
        schema.upgrade(make_engine(database_url))
        started = time.perf_counter()
        names = seed(path, partners=args.partners, touchpoints=args.touchpoints, now=now)
        seeded = time.perf_counter() - started
        checks = time_collision_check(database_url, partners=args.partners, now=now)
        plan = query_plan(database_url, now)

        env = {
            "SLACK_BOT_TOKEN": fake.bot_token,
            "SLACK_SIGNING_SECRET": fake.signing_secret,
            "SLACK_API_BASE_URL": fake.base_url,
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "WARNING",
        }
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        bare = [
            "-m", "bench.bare_ack_server", "--port", str(port),
            "--signing-secret", fake.signing_secret, "--api-base-url", fake.base_url,
        ]  # fmt: skip
        sample = next(log_requests(factory, names, 1))
        with server(bare, env={}, health_url=f"{base}/healthz") as process:
            run_wrk(f"{base}/slack/events", sample, seconds=2, connections=args.connections)
            cpu_before = cpu_seconds(process.pid)
            results["bare ack, process_before_response"] = run_wrk(
                f"{base}/slack/events", sample, seconds=args.seconds, connections=args.connections
            )
            cpu["bare ack, process_before_response"] = cpu_seconds(process.pid) - cpu_before
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        durable = [*bare, "--database", f"sqlite:///{Path(workdir) / 'bare.db'}"]
        durable[durable.index("--port") + 1] = str(port)
        with server(durable, env={}, health_url=f"{base}/healthz") as process:
            run_wrk(f"{base}/slack/events", sample, seconds=2, connections=args.connections)
            cpu_before = cpu_seconds(process.pid)
            results[WRITING_ACK] = run_wrk(
                f"{base}/slack/events", sample, seconds=args.seconds, connections=args.connections
            )
            cpu[WRITING_ACK] = cpu_seconds(process.pid) - cpu_before
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        serve = ["-m", "bot.cli", "serve", "--port", str(port)]
        with server(serve, env=env, health_url=f"{base}/healthz") as process:
            warm_up = list(log_requests(factory, names, REQUESTS_PER_SECOND * 2))
            run_wrk_cycling(
                f"{base}/slack/events", warm_up, seconds=2, connections=args.connections
            )
            requests = list(
                log_requests(factory, names, REQUESTS_PER_SECOND * args.seconds, first=len(warm_up))
            )
            logged_before = touchpoint_count(path)
            cpu_before = cpu_seconds(process.pid)
            result = run_wrk_cycling(
                f"{base}/slack/events", requests, seconds=args.seconds, connections=args.connections
            )
            results["liaison serve, /partner log"] = result
            cpu["liaison serve, /partner log"] = cpu_seconds(process.pid) - cpu_before
            if result.requests > len(requests):
                print(f"warning: {result.requests} requests for {len(requests)} distinct ones")
            # Every timed request is a new contact: each must have recorded one.
            logged = touchpoint_count(path) - logged_before
            if logged < result.requests:
                print(f"warning: {result.requests} requests recorded {logged} touchpoints")
        planner = [time_planner_query(database_url, now=now, label="with ANALYZE statistics")]
        drop_statistics(path)
        planner.append(time_planner_query(database_url, now=now, label="without (as Liaison's)"))
    fake.stop()

    print(
        f"{args.partners:,} partners, {args.touchpoints:,} touchpoints seeded in {seeded:.1f} s; "
        f"SQLite; wrk, {args.connections} connections, {args.seconds} s each, loopback\n"
    )
    print(
        "Collision check (one partner's whole days ±14 days around 2,000 random moments, "
        f"{statistics.mean(checks.rows):.1f} touchpoints in a window on average):"
    )
    for label, values in (("neighbours()", checks.full), ("the SQL alone", checks.database)):
        p50, p99 = pct(values, 0.5), pct(values, 0.99)
        verdict = "PASS" if p99 <= TARGET_CHECK_MS else "FAIL"
        print(
            f"  {label:14} p50 {p50:.3f} ms, p99 {p99:.3f} ms, max {max(values):.3f} ms "
            f"(target ≤ {TARGET_CHECK_MS:.0f} ms) {verdict}"
        )
    print("  EXPLAIN QUERY PLAN: " + " | ".join(plan) + "\n")
    print("Check-in planner, teams_with_touchpoints_since (the last 14 days), 20 runs:")
    for query in planner:
        print(
            f"  {query.label:25} p50 {statistics.median(query.times):.2f} ms, "
            f"max {max(query.times):.2f} ms; " + " | ".join(query.plan)
        )
    print()
    print(
        f"{'server':40} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
        f"{'CPU ms/req':>11} {'CPU use':>8}"
    )
    for name, found in results.items():
        print(
            f"{name:40} {found.requests_per_second:9.0f} {found.p50_ms:8.2f} "
            f"{found.p99_ms:8.2f} {found.non_2xx + found.errors:7d} "
            f"{cpu[name] * 1000 / max(found.requests, 1):11.3f} "
            f"{cpu[name] / args.seconds:8.0%}"
        )
    bare_result = results["bare ack, process_before_response"]
    log_result = results["liaison serve, /partner log"]
    ratio = log_result.requests_per_second / bare_result.requests_per_second
    print(
        f"\nlog / bare ack throughput: {ratio:.2f} (target ≥ {TARGET_RATIO:.2f}) "
        f"{'PASS' if ratio >= TARGET_RATIO else 'FAIL'}"
    )
    print(
        f"log p99: {log_result.p99_ms:.1f} ms (target ≤ {TARGET_P99_MS:.0f} ms) "
        f"{'PASS' if log_result.p99_ms <= TARGET_P99_MS else 'FAIL'}"
    )
    writing = results[WRITING_ACK]
    print(
        f"log / bare ack that commits one row: "
        f"{log_result.requests_per_second / writing.requests_per_second:.2f} (no target: how "
        "much of a log's cost is Liaison's own work beyond one durable write)"
    )


if __name__ == "__main__":
    main()
