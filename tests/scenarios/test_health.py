"""Partner health and the weekly digest as colleagues meet them: signed `/partner` commands and
clicks through the real app; check-ins and the digest queued by the planners and sent to the
fake Slack by the scheduler's tick, so each test asserts on what people and channels received.

The clock starts on Wednesday 25 Nov 2026, 09:00 UTC.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from bot.app import build_planners
from bot.sandbox.fake_slack import FakeMessage
from bot.services import surveys
from bot.services.registry import Actor
from handlers.blocks.partners import PICK
from handlers.health import next_digest
from handlers.partners import registry_of
from storage.models import CheckInAnswer, OutboxMessage, Partner, Workspace
from tests import factories
from tests.conftest import START, Slack
from tests.scenarios.test_absence_week import user_change
from tests.scenarios.test_commitments import action_ids, answer, at, dms, exported, last, shown
from tests.scenarios.test_home import home_of

TEAM, OTHER = "T0ACME", "T0OTHER"
ANA, BEN, CHLOE, DAN = "U0ANA", "U0BEN", "U0CHLOE", "U0DAN"
MENTION = {ANA: "<@U0ANA|ana>", BEN: "<@U0BEN|ben>", CHLOE: "<@U0CHLOE|chloe>", DAN: "<@U0DAN|dan>"}
PARTNERS, GENERAL = "C0PARTNERS", "C0GENERAL"


# --- Helpers ------------------------------------------------------------------------------------


def utc(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def channel(slack: Slack, channel_id: str) -> list[FakeMessage]:
    """The bot's posts in a channel (not threaded replies), oldest first."""
    return [
        m
        for m in slack.fake.messages_in(channel_id)
        if m.user == slack.fake.bot_user_id and m.thread_ts in (None, m.ts)
    ]


def digests(slack: Slack, channel_id: str = PARTNERS) -> list[FakeMessage]:
    return [m for m in channel(slack, channel_id) if m.text.startswith("Weekly digest")]


def problem_checkin(slack: Slack) -> None:
    """Dan's meeting with Acme on Wednesday; on Thursday morning he answers **Problem**."""
    answer(slack, "log Acme via meeting : the pilot review", user=DAN)
    at(slack, utc(26, 9, 15))  # Thursday 09:15 in London
    (asked,) = [
        m
        for m in slack.fake.dm_messages(DAN)
        if m.ephemeral_to is None and "checkin_answer_problem" in action_ids(m)
    ]
    delivery = slack.deliver.send(
        slack.requests.block_action(user_id=DAN, action_id="checkin_answer_problem", message=asked)
    )
    assert delivery.status == 200
    slack.runtime.drain()


@pytest.fixture
def acme(slack: Slack) -> None:
    """Acme, owned by Ana, with Dan on its team; every colleague's profile is cached."""
    answer(slack, 'add Acme aka "ACME Corp"')
    answer(slack, f"team Acme add {MENTION[DAN]}")
    for user in (BEN, CHLOE, DAN):
        answer(slack, "show Acme", user=user)


# --- `health NAME` ------------------------------------------------------------------------------


@pytest.mark.usefixtures("acme")
def test_health_of_one_partner_explains_each_part(slack: Slack) -> None:
    said = answer(slack, "health acme corp", user=BEN)
    assert "*Pulse* — · no pulse yet: no survey round has run its course" in said
    assert "*Check-ins* — · no check-in answered about a meeting of the last 90 days" in said
    assert "a part without data (—) is left out" in said
    assert "the first week; a trend shows once weekly scores are stored" in said
    answer(slack, "log Acme via call : a first call", user=BEN)
    said = answer(slack, "health acme", user=BEN)
    assert "Health of Acme: 100/100" in said
    assert "100/100*, from 2 of 5 parts." in said
    assert "*Contact* 100 · on track: last contact today (ideal: every 30)" in said


def test_a_new_partner_has_no_score_until_something_happened(slack: Slack) -> None:
    """Not a "perfect" 100 on day one: the same on the card, in `health`, the Home and the
    export, until the first contact, or until it is quiet past its ideal interval."""
    answer(slack, "add Acme")
    answer(slack, "add Globex")
    said = answer(slack, "health Acme")
    assert "Health of Acme: no score yet" in said
    assert "*Acme* has no score yet: none of its five parts has data." in said
    assert (
        "*Contact* — · no contact yet, so not counted: registered today; a nudge after 30 days "
        "without one"
    ) in said
    assert "100" not in said
    card = answer(slack, "show Acme")
    assert "*Health* :white_circle: no score yet · pulse — · check-ins — · commitments — · " in card
    assert "contact — · collisions —" in card
    home = json.dumps(home_of(slack, ANA), ensure_ascii=False)
    assert "*Acme* · 🌱 prospect · you own it · last contact not yet · health not scored yet" in (
        home
    )
    slack.command("export partners")
    _, rows = exported(slack, ANA)
    assert [(row["name"], row["health"]) for row in rows] == [("Acme", ""), ("Globex", "")]
    # The first contact is something to judge; so is a month without one.
    answer(slack, "log Acme via call : a first call")
    assert "Health of Acme: 100/100" in answer(slack, "health Acme")
    at(slack, utc(26, 9, month=12))  # 31 days after Globex was registered
    said = answer(slack, "health Globex")
    assert "Health of Globex: 50/100" in said
    assert (
        "*Contact* 50 · time to get in touch: no contact yet (registered 31 days ago; ideal: "
        "every 30)"
    ) in said


def test_a_plan_or_an_intent_alone_is_not_something_that_happened(slack: Slack) -> None:
    """A contact still ahead, or only intended, gave a partner nobody had been in touch with a
    "perfect" 100 through the collisions part; it has no score until a contact happened."""
    answer(slack, "add Acme")
    answer(slack, "add Globex")
    answer(slack, "plan Acme on friday 10:00 via meeting : kick-off")
    answer(slack, "intend Globex : ask about the gala", user=BEN)
    answer(slack, "intend Globex : ask about the report", user=CHLOE)  # a collision
    for name in ("Acme", "Globex"):
        assert f"Health of {name}: no score yet" in answer(slack, f"health {name}")
        card = answer(slack, f"show {name}")
        assert "no score yet · pulse — · check-ins — · commitments — · contact — · " in card
        assert "collisions —" in card
    home = json.dumps(home_of(slack, ANA), ensure_ascii=False)
    assert "*Acme* · 🌱 prospect · you own it · last contact not yet · health not scored yet" in (
        home
    )
    slack.command("export partners")
    _, rows = exported(slack, ANA)
    assert [(row["name"], row["health"]) for row in rows] == [("Acme", ""), ("Globex", "")]
    # Three weeks on, the intent alone still says nothing; the plan whose time came is a contact
    # (until someone says it didn't happen), as last contact counts it.
    at(slack, utc(16, 9, month=12))
    said = answer(slack, "health Globex")
    assert "Health of Globex: no score yet" in said
    assert "; 1 collision among plans and intents counts only towards a revolving door" in said
    said = answer(slack, "health Acme")
    assert "Health of Acme: 100/100" in said
    assert "*Collisions* 100 · no collision among 1 contact of the last 90 days" in said


@pytest.mark.usefixtures("acme")
def test_an_intent_or_a_plan_and_its_own_log_are_one_collision(slack: Slack) -> None:
    answer(slack, "log Acme via call : ben's call", user=BEN)
    answer(slack, "intend Acme : ask about the report", user=CHLOE)
    answer(slack, "log Acme via email : chloe asked about the report", user=CHLOE)
    assert "· 1 collision in the last 90 days" in answer(slack, "health Acme", user=BEN)
    # Chloe's visit, planned then logged, meets Ben's call again, which the alert named her
    # with: that collision still, as it is not alerted again, not a second one (nor a third).
    answer(slack, "plan Acme on friday 10:00 via meeting : chloe's visit", user=CHLOE)
    at(slack, utc(27, 15))
    answer(slack, "log Acme on today 10:00 via meeting : the visit happened", user=CHLOE)
    assert "· 1 collision in the last 90 days" in answer(slack, "health Acme", user=BEN)
    # Dan's call meets all of their contacts: one collision more, not one per contact.
    answer(slack, "log Acme via call : dan's call", user=DAN)
    assert "· 2 collisions in the last 90 days" in answer(slack, "health Acme", user=BEN)


