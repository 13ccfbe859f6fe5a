"""Queries of `storage.health`: weekly snapshots written once, what feeds the score read for many
partners at once, a week's activity, and never a row of another workspace."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot import health as rules
from storage import health as store
from storage import touchpoints as touchpoint_store
from storage.health import ClosedCommitments, RoundTurnout, SnapshotScores
from storage.models import (
    CheckIn,
    CheckInAnswer,
    Commitment,
    CommitmentStatus,
    Partner,
    PartnerStatus,
    Touchpoint,
    TouchpointKind,
)
from tests.factories import (
    checkin,
    collides,
    collision,
    pulse_round,
    revolving_door,
    touchpoint,
)

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
# How far before a window its pairs are read (the service reads 90 days).
WEEKS = timedelta(weeks=8)
WEEK = date(2026, 11, 23)


def partner(engine: Engine, team_id: str, name: str, **fields: object) -> int:
    with Session(engine) as session:
        row = Partner(
            team_id=team_id,
            name=name,
            normalized_name=name.lower(),
            created_by="U0ANA",
            created_at=fields.pop("created_at", NOW),  # type: ignore[arg-type]
            **fields,  # type: ignore[arg-type]
        )
        session.add(row)
        session.commit()
        assert row.id is not None
        return row.id


def scores(value: int) -> SnapshotScores:
    return SnapshotScores(
        score=value, pulse=None, checkins=value, commitments=None, cadence=100, collisions=None
    )


def collision_events(
    *,
    session: Session,
    team_id: str,
    partner_ids: Collection[int] | None,
    start: datetime,
    end: datetime | None = None,
) -> dict[int, list[int]]:
    """The touchpoints of each partner's collision events (`bot.health.collision_events`) among
    the pairs stored (no plan followed up by a log here)."""
    pairs = store.collision_pairs(
        session=session, team_id=team_id, partner_ids=partner_ids, since=start - WEEKS, end=end
    )
    touches = touchpoint_store.touchpoints_by_id(
        session=session,
        team_id=team_id,
        ids=sorted({i for pair in pairs for i in (pair.earlier_id, pair.later_id)}),
    )
    authors = {t.id: t.author_id for t in touches}
    return rules.collision_events(pairs, same={}, authors=authors, start=start, end=end)


def event_counts(**query: Any) -> dict[int, int]:
    """How many collision events each partner had (`collision_events` gives their touchpoints)."""
    return {partner: len(ids) for partner, ids in collision_events(**query).items()}


def without_snapshot(session: Session, team_id: str) -> list[int]:
    """Who lacks this week's snapshot, the week taken as beginning an hour after `NOW`."""
    return store.partners_without_snapshot(
        session=session,
        team_id=team_id,
        week_start=WEEK,
        registered_before=NOW + timedelta(hours=1),
    )


def test_a_weeks_snapshot_is_written_once_and_found_per_workspace(engine: Engine) -> None:
    acme = partner(engine, "T1", "Acme")
    partner(engine, "T1", "Ended", status=PartnerStatus.ENDED)
    partner(engine, "T1", "Newcomer", created_at=NOW + timedelta(hours=1))
    other = partner(engine, "T2", "Acme")
    with Session(engine) as session:
        assert without_snapshot(session, "T1") == [acme]
        added = store.insert_snapshots(
            session=session, team_id="T1", week_start=WEEK, scores={acme: scores(80)}, taken_at=NOW
        )
        again = store.insert_snapshots(
            session=session, team_id="T1", week_start=WEEK, scores={acme: scores(10)}, taken_at=NOW
        )
        session.commit()
        assert (added, again) == (1, 0)
        assert without_snapshot(session, "T1") == []
        assert without_snapshot(session, "T2") == [other]
        (row,) = store.snapshots_of(session=session, team_id="T1", partner_id=acme, since=WEEK)
        assert (row.score, row.checkins, row.cadence, row.pulse) == (80, 80, 100, None)
        assert store.snapshots_of(session=session, team_id="T2", partner_id=acme, since=WEEK) == []


