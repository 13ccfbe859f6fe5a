"""Everything Liaison says about partner health: the score and its parts in plain words, the
trend, the at-risk and dormant lists, and the weekly digest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from bot.health import (
    AT_RISK_BELOW,
    COLLISION_PENALTY,
    LOOKBACK,
    LOW_PULSE_BELOW,
    PROBLEM_RECENT,
    REVOLVING_DOOR_AT,
    TREND_WEEKS,
    WEIGHTS,
    ContactFacts,
    Move,
    PartKind,
    Parts,
    PulseFacts,
    Risk,
    RiskKind,
)
from bot.mrkdwn import literal
from bot.services.cadence import CadenceState, Standing
from bot.services.digest import PartnerWeek, WeeklyDigest
from bot.services.health import Comparison, PartnerHealth
from bot.services.surveys import QUESTIONS
from handlers.grammar import in_command
from handlers.texts.commitments import carrier, day, days_ago, no_contact, percent, read_year
from handlers.texts.partners import bold, person, status
from storage.health import ClosedCommitments, RoundTurnout
from storage.models import PartnerStatus

COMMAND = "/partner"

PART_NAMES = {
    PartKind.PULSE: "Pulse",
    PartKind.CHECKINS: "Check-ins",
    PartKind.COMMITMENTS: "Commitments",
    PartKind.CADENCE: "Contact",
    PartKind.COLLISIONS: "Collisions",
}
# The pulse questions, in the order asked (`bot.services.surveys.QUESTIONS`).
QUESTION_LABELS = ("value", "clarity", "fair workload", "alignment")
_LABELLED = dict(zip(QUESTIONS, QUESTION_LABELS, strict=True))
# A statement of other words is named by them, cut at a word to about this many characters.
LABEL_CHARS = 30
LOOKBACK_DAYS = LOOKBACK.days
PROBLEM_DAYS = PROBLEM_RECENT.days


# --- Small pieces -------------------------------------------------------------------------------


def score_of(value: int | None) -> str:
    return "no score yet" if value is None else f"{value}/100"


def partner_score(found: PartnerHealth) -> str:
    """`score_of`, but an ended partner without a score will not get one: "no score (ended)"."""
    if found.health.score is None and found.partner.status == PartnerStatus.ENDED:
        return "no score (ended)"
    return score_of(found.health.score)


def mood(value: int | None) -> str:
    """A coloured dot: green from 75, yellow from 50, red below."""
    if value is None:
        return ":white_circle:"
    if value >= 75:
        return ":large_green_circle:"
    return ":large_yellow_circle:" if value >= AT_RISK_BELOW else ":red_circle:"


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else many or word + 's'}"


# --- The parts in plain words -------------------------------------------------------------------


def _pulse(facts: Parts, tz: ZoneInfo, name: str, this_year: int) -> str:
    pulse = facts.pulse
    if pulse is None:
        return (
            "no pulse yet: no survey round has run its course "
            f"(`{COMMAND} survey {in_command(name)}` shows when)"
        )
    closed = day(pulse.closed_at.astimezone(tz).date(), this_year=this_year)
    answered = f"{pulse.respondents} of {plural(pulse.invited, 'person', 'people')} answered"
    if not pulse.enough:
        return (
            f"left out: in the last round (closed {closed}) {answered}, fewer than the "
            f"{pulse.threshold} needed to keep answers anonymous"
        )
    if not pulse.statements:
        return (
            f"left out: in the last round (closed {closed}) {answered}, but no statement had "
            f"the {pulse.threshold} answers needed to keep answers anonymous"
        )
    shown = [
        f"{label} {average:.1f}" if average is not None else f"{label} (too few answers)"
        for label, average in zip(_labels(pulse), pulse.averages, strict=True)
    ]
    return f"{', '.join(shown)} out of 5 — round closed {closed}, {answered}{_basis(pulse)}"


def _labels(pulse: PulseFacts) -> list[str]:
    """A name for each statement the round asked, in order: the short name of a standard one,
    else its own words, shortened (QA: a round a merge folded two rounds into asked six
    statements, and the averages of the last two were shown with no name)."""
    labels = []
    for number in range(len(pulse.averages)):
        wording = pulse.wordings[number] if number < len(pulse.wordings) else ""
        if wording in _LABELLED:
            labels.append(_LABELLED[wording])
        elif wording:
            labels.append(f"“{_shortened(wording)}”")
        else:
            labels.append(
                QUESTION_LABELS[number]
                if number < len(QUESTION_LABELS)
                else f"statement {number + 1}"
            )
    return labels


def _shortened(words: str) -> str:
    """`words` cut at a word to about `LABEL_CHARS` characters, "…" where cut."""
    if len(words) <= LABEL_CHARS:
        return words
    cut = words[: LABEL_CHARS + 1].rsplit(" ", 1)[0] if " " in words[:LABEL_CHARS] else words
    return f"{cut[:LABEL_CHARS].rstrip(' ,;:')}…"


def _basis(pulse: PulseFacts) -> str:
    """What the score rests on, when not every statement: how many, and a single one (with its
    number of answers, at least the anonymity threshold) called thin."""
    asked = len(pulse.averages)
    if pulse.statements == asked:
        return ""
    if pulse.thin:
        counts = pulse.answers or (0,) * asked
        label, count = next(
            (label, count)
            for label, average, count in zip(_labels(pulse), pulse.averages, counts, strict=False)
            if average is not None
        )
        answers = f" ({plural(count, 'answer')})" if count else ""
        return (
            f". A thin score: it rests on {label} alone{answers}, the only one of the {asked} "
            "statements enough people answered"
        )
    return f"; the score rests on the {pulse.statements} of {asked} statements enough answered"


def _checkins(facts: Parts) -> str:
    said = facts.checkins
    if not said.answered:
        return f"no check-in answered about a meeting of the last {LOOKBACK_DAYS} days"
    return (
        f"{said.went_well} went well, {said.mixed} mixed, "
        f"{plural(said.problem, 'problem')} — check-ins of the last {LOOKBACK_DAYS} days"
    )


def _commitments(facts: Parts) -> str:
    kept = facts.commitments
    if not (kept.kept or kept.late or kept.overdue):
        return "nothing kept or overdue yet (open commitments not yet due do not count)"
    return (
        f"{kept.kept} kept on time, {kept.late} late, {kept.overdue} overdue, "
        "both sides (an overdue one weighs double)"
    )


def _cadence(facts: Parts, partner_status: str, quiet_days: int | None) -> str:
    contact = facts.cadence
    if contact is None or contact.standing is Standing.EXEMPT:
        return f"left out: {status(partner_status)} partners are exempt from staying in touch"
    if quiet_days is not None:
        contact = replace(contact, quiet_days=quiet_days)
    if not contact.contacted and contact.standing is Standing.FINE:
        return (
            f"no contact yet, so not counted: registered {days_ago(contact.quiet_days)}; a "
            f"nudge after {contact.ideal_days} days without one"
        )
    if contact.standing is Standing.DORMANT:
        return f"dormant: {_quiet(contact, f'dormant after {contact.max_days}')}"
    if contact.standing is Standing.DUE:
        return f"time to get in touch: {_quiet(contact, f'ideal: every {contact.ideal_days}')}"
    return f"on track: {_quiet(contact, f'ideal: every {contact.ideal_days}')}"


def _quiet(contact: ContactFacts, rule: str) -> str:
    """How long the partner has been quiet, as `show` says it: "today", not "0 days"; and for
    one nobody has been in touch with, that there was no contact yet. `rule` follows in
    brackets."""
    if not contact.contacted:
        return no_contact(contact.quiet_days, then=rule)
    if contact.quiet_days < 2:
        return f"last contact {days_ago(contact.quiet_days)} ({rule})"
    return f"quiet for {plural(contact.quiet_days, 'day')} ({rule})"


def _collisions(facts: Parts) -> str:
    found = facts.collisions
    if not found.touchpoints:
        among = (
            f"; {plural(found.collisions, 'collision')} among plans and intents "
            f"{'counts' if found.collisions == 1 else 'count'} only towards a revolving door"
            if found.collisions
            else ""
        )
        return (
            f"no contact in the last {LOOKBACK_DAYS} days (plans still ahead and intents do not "
            f"count), so nothing to judge{among}"
        )
    if not found.collisions:
        return (
            f"no collision among {plural(found.touchpoints, 'contact')} of the last "
            f"{LOOKBACK_DAYS} days"
        )
    return (
        f"{plural(found.collisions, 'collision')} in the last {LOOKBACK_DAYS} days "
        f"(−{COLLISION_PENALTY} each)"
    )


def explain(
    kind: PartKind,
    facts: Parts,
    *,
    tz: ZoneInfo,
    name: str,
    partner_status: str,
    this_year: int,
    quiet_days: int | None = None,
) -> str:
    """What one part of the score is made of, in plain words; `quiet_days`: the days quiet on
    the reader's calendar (`days_quiet`), for the contact part."""
    if kind is PartKind.PULSE:
        return _pulse(facts, tz, name, this_year)
    if kind is PartKind.CHECKINS:
        return _checkins(facts)
    if kind is PartKind.COMMITMENTS:
        return _commitments(facts)
    if kind is PartKind.CADENCE:
        return _cadence(facts, partner_status, quiet_days)
    return _collisions(facts)


