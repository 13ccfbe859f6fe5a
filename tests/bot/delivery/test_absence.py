"""Absences: who covers owner alerts, DMs held while away, and `/partner away` / `back`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.clock import ManualClock
from bot.delivery.absence import (
    OWNER_LEFT_UNCOVERED,
    SUM_UP_WITHIN,
    WELCOME_BACK,
    Period,
    Return,
    absence_when_reached,
    come_back,
    go_away,
    is_away,
    mark_summed_up,
    next_return,
    recipient_for_owner_alert,
    returns_to_sum_up,
    sum_up,
    workspaces_with_returns,
)
from bot.delivery.dispatcher import Dispatcher
from bot.sandbox.fake_slack import FakeSlack
from storage.models import Absence, OutboxMessage
from storage.people import get_profile
from tests.bot.delivery.conftest import ANA, BEN, CHLOE, DAN, TEAM, delivered, queue, row, set_zones
from tests.conftest import Slack

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def away(
    engine: Engine, user: str, *, days: int = 7, deputy: str | None = None, start: datetime = NOW
) -> None:
    go_away(
        engine,
        team_id=TEAM,
        user_id=user,
        starts_at=start,
        ends_at=start + timedelta(days=days),
        deputy_id=deputy,
        now=NOW,
    )


def owner_alert_to(engine: Engine, partner_deputy: str | None, *, now: datetime = NOW) -> str:
    with Session(engine) as session:
        return recipient_for_owner_alert(
            session, team_id=TEAM, owner_id=ANA, partner_deputy_id=partner_deputy, now=now
        )


def test_an_owner_who_is_present_gets_their_alerts(engine: Engine) -> None:
    away(engine, ANA, start=NOW + timedelta(days=1))  # planned, not yet begun
    assert owner_alert_to(engine, BEN) == ANA


def test_the_partners_deputy_covers_first_then_the_absences_deputy(engine: Engine) -> None:
    away(engine, ANA, deputy=DAN)
    assert owner_alert_to(engine, BEN) == BEN
    assert owner_alert_to(engine, None) == DAN
    away(engine, BEN)
    assert owner_alert_to(engine, BEN) == DAN


def test_with_everyone_away_the_owner_keeps_the_alert(engine: Engine) -> None:
    away(engine, ANA, deputy=DAN)
    away(engine, DAN)
    assert owner_alert_to(engine, None) == ANA
    assert owner_alert_to(engine, ANA) == ANA  # the owner is not their own deputy


# Friday 27 Nov, 18:00 in London: after hours; the next working morning is Monday's.
FRIDAY_EVENING = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 30, tzinfo=UTC)


def test_an_owner_off_duty_now_and_away_by_their_next_morning_is_covered(engine: Engine) -> None:
    set_zones(engine, [(user, "Europe/London") for user in (ANA, BEN, DAN)], at=NOW)
    away(engine, ANA, days=5, start=MONDAY, deputy=DAN)
    # Present now, but a DM would wait for Monday 09:00 and then for her return.
    assert owner_alert_to(engine, BEN, now=FRIDAY_EVENING) == BEN
    assert owner_alert_to(engine, None, now=FRIDAY_EVENING) == DAN
    # A deputy present now but away by the morning their DM would reach them cannot cover.
    away(engine, BEN, days=1, start=MONDAY)
    assert owner_alert_to(engine, BEN, now=FRIDAY_EVENING) == DAN
    away(engine, DAN, days=1, start=MONDAY)
    # QA20b BUG 2: both away on Monday only, the partner's deputy has it once back (Tuesday),
    # well before her.
    assert owner_alert_to(engine, BEN, now=FRIDAY_EVENING) == BEN
    away(engine, BEN, days=5, start=MONDAY)
    assert owner_alert_to(engine, BEN, now=FRIDAY_EVENING) == DAN  # back first, on Tuesday
    away(engine, DAN, days=5, start=MONDAY)
    assert owner_alert_to(engine, BEN, now=FRIDAY_EVENING) == ANA  # waits for her return


def test_a_cover_away_at_the_start_covers_once_back_before_the_owner(engine: Engine) -> None:
    """QA20b BUG 2: Dan, away Monday and Tuesday, covers Ana's Monday-to-Friday from Wednesday;
    his DM waits for his return instead of hers."""
    set_zones(engine, [(user, "Europe/London") for user in (ANA, BEN, DAN)], at=NOW)
    away(engine, ANA, days=5, start=MONDAY, deputy=DAN)
    away(engine, DAN, days=2, start=MONDAY)
    assert owner_alert_to(engine, None, now=MONDAY + timedelta(hours=10)) == DAN
    # Back only once she is, he is passed over.
    away(engine, DAN, days=5, start=MONDAY)
    assert owner_alert_to(engine, None, now=MONDAY + timedelta(hours=10)) == ANA


def test_an_owner_away_now_but_back_by_their_next_morning_keeps_their_alerts(
    engine: Engine,
) -> None:
    set_zones(engine, [(ANA, "Europe/London"), (BEN, "Europe/London")], at=NOW)
    away(engine, ANA, days=3, start=MONDAY - timedelta(days=3), deputy=BEN)  # Fri–Sun
    assert owner_alert_to(engine, BEN, now=FRIDAY_EVENING) == ANA


def test_a_covering_deputy_is_judged_at_their_own_next_morning(engine: Engine) -> None:
    # Ben in New York: at 18:00 in London it is 13:00 for him, inside his hours.
    set_zones(engine, [(ANA, "Europe/London"), (BEN, "America/New_York")], at=NOW)
    away(engine, ANA, days=5, start=MONDAY)
    assert owner_alert_to(engine, BEN, now=FRIDAY_EVENING) == BEN
    # Away from Friday 14:00 in New York: the DM reaches him before, so he still covers.
    away(engine, BEN, days=4, start=FRIDAY_EVENING + timedelta(hours=1))
    assert owner_alert_to(engine, BEN, now=FRIDAY_EVENING) == BEN
    with Session(engine) as session:
        assert absence_when_reached(session, team_id=TEAM, user_id=BEN, now=FRIDAY_EVENING) is None


def test_a_cover_whose_dm_would_arrive_after_the_owners_return_leaves_it_to_the_owner(
    engine: Engine,
) -> None:
    # Ana (London) is away until Tuesday 00:00; on Monday at 16:30 her DM would wait for that.
    # Chloe's next morning in Tokyo, Tuesday 09:0x, is 00:0x UTC: Ana is back by then.
    set_zones(engine, [(ANA, "Europe/London"), (CHLOE, "Asia/Tokyo")], at=NOW)
    away(engine, ANA, days=1, start=MONDAY)
    monday_evening = MONDAY + timedelta(hours=16, minutes=30)
    assert owner_alert_to(engine, CHLOE, now=monday_evening) == ANA
    # Away a day longer, she is still away when it would reach Chloe: Chloe covers.
    away(engine, ANA, days=2, start=MONDAY)
    assert owner_alert_to(engine, CHLOE, now=monday_evening) == CHLOE


def test_is_away_covers_the_period_and_nothing_else(engine: Engine) -> None:
    away(engine, ANA, days=2)
    with Session(engine) as session:
        assert is_away(session, team_id=TEAM, user_id=ANA, at=NOW)
        assert not is_away(session, team_id=TEAM, user_id=ANA, at=NOW + timedelta(days=2))
        assert not is_away(session, team_id=TEAM, user_id=ANA, at=NOW - timedelta(seconds=1))
        assert not is_away(session, team_id="T0OTHER", user_id=ANA, at=NOW)


def test_a_new_absence_wins_where_it_overlaps_earlier_ones(engine: Engine) -> None:
    away(engine, ANA, days=3)
    away(engine, ANA, days=10, start=NOW + timedelta(days=20))
    away(engine, ANA, days=2, start=NOW + timedelta(days=40))
    away(engine, ANA, days=4, start=NOW + timedelta(days=1))  # the first one's last two days
    away(engine, ANA, days=1, start=NOW + timedelta(days=24))  # inside the second one
    away(engine, ANA, days=3, start=NOW + timedelta(days=39))  # all of the third one
    with Session(engine) as session:
        spans = sorted((a.starts_at - NOW, a.ends_at - NOW) for a in session.exec(select(Absence)))
    day = timedelta(days=1)
    assert spans == [
        (0 * day, 1 * day),  # what the one from day 1 left of the first
        (1 * day, 5 * day),
        (20 * day, 24 * day),  # the second, split around day 24
        (24 * day, 25 * day),
        (25 * day, 30 * day),
        (39 * day, 42 * day),  # the third is gone
    ]


def test_dms_wait_while_away_and_go_out_when_back(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    away(engine, CHLOE, days=7)
    queue(engine, due_at=NOW, key="checkin", user=CHLOE, kind="checkin")
    queue(engine, due_at=NOW, key="alert", channel="C0PARTNERS")

    report = dispatcher.run_pass()

    assert (report.sent, report.held) == (1, 1)
    held = row(engine, "checkin")
    assert held.held and held.available_at == NOW + timedelta(days=7)

    clock.advance(timedelta(days=2))
    come_back(engine, team_id=TEAM, user_id=CHLOE, now=clock.now())
    assert dispatcher.run_pass().sent == 1
    assert delivered(fake_slack) == {"alert": 1, "checkin": 1}


def test_a_held_dm_is_sent_when_the_absence_ends(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    away(engine, CHLOE, days=1)
    queue(engine, due_at=NOW, key="survey", user=CHLOE)
    dispatcher.run_pass()

    clock.advance(timedelta(days=1))
    assert dispatcher.run_pass().sent == 1
    assert delivered(fake_slack) == {"survey": 1}


def test_where_summaries_are_planned_dms_to_someone_back_wait_for_theirs(
    engine: Engine,
    clock: ManualClock,
    wall: ManualClock,
    client: WebClient,
    fake_slack: FakeSlack,
) -> None:
    serving = Dispatcher(
        engine=engine, clock=clock, lease_clock=wall, client=client, summaries_planned=True
    )
    away(engine, CHLOE, days=1)
    away(engine, DAN, days=1)
    queue(engine, due_at=NOW, key="survey", user=CHLOE)
    queue(engine, due_at=NOW, key="checkin", user=DAN)
    queue(engine, due_at=NOW, key="alert", channel="C0PARTNERS")
    assert serving.run_pass().held == 2

    clock.advance(timedelta(days=1))
    queue(engine, due_at=clock.now(), key="welcome", user=CHLOE, kind=WELCOME_BACK)
    with Session(engine) as session:  # Dan's summary planned: nothing to say
        mark_summed_up(session, team_id=TEAM, user_id=DAN, now=clock.now())
        session.commit()
    report = serving.run_pass()
    assert (report.sent, report.held) == (2, 1)
    assert [m.text for m in fake_slack.dm_messages(CHLOE)] == ["message welcome"]
    with Session(engine) as session:
        mark_summed_up(session, team_id=TEAM, user_id=CHLOE, now=clock.now())
        session.commit()
    clock.advance(timedelta(minutes=1))
    assert serving.run_pass().sent == 1
    assert delivered(fake_slack) == {"alert": 1, "checkin": 1, "welcome": 1, "survey": 1}


def test_messages_held_past_the_night_go_together_in_the_order_they_were_queued(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    set_zones(engine, [(CHLOE, "Europe/London")], at=NOW)
    # Away from 09:00 until 22:00 in London: released at night.
    go_away(
        engine,
        team_id=TEAM,
        user_id=CHLOE,
        starts_at=NOW,
        ends_at=NOW + timedelta(hours=13),
        deputy_id=None,
        now=NOW,
    )
    keys = ["survey:invite", *(f"survey:{n}" for n in range(1, 5)), "checkin"]
    for key in keys:
        queue(engine, due_at=NOW, key=key, user=CHLOE, working_hours=True)
    assert dispatcher.run_pass().held == len(keys)

    clock.advance(timedelta(hours=13))
    assert dispatcher.run_pass().deferred == len(keys)
    assert len({row(engine, key).available_at for key in keys}) == 1  # her slot, one for all
    clock.advance(timedelta(hours=12))
    assert dispatcher.run_pass().sent == len(keys)
    assert [m.text for m in fake_slack.dm_messages(CHLOE)] == [f"message {key}" for key in keys]


def test_a_held_dm_that_expires_first_is_cancelled(
    engine: Engine, clock: ManualClock, dispatcher: Dispatcher, fake_slack: FakeSlack
) -> None:
    away(engine, CHLOE, days=7)
    queue(engine, due_at=NOW, key="checkin", user=CHLOE, expires_at=NOW + timedelta(days=3))

    dispatcher.run_pass()
    assert row(engine, "checkin").available_at == NOW + timedelta(days=3)
    clock.advance(timedelta(days=3))
    assert dispatcher.run_pass().cancelled == 1
    assert row(engine, "checkin").status == "cancelled"
    assert delivered(fake_slack) == {}


def test_back_releases_only_held_messages(engine: Engine, clock: ManualClock) -> None:
    queue(engine, due_at=NOW + timedelta(days=30), key="reminder", user=CHLOE)
    result = come_back(engine, team_id=TEAM, user_id=CHLOE, now=NOW)
    assert (result.ended, result.planned, result.released) == (None, (), 0)
    assert row(engine, "reminder").available_at == NOW + timedelta(days=30)


# --- the verbs, through the real app ---------------------------------------------------------


def shown(slack: Slack, user: str = ANA) -> str:
    return "\n".join(m.text + json.dumps(m.blocks) for m in slack.ephemerals_to(user))


def absences(engine: Engine) -> list[Absence]:
    with Session(engine) as session:
        return list(session.exec(select(Absence).order_by(col(Absence.starts_at))))


def test_away_records_the_days_in_the_callers_zone(slack: Slack, engine: Engine) -> None:
    set_zones(engine, [(ANA, "Europe/Berlin"), (DAN, "Europe/London")], at=NOW)

    delivery = slack.command("away 2026-12-21 to 2027-01-04 deputy <@U0DAN|dan>")

    assert delivery.status == 200
    (absence,) = absences(engine)
    assert absence.starts_at == datetime(2026, 12, 20, 23, 0, tzinfo=UTC)  # 00:00 in Berlin
    assert absence.ends_at == datetime(2027, 1, 4, 23, 0, tzinfo=UTC)  # the end of 4 January
    assert absence.deputy_id == DAN
    text = shown(slack)
    assert "You're away from *Mon 21 Dec* to *Mon 4 Jan 2027* (Europe/Berlin)" in text
    # She owns no partner nor commitment: the deputy is promised nothing to take.
    assert "surveys wait for you. Type `/partner away cancel` to call it off." in text
    # Answered in the ack; after it, the deputy's profile is refreshed (are they a colleague).
    assert [call.method for call in slack.fake.calls] == ["auth.test", "users.info"]
    assert slack.fake.calls[-1].params.get("user") == DAN


def test_away_naming_a_deputy_never_seen_asks_slack_for_their_zone_first(
    slack: Slack, engine: Engine
) -> None:
    """What waits for the caller may be handed to the deputy as the time away is booked: timed
    in the deputy's own zone, not in a guess."""
    set_zones(engine, [(ANA, "Europe/Berlin")], at=NOW)

    slack.command("away 2026-12-21 to 2027-01-04 deputy <@U0DAN|dan>")

    (absence,) = absences(engine)
    assert absence.deputy_id == DAN
    assert "You're away from *Mon 21 Dec* to *Mon 4 Jan 2027* (Europe/Berlin)" in shown(slack)
    # The deputy is asked about once, before the answer replaces the ack's.
    assert [call.method for call in slack.fake.calls] == ["auth.test", "users.info", "response_url"]
    assert slack.fake.calls[1].params.get("user") == DAN


