"""Touchpoint Block Kit and texts, built from plain values and checked against Slack's limits."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.dates import When
from bot.delivery.absence import Period
from bot.services.registry import PartnerFacts
from bot.services.touchpoints import (
    AskerNote,
    BadTouchpoint,
    Briefing,
    Clash,
    CollisionAlert,
    IntentOutcome,
    Known,
    LaterNote,
    OwnerNote,
    PartnerWhileAway,
    Problem,
    Recorded,
    Touch,
    WelcomeBack,
)
from handlers.blocks import touchpoints as blocks
from handlers.blocks.partners import say
from handlers.reply import Block, Reply
from handlers.texts import touchpoints as texts
from storage.models import IntentAnswer, TeamRole, TouchpointKind
from storage.touchpoints import ContactWhileAway
from tests.factories import partner_facts

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def facts(**changes: Any) -> PartnerFacts:
    return partner_facts(
        **{"deputy_id": "U0DAN", "last_contact_at": NOW - timedelta(days=12), **changes}
    )


def touch(**changes: Any) -> Touch:
    values: dict[str, Any] = {
        "id": 2,
        "kind": TouchpointKind.PLANNED,
        "at": datetime(2026, 11, 27, 13, 0, tzinfo=UTC),
        "day_only": False,
        "medium": "meeting",
        "author_id": "U0CHLOE",
        "participants": (),
        "contacts": ("Jane Doe",),
        "notes": "pilot scope",
        **changes,
    }
    return Touch(**values)


BEN_MET = Clash(
    other=touch(
        id=1,
        kind=TouchpointKind.DONE,
        at=datetime(2026, 11, 23, 12, 0, tzinfo=UTC),
        day_only=True,
        author_id="U0BEN",
        participants=("U0DAN",),
    ),
    same_contact=True,
)


def text_of(value: Reply | list[Block]) -> str:
    items = value.blocks if isinstance(value, Reply) else value
    return json.dumps(items, ensure_ascii=False)


def within_slack_limits(items: list[Block]) -> None:
    assert len(items) <= 50
    for block in items:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= 3000
        for element in block.get("elements", []):
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= 75
                assert len(element["value"]) <= 2000


# --- Dates --------------------------------------------------------------------------------------


def test_dates_for_one_reader_and_for_a_channel() -> None:
    planned = touch()
    assert texts.when(planned, tz=BERLIN, now=NOW) == "on Fri 27 Nov at 14:00"
    assert texts.when(planned, tz=BERLIN) == "on Fri 27 Nov at 14:00"
    day = BEN_MET.other
    assert texts.when(day, tz=NEW_YORK, now=NOW) == "on Mon 23 Nov"
    assert texts.when(touch(at=NOW - timedelta(days=1), day_only=True), tz=BERLIN, now=NOW) == (
        "yesterday"
    )
    intent = touch(kind=TouchpointKind.INTENDED, at=NOW)
    assert texts.when(intent, tz=BERLIN, now=NOW) == "(since today)"
    # Logged in Tokyo for its today (noon there), still yesterday in New York: its date, never
    # "tomorrow"; a plan for that day is tomorrow.
    tokyo_today = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
    logged = touch(kind=TouchpointKind.DONE, at=tokyo_today, day_only=True)
    late_evening = datetime(2026, 11, 25, 23, 0, tzinfo=UTC)  # 18:00 in New York
    assert texts.when(logged, tz=NEW_YORK, now=late_evening) == "on Thu 26 Nov"
    planned_day = touch(at=tokyo_today, day_only=True)
    assert texts.when(planned_day, tz=NEW_YORK, now=late_evening) == "tomorrow"
    token = texts.when_in_channel(planned)
    assert token == (
        f"<!date^{int(planned.at.timestamp())}^{{date_short_pretty}} at {{time}}"
        "|on Fri 27 Nov at 13:00 UTC>"
    )
    assert texts.when_in_channel(day) == "on Mon 23 Nov"
    assert texts.day_words(date(2027, 1, 5), date(2026, 11, 25)) == "on Tue 5 Jan 2027"


def test_deadlines_are_read_in_the_readers_zone() -> None:
    deadline = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    assert texts.by_moment(deadline, tz=NEW_YORK, now=NOW) == "by tomorrow at 04:00"
    assert texts.by_moment(deadline, tz=BERLIN) == "by Thu 26 Nov at 10:00"


# --- The caller's answer ------------------------------------------------------------------------


def test_the_answer_names_who_else_is_in_touch_and_who_to_coordinate_with() -> None:
    result = Recorded(
        partner=facts(),
        touch=touch(participants=("U0DAN",)),
        clashes=[BEN_MET],
        alert_channel="C0PARTNERS",
        owner_told="U0ANA",
        tz=BERLIN,
    )
    reply = blocks.recorded(result, now=NOW)
    shown = text_of(reply)
    assert reply.text.startswith("Planned your meeting with *Acme* on Fri 27 Nov at 14:00")
    assert "together with <@U0DAN>" in shown
    assert "• <@U0BEN> (with <@U0DAN>) met them on Mon 23 Nov with Jane Doe" in shown
    assert "*the same contact person*" in shown
    assert "*Coordinate with <@U0BEN>* before you go further" in reply.text
    assert "I've posted this in <#C0PARTNERS> and mentioned the owner <@U0ANA>" in shown
    assert "so I've let its owner <@U0ANA> know" in shown
    within_slack_limits(reply.blocks)


def test_the_caller_coordinates_with_the_others_and_who_took_part_a_few_named() -> None:
    """Authors first, then who took part with them, each once, not the caller's party; past
    `COORDINATE_NAMED`, how many more (the lines above list them all)."""
    mine = touch(author_id="U0CHLOE", participants=("U0DAN",))
    ben = touch(id=3, author_id="U0BEN", participants=("U0EVE", "U0DAN", "U0CHLOE"))
    fay = touch(id=4, author_id="U0FAY", participants=("U0BEN", "U0GUS", "U0HAL", "U0IVY"))
    two = [Clash(other=o, same_contact=False) for o in (ben, fay)]
    assert texts.coordinate_with(two[:1], reader=mine) == (
        "*Coordinate with <@U0BEN> and <@U0EVE>* before you go further."
    )
    assert texts.coordinate_with(two, reader=mine) == (
        "*Coordinate with <@U0BEN>, <@U0FAY>, <@U0EVE>, <@U0GUS> and 2 more* before you go further."
    )


def test_a_contact_two_colleagues_each_recorded_is_one_line_with_a_plural_verb() -> None:
    """One planned meeting, each of its two colleagues' records naming the other (QA21a BUG 7);
    a third colleague who took part stays in brackets; another day's is another line."""
    ahead = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    ben = touch(id=3, at=ahead, author_id="U0BEN", participants=("U0DAN", "U0CHLOE"))
    chloe = touch(id=4, at=ahead, author_id="U0CHLOE", participants=("U0BEN",), contacts=())
    later = touch(id=5, at=ahead + timedelta(days=1), author_id="U0CHLOE", participants=("U0BEN",))
    clashes = [Clash(other=o, same_contact=False) for o in (ben, chloe, later)]
    said = texts.clash_lines(clashes, tz=BERLIN, now=NOW)
    assert said.splitlines() == [
        "• <@U0BEN> and <@U0CHLOE> (with <@U0DAN>) plan to meet them on Mon 30 Nov at 13:00 "
        "with Jane Doe",
        "• <@U0CHLOE> (with <@U0BEN>) plans to meet them on Tue 1 Dec at 13:00 with Jane Doe",
    ]


