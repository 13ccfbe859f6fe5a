"""`liaison simulate`: the real app, a fake Slack and a local SQLite file, played as colleagues.

A `Sandbox` seeds the workspace "Acme", builds the app with the same factory as production,
and interprets sandbox lines (`/partner …`, `as ben`, `advance 2d`, `react :four: on last`, …).
Every message the app sends is shown as its recipient would see it.
"""

from __future__ import annotations

import logging
import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.markup import escape
from sqlmodel import Session

from bot.app import build_planners, create_app
from bot.clock import ManualClock
from bot.config import Settings
from bot.delivery.absence import WELCOME_BACK
from bot.delivery.dispatcher import Dispatcher
from bot.runtime import Runtime
from bot.sandbox import render
from bot.sandbox.fake_slack import FakeChannel, FakeMessage, FakeSlack, FakeView
from bot.sandbox.requests import Deliverer, Delivery, RequestFactory, SlackRequest
from bot.scheduler import run_planner
from bot.websites import BARE_DOMAIN
from storage import schema
from storage.db import make_engine
from storage.outbox import next_available_at

JsonDict = dict[str, Any]

TEAM_ID = "T0ACME"
SEED_USERS = (
    # id, name, real name, time zone, Slack admin
    ("U0ANA", "ana", "Ana Alves", "Europe/Berlin", True),
    ("U0BEN", "ben", "Ben Brooks", "America/New_York", False),
    ("U0CHLOE", "chloe", "Chloe Chen", "Asia/Tokyo", False),
    ("U0DAN", "dan", "Dan Davies", "Europe/London", False),
)
SEED_CHANNELS = (("C0PARTNERS", "partnerships"), ("C0GENERAL", "general"))
COORDINATION_CHANNEL = "#partnerships"

FORMS = """\
  /partner …                      type a command as the current person, in the current place
  as NAME                         become another colleague (ana, ben, chloe, dan)
  in #CHANNEL | in dm             type in a channel, or in your DM with Liaison
  say TEXT                        write a message (not a command) where you are
  reply last | N TEXT             write a message in the thread of a message you can see
  advance 2d | 3h | 30m | 1w      move the clock forward; what falls due runs, in order
  advance to 2026-12-01 10:00     … or to a moment (UTC)
  react :four: on last | N | "text"  react to the last message you can see, message N,
                                  or the last one with that text
  unreact :four: on last | N | "text"  take a reaction back
  click "Label" on last | N | "text"  click a button on a message: `last` is the last one
                                  with that button, where you are first (or `on modal`, `on home`)
  submit FIELD=VALUE …            submit the open form (fields as shown; @names for people)
  cancel                          close the open form
  inbox [NAME]                    what a person received: DMs and messages only they see
  channel #NAME                   what a channel shows
  home [NAME]                     a person's App Home tab
  time                            the sandbox clock, in each person's time zone
  help | quit"""

# How often, at most, the sandbox runs each planner as its clock moves (messages still go out
# at their own minute).
PLANNER_GRANULARITY = timedelta(hours=1)
# Slack's markup and entities in a typed line, kept as they are (`Sandbox.escape_mentions`).
_SLACK_MARKUP = re.compile(r"(<[@#!][^<>]*>|<(?:https?|mailto):[^<>]*>|&(?:amp|lt|gt);)")
_BROADCAST = re.compile(r"(?<![\w<])@(here|channel|everyone)\b")


# What Slack turns into a link in a typed line (`should_escape: true`), kept conservative: an
# address with its scheme, an email address, or a bare domain with a common ending (so "e.g." or
# "v1.2" stay text). Where a link ends is `_link_end`'s.
_AUTOLINK = re.compile(
    r"(?P<url>\bhttps?://[a-z0-9][^\s<>]*)"
    r"|(?P<email>(?<![\w.+-])[\w.+-]+@(?:[a-z0-9-]+\.)+[a-z]{2,}(?![\w-]))"
    rf"|(?P<domain>(?<![\w@/.-]){BARE_DOMAIN}(?::\d+)?(?:/[^\s<>]*)?)",
    re.IGNORECASE,
)
# What ends a sentence or a bracket rather than an address: `(see https://msf.org).`
_AFTER_LINK = ".,;:!?'\")]"
_OPENERS = {")": "(", "]": "["}


def _link_end(typed: str) -> int:
    """Where an address typed in a line ends, as Slack links it: before trailing punctuation,
    and before a closing bracket it did not open (`(https://msf.org)`, but
    `https://en.wikipedia.org/wiki/MSF_(charity)` whole)."""
    end = len(typed)
    while end and (last := typed[end - 1]) in _AFTER_LINK:
        opener = _OPENERS.get(last)
        if opener and typed.count(opener, 0, end) >= typed.count(last, 0, end):
            break
        end -= 1
    return end


