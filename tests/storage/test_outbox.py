"""The outbox table and its queries: idempotent enqueue in the caller's transaction, claims,
and the marks of sends, handed to the database without waiting for its answer."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from functools import partial
from typing import Any

import pytest
import sqlalchemy as sa
from psycopg import pq
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from bot.delivery.outbox import enqueue
from storage import outbox as store
from storage.models import OutboxMessage, OutboxStatus, Partner
from storage.sql import DRIVER_ERRORS, Driver

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
TEAM = "T1"


def add(session: Session, key: str, *, due_at: datetime = NOW, team_id: str = TEAM) -> bool:
    return enqueue(
        session,
        team_id=team_id,
        kind="alert",
        recipient_channel="C1",
        text=f"about {key}",
        blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": key}}],
        due_at=due_at,
        dedupe_key=key,
        respect_working_hours=False,
    )


def count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(OutboxMessage)).one()


def dm(session: Session, key: str, *, to: str = "U1", team_id: str = TEAM) -> None:
    enqueue(
        session, team_id=team_id, kind="note", recipient_user=to, text=key, due_at=NOW,
        dedupe_key=key, respect_working_hours=False,
    )  # fmt: skip


def mark_sending(session: Session, key: str) -> None:
    """As a dispatcher's claim leaves the row: being sent."""
    session.execute(
        sa.update(OutboxMessage)
        .where(col(OutboxMessage.dedupe_key) == key)
        .values(status=OutboxStatus.SENDING)
    )


def test_enqueue_is_idempotent_on_the_dedupe_key(engine: Engine) -> None:
    with Session(engine) as session:
        assert add(session, "collision:7") is True
        assert add(session, "collision:7", due_at=NOW + timedelta(days=1)) is False
        session.commit()
    with Session(engine) as session:
        assert add(session, "collision:7") is False
        session.commit()
        stored = store.get_message(session=session, team_id=TEAM, dedupe_key="collision:7")
        assert stored is not None
        assert stored.due_at == NOW  # the first one stands
        assert stored.blocks[0]["text"]["text"] == "collision:7"
    assert count(engine) == 1


def test_enqueue_commits_or_rolls_back_with_the_callers_transaction(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(
            Partner(
                team_id=TEAM, name="Acme", normalized_name="acme", created_by="U1", created_at=NOW
            )
        )
        add(session, "touchpoint:1")
        session.rollback()
    assert count(engine) == 0
    with Session(engine) as session:
        partner = Partner(
            team_id=TEAM, name="Acme", normalized_name="acme", created_by="U1", created_at=NOW
        )
        session.add(partner)
        add(session, "touchpoint:1")
        # A duplicate does not abort the transaction (PostgreSQL would, after an IntegrityError).
        add(session, "touchpoint:1")
        session.commit()
    assert count(engine) == 1


def test_the_same_key_in_two_workspaces_is_two_messages(engine: Engine) -> None:
    with Session(engine) as session:
        assert add(session, "digest:2026-11-30")
        assert add(session, "digest:2026-11-30", team_id="T2")
        session.commit()
    assert count(engine) == 2


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"recipient_user": None}, "exactly one of"),
        ({"recipient_channel": "C1"}, "exactly one of"),
        ({"due_at": NOW.replace(tzinfo=None)}, "aware"),
        ({"dedupe_key": "k" * 201}, "dedupe_key"),
        ({"text": " "}, "text"),
        ({"blocks": [{"type": "divider"}] * 51}, "at most 50 blocks"),
        ({"thread_of_dedupe_key": "a", "edit_of_dedupe_key": "a"}, "replies to .* or edits it"),
    ],
)
def test_enqueue_refuses_what_can_never_be_sent(
    engine: Engine, change: dict[str, Any], problem: str
) -> None:
    message: dict[str, Any] = {
        "team_id": TEAM,
        "kind": "x",
        "recipient_user": "U1",
        "text": "t",
        "due_at": NOW,
        "dedupe_key": "k",
        "respect_working_hours": False,
        **change,
    }
    with Session(engine) as session, pytest.raises(ValueError, match=problem):
        enqueue(session, **message)


def test_the_table_insists_on_one_recipient(engine: Engine) -> None:
    with Session(engine) as session, pytest.raises(sa.exc.IntegrityError):
        session.add(
            OutboxMessage(
                team_id=TEAM, kind="x", text="t", dedupe_key="k", due_at=NOW, available_at=NOW,
                created_at=NOW, recipient_user="U1", recipient_channel="C1",
            )
        )  # fmt: skip
        session.commit()


