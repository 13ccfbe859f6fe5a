"""Real `liaison` processes against the fake Slack: `tick` killed mid-run or stopped by a signal,
two `tick`s at once on PostgreSQL, and `serve` running the dispatcher until SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from bot.sandbox.fake_slack import FakeSlack
from storage.models import OutboxMessage, OutboxStatus
from tests.bot.delivery.conftest import CHANNEL, TEAM, delivered
from tests.conftest import POSTGRES_URL
from tests.http import free_port, wait_for_health

ROOT = Path(__file__).resolve().parents[3]
MESSAGES = 2_000
# Past the lease (2 minutes, on the wall clock) of whatever a killed process had claimed.
AFTER_LEASE = timedelta(minutes=3)


def seed(engine: Engine, count: int, at: datetime) -> None:
    """Queue `count` channel messages due at `at` (one multi-row insert: enqueue is tested
    elsewhere, and this keeps the test fast)."""
    rows = [
        {
            "team_id": TEAM,
            "kind": "load",
            "recipient_channel": CHANNEL,
            "text": f"message {n}",
            "blocks": [],
            "dedupe_key": f"load:{n}",
            "respect_working_hours": False,
            "due_at": at,
            "available_at": at,
            "status": OutboxStatus.PENDING,
            "held": False,
            "attempts": 0,
            "created_at": at,
        }
        for n in range(count)
    ]
    with Session(engine) as session:
        session.execute(sa.insert(OutboxMessage), rows)
        session.commit()


def liaison(
    fake: FakeSlack, database_url: str, *args: str, cwd: Path, log_level: str = "WARNING"
) -> subprocess.Popen[str]:
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_API_BASE_URL": fake.base_url,
        "DATABASE_URL": database_url,
        "SLACK_SIGNING_SECRET": fake.signing_secret,
        "LOG_LEVEL": log_level,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def liaison_tick(
    fake: FakeSlack, database_url: str, at: datetime, cwd: Path
) -> subprocess.Popen[str]:
    return liaison(fake, database_url, "tick", "--at", at.isoformat(), cwd=cwd)


def wait_for(
    condition: Callable[[], bool], process: subprocess.Popen[str], timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"liaison tick exited early: {process.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError("liaison tick made no progress")
        time.sleep(0.01)


def progressed(fake: FakeSlack, calls: int) -> bool:
    # Cheap to ask often: chat.postMessage is the only method these runs call.
    return len(fake.calls) >= calls


def let_leases_run_out(engine: Engine) -> None:
    """Move the leases of rows left "sending" back by `AFTER_LEASE`: what the wall clock's
    passing would do, without the wait."""
    with Session(engine) as session:
        for message in session.exec(
            select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENDING)
        ):
            message.available_at -= AFTER_LEASE
        session.commit()


def statuses(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        statement = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        return dict(session.exec(statement).all())


def all_sent(engine: Engine) -> int:
    with Session(engine) as session:
        statement = (
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.SENT)
        )
        return session.exec(statement).one()


def test_sigkill_mid_run_loses_nothing_and_duplicates_at_most_one(
    engine: Engine, database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    start = datetime.now(UTC).replace(microsecond=0)
    seed(engine, MESSAGES, start)

    process = liaison_tick(fake_slack, database_url, start, tmp_path)
    wait_for(partial(progressed, fake_slack, MESSAGES // 2), process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    # The restart comes after the lease of whatever the dead process had claimed.
    let_leases_run_out(engine)
    restarted = liaison_tick(fake_slack, database_url, start + AFTER_LEASE, tmp_path)
    _, err = restarted.communicate(timeout=120)
    assert restarted.returncode == 0, err

    counts = delivered(fake_slack)
    assert set(counts) == {f"load:{n}" for n in range(MESSAGES)}, "a message was lost"
    assert sum(count - 1 for count in counts.values()) <= 1, "more than one duplicate"
    assert all_sent(engine) == MESSAGES


@pytest.mark.parametrize(
    ("stop", "exit_code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["int", "term"]
)
def test_a_tick_acting_ahead_stops_cleanly_on_a_signal_and_leaves_nothing_held(
    engine: Engine, fake_slack: FakeSlack, tmp_path: Path, stop: signal.Signals, exit_code: int
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    start = datetime.now(UTC).replace(microsecond=0)
    seed(engine, MESSAGES, start)

    # Catching up as if it were a month later (`--at`), stopped part way through.
    process = liaison_tick(fake_slack, url, start + timedelta(days=30), tmp_path)
    wait_for(partial(progressed, fake_slack, 300), process)
    process.send_signal(stop)
    out, err = process.communicate(timeout=30)

    assert process.returncode == exit_code, err
    assert "Traceback" not in err
    sent = int(re.search(r"sent (\d+)", out).group(1))  # type: ignore[union-attr]
    released = int(re.search(r"released (\d+)", out).group(1))  # type: ignore[union-attr]
    assert f"stopped by {stop.name}: {released} claimed messages handed back unsent" in out
    # The send in flight was recorded, the rest of its batch handed back: nothing held.
    assert statuses(engine) == {"sent": sent, "pending": MESSAGES - sent}
    assert len(delivered(fake_slack)) == sent and 0 < released < MESSAGES - sent

    # A plain tick (the wall clock) takes up every one of them at once, and none twice.
    rest = liaison(fake_slack, url, "tick", cwd=tmp_path)
    _, err = rest.communicate(timeout=120)
    assert rest.returncode == 0, err
    counts = delivered(fake_slack)
    assert len(counts) == MESSAGES and max(counts.values()) == 1


@pytest.mark.skipif(
    POSTGRES_URL is None,
    reason="replicas share one PostgreSQL (FOR UPDATE SKIP LOCKED); set LIAISON_TEST_DATABASE_URL",
)
def test_two_dispatcher_processes_on_postgresql_send_each_message_once(
    engine: Engine, database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    start = datetime.now(UTC).replace(microsecond=0)
    seed(engine, MESSAGES, start)

    replicas = [liaison_tick(fake_slack, database_url, start, tmp_path) for _ in range(2)]
    outputs = [replica.communicate(timeout=120) for replica in replicas]

    assert [replica.returncode for replica in replicas] == [0, 0], outputs
    counts = delivered(fake_slack)
    assert len(counts) == MESSAGES, "a message was lost"
    assert max(counts.values()) == 1, "a message was sent twice"
    sent_by = [int(re.search(r"sent (\d+)", out).group(1)) for out, _ in outputs]  # type: ignore[union-attr]
    assert sum(sent_by) == MESSAGES
    assert all(sent > 0 for sent in sent_by), f"one replica sent everything: {sent_by}"


def test_serve_runs_the_dispatcher_and_stops_cleanly_on_sigterm(
    engine: Engine, database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    seed(engine, 3, datetime.now(UTC))
    port = free_port()
    process = liaison(
        fake_slack, database_url, "serve", "--port", str(port), cwd=tmp_path, log_level="INFO"
    )
    try:
        wait_for_health(f"http://127.0.0.1:{port}/healthz", process)
        wait_for(lambda: len(delivered(fake_slack)) == 3, process, timeout=30)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    # uvicorn shuts down gracefully, then raises the signal again: a clean stop, exit 0.
    assert process.returncode == 0, err
    assert "scheduler stopped" in err and "Traceback" not in err
    assert all_sent(engine) == 3
