"""Socket Mode (`liaison run`): Bolt's built-in handler, with deferred work held until the ack
has been sent over the socket, as `liaison serve` holds it until the HTTP answer is sent."""

from __future__ import annotations

import logging
import sys
from urllib.parse import urlsplit

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.runtime import Runtime
from bot.slack_retry import RateLimitRetryHandler

logger = logging.getLogger(__name__)


class NotConnected(Exception):
    """The WebSocket connection to the address apps.connections.open gave could not be made."""

    def __init__(self, address: str, reason: str) -> None:
        super().__init__(f"{address}: {reason}")
        self.address = address
        self.reason = reason


def connections_client(client: WebClient) -> WebClient:
    """A client like `client` for apps.connections.open (at start-up and on each reconnect),
    waiting out Slack's rate limit as the dispatcher reads Retry-After, and saying so.

    The SDK handles a rate-limited apps.connections.open itself, by `int(Retry-After)` and a
    sleep that long: an HTTP date (RFC 9110 allows one) raised a ValueError out of `run`, and a
    huge number slept for as long. This client never lets that answer reach the SDK: it asks
    again for as long as Slack rate limits, as the SDK would, each wait read and capped. The
    app's own client gives up sooner (`request_retry_handlers`): a request's work waits for
    no one-minute limit."""
    return WebClient(
        base_url=client.base_url,
        timeout=client.timeout,
        ssl=client.ssl,
        proxy=client.proxy,
        retry_handlers=[
            ConnectionErrorRetryHandler(),
            RateLimitRetryHandler(
                max_retry_count=sys.maxsize,
                logger=logger,
                waiting="Slack is rate limiting Socket Mode connections",
            ),
        ],
    )


class AckFirstSocketModeHandler(SocketModeHandler):
    def __init__(self, app: App, app_token: str | None, *, runtime: Runtime) -> None:
        super().__init__(app, app_token, web_client=connections_client(app.client))
        self.runtime = runtime

    def connect(self) -> None:
        """Connect once, or raise: `NotConnected` when the WebSocket cannot be opened, what the
        Web API client raises when apps.connections.open fails.

        The SDK's own `connect` only logs a WebSocket that cannot be opened, and leaves its
        monitor to try again every few seconds, for ever: `run` would start the scheduler with
        no way for Slack to reach it. Its reconnecting is for a connection once made."""
        client = self.client
        failures: list[Exception] = []
        client.on_error_listeners.append(failures.append)
        # Off while connecting (`connect` sets the one from the other), so the monitor it starts
        # does not try again while start-up decides.
        client.default_auto_reconnect_enabled = client.auto_reconnect_enabled = False
        try:
            client.connect()
        finally:
            client.on_error_listeners.remove(failures.append)
            client.default_auto_reconnect_enabled = True
        if not client.is_connected():
            reason = str(failures[-1]) if failures else "no WebSocket handshake"
            raise NotConnected(urlsplit(client.wss_uri or "").netloc, reason)
        client.auto_reconnect_enabled = True

    def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        # The parent dispatches to the app and sends the answer before it returns.
        with self.runtime.holding() as held:
            super().handle(client, req)
        self.runtime.release(held)