def test_what_feeds_the_score_is_counted_per_partner_within_the_workspace(
    engine: Engine,
) -> None:
    acme, globex = partner(engine, "T1", "Acme"), partner(engine, "T1", "Globex")
    other = partner(engine, "T2", "Acme")
    for team_id, partner_id in (("T1", acme), ("T2", other)):
        checkin(engine, team_id, partner_id, CheckInAnswer.WENT_WELL, NOW - timedelta(days=3))
        checkin(engine, team_id, partner_id, CheckInAnswer.PROBLEM, NOW - timedelta(days=3))
        collision(engine, team_id, partner_id, NOW - timedelta(days=1))
    checkin(engine, "T1", acme, CheckInAnswer.MOVED, NOW - timedelta(days=2))
    checkin(engine, "T1", globex, CheckInAnswer.PROBLEM, NOW - timedelta(days=30))
    since = NOW - timedelta(days=90)
    with Session(engine) as session:
        assert store.checkin_answers(
            session=session, team_id="T1", partner_ids=None, since=since
        ) == {acme: {"went_well": 1, "problem": 1}, globex: {"problem": 1}}
        assert store.checkin_answers(
            session=session, team_id="T1", partner_ids=[globex], since=since
        ) == {globex: {"problem": 1}}
        recent = NOW - timedelta(days=14)
        assert store.problems_since(
            session=session, team_id="T1", partner_ids=None, since=recent
        ) == {acme: 1}
        assert store.touchpoint_counts(
            session=session, team_id="T1", partner_ids=None, start=since
        ) == {acme: 5, globex: 1}
        assert event_counts(session=session, team_id="T1", partner_ids=None, start=since) == {
            acme: 1
        }
        assert (
            event_counts(
                session=session,
                team_id="T1",
                partner_ids=None,
                start=since,
                end=NOW - timedelta(days=2),
            )
            == {}
        )
        # An answer changed to Problem counts from when it was changed.
        (late,) = session.exec(
            select(CheckIn).where(CheckIn.meeting_at == NOW - timedelta(days=30))
        ).all()
        late.changed_at = NOW
        session.add(late)
        session.flush()
        assert store.problems_since(
            session=session, team_id="T1", partner_ids=None, since=recent
        ) == {acme: 1, globex: 1}


def test_a_collision_event_is_a_touchpoint_that_collided_counted_once(engine: Engine) -> None:
    acme, globex = partner(engine, "T1", "Acme"), partner(engine, "T1", "Globex")
    other = partner(engine, "T2", "Acme")
    # Four colleagues in touch with Acme one after the other: 6 colliding pairs, 3 events.
    *_, ana = revolving_door(
        engine, "T1", acme, NOW - timedelta(days=1), people=["U0BEN", "U0CHLOE", "U0DAN", "U0ANA"]
    )
    revolving_door(engine, "T2", other, NOW - timedelta(days=1), people=["U0BEN", "U0DAN"])
    collision(engine, "T1", globex, NOW - timedelta(days=10))
    week = NOW - timedelta(days=7)
    with Session(engine) as session:
        assert event_counts(session=session, team_id="T1", partner_ids=None, start=week) == {
            acme: 3
        }
        assert event_counts(
            session=session, team_id="T1", partner_ids=[globex], start=week - timedelta(days=7)
        ) == {globex: 1}
        assert event_counts(session=session, team_id="T2", partner_ids=None, start=week) == {
            other: 1
        }
        # Ana's contact found one more collision later (say, an earlier contact recorded after
        # it): it set off the alarm in the week it first collided, not again.
        late = touchpoint(session, "T1", acme, NOW - timedelta(days=20), by="U0ELI")
        collides(session, "T1", acme, ana, earlier=[late], detected_at=NOW)
        session.flush()
        assert event_counts(session=session, team_id="T1", partner_ids=[acme], start=NOW) == {}
        assert event_counts(session=session, team_id="T1", partner_ids=[acme], start=week) == {
            acme: 3
        }


def test_a_collision_its_people_knew_of_already_is_no_event(engine: Engine) -> None:
    """The alarm records it but does not alert it (`known`): no revolving door either."""
    acme = partner(engine, "T1", "Acme")
    with Session(engine) as session:
        ben = touchpoint(session, "T1", acme, NOW, by="U0BEN")
        chloe = touchpoint(session, "T1", acme, NOW, by="U0CHLOE")
        collides(session, "T1", acme, chloe, earlier=[ben], detected_at=NOW, news=False)
        session.flush()
        week = NOW - timedelta(days=7)
        assert event_counts(session=session, team_id="T1", partner_ids=None, start=week) == {}
        dan = touchpoint(session, "T1", acme, NOW, by="U0DAN")
        collides(session, "T1", acme, dan, earlier=[ben, chloe], detected_at=NOW)
        session.flush()
        assert event_counts(session=session, team_id="T1", partner_ids=None, start=week) == {
            acme: 1
        }


def test_the_latest_closed_round_and_its_aggregates(engine: Engine) -> None:
    acme, globex = partner(engine, "T1", "Acme"), partner(engine, "T1", "Globex")
    pulse_round(engine, "T1", acme, [(5, 5, 5, 5)], closed_at=NOW - timedelta(days=60))
    pulse_round(engine, "T1", acme, [(2, 3, None, 4), (4, 3, 1, 4)], closed_at=NOW)
    pulse_round(engine, "T2", partner(engine, "T2", "Acme"), [(1, 1, 1, 1)], closed_at=NOW)
    with Session(engine) as session:
        latest = store.latest_closed_rounds(session=session, team_id="T1", partner_ids=None)
        assert set(latest) == {acme} and latest[acme].closed_at == NOW
        assert latest[acme].respondents == 2
        assert globex not in latest
        round_id = latest[acme].id
        assert round_id is not None
        tallies = store.round_tallies(session=session, team_id="T1", round_ids=[round_id])
        assert {q: (t.count, t.total) for q, t in tallies[round_id].items()} == {
            1: (2, 6),
            2: (2, 6),
            3: (1, 1),
            4: (2, 8),
        }
        assert store.round_tallies(session=session, team_id="T2", round_ids=[round_id]) == {}


