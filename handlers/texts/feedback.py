"""Everything check-ins and pulse surveys say: questions, answers, debriefs, alerts, results.

Dates are shown in the reader's time zone. Survey results never name anyone: they are counts
and averages, or "not enough answers".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, time, timedelta

from bot.delivery.working_hours import zone
from bot.mrkdwn import literal
from bot.services.checkins import (
    HORIZON,
    MAX_NOTE,
    CheckInCard,
    Debrief,
    NoCheckIn,
    ProblemAlert,
)
from bot.services.feedback import Cadence
from bot.services.registry import Merged, PartnerFacts
from bot.services.surveys import (
    OpenRound,
    PartnerFeedback,
    QuestionCard,
    QuestionResult,
    RoundResults,
    Schedule,
    SkippedRound,
    Started,
    SurveyInvitation,
    TooFew,
)
from handlers.grammar import in_command
from handlers.texts.partners import bold, channel_ref, ending, who_may
from storage.feedback import MadeMeeting
from storage.models import CheckInAnswer, PartnerStatus

ANSWERS = {
    CheckInAnswer.WENT_WELL: "✅ Went well",
    CheckInAnswer.MIXED: "🤔 Mixed",
    CheckInAnswer.PROBLEM: "⚠️ Problem",
    CheckInAnswer.DIDNT_HAPPEN: "🚫 Didn't happen",
    CheckInAnswer.MOVED: "📅 Moved",
}
# Buttons.
WENT_WELL = "Went well"
MIXED = "Mixed"
PROBLEM = "Problem"
DIDNT_HAPPEN = "Didn't happen"
MOVED_TO = "Moved to…"
ADD_NOTE = "Add a note"
EDIT_NOTE = "Edit note"
CHANGE = "Change answer"
ADD_COMMENT = "Add a comment"
WITHDRAW = "Withdraw"

SCALE = ("strongly disagree", "disagree", "neither agree nor disagree", "agree", "strongly agree")
EMOJI = (":one:", ":two:", ":three:", ":four:", ":five:")
REASONS = {
    "owner": "you own this partnership",
    "deputy": "you are its deputy owner",
    "team": "you are on its internal team",
    "contact": "you were in touch with them in the last 90 days",
}
# When scheduled rounds start (`bot.services.feedback.first_working_tuesday`).
ROUND_DAY = "first Tuesday, or first working day where Tuesdays are not worked"
CADENCES = {
    Cadence.MONTHLY: f"monthly, on the month's {ROUND_DAY}",
    Cadence.QUARTERLY: f"quarterly, on the quarter's {ROUND_DAY}",
    Cadence.OFF: "off, no scheduled rounds",
}

# Forms.
NOTE_TITLE = "Add a note"
PROBLEM_TITLE = "What went wrong?"
NOTE_LABEL = "Note"
NOTE_HINT = "The partner's owner reads it in their debrief of this meeting."
PROBLEM_HINT = (
    "The partner's owner (or whoever covers for them while they are away) is told at once; "
    "your note helps them act on it."
)
MOVE_TITLE = "Meeting moved"
MOVE_LABEL = "New date"
MOVE_HINT = "The plan moves to that day for everyone on it; I'll ask you all how it went after it."
COMMENT_TITLE = "Pulse survey comment"
COMMENT_LABEL = "Anything you'd like to add?"
COMMENT_HINT = (
    "Shown without your name, and only if enough people answered. Leave it empty to remove it."
)
SAVE = "Save"
CANCEL = "Cancel"
DONE = "Done"


def comment_saved(partner_name: str, *, kept: bool) -> str:
    if not kept:
        return f"Your comment on the pulse survey about {bold(partner_name)} is removed."
    return (
        f"Thank you: your comment on the pulse survey about {bold(partner_name)} is kept. It is "
        f"shown with the results, without your name, if enough people answer; *{ADD_COMMENT}* "
        "again changes or removes it."
    )


# Answers to clicks that cannot be taken.
NOT_YOURS = "This was sent to someone else; only they can answer it."
GONE = "That meeting no longer exists in Liaison, so there is nothing to answer."
NOT_PLANNED = "That answer is for planned meetings; this one was logged as having happened."
NOT_MOVED = "That is the day it was planned for: pick the day the meeting moved to."
MOVED_TO_PAST = (
    "That day has passed: pick today or a later day. If the meeting took place after all, "
    f"answer “{WENT_WELL}”, “{MIXED}” or “{PROBLEM}” instead."
)
ALREADY_MOVED = (
    "You moved this meeting, so I'll ask how it went after its new date. "
    "If that date is wrong, pick another with Moved to…"
)


SURVEY_WHICH_PARTNER = (
    "Which partner? Give the partner's name, e.g. `/partner survey MSF`, "
    "`/partner survey MSF now` or `/partner survey MSF quarterly`."
)
SURVEY_CLOSED = "This pulse survey has closed; thank you all the same."
# Slack Connect, or Enterprise Grid: a survey another workspace's Liaison sent, open or not.
SURVEY_OF_ANOTHER_WORKSPACE = (
    "This pulse survey was sent in another workspace, so it is not yours to answer from here: "
    "only the people that workspace asked answer it, there."
)


def reaction_on_checkin(card: CheckInCard) -> str:
    """A reaction on a check-in waiting for its answer: it answers nothing, its buttons do."""
    meeting = f"{card.medium} with {bold(card.partner_name)} on {meeting_on(card)}"
    buttons = [WENT_WELL, MIXED, PROBLEM, *((DIDNT_HAPPEN, MOVED_TO) if card.planned else ())]
    named = [f"*{label}*" for label in buttons]
    return (
        f"A reaction doesn't answer my check-in about the {meeting}: nothing was recorded. "
        f"Click one of its buttons instead: {', '.join(named[:-1])} or {named[-1]}."
    )


def reaction_off_statement(partner_name: str, statements: int) -> str:
    """A number reaction on a survey's introduction or reminder: it looked like an answer."""
    return (
        f"That reaction is on a message of the pulse survey about {bold(partner_name)} that is "
        f"not a statement, so it counts for nothing. React on each of the {statements} "
        f"statements (the messages numbered 1/{statements} to {statements}/{statements}), or "
        "click a number under it."
    )


