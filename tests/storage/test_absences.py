"""Absence queries on the real database, each scoped to one workspace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage import absences
from storage.models import Absence

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _away(team_id: str, user_id: str, ends: datetime, *, summed: bool = False) -> Absence:
    return Absence(
        team_id=team_id,
        user_id=user_id,
        starts_at=ends - 3 * DAY,
        ends_at=ends,
        summed_up_at=ends if summed else None,
        created_at=ends - 4 * DAY,
    )


def test_back_not_summed_up_finds_only_this_workspaces_returns_still_to_sum_up(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        session.add_all(
            [
                _away("T1", "U0ANA", NOW - DAY),  # back since yesterday, not summed up
                _away("T1", "U0BEN", NOW - DAY, summed=True),  # summed up
                _away("T1", "U0CHLOE", NOW + DAY),  # still away
                _away("T1", "U0DAN", NOW - 10 * DAY),  # back too long ago to sum up
                _away("T2", "U0EVE", NOW - DAY),  # another workspace
            ]
        )
        session.commit()
        found = absences.back_not_summed_up(
            session=session,
            team_id="T1",
            user_ids=["U0ANA", "U0BEN", "U0CHLOE", "U0DAN", "U0EVE"],
            since=NOW - 7 * DAY,
            at=NOW,
        )
        assert found == {"U0ANA"}
        none = absences.back_not_summed_up(
            session=session, team_id="T1", user_ids=[], since=NOW - 7 * DAY, at=NOW
        )
        assert none == set()
