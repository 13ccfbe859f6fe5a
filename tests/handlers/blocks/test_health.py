"""Health Block Kit and texts, built from plain values: `health NAME`, the at-risk and dormant
lists, the card section and the weekly digest with its thread."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot import health as rules
from bot.health import CheckInFacts, ContactFacts, Parts, PromiseFacts, PulseFacts
from bot.services.cadence import CadenceState, Intervals, Source, Standing
from bot.services.commitments import Balance
from bot.services.digest import PartnerWeek, WeeklyDigest
from bot.services.health import Comparison, HealthReport, PartnerHealth, TrendPoint
from bot.services.registry import PartnerFacts
from handlers.blocks import health as blocks
from handlers.reply import Block
from handlers.texts import health as texts
from storage.health import ClosedCommitments, RoundTurnout
from storage.models import CommitmentSide

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
UTC_ZONE = ZoneInfo("UTC")


def text_of(items: list[Block]) -> str:
    return json.dumps(items, ensure_ascii=False)


def partner(
    name: str = "Acme",
    *,
    parts: Parts | None = None,
    standing: Standing = Standing.FINE,
    balance: Balance | None = None,
    recent_problems: int = 0,
) -> PartnerHealth:
    facts = PartnerFacts(
        id=7,
        name=name,
        status="active",
        owner_id="U0ANA",
        deputy_id=None,
        website_domain=None,
        channel_id=None,
        last_contact_at=None,
    )
    state = CadenceState(
        partner=facts,
        intervals=Intervals(30, 60, Source.DEFAULT),
        since=NOW - timedelta(days=70),
        contacted=True,
        last_contact_by="U0BEN",
        quiet_days=70,
        standing=standing,
        snoozed_until=None,
    )
    contact = ContactFacts(standing=standing, quiet_days=70, ideal_days=30, max_days=60)
    health = rules.score(parts or Parts(cadence=contact))
    balance = balance or Balance()
    return PartnerHealth(
        partner=facts,
        health=health,
        balance=balance,
        cadence=state,
        recent_problems=recent_problems,
        risks=rules.risks(health, lopsided=balance.lopsided, recent_problems=recent_problems),
    )


def test_the_at_risk_list_names_each_reason_and_is_cut_at_forty() -> None:
    assert "No partner is at risk" in blocks.at_risk([]).text
    dormant = partner(standing=Standing.DORMANT)
    lopsided = partner("Globex", balance=Balance(open_us=4), recent_problems=2)
    reply = blocks.at_risk([dormant, lopsided])
    shown = text_of(reply.blocks)
    assert reply.text == "Partners at risk (2)"
    assert (
        ":warning: *Acme* 0/100 · owner <@U0ANA> — score below 50; dormant: quiet for 70 days"
    ) in shown
    assert (
        "*Globex* 100/100 · owner <@U0ANA> — lopsided workload: our side carries 100% of the "
        "open work; 2 Problem check-ins in the last 14 days"
    ) in shown
    many = blocks.at_risk([dormant] * 45)
    assert "…and 5 more." in text_of(many.blocks)
    assert len(many.blocks) <= 50


def test_an_at_risk_score_counting_a_thin_pulse_says_so_as_show_does() -> None:
    # One statement of four answered by enough people, scored 1.5 of 5: pulse 13, dormant.
    thin = PulseFacts(
        closed_at=NOW, invited=4, respondents=3, threshold=3, averages=(1.5, None, None, None)
    )
    contact = ContactFacts(standing=Standing.DORMANT, quiet_days=70, ideal_days=30, max_days=60)
    found = partner(parts=Parts(pulse=thin, cadence=contact), standing=Standing.DORMANT)
    shown = text_of(blocks.at_risk([found]).blocks)
    assert ":warning: *Acme* 9/100 (thin pulse: 1 of 4 statements) · owner <@U0ANA> — " in shown
    assert "pulse 13 (thin: 1 of 4 statements)" in text_of(blocks.card_section(found))
    # A pulse resting on more statements is not called thin.
    firm = replace(thin, averages=(1.5, 2.0, None, None))
    found = partner(parts=Parts(pulse=firm, cadence=contact), standing=Standing.DORMANT)
    assert "(thin pulse" not in text_of(blocks.at_risk([found]).blocks)


def test_dormant_lines_say_how_long_and_after_how_many_days() -> None:
    assert "No dormant partners" in blocks.dormant([], tz=UTC_ZONE).text
    state = partner(standing=Standing.DORMANT).cadence
    reply = blocks.dormant([state], tz=UTC_ZONE)
    assert reply.text == "Dormant partners (1)"
    assert (
        "• *Acme* · owner <@U0ANA> · quiet for 70 days (last contact Wed 16 Sep; dormant after 60)"
    ) in text_of(reply.blocks)


def test_the_report_explains_each_part_the_trend_and_the_moves() -> None:
    parts = Parts(
        pulse=PulseFacts(
            closed_at=NOW,
            invited=5,
            respondents=4,
            threshold=3,
            averages=(4.0, None, 3.0, 5.0),
        ),
        checkins=CheckInFacts(went_well=2, mixed=1),
        commitments=PromiseFacts(kept=1, overdue=1),
        cadence=ContactFacts(standing=Standing.DUE, quiet_days=35, ideal_days=30, max_days=60),
    )
    current = partner(parts=parts)
    found = HealthReport(
        current=current,
        trend=[
            TrendPoint(date(2026, 11, 9), 90),
            TrendPoint(date(2026, 11, 16), None),
            TrendPoint(date(2026, 11, 23), current.health.score),
        ],
        since_latest=Comparison(
            week_start=date(2026, 11, 23),
            # Monday 00:10 in Tokyo, the workspace's zone (still Sunday in UTC).
            taken_at=datetime(2026, 11, 22, 15, 10, tzinfo=UTC),
            score=66,
            moves=rules.moves(current.health.scores, current.health.scores),
        ),
        since_oldest=Comparison(
            week_start=date(2026, 11, 9),
            taken_at=datetime(2026, 11, 8, 15, 10, tzinfo=UTC),
            score=90,
            moves=rules.moves(
                {rules.PartKind.PULSE: 90, rules.PartKind.CADENCE: 100}, current.health.scores
            ),
        ),
        tz=ZoneInfo("Asia/Tokyo"),
    )
    shown = text_of(blocks.report(found, tz=UTC_ZONE).blocks)
    assert f"Health of Acme: {current.health.score}/100" in shown
    assert "*Last 3 weeks*: ▇·▅" in shown
    assert "*Since Mon 23 Nov* (66/100 → 64/100): no part moved." in shown
    assert "*Since Mon 9 Nov* (90/100 → 64/100): pulse 90 → 75 (−15); " in shown
    assert "check-ins 83 (new); commitments 33 (new); contact 100 → 50 (−50)." in shown
    assert (
        "*Pulse* 75 · value 4.0, clarity (too few answers), fair workload 3.0, alignment 5.0 out "
        "of 5 — round closed Wed 25 Nov, 4 of 5 people answered; the score rests on the 3 of 4 "
        "statements enough answered"
    ) in shown
    assert "*Check-ins* 83 · 2 went well, 1 mixed, 0 problems" in shown
    assert "*Commitments* 33 · 1 kept on time, 0 late, 1 overdue" in shown
    assert "*Contact* 50 · time to get in touch: quiet for 35 days (ideal: every 30)" in shown
    assert (
        "*Collisions* — · no contact in the last 90 days (plans still ahead and intents do not "
        "count), so nothing to judge"
    ) in shown


def test_a_partner_without_any_part_has_no_score_yet() -> None:
    paused = partner(parts=Parts())
    shown = text_of(
        blocks.report(
            HealthReport(
                current=paused, trend=[], since_latest=None, since_oldest=None, tz=UTC_ZONE
            ),
            tz=UTC_ZONE,
        ).blocks
    )
    assert "*Acme* has no score yet: none of its five parts has data." in shown
    card = text_of(blocks.card_section(paused))
    assert "*Health* :white_circle: no score yet · pulse — · check-ins —" in card


def test_the_digest_is_one_short_message_and_its_details_go_to_the_thread() -> None:
    found = WeeklyDigest(
        team_id="T1",
        start=NOW - timedelta(days=7),
        end=NOW,
        tz=UTC_ZONE,
        new_partners=["Acme", "Globex"],
        touchpoints=12,
        planned=2,
        collisions=1,
        closed=ClosedCommitments(on_time=1, late=1, dropped=1),
        overdue=3,
        turnout=RoundTurnout(rounds=2, invited=8, respondents=6),
        at_risk=[partner(f"Partner {n:02d}", standing=Standing.DORMANT) for n in range(12)],
        partners=[
            PartnerWeek(name="Acme", touchpoints=12, collisions=1, overdue=3),
            PartnerWeek(
                name="Globex",
                closed=ClosedCommitments(on_time=1, late=1, dropped=1),
                turnout=RoundTurnout(rounds=1, invited=4, respondents=3),
            ),
            PartnerWeek(
                name="Hooli", turnout=RoundTurnout(rounds=1, invited=4, respondents=3), planned=2
            ),
        ],
    )
    head = blocks.digest(found)
    assert head.text == (
        "Weekly digest · Wed 18 Nov 09:00 – Wed 25 Nov 09:00 (UTC): 2 new partners · "
        "12 touchpoints logged · 2 planned for the week ahead · 1 collision · "
        "2 commitments kept, 1 dropped · 3 overdue · pulse response 75% (6 of 8 asked)."
    )
    assert "*At risk (12)*: Partner 00 (0/100), Partner 01 (0/100)" in text_of(head.blocks)
    assert "Partner 04 (0/100), and 7 more." in text_of(head.blocks)
    replies = blocks.digest_details(found)
    assert [reply.text.split("\n")[0] for reply in replies] == [
        "*At risk*, worst first",  # all 12 in one reply
        "*This week, by partner*",
        "*New partners*",
    ]
    assert replies[1].text.endswith(
        "• *Acme*: 12 touchpoints logged, 1 collision, 3 commitments overdue\n"
        "• *Globex*: 2 commitments kept (1 late), 1 dropped, pulse round closed, 3 of 4 answered\n"
        "• *Hooli*: pulse round closed, 3 of 4 answered, 2 planned for the week ahead"
    )
    dropped = ClosedCommitments(dropped=2)
    assert texts.closed_commitments(dropped) == "2 commitments dropped"
    assert texts.closed_commitments(ClosedCommitments(), headline=True) == "0 commitments kept"
    assert "Details per partner in the thread." in text_of(head.blocks)
    closed_only = replace(found, new_partners=[], at_risk=[], partners=[], touchpoints=0)
    assert blocks.digest_details(closed_only) == []
    assert "in the thread" not in text_of(blocks.digest(closed_only).blocks)  # no empty thread


def test_a_lopsided_workload_names_the_side_and_its_share() -> None:
    found = partner(balance=Balance(open_us=1, open_them=4))
    (reason,) = found.risks
    assert reason.side is CommitmentSide.THEM
    assert texts.risk(found, reason) == (
        "lopsided workload: their side carries 80% of the open work"
    )
    # At risk with a fine score: a warning, not a green dot.
    assert found.health.score == 100
    assert texts.at_risk_line(found).startswith(":warning: *Acme* 100/100 · owner <@U0ANA> — ")


def test_a_pulse_with_enough_people_but_no_statement_answered_by_enough_is_left_out() -> None:
    found = partner(
        parts=Parts(
            pulse=PulseFacts(
                closed_at=NOW,
                invited=4,
                respondents=3,
                threshold=3,
                averages=(None, None, None, None),
            ),
            checkins=CheckInFacts(went_well=1),
        )
    )
    assert texts.part_line(found, rules.PartKind.PULSE, UTC_ZONE) == (
        "*Pulse* — · left out: in the last round (closed Wed 25 Nov) 3 of 4 people answered, but "
        "no statement had the 3 answers needed to keep answers anonymous"
    )


def test_long_at_risk_lines_are_never_cut_short_by_a_sections_limit() -> None:
    long = partner(
        "W" * 120,
        standing=Standing.DORMANT,
        balance=Balance(open_us=1, open_them=4),
        recent_problems=3,
    )
    line = texts.at_risk_line(long)
    assert len(line) > 300  # ten of them pass the 3000 characters of one section
    listed = blocks.at_risk([long] * 40)
    sections = [b["text"]["text"] for b in listed.blocks if b["type"] == "section"]
    assert all(len(text) <= 3000 for text in sections)
    assert sum(text.split("\n").count(line) for text in sections) == 40
    assert len(listed.blocks) <= 50


def test_the_digest_names_its_week_as_a_reader_does_and_leaves_out_zero_counts() -> None:
    """QA: the header "Mon 30 Nov – Mon 7 Dec" named two Mondays, then "Mon 30 Nov – Sun 6 Dec"
    counted Monday morning's news, and a week with only at-risk news printed "0 new partners ·
    0 touchpoints …"."""
    sent = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # Monday 09:00
    found = WeeklyDigest(
        team_id="T1",
        start=sent - timedelta(days=7),
        end=sent,
        tz=UTC_ZONE,
        new_partners=[],
        touchpoints=0,
        planned=0,
        collisions=0,
        closed=ClosedCommitments(),
        overdue=0,
        turnout=RoundTurnout(),
        at_risk=[partner("Acme", standing=Standing.DORMANT)],
        partners=[],
    )
    assert (
        blocks.digest(found).text
        == "Weekly digest · Mon 30 Nov 09:00 – Mon 7 Dec 09:00 (UTC): A quiet week."
    )
    # QA: a pulse round alone made a line of its own that began in lower case.
    pulse_only = replace(found, turnout=RoundTurnout(rounds=1, invited=4, respondents=2))
    assert blocks.digest(pulse_only).blocks[1]["text"]["text"] == (
        "Pulse response 50% (2 of 4 asked)"
    )
    busier = replace(found, touchpoints=2, overdue=1)
    assert blocks.digest(busier).text == (
        "Weekly digest · Mon 30 Nov 09:00 – Mon 7 Dec 09:00 (UTC): "
        "2 touchpoints logged · 1 overdue."
    )
    one_day = replace(found, start=sent - timedelta(days=1))  # the digest moved a day later
    assert blocks.digest(one_day).text.startswith(
        "Weekly digest · Sun 6 Dec 09:00 – Mon 7 Dec 09:00 (UTC): "
    )
    # A digest at midnight tells whole days, as a reader names a week.
    at_midnight = replace(
        found, start=datetime(2026, 11, 30, tzinfo=UTC), end=datetime(2026, 12, 7, tzinfo=UTC)
    )
    assert blocks.digest(at_midnight).text.startswith("Weekly digest · Mon 30 Nov – Sun 6 Dec: ")
