"""The partner registry's rules: names and aliases, duplicates, ownership, teams, contacts, merge.

Every public method is one transaction: it either makes the whole change or raises and changes
nothing. Methods take the caller as an `Actor`, plain values and partner names as typed; they
return plain dataclasses (never database rows) and raise the errors below for the handler to
word. Nothing here calls Slack: when an answer depends on a colleague the profile cache does not
know, `people.PeopleToLookUp` is raised before any write.

Who may do what: anyone may add partners and contacts and look at everything; the partner's
owner, its deputy and admins may change a partner.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot import naming
from bot.clock import Clock
from bot.delivery.outbox import withdraw, withdraw_from_elsewhere
from bot.services import people
from bot.services.channels import Channels, Route, route
from bot.services.feedback import withdraw_unreached_surveys
from bot.services.partner_names import PartnerNames
from bot.services.people import PeopleCheck, PeopleToLookUp
from bot.websites import bracketed_addresses, split_website
from storage import health as health_store
from storage import partners as store
from storage import people as people_store
from storage.models import (
    MAX_NAME_LENGTH,
    MAX_TITLE_LENGTH,
    Contact,
    Partner,
    PartnerAlias,
    PartnerStatus,
    TeamMembership,
    TeamRole,
)

MAX_SUGGESTIONS = 3
# A partner's notes, as long as their column holds.
MAX_NOTES = 3000
# An email address, as long as its column holds (and RFC 5321 allows).
MAX_EMAIL_LENGTH = 254

_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\".]{2,}$")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_DOMAIN = re.compile(
    r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}$"
)


@dataclass(frozen=True)
class Actor:
    """Who asks, in which workspace, and what this command already learned from Slack."""

    team_id: str
    user_id: str
    check: PeopleCheck = field(default_factory=PeopleCheck)


# --- What the registry answers ------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerFacts:
    """A partner in one line: enough for a list, a refusal or a duplicate warning."""

    id: int
    name: str
    status: str
    owner_id: str | None
    deputy_id: str | None
    website_domain: str | None
    channel_id: str | None
    last_contact_at: datetime | None
    # Who made that contact, where the reader has it (not in touchpoint messages).
    last_contact_by: str | None = None
    last_contact_day_only: bool = False
    # When `channel_id` was chosen (None: never, or not read here): its greeting's key.
    channel_set_at: datetime | None = None

    @property
    def editors(self) -> frozenset[str]:
        """Who may change the partner without being an admin (an admin may change any): its
        owner and its deputy. The one statement of the rule: every change to a partner, in
        this module or another service, is checked against it."""
        return frozenset(user for user in (self.owner_id, self.deputy_id) if user)


@dataclass(frozen=True)
class ContactInfo:
    name: str
    email: str | None
    title: str | None


@dataclass(frozen=True)
class PartnerProfile:
    """Everything the profile card shows."""

    facts: PartnerFacts
    aliases: list[str]
    # Team members other than the owner and the deputy, in the order they joined.
    members: list[str]
    contacts: list[ContactInfo]
    notes: str | None
    created_by: str
    created_at: datetime
    last_contact_by: str | None
    # The owner has left Slack, as the profile cache (kept by user_change) says.
    owner_gone: bool = False


class SimilarBy(StrEnum):
    NAME = "name"
    WEBSITE = "website"


@dataclass(frozen=True)
class Similar:
    """An existing partner that a new one would likely duplicate, and why."""

    facts: PartnerFacts
    by: SimilarBy
    # The name or alias that looked alike (for SimilarBy.NAME).
    label: str | None = None


@dataclass(frozen=True)
class PartnerPage:
    """One page of `list`; `next_after` is where the next page starts (None: no more)."""

    partners: list[PartnerFacts]
    next_after: store.ListCursor | None
    # The caller's role on each partner shown, where they have one.
    roles: dict[int, TeamRole]


@dataclass(frozen=True)
class Handover:
    facts: PartnerFacts
    old_owner_id: str | None
    new_owner_id: str
    # The new owner was the partner's deputy, so it has none now.
    was_deputy: bool = False


@dataclass(frozen=True)
class DeputyChange:
    facts: PartnerFacts
    old_deputy_id: str | None


@dataclass(frozen=True)
class ListChange:
    """A change to one of the partner's lists: its team members or its aliases."""

    facts: PartnerFacts
    changed: list[str]
    # Nothing to do for these: already on the list (add) or not on it (remove).
    unchanged: list[str]
    # The list after the change.
    now: list[str]
    # The deputy taken off the team (remove), who leaves the partner without one.
    deputy_removed: str | None = None
    # Aliases asked for that are the partner's own name (`alias Acme Inc add "ACME"`): not
    # among `unchanged`, which are aliases it has.
    its_name: list[str] = field(default_factory=list)
    # Colleagues taken off (remove) before the note that they were put on it reached them:
    # never told they joined, they are not told they left.
    unheard: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Renamed:
    facts: PartnerFacts
    old_name: str
    # False when the old name was only a legal form or common word (`naming.generic_name`:
    # "Foundation"): it is refused as an alias, so it is not kept as one either.
    old_name_kept: bool = True
    # The new name is the old one written otherwise: in case, accents or punctuation only
    # (`naming.same_letters`: "Logbook" to "logbook"), or with the letters the old one wrote
    # out ("Aerzte" to "Ärzte": `naming.name_keys`); it finds the partner as the old one did.
    respelled: bool = False


@dataclass(frozen=True)
class Merged:
    kept: PartnerFacts
    duplicate_name: str
    # What moved over, by kind: aliases, contacts, contacts_merged, team, and the table name of
    # every other kind of history (touchpoint, …).
    moved: dict[str, int]
    # The duplicate's owner and deputy, whose roles ended with it (they join the kept team).
    duplicate_owner_id: str | None = None
    duplicate_deputy_id: str | None = None
    # The duplicate's status, and the kept partner's before the merge (`_fill_gaps`).
    duplicate_status: str = PartnerStatus.PROSPECT
    status_before: str = PartnerStatus.PROSPECT
    # What later features found in the merged history, for the answer (`merge`'s `then`).
    findings: tuple[str, ...] = ()
    # The duplicate's id, which no partner has any more: the key of what was queued about it.
    duplicate_id: int | None = None
    # False when the duplicate's name was only a legal form or common word ("Foundation"): not
    # kept as an alias of the kept partner, as `alias add` would refuse it.
    duplicate_name_kept: bool = True
    # The ids of the rows of every other kind of history that came from the duplicate, by table
    # name (those `moved` counts): what later features tell apart from the kept partner's own.
    moved_ids: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # What the kept partner, having none, took over from the duplicate: its "channel",
    # "website" and "notes" (`_fill_gaps`).
    taken_over: tuple[str, ...] = ()


@dataclass(frozen=True)
class ContactAdded:
    facts: PartnerFacts
    contact: ContactInfo
    # False: the person was there already (`_same_contact`), and `contact` is as kept.
    created: bool
    # What the person there already lacked and was given from this line: "email", "title".
    completed: tuple[str, ...] = ()
    # True: found by name alone (one of the two had no email), so perhaps another person.
    by_name: bool = False
    # The title they had, when this line gave them another.
    retitled_from: str | None = None
    # The title this line gave that they were not given: found by name alone, with a title of
    # their own (they may be another person of that name).
    title_not_taken: str | None = None


@dataclass(frozen=True)
class ContactRemoved:
    facts: PartnerFacts
    contact: ContactInfo
    # Touchpoints that name them, which keep doing so.
    touchpoints: int


# --- What the registry refuses ------------------------------------------------------------------


class RegistryError(Exception):
    """A request the registry cannot carry out; nothing was changed."""


class NameProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    NO_LETTERS = "no_letters"
    # An alias of only legal forms or common words ("Inc", "The", "Foundation").
    GENERIC = "generic"
    # A new partner's whole name of only such words (`add Foundation`).
    GENERIC_NAME = "generic_name"
    # An alias of one letter or digit ("D", "V", "D Inc"), legal forms aside: typed alone, such
    # a letter stands for no partner in particular.
    SINGLE_LETTER = "single_letter"
    # A new partner's name of one letter or digit (`add E`).
    SINGLE_LETTER_NAME = "single_letter_name"


class BadName(RegistryError):
    def __init__(self, name: str, problem: NameProblem) -> None:
        super().__init__(f"{problem}: {name!r}")
        self.name = name
        self.problem = problem


class BadValue(RegistryError):
    """A website or email that is not one, or a value longer than `limit` characters."""

    def __init__(self, what: str, value: str, *, limit: int | None = None) -> None:
        super().__init__(f"not a {what}: {value!r}" if limit is None else f"{what} too long")
        self.what = what
        self.value = value
        self.limit = limit


@dataclass(frozen=True)
class KnownStart:
    """A partner whose name or alias an unknown name starts with ("Oxfam" of "Oxfam Intl"),
    and the words typed after it ("Intl")."""

    facts: PartnerFacts
    rest: str