def test_the_caller_coordinates_with_whoever_covers_for_an_away_owner_in_touch() -> None:
    ana_met = Clash(
        other=touch(id=1, kind=TouchpointKind.DONE, author_id="U0ANA"), same_contact=False
    )
    result = Recorded(partner=facts(), touch=touch(), clashes=[ana_met], covering="U0DAN")
    reply = blocks.recorded(result, now=NOW)
    assert (
        "*Coordinate with <@U0DAN>* before you go further (<@U0DAN> covers for <@U0ANA>, who "
        "is away)."
    ) in reply.text
    # The deputy logging is sent to nobody but the owner's contact.
    own = Recorded(
        partner=facts(), touch=touch(author_id="U0DAN"), clashes=[ana_met], covering="U0DAN"
    )
    assert "*Coordinate with <@U0ANA>* before you go further." in blocks.recorded(own, now=NOW).text


def test_contacts_the_caller_knew_of_are_a_reminder_not_a_warning() -> None:
    ana_met = Clash(
        other=touch(id=1, kind=TouchpointKind.DONE, author_id="U0ANA"), same_contact=False
    )
    result = Recorded(
        partner=facts(),
        touch=touch(),
        clashes=[ana_met],
        covering="U0DAN",
        already_known=Known.TOGETHER,
    )
    reply = blocks.recorded(result, now=NOW)
    shown = text_of(reply)
    assert ":warning:" not in shown and "Also in touch with *Acme* lately:" in shown
    assert (
        "You know of this already; coordinate with <@U0DAN> as you go (<@U0DAN> covers for "
        "<@U0ANA>, who is away)."
    ) in reply.text


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"alert_threaded": True}, "added this to the thread of the latest alert in #partnerships"),
        ({"alert_channel": None, "no_channel": True}, "No coordination channel is set"),
        # The owner is not told of themselves in the third person (QA20a NIT 2).
        (
            {"touch": touch(author_id="U0ANA")},
            "I've posted this in #partnerships, which names you as its owner.",
        ),
        (
            {"alert_channel": None, "already_known": Known.ALERTED, "alerted_in": "#partnerships"},
            "An alert in #partnerships named you together lately",
        ),
        (
            {"alert_channel": None, "already_known": Known.TOGETHER},
            "You've been in touch with them together with <@U0BEN> lately",
        ),
        (
            {"alert_channel": None, "already_known": Known.MIXED},
            "You and they know of each other already",
        ),
    ],
)
def test_where_the_alert_went(changes: dict[str, Any], said: str) -> None:
    values: dict[str, Any] = {
        "partner": facts(),
        "touch": touch(),
        "clashes": [BEN_MET],
        "alert_channel": "#partnerships",
        **changes,
    }
    assert said in text_of(blocks.recorded(Recorded(**values), now=NOW))