def _escape_typed(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(r"<!\1>", text)


def _autolink(kind: str | None, typed: str) -> str:
    """A typed address as Slack sends it: `<https://a.org>` for one typed with its scheme,
    `<mailto:a@b.org|a@b.org>`, `<http://b.org|b.org>` (its label what was typed)."""
    typed = typed.replace("&", "&amp;")
    if kind == "url":
        return f"<{typed}>"
    if kind == "email":
        return f"<mailto:{typed}|{typed}>"
    return f"<http://{typed}|{typed}>"


def escape_as_slack(fake: FakeSlack, text: str) -> str:
    """What Slack does with `should_escape: true`: `&`, `<` and `>` as entities, @here,
    @channel and @everyone as <!here>…, @name → <@U…|name>, #chan → <#C…|chan>, and an
    address, email address or bare domain (`msf.org`) → a link. Markup and entities already
    in the line (a script written as Slack sends it) are kept."""

    def mention(sigil: str, find: Callable[[str], Any]) -> Callable[[re.Match[str]], str]:
        """A typed `@name` or `#name` as Slack marks it up, if someone or somewhere has it."""

        def markup(match: re.Match[str]) -> str:
            try:
                found = find(match.group(1))
            except KeyError:
                return match.group(0)
            return f"<{sigil}{found.id}|{found.name}>"

        return markup

    user, channel = mention("@", fake.user_by_name), mention("#", fake.channel_by_name)

    def plain(typed: str) -> str:
        typed = re.sub(r"(?<![\w<])@([a-z0-9._-]+)", user, _escape_typed(typed))
        return re.sub(r"(?<![\w<&])#([a-z0-9_-]+)", channel, typed)

    def typed(part: str) -> str:
        # Links first, so an email's @ or an address's # is not read as a mention.
        out, last = [], 0
        for found in _AUTOLINK.finditer(part):
            end = found.start() + _link_end(found.group(0))
            out += [
                plain(part[last : found.start()]),
                _autolink(found.lastgroup, part[found.start() : end]),
            ]
            last = end
        return "".join([*out, plain(part[last:])])

    return "".join(
        part if index % 2 else typed(part) for index, part in enumerate(_SLACK_MARKUP.split(text))
    )


# `2d`, or as said: `2 days`, `1 day`, `3 hours`, `30 min`, `1 week` (by the unit's first letter).
_DURATION = re.compile(r"^(\d+)\s*(m|mins?|minutes?|h|hours?|d|days?|w|weeks?)$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class LineError(Exception):
    """A sandbox line that cannot be carried out; the message says why."""


@dataclass
class Shown:
    """What has been printed of a message, so an update is shown once."""

    text: str
    blocks: str


class _ErrorCounter(logging.Handler):
    """Counts the errors Liaison logs, and remembers the last one to show in the transcript (a
    script's log file lives in a directory removed at the end)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.count = 0
        self.last = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        self.last = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            self.last += f" — {type(error).__name__}: {error}"


class Sandbox:
    """One simulated workspace, driven line by line."""

    def __init__(
        self,
        *,
        db_path: Path,
        console: Console,
        fresh: bool = False,
        start: datetime | None = None,
    ) -> None:
        self.console = console
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        self.clock = ManualClock(start or datetime.now(UTC).replace(second=0, microsecond=0))
        self.fake = FakeSlack(
            team_id=TEAM_ID,
            team_name="Acme",
            clock=lambda: self.clock.now().timestamp(),
            trigger_ttl=3600.0,  # a person at a prompt types slower than Slack's 3 s
        )
        for user_id, name, real_name, tz, is_admin in SEED_USERS:
            self.fake.add_user(id=user_id, name=name, real_name=real_name, tz=tz, is_admin=is_admin)
        for channel_id, name in SEED_CHANNELS:
            self.fake.add_channel(id=channel_id, name=name)
        self.fake.start()

        settings = Settings(
            slack_bot_token=self.fake.bot_token,
            slack_signing_secret=self.fake.signing_secret,
            slack_api_base_url=self.fake.base_url,
            database_url=f"sqlite:///{db_path}",
            default_channel=COORDINATION_CHANNEL,
        )
        engine = make_engine(settings.database_url)
        schema.upgrade(engine)
        self.runtime = Runtime(settings=settings, engine=engine, clock=self.clock)
        self.app = create_app(self.runtime)
        self.planners = build_planners()
        # When each planner runs next, by its own trigger, on the sandbox clock; and when those
        # that can tell next have work (`PlannerJob.next_due`: the digest at its minute).
        self._next_runs: dict[str, datetime] = {}
        self._wake_ups: dict[str, datetime] = {}
        self.dispatcher = Dispatcher(
            engine=engine,
            clock=self.clock,
            client=self.app.client,
            default_channel=settings.default_channel,
            summaries_planned=WELCOME_BACK in self.planners,
        )
        self.requests = RequestFactory(self.fake)
        self.deliver = Deliverer(self.fake, app=self.app, runtime=self.runtime)

        self.errors = _ErrorCounter()
        logging.getLogger().addHandler(self.errors)
        self._new: list[FakeMessage] = []
        self._shown: dict[int, Shown] = {}
        self._shown_modal: str | None = None
        # The hash of each Home tab as last printed: a Home someone looked at is shown again
        # when Liaison publishes it anew (after a click on it).
        self._shown_homes: dict[str, str] = {}
        self.fake.add_listener(self._new.append)

        self.user_id = "U0ANA"
        self.channel_id = "C0PARTNERS"

    # ---------------------------------------------------------------- where we are

    @property
    def user_name(self) -> str:
        return self.fake.users[self.user_id].name

    @property
    def prompt(self) -> str:
        channel = self.fake.channels[self.channel_id]
        where = "dm" if channel.is_im else f"#{channel.name}"
        return f"{self.user_name}@Acme {where}> "

    def close(self) -> None:
        logging.getLogger().removeHandler(self.errors)
        self.runtime.close()
        self.fake.stop()

    # ---------------------------------------------------------------- lines

    def run_line(self, line: str) -> bool:
        """Carry out one line; print what it caused. False when it failed."""
        line = line.strip()
        if not line:
            return True
        if line.startswith("#") and not line.startswith("#!"):
            self.console.print(f"[bold magenta]{escape(line.lstrip('# '))}[/bold magenta]")
            return True
        errors_before = self.errors.count
        try:
            self._dispatch(line)
        except LineError as error:
            self.console.print(f"[red]✗ {escape(str(error))}[/red]")
            self.console.print(f"[dim]{escape(FORMS)}[/dim]")
            return False
        self.runtime.drain()
        self._deliver_due()
        self.show_new()
        if self.errors.count > errors_before:
            self.console.print(f"[red]✗ Liaison logged an error: {escape(self.errors.last)}[/red]")
            return False
        return True

    def _dispatch(self, line: str) -> None:
        word, _, rest = line.partition(" ")
        rest = rest.strip()
        handlers: dict[str, Callable[[str], None]] = {
            "as": self._as,
            "in": self._in,
            "advance": self._advance,
            "say": self._say,
            "reply": self._reply,
            "react": lambda r: self._react(r, add=True),
            "unreact": lambda r: self._react(r, add=False),
            "click": self._click,
            "submit": self._submit,
            "cancel": self._cancel,
            "inbox": self._inbox,
            "channel": self._channel,
            "home": self._home,
            "time": lambda _r: self._time(),
            "help": lambda _r: self.console.print(escape(FORMS)),
        }
        if word.startswith("/"):
            self._slash(word, rest)
        elif word.lower() in handlers:
            handlers[word.lower()](rest)
        else:
            raise LineError(f"I don't know `{word}`. A sandbox line is one of:")

    def _send(self, request: SlackRequest) -> Delivery:
        delivery = self.deliver.send(request)
        if delivery.status != 200:
            raise LineError(f"Liaison answered HTTP {delivery.status}: {delivery.body[:200]}")
        return delivery

    def _slash(self, command: str, text: str) -> None:
        if command != "/partner":
            raise LineError(f"Only /partner is installed in this workspace, not {command}.")
        self._send(
            self.requests.slash_command(
                user_id=self.user_id, channel_id=self.channel_id, text=self.escape_mentions(text)
            )
        )

    def escape_mentions(self, text: str) -> str:
        """A line as Slack sends it (`escape_as_slack`), in this sandbox's workspace."""
        return escape_as_slack(self.fake, text)

    def _person(self, name: str) -> str:
        # Slack's handles and channel names are lower case: `as Ben` is ben, `in #General` is
        # #general, as Slack's own pickers find them however they are typed.
        try:
            return self.fake.user_by_name(name.strip().lstrip("@").lower()).id
        except KeyError:
            people = ", ".join(u.name for u in self.fake.users.values() if not u.is_bot)
            raise LineError(
                f"There is no colleague called {name!r} here; try one of {people}."
            ) from None

    def _place(self, name: str) -> FakeChannel:
        """A channel as typed in a sandbox line (KeyError: none), whatever its case."""
        return self.fake.channel_by_name(name.strip().lower())

    def _as(self, rest: str) -> None:
        if not rest:
            raise LineError("Whom do you want to be? e.g. `as ben`.")
        self.user_id = self._person(rest)
        if self.fake.channels[self.channel_id].is_im:
            # Each person has their own DM with Liaison: `in dm` then `as ben` is ben's, not ana's.
            self.channel_id = self.fake.im_channel(self.user_id).id
        self.console.print(f"[dim]You are now {self.user_name}.[/dim]")

    def _in(self, rest: str) -> None:
        if rest.lower() == "dm":
            self.channel_id = self.fake.im_channel(self.user_id).id
        else:
            try:
                self.channel_id = self._place(rest).id
            except KeyError:
                names = ", ".join(f"#{c.name}" for c in self.fake.channels.values() if not c.is_im)
                raise LineError(f"There is no channel {rest!r}; try {names} or `in dm`.") from None

    def _advance(self, rest: str) -> None:
        now = self.clock.now()
        if rest.startswith("to "):
            try:
                target = datetime.fromisoformat(rest[3:].strip())
            except ValueError:
                raise LineError(
                    f"{rest[3:]!r} is not a moment; e.g. `advance to 2026-12-01 10:00`."
                ) from None
            target = target if target.tzinfo else target.replace(tzinfo=UTC)
        else:
            match = _DURATION.match(rest.replace(" ", ""))
            if not match:
                raise LineError(f"{rest!r} is not a duration; e.g. `advance 2d` or `advance 3h`.")
            target = now + timedelta(**{_UNITS[match.group(2)[0]]: int(match.group(1))})
        if target <= now:
            raise LineError("The clock only moves forward.")
        self._run_until(target)
        self._time()

    def _run_until(self, target: datetime) -> None:
        """Move the clock to `target`, stopping at each moment something falls due, in order:
        a planner's next run (by its own trigger) or the next pending message's send time."""
        while (now := self.clock.now()) < target:
            with Session(self.runtime.engine) as session:
                next_message = next_available_at(session=session, team_id=TEAM_ID, after=now)
            self._wake_ups = self._next_due(now)
            moments = [target, *self._next_runs.values(), *self._wake_ups.values()]
            if next_message is not None:
                moments.append(next_message)
            self.clock.set(min(moment for moment in moments if moment > now))
            self._deliver_due()

    def _deliver_due(self) -> None:
        """What the scheduler does in production: the planners that are due, then a dispatch."""
        now = self.clock.now()
        for job in self.planners:
            due = self._next_runs.get(job.name)
            woken = self._wake_ups.get(job.name)
            if due is not None and due > now and (woken is None or woken > now):
                continue
            self._wake_ups.pop(job.name, None)
            run_planner(self.runtime, job, now)
            following = job.trigger.get_next_fire_time(now, now)
            if following is None:
                self._next_runs[job.name] = datetime.max.replace(tzinfo=UTC)
            else:
                # A planner that runs every few seconds in production would make a week of
                # sandbox time take minutes; it runs at most every PLANNER_GRANULARITY here.
                self._next_runs[job.name] = max(following, now + PLANNER_GRANULARITY)
        self.dispatcher.run_pass()
        self.runtime.drain()

    def _next_due(self, now: datetime) -> dict[str, datetime]:
        """When the planners that can tell next have work, after `now`."""
        found = {}
        for job in self.planners:
            due = job.next_due(self.runtime, now) if job.next_due is not None else None
            if due is not None:
                found[job.name] = due
        return found

    def _time(self) -> None:
        now = self.clock.now()
        local = ", ".join(
            f"{u.name} {now.astimezone(ZoneInfo(u.tz)):%a %H:%M}"
            for u in self.fake.users.values()
            if not u.is_bot
        )
        self.console.print(f"[dim]🕒 {now:%a %d %b %Y %H:%M} UTC — {local}[/dim]")

    # ---------------------------------------------------------------- messages

    def visible_to(self, user_id: str) -> list[FakeMessage]:
        """Messages a person can see: their DMs and ephemerals, and channel messages."""
        dm = self.fake.im_channel(user_id).id
        return [
            m
            for m in self.fake.messages
            if m.ephemeral_to == user_id
            or (m.ephemeral_to is None and (m.channel == dm or not self._is_im(m.channel)))
        ]

    def _is_im(self, channel_id: str) -> bool:
        channel = self.fake.channels.get(channel_id)
        return channel is not None and channel.is_im

    def _message(self, where: str) -> FakeMessage:
        where = where.strip()
        if len(where) > 1 and where[0] == where[-1] == '"':
            wanted = where[1:-1].lower()
            for message in reversed(self.visible_to(self.user_id)):
                if wanted in (message.text + repr(message.blocks)).lower():
                    return message
            raise LineError(f"You can see no message with {where} in it.")
        if where in ("last", ""):
            visible = self.visible_to(self.user_id)
            if not visible:
                raise LineError("There is no message you can see yet.")
            return visible[-1]
        try:
            return self.fake.message_by_number(int(where.lstrip("#")))
        except (ValueError, KeyError):
            raise LineError(f"{where!r} is not a message; say `last` or a number like 7.") from None

    def _say(self, rest: str) -> None:
        if not rest:
            raise LineError("What do you want to write? e.g. `say thanks, it went well`.")
        written = self.fake.post_user_message(
            user_id=self.user_id, channel_id=self.channel_id, text=self.escape_mentions(rest)
        )
        self._send(self.requests.message_posted(written))

    def _reply(self, rest: str) -> None:
        match = re.match(r"^(last|#?\d+)\s+(.+)$", rest)
        if not match:
            raise LineError("e.g. `reply last it went well` or `reply 12 thanks, it went well`.")
        if match.group(1) == "last":
            # The last message that takes a reply: a command's answer, shown only to you, has
            # no thread (`/partner log …` then `reply last …` meant the message before it).
            threads = [m for m in self.visible_to(self.user_id) if m.ephemeral_to is None]
            if not threads:
                raise LineError("There is no message you can reply to yet.")
            root = threads[-1]
        else:
            root = self._message(match.group(1))
        if root.ephemeral_to is not None or root not in self.visible_to(self.user_id):
            raise LineError(f"Message {root.number} is not in a conversation you can reply in.")
        written = self.fake.post_user_message(
            user_id=self.user_id,
            channel_id=root.channel,
            text=self.escape_mentions(match.group(2)),
            thread_ts=root.thread_ts or root.ts,
        )
        self._send(self.requests.message_posted(written))

    def _react(self, rest: str, *, add: bool) -> None:
        match = re.match(r"^:?([a-z0-9_+-]+):?\s+on\s+(.+)$", rest)
        if not match:
            raise LineError("e.g. `react :four: on last` or `unreact :four: on 12`.")
        message, name = self._message(match.group(2)), match.group(1)
        # Slack sends no event for a reaction that changes nothing (one already there, one
        # never added, one on a message only you see): neither does the sandbox, and the line
        # fails, as a mistyped name or number would go unnoticed in a script otherwise.
        if message.ephemeral_to is not None:
            raise LineError(
                f"Message {message.number} is shown only to you: it takes no reactions."
            )
        present = self.user_id in message.reactions.get(name, [])
        if add and present:
            raise LineError(f"You have already reacted :{name}: to message {message.number}.")
        if not add and not present:
            raise LineError(f"You have no :{name}: on message {message.number} to take back.")
        try:
            request = (self.requests.reaction_added if add else self.requests.reaction_removed)(
                user_id=self.user_id, message=message, name=name
            )
            self._send(request)
        except ValueError as error:
            raise LineError(str(error)) from None
        # Slack shows the reaction under the message; without this line a reaction Liaison
        # does not answer (on a message that is no survey's) left the transcript blank.
        done = "reacted" if add else "took back"
        self.console.print(
            f"[dim]{self.user_name} {done} :{name}: on message {message.number}[/dim]"
        )

    def _click(self, rest: str) -> None:
        match = re.match(r'^"([^"]+)"(?:\s+on\s+(.+))?$', rest) or re.match(
            r"^(\S+)(?:\s+on\s+(.+))?$", rest
        )
        if not match:
            raise LineError('e.g. `click "Went well" on last`.')
        label, where = match.group(1), match.group(2) or "last"
        if where in ("modal", "home"):
            view = self._top_modal() if where == "modal" else self._home_view()
            element = _find_button(view.view.get("blocks", []), label)
            if element is None:
                surface = "open form" if where == "modal" else "Home tab"
                raise LineError(f"The {surface} has no button {label!r}.")
            self._send(
                self.requests.block_action(
                    user_id=self.user_id, action_id=element["action_id"], view=view
                )
            )
            return
        if where.strip() in ("last", ""):
            message = self._last_with_button(label)
        else:
            message = self._message(where)
        element = _find_button(message.blocks, label)
        if element is None:
            raise LineError(f"Message {message.number} has no button {label!r}.")
        self._send(
            self.requests.block_action(
                user_id=self.user_id, action_id=element["action_id"], message=message
            )
        )

    def _last_with_button(self, label: str) -> FakeMessage:
        """`click "Label" on last`: the last message with that button where you are (your DM
        after `in dm`), else anywhere you can see."""
        visible = self.visible_to(self.user_id)
        if not visible:
            raise LineError("There is no message you can see yet.")
        here = [message for message in visible if message.channel == self.channel_id]
        for candidates in (here, visible):
            for message in reversed(candidates):
                if _find_button(message.blocks, label) is not None:
                    return message
        # Not "message 9 has no button": message 9 was never meant, and no other has one either.
        latest = next((m for m in reversed(here or visible) if _buttons(m.blocks)), None)
        offered = (
            f" The last buttons here, on message {latest.number}: "
            + " ".join(f"[{b.get('text', {}).get('text', '')}]" for b in _buttons(latest.blocks))
            + "."
            if latest is not None
            else ""
        )
        raise LineError(
            f"No message {self.user_name} can see has a button {label!r}.{offered} (A form's "
            "or the Home's: `on modal`, `on home`.)"
        )

    def _home_view(self) -> FakeView:
        for view in self.fake.views.values():
            if view.kind == "home" and view.user == self.user_id:
                return view
        raise LineError(f"{self.user_name} has no Home tab yet; open it with `home`.")

    # ---------------------------------------------------------------- forms

    def _top_modal(self) -> FakeView:
        modals = self.fake.open_modals(self.user_id)
        if not modals:
            raise LineError(f"{self.user_name} has no form open.")
        return modals[-1]

    def _submit(self, rest: str) -> None:
        view = self._top_modal()
        try:
            pairs = shlex.split(rest)
        except ValueError as error:
            raise LineError(f"Cannot read the fields: {error}.") from None
        given: dict[str, str] = {}
        for pair in pairs:
            name, sep, value = pair.partition("=")
            if not sep:
                raise LineError(f'{pair!r} is not FIELD=VALUE; e.g. `submit name="Acme Inc"`.')
            given[name] = value
        values = self._state_values(view, given)
        self._send(self.requests.view_submission(user_id=self.user_id, view=view, values=values))

    def _cancel(self, _rest: str) -> None:
        self._top_modal()  # says so when there is nothing to close
        self.fake.dismiss_modals(self.user_id)
        self._shown_modal = None
        self.console.print("[dim]Form closed.[/dim]")

    def _state_values(self, view: FakeView, given: dict[str, str]) -> JsonDict:
        values: JsonDict = {}
        inputs = {
            b.get("block_id"): b
            for b in view.view.get("blocks", [])
            if b.get("type") == "input" and b.get("block_id")
        }
        unknown = set(given) - set(inputs)
        if unknown:
            raise LineError(
                f"The form has no field {', '.join(sorted(unknown))}; "
                f"its fields are {', '.join(str(k) for k in inputs)}."
            )
        for block_id, block in inputs.items():
            element = block.get("element", {})
            action_id = element.get("action_id", block_id)
            state = self._element_state(view, block_id, element, given.get(block_id))
            values[block_id] = {action_id: state}
        return values

    def _element_state(
        self, view: FakeView, block_id: str, element: JsonDict, raw: str | None
    ) -> JsonDict:
        kind = element.get("type", "plain_text_input")
        state: JsonDict = {"type": kind}
        if kind in ("plain_text_input", "email_text_input", "url_text_input", "number_input"):
            state["value"] = raw if raw is not None else element.get("initial_value")
        elif kind == "users_select":
            state["selected_user"] = self._person(raw) if raw else element.get("initial_user")
        elif kind == "multi_users_select":
            state["selected_users"] = (
                [self._person(n) for n in raw.split(",") if n.strip()]
                if raw
                else element.get("initial_users", [])
            )
        elif kind in ("conversations_select", "channels_select"):
            key = "selected_conversation" if kind == "conversations_select" else "selected_channel"
            state[key] = self._place(raw).id if raw else None
        elif kind == "datepicker":
            state["selected_date"] = raw or element.get("initial_date")
        elif kind == "timepicker":
            state["selected_time"] = raw or element.get("initial_time")
        elif kind in ("static_select", "radio_buttons"):
            state["selected_option"] = (
                _option(element, raw, block_id) if raw else element.get("initial_option")
            )
        elif kind in ("multi_static_select", "checkboxes"):
            state["selected_options"] = (
                [_option(element, part, block_id) for part in raw.split(",")]
                if raw
                else element.get("initial_options", [])
            )
        elif kind == "external_select":
            state["selected_option"] = (
                self._suggest(view, element, raw) if raw else element.get("initial_option")
            )
        else:
            raise LineError(f"Field {block_id} is a {kind}, which the sandbox cannot fill in.")
        return state

    def _suggest(self, view: FakeView, element: JsonDict, typed: str) -> JsonDict:
        """Type into an external select: ask Liaison for options, take the first."""
        delivery = self._send(
            self.requests.block_suggestion(
                user_id=self.user_id, action_id=element["action_id"], value=typed, view=view
            )
        )
        options = (delivery.json or {}).get("options") or [
            option
            for group in (delivery.json or {}).get("option_groups", [])
            for option in group.get("options", [])
        ]
        if not options:
            raise LineError(f"Liaison suggests nothing for {typed!r}.")
        first: JsonDict = options[0]
        return first

    # ---------------------------------------------------------------- looking around

    def _inbox(self, rest: str) -> None:
        user_id = self._person(rest) if rest else self.user_id
        name = self.fake.users[user_id].name
        messages = self.fake.dm_messages(user_id)
        self.console.print(f"[bold]Inbox of @{name}[/bold] ({_count(messages)})")
        for message in messages[-20:]:
            self.print_message(message)

    def _channel(self, rest: str) -> None:
        try:
            channel = self._place(rest)
        except KeyError:
            raise LineError(f"There is no channel {rest!r}.") from None
        messages = self.fake.messages_in(channel.id)
        self.console.print(f"[bold]#{channel.name}[/bold] ({_count(messages)})")
        for message in messages[-20:]:
            self.print_message(message)

    def _home(self, rest: str) -> None:
        user_id = self._person(rest) if rest else self.user_id
        self._send(self.requests.app_home_opened(user_id=user_id))
        self.runtime.drain()
        if self.fake.home_views.get(user_id) is None:
            name = self.fake.users[user_id].name
            self.console.print(f"[dim]Liaison has published no Home tab for @{name} yet.[/dim]")
            return
        self.print_home(user_id)

    def print_home(self, user_id: str, *, updated: bool = False) -> None:
        view = self.fake.home_views[user_id]
        self._shown_homes[user_id] = str(view.get("hash"))
        status = " [yellow](updated)[/yellow]" if updated else ""
        name = self.fake.users[user_id].name
        self.console.print(f"[bold reverse] App Home of @{name} [/bold reverse]{status}")
        for line in render.blocks(view.get("blocks", []), **self._names(user_id)):
            self.console.print("  " + line)

    # ---------------------------------------------------------------- printing

    def _names(self, reader: str | None = None) -> dict[str, render.NameOf]:
        """How ids read; with `reader`, also date tokens, in their zone as Slack shows them."""

        def user_name(user_id: str) -> str:
            user = self.fake.users.get(user_id)
            return user.name if user else user_id

        def channel_name(channel_id: str) -> str:
            channel = self.fake.channels.get(channel_id)
            return channel.name if channel else channel_id

        names = {"user_name": user_name, "channel_name": channel_name}
        person = self.fake.users.get(reader) if reader is not None else None
        if person is not None and person.tz:
            tz = ZoneInfo(person.tz)

            def date_of(timestamp: str) -> str:
                return f"{datetime.fromtimestamp(int(timestamp), tz):%-d %b %H:%M}"

            names["date_of"] = date_of
        return names

    def show_new(self) -> None:
        """Print messages that are new or changed since the last line, and a newly opened form."""
        pending, self._new[:] = list(self._new), []
        # The listener gets a snapshot per change; a person sees the message as it ends up.
        latest: dict[int, FakeMessage] = {}
        for snapshot in pending:
            latest[snapshot.number] = snapshot
        for message in latest.values():
            current = Shown(text=message.text, blocks=repr(message.blocks))
            previous = self._shown.get(message.number)
            if previous == current and not message.deleted:
                continue
            self._shown[message.number] = current
            self.print_message(message, updated=previous is not None)
        for user_id, shown_hash in list(self._shown_homes.items()):
            home = self.fake.home_views.get(user_id)
            if home is not None and str(home.get("hash")) != shown_hash:
                self.print_home(user_id, updated=True)
        modals = self.fake.open_modals(self.user_id)
        top = modals[-1] if modals else None
        key = f"{top.id}:{top.view.get('hash')}:{top.errors}" if top else None
        if top is not None and key != self._shown_modal:
            self.print_modal(top)
        self._shown_modal = key

    def recipient(self, message: FakeMessage) -> str:
        names = self._names()
        channel = self.fake.channels.get(message.channel)
        if message.ephemeral_to is not None:
            where = (
                "DM" if channel and channel.is_im else f"#{names['channel_name'](message.channel)}"
            )
            return f"only @{names['user_name'](message.ephemeral_to)} sees, in {where}"
        if channel is not None and channel.is_im and channel.user:
            # A DM is between a person and Liaison: to the one who did not write it.
            to = "liaison" if message.user == channel.user else names["user_name"](channel.user)
            where = f"DM to @{to}"
        else:
            where = f"#{names['channel_name'](message.channel)}"
        if message.thread_ts and message.thread_ts != message.ts:
            root = self.fake.find_message(message.channel, message.thread_ts)
            where += f", in the thread of message {root.number if root else '?'}"
        return where

    def _reader(self, message: FakeMessage) -> str | None:
        """The one person who sees the message (an ephemeral one's, a DM's), if it has one."""
        person = message.ephemeral_to
        channel = self.fake.channels.get(message.channel)
        if person is None and channel is not None and channel.is_im:
            person = channel.user
        return person

    def _local_time(self, message: FakeMessage) -> str:
        moment = datetime.fromtimestamp(float(message.ts), UTC)
        person = self._reader(message)
        if person is None:
            return f"{moment:%a %H:%M} UTC"
        tz = self.fake.users[person].tz
        return f"{moment.astimezone(ZoneInfo(tz)):%a %H:%M} {tz}"

    def print_message(self, message: FakeMessage, *, updated: bool = False) -> None:
        author = self._names()["user_name"](message.user)
        status = " [yellow](updated)[/yellow]" if updated else ""
        if message.deleted:
            status = " [yellow](deleted)[/yellow]"
        self.console.print(
            f"[bold cyan]┌ {message.number}[/bold cyan] [bold]{escape(self.recipient(message))}"
            f"[/bold] [dim]from @{author} · {self._local_time(message)}[/dim]{status}"
        )
        names = self._names(self._reader(message))
        for line in render.message_body(message.text, message.blocks, **names):
            self.console.print(f"[cyan]│[/cyan] {line}")
        if message.reactions:
            reactions = "  ".join(f":{n}: {len(u)}" for n, u in message.reactions.items())
            self.console.print(f"[cyan]│[/cyan] [dim]{escape(reactions)}[/dim]")
        for file in message.files:
            self.console.print(f"[cyan]│[/cyan] 📎 {escape(str(file.get('name', 'file')))}")

    def print_modal(self, view: FakeView) -> None:
        title = (view.view.get("title") or {}).get("text", "Form")
        self.console.print(
            f"[bold reverse] Form: {escape(title)} [/bold reverse] [dim](@{self.user_name})[/dim]"
        )
        for line in render.blocks(view.view.get("blocks", []), **self._names(self.user_id)):
            self.console.print(f"  {line}")
        for field, problem in (view.errors or {}).items():
            self.console.print(f"  [red]⚠ {escape(field)}: {escape(problem)}[/red]")
        submit = (view.view.get("submit") or {}).get("text", "Submit")
        self.console.print(
            f"  [dim]`submit FIELD=VALUE …` to press [{escape(submit)}], `cancel` to close[/dim]"
        )


def _buttons(blocks: list[JsonDict]) -> list[JsonDict]:
    found: list[JsonDict] = []
    for block in blocks:
        elements = list(block.get("elements", []))
        if block.get("accessory"):
            elements.append(block["accessory"])
        found.extend(element for element in elements if element.get("type") == "button")
    return found


def _label(text: str) -> str:
    """A button's label as typed: any case, its quotes optional (`click "Create Oxfam GB
    anyway"` presses *Create “Oxfam GB” anyway*, whose curly quotes few keyboards have)."""
    return " ".join(re.sub('["“”‘’«»]', "", text).lower().split())


def _find_button(blocks: list[JsonDict], label: str) -> JsonDict | None:
    wanted = _label(label)
    for element in _buttons(blocks):
        text = _label(str((element.get("text") or {}).get("text", "")))
        if text == wanted or element.get("action_id") == label:
            return dict(element)
    return None


def _option(element: JsonDict, raw: str, block_id: str) -> JsonDict:
    wanted = raw.strip().lower()
    options = element.get("options") or [
        o for g in element.get("option_groups", []) for o in g.get("options", [])
    ]
    for option in options:
        if wanted in (str(option.get("value", "")).lower(), option["text"]["text"].lower()):
            return dict(option)
    choices = ", ".join(o["text"]["text"] for o in options)
    raise LineError(f"{raw!r} is not a choice for {block_id}; choose one of {choices}.")


def _count(messages: Sequence[object]) -> str:
    return "1 message" if len(messages) == 1 else f"{len(messages)} messages"
