"""Each revolving-door rule and its edges."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.collisions import Contact, collisions, reach, within

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
TEAM = frozenset({"U0ANA", "U0DAN"})  # ana owns the partner, dan is on its team


def contact(
    touchpoint_id: int, *people: str, days: float = 0, contact_ids: tuple[int, ...] = ()
) -> Contact:
    return Contact(
        touchpoint_id=touchpoint_id,
        at=MONDAY + timedelta(days=days),
        colleagues=frozenset(people),
        contact_ids=frozenset(contact_ids),
    )


def test_an_outsider_collides_with_the_owner_inside_the_window() -> None:
    (found,) = collisions(contact(2, "U0BEN", days=3), [contact(1, "U0ANA")], team=TEAM)
    assert found.other.touchpoint_id == 1
    assert found.same_contact is False


def test_the_window_is_inclusive_on_both_sides() -> None:
    earlier = [contact(1, "U0ANA", days=-14), contact(3, "U0ANA", days=14)]
    assert {c.other.touchpoint_id for c in collisions(contact(2, "U0BEN"), earlier, team=TEAM)} == {
        1,
        3,
    }
    outside = [contact(1, "U0ANA", days=-15), contact(3, "U0ANA", days=15)]
    assert collisions(contact(2, "U0BEN"), outside, team=TEAM) == []


def test_a_configured_window_is_honoured() -> None:
    other = [contact(1, "U0ANA", days=5)]
    assert collisions(contact(2, "U0BEN"), other, team=TEAM, window_days=4) == []
    assert len(collisions(contact(2, "U0BEN"), other, team=TEAM, window_days=5)) == 1


# --- The window in calendar days ----------------------------------------------------------------


def moment(day: str, clock: str, tz: str = "UTC") -> datetime:
    local = datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), ZoneInfo(tz))
    return local.astimezone(UTC)


def at(touchpoint_id: int, when: datetime, *people: str, day_only: bool = False) -> Contact:
    return Contact(
        touchpoint_id=touchpoint_id, at=when, colleagues=frozenset(people), day_only=day_only
    )


def on_day(touchpoint_id: int, day: str, *people: str, author_tz: str = "UTC") -> Contact:
    """A contact recorded with a day and no time: noon of that day in its author's zone."""
    return at(touchpoint_id, moment(day, "12:00", author_tz), *people, day_only=True)


def collide(new: Contact, other: Contact, *, tz: str = "UTC", window_days: int = 14) -> bool:
    found = collisions(new, [other], team=TEAM, window_days=window_days, tz=ZoneInfo(tz))
    return bool(found)


CALL = at(1, moment("2026-11-30", "08:00"), "U0CHLOE")  # Mon 30 Nov, 08:00 UTC; two outsiders


@pytest.mark.parametrize("clock", ["00:00", "08:00", "09:00", "17:00", "23:59"])
def test_exactly_window_days_apart_collides_whatever_the_time_of_day(clock: str) -> None:
    assert collide(at(2, moment("2026-12-14", clock), "U0BEN"), CALL)
    assert collide(at(2, moment("2026-11-16", clock), "U0BEN"), CALL)


@pytest.mark.parametrize("clock", ["00:00", "07:00", "08:00"])
def test_window_plus_one_day_does_not_collide_even_under_window_times_24_hours(
    clock: str,
) -> None:
    # 15 Dec 00:00 is only 14 days 16 hours after the call, but on its 15th day.
    assert not collide(at(2, moment("2026-12-15", clock), "U0BEN"), CALL)
    assert not collide(at(2, moment("2026-11-15", "23:59"), "U0BEN"), CALL)


def test_a_day_only_contact_is_on_the_day_its_author_named() -> None:
    berlin = "Europe/Berlin"
    assert collide(on_day(2, "2026-12-14", "U0BEN", author_tz=berlin), CALL)
    assert not collide(on_day(2, "2026-12-15", "U0BEN", author_tz=berlin), CALL)
    # Either side may be the day-only one.
    assert collide(CALL, on_day(2, "2026-11-16", "U0BEN", author_tz=berlin))
    assert not collide(CALL, on_day(2, "2026-11-15", "U0BEN", author_tz=berlin))
    # Both day-only, authors on opposite sides of the date line: 14 and 15 days.
    tokyo = on_day(3, "2026-11-30", "U0CHLOE", author_tz="Asia/Tokyo")
    honolulu = "Pacific/Honolulu"
    assert collide(tokyo, on_day(4, "2026-12-14", "U0BEN", author_tz=honolulu))
    assert not collide(tokyo, on_day(4, "2026-12-15", "U0BEN", author_tz=honolulu))


