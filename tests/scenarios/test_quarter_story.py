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
from tests.scenarios.test_feedback import at, click, react, say, shown
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


def test_a_quarter_of_partnership_work(slack: Slack) -> None:
    for user, name, tz in ((EVE, "eve", "Europe/London"), (FAY, "fay", "Europe/Berlin")):
        slack.fake.add_user(id=user, name=name, real_name=name.title(), tz=tz)
    say(slack, "config timezone Europe/Berlin")
    say(slack, "config pulse off")  # the rounds are started by hand here
    owners = {
        "Acme": ANA,
        "Wayne": ANA,
        "Globex": BEN,
        "Wonka": BEN,
        "Initech": CHLOE,
        "Umbrella": DAN,
        "Hooli": EVE,
        "Stark": FAY,
    }
    for name, owner in owners.items():
        assert f"Added *{name}*." in say(slack, f"add {name}", user=owner)
        if name != "Wayne":  # Wayne stays a prospect nobody contacts
            say(slack, f"status {name} active", user=owner)
    say(slack, f"deputy Acme {MENTION[BEN]}")
    say(slack, f"team Acme add {MENTION[DAN]} {MENTION[CHLOE]}")
    say(slack, "cadence Acme 7 21")

    # --- Week 0: a good start. A kickoff with Acme, a promise each way, a call with the rest.
    say(slack, f"log Acme with {MENTION[DAN]} via meeting : kickoff")
    assert "Recorded `#1`" in say(slack, "commit Acme us : the pilot deck by 2026-12-04", user=DAN)
    assert "Recorded `#2`" in say(slack, "commit Acme them : the signed MoU by 2026-12-18")
    for name, owner in owners.items():
        if name not in ("Acme", "Wayne"):
            say(slack, f"log {name} via call : hello", user=owner)
    say(slack, "survey Acme now")
    days(slack, utc(11, 25, 9, 30), utc(11, 26, 15))
    (kickoff,) = checkins(slack, ANA, "meeting with *Acme* on Wed 25 Nov")
    click(slack, ANA, kickoff, "checkin_answer_went_well")  # Dan lets his lapse
    high: Answers = {
        ANA: ((5, 5, 4, 5), "click"),
        DAN: ((4, 4, 4, 4), "react"),
        CHLOE: ((5, 4, 4, 4), "react"),
        BEN: ((4, 4, 5, 4), "click"),
    }
    answer_round(slack, high)
    days(slack, utc(11, 26, 15), utc(11, 30, 8, 30))

    # Monday 30 Nov, 09:30 in Berlin: the first digest, at 09:00 in the workspace's zone.
    (first,) = digests(slack)
    text, thread = digest_of_the_week(slack)
    assert text == (
        "Weekly digest · Mon 23 Nov 09:00 – Mon 30 Nov 09:00 (Europe/Berlin): "
        "8 new partners · 7 touchpoints logged."
    )
    week = by_partner(thread)
    assert sorted(week) == sorted(name for name in owners if name != "Wayne")
    assert sum(counted(line, "touchpoint") for line in week.values()) == 7
    assert thread[-1] == "*New partners*\n" + "\n".join(f"• *{n}*" for n in sorted(owners))
    assert "Health of Acme: 100/100" in say(slack, "health Acme")
    ana = home_lines(slack, ANA)
    assert "Updated Mon 30 Nov, 09:30 (Europe/Berlin)" in ana
    assert (
        "*Wayne* · 🌱 prospect · you own it · last contact not yet · health not scored yet" in ana
    )
    assert "No partner is at risk. :tada:" in ana and "*Failed deliveries:* none." in ana
    ben = home_lines(slack, BEN)
    assert "Updated Mon 30 Nov, 03:30 (America/New_York)" in ben
    assert "*Acme* · 🟢 active · you are deputy · owner <@U0ANA> · last contact 5 days ago" in ben
    assert "Across the workspace" not in ben  # not an admin
    dan = home_lines(slack, DAN)
    assert "Updated Mon 30 Nov, 08:30 (Europe/London)" in dan
    assert "`#1` *we* owe *Acme* “the pilot deck” · due Fri 4 Dec" in dan
    assert "Waiting for your answer (2)" in dan

    # --- Week 1: Chloe's budget review goes badly; Dan's deck is not sent; Eve calls Globex
    # without knowing Ben did.
    say(slack, "log Acme via meeting : budget review", user=CHLOE)
    days(slack, utc(11, 30, 8, 30), utc(12, 1, 2))
    (review,) = checkins(slack, CHLOE, "meeting with *Acme* on Mon 30 Nov")
    click(slack, CHLOE, review, "checkin_answer_problem")
    say(slack, "log Globex via call : a pitch", user=EVE)
    days(slack, utc(12, 1, 2), utc(12, 7, 8, 30))
    text, thread = digest_of_the_week(slack)
    assert text == (
        "Weekly digest · Mon 30 Nov 09:00 – Mon 7 Dec 09:00 (Europe/Berlin): 2 touchpoints "
        "logged · 1 collision · 1 overdue · pulse response 100% (4 of 4 asked)."
    )
    week = by_partner(thread)
    assert week == {
        "Globex": "1 touchpoint logged, 1 collision",
        "Acme": "1 touchpoint logged, 1 commitment overdue, pulse round closed, 4 of 4 answered",
    }
    assert thread[0] == (
        "*At risk*, worst first\n:warning: *Acme* 62/100 · owner <@U0ANA> — a Problem check-in "
        "in the last 14 days"
    )
    assert (
        "`#1` *we* owe *Acme* “the pilot deck” · due Fri 4 Dec · :warning: overdue by 3 days"
        in (home_lines(slack, DAN))
    )

    # --- Weeks 2–4: a second round, answered badly; the MoU dropped; nobody calls Acme. Ben
    # keeps in touch with Wonka every three weeks.
    say(slack, "survey Acme now")
    days(slack, utc(12, 7, 8, 30), utc(12, 8, 2))
    low: Answers = {
        ANA: ((2, 2, 1, 2), "click"),
        DAN: ((1, 2, 1, 1), "react"),
        CHLOE: ((2, 1, 2, 2), "react"),
        BEN: ((2, 2, 2, 1), "click"),
    }
    answer_round(slack, low)
    say(slack, "drop 2")
    days(slack, utc(12, 8, 2), utc(12, 16, 15), hours=(8,))
    say(slack, "log Wonka via call : catch-up", user=BEN)
    days(slack, utc(12, 16, 15), utc(12, 28, 8, 30), hours=(8,))

    # Monday 28 Dec: Acme is red, and says why: quiet past its maximum, our promise overdue,
    # the team's pulse fallen from 4+ to under 2.
    text, thread = digest_of_the_week(slack)
    assert text.startswith("Weekly digest · Mon 21 Dec 09:00 – Mon 28 Dec 09:00 (Europe/Berlin): ")
    reasons = (
        "score below 50 (commitments 0); dormant: quiet for 28 days; pulse 16: the team rates "
        "it badly"
    )
    assert f":warning: *Acme* 27/100 · owner <@U0ANA> — {reasons}" in thread[0]
    report = texts_of(say(slack, "health Acme", user=CHLOE))
    assert ":red_circle: *27/100*, from 5 of 5 parts." in report
    assert f":warning: *At risk*: {reasons}." in report
    assert "*Commitments* 0 · 0 kept on time, 0 late, 1 overdue" in report
    assert "*Contact* 0 · dormant: quiet for 28 days (dormant after 21)" in report
    assert "*Pulse* 16 · value 1.8, clarity 1.8, fair workload 1.5, alignment 1.5" in report
    assert "*Since Mon 30 Nov* (100/100 → 27/100)" in report
    card = texts_of(say(slack, "show Acme", user=EVE))
    assert "*Health* :red_circle: 27/100 · pulse 16 · check-ins 50 · commitments 0 · contact 0" in (
        card
    )
    assert "overdue by 24 days · owner <@U0DAN>" in card
    listed = texts_of(say(slack, "health", user=BEN))
    assert at_risk_names(listed) == ["Acme"] == at_risk_names(thread[0])
    assert "`/partner health NAME` explains one." in listed
    line = f"health 27 · :warning: at risk: {reasons.replace(';', ',')}"
    assert f"*Acme* · 🟢 active · you own it · last contact 28 days ago by <@U0CHLOE> · {line}" in (
        home_lines(slack, ANA)
    )
    assert f"*Acme* · owner <@U0ANA> · {line}" in home_lines(slack, ANA)  # the admins' list
    assert f"you are deputy · owner <@U0ANA> · last contact 28 days ago by <@U0CHLOE> · {line}" in (
        home_lines(slack, BEN)
    )

    # --- Weeks 5–6: Eve pauses Hooli; Dan promises Umbrella a report, then Umbrella ends; Fay
    # leaves the organisation.
    say(slack, "status Hooli paused", user=EVE)
    say(slack, "commit Umbrella us : the final report by 2027-01-08", user=DAN)
    slack.fake.users[FAY].deleted = True
    say(slack, "log Wonka via call : new year", user=BEN)
    days(slack, utc(12, 28, 8, 30), utc(1, 11, 8, 30), hours=(8,))
    say(slack, "status Umbrella ended", user=DAN)

    # --- Weeks 7–9: the recovery. Ana meets Acme with Dan; the deck goes out late; the MoU,
    # reopened, comes in late; a third round, Ben not answering.
    say(slack, f"log Acme with {MENTION[DAN]} via meeting : reset")
    say(slack, "done 1", user=DAN)
    assert "Reopened `#2` (it was dropped)" in say(slack, "reopen 2")
    days(slack, utc(1, 11, 8, 30), utc(1, 12, 14, 30))
    for user in (ANA, DAN):
        (reset,) = checkins(slack, user, "meeting with *Acme* on Mon 11 Jan")
        click(slack, user, reset, "checkin_answer_went_well")
    say(slack, "survey Acme now")
    days(slack, utc(1, 12, 14, 30), utc(1, 13, 14, 30))
    del high[BEN]
    answer_round(slack, high)
    waiting = "Pulse survey about *Acme*: 0 of 4 statements scored · closes Tue 19 Jan at 09:30"
    assert waiting in home_lines(slack, BEN)
    assert "Pulse survey" not in home_lines(slack, DAN)  # answered by emoji
    assert "they kept theirs, late" in say(slack, "done 2")
    days(slack, utc(1, 13, 14, 30), utc(1, 18, 8, 30), hours=(8,))
    text, thread = digest_of_the_week(slack)
    assert text.startswith("Weekly digest · Mon 11 Jan 09:00 – Mon 18 Jan 09:00 (Europe/Berlin): ")
    assert "1 touchpoint logged" in text and "2 commitments kept" in text
    assert "1 overdue (of ended partnerships)" in text
    week = by_partner(thread)
    assert week["Umbrella"] == "1 commitment overdue (the partnership has ended)"
    assert "2 commitments kept (2 late)" in week["Acme"]
    say(slack, "plan Acme on 2027-02-03 14:00 : steering group")
    # Past 15:00 UTC too: the round closes on Tue 19 Jan, a week after it started.
    days(slack, utc(1, 18, 8, 30), utc(1, 25, 8, 30), hours=(8, 15))

    # Monday 25 Jan: Acme is back, yellow, and no longer at risk anywhere.
    text, thread = digest_of_the_week(slack)
    assert "pulse response 75% (3 of 4 asked)" in text  # Ben let the round pass
    assert "pulse round closed, 3 of 4 answered" in by_partner(thread)["Acme"]
    assert "Pulse survey" not in home_lines(slack, BEN)  # closed: nothing waits for him
    assert "Acme" not in at_risk_names("\n".join(thread))
    report = texts_of(say(slack, "health Acme"))
    assert ":large_yellow_circle: *71/100*, from 5 of 5 parts." in report
    assert "At risk" not in report
    assert "*Pulse* 83 · value 4.7, clarity 4.3, fair workload 4.0, alignment 4.3" in report
    assert "round closed Tue 19 Jan, 3 of 4 people answered" in report
    assert "Acme" not in at_risk_names(texts_of(say(slack, "health")))
    ben = home_lines(slack, BEN)
    assert "*Acme* · meeting on Wed 3 Feb at 08:00 · planned by <@U0ANA> — on your partner" in ben
    assert "*Acme* · meeting on Wed 3 Feb at 14:00 · “steering group”" in home_lines(slack, ANA)

    # --- Weeks 10–13: the steering group happens as planned; Wonka kept in touch.
    days(slack, utc(1, 25, 8, 30), utc(2, 8, 8, 30), hours=(8,))
    say(slack, "log Wonka via call : q1 plan", user=BEN)
    days(slack, utc(2, 8, 8, 30), utc(2, 22, 8, 30), hours=(8,))
    report = texts_of(say(slack, "health Acme"))
    assert "At risk" not in report
    assert "*Last 12 weeks*:" in report and "lowest 27" in report

    # Over the quarter: one digest a Monday at 09:00 in Berlin, each starting where the last
    # ended: nothing told twice, no week missing.
    stretches = [
        re.match(r"Weekly digest · (.+?) – (.+?) \(Europe/Berlin\)", d.text) for d in digests(slack)
    ]
    assert all(stretches)
    ends = [m.group(2) for m in stretches if m]
    starts = [m.group(1) for m in stretches if m]
    assert len(ends) == 13 and ends[-1] == "Mon 22 Feb 09:00"
    assert all(end.startswith("Mon ") and end.endswith(" 09:00") for end in ends)
    assert [s.replace(" 2026", "") for s in starts[1:]] == ends[:-1]
    # Each digest's counts are the sum of its thread's lines, partner by partner.
    for digest in digests(slack):
        thread = [reply.text for reply in slack.fake.thread(digest)]
        counts = digest.text.split("): ", 1)[1]
        week = by_partner(thread) if any("by partner" in t for t in thread) else {}
        for noun in ("touchpoint", "collision", "overdue"):
            total = sum(
                counted(line, f"commitments? {noun}" if noun == "overdue" else noun)
                for line in week.values()
            )
            assert counted(counts, noun) == total, (digest.text, week)
        risky = [t for t in thread if t.startswith("*At risk*")]
        named = at_risk_names("\n".join(risky))
        assert len(named) == (
            int(m.group(1)) if (m := re.search(r"\*At risk \((\d+)\)", shown(digest))) else 0
        )

    # The quarter's end, as each reads their Home: the team member, the owner whose partner
    # ended with our promise still open, the admin.
    chloe = home_lines(slack, CHLOE)
    assert "Updated Mon 22 Feb, 17:30 (Asia/Tokyo)" in chloe
    assert (
        "*Acme* · 🟢 active · you are on the team · owner <@U0ANA> · last contact 19 days ago"
        in chloe
    )
    dan = home_lines(slack, DAN)
    assert (
        "*Umbrella* · ⚫ ended · you own it · last contact 89 days ago by <@U0DAN> · health 33"
        in dan
    )
    assert (
        "`#3` *we* owe *Umbrella* “the final report” · due Fri 8 Jan · :warning: overdue by 45 days"
        in dan
    )
    ana = home_lines(slack, ANA)
    assert "*Acme* · owner" not in ana  # recovered: off the admins' at-risk list
    assert "*Stark* · owner <@U0FAY> · health" in ana


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


