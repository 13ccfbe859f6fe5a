"""`liaison tick` and `liaison outbox` as operators use them."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.app import build_planners
from bot.clock import ManualClock
from bot.delivery.absence import go_away
from bot.delivery.dispatcher import SUMMARY_WAIT, Dispatcher, DispatchPolicy
from bot.delivery.operations import list_outbox, parse_moment, retry_failed, run_tick
from bot.delivery.working_hours import next_send_time
from bot.runtime import Runtime
from bot.sandbox.fake_slack import FakeSlack
from tests.bot.delivery.conftest import (
    ANA,
    CHANNEL,
    CHLOE,
    DAN,
    TEAM,
    delivered,
    queue,
    row,
    set_zones,
)
from tests.bot.delivery.test_absence import away

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

    queue(engine, due_at=clock.now(), key="first lost", channel="C0GONE")
    queue(engine, due_at=clock.now(), key="lost", channel="C0NOWHERE", text="secret words")
    queue(engine, due_at=clock.now() + timedelta(days=1), key="later", user="U0BEN", kind="checkin")
    dispatcher.run_pass()

    printed.clear()
    list_outbox(slack_runtime, failed=False, limit=10, echo=printed.append)
    header, later = printed
    assert header.split() == [
        "id", "team", "kind", "recipient", "due", "goes", "out", "status", "tries", "last", "error",
    ]  # fmt: skip
    assert "checkin" in later and "U0BEN" in later and "pending" in later

    printed.clear()
    list_outbox(slack_runtime, failed=True, limit=1, echo=printed.append)
    assert "C0NOWHERE" in printed[1]  # the latest failure first: after an outage, its own
    assert "chat.postMessage: channel_not_found" in printed[1]
    assert " — " in printed[1] and " failed " in printed[1]  # no next try for a failed row
    assert printed[-1] == "(latest 1; --limit N shows more)"
    assert not any("secret words" in line for line in printed)

    # Exactly as many as the limit: nothing more to show, so no promise of more.
    printed.clear()
    list_outbox(slack_runtime, failed=True, limit=2, echo=printed.append)
    assert len(printed) == 3 and "--limit" not in printed[-1]
    printed.clear()
    list_outbox(slack_runtime, failed=False, limit=1, echo=printed.append)
    assert len(printed) == 2 and "U0BEN" in printed[-1]


def test_outbox_says_why_a_queued_message_waits(
    slack_runtime: Runtime,
    engine: Engine,
    clock: ManualClock,
    dispatcher: Dispatcher,
    fake_slack: FakeSlack,
) -> None:
    """A message held for the morning or for its recipient's return does not read as a retry."""
    now = clock.now()
    week = now + timedelta(days=7)
    go_away(
        engine, team_id=TEAM, user_id=CHLOE, starts_at=now, ends_at=week, deputy_id=None, now=now
    )
    queue(engine, due_at=now, key="away", user=CHLOE)
    queue(engine, due_at=now, key="retried", channel=CHANNEL)
    fake_slack.fail_next("chat.postMessage", status=503)
    dispatcher.run_pass()
    night = now.replace(hour=23)
    queue(engine, due_at=night, key="night", user=ANA, working_hours=True)
    queue(engine, due_at=now + timedelta(hours=1), key="later", channel=CHANNEL)
    printed: list[str] = []

    list_outbox(slack_runtime, failed=False, limit=10, echo=printed.append)

    goes_out = printed[0].index("goes out")
    keys = {row(engine, key).id: key for key in ("later", "retried", "night", "away")}
    by_key = {keys[int(line.split()[0])]: line[goes_out:].split("  ")[0] for line in printed[1:]}
    retry = row(engine, "retried").available_at
    assert by_key == {
        "later": "2026-11-25 10:00:00Z",
        "retried": f"{retry:%Y-%m-%d %H:%M:%S}Z (next try)",
        "night": f"{row(engine, 'night').available_at:%Y-%m-%d %H:%M:%S}Z (working hours)",
        "away": "2026-12-02 09:00:00Z (held: away)",
    }


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