# Said to whoever merged two partners that each had a round running.
ROUNDS_FOLDED = (
    "Both had a pulse survey running: the one that started first goes on alone, with the "
    "answers given to the other; nobody is asked the same statements twice."
)


def debriefs_kept(owner_id: str, waiting: int, merged: Merged, by: str) -> str:
    """Said to whoever (`by`) merged a partner into one nobody owns while check-in answers
    about its meetings waited to reach its owner's debriefs: they still go to that owner."""
    answers = "check-in answer" if waiting == 1 else f"{waiting} check-in answers"
    goes = "goes" if waiting == 1 else "go"
    who, them = ("you", "you") if owner_id == by else (person(owner_id), "them")
    return (
        f"{bold(merged.kept.name)} has no owner yet, so the {answers} about "
        f"{bold(merged.duplicate_name)}'s meetings waiting for {who} {goes} to {them} as before."
    )


# Said to whoever ended a partner while its round was running.
ROUND_CLOSED_AS_ENDED = (
    "Its pulse survey in progress is closed: nobody else is asked, and no results are posted."
)
FORM_FAILED = "I couldn't open the form; please try the button again."
CARD_NOT_UPDATED = (
    "Done, but Slack would not update the message just now, so it may still show it as it "
    "was. If it does, click again in a moment."
)


# --- Small pieces ---------------------------------------------------------------------------


def day(moment: datetime, tz: str | None) -> str:
    local = moment.astimezone(zone(tz))
    return f"{local:%a} {local.day} {local:%b}"


def meeting_on(about: CheckInCard | Debrief | ProblemAlert) -> str:
    """The day of the meeting for its reader; one recorded without a time of day is on the day
    its author named, whatever the reader's zone (`bot.dates.contact_day`)."""
    return day(about.meeting_at, "UTC" if about.day_only else about.tz)


def day_and_time(moment: datetime, tz: str | None) -> str:
    local = moment.astimezone(zone(tz))
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M}"


def closing(moment: datetime, tz: str | None) -> str:
    """When a round closes, with its time: a round closing early in the reader's morning (or
    just after their midnight) is not open that day, as the day alone would say. At their
    midnight exactly, the day that ends then."""
    local = moment.astimezone(zone(tz))
    if local.time() == time(0, 0):
        return f"the end of {day(moment - timedelta(seconds=1), tz)}"
    return f"{day(moment, tz)} at {local:%H:%M}"


def person(user_id: str | None) -> str:
    return f"<@{user_id}>" if user_id else "nobody"


def people(user_ids: Sequence[str]) -> str:
    return ", ".join(person(user_id) for user_id in user_ids)


def score_label(score: int) -> str:
    return f"{EMOJI[score - 1]} {SCALE[score - 1]}"


# --- Check-ins ------------------------------------------------------------------------------


def checkin_question(card: CheckInCard) -> str:
    return f"How did your {card.medium} with {bold(card.partner_name)} on {meeting_on(card)} go?"


def checkin_who(card: CheckInCard) -> str:
    """Whose record the question is about: what tells apart two check-ins about one day's two
    meetings with one partner, so every state of the card says it."""
    verb = "planned" if card.planned else "logged"
    if card.author_id == card.recipient_id:
        return f"You {verb} it."
    # Their own record of the meeting is asked about in this one: it stands for both.
    yours = ""
    if card.recipient_recorded == verb:
        yours = ", as you did"
    elif card.recipient_recorded is not None:
        yours = f", and you {card.recipient_recorded} it"
    return (
        f"You {'were to take' if card.planned else 'took'} part; "
        f"{person(card.author_id)} {verb} it{yours}."
    )


