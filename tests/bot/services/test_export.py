"""Exports: CSV cells a spreadsheet cannot run, and what each person's file holds."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import ManualClock
from bot.services.cadence import Cadences
from bot.services.commitments import Commitments, NewCommitment
from bot.services.export import Dataset, Exporter, Reach, cell, to_csv
from bot.services.health import Health
from bot.services.imports import Outcome, PartnerImport, read_rows
from bot.services.partner_names import PartnerNames
from bot.services.people import PeopleCheck, PeopleToLookUp
from bot.services.registry import Actor, ListScope, Registry
from bot.services.touchpoints import NewTouchpoint, Touchpoints
from handlers.blocks.commitments import MESSAGES
from handlers.blocks.touchpoints import RENDERER
from storage import partners as partner_store
from storage import touchpoints as touchpoint_store
from storage.models import CommitmentSide, CommitmentStatus, PartnerStatus, TouchpointKind
from tests.factories import Colleague, add_partner, pulse_round, save_colleagues

T1 = "T1"
ANA, BEN, CHLOE, DAN = "U0ANA", "U0BEN", "U0CHLOE", "U0DAN"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+1 555", "'+1 555"),
        ("-5", "'-5"),
        ("@ana", "'@ana"),
        ("plain", "plain"),
        (None, ""),
        (True, "yes"),
        (3.14159, "3.14"),
        (date(2026, 12, 4), "2026-12-04"),
        (datetime(2026, 12, 4, 9, 30, tzinfo=UTC), "2026-12-04T09:30:00+00:00"),
    ],
)
def test_cells(value: str | bool | float | date | None, expected: str) -> None:
    assert cell(value) == expected


def test_a_csv_has_a_header_a_bom_and_quotes_where_needed() -> None:
    content, count = to_csv(("name", "notes"), [["Acme", 'said "yes", then\nleft']])
    assert count == 1
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows == [["name", "notes"], ["Acme", 'said "yes", then\nleft']]


def exporter_over(engine: Engine, clock: ManualClock, registry: Registry) -> Exporter:
    """The exporter as `/partner export` builds it, over the real services."""
    commitments = Commitments(engine=engine, clock=clock, registry=registry, messages=MESSAGES)
    cadences = Cadences(engine=engine, clock=clock, registry=registry, messages=MESSAGES)
    health = Health(
        engine=engine,
        clock=clock,
        registry=registry,
        commitments=commitments,
        cadences=cadences,
    )
    return Exporter(
        engine=engine, clock=clock, commitments=commitments, cadences=cadences, health=health
    )


def partner_id(registry: Registry, name: str) -> int:
    with Session(registry.engine) as session:
        found = registry.resolve(session, team_id=T1, query=name).id
    assert found is not None
    return found


@pytest.fixture
def exporter(engine: Engine, clock: ManualClock) -> Exporter:
    save_colleagues(
        engine,
        clock,
        team_id=T1,
        colleagues=[Colleague(ANA, admin=True), Colleague(BEN), Colleague(CHLOE), Colleague(DAN)],
    )
    registry = Registry(engine=engine, clock=clock, names=PartnerNames())
    add_partner(registry, team_id=T1, name="Acme", owner_id=BEN)
    add_partner(registry, team_id=T1, name="Globex", owner_id=CHLOE)
    commitments = Commitments(engine=engine, clock=clock, registry=registry, messages=MESSAGES)
    for by, partner, what in (
        (BEN, "Acme", "deck"),
        (CHLOE, "Globex", "quote"),
        (DAN, "Globex", "venue, says <@U0BEN|ben>"),
    ):
        commitments.record(
            actor=Actor(T1, by),
            partner=partner,
            new=NewCommitment(side=CommitmentSide.US, what=what, due_text="friday"),
        )
    touchpoints = Touchpoints(
        engine=engine, clock=clock, registry=registry, renderer=RENDERER, default_channel=None
    )
    for by, partner, notes in ((BEN, "Acme", "intro"), (CHLOE, "Globex", "pricing")):
        touchpoints.record(
            actor=Actor(T1, by),
            partner=partner,
            new=NewTouchpoint(kind=TouchpointKind.DONE, notes=notes),
        )
    touchpoints.record(
        actor=Actor(T1, CHLOE),
        partner="Acme",
        new=NewTouchpoint(
            kind=TouchpointKind.DONE, notes="with <@U0BEN|ben>, told <!here>", participants=[DAN]
        ),
    )
    # Acme: 4 answered; two statements by all of them (4.0 and 3.0), the others by too few.
    closed = datetime(2026, 11, 8, tzinfo=UTC)
    pulse_round(
        engine,
        T1,
        partner_id(registry, "Acme"),
        [(4, 3, 4, None)] * 2 + [(4, 3, None, None)] * 2,
        closed_at=closed,
    )
    # Globex: 2 answered, fewer than the anonymity threshold (3).
    pulse_round(engine, T1, partner_id(registry, "Globex"), [(1, 1, 1, 1)] * 2, closed_at=closed)
    return exporter_over(engine, clock, registry)


def rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_everyone_sees_every_partner_and_only_pulse_aggregates(
    exporter: Exporter,
) -> None:
    service = exporter
    found = service.export(team_id=T1, user_id=DAN, dataset=Dataset.PARTNERS, check=PeopleCheck())
    assert found.filename == "liaison-partners-2026-11-25.csv" and found.reach is Reach.OWN
    acme, globex = rows(found.content)
    assert (acme["name"], acme["owner_id"], acme["open_us"]) == ("Acme", BEN, "1")
    assert (acme["pulse_respondents"], acme["pulse_average"]) == ("4", "3.50")
    assert (globex["pulse_respondents"], globex["pulse_average"]) == ("2", "")  # too few
    assert acme["last_contact_by"] == CHLOE and acme["stay_in_touch"] == "fine"
    assert not any("score" in column or "answer" in column for column in acme)


def test_touchpoints_and_commitments_of_ones_partners_and_ones_own_part(
    exporter: Exporter,
) -> None:
    service = exporter

    def export(user: str, dataset: Dataset) -> list[dict[str, str]]:
        return rows(
            service.export(team_id=T1, user_id=user, dataset=dataset, check=PeopleCheck()).content
        )

    # Notes and promises as they were typed, not in Slack's markup.
    with_ben, venue = "with @ben, told @here", "venue, says @ben"
    assert [r["notes"] for r in export(BEN, Dataset.TOUCHPOINTS)] == ["intro", with_ben]
    assert [r["notes"] for r in export(DAN, Dataset.TOUCHPOINTS)] == [with_ben]  # took part
    assert [r["notes"] for r in export(ANA, Dataset.TOUCHPOINTS)] == ["intro", with_ben, "pricing"]
    assert [r["what"] for r in export(DAN, Dataset.COMMITMENTS)] == [venue]  # recorded it
    assert [r["what"] for r in export(CHLOE, Dataset.COMMITMENTS)] == ["quote", venue]
    assert [r["what"] for r in export(ANA, Dataset.COMMITMENTS)] == ["deck", "quote", venue]
    # The number people type (`done 2`), not the internal id.
    everything = export(ANA, Dataset.COMMITMENTS)
    assert [r["number"] for r in everything] == ["1", "2", "3"] and "id" not in everything[0]


def test_whether_someone_is_an_admin_may_need_slack_first(exporter: Exporter) -> None:
    service = exporter
    with pytest.raises(PeopleToLookUp):
        service.export(
            team_id=T1, user_id="U0NEW", dataset=Dataset.COMMITMENTS, check=PeopleCheck()
        )
    asked = PeopleCheck(asked=frozenset({"U0NEW"}))
    found = service.export(team_id=T1, user_id="U0NEW", dataset=Dataset.COMMITMENTS, check=asked)
    assert found.rows == 0 and found.reach is Reach.OWN


def test_a_plan_that_did_not_happen_is_exported_as_such(
    exporter: Exporter, engine: Engine, clock: ManualClock
) -> None:
    service = exporter
    now = clock.now()
    with Session(engine) as session:
        acme = touchpoint_store.partner_and_team(session=session, team_id=T1, key="acme")
        assert acme is not None
        plan = touchpoint_store.insert_touchpoint(
            session=session,
            team_id=T1,
            partner_id=acme.id,
            kind=TouchpointKind.PLANNED,
            at=now,
            day_only=False,
            medium="meeting",
            author_id=BEN,
            participants=[],
            contact_ids=[],
            notes="kick-off",
            request_key=None,
            created_at=now,
        )
        assert plan is not None
        touchpoint_store.cancel_planned(session=session, team_id=T1, touchpoint_id=plan, at=now)
        session.commit()
    found = rows(
        service.export(
            team_id=T1, user_id=BEN, dataset=Dataset.TOUCHPOINTS, check=PeopleCheck()
        ).content
    )
    said = {row["notes"]: (row["kind"], row["didnt_happen_at"]) for row in found}
    assert said["kick-off"] == ("planned", now.isoformat())
    assert said["intro"] == ("done", "")


def test_people_a_file_names_are_looked_up_first_unless_at_the_shell(
    exporter: Exporter, engine: Engine, clock: ManualClock
) -> None:
    """An owner the profile cache never held (a partner imported before `liaison import`
    cached owners) is looked up before the file is written, so that it names them; someone
    Slack was asked about and did not name stays unnamed. The shell has no Slack to ask."""
    service = exporter
    registry = Registry(engine=engine, clock=clock, names=PartnerNames())
    add_partner(registry, team_id=T1, name="Initech", owner_id="U0NEW")
    with pytest.raises(PeopleToLookUp) as pending:
        service.export(team_id=T1, user_id=ANA, dataset=Dataset.PARTNERS, check=PeopleCheck())
    assert pending.value.user_ids == ("U0NEW",)
    asked = PeopleCheck(asked=frozenset({"U0NEW"}), missing=frozenset({"U0NEW"}))
    found = rows(
        service.export(team_id=T1, user_id=ANA, dataset=Dataset.PARTNERS, check=asked).content
    )
    assert [(r["owner_id"], r["owner_name"]) for r in found if r["name"] == "Initech"] == [
        ("U0NEW", "")
    ]
    found = rows(service.export_workspace(team_id=T1, dataset=Dataset.PARTNERS).content)
    assert [r["owner_name"] for r in found] == ["u0ben", "u0chloe", ""]


def test_a_partner_export_imports_into_another_workspace_as_it_was(
    exporter: Exporter, engine: Engine, clock: ManualClock
) -> None:
    """The import reads what `export partners` writes: names (even those the export guards
    from spreadsheets), aliases, status, website, owner, deputy and team; and (QA h3: the file
    had neither) the partner's notes and its contacts, as its card shows them to anyone."""
    service = exporter
    registry = Registry(engine=engine, clock=clock, names=PartnerNames())
    registry.add(
        actor=Actor(T1, ANA),
        name="+Plus Foundation",
        aliases=["@Home", "Plus"],
        status=PartnerStatus.ACTIVE,
        website="plus.example",
        allow_similar=True,
        deputy_id=BEN,
        team=[CHLOE],
        notes='=MoU signed, "renewal" due\nnext spring',
    )
    for name, email, title in (
        ("Jane Doe", "jane@plus.example", "Head, Partnerships (Africa)"),
        ("=Eve; Roe", None, None),
    ):
        registry.add_contact(
            actor=Actor(T1, ANA), partner="Plus", name=name, email=email, title=title
        )
    found = service.export(team_id=T1, user_id=ANA, dataset=Dataset.PARTNERS, check=PeopleCheck())
    save_colleagues(
        engine,
        clock,
        team_id="T2",
        colleagues=[Colleague(ANA), Colleague(BEN), Colleague(CHLOE)],
    )

    class SameIds:
        def find(self, ref: str) -> str | None:
            return ref

    report = PartnerImport(registry=registry, directory=SameIds()).run(
        team_id="T2", actor_id=ANA, rows=read_rows(found.content.decode("utf-8")), dry_run=False
    )

    assert [r.outcome for r in report.results] == [Outcome.ADDED] * 3
    exported = {row["name"]: row for row in rows(found.content)}
    again = service.export(team_id="T2", user_id=ANA, dataset=Dataset.PARTNERS, check=PeopleCheck())
    for row in rows(again.content):
        before = exported[row["name"]]
        columns = ("aliases", "status", "website", "owner_id", "deputy_id", "team_ids", "notes")
        for column in (*columns, "contacts"):
            assert row[column] == before[column], (row["name"], column)
    plus = exported["'+Plus Foundation"]
    assert plus["contacts"] == (
        '"=Eve; Roe"; "Jane Doe <jane@plus.example> (Head, Partnerships (Africa))"'
    )
    assert plus["notes"] == '\'=MoU signed, "renewal" due\nnext spring'
    card = registry.profile(team_id="T2", partner="Plus")
    assert [(c.name, c.email, c.title) for c in card.contacts] == [
        ("=Eve; Roe", None, None),
        ("Jane Doe", "jane@plus.example", "Head, Partnerships (Africa)"),
    ]
    assert card.notes == '=MoU signed, "renewal" due\nnext spring'
    # Guarded in the file, as typed in the workspace it was imported into.
    assert "'+Plus Foundation" in exported
    listed = registry.page(team_id="T2", user_id=ANA, scope=ListScope.ALL, limit=10).partners
    assert sorted(facts.name for facts in listed) == ["+Plus Foundation", "Acme", "Globex"]