def test_away_with_everyday_words(slack: Slack, engine: Engine, clock: ManualClock) -> None:
    set_zones(engine, [(ANA, "UTC")], at=NOW)
    slack.command("away from today to friday")
    (absence,) = absences(engine)
    assert absence.starts_at == datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
    assert absence.ends_at == datetime(2026, 11, 28, 0, 0, tzinfo=UTC)
    with Session(engine) as session:
        assert is_away(session, team_id=TEAM, user_id=ANA, at=clock.now())


def test_away_now_starts_this_minute_and_a_time_alone_ends_it_that_day(
    slack: Slack, engine: Engine
) -> None:
    """New-user QA: `away now to 17:00` could not read `now`."""
    set_zones(engine, [(ANA, "Europe/Berlin")], at=NOW)
    slack.command("away now to 17:00")
    (absence,) = absences(engine)
    assert absence.starts_at == NOW  # 10:00 in Berlin
    assert absence.ends_at == datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
    text = shown(slack)
    assert "You're away on *Wed 25 Nov* from *10:00* to *17:00* (Europe/Berlin)" in text
    assert "can't start in the past" not in text and "`/partner back` to end it early" in text
    slack.command("away now")  # a moment alone is no whole day
    assert "`now to 17:00`" in shown(slack)
    assert len(absences(engine)) == 1


