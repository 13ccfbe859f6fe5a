"""Requests exactly as Slack sends them to the app, and their delivery.

:class:`RequestFactory` builds signed slash commands, interaction payloads and Events API envelopes
for a :class:`~bot.sandbox.fake_slack.FakeSlack` workspace (issuing its trigger ids and response
URLs). :class:`Deliverer` sends them to the app — in-process through ``App.dispatch`` or over HTTP
— and then applies the app's answer to the workspace the way Slack would.

Who changes state for a person's action: building a request changes nothing people can see (it
only issues trigger ids and response URLs, as Slack does when it sends the request). The
Deliverer makes the workspace agree with an event *before* sending it (a ``reaction_added`` event
adds the reaction; applying it twice is harmless), as Slack records the reaction whatever the app
answers. Person-authored messages are the exception, because the event needs the message's ts:
call ``fake.post_user_message(...)`` first, then ``factory.message_posted(message)``.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qs, urlencode

from slack_bolt import App, BoltRequest

from bot.runtime import Runtime
from bot.sandbox.fake_slack import FakeMessage, FakeSlack, FakeView, JsonDict

RequestKind = Literal["command", "interactive", "event"]

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
JSON_CONTENT_TYPE = "application/json"


def sign(*, signing_secret: str, body: str, timestamp: int) -> dict[str, str]:
    """Slack's v0 request signature headers for ``body`` sent at ``timestamp``."""
    base = f"v0:{timestamp}:{body}".encode()
    digest = hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


@dataclass(frozen=True)
class SlackRequest:
    """One HTTP request from Slack to the app: raw body, headers (signed), and what it is."""

    body: str
    headers: dict[str, str]
    kind: RequestKind

    def payload(self) -> JsonDict:
        """The request decoded: command form fields, interaction payload, or event envelope."""
        if self.kind == "event":
            envelope = json.loads(self.body)
            return envelope if isinstance(envelope, dict) else {}
        form = {k: v[-1] for k, v in parse_qs(self.body, keep_blank_values=True).items()}
        if self.kind == "interactive":
            payload = json.loads(form["payload"])
            return payload if isinstance(payload, dict) else {}
        return form

    @property
    def is_retry(self) -> bool:
        return any(name.lower() == "x-slack-retry-num" for name in self.headers)


def _find_element(blocks: Sequence[Any], action_id: str) -> tuple[str | None, JsonDict | None]:
    """The block id and element with ``action_id`` in a message's or view's blocks."""
    for block in blocks:
        if not isinstance(block, dict):
            continue
        candidates: list[Any] = [block.get("accessory"), block.get("element")]
        candidates.extend(block.get("elements") or [])
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                block_id = block.get("block_id")
                return (block_id if isinstance(block_id, str) else None), element
    return None, None