def test_aliases_as_people_type_them_import_export_and_import_again_as_they_were(
    exporter: Exporter, engine: Engine, clock: ManualClock
) -> None:
    """QA: `CARE, Care Intl` in a list's aliases became one alias, "CARE, Care Intl": only `;`
    and `|` separated them. Commas now do, as after `add … aka`; the export quotes an alias
    that holds a separator, so that its file imports back with the same aliases."""
    service = exporter
    registry = Registry(engine=engine, clock=clock, names=PartnerNames())

    class SameIds:
        def find(self, ref: str) -> str | None:
            return ref

    typed = (
        "name,aliases,owner\n"
        'CARE International,"CARE, Care Intl",U0ANA\n'
        'Initech,"""Initrode, Ltd."", IT",U0BEN\n'
        'Médecins Sans Frontières,"MSF; Doctors, Without Borders",U0ANA\n'
        "Hooli,HQ|Hooli XYZ,U0BEN\n"
        'Oxfam,"""Oxfam, Great Britain""",U0ANA\n'
    )
    report = PartnerImport(registry=registry, directory=SameIds()).run(
        team_id=T1, actor_id=ANA, rows=read_rows(typed), dry_run=False
    )
    assert [r.outcome for r in report.results] == [Outcome.ADDED] * 5

    def aliases(team_id: str) -> dict[str, set[str]]:
        with Session(engine) as session:
            labels = partner_store.labels(session=session, team_id=team_id)
            names = partner_store.get_partners(
                session=session, team_id=team_id, partner_ids=[pid for pid, _ in labels]
            )
        found: dict[str, set[str]] = {}
        for partner_id, label in labels:
            name = names[partner_id].name
            found.setdefault(name, set()).update({label} - {name})
        return found

    registered = aliases(T1)
    assert registered["CARE International"] == {"CARE", "Care Intl"}
    assert registered["Initech"] == {"Initrode, Ltd.", "IT"}
    assert registered["Médecins Sans Frontières"] == {"MSF", "Doctors, Without Borders"}
    assert registered["Hooli"] == {"HQ", "Hooli XYZ"}
    assert registered["Oxfam"] == {"Oxfam, Great Britain"}

    found = service.export(team_id=T1, user_id=ANA, dataset=Dataset.PARTNERS, check=PeopleCheck())
    cells = {row["name"]: row["aliases"] for row in rows(found.content)}
    assert '"Initrode, Ltd."' in cells["Initech"]
    assert '"Doctors, Without Borders"' in cells["Médecins Sans Frontières"]
    save_colleagues(engine, clock, team_id="T2", colleagues=[Colleague(ANA), Colleague(BEN)])
    again = PartnerImport(registry=registry, directory=SameIds()).run(
        team_id="T2", actor_id=ANA, rows=read_rows(found.content.decode("utf-8")), dry_run=False
    )
    assert {r.outcome for r in again.results} == {Outcome.ADDED}
    assert {name: aliases("T2")[name] for name in registered} == registered


