"""The touchpoint lines of the `/partner` language, parsed without Slack or the database."""

from __future__ import annotations

import pytest

from handlers.grammar import GrammarError
from handlers.touchpoints import parse_touchpoint, split_notes
from storage.models import TouchpointMedium


@pytest.mark.parametrize(
    ("line", "head", "notes"),
    [
        ("Acme : agreed", "Acme ", "agreed"),
        ("Acme on friday 14:00 : at 15:30: lunch", "Acme on friday 14:00 ", "at 15:30: lunch"),
        ('"Doctors: Acme" : hi', '"Doctors: Acme" ', "hi"),
        ("Acme with <mailto:a@b.org|a:b> : x", "Acme with <mailto:a@b.org|a:b> ", "x"),
        ("Acme: tom &amp; jerry &lt;3", "Acme", "tom & jerry <3"),
        ("Acme via call", "Acme via call", None),
        ("Acme :", "Acme ", ""),
    ],
)
def test_the_notes_start_at_the_first_separating_colon(
    line: str, head: str, notes: str | None
) -> None:
    assert split_notes(line) == (head, notes)


def test_a_full_line_in_any_order() -> None:
    line = parse_touchpoint(
        "Médecins Sans Frontières via Meeting on last tuesday 9am "
        "with <@U0BEN|ben> and Jane Doe, <@U0DAN> : pilot: agreed"
    )
    assert line.name.text == "Médecins Sans Frontières"
    assert (line.name.start, line.name.end) == (0, len("Médecins Sans Frontières"))
    assert line.participants == ("U0BEN", "U0DAN")
    assert line.contact == "Jane Doe"
    assert line.day == "last tuesday 9am"
    assert line.medium is TouchpointMedium.MEETING
    assert line.notes == "pilot: agreed"


def test_names_with_other_keywords_and_quoted_names() -> None:
    assert parse_touchpoint("Back to School Trust : x").name.text == "Back to School Trust"
    quoted = parse_touchpoint('"Doctors on Call" with "Dr. Who" : x')
    assert quoted.name.text == "Doctors on Call" and quoted.contact == "Dr. Who"
    assert parse_touchpoint("Acme with jane@acme.org : x").contact == "jane@acme.org"
    assert parse_touchpoint("Acme via phone : x").medium is TouchpointMedium.CALL


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (": notes only", "Which partner?"),
        ("Acme yesterday", None),  # an unknown name, found out later by the registry
        ("Acme on : x", "`on` takes a date"),
        ("Acme with : x", "`with` takes people"),
        ("Acme via pigeon : x", "`via pigeon`"),
        ("Acme on friday on monday : x", "`on` appears twice"),
        ("Acme with Jane and John : x", "one contact person per touchpoint (Jane, John)"),
        ("Acme with <#C0GENERAL|general> : x", "not channels"),
        ("Acme <@U0BEN> : x", "I did not understand `U0BEN`"),
    ],
)
def test_what_is_wrong_with_a_line(line: str, problem: str | None) -> None:
    if problem is None:
        assert parse_touchpoint(line).name.text == "Acme yesterday"
        return
    with pytest.raises(GrammarError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        parse_touchpoint(line)
