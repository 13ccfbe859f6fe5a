"""The dispatcher: claims due outbox rows and sends them through the Slack Web API.

One pass claims due rows in batches under a lease, decides for each whether it may go now
(expired, recipient away or just back with their welcome-back summary not planned yet, outside
their working hours, a rate-limited workspace) and sends the rest one at a time; every statement
commits on its own. Once Slack has accepted a message, its row is marked sent. On PostgreSQL
that mark is handed to the database without waiting for the answer: the server commits it while
the next message goes to Slack, and the answer ("sent", or "sent-but-claim-lost") is read once it
has come, after a later send (marks queue in libpq's pipeline meanwhile, each committing on its
own), and at the latest before anything else runs on the connection. So the dispatcher never
waits for a mark's round trip, even when the server is slow to answer on a busy machine. On
SQLite, whose commit is local and quick, the mark is committed at once.

A working-hours DM goes by its recipient's time zone as Slack gives it (`users.info`, asked
when a batch holds someone never looked up). While Slack does not answer (a 429, a 5xx, no
network), the row is put back and the lookup tried again rather than sent on a guess, until
`ZONE_WAIT`; then, or when Slack's refusal will not pass, the workspace's zone stands in.

A row may depend on an earlier one (by its dedupe key): a reply goes into the earlier message's
thread, an edit replaces its content in place (chat.update), once that message is sent; until
then the row waits. If the earlier message failed or never existed, a reply stands on its own
and an edit is dropped (cancelled).

A message is sent twice only if the process dies between Slack's accept and the hand-over of its
mark to the database: on PostgreSQL, the mark's statement written in full to the server's socket
(what the kernel already holds reaches the server, which runs and commits it even if this
process is gone by then); on SQLite, its commit. The next message goes to Slack only after that
hand-over, so a crash duplicates at most one message; its row, left "sending", is taken up again
once its lease runs out. Leases are timed by the wall clock (`lease_clock`), not by the clock
the dispatcher acts at: a lease says a process is alive, and a `liaison tick --at` acting a
month ahead holds its rows for two real minutes, as `serve` does. Nothing is lost: a row is
marked sent only once Slack has accepted it, and a row a dead process left "sending" comes back.
Three other ways to a duplicate, never to a loss: a mark the database refused or could not
answer (logged with outcome `sent-but-not-recorded`; the row comes back after its lease), a
lease that ran out before the mark (`sent-but-claim-lost`: another dispatcher may have sent it
too), and a crash of the PostgreSQL server itself just after a commit (see
`_autocommit_session`).

Slack's answers: 429 reschedules the row (and pauses its workspace) for `Retry-After` (seconds or
an HTTP date, at most `RETRY_AFTER_CAP`), never a sleep. 5xx, network errors, Slack's transient
error codes and the token's errors (`invalid_auth`, `token_revoked`, …, which also pause the
workspace for a minute, since every one of its messages would meet them) are retried with
exponential backoff and jitter, capped at 10 minutes, until the message expires if it has an
expiry, else for a day from its first failed try (`DispatchPolicy.give_up_after`): long enough to
outlast an outage of Slack or of the network. Only then does the row fail, with the reason, where
admins see it (`liaison outbox --retry-failed` queues it again). Every other error code
(`channel_not_found`, `not_in_channel`, `user_not_found`, `account_inactive`, `is_archived`,
`invalid_blocks`, …) fails the row at once with the reason. A channel message refused because of
its channel (`CHANNEL_REFUSALS`) is first handed to what its kind registered in
`ON_CHANNEL_REFUSED`, which may queue it elsewhere (`bot.services.channels.pass_on`): a collision
alert, a survey's results or the weekly digest refused in a partner's own channel goes to the
workspace's coordination channel, one refused there to the server's default. A row queued elsewhere
is marked rerouted, not failed, with Slack's reason: it is no failure for admins to see or retry,
and its channel still counts as refusing. A reply threaded onto it follows it to where it went
(`instead_key`).
"""

from __future__ import annotations

import http.client
import logging
import random
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.delivery.absence import SUM_UP_WITHIN, WELCOME_BACK
from bot.delivery.outbox import EXTERNAL_RECIPIENT
from bot.delivery.working_hours import WorkingHours, next_send_time, zone_or_workspace
from bot.mrkdwn import slack_text
from bot.services.people import error_code as error_code
from bot.services.people import look_up_each, rate_limited
from storage import absences as absence_store
from storage import outbox as store
from storage.models import Absence, OutboxStatus
from storage.people import (
    external_people,
    forget_zone_lookup_failures,
    note_zone_lookup_failure,
    zones_of,
)
from storage.workspaces import get_workspaces

logger = logging.getLogger(__name__)

