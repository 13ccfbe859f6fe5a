"""Two workspaces over one database that collide wherever Slack lets them: the same people
(Enterprise Grid: a user id is Slack-wide), the same partner names, aliases and websites, the
same contacts, the same channel ids, the same commitment numbers. Every verb of `/partner` is
typed in both, the planners run a week, and nothing of one workspace reaches, shows in or
changes the other: answers, direct messages, channel posts, Home, digest, health, exports.

Each workspace writes its own words ("oneone" in Acme's, "twotwo" in the other's); see
`tests/scenarios/test_workspaces.py` for the clicks and the Home of someone in both."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.conftest import Slack
from tests.scenarios.test_commitments import exported, last
from tests.scenarios.test_feedback import ANA, BEN, CHLOE, DAN, MENTION, at, send
from tests.scenarios.test_feedback_stories import in_workspace
from tests.scenarios.test_workspaces import (
    EVE,
    OTHER,
    TEAM,
    THE_OTHER,
    WORDS,
    in_team,
    sent,
    snapshot,
    words_sent,
)

BOTH = (TEAM, OTHER)


def utc(day: int, hour: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def twins(slack: Slack) -> Iterator[Slack]:
    """In each workspace, typed the same way by the same people: Oxfam (aka "OX", oxfam.org)
    owned by Ana with Ben as deputy and Chloe on the team, Red Cross (aka "RC") owned by Ben,
    the same contact Jane Doe at each, and one promise `#1`."""
    for user in (ANA, BEN, CHLOE, DAN):
        slack.fake.users[user].grid_teams = (OTHER,)
    slack.fake.add_user(id=EVE, name="eve", tz="Europe/Paris").grid_teams = (OTHER,)
    for team_id in BOTH:
        in_team(
            slack,
            team_id,
            f'add Oxfam aka "OX" (oxfam.org) deputy {MENTION[BEN]} team {MENTION[CHLOE]}',
        )
        in_team(slack, team_id, f'add Red Cross aka "RC" (redcross.org) owner {MENTION[BEN]}')
        in_team(slack, team_id, "contact Oxfam add Jane Doe jane@oxfam.org WORDS chief")
        in_team(slack, team_id, "contact RC add Jane Doe jane@oxfam.org WORDS adviser", BEN)
        in_team(slack, team_id, "commit OX us : WORDS report by 2026-11-27")
        in_team(slack, team_id, "status Oxfam active")
    yield slack


# Every verb of COMMANDS.md, in an order that reaches each one's change (`WORDS`: the
# workspace's own word).
EVERY_VERB = (
    ("help", ANA),
    ("help log", ANA),
    ("list", ANA),
    ("list mine", BEN),
    ("list all", ANA),
    ("list active", ANA),
    ("list prospect", ANA),
    ("list dormant", ANA),
    ("list at-risk", ANA),
    ("show OX", ANA),
    ("check Oxfam", DAN),
    ("contacts RC", ANA),
    ('alias Oxfam add "Oxfam Intl"', ANA),
    ('alias Oxfam remove "Oxfam Intl"', ANA),
    (f"team Oxfam add {MENTION[DAN]}", ANA),
    (f"team Oxfam remove {MENTION[DAN]}", ANA),
    (f"deputy Oxfam {MENTION[CHLOE]}", ANA),
    (f"owner RC {MENTION[ANA]}", BEN),
    ("contact Oxfam add John Roe john@oxfam.org WORDS", ANA),
    ("contact Oxfam remove John Roe", ANA),
    ("channel Oxfam <#C0GENERAL|general>", ANA),
    ("log Oxfam with Jane Doe via meeting : WORDS meeting", ANA),
    ("log RC with Jane Doe via call : WORDS call", DAN),
    ("plan Oxfam on friday 14:00 with Jane Doe : WORDS plan", DAN),
    ("intend RC : WORDS intent", EVE),
    ("commit RC them : WORDS their letter by friday", ANA),
    ("commitments", ANA),
    ("commitments mine", ANA),
    ("commitments overdue", ANA),
    ("commitments Oxfam", ANA),
    ("done 1", ANA),
    ("reopen 1", ANA),
    ("drop 2", ANA),
    ("survey Oxfam", ANA),
    ("survey Oxfam now", ANA),
    ("health", ANA),
    ("health Oxfam", ANA),
    ("cadence Oxfam 10 20", ANA),
    ("cadence Oxfam", ANA),
    (f"away tomorrow to friday deputy {MENTION[CHLOE]}", BEN),
    ("away", BEN),
    ("back", BEN),
    ("rename RC to Red Cross WORDS", ANA),
    ("merge Red Cross WORDS into Oxfam", ANA),
    ("status Oxfam paused", ANA),
    ("status Oxfam active", ANA),
    ("config", ANA),
    ("config channel <#C0GENERAL|general>", ANA),
    ("config window 21", ANA),
    ("config hours 8-18", ANA),
    ("config days mon-sat", ANA),
    ("config pulse monthly", ANA),
    ("config checkin-delay 3", ANA),
    ("config anonymity 2", ANA),
    ("config digest monday 08:30", ANA),
    ("config timezone Europe/Berlin", ANA),
    (f"config admins {MENTION[DAN]}", ANA),
    ("list", DAN),
    ("show Oxfam", CHLOE),
)


def answered(slack: Slack, user: str, team_id: str) -> str:
    """The words of the last answer `user` was shown, the workspace's own word as WORDS."""
    return last(slack, user).text.replace(WORDS[team_id], "WORDS")


