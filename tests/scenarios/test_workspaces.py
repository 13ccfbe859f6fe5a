"""Two workspaces over one database, with the same partner names and aliases, and the same
people (as Enterprise Grid and Slack Connect allow: a user id is Slack-wide), each doing what
the other does: nothing of one shows in, changes or reaches the other.

Each workspace writes its own words ("oneone" in Acme's, "twotwo" in the other's); whatever
one workspace is shown, sent or asked to change must never hold the other's, and the other's
rows must stay as they were."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

from bot.sandbox.fake_slack import FakeMessage
from storage.models import OutboxMessage
from tests.conftest import Slack
from tests.scenarios.test_commitments import exported
from tests.scenarios.test_config import command_in
from tests.scenarios.test_feedback import ANA, BEN, CHLOE, DAN, MENTION, at, send, shown
from tests.scenarios.test_feedback_stories import in_workspace

TEAM, OTHER = "T0ACME", "T0OTHER"
EVE = "U0EVE"  # on neither team of Acme: her contacts collide
WORDS = {TEAM: "oneone", OTHER: "twotwo"}
THE_OTHER = {TEAM: OTHER, OTHER: TEAM}


def utc(day: int, hour: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def in_team(slack: Slack, team_id: str, text: str, user: str = ANA) -> str:
    """A command typed in `team_id`: what the person was shown, and whatever Slack got since."""
    n = len(slack.fake.messages)
    said = command_in(slack, team_id, text.replace("WORDS", WORDS[team_id]), user=user)
    return said + " ".join(shown(m) for m in slack.fake.messages[n:])


def snapshot(slack: Slack, team_id: str) -> dict[str, list[str]]:
    """Every row of the workspace, table by table (the profile cache and event receipts,
    which a request from anywhere may refresh, aside)."""
    found = {}
    with Session(slack.runtime.engine) as session:
        for table in SQLModel.metadata.sorted_tables:
            if "team_id" in table.c and table.name not in ("user_profile", "slack_event_receipt"):
                rows = session.execute(sa.select(table).where(table.c.team_id == team_id))
                found[table.name] = sorted(map(repr, rows))
    return found


def sent(slack: Slack, team_id: str) -> list[OutboxMessage]:
    with Session(slack.runtime.engine) as session:
        rows = list(session.exec(select(OutboxMessage).where(OutboxMessage.team_id == team_id)))
        for row in rows:
            session.expunge(row)
        return rows


def words_sent(slack: Slack, team_id: str) -> str:
    return "\n".join(f"{m.text} {json.dumps(m.blocks)}" for m in sent(slack, team_id))


@pytest.fixture
def both(slack: Slack) -> Iterator[Slack]:
    """Acme (aka "AC") registered in both workspaces, with the same owner and team; in each,
    a meeting, a promise, a plan, a survey, and an outsider's contact and intent."""
    for user in (ANA, BEN, CHLOE, DAN):
        slack.fake.users[user].grid_teams = (OTHER,)
    slack.fake.add_user(id=EVE, name="eve", tz="Europe/Paris").grid_teams = (OTHER,)
    team = " ".join(MENTION[user] for user in (BEN, CHLOE, DAN))
    for team_id in (TEAM, OTHER):
        in_team(slack, team_id, 'add Acme aka "AC" (WORDS.org)')
        in_team(slack, team_id, f"team Acme add {team}")
        in_team(slack, team_id, "status Acme active")
        in_team(slack, team_id, "log AC via meeting : WORDS meeting", BEN)
        in_team(slack, team_id, "commit AC us : WORDS promise by 2026-11-27", BEN)
        in_team(slack, team_id, "plan AC on friday via call : WORDS plan", CHLOE)
        in_team(slack, team_id, "survey AC now")
        in_team(slack, team_id, "log AC via call : WORDS outsider", EVE)
        in_team(slack, team_id, "intend AC : WORDS intent", EVE)
    yield slack


