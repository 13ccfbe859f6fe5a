"""People through the fake Slack Web API: users.info cached, refreshed when stale, and failures
that leave a command working."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

import pytest
from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import ManualClock
from bot.sandbox.fake_slack import FakeSlack
from bot.services import people
from bot.services.people import NotInWorkspace, PeopleCheck
from storage import people as profiles
from storage.models import UserProfile

T = "T0ACME"


@pytest.fixture
def client(fake_slack: FakeSlack) -> WebClient:
    return WebClient(token=fake_slack.bot_token, base_url=fake_slack.base_url)


def cached(engine: Engine, user_id: str) -> UserProfile | None:
    with Session(engine) as session:
        return profiles.get_profile(session=session, team_id=T, user_id=user_id)


def test_look_up_caches_name_time_zone_and_admin(
    client: WebClient, engine: Engine, clock: ManualClock
) -> None:
    check = people.look_up(
        client, engine=engine, clock=clock, team_id=T, user_ids=["U0ANA", "U0BEN"]
    )
    assert check == PeopleCheck(asked=frozenset({"U0ANA", "U0BEN"}), missing=frozenset())
    ana = cached(engine, "U0ANA")
    assert ana is not None
    assert (ana.name, ana.real_name, ana.tz, ana.is_admin) == ("ana", "Ana", "Europe/Berlin", True)
    assert ana.fetched_at == clock.now()
    ben = cached(engine, "U0BEN")
    assert ben is not None and not ben.is_admin


def test_someone_outside_the_workspace_or_deactivated_is_missing(
    client: WebClient, engine: Engine, clock: ManualClock, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user(id="U0GONE", name="gone", deleted=True)
    check = people.look_up(
        client, engine=engine, clock=clock, team_id=T, user_ids=["U0GHOST", "U0GONE"]
    )
    assert check.missing == {"U0GHOST", "U0GONE"}
    assert cached(engine, "U0GHOST") is None
    gone = cached(engine, "U0GONE")
    assert gone is not None and gone.is_deleted
    with Session(engine) as session, pytest.raises(NotInWorkspace):
        people.vet_mentions(
            session, team_id=T, user_ids=["U0GONE"], check=PeopleCheck(), now=clock.now()
        )


def test_someone_of_another_workspace_is_external_and_not_cached(
    client: WebClient, engine: Engine, clock: ManualClock, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user(id="U0JANE", name="jane", team_id="T0PARTNER", is_admin=True)
    check = people.look_up(client, engine=engine, clock=clock, team_id=T, user_ids=["U0JANE"])
    assert check.external == {"U0JANE"} and check.missing == {"U0JANE"}
    assert cached(engine, "U0JANE") is None
    with Session(engine) as session, pytest.raises(NotInWorkspace) as refused:
        people.vet_mentions(session, team_id=T, user_ids=["U0JANE"], check=check, now=clock.now())
    assert refused.value.external
    # An admin of her own workspace is no admin to name here.
    assert "U0JANE" not in people.find_admins(client, engine=engine, clock=clock, team_id=T)


@pytest.mark.parametrize(
    ("user", "external"),
    [
        ({"team_id": T}, False),
        ({"team_id": T, "is_restricted": True}, False),  # a guest of this workspace
        ({"team_id": T, "is_ultra_restricted": True}, False),
        ({"team_id": "T0PARTNER"}, True),  # a Slack Connect channel's partner
        ({"team_id": T, "is_stranger": True}, True),
        ({"team_id": "T0SIBLING", "enterprise_user": {"teams": ["T0SIBLING", T]}}, False),
        ({"team_id": "T0SIBLING", "enterprise_user": {"teams": ["T0SIBLING"]}}, True),
        ({}, False),  # no team said: the benefit of the doubt
    ],
)
def test_who_is_of_another_organisation(user: dict[str, object], external: bool) -> None:
    assert people.is_external({"id": "U1", **user}, team_id=T) is external


def test_slack_failing_leaves_the_user_unknown_and_logs_why(
    client: WebClient,
    engine: Engine,
    clock: ManualClock,
    fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_slack.fail_next("users.info", error="fatal_error")
    with caplog.at_level(logging.WARNING, logger="bot.services.people"):
        check = people.look_up(client, engine=engine, clock=clock, team_id=T, user_ids=["U0DAN"])
    assert check == PeopleCheck(asked=frozenset({"U0DAN"}))
    assert "users.info failed for U0DAN: fatal_error" in caplog.text
    with Session(engine) as session:
        # Asked but unanswered: given the benefit of the doubt, and not an admin.
        assert (
            people.vet_mentions(
                session, team_id=T, user_ids=["U0DAN"], check=check, now=clock.now()
            )
            == []
        )
        admin = people.admin_status(
            session, team_id=T, user_id="U0DAN", now=clock.now(), check=check
        )
        assert admin is False


def test_many_people_are_asked_about_at_once_and_one_failure_leaves_only_them_unknown(
    client: WebClient, engine: Engine, clock: ManualClock, fake_slack: FakeSlack
) -> None:
    crowd = [f"U0P{n:02d}" for n in range(12)]
    for n, user_id in enumerate(crowd):
        fake_slack.add_user(id=user_id, name=f"p{n}", tz="Asia/Tokyo")
    fake_slack.fail_next("users.info", status=500)

    check = people.look_up(
        client, engine=engine, clock=clock, team_id=T, user_ids=[*crowd, crowd[0]]
    )

    assert check == PeopleCheck(asked=frozenset(crowd))
    assert len(fake_slack.calls_to("users.info")) == 12
    known = [user_id for user_id in crowd if cached(engine, user_id) is not None]
    # Whichever call met the 500 stays unknown; everyone else is cached with their zone.
    assert len(known) == 11
    assert {profile.tz for profile in map(partial(cached, engine), known) if profile} == {
        "Asia/Tokyo"
    }


def test_warm_refreshes_only_missing_or_stale_profiles(
    client: WebClient, engine: Engine, clock: ManualClock, fake_slack: FakeSlack
) -> None:
    people.look_up(client, engine=engine, clock=clock, team_id=T, user_ids=["U0ANA"])
    calls = len(fake_slack.calls_to("users.info"))
    people.warm(client, engine=engine, clock=clock, team_id=T, user_ids=["U0ANA", "U0BEN"])
    assert [c.params["user"] for c in fake_slack.calls_to("users.info")[calls:]] == ["U0BEN"]
    clock.advance(people.PROFILE_MAX_AGE + timedelta(minutes=1))
    fake_slack.users["U0ANA"].tz = "America/Chicago"
    people.warm(client, engine=engine, clock=clock, team_id=T, user_ids=["U0ANA"])
    ana = cached(engine, "U0ANA")
    assert ana is not None and ana.tz == "America/Chicago"


def test_admin_status_trusts_only_a_fresh_profile(
    client: WebClient, engine: Engine, clock: ManualClock
) -> None:
    people.look_up(client, engine=engine, clock=clock, team_id=T, user_ids=["U0ANA"])
    with Session(engine) as session:
        now = clock.now()
        assert people.admin_status(
            session, team_id=T, user_id="U0ANA", now=now, check=PeopleCheck()
        )
        assert (
            people.admin_status(session, team_id=T, user_id="U0BEN", now=now, check=PeopleCheck())
            is None
        )
        later = now + timedelta(days=2)
        assert (
            people.admin_status(session, team_id=T, user_id="U0ANA", now=later, check=PeopleCheck())
            is None
        )


def test_a_direct_message_that_fails_is_logged_with_the_code(
    client: WebClient, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    assert people.send_direct_message(client, user_id="U0BEN", text="hi", blocks=[])
    assert [m.text for m in fake_slack.dm_messages("U0BEN")] == ["hi"]
    fake_slack.fail_next("chat.postMessage", error="channel_not_found")
    with caplog.at_level(logging.WARNING, logger="bot.services.people"):
        assert not people.send_direct_message(client, user_id="U0BEN", text="hi", blocks=[])
    assert "direct message to U0BEN failed: channel_not_found" in caplog.text
