"""Block Kit for partner health: `health NAME`, the at-risk and dormant lists, the health part of
a partner's card (`show`, `check`), and the weekly digest with its thread."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot import health as rules
from bot.delivery.outbox import MAX_BLOCKS
from bot.health import PartKind
from bot.services.cadence import CadenceState
from bot.services.channels import PassedOver
from bot.services.digest import WeeklyDigest
from bot.services.feedback import Rendered
from bot.services.health import HealthReport, PartnerHealth
from handlers.blocks import MAX_SECTION_TEXT, context, header, section
from handlers.reply import Block, Reply
from handlers.texts import health as texts
from handlers.texts.commitments import read_year
from handlers.texts.touchpoints import posted_instead
from storage.models import PartnerStatus

# Lines per section (a section holds 3000 characters), and at most this many listed.
LINES_PER_SECTION = 10
LISTED = 40
# At-risk partners named in the digest's own message; the thread lists them all.
NAMED_IN_DIGEST = 5
# Slack's limits: a section's text (`section` cuts what is beyond), and a message's own text
# (Slack cuts it; notifications and search show it). A reply holds at most MAX_BLOCKS sections.
SECTION_CHARS = MAX_SECTION_TEXT
REPLY_TEXT_CHARS = 40_000


def _sections(lines: Sequence[str]) -> list[Block]:
    """Up to LINES_PER_SECTION lines a section, fewer when long lines would pass Slack's
    SECTION_CHARS (40 partners with long names and several reasons each)."""
    texts_: list[str] = []
    for start in range(0, len(lines), LINES_PER_SECTION):
        texts_ += _packed(lines[start : start + LINES_PER_SECTION])
    return [section(text) for text in texts_]


def _packed(lines: Sequence[str], title: str | None = None) -> list[str]:
    """`title` and the lines, each whole (one too long for a section alone is cut short),
    packed into as few texts of up to SECTION_CHARS as they fit in."""
    texts_: list[str] = []
    current = title
    for line in lines:
        if len(line) > SECTION_CHARS:
            line = line[: SECTION_CHARS - 1] + "…"
        if current is None:
            current = line
        elif len(current) + 1 + len(line) > SECTION_CHARS:
            texts_.append(current)
            current = line
        else:
            current = f"{current}\n{line}"
    if current is not None:
        texts_.append(current)
    return texts_


# --- `health` and `list at-risk` ----------------------------------------------------------------


def at_risk(found: Sequence[PartnerHealth], *, tz: ZoneInfo | None = None) -> Reply:
    """The partners at risk, worst first, each with its reasons (days quiet on the reader's
    calendar, `tz`)."""
    if not found:
        return Reply(text=texts.NONE_AT_RISK, blocks=[section(texts.NONE_AT_RISK)])
    title = texts.at_risk_title(len(found))
    lines = [texts.at_risk_line(item, tz) for item in found[:LISTED]]
    if len(found) > LISTED:
        lines.append(texts.more_at_risk(len(found) - LISTED))
    blocks = [header(title), *_sections(lines), context(texts.AT_RISK_RULE)]
    return Reply(text=title, blocks=blocks)


def dormant(states: Sequence[CadenceState], *, tz: ZoneInfo) -> Reply:
    """`list dormant`: partners past their own maximum interval, longest quiet first."""
    if not states:
        return Reply(text=texts.NO_DORMANT, blocks=[section(texts.NO_DORMANT)])
    title = f"{texts.DORMANT_TITLE} ({len(states)})"
    lines = [texts.dormant_line(state, tz) for state in states[:LISTED]]
    if len(states) > LISTED:
        lines.append(texts.more_dormant(len(states) - LISTED))
    return Reply(text=title, blocks=[header(title), *_sections(lines)])


# --- `health NAME` ------------------------------------------------------------------------------


def report(found: HealthReport, *, tz: ZoneInfo) -> Reply:
    """The score, the trend, what moved, each part in plain words, and why it is at risk."""
    current = found.current
    title = texts.report_title(current)
    lines = [texts.headline(current)]
    if current.partner.status == PartnerStatus.ENDED:
        lines.append(texts.ENDED)
    points = [point.score for point in found.trend]
    stored = found.since_latest is not None
    lines.append(texts.trend(points, rules.sparkline(points), stored=stored))
    for since in (found.since_latest, found.since_oldest):
        # No score then nor now: nothing to say has moved.
        if since is not None and (since.score is not None or current.health.score is not None):
            lines.append(
                texts.moved(
                    since,
                    current.health.score,
                    found.tz,
                    read_year(current.cadence, found.tz),
                )
            )
    blocks: list[Block] = [header(title), section("\n".join(lines))]
    if current.risks:
        blocks.append(section(f":warning: *At risk*: {texts.risks(current, tz)}."))
    blocks.append(section("\n".join(texts.part_line(current, kind, tz) for kind in PartKind)))
    blocks.append(context(texts.FORMULA))
    return Reply(text=texts.report_text(current), blocks=blocks)


def card_section(found: PartnerHealth, *, tz: ZoneInfo | None = None) -> list[Block]:
    """The health part of a partner's card: the score, its parts, why it is at risk (days
    quiet on the reader's calendar, `tz`)."""
    health = found.health
    line = (
        f"*Health* {texts.mood(health.score)} {texts.partner_score(found)} · "
        f"{texts.parts_summary(found)}"
    )
    if found.risks:
        line += f"\n:warning: *At risk*: {texts.risks(found, tz)}."
    return [section(line), context(texts.card_footer(found.partner.name))]


