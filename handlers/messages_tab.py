"""The Messages tab of the App Home: what a person types to Liaison in its DM.

Liaison's DMs are its check-ins, surveys and notes, answered with their buttons and reactions;
it takes no typed commands there. A reply in the thread of one of the person's check-in cards
is what they have to say about that meeting: it is kept as the check-in's note, as the note form
keeps it (`CheckIns.note_from_reply`), and the thread says so; once the check-in has closed, the
thread says, every time, that nothing was kept and where such words go now. A file shared with
the reply (Slack's `file_share` message) goes nowhere, for only the person and Liaison see their
DM: the thread says so, and whom to share it with. Without an answer any other message typed
there ("went well, they want a proposal by Friday") would look read and be lost, so Liaison says
once where such words belong (a check-in's thread or note, `/partner log`) and how to get help.
It says it once per conversation in a quiet spell (`QUIET`), not after every line of a chat.
A message of emoji alone (a :+1:, a wave) has no words to lose and is not answered; a score
typed rather than reacted (`:four:`) is, for the answer says how surveys are answered.
A `/partner` command typed as a message (`log Acme : met Jane`) is answered each time: commands
go through `/partner`, and here is the line as one to send. A line counts as one when it says
`/partner`, or when its first word is a verb and the rest is what the verb takes: a partner's
name (the registry is asked, after the ack) or the command's own form (`typed_command`); chat
that starts with a verb's word ("check this out", "show me") gets the answer above.

A reply kept in a note and then edited in Slack (a `message_changed` event) changes its lines
in the note; deleted (`message_deleted`), its lines go (`CheckIns.reply_changed`). The card shows
the note as it is then; the thread says nothing more.

A reply in the thread of a Problem alert Liaison sent (to an owner, or the deputy covering)
reaches nobody either: Liaison says so every time, and names the person who reported it, to
write to directly. So does one under a survey's introduction or statement: its *Add a comment*
button is where such words go.

The event is acknowledged at once; the note is kept and the answers are Web API calls, after
the ack.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from difflib import get_close_matches
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.dates import DateError, UnreadableDate, parse_period, parse_when
from bot.delivery.dispatcher import error_code
from bot.mrkdwn import slack_text, unescape
from bot.runtime import Runtime
from bot.services.checkins import ReplyNoted, ReplyOutcome
from bot.services.workspace_settings import Setting
from bot.slack_errors import SLACK_CALL_ERRORS
from handlers.context import runtime_of
from handlers.feedback import checkins_of, show_checkin, surveys_of
from handlers.grammar import (
    NO_DEPUTY,
    GrammarError,
    Kind,
    Token,
    as_typed,
    joined,
    parse_add,
    tokenize,
)
from handlers.partners import registry_of
from handlers.texts import commitments as commitment_texts
from handlers.texts import feedback as feedback_texts
from handlers.texts import home as texts
from handlers.texts import partners as partner_texts
from handlers.texts.home import COMMAND
from handlers.verbs import VERBS_BY_NAME, suggestions

logger = logging.getLogger(__name__)

# After answering a person, Liaison lets them type this long without answering again.
QUIET = timedelta(minutes=10)


class LastAnswers:
    """When each person was last answered in their DM with Liaison (per process: a second
    replica may answer once more, which does no harm)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._at: dict[tuple[str, str], datetime] = {}

    def take_turn(self, *, team_id: str, user_id: str, now: datetime) -> bool:
        """True when this person is due an answer now (and it is then counted as given)."""
        key = (team_id, user_id)
        with self._lock:
            last = self._at.get(key)
            if last is not None and now - last < QUIET:
                return False
            self._at[key] = now
            return True


def typed_by_a_person(event: dict[str, Any]) -> bool:
    """A new message a person typed in a DM: not an edit, a deletion, a join or a bot's post
    (a reply in a thread also sent to the conversation is one, and so is one sharing a file)."""
    return (
        event.get("channel_type") == "im"
        and event.get("subtype") in (None, "", "thread_broadcast", "file_share")
        and not event.get("bot_id")
        and bool(event.get("user"))
    )


# An emoji by its code, as Slack sends one typed in a message (`:+1:`, `:wave::skin-tone-2:`).
_EMOJI = re.compile(r":[a-z0-9_+\-']+:")
# A survey's scores, typed rather than reacted: those words are lost, and said where they go.
_SCORES = frozenset({"one", "two", "three", "four", "five"})


