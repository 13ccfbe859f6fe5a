"""Hands the process's `Runtime` to listeners through Bolt's context."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse

from bot.runtime import Runtime
from handlers.reply import FormAnswer

_KEY = "liaison_runtime"


class RuntimeApp(App):
    """A Bolt App whose every request's context carries the runtime.

    Put there as the request comes in rather than by a global middleware: a middleware costs
    Bolt a round of argument injection per request (~20 µs), and `/partner log` under load is
    measured against an app that only acks."""

    def __init__(self, *, runtime: Runtime, **options: Any) -> None:
        super().__init__(**options)
        self.runtime = runtime

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        req.context[_KEY] = self.runtime
        if req.context.response_url and req.context.user_id:
            # Every listener's `respond`: an answer Slack refuses or cannot be reached for goes
            # to the person in a DM instead, logged with the reason (`FormAnswer`).
            what = f"the answer to {req.body.get('command') or 'a click'}"
            req.context["respond"] = FormAnswer(
                req.context.response_url, client=self.client, user_id=req.context.user_id, what=what
            )
        return super().dispatch(req)


def runtime_of(context: BoltContext) -> Runtime:
    runtime = context.get(_KEY)
    assert isinstance(runtime, Runtime), "the app is not a handlers.context.RuntimeApp"
    return runtime
