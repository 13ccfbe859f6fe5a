"""The partner registry's rules on the real database: duplicates, permissions, merge, paging."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from functools import partial

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.clock import ManualClock
from bot.services import registry as registry_module
from bot.services.partner_names import PartnerNames
from bot.services.people import NotInWorkspace, PeopleCheck, PeopleToLookUp
from bot.services.registry import (
    MERGE_RULES,
    Actor,
    AlreadyRegistered,
    BadName,
    BadValue,
    Conflict,
    ContactInfo,
    DeputyChange,
    Handover,
    LikelyDuplicate,
    ListScope,
    NameProblem,
    NameTaken,
    NotAllowed,
    NothingToDo,
    Registry,
    SimilarBy,
    UnknownPartner,
    email_address,
    website_domain,
)
from storage import partners as store
from storage import people as profiles
from storage.models import (
    Contact,
    Partner,
    PartnerStatus,
    TeamRole,
    Touchpoint,
    TouchpointContact,
    TouchpointKind,
    Workspace,
    WorkspaceAdmin,
)

T1 = "T1"
ANA, BEN, CHLOE, DAN, EVE = "U0ANA", "U0BEN", "U0CHLOE", "U0DAN", "U0EVE"


@pytest.fixture
def registry(engine: Engine, clock: ManualClock) -> Registry:
    return Registry(engine=engine, clock=clock, names=PartnerNames())


@pytest.fixture(autouse=True)
def colleagues(engine: Engine, clock: ManualClock) -> None:
    """Ana is a Slack admin; Ben, Chloe and Dan are not; Eve left the company."""
    with Session(engine) as session:
        for user_id, admin, deleted in (
            (ANA, True, False),
            (BEN, False, False),
            (CHLOE, False, False),
            (DAN, False, False),
            (EVE, False, True),
        ):
            profiles.save_profile(
                session=session,
                team_id=T1,
                user_id=user_id,
                name=user_id.lower(),
                real_name=None,
                tz="UTC",
                is_admin=admin,
                is_deleted=deleted,
                fetched_at=clock.now(),
            )
        session.commit()


def actor(user_id: str, **check: frozenset[str]) -> Actor:
    return Actor(T1, user_id, PeopleCheck(**check))


def msf(registry: Registry, owner: str = BEN) -> int:
    profile = registry.add(
        actor=actor(owner),
        name="Médecins Sans Frontières",
        aliases=["MSF", "Doctors Without Borders"],
        website="https://www.msf.org/en",
    )
    return profile.facts.id


# --- Adding and finding ---------------------------------------------------------------------


def test_add_registers_owner_aliases_and_team(registry: Registry) -> None:
    profile = registry.add(
        actor=actor(ANA),
        name="  Save the  Children ",
        owner_id=BEN,
        aliases=["STC", "stc", "Save the Children"],
        team=[CHLOE, BEN],
        status=PartnerStatus.ACTIVE,
        website="savethechildren.net/uk",
        notes="Pilot in 2027",
    )
    assert profile.facts.name == "Save the Children"
    assert profile.facts.owner_id == BEN
    assert profile.facts.status == PartnerStatus.ACTIVE
    assert profile.facts.website_domain == "savethechildren.net"
    assert profile.aliases == ["STC"]
    assert profile.members == [CHLOE]
    assert profile.created_by == ANA
    assert registry.profile(team_id=T1, partner="save the children ltd").facts == profile.facts


def test_a_name_or_alias_that_exists_is_not_added_again(registry: Registry) -> None:
    partner_id = msf(registry)
    for name in ("MEDECINS SANS FRONTIERES e.V.", "msf", "The Doctors Without Borders Inc."):
        with pytest.raises(AlreadyRegistered) as exists:
            registry.add(actor=actor(DAN), name=name)
        assert exists.value.existing.facts.id == partner_id
        assert exists.value.existing.facts.owner_id == BEN
    with pytest.raises(NameTaken) as taken:
        registry.add(actor=actor(DAN), name="MSF Holland", aliases=["MSF"])
    assert taken.value.holder.id == partner_id


def test_a_likely_duplicate_asks_first_by_name_or_website(registry: Registry) -> None:
    partner_id = msf(registry)
    with pytest.raises(LikelyDuplicate) as by_name:
        registry.add(actor=actor(DAN), name="Medecins San Frontieres")
    assert [(s.facts.id, s.by) for s in by_name.value.similar] == [(partner_id, SimilarBy.NAME)]
    with pytest.raises(LikelyDuplicate) as by_site:
        registry.add(actor=actor(DAN), name="Another Name", website="http://msf.org")
    assert [(s.facts.id, s.by) for s in by_site.value.similar] == [(partner_id, SimilarBy.WEBSITE)]
    created = registry.add(actor=actor(DAN), name="Medecins San Frontieres", allow_similar=True)
    assert created.facts.id != partner_id


def test_names_that_cannot_be_used(registry: Registry) -> None:
    for name, problem in (
        ("   ", NameProblem.EMPTY),
        ("x" * 121, NameProblem.TOO_LONG),
        ("!!!", NameProblem.NO_LETTERS),
    ):
        with pytest.raises(BadName) as bad:
            registry.add(actor=actor(ANA), name=name)
        assert bad.value.problem is problem
    with pytest.raises(BadValue):
        registry.add(actor=actor(ANA), name="Acme", website="not a website")
    registry.add(actor=actor(ANA), name="x" * 120)


def test_websites_and_emails() -> None:
    assert website_domain("HTTPS://WWW.MSF.org:443/en/about?x=1") == "msf.org"
    assert website_domain("msf.org.") == "msf.org"
    assert email_address("mailto:Jane.Doe@MSF.org") == "jane.doe@msf.org"
    for bad in ("localhost", "http://", "msf"):
        with pytest.raises(BadValue):
            website_domain(bad)
    with pytest.raises(BadValue):
        email_address("jane@")


def test_fifty_simultaneous_adds_create_one_partner(engine: Engine, registry: Registry) -> None:
    outcomes: list[str] = []
    start = threading.Barrier(50)

    def add() -> None:
        start.wait()
        try:
            registry.add(actor=actor(BEN), name="ACME")
            outcomes.append("created")
        except AlreadyRegistered:
            outcomes.append("exists")

    threads = [threading.Thread(target=add) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["created"] + ["exists"] * 49
    with Session(engine) as session:
        assert len(session.exec(select(Partner)).all()) == 1


def test_an_unknown_name_comes_with_candidates(registry: Registry) -> None:
    partner_id = msf(registry)
    with pytest.raises(UnknownPartner) as unknown:
        registry.profile(team_id=T1, partner="Doctors Withot Borders")
    assert unknown.value.query == "Doctors Withot Borders"
    assert [c.id for c in unknown.value.candidates] == [partner_id]
    with pytest.raises(UnknownPartner) as nothing:
        registry.profile(team_id=T1, partner="World Food Programme")
    assert nothing.value.candidates == []


def test_a_name_starting_with_an_alias_is_still_offered_what_the_whole_stands_for(
    registry: Registry,
) -> None:
    oxfam = registry.add(actor=Actor(T1, ANA), name="Oxfam International", aliases=["Oxfam"])
    with pytest.raises(UnknownPartner) as unknown:
        registry.profile(team_id=T1, partner="Oxfam Intl")
    # The alias "Oxfam" starts it, and the whole is a short form of the name: both are said.
    assert [c.id for c in unknown.value.candidates] == [oxfam.facts.id]
    start = unknown.value.start
    assert start is not None and (start.facts.id, start.rest) == (oxfam.facts.id, "Intl")
    # Words after the alias that the whole does not stand for: only the known start.
    with pytest.raises(UnknownPartner) as other:
        registry.profile(team_id=T1, partner="Oxfam Germany")
    assert other.value.candidates == []
    assert other.value.start is not None and other.value.start.rest == "Germany"


def test_a_name_matching_only_through_the_name_it_starts_with_is_left_to_the_start(
    registry: Registry,
) -> None:
    registry.add(actor=Actor(T1, ANA), name="Medecins Sans Frontieres")
    with pytest.raises(UnknownPartner) as unknown:
        registry.profile(team_id=T1, partner="Medecins Sans Frontieres UK")
    assert unknown.value.candidates == []
    assert unknown.value.start is not None and unknown.value.start.rest == "UK"


def test_readings_of_a_name_that_carry_on_past_a_keyword(registry: Registry) -> None:
    fund = registry.add(actor=Actor(T1, ANA), name="People with Disabilities Fund")
    other = registry.add(actor=Actor(T1, ANA), name="People")
    readings = ["People with Disabilities Fund with Jane", "People with Disabilities Fund"]
    assert registry.registered_reading(team_id=T1, readings=readings) == 1
    assert registry.registered_reading(team_id=T1, readings=["People with Jane"]) is None
    # A reading stands for a partner exactly, or as a near miss or short form would offer it.
    fuzzy = ["People with Disabilities Fnd with Jane", "People with Disabilities Fnd"]
    assert registry.reading_for(team_id=T1, readings=fuzzy, partner_id=fund.facts.id) == 1
    assert registry.reading_for(team_id=T1, readings=fuzzy, partner_id=other.facts.id) is None
    assert (
        registry.reading_for(team_id=T1, readings=["People with Jane"], partner_id=fund.facts.id)
        is None
    )


def test_a_reading_close_to_a_partner_that_none_goes_by(engine: Engine, registry: Registry) -> None:
    registry.add(actor=Actor(T1, ANA), name="Doctors on Call", aliases=["Medics on Call"])
    registry.add(actor=Actor(T1, ANA), name="Doctors")
    readings = ["Docters on Call on blursday", "Docters on Call"]
    assert registry.close_reading(team_id=T1, readings=readings) == 1
    assert registry.close_reading(team_id=T1, readings=["Medic on Call"]) == 0  # an alias
    # A name some partner goes by exactly is no near miss; words that are none stay apart.
    assert registry.close_reading(team_id=T1, readings=["Doctors on Call"]) is None
    assert registry.close_reading(team_id=T1, readings=["Doctors on blursday"]) is None
    assert registry.close_reading(team_id=T1, readings=[]) is None
    # Once the process's index is built, the database is not asked.
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert registry.close_reading(team_id=T1, readings=readings) == 1
        assert registry.close_reading(team_id=T1, readings=["Oxfam on blursday"]) is None
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert statements == []


def test_another_workspace_sees_nothing(registry: Registry) -> None:
    msf(registry)
    with pytest.raises(UnknownPartner) as unknown:
        registry.profile(team_id="T2", partner="MSF")
    assert unknown.value.candidates == []
    assert registry.page(team_id="T2", user_id=BEN, scope=ListScope.ALL, limit=10).partners == []
    # The same name is free in the other workspace.
    registry.add(actor=Actor("T2", "U2"), name="MSF")


# --- Who may change a partner ---------------------------------------------------------------


def test_owner_deputy_and_admins_may_change_others_may_not(
    engine: Engine, registry: Registry
) -> None:
    msf(registry)
    registry.set_deputy(actor=actor(BEN), partner="MSF", deputy_id=CHLOE)
    registry.set_status(actor=actor(CHLOE), partner="MSF", status=PartnerStatus.ACTIVE)
    registry.set_status(actor=actor(ANA), partner="MSF", status=PartnerStatus.PAUSED)
    with pytest.raises(NotAllowed) as refused:
        registry.set_status(actor=actor(DAN), partner="MSF", status=PartnerStatus.ENDED)
    assert (refused.value.facts.owner_id, refused.value.facts.deputy_id) == (BEN, CHLOE)
    with Session(engine) as session:
        session.add(Workspace(team_id=T1, created_at=registry.clock.now()))
        session.flush()
        session.add(WorkspaceAdmin(team_id=T1, user_id=DAN))
        session.commit()
    registry.set_status(actor=actor(DAN), partner="MSF", status=PartnerStatus.ENDED)


def test_admin_rights_need_a_fresh_profile(
    engine: Engine, clock: ManualClock, registry: Registry
) -> None:
    msf(registry)
    clock.advance(timedelta(days=2))
    with pytest.raises(PeopleToLookUp) as pending:
        registry.set_status(actor=actor(ANA), partner="MSF", status=PartnerStatus.ACTIVE)
    assert pending.value.user_ids == (ANA,)
    # Once Slack was asked, the (now refreshed or still stale) profile decides.
    registry.set_status(
        actor=actor(ANA, asked=frozenset({ANA})), partner="MSF", status=PartnerStatus.ACTIVE
    )
    with pytest.raises(PeopleToLookUp):
        registry.set_status(actor=actor("U0NEW"), partner="MSF", status=PartnerStatus.PAUSED)
    with pytest.raises(NotAllowed):
        registry.set_status(
            actor=actor("U0NEW", asked=frozenset({"U0NEW"})),
            partner="MSF",
            status=PartnerStatus.PAUSED,
        )


def test_mentions_must_be_members_of_the_workspace(registry: Registry) -> None:
    msf(registry)
    with pytest.raises(NotInWorkspace) as deleted:
        registry.hand_over(actor=actor(BEN), partner="MSF", new_owner_id=EVE)
    assert deleted.value.user_id == EVE
    with pytest.raises(PeopleToLookUp) as unknown:
        registry.hand_over(actor=actor(BEN), partner="MSF", new_owner_id="U0GHOST")
    assert unknown.value.user_ids == ("U0GHOST",)
    with pytest.raises(NotInWorkspace):
        registry.hand_over(
            actor=actor(BEN, asked=frozenset({"U0GHOST"}), missing=frozenset({"U0GHOST"})),
            partner="MSF",
            new_owner_id="U0GHOST",
        )
    # Asked, but Slack could not say: the command still works.
    handover = registry.hand_over(
        actor=actor(BEN, asked=frozenset({"U0GHOST"})), partner="MSF", new_owner_id="U0GHOST"
    )
    assert handover.facts.owner_id == "U0GHOST"


def test_permission_and_mention_lookups_are_asked_for_together(
    clock: ManualClock, registry: Registry
) -> None:
    msf(registry)
    clock.advance(timedelta(days=2))
    with pytest.raises(PeopleToLookUp) as pending:
        registry.hand_over(actor=actor(ANA), partner="MSF", new_owner_id="U0NEW")
    assert pending.value.user_ids == (ANA, "U0NEW")


# --- Ownership, team, lifecycle -------------------------------------------------------------


def test_handover_keeps_the_old_owner_on_the_team(registry: Registry) -> None:
    msf(registry)
    registry.set_deputy(actor=actor(BEN), partner="MSF", deputy_id=CHLOE)
    handover = registry.hand_over(actor=actor(ANA), partner="MSF", new_owner_id=CHLOE)
    assert (handover.old_owner_id, handover.new_owner_id) == (BEN, CHLOE)
    profile = registry.profile(team_id=T1, partner="MSF")
    assert (profile.facts.owner_id, profile.facts.deputy_id, profile.members) == (
        CHLOE,
        None,
        [BEN],
    )
    with pytest.raises(NothingToDo) as same:
        registry.hand_over(actor=actor(ANA), partner="MSF", new_owner_id=CHLOE)
    assert same.value.conflict is Conflict.ALREADY_OWNER


def test_deputy_rules(registry: Registry) -> None:
    msf(registry)
    registry.set_deputy(actor=actor(BEN), partner="MSF", deputy_id=CHLOE)
    change = registry.set_deputy(actor=actor(BEN), partner="MSF", deputy_id=DAN)
    assert (change.old_deputy_id, change.facts.deputy_id) == (CHLOE, DAN)
    assert registry.profile(team_id=T1, partner="MSF").members == [CHLOE]
    for who, conflict in ((BEN, Conflict.OWNER_AS_DEPUTY), (DAN, Conflict.ALREADY_DEPUTY)):
        with pytest.raises(NothingToDo) as refused:
            registry.set_deputy(actor=actor(BEN), partner="MSF", deputy_id=who)
        assert refused.value.conflict is conflict


def test_team_add_and_remove(registry: Registry) -> None:
    msf(registry)
    added = registry.add_to_team(actor=actor(BEN), partner="MSF", user_ids=[CHLOE, DAN, CHLOE])
    assert (added.changed, added.now) == ([CHLOE, DAN], [CHLOE, DAN])
    again = registry.add_to_team(actor=actor(BEN), partner="MSF", user_ids=[DAN])
    assert (again.changed, again.unchanged) == ([], [DAN])
    with pytest.raises(NothingToDo) as owner:
        registry.remove_from_team(actor=actor(BEN), partner="MSF", user_ids=[CHLOE, BEN])
    assert owner.value.conflict is Conflict.REMOVE_OWNER
    assert registry.profile(team_id=T1, partner="MSF").members == [CHLOE, DAN]  # no partial write
    removed = registry.remove_from_team(actor=actor(BEN), partner="MSF", user_ids=[CHLOE, ANA])
    assert (removed.changed, removed.unchanged, removed.now) == ([CHLOE], [ANA], [DAN])


def at_once(*calls: Callable[[], object]) -> list[object]:
    """Run `calls` on threads released together; each one's result or the exception it raised."""
    start = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index: int) -> None:
        start.wait()
        try:
            outcomes[index] = calls[index]()
        except Exception as error:  # noqa: BLE001 - the test looks at what each one raised
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_the_same_colleague_added_to_a_team_at_once_joins_once(registry: Registry) -> None:
    for round_ in range(5):
        name = f"Partner {round_}"
        registry.add(actor=actor(BEN), name=name)
        outcomes = at_once(
            *[partial(registry.add_to_team, actor=actor(BEN), partner=name, user_ids=[DAN])] * 3
        )
        # As if they came one after another: one adds Dan, the others find him there.
        assert sorted(
            (change.changed, change.unchanged)  # type: ignore[attr-defined]
            for change in outcomes
        ) == [([], [DAN]), ([], [DAN]), ([DAN], [])], outcomes
        assert registry.profile(team_id=T1, partner=name).members == [DAN]


