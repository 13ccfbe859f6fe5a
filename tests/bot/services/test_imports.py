"""Importing a partner list: reading the file, what each row becomes, dry runs and running twice.
Slack's directory is stood in for by a dictionary of known colleagues."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from bot.services import people
from bot.services.export import to_csv
from bot.services.imports import (
    Elsewhere,
    ImportReport,
    Outcome,
    PartnerImport,
    Row,
    UnusableFile,
    read_rows,
    split_aliases,
    words,
)
from bot.services.partner_names import PartnerNames
from bot.services.registry import Actor, ListScope, Registry
from storage.models import OutboxMessage
from tests.factories import Colleague, add_partner, save_colleagues

T1 = "T1"
BOT, ANA, BEN = "U0BOT", "U0ANA", "U0BEN"


class KnownColleagues:
    """The directory: colleagues by email and by id."""

    def __init__(self, people: dict[str, str]) -> None:
        self.people = people
        self.asked: list[str] = []

    def find(self, ref: str) -> str | None:
        self.asked.append(ref)
        return self.people.get(ref.lower()) or (ref if ref in self.people.values() else None)


def test_columns_in_any_order_and_case_with_aliases_split() -> None:
    text = (
        "\ufeffWebsite,STATUS,Name,owner_id,Aliases,notes,Sector\n"
        "msf.org,Active,Médecins Sans Frontières,U0ANA,MSF; Doctors Without Borders,x,health\n"
        "\n"
        ',,"Acme, Inc.",,A|B,,\n'
    )
    first, second = read_rows(text)
    assert first == Row(
        line=2,
        name="Médecins Sans Frontières",
        aliases=("MSF", "Doctors Without Borders"),
        owner="U0ANA",
        status="active",
        website="msf.org",
        notes="x",
        row=2,
    )
    assert (second.line, second.name, second.aliases, second.status) == (
        4,
        "Acme, Inc.",
        ("A", "B"),
        "prospect",
    )


@pytest.mark.parametrize(
    ("cell", "aliases"),
    [
        # As people type them after `add … aka "X", "Y"` (QA: one alias "CARE, Care Intl").
        ("CARE, Care Intl", ("CARE", "Care Intl")),
        ('"CARE", "Care Intl"', ("CARE", "Care Intl")),
        # As `export` writes them, and as lists were written before commas counted: a comma
        # beside a semicolon or `|` is part of an alias.
        ("Acme, Inc.; AC", ("Acme, Inc.", "AC")),
        ("Acme, Inc. | AC", ("Acme, Inc.", "AC")),
        # Quoted, an alias holds any separator; a quote inside one is as typed.
        ('"Acme, Inc.", AC', ("Acme, Inc.", "AC")),
        ("“Acme; Inc.”; «A|B»", ("Acme; Inc.", "A|B")),
        ('The "Good" Company, TGC', ('The "Good" Company', "TGC")),
        (" , GX,, ", ("GX",)),
        ("", ()),
    ],
)
def test_aliases_are_split_at_commas_or_semicolons_and_quotes_hold_them(
    cell: str, aliases: tuple[str, ...]
) -> None:
    assert split_aliases(cell) == aliases


def test_aliases_that_cannot_be_split_skip_their_row_saying_why(registry: Registry) -> None:
    report = run(
        registry,
        'name,aliases,owner\nGlobex,"""Globex, Inc",U0BEN\nHooli,"""Hooli"" Inc, HQ",U0BEN\n',
        dry_run=True,
    )
    assert outcomes(report) == [
        (
            2,
            Outcome.INVALID,
            'the quote (") before the alias “Globex, Inc” is never closed: close it, as in '
            '"Acme, Inc.", AC',
        ),
        (
            3,
            Outcome.INVALID,
            "“Inc, HQ” follows the quoted alias “Hooli”: separate aliases with commas, as in "
            '"Acme, Inc.", AC',
        ),
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "the file is empty"),
        ("owner,status\nU0ANA,active\n", "no `name` column"),
        # Every row would have been skipped, one by one, as having no owner.
        ("name,status,contact\nAcme,active,ana@example.org\n", "no `owner` column"),
    ],
)
def test_a_file_without_names_or_owners_is_unusable(text: str, problem: str) -> None:
    with pytest.raises(UnusableFile, match=problem):
        read_rows(text)


def test_column_titles_may_have_spaces_or_hyphens() -> None:
    [row] = read_rows("Name,Owner Email,Status\nAcme,ana@example.org,active\n")
    assert (row.owner, row.status) == ("ana@example.org", "active")
    [row] = read_rows("name,owner-id\nAcme,U0ANA\n")
    assert row.owner == "U0ANA"