def test_a_contact_with_a_partner_registered_for_it_says_so_first() -> None:
    result = Recorded(partner=facts(), touch=touch(), clashes=[], registered=True, tz=BERLIN)
    reply = blocks.recorded(result, now=NOW)
    assert reply.text.startswith(
        "Registered *Acme* with you as its owner.\nPlanned your meeting with *Acme*"
    )


def test_an_intent_says_who_was_asked_and_until_when() -> None:
    intent = touch(
        kind=TouchpointKind.INTENDED,
        at=NOW,
        asked="U0DAN",
        deadline=NOW + timedelta(days=1),
    )
    reply = blocks.recorded(
        Recorded(partner=facts(), touch=intent, clashes=[], owner_told="U0DAN", tz=NEW_YORK),
        now=NOW,
    )
    shown = text_of(reply)
    assert "Noted that you intend to reach out to *Acme* with Jane Doe: “pilot scope”" in shown
    assert "<@U0DAN>, who covers for the owner <@U0ANA> while away" in shown
    assert "If there is no answer by tomorrow at 04:00, you may go ahead" in shown
    own = touch(kind=TouchpointKind.INTENDED, at=NOW, author_id="U0ANA")
    mine = blocks.recorded(Recorded(partner=facts(), touch=own, clashes=[]), now=NOW)
    assert "You own *Acme*, so you need nobody's go-ahead and I asked nobody" in text_of(mine)


@pytest.mark.parametrize(
    ("owner", "merged_from", "after"),
    [
        # A colleague covering for the away owner takes part: nobody is asked.
        ("U0ANA", None, "*Acme* has a new owner, <@U0ANA>, and whoever covers for them is among "),
        ("U0ANA", "Acme Ltd", "merged into *Acme*, owned by <@U0ANA>, and whoever covers for "),
        (None, "Acme Ltd", "*Acme Ltd* was merged into *Acme*, which has no owner yet, so nobody"),
    ],
)
def test_a_withdrawn_question_says_why_nobody_is_asked(
    owner: str | None, merged_from: str | None, after: str
) -> None:
    intent = touch(kind=TouchpointKind.INTENDED, at=NOW, participants=("U0DAN",))
    said = texts.intent_handed_over(facts(owner_id=owner), intent, None, merged_from=merged_from)
    assert f"would like to reach out to *{merged_from or 'Acme'}* with Jane Doe" in said
    assert after in said
    assert "takes part" not in said
    # Its asker hears why nobody needs to answer it.
    told = blocks.RENDERER.intent_later(
        LaterNote(
            partner=facts(owner_id=owner),
            touch=intent,
            away_until=None,
            tz=BERLIN,
            new_owner=True,
            merged_from=merged_from,
        )
    ).text
    assert after.removesuffix(", so nobody") in told
    assert told.endswith(
        "so your intent to reach out to *Acme* (“pilot scope”) needs nobody's answer: you may "
        "go ahead."
    )


# --- The channel alert and the direct messages --------------------------------------------------


def test_the_alert_names_both_people_both_dates_the_partner_and_the_owner() -> None:
    message = blocks.RENDERER.collision_alert(
        CollisionAlert(
            partner=facts(), touch=touch(), clashes=[BEN_MET], threaded=False, window_days=14
        )
    )
    shown = json.dumps(message.blocks, ensure_ascii=False)
    assert message.text == (
        "Revolving door at Acme: <@U0CHLOE>, <@U0BEN> and <@U0DAN> are all in contact "
        "(owner <@U0ANA>)."
    )
    assert ":rotating_light: *Revolving door at Acme*" in shown
    assert "<@U0CHLOE> plans to meet them <!date^" in shown
    assert "<@U0BEN> (with <@U0DAN>) met them on Mon 23 Nov with Jane Doe" in shown
    # Dan, who came along to Ben's meeting, is in it too (QA17 NIT-9).
    assert "Owner <@U0ANA>: please make sure <@U0CHLOE>, <@U0BEN> and <@U0DAN> coordinate" in shown
    assert [e["action_id"] for e in message.blocks[-1]["elements"]] == [blocks.CHECK]
    within_slack_limits(message.blocks)


def test_a_call_moved_or_put_back_near_other_contacts_is_called_a_call() -> None:
    # h1 story s38: "You said your meeting … took place after all" of a planned call.
    call = touch(medium="call")
    moved = texts.moved_near(facts(), call, tz=BERLIN, now=NOW)
    assert moved.startswith(":warning: You moved the call with *Acme*: on Fri 27 Nov at 14:00 ")
    revived = texts.revived_near(facts(), call, tz=BERLIN, now=NOW)
    assert revived.startswith(":warning: You said your call with *Acme* on Fri 27 Nov at 14:00 ")
    assert "meeting" not in moved + revived