@pytest.mark.usefixtures("acme")
def test_a_meeting_planned_then_logged_collides_once_with_a_colleagues_call(slack: Slack) -> None:
    answer(slack, "plan Acme on 2026-12-01 10:00 via meeting : the grant pitch", user=BEN)
    answer(slack, "log Acme via call : quick call about data", user=CHLOE)  # the collision
    at(slack, utc(30, 9, 0))
    assert "· 1 collision" in shown(digests(slack)[-1])
    # Ben logs the meeting he planned: it collides with Chloe's call again, as his plan did.
    at(slack, utc(1, 15, month=12))
    answer(slack, "log Acme on today 10:00 via meeting : the pitch went well", user=BEN)
    assert "· 1 collision in the last 90 days" in answer(slack, "health Acme", user=BEN)
    at(slack, utc(7, 9, 0, month=12))
    assert "collision" not in digests(slack)[-1].text


@pytest.mark.usefixtures("acme")
def test_the_owner_following_up_an_outsiders_contact_is_one_collision(slack: Slack) -> None:
    """Ben, outside the team, calls Acme and Ana, its owner, calls at once, not knowing of
    it, and twice in the days after; Ana calls Globex three times and Ben calls it after. One
    collision each, as the alarm alerts it once: not one per call of the owner's following it
    up, which made Acme a revolving door. The same in `health`, `show`, the Home and the
    digest."""
    answer(slack, "add Globex")
    answer(slack, "log Acme via call : ben calls them", user=BEN)
    for day in (25, 26, 27):
        if day > 25:  # Wednesday's call is at once, before the note about Ben's reached her
            at(slack, utc(day, 15))
        answer(slack, "log Acme via call : ana follows up", user=ANA)
        answer(slack, "log Globex via call : ana calls them", user=ANA)
    answer(slack, "log Globex via call : ben calls them", user=BEN)
    for name in ("Acme", "Globex"):
        said = answer(slack, f"health {name}", user=BEN)
        assert f"Health of {name}: 90/100" in said
        assert "*Collisions* 75 · 1 collision in the last 90 days (−25 each)" in said
        assert "revolving door" not in said
        card = answer(slack, f"show {name}", user=BEN)
        assert "· contact 100 · collisions 75" in card
        assert "At risk" not in card
    home = json.dumps(home_of(slack, ANA), ensure_ascii=False)
    assert "No partner is at risk. :tada:" in home
    assert home.count("health 90") == 2
    at(slack, utc(30, 9, 0))
    digest = digests(slack)[-1]
    assert "8 touchpoints logged · 2 collisions." in digest.text
    assert "*At risk*: nobody." in shown(digest)
    assert slack.fake.thread(digest)[0].text == (
        "*This week, by partner*\n• *Acme*: 4 touchpoints logged, 1 collision\n"
        "• *Globex*: 4 touchpoints logged, 1 collision"
    )


@pytest.mark.usefixtures("acme")
def test_only_the_collisions_the_alarm_alerted_count(slack: Slack) -> None:
    """Ben calls Acme, then meets them with Chloe; Chloe, who was with him, writes to them:
    no alert, they coordinate. Dan calls: one alert. Health counted two collisions
    (collisions 50) for the one revolving door the channel heard of (QA h7 3); and Ana, its
    owner, told of Ben's call by a direct message, following it up is no collision either."""
    answer(slack, "log Acme via call : ben calls them", user=BEN)
    answer(slack, f"log Acme with {MENTION[CHLOE]} via meeting : ben and chloe meet", user=BEN)
    said = answer(slack, "log Acme via email : chloe writes to them", user=CHLOE)
    assert "You know of this already" in said
    answer(slack, "log Acme via call : dan calls them", user=DAN)
    at(slack, utc(25, 14))  # the note about Ben's call reaches Ana
    said = answer(slack, "log Acme via call : ana follows up", user=ANA)
    assert "You know of these already" in said
    at(slack, utc(25, 15))
    alerts = [m for m in channel(slack, PARTNERS) if "Revolving door at Acme" in shown(m)]
    assert len(alerts) == 1
    said = answer(slack, "health Acme", user=BEN)
    assert "*Collisions* 75 · 1 collision in the last 90 days (−25 each)" in said
    assert "· collisions 75" in answer(slack, "show Acme", user=BEN)
    at(slack, utc(30, 9, 0))
    assert "5 touchpoints logged · 1 collision." in digests(slack)[-1].text


@pytest.mark.usefixtures("acme")
def test_an_intent_the_owner_will_handle_is_no_collision_with_her_own_call(slack: Slack) -> None:
    """Ben intends to reach out to Acme; Ana, its owner, calls them before she answers, then
    answers "I'll handle it": the intent is hers now, so her call collides with nothing, as
    it would not have had she answered first."""
    answer(slack, "intend Acme : ask about the gala", user=BEN)
    # Before the question reached her: the alarm alerts her call with Ben's intent.
    answer(slack, "log Acme via call : ana calls about the gala", user=ANA)
    assert "· 1 collision in the last 90 days" in answer(slack, "health Acme", user=BEN)
    at(slack, utc(25, 9, 5))
    (asked,) = [m for m in dms(slack, ANA) if "intent_handle_it" in action_ids(m)]
    delivery = slack.deliver.send(
        slack.requests.block_action(user_id=ANA, action_id="intent_handle_it", message=asked)
    )
    assert delivery.status == 200
    slack.runtime.drain()
    said = answer(slack, "health Acme", user=BEN)
    assert "*Collisions* 100 · no collision among 1 contact of the last 90 days" in said


@pytest.mark.usefixtures("acme")
def test_a_misspelt_name_is_answered_with_did_you_mean(slack: Slack) -> None:
    delivery = slack.command("health Acmee", user=BEN)
    assert delivery.status == 200
    (offer,) = slack.ephemerals_to(BEN)[-1:]
    assert "Did you mean" in shown(offer)
    (pick,) = [a for a in action_ids(offer) if a.startswith(PICK)]
    delivery = slack.deliver.send(
        slack.requests.block_action(user_id=BEN, action_id=pick, message=offer)
    )
    assert delivery.status == 200
    slack.runtime.drain()
    assert "Health of Acme: no score yet" in shown(slack.ephemerals_to(BEN)[-1])


@pytest.mark.usefixtures("acme")
def test_the_trend_shows_weeks_and_what_moved(slack: Slack) -> None:
    at(slack, START)  # registered this week: no snapshot stands for how the week began
    problem_checkin(slack)
    said = answer(slack, "health Acme")
    assert "*Trend*: none yet — the first week" in said and "*Since" not in said
    at(slack, utc(30, 9))  # Monday: the first snapshot, the Problem in it
    at(slack, utc(30, 10))
    said = answer(slack, "health Acme")
    assert "*Trend*: ▅ — one weekly score so far; a line shows from next week." in said
    assert "the first week" not in said and "*Since Mon 30 Nov* (50/100 → 50/100)" in said
    answer(slack, "log Acme via call : ben calls them too", user=BEN)  # collides with Dan's
    at(slack, utc(7, 9, month=12))
    said = answer(slack, "health Acme")
    assert "*Last 2 weeks*: ▅▄  (50 → 45, lowest 45, highest 50)" in said
    assert "*Since Mon 30 Nov* (50/100 → 45/100): collisions 100 → 75 (−25)." in said
    assert ":warning: *At risk*: score below 50; a Problem check-in in the last 14 days." in said