def test_what_each_workspace_is_sent_holds_nothing_of_the_other(both: Slack) -> None:
    at(both, utc(25, 15))
    at(both, utc(26, 15))
    # In each workspace, its own people say Problem to their check-ins and score the survey.
    for team_id in (TEAM, OTHER):
        for row in sent(both, team_id):
            message = both.fake.find_message(row.sent_channel or "", row.sent_ts or "")
            if message is None or row.recipient_user is None:
                continue
            if row.kind == "checkin":
                request = both.requests.block_action(
                    user_id=row.recipient_user, action_id="checkin_answer_problem", message=message
                )
                send(both, in_workspace(both, request, team_id))
            elif row.kind == "survey.question":
                request = both.requests.reaction_added(
                    user_id=row.recipient_user, message=message, name="two"
                )
                send(both, in_workspace(both, request, team_id))
    for day in range(27, 34):
        for hour in (0, 9, 15, 21):
            at(both, utc(day, hour) if day <= 30 else utc(day - 30, hour, month=12))
    for team_id in (TEAM, OTHER):
        kinds = {row.kind for row in sent(both, team_id)}
        # Every planner had its say: check-ins, alerts, reminders, surveys, the digest.
        assert {"checkin", "checkin.problem", "collision_alert", "commitment_reminder"} <= kinds
        assert {"intent_ask", "weekly_digest", "survey.question", "survey.results"} <= kinds
        assert WORDS[THE_OTHER[team_id]] not in words_sent(both, team_id)
        assert WORDS[team_id] in words_sent(both, team_id)


# What a click on a message whose row the workspace does not have is answered.
GONE = (
    "no longer exists",
    "no longer in the registry",
    "no longer here",
    "survey was sent in another workspace",
)


def _buttons(message: FakeMessage) -> Iterator[str]:
    for block in message.blocks:
        if block.get("type") == "actions":
            for element in block.get("elements", []):
                if element.get("type") == "button":
                    yield str(element["action_id"])


def test_a_click_from_another_workspace_on_a_message_changes_and_shows_nothing_of_it(
    both: Slack,
) -> None:
    """Slack Connect: a message of one workspace's Liaison may be seen, and clicked, by people
    of another workspace that installed it too."""
    for day in range(25, 28):
        for hour in (9, 15):
            at(both, utc(day, hour))
    for team_id in (TEAM, OTHER):
        words = WORDS[team_id]
        before = snapshot(both, team_id)
        clicked = set()
        for row in sent(both, team_id):
            message = both.fake.find_message(row.sent_channel or "", row.sent_ts or "")
            for action_id in _buttons(message) if message is not None else ():
                user = row.recipient_user or ANA
                request = both.requests.block_action(
                    user_id=user, action_id=action_id, message=message
                )
                n = len(both.fake.messages)
                send(both, in_workspace(both, request, THE_OTHER[team_id]))
                said = " ".join(shown(m) for m in both.fake.messages[n:])
                views = json.dumps([view.view for view in both.fake.views.values()])
                assert words not in said + views, (row.kind, action_id)
                # Its ids are no row of the other workspace's: what it names is gone there.
                assert any(gone in said for gone in GONE), (row.kind, action_id, said)
                clicked.add(row.kind)
        assert {"checkin", "collision_alert", "commitment_reminder", "intent_ask"} <= clicked
        assert snapshot(both, team_id) == before


COMMANDS = (
    "list",
    "list mine",
    "show AC",
    "check AC",
    "contacts AC",
    "health",
    "health AC",
    "commitments",
    "commitments AC",
    "survey AC",
    "config",
    "contact AC add Jane Doe jane@acme.org (CEO)",
    "add Acme Two",
    "log Acme Two via call : WORDS two",
    "merge Acme Two into Acme",
    f"deputy AC {MENTION[BEN]}",
    "channel AC <#C0GENERAL|general>",
    "cadence AC 10 20",
    f"away tomorrow to friday deputy {MENTION[CHLOE]}",
    "done #1",
    "reopen #1",
    "drop #1",
    "rename AC to Acme Global",
    "status Acme Global paused",
    "config window 30",
    f"config admins {MENTION[DAN]}",
    "away cancel",
    "list",
    "check Acme Global",
)


