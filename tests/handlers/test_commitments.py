"""The lines of `commit`, `done`/`drop` and `cadence`, parsed without Slack or the database."""

from __future__ import annotations

import pytest

from handlers.commitments import (
    CadenceLine,
    CloseLine,
    parse_cadence,
    parse_close,
    parse_commit,
    parse_id,
)
from handlers.grammar import GrammarError, Name
from storage.models import CommitmentSide
from tests.test_layers import ROOT, imported_modules

COMMITMENT_HANDLERS = (
    "handlers/commitments.py",
    "handlers/blocks/commitments.py",
    "handlers/texts/commitments.py",
)


def test_a_commitment_line() -> None:
    line = parse_commit("Médecins Sans Frontières us <@U0BEN|ben> : send the MoU by friday 14:00")
    assert line.name == Name("Médecins Sans Frontières", 0, 24)
    assert (line.side, line.owner_id) == (CommitmentSide.US, "U0BEN")
    assert (line.what, line.due) == ("send the MoU", "friday 14:00")


def test_the_last_by_starts_the_date_and_quotes_keep_names_whole() -> None:
    line = parse_commit('"Friends of Us" them : the report written by Ben by 4 Dec')
    assert line.name.text == "Friends of Us" and line.side is CommitmentSide.THEM
    assert (line.what, line.due, line.owner_id) == ("the report written by Ben", "4 Dec", None)
    assert parse_commit("Acme US : a &lt;draft&gt; by today").what == "a <draft>"


@pytest.mark.parametrize(
    ("what", "kept"),
    [
        ('"send it by email"', "send it by email"),
        ("“send it by email”", "send it by email"),
        ("'the MoU'", "the MoU"),
        ('"a" and "b"', '"a" and "b"'),
        ('the "final" deck', 'the "final" deck'),
        ('"', '"'),
    ],
)
def test_quotes_around_what_was_promised_are_not_part_of_it(what: str, kept: str) -> None:
    assert parse_commit(f"Acme us : {what} by friday").what == kept


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Acme send it by friday", "Whose promise is it?"),
        ("Acme : we owe it by friday", "Whose promise is it?"),
        ("we owe it by friday", "Which partner?"),
        # A name that ends with `partner`, or starts with `we`, is no side.
        ("Global Partner : it by friday", "Whose promise is it?"),
        ("We Care : it by friday", "Whose promise is it?"),
        ("Acme <@U0BEN|ben> : send it by friday", "Whose promise is it?"),
        ("us : send it by friday", "Which partner?"),
        ("Acme them : send it", "When is it due?"),
        ("Acme them : send it by ", "When is it due?"),
        ("Acme us <@U0A|a> <@U0B|b> : x by friday", "at most one owner"),
    ],
)
def test_what_is_missing_is_named(text: str, problem: str) -> None:
    with pytest.raises(GrammarError, match=problem.replace("?", r"\?")):
        parse_commit(text)


@pytest.mark.parametrize(
    ("text", "side", "owner", "what"),
    [
        # New-user QA: the pitch says "we owe / they owe"; only `us` and `them` were read.
        ("Oxfam we owe : budget proposal by friday", CommitmentSide.US, None, "budget proposal"),
        ("Oxfam we owe budget proposal by friday", CommitmentSide.US, None, "budget proposal"),
        ("Oxfam we <@U0BEN|ben> budget proposal by friday", CommitmentSide.US, "U0BEN", None),
        ("Oxfam our side : budget proposal by friday", CommitmentSide.US, None, None),
        ("Oxfam we owe them budget proposal by friday", CommitmentSide.US, None, None),
        ("Oxfam us budget proposal by friday", CommitmentSide.US, None, None),
        ("Oxfam they owe : budget proposal by friday", CommitmentSide.THEM, None, None),
        ("Oxfam they owe us budget proposal by friday", CommitmentSide.THEM, None, None),
        ("Oxfam partner owes : budget proposal by friday", CommitmentSide.THEM, None, None),
        ("Oxfam partner owes budget proposal by friday", CommitmentSide.THEM, None, None),
        ("Oxfam They budget proposal by friday", CommitmentSide.THEM, None, None),
        ("Oxfam them <@U0BEN|ben> : budget proposal by friday", CommitmentSide.THEM, "U0BEN", None),
        ("Oxfam us - budget proposal by friday", CommitmentSide.US, None, None),
        # A `:` in what was promised, the side said before it.
        ("Oxfam we owe budget: v2 by friday", CommitmentSide.US, None, "budget: v2"),
    ],
)
def test_the_side_as_people_say_it_with_or_without_the_colon(
    text: str, side: CommitmentSide, owner: str | None, what: str | None
) -> None:
    line = parse_commit(text)
    assert line.name.text == "Oxfam"
    assert (line.side, line.owner_id, line.due) == (side, owner, "friday")
    assert line.what == (what or "budget proposal")


