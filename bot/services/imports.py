"""`liaison import partners FILE.csv [--dry-run]`: load an existing partner list.

The file is CSV (UTF-8, a byte-order mark allowed; or UTF-16 with its mark) with a header
line; values are separated by commas, or by semicolons or tabs if the header's are (or by
what a first line `sep=;` names, as some tools write it for Excel). Columns,
in any order and any case; others are ignored:
- `name` (required): the partner's name; an address in brackets ending it (`Acme (acme.org)`)
  is the partner's website, as `/partner add` reads it, not part of the name;
- `aliases`: other names, separated by commas, as `add … aka "X", "Y"` takes them; or by
  semicolons (as `export` writes them) or `|`, and then by those alone, so that an alias may
  hold a comma (`Acme, Inc.; AC`). An alias in double quotes may hold any of them
  (`"Acme, Inc.", AC`): `split_aliases`;
- `owner` (required; or `owner_email`, `owner_id`: in titles, a space or hyphen is an
  underscore): the owner's email address or Slack user id;
- `deputy` (or `deputy_email`, `deputy_id`): the deputy, as the owner is given;
- `team` (or `team_ids`, `team_emails`): the other colleagues on its team, separated by
  semicolons, commas, `|` or spaces (`split_people`);
- `status`: prospect (the default), active, paused or ended;
- `website`: a domain or address, used to spot duplicates;
- `notes`: what the add form's Notes field takes;
- `contacts`: people at the partner, each `Name <email> (title)` (email and title optional),
  separated as aliases are (`read_contact`);
- its own settings (`_own_settings`): `channel` (or `channel_id`), an id or a `#name` as
  `channel NAME #c` keeps it; `cadence_ideal_days` and `cadence_max_days`, its stay-in-touch
  intervals, when `cadence_source` says they are the partner's own (`partner`) or there is no
  such column (the export writes the intervals of its status or the defaults too, which are
  the workspace's, not the partner's); `pulse_cadence` (or `pulse`): monthly, quarterly or off.
`export partners` writes a file this reads back, its deputies, teams, notes, contacts and
settings included.

Each row is one of:
- added (with `--dry-run`: would be added); without, and saying so, a deputy, a team member,
  a contact or a setting that cannot be used (nobody Slack knows, someone of another
  organisation, `n/a`, a contact that is no name, a contacts cell that cannot be split, a
  channel that is no channel): only the name and the owner make a partner;
- already registered: a partner with this name (or an alias with it) exists; left as it is.
  This is what makes the import idempotent: run twice, the second run changes nothing;
- skipped, and reported first: a duplicate of an earlier row of the file (the same name, in
  any spelling), a likely duplicate of a partner registered before the import (similar name or
  same website, as `add` warns; rows of the file that look alike are the partners the list
  names, as an export of a workspace holding both writes them), an alias another partner
  goes by, an owner missing or not found in Slack, or a value that cannot be read.

Owners are looked up in Slack (`users.lookupByEmail`, which needs the `users:read.email` scope,
and `users.info`); the workspace is the bot token's (`auth.test`). Someone of another
organisation (Slack Connect) is no owner, as for `add`. What Slack says of the owners is kept
in the profile cache (but by a dry run), so that `export` names them. Rows are added one by one,
each in its own transaction, through the registry, as `add` would. Then each owner of a partner
added is told, in one direct message listing their partners, in their working hours.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum, StrEnum
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlmodel import Session

from bot.config import Settings
from bot.delivery.outbox import enqueue
from bot.mrkdwn import literal, slack_text
from bot.naming import name_keys, person_key
from bot.runtime import Runtime
from bot.services import people
from bot.services.cadence import MAX_INTERVAL_DAYS, BadIntervals, Source, check_intervals
from bot.services.export import ALIAS_QUOTES, FORMULA_STARTS
from bot.services.feedback import Cadence
from bot.services.people import NotInWorkspace, PeopleCheck
from bot.services.registry import (
    MAX_NOTES,
    MAX_SUGGESTIONS,
    Actor,
    AlreadyRegistered,
    BadName,
    BadValue,
    ContactInfo,
    NameProblem,
    NameTaken,
    PartnerFacts,
    Registry,
    clean_name,
    email_address,
    name_key,
    new_alias_key,
    new_name_key,
    website_domain,
)
from bot.slack_errors import SLACK_CALL_ERRORS
from bot.slack_retry import RateLimitRetryHandler
from bot.websites import split_website
from storage import commitments as cadence_store
from storage import partners as partner_store
from storage.commitments import CadenceRow
from storage.models import MAX_NAME_LENGTH, MAX_TITLE_LENGTH, Contact, PartnerStatus, TeamRole

OWNER_COLUMNS = ("owner", "owner_email", "owner_id")
DEPUTY_COLUMNS = ("deputy", "deputy_email", "deputy_id")
TEAM_COLUMNS = ("team", "team_ids", "team_emails")
CHANNEL_COLUMNS = ("channel", "channel_id")
PULSE_COLUMNS = ("pulse_cadence", "pulse")
_NAME_PROBLEMS = {
    NameProblem.EMPTY: "no name",
    NameProblem.TOO_LONG: f"the name is longer than {MAX_NAME_LENGTH} characters",
    NameProblem.NO_LETTERS: "the name has no letters or digits",
    NameProblem.GENERIC: "an alias is only a legal form or common word (Inc, The, Foundation)",
    NameProblem.GENERIC_NAME: "the name is only a legal form or common word (Inc, The, Foundation)",
    NameProblem.SINGLE_LETTER: "an alias is a single letter",
    NameProblem.SINGLE_LETTER_NAME: "the name is a single letter",
}
_QUOTED = re.compile("|".join(f"{o}[^{c}]*{c}" for o, c in ALIAS_QUOTES.items()))
_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A channel as `channel NAME #c` keeps it: picked from Slack's list, its id (public or
# private); typed, `#name` in Slack's lowercase, no longer than the column holds.
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,31}$")
_CHANNEL_NAME = re.compile(r"^#[a-z0-9_][a-z0-9_\-]{0,30}$")
EXIT_OK = 0
EXIT_SKIPPED = 1


class Outcome(StrEnum):
    ADDED = "added"
    EXISTS = "exists"
    SAME_AS_ROW = "same_as_row"
    LIKELY_DUPLICATE = "likely_duplicate"
    NAME_TAKEN = "name_taken"
    NO_OWNER = "no_owner"
    UNKNOWN_OWNER = "unknown_owner"
    # Someone of another organisation (Slack Connect): known to Slack, but no colleague.
    EXTERNAL_OWNER = "external_owner"
    INVALID = "invalid"


DUPLICATES = (Outcome.SAME_AS_ROW, Outcome.LIKELY_DUPLICATE, Outcome.NAME_TAKEN)
OWNER_PROBLEMS = (Outcome.NO_OWNER, Outcome.UNKNOWN_OWNER, Outcome.EXTERNAL_OWNER)


@dataclass(frozen=True)
class Row:
    """One line of the file, as typed."""

    line: int
    name: str
    aliases: tuple[str, ...]
    owner: str
    status: str
    website: str
    deputy: str = ""
    team: tuple[str, ...] = ()
    notes: str = ""
    # Each as typed: `Jane Doe <jane@msf.org> (CEO)`.
    contacts: tuple[str, ...] = ()
    # What of it cannot be read (an alias's quote never closed): the row is skipped, saying so.
    problem: str = ""
    # Why its contacts cell cannot be split: the partner is added without them, saying so.
    contacts_problem: str = ""
    # Its coordination channel: an id (C0123ABCD) or `#name`.
    channel: str = ""
    # Its own stay-in-touch intervals in days, ideal and maximum (`cadence NAME IDEAL MAX`).
    cadence: tuple[str, str] = ("", "")
    # Its own pulse-survey cadence: monthly, quarterly or off.
    pulse: str = ""
    # The row a spreadsheet shows it on (the titles' is 1): `line` less the lines that values
    # running over several (notes) and a `sep=` line take up.
    row: int = 0


@dataclass(frozen=True)
class OwnSettings:
    """What a partner added is given beside its name and team, as its own settings: its
    channel, stay-in-touch intervals (ideal, max) and pulse cadence (None: the workspace's)."""

    channel: str | None = None
    cadence: tuple[int, int] | None = None
    pulse: Cadence | None = None


@dataclass(frozen=True)
class LeftOut:
    """A cell of a row added (or, dry, to be added) without it: a deputy, a team member or a
    contact that names nobody Liaison can use. Only the name and the owner make a partner;
    the rest is left out, and said."""

    # What is wrong with it: `its deputy “n/a” is neither an email address nor a Slack user id`.
    problem: str
    # What the partner is added without: `a deputy`.
    without: str


@dataclass(frozen=True)
class RowResult:
    line: int
    name: str
    outcome: Outcome
    # What it is like, what is wrong: the existing partner, the earlier line, the bad value.
    detail: str = ""
    # Who owns the partner added, who is its deputy, who else is on its team.
    owner_id: str | None = None
    deputy_id: str | None = None
    team: tuple[str, ...] = ()
    # The cells of a row added that it is added without.
    left_out: tuple[LeftOut, ...] = ()
    # As `Row.row`.
    row: int = 0

    @property
    def place(self) -> str:
        """Where it is in the file: its line, and its row in a spreadsheet where they differ."""
        return str(self.line) if self.row in (0, self.line) else f"{self.line} (row {self.row})"


@dataclass
class ImportReport:
    """What an import did (or, dry, would do), row by row."""

    dry_run: bool
    results: list[RowResult] = field(default_factory=list)
    # How many owners were told of their partners added.
    owners_told: int = 0
    # How many deputies and team members (owning none of them) were told.
    others_told: int = 0

    def of(self, *outcomes: Outcome) -> list[RowResult]:
        return [result for result in self.results if result.outcome in outcomes]

    @property
    def skipped(self) -> list[RowResult]:
        return self.of(*DUPLICATES, *OWNER_PROBLEMS, Outcome.INVALID)

    @property
    def left_out(self) -> list[tuple[RowResult, LeftOut]]:
        """Each cell left out of a row added, with its row."""
        return [(result, cell) for result in self.results for cell in result.left_out]


class UnusableFile(Exception):
    """A file that cannot be imported at all (not CSV, no `name` column)."""


class Elsewhere(Enum):
    """What `Directory.find` says of someone of another organisation (their Slack account
    belongs to another workspace, met through Slack Connect): no colleague to own a partner,
    and no one to call unknown either."""

    PERSON = "elsewhere"


class Directory(Protocol):
    """Finds colleagues in Slack."""

    def find(self, ref: str) -> str | Elsewhere | None:
        """The user id of the active member `ref` (an email address or a Slack id) names;
        `Elsewhere.PERSON` when it names someone of another organisation."""
        ...


class DirectoryError(Exception):
    """Slack could not be asked (a missing scope, no answer); the message says what to do."""


# --- Reading the file ---------------------------------------------------------------------------


def read_file(path: Path) -> list[Row]:
    """The rows of the partner list at `path`: UTF-8 (or UTF-16 with its byte-order mark, as
    some spreadsheet programs save "Unicode text"). UnusableFile says why it cannot be read."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UnusableFile("there is no such file") from None
    except IsADirectoryError:
        raise UnusableFile("it is a folder, not a CSV file") from None
    except OSError as error:
        raise UnusableFile(f"it cannot be read ({error.strerror or error})") from None
    if data.startswith(b"PK\x03\x04"):
        raise UnusableFile(
            "it is a spreadsheet workbook (.xlsx or .ods), not CSV: save it as CSV UTF-8 "
            "(File → Save As) and import that file"
        )
    try:
        text = data.decode("utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise UnusableFile(
            f"it is not UTF-8 text (byte 0x{data[error.start]:02x} on line {line}): save it "
            "as CSV UTF-8 from your spreadsheet, or convert it, e.g. "
            f"iconv -f WINDOWS-1252 -t UTF-8 {path.name} > {path.stem}-utf8.csv"
        ) from None
    return read_rows(text)


def read_rows(text: str) -> list[Row]:
    """The rows of a partner list; raises UnusableFile when it has no `name` column.

    Values are separated by commas, or by what separates the header's titles when it has no
    comma: semicolons (spreadsheets in many European languages save CSV so) or tabs; or by
    what a first line `sep=;` names, as some tools write it for Excel to open the file."""
    text = text.removeprefix("\ufeff")
    first = text.partition("\n")[0]
    named = re.fullmatch(r"sep=([,;\t])\r?", first)
    if named:
        delimiter = named[1]
    else:
        delimiter = "," if "," in first else max(";\t", key=first.count)
    # Strict: a quote left open would otherwise swallow every line after it into one value.
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    try:
        if named:
            next(reader)  # the line naming the separator: the titles come next
        header = next(reader)
    except StopIteration:
        raise UnusableFile("the file is empty") from None
    except csv.Error as error:
        raise UnusableFile(f"it is not CSV ({error})") from None
    # "Owner Email", "owner-id" and owner_id are one column.
    columns = {
        re.sub(r"[\s-]+", "_", title.strip().lower()): index for index, title in enumerate(header)
    }
    other = next((c for c in "|:" if len(header) == 1 and c in header[0]), None)
    if "name" not in columns and other is not None:
        raise UnusableFile(
            f"its values are separated by “{other}”, which it does not read: save it as CSV, "
            "its values separated by commas, semicolons or tabs"
        )
    if "name" not in columns:
        raise UnusableFile(
            "its first line has no `name` column (expected: name, aliases, owner, status, website)"
        )
    if not columns.keys() & set(OWNER_COLUMNS):
        # Every row would be skipped, one by one, for the same reason.
        raise UnusableFile(
            "its first line has no `owner` column: every partner needs an owner, given by "
            "email address or Slack user id (columns: name, aliases, owner, status, website)"
        )

    def value(cells: Sequence[str], *titles: str) -> str:
        for title in titles:
            index = columns.get(title)
            if index is not None and index < len(cells) and cells[index].strip():
                return _unguarded(cells[index].strip())
        return ""

    def own_cadence(cells: Sequence[str]) -> tuple[str, str]:
        """The intervals the export wrote when they are the partner's own (`cadence_source`
        partner), or that a list without that column gives."""
        if value(cells, "cadence_source").lower() not in ("", Source.PARTNER):
            return ("", "")  # its status's or the defaults: the new workspace's apply
        return (value(cells, "cadence_ideal_days"), value(cells, "cadence_max_days"))

    rows = []
    # The line a row starts on (a quoted value may run over several).
    start = reader.line_num + 1
    try:
        for row_number, cells in enumerate(reader, start=2):
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            aliases: tuple[str, ...] = ()
            contacts: tuple[str, ...] = ()
            problem = contacts_problem = ""
            try:
                aliases = split_aliases(value(cells, "aliases"))
            except BadAliases as error:
                problem = str(error)
            try:
                contacts = split_aliases(value(cells, "contacts"), items=CONTACTS)
            except BadAliases as error:
                contacts_problem = str(error)
            rows.append(
                Row(
                    line=line,
                    row=row_number,
                    name=value(cells, "name"),
                    aliases=aliases,
                    owner=value(cells, *OWNER_COLUMNS),
                    status=value(cells, "status").lower() or PartnerStatus.PROSPECT.value,
                    website=value(cells, "website"),
                    deputy=value(cells, *DEPUTY_COLUMNS),
                    team=split_people(value(cells, *TEAM_COLUMNS)),
                    notes=value(cells, "notes"),
                    contacts=contacts,
                    problem=problem,
                    contacts_problem=contacts_problem,
                    channel=value(cells, *CHANNEL_COLUMNS),
                    cadence=own_cadence(cells),
                    pulse=value(cells, *PULSE_COLUMNS),
                )
            )
    except csv.Error as error:
        if reader.line_num >= start and "unexpected end of data" in str(error):
            raise UnusableFile(
                f'the quote (") that opens a value on line {start} is never closed: close it, '
                'or double a quote inside a value, as in "The ""Good"" Company"'
            ) from None
        hint = (
            ': a value in quotes ends at its closing quote; double a quote inside one, as in "The '
            '""Good"" Company"'
            if '"' in str(error)
            else ""
        )
        raise UnusableFile(f"line {reader.line_num} is not CSV ({error}){hint}") from None
    if not rows:
        # Not "all 0 partners are already registered": a list saved without its rows.
        raise UnusableFile(
            "it has no partners, only its first line: put one partner on each line below it"
        )
    return rows


def split_people(text: str) -> tuple[str, ...]:
    """The colleagues of a `team` cell, separated by semicolons, commas or `|`, or by spaces
    between email addresses and Slack ids: `U0CHLOE U0DAN` is two, but `Comms team` one
    (that names nobody)."""
    found: list[str] = []
    for part in filter(None, (part.strip() for part in re.split(r"[;,|]", text))):
        each = part.split()
        if all(_EMAIL.match(ref) or _SLACK_ID.match(ref.upper()) for ref in each):
            found.extend(each)
        else:
            found.append(" ".join(each))
    return tuple(found)


class BadAliases(ValueError):
    """An `aliases` cell that cannot be split; the message says why, and the right form."""


@dataclass(frozen=True)
class Items:
    """What a cell split as `aliases` holds, as its problems name it: one of them (`alias`),
    several (`aliases`), where they are (`where`: the column, unless `alias` names it) and an
    example of each separator (`examples`)."""

    alias: str
    aliases: str
    where: str
    examples: dict[str, str]


ALIASES = Items(
    alias="alias",
    aliases="aliases",
    where="",
    examples={",": '"Acme, Inc.", AC', ";|": '"Acme, Inc."; AC'},
)
CONTACTS = Items(
    alias="contact",
    aliases="contacts",
    where="in the contacts column, ",
    examples={
        ",": '"Jane Doe <jane@msf.org> (CEO, Africa)", John Roe',
        ";|": '"Jane Doe <jane@msf.org> (CEO; Africa)"; John Roe',
    },
)


def split_aliases(text: str, *, items: Items = ALIASES) -> tuple[str, ...]:
    """The aliases of one `aliases` cell (or what `items` says it holds: the contacts).
    Separated by commas, as people type them after
    `add … aka`; but a cell with a semicolon or `|` (outside quotes) is split at those alone,
    as `export` writes it and as this module read it before commas counted, so that `Acme,
    Inc.; AC` stays two aliases. An alias in quotes ("…", “…”, „…“, «…») may hold any
    separator; a quote that opens an alias ends it, so `The "Good" Company` is one alias as
    typed. Raises BadAliases for a quote never closed, or text after a closing quote, naming
    what `items` holds."""
    separators = ";|" if re.search(r"[;|]", _QUOTED.sub("", text)) else ","
    aliases: list[str] = []
    at = 0
    while at <= len(text):
        while at < len(text) and text[at].isspace():
            at += 1
        opening = text[at : at + 1]
        if opening and opening in ALIAS_QUOTES:
            end = text.find(ALIAS_QUOTES[opening], at + 1)
            if end < 0:
                raise BadAliases(
                    f"{items.where}the quote ({opening}) before the {items.alias} "
                    f"“{text[at + 1 :].strip()}” is never closed: close it, as in "
                    f"{items.examples[',']}"
                )
            alias = text[at + 1 : end]
            at = end + 1
            while at < len(text) and text[at].isspace():
                at += 1
            if at < len(text) and text[at] not in separators:
                raise BadAliases(
                    f"{items.where}“{text[at:]}” follows the quoted {items.alias} “{alias}”: "
                    f"separate {items.aliases} with {_SEPARATED[separators]}, as in "
                    f"{items.examples[separators]}"
                )
        else:
            end = at
            while end < len(text) and text[end] not in separators:
                end += 1
            alias, at = text[at:end], end
        if alias.strip():
            aliases.append(alias.strip())
        at += 1  # past the separator
    return tuple(aliases)


_SEPARATED = {",": "commas", ";|": "semicolons or |"}


class BadContact(ValueError):
    """A contact in the `contacts` cell that cannot be read; the message says why."""


# The title runs to the last bracket, so that it may hold brackets: `(Head (Africa))`. A name
# may hold them too (`Maria (Masha) Ivanova`): before an email, or an empty `<>` that says the
# bracket ending the name is no title (`Jane Doe (Jr.) <>`), as `export` writes it.
_CONTACT = re.compile(r"(?P<name>[^<>]*?)\s*(?:<(?P<email>[^<>]*)>)?\s*(?:\((?P<title>[^<>]*)\))?")


def read_contact(text: str) -> ContactInfo:
    """A person at the partner as `export` writes them: `Jane Doe <jane@msf.org> (Head of
    Partnerships)`, the email and the title optional (`Jane Doe (Jr.) <>`: a name ending in a
    bracket, with no email). Raises BadContact."""
    found = _CONTACT.fullmatch(text.strip())
    name = clean_name(found["name"]) if found else ""
    if found is None or not name:
        raise BadContact(
            f"the contact “{text}” is not a name, then an email in <…> and a title in (…), "
            "as in Jane Doe <jane@msf.org> (CEO)"
        )
    if len(name) > MAX_NAME_LENGTH:
        raise BadContact(f"the contact “{name}” is a name longer than {MAX_NAME_LENGTH} characters")
    try:
        email = email_address(found["email"]) if found["email"] else None
    except BadValue:
        raise BadContact(
            f"“{found['email']}”, the email of {name}, is not an email address"
        ) from None
    title = clean_name(found["title"] or "") or None
    if title is not None and len(title) > MAX_TITLE_LENGTH:
        raise BadContact(f"the title of {name} is longer than {MAX_TITLE_LENGTH} characters")
    return ContactInfo(name, email, title)


def _own_settings(row: Row, left_out: list[LeftOut]) -> OwnSettings:
    """The row's channel, intervals and pulse cadence; each that cannot be used is added to
    `left_out`, and the partner follows the workspace's instead."""
    channel: str | None = None
    if row.channel:
        typed = row.channel if row.channel.startswith("#") else row.channel.upper()
        if _CHANNEL_ID.match(typed) or _CHANNEL_NAME.match(typed.lower()):
            channel = typed.lower() if typed.startswith("#") else typed
        else:
            left_out.append(
                LeftOut(
                    f"its channel “{row.channel}” is neither a channel id (C0123ABCD) nor a "
                    "#channel-name",
                    "its own channel (its alerts go to the workspace's)",
                )
            )
    cadence: tuple[int, int] | None = None
    if any(row.cadence):
        ideal, maximum = row.cadence
        try:
            cadence = (int(ideal), int(maximum))
            check_intervals(*cadence)
        except (ValueError, BadIntervals):
            cadence = None
            left_out.append(
                LeftOut(
                    f"its stay-in-touch cadence “{ideal}” and “{maximum}” (cadence_ideal_days, "
                    "cadence_max_days) is not two whole numbers of days, the ideal below the "
                    f"maximum, up to {MAX_INTERVAL_DAYS}, as in 30 and 60",
                    "its own cadence (it follows its status's or the default)",
                )
            )
    pulse: Cadence | None = None
    if row.pulse:
        try:
            pulse = Cadence(row.pulse.lower())
        except ValueError:
            left_out.append(
                LeftOut(
                    f"its pulse cadence “{row.pulse}” is not monthly, quarterly or off (or "
                    "empty: the workspace's)",
                    "its own pulse cadence (it follows the workspace's)",
                )
            )
    return OwnSettings(channel=channel, cadence=cadence, pulse=pulse)


