"""When people may be messaged: their zone, the workspace's days and hours, a spread start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from bot.delivery.dispatcher import (
    ZONE_LOOKUPS,
    ZONE_RETRY,
    ZONE_RETRY_CAP,
    ZONE_WAIT,
    Dispatcher,
)
from bot.delivery.working_hours import (
    DEFAULT_HOURS,
    SPREAD,
    WorkingHours,
    next_send_time,
    parse_days,
    spread_offset,
)
from bot.sandbox.fake_slack import FakeSlack
from storage.models import UserProfile, Workspace, ZoneLookupFailure
from tests.bot.delivery.conftest import BEN, CHLOE, TEAM, delivered, queue, row, set_zones

SUNDAY_3AM = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
WEDNESDAY_3AM = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
MONDAY_9AM_TOKYO = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
MONDAY_9AM_NEW_YORK = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)


def test_inside_the_window_a_message_goes_at_once() -> None:
    # 12:00 on a Wednesday in Tokyo.
    assert next_send_time(WEDNESDAY_3AM, tz="Asia/Tokyo", key="k") == WEDNESDAY_3AM


def test_outside_the_window_it_waits_for_the_next_working_morning() -> None:
    tokyo = next_send_time(SUNDAY_3AM, tz="Asia/Tokyo", key="k")  # Sunday noon there
    new_york = next_send_time(SUNDAY_3AM, tz="America/New_York", key="k")  # Saturday 22:00
    assert MONDAY_9AM_TOKYO <= tokyo < MONDAY_9AM_TOKYO + SPREAD
    assert MONDAY_9AM_NEW_YORK <= new_york < MONDAY_9AM_NEW_YORK + SPREAD
    # New York's Tuesday-night 22:00 waits for Wednesday 09:00 EST.
    wednesday = next_send_time(WEDNESDAY_3AM, tz="America/New_York", key="k")
    assert datetime(2026, 11, 25, 14, 0, tzinfo=UTC) <= wednesday


def test_the_end_of_the_day_is_outside_the_window() -> None:
    five_pm_berlin = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
    thursday = next_send_time(five_pm_berlin, tz="Europe/Berlin", key="k")
    assert thursday.date() == datetime(2026, 11, 26).date()
    assert thursday.astimezone(UTC).hour == 8  # 09:00 CET


def test_a_planners_next_working_morning_is_spread_a_moment_chosen_inside_is_not() -> None:
    nine_in_new_york = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    # Due at 09:00:00 for now, or after a delay that ends then: it goes then.
    assert next_send_time(nine_in_new_york, tz="America/New_York", key="k") == nine_in_new_york
    morning = {
        key: next_send_time(nine_in_new_york, tz="America/New_York", key=key, at_opening=True)
        for key in (BEN, CHLOE, "U0DAN", "U0ANA")
    }
    # "The next working morning": spread by person, as one due in the night before is.
    assert morning == {
        key: next_send_time(WEDNESDAY_3AM, tz="America/New_York", key=key) for key in morning
    }
    assert all(nine_in_new_york <= slot < nine_in_new_york + SPREAD for slot in morning.values())
    assert len(set(morning.values())) == len(morning)
    # Only the window's very start: a moment after it is one chosen inside the window.
    later = nine_in_new_york + timedelta(seconds=1)
    assert next_send_time(later, tz="America/New_York", key="k", at_opening=True) == later


def test_the_spread_is_deterministic_and_inside_the_first_minutes() -> None:
    offsets = {spread_offset(f"checkin:{n}") for n in range(200)}
    assert all(timedelta(0) <= offset < SPREAD for offset in offsets)
    assert len(offsets) > 100  # spread out, not one burst
    assert spread_offset("checkin:1") == spread_offset("checkin:1")


def test_daylight_saving_time_is_respected() -> None:
    # New York leaves DST on Sunday 1 November 2026: Monday 09:00 is 14:00 UTC, not 13:00.
    saturday_evening = datetime(2026, 10, 31, 23, 0, tzinfo=UTC)
    monday = next_send_time(saturday_evening, tz="America/New_York", key="k", spread=timedelta(0))
    assert monday == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)


def test_workspace_days_and_hours() -> None:
    workspace = Workspace(
        team_id=TEAM,
        work_days="sun-thu",
        work_start_hour=8,
        work_end_hour=16,
        created_at=SUNDAY_3AM,
    )
    hours = WorkingHours.of(workspace)
    assert hours == WorkingHours(days=frozenset({6, 0, 1, 2, 3}), start_hour=8, end_hour=16)
    sunday_9am = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    assert next_send_time(sunday_9am, tz="UTC", hours=hours, key="k") == sunday_9am


def test_nonsense_settings_fall_back_to_the_defaults() -> None:
    broken = Workspace(
        team_id=TEAM, work_days="", work_start_hour=18, work_end_hour=9, created_at=SUNDAY_3AM
    )
    assert WorkingHours.of(broken) == DEFAULT_HOURS
    assert WorkingHours.of(None) == DEFAULT_HOURS
    assert next_send_time(WEDNESDAY_3AM, tz="Not/AZone", key="k") > WEDNESDAY_3AM  # as UTC


def test_round_the_clock_windows() -> None:
    always = WorkingHours(days=frozenset(range(7)), start_hour=0, end_hour=24)
    assert next_send_time(SUNDAY_3AM, tz="Asia/Tokyo", hours=always, key="k") == SUNDAY_3AM


def test_parse_days() -> None:
    assert parse_days("mon,tue,wed,thu,fri") == frozenset(range(5))
    assert parse_days("mon-fri") == frozenset(range(5))
    assert parse_days("fri-mon") == frozenset({4, 5, 6, 0})
    assert parse_days("Monday, sat, nonsense") == frozenset({0, 5})


def test_tokyo_and_new_york_each_get_a_3am_utc_message_at_their_own_9am(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    clock.set(SUNDAY_3AM)
    set_zones(engine, [(CHLOE, "Asia/Tokyo"), (BEN, "America/New_York")], at=SUNDAY_3AM)
    queue(engine, due_at=SUNDAY_3AM, key="chloe", user=CHLOE, working_hours=True)
    queue(engine, due_at=SUNDAY_3AM, key="ben", user=BEN, working_hours=True)
    queue(engine, due_at=SUNDAY_3AM, key="alert", channel="C0PARTNERS", working_hours=True)

    dispatcher.run_pass()
    assert delivered(fake_slack) == {"alert": 1}  # channel alerts go at once

    clock.set(MONDAY_9AM_TOKYO + SPREAD)
    dispatcher.run_pass()
    assert delivered(fake_slack) == {"alert": 1, "chloe": 1}
    sent_at = row(engine, "chloe").sent_at
    assert sent_at is not None and MONDAY_9AM_TOKYO <= sent_at

    clock.set(MONDAY_9AM_NEW_YORK + SPREAD)
    dispatcher.run_pass()
    assert delivered(fake_slack) == {"alert": 1, "chloe": 1, "ben": 1}


def test_the_slot_is_rechecked_when_the_zone_changes_after_enqueueing(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    clock.set(WEDNESDAY_3AM)  # noon in Tokyo, 03:00 in London
    set_zones(engine, [(CHLOE, "Asia/Tokyo")], at=WEDNESDAY_3AM)
    queue(engine, due_at=WEDNESDAY_3AM, key="m", user=CHLOE, working_hours=True)
    set_zones(engine, [(CHLOE, "Europe/London")], at=WEDNESDAY_3AM)  # she moved

    report = dispatcher.run_pass()

    assert (report.sent, report.deferred) == (0, 1)
    waiting = row(engine, "m").available_at
    assert (
        datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
        <= waiting
        < datetime(2026, 11, 25, 9, 15, tzinfo=UTC)
    )


def test_a_person_without_a_cached_profile_uses_the_workspace_zone(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher
) -> None:
    with Session(engine) as session:
        session.add(Workspace(team_id=TEAM, timezone="Asia/Tokyo", created_at=WEDNESDAY_3AM))
        session.commit()
    queue(engine, due_at=WEDNESDAY_3AM, key="m", user="U0NEW", working_hours=True)
    assert row(engine, "m").available_at == WEDNESDAY_3AM  # noon in Tokyo


def test_the_dispatcher_asks_slack_for_the_zone_of_someone_it_never_looked_up(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    clock.set(WEDNESDAY_3AM + timedelta(hours=6))  # 09:00 UTC, 04:00 in New York
    queue(engine, due_at=clock.now(), key="m", user=BEN, working_hours=True)
    assert row(engine, "m").available_at == clock.now()  # queued on a guess: UTC

    report = dispatcher.run_pass()

    assert (report.sent, report.deferred) == (0, 1)
    assert [call.params["user"] for call in fake_slack.calls_to("users.info")] == [BEN]
    with Session(engine) as session:
        profile = session.get(UserProfile, (TEAM, BEN))
    assert profile is not None and profile.tz == "America/New_York"
    nine_in_new_york = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    assert nine_in_new_york <= row(engine, "m").available_at < nine_in_new_york + SPREAD
    clock.set(nine_in_new_york + SPREAD)
    dispatcher.run_pass()
    assert delivered(fake_slack) == {"m": 1}
    assert len(fake_slack.calls_to("users.info")) == 1  # known from then on


def test_while_slack_is_rate_limited_the_dm_waits_for_the_zone_not_a_guess(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    clock.set(WEDNESDAY_3AM + timedelta(hours=6))  # 09:00 UTC, 04:00 in New York
    queue(engine, due_at=clock.now(), key="m", user=BEN, working_hours=True)
    fake_slack.fail_next("users.info", status=429, retry_after=30)

    report = dispatcher.run_pass()

    assert (report.sent, report.deferred) == (0, 1)
    waiting = row(engine, "m")
    assert waiting.available_at == clock.now() + timedelta(seconds=30)  # Retry-After
    assert waiting.last_error == "time zone unknown: users.info: ratelimited"
    assert waiting.attempts == 0  # no send was tried
    clock.advance(timedelta(seconds=30))
    assert dispatcher.run_pass().deferred == 1  # Slack answers: New York's morning
    nine_in_new_york = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    assert nine_in_new_york <= row(engine, "m").available_at < nine_in_new_york + SPREAD
    with Session(engine) as session:
        assert session.exec(select(ZoneLookupFailure)).all() == []  # answered: forgotten
    clock.set(nine_in_new_york + SPREAD)
    dispatcher.run_pass()
    assert delivered(fake_slack) == {"m": 1}


def test_after_errors_the_zone_is_asked_again_later_and_later(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    clock.set(WEDNESDAY_3AM + timedelta(hours=6))
    queue(engine, due_at=clock.now(), key="m", user=BEN, working_hours=True)
    fake_slack.fail_next("users.info", status=503, times=3)
    waits = []
    for _ in range(3):
        before = clock.now()
        assert dispatcher.run_pass().deferred == 1
        waits.append(row(engine, "m").available_at - before)
        clock.set(row(engine, "m").available_at)
    assert waits == [ZONE_RETRY, ZONE_RETRY * 2, ZONE_RETRY * 4]
    assert row(engine, "m").last_error == "time zone unknown: users.info: http_503"
    dispatcher.run_pass()
    assert delivered(fake_slack) == {}  # 04:00 in New York: waits for her morning


def test_a_zone_unknown_for_hours_gives_way_to_the_workspace_zone(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    with Session(engine) as session:
        session.add(Workspace(team_id=TEAM, timezone="Europe/Berlin", created_at=WEDNESDAY_3AM))
        session.commit()
    clock.set(WEDNESDAY_3AM + timedelta(hours=6))  # 10:00 in Berlin
    queue(engine, due_at=clock.now(), key="m", user=BEN, working_hours=True)
    fake_slack.fail_next("users.info", status=500, times=1000)
    started = clock.now()
    lookups = 0
    while not delivered(fake_slack):
        dispatcher.run_pass()
        lookups += 1
        if not delivered(fake_slack):  # a sent row's available_at is its lease, on the wall
            clock.set(max(clock.now(), row(engine, "m").available_at))
    assert lookups >= ZONE_LOOKUPS
    sent_at = row(engine, "m").sent_at
    assert sent_at is not None and ZONE_WAIT <= sent_at - started < ZONE_WAIT + ZONE_RETRY_CAP
    # Until Slack answers, their next DMs go on the workspace's zone at once.
    queue(engine, due_at=clock.now(), key="n", user=BEN, working_hours=True)
    assert dispatcher.run_pass().sent == 1


def test_when_slack_will_not_tell_the_workspace_zone_stands(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    clock.set(WEDNESDAY_3AM + timedelta(hours=6))
    queue(engine, due_at=clock.now(), key="m", user=BEN, working_hours=True)
    fake_slack.fail_next("users.info", error="missing_scope")  # asking again will not help
    assert dispatcher.run_pass().sent == 1
    assert delivered(fake_slack) == {"m": 1}


def test_someone_slack_knows_no_zone_of_is_messaged_in_the_workspace_zone(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    with Session(engine) as session:
        session.add(Workspace(team_id=TEAM, timezone="Asia/Tokyo", created_at=WEDNESDAY_3AM))
        session.commit()
    fake_slack.add_user(id="U0NOZONE", name="nozone", tz="")
    clock.set(WEDNESDAY_3AM)  # noon in Tokyo, 03:00 UTC
    queue(engine, due_at=clock.now(), key="m", user="U0NOZONE", working_hours=True)
    assert dispatcher.run_pass().sent == 1
    with Session(engine) as session:
        profile = session.get(UserProfile, (TEAM, "U0NOZONE"))
    assert profile is not None and profile.tz == ""


def test_people_with_a_cached_zone_are_not_looked_up_again(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    clock.set(WEDNESDAY_3AM)
    set_zones(engine, [(CHLOE, "Asia/Tokyo")], at=WEDNESDAY_3AM - timedelta(days=30))
    queue(engine, due_at=WEDNESDAY_3AM, key="m", user=CHLOE, working_hours=True)
    queue(engine, due_at=WEDNESDAY_3AM, key="c", channel="C0PARTNERS")
    queue(engine, due_at=WEDNESDAY_3AM, key="any-time", user=BEN)  # not bound to working hours
    assert dispatcher.run_pass().sent == 3
    assert fake_slack.calls_to("users.info") == []