def test_the_alerts_notification_names_three_people_as_a_sentence() -> None:
    # h1 story s07: "<@U0EVE> and <@U0BEN>, <@U0CHLOE> are both in contact".
    chloe_plans = Clash(other=touch(id=2, author_id="U0CHLOE"), same_contact=False)
    message = blocks.RENDERER.collision_alert(
        CollisionAlert(
            partner=facts(),
            touch=touch(id=3, author_id="U0EVE"),
            clashes=[BEN_MET, chloe_plans],
            threaded=False,
            window_days=14,
        )
    )
    assert message.text == (
        "Revolving door at Acme: <@U0EVE>, <@U0BEN>, <@U0DAN> and <@U0CHLOE> are all in contact "
        "(owner <@U0ANA>)."
    )


@pytest.mark.parametrize(
    ("clash_author", "covering", "asked"),
    [
        # The owner is one of those in touch: the others coordinate with them.
        ("U0ANA", None, "Owner <@U0ANA>: please make sure <@U0CHLOE> coordinates with you before"),
        (
            "U0BEN",
            "U0DAN",
            "<@U0DAN>, covering for the owner <@U0ANA> while away: please make sure <@U0CHLOE> "
            "and <@U0BEN> coordinate before",
        ),
        (
            "U0DAN",
            "U0DAN",
            "<@U0DAN>, covering for the owner <@U0ANA> while away: please make sure <@U0CHLOE> "
            "coordinates with you before",
        ),
        # The away owner was in touch: whoever covers speaks for them (QA20b NIT 2).
        (
            "U0ANA",
            "U0DAN",
            "<@U0DAN>, covering for the owner <@U0ANA> while away: please make sure <@U0CHLOE> "
            "coordinates before",
        ),
    ],
)
def test_the_one_asked_to_sort_it_out_is_not_asked_to_coordinate_with_themselves(
    clash_author: str, covering: str | None, asked: str
) -> None:
    clash = Clash(other=touch(id=1, author_id=clash_author), same_contact=False)
    message = blocks.RENDERER.collision_alert(
        CollisionAlert(
            partner=facts(),
            touch=touch(),
            clashes=[clash],
            threaded=False,
            window_days=14,
            covering=covering,
        )
    )
    assert asked in text_of(message.blocks)


def test_the_away_owner_reaching_out_is_the_one_the_others_coordinate_with() -> None:
    # QA21a BUG 6: Ana, away, intends to reach out herself; Chloe had a call.
    clash = Clash(
        other=touch(id=1, author_id="U0CHLOE", kind=TouchpointKind.DONE), same_contact=False
    )
    message = blocks.RENDERER.collision_alert(
        CollisionAlert(
            partner=facts(),
            touch=touch(author_id="U0ANA", kind=TouchpointKind.INTENDED),
            clashes=[clash],
            threaded=False,
            window_days=14,
            covering="U0DAN",
        )
    )
    assert (
        "please make sure <@U0CHLOE> coordinates with <@U0ANA>, the one reaching out now, before"
        in text_of(message.blocks)
    )


def test_a_threaded_alert_and_one_about_a_partner_nobody_owns() -> None:
    message = blocks.RENDERER.collision_alert(
        CollisionAlert(
            partner=facts(owner_id=None),
            touch=touch(),
            clashes=[BEN_MET],
            threaded=True,
            window_days=14,
        )
    )
    shown = json.dumps(message.blocks, ensure_ascii=False)
    assert "Another colleague in touch with *Acme*" in shown
    assert "Nobody owns *Acme* yet" in shown
    assert message.text.endswith("are all in contact (no owner yet).")  # not "owner nobody yet"


def test_the_owners_note_and_question() -> None:
    note = OwnerNote(
        partner=facts(), touch=touch(), recipient="U0DAN", clashes=[BEN_MET], tz=BERLIN
    )
    said = blocks.RENDERER.owner_note(note)
    # Perfect tense: the note may reach the owner after the meeting (working hours).
    assert said.text.startswith("<@U0CHLOE> has planned to meet *Acme* on Fri 27 Nov at 14:00")
    assert "you cover for <@U0ANA>, who owns *Acme* and is away" in said.text
    assert "Also in touch within the coordination window" in json.dumps(said.blocks)
    intent = touch(kind=TouchpointKind.INTENDED, deadline=datetime(2026, 11, 26, 9, tzinfo=UTC))
    ask = blocks.RENDERER.intent_ask(
        OwnerNote(partner=facts(), touch=intent, recipient="U0ANA", clashes=[], tz=BERLIN)
    )
    buttons = next(b for b in ask.blocks if b["type"] == "actions")["elements"]
    assert [b["text"]["text"] for b in buttons] == [
        "Go ahead",
        "I'll handle it",
        "Let's talk first",
    ]
    assert {b["value"] for b in buttons} == {"2"}
    assert "If you haven't answered by Thu 26 Nov at 10:00" in json.dumps(ask.blocks)
    within_slack_limits(ask.blocks)