def only_emoji(text: str) -> bool:
    """A message of emoji alone (`:+1:`, `:pray: :tada:`, `👍`), but for a survey's scores: no
    words that would be lost, so nothing to answer (a thank-you or a wave wants no paragraph
    back). `?` or `...` is not: whoever types it is asking."""
    codes = _EMOJI.findall(text)
    if not codes and not text.strip():
        return False
    if any(code.strip(":") in _SCORES for code in codes):
        return False
    rest = _EMOJI.sub("", text)
    return all(not char.isascii() and not char.isalnum() for char in rest if not char.isspace())


# --- A command typed as a message ---------------------------------------------------------------

# Whether a partner goes by one of the readings of a typed name, longest first, or "Did you
# mean" would offer partners for it: the registry knows (asked after the ack).
Known = Callable[[Sequence[str]], bool]

# Words chat puts where a command has a partner's name ("check this out", "show me", "log off
# now", "add more later"): a name not registered that starts with one in lower case is no name.
_CHAT_WORDS = frozenset(
    """a about again all an and any are as at back be but can could did do does down for from
    get go going got had has have he her here him his how i i'm if in is it it's its just let
    me more my no not now of off ok on one our out over please she so some that the their them
    then there these they this those to too up us was we were what when where which who why
    will with would yes you your""".split()
)
_I = frozenset({"I", "I'm", "I'll", "I've", "I'd"})
_ID = re.compile(r"^#?\d{1,12}[,:;.!?]?$")
_NUMBER = re.compile(r"^\d{1,4}$")
_CHANGES = ("add", "remove", "+", "-")
_SURVEY_WORDS = ("now", "monthly", "quarterly", "off", "default")
_SIDES = frozenset(words[0] for words, _side in commitment_texts.SIDE_WORDS) | {"us", "them"}
_SETTINGS = frozenset({*(setting.value for setting in Setting), "checkin", "check-in"})
_EXPORTS = frozenset(
    {*commitment_texts.EXPORTS, *(word.removesuffix("s") for word in commitment_texts.EXPORTS)}
)
_LISTS = frozenset({*partner_texts.STATUSES, "mine", "all", "dormant", "at-risk"})
_COMMITMENT_LISTS = frozenset({"all", "mine", "overdue", "closed", "kept", "dropped"})


@dataclass(frozen=True)
class TypedCommand:
    """A `/partner` command typed as a message: `line`, what follows `/partner` as Slack sent
    it (a mistyped verb put right where one is close), and `mistyped`, the first word typed
    after `/partner` when it is no verb (`lgo`)."""

    line: str
    mistyped: str | None = None


def typed_command(text: str, *, known: Known) -> TypedCommand | None:
    """The command a message in Liaison's DM is, read as a partnership manager would; None
    for chat. Typed after `/partner` (or a near miss of it: `/partners`), it is one whatever
    follows (a first word that is no verb put right where one is close: `/partner lgo Acme`,
    `log`). Without it, the first word is a verb and the rest takes the verb's form: a
    partner's name (one a partner goes by, or near it) where the verb has one, or what only a
    command has there (`log NAME : NOTES`, `owner NAME @user`, `done 12`, `list mine`);
    "check this out", "log off now", "plan B?" and "show me" are chat."""
    line = " ".join(text.split())
    said = line.split(" ", 1)[0].lower()
    # `/partner` as typed, or near it (`/partners`, `/parnter`, which Slack sends as a message).
    if said == COMMAND or (said.startswith("/") and get_close_matches(said, [COMMAND], 1, 0.75)):
        line = line[len(said) :].strip()
        word, _, rest = line.partition(" ")
        if not word or word.lower() in VERBS_BY_NAME or known([as_typed(line)]):
            return TypedCommand(line)
        # Alone, the whole line a word stands for (`mine`: `list mine`); with more after it,
        # a verb put in its place (`lgo`, `met`: `log`), the rest kept as Slack sent it.
        close = [
            meant
            for meant in suggestions(word)
            if (meant in VERBS_BY_NAME or not rest) and "NAME" not in meant
        ]
        return TypedCommand(f"{close[0]} {rest}".strip() if close else line, mistyped=word)
    word, _, rest = line.partition(" ")
    verb = VERBS_BY_NAME.get(word.lower())
    if verb is None or not _takes(verb.name, rest, known):
        return None
    return TypedCommand(line)