@pytest.fixture
def registry(engine: Engine, clock: ManualClock) -> Registry:
    save_colleagues(engine, clock, team_id=T1, colleagues=[Colleague(ANA), Colleague(BEN)])
    registry = Registry(engine=engine, clock=clock, names=PartnerNames())
    add_partner(registry, team_id=T1, name="Initech", owner_id=ANA)
    registry.add_aliases(actor=Actor(T1, ANA), partner="Initech", aliases=["Initrode"])
    return registry


def run(registry: Registry, text: str, *, dry_run: bool) -> ImportReport:
    directory = KnownColleagues({"ana@example.org": ANA, "ben@example.org": BEN})
    return PartnerImport(registry=registry, directory=directory).run(
        team_id=T1, actor_id=BOT, rows=read_rows(text), dry_run=dry_run
    )


LIST = (
    "name,aliases,owner,status,website\n"
    "Globex,GX,BEN@example.org,active,globex.example\n"
    "Initech Inc,,ana@example.org,,\n"
    "Inittech,,ana@example.org,,\n"
    "Hooli,Initech,U0BEN,,\n"
    "Wayne,Initrode,U0BEN,,\n"
    "Umbrella,,eve@example.org,,\n"
    "!!!,,U0BEN,,\n"
    "Stark,,U0BEN,,not a website\n"
)


def outcomes(report: ImportReport) -> list[tuple[int, Outcome, str]]:
    return [(r.line, r.outcome, r.detail) for r in report.results]


def test_a_dry_run_tells_each_rows_fate_and_changes_nothing(registry: Registry) -> None:
    report = run(registry, LIST, dry_run=True)
    assert outcomes(report) == [
        (2, Outcome.ADDED, ""),
        (3, Outcome.EXISTS, "Initech"),
        (4, Outcome.LIKELY_DUPLICATE, "Initech"),
        (5, Outcome.SAME_AS_ROW, "3"),  # its alias is the name of line 3
        (6, Outcome.NAME_TAKEN, "“Initrode” is Initech"),
        (7, Outcome.UNKNOWN_OWNER, "eve@example.org"),
        (8, Outcome.INVALID, "the name has no letters or digits"),
        (9, Outcome.INVALID, "“not a website” is not a website"),
    ]
    listed = registry.page(team_id=T1, user_id=ANA, scope=ListScope.ALL, limit=10)
    assert [facts.name for facts in listed.partners] == ["Initech"]
    lines = words(report, file_name="list.csv", team_id=T1)
    assert lines[0] == "Dry run of list.csv for workspace T1: nothing was changed."
    assert lines[-2:] == [
        "Would add 1 partner: Globex.",
        "Run it again without --dry-run to add them.",
    ]


def test_another_spelling_of_a_registered_name_is_no_new_partner(registry: Registry) -> None:
    add_partner(registry, team_id=T1, name="Ärzte ohne Grenzen", owner_id=ANA)
    add_partner(registry, team_id=T1, name="Ökohaus", owner_id=ANA)
    text = (
        "name,aliases,owner\n"
        "Oekohaus,,U0BEN\n"
        "Ohne Grenzen,Aerzte ohne Grenzen,U0BEN\n"
        "Müller Stiftung,,U0BEN\n"
        "Mueller Stiftung,,U0BEN\n"
    )
    for dry_run in (True, False):
        assert outcomes(run(registry, text, dry_run=dry_run)) == [
            (2, Outcome.EXISTS, "Ökohaus"),
            (3, Outcome.NAME_TAKEN, "“Aerzte ohne Grenzen” is Ärzte ohne Grenzen"),
            (4, Outcome.ADDED, ""),
            (5, Outcome.SAME_AS_ROW, "4"),
        ]


def test_a_row_with_an_alias_of_only_a_legal_form_is_refused(registry: Registry) -> None:
    report = run(registry, "name,aliases,owner\nGlobex,GX;Inc,U0BEN\n", dry_run=False)
    assert outcomes(report) == [
        (2, Outcome.INVALID, "an alias is only a legal form or common word (Inc, The, Foundation)")
    ]


def test_a_dry_run_calls_likely_duplicates_what_the_import_will(registry: Registry) -> None:
    text = "name,owner\nInitech Holding,U0BEN\n"  # contains a registered name: `add`'s rule
    dry = run(registry, text, dry_run=True)
    assert outcomes(dry) == [(2, Outcome.LIKELY_DUPLICATE, "Initech")]
    assert outcomes(run(registry, text, dry_run=False)) == outcomes(dry)


