"""Touchpoint queries on the real database: one workspace at a time, the collision check's range
query on its index, pairs recorded once, intents answered once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage import partners as partner_store
from storage import touchpoints as store
from storage.models import IntentAnswer, Partner, TeamRole, TouchpointKind
from storage.touchpoints import AlertedPair, NewCollision

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
T1, T2 = "T1", "T2"


def add_partner(session: Session, team_id: str, name: str) -> int:
    partner = partner_store.insert_partner(
        session=session,
        team_id=team_id,
        name=name,
        key=name.lower(),
        created_by="U0ANA",
        created_at=NOW,
    )
    assert partner.id is not None
    partner_store.set_role(
        session=session,
        team_id=team_id,
        partner_id=partner.id,
        user_id="U0ANA",
        role=TeamRole.OWNER,
        now=NOW,
    )
    return partner.id


def add(
    session: Session,
    team_id: str,
    partner_id: int,
    *,
    days: float = 0,
    author: str = "U0BEN",
    kind: TouchpointKind = TouchpointKind.DONE,
    participants: tuple[str, ...] = (),
    contact_ids: tuple[int, ...] = (),
    key: str | None = None,
    day_only: bool = False,
) -> int | None:
    return store.insert_touchpoint(
        session=session,
        team_id=team_id,
        partner_id=partner_id,
        kind=kind,
        at=NOW + timedelta(days=days),
        day_only=day_only,
        medium="call",
        author_id=author,
        participants=participants,
        contact_ids=contact_ids,
        notes="notes",
        request_key=key,
        created_at=NOW,
    )


def test_neighbours_are_one_partners_range_in_one_workspace(engine: Engine) -> None:
    with Session(engine) as session:
        acme = add_partner(session, T1, "Acme")
        other = add_partner(session, T1, "Globex")
        elsewhere = add_partner(session, T2, "Acme")
        jane = store.insert_contact(
            session=session, team_id=T1, partner_id=acme, name="Jane", email=None, at=NOW
        )
        john = store.insert_contact(
            session=session, team_id=T1, partner_id=acme, name="John", email=None, at=NOW
        )
        inside = add(
            session, T1, acme, days=-3, participants=("U0DAN", "U0CHLOE"), contact_ids=(john, jane)
        )
        edge = add(session, T1, acme, days=14)
        add(session, T1, acme, days=14.01)
        add(session, T1, other, days=0)
        add(session, T2, elsewhere, days=0)
        new = add(session, T1, acme, days=0)
        found = store.neighbours(
            session=session,
            team_id=T1,
            partner_id=acme,
            start=NOW - timedelta(days=14),
            end=NOW + timedelta(days=14),
            exclude=new,
        )
    assert [row.id for row in found] == [inside, edge]
    first = found[0]
    assert first.participants == ("U0CHLOE", "U0DAN")
    assert first.colleagues == frozenset({"U0BEN", "U0CHLOE", "U0DAN"})
    # One row per participant and person at the partner, folded; the people in the order named.
    assert (first.contact_ids, first.contact_names) == ((john, jane), ("John", "Jane"))
    assert found[1].participants == ()


def test_the_collision_check_reads_a_range_of_its_index(engine: Engine) -> None:
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            # The tables are tiny here: make PostgreSQL show the plan it has for big ones.
            connection.exec_driver_sql("SET enable_seqscan = off")
        plan = " | ".join(
            store.explain_neighbours(
                connection=connection,
                team_id=T1,
                partner_id=1,
                start=NOW - timedelta(days=14),
                end=NOW,
            )
        )
    assert "ix_touchpoint_partner_time" in plan
    if engine.dialect.name == "sqlite":
        assert "(team_id=? AND partner_id=? AND at>? AND at<?)" in plan
        assert "SCAN touchpoint" not in plan


def test_touchpoints_by_id_read_their_primary_key(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's planner, without statistics, is the one tempted by team_id")
    for count in (1, 5, 12):  # from five ids on, it was tempted
        with engine.connect() as connection:
            sql = store._by_id(count).sqlite
            params = {"team_id": T1, **{f"id{n}": n for n in range(count)}}
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
        steps = [str(row[-1]) for row in plan]
        assert steps[0] == "SEARCH t USING INTEGER PRIMARY KEY (rowid=?)", (count, steps)


def test_a_request_key_records_one_touchpoint(engine: Engine) -> None:
    with Session(engine) as session:
        acme = add_partner(session, T1, "Acme")
        first = add(session, T1, acme, key="cmd:trigger-1", participants=("U0DAN",))
        again = add(session, T1, acme, key="cmd:trigger-1", participants=("U0DAN",))
        found = store.touchpoint_with_key(session=session, team_id=T1, request_key="cmd:trigger-1")
        assert (
            store.touchpoint_with_key(session=session, team_id=T2, request_key="cmd:trigger-1")
            is None
        )
    assert first is not None and again is None
    assert found is not None and found.id == first


def test_collisions_are_recorded_once_per_pair_and_found_from_either_side(engine: Engine) -> None:
    with Session(engine) as session:
        acme = add_partner(session, T1, "Acme")
        a, b, c = (add(session, T1, acme, days=day) for day in (0, 1, 2))
        assert a is not None and b is not None and c is not None
        store.insert_collisions(
            session=session,
            team_id=T1,
            partner_id=acme,
            later_id=b,
            found=[
                NewCollision(earlier_id=a, same_contact=True, alert_key="collision:b", news=True)
            ],
            detected_at=NOW,
            thread_key="collision:b",
            alerted_owner_id="U0ANA",
        )
        store.insert_collisions(
            session=session,
            team_id=T1,
            partner_id=acme,
            later_id=c,
            found=[
                NewCollision(earlier_id=a, same_contact=False, alert_key="collision:c", news=True),
                NewCollision(earlier_id=b, same_contact=False, alert_key=None, news=False),
            ],
            detected_at=NOW + timedelta(hours=3),
            thread_key="collision:b",
            alerted_owner_id="U0BEN",
        )
        # The pairs an alert reported (not b-c, recorded without one) with any of the given
        # touchpoints, from either side, with the owner each alert mentioned and its key; of
        # this workspace only.
        found = store.alerted_pairs(session=session, team_id=T1, touchpoint_ids=[a])
        assert sorted(found, key=lambda pair: pair.later_id) == [
            AlertedPair(a, b, "U0ANA", "collision:b"),
            AlertedPair(a, c, "U0BEN", "collision:c"),
        ]
        assert store.alerted_pairs(session=session, team_id=T1, touchpoint_ids=[c]) == [
            AlertedPair(a, c, "U0BEN", "collision:c")
        ]
        assert store.alerted_pairs(session=session, team_id=T1, touchpoint_ids=[]) == []
        assert store.alerted_pairs(session=session, team_id=T2, touchpoint_ids=[a, b, c]) == []
        assert store.collisions_found_by(session=session, team_id=T1, later_id=b) == [(a, True)]
        since = NOW - timedelta(hours=1)
        assert (
            store.thread_root(session=session, team_id=T1, partner_id=acme, since=since)
            == "collision:b"
        )
        later = NOW + timedelta(hours=1)
        assert store.thread_root(session=session, team_id=T1, partner_id=acme, since=later) is None
        with pytest.raises(Exception, match="(?i)unique"):
            store.insert_collisions(
                session=session,
                team_id=T1,
                partner_id=acme,
                later_id=b,
                found=[NewCollision(earlier_id=a, same_contact=False, alert_key=None, news=False)],
                detected_at=NOW,
                thread_key=None,
                alerted_owner_id=None,
            )


def test_the_last_contact_only_moves_forward(engine: Engine) -> None:
    with Session(engine) as session:
        acme = add_partner(session, T1, "Acme")
        store.note_contact(
            session=session, team_id=T1, partner_id=acme, at=NOW, by="U0BEN", day_only=False
        )
        store.note_contact(
            session=session,
            team_id=T1,
            partner_id=acme,
            at=NOW - timedelta(days=3),
            by="U0DAN",
            day_only=False,
        )
        store.note_contact(
            session=session, team_id=T2, partner_id=acme, at=NOW, by="U0EVE", day_only=False
        )
        session.commit()
        partner = session.get(Partner, acme)
    assert partner is not None
    assert (partner.last_contact_at, partner.last_contact_by) == (NOW, "U0BEN")


def test_a_contact_with_the_same_email_is_the_same_contact(engine: Engine) -> None:
    with Session(engine) as session:
        acme = add_partner(session, T1, "Acme")
        first = store.insert_contact(
            session=session, team_id=T1, partner_id=acme, name="Jane", email="j@acme.org", at=NOW
        )
        again = store.insert_contact(
            session=session, team_id=T1, partner_id=acme, name="J.", email="j@acme.org", at=NOW
        )
    assert first == again


def test_only_a_planned_touchpoint_of_the_workspace_is_rescheduled(engine: Engine) -> None:
    later = NOW + timedelta(days=8)
    with Session(engine) as session:
        acme = add_partner(session, T1, "Acme")
        planned = add(session, T1, acme, days=1, kind=TouchpointKind.PLANNED)
        done = add(session, T1, acme, days=-1)
        assert planned and done

        def reschedule(team_id: str, touchpoint_id: int) -> bool:
            return store.reschedule_planned(
                session=session, team_id=team_id, touchpoint_id=touchpoint_id, at=later
            )

        assert not reschedule(T2, planned)  # another workspace's id
        assert not reschedule(T1, done)  # what happened stays when it happened
        assert reschedule(T1, planned)
        rows = store.touchpoints_by_id(session=session, team_id=T1, ids=[planned, done])
    assert [row.at for row in rows] == [later, NOW - timedelta(days=1)]


def test_intents_are_answered_once_and_lapse_only_when_open(engine: Engine) -> None:
    with Session(engine) as session:
        acme = add_partner(session, T1, "Acme")
        elsewhere = add_partner(session, T2, "Acme")
        asked, answered, other, not_due = (
            add(session, team, partner, kind=TouchpointKind.INTENDED)
            for team, partner in ((T1, acme), (T1, acme), (T2, elsewhere), (T1, acme))
        )
        assert asked and answered and other and not_due
        for team, touchpoint_id, deadline in (
            (T1, asked, NOW),
            (T1, answered, NOW),
            (T2, other, NOW - timedelta(hours=1)),
            (T1, not_due, NOW + timedelta(hours=1)),
        ):
            store.set_intent(
                session=session,
                team_id=team,
                touchpoint_id=touchpoint_id,
                asked="U0ANA",
                deadline=deadline,
            )

        def answer(touchpoint_id: int, given: IntentAnswer, by: str | None = "U0ANA") -> bool:
            return store.answer_intent(
                session=session,
                team_id=T1,
                touchpoint_id=touchpoint_id,
                answer=given,
                by=by,
                at=NOW,
            )

        assert answer(answered, IntentAnswer.GO_AHEAD)
        assert not answer(answered, IntentAnswer.TALK_FIRST)
        assert not answer(answered, IntentAnswer.LAPSED, by=None)
        assert store.due_intents(session=session, now=NOW, limit=10) == [(T2, other), (T1, asked)]
        assert answer(asked, IntentAnswer.LAPSED, by=None)
        assert answer(asked, IntentAnswer.HANDLE_IT)  # a late answer still counts
        assert not answer(other, IntentAnswer.GO_AHEAD)  # another workspace's intent
        row = store.get_touchpoint(session=session, team_id=T1, touchpoint_id=asked)
    assert row is not None
    assert (row.intent_answer, row.intent_answered_by) == (IntentAnswer.HANDLE_IT, "U0ANA")


def test_touchpoints_of_counts_touchpoints_not_participants(engine: Engine) -> None:
    with Session(engine) as session:
        acme = add_partner(session, T1, "Acme")
        ids = [
            add(session, T1, acme, days=-day, participants=("U0CHLOE", "U0DAN")) for day in range(5)
        ]
        add(session, T1, acme, days=2, kind=TouchpointKind.PLANNED)
        recent = store.touchpoints_of(
            session=session,
            team_id=T1,
            partner_id=acme,
            kinds=[TouchpointKind.DONE],
            end=NOW,
            newest_first=True,
            limit=3,
        )
        planned = store.touchpoints_of(
            session=session, team_id=T1, partner_id=acme, kinds=[TouchpointKind.PLANNED], limit=3
        )
    assert [row.id for row in recent] == ids[:3]
    assert all(row.participants == ("U0CHLOE", "U0DAN") for row in recent)
    assert [row.kind for row in planned] == [TouchpointKind.PLANNED]


def test_touchpoints_of_a_day_only_start_and_an_author(engine: Engine) -> None:
    hour = 1 / 24  # of a day
    with Session(engine) as session:
        acme = add_partner(session, T1, "Acme")
        planned = TouchpointKind.PLANNED
        passed = add(session, T1, acme, days=-hour, kind=planned)
        today = add(session, T1, acme, days=-3 * hour, kind=planned, day_only=True)
        yesterday = add(session, T1, acme, days=-1, kind=planned, day_only=True)
        ahead = add(session, T1, acme, days=hour, kind=planned, author="U0CHLOE")

        def found(**query: Any) -> list[int]:
            rows = store.touchpoints_of(
                session=session,
                team_id=T1,
                partner_id=acme,
                kinds=[planned],
                limit=9,
                **query,
            )
            return [row.id for row in rows]

        assert found(start=NOW) == [ahead]
        day_start = NOW - 5 * timedelta(hours=1)
        assert found(start=NOW, day_only_start=day_start) == [today, ahead]
        assert found(start=NOW - timedelta(days=2), day_only_start=day_start) == [
            today,
            passed,
            ahead,
        ]
        assert found(start=NOW, day_only_start=NOW - timedelta(days=2)) == [yesterday, today, ahead]
        assert found(author_id="U0CHLOE") == [ahead]


def test_partners_named_like_a_prefix_of_a_name_word_or_alias(engine: Engine) -> None:
    with Session(engine) as session:
        msf = add_partner(session, T1, "Medecins Sans Frontieres")
        partner_store.insert_alias(
            session=session, team_id=T1, partner_id=msf, alias="MSF", key="msf"
        )
        add_partner(session, T1, "100% Fund")
        add_partner(session, T2, "Medecins du Monde")

        def like(key: str) -> list[str]:
            found = store.partners_named_like(session=session, team_id=T1, key=key, limit=10)
            return [label for _, _, label in found]

        assert like("med") == ["Medecins Sans Frontieres"]
        assert like("front") == ["Medecins Sans Frontieres"]
        assert like("ms") == ["MSF"]
        assert like("100%") == ["100% Fund"]
        assert like("_") == []


# --- A plan that didn't happen, and plans whose time has come -----------------------------------


def test_a_cancelled_plan_is_no_neighbour_and_is_put_back_by_a_move(engine: Engine) -> None:
    with Session(engine) as session:
        acme = add_partner(session, T1, "Acme")
        plan = add(session, T1, acme, days=-1, kind=TouchpointKind.PLANNED, author="U0CHLOE")
        log = add(session, T1, acme, days=-2)
        assert plan and log

        def around() -> list[int]:
            rows = store.neighbours(
                session=session,
                team_id=T1,
                partner_id=acme,
                start=NOW - timedelta(days=14),
                end=NOW + timedelta(days=14),
            )
            return [row.id for row in rows]

        assert not store.cancel_planned(session=session, team_id=T2, touchpoint_id=plan, at=NOW)
        assert not store.cancel_planned(session=session, team_id=T1, touchpoint_id=log, at=NOW)
        assert store.cancel_planned(session=session, team_id=T1, touchpoint_id=plan, at=NOW)
        assert around() == [log]
        (kept,) = store.touchpoints_by_id(session=session, team_id=T1, ids=[plan])
        assert kept.cancelled_at == NOW  # on record, as history
        assert [
            row.id
            for row in store.touchpoints_of(
                session=session,
                team_id=T1,
                partner_id=acme,
                kinds=[TouchpointKind.PLANNED],
                limit=5,
            )
        ] == [plan]
        assert (
            store.touchpoints_of(
                session=session,
                team_id=T1,
                partner_id=acme,
                kinds=[TouchpointKind.PLANNED],
                live_only=True,
                limit=5,
            )
            == []
        )
        assert store.restore_planned(session=session, team_id=T1, touchpoint_id=plan)
        assert around() == [log, plan]
        store.cancel_planned(session=session, team_id=T1, touchpoint_id=plan, at=NOW)
        later = NOW + timedelta(days=3)
        store.reschedule_planned(session=session, team_id=T1, touchpoint_id=plan, at=later)
        (moved,) = store.touchpoints_by_id(session=session, team_id=T1, ids=[plan])
    assert (moved.at, moved.cancelled_at) == (later, None)


def test_the_collision_check_still_reads_only_its_index_range(engine: Engine) -> None:
    # Leaving out plans that didn't happen adds no index and no scan: a filter on the rows read.
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("SET enable_seqscan = off")
        sql, _params = store.neighbours_sql(
            connection=connection, team_id=T1, partner_id=1, start=NOW, end=NOW
        )
        plan = " | ".join(
            store.explain_neighbours(
                connection=connection, team_id=T1, partner_id=1, start=NOW, end=NOW
            )
        )
    assert "cancelled_at IS NULL" in sql
    assert "ix_touchpoint_partner_time" in plan
    assert "ix_touchpoint_live_plan" not in plan


def last_contact(session: Session, partner_id: int) -> tuple[Any, ...]:
    partner = session.get(Partner, partner_id)
    assert partner is not None
    session.refresh(partner)
    return (partner.last_contact_at, partner.last_contact_by, partner.last_contact_day_only)


def test_unnoting_a_last_contact_falls_back_to_the_latest_that_still_counts(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        acme = add_partner(session, T1, "Acme")
        add(session, T1, acme, days=-5, author="U0DAN", day_only=True)  # a log
        add(session, T1, acme, days=-4, kind=TouchpointKind.PLANNED, author="U0BEN")  # passed
        add(session, T1, acme, days=2, kind=TouchpointKind.PLANNED, author="U0ANA")  # ahead
        add(session, T1, acme, days=-3, kind=TouchpointKind.INTENDED, author="U0EVE")
        gone = add(session, T1, acme, days=-1, kind=TouchpointKind.PLANNED, author="U0CHLOE")
        assert gone
        yesterday = NOW - timedelta(days=1)

        def note(at: datetime, by: str) -> None:
            store.note_contact(
                session=session, team_id=T1, partner_id=acme, at=at, by=by, day_only=False
            )

        def unnote(at: datetime, by: str, team_id: str = T1) -> None:
            store.unnote_contact(
                session=session, team_id=team_id, partner_id=acme, at=at, by=by, now=NOW
            )

        note(yesterday, "U0CHLOE")
        unnote(yesterday, "U0BEN")  # not the last contact: nothing changes
        unnote(yesterday, "U0CHLOE", team_id=T2)  # another workspace's partner
        assert last_contact(session, acme) == (yesterday, "U0CHLOE", False)
        store.cancel_planned(session=session, team_id=T1, touchpoint_id=gone, at=NOW)
        unnote(yesterday, "U0CHLOE")
        # Ben's plan, whose time came: neither the plan ahead nor the intent counts.
        assert last_contact(session, acme) == (NOW - timedelta(days=4), "U0BEN", False)
        unnote(NOW - timedelta(days=4), "U0BEN")  # (the plan itself still counts)
        assert last_contact(session, acme) == (NOW - timedelta(days=4), "U0BEN", False)


def test_the_only_contact_unnoted_leaves_none(engine: Engine) -> None:
    with Session(engine) as session:
        acme = add_partner(session, T1, "Acme")
        plan = add(session, T1, acme, days=-1, kind=TouchpointKind.PLANNED)
        assert plan
        at = NOW - timedelta(days=1)
        store.note_contact(
            session=session, team_id=T1, partner_id=acme, at=at, by="U0BEN", day_only=False
        )
        store.cancel_planned(session=session, team_id=T1, touchpoint_id=plan, at=NOW)
        store.unnote_contact(
            session=session, team_id=T1, partner_id=acme, at=at, by="U0BEN", now=NOW
        )
        assert last_contact(session, acme) == (None, None, False)


def test_passed_plans_are_the_live_ones_later_than_the_last_contact(engine: Engine) -> None:
    with Session(engine) as session:
        acme = add_partner(session, T1, "Acme")
        globex = add_partner(session, T1, "Globex")
        elsewhere = add_partner(session, T2, "Acme")
        early = add(session, T1, acme, days=-3, kind=TouchpointKind.PLANNED)
        late = add(session, T1, acme, days=-1, kind=TouchpointKind.PLANNED, day_only=True)
        add(session, T1, acme, days=1, kind=TouchpointKind.PLANNED)  # ahead
        old = add(session, T1, globex, days=-2, kind=TouchpointKind.PLANNED)
        gone = add(session, T1, globex, days=-1, kind=TouchpointKind.PLANNED)
        add(session, T1, globex, days=-1)  # a log: `note_contact` at once, not this
        add(session, T2, elsewhere, days=-1, kind=TouchpointKind.PLANNED)
        assert early and late and old and gone
        store.cancel_planned(session=session, team_id=T1, touchpoint_id=gone, at=NOW)
        store.note_contact(
            session=session,
            team_id=T1,
            partner_id=globex,
            at=NOW - timedelta(days=2),
            by="U0BEN",
            day_only=False,
        )
        since = NOW - timedelta(days=14)
        teams = store.teams_with_passed_plans(session=session, since=since, until=NOW)
        found = store.passed_plans(session=session, team_id=T1, since=since, until=NOW)
        following = store.next_plan_after(session=session, after=NOW)
    assert teams == [T1, T2]
    assert [(plan.partner_id, plan.at, plan.day_only) for plan in found] == [
        (acme, NOW - timedelta(days=3), False),
        (acme, NOW - timedelta(days=1), True),
    ]
    assert following == NOW + timedelta(days=1)


def test_the_passed_plans_look_across_workspaces_reads_its_partial_index(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's plan: PostgreSQL picks by statistics")
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + store._TEAMS_WITH_PASSED_PLANS.sqlite,
            {"since": "2026-11-01 00:00:00.000000", "until": "2026-11-25 00:00:00.000000"},
        ).all()
    plan = " | ".join(str(row[-1]) for row in rows)
    assert "ix_touchpoint_live_plan" in plan