def test_deputy_and_owner_for_the_same_colleague_at_once_make_them_owner(
    registry: Registry,
) -> None:
    for round_ in range(5):
        name = f"Partner {round_}"
        registry.add(actor=actor(BEN), name=name)
        deputy, owner = at_once(
            partial(registry.set_deputy, actor=actor(ANA), partner=name, deputy_id=DAN),
            partial(registry.hand_over, actor=actor(ANA), partner=name, new_owner_id=DAN),
        )
        # Deputy first, then the handover from it; or owner first, then "the owner cannot be
        # deputy". Never a crash, and never Dan both.
        assert isinstance(owner, Handover), owner
        assert owner.new_owner_id == DAN
        if isinstance(deputy, NothingToDo):
            assert deputy.conflict is Conflict.OWNER_AS_DEPUTY
            assert not owner.was_deputy
        else:
            assert isinstance(deputy, DeputyChange), deputy
            assert owner.was_deputy
        profile = registry.profile(team_id=T1, partner=name)
        assert (profile.facts.owner_id, profile.facts.deputy_id, profile.members) == (
            DAN,
            None,
            [BEN],
        )


def test_the_same_alias_given_to_two_partners_at_once_goes_to_one(registry: Registry) -> None:
    registry.add(actor=actor(BEN), name="Oxfam")
    registry.add(actor=actor(BEN), name="Save the Children")
    for round_ in range(5):
        alias = f"Alias {round_}"
        outcomes = at_once(
            partial(registry.add_aliases, actor=actor(BEN), partner="Oxfam", aliases=[alias]),
            partial(
                registry.add_aliases, actor=actor(BEN), partner="Save the Children", aliases=[alias]
            ),
        )
        assert sorted(type(outcome).__name__ for outcome in outcomes) == [
            "ListChange",
            "NameTaken",
        ], outcomes