def test_away_now_to_a_time_with_a_space_before_pm_ends_it_that_day(
    slack: Slack, engine: Engine
) -> None:
    """`away now to 5 pm` was refused as "I can't read '2026-11-25 5 pm' as a date"."""
    set_zones(engine, [(ANA, "Europe/Berlin")], at=NOW)
    slack.command("away now to 5 pm")
    (absence,) = absences(engine)
    assert absence.ends_at == datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
    assert "to *17:00* (Europe/Berlin)" in shown(slack)


def test_away_that_began_before_today_counts_from_today(slack: Slack, engine: Engine) -> None:
    set_zones(engine, [(ANA, "UTC")], at=NOW)
    slack.command("away last monday to friday")
    (absence,) = absences(engine)
    assert absence.starts_at == datetime(2026, 11, 25, 0, 0, tzinfo=UTC)  # today, not Monday
    assert absence.ends_at == datetime(2026, 11, 28, 0, 0, tzinfo=UTC)
    assert shown(slack).startswith("Time away can't start in the past, so I've counted yours")


def test_away_over_a_weekend_reads_the_last_day_after_the_first(
    slack: Slack, engine: Engine
) -> None:
    set_zones(engine, [(ANA, "UTC")], at=NOW)  # Wednesday 25 Nov
    slack.command("away friday to monday")
    (absence,) = absences(engine)
    assert absence.starts_at == datetime(2026, 11, 27, 0, 0, tzinfo=UTC)
    assert absence.ends_at == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # through Mon 30 Nov
    slack.command("away friday to wednesday")  # today is Wednesday: next week's
    (absence,) = absences(engine)
    assert absence.ends_at == datetime(2026, 12, 3, 0, 0, tzinfo=UTC)