# Error codes Slack answers for trouble on its side: try again later.
TRANSIENT_ERRORS = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
)
# Error codes about the workspace's token, not the message: every message of the workspace
# would fail alike, so they are retried like a 5xx (a rotated or reinstalled token comes back)
# with the workspace paused meanwhile, and fail only once the policy gives up.
TOKEN_ERRORS = frozenset({"invalid_auth", "not_authed", "token_revoked", "token_expired"})
# The message metadata event that carries the dedupe key (audits, reconciliation, tests).
METADATA_EVENT = "liaison_outbox"
# Seconds the Web API client waits for Slack before counting the attempt as a network error.
CLIENT_TIMEOUT = 15
# Error codes by which Slack refuses a message because of its channel: archived, deleted,
# private without Liaison, or closed to apps.
CHANNEL_REFUSALS = store.CHANNEL_REFUSALS
_DM_CACHE_SIZE = 10_000
# conversations.open calls in flight at once when a batch goes to people not messaged before
# (Slack's tier 3 takes bursts of this size).
OPEN_CONCURRENCY = 4
# A working-hours DM to someone whose time zone Slack has not told yet (users.info rate-limited,
# failing or unreachable) waits, and the lookup is tried again: after Retry-After for a 429,
# else after a backoff from `ZONE_RETRY` doubling up to `ZONE_RETRY_CAP`. Once the lookups of
# that person have failed for `ZONE_WAIT` and at least `ZONE_LOOKUPS` times, their DMs go on the
# workspace's zone (`config timezone`), as they do at once when Slack's refusal will not pass
# (`missing_scope`, …) or its answer has no zone.
ZONE_RETRY = timedelta(seconds=30)
ZONE_RETRY_CAP = timedelta(minutes=15)
ZONE_WAIT = timedelta(hours=3)
ZONE_LOOKUPS = 5
# The longest wait a 429's Retry-After may impose. Slack asks for seconds, a minute at most; a
# value far beyond that is no rate limit but a garbled header (a proxy's, a date on a wrong
# clock), and honouring it would pause every message of the workspace for as long, days even.
# Past this the request is tried again, and Slack, if it still means it, says to wait again.
RETRY_AFTER_CAP = timedelta(minutes=15)
# How long a DM to someone back from time away waits for their welcome-back summary to be
# planned (the planner runs every minute) before it is tried again.
SUMMARY_WAIT = timedelta(minutes=1)


@dataclass(frozen=True, kw_only=True)
class ChannelRefused:
    """A channel message Slack refused for good because of its channel, with the dispatch
    pass's autocommit session (each statement commits on its own)."""

    session: Session
    message: store.Claimed
    reason: str
    now: datetime
    # LIAISON_DEFAULT_CHANNEL, for a workspace that has chosen no coordination channel.
    default_channel: str | None


# What a kind of channel message does when its channel refuses it (by kind; registered by the
# feature that queues it); True when it queued the message elsewhere. It runs before the row
# is marked rerouted or failed, so a crash in between brings the row back and the handler runs
# again: it must queue idempotently (and answer True again).
ON_CHANNEL_REFUSED: dict[str, Callable[[ChannelRefused], bool]] = {}


def instead_key(dedupe_key: str) -> str:
    """The key under which a handler in `ON_CHANNEL_REFUSED` queues the refused message
    elsewhere: a reply (or edit) meant for the refused message follows it there (`_target`)."""
    return f"{dedupe_key}:instead"


@dataclass(frozen=True, kw_only=True)
class DispatchPolicy:
    """How the dispatcher claims, retries and backs off."""

    batch_size: int = 250
    # How long a claim holds its rows, by the wall clock; a longer batch extends it.
    lease: timedelta = timedelta(minutes=2)
    # Trouble that passes (5xx, network errors, transient codes, a refused token) is retried
    # this long from the first failed try, or until the message expires if it has an expiry;
    # then the row fails with the reason.
    give_up_after: timedelta = timedelta(days=1)
    backoff_base: timedelta = timedelta(seconds=2)
    backoff_cap: timedelta = timedelta(minutes=10)
    # After a 5xx or network error the rest of that workspace's batch waits this long.
    pause_after_error: timedelta = timedelta(seconds=2)
    # After Slack refuses the workspace's token (`TOKEN_ERRORS`), its messages wait this long.
    pause_after_token_error: timedelta = timedelta(minutes=1)
    # A reply waits this long for the message it threads onto to be sent first.
    thread_wait: timedelta = timedelta(seconds=5)

    def backoff(self, attempt: int, rng: random.Random) -> timedelta:
        """Exponential backoff with equal jitter: half fixed, half random."""
        ceiling: timedelta = min(self.backoff_cap, self.backoff_base * 2 ** max(attempt - 1, 0))
        return ceiling / 2 + ceiling / 2 * rng.random()


@dataclass
class DispatchReport:
    """What one or more passes did with the rows they claimed."""

    sent: int = 0
    retried: int = 0
    rate_limited: int = 0
    failed: int = 0
    rerouted: int = 0
    cancelled: int = 0
    held: int = 0
    deferred: int = 0
    released: int = 0

    def add(self, other: DispatchReport) -> None:
        for spec in fields(self):
            setattr(self, spec.name, getattr(self, spec.name) + getattr(other, spec.name))

    def summary(self) -> str:
        return ", ".join(
            f"{spec.name.replace('_', ' ')} {getattr(self, spec.name)}" for spec in fields(self)
        )


def delivery_client(settings: Settings) -> WebClient:
    """A Web API client for the dispatcher: no retry handlers of its own (retries are rows
    rescheduled in the outbox, so a 429 never puts a thread to sleep) and a bounded timeout."""
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_base_url,
        timeout=CLIENT_TIMEOUT,
        retry_handlers=[],
    )