class NotesTooLong(RegistryError):
    """Notes longer than `MAX_NOTES`: Slack's form caps them, but a client may count otherwise
    (UTF-16 units, not characters) and a request need not come from Slack's client at all."""

    def __init__(self, length: int) -> None:
        super().__init__(f"notes of {length} characters")
        self.length = length


class UnknownPartner(RegistryError):
    """No partner goes by `query`. `candidates` are those it may stand for ("Did you mean");
    `start` the partner it begins with, if any (words the verb does not take after a name);
    `more`: more partners than `candidates` may be meant (`MAX_SUGGESTIONS` are offered)."""

    def __init__(
        self,
        query: str,
        candidates: list[PartnerFacts],
        start: KnownStart | None = None,
        *,
        more: bool = False,
    ) -> None:
        super().__init__(f"no partner named {query!r}")
        self.query = query
        self.candidates = candidates
        self.start = start
        self.more = more


class AlreadyRegistered(RegistryError):
    """`add` of a name (or alias) that an existing partner has."""

    def __init__(self, name: str, existing: PartnerProfile) -> None:
        super().__init__(f"{name!r} is {existing.facts.name!r}")
        self.name = name
        self.existing = existing


class LikelyDuplicate(RegistryError):
    """`add` of a partner that looks like existing ones; `allow_similar` creates it anyway."""

    def __init__(self, name: str, similar: list[Similar]) -> None:
        super().__init__(f"{name!r} looks like {[s.facts.name for s in similar]}")
        self.name = name
        self.similar = similar


class NameTaken(RegistryError):
    """A new name or alias that another partner already goes by; `adding`: the name of the
    partner `add` was to register with it, which therefore does not exist."""

    def __init__(self, name: str, holder: PartnerFacts, adding: str | None = None) -> None:
        super().__init__(f"{name!r} is taken by {holder.name!r}")
        self.name = name
        self.holder = holder
        self.adding = adding


class DeputyIsOwner(RegistryError):
    """`add` naming as deputy whoever would own the partner (the caller, unless an owner is
    named): one person cannot be both."""

    def __init__(self, name: str, user_id: str) -> None:
        super().__init__(f"{user_id} would own {name!r} and be its deputy")
        self.name = name
        self.user_id = user_id


class NotAllowed(RegistryError):
    """The caller is neither owner, deputy nor admin of the partner; `admins`: those Liaison
    knows of, who could."""

    def __init__(self, facts: PartnerFacts, admins: Sequence[str] = ()) -> None:
        super().__init__(f"may not change {facts.name!r}")
        self.facts = facts
        self.admins = admins


class Conflict(StrEnum):
    ALREADY_OWNER = "already_owner"
    ALREADY_DEPUTY = "already_deputy"
    OWNER_AS_DEPUTY = "owner_as_deputy"
    REMOVE_OWNER = "remove_owner"
    NO_DEPUTY = "no_deputy"
    SAME_STATUS = "same_status"
    SAME_PARTNER = "same_partner"
    SAME_NAME = "same_name"
    NOT_AN_ALIAS = "not_an_alias"
    ITS_NAME = "its_name"
    NOT_A_CONTACT = "not_a_contact"
    CONTACTS_OF_THAT_NAME = "contacts_of_that_name"


class NothingToDo(RegistryError):
    """The change asked for is the state already, or contradicts the rules of roles."""

    def __init__(self, conflict: Conflict, facts: PartnerFacts, subject: str = "") -> None:
        super().__init__(f"{conflict}: {facts.name!r} {subject}")
        self.conflict = conflict
        self.facts = facts
        self.subject = subject


# --- Pure rules ---------------------------------------------------------------------------------


def team_notes_prefix(partner_id: int) -> str:
    """What the keys of the notes telling anyone they were put on the partner's team begin
    with."""
    return f"team:{partner_id}:"


def team_note_prefix(partner_id: int, user_id: str) -> str:
    """What the keys of the notes telling `user_id` they were put on the partner's team begin
    with (one note per command that did it)."""
    return f"{team_notes_prefix(partner_id)}{user_id}:"


def require_editor(
    session: Session, actor: Actor, facts: PartnerFacts, *, now: datetime, refusal: Exception
) -> None:
    """For another service's change to a partner: raise `refusal` unless the caller may make
    it (`PartnerFacts.editors`, or an admin), or `PeopleToLookUp` while Slack must say whether
    they are an admin."""
    if actor.user_id not in facts.editors:
        require_admin(session, actor, now=now, refusal=refusal)


def require_admin(session: Session, actor: Actor, *, now: datetime, refusal: Exception) -> None:
    """`people.require_admin` for the caller."""
    people.require_admin(
        session,
        team_id=actor.team_id,
        user_id=actor.user_id,
        now=now,
        check=actor.check,
        refusal=refusal,
    )


def name_key(name: str) -> str:
    """The normalized key of a partner name as typed; raises BadName for an unusable one."""
    clean = clean_name(name)
    if not clean:
        raise BadName(name, NameProblem.EMPTY)
    if len(clean) > MAX_NAME_LENGTH:
        raise BadName(clean, NameProblem.TOO_LONG)
    key = naming.normalize_name(clean)
    if not key:
        raise BadName(clean, NameProblem.NO_LETTERS)
    # Expansions ("&" -> "and") can outgrow the column; the first 120 characters decide.
    return key[:MAX_NAME_LENGTH]


def new_alias_key(alias: str) -> str:
    """The normalized key of an alias to give a partner; raises BadName for an unusable one,
    and for one that names no partner in particular: one letter or digit ("D", "V"), or only
    legal forms or common words (`naming.generic_name`: "Inc", "The", "Foundation"), which
    would stand for a word that many names hold."""
    key = name_key(alias)
    if _one_letter(key):
        raise BadName(clean_name(alias), NameProblem.SINGLE_LETTER)
    if naming.generic_name(alias):
        raise BadName(clean_name(alias), NameProblem.GENERIC)
    return key


def new_name_key(name: str) -> str:
    """The normalized key of a name to give a partner (`add`, `rename`); raises BadName for an
    unusable one, and for one that names no partner in particular (one letter or digit, or
    `naming.generic_name`), which `alias add` refuses too."""
    key = name_key(name)
    if _one_letter(key):
        raise BadName(clean_name(name), NameProblem.SINGLE_LETTER_NAME)
    if naming.generic_name(name):
        raise BadName(clean_name(name), NameProblem.GENERIC_NAME)
    return key


def _usable_alias(old_name: str, key: str) -> bool:
    """Whether a partner's old name (one registered before the rules of `new_name_key`) may
    stay as an alias after a rename or merge: not one `alias add` refuses, a single letter ("E")
    or only common words ("Foundation"), which would stand for many partners."""
    return not _one_letter(key) and not naming.generic_name(old_name)


def _finds(name: str, key: str, keys: set[str]) -> bool:
    """Whether `name` (stored under `key`) meets any of `keys` (`Registry._keys_finding`)."""
    return key in keys or not keys.isdisjoint(naming.name_keys(name))


def _one_letter(key: str) -> bool:
    """Whether a name's key is one letter or digit: "A", "e.V."'s "E" and "D" alike, which
    before this rule were refused as legal forms or accepted by chance of the alphabet."""
    return len(key.replace(" ", "")) == 1


def clean_name(name: str) -> str:
    """A name as stored: whitespace collapsed; as typed when copied out of a Slack message
    (zero-width characters taken out, look-alikes of marks the marks again: `naming.AS_TYPED`)."""
    return " ".join(name.translate(naming.AS_TYPED).split())


def website_domain(website: str) -> str:
    """`https://www.msf.org/en/about` -> `msf.org`; raises BadValue when it is no domain."""
    scheme = _SCHEME.match(website.strip().lower())
    if scheme is not None and scheme[0] not in ("http://", "https://"):
        # `ftp://oxfam.org` would be saved, and shown, as `https://oxfam.org`.
        raise BadValue("website", website)
    text = _SCHEME.sub("", website.strip().lower())
    host = re.split(r"[/?#]", text, maxsplit=1)[0].rsplit("@", 1)[-1].split(":", 1)[0]
    host = host.removeprefix("www.").rstrip(".")
    # A name in letters of any script (`münchener-rück.de`) is checked in the ASCII form DNS
    # knows it by, and kept in letters, so both spellings are one domain to the duplicate check.
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise BadValue("website", website) from None
    if not _DOMAIN.match(ascii_host):
        raise BadValue("website", website)
    try:
        return ascii_host.encode("ascii").decode("idna")
    except UnicodeError:
        return ascii_host


