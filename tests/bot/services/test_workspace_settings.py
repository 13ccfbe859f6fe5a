"""Workspace settings: each value read from what people type (and refused with the reason), the
digest's schedule, who may change settings and the admin list, one workspace at a time."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from bot.delivery.working_hours import DAY_NAMES, WorkingHours
from bot.services.feedback import Cadence, Rendered
from bot.services.people import NotInWorkspace, PeopleCheck, PeopleToLookUp
from bot.services.registry import Actor
from bot.services.workspace_settings import (
    ADMIN_NOTE,
    READERS,
    AdminNotes,
    Admins,
    BadSetting,
    Digest,
    NotAnAdmin,
    Problem,
    Setting,
    Values,
    WorkspaceSettings,
    channel_update,
    close_zones,
    day_number,
    digest_schedule,
    old_zone_name,
    read_checkin_delay,
    read_days,
    read_digest,
    read_hours,
    read_timezone,
    setting_named,
)
from storage import workspaces as store
from storage.models import OutboxMessage, OutboxStatus, Workspace
from storage.workspaces import SettingsUpdate
from tests.factories import Colleague, save_colleagues

T1, T2 = "T1", "T2"
ANA, BEN, DAN = "U0ANA", "U0BEN", "U0DAN"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


# --- Reading values -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "typed", "update"),
    [
        (Setting.WINDOW, "21", {"window_days": 21}),
        (Setting.WINDOW, "1 day", {"window_days": 1}),
        (Setting.WINDOW, "90d", {"window_days": 90}),
        (Setting.HOURS, "9-17", {"work_start_hour": 9, "work_end_hour": 17}),
        (Setting.HOURS, "08:00 – 18:00", {"work_start_hour": 8, "work_end_hour": 18}),
        (Setting.HOURS, "0 to 24", {"work_start_hour": 0, "work_end_hour": 24}),
        (Setting.DAYS, "mon-fri", {"work_days": "mon,tue,wed,thu,fri"}),
        (Setting.DAYS, "Mon, Tue, Thu", {"work_days": "mon,tue,thu"}),
        (Setting.DAYS, "sun-thu", {"work_days": "mon,tue,wed,thu,sun"}),
        (Setting.DAYS, "monday - wednesday,fri", {"work_days": "mon,tue,wed,fri"}),
        (Setting.DAYS, "sat", {"work_days": "sat"}),
        (Setting.PULSE, "Quarterly", {"pulse_cadence": "quarterly"}),
        (Setting.PULSE, "off", {"pulse_cadence": "off"}),
        (Setting.CHECKIN_DELAY, "4", {"checkin_delay_hours": 4}),
        (Setting.CHECKIN_DELAY, "0h", {"checkin_delay_hours": 0}),
        (Setting.CHECKIN_DELAY, "168 hours", {"checkin_delay_hours": 168}),
        (Setting.CHECKIN_DELAY, "morning", {"checkin_delay_hours": None}),
        (Setting.ANONYMITY, "2", {"anonymity_threshold": 2}),
        (Setting.ANONYMITY, "20", {"anonymity_threshold": 20}),
        (Setting.DIGEST, "mon 09:00", {"digest_day": "mon", "digest_time": "09:00"}),
        (Setting.DIGEST, "Friday 9:30", {"digest_day": "fri", "digest_time": "09:30"}),
        (Setting.DIGEST, "off", {"digest_day": "off"}),
        (Setting.TIMEZONE, "Europe/Berlin", {"timezone": "Europe/Berlin"}),
        (Setting.TIMEZONE, "america/new_york", {"timezone": "America/New_York"}),
        (Setting.TIMEZONE, "UTC", {"timezone": "UTC"}),
    ],
)
def test_each_setting_reads_what_people_type(
    setting: Setting, typed: str, update: SettingsUpdate
) -> None:
    assert READERS[setting](typed) == update


@pytest.mark.parametrize(
    ("setting", "typed", "problem"),
    [
        (Setting.WINDOW, "0", Problem.OUT_OF_RANGE),
        (Setting.WINDOW, "91", Problem.OUT_OF_RANGE),
        (Setting.WINDOW, "two weeks", Problem.NOT_A_NUMBER),
        (Setting.WINDOW, "3 hours", Problem.NOT_A_NUMBER),
        (Setting.WINDOW, "-3", Problem.OUT_OF_RANGE),
        (Setting.HOURS, "17-9", Problem.HOURS_ORDER),
        (Setting.HOURS, "9-9", Problem.HOURS_ORDER),
        (Setting.HOURS, "9-25", Problem.BAD_HOURS),
        (Setting.HOURS, "9:30-17", Problem.PART_HOURS),
        (Setting.HOURS, "8.30-17", Problem.PART_HOURS),
        (Setting.HOURS, "9:75-17", Problem.BAD_HOURS),
        (Setting.HOURS, "13pm-5pm", Problem.BAD_HOURS),
        (Setting.HOURS, "0am-5am", Problem.BAD_HOURS),
        (Setting.HOURS, "9 or 17", Problem.BAD_HOURS),
        (Setting.HOURS, "9", Problem.BAD_HOURS),
        (Setting.DAYS, "", Problem.BAD_DAYS),
        (Setting.DAYS, "mon-", Problem.BAD_DAYS),
        (Setting.DAYS, "fortnight", Problem.BAD_DAYS),
        (Setting.DAYS, "mo,tu", Problem.BAD_DAYS),
        (Setting.PULSE, "weekly", Problem.BAD_CADENCE),
        (Setting.CHECKIN_DELAY, "169", Problem.OUT_OF_RANGE),
        (Setting.CHECKIN_DELAY, "tomorrow", Problem.NOT_A_NUMBER),
        (Setting.ANONYMITY, "1", Problem.REVEALS_PEOPLE),
        (Setting.ANONYMITY, "0", Problem.REVEALS_PEOPLE),
        (Setting.ANONYMITY, "21", Problem.OUT_OF_RANGE),
        (Setting.ANONYMITY, "3 people", Problem.NOT_A_NUMBER),
        (Setting.DIGEST, "mon", Problem.BAD_DIGEST),
        (Setting.DIGEST, "mon 09:00 utc", Problem.DIGEST_ZONE),
        (Setting.DIGEST, "mon 09:00 mars", Problem.BAD_TIME),
        (Setting.DIGEST, "09:00", Problem.BAD_DIGEST),
        (Setting.DIGEST, "mon fri 09:00", Problem.BAD_DIGEST),
        (Setting.DIGEST, "mon 09:00 fri", Problem.BAD_DIGEST),
        (Setting.DIGEST, "someday 09:00", Problem.BAD_DIGEST),
        (Setting.DIGEST, "mon 24:00", Problem.BAD_TIME),
        (Setting.DIGEST, "mon 13pm", Problem.BAD_TIME),
        (Setting.DIGEST, "mon 0am", Problem.BAD_TIME),
        (Setting.DIGEST, "mon 16:60", Problem.BAD_TIME),
        (Setting.WINDOW, "2 months", Problem.NOT_A_NUMBER),
        (Setting.WINDOW, "13 weeks", Problem.OUT_OF_RANGE),
        (Setting.CHECKIN_DELAY, "8 days", Problem.OUT_OF_RANGE),
        (Setting.TIMEZONE, "Mars/Olympus", Problem.UNKNOWN_ZONE),
        (Setting.TIMEZONE, "CEST", Problem.ABBREVIATED_ZONE),
        (Setting.TIMEZONE, "XYZT", Problem.UNKNOWN_ZONE),
    ],
)
def test_a_value_a_setting_does_not_take_says_why(
    setting: Setting, typed: str, problem: Problem
) -> None:
    with pytest.raises(BadSetting) as raised:
        READERS[setting](typed)
    assert (raised.value.setting, raised.value.problem) == (setting, problem)


@pytest.mark.parametrize(
    ("typed", "start", "end"),
    [
        ("9 through 17", 9, 17),
        ("9 until 17", 9, 17),
        ("9 till 17", 9, 17),
        ("9 thru 17", 9, 17),
        ("from 9 to 17", 9, 17),
        ("9am-5pm", 9, 17),
        ("9am to 5pm", 9, 17),
        ("9AM–5PM", 9, 17),
        ("9 a.m. - 5 p.m.", 9, 17),
        ("9:00am-5:00pm", 9, 17),
        ("9:00-17:00", 9, 17),
        ("09:00 – 17:00", 9, 17),
        ("9.00—17.00", 9, 17),
        ("9am-17", 9, 17),
        # The start shares the end's half of the day, unless that would put it after the end.
        ("9-5pm", 9, 17),
        ("1-5pm", 13, 17),
        ("11-1pm", 11, 13),
        # 12am is midnight (the end of the day when it ends the range), 12pm noon.
        ("12am-12pm", 0, 12),
        ("12pm-6pm", 12, 18),
        ("6pm-12am", 18, 24),
    ],
)
def test_working_hours_are_read_as_people_write_them(typed: str, start: int, end: int) -> None:
    """New-user QA: `9 through 17`, `9am-5pm` and `09:00 – 17:00` were refused."""
    assert read_hours(typed) == {"work_start_hour": start, "work_end_hour": end}


@pytest.mark.parametrize(
    ("typed", "problem", "suggested"),
    [
        ("9:30-17", Problem.PART_HOURS, ("9-17",)),  # the whole hours around it
        ("8.30-17:30", Problem.PART_HOURS, ("8-18",)),
        ("9-5", Problem.HOURS_ORDER, ("9-17",)),  # most likely meant 5 in the afternoon
        ("17-9", Problem.HOURS_ORDER, ()),
    ],
)
def test_hours_that_cannot_be_honoured_suggest_whole_hours(
    typed: str, problem: Problem, suggested: tuple[str, ...]
) -> None:
    with pytest.raises(BadSetting) as raised:
        read_hours(typed)
    assert (raised.value.problem, raised.value.suggestions) == (problem, suggested)


def test_days_are_read_as_people_write_them() -> None:
    assert [day_number(word) for word in ("mon", "Tues", "THURSDAY", "su", "x")] == [
        0,
        1,
        3,
        None,
        None,
    ]
    assert read_days("fri-mon") == {"work_days": "mon,fri,sat,sun"}  # a range may wrap around
    assert read_days("mon–wed") == read_days("mon - wed") == {"work_days": "mon,tue,wed"}
    # The words people type for a set of days, alone or in a list.
    assert read_days("weekdays") == read_days("Mon-Fri") == {"work_days": "mon,tue,wed,thu,fri"}
    assert read_days("weekends") == {"work_days": "sat,sun"}
    assert read_days("every  day") == read_days("daily") == {"work_days": ",".join(DAY_NAMES)}
    assert read_days("workdays, sun") == {"work_days": "mon,tue,wed,thu,fri,sun"}
    # A range joined by a word, as `config hours 9 to 17` is.
    assert read_days("monday to friday") == read_days("Mon-Fri")
    assert read_days("mon through wed, fri") == {"work_days": "mon,tue,wed,fri"}
    assert read_days("sat till sun") == read_days("sat until sun") == {"work_days": "sat,sun"}
    with pytest.raises(BadSetting):
        read_days("mon to")  # a range needs its second day


def test_hours_are_whole_hours() -> None:
    assert read_hours("9:00-17:00") == {"work_start_hour": 9, "work_end_hour": 17}
    with pytest.raises(BadSetting):
        read_hours("9:15-17:00")


def test_morning_and_default_put_the_checkin_delay_back() -> None:
    assert read_checkin_delay("Default") == read_checkin_delay("morning")


def test_a_misspelt_time_zone_gets_close_matches() -> None:
    with pytest.raises(BadSetting) as raised:
        read_timezone("Europe/Berln")
    assert raised.value.suggestions[0] == "Europe/Berlin"
    assert close_zones("new york") == ["America/New_York"]
    assert close_zones("Tokyo") == ["Asia/Tokyo"]
    assert close_zones("qqqqqq") == []


def test_an_old_zone_name_is_taken_as_its_zone_and_never_suggested() -> None:
    # QA: `Asia/Calcutta`, `Europe/Kiev` and `US/Eastern` were kept as typed, and `Z` was
    # answered with `NZ-CHAT`, `Etc/Zulu` and `NZ`.
    assert read_timezone("Asia/Calcutta") == {"timezone": "Asia/Kolkata"}
    assert read_timezone("europe/kiev") == {"timezone": "Europe/Kyiv"}
    assert read_timezone("US/Eastern") == {"timezone": "America/New_York"}
    assert read_timezone("Zulu") == {"timezone": "UTC"}
    assert old_zone_name("europe/kiev") == "Europe/Kiev"
    # A zone of zone.tab stays, though IANA links it to another since 2022.
    assert read_timezone("Europe/Amsterdam") == {"timezone": "Europe/Amsterdam"}
    assert old_zone_name("Europe/Amsterdam") is None and old_zone_name("UTC") is None
    assert close_zones("Z") == ["UTC", "Pacific/Auckland", "Pacific/Chatham"]
    assert close_zones("Kiev") == ["Europe/Kyiv"]
    assert close_zones("US/Estern") == ["America/New_York"]


@pytest.mark.parametrize(
    ("typed", "fixed"),
    [
        # QA: `GMT-5` was answered "Did you mean `Etc/GMT-5`?", which is UTC+5, and `UTC+2`
        # "Did you mean `UTC`?".
        ("GMT-5", "Etc/GMT+5"),
        ("UTC+2", "Etc/GMT-2"),
        ("utc + 2", "Etc/GMT-2"),
        ("+02:00", "Etc/GMT-2"),
        ("UTC−3", "Etc/GMT+3"),
        ("UTC+0", "UTC"),
        ("UTC+5:30", None),
    ],
)
def test_an_offset_is_not_taken_for_a_zone_nor_matched_to_one_of_the_opposite_sign(
    typed: str, fixed: str | None
) -> None:
    with pytest.raises(BadSetting) as raised:
        read_timezone(typed)
    assert raised.value.problem is Problem.OFFSET_ZONE
    assert raised.value.suggestions == ((fixed,) if fixed else ())
    assert read_timezone("Etc/GMT-2") == {"timezone": "Etc/GMT-2"}  # the IANA name is taken


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        # QA: `EST` was taken for IANA's fixed UTC-5 (an hour off in New York's summer),
        # `AEST` answered "Did you mean `EST`?" and `IST` "Did you mean `Asia/Istanbul`?".
        ("EST", ("America/New_York",)),
        ("est", ("America/New_York",)),
        ("AEST", ("Australia/Sydney", "Australia/Brisbane")),
        ("IST", ("Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem")),
        ("CST", ("America/Chicago", "Asia/Shanghai")),
        ("PST", ("America/Los_Angeles",)),
    ],
)
def test_an_abbreviation_is_answered_with_the_zones_it_likely_means(
    typed: str, meant: tuple[str, ...]
) -> None:
    with pytest.raises(BadSetting) as raised:
        read_timezone(typed)
    assert (raised.value.problem, raised.value.suggestions) == (Problem.ABBREVIATED_ZONE, meant)


def test_a_city_with_its_country_is_matched_to_its_zone() -> None:
    assert close_zones("Berlin, Germany") == ["Europe/Berlin"]
    assert close_zones("new york, USA") == ["America/New_York"]


def test_the_digest_schedule_as_the_digest_reads_it() -> None:
    assert read_digest("off") == {"digest_day": "off"}
    assert digest_schedule("off", "09:00") is None
    assert digest_schedule("wed", "16:30") == Digest(weekday=2, at=time(16, 30))
    assert digest_schedule("mon", "09:00") == Digest(weekday=0, at=time(9, 0))
    # Nonsense stored by hand falls back to the default, Monday 09:00.
    assert digest_schedule("xyz", "late") == Digest(weekday=0, at=time(9, 0))


def test_settings_are_named_by_their_word_and_near_misses_suggested() -> None:
    assert setting_named("Checkin_Delay") is Setting.CHECKIN_DELAY
    assert setting_named("check-in") is Setting.CHECKIN_DELAY
    assert setting_named("TimeZone") is Setting.TIMEZONE
    with pytest.raises(BadSetting) as raised:
        setting_named("anonimity")
    assert raised.value.setting is None
    assert raised.value.problem is Problem.UNKNOWN_SETTING
    assert raised.value.suggestions == ("anonymity",)


def test_a_channel_is_kept_as_given() -> None:
    assert channel_update("C0PARTNERS") == {"coordination_channel": "C0PARTNERS"}
    assert channel_update("#partner-alerts") == {"coordination_channel": "#partner-alerts"}
    assert channel_update(None) == {"coordination_channel": None}


def test_values_without_a_row_are_the_defaults() -> None:
    values = Values.of(None, team_id=T1)
    assert values == Values(
        coordination_channel=None,
        window_days=14,
        hours=WorkingHours(days=frozenset(range(5)), start_hour=9, end_hour=17),
        timezone="UTC",
        pulse=Cadence.MONTHLY,
        checkin_delay_hours=None,
        anonymity_threshold=3,
        digest=Digest(weekday=0, at=time(9, 0)),
    )


# --- The service ----------------------------------------------------------------------------


@pytest.fixture
def service(engine: Engine) -> WorkspaceSettings:
    clock = ManualClock(NOW)
    save_colleagues(
        engine,
        clock,
        team_id=T1,
        colleagues=[Colleague(ANA, admin=True), Colleague(BEN), Colleague(DAN)],
    )
    return WorkspaceSettings(engine=engine, clock=clock, default_channel="#partnerships")


def stored(service: WorkspaceSettings, team_id: str = T1) -> Workspace | None:
    with Session(service.engine) as session:
        return store.get_workspace(session=session, team_id=team_id)


def test_an_admin_changes_a_setting_of_their_workspace_only(service: WorkspaceSettings) -> None:
    changed = service.change(
        actor=Actor(T1, ANA), setting=Setting.WINDOW, update={"window_days": 21}
    )
    assert (changed.before.window_days, changed.after.window_days) == (14, 21)
    assert not changed.unchanged
    again = service.change(actor=Actor(T1, ANA), setting=Setting.WINDOW, update={"window_days": 21})
    assert again.unchanged
    assert service.values(team_id=T1).window_days == 21
    assert service.values(team_id=T2).window_days == 14
    assert stored(service, T2) is None


def test_a_change_keeps_the_other_settings(service: WorkspaceSettings) -> None:
    ana = Actor(T1, ANA)
    service.change(actor=ana, setting=Setting.HOURS, update=read_hours("7-15"))
    service.change(actor=ana, setting=Setting.DIGEST, update=read_digest("off"))
    values = service.values(team_id=T1)
    assert (values.hours.start_hour, values.hours.end_hour, values.digest) == (7, 15, None)
    row = stored(service)
    assert row is not None and row.digest_time == "09:00"  # kept for when it is turned back on


def test_someone_else_is_refused_with_the_admins_named(service: WorkspaceSettings) -> None:
    with pytest.raises(NotAnAdmin) as refused:
        service.change(actor=Actor(T1, BEN), setting=Setting.WINDOW, update={"window_days": 3})
    assert refused.value.admins.everyone == (ANA,)
    assert stored(service) is None


def test_whether_a_stranger_is_an_admin_is_asked_of_slack_first(
    service: WorkspaceSettings,
) -> None:
    with pytest.raises(PeopleToLookUp) as pending:
        service.view(actor=Actor(T1, "U0NEW"))
    assert pending.value.user_ids == ("U0NEW",)
    # Asked, and Slack had nothing to say: not an admin, and the view shows no failures.
    view = service.view(actor=Actor(T1, "U0NEW", PeopleCheck(asked=frozenset({"U0NEW"}))))
    assert view.viewer_is_admin is False and view.failed is None


def test_the_admin_list_is_replaced_and_slack_admins_stay(service: WorkspaceSettings) -> None:
    ana, dan = Actor(T1, ANA), Actor(T1, DAN)
    first = service.replace_admins(actor=ana, user_ids=[DAN, BEN, DAN])
    assert (first.added, first.removed, first.after.listed) == ((BEN, DAN), (), (BEN, DAN))
    assert first.after.slack == (ANA,)

    # Dan, now an admin, replaces the list without himself: he loses his rights, Ana keeps hers.
    second = service.replace_admins(actor=dan, user_ids=[BEN])
    assert second.removed == (DAN,) and second.by_lost_rights
    with pytest.raises(NotAnAdmin):
        service.change(actor=dan, setting=Setting.WINDOW, update={"window_days": 3})
    cleared = service.replace_admins(actor=ana, user_ids=[])
    assert cleared.after == Admins(slack=(ANA,), listed=())
    assert not cleared.by_lost_rights
    assert service.admins(team_id=T2).everyone == ()


def admin_notes(occasion: str) -> AdminNotes:
    return AdminNotes(
        made_admin=Rendered(text="You are an admin now."),
        no_longer_admin=Rendered(text="You are no longer an admin."),
        occasion=occasion,
    )


def admin_notes_queued(service: WorkspaceSettings) -> list[tuple[str | None, str, str]]:
    with Session(service.engine) as session:
        statement = select(OutboxMessage).where(OutboxMessage.kind == ADMIN_NOTE)
        queued = session.exec(statement.order_by(OutboxMessage.id))  # type: ignore[arg-type]
        return [(note.recipient_user, note.text, note.status) for note in queued]


def test_colleagues_named_or_dropped_as_admins_are_told_in_the_change(
    service: WorkspaceSettings,
) -> None:
    ana, dan = Actor(T1, ANA), Actor(T1, DAN)
    # Ana, a Slack admin, names Dan, Ben and herself: she is the caller, and no Slack admin's
    # rights change, so only Dan and Ben hear of it.
    first = service.replace_admins(actor=ana, user_ids=[DAN, BEN, ANA], notes=admin_notes("t1"))
    assert first.told == (BEN, DAN)
    pending = OutboxStatus.PENDING
    assert admin_notes_queued(service) == [
        (BEN, "You are an admin now.", pending),
        (DAN, "You are an admin now.", pending),
    ]
    # Dan drops Ben before Ben's note went: for Ben nothing changed, he hears of neither.
    second = service.replace_admins(actor=dan, user_ids=[DAN], notes=admin_notes("t2"))
    assert second.removed == (ANA, BEN) and second.told == ()
    assert [status for _, _, status in admin_notes_queued(service)] == [
        OutboxStatus.CANCELLED,
        pending,
    ]
    # Without notes, nobody is told.
    assert service.replace_admins(actor=ana, user_ids=[BEN]).told == ()
    assert len(admin_notes_queued(service)) == 2


def test_a_mentioned_admin_must_be_a_colleague(service: WorkspaceSettings) -> None:
    ana = Actor(T1, ANA)
    with pytest.raises(PeopleToLookUp) as pending:
        service.replace_admins(actor=ana, user_ids=["U0NEW"])
    assert pending.value.user_ids == ("U0NEW",)
    gone = Actor(T1, ANA, PeopleCheck(asked=frozenset({"U0NEW"}), missing=frozenset({"U0NEW"})))
    with pytest.raises(NotInWorkspace):
        service.replace_admins(actor=gone, user_ids=["U0NEW"])
    assert service.admins(team_id=T1).listed == ()
