"""`liaison tick` and `liaison outbox`: the delivery engine from an operator's shell."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from types import FrameType

from sqlmodel import Session

from bot.delivery.absence import WELCOME_BACK, reached_back_at
from bot.delivery.dispatcher import Dispatcher, delivery_client
from bot.runtime import Runtime
from bot.scheduler import PlannerRegistry, tick
from bot.services.message_kinds import in_words
from storage import absences as absence_store
from storage import outbox as store
from storage.models import OutboxStatus

QUEUED = (OutboxStatus.PENDING, OutboxStatus.SENDING)
COLUMNS = ("id", "team", "kind", "recipient", "due", "goes out", "status", "tries", "last error")


def parse_moment(text: str) -> datetime:
    """An ISO time for `--at`; without a zone it is UTC. ValueError when it is no time."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _to_stderr(text: str) -> None:
    """What went wrong, said as the CLI says its errors: on stderr, after `liaison:`."""
    print(f"liaison: {text}", file=sys.stderr)


# The signals that stop a tick cleanly, as they stop `serve` and `run`.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def run_tick(
    runtime: Runtime,
    *,
    planners: PlannerRegistry,
    echo: Callable[[str], None] = print,
    complain: Callable[[str], None] = _to_stderr,
) -> int:
    """Run the planners and one dispatch pass at the runtime's clock; 1 if a planner failed or
    the pass failed a message for good (said to `complain`, stderr by default: a cron job
    notices the bot left out of a channel, say, rather than exit 0 on every run).

    SIGINT or SIGTERM stops it as it stops the scheduler: no more planners or claims, the
    send in flight is recorded, the other claimed messages are handed back for the next pass.
    It then says so and returns 128 + the signal's number (130, 143), as a shell would. A
    second signal ends the process at once (what it had claimed comes back after its lease).
    """
    client = delivery_client(runtime.settings)
    dispatcher = Dispatcher(
        engine=runtime.engine,
        clock=runtime.clock,
        client=client,
        default_channel=runtime.settings.default_channel,
        summaries_planned=WELCOME_BACK in planners,
    )
    with _stopped_by_signals(dispatcher) as caught:
        report = tick(runtime, client, planners=planners, dispatcher=dispatcher)
    echo(report.summary())
    if caught:
        stopped_by = caught[0]
        echo(
            f"stopped by {stopped_by.name}: {report.dispatch.released} claimed messages handed "
            "back unsent, for the next pass"
        )
        return 128 + stopped_by.value
    failed = report.dispatch.failed
    if failed:
        noun = "message" if failed == 1 else "messages"
        complain(
            f"{failed} {noun} failed for good in this tick and will not be tried again: "
            "`liaison outbox --failed` says why (e.g. the bot is not in a channel); once "
            "that is fixed, `liaison outbox --retry-failed` queues them again"
        )
    return 1 if report.failed_planners or failed else 0


@contextmanager
def _stopped_by_signals(dispatcher: Dispatcher) -> Iterator[list[signal.Signals]]:
    """Stop `dispatcher` on the first of `STOP_SIGNALS` (listed in what this yields) rather
    than raise in the middle of a send; the signals' handlers are restored afterwards.

    Only the main thread may set handlers; elsewhere (a test's thread) nothing is caught."""
    caught: list[signal.Signals] = []
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return

    def stop(signum: int, _frame: FrameType | None) -> None:
        caught.append(signal.Signals(signum))
        dispatcher.stop()
        for number in STOP_SIGNALS:
            signal.signal(number, signal.SIG_DFL)

    previous = {number: signal.signal(number, stop) for number in STOP_SIGNALS}
    try:
        yield caught
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def retry_failed(
    runtime: Runtime,
    *,
    team_id: str | None,
    kind: str | None,
    echo: Callable[[str], None] = print,
    complain: Callable[[str], None] = _to_stderr,
) -> int:
    """Queue failed messages again (those of `team_id`, of `kind`), due now; the running
    dispatchers (or the next `liaison tick`) send them. 2, having changed nothing, when no
    message of `kind`, or for `team_id`, was ever queued."""
    with Session(runtime.engine) as session:
        if team_id is not None and team_id not in store.teams_queued(session=session):
            # A mistyped or foreign team id would otherwise read as "nothing failed".
            failed = store.teams_queued(session=session, failed_only=True)
            complain(
                f"no workspace has the id {team_id!r}: no message was ever queued for it. "
                + (
                    f"Failed messages are of workspaces: {', '.join(failed)} "
                    f"(`liaison outbox --failed` lists them), e.g. --team {failed[0]}"
                    if failed
                    else "No message has failed."
                )
            )
            return 2
        if kind is not None and kind not in store.kinds_queued(session=session):
            # A typo would otherwise read as "nothing failed".
            failed = store.kinds_queued(session=session, failed_only=True)
            complain(
                f"unknown kind {kind!r}: no message of that kind was ever queued. "
                + (
                    f"Failed messages are of kinds: {', '.join(failed)}"
                    if failed
                    else "No message has failed."
                )
            )
            return 2
        count = store.requeue_failed(
            session=session, now=runtime.clock.now(), team_id=team_id, kind=kind
        )
        session.commit()
    noun = "message" if count == 1 else "messages"
    echo(f"queued {count} failed {noun} again" if count else "no failed messages to queue again")
    return 0