def claim(
    session: Session,
    token: str,
    *,
    limit: int = 10,
    now: datetime = NOW,
    lease_now: datetime | None = None,
) -> list[int]:
    """Claim as a dispatcher acting at `now` whose wall clock says `lease_now` (`now` too,
    unless it acts at another moment, as `liaison tick --at` does)."""
    lease_now = lease_now or now
    rows = store.claim_due(
        session=session,
        now=now,
        lease_now=lease_now,
        lease_until=lease_now + timedelta(minutes=2),
        token=token,
        limit=limit,
    )
    session.commit()
    return [row.id for row in rows]


def test_claims_take_due_rows_once_oldest_first(engine: Engine) -> None:
    with Session(engine) as session:
        for n in range(5):
            add(session, f"m{n}", due_at=NOW - timedelta(minutes=n))
        add(session, "later", due_at=NOW + timedelta(seconds=1))
        session.commit()
    with Session(engine) as session:
        first = claim(session, "a", limit=3)
        second = claim(session, "b", limit=10)
        third = claim(session, "c")
    assert len(first) == 3 and len(second) == 2 and third == []
    assert set(first).isdisjoint(second)
    with Session(engine) as session:
        keys = [
            m.dedupe_key
            for m in session.exec(select(OutboxMessage).where(OutboxMessage.claim_token == "a"))
        ]
    assert sorted(keys) == ["m2", "m3", "m4"]  # the longest waiting


def test_a_claim_acting_ahead_takes_rows_due_by_then_but_leases_by_the_wall_clock(
    engine: Engine,
) -> None:
    ahead = NOW + timedelta(days=30)
    with Session(engine) as session:
        add(session, "claimed", due_at=NOW)
        add(session, "next-week", due_at=NOW + timedelta(days=7))
        add(session, "too-late", due_at=ahead + timedelta(seconds=1))
        session.commit()
        (claimed,) = claim(session, "live", limit=1)  # a live process holds it for 2 minutes

        # `tick --at` a month ahead, a minute later: what falls due by then, not the live lease.
        taken = claim(session, "tick", now=ahead, lease_now=NOW + timedelta(minutes=1))
        assert claimed not in taken and len(taken) == 1
        (leased,) = session.exec(select(OutboxMessage).where(OutboxMessage.id == taken[0]))
        # Its own lease runs by the wall clock too, not until a month from now.
        assert leased.available_at == NOW + timedelta(minutes=3)
        # Once the live process's lease has run out (and not the tick's), `serve` takes its row.
        later = NOW + timedelta(minutes=2, seconds=30)
        assert claim(session, "serve", now=later) == [claimed]


@pytest.fixture(params=["transaction", "autocommit"])
def marking(request: pytest.FixtureRequest, engine: Engine) -> Iterator[Session]:
    """Where marks are recorded: a caller's transaction, or autocommit as the dispatcher's
    (handed over without waiting on PostgreSQL)."""
    if request.param == "autocommit":
        yield request.getfixturevalue("autocommit")
        return
    with Session(engine) as session:
        yield session


def test_a_lost_claim_cannot_record_a_send(engine: Engine, marking: Session) -> None:
    session = marking
    add(session, "m")
    session.commit()
    (message_id,) = claim(session, "first")
    # The lease runs out and another dispatcher takes the row.
    assert claim(session, "second", now=NOW + timedelta(minutes=3)) == [message_id]
    stale = store.mark_sent(
        session=session, message_id=message_id, token="first", channel="C1", ts="1.0",
        sent_at=NOW,
    ).result()  # fmt: skip
    fresh = store.mark_sent(
        session=session, message_id=message_id, token="second", channel="C1", ts="2.0",
        sent_at=NOW,
    ).result()  # fmt: skip
    session.commit()
    stored = store.get_message(session=session, team_id=TEAM, dedupe_key="m")
    assert (stale, fresh) == (False, True)
    assert stored is not None
    assert (stored.status, stored.sent_ts, stored.attempts) == ("sent", "2.0", 1)
    assert stored.sent_at == NOW and stored.claim_token is None