def checkin_reason(card: CheckInCard) -> str:
    if card.owner_id is None or card.owner_id == card.recipient_id:
        # The owner's own answer (or one about a partner nobody owns) is passed on to nobody.
        return f"{checkin_who(card)} Your answer counts towards the partner's health."
    owner = f"the partner's owner {person(card.owner_id)}"
    if not card.owner_away:
        return f"{checkin_who(card)} Your answer goes to {owner}."
    # The debrief waits for an owner away; a Problem goes to whoever covers for them as the
    # card is made (`CheckIns._owner_away`), else it waits too.
    if card.problem_to == card.recipient_id:
        cover = "you cover for them meanwhile."
    elif card.problem_to is not None and card.problem_to_back is not None:
        # The cover is away too, back before the owner: the alert waits for them, and says so.
        cover = (
            f"a Problem goes to {person(card.problem_to)}, who covers for them but is "
            f"{_away_through(card.problem_to_back)}, so it waits for them until then."
        )
    elif card.problem_to is not None:
        cover = f"a Problem goes to {person(card.problem_to)}, who covers for them."
    elif card.recipient_id in card.late_covers:
        cover = (
            "a Problem waits for their return too: you cover for them, but would not see it sooner."
        )
    elif card.late_covers:
        covers = " and ".join(person(user) for user in card.late_covers)
        verb = "covers" if len(card.late_covers) == 1 else "cover"
        cover = (
            f"a Problem waits for their return too: {covers}, who {verb} for them, would not see "
            "it sooner."
        )
    else:
        cover = "no one covers for them then, so a Problem waits for their return too."
    return (
        f"{checkin_who(card)} Your answer goes to {owner} when they are back from time away; "
        f"{cover}"
    )


def _away_through(back: datetime) -> str:
    """Time away that ends at `back`, in the zone it was booked in: "away through Fri 4 Dec",
    or to the minute when it ends during a day."""
    if back.time() == time(0):
        last = back - timedelta(days=1)
        return f"away through {last:%a} {last.day} {last:%b}"
    return f"away until {back:%a} {back.day} {back:%b} {back:%H:%M} ({back.tzinfo})"


def checkin_problem_waits(card: CheckInCard) -> str | None:
    """Under a Problem answered while the owner is away and nobody covering would see it
    sooner: the alert waits for the owner's return, so the person who answered knows to act
    meanwhile (QA: a Problem of a Monday evening waited a week, its person not told)."""
    if card.answer is not CheckInAnswer.PROBLEM or not card.owner_away:
        return None
    if card.owner_id is None or card.owner_back is None:
        return None
    away = _away_through(card.owner_back)
    if card.problem_to is not None:
        if card.problem_to_back is None or card.problem_to == card.recipient_id:
            return None
        # QA: "a Problem goes to @ben, who covers for them", though Ben was away too.
        cover = person(card.problem_to)
        return (
            f"{person(card.owner_id)} is {away} and {cover}, who covers for them, is "
            f"{_away_through(card.problem_to_back)}, so your Problem reaches {cover} when they "
            "are back. If it cannot wait, tell someone who can act on it now."
        )
    covers = "no one covers for them"
    if card.late_covers:
        covers = "no one covering for them would see it sooner"
    return (
        f"{person(card.owner_id)} is {away} and {covers}, so your Problem reaches them "
        "when they are back. If it cannot wait, tell someone who can act on it now."
    )


def checkin_reminder(card: CheckInCard) -> str:
    return f"Reminder — {checkin_question(card)} This is the only reminder."


def checkin_answered(card: CheckInCard) -> str:
    assert card.answer is not None
    text = f"You answered: *{ANSWERS[card.answer]}*"
    if card.answer is CheckInAnswer.MOVED and card.moved_to is not None:
        text += (
            f" to {day(card.moved_to, card.tz)}; I've moved the plan there and will ask "
            "everyone on it how it went after that day"
        )
    return text + "."


def checkin_changing(card: CheckInCard) -> str:
    """After *Change answer*, over the buttons shown again: the answer given stands until
    another is picked (the card may sit like this until the window closes)."""
    until = (
        ""
        if card.changeable_until is None
        else f" by {day_and_time(card.changeable_until, card.tz)}"
    )
    other = "another day" if card.answer is CheckInAnswer.MOVED else "another"
    return f"{checkin_answered(card)} It stands unless you pick {other}{until}."


def checkin_note(note: str) -> str:
    return f"Your note: {_italic(note)}"


def _italic(note: str) -> str:
    """A note in italics line by line: mrkdwn's `_…_` does not span a line break, so a note of
    two lines (two replies in its thread) would show its underscores."""
    return "\n".join(f"_{line.strip()}_" if line.strip() else "" for line in note.splitlines())


def _quoted(note: str) -> str:
    """A note as a quote, every line of it (`>` quotes one line; one typed is kept)."""
    return "\n".join(line if line.startswith(">") else f"> {line}" for line in note.splitlines())


