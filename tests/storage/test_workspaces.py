"""Workspace settings queries on the real database: the row made on the first change, the
admin list replaced whole, failed deliveries counted — each scoped to one workspace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import ManualClock
from storage import people
from storage import workspaces as store
from storage.models import OutboxMessage, OutboxStatus
from tests.factories import Colleague, save_colleagues

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_the_first_change_makes_the_row_with_the_defaults(engine: Engine) -> None:
    with Session(engine) as session:
        assert store.get_workspace(session=session, team_id="T1") is None
        made = store.update_settings(
            session=session, team_id="T1", changes={"window_days": 21}, now=NOW
        )
        session.commit()
    assert (made.window_days, made.work_days, made.anonymity_threshold) == (
        21,
        "mon,tue,wed,thu,fri",
        3,
    )
    assert made.created_at == NOW
    with Session(engine) as session:
        changed = store.update_settings(
            session=session,
            team_id="T1",
            changes={"coordination_channel": "C0NEW", "checkin_delay_hours": 4},
            now=NOW + timedelta(days=1),
        )
        session.commit()
        assert (changed.window_days, changed.coordination_channel) == (21, "C0NEW")
        assert changed.created_at == NOW  # made once
        back = store.update_settings(
            session=session, team_id="T1", changes={"checkin_delay_hours": None}, now=NOW
        )
        session.commit()
        assert back.checkin_delay_hours is None
        assert store.get_workspaces(session=session, team_ids=["T1", "T2"]).keys() == {"T1"}


def test_the_admin_list_is_replaced_whole_per_workspace(engine: Engine) -> None:
    with Session(engine) as session:
        store.replace_admins(session=session, team_id="T1", user_ids=["U0DAN", "U0BEN"], now=NOW)
        store.replace_admins(session=session, team_id="T2", user_ids=["U0ZED"], now=NOW)
        session.commit()
        assert store.listed_admins(session=session, team_id="T1") == ["U0BEN", "U0DAN"]
        store.replace_admins(session=session, team_id="T1", user_ids=["U0ANA"], now=NOW)
        session.commit()
        assert store.listed_admins(session=session, team_id="T1") == ["U0ANA"]
        store.replace_admins(session=session, team_id="T1", user_ids=[], now=NOW)
        session.commit()
        assert store.listed_admins(session=session, team_id="T1") == []
        assert store.listed_admins(session=session, team_id="T2") == ["U0ZED"]
        assert people.is_listed_admin(session=session, team_id="T2", user_id="U0ZED")


def test_slack_admins_are_the_cached_admins_still_in_the_workspace(engine: Engine) -> None:
    clock = ManualClock(NOW)
    save_colleagues(
        engine,
        clock,
        team_id="T1",
        colleagues=[
            Colleague("U0ANA", admin=True),
            Colleague("U0OLD", admin=True, deleted=True),
            Colleague("U0BEN"),
        ],
    )
    save_colleagues(engine, clock, team_id="T2", colleagues=[Colleague("U0ZED", admin=True)])
    with Session(engine) as session:
        assert people.cached_slack_admins(session=session, team_id="T1") == ["U0ANA"]


def test_failed_deliveries_are_counted_per_workspace(engine: Engine) -> None:
    with Session(engine) as session:
        for number, (team_id, status, channel) in enumerate(
            (
                ("T1", OutboxStatus.FAILED, "C0GONE"),
                ("T1", OutboxStatus.FAILED, "C0GONE"),
                ("T1", OutboxStatus.SENT, "C0OTHER"),
                ("T1", OutboxStatus.PENDING, "C0GONE"),
                ("T2", OutboxStatus.FAILED, "C0GONE"),
                # Settled: a later message to its channel was delivered (QA qa21b NIT 8).
                ("T3", OutboxStatus.FAILED, "C0BACK"),
                ("T3", OutboxStatus.SENT, "C0BACK"),
            )
        ):
            session.add(
                OutboxMessage(
                    team_id=team_id,
                    kind="alert",
                    recipient_channel=channel,
                    text="an alert",
                    dedupe_key=f"alert:{number}",
                    due_at=NOW,
                    available_at=NOW,
                    status=status,
                    created_at=NOW,
                )
            )
        session.commit()
        counts = [
            store.count_failed_deliveries(session=session, team_id=team_id)
            for team_id in ("T1", "T2", "T3")
        ]
    assert counts == [2, 1, 0]


def test_failures_queued_with_another_are_counted_in_its_line(engine: Engine) -> None:
    # Two surveys refused (an invitation and its statements each), a statement queued at
    # another moment, one whose invitation went, one refused for another reason: five lines.
    sends = [
        ("survey.invitation", "U0CHLOE", 0, "user_not_found"),
        *(("survey.question", "U0CHLOE", 0, "user_not_found") for _ in range(2)),
        ("survey.invitation", "U0DAN", 0, "user_not_found"),
        ("survey.question", "U0DAN", 0, "user_not_found"),
        ("survey.question", "U0DAN", 1, "user_not_found"),  # queued at another moment
        ("survey.question", "U0BEN", 0, "user_not_found"),  # its invitation went
        ("survey.question", "U0DAN", 0, "invalid_blocks"),  # refused for another reason
    ]
    with Session(engine) as session:
        for number, (kind, user, minutes, error) in enumerate(sends):
            session.add(
                OutboxMessage(
                    team_id="T1",
                    kind=kind,
                    recipient_user=user,
                    text="a survey",
                    dedupe_key=f"survey:{number}",
                    due_at=NOW + timedelta(minutes=minutes),
                    available_at=NOW,
                    status=OutboxStatus.FAILED,
                    last_error=error,
                    created_at=NOW,
                )
            )
        session.commit()
        queued_with = {"survey.question": "survey.invitation"}
        assert store.count_failed_deliveries(session=session, team_id="T1") == 8
        lines = store.count_failed_deliveries(
            session=session, team_id="T1", queued_with=queued_with
        )
        assert lines == 5
        assert (
            store.count_failed_deliveries(session=session, team_id="T2", queued_with=queued_with)
            == 0
        )