def _refuse_bracketed(name: str, domain: str | None) -> None:
    """A name with an address in brackets that reads as no website (`Unicef (https://)`,
    `Unicef (ftp://unicef.org)`), or that names a second website (`Zeta (zeta.org)` with
    `zeta.com`): BadValue, rather than a partner named with it."""
    websites, unreadable = bracketed_addresses(name)
    if unreadable:
        raise BadValue("website", unreadable[0])
    domains = {website_domain(website) for website in websites}
    if domain is not None:
        domains.add(domain)
    if len(domains) > 1:
        given = [*websites, *([] if domain is None else [domain])]
        raise BadValue("websites", " and ".join(dict.fromkeys(given)))


def email_address(email: str) -> str:
    """An email address, lower-cased; raises BadValue when it is none."""
    address = email.strip().removeprefix("mailto:").lower()
    if len(address) > MAX_EMAIL_LENGTH:
        raise BadValue("email", email, limit=MAX_EMAIL_LENGTH)
    if not _EMAIL.match(address):
        raise BadValue("email", email)
    return address


class ListScope(StrEnum):
    ALL = "all"
    MINE = "mine"


def list_filter(
    scope: ListScope | PartnerStatus, *, user_id: str, now: datetime
) -> store.ListFilter:
    """What `list SCOPE` shows: everything, the caller's partners, one status, or the dormant."""
    if isinstance(scope, PartnerStatus):
        return store.ListFilter(status=scope)
    if scope is ListScope.MINE:
        return store.ListFilter(member_id=user_id)
    return store.ListFilter()


# --- The registry -------------------------------------------------------------------------------

# How rows of a table that points at a partner follow a merge. Every other table with a foreign
# key to partner.id (touchpoints, and whatever later features add) is re-pointed to the kept
# partner as it is; a table whose rows must be de-duplicated or re-roled gets a rule here.
MergeRule = Callable[["Registry", Session, Partner, Partner, dict[str, int]], None]