def test_the_workspaces_time_zone_decides_the_day_of_a_timed_contact() -> None:
    # Mon 30 Nov 16:00 UTC is Tue 1 Dec 01:00 in Tokyo; Tue 15 Dec 10:00 UTC is 19:00 there.
    late = at(1, moment("2026-11-30", "16:00"), "U0CHLOE")
    later = at(2, moment("2026-12-15", "10:00"), "U0BEN")
    assert not collide(later, late, tz="UTC")  # 30 Nov to 15 Dec: 15 days
    assert collide(later, late, tz="Asia/Tokyo")  # 1 Dec to 15 Dec: 14 days
    # Mon 14 Dec 03:00 UTC is Sun 13 Dec 22:00 in New York.
    early = at(3, moment("2026-12-14", "03:00"), "U0BEN")
    assert not collide(early, at(4, moment("2026-11-29", "12:00"), "U0CHLOE"), tz="UTC")
    assert collide(early, at(4, moment("2026-11-29", "12:00"), "U0CHLOE"), tz="America/New_York")
    # A day-only contact keeps its named day in every workspace zone.
    for tz in ("UTC", "Asia/Tokyo", "America/New_York", "Pacific/Kiritimati"):
        named = on_day(5, "2026-12-14", "U0BEN", author_tz="Europe/Berlin")
        assert collide(named, at(6, moment("2026-11-30", "12:00", tz), "U0CHLOE"), tz=tz), tz
        assert not collide(named, at(6, moment("2026-11-29", "23:59", tz), "U0CHLOE"), tz=tz), tz


@pytest.mark.parametrize(
    "tz", ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Pacific/Kiritimati"]
)
@pytest.mark.parametrize("window_days", [1, 14, 90])
def test_the_range_read_holds_every_contact_in_the_window(tz: str, window_days: int) -> None:
    zone = ZoneInfo(tz)
    day = date(2026, 11, 30)
    start, end = reach(day, window_days=window_days, tz=zone)
    new = at(1, moment(day.isoformat(), "12:00", tz), "U0CHLOE")
    first, last = day - timedelta(days=window_days), day + timedelta(days=window_days)
    edges = [
        at(2, moment(first.isoformat(), "00:00", tz)),
        at(3, moment(last.isoformat(), "23:59:59.999999", tz)),
        on_day(4, first.isoformat(), author_tz="Etc/GMT-12"),  # UTC+12
        on_day(5, last.isoformat(), author_tz="Etc/GMT+11"),  # UTC-11
    ]
    assert within(new, edges, window_days=window_days, tz=zone) == edges
    assert all(start <= edge.at <= end for edge in edges)
    beyond = [
        at(6, moment(first.isoformat(), "00:00", tz) - timedelta(microseconds=1)),
        at(7, moment(last.isoformat(), "00:00", tz) + timedelta(days=1)),
        on_day(8, (first - timedelta(days=1)).isoformat()),
        on_day(9, (last + timedelta(days=1)).isoformat()),
    ]
    assert within(new, beyond, window_days=window_days, tz=zone) == []
    # Less than a day and a half wider than the window's days on either side.
    assert end - start <= timedelta(days=2 * window_days + 1, hours=36)


def test_team_members_coordinate_among_themselves() -> None:
    assert collisions(contact(2, "U0DAN", days=1), [contact(1, "U0ANA")], team=TEAM) == []


def test_a_team_member_still_collides_with_an_outsider() -> None:
    assert len(collisions(contact(2, "U0DAN"), [contact(1, "U0BEN")], team=TEAM)) == 1


# --- An outsider who takes one of the team along (rule 4) -------------------------------------


def test_an_outsider_with_the_owner_along_does_not_collide_with_the_deputys_or_a_members_call() -> (
    None
):
    team = TEAM | {"U0CHLOE"}  # chloe is the deputy
    with_owner = contact(2, "U0BEN", "U0ANA", days=2)
    assert collisions(with_owner, [contact(1, "U0CHLOE")], team=team) == []
    assert collisions(with_owner, [contact(1, "U0DAN")], team=team) == []
    # Either way round: the deputy's call after the outsider's meeting with the owner.
    assert collisions(contact(3, "U0CHLOE", days=3), [with_owner], team=team) == []


def test_an_outsider_with_a_member_along_does_not_collide_with_the_owner() -> None:
    assert collisions(contact(2, "U0BEN", "U0DAN", days=1), [contact(1, "U0ANA")], team=TEAM) == []
    assert collisions(contact(2, "U0ANA", days=1), [contact(1, "U0BEN", "U0DAN")], team=TEAM) == []


