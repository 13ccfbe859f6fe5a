"""What every listener and job needs, built once per process: settings, database, clock."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from bot.clock import Clock
from bot.config import Settings
from bot.services.partner_names import PartnerNames

logger = logging.getLogger(__name__)


def new_error_id() -> str:
    """A short id that the user sees and that the log line carries, to find one from the other."""
    return uuid.uuid4().hex[:8]


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    clock: Clock
    # Each workspace's partner-name index, built once and kept in step with the database.
    partner_names: PartnerNames = field(default_factory=PartnerNames)
    # Work that must wait until Slack has its ack (opening a modal, Web API calls).
    after_ack: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=4, thread_name_prefix="after-ack")
    )
    _pending: set[Future[None]] = field(default_factory=set)
    _pending_lock: threading.Lock = field(default_factory=threading.Lock)

    def defer(self, work: Callable[[], None], *, what: str) -> Future[None]:
        """Run `work` after the ack; failures are logged with traceback and an error id."""

        def run() -> None:
            try:
                work()
            except Exception:
                logger.exception("after-ack work failed: %s (error id %s)", what, new_error_id())

        future = self.after_ack.submit(run)
        with self._pending_lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future[None]) -> None:
        with self._pending_lock:
            self._pending.discard(future)

    def drain(self, timeout: float = 10.0) -> None:
        """Wait for deferred work, including work it defers in turn (sandbox and tests)."""
        while True:
            with self._pending_lock:
                pending = set(self._pending)
            if not pending:
                return
            wait(pending, timeout=timeout)

    def close(self) -> None:
        self.after_ack.shutdown(wait=True)
        self.engine.dispose()