class Registry:
    """The partner registry of every workspace, over one database."""

    def __init__(self, *, engine: Engine, clock: Clock, names: PartnerNames) -> None:
        self.engine = engine
        self.clock = clock
        self.names = names

    # --- Looking -------------------------------------------------------------------------------

    def profile(self, *, team_id: str, partner: str) -> PartnerProfile:
        """The profile of the partner `partner` names."""
        with Session(self.engine) as session:
            return self._profile(session, self._resolve(session, team_id, partner))

    def channel_route(self, *, team_id: str, partner_id: int, default: str | None) -> Route:
        """Where the partner's alerts and survey results go now, its own channel passed over
        while Slack refuses Liaison there (`bot.services.channels`); `default`: the server's."""
        with Session(self.engine) as session:
            channels = Channels.look_up(
                session, team_id=team_id, partner_id=partner_id, default=default
            )
            return route(session, team_id=team_id, channels=channels)

    def profile_by_id(self, *, team_id: str, partner_id: int) -> PartnerProfile | None:
        """The profile of a partner picked from a button (None when it is gone since)."""
        with Session(self.engine) as session:
            found = store.get_partner(session=session, team_id=team_id, partner_id=partner_id)
            return None if found is None else self._profile(session, found)

    def partner_name(self, *, team_id: str, partner_id: int) -> str | None:
        """The current name of a partner picked from a button (None when it is gone since)."""
        with Session(self.engine) as session:
            found = store.get_partner(session=session, team_id=team_id, partner_id=partner_id)
            return None if found is None else found.name

    def has_partners(self, *, team_id: str) -> bool:
        """Whether the workspace registered any partner yet."""
        with Session(self.engine) as session:
            return store.has_partners(session=session, team_id=team_id)

    def page(
        self,
        *,
        team_id: str,
        user_id: str,
        scope: ListScope | PartnerStatus,
        after: store.ListCursor | None = None,
        limit: int,
    ) -> PartnerPage:
        """One page of `list`, alphabetically."""
        where = list_filter(scope, user_id=user_id, now=self.clock.now())
        with Session(self.engine) as session:
            rows = store.list_page(
                session=session, team_id=team_id, where=where, after=after, limit=limit + 1
            )
            shown = rows[:limit]
            facts = self._facts_of(session, team_id, shown)
            roles = store.roles_of_user(
                session=session, team_id=team_id, user_id=user_id, partner_ids=[f.id for f in facts]
            )
        last = shown[-1] if len(rows) > limit else None
        next_after = None if last is None else (last.normalized_name, _id(last))
        return PartnerPage(partners=facts, next_after=next_after, roles=roles)

    # --- Adding --------------------------------------------------------------------------------

    def add(
        self,
        *,
        actor: Actor,
        name: str,
        owner_id: str | None = None,
        deputy_id: str | None = None,
        aliases: Sequence[str] = (),
        team: Sequence[str] = (),
        status: PartnerStatus = PartnerStatus.PROSPECT,
        website: str | None = None,
        notes: str | None = None,
        allow_similar: bool = False,
        then: Callable[[Session, PartnerFacts], None] | None = None,
    ) -> PartnerProfile:
        """Register a partner owned by `owner_id` (default: the caller), with `deputy_id` as its
        deputy (as `set_deputy` names one: never its owner, `DeputyIsOwner`) and `team` on it.

        `then` runs in the same transaction once the partner and its team are written, so what
        it queues about the new partner (its owner told) commits together with it or not at all.

        Refuses a name or alias that an existing partner has (`AlreadyRegistered`,
        `NameTaken`) and, unless `allow_similar`, one that looks like an existing partner by
        name or website domain (`LikelyDuplicate`); notes over `MAX_NOTES` (`NotesTooLong`).
        The database's one-name-per-workspace constraint settles a race between simultaneous
        adds: the losers get AlreadyRegistered.
        """
        team_id = actor.team_id
        name = clean_name(name)
        key = new_name_key(name)
        alias_keys = _distinct_keys(aliases, skip={key}, as_alias=True)
        if notes and len(notes) > MAX_NOTES:
            raise NotesTooLong(len(notes))
        domain = website_domain(website) if website else None
        owner = owner_id or actor.user_id
        if deputy_id is not None and deputy_id == owner:
            raise DeputyIsOwner(name, deputy_id)
        with Session(self.engine) as session:
            self._refuse_existing(session, team_id, name, key, alias_keys)
            named = [owner, *([] if deputy_id is None else [deputy_id]), *team]
            mentioned = [user for user in dict.fromkeys(named) if user != actor.user_id]
            unknown = people.vet_mentions(
                session,
                team_id=team_id,
                user_ids=mentioned,
                check=actor.check,
                now=self.clock.now(),
            )
            if unknown:
                raise PeopleToLookUp(unknown)
            if not allow_similar:
                similar = self._similar(session, team_id, name, domain)
                if similar:
                    # The index may already hold a partner of this very name that another
                    # request committed since the check above: that one is no mere look-alike.
                    self._refuse_existing(session, team_id, name, key, alias_keys)
                    raise LikelyDuplicate(name, similar)
            # After "is it one of these?": the partner the address in brackets names comes first.
            _refuse_bracketed(name, domain)
            now = self.clock.now()
            try:
                partner = store.insert_partner(
                    session=session,
                    team_id=team_id,
                    name=name,
                    key=key,
                    created_by=actor.user_id,
                    created_at=now,
                    status=status,
                    website_domain=domain,
                    notes=notes or None,
                )
                for alias_key, alias in alias_keys.items():
                    store.insert_alias(
                        session=session,
                        team_id=team_id,
                        partner_id=_id(partner),
                        alias=alias,
                        key=alias_key,
                    )
                store.set_role(
                    session=session,
                    team_id=team_id,
                    partner_id=_id(partner),
                    user_id=owner,
                    role=TeamRole.OWNER,
                    now=now,
                )
                for member in dict.fromkeys(team):
                    if member not in (owner, deputy_id):
                        store.set_role(
                            session=session,
                            team_id=team_id,
                            partner_id=_id(partner),
                            user_id=member,
                            role=TeamRole.MEMBER,
                            now=now,
                        )
                if deputy_id is not None:
                    store.set_role(
                        session=session,
                        team_id=team_id,
                        partner_id=_id(partner),
                        user_id=deputy_id,
                        role=TeamRole.DEPUTY,
                        now=now,
                    )
                partner_id = _id(partner)
                if then is not None:
                    then(session, self._facts(partner, self._team(session, partner)))
                self._commit_names(session, team_id, [partner_id])
            except sa.exc.IntegrityError:
                # Someone else registered the name (or an alias) between our check and insert.
                session.rollback()
                self._refuse_existing(session, team_id, name, key, alias_keys)
                raise
        profile = self.profile_by_id(team_id=team_id, partner_id=partner_id)
        assert profile is not None
        return profile

    # --- Ownership and team --------------------------------------------------------------------

    def hand_over(
        self,
        *,
        actor: Actor,
        partner: str,
        new_owner_id: str,
        tell: Callable[[Session, Handover], None] | None = None,
    ) -> Handover:
        """Make `new_owner_id` the owner; the old owner stays on the team as a member.

        `tell` runs in the same transaction, so the messages it queues about the handover
        commit together with it or not at all.
        """
        with Session(self.engine) as session:
            found, team = self._editable(session, actor, partner, mentioned=[new_owner_id])
            old_owner = _holder(team, TeamRole.OWNER)
            was_deputy = new_owner_id == _holder(team, TeamRole.DEPUTY)
            if new_owner_id == old_owner:
                raise NothingToDo(Conflict.ALREADY_OWNER, self._facts(found, team), new_owner_id)
            now = self.clock.now()
            if old_owner is not None:
                self._set_role(session, found, old_owner, TeamRole.MEMBER, now)
            self._set_role(session, found, new_owner_id, TeamRole.OWNER, now)
            facts = self._facts(found, self._team(session, found))
            handover = Handover(
                facts=facts,
                old_owner_id=old_owner,
                new_owner_id=new_owner_id,
                was_deputy=was_deputy,
            )
            if tell is not None:
                tell(session, handover)
            session.commit()
        return handover

    def set_deputy(
        self,
        *,
        actor: Actor,
        partner: str,
        deputy_id: str | None,
        then: Callable[[Session, DeputyChange], None] | None = None,
    ) -> DeputyChange:
        """Make `deputy_id` the deputy (None: nobody); a previous deputy stays on the team as a
        member.

        `then` runs in the same transaction, once the new deputy is on the team (or the old one
        is a member again), so what it hands over and queues commits together with the change or
        not at all.
        """
        mentioned = [] if deputy_id is None else [deputy_id]
        with Session(self.engine) as session:
            found, team = self._editable(session, actor, partner, mentioned=mentioned)
            facts = self._facts(found, team)
            if deputy_id is None:
                if facts.deputy_id is None:
                    raise NothingToDo(Conflict.NO_DEPUTY, facts)
                self._set_role(session, found, facts.deputy_id, TeamRole.MEMBER, self.clock.now())
                change = DeputyChange(
                    facts=self._facts(found, self._team(session, found)),
                    old_deputy_id=facts.deputy_id,
                )
                if then is not None:
                    then(session, change)
                session.commit()
                return change
            if deputy_id == facts.owner_id:
                raise NothingToDo(Conflict.OWNER_AS_DEPUTY, facts, deputy_id)
            if deputy_id == facts.deputy_id:
                raise NothingToDo(Conflict.ALREADY_DEPUTY, facts, deputy_id)
            now = self.clock.now()
            if facts.deputy_id is not None:
                self._set_role(session, found, facts.deputy_id, TeamRole.MEMBER, now)
            self._set_role(session, found, deputy_id, TeamRole.DEPUTY, now)
            change = DeputyChange(
                facts=self._facts(found, self._team(session, found)),
                old_deputy_id=facts.deputy_id,
            )
            if then is not None:
                then(session, change)
            session.commit()
        return change

    def add_to_team(
        self,
        *,
        actor: Actor,
        partner: str,
        user_ids: Sequence[str],
        then: Callable[[Session, ListChange], None] | None = None,
    ) -> ListChange:
        """Put colleagues on the partner's team as members; `then` runs in the same transaction
        (the newcomers told)."""
        with Session(self.engine) as session:
            found, team = self._editable(session, actor, partner, mentioned=user_ids)
            on_team = {membership.user_id for membership in team}
            added = [user for user in dict.fromkeys(user_ids) if user not in on_team]
            now = self.clock.now()
            for user in added:
                self._set_role(session, found, user, TeamRole.MEMBER, now)
            change = self._team_change(session, found, added, [u for u in user_ids if u in on_team])
            if then is not None:
                then(session, change)
            session.commit()
        return change

    def remove_from_team(
        self,
        *,
        actor: Actor,
        partner: str,
        user_ids: Sequence[str],
        then: Callable[[Session, ListChange], None] | None = None,
    ) -> ListChange:
        """Take colleagues off the partner's team; the owner must be handed over first. A
        member may take themselves off. `then` runs in the same transaction (the people taken
        off told)."""
        with Session(self.engine) as session:
            if set(user_ids) == {actor.user_id}:
                (found,) = self._locked(session, actor.team_id, [partner])
                team = self._team(session, found)
            else:
                found, team = self._editable(session, actor, partner, mentioned=())
            by_user = {membership.user_id: membership for membership in team}
            wanted = list(dict.fromkeys(user_ids))
            owner = _holder(team, TeamRole.OWNER)
            if owner in wanted:
                raise NothingToDo(Conflict.REMOVE_OWNER, self._facts(found, team), owner)
            removed = [user for user in wanted if user in by_user]
            deputy = _holder(team, TeamRole.DEPUTY)
            for user in removed:
                session.delete(by_user[user])
            session.flush()
            assert found.id is not None
            withdraw_unreached_surveys(
                session,
                team_id=actor.team_id,
                partner_id=found.id,
                user_ids=removed,
                now=self.clock.now(),
            )
            # Nor are they told, later, that they were put on it.
            unheard = [
                user
                for user in removed
                if withdraw(
                    session, team_id=actor.team_id, key_prefix=team_note_prefix(found.id, user)
                )
            ]
            change = self._team_change(
                session, found, removed, [u for u in wanted if u not in by_user]
            )
            change = replace(change, unheard=unheard)
            if deputy in removed:
                change = replace(change, deputy_removed=deputy)
            if then is not None:
                then(session, change)
            session.commit()
        return change

    def take_off_elsewhere(
        self, *, actor: Actor, partner_id: int, user_ids: Collection[str]
    ) -> PartnerFacts | None:
        """Undo the `add` form's picks of people Slack said, after the ack, are of another
        organisation: they leave the partner's team. The form's submitter (`actor`) undoes
        their own pick, so no editor check. An owner among them is replaced by the submitter,
        as `add` names its caller when no owner is given (a partner always has one); a deputy
        leaves the role empty. None: the partner is gone meanwhile."""
        with Session(self.engine) as session:
            found = store.lock_partner(
                session=session, team_id=actor.team_id, partner_id=partner_id
            )
            # The notes `add` queued them ("you own it now", "you are on its team") would only
            # fail at dispatch: they are withdrawn, with the partner gone meanwhile too.
            withdraw_from_elsewhere(session, team_id=actor.team_id, user_ids=user_ids)
            if found is None:
                session.commit()
                return None
            team = self._team(session, found)
            for membership in team:
                if membership.user_id in user_ids:
                    session.delete(membership)
            session.flush()
            if _holder(team, TeamRole.OWNER) in user_ids:
                self._set_role(session, found, actor.user_id, TeamRole.OWNER, self.clock.now())
            facts = self._facts(found, self._team(session, found))
            session.commit()
        return facts

    # --- Lifecycle and channel -----------------------------------------------------------------

    def set_status(
        self,
        *,
        actor: Actor,
        partner: str,
        status: PartnerStatus,
        then: Callable[[Session, PartnerFacts, str], None] | None = None,
    ) -> PartnerFacts:
        """Move the partner to `status`; `then` runs in the same transaction with the status it
        had (the owner told)."""
        with Session(self.engine) as session:
            found, team = self._editable(session, actor, partner)
            before = found.status
            if before == status:
                raise NothingToDo(Conflict.SAME_STATUS, self._facts(found, team), status)
            found.status = status
            session.add(found)
            facts = self._facts(found, team)
            if then is not None:
                then(session, facts, before)
            session.commit()
        return facts

    def set_channel(self, *, actor: Actor, partner: str, channel_id: str | None) -> PartnerFacts:
        """Make `channel_id` the partner's coordination channel (None: the workspace's)."""
        with Session(self.engine) as session:
            found, team = self._editable(session, actor, partner)
            found.channel_id = channel_id
            # Chosen again, a channel gets another chance (Liaison invited meanwhile).
            found.channel_set_at = self.clock.now()
            session.add(found)
            facts = self._facts(found, team)
            session.commit()
        return facts

    # --- Identity ------------------------------------------------------------------------------

    def add_aliases(self, *, actor: Actor, partner: str, aliases: Sequence[str]) -> ListChange:
        """Give the partner more names. One that another partner goes by refuses them all."""
        with Session(self.engine) as session:
            found, team = self._editable(session, actor, partner)
            own = {found.normalized_name} | {
                alias.normalized for alias in self._aliases(session, found)
            }
            wanted = _distinct_keys(aliases, skip=set(), as_alias=True)
            added: list[str] = []
            partner_id = _id(found)
            try:
                for key, alias in wanted.items():
                    if key in own:
                        continue
                    self._refuse_taken(session, found.team_id, alias, key, besides=partner_id)
                    store.insert_alias(
                        session=session,
                        team_id=found.team_id,
                        partner_id=partner_id,
                        alias=alias,
                        key=key,
                    )
                    added.append(alias)
            except sa.exc.IntegrityError:
                # Another partner got one of these names between our check and insert.
                session.rollback()
                for key, alias in wanted.items():
                    if key not in own:
                        self._refuse_taken(session, actor.team_id, alias, key, besides=partner_id)
                raise
            named = found.normalized_name
            unchanged = [alias for key, alias in wanted.items() if key in own and key != named]
            change = ListChange(
                facts=self._facts(found, team),
                changed=added,
                unchanged=unchanged,
                its_name=[alias for key, alias in wanted.items() if key == named],
                now=[alias.alias for alias in self._aliases(session, found)],
            )
            self._commit_names(session, found.team_id, [_id(found)])
        return change

    def remove_aliases(self, *, actor: Actor, partner: str, aliases: Sequence[str]) -> ListChange:
        """Take names off the partner. One it does not have refuses them all."""
        with Session(self.engine) as session:
            found, team = self._editable(session, actor, partner)
            own = {alias.normalized: alias for alias in self._aliases(session, found)}
            wanted = _distinct_keys(aliases, skip=set())
            for key, alias in wanted.items():
                if key == found.normalized_name:
                    raise NothingToDo(Conflict.ITS_NAME, self._facts(found, team), alias)
                if key not in own:
                    raise NothingToDo(Conflict.NOT_AN_ALIAS, self._facts(found, team), alias)
            for key in wanted:
                session.delete(own[key])
            session.flush()
            change = ListChange(
                facts=self._facts(found, team),
                changed=[own[key].alias for key in wanted],
                unchanged=[],
                now=[alias.alias for alias in self._aliases(session, found)],
            )
            self._commit_names(session, found.team_id, [_id(found)])
        return change

    def rename(
        self,
        *,
        actor: Actor,
        partner: str,
        new_name: str,
        then: Callable[[Session, Renamed], None] | None = None,
    ) -> Renamed:
        """Rename the partner; the old name stays as an alias (when it differs in more than
        case or punctuation, is no other spelling of the new name that finds it anyway:
        "Aerzte" of "Ärzte", and is no generic one that `alias add` refuses: "Foundation"), and
        an alias that the new name goes by (`naming.name_keys`) is dropped. `then` runs in the
        same transaction (the owner told)."""
        new_name = clean_name(new_name)
        new_key = new_name_key(new_name)
        with Session(self.engine) as session:
            found, team = self._editable(session, actor, partner)
            old_name, old_key = found.name, found.normalized_name
            if new_name == old_name:
                raise NothingToDo(Conflict.SAME_NAME, self._facts(found, team), new_name)
            aliases = {alias.normalized: alias for alias in self._aliases(session, found)}
            # Even of its own key or alias's: "Ärzte" for "Arzte" also goes by "Aerzte".
            self._refuse_taken(session, found.team_id, new_name, new_key, besides=_id(found))
            # An alias the new name goes by ("Aerzte ohne Grenzen" of "Ärzte ohne Grenzen":
            # `naming.name_keys`) would only say it twice.
            new_keys = naming.name_keys(new_name)
            for key in new_keys:
                if key in aliases:
                    session.delete(aliases.pop(key))
                    session.flush()
            found.name, found.normalized_name = new_name, new_key
            session.add(found)
            partner_id = _id(found)
            # The old name is another spelling of the new one: the new name finds it as is.
            spelling = new_key != old_key and old_key in new_keys
            kept = new_key == old_key or spelling or _usable_alias(old_name, old_key)
            try:
                session.flush()
                if new_key != old_key and kept and not spelling:
                    store.insert_alias(
                        session=session,
                        team_id=found.team_id,
                        partner_id=partner_id,
                        alias=old_name,
                        key=old_key,
                    )
            except sa.exc.IntegrityError:
                # Another partner got the new name between our check and the rename.
                session.rollback()
                self._refuse_taken(session, actor.team_id, new_name, new_key, besides=partner_id)
                raise
            renamed = Renamed(
                facts=self._facts(found, team),
                old_name=old_name,
                old_name_kept=kept,
                respelled=spelling
                or (new_key == old_key and naming.same_letters(old_name, new_name)),
            )
            if then is not None:
                then(session, renamed)
            self._commit_names(session, found.team_id, [_id(found)])
        return renamed

    def merge(
        self,
        *,
        actor: Actor,
        duplicate: str,
        kept: str,
        then: Callable[[Session, Merged], Sequence[str]] | None = None,
    ) -> Merged:
        """Fold `duplicate` into `kept` and delete it, keeping all its history.

        Aliases, contacts (de-duplicated by email), team (the kept partner's owner and deputy
        keep their roles; the duplicate's people join as members) and every row of any other
        table that points at the duplicate move to the kept partner; the duplicate's name
        becomes an alias of the kept one (unless generic, as for `rename`, or a name the kept
        one is found by already), and an active duplicate makes the kept partner active
        (`_fill_gaps`). Aliases that would be junk on the kept partner are dropped
        (`_merge_aliases`). The caller must be allowed to change both.
        `then` runs in the same transaction once everything has moved (later features look at
        the merged history); what it returns is said in the answer.
        """
        with Session(self.engine) as session:
            gone, stays = self._locked(session, actor.team_id, [duplicate, kept])
            if _id(gone) == _id(stays):
                raise NothingToDo(
                    Conflict.SAME_PARTNER, self._facts(stays, self._team(session, stays))
                )
            self._require_editor(session, actor, [gone, stays])
            gone_team = self._team(session, gone)
            # Read now: the merge turns these rows into members of the kept team.
            gone_owner = _holder(gone_team, TeamRole.OWNER)
            gone_deputy = _holder(gone_team, TeamRole.DEPUTY)
            duplicate_status, status_before = gone.status, stays.status
            moved: dict[str, int] = defaultdict(int)
            moved_ids: dict[str, tuple[int, ...]] = {}
            referring = {ref.table.name for ref in store.references_to(Partner)}
            # In the rules' order, not a set's: the answer lists what moved in a stable order.
            for table_name, rule in MERGE_RULES.items():
                if table_name in referring:
                    rule(self, session, gone, stays, moved)
            for reference in store.references_to(Partner):
                if reference.table.name in MERGE_RULES:
                    continue
                ids = store.ids_pointing(
                    session=session,
                    team_id=actor.team_id,
                    reference=reference,
                    partner_id=_id(gone),
                )
                if ids:
                    moved_ids[reference.table.name] = moved_ids.get(reference.table.name, ()) + ids
                count = store.repoint(
                    session=session,
                    team_id=actor.team_id,
                    reference=reference,
                    old_id=_id(gone),
                    new_id=_id(stays),
                )
                if count:
                    moved[reference.table.name] += count
            taken_over = _fill_gaps(stays, gone)
            session.add(stays)
            duplicate_name, duplicate_key = gone.name, gone.normalized_name
            session.delete(gone)
            session.flush()
            name_kept = _usable_alias(duplicate_name, duplicate_key)
            # A name the kept partner is found by already (its own in another spelling, or an
            # alias of it: names saved before the rules that now keep them apart) still finds
            # it, without an alias that would only repeat it.
            if name_kept and not _finds(
                duplicate_name, duplicate_key, self._keys_finding(session, stays)
            ):
                store.insert_alias(
                    session=session,
                    team_id=actor.team_id,
                    partner_id=_id(stays),
                    alias=duplicate_name,
                    key=duplicate_key,
                )
            merged = Merged(
                kept=self._facts(stays, self._team(session, stays)),
                duplicate_name=duplicate_name,
                moved=dict(moved),
                duplicate_owner_id=gone_owner,
                duplicate_deputy_id=gone_deputy,
                duplicate_status=duplicate_status,
                status_before=status_before,
                duplicate_id=_id(gone),
                duplicate_name_kept=name_kept,
                moved_ids=moved_ids,
                taken_over=taken_over,
            )
            if then is not None:
                merged = replace(merged, findings=tuple(then(session, merged)))
            self._commit_names(session, actor.team_id, [_id(gone), _id(stays)])
        return merged

    # --- Contacts ------------------------------------------------------------------------------

    def add_contact(
        self,
        *,
        actor: Actor,
        partner: str,
        name: str,
        email: str | None = None,
        title: str | None = None,
    ) -> ContactAdded:
        """Add a person at the partner (anyone may). One with the same email, or with the same
        name where one of the two has no email, is there already: given the email or title it
        lacked, if this line has it, and a new title where the line is surely about them (the
        same email, or neither has one); otherwise left as it is. One removed is back."""
        person = clean_name(name)
        if not person:
            raise BadName(name, NameProblem.EMPTY)
        if len(person) > MAX_NAME_LENGTH:
            raise BadName(person, NameProblem.TOO_LONG)
        address = email_address(email) if email else None
        role = clean_name(title or "") or None
        if role is not None and len(role) > MAX_TITLE_LENGTH:
            raise BadValue("title", role, limit=MAX_TITLE_LENGTH)
        with Session(self.engine) as session:
            # Locked: the same person added twice at once, without an email, is added once.
            (found,) = self._locked(session, actor.team_id, [partner])
            facts = self._facts(found, self._team(session, found))
            existing = _same_contact(
                store.contacts_of(
                    session=session, team_id=actor.team_id, partner_id=_id(found), removed=True
                ),
                name=person,
                email=address,
            )
            if existing is not None and existing.removed_at is not None:
                # Back on the list, as this line gives them.
                existing.removed_at = None
                existing.name = person
                existing.email = address or existing.email
                existing.title = role or existing.title
                session.add(existing)
                session.commit()
                return ContactAdded(facts=facts, contact=_contact_info(existing), created=True)
            if existing is not None:
                by_name = address is None or existing.email != address
                completed = _complete(existing, email=address, title=role)
                retitled_from = None
                if role is not None and role != existing.title and existing.email == address:
                    retitled_from, existing.title = existing.title, role
                if completed or retitled_from is not None:
                    session.add(existing)
                    session.commit()
                return ContactAdded(
                    facts=facts,
                    contact=_contact_info(existing),
                    created=False,
                    completed=completed,
                    by_name=by_name,
                    retitled_from=retitled_from,
                    title_not_taken=role if role not in (None, existing.title) else None,
                )
            contact = Contact(
                team_id=actor.team_id,
                partner_id=_id(found),
                name=person,
                email=address,
                title=role,
                created_at=self.clock.now(),
            )
            session.add(contact)
            try:
                session.commit()
            except sa.exc.IntegrityError:
                # The same email was added by someone else a moment ago.
                session.rollback()
                return ContactAdded(
                    facts=facts, contact=ContactInfo(person, address, role), created=False
                )
        return ContactAdded(facts=facts, contact=ContactInfo(person, address, role), created=True)

    def remove_contact(self, *, actor: Actor, partner: str, person: str) -> ContactRemoved:
        """Take a person, named or by email, off the partner's contacts (owner, deputy or admin).
        Touchpoints that name them keep doing so: such a contact is marked removed, not deleted.
        Two contacts of the name refuse it, for their emails to tell them apart; named with
        their email as `contact … add` takes them (`Jane Doe jane@acme.org`), both must match."""
        wanted = clean_name(person)
        words = wanted.split()
        emails = [word for word in words if "@" in word]
        address = emails[-1].removeprefix("mailto:").lower() if len(emails) == 1 else None
        named = " ".join(word for word in words if "@" not in word) if address else wanted
        with Session(self.engine) as session:
            found, team = self._editable(session, actor, partner)
            facts = self._facts(found, team)
            contacts = store.contacts_of(
                session=session, team_id=actor.team_id, partner_id=_id(found)
            )
            key = naming.person_key(named) if named else None
            matches = [
                contact
                for contact in contacts
                if (address is None or contact.email == address)
                and (key is None or naming.person_key(contact.name) == key)
            ]
            if not matches:
                raise NothingToDo(Conflict.NOT_A_CONTACT, facts, wanted)
            if len(matches) > 1:
                raise NothingToDo(Conflict.CONTACTS_OF_THAT_NAME, facts, wanted)
            (contact,) = matches
            touchpoints = store.touchpoints_with(
                session=session, team_id=actor.team_id, contact_id=_id(contact)
            )
            if touchpoints:
                contact.removed_at = self.clock.now()
                session.add(contact)
            else:
                session.delete(contact)
            session.commit()
            return ContactRemoved(
                facts=facts, contact=_contact_info(contact), touchpoints=touchpoints
            )

    # --- For other services, inside their own transaction ---------------------------------------

    def resolve(self, session: Session, *, team_id: str, query: str) -> Partner:
        """The partner `query` names, read through the caller's session (see `_resolve`)."""
        return self._resolve(session, team_id, query)

    def facts(self, partner: Partner, team: list[TeamMembership]) -> PartnerFacts:
        """The partner in one line, given its team (`storage.partners.team_of`)."""
        return self._facts(partner, team)

    def facts_of(
        self, session: Session, *, team_id: str, partners: list[Partner]
    ) -> list[PartnerFacts]:
        """Many partners in one line each, read through the caller's session with two queries."""
        return self._facts_of(session, team_id, partners)

    def registered_reading(self, *, team_id: str, readings: Sequence[str]) -> int | None:
        """The position of the first of `readings` (of one typed name, longest first) that a
        partner goes by exactly, by name or alias; None when none does."""
        keys = _keys_of(readings)
        # Every line with a `with`, `on` or `via` clause asks this: the process's name index
        # answers in microseconds, where a query cost /partner log half its time.
        known = self.names.known_keys(
            self.engine, team_id=team_id, keys={key for key in keys if key}
        )
        return next((i for i, key in enumerate(keys) if key in known), None)

    def close_reading(self, *, team_id: str, readings: Sequence[str]) -> int | None:
        """The position of the first of `readings` (of one typed name, longest first) that no
        partner goes by exactly but that "Did you mean" would offer partners for (a near miss
        or short form of a name or alias: `PartnerNames.candidates`); None when none is. From
        the process's name index, as `registered_reading`: no query once it is built."""
        keys = _keys_of(readings)
        known = self.names.known_keys(
            self.engine, team_id=team_id, keys={key for key in keys if key}
        )
        return next(
            (
                position
                for position, (reading, key) in enumerate(zip(readings, keys, strict=True))
                if key is not None
                and key not in known
                and self.names.offers(self.engine, team_id=team_id, query=clean_name(reading))
            ),
            None,
        )

    def reading_for(self, *, team_id: str, readings: Sequence[str], partner_id: int) -> int | None:
        """The position of the first of `readings` (of one typed name, longest first) that
        stands for the partner `partner_id`: its name or an alias, or a name that would offer
        it ("Did you mean": `PartnerNames.candidates`). None when none does."""
        with Session(self.engine) as session:
            for position, reading in enumerate(readings):
                try:
                    key = name_key(reading)
                except BadName:
                    continue
                exact = store.partner_with_key(session=session, team_id=team_id, key=key)
                if exact is not None:
                    if _id(exact) == partner_id:
                        return position
                    continue
                matches = self.names.candidates(
                    session, team_id=team_id, query=clean_name(reading), limit=MAX_SUGGESTIONS
                )
                if any(match.partner_id == partner_id for match in matches):
                    return position
        return None

    # --- Internals -----------------------------------------------------------------------------

    def _resolve(self, session: Session, team_id: str, query: str) -> Partner:
        """The partner `query` names exactly (by name or alias), or UnknownPartner with the
        closest candidates (`PartnerNames.candidates`) and the known partner it starts with.

        A name that starts with a known name or alias is still offered the partners the whole
        of it stands for ("Oxfam Intl", where "Oxfam" is an alias of Oxfam International):
        adding an alias never hides a partner. What matches only through that same name or
        alias, with words added ("Médecins Sans Frontières UK"), is left to `start`, which
        says what those words are."""
        key = name_key(query)
        found = store.partner_with_key(session=session, team_id=team_id, key=key)
        if found is not None:
            return found
        typed = clean_name(query)
        # One more than are offered, to tell whether there are more.
        matches = self.names.candidates(
            session, team_id=team_id, query=typed, limit=MAX_SUGGESTIONS + 1
        )
        # The name's other key (`naming.name_keys`: "Aerzte" for "Ärzte") is the same name.
        exact = {match.partner_id for match in matches if match.exact}
        if len(exact) == 1:
            (partner_id,) = exact
            spelt = store.get_partners(session=session, team_id=team_id, partner_ids=exact)
            if partner_id in spelt:
                return spelt[partner_id]
        start = self._known_start(session, team_id, typed)
        known: KnownStart | None = None
        misspelt: list[Partner] = []
        if start is not None and naming.one_typo_away(typed, start[0].name):
            # "A*B Corpp": a typo in the legal form, which the key leaves out ("a b").
            misspelt, start = [start[0]], None
            matches = [match for match in matches if match.partner_id != _id(misspelt[0])]
        if start is not None:
            partner, start_key, rest = start
            matches = [
                match
                for match in matches
                if match.partner_id != _id(partner)
                or naming.normalize_name(match.label) != start_key
            ]
            known = KnownStart(facts=self._facts(partner, self._team(session, partner)), rest=rest)
        more = len(matches) > MAX_SUGGESTIONS
        matches = matches[:MAX_SUGGESTIONS]
        candidates = store.get_partners(
            session=session, team_id=team_id, partner_ids=[m.partner_id for m in matches]
        )
        ordered = misspelt + [
            candidates[m.partner_id] for m in matches if m.partner_id in candidates
        ]
        facts = self._facts_of(session, team_id, ordered)
        raise UnknownPartner(typed, facts, known, more=more)

    def _known_start(
        self, session: Session, team_id: str, typed: str
    ) -> tuple[Partner, str, str] | None:
        """The partner whose name or alias is the longest run of `typed`'s first words (but not
        all of them), with that run's key and the words after it."""
        words = typed.split()
        for keep in range(len(words) - 1, 0, -1):
            try:
                key = name_key(" ".join(words[:keep]))
            except BadName:
                continue
            found = store.partner_with_key(session=session, team_id=team_id, key=key)
            if found is not None:
                return found, key, " ".join(words[keep:])
        return None

    def _editable(
        self,
        session: Session,
        actor: Actor,
        partner: str,
        *,
        mentioned: Collection[str] = (),
    ) -> tuple[Partner, list[TeamMembership]]:
        (found,) = self._locked(session, actor.team_id, [partner])
        self._require_editor(session, actor, [found], mentioned=mentioned)
        return found, self._team(session, found)

    def _locked(self, session: Session, team_id: str, queries: Sequence[str]) -> list[Partner]:
        """The partners `queries` name (`_resolve`), each locked until the transaction ends
        (`store.lock_partner`), so that changes to one partner take turns and each reads what
        the one before it committed. Locked in the order of their ids, so that two merges of
        the same two partners, in either direction, cannot deadlock."""
        for _attempt in range(3):
            found = [self._resolve(session, team_id, query) for query in queries]
            if all(
                store.lock_partner(session=session, team_id=team_id, partner_id=partner_id)
                for partner_id in sorted({_id(partner) for partner in found})
            ):
                return found
            # One was merged away while we waited: its name now leads to the partner it was
            # merged into (or nowhere), and that is the one to lock.
        raise RuntimeError(f"partners {queries!r} kept disappearing in workspace {team_id}")

    def _require_editor(
        self,
        session: Session,
        actor: Actor,
        partners: Iterable[Partner],
        *,
        mentioned: Collection[str] = (),
    ) -> None:
        """The caller may change every one of `partners`, and the people mentioned exist.

        Owner and deputy are known from the team; whether someone else is an admin may need
        Slack, as may a mentioned colleague Liaison never saw: both are asked for together.
        """
        unknown: list[str] = []
        admin: bool | None = None
        for partner in partners:
            facts = self._facts(partner, self._team(session, partner))
            if actor.user_id in facts.editors:
                continue
            if admin is None:
                admin = people.admin_status(
                    session,
                    team_id=actor.team_id,
                    user_id=actor.user_id,
                    now=self.clock.now(),
                    check=actor.check,
                )
            if admin is False:
                admins = people.known_admins(session, team_id=actor.team_id)
                raise NotAllowed(facts, admins)
            if admin is None:
                unknown.append(actor.user_id)
        unknown += people.vet_mentions(
            session,
            team_id=actor.team_id,
            user_ids=mentioned,
            check=actor.check,
            now=self.clock.now(),
        )
        if unknown:
            raise PeopleToLookUp(unknown)

    def _refuse_existing(
        self,
        session: Session,
        team_id: str,
        name: str,
        key: str,
        alias_keys: dict[str, str],
    ) -> None:
        existing = self.answering(session, team_id=team_id, name=name, key=key)
        if existing is not None:
            raise AlreadyRegistered(name, self._profile(session, existing))
        for alias_key, alias in alias_keys.items():
            self._refuse_taken(session, team_id, alias, alias_key, adding=name)

    def _refuse_taken(
        self,
        session: Session,
        team_id: str,
        name: str,
        key: str,
        *,
        besides: int | None = None,
        adding: str | None = None,
    ) -> None:
        holder = self.answering(session, team_id=team_id, name=name, key=key, besides=besides)
        if holder is not None:
            raise NameTaken(name, self._facts(holder, self._team(session, holder)), adding)

    def answering(
        self, session: Session, *, team_id: str, name: str, key: str, besides: int | None = None
    ) -> Partner | None:
        """The partner, other than `besides`, that `name` (of key `key`) already stands for:
        one with a name or alias of that key, or one that either spelling of the other meets
        (`naming.name_keys`: "Aerzte ohne Grenzen" of "Ärzte ohne Grenzen", "Doctors w/o
        Borders" of "Doctors Without Borders"). Given to a second partner, such a name would
        leave two partners under one key of the name index, which finds both."""
        holder = store.partner_with_key(session=session, team_id=team_id, key=key)
        if holder is not None and _id(holder) != besides:
            return holder
        # Only the first key of every label is stored: the other spellings are the index's.
        others = [
            match.partner_id
            for match in self.names.answering(session, team_id=team_id, name=name)
            if match.partner_id != besides
        ]
        found = store.get_partners(session=session, team_id=team_id, partner_ids=others)
        return next((found[other] for other in others if other in found), None)

    def _similar(
        self, session: Session, team_id: str, name: str, domain: str | None
    ) -> list[Similar]:
        similar: dict[int, Similar] = {}
        # A name the form keeps whole with an address in brackets ("Oxfam (oxfam.org)") is also
        # like the partners of its name without it ("Oxfam") and of that address's website.
        bare, bracketed = split_website(name)
        domains = [domain]
        if bracketed is not None:
            with suppress(BadValue):
                domains.append(website_domain(bracketed))
        for each in dict.fromkeys(d for d in domains if d is not None):
            for partner in store.partners_with_domain(
                session=session, team_id=team_id, domain=each
            ):
                facts = self._facts(partner, self._team(session, partner))
                similar.setdefault(facts.id, Similar(facts=facts, by=SimilarBy.WEBSITE))
        # The rule for names is `bot.naming.NameIndex.duplicates`.
        matches = self.names.likely_duplicates(
            session, team_id=team_id, name=name, limit=MAX_SUGGESTIONS
        )
        if bracketed is not None:
            matches = [
                *self.names.answering(session, team_id=team_id, name=bare),
                *self.names.likely_duplicates(
                    session, team_id=team_id, name=bare, limit=MAX_SUGGESTIONS
                ),
                *matches,
            ]
        found = store.get_partners(
            session=session, team_id=team_id, partner_ids=[m.partner_id for m in matches]
        )
        for match in matches:
            candidate = found.get(match.partner_id)
            if candidate is not None and match.partner_id not in similar:
                facts = self._facts(candidate, self._team(session, candidate))
                similar[facts.id] = Similar(facts=facts, by=SimilarBy.NAME, label=match.label)
        return list(similar.values())[:MAX_SUGGESTIONS]

    def _commit_names(self, session: Session, team_id: str, partner_ids: list[int]) -> None:
        """Commit a change to names or aliases and bring this process's name index along."""
        version = store.bump_registry_version(session=session, team_id=team_id)
        labels: dict[int, list[str]] = {partner_id: [] for partner_id in partner_ids}
        for partner_id, label in store.labels(
            session=session, team_id=team_id, partner_ids=partner_ids
        ):
            labels[partner_id].append(label)
        session.commit()
        self.names.changed(team_id=team_id, version=version, labels=labels)

    def _set_role(
        self, session: Session, partner: Partner, user_id: str, role: TeamRole, now: datetime
    ) -> None:
        store.set_role(
            session=session,
            team_id=partner.team_id,
            partner_id=_id(partner),
            user_id=user_id,
            role=role,
            now=now,
        )

    def _team(self, session: Session, partner: Partner) -> list[TeamMembership]:
        return store.team_of(session=session, team_id=partner.team_id, partner_id=_id(partner))

    def _keys_finding(self, session: Session, partner: Partner) -> set[str]:
        """Every key that finds `partner`: those of its name and aliases, each in every
        spelling (`naming.name_keys`), and the keys stored with them."""
        keys = {partner.normalized_name, *naming.name_keys(partner.name)}
        for alias in self._aliases(session, partner):
            keys |= {alias.normalized, *naming.name_keys(alias.alias)}
        return keys

    def _aliases(self, session: Session, partner: Partner) -> list[PartnerAlias]:
        return store.aliases_of(session=session, team_id=partner.team_id, partner_id=_id(partner))

    def _team_change(
        self, session: Session, partner: Partner, changed: list[str], unchanged: list[str]
    ) -> ListChange:
        team = self._team(session, partner)
        return ListChange(
            facts=self._facts(partner, team),
            changed=changed,
            unchanged=list(dict.fromkeys(unchanged)),
            now=[m.user_id for m in team if m.role == TeamRole.MEMBER],
        )

    def _facts(self, partner: Partner, team: list[TeamMembership]) -> PartnerFacts:
        return PartnerFacts(
            id=_id(partner),
            name=partner.name,
            status=partner.status,
            owner_id=_holder(team, TeamRole.OWNER),
            deputy_id=_holder(team, TeamRole.DEPUTY),
            website_domain=partner.website_domain,
            channel_id=partner.channel_id,
            last_contact_at=partner.last_contact_at,
            last_contact_by=partner.last_contact_by,
            last_contact_day_only=partner.last_contact_day_only,
            channel_set_at=partner.channel_set_at,
        )

    def _facts_of(
        self, session: Session, team_id: str, partners: list[Partner]
    ) -> list[PartnerFacts]:
        """Facts of many partners with two queries, not two per partner."""
        ids = [_id(partner) for partner in partners]
        owners = store.holders_of(
            session=session, team_id=team_id, partner_ids=ids, role=TeamRole.OWNER
        )
        deputies = store.holders_of(
            session=session, team_id=team_id, partner_ids=ids, role=TeamRole.DEPUTY
        )
        return [
            PartnerFacts(
                id=_id(partner),
                name=partner.name,
                status=partner.status,
                owner_id=owners.get(_id(partner)),
                deputy_id=deputies.get(_id(partner)),
                website_domain=partner.website_domain,
                channel_id=partner.channel_id,
                last_contact_at=partner.last_contact_at,
                last_contact_by=partner.last_contact_by,
                last_contact_day_only=partner.last_contact_day_only,
                channel_set_at=partner.channel_set_at,
            )
            for partner in partners
        ]

    def _profile(self, session: Session, partner: Partner) -> PartnerProfile:
        team = self._team(session, partner)
        contacts = store.contacts_of(
            session=session, team_id=partner.team_id, partner_id=_id(partner)
        )
        facts = self._facts(partner, team)
        return PartnerProfile(
            facts=facts,
            aliases=[alias.alias for alias in self._aliases(session, partner)],
            members=[m.user_id for m in team if m.role == TeamRole.MEMBER],
            contacts=[_contact_info(contact) for contact in contacts],
            notes=partner.notes,
            created_by=partner.created_by,
            created_at=partner.created_at,
            last_contact_by=partner.last_contact_by,
            owner_gone=bool(
                people_store.deactivated(
                    session=session, team_id=partner.team_id, user_ids=[facts.owner_id]
                )
            ),
        )

    # --- Merge rules ---------------------------------------------------------------------------

    def _merge_aliases(
        self, session: Session, gone: Partner, stays: Partner, moved: dict[str, int]
    ) -> None:
        # What finds the kept partner already, or `alias add` refuses (one letter, a common
        # word, no letters at all: aliases saved before those rules), would be junk on it.
        finding = self._keys_finding(session, stays)
        for alias in self._aliases(session, gone):
            if not _usable_alias(alias.alias, alias.normalized) or _finds(
                alias.alias, alias.normalized, finding
            ):
                session.delete(alias)
                continue
            finding |= {alias.normalized, *naming.name_keys(alias.alias)}
            alias.partner_id = _id(stays)
            session.add(alias)
            moved["aliases"] += 1
        session.flush()

    def _merge_contacts(
        self, session: Session, gone: Partner, stays: Partner, moved: dict[str, int]
    ) -> None:
        # Those removed too, whom touchpoints moving over still name.
        kept_contacts = store.contacts_of(
            session=session, team_id=stays.team_id, partner_id=_id(stays), removed=True
        )
        for contact in store.contacts_of(
            session=session, team_id=gone.team_id, partner_id=_id(gone), removed=True
        ):
            same = _same_contact(kept_contacts, name=contact.name, email=contact.email)
            if same is None:
                contact.partner_id = _id(stays)
                session.add(contact)
                moved["contacts"] += 1
                continue
            # The same person at both: history about the duplicate's copy follows the kept one,
            # which learns the email and title it lacked.
            _complete(same, email=contact.email, title=contact.title)
            if contact.removed_at is None:
                same.removed_at = None  # still a contact at the duplicate: one at the kept
            for reference in store.references_to(Contact):
                store.repoint(
                    session=session,
                    team_id=gone.team_id,
                    reference=reference,
                    old_id=_id(contact),
                    new_id=_id(same),
                )
            session.delete(contact)
            moved["contacts_merged"] += 1
        session.flush()

    def _merge_team(
        self, session: Session, gone: Partner, stays: Partner, moved: dict[str, int]
    ) -> None:
        on_team = {membership.user_id for membership in self._team(session, stays)}
        for membership in self._team(session, gone):
            if membership.user_id in on_team:
                session.delete(membership)
                continue
            membership.partner_id = _id(stays)
            membership.role = TeamRole.MEMBER
            session.add(membership)
            moved["team"] += 1
        session.flush()

    def _merge_health(
        self, session: Session, gone: Partner, stays: Partner, moved: dict[str, int]
    ) -> None:
        # One snapshot per partner and week: the kept partner's own history stands.
        count = health_store.fold_snapshots(
            session=session, team_id=stays.team_id, from_id=_id(gone), into_id=_id(stays)
        )
        if count:
            moved["health_snapshot"] += count


