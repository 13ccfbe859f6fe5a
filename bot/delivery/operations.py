"""`liaison tick` and `liaison outbox`: the delivery engine from an operator's shell."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlmodel import Session

from bot.delivery.dispatcher import delivery_client
from bot.runtime import Runtime
from bot.scheduler import PlannerRegistry, tick
from storage import outbox as store
from storage.models import OutboxStatus

QUEUED = (OutboxStatus.PENDING, OutboxStatus.SENDING)
COLUMNS = ("id", "team", "kind", "recipient", "due", "next try", "status", "tries", "last error")


def parse_moment(text: str) -> datetime:
    """An ISO time for `--at`; without a zone it is UTC. ValueError when it is no time."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def run_tick(
    runtime: Runtime, *, planners: PlannerRegistry, echo: Callable[[str], None] = print
) -> int:
    """Run the planners and one dispatch pass at the runtime's clock; 1 if a planner failed."""
    report = tick(runtime, delivery_client(runtime.settings), planners=planners)
    echo(report.summary())
    return 1 if report.failed_planners else 0


def list_outbox(
    runtime: Runtime, *, failed: bool, limit: int, echo: Callable[[str], None] = print
) -> int:
    """Print queued (or failed) messages, one line each, without their bodies."""
    statuses = (OutboxStatus.FAILED,) if failed else QUEUED
    with Session(runtime.engine) as session:
        rows = store.deliveries_by_status(session=session, statuses=statuses, limit=limit)
    if not rows:
        echo("no failed messages" if failed else "nothing queued")
        return 0
    table = [COLUMNS] + [
        (
            str(row.id),
            row.team_id,
            row.kind,
            row.recipient,
            _when(row.due_at),
            # A failed row is never tried again: it has no next try to show.
            "—"
            if row.status == OutboxStatus.FAILED
            else _when(row.available_at) + (" (held: away)" if row.held else ""),
            row.status,
            str(row.attempts),
            row.last_error or "",
        )
        for row in rows
    ]
    widths = [max(len(line[index]) for line in table) for index in range(len(COLUMNS) - 1)]
    for line in table:
        echo(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=False))
            + "  "
            + line[-1]
        )
    if len(rows) == limit:
        echo(f"(first {limit}; --limit N shows more)")
    return 0


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