def distinct_contacts(contacts: Iterable[ContactInfo]) -> list[ContactInfo]:
    """Each person once: by email, or by name where no email is given (as `contact … add`)."""
    seen: set[str] = set()
    kept = []
    for contact in contacts:
        key = contact.email or f"name:{person_key(contact.name)}"
        if key not in seen:
            seen.add(key)
            kept.append(contact)
    return kept


def _unguarded(text: str) -> str:
    """A cell as typed before `export` guarded it from spreadsheets (`'=…` read as `=…`)."""
    if text.startswith("'") and text[1:2] and text[1] in FORMULA_STARTS:
        return text[1:]
    return text


# --- Importing ----------------------------------------------------------------------------------


class PartnerImport:
    """Imports partner lists through the registry."""

    def __init__(self, *, registry: Registry, directory: Directory) -> None:
        self.registry = registry
        self.directory = directory

    def run(
        self, *, team_id: str, actor_id: str, rows: Sequence[Row], dry_run: bool
    ) -> ImportReport:
        """Import `rows` into the workspace as `actor_id` (the bot user, who "added" them).

        With `dry_run` nothing is written. Raises DirectoryError when Slack cannot be asked
        about owners.
        """
        # Every owner is looked up before anything is written: Slack failing half-way through
        # leaves nothing half-imported.
        refs = [ref for row in rows for ref in (row.owner, row.deputy, *row.team) if ref]
        owners = {ref: self.directory.find(ref) for ref in dict.fromkeys(refs)}
        report = ImportReport(dry_run=dry_run)
        seen: dict[str, int] = {}
        # The partners this run added: the file lists them beside each other, so no row is a
        # likely duplicate of another (country offices share a website, `Plan International`
        # and `Plan International UK` are two), as a dry run, which adds none, finds too.
        ours: set[str] = set()
        for row in rows:
            result = self._row(team_id, actor_id, row, seen, owners, ours, dry_run=dry_run)
            report.results.append(result)
        if not dry_run:
            self._tell_owners(team_id, report)
        return report

    def _tell_owners(self, team_id: str, report: ImportReport) -> None:
        """Queue one direct message to each owner, deputy and team member of partners added,
        listing them by role, for their working hours."""
        roles: dict[str, Roles] = {}
        for result in report.of(Outcome.ADDED):
            for user, role in (
                (result.owner_id, TeamRole.OWNER),
                (result.deputy_id, TeamRole.DEPUTY),
                *((member, TeamRole.MEMBER) for member in result.team),
            ):
                if user is not None:
                    roles.setdefault(user, {}).setdefault(role, []).append(result.name)
        now = self.registry.clock.now()
        with Session(self.registry.engine) as session:
            for owner_id, named in roles.items():
                text = owner_note(named)
                enqueue(
                    session,
                    team_id=team_id,
                    kind="import",
                    recipient_user=owner_id,
                    text=text,
                    blocks=[
                        {"type": "section", "text": {"type": "mrkdwn", "text": slack_text(text)}}
                    ],
                    due_at=now,
                    dedupe_key=f"import:{owner_id}:{now.isoformat()}",
                    respect_working_hours=True,
                    now=now,
                )
            session.commit()
        report.owners_told = sum(TeamRole.OWNER in named for named in roles.values())
        report.others_told = len(roles) - report.owners_told

    def _row(
        self,
        team_id: str,
        actor_id: str,
        row: Row,
        seen: dict[str, int],
        owners: dict[str, str | Elsewhere | None],
        ours: set[str],
        *,
        dry_run: bool,
    ) -> RowResult:
        def result(outcome: Outcome, detail: str = "") -> RowResult:
            return RowResult(
                line=row.line,
                name=clean_name(row.name),
                outcome=outcome,
                detail=detail,
                row=row.row,
            )

        if "\n" in row.name:
            return result(
                Outcome.INVALID, "the name runs over several lines (a quote left open above?)"
            )
        if row.problem:
            return result(Outcome.INVALID, row.problem)
        name, bracketed = split_website(row.name)
        if bracketed is not None and not self._registered_whole(team_id, row.name):
            # Read as `add` reads the line: the address is the website, and the name is the rest.
            # (A partner the form registered with its brackets, and exported so, keeps them.)
            given = row.website
            row = replace(row, name=name, website=given or bracketed)
            try:
                same = not given or website_domain(given) == website_domain(bracketed)
            except BadValue as error:
                return result(Outcome.INVALID, f"“{error.value}” is not a website")
            if not same:
                return result(Outcome.INVALID, f"two websites, “{bracketed}” and “{given}”")
        try:
            key = new_name_key(row.name)
            alias_keys = [new_alias_key(alias) for alias in row.aliases]
            domain = website_domain(row.website) if row.website else None
            status = PartnerStatus(row.status)
        except BadName as error:
            return result(Outcome.INVALID, _NAME_PROBLEMS[error.problem])
        except BadValue as error:
            return result(Outcome.INVALID, f"“{error.value}” is not a website")
        except ValueError:
            statuses = ", ".join(PartnerStatus)
            return result(Outcome.INVALID, f"status “{row.status}” is not one of {statuses}")
        # Every spelling each name goes by (`name_keys`): "Aerzte" on one row, "Ärzte" on another.
        keys = [k for name in (row.name, *row.aliases) for k in name_keys(clean_name(name))]
        earlier = next((seen[k] for k in keys if k in seen), None)
        for k in keys:
            seen.setdefault(k, row.line)
        if earlier is not None:
            return result(Outcome.SAME_AS_ROW, str(earlier))
        with Session(self.registry.engine) as session:
            existing = self.registry.answering(
                session, team_id=team_id, name=clean_name(row.name), key=key
            )
            if existing is not None:
                return result(Outcome.EXISTS, existing.name)
            for alias, alias_key in zip(row.aliases, alias_keys, strict=True):
                holder = self.registry.answering(
                    session, team_id=team_id, name=clean_name(alias), key=alias_key
                )
                if holder is not None:
                    return result(Outcome.NAME_TAKEN, f"“{clean_name(alias)}” is {holder.name}")
        if not row.owner:
            return result(Outcome.NO_OWNER)
        owner_id = owners.get(row.owner)
        if owner_id is Elsewhere.PERSON:
            return result(Outcome.EXTERNAL_OWNER, row.owner)
        if owner_id is None:
            return result(Outcome.UNKNOWN_OWNER, row.owner)
        # The name and the owner make a partner; a deputy, a team member or a contact that
        # cannot be used is left out, and said, rather than the partner with them.
        left_out: list[LeftOut] = []
        deputy_id: str | None = None
        if row.deputy:
            found = owners.get(row.deputy)
            if not isinstance(found, str):
                problem = _colleague_problem("deputy", row.deputy, found)
                left_out.append(LeftOut(problem, "a deputy"))
            elif found == owner_id:
                left_out.append(LeftOut(f"its deputy {row.deputy} is its owner too", "a deputy"))
            else:
                deputy_id = found
        team: list[str] = []
        for ref in row.team:
            found = owners.get(ref)
            if isinstance(found, str):
                team.append(found)
            else:
                problem = _colleague_problem("team member", ref, found)
                left_out.append(LeftOut(problem, "them on its team"))
        if len(row.notes) > MAX_NOTES:
            return result(Outcome.INVALID, f"its notes are longer than {MAX_NOTES} characters")
        if row.contacts_problem:
            left_out.append(LeftOut(row.contacts_problem, "its contacts"))
        read: list[ContactInfo] = []
        for text in row.contacts:
            try:
                read.append(read_contact(text))
            except BadContact as error:
                left_out.append(LeftOut(str(error), "that contact"))
        contacts = distinct_contacts(read)
        own = _own_settings(row, left_out)
        # Registered before this run: those `add` warns of (it is told to add the rest anyway).
        similar = self._similar(team_id, clean_name(row.name), domain, besides=ours)
        if similar:
            return result(Outcome.LIKELY_DUPLICATE, ", ".join(similar))
        if dry_run:
            return replace(result(Outcome.ADDED), left_out=tuple(left_out))
        try:
            added = self.registry.add(
                actor=Actor(
                    team_id,
                    actor_id,
                    PeopleCheck(
                        asked=frozenset([owner_id, *team, *([deputy_id] if deputy_id else [])])
                    ),
                ),
                name=row.name,
                owner_id=owner_id,
                deputy_id=deputy_id,
                team=team,
                aliases=row.aliases,
                status=status,
                website=row.website or None,
                notes=row.notes or None,
                allow_similar=True,
                then=partial(self._save_rest, team_id, actor_id, contacts, own),
            )
        except AlreadyRegistered as exists:
            return result(Outcome.EXISTS, exists.existing.facts.name)
        except NameTaken as taken:
            return result(Outcome.NAME_TAKEN, f"“{taken.name}” is {taken.holder.name}")
        except NotInWorkspace as missing:
            outcome = Outcome.EXTERNAL_OWNER if missing.external else Outcome.UNKNOWN_OWNER
            return result(outcome, row.owner)
        ours.add(added.facts.name)
        return replace(
            result(Outcome.ADDED),
            owner_id=owner_id,
            deputy_id=deputy_id,
            team=tuple(team),
            left_out=tuple(left_out),
        )

    def _save_rest(
        self,
        team_id: str,
        actor_id: str,
        contacts: Sequence[ContactInfo],
        own: OwnSettings,
        session: Session,
        facts: PartnerFacts,
    ) -> None:
        """The row's contacts and settings, in the transaction that adds its partner."""
        now = self.registry.clock.now()
        partner = partner_store.get_partner(session=session, team_id=team_id, partner_id=facts.id)
        assert partner is not None, "the partner is added in this transaction"
        if own.channel is not None:
            partner.channel_id, partner.channel_set_at = own.channel, now
        if own.pulse is not None:
            partner.pulse_cadence = own.pulse.value
        session.add(partner)
        if own.cadence is not None:
            ideal, maximum = own.cadence
            cadence_store.save_partner_cadence(
                session=session,
                team_id=team_id,
                partner_id=facts.id,
                cadence=CadenceRow(ideal_days=ideal, max_days=maximum, snoozed_until=None),
                by=actor_id,
                at=now,
            )
        for contact in contacts:
            session.add(
                Contact(
                    team_id=team_id,
                    partner_id=facts.id,
                    name=contact.name,
                    email=contact.email,
                    title=contact.title,
                    created_at=now,
                )
            )

    def _registered_whole(self, team_id: str, name: str) -> bool:
        """Whether a partner goes by `name` as it is, brackets and all."""
        try:
            key = name_key(name)
        except BadName:
            return False
        with Session(self.registry.engine) as session:
            found = self.registry.answering(
                session, team_id=team_id, name=clean_name(name), key=key
            )
        return found is not None

    def _similar(
        self, team_id: str, name: str, domain: str | None, *, besides: set[str]
    ) -> list[str]:
        """Registered partners that `add` would call likely duplicates, but those named
        `besides`."""
        with Session(self.registry.engine) as session:
            found = {
                partner.name
                for partner in (
                    partner_store.partners_with_domain(
                        session=session, team_id=team_id, domain=domain
                    )
                    if domain
                    else []
                )
            }
            matches = self.registry.names.likely_duplicates(
                session, team_id=team_id, name=name, limit=MAX_SUGGESTIONS + len(besides)
            )
            partners = partner_store.get_partners(
                session=session, team_id=team_id, partner_ids=[m.partner_id for m in matches]
            )
            found |= {partner.name for partner in partners.values()}
        return sorted(found - besides)


