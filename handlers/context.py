"""Hands the process's `Runtime` to listeners through Bolt's context."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App, BoltContext

from bot.runtime import Runtime

_KEY = "liaison_runtime"


def attach(app: App, runtime: Runtime) -> None:
    """Global middleware: every request's context carries the runtime."""

    def attach_runtime(context: BoltContext, next: Callable[[], None]) -> None:  # noqa: A002
        context[_KEY] = runtime
        next()

    app.middleware(attach_runtime)


def runtime_of(context: BoltContext) -> Runtime:
    runtime = context.get(_KEY)
    assert isinstance(runtime, Runtime), "handlers.context.attach() was not called"
    return runtime
