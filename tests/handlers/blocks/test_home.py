"""The App Home view, built from plain values: what it shows, and that the fullest Home stays
within Slack's limits."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.services.commitments import CommitmentFacts
from bot.services.home import (
    AdminView,
    AtRiskPartner,
    Away,
    HomeDashboard,
    MyPartner,
    PartnerHealth,
    PlannedMeeting,
    Shown,
)
from bot.services.touchpoints import Touch
from bot.services.workspace_settings import FailedDelivery
from handlers.blocks import context, section
from handlers.blocks import home as blocks
from handlers.blocks.commitments import DONE_ACTIONS, commitment_buttons
from handlers.reply import Block
from storage.home import OpenSurvey, TeamPartner, WaitingCheckIn
from storage.models import CommitmentSide, CommitmentStatus, TeamRole, TouchpointKind
from storage.outbox import DeliverySummary
from tests.blockkit import view_problems

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # Wednesday
BERLIN = ZoneInfo("Europe/Berlin")
ANA = "U0ANA"


def partner(number: int = 1, **changes: Any) -> TeamPartner:
    values: dict[str, Any] = {
        "id": number,
        "name": f"Partner {number}",
        "status": "active",
        "role": TeamRole.OWNER,
        "owner_id": ANA,
        "last_contact_at": NOW - timedelta(days=3),
        "last_contact_by": ANA,
        **changes,
    }
    return TeamPartner(**values)


def commitment(number: int = 12, **changes: Any) -> CommitmentFacts:
    values: dict[str, Any] = {
        "id": number,
        "number": number,
        "partner_id": 1,
        "partner_name": "Acme",
        "side": CommitmentSide.US,
        "owner_id": ANA,
        "what": "the draft MoU",
        "due_on": date(2026, 11, 23),
        "status": CommitmentStatus.OPEN,
        "created_by": ANA,
        "created_at": NOW - timedelta(days=10),
        "closed_by": None,
        "closed_at": None,
        "on_time": None,
        "overdue_days": 2,
        "this_year": 2026,
        **changes,
    }
    return CommitmentFacts(**values)


def meeting(notes: str = "kick-off of the pilot", **changes: Any) -> PlannedMeeting:
    values: dict[str, Any] = {
        "id": 5,
        "kind": TouchpointKind.PLANNED,
        "at": datetime(2026, 11, 26, 13, 0, tzinfo=UTC),
        "day_only": False,
        "medium": "meeting",
        "author_id": ANA,
        "participants": (),
        "contacts": ("Jane Doe",),
        "notes": notes,
        **changes,
    }
    return PlannedMeeting(partner_name="Acme", touch=Touch(**values))


def checkin(number: int = 3) -> WaitingCheckIn:
    return WaitingCheckIn(
        checkin_id=number,
        partner_name="Acme",
        medium="call",
        meeting_at=datetime(2026, 11, 23, 14, 0, tzinfo=UTC),
        asked_at=datetime(2026, 11, 24, 8, 0, tzinfo=UTC),
    )


def survey(number: int = 4) -> OpenSurvey:
    return OpenSurvey(
        round_id=number,
        partner_name="Globex",
        questions=4,
        answered=1,
        closes_at=datetime(2026, 12, 2, 8, 0, tzinfo=UTC),
    )


def failure(number: int = 1) -> FailedDelivery:
    return FailedDelivery(row=failed_row(number))


def failed_row(number: int) -> DeliverySummary:
    return DeliverySummary(
        id=number,
        team_id="T0ACME",
        kind="handover",
        recipient_user="U0DAN",
        recipient_channel=None,
        due_at=NOW,
        available_at=NOW,
        status="failed",
        attempts=1,
        last_error="user_not_found",
        held=False,
    )


def dashboard(**changes: Any) -> HomeDashboard:
    values: dict[str, Any] = {"team_id": "T0ACME", "user_id": ANA, "now": NOW, "tz": BERLIN}
    return HomeDashboard(**{**values, **changes})


def text_of(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def test_the_home_shows_what_the_person_looks_after_and_what_waits_for_them() -> None:
    view = blocks.home_view(
        dashboard(
            partners=Shown([MyPartner(partner=partner())], 1),
            commitments=Shown([commitment()], 1),
            meetings=Shown([meeting()], 1),
            checkins=Shown([checkin()], 1),
            surveys=Shown([survey()], 1),
        )
    )
    assert view["type"] == "home"
    assert view_problems(view) == []
    shown = text_of(view)
    assert "Updated Wed 25 Nov, 10:00 (Europe/Berlin)" in shown
    assert "*Partner 1* · 🟢 active · you own it · last contact 3 days ago by <@U0ANA>" in shown
    assert "health" not in shown  # no health source: no health column at all
    assert (
        "`#12` *we* owe *Acme* “the draft MoU” · due Mon 23 Nov · :warning: overdue by 2" in shown
    )
    assert "*Acme* · meeting tomorrow at 14:00 with Jane Doe · “kick-off of the pilot”" in shown
    assert "How did the call with *Acme* on Mon 23 Nov go? _Asked yesterday._" in shown
    assert "Pulse survey about *Globex*: 1 of 4 statements scored · closes Wed 2 Dec at 09:00" in (
        shown
    )
    assert "Across the workspace" not in shown  # not an admin


def test_the_buttons_open_the_forms_and_close_each_commitment_through_the_reminders_done() -> None:
    view = blocks.home_view(dashboard(commitments=Shown([commitment(12), commitment(13)], 2)))
    buttons = [
        element
        for block in view["blocks"]
        for element in [*block.get("elements", []), block.get("accessory") or {}]
        if element.get("type") == "button"
    ]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        (blocks.LOG, "log"),
        (blocks.COMMIT, "commit"),
        ("commitment_done:12", "12"),
        ("commitment_done:13", "13"),
    ]
    # One listener serves the Home's Done and the reminders' Done.
    reminder_done = commitment_buttons(12)["elements"][0]["action_id"]
    assert all(DONE_ACTIONS.match(a) for a in (reminder_done, "commitment_done:12"))


def test_an_empty_home_says_how_to_begin() -> None:
    shown = text_of(blocks.home_view(dashboard()))
    assert "You are not on any partner's team yet. `/partner add NAME` registers one" in shown
    assert "No open commitments. Record one with *New commitment*" in shown
    assert "Nothing planned. `/partner plan NAME on DATE : PURPOSE` records a meeting." in shown
    assert "Waiting for your answer" not in shown


def test_the_health_column_and_the_at_risk_list_come_from_the_data_given() -> None:
    sick = PartnerHealth(score=41, at_risk=("dormant", "lopsided workload"))
    view = blocks.home_view(
        dashboard(
            partners=Shown(
                [
                    MyPartner(partner=partner(1), health=PartnerHealth(score=72)),
                    MyPartner(partner=partner(2), health=sick),
                    MyPartner(partner=partner(3), health=PartnerHealth(score=None)),
                ],
                3,
            ),
            admin=AdminView(
                failed=Shown(),
                at_risk=Shown(
                    [AtRiskPartner(partner_id=2, name="Partner 2", owner_id=ANA, health=sick)], 1
                ),
            ),
        )
    )
    shown = text_of(view)
    assert (
        "*Partner 1* · 🟢 active · you own it · last contact 3 days ago by <@U0ANA> · health 72"
        in shown
    )
    assert "health 41 · :warning: at risk: dormant, lopsided workload" in shown
    assert (
        "*Partner 3* · 🟢 active · you own it · last contact 3 days ago by <@U0ANA> · "
        "health not scored" in shown
    )
    assert "At-risk partners (1)" in shown
    assert "*Partner 2* · owner <@U0ANA> · health 41" in shown


def test_admins_see_failed_deliveries_and_no_risk_section_without_health() -> None:
    view = blocks.home_view(dashboard(admin=AdminView(failed=Shown([failure(2), failure(1)], 7))))
    shown = text_of(view)
    assert "Across the workspace" in shown
    assert "*Failed deliveries* (latest 2)" in shown
    assert "handover to <@U0DAN>" in shown and "`user_not_found`" in shown
    assert "…and 5 older ones: `/partner config`" in shown
    assert "At-risk" not in shown
    nothing_failed = text_of(blocks.home_view(dashboard(admin=AdminView(failed=Shown()))))
    assert "*Failed deliveries:* none." in nothing_failed


def test_a_teammate_sees_who_owns_the_partner() -> None:
    mine = MyPartner(partner=partner(role=TeamRole.DEPUTY, owner_id="U0BEN"))
    shown = text_of(blocks.home_view(dashboard(partners=Shown([mine], 1))))
    assert "*Partner 1* · 🟢 active · you are deputy · owner <@U0BEN> · last contact" in shown


def test_the_notice_keeps_the_answers_words_and_drops_its_buttons() -> None:
    answer: list[Block] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Marked `#12` done"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "Balance with Acme"}]},
        commitment_buttons(12),
    ]
    view = blocks.home_view(dashboard(), notice=answer)
    assert view["blocks"][2]["text"]["text"] == "Marked `#12` done"
    assert view["blocks"][3]["type"] == "context"
    assert "commitment_drop" not in text_of(view)
    assert view_problems(view) == []


def test_the_notice_shows_typed_text_escaped_once() -> None:
    answer = [section("Noted: “R&D <5k”"), context("for R&D")]
    view = blocks.home_view(dashboard(), notice=answer)
    assert view["blocks"][2]["text"]["text"] == "Noted: “R&amp;D &lt;5k”"
    assert view["blocks"][3]["elements"][0]["text"] == "for R&amp;D"


def test_the_fullest_home_stays_within_slacks_limits() -> None:
    """300 of everything, names and texts at their longest: lists are cut with the command
    that shows the rest, and the view passes Slack's limits."""
    long_name = "N" * 120
    reasons = tuple(f"reason {n} " + "x" * 60 for n in range(8))
    sick = PartnerHealth(score=12, at_risk=reasons)
    many = 300
    full = dashboard(
        partners=Shown(
            [
                MyPartner(partner=partner(n, name=f"{long_name}{n}"), health=sick)
                for n in range(many)
            ],
            many,
        ),
        commitments=Shown(
            [commitment(n, what="w" * 1000, partner_name=long_name) for n in range(many)], many
        ),
        meetings=Shown([meeting(notes="n" * 3000) for _ in range(many)], many),
        checkins=Shown([checkin(n) for n in range(many)], many),
        surveys=Shown([survey(n) for n in range(many)], many),
        admin=AdminView(
            failed=Shown([failure(n) for n in range(many)], many),
            at_risk=Shown(
                [
                    AtRiskPartner(partner_id=n, name=long_name, owner_id=ANA, health=sick)
                    for n in range(many)
                ],
                many,
            ),
        ),
    )
    full = replace(full, away=Away(until=NOW + timedelta(days=30), deputy_id="U0" + "D" * 30))
    notice: list[Block] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "said " * 700}}
    ] * 10
    view = blocks.home_view(full, notice=notice)
    assert len(view["blocks"]) <= blocks.MAX_HOME_BLOCKS
    assert view_problems(view) == []
    shown = text_of(view)
    assert "…and 285 more: `/partner list mine`" in shown
    assert "…and 290 more: `/partner commitments mine`" in shown
    assert "…and 292 more: `/partner check NAME`" in shown
    assert "…and 587 more. Answer them in the *Messages* tab" in shown
    assert "…and 290 more: `/partner health`" in shown
    assert "…and 295 older ones: `/partner config`" in shown


def test_a_list_shorter_than_its_total_still_counts_the_rest() -> None:
    shown = text_of(blocks.home_view(dashboard(partners=Shown([MyPartner(partner=partner())], 40))))
    assert "Your partners (40)" in shown
    assert "…and 39 more: `/partner list mine`" in shown
    assert Shown([1, 2], 5).more == 3


def test_partners_at_risk_beyond_those_shown_are_counted_with_where_to_see_them() -> None:
    sick = PartnerHealth(score=10, at_risk=("score below 50",))
    shown = text_of(
        blocks.home_view(
            dashboard(
                partners=Shown([MyPartner(partner=partner(n), health=sick) for n in range(15)], 40),
                partners_at_risk=17,
            )
        )
    )
    assert "Your partners (40 · 17 at risk)" in shown
    assert "…and 25 more, 2 of them at risk: `/partner list mine`, `/partner list at-risk`" in shown
