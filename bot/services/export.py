"""`export partners|touchpoints|commitments`: a CSV file of what the caller may see.

What a person may see in an export:
- Partners: every partner of the workspace, as `list` and `show` show them to anyone: names,
  aliases, status, owner, deputy, team, website, channel, last contact (and by whom), stay-in-
  touch cadence (and whether it is the partner's own, its status's or the default), its own
  pulse-survey cadence, the balance of commitments, and health: the score and whether (and why)
  it is at risk; and, as `show` gives them, its notes and its contacts (people at the partner).
  `liaison import` reads back what is the partner's own of these: a list moved to a new
  database keeps them.
  Pulse surveys appear only as the aggregate of the latest closed round (respondents and
  average score), and only when at least the workspace's anonymity threshold answered; no
  answer of any one person is ever exported, nor any check-in.
- Touchpoints and commitments: admins get the whole workspace, as does an operator at the shell
  (`liaison export`, `Exporter.export_workspace`). Everyone else gets those of the
  partners on whose team they are (owner, deputy or member), plus the touchpoints they took part
  in and the commitments they own or recorded, whatever the partner. Notes are history that only
  the people working with a partner need in bulk. A planned meeting its author said didn't
  happen stays in the file, with when they said so (`didnt_happen_at`): a fact about the
  meeting, not an answer about how it went.

The file is UTF-8 with a byte-order mark (so spreadsheet programs read accents right), one row
per item, times in UTC (ISO 8601), days as YYYY-MM-DD, people as Slack ids with their names.
Notes and promises read as they were typed (`@ben`, `@here`), not in Slack's markup.
A cell that starts like a formula (`=`, `+`, `-`, `@`) is prefixed with `'` so that opening the
file in a spreadsheet never runs it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import Clock
from bot.mrkdwn import as_typed
from bot.services import people
from bot.services.cadence import Cadences
from bot.services.commitments import Commitments
from bot.services.health import PartnerHealth
from bot.services.people import PeopleCheck, PeopleToLookUp
from storage import commitments as commitment_store
from storage import partners as partner_store
from storage import touchpoints as touchpoint_store
from storage.models import Contact, Partner, TeamRole
from storage.people import get_profiles

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The quotes an alias may be put in to hold a separator, by the quote that opens it: those
# `add … aka` takes ("…", “…”, „…“, «…»). `liaison import` reads them (`split_aliases`).
ALIAS_QUOTES = {'"': '"', "“": "”", "„": "“", "«": "»"}
NO_LIMIT = 1_000_000


class Dataset(StrEnum):
    PARTNERS = "partners"
    TOUCHPOINTS = "touchpoints"
    COMMITMENTS = "commitments"


class Reach(StrEnum):
    EVERYTHING = "everything"  # an admin
    OWN = "own"  # the partners on one's team, and one's own part elsewhere


@dataclass(frozen=True, kw_only=True)
class Export:
    """A finished CSV file and what it holds."""

    dataset: Dataset
    filename: str
    content: bytes
    rows: int
    reach: Reach
    # For Reach.OWN: how many partners' full history it holds (those on the caller's team).
    team_partners: int
    # The people the file gives by id and no name: the profile cache never held them, and
    # Slack was not asked or did not say.
    unnamed: frozenset[str] = frozenset()


class HealthSource(Protocol):
    """Where each partner's health comes from (`bot.services.health.Health`): its score, and
    the facts it is made of, the latest closed pulse round's aggregates among them."""

    def scores(
        self, *, team_id: str, partner_ids: Collection[int] | None = None
    ) -> dict[int, PartnerHealth]: ...


PARTNER_COLUMNS = (
    "id", "name", "aliases", "status", "owner_id", "owner_name", "deputy_id", "deputy_name",
    "team_ids", "website", "channel_id", "created_at", "last_contact_at", "last_contact_by",
    "last_contact_by_name", "days_quiet", "cadence_ideal_days", "cadence_max_days",
    "cadence_source", "stay_in_touch", "open_us", "open_them", "overdue_us", "overdue_them",
    "kept_on_time", "kept_late", "lopsided", "pulse_cadence", "pulse_closed_at",
    "pulse_respondents", "pulse_average", "health", "at_risk", "at_risk_reasons", "notes",
    "contacts",
)  # fmt: skip
TOUCHPOINT_COLUMNS = (
    "id", "partner_id", "partner", "kind", "medium", "at", "day_only", "author_id",
    "author_name", "participant_ids", "contacts", "notes", "intent_answer", "didnt_happen_at",
)  # fmt: skip
# `number` is what people type (`done 3`), counted per workspace; the id stays internal.
COMMITMENT_COLUMNS = (
    "number", "partner_id", "partner", "side", "what", "owner_id", "owner_name", "due_on",
    "status", "overdue_days", "created_by", "created_at", "closed_by", "closed_at", "on_time",
    "close_note",
)  # fmt: skip