def test_status_and_channel(registry: Registry) -> None:
    msf(registry)
    facts = registry.set_status(actor=actor(BEN), partner="MSF", status=PartnerStatus.ACTIVE)
    assert facts.status == PartnerStatus.ACTIVE
    with pytest.raises(NothingToDo):
        registry.set_status(actor=actor(BEN), partner="MSF", status=PartnerStatus.ACTIVE)
    assert registry.set_channel(actor=actor(BEN), partner="MSF", channel_id="C0MSF").channel_id == (
        "C0MSF"
    )


# --- Identity -------------------------------------------------------------------------------


def test_aliases_are_added_and_removed_all_or_nothing(registry: Registry) -> None:
    msf(registry)
    registry.add(actor=actor(DAN), name="Oxfam")
    with pytest.raises(NameTaken):
        registry.add_aliases(actor=actor(BEN), partner="MSF", aliases=["MSF Intl", "Oxfam"])
    assert "MSF Intl" not in registry.profile(team_id=T1, partner="MSF").aliases
    change = registry.add_aliases(actor=actor(BEN), partner="MSF", aliases=["MSF Intl", "msf"])
    assert (change.changed, change.unchanged) == (["MSF Intl"], ["msf"])
    assert registry.profile(team_id=T1, partner="msf intl").facts.name == "Médecins Sans Frontières"
    with pytest.raises(NothingToDo) as missing:
        registry.remove_aliases(actor=actor(BEN), partner="MSF", aliases=["MSF Intl", "Nope"])
    assert missing.value.conflict is Conflict.NOT_AN_ALIAS
    removed = registry.remove_aliases(actor=actor(BEN), partner="MSF", aliases=["MSF Intl"])
    assert removed.now == ["Doctors Without Borders", "MSF"]
    with pytest.raises(UnknownPartner):
        registry.profile(team_id=T1, partner="MSF Intl")


