"""The health formula (`bot.health`): each part and its edges, the renormalised weights, the
at-risk rules, the sparkline and what counts as a part that moved."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.health import (
    CheckInFacts,
    CollisionFacts,
    ContactFacts,
    HealthScore,
    Move,
    PartKind,
    Parts,
    PromiseFacts,
    PulseFacts,
    Risk,
    RiskKind,
    checkin_score,
    collision_events,
    collision_score,
    commitment_score,
    moves,
    pulse_score,
    risks,
    score,
    sparkline,
    week_start,
    worst_first,
)
from bot.services.cadence import Standing
from storage.health import CollisionPair
from storage.models import CommitmentSide

CLOSED = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def pulse(*averages: float | None, respondents: int = 4, threshold: int = 3) -> PulseFacts:
    return PulseFacts(
        closed_at=CLOSED,
        invited=6,
        respondents=respondents,
        threshold=threshold,
        averages=tuple(averages),
    )


def test_a_pulse_says_how_many_statements_it_rests_on_and_one_alone_is_thin() -> None:
    assert (pulse(4, 4, 4, 4).statements, pulse(4, 4, 4, 4).thin) == (4, False)
    assert (pulse(4, None, 3, None).statements, pulse(4, None, 3, None).thin) == (2, False)
    assert (pulse(None, 4, None, None).statements, pulse(None, 4, None, None).thin) == (1, True)
    # Too few respondents: nothing is shown, so the score rests on nothing (and is left out).
    assert pulse(4, 4, 4, 4, respondents=2).statements == 0
    assert pulse_score(pulse(None, None, None, None)) is None


def contact(standing: Standing, quiet: int = 3) -> ContactFacts:
    return ContactFacts(standing=standing, quiet_days=quiet, ideal_days=30, max_days=60)


# --- Each part ----------------------------------------------------------------------------------


def test_pulse_maps_the_mean_of_the_shown_averages_from_one_to_five_onto_0_to_100() -> None:
    assert pulse_score(pulse(5, 5, 5, 5)) == 100
    assert pulse_score(pulse(1, 1, 1, 1)) == 0
    assert pulse_score(pulse(4.0, 3.0, 3.0, 4.0)) == 63  # mean 3.5 → 62.5, half up
    # A question too few answered is hidden: the others make the part.
    assert pulse_score(pulse(5, None, 3, None)) == 75


def test_no_pulse_without_a_round_or_below_the_anonymity_threshold() -> None:
    assert pulse_score(None) is None
    assert pulse_score(pulse(5, 5, 5, 5, respondents=2, threshold=3)) is None
    assert pulse_score(pulse(None, None, None, None)) is None
    assert pulse_score(pulse(5, 5, 5, 5, respondents=3, threshold=3)) == 100


def test_checkins_went_well_100_mixed_50_problem_0() -> None:
    assert checkin_score(CheckInFacts()) is None
    assert checkin_score(CheckInFacts(went_well=3)) == 100
    assert checkin_score(CheckInFacts(problem=2)) == 0
    assert checkin_score(CheckInFacts(went_well=1, mixed=1, problem=1)) == 50
    assert checkin_score(CheckInFacts(went_well=2, mixed=1)) == 83


def test_commitments_kept_late_half_overdue_double() -> None:
    assert commitment_score(PromiseFacts()) is None
    assert commitment_score(PromiseFacts(kept=4)) == 100
    assert commitment_score(PromiseFacts(late=2)) == 50
    assert commitment_score(PromiseFacts(overdue=1)) == 0
    assert commitment_score(PromiseFacts(kept=2, overdue=1)) == 50  # 2 / (2 + 2)
    assert commitment_score(PromiseFacts(kept=1, late=1, overdue=1)) == 38  # 1.5 / 4


@pytest.mark.parametrize(
    ("standing", "expected"),
    [
        (Standing.FINE, 100),
        (Standing.DUE, 50),
        (Standing.DORMANT, 0),
        (Standing.EXEMPT, None),
    ],
)
def test_contact_on_track_due_dormant_exempt(standing: Standing, expected: int | None) -> None:
    assert score(Parts(cadence=contact(standing))).part(PartKind.CADENCE).score == expected


@pytest.mark.parametrize(
    ("standing", "expected"),
    [(Standing.FINE, None), (Standing.DUE, 50), (Standing.DORMANT, 0)],
)
def test_no_contact_yet_counts_only_once_it_is_late(
    standing: Standing, expected: int | None
) -> None:
    """A brand-new partner has nothing to judge: no "perfect" 100 before anything happened."""
    never = ContactFacts(
        standing=standing, quiet_days=3, ideal_days=30, max_days=60, contacted=False
    )
    assert score(Parts(cadence=never)).part(PartKind.CADENCE).score == expected


def test_collisions_lose_25_each_and_need_a_touchpoint_to_count() -> None:
    assert collision_score(CollisionFacts()) is None
    # Two colleagues' intents collided, but nobody has been in touch: nothing happened to judge.
    assert collision_score(CollisionFacts(collisions=1)) is None
    assert collision_score(CollisionFacts(touchpoints=5)) == 100
    assert collision_score(CollisionFacts(touchpoints=5, collisions=1)) == 75
    assert collision_score(CollisionFacts(touchpoints=9, collisions=4)) == 0
    assert collision_score(CollisionFacts(touchpoints=9, collisions=7)) == 0


# --- The score ----------------------------------------------------------------------------------


def found(earlier: int, later: int, day: int) -> CollisionPair:
    """Recording `later` on `day` (of November) found `earlier` colliding, at partner 7."""
    return CollisionPair(
        partner_id=7, earlier_id=earlier, later_id=later, detected_at=CLOSED.replace(day=day)
    )


def test_a_contact_counts_when_it_first_collided_and_a_plan_and_its_log_are_one_contact() -> None:
    # Ben planned a meeting (1); Chloe's call (2) collided with it; Ben logged the meeting (3),
    # which collided with Chloe's call; then Dan's email (4) collided with all of them.
    pairs = [found(1, 2, 24), found(2, 3, 25), found(1, 4, 26), found(2, 4, 26), found(3, 4, 26)]
    authors = {1: "U0BEN", 2: "U0CHLOE", 3: "U0BEN", 4: "U0DAN"}
    start = CLOSED.replace(day=20)
    events = {7: [2, 4]}
    assert collision_events(pairs, same={1: 3}, authors=authors, start=start) == events
    # Each counts in the week it first collided, whichever of its records collided.
    week = CLOSED.replace(day=25)
    assert collision_events(pairs, same={1: 3}, authors=authors, start=week) == {7: [4]}
    until = CLOSED.replace(day=26)
    assert collision_events(pairs, same={1: 3}, authors=authors, start=start, end=until) == {7: [2]}
    # The log meets again the call Ben's plan collided with: no new collision, even where the
    # log is not known to follow the plan up.
    assert collision_events(pairs, same={}, authors=authors, start=start) == events
    # Recorded twice, the meeting is one contact: a log colliding with what its plan did not
    # (Dan's email, 5, near the day it was moved to) is no second event of Ben's.
    moved = [found(2, 1, 24), found(5, 3, 26)]
    authors |= {5: "U0DAN"}
    assert collision_events(moved, same={1: 3}, authors=authors, start=start) == {7: [3]}
    assert collision_events(moved, same={}, authors=authors, start=start) == {7: [1, 3]}


def test_a_colleague_meeting_again_a_contact_they_collided_with_is_no_new_collision() -> None:
    """Ben, an outsider, called (1) and the owner Ana called three times (2, 3, 4), each call
    of hers colliding with his: one collision whichever came first, as the alarm alerts it
    once, not one per call of the owner's."""
    start = CLOSED.replace(day=20)
    outsider_first = [found(1, 2, 24), found(1, 3, 25), found(1, 4, 26)]
    authors = {1: "U0BEN", 2: "U0ANA", 3: "U0ANA", 4: "U0ANA"}
    assert collision_events(outsider_first, same={}, authors=authors, start=start) == {7: [2]}
    # Ben calls again (5), meeting all of Ana's calls: he collided with each already.
    again = [*outsider_first, found(2, 5, 27), found(3, 5, 27), found(4, 5, 27)]
    authors |= {5: "U0BEN"}
    assert collision_events(again, same={}, authors=authors, start=start) == {7: [2]}
    owner_first = [found(1, 4, 26), found(2, 4, 26), found(3, 4, 26)]
    authors = {1: "U0ANA", 2: "U0ANA", 3: "U0ANA", 4: "U0BEN"}
    assert collision_events(owner_first, same={}, authors=authors, start=start) == {7: [4]}
    # Chloe's call (5) collides with Ben's and Ana's contacts: a colleague new to both, news.
    authors = {1: "U0BEN", 2: "U0ANA", 3: "U0ANA", 4: "U0ANA", 5: "U0CHLOE"}
    door = [*outsider_first, found(1, 5, 27), found(4, 5, 27)]
    assert collision_events(door, same={}, authors=authors, start=start) == {7: [2, 5]}


