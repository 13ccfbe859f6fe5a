"""What every listener and job needs, built once per process: settings, database, clock."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from bot.clock import Clock
from bot.config import Settings
from bot.services.partner_names import PartnerNames

logger = logging.getLogger(__name__)


# Work deferred while a request is being answered, held until the answer is on its way (see
# `Runtime.holding`). Per thread of execution: each request dispatch has its own.
_held_work: ContextVar[list[Callable[[], None]] | None] = ContextVar("held_work", default=None)


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

    def defer(self, work: Callable[[], object], *, what: str) -> None:
        """Run `work` after the ack; failures are logged with traceback and an error id.

        Inside `holding` (a request being answered) the work waits until the answer has been
        sent; elsewhere (a job, a deferred task deferring more) it starts at once."""

        def run() -> None:
            try:
                work()
            except Exception:
                logger.exception("after-ack work failed: %s (error id %s)", what, new_error_id())

        held = _held_work.get()
        if held is not None:
            held.append(run)
        else:
            self._submit(run)

    @contextmanager
    def holding(self) -> Iterator[list[Callable[[], None]]]:
        """Hold what listeners defer while a request is dispatched; `release` it once the
        answer is on its way to Slack.

        With `process_before_response` the listener runs before the HTTP (or Socket Mode)
        answer is sent. Work started at once could reach Slack first — a `respond(...,
        replace_original=True)` arriving before the ephemeral it replaces, which Slack then
        shows as a second message."""
        held: list[Callable[[], None]] = []
        token = _held_work.set(held)
        try:
            yield held
        finally:
            _held_work.reset(token)

    def release(self, held: list[Callable[[], None]]) -> None:
        """Start the work `holding` kept back (after the answer was sent)."""
        for run in held:
            self._submit(run)
        held.clear()

    def _submit(self, run: Callable[[], None]) -> None:
        future = self.after_ack.submit(run)
        with self._pending_lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

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
        """Finish deferred work, then let go of the database: nothing of this runtime's touches
        it afterwards (`Engine.dispose` also stops a SQLite file's checkpoint thread).

        Deferred work may defer more (a click's answer, then the Home published anew): `drain`
        waits for that too, where `shutdown` alone would refuse the second and lose it."""
        self.drain()
        self.after_ack.shutdown(wait=True)
        self.engine.dispose()
