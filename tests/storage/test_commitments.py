"""Commitment and cadence queries on the real database: one workspace never sees another's rows,
closing is first-wins, unsent reminders can be cancelled, merged cadence rows read as one."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.delivery.outbox import enqueue
from storage import commitments as store
from storage.commitments import CadenceRow, CommitmentFilter
from storage.models import (
    Commitment,
    CommitmentStatus,
    OutboxMessage,
    OutboxStatus,
    Partner,
    PartnerCadence,
    PartnerStatus,
)

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
DUE = date(2026, 12, 4)


def partner(session: Session, team_id: str, name: str, **fields: object) -> int:
    row = Partner(
        team_id=team_id,
        name=name,
        normalized_name=name.lower(),
        created_by="U1",
        created_at=NOW,
        **fields,  # type: ignore[arg-type]
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def commit(
    session: Session, team_id: str, partner_id: int, *, key: str | None = None, due: date = DUE
) -> int | None:
    return store.insert_commitment(
        session=session,
        team_id=team_id,
        partner_id=partner_id,
        side="us",
        owner_id="U1",
        what="the deck",
        due_on=due,
        created_by="U1",
        now=NOW,
        request_key=key,
    )


def test_a_request_key_is_used_once(engine: Engine) -> None:
    with Session(engine) as session:
        acme = partner(session, "T1", "Acme")
        first = commit(session, "T1", acme, key="cmd:1")
        assert first is not None
        assert commit(session, "T1", acme, key="cmd:1") is None
        found = store.commitment_with_key(session=session, team_id="T1", request_key="cmd:1")
        assert found is not None and found.id == first
        assert store.commitment_with_key(session=session, team_id="T2", request_key="cmd:1") is None


def numbers(session: Session, team_id: str) -> list[int | None]:
    statement = select(Commitment.number).where(Commitment.team_id == team_id)
    return sorted(session.exec(statement).all(), key=lambda number: number or 0)


def test_each_workspace_numbers_its_commitments_from_one(engine: Engine) -> None:
    with Session(engine) as session:
        acme, other = partner(session, "T1", "Acme"), partner(session, "T2", "Acme")
        first, second = commit(session, "T1", acme), commit(session, "T1", acme)
        theirs = commit(session, "T2", other)
        # A Slack retry's insert is rolled back by its caller, number and all.
        commit(session, "T2", other, key="cmd:1")
        session.commit()
        assert commit(session, "T2", other, key="cmd:1") is None
        session.rollback()
        later = commit(session, "T2", other)
        # Seeded through the ORM, without a number: it gets the next one all the same.
        session.add(
            Commitment(
                team_id="T1",
                partner_id=acme,
                side="us",
                owner_id="U1",
                what="x",
                due_on=DUE,
                created_by="U1",
                created_at=NOW,
                due_set_at=NOW,
            )
        )
        session.commit()
        assert numbers(session, "T1") == [1, 2, 3]
        assert numbers(session, "T2") == [1, 2, 3]
        by_number = store.commitment_id_by_number
        assert by_number(session=session, team_id="T1", number=1) == first
        assert by_number(session=session, team_id="T1", number=2) == second
        assert by_number(session=session, team_id="T2", number=1) == theirs
        assert by_number(session=session, team_id="T2", number=3) == later
        assert by_number(session=session, team_id="T3", number=1) is None


def test_two_commitments_recorded_at_once_in_a_workspace_get_the_next_two_numbers(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        acme = partner(session, "T1", "Acme")
        commit(session, "T1", acme)
        session.commit()
    first_inserted = threading.Event()
    errors: list[BaseException] = []

    def record(wait: bool) -> None:
        try:
            with Session(engine) as session:
                if wait:
                    first_inserted.wait(5)
                commit(session, "T1", acme)
                if not wait:
                    first_inserted.set()
                    # Still uncommitted while the other transaction inserts its own.
                    threading.Event().wait(0.3)
                session.commit()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
            first_inserted.set()

    threads = [threading.Thread(target=record, args=(wait,)) for wait in (False, True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    with Session(engine) as session:
        assert numbers(session, "T1") == [1, 2, 3]


def test_closing_is_first_wins_and_moving_needs_an_open_one(engine: Engine) -> None:
    with Session(engine) as session:
        number = commit(session, "T1", partner(session, "T1", "Acme"))
        assert number is not None

        def close(team_id: str, by: str) -> bool:
            return store.close_commitment(
                session=session,
                team_id=team_id,
                commitment_id=number,
                status=CommitmentStatus.DONE,
                by=by,
                at=NOW,
                on_time=True,
            )

        assert not close("T2", "U9")
        assert close("T1", "U2")
        assert not close("T1", "U3")
        assert not store.set_due(
            session=session, team_id="T1", commitment_id=number, due_on=DUE, at=NOW
        )
        row = store.get_commitment(session=session, team_id="T1", commitment_id=number)
        assert row is not None and (row.status, row.closed_by) == ("done", "U2")
        assert store.get_commitment(session=session, team_id="T2", commitment_id=number) is None


def test_why_a_commitment_was_closed_is_kept_with_it(engine: Engine) -> None:
    with Session(engine) as session:
        number = commit(session, "T1", partner(session, "T1", "Acme"))
        assert number is not None
        why = "no longer needed — “the board” said so"
        assert store.close_commitment(
            session=session,
            team_id="T1",
            commitment_id=number,
            status=CommitmentStatus.DROPPED,
            by="U2",
            at=NOW,
            on_time=None,
            note=why,
        )
        session.commit()
        row = store.get_commitment(session=session, team_id="T1", commitment_id=number)
        assert row is not None and (row.status, row.close_note) == ("dropped", why)


def test_filters_counts_and_tallies_stay_in_their_workspace(engine: Engine) -> None:
    with Session(engine) as session:
        acme, other = partner(session, "T1", "Acme"), partner(session, "T2", "Acme")
        for due in (date(2026, 12, 1), DUE, date(2026, 12, 9)):
            commit(session, "T1", acme, due=due)
        commit(session, "T2", other)
        early = CommitmentFilter(status=CommitmentStatus.OPEN, due_before=DUE)
        assert [
            row.due_on for row in store.commitments(session=session, team_id="T1", where=early)
        ] == [date(2026, 12, 1)]
        assert store.commitment_count(session=session, team_id="T1", where=CommitmentFilter()) == 3
        (tally,) = store.tallies(session=session, team_id="T2", partner_ids=None)
        assert (tally.partner_id, tally.status, tally.count) == (other, "open", 1)
        page = store.due_for_reminders(session=session, until=date(2027, 1, 1), after=None, limit=3)
        assert [(row.team_id, row.due_on) for row in page] == [
            ("T1", date(2026, 12, 1)),
            ("T1", DUE),
            ("T2", DUE),
        ]
        last = page[-1]
        assert last.id is not None
        rest = store.due_for_reminders(
            session=session, until=date(2027, 1, 1), after=(last.due_on, last.id), limit=3
        )
        assert [row.due_on for row in rest] == [date(2026, 12, 9)]


def test_only_unsent_messages_with_the_prefix_are_cancelled(engine: Engine) -> None:
    with Session(engine) as session:
        for team_id, key in (
            ("T1", "commitment:1:due"),
            ("T1", "commitment:12:due"),
            ("T2", "commitment:1:due"),
        ):
            enqueue(
                session,
                team_id=team_id,
                kind="commitment_reminder",
                recipient_user="U1",
                text="reminder",
                due_at=NOW,
                dedupe_key=key,
                respect_working_hours=False,
            )
        assert store.cancel_unsent(session=session, team_id="T1", key_prefix="commitment:1:") == 1
        statuses = {
            (row.team_id, row.dedupe_key): row.status for row in session.exec(select(OutboxMessage))
        }
    assert statuses == {
        ("T1", "commitment:1:due"): OutboxStatus.CANCELLED,
        ("T1", "commitment:12:due"): OutboxStatus.PENDING,
        ("T2", "commitment:1:due"): OutboxStatus.PENDING,
    }


def test_several_cadence_rows_of_a_partner_read_as_one(engine: Engine) -> None:
    later = NOW + timedelta(days=1)
    with Session(engine) as session:
        acme = partner(session, "T1", "Acme")
        session.add(
            PartnerCadence(
                team_id="T1",
                partner_id=acme,
                ideal_days=7,
                max_days=14,
                changed_by="U1",
                changed_at=NOW,
            )
        )
        session.add(
            PartnerCadence(
                team_id="T1",
                partner_id=acme,
                snoozed_until=later,
                changed_by="U2",
                changed_at=later,
            )
        )
        session.flush()
        assert store.partner_cadences(session=session, team_id="T1", partner_ids=[acme]) == {
            acme: CadenceRow(ideal_days=7, max_days=14, snoozed_until=later)
        }
        assert store.partner_cadences(session=session, team_id="T2", partner_ids=None) == {}
        store.save_partner_cadence(
            session=session,
            team_id="T1",
            partner_id=acme,
            cadence=CadenceRow(ideal_days=5, max_days=9, snoozed_until=None),
            by="U3",
            at=later,
        )
        assert len(session.exec(select(PartnerCadence)).all()) == 1


@pytest.mark.parametrize(("days_quiet", "listed"), [(29, False), (30, True), (31, True)])
def test_quiet_partners(engine: Engine, days_quiet: int, listed: bool) -> None:
    with Session(engine) as session:
        acme = partner(session, "T1", "Acme", last_contact_at=NOW - timedelta(days=days_quiet))
        partner(session, "T1", "Paused", status=PartnerStatus.PAUSED)
        partner(session, "T2", "Elsewhere")
        found = store.quiet_partners(
            session=session,
            team_id="T1",
            statuses=["prospect", "active"],
            quiet_since=NOW - timedelta(days=30),
        )
        assert [row.id for row in found] == ([acme] if listed else [])
        assert store.workspaces_with_partners(session=session) == ["T1", "T2"]


def test_closed_ones_latest_first_and_reopened_in_their_workspace_only(engine: Engine) -> None:
    with Session(engine) as session:
        acme, other = partner(session, "T1", "Acme"), partner(session, "T2", "Acme")
        ids = [commit(session, "T1", acme) for _ in range(3)] + [commit(session, "T2", other)]
        for minutes, (index, status) in enumerate(
            ((0, CommitmentStatus.DONE), (1, CommitmentStatus.DROPPED), (3, CommitmentStatus.DONE))
        ):
            commitment_id = ids[index]
            assert commitment_id is not None
            assert store.close_commitment(
                session=session,
                team_id="T2" if index == 3 else "T1",
                commitment_id=commitment_id,
                status=status,
                by="U2",
                at=NOW + timedelta(minutes=minutes),
                on_time=True if status is CommitmentStatus.DONE else None,
                note="why",
            )
        closed = CommitmentFilter(statuses=["done", "dropped"])
        found = store.recently_closed(session=session, team_id="T1", where=closed, limit=5)
        assert [row.id for row in found] == [ids[1], ids[0]]
        dropped = CommitmentFilter(statuses=["dropped"])
        assert store.commitment_count(session=session, team_id="T1", where=dropped) == 1
        first = ids[0]
        assert first is not None
        assert not store.reopen_commitment(session=session, team_id="T2", commitment_id=first)
        assert store.reopen_commitment(session=session, team_id="T1", commitment_id=first)
        assert not store.reopen_commitment(session=session, team_id="T1", commitment_id=first)
        session.expire_all()  # the rows read above, as the database has them now
        row = store.get_commitment(session=session, team_id="T1", commitment_id=first)
        assert row is not None
        assert (row.status, row.closed_by, row.closed_at, row.on_time, row.close_note) == (
            "open",
            None,
            None,
            None,
            None,
        )
        found = store.recently_closed(session=session, team_id="T1", where=closed, limit=5)
        assert [row.id for row in found] == [ids[1]]