def test_one_letter_or_digit_is_refused_as_alias_and_as_name_alike(registry: Registry) -> None:
    msf(registry)
    for alias in ("A", "D", "E", "v.", "7", "D Inc"):
        with pytest.raises(BadName) as bad:
            registry.add_aliases(actor=actor(BEN), partner="MSF", aliases=[alias])
        assert bad.value.problem is NameProblem.SINGLE_LETTER
    for name in ("A", "D", "The Z"):
        with pytest.raises(BadName) as bad:
            registry.add(actor=actor(ANA), name=name)
        assert bad.value.problem is NameProblem.SINGLE_LETTER_NAME
    assert registry.add(actor=actor(ANA), name="DL", aliases=["D2"]).aliases == ["D2"]


def test_an_alias_of_only_legal_forms_or_common_words_is_refused(registry: Registry) -> None:
    msf(registry)
    for alias in ("Inc", "Foundation", "The", "Ltd.", "e.V.", "The Co"):
        with pytest.raises(BadName) as bad:
            registry.add_aliases(actor=actor(BEN), partner="MSF", aliases=["MSF Intl", alias])
        assert bad.value.problem is NameProblem.GENERIC
    with pytest.raises(BadName):
        registry.add(actor=actor(ANA), name="Plan International", aliases=["Plan", "Inc"])
    assert "MSF Intl" not in registry.profile(team_id=T1, partner="MSF").aliases  # nothing saved
    with pytest.raises(UnknownPartner):
        registry.profile(team_id=T1, partner="Plan International")
    added = registry.add(actor=actor(ANA), name="Global Fund Ltd", aliases=["Global Fund"])
    assert added.aliases == []  # the name's own key: two organisation words make a name
    registry.add_aliases(actor=actor(BEN), partner="MSF", aliases=["MSF Foundation"])


