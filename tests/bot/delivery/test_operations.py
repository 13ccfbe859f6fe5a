"""`liaison tick` and `liaison outbox` as operators use them."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.app import build_planners
from bot.clock import ManualClock
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.operations import list_outbox, parse_moment, run_tick
from bot.runtime import Runtime
from bot.sandbox.fake_slack import FakeSlack
from tests.bot.delivery.conftest import CHANNEL, queue

ROOT = Path(__file__).resolve().parents[3]


def test_at_reads_iso_times_as_utc_unless_they_say_otherwise() -> None:
    assert parse_moment("2026-11-23T09:00") == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert parse_moment("2026-11-23T09:00+01:00") == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_moment("next tuesday")


def test_tick_sends_what_is_due_and_says_what_it_did(
    slack_runtime: Runtime, engine: Engine, clock: ManualClock, fake_slack: FakeSlack
) -> None:
    queue(engine, due_at=clock.now(), key="a", channel=CHANNEL)
    printed: list[str] = []

    assert run_tick(slack_runtime, planners=build_planners(), echo=printed.append) == 0

    (line,) = printed
    assert line.startswith(f"tick at {clock.now().isoformat()}: ")
    assert "planners ran; sent 1," in line


def test_outbox_lists_queued_and_failed_messages_without_bodies(
    slack_runtime: Runtime, engine: Engine, clock: ManualClock, dispatcher: Dispatcher
) -> None:
    printed: list[str] = []
    list_outbox(slack_runtime, failed=False, limit=10, echo=printed.append)
    assert printed == ["nothing queued"]

    queue(engine, due_at=clock.now(), key="lost", channel="C0NOWHERE", text="secret words")
    queue(engine, due_at=clock.now() + timedelta(days=1), key="later", user="U0BEN", kind="checkin")
    dispatcher.run_pass()

    printed.clear()
    list_outbox(slack_runtime, failed=False, limit=10, echo=printed.append)
    header, later = printed
    assert header.split() == [
        "id", "team", "kind", "recipient", "due", "next", "try", "status", "tries", "last", "error",
    ]  # fmt: skip
    assert "checkin" in later and "U0BEN" in later and "pending" in later

    printed.clear()
    list_outbox(slack_runtime, failed=True, limit=1, echo=printed.append)
    assert "chat.postMessage: channel_not_found" in printed[1]
    assert " — " in printed[1] and " failed " in printed[1]  # no next try for a failed row
    assert printed[-1] == "(first 1; --limit N shows more)"
    assert not any("secret words" in line for line in printed)


def test_liaison_tick_refuses_a_moment_it_cannot_read(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "tick", "--at", "next tuesday"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "SLACK_BOT_TOKEN": "xoxb-1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "liaison: --at 'next tuesday' is not a moment; e.g. --at 2026-11-23T09:00"
    )