@pytest.mark.usefixtures("acme")
def test_with_one_weekly_score_what_moved_is_said_once(slack: Slack) -> None:
    at(slack, utc(30, 9))  # Monday: the first snapshot, with no score (nothing happened yet)
    answer(slack, "log Acme via meeting : kickoff", user=DAN)
    at(slack, utc(7, 9, month=12))  # the first snapshot with a score
    at(slack, utc(7, 10, month=12))
    said = answer(slack, "health Acme")
    assert "*Trend*: ·█ — one weekly score so far; a line shows from next week." in said
    assert "*Since Mon 7 Dec* (100/100 → 100/100): no part moved." in said
    # Not also "Since Mon 30 Nov (no score yet → 100/100)": that week had no score to move from.
    assert said.count("*Since") == 1


@pytest.mark.usefixtures("acme")
def test_with_no_score_yet_there_is_no_trend_nor_anything_moved(slack: Slack) -> None:
    at(slack, utc(30, 9))  # Monday: a snapshot, with no score (nothing happened yet)
    at(slack, utc(30, 10))
    said = answer(slack, "health Acme")
    assert "*Trend*: · — no score yet, so no trend." in said
    assert "one weekly score" not in said and "*Since" not in said


def pulse(slack: Slack, start: datetime, answers: dict[str, tuple[int, ...]]) -> None:
    """Ana starts a pulse round of Acme; in the afternoon each person answers with buttons
    (a score for each statement asked)."""
    answer(slack, "survey Acme now")
    at(slack, start)
    at(slack, start.replace(hour=14, minute=20))  # working hours in New York too
    for user, scores in answers.items():
        asked = survey_questions(slack, user)[-len(scores) :]
        for message, score in zip(asked, scores, strict=True):
            delivery = slack.deliver.send(
                slack.requests.block_action(
                    user_id=user, action_id=f"survey_score_{score}", message=message
                )
            )
            assert delivery.status == 200
            slack.runtime.drain()


def survey_questions(slack: Slack, user: str) -> list[FakeMessage]:
    return [m for m in slack.fake.dm_messages(user) if "survey_score_1" in action_ids(m)]


@pytest.mark.usefixtures("acme")
def test_what_moved_is_measured_from_the_latest_snapshot_across_two_rounds(slack: Slack) -> None:
    set_workspace(slack, TEAM, timezone="Europe/Berlin")
    answer(slack, f"team Acme add {MENTION[BEN]} {MENTION[CHLOE]}")
    answer(slack, "survey Acme off")  # only the rounds started here
    # Averages in thirds: 14/3, 4, 14/3, 4, a mean of 13/3: pulse 83 (84 from rounded 4.7s).
    high, low = (5, 4, 5, 4), (4, 4, 4, 4)
    pulse(slack, START, {ANA: high, BEN: high, DAN: low})  # closes Wed 2 Dec
    at(slack, utc(3, 9, month=12))
    at(slack, utc(7, 7, month=12))  # Monday's snapshot
    # Then 4/3, 2, 4/3, 2, a mean of 5/3: pulse 17 (16 from rounded 1.3s).
    high, low = (1, 2, 1, 2), (2, 2, 2, 2)
    pulse(slack, utc(7, 9, month=12), {ANA: high, BEN: high, DAN: low})  # closes Mon 14 Dec
    at(slack, utc(14, 6, month=12))  # Monday's snapshot, before the round closed: pulse 83
    at(slack, utc(15, 10, month=12))
    at(slack, utc(16, 8, month=12))
    said = answer(slack, "health Acme")
    assert "*Pulse* 17 · value 1.3, clarity 2.0, fair workload 1.3, alignment 2.0" in said
    # This week's snapshot, taken Monday, is how the week began: the drop shows against it.
    assert "*Since Mon 14 Dec* (83/100 → 17/100): pulse 83 → 17 (−66)." in said
    # The oldest snapshot shown is Acme's first: registered on 25 Nov, it had none that week,
    # and the planner's first run of the next week came on Thursday, after the first round.
    assert "*Since Thu 3 Dec* (83/100 → 17/100): pulse 83 → 17 (−66)." in said
    assert "Wed 25 Nov" not in said and "(new)" not in said

    # The round's results and the CSV are computed from the exact averages as well.
    (results,) = [m for m in channel(slack, PARTNERS) if "Pulse results" in shown(m)][-1:]
    assert "This partnership is delivering value for us: *1.3* / 5 ▼3.3" in shown(results)
    slack.command("export partners")
    _, rows = exported(slack, ANA)
    assert rows[0]["pulse_average"] == "1.67"


@pytest.mark.usefixtures("acme")
def test_a_pulse_resting_on_one_statement_is_called_thin(slack: Slack) -> None:
    answer(slack, f"team Acme add {MENTION[BEN]} {MENTION[CHLOE]}")
    answer(slack, "survey Acme off")  # only the round started here
    answer(slack, "survey Acme now")
    at(slack, START)
    at(slack, START.replace(hour=14, minute=20))  # working hours in New York (not Tokyo's)
    for user, emoji in ((ANA, "four"), (BEN, "four"), (DAN, "five")):  # the first statement only
        first = survey_questions(slack, user)[-4]
        assert (
            slack.deliver.send(
                slack.requests.reaction_added(user_id=user, message=first, name=emoji)
            ).status
            == 200
        )
        slack.runtime.drain()
    at(slack, utc(2, 9, 5, month=12))  # the round closes
    said = answer(slack, "health Acme")
    assert (
        "*Pulse* 83 · value 4.3, clarity (too few answers), fair workload (too few answers), "
        "alignment (too few answers) out of 5 — round closed Wed 2 Dec, 3 of 3 people answered. "
        "A thin score: it rests on value alone (3 answers), the only one of the 4 statements "
        "enough people answered"
    ) in said
    assert "pulse 83 (thin: 1 of 4 statements)" in answer(slack, "show Acme")


