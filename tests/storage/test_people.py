"""Profile-cache queries on the real database, each scoped to one workspace."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import ManualClock
from storage import people, upsert
from tests.factories import Colleague, save_colleagues

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_zones_of_gives_the_cached_zones_of_one_workspace_and_leaves_out_the_unknown(
    engine: Engine,
) -> None:
    clock = ManualClock(NOW)
    save_colleagues(
        engine,
        clock,
        team_id="T1",
        colleagues=[Colleague("U0ANA", tz="Europe/Berlin"), Colleague("U0BEN", tz="")],
    )
    save_colleagues(engine, clock, team_id="T2", colleagues=[Colleague("U0CHLOE", tz="Asia/Tokyo")])
    with Session(engine) as session:
        found = people.zones_of(
            session=session, team_id="T1", user_ids=["U0ANA", "U0BEN", "U0CHLOE", "U0DAN"]
        )
        assert people.zones_of(session=session, team_id="T1", user_ids=[]) == {}
    # Ben's profile has no zone; Chloe is known in another workspace only; Dan never looked up.
    assert found.keys() == {"U0ANA", "U0BEN"}
    assert found["U0ANA"] == "Europe/Berlin"
    assert not found["U0BEN"]


def _facts(n: int, *, tz: str = "Europe/Berlin", admin: bool = False) -> people.ProfileFacts:
    return people.ProfileFacts(
        user_id=f"U{n:05d}",
        name=f"person{n}",
        real_name=None,
        tz=tz,
        is_admin=admin,
        is_deleted=False,
    )


def test_save_profiles_stores_many_at_once_and_overwrites_what_was_cached(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # More people than one statement carries (500 here), some already cached with other facts,
    # one given twice (the last word counts), and the same people in another workspace left
    # alone.
    for dialect in ("sqlite", "postgresql"):
        monkeypatch.setitem(upsert._PARAMETERS, dialect, 500 * 8)
    later = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    with Session(engine) as session:
        people.save_profiles(
            session=session, team_id="T1", profiles=[_facts(1), _facts(2)], fetched_at=NOW
        )
        people.save_profiles(session=session, team_id="T2", profiles=[_facts(1)], fetched_at=NOW)
        session.commit()
    batch = [_facts(n, tz="Asia/Tokyo") for n in range(1, 1_201)]
    batch.append(_facts(2, tz="America/New_York", admin=True))
    with Session(engine) as session:
        people.save_profiles(session=session, team_id="T1", profiles=batch, fetched_at=later)
        session.commit()
    with Session(engine) as session:
        zones = people.zones_of(
            session=session, team_id="T1", user_ids=[f"U{n:05d}" for n in range(1, 1_202)]
        )
        second = people.get_profile(session=session, team_id="T1", user_id="U00002")
        elsewhere = people.get_profile(session=session, team_id="T2", user_id="U00001")
    assert len(zones) == 1_200
    assert zones["U00001"] == "Asia/Tokyo"
    assert zones["U00002"] == "America/New_York"
    assert second is not None and second.is_admin
    assert second.fetched_at.replace(tzinfo=UTC) == later
    assert elsewhere is not None and elsewhere.tz == "Europe/Berlin"


def test_people_of_another_organisation_are_remembered_but_never_taken_for_colleagues(
    engine: Engine,
) -> None:
    # Jane is a partner's admin met in a Slack Connect channel; Ana a colleague and admin here.
    jane = replace(_facts(1, admin=True), external=True)
    with Session(engine) as session:
        people.save_profiles(
            session=session, team_id="T1", profiles=[jane, _facts(2, admin=True)], fetched_at=NOW
        )
        people.save_profiles(session=session, team_id="T2", profiles=[_facts(1)], fetched_at=NOW)
        session.commit()
    both = ["U00001", "U00002"]
    with Session(engine) as session:
        assert people.external_people(session=session, team_id="T1", user_ids=both) == {"U00001"}
        assert people.external_people(session=session, team_id="T2", user_ids=both) == set()
        assert people.zones_of(session=session, team_id="T1", user_ids=both).keys() == {"U00002"}
        assert people.get_profiles(session=session, team_id="T1", user_ids=both).keys() == {
            "U00002"
        }
        assert people.get_profile(session=session, team_id="T1", user_id="U00001") is None
        assert people.cached_slack_admins(session=session, team_id="T1") == ["U00002"]
        # Asked for by name (to name her in a refusal, to tell her apart), she is there.
        remembered = people.get_profile(
            session=session, team_id="T1", user_id="U00001", external=True
        )
        assert remembered is not None and remembered.external
        found = people.get_profiles(session=session, team_id="T1", user_ids=both, external=True)
        assert found.keys() == set(both)
        # Another workspace's cache is its own: there she is a colleague.
        assert people.get_profile(session=session, team_id="T2", user_id="U00001") is not None
    # Slack says she has joined this workspace: the mark goes with the next answer.
    with Session(engine) as session:
        people.save_profiles(session=session, team_id="T1", profiles=[_facts(1)], fetched_at=NOW)
        session.commit()
        assert people.external_people(session=session, team_id="T1", user_ids=both) == set()
