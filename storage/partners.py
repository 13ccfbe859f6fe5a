"""Queries about partners: names and aliases, teams, contacts, pages of the list, merging.

Every function takes the workspace's `team_id` and touches only that workspace's rows. Functions
that write flush but never commit: the caller's transaction decides.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, func, select

from storage.models import (
    Absence,
    Contact,
    Partner,
    PartnerAlias,
    PartnerStatus,
    RegistryVersion,
    TeamMembership,
    TeamRole,
    TouchpointContact,
)
from storage.upsert import table_of, upsert

# --- Names --------------------------------------------------------------------------------------


def get_partner(*, session: Session, team_id: str, partner_id: int) -> Partner | None:
    """The partner with this id, if it belongs to the workspace."""
    partner = session.get(Partner, partner_id)
    return partner if partner is not None and partner.team_id == team_id else None


def set_pulse_cadence(
    *, session: Session, team_id: str, partner_id: int, cadence: str | None
) -> None:
    """Give the partner its own pulse cadence; None makes it follow the workspace's."""
    partner = get_partner(session=session, team_id=team_id, partner_id=partner_id)
    if partner is None:
        raise LookupError(f"no partner {partner_id} in workspace {team_id}")
    partner.pulse_cadence = cadence
    session.add(partner)


def get_partners(
    *, session: Session, team_id: str, partner_ids: Collection[int]
) -> dict[int, Partner]:
    """The workspace's partners among `partner_ids`, by id (unknown ids are left out)."""
    if not partner_ids:
        return {}
    statement = select(Partner).where(
        Partner.team_id == team_id, col(Partner.id).in_(set(partner_ids))
    )
    return {partner.id: partner for partner in session.exec(statement) if partner.id is not None}