# --- The weekly digest --------------------------------------------------------------------------


def digest(found: WeeklyDigest) -> Rendered:
    """The digest's one channel message: the week's counts and who is at risk."""
    blocks = [
        header(texts.digest_title(found)),
        section(texts.digest_counts(found)),
        section(texts.digest_at_risk(found, NAMED_IN_DIGEST)),
    ]
    if found.at_risk or found.partners or found.new_partners:  # what `digest_details` posts
        blocks.append(context(texts.DIGEST_DETAILS))
    return Rendered(text=texts.digest_text(found), blocks=blocks)


def _thread_replies(title: str, lines: Sequence[str]) -> list[Rendered]:
    """As few replies as Slack takes: `title` and the lines, each whole, packed into sections
    of up to SECTION_CHARS, and sections into replies of up to MAX_BLOCKS of them and
    REPLY_TEXT_CHARS in all (a list of 200 partners is one reply or two, not forty)."""
    replies: list[Rendered] = []
    chunk: list[str] = []
    for text in _packed(lines, title):
        size = sum(len(done) + 1 for done in chunk) + len(text)
        if chunk and (len(chunk) == MAX_BLOCKS or size > REPLY_TEXT_CHARS):
            replies.append(Rendered(text="\n".join(chunk), blocks=[section(t) for t in chunk]))
            chunk = []
        chunk.append(text)
    replies.append(Rendered(text="\n".join(chunk), blocks=[section(t) for t in chunk]))
    return replies


def digest_details(found: WeeklyDigest) -> list[Rendered]:
    """The digest's thread: at-risk partners with their reasons, each partner's week, and the
    partners registered."""
    replies: list[Rendered] = []
    if found.at_risk:
        replies += _thread_replies(
            texts.DIGEST_AT_RISK, [texts.at_risk_line(item, found.tz) for item in found.at_risk]
        )
    if found.partners:
        replies += _thread_replies(
            texts.DIGEST_PARTNERS, [texts.partner_week(item) for item in found.partners]
        )
    if found.new_partners:
        replies += _thread_replies(
            texts.DIGEST_NEW, [texts.new_partner(name) for name in found.new_partners]
        )
    return replies


class DigestBlocks:
    """The digest as Slack shows it (`bot.services.digest.DigestMessages`)."""

    def digest(self, digest_: WeeklyDigest) -> Rendered:
        return digest(digest_)

    def digest_details(self, digest_: WeeklyDigest) -> list[Rendered]:
        return digest_details(digest_)

    def posted_instead(self, passed: Sequence[PassedOver]) -> Rendered:
        text = posted_instead(passed, partner=None, what="the weekly digest comes")
        return Rendered(text=text, blocks=[context(text)])


MESSAGES = DigestBlocks()
