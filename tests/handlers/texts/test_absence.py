"""The `away` and `back` replies: pure functions of what was recorded."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.delivery.absence import AwayResult, BackResult, Period, Shortened
from bot.services.touchpoints import PartnerWhileAway
from handlers.texts.absence import away_recorded, back, while_away
from storage.models import IntentAnswer, TouchpointKind
from storage.partners import OwnedPartner
from storage.touchpoints import ContactWhileAway

UTC_ZONE = ZoneInfo("UTC")
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
WEEK = AwayResult(
    starts_at=datetime(2026, 12, 7, tzinfo=UTC),
    ends_at=datetime(2026, 12, 12, tzinfo=UTC),
    deputy_id=None,
)


def owned(*names: str, deputy: str | None = None) -> list[OwnedPartner]:
    return [OwnedPartner(name=name, deputy_id=deputy) for name in names]


def test_an_only_partner_without_a_deputy_is_named_with_both_ways_to_cover_it() -> None:
    said = away_recorded(WEEK, tz=UTC_ZONE, now=NOW, owned=owned("Oxfam"))
    assert (
        "While you're away, your check-ins and surveys wait for you. *Oxfam*, which you own, "
        "has no "
        "deputy, so its alerts wait for you too: set one with `/partner deputy Oxfam "
        "@colleague`, or name someone to cover your time away with "
        "`/partner away 2026-12-07 to 2026-12-11 deputy @colleague`. Type `/partner away cancel`"
    ) in said


def test_many_partners_without_a_deputy_are_counted() -> None:
    said = away_recorded(WEEK, tz=UTC_ZONE, now=NOW, owned=owned("A", "B", "C", "D", "E"))
    assert "None of the 5 partners you own has a deputy, so their alerts wait for you too" in said
    assert "`/partner deputy NAME @colleague`" in said

    mixed = [*owned("A", "B", "C", "D", "E"), *owned("F", deputy="U0DAN")]
    said = away_recorded(WEEK, tz=UTC_ZONE, now=NOW, owned=mixed)
    assert (
        "alerts about partners you own go to each partner's deputy. *A*, *B*, *C* and 2 more "
        "have no deputy" in said
    )
    said = away_recorded(WEEK, tz=UTC_ZONE, now=NOW, owned=[*owned("A", "B"), *mixed[-1:]])
    assert "*A* and *B* have no deputy, so their alerts wait for you too" in said


def test_covered_partners_and_no_partners_promise_only_what_happens() -> None:
    said = away_recorded(WEEK, tz=UTC_ZONE, now=NOW, owned=owned("Oxfam", deputy="U0DAN"))
    assert "alerts about partners you own go to each partner's deputy. Type" in said
    said = away_recorded(WEEK, tz=UTC_ZONE, now=NOW, owned=[])
    assert "surveys wait for you. Type `/partner away cancel` to call it off." in said
    named = AwayResult(starts_at=WEEK.starts_at, ends_at=WEEK.ends_at, deputy_id="U0BEN")
    said = away_recorded(named, tz=UTC_ZONE, now=NOW, owned=[], elsewhere=[["U0BEN"]])
    assert "reminders of commitments you own go to <@U0BEN>." in said
    # QA: a deputy was said to take the reminders of someone who owns no commitment.
    said = away_recorded(named, tz=UTC_ZONE, now=NOW, owned=[])
    assert "surveys wait for you. Type `/partner away cancel` to call it off." in said
    said = away_recorded(named, tz=UTC_ZONE, now=NOW, owned=owned("Oxfam"))
    assert "partners you own go to <@U0BEN>." in said and "no deputy" not in said
    # QA20a NIT 5: no "each partner's deputy, or else @ben" when ben is the only deputy named.
    said = away_recorded(named, tz=UTC_ZONE, now=NOW, owned=owned("Oxfam", deputy="U0BEN"))
    assert "partners you own go to <@U0BEN>." in said and "each partner" not in said
    said = away_recorded(
        named, tz=UTC_ZONE, now=NOW, owned=[*owned("Oxfam"), *owned("MSF", deputy="U0DAN")]
    )
    assert "go to each partner's deputy, or else <@U0BEN>." in said


def test_naming_a_deputy_is_suggested_in_the_words_the_person_typed() -> None:
    """QA: `away friday` suggested `away 2026-12-04 to 2026-12-04 deputy @colleague`."""
    friday = AwayResult(
        starts_at=datetime(2026, 12, 4, tzinfo=UTC),
        ends_at=datetime(2026, 12, 5, tzinfo=UTC),
        deputy_id=None,
    )
    said = away_recorded(friday, tz=UTC_ZONE, now=NOW, owned=owned("Oxfam"), typed="friday")
    assert "cover your time away with `/partner away friday deputy @colleague`." in said
    hours = AwayResult(starts_at=NOW, ends_at=NOW + timedelta(hours=3), deputy_id=None)
    said = away_recorded(hours, tz=UTC_ZONE, now=NOW, owned=owned("Oxfam"), typed="now to 12:00")
    assert "`/partner away now to 12:00 deputy @colleague`" in said


def test_time_away_in_hours_is_suggested_in_the_general_form() -> None:
    hours = AwayResult(starts_at=NOW, ends_at=NOW + timedelta(hours=3), deputy_id=None)
    said = away_recorded(hours, tz=UTC_ZONE, now=NOW, owned=owned("Oxfam"))
    assert "`/partner away FROM to UNTIL deputy @colleague`" in said


def test_back_says_when_the_messages_that_waited_arrive() -> None:
    ended = BackResult(ended=Period(NOW - timedelta(days=1), NOW), released=3)
    assert "3 messages that waited for you will arrive shortly." in back(
        ended, tz=UTC_ZONE, now=NOW, arrives_at=NOW
    )
    tomorrow = datetime(2026, 11, 26, 9, 7, tzinfo=UTC)
    assert "will arrive in your working hours, from Thu 26 Nov 09:07." in back(
        ended, tz=UTC_ZONE, now=NOW, arrives_at=tomorrow
    )


def test_time_away_to_come_is_called_off_with_away_cancel_and_begun_ended_with_back() -> None:
    """QA20b NIT 1: `back` does nothing to time away still to come."""
    said = away_recorded(WEEK, tz=UTC_ZONE, now=NOW)
    assert "Type `/partner away cancel` to call it off." in said and "partner back" not in said
    today = AwayResult(
        starts_at=NOW - timedelta(hours=9), ends_at=NOW + timedelta(hours=15), deputy_id=None
    )
    said = away_recorded(today, tz=UTC_ZONE, now=NOW)
    assert "Type `/partner back` to end it early." in said


def test_time_away_already_over_is_not_said_to_be_replaced() -> None:
    """QA20b NIT 5: after `back`, `away today` again covers the ended time away of today, which
    is no news; time away still on or to come that it replaces is."""
    ended = Period(NOW - timedelta(hours=9), NOW - timedelta(hours=1))
    still_on = Period(NOW - timedelta(hours=9), NOW + timedelta(hours=2))
    today = AwayResult(
        starts_at=NOW - timedelta(hours=9),
        ends_at=NOW + timedelta(hours=15),
        deputy_id=None,
        replaced=(ended,),
    )
    assert "replaces" not in away_recorded(today, tz=UTC_ZONE, now=NOW)
    today = replace(today, replaced=(ended, still_on))
    said = away_recorded(today, tz=UTC_ZONE, now=NOW)
    assert "This replaces your time away on *Wed 25 Nov* until *11:00*" in said


def test_reminders_of_commitments_on_partners_others_own_say_where_they_go() -> None:
    """To whoever `stand_in` picks during the time away, in turn, else they wait (QA: "wait
    for you" was all it said while they went to the owner; then it named an owner away too)."""
    said = away_recorded(WEEK, tz=UTC_ZONE, now=NOW, elsewhere=[["U0ANA"], ["U0ANA"]])
    assert (
        "surveys wait for you, and reminders of commitments you own go to <@U0ANA>, who "
        "follows their partners. Type"
    ) in said
    said = away_recorded(WEEK, tz=UTC_ZONE, now=NOW, elsewhere=[["U0ANA"], ["U0CHLOE"], [None]])
    assert (
        "reminders of commitments you own go to whoever follows each partner and is here, or "
        "wait for you while nobody else is here to take them."
    ) in said
    said = away_recorded(WEEK, tz=UTC_ZONE, now=NOW, elsewhere=[[None]])
    assert "surveys wait for you, and reminders of commitments you own wait for you too." in said
    # Ana, who owns the partner, is away for part of it: they wait for you then.
    said = away_recorded(WEEK, tz=UTC_ZONE, now=NOW, elsewhere=[[None, "U0ANA"]])
    assert (
        "reminders of commitments you own go to <@U0ANA>, who follows their partner, or wait "
        "for you while nobody else is here to take them."
    ) in said
    said = away_recorded(
        WEEK, tz=UTC_ZONE, now=NOW, owned=owned("Oxfam", deputy="U0DAN"), elsewhere=[["U0ANA"]]
    )
    assert (
        "alerts about partners you own go to each partner's deputy; reminders of your "
        "commitments on partners others own go to <@U0ANA>, who follows their partner."
    ) in said
    named = AwayResult(starts_at=WEEK.starts_at, ends_at=WEEK.ends_at, deputy_id="U0BEN")
    said = away_recorded(named, tz=UTC_ZONE, now=NOW, elsewhere=[["U0BEN"]])
    assert "surveys wait for you, and reminders of commitments you own go to <@U0BEN>." in said
    said = away_recorded(named, tz=UTC_ZONE, now=NOW, owned=owned("Oxfam"), elsewhere=[["U0BEN"]])
    assert (
        "partners you own go to <@U0BEN>; reminders of your commitments on partners others own "
        "go to <@U0BEN>."
    ) in said
    # Ben is away for part of it: Ana, who follows the partner, takes them then.
    said = away_recorded(named, tz=UTC_ZONE, now=NOW, elsewhere=[["U0BEN", "U0ANA"]])
    assert (
        "reminders of commitments you own go to <@U0BEN>, or while they are away to whoever "
        "follows each partner."
    ) in said
    # No commitments elsewhere: nothing more said.
    said = away_recorded(WEEK, tz=UTC_ZONE, now=NOW)
    assert "reminders" not in said


def test_time_away_within_one_day_is_that_day_with_its_hours() -> None:
    """QA: `away now to 17:00` inside a day already booked left its evening, shown as "from
    Mon 7 Dec 17:00 to Mon 7 Dec" (and its morning "from Mon 7 Dec to Mon 7 Dec 08:00")."""
    day = datetime(2026, 12, 7, tzinfo=UTC)
    hours = AwayResult(
        starts_at=day + timedelta(hours=8),
        ends_at=day + timedelta(hours=17),
        deputy_id=None,
        shortened=(
            Shortened(
                before=Period(day, day + timedelta(days=1)),
                left=(
                    Period(day, day + timedelta(hours=8)),
                    Period(day + timedelta(hours=17), day + timedelta(days=1)),
                ),
            ),
        ),
    )
    said = away_recorded(hours, tz=UTC_ZONE, now=NOW)
    assert "You're away on *Mon 7 Dec* from *08:00* to *17:00* (UTC)." in said
    assert (
        "Your time away on *Mon 7 Dec* overlapped it; it now stays on *Mon 7 Dec* until *08:00* "
        "and on *Mon 7 Dec* from *17:00* only."
    ) in said
    # Across days, the moments stay whole.
    later = replace(WEEK, starts_at=WEEK.starts_at + timedelta(hours=14))
    assert "from *Mon 7 Dec 14:00* to *Fri 11 Dec*" in away_recorded(later, tz=UTC_ZONE, now=NOW)


def _intent(answer: IntentAnswer | None, n: int = 1, by: str | None = None) -> ContactWhileAway:
    return ContactWhileAway(
        id=n,
        partner_id=1,
        partner_name="Oxfam",
        kind=TouchpointKind.INTENDED,
        author_id="U0ANA",
        intent_answer=answer,
        intent_answered_by=by,
    )


def test_several_intents_while_away_are_counted_by_outcome() -> None:
    """QA: the welcome-back said "stated 2 intents (then logged the contact; no answer in
    time)", leaving the owner to guess which was which."""

    def said(*intents: ContactWhileAway) -> str:
        return while_away([PartnerWhileAway(id=1, name="Oxfam", contacts=tuple(intents), alerts=0)])

    mixed = said(_intent(IntentAnswer.LOGGED), _intent(IntentAnswer.LAPSED, 2))
    assert (
        "<@U0ANA> stated 2 intents (1 then logged as a contact; 1 with no answer in time)" in mixed
    )
    alike = said(*(_intent(IntentAnswer.LAPSED, n) for n in (1, 2)))
    assert "stated 2 intents (both with no answer in time)" in alike
    logged = said(*(_intent(IntentAnswer.LOGGED, n) for n in (1, 2, 3)))
    assert "stated 3 intents (all 3 then logged as contacts)" in logged
    answered = said(_intent(IntentAnswer.GO_AHEAD, by="U0DAN"), _intent(None, 2))
    assert "(1 answered “Go ahead” by <@U0DAN>; 1 still waiting for an answer)" in answered
    # One alone reads as before.
    assert "stated 1 intent (then logged the contact)" in said(_intent(IntentAnswer.LOGGED))
