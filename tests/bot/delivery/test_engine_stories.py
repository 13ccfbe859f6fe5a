"""The delivery engine as a checker meets it: a fake Slack that injects faults, several
workspaces, people in several time zones across a change of daylight saving time, and the
workspace's working days."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from random import Random
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import ManualClock
from bot.delivery.absence import come_back, is_away
from bot.delivery.dispatcher import OPEN_CONCURRENCY, RETRY_AFTER_CAP, Dispatcher
from bot.delivery.operations import list_outbox
from bot.delivery.outbox import Schedule
from bot.delivery.working_days import working_days_later
from bot.delivery.working_hours import SPREAD, WorkingHours, next_send_time
from bot.sandbox.fake_slack import FakeSlack, _Reply
from bot.services.people import LOOKUP_CONCURRENCY
from storage.models import OutboxStatus
from tests.bot.delivery.conftest import BEN, CHANNEL, CHLOE, TEAM, delivered, queue, row, set_zones
from tests.bot.delivery.test_absence import away
from tests.conftest import POSTGRES_URL, START, Slack
from tests.scenarios.test_partners import ANA, answer
from tests.scenarios.test_touchpoints import deliver_outbox

OTHER = "T0OTHER"
TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


# --- faults ------------------------------------------------------------------------------------


def test_a_rate_limit_in_one_workspace_does_not_stall_another(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    for n in range(3):
        queue(engine, due_at=clock.now(), key=f"acme-{n}", channel=CHANNEL)
    for n in range(3):
        queue(engine, due_at=clock.now(), key=f"other-{n}", channel=CHANNEL, team_id=OTHER)
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=60)

    report = dispatcher.run_pass()

    # Acme's first message met the limit and the rest of Acme's batch waits; the other
    # workspace's messages went in the same pass.
    assert (report.rate_limited, report.released, report.sent) == (1, 2, 3)
    assert {row(engine, f"other-{n}", team_id=OTHER).status for n in range(3)} == {"sent"}
    assert {row(engine, f"acme-{n}").status for n in range(3)} == {"pending"}
    assert {row(engine, f"acme-{n}").available_at for n in range(3)} == {
        clock.now() + timedelta(seconds=60)
    }
    clock.advance(timedelta(seconds=60))
    assert dispatcher.run_pass().sent == 3
    posted = fake_slack.calls_to("chat.postMessage")
    assert len(posted) == 7  # one refused, six accepted: nothing asked twice


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_server_error_then_success_delivers_exactly_once(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack, status: int
) -> None:
    queue(engine, due_at=clock.now(), key="dm", user=BEN)
    queue(engine, due_at=clock.now(), key="post", channel=CHANNEL)
    fake_slack.fail_next("chat.postMessage", status=status, times=3)

    for _ in range(30):
        dispatcher.run_pass()
        clock.advance(timedelta(seconds=20))

    assert delivered(fake_slack) == {"dm": 1, "post": 1}
    assert {row(engine, key).status for key in ("dm", "post")} == {OutboxStatus.SENT}
    assert row(engine, "dm").attempts + row(engine, "post").attempts == 5


# Each of Slack's refusals that no retry gets past, how it is met, and the admin's words.
PERMANENT = [
    ("channel_not_found", "chat.postMessage", "channel"),
    ("not_in_channel", "chat.postMessage", "channel"),
    ("is_archived", "chat.postMessage", "channel"),
    ("invalid_blocks", "chat.postMessage", "channel"),
    ("user_not_found", "conversations.open", "user"),
    ("account_inactive", "conversations.open", "user"),
    ("invalid_blocks", "chat.postMessage", "user"),
]


@pytest.mark.parametrize(("code", "method", "to"), PERMANENT)
def test_a_permanent_error_fails_only_its_row_and_admins_see_why(
    slack: Slack, code: str, method: str, to: str
) -> None:
    answer(slack, "list")  # Ana, a Slack admin, is known
    engine = slack.runtime.engine
    # The other message goes elsewhere: a later message through the same channel would settle
    # its refusal (the admins' list shows what is still broken).
    dm, post = (BEN, None), (None, CHANNEL)
    first_to, then_to = (dm, post) if to == "user" else (post, dm)
    for key, (user, channel) in (("refused", first_to), ("fine", then_to)):
        queue(engine, due_at=START, key=key, user=user, channel=channel)
    slack.fake.fail_next(method, error=code)

    deliver_outbox(slack)

    refused = row(engine, "refused")
    assert (refused.status, refused.last_error) == ("failed", f"{method}: {code}")
    assert row(engine, "fine").status == "sent"
    printed: list[str] = []
    list_outbox(slack.runtime, failed=True, limit=10, echo=printed.append)
    assert len(printed) == 2 and f"{method}: {code}" in printed[1], printed
    card = answer(slack, "config")
    assert "*Failed deliveries* (latest 1)" in card
    assert f"{method}: {code}" in card
    assert "Failed deliveries" not in answer(slack, "config", user=CHLOE)


# --- time zones and working days ---------------------------------------------------------------


def local(moment: datetime | None, zone: ZoneInfo) -> datetime:
    assert moment is not None
    return moment.astimezone(zone)


def test_tokyo_and_new_york_due_at_one_instant_each_get_it_in_their_own_hours(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    # Wednesday 25 Nov, 22:00 UTC: 17:00 in New York (just after hours), Thursday 07:00 in Tokyo.
    instant = datetime(2026, 11, 25, 22, 0, tzinfo=UTC)
    clock.set(instant)
    tokyo = [f"U0TOKYO{n}" for n in range(6)]
    york = [f"U0YORK{n}" for n in range(6)]
    set_zones(engine, [(u, "Asia/Tokyo") for u in tokyo], at=instant)
    set_zones(engine, [(u, "America/New_York") for u in york], at=instant)
    for user in [*tokyo, *york]:
        fake_slack.add_user(id=user, name=user.lower())
        queue(engine, due_at=instant, key=user, user=user, working_hours=True)

    assert dispatcher.run_pass().sent == 0
    slots = {user: row(engine, user).available_at for user in [*tokyo, *york]}
    # Spread over the first minutes of each one's window, not one burst at 9:00.
    assert len(set(slots.values())) > 6

    for _ in range(24 * 12):  # a day in steps of five minutes
        clock.advance(timedelta(minutes=5))
        dispatcher.run_pass()
    assert delivered(fake_slack) == dict.fromkeys([*tokyo, *york], 1)
    for users, zone, day in ((tokyo, TOKYO, 26), (york, NEW_YORK, 26)):
        sent = [local(row(engine, user).sent_at, zone) for user in users]
        assert {(s.day, s.hour) for s in sent} == {(day, 9)}, sent
        assert all(s.minute < SPREAD.seconds // 60 + 5 for s in sent)  # a pass every 5 min
        assert all(local(slots[user], zone).minute < SPREAD.seconds // 60 for user in users)


HOURS = WorkingHours.parse("mon-fri", 9, 17)


def first(moment: datetime, tz: str, hours: WorkingHours = HOURS) -> datetime:
    """The start of the next window (the spread left out: `spread=0`)."""
    return next_send_time(moment, tz=tz, hours=hours, key="k", spread=timedelta(0))


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


# Berlin falls back on Sunday 25 Oct 2026 (03:00 CEST becomes 02:00 CET), New York a week later
# on Sunday 1 Nov (02:00 EDT becomes 01:00 EST); in between they are 5 hours apart, not 6.
# Spring: New York on 8 Mar, Berlin on 29 Mar.
DST = [
    ("Berlin, Thursday before", "Europe/Berlin", utc(10, 22, 4), utc(10, 22, 7)),
    ("Berlin, 16:30 CEST Friday", "Europe/Berlin", utc(10, 23, 14, 30), utc(10, 23, 14, 30)),
    ("Berlin, 17:30 CEST Friday", "Europe/Berlin", utc(10, 23, 15, 30), utc(10, 26, 8)),
    ("Berlin, over the change", "Europe/Berlin", utc(10, 23, 18), utc(10, 26, 8)),
    ("Berlin, 17:30 CET Monday", "Europe/Berlin", utc(10, 26, 16, 30), utc(10, 27, 8)),
    ("Berlin, week between", "Europe/Berlin", utc(10, 27, 6), utc(10, 27, 8)),
    ("New York, week between", "America/New_York", utc(10, 27, 6), utc(10, 27, 13)),
    ("New York, over the change", "America/New_York", utc(10, 30, 22), utc(11, 2, 14)),
    ("New York, spring", "America/New_York", utc(3, 6, 23), utc(3, 9, 13)),
    ("Berlin, spring", "Europe/Berlin", utc(3, 27, 17), utc(3, 30, 7)),
]


@pytest.mark.parametrize(("case", "tz", "moment", "expected"), DST, ids=[d[0] for d in DST])
def test_the_next_window_across_a_change_of_daylight_saving_time(
    case: str, tz: str, moment: datetime, expected: datetime
) -> None:
    assert first(moment, tz) == expected, case


def test_a_round_the_clock_window_on_the_night_berlin_falls_back() -> None:
    hours = WorkingHours.parse("mon-sun", 0, 24)
    # 25 Oct has 25 hours in Berlin; every one of them is inside the window.
    for hour in range(24):
        moment = datetime(2026, 10, 24, 22, 0, tzinfo=UTC) + timedelta(hours=hour)
        assert first(moment, "Europe/Berlin", hours) == moment


def test_the_dispatcher_sends_in_the_dst_week_at_each_persons_own_9am(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    friday = datetime(2026, 10, 30, 22, 0, tzinfo=UTC)  # 18:00 in New York, 23:00 in Berlin
    clock.set(friday)
    set_zones(engine, [(BEN, "America/New_York"), (CHLOE, "Europe/Berlin")], at=friday)
    queue(engine, due_at=friday, key="ben", user=BEN, working_hours=True)
    queue(engine, due_at=friday, key="chloe", user=CHLOE, working_hours=True)
    dispatcher.run_pass()

    ben, chloe = row(engine, "ben").available_at, row(engine, "chloe").available_at
    monday = datetime(2026, 11, 2, tzinfo=UTC)
    assert monday + timedelta(hours=14) <= ben < monday + timedelta(hours=14) + SPREAD
    assert monday + timedelta(hours=8) <= chloe < monday + timedelta(hours=8) + SPREAD
    clock.set(monday + timedelta(hours=8) + SPREAD)
    dispatcher.run_pass()
    assert delivered(fake_slack) == {"chloe": 1}
    clock.set(monday + timedelta(hours=14) + SPREAD)
    dispatcher.run_pass()
    assert delivered(fake_slack) == {"chloe": 1, "ben": 1}


@pytest.mark.usefixtures("acme_profiles")
def test_config_days_sun_thu_moves_dms_off_friday_and_onto_sunday(slack: Slack) -> None:
    engine = slack.runtime.engine
    thursday_night = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 21:00 Thursday in New York
    queue(engine, due_at=thursday_night, key="queued before", user=BEN, working_hours=True)
    assert row(engine, "queued before").available_at.astimezone(NEW_YORK).weekday() == 4
    said = answer(slack, "config days sun-thu")
    assert "Sun" in said and "Thu" in said, said
    # What waited for Friday now waits for Sunday, the next working day.
    moved = row(engine, "queued before").available_at.astimezone(NEW_YORK)
    assert (moved.weekday(), moved.hour) == (6, 9)
    friday = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # 10:00 Friday in New York
    sunday = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)  # 10:00 Sunday in New York
    queue(engine, due_at=friday, key="friday", user=BEN, working_hours=True)
    queue(engine, due_at=sunday, key="sunday", user=BEN, working_hours=True)

    waiting = row(engine, "friday").available_at.astimezone(NEW_YORK)
    assert (waiting.weekday(), waiting.hour) == (6, 9)  # Sunday, 9:00
    assert row(engine, "sunday").available_at == sunday  # a working day now: at once


@pytest.fixture
def acme_profiles(slack: Slack) -> None:
    """Ana (admin, Berlin) and Ben (New York) have each typed a command: zones cached."""
    answer(slack, "list")
    answer(slack, "list", user=BEN)
    assert ANA != BEN  # the admin and the colleague


# --- two replicas ------------------------------------------------------------------------------


@pytest.mark.skipif(
    POSTGRES_URL is None,
    reason="replicas share one PostgreSQL (FOR UPDATE SKIP LOCKED); set LIAISON_TEST_DATABASE_URL",
)
def test_two_replicas_under_faults_deliver_every_message_once(
    engine: Engine, clock: ManualClock, wall: ManualClock, client: WebClient, fake_slack: FakeSlack
) -> None:
    people = [f"U0P{n}" for n in range(10)]
    for user in people:
        fake_slack.add_user(id=user, name=user.lower())
    keys = []
    for n in range(120):
        key = f"m{n}"
        keys.append(key)
        if n % 3:
            team_id = (TEAM, OTHER)[n % 2]
            queue(engine, due_at=clock.now(), key=key, channel=CHANNEL, team_id=team_id)
        else:
            queue(engine, due_at=clock.now(), key=key, user=people[n % 10])
    fake_slack.fail_next("chat.postMessage", status=503, times=4)
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=3)
    fake_slack.fail_next("conversations.open", status=500, times=2)
    replicas = [
        Dispatcher(engine=engine, clock=clock, lease_clock=wall, client=client, rng=Random(seed))
        for seed in (1, 2)
    ]

    for _ in range(40):
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(lambda replica: replica.run_pass(), replicas))
        clock.advance(timedelta(seconds=15))

    assert delivered(fake_slack) == dict.fromkeys(keys, 1)


SUN_THU = WorkingHours.parse("sun-thu", 9, 17)


def test_working_days_sun_thu_count_over_friday_and_saturday() -> None:
    schedule = Schedule(tz="Asia/Tokyo", hours=SUN_THU)
    thursday_10 = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo
    counted = working_days_later(thursday_10, 1, schedule=schedule, away=[], key="k")
    assert counted.at.astimezone(TOKYO) == datetime(2026, 11, 29, 10, 0, tzinfo=TOKYO)  # Sunday
    # A Friday is no working day: a message due then waits for Sunday's first minutes.
    friday = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    slot = schedule.first_slot(friday, key="k").astimezone(TOKYO)
    assert (slot.date().isoformat(), slot.hour) == ("2026-11-29", 9)


def test_a_working_day_later_over_the_change_of_time_is_the_same_local_time() -> None:
    berlin = Schedule(tz="Europe/Berlin", hours=HOURS)
    friday_10 = datetime(2026, 10, 23, 8, 0, tzinfo=UTC)  # 10:00 CEST
    counted = working_days_later(friday_10, 1, schedule=berlin, away=[], key="k")
    assert counted.at == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)  # Monday 10:00 CET
    york = Schedule(tz="America/New_York", hours=HOURS)
    friday_10 = datetime(2026, 10, 30, 14, 0, tzinfo=UTC)  # 10:00 EDT
    counted = working_days_later(friday_10, 2, schedule=york, away=[], key="k")
    assert counted.at == datetime(2026, 11, 3, 15, 0, tzinfo=UTC)  # Tuesday 10:00 EST


# --- rate limits met before the send -----------------------------------------------------------


def new_people(fake_slack: FakeSlack, engine: Engine, at: datetime, *, hours: bool) -> list[str]:
    """Twelve colleagues the dispatcher never messaged nor looked up, a DM due to each."""
    people = [f"U0NEW{n:02d}" for n in range(12)]
    for user in people:
        fake_slack.add_user(id=user, name=user.lower())
        queue(engine, due_at=at, key=user, user=user, working_hours=hours)
    return people


# What the dispatcher asks Slack before a DM to someone new, and how many such calls may be in
# flight when the first 429 comes back; then the workspace should wait Retry-After.
ASKED_FIRST = [
    pytest.param("conversations.open", False, OPEN_CONCURRENCY),
    pytest.param("users.info", True, LOOKUP_CONCURRENCY),
]


@pytest.mark.parametrize(("method", "hours", "in_flight"), ASKED_FIRST)
@pytest.mark.parametrize(
    ("header", "wait"),
    [
        pytest.param(lambda now: "30", timedelta(seconds=30), id="seconds"),
        # An HTTP date a month ahead (a wrong clock somewhere): the workspace waits the cap, not
        # a month (before, any date was read as 1 s, and Slack asked again at once).
        pytest.param(
            lambda now: format_datetime(now + timedelta(days=30), usegmt=True),
            RETRY_AFTER_CAP,
            id="far-http-date",
        ),
    ],
)
def test_a_rate_limit_met_before_the_send_is_not_asked_again_before_retry_after(
    engine: Engine,
    clock: ManualClock,
    dispatcher: Dispatcher,
    fake_slack: FakeSlack,
    method: str,
    hours: bool,
    in_flight: int,
    header: Callable[[datetime], str],
    wait: timedelta,
) -> None:
    people = new_people(fake_slack, engine, clock.now(), hours=hours)
    fake_slack.fail_next(method, status=429, retry_after=header(clock.now()), times=1000)

    assert dispatcher.run_pass().sent == 0
    asked = len(fake_slack.calls_to(method))
    assert asked <= in_flight

    fake_slack.stop_failing(method)
    clock.advance(wait - timedelta(seconds=1))
    dispatcher.run_pass()
    assert (len(fake_slack.calls_to(method)), delivered(fake_slack)) == (asked, {})
    clock.advance(timedelta(seconds=1))
    dispatcher.run_pass()
    assert delivered(fake_slack) == dict.fromkeys(people, 1)


def test_a_strange_answer_to_opening_a_dm_ahead_ends_no_pass(
    engine: Engine,
    clock: ManualClock,
    dispatcher: Dispatcher,
    fake_slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Slack answers ok without the channel (it never should): the DMs opened ahead of the
    # sends are given up, and each message's own conversations.open meets it as a send would,
    # so the pass goes on (before, the KeyError ended it, and every later pass the same way).
    people = new_people(fake_slack, engine, clock.now(), hours=False)
    methods = fake_slack._methods
    monkeypatch.setitem(methods, "conversations.open", lambda _params: {})

    report = dispatcher.run_pass()

    assert report.sent == 0
    assert len(fake_slack.calls_to("conversations.open")) > len(people)
    monkeypatch.undo()
    clock.advance(timedelta(minutes=15))
    dispatcher.run_pass()
    assert delivered(fake_slack) == dict.fromkeys(people, 1)


def _no_user(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    """users.info answers ok without the user (Slack never should)."""
    monkeypatch.setitem(fake._methods, "users.info", lambda _params: {})


def _cut_short(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    cut_short(fake, monkeypatch, "users.info")


def cut_short(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch, cut_method: str) -> None:
    """`cut_method`'s answers are cut short: the connection closes before the body announced
    is all there (`http.client.IncompleteRead`, no OSError)."""
    answer = fake._api

    def cut(method: str, params: dict[str, Any], authorization: str | None) -> _Reply:
        reply = answer(method, params, authorization)
        if method != cut_method:
            return reply
        announced = {**reply.headers, "Content-Length": str(len(reply.body) + 50)}
        return _Reply(reply.status, announced, reply.body)

    monkeypatch.setattr(fake, "_api", cut)


@pytest.mark.parametrize("trouble", [_no_user, _cut_short])
def test_a_strange_or_broken_answer_to_a_recipients_lookup_ends_no_pass(
    engine: Engine,
    clock: ManualClock,
    dispatcher: Dispatcher,
    fake_slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    trouble: Callable[[FakeSlack, pytest.MonkeyPatch], None],
) -> None:
    # The recipients' DMs wait for their time zone as when Slack is unreachable, and the pass
    # goes on (before, the error ended it with the whole batch claimed until the lease ran out,
    # and every later pass the same way).
    people = new_people(fake_slack, engine, clock.now(), hours=True)
    queue(engine, due_at=clock.now(), key="alert", channel=CHANNEL)
    trouble(fake_slack, monkeypatch)

    report = dispatcher.run_pass()

    assert (report.sent, report.deferred) == (1, len(people))  # the channel's message went
    assert row(engine, people[0]).last_error == "time zone unknown: users.info: unreachable"
    monkeypatch.undo()
    clock.advance(timedelta(hours=1))
    dispatcher.run_pass()
    assert delivered(fake_slack) == {"alert": 1, **dict.fromkeys(people, 1)}


def test_time_away_in_one_workspace_holds_nothing_in_another(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    away(engine, BEN, days=3)  # in Acme
    queue(engine, due_at=clock.now(), key="dm", user=BEN)
    queue(engine, due_at=clock.now(), key="dm", user=BEN, team_id=OTHER)

    report = dispatcher.run_pass()

    assert (report.sent, report.held) == (1, 1)
    assert row(engine, "dm").held and row(engine, "dm").status == "pending"
    assert row(engine, "dm", team_id=OTHER).status == "sent"
    with Session(engine) as session:
        result = come_back(engine, team_id=OTHER, user_id=BEN, now=clock.now())
        assert (result.ended, result.released) == (None, 0)  # not away there
        assert is_away(session, team_id=TEAM, user_id=BEN, at=clock.now())