def test_every_part_counts_with_its_weight() -> None:
    found = score(
        Parts(
            pulse=pulse(5, 5, 5, 5),  # 100 × 30
            checkins=CheckInFacts(problem=1),  # 0 × 25
            commitments=PromiseFacts(kept=1),  # 100 × 20
            cadence=contact(Standing.DUE),  # 50 × 15
            collisions=CollisionFacts(touchpoints=2, collisions=2),  # 50 × 10
        )
    )
    assert found.score == 63  # (3000 + 0 + 2000 + 750 + 500) / 100 = 62.5, half up
    assert found.counted == 5
    assert [part.share for part in found.parts] == [0.3, 0.25, 0.2, 0.15, 0.1]


def test_parts_without_data_are_left_out_and_the_weights_renormalised() -> None:
    found = score(Parts(checkins=CheckInFacts(went_well=1), cadence=contact(Standing.DORMANT)))
    # check-ins 100 (weight 25) and contact 0 (weight 15): 2500 / 40.
    assert found.score == 63
    assert found.counted == 2
    assert found.part(PartKind.PULSE).score is None and found.part(PartKind.PULSE).share == 0
    assert found.part(PartKind.CHECKINS).share == pytest.approx(25 / 40)
    assert found.scores == {
        PartKind.PULSE: None,
        PartKind.CHECKINS: 100,
        PartKind.COMMITMENTS: None,
        PartKind.CADENCE: 0,
        PartKind.COLLISIONS: None,
    }


