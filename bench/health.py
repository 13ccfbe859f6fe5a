"""Benchmark the at-risk list (`/partner health`, `list at-risk`), answered inside Slack's 3 s
ack, and the weekly snapshot planner, against the plain `list` page in the same run.

Run from the project root with ``python -m bench.health``. Workspaces of 1,000 and 5,000
partners are built in a throwaway SQLite file: each partner with a few touchpoints, a check-in,
a commitment, every other with a collision, and every fourth with a closed pulse round. Always
exits 0: the PASS/FAIL marks are for reading, not for CI.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import Session

from bot.clock import ManualClock
from bot.services.cadence import Cadences
from bot.services.commitments import Commitments
from bot.services.health import Health
from bot.services.partner_names import PartnerNames
from bot.services.registry import ListScope, Registry
from handlers.blocks.commitments import MESSAGES
from storage import schema
from storage.db import make_engine
from storage.models import (
    CheckIn,
    CheckInAnswer,
    CheckInStatus,
    Collision,
    Commitment,
    Partner,
    SurveyAnswer,
    SurveyRound,
    TeamMembership,
    Touchpoint,
)

TEAM = "T0BENCH"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SIZES = (1_000, 5_000)
# The at-risk list is answered before the ack: it must leave most of Slack's 3 s.
TARGET_MS = 1_000.0
RUNS = 5


def build(path: Path, size: int) -> Health:
    engine = make_engine(f"sqlite:///{path}")
    schema.upgrade(engine)
    answers = (CheckInAnswer.WENT_WELL, CheckInAnswer.MIXED, CheckInAnswer.PROBLEM)
    with Session(engine) as session:
        for number in range(size):
            partner = Partner(
                team_id=TEAM,
                name=f"Partner {number:05d}",
                normalized_name=f"partner {number:05d}",
                status="active",
                created_by="U0ANA",
                created_at=NOW - timedelta(days=200),
                last_contact_at=NOW - timedelta(days=number % 90),
            )
            session.add(partner)
            session.flush()
            assert partner.id is not None
            session.add(
                TeamMembership(
                    team_id=TEAM, partner_id=partner.id, user_id="U0ANA", role="owner", added_at=NOW
                )
            )
            touch_ids = []
            for days in (3, 20, 50):
                touch = Touchpoint(
                    team_id=TEAM,
                    partner_id=partner.id,
                    kind="done",
                    medium="meeting",
                    at=NOW - timedelta(days=days),
                    author_id="U0BEN",
                    created_at=NOW - timedelta(days=days),
                )
                session.add(touch)
                session.flush()
                touch_ids.append(touch.id)
            assert touch_ids[0] is not None
            if number % 2 == 0:
                # Every other partner: the latest contact collided with both earlier ones.
                for earlier in touch_ids[1:]:
                    assert earlier is not None
                    session.add(
                        Collision(
                            team_id=TEAM,
                            partner_id=partner.id,
                            earlier_id=earlier,
                            later_id=touch_ids[0],
                            detected_at=NOW - timedelta(days=3),
                        )
                    )
            session.add(
                CheckIn(
                    team_id=TEAM,
                    touchpoint_id=touch_ids[0],
                    user_id="U0BEN",
                    meeting_at=NOW - timedelta(days=3),
                    due_at=NOW - timedelta(days=2),
                    status=CheckInStatus.ANSWERED,
                    answer=answers[number % 3],
                    answered_at=NOW - timedelta(days=2),
                    created_at=NOW - timedelta(days=3),
                )
            )
            session.add(
                Commitment(
                    team_id=TEAM,
                    partner_id=partner.id,
                    side="us" if number % 2 else "them",
                    owner_id="U0ANA",
                    what="the report",
                    due_on=date(2026, 11, 20) + timedelta(days=number % 10),
                    created_by="U0ANA",
                    created_at=NOW - timedelta(days=30),
                    due_set_at=NOW - timedelta(days=30),
                )
            )
            if number % 4 == 0:
                survey_round = SurveyRound(
                    team_id=TEAM,
                    partner_id=partner.id,
                    round_key=f"bench:{partner.id}",
                    questions=[],
                    started_at=NOW - timedelta(days=10),
                    remind_at=NOW - timedelta(days=8),
                    closes_at=NOW - timedelta(days=5),
                    closed_at=NOW - timedelta(days=5),
                    invited=4,
                    respondents=3,
                )
                session.add(survey_round)
                session.flush()
                assert survey_round.id is not None
                for respondent in range(3):
                    for question in range(1, 5):
                        session.add(
                            SurveyAnswer(
                                team_id=TEAM,
                                round_id=survey_round.id,
                                respondent=f"{survey_round.id}-{respondent}",
                                question=question,
                                score=1 + (number + respondent + question) % 5,
                            )
                        )
        session.commit()
    clock = ManualClock(NOW)
    registry = Registry(engine=engine, clock=clock, names=PartnerNames())
    return Health(
        engine=engine,
        clock=clock,
        registry=registry,
        commitments=Commitments(engine=engine, clock=clock, registry=registry, messages=MESSAGES),
        cadences=Cadences(engine=engine, clock=clock, registry=registry, messages=MESSAGES),
    )


def timed(work: Callable[[], object]) -> float:
    """The median of `RUNS` runs, in milliseconds."""
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(health: Health, size: int) -> None:
    """One workspace's line: the list page, the at-risk list, one snapshot planner run."""
    baseline = timed(
        lambda: health.registry.page(team_id=TEAM, user_id="U0ANA", scope=ListScope.ALL, limit=25)
    )
    at_risk = timed(lambda: health.at_risk(team_id=TEAM))
    started = time.perf_counter()
    stored = health.plan_snapshots(now=NOW)
    snapshots = (time.perf_counter() - started) * 1000
    assert stored == size
    mark = "PASS" if at_risk <= TARGET_MS else "FAIL"
    print(
        f"{size:>9} {baseline:>18.1f} ms {at_risk:>10.1f} ms {snapshots:>7.0f} ms"
        f"  at-risk ≤ {TARGET_MS:.0f} ms: {mark}"
    )


def main() -> None:
    print(f"{'partners':>9} {'list page (baseline)':>21} {'at-risk list':>13} {'snapshots':>10}")
    for size in SIZES:
        with tempfile.TemporaryDirectory() as folder:
            health = build(Path(folder) / "bench.db", size)
            measure(health, size)
            health.engine.dispose()


if __name__ == "__main__":
    main()