def note_from_reply(card: CheckInCard, *, added: bool) -> str:
    """The answer in a check-in's thread to a reply kept as its note: editing or deleting the
    reply in Slack changes or removes its lines (`handlers.messages_tab`), as the form does."""
    meeting = f"{card.medium} with {bold(card.partner_name)} on {meeting_on(card)}"
    what = "what it added" if added else "it"
    text = (
        f"{'Added to' if added else 'Kept as'} your note on the {meeting}: edit or delete your "
        f"reply to change {what}, or use *{EDIT_NOTE}* on the card."
    )
    if card.answer is None:
        text += " Its buttons say how it went."
    return text


def _share_with_owner(card: CheckInCard) -> str:
    """Whom a file shared in a check-in's thread should go to: the owner, told the answers."""
    if card.owner_id is None or card.owner_id == card.recipient_id:
        return ""
    return f"share it with {person(card.owner_id)} directly if they need it"


def file_not_in_note(card: CheckInCard) -> str:
    """Said after a reply's words were kept when it shared a file too: the file went nowhere
    (only its person and Liaison see their DM), though the words now reach the owner."""
    share = _share_with_owner(card)
    return " The file is not part of the note: nobody else sees it here" + (
        f", so {share}." if share else "."
    )


def file_alone(card: CheckInCard) -> str:
    """The answer in a check-in's thread to a file shared there without words: nothing kept."""
    note = EDIT_NOTE if card.note else ADD_NOTE
    share = _share_with_owner(card)
    return (
        "I keep only words as a check-in's note, so nobody sees the file you shared here. "
        + (f"{share[0].upper()}{share[1:]}, and say" if share else "Say")
        + f" what matters about it in this thread or with *{note}* on the card."
    )


def reply_too_long(card: CheckInCard, length: int) -> str:
    """The answer in a check-in's thread to a reply that would make its note too long."""
    return (
        f"With this reply your note on the {card.medium} with {bold(card.partner_name)} would be "
        f"{length:,} characters long; keep it to {MAX_NOTE:,} (link a document for the rest). "
        f"Nothing was added: *{EDIT_NOTE}* on the card shortens the note."
    )


def reply_in_closed_checkin(card: CheckInCard, closed_at: datetime | None) -> str:
    """The answer in a check-in's thread to a reply after the check-in closed: nothing was
    kept (the person would otherwise take it for kept), and where such words go now."""
    meeting = f"{card.medium} with {bold(card.partner_name)} on {meeting_on(card)}"
    since = "" if closed_at is None else f" on {day(closed_at, card.tz)}"
    if card.superseded and card.moved_to is not None:
        why = (
            f"This check-in closed{since}: the {meeting} moved to {day(card.moved_to, card.tz)}, "
            "and I'll ask you how it went after that day."
        )
    elif card.superseded and card.planned and card.author_id != card.recipient_id:
        # The one way a colleague's check-in they could reply to closes unmoved: the plan's
        # author answered Didn't happen, and nobody is asked about it again.
        why = (
            f"This check-in about the {meeting} closed{since}: {person(card.author_id)}, who "
            "planned it, said it didn't happen."
        )
    elif card.superseded:
        why = f"This check-in about the {meeting} closed{since}: I'm asking you about it in "
        why += "another message."
    elif card.expired:
        why = f"This check-in about the {meeting} closed{since} without an answer."
    else:
        when = "" if closed_at is None else f" since {day_and_time(closed_at, card.tz)}"
        why = (
            f"Your answer about the {meeting} is settled{when}: answers and notes can be "
            "changed for a day."
        )
    text = (
        f"{why} So I did not keep this reply. To record a new contact with them: "
        f"`/partner log {in_command(card.partner_name)} : what happened`"
    )
    if card.owner_id is not None and card.owner_id != card.recipient_id:
        text += f"; anything else, tell {person(card.owner_id)}, who owns {bold(card.partner_name)}"
    return text + "."


def checkin_change_until(until: datetime, tz: str | None) -> str:
    return f"You can change it until {day_and_time(until, tz)}."


def checkin_expired() -> str:
    return "This check-in closed without an answer."


def checkin_superseded(card: CheckInCard) -> str:
    """A check-in closed because the person is asked about the meeting elsewhere."""
    if card.moved_to is not None:
        return (
            f"This meeting moved to {day(card.moved_to, card.tz)}; I'll ask you how it went "
            "after that day."
        )
    if card.planned and card.author_id != card.recipient_id:
        # The one way a colleague's check-in they saw closes unmoved (`reply_in_closed_checkin`).
        return (
            f"{person(card.author_id)}, who planned it, says it didn't happen: there is nothing "
            "to answer."
        )
    return "I'm asking you about this meeting in another message."


def checkin_settled(card: CheckInCard) -> str:
    if card.superseded:
        return checkin_superseded(card)
    if card.expired:
        return "This check-in has closed without an answer."
    return "Answers can be changed for a day; this one is settled now."


