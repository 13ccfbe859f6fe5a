"""The per-process name index: updated in place by its own changes, rebuilt after another
replica's, built in the background for big workspaces."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import ManualClock
from bot.naming import Match
from bot.services.partner_names import PartnerNames
from bot.services.registry import Actor, Registry

T1 = "T1"


def lookup(names: PartnerNames, engine: Engine, query: str) -> list[Match]:
    with Session(engine) as session:
        return names.lookup(session, team_id=T1, query=query)


def test_own_changes_update_the_index_in_place(engine: Engine, clock: ManualClock) -> None:
    names = PartnerNames()
    registry = Registry(engine=engine, clock=clock, names=names)
    registry.add(actor=Actor(T1, "U1"), name="Oxfam International")
    assert [m.label for m in lookup(names, engine, "Oxfam Internationl")] == ["Oxfam International"]
    assert names.cached_version(T1) == 1
    registry.add_aliases(actor=Actor(T1, "U1"), partner="Oxfam International", aliases=["OI"])
    # Applied to the index at commit: it is at the new version before any lookup rebuilds it.
    assert names.cached_version(T1) == 2
    assert lookup(names, engine, "O.I.")[0].exact


def test_another_replica_sees_changes_through_the_version(
    engine: Engine, clock: ManualClock
) -> None:
    here, there = PartnerNames(), PartnerNames()
    Registry(engine=engine, clock=clock, names=here).add(actor=Actor(T1, "U1"), name="Oxfam")
    assert lookup(there, engine, "Oxfam")[0].exact
    Registry(engine=engine, clock=clock, names=here).rename(
        actor=Actor(T1, "U1"), partner="Oxfam", new_name="Oxfam International"
    )
    # `there` never heard of the rename; the bumped version makes it rebuild.
    assert [m.label for m in lookup(there, engine, "Oxfam Internationale")] == [
        "Oxfam International"
    ]


def test_a_big_workspace_is_indexed_in_the_background(engine: Engine, clock: ManualClock) -> None:
    registry = Registry(engine=engine, clock=clock, names=PartnerNames())
    registry.add(actor=Actor(T1, "U1"), name="Oxfam International")
    names = PartnerNames(sync_build_limit=0)
    assert lookup(names, engine, "Oxfam Internationl") == []  # exact answers only, for now
    names.wait_for_builds()
    assert [m.label for m in lookup(names, engine, "Oxfam Internationl")] == ["Oxfam International"]


def test_known_keys_come_from_the_index_built_once_and_kept_in_step_here(
    engine: Engine, clock: ManualClock
) -> None:
    names = PartnerNames()
    registry = Registry(engine=engine, clock=clock, names=names)
    registry.add(actor=Actor(T1, "U1"), name="People with Disabilities Fund")
    wanted = {"people with disabilities fund", "doctors on call"}
    assert names.known_keys(engine, team_id=T1, keys=wanted) == {"people with disabilities fund"}
    registry.add(actor=Actor(T1, "U1"), name="Doctors on Call")
    assert names.known_keys(engine, team_id=T1, keys=wanted) == wanted
    # A large workspace's index is built in the background: the database answers meanwhile.
    building = PartnerNames(sync_build_limit=0)
    assert building.known_keys(engine, team_id=T1, keys=wanted) == wanted
    building.wait_for_builds()  # before the database is torn down under the build


def test_candidates_are_near_misses_else_the_names_a_query_starts_or_shortens(
    engine: Engine, clock: ManualClock
) -> None:
    names = PartnerNames()
    registry = Registry(engine=engine, clock=clock, names=names)
    registry.add(actor=Actor(T1, "U1"), name="Oxfam International", aliases=["Oxfam"])
    registry.add(actor=Actor(T1, "U1"), name="Oxfam Novib", allow_similar=True)

    def candidates(query: str) -> list[str]:
        with Session(engine) as session:
            found = names.candidates(session, team_id=T1, query=query)
        return [match.label for match in found]

    def duplicates(name: str) -> list[str]:
        with Session(engine) as session:
            found = names.likely_duplicates(session, team_id=T1, name=name)
        return [match.label for match in found]

    assert candidates("Oxfamm") == ["Oxfam"]  # a typo of the alias
    assert candidates("Oxfam Intl") == ["Oxfam International"]  # a short form of the name
    assert duplicates("Oxfam Intl") == ["Oxfam International"]
    assert candidates("Oxfam Nov") == ["Oxfam Novib"]
    registry.add(actor=Actor(T1, "U1"), name="Save the Children Fund")
    assert candidates("Save the Children") == ["Save the Children Fund"]  # the start of a name
    # In a longer name, as the longer one is asked about when the shorter is registered.
    assert duplicates("Save the Children") == ["Save the Children Fund"]
    assert duplicates("Save the Children Fund UK") == ["Save the Children Fund"]  # contains it
    assert candidates("Oxfam Germany") == []
    registry.add(actor=Actor(T1, "U1"), name="Caribbean Housing Fund")
    assert candidates("Care") == []  # it abbreviates "Caribbean", not the name
    registry.add(actor=Actor(T1, "U1"), name="Rotary Club 01")
    assert duplicates("Rotary Club 02") == []  # another chapter


def test_offers_asks_the_index_as_it_is(engine: Engine, clock: ManualClock) -> None:
    names = PartnerNames()
    registry = Registry(engine=engine, clock=clock, names=names)
    registry.add(actor=Actor(T1, "U1"), name="Doctors on Call")
    assert names.offers(engine, team_id=T1, query="Docters on Call")
    assert not names.offers(engine, team_id=T1, query="Doctors on blursday")
    registry.add(actor=Actor(T1, "U1"), name="Help via Phone")  # kept in step here
    assert names.offers(engine, team_id=T1, query="Halp via Phone")
    # While a large workspace's first index is built, nothing is offered.
    building = PartnerNames(sync_build_limit=0)
    assert not building.offers(engine, team_id=T1, query="Docters on Call")
    building.wait_for_builds()  # before the database is torn down under the build
    assert building.offers(engine, team_id=T1, query="Docters on Call")