@dataclass(frozen=True)
class _Target:
    channel: str | None  # None: the recipient's DM, opened at send time
    thread_ts: str | None
    edit_ts: str | None = None  # the sent message whose content this one replaces


@dataclass(frozen=True)
class _Dropped:
    """A row with nothing left to do (the message it edits was never sent)."""

    reason: str


@dataclass(frozen=True)
class _Wait:
    until: datetime


@dataclass(frozen=True)
class _ZoneUnknown:
    """A recipient whose time zone Slack has not told yet: ask again at `retry_at`."""

    retry_at: datetime
    reason: str


class Dispatcher:
    """Sends due outbox rows. One per process; `run_pass` is not re-entrant."""

    def __init__(
        self,
        *,
        engine: Engine,
        clock: Clock,
        client: WebClient,
        policy: DispatchPolicy | None = None,
        rng: random.Random | None = None,
        default_channel: str | None = None,
        lease_clock: Clock | None = None,
        summaries_planned: bool = False,
    ) -> None:
        """`clock` says when rows are due and what working hours allow; `lease_clock` (the
        wall clock unless a test moves it) times the leases, which are about liveness.
        `summaries_planned`: a planner sums up people's time away once they are back (the
        app's `WELCOME_BACK`), so their DMs wait for it (`_hold_for_summary`)."""
        self._summaries_planned = summaries_planned
        self._engine = engine
        self._clock = clock
        self._lease_clock = lease_clock or SystemClock()
        self._client = client
        self._default_channel = default_channel
        self.policy = policy or DispatchPolicy()
        self._rng = rng or random.Random()
        self._stopping = threading.Event()
        self._paused_until: dict[str, datetime] = {}
        self._dm_channels: dict[tuple[str, str], str] = {}

    # --- lifecycle ------------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop claiming; the running pass finishes its in-flight send and releases the rest."""
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    # --- one pass -------------------------------------------------------------------------------

    def run_pass(self) -> DispatchReport:
        """Send everything due now, batch by batch, until nothing due is left (or `stop`)."""
        # Rows this pass puts back are due strictly later than this, and the leases it takes
        # ran out before it began, so the pass ends.
        pass_now = self._clock.now()
        pass_lease_now = self._lease_clock.now()
        with _autocommit_session(self._engine) as session:
            run = _Pass(session, token=uuid.uuid4().hex)
            try:
                while not self.stopping:
                    now = max(self._clock.now(), pass_now)
                    lease_until = self._lease_clock.now() + self.policy.lease
                    batch = store.claim_due(
                        session=run.db(),
                        now=pass_now,
                        lease_now=pass_lease_now,
                        lease_until=lease_until,
                        token=run.token,
                        limit=self.policy.batch_size,
                    )
                    if not batch:
                        break
                    to_send = self._gate(run, batch, now=now)
                    self._send_batch(run, to_send, lease_until=lease_until)
                    # Profiles and absences read for the batch: keep memory flat over a long pass.
                    run.db().expunge_all()
            finally:
                run.settle()
        return run.report

    def _gate(
        self, run: _Pass, batch: Sequence[store.Claimed], *, now: datetime
    ) -> list[store.Claimed]:
        """Put back what may not go now (expired, away, after hours), fail DMs to people Slack
        said are of another organisation (cached marked `external`: Liaison DMs colleagues);
        return the rest."""
        away = _absences(run.db(), batch, now)
        slots = _slots(run.db(), batch, now, learn=self._learn_profiles)
        # After the slots: their lookups are how someone new is first found to be elsewhere.
        elsewhere = _external(run.db(), batch)
        report = run.report
        to_send: list[store.Claimed] = []
        for row in batch:
            absence = away.get((row.team_id, row.recipient_user or ""))
            slot = slots.get(row.id)
            if (row.team_id, row.recipient_user) in elsewhere:
                store.finish(
                    session=run.db(),
                    message_id=row.id,
                    token=run.token,
                    status=OutboxStatus.FAILED,
                    reason=EXTERNAL_RECIPIENT,
                    attempted=False,
                )
                # Logged as every other failure is: never tried, so no attempt is counted.
                run.record(
                    row,
                    attempt=row.attempts,
                    outcome="failed:external-recipient",
                    started=time.perf_counter(),
                )
            elif row.expires_at is not None and row.expires_at <= now:
                store.finish(
                    session=run.db(),
                    message_id=row.id,
                    token=run.token,
                    status=OutboxStatus.CANCELLED,
                    reason="expired before it could be sent",
                    attempted=False,
                )
                report.cancelled += 1
            elif absence is not None:
                until = absence.ends_at
                if row.expires_at is not None:
                    until = min(until, row.expires_at)
                store.reschedule(
                    session=run.db(),
                    message_id=row.id,
                    token=run.token,
                    available_at=until,
                    attempted=False,
                    held=True,
                )
                report.held += 1
            elif isinstance(slot, _ZoneUnknown):
                store.reschedule(
                    session=run.db(),
                    message_id=row.id,
                    token=run.token,
                    available_at=slot.retry_at,
                    attempted=False,
                    last_error=f"time zone unknown: {slot.reason}",
                )
                report.deferred += 1
            elif slot is not None and slot > now:
                store.reschedule(
                    session=run.db(),
                    message_id=row.id,
                    token=run.token,
                    available_at=slot,
                    attempted=False,
                )
                report.deferred += 1
            else:
                to_send.append(row)
        return self._hold_for_summary(run, to_send, now=now)

    def _hold_for_summary(
        self, run: _Pass, rows: list[store.Claimed], *, now: datetime
    ) -> list[store.Claimed]:
        """Hold the DMs to people back from time away whose welcome-back summary is still to be
        planned, and return the rest, summaries first. `serve` dispatches every few seconds and
        plans summaries once a minute: without this, the notes the summary replaces would go
        out first at the first working moment back, and what waited for the person (claimed in
        order of when it fell due) would come before the summary of their time away."""
        if not self._summaries_planned:
            return rows
        rows.sort(key=lambda row: row.kind != WELCOME_BACK)  # stable: the rest keep their order
        back = _back_unsummed(run.db(), rows, now)
        if not back:
            return rows
        to_send: list[store.Claimed] = []
        for row in rows:
            if row.kind != WELCOME_BACK and (row.team_id, row.recipient_user) in back:
                store.reschedule(
                    session=run.db(),
                    message_id=row.id,
                    token=run.token,
                    available_at=now + SUMMARY_WAIT,
                    attempted=False,
                    held=True,
                )
                run.report.held += 1
            else:
                to_send.append(row)
        return to_send

    def _send_batch(
        self, run: _Pass, rows: Sequence[store.Claimed], *, lease_until: datetime
    ) -> None:
        self._open_dms(rows)
        for index, row in enumerate(rows):
            now = self._clock.now()
            if self.stopping:
                run.report.released += store.hand_back(
                    session=run.db(),
                    message_ids=[r.id for r in rows[index:]],
                    token=run.token,
                    now=now,
                )
                return
            paused = self._paused_until.get(row.team_id)
            if paused is not None and paused > now:
                run.report.released += store.release(
                    session=run.db(), message_ids=[row.id], token=run.token, available_at=paused
                )
                continue
            lease_now = self._lease_clock.now()
            if lease_until - lease_now < self.policy.lease / 2:
                lease_until = lease_now + self.policy.lease
                store.extend_lease(
                    session=run.db(),
                    message_ids=[r.id for r in rows[index:]],
                    token=run.token,
                    lease_until=lease_until,
                )
            self._deliver(run, row)

    # --- one message ----------------------------------------------------------------------------

    def _deliver(self, run: _Pass, row: store.Claimed) -> None:
        """Send one claimed row, hand its outcome to the database, and log one line (for a
        send, once the database has answered: see `_Pass`)."""
        now = self._clock.now()
        target = self._target(run, row, now)
        if isinstance(target, _Dropped):
            store.finish(
                session=run.db(),
                message_id=row.id,
                token=run.token,
                status=OutboxStatus.CANCELLED,
                reason=target.reason,
                attempted=False,
            )
            run.report.cancelled += 1
            return
        if isinstance(target, _Wait):
            store.reschedule(
                session=run.db(),
                message_id=row.id,
                token=run.token,
                available_at=target.until,
                attempted=False,
            )
            run.report.deferred += 1
            return
        attempt = row.attempts + 1
        started = time.perf_counter()
        step = "conversations.open"
        try:
            channel = target.channel or self._dm_channel(row)
            if target.edit_ts is not None:
                step = "chat.update"
                response = self._client.chat_update(
                    channel=channel,
                    ts=target.edit_ts,
                    text=slack_text(row.text),
                    blocks=row.blocks or None,
                )
            else:
                step = "chat.postMessage"
                response = self._client.chat_postMessage(
                    channel=channel,
                    text=slack_text(row.text),
                    blocks=row.blocks or None,
                    thread_ts=target.thread_ts,
                    metadata={
                        "event_type": METADATA_EVENT,
                        "event_payload": {"dedupe_key": row.dedupe_key, "kind": row.kind},
                    },
                    unfurl_links=False,
                    unfurl_media=False,
                )
        except SlackApiError as error:
            outcome = self._on_slack_error(run, row, error, step=step, now=now)
        except (OSError, http.client.HTTPException) as error:
            outcome = self._on_transient(
                run, row, f"{step}: {type(error).__name__}: {error}", now=now
            )
        except Exception as error:
            logger.exception(
                "delivery bug kind=%s team=%s recipient=%s outbox_id=%d attempt=%d",
                row.kind,
                row.team_id,
                row.recipient,
                row.id,
                attempt,
            )
            outcome = self._on_transient(run, row, f"{step}: {type(error).__name__}", now=now)
        else:
            # Tallied and logged once the database has answered, after the next send. An
            # answer that does not say where the message went (Slack never should) reads None
            # in slack_sdk: the channel asked for stands in, and no ts rather than "None",
            # which a reply would be threaded onto and an edit would try to replace.
            run.hand_over(
                row,
                attempt=attempt,
                started=started,
                channel=str(response.get("channel") or channel),
                ts=str(response.get("ts") or target.edit_ts or ""),
                sent_at=self._clock.now(),
            )
            return
        run.record(row, attempt=attempt, outcome=outcome, started=started)

    def _target(self, run: _Pass, row: store.Claimed, now: datetime) -> _Target | _Wait | _Dropped:
        """Where the row goes: its channel (or DM), threaded onto its parent once sent, or in
        place of the message it edits once that one is sent."""
        parent_key = row.edit_of_dedupe_key or row.thread_of_dedupe_key
        if parent_key is None:
            return _Target(channel=row.recipient_channel, thread_ts=None)
        parent = store.thread_parent(session=run.db(), team_id=row.team_id, dedupe_key=parent_key)
        while parent is not None and parent.status == OutboxStatus.REROUTED:
            # Refused in its channel and queued in another: the thread is where it went (a
            # weekly digest's details follow the digest to the channel that took it).
            parent_key = instead_key(parent_key)
            parent = store.thread_parent(
                session=run.db(), team_id=row.team_id, dedupe_key=parent_key
            )
        if parent is not None and parent.status == OutboxStatus.SENT and parent.sent_ts:
            if row.edit_of_dedupe_key is not None:
                return _Target(channel=parent.sent_channel, thread_ts=None, edit_ts=parent.sent_ts)
            return _Target(channel=parent.sent_channel, thread_ts=parent.sent_ts)
        if parent is not None and parent.status == OutboxStatus.PENDING:
            return _Wait(until=max(parent.available_at, now + self.policy.thread_wait))
        if parent is not None and parent.status == OutboxStatus.SENDING:
            # Its `available_at` is a lease, on the wall clock: no time to wait for here.
            return _Wait(until=now + self.policy.thread_wait)
        if row.edit_of_dedupe_key is not None:
            return _Dropped(reason="the message it edits was never sent")
        # The parent failed, was cancelled or never existed: the reply stands on its own.
        return _Target(channel=row.recipient_channel, thread_ts=None)

    def _learn_profiles(self, team_id: str, user_ids: Collection[str]) -> dict[str, _ZoneUnknown]:
        """Ask Slack about recipients Liaison never looked up, so that their working hours are
        judged in their own time zone rather than a guess; returns those whose DMs wait for
        another lookup instead (`ZONE_WAIT`), by user id. People already known to be of another
        organisation are not asked about again: their DMs fail unsent (`_deliver`)."""
        with Session(self._engine) as session:
            elsewhere = external_people(session=session, team_id=team_id, user_ids=user_ids)
        _check, unanswered = look_up_each(
            self._client,
            engine=self._engine,
            clock=self._clock,
            team_id=team_id,
            user_ids=[user_id for user_id in user_ids if user_id not in elsewhere],
        )
        now = self._clock.now()
        waiting: dict[str, _ZoneUnknown] = {}
        with Session(self._engine) as session:
            forget_zone_lookup_failures(
                session=session, team_id=team_id, user_ids=set(user_ids) - unanswered.keys()
            )
            for user_id, failure in unanswered.items():
                error = failure.error
                if error is not None and not (passes(error) or error_code(error) in TOKEN_ERRORS):
                    continue  # asking again will not help: the workspace's zone stands in
                reason = "users.info: " + ("unreachable" if error is None else error_code(error))
                noted = note_zone_lookup_failure(
                    session=session, team_id=team_id, user_id=user_id, at=now, error=reason
                )
                if noted.failures >= ZONE_LOOKUPS and now - noted.first_failed_at >= ZONE_WAIT:
                    logger.warning(
                        "time zone of %s unknown since %s (%d lookups failed): "
                        "their DMs go in the workspace's zone",
                        user_id,
                        noted.first_failed_at.isoformat(),
                        noted.failures,
                    )
                    continue
                if error is not None and rate_limited(error):
                    wait = timedelta(seconds=retry_after(error.response.headers, now=now))
                else:
                    wait = min(ZONE_RETRY_CAP, ZONE_RETRY * 2 ** min(noted.failures - 1, 16))
                waiting[user_id] = _ZoneUnknown(retry_at=now + wait, reason=reason)
            session.commit()
        return waiting

    def _open_dms(self, rows: Sequence[store.Claimed]) -> None:
        """Open the DMs the batch's messages go to that this process has not opened yet,
        `OPEN_CONCURRENCY` at a time rather than one before each first message.

        A DM that fails to open here is left alone: its message's own conversations.open
        meets the error again and deals with it as with any send (retry, failure). A 429 stops
        the workspace's other opens and pauses its sends for Retry-After: Slack is not asked
        once per new recipient while it says to wait.
        """
        wanted = list(
            dict.fromkeys(
                (row.team_id, row.recipient_user)
                for row in rows
                if row.recipient_user is not None
                and row.thread_of_dedupe_key is None
                and row.edit_of_dedupe_key is None
                and (row.team_id, row.recipient_user) not in self._dm_channels
            )
        )
        if len(wanted) < 2 or self.stopping:
            return
        # By workspace, the Retry-After of the first 429 its opens met (set from the pool's
        # threads: one dict operation each, atomic under the GIL).
        limited: dict[str, timedelta] = {}

        def try_open(key: tuple[str, str]) -> str | None:
            team_id, user_id = key
            if team_id in limited:
                return None
            try:
                return self._open(user_id)
            except SlackApiError as error:
                if rate_limited(error):
                    wait = retry_after(error.response.headers, now=self._clock.now())
                    limited.setdefault(team_id, timedelta(seconds=wait))
                return None
            except (OSError, http.client.HTTPException):
                return None
            except Exception:
                # As for a send: one strange answer must not end the pass.
                logger.exception("conversations.open failed for %s in %s", user_id, team_id)
                return None

        with ThreadPoolExecutor(
            max_workers=min(OPEN_CONCURRENCY, len(wanted)), thread_name_prefix="conversations.open"
        ) as pool:
            opened = list(pool.map(try_open, wanted))
        for key, channel in zip(wanted, opened, strict=True):
            if channel is not None:
                self._remember_dm(key, channel)
        now = self._clock.now()
        for team_id, wait in limited.items():
            logger.warning(
                "conversations.open rate limited team=%s: its sends wait %d s",
                team_id,
                wait.seconds,
            )
            self._pause(team_id, until=now + wait)

    def _pause(self, team_id: str, *, until: datetime) -> None:
        """Send nothing more to the workspace before `until` (a later pause stands)."""
        self._paused_until[team_id] = max(until, self._paused_until.get(team_id, until))

    def _open(self, user_id: str) -> str:
        """The bot's DM channel with `user_id` (conversations.open)."""
        response = self._client.conversations_open(users=user_id)
        return str(response["channel"]["id"])

    def _remember_dm(self, key: tuple[str, str], channel: str) -> None:
        if len(self._dm_channels) >= _DM_CACHE_SIZE:
            self._dm_channels.clear()
        self._dm_channels[key] = channel

    def _dm_channel(self, row: store.Claimed) -> str:
        """The bot's DM with the recipient (conversations.open, remembered per process)."""
        assert row.recipient_user is not None
        key = (row.team_id, row.recipient_user)
        channel = self._dm_channels.get(key)
        if channel is None:
            channel = self._open(row.recipient_user)
            self._remember_dm(key, channel)
        return channel

    def _on_slack_error(
        self, run: _Pass, row: store.Claimed, error: SlackApiError, *, step: str, now: datetime
    ) -> str:
        code = error_code(error)
        if rate_limited(error):
            wait = timedelta(seconds=retry_after(error.response.headers, now=now))
            until = now + wait
            self._pause(row.team_id, until=until)
            store.reschedule(
                session=run.db(),
                message_id=row.id,
                token=run.token,
                available_at=until,
                attempted=False,
                last_error=f"{step}: rate limited for {wait.seconds} s",
            )
            return "rate-limited"
        if passes(error):
            return self._on_transient(run, row, f"{step}: {code}", now=now)
        if code in TOKEN_ERRORS:
            outcome = self._on_transient(run, row, f"{step}: {code}", now=now)
            self._paused_until[row.team_id] = now + self.policy.pause_after_token_error
            return outcome
        rerouted = False
        if row.recipient_user is not None:
            # A DM channel that no longer works is opened afresh next time.
            self._dm_channels.pop((row.team_id, row.recipient_user), None)
        elif code in CHANNEL_REFUSALS:
            rerouted = self._channel_refused(run, row, f"{step}: {code}", now=now)
        store.finish(
            session=run.db(),
            message_id=row.id,
            token=run.token,
            status=OutboxStatus.REROUTED if rerouted else OutboxStatus.FAILED,
            reason=f"{step}: {code}",
            attempted=True,
        )
        return f"rerouted:{code}" if rerouted else f"failed:{code}"

    def _channel_refused(
        self, run: _Pass, row: store.Claimed, reason: str, *, now: datetime
    ) -> bool:
        """Hand a refused channel message to its kind's handler; True if it went elsewhere."""
        handler = ON_CHANNEL_REFUSED.get(row.kind)
        if handler is None:
            return False
        refused = ChannelRefused(
            session=run.db(),
            message=row,
            reason=reason,
            now=now,
            default_channel=self._default_channel,
        )
        try:
            return handler(refused)
        except Exception:
            # The row still fails with Slack's reason, where admins see it.
            logger.exception("%s %s: what follows a refused channel failed", row.kind, row.id)
            return False

    def _on_transient(self, run: _Pass, row: store.Claimed, reason: str, *, now: datetime) -> str:
        """Retry after a backoff, unless the next try would come after the message expires
        or after `give_up_after` from its first failed try: then fail it with the reason."""
        attempt = row.attempts + 1
        since = row.retrying_since or now
        deadline = row.expires_at or since + self.policy.give_up_after
        retry_at = now + self.policy.backoff(attempt, self._rng)
        if retry_at >= deadline:
            tries = "1 attempt" if attempt == 1 else f"{attempt} attempts"
            store.finish(
                session=run.db(),
                message_id=row.id,
                token=run.token,
                status=OutboxStatus.FAILED,
                reason=f"gave up after {tries} over {_span(now - since)}: {reason}",
                attempted=True,
            )
            return "failed:gave-up"
        self._paused_until[row.team_id] = now + self.policy.pause_after_error
        store.reschedule(
            session=run.db(),
            message_id=row.id,
            token=run.token,
            available_at=retry_at,
            attempted=True,
            last_error=reason,
            retrying_since=since,
        )
        return "retry"