def debrief_head(debrief: Debrief) -> str:
    return (
        f"Debrief of the {debrief.medium} with {bold(debrief.partner_name)} on "
        f"{meeting_on(debrief)} ({'planned' if debrief.planned else 'logged'} "
        f"by {person(debrief.author_id)}). "
        "You own this partnership, so how it went for the people who took part arrives here."
    )


def debrief_line(debrief: Debrief) -> str:
    if debrief.noted and not debrief.note:
        # The note was cleared after the owner had read it.
        text = f"{person(debrief.user_id)} removed their note"
        if debrief.answer is not None:
            text += f" on their answer *{ANSWERS[debrief.answer]}*"
    elif debrief.answer is None:
        text = f"{person(debrief.user_id)} added a note"
    elif debrief.noted:
        text = f"{person(debrief.user_id)} added a note to their answer *{ANSWERS[debrief.answer]}*"
    else:
        verb = "changed their answer to" if debrief.changed else "answered"
        text = f"{person(debrief.user_id)} {verb} *{ANSWERS[debrief.answer]}*"
        if debrief.answer is CheckInAnswer.MOVED and debrief.moved_to is not None:
            text += f" — to {day(debrief.moved_to, debrief.tz)}"
    if debrief.note and debrief.note_earlier:
        # Not this answer's: "answered ✅ Went well > angry" read as a happy note.
        text += "\nTheir note, written with an earlier answer:"
    if debrief.note:
        text += f"\n{_quoted(debrief.note)}"
    return text


def problem_alert(alert: ProblemAlert) -> str:
    text = (
        f"⚠️ {person(alert.user_id)} reports a *problem* with the {alert.medium} with "
        f"{bold(alert.partner_name)} on {meeting_on(alert)}."
    )
    if alert.note:
        text += f"\n{_quoted(alert.note)}"
    else:
        text += "\nNo note was given; ask them what happened."
    if alert.covering:
        text += f"\nYou get this because {person(alert.owner_id)}, the owner, is away."
    else:
        text += "\nYou get this because you own this partnership."
    return text


# --- After `log`: whether a check-in follows -----------------------------------------------

WAS_A_MEETING = "It was a meeting"
MADE_A_MEETING = (
    "Done: it is a meeting now. Everyone who took part will be asked how it went, each in their "
    "working hours."
)
# Why "It was a meeting" changed nothing.
NOT_MADE_A_MEETING = {
    MadeMeeting.ALREADY: "Nothing to change: it is a meeting already.",
    MadeMeeting.OTHER_MEDIUM: "Nothing to change: this contact is logged with its `via` already.",
    MadeMeeting.NOT_PART: (
        "Nothing to change: you did not take part in this contact. Its author or someone who "
        "took part can say it was a meeting."
    ),
    MadeMeeting.GONE: "Nothing to change: this contact is no longer logged.",
}


def no_checkin(reason: NoCheckIn, participants: Sequence[str]) -> str:
    if reason is NoCheckIn.TOO_LONG_AGO:
        days = HORIZON.days
        return (
            f"No check-in will follow: it was more than {days} days ago, too long ago to ask "
            "how it went."
        )
    who = f"you and {people(participants)}" if participants else "you"
    return (
        "No check-in will follow: I ask how it went only after a meeting, call or event, and "
        f"this contact has no `via`. If you met, click *{WAS_A_MEETING}* and I'll ask {who}."
    )


# --- Pulse surveys --------------------------------------------------------------------------


def survey_invitation(invitation: SurveyInvitation) -> str:
    reason = REASONS.get(invitation.reason, "you work with this partner")
    return (
        f"*Pulse survey: {literal(invitation.partner_name)}*\n"
        f"You're asked because {reason}. {invitation.questions} short statements follow, one "
        "message each: react with :one: (strongly disagree) to :five: (strongly agree), or use "
        f"the buttons. You can change an answer, or take it back with *{WITHDRAW}* under it "
        "(or by removing your reaction).\n"
        f"Answers are anonymous: results show only averages, and only when at least "
        f"{invitation.threshold} people answered. Open until "
        f"{closing(invitation.closes_at, invitation.tz)}."
    )


def survey_ended(partner_name: str) -> str:
    """A survey's invitation or reminder, in place, once its partnership ended mid-round."""
    return (
        f"*Pulse survey: {literal(partner_name)}*\n"
        f"This survey closed early, as the partnership with {literal(partner_name)} ended: "
        "nothing more is asked, and no results are posted. Thank you all the same."
    )


SURVEY_CLOSED_AS_ENDED = (
    "This pulse survey closed early, as the partnership ended: no more answers are taken, and "
    "no results are posted."
)


def survey_question(card: QuestionCard) -> str:
    return f"*{card.number}/{card.of}* {card.text}"