def test_importing_twice_adds_once(registry: Registry) -> None:
    first = run(registry, LIST, dry_run=False)
    assert [r.name for r in first.of(Outcome.ADDED)] == ["Globex"]
    profile = registry.profile(team_id=T1, partner="gx")
    assert (profile.facts.owner_id, profile.facts.status, profile.facts.website_domain) == (
        BEN,
        "active",
        "globex.example",
    )
    assert profile.created_by == BOT
    second = run(registry, "name,owner\nGlobex,U0BEN\nInitech,U0ANA\n", dry_run=False)
    assert [r.outcome for r in second.results] == [Outcome.EXISTS, Outcome.EXISTS]
    assert words(second, file_name="list.csv", team_id=T1)[-1] == (
        "Nothing to change: all 2 partners in list.csv are already registered."
    )
    third = run(registry, "name,owner\nGlobex,U0BEN\n", dry_run=False)
    assert words(third, file_name="one.csv", team_id=T1)[-1] == (
        "Nothing to change: the partner in one.csv is already registered."
    )


def test_rows_repeating_each_other_are_reported_once(registry: Registry) -> None:
    report = run(
        registry,
        "name,aliases,owner,website\nAcme,ACM,U0ANA,acme.example\nacme,,U0BEN,\nACM Labs,,U0ANA,"
        "https://acme.example/x\nOther,acme,U0ANA,\n",
        dry_run=False,
    )
    assert outcomes(report) == [
        (2, Outcome.ADDED, ""),
        (3, Outcome.SAME_AS_ROW, "2"),
        # Another name with the same website is another partner the list names, as country
        # offices share one (QA h5: an export holding both could not be imported back).
        (4, Outcome.ADDED, ""),
        (5, Outcome.SAME_AS_ROW, "2"),
    ]


def test_a_website_in_brackets_after_the_name_is_the_website_as_add_reads_it(
    registry: Registry,
) -> None:
    add_partner(registry, team_id=T1, name="Zeta (zeta.org)", owner_id=ANA)  # by the form
    text = (
        "name,owner,website\n"
        "Acme (acme.org),U0BEN,\n"
        "Globex (globex.org),U0BEN,https://www.globex.org/\n"
        "Hooli (hooli.org),U0BEN,other.org\n"
        "Umbrella (UK),U0BEN,\n"
        "Zeta (zeta.org),U0ANA,zeta.org\n"  # exported with its brackets: read back
    )
    for dry_run in (True, False):
        assert outcomes(run(registry, text, dry_run=dry_run)) == [
            (2, Outcome.ADDED, ""),
            (3, Outcome.ADDED, ""),
            (4, Outcome.INVALID, "two websites, “hooli.org” and “other.org”"),
            (5, Outcome.ADDED, ""),
            (6, Outcome.EXISTS, "Zeta (zeta.org)"),
        ]
    acme = registry.profile(team_id=T1, partner="Acme")
    assert (acme.facts.name, acme.facts.website_domain) == ("Acme", "acme.org")
    globex = registry.profile(team_id=T1, partner="Globex")
    assert (globex.facts.name, globex.facts.website_domain) == ("Globex", "globex.org")
    assert registry.profile(team_id=T1, partner="Umbrella (UK)").facts.website_domain is None


def test_a_value_over_several_lines_is_counted_from_its_first_and_a_name_so_is_refused(
    registry: Registry,
) -> None:
    """A quote opened and closed lines later swallowed the rows between into one name, which
    was then reported (or added) as a partner called "Acme,U0ANA Globex…"."""
    text = 'name,owner\n"Acme,U0ANA\nGlobex",U0ANA\nInitrode Two,"U0ANA"\n'
    first, second = read_rows(text)
    assert (first.line, second.line) == (2, 4)
    report = run(registry, text, dry_run=True)
    assert outcomes(report)[0] == (
        2,
        Outcome.INVALID,
        "the name runs over several lines (a quote left open above?)",
    )


def test_a_quote_never_closed_makes_the_file_unusable_naming_its_line() -> None:
    with pytest.raises(UnusableFile, match=r"opens a value on line 3 is never closed"):
        read_rows('name,owner\nAcme,U0ANA\n"Globex,U0ANA\nInitech,U0ANA\n')


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_list_saved_with_semicolons_or_tabs_is_read(separator: str) -> None:
    """Spreadsheets in many European languages save "CSV" with semicolons: such a file was
    refused as having no `name` column."""
    text = separator.join(["Name", "Owner", "Aliases"]) + "\n"
    text += separator.join(["Acme, Inc.", "U0ANA", '"ACME|Acme Corp"']) + "\n"
    [row] = read_rows(text)
    assert (row.name, row.owner, row.aliases) == ("Acme, Inc.", "U0ANA", ("ACME", "Acme Corp"))