def part_line(found: PartnerHealth, kind: PartKind, tz: ZoneInfo) -> str:
    part = found.health.part(kind)
    value = "—" if part.score is None else str(part.score)
    words = explain(
        kind,
        found.health.facts,
        tz=tz,
        name=found.partner.name,
        partner_status=found.partner.status,
        this_year=read_year(found.cadence, tz),
        # Read at a known moment: counted on the reader's calendar (else as the part has it).
        quiet_days=None if found.cadence.read_at is None else days_quiet(found.cadence, tz),
    )
    return f"*{PART_NAMES[kind]}* {value} · {words}"


def thin_pulse(found: PartnerHealth) -> str | None:
    """`1 of 4 statements`, when the score counts a pulse resting on a single statement."""
    pulse = found.health.facts.pulse
    if pulse is None or not pulse.thin or found.health.part(PartKind.PULSE).score is None:
        return None
    return f"1 of {len(pulse.averages)} statements"


def parts_summary(found: PartnerHealth) -> str:
    """`pulse 75 · check-ins 83 · commitments — · contact 100 · collisions —`; a pulse resting on
    a single statement is `pulse 75 (thin: 1 of 4 statements)`."""
    thin = thin_pulse(found)
    return " · ".join(
        f"{PART_NAMES[part.kind].lower()} {'—' if part.score is None else part.score}"
        + (f" (thin: {thin})" if part.kind is PartKind.PULSE and thin else "")
        for part in found.health.parts
    )