def test_away_names_the_times_away_it_replaces_or_shortens(slack: Slack, engine: Engine) -> None:
    set_zones(engine, [(ANA, "UTC")], at=NOW)  # Wednesday 25 Nov
    slack.command("away 2026-11-30 to 2026-12-04")
    slack.command("away 2026-12-10 to 2026-12-11")
    slack.command("away 2026-12-20 to 2026-12-31")

    delivery = slack.command("away 2026-12-02 to 2026-12-10")

    said = delivery.body.replace("\\n", "\n")
    assert (
        "Your time away from *Mon 30 Nov* to *Fri 4 Dec* overlapped it; it now stays "
        "from *Mon 30 Nov* to *Tue 1 Dec* only." in said
    )
    assert (
        "Your time away from *Thu 10 Dec* to *Fri 11 Dec* overlapped it; it now stays on "
        "*Fri 11 Dec* only." in said
    )
    assert [(a.starts_at.day, a.ends_at.day) for a in absences(engine)] == [
        (30, 2),
        (2, 11),
        (11, 12),
        (20, 1),
    ]
    one = slack.command("away 2026-12-19 to 2027-01-02")
    assert "This replaces your time away from *Sun 20 Dec* to *Thu 31 Dec*, which it covers" in (
        one.body
    )


def test_away_from_someone_never_seen_reads_their_zone_from_slack_first(
    slack: Slack, engine: Engine
) -> None:
    delivery = slack.command("away 2026-12-21 to 2027-01-04")
    assert delivery.status == 200
    assert "Reading those dates in your time zone" in delivery.body
    slack.runtime.drain()
    (absence,) = absences(engine)
    assert absence.starts_at == datetime(2026, 12, 20, 23, 0, tzinfo=UTC)  # 00:00 in Berlin
    assert "(Europe/Berlin)" in shown(slack)


