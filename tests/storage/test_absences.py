"""Absence queries on the real database, each scoped to one workspace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage import absences
from storage.models import Absence, Partner, TeamMembership, TeamRole

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


def test_covered_between_finds_the_time_away_someone_covers_in_their_own_workspace(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        for team_id in ("T1", "T2"):
            acme = Partner(
                team_id=team_id,
                name="Acme",
                normalized_name="acme",
                created_by="U0ANA",
                created_at=NOW,
            )
            session.add(acme)
            session.flush()
            assert acme.id is not None
            session.add_all(
                [
                    TeamMembership(
                        team_id=team_id,
                        partner_id=acme.id,
                        user_id="U0ANA",
                        role=TeamRole.OWNER,
                        added_at=NOW,
                    ),
                    TeamMembership(
                        team_id=team_id,
                        partner_id=acme.id,
                        user_id="U0DAN",
                        role=TeamRole.DEPUTY,
                        added_at=NOW,
                    ),
                ]
            )
        session.add_all(
            [
                _away("T1", "U0ANA", NOW + 3 * DAY),  # Dan deputises for her partner
                _away("T1", "U0BEN", NOW + 2 * DAY),
                _away("T1", "U0CHLOE", NOW + 20 * DAY),  # later: no overlap
                _away("T2", "U0ANA", NOW + 3 * DAY),  # another workspace
                _away("T1", "U0DAN", NOW + 3 * DAY),  # his own
            ]
        )
        session.flush()
        ben = session.exec(select(Absence).where(Absence.user_id == "U0BEN")).one()
        ben.deputy_id = "U0DAN"  # Ben named him for his time away
        session.commit()
        found = absences.covered_between(
            session=session, team_id="T1", user_id="U0DAN", start=NOW, end=NOW + 3 * DAY
        )
        assert [(each.owner_id, each.partner) for each in found] == [
            ("U0BEN", None),
            ("U0ANA", "Acme"),
        ]
        assert found[1].ends_at == NOW + 3 * DAY