FORMULA = (
    "The score weighs "
    + ", ".join(f"{PART_NAMES[kind].lower()} {weight}%" for kind, weight in WEIGHTS.items())
    + "; a part without data (—) is left out and the others count for more."
)


# --- At risk ------------------------------------------------------------------------------------


def days_quiet(state: CadenceState, tz: tzinfo | None) -> int:
    """The days a partner has been quiet on the reader's calendar (`tz`), from the day of its
    last contact (or registration) to the day it was read: as `show` and the Home count "last
    contact 63 days ago", so that a line naming both says one number. Without a zone (or a
    moment read), the cadence service's count."""
    if tz is None or state.read_at is None:
        return state.quiet_days
    return max(0, (state.read_at.astimezone(tz).date() - state.since_day(tz)).days)


def risk(found: PartnerHealth, reason: Risk, tz: tzinfo | None = None) -> str:
    """Why `found` is at risk, in words; days quiet counted on the calendar of `tz`."""
    if reason.kind is RiskKind.LOW_SCORE:
        return f"score below {AT_RISK_BELOW}{_pulled_down(found)}"
    if reason.kind is RiskKind.DORMANT:
        quiet = days_quiet(found.cadence, tz)
        if not found.cadence.contacted:
            return f"dormant: {no_contact(quiet)}"
        return f"dormant: quiet for {plural(quiet, 'day')}"
    if reason.kind is RiskKind.LOPSIDED:
        assert reason.side is not None
        share = found.balance.share(reason.side)
        return (
            f"lopsided workload: {carrier(reason.side)} carries {percent(share)} of the open work"
        )
    if reason.kind is RiskKind.LOW_PULSE:
        return f"pulse {reason.count}: the team rates it badly"
    if reason.kind is RiskKind.REVOLVING_DOOR:
        return (
            f"revolving door: {plural(reason.count, 'collision')} in the last {LOOKBACK_DAYS} days"
        )
    return (
        f"{plural(reason.count, 'Problem check-in')} in the last {PROBLEM_DAYS} days"
        if reason.count > 1
        else f"a Problem check-in in the last {PROBLEM_DAYS} days"
    )


# The part another reason names already: "dormant" says the contact, a low pulse the pulse, a
# Problem check-in the check-ins.
_NAMED_BY = {
    RiskKind.DORMANT: PartKind.CADENCE,
    RiskKind.LOW_PULSE: PartKind.PULSE,
    RiskKind.PROBLEM: PartKind.CHECKINS,
}