def test_the_owners_note_speaks_of_their_own_contacts_as_theirs() -> None:
    own_plan = Clash(other=touch(id=1, author_id="U0ANA"), same_contact=True)
    with_them = Clash(
        other=touch(id=3, kind=TouchpointKind.DONE, author_id="U0BEN", participants=("U0ANA",)),
        same_contact=False,
    )
    note = OwnerNote(
        partner=facts(),
        touch=touch(author_id="U0CHLOE"),
        recipient="U0ANA",
        clashes=[own_plan, with_them],
        tz=BERLIN,
    )
    shown = text_of(blocks.RENDERER.owner_note(note).blocks)
    assert "• You have planned to meet them on Fri 27 Nov at 14:00 with Jane Doe" in shown
    assert "• <@U0BEN> (with you) met them on" in shown
    assert "<@U0ANA>" not in shown.split("Also in touch")[1]


def test_the_briefing_speaks_to_its_reader_of_their_own_touches() -> None:
    met = touch(kind=TouchpointKind.DONE, author_id="U0BEN")
    assert texts.touch_line(met, tz=BERLIN, now=NOW, reader="U0BEN").startswith(
        "• You met them on Fri 27 Nov"
    )
    handled = touch(
        kind=TouchpointKind.INTENDED,
        author_id="U0BEN",
        asked="U0ANA",
        answer=IntentAnswer.HANDLE_IT,
        answered_by="U0ANA",
    )
    line = texts.touch_line(handled, tz=BERLIN, now=NOW, reader="U0CHLOE")
    assert line.startswith("• <@U0BEN> intends to reach out to them")
    assert line.endswith("— <@U0ANA> answered “I'll handle it”")


def test_a_note_about_another_year_says_the_year() -> None:
    last_year = touch(kind=TouchpointKind.DONE, at=datetime(2025, 11, 30, 12, 0, tzinfo=UTC))
    note = OwnerNote(
        partner=facts(),
        touch=last_year,
        recipient="U0ANA",
        clashes=[],
        tz=BERLIN,
        recorded_at=NOW,
    )
    assert "met *Acme* on Sun 30 Nov 2025 at 13:00" in blocks.RENDERER.owner_note(note).text
    this_year = replace(last_year, at=datetime(2026, 11, 20, 12, 0, tzinfo=UTC))
    note = replace(note, touch=this_year)
    assert "met *Acme* on Fri 20 Nov at 13:00" in blocks.RENDERER.owner_note(note).text


@pytest.mark.parametrize(
    ("answer", "late", "said"),
    [
        (IntentAnswer.GO_AHEAD, False, "says *go ahead* with “pilot scope”"),
        (IntentAnswer.HANDLE_IT, False, "will handle it: please don't reach out"),
        (IntentAnswer.TALK_FIRST, False, "would like to *talk first*"),
        (IntentAnswer.LAPSED, False, "within a working day"),
        (IntentAnswer.HANDLE_IT, True, "A late answer: <@U0ANA>, for *Acme*, will handle it"),
    ],
)
def test_what_the_asker_hears(answer: IntentAnswer, late: bool, said: str) -> None:
    intent = touch(kind=TouchpointKind.INTENDED, answer=answer, answered_by="U0ANA", asked="U0ANA")
    message = blocks.RENDERER.asker_note(
        AskerNote(partner=facts(), touch=intent, late=late, tz=BERLIN)
    )
    assert said in message.text


@pytest.mark.parametrize(
    ("sooner", "back", "away_until", "why"),
    [
        (False, False, datetime(2026, 11, 28, tzinfo=BERLIN), "is away through Fri 27 Nov"),
        (False, True, datetime(2026, 11, 28, tzinfo=BERLIN), "was away through Fri 27 Nov"),
        (True, True, None, "is back"),
        (True, False, datetime(2026, 11, 27, tzinfo=BERLIN), "is away only through Thu 26 Nov now"),
        (True, False, None, "has no time away ahead any more"),
    ],
)
def test_the_asker_hears_that_the_answer_may_come_later_or_sooner(
    sooner: bool, back: bool, away_until: datetime | None, why: str
) -> None:
    deadline = datetime(2026, 12, 1, 8, 15, tzinfo=UTC)
    intent = touch(kind=TouchpointKind.INTENDED, asked="U0ANA", deadline=deadline)
    message = blocks.RENDERER.intent_later(
        LaterNote(
            partner=facts(),
            touch=intent,
            away_until=away_until,
            tz=NEW_YORK,
            sooner=sooner,
            back=back,
        )
    )
    assert message.text == (
        f"<@U0ANA> {why}, so the answer about reaching out to *Acme* (“pilot scope”) may come "
        f"{'sooner' if sooner else 'later'} than I said: if there is none by Tue 1 Dec at "
        "03:15, you may go ahead."
    )
    within_slack_limits(message.blocks)