MERGE_RULES: dict[str, MergeRule] = {
    "partner_alias": Registry._merge_aliases,
    "contact": Registry._merge_contacts,
    "team_membership": Registry._merge_team,
    "health_snapshot": Registry._merge_health,
}


# --- Helpers ------------------------------------------------------------------------------------


def _keys_of(readings: Sequence[str]) -> list[str | None]:
    """The key of each reading of a name (None: not a usable name)."""
    keys: list[str | None] = []
    for reading in readings:
        try:
            keys.append(name_key(reading))
        except BadName:
            keys.append(None)
    return keys


def _id(row: Partner | Contact) -> int:
    assert row.id is not None, "row was not flushed"
    return row.id


def _holder(team: list[TeamMembership], role: TeamRole) -> str | None:
    return next((m.user_id for m in team if m.role == role), None)


def repeated_names(name: str | None, aliases: Iterable[str]) -> list[tuple[str, str]]:
    """The aliases that `add` (with the partner's `name`) or `alias add` (None) kept once, as
    `_distinct_keys` does: each with the name or earlier alias it is the same name as once
    normalized ("the UN refugee agency" of "UN Refugee Agency"), so the answer says why."""
    first: dict[str, str] = {} if name is None else {name_key(name): clean_name(name)}
    repeated: list[tuple[str, str]] = []
    for alias in aliases:
        key = name_key(alias)
        if key in first:
            repeated.append((clean_name(alias), first[key]))
        else:
            first[key] = clean_name(alias)
    return repeated