def test_the_absences_deputy_is_looked_up_to_be_messaged_in_their_own_hours(
    slack: Slack, engine: Engine
) -> None:
    set_zones(engine, [(ANA, "Europe/Berlin")], at=NOW)
    slack.command("away 2026-12-21 to 2027-01-04 deputy <@U0CHLOE|chloe>")
    slack.runtime.drain()
    with Session(engine) as session:
        deputy = get_profile(session=session, team_id=TEAM, user_id=CHLOE)
    assert deputy is not None and deputy.tz == "Asia/Tokyo"


def test_a_deputy_who_is_no_colleague_is_taken_off_and_the_person_told(
    slack: Slack, engine: Engine
) -> None:
    set_zones(engine, [(ANA, "Europe/Berlin")], at=NOW)
    slack.command("away 2026-12-21 to 2027-01-04 deputy <@U0NOBODY|ghost>")
    slack.runtime.drain()
    (absence,) = absences(engine)
    assert absence.deputy_id is None
    assert "can't cover for you: Slack knows them as no colleague here" in shown(slack)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("away friday 14:00", "joined by `to`"),  # a moment is no day away
        ("away some time soon", "joined by `to`"),
        # A hyphen joins two days only where it can be told from the dates' own (QA NIT).
        ("away 2026-12-01-2026-12-04", "joined by `to`"),
        ("away monday -friday", "joined by `to`"),
        ("away 9-17", "joined by `to`"),  # hours, not days
        ("away mon-frday", "joined by `to`"),
        ("away friday to tuesday 2026-11-01", "does not add up"),  # 1 Nov 2026 is a Sunday
        ("away 2026-12-10 to 2026-12-01", "must end after it starts"),
        ("away 2026-11-01 to 2026-11-02", "already over"),
        ("away today to friday deputy <@U0ANA|ana>", "someone else"),
        # Liaison itself, known from start-up: refused before anything is booked.
        ("away today to friday deputy <@U0LIAISON|liaison>", "can't cover for you myself"),
        ("away today to friday deputy dan", "mention one colleague"),
        ("away today to friday deputy <@U0BEN|ben> <@U0DAN|dan>", "mention one colleague"),
        ("away today to friday deputy", "mention one colleague"),
        ("away 2026-12-01 to 2028-01-01", "at most a year"),
        # A start further ahead than a plan may be is a typo of the year.
        ("away 2099-01-01 to 2099-01-05", "`2099-01-01` (Thu 1 Jan 2099) is more than five"),
        ("away 2099-01-01", "none later than 25 Nov 2031. Did you mean `2027-01-01`?"),
    ],
)
def test_malformed_away_lines_say_what_is_wrong_and_change_nothing(
    slack: Slack, engine: Engine, line: str, problem: str
) -> None:
    slack.command(line)
    text = shown(slack)
    assert problem in text
    assert "/partner away FROM to UNTIL" in text
    assert absences(engine) == []


