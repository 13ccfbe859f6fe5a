"""Typed factories shared by tests: colleagues in the profile cache, partners through the
registry, and what feeds a partner's health (touchpoints, check-ins, collisions, pulse rounds)
written straight to the database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import Clock
from bot.services.registry import Actor, PartnerFacts, PartnerProfile, Registry
from bot.services.surveys import QUESTIONS
from storage import feedback as feedback_store
from storage import people as profiles
from storage import touchpoints as touchpoint_store
from storage.models import (
    CheckIn,
    CheckInAnswer,
    CheckInStatus,
    Partner,
    SurveyRound,
    Touchpoint,
    TouchpointKind,
)
from storage.touchpoints import NewCollision


@dataclass(frozen=True)
class Colleague:
    user_id: str
    tz: str = "UTC"
    admin: bool = False
    deleted: bool = False


def partner_facts(**changes: Any) -> PartnerFacts:
    """A partner as texts and blocks are given it: Acme, active, owned by Ana, nothing else set
    but what `changes` says."""
    values: dict[str, Any] = {
        "id": 7,
        "name": "Acme",
        "status": "active",
        "owner_id": "U0ANA",
        "deputy_id": None,
        "website_domain": None,
        "channel_id": None,
        "last_contact_at": None,
        **changes,
    }
    return PartnerFacts(**values)


def save_colleagues(
    engine: Engine, clock: Clock, *, team_id: str, colleagues: Sequence[Colleague]
) -> None:
    """Put colleagues in the profile cache, fresh, as if Slack had just been asked."""
    with Session(engine) as session:
        for colleague in colleagues:
            profiles.save_profile(
                session=session,
                team_id=team_id,
                user_id=colleague.user_id,
                name=colleague.user_id.lower(),
                real_name=None,
                tz=colleague.tz,
                is_admin=colleague.admin,
                is_deleted=colleague.deleted,
                fetched_at=clock.now(),
            )
        session.commit()


def add_partner(
    registry: Registry, *, team_id: str, name: str, owner_id: str, deputy_id: str | None = None
) -> PartnerProfile:
    """A partner owned by `owner_id` (and with a deputy), registered by its owner."""
    profile = registry.add(actor=Actor(team_id, owner_id), name=name, allow_similar=True)
    if deputy_id is not None:
        registry.set_deputy(actor=Actor(team_id, owner_id), partner=name, deputy_id=deputy_id)
    return profile


# --- What feeds a partner's health ----------------------------------------------------------


def contacted(engine: Engine, team_id: str, partner: int, at: datetime, by: str = "U0BEN") -> None:
    """The partner's last contact, as a log sets it: its contact part counts from then on."""
    with Session(engine) as session:
        row = session.get(Partner, partner)
        assert row is not None and row.team_id == team_id
        row.last_contact_at, row.last_contact_by = at, by
        session.add(row)
        session.commit()


def touchpoint(
    session: Session, team_id: str, partner: int, at: datetime, by: str = "U0BEN"
) -> int:
    row = Touchpoint(
        team_id=team_id,
        partner_id=partner,
        kind=TouchpointKind.DONE,
        at=at,
        author_id=by,
        created_at=at,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def checkin(
    engine: Engine, team_id: str, partner: int, answer: CheckInAnswer, at: datetime
) -> None:
    """A meeting at `at` and its check-in, answered `answer` an hour later."""
    with Session(engine) as session:
        meeting = touchpoint(session, team_id, partner, at)
        session.add(
            CheckIn(
                team_id=team_id,
                touchpoint_id=meeting,
                user_id="U0BEN",
                meeting_at=at,
                due_at=at,
                status=CheckInStatus.ANSWERED,
                answer=answer,
                answered_at=at + timedelta(hours=1),
                created_at=at,
            )
        )
        session.commit()


def collides(
    session: Session,
    team_id: str,
    partner: int,
    later: int,
    *,
    earlier: Sequence[int],
    detected_at: datetime,
    news: bool = True,
) -> None:
    """Record that touchpoint `later` collided with each of `earlier` (as `log` does), as
    news no channel took an alert about, or (not `news`) known to its people already."""
    touchpoint_store.insert_collisions(
        session=session,
        team_id=team_id,
        partner_id=partner,
        later_id=later,
        found=[
            NewCollision(earlier_id=other, same_contact=False, alert_key=None, news=news)
            for other in earlier
        ],
        detected_at=detected_at,
        thread_key=f"collision:{later}",
        alerted_owner_id=None,
    )


def collision(engine: Engine, team_id: str, partner: int, at: datetime) -> None:
    """Two colleagues' touchpoints with the partner on the same day, recorded as colliding."""
    revolving_door(engine, team_id, partner, at, people=["U0BEN", "U0DAN"])


def revolving_door(
    engine: Engine, team_id: str, partner: int, at: datetime, *, people: Sequence[str]
) -> list[int]:
    """Each of `people` in touch with the partner at `at`, one after the other, each contact
    recorded as colliding with every earlier one; their ids."""
    with Session(engine) as session:
        touchpoints: list[int] = []
        for person in people:
            later = touchpoint(session, team_id, partner, at, by=person)
            collides(session, team_id, partner, later, earlier=touchpoints, detected_at=at)
            touchpoints.append(later)
        session.commit()
    return touchpoints


def pulse_round(
    engine: Engine,
    team_id: str,
    partner: int,
    answers: Sequence[Sequence[int | None]],
    *,
    closed_at: datetime,
    invited: int = 5,
) -> None:
    """A closed pulse round: each respondent's scores to the four questions (None: skipped)."""
    with Session(engine) as session:
        round_id = feedback_store.insert_round(
            session=session,
            team_id=team_id,
            partner_id=partner,
            round_key=f"test:{partner}:{closed_at.isoformat()}",
            started_by=None,
            questions=QUESTIONS,
            started_at=closed_at - timedelta(days=7),
            remind_at=closed_at - timedelta(days=3),
            closes_at=closed_at,
        )
        assert round_id is not None
        for number, scores in enumerate(answers):
            for question, value in enumerate(scores, start=1):
                if value is not None:
                    feedback_store.save_score(
                        session=session,
                        team_id=team_id,
                        round_id=round_id,
                        respondent=f"r{round_id}-{number}",
                        question=question,
                        score=value,
                        event_ts="1.0",
                    )
        assert feedback_store.close_round(
            session=session, team_id=team_id, round_id=round_id, at=closed_at
        )
        survey_round = session.get(SurveyRound, round_id)
        assert survey_round is not None
        survey_round.invited = invited
        session.add(survey_round)
        session.commit()
