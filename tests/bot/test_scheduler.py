"""The scheduler: planners then a dispatch pass (`tick`), and the APScheduler jobs."""

from __future__ import annotations

import logging
import shutil
import threading
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient
from sqlmodel import Session, select

from bot.clock import ManualClock
from bot.config import Settings
from bot.delivery.dispatcher import delivery_client
from bot.delivery.outbox import enqueue
from bot.runtime import Runtime
from bot.sandbox.fake_slack import FakeSlack
from bot.scheduler import PlannerRegistry, Scheduler, tick
from storage.db import make_engine
from storage.models import OutboxMessage
from tests.bot.delivery.conftest import CHANNEL, delivered, queue

EVERY_MINUTE = IntervalTrigger(minutes=1)


def daily_digest(runtime: Runtime, now: datetime) -> None:
    """A planner as later issues write them: derive what is due, enqueue idempotently."""
    with Session(runtime.engine) as session:
        enqueue(
            session,
            team_id="T0ACME",
            kind="digest",
            recipient_channel="C0PARTNERS",
            text="Dormant partners this week",
            due_at=now,
            dedupe_key=f"digest:{now.date().isoformat()}",
            respect_working_hours=False,
        )
        session.commit()


def broken(_runtime: Runtime, _now: datetime) -> None:
    raise RuntimeError("planner bug")


@pytest.fixture
def client(slack_settings: Settings) -> WebClient:
    return delivery_client(slack_settings)


def test_planner_names_are_unique() -> None:
    planners = PlannerRegistry()
    planners.register_planner("digest", daily_digest, EVERY_MINUTE)
    with pytest.raises(ValueError, match="already registered"):
        planners.register_planner("digest", daily_digest, EVERY_MINUTE)
    assert [job.name for job in planners] == ["digest"]


def test_tick_runs_the_planners_then_sends_what_is_due(
    slack_runtime: Runtime, client: WebClient, fake_slack: FakeSlack
) -> None:
    planners = PlannerRegistry()
    planners.register_planner("digest", daily_digest, EVERY_MINUTE)

    report = tick(slack_runtime, client, planners=planners)
    again = tick(slack_runtime, client, planners=planners)  # a restart re-plans: no duplicate

    assert report.planners == ["digest"] and report.dispatch.sent == 1
    assert again.dispatch.sent == 0
    assert delivered(fake_slack) == {"digest:2026-11-25": 1}
    assert report.at == slack_runtime.clock.now()
    assert "1 planners ran; sent 1" in report.summary()


def test_a_failing_planner_is_logged_and_the_others_still_run(
    slack_runtime: Runtime,
    client: WebClient,
    fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
) -> None:
    planners = PlannerRegistry()
    planners.register_planner("broken", broken, EVERY_MINUTE)
    planners.register_planner("digest", daily_digest, EVERY_MINUTE)

    with caplog.at_level(logging.ERROR, logger="bot.scheduler"):
        report = tick(slack_runtime, client, planners=planners)

    assert report.failed_planners == ["broken"]
    assert report.dispatch.sent == 1
    (record,) = caplog.records
    assert "planner broken failed" in record.getMessage() and record.exc_info is not None


def test_the_scheduler_runs_the_jobs_in_the_background_and_stops_cleanly(
    slack_runtime: Runtime, client: WebClient, fake_slack: FakeSlack
) -> None:
    planners = PlannerRegistry()
    planners.register_planner("digest", daily_digest, IntervalTrigger(seconds=0.05))
    scheduler = Scheduler(slack_runtime, client=client, planners=planners, dispatch_every=0.05)

    scheduler.start()
    try:
        fake_slack.wait_until(lambda: bool(delivered(fake_slack)), timeout=10)
    finally:
        scheduler.shutdown()

    assert delivered(fake_slack) == {"digest:2026-11-25": 1}
    assert scheduler.dispatcher.stopping
    scheduler.shutdown()  # twice is harmless


def test_a_database_outage_logs_one_traceback_then_a_line_per_failure_then_the_recovery(
    slack_settings: Settings,
    clock: ManualClock,
    client: WebClient,
    migrated_sqlite: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Not a traceback every 2 s for as long as the database is down."""
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copyfile(migrated_sqlite, folder / "liaison.db")
    engine = make_engine(f"sqlite:///{folder / 'liaison.db'}")
    runtime = Runtime(settings=slack_settings, engine=engine, clock=clock)
    planners = PlannerRegistry()
    planners.register_planner("digest", daily_digest, EVERY_MINUTE)
    (digest,) = planners
    scheduler = Scheduler(runtime, client=client, planners=planners)
    # The jobs as APScheduler runs them, one run at a time.
    jobs = (scheduler._dispatch, lambda: scheduler._plan(digest))

    engine.dispose()
    folder.rename(tmp_path / "gone")  # the database is out of reach
    with caplog.at_level(logging.INFO, logger="bot.scheduler"):
        for _ in range(3):
            for job in jobs:
                job()
        (tmp_path / "gone").rename(folder)
        for _ in range(2):
            for job in jobs:
                job()
    runtime.after_ack.shutdown(wait=True)
    engine.dispose()

    for name in ("dispatch pass", "planner digest"):
        records = [
            record
            for record in caplog.records
            if record.name == "bot.scheduler" and record.getMessage().startswith(f"{name} ")
        ]
        first, *again, back = records
        assert first.exc_info is not None and " failed at " in first.getMessage()
        assert [record.exc_info for record in again] == [None, None]
        assert [record.getMessage().split(" (")[0] for record in again] == [
            f"{name} failed again"
        ] * 2
        assert "(3 in a row since " in again[-1].getMessage()
        assert "OperationalError: (sqlite3.OperationalError) unable to open database file" in (
            again[-1].getMessage()
        )
        assert "\n" not in again[-1].getMessage()
        assert back.levelno == logging.INFO and back.exc_info is None
        assert back.getMessage().startswith(f"{name} works again (it failed 3 times since ")


def test_the_clock_decides_what_is_due(
    slack_runtime: Runtime, client: WebClient, clock: ManualClock, fake_slack: FakeSlack
) -> None:
    queue(slack_runtime.engine, due_at=clock.now() + timedelta(days=1), key="r", channel=CHANNEL)

    assert tick(slack_runtime, client, planners=PlannerRegistry()).dispatch.sent == 0
    clock.advance(timedelta(days=1))
    assert tick(slack_runtime, client, planners=PlannerRegistry()).dispatch.sent == 1


def test_shutdown_mid_pass_finishes_the_send_in_flight_and_releases_the_rest(
    slack_runtime: Runtime, client: WebClient, clock: ManualClock, fake_slack: FakeSlack
) -> None:
    for n in range(200):
        queue(slack_runtime.engine, due_at=clock.now(), key=f"m{n}", channel=CHANNEL)
    first_sent = threading.Event()
    fake_slack.add_listener(lambda _message: first_sent.set())
    scheduler = Scheduler(slack_runtime, client=client, planners=PlannerRegistry())

    scheduler.start()
    assert first_sent.wait(timeout=10)
    scheduler.shutdown()

    with Session(slack_runtime.engine) as session:
        statuses = Counter(m.status for m in session.exec(select(OutboxMessage)))
    sent = len(delivered(fake_slack))
    assert 1 <= sent < 200
    assert statuses == {"sent": sent, "pending": 200 - sent}  # nothing left "sending"