@dataclass(frozen=True)
class _Handed:
    """A sent message whose mark the database has yet to answer, and its log line's facts."""

    mark: store.PendingMark
    row: store.Claimed
    attempt: int
    latency_ms: float


class _Pass:
    """One pass's autocommit session, claim token and tally.

    The session is reached only through `db()`, which first settles the marks handed over
    for earlier sends: their answers are read, tallied and logged. On PostgreSQL a mark's
    answer is otherwise read only once it has come, after a later send, so the dispatcher
    never waits for it; no other statement is sent on the connection before every answer
    has been read (libpq runs one command at a time, or a pipeline of writes).
    """

    def __init__(self, session: Session, *, token: str) -> None:
        self._session = session
        self.token = token
        self.report = DispatchReport()
        self._handed: deque[_Handed] = deque()

    def db(self) -> Session:
        self.settle()
        return self._session

    def hand_over(
        self,
        row: store.Claimed,
        *,
        attempt: int,
        started: float,
        channel: str,
        ts: str,
        sent_at: datetime,
    ) -> None:
        """Mark a row Slack accepted as sent; then log the sends whose marks the database
        has answered meanwhile (this mark's answer is read by a later `hand_over` or `db()`)."""
        mark = store.mark_sent(
            session=self._session,
            message_id=row.id,
            token=self.token,
            channel=channel,
            ts=ts,
            sent_at=sent_at,
        )
        latency_ms = (time.perf_counter() - started) * 1000
        self._handed.append(_Handed(mark=mark, row=row, attempt=attempt, latency_ms=latency_ms))
        while self._handed and self._handed[0].mark.ready():
            self._log(*self._answer(self._handed.popleft()))

    def settle(self) -> None:
        """Read the answers to the marks not yet read, and log their sends."""
        while self._handed:
            self._log(*self._answer(self._handed.popleft()))

    def record(self, row: store.Claimed, *, attempt: int, outcome: str, started: float) -> None:
        """Tally and log an outcome other than a send (a retry, a failure: already committed)."""
        self._log(row, attempt, outcome, (time.perf_counter() - started) * 1000)

    @staticmethod
    def _answer(
        handed: _Handed,
    ) -> tuple[store.Claimed, int, str, float, store.MarkNotRecorded | None]:
        """The outcome of a send whose mark was handed over, once the database has answered."""
        try:
            recorded = handed.mark.result()
        except store.MarkNotRecorded as error:
            # Slack has the message; its row stays "sending" and is sent again once its
            # lease runs out: a duplicate, never a loss.
            return handed.row, handed.attempt, "sent-but-not-recorded", handed.latency_ms, error
        outcome = "sent" if recorded else "sent-but-claim-lost"
        return handed.row, handed.attempt, outcome, handed.latency_ms, None

    def _log(
        self,
        row: store.Claimed,
        attempt: int,
        outcome: str,
        latency_ms: float,
        failure: store.MarkNotRecorded | None = None,
    ) -> None:
        """One line per attempt; a mark not recorded also gets the database's traceback."""
        _tally(self.report, outcome)
        if outcome == "sent":
            level = logging.INFO
        else:
            level = logging.ERROR if failure is not None else logging.WARNING
        logger.log(
            level,
            "delivery kind=%s team=%s recipient=%s outbox_id=%d attempt=%d outcome=%s "
            "latency_ms=%.1f",
            row.kind,
            row.team_id,
            row.recipient,
            row.id,
            attempt,
            outcome,
            latency_ms,
            exc_info=failure,
        )