def test_a_weeks_activity(engine: Engine) -> None:
    start, end = NOW - timedelta(days=7), NOW
    acme = partner(engine, "T1", "Acme", created_at=NOW - timedelta(days=2))
    partner(engine, "T1", "Old", created_at=NOW - timedelta(days=30))
    partner(engine, "T2", "Elsewhere", created_at=NOW - timedelta(days=2))
    pulse_round(
        engine, "T1", acme, [(4, 4, 4, 4)] * 3, closed_at=NOW - timedelta(days=1), invited=4
    )
    with Session(engine) as session:
        touchpoint(session, "T1", acme, NOW - timedelta(days=1))
        touchpoint(session, "T1", acme, NOW - timedelta(days=10))  # recorded before the week
        for status, closed in (
            (CommitmentStatus.DONE, NOW - timedelta(days=1)),
            (CommitmentStatus.DROPPED, NOW - timedelta(days=3)),
            (CommitmentStatus.DONE, NOW - timedelta(days=9)),
            (CommitmentStatus.OPEN, None),
        ):
            session.add(
                Commitment(
                    team_id="T1",
                    partner_id=acme,
                    side="us",
                    owner_id="U0BEN",
                    what="x",
                    due_on=date(2026, 11, 20),
                    status=status,
                    created_by="U0BEN",
                    created_at=NOW - timedelta(days=20),
                    due_set_at=NOW - timedelta(days=20),
                    closed_at=closed,
                )
            )
        session.commit()
        assert store.partners_added(session=session, team_id="T1", start=start, end=end) == ["Acme"]
        assert store.touchpoint_counts(
            session=session,
            team_id="T1",
            partner_ids=None,
            start=start,
            end=end,
            by_created=True,
            kinds=[TouchpointKind.DONE],
        ) == {acme: 1}
        assert store.commitments_closed(session=session, team_id="T1", start=start, end=end) == {
            acme: ClosedCommitments(late=1, dropped=1)  # closed without `on_time`: late
        }
        assert store.round_turnouts(session=session, team_id="T1", start=start, end=end) == {
            acme: RoundTurnout(rounds=1, invited=4, respondents=3)
        }
        assert store.round_turnouts(session=session, team_id="T2", start=start, end=end) == {}


def test_a_merge_moves_the_duplicates_weeks_the_kept_partner_lacks(engine: Engine) -> None:
    gone, kept = partner(engine, "T1", "Gone"), partner(engine, "T1", "Kept")
    with Session(engine) as session:
        for week, ids in ((WEEK - timedelta(weeks=1), [gone]), (WEEK, [gone, kept])):
            store.insert_snapshots(
                session=session,
                team_id="T1",
                week_start=week,
                scores={partner_id: scores(50 if partner_id == gone else 90) for partner_id in ids},
                taken_at=NOW,
            )
        assert store.fold_snapshots(session=session, team_id="T1", from_id=gone, into_id=kept) == 1
        rows = store.snapshots_of(
            session=session, team_id="T1", partner_id=kept, since=WEEK - timedelta(weeks=4)
        )
        assert [(row.week_start, row.score) for row in rows] == [
            (WEEK - timedelta(weeks=1), 50),
            (WEEK, 90),
        ]
        assert store.snapshots_of(session=session, team_id="T1", partner_id=gone, since=WEEK) == []


def test_a_plan_that_did_not_happen_is_no_collision_and_no_touchpoint(engine: Engine) -> None:
    acme = partner(engine, "T1", "Acme")
    ben, chloe, dan = revolving_door(
        engine, "T1", acme, NOW - timedelta(days=1), people=["U0BEN", "U0CHLOE", "U0DAN"]
    )
    week = NOW - timedelta(days=7)

    def counts(session: Session) -> tuple[dict[int, int], dict[int, int]]:
        events = event_counts(session=session, team_id="T1", partner_ids=None, start=week)
        touches = store.touchpoint_counts(
            session=session, team_id="T1", partner_ids=None, start=week
        )
        return events, touches

    def didnt_happen(session: Session, touchpoint_id: int) -> None:
        row = session.get(Touchpoint, touchpoint_id)
        assert row is not None
        row.kind = TouchpointKind.PLANNED
        session.add(row)
        session.flush()
        assert touchpoint_store.cancel_planned(
            session=session, team_id="T1", touchpoint_id=touchpoint_id, at=NOW
        )

    with Session(engine) as session:
        assert counts(session) == ({acme: 2}, {acme: 3})
        # Ben's plan (the first) didn't happen: Chloe's contact collided with it alone, so it
        # set off no alarm any more; Dan's still collided with Chloe's.
        didnt_happen(session, ben)
        assert counts(session) == ({acme: 1}, {acme: 2})
        assert collision_events(session=session, team_id="T1", partner_ids=None, start=week) == {
            acme: [dan]
        }
        didnt_happen(session, chloe)
        assert counts(session) == ({}, {acme: 1})