def test_the_asker_hears_who_covers_for_the_away_owner_and_until_when() -> None:
    deadline = datetime(2026, 11, 27, 9, 15, tzinfo=UTC)
    intent = touch(kind=TouchpointKind.INTENDED, asked="U0DAN", deadline=deadline)
    message = blocks.RENDERER.intent_later(
        LaterNote(
            partner=facts(),
            touch=intent,
            away_until=datetime(2026, 11, 28, tzinfo=BERLIN),
            tz=NEW_YORK,
            covering_for="U0ANA",
        )
    )
    assert message.text == (
        "<@U0ANA> is away through Fri 27 Nov, so I've asked <@U0DAN>, who covers for them, "
        "about reaching out to *Acme* (“pilot scope”): if there is no answer by Fri 27 Nov at "
        "04:15, you may go ahead."
    )
    within_slack_limits(message.blocks)


def while_away(partner_id: int, name: str) -> PartnerWhileAway:
    logged = ContactWhileAway(
        id=1,
        partner_id=partner_id,
        partner_name=name,
        kind=TouchpointKind.DONE,
        author_id="U0CHLOE",
        intent_answer=None,
        intent_answered_by=None,
    )
    return PartnerWhileAway(id=partner_id, name=name, contacts=(logged,), alerts=0)


def test_the_welcome_back_sums_up_each_partner_with_its_brief_me() -> None:
    partners = tuple(while_away(n, f"R&D <Lab> {n}") for n in range(1, 11))
    away = Period(
        datetime(2026, 11, 24, 23, 0, tzinfo=UTC), datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
    )
    message = blocks.RENDERER.welcome_back(
        WelcomeBack(recipient="U0ANA", away=away, partners=partners, tz=BERLIN, now=NOW)
    )
    assert message.text.startswith(
        "Welcome back! Your time away from *Wed 25 Nov* to *Fri 27 Nov* is over.\n"
        "While you were away, with the partners you own:\n"
        "• *R&D <Lab> 1*: <@U0CHLOE> logged 1 contact.\n"
    )
    assert message.text.endswith("… and 2 more partners.\n`/partner check NAME` briefs you on one.")
    lines = [block for block in message.blocks if "accessory" in block]
    assert len(lines) == 8  # at most WHILE_AWAY_PARTNERS, the rest counted
    assert lines[0]["text"]["text"] == "• *R&amp;D &lt;Lab&gt; 1*: <@U0CHLOE> logged 1 contact."
    assert lines[0]["accessory"]["action_id"] == blocks.CHECK
    assert lines[0]["accessory"]["value"] == "1"
    assert message.blocks[-1]["type"] == "context"
    within_slack_limits(message.blocks)


def test_the_answered_question_keeps_no_answer_buttons() -> None:
    intent = touch(kind=TouchpointKind.INTENDED, answer=IntentAnswer.GO_AHEAD, answered_by="U0DAN")
    outcome = IntentOutcome(
        partner=facts(),
        touch=intent,
        recorded=True,
        late=False,
        asked_channel="D0ANA",
        asked_ts="1.2",
    )
    shown = text_of(blocks.intent_answered(outcome))
    assert "✅ <@U0DAN> answered *Go ahead* — I'm letting <@U0CHLOE>" in shown
    assert "intent_go_ahead" not in shown
    assert "<@U0DAN> already answered *Go ahead*" in texts.already_answered(outcome)


# --- check --------------------------------------------------------------------------------------


def test_the_briefing() -> None:
    found = Briefing(
        partner=facts(),
        members=["U0CHLOE"],
        last_contact_by="U0BEN",
        recent=[BEN_MET.other],
        planned=[],
        intents=[],
        caller_role=None,
        window_days=14,
        tz=BERLIN,
    )
    reply = blocks.briefing(found, now=NOW)
    shown = text_of(reply)
    assert "Before you reach out: Acme" in shown
    assert "*Last contact*\\n12 days ago by <@U0BEN>" in shown
    assert "*Planned*\\nNothing planned." in shown
    assert "Intents" not in shown
    assert "give <@U0ANA> a heads-up first" in shown
    owner = Briefing(**{**found.__dict__, "caller_role": TeamRole.OWNER})
    assert "You own it" in text_of(blocks.briefing(owner, now=NOW))
    within_slack_limits(reply.blocks)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (
            None,
            "You're not on its team; your intent “joint event” is open with <@U0ANA>: their "
            "answer comes to you as a direct message.",
        ),
        (IntentAnswer.GO_AHEAD, "<@U0ANA> said *go ahead* to your intent “joint event”."),
        (IntentAnswer.HANDLE_IT, "<@U0ANA> will handle your intent “joint event”: please don't"),
        (IntentAnswer.TALK_FIRST, "<@U0ANA> would like to *talk first* about your intent"),
        (
            IntentAnswer.LAPSED,
            "your intent “joint event” had no answer in time from <@U0ANA>, so you may go ahead.",
        ),
    ],
)
def test_the_briefing_of_someone_whose_intent_is_known_suggests_no_other(
    answer: IntentAnswer | None, expected: str
) -> None:
    intent = touch(
        kind=TouchpointKind.INTENDED,
        author_id="U0BEN",
        notes="joint event",
        asked="U0ANA",
        answer=answer,
        answered_by=None if answer in (None, IntentAnswer.LAPSED) else "U0ANA",
    )
    found = Briefing(
        partner=facts(),
        members=[],
        last_contact_by=None,
        recent=[],
        planned=[],
        intents=[intent],
        own_intent=intent,
        caller_role=None,
        window_days=14,
        tz=BERLIN,
    )
    shown = text_of(blocks.briefing(found, now=NOW))
    assert expected in shown
    assert "heads-up first" not in shown and "/partner intend" not in shown