def _takes(verb: str, rest: str, known: Known) -> bool:
    """Whether `rest` reads as what `verb` takes after it (see `typed_command`)."""
    words = as_typed(rest).lower().split()
    if not words:
        return _alone(verb)
    try:
        tokens = tokenize(rest)
    except GrammarError:
        return False
    first = words[0]
    if verb == "help":
        # `help log`, `help /partner log`, `help Acme` (a partner: its card).
        asked = words[1] if first in (COMMAND, "partner") and len(words) > 1 else first
        return asked.lstrip("/") in VERBS_BY_NAME or known([as_typed(rest)])
    if verb in ("done", "drop", "reopen"):
        return _ID.match(first) is not None
    if verb == "back":
        return False
    if verb == "list":
        return len(words) == 1 and first in _LISTS
    if verb == "export":
        return len(words) == 1 and first in _EXPORTS
    if verb == "config":
        return first in _SETTINGS
    if verb == "away":
        return first == "cancel" or _reads_as_days(rest)
    if verb == "commitments" and len(words) == 1 and first in _COMMITMENT_LISTS:
        return True
    if verb in ("show", "check", "contacts", "health", "commitments"):
        return known([as_typed(rest).rstrip("?!.")])
    if verb == "add":
        return _named(tokens, known) or _adds(rest, tokens)
    return _named(tokens, known) or _in_form(verb, tokens, known)


def _alone(verb: str) -> bool:
    """Whether `verb` typed alone is one of its forms (`log` opens a form, `list` lists)."""
    return any(
        all(word.startswith("[") for word in form.partition("(")[0].split()[1:])
        for form in VERBS_BY_NAME[verb].syntax
    )


def _named(tokens: Sequence[Token], known: Known) -> bool:
    """Whether the words first in `tokens` (all of them, or fewer) are a partner's name."""
    words = 0
    while words < len(tokens) and tokens[words].kind in (Kind.WORD, Kind.LINK, Kind.QUOTED):
        words += 1
    return words > 0 and known([joined(tokens[:count]) for count in range(words, 0, -1)])


def _a_name(tokens: Sequence[Token]) -> bool:
    """Whether `tokens`, before what follows a name in a command's form, may be a name no
    partner goes by yet: not chat's words ("this", "me") nor a question."""
    if not tokens or any(t.kind not in (Kind.WORD, Kind.LINK, Kind.QUOTED) for t in tokens):
        return False
    first = tokens[0]
    if first.kind is Kind.WORD and (first.text in _CHAT_WORDS or first.text in _I):
        return False
    return not any("?" in token.text for token in tokens)


def _in_form(verb: str, tokens: Sequence[Token], known: Known) -> bool:
    """Whether `tokens` are a name and then what follows a name in one of `verb`'s forms only
    (`log NewCo : met Jane`, `owner NewCo @ana`, `team Acme add @ben`)."""
    return any(
        _a_name(tokens[:at]) and _follows_name(verb, tokens[at:], known)
        for at in range(1, len(tokens))
    )


def _adds(rest: str, tokens: Sequence[Token]) -> bool:
    """`add NAME …` as `add` reads it, with a name set off by what only `add` has after one
    (`owner @ana`, `aka "X"`, a website), or a proper noun's (`add Oxfam`): `add more later`,
    `add me` and `Add Tom to the thread` (which `add` refuses) are chat."""
    try:
        line = parse_add(rest)
    except GrammarError:
        return False
    name = [t for t in tokens if t.start >= line.name.start and t.end <= line.name.end]
    if not _a_name(name):
        return False
    clauses = line.owner_id or line.deputy_id or line.team or line.aliases or line.website
    first = name[0].text[:1]
    return bool(clauses) or name[0].kind is not Kind.WORD or first.isupper() or first.isdigit()


