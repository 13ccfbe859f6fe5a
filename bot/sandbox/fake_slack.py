"""A fake Slack workspace: in-memory state plus a Web API server that speaks Slack's wire format.

The test-suite and the offline sandbox (`liaison simulate`) share this one implementation. A real
`slack_sdk.WebClient(base_url=fake.base_url)` talks to it over HTTP, so the app under test runs
exactly the code it runs against Slack: the same request encoding, the same error handling, the
same retry handlers.

What it models, and why:

- Web API methods answer with Slack's response shapes and Slack's error codes, including the
  transport-level failures the delivery engine must survive (429 + ``Retry-After``, 5xx with a
  non-JSON body) via :meth:`FakeSlack.fail_next`.
- Trigger ids are single-use and short-lived in *wall* time, like Slack's, so a handler that calls
  ``views.open`` after slow work fails here as it would in production.
- ``response_url`` answers and the app's HTTP answers to commands and view submissions are applied
  to the workspace (:meth:`FakeSlack.record_response`), so tests assert on what a person would see.

Every piece of state is guarded by one re-entrant lock; the server is a ``ThreadingHTTPServer``, so
the app's worker threads and the test thread may call in concurrently.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

logger = logging.getLogger(__name__)

JsonDict = dict[str, Any]

# Slack's documented limits that real apps trip over; the fake enforces them so tests do too.
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MODAL_STACK = 3
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_VIEW_TITLE = 24
MAX_PRIVATE_METADATA = 3000
MAX_ACTIONS_ELEMENTS = 25
MAX_CONTEXT_ELEMENTS = 10
MAX_BUTTON_TEXT = 75
MAX_ACTION_ID = 255
# A response_url "can be used up to 5 times within 30 minutes".
RESPONSE_URL_MAX_USES = 5
RESPONSE_URL_TTL_SECONDS = 30 * 60

# Parameters slack_sdk serialises as JSON strings in form bodies (and as JSON in JSON bodies).
_JSON_PARAMS = frozenset({"blocks", "attachments", "view", "files", "metadata"})


# --------------------------------------------------------------------------------------------
# Workspace objects


@dataclass(kw_only=True)
class FakeUser:
    """A member of the workspace (humans, and the bot user itself), or with ``team_id`` set, a
    person of another workspace met in a Slack Connect channel: users.info answers about them
    with their own workspace's id, and users.list leaves them out, as Slack does."""

    id: str
    name: str
    real_name: str
    tz: str
    is_admin: bool = False
    deleted: bool = False
    is_bot: bool = False
    email: str | None = None
    team_id: str | None = None
    # On Enterprise Grid: the other workspaces of the organisation the person is a member of.
    grid_teams: tuple[str, ...] = ()


@dataclass(kw_only=True)
class FakeChannel:
    """A conversation: a public/private channel, or a DM (``is_im``) with ``user``."""

    id: str
    name: str
    is_im: bool = False
    user: str | None = None
    is_archived: bool = False
    is_private: bool = False
    members: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class FakeMessage:
    """A message as people see it.

    ``user`` is the author (the bot's user id for the bot's posts). ``ephemeral_to`` is set for
    messages only one person sees (``chat.postEphemeral``, command answers, ``response_url``).
    ``number`` is a 1-based sequence across the workspace, so the sandbox can say "message 7".
    A deleted message leaves ``FakeSlack.messages``; listeners get one last copy with ``deleted``.
    """

    channel: str
    ts: str
    user: str
    text: str
    blocks: list[JsonDict] = field(default_factory=list)
    thread_ts: str | None = None
    reactions: dict[str, list[str]] = field(default_factory=dict)
    ephemeral_to: str | None = None
    edited: bool = False
    number: int = 0
    files: list[JsonDict] = field(default_factory=list)
    deleted: bool = False


@dataclass(frozen=True)
class RecordedCall:
    """One Web API call the app made (after the token check), and what the fake answered.

    ``params`` are normalised: JSON-string parameters (``blocks``, ``view``, ...) are decoded, and
    the token is left out. Calls to a ``response_url`` are recorded with method ``"response_url"``.
    """

    method: str
    params: JsonDict
    status: int
    response: JsonDict


@dataclass(kw_only=True)
class FakeView:
    """A view Slack is showing: an open modal (one of a stack of up to 3) or a user's Home tab.

    ``view`` is the full view object as Slack returns it (id, hash, state, callback_id, ...).
    ``errors`` holds the field errors from the app's last ``response_action: errors`` answer.
    """

    id: str
    user: str
    view: JsonDict
    trigger_id: str | None
    kind: Literal["modal", "home"]
    errors: dict[str, str] | None = None


# --------------------------------------------------------------------------------------------
# Internals


class _ApiError(Exception):
    """Raised by a method handler to answer ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, *messages: str) -> None:
        super().__init__(error)
        self.error = error
        self.messages = list(messages)

    def to_json(self) -> JsonDict:
        body: JsonDict = {"ok": False, "error": self.error}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
        return body


@dataclass
class _Failure:
    status: int
    error: str | None
    retry_after: int | str | None
    remaining: int
    # The connection is closed without an answer (Slack unreachable mid-call).
    drop: bool = False


@dataclass
class _Trigger:
    user_id: str
    issued: float  # time.monotonic()
    used: bool = False


@dataclass
class _ResponseUrl:
    channel_id: str
    user_id: str
    # The message that replace_original / delete_original act on: the message a block action came
    # from, or for a command the last answer Slack showed for it.
    message_ts: str | None
    created: float  # time.monotonic()
    uses: int = 0


@dataclass
class _File:
    id: str
    filename: str
    length: int
    alt_txt: str | None
    created: int
    content: bytes | None = None
    title: str | None = None


@dataclass(frozen=True)
class _Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def _json_reply(status: int, payload: JsonDict, headers: dict[str, str] | None = None) -> _Reply:
    all_headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    return _Reply(status, all_headers, json.dumps(payload).encode("utf-8"))


def _failed(failure: _Failure) -> tuple[_Reply, JsonDict]:
    """The answer `fail_next` asked for, and what it records."""
    if failure.drop:
        return _Reply(0, {}, b""), {"ok": False, "error": "connection_dropped"}
    if failure.status == 429:
        body = {"ok": False, "error": "ratelimited"}
        retry_after = str(failure.retry_after if failure.retry_after is not None else 1)
        return _json_reply(429, body, {"Retry-After": retry_after}), body
    if failure.status >= 500:
        html = f"<html><body><h1>{failure.status} Server Error</h1></body></html>"
        reply = _Reply(failure.status, {"Content-Type": "text/html"}, html.encode())
        return reply, {"ok": False, "error": f"http_{failure.status}"}
    body = {"ok": False, "error": failure.error or "fatal_error"}
    return _json_reply(failure.status, body), body


def _flag(value: Any) -> bool:
    """Slack booleans arrive as JSON booleans or as form strings ("true", "1")."""
    if isinstance(value, str):
        return value.lower() in {"1", "true"}
    return bool(value)


def _opt_str(params: JsonDict, key: str) -> str | None:
    value = params.get(key)
    if value is None or value == "":
        return None
    return str(value)


def _text_of(obj: Any) -> str:
    if isinstance(obj, dict):
        text = obj.get("text")
        return text if isinstance(text, str) else ""
    return ""


def _block_problems(blocks: Any, *, pointer: str, limit: int) -> list[str]:
    """The ``response_metadata.messages`` Slack would give for these blocks (empty when valid)."""
    if not isinstance(blocks, list):
        return [f"[ERROR] must be an array [json-pointer:{pointer}]"]
    problems: list[str] = []
    if len(blocks) > limit:
        problems.append(f"[ERROR] no more than {limit} items allowed [json-pointer:{pointer}]")
    for index, block in enumerate(blocks):
        where = f"{pointer}/{index}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            problems.append(f"[ERROR] missing required field: type [json-pointer:{where}]")
            continue
        if block["type"] == "section" and len(_text_of(block.get("text"))) > MAX_SECTION_TEXT:
            problems.append(
                f"[ERROR] must be less than {MAX_SECTION_TEXT + 1} characters "
                f"[json-pointer:{where}/text/text]"
            )
        if block["type"] == "header" and len(_text_of(block.get("text"))) > MAX_HEADER_TEXT:
            problems.append(
                f"[ERROR] must be less than {MAX_HEADER_TEXT + 1} characters "
                f"[json-pointer:{where}/text/text]"
            )
        problems += _element_problems(block, where=where)
    return problems


def _element_problems(block: JsonDict, *, where: str) -> list[str]:
    """Slack's limits on a block's elements: how many an actions or context block holds, a
    button's text, and action ids (at most 255 characters, unique within the block)."""
    problems: list[str] = []
    elements = block.get("elements")
    limit = {"actions": MAX_ACTIONS_ELEMENTS, "context": MAX_CONTEXT_ELEMENTS}.get(block["type"])
    if limit is not None and isinstance(elements, list) and len(elements) > limit:
        problems.append(
            f"[ERROR] no more than {limit} items allowed [json-pointer:{where}/elements]"
        )
    interactive = (
        list(elements) if block["type"] == "actions" and isinstance(elements, list) else []
    )
    interactive += [
        block[key] for key in ("accessory", "element") if isinstance(block.get(key), dict)
    ]
    seen: set[str] = set()
    for element in interactive:
        if not isinstance(element, dict):
            continue
        if element.get("type") == "button" and len(_text_of(element.get("text"))) > MAX_BUTTON_TEXT:
            problems.append(
                f"[ERROR] must be less than {MAX_BUTTON_TEXT + 1} characters "
                f"[json-pointer:{where}/elements/text/text]"
            )
        action_id = element.get("action_id")
        if isinstance(action_id, str):
            if len(action_id) > MAX_ACTION_ID:
                problems.append(
                    f"[ERROR] must be less than {MAX_ACTION_ID + 1} characters "
                    f"[json-pointer:{where}/action_id]"
                )
            if action_id in seen:
                problems.append(
                    f"[ERROR] action_id must be unique in a block [json-pointer:{where}]"
                )
            seen.add(action_id)
    return problems