@contextmanager
def _autocommit_session(engine: Engine) -> Iterator[Session]:
    """A session whose every statement commits on its own.

    Each of the dispatcher's writes is one atomic statement (claim, mark sent, reschedule), so
    autocommit loses nothing and saves a round trip per message; it also lets a "sent" mark
    commit on its own while the dispatcher goes on (`storage.outbox.mark_sent`). On PostgreSQL
    the dispatcher's commits also skip waiting for the WAL flush (`synchronous_commit = off`):
    if this process dies, a commit stands; only a crash of the database server itself within a
    fraction of a second could forget a "sent" mark, and the message would then be sent again,
    never lost.
    """
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.exec_driver_sql("SET synchronous_commit TO off")
        try:
            with Session(bind=connection) as session:
                yield session
        finally:
            if postgres and not connection.invalidated:
                connection.exec_driver_sql("RESET synchronous_commit")


def passes(error: SlackApiError) -> bool:
    """Whether Slack's refusal is trouble on its side (a rate limit, a 5xx, a transient error
    code) that trying again later gets past, rather than something wrong with the request."""
    status = error.response.status_code
    return status == 429 or status >= 500 or error_code(error) in TRANSIENT_ERRORS


def retry_after(headers: Any, *, now: datetime) -> int:
    """Seconds to wait from a 429's Retry-After header: a number of seconds, or an HTTP date
    (RFC 9110 allows both), read against `now` (the clock the wait is timed on). At least 1 (a
    missing, past or unreadable value), at most `RETRY_AFTER_CAP`."""
    items: Iterable[tuple[str, Any]] = headers.items() if hasattr(headers, "items") else ()
    for name, value in items:
        if name.lower() == "retry-after":
            first = value[0] if isinstance(value, list) and value else value
            wait = _retry_after_seconds(str(first).strip(), now)
            return int(min(max(1.0, wait), RETRY_AFTER_CAP.total_seconds()))
    return 1