def _follows_name(verb: str, after: Sequence[Token], known: Known) -> bool:
    """Whether `after` is what comes after the partner's name in one of `verb`'s forms."""
    head, last = after[0], after[-1]
    kinds = [token.kind for token in after]
    mentions = Kind.MENTION in kinds
    one = len(after) == 1
    if verb in ("owner", "deputy"):
        return (one and head.kind is Kind.MENTION) or (
            verb == "deputy" and one and head.is_word(*NO_DEPUTY)
        )
    if verb == "team":
        return all(t.kind is Kind.MENTION or t.is_word(*_CHANGES) for t in after) and mentions
    if verb == "status":
        return one and head.is_word(*partner_texts.STATUSES)
    if verb == "channel":
        return one and (head.kind is Kind.CHANNEL or head.text.startswith("#"))
    if verb == "alias":
        return head.is_word("add", "remove") and len(after) > 1 and after[1].kind is Kind.QUOTED
    if verb == "contact":
        return head.is_word("add", "remove") and len(after) > 1
    if verb == "rename":
        return head.is_word("to") and len(after) > 1
    if verb == "merge":
        return head.is_word("into") and len(after) > 1 and known([joined(after[1:])])
    if verb == "cadence":
        return len(after) == 2 and all(_NUMBER.match(t.text) for t in after)
    if verb == "survey":
        return one and head.is_word(*_SURVEY_WORDS)
    if verb == "commit":
        return head.is_word(*_SIDES) and Kind.COLON in kinds
    if verb in ("log", "intend", "plan"):
        # The name, perhaps clauses (`with`, `on`, `via`), then `: NOTES`.
        clauses = head.kind is Kind.COLON or head.keyword in ("with", "on", "via")
        colon = kinds.index(Kind.COLON) if Kind.COLON in kinds else None
        dated = any(t.is_word("on") for t in after[: colon or 0])
        return (
            clauses and colon is not None and last is not after[colon] and (verb != "plan" or dated)
        )
    return False


def _reads_as_days(rest: str) -> bool:
    """Whether `rest` starts with a day or a named week or month (`away friday`, `away next
    week`, `away 1 dec to 4 dec`), as `away` reads it."""
    typed = _UNTIL.sub("", as_typed(rest).strip())  # `away until friday`: from today
    start = re.split(r"\s+(?:to|until|till|through|deputy)\s+", typed, maxsplit=1)[0].strip()
    # `away mon-fri`: two days joined by a hyphen, as `to` joins them.
    return any(_a_day(text) for text in dict.fromkeys((start, start.split("-", 1)[0])))


_UNTIL = re.compile(r"^(?:from|until|till|through)\s+", re.IGNORECASE)


def _a_day(text: str) -> bool:
    """Whether `text` is a day, or a named week or month, in a form `away` reads."""
    now, tz = datetime(2026, 1, 1, tzinfo=UTC), ZoneInfo("UTC")
    if not text:
        return False
    if parse_period(text, now=now, tz=tz) is not None:
        return True
    try:
        parse_when(text, now=now, tz=tz)
    except UnreadableDate:
        return False
    except DateError:
        return True  # a day's form all the same (`31 Nov`): `away` says what is wrong with it
    return True


@dataclass(frozen=True)
class ReplyChange:
    """A message in a DM thread edited (`text`: as it reads now) or deleted (`text` None)."""

    channel: str
    ts: str
    user_id: str | None
    text: str | None


def reply_change(event: dict[str, Any]) -> ReplyChange | None:
    """The edit or deletion of a reply in a thread of a DM, as Slack sends it: `message_changed`
    with the message as it reads now (`message`), `message_deleted` with `deleted_ts` and the
    message as it was (`previous_message`, which may be missing); neither names the person at
    its top. None for any other event, and for an edit outside a thread or of its first message
    (Slack sends one when its replies change, and when a link in it unfurls)."""
    if event.get("channel_type") != "im":
        return None
    subtype, channel = event.get("subtype"), str(event.get("channel") or "")
    if subtype == "message_changed":
        message = event.get("message") or {}
        ts, text = str(message.get("ts") or ""), message.get("text")
        thread_ts = message.get("thread_ts")
        if not thread_ts or thread_ts == ts or message.get("bot_id"):
            return None
    elif subtype == "message_deleted":
        # Only the ts is sure to be there; which thread it was in, the kept replies know.
        message = event.get("previous_message") or {}
        ts, text = str(event.get("deleted_ts") or ""), None
    else:
        return None
    if not channel or not ts:
        return None
    user = message.get("user")
    return ReplyChange(
        channel=channel,
        ts=ts,
        user_id=str(user) if user else None,
        text=None if text is None else unescape(str(text)),
    )


