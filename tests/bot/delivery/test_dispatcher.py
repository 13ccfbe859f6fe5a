"""The dispatcher against the fake Slack over HTTP: sends, retries, failures, leases, threads."""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import ManualClock
from bot.config import Settings
from bot.delivery.dispatcher import (
    ON_CHANNEL_REFUSED,
    RETRY_AFTER_CAP,
    ChannelRefused,
    Dispatcher,
    DispatchPolicy,
    delivery_client,
)
from bot.sandbox.fake_slack import FakeSlack
from storage import outbox as store
from storage.models import OutboxStatus
from tests.bot.delivery.conftest import ANA, BEN, CHANNEL, TEAM, delivered, queue, row
from tests.conftest import START


def test_channel_messages_and_dms_are_sent_and_recorded(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    now = clock.now()
    queue(engine, due_at=now, key="alert", channel=CHANNEL)
    queue(engine, due_at=now, key="dm-1", user=ANA)
    queue(engine, due_at=now, key="dm-2", user=ANA)

    report = dispatcher.run_pass()

    assert report.sent == 3
    assert delivered(fake_slack) == {"alert": 1, "dm-1": 1, "dm-2": 1}
    # The DM is opened once at send time and remembered.
    assert len(fake_slack.calls_to("conversations.open")) == 1
    sent = row(engine, "dm-1")
    assert (sent.status, sent.sent_channel, sent.attempts) == ("sent", "D0ANA", 1)
    assert fake_slack.find_message("D0ANA", sent.sent_ts or "") is not None
    assert row(engine, "alert").sent_channel == CHANNEL


def test_a_messages_text_goes_to_slack_escaped_and_stays_readable_in_the_outbox(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    typed = "<@U0BEN> noted “<!here> budget <5k & R&D >2k”"
    queue(engine, due_at=clock.now(), key="note", channel=CHANNEL, text=typed)

    dispatcher.run_pass()

    (sent,) = fake_slack.messages_in(CHANNEL)
    assert sent.text == "<@U0BEN> noted “@\u2060here budget &lt;5k &amp; R&amp;D &gt;2k”"
    assert row(engine, "note").text == typed


def test_nothing_is_sent_before_it_is_due(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    queue(engine, due_at=clock.now() + timedelta(hours=1), key="later", channel=CHANNEL)

    assert dispatcher.run_pass().sent == 0
    clock.advance(timedelta(hours=1))
    assert dispatcher.run_pass().sent == 1
    assert dispatcher.run_pass().sent == 0
    assert delivered(fake_slack) == {"later": 1}


def test_rate_limit_waits_retry_after_and_delivers_each_message_once(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    for n in range(5):
        queue(engine, due_at=clock.now(), key=f"m{n}", channel=CHANNEL)
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=30)

    first = dispatcher.run_pass()

    # One request hit the limit; the rest of the workspace's batch waits without asking again.
    assert (first.sent, first.rate_limited, first.released) == (0, 1, 4)
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    clock.advance(timedelta(seconds=29))
    assert dispatcher.run_pass().sent == 0
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    clock.advance(timedelta(seconds=1))
    assert dispatcher.run_pass().sent == 5
    assert delivered(fake_slack) == {f"m{n}": 1 for n in range(5)}
    assert row(engine, "m0").attempts == 1  # a 429 is not held against the message


def _http_date(at: datetime) -> str:
    return format_datetime(at, usegmt=True)


@pytest.mark.parametrize(
    ("header", "wait"),
    [
        # An HTTP date (RFC 9110 allows one), read against the dispatcher's clock.
        pytest.param(lambda now: _http_date(now + timedelta(minutes=2)), 120, id="http-date"),
        # Beyond any rate limit: a garbled header does not pause the workspace for days.
        pytest.param(lambda now: "86400000", 15 * 60, id="1000-days"),
        pytest.param(lambda now: _http_date(now + timedelta(days=30)), 15 * 60, id="far-date"),
        pytest.param(lambda now: _http_date(now - timedelta(hours=1)), 1, id="past-date"),
        pytest.param(lambda now: "soon", 1, id="unreadable"),
    ],
)
def test_a_rate_limits_retry_after_is_read_as_seconds_or_a_date_within_bounds(
    engine: Engine,
    clock: ManualClock,
    dispatcher: Dispatcher,
    fake_slack: FakeSlack,
    header: Callable[[datetime], str],
    wait: int,
) -> None:
    assert RETRY_AFTER_CAP == timedelta(minutes=15)
    queue(engine, due_at=clock.now(), key="m", channel=CHANNEL)
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=header(clock.now()))

    assert dispatcher.run_pass().rate_limited == 1
    waiting = row(engine, "m")
    assert waiting.available_at == clock.now() + timedelta(seconds=wait)
    assert waiting.last_error == f"chat.postMessage: rate limited for {wait} s"
    clock.advance(timedelta(seconds=wait - 1))
    assert dispatcher.run_pass().sent == 0
    clock.advance(timedelta(seconds=1))
    assert dispatcher.run_pass().sent == 1
    assert delivered(fake_slack) == {"m": 1}


def test_server_errors_retry_with_backoff_and_deliver_once(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    for n in range(3):
        queue(engine, due_at=clock.now(), key=f"m{n}", channel=CHANNEL)
    fake_slack.fail_next("chat.postMessage", status=500, times=2)

    report = dispatcher.run_pass()
    assert report.retried == 1
    failed_once = row(engine, "m0")
    assert failed_once.status == "pending"
    assert failed_once.last_error == "chat.postMessage: http_500"
    # Backoff after the first failure: between 1 and 2 seconds (2 s with equal jitter).
    wait = failed_once.available_at - clock.now()
    assert timedelta(seconds=1) <= wait <= timedelta(seconds=2)

    for _ in range(20):
        clock.advance(timedelta(seconds=5))
        dispatcher.run_pass()
    assert delivered(fake_slack) == {"m0": 1, "m1": 1, "m2": 1}
    assert sum(r.attempts for r in (row(engine, f"m{n}") for n in range(3))) == 5


def test_network_errors_are_retried(engine: Engine, clock: ManualClock) -> None:
    unreachable = WebClient(token="xoxb-x", base_url="http://127.0.0.1:9/api/", retry_handlers=[])
    queue(engine, due_at=clock.now(), key="m", channel=CHANNEL)

    report = Dispatcher(engine=engine, clock=clock, client=unreachable).run_pass()

    assert report.retried == 1
    stored = row(engine, "m")
    assert stored.status == "pending" and stored.attempts == 1
    assert "URLError" in (stored.last_error or "")


def test_a_refused_token_pauses_the_workspace_and_loses_nothing(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    for n in range(3):
        queue(engine, due_at=clock.now(), key=f"m{n}", channel=CHANNEL)
    fake_slack.fail_next("chat.postMessage", error="invalid_auth")

    report = dispatcher.run_pass()

    # One attempt met the refused token; the workspace's other messages were not tried.
    assert (report.retried, report.failed, report.sent) == (1, 0, 0)
    assert row(engine, "m0").last_error == "chat.postMessage: invalid_auth"
    assert {row(engine, f"m{n}").status for n in range(3)} == {"pending"}
    clock.advance(timedelta(seconds=30))
    assert dispatcher.run_pass().sent == 0  # still paused
    clock.advance(timedelta(minutes=1))
    dispatcher.run_pass()
    assert delivered(fake_slack) == {"m0": 1, "m1": 1, "m2": 1}


@pytest.fixture
def refusals() -> Iterator[list[ChannelRefused]]:
    """A kind `refusable` whose channel refusals are collected, the first one raising, the
    others queued elsewhere."""
    seen: list[ChannelRefused] = []

    def handle(refused: ChannelRefused) -> bool:
        seen.append(refused)
        if len(seen) == 1:
            raise RuntimeError("the kind's handler broke")
        return True

    ON_CHANNEL_REFUSED["refusable"] = handle
    yield seen
    del ON_CHANNEL_REFUSED["refusable"]


def test_a_channel_refusal_goes_to_its_kinds_handler_which_cannot_stop_the_pass(
    engine: Engine,
    clock: ManualClock,
    dispatcher: Dispatcher,
    fake_slack: FakeSlack,
    refusals: list[ChannelRefused],
) -> None:
    fake_slack.add_channel(id="C0OLD", name="old", is_archived=True)
    queue(engine, due_at=clock.now(), key="gone", channel="C0NOWHERE", kind="refusable")
    queue(engine, due_at=clock.now(), key="archived", channel="C0OLD", kind="refusable")
    queue(engine, due_at=clock.now(), key="other kind", channel="C0OLD")
    queue(engine, due_at=clock.now(), key="ok", channel=CHANNEL, kind="refusable")

    report = dispatcher.run_pass()

    assert (report.sent, report.failed, report.rerouted) == (1, 2, 1)
    assert [r.message.dedupe_key for r in refusals] == ["gone", "archived"]
    assert refusals[1].reason == "chat.postMessage: is_archived"
    assert row(engine, "gone").status == "failed"  # the handler that raised changed nothing
    # Queued elsewhere: no failure, though its channel refused it, and said why.
    archived = row(engine, "archived")
    assert (archived.status, archived.last_error) == ("rerouted", "chat.postMessage: is_archived")
    with Session(engine) as session:
        failed = store.failed_deliveries(session=session, team_id=TEAM, limit=10)
    assert sorted(f.id for f in failed) == [row(engine, "gone").id, row(engine, "other kind").id]


def test_a_permanent_error_fails_one_row_and_not_the_others(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    queue(engine, due_at=clock.now(), key="ok-1", channel=CHANNEL)
    queue(engine, due_at=clock.now(), key="gone", channel="C0NOWHERE")
    queue(engine, due_at=clock.now(), key="ok-2", user=BEN)
    fake_slack.add_channel(id="C0OLD", name="old", is_archived=True)
    queue(engine, due_at=clock.now(), key="archived", channel="C0OLD")

    report = dispatcher.run_pass()

    assert (report.sent, report.failed) == (2, 2)
    assert delivered(fake_slack) == {"ok-1": 1, "ok-2": 1}
    gone = row(engine, "gone")
    assert (gone.status, gone.last_error) == ("failed", "chat.postMessage: channel_not_found")
    assert row(engine, "archived").last_error == "chat.postMessage: is_archived"
    # A failed row is not tried again.
    clock.advance(timedelta(hours=1))
    assert dispatcher.run_pass().sent == 0
    with Session(engine) as session:
        failed = store.failed_deliveries(session=session, team_id=TEAM, limit=10)
        other_team = store.failed_deliveries(session=session, team_id="T0OTHER", limit=10)
    assert {f.recipient for f in failed} == {"C0NOWHERE", "C0OLD"}
    assert other_team == []


def test_a_dm_to_someone_who_left_fails_at_conversations_open(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    fake_slack.fail_next("conversations.open", error="user_not_found")
    queue(engine, due_at=clock.now(), key="dm", user="U0GONE")

    assert dispatcher.run_pass().failed == 1
    assert row(engine, "dm").last_error == "conversations.open: user_not_found"
    assert fake_slack.calls_to("chat.postMessage") == []


def test_a_batch_to_new_people_opens_each_dm_once_and_one_refusal_fails_only_its_row(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    people = [f"U0NEW{n}" for n in range(6)]
    for user in people:
        fake_slack.add_user(id=user, name=user.lower())
    for n in range(12):
        queue(engine, due_at=clock.now(), key=f"dm-{n}", user=people[n % 6])
    queue(engine, due_at=clock.now(), key="dm-gone", user="U0GONE")

    report = dispatcher.run_pass()

    assert (report.sent, report.failed) == (12, 1)
    assert delivered(fake_slack) == {f"dm-{n}": 1 for n in range(12)}
    # Opened ahead of the sends, once per person; the unknown person was asked twice (ahead,
    # then by the message's own send, which recorded the refusal).
    opened = [call.params["users"] for call in fake_slack.calls_to("conversations.open")]
    assert sorted(opened) == sorted([*people, "U0GONE", "U0GONE"])
    assert row(engine, "dm-gone").last_error == "conversations.open: user_not_found"
    assert {row(engine, f"dm-{n}").sent_channel for n in range(6)} == {
        fake_slack.im_channel(user).id for user in people
    }


def test_retries_give_up_after_the_policys_span_with_the_reason(
    engine: Engine, clock: ManualClock, client: WebClient, fake_slack: FakeSlack
) -> None:
    policy = DispatchPolicy(give_up_after=timedelta(minutes=2))
    dispatcher = Dispatcher(engine=engine, clock=clock, client=client, policy=policy)
    queue(engine, due_at=clock.now(), key="m", channel=CHANNEL)
    fake_slack.fail_next("chat.postMessage", status=503, times=10)

    for _ in range(5):
        dispatcher.run_pass()
        clock.advance(timedelta(minutes=1))

    # Tries at 0, 1 and 2 minutes; the next would come after the span: the row fails.
    stored = row(engine, "m")
    assert (stored.status, stored.attempts) == ("failed", 3)
    assert stored.last_error == "gave up after 3 attempts over 2 min: chat.postMessage: http_503"
    assert len(fake_slack.calls_to("chat.postMessage")) == 3


def test_an_outage_of_half_an_hour_loses_nothing(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    for n in range(5):
        queue(engine, due_at=clock.now(), key=f"alert{n}", channel=CHANNEL)
    queue(engine, due_at=clock.now(), key="dm", user=ANA)
    fake_slack.fail_next("chat.postMessage", status=503, times=100_000)
    fake_slack.fail_next("conversations.open", status=503, times=100_000)

    back = clock.now() + timedelta(minutes=30)
    while clock.now() < back:
        dispatcher.run_pass()
        clock.advance(timedelta(seconds=10))
    assert {row(engine, key).status for key in ("alert0", "dm")} == {"pending"}
    fake_slack.stop_failing("chat.postMessage")
    fake_slack.stop_failing("conversations.open")
    # Backoff is capped at 10 minutes: each is tried again within that.
    for _ in range(61):
        dispatcher.run_pass()
        clock.advance(timedelta(seconds=10))

    assert delivered(fake_slack) == {**{f"alert{n}": 1 for n in range(5)}, "dm": 1}


def test_a_message_with_an_expiry_is_retried_until_then_and_fails_with_the_reason(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    expires_at = clock.now() + timedelta(hours=2)
    queue(engine, due_at=clock.now(), key="m", channel=CHANNEL, expires_at=expires_at)
    fake_slack.fail_next("chat.postMessage", error="service_unavailable", times=100_000)

    while clock.now() < expires_at + timedelta(minutes=30):
        dispatcher.run_pass()
        clock.advance(timedelta(seconds=30))

    # Failed with Slack's reason for admins to see, not cancelled as if it had been late.
    stored = row(engine, "m")
    assert stored.status == "failed" and stored.attempts > 10
    assert stored.last_error is not None
    assert re.fullmatch(
        r"gave up after \d+ attempts over 1 h \d+ min: chat.postMessage: service_unavailable",
        stored.last_error,
    )
    assert len(fake_slack.calls_to("chat.postMessage")) == stored.attempts


def test_a_row_left_sending_by_a_crash_is_taken_again_after_its_lease_on_the_wall_clock(
    engine: Engine,
    clock: ManualClock,
    wall: ManualClock,
    dispatcher: Dispatcher,
    fake_slack: FakeSlack,
) -> None:
    queue(engine, due_at=clock.now(), key="m", channel=CHANNEL)
    with Session(engine) as session:  # a process claims the row, then dies
        store.claim_due(
            session=session,
            now=clock.now(),
            lease_now=wall.now(),
            lease_until=wall.now() + timedelta(minutes=2),
            token="dead",
            limit=10,
        )
        session.commit()

    assert dispatcher.run_pass().sent == 0
    # Acting a month later (`liaison tick --at`) does not end a lease: the wall clock does.
    clock.advance(timedelta(days=30))
    assert dispatcher.run_pass().sent == 0
    wall.advance(timedelta(minutes=2))
    assert dispatcher.run_pass().sent == 1
    assert delivered(fake_slack) == {"m": 1}


def test_a_dispatcher_acting_ahead_leaves_no_row_behind_for_the_wall_clock(
    engine: Engine,
    clock: ManualClock,
    wall: ManualClock,
    client: WebClient,
    dispatcher: Dispatcher,
    fake_slack: FakeSlack,
) -> None:
    for n in range(3):
        queue(engine, due_at=clock.now(), key=f"m{n}", channel=CHANNEL)
    queue(engine, due_at=clock.now() + timedelta(days=7), key="next-week", channel=CHANNEL)
    ahead = Dispatcher(
        engine=engine,
        clock=ManualClock(clock.now() + timedelta(days=30)),
        lease_clock=wall,
        client=client,
    )
    # `liaison tick --at` a month ahead is stopped as its first message is accepted.
    fake_slack.add_listener(lambda _message: ahead.stop())

    report = ahead.run_pass()

    assert (report.sent, report.released) == (1, 3)
    # What it handed back is due when it was, not a month from now: the wall-clock
    # dispatcher sends what is due today at once, and next week's message next week.
    assert dispatcher.run_pass().sent == 2
    assert row(engine, "next-week").available_at == clock.now() + timedelta(days=7)
    assert delivered(fake_slack) == {"m0": 1, "m1": 1, "m2": 1}


def test_stop_releases_claimed_rows_unsent(
    engine: Engine, clock: ManualClock, client: WebClient, fake_slack: FakeSlack
) -> None:
    for n in range(3):
        queue(engine, due_at=clock.now(), key=f"m{n}", channel=CHANNEL)
    dispatcher = Dispatcher(engine=engine, clock=clock, client=client)
    # Stop as the first message is accepted: it is recorded, the other two are handed back.
    fake_slack.add_listener(lambda _message: dispatcher.stop())

    report = dispatcher.run_pass()

    assert (report.sent, report.released) == (1, 2)
    assert [row(engine, f"m{n}").status for n in range(3)] == ["sent", "pending", "pending"]
    assert row(engine, "m1").claim_token is None


def test_a_reply_threads_onto_the_earlier_message_once_it_is_sent(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    queue(engine, due_at=clock.now() + timedelta(minutes=5), key="root", channel=CHANNEL)
    queue(engine, due_at=clock.now(), key="reply", channel=CHANNEL, thread_of_dedupe_key="root")

    assert dispatcher.run_pass().deferred == 1  # the reply waits for its root
    clock.advance(timedelta(minutes=5))
    dispatcher.run_pass()
    clock.advance(timedelta(seconds=5))
    dispatcher.run_pass()

    root, reply = row(engine, "root"), row(engine, "reply")
    assert root.status == reply.status == "sent"
    posted = fake_slack.find_message(CHANNEL, reply.sent_ts or "")
    assert posted is not None and posted.thread_ts == root.sent_ts


def test_a_reply_whose_root_failed_is_sent_on_its_own(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    queue(engine, due_at=clock.now(), key="root", channel="C0NOWHERE")
    queue(engine, due_at=clock.now(), key="reply", channel=CHANNEL, thread_of_dedupe_key="root")

    dispatcher.run_pass()

    reply = row(engine, "reply")
    assert reply.status == "sent"
    posted = fake_slack.find_message(CHANNEL, reply.sent_ts or "")
    assert posted is not None and posted.thread_ts is None


def test_an_edit_replaces_the_earlier_message_once_it_is_sent(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    queue(engine, due_at=clock.now() + timedelta(minutes=5), key="question", user="U0ANA")
    queue(engine, due_at=clock.now(), key="closed", user="U0ANA", edit_of_dedupe_key="question")

    assert dispatcher.run_pass().deferred == 1  # the edit waits for what it edits
    clock.advance(timedelta(minutes=5))
    dispatcher.run_pass()
    clock.advance(timedelta(seconds=5))
    dispatcher.run_pass()

    question, closed = row(engine, "question"), row(engine, "closed")
    assert question.status == closed.status == "sent"
    assert (closed.sent_channel, closed.sent_ts) == (question.sent_channel, question.sent_ts)
    (shown,) = [m for m in fake_slack.dm_messages("U0ANA") if m.ephemeral_to is None]
    assert shown.text == "message closed"  # the edit's text, in place: nothing new was posted


def test_an_edit_of_a_message_never_sent_is_dropped(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    queue(engine, due_at=clock.now(), key="question", channel="C0NOWHERE")
    queue(engine, due_at=clock.now(), key="closed", channel=CHANNEL, edit_of_dedupe_key="question")
    queue(engine, due_at=clock.now(), key="orphan", channel=CHANNEL, edit_of_dedupe_key="none")

    report = dispatcher.run_pass()

    assert report.cancelled == 2 and report.sent == 0
    assert row(engine, "closed").status == row(engine, "orphan").status == "cancelled"
    assert row(engine, "closed").last_error == "the message it edits was never sent"
    assert fake_slack.messages_in(CHANNEL) == []


def test_an_expired_message_is_cancelled(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    queue(
        engine,
        due_at=clock.now() - timedelta(days=2),
        key="stale",
        channel=CHANNEL,
        expires_at=clock.now() - timedelta(days=1),
    )

    assert dispatcher.run_pass().cancelled == 1
    stored = row(engine, "stale")
    assert (stored.status, stored.last_error) == ("cancelled", "expired before it could be sent")
    assert delivered(fake_slack) == {}


def test_each_send_logs_one_line_without_body_or_token(
    engine: Engine,
    clock: ManualClock,
    dispatcher: Dispatcher,
    fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
) -> None:
    queue(engine, due_at=clock.now(), key="m", user=ANA, text="a confidential body", kind="alert")
    fake_slack.fail_next("chat.postMessage", status=500)

    with caplog.at_level(logging.INFO, logger="bot.delivery.dispatcher"):
        dispatcher.run_pass()
        clock.advance(timedelta(seconds=5))
        dispatcher.run_pass()

    lines = [r.getMessage() for r in caplog.records if r.name == "bot.delivery.dispatcher"]
    assert len(lines) == 2
    assert "kind=alert team=T0ACME recipient=U0ANA" in lines[0]
    assert "attempt=1 outcome=retry latency_ms=" in lines[0]
    assert "attempt=2 outcome=sent latency_ms=" in lines[1]
    assert not any("confidential" in line or fake_slack.bot_token in line for line in lines)


def test_a_dm_to_someone_of_another_organisation_fails_with_a_log_line(
    engine: Engine, dispatcher: Dispatcher, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    # Slack says Jane's account belongs to another workspace: the DM fails unsent, and the
    # log says so as it does for every other failure (before, only the tally counted it).
    fake_slack.add_user(id="U0JANE", name="jane", team_id="T0PARTNER")
    queue(engine, due_at=START, key="m", user="U0JANE", working_hours=True, kind="alert")

    with caplog.at_level(logging.INFO, logger="bot.delivery.dispatcher"):
        assert dispatcher.run_pass().failed == 1

    (line,) = [r for r in caplog.records if r.name == "bot.delivery.dispatcher"]
    assert line.levelno == logging.WARNING
    assert "kind=alert team=T0ACME recipient=U0JANE" in line.getMessage()
    assert "attempt=0 outcome=failed:external-recipient" in line.getMessage()
    stored = row(engine, "m")
    assert (stored.status, stored.attempts) == (OutboxStatus.FAILED, 0)
    assert delivered(fake_slack) == {}


def test_an_accept_without_channel_or_ts_records_no_none_for_a_reply_to_thread_onto(
    engine: Engine, dispatcher: Dispatcher, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Slack answers ok without saying where the message went (it never should; slack_sdk
    # reads None): before, the row was recorded sent at channel "None", ts "None", and the
    # reply was threaded onto "None". Now the channel asked for stands in, and the reply,
    # with no ts to thread onto, stands on its own.
    queue(engine, due_at=START, key="m", channel=CHANNEL)
    queue(engine, due_at=START, key="r", channel=CHANNEL, thread_of_dedupe_key="m")
    monkeypatch.setitem(fake_slack._methods, "chat.postMessage", lambda _params: {})

    assert dispatcher.run_pass().sent == 2

    stored = row(engine, "m")
    assert (stored.status, stored.sent_channel, stored.sent_ts) == (OutboxStatus.SENT, CHANNEL, "")
    _parent, reply = fake_slack.calls_to("chat.postMessage")
    assert reply.params.get("thread_ts") is None


def test_a_send_whose_mark_the_database_refuses_is_logged_and_sent_again_after_its_lease(
    engine: Engine,
    clock: ManualClock,
    wall: ManualClock,
    dispatcher: Dispatcher,
    fake_slack: FakeSlack,
    refuse_marks: Callable[[], None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    queue(engine, due_at=clock.now(), key="m0", channel=CHANNEL)
    queue(engine, due_at=clock.now(), key="m1", channel=CHANNEL)

    with caplog.at_level(logging.INFO, logger="bot.delivery.dispatcher"):
        report = dispatcher.run_pass()

    # Slack has both; neither row could be recorded, and the pass went on after the first.
    assert report.sent == 2 and delivered(fake_slack) == {"m0": 1, "m1": 1}
    lines = [r for r in caplog.records if r.name == "bot.delivery.dispatcher"]
    assert [r.levelno for r in lines] == [logging.ERROR, logging.ERROR]
    assert "outcome=sent-but-not-recorded" in lines[0].getMessage()
    assert lines[0].exc_info is not None and "marks refused" in caplog.text
    assert row(engine, "m0").status == row(engine, "m1").status == OutboxStatus.SENDING

    refuse_marks()  # the database is well again
    wall.advance(timedelta(minutes=2))  # the lease runs out
    assert dispatcher.run_pass().sent == 2
    assert delivered(fake_slack) == {"m0": 2, "m1": 2}  # a duplicate, never a loss
    assert row(engine, "m0").status == OutboxStatus.SENT


def test_the_delivery_client_never_sleeps_on_its_own() -> None:
    assert delivery_client(Settings(slack_bot_token="xoxb-1")).retry_handlers == []


def test_backoff_grows_exponentially_with_jitter_up_to_the_cap() -> None:
    policy = DispatchPolicy(backoff_base=timedelta(seconds=2), backoff_cap=timedelta(minutes=10))
    rng = random.Random(1)
    for attempt, ceiling in ((1, 2), (2, 4), (3, 8), (12, 600)):
        wait = policy.backoff(attempt, rng).total_seconds()
        assert ceiling / 2 <= wait <= ceiling


def test_two_workspaces_rows_keep_their_team(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    queue(engine, due_at=now, key="same-key", channel=CHANNEL)
    queue(engine, due_at=now, key="same-key", channel=CHANNEL, team_id="T0OTHER")

    dispatcher.run_pass()

    assert row(engine, "same-key").status == "sent"
    assert row(engine, "same-key", team_id="T0OTHER").status == OutboxStatus.SENT


def test_one_persons_messages_held_for_the_morning_go_in_the_order_they_were_queued(
    engine: Engine,
) -> None:
    night = datetime(2026, 11, 25, 23, 0, tzinfo=UTC)
    keys = [f"reply:{n}" for n in range(8)]
    for key in keys:
        queue(engine, due_at=night, key=key, user=ANA, working_hours=True)
    slots = [row(engine, key).available_at for key in keys]
    assert len(set(slots)) == 1  # one slot per person: claimed oldest first, so in order
    other = [f"other:{n}" for n in range(8)]
    for n, key in enumerate(other):
        queue(engine, due_at=night, key=key, user=f"U0P{n}", working_hours=True)
    assert len({row(engine, key).available_at for key in other}) > 1  # people still spread