def test_retry_failed_queues_failed_messages_again_by_kind_and_workspace(
    slack_runtime: Runtime,
    engine: Engine,
    clock: ManualClock,
    dispatcher: Dispatcher,
    fake_slack: FakeSlack,
) -> None:
    queue(engine, due_at=clock.now(), key="alert", channel=CHANNEL, kind="collision_alert")
    queue(engine, due_at=clock.now(), key="other", channel=CHANNEL, kind="checkin")
    queue(engine, due_at=clock.now(), key="elsewhere", channel=CHANNEL, team_id="T0OTHER")
    queue(engine, due_at=clock.now(), key="sent", channel=CHANNEL, kind="collision_alert")
    fake_slack.fail_next("chat.postMessage", status=503, times=3)
    dispatcher.policy = DispatchPolicy(give_up_after=timedelta(seconds=1))
    dispatcher.run_pass()
    assert [row(engine, key).status for key in ("alert", "other", "sent")] == [
        "failed", "failed", "sent",
    ]  # fmt: skip
    clock.advance(timedelta(hours=1))
    printed: list[str] = []

    retry_failed(slack_runtime, team_id="T0ACME", kind="collision_alert", echo=printed.append)
    assert printed == ["queued 1 failed message again"]
    again = row(engine, "alert")
    assert (again.status, again.available_at, again.attempts) == ("pending", clock.now(), 1)
    assert row(engine, "other").status == row(engine, "elsewhere", "T0OTHER").status == "failed"
    dispatcher.run_pass()
    assert delivered(fake_slack) == {"sent": 1, "alert": 1}

    retry_failed(slack_runtime, team_id=None, kind=None, echo=printed.append)
    assert printed[-1] == "queued 2 failed messages again"
    dispatcher.run_pass()
    assert delivered(fake_slack) == {"sent": 1, "alert": 1, "other": 1, "elsewhere": 1}
    retry_failed(slack_runtime, team_id=None, kind=None, echo=printed.append)
    assert printed[-1] == "no failed messages to queue again"