@pytest.mark.parametrize(
    ("text", "number"), [("42", 42), ("#7", 7), (" 3 ", 3), ("1.", 1), ("#1!", 1)]
)
def test_commitment_numbers(text: str, number: int) -> None:
    assert parse_id(text) == number


@pytest.mark.parametrize("text", ["", "forty-two", "#", "9" * 13])
def test_what_is_no_number(text: str) -> None:
    with pytest.raises(GrammarError, match="Which commitment"):
        parse_id(text)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("2", CloseLine(2, None)),
        ("#2 no longer needed", CloseLine(2, "no longer needed")),
        ("2: no longer needed", CloseLine(2, "no longer needed")),
        ("2 - Ana &amp; Ben agreed", CloseLine(2, "Ana & Ben agreed")),
        ("2, sent by email", CloseLine(2, "sent by email")),
        ("2 2 weeks late", CloseLine(2, "2 weeks late")),
    ],
)
def test_a_close_line_keeps_why_after_the_number(text: str, line: CloseLine) -> None:
    """New-user QA: `drop 2 no longer needed` asked which commitment."""
    assert parse_close(text, verb="drop") == line


@pytest.mark.parametrize("text", ["4 2", "#4, #5", "4,5", "4 and 5"])
def test_several_numbers_are_closed_one_at_a_time(text: str) -> None:
    with pytest.raises(GrammarError, match="Close one commitment at a time: `/partner done 4`"):
        parse_close(text, verb="done")


def test_why_is_a_sentence_not_a_document() -> None:
    with pytest.raises(GrammarError, match="501 characters long; say why in at most 500"):
        parse_close("4 " + "x" * 501, verb="done")


def test_cadence_lines() -> None:
    assert parse_cadence("Acme Corp") == CadenceLine(
        name=Name("Acme Corp", 0, 9), status=None, ideal=None, maximum=None
    )
    assert parse_cadence("Acme 30 60").ideal == 30
    assert parse_cadence("Status Active 7 14") == CadenceLine(
        name=None, status="active", ideal=7, maximum=14
    )
    assert parse_cadence("Status Quo 7 14").name == Name("Status Quo", 0, 10)
    assert parse_cadence("status 7 14").name == Name("status", 0, 6)
    with pytest.raises(GrammarError, match="two numbers"):
        parse_cadence("Acme 30")
    with pytest.raises(GrammarError, match="not a status with a cadence"):
        parse_cadence("status paused 7 14")


@pytest.mark.parametrize(
    ("text", "what", "due"),
    [
        # People type `due`: it starts the due day as `by` does.
        ("Acme we owe the deck due friday", "the deck", "friday"),
        ("Acme us : the deck due friday", "the deck", "friday"),
        ("Acme us : the invoice due by 4 Dec", "the invoice", "4 Dec"),
        ("Acme them : the invoice due on monday", "the invoice", "monday"),
        ("Acme us : due diligence due friday", "due diligence", "friday"),
        ("Acme us : the dues by friday", "the dues", "friday"),
        # `we will send` promised “send”, not “will send”; `Will` may start a name.
        ("Acme we will send the budget by friday", "send the budget", "friday"),
        ("Acme they will send it due friday", "send it", "friday"),
        ("Acme we'll send the budget by friday", "send the budget", "friday"),
        ("Acme they’ll send it by friday", "send it", "friday"),
        ("Acme us : Will's intro by friday", "Will's intro", "friday"),
    ],
)
def test_due_as_people_say_it_and_will_is_no_part_of_the_promise(
    text: str, what: str, due: str
) -> None:
    line = parse_commit(text)
    assert (line.name.text, line.what, line.due) == ("Acme", what, due)


def test_a_line_without_by_or_due_says_both_work() -> None:
    with pytest.raises(GrammarError, match=r"End with `by` \(or `due`, `deadline`\)"):
        parse_commit("Acme us : the deck")
    # A day said last without `by`: the line as it would read with it.
    with pytest.raises(GrammarError, match=r"put `by` before it: `… the deck by friday`"):
        parse_commit("Acme us : the deck friday")