def _pulled_down(found: PartnerHealth) -> str:
    """` (commitments 0, check-ins 25)`: the parts scoring below the line that no other reason
    names, lowest first, so that "score below 50" says what brought it there (an overdue
    promise of ours, say, that the reasons would otherwise leave unsaid)."""
    named = {_NAMED_BY[reason.kind] for reason in found.risks if reason.kind in _NAMED_BY}
    low = sorted(
        (
            (part.score, PART_NAMES[part.kind].lower())
            for part in found.health.parts
            if part.score is not None and part.score < AT_RISK_BELOW and part.kind not in named
        ),
        key=lambda low: low[0],
    )
    return f" ({', '.join(f'{name} {score}' for score, name in low)})" if low else ""


def risks(found: PartnerHealth, tz: tzinfo | None = None) -> str:
    return "; ".join(risk(found, reason, tz) for reason in found.risks)


def at_risk_line(found: PartnerHealth, tz: tzinfo | None = None) -> str:
    """A warning whatever the score: a partner at risk for a lopsided workload may score 100, and
    a green dot beside it would read "fine". A score counting a thin pulse says so, as `show`
    does: `62/100 (thin pulse: 1 of 4 statements)`."""
    facts = found.partner
    thin = thin_pulse(found)
    score = score_of(found.health.score) + (f" (thin pulse: {thin})" if thin else "")
    why = risks(found, tz)
    owner = owner_of(facts.owner_id, gone=found.owner_gone)
    return f":warning: {bold(facts.name)} {score} · owner {owner} — {why}"


# Beside an owner whose account Slack says is deactivated: nobody there to act on the risk.
OWNER_GONE = " (no longer in Slack)"


def owner_of(user_id: str | None, *, gone: bool) -> str:
    """`<@U0BEN>`; `<@U0BEN> (no longer in Slack)` once the profile cache says he left."""
    return person(user_id) + (OWNER_GONE if gone else "")


def at_risk_title(count: int) -> str:
    return f"Partners at risk ({count})"


AT_RISK_RULE = (
    f"At risk: a score below {AT_RISK_BELOW}, dormant, a lopsided workload, a Problem "
    f"check-in in the last {PROBLEM_DAYS} days, a revolving door ({REVOLVING_DOOR_AT} or "
    f"more collisions in the last {LOOKBACK_DAYS} days), or a pulse below {LOW_PULSE_BELOW} "
    f"(not thin). Worst first; `{COMMAND} health NAME` "
    "explains one."
)
NONE_AT_RISK = (
    # Ended partners are never at risk whatever their score: "every score" would be untrue.
    f"No partner is at risk: no partner still followed scores below {AT_RISK_BELOW}, nobody is "
    "dormant or "
    f"lopsided, no check-in said Problem in the last {PROBLEM_DAYS} days, no partner had "
    f"{REVOLVING_DOOR_AT} collisions in the last {LOOKBACK_DAYS} days, and no pulse is below "
    f"{LOW_PULSE_BELOW}."
)


def more_at_risk(hidden: int) -> str:
    return f"…and {hidden} more."


# --- `health NAME` ------------------------------------------------------------------------------


def report_title(found: PartnerHealth) -> str:
    """A header's plain text: the name as it is."""
    return f"Health of {found.partner.name}: {partner_score(found)}"


def report_text(found: PartnerHealth) -> str:
    """`report_title` as the message's text (mrkdwn): the name shown as typed."""
    return f"Health of {literal(found.partner.name)}: {partner_score(found)}"


def headline(found: PartnerHealth) -> str:
    health = found.health
    if health.score is None:
        # An ended partner is followed no more: "yet" would promise a score it will not get.
        still = "" if found.partner.status == PartnerStatus.ENDED else " yet"
        return (
            f"{mood(None)} {bold(found.partner.name)} has no score{still}: none of its five parts "
            "has data."
        )
    return (
        f"{mood(health.score)} *{score_of(health.score)}*, from {health.counted} of "
        f"{len(health.parts)} parts."
    )


ENDED = (
    ":black_circle: Ended: nobody follows it any more, so it is never listed at risk, whatever "
    "its score."
)


