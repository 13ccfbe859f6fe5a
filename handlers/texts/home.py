"""Everything the App Home says: section titles, one line per item, what to do when a list is
empty or cut, and the buttons' labels.

Times are in the reader's zone ("tomorrow at 14:00", "on Thu 3 Dec"); people are Slack
mentions. A cut list names the command that shows the rest.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from bot.dates import contact_day
from bot.mrkdwn import as_typed as markup_as_typed
from bot.mrkdwn import unescape
from bot.services.commitments import CommitmentFacts
from bot.services.home import AtRiskPartner, Away, MyPartner, PartnerHealth, PlannedMeeting
from handlers.texts import feedback as feedback_texts
from handlers.texts.commitments import due, number, promise
from handlers.texts.health import owner_of
from handlers.texts.partners import (
    bold,
    last_contact,
    list_empty,
    person,
    role_of_caller,
    status,
)
from handlers.texts.touchpoints import day_words, quote, when, with_contact
from storage.home import OpenSurvey, WaitingCheckIn
from storage.models import PartnerStatus, TeamRole

COMMAND = "/partner"
# Long meeting purposes are cut on the Home; `check NAME` shows them whole.
PURPOSE_SHOWN = 120

TITLE = "Your partnerships"
# Buttons.
LOG = "Log a touchpoint"
COMMIT = "New commitment"
DONE = "Done"


def updated(now: datetime, tz: ZoneInfo) -> str:
    return f"Updated {now.astimezone(tz):%a %-d %b, %H:%M} ({tz.key})"


def away(found: Away, tz: ZoneInfo) -> str:
    """`:palm_tree: You're away until Fri 4 Dec: …` (the last day, `until` being exclusive)."""
    last_day = (found.until.astimezone(tz) - timedelta(microseconds=1)).date()
    cover = (
        f"alerts about partners you own go to {person(found.deputy_id)}"
        if found.deputy_id
        else "alerts about partners you own go to their deputies, where they have one"
    )
    return (
        f":palm_tree: You're away until {last_day:%a %-d %b}: your check-ins and surveys wait "
        f"for you, and {cover}. Type `{COMMAND} back` to end it early."
    )


def _title(name: str, total: int) -> str:
    return f"{name} ({total})" if total else name


# --- My partners --------------------------------------------------------------------------------


def partners_title(total: int, at_risk: int = 0) -> str:
    """`Your partners (6)`; with some at risk, `Your partners (186 · 17 at risk)`."""
    if at_risk:
        return f"Your partners ({total} · {at_risk} at risk)"
    return _title("Your partners", total)


def health(found: PartnerHealth, *, ended: bool = False) -> str:
    """`health 72`, `health 41 · ⚠️ at risk: dormant, lopsided workload`; a score counting a
    thin pulse says so, as `show` and the at-risk lists do: `health 45 (thin pulse: 1 of 4
    statements)`. An ended partner without a score will not get one: `no health score (ended)`."""
    if found.score is None and ended:
        return "no health score (ended)"
    score = "not scored yet" if found.score is None else str(found.score)
    text = f"health {score}"
    if found.thin_pulse is not None:
        text += f" (thin pulse: {found.thin_pulse})"
    if found.at_risk:
        text += f" · :warning: at risk: {', '.join(found.at_risk)}"
    return text


def partner_line(mine: MyPartner, now: datetime) -> str:
    partner = mine.partner
    parts = [bold(partner.name), status(partner.status), role_of_caller(partner.role)]
    if partner.role is not TeamRole.OWNER:
        owner = owner_of(partner.owner_id, gone=mine.owner_gone)
        parts.append(f"owner {owner}{_owner_away(mine, now.tzinfo)}")
    parts.append(
        "last contact "
        + last_contact(
            partner.last_contact_at,
            partner.last_contact_by,
            now,
            day_only=partner.last_contact_day_only,
        )
    )
    if mine.health is not None:
        parts.append(health(mine.health, ended=partner.status == PartnerStatus.ENDED))
    return " · ".join(parts)


def _owner_away(mine: MyPartner, tz: tzinfo | None) -> str:
    """`, away until Fri 11 Dec` (the last day); `…: you cover`, to its deputy covering."""
    if mine.owner_away_until is None:
        return ""
    last_day = (mine.owner_away_until.astimezone(tz) - timedelta(microseconds=1)).date()
    return f", away until {last_day:%a %-d %b}" + (": you cover" if mine.you_cover else "")


def partners_empty() -> str:
    return (
        f"You are not on any partner's team yet. `{COMMAND} add NAME` registers one (you own "
        f"it); `{COMMAND} list` shows them all."
    )


def partners_more(more: int, at_risk: int = 0) -> str:
    """The partners left out; `at_risk`: how many of them are at risk (the shown come first)."""
    if at_risk:
        return (
            f"…and {more} more, {at_risk} of them at risk: `{COMMAND} list mine`, "
            f"`{COMMAND} list at-risk`"
        )
    return f"…and {more} more: `{COMMAND} list mine`"


# --- My commitments -----------------------------------------------------------------------------


def commitments_title(total: int) -> str:
    return _title("Your open commitments", total)


def commitment_line(item: CommitmentFacts, this_year: int) -> str:
    return f"{number(item.number)} {promise(item)} · {due(item, this_year)}"


def commitments_empty() -> str:
    return (
        f"No open commitments. Record one with *{COMMIT}* or "
        f"`{COMMAND} commit NAME us|them : WHAT by DATE`."
    )


def commitments_more(more: int) -> str:
    return f"…and {more} more: `{COMMAND} commitments mine`"


# --- Planned meetings ---------------------------------------------------------------------------


def meetings_title(total: int) -> str:
    return _title("Coming up", total)


def meeting_line(
    meeting: PlannedMeeting, *, tz: ZoneInfo, now: datetime, viewer: str | None = None
) -> str:
    """`*Acme* · meeting tomorrow at 14:00 with Jane Doe · “review”`; a meeting the `viewer`
    takes part in but did not plan names who did (they are the one to ask about it), and a
    colleague's on a partner the viewer owns or deputises says so (`— on your partner`), so
    that it is not taken for one of their own."""
    touch = meeting.touch
    noun = f"{touch.medium} " if touch.medium else ""
    line = (
        f"{bold(meeting.partner_name)} · {noun}{when(touch, tz=tz, now=now)}{with_contact(touch)}"
    )
    if viewer is not None and touch.author_id != viewer:
        line += f" · planned by {person(touch.author_id)}"
    if meeting.on_your_partner:
        line += " — on your partner"
    notes = " ".join((touch.notes or "").split())
    if notes:
        shown = notes if len(notes) <= PURPOSE_SHOWN else notes[: PURPOSE_SHOWN - 1] + "…"
        line += f" · {quote(shown)}"
    return line


def meetings_empty() -> str:
    return f"Nothing planned. `{COMMAND} plan NAME on DATE : PURPOSE` records a meeting."


def meetings_more(more: int) -> str:
    return f"…and {more} more: `{COMMAND} check NAME` shows what is planned with a partner"


# --- Waiting for an answer ----------------------------------------------------------------------


def waiting_title(total: int) -> str:
    return _title("Waiting for your answer", total)


def checkin_line(waiting: WaitingCheckIn, *, tz: ZoneInfo, now: datetime) -> str:
    today = now.astimezone(tz).date()
    met = day_words(contact_day(waiting.meeting_at, day_only=waiting.day_only, tz=tz), today)
    asked = day_words(waiting.asked_at.astimezone(tz).date(), today)
    medium = waiting.medium or "meeting"
    return f"How did the {medium} with {bold(waiting.partner_name)} {met} go? _Asked {asked}._"


def survey_line(survey: OpenSurvey, *, tz: ZoneInfo, now: datetime) -> str:
    closes = survey.closes_at.astimezone(tz)
    when_text = day_words(closes.date(), now.astimezone(tz).date())
    return (
        f"Pulse survey about {bold(survey.partner_name)}: {survey.answered} of {survey.questions} "
        f"statements scored · closes {when_text.removeprefix('on ')} at {closes:%H:%M}"
    )


def waiting_hint(more: int) -> str:
    rest = f"…and {more} more. " if more else ""
    return f"{rest}Answer them in the *Messages* tab, where Liaison asked."


# --- For admins ---------------------------------------------------------------------------------

ADMIN_TITLE = "Across the workspace"
ADMIN_WHY = "You see this because you are an admin of Liaison."


def at_risk_title(total: int) -> str:
    return _title("At-risk partners", total)


def at_risk_line(found: AtRiskPartner) -> str:
    owner = owner_of(found.owner_id, gone=found.owner_gone)
    return f"{bold(found.name)} · owner {owner} · {health(found.health)}"


def at_risk_empty() -> str:
    return "No partner is at risk. :tada:"


def no_partners() -> str:
    """The at-risk list of a workspace with no partner yet: nothing to celebrate."""
    return list_empty("all")


def at_risk_more(more: int) -> str:
    return f"…and {more} more: `{COMMAND} health`"


def failed_more(more: int) -> str:
    older = "1 older one" if more == 1 else f"{more} older ones"
    return f"…and {older}: `{COMMAND} config`"


# --- After a button -----------------------------------------------------------------------------


def form_failed() -> str:
    return "I could not open the form just now. Please try again in a moment."


# --- The Messages tab ---------------------------------------------------------------------------

_WHERE_WORDS_GO = (
    f"To tell me how a meeting went, use the buttons on my check-in: *{feedback_texts.ADD_NOTE}* "
    "keeps your words, and so does a reply in the check-in's thread while it is open. Answer a "
    f"survey with its buttons, or react :one: to :five: on it. Record a contact with `{COMMAND} "
    f"log NAME : what happened`. `{COMMAND} help` lists everything I do."
)
MESSAGES_TAB_ANSWER = f"I don't read what is typed here, so nobody sees it. {_WHERE_WORDS_GO}"
# The same, to a message that shared a file: the file reaches nobody either.
MESSAGES_TAB_FILE_ANSWER = (
    f"I don't read what is typed or shared here, so nobody sees it. {_WHERE_WORDS_GO}"
)
# A person or channel as Slack's markup sends it in a message (`<@U0BEN>`, `<#C1|general>`).
_MENTION = re.compile(r"<[@#][A-Z0-9]+(?:\|[^>]*)?>")


def command_typed_in_messages_tab(line: str, mistyped: str | None = None) -> str:
    """A `/partner` command typed as a message in Liaison's DM (`line`: what follows
    `/partner`, as Slack sent it): commands go through `/partner`, and the line as one to copy.
    Its people and channels stay Slack's markup, out of the code, so they read as names (a code
    span would show `<@U0BEN>`), and copied, are names Slack makes mentions again. To `help`,
    the line to send is the one that lists everything: it is said once. `mistyped`: the verb
    typed, which is none of Liaison's (`lgo`); `line` then has the one it is closest to, or,
    with none close, is as typed, and only `help` is offered."""
    parts: list[str] = []
    for piece in re.split(f"({_MENTION.pattern})", f"{COMMAND} {line.strip()}"):
        if _MENTION.fullmatch(piece):
            parts.append(piece)
        elif words := markup_as_typed(unescape(piece)).replace("`", "’").strip():
            parts.append(f"`{words}`")
    lists = "" if line.strip().lower() == "help" else f"\n`{COMMAND} help` lists everything I do."
    lead = (
        f"Commands go through `{COMMAND}`, typed in the message box, not sent as a message: I "
        "don't read what is typed here, so nothing was done."
    )
    if mistyped is None:
        return f"{lead} To run this one, send:\n{' '.join(parts)}{lists}"
    typed = f"`{markup_as_typed(unescape(mistyped)).replace('`', '’')}`"
    verb = line.split(" ", 1)[0]
    if verb == mistyped:
        return f"{lead} {typed} is not something I know how to do.{lists}"
    return (
        f"{lead} {typed} is not something I know how to do; if you meant `{verb}`, send:\n"
        f"{' '.join(parts)}{lists}"
    )


def reply_in_problem_alert(reporter_id: str) -> str:
    """A reply typed in the thread of a Problem alert: it reaches nobody; whom to write to."""
    return (
        "I don't read what is typed in this thread, so your reply reaches nobody, not even "
        f"<@{reporter_id}>, who reported the Problem. To tell them something (\"I'll call them "
        f'tomorrow"), write to <@{reporter_id}> directly.'
    )


def reply_in_survey(partner_name: str, *, closed: bool) -> str:
    """A reply typed in the thread of a survey message: it reaches nobody; where a comment
    goes (while the survey is open)."""
    nobody = "I don't read what is typed in this thread, so your reply reaches nobody."
    if closed:
        return f"{nobody} The pulse survey about {bold(partner_name)} has closed."
    return (
        f"{nobody} To say more about working with {bold(partner_name)}, use "
        f"*{feedback_texts.ADD_COMMENT}* on the survey's first message: your comment is shown "
        "with the results, without your name."
    )