def lock_partner(*, session: Session, team_id: str, partner_id: int) -> Partner | None:
    """The partner, read afresh and locked until the transaction ends; None if it is gone
    (merged away meanwhile).

    A change to a partner reads its team (or contacts, or aliases), decides, then writes: two
    such changes at once would both decide on what they read, and the second write would break
    a unique constraint (the same person added twice) or undo the first (a deputy made owner by
    one request and deputy by the other). Locking the partner first makes them take turns, and
    the second reads what the first committed. PostgreSQL locks the row, FOR NO KEY UPDATE so
    that touchpoints and other rows pointing at the partner are still written meanwhile. SQLite
    has no row locks: a write that changes nothing takes its one write lock now, not at the
    transaction's first real write.
    """
    table = table_of(Partner)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            sa.update(table)
            .where(table.c.id == partner_id, table.c.team_id == team_id)
            .values(id=table.c.id)
        )
    statement = (
        select(Partner)
        .where(Partner.team_id == team_id, Partner.id == partner_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return session.exec(statement).first()


def partner_with_key(*, session: Session, team_id: str, key: str) -> Partner | None:
    """The partner whose normalized name, or one of whose aliases, is `key`."""
    by_name = session.exec(
        select(Partner).where(Partner.team_id == team_id, Partner.normalized_name == key)
    ).first()
    if by_name is not None:
        return by_name
    return session.exec(
        select(Partner)
        .join(PartnerAlias, col(PartnerAlias.partner_id) == col(Partner.id))
        .where(PartnerAlias.team_id == team_id, PartnerAlias.normalized == key)
    ).first()


def known_keys(*, session: Session, team_id: str, keys: Collection[str]) -> set[str]:
    """Which of `keys` some partner's normalized name or one of its aliases is."""
    if not keys:
        return set()
    names = select(Partner.normalized_name).where(
        Partner.team_id == team_id, col(Partner.normalized_name).in_(keys)
    )
    aliases = select(PartnerAlias.normalized).where(
        PartnerAlias.team_id == team_id, col(PartnerAlias.normalized).in_(keys)
    )
    return {*session.exec(names), *session.exec(aliases)}


def partners_with_domain(*, session: Session, team_id: str, domain: str) -> list[Partner]:
    """Partners registered with this website domain."""
    statement = (
        select(Partner)
        .where(Partner.team_id == team_id, Partner.website_domain == domain)
        .order_by(col(Partner.normalized_name))
    )
    return list(session.exec(statement))


def labels(
    *, session: Session, team_id: str, partner_ids: Collection[int] | None = None
) -> list[tuple[int, str]]:
    """(partner id, name or alias) for every partner, or for `partner_ids` only."""
    names = select(Partner.id, Partner.name).where(Partner.team_id == team_id)
    aliases = select(PartnerAlias.partner_id, PartnerAlias.alias).where(
        PartnerAlias.team_id == team_id
    )
    if partner_ids is not None:
        names = names.where(col(Partner.id).in_(set(partner_ids)))
        aliases = aliases.where(col(PartnerAlias.partner_id).in_(set(partner_ids)))
    rows = [*session.exec(names), *session.exec(aliases)]
    return [(partner_id, label) for partner_id, label in rows if partner_id is not None]


def has_partners(*, session: Session, team_id: str) -> bool:
    """Whether the workspace registered any partner yet."""
    statement = select(Partner.id).where(Partner.team_id == team_id).limit(1)
    return session.exec(statement).first() is not None


def label_count(*, session: Session, team_id: str) -> int:
    """How many names and aliases the workspace has, all partners together."""
    names = session.exec(select(func.count()).where(Partner.team_id == team_id)).one()
    aliases = session.exec(select(func.count()).where(PartnerAlias.team_id == team_id)).one()
    return int(names) + int(aliases)


def aliases_of(*, session: Session, team_id: str, partner_id: int) -> list[PartnerAlias]:
    """The partner's aliases, alphabetically."""
    statement = (
        select(PartnerAlias)
        .where(PartnerAlias.team_id == team_id, PartnerAlias.partner_id == partner_id)
        .order_by(col(PartnerAlias.normalized))
    )
    return list(session.exec(statement))


def alias_with_key(*, session: Session, team_id: str, key: str) -> PartnerAlias | None:
    """The alias, of any partner in the workspace, whose normalized form is `key`."""
    statement = select(PartnerAlias).where(
        PartnerAlias.team_id == team_id, PartnerAlias.normalized == key
    )
    return session.exec(statement).first()


def insert_partner(
    *,
    session: Session,
    team_id: str,
    name: str,
    key: str,
    created_by: str,
    created_at: datetime,
    status: PartnerStatus = PartnerStatus.PROSPECT,
    website_domain: str | None = None,
    notes: str | None = None,
) -> Partner:
    """Add a partner; raises IntegrityError (at flush) when `key` is taken in the workspace."""
    partner = Partner(
        team_id=team_id,
        name=name,
        normalized_name=key,
        status=status,
        website_domain=website_domain,
        notes=notes,
        created_by=created_by,
        created_at=created_at,
    )
    session.add(partner)
    session.flush()
    return partner


def insert_alias(
    *, session: Session, team_id: str, partner_id: int, alias: str, key: str
) -> PartnerAlias:
    """Add an alias; raises IntegrityError (at flush) when `key` is another alias already."""
    row = PartnerAlias(team_id=team_id, partner_id=partner_id, alias=alias, normalized=key)
    session.add(row)
    session.flush()
    return row


def registry_version(*, session: Session, team_id: str) -> int:
    """How many times the workspace's partner names or aliases have changed (0: never)."""
    row = session.get(RegistryVersion, team_id)
    return 0 if row is None else row.version


def bump_registry_version(*, session: Session, team_id: str) -> int:
    """Count one more change to the workspace's names and return the new version.

    Call it last in the transaction: on PostgreSQL it locks the workspace's version row until
    commit, which serializes name changes within one workspace.
    """
    row = upsert(
        session,
        RegistryVersion,
        {"team_id": team_id, "version": 1},
        key=("team_id",),
        update={"version": col(RegistryVersion.version) + 1},
    )
    return int(row.version)


# --- Teams --------------------------------------------------------------------------------------

_ROLE_ORDER = sa.case(
    {TeamRole.OWNER.value: 0, TeamRole.DEPUTY.value: 1}, value=col(TeamMembership.role), else_=2
)


def team_of(*, session: Session, team_id: str, partner_id: int) -> list[TeamMembership]:
    """The partner's team: owner first, then deputy, then members in the order they joined."""
    return teams_of(session=session, team_id=team_id, partner_ids=[partner_id]).get(partner_id, [])


def teams_of(
    *, session: Session, team_id: str, partner_ids: Collection[int]
) -> dict[int, list[TeamMembership]]:
    """The team of each partner of `partner_ids` that has one, ordered as `team_of` orders it,
    by partner id: one query however many."""
    if not partner_ids:
        return {}
    statement = (
        select(TeamMembership)
        .where(
            TeamMembership.team_id == team_id, col(TeamMembership.partner_id).in_(set(partner_ids))
        )
        .order_by(_ROLE_ORDER, col(TeamMembership.added_at), col(TeamMembership.id))
    )
    teams: dict[int, list[TeamMembership]] = {}
    for membership in session.exec(statement):
        teams.setdefault(membership.partner_id, []).append(membership)
    return teams


def holders_of(
    *, session: Session, team_id: str, partner_ids: Collection[int], role: TeamRole
) -> dict[int, str]:
    """Who holds `role` (owner or deputy) on each partner of `partner_ids` that has one."""
    if not partner_ids:
        return {}
    statement = select(TeamMembership.partner_id, TeamMembership.user_id).where(
        TeamMembership.team_id == team_id,
        TeamMembership.role == role,
        col(TeamMembership.partner_id).in_(set(partner_ids)),
    )
    return dict(session.exec(statement).all())


def roles_of_user(
    *, session: Session, team_id: str, user_id: str, partner_ids: Collection[int]
) -> dict[int, TeamRole]:
    """The user's role on each partner of `partner_ids` whose team they are on."""
    if not partner_ids:
        return {}
    statement = select(TeamMembership.partner_id, TeamMembership.role).where(
        TeamMembership.team_id == team_id,
        TeamMembership.user_id == user_id,
        col(TeamMembership.partner_id).in_(set(partner_ids)),
    )
    return {partner_id: TeamRole(role) for partner_id, role in session.exec(statement)}


def partners_alerting(*, session: Session, team_id: str, user_id: str, now: datetime) -> set[int]:
    """The partners an alert meant for their owner may reach `user_id` for: those they own or
    deputise for, and those whose owner's time away not over at `now` names them as cover
    (`bot.delivery.absence.recipient_for_owner_alert`)."""
    membership = table_of(TeamMembership)
    absence = table_of(Absence)
    names_them = (
        sa.select(absence.c.id)
        .where(
            absence.c.team_id == team_id,
            absence.c.user_id == membership.c.user_id,
            absence.c.deputy_id == user_id,
            absence.c.ends_at > now,
        )
        .exists()
    )
    statement = sa.select(membership.c.partner_id).where(
        membership.c.team_id == team_id,
        sa.or_(
            sa.and_(
                membership.c.user_id == user_id,
                membership.c.role.in_((TeamRole.OWNER.value, TeamRole.DEPUTY.value)),
            ),
            sa.and_(membership.c.role == TeamRole.OWNER.value, names_them),
        ),
    )
    return {int(partner_id) for partner_id in session.execute(statement).scalars()}


@dataclass(frozen=True)
class OwnedPartner:
    """A partner someone owns, and its deputy (None: it has none)."""

    name: str
    deputy_id: str | None


def owned_by(*, session: Session, team_id: str, user_id: str) -> list[OwnedPartner]:
    """The partners `user_id` owns, by name, each with its deputy."""
    partner = table_of(Partner)
    owner = table_of(TeamMembership).alias("owner")
    deputy = table_of(TeamMembership).alias("deputy")
    statement = (
        sa.select(partner.c.name, deputy.c.user_id)
        .select_from(
            owner.join(partner, partner.c.id == owner.c.partner_id).outerjoin(
                deputy,
                sa.and_(
                    deputy.c.partner_id == owner.c.partner_id,
                    deputy.c.role == TeamRole.DEPUTY.value,
                ),
            )
        )
        .where(
            owner.c.team_id == team_id,
            owner.c.user_id == user_id,
            owner.c.role == TeamRole.OWNER.value,
            partner.c.team_id == team_id,
        )
        .order_by(partner.c.normalized_name, partner.c.id)
    )
    return [
        OwnedPartner(name=name, deputy_id=deputy_id)
        for name, deputy_id in session.execute(statement)
    ]


def set_role(
    *,
    session: Session,
    team_id: str,
    partner_id: int,
    user_id: str,
    role: TeamRole,
    now: datetime,
) -> TeamMembership:
    """Put the user on the partner's team with `role`, or change the role they have."""
    membership = session.exec(
        select(TeamMembership).where(
            TeamMembership.team_id == team_id,
            TeamMembership.partner_id == partner_id,
            TeamMembership.user_id == user_id,
        )
    ).first()
    if membership is None:
        membership = TeamMembership(
            team_id=team_id, partner_id=partner_id, user_id=user_id, role=role, added_at=now
        )
    else:
        membership.role = role
    session.add(membership)
    # Flushed one at a time so the one-owner and one-deputy indexes see the old role go first.
    session.flush()
    return membership


# --- Contacts -----------------------------------------------------------------------------------


def contacts_of(
    *, session: Session, team_id: str, partner_id: int, removed: bool = False
) -> list[Contact]:
    """The partner's contacts, alphabetically; with `removed`, those taken off the list whom
    touchpoints still name as well."""
    statement = (
        select(Contact)
        .where(Contact.team_id == team_id, Contact.partner_id == partner_id)
        .order_by(func.lower(Contact.name), col(Contact.id))
    )
    if not removed:
        statement = statement.where(col(Contact.removed_at).is_(None))
    return list(session.exec(statement))


def contacts_by_partner(
    *, session: Session, team_id: str, partner_ids: Sequence[int]
) -> dict[int, list[Contact]]:
    """`contacts_of` for many partners in one query (the export's), by partner id."""
    found: dict[int, list[Contact]] = {}
    if not partner_ids:
        return found
    statement = (
        select(Contact)
        .where(
            Contact.team_id == team_id,
            col(Contact.partner_id).in_(partner_ids),
            col(Contact.removed_at).is_(None),
        )
        .order_by(func.lower(Contact.name), col(Contact.id))
    )
    for contact in session.exec(statement):
        found.setdefault(contact.partner_id, []).append(contact)
    return found


def contact_count(*, session: Session, team_id: str, partner_id: int) -> int:
    """How many contacts the partner has (those removed left out)."""
    statement = select(func.count()).where(
        Contact.team_id == team_id,
        Contact.partner_id == partner_id,
        col(Contact.removed_at).is_(None),
    )
    return int(session.exec(statement).one())


def touchpoints_with(*, session: Session, team_id: str, contact_id: int) -> int:
    """How many touchpoints name the contact."""
    statement = select(func.count()).where(
        TouchpointContact.team_id == team_id, TouchpointContact.contact_id == contact_id
    )
    return int(session.exec(statement).one())


# --- The list -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListFilter:
    """Which partners a page of `list` shows; every field that is set must hold."""

    status: PartnerStatus | None = None
    # Partners on whose team this user is, in any role.
    member_id: str | None = None


# The position after the last partner shown: (normalized name, id).
ListCursor = tuple[str, int]


def list_page(
    *,
    session: Session,
    team_id: str,
    where: ListFilter,
    after: ListCursor | None,
    limit: int,
) -> list[Partner]:
    """Up to `limit` partners matching `where`, alphabetically, after the cursor."""
    statement = select(Partner).where(Partner.team_id == team_id)
    if where.status is not None:
        statement = statement.where(Partner.status == where.status)
    if where.member_id is not None:
        on_team = select(TeamMembership.partner_id).where(
            TeamMembership.team_id == team_id, TeamMembership.user_id == where.member_id
        )
        statement = statement.where(col(Partner.id).in_(on_team))
    if after is not None:
        statement = statement.where(
            sa.tuple_(col(Partner.normalized_name), col(Partner.id)) > sa.tuple_(*after)
        )
    statement = statement.order_by(col(Partner.normalized_name), col(Partner.id)).limit(limit)
    return list(session.exec(statement))


# --- Merging ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """A column that holds the id of a row of another table."""

    table: sa.Table
    column: sa.Column[int]


def references_to(target: type[SQLModel]) -> Iterator[Reference]:
    """Every foreign-key column, in any table, that points at `target`'s rows.

    Read from the models, so a table a later feature adds is found without being listed.
    """
    target_table = table_of(target)
    for table in SQLModel.metadata.sorted_tables:
        for foreign_key in table.foreign_keys:
            if foreign_key.column.table is target_table:
                yield Reference(table=table, column=foreign_key.parent)


def ids_pointing(
    *, session: Session, team_id: str, reference: Reference, partner_id: int
) -> tuple[int, ...]:
    """The ids of the rows that point at `partner_id` through `reference` (none when its table
    has no `id` column)."""
    key = reference.table.c.get("id")
    if key is None:
        return ()
    statement = sa.select(key).where(reference.column == partner_id)
    if "team_id" in reference.table.c:
        statement = statement.where(reference.table.c.team_id == team_id)
    return tuple(int(row) for row in session.execute(statement).scalars())


def repoint(
    *, session: Session, team_id: str, reference: Reference, old_id: int, new_id: int
) -> int:
    """Make rows that point at `old_id` through `reference` point at `new_id`; returns how many."""
    statement = (
        sa.update(reference.table)
        .where(reference.column == old_id)
        .values({reference.column.name: new_id})
    )
    if "team_id" in reference.table.c:
        statement = statement.where(reference.table.c.team_id == team_id)
    result = session.execute(statement)
    return int(result.rowcount)  # type: ignore[attr-defined]
