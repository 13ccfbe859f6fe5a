"""The touchpoint lines of the `/partner` language and the "Log a touchpoint" form, read without
Slack or the database."""

from __future__ import annotations

from typing import Any

import pytest

from bot.services.registry import BadName, NameProblem
from bot.services.touchpoints import BadTouchpoint, NewPartnerRefused, Problem
from handlers.blocks import touchpoints as blocks
from handlers.grammar import GrammarError
from handlers.texts import touchpoints as texts
from handlers.touchpoints import LogForm, form_errors, parse_touchpoint, people_named, split_notes
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
    assert line.contacts == ("Jane Doe",)
    assert line.day == "last tuesday 9am"
    assert line.medium is TouchpointMedium.MEETING
    assert line.notes == "pilot: agreed"


def test_in_so_many_days_is_read_as_the_date() -> None:
    line = parse_touchpoint("Rotary International in 3 days 10:00 with Jane : x")
    assert (line.name.text, line.day, line.contacts) == (
        "Rotary International",
        "in 3 days 10:00",
        ("Jane",),
    )
    assert parse_touchpoint("Acme on in 2 weeks : x").day == "in 2 weeks"
    women = parse_touchpoint("Women in Tech in 1 week : x")
    assert (women.name.text, women.day) == ("Women in Tech", "in 1 week")
    assert parse_touchpoint("Women in Tech : x").day is None