def test_every_verb_in_one_workspace_shows_and_changes_nothing_of_the_other(twins: Slack) -> None:
    for command, user in EVERY_VERB:
        answers = []
        for team_id in BOTH:
            other = THE_OTHER[team_id]
            before = snapshot(twins, other)
            said = in_team(twins, team_id, command, user)
            assert WORDS[other] not in said, (team_id, command)
            assert snapshot(twins, other) == before, (team_id, command)
            answers.append(answered(twins, user, team_id))
        # Each did to its own workspace what the other did to its own: alike, word for word.
        assert answers[0] == answers[1], command
    # Each workspace changed its own rows alike: the same partners, under the same names.
    for team_id in BOTH:
        said = in_team(twins, team_id, "list all")
        assert "*Oxfam*" in said and "Red Cross" not in said, team_id
        assert "owner <@U0ANA>" in said
    # A week of planners: each workspace is sent its own check-ins, alerts, reminders,
    # survey and digest, and nothing of the other's.
    for day in range(26, 34):
        for hour in (7, 9, 15, 21):
            at(twins, utc(day, hour) if day <= 30 else utc(day - 30, hour, month=12))
    for team_id in BOTH:
        kinds = {row.kind for row in sent(twins, team_id)}
        assert {"checkin", "collision_alert", "intent_ask", "weekly_digest"} <= kinds, team_id
        assert WORDS[THE_OTHER[team_id]] not in words_sent(twins, team_id), team_id
        assert WORDS[team_id] in words_sent(twins, team_id), team_id
    # What each workspace's people see afterwards holds their own workspace alone.
    for team_id in BOTH:
        for command in ("show Oxfam", "health Oxfam", "commitments", "check Oxfam", "list"):
            said = in_team(twins, team_id, command)
            assert WORDS[THE_OTHER[team_id]] not in said, (team_id, command)
        for dataset in ("partners", "touchpoints", "commitments"):
            in_team(twins, team_id, f"export {dataset}")
            _, rows = exported(twins, ANA)
            assert rows, (team_id, dataset)
            assert WORDS[THE_OTHER[team_id]] not in json.dumps(rows), (team_id, dataset)
            assert WORDS[team_id] in json.dumps(rows), (team_id, dataset)
        for user in (ANA, BEN, CHLOE, DAN, EVE):
            send(twins, in_workspace(twins, twins.requests.app_home_opened(user_id=user), team_id))
            home = json.dumps(twins.fake.home_views[user], ensure_ascii=False)
            assert WORDS[THE_OTHER[team_id]] not in home, (team_id, user)


def test_an_admin_named_in_one_workspace_is_no_admin_of_the_other(twins: Slack) -> None:
    in_team(twins, TEAM, f"config admins {MENTION[DAN]}")
    refused = in_team(twins, OTHER, "status Oxfam paused", DAN)
    assert "now ⏸️ paused" not in refused
    assert "<@U0ANA>" in refused  # who can make the change
    assert "now ⏸️ paused" in in_team(twins, TEAM, "status Oxfam paused", DAN)
    assert "is ⏸️ paused" not in in_team(twins, OTHER, "status Oxfam")


def test_a_partner_handed_over_in_one_workspace_keeps_its_owner_in_the_other(
    twins: Slack,
) -> None:
    """The same partner, the same people: Ben owns Red Cross in both; once he has handed it to
    Ana in one, he may no longer hand it on there, and still may in the other."""
    said = in_team(twins, TEAM, f"owner RC {MENTION[ANA]}", BEN)
    assert "<@U0ANA> now owns *Red Cross*" in said
    assert "owned by <@U0BEN>" in in_team(twins, OTHER, "owner RC")
    refused = in_team(twins, TEAM, f"owner RC {MENTION[CHLOE]}", BEN)
    assert "now owns" not in refused and "<@U0ANA>" in refused
    said = in_team(twins, OTHER, f"owner RC {MENTION[CHLOE]}", BEN)
    assert "<@U0CHLOE> now owns *Red Cross* (was <@U0BEN>" in said
    assert "owned by <@U0ANA>" in in_team(twins, TEAM, "owner RC")


def test_a_contact_with_the_same_email_is_one_per_workspace(twins: Slack) -> None:
    """Jane Doe (jane@oxfam.org) is a contact of Oxfam in both: removing her from one leaves
    the other's, and adding her again is refused only where she still is."""
    assert "Removed *Jane Doe*" in in_team(twins, TEAM, "contact Oxfam remove Jane Doe")
    assert "is already a contact" in in_team(
        twins, OTHER, "contact Oxfam add Jane Doe jane@oxfam.org"
    )
    assert "Added *Jane Doe*" in in_team(twins, TEAM, "contact Oxfam add Jane Doe jane@oxfam.org")
    for team_id in BOTH:
        said = in_team(twins, team_id, "contacts Oxfam")
        assert said.count("Jane Doe") >= 1 and WORDS[THE_OTHER[team_id]] not in said