def test_why_a_commitment_was_closed_is_in_its_export(exporter: Exporter) -> None:
    """Why it was closed (`done 1 sent by email`) showed only in the reply to `done`."""
    service = exporter
    service.commitments.close(
        actor=Actor(T1, BEN),
        number=1,
        status=CommitmentStatus.DONE,
        note="sent by email to <@U0BEN|ben>",
    )
    found = service.export(
        team_id=T1, user_id=ANA, dataset=Dataset.COMMITMENTS, check=PeopleCheck()
    )
    assert [(r["what"], r["close_note"]) for r in rows(found.content)] == [
        ("deck", "sent by email to @ben"),
        ("quote", ""),
        ("venue, says @ben", ""),
    ]


@pytest.mark.parametrize("dataset", [Dataset.PARTNERS, Dataset.TOUCHPOINTS])
def test_a_file_costs_the_same_queries_for_3_partners_as_for_30(
    engine: Engine, clock: ManualClock, dataset: Dataset
) -> None:
    save_colleagues(
        engine,
        clock,
        team_id=T1,
        colleagues=[Colleague(ANA, admin=True), Colleague(BEN), Colleague(DAN)],
    )
    registry = Registry(engine=engine, clock=clock, names=PartnerNames())
    service = exporter_over(engine, clock, registry)
    touchpoints = Touchpoints(
        engine=engine, clock=clock, registry=registry, renderer=RENDERER, default_channel=None
    )

    added: list[str] = []

    def statements_for(partners: int) -> int:
        for n in range(len(added), partners):
            added.append(f"Partner {n:02d}")
            add_partner(registry, team_id=T1, name=added[-1], owner_id=ANA)
            registry.add_to_team(actor=Actor(T1, ANA), partner=added[-1], user_ids=[BEN])
            # A pulse round enough people answered, and a meeting with a colleague along.
            pulse_round(
                engine,
                T1,
                partner_id(registry, added[-1]),
                [(4, 4, 4, 4)] * 3,
                closed_at=datetime(2026, 11, 8, tzinfo=UTC),
            )
            touchpoints.record(
                actor=Actor(T1, BEN),
                partner=added[-1],
                new=NewTouchpoint(kind=TouchpointKind.DONE, notes="intro", participants=[DAN]),
            )
        seen: list[str] = []

        def count(*args: object) -> None:
            seen.append(str(args[2]))

        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            found = service.export(team_id=T1, user_id=ANA, dataset=dataset, check=PeopleCheck())
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        assert found.rows == partners
        if dataset is Dataset.PARTNERS:
            assert {(r["team_ids"], r["pulse_average"]) for r in rows(found.content)} == {
                (BEN, "4.00")
            }
        else:
            assert {r["participant_ids"] for r in rows(found.content)} == {DAN}
            assert [r["partner"] for r in rows(found.content)] == added
        return len(seen)

    assert statements_for(3) == statements_for(30)