@pytest.mark.usefixtures("acme")
def test_every_statement_of_a_round_asking_more_than_four_is_named(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # QA: a round a merge folded two rounds into asked six statements; the averages were named
    # by position with four names, so the last two were shown with none.
    six = (
        *surveys.QUESTIONS,
        "We and the partner each know what we are responsible for",
        "The partner answers quickly",
    )
    answer(slack, f"team Acme add {MENTION[BEN]} {MENTION[CHLOE]}")
    answer(slack, "survey Acme off")  # only the round started here
    with monkeypatch.context() as then:
        then.setattr(surveys, "QUESTIONS", six)
        pulse(slack, START, {ANA: (5, 4, 5, 4, 3, 2), BEN: (5, 4, 5, 4, 3, 2), DAN: (5,) * 6})
    at(slack, utc(2, 9, 5, month=12))  # the round closes
    said = answer(slack, "health Acme")
    assert (
        "*Pulse* 81 · value 5.0, clarity 4.3, fair workload 5.0, alignment 4.3, "
        "“We and the partner each know…” 3.7, “The partner answers quickly” 3.0 out of 5"
    ) in said


def close_a_round(slack: Slack) -> list[FakeMessage]:
    """A pulse round of Acme that Ana, Ben and Dan answer, closed on Wed 2 Dec: the results
    posted in channels (not in a thread)."""
    answer(slack, f"team Acme add {MENTION[BEN]} {MENTION[CHLOE]}")
    answer(slack, "survey Acme off")  # only the round started here
    pulse(slack, START, {ANA: (5, 4, 5, 4), BEN: (5, 4, 5, 4), DAN: (4, 4, 4, 4)})
    for hour in (9, 10, 11):
        at(slack, utc(3, hour, month=12))
    return [
        m
        for channel_id in slack.fake.channels
        if not channel_id.startswith("D")
        for m in channel(slack, channel_id)
        if "Pulse results" in shown(m)
    ]


@pytest.mark.usefixtures("acme")
def test_survey_results_pass_over_the_channels_known_to_refuse_for_the_default(
    slack: Slack,
) -> None:
    # QA qa20b s16: both the partner's channel and the coordination channel refused their
    # greetings; the results went to the coordination channel and failed.
    answer(slack, "channel Acme #ghostchan")
    answer(slack, "config channel #nosuchchannel")
    (results,) = close_a_round(slack)
    assert results.channel == PARTNERS
    said = shown(results)
    # One note names both (QA qa21b NIT 3: two near-identical ones stacked).
    assert said.count("Posted here") == 1
    assert (
        "Posted here: Slack refused Liaison's last message in #ghostchan, the channel of "
        "*Acme* (Slack can't find it, or it is private and Liaison isn't in it) and in "
        "#nosuchchannel, the coordination channel (Slack can't find it, or it is private and "
        "Liaison isn't in it). Its survey results come here until someone chooses a channel "
        "Liaison can post in for it (`/partner channel Acme #channel`), or an admin does for "
        "the workspace (`/partner config channel #channel`)."
    ) in said
    assert "survey results to" not in answer(slack, "config")


@pytest.mark.usefixtures("acme")
def test_survey_results_refused_in_the_partners_channel_go_to_the_coordination_channel(
    slack: Slack,
) -> None:
    own = slack.fake.add_channel(id="C0ACME", name="acme")
    answer(slack, "channel Acme <#C0ACME|acme>")
    own.is_archived = True  # after its greeting went through
    (results,) = close_a_round(slack)
    assert results.channel == PARTNERS
    assert "Posted here: Slack refused Liaison's last message in <#C0ACME>" in shown(results)
    assert "*Failed deliveries:* none" in answer(slack, "config")


# --- The at-risk list ---------------------------------------------------------------------------


def test_the_lists_from_health_say_when_no_partner_is_registered_yet(slack: Slack) -> None:
    """An empty registry is not "nobody at risk": it says so, and how to add the first."""
    for command in ("health", "list at-risk", "list dormant", "health at-risk"):
        said = answer(slack, command)
        assert "No partners registered yet. Add the first with `/partner add NAME`." in said
        assert "No partner is at risk" not in said and "No dormant" not in said
    # Another workspace's partner does not count.
    registry_of(slack.runtime).add(actor=Actor(OTHER, "U0ZED"), name="Oxfam")
    assert "No partners registered yet" in answer(slack, "list at-risk")
    answer(slack, "add Acme")
    assert "No partner is at risk" in answer(slack, "health")
    assert "No dormant partners" in answer(slack, "list dormant")


@pytest.mark.usefixtures("acme")
def test_health_alone_and_list_at_risk_show_the_same_list(slack: Slack) -> None:
    assert "No partner is at risk" in answer(slack, "health")
    answer(slack, "add Globex")
    problem_checkin(slack)
    said = answer(slack, "health", user=CHLOE)
    assert "Partners at risk (1)" in said
    assert (
        ":warning: *Acme* 50/100 · owner <@U0ANA> — a Problem check-in in the last 14 days"
    ) in said
    assert "Globex" not in said
    # Its closing line names the command to type, not a placeholder of the code.
    assert "Worst first; `/partner health NAME` explains one." in said
    assert "{COMMAND}" not in said
    listed = answer(slack, "list at-risk", user=CHLOE)
    assert listed == said
    # Typed as `list` takes it: the list, not an offer to register a partner called "at-risk".
    assert answer(slack, "health at-risk", user=CHLOE) == said
    assert answer(slack, "health At Risk", user=CHLOE) == said


@pytest.mark.usefixtures("acme")
def test_a_revolving_door_puts_a_partner_at_risk(slack: Slack) -> None:
    for user in (ANA, BEN, CHLOE, DAN):  # Ana owns Acme, Dan is on its team
        answer(slack, f"log Acme via call : {user} calls them", user=user)
    said = answer(slack, "list at-risk", user=BEN)
    assert (
        ":warning: *Acme* 70/100 · owner <@U0ANA> — revolving door: 3 collisions in the last "
        "90 days"
    ) in said
    assert "a revolving door (3 or more collisions in the last 90 days), or a pulse" in said
    card = answer(slack, "show Acme", user=BEN)
    assert ":warning: *At risk*: revolving door: 3 collisions in the last 90 days." in card


@pytest.mark.usefixtures("acme")
def test_a_partner_its_team_rates_badly_is_at_risk_whatever_the_score(slack: Slack) -> None:
    """Pulse 8 (1.3 of 5 on every statement) with contact on track scores 50: not below the
    line, yet a partner its own team rates that badly is at risk, said alike everywhere."""
    answer(slack, f"team Acme add {MENTION[BEN]} {MENTION[CHLOE]}")
    answer(slack, "survey Acme off")  # only the round started here
    answer(slack, "log Acme via email : the pilot's terms")
    pulse(slack, START, {ANA: (1, 1, 1, 1), BEN: (1, 1, 1, 1), DAN: (2, 2, 2, 2)})
    at(slack, utc(2, 9, 5, month=12))  # the round closes
    reason = "pulse 8: the team rates it badly"
    report = answer(slack, "health Acme")
    assert "Health of Acme: 50/100" in report and f"At risk*: {reason}" in report
    assert f"At risk*: {reason}." in answer(slack, "show Acme")
    listed = answer(slack, "list at-risk", user=BEN)
    assert f":warning: *Acme* 50/100 · owner <@U0ANA> — {reason}" in listed
    assert answer(slack, "health", user=BEN) == listed
    assert f"at risk: {reason}" in home_of(slack, ANA)


@pytest.mark.usefixtures("acme")
def test_list_dormant_follows_each_partners_own_cadence(slack: Slack) -> None:
    answer(slack, "add Globex")
    answer(slack, "cadence Globex 5 10")
    assert "No dormant partners" in answer(slack, "list dormant")
    at(slack, utc(8, 9, month=12))  # 13 days later: past Globex's maximum, not Acme's
    said = answer(slack, "list dormant", user=BEN)
    assert "Dormant partners (1)" in said
    assert "*Globex* · owner <@U0ANA> · no contact yet (registered 13 days ago, on Wed 25 Nov" in (
        said
    )
    assert "dormant after 10" in said
    assert "Acme" not in said
    # Globex is dormant: at risk as well.
    assert "*Globex*" in answer(slack, "list at-risk")


@pytest.mark.usefixtures("acme")
def test_a_partner_nobody_contacted_is_said_to_have_no_contact_yet_not_to_be_quiet(
    slack: Slack,
) -> None:
    """QA: a partner nobody had ever contacted showed as "dormant: quiet for 12 days" (its days
    counted from its registration), as if someone had been in touch once and then stopped."""
    answer(slack, "log Acme via call : keeps Acme out of the way", user=BEN)
    answer(slack, "add Globex")
    answer(slack, "cadence Globex 5 10")
    at(slack, utc(7, 9, month=12))  # Monday: 12 days after Globex was registered
    said = "dormant: no contact yet (registered 12 days ago)"
    digest = digests(slack)[-1]
    (at_risk,) = [r.text for r in slack.fake.thread(digest) if r.text.startswith("*At risk*")]
    assert "*Globex* 0/100 · owner <@U0ANA> — score below 50; " + said in at_risk
    # `show` and `health` give the same reasons (after its low score).
    assert f"*At risk*: score below 50; {said}." in answer(slack, "show Globex")
    report = answer(slack, "health Globex")
    assert f"*At risk*: score below 50; {said}." in report
    assert (
        "*Contact* 0 · dormant: no contact yet (registered 12 days ago; dormant after 10)"
    ) in report
    assert said in answer(slack, "list at-risk")
    assert (
        "*Globex* · owner <@U0ANA> · no contact yet (registered 12 days ago, on Wed 25 Nov; "
        "dormant after 10)"
    ) in answer(slack, "list dormant")
    everywhere = (digest.text, *[r.text for r in slack.fake.thread(digest)], report)
    assert not any("quiet for" in text for text in everywhere)


@pytest.mark.usefixtures("acme")
def test_an_owner_who_left_slack_is_said_to_be_gone_where_the_partner_is_at_risk(
    slack: Slack,
) -> None:
    """QA h11: Ben, Globex's owner, was deactivated (Slack's `user_change` told Liaison), yet
    the at-risk list, the digest and the Home read "owner <@U0BEN>" as if he were there."""
    answer(slack, "add Globex", user=BEN)
    answer(slack, "cadence Globex 5 10", user=BEN)
    slack.fake.users[BEN].deleted = True
    user_change(slack, BEN)
    calls = len(slack.fake.calls)
    at(slack, utc(7, 9, month=12))  # Monday: Globex dormant, the digest goes out
    owner = "owner <@U0BEN> (no longer in Slack)"
    digest = digests(slack)[-1]
    (at_risk,) = [r.text for r in slack.fake.thread(digest) if r.text.startswith("*At risk*")]
    assert f"*Globex* 0/100 · {owner} — score below 50" in at_risk
    assert f"*Globex* 0/100 · {owner} — score below 50" in answer(slack, "health")
    assert f"*Globex* · {owner} ·" in home_of(slack, ANA)
    # The cache says so: Slack is not asked about Ben.
    asked = [c for c in slack.fake.calls[calls:] if c.method.startswith("users.")]
    assert not any(BEN in json.dumps(call.params) for call in asked)


@pytest.mark.usefixtures("acme")
def test_an_owner_who_left_slack_is_said_to_be_gone_in_list_dormant_show_and_my_partners(
    slack: Slack,
) -> None:
    """QA h12: Ben, Globex's owner, was deactivated (Slack's `user_change` told Liaison), yet
    `list dormant`, the card from `show` and Ana's "My partners" read "owner <@U0BEN>" as if
    he were there to be asked."""
    answer(slack, "add Globex", user=BEN)
    answer(slack, "cadence Globex 5 10", user=BEN)
    answer(slack, "deputy Globex <@U0ANA|ana>", user=BEN)
    slack.fake.users[BEN].deleted = True
    user_change(slack, BEN)
    at(slack, utc(8, 9, month=12))  # 13 days later: past Globex's maximum
    calls = len(slack.fake.calls)
    owner = "owner <@U0BEN> (no longer in Slack)"
    assert f"*Globex* · {owner} · no contact yet" in answer(slack, "list dormant")
    card = answer(slack, "show Globex")
    assert "Globex: owner <@U0BEN> (no longer in Slack)" in card
    assert "*Owner*\\n<@U0BEN> (no longer in Slack)" in card
    assert f"*Globex* · 🌱 prospect · you are deputy · {owner} · last contact" in home_of(
        slack, ANA
    )
    # The cache says so: Slack is not asked about Ben.
    asked = [c for c in slack.fake.calls[calls:] if c.method.startswith("users.")]
    assert not any(BEN in json.dumps(call.params) for call in asked)


@pytest.mark.usefixtures("acme")
def test_the_partners_export_has_health_and_who_was_last_in_touch(slack: Slack) -> None:
    answer(slack, "add Globex")
    answer(slack, "log Acme via call : ben's call", user=BEN)
    for what in ("the deck", "the venue", "the budget", "the report"):
        answer(slack, f"commit Acme us : {what} by 2027-01-15", user=BEN)
    slack.command("export partners", user=CHLOE)
    _, rows = exported(slack, CHLOE)
    acme, globex = rows
    assert (acme["last_contact_by"], acme["last_contact_by_name"]) == (BEN, "ben")
    assert (acme["health"], acme["at_risk"], acme["at_risk_reasons"]) == ("100", "yes", "lopsided")
    # Nobody has been in touch with Globex, registered today: nothing to score yet.
    assert (globex["health"], globex["at_risk"], globex["at_risk_reasons"]) == ("", "no", "")


# --- `show` and `check` -------------------------------------------------------------------------


@pytest.mark.usefixtures("acme")
def test_show_and_check_gain_commitments_balance_cadence_and_health(slack: Slack) -> None:
    answer(slack, "commit Acme us : the deck by 2026-11-26", user=BEN)
    at(slack, utc(28, 12))  # Saturday: the deck is overdue
    for verb in ("show", "check"):
        card = answer(slack, f"{verb} Acme", user=CHLOE)
        assert "*Open commitments*" in card and "“the deck”" in card
        assert "*Balance*: open — we owe 1 (1 overdue), they owe 0" in card
        assert "in touch every 30 days, dormant after 60 (the default). On track" in card
        # Each in its own context block: Slack would run two elements of one together.
        contexts = [b for b in slack.ephemerals_to(CHLOE)[-1].blocks if b["type"] == "context"]
        (balance,) = [b for b in contexts if "*Balance*" in json.dumps(b)]
        assert len(balance["elements"]) == 1
        # The overdue deck is all there is to judge: no contact yet, so contact is left out.
        assert "*Health* :red_circle: 0/100 · pulse — · check-ins — · " in card
        assert "commitments 0 · contact — · collisions —" in card
        assert ":warning: *At risk*: score below 50 (commitments 0)." in card
        assert "`/partner health Acme` shows the trend" in card


@pytest.mark.usefixtures("acme")
def test_an_ended_partner_is_at_risk_nowhere(slack: Slack) -> None:
    answer(slack, "commit Acme us : the deck by 2026-11-26", user=BEN)
    answer(slack, "status Acme ended")
    at(slack, utc(28, 12))  # Saturday: the deck is overdue, the score below 50
    report = answer(slack, "health Acme")
    assert "Health of Acme: 0/100" in report and "At risk" not in report
    assert "Ended: nobody follows it any more, so it is never listed at risk" in report
    card = answer(slack, "show Acme")
    assert "*Health* :red_circle: 0/100" in card and "At risk" not in card
    home = home_of(slack, ANA)
    assert "⚫ ended · you own it" in home and "health 0" in home
    assert "at risk: score below" not in home and "No partner is at risk" in home
    listed = answer(slack, "list at-risk")
    # Acme scores 0: the answer must not claim every score is 50 or more.
    assert "No partner is at risk: no partner still followed scores below 50" in listed
    assert "every score is" not in listed


def test_an_ended_partner_without_a_score_is_not_promised_one(slack: Slack) -> None:
    answer(slack, "add Globex")
    answer(slack, "status Globex ended")
    (line,) = [line for line in home_of(slack, ANA).split("\\n") if "Globex" in line]
    assert "⚫ ended" in line and "no health score (ended)" in line
    assert "not scored yet" not in line
    report = answer(slack, "health Globex")
    assert "Health of Globex: no score (ended)" in report
    assert "has no score: none of its five parts has data" in report
    assert "*Health* :white_circle: no score (ended) · " in answer(slack, "show Globex")


# --- The weekly digest --------------------------------------------------------------------------


def set_workspace(slack: Slack, team_id: str, **settings: str) -> None:
    with Session(slack.runtime.engine) as session:
        session.add(Workspace(team_id=team_id, created_at=START, **settings))  # type: ignore[arg-type]
        session.commit()


@pytest.mark.usefixtures("acme")
def test_the_digest_comes_at_its_hour_in_the_workspaces_zone_with_details_in_its_thread(
    slack: Slack,
) -> None:
    set_workspace(slack, TEAM, timezone="America/New_York")
    answer(slack, f"log Acme with {MENTION[CHLOE]} : coffee", user=BEN)
    answer(slack, "plan Acme on friday : a call", user=CHLOE)  # she was at Ben's coffee
    answer(slack, "commit Acme them : the signed NDA by 2026-11-27", user=DAN)
    answer(slack, "add Globex")
    answer(slack, "plan Globex on 2026-12-02 10:00 : the kickoff")  # in the week ahead
    problem_checkin(slack)
    assert digests(slack) == []

    at(slack, utc(30, 13, 59))  # Monday 08:59 in New York
    assert digests(slack) == []
    at(slack, utc(30, 14, 0))  # 09:00 in New York
    (digest,) = digests(slack)
    assert digest.text.startswith(
        "Weekly digest · Mon 23 Nov 09:00 – Mon 30 Nov 09:00 (America/New_York): "
    )
    said = shown(digest)
    # Dan's meeting collided with Ben's coffee and Chloe's call: one collision, not two.
    assert (
        "2 new partners · 3 touchpoints (2 logged, 1 as planned) · 1 planned for the week ahead · "
        "1 collision · 1 overdue."
    ) in said
    assert "*At risk (1)*: Acme (32/100)." in said
    replies = slack.fake.thread(digest)
    assert [reply.thread_ts for reply in replies] == [digest.ts] * len(replies)
    texts = [reply.text for reply in replies]
    assert texts[0].startswith("*At risk*, worst first\n")
    assert "*Acme*" in texts[0] and "a Problem check-in in the last 14 days" in texts[0]
    assert texts[1] == (
        "*This week, by partner*\n• *Acme*: 3 touchpoints (2 logged, 1 as planned), 1 collision, "
        "1 commitment "
        "overdue\n• *Globex*: 1 planned for the week ahead"
    )
    assert texts[2] == "*New partners*\n• *Acme*\n• *Globex*"
    # One message in the channel; a second tick, or a restart, sends nothing again.
    posts = len(channel(slack, PARTNERS))
    at(slack, utc(30, 14, 10))
    at(slack, utc(30, 20, 0))
    assert len(channel(slack, PARTNERS)) == posts
    assert len(slack.fake.thread(digest)) == len(replies)


def test_a_digest_week_across_a_change_of_clocks_is_seven_days_in_the_workspaces_zone(
    slack: Slack,
) -> None:
    # Berlin leaves summer time on Sunday 25 Oct: that week has 169 hours. Acme arrives on the
    # Friday before, so Monday's digest is the first and its week starts a week back.
    at(slack, datetime(2026, 10, 23, 20, tzinfo=UTC))
    set_workspace(slack, TEAM, timezone="Europe/Berlin")
    answer(slack, "add Acme")
    answer(slack, "log Acme via call : the kickoff")
    at(slack, utc(26, 8, month=10))  # Monday 09:00 in Berlin, now on winter time
    (digest,) = digests(slack)
    # Before, the week began 168 hours back: "Mon 19 Oct 10:00", an hour short.
    assert digest.text.startswith(
        "Weekly digest · Mon 19 Oct 09:00 – Mon 26 Oct 09:00 (Europe/Berlin): "
    )
    assert "1 new partner · 1 touchpoint logged" in shown(digest)


@pytest.mark.usefixtures("acme")
def test_the_digest_names_whose_commitments_and_pulse_rounds_closed(slack: Slack) -> None:
    answer(slack, "add Globex")
    recorded = [
        answer(slack, f"commit Globex us : {what} by {due}")
        for what, due in (
            ("the letter", "2026-11-26"),
            ("the venue", "2026-12-04"),
            ("the logo", "2026-12-04"),
        )
    ]
    letter, venue, logo = (said.split("Recorded `#")[1].split("`")[0] for said in recorded)
    answer(slack, f"team Acme add {MENTION[BEN]} {MENTION[CHLOE]}")
    answer(slack, "survey Acme off")  # only the round started here
    answer(slack, "config digest mon 10:00")  # after the round closes on Monday 7 Dec
    pulse(slack, START, {ANA: (4, 4, 4, 4), BEN: (4, 4, 4, 4), DAN: (3, 3, 3, 3)})
    at(slack, utc(30, 10))  # the first digest: Globex and Acme were registered
    at(slack, utc(1, 10, month=12))
    answer(slack, f"done {letter}")  # due Thu 26 Nov: kept late
    answer(slack, f"done {venue}")
    answer(slack, f"drop {logo}")
    at(slack, utc(7, 9, month=12))  # the round closes
    at(slack, utc(7, 10, month=12))
    digest = digests(slack)[-1]
    assert digest.text.startswith("Weekly digest · Mon 30 Nov 10:00 – Mon 7 Dec 10:00 (UTC): ")
    assert ": 2 commitments kept, 1 dropped · pulse response 100% (3 of 3 asked)." in (digest.text)
    (partners,) = [r.text for r in slack.fake.thread(digest) if "This week, by partner" in r.text]
    assert "• *Globex*: 2 commitments kept (1 late), 1 dropped" in partners
    assert "• *Acme*: pulse round closed, 3 of 3 answered" in partners


@pytest.mark.usefixtures("acme")
def test_the_digest_says_which_overdue_commitments_are_an_ended_partners(slack: Slack) -> None:
    """An ended partner's open promises are real, so still counted, but never at risk: the
    digest says they are an ended partnership's rather than let them read as a warning."""
    answer(slack, "commit Acme us : the deck by 2026-11-26", user=BEN)
    answer(slack, "add Globex")
    answer(slack, "commit Globex them : the NDA by 2026-11-26")
    answer(slack, "status Acme ended")
    at(slack, utc(30, 9))  # Monday 09:00 in London: both are overdue
    (digest,) = digests(slack)
    said = shown(digest)
    assert "2 overdue (1 of ended partnerships)" in said
    partners = next(r.text for r in slack.fake.thread(digest) if "This week" in r.text)
    assert "• *Acme*: 1 commitment overdue (the partnership has ended)" in partners
    assert "• *Globex*: 1 commitment overdue\n" in partners + "\n"


@pytest.mark.usefixtures("acme")
def test_the_digest_says_a_contact_logged_this_week_happened_before_it(slack: Slack) -> None:
    """The digest counts what was logged in its week, whenever it happened: a contact
    backdated two months is counted, and said to be dated before the week."""
    answer(slack, "log Acme on 2026-09-26 via call : the call we never logged")
    answer(slack, "log Acme via email : the pilot's terms", user=DAN)
    at(slack, utc(30, 9))  # Monday 09:00 in London
    (digest,) = digests(slack)
    assert "2 touchpoints logged (1 dated before the week)" in shown(digest)
    partners = next(r.text for r in slack.fake.thread(digest) if "This week" in r.text)
    assert "• *Acme*: 2 touchpoints logged (1 dated before the week)" in partners


def test_the_digest_planner_runs_at_the_start_of_every_minute() -> None:
    (job,) = [job for job in build_planners() if job.name == "weekly-digest"]
    moment = datetime(2026, 12, 1, 14, 29, 10, tzinfo=UTC)
    assert job.trigger.get_next_fire_time(None, moment) == utc(1, 14, 30, month=12)
    assert job.next_due is not None  # and tells the sandbox when


@pytest.mark.usefixtures("acme")
def test_the_digest_counts_a_meeting_both_participants_logged_once(slack: Slack) -> None:
    """As the check-ins do: the same kind on one day, either naming the other's author."""
    answer(slack, f"log Acme via meeting with {MENTION[DAN]} : the pilot review")
    answer(slack, f"log Acme via meeting with {MENTION[ANA]} : pilot review", user=DAN)
    answer(slack, "log Acme via call : the follow-up", user=DAN)  # a call: another contact
    # Ben's meeting names neither Ana nor Dan: another meeting, though on the same day.
    answer(slack, f"log Acme via meeting with {MENTION[CHLOE]} : the budget", user=BEN)
    answer(slack, "add Globex")
    answer(slack, f"log Globex via meeting with {MENTION[BEN]} : intro", user=CHLOE)
    answer(slack, "log Globex on yesterday via meeting : intro", user=BEN)  # another day
    at(slack, utc(26, 9, 15))
    asked = [m for m in slack.fake.dm_messages(DAN) if "checkin_answer_problem" in action_ids(m)]
    assert len(asked) == 2  # the meeting with Ana, and the call
    at(slack, utc(30, 9, 0))
    said = shown(digests(slack)[-1])
    assert "· 5 touchpoints logged ·" in said
    (partners,) = [r.text for r in slack.fake.thread(digests(slack)[-1]) if "by partner" in r.text]
    assert "• *Acme*: 3 touchpoints logged" in partners
    assert "• *Globex*: 2 touchpoints logged" in partners


@pytest.mark.usefixtures("acme")
def test_a_digest_moved_to_another_day_starts_where_the_last_one_ended(slack: Slack) -> None:
    answer(slack, "log Acme via call : before monday's digest", user=BEN)
    at(slack, utc(30, 9, 0))  # Monday 09:00 UTC: the digest of 23–30 Nov
    assert "1 touchpoint logged" in shown(digests(slack)[-1])
    answer(slack, "config digest tue 09:00")
    answer(slack, "log Acme via email : after it", user=BEN)
    at(slack, utc(1, 9, 0, month=12))  # Tuesday: from Monday's digest on, nothing repeated
    latest = digests(slack)[-1]
    assert latest.text.startswith("Weekly digest · Mon 30 Nov 09:00 – Tue 1 Dec 09:00 (UTC): ")
    assert ": 1 touchpoint logged." in shown(latest)


@pytest.mark.usefixtures("acme")
def test_a_bot_down_at_the_digests_hour_sends_it_when_back(slack: Slack) -> None:
    at(slack, utc(30, 8, 0))
    at(slack, utc(30, 15, 0))  # no planner ran from 08:00 to 15:00 on Monday
    (digest,) = digests(slack)
    assert digest.text.startswith("Weekly digest · Mon 23 Nov 09:00 – Mon 30 Nov 09:00 (UTC): ")
    at(slack, utc(1, 10, 0, month=12))  # down again past the day's catch-up: nothing repeated
    assert len(digests(slack)) == 1


@pytest.mark.usefixtures("acme")
def test_a_digest_passes_over_a_coordination_channel_known_to_refuse_for_the_default(
    slack: Slack,
) -> None:
    # QA qa20b s16: the coordination channel's greeting was refused; the digest went there too.
    answer(slack, "config channel #nosuchchannel")
    told = shown(last(slack, ANA))
    assert "couldn't post in #nosuchchannel" in told
    assert (
        "collision alerts, survey results and the weekly digest go to #partnerships, the "
        "server's default channel"
    ) in told
    answer(slack, "log Acme via call : before monday's digest", user=BEN)
    at(slack, utc(30, 9, 0))
    at(slack, utc(30, 9, 1))  # its details, once the digest is sent
    (digest,) = digests(slack)
    said = shown(digest)
    assert "1 touchpoint logged" in said
    assert (
        "Posted here: Slack refused Liaison's last message in #nosuchchannel, the coordination "
        "channel (Slack can't find it, or it is private and Liaison isn't in it). The weekly "
        "digest comes here until an admin chooses a channel Liaison can post in: "
        "`/partner config channel #channel`."
    ) in said
    assert any("by partner" in reply.text for reply in slack.fake.thread(digest))
    # Admins see the refused greeting, and no digest among the failures.
    card = answer(slack, "config")
    assert "channel hello to #nosuchchannel" in card and "weekly digest to" not in card


@pytest.mark.usefixtures("acme")
def test_a_digest_refused_in_the_coordination_channel_goes_to_the_default_with_its_details(
    slack: Slack,
) -> None:
    coordination = slack.fake.add_channel(id="C0COORD", name="coord")
    answer(slack, "config channel <#C0COORD|coord>")
    assert len(channel(slack, "C0COORD")) == 1  # the greeting went through
    coordination.is_archived = True  # then someone archives it
    answer(slack, "log Acme via call : before monday's digest", user=BEN)
    for minute in range(4):  # the refusal, then the digest again and its details
        at(slack, utc(30, 9, minute))
    assert digests(slack, "C0COORD") == []
    (digest,) = digests(slack)
    assert "Posted here: Slack refused Liaison's last message in <#C0COORD>" in shown(digest)
    assert "it is archived" in shown(digest)
    # The details meant for the refused digest's thread follow it to the default channel.
    replies = slack.fake.thread(digest)
    assert any("by partner" in reply.text for reply in replies)
    assert [m for m in slack.fake.messages_in("C0COORD") if m.thread_ts is not None] == []
    assert "*Failed deliveries:* none" in answer(slack, "config")


def test_no_digest_was_due_at_an_hour_that_passed_before_the_first_partner(
    slack: Slack,
) -> None:
    at(slack, utc(30, 9, 0))  # Monday 09:00: the workspace has no partner yet
    at(slack, utc(30, 13, 0))
    answer(slack, "add Acme")
    for n in range(4):  # a lopsided workload puts Acme at risk at once
        answer(slack, f"commit Acme us : task {n} by 2026-12-20")
    at(slack, utc(30, 14, 0))
    at(slack, utc(30, 20, 0))
    assert digests(slack) == []  # no "last week" digest of a week without partners
    at(slack, utc(7, 9, 0, month=12))
    (digest,) = digests(slack)
    assert digest.text.startswith("Weekly digest · Mon 30 Nov 09:00 – Mon 7 Dec 09:00 (UTC): ")
    assert ": 1 new partner." in shown(digest)


@pytest.mark.usefixtures("acme")
def test_a_digest_moved_to_an_hour_already_past_goes_from_its_next_moment(slack: Slack) -> None:
    at(slack, utc(30, 9, 0))
    assert len(digests(slack)) == 1
    answer(slack, "log Acme via call : after monday's digest", user=BEN)
    at(slack, utc(2, 10, 0, month=12))  # Wednesday 10:00 UTC
    answer(slack, "config timezone Asia/Tokyo")
    answer(slack, "config digest wed 09:00")  # 00:00 UTC today: already past
    at(slack, utc(2, 11, 0, month=12))
    at(slack, utc(2, 20, 0, month=12))
    assert len(digests(slack)) == 1  # no one-day "weekly" digest
    at(slack, utc(9, 0, 0, month=12))  # the next Wednesday 09:00 in Tokyo
    latest = digests(slack)[-1]
    assert latest.text.startswith(
        "Weekly digest · Mon 30 Nov 18:00 – Wed 9 Dec 09:00 (Asia/Tokyo): "
    )
    assert ": 1 touchpoint logged." in shown(latest)


@pytest.mark.usefixtures("acme")
def test_after_the_days_digest_a_later_hour_or_zone_names_next_weeks_and_it_goes_then(
    slack: Slack,
) -> None:
    """QA: after Monday's 09:00 digest, `config timezone America/New_York` and `config digest
    mon 18:00` promised another digest that day (14:00, 23:00 UTC) that never came: the planner
    sends one a day, so what `config` says is next week's."""
    answer(slack, "log Acme via call : before monday's digest", user=BEN)
    at(slack, utc(30, 9, 0))
    assert len(digests(slack)) == 1
    at(slack, utc(30, 10, 0))
    due = "The next weekly digest is due on Mon 7 Dec at 09:00 (America/New_York)"
    assert due in answer(slack, "config timezone America/New_York")
    assert due in answer(slack, "config digest")
    assert due in answer(slack, "config")
    # Nor does the sandbox wake the planner at 14:00 UTC for it.
    assert next_digest(slack.runtime, utc(30, 10, 1)) == utc(7, 14, 0, month=12)
    answer(slack, "log Acme via email : after it", user=BEN)
    at(slack, utc(30, 14, 0))
    at(slack, utc(30, 20, 0))
    said = answer(slack, "config digest mon 18:00")  # 23:00 UTC, still Monday in New York
    assert "The next weekly digest is due on Mon 7 Dec at 18:00 (America/New_York)" in said
    at(slack, utc(30, 23, 0))
    at(slack, utc(1, 1, 0, month=12))
    assert len(digests(slack)) == 1
    at(slack, utc(7, 23, 0, month=12))
    latest = digests(slack)[-1]
    assert len(digests(slack)) == 2
    assert latest.text.startswith(
        "Weekly digest · Mon 30 Nov 04:00 – Mon 7 Dec 18:00 (America/New_York): "
    )
    assert ": 1 touchpoint logged." in shown(latest)


@pytest.mark.usefixtures("acme")
def test_a_schedule_moved_back_a_day_and_forth_again_still_names_next_weeks(slack: Slack) -> None:
    # Sunday 20:00 had passed when set: marking it never due must not make Monday, which had
    # its digest, seem free again.
    at(slack, utc(30, 9, 0))
    at(slack, utc(30, 10, 0))
    assert "due on Sun 6 Dec at 20:00 (UTC)" in answer(slack, "config digest sun 20:00")
    assert "due on Mon 7 Dec at 18:00 (UTC)" in answer(slack, "config digest mon 18:00")
    at(slack, utc(30, 18, 0))
    assert len(digests(slack)) == 1


def test_a_quiet_week_sends_no_digest(slack: Slack) -> None:
    answer(slack, "add Acme")
    at(slack, utc(30, 9, 0))  # the first Monday: Acme was registered this week
    assert len(digests(slack)) == 1
    at(slack, utc(7, 9, 0, month=12))  # nothing happened since, nothing overdue, nobody at risk
    at(slack, utc(7, 10, 0, month=12))
    assert len(digests(slack)) == 1


def test_a_week_found_quiet_at_its_hour_stays_skipped_when_something_happens_later(
    slack: Slack,
) -> None:
    answer(slack, "add Acme")
    at(slack, utc(30, 9, 0))
    assert len(digests(slack)) == 1
    at(slack, utc(7, 9, 0, month=12))  # quiet: skipped
    for n in range(4):  # the same morning: a lopsided workload puts Acme at risk
        answer(slack, f"commit Acme us : task {n} by 2026-12-20")
    at(slack, utc(7, 10, 0, month=12))
    at(slack, utc(7, 18, 0, month=12))
    assert len(digests(slack)) == 1  # no late digest for the quiet week
    at(slack, utc(14, 9, 0, month=12))
    assert len(digests(slack)) == 2  # the next week's, which has something to tell


def test_each_workspace_gets_its_own_digest_in_its_own_channel_at_its_own_time(
    slack: Slack,
) -> None:
    answer(slack, "add Acme")
    set_workspace(
        slack,
        OTHER,
        timezone="Asia/Tokyo",
        digest_day="fri",
        digest_time="17:30",
        coordination_channel=GENERAL,
    )
    with Session(slack.runtime.engine) as session:
        session.add(
            Partner(
                team_id=OTHER,
                name="Initech",
                normalized_name="initech",
                created_by="U0OTHER",
                created_at=START,
            )
        )
        session.commit()
    at(slack, utc(27, 8, 29))  # Friday 17:29 in Tokyo
    assert digests(slack, GENERAL) == []
    at(slack, utc(27, 8, 30))
    (other,) = digests(slack, GENERAL)
    assert ": 1 new partner." in other.text
    assert [r.text for r in slack.fake.thread(other)] == ["*New partners*\n• *Initech*"]
    assert digests(slack) == []  # Acme's workspace: Monday 09:00 UTC
    at(slack, utc(30, 9, 0))
    (mine,) = digests(slack)
    assert [r.text for r in slack.fake.thread(mine)] == ["*New partners*\n• *Acme*"]
    with Session(slack.runtime.engine) as session:
        rows = session.exec(
            select(OutboxMessage.team_id, OutboxMessage.recipient_channel).where(
                OutboxMessage.kind == "weekly_digest"
            )
        ).all()
    assert sorted(rows) == [(TEAM, "#partnerships"), (OTHER, GENERAL)]


@pytest.mark.usefixtures("acme")
def test_list_dormant_in_a_new_year_shows_the_year_of_the_last_contact(slack: Slack) -> None:
    answer(slack, "add Globex")
    answer(slack, "cadence Globex 5 10")
    at(slack, datetime(2027, 1, 11, 9, tzinfo=UTC))
    said = answer(slack, "list dormant", user=BEN)
    assert "(registered 47 days ago, on Wed 25 Nov 2026; dormant after 10)" in said


@pytest.mark.usefixtures("acme")
def test_a_contact_planned_for_the_week_ahead_counts_in_the_next_digest_as_a_touchpoint(
    slack: Slack,
) -> None:
    answer(slack, "log Acme via call : before monday's digest", user=BEN)
    answer(slack, "plan Acme on 2026-12-04 14:00 via call : the winter appeal", user=CHLOE)
    # Planned and logged too by Dan, on the same day: one contact, counted as logged.
    answer(slack, "plan Acme on 2026-12-02 10:00 via meeting : the budget", user=DAN)
    at(slack, utc(30, 9, 0))
    first = shown(digests(slack)[-1])
    assert "· 1 touchpoint logged · 2 planned for the week ahead ·" in first

    at(slack, utc(2, 12, month=12))
    answer(slack, "log Acme via meeting : the budget, done", user=DAN)
    at(slack, utc(7, 9, month=12))
    latest = digests(slack)[-1]
    assert latest.text.startswith("Weekly digest · Mon 30 Nov 09:00 – Mon 7 Dec 09:00 (UTC): ")
    assert ": 2 touchpoints (1 logged, 1 as planned)." in (latest.text)
    (partners,) = [r.text for r in slack.fake.thread(latest) if "by partner" in r.text]
    assert "• *Acme*: 2 touchpoints (1 logged, 1 as planned)" in partners


def test_a_digest_with_200_partners_at_risk_folds_its_thread_into_few_replies(
    slack: Slack,
) -> None:
    registry = registry_of(slack.runtime)
    for n in range(200):
        name = f"Partner number {n:03d} of the humanitarian logistics network"
        profile = registry.add(actor=Actor(TEAM, ANA), name=name, allow_similar=True)
        # A Problem check-in this week: each is at risk, with a touchpoint logged.
        factories.checkin(
            slack.runtime.engine, TEAM, profile.facts.id, CheckInAnswer.PROBLEM, utc(26, 9)
        )
    at(slack, utc(30, 9, 0))
    (digest,) = digests(slack)
    assert "*At risk (200)*" in shown(digest)
    replies = slack.fake.thread(digest)
    # At risk, by partner, new partners: one reply each, every line in it, within Slack's
    # limits (the fake refuses a section over 3000 characters or a message over 50 blocks).
    assert [reply.text.split("\n")[0] for reply in replies] == [
        "*At risk*, worst first",
        "*This week, by partner*",
        "*New partners*",
    ]
    for reply in replies:
        assert len(reply.text.split("\n")) == 201
        assert 1 < len(reply.blocks) <= 50


@pytest.mark.usefixtures("acme")
def test_a_round_cut_short_by_ending_its_partner_counts_nowhere(slack: Slack) -> None:
    # QA: `status Acme ended` said its round closed and no results are posted, yet the round
    # cut short then showed as "Pulse results" in `survey` and `show`, made the health's pulse,
    # and the digest said "pulse round closed, 3 of 3 answered".
    answer(slack, f"team Acme add {MENTION[BEN]} {MENTION[CHLOE]}")
    answer(slack, "survey Acme off")  # only the round started here
    answer(slack, "config digest mon 10:00")
    pulse(slack, START, {ANA: (4, 4, 4, 4), BEN: (4, 4, 4, 4), DAN: (3, 3, 3, 3)})
    assert "no results are posted" in answer(slack, "status Acme ended")
    for moment in (utc(30, 10), utc(7, 9, month=12), utc(7, 10, month=12)):
        at(slack, moment)
    assert "Pulse results" not in answer(slack, "survey Acme")
    shown_card = answer(slack, "show Acme")
    assert "Pulse results" not in shown_card and "pulse —" in shown_card
    # The round did close, early: the texts say none ran its course, not that none closed.
    assert "Pulse: no survey has run its course yet." in shown_card
    assert "*Pulse* — · no pulse yet: no survey round has run its course" in answer(
        slack, "health Acme"
    )
    said = [m.text for d in digests(slack) for m in [d, *slack.fake.thread(d)]]
    assert said and not [text for text in said if "pulse" in text.lower()]
    assert not [m for m in channel(slack, PARTNERS) if "Pulse results" in shown(m)]
