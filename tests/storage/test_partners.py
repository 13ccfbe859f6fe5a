"""Partner and people queries on the real database: scoped to one workspace, typed results."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage import absences, people
from storage import partners as store
from storage.models import (
    Contact,
    Partner,
    PartnerStatus,
    TeamRole,
    Touchpoint,
    TouchpointKind,
    Workspace,
    WorkspaceAdmin,
)
from storage.upsert import table_of

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def add_partner(
    session: Session,
    team_id: str,
    name: str,
    *,
    owner: str = "U0ANA",
    status: PartnerStatus = PartnerStatus.PROSPECT,
    created_at: datetime = NOW,
) -> Partner:
    partner = store.insert_partner(
        session=session,
        team_id=team_id,
        name=name,
        key=name.lower(),
        created_by=owner,
        created_at=created_at,
        status=status,
        website_domain=f"{name.lower().replace(' ', '')}.org",
    )
    assert partner.id is not None
    store.set_role(
        session=session,
        team_id=team_id,
        partner_id=partner.id,
        user_id=owner,
        role=TeamRole.OWNER,
        now=NOW,
    )
    return partner


def test_a_partner_of_another_workspace_is_invisible(engine: Engine) -> None:
    with Session(engine) as session:
        theirs = add_partner(session, "T2", "Acme")
        assert theirs.id is not None
        store.insert_alias(
            session=session, team_id="T2", partner_id=theirs.id, alias="ACME Inc", key="acme inc"
        )
        session.add(
            Contact(
                team_id="T2", partner_id=theirs.id, name="Jane", email="j@acme.org", created_at=NOW
            )
        )
        session.commit()
        every = store.ListFilter()
        assert store.get_partner(session=session, team_id="T1", partner_id=theirs.id) is None
        assert store.get_partners(session=session, team_id="T1", partner_ids=[theirs.id]) == {}
        assert store.partner_with_key(session=session, team_id="T1", key="acme") is None
        assert store.partner_with_key(session=session, team_id="T1", key="acme inc") is None
        assert store.alias_with_key(session=session, team_id="T1", key="acme inc") is None
        assert store.partners_with_domain(session=session, team_id="T1", domain="acme.org") == []
        assert store.labels(session=session, team_id="T1") == []
        assert store.label_count(session=session, team_id="T1") == 0
        assert store.aliases_of(session=session, team_id="T1", partner_id=theirs.id) == []
        assert store.team_of(session=session, team_id="T1", partner_id=theirs.id) == []
        assert store.contacts_of(session=session, team_id="T1", partner_id=theirs.id) == []
        assert (
            store.holders_of(
                session=session, team_id="T1", partner_ids=[theirs.id], role=TeamRole.OWNER
            )
            == {}
        )
        assert (
            store.list_page(session=session, team_id="T1", where=every, after=None, limit=9) == []
        )
        # …and all of it is there for its own workspace.
        assert store.partner_with_key(session=session, team_id="T2", key="acme inc") == theirs
        assert sorted(store.labels(session=session, team_id="T2")) == [
            (theirs.id, "ACME Inc"),
            (theirs.id, "Acme"),
        ]


def test_one_normalized_name_per_workspace_and_one_alias_key(engine: Engine) -> None:
    with Session(engine) as session:
        acme = add_partner(session, "T1", "Acme")
        assert acme.id is not None
        store.insert_alias(session=session, team_id="T1", partner_id=acme.id, alias="AC", key="ac")
        session.commit()
        with pytest.raises(sa.exc.IntegrityError):
            add_partner(session, "T1", "Acme")
        session.rollback()
        with pytest.raises(sa.exc.IntegrityError):
            store.insert_alias(
                session=session, team_id="T1", partner_id=acme.id, alias="A.C.", key="ac"
            )


def test_registry_version_counts_per_workspace(engine: Engine) -> None:
    with Session(engine) as session:
        assert store.registry_version(session=session, team_id="T1") == 0
        assert store.bump_registry_version(session=session, team_id="T1") == 1
        assert store.bump_registry_version(session=session, team_id="T1") == 2
        assert store.bump_registry_version(session=session, team_id="T2") == 1
        session.commit()
        assert store.registry_version(session=session, team_id="T1") == 2


def test_roles_change_in_place_and_a_partner_has_one_deputy(engine: Engine) -> None:
    with Session(engine) as session:
        acme = add_partner(session, "T1", "Acme")
        assert acme.id is not None
        for user, role in (("U0BEN", TeamRole.DEPUTY), ("U0DAN", TeamRole.MEMBER)):
            store.set_role(
                session=session, team_id="T1", partner_id=acme.id, user_id=user, role=role, now=NOW
            )
        team = store.team_of(session=session, team_id="T1", partner_id=acme.id)
        assert [(m.user_id, m.role) for m in team] == [
            ("U0ANA", TeamRole.OWNER),
            ("U0BEN", TeamRole.DEPUTY),
            ("U0DAN", TeamRole.MEMBER),
        ]
        assert store.roles_of_user(
            session=session, team_id="T1", user_id="U0DAN", partner_ids=[acme.id]
        ) == {acme.id: TeamRole.MEMBER}
        with pytest.raises(sa.exc.IntegrityError):
            store.set_role(
                session=session,
                team_id="T1",
                partner_id=acme.id,
                user_id="U0DAN",
                role=TeamRole.DEPUTY,
                now=NOW,
            )


def test_teams_of_reads_several_partners_teams_at_once_in_team_of_order(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        acme, globex = add_partner(session, "T1", "Acme"), add_partner(session, "T1", "Globex")
        other = add_partner(session, "T2", "Initech")
        assert acme.id is not None and globex.id is not None and other.id is not None
        for user, role in (("U0DAN", TeamRole.MEMBER), ("U0BEN", TeamRole.DEPUTY)):
            store.set_role(
                session=session, team_id="T1", partner_id=acme.id, user_id=user, role=role, now=NOW
            )
        teams = store.teams_of(
            session=session, team_id="T1", partner_ids=[acme.id, globex.id, other.id]
        )
        assert {
            partner_id: [(m.user_id, m.role) for m in team] for partner_id, team in teams.items()
        } == {
            acme.id: [
                ("U0ANA", TeamRole.OWNER),
                ("U0BEN", TeamRole.DEPUTY),
                ("U0DAN", TeamRole.MEMBER),
            ],
            globex.id: [("U0ANA", TeamRole.OWNER)],
        }
        assert teams[acme.id] == store.team_of(session=session, team_id="T1", partner_id=acme.id)


def test_owned_by_lists_the_users_partners_by_name_with_their_deputies(engine: Engine) -> None:
    with Session(engine) as session:
        oxfam = add_partner(session, "T1", "Oxfam")
        add_partner(session, "T1", "Amnesty")
        add_partner(session, "T1", "MSF", owner="U0BEN")
        add_partner(session, "T2", "Unicef")
        assert oxfam.id is not None
        store.set_role(
            session=session,
            team_id="T1",
            partner_id=oxfam.id,
            user_id="U0DAN",
            role=TeamRole.DEPUTY,
            now=NOW,
        )
        session.commit()
        assert store.owned_by(session=session, team_id="T1", user_id="U0ANA") == [
            store.OwnedPartner(name="Amnesty", deputy_id=None),
            store.OwnedPartner(name="Oxfam", deputy_id="U0DAN"),
        ]
        assert store.owned_by(session=session, team_id="T1", user_id="U0DAN") == []


def test_partners_alerting_a_person_as_owner_deputy_or_named_cover(engine: Engine) -> None:
    with Session(engine) as session:
        oxfam = add_partner(session, "T1", "Oxfam")  # Ana's, Dan deputises
        msf = add_partner(session, "T1", "MSF", owner="U0BEN")  # Ben's time away names Dan
        amnesty = add_partner(session, "T1", "Amnesty", owner="U0CHLOE")  # hers was over
        unicef = add_partner(session, "T1", "Unicef", owner="U0ERIN")  # Dan only a member
        add_partner(session, "T2", "Care", owner="U0DAN")  # another workspace
        for partner, role in ((oxfam, TeamRole.DEPUTY), (unicef, TeamRole.MEMBER)):
            assert partner.id is not None
            store.set_role(
                session=session,
                team_id="T1",
                partner_id=partner.id,
                user_id="U0DAN",
                role=role,
                now=NOW,
            )
        for user, ends_at in (("U0BEN", NOW + timedelta(days=2)), ("U0CHLOE", NOW)):
            absences.record_absence(
                session=session,
                team_id="T1",
                user_id=user,
                starts_at=NOW - timedelta(days=2),
                ends_at=ends_at,
                deputy_id="U0DAN",
                created_at=NOW,
            )
        session.commit()

        def alerting(user_id: str) -> set[int | None]:
            found = store.partners_alerting(session=session, team_id="T1", user_id=user_id, now=NOW)
            return set(found)

        assert alerting("U0DAN") == {oxfam.id, msf.id}
        assert alerting("U0ANA") == {oxfam.id}
        assert alerting("U0BEN") == {msf.id}
        assert alerting("U0CHLOE") == {amnesty.id}


def test_list_pages_by_name_with_filters(engine: Engine) -> None:
    with Session(engine) as session:
        for index in range(5):
            add_partner(session, "T1", f"Partner {index}", owner="U0ANA" if index % 2 else "U0BEN")
        add_partner(
            session,
            "T1",
            "Quiet One",
            owner="U0DAN",
            status=PartnerStatus.ACTIVE,
            created_at=NOW - timedelta(days=90),
        )
        add_partner(
            session,
            "T1",
            "Quiet Ended",
            owner="U0DAN",
            status=PartnerStatus.ENDED,
            created_at=NOW - timedelta(days=90),
        )
        session.commit()

        def page(where: store.ListFilter, after: store.ListCursor | None = None) -> list[Partner]:
            return store.list_page(session=session, team_id="T1", where=where, after=after, limit=3)

        def names(where: store.ListFilter, after: store.ListCursor | None = None) -> list[str]:
            return [partner.name for partner in page(where, after)]

        every = store.ListFilter()
        first = page(every)
        assert [partner.name for partner in first] == ["Partner 0", "Partner 1", "Partner 2"]
        last = first[-1]
        assert last.id is not None
        after = (last.normalized_name, last.id)
        assert names(every, after=after) == ["Partner 3", "Partner 4", "Quiet Ended"]
        assert names(store.ListFilter(member_id="U0ANA")) == ["Partner 1", "Partner 3"]
        assert names(store.ListFilter(status=PartnerStatus.ACTIVE)) == ["Quiet One"]


def test_references_to_a_partner_are_found_in_the_models() -> None:
    tables = {reference.table.name for reference in store.references_to(Partner)}
    assert {"partner_alias", "team_membership", "contact", "touchpoint"} <= tables
    assert {reference.table.name for reference in store.references_to(Contact)} >= {
        "touchpoint_contact"
    }


def test_repoint_moves_rows_of_its_workspace_only(engine: Engine) -> None:
    with Session(engine) as session:
        old, new = add_partner(session, "T1", "Old"), add_partner(session, "T1", "New")
        assert old.id is not None and new.id is not None
        for _ in range(2):
            session.add(
                Touchpoint(
                    team_id="T1",
                    partner_id=old.id,
                    kind=TouchpointKind.DONE,
                    at=NOW,
                    author_id="U0ANA",
                    created_at=NOW,
                )
            )
        session.flush()
        (touchpoints,) = [r for r in store.references_to(Partner) if r.table.name == "touchpoint"]
        assert (
            store.repoint(
                session=session, team_id="T2", reference=touchpoints, old_id=old.id, new_id=new.id
            )
            == 0
        )
        assert (
            store.repoint(
                session=session, team_id="T1", reference=touchpoints, old_id=old.id, new_id=new.id
            )
            == 2
        )
        table = table_of(Touchpoint)
        moved = session.execute(sa.select(table.c.partner_id)).scalars().all()
        assert moved == [new.id, new.id]


def test_profiles_are_upserted_and_scoped(engine: Engine) -> None:
    with Session(engine) as session:
        for name, admin in (("ana", False), ("Ana Lopez", True)):
            people.save_profile(
                session=session,
                team_id="T1",
                user_id="U0ANA",
                name=name,
                real_name=None,
                tz="Europe/Berlin",
                is_admin=admin,
                is_deleted=False,
                fetched_at=NOW,
            )
        session.commit()
        profile = people.get_profile(session=session, team_id="T1", user_id="U0ANA")
        assert profile is not None
        assert (profile.name, profile.is_admin, profile.fetched_at) == ("Ana Lopez", True, NOW)
        assert people.get_profile(session=session, team_id="T2", user_id="U0ANA") is None
        assert list(
            people.get_profiles(session=session, team_id="T1", user_ids=["U0ANA", "U9"])
        ) == ["U0ANA"]
        assert not people.is_listed_admin(session=session, team_id="T1", user_id="U0BEN")


def test_listed_admins_are_per_workspace(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(Workspace(team_id="T1", created_at=NOW))
        session.flush()
        session.add(WorkspaceAdmin(team_id="T1", user_id="U0BEN"))
        session.commit()
        assert people.is_listed_admin(session=session, team_id="T1", user_id="U0BEN")
        assert not people.is_listed_admin(session=session, team_id="T2", user_id="U0BEN")