def test_a_plan_whose_moment_has_passed_reads_in_the_past_tense() -> None:
    passed = touch(at=NOW - timedelta(hours=3), author_id="U0BEN", contacts=())
    coming = touch(at=NOW + timedelta(hours=3), author_id="U0DAN", contacts=(), medium="call")
    found = Briefing(
        partner=facts(),
        members=[],
        last_contact_by=None,
        recent=[],
        planned=[passed, coming],
        intents=[],
        caller_role=None,
        window_days=14,
        tz=BERLIN,
    )
    shown = text_of(blocks.briefing(found, now=NOW))
    assert (
        "*Planned*\\n• <@U0BEN> planned to meet them today at 07:00\\n"
        "• <@U0DAN> plans a call with them today at 13:00"
    ) in shown
    # The caller's answer to `plan` or `log`, about the others in touch.
    lines = texts.clash_lines(
        [Clash(other=passed, same_contact=False)], tz=NEW_YORK, now=NOW + timedelta(days=1)
    )
    assert lines == "• <@U0BEN> planned to meet them yesterday at 01:00"
    # A plan for a day, without a time, is still to come until that day is over.
    today = touch(at=NOW.replace(hour=12), day_only=True, contacts=())
    assert texts.touch_line(today, tz=BERLIN, now=NOW.replace(hour=20)) == (
        "• <@U0CHLOE> plans to meet them today"
    )
    assert texts.touch_line(today, tz=BERLIN, now=NOW + timedelta(days=1)).startswith(
        "• <@U0CHLOE> planned to meet them yesterday"
    )


@pytest.mark.parametrize(
    ("medium", "done", "planned"),
    [
        ("meeting", "met {}", "plan to meet {}"),
        ("call", "had a call with {}", "plan a call with {}"),
        ("email", "emailed {}", "plan to email {}"),
        ("event", "met {} at an event", "plan to meet {} at an event"),
        (None, "was in touch with {}", "plan to be in touch with {}"),
    ],
)
def test_every_kind_of_contact_reads_well_with_its_partner(
    medium: str | None, done: str, planned: str
) -> None:
    """The partner goes where English puts it: "met them at an event", never "met at an event
    them" (QA20c BUG 3), in every form of the verb and for a partner's name as for "them"."""
    logged = touch(kind=TouchpointKind.DONE, medium=medium)
    plan = touch(medium=medium)
    for target in ("them", "*Globex*"):
        assert texts.action(logged, target) == done.format(target)
        assert texts.action(plan, target, you=True) == planned.format(target)
        third = planned.format(target).replace("plan ", "plans ", 1)
        assert texts.action(plan, target) == third
        was = planned.format(target).replace("plan to", "planned to").replace("plan a", "planned a")
        assert texts.action(plan, target, passed=True) == was
        assert texts.action(plan, target, read_later=True) == f"has {was}"
    # The whole line in `check`, and the owner's note.
    line = texts.touch_line(logged, tz=BERLIN, now=NOW, reader="U0CHLOE")
    assert line.startswith(f"• You {done.format('them').replace('was', 'were')} on Fri 27 Nov")
    note = texts.owner_note(facts(name="Globex"), logged, "U0ANA", tz=BERLIN, written=NOW)
    assert note.startswith(f"<@U0CHLOE> {done.format('*Globex*')} on Fri 27 Nov")
    # The caller's answer: "your email to *Acme*", else "your call with *Acme*".
    lead = texts.recorded_lead(
        Recorded(partner=facts(), touch=plan, clashes=[], tz=BERLIN), now=NOW
    )
    to = "to" if medium == "email" else "with"
    if medium == "event":  # not "your event", as if the caller hosted it (QA21a NIT 1)
        assert lead.startswith("Planned your meeting with *Acme* at an event on Fri 27 Nov")
    else:
        assert lead.startswith(f"Planned your {medium or 'contact'} {to} *Acme* on Fri 27 Nov")


# --- "Register it" ------------------------------------------------------------------------------


