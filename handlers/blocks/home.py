"""The App Home: one person's dashboard as a Home tab view (pure functions).

Top to bottom: what the person's last click did (if anything), the buttons for the
common actions, their partners, their open commitments (each with **Done**), what is coming up,
what waits for their answer, and for admins the workspace's at-risk partners and failed
deliveries.

Slack allows a Home view 100 blocks. Every list is cut to the service's `SHOWN_*` items (the
rest counted, with the command that shows them), and lines share sections up to Slack's 3000
characters, so the worst case stays below: 4 blocks on top and up to `MAX_NOTICE_BLOCKS` of
notice, then per list a divider, a header, at most one block per shown item and a closing
context line — 86 blocks when every list is full and every line needs a section of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, TypeVar

from bot.mrkdwn import cut
from bot.services.home import (
    SHOWN_AT_RISK,
    SHOWN_CHECKINS,
    SHOWN_COMMITMENTS,
    SHOWN_FAILED,
    SHOWN_MEETINGS,
    SHOWN_PARTNERS,
    SHOWN_SURVEYS,
    HomeDashboard,
    Shown,
)
from handlers.blocks import MAX_SECTION_TEXT, actions, button, context, divider, header, section
from handlers.blocks.commitments import done_button
from handlers.blocks.delivery import failed_deliveries
from handlers.reply import Block
from handlers.texts import home as texts

MAX_HOME_BLOCKS = 100
MAX_NOTICE_BLOCKS = 6
# Action ids of the Home's own buttons (Done is the reminders' own, `commitments.DONE_ACTIONS`).
LOG = "home_log"
COMMIT = "home_commit"

Item = TypeVar("Item")


def home_view(dashboard: HomeDashboard, *, notice: Sequence[Block] = ()) -> dict[str, Any]:
    """The Home tab of `dashboard`'s person. `notice` is the answer to their last click (what a
    button or form did), shown on top without its buttons: those answer in a message."""
    blocks: list[Block] = [
        header(texts.TITLE),
        context(texts.updated(dashboard.now, dashboard.tz)),
    ]
    if dashboard.away is not None:
        blocks.append(context(texts.away(dashboard.away, dashboard.tz)))
    blocks += _words_of(notice)
    blocks.append(
        actions(
            [
                button(texts.LOG, LOG, "log", style="primary"),
                button(texts.COMMIT, COMMIT, "commit"),
            ]
        )
    )
    blocks += _partners(dashboard)
    blocks += _commitments(dashboard)
    blocks += _meetings(dashboard)
    blocks += _waiting(dashboard)
    blocks += _admin(dashboard)
    assert len(blocks) <= MAX_HOME_BLOCKS, f"{len(blocks)} blocks on a Home view"
    return {"type": "home", "blocks": blocks}


# --- The lists ----------------------------------------------------------------------------------


def _partners(dashboard: HomeDashboard) -> list[Block]:
    found = dashboard.partners
    now = dashboard.now.astimezone(dashboard.tz)
    shown = found.items[:SHOWN_PARTNERS]
    lines = [texts.partner_line(mine, now) for mine in shown]
    # Those at risk come first: any left out are past every one shown.
    hidden_at_risk = max(
        0,
        dashboard.partners_at_risk
        - sum(1 for mine in shown if mine.health is not None and mine.health.at_risk),
    )
    return _titled(
        texts.partners_title(found.total, dashboard.partners_at_risk),
        _sections(lines) or [section(texts.partners_empty())],
        _more(found, SHOWN_PARTNERS, partial(texts.partners_more, at_risk=hidden_at_risk)),
    )


def _commitments(dashboard: HomeDashboard) -> list[Block]:
    found = dashboard.commitments
    year = dashboard.now.astimezone(dashboard.tz).year
    rows = [
        {
            **section(texts.commitment_line(item, year)),
            "accessory": done_button(item.id),
        }
        for item in found.items[:SHOWN_COMMITMENTS]
    ]
    return _titled(
        texts.commitments_title(found.total),
        rows or [section(texts.commitments_empty())],
        _more(found, SHOWN_COMMITMENTS, texts.commitments_more),
    )


def _meetings(dashboard: HomeDashboard) -> list[Block]:
    found = dashboard.meetings
    lines = [
        texts.meeting_line(meeting, tz=dashboard.tz, now=dashboard.now, viewer=dashboard.user_id)
        for meeting in found.items[:SHOWN_MEETINGS]
    ]
    return _titled(
        texts.meetings_title(found.total),
        _sections(lines) or [section(texts.meetings_empty())],
        _more(found, SHOWN_MEETINGS, texts.meetings_more),
    )


def _waiting(dashboard: HomeDashboard) -> list[Block]:
    """Check-ins and surveys sent to the person and not answered; nothing when none wait."""
    checkins, surveys = dashboard.checkins, dashboard.surveys
    if not checkins.total and not surveys.total:
        return []
    tz, now = dashboard.tz, dashboard.now
    lines = [texts.checkin_line(c, tz=tz, now=now) for c in checkins.items[:SHOWN_CHECKINS]]
    lines += [texts.survey_line(s, tz=tz, now=now) for s in surveys.items[:SHOWN_SURVEYS]]
    more = _left_out(checkins, SHOWN_CHECKINS) + _left_out(surveys, SHOWN_SURVEYS)
    return _titled(
        texts.waiting_title(checkins.total + surveys.total),
        _sections(lines),
        context(texts.waiting_hint(more)),
    )


def _admin(dashboard: HomeDashboard) -> list[Block]:
    admin = dashboard.admin
    if admin is None:
        return []
    blocks: list[Block] = [divider(), header(texts.ADMIN_TITLE), context(texts.ADMIN_WHY)]
    if admin.at_risk is not None:
        found = admin.at_risk
        lines = [texts.at_risk_line(item) for item in found.items[:SHOWN_AT_RISK]]
        blocks.append(section(f"*{texts.at_risk_title(found.total)}*"))
        empty = texts.no_partners() if admin.no_partners else texts.at_risk_empty()
        blocks += _sections(lines) or [section(empty)]
        more = _more(found, SHOWN_AT_RISK, texts.at_risk_more)
        if more is not None:
            blocks.append(more)
    failed = admin.failed
    blocks += failed_deliveries(failed.items[:SHOWN_FAILED])
    older = _left_out(failed, SHOWN_FAILED)
    if older:
        blocks.append(context(texts.failed_more(older)))
    return blocks


# --- Pieces -------------------------------------------------------------------------------------


def _words_of(answer: Sequence[Block]) -> list[Block]:
    """An answer's sections and context lines, words only: its buttons answer in a message."""
    kept: list[Block] = []
    for block in answer:
        # The words are mrkdwn already escaped for Slack: cut to Slack's limits, not escaped again.
        if block.get("type") == "section" and (block.get("text") or {}).get("text"):
            kept.append({"type": "section", "text": _within(block["text"], MAX_SECTION_TEXT)})
        elif block.get("type") == "context":
            words = [_within(e, 3000) for e in block.get("elements", []) if e.get("text")]
            if words:
                kept.append({"type": "context", "elements": words[:10]})
    return kept[:MAX_NOTICE_BLOCKS]


def _within(text: dict[str, Any], limit: int) -> dict[str, Any]:
    return {**text, "text": cut(str(text["text"]), limit)}


def _titled(title: str, body: list[Block], closing: Block | None) -> list[Block]:
    blocks = [divider(), header(title), *body]
    if closing is not None:
        blocks.append(closing)
    return blocks


def _left_out(found: Shown[Item], shown: int) -> int:
    return max(0, found.total - len(found.items[:shown]))


def _more(found: Shown[Item], shown: int, say: Callable[[int], str]) -> Block | None:
    """A context line naming the command that shows the rest, when some are left out."""
    left = _left_out(found, shown)
    return context(say(left)) if left else None


def _sections(lines: Sequence[str]) -> list[Block]:
    """Lines, one per row, in as few sections as Slack's 3000 characters allow; a line is
    never split between two sections."""
    sections: list[Block] = []
    current: list[str] = []
    size = 0
    for line in lines:
        if current and size + 1 + len(line) > MAX_SECTION_TEXT:
            sections.append(section("\n".join(current)))
            current, size = [], 0
        current.append(line)
        size += len(line) + (1 if size else 0)
    if current:
        sections.append(section("\n".join(current)))
    return sections