def survey_question_fallback(card: QuestionCard) -> str:
    """A statement as notifications and previews show it; closed, it asks for nothing."""
    ask = "This survey has closed." if card.closed else "React :one: to :five: or use the buttons."
    return (
        f"Pulse survey about {literal(card.partner_name)}, statement {card.number} of {card.of}: "
        f"{card.text}. {ask}"
    )


def survey_hint(card: QuestionCard) -> str:
    return (
        f"{literal(card.partner_name)} · react :one: (strongly disagree) … :five: "
        "(strongly agree), or click"
    )


SURVEY_WITHDRAWN = (
    f"Answer withdrawn: nothing is counted. A number reaction you left before *{WITHDRAW}* no "
    "longer counts, not even when you take back a later one; to answer again, click a number or "
    "react with one (for example :four:), or remove that old reaction and add it back."
)


def survey_answer(card: QuestionCard) -> str:
    assert card.score is not None
    answer = f"Your answer: *{card.score}* — {score_label(card.score)}."
    if card.closed:
        return answer
    return f"{answer} React or click another number to change it; *{WITHDRAW}* takes it back."


def survey_reminder(invitation: SurveyInvitation) -> str:
    """To someone who has not answered every statement: those still open, when they answered
    some."""
    left, asked = invitation.unanswered, invitation.questions
    where = "The statements are in the messages above"
    if left and left < asked:
        are = "is" if left == 1 else "are"
        where = f"{left} of {asked} statements {are} still open, in the messages above"
    return (
        f"Reminder: the pulse survey about {bold(invitation.partner_name)} is open until "
        f"{closing(invitation.closes_at, invitation.tz)}. {where} — one reaction or click "
        "each. Answers are anonymous."
    )


def results_title(results: RoundResults) -> str:
    """A header's plain text: the name as it is."""
    return f"Pulse results: {results.partner_name}"


def results_heading(results: RoundResults) -> str:
    """`results_title` in bold, in mrkdwn: the name shown as typed."""
    return f"*Pulse results: {literal(results.partner_name)}*"


def response_rate(results: RoundResults) -> str:
    rate = round(100 * results.respondents / results.invited) if results.invited else 0
    return f"{results.respondents} of {results.invited} answered ({rate}%)"


def not_enough(results: RoundResults, *, rate: bool = True) -> str:
    answered = f": {response_rate(results)}" if rate else ""
    return (
        f"Not enough answers to show results{answered}; at least {results.threshold} are "
        "needed so that nobody's answers can be told apart."
    )


def trend(change: float | None) -> str:
    if change is None or abs(change) < 0.05:
        return ""
    mark = "▲" if change > 0 else "▼"
    return f" {mark}{abs(change):.1f}"


def question_result(result: QuestionResult) -> str:
    if result.average is None:
        return f"• {result.text}: _not enough answers_"
    return f"• {result.text}: *{result.average:.1f}* / 5{trend(result.change)}"


def round_days(results: RoundResults) -> str:
    """`Round started Mon 30 Nov, closed Mon 7 Dec 2026`: the days people knew the round by,
    in the workspace's zone (the one rounds are scheduled in); the year once, unless it
    changed in between."""
    tz = results.tz
    started = results.started_at.astimezone(zone(tz))
    if results.closed_at is None:
        return f"Round started {day(started, tz)} {started.year}"
    closed = results.closed_at.astimezone(zone(tz))
    year = f" {started.year}" if started.year != closed.year else ""
    return f"Round started {day(started, tz)}{year}, closed {day(closed, tz)} {closed.year}"


def results_footer(results: RoundResults) -> str:
    """The legend; the arrows' only when some statement has one (not on a first round)."""
    arrows = any(question.change is not None for question in results.questions)
    return (
        f"{round_days(results)} · averages from 1 (strongly disagree) to 5 (strongly "
        f"agree) · {'▲▼ since the previous round · ' if arrows else ''}answers are anonymous"
    )


def comments_heading(count: int) -> str:
    return "*Comments*" if count else "_No comments._"


def comment_line(text: str) -> str:
    return "> " + text.replace("\n", "\n> ")


def round_report_lead(results: RoundResults) -> str:
    return (
        f"The pulse survey about {bold(results.partner_name)} has closed: {response_rate(results)}."
    )


# --- `survey NAME [now]` --------------------------------------------------------------------