def test_another_spelling_of_a_partners_name_is_not_given_to_another(registry: Registry) -> None:
    """A spelling of a partner's name or alias ("Aerzte" of "Ärzte", "w/o" of "without":
    `naming.name_keys`, either way round), given to a second partner, would stand for two."""
    msf_id = msf(registry)  # aka "Doctors Without Borders"
    aerzte = registry.add(actor=actor(ANA), name="Ärzte ohne Grenzen").facts.id
    oxfam = registry.add(actor=actor(BEN), name="Oxfam").facts.id
    with pytest.raises(AlreadyRegistered) as exists:
        registry.add(actor=actor(DAN), name="Aerzte ohne Grenzen", allow_similar=True)
    assert exists.value.existing.facts.id == aerzte
    with pytest.raises(AlreadyRegistered) as exists:
        registry.add(actor=actor(DAN), name="Doctors w/o Borders", allow_similar=True)
    assert exists.value.existing.facts.id == msf_id
    with pytest.raises(NameTaken) as taken:
        registry.add(actor=actor(DAN), name="Ohne Grenzen", aliases=["Aerzte ohne Grenzen"])
    assert taken.value.holder.id == aerzte
    for alias in ("Aerzte ohne Grenzen", "Doctors w/o Borders"):
        with pytest.raises(NameTaken) as taken:
            registry.add_aliases(actor=actor(BEN), partner="Oxfam", aliases=[alias])
        assert taken.value.holder.id in {aerzte, msf_id}
        with pytest.raises(NameTaken):
            registry.rename(actor=actor(BEN), partner="Oxfam", new_name=alias)
    # The other way round: the registered name is the one written without.
    registry.rename(actor=actor(ANA), partner="Ärzte ohne Grenzen", new_name="Aerzte ohne Grenzen")
    with pytest.raises(NameTaken) as taken:
        registry.add_aliases(actor=actor(BEN), partner="Oxfam", aliases=["Ärzte ohne Grenzen"])
    assert taken.value.holder.id == aerzte
    assert registry.profile(team_id=T1, partner="Oxfam").aliases == []
    # A partner's own other spelling is its own to have.
    registry.add_aliases(actor=actor(BEN), partner="MSF", aliases=["Doctors w/o Borders"])
    assert registry.profile(team_id=T1, partner="Doctors w/o Borders").facts.id == msf_id
    assert registry.profile(team_id=T1, partner="Oxfam").facts.id == oxfam