def test_a_score_needs_at_least_one_part() -> None:
    assert score(Parts()).score is None
    assert score(Parts(cadence=contact(Standing.EXEMPT))).score is None
    assert score(Parts(cadence=contact(Standing.FINE))).score == 100


def test_an_exempt_partners_collisions_alone_give_no_score() -> None:
    """A paused or ended partner has no contact part: a contact kept as history gave it a
    "perfect" 100 from the collisions part alone (QA21a NIT 9). Beside another part, it counts."""
    met = CollisionFacts(touchpoints=1)
    alone = score(Parts(cadence=contact(Standing.EXEMPT), collisions=met))
    assert alone.score is None
    assert alone.part(PartKind.COLLISIONS).score is None
    kept = PromiseFacts(kept=1)
    beside = score(Parts(cadence=contact(Standing.EXEMPT), commitments=kept, collisions=met))
    assert beside.score == 100 and beside.part(PartKind.COLLISIONS).score == 100
    # A revolving door is one whatever the score.
    door = score(
        Parts(
            cadence=contact(Standing.EXEMPT), collisions=CollisionFacts(touchpoints=3, collisions=3)
        )
    )
    assert risks(door, lopsided=None, recent_problems=0) == (
        Risk(RiskKind.REVOLVING_DOOR, count=3),
    )


def test_one_overdue_commitment_alone_is_the_whole_score_and_moves_with_anything_else() -> None:
    """The documented rule (module docstring): the one thing known is a promise broken, so 0 and
    at risk; keeping it late or a logged contact lifts it."""
    alone = score(Parts(commitments=PromiseFacts(overdue=1)))
    assert alone.score == 0 and alone.counted == 1
    assert risks(alone, lopsided=None, recent_problems=0) == (Risk(RiskKind.LOW_SCORE),)
    assert score(Parts(commitments=PromiseFacts(late=1))).score == 50
    contacted = score(
        Parts(
            commitments=PromiseFacts(overdue=1),
            cadence=contact(Standing.FINE),
            collisions=CollisionFacts(touchpoints=1),
        )
    )
    assert contacted.score == 56


# --- At risk ------------------------------------------------------------------------------------