def test_back_ends_the_absence_and_releases_held_messages(
    slack: Slack, engine: Engine, clock: ManualClock, dispatcher: Dispatcher
) -> None:
    slack.command("away today to friday")
    queue(engine, due_at=clock.now(), key="checkin", user=ANA)
    dispatcher.run_pass()

    slack.command("back")

    assert (
        "Welcome back! Your time away has ended; 1 message that waited for you will arrive "
        "shortly." in shown(slack)
    )
    (absence,) = absences(engine)
    assert absence.ends_at == clock.now()
    assert dispatcher.run_pass().sent == 1


def test_back_after_working_hours_says_when_the_waiting_messages_arrive(
    slack: Slack, engine: Engine, clock: ManualClock, dispatcher: Dispatcher
) -> None:
    set_zones(engine, [(ANA, "Europe/Berlin")], at=NOW)
    slack.command("away today to friday")
    queue(engine, due_at=clock.now(), key="checkin", user=ANA, working_hours=True)
    dispatcher.run_pass()
    clock.set(datetime(2026, 11, 25, 18, 0, tzinfo=UTC))  # 19:00 in Berlin

    delivery = slack.command("back")

    assert (
        "1 message that waited for you will arrive in your working hours, from Thu 26 Nov 09:"
        in delivery.body
    )
    assert dispatcher.run_pass().sent == 0
    clock.set(datetime(2026, 11, 26, 8, 15, tzinfo=UTC))  # 09:15 in Berlin
    assert dispatcher.run_pass().sent == 1


def test_away_names_the_partners_it_leaves_without_cover(slack: Slack, engine: Engine) -> None:
    set_zones(engine, [(ANA, "UTC"), (BEN, "UTC")], at=NOW)
    slack.command("add Oxfam")
    slack.command("add MSF")
    slack.command("deputy MSF <@U0DAN|dan>")

    said = slack.command("away 2026-12-07 to 2026-12-11").body
    assert "alerts about partners you own go to each partner's deputy." in said
    assert (
        "*Oxfam* has no deputy, so its alerts wait for you too: set one with "
        "`/partner deputy Oxfam @colleague`, or name someone to cover your time away with "
        "`/partner away 2026-12-07 to 2026-12-11 deputy @colleague`." in said
    )
    # Named for the time away, the deputy covers them all.
    said = slack.command("away 2026-12-07 to 2026-12-11 deputy <@U0BEN|ben>").body
    assert "each partner's deputy, or else <@U0BEN>." in said and "no deputy" not in said
    # Someone who owns no partner hears nothing about partners' alerts of their own; named to
    # cover Ana's time away, Ben hears that he leaves it (QA).
    said = slack.command("away 2026-12-07 to 2026-12-11", user=BEN).body
    own, _, covering = said.partition(" You cover for <@U0ANA>, who is away from *Mon 7 Dec*")
    assert "partner" not in own.replace("/partner", "") and covering