@pytest.mark.parametrize(
    ("text", "what", "due"),
    [
        ("Acme we owe the deck, due friday", "the deck", "friday"),
        ("Acme we owe the deck due: friday", "the deck", "friday"),
        ("Acme we owe the deck (due friday)", "the deck", "friday"),
        ("Acme we owe the deck - by friday", "the deck", "friday"),
        ("Acme us : the deck (v2) by friday", "the deck (v2)", "friday"),
        ("Acme we owe the deck by friday.", "the deck", "friday"),
        ("Acme we owe the deck due 4 Dec!", "the deck", "4 Dec"),
        ("Acme we owe the deck due date: friday", "the deck", "friday"),
        ("Acme us : confirm the due date by friday", "confirm the due date", "friday"),
        ("Acme us : the payment due by friday", "the payment", "friday"),
    ],
)
def test_marks_around_due_are_no_part_of_the_promise_or_the_day(
    text: str, what: str, due: str
) -> None:
    line = parse_commit(text)
    assert (line.what, line.due) == (what, due)


@pytest.mark.parametrize(
    ("text", "owner", "what", "due"),
    [
        # Team QA: `commit Acme we owe: send the deck by friday @ben` read “friday @ben” as the
        # due day and refused it. A mention is no part of a day, nor of a partner's name.
        ("Acme we owe: send the deck by friday <@U0BEN|ben>", "U0BEN", "send the deck", "friday"),
        ("Acme we owe send the deck by friday <@U0BEN|ben>", "U0BEN", "send the deck", "friday"),
        ("Acme us : send the deck by friday, <@U0BEN|ben>", "U0BEN", "send the deck", "friday"),
        ("Acme <@U0BEN|ben> us : send the deck by friday", "U0BEN", "send the deck", "friday"),
        ("<@U0BEN|ben> Acme we owe send the deck by friday", "U0BEN", "send the deck", "friday"),
        ("Acme us : <@U0BEN|ben> send the deck by friday", "U0BEN", "send the deck", "friday"),
        ("Acme us <@U0BEN> : it by friday <@U0BEN|ben>", "U0BEN", "it", "friday"),
        # The day before the `:`, the promise after it.
        ("Acme us by friday : send the deck", None, "send the deck", "friday"),
        ("Acme us <@U0BEN|ben> by friday 14:00 : the deck", "U0BEN", "the deck", "friday 14:00"),
        # A mention inside what was promised stays there: it may be whom it goes to.
        ("Acme us : the deck to <@U0BEN|ben> by friday", None, "the deck to <@U0BEN|ben>", None),
        # A bare `@name` after the `:` is text, as before.
        ("Acme us : ask @ben by friday", None, "ask @ben", "friday"),
    ],
)
def test_the_owner_and_the_day_in_the_orders_people_type_them(
    text: str, owner: str | None, what: str, due: str | None
) -> None:
    line = parse_commit(text)
    assert (line.name.text, line.side) == ("Acme", CommitmentSide.US)
    assert (line.owner_id, line.what, line.due) == (owner, what, due or "friday")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        # A mention after words that are no day: owner or recipient? The right forms are said.
        (
            "Acme us : send the deck by friday to <@U0BEN|ben>",
            r"Does <@U0BEN> own it\? Then name them right after `us` \(or `we owe`\)\. If the "
            r"promise goes to them, end with the day instead: `send the deck to @them by friday`",
        ),
        ("Acme them : the slides <@U0BEN|ben>", "When is it due?"),
        ("Acme us <@U0CHLOE|chloe> : it by friday <@U0BEN|ben>", "at most one owner"),
        ("Acme <@U0CHLOE|chloe> us : <@U0BEN|ben> it by friday", "at most one owner"),
    ],
)
def test_an_owner_typed_where_it_is_unclear_is_asked_about(text: str, problem: str) -> None:
    with pytest.raises(GrammarError, match=problem):
        parse_commit(text)


def test_the_commitment_handlers_reach_the_database_only_through_services() -> None:
    """Handlers call services (DESIGN.md): the form's undo after the ack once opened a session
    and wrote through storage itself. Models and their enums may be imported, queries not."""
    for path in COMMITMENT_HANDLERS:
        found = imported_modules(ROOT / path)
        assert "sqlmodel" not in found and "sqlalchemy" not in found, path
        assert {m for m in found if m.startswith("storage")} <= {"storage.models"}, path


@pytest.mark.parametrize(
    ("text", "what"),
    [
        # Review of the owner typed last: with the day before the `:`, a mention ending the line
        # ends the promise (whom it goes to), so `send the deck to` was saved, owned by Ben.
        ("Acme we owe by friday: send the deck to <@U0BEN|ben>", "send the deck to <@U0BEN|ben>"),
        ("Acme us by friday : the deck, <@U0BEN|ben>", "the deck, <@U0BEN|ben>"),
    ],
)
def test_a_mention_ending_a_promise_said_after_its_day_stays_in_it(text: str, what: str) -> None:
    line = parse_commit(text)
    assert (line.name.text, line.side, line.due) == ("Acme", CommitmentSide.US, "friday")
    assert (line.owner_id, line.what) == (None, what)


