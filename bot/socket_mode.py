"""Socket Mode (`liaison run`): Bolt's built-in handler, with deferred work held until the ack
has been sent over the socket, as `liaison serve` holds it until the HTTP answer is sent."""

from __future__ import annotations

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.runtime import Runtime


class AckFirstSocketModeHandler(SocketModeHandler):
    def __init__(self, app: App, app_token: str | None, *, runtime: Runtime) -> None:
        super().__init__(app, app_token)
        self.runtime = runtime

    def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        # The parent dispatches to the app and sends the answer before it returns.
        with self.runtime.holding() as held:
            super().handle(client, req)
        self.runtime.release(held)