def _parse_multipart(content_type: str, body: bytes) -> JsonDict:
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    params: JsonDict = {}
    for part in message.walk():
        if part.is_multipart():
            continue
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        params[name] = data if part.get_filename() else data.decode("utf-8")
    return params


def _parse_body(content_type: str, body: bytes) -> JsonDict:
    """Form-encoded, JSON and multipart bodies, as slack_sdk sends them."""
    media_type = content_type.split(";")[0].strip().lower()
    if not body:
        return {}
    if media_type == "application/json":
        parsed = json.loads(body.decode("utf-8"))
        return parsed if isinstance(parsed, dict) else {}
    if media_type == "multipart/form-data":
        return _parse_multipart(content_type, body)
    return {k: v[-1] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}


# --------------------------------------------------------------------------------------------
# The fake


class FakeSlack:
    """One Slack workspace with its Web API served on 127.0.0.1.

    Build the workspace (``add_user``, ``add_channel``), ``start()`` it, and point a ``WebClient``
    at :attr:`base_url`. Inspect what the app did through ``messages``, ``views``, ``calls`` and
    the query helpers; wait for the app's background work with :meth:`wait_until`.

    ``clock`` (seconds since the epoch) stamps message ``ts`` values, so the sandbox's manual clock
    shows in message times; trigger ids and response URLs expire in wall time regardless, as the
    real ones do.
    """

    def __init__(
        self,
        *,
        team_id: str = "T0SANDBOX",
        team_name: str = "Acme",
        bot_token: str = "xoxb-sandbox-token",
        bot_user_id: str = "U0LIAISON",
        signing_secret: str = "sandbox-signing-secret",
        app_id: str = "A0LIAISON",
        bot_name: str = "liaison",
        verification_token: str = "sandbox-verification-token",
        trigger_ttl: float = 3.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = re.sub(r"[^a-z0-9-]", "", team_name.lower()) or "sandbox"
        self.bot_token = bot_token
        self.bot_user_id = bot_user_id
        self.bot_id = "B" + bot_user_id[1:]
        self.bot_name = bot_name
        self.signing_secret = signing_secret
        self.app_id = app_id
        # Slack still puts the deprecated verification token in every request body.
        self.verification_token = verification_token
        # Seconds of wall time a trigger id stays valid (Slack: 3); tests on slow machines raise it.
        self.trigger_ttl = trigger_ttl
        self.response_url_max_uses = RESPONSE_URL_MAX_USES
        self.response_url_ttl = float(RESPONSE_URL_TTL_SECONDS)
        self._clock = clock

        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._depth = 0
        self._pending: list[FakeMessage] = []
        self._listeners: list[Callable[[FakeMessage], None]] = []

        self.users: dict[str, FakeUser] = {}
        self.channels: dict[str, FakeChannel] = {}
        self.messages: list[FakeMessage] = []
        self.views: dict[str, FakeView] = {}
        self.home_views: dict[str, JsonDict] = {}
        self.calls: list[RecordedCall] = []

        self._stacks: dict[str, list[str]] = {}  # user id -> open modal ids, bottom to top
        self._failures: dict[str, list[_Failure]] = {}
        self._triggers: dict[str, _Trigger] = {}
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._files: dict[str, _File] = {}
        self._seq = 0
        self._message_number = 0
        self._last_ts_us = 0

        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

        self.users[bot_user_id] = FakeUser(
            id=bot_user_id, name=bot_name, real_name=bot_name.title(), tz="UTC", is_bot=True
        )
        self._methods: dict[str, Callable[[JsonDict], JsonDict]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.open": self._conversations_open,
            "conversations.info": self._conversations_info,
            "conversations.list": self._conversations_list,
            "conversations.members": self._conversations_members,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "users.lookupByEmail": self._users_lookup_by_email,
            "reactions.add": self._reactions_add,
            "reactions.remove": self._reactions_remove,
            "reactions.get": self._reactions_get,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "files.completeUploadExternal": self._files_complete_upload_external,
        }

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> FakeSlack:
        """Serve on 127.0.0.1 on a free port, in a daemon thread."""
        if self._server is not None:
            return self
        self._server = _Server(self)
        # A short poll interval keeps stop() (and so each test's teardown) quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="fake-slack",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The server root, e.g. ``http://127.0.0.1:54321/``."""
        if self._server is None:
            raise RuntimeError("FakeSlack is not started; call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/"

    @property
    def base_url(self) -> str:
        """The Web API base URL to give ``WebClient(base_url=...)``."""
        return self.url + "api/"

    # ---------------------------------------------------------------- locking and notification

    @contextmanager
    def _state(self) -> Iterator[None]:
        """Hold the lock; on leaving the outermost scope wake waiters and tell listeners.

        Listeners run after the lock is released, so a listener that reads the fake from another
        thread (the sandbox's printer) cannot deadlock against the server.
        """
        with self._changed:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                pending: list[FakeMessage] = []
                if self._depth == 0:
                    pending, self._pending = self._pending, []
                    self._changed.notify_all()
        for message in pending:
            for listener in list(self._listeners):
                try:
                    listener(message)
                except Exception:
                    logger.exception("A FakeSlack message listener failed")

    def _touched(self, message: FakeMessage) -> None:
        self._pending.append(copy.deepcopy(message))

    def add_listener(self, callback: Callable[[FakeMessage], None]) -> None:
        """Call ``callback`` with a copy of each new, updated or deleted message."""
        with self._lock:
            self._listeners.append(callback)

    def wait_until(self, predicate: Callable[[], bool], *, timeout: float = 5.0) -> None:
        """Block until ``predicate()`` holds (checked on every state change) or fail.

        Bolt runs listeners after the ack in worker threads, so a test that sends a request and
        then asserts must wait for that work rather than sleep.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"FakeSlack: condition not met within {timeout} s")
                self._changed.wait(remaining)

    # ---------------------------------------------------------------- building the workspace

    def add_user(
        self,
        *,
        id: str,
        name: str,
        real_name: str | None = None,
        tz: str = "UTC",
        is_admin: bool = False,
        deleted: bool = False,
        email: str | None = None,
        is_bot: bool = False,
        team_id: str | None = None,
    ) -> FakeUser:
        user = FakeUser(
            id=id,
            name=name,
            real_name=real_name if real_name is not None else name.title(),
            tz=tz,
            is_admin=is_admin,
            deleted=deleted,
            email=email,
            is_bot=is_bot,
            team_id=team_id,
        )
        with self._state():
            self.users[id] = user
        return user

    def add_channel(
        self,
        *,
        id: str,
        name: str,
        members: list[str] | None = None,
        is_private: bool = False,
        is_archived: bool = False,
    ) -> FakeChannel:
        channel = FakeChannel(
            id=id,
            name=name.lstrip("#"),
            is_private=is_private,
            is_archived=is_archived,
            members=list(members or []),
        )
        with self._state():
            self.channels[id] = channel
        return channel

    def im_channel(self, user_id: str) -> FakeChannel:
        """The bot's DM with ``user_id`` (made on first use): ``"D"`` + the user id's tail."""
        with self._state():
            channel_id = "D" + user_id[1:]
            channel = self.channels.get(channel_id)
            if channel is None:
                channel = FakeChannel(
                    id=channel_id,
                    name=user_id,
                    is_im=True,
                    user=user_id,
                    members=[user_id, self.bot_user_id],
                )
                self.channels[channel_id] = channel
            return channel

    # ---------------------------------------------------------------- queries

    def channel_by_name(self, name: str) -> FakeChannel:
        """A channel by ``"#partnerships"`` or ``"partnerships"``; KeyError if there is none."""
        wanted = name.lstrip("#")
        with self._lock:
            for channel in self.channels.values():
                if not channel.is_im and channel.name == wanted:
                    return channel
        raise KeyError(f"no channel named #{wanted}")

    def user_by_name(self, name: str) -> FakeUser:
        """A user by handle (``"ana"`` or ``"@ana"``); KeyError if there is none."""
        wanted = name.lstrip("@")
        with self._lock:
            for user in self.users.values():
                if user.name == wanted:
                    return user
        raise KeyError(f"no user named @{wanted}")

    def find_message(self, channel_id: str, ts: str) -> FakeMessage | None:
        with self._lock:
            for message in self.messages:
                if message.channel == channel_id and message.ts == ts:
                    return message
        return None

    def message_by_number(self, number: int) -> FakeMessage:
        with self._lock:
            for message in self.messages:
                if message.number == number:
                    return message
        raise KeyError(f"no message number {number}")

    def messages_in(
        self, channel_id: str, *, include_ephemeral_for: str | None = None
    ) -> list[FakeMessage]:
        """Messages in a channel (thread replies included), in order; ephemerals only if asked."""
        with self._lock:
            return [
                m
                for m in self.messages
                if m.channel == channel_id
                and (m.ephemeral_to is None or m.ephemeral_to == include_ephemeral_for)
            ]

    def dm_messages(self, user_id: str) -> list[FakeMessage]:
        """What reached this person privately: their DM with the bot, plus ephemerals to them."""
        dm_id = "D" + user_id[1:]
        with self._lock:
            return [
                m
                for m in self.messages
                if m.ephemeral_to == user_id or (m.channel == dm_id and m.ephemeral_to is None)
            ]

    def thread(self, message: FakeMessage) -> list[FakeMessage]:
        """Replies in the thread under ``message`` (not including it)."""
        root = message.thread_ts or message.ts
        with self._lock:
            return [
                m
                for m in self.messages
                if m.channel == message.channel and m.thread_ts == root and m.ts != root
            ]

    def calls_to(self, method: str) -> list[RecordedCall]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def open_modals(self, user_id: str) -> list[FakeView]:
        """The user's modal stack, bottom to top (empty when no modal is open)."""
        with self._lock:
            return [self.views[view_id] for view_id in self._stacks.get(user_id, [])]

    def dismiss_modals(self, user_id: str) -> None:
        """The person closes their modals with the ✕ (the app is told only with notify_on_close,
        which Liaison does not ask for)."""
        with self._state():
            self._close_stack(user_id)

    def file_content(self, file_id: str) -> bytes:
        with self._lock:
            content = self._files[file_id].content
        if content is None:
            raise KeyError(f"file {file_id} was never uploaded")
        return content

    # ---------------------------------------------------------------- test and sandbox controls

    def fail_next(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | str | None = None,
        times: int = 1,
        drop: bool = False,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail (``"response_url"``: the next posts
        to any response_url).

        - ``drop=True``: the connection is closed without an answer, as when Slack cannot be
          reached (the client raises a connection error; slack_sdk retries one such by default).

        - ``status=429``: HTTP 429, ``Retry-After`` (default 1 s; a string goes as it is, such
          as an HTTP date), ``{"ok": false, "error": "ratelimited"}`` — what slack_sdk's
          RateLimitErrorRetryHandler expects.
        - ``status>=500``: that status with an HTML body, as Slack's edge answers when it is down.
        - otherwise: that status (normally 200) with ``{"ok": false, "error": error}``.
        """
        if status == 200 and error is None and not drop:
            raise ValueError("fail_next with status 200 needs an error code")
        with self._state():
            self._failures.setdefault(method, []).append(
                _Failure(
                    status=status,
                    error=error,
                    retry_after=retry_after,
                    remaining=times,
                    drop=drop,
                )
            )

    def stop_failing(self, method: str) -> None:
        """Drop the failures still queued for ``method``: Slack is back after an outage."""
        with self._state():
            self._failures.pop(method, None)

    def issue_trigger_id(self, user_id: str) -> str:
        """A trigger id for ``user_id``: valid once, for ``trigger_ttl`` seconds of wall time."""
        with self._state():
            seq = self._next_seq()
            trigger_id = f"{seq}.{int(time.time())}.{secrets.token_hex(16)}"
            self._triggers[trigger_id] = _Trigger(user_id=user_id, issued=time.monotonic())
            return trigger_id

    def new_response_url(
        self, *, channel_id: str, user_id: str, message_ts: str | None = None
    ) -> str:
        """A response_url on this server tied to a person in a channel.

        ``message_ts`` names the message the interaction came from; ``replace_original`` and
        ``delete_original`` act on it.
        """
        token = secrets.token_hex(12)
        with self._state():
            self._response_urls[token] = _ResponseUrl(
                channel_id=channel_id,
                user_id=user_id,
                message_ts=message_ts,
                created=time.monotonic(),
            )
        return f"{self.url}response/{token}"

    def post_user_message(
        self,
        *,
        user_id: str,
        channel_id: str,
        text: str,
        thread_ts: str | None = None,
        files: list[JsonDict] | None = None,
    ) -> FakeMessage:
        """A person writes in a channel (the sandbox and scenario tests use this), maybe sharing
        `files` with the words (Slack's `file_share` message)."""
        with self._state():
            return self._add_message(
                channel=channel_id,
                user=user_id,
                text=text,
                blocks=[],
                thread_ts=thread_ts,
                files=files,
            )

    def react(self, user_id: str, message: FakeMessage, name: str) -> JsonDict:
        """A person adds a reaction; returns the ``reaction_added`` event Slack would send.

        Raises ValueError when Slack would send nothing (already reacted, ephemeral message).
        """
        name = name.strip(":")
        with self._state():
            target = self._live(message)
            users = target.reactions.setdefault(name, [])
            if user_id in users:
                raise ValueError(f"{user_id} already reacted :{name}: to message {target.number}")
            users.append(user_id)
            self._touched(target)
            return self.reaction_event("reaction_added", user_id=user_id, message=target, name=name)

    def unreact(self, user_id: str, message: FakeMessage, name: str) -> JsonDict:
        """A person removes a reaction; returns the ``reaction_removed`` event Slack would send."""
        name = name.strip(":")
        with self._state():
            target = self._live(message)
            users = target.reactions.get(name, [])
            if user_id not in users:
                raise ValueError(f"{user_id} has no :{name}: on message {target.number}")
            users.remove(user_id)
            if not users:
                del target.reactions[name]
            self._touched(target)
            return self.reaction_event(
                "reaction_removed", user_id=user_id, message=target, name=name
            )

    def reaction_event(
        self,
        kind: Literal["reaction_added", "reaction_removed"],
        *,
        user_id: str,
        message: FakeMessage,
        name: str,
    ) -> JsonDict:
        """The inner event for a reaction change (pure: changes no state)."""
        return {
            "type": kind,
            "user": user_id,
            "reaction": name.strip(":"),
            "item_user": message.user,
            "item": {"type": "message", "channel": message.channel, "ts": message.ts},
            "event_ts": self.next_event_ts(),
        }

    def next_event_ts(self) -> str:
        """A fresh ts from the workspace clock, strictly after every earlier one."""
        with self._lock:
            return self._next_ts()

    def _live(self, message: FakeMessage) -> FakeMessage:
        target = self.find_message(message.channel, message.ts)
        if target is None:
            raise ValueError(f"message {message.ts} in {message.channel} no longer exists")
        if target.ephemeral_to is not None:
            raise ValueError("ephemeral messages cannot carry reactions")
        return target

    # ---------------------------------------------------------------- JSON shapes

    def user_json(self, user: FakeUser) -> JsonDict:
        try:
            zone = ZoneInfo(user.tz or "UTC")
        except ZoneInfoNotFoundError:
            zone = ZoneInfo("UTC")
        now = datetime.fromtimestamp(self._clock(), UTC).astimezone(zone)
        offset = now.utcoffset()
        team_id = user.team_id or self.team_id
        return {
            "id": user.id,
            "team_id": team_id,
            "name": user.name,
            "deleted": user.deleted,
            "real_name": user.real_name,
            "tz": user.tz or None,  # "": a user Slack knows no zone of
            "tz_label": now.tzname() or user.tz,
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "profile": {
                "real_name": user.real_name,
                "real_name_normalized": user.real_name,
                "display_name": user.name,
                "display_name_normalized": user.name,
                "team": team_id,
                **({"email": user.email} if user.email else {}),
            },
            "is_admin": user.is_admin,
            "is_owner": False,
            "is_bot": user.is_bot,
            "is_app_user": False,
            "updated": int(self._clock()),
            **(
                {"enterprise_user": {"teams": [team_id, *user.grid_teams]}}
                if user.grid_teams
                else {}
            ),
        }

    def channel_json(self, channel: FakeChannel) -> JsonDict:
        if channel.is_im:
            user = self.users.get(channel.user or "")
            return {
                "id": channel.id,
                "created": 0,
                "is_im": True,
                "is_org_shared": False,
                "user": channel.user,
                "is_user_deleted": bool(user and user.deleted),
                "priority": 0,
            }
        return {
            "id": channel.id,
            "name": channel.name,
            "is_channel": not channel.is_private,
            "is_group": channel.is_private,
            "is_im": False,
            "is_mpim": False,
            "is_private": channel.is_private,
            "is_archived": channel.is_archived,
            "is_general": channel.name == "general",
            "is_member": self.bot_user_id in channel.members,
            "created": 0,
            "name_normalized": channel.name,
            "num_members": len(channel.members),
        }

    def message_json(self, message: FakeMessage) -> JsonDict:
        """A message as Slack returns it from the Web API and in interaction payloads."""
        body: JsonDict = {
            "type": "message",
            "user": message.user,
            "text": message.text,
            "ts": message.ts,
            "team": self.team_id,
        }
        if message.blocks:
            body["blocks"] = copy.deepcopy(message.blocks)
        if message.user == self.bot_user_id:
            body["bot_id"] = self.bot_id
            body["app_id"] = self.app_id
        if message.thread_ts is not None:
            body["thread_ts"] = message.thread_ts
        if message.thread_ts == message.ts:
            replies = self.thread(message)
            body["reply_count"] = len(replies)
            body["latest_reply"] = replies[-1].ts if replies else message.ts
        if message.reactions:
            body["reactions"] = [
                {"name": name, "users": list(users), "count": len(users)}
                for name, users in message.reactions.items()
            ]
        if message.edited:
            body["edited"] = {"user": message.user, "ts": message.ts}
        if message.files:
            body["files"] = copy.deepcopy(message.files)
            body["upload"] = False
        return body

    # ---------------------------------------------------------------- state changes

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _next_ts(self) -> str:
        # Slack ts values are "seconds.micros" and unique per channel; keep them strictly
        # increasing across the workspace even when the (manual) clock stands still.
        micros = max(int(self._clock() * 1_000_000), self._last_ts_us + 1)
        self._last_ts_us = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _add_message(
        self,
        *,
        channel: str,
        user: str,
        text: str,
        blocks: list[JsonDict],
        thread_ts: str | None = None,
        ephemeral_to: str | None = None,
        files: list[JsonDict] | None = None,
    ) -> FakeMessage:
        self._message_number += 1
        message = FakeMessage(
            channel=channel,
            ts=self._next_ts(),
            user=user,
            text=text,
            blocks=copy.deepcopy(blocks),
            thread_ts=thread_ts,
            ephemeral_to=ephemeral_to,
            number=self._message_number,
            files=files or [],
        )
        self.messages.append(message)
        if thread_ts is not None:
            parent = self.find_message(channel, thread_ts)
            if parent is not None and parent.thread_ts is None:
                # Slack marks the parent as a thread root once it has a reply.
                parent.thread_ts = parent.ts
        self._touched(message)
        return message

    def _edit_message(self, message: FakeMessage, *, text: str | None, blocks: Any) -> None:
        if text is not None:
            message.text = text
        if blocks is not None:
            message.blocks = copy.deepcopy(blocks)
        message.edited = True
        self._touched(message)

    def _delete_message(self, message: FakeMessage) -> None:
        self.messages.remove(message)
        message.deleted = True
        self._touched(message)

    # ---------------------------------------------------------------- HTTP entry points

    def _handle_http(self, *, path: str, query: str, headers: Message, body: bytes) -> _Reply:
        try:
            if path.startswith("/api/"):
                params: JsonDict = {k: v[-1] for k, v in parse_qs(query).items()}
                params.update(_parse_body(headers.get("Content-Type", ""), body))
                return self._api(path[len("/api/") :], params, headers.get("Authorization"))
            if path.startswith("/upload/v1/"):
                return self._upload(path[len("/upload/v1/") :], headers, body)
            if path.startswith("/response/"):
                return self._respond(path[len("/response/") :], body)
        except ValueError:
            logger.exception("FakeSlack could not parse a request to %s", path)
            return _json_reply(400, {"ok": False, "error": "invalid_form_data"})
        return _Reply(404, {"Content-Type": "text/plain"}, b"Not Found")

    def _api(self, method: str, params: JsonDict, authorization: str | None) -> _Reply:
        token = params.pop("token", None)
        if authorization and authorization.startswith("Bearer "):
            token = authorization[len("Bearer ") :]
        if not token:
            return _json_reply(200, {"ok": False, "error": "not_authed"})
        if token != self.bot_token:
            return _json_reply(200, {"ok": False, "error": "invalid_auth"})
        for key in _JSON_PARAMS & params.keys():
            if isinstance(params[key], str):
                try:
                    params[key] = json.loads(params[key])
                except ValueError:
                    pass  # left as a string; the method answers invalid_* for it
        with self._state():
            reply, recorded = self._api_locked(method, params)
            self.calls.append(RecordedCall(method, copy.deepcopy(params), reply.status, recorded))
        return reply

    def _api_locked(self, method: str, params: JsonDict) -> tuple[_Reply, JsonDict]:
        failure = self._take_failure(method)
        if failure is not None:
            return _failed(failure)
        handler = self._methods.get(method)
        if handler is None:
            body = {"ok": False, "error": "unknown_method", "req_method": method}
            return _json_reply(404, body), body
        try:
            body = {"ok": True, **handler(params)}
        except _ApiError as error:
            body = error.to_json()
        return _json_reply(200, body), body

    def _take_failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.remaining -= 1
        if failure.remaining <= 0:
            queue.pop(0)
        return failure

    # ---------------------------------------------------------------- resolution helpers

    def _channel_param(self, ref: str | None) -> FakeChannel:
        """Resolve a channel id, ``#name``, bare name, or a user id (→ the bot's DM with them)."""
        if not ref:
            raise _ApiError("channel_not_found")
        if ref in self.channels:
            return self.channels[ref]
        if re.fullmatch(r"[UW][A-Z0-9]+", ref):
            user = self.users.get(ref)
            # Decision: Slack has no dedicated chat.postMessage error for a deactivated person;
            # the DM cannot be opened, which surfaces as channel_not_found.
            if user is None or user.deleted or user.is_bot:
                raise _ApiError("channel_not_found")
            return self.im_channel(ref)
        try:
            return self.channel_by_name(ref)
        except KeyError:
            raise _ApiError("channel_not_found") from None

    def _message_param(self, channel_id: str | None, ts: str | None) -> FakeMessage:
        channel = self._channel_param(channel_id)
        message = self.find_message(channel.id, ts or "")
        if message is None or message.ephemeral_to is not None:
            raise _ApiError("message_not_found")
        return message

    def _user_param(self, user_id: str | None) -> FakeUser:
        user = self.users.get(user_id or "")
        if user is None:
            raise _ApiError("user_not_found")
        return user

    def _blocks_param(self, params: JsonDict) -> list[JsonDict] | None:
        if "blocks" not in params or params["blocks"] in (None, ""):
            return None
        blocks = params["blocks"]
        if isinstance(blocks, str):
            raise _ApiError("invalid_blocks_format")
        problems = _block_problems(blocks, pointer="/blocks", limit=MAX_MESSAGE_BLOCKS)
        if problems:
            raise _ApiError("invalid_blocks", *problems)
        return list(blocks)

    def _thread_param(self, channel: FakeChannel, thread_ts: str | None) -> str | None:
        if thread_ts is None:
            return None
        parent = self.find_message(channel.id, thread_ts)
        if parent is None or parent.ephemeral_to is not None:
            # Decision: real Slack may accept an unknown thread_ts and lose the reply from view;
            # the fake refuses so the bug shows up in tests.
            raise _ApiError("invalid_thread_ts")
        # Replying to a reply lands in the parent's thread, as in Slack.
        return parent.thread_ts or parent.ts

    # ---------------------------------------------------------------- auth, chat

    def _auth_test(self, params: JsonDict) -> JsonDict:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _message_content(self, params: JsonDict) -> tuple[str, list[JsonDict]]:
        text = _opt_str(params, "text") or ""
        blocks = self._blocks_param(params) or []
        attachments = params.get("attachments")
        if not text and not blocks and not attachments:
            raise _ApiError("no_text")
        return text, blocks

    def _chat_post_message(self, params: JsonDict) -> JsonDict:
        channel = self._channel_param(_opt_str(params, "channel"))
        if channel.is_archived:
            raise _ApiError("is_archived")
        text, blocks = self._message_content(params)
        thread_ts = self._thread_param(channel, _opt_str(params, "thread_ts"))
        message = self._add_message(
            channel=channel.id,
            user=self.bot_user_id,
            text=text,
            blocks=blocks,
            thread_ts=thread_ts,
        )
        return {"channel": channel.id, "ts": message.ts, "message": self.message_json(message)}

    def _chat_post_ephemeral(self, params: JsonDict) -> JsonDict:
        channel = self._channel_param(_opt_str(params, "channel"))
        if channel.is_archived:
            raise _ApiError("is_archived")
        user = self._user_param(_opt_str(params, "user"))
        if user.deleted:
            raise _ApiError("user_not_in_channel")
        text, blocks = self._message_content(params)
        thread_ts = self._thread_param(channel, _opt_str(params, "thread_ts"))
        message = self._add_message(
            channel=channel.id,
            user=self.bot_user_id,
            text=text,
            blocks=blocks,
            thread_ts=thread_ts,
            ephemeral_to=user.id,
        )
        return {"message_ts": message.ts}

    def _chat_update(self, params: JsonDict) -> JsonDict:
        message = self._message_param(_opt_str(params, "channel"), _opt_str(params, "ts"))
        if message.user != self.bot_user_id:
            raise _ApiError("cant_update_message")
        # Slack keeps what the update leaves out: blocks survive a text-only update.
        text = params.get("text")
        blocks = self._blocks_param(params)
        if text is None and blocks is None and not params.get("attachments"):
            raise _ApiError("no_text")
        self._edit_message(message, text=None if text is None else str(text), blocks=blocks)
        return {
            "channel": message.channel,
            "ts": message.ts,
            "text": message.text,
            "message": self.message_json(message),
        }

    def _chat_delete(self, params: JsonDict) -> JsonDict:
        message = self._message_param(_opt_str(params, "channel"), _opt_str(params, "ts"))
        if message.user != self.bot_user_id:
            raise _ApiError("cant_delete_message")
        self._delete_message(message)
        return {"channel": message.channel, "ts": message.ts}

    def _chat_get_permalink(self, params: JsonDict) -> JsonDict:
        message = self._message_param(_opt_str(params, "channel"), _opt_str(params, "message_ts"))
        link = (
            f"https://{self.team_domain}.slack.com/archives/{message.channel}"
            f"/p{message.ts.replace('.', '')}"
        )
        if message.thread_ts is not None and message.thread_ts != message.ts:
            link += f"?thread_ts={message.thread_ts}&cid={message.channel}"
        return {"channel": message.channel, "permalink": link}

    # ---------------------------------------------------------------- conversations, users

    def _conversations_open(self, params: JsonDict) -> JsonDict:
        channel_id = _opt_str(params, "channel")
        if channel_id is not None:
            channel = self.channels.get(channel_id)
            if channel is None or not channel.is_im:
                raise _ApiError("channel_not_found")
            return {"channel": self.channel_json(channel), "no_op": True, "already_open": True}
        users = [u for u in (_opt_str(params, "users") or "").split(",") if u.strip()]
        if not users:
            raise _ApiError("users_list_not_supplied")
        if len(users) > 1:
            raise _ApiError("invalid_arguments", "the fake Slack opens 1:1 DMs only")
        user = self._user_param(users[0].strip())
        if user.deleted:
            raise _ApiError("user_disabled")
        if user.is_bot:
            raise _ApiError("cannot_dm_bot")
        existed = ("D" + user.id[1:]) in self.channels
        channel = self.im_channel(user.id)
        body: JsonDict = {"channel": {"id": channel.id}}
        if _flag(params.get("return_im")):
            body["channel"] = self.channel_json(channel)
        if existed:
            body.update(no_op=True, already_open=True)
        return body

    def _conversations_info(self, params: JsonDict) -> JsonDict:
        channel = self.channels.get(_opt_str(params, "channel") or "")
        if channel is None:
            raise _ApiError("channel_not_found")
        return {"channel": self.channel_json(channel)}

    def _conversations_list(self, params: JsonDict) -> JsonDict:
        types = (_opt_str(params, "types") or "public_channel").split(",")
        exclude_archived = _flag(params.get("exclude_archived"))
        wanted = []
        for channel in self.channels.values():
            kind = (
                "im"
                if channel.is_im
                else "private_channel"
                if channel.is_private
                else "public_channel"
            )
            if kind in types and not (exclude_archived and channel.is_archived):
                wanted.append(self.channel_json(channel))
        return {"channels": wanted, "response_metadata": {"next_cursor": ""}}

    def _conversations_members(self, params: JsonDict) -> JsonDict:
        channel = self.channels.get(_opt_str(params, "channel") or "")
        if channel is None:
            raise _ApiError("channel_not_found")
        return {"members": list(channel.members), "response_metadata": {"next_cursor": ""}}

    def _conversations_history(self, params: JsonDict) -> JsonDict:
        channel = self.channels.get(_opt_str(params, "channel") or "")
        if channel is None:
            raise _ApiError("channel_not_found")
        limit = int(params.get("limit") or 100)
        top_level = [
            self.message_json(m)
            for m in reversed(self.messages)  # newest first, as Slack returns them
            if m.channel == channel.id
            and m.ephemeral_to is None
            and (m.thread_ts is None or m.thread_ts == m.ts)
        ]
        return {
            "messages": top_level[:limit],
            "has_more": len(top_level) > limit,
            "response_metadata": {"next_cursor": ""},
        }

    def _conversations_replies(self, params: JsonDict) -> JsonDict:
        channel = self.channels.get(_opt_str(params, "channel") or "")
        if channel is None:
            raise _ApiError("channel_not_found")
        parent = self.find_message(channel.id, _opt_str(params, "ts") or "")
        if parent is None or parent.ephemeral_to is not None:
            raise _ApiError("thread_not_found")
        root = parent.thread_ts or parent.ts
        root_message = self.find_message(channel.id, root) or parent
        replies = [root_message, *self.thread(root_message)]
        return {
            "messages": [self.message_json(m) for m in replies],
            "has_more": False,
            "response_metadata": {"next_cursor": ""},
        }

    def _users_info(self, params: JsonDict) -> JsonDict:
        return {"user": self.user_json(self._user_param(_opt_str(params, "user")))}

    def _users_lookup_by_email(self, params: JsonDict) -> JsonDict:
        email = (_opt_str(params, "email") or "").strip().lower()
        for user in self.users.values():
            if user.email and user.email.lower() == email and not user.is_bot:
                return {"user": self.user_json(user)}
        raise _ApiError("users_not_found")

    def _users_list(self, params: JsonDict) -> JsonDict:
        return {
            "members": [self.user_json(u) for u in self.users.values() if u.team_id is None],
            "cache_ts": int(self._clock()),
            "response_metadata": {"next_cursor": ""},
        }

    # ---------------------------------------------------------------- reactions

    def _reaction_target(self, params: JsonDict) -> tuple[FakeMessage, str]:
        name = (_opt_str(params, "name") or "").strip(":")
        if not name:
            raise _ApiError("invalid_name")
        ts = _opt_str(params, "timestamp")
        if ts is None:
            raise _ApiError("no_item_specified")
        return self._message_param(_opt_str(params, "channel"), ts), name

    def _reactions_add(self, params: JsonDict) -> JsonDict:
        message, name = self._reaction_target(params)
        users = message.reactions.setdefault(name, [])
        if self.bot_user_id in users:
            raise _ApiError("already_reacted")
        users.append(self.bot_user_id)
        self._touched(message)
        return {}

    def _reactions_remove(self, params: JsonDict) -> JsonDict:
        message, name = self._reaction_target(params)
        users = message.reactions.get(name, [])
        if self.bot_user_id not in users:
            raise _ApiError("no_reaction")
        users.remove(self.bot_user_id)
        if not users:
            del message.reactions[name]
        self._touched(message)
        return {}

    def _reactions_get(self, params: JsonDict) -> JsonDict:
        message = self._message_param(_opt_str(params, "channel"), _opt_str(params, "timestamp"))
        return {
            "type": "message",
            "channel": message.channel,
            "message": self.message_json(message),
        }

    # ---------------------------------------------------------------- views

    def _exchange_trigger(self, trigger_id: str | None) -> str:
        """Spend a trigger id; return its user. Errors as documented for views.open/push."""
        trigger = self._triggers.get(trigger_id or "")
        if trigger is None:
            raise _ApiError("invalid_trigger_id")
        if trigger.used:
            raise _ApiError("exchanged_trigger_id")
        if time.monotonic() - trigger.issued > self.trigger_ttl:
            raise _ApiError("expired_trigger_id")
        trigger.used = True
        return trigger.user_id

    def _view_param(self, params: JsonDict, *, kind: Literal["modal", "home"]) -> JsonDict:
        view = params.get("view")
        if not isinstance(view, dict):
            raise _ApiError("invalid_arguments", "[ERROR] failed to match all allowed schemas")
        self._check_view(view, kind=kind)
        return view

    def _check_view(self, view: JsonDict, *, kind: Literal["modal", "home"]) -> None:
        if view.get("type") != kind:
            raise _ApiError(
                "invalid_arguments", f"[ERROR] must be '{kind}' [json-pointer:/view/type]"
            )
        problems = _block_problems(
            view.get("blocks", []), pointer="/view/blocks", limit=MAX_VIEW_BLOCKS
        )
        if kind == "modal":
            if not _text_of(view.get("title")):
                problems.append("[ERROR] missing required field: title [json-pointer:/view]")
            for key in ("title", "submit", "close"):
                if len(_text_of(view.get(key))) > MAX_VIEW_TITLE:
                    problems.append(
                        f"[ERROR] must be less than {MAX_VIEW_TITLE + 1} characters "
                        f"[json-pointer:/view/{key}/text]"
                    )
        if len(str(view.get("private_metadata") or "")) > MAX_PRIVATE_METADATA:
            problems.append(
                f"[ERROR] must be less than {MAX_PRIVATE_METADATA + 1} characters "
                "[json-pointer:/view/private_metadata]"
            )
        if problems:
            raise _ApiError("invalid_arguments", *problems)

    def _external_id_free(self, external_id: str, *, except_id: str | None = None) -> None:
        for fake_view in self.views.values():
            if fake_view.id != except_id and fake_view.view.get("external_id") == external_id:
                raise _ApiError("duplicate_external_id")

    def _new_hash(self) -> str:
        return f"{int(time.time())}.{secrets.token_hex(4)}"

    def _full_view(
        self,
        view: JsonDict,
        *,
        view_id: str,
        root_id: str,
        previous_id: str | None,
    ) -> JsonDict:
        """The view object as Slack returns it: the app's view plus Slack's bookkeeping."""
        return {
            "id": view_id,
            "team_id": self.team_id,
            "type": view["type"],
            "title": view.get("title"),
            "submit": view.get("submit"),
            "close": view.get("close"),
            "blocks": copy.deepcopy(view.get("blocks", [])),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
            "state": {"values": {}},
            "hash": self._new_hash(),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "root_view_id": root_id,
            "previous_view_id": previous_id,
            "app_id": self.app_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }

    def _open_modal(
        self, user_id: str, view: JsonDict, *, trigger_id: str | None, push: bool
    ) -> FakeView:
        stack = self._stacks.get(user_id, []) if push else []
        if not push:
            self._close_stack(user_id)
        if view.get("external_id"):
            self._external_id_free(str(view["external_id"]))
        view_id = f"V{self._next_seq():08d}"
        full = self._full_view(
            view,
            view_id=view_id,
            root_id=stack[0] if stack else view_id,
            previous_id=stack[-1] if stack else None,
        )
        fake_view = FakeView(
            id=view_id, user=user_id, view=full, trigger_id=trigger_id, kind="modal"
        )
        self.views[view_id] = fake_view
        self._stacks[user_id] = [*stack, view_id]
        return fake_view

    def _replace_view(self, fake_view: FakeView, view: JsonDict) -> None:
        old = fake_view.view
        full = self._full_view(
            view,
            view_id=fake_view.id,
            root_id=old["root_view_id"],
            previous_id=old["previous_view_id"],
        )
        if not full["external_id"]:
            # Decision: an update that leaves external_id out keeps the view's, so the app can
            # keep addressing it by that id.
            full["external_id"] = old.get("external_id", "")
        fake_view.view = full
        fake_view.errors = None

    def _close_view(self, fake_view: FakeView) -> None:
        self.views.pop(fake_view.id, None)
        stack = self._stacks.get(fake_view.user, [])
        if fake_view.id in stack:
            stack.remove(fake_view.id)
        if not stack:
            self._stacks.pop(fake_view.user, None)

    def _close_stack(self, user_id: str) -> None:
        for view_id in self._stacks.pop(user_id, []):
            self.views.pop(view_id, None)

    def _views_open(self, params: JsonDict) -> JsonDict:
        trigger_id = _opt_str(params, "trigger_id")
        user_id = self._exchange_trigger(trigger_id)
        view = self._view_param(params, kind="modal")
        fake_view = self._open_modal(user_id, view, trigger_id=trigger_id, push=False)
        return {"view": copy.deepcopy(fake_view.view)}

    def _views_push(self, params: JsonDict) -> JsonDict:
        trigger_id = _opt_str(params, "trigger_id")
        user_id = self._exchange_trigger(trigger_id)
        view = self._view_param(params, kind="modal")
        stack = self._stacks.get(user_id, [])
        if not stack:
            raise _ApiError("invalid_arguments", "no open modal to push onto")
        if len(stack) >= MAX_MODAL_STACK:
            raise _ApiError("push_limit_reached")
        fake_view = self._open_modal(user_id, view, trigger_id=trigger_id, push=True)
        return {"view": copy.deepcopy(fake_view.view)}

    def _views_update(self, params: JsonDict) -> JsonDict:
        view_id = _opt_str(params, "view_id")
        external_id = _opt_str(params, "external_id")
        if view_id is None and external_id is None:
            raise _ApiError("invalid_arguments", "either view_id or external_id is required")
        target = next(
            (
                v
                for v in self.views.values()
                if v.id == view_id
                or (external_id is not None and v.view.get("external_id") == external_id)
            ),
            None,
        )
        if target is None:
            raise _ApiError("not_found")
        view = self._view_param(params, kind=target.kind)
        expected_hash = _opt_str(params, "hash")
        if expected_hash is not None and expected_hash != target.view["hash"]:
            raise _ApiError("hash_conflict")
        if view.get("external_id"):
            self._external_id_free(str(view["external_id"]), except_id=target.id)
        self._replace_view(target, view)
        if target.kind == "home":
            self.home_views[target.user] = target.view
        return {"view": copy.deepcopy(target.view)}

    def _views_publish(self, params: JsonDict) -> JsonDict:
        user = self.users.get(_opt_str(params, "user_id") or "")
        if user is None or user.deleted or user.is_bot:
            raise _ApiError("invalid_arguments", "invalid `user_id`")
        view = self._view_param(params, kind="home")
        expected_hash = _opt_str(params, "hash")
        existing = next(
            (v for v in self.views.values() if v.kind == "home" and v.user == user.id), None
        )
        if existing is not None:
            if expected_hash is not None and expected_hash != existing.view["hash"]:
                raise _ApiError("hash_conflict")
            self._replace_view(existing, view)
            fake_view = existing
        else:
            view_id = f"V{self._next_seq():08d}"
            full = self._full_view(view, view_id=view_id, root_id=view_id, previous_id=None)
            fake_view = FakeView(id=view_id, user=user.id, view=full, trigger_id=None, kind="home")
            self.views[view_id] = fake_view
        self.home_views[user.id] = fake_view.view
        return {"view": copy.deepcopy(fake_view.view)}

    # ---------------------------------------------------------------- files

    def _files_get_upload_url_external(self, params: JsonDict) -> JsonDict:
        filename = _opt_str(params, "filename")
        length = _opt_str(params, "length")
        if filename is None or length is None or not length.isdigit():
            raise _ApiError("invalid_arguments", "filename and length are required")
        file_id = f"F{self._next_seq():08d}"
        self._files[file_id] = _File(
            id=file_id,
            filename=filename,
            length=int(length),
            alt_txt=_opt_str(params, "alt_txt"),
            created=int(self._clock()),
        )
        return {"upload_url": f"{self.url}upload/v1/{file_id}", "file_id": file_id}

    def _upload(self, file_id: str, headers: Message, body: bytes) -> _Reply:
        content_type = headers.get("Content-Type", "")
        if content_type.lower().startswith("multipart/form-data"):
            parts = _parse_multipart(content_type, body)
            body = next((v for v in parts.values() if isinstance(v, bytes)), b"")
        with self._state():
            upload = self._files.get(file_id)
            if upload is None:
                return _Reply(404, {"Content-Type": "text/plain"}, b"Not Found")
            upload.content = body
        return _Reply(200, {"Content-Type": "text/plain"}, f"OK - {len(body)}".encode())

    def _file_json(self, upload: _File, channels: list[str]) -> JsonDict:
        content = upload.content or b""
        extension = upload.filename.rsplit(".", 1)[-1].lower() if "." in upload.filename else ""
        return {
            "id": upload.id,
            "created": upload.created,
            "timestamp": upload.created,
            "name": upload.filename,
            "title": upload.title or upload.filename,
            "mimetype": "text/plain" if extension in {"txt", "csv", "md"} else "",
            "filetype": extension or "binary",
            "user": self.bot_user_id,
            "size": len(content),
            "alt_txt": upload.alt_txt,
            "url_private": f"{self.url}files/{upload.id}/{upload.filename}",
            "permalink": f"https://{self.team_domain}.slack.com/files/{self.bot_user_id}/{upload.id}",
            "channels": channels,
        }

    def _files_complete_upload_external(self, params: JsonDict) -> JsonDict:
        entries = params.get("files")
        if not isinstance(entries, list) or not entries:
            raise _ApiError("invalid_arguments", "files is required")
        uploads: list[_File] = []
        for entry in entries:
            upload = self._files.get(str(entry.get("id") if isinstance(entry, dict) else ""))
            if upload is None or upload.content is None:
                raise _ApiError("file_not_found")
            if isinstance(entry, dict) and entry.get("title"):
                upload.title = str(entry["title"])
            uploads.append(upload)
        targets = [c for c in (_opt_str(params, "channels") or "").split(",") if c]
        if channel_id := _opt_str(params, "channel_id"):
            targets.insert(0, channel_id)
        channels = [self._channel_param(ref) for ref in targets]
        for channel in channels:
            if channel.is_archived:
                raise _ApiError("is_archived")
        channel_ids = [c.id for c in channels]
        files = [self._file_json(upload, channel_ids) for upload in uploads]
        # Without a channel the file stays private to the bot, as in Slack.
        for channel in channels:
            self._add_message(
                channel=channel.id,
                user=self.bot_user_id,
                text=_opt_str(params, "initial_comment") or "",
                blocks=[],
                thread_ts=self._thread_param(channel, _opt_str(params, "thread_ts")),
                files=copy.deepcopy(files),
            )
        return {"files": files}

    # ---------------------------------------------------------------- response_url

    def _respond(self, token: str, body: bytes) -> _Reply:
        with self._state():
            failure = self._take_failure("response_url")
            if failure is not None:
                reply, answer = _failed(failure)
                self.calls.append(RecordedCall("response_url", {}, reply.status, answer))
                return reply
            target = self._response_urls.get(token)
            if target is None:
                return _json_reply(404, {"ok": False, "error": "invalid_url"})
            # Decision: Slack documents the limits (5 uses, 30 minutes) but not the error codes;
            # the fake answers 404 with these names.
            if time.monotonic() - target.created > self.response_url_ttl:
                return _json_reply(404, {"ok": False, "error": "expired_url"})
            if target.uses >= self.response_url_max_uses:
                return _json_reply(404, {"ok": False, "error": "used_url"})
            try:
                payload = json.loads(body.decode("utf-8") or "{}")
            except ValueError:
                return _json_reply(400, {"ok": False, "error": "invalid_payload"})
            if not isinstance(payload, dict):
                return _json_reply(400, {"ok": False, "error": "invalid_payload"})
            target.uses += 1
            try:
                status, answer = self._apply_response_url(target, payload)
            except _ApiError as error:
                status, answer = 400, error.to_json()
            self.calls.append(RecordedCall("response_url", payload, status, answer))
            return _json_reply(status, answer)

    def _apply_response_url(self, target: _ResponseUrl, payload: JsonDict) -> tuple[int, JsonDict]:
        original = (
            self.find_message(target.channel_id, target.message_ts) if target.message_ts else None
        )
        if _flag(payload.get("delete_original")):
            if original is not None:
                self._delete_message(original)
            return 200, {"ok": True}
        text = str(payload.get("text") or "")
        blocks = payload.get("blocks") or []
        problems = _block_problems(blocks, pointer="/blocks", limit=MAX_MESSAGE_BLOCKS)
        if problems:
            return 400, {"ok": False, "error": "invalid_blocks"}
        if not text and not blocks:
            return 400, {"ok": False, "error": "no_text"}
        if _flag(payload.get("replace_original")) and original is not None:
            self._edit_message(original, text=text, blocks=blocks)
            return 200, {"ok": True}
        in_channel = payload.get("response_type") == "in_channel"
        channel = self.channels.get(target.channel_id)
        thread_ts = payload.get("thread_ts") if in_channel else None
        message = self._add_message(
            channel=target.channel_id,
            user=self.bot_user_id,
            text=text,
            blocks=blocks,
            thread_ts=self._thread_param(channel, thread_ts) if channel and thread_ts else None,
            ephemeral_to=None if in_channel else target.user_id,
        )
        target.message_ts = message.ts
        return 200, {"ok": True}

    # ---------------------------------------------------------------- answers to Slack's requests

    def record_response(
        self,
        *,
        kind: Literal["command", "interactive", "event"],
        payload: JsonDict,
        status: int,
        body: str,
    ) -> None:
        """Apply the app's HTTP answer to a request the way Slack would.

        ``payload`` is the request as sent: the form fields of a command, the decoded ``payload``
        of an interaction, or the event envelope. A non-200 answer changes nothing (Slack shows
        the person an error and the view stays as it was). Event and block-action answers carry
        no meaning for Slack beyond the status.
        """
        if status != 200:
            return
        with self._state():
            if kind == "command":
                self._apply_command_answer(payload, body)
            elif kind == "interactive" and payload.get("type") == "view_submission":
                self._apply_view_submission_answer(payload, body)

    def _apply_command_answer(self, payload: JsonDict, body: str) -> None:
        if not body.strip():
            return  # an empty ack shows nothing
        try:
            answer = json.loads(body)
        except ValueError:
            answer = body  # a plain-text body is shown as an ephemeral message
        if isinstance(answer, dict):
            text = str(answer.get("text") or "")
            blocks = answer.get("blocks") or []
            in_channel = answer.get("response_type") == "in_channel"
        else:
            text, blocks, in_channel = str(answer), [], False
        if not text and not blocks:
            return
        user_id = str(payload.get("user_id"))
        channel_id = str(payload.get("channel_id"))
        if in_channel:
            # Slack shows the person's invocation in the channel above an in_channel answer.
            invocation = f"{payload.get('command', '')} {payload.get('text', '')}".strip()
            self._add_message(channel=channel_id, user=user_id, text=invocation, blocks=[])
        message = self._add_message(
            channel=channel_id,
            user=self.bot_user_id,
            text=text,
            blocks=blocks if isinstance(blocks, list) else [],
            ephemeral_to=None if in_channel else user_id,
        )
        # A later respond(replace_original=True) through the command's response_url edits this.
        token = str(payload.get("response_url", "")).rsplit("/", 1)[-1]
        if token in self._response_urls:
            self._response_urls[token].message_ts = message.ts

    def _apply_view_submission_answer(self, payload: JsonDict, body: str) -> None:
        view_id = str((payload.get("view") or {}).get("id", ""))
        fake_view = self.views.get(view_id)
        if fake_view is None:
            return
        if not body.strip():
            self._close_view(fake_view)  # an empty ack closes the submitted view
            return
        try:
            answer = json.loads(body)
        except ValueError:
            answer = None
        action = answer.get("response_action") if isinstance(answer, dict) else None
        if not isinstance(answer, dict) or action is None:
            # Slack keeps the modal open and tells the person it "had some trouble connecting".
            logger.warning("View submission answered with an unusable body: %r", body[:200])
            return
        if action == "errors":
            errors = answer.get("errors")
            fake_view.errors = dict(errors) if isinstance(errors, dict) else {}
        elif action == "update":
            new_view = answer.get("view")
            if isinstance(new_view, dict):
                self._replace_view(fake_view, new_view)
        elif action == "push":
            new_view = answer.get("view")
            stack_height = len(self._stacks.get(fake_view.user, []))
            if isinstance(new_view, dict) and stack_height < MAX_MODAL_STACK:
                self._open_modal(fake_view.user, new_view, trigger_id=None, push=True)
        elif action == "clear":
            self._close_stack(fake_view.user)
        else:
            logger.warning("View submission answered with unknown response_action %r", action)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeSlack) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def _serve(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        reply = self.server.fake._handle_http(
            path=url.path, query=url.query, headers=self.headers, body=body
        )
        if reply.status == 0:
            # `fail_next(drop=True)`: no answer at all.
            self.close_connection = True
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        # The sandbox prints what people see; per-request access logs would drown it.
        logger.debug("fake slack: " + format, *args)