def test_rename_keeps_the_old_name_as_an_alias(registry: Registry) -> None:
    msf(registry)
    renamed = registry.rename(actor=actor(BEN), partner="MSF", new_name="Doctors Without Borders")
    assert renamed.old_name == "Médecins Sans Frontières"
    profile = registry.profile(team_id=T1, partner="Medecins Sans Frontieres")
    assert profile.facts.name == "Doctors Without Borders"
    assert profile.aliases == ["Médecins Sans Frontières", "MSF"]
    # A change of spelling only is no new alias.
    registry.rename(actor=actor(BEN), partner="MSF", new_name="DOCTORS WITHOUT BORDERS")
    assert registry.profile(team_id=T1, partner="MSF").aliases == [
        "Médecins Sans Frontières",
        "MSF",
    ]
    registry.add(actor=actor(DAN), name="Oxfam")
    with pytest.raises(NameTaken):
        registry.rename(actor=actor(BEN), partner="MSF", new_name="Oxfam")


def test_a_generic_name_is_refused_to_add_and_rename(registry: Registry) -> None:
    """As an alias is (QA21b NIT 11): a name only of legal forms or common words names no
    partner in particular."""
    for name in ("Foundation", "The Inc", "Ltd."):
        with pytest.raises(BadName) as bad:
            registry.add(actor=actor(ANA), name=name)
        assert bad.value.problem is NameProblem.GENERIC_NAME
    registry.add(actor=actor(ANA), name="Gates")
    with pytest.raises(BadName):
        registry.rename(actor=actor(ANA), partner="Gates", new_name="Foundation")
    assert registry.add(actor=actor(ANA), name="Global Fund").facts.name == "Global Fund"


def _generic_names_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Partners registered before generic names were refused."""
    monkeypatch.setattr(registry_module, "new_name_key", registry_module.name_key)


def test_a_generic_old_name_is_not_kept_as_an_alias(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`alias add` refuses "Foundation" (`naming.generic_name`): rename and merge, which keep
    the old name as an alias, do not slip it in."""
    with monkeypatch.context() as patched:
        _generic_names_allowed(patched)
        registry.add(actor=actor(ANA), name="Foundation")
        registry.add(actor=actor(ANA), name="The Co")
    renamed = registry.rename(actor=actor(ANA), partner="Foundation", new_name="Gates Foundation")
    assert not renamed.old_name_kept
    assert registry.profile(team_id=T1, partner="Gates Foundation").aliases == []
    with pytest.raises(UnknownPartner):
        registry.profile(team_id=T1, partner="Foundation")
    merged = registry.merge(actor=actor(ANA), duplicate="The Co", kept="Gates Foundation")
    assert not merged.duplicate_name_kept
    assert registry.profile(team_id=T1, partner="Gates Foundation").aliases == []
    # Any other old name is kept, as before.
    registry.add(actor=actor(ANA), name="Gates Fund", allow_similar=True)
    merged = registry.merge(actor=actor(ANA), duplicate="Gates Fund", kept="Gates Foundation")
    assert merged.duplicate_name_kept
    renamed = registry.rename(actor=actor(ANA), partner="Gates Foundation", new_name="BMGF")
    assert renamed.old_name_kept
    assert registry.profile(team_id=T1, partner="BMGF").aliases == [
        "Gates Foundation",
        "Gates Fund",
    ]