def test_at_risk_below_50_dormant_lopsided_or_a_recent_problem() -> None:
    fine = score(Parts(cadence=contact(Standing.FINE)))
    assert risks(fine, lopsided=None, recent_problems=0) == ()
    low = score(Parts(checkins=CheckInFacts(mixed=1, problem=1)))  # 25
    assert risks(low, lopsided=None, recent_problems=0) == (Risk(RiskKind.LOW_SCORE),)
    exactly_50 = score(Parts(checkins=CheckInFacts(mixed=1)))
    assert risks(exactly_50, lopsided=None, recent_problems=0) == ()
    dormant = score(Parts(cadence=contact(Standing.DORMANT, quiet=70), pulse=pulse(5, 5, 5, 5)))
    assert dormant.score is not None and dormant.score >= 50
    assert risks(dormant, lopsided=None, recent_problems=0) == (Risk(RiskKind.DORMANT),)
    assert risks(fine, lopsided=CommitmentSide.US, recent_problems=2) == (
        Risk(RiskKind.LOPSIDED, side=CommitmentSide.US),
        Risk(RiskKind.PROBLEM, count=2),
    )


def test_a_revolving_door_is_at_risk_whatever_the_score() -> None:
    def met(collisions: int) -> HealthScore:
        return score(
            Parts(
                cadence=contact(Standing.FINE),
                collisions=CollisionFacts(touchpoints=4, collisions=collisions),
            )
        )

    assert met(2).score == 80 and risks(met(2), lopsided=None, recent_problems=0) == ()
    # Intents alone, nobody in touch yet: no score, but a revolving door all the same.
    intents = score(Parts(collisions=CollisionFacts(collisions=3)))
    assert intents.score is None
    assert risks(intents, lopsided=None, recent_problems=0) == (
        Risk(RiskKind.REVOLVING_DOOR, count=3),
    )
    three = met(3)
    assert three.score == 70  # the worst contact and collisions alone can do is 60
    assert risks(three, lopsided=None, recent_problems=0) == (
        Risk(RiskKind.REVOLVING_DOOR, count=3),
    )


def test_an_ended_partner_is_never_at_risk() -> None:
    low = score(Parts(checkins=CheckInFacts(problem=1)))
    assert risks(low, lopsided=CommitmentSide.US, recent_problems=1, ended=True) == ()


def test_worst_first_lowest_score_then_most_reasons_then_name() -> None:
    two = (Risk(RiskKind.LOW_SCORE), Risk(RiskKind.DORMANT))
    one = (Risk(RiskKind.LOW_SCORE),)
    keys = {
        "Zeta 20": worst_first(20, one, "Zeta"),
        "Alpha 40": worst_first(40, one, "Alpha"),
        "Beta 40 two": worst_first(40, two, "Beta"),
        "Gamma none": worst_first(None, one, "Gamma"),
        "Acme 40": worst_first(40, one, "acme"),
    }
    assert sorted(keys, key=keys.__getitem__) == [
        "Zeta 20",
        "Beta 40 two",
        "Acme 40",
        "Alpha 40",
        "Gamma none",
    ]


# --- The trend ----------------------------------------------------------------------------------


def test_weeks_start_on_monday_in_the_workspaces_zone() -> None:
    sunday_night_utc = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    assert week_start(sunday_night_utc, ZoneInfo("UTC")) == date(2026, 11, 23)
    # Already Monday morning in Tokyo; still Sunday afternoon in New York.
    assert week_start(sunday_night_utc, ZoneInfo("Asia/Tokyo")) == date(2026, 11, 30)
    assert week_start(sunday_night_utc, ZoneInfo("America/New_York")) == date(2026, 11, 23)


def test_sparkline_on_a_fixed_scale_with_gaps() -> None:
    assert sparkline([0, 15, 29, 43, 57, 71, 86, 100]) == "▁▂▃▄▅▆▇█"
    assert sparkline([100, None, 50]) == "█·▅"
    assert sparkline([]) == ""


def test_a_part_moved_when_it_changed_by_5_or_gained_or_lost_data() -> None:
    before = {PartKind.PULSE: 80, PartKind.CHECKINS: 50, PartKind.CADENCE: 100}
    after = {PartKind.PULSE: 40, PartKind.CHECKINS: 53, PartKind.COLLISIONS: 75}
    found = moves(before, after)
    assert found == [
        Move(PartKind.PULSE, 80, 40),
        Move(PartKind.CADENCE, 100, None),
        Move(PartKind.COLLISIONS, None, 75),
    ]
    assert found[0].change == -40 and found[1].change is None
    assert moves(before, before) == []
