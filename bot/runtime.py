"""What every listener and job needs, built once per process: settings, database, clock."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from bot.clock import Clock
from bot.config import Settings

logger = logging.getLogger(__name__)


def new_error_id() -> str:
    """A short id that the user sees and that the log line carries, to find one from the other."""
    return uuid.uuid4().hex[:8]


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    clock: Clock
    # Work that must wait until Slack has its ack (opening a modal, Web API calls).
    after_ack: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=4, thread_name_prefix="after-ack")
    )

    def defer(self, work: Callable[[], None], *, what: str) -> Future[None]:
        """Run `work` after the ack; failures are logged with traceback and an error id."""

        def run() -> None:
            try:
                work()
            except Exception:
                logger.exception("after-ack work failed: %s (error id %s)", what, new_error_id())

        return self.after_ack.submit(run)

    def close(self) -> None:
        self.after_ack.shutdown(wait=True)
        self.engine.dispose()
