"""The delivery engine against the fake Slack over HTTP: a client, a dispatcher, helpers."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import ManualClock
from bot.config import Settings
from bot.delivery.dispatcher import METADATA_EVENT, Dispatcher, DispatchPolicy, delivery_client
from bot.delivery.outbox import enqueue
from bot.sandbox.fake_slack import FakeSlack
from storage import outbox as store
from storage.models import OutboxMessage
from storage.people import save_profile

TEAM = "T0ACME"
CHANNEL = "C0PARTNERS"
ANA, BEN, CHLOE, DAN = "U0ANA", "U0BEN", "U0CHLOE", "U0DAN"


@pytest.fixture
def client(slack_settings: Settings) -> WebClient:
    return delivery_client(slack_settings)


@pytest.fixture
def wall() -> ManualClock:
    """The wall clock that times leases, apart from the clock the dispatcher acts at (as in
    `liaison tick --at`); it moves only when a test moves it."""
    return ManualClock(datetime.now(UTC))


@pytest.fixture
def dispatcher(
    engine: Engine, clock: ManualClock, wall: ManualClock, client: WebClient
) -> Dispatcher:
    return Dispatcher(
        engine=engine,
        clock=clock,
        lease_clock=wall,
        client=client,
        policy=DispatchPolicy(),
        rng=random.Random(7),
    )


def queue(
    engine: Engine,
    *,
    due_at: datetime,
    key: str,
    user: str | None = None,
    channel: str | None = None,
    text: str | None = None,
    working_hours: bool = False,
    **extra: Any,
) -> bool:
    """Enqueue one message in its own transaction."""
    with Session(engine) as session:
        added = enqueue(
            session,
            team_id=extra.pop("team_id", TEAM),
            kind=extra.pop("kind", "test"),
            recipient_user=user,
            recipient_channel=channel,
            text=text or f"message {key}",
            due_at=due_at,
            dedupe_key=key,
            respect_working_hours=working_hours,
            **extra,
        )
        session.commit()
    return added


def row(engine: Engine, key: str, team_id: str = TEAM) -> OutboxMessage:
    with Session(engine) as session:
        found = store.get_message(session=session, team_id=team_id, dedupe_key=key)
        assert found is not None, f"no outbox row {key}"
        session.expunge(found)
        return found


def delivered(fake: FakeSlack) -> Counter[str]:
    """How many times Slack accepted a message for each dedupe key."""
    counts: Counter[str] = Counter()
    for call in fake.calls_to("chat.postMessage"):
        metadata = call.params.get("metadata") or {}
        if call.response.get("ok") and metadata.get("event_type") == METADATA_EVENT:
            counts[metadata["event_payload"]["dedupe_key"]] += 1
    return counts


def set_zones(engine: Engine, zones: Sequence[tuple[str, str]], *, at: datetime) -> None:
    """Cache `users.info` time zones, as the people service would."""
    with Session(engine) as session:
        for user_id, tz in zones:
            save_profile(
                session=session,
                team_id=TEAM,
                user_id=user_id,
                name=user_id.lower(),
                real_name=None,
                tz=tz,
                is_admin=False,
                is_deleted=False,
                fetched_at=at,
            )
        session.commit()