def test_cancel_unsent_takes_one_key_exactly_or_a_prefix_and_spares_what_went(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        for key in ("checkin:5", "checkin:50", "checkin:5:reminder", "checkin:6"):
            add(session, key)
        add(session, "checkin:5", team_id="T2")
        session.commit()
        claim(session, "dispatcher", limit=1)  # checkin:5 of T1 is being sent
        assert store.cancel_unsent(session=session, team_id=TEAM, dedupe_key="checkin:5") == 0
        assert store.cancel_unsent(session=session, team_id=TEAM, dedupe_key="checkin:50") == 1
        assert store.cancel_unsent(session=session, team_id=TEAM, key_prefix="checkin:5:") == 1
        with pytest.raises(ValueError):
            store.cancel_unsent(session=session, team_id=TEAM)
        session.commit()
        statuses = {
            (row.team_id, row.dedupe_key): row.status for row in session.exec(select(OutboxMessage))
        }
    assert statuses == {
        (TEAM, "checkin:5"): OutboxStatus.SENDING,
        (TEAM, "checkin:50"): OutboxStatus.CANCELLED,
        (TEAM, "checkin:5:reminder"): OutboxStatus.CANCELLED,
        (TEAM, "checkin:6"): OutboxStatus.PENDING,
        ("T2", "checkin:5"): OutboxStatus.PENDING,
    }


def test_only_cancelled_messages_under_one_key_or_a_prefix_are_forgotten(engine: Engine) -> None:
    """One query serves a reminder queued afresh (its key, cancelled for one reason) and a
    reopened commitment (every message withdrawn under its prefix, whatever the reason)."""
    with Session(engine) as session:
        for key in ("commitment:1:due", "commitment:1:before", "commitment:12:due", "c:1_x"):
            add(session, key)
        add(session, "commitment:1:due", team_id="T2")
        add(session, "commitment:1:sent")
        session.commit()
        claim(session, "dispatcher", limit=1)  # commitment:1:due of T1 is being sent
        for key in ("commitment:1:due", "commitment:12:due", "c:1_x"):
            store.cancel_unsent(session=session, team_id=TEAM, dedupe_key=key, reason="ended")
        store.cancel_unsent(session=session, team_id=TEAM, dedupe_key="commitment:1:before")
        store.cancel_unsent(session=session, team_id="T2", key_prefix="commitment:")
        forget = partial(store.forget_cancelled, session=session, team_id=TEAM)
        assert forget(dedupe_key="commitment:12:due", reason="other") == 0
        assert forget(dedupe_key="commitment:12:due", reason="ended") == 1
        assert forget(key_prefix="c:1%") == 0  # a prefix is matched as typed
        assert forget(key_prefix="commitment:1:") == 1  # the one being sent stays
        with pytest.raises(ValueError):
            forget()
        session.commit()
        left = {(row.team_id, row.dedupe_key) for row in session.exec(select(OutboxMessage))}
    assert left == {
        (TEAM, "commitment:1:due"),
        (TEAM, "commitment:1:sent"),
        (TEAM, "c:1_x"),
        ("T2", "commitment:1:due"),
    }


def test_keys_starting_with_a_prefix_are_read_whatever_their_state(engine: Engine) -> None:
    with Session(engine) as session:
        for key in ("note:5:revived:1", "note:5:revived:2", "note:50:revived:1", "note_5:x"):
            add(session, key)
        add(session, "note:5:revived:3", team_id="T2")
        store.cancel_unsent(session=session, team_id=TEAM, dedupe_key="note:5:revived:1")
        session.commit()
        found = store.keys_starting(session=session, team_id=TEAM, prefix="note:5:")
        assert sorted(found) == ["note:5:revived:1", "note:5:revived:2"]
        # A prefix is matched as typed: "_" and "%" are no wildcards.
        assert store.keys_starting(session=session, team_id=TEAM, prefix="note_") == ["note_5:x"]


def test_the_latest_row_with_a_prefix_and_the_one_before_a_row_stay_in_their_workspace(
    engine: Engine,
) -> None:
    """`before_id`: the note a commitment's close note followed (it was `note_before`)."""
    with Session(engine) as session:
        add(session, "commitment:1:changed:c", team_id="T2")  # queued first, in another workspace
        for key in ("commitment:1:changed:a", "commitment:1:changed:b", "commitment:10:x"):
            add(session, key)
        store.cancel_unsent(session=session, team_id=TEAM, dedupe_key="commitment:1:changed:a")
        session.commit()

        def latest(before_id: int | None = None, team_id: str = TEAM) -> str | None:
            found = store.latest_with_prefix(
                session=session,
                team_id=team_id,
                key_prefix="commitment:1:changed:",
                before_id=before_id,
            )
            return None if found is None else found.dedupe_key

        last = store.get_message(session=session, team_id=TEAM, dedupe_key="commitment:1:changed:b")
        first = store.get_message(
            session=session, team_id=TEAM, dedupe_key="commitment:1:changed:a"
        )
        assert last is not None and first is not None
        assert latest() == "commitment:1:changed:b"
        assert latest(before_id=last.id) == "commitment:1:changed:a"  # cancelled, still read
        assert latest(before_id=first.id) is None
        assert latest(team_id="T2") == "commitment:1:changed:c"
        assert latest(before_id=last.id, team_id="T2") == "commitment:1:changed:c"


def test_unsent_notes_to_a_person_are_cancelled_by_key_or_numbered_prefix(engine: Engine) -> None:
    dropped = ["note:5", "note:5:revived:1", "note:5:revived:12", "note:5:revived:20261126T0930"]
    kept = ["note:6", "note:50:revived:1", "note:5:revived", "note:5:revivedx:1"]
    kept.append("noteX5:revived:1")  # "_" in a prefix is no wildcard
    with Session(engine) as session:
        for key in dropped + kept:
            dm(session, key)
        dm(session, "note:5:revived:3", to="U2")  # someone else's
        dm(session, "note:5:revived:4", team_id="T2")
        dm(session, "note:5:revived:2")
        session.commit()
        mark_sending(session, "note:5:revived:2")  # one being sent stays
        cancelled = store.cancel_unsent_to(
            session=session, team_id=TEAM, user_id="U1", dedupe_keys=["note:5"],
            numbered=["note:5:revived:", "note_5:revived:"], reason="in touch since",
        )  # fmt: skip
        assert cancelled == len(dropped)
        # Numbered prefixes alone, for anyone.
        assert store.cancel_unsent_to(
            session=session, team_id=TEAM, user_id=None, dedupe_keys=[],
            numbered=["note:5:revived:"], reason="in touch since",
        ) == 1  # fmt: skip
        session.commit()
        found = {
            (row.team_id, row.dedupe_key): (row.status, row.last_error)
            for row in session.exec(select(OutboxMessage))
        }
    pending, sending = (OutboxStatus.PENDING, None), (OutboxStatus.SENDING, None)
    assert found == {
        **{(TEAM, key): (OutboxStatus.CANCELLED, "in touch since") for key in dropped},
        **{(TEAM, key): pending for key in kept},
        (TEAM, "note:5:revived:3"): (OutboxStatus.CANCELLED, "in touch since"),
        ("T2", "note:5:revived:4"): pending,
        (TEAM, "note:5:revived:2"): sending,
    }


def test_every_unsent_dm_to_people_elsewhere_is_cancelled_in_their_workspace_only(
    engine: Engine,
) -> None:
    with Session(engine) as session:
        dm(session, "owner", to="U1")
        dm(session, "checkin", to="U2")
        dm(session, "sending", to="U1")
        dm(session, "colleague", to="U3")
        dm(session, "other-workspace", to="U1", team_id="T2")
        add(session, "channel")
        session.commit()
        mark_sending(session, "sending")
        assert store.cancel_unsent_dms(session=session, team_id=TEAM, user_ids=[], reason="x") == 0
        cancelled = store.cancel_unsent_dms(
            session=session, team_id=TEAM, user_ids=["U1", "U2"], reason="elsewhere"
        )
        session.commit()
        found = {
            row.dedupe_key: (row.status, row.last_error)
            for row in session.exec(select(OutboxMessage))
        }
    assert cancelled == 2
    pending = (OutboxStatus.PENDING, None)
    assert found == {
        "owner": (OutboxStatus.CANCELLED, "elsewhere"),
        "checkin": (OutboxStatus.CANCELLED, "elsewhere"),
        "sending": (OutboxStatus.SENDING, None),
        "colleague": pending,
        "other-workspace": pending,
        "channel": pending,
    }


def test_the_latest_placed_of_some_keys_is_read_by_key_in_its_workspace(engine: Engine) -> None:
    with Session(engine) as session:
        for key in ("alert:1", "alert:2", "alert:3"):
            add(session, key)
        add(session, "alert:4", team_id="T2")
        session.commit()
        placed = store.latest_placed(
            session=session, team_id=TEAM, dedupe_keys=["alert:1", "alert:2", "alert:4"]
        )
        assert placed == store.Placed("alert:2", OutboxStatus.PENDING, "C1")
        assert store.latest_placed(session=session, team_id=TEAM, dedupe_keys=["alert:4"]) is None
        assert store.latest_placed(session=session, team_id=TEAM, dedupe_keys=[]) is None


def test_the_sent_time_reads_back_exactly(engine: Engine, autocommit: Session) -> None:
    berlin = timezone(timedelta(hours=1))
    sent_at = datetime(2026, 11, 25, 10, 0, 1, 123_456, tzinfo=berlin)
    with Session(engine) as session:
        add(session, "m")
        session.commit()
    (message_id,) = claim(autocommit, "t")
    # In autocommit, as the dispatcher marks: on PostgreSQL the values cross as libpq text.
    assert store.mark_sent(
        session=autocommit, message_id=message_id, token="t", channel="C1", ts="1.0",
        sent_at=sent_at,
    ).result()  # fmt: skip
    with Session(engine) as session:
        stored = store.get_message(session=session, team_id=TEAM, dedupe_key="m")
        # Ordered and compared like every other time column (the mark is hand-written SQL).
        later = session.exec(
            select(func.count())
            .select_from(OutboxMessage)
            .where(col(OutboxMessage.sent_at) > sent_at - timedelta(microseconds=1))
        ).one()
    assert stored is not None and stored.sent_at == sent_at.astimezone(UTC)
    assert (stored.sent_channel, stored.sent_ts, stored.held, stored.last_error) == (
        "C1",
        "1.0",
        False,
        None,
    )
    assert later == 1


def mark(session: Session, message_id: int, token: str) -> store.PendingMark:
    return store.mark_sent(
        session=session, message_id=message_id, token=token, channel="C1", ts="1.0", sent_at=NOW
    )


def status_of(engine: Engine, key: str) -> str:
    """The row's status as another connection sees it."""
    with Session(engine) as session:
        stored = store.get_message(session=session, team_id=TEAM, dedupe_key=key)
        assert stored is not None
        return stored.status


def test_a_mark_commits_on_its_own_before_its_answer_is_read(
    engine: Engine, autocommit: Session
) -> None:
    with Session(engine) as session:
        add(session, "m")
        session.commit()
    (message_id,) = claim(autocommit, "t")

    pending = mark(autocommit, message_id, "t")

    if engine.dialect.name == "postgresql":
        # Handed over: the statement is the server's, and its answer is still to be read.
        pgconn = Driver(autocommit).connection.pgconn
        assert pgconn.transaction_status == pq.TransactionStatus.ACTIVE
    deadline = time.monotonic() + 10
    while status_of(engine, "m") != OutboxStatus.SENT:
        assert time.monotonic() < deadline, "the mark was not committed without its answer"
        time.sleep(0.01)
    assert pending.result() is True
    assert pending.result() is True  # asked again, it says the same
    # The connection is free again for the dispatcher's next statement.
    assert claim(autocommit, "t") == []


def test_marks_handed_over_one_after_another_commit_without_waiting_for_earlier_answers(
    engine: Engine, autocommit: Session
) -> None:
    # The dispatcher hands over one mark per send and reads each answer only once it has come.
    with Session(engine) as session:
        for key in ("a", "b", "c", "d"):
            add(session, key)
        session.commit()
    a, b, c, d = claim(autocommit, "t")
    postgresql = engine.dialect.name == "postgresql"

    marks = [
        mark(autocommit, a, "t"),
        mark(autocommit, b, "another dispatcher's"),  # the claim was lost
        # Refused by PostgreSQL (sent_ts holds 32 characters); SQLite does not check lengths.
        store.mark_sent(
            session=autocommit, message_id=c, token="t", channel="C1", ts="1" * 40, sent_at=NOW
        ),
        mark(autocommit, d, "t"),
    ]

    deadline = time.monotonic() + 10
    while (
        status_of(engine, "a") != OutboxStatus.SENT or status_of(engine, "d") != OutboxStatus.SENT
    ):
        assert time.monotonic() < deadline, "the marks were not committed without their answers"
        time.sleep(0.01)
    while not marks[-1].ready():
        assert time.monotonic() < deadline, "the answers never came"
        time.sleep(0.01)
    assert all(pending.ready() for pending in marks)  # in the order handed over
    assert marks[0].result() is True
    assert marks[1].result() is False
    if postgresql:
        with pytest.raises(store.MarkNotRecorded, match="too long"):
            marks[2].result()
        assert status_of(engine, "c") == OutboxStatus.SENDING
    else:
        assert marks[2].result() is True
    assert marks[3].result() is True
    assert status_of(engine, "b") == OutboxStatus.SENDING
    # The connection is free again for the dispatcher's next statement.
    assert claim(autocommit, "t") == []


def test_a_mark_in_a_transaction_commits_or_rolls_back_with_it(engine: Engine) -> None:
    with Session(engine) as session:
        add(session, "m")
        session.commit()
        (message_id,) = claim(session, "t")
        assert mark(session, message_id, "t").result() is True
        session.rollback()
    assert status_of(engine, "m") == OutboxStatus.SENDING


def test_a_mark_the_database_refuses_raises_from_its_result_and_frees_the_session(
    engine: Engine, autocommit: Session, refuse_marks: Callable[[], None]
) -> None:
    with Session(engine) as session:
        add(session, "m")
        add(session, "n")
        session.commit()
    first, second = claim(autocommit, "t")

    pending = mark(autocommit, first, "t")  # handing over does not raise

    with pytest.raises(store.MarkNotRecorded, match="marks refused") as raised:
        pending.result()
    assert isinstance(raised.value.__cause__, DRIVER_ERRORS)
    with pytest.raises(store.MarkNotRecorded):
        pending.result()
    # The row is still held, to come back once its lease runs out, and the session goes on.
    assert status_of(engine, "m") == OutboxStatus.SENDING
    released = store.release(
        session=autocommit, message_ids=[first, second], token="t", available_at=NOW
    )
    assert released == 2


def test_listings_show_rows_by_status_without_bodies(engine: Engine) -> None:
    with Session(engine) as session:
        add(session, "queued")
        add(session, "failed")
        add(session, "elsewhere", team_id="T2")
        session.commit()
        ids = claim(session, "t")
        failed_id = next(i for i in ids if session.get(OutboxMessage, i).dedupe_key == "failed")  # type: ignore[union-attr]
        store.finish(
            session=session,
            message_id=failed_id,
            token="t",
            status=OutboxStatus.FAILED,
            reason="chat.postMessage: not_in_channel",
            attempted=True,
        )
        store.release(session=session, message_ids=ids, token="t", available_at=NOW)
        session.commit()
        queued = store.deliveries_by_status(
            session=session, statuses=[OutboxStatus.PENDING], limit=10
        )
        failed = store.failed_deliveries(session=session, team_id=TEAM, limit=10)
    assert sorted(row.team_id for row in queued) == ["T1", "T2"]
    (only,) = failed
    assert (only.kind, only.recipient, only.attempts) == ("alert", "C1", 1)
    assert only.last_error == "chat.postMessage: not_in_channel"
    assert not hasattr(only, "text")


def test_a_channel_refuses_while_its_latest_delivery_failed_since_it_was_chosen(
    engine: Engine,
) -> None:
    def set_status(session: Session, key: str, status: OutboxStatus, error: str | None) -> None:
        session.execute(
            sa.update(OutboxMessage)
            .where(col(OutboxMessage.dedupe_key) == key)
            .values(status=status, last_error=error)
        )

    with Session(engine) as session:
        add(session, "first")
        add(session, "other team", team_id="T2")
        session.commit()
        set_status(session, "other team", OutboxStatus.FAILED, "chat.postMessage: is_archived")
        assert (
            store.channel_refusal(session=session, team_id=TEAM, channel_id="C1", since=None)
            is None
        )
        set_status(session, "first", OutboxStatus.FAILED, "chat.postMessage: channel_not_found")
        refused = store.channel_refusal(session=session, team_id=TEAM, channel_id="C1", since=None)
        assert refused == "chat.postMessage: channel_not_found"
        # Chosen again after that failure: it counts no more.
        later = datetime.now(UTC) + timedelta(hours=1)
        assert (
            store.channel_refusal(session=session, team_id=TEAM, channel_id="C1", since=later)
            is None
        )
        add(session, "second")
        set_status(session, "second", OutboxStatus.SENT, None)
        assert (
            store.channel_refusal(session=session, team_id=TEAM, channel_id="C1", since=None)
            is None
        )