# --- Merge ----------------------------------------------------------------------------------


def test_merge_moves_everything_and_keeps_the_history(engine: Engine, registry: Registry) -> None:
    kept_id = msf(registry)
    registry.set_deputy(actor=actor(BEN), partner="MSF", deputy_id=CHLOE)
    duplicate = registry.add(
        actor=actor(DAN),
        name="Doctors w/o Borders USA",
        aliases=["DWB"],
        team=[CHLOE, ANA],
        website="dwb.org",
        allow_similar=True,
    )
    registry.add_contact(actor=actor(DAN), partner="MSF", name="Jane", email="jane@msf.org")
    registry.add_contact(actor=actor(DAN), partner="DWB", name="Jane D.", email="JANE@msf.org")
    registry.add_contact(actor=actor(DAN), partner="DWB", name="Kurt", email="kurt@dwb.org")
    # Known by name at one, with an email at the other: one person, who keeps the email.
    registry.add_contact(actor=actor(DAN), partner="MSF", name="Ada")
    registry.add_contact(actor=actor(DAN), partner="DWB", name="ada", email="ada@dwb.org")
    with Session(engine) as session:
        jane_id = session.exec(select(Contact.id).where(Contact.name == "Jane")).one()
        jane_copy = session.exec(select(Contact).where(Contact.name == "Jane D.")).one()
        for _ in range(3):
            touchpoint = Touchpoint(
                team_id=T1,
                partner_id=duplicate.facts.id,
                kind=TouchpointKind.DONE,
                at=registry.clock.now(),
                author_id=DAN,
                created_at=registry.clock.now(),
            )
            session.add(touchpoint)
            session.flush()
            assert touchpoint.id is not None and jane_copy.id is not None
            session.add(
                TouchpointContact(touchpoint_id=touchpoint.id, contact_id=jane_copy.id, team_id=T1)
            )
        session.commit()

    with pytest.raises(NotAllowed):  # Ben owns MSF but not the duplicate
        registry.merge(actor=actor(BEN), duplicate="DWB", kept="MSF")
    merged = registry.merge(actor=actor(ANA), duplicate="DWB", kept="MSF")

    assert merged.duplicate_name == "Doctors w/o Borders USA"
    assert merged.moved == {
        "aliases": 1,
        "contacts": 1,
        "contacts_merged": 2,
        "team": 2,
        "touchpoint": 3,
    }
    profile = registry.profile(team_id=T1, partner="Doctors w/o Borders USA")
    assert profile.facts.id == kept_id
    assert (profile.facts.owner_id, profile.facts.deputy_id) == (BEN, CHLOE)
    assert sorted(profile.members) == [ANA, DAN]
    # Aliases sort by their normalized form ("doctors without …" < "doctors wo borders usa").
    assert profile.aliases == ["Doctors Without Borders", "Doctors w/o Borders USA", "DWB", "MSF"]
    assert [(c.name, c.email) for c in profile.contacts] == [
        ("Ada", "ada@dwb.org"),
        ("Jane", "jane@msf.org"),
        ("Kurt", "kurt@dwb.org"),
    ]
    assert profile.facts.website_domain == "msf.org"
    with Session(engine) as session:
        assert session.get(Partner, duplicate.facts.id) is None
        touchpoints = session.exec(select(Touchpoint)).all()
        assert {t.partner_id for t in touchpoints} == {kept_id}
        # History about the duplicate's copy of Jane now points at the kept Jane.
        links = session.exec(select(TouchpointContact)).all()
        assert len(links) == 3 and {link.contact_id for link in links} == {jane_id}


def test_merge_refuses_a_partner_into_itself(registry: Registry) -> None:
    msf(registry)
    with pytest.raises(NothingToDo) as same:
        registry.merge(actor=actor(BEN), duplicate="MSF", kept="Doctors Without Borders")
    assert same.value.conflict is Conflict.SAME_PARTNER


def test_every_table_pointing_at_a_partner_survives_a_merge() -> None:
    """A later table whose rows must be unique per partner needs a merge rule, or a merge would
    fail on its constraint; a plain one is re-pointed without being listed anywhere."""
    for reference in store.references_to(Partner):
        unique_with_partner = [
            constraint
            for constraint in reference.table.constraints
            if isinstance(constraint, sa.UniqueConstraint)
            and constraint.columns.contains_column(reference.column)
        ] + [
            index
            for index in reference.table.indexes
            if index.unique and index.columns.contains_column(reference.column)
        ]
        if unique_with_partner:
            assert reference.table.name in MERGE_RULES, reference.table.name