def test_a_command_in_one_workspace_shows_and_changes_nothing_of_the_other(both: Slack) -> None:
    for command in COMMANDS:
        for team_id in (TEAM, OTHER):
            other = THE_OTHER[team_id]
            before = snapshot(both, other)
            said = in_team(both, team_id, command)
            assert WORDS[other] not in said, (team_id, command)
            assert snapshot(both, other) == before, (team_id, command)


@pytest.mark.parametrize("dataset", ["partners", "touchpoints", "commitments"])
def test_an_export_holds_the_workspaces_rows_alone(both: Slack, dataset: str) -> None:
    for team_id in (TEAM, OTHER):
        command_in(both, team_id, f"export {dataset}")
        _, rows = exported(both, ANA)
        assert rows
        assert WORDS[THE_OTHER[team_id]] not in json.dumps(rows)
        assert len({row.get("partner_id") or row.get("id") for row in rows}) >= 1


def test_the_home_of_someone_in_both_workspaces_shows_each_its_own(both: Slack) -> None:
    for day in (25, 26):
        at(both, utc(day, 15))
    for team_id in (TEAM, OTHER):
        for user in (ANA, BEN, CHLOE, EVE):
            send(both, in_workspace(both, both.requests.app_home_opened(user_id=user), team_id))
            home = json.dumps(both.fake.home_views[user], ensure_ascii=False)
            assert WORDS[THE_OTHER[team_id]] not in home, (team_id, user)
        # Ben's promise, Chloe's plan: each Home shows its own workspace's.
        assert WORDS[team_id] in json.dumps(both.fake.home_views[BEN], ensure_ascii=False)


def test_a_trigger_id_met_in_both_workspaces_records_each_ones_log_and_promise(
    slack: Slack,
) -> None:
    # A request key (`cmd:<trigger id>`) was unique across workspaces: the second one's log and
    # promise "conflicted" with the first one's, and were lost with an error.
    slack.fake.users[ANA].grid_teams = (OTHER,)
    for team_id in (TEAM, OTHER):
        in_team(slack, team_id, "add Acme (WORDS.org)")
    for command in ("log Acme via call : WORDS call", "commit Acme us : WORDS promise by friday"):
        for team_id in (TEAM, OTHER):
            said = command_in(
                slack, team_id, command.replace("WORDS", WORDS[team_id]), trigger_id="42.1337.ab"
            )
            assert WORDS[team_id] in said, (team_id, command)
    for team_id in (TEAM, OTHER):
        rows = snapshot(slack, team_id)
        assert [WORDS[team_id] in row for row in rows["touchpoint"]] == [True]
        assert [WORDS[team_id] in row for row in rows["commitment"]] == [True]


def test_back_in_one_workspace_tells_its_deputy_and_leaves_the_others_time_away(
    both: Slack,
) -> None:
    """Ana is away in both workspaces, Chloe named to cover in each: `back` in one ends that
    time away and tells Chloe there, and nothing of the other."""
    for team_id in (TEAM, OTHER):
        in_team(both, team_id, f"away today to friday deputy {MENTION[CHLOE]}")
    at(both, utc(26, 1))  # Thursday, 10:00 in Tokyo: Chloe reads that she covers, in each
    for team_id in (TEAM, OTHER):
        named = [
            (m.recipient_user, m.status) for m in sent(both, team_id) if m.kind == "deputy_named"
        ]
        assert named == [(CHLOE, "sent")]
    at(both, utc(26, 9))
    assert "I'm telling <@U0CHLOE>" in in_team(both, TEAM, "back")
    at(both, utc(26, 10))
    assert [m.recipient_user for m in sent(both, TEAM) if m.kind == "deputy_released"] == [CHLOE]
    assert [m for m in sent(both, OTHER) if m.kind == "deputy_released"] == []
    assert "You're away now, through *Fri 27 Nov*" in in_team(both, OTHER, "away")
