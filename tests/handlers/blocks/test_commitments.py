"""Commitment, cadence and export Block Kit and texts, built from plain values."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.services.cadence import CadenceState, Intervals, Nudge, Source, Standing
from bot.services.commitments import (
    Assigned,
    BadCommitment,
    Balance,
    Changed,
    Closed,
    ClosedListing,
    CommitmentFacts,
    Listing,
    PartnerCommitments,
    Problem,
    Recorded,
    Reminder,
    Scope,
    Stage,
)
from bot.services.export import Dataset, Export, Reach
from handlers.blocks import commitments as blocks
from handlers.reply import Block
from handlers.texts import commitments as texts
from storage.models import CommitmentSide, CommitmentStatus
from tests.factories import partner_facts

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
TOKYO = ZoneInfo("Asia/Tokyo")


facts = partner_facts


def item(**changes: Any) -> CommitmentFacts:
    values: dict[str, Any] = {
        # The id (internal: buttons) differs from the number people read and type.
        "id": 912,
        "number": 12,
        "partner_id": 7,
        "partner_name": "Acme",
        "side": CommitmentSide.US,
        "owner_id": "U0BEN",
        "what": "the draft MoU",
        "due_on": date(2026, 12, 4),
        "status": CommitmentStatus.OPEN,
        "created_by": "U0ANA",
        "created_at": NOW,
        "closed_by": None,
        "closed_at": None,
        "on_time": None,
        "overdue_days": 0,
        "this_year": 2026,
        **changes,
    }
    return CommitmentFacts(**values)


def text_of(blocks_: list[Block]) -> str:
    return json.dumps(blocks_, ensure_ascii=False)


def buttons(blocks_: list[Block]) -> list[tuple[str, str]]:
    return [
        (element["action_id"], element["value"])
        for block in blocks_
        if block["type"] == "actions"
        for element in block["elements"]
    ]


@pytest.mark.parametrize(
    ("stage", "side", "expected"),
    [
        (Stage.BEFORE, CommitmentSide.US, "is due Fri 4 Dec, in 3 working days. Done already?"),
        (
            Stage.DUE,
            CommitmentSide.US,
            ":date: `#12` *we* owe *Acme* “the draft MoU” is due Fri 4 Dec.",
        ),
        (Stage.OVERDUE, CommitmentSide.US, ":warning: `#12` *we* owe *Acme*"),
        (
            Stage.OVERDUE,
            CommitmentSide.THEM,
            "*Acme* owes us “the draft MoU”: it was due Fri 4 Dec",
        ),
        (Stage.DUE, CommitmentSide.THEM, "Time to chase *Acme*, or close it if they delivered."),
    ],
)
def test_a_reminder_names_the_partner_the_promise_and_offers_the_next_steps(
    stage: Stage, side: CommitmentSide, expected: str
) -> None:
    shown = blocks.reminder(
        Reminder(
            commitment=item(side=side), stage=stage, recipient="U0BEN", covering_for=None, tz=TOKYO
        )
    )
    assert expected in shown.text
    assert buttons(shown.blocks) == [
        (blocks.DONE, "912"),
        (blocks.DROP, "912"),
        (blocks.NEW_DATE, "912"),
    ]
    role = "own it" if side is CommitmentSide.US else "follow it up"
    assert f"You get this because you {role}." in text_of(shown.blocks)


def test_a_reminder_to_a_stand_in_says_for_whom() -> None:
    shown = blocks.reminder(
        Reminder(
            commitment=item(), stage=Stage.DUE, recipient="U0DAN", covering_for="U0BEN", tz=TOKYO
        )
    )
    assert "<@U0BEN>, who would own it, is away and you cover for them" in text_of(shown.blocks)


def test_a_reminder_to_an_owner_the_note_never_reached_says_who_recorded_it() -> None:
    shown = blocks.reminder(
        Reminder(
            commitment=item(),
            stage=Stage.BEFORE,
            recipient="U0BEN",
            covering_for=None,
            tz=TOKYO,
            recorded_by="U0ANA",
        )
    )
    assert "You get this because you own it; <@U0ANA> recorded it for you." in text_of(shown.blocks)


def test_a_note_reaching_its_owner_after_the_due_day_says_it_is_overdue() -> None:
    note = blocks.assigned(Assigned(commitment=item(overdue_days=3), by="U0ANA", tz=TOKYO))
    assert note.text == (
        "<@U0ANA> recorded `#12`: *we* owe *Acme* “the draft MoU”, due Fri 4 Dec, and it is "
        "overdue now. You own it; I'll remind you every week while it is still open."
    )


def test_assigned_and_recorded() -> None:
    note = blocks.assigned(
        Assigned(commitment=item(side=CommitmentSide.THEM), by="U0ANA", tz=TOKYO)
    )
    assert note.text.startswith("<@U0ANA> recorded `#12`: *Acme* owes us “the draft MoU”")
    assert "You follow it up" in note.text
    lopsided = Balance(open_us=4, open_them=1, kept_us=2, late_us=1, dropped_them=1)
    reply = blocks.recorded(
        Recorded(commitment=item(), partner=facts(), balance=lopsided, owner_told=True)
    )
    shown = text_of(reply.blocks)
    assert "Recorded `#12`: *we* owe *Acme* “the draft MoU”, due Fri 4 Dec." in reply.text
    assert (
        "I'll remind <@U0BEN> 3 working days before, on the day, then the next working day if it "
        "is still open, and every week after that." in reply.text
    )
    assert "kept — ours 2 on time, 1 late; theirs 0 on time, 1 dropped" in shown
    assert "*Lopsided workload* with *Acme*: our side carries 80% of the open commitments" in shown


def test_recorded_says_which_reminders_are_still_to_come_and_what_time_was_left_out() -> None:
    def said(**fields: Any) -> str:
        found = Recorded(commitment=item(), partner=facts(), balance=Balance(), **fields)
        return blocks.recorded(found).text

    assert "due Fri 4 Dec (a commitment is due on a day, so I left out the 14:00)." in said(
        owner_told=True, time_left_out=time(14, 0)
    )
    assert "I'll remind <@U0BEN> on the day, then the next working day if it is still" in said(
        owner_told=True, first_reminder=Stage.DUE
    )
    due_today = said(owner_told=True, first_reminder=Stage.OVERDUE)
    assert "I'll remind <@U0BEN> the next working day if it is still open" in due_today
    assert "working days before" not in due_today
    note = blocks.assigned(
        Assigned(commitment=item(), by="U0ANA", tz=TOKYO, first_reminder=Stage.DUE)
    )
    assert note.text.endswith("You own it; I'll remind you on the day.")


def test_who_may_close_a_commitment_they_follow_up() -> None:
    theirs = item(side=CommitmentSide.THEM, owner_id="U0ANA")
    assert texts.not_allowed(theirs, facts()).startswith("Only <@U0ANA> (who follows it up)")


def test_closed() -> None:
    done = item(status=CommitmentStatus.DONE, on_time=True, closed_by="U0BEN", closed_at=NOW)
    # Kept or dropped, nobody owes it any more: "we promised", not "we owe" (QA BUG).
    assert texts.closed(Closed(commitment=done, balance=Balance())) == (
        "Marked `#12` done — we kept our promise, on time: *we* promised *Acme* “the draft MoU”."
    )
    late = item(side=CommitmentSide.THEM, status=CommitmentStatus.DONE, on_time=False)
    assert texts.closed(Closed(commitment=late, balance=Balance())) == (
        "Marked `#12` done — they kept theirs, late (it was due Fri 4 Dec): *Acme* promised us "
        "“the draft MoU”."
    )
    for side, said in (
        (CommitmentSide.US, "*we* promised *Acme*"),
        (CommitmentSide.THEM, "*Acme* promised us"),
    ):
        gone = item(side=side, status=CommitmentStatus.DROPPED, closed_by="U0BEN", closed_at=NOW)
        assert texts.closed(Closed(commitment=gone, balance=Balance())) == (
            f"Dropped `#12` — it no longer applies: {said} “the draft MoU”."
        )
    dropped = item(status=CommitmentStatus.DROPPED, closed_by="U0BEN", closed_at=NOW)
    assert "`#12` was already marked dropped by <@U0BEN> on Wed 25 Nov." == texts.already_closed(
        dropped
    )


def test_a_long_listing_stays_within_slacks_limits() -> None:
    items = [item(id=n, number=n, overdue_days=n % 3) for n in range(1, 41)]
    listing = Listing(
        scope=Scope.ALL,
        partner=None,
        items=items,
        more=12,
        balance=Balance(open_us=30, open_them=22, overdue_us=5),
        lopsided=[("Acme", CommitmentSide.THEM, 0.8)],
    )
    reply = blocks.listing(listing, this_year=2026)
    assert len(reply.blocks) <= 50
    assert all(
        len(block["text"]["text"]) <= 3000 for block in reply.blocks if block["type"] == "section"
    )
    shown = text_of(reply.blocks)
    assert (
        "`#2` *we* owe *Acme* “the draft MoU” · due Fri 4 Dec · :warning: overdue by 2 days"
        in shown
    )
    assert "…and 12 more" in shown and "their side carries 80%" in shown
    assert "*Balance*: open — we owe 30 (5 overdue), they owe 22" in shown


def test_dates_of_another_year_carry_the_year() -> None:
    assert texts.line(item(due_on=date(2027, 1, 8)), 2026).count("Fri 8 Jan 2027") == 1


def test_the_card_section_shows_commitments_balance_and_cadence() -> None:
    state = CadenceState(
        partner=facts(),
        intervals=Intervals(30, 60, Source.DEFAULT),
        since=NOW - timedelta(days=70),
        contacted=True,
        last_contact_by="U0DAN",
        quiet_days=70,
        standing=Standing.DORMANT,
        snoozed_until=None,
    )
    section = blocks.partner_section(
        PartnerCommitments(partner_id=7, open=[item()], more=0, balance=Balance(open_us=1)),
        state,
        tz=TOKYO,
        this_year=2026,
    )
    shown = text_of(section)
    assert "*Open commitments*\\n`#12`" in shown
    # The balance and the cadence are two lines, not one context Slack runs together.
    assert [(block["type"], len(block.get("elements", []))) for block in section] == [
        ("section", 0),
        ("context", 1),
        ("context", 1),
    ]
    assert ":zzz: Dormant: last contact Wed 16 Sep by <@U0DAN>, 70 days ago" in shown
    a_year_back = replace(state, since=NOW - timedelta(days=375), quiet_days=375)
    shown = text_of(
        blocks.partner_section(
            PartnerCommitments(partner_id=7, open=[], more=0, balance=Balance()),
            a_year_back,
            tz=TOKYO,
            this_year=2026,
        )
    )
    assert "last contact Sat 15 Nov 2025 by <@U0DAN>, 375 days ago" in shown
    none_yet = PartnerCommitments(partner_id=7, open=[], more=0, balance=Balance())
    assert blocks.partner_section(none_yet, None, tz=TOKYO, this_year=2026) == []
    all_kept = PartnerCommitments(partner_id=7, open=[], more=0, balance=Balance(kept_us=2))
    shown = text_of(blocks.partner_section(all_kept, state, tz=TOKYO, this_year=2026))
    assert "*Open commitments*\\nNone." in shown and "ours 2 on time" in shown


def test_the_days_quiet_are_counted_on_the_readers_calendar() -> None:
    # Sun 6 Dec 20:00 in New York is Monday in UTC; read on Monday morning in New York, that
    # contact was yesterday, as `show` says too (QA17 NIT-2).
    read_at = datetime(2026, 12, 7, 14, 30, tzinfo=UTC)
    state = CadenceState(
        partner=facts(),
        intervals=Intervals(30, 60, Source.DEFAULT),
        since=datetime(2026, 12, 7, 1, 0, tzinfo=UTC),
        contacted=True,
        last_contact_by="U0CHLOE",
        quiet_days=0,
        standing=Standing.FINE,
        snoozed_until=None,
        read_at=read_at,
    )
    new_york = ZoneInfo("America/New_York")
    assert texts.since(state, new_york) == "last contact Sun 6 Dec by <@U0CHLOE>, yesterday"
    assert texts.since(state, TOKYO) == "last contact Mon 7 Dec by <@U0CHLOE>, today"


@pytest.mark.parametrize(
    ("contact", "queued", "said"),
    [
        # Read next January, "Wed 14 Jan" would be taken for a day of that January.
        (datetime(2026, 1, 14, 10), datetime(2026, 12, 21, 9), "Wed 14 Jan 2026"),
        (datetime(2025, 2, 25, 10), datetime(2026, 1, 5, 9), "Tue 25 Feb 2025"),
        (datetime(2026, 2, 25, 10), datetime(2026, 12, 21, 9), "Wed 25 Feb"),  # 299 days
        # Read on 2 Jan, a day without its year is the latest such day: rightly 2026's.
        (datetime(2026, 12, 28, 10), datetime(2026, 12, 31, 9), "Mon 28 Dec"),
        (datetime(2026, 12, 28, 10), datetime(2027, 1, 2, 9), "Mon 28 Dec 2026"),
    ],
)
def test_a_nudge_read_later_gives_the_year_of_a_day_near_a_year_back(
    contact: datetime, queued: datetime, said: str
) -> None:
    """The nudge is queued and may wait (working hours, a weekend) and be read in the next
    year: the year of the last contact was decided by when it was queued alone."""
    state = CadenceState(
        partner=facts(),
        intervals=Intervals(3, 400, Source.PARTNER),
        since=contact.replace(tzinfo=UTC),
        contacted=True,
        last_contact_by="U0DAN",
        quiet_days=(queued - contact).days,
        standing=Standing.DUE,
        snoozed_until=None,
        read_at=queued.replace(tzinfo=UTC),
    )
    shown = blocks.nudge(Nudge(state=state, recipient="U0DAN", covering_for=None, tz=TOKYO))
    assert f"has been quiet: last contact {said} by <@U0DAN>." in shown.text


def test_show_gives_the_year_of_a_day_only_when_it_is_not_the_readers() -> None:
    state = CadenceState(
        partner=facts(),
        intervals=Intervals(3, 400, Source.PARTNER),
        since=datetime(2026, 1, 14, 10, tzinfo=UTC),
        contacted=True,
        last_contact_by="U0DAN",
        quiet_days=341,
        standing=Standing.DUE,
        snoozed_until=None,
        read_at=datetime(2026, 12, 21, 9, tzinfo=UTC),
    )
    # Read as it is written: "341 days ago" says which January.
    assert texts.since(state, TOKYO) == "last contact Wed 14 Jan by <@U0DAN>, 341 days ago"


def test_the_nudge_offers_to_log_or_snooze() -> None:
    state = CadenceState(
        partner=facts(),
        intervals=Intervals(14, 28, Source.STATUS),
        since=NOW,
        contacted=False,
        last_contact_by=None,
        quiet_days=14,
        standing=Standing.DUE,
        snoozed_until=None,
    )
    shown = blocks.nudge(Nudge(state=state, recipient="U0DAN", covering_for="U0ANA", tz=TOKYO))
    # Queued, maybe read days later: the day alone, no "14 days ago" to go stale.
    assert "no contact yet (registered on Wed 25 Nov)" in shown.text
    assert "(set for its status)" in shown.text
    assert buttons(shown.blocks) == [(blocks.LOG_TOUCHPOINT, "7"), (blocks.SNOOZE, "7")]
    assert "<@U0ANA>, who owns *Acme*, is away" in text_of(shown.blocks)


def test_the_commitment_form_and_the_new_date_form() -> None:
    form = blocks.commit_form(owner_id="U0BEN", private_metadata="{}")
    assert [block["block_id"] for block in form["blocks"]] == [
        blocks.PARTNER_FIELD,
        blocks.SIDE_FIELD,
        blocks.OWNER_FIELD,
        blocks.WHAT_FIELD,
        blocks.DUE_FIELD,
    ]
    assert form["blocks"][0]["element"]["action_id"] == blocks.PARTNER_PICKER
    assert "initial_date" not in form["blocks"][4]["element"]  # no due day unless picked
    redate = blocks.redate_form(item(), private_metadata="{}")
    assert redate["blocks"][1]["element"]["initial_date"] == "2026-12-04"
    assert (
        blocks.side_of("them") is CommitmentSide.THEM and blocks.side_of(None) is CommitmentSide.US
    )


@pytest.mark.parametrize(
    ("problem", "expected"),
    [
        (BadCommitment(Problem.NO_WHAT), "What was promised?"),
        (
            BadCommitment(Problem.WHAT_TOO_LONG, length=1200),
            "What was promised is 1,200 characters long; say it in at most 1,000 (link a "
            "document for the rest). Nothing was saved.",
        ),
        (
            BadCommitment(Problem.UNREADABLE_DATE, detail="I can't read 'x'."),
            "The due date: I can't",
        ),
        (
            BadCommitment(Problem.PAST_DUE, typed="monday", day=date(2026, 11, 23)),
            "`monday` (Mon 23 Nov) is in the past",
        ),
    ],
)
def test_problems_say_what_was_wrong(problem: BadCommitment, expected: str) -> None:
    assert expected in texts.problem(problem)


def test_the_export_comment_says_what_the_file_holds() -> None:
    def export(dataset: Dataset, reach: Reach, rows: int, team: int = 2) -> Export:
        return Export(
            dataset=dataset,
            filename="x.csv",
            content=b"",
            rows=rows,
            reach=reach,
            team_partners=team,
        )

    assert texts.export_comment(export(Dataset.TOUCHPOINTS, Reach.OWN, 5)) == (
        "Your export: 5 touchpoints — all those with the 2 partners whose teams you are on, and "
        "those elsewhere you took part in."
    )
    assert texts.export_comment(export(Dataset.COMMITMENTS, Reach.OWN, 3, team=1)) == (
        "Your export: 3 commitments — all those with the partner whose team you are on, and "
        "those elsewhere you own or recorded."
    )
    assert texts.export_comment(export(Dataset.COMMITMENTS, Reach.OWN, 1, team=0)) == (
        "Your export: 1 commitment — those you own or recorded (you are on no partner's team)."
    )
    assert "everything in the workspace (you are an admin)" in texts.export_comment(
        export(Dataset.COMMITMENTS, Reach.EVERYTHING, 1)
    )
    assert "Pulse surveys appear only as aggregates" in texts.export_comment(
        export(Dataset.PARTNERS, Reach.OWN, 3)
    )


def test_an_empty_export_says_whose_rows_it_looked_at_in_a_plain_sentence() -> None:
    def empty(dataset: Dataset, team: int) -> str:
        return texts.export_empty(
            Export(
                dataset=dataset,
                filename="x.csv",
                content=b"",
                rows=0,
                reach=Reach.OWN,
                team_partners=team,
            )
        )

    none = "Nothing to export, so I sent no file: there are no"
    assert empty(Dataset.COMMITMENTS, 1) == (
        f"{none} commitments yet with the partner whose team you are on, nor any elsewhere that "
        "you own or recorded."
    )
    assert empty(Dataset.TOUCHPOINTS, 3) == (
        f"{none} touchpoints yet with the 3 partners whose teams you are on, nor any elsewhere "
        "that you took part in."
    )
    assert empty(Dataset.COMMITMENTS, 0) == (
        f"{none} commitments yet that you own or recorded, and you are on no partner's team."
    )


def test_who_may_close_a_commitment_names_the_partners_owner_and_deputy_as_theirs() -> None:
    said = texts.not_allowed(item(), facts(deputy_id="U0DAN"), ["U0CY"])
    assert said == (
        "Only <@U0BEN> (who owns it), <@U0ANA> (owner of *Acme*), <@U0DAN> (deputy of *Acme*) or "
        "an admin (<@U0CY>) can close or move `#12`. Ask them, or ask to take it over."
    )
    # The partner's owner who owns the commitment too is named once, as its owner.
    said = texts.not_allowed(item(owner_id="U0ANA"), facts(), [])
    assert said.startswith("Only <@U0ANA> (who owns it) or an admin can close")


def test_a_new_date_for_an_owner_who_never_heard_of_it_says_what_was_recorded() -> None:
    """The note that Ana recorded it for Ben had not reached him (QA21b BUG 6)."""
    moved = item(owner_id="U0BEN", due_on=date(2026, 12, 11))
    said = blocks.changed(
        Changed(commitment=moved, by="U0ANA", was_due=date(2026, 12, 4), unannounced=True)
    ).text
    assert said.startswith(
        "<@U0ANA> recorded `#12` for you (you own it); then moved it to Fri 11 Dec (it was due "
        "Fri 4 Dec): *we* owe *Acme* “the draft MoU”."
    )
    by_dan = blocks.changed(
        Changed(commitment=moved, by="U0DAN", was_due=date(2026, 12, 4), unannounced=True)
    ).text
    assert "(you own it); <@U0DAN> moved it to Fri 11 Dec" in by_dan


@pytest.mark.parametrize(
    ("stage", "says"),
    [
        (None, "*we* owe *Acme* “the draft MoU”, due Fri 4 Dec. Reminders about it resume."),
        (Stage.BEFORE, ":hourglass_flowing_sand: <@U0ANA> reopened your commitment `#12`"),
        (Stage.DUE, "“the draft MoU”, which is due Fri 4 Dec. Done already? Close it;"),
        (Stage.OVERDUE, "“the draft MoU”, which was due Fri 4 Dec and is still open. Done"),
    ],
)
def test_a_reopen_note_that_is_also_the_reminder_due_says_what_the_reminder_would(
    stage: Stage | None, says: str
) -> None:
    """Reopened when a reminder falls due (its due day, say), the owner gets one message."""
    change = Changed(
        commitment=item(), by="U0ANA", reopened_from=CommitmentStatus.DROPPED, reminder=stage
    )
    assert says in blocks.changed(change).text
    # To an owner who never heard of it at all, it is what was recorded, and the reminder.
    unheard = blocks.changed(replace(change, unannounced=True)).text
    assert unheard.endswith("I'll remind you of it." if stage is None else "a new date.")
    # Overdue, it says so, as the reminder would (review: it said "…, due Fri 4 Dec. Done").
    assert ("was due Fri 4 Dec and is still open" in unheard) is (stage is Stage.OVERDUE)
    assert unheard.startswith(":warning:") is (stage is Stage.OVERDUE)


@pytest.mark.parametrize(
    ("stage", "says"),
    [
        (None, "(it was due Fri 27 Nov): *we* owe *Acme* “the draft MoU”. Reminders follow the"),
        (Stage.BEFORE, ":hourglass_flowing_sand: <@U0ANA> moved your commitment `#12` to Fri 4"),
        (Stage.DUE, ":date: <@U0ANA> moved your commitment `#12` to Fri 4 Dec (it was due Fri"),
        (Stage.OVERDUE, "“the draft MoU”. That day is over and it is still open. Done already?"),
    ],
)
def test_a_new_date_note_that_is_also_the_reminder_due_says_what_the_reminder_would(
    stage: Stage | None, says: str
) -> None:
    """Moved after the owner's hours to a day reminded at their next opening: one message."""
    change = Changed(commitment=item(), by="U0ANA", was_due=date(2026, 11, 27), reminder=stage)
    told = blocks.changed(change)
    assert says in told.text
    assert told.text.endswith("the new date." if stage is None else "a new date.")
    assert [element["action_id"] for element in told.blocks[-1]["elements"]] == [
        blocks.DONE,
        blocks.DROP,
        blocks.NEW_DATE,
    ]
    # To an owner who never heard of it at all, it is what was recorded, and the reminder.
    unheard = blocks.changed(replace(change, unannounced=True)).text
    assert unheard.endswith("as the date comes near." if stage is None else "a new date.")
    assert ("That day is over and it is still open" in unheard) is (stage is Stage.OVERDUE)
    assert unheard.startswith(":warning:") is (stage is Stage.OVERDUE)


def test_closed_ones_with_long_promises_and_notes_are_all_shown() -> None:
    """Review: ten closed lines went in one section; with promises and notes of a few hundred
    characters, Slack's 3,000 cut the section and the later lines were lost unsaid."""
    items = [
        item(
            id=n,
            number=n,
            what=f"promise {n} " + "x" * 200,
            status=CommitmentStatus.DROPPED,
            closed_by="U0ANA",
            closed_at=NOW,
            close_note=f"why {n} " + "y" * 200,
        )
        for n in range(1, 41)
    ]
    found = ClosedListing(
        statuses=(CommitmentStatus.DONE, CommitmentStatus.DROPPED),
        partner=None,
        mine=False,
        items=items,
        more=0,
    )
    reply = blocks.closed_listing(found, this_year=2026)
    assert len(reply.blocks) <= 50
    sections = [block["text"]["text"] for block in reply.blocks if block["type"] == "section"]
    assert all(len(text) <= 3000 for text in sections)
    shown = "\n".join(sections)
    assert all(f"`#{n}` " in shown and f"why {n} " in shown for n in range(1, 41))
