"""The scheduler: planners then a dispatch pass (`tick`), and the APScheduler jobs."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from datetime import datetime, timedelta

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