def test_back_while_not_away_changes_nothing_and_shows_what_is_planned(
    slack: Slack, engine: Engine
) -> None:
    slack.command("back")
    assert "You're not marked away, and no time away is planned." in shown(slack)

    set_zones(engine, [(BEN, "UTC")], at=NOW)
    slack.command("away 2026-12-21 to 2026-12-24", user=BEN)
    # Booked over part of the first, the second shortens it: each is time away of its own.
    slack.command("away 2026-12-23 to 2026-12-28", user=BEN)
    slack.command("away 2027-01-11 to 2027-01-12", user=BEN)
    slack.command("back", user=BEN)
    assert (
        "You're not marked away, so nothing changed. Your time away from *Mon 21 Dec* to "
        "*Tue 22 Dec* and from *Wed 23 Dec* to *Mon 28 Dec* and from *Mon 11 Jan 2027* to "
        "*Tue 12 Jan 2027* is still planned. To cancel the first, type `/partner away cancel`."
        in shown(slack, BEN)
    )
    assert len(absences(engine)) == 3


def test_away_cancel_cancels_the_next_time_away_booked_and_says_what_is_left(
    slack: Slack, engine: Engine
) -> None:
    set_zones(engine, [(BEN, "UTC")], at=NOW)
    slack.command("away cancel", user=BEN)
    assert "You have no time away planned, so there is nothing to cancel." in shown(slack, BEN)

    slack.command("away 2026-12-21 to 2026-12-24", user=BEN)
    slack.command("away 2026-12-23 to 2026-12-28", user=BEN)
    slack.command("away 2027-01-11 to 2027-01-12", user=BEN)
    slack.command("away cancel", user=BEN)
    # What is left of the first booking, the days the second did not take over.
    assert (
        "I cancelled your time away from *Mon 21 Dec* to *Tue 22 Dec*. Your time away from "
        "*Wed 23 Dec* to *Mon 28 Dec* and from *Mon 11 Jan 2027* to *Tue 12 Jan 2027* is still "
        "planned; `/partner away cancel` again cancels the next." in shown(slack, BEN)
    )
    slack.command("away cancel", user=BEN)
    assert (
        "I cancelled your time away from *Wed 23 Dec* to *Mon 28 Dec*. Your time away from "
        "*Mon 11 Jan 2027* to *Tue 12 Jan 2027* is still planned; `/partner away cancel` again "
        "cancels it." in shown(slack, BEN)
    )
    (left,) = absences(engine)
    assert left.starts_at.date().isoformat() == "2027-01-11"

    # Time away already begun is ended by `back`, not cancelled.
    slack.command("away cancel", user=BEN)
    slack.command("away today to friday", user=BEN)
    slack.command("away cancel", user=BEN)
    assert (
        "You're away now, through *Fri 27 Nov*, with no time away planned after it; "
        "`/partner back` ends this one." in shown(slack, BEN)
    )
    assert len(absences(engine)) == 1
    # Away now with more booked: the booking goes, the time away one is in stands.
    slack.command("away 2027-01-11 to 2027-01-12", user=BEN)
    slack.command("away cancel", user=BEN)
    assert (
        "I cancelled your time away from *Mon 11 Jan 2027* to *Tue 12 Jan 2027*. The time away "
        "you're in now, through *Fri 27 Nov*, stands; `/partner back` ends it." in shown(slack, BEN)
    )
    assert len(absences(engine)) == 1


def test_away_one_day_is_that_whole_day(slack: Slack, engine: Engine) -> None:
    set_zones(engine, [(BEN, "Europe/Berlin")], at=NOW)
    slack.command("away friday deputy <@U0DAN|dan>", user=BEN)
    assert "You're away on *Fri 27 Nov* (Europe/Berlin)." in shown(slack, BEN)
    (absence,) = absences(engine)
    assert (absence.starts_at, absence.ends_at, absence.deputy_id) == (
        datetime(2026, 11, 26, 23, 0, tzinfo=UTC),
        datetime(2026, 11, 27, 23, 0, tzinfo=UTC),
        DAN,
    )


# --- Time away that is over, summed up once ----------------------------------------------------


def returns(engine: Engine, now: datetime, team_id: str = TEAM) -> list[Return]:
    with Session(engine) as session:
        return returns_to_sum_up(session, team_id=team_id, now=now)


