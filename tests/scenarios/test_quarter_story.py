"""A quarter of partnership work, as a head of partnerships reads it: six colleagues, eight
partners, thirteen weeks. Signed `/partner` commands, clicks and emoji reactions through the
real app; the planners and the dispatcher run by the scheduler's tick at the moments chosen, and
what each person and channel received read back from the fake Slack over HTTP.

The workspace keeps Berlin's time (its digest: Monday 09:00 there, 08:00 UTC in winter). Ana
(Berlin, Slack admin) owns Acme and Wayne; Ben (New York) owns Globex and Wonka; Chloe (Tokyo)
Initech; Dan (London) Umbrella; Eve (London) Hooli; Fay (Berlin) Stark. Acme's team is Dan and
Chloe, Ben its deputy.

The clock starts on Wednesday 25 Nov 2026, 09:00 UTC.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from bot.sandbox.fake_slack import FakeMessage
from tests.conftest import Slack
from tests.scenarios.test_commitments import action_ids
from tests.scenarios.test_feedback import at, click, react, say
from tests.scenarios.test_health import digests
from tests.scenarios.test_home import home_of

ANA, BEN, CHLOE, DAN, EVE, FAY = "U0ANA", "U0BEN", "U0CHLOE", "U0DAN", "U0EVE", "U0FAY"
MENTION = {u: f"<@{u}|{u[3:].lower()}>" for u in (ANA, BEN, CHLOE, DAN, EVE, FAY)}


def utc(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    year = 2027 if month < 6 else 2026
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def days(slack: Slack, start: datetime, end: datetime, hours: tuple[int, ...] = (1, 8, 14)) -> None:
    """Run the scheduler through each day from `start` to `end` at the given UTC hours."""
    day = start
    while day <= end:
        for hour in hours:
            moment = day.replace(hour=hour, minute=5)
            if start <= moment <= end:
                at(slack, moment)
        day += timedelta(days=1)
    at(slack, end)


def inbox(slack: Slack, user: str) -> list[FakeMessage]:
    return [
        m
        for m in slack.fake.messages_in(slack.fake.im_channel(user).id)
        if m.user == slack.fake.bot_user_id and m.thread_ts in (None, m.ts)
    ]


def checkins(slack: Slack, user: str, about: str) -> list[FakeMessage]:
    """The check-ins (not their reminders) the person was asked about a contact."""
    return [
        m
        for m in inbox(slack, user)
        if "checkin_answer_problem" in action_ids(m)
        and m.text.startswith("How did your")
        and about in m.text
    ]


def questions(slack: Slack, user: str) -> list[FakeMessage]:
    return [m for m in inbox(slack, user) if "survey_score_1" in action_ids(m)]


EMOJI = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


# Each person's marks for the four statements, and how they give them: "click" or "react".
Answers = dict[str, tuple[tuple[int, ...], str]]


def answer_round(slack: Slack, scores: Answers) -> None:
    """Each person answers the last four statements they were asked, by button or emoji."""
    for user, (marks, how) in scores.items():
        asked = questions(slack, user)[-len(marks) :]
        for message, mark in zip(asked, marks, strict=True):
            if how == "click":
                click(slack, user, message, f"survey_score_{mark}")
            else:
                react(slack, user, message, EMOJI[mark])


def texts_of(said: str) -> str:
    """An answer's words, its blocks' texts one a line (as a reader sees them)."""
    first, _, blocks = said.partition("\n")
    lines = [first]
    for block in json.loads(blocks) if blocks.startswith("[") else []:
        for part in [block.get("text"), *block.get("fields", []), *block.get("elements", [])]:
            if isinstance(part, dict) and "text" in part:
                lines.append(str(part["text"]))
    return "\n".join(lines)


def home_lines(slack: Slack, user: str) -> str:
    """The Home as its reader sees it: each block's text, one a line."""
    blocks = json.loads(home_of(slack, user))
    return "\n".join(
        str(part["text"])
        for block in blocks
        for part in [block.get("text"), *block.get("elements", [])]
        if isinstance(part, dict) and isinstance(part.get("text"), str)
    )


def digest_of_the_week(slack: Slack) -> tuple[str, list[str]]:
    """The latest digest's text and its thread's."""
    digest = digests(slack)[-1]
    return digest.text, [reply.text for reply in slack.fake.thread(digest)]


def by_partner(thread: list[str]) -> dict[str, str]:
    """The digest thread's "This week, by partner" lines, by partner name."""
    (week,) = [text for text in thread if text.startswith("*This week, by partner*")]
    lines = week.split("\n")[1:]
    return {line.split("*")[1]: line.split(": ", 1)[1] for line in lines if line.startswith("• *")}


def counted(words: str, noun: str) -> int:
    found = re.search(rf"(\d+) {noun}", words)
    return int(found.group(1)) if found else 0


def at_risk_names(said: str) -> list[str]:
    return re.findall(r":warning: \*([^*]+)\* \d+/100", said)


def test_days_quiet_are_counted_on_the_readers_calendar_wherever_a_line_names_them(
    slack: Slack,
) -> None:
    """Found by the quarter story: Ben in New York read "last contact 63 days ago … dormant:
    quiet for 62 days" on one line of his Home. Eve's call, at 02:00 UTC on Tue 1 Dec, was
    Mon 30 Nov on his calendar; the days quiet were counted on UTC's."""
    slack.fake.add_user(id=EVE, name="eve", real_name="Eve", tz="Europe/London")
    say(slack, "add Globex", user=BEN)
    say(slack, "status Globex active", user=BEN)
    slack.runtime.clock.set(utc(12, 1, 2))  # type: ignore[attr-defined]
    say(slack, "log Globex via call : a pitch", user=EVE)
    at(slack, utc(2, 1, 8, 30))  # Mon 1 Feb, 03:30 in New York
    reason = "dormant: quiet for 63 days"
    home = home_lines(slack, BEN)
    assert (
        "last contact 63 days ago by <@U0EVE> · health 40 · :warning: at risk: score below 50, "
        f"{reason}"
    ) in home
    card = texts_of(say(slack, "show Globex", user=BEN))
    assert "last contact Mon 30 Nov 2026 by <@U0EVE>, 63 days ago" in card
    assert reason in card and "62 days" not in card
    report = texts_of(say(slack, "health Globex", user=BEN))
    assert "*Contact* 0 · dormant: quiet for 63 days (dormant after 60)" in report
    assert reason in report and "62 days" not in report
    assert reason in texts_of(say(slack, "health", user=BEN))
    assert "quiet for 63 days (last contact Mon 30 Nov 2026" in say(slack, "list dormant", user=BEN)
    # In Berlin, Eve's call was on Tuesday: 62 days, on Ana's calendar (and the workspace's).
    assert "dormant: quiet for 62 days" in texts_of(say(slack, "health", user=ANA))
    assert "dormant: quiet for 62 days" in home_lines(slack, ANA)