def schedule_lines(schedule: Schedule) -> list[str]:
    facts = schedule.partner
    lines = [f"*Pulse survey of {literal(facts.name)}*", f"Cadence: {cadence_line(schedule)}"]
    if schedule.next_round_at is not None:
        lines.append(f"Next scheduled round: {day(schedule.next_round_at, schedule.tz)}.")
        if schedule.too_few is not None:
            lines.append(
                f"But {too_few(facts.name, schedule.too_few)}, so scheduled rounds don't start."
                f"{away_past_close(schedule.too_few)} {grow_team(facts.name)}"
            )
    elif facts.status == PartnerStatus.ENDED:
        # Nor may one be started now (`ended_not_surveyed`): no offer below.
        lines.append(ended_not_surveyed(facts, reopen="the owner, deputy or an admin"))
    elif schedule.cadence is not Cadence.OFF:
        lines.append(f"No scheduled rounds while {bold(facts.name)} is not active.")
    if schedule.open_round is not None:
        # One round at a time (`survey NAME now` refuses another): no offer to start one.
        lines.append(running(schedule.open_round, schedule.tz))
    elif schedule.too_few is None and facts.status != PartnerStatus.ENDED:
        # With too few to ask, `survey NAME now` would refuse too: the line above says why.
        lines.append(
            f"{person(facts.owner_id)} (the owner) or an admin can start one now: "
            f"`/partner survey {in_command(facts.name)} now`."
        )
    return lines


def cadence_line(schedule: Schedule) -> str:
    """The cadence, and where it comes from (the partner's own or the workspace's)."""
    if schedule.own_cadence:
        return (
            f"{CADENCES[schedule.cadence]} (set for this partner; the workspace's is "
            f"{schedule.workspace_cadence.value} — "
            f"`survey {in_command(schedule.partner.name)} default` goes back to it)."
        )
    return (
        f"{CADENCES[schedule.cadence]} (the workspace's; the owner, deputy or an admin can set "
        f"this partner's own: `survey {in_command(schedule.partner.name)} monthly|quarterly|off`)."
    )


def cadence_set(schedule: Schedule) -> str:
    if schedule.own_cadence and schedule.cadence is Cadence.OFF:
        return (
            f"Done: {bold(schedule.partner.name)} is no longer surveyed on a schedule; "
            f"`/partner survey {in_command(schedule.partner.name)} now` still starts a round."
        )
    if schedule.own_cadence:
        return f"Done: {bold(schedule.partner.name)} is now surveyed {schedule.cadence.value}."
    return (
        f"Done: {bold(schedule.partner.name)} now follows the workspace's pulse cadence "
        f"({schedule.cadence.value})."
    )


def not_allowed_to_set_cadence(facts: PartnerFacts, admins: Sequence[str] = ()) -> str:
    who = who_may(admins, owner=facts.owner_id, deputy=facts.deputy_id)
    return (
        f"Only {who} can change how often the team of {bold(facts.name)} is surveyed. "
        "Ask one of them."
    )


def running(open_round: OpenRound, tz: str | None) -> str:
    return (
        f"A round is running: started {day(open_round.started_at, tz)}, open until "
        f"{closing(open_round.closes_at, tz)}, {open_round.answered} of {open_round.invited} "
        "answered so far."
    )


def _span(user_id: str, back_at: Mapping[str, datetime]) -> str:
    """`through Fri 4 Dec`, from the end of their time away in their own zone ("" unknown)."""
    end = back_at.get(user_id)
    if end is None:
        return ""
    if end.time() == time(0):
        return f"through {day(end - timedelta(seconds=1), str(end.tzinfo))}"
    return f"until {day_and_time(end, str(end.tzinfo))} ({end.tzinfo})"


def _away(
    user_ids: Sequence[str], back_at: Mapping[str, datetime], reader: str | None = None
) -> str:
    """`<@U1> is away through Fri 4 Dec`, or `<@U1> (through …), <@U2> (through …) are away`;
    `You're away through Fri 4 Dec` when the one away is the `reader`."""
    if len(user_ids) == 1:
        span = _span(user_ids[0], back_at)
        who = "You're" if user_ids[0] == reader else f"{person(user_ids[0])} is"
        return f"{who} away{f' {span}' if span else ''}"
    listed = ", ".join(
        f"{person(u)} ({_span(u, back_at)})" if _span(u, back_at) else person(u) for u in user_ids
    )
    return f"{listed} are away"


def started(result: Started, reader: str | None = None) -> str:
    """Who was asked now, and those away apart: a question held for someone away is not asked
    yet, and one who is back only after the survey closes is never asked (their questions
    lapse; the results count only the people asked). The `reader` (who started it), when away
    themselves, is spoken to as "you" on a line of their own."""
    now = [user_id for user_id in result.asked if user_id not in result.away]
    if now:
        text = f"Started a pulse survey of {bold(result.partner.name)}: I've asked {people(now)}."
    else:
        text = f"Started a pulse survey of {bold(result.partner.name)}; everyone it asks is away."
    # A partner's own channel gets its results before the coordination channel (`_report`).
    where = (
        channel_ref(result.partner.channel_id)
        if result.partner.channel_id
        else "the coordination channel"
    )
    text += (
        f" It is open until {closing(result.closes_at, result.tz)}; the results go to the owner "
        f"and {where} when it closes."
    )
    lapsing = [
        u for u in result.away if u in result.back_at and result.back_at[u] >= result.closes_at
    ]
    if reader in result.away:
        yours = (
            ", after it closes: you're not asked unless back sooner, and the results count "
            "only the people asked."
            if reader in lapsing
            else ": your questions wait for your return (and lapse if the survey closes first)."
        )
        text += f"\n{_away([reader], result.back_at, reader)}{yours}"
    waiting = [u for u in result.away if u not in lapsing and u != reader]
    lapsing = [u for u in lapsing if u != reader]
    if waiting:
        text += (
            f"\n{_away(waiting, result.back_at)}: their questions wait for their return (and "
            "lapse if the survey closes first)."
        )
    if lapsing:
        text += (
            f"\n{_away(lapsing, result.back_at)}, after it closes: not asked unless back sooner, "
            "and the results count only the people asked."
        )
    return text