def test_someone_back_is_summed_up_at_their_first_working_moment(engine: Engine) -> None:
    set_zones(engine, [(ANA, "Europe/London")], at=NOW)
    away(engine, ANA, days=3, start=MONDAY - timedelta(days=5))  # Wed 25 to Sat 28 Nov, 00:00
    saturday = MONDAY - timedelta(days=2)
    assert returns(engine, saturday - timedelta(minutes=1)) == []  # still away
    assert returns(engine, saturday) == []  # back, but off duty until Monday morning
    back_at = MONDAY.replace(hour=9) + timedelta(minutes=20)  # past any spread of the window
    (found,) = returns(engine, back_at)
    assert found == Return(ANA, Period(MONDAY - timedelta(days=5), saturday))
    assert returns(engine, back_at, team_id="T0OTHER") == []  # another workspace's people
    assert workspaces_with_returns(engine, now=back_at) == [TEAM]
    with Session(engine) as session:
        assert sum_up(session, team_id=TEAM, user_id=ANA, now=back_at) == found.away
        session.commit()
    assert returns(engine, back_at) == [] and workspaces_with_returns(engine, now=back_at) == []


def test_pieces_of_one_time_away_come_back_as_one(engine: Engine) -> None:
    away(engine, ANA, days=7, start=NOW)  # Wed 25 Nov to Wed 2 Dec
    away(engine, ANA, days=1, start=NOW + timedelta(days=2), deputy=DAN)  # Friday: split
    back_at = NOW + timedelta(days=8)  # Thursday 3 Dec, 09:00 UTC
    (found,) = returns(engine, back_at)
    assert found.away == Period(NOW, NOW + timedelta(days=7))


def test_someone_away_again_is_summed_up_once_back_from_that_too(engine: Engine) -> None:
    away(engine, ANA, days=1, start=NOW)  # Wednesday
    away(engine, ANA, days=1, start=NOW + timedelta(days=2))  # Friday
    assert returns(engine, NOW + timedelta(days=2, hours=1)) == []  # away on Friday
    (found,) = returns(engine, NOW + timedelta(days=5, hours=1))  # Monday 30 Nov, 10:00 UTC
    assert found.away == Period(NOW, NOW + timedelta(days=3))


def test_time_away_over_long_ago_is_let_go(engine: Engine) -> None:
    away(engine, ANA, days=1, start=NOW)
    assert returns(engine, NOW + timedelta(days=1) + SUM_UP_WITHIN) == []
    assert next_return(engine, after=NOW + timedelta(days=1) + SUM_UP_WITHIN) is None


def test_the_next_return_is_the_first_working_moment_after_time_away(engine: Engine) -> None:
    set_zones(engine, [(ANA, "Europe/London")], at=NOW)
    away(engine, ANA, days=3, start=MONDAY - timedelta(days=5))  # back Saturday, at work Monday
    found = next_return(engine, after=NOW)
    assert found is not None and MONDAY.replace(hour=9) <= found < MONDAY.replace(hour=10)


def test_back_sums_up_its_time_away_and_leaves_nothing_to_send(engine: Engine) -> None:
    away(engine, ANA, days=3, start=NOW - timedelta(days=1))
    result = come_back(engine, team_id=TEAM, user_id=ANA, now=NOW)
    assert result.summed_up == Period(NOW - timedelta(days=1), NOW)
    assert returns(engine, NOW + timedelta(days=1)) == []
    with Session(engine) as session:
        (absence,) = session.exec(select(Absence)).all()
    assert absence.summed_up_at == NOW


def test_a_deputy_away_during_the_owners_time_away_queues_one_dm_to_the_owner(
    slack: Slack, engine: Engine
) -> None:
    """QA: the deputy was told whom they leave uncovered, the owner never was: one DM per
    stretch of days, in the same transaction as the booking, however often it is booked."""
    set_zones(engine, [(ANA, "UTC"), (DAN, "UTC")], at=NOW)
    slack.command("add Oxfam")
    slack.command("add MSF")
    slack.command("deputy Oxfam <@U0DAN|dan>")
    slack.command("deputy MSF <@U0DAN|dan>")
    slack.command("away 2026-12-07 to 2026-12-11")
    for _ in range(2):
        slack.command("away 2026-12-10 to 2026-12-14", user=DAN)
    with Session(engine) as session:
        rows = session.exec(
            select(OutboxMessage).where(OutboxMessage.kind == OWNER_LEFT_UNCOVERED)
        ).all()
    (told,) = rows
    assert told.recipient_user == ANA
    assert "will be away from *Thu 10 Dec* to *Fri 11 Dec*, while you're away too" in told.text
    assert "nobody covers *MSF* and *Oxfam* then, and their alerts wait" in told.text
    assert "`/partner deputy NAME @colleague`" in told.text
    assert "`/partner away 2026-12-07 to 2026-12-11 deputy @colleague`" in told.text