def list_outbox(
    runtime: Runtime, *, failed: bool, limit: int, echo: Callable[[str], None] = print
) -> int:
    """Print queued (or failed) messages, one line each, without their bodies."""
    statuses = (OutboxStatus.FAILED,) if failed else QUEUED
    with Session(runtime.engine) as session:
        # One more than shown tells whether any are left out: the note under the table
        # promises more only when there is more.
        fetched = store.deliveries_by_status(
            session=session, statuses=statuses, limit=limit + 1, latest=failed
        )
        rows, more = fetched[:limit], len(fetched) > limit
        away = _held_for_time_away(session, rows)
    if not rows:
        echo("no failed messages" if failed else "nothing queued")
        return 0
    table = [COLUMNS] + [
        (
            str(row.id),
            row.team_id,
            _kind(row.kind),
            row.recipient,
            _when(row.due_at),
            _goes_out(row, back_at=away.get(row.id)),
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
    if more:
        echo(f"({'latest' if failed else 'first'} {limit}; --limit N shows more)")
    return 0


def _kind(kind: str) -> str:
    """A message's kind in words, as admins read it in `/partner config` (`note on promises
    nobody follows up`), with the name `--retry-failed --kind` takes where the two differ."""
    words = in_words(kind)
    return words if words == kind else f"{words} ({kind})"


def _held_for_time_away(session: Session, rows: list[store.DeliverySummary]) -> dict[int, datetime]:
    """The held rows whose recipient is away until the row is released, by id, with when each
    would reach them: their first working slot once back, after any time away that follows on
    (`reached_back_at`). The row's release is only the end of the time away, mostly a midnight:
    shown as when it goes out, it promised a DM at 00:00 on a Saturday (QA).

    A DM is held either for time away, until the absence ends (or the DM expires), or, the
    person back, for their welcome-back summary (a minute from then): only the first is
    released while an absence still covers the moment just before. One query per workspace
    and release moment: a person's held DMs share their absence's end, one pass's summary
    holds share theirs."""
    to_ask: dict[tuple[str, datetime], set[str]] = {}
    for row in rows:
        if row.held and row.status == OutboxStatus.PENDING and row.recipient_user:
            to_ask.setdefault((row.team_id, row.available_at), set()).add(row.recipient_user)
    away: set[tuple[str, str, datetime]] = set()
    for (team_id, released_at), user_ids in to_ask.items():
        absent = absence_store.absences_at(
            session=session,
            team_id=team_id,
            user_ids=user_ids,
            at=released_at - timedelta(microseconds=1),
        )
        away.update((team_id, user_id, released_at) for user_id in absent)
    return {
        row.id: reached_back_at(
            session, team_id=row.team_id, user_id=row.recipient_user, now=row.available_at
        )
        for row in rows
        if row.recipient_user and (row.team_id, row.recipient_user, row.available_at) in away
    }


def _goes_out(row: store.DeliverySummary, *, back_at: datetime | None) -> str:
    """When the message goes out and, past its due time, why it waits: a message held for the
    morning, for the recipient's return or for their welcome-back summary reads as such, not
    as a retry. `back_at`: the recipient is away, and this is when the DM reaches them once back
    (`_held_for_time_away`); one that expires first never goes."""
    if row.status == OutboxStatus.FAILED:
        return "—"  # never tried again
    when = _when(row.available_at)
    if row.status == OutboxStatus.SENDING:
        return f"{when} (being sent; lease until then)"
    if row.held and back_at is not None:
        if row.expires_at is not None and row.expires_at <= back_at:
            return f"— (held: away; expires {_when(row.expires_at)}, before they are back)"
        return f"{_when(back_at)} (held: away)"
    if row.held:
        return f"{when} (held: welcome-back summary first)"
    error = row.last_error or ""
    if error.startswith("time zone unknown"):
        return f"{when} (time zone unknown)"
    if "rate limited" in error:
        return f"{when} (rate limited)"
    if error and row.attempts:
        return f"{when} (next try)"
    if row.available_at <= row.due_at:
        return when
    # The dispatcher put it off without trying it: a person's working hours, or (a channel's
    # post) the message it threads onto or edits, not sent yet.
    return (
        f"{when} (working hours)"
        if row.recipient_user
        else f"{when} (after the message it follows)"
    )


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