def test_register_it_joins_the_did_you_mean_buttons() -> None:
    typed = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    value = blocks.register_value(
        name="Globex", line="log Globex : hi", key="cmd:t1", typed_at=typed
    )
    assert value is not None
    assert blocks.read_register_value(value) == blocks.RegisterClick(
        "Globex", "log Globex : hi", "cmd:t1", typed
    )
    assert blocks.read_register_value("not json") is None
    # A button made before the time was kept still works, as of the click.
    older = '{"name": "Globex", "line": "log Globex : hi", "key": null}'
    assert blocks.read_register_value(older) == blocks.RegisterClick(
        "Globex", "log Globex : hi", None, None
    )
    with_pick = Reply(text="?", blocks=[{"type": "actions", "elements": [{"action_id": "p"}]}])
    added = blocks.with_register(with_pick, query="Globex", value=value)
    assert [e["action_id"] for e in added.blocks[-1]["elements"]] == ["p", blocks.REGISTER]
    alone = blocks.with_register(say("no idea"), query="Globex", value=value)
    assert alone.blocks[-1]["elements"][0]["text"]["text"] == "Register it: Globex"
    too_long = "log x : " + "y" * 2000
    assert blocks.register_value(name="x", line=too_long, key=None, typed_at=typed) is None


# --- The form -----------------------------------------------------------------------------------


def test_the_log_form() -> None:
    view = blocks.log_form(today=date(2026, 11, 25), private_metadata="{}")
    assert view["callback_id"] == blocks.LOG_VIEW
    assert len(view["title"]["text"]) <= 24
    by_block = {block["block_id"]: block for block in view["blocks"]}
    picker = by_block[blocks.PARTNER_FIELD]["element"]
    assert picker["type"] == "external_select"
    assert picker["action_id"] == blocks.PARTNER_PICKER and picker["min_query_length"] == 1
    assert by_block[blocks.DATE_FIELD]["element"]["initial_date"] == "2026-11-25"
    assert by_block[blocks.COLLEAGUES_FIELD]["element"]["type"] == "multi_users_select"
    assert by_block[blocks.NOTES_FIELD]["element"]["max_length"] == 3000
    mediums = by_block[blocks.MEDIUM_FIELD]["element"]["options"]
    assert [option["value"] for option in mediums] == ["meeting", "call", "email", "event"]


def test_partner_options_show_the_alias_that_matched() -> None:
    found = [(1, "Médecins Sans Frontières", "MSF"), (2, "Acme", "Acme"), (3, "x" * 100, "x" * 100)]
    options = blocks.partner_options(found * 10)
    assert len(options) == blocks.MAX_OPTIONS
    assert options[0] == {
        "text": {"type": "plain_text", "text": "Médecins Sans Frontières (MSF)", "emoji": True},
        "value": "1",
    }
    assert options[1]["text"]["text"] == "Acme"
    assert len(options[2]["text"]["text"]) == 75


def test_a_name_no_partner_goes_by_is_offered_last_to_register() -> None:
    options = blocks.partner_options([(2, "Acme", "Acme")], unregistered="Acme Labs")
    assert [option["text"]["text"] for option in options] == ["Acme", "➕ Register “Acme Labs”"]
    assert blocks.new_partner_of(options[-1]["value"]) == "Acme Labs"
    assert blocks.new_partner_of(options[0]["value"]) is None
    long = blocks.partner_options([], unregistered="y" * 200)[0]
    assert len(long["text"]["text"]) <= 75 and long["text"]["text"].endswith("…”")
    # Too long to be a name anyway: what fits is refused as too long when the form is sent.
    assert len(long["value"]) == blocks.MAX_OPTION_VALUE
    assert blocks.partner_options([], unregistered=None) == []


# --- Bad input ----------------------------------------------------------------------------------


def test_a_future_weekday_suggests_the_last_one() -> None:
    error = BadTouchpoint(
        Problem.LOG_IN_FUTURE,
        when=When(date(2026, 12, 1), None, BERLIN),
        typed="tuesday",
    )
    said = texts.problem(error, verb="log")
    assert said.startswith("`tuesday` (Tue 1 Dec 2026) is in the future")
    assert "Did you mean `last tuesday`?" in said
    error = BadTouchpoint(Problem.LOG_IN_FUTURE, when=When(date(2026, 12, 1), None, BERLIN))
    assert "Did you mean" not in texts.problem(error, verb="log")
    past = BadTouchpoint(Problem.PLAN_IN_PAST, when=When(date(2026, 11, 2), None, BERLIN))
    assert "an intent is about what is to come" in texts.problem(past, verb="intend")
    assert "For one that happened, use `/partner log`" in texts.problem(past, verb="plan")


def test_names_that_look_like_lists_are_quoted_among_people() -> None:
    several = touch(contacts=("Smith, John", "Anna and Bob", "Li Wei"))
    assert texts.with_contact(several) == " with “Smith, John”, “Anna and Bob” and Li Wei"
    assert texts.with_contact(touch(contacts=("Andrea Sand",))) == " with Andrea Sand"


def test_two_contacts_that_read_alike_are_said_once_with_how_often() -> None:
    first = Clash(other=touch(id=1, author_id="U0BEN", contacts=()), same_contact=False)
    again = Clash(other=touch(id=2, author_id="U0BEN", contacts=()), same_contact=False)
    lines = texts.clash_lines([first, again], tz=NEW_YORK, now=NOW).splitlines()
    assert len(lines) == 1 and lines[0].endswith(" (twice)")
    assert "<@U0BEN>" in lines[0]