def test_two_outsiders_each_with_one_of_the_team_along_do_not_collide() -> None:
    with_owner, with_member = contact(2, "U0BEN", "U0ANA", days=1), contact(1, "U0CHLOE", "U0DAN")
    assert collisions(with_owner, [with_member], team=TEAM) == []
    assert collisions(with_member, [with_owner], team=TEAM) == []


def test_a_lone_outsider_collides_with_the_team_and_with_an_outsider_who_took_it_along() -> None:
    existing = [contact(1, "U0ANA", days=-1), contact(3, "U0BEN", "U0DAN", days=1)]
    found = collisions(contact(2, "U0CHLOE"), existing, team=TEAM)
    assert sorted(c.other.touchpoint_id for c in found) == [1, 3]
    # And the other way round: the outsider with the owner along meets the lone outsider.
    (found_back,) = collisions(contact(4, "U0BEN", "U0ANA"), [contact(1, "U0CHLOE")], team=TEAM)
    assert found_back.other.touchpoint_id == 1


def test_a_team_member_taking_an_outsider_along_is_still_the_teams_contact() -> None:
    # dan, on the team, brings chloe: the owner's call is the team's business, not a collision;
    # ben alone is an outsider to both.
    joint = contact(2, "U0DAN", "U0CHLOE", days=1)
    assert collisions(joint, [contact(1, "U0ANA")], team=TEAM) == []
    assert len(collisions(joint, [contact(1, "U0BEN")], team=TEAM)) == 1


def test_two_outsiders_collide() -> None:
    assert len(collisions(contact(2, "U0CHLOE"), [contact(1, "U0BEN")], team=TEAM)) == 1


def test_nobody_collides_with_themselves() -> None:
    # ben planned a meeting, then logged it: one colleague, no collision.
    assert collisions(contact(2, "U0BEN", days=1), [contact(1, "U0BEN")], team=TEAM) == []


def test_a_shared_participant_means_they_coordinated() -> None:
    assert collisions(contact(2, "U0BEN", "U0CHLOE"), [contact(1, "U0CHLOE")], team=TEAM) == []


def test_same_contact_person_is_marked() -> None:
    (found,) = collisions(
        contact(2, "U0BEN", contact_ids=(7,)), [contact(1, "U0ANA", contact_ids=(7,))], team=TEAM
    )
    assert found.same_contact is True
    # With several people at the partner on either side, one of them in common is enough.
    (found,) = collisions(
        contact(2, "U0BEN", contact_ids=(3, 7)),
        [contact(1, "U0ANA", contact_ids=(7, 9))],
        team=TEAM,
    )
    assert found.same_contact is True
    (found,) = collisions(
        contact(2, "U0BEN", contact_ids=(3,)), [contact(1, "U0ANA", contact_ids=(7, 9))], team=TEAM
    )
    assert found.same_contact is False


def test_nearest_first_and_the_touchpoint_itself_is_ignored() -> None:
    new = contact(5, "U0BEN")
    earlier = [contact(1, "U0ANA", days=-10), contact(2, "U0CHLOE", days=-1), new]
    assert [c.other.touchpoint_id for c in collisions(new, earlier, team=TEAM)] == [2, 1]


# --- A plan that didn't happen (rule 1) ---------------------------------------------------------


def cancelled(touchpoint_id: int, *people: str, days: float = 0) -> Contact:
    return Contact(
        touchpoint_id=touchpoint_id,
        at=MONDAY + timedelta(days=days),
        colleagues=frozenset(people),
        cancelled=True,
    )


def test_nothing_collides_with_a_plan_that_did_not_happen() -> None:
    assert collisions(contact(2, "U0BEN"), [cancelled(1, "U0CHLOE")], team=TEAM) == []
    # Nor at the window's edge.
    assert collisions(contact(2, "U0BEN", days=14), [cancelled(1, "U0ANA")], team=TEAM) == []


def test_a_plan_that_did_not_happen_collides_with_nothing() -> None:
    assert collisions(cancelled(2, "U0BEN"), [contact(1, "U0CHLOE")], team=TEAM) == []


def test_the_live_contacts_beside_a_cancelled_plan_still_collide() -> None:
    existing = [cancelled(1, "U0CHLOE", days=-1), contact(3, "U0DAN", days=2)]
    (found,) = collisions(contact(2, "U0BEN"), existing, team=TEAM)
    assert found.other.touchpoint_id == 3


def test_a_cancelled_plan_is_still_within_the_window_it_was_planned_in() -> None:
    # `within` counts days only: whether a contact is live is `collisions`' rule 1, so what
    # lies in the window (for who knew of whom) is the same either way.
    assert [
        c.touchpoint_id
        for c in within(contact(2, "U0BEN"), [cancelled(1, "U0CHLOE")], window_days=14, tz=UTC)
    ] == [1]