# --- Contacts and the list ------------------------------------------------------------------


def test_contacts_are_de_duplicated_by_email_or_by_name_without_one(registry: Registry) -> None:
    msf(registry)
    first = registry.add_contact(
        actor=actor(DAN), partner="MSF", name="Jane Doe", email="Jane@MSF.org", title="CEO"
    )
    assert first.created and first.contact.email == "jane@msf.org"
    assert not registry.add_contact(
        actor=actor(CHLOE), partner="MSF", name="J. Doe", email="jane@msf.org"
    ).created
    assert registry.add_contact(actor=actor(CHLOE), partner="MSF", name="Kurt").created
    assert not registry.add_contact(actor=actor(CHLOE), partner="MSF", name="KURT").created
    with pytest.raises(BadValue):
        registry.add_contact(actor=actor(CHLOE), partner="MSF", name="Ann", email="ann@")


def test_a_contact_added_again_by_name_is_the_same_person_given_what_they_lacked(
    registry: Registry,
) -> None:
    msf(registry)
    registry.add_contact(actor=actor(DAN), partner="MSF", name="Jane Doe", email="jane@msf.org")
    again = registry.add_contact(actor=actor(CHLOE), partner="MSF", name="Dr. Jane Doé")
    assert not again.created and again.by_name and again.completed == ()
    assert again.contact.email == "jane@msf.org"
    # Another Jane Doe, with an email of her own, is another person.
    other = registry.add_contact(
        actor=actor(CHLOE), partner="MSF", name="Jane Doe", email="jane.doe@gmail.com"
    )
    assert other.created
    # Kurt, known by name only, is given the email and title he lacked, once.
    registry.add_contact(actor=actor(DAN), partner="MSF", name="Kurt")
    given = registry.add_contact(
        actor=actor(DAN), partner="MSF", name="KURT", email="kurt@msf.org", title="CFO"
    )
    assert not given.created and given.completed == ("email", "title")
    assert given.contact == ContactInfo("Kurt", "kurt@msf.org", "CFO")
    same = registry.add_contact(actor=actor(DAN), partner="MSF", name="Kurt", email="kurt@msf.org")
    assert not same.created and not same.by_name and same.completed == ()
    contacts = registry.profile(team_id=T1, partner="MSF").contacts
    assert sorted((c.name, c.email) for c in contacts) == [
        ("Jane Doe", "jane.doe@gmail.com"),
        ("Jane Doe", "jane@msf.org"),
        ("Kurt", "kurt@msf.org"),
    ]


def test_list_pages_and_scopes(clock: ManualClock, registry: Registry) -> None:
    for index in range(7):
        # Names this alike would ask "likely duplicate?" first.
        registry.add(
            actor=actor(BEN if index < 3 else DAN), name=f"Partner {index:02}", allow_similar=True
        )
    page = registry.page(team_id=T1, user_id=BEN, scope=ListScope.ALL, limit=5)
    assert [f.name for f in page.partners] == [f"Partner {i:02}" for i in range(5)]
    assert page.next_after is not None
    rest = registry.page(
        team_id=T1, user_id=BEN, scope=ListScope.ALL, after=page.next_after, limit=5
    )
    assert [f.name for f in rest.partners] == ["Partner 05", "Partner 06"]
    assert rest.next_after is None
    mine = registry.page(team_id=T1, user_id=BEN, scope=ListScope.MINE, limit=10)
    assert [f.name for f in mine.partners] == ["Partner 00", "Partner 01", "Partner 02"]
    assert set(mine.roles.values()) == {TeamRole.OWNER}
    registry.set_status(actor=actor(DAN), partner="Partner 06", status=PartnerStatus.ACTIVE)
    active = registry.page(team_id=T1, user_id=BEN, scope=PartnerStatus.ACTIVE, limit=10)
    assert [f.name for f in active.partners] == ["Partner 06"]


def test_a_single_letter_old_name_is_not_kept_as_an_alias(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review: `alias add "E"` is refused, yet renaming a partner registered as "E" before that
    rule (or merging it) kept "E" as its alias."""
    with monkeypatch.context() as patched:
        _generic_names_allowed(patched)
        registry.add(actor=actor(ANA), name="E")
        registry.add(actor=actor(ANA), name="D")
    renamed = registry.rename(actor=actor(ANA), partner="E", new_name="Energy Partners")
    assert not renamed.old_name_kept
    assert registry.profile(team_id=T1, partner="Energy Partners").aliases == []
    merged = registry.merge(actor=actor(ANA), duplicate="D", kept="Energy Partners")
    assert not merged.duplicate_name_kept
    assert registry.profile(team_id=T1, partner="Energy Partners").aliases == []