def test_a_score_below_50_names_the_parts_that_brought_it_there(slack: Slack) -> None:
    """Found by the quarter story: Hooli, paused, with our promise ten days overdue, was "at
    risk: score below 50" in the lists, on the Home and in the digest, and nothing said why;
    Acme's reasons named its silence and its pulse, never the deck we owed."""
    slack.fake.add_user(id=EVE, name="eve", real_name="Eve", tz="Europe/London")
    say(slack, "add Hooli", user=EVE)
    say(slack, "log Hooli via call : hello", user=EVE)
    say(slack, "commit Hooli us : the budget by 2026-11-27", user=EVE)
    say(slack, "status Hooli paused", user=EVE)  # no cadence: commitments and collisions left
    at(slack, utc(12, 7, 9, 30))
    why = "score below 50 (commitments 0)"
    assert f":warning: *Hooli* 33/100 · owner <@U0EVE> — {why}" in say(slack, "health")
    assert f":warning: *At risk*: {why}." in texts_of(say(slack, "health Hooli", user=EVE))
    assert f":warning: *At risk*: {why}." in texts_of(say(slack, "show Hooli", user=EVE))
    assert f"health 33 · :warning: at risk: {why}" in home_lines(slack, EVE)
    text, thread = digest_of_the_week(slack)
    assert f":warning: *Hooli* 33/100 · owner <@U0EVE> — {why}" in thread[0]