def message_listener(last_answers: LastAnswers) -> Any:
    def on_message(
        ack: Ack,
        body: dict[str, Any],
        event: dict[str, Any],
        context: BoltContext,
        client: WebClient,
    ) -> None:
        ack()
        runtime = runtime_of(context)
        team_id = str(body.get("team_id") or context.team_id or "")
        change = reply_change(event)
        if change is not None:
            work = partial(note_changed, runtime, client, team_id, change, body.get("event_id"))
            runtime.defer(work, what="a reply edited in the Messages tab")
            return
        if not typed_by_a_person(event):
            return
        user_id, channel = str(event["user"]), str(event.get("channel") or "")
        thread_ts = event.get("thread_ts")
        shared_file = bool(event.get("files"))

        def post(text: str, *, what: str) -> None:
            try:
                client.chat_postMessage(channel=channel, text=slack_text(text), thread_ts=thread_ts)
            except SlackApiError as error:
                logger.warning("%s failed: %s", what, error_code(error))
            except SLACK_CALL_ERRORS as error:
                logger.warning("%s could not reach Slack: %s", what, type(error).__name__)

        def partner_known(readings: Sequence[str]) -> bool:
            registry = registry_of(runtime)
            return any(
                found(team_id=team_id, readings=readings) is not None
                for found in (registry.registered_reading, registry.close_reading)
            )

        def answer() -> None:
            if thread_ts and thread_ts != event.get("ts"):
                noted = checkins_of(runtime).note_from_reply(
                    team_id=team_id,
                    user_id=user_id,
                    channel=channel,
                    thread_ts=str(thread_ts),
                    text=unescape(str(event.get("text") or "")),
                    event_id=body.get("event_id"),
                    ts=str(event.get("ts") or ""),
                    shared_file=shared_file,
                )
                if noted is not None:
                    told(noted)
                    return
                # The message replied under, by whom: a Problem alert's, or a survey's.
                where: dict[str, Any] = {
                    "team_id": team_id,
                    "user_id": user_id,
                    "channel": channel,
                    "thread_ts": str(thread_ts),
                    "event_id": body.get("event_id"),
                }
                alert = checkins_of(runtime).problem_reporter_at(**where)
                if alert is not None:
                    if not alert.repeated:
                        post(
                            texts.reply_in_problem_alert(alert.reporter_id),
                            what="answering a reply in a Problem alert's thread",
                        )
                    return
                # Under a survey's message: its *Add a comment* button is where words go.
                survey = surveys_of(runtime).thread_at(**where)
                if survey is not None:
                    if not survey.repeated:
                        said = texts.reply_in_survey(survey.partner_name, closed=survey.closed)
                        post(said, what="answering a reply in a survey's thread")
                    return
            command = typed_command(str(event.get("text") or ""), known=partner_known)
            if command is not None and not shared_file:
                # Each command its own answer, the line to send: no turn of the hint taken.
                said = texts.command_typed_in_messages_tab(command.line, command.mistyped)
                post(said, what="answering a command typed in the Messages tab")
            elif not shared_file and only_emoji(str(event.get("text") or "")):
                return  # no words to lose; no turn of the hint taken
            elif last_answers.take_turn(team_id=team_id, user_id=user_id, now=runtime.clock.now()):
                hint = texts.MESSAGES_TAB_FILE_ANSWER if shared_file else texts.MESSAGES_TAB_ANSWER
                post(hint, what="answering a message in the Messages tab")

        def told(noted: ReplyNoted) -> None:
            """A reply in a check-in's thread: the card shows the note, the thread says so (or
            that the check-in is closed and nothing was kept)."""
            if noted.update is not None:
                show_checkin(client, noted.update)
            if noted.card is None:  # Slack's retry of a reply already answered
                return
            if noted.outcome is ReplyOutcome.CLOSED:
                text = feedback_texts.reply_in_closed_checkin(noted.card, noted.closed_at)
            elif noted.outcome is ReplyOutcome.TOO_LONG:
                text = feedback_texts.reply_too_long(noted.card, noted.length)
            elif noted.outcome is ReplyOutcome.FILE_ONLY:
                text = feedback_texts.file_alone(noted.card)
            else:
                added = noted.outcome is ReplyOutcome.ADDED
                text = feedback_texts.note_from_reply(noted.card, added=added)
                if shared_file:
                    text += feedback_texts.file_not_in_note(noted.card)
            post(text, what="answering a reply in a check-in's thread")

        runtime.defer(answer, what="answer in the Messages tab")

    return on_message


def note_changed(
    runtime: Runtime, client: WebClient, team_id: str, change: ReplyChange, event_id: str | None
) -> None:
    """A reply edited or deleted: if it was kept in a note, the note changes, and its card."""
    update = checkins_of(runtime).reply_changed(
        team_id=team_id,
        user_id=change.user_id,
        channel=change.channel,
        ts=change.ts,
        text=change.text,
        event_id=event_id,
    )
    if update is not None:
        show_checkin(client, update)


def register(app: App) -> None:
    app.event("message")(message_listener(LastAnswers()))