def not_allowed_to_start(facts: PartnerFacts, admins: Sequence[str] = ()) -> str:
    # Scheduled rounds come only while the partner is active (`Surveys.start_scheduled`).
    wait = ", or wait for the next scheduled round" if facts.status == PartnerStatus.ACTIVE else ""
    return (
        f"Only {who_may(admins, owner=facts.owner_id)} can start a pulse survey of "
        f"{ending(facts.name)} Ask them{wait}."
    )


def ended_not_surveyed(facts: PartnerFacts, *, reopen: str | None = None) -> str:
    """`survey NAME now`, or its schedule, for a partner whose partnership has ended; `reopen`:
    who may reopen it, when the reader may not be one of them (the owner or an admin asking to
    start a round may)."""
    command = f"`/partner status {in_command(facts.name)} active`"
    how = f"{command} reopens it" if reopen is None else f"{reopen} can reopen it: {command}"
    return (
        f"The partnership with {bold(facts.name)} has ended, and nobody follows it any more, so "
        f"it is not surveyed. If it goes on, {how}."
    )


def round_in_progress(facts: PartnerFacts, open_round: OpenRound, tz: str | None) -> str:
    return f"{bold(facts.name)} already has a pulse survey. {running(open_round, tz)}"


def nobody_to_ask(facts: PartnerFacts, away: Sequence[str]) -> str:
    if away:
        return (
            f"Nobody to ask about {bold(facts.name)} right now: everyone who works with it is away "
            f"({people(away)})."
        )
    return (
        f"Nobody to ask about {bold(facts.name)}: it has no team yet and nobody logged a contact "
        f"with it lately. Add people with `/partner team {in_command(facts.name)} add @…`."
    )


def too_few(name: str, found: TooFew) -> str:
    return (
        f"only {people(found.asked)} could be asked about {bold(name)}: fewer than the "
        f"{found.threshold} answers results need to stay anonymous"
    )


def away_past_close(found: TooFew) -> str:
    """Who else works with the partner but is away until after a round would close: not among
    those who could be asked, and why (one sentence, with a space before it; "" for nobody)."""
    if not found.away:
        return ""
    comma = "," if len(found.away) == 1 else ""
    return (
        f" {_away(found.away, found.back_at)}{comma} until after it would close, so could not "
        "answer."
    )


def grow_team(name: str) -> str:
    return (
        f"Add colleagues to its team (`/partner team {in_command(name)} add @…`), or an admin "
        "can lower `/partner config anonymity`."
    )


def too_few_to_ask(facts: PartnerFacts, found: TooFew) -> str:
    reason = too_few(facts.name, found)
    return (
        f'{reason[:1].upper()}{reason[1:]}, so the round could only report "not enough '
        f"answers\". I haven't started one.{away_past_close(found)} {grow_team(facts.name)}"
    )


def round_skipped(skipped: SkippedRound) -> str:
    name = skipped.partner_name
    reason = too_few(name, skipped.too_few)
    return (
        f"*The pulse survey of {literal(name)} scheduled for "
        f"{day(skipped.scheduled_at, skipped.tz)} did not start.* {reason[:1].upper()}"
        f"{reason[1:]}.{away_past_close(skipped.too_few)} You get this because you look after "
        f"{ending(name)} {grow_team(name)} It starts by itself once enough people can be asked, "
        f"until {closing(skipped.retry_until, skipped.tz)}; "
        f"`/partner survey {in_command(name)} off` stops the schedule."
    )


# --- Results inside `show` and `check` ------------------------------------------------------


def feedback_heading(summary: PartnerFeedback) -> str:
    return f"*Feedback on {literal(summary.partner_name)}*"


def checkin_counts(counts: dict[str, int]) -> str:
    if not counts:
        return "Check-ins (90 days): none answered yet."
    parts = [
        f"{ANSWERS[answer]} {counts[answer.value]}"
        for answer in CheckInAnswer
        if counts.get(answer.value)
    ]
    return "Check-ins (90 days): " + " · ".join(parts)


def no_pulse_yet() -> str:
    return "Pulse: no survey has run its course yet."


# Over the last round's results on a partner's card (`show`, `check`), which begin with how many
# answered: without it the card read "Check-ins (90 days): …" then "3 of 3 answered (100%)."
LAST_PULSE = "Pulse, the last round:"