def _distinct_keys(
    names: Iterable[str], *, skip: set[str], as_alias: bool = False
) -> dict[str, str]:
    """Names by key, the first spelling of each, leaving out `skip` keys; validates each, as
    new aliases (`new_alias_key`) with `as_alias`. Removing an alias does not: one given before
    the rule must still go."""
    distinct: dict[str, str] = {}
    for name in names:
        key = new_alias_key(name) if as_alias else name_key(name)
        if key not in skip:
            distinct.setdefault(key, clean_name(name))
    return distinct


def _same_contact(contacts: Iterable[Contact], *, name: str, email: str | None) -> Contact | None:
    """The person among `contacts`: the one with this email, else one of this name where one of
    the two has no email (two emails that differ are two people). Names compare as `log … with`
    compares them (`naming.person_key`: case, accents and titles ignored)."""
    contacts = list(contacts)
    if email is not None:
        for contact in contacts:
            if contact.email == email:
                return contact
    key = naming.person_key(name)
    for contact in contacts:
        if naming.person_key(contact.name) == key and (email is None or contact.email is None):
            return contact
    return None


def _complete(contact: Contact, *, email: str | None, title: str | None) -> tuple[str, ...]:
    """Give `contact` the email and title it lacks; what it was given."""
    given: list[str] = []
    if contact.email is None and email is not None:
        contact.email = email
        given.append("email")
    if contact.title is None and title is not None:
        contact.title = title
        given.append("title")
    return tuple(given)