class RequestFactory:
    """Builds the requests Slack would send for people acting in a :class:`FakeSlack` workspace.

    The fake must be started: slash commands and message actions carry response URLs served by
    it. ``clock`` stamps the signatures only; keep it the wall clock (Bolt rejects signatures
    more than five minutes off) unless a test is about exactly that. Action and event times come
    from the workspace clock.
    """

    def __init__(self, fake: FakeSlack, *, clock: Callable[[], float] = time.time) -> None:
        self._fake = fake
        self._clock = clock

    # ---------------------------------------------------------------- common parts

    def _signed(self, body: str, *, kind: RequestKind) -> SlackRequest:
        content_type = JSON_CONTENT_TYPE if kind == "event" else FORM_CONTENT_TYPE
        headers = {
            "Content-Type": content_type,
            **sign(
                signing_secret=self._fake.signing_secret,
                body=body,
                timestamp=int(self._clock()),
            ),
        }
        return SlackRequest(body=body, headers=headers, kind=kind)

    def _interactive(self, payload: JsonDict) -> SlackRequest:
        return self._signed(urlencode({"payload": json.dumps(payload)}), kind="interactive")

    def _user(self, user_id: str) -> JsonDict:
        user = self._fake.users[user_id]
        return {
            "id": user.id,
            "username": user.name,
            "name": user.name,
            "team_id": self._fake.team_id,
        }

    def _team(self) -> JsonDict:
        return {"id": self._fake.team_id, "domain": self._fake.team_domain}

    def _channel_name(self, channel_id: str) -> str:
        channel = self._fake.channels[channel_id]
        return "directmessage" if channel.is_im else channel.name

    def _base(self, kind: str, user_id: str) -> JsonDict:
        return {
            "type": kind,
            "user": self._user(user_id),
            "api_app_id": self._fake.app_id,
            "token": self._fake.verification_token,
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def _view_json(self, view: FakeView, values: JsonDict | None = None) -> JsonDict:
        # Read the fake's current copy: the app may have updated the view since it was fetched.
        current = self._fake.views.get(view.id, view)
        body = copy.deepcopy(current.view)
        body["state"] = {"values": copy.deepcopy(values or {})}
        return body

    def _message_context(self, payload: JsonDict, message: FakeMessage, user_id: str) -> None:
        container: JsonDict = {
            "type": "message",
            "message_ts": message.ts,
            "channel_id": message.channel,
            "is_ephemeral": message.ephemeral_to is not None,
        }
        if message.thread_ts is not None:
            container["thread_ts"] = message.thread_ts
        payload["container"] = container
        payload["channel"] = {"id": message.channel, "name": self._channel_name(message.channel)}
        if message.ephemeral_to is None:
            # Slack leaves the message out of payloads from ephemeral messages.
            payload["message"] = self._fake.message_json(message)
        payload["response_url"] = self._fake.new_response_url(
            channel_id=message.channel, user_id=user_id, message_ts=message.ts
        )

    # ---------------------------------------------------------------- commands and interactions

    def slash_command(
        self, *, user_id: str, channel_id: str, text: str, command: str = "/partner"
    ) -> SlackRequest:
        """A slash command, form-encoded with exactly the fields Slack sends."""
        user = self._fake.users[user_id]
        fields = {
            "token": self._fake.verification_token,
            "team_id": self._fake.team_id,
            "team_domain": self._fake.team_domain,
            "channel_id": channel_id,
            "channel_name": self._channel_name(channel_id),
            "user_id": user.id,
            "user_name": user.name,
            "command": command,
            "text": text,
            "api_app_id": self._fake.app_id,
            "is_enterprise_install": "false",
            "response_url": self._fake.new_response_url(channel_id=channel_id, user_id=user_id),
            "trigger_id": self._fake.issue_trigger_id(user_id),
        }
        return self._signed(urlencode(fields), kind="command")

    def block_action(
        self,
        *,
        user_id: str,
        action_id: str,
        value: str | None = None,
        block_id: str | None = None,
        message: FakeMessage | None = None,
        view: FakeView | None = None,
        selected_option: JsonDict | None = None,
        state_values: JsonDict | None = None,
    ) -> SlackRequest:
        """A person clicks or selects an element on a message or in a view.

        The element is looked up by ``action_id`` in the surface's blocks to fill in its type,
        block id, text and value as Slack would; ``block_id`` (default ``"b"``) and ``value``
        are used where the blocks do not say.
        """
        if (message is None) == (view is None):
            raise ValueError("block_action needs exactly one of message= or view=")
        payload = self._base("block_actions", user_id)
        payload["trigger_id"] = self._fake.issue_trigger_id(user_id)
        if message is not None:
            self._message_context(payload, message, user_id)
            blocks: list[Any] = message.blocks
        else:
            assert view is not None
            payload["container"] = {"type": "view", "view_id": view.id}
            payload["view"] = self._view_json(view, state_values)
            blocks = payload["view"].get("blocks") or []
        payload["state"] = {"values": copy.deepcopy(state_values or {})}

        found_block_id, element = _find_element(blocks, action_id)
        element_type = (element or {}).get("type") or (
            "static_select" if selected_option is not None else "button"
        )
        action: JsonDict = {
            "action_id": action_id,
            "block_id": found_block_id or block_id or "b",
            "type": element_type,
            "action_ts": self._fake.next_event_ts(),
        }
        if element is not None and "text" in element:
            action["text"] = element["text"]
        if value is None and element is not None and "value" in element:
            value = str(element["value"])
        if value is not None:
            action["value"] = value
        if selected_option is not None:
            action["selected_option"] = selected_option
        payload["actions"] = [action]
        return self._interactive(payload)

    def view_submission(
        self, *, user_id: str, view: FakeView, values: dict[str, dict[str, JsonDict]]
    ) -> SlackRequest:
        """A person submits a modal; ``values`` is ``view.state.values`` (block, action, value)."""
        payload = self._base("view_submission", user_id)
        payload["trigger_id"] = self._fake.issue_trigger_id(user_id)
        payload["view"] = self._view_json(view, values)
        payload["response_urls"] = []
        return self._interactive(payload)

    def block_suggestion(
        self,
        *,
        user_id: str,
        action_id: str,
        value: str,
        view: FakeView | None = None,
        message: FakeMessage | None = None,
        block_id: str | None = None,
    ) -> SlackRequest:
        """A person types into an ``external_select``; the app answers with options."""
        if (message is None) == (view is None):
            raise ValueError("block_suggestion needs exactly one of message= or view=")
        payload = self._base("block_suggestion", user_id)
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view.id}
            payload["view"] = self._view_json(view)
            blocks: list[Any] = payload["view"].get("blocks") or []
        else:
            assert message is not None
            payload["container"] = {
                "type": "message",
                "message_ts": message.ts,
                "channel_id": message.channel,
                "is_ephemeral": message.ephemeral_to is not None,
            }
            payload["channel"] = {
                "id": message.channel,
                "name": self._channel_name(message.channel),
            }
            payload["message"] = self._fake.message_json(message)
            blocks = message.blocks
        found_block_id, _ = _find_element(blocks, action_id)
        payload.update(action_id=action_id, block_id=found_block_id or block_id or "b", value=value)
        return self._interactive(payload)

    # ---------------------------------------------------------------- events

    def event(self, event: JsonDict) -> SlackRequest:
        """An Events API ``event_callback`` envelope around ``event`` (a fresh event_id)."""
        inner = copy.deepcopy(event)
        inner.setdefault("event_ts", self._fake.next_event_ts())
        envelope = {
            "token": self._fake.verification_token,
            "team_id": self._fake.team_id,
            "context_team_id": self._fake.team_id,
            "context_enterprise_id": None,
            "api_app_id": self._fake.app_id,
            "event": inner,
            "type": "event_callback",
            "event_id": "Ev" + secrets.token_hex(5).upper(),
            "event_time": int(float(inner["event_ts"])),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self._fake.team_id,
                    "user_id": self._fake.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": "4-" + secrets.token_urlsafe(24),
        }
        return self._signed(json.dumps(envelope), kind="event")

    def retry(self, req: SlackRequest, attempt: int, reason: str = "http_timeout") -> SlackRequest:
        """Slack's redelivery of an event: same body (same event_id), signed anew, retry headers."""
        if req.kind != "event":
            raise ValueError("Slack retries only Events API deliveries")
        signed = self._signed(req.body, kind="event")
        headers = {
            **signed.headers,
            "X-Slack-Retry-Num": str(attempt),
            "X-Slack-Retry-Reason": reason,
        }
        return SlackRequest(body=req.body, headers=headers, kind="event")

    def reaction_added(self, *, user_id: str, message: FakeMessage, name: str) -> SlackRequest:
        return self.event(
            self._fake.reaction_event("reaction_added", user_id=user_id, message=message, name=name)
        )

    def reaction_removed(self, *, user_id: str, message: FakeMessage, name: str) -> SlackRequest:
        return self.event(
            self._fake.reaction_event(
                "reaction_removed", user_id=user_id, message=message, name=name
            )
        )

    def app_home_opened(self, *, user_id: str) -> SlackRequest:
        event: JsonDict = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": self._fake.im_channel(user_id).id,
            "tab": "home",
        }
        home = self._fake.home_views.get(user_id)
        if home is not None:
            event["view"] = copy.deepcopy(home)  # Slack includes the published Home view
        return self.event(event)

    def message_posted(self, message: FakeMessage) -> SlackRequest:
        """The ``message`` event for a person's message (see ``fake.post_user_message``)."""
        channel = self._fake.channels.get(message.channel)
        event: JsonDict = {
            "type": "message",
            "channel": message.channel,
            "user": message.user,
            "text": message.text,
            "ts": message.ts,
            "event_ts": message.ts,
            "channel_type": "im" if channel is not None and channel.is_im else "channel",
            "team": self._fake.team_id,
        }
        if message.thread_ts is not None:
            event["thread_ts"] = message.thread_ts
        if message.files:
            # A message sharing files, as Slack sends it: a subtype, and the files.
            event["subtype"] = "file_share"
            event["files"] = copy.deepcopy(message.files)
            event["upload"] = True
        return self.event(event)