def _retry_after_seconds(value: str, now: datetime) -> float:
    """The wait a Retry-After value asks for, in seconds (0 when unreadable)."""
    if value.isascii() and value.isdigit():
        # Past the cap either way; a longer string of digits is not worth converting.
        return float(value) if len(value) <= 18 else RETRY_AFTER_CAP.total_seconds()
    try:
        until = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return 0.0
    if until.tzinfo is None:
        until = until.replace(tzinfo=UTC)  # an HTTP date is in GMT
    return (until - now).total_seconds()


def _span(span: timedelta) -> str:
    """A span of time as an admin reads it: `40 s`, `25 min`, `23 h 50 min`."""
    seconds = int(span.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    hours, minutes = divmod(seconds // 60, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def _tally(report: DispatchReport, outcome: str) -> None:
    if outcome.startswith("sent"):
        report.sent += 1
    elif outcome == "retry":
        report.retried += 1
    elif outcome == "rate-limited":
        report.rate_limited += 1
    elif outcome.startswith("rerouted"):
        report.rerouted += 1
    else:
        report.failed += 1


def _dm_recipients(batch: Sequence[store.Claimed]) -> dict[str, set[str]]:
    users_by_team: dict[str, set[str]] = defaultdict(set)
    for row in batch:
        if row.recipient_user is not None:
            users_by_team[row.team_id].add(row.recipient_user)
    return users_by_team


def _back_unsummed(
    session: Session, batch: Sequence[store.Claimed], now: datetime
) -> set[tuple[str, str | None]]:
    """The batch's DM recipients, by (team, user), back from time away not summed up yet."""
    found: set[tuple[str, str | None]] = set()
    for team_id, user_ids in _dm_recipients(batch).items():
        back = absence_store.back_not_summed_up(
            session=session, team_id=team_id, user_ids=user_ids, since=now - SUM_UP_WITHIN, at=now
        )
        found.update((team_id, user_id) for user_id in back)
    return found


def _absences(
    session: Session, batch: Sequence[store.Claimed], now: datetime
) -> dict[tuple[str, str], Absence]:
    """The absences covering `now` of the batch's DM recipients, by (team, user)."""
    found: dict[tuple[str, str], Absence] = {}
    for team_id, user_ids in _dm_recipients(batch).items():
        absent = absence_store.absences_at(
            session=session, team_id=team_id, user_ids=user_ids, at=now
        )
        found.update(((team_id, user_id), absence) for user_id, absence in absent.items())
    return found


def _external(session: Session, batch: Sequence[store.Claimed]) -> set[tuple[str, str | None]]:
    """The batch's DM recipients Slack said are of another organisation, as (team, user)."""
    return {
        (team_id, user_id)
        for team_id, user_ids in _dm_recipients(batch).items()
        for user_id in external_people(session=session, team_id=team_id, user_ids=user_ids)
    }


def _slots(
    session: Session,
    batch: Sequence[store.Claimed],
    now: datetime,
    *,
    learn: Callable[[str, Collection[str]], Mapping[str, _ZoneUnknown]],
) -> dict[int, datetime | _ZoneUnknown]:
    """For DMs that respect working hours: when each may go, by row id (re-checked at send
    time, since the person's time zone or the workspace's hours may have changed). Recipients
    without a cached profile are looked up first (`learn`); those Slack has not told about yet
    are not sent on a guess: their rows say when to ask again."""
    rows = [r for r in batch if r.recipient_user is not None and r.respect_working_hours]
    if not rows:
        return {}
    workspaces = get_workspaces(session=session, team_ids={r.team_id for r in rows})
    users_by_team: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        users_by_team[row.team_id].add(row.recipient_user or "")
    zones: dict[tuple[str, str], str | None] = {}
    waiting: dict[tuple[str, str], _ZoneUnknown] = {}
    for team_id, user_ids in users_by_team.items():
        known = zones_of(session=session, team_id=team_id, user_ids=user_ids)
        unknown = sorted(user_ids - known.keys())
        if unknown:
            for user_id, wait in learn(team_id, unknown).items():
                waiting[team_id, user_id] = wait
            known.update(zones_of(session=session, team_id=team_id, user_ids=unknown))
        for user_id in user_ids:
            zones[team_id, user_id] = zone_or_workspace(known.get(user_id), workspaces.get(team_id))
    hours = {team_id: WorkingHours.of(workspaces.get(team_id)) for team_id in users_by_team}
    slots: dict[int, datetime | _ZoneUnknown] = {
        row.id: next_send_time(
            now,
            tz=zones[row.team_id, row.recipient_user or ""],
            hours=hours[row.team_id],
            # One slot per person, as at enqueue: their messages then go in queue order (a
            # survey's invitation before its statements), not spread among themselves.
            key=row.recipient_user or "",
        )
        for row in rows
    }
    if waiting:
        for row in rows:
            unknown_zone = waiting.get((row.team_id, row.recipient_user or ""))
            if unknown_zone is not None:
                slots[row.id] = unknown_zone
    return slots