def trend(points: Sequence[int | None], bars: str, *, stored: bool) -> str:
    """The sparkline; `stored`: a weekly score is stored already (a "Since" line follows).
    Before the first (the partner's first week) there is no line to draw."""
    shown = [value for value in points if value is not None]
    if not shown and stored:
        return f"*Trend*: {bars} — no score yet, so no trend."
    if len(shown) < 2 and stored:
        return f"*Trend*: {bars} — one weekly score so far; a line shows from next week."
    if len(shown) < 2:
        # Only today's score: one bar would read as a trend the README says there isn't.
        return "*Trend*: none yet — the first week; a trend shows once weekly scores are stored."
    return (
        f"*Last {min(len(points), TREND_WEEKS)} weeks*: {bars}  "
        f"({shown[0]} → {shown[-1]}, lowest {min(shown)}, highest {max(shown)})"
    )


def move(item: Move) -> str:
    name = PART_NAMES[item.kind].lower()
    if item.before is None:
        return f"{name} {item.after} (new)"
    if item.after is None:
        return f"{name} no longer counts (was {item.before})"
    change = item.after - item.before
    return f"{name} {item.before} → {item.after} ({'+' if change > 0 else '−'}{abs(change)})"


def moved(found: Comparison, now_score: int | None, tz: ZoneInfo, this_year: int) -> str:
    """What moved since a snapshot, named by the day it was taken (in the workspace's zone)."""
    taken = day(found.taken_at.astimezone(tz).date(), this_year=this_year)
    head = f"*Since {taken}* ({score_of(found.score)} → "
    head += f"{score_of(now_score)})"
    if not found.moves:
        return f"{head}: no part moved."
    return f"{head}: " + "; ".join(move(item) for item in found.moves) + "."


def card_footer(name: str) -> str:
    return f"`{COMMAND} health {in_command(name)}` shows the trend and what each part means."


# --- `list dormant` -----------------------------------------------------------------------------

DORMANT_TITLE = "Dormant partners"
NO_DORMANT = (
    "No dormant partners: every partner followed was in touch within its maximum interval "
    f"(default 60 days; `{COMMAND} cadence NAME` shows one's)."
)


def dormant_line(state: CadenceState, tz: ZoneInfo) -> str:
    facts = state.partner
    since = day(state.since_day(tz), this_year=read_year(state, tz))
    rule = f"dormant after {state.intervals.max}"
    quiet = (
        f"quiet for {plural(days_quiet(state, tz), 'day')} (last contact {since}; {rule})"
        if state.contacted
        else no_contact(days_quiet(state, tz), on=since, then=rule)
    )
    owner = owner_of(facts.owner_id, gone=state.owner_gone)
    return f"• {bold(facts.name)} · owner {owner} · {quiet}"


def more_dormant(hidden: int) -> str:
    return f"…and {hidden} more."


# --- The weekly digest --------------------------------------------------------------------------


def _span(found: WeeklyDigest) -> str:
    """The stretch the digest tells of, which runs to the digest's moment. At midnight, as a
    reader names a week: `Mon 30 Nov – Sun 6 Dec`. At another hour, with it, since that
    morning's news is counted and the next digest starts there: `Mon 30 Nov 09:00 – Mon 7 Dec
    09:00 (UTC)`, the zone named, as the channel's readers are in theirs (QA: "Mon 30 Nov – Sun 6
    Dec" counted Monday 7 Dec's morning; "Mon 30 Nov – Mon 7 Dec" alone read as eight days; a
    reader in New York took "09:00" for hers)."""
    start = found.start.astimezone(found.tz)
    end = found.end.astimezone(found.tz)
    this_year = end.year
    if end.time() != time(0):
        return (
            f"{day(start.date(), this_year=this_year)} {start:%H:%M} – "
            f"{day(end.date(), this_year=this_year)} {end:%H:%M} ({found.tz.key})"
        )
    first = start.date()
    last = max(first, end.date() - timedelta(days=1))
    if last == first:
        return day(first, this_year=this_year)
    return f"{day(first, this_year=this_year)} – {day(last, this_year=this_year)}"


def touchpoints(total: int, as_planned: int, earlier: int = 0) -> str:
    """`3 touchpoints logged`; with contacts planned for a moment in the week, `3 touchpoints
    (2 logged, 1 as planned)`, or `1 touchpoint (as planned)`. "Logged" counts what was logged
    in the week, whenever it happened: `earlier` of them dated before it are said to be, as
    `3 touchpoints logged (1 dated before the week)`."""
    before = f"{earlier} dated before the week" if earlier else ""
    if not as_planned:
        return f"{plural(total, 'touchpoint')} logged" + (f" ({before})" if before else "")
    if before:
        logged = total - as_planned
        return f"{plural(total, 'touchpoint')} ({logged} logged, {before}; {as_planned} as planned)"
    if as_planned == total:
        return f"{plural(total, 'touchpoint')} (as planned)"
    return f"{plural(total, 'touchpoint')} ({total - as_planned} logged, {as_planned} as planned)"