# --- Slack as the directory ---------------------------------------------------------------------


logger = logging.getLogger(__name__)

# Owners are looked up one by one (users.lookupByEmail is Slack's tier 3: some 50 a minute):
# a long list is rate limited, and an operator's command can wait that out where a request could
# not. Slack's brief failures are tried again too.
LOOKUP_RETRIES = 5


def lookup_client(settings: Settings) -> WebClient:
    """A Web API client for the import's lookups, waiting out rate limits and brief failures."""
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_base_url,
        timeout=15,
        retry_handlers=[
            ConnectionErrorRetryHandler(),
            RateLimitRetryHandler(
                max_retry_count=LOOKUP_RETRIES,
                logger=logger,
                waiting="Slack is rate limiting the lookups",
            ),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


class SlackDirectory:
    """Colleagues of workspace `team_id` looked up in Slack, by email (`users.lookupByEmail`)
    or id (`users.info`). Each one found is handed to `remember` (to cache their profile:
    nothing else would, and the export would show an owner with no name)."""

    def __init__(
        self,
        client: WebClient,
        *,
        team_id: str,
        remember: Callable[[dict[str, Any]], None] = lambda _user: None,
    ) -> None:
        self.client = client
        self.team_id = team_id
        self.remember = remember
        self._found: dict[str, str | Elsewhere | None] = {}

    def find(self, ref: str) -> str | Elsewhere | None:
        key = ref.strip().lower() if "@" in ref else ref.strip().upper()
        if key not in self._found:
            self._found[key] = self._ask(key)
        return self._found[key]

    def _ask(self, ref: str) -> str | Elsewhere | None:
        try:
            if _EMAIL.match(ref):
                user = self.client.users_lookupByEmail(email=ref)["user"]
            elif _SLACK_ID.match(ref):
                user = self.client.users_info(user=ref)["user"]
            else:
                return None
        except SlackApiError as error:
            code = people.error_code(error)
            if code in people.NOT_IN_WORKSPACE_ERRORS:
                return None
            if code == "missing_scope":
                raise DirectoryError(
                    "Slack refused to look up colleagues by email: add the users:read.email "
                    "scope to the app (manifest.yml) and reinstall it, or give owners as Slack "
                    "user ids"
                ) from error
            status = error.response.status_code
            if status == 429 or status >= 500 or code == "ratelimited":
                raise DirectoryError(
                    f"Slack is not answering right now (HTTP {status}"
                    f"{', ' + code if status < 500 else ''}) when asked about {ref}, even after "
                    "waiting: try again in a few minutes"
                ) from error
            raise DirectoryError(f"Slack answered {code} when asked about {ref}") from error
        except SLACK_CALL_ERRORS as error:
            reason = getattr(error, "reason", None) or error
            raise DirectoryError(
                f"cannot reach Slack at SLACK_API_BASE_URL ({self.client.base_url}) to look up "
                f"{ref}: {reason}"
            ) from error
        if user.get("deleted") or user.get("is_bot"):
            return None
        self.remember(user)
        if people.is_external(user, team_id=self.team_id):
            return Elsewhere.PERSON
        return str(user["id"])


# --- The command --------------------------------------------------------------------------------


def words(report: ImportReport, *, file_name: str, team_id: str) -> list[str]:
    """The report as the operator reads it: problems first, then what was (or would be) done."""
    lines: list[str] = []
    head = "Dry run of" if report.dry_run else "Imported"
    lines.append(
        f"{head} {file_name} for workspace {team_id}"
        + (": nothing was changed." if report.dry_run else ".")
    )

    def section(title: str, results: list[RowResult], explain: Callable[[RowResult], str]) -> None:
        if not results:
            return
        lines.append(f"{title} ({len(results)}):")
        lines.extend(f"  line {r.place:<4} {r.name or '—'} — {explain(r)}" for r in results)

    section("Duplicates, skipped", report.of(*DUPLICATES), _duplicate)
    section("Unknown owners, skipped", report.of(*OWNER_PROBLEMS), _owner_problem)
    section("Rows that cannot be read, skipped", report.of(Outcome.INVALID), lambda r: r.detail)
    if left_out := report.left_out:
        done = "would be imported" if report.dry_run else "imported"
        lines.append(f"Cells left out ({len(left_out)}):")
        lines.extend(
            f"  line {r.place:<4} {r.name} — {cell.problem}; {done} without {cell.without}"
            for r, cell in left_out
        )
    existing = report.of(Outcome.EXISTS)
    added = report.of(Outcome.ADDED)
    if existing:
        lines.append(
            f"Already registered, left as they are ({len(existing)}): "
            + ", ".join(r.name for r in existing)
            + "."
        )
    if added:
        verb = "Would add" if report.dry_run else "Added"
        lines.append(
            f"{verb} {len(added)} partner{'s' if len(added) != 1 else ''}: "
            + ", ".join(r.name for r in added)
            + "."
        )
    elif not report.skipped:
        partners = "the partner" if len(existing) == 1 else f"all {len(existing)} partners"
        are = "is" if len(existing) == 1 else "are"
        lines.append(f"Nothing to change: {partners} in {file_name} {are} already registered.")
    if report.dry_run and added:
        lines.append("Run it again without --dry-run to add them.")
    if report.owners_told:
        told, others = report.owners_told, report.others_told
        also = (
            ""
            if not others
            else ", and so does 1 deputy or team member"
            if others == 1
            else f", and so do {others} deputies and team members"
        )
        lines.append(
            f"Their {'owner hears' if told == 1 else f'{told} owners hear'} of them in a direct "
            f"message, in working hours{also}."
        )
    return lines


# A colleague's partners in an import, by their role on each.
Roles = dict[TeamRole, list[str]]


def owner_note(roles: Roles) -> str:
    """To a colleague an import made the owner, deputy or team member of partners."""

    def listed(names: Sequence[str]) -> tuple[str, bool]:
        shown = [f"*{literal(name)}*" for name in names]  # as typed: `Save_the_Children`
        *others, last = shown
        return (f"{', '.join(others)} and {last}" if others else last), bool(others)

    said = []
    if owned := roles.get(TeamRole.OWNER):
        partners, several = listed(owned)
        their, it = ("their", "them") if several else ("its", "it")
        said.append(
            f"you are the owner of {partners}. You are now {their} accountable contact: "
            f"colleagues will check with you before they reach out to {it}. `/partner list "
            "mine` shows the partners you own."
        )
    if deputy := roles.get(TeamRole.DEPUTY):
        partners, several = listed(deputy)
        said.append(
            f"you are the deputy of {partners}: you cover for "
            f"{'their owners' if several else 'its owner'} while they are away."
        )
    if member := roles.get(TeamRole.MEMBER):
        partners, several = listed(member)
        said.append(
            f"you are on the team of {partners}: {'their' if several else 'its'} pulse surveys "
            "will ask you how the partnership goes, and you will be kept informed about it."
        )
    first, *more = said
    return " ".join(
        [
            f"A partner list was imported into Liaison, and {first}",
            *(m[0].upper() + m[1:] for m in more),
        ]
    )


def _duplicate(result: RowResult) -> str:
    if result.outcome is Outcome.SAME_AS_ROW:
        return f"the same partner as line {result.detail}"
    if result.outcome is Outcome.NAME_TAKEN:
        return f"an alias another partner goes by: {result.detail}"
    return f"looks like {result.detail}, already registered"


def _colleague_problem(role: str, ref: str, found: Elsewhere | None) -> str:
    """Why a deputy or team member given in the file is no colleague Liaison can name."""
    if not _EMAIL.match(ref) and not _SLACK_ID.match(ref.upper()):
        return f"its {role} “{ref}” is neither an email address nor a Slack user id"
    if found is Elsewhere.PERSON:
        where = "its deputy" if role == "deputy" else "on its team"
        return f"its {role} {ref} is from another organisation: only colleagues can be {where}"
    return f"its {role}: nobody in Slack is {ref}"


def _owner_problem(result: RowResult) -> str:
    if result.outcome is Outcome.NO_OWNER:
        return "no owner given (an email address or a Slack user id)"
    given = result.detail
    if not _EMAIL.match(given) and not _SLACK_ID.match(given.upper()):
        # A @handle or a name: Slack can be asked about neither.
        return f"“{given}” is neither an email address nor a Slack user id (like U0123ABCD)"
    if result.outcome is Outcome.EXTERNAL_OWNER:
        email = f" {given}" if _EMAIL.match(given) else ""
        return (
            f"{given} is from another organisation (their Slack account belongs to another "
            "workspace): only colleagues can own a partner. Give a colleague as its owner and "
            "import it again; note people at the partner as its contacts: "
            f"/partner contact {result.name} add NAME{email}"
        )
    return f"nobody in Slack is {given}"


def import_partners(
    runtime: Runtime,
    client: WebClient,
    *,
    team_id: str,
    actor_id: str,
    rows: Sequence[Row],
    file_name: str,
    dry_run: bool,
    echo: Callable[[str], None] = print,
) -> int:
    """`liaison import partners`: `rows` (`read_file`'s) into workspace `team_id`, as the bot
    user `actor_id` (who SLACK_BOT_TOKEN is, by auth.test). 0 when every row was added whole
    or already there, 1 when rows were skipped or cells left out (listed first). Raises
    DirectoryError, having written nothing, when Slack cannot be asked about owners."""
    registry = Registry(engine=runtime.engine, clock=runtime.clock, names=runtime.partner_names)
    directory = SlackDirectory(
        client,
        team_id=team_id,
        remember=(
            (lambda _user: None)
            if dry_run
            else partial(people.remember, runtime.engine, runtime.clock, team_id=team_id)
        ),
    )
    report = PartnerImport(registry=registry, directory=directory).run(
        team_id=team_id, actor_id=actor_id, rows=rows, dry_run=dry_run
    )
    for line in words(report, file_name=file_name, team_id=team_id):
        echo(line)
    return EXIT_SKIPPED if report.skipped or report.left_out else EXIT_OK