Cell = str | int | float | bool | date | datetime | None


def cell(value: Cell) -> str:
    """A value as one CSV cell: ISO times, yes/no, and nothing a spreadsheet would evaluate."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, datetime | date):
        text = value.isoformat()
    elif isinstance(value, float):
        text = f"{value:.2f}"
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(columns: Sequence[str], rows: Iterable[Sequence[Cell]]) -> tuple[bytes, int]:
    """The rows under a header line, as UTF-8 with a byte-order mark; and how many rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([cell(value) for value in row])
        count += 1
    return buffer.getvalue().encode("utf-8-sig"), count


@dataclass(frozen=True)
class Viewer:
    """Who exports, and what of the workspace's history they may have in bulk."""

    user_id: str
    reach: Reach
    # The partners on whose team the viewer is, in any role.
    team_partners: frozenset[int]

    def sees_partner_history(self, partner_id: int) -> bool:
        return self.reach is Reach.EVERYTHING or partner_id in self.team_partners


# An operator at the shell: no Slack user, and everything of the workspace.
OPERATOR = Viewer(user_id="", reach=Reach.EVERYTHING, team_partners=frozenset())


class Exporter:
    """Builds the CSV files of `export`, over one database."""

    def __init__(
        self,
        *,
        engine: Engine,
        clock: Clock,
        commitments: Commitments,
        cadences: Cadences,
        health: HealthSource,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.commitments = commitments
        self.cadences = cadences
        self.health = health

    def export(self, *, team_id: str, user_id: str, dataset: Dataset, check: PeopleCheck) -> Export:
        """The CSV of `dataset` as `user_id` may see it. Raises PeopleToLookUp when whether they
        are an admin needs Slack, then when the file would name people the profile cache never
        held (owners of partners imported before `liaison import` cached them): call again with
        what Slack said, until it has said all it will, so that the file names them."""
        return self._export(
            team_id,
            dataset,
            lambda session: self._viewer(session, team_id, user_id, check),
            asked=check.asked,
        )

    def export_workspace(
        self, *, team_id: str, dataset: Dataset, asked: frozenset[str] | None = None
    ) -> Export:
        """The CSV of `dataset` with everything of the workspace, as an operator sees it from
        the shell (`liaison export`): no one's admin status is asked. With no Slack to ask
        (`asked` None), people the profile cache never held are given by id alone (`unnamed`);
        otherwise, as `export`, raises PeopleToLookUp for those not in `asked` yet."""
        return self._export(team_id, dataset, lambda _session: OPERATOR, asked=asked)

    def workspaces(self) -> list[str]:
        """The workspaces (team ids) with something to export: those that registered a partner
        (touchpoints and commitments are all of a partner), in order."""
        with Session(self.engine) as session:
            return commitment_store.workspaces_with_partners(session=session)

    def _export(
        self,
        team_id: str,
        dataset: Dataset,
        viewer_of: Callable[[Session], Viewer],
        *,
        asked: frozenset[str] | None,
    ) -> Export:
        builders: dict[Dataset, Callable[[Session, _Names, Viewer], list[list[Cell]]]] = {
            Dataset.PARTNERS: self._partners,
            Dataset.TOUCHPOINTS: self._touchpoints,
            Dataset.COMMITMENTS: self._commitments,
        }
        columns = {
            Dataset.PARTNERS: PARTNER_COLUMNS,
            Dataset.TOUCHPOINTS: TOUCHPOINT_COLUMNS,
            Dataset.COMMITMENTS: COMMITMENT_COLUMNS,
        }[dataset]
        now = self.clock.now()
        with Session(self.engine) as session:
            viewer = viewer_of(session)
            names = _Names(session, team_id, asked)
            rows = builders[dataset](session, names, viewer)
        content, count = to_csv(columns, rows)
        return Export(
            dataset=dataset,
            filename=f"liaison-{dataset}-{now:%Y-%m-%d}.csv",
            content=content,
            rows=count,
            reach=viewer.reach,
            team_partners=len(viewer.team_partners),
            unnamed=frozenset(names.unnamed),
        )

    def _viewer(self, session: Session, team_id: str, user_id: str, check: PeopleCheck) -> Viewer:
        admin = people.admin_status(
            session, team_id=team_id, user_id=user_id, now=self.clock.now(), check=check
        )
        if admin is None:
            raise PeopleToLookUp([user_id])
        partners = _all_partners(session, team_id)
        roles = partner_store.roles_of_user(
            session=session,
            team_id=team_id,
            user_id=user_id,
            partner_ids=[_id(partner) for partner in partners],
        )
        return Viewer(
            user_id=user_id,
            reach=Reach.EVERYTHING if admin else Reach.OWN,
            team_partners=frozenset(roles),
        )

    # --- The three files -----------------------------------------------------------------------

    def _partners(self, session: Session, names_of: _Names, viewer: Viewer) -> list[list[Cell]]:
        team_id = names_of.team_id
        partners = _all_partners(session, team_id)
        ids = [_id(partner) for partner in partners]
        # One query for every team: a workspace of 1,000 partners must not cost 1,000.
        teams = partner_store.teams_of(session=session, team_id=team_id, partner_ids=ids)
        # Before the slow part (health, balances): it may stop here to have Slack name them.
        names = names_of(
            [m.user_id for team in teams.values() for m in team if m.role != TeamRole.MEMBER]
            + [p.last_contact_by for p in partners if p.last_contact_by]
        )
        states = self.cadences.states_in(session, team_id=team_id, partner_ids=ids)
        balances = self.commitments.balances(team_id=team_id, partner_ids=ids)
        # Pulse results too: every partner's latest round in a few queries, not one per partner.
        health = self.health.scores(team_id=team_id, partner_ids=ids)
        contacts = partner_store.contacts_by_partner(
            session=session, team_id=team_id, partner_ids=ids
        )
        aliases: dict[int, list[str]] = {}
        for partner_id, label in partner_store.labels(session=session, team_id=team_id):
            aliases.setdefault(partner_id, [])
            aliases[partner_id].append(label)
        rows: list[list[Cell]] = []
        for partner in partners:
            partner_id = _id(partner)
            state, balance = states[partner_id], balances[partner_id]
            facts = state.partner
            members = [m.user_id for m in teams.get(partner_id, []) if m.role == TeamRole.MEMBER]
            rows.append(
                [
                    partner_id,
                    partner.name,
                    alias_cell(a for a in aliases.get(partner_id, []) if a != partner.name),
                    partner.status,
                    facts.owner_id,
                    names.get(facts.owner_id or ""),
                    facts.deputy_id,
                    names.get(facts.deputy_id or ""),
                    "; ".join(members),
                    partner.website_domain,
                    partner.channel_id,
                    partner.created_at,
                    partner.last_contact_at,
                    partner.last_contact_by,
                    names.get(partner.last_contact_by or ""),
                    state.quiet_days,
                    state.intervals.ideal,
                    state.intervals.max,
                    # The partner's own (`cadence NAME`), its status's, or the defaults: only
                    # its own is the partner's to carry to another database.
                    state.intervals.source,
                    state.standing,
                    balance.open_us,
                    balance.open_them,
                    balance.overdue_us,
                    balance.overdue_them,
                    balance.kept_us + balance.kept_them,
                    balance.late_us + balance.late_them,
                    balance.lopsided,
                    # Its own pulse cadence (`survey NAME monthly`); empty: the workspace's.
                    partner.pulse_cadence,
                    *_pulse(health.get(partner_id)),
                    *_health(health.get(partner_id)),
                    partner.notes,
                    contact_cell(contacts.get(partner_id, [])),
                ]
            )
        return rows

    def _touchpoints(self, session: Session, names_of: _Names, viewer: Viewer) -> list[list[Cell]]:
        team_id = names_of.team_id
        partners = _all_partners(session, team_id)
        place = {_id(partner): index for index, partner in enumerate(partners)}
        # One query for the whole workspace: a query per partner made 1,000 partners cost 2,000.
        seen = [
            row
            for row in touchpoint_store.workspace_touchpoints(session=session, team_id=team_id)
            if row.partner_id in place
            and (viewer.sees_partner_history(row.partner_id) or viewer.user_id in row.colleagues)
        ]
        # By partner, as the partners file lists them; each partner's by time (a stable sort).
        seen.sort(key=lambda row: place[row.partner_id])
        found = [(partners[place[row.partner_id]].name, row) for row in seen]
        names = names_of([row.author_id for _, row in found])
        return [
            [
                row.id,
                row.partner_id,
                partner_name,
                row.kind,
                row.medium,
                row.at,
                row.day_only,
                row.author_id,
                names.get(row.author_id),
                "; ".join(row.participants),
                "; ".join(row.contact_names),
                None if row.notes is None else as_typed(row.notes),
                row.intent_answer,
                # A plan its author said didn't happen, and when they said so.
                row.cancelled_at,
            ]
            for partner_name, row in found
        ]

    def _commitments(self, session: Session, names_of: _Names, viewer: Viewer) -> list[list[Cell]]:
        items = [
            item
            for item in self.commitments.all_of(session, team_id=names_of.team_id, partner_ids=None)
            if viewer.sees_partner_history(item.partner_id)
            or viewer.user_id in (item.owner_id, item.created_by)
        ]
        names = names_of([item.owner_id for item in items])
        return [
            [
                item.number,
                item.partner_id,
                item.partner_name,
                item.side,
                as_typed(item.what),
                item.owner_id,
                names.get(item.owner_id),
                item.due_on,
                item.status,
                item.overdue_days,
                item.created_by,
                item.created_at,
                item.closed_by,
                item.closed_at,
                item.on_time,
                None if item.close_note is None else as_typed(item.close_note),
            ]
            for item in sorted(items, key=lambda item: (item.partner_name.casefold(), item.number))
        ]


def alias_cell(aliases: Iterable[str]) -> str:
    """Aliases as `liaison import` reads them back: separated by `; `, and in quotes when one
    holds a separator (`"Acme, Inc."`: the import splits a cell without semicolons at commas)
    or starts with a quote."""
    return "; ".join(_quoted(alias) for alias in aliases)


def contact_cell(contacts: Iterable[Contact]) -> str:
    """A partner's contacts as `liaison import` reads them back (`read_contact`), as an alias
    cell holds aliases: `Jane Doe <jane@msf.org> (Head of Partnerships); John Roe`. A name
    holding a bracket has its email after it, empty if none (`Jane Doe (Jr.) <>`), so that its
    bracket is not read as a title."""

    def email(contact: Contact) -> list[str]:
        if contact.email:
            return [f"<{contact.email}>"]
        return ["<>"] if "(" in contact.name else []

    return alias_cell(
        " ".join(
            [contact.name, *email(contact)] + ([f"({contact.title})"] if contact.title else [])
        )
        for contact in contacts
    )


def _quoted(alias: str) -> str:
    if not (set(alias) & set(",;|") or alias.startswith(tuple(ALIAS_QUOTES))):
        return alias
    # Quotes the alias does not hold itself (`The "Good", Inc` goes in “…”).
    opening = next((o for o, c in ALIAS_QUOTES.items() if c not in alias), None)
    return alias if opening is None else f"{opening}{alias}{ALIAS_QUOTES[opening]}"


def _pulse(found: PartnerHealth | None) -> list[Cell]:
    """The latest closed pulse round as aggregates only: when it closed, how many answered,
    and the average score when enough people answered to keep them anonymous."""
    pulse = None if found is None else found.health.facts.pulse
    if pulse is None:
        return [None, None, None]
    averages = [average for average in pulse.averages if average is not None]
    average = sum(averages) / len(averages) if pulse.enough and averages else None
    return [pulse.closed_at, pulse.respondents, average]


def _health(found: PartnerHealth | None) -> list[Cell]:
    """The score (empty: no part has data), whether it is at risk, and why (`RiskKind`s)."""
    if found is None:
        return [None, None, None]
    reasons = "; ".join(reason.kind for reason in found.risks)
    return [found.health.score, found.at_risk, reasons or None]


def _all_partners(session: Session, team_id: str) -> list[Partner]:
    return partner_store.list_page(
        session=session,
        team_id=team_id,
        where=partner_store.ListFilter(),
        after=None,
        limit=NO_LIMIT,
    )


@dataclass(frozen=True)
class _Names:
    """The names a file gives people, from the profile cache (of any age; someone of another
    organisation too, rather than a blank). `asked`: in Slack, who Slack was asked about during
    this command; someone the cache never held and not among them is to be looked up first
    (`PeopleToLookUp`). None at the shell, which has no Slack to ask."""

    session: Session
    team_id: str
    asked: frozenset[str] | None
    # Those the file gives by id alone, as found.
    unnamed: set[str] = field(default_factory=set)

    def __call__(self, user_ids: Iterable[str]) -> dict[str, str]:
        wanted = set(user_ids)
        profiles = get_profiles(
            session=self.session, team_id=self.team_id, user_ids=wanted, external=True
        )
        if self.asked is not None:
            # Someone Slack did not name when asked (gone, or no answer) stays unnamed.
            unknown = wanted - profiles.keys() - self.asked
            if unknown:
                raise PeopleToLookUp(sorted(unknown))
        self.unnamed.update(wanted - profiles.keys())
        return {user_id: profile.name for user_id, profile in profiles.items()}


def _id(partner: Partner) -> int:
    assert partner.id is not None, "partner was not flushed"
    return partner.id