@pytest.mark.parametrize(
    ("text", "side", "owner", "what"),
    [
        # Review of the owner typed after the `:`: any mention starting the promise was taken
        # as its owner, and the promise lost it (`'s intro to their CFO`, `and @dan a summary`).
        (
            "Acme they owe: <@U0BEN|ben>'s intro to their CFO by friday",
            CommitmentSide.THEM,
            None,
            "<@U0BEN|ben>'s intro to their CFO",
        ),
        (
            "Acme us : <@U0BEN|ben>’s notes by friday",
            CommitmentSide.US,
            None,
            "<@U0BEN|ben>’s notes",
        ),
        (
            "Acme we owe: <@U0BEN|ben> and <@U0DAN|dan> a summary by friday",
            CommitmentSide.US,
            None,
            "<@U0BEN|ben> and <@U0DAN|dan> a summary",
        ),
        (
            "Acme us : <@U0BEN|ben> &amp; <@U0DAN|dan> a summary by friday",
            CommitmentSide.US,
            None,
            "<@U0BEN|ben> & <@U0DAN|dan> a summary",
        ),
        (
            "Acme us : <@U0BEN|ben>, <@U0DAN|dan> a summary by friday",
            CommitmentSide.US,
            None,
            "<@U0BEN|ben>, <@U0DAN|dan> a summary",
        ),
        (
            "Acme us : <@U0BEN|ben> <@U0DAN|dan> a summary by friday",
            CommitmentSide.US,
            None,
            "<@U0BEN|ben> <@U0DAN|dan> a summary",
        ),
        # What they owe is as often to one of ours: the mention is whom it goes to.
        (
            "Acme them : <@U0BEN|ben> an intro to their CFO by friday",
            CommitmentSide.THEM,
            None,
            "<@U0BEN|ben> an intro to their CFO",
        ),
        # A word of the promise after it: the one who does it, as before.
        (
            "Acme we owe: <@U0BEN|ben> send the deck by friday",
            CommitmentSide.US,
            "U0BEN",
            "send the deck",
        ),
        (
            "Acme us : <@U0BEN|ben>: send the deck by friday",
            CommitmentSide.US,
            "U0BEN",
            "send the deck",
        ),
        (
            "Acme us : <@U0BEN|ben> - send the deck by friday",
            CommitmentSide.US,
            "U0BEN",
            "send the deck",
        ),
    ],
)
def test_a_mention_starting_a_promise_owns_it_only_when_a_word_of_it_follows(
    text: str, side: CommitmentSide, owner: str | None, what: str
) -> None:
    line = parse_commit(text)
    assert (line.name.text, line.side, line.due) == ("Acme", side, "friday")
    assert (line.owner_id, line.what) == (owner, what)


@pytest.mark.parametrize(
    ("promise", "side", "owner", "what"),
    [
        # A word of our promise after the mention: the one who does it owns it.
        ("<@U0BEN|ben> send the deck", CommitmentSide.US, "U0BEN", "send the deck"),
        ("<@U0BEN|ben>: send the deck", CommitmentSide.US, "U0BEN", "send the deck"),
        # No word of it after the mention: part of what was promised.
        ("<@U0BEN|ben>'s intro", CommitmentSide.US, None, "<@U0BEN|ben>'s intro"),
        (
            "<@U0BEN|ben> and <@U0DAN|dan> a summary",
            CommitmentSide.US,
            None,
            "<@U0BEN|ben> and <@U0DAN|dan> a summary",
        ),
        # What they owe is as often to one of ours: whom it goes to.
        ("<@U0BEN|ben> send the deck", CommitmentSide.THEM, None, "<@U0BEN|ben> send the deck"),
    ],
)
@pytest.mark.parametrize("day_first", [False, True], ids=["day-last", "day-first"])
def test_a_mention_starting_a_promise_reads_the_same_with_the_day_before_or_after_it(
    promise: str, side: CommitmentSide, owner: str | None, what: str, day_first: bool
) -> None:
    """Review: `commit Acme us by friday : @ben send the deck` saved “@ben send the deck”, owned
    by the caller, where `commit Acme us : @ben send the deck by friday` made Ben its owner."""
    said = "us" if side is CommitmentSide.US else "them"
    text = f"by friday : {promise}" if day_first else f": {promise} by friday"
    line = parse_commit(f"Acme {said} {text}")
    assert (line.name.text, line.side, line.due) == ("Acme", side, "friday")
    assert (line.owner_id, line.what) == (owner, what)


def test_two_owners_one_before_the_day_and_one_after_the_colon_are_refused() -> None:
    with pytest.raises(GrammarError, match="at most one owner"):
        parse_commit("Acme us <@U0DAN|dan> by friday : <@U0BEN|ben> send the deck")
