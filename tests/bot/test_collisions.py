"""Each revolving-door rule and its edges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.collisions import Contact, collisions

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
TEAM = frozenset({"U0ANA", "U0DAN"})  # ana owns the partner, dan is on its team


def contact(
    touchpoint_id: int, *people: str, days: float = 0, contact_id: int | None = None
) -> Contact:
    return Contact(
        touchpoint_id=touchpoint_id,
        at=MONDAY + timedelta(days=days),
        colleagues=frozenset(people),
        contact_id=contact_id,
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
    outside = [contact(1, "U0ANA", days=-14.01), contact(3, "U0ANA", days=14.01)]
    assert collisions(contact(2, "U0BEN"), outside, team=TEAM) == []


def test_a_configured_window_is_honoured() -> None:
    other = [contact(1, "U0ANA", days=5)]
    assert collisions(contact(2, "U0BEN"), other, team=TEAM, window=timedelta(days=4)) == []


def test_team_members_coordinate_among_themselves() -> None:
    assert collisions(contact(2, "U0DAN", days=1), [contact(1, "U0ANA")], team=TEAM) == []


def test_a_team_member_still_collides_with_an_outsider() -> None:
    assert len(collisions(contact(2, "U0DAN"), [contact(1, "U0BEN")], team=TEAM)) == 1


def test_two_outsiders_collide() -> None:
    assert len(collisions(contact(2, "U0CHLOE"), [contact(1, "U0BEN")], team=TEAM)) == 1


def test_nobody_collides_with_themselves() -> None:
    # ben planned a meeting, then logged it: one colleague, no collision.
    assert collisions(contact(2, "U0BEN", days=1), [contact(1, "U0BEN")], team=TEAM) == []


def test_a_shared_participant_means_they_coordinated() -> None:
    assert collisions(contact(2, "U0BEN", "U0CHLOE"), [contact(1, "U0CHLOE")], team=TEAM) == []


def test_same_contact_person_is_marked() -> None:
    (found,) = collisions(
        contact(2, "U0BEN", contact_id=7), [contact(1, "U0ANA", contact_id=7)], team=TEAM
    )
    assert found.same_contact is True


def test_nearest_first_and_the_touchpoint_itself_is_ignored() -> None:
    new = contact(5, "U0BEN")
    earlier = [contact(1, "U0ANA", days=-10), contact(2, "U0CHLOE", days=-1), new]
    assert [c.other.touchpoint_id for c in collisions(new, earlier, team=TEAM)] == [2, 1]
