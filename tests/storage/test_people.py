"""Profile-cache queries on the real database, each scoped to one workspace."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import ManualClock
from storage import people
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