def test_names_export_guarded_from_spreadsheets_are_read_back_as_they_were_typed() -> None:
    """`export partners` writes `+Plus` as `'+Plus` so that a spreadsheet does not evaluate
    it; importing the file registered the partner as "'+Plus"."""
    columns = ["name", "aliases", "owner_id"]
    data, _ = to_csv(columns, [["+Plus Foundation", "@Home; -Minus", "U0ANA"]])
    [row] = read_rows(data.decode("utf-8"))
    assert (row.name, row.aliases) == ("+Plus Foundation", ("@Home", "-Minus"))
    [row] = read_rows("name,owner\n'Tis the Season Trust,U0ANA\n")
    assert row.name == "'Tis the Season Trust"  # an apostrophe of its own stays


def test_an_owner_given_as_a_handle_is_told_apart_from_one_slack_does_not_know(
    registry: Registry,
) -> None:
    report = run(
        registry, "name,owner\nAcme,@ana\nBeta,nobody@example.org\nGamma,Ana\n", dry_run=True
    )
    lines = words(report, file_name="list.csv", team_id=T1)
    neither = "is neither an email address nor a Slack user id (like U0123ABCD)"
    assert lines[1:5] == [
        "Unknown owners, skipped (3):",
        f"  line 2    Acme — “@ana” {neither}",
        "  line 3    Beta — nobody in Slack is nobody@example.org",
        f"  line 4    Gamma — “Ana” {neither}",
    ]


def test_an_owner_of_another_organisation_is_told_apart_from_one_slack_does_not_know(
    registry: Registry,
) -> None:
    """An owner of another organisation (Slack Connect) was reported as "nobody in Slack is
    zed@partner.test", as if mistyped: Slack knows them, but only a colleague owns a partner."""

    class WithStranger:
        """Zed, of another organisation, by email; Zoe by id (the cache knows where she is);
        Ben, a colleague."""

        def find(self, ref: str) -> str | Elsewhere | None:
            if ref.endswith("@partner.test"):
                return Elsewhere.PERSON
            return ref if ref in ("U0ZOE", BEN) else None

    # By id, someone the profile cache already knows as of another organisation.
    stranger = {"id": "U0ZOE", "name": "zoe", "team_id": "T0OTHER"}
    people.remember(registry.engine, registry.clock, stranger, team_id=T1)
    text = "name,owner\nUmbrella,zed@partner.test\nBeta,nobody@example.org\nGamma,U0ZOE\n"
    report = PartnerImport(registry=registry, directory=WithStranger()).run(
        team_id=T1, actor_id=BOT, rows=read_rows(text), dry_run=False
    )
    assert outcomes(report) == [
        (2, Outcome.EXTERNAL_OWNER, "zed@partner.test"),
        (3, Outcome.UNKNOWN_OWNER, "nobody@example.org"),
        (4, Outcome.EXTERNAL_OWNER, "U0ZOE"),
    ]
    lines = words(report, file_name="list.csv", team_id=T1)
    assert lines[1:4] == [
        "Unknown owners, skipped (3):",
        "  line 2    Umbrella — zed@partner.test is from another organisation (their Slack "
        "account belongs to another workspace): only colleagues can own a partner. Give a "
        "colleague as its owner and import it again; note people at the partner as its "
        "contacts: /partner contact Umbrella add NAME zed@partner.test",
        "  line 3    Beta — nobody in Slack is nobody@example.org",
    ]
    # A deputy or team member of another organisation is no colleague either: left out.
    text = "name,owner,deputy,team\nDelta,U0BEN,zed@partner.test,\nZeta,U0BEN,,zed@partner.test\n"
    report = PartnerImport(registry=registry, directory=WithStranger()).run(
        team_id=T1, actor_id=BOT, rows=read_rows(text), dry_run=True
    )
    assert words(report, file_name="list.csv", team_id=T1)[1:4] == [
        "Cells left out (2):",
        "  line 2    Delta — its deputy zed@partner.test is from another organisation: only "
        "colleagues can be its deputy; would be imported without a deputy",
        "  line 3    Zeta — its team member zed@partner.test is from another organisation: only "
        "colleagues can be on its team; would be imported without them on its team",
    ]


def test_the_owners_note_shows_names_as_typed(registry: Registry, engine: Engine) -> None:
    # QA: "*Save_the_Children*" came out in italics cut short, and "R&D <Labs>" garbled in the
    # note's block (its text was not escaped as every other message's is).
    run(registry, "name,owner\nSave_the_Children,U0BEN\nR&D <Labs>,U0BEN\n", dry_run=False)
    with Session(engine) as session:
        (note,) = session.exec(select(OutboxMessage)).all()
    assert note.recipient_user == BEN
    assert "*Save_the_Children* and *R&D <Labs>*" in note.text
    assert note.blocks is not None
    shown = note.blocks[0]["text"]["text"]
    assert "*Save_the_Children* and *R&amp;D &lt;Labs&gt;*" in shown