def _contact_info(contact: Contact) -> ContactInfo:
    return ContactInfo(name=contact.name, email=contact.email, title=contact.title)


def _fill_gaps(stays: Partner, gone: Partner) -> tuple[str, ...]:
    """What the kept partner does not know, it learns from the duplicate, and what that was
    (`Merged.taken_over`); a partnership active under either name stays active (pulse surveys
    go to active partners), where any other status of the duplicate leaves the kept partner's
    as it is."""
    if gone.status == PartnerStatus.ACTIVE:
        stays.status = PartnerStatus.ACTIVE
    taken: list[str] = []
    if not stays.channel_id and gone.channel_id:
        # Its channel with when it was chosen: the key of the greeting left there.
        stays.channel_id, stays.channel_set_at = gone.channel_id, gone.channel_set_at
        taken.append("channel")
    if not stays.website_domain and gone.website_domain:
        stays.website_domain = gone.website_domain
        taken.append("website")
    if not stays.notes and gone.notes:
        stays.notes = gone.notes
        taken.append("notes")
    if gone.last_contact_at is not None and (
        stays.last_contact_at is None or gone.last_contact_at > stays.last_contact_at
    ):
        stays.last_contact_at = gone.last_contact_at
        stays.last_contact_by = gone.last_contact_by
        stays.last_contact_day_only = gone.last_contact_day_only
    return tuple(taken)