def digest_counts(found: WeeklyDigest) -> str:
    """What the week counted, the counts that are not zero only; `A quiet week` when all are
    (a digest sent for its at-risk partners alone)."""
    counts = []
    if found.new_partners:
        counts.append(plural(len(found.new_partners), "new partner"))
    if found.touchpoints:
        counts.append(touchpoints(found.touchpoints, found.as_planned, found.earlier))
    if found.planned:
        counts.append(f"{found.planned} planned for the week ahead")
    if found.collisions:
        counts.append(plural(found.collisions, "collision"))
    if found.closed.total:
        counts.append(closed_commitments(found.closed, headline=True))
    if found.overdue:
        # An ended partner's open promises are real, but no at-risk signal: said as theirs.
        ended, of_ended = found.overdue_ended, ""
        if ended:
            of_ended = " (" + ("" if ended == found.overdue else f"{ended} ")
            of_ended += "of ended partnerships)"
        counts.append(f"{found.overdue} overdue{of_ended}")
    turnout = found.turnout
    if turnout.invited:
        rate = round(100 * turnout.respondents / turnout.invited)
        counts.append(f"pulse response {rate}% ({turnout.respondents} of {turnout.invited} asked)")
    said = " · ".join(counts) if counts else "a quiet week"
    return said[:1].upper() + said[1:]  # its own line under the title: "Pulse response 50% …"


def digest_title(found: WeeklyDigest) -> str:
    return f"Weekly digest · {_span(found)}"


def digest_at_risk(found: WeeklyDigest, shown: int) -> str:
    if not found.at_risk:
        return "*At risk*: nobody."
    names = ", ".join(
        f"{literal(item.partner.name)} ({score_of(item.health.score)})"
        for item in found.at_risk[:shown]
    )
    hidden = len(found.at_risk) - shown
    tail = f", and {hidden} more" if hidden > 0 else ""
    return f"*At risk ({len(found.at_risk)})*: {names}{tail}."


def digest_text(found: WeeklyDigest) -> str:
    return f"{digest_title(found)}: {digest_counts(found)}."


DIGEST_DETAILS = "Details per partner in the thread."
DIGEST_AT_RISK = "*At risk*, worst first"
DIGEST_PARTNERS = "*This week, by partner*"
DIGEST_NEW = "*New partners*"


def closed_commitments(closed: ClosedCommitments, *, headline: bool = False) -> str:
    """`2 commitments kept (1 late), 1 dropped`; the headline leaves out how many were late and
    says `0 commitments kept` rather than nothing."""
    if not closed.kept and closed.dropped:
        return f"{plural(closed.dropped, 'commitment')} dropped"
    late = f" ({closed.late} late)" if closed.late and not headline else ""
    kept = f"{plural(closed.kept, 'commitment')} kept{late}"
    return f"{kept}, {closed.dropped} dropped" if closed.dropped else kept


def pulse_closed(turnout: RoundTurnout) -> str:
    """`pulse round closed, 3 of 4 answered`: people counted, answers never shown."""
    rounds = "pulse round" if turnout.rounds == 1 else f"{turnout.rounds} pulse rounds"
    return f"{rounds} closed, {turnout.respondents} of {turnout.invited} answered"


def partner_week(item: PartnerWeek) -> str:
    parts = []
    if item.touchpoints:
        parts.append(touchpoints(item.touchpoints, item.as_planned, item.earlier))
    if item.collisions:
        parts.append(plural(item.collisions, "collision"))
    if item.overdue:
        ended = " (the partnership has ended)" if item.ended else ""
        parts.append(f"{plural(item.overdue, 'commitment')} overdue{ended}")
    if item.closed.total:
        parts.append(closed_commitments(item.closed))
    if item.turnout.rounds:
        parts.append(pulse_closed(item.turnout))
    if item.planned:
        parts.append(f"{item.planned} planned for the week ahead")
    return f"• {bold(item.name)}: " + ", ".join(parts)


def new_partner(name: str) -> str:
    return f"• {bold(name)}"