@dataclass
class Delivery:
    """The app's HTTP answer: status, raw body, and the body parsed when it is JSON."""

    status: int
    body: str
    json: JsonDict | None


def _parse_json(body: str) -> JsonDict | None:
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


class Deliverer:
    """Sends SlackRequests to the app and applies the answer the way Slack would.

    Give ``app`` to deliver in-process (``app.dispatch(BoltRequest(...))``), or ``url`` to POST
    over HTTP (e.g. ``http://127.0.0.1:PORT/slack/events``). Either way the answer goes through
    :meth:`FakeSlack.record_response`: a command's ack text becomes an ephemeral message, a view
    submission's ``response_action`` updates the modal, and a non-200 answer changes nothing.
    Work the app does after its ack runs in Bolt's worker threads; use ``fake.wait_until``.
    """

    def __init__(
        self,
        fake: FakeSlack,
        *,
        app: App | None = None,
        runtime: Runtime | None = None,
        url: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        if (app is None) == (url is None):
            raise ValueError("Deliverer needs exactly one of app= or url=")
        self._fake = fake
        self._app = app
        # In-process, the app's runtime holds deferred work until the answer is recorded, as
        # `liaison serve` holds it until the answer is sent.
        self._runtime = runtime
        self._url = url
        self._timeout = timeout

    def send(self, req: SlackRequest) -> Delivery:
        payload = req.payload()
        if req.kind == "event" and not req.is_retry:
            self._apply_event(payload.get("event") or {})
        if self._runtime is None:
            status, body = self._post(req)
            self._fake.record_response(kind=req.kind, payload=payload, status=status, body=body)
        else:
            with self._runtime.holding() as held:
                status, body = self._post(req)
            self._fake.record_response(kind=req.kind, payload=payload, status=status, body=body)
            self._runtime.release(held)
        return Delivery(status=status, body=body, json=_parse_json(body))

    def _apply_event(self, event: JsonDict) -> None:
        """Make the workspace agree with a person's action before the app hears of it."""
        kind = event.get("type")
        if kind not in ("reaction_added", "reaction_removed"):
            return
        item = event.get("item") or {}
        message = self._fake.find_message(str(item.get("channel")), str(item.get("ts")))
        if message is None:
            raise ValueError(f"{kind}: no message {item.get('ts')} in {item.get('channel')}")
        user_id, name = str(event["user"]), str(event["reaction"])
        present = user_id in message.reactions.get(name, [])
        if kind == "reaction_added" and not present:
            self._fake.react(user_id, message, name)
        elif kind == "reaction_removed" and present:
            self._fake.unreact(user_id, message, name)

    def _post(self, req: SlackRequest) -> tuple[int, str]:
        if self._app is not None:
            headers: dict[str, str | Sequence[str]] = dict(req.headers)
            response = self._app.dispatch(BoltRequest(body=req.body, headers=headers))
            return response.status, response.body
        assert self._url is not None
        http_request = urllib.request.Request(
            self._url, data=req.body.encode("utf-8"), headers=req.headers, method="POST"
        )
        try:
            with urllib.request.urlopen(http_request, timeout=self._timeout) as response:
                return int(response.status), response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")