def test_liaison_outbox_takes_kind_and_team_only_to_retry(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "outbox", "--failed", "--kind", "checkin"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "--kind and --team go with --retry-failed" in result.stderr
    # The usage shown is the command's, with the options it names (QA: it was `liaison`'s).
    assert result.stderr.startswith("usage: liaison outbox ")
    assert "--retry-failed" in result.stderr.split("error:")[0]


def test_retry_failed_names_the_kinds_when_it_knows_none_of_that_kind(
    slack_runtime: Runtime,
    engine: Engine,
    clock: ManualClock,
    dispatcher: Dispatcher,
) -> None:
    queue(engine, due_at=clock.now(), key="lost", channel="C0NOWHERE", kind="collision_alert")
    queue(engine, due_at=clock.now() + timedelta(days=1), key="later", user="U0BEN", kind="checkin")
    dispatcher.run_pass()
    printed: list[str] = []

    said: list[str] = []
    code = retry_failed(
        slack_runtime,
        team_id=None,
        kind="colision_alert",
        echo=printed.append,
        complain=said.append,
    )

    assert code == 2
    assert printed == []  # said as an error (on stderr, from the CLI), not as the result
    assert said == [
        "unknown kind 'colision_alert': no message of that kind was ever queued. "
        "Failed messages are of kinds: collision_alert"
    ]
    assert row(engine, "lost").status == "failed"
    # A kind the outbox knows, with nothing failed of it, is no typo.
    assert retry_failed(slack_runtime, team_id=None, kind="checkin", echo=printed.append) == 0
    assert printed[-1] == "no failed messages to queue again"


def test_retry_failed_says_no_workspace_has_a_team_id_none_of_its_messages_has(
    slack_runtime: Runtime,
    engine: Engine,
    clock: ManualClock,
    dispatcher: Dispatcher,
) -> None:
    """`--team T0NOPE` said "no failed messages to queue again", as if that workspace had
    had nothing fail."""
    queue(engine, due_at=clock.now(), key="lost", channel="C0NOWHERE")
    dispatcher.run_pass()
    printed: list[str] = []
    said: list[str] = []

    code = retry_failed(
        slack_runtime, team_id="T0NOPE", kind=None, echo=printed.append, complain=said.append
    )

    assert (code, printed) == (2, [])
    assert said == [
        "no workspace has the id 'T0NOPE': no message was ever queued for it. Failed messages "
        "are of workspaces: T0ACME (`liaison outbox --failed` lists them), e.g. --team T0ACME"
    ]
    assert row(engine, "lost").status == "failed"
    assert retry_failed(slack_runtime, team_id="T0ACME", kind=None, echo=printed.append) == 0
    assert printed == ["queued 1 failed message again"]


def test_retry_failed_for_a_team_when_nothing_ever_failed_says_so(
    slack_runtime: Runtime, engine: Engine, clock: ManualClock
) -> None:
    queue(engine, due_at=clock.now() + timedelta(days=1), key="later", user="U0BEN")
    said: list[str] = []
    code = retry_failed(
        slack_runtime, team_id="T0NOPE", kind=None, echo=said.append, complain=said.append
    )
    assert code == 2
    assert said == [
        "no workspace has the id 'T0NOPE': no message was ever queued for it. "
        "No message has failed."
    ]
    # A workspace the outbox knows, with nothing failed, is no typo.
    assert retry_failed(slack_runtime, team_id="T0ACME", kind=None, echo=said.append) == 0
    assert said[-1] == "no failed messages to queue again"


def liaison(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "SLACK_BOT_TOKEN": "xoxb-1", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_outbox_and_tick_create_no_database_where_there_is_none(tmp_path: Path) -> None:
    typo = tmp_path / "liason.db"
    for args, env in (
        (("outbox",), {"DATABASE_URL": f"sqlite:///{typo}"}),
        (("outbox", "--retry-failed"), {"DATABASE_URL": f"sqlite:///{typo}"}),
        (("tick",), {}),  # no DATABASE_URL: ./liaison.db
    ):
        result = liaison(*args, cwd=tmp_path, env=env)
        assert result.returncode == 2, result.stderr
        where = typo if env else tmp_path / "liaison.db"
        # Under cron, the .env that sets DATABASE_URL is often in another folder: said so.
        unread = f"(no .env was read: there is none at {tmp_path / '.env'})"
        assert result.stderr.startswith(f"liaison: there is no database at {where} {unread}: set ")
        assert "migrate" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_tick_years_away_from_now_is_said_first(tmp_path: Path, fake_slack: FakeSlack) -> None:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'liaison.db'}",
        # A tick asks Slack about the token first.
        "SLACK_BOT_TOKEN": fake_slack.bot_token,
        "SLACK_API_BASE_URL": fake_slack.base_url,
    }
    assert liaison("migrate", cwd=tmp_path, env=env).returncode == 0
    result = liaison("tick", "--at", "2020-01-01T00:00", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("liaison: warning: --at 2020-01-01 00:00 UTC is ")
    assert "days before now" in result.stderr
    assert result.stdout.startswith("tick at 2020-01-01T00:00:00+00:00: ")


def test_outbox_tells_a_dm_held_for_the_welcome_back_summary_from_one_held_for_time_away(
    slack_runtime: Runtime,
    engine: Engine,
    clock: ManualClock,
    wall: ManualClock,
    client: WebClient,
) -> None:
    serving = Dispatcher(
        engine=engine, clock=clock, lease_clock=wall, client=client, summaries_planned=True
    )
    now = clock.now()
    for user_id, days in ((CHLOE, 1), (DAN, 7)):
        away(engine, user_id, days=days, start=now)
        queue(engine, due_at=now, key=user_id, user=user_id)
    assert serving.run_pass().held == 2
    # Chloe is back, her summary not planned yet: her DM waits for it, not for her return.
    clock.advance(timedelta(days=1))
    assert serving.run_pass().held == 1
    printed: list[str] = []

    list_outbox(slack_runtime, failed=False, limit=10, echo=printed.append)

    goes_out = printed[0].index("goes out")
    keys = {row(engine, key).id: key for key in (CHLOE, DAN)}
    by_key = {keys[int(line.split()[0])]: line[goes_out:].split("  ")[0] for line in printed[1:]}
    summary_planned = clock.now() + SUMMARY_WAIT
    assert by_key == {
        CHLOE: f"{summary_planned:%Y-%m-%d %H:%M:%S}Z (held: welcome-back summary first)",
        DAN: f"{now + timedelta(days=7):%Y-%m-%d %H:%M:%S}Z (held: away)",
    }


def test_outbox_says_when_a_dm_held_for_time_away_reaches_its_person(
    slack_runtime: Runtime, engine: Engine, clock: ManualClock, dispatcher: Dispatcher
) -> None:
    """QA: a DM held for time away showed as going out when the time away ends, 00:00 on a
    Saturday, where it reaches its person on Monday morning; one that expires before they are
    back read as if it would go too."""
    now = clock.now()  # Wednesday 09:00 in London
    set_zones(engine, [(DAN, "Europe/London")], at=now)
    friday_midnight = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)
    go_away(
        engine,
        team_id=TEAM,
        user_id=DAN,
        starts_at=now,
        ends_at=friday_midnight,
        deputy_id=None,
        now=now,
    )
    queue(engine, due_at=now, key="team", user=DAN, working_hours=True)
    expires = now + timedelta(days=2)
    queue(engine, due_at=now, key="checkin", user=DAN, working_hours=True, expires_at=expires)
    assert dispatcher.run_pass().held == 2
    printed: list[str] = []

    list_outbox(slack_runtime, failed=False, limit=10, echo=printed.append)

    goes_out = printed[0].index("goes out")
    keys = {row(engine, key).id: key for key in ("team", "checkin")}
    by_key = {keys[int(line.split()[0])]: line[goes_out:].split("  ")[0] for line in printed[1:]}
    monday = next_send_time(friday_midnight, tz="Europe/London", key=DAN)
    assert monday.date() == datetime(2026, 11, 30).date() and monday.hour == 9
    assert by_key == {
        "team": f"{monday:%Y-%m-%d %H:%M:%S}Z (held: away)",
        "checkin": f"— (held: away; expires {expires:%Y-%m-%d %H:%M:%S}Z, before they are back)",
    }