def test_names_with_other_keywords_and_quoted_names() -> None:
    assert parse_touchpoint("Back to School Trust : x").name.text == "Back to School Trust"
    quoted = parse_touchpoint('"Doctors on Call" with "Dr. Who" : x')
    assert quoted.name.text == "Doctors on Call" and quoted.contacts == ("Dr. Who",)
    assert parse_touchpoint("Acme with jane@acme.org : x").contacts == ("jane@acme.org",)
    several = parse_touchpoint('Acme with Jane Doe, "Smith, John" & Li Wei and Jane Doe : x')
    assert several.contacts == ("Jane Doe", "Smith, John", "Li Wei")
    assert parse_touchpoint("Acme with Jane Doe; John Roe : x").contacts == ("Jane Doe", "John Roe")
    assert parse_touchpoint("Acme via phone : x").medium is TouchpointMedium.CALL


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (": notes only", "Which partner?"),
        ("Acme yesterday", None),  # an unknown name, found out later by the registry
        ("Acme on : x", "`on` takes a date"),
        ("Acme with : x", "`with` takes people"),
        ("Acme via pigeon : x", "`via pigeon`: say `via meeting`"),
        ("Acme via pigeon post", "`via pigeon post`: say `via meeting`"),
        (
            "Acme via call pitched the pilot",
            "A `:` is missing before the notes, e.g. `via call : pitched the pilot`",
        ),
        ("Acme via call pitched : x", "`via call pitched`: say `via meeting`"),
        ("Acme on friday on monday : x", "two dates, `on friday` and `on monday`"),
        (
            "Acme in 3 days on friday via call : x",
            "That gives two dates, `in 3 days` and `on friday`, and a contact has one. Keep the "
            "one you mean, e.g. `/partner log Acme on friday : …`.",
        ),
        ("Acme on friday in 2 weeks : x", "two dates, `on friday` and `in 2 weeks`"),
        ("Doctors on Call on friday : x", "`on` appears twice"),
        (
            "Hands On Network on friday : visit",
            'If “On” is part of the partner\'s name, put the name in quotes: `"Hands On …"`',
        ),
        # QA20c NIT 8: a clause's word with nothing after it may be part of the name.
        (
            "Hands On : visit",
            "`on` takes a date, e.g. `on yesterday` or `on friday 14:00`. If “On” is part of the "
            'partner\'s name, put the name in quotes: `"Hands On …"`.',
        ),
        (
            "Fish With : visit",
            'If “With” is part of the partner\'s name, put the name in quotes: `"Fish With …"`.',
        ),
        # QA20c NIT 4: `via :` was answered "`via `: say …", a space inside the backticks.
        ("Acme via : x", "`via` takes a kind: `via meeting`, `via call`"),
        ("Acme with <#C0GENERAL|general> : x", "not channels"),
        ("Acme <@U0BEN> : x", "I did not understand “<@U0BEN>”. Colleagues come after `with`."),
    ],
)
def test_what_is_wrong_with_a_line(line: str, problem: str | None) -> None:
    if problem is None:
        assert parse_touchpoint(line).name.text == "Acme yesterday"
        return
    with pytest.raises(GrammarError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        parse_touchpoint(line)


# --- The "Log a touchpoint" form ----------------------------------------------------------------


def picked(value: str) -> dict[str, dict[str, dict[str, Any]]]:
    return {
        blocks.PARTNER_FIELD: {
            blocks.PARTNER_PICKER: {"type": "external_select", "selected_option": {"value": value}}
        }
    }


def test_the_form_reads_a_partner_picked_or_a_name_to_register() -> None:
    registered = LogForm.read(picked("42"))
    assert (registered.partner_id, registered.new_partner) == (42, None)
    new = LogForm.read(picked(f"{blocks.NEW_PARTNER}Initech Labs"))
    assert (new.partner_id, new.new_partner) == (None, "Initech Labs")
    assert LogForm.read({}).partner_id is None and LogForm.read({}).new_partner is None


def test_form_errors_are_worded_for_the_form_and_put_by_their_field() -> None:
    no_notes = form_errors(BadTouchpoint(Problem.NO_NOTES))
    assert no_notes == {blocks.NOTES_FIELD: texts.FORM_NO_NOTES}
    assert "`:`" not in texts.FORM_NO_NOTES  # the form has no colon to write after
    refused = form_errors(NewPartnerRefused(BadName("x" * 130, NameProblem.TOO_LONG)))
    assert list(refused) == [blocks.PARTNER_FIELD]
    assert "130 characters long; a name can have at most 120" in refused[blocks.PARTNER_FIELD]
    contact = form_errors(BadName("J" * 130, NameProblem.TOO_LONG))
    assert list(contact) == [blocks.CONTACT_FIELD]


@pytest.mark.parametrize(
    ("verb", "said"),
    [
        ("log", "Put a `:` before the notes, e.g. `: agreed on a pilot`."),
        ("plan", "Put a `:` before the purpose, e.g. `: intro call about the winter appeal`."),
        ("intend", "Put a `:` before the purpose, e.g. `: ask about co-hosting the spring event`."),
    ],
)
def test_a_missing_colon_is_explained_with_an_example_for_the_verb(verb: str, said: str) -> None:
    assert texts.missing_colon(verb) == said


def test_the_forms_people_field_takes_several() -> None:
    assert people_named(" Jane Doe, John Roe and Li Wei; jane@acme.org ") == (
        "Jane Doe",
        "John Roe",
        "Li Wei",
        "jane@acme.org",
    )
    assert people_named("  ") == ()
    assert people_named('"Smith, John", Jane Doe') == ("Smith, John", "Jane Doe")
    # What the command's grammar refuses (Slack escapes nothing in a form) is split plainly.
    assert people_named("Jane Doe and Li < Wei") == ("Jane Doe", "Li < Wei")
    # A colleague has the form's other field; an email address is no colleague.
    for typed in ("@jane Doe", "Li Wei, <@U0JANE|jane>", "Li &@jane"):
        with pytest.raises(GrammarError, match="@jane looks like a colleague"):
            people_named(typed)
    assert people_named("jane@acme.org") == ("jane@acme.org",)


def test_the_forms_people_field_asks_about_a_surname_first() -> None:
    # "Doe, Jane" was two people, "Doe" and "Jane": asked as `with Doe, Jane` is, without `with`.
    with pytest.raises(GrammarError, match="^`Doe, Jane`: is that one person or two?"):
        people_named("Doe, Jane")
    assert people_named('"Doe, Jane"') == ("Doe, Jane",)
    assert people_named("Doe and Jane") == ("Doe", "Jane")
    assert people_named("Jane Doe, CEO") == ("Jane Doe, CEO",)
